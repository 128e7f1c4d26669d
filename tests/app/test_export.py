"""Downloads: headers in the language, percentages, formula escaping (ui/export.py)."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from ui.export import escape_cell, export_frame, to_csv, to_xlsx

DF = pd.DataFrame(
    {
        "commune_name": ['=HYPERLINK("http://x")', "+Xã Vân Bán", "-1", "@SUM(A1)", "Xã Đại Xuyên"],
        "online_rate": [0.5, 0.25, None, 1.0, 0.123456],
        "index_rank_change": [-3, 2, 0, None, 1],
        "tier": pd.array([1, 2, 3, 4, None], dtype="Int64"),
    }
)
COLUMNS = ["commune_name", "online_rate", "index_rank_change", "tier"]


def test_escape_cell():
    assert escape_cell("=1+1") == "'=1+1"
    assert [escape_cell(v) for v in ("+a", "-a", "@a", "\tx", "a=b")] == ["'+a", "'-a", "'@a", "'\tx", "a=b"]
    assert escape_cell(-3) == -3 and escape_cell(None) is None


def test_export_frame_headers_percent_and_escaping():
    out = export_frame(DF, COLUMNS, "vi")
    assert list(out.columns) == ["Xã/phường", "Tỷ lệ hồ sơ trực tuyến (%)", "Thay đổi hạng", "Nhóm"]
    assert out.iloc[0, 0].startswith("'=") and out.iloc[1, 0] == "'+Xã Vân Bán" and out.iloc[2, 0] == "'-1"
    assert out.iloc[4, 0] == "Xã Đại Xuyên"
    assert out.iloc[0, 1] == 50.0 and out.iloc[4, 1] == 12.35
    assert out.iloc[0, 2] == -3  # numbers stay numbers
    assert list(export_frame(DF, COLUMNS, "en").columns)[1] == "Online filing rate (%)"


def test_csv_has_bom_and_escaped_cells():
    data = to_csv(DF, COLUMNS, "vi")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=" not in text and ",=" not in text and "'@SUM(A1)" in text


def test_xlsx_cells_are_text_not_formulas():
    wb = load_workbook(io.BytesIO(to_xlsx(DF, COLUMNS, "en")))
    ws = wb.active
    assert ws["A1"].value == "Commune"
    assert ws["A2"].value.startswith("'=") and ws["A2"].data_type == "s"
    assert ws["A5"].value == "'@SUM(A1)"
    assert ws["C2"].value == -3 and ws["B2"].value == 50


def test_xlsx_with_entirely_empty_columns():
    """A year with no index yet: every score, rank and tier column empty (raised "cannot convert float
    NaN to integer"); empty cells stay empty, never the text None / nan / <NA>."""
    df = pd.DataFrame(
        {
            "commune_name": ["Xã A", "Xã B"],
            "index_total": [float("nan")] * 2,
            "index_rank": [None, None],
            "tier": pd.array([None, None], dtype="Int64"),
            "province_name": pd.Series([None, None], dtype="str"),
        }
    )
    columns = ["commune_name", "index_total", "index_rank", "tier", "province_name"]
    for lang in ("vi", "en"):
        ws = load_workbook(io.BytesIO(to_xlsx(df, columns, lang))).active
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert rows == [("Xã A", None, None, None, None), ("Xã B", None, None, None, None)]
    assert to_csv(df, columns, "en").decode("utf-8-sig").splitlines()[1] == '"Xã A","","","",""'
    empty = load_workbook(io.BytesIO(to_xlsx(df.iloc[:0], columns, "vi"))).active
    assert empty.max_row == 1
