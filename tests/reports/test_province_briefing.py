"""The province briefing in DOCX, PDF and XLSX: the frame, the ranking of every commune with group scores
and change in rank, tier counts, movers, the ten lowest and what drags them down, province vs national."""

from __future__ import annotations

import pytest

import reports
from core.periods import parse_period
from metrics import rankings
from metrics.i18n import fmt_number, fmt_pct
from tests.reports.conftest import ISSUED_ON, LAI_CHAU, PHU_THO
from tests.reports.helpers import docx_text, open_docx, open_xlsx, pdf_text, table_rows, xlsx_charts

OCT = parse_period("2025-10")


@pytest.fixture(scope="module")
def phu_tho(report_warehouse) -> dict[str, bytes]:
    return reports.build_province_briefings(PHU_THO, OCT, path=report_warehouse, issued_on=ISSUED_ON)


@pytest.fixture(scope="module")
def ranking(report_warehouse):
    return rankings.province_ranking(PHU_THO, OCT, path=report_warehouse)


@pytest.fixture(scope="module")
def headline(report_warehouse):
    return rankings.headline(PHU_THO, OCT, path=report_warehouse).set_index("metric")


def test_docx_frame_and_title(phu_tho):
    d = open_docx(phu_tho["docx"])
    left, right = ([p.text for p in cell.paragraphs if p.text] for cell in d.tables[0].rows[0].cells)
    assert left == ["ỦY BAN NHÂN DÂN", "TỈNH PHÚ THỌ", "Số: .../BC-UBND"]
    assert right == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Phú Thọ, ngày 05 tháng 11 năm 2025",
    ]
    assert [p.text for p in d.paragraphs if p.text][:2] == [
        "BÁO CÁO TÓM TẮT",
        "Kết quả chuyển đổi số của các xã, phường tháng 10/2025",
    ]
    assert d.sections[-1].orientation == 1  # the ranking annex is landscape


def test_docx_ranking_and_headline_equal_the_read_side(phu_tho, ranking, headline):
    d = open_docx(phu_tho["docx"])
    annex = table_rows(d.tables[-1])
    assert len(annex) == 1 + len(ranking)  # every commune of the province
    first = ranking.iloc[0]
    assert annex[1][0] == str(first["index_rank"]) and annex[1][2] == first["commune_name"]
    assert annex[1][4] == fmt_number(first["index_total"], "vi", 2)
    assert annex[1][5] == fmt_number(first["score_ckmb"], "vi", 2)
    table = next(
        t for t in d.tables if t.rows[0].cells[0].text == "Chỉ tiêu" and t.rows[0].cells[4].text == "Cả nước"
    )
    rows = {r[0]: r for r in table_rows(table)}
    assert rows["Tỷ lệ hồ sơ trực tuyến"][1] == fmt_pct(headline.loc["online_rate", "value"], "vi")
    assert rows["Tỷ lệ hồ sơ trực tuyến"][4] == fmt_pct(headline.loc["online_rate", "national"], "vi")


def test_docx_tiers_movers_and_lowest(phu_tho, ranking, report_warehouse):
    d = open_docx(phu_tho["docx"])
    text = docx_text(d)
    tiers = next(t for t in d.tables if t.rows[0].cells[0].text == "Nhóm")
    counts = {r[0]: r[1] for r in table_rows(tiers)[1:]}
    for tier in (1, 2, 3, 4):
        label = [k for k in counts if k.startswith(f"{tier}. ")][0]
        assert counts[label] == str(int((ranking["tier"] == tier).sum()))
    up, down = rankings.movers(ranking)
    for name in [*up["commune_name"], *down["commune_name"]]:
        assert name in text
    lowest = next(
        t for t in d.tables if "Nhóm kéo điểm xuống (điểm mất)" in [c.text for c in t.rows[0].cells]
    )
    ranked = ranking.dropna(subset=["index_total"]).sort_values("index_total")
    expected = ranked.head(10)["commune_name"].tolist()
    assert [r[1] for r in table_rows(lowest)[1:]] == expected
    losses = rankings.group_losses(ranking).set_index("commune_code")
    worst = losses.loc[int(ranked.iloc[0]["commune_code"])]
    assert table_rows(lowest)[1][3].startswith(
        f"{worst['worst_group']} -{fmt_number(worst['worst_group_lost'], 'vi', 2)}"
    )


def test_pdf_text_and_figures(phu_tho, ranking, headline):
    text = pdf_text(phu_tho["pdf"])
    for line in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH PHÚ THỌ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO TÓM TẮT",
        "Kết quả chuyển đổi số của các xã, phường tháng 10/2025",
        "Nơi nhận:",
    ):
        assert line in text
    first = ranking.iloc[0]
    assert f"{first['commune_name']} 1 {fmt_number(first['index_total'], 'vi', 2)}" in text
    assert f"Tỷ lệ hồ sơ trực tuyến {fmt_pct(headline.loc['online_rate', 'value'], 'vi')}" in text


def test_xlsx_sheets_values_and_charts(phu_tho, ranking):
    wb = open_xlsx(phu_tho["xlsx"])
    assert wb.sheetnames == ["Tổng quan", "Xếp hạng", "Tăng giảm hạng", "10 xã thấp nhất", "Nhóm chỉ số"]
    ws = wb["Xếp hạng"]
    assert ws.max_row == 1 + len(ranking)
    header = [c.value for c in ws[1]]
    col = header.index("Tổng điểm") + 1
    name_col = header.index("Xã/phường") + 1
    for i, (_, r) in enumerate(ranking.head(5).iterrows()):
        assert ws.cell(2 + i, name_col).value == r["commune_name"]
        assert ws.cell(2 + i, col).value == pytest.approx(r["index_total"], rel=1e-14)
    assert len(xlsx_charts(phu_tho["xlsx"])) >= 5


def test_province_without_data(report_warehouse):
    files = reports.build_province_briefings(LAI_CHAU, OCT, path=report_warehouse, issued_on=ISSUED_ON)
    assert "Kho dữ liệu chưa có số liệu của các xã, phường thuộc tỉnh Lai Châu" in docx_text(
        open_docx(files["docx"])
    )
    assert "Kho dữ liệu chưa có số liệu" in pdf_text(files["pdf"])


def test_english_briefing(report_warehouse):
    data = reports.build_province_briefing(
        PHU_THO, OCT, "docx", "en", path=report_warehouse, issued_on=ISSUED_ON
    )
    d = open_docx(data)
    assert [p.text for p in d.paragraphs if p.text][:2] == [
        "BRIEFING",
        "Digital transformation of the communes for 10/2025",
    ]
