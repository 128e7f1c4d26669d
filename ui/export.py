"""Downloads: the table as CSV and XLSX, with user-visible headers and spreadsheet-safe cells.

A text cell that starts with `=`, `+`, `-` or `@` (or a tab / carriage return) would be read as a
formula by Excel or LibreOffice; it is written with a leading apostrophe instead — and so is every
line of a cell that holds line breaks, and every part after a comma, semicolon or tab, because a
reader that splits rows at CR or LF, or cells at the wrong delimiter (Excel in Vietnamese splits at
semicolons), starts a new cell there.  In the CSV every text cell is quoted
(so CR, LF, the delimiter and quotes stay inside their cell) and rows end with CRLF (RFC 4180).  In
the XLSX, strings are written as strings, never as formulas or links.  Numbers stay numbers (a
negative rank change is not text).  Rates are written as percentages (0..100).
"""

from __future__ import annotations

import csv
import io
import re
from numbers import Number

import pandas as pd

from metrics.i18n import t
from ui.columns import kind, label_key

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Where a reader may start a new cell inside ours: the start, a line break (CR, LF, CRLF, the Unicode
# line/paragraph separators, VT, FF, NEL) and the delimiters a spreadsheet may guess (comma, semicolon
# — Excel's list separator in Vietnamese — and tab).  A formula prefix there, after any spaces, gets
# an apostrophe in front.
_CELL_START = re.compile(r"(^|[\r\n\v\f\x85\u2028\u2029,;\t])([ \u00a0]*)(?=[=+\-@\t\r])")


def escape_cell(value):
    """'=1+1' -> "'=1+1"; 'Khai sinh\\r+cmd' -> "Khai sinh\\r'+cmd"; 'a;=b' -> "a;'=b"; other values
    unchanged."""
    if not isinstance(value, str):
        return value
    return _CELL_START.sub(lambda m: m.group(1) + "'" + m.group(2), value)


def header(column: str, lang: str) -> str:
    key = label_key(column)
    text = t(key, lang) if key else column
    if kind(column) == "pp":
        return f"{text} ({t('unit_pp', lang)})"
    return f"{text} (%)" if kind(column) == "pct" else text


def export_frame(df: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    """The columns to export with their headers in `lang`, percentages ×100, text cells escaped."""
    out = pd.DataFrame(index=df.index)
    for col in columns:
        series = df[col]
        k = kind(col)
        if k in ("pct", "pp"):
            series = (series.astype("float64") * 100).round(2)
        elif k == "group":
            series = series.map(
                lambda g: None if pd.isna(g) else f"{g} · {t('group_' + str(g).lower(), lang)}"
            )
        elif k == "source":
            series = series.map(lambda s: None if pd.isna(s) else t("source_" + str(s), lang))
        elif k == "status":
            series = series.map(lambda s: None if pd.isna(s) else t("status_" + str(s), lang))
        elif k == "tier":
            series = series.astype("Int64")
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            series = series.map(lambda v: escape_cell(v) if not isinstance(v, Number) else v)
        out[header(col, lang)] = series
    return out.reset_index(drop=True)


def to_csv(df: pd.DataFrame, columns: list[str], lang: str) -> bytes:
    """CSV in UTF-8 with a BOM (Excel opens Vietnamese text correctly), comma-separated, CRLF rows,
    every text cell (and header) in double quotes, numbers bare."""
    text = export_frame(df, columns, lang).to_csv(
        index=False,
        quoting=csv.QUOTE_NONNUMERIC,
        lineterminator="\r\n",
        quotechar='"',
        doublequote=True,
        sep=",",
    )
    return text.encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, columns: list[str], lang: str, sheet: str = "Data") -> bytes:
    frame = export_frame(df, columns, lang)
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf,
        engine="xlsxwriter",
        date_format="dd/mm/yyyy",
        datetime_format="dd/mm/yyyy hh:mm",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as xw:
        frame.to_excel(xw, index=False, sheet_name=sheet[:31])
        ws = xw.sheets[sheet[:31]]
        for i, col in enumerate(frame.columns):
            # An empty cell is 0 characters wide (a column may be entirely empty: no index for a year yet).
            lengths = frame[col].map(lambda v: 0 if v is None or v is pd.NA or pd.isna(v) else len(str(v)))
            width = min(
                60,
                max(
                    10,
                    len(str(col)) + 2,
                    int(lengths.astype("float64").quantile(0.9)) + 2 if len(frame) else 10,
                ),
            )
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
    return buf.getvalue()
