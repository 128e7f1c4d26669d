"""The source kinds are registered once (etl/sources/registry.py) and declared once (each kind's
spec.toml, checked against the spec language `registry.SCHEMA`); one engine stages them all, and every
rule a spec declares is broken by at least one row of tests/fixtures/sources/."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pytest

from etl import cli, headers, loader
from etl.loader import load_files
from etl.sources import engine, hooks, registry
from tests.conftest import sql

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ROOT / "etl" / "sources"
FIXTURES = ROOT / "tests" / "fixtures" / "sources"
SCHEMA_FILES = ["schema.sql", "schema_index.sql", "schema_skills.sql"]


@pytest.fixture(scope="module")
def schema():
    con = duckdb.connect()
    for name in SCHEMA_FILES:
        con.execute((ROOT / "etl" / "sql" / name).read_text())
    yield con
    con.close()


def test_every_folder_with_a_spec_is_registered_and_every_registered_kind_has_one():
    folders = {p.parent.name for p in SOURCES.glob("*/spec.toml")}
    assert folders == {s.folder for s in registry.ALL_KINDS.values()}
    # Spec-only folders: no kind carries code of its own (hooks live in etl/sources/hooks.py).
    assert not [p for p in SOURCES.glob("*/*.py")], "kind folders hold a spec.toml only"
    assert not (SOURCES / "skills_common.py").exists()


def _table_columns(schema, table: str) -> set[str]:
    return {
        r[0]
        for r in schema.execute(
            "select column_name from information_schema.columns where table_name = ?", [table]
        ).fetchall()
    }


@pytest.mark.parametrize("kind", list(registry.ALL_KINDS))
def test_spec_is_consistent_with_the_warehouse_and_the_hooks(kind, schema):
    s = registry.spec(kind)
    for req in s.required:
        assert all(alt in s.columns for alt in req.split("|")), f"{kind}: required {req!r} is not a column"
    for out in s.outputs:
        cols = _table_columns(schema, out.table)
        assert cols, f"{kind}: table {out.table} is not in the schema"
        assert set(out.key) <= cols, f"{kind}: key {out.key} not all columns of {out.table}"
        pk = schema.execute(
            "select constraint_column_names from duckdb_constraints() "
            "where table_name = ? and constraint_type = 'PRIMARY KEY'",
            [out.table],
        ).fetchall()
        if pk and s.tabular:
            assert tuple(pk[0][0]) == out.key, f"{kind}: {out.table} key {out.key} != primary key {pk[0][0]}"
        elif pk:  # (portal indicators are replaced by unit and group: a coarser key than the table's)
            assert set(out.key) <= set(pk[0][0]), f"{kind}: {out.table} key {out.key} not in {pk[0][0]}"
        if out.columns:
            assert set(out.columns) <= cols | {"source_row"}, f"{kind}: {out.table} has no {out.columns}"
    named = [s.reader, *s.after_parse, *s.notes, *(o.rows_hook for o in s.outputs if s.tabular)]
    named += [
        f.options["max"][5:] for f in s.fields.values() if str(f.options.get("max", "")).startswith("hook:")
    ]
    for name in filter(None, named):
        assert name in hooks.HOOKS, f"{kind}: hook {name!r} is not in etl/sources/hooks.py"
    for g in s.groups:
        assert g in s.columns and g in s.fields


def test_consumers_read_the_registry():
    assert tuple(loader.KINDS) == registry.KIND_NAMES
    assert set(loader.STAGERS) == set(registry.KIND_NAMES)
    assert tuple(headers.KIND_COLUMNS) == registry.KIND_NAMES
    load = cli._parser()._subparsers._group_actions[0].choices["load"]
    kind_action = next(a for a in load._actions if a.dest == "kind")
    assert tuple(kind_action.choices) == registry.KIND_NAMES


def test_for_file_finds_the_reader_kinds_by_file_type_and_name():
    assert registry.for_file(Path("x.json")).kind == "portal"
    assert registry.for_file(Path("x.JSON"), "dossiers").kind == "portal"
    assert registry.for_file(Path("x.csv"), "portal").kind == "portal"
    assert registry.for_file(Path("x.csv"), "vneid").kind == "vneid"
    assert registry.for_file(Path("x.csv")) is None  # told from its header row


def test_shared_aliases_expand_in_order():
    sig = registry.spec("signatures").columns
    assert sig["commune_code"] == registry.SHARED_COLUMNS["commune_code"]
    assert (
        sig["commune_name"][: len(registry.SHARED_COLUMNS["commune_name"])]
        == registry.SHARED_COLUMNS["commune_name"]
    )
    assert sig["commune_name"][-2:] == ["Tên đơn vị", "Đơn vị"]


def test_a_bad_shared_reference_is_refused(tmp_path):
    with pytest.raises(registry.SpecError, match="shared"):
        registry._columns({"x": {"shared": "no_such_set"}}, tmp_path / "spec.toml")


# --- a broken spec is refused, saying where and what -------------------------------------------------


def _vneid() -> dict:
    with (SOURCES / "vneid" / "spec.toml").open("rb") as f:
        return tomllib.load(f)


def _break(change):
    raw = _vneid()
    change(raw)
    return raw


BROKEN = {
    "unknown top-level key": (lambda r: r.update(tabel="x"), r"unknown key 'tabel'"),
    "no outputs": (lambda r: r.pop("outputs"), r"required key 'outputs' is missing"),
    "unknown field type": (
        lambda r: r["fields"]["month"].update(type="moon"),
        r"\[fields.month\] type 'moon' is not one of",
    ),
    "unknown field key": (
        lambda r: r["fields"]["month"].update(minimum=1),
        r"\[fields.month\]: unknown key 'minimum'",
    ),
    "field of the wrong shape": (
        lambda r: r["fields"]["adults_certified"].update(required="no"),
        r"'required' must be a bool, not str",
    ),
    "field without headers": (lambda r: r["fields"].update(nothing={"type": "count"}), r"no header aliases"),
    "rule without a message": (
        lambda r: r["rules"][4].pop("message_en"),
        r"\[\[rules\]\] #5: a rule needs message_en",
    ),
    "rule about an unknown column": (
        lambda r: r["rules"][4].update(column="nowhere"),
        r"column 'nowhere' is not a column of the spec",
    ),
    "checks of an unknown field": (lambda r: r["rules"].append({"checks": "nowhere"}), r"checks = 'nowhere'"),
    "checks with a message": (
        lambda r: r["rules"][0].update(message_vi="'x'"),
        r"checks = \.\.\. stands alone",
    ),
    "unknown duplicate policy": (
        lambda r: r["duplicates"].update(policy="keep_last"),
        r"policy 'keep_last' is not one of",
    ),
    "output without rows": (
        lambda r: r["outputs"][0].pop("columns"),
        r"give exactly one of select, columns, rows_hook",
    ),
    "required column without headers": (
        lambda r: r["required"].append("nowhere"),
        r"required column 'nowhere' is not in \[columns\]",
    ),
    "another kind's name": (lambda r: r.update(kind="population"), r"registered as 'vneid'"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_spec_is_refused_with_a_clear_message(case):
    change, message = BROKEN[case]
    path = SOURCES / "vneid" / "spec.toml"
    with pytest.raises(registry.SpecError, match=message) as e:
        registry.parse_spec(_break(change), path, "vneid", "vneid")
    assert str(path) in str(e.value)  # the message names the file


def test_the_specs_as_shipped_parse():
    for kind, folder in registry._FOLDERS.items():
        path = SOURCES / folder / "spec.toml"
        with path.open("rb") as f:
            assert registry.parse_spec(tomllib.load(f), path, kind, folder) == registry.spec(kind)


def test_an_unknown_hook_is_refused_by_name():
    with pytest.raises(KeyError, match="no hook 'nowhere' in etl/sources/hooks.py"):
        hooks.get("nowhere")


# --- every rule of every spec is broken by a row of the fixtures ----------------------------------


def _declared_rules(kind: str) -> set[str]:
    """Every reject reason the spec can give (built-in checks expanded, every field present)."""
    s = registry.spec(kind)
    ctx = engine.Context(s, None, None, {c: c for c in s.columns}, {}, {})
    return {r.rule for r in engine.build_rules(ctx)}


@pytest.fixture(scope="module")
def fixture_rejects(tmp_path_factory):
    """kind -> the reasons its fixture files' rows were refused for, and the rows loaded."""
    out: dict[str, tuple[set[str], int]] = {}
    for path in sorted(FIXTURES.glob("*.csv")):
        db = tmp_path_factory.mktemp(path.stem) / "warehouse.duckdb"
        summary = load_files([path], db)
        f = summary.files[0]
        assert f.status == "partial", (f.status, f.message_en)
        reasons = set(f.reasons)
        assert reasons == {r[0] for r in sql(db, "select distinct rule from etl_reject")}
        kind = f.kind
        seen, loaded = out.get(kind, (set(), 0))
        out[kind] = (seen | reasons, loaded + f.rows_loaded)
    return out


