"""Downloads cannot carry a formula or break a row (issue 13, finding 5): hostile procedure names
loaded through the ETL, read back through the read side, written by the page's own CSV and XLSX
writers, then read as Python's csv module, as LibreOffice's CSV import and as openpyxl would."""

from __future__ import annotations

import csv
import io
import re
import tomllib

import pytest
from openpyxl import load_workbook

from core.periods import month
from metrics import filings
from metrics.scope import Scope
from tests.security.conftest import HOSTILE_PROCEDURES, PHU_THO, ROOT, VAN_BAN, run_as
from ui.export import escape_cell, to_csv, to_xlsx

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")
COLUMNS = [
    "procedure_code",
    "procedure_name",
    "sector_name",
    "dossiers_received",
    "online_rate",
    "on_time_rate",
    "dossiers_overdue",
]  # the filings page's procedures table (views/filings.py)


def is_formula(cell: str) -> bool:
    """Would a spreadsheet evaluate this cell?  (leading spaces are skipped by some readers)"""
    return cell.lstrip(" \u00a0").startswith(FORMULA_START)


@pytest.fixture(scope="module")
def procedures(hostile_warehouse, monkeypatch_module):
    monkeypatch_module.setenv("CDS_WAREHOUSE", str(hostile_warehouse))
    df = filings.procedures(PHU_THO, VAN_BAN, month(2025, 10), Scope("province", PHU_THO))
    hostile = df[df["procedure_code"].isin([c for c, _ in HOSTILE_PROCEDURES])]
    assert len(hostile) == len(HOSTILE_PROCEDURES)  # every hostile name reached the read side
    return df


def stored(df) -> dict[str, str]:
    """The hostile names as the warehouse holds them (the ETL trims outer blanks)."""
    codes = {c for c, _ in HOSTILE_PROCEDURES}
    return {c: n for c, n in zip(df["procedure_code"], df["procedure_name"], strict=True) if c in codes}


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_escape_cell_escapes_every_line():
    assert escape_cell("Khai sinh\r+cmd|' /C calc'!A0") == "Khai sinh\r'+cmd|' /C calc'!A0"
    assert escape_cell("a\r\n=b\nc\r-d") == "a\r\n'=b\nc\r'-d"
    assert escape_cell("x\u2028@y") == "x\u2028'@y"
    assert escape_cell("  =1") == "'  =1" and escape_cell("\t=1") == "'\t'=1"
    assert escape_cell("a;=b") == "a;'=b" and escape_cell("a, -b") == "a,' -b"  # Excel in vi splits at ;
    assert escape_cell("Xã Vân Bán") == "Xã Vân Bán" and escape_cell("a-b=c") == "a-b=c"
    assert escape_cell(-3) == -3 and escape_cell(None) is None


def test_csv_download_read_by_python_csv(procedures):
    data = to_csv(procedures, COLUMNS, "vi")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # A CR or LF left unquoted would start a new row: exactly one row per procedure plus the header.
    assert len(rows) == len(procedures) + 1
    names = {r[0]: r[1] for r in rows[1:]}
    for code, name in stored(procedures).items():
        assert names[code] == escape_cell(name)  # the whole name, in one cell, escaped
    for row in rows:
        for cell in row:
            assert not any(is_formula(line) for line in LINE_BREAKS.split(cell)), cell


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_download_read_line_by_line_like_libreoffice(procedures, delimiter):
    """LibreOffice's import (and any reader that splits rows at CR or LF before quotes, with any of
    the delimiters it may guess): no cell of any physical line starts a formula."""
    text = to_csv(procedures, COLUMNS, "en").decode("utf-8-sig")
    for line in LINE_BREAKS.split(text):
        assert not is_formula(line.lstrip('"')), repr(line)
        for cell in next(csv.reader([line], delimiter=delimiter, strict=False), []):
            assert not is_formula(cell), (delimiter, repr(line))


def test_csv_quotes_every_text_cell_and_ends_rows_with_crlf(procedures):
    text = to_csv(procedures, COLUMNS, "vi").decode("utf-8-sig")
    assert text.endswith("\r\n")
    header = text.split("\r\n", 1)[0]
    assert header.startswith('"') and header.count('"') == 2 * len(COLUMNS)
    for code, name in stored(procedures).items():
        quoted = '"' + escape_cell(name).replace('"', '""') + '"'
        assert f'"{code}",{quoted},' in text, name


def test_xlsx_download_has_strings_never_formulas(procedures):
    wb = load_workbook(io.BytesIO(to_xlsx(procedures, COLUMNS, "vi")))
    ws = wb.active
    by_code = {}
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith("="), cell.coordinate
        by_code[row[0].value] = row[1].value
    for code, name in stored(procedures).items():
        # xlsxwriter stores a CR as the escape _x000D_ (Excel shows the line break; openpyxl keeps it)
        assert by_code[code].replace("_x000D_", "\r") == escape_cell(name)


def test_tables_built_in_export_is_off():
    """Streamlit's own table toolbar exports cells unescaped: it is switched off; the escaped
    downloads under each table remain."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_filings_page_shows_hostile_names_as_text(hostile_warehouse, monkeypatch):
    """The page renders with them: table cells hold the names as data; the chart's labels and hovers
    hold them with < > & as entities (plotly would read <a href> as a link)."""
    monkeypatch.setenv("CDS_WAREHOUSE", str(hostile_warehouse))
    monkeypatch.delenv("DASHBOARD_USERS_FILE", raising=False)
    at = run_as(None, "filings", province=PHU_THO, commune=VAN_BAN, period="2025-10")
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert specs and any("9.000006" in s for s in specs)
    for spec in specs:
        assert "<a href" not in spec and 'evil.example/login\\">' not in spec
    assert any("&lt;a href=" in s for s in specs)
    assert len(at.get("download_button")) >= 2
