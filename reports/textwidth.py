"""Width of a line of Times New Roman text, for the rules under the header lines (NĐ 30: the rule under
the motto is as long as the motto; under the issuing body and the title, 1/3 to 1/2 of the line).

Measured with the reports' serif (reports/fonts.py: Liberation Serif 2 or Tinos, both drawn to Times New
Roman's metrics), the font the PDF embeds.
"""

from __future__ import annotations

from functools import cache

from reports.fonts import serif


@cache
def _metrics(bold: bool):
    from fontTools.ttLib import TTFont

    font = TTFont(serif().files["B" if bold else ""], lazy=True)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    widths = {code: hmtx[name][0] for code, name in cmap.items()}
    return widths, font["head"].unitsPerEm


def width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    widths, upm = _metrics(bold)
    total = sum(widths.get(ord(ch), upm // 2) for ch in text)
    return total / upm * size_pt * 25.4 / 72