@pytest.mark.parametrize("kind", registry.KIND_NAMES)
def test_every_rule_of_the_spec_is_broken_by_a_fixture_row(kind, fixture_rejects):
    assert kind in fixture_rejects, f"no tests/fixtures/sources/{kind}*_bad.csv"
    fired, loaded = fixture_rejects[kind]
    missing = _declared_rules(kind) - fired
    assert not missing, f"{kind}: rules no fixture row breaks: {sorted(missing)}"
    assert fired <= _declared_rules(kind)
    assert loaded >= 1, f"{kind}: the fixture's valid row was not loaded"


GOOD_VALUE = {
    "count": ("1.234", 1234),
    "month": ("10/2025", "2025-10-01"),
    "year": ("Năm 2025", 2025),
    "date": ("05/10/2025", "2025-10-05"),
    "timestamp": ("05/10/2025 08:30", "2025-10-05 08:30:00"),
    "text": ("a   b", "a b"),
    "choice": ("Â", "a"),
    "decimal": ("1,5", 1.5),
    "score": ("7.5", 7.5),
    "sql": ("x", "x"),
}


@pytest.mark.parametrize("type_", registry.FIELD_TYPES)
def test_the_engine_parses_and_checks_every_field_type_of_the_spec_language(type_):
    from etl.sources import common as C

    opts = {"parse": "raw_x", "max": 10, "accepted": {"a": ["a"]}, "invalid_vi": "''", "invalid_en": "''"}
    f = registry.Field("x", type_, True, opts)
    con = duckdb.connect()
    C.install_macros(con)
    parse = (
        engine.choice_sql(engine.plain_sql("raw_x"), opts["accepted"])
        if type_ == "choice"
        else engine.parse_sql(f)
    )
    raw, expected = GOOD_VALUE[type_]
    got = con.execute(f"select cast({parse} as varchar) from (select ? as raw_x)", [raw]).fetchall()[0][0]
    assert got == str(expected)
    assert type_ in ("decimal", "sql") or engine.field_checks(f), f"{type_}: no built-in checks"
