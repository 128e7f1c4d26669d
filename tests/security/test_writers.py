"""The warehouse's writers (issue 13): a steward's load writes nothing outside the province, in any
table, at any level; rebuild replays each load with its restriction and keeps the audit; every
writer takes the one lock, so a load during a rebuild survives it; a writer that must wait says
so, and gives up clearly; the ETL's files are not world-readable; reads spill to a private folder."""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from etl import config, loader
from etl.loader import load_files, preview_files, rebuild, refresh_marts, warehouse_lock
from tests.conftest import FIXTURES, ROOT, file_sha, sql, write_csv

H = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]
STEWARD = {"uploaded_by": "st", "role": "steward", "scope_code": 25, "province_code": 25}
FACT_TABLES = [
    "fact_dossier",
    "fact_signature_month",
    "fact_index_score",
    "fact_index_total",
    "fact_index_department",
    "fact_index_province",
    "fact_index_indicator",
    "fact_population_year",
    "fact_digital_team",
    "fact_training_session",
    "fact_vneid_month",
]
WAIT = 300  # seconds an event may take at most on a busy machine (a safety net, never a timing assert)


def dossiers(path: Path, prefix: str, n: int, commune: int = 8380) -> Path:
    return write_csv(
        path, H, [[f"{prefix}{i}", commune, "05/12/2025", "10/12/2025", "08/12/2025", 2] for i in range(n)]
    )


def ha_noi_json(path: Path) -> Path:
    """The Phú Thọ CKMB response turned into Hà Nội's: its overview names Hà Nội, it holds a Hà Nội
    commune and a Hà Nội department (issue 13, finding 2)."""
    d = json.loads((FIXTURES / "portal" / "ckmb-phu-tho-2026-08.json").read_text(encoding="utf-8"))
    d = copy.deepcopy(d)
    d["data"]["overview"]["departmentName"] = "UBND thành phố Hà Nội"
    units = d["data"]["evaluation"]
    department = next(u for u in units if u["departmentLevel"] == "PROVINCE")
    department.update(departmentName="Sở Y tế - Thành phố Hà Nội", departmentId="ha-noi-so-y-te")
    commune = units[0]
    commune["departmentName"] = "UBND xã Đại Xuyên"
    d["data"]["evaluation"] = [commune, department]
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return path


def province_rows(db: Path, province: int) -> dict[str, int]:
    return {
        t: sql(db, f"select count(*) from {t} where province_code = ?", [province])[0][0] for t in FACT_TABLES
    }


@pytest.fixture
def fresh(tmp_path) -> Path:
    """A warehouse built here from files this test writes (so rebuild has a complete manifest)."""
    db = tmp_path / "data" / "warehouse.duckdb"
    assert load_files([dossiers(tmp_path / "co-so.csv", "BASE", 10)], db).exit_code == 0
    return db


# --- finding 2: nothing outside the steward's province, in any table --------------------------------


def test_cross_province_json_writes_nothing_of_the_other_province(fresh, tmp_path):
    f = ha_noi_json(tmp_path / "ckmb-ha-noi-2026-08.json")
    before = province_rows(fresh, 1)
    preview, rejects = preview_files([f], fresh, allowed_province=25)
    s = load_files([f], fresh, allowed_province=25, audit=STEWARD)
    for res in (preview.files[0], s.files[0]):
        # two units read (a commune, a department) and the province total: all three outside
        assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (2, 0, 3)
        assert res.reasons == {"outside_scope": 3}
    assert province_rows(fresh, 1) == before  # nothing of Hà Nội, in any table
    load_id = s.files[0].load_id
    assert all(
        sql(fresh, f"select count(*) from {t} where load_id = ?", [load_id])[0][0] == 0 for t in FACT_TABLES
    )
    got = sql(
        fresh,
        "select row_number, column_name, value, message_en, message_vi from etl_reject "
        "where load_id = ? and rule = 'outside_scope' order by row_number",
        [load_id],
    )
    assert [(r[0], r[1], r[2]) for r in got] == [
        (0, "province_code", "1"),
        (1, "commune_code", "10333"),
        (2, "province_code", "1"),
    ]
    assert "department Sở Y tế - Thành phố Hà Nội — province_code 1 is not in province 25" in got[2][3]
    assert "sở/ngành Sở Y tế - Thành phố Hà Nội — mã tỉnh 1 không thuộc tỉnh 25" in got[2][4]
    assert [r["rule"] for r in rejects] == ["outside_scope"] * 3
    audit = sql(fresh, "select status, rows_read, rows_loaded, rows_rejected, reasons from etl_upload_audit")
    assert audit == [("partial", 2, 0, 3, '{"outside_scope": 3}')]


def test_dossier_rows_of_another_province_stay_out(fresh, tmp_path):
    f = write_csv(
        tmp_path / "tron.csv",
        H,
        [["PT1", 8380, "05/12/2025", "", "", 2], ["HN1", 10333, "05/12/2025", "", "", 2]],
    )
    s = load_files([f], fresh, allowed_province=25, audit=STEWARD)
    assert (s.files[0].rows_loaded, s.files[0].rows_rejected) == (1, 1)
    assert sql(fresh, "select count(*) from fact_dossier where province_code <> 25") == [(0,)]


