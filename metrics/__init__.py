"""Read side: queries, metric definitions and formulas as plain functions returning DataFrames.

No Streamlit here.  Every function takes the filters it needs and a `Scope` (whose data the caller
may see) and opens a short-lived read-only connection to the warehouse file.
"""
