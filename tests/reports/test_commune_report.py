"""The commune report in DOCX, PDF and XLSX: the Nghị định 30 frame, the title with the period, figures
equal to the dashboard's read-side functions, Vietnamese text surviving the PDF, the no-data case."""

from __future__ import annotations

import re
import unicodedata

import pytest
from docx.shared import Pt

import reports
from core.periods import parse_period
from metrics import commune
from metrics.i18n import fmt_number, fmt_pct
from metrics.scope import Scope
from tests.reports.conftest import ISSUED_ON, PHU_THO, VAN_BAN
from tests.reports.helpers import (
    docx_text,
    find_row,
    open_docx,
    open_xlsx,
    pdf_text,
    squash,
    table_rows,
    xlsx_charts,
)

OCT = parse_period("2025-10")
HEADER_VI = [
    "ỦY BAN NHÂN DÂN",
    "XÃ VÂN BÁN",
    "Số: .../BC-UBND",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Vân Bán, ngày 05 tháng 11 năm 2025",
]
TITLE_VI = ["BÁO CÁO", "Kết quả chuyển đổi số tháng 10/2025"]


@pytest.fixture(scope="module")
def van_ban(report_warehouse) -> dict[str, bytes]:
    return reports.build_commune_reports(
        VAN_BAN, "2025-10", lang="vi", path=report_warehouse, issued_on=ISSUED_ON
    )


@pytest.fixture(scope="module")
def figures(report_warehouse):
    """The commune profile's figures (the dashboard's function), indexed by metric."""
    return commune.commune_figures(VAN_BAN, OCT, path=report_warehouse).set_index("metric")


def test_three_formats_are_built(van_ban):
    assert van_ban["docx"][:2] == b"PK" and van_ban["xlsx"][:2] == b"PK"
    assert van_ban["pdf"][:5] == b"%PDF-"


# ------------------------------------------------------------------------------------------ DOCX


def test_docx_header_blocks_and_title(van_ban):
    d = open_docx(van_ban["docx"])
    header = d.tables[0]
    left, right = ([p.text for p in cell.paragraphs if p.text] for cell in header.rows[0].cells)
    assert left == HEADER_VI[:3]
    assert right == HEADER_VI[3:]
    body = [p.text for p in d.paragraphs if p.text]
    assert body[:2] == TITLE_VI
    title = next(p for p in d.paragraphs if p.text == TITLE_VI[1])
    assert all(run.bold and run.font.size == Pt(14) for run in title.runs)
    closing = next(table_rows(t)[0] for t in d.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    assert closing[0].startswith("Nơi nhận:\n- UBND tỉnh Phú Thọ")
    assert closing[1].startswith("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")


def test_docx_page_and_font_follow_decree_30(van_ban):
    d = open_docx(van_ban["docx"])
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
    assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    normal = d.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)
    fonts = {run.font.name for p in d.paragraphs for run in p.runs if run.text}
    assert fonts <= {"Times New Roman", None}
    assert s.different_first_page_header_footer  # page numbers from the second page


def test_docx_figures_equal_the_read_side(van_ban, figures):
    d = open_docx(van_ban["docx"])
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "Chỉ tiêu")
    rows = {r[0]: r for r in table_rows(table)}
    online, signature, index = (
        figures.loc["online_rate"],
        figures.loc["signature_rate"],
        figures.loc["index_total"],
    )
    assert rows["Tỷ lệ hồ sơ trực tuyến"][1] == fmt_pct(online["value"], "vi")
    assert rows["Tỷ lệ hồ sơ trực tuyến"][5] == fmt_pct(online["province_median"], "vi")
    assert rows["Tỷ lệ văn bản ký số"][1] == fmt_pct(signature["value"], "vi")
    assert rows["Chỉ số phục vụ (điểm)"][1] == fmt_number(index["value"], "vi", 2)
    assert rows["Chỉ số phục vụ (điểm)"][4] == f"{int(index['rank'])}/{int(index['communes_ranked'])}"
    assert table.rows[0].cells[1].text == "10/2025" and table.rows[0].cells[2].text == "09/2025"


