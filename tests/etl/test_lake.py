"""The Parquet lake (etl/lake.py, `python -m etl export-lake`): the warehouse's tables as hive-partitioned
Parquet, and the warehouse's own mart SQL run over it giving the warehouse's marts, to the last bit.

One small demo warehouse (demo.build_demo) for the module: Xã Vân Bán and Xã Đại Xuyên, a few more
communes of Phú Thọ, Hà Nội and Sơn La, months 08/2025 to 10/2025 (dossiers, signatures, index, skills).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl import lake
from etl.loader import MART_FILES

ROOT = Path(__file__).resolve().parents[2]
VAN_BAN, DAI_XUYEN = 8380, 10333
PHU_THO, HA_NOI, SON_LA = 25, 1, 14
MONTHS = ("2025-08", "2025-10")
MARTS = [name.removesuffix(".sql") for name in MART_FILES]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from core.reference import commune_frame
    from demo import build_demo

    ref = commune_frame()
    codes = [VAN_BAN, DAI_XUYEN]
    for province, n in ((PHU_THO, 5), (HA_NOI, 3), (SON_LA, 2)):
        codes += ref[ref["province_code"] == province]["commune_code"].head(n).tolist()
    out = tmp_path_factory.mktemp("lake_warehouse")
    db = out / "warehouse.duckdb"
    summary = build_demo(db, out / "demo", communes=sorted(set(codes)), months=MONTHS)
    assert summary.exit_code in (0, 1), summary.to_dict()
    return db


@pytest.fixture(scope="module")
def exported(warehouse, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("lake") / "lake"
    return out, lake.export_lake(warehouse, out)


@pytest.fixture(scope="module")
def lake_con(exported):
    con = lake.lake_connection(exported[0])
    lake.build_marts_over(con)
    yield con
    con.close()


def _wh(db: Path):
    return duckdb.connect(str(db), read_only=True)


def _describe(con, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {relation}").fetchall()]


def _warehouse_lake_tables(db: Path) -> list[str]:
    con = _wh(db)
    try:
        return [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where table_name like 'dim%' "
                "or table_name like 'fact%' order by 1"
            ).fetchall()
        ]
    finally:
        con.close()


# --- layout and manifest -------------------------------------------------------------------------


def test_manifest_lists_every_reference_and_fact_table_with_its_rows(exported, warehouse):
    out, manifest = exported
    on_disk = json.loads((out / "_lake.json").read_text(encoding="utf-8"))
    assert on_disk["tables"] == manifest["tables"]
    assert on_disk["warehouse"] == str(warehouse.resolve())
    assert on_disk["exported_at"] and on_disk["format"] == "cds-parquet-lake"
    assert sorted(manifest["tables"]) == _warehouse_lake_tables(warehouse)
    con = _wh(warehouse)
    try:
        for name, info in manifest["tables"].items():
            assert info["rows"] == con.execute(f"select count(*) from {name}").fetchall()[0][0], name
    finally:
        con.close()
    assert manifest["tables"]["fact_dossier"]["rows"] > 0


def test_facts_are_partitioned_by_province_and_month(exported):
    out, manifest = exported
    tables = manifest["tables"]
    assert tables["fact_dossier"]["partition_by"] == ["province_code", "month"]
    assert tables["fact_dossier"]["extra_columns"] == ["month"]
    assert tables["fact_signature_month"]["partition_by"] == ["province_code", "month"]
    assert tables["fact_signature_month"]["extra_columns"] == []  # month is a contract column
    assert tables["fact_index_score"]["partition_by"] == ["province_code", "period_start"]
    assert tables["fact_training_session"]["partition_by"] == ["province_code", "month"]
    assert tables["fact_population_year"]["partition_by"] == ["province_code"]
    assert tables["dim_commune"]["partition_by"] == []
    assert list((out / "fact_dossier" / f"province_code={PHU_THO}").glob("month=2025-10/*.parquet"))
    assert list(
        (out / "fact_signature_month" / f"province_code={PHU_THO}").glob("month=2025-10-01/*.parquet")
    )
    assert (out / "dim_commune" / "data_0.parquet").is_file()
    # No leftovers of the export beside the lake.
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.suffix != ".lock"]


def test_lake_tables_have_the_warehouse_columns_and_types(exported, warehouse):
    """Read back with hive partitioning (types of the partition keys from the manifest) and the
    added partition column dropped: exactly the warehouse table's columns, in order, and types."""
    out, manifest = exported
    wh = _wh(warehouse)
    con = duckdb.connect()
    try:
        for name, info in manifest["tables"].items():
            glob = out / name / "**" / "*.parquet"
            if info["partition_by"]:
                types = ", ".join(f"'{k}': '{v}'" for k, v in info["hive_types"].items())
                rel = f"read_parquet('{glob}', hive_partitioning = true, hive_types = {{{types}}})"
            else:
                rel = f"read_parquet('{glob}')"
            got = [c for c in _describe(con, f"select * from {rel}") if c[0] not in info["extra_columns"]]
            assert got == _describe(wh, name), name
    finally:
        con.close()
        wh.close()


def test_lake_views_have_the_warehouse_columns_and_types(lake_con, warehouse):
    wh = _wh(warehouse)
    try:
        for name in _warehouse_lake_tables(warehouse):
            assert _describe(lake_con, name) == _describe(wh, name), name
    finally:
        wh.close()