# --- finding 3: rebuild replays the restriction and keeps the audit --------------------------------


def _snapshot(db: Path) -> dict:
    return {
        "facts": {
            t: sql(db, f"select count(*), count(*) filter (where province_code <> 25) from {t}")[0]
            for t in FACT_TABLES
        },
        "loads": sql(
            db,
            "select load_id, file_name, content_sha256, rows_read, rows_loaded, rows_rejected, status "
            "from etl_load order by load_id",
        ),
        "rejects": sql(db, "select * from etl_reject order by all"),
        "audit": sql(db, "select * from etl_upload_audit order by upload_id"),
    }


def test_rebuild_after_a_restricted_load_keeps_the_restriction_and_the_audit(fresh, tmp_path):
    mixed = write_csv(
        tmp_path / "tron.csv",
        H,
        [[f"PT{i}", 8380, "05/12/2025", "", "", 2] for i in range(3)]
        + [[f"HN{i}", 10333, "05/12/2025", "", "", 2] for i in range(4)],
    )
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    load_files([mixed, broken], fresh, allowed_province=25, audit=STEWARD)
    load_files(
        [ha_noi_json(tmp_path / "ckmb-ha-noi-2026-08.json")], fresh, allowed_province=25, audit=STEWARD
    )
    load_files([dossiers(tmp_path / "sau.csv", "LATER", 2)], fresh)  # a command-line load
    before = _snapshot(fresh)
    assert before["facts"]["fact_dossier"] == (15, 0)
    assert len(before["audit"]) == 3 and any(r[10] == "failed" for r in before["audit"])
    manifest = [json.loads(x) for x in (config.files_dir(fresh) / "manifest.jsonl").read_text().splitlines()]
    assert [(m["allowed_province"], m["uploaded_by"]) for m in manifest] == [
        (None, None),
        (25, "st"),
        (25, "st"),
        (None, None),
    ]
    for f in tmp_path.glob("*.*"):
        f.unlink()  # only the kept copies remain
    s = rebuild(fresh)
    assert all(f.status in ("loaded", "partial") for f in s.files)
    assert _snapshot(fresh) == before  # facts, loads, rejects, audit: identical
    assert sql(fresh, "select count(*) from fact_dossier where dossier_id like 'HN%'") == [(0,)]


def test_rebuild_of_an_older_manifest_takes_the_restriction_from_the_audit(fresh, tmp_path):
    mixed = write_csv(
        tmp_path / "tron.csv",
        H,
        [["PT1", 8380, "05/12/2025", "", "", 2], ["HN1", 10333, "05/12/2025", "", "", 2]],
    )
    load_files([mixed], fresh, allowed_province=25, audit=STEWARD)
    store = config.files_dir(fresh)
    old = [
        {k: v for k, v in json.loads(x).items() if k in ("file_name", "stored_path", "sha256", "kind")}
        for x in (store / "manifest.jsonl").read_text().splitlines()
    ]
    (store / "manifest.jsonl").write_text("".join(json.dumps(e) + "\n" for e in old))  # as 17624a3 wrote it
    (store / "upload-audit.jsonl").unlink()  # no journal yet either
    before = _snapshot(fresh)
    rebuild(fresh)
    assert _snapshot(fresh) == before


# --- finding 4: one lock for every writer ----------------------------------------------------------


def test_a_load_during_a_rebuild_survives_it(fresh, tmp_path, monkeypatch):
    load_files([dossiers(tmp_path / "hai.csv", "SECOND", 5)], fresh)
    rebuilding, go, load_waiting = threading.Event(), threading.Event(), threading.Event()
    named_copies = loader._named_copies

    def paused(*args, **kwargs):  # inside rebuild, holding the lock
        rebuilding.set()
        assert go.wait(WAIT)
        return named_copies(*args, **kwargs)

    monkeypatch.setattr(loader, "_named_copies", paused)
    results: dict[str, object] = {}

    def run(name, fn):
        try:
            results[name] = fn()
        except BaseException as err:  # pragma: no cover - reported below
            results[name] = err

    rb = threading.Thread(target=run, args=("rebuild", lambda: rebuild(fresh)))
    rb.start()
    assert rebuilding.wait(WAIT)
    new = dossiers(tmp_path / "moi.csv", "DURING", 7)
    ld = threading.Thread(
        target=run, args=("load", lambda: load_files([new], fresh, on_wait=lambda vi, en: load_waiting.set()))
    )
    ld.start()
    assert load_waiting.wait(WAIT), "the load did not wait for the rebuild's lock"
    go.set()
    rb.join(WAIT)
    ld.join(WAIT)
    assert not isinstance(results["rebuild"], BaseException), results["rebuild"]
    assert results["load"].exit_code == 0, results["load"]
    counts = dict(sql(fresh, "select left(dossier_id, 4), count(*) from fact_dossier group by 1"))
    assert counts == {"BASE": 10, "SECO": 5, "DURI": 7}
    assert [r[0] for r in sql(fresh, "select file_name from etl_load order by load_id")] == [
        "co-so.csv",
        "hai.csv",
        "moi.csv",
    ]


