"""The source kinds, registered in one place, each read from its declarative spec.

Each kind is a folder `etl/sources/<folder>/` holding one `spec.toml` and no code: its headers and
aliases, the required columns, its fields (type, required, accepted values, range), its row rules
with their reject reason and messages, the in-file duplicate key and policy, and its outputs (the
tables its rows load into, with their keys).  One staging engine (`etl/sources/engine.py`) stages
every kind from its spec; what cannot be said declaratively is a named function in
`etl/sources/hooks.py` that the spec names.  Header aliases several kinds share are in
`etl/sources/shared_columns.toml`.  The loader (`for_file`, `KINDS`), the CLI's `--kind` choices,
header mapping and kind detection (`etl.headers`) all read this module.

A spec is checked against `SCHEMA` below when it is read: an unknown key, a missing one or a value of
the wrong shape refuses the spec with a message naming the file and the key.

This module imports nothing of the project, so `etl.headers` can read it without an import circle.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent

# The registered kinds: kind -> its folder under etl/sources/.  The tabular kinds come first, in
# detection order (a header row two kinds satisfy equally goes to the earlier one); portal JSON is
# recognised by its file type, not its headers (`reader = "portal_json"`).
_FOLDERS = {
    "dossiers": "dossiers",
    "signatures": "signatures",
    "index": "index_results",
    "population": "population",
    "digital_teams": "digital_teams",
    "training": "training",
    "vneid": "vneid",
    "portal": "portal_json",
}

# Field types the engine knows (etl/sources/engine.py, `FIELD_TYPES`), and the keys each may carry.
FIELD_TYPES = ("count", "month", "year", "date", "timestamp", "text", "choice", "decimal", "score", "sql")

# The spec language: key -> (type, required?).  Nested tables have their own entry.
SCHEMA: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "spec": {
        "kind": (str, True),
        "description": (str, True),
        "reader": (str, False),  # a hook reading files of another shape (portal JSON)
        "strategy": (str, False),  # 'rows' (default) or 'two_pass' (national dossier files)
        "required": (list, False),
        "groups": (list, False),
        "columns": (dict, False),
        "fields": (dict, False),
        "derived": (list, False),
        "after_parse": (list, False),
        "duplicates": (dict, False),
        "rules": (list, False),
        "outputs": (list, True),
        "notes": (list, False),
    },
    "field": {
        "type": (str, True),
        "label_vi": (str, False),
        "label_en": (str, False),
        "required": (bool, False),
        "min": (int, False),
        "max": ((int, float, str), False),  # a number, or "hook:<name>" (a function of the field's name)
        "future": (bool, False),  # dates: later than today is accepted (due dates)
        "missing_label_vi": (str, False),
        "missing_label_en": (str, False),
        "missing_vi": (str, False),
        "missing_en": (str, False),
        "accepted": (dict, False),  # choice: code -> the words accepted for it
        "invalid_vi": (str, False),
        "invalid_en": (str, False),
        "parse": (str, False),  # sql: the SQL parsing raw_<name>
        "if_present": (bool, False),  # parsed and checked only when the file has the column
    },
    "derived": {"name": (str, True), "sql": (str, True)},
    "duplicates": {
        "key": (str, True),
        "policy": (str, True),
        "column": (str, False),
        "what_vi": (str, False),
        "what_en": (str, False),
    },
    "rule": {
        "checks": (str, False),  # 'commune', 'duplicates' or a field name: its built-in checks here
        "reason": (str, False),
        "column": (str, False),
        "when": (str, False),
        "value": (str, False),
        "message_vi": (str, False),
        "message_en": (str, False),
    },
    "output": {
        "table": (str, True),
        "key": (list, True),
        "select": (str, False),
        "columns": (list, False),
        "rows_hook": (str, False),
    },
}
DUPLICATE_POLICIES = ("refuse_all",)  # every row sharing a key inside one file is refused
STRATEGIES = ("rows", "two_pass")
_CUSTOM_RULE_KEYS = {"reason", "column", "when", "value", "message_vi", "message_en"}


class SpecError(ValueError):
    """A spec that does not follow the spec language: the message names the file and the key."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = True
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSpec:
    checks: str | None = None  # built-in checks ('commune', 'duplicates' or a field name)
    reason: str | None = None
    column: str | None = None
    when: str | None = None
    value: str | None = None
    message_vi: str | None = None
    message_en: str | None = None


