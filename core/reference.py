"""Official reference units (34 provinces, 3,321 communes) and name matching.

The list comes from the `vietnam_provinces` package (units in force since 1/7/2025); nothing
here is hand-typed except a few province abbreviations (HCM, TP.HCM, Sài Gòn, Thừa Thiên Huế).

Matching a commune name as found in the wild
--------------------------------------------
1. Clean: Unicode NFKC (so NFD input composes), stray combining marks dropped, dashes unified,
   whitespace collapsed.
2. Strip a trailing province: " - Tỉnh Phú Thọ", ", tỉnh Phú Thọ", " - TP Hà Nội", "(Phú Thọ)",
   " Tỉnh Phú Thọ" ...  The tail is stripped only if it resolves to exactly one province, so
   official names such as "Phường Văn Miếu - Quốc Tử Giám" stay whole.
3. Strip leading "UBND" / "Ủy ban nhân dân" / "Uỷ ban nhân dân" (and an office before it: "Bộ
   phận một cửa", "Văn phòng HĐND và"), then a division type: "xã",
   "phường", "đặc khu", "thị trấn" (no longer exists: stripped, does not narrow), "X.", "P.",
   "TT.".  A type word written with the wrong accents ("Phương Liệt", "Xà Phiên") is part of the
   name, not a type.  A type word without any accents ("phuong liet", "xa dung") is read both
   ways and the candidates are pooled, so a real ambiguity is reported rather than guessed.
4. Look up the remaining name within the province (if any) and the type (if any):
   a. by the *exact* key (case-insensitive, Unicode-normalised, diacritics kept, tone-mark
      placement ignored: "Hòa" == "Hoà"); exactly one hit -> matched;
   b. otherwise by the accent-insensitive key `normalize_name`; one hit -> matched, more ->
      'ambiguous' (all candidates listed), none -> 'unknown'.

Decisions where the brief was silent:
- An explicit `province` argument and a province named in the text that disagree -> 'unknown'
  (conflicting evidence; never guess).  An explicit `province` that does not resolve -> 'unknown'.
- A division type in the input filters strictly: "Xã Mộc Sơn" does not match "Phường Mộc Sơn".
- Names that are only digits are never treated as codes (callers handle codes).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd
import vietnam_provinces as vp

__all__ = [
    "Match",
    "UnitMatcher",
    "commune_frame",
    "matcher",
    "normalize_name",
    "province_frame",
]

# --------------------------------------------------------------------------------------------
# Reference frames
# --------------------------------------------------------------------------------------------


@cache
def _province_frame() -> pd.DataFrame:
    rows = [
        {
            "province_code": int(p.code),
            "name": p.name,
            "division_type": p.division_type.value,
            "codename": p.codename,
            "phone_code": int(p.phone_code),
        }
        for p in vp.Province.iter_all()
    ]
    df = pd.DataFrame(rows).sort_values("province_code", kind="stable").reset_index(drop=True)
    return df.astype({"province_code": "int64", "phone_code": "int64"})


@cache
def _commune_frame() -> pd.DataFrame:
    rows = [
        {
            "commune_code": int(w.code),
            "name": w.name,
            "division_type": w.division_type.value,
            "codename": w.codename,
            "province_code": int(w.province_code),
        }
        for w in vp.Ward.iter_all()
    ]
    df = pd.DataFrame(rows).sort_values("commune_code", kind="stable").reset_index(drop=True)
    return df.astype({"commune_code": "int64", "province_code": "int64"})


def province_frame() -> pd.DataFrame:
    """The 34 provinces: province_code, name, division_type, codename, phone_code (sorted by code).

    A fresh copy each call, so callers may modify it.
    """
    return _province_frame().copy()


def commune_frame() -> pd.DataFrame:
    """The 3,321 communes: commune_code, name, division_type, codename, province_code (sorted by code).

    A fresh copy each call, so callers may modify it.
    """
    return _commune_frame().copy()


# --------------------------------------------------------------------------------------------
# Text keys
# --------------------------------------------------------------------------------------------

_APOSTROPHES = "'’‘ʼ`´"
_DASHES = "‐‑‒–—―−"
_TONE_MARKS = {"\u0300": "1", "\u0301": "2", "\u0303": "3", "\u0309": "4", "\u0323": "5"}
_PUNCT_RE = re.compile(r"[\W_]+")


def _clean(text: str) -> str:
    """NFKC, stray combining marks dropped, dashes unified, whitespace collapsed and trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate({ord(d): "-" for d in _DASHES})
    return " ".join(text.split())


