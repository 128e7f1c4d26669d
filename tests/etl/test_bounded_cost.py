"""Bounded cost on bad files: repeated ids found by one aggregate, a file dominated by them refused
with one summary, and loads past their temp-disk cap stopped with the warehouse untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from etl.loader import load_files
from etl.sources import duplicates
from tests.conftest import ROOT, file_sha, sql, write_csv

HEAD = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]


def dossier_rows(n: int, ids: int | None = None, prefix: str = "R") -> list[list]:
    """n lines; with `ids`, only that many distinct dossier ids (line i carries id i mod ids)."""
    return [
        [f"{prefix}{i % ids if ids else i}", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2]
        for i in range(n)
    ]


@pytest.fixture
def loaded(tmp_path, db):
    good = write_csv(tmp_path / "base.csv", HEAD, dossier_rows(20, prefix="B"))
    assert load_files([good], db).exit_code == 0
    return db


def _cli(db, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(db), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )


def test_file_dominated_by_repeated_ids_is_refused_with_one_summary(tmp_path, loaded):
    before = file_sha(loaded)
    bad = write_csv(tmp_path / "steps.csv", HEAD, dossier_rows(50_000, ids=40))
    s = load_files([bad], loaded)
    f = s.files[0]
    assert s.exit_code == 2 and f.status == "failed" and not s.swapped
    for words in ("50000 lines", "only 40 distinct dossier ids", '"MaHoSo"', "processing step or attachment"):
        assert words in f.message_en, f.message_en
    assert "50000 dòng" in f.message_vi and "40 mã hồ sơ" in f.message_vi and "bước xử lý" in f.message_vi
    assert f.rows_read == 50_000 and f.reasons == {"duplicate_in_file": 50_000}
    # The per-line rejects: capped, the first lines of the file, each message short.
    rows = [r["row"] for r in f.sample_rejects]
    assert rows == list(range(2, 2 + duplicates.SAMPLE_REJECTS))
    first = f.sample_rejects[0]
    assert first["column"] == "MaHoSo" and first["value"] == "R0"
    # R0 is on lines 2, 42, 82, ...: the first five listed, then the count (1250 lines carry it).
    assert "rows 2, 42, 82, 122, 162, … (n=1250)" in first["message_en"], first["message_en"]
    assert max(len(r["message_en"]) for r in f.sample_rejects) < 200
    assert file_sha(loaded) == before
    assert sql(loaded, "select count(*) from fact_dossier")[0][0] == 20


def test_cli_prints_the_summary_and_the_capped_rejects(tmp_path, loaded):
    before = file_sha(loaded)
    bad = write_csv(tmp_path / "steps.csv", HEAD, dossier_rows(5_000, ids=7))
    r = _cli(loaded, "load", str(bad), "--lang", "en")
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert "5000 lines but only 7 distinct dossier ids" in lines[0]
    listed = [line for line in lines if line.startswith("    row ")]
    assert len(listed) == duplicates.SAMPLE_REJECTS and listed[0].startswith("    row 2, column MaHoSo:")
    assert "warehouse unchanged" in r.stdout
    assert file_sha(loaded) == before
    out = json.loads(_cli(loaded, "load", str(bad), "--json").stdout)
    assert len(out["files"][0]["sample_rejects"]) == duplicates.SAMPLE_REJECTS


def test_a_few_repeated_ids_are_per_line_rejects_with_short_messages(tmp_path, db):
    rows = dossier_rows(3_000)
    rows += [["R7", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2]] * 9  # R7: 10 lines in all
    f = write_csv(tmp_path / "few.csv", HEAD, rows)
    s = load_files([f], db)
    assert s.exit_code == 1 and s.files[0].rows_loaded == 2_999 and s.files[0].rows_rejected == 10
    msgs = sql(db, "select distinct message_en from etl_reject where rule = 'duplicate_in_file'")
    assert msgs == [
        (
            "dossier id R7 appears more than once in the file (rows 9, 3002, 3003, 3004, 3005, … (n=10)) — keep one row.",
        )
    ]


def test_many_broken_rows_are_selected_for_the_second_pass_without_a_list_search(tmp_path, db):
    # Most rows broken (bad dates): pass 2 reads them through a semi join; every one is reported.
    rows = [[f"X{i}", 8380, "99/99/2025", "05/10/2025", "03/10/2025", 2] for i in range(20_000)]
    rows += dossier_rows(100)
    s = load_files([write_csv(tmp_path / "dates.csv", HEAD, rows)], db)
    assert s.files[0].rows_loaded == 100 and s.files[0].rows_rejected == 20_000


def test_load_past_the_temp_disk_cap_stops_and_leaves_the_warehouse(tmp_path, loaded):
    before = file_sha(loaded)
    big = write_csv(tmp_path / "big.csv", HEAD, dossier_rows(300_000, prefix="T"))
    # A tiny memory limit forces DuckDB to spill; a tiny temp cap stops it there.
    r = _cli(
        loaded,
        "load",
        str(big),
        env={"CDS_ETL_MEMORY_LIMIT": "40MB", "CDS_ETL_TEMP_LIMIT": "1MB", "CDS_ETL_WORKERS": "1"},
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert "temp-disk cap of 1MB (CDS_ETL_TEMP_LIMIT)" in r.stderr, r.stderr
    assert "the warehouse is unchanged" in r.stderr and "kho dữ liệu không đổi" in r.stderr
    assert file_sha(loaded) == before
    assert not [p for p in loaded.parent.iterdir() if ".building-" in p.name]
    # Within its caps the same file loads.
    assert _cli(loaded, "load", str(big)).returncode == 0
    assert sql(loaded, "select count(*) from fact_dossier")[0][0] == 300_020