@dataclass(frozen=True)
class OutputSpec:
    table: str
    key: tuple[str, ...]
    select: str | None = None
    columns: tuple[str, ...] = ()
    rows_hook: str | None = None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    folder: str
    description: str
    required: tuple[str, ...]  # alternatives joined by '|'
    columns: dict[str, list[str]]  # canonical column -> aliases (document order)
    outputs: tuple[OutputSpec, ...]
    groups: tuple[str, ...] = ()  # index group columns (the index kind only)
    reader: str | None = None
    strategy: str = "rows"
    fields: dict[str, Field] = field(default_factory=dict)
    derived: tuple[tuple[str, str], ...] = ()
    after_parse: tuple[str, ...] = ()
    duplicates: dict[str, str] | None = None
    rules: tuple[RuleSpec, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        """The table its rows load into (the primary output)."""
        return self.outputs[0].table

    @property
    def key(self) -> tuple[str, ...]:
        return self.outputs[0].key

    @property
    def tabular(self) -> bool:
        return self.reader is None

    def stage(self, *args: Any, **kwargs: Any):
        """Stage a file of this kind with the engine (imported on first use: specs are read without it)."""
        from etl.sources import engine

        return engine.stage(self, *args, **kwargs)


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


SHARED_COLUMNS: dict[str, list[str]] = _load(_HERE / "shared_columns.toml")


def _columns(raw: dict[str, Any], where: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            if value.get("shared") not in SHARED_COLUMNS or set(value) - {"shared", "plus"}:
                raise SpecError(
                    f"{where}: column {name!r}: {{ shared = <a name in shared_columns.toml>, "
                    f"plus = [...] }} expected"
                )
            out[name] = [*SHARED_COLUMNS[value["shared"]], *value.get("plus", [])]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[name] = list(value)
        else:
            raise SpecError(f"{where}: column {name!r}: a list of header texts expected")
    return out


def _check(table: Any, part: str, where: str) -> None:
    """Refuse keys the spec language does not have, missing required keys, and values of another type."""
    if not isinstance(table, dict):
        raise SpecError(f"{where}: a table expected")
    allowed = SCHEMA[part]
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise SpecError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(allowed)})")
    for key, (kind, needed) in allowed.items():
        if key not in table:
            if needed:
                raise SpecError(f"{where}: required key {key!r} is missing")
        elif not isinstance(table[key], kind) or (kind is not bool and isinstance(table[key], bool)):
            names = "/".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise SpecError(f"{where}: {key!r} must be a {names}, not {type(table[key]).__name__}")


