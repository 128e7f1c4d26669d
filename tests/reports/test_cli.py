"""`python -m reports`: the files named as the issue says, a progress bar for --all-communes, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.reference import commune_frame
from reports.batch import ProgressBar
from tests.reports.conftest import LAI_CHAU, VAN_BAN

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "reports", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_commune_command_writes_the_named_files(report_warehouse, tmp_path):
    out = tmp_path / "out"
    done = run(
        "commune",
        str(VAN_BAN),
        "--period",
        "2025-10",
        "--format",
        "docx,pdf,xlsx",
        "--out",
        str(out),
        "--db",
        str(report_warehouse),
        "--date",
        "2025-11-05",
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "bao-cao-cds-xa-van-ban-2025-10.docx",
        "bao-cao-cds-xa-van-ban-2025-10.pdf",
        "bao-cao-cds-xa-van-ban-2025-10.xlsx",
    ]
    assert done.stdout.split() == [str(out / n) for n in names]
    assert all((out / n).stat().st_size > 5000 for n in names)


def test_english_and_province(report_warehouse, tmp_path):
    done = run(
        "province",
        "25",
        "--period",
        "2025-10",
        "--format",
        "pdf",
        "--lang",
        "en",
        "--out",
        str(tmp_path),
        "--db",
        str(report_warehouse),
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao-tom-tat-cds-tinh-phu-tho-2025-10-en.pdf"]


def test_all_communes_with_progress(report_warehouse, tmp_path):
    codes = commune_frame().query("province_code == @LAI_CHAU")["commune_code"]
    done = run(
        "province",
        str(LAI_CHAU),
        "--period",
        "2025-10",
        "--format",
        "xlsx",
        "--all-communes",
        "--jobs",
        "2",
        "--out",
        str(tmp_path),
        "--db",
        str(report_warehouse),
    )
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 1 + len(codes)
    assert "bao-cao-tom-tat-cds-tinh-lai-chau-2025-10.xlsx" in files
    assert f"{len(codes)}/{len(codes)} (100%)" in done.stderr


def test_usage_errors(report_warehouse, tmp_path):
    bad_period = run("commune", str(VAN_BAN), "--period", "2025-13", "--db", str(report_warehouse))
    assert bad_period.returncode == 2 and "2025-13" in bad_period.stderr
    no_db = run("commune", str(VAN_BAN), "--period", "2025-10", "--db", str(tmp_path / "none.duckdb"))
    assert no_db.returncode == 2 and "none.duckdb" in no_db.stderr
    unknown = run(
        "commune",
        "1",
        str(VAN_BAN),
        "--period",
        "2025-10",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path),
        "--db",
        str(report_warehouse),
    )
    assert unknown.returncode == 1 and "Không có xã/phường mã 1" in unknown.stderr
    assert (tmp_path / "bao-cao-cds-xa-van-ban-2025-10.xlsx").exists()  # the others are still written


def test_progress_bar_without_a_terminal(capsys):
    import io

    stream = io.StringIO()
    bar = ProgressBar(20, "Báo cáo xã", stream=stream)
    for i in range(1, 21):
        bar(i, 20)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11 and lines[-1].startswith("Báo cáo xã 20/20 (100%)")
