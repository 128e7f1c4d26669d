"""What a secretary hands in carries no Python missing-value text and writes counts as integers:
the commune report and the province briefing, in DOCX, PDF and XLSX, in both languages."""

from __future__ import annotations

import re

import pytest

import reports
from core.catalogue import decimals
from tests.reports.conftest import ISSUED_ON, PHU_THO, VAN_BAN
from tests.reports.helpers import docx_text, open_docx, open_xlsx, pdf_text

MISSING = re.compile(r"(?<![\w<])(None|nan|NaN|NaT|<NA>)(?![\w>])")
COUNT_ROWS = {
    "vi": ["Buổi tập huấn mỗi tháng", "Lượt tham dự mỗi tháng"],
    "en": ["Training sessions per month", "Attendances per month"],
}
DECIMAL = re.compile(r"\d,\d|\d\.\d")


@pytest.fixture(scope="module", params=["vi", "en"])
def outputs(request, report_warehouse):
    lang = request.param
    commune = reports.build_commune_reports(
        VAN_BAN, "2025-10", lang=lang, path=report_warehouse, issued_on=ISSUED_ON
    )
    briefing = reports.build_province_briefings(
        PHU_THO, "2025-10", lang=lang, path=report_warehouse, issued_on=ISSUED_ON
    )
    return lang, [commune, briefing]


def xlsx_text(data: bytes) -> list[str]:
    return [
        str(c.value)
        for ws in open_xlsx(data).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]


def test_no_missing_value_text_in_any_format(outputs):
    lang, files = outputs
    for built in files:
        assert not MISSING.search(docx_text(open_docx(built["docx"]))), lang
        assert not MISSING.search(pdf_text(built["pdf"])), lang
        bad = [v for v in xlsx_text(built["xlsx"]) if MISSING.search(v)]
        assert not bad, (lang, bad[:5])


def test_monthly_counts_are_integers(outputs):
    """A month's sessions and attendances per month are counts: '191 / 391 / -200', never '191,0'."""
    lang, files = outputs
    for built in files:
        rows = [[c.text for c in r.cells] for tb in open_docx(built["docx"]).tables for r in tb.rows]
        found = [r for r in rows if r and r[0] in COUNT_ROWS[lang]]
        assert len(found) == 2, (lang, [r[0] for r in rows])
        for r in found:
            figures = [c for c in r[1:] if c not in ("–", "") and "/" not in c]
            assert figures and not any(DECIMAL.search(c) for c in figures), (lang, r)
    cells = []
    for ws in open_xlsx(files[0]["xlsx"]).worksheets:
        for row in ws.iter_rows():
            if row[0].value in COUNT_ROWS[lang]:
                cells += [c for c in row[1:4] if isinstance(c.value, (int, float))]
    assert len(cells) == 6, lang  # value, previous, change of both rows
    assert all(c.value == int(c.value) and ".0" not in c.number_format for c in cells), [
        (c.value, c.number_format) for c in cells
    ]


def test_decimals_rule():
    assert decimals("sessions_per_month", 3.0, 4.0) == 0  # one month: counts
    assert decimals("sessions_per_month", 2.3333) == 1  # a quarter's average keeps its decimal
    assert decimals("team_members_per_1000", 7.0) == 1  # a ratio, not a count
    assert decimals("index_total", 80.0) == 2 and decimals("dossiers_received", 5) == 0
