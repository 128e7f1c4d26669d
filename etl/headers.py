"""Header matching: how each source's columns are recognised (the aliases are declared in the specs).

Headers are compared after `header_key()`: accents, case, spaces and punctuation removed, so
"Ngày tiếp nhận", "NGAY TIEP NHAN" and "NgayTiepNhan" are the same key.  Each canonical column
(the warehouse contract's name) lists the portal's field name, Vietnamese and English aliases in its
kind's `etl/sources/<kind>/spec.toml`.

Beyond the aliases, `match_headers` recognises a header by its words: accents, case, separators,
snake_case and camelCase dropped, abbreviations read as the words they stand for ("ngay_tn" is
"ngày tiếp nhận", "ma_hs" "mã hồ sơ"; the list is `etl/sources/header_words.toml`), word order
ignored.  Each cell gets a score per candidate column (1.0 exact alias, 0.9 the same words, less
when the header holds an alias's words plus one or two more); each column goes to its best-scoring
cell, and a cell two columns fit equally (or a column two cells fit equally) is reported as
ambiguous, never guessed (`HeaderMatch.ambiguous`).  A unit column naming a commune's People's
Committee ("Đơn vị xử lý": "UBND xã Vân Bán") is read as the commune's name when the file has no
commune column (`UNIT_AS_COMMUNE`).
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from core.index_groups import FIVE_GROUPS, GROUP_MAX, SIX_GROUPS  # noqa: F401  (the sources read them here)
from etl.sources.registry import KINDS

# Each kind's headers, required columns, table and key are declared in its etl/sources/<kind>/spec.toml
# (shared aliases in etl/sources/shared_columns.toml), registered in etl/sources/registry.py.
KIND_COLUMNS: dict[str, dict[str, list[str]]] = {kind: s.columns for kind, s in KINDS.items()}
KIND_REQUIRED: dict[str, list[str]] = {kind: list(s.required) for kind, s in KINDS.items()}

DOSSIER_COLUMNS = KIND_COLUMNS["dossiers"]
DOSSIER_REQUIRED = KIND_REQUIRED["dossiers"]
SIGNATURE_COLUMNS = KIND_COLUMNS["signatures"]
SIGNATURE_REQUIRED = KIND_REQUIRED["signatures"]
INDEX_COLUMNS = KIND_COLUMNS["index"]
INDEX_REQUIRED = KIND_REQUIRED["index"]
# Group columns of a published index sheet.  DVCTT is the older five-group layout's
# "online services and payment" group (max 22), which TTTT and CLGQ replaced.
INDEX_GROUP_COLUMNS: dict[str, list[str]] = {g: INDEX_COLUMNS[g] for g in KINDS["index"].groups}
POPULATION_COLUMNS = KIND_COLUMNS["population"]
POPULATION_REQUIRED = KIND_REQUIRED["population"]
DIGITAL_TEAM_COLUMNS = KIND_COLUMNS["digital_teams"]
DIGITAL_TEAM_REQUIRED = KIND_REQUIRED["digital_teams"]
TRAINING_COLUMNS = KIND_COLUMNS["training"]
TRAINING_REQUIRED = KIND_REQUIRED["training"]
VNEID_COLUMNS = KIND_COLUMNS["vneid"]
VNEID_REQUIRED = KIND_REQUIRED["vneid"]


def header_key(text: object) -> str:
    """Accent-, case-, space- and punctuation-insensitive key of a header cell."""
    s = unicodedata.normalize("NFKD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", s.lower())


def _alias_index(columns: dict[str, list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in columns.items():
        for alias in [canonical, *aliases]:
            out.setdefault(header_key(alias), canonical)
    return out


ALIASES = {kind: _alias_index(cols) for kind, cols in KIND_COLUMNS.items()}
# No alias is longer than this: longer cells (data rows scanned while looking for the header row, a
# whole line read with the wrong delimiter) are not keyed at all.
MAX_HEADER_CHARS = max(len(a) for cols in KIND_COLUMNS.values() for al in cols.values() for a in al) + 40


@functools.lru_cache(maxsize=8192)
def _cell_key(text: str) -> str:
    """header_key of a cell, cached: header detection keys the same cells once per kind."""
    return header_key(text) if len(text) <= MAX_HEADER_CHARS else ""


_WORDS = tomllib.loads((Path(__file__).parent / "sources" / "header_words.toml").read_text(encoding="utf-8"))
# abbreviation -> its readings, each a tuple of words ("ht" -> ("hen", "tra"), ("hoan", "thanh"))
ABBREVIATIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    k: tuple(tuple(r.split()) for r in v) for k, v in _WORDS["abbreviations"].items()
}
KIND_LABELS: dict[str, tuple[str, str]] = {k: (v[0], v[1]) for k, v in _WORDS["kinds"].items()}
# A column that names the unit handling or receiving a dossier is read as the commune's name when
# the file has no commune column (its values name a commune's People's Committee: "UBND xã Vân Bán").
UNIT_AS_COMMUNE = ("handling_unit",)
# Scores: an exact alias; the same words as an alias; the least a cell needs to be a candidate.
EXACT, SAME_WORDS, MIN_SCORE = 1.0, 0.9, 0.5
MAX_EXTRA_WORDS = 2  # words a header may hold beyond an alias's (of at least two words) and still fit it
MAX_READINGS = 16


def _split_words(text: str) -> list[str]:
    """Words of a header cell: camelCase and acronym boundaries split, accents and case dropped."""
    raw = str(text or "")
    spaced = []
    for i, ch in enumerate(raw):
        if i and ch.isupper():
            prev, nxt = raw[i - 1], raw[i + 1] if i + 1 < len(raw) else ""
            if prev.islower() or (prev.isupper() and nxt.islower()):
                spaced.append(" ")
        spaced.append(ch)
    key = unicodedata.normalize("NFKD", "".join(spaced)).replace("đ", "d").replace("Đ", "D")
    key = "".join(ch for ch in key if not unicodedata.combining(ch)).lower()
    return [w for w in re.split(r"[^0-9a-z]+", key) if w]


def _alias_words(alias: str) -> frozenset[str]:
    """An alias's words, abbreviations with a single reading read out ("Mã TTHC" = mã thủ tục hành chính)."""
    out: list[str] = []
    for w in _split_words(alias):
        readings = ABBREVIATIONS.get(w)
        out.extend(readings[0] if readings and len(readings) == 1 else (w,))
    return frozenset(out)


