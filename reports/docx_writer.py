"""A reports.model.Document as DOCX (python-docx), in the layout of Nghị định 30/2020/NĐ-CP:
A4, margins top/bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 13 pt (title 14 pt), the
page number centred at the top from the second page."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt

from reports import model as m
from reports.textwidth import width_mm

FONT = "Times New Roman"
ALIGN = {
    "L": WD_ALIGN_PARAGRAPH.LEFT,
    "C": WD_ALIGN_PARAGRAPH.CENTER,
    "R": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}
INDENT = Cm(1)
HEADER_LEFT, HEADER_RIGHT = 65.0, 100.0  # mm, adding up to the text width


def render(doc: m.Document) -> bytes:
    d = new_docx()
    _defaults(d, doc.lang)
    section = d.sections[0]
    _page(section, landscape=False)
    section.different_first_page_header_footer = True
    _page_number(section)

    _header(d, doc.header)
    _title(d, doc.title)
    for block in doc.body:
        _block(d, block, m.TEXT_W)
    _closing(d, doc.closing)
    if doc.annex:
        if doc.annex_landscape:
            new = d.add_section(WD_SECTION.NEW_PAGE)
            _page(new, landscape=True)
            new.different_first_page_header_footer = False
            width = m.TEXT_W_LANDSCAPE
        else:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            width = m.TEXT_W
        p = _para(d, doc.annex_title or "", bold=True, align="center", indent=False, size=m.BODY_PT)
        p.paragraph_format.space_after = Pt(6)
        for block in doc.annex:
            _block(d, block, width)
    d.core_properties.title = doc.meta_title
    d.core_properties.language = "vi-VN" if doc.lang == "vi" else "en-GB"
    d.core_properties.author = ""
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------ setup


def _defaults(d, lang: str) -> None:
    normal = d.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(m.BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang_el = OxmlElement("w:lang")
    lang_el.set(qn("w:val"), "vi-VN" if lang == "vi" else "en-GB")
    rpr.append(lang_el)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing = 1.15


def _page(section, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    w, h = (m.PAGE_H, m.PAGE_W) if landscape else (m.PAGE_W, m.PAGE_H)
    section.page_width, section.page_height = Mm(w), Mm(h)
    section.top_margin, section.bottom_margin = Mm(m.MARGIN_TOP), Mm(m.MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(m.MARGIN_LEFT), Mm(m.MARGIN_RIGHT)
    section.header_distance = Mm(10)


def _page_number(section) -> None:
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, m.BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _font(run, size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)
    fonts.set(qn("w:cs"), FONT)


def _para(
    container,
    text: str,
    *,
    size: float = m.BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: str = "justify",
    indent: bool = True,
    exact: float | None = None,
):
    p = container.add_paragraph()
    p.alignment = ALIGN[align]
    if indent:
        p.paragraph_format.first_line_indent = INDENT
    if exact:
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        p.paragraph_format.line_spacing = Pt(exact)
        p.paragraph_format.space_after = Pt(0)
    if text:
        _font(p.add_run(text), size, bold, italic)
    return p


# What may follow w:pBdr inside w:pPr (WordprocessingML keeps the children of pPr in a fixed order).
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _rule(container, length_mm: float, column_mm: float, space_after: float = 0):
    """A centred horizontal rule `length_mm` long: an empty paragraph with a bottom border, indented
    from both sides of its column."""
    p = container.add_paragraph()
    side = max(0.0, (column_mm - length_mm) / 2)
    pf = p.paragraph_format
    pf.left_indent, pf.right_indent = Mm(side), Mm(side)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(3)
    pf.space_before, pf.space_after = Pt(0), Pt(space_after)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    p._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)
    return p


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.insert_element_before(
        borders,
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
        "w:tblCaption",
        "w:tblDescription",
        "w:tblPrChange",
    )


def _widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(w)


def _clear(cell):
    """A new cell holds one empty paragraph: reuse it for the first line."""
    return cell.paragraphs[0]


# ------------------------------------------------------------------------------------------ frame


def _header(d, h: m.Header) -> None:
    table = d.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, [HEADER_LEFT, HEADER_RIGHT])
    left, right = table.rows[0].cells
    first = True
    for line in h.issuer:
        p = _clear(left) if first else left.add_paragraph()
        first = False
        _line(p, line, 13, bold=True)
    longest = max(width_mm(line, 13, bold=True) for line in h.issuer)
    _rule(left, min(longest, HEADER_LEFT - 4) * 0.45, HEADER_LEFT - 2, space_after=6)
    _line(left.add_paragraph(), h.number, 13)

    _line(_clear(right), h.motto_state, 12, bold=True)
    _line(right.add_paragraph(), h.motto, 13, bold=True)
    _rule(right, width_mm(h.motto, 13, bold=True), HEADER_RIGHT - 2, space_after=6)
    _line(right.add_paragraph(), h.place_date, 13, italic=True)


def _line(p, text: str, size: float, bold: bool = False, italic: bool = False) -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf = p.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(16)
    _font(p.add_run(text), size, bold, italic)


def _title(d, title: m.Title) -> None:
    p = _para(d, title.kind, size=m.TITLE_PT, bold=True, align="center", indent=False)
    p.paragraph_format.space_before = Pt(18)
    p.paragraph_format.space_after = Pt(0)
    p = _para(d, title.subject, size=m.TITLE_PT, bold=True, align="center", indent=False)
    p.paragraph_format.space_after = Pt(0)
    _rule(d, width_mm(title.subject, m.TITLE_PT, bold=True) * 0.4, m.TEXT_W, space_after=12)


def _closing(d, c: m.Closing) -> None:
    p = _para(d, c.text)
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_after = Pt(12)
    table = d.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [HEADER_LEFT + 20, HEADER_RIGHT - 20])
    left, right = table.rows[0].cells
    p = _clear(left)
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run(c.recipients_title), 12, bold=True, italic=True)
    for item in c.recipients:
        p = left.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        _font(p.add_run(item), 11)
    first = True
    for line in c.signer:
        p = _clear(right) if first else right.add_paragraph()
        first = False
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        _font(p.add_run(line), 13, bold=True)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(60)  # room for the signature and the seal
    _font(p.add_run(c.signer_note), 12, italic=True)


# ------------------------------------------------------------------------------------------ body


def _block(d, block, width: float) -> None:
    if isinstance(block, m.Heading):
        p = _para(d, block.text, bold=True, align="justify", indent=True)
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.keep_with_next = True
    elif isinstance(block, m.Paragraph):
        _para(
            d,
            block.text,
            size=block.size,
            bold=block.bold,
            italic=block.italic,
            align=block.align,
            indent=block.indent,
        )
    elif isinstance(block, m.Bullets):
        for item in block.items:
            _para(d, "- " + item)
    elif isinstance(block, m.Table):
        _table(d, block, width)
    elif isinstance(block, m.Figure):
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_after = Pt(2)
        p.add_run().add_picture(io.BytesIO(block.png), width=Mm(min(block.width, width)))
        if block.caption:
            _para(d, block.caption, size=12, italic=True, align="center", indent=False)
    else:
        raise TypeError(f"unknown block {type(block).__name__}")


def _table(d, block: m.Table, width: float) -> None:
    """A bordered table; rows are written as WordprocessingML directly (python-docx's cell API is
    quadratic in the number of rows; bench/bench_reports.py measures the reports)."""
    if block.caption:
        p = _para(d, block.caption, size=12, bold=True, align="center", indent=False)
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.space_after = Pt(3)
    table = d.add_table(rows=0, cols=len(block.header))
    table.style = d.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    scale = width / sum(block.widths) if sum(block.widths) > width else 1.0
    widths = [w * scale for w in block.widths]
    _widths(table, widths)
    twips = [int(Mm(w).twips) for w in widths]
    size = int(round(block.size * 2))
    tbl = table._tbl
    tbl.append(parse_xml(_row_xml([(text, "C", True) for text in block.header], twips, size, header=True)))
    for i, row in enumerate(block.rows):
        cells = [
            (str(text), align, i in block.bold_rows) for text, align in zip(row, block.align, strict=True)
        ]
        tbl.append(parse_xml(_row_xml(cells, twips, size)))
    after = d.add_paragraph()
    after.paragraph_format.space_after = Pt(0)
    after.paragraph_format.line_spacing = 1.0


_JC = {"L": "left", "C": "center", "R": "right"}
_RFONTS = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'


def _row_xml(
    cells: list[tuple[str, str, bool]], twips: list[int], size_half_pt: int, header: bool = False
) -> str:
    out = [f"<w:tr {nsdecls('w')}>"]
    if header:
        out.append("<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
    else:
        out.append("<w:trPr><w:cantSplit/></w:trPr>")
    for (text, align, bold), w in zip(cells, twips, strict=True):
        b = "<w:b/><w:bCs/>" if bold else ""
        out.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>'
            f'<w:jc w:val="{_JC[align]}"/></w:pPr><w:r><w:rPr>{_RFONTS}{b}'
            f'<w:sz w:val="{size_half_pt}"/><w:szCs w:val="{size_half_pt}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>'
        )
    out.append("</w:tr>")
    return "".join(out)