def test_docx_sections_written_from_the_data(van_ban, report_warehouse):
    text = docx_text(open_docx(van_ban["docx"]))
    for heading in (
        "I. KẾT QUẢ THỰC HIỆN",
        "II. TỒN TẠI, HẠN CHẾ",
        "III. NHIỆM VỤ, GIẢI PHÁP THỜI GIAN TỚI",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ):
        assert heading in text
    from metrics.report_data import commune_report_data
    from reports import content

    data = commune_report_data(VAN_BAN, OCT, path=report_warehouse)
    tasks = content.index_tasks(data, "vi")
    assert tasks and all(sentence in text for sentence in tasks)
    for formula in content.estimate_lines(data, "vi"):  # the formulas, in the appendix
        assert formula in text
    assert "Phong trào “Bình dân học vụ số”" in text  # digital-skills data exists in the demo


# ------------------------------------------------------------------------------------------ PDF


def test_pdf_vietnamese_text_comes_back_exactly(van_ban):
    text = pdf_text(van_ban["pdf"])
    for line in [
        *HEADER_VI,
        *TITLE_VI,
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "II. TỒN TẠI, HẠN CHẾ",
        "Ủy ban nhân dân xã Vân Bán báo cáo kết quả thực hiện chuyển đổi số tháng 10/2025",
    ]:
        assert squash(line) in text, line
    assert text == unicodedata.normalize("NFC", text)
    assert "\ufffd" not in text


def test_pdf_figures_equal_the_read_side(van_ban, figures):
    text = pdf_text(van_ban["pdf"])
    online, signature, index = (
        figures.loc["online_rate"],
        figures.loc["signature_rate"],
        figures.loc["index_total"],
    )
    assert re.search(r"Tỷ lệ hồ sơ trực tuyến " + re.escape(fmt_pct(online["value"], "vi")), text)
    assert re.search(r"Tỷ lệ văn bản ký số " + re.escape(fmt_pct(signature["value"], "vi")), text)
    assert re.search(r"Chỉ số phục vụ \(điểm\) " + re.escape(fmt_number(index["value"], "vi", 2)), text)


