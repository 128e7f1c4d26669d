"""Downloads: the table as CSV and XLSX, with user-visible headers and spreadsheet-safe cells.

A text cell that starts with `=`, `+`, `-` or `@` (or a tab / carriage return) would be read as a
formula by Excel or LibreOffice; it is written with a leading apostrophe instead.  Numbers stay
numbers (a negative rank change is not text).  Rates are written as percentages (0..100).
"""

from __future__ import annotations

import io
from numbers import Number

import pandas as pd

from metrics.i18n import t
from ui.columns import kind, label_key

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """'=1+1' -> "'=1+1"; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def header(column: str, lang: str) -> str:
    key = label_key(column)
    text = t(key, lang) if key else column
    return f"{text} (%)" if kind(column) == "pct" else text


def export_frame(df: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    """The columns to export with their headers in `lang`, percentages ×100, text cells escaped."""
    out = pd.DataFrame(index=df.index)
    for col in columns:
        series = df[col]
        k = kind(col)
        if k == "pct":
            series = (series.astype("float64") * 100).round(2)
        elif k == "group":
            series = series.map(lambda g: None if pd.isna(g) else f"{g} · {t('group_' + str(g).lower(), lang)}")
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
    """CSV in UTF-8 with a BOM (Excel opens Vietnamese text correctly)."""
    return export_frame(df, columns, lang).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, columns: list[str], lang: str, sheet: str = "Data") -> bytes:
    frame = export_frame(df, columns, lang)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", date_format="dd/mm/yyyy", datetime_format="dd/mm/yyyy hh:mm",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as xw:
        frame.to_excel(xw, index=False, sheet_name=sheet[:31])
        ws = xw.sheets[sheet[:31]]
        for i, col in enumerate(frame.columns):
            width = min(60, max(10, len(str(col)) + 2,
                                int(frame[col].astype(str).str.len().quantile(0.9)) + 2 if len(frame) else 10))
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
    return buf.getvalue()
