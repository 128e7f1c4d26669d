"""What the warehouse holds: coverage per source and the data-as-of dates."""

from __future__ import annotations

import pandas as pd

from metrics import db
from metrics.scope import OPEN, Scope

COVERAGE_SQL = db.read_sql("coverage.sql")
AS_OF_SQL = db.read_sql("data_as_of.sql")


def coverage(scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """One row per source: rows, communes with data, first and last month."""
    return db.query(COVERAGE_SQL, None, path, scope=scope)


def data_as_of(scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Latest month loaded per source (source, last_month)."""
    return db.query(AS_OF_SQL, None, path, scope=scope)


def is_demo(path=None) -> bool:
    df = db.query("select value from warehouse_info where key = 'demo'", None, path)
    return not df.empty and df.iloc[0, 0] == "true"