def test_lake_tables_hold_the_warehouse_rows(lake_con, warehouse):
    wh = _wh(warehouse)
    try:
        for name in (
            "fact_dossier",
            "fact_signature_month",
            "fact_index_score",
            "fact_training_session",
            "dim_commune",
        ):
            query = f"select * from {name} order by all"
            assert lake_con.execute(query).fetchall() == wh.execute(query).fetchall(), name
    finally:
        wh.close()


# --- the marts over the lake -----------------------------------------------------------------------


@pytest.mark.parametrize("mart", MARTS)
def test_marts_over_the_lake_equal_the_warehouse_marts(lake_con, warehouse, mart):
    """Same mart SQL, same rows: sorted full contents compared with exact equality, floats included."""
    wh = _wh(warehouse)
    try:
        assert _describe(lake_con, mart) == _describe(wh, mart)
        expected = wh.execute(f"select * from {mart} order by all").fetchall()
    finally:
        wh.close()
    got = lake_con.execute(f"select * from {mart} order by all").fetchall()
    assert len(got) == len(expected) > 0
    assert got == expected


def test_the_marts_have_data_from_every_source(lake_con):
    ((dossiers, signed, index, trained),) = lake_con.execute(
        "select sum(dossiers_received), sum(docs_signed), count(index_total), sum(training_sessions) "
        f"from mart_commune_month where commune_code = {VAN_BAN}"
    ).fetchall()
    assert dossiers > 0 and signed > 0 and index > 0 and trained >= 0


# --- re-export and errors ----------------------------------------------------------------------------


def test_a_re_export_replaces_the_old_lake(warehouse, tmp_path):
    out = tmp_path / "lake"
    lake.export_lake(warehouse, out)
    stale = out / "fact_dossier" / "province_code=99" / "month=2000-01"
    stale.mkdir(parents=True)
    (stale / "data_0.parquet").write_bytes((next(out.glob("fact_dossier/*/*/*.parquet"))).read_bytes())
    first = json.loads((out / "_lake.json").read_text(encoding="utf-8"))["exported_at"]
    second = lake.export_lake(warehouse, out)
    assert not (out / "fact_dossier" / "province_code=99").exists()
    assert second["exported_at"] >= first
    con = lake.lake_connection(out)
    try:
        n = con.execute("select count(*) from fact_dossier").fetchall()[0][0]
    finally:
        con.close()
    assert n == second["tables"]["fact_dossier"]["rows"]
    assert [p.name for p in tmp_path.iterdir() if p.name != ".lake.lock"] == ["lake"]


def test_a_failed_export_leaves_the_old_lake_and_no_half_lake(warehouse, tmp_path, monkeypatch):
    out = tmp_path / "lake"
    before = lake.export_lake(warehouse, out)
    files_before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(lake, "_verify", fail)  # after every table is written, before the swap
    with pytest.raises(OSError):
        lake.export_lake(warehouse, out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == files_before
    assert (
        json.loads((out / "_lake.json").read_text(encoding="utf-8"))["exported_at"] == before["exported_at"]
    )
    assert [p.name for p in tmp_path.iterdir() if p.name != ".lake.lock"] == ["lake"]


def test_a_killed_exports_folders_are_cleaned_up(warehouse, tmp_path):
    out = tmp_path / "lake"
    lake.export_lake(warehouse, out)
    renamed = out.rename(tmp_path / ".lake.replaced-99999")  # killed between the two renames
    assert not out.exists() and renamed.exists()
    (tmp_path / ".lake.exporting-99999" / "fact_dossier").mkdir(parents=True)  # killed while writing
    lake.export_lake(warehouse, out)
    assert (out / "_lake.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lake.lock", "lake"]


def test_a_folder_that_is_not_a_lake_is_never_replaced(warehouse, tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(lake.LakeError) as err:
        lake.export_lake(warehouse, out)
    assert str(out) in err.value.message_en and str(out) in err.value.message_vi
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_missing_warehouse_is_a_clear_bilingual_error(tmp_path):
    missing = tmp_path / "nowhere" / "warehouse.duckdb"
    with pytest.raises(lake.LakeError) as err:
        lake.export_lake(missing, tmp_path / "lake")
    assert str(missing) in err.value.message_vi and "không tìm thấy kho dữ liệu" in err.value.message_vi
    assert str(missing) in err.value.message_en and "no warehouse" in err.value.message_en
    assert not (tmp_path / "lake").exists()


def test_cli_export_lake(warehouse, tmp_path):
    out = tmp_path / "lake"
    run = subprocess.run(
        [sys.executable, "-m", "etl", "export-lake", str(out), "--db", str(warehouse), "--lang", "en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"Parquet lake written: {out}") and "tables" in run.stdout
    assert (out / "_lake.json").is_file()


def test_cli_missing_warehouse_exits_non_zero_without_a_traceback(tmp_path):
    missing = tmp_path / "missing.duckdb"
    run = subprocess.run(
        [sys.executable, "-m", "etl", "export-lake", str(tmp_path / "lake"), "--db", str(missing)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 2 and all(str(missing) in line for line in lines)
    assert "không tìm thấy" in lines[0] and "no warehouse" in lines[1]
