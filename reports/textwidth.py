"""Width of a line of Times New Roman text, for the rules under the header lines (NĐ 30: the rule under
the motto is as long as the motto; under the issuing body and the title, 1/3 to 1/2 of the line).

Measured with Liberation Serif (metric-compatible with Times New Roman, Debian's fonts-liberation)
when it is installed; a letter without a glyph takes its base letter's width (Vietnamese tone
marks do not change the advance).  Without the font: half an em per character.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

FONT_DIR = Path("/usr/share/fonts/truetype/liberation")


@cache
def _metrics(bold: bool):
    path = FONT_DIR / ("LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf")
    if not path.exists():
        return None
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    widths = {code: hmtx[name][0] for code, name in cmap.items()}
    return widths, font["head"].unitsPerEm


def width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    metrics = _metrics(bold)
    if metrics is None:
        return len(text) * size_pt * 0.5 * 25.4 / 72
    widths, upm = metrics
    total = 0
    for ch in text:
        w = widths.get(ord(ch))
        if w is None:
            w = widths.get(ord(unicodedata.normalize("NFD", ch)[0]), upm // 2)
        total += w
    return total / upm * size_pt * 25.4 / 72
