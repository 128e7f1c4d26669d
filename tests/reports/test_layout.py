"""How the reports look when a secretary hands them in (issue 16): a Times-metric serif embedded in the
PDF and used by the charts, no font warnings, month labels that never run together, the date line left
for the signer, section III written as tasks, the appendix's reference line, page counts, the province
briefing's landscape appendix with its header on every page, and the DOCX and the PDF saying the same."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

import reports
from tests.reports.conftest import PHU_THO, VAN_BAN
from tests.reports.helpers import docx_text, open_docx, pdf_text, squash

OCT = "2025-10"
TIMES_METRIC = ("LiberationSerif", "Tinos")


@pytest.fixture(scope="module")
def van_ban(report_warehouse) -> dict[str, bytes]:
    """The commune report as the dashboard's button builds it: no date chosen."""
    return reports.build_commune_reports(VAN_BAN, OCT, path=report_warehouse)


def pdf_fonts(data: bytes) -> set[str]:
    """The base names of every font the PDF's pages use, with their embedding checked."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return names


# ------------------------------------------------------------------------------------------ fonts


def test_pdf_embeds_a_times_metric_serif(van_ban):
    names = pdf_fonts(van_ban["pdf"])
    assert names and all(name.startswith(TIMES_METRIC) for name in names), names


def test_charts_use_the_same_serif_and_never_warn(capfd, caplog):
    from matplotlib import font_manager
    from matplotlib.font_manager import FontProperties

    from reports import figures
    from reports.fonts import matplotlib_family, serif

    months = pd.date_range("2024-11-01", periods=12, freq="MS")
    monthly = pd.DataFrame(
        {
            "month": months,
            "online_rate": 0.5,
            "on_time_rate": 0.9,
            "signature_rate": 0.95,
        }
    )
    with caplog.at_level(logging.DEBUG, logger="matplotlib.font_manager"):
        png = figures.commune_trends(monthly, "vi", "Xã Vân Bán")
    assert png[:4] == b"\x89PNG"
    assert "findfont" not in capfd.readouterr().err
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "findfont" in r.getMessage()]
    chosen = font_manager.findfont(FontProperties(family=matplotlib_family()), fallback_to_default=False)
    assert chosen == serif().files[""]


def test_a_font_without_vietnamese_letters_is_never_picked(tmp_path):
    """Debian's fonts-liberation 1.x is also called Liberation Serif but lacks Ủ, ọ, ư ...: skipped."""
    from fontTools import subset

    from reports import fonts

    old, tinos = tmp_path / "old", tmp_path / "tinos"
    old.mkdir()
    tinos.mkdir()
    for style, suffix in fonts.STYLES.items():
        options = subset.Options()
        font = subset.load_font(fonts.serif().files[style], options)
        sub = subset.Subsetter(options)
        sub.populate(text="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        sub.subset(font)
        subset.save_font(font, str(old / f"LiberationSerif-{suffix}.ttf"), options)
        (tinos / f"Tinos-{suffix}.ttf").write_bytes(Path(fonts.serif().files[style]).read_bytes())
    assert not fonts.covers_vietnamese(old / "LiberationSerif-Regular.ttf")
    picked = fonts.pick(dirs=(old, tinos))
    assert picked.family == "Tinos" and picked.files[""].startswith(str(tinos))
    with pytest.raises(fonts.FontMissing, match="fonts-liberation2"):
        fonts.pick(dirs=(old,))


def test_month_labels_of_adjacent_panels_never_touch():
    """Twelve months in each of three panels side by side: no two tick labels overlap ("10/2507/25")."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from reports import figures

    for n in (1, 3, 7, 12):
        monthly = pd.DataFrame(
            {
                "month": pd.date_range("2024-11-01", periods=n, freq="MS"),
                "online_rate": 0.5,
                "on_time_rate": 0.9,
                "signature_rate": 0.95,
            }
        )
        with matplotlib.rc_context(figures._rc()):
            fig = figures.trends_figure(monthly, "vi", "Xã Vân Bán")
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            renderer = canvas.get_renderer()
            boxes = [
                label.get_window_extent(renderer)
                for ax in fig.axes
                for label in ax.get_xticklabels()
                if label.get_text()
            ]
        assert boxes
        texts = [lb.get_text() for ax in fig.axes for lb in ax.get_xticklabels() if lb.get_text()]
        assert texts[-1] == monthly["month"].iloc[-1].strftime("%m/%y")  # the report's month is labelled
        boxes.sort(key=lambda b: b.x0)
        for left, right in zip(boxes, boxes[1:], strict=False):
            assert left.x1 + 2 <= right.x0, (n, left, right)


# ------------------------------------------------------------------------------------------ date line


def test_date_line_is_left_for_the_signer_by_default(van_ban):
    blank = "Vân Bán, ngày … tháng … năm …"
    today = date.today()
    assert blank in docx_text(open_docx(van_ban["docx"]))
    text = pdf_text(van_ban["pdf"])
    assert blank in text
    for shown in (f"ngày {today.day:02d} tháng", today.strftime("%d/%m/%Y")):
        assert shown not in text


def test_date_line_takes_the_date_the_secretary_chooses(report_warehouse, tmp_path):
    from reports.__main__ import main

    files = reports.build_commune_reports(
        VAN_BAN, OCT, ["docx", "pdf"], path=report_warehouse, issued_on=date(2025, 11, 3)
    )
    assert "Vân Bán, ngày 03 tháng 11 năm 2025" in docx_text(open_docx(files["docx"]))
    assert "Vân Bán, ngày 03 tháng 11 năm 2025" in pdf_text(files["pdf"])
    code = main(
        [
            "province",
            str(PHU_THO),
            "--period",
            OCT,
            "--format",
            "pdf",
            "--date",
            "2025-11-04",
            "--db",
            str(report_warehouse),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    (pdf,) = tmp_path.glob("*.pdf")
    assert "Phú Thọ, ngày 04 tháng 11 năm 2025" in pdf_text(pdf.read_bytes())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


# ------------------------------------------------------------------------------------------ section III


@pytest.fixture(scope="module")
def van_ban_data(report_warehouse):
    from core.periods import parse_period
    from metrics.report_data import commune_report_data

    return commune_report_data(VAN_BAN, parse_period(OCT), path=report_warehouse)


def _section(paragraphs: list[str], start: str, end: str) -> list[str]:
    i = next(k for k, p in enumerate(paragraphs) if p.startswith(start))
    j = next(k for k, p in enumerate(paragraphs) if k > i and p.startswith(end))
    return paragraphs[i + 1 : j]


def test_section_three_is_tasks_naming_no_other_commune(van_ban, van_ban_data):
    from core.reference import commune_frame
    from reports import content

    paragraphs = [p.text for p in open_docx(van_ban["docx"]).paragraphs if p.text]
    tasks = _section(paragraphs, "III. NHIỆM VỤ", "IV. ĐỀ XUẤT")
    text = "\n".join(tasks)
    assert "III. NHIỆM VỤ" not in text and tasks
    ref = commune_frame()
    others = ref[(ref["province_code"] == PHU_THO) & (ref["commune_code"] != VAN_BAN)]["name"]
    named = [name for name in others if name in text]
    assert not named, named
    assert "vượt" not in text  # "Cần thêm 0,44 điểm để vượt Xã ..." is gone
    assert "Mỗi hồ sơ" not in text and "(= " not in text  # formulas are in the appendix
    for task in tasks:
        if re.search(r"\d điểm", task) and "đang mất" not in task:
            assert "ước tính" in task, task
    annex = "\n".join(paragraphs[next(k for k, p in enumerate(paragraphs) if p.startswith("PHỤ LỤC")) :])
    assert "Cách ước tính điểm Bộ chỉ số phục vụ (mục III)" in annex
    formulas = content.estimate_lines(van_ban_data, "vi")
    assert formulas and all(formula in annex for formula in formulas)


def test_appendix_names_the_report_it_is_attached_to(van_ban, report_warehouse):
    line = "(Kèm theo Báo cáo số …/BC-UBND ngày … của UBND xã Vân Bán)"
    assert line in docx_text(open_docx(van_ban["docx"]))
    assert line in pdf_text(van_ban["pdf"])
    dated = reports.build_commune_report(
        VAN_BAN, OCT, "docx", path=report_warehouse, issued_on=date(2025, 11, 5)
    )
    assert "(Kèm theo Báo cáo số …/BC-UBND ngày 05/11/2025 của UBND xã Vân Bán)" in docx_text(
        open_docx(dated)
    )


def _figures_with(data, metric: str, value: float, median: float):
    figures = data.figures.copy()
    row = figures["metric"] == metric
    figures.loc[row, "value"] = value
    figures.loc[row, "province_median"] = median
    figures.loc[row, "target"] = None
    return dataclasses.replace(data, figures=figures)


def test_small_differences_are_not_shortfalls(van_ban_data):
    from reports import content

    def listed(metric, value, median, words):
        items = content.commune_shortfalls(_figures_with(van_ban_data, metric, value, median), "vi")
        return any(words in item for item in items)

    assert not listed("avg_processing_days", 3.3, 3.2, "Thời gian xử lý")
    assert listed("avg_processing_days", 4.1, 3.2, "Thời gian xử lý")
    assert not listed("paid_online_rate", 0.745, 0.76, "thanh toán trực tuyến")
    assert listed("paid_online_rate", 0.60, 0.76, "thanh toán trực tuyến")


def test_zero_clauses_are_left_out(van_ban_data):
    from reports import content

    def signature_text(confidential, post):
        counts = {**van_ban_data.counts, "docs_confidential": confidential, "dossiers_post": post}
        doc = content.commune_document(dataclasses.replace(van_ban_data, counts=counts), {}, "vi", None)
        return "\n".join(b.text for b in doc.body if hasattr(b, "text") and hasattr(b, "italic"))

    none = signature_text(0, 0)
    assert "trong đó 0 văn bản mật" not in none and "0 hồ sơ qua dịch vụ bưu chính" not in none
    some = signature_text(3, 2)
    assert "trong đó 3 văn bản mật" in some and "2 hồ sơ qua dịch vụ bưu chính công ích" in some


# ------------------------------------------------------------------------------------------ pages


def text_bottoms(data: bytes) -> list[tuple[float, float, float]]:
    """Per page: (page height, the lowest and the highest baseline of its text, from the page's top)."""
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        height = float(page.mediabox.height)
        ys: list[float] = []

        def visit(text, cm, tm, _font, _size, ys=ys):
            if text.strip():
                ys.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])  # y of the text matrix times cm

        page.extract_text(visitor_text=visit)
        tops = [height - y for y in ys if 0 < y < height]
        out.append((height, max(tops), min(tops)))
    return out