@cache
def _fold_char(c: str) -> str:
    """One character -> one character: lower case, diacritics removed, đ -> d."""
    low = c.lower()
    if len(low) != 1:
        low = c
    base = unicodedata.normalize("NFD", low)[0]
    return "d" if base == "đ" else base


def _fold(text: str) -> str:
    """Per-character fold of cleaned text; same length as `text`, so regex spans carry over."""
    return "".join(_fold_char(c) for c in text)


def _words(text: str) -> str:
    """Apostrophes removed, any other punctuation -> space, whitespace collapsed."""
    text = text.translate({ord(a): None for a in _APOSTROPHES})
    return " ".join(_PUNCT_RE.sub(" ", text).split())


def normalize_name(text: str) -> str:
    """Accent-, case- and Unicode-insensitive matching key.

    NFKC (NFD input composes), case-folded, all diacritics removed, đ/Đ -> d, apostrophes removed
    ("H'leo" -> "hleo"), every other run of punctuation or whitespace -> one space, trimmed.
    Division types and "UBND" are *not* stripped here (see `UnitMatcher.match_commune`).

    >>> normalize_name("  Xã  VÂN   Bán ")
    'xa van ban'
    >>> normalize_name("Đặc khu Phú Quốc")
    'dac khu phu quoc'
    """
    if not text:
        return ""
    return _words(_fold(_clean(str(text)).casefold()))


def _exact_key(text: str) -> str:
    """Case-insensitive key that keeps diacritics (NFC) but ignores tone-mark placement (Hòa == Hoà)."""
    words = _words(_clean(text).casefold()).split()
    out = []
    for word in words:
        nfd = unicodedata.normalize("NFD", word)
        tones = [_TONE_MARKS[c] for c in nfd if c in _TONE_MARKS]
        base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_MARKS))
        out.append(base + ("#" + tones[0] if tones else ""))
    return " ".join(out)


def _word_is(word: str, target: str) -> str | None:
    """Is `word` the (accented, lower-case) `target`?  'exact', 'bare' (written without any
    accents, so it may also be something else) or None."""
    low = word.casefold()
    if low == target:
        return "exact"
    folded = _fold(low)
    if folded == low and folded == _fold(target):
        return "bare"
    return None


# --------------------------------------------------------------------------------------------
# Matcher
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """Result of a lookup.

    status: 'matched' | 'ambiguous' | 'unknown'.
    code: commune_code (match_commune) or province_code (match_province) when matched, else None.
    candidates: when ambiguous, (code, official name, official province name) sorted by code.
    """

    status: str
    code: int | None
    candidates: tuple[tuple[int, str, str], ...] = ()


_UNKNOWN = Match("unknown", None)

# Leading "UBND" / "Ủy ban nhân dân" (folded text), and before it, in a unit column of a one-stop
# export, the committee's office: "Bộ phận một cửa UBND xã ...", "Văn phòng HĐND và UBND xã ...".
_UBND_RE = re.compile(
    r"^(?:(?:bo phan (?:mot cua|tiep nhan(?: va tra ket qua)?)|van phong(?: hdnd va)?)[\s.:,-]*"
    r"(?=ubnd|uy ban nhan dan))?(?:ubnd|uy ban nhan dan)\b[\s.:,-]*"
)
# Division type words: (folded regex, accented form, division_type value or None = no narrowing).
_COMMUNE_TYPES: list[tuple[re.Pattern[str], str | None, str | None]] = [
    (re.compile(r"^(xa)\s+"), "xã", "xã"),
    (re.compile(r"^(phuong)\s+"), "phường", "phường"),
    (re.compile(r"^(dac khu)\s+"), "đặc khu", "đặc khu"),
    (re.compile(r"^(thi tran)\s+"), "thị trấn", None),
    (re.compile(r"^x\.\s*"), None, "xã"),
    (re.compile(r"^p\.\s*"), None, "phường"),
    (re.compile(r"^tt\.\s*"), None, None),
]
# Province type words (folded regex, accented form).
_PROVINCE_TYPES: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"^(tinh)\b[\s.:]*"), "tỉnh"),
    (re.compile(r"^(thanh pho)\b[\s.:]*"), "thành phố"),
    (re.compile(r"^(?:tp|t\.p)\b[\s.:]*"), None),
]
# A trailing province after a separator: "X - Tỉnh Y", "X, Y", "X (Y)", "X / Y".
_TAIL_SEP_RE = re.compile(r"\s*(?:\s-\s|-|,|/|\()\s*")
# ... or after a bare province type word: "X Tỉnh Y", "X thành phố Y", "X TP Y".
_TAIL_TYPE_RE = re.compile(r"\s(?:tinh|thanh pho|tp\.?|t\.p\.?)\s+\S")

