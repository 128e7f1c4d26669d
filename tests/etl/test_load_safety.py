"""Whole-file errors leave the warehouse byte-for-byte unchanged; loads are idempotent, atomic, rebuildable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from etl.loader import load_files, rebuild
from tests.conftest import ROOT, file_sha, mart_checksum, sql, write_csv

HEAD = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]


def base_file(tmp_path, name="base.csv", n=20, prefix="B"):
    return write_csv(
        tmp_path / name,
        HEAD,
        [[f"{prefix}{i}", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2] for i in range(n)],
    )


@pytest.fixture
def loaded(tmp_path, db):
    assert load_files([base_file(tmp_path)], db).exit_code == 0
    return db


def _bad_files(tmp_path):
    files = {}
    files["missing_columns"] = write_csv(
        tmp_path / "thieu-cot.csv", ["MaHoSo", "MaXa", "KenhThucHien"], [["X1", 8380, 2]]
    )
    (tmp_path / "rong.csv").write_bytes(b"")
    files["empty"] = tmp_path / "rong.csv"
    files["header_only"] = write_csv(tmp_path / "chi-tieu-de.csv", HEAD, [])
    (tmp_path / "hong.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip")
    files["corrupt_zip"] = tmp_path / "hong.xlsx"
    (tmp_path / "bao-cao.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    files["not_spreadsheet"] = tmp_path / "bao-cao.pdf"
    (tmp_path / "rac.csv").write_bytes(bytes(range(256)) * 40)
    files["undecodable"] = tmp_path / "rac.csv"
    with zipfile.ZipFile(tmp_path / "anh.xlsx", "w") as z:
        z.writestr("hello.txt", "not a workbook")
    files["zip_not_workbook"] = tmp_path / "anh.xlsx"
    files["wrong_kind"] = write_csv(
        tmp_path / "ky-so.csv",
        ["Mã xã", "Tháng", "Tổng số văn bản đi", "Văn bản mật", "Số văn bản ký số"],
        [[8380, "10/2025", 1, 0, 1]],
    )
    return files


@pytest.mark.parametrize(
    "case",
    [
        "missing_columns",
        "empty",
        "header_only",
        "corrupt_zip",
        "not_spreadsheet",
        "undecodable",
        "zip_not_workbook",
        "wrong_kind",
    ],
)
def test_whole_file_error_leaves_warehouse_byte_for_byte(tmp_path, loaded, case):
    before = file_sha(loaded)
    bad = _bad_files(tmp_path)[case]
    s = load_files([bad], loaded, kind="dossiers" if case == "wrong_kind" else None)
    assert s.exit_code == 2 and not s.swapped
    f = s.files[0]
    assert f.status == "failed" and bad.name in f.message_vi and bad.name in f.message_en
    assert " — " in f.message_en  # says what to do
    assert file_sha(loaded) == before


def test_bad_file_beside_good_file_loads_the_good_one(tmp_path, loaded):
    good = base_file(tmp_path, "good.csv", 3, "G")
    s = load_files([_bad_files(tmp_path)["corrupt_zip"], good], loaded)
    assert s.exit_code == 1 and [f.status for f in s.files] == ["failed", "loaded"]
    assert sql(loaded, "select count(*) from fact_dossier where dossier_id like 'G%'")[0][0] == 3


def test_loading_twice_is_idempotent(tmp_path, loaded):
    before_mart, before_file = mart_checksum(loaded), file_sha(loaded)
    again = load_files([tmp_path / "base.csv"], loaded)
    assert again.files[0].status == "duplicate" and again.exit_code == 0 and not again.swapped
    renamed = tmp_path / "base-copy.csv"
    renamed.write_bytes((tmp_path / "base.csv").read_bytes())
    assert load_files([renamed], loaded).files[0].status == "duplicate"
    assert mart_checksum(loaded) == before_mart and file_sha(loaded) == before_file
    # The same rows in a different file replace, never double.
    write_csv(
        tmp_path / "base-reexport.csv",
        HEAD + ["TrangThaiHoSo"],
        [[f"B{i}", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2, "Đã trả"] for i in range(20)],
    )
    s = load_files([tmp_path / "base-reexport.csv"], loaded)
    assert s.files[0].rows_replaced == 20 and sql(loaded, "select count(*) from fact_dossier")[0][0] == 20


def test_rebuild_reproduces_the_marts(tmp_path, loaded):
    load_files([base_file(tmp_path, "more.csv", 5, "M")], loaded)
    write_csv(
        tmp_path / "ky-so.csv",
        ["Mã xã", "Tháng", "Tổng số văn bản đi", "Văn bản mật", "Số văn bản ký số"],
        [[8380, "10/2025", 10, 0, 9]],
    )
    load_files([tmp_path / "ky-so.csv"], loaded)
    before = mart_checksum(loaded)
    loads_before = sql(loaded, "select file_name, content_sha256, rows_loaded from etl_load order by load_id")
    for f in tmp_path.glob("*.csv"):
        f.unlink()  # rebuild must need only the kept copies
    s = rebuild(loaded)
    assert all(f.status == "loaded" for f in s.files)
    assert mart_checksum(loaded) == before
    assert (
        sql(loaded, "select file_name, content_sha256, rows_loaded from etl_load order by load_id")
        == loads_before
    )


def test_killed_load_leaves_old_warehouse_intact(tmp_path, loaded):
    big = write_csv(
        tmp_path / "big.csv",
        HEAD,
        [
            [f"K{i}", (8380, 10333, 2989)[i % 3], "01/10/2025", "05/10/2025", "03/10/2025", 2]
            for i in range(300_000)
        ],
    )
    before = file_sha(loaded)
    code = (
        "import sys; from pathlib import Path; from etl.loader import load_files; "
        "load_files([Path(sys.argv[1])], Path(sys.argv[2]))"
    )
    killed_before_swap = 0
    for delay in (0.3, 0.6, 1.0, 1.5, 2.5):
        p = subprocess.Popen([sys.executable, "-c", code, str(big), str(loaded)], cwd=ROOT)
        time.sleep(delay)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        p.wait()
        # Whatever the moment of the kill, the warehouse is the old one or the complete new one.
        rows = sql(loaded, "select count(*) from fact_dossier")[0][0]
        if file_sha(loaded) == before:
            assert rows == 20
            killed_before_swap += p.returncode != 0
            continue
        assert rows == 300_020  # the swap had happened: all of the new load, never part of it
        break
    assert killed_before_swap >= 1
    # After the kills the next load still works (no stale lock, no leftovers in the way).
    s = load_files([big], loaded)
    assert s.exit_code == 0 and sql(loaded, "select count(*) from fact_dossier")[0][0] == 300_020
    assert s.files[0].status in ("loaded", "duplicate")
    assert not [p for p in loaded.parent.iterdir() if ".building-" in p.name]


def test_cli_exit_codes_and_json(tmp_path, db):
    env = {**os.environ, "CDS_WAREHOUSE": str(db)}

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "etl", *a], cwd=ROOT, env=env, capture_output=True, text=True
        )

    good = base_file(tmp_path, "good.csv", 2, "C")
    r = run("load", str(good))
    assert r.returncode == 0 and "good.csv" in r.stdout and "nạp 2" in r.stdout
    bad = write_csv(tmp_path / "bad.csv", HEAD, [["Z1", 8380, "20/10/2025", "25/10/2025", "10/10/2025", 2]])
    r = run("load", str(bad), "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["files"][0]["rows_rejected"] == 1
    r = run("rejects")
    assert (
        "bad.csv, dòng 2, cột NgayKetThucXuLy: ngày hoàn thành 10/10/2025 trước ngày tiếp nhận 20/10/2025"
        in r.stdout
    )
    r = run("load", str(tmp_path / "khong-co.csv"))
    assert r.returncode == 2
    r = run("load")
    assert r.returncode == 2
    r = run("load", str(good), "--kind", "nonsense")
    assert r.returncode == 2
