"""A reports.model.Document as PDF (fpdf2), laid out like the DOCX.

The text font is a Times-metric serif (reports/fonts.py: Liberation Serif 2, else Tinos), embedded as a
subset with its Unicode map, so Vietnamese text extracts exactly as written and lines break where the
Word file's Times New Roman breaks them.
"""

from __future__ import annotations

import io

from fpdf import FPDF

from reports import model as m
from reports.fonts import serif

FAMILY = "serif"
PT = 25.4 / 72  # mm per point
LINE = 1.3  # line height, in font sizes
_WRITE_LINE = 0.88  # a paragraph's lines: this share of LINE
_SPACE_AFTER = 1.0  # mm after a paragraph
BULLET_SPACE = 0.6  # mm after a list item: a list reads as one block
HEADER_LEFT, HEADER_RIGHT = 65.0, 100.0


class _PDF(FPDF):
    def header(self) -> None:
        if self.page_no() > 1:
            self.set_y(9)
            self.set_font(FAMILY, "", m.BODY_PT)
            self.cell(0, 6, str(self.page_no()), align="C")
            self.set_y(self.t_margin)


# The closing and the signature never stand alone on a page: when they do not fit under the body, the body's
# last lines go over with them, so that page is at least this share of the text height (measured to the
# space left under the signature, so a little more than the text drawn).
KEEP_WITH_CLOSING = 0.35


def render(doc: m.Document) -> bytes:
    """Laid out once; when the closing's page would hold less than KEEP_WITH_CLOSING of a page (the closing
    and the signature nearly alone), laid out again with that page starting earlier in the body (at a
    paragraph, a list item, or a heading with what follows it)."""
    pdf, units, closing = _render(doc, None)
    cut = _cut(units, *closing)
    if cut is not None:
        pdf, _, _ = _render(doc, cut)
    return bytes(pdf.output())