def test_pdf_embeds_a_unicode_font(van_ban):
    import io

    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(van_ban["pdf"])).pages[0]
    fonts = page["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor


# ------------------------------------------------------------------------------------------ XLSX


def test_xlsx_figures_monthly_tables_and_native_charts(van_ban, figures, report_warehouse):
    wb = open_xlsx(van_ban["xlsx"])
    assert wb.sheetnames[:3] == ["Tổng hợp", "Theo tháng", "Chỉ số 766"]
    ws = wb["Tổng hợp"]
    assert ws["A1"].value == "BÁO CÁO Kết quả chuyển đổi số tháng 10/2025"
    assert ws["B2"].value == "Xã Vân Bán" and ws["B3"].value == "Phú Thọ"
    for label, metric in (
        ("Tỷ lệ hồ sơ trực tuyến", "online_rate"),
        ("Tỷ lệ văn bản ký số", "signature_rate"),
        ("Chỉ số phục vụ (điểm)", "index_total"),
    ):
        row = find_row(ws, label)
        # Excel keeps 15-16 significant digits (xlsxwriter writes %.16G): equal to the last one.
        assert ws.cell(row, 2).value == pytest.approx(figures.loc[metric, "value"], rel=1e-14)
        assert ws.cell(row, 7).value == pytest.approx(figures.loc[metric, "province_median"], rel=1e-14)
    assert ws.cell(find_row(ws, "Tỷ lệ hồ sơ trực tuyến"), 2).number_format == "0.0%"

    from metrics import periodic

    months = [parse_period(k) for k in ("2025-08", "2025-09", "2025-10")]
    counts = periodic.commune_counts(months, PHU_THO, VAN_BAN, path=report_warehouse)
    monthly = wb["Theo tháng"]
    received = [monthly.cell(r, 2).value for r in range(2, 2 + len(months))]
    assert received == counts["dossiers_received"].tolist()
    assert len(xlsx_charts(van_ban["xlsx"])) >= 4  # three monthly lines, group scores, rank


# ------------------------------------------------------------------------------------------ variants


def test_english_version(report_warehouse, figures):
    files = reports.build_commune_reports(
        VAN_BAN, "2025-10", ["docx", "pdf"], lang="en", path=report_warehouse, issued_on=ISSUED_ON
    )
    d = open_docx(files["docx"])
    left, right = ([p.text for p in cell.paragraphs if p.text] for cell in d.tables[0].rows[0].cells)
    assert left == ["PEOPLE'S COMMITTEE", "VÂN BÁN COMMUNE", "No.: .../BC-UBND"]
    assert right == [
        "SOCIALIST REPUBLIC OF VIET NAM",
        "Independence - Freedom - Happiness",
        "Vân Bán, 5 November 2025",
    ]
    assert [p.text for p in d.paragraphs if p.text][:2] == [
        "REPORT",
        "Digital transformation results for 10/2025",
    ]
    text = pdf_text(files["pdf"])
    assert "Online filing rate " + fmt_pct(figures.loc["online_rate", "value"], "en") in text


def test_quarter_report(report_warehouse):
    q3 = parse_period("2025-Q3")
    files = reports.build_commune_reports(
        VAN_BAN, q3, ["docx", "xlsx"], path=report_warehouse, issued_on=ISSUED_ON
    )
    d = open_docx(files["docx"])
    assert [p.text for p in d.paragraphs if p.text][1] == "Kết quả chuyển đổi số quý 3/2025"
    expected = commune.commune_figures(VAN_BAN, q3, path=report_warehouse).set_index("metric")
    ws = open_xlsx(files["xlsx"])["Tổng hợp"]
    assert ws.cell(find_row(ws, "Tỷ lệ hồ sơ trực tuyến"), 2).value == pytest.approx(
        expected.loc["online_rate", "value"], rel=1e-14
    )


@pytest.mark.parametrize("case", ["commune_without_data", "period_without_data"])
def test_no_data_report_says_so(case, report_warehouse, empty_commune):
    code, period = (empty_commune, "2025-10") if case == "commune_without_data" else (VAN_BAN, "2025-03")
    files = reports.build_commune_reports(code, period, path=report_warehouse, issued_on=ISSUED_ON)
    d = open_docx(files["docx"])
    text = docx_text(d)
    assert "Kho dữ liệu chưa có số liệu của" in text
    assert "Bảng 1." not in text and "0,0%" not in text
    assert len(d.tables) == 2  # the header and the signature block only
    assert "Kho dữ liệu chưa có số liệu của" in pdf_text(files["pdf"])
    ws = open_xlsx(files["xlsx"])["Tổng hợp"]
    assert any(
        str(c.value or "").startswith("Kho dữ liệu chưa có số liệu của")
        for row in ws.iter_rows()
        for c in row
    )


def test_unknown_or_out_of_scope_commune(report_warehouse):
    with pytest.raises(reports.ReportError):
        reports.build_commune_report(1, "2025-10", "docx", path=report_warehouse)
    with pytest.raises(reports.ReportError):
        reports.build_commune_report(
            VAN_BAN, "2025-10", "xlsx", scope=Scope("province", 1), path=report_warehouse
        )
    data = reports.build_commune_report(
        VAN_BAN, "2025-10", "xlsx", scope=Scope("commune", PHU_THO, VAN_BAN), path=report_warehouse
    )
    assert open_xlsx(data)["Tổng hợp"]["B2"].value == "Xã Vân Bán"


def test_bad_requests_name_the_problem(report_warehouse):
    with pytest.raises(reports.ReportError, match="2025-13"):
        reports.build_commune_report(VAN_BAN, "2025-13", "docx", path=report_warehouse)
    with pytest.raises(reports.ReportError, match="odt"):
        reports.build_commune_report(VAN_BAN, "2025-10", "odt", path=report_warehouse)


def test_file_names():
    assert reports.file_name("commune", VAN_BAN, "2025-10", "docx") == "bao-cao-cds-xa-van-ban-2025-10.docx"
    assert (
        reports.file_name("commune", VAN_BAN, "2025-Q4", "pdf", "en")
        == "bao-cao-cds-xa-van-ban-2025-Q4-en.pdf"
    )
    assert (
        reports.file_name("province", PHU_THO, "2025-10", "xlsx")
        == "bao-cao-tom-tat-cds-tinh-phu-tho-2025-10.xlsx"
    )
    assert reports.file_name("province", 1, "2025", "pdf") == "bao-cao-tom-tat-cds-thanh-pho-ha-noi-2025.pdf"
    # Xã Cẩm Giang and Xã Cẩm Giàng share a slug in one province: the code tells them apart.
    assert (
        reports.file_name("commune", 10888, "2025-10", "docx")
        == "bao-cao-cds-xa-cam-giang-10888-2025-10.docx"
    )
    assert reports.slug("Phường Văn Miếu - Quốc Tử Giám") == "phuong-van-mieu-quoc-tu-giam"