ALIAS_WORDS: dict[str, list[tuple[str, frozenset[str]]]] = {
    kind: [(c, _alias_words(a)) for c, aliases in cols.items() for a in [c, *aliases]]
    for kind, cols in KIND_COLUMNS.items()
}
VOCABULARY = frozenset(w for pairs in ALIAS_WORDS.values() for _, ws in pairs for w in ws) | frozenset(
    ABBREVIATIONS
)


@functools.lru_cache(maxsize=4096)
def _segment(word: str) -> tuple[str, ...]:
    """A run of letters cut into the fewest known words ("ngaytn" -> ngay, tn), or the word itself."""
    if word in VOCABULARY or len(word) > 40 or not word.isalpha():
        return (word,)
    best: list[tuple[str, ...] | None] = [()] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 12), end - 1):  # pieces of two letters or more
            piece, before = word[start:end], best[start]
            if before is not None and piece in VOCABULARY:
                cand = (*before, piece)
                if best[end] is None or len(cand) < len(best[end]):
                    best[end] = cand
    return best[-1] or (word,)


@functools.lru_cache(maxsize=16384)
def header_readings(text: str) -> tuple[frozenset[str], ...]:
    """The sets of words a header cell may stand for (one per reading of its abbreviations)."""
    readings: list[tuple[str, ...]] = [()]
    for word in _split_words(text):
        for piece in _segment(word):
            options = ABBREVIATIONS.get(piece, ((piece,),))
            readings = [(*r, *o) for r in readings for o in options][:MAX_READINGS]
    return tuple(dict.fromkeys(frozenset(r) for r in readings if r))


def _fit(header: frozenset[str], alias: frozenset[str]) -> float:
    if header == alias:
        return SAME_WORDS
    if len(alias) >= 2 and alias < header and len(header) - len(alias) <= MAX_EXTRA_WORDS:
        return MIN_SCORE + (SAME_WORDS - MIN_SCORE) * len(alias) / (len(header) + 1)
    return 0.0


@functools.lru_cache(maxsize=16384)
def column_scores(kind: str, text: str) -> tuple[tuple[str, float], ...]:
    """(canonical column, score) of every column the cell may be, best first (ties in spec order)."""
    if len(text) > MAX_HEADER_CHARS or not text:
        return ()
    exact = ALIASES[kind].get(_cell_key(text))
    if exact:
        return ((exact, EXACT),)
    best: dict[str, float] = {}
    for words in header_readings(text):
        for canonical, alias in ALIAS_WORDS[kind]:
            score = _fit(words, alias)
            if score >= MIN_SCORE and score > best.get(canonical, 0.0):
                best[canonical] = score
    return tuple(sorted(best.items(), key=lambda kv: -kv[1]))


