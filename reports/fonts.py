"""The reports' typeface: a serif metric-compatible with Times New Roman, the font of official documents
(Nghị định 30/2020/NĐ-CP), embedded in the PDF and used for the charts' text, so the PDF, the charts and
the Word file (which names Times New Roman) set the same line lengths.

Liberation Serif 2 (Debian fonts-liberation2) first, Tinos (fonts-croscore) second.  Both are drawn to
Times New Roman's metrics.  Debian's older fonts-liberation (1.x) has the same family name and no
Vietnamese letters (Ủ, ọ, ư, ặ ...): a file is taken only when it carries every letter of Vietnamese,
and matplotlib is told to use that file, not whichever "Liberation Serif" it found first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Every letter Vietnamese adds to ASCII (upper and lower case), and the punctuation the reports write.
VIETNAMESE = (
    "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"
    "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    "–—‘’“”…−·≥≤"
)
STYLES = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts")


@dataclass(frozen=True)
class Candidate:
    family: str
    file_stem: str  # "LiberationSerif" -> LiberationSerif-Regular.ttf ...
    package: str  # the Debian package that installs it


CANDIDATES = (
    Candidate("Liberation Serif", "LiberationSerif", "fonts-liberation2"),
    Candidate("Tinos", "Tinos", "fonts-croscore"),
)


@dataclass(frozen=True)
class SerifFont:
    family: str
    files: dict[str, str]  # style ('' regular, B, I, BI) -> path of the .ttf
    package: str


class FontMissing(RuntimeError):
    """No Times-metric serif with Vietnamese letters is installed."""


def covers_vietnamese(path: str | Path) -> bool:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        cmap = font.getBestCmap() or {}
    return all(ord(ch) in cmap for ch in VIETNAMESE)


def _find(file_name: str, dirs) -> list[Path]:
    found: list[Path] = []
    for root in dirs:
        if root.is_dir():
            found += sorted(root.rglob(file_name))
    return found


def pick(candidates=CANDIDATES, dirs=FONT_DIRS) -> SerifFont:
    """The first candidate whose four styles are installed with every Vietnamese letter."""
    for c in candidates:
        files: dict[str, str] = {}
        for style, suffix in STYLES.items():
            usable = [p for p in _find(f"{c.file_stem}-{suffix}.ttf", dirs) if covers_vietnamese(p)]
            if not usable:
                break
            files[style] = str(usable[0])
        else:
            return SerifFont(c.family, files, c.package)
    packages = " ".join(c.package for c in candidates)
    raise FontMissing(
        "No Times-metric serif font with Vietnamese letters is installed (Liberation Serif 2 or Tinos). "
        f"Install one: sudo apt-get install {packages}"
    )


@cache
def serif() -> SerifFont:
    return pick()


@cache
def matplotlib_family() -> str:
    """Register the chosen files with matplotlib and return the family name for rcParams.

    Other files of the same family name (fonts-liberation 1.x, without Vietnamese) are dropped from
    matplotlib's list, so a chart can never fall back to them, nor warn that a family is missing."""
    from matplotlib import font_manager

    font = serif()
    manager = font_manager.fontManager
    for path in font.files.values():
        manager.addfont(path)
    keep = set(font.files.values())
    manager.ttflist = [e for e in manager.ttflist if e.name != font.family or e.fname in keep]
    clear = getattr(manager._findfont_cached, "cache_clear", None)
    if clear is not None:
        clear()
    return font.family
