"""The source kinds, registered in one place.

Each tabular kind is a folder `etl/sources/<folder>/` with a declarative `spec.toml` (its headers and
aliases, required columns, the table it loads and that table's key) and an `__init__.py` whose
`stage(table, con, **options)` builds the kind's row rules from the staging engine
(`etl/sources/common.py`) and stages the file.  Header aliases several kinds share are in
`etl/sources/shared_columns.toml`.  The loader (`etl.loader.STAGERS`), the CLI's `--kind` choices,
header mapping and kind detection (`etl.headers`) all read `KINDS` below.  Portal JSON
(`etl/sources/portal_json/`) is recognised by its file type, not its headers, and stays code.

This module imports nothing of the project, so `etl.headers` can read it without an import circle.
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent

# The registered tabular kinds, in detection order (a header row two kinds satisfy equally goes to the
# earlier one): kind -> its folder under etl/sources/.
_FOLDERS = {
    "dossiers": "dossiers",
    "signatures": "signatures",
    "index": "index_results",
    "population": "population",
    "digital_teams": "digital_teams",
    "training": "training",
    "vneid": "vneid",
}


@dataclass(frozen=True)
class KindSpec:
    kind: str
    folder: str
    module: str  # the module whose `stage` stages a file of this kind
    table: str  # the table its rows load into (the primary output)
    key: tuple[str, ...]  # that table's key
    required: tuple[str, ...]  # alternatives joined by '|'
    columns: dict[str, list[str]]  # canonical column -> aliases (document order)
    groups: tuple[str, ...] = ()  # index group columns (the index kind only)

    def stage(self, *args: Any, **kwargs: Any):
        """Stage a file of this kind (imported on first use: the spec is read without the engine)."""
        return importlib.import_module(self.module).stage(*args, **kwargs)


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


SHARED_COLUMNS: dict[str, list[str]] = _load(_HERE / "shared_columns.toml")


def _columns(raw: dict[str, Any], where: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            if value.get("shared") not in SHARED_COLUMNS or set(value) - {"shared", "plus"}:
                raise ValueError(
                    f"{where}: column {name!r}: {{ shared = <a name in shared_columns.toml>, "
                    f"plus = [...] }} expected"
                )
            out[name] = [*SHARED_COLUMNS[value["shared"]], *value.get("plus", [])]
        else:
            out[name] = list(value)
    return out


def _spec(kind: str, folder: str) -> KindSpec:
    path = _HERE / folder / "spec.toml"
    raw = _load(path)
    if raw.get("kind") != kind:
        raise ValueError(f"{path}: kind = {raw.get('kind')!r}, registered as {kind!r}")
    return KindSpec(
        kind=kind,
        folder=folder,
        module=raw["module"],
        table=raw["table"],
        key=tuple(raw["key"]),
        required=tuple(raw["required"]),
        columns=_columns(raw["columns"], path),
        groups=tuple(raw.get("groups", ())),
    )


KINDS: dict[str, KindSpec] = {kind: _spec(kind, folder) for kind, folder in _FOLDERS.items()}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def spec(kind: str) -> KindSpec:
    return KINDS[kind]