@dataclass(frozen=True)
class Ambiguity:
    """Cells and columns that fit equally well: `positions` (cells) and `columns` (canonical)."""

    positions: tuple[int, ...]
    columns: tuple[str, ...]


@dataclass
class HeaderMatch:
    mapping: dict[int, str]  # cell position -> canonical column (each column at most once)
    scores: dict[int, float]  # cell position -> its score
    ambiguous: list[Ambiguity] = field(default_factory=list)
    derived: dict[str, int] = field(default_factory=dict)  # canonical -> position read from another column

    def positions(self) -> dict[str, int]:
        """canonical column -> cell position, the derived ones included."""
        return {**{c: p for p, c in self.mapping.items()}, **self.derived}


@functools.lru_cache(maxsize=4096)
def _match(kind: str, headers: tuple[str, ...]) -> HeaderMatch:
    mapping: dict[int, str] = {}
    scores: dict[int, float] = {}
    ambiguous: list[Ambiguity] = []
    candidates = {pos: column_scores(kind, str(h or "")) for pos, h in enumerate(headers)}
    # Exact aliases first (first occurrence wins, as always), then the rest best score first.
    for pos, cands in candidates.items():
        if cands and cands[0][1] == EXACT and cands[0][0] not in mapping.values():
            mapping[pos], scores[pos] = cands[0][0], EXACT
    undecided = {p for p, c in candidates.items() if c and c[0][1] < EXACT}
    while undecided:
        taken = set(mapping.values())
        open_ = {p: [(c, s) for c, s in candidates[p] if c not in taken] for p in undecided}
        open_ = {p: cs for p, cs in open_.items() if cs}
        if not open_:
            break
        top = max(cs[0][1] for cs in open_.values())
        level = {p: [c for c, s in cs if s == top] for p, cs in open_.items() if cs[0][1] == top}
        claims: dict[str, list[int]] = {}
        for pos in sorted(level):
            if len(level[pos]) > 1:  # one cell, several columns
                ambiguous.append(Ambiguity((pos,), tuple(level[pos])))
            else:
                claims.setdefault(level[pos][0], []).append(pos)
        for column, positions in claims.items():
            if len(positions) > 1:  # one column, several cells
                ambiguous.append(Ambiguity(tuple(positions), (column,)))
            else:
                mapping[positions[0]], scores[positions[0]] = column, top
        undecided -= set(level)
    derived: dict[str, int] = {}
    columns = KIND_COLUMNS[kind]
    present = set(mapping.values())
    if "commune_name" in columns and not present & {"commune_name", "commune_code"}:
        unit = next((p for p, c in mapping.items() if c in UNIT_AS_COMMUNE), None)
        if unit is not None:
            derived["commune_name"] = unit
    return HeaderMatch(dict(sorted(mapping.items())), scores, ambiguous, derived)


def match_headers(kind: str, headers: list[str]) -> HeaderMatch:
    """Which cell is which column of `kind` (see the module docstring)."""
    return _match(kind, tuple(str(h or "") for h in headers))


def map_headers(kind: str, headers: list[str]) -> dict[int, str]:
    """Position -> canonical name for the headers this kind recognises (an exact alias's first
    occurrence wins; the others by score, ambiguous cells left out)."""
    return match_headers(kind, headers).mapping


def missing_required(kind: str, present: set[str]) -> list[str]:
    """Required columns (alternatives joined by '|') that the mapped headers lack."""
    return [req for req in KIND_REQUIRED[kind] if not any(alt in present for alt in req.split("|"))]


def detect_kind(headers: list[str]) -> str | None:
    """The kind whose required columns the headers satisfy best, or None."""
    best, best_hits = None, 0
    for kind in KIND_COLUMNS:
        present = set(match_headers(kind, headers).positions())
        if missing_required(kind, present):
            continue
        hits = len(present)
        if hits > best_hits:
            best, best_hits = kind, hits
    return best


def closest_kind(headers: list[str]) -> str:
    """The kind the headers come nearest to: fewest required columns missing, then most columns
    recognised, then registry order."""

    def rank(kind: str) -> tuple[int, int]:
        present = set(match_headers(kind, headers).positions())
        return (len(missing_required(kind, present)), -len(present))

    return min(KIND_COLUMNS, key=rank)
