"""The source kinds are registered once (etl/sources/registry.py, each kind's spec.toml) and every
consumer reads that registry: the loader, the CLI's --kind choices, header mapping and kind detection."""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb
import pytest

from etl import cli, headers, loader
from etl.sources import registry

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_FILES = ["schema.sql", "schema_index.sql", "schema_skills.sql"]


@pytest.fixture(scope="module")
def schema():
    con = duckdb.connect()
    for name in SCHEMA_FILES:
        con.execute((ROOT / "etl" / "sql" / name).read_text())
    yield con
    con.close()


def test_every_folder_with_a_spec_is_registered_and_every_registered_kind_has_one():
    folders = {p.parent.name for p in (ROOT / "etl" / "sources").glob("*/spec.toml")}
    assert folders == {s.folder for s in registry.KINDS.values()}


@pytest.mark.parametrize("kind", registry.KIND_NAMES)
def test_spec_is_consistent(kind, schema):
    s = registry.spec(kind)
    assert callable(importlib.import_module(s.module).stage)
    for req in s.required:
        assert all(alt in s.columns for alt in req.split("|")), f"{kind}: required {req!r} is not a column"
    cols = {
        r[0]
        for r in schema.execute(
            "select column_name from information_schema.columns where table_name = ?", [s.table]
        ).fetchall()
    }
    assert cols, f"{kind}: table {s.table} is not in the schema"
    assert set(s.key) <= cols, f"{kind}: key {s.key} not all columns of {s.table}"
    pk = schema.execute(
        "select constraint_column_names from duckdb_constraints() "
        "where table_name = ? and constraint_type = 'PRIMARY KEY'",
        [s.table],
    ).fetchall()
    if pk:
        assert tuple(pk[0][0]) == s.key, f"{kind}: spec key {s.key} != {s.table}'s primary key {pk[0][0]}"
    for g in s.groups:
        assert g in s.columns


def test_consumers_read_the_registry():
    assert tuple(loader.KINDS) == registry.KIND_NAMES
    assert set(loader.STAGERS) == set(registry.KIND_NAMES)
    assert tuple(headers.KIND_COLUMNS) == registry.KIND_NAMES
    load = cli._parser()._subparsers._group_actions[0].choices["load"]
    kind_action = next(a for a in load._actions if a.dest == "kind")
    assert tuple(kind_action.choices) == registry.KIND_NAMES


def test_shared_aliases_expand_in_order():
    sig = registry.spec("signatures").columns
    assert sig["commune_code"] == registry.SHARED_COLUMNS["commune_code"]
    assert (
        sig["commune_name"][: len(registry.SHARED_COLUMNS["commune_name"])]
        == registry.SHARED_COLUMNS["commune_name"]
    )
    assert sig["commune_name"][-2:] == ["Tên đơn vị", "Đơn vị"]


def test_a_bad_shared_reference_is_refused(tmp_path):
    with pytest.raises(ValueError, match="shared"):
        registry._columns({"x": {"shared": "no_such_set"}}, tmp_path / "spec.toml")
