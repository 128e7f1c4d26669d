"""Header matching: how each source's columns are recognised (the aliases are declared in the specs).

Headers are compared after `header_key()`: accents, case, spaces and punctuation removed, so
"Ngày tiếp nhận", "NGAY TIEP NHAN" and "NgayTiepNhan" are the same key.  Each canonical column
(the warehouse contract's name) lists the portal's field name, Vietnamese and English aliases in its
kind's `etl/sources/<kind>/spec.toml`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

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


def map_headers(kind: str, headers: list[str]) -> dict[int, str]:
    """Position -> canonical name for the headers this kind recognises (first occurrence wins)."""
    index = ALIASES[kind]
    out: dict[int, str] = {}
    seen: set[str] = set()
    for pos, h in enumerate(headers):
        canonical = index.get(_cell_key(str(h or "")))
        if canonical and canonical not in seen:
            out[pos] = canonical
            seen.add(canonical)
    return out


def missing_required(kind: str, present: set[str]) -> list[str]:
    """Required columns (alternatives joined by '|') that the mapped headers lack."""
    return [req for req in KIND_REQUIRED[kind] if not any(alt in present for alt in req.split("|"))]


def detect_kind(headers: list[str]) -> str | None:
    """The kind whose required columns the headers satisfy best, or None."""
    best, best_hits = None, 0
    for kind in KIND_COLUMNS:
        present = set(map_headers(kind, headers).values())
        if missing_required(kind, present):
            continue
        hits = len(present)
        if hits > best_hits:
            best, best_hits = kind, hits
    return best
