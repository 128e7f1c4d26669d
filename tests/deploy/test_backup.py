"""Backups: `python -m etl backup DIR` then `python -m etl restore DIR` on an empty machine followed by
`python -m etl rebuild` reproduces the same marts and the same users; a backup taken while a load
holds the warehouse waits for it and holds the whole load; a changed file makes restore refuse."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from accounts.store import load_users
from etl import backup as B
from etl.loader import MART_FILES, load_files, warehouse_lock
from tests.conftest import write_csv

ROOT = Path(__file__).resolve().parents[2]
MARTS = [f.removesuffix(".sql") for f in MART_FILES]
USERS = """[users."pt.lanhdao"]
role = "province"
scope = 25
password_hash = "$2b$12$abcdefghijklmnopqrstuu5mJ0ZrS8a2ZQ6b8Y0E8sC7pWZ1l8b0a"
"""


def mart_checksums(db: Path) -> dict[str, tuple[int, str]]:
    """(rows, SHA-256 of every row in a fixed order) of each mart."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for mart in MARTS:
            rows = con.execute(f"select * from {mart} order by all").fetchall()
            out[mart] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def _server(tmp_path: Path, app_warehouse: Path) -> tuple[Path, dict]:
    """A served machine: a copy of the page tests' warehouse with its kept files, a users file, a
    mapping profile, alert rules and the sent-notifications record where the environment says."""
    live = tmp_path / "srv" / "lib"
    shutil.copytree(app_warehouse.parent, live, ignore=shutil.ignore_patterns("demo", "*.lock"))
    etc = tmp_path / "srv" / "etc"
    etc.mkdir()
    (etc / "users.toml").write_text(USERS, encoding="utf-8")
    (live / "mappings").mkdir()
    (live / "mappings" / "one-stop-2026.toml").write_text('[columns]\nMa_HS = "MaHoSo"\n', encoding="utf-8")
    (etc / "alert-rules.toml").write_text(
        '[[rule]]\nmetric = "on_time_rate"\nbelow = 0.8\n', encoding="utf-8"
    )
    # The record of sent notifications, with a line still being written (no newline yet).
    (etc / "notify-sent.jsonl").write_text('{"rule": 1, "commune": 8380}\n{"rule": 2', encoding="utf-8")
    env = {
        "DASHBOARD_USERS_FILE": str(etc / "users.toml"),
        "CDS_ALERT_RULES": str(etc / "alert-rules.toml"),
    }
    return live / "warehouse.duckdb", env


def test_backup_restore_rebuild_gives_the_same_marts_and_users(app_warehouse, tmp_path):
    db, env = _server(tmp_path, app_warehouse)
    manifest = B.backup(tmp_path / "backup", db, env=env)
    held = {i["item"]: i for i in manifest["items"]}
    assert set(held) == {"store", "users", "mappings", "alert-rules", "notify"}
    assert any(f["path"] == "manifest.jsonl" for f in held["store"]["files"])
    assert held["notify"]["files"][0]["size"] == len('{"rule": 1, "commune": 8380}\n')  # whole lines only
    assert manifest["skipped"] == []

    # An empty machine: other folders, the environment pointing there.
    new = tmp_path / "new"
    new_env = {
        "DASHBOARD_USERS_FILE": str(new / "etc" / "users.toml"),
        "CDS_ALERT_RULES": str(new / "etc" / "alert-rules.toml"),
        "CDS_WAREHOUSE": str(new / "lib" / "warehouse.duckdb"),
    }
    run_env = {**os.environ, **new_env}
    run_env.pop("CDS_NOTIFY_RECORD", None)
    run_env.pop("CDS_MAPPING_PROFILES", None)
    done = subprocess.run(
        [sys.executable, "-m", "etl", "restore", str(tmp_path / "backup")],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "python -m etl rebuild" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "etl", "rebuild", "--json"],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    rebuilt = new / "lib" / "warehouse.duckdb"
    assert mart_checksums(rebuilt) == mart_checksums(db)
    assert load_users(new / "etc" / "users.toml") == load_users(Path(env["DASHBOARD_USERS_FILE"]))
    assert (new / "lib" / "mappings" / "one-stop-2026.toml").read_text() == '[columns]\nMa_HS = "MaHoSo"\n'
    assert (new / "etc" / "notify-sent.jsonl").read_text() == '{"rule": 1, "commune": 8380}\n'
    assert (new / "etc" / "users.toml").stat().st_mode & 0o077 == 0