def parse_spec(raw: dict[str, Any], path: Path, kind: str, folder: str) -> KindSpec:
    """A spec file's content checked against the spec language; SpecError names what is wrong."""
    _check(raw, "spec", str(path))
    if raw["kind"] != kind:
        raise SpecError(f"{path}: kind = {raw['kind']!r}, registered as {kind!r}")
    columns = _columns(raw.get("columns", {}), path)
    fields: dict[str, Field] = {}
    for name, f in raw.get("fields", {}).items():
        _check(f, "field", f"{path}: [fields.{name}]")
        if f["type"] not in FIELD_TYPES:
            raise SpecError(
                f"{path}: [fields.{name}] type {f['type']!r} is not one of {', '.join(FIELD_TYPES)}"
            )
        if name not in columns and f["type"] != "sql":
            raise SpecError(f"{path}: [fields.{name}] has no header aliases in [columns]")
        if f["type"] == "sql" and "parse" not in f:
            raise SpecError(f"{path}: [fields.{name}] type 'sql' needs parse = '<SQL over raw_{name}>'")
        if f["type"] == "choice" and "accepted" not in f:
            raise SpecError(f"{path}: [fields.{name}] type 'choice' needs accepted = {{ code = [words] }}")
        opts = {k: v for k, v in f.items() if k not in ("type", "required")}
        fields[name] = Field(name, f["type"], f.get("required", True), opts)
    derived = []
    for i, d in enumerate(raw.get("derived", [])):
        _check(d, "derived", f"{path}: [[derived]] #{i + 1}")
        derived.append((d["name"], d["sql"]))
    dup = raw.get("duplicates")
    if dup is not None:
        _check(dup, "duplicates", f"{path}: [duplicates]")
        if dup["policy"] not in DUPLICATE_POLICIES:
            raise SpecError(
                f"{path}: [duplicates] policy {dup['policy']!r} is not one of {DUPLICATE_POLICIES}"
            )
    rules = []
    for i, r in enumerate(raw.get("rules", [])):
        where = f"{path}: [[rules]] #{i + 1}"
        _check(r, "rule", where)
        if "checks" in r:
            if set(r) != {"checks"}:
                raise SpecError(f"{where}: checks = ... stands alone (the checks' messages are built in)")
            if r["checks"] not in ("commune", "duplicates") and r["checks"] not in fields:
                raise SpecError(
                    f"{where}: checks = {r['checks']!r} is not 'commune', 'duplicates' or a field"
                )
            if r["checks"] == "duplicates" and not (dup and {"column", "what_vi", "what_en"} <= set(dup)):
                raise SpecError(f"{where}: checks = 'duplicates' needs [duplicates] column, what_vi, what_en")
        elif set(r) != _CUSTOM_RULE_KEYS:
            missing = sorted(_CUSTOM_RULE_KEYS - set(r))
            raise SpecError(f"{where}: a rule needs {', '.join(missing)} (or checks = ...)")
        elif r["column"] not in columns:
            raise SpecError(f"{where}: column {r['column']!r} is not a column of the spec")
        rules.append(RuleSpec(**r))
    outputs = []
    for i, o in enumerate(raw["outputs"]):
        _check(o, "output", f"{path}: [[outputs]] #{i + 1}")
        if "reader" not in raw and sum(k in o for k in ("select", "columns", "rows_hook")) != 1:
            raise SpecError(f"{path}: [[outputs]] #{i + 1}: give exactly one of select, columns, rows_hook")
        outputs.append(
            OutputSpec(
                o["table"], tuple(o["key"]), o.get("select"), tuple(o.get("columns", ())), o.get("rows_hook")
            )
        )
    if not outputs:
        raise SpecError(f"{path}: at least one [[outputs]] is needed")
    strategy = raw.get("strategy", "rows")
    if strategy not in STRATEGIES:
        raise SpecError(f"{path}: strategy {strategy!r} is not one of {STRATEGIES}")
    if "reader" not in raw and not columns:
        raise SpecError(f"{path}: a tabular kind needs [columns] (its headers)")
    for req in raw.get("required", []):
        for alt in req.split("|"):
            if alt not in columns:
                raise SpecError(f"{path}: required column {alt!r} is not in [columns]")
    return KindSpec(
        kind=kind,
        folder=folder,
        description=raw["description"],
        required=tuple(raw.get("required", ())),
        columns=columns,
        outputs=tuple(outputs),
        groups=tuple(raw.get("groups", ())),
        reader=raw.get("reader"),
        strategy=strategy,
        fields=fields,
        derived=tuple(derived),
        after_parse=tuple(raw.get("after_parse", ())),
        duplicates=dup,
        rules=tuple(rules),
        notes=tuple(raw.get("notes", ())),
    )


def _spec(kind: str, folder: str) -> KindSpec:
    path = _HERE / folder / "spec.toml"
    return parse_spec(_load(path), path, kind, folder)


ALL_KINDS: dict[str, KindSpec] = {kind: _spec(kind, folder) for kind, folder in _FOLDERS.items()}
# The kinds read from a table of rows with a header (detected from their headers, `--kind` choices).
KINDS: dict[str, KindSpec] = {k: s for k, s in ALL_KINDS.items() if s.tabular}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def spec(kind: str) -> KindSpec:
    return ALL_KINDS[kind]


def for_file(path: Path, kind: str | None = None) -> KindSpec | None:
    """The kind whose reader reads this file (portal JSON by its type, or `kind` = 'portal'), else
    `kind`'s spec, else None: a tabular file whose kind its header row tells (`etl.headers.detect_kind`)."""
    for s in ALL_KINDS.values():
        if s.reader is not None and (kind == s.kind or path.suffix.lower() == f".{_READER_SUFFIX[s.reader]}"):
            return s
    return KINDS[kind] if kind else None


_READER_SUFFIX = {"portal_json": "json"}