def _render(doc: m.Document, cut: tuple[int, int] | None):
    pdf = _PDF(orientation="P", unit="mm", format="A4")
    for style, path in serif().files.items():
        pdf.add_font(FAMILY, style, path)
    pdf.set_margins(m.MARGIN_LEFT, m.MARGIN_TOP, m.MARGIN_RIGHT)
    pdf.set_auto_page_break(True, m.MARGIN_BOTTOM)
    pdf.set_title(doc.meta_title)
    pdf.set_lang("vi-VN" if doc.lang == "vi" else "en-GB")
    pdf.set_creator("cds-dashboard reports")
    pdf.add_page()
    _header(pdf, doc.header)
    _title(pdf, doc.title)
    units: list[tuple[int, int, int, float, bool]] = []  # (block, item, page, y, is a heading)
    for i, block in enumerate(doc.body):
        _block(pdf, block, m.TEXT_W, i, units, cut)
    units.append((len(doc.body), 0, pdf.page_no(), pdf.get_y(), False))  # the body's end
    _closing(pdf, doc.closing)
    closing = (pdf.page_no(), pdf.get_y() - m.MARGIN_TOP)
    if doc.annex:
        pdf.add_page(orientation="L" if doc.annex_landscape else "P")
        width = m.TEXT_W_LANDSCAPE if doc.annex_landscape else m.TEXT_W
        pdf.set_font(FAMILY, "B", m.BODY_PT)
        pdf.multi_cell(
            width, m.BODY_PT * PT * LINE, doc.annex_title or "", align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(2)
        for block in doc.annex:
            _block(pdf, block, width)
    return pdf, units, closing


def _cut(units: list[tuple[int, int, int, float, bool]], page: int, filled: float) -> tuple[int, int] | None:
    """The body's unit to start the closing's `page` with (it holds `filled` mm) so that it holds at least
    KEEP_WITH_CLOSING of the text height: the latest such unit on the page before, moved back before a
    heading that would otherwise end the page above; None when the page is full enough, is the first, or
    the page before could not keep anything of its own."""
    text_h = m.PAGE_H - m.MARGIN_TOP - m.MARGIN_BOTTOM
    need = KEEP_WITH_CLOSING * text_h - filled
    if need <= 0 or page < 2:
        return None
    *body, end = units
    end_y = end[3] if end[2] == page - 1 else m.PAGE_H - m.MARGIN_BOTTOM
    before = [k for k, u in enumerate(body) if u[2] == page - 1]
    for k in reversed(before):
        if end_y - body[k][3] >= need:
            while k > before[0] and body[k - 1][4]:
                k -= 1  # a heading stays with its first lines
            return None if k == before[0] else (body[k][0], body[k][1])
    return None


def _lh(size: float) -> float:
    return size * PT * LINE


# ------------------------------------------------------------------------------------------ frame


def _centered(pdf: FPDF, x: float, w: float, text: str, size: float, style: str = "") -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.set_x(x)
    pdf.multi_cell(w, 6, text, align="C", new_x="LEFT", new_y="NEXT")


def _rule(pdf: FPDF, x_center: float, length: float, y: float) -> None:
    pdf.set_line_width(0.3)
    pdf.line(x_center - length / 2, y, x_center + length / 2, y)


def _header(pdf: FPDF, h: m.Header) -> None:
    top = pdf.get_y()
    left_x, right_x = m.MARGIN_LEFT, m.MARGIN_LEFT + HEADER_LEFT
    pdf.set_y(top)
    for line in h.issuer:
        _centered(pdf, left_x, HEADER_LEFT, line, 12.5, "B")
    pdf.set_font(FAMILY, "B", 12.5)
    longest = max(pdf.get_string_width(line) for line in h.issuer)
    y_left = pdf.get_y() + 1
    _rule(pdf, left_x + HEADER_LEFT / 2, min(longest, HEADER_LEFT) * 0.45, y_left)

    pdf.set_y(top)
    _centered(pdf, right_x, HEADER_RIGHT, h.motto_state, 11.5, "B")
    _centered(pdf, right_x, HEADER_RIGHT, h.motto, 12.5, "B")
    pdf.set_font(FAMILY, "B", 12.5)
    y_right = pdf.get_y() + 1
    _rule(pdf, right_x + HEADER_RIGHT / 2, pdf.get_string_width(h.motto), y_right)

    y = max(y_left, y_right) + 2
    pdf.set_y(y)
    _centered(pdf, left_x, HEADER_LEFT, h.number, 12.5)
    pdf.set_y(y)
    _centered(pdf, right_x, HEADER_RIGHT, h.place_date, 12.5, "I")
    pdf.set_x(m.MARGIN_LEFT)


def _title(pdf: FPDF, title: m.Title) -> None:
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", m.TITLE_PT - 0.5)
    pdf.multi_cell(0, _lh(m.TITLE_PT), title.kind, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, _lh(m.TITLE_PT), title.subject, align="C", new_x="LMARGIN", new_y="NEXT")
    length = min(pdf.get_string_width(title.subject), m.TEXT_W) * 0.4
    y = pdf.get_y() + 1
    _rule(pdf, m.MARGIN_LEFT + m.TEXT_W / 2, length, y)
    pdf.set_y(y + 5)


def _closing(pdf: FPDF, c: m.Closing) -> None:
    """The closing sentence kept on one page with the recipients and the signature, measured as drawn
    (an estimate of 45 mm at the body's full line height pushed a block that fitted onto a page of its own)."""
    left_w, right_w = HEADER_LEFT + 20, HEADER_RIGHT - 20
    pdf.set_font(FAMILY, "", m.BODY_PT)
    lines = len(pdf.multi_cell(m.TEXT_W - 10, _lh(m.BODY_PT), c.text, dry_run=True, output="LINES"))
    pdf.set_font(FAMILY, "", 10.5)
    recipients = 6 + 4.8 * sum(
        len(pdf.multi_cell(left_w, 4.8, item, dry_run=True, output="LINES")) for item in c.recipients
    )
    signer = 6 * (len(c.signer) + 1) + 20
    text = lines * _lh(m.BODY_PT) * _WRITE_LINE + _SPACE_AFTER
    if pdf.will_page_break(text + 3 + max(recipients, signer)):
        pdf.add_page(same=True)
    _write(pdf, c.text, m.BODY_PT)
    pdf.ln(3)
    top = pdf.get_y()
    pdf.set_font(FAMILY, "BI", 11.5)
    pdf.set_x(m.MARGIN_LEFT)
    pdf.cell(left_w, 6, c.recipients_title, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10.5)
    for item in c.recipients:
        pdf.set_x(m.MARGIN_LEFT)
        pdf.multi_cell(left_w, 4.8, item, align="L", new_x="LEFT", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_y(top)
    x = m.MARGIN_LEFT + left_w
    for line in c.signer:
        _centered(pdf, x, right_w, line, 12.5, "B")
    _centered(pdf, x, right_w, c.signer_note, 11.5, "I")
    pdf.set_y(max(bottom, pdf.get_y() + 20))


# ------------------------------------------------------------------------------------------ body


def _write(
    pdf: FPDF,
    text: str,
    size: float,
    style: str = "",
    align: str = "JUSTIFY",
    indent: bool = True,
    width: float = m.TEXT_W,
    space_after: float = _SPACE_AFTER,
) -> None:
    pdf.set_font(FAMILY, style, size)
    with (
        pdf.text_columns(
            text_align=align,
            line_height=LINE * _WRITE_LINE,
            l_margin=m.MARGIN_LEFT,
            r_margin=pdf.w - m.MARGIN_LEFT - width,
        ) as cols,
        cols.paragraph(first_line_indent=10 if indent else 0, bottom_margin=space_after) as par,
    ):
        par.write(text)


def _block(
    pdf: FPDF,
    block,
    width: float,
    index: int = -1,
    units: list | None = None,
    cut: tuple[int, int] | None = None,
) -> None:
    """One block; in the body (`units` given) each paragraph, list item or heading records where it starts,
    and the page breaks before the unit `cut` (render's second pass)."""

    def unit(item: int = 0) -> None:
        if units is None:
            return
        if cut == (index, item):
            pdf.add_page(same=True)
        units.append((index, item, pdf.page_no(), pdf.get_y(), isinstance(block, m.Heading)))

    if not isinstance(block, m.Bullets):
        unit()
    if isinstance(block, m.Heading):
        if pdf.will_page_break(_lh(m.BODY_PT) * 3):
            pdf.add_page(same=True)
        pdf.ln(1.0)
        _write(pdf, block.text, m.BODY_PT, "B", width=width)
    elif isinstance(block, m.Paragraph):
        style = ("B" if block.bold else "") + ("I" if block.italic else "")
        align = {"justify": "JUSTIFY", "center": "CENTER", "left": "LEFT"}[block.align]
        _write(pdf, block.text, block.size, style, align, block.indent, width)
    elif isinstance(block, m.Bullets):
        for k, item in enumerate(block.items):
            unit(k)
            _write(pdf, "- " + item, m.BODY_PT, width=width, space_after=BULLET_SPACE)
    elif isinstance(block, m.Table):
        _table(pdf, block, width)
    elif isinstance(block, m.Figure):
        w = min(block.width, width)
        h = block.height * w / block.width
        if pdf.will_page_break(h + 8):
            pdf.add_page(same=True)
        pdf.image(io.BytesIO(block.png), x=m.MARGIN_LEFT + (width - w) / 2, y=pdf.get_y(), w=w, h=h)
        pdf.set_y(pdf.get_y() + h + 1)
        if block.caption:
            _write(pdf, block.caption, 11.5, "I", "CENTER", False, width, 3)
    else:
        raise TypeError(f"unknown block {type(block).__name__}")


def _table(pdf: FPDF, block: m.Table, width: float) -> None:
    """A bordered table with a repeated header row.  Drawn cell by cell (fpdf2's table() lays out every
    cell as a text region: 1.5 s for the 148-commune ranking, a tenth of that this way)."""
    size = block.size - 0.5
    line_h = size * PT * 1.2
    pad_x, pad_y = 1.0, 0.5
    if block.caption:
        if pdf.will_page_break(_lh(12) + line_h * 6):
            pdf.add_page(same=True)
        pdf.ln(1)
        _write(pdf, block.caption, 11.5, "B", "CENTER", False, width, 1)
    scale = min(1.0, width / sum(block.widths))
    widths = [w * scale for w in block.widths]
    x0 = m.MARGIN_LEFT + (width - sum(widths)) / 2
    align = [{"L": "L", "C": "C", "R": "R"}[a] for a in block.align]
    pdf.set_line_width(0.2)

    def lines_of(text: str, w: float) -> list[str]:
        if pdf.get_string_width(text) <= w - 2 * pad_x:
            return [text]
        return pdf.multi_cell(w - 2 * pad_x, line_h, text, dry_run=True, output="LINES")

    def draw(cells: list[str], aligns: list[str], style: str) -> None:
        pdf.set_font(FAMILY, style, size)
        split = [lines_of(text, w) for text, w in zip(cells, widths, strict=True)]
        height = max(len(parts) for parts in split) * line_h + 2 * pad_y
        if pdf.will_page_break(height):
            pdf.add_page(same=True)
            if cells is not block.header:
                draw(block.header, ["C"] * len(widths), "B")
                pdf.set_font(FAMILY, style, size)
        y, x = pdf.get_y(), x0
        for parts, w, a in zip(split, widths, aligns, strict=True):
            pdf.rect(x, y, w, height)
            top = y + (height - len(parts) * line_h) / 2
            for k, part in enumerate(parts):
                pdf.set_xy(x + pad_x, top + k * line_h)
                pdf.cell(w - 2 * pad_x, line_h, part, align=a)
            x += w
        pdf.set_xy(m.MARGIN_LEFT, y + height)

    draw(block.header, ["C"] * len(widths), "B")
    for i, row in enumerate(block.rows):
        draw([str(v) for v in row], align, "B" if i in block.bold_rows else "")
    pdf.set_x(m.MARGIN_LEFT)
    pdf.ln(3)
