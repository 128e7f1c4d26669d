"""Reporting periods: month `2026-08`, quarter `2026-Q3`, year `2026`.

Accepts what stewards type: "08/2026", "8/2026", "T8/2026", "Tháng 8/2026", "2026-08",
"Quý 3/2026", "Q3/2026", "Q3-2026", "2026-Q3", "Năm 2026", "2026"; and finds one in a file name
such as `chi-so-766-25-phu-tho-2026-08.xlsx` or `tdgq-2026-Q3.json`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, order=True)
class Period:
    period_type: str  # month | quarter | year
    key: str  # '2026-08' | '2026-Q3' | '2026'
    start: date
    end: date  # first day after the period

    def previous(self) -> Period:
        if self.period_type == "month":
            y, m = (
                (self.start.year, self.start.month - 1) if self.start.month > 1 else (self.start.year - 1, 12)
            )
            return month(y, m)
        if self.period_type == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return quarter(self.start.year, q - 1) if q > 1 else quarter(self.start.year - 1, 4)
        return year(self.start.year - 1)

    def months(self) -> list[date]:
        out, d = [], self.start
        while d < self.end:
            out.append(d)
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return out

    def label(self, lang: str = "vi") -> str:
        q = (self.start.month - 1) // 3 + 1
        if self.period_type == "month":
            return f"{self.start.month:02d}/{self.start.year}"
        if self.period_type == "quarter":
            return f"Quý {q}/{self.start.year}" if lang == "vi" else f"Q{q} {self.start.year}"
        return f"Năm {self.start.year}" if lang == "vi" else str(self.start.year)


def month(y: int, m: int) -> Period:
    start = date(y, m, 1)
    end = date(y + (m == 12), m % 12 + 1, 1)
    return Period("month", f"{y:04d}-{m:02d}", start, end)


def quarter(y: int, q: int) -> Period:
    start = date(y, 3 * (q - 1) + 1, 1)
    end = date(y + (q == 4), (3 * q) % 12 + 1, 1)
    return Period("quarter", f"{y:04d}-Q{q}", start, end)


def year(y: int) -> Period:
    return Period("year", f"{y:04d}", date(y, 1, 1), date(y + 1, 1, 1))


def _plain(text: str) -> str:
    s = unicodedata.normalize("NFKD", text).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", s.lower()).strip()


_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(?:q|quy)\s*([1-4])\s*[/\-. ]\s*(\d{4})$"), "q_first"),
    (re.compile(r"^(\d{4})\s*[-/ ]?\s*(?:q|quy)\s*([1-4])$"), "q_last"),
    (re.compile(r"^(?:t|thang)?\s*(\d{1,2})\s*[/\-.]\s*(\d{4})$"), "m_first"),
    (re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})(?:[-/.]\d{1,2})?(?:[ t].*)?$"), "m_last"),
    (re.compile(r"^(?:nam|year)?\s*(\d{4})$"), "y"),
]


def parse_period(text: object) -> Period | None:
    """A Period from what a user typed, or None when it is not one."""
    if text is None:
        return None
    s = _plain(str(text))
    for pattern, form in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        a, b = m.group(1), m.group(2) if m.lastindex and m.lastindex > 1 else None
        try:
            if form == "q_first":
                return quarter(int(b), int(a))
            if form == "q_last":
                return quarter(int(a), int(b))
            if form == "m_first" and 1 <= int(a) <= 12:
                return month(int(b), int(a))
            if form == "m_last" and 1 <= int(b) <= 12:
                return month(int(a), int(b))
            if form == "y" and 2000 <= int(a) <= 2100:
                return year(int(a))
        except ValueError:
            return None
    return None


_NAME_PATTERNS = [
    re.compile(r"(?<!\d)(\d{4})-(q[1-4])(?![0-9a-z])", re.I),
    re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{2})[-_.](\d{4})(?!\d)"),
]


def period_from_filename(name: str) -> Period | None:
    """The period a file name carries (`...-2026-08.json`, `...-2026-Q3.xlsx`), or None."""
    stem = name.rsplit("/", 1)[-1]
    for i, pattern in enumerate(_NAME_PATTERNS):
        m = pattern.search(stem)
        if not m:
            continue
        if i == 0:
            return quarter(int(m.group(1)), int(m.group(2)[1]))
        if i == 1 and 1 <= int(m.group(2)) <= 12:
            return month(int(m.group(1)), int(m.group(2)))
        if i == 2 and 1 <= int(m.group(1)) <= 12:
            return month(int(m.group(2)), int(m.group(1)))
    years = re.findall(r"(?<!\d)(20\d{2})(?!\d)", stem)
    return year(int(years[-1])) if len(years) == 1 else None
