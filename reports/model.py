"""A report as a list of blocks, written once (reports/content.py) and drawn by the DOCX and PDF writers.

The frame follows Nghị định 30/2020/NĐ-CP (Phụ lục I): issuing body and number on the left, the
national motto on the right with the place and date under it, the title centred, the body, then
the recipients ("Nơi nhận") on the left and the signature block on the right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BODY_PT = 13  # body text (NĐ 30: 13–14)
TITLE_PT = 14
TABLE_PT = 11
SMALL_PT = 11

# A4 and the standard margins of NĐ 30 (top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm).
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20.0, 20.0, 30.0, 15.0
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 165 mm
TEXT_W_LANDSCAPE = PAGE_H - MARGIN_LEFT - MARGIN_RIGHT  # 252 mm


@dataclass
class Header:
    issuer: list[str]  # bold, upper case, e.g. ["ỦY BAN NHÂN DÂN", "XÃ VÂN BÁN"]
    number: str  # "Số: .../BC-UBND"
    motto_state: str  # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto: str  # "Độc lập - Tự do - Hạnh phúc"
    place_date: str  # "Vân Bán, ngày 05 tháng 11 năm 2025"


@dataclass
class Title:
    kind: str  # "BÁO CÁO"
    subject: str  # "Kết quả chuyển đổi số tháng 10/2025"


@dataclass
class Heading:
    text: str
    level: int = 1  # 1: "I. KẾT QUẢ ..."; 2: "1. Các chỉ tiêu chính"


@dataclass
class Paragraph:
    text: str
    italic: bool = False
    bold: bool = False
    size: float = BODY_PT
    align: str = "justify"  # justify | center | left
    indent: bool = True  # first-line indent


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float]  # mm, adding up to the text width
    align: list[str]  # per column: L | C | R
    caption: str | None = None
    size: float = TABLE_PT
    bold_rows: set[int] = field(default_factory=set)


@dataclass
class Figure:
    png: bytes
    width: float  # mm
    height: float  # mm
    caption: str | None = None


@dataclass
class Closing:
    text: str  # the closing sentence ("Trên đây là báo cáo ..."), kept with the block
    recipients_title: str  # "Nơi nhận:"
    recipients: list[str]  # "- UBND tỉnh Phú Thọ (để báo cáo);" ...
    signer: list[str]  # ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    signer_note: str  # "(Ký, ghi rõ họ tên)"


@dataclass
class Document:
    header: Header
    title: Title
    body: list  # Heading | Paragraph | Bullets | Table | Figure
    closing: Closing
    annex_title: str | None = None
    annex: list = field(default_factory=list)
    annex_landscape: bool = False
    meta_title: str = ""
    lang: str = "vi"