def test_every_writer_waits_for_the_lock_and_gives_up_clearly(fresh, tmp_path):
    env = {**os.environ, "CDS_WAREHOUSE": str(fresh)}
    f = dossiers(tmp_path / "cho.csv", "WAIT", 4)
    before = file_sha(fresh)
    with warehouse_lock(fresh):
        for args in (["load", str(f)], ["marts"], ["rebuild"]):
            r = subprocess.run(
                [sys.executable, "-m", "etl", *args],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**env, "CDS_ETL_LOCK_TIMEOUT": "0"},
                timeout=WAIT,
            )
            assert r.returncode == 3, (args, r.returncode, r.stderr)
            assert "waiting for another load to finish" in r.stderr and "nothing was changed" in r.stderr
            assert "đang chờ một lần nạp khác" in r.stderr
        assert file_sha(fresh) == before
        with pytest.raises(loader.WarehouseBusy):
            refresh_marts(fresh, lock_timeout=0, on_wait=lambda vi, en: None)
        # With time to wait: the load says it waits, and goes on once the lock is free.
        proc = subprocess.Popen(
            [sys.executable, "-m", "etl", "load", str(f), "--lang", "en"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = proc.stderr.readline()  # synchronised on the message, not on time
        assert "waiting for another load" in first or "đang chờ" in first, first
    out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 0, err
    assert sql(fresh, "select count(*) from fact_dossier where dossier_id like 'WAIT%'") == [(4,)]


def test_the_lake_export_holds_the_warehouse_lock_shared(fresh, tmp_path, monkeypatch):
    from etl.lake import export_lake

    with warehouse_lock(fresh, shared=True):  # another reader: both may read at once
        export_lake(fresh, tmp_path / "lake")
    monkeypatch.setenv("CDS_ETL_LOCK_TIMEOUT", "0")
    with warehouse_lock(fresh), pytest.raises(loader.WarehouseBusy):
        export_lake(fresh, tmp_path / "lake")  # a writer holds it: the export does not read


# --- data files are not world-readable -------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_data_files_are_0640_and_folders_0750(tmp_path):
    old = os.umask(0o022)
    try:
        db = tmp_path / "data" / "warehouse.duckdb"
        load_files([dossiers(tmp_path / "a.csv", "PERM", 2)], db, allowed_province=25, audit=STEWARD)
        store = config.files_dir(db)
        kept = [p for p in store.rglob("*") if p.is_file()]
        assert {p.name for p in kept} >= {"manifest.jsonl", "upload-audit.jsonl"} and len(kept) == 3
        for p in [db, Path(str(db) + ".lock"), *kept]:
            assert _mode(p) == 0o640, (p, oct(_mode(p)))
        for d in [store, *(p for p in store.rglob("*") if p.is_dir())]:
            assert _mode(d) == 0o750, (d, oct(_mode(d)))
        refresh_marts(db)
        assert _mode(db) == 0o640
        rebuild(db)
        assert _mode(db) == 0o640
        from etl.lake import export_lake

        export_lake(db, tmp_path / "lake")
        for p in (tmp_path / "lake").rglob("*"):
            assert _mode(p) == (0o750 if p.is_dir() else 0o640), p
        # Tighter stays tighter.
        os.chmod(db, 0o600)
        load_files([dossiers(tmp_path / "b.csv", "PERM2", 1)], db)
        assert _mode(db) == 0o600
    finally:
        os.umask(old)


# --- reads spill to a private folder ---------------------------------------------------------------


def test_reads_spill_to_a_private_folder_not_a_planted_symlink(tmp_path):
    """A symlink planted at the old predictable path (cds-read-<uid>) never receives anything: each
    reading process makes its own 0700 folder under an unpredictable name."""
    code = """
import os, sys, tempfile
from pathlib import Path
from metrics import db
tempfile.tempdir = sys.argv[1]
planted = Path(sys.argv[1]) / f"cds-read-{os.getuid()}"
planted.symlink_to(sys.argv[2])
cur, _ = db._cursor()
spill = Path(cur.execute("select current_setting('temp_directory')").fetchall()[0][0])
st = os.lstat(spill)
print(spill, oct(st.st_mode & 0o777), st.st_uid == os.getuid(), spill.is_symlink(), spill == planted)
"""
    tmp, target = tmp_path / "tmp", tmp_path / "attacker"
    tmp.mkdir()
    target.mkdir()
    r = subprocess.run(
        [sys.executable, "-c", code, str(tmp), str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert r.returncode == 0, r.stderr
    spill, mode, mine, link, same = r.stdout.split()
    assert Path(spill).parent == tmp and Path(spill).name.startswith("cds-read-")
    assert (mode, mine, link, same) == ("0o700", "True", "False", "False")
    assert not Path(spill).exists()  # removed when the process ended
    assert list(target.iterdir()) == []