def page_texts(data: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def ranked_communes(db: Path) -> list[int]:
    """Phú Thọ's communes of the test warehouse with a published rank for 10/2025, best first."""
    from tests.conftest import sql

    return [
        int(r[0])
        for r in sql(
            db,
            "select commune_code from mart_index_period where period_type = 'month' and period = '2025-10' "
            f"and province_code = {PHU_THO} and index_rank is not null order by index_rank, commune_code",
        )
    ]


def test_no_commune_pdf_page_is_nearly_empty_nor_the_signature_alone(report_warehouse):
    """For several communes (the best, the middle, the lowest-ranked, whose section III is the longest, and Vân
    Bán): every page but the appendix's last is at least a quarter filled, and the page with the signature
    holds body text above the closing sentence (issue 16: a 5th page with only the closing and signature)."""
    from reports.labels import t as report_t

    ranked = ranked_communes(report_warehouse)
    assert len(ranked) >= 5
    closing = report_t("closing_commune", "vi").split("{")[0].strip()
    recipients = report_t("recipients", "vi")
    for commune in dict.fromkeys([ranked[0], ranked[len(ranked) // 2], ranked[-2], ranked[-1], VAN_BAN]):
        pdf = reports.build_commune_reports(commune, OCT, ["pdf"], path=report_warehouse)["pdf"]
        pages, texts = text_bottoms(pdf), page_texts(pdf)
        for k, (height, lowest, highest) in enumerate(pages[:-1]):
            assert lowest - highest > 0.25 * height, (commune, k + 1, (lowest - highest) / height)
        signed = [k for k, text in enumerate(texts) if recipients in text]
        assert len(signed) == 1, commune
        text = texts[signed[0]]
        # the closing sentence is not the first thing on its page: some of the body went over with it
        body = text[: text.index(closing)]
        assert len(body.split()) > 20, (commune, signed[0] + 1, body)


def test_monthly_commune_pdf_fits_four_full_pages(van_ban):
    pages = text_bottoms(van_ban["pdf"])
    assert len(pages) <= 4, len(pages)
    height, lowest, _ = pages[0]
    assert lowest > 0.75 * height  # page 1 is not a quarter empty
    height, lowest, _ = pages[-1]
    assert lowest > 0.33 * height  # the last page is not nearly empty


def test_briefing_appendix_is_landscape_with_its_header_on_every_page(report_warehouse):
    files = reports.build_province_briefings(PHU_THO, OCT, ["docx", "pdf"], path=report_warehouse)
    reader = PdfReader(io.BytesIO(files["pdf"]))
    texts = [page.extract_text() for page in reader.pages]
    start = next(k for k, text in enumerate(texts) if "PHỤ LỤC" in text)
    for page, text in zip(reader.pages[start:], texts[start:], strict=True):
        assert page.mediabox.width > page.mediabox.height
        for column in ("Hạng", "Xã/phường", "MDSH (22)", "MDHL (18)", "Trực tuyến", "Đúng hạn", "Ký số"):
            assert column in text, (column, text[:200])
    for text in (docx_text(open_docx(files["docx"])), pdf_text(files["pdf"])):
        assert "133 xã và 15 phường" in text
        assert "đặc khu" not in text


def test_a_long_appendix_repeats_its_header_on_every_landscape_page():
    """148 communes: every page of the appendix landscape, headed by the table's header, no column cut."""
    from reports import model as m
    from reports import pdf_writer

    header = ["Hạng", "Xã/phường", *[f"Cột {k}" for k in range(12)], "Ký số"]
    rows = [[str(k), f"Xã Số {k}", *[f"{k},{c:02d}" for c in range(12)], "100,0%"] for k in range(1, 149)]
    table = m.Table(header, rows, [12, 44, *[15] * 12, 16], ["C", "L", *["R"] * 12, "R"], size=9)
    doc = m.Document(
        header=m.Header(
            ["ỦY BAN NHÂN DÂN", "TỈNH PHÚ THỌ"], "Số: …", "CỘNG HÒA", "Độc lập", "Phú Thọ, ngày …"
        ),
        title=m.Title("BÁO CÁO", "Thử"),
        body=[m.Paragraph("Nội dung.")],
        closing=m.Closing("Trên đây./.", "Nơi nhận:", ["- Lưu: VT."], ["CHỦ TỊCH"], "(Ký)"),
        annex_title="PHỤ LỤC",
        annex=[table],
        annex_landscape=True,
    )
    reader = PdfReader(io.BytesIO(pdf_writer.render(doc)))
    annex = reader.pages[1:]
    assert len(annex) >= 3
    seen = []
    for page in annex:
        text = page.extract_text()
        assert page.mediabox.width > page.mediabox.height
        assert "Ký số" in text and "Cột 11" in text
        seen += re.findall(r"Xã Số (\d+) ", text)
        assert text.count("100,0%") == len(re.findall(r"Xã Số \d+ ", text))  # the last column, every row
    assert sorted(map(int, seen)) == list(range(1, 149))


def test_units_named_are_those_the_province_has():
    from core.periods import parse_period
    from core.reference import commune_frame
    from reports import content

    per = parse_period(OCT)
    assert content.province_context(PHU_THO, per, "vi")["units"] == "133 xã và 15 phường"
    assert content.province_context(PHU_THO, per, "vi")["kinds"] == "xã, phường"
    ref = commune_frame()
    zone = int(ref[ref["division_type"] == "đặc khu"]["province_code"].iloc[0])
    counts = ref[ref["province_code"] == zone]["division_type"].value_counts()
    ctx = content.province_context(zone, per, "vi")
    assert ctx["kinds"].endswith("đặc khu") and f"{counts['đặc khu']} đặc khu" in ctx["units"]


# ------------------------------------------------------------------------------------------ DOCX = PDF


def _pdf_body(data: bytes) -> str:
    """The PDF's text without the page numbers printed at the top of pages 2 onwards."""
    pages = []
    for k, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        text = page.extract_text()
        if k:
            first, _, text = text.partition("\n")
            assert first.strip() == str(k + 1), first
        pages.append(text)
    return "\n".join(pages)


@pytest.mark.parametrize("kind", ["commune", "province"])
def test_docx_and_pdf_say_the_same(kind, report_warehouse):
    """Both writers draw one content model: the same words and figures, as often, in both files.  The
    PDF repeats a table's header on each page a table spans; those copies are the only surplus."""
    build = reports.build_commune_reports if kind == "commune" else reports.build_province_briefings
    code = VAN_BAN if kind == "commune" else PHU_THO
    files = build(code, OCT, ["docx", "pdf"], path=report_warehouse)
    document = open_docx(files["docx"])
    words_docx = Counter(_words(docx_text(document)))
    words_pdf = Counter(_words(_pdf_body(files["pdf"])))
    assert words_docx - words_pdf == Counter()
    surplus = words_pdf - words_docx
    headers = [Counter(_words(" ".join(c.text for c in table.rows[0].cells))) for table in document.tables]
    for header in headers:
        while header and all(surplus[w] >= n for w, n in header.items()):
            surplus -= header
    assert surplus == Counter(), surplus
    numbers = [w for w in words_docx if w.isdigit()]
    assert len(numbers) > 20  # the figures are compared too, not only the words