def test_absent_items_are_skipped_with_a_line_in_the_manifest(app_warehouse, tmp_path):
    db, _ = _server(tmp_path, app_warehouse)
    shutil.rmtree(db.parent / "mappings")
    manifest = B.backup(tmp_path / "backup", db, env={})
    assert {s["item"] for s in manifest["skipped"]} == {"mappings", "alert-rules", "notify"}
    assert "users" not in {i["item"] for i in manifest["items"]}  # open mode: no users file
    written = json.loads((tmp_path / "backup" / B.MANIFEST).read_text())
    assert written["skipped"] == manifest["skipped"]


def test_backup_waits_for_a_running_load_and_holds_all_of_it(tmp_path):
    """A load holds the writer lock from start to swap; the backup waits and then copies the store
    with that load's file and manifest line, never the manifest without the file."""
    db = tmp_path / "lib" / "warehouse.duckdb"
    header = ["MaHoSo", "MaXa", "NgayTiepNhan", "KenhThucHien"]
    assert (
        load_files([write_csv(tmp_path / "a.csv", header, [["A1", 8380, "02/10/2025", 2]])], db).exit_code
        == 0
    )
    second = write_csv(tmp_path / "b.csv", header, [["B1", 8380, "03/10/2025", 2]])
    holding, waiting, result = threading.Event(), threading.Event(), {}

    def writer():
        with warehouse_lock(db):
            holding.set()
            assert waiting.wait(120), "the backup never waited for the lock"
            assert not (tmp_path / "backup").exists()  # nothing written while the load runs
        # The lock is re-entered by the load itself (a real load, as a steward's upload would run).
        result["load"] = load_files([second], db)

    def backer():
        result["backup"] = B.backup(tmp_path / "backup", db, env={}, on_wait=lambda vi, en: waiting.set())

    t1 = threading.Thread(target=writer)
    t1.start()
    assert holding.wait(120)
    t2 = threading.Thread(target=backer)
    t2.start()
    t1.join(300)
    t2.join(300)
    assert result["load"].exit_code == 0
    store = next(i for i in result["backup"]["items"] if i["item"] == "store")
    kept = [f["path"] for f in store["files"] if f["path"] not in ("manifest.jsonl", "upload-audit.jsonl")]
    lines = (tmp_path / "backup" / "store" / "manifest.jsonl").read_text().splitlines()
    # Either the load ran first (two files) or the backup did (one): the manifest names exactly the
    # kept files the backup holds.
    assert sorted(json.loads(x)["stored_path"].removeprefix("files/") for x in lines) == sorted(kept)


def test_restore_refuses_a_changed_file_and_an_occupied_machine(app_warehouse, tmp_path):
    db, env = _server(tmp_path, app_warehouse)
    B.backup(tmp_path / "backup", db, env=env)
    with pytest.raises(B.BackupError, match="already present"):
        B.restore(tmp_path / "backup", db, env=env)  # the machine it came from is not empty
    users = tmp_path / "backup" / "users" / "users.toml"
    users.write_text(users.read_text().replace("25", "26"))
    target = tmp_path / "empty" / "warehouse.duckdb"
    with pytest.raises(B.BackupError, match="SHA-256") as err:
        B.restore(
            tmp_path / "backup", target, env={"DASHBOARD_USERS_FILE": str(tmp_path / "empty" / "u.toml")}
        )
    assert str(users) in err.value.message_en
    assert not (tmp_path / "empty").exists()  # nothing written


def test_dated_backups_keep_the_newest(app_warehouse, tmp_path):
    db, env = _server(tmp_path, app_warehouse)
    root = tmp_path / "backups"
    root.mkdir()
    for stamp in ("20260101T000000Z", "20260102T000000Z"):
        old = root / f"cds-backup-{stamp}"
        old.mkdir()
        (old / B.MANIFEST).write_text("{}")
    made = B.backup(root, db, dated=True, keep=2, env=env)
    assert sorted(p.name for p in root.iterdir()) == ["cds-backup-20260102T000000Z", Path(made["path"]).name]