# Province abbreviations / former names of the same unit (not a unit list).
_PROVINCE_ALIASES = {
    "hcm": 79,
    "tphcm": 79,
    "tp hcm": 79,
    "sai gon": 79,
    "saigon": 79,
    "thua thien hue": 46,
}


class UnitMatcher:
    """Indexes of the official units; build once via `matcher()`."""

    def __init__(self) -> None:
        provinces = _province_frame()
        communes = _commune_frame()
        self._province_name: dict[int, str] = dict(
            zip(provinces["province_code"].tolist(), provinces["name"].tolist(), strict=True)
        )
        self._province_index: dict[str, set[int]] = defaultdict(set)
        for code, name, codename in zip(
            provinces["province_code"].tolist(),
            provinces["name"].tolist(),
            provinces["codename"].tolist(),
            strict=True,
        ):
            bare = self._strip_province_type(_clean(name))
            for key in (normalize_name(bare), normalize_name(codename.replace("_", " "))):
                self._province_index[key].add(code)
                self._province_index[key.replace(" ", "")].add(code)
        for alias, code in _PROVINCE_ALIASES.items():
            self._province_index[alias].add(code)

        # commune_code -> (official name, division_type, province_code)
        self._communes: dict[int, tuple[str, str, int]] = {}
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._loose: dict[str, list[int]] = defaultdict(list)
        for code, name, dtype, pcode in zip(
            communes["commune_code"].tolist(),
            communes["name"].tolist(),
            communes["division_type"].tolist(),
            communes["province_code"].tolist(),
            strict=True,
        ):
            self._communes[code] = (name, dtype, pcode)
            bare = self._official_bare(name, dtype)
            self._exact[_exact_key(bare)].append(code)
            self._loose[normalize_name(bare)].append(code)

    # ---- provinces -------------------------------------------------------------------------

    @staticmethod
    def _official_bare(name: str, dtype: str) -> str:
        """'Xã Vân Bán' -> 'Vân Bán' (the package's names all start with their type)."""
        if name.casefold().startswith(dtype + " "):
            return name[len(dtype) + 1 :]
        return name

    @staticmethod
    def _strip_province_type(text: str) -> str:
        """Remove leading 'UBND', then 'Tỉnh' / 'Thành phố' / 'TP' / 'T.P' from cleaned text."""
        folded = _fold(text)
        m = _UBND_RE.match(folded)
        if m:
            text, folded = text[m.end() :], folded[m.end() :]
        for regex, accented in _PROVINCE_TYPES:
            m = regex.match(folded)
            if not m:
                continue
            if accented is not None and _word_is(text[: m.end(1)], accented) is None:
                continue  # e.g. "Tịnh ..." is not "tỉnh"
            return text[m.end() :]
        return text

    def match_province(self, value: str | int | None) -> Match:
        """Province by official code (25, '25', '025') or name in any common variant."""
        if value is None or isinstance(value, bool):
            return _UNKNOWN
        if isinstance(value, int):
            return Match("matched", value) if value in self._province_name else _UNKNOWN
        if not isinstance(value, str):
            return _UNKNOWN
        text = _clean(value)
        if not text:
            return _UNKNOWN
        if text.isdigit():
            code = int(text)
            return Match("matched", code) if code in self._province_name else _UNKNOWN
        key = normalize_name(self._strip_province_type(text))
        codes = self._province_index.get(key) or self._province_index.get(key.replace(" ", ""), set())
        if len(codes) == 1:
            return Match("matched", next(iter(codes)))
        if len(codes) > 1:  # pragma: no cover - province keys are unique
            return Match("ambiguous", None, tuple(sorted((c, self._province_name[c], "") for c in codes)))
        return _UNKNOWN

    # ---- communes --------------------------------------------------------------------------

    def _split_province_tail(self, text: str) -> tuple[str, int | None]:
        """'Xã Lâm Thao - Tỉnh Phú Thọ' -> ('Xã Lâm Thao', 25); no resolvable tail -> (text, None)."""
        folded = _fold(text)
        cuts: list[tuple[int, int]] = [(m.start(), m.end()) for m in _TAIL_SEP_RE.finditer(folded)]
        cuts += [(m.start(), m.start() + 1) for m in _TAIL_TYPE_RE.finditer(folded)]
        for start, end in sorted(cuts, reverse=True):
            head, tail = text[:start].strip(), text[end:].strip().rstrip(")").strip()
            if not head or not tail:
                continue
            found = self.match_province(tail)
            if found.status == "matched":
                return head, found.code
        return text, None

    def _parses(self, text: str) -> list[tuple[str, str | None]]:
        """Possible (bare name, division_type or None) readings of the cleaned name."""
        folded = _fold(text)
        m = _UBND_RE.match(folded)
        if m:
            text, folded = text[m.end() :], folded[m.end() :]
        for regex, accented, dtype in _COMMUNE_TYPES:
            m = regex.match(folded)
            if not m:
                continue
            rest = text[m.end() :]
            if accented is None:  # abbreviation with a dot: unambiguous
                return [(rest, dtype)]
            how = _word_is(text[: m.end(1)], accented)
            if how == "exact":
                return [(rest, dtype)]
            if how == "bare":  # "phuong liet": the type, or the start of "Phương Liệt"
                return [(rest, dtype), (text, None)]
            break  # wrongly-accented type word: part of the name
        return [(text, None)]

    def _lookup(
        self,
        index: dict[str, list[int]],
        parses: Iterable[tuple[str, str | None]],
        key: Callable[[str], str],
        province: int | None,
    ) -> list[int]:
        found: set[int] = set()
        for bare, dtype in parses:
            for code in index.get(key(bare), ()):
                _, ctype, pcode = self._communes[code]
                if province is not None and pcode != province:
                    continue
                if dtype is not None and ctype != dtype:
                    continue
                found.add(code)
        return sorted(found)

    def commune(self, code: int) -> tuple[str, str, int] | None:
        """(official name, division type, province code) of an official commune code, else None."""
        return self._communes.get(code)

    def province_name(self, code: int) -> str | None:
        return self._province_name.get(code)

    def named_province(self, name: str) -> int | None:
        """The province a commune name carries at its end ("Xã Đại Xuyên - Hà Nội" -> 1), else None."""
        if not isinstance(name, str):
            return None
        return self._split_province_tail(_clean(name))[1]

    def match_commune(self, name: str, province: str | int | None = None) -> Match:
        """Commune by name (any wild variant), optionally within a province (code or name).

        Never guesses: 'ambiguous' lists every candidate; 'unknown' when nothing fits, when the
        given province does not resolve, or when it contradicts a province named in the text.
        """
        if not isinstance(name, str):
            return _UNKNOWN
        text = _clean(name)
        if not text or text.isdigit():
            return _UNKNOWN

        want: int | None = None
        if province is not None and not (isinstance(province, str) and not province.strip()):
            found = self.match_province(province)
            if found.status != "matched":
                return _UNKNOWN
            want = found.code

        text, named = self._split_province_tail(text)
        if named is not None:
            if want is not None and named != want:
                return _UNKNOWN
            want = named

        parses = [(bare, dtype) for bare, dtype in self._parses(text) if bare.strip()]
        if not parses:
            return _UNKNOWN
        exact = self._lookup(self._exact, parses, _exact_key, want)
        if len(exact) == 1:
            return Match("matched", exact[0])
        loose = self._lookup(self._loose, parses, normalize_name, want)
        if len(loose) == 1:
            return Match("matched", loose[0])
        if not loose:
            return _UNKNOWN
        return Match(
            "ambiguous",
            None,
            tuple((c, self._communes[c][0], self._province_name[self._communes[c][2]]) for c in loose),
        )


@cache
def matcher() -> UnitMatcher:
    """The process-wide UnitMatcher (indexes built on first use)."""
    return UnitMatcher()
