"""`python -m etl fetch-portal` end to end in a subprocess, against the replay server, into a
throwaway warehouse (real clock and real ≥1 s spacing: about ten seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from core.periods import month
from tests.conftest import sql

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_PORTAL") and "proxy" not in k.lower()}
    env.update({"CDS_PORTAL_CONTACT": "tests@example.invalid", **(env_extra or {})})
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def last_closed_month():
    today = date.today()
    return month(today.year, today.month).previous()


def test_fetch_portal_cli_end_to_end(replay, tmp_path):
    db = tmp_path / "wh" / "warehouse.duckdb"
    per = last_closed_month()
    assert replay.base_url.startswith("http://127.0.0.1:")  # never the internet

    dry = cli(
        "--db",
        str(db),
        "fetch-portal",
        "--province",
        "25",
        "--period",
        per.key,
        "--dry-run",
        "--base-url",
        replay.base_url,
        "--lang",
        "en",
    )
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("POST http://127.0.0.1:") == 8 and replay.requests == [] and not db.exists()

    run = cli(
        "--db",
        str(db),
        "fetch-portal",
        "--province",
        "25",
        "--period",
        per.key,
        "--groups",
        "all",
        "--base-url",
        replay.base_url,
        "--lang",
        "en",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "fetch run 1: done; 8 requests" in run.stdout
    assert len(replay.requests) == 8 and replay.max_in_flight == 1
    assert all("tests@example.invalid" in r["headers"]["User-Agent"] for r in replay.requests)
    assert sql(
        db, "select count(*), count(distinct group_code) from fact_index_score where period = ?", [per.key]
    ) == [(888, 6)]
    assert sql(db, "select status from etl_portal_fetch group by status") == [("official",)]
    assert sql(db, "select result, requests from etl_portal_run") == [("done", 8)]

    # A second run: the closed period is complete, so nothing is asked.
    again = cli(
        "--db",
        str(db),
        "fetch-portal",
        "--province",
        "25",
        "--period",
        per.key,
        "--lang",
        "en",
        env_extra={"CDS_PORTAL_URL": replay.base_url},
    )
    assert again.returncode == 0 and "Nothing to fetch" in again.stdout
    assert len(replay.requests) == 8

    # A stop signal opens the breaker; the next run refuses; --reset closes it.
    replay.script("service-results", [429])
    stopped = cli(
        "--db",
        str(db),
        "fetch-portal",
        "--province",
        "1",
        "--period",
        per.key,
        "--groups",
        "TOTAL",
        "--base-url",
        replay.base_url,
    )
    assert stopped.returncode == 3 and "--reset" in stopped.stdout
    refused = cli(
        "--db", str(db), "fetch-portal", "--province", "1", "--period", per.key, "--base-url", replay.base_url
    )
    assert refused.returncode == 3 and len(replay.requests) == 9
    reset = cli("--db", str(db), "fetch-portal", "--reset")
    assert reset.returncode == 0 and "Breaker closed" in reset.stdout


def test_cli_usage_errors_are_bilingual(tmp_path):
    db = str(tmp_path / "w.duckdb")
    bad_period = cli("--db", db, "fetch-portal", "--province", "25", "--period", "2026-13")
    assert (
        bad_period.returncode == 2
        and "không hợp lệ" in bad_period.stderr
        and "not valid" in bad_period.stderr
    )
    bad_province = cli("--db", db, "fetch-portal", "--province", "99", "--period", "2026-08")
    assert (
        bad_province.returncode == 2
        and "99" in bad_province.stderr
        and "province codes" in bad_province.stderr
    )
    bad_group = cli("--db", db, "fetch-portal", "--province", "25", "--period", "2026-08", "--groups", "XYZ")
    assert bad_group.returncode == 2 and "XYZ" in bad_group.stderr
    fast = cli(
        "--db",
        db,
        "fetch-portal",
        "--province",
        "25",
        "--period",
        "2026-08",
        "--dry-run",
        env_extra={"CDS_PORTAL_MIN_DELAY": "0.2", "CDS_PORTAL_URL": "http://127.0.0.1:9/x"},
    )
    assert fast.returncode == 2 and "min_delay" in fast.stderr and "một yêu cầu mỗi giây" in fast.stderr
    missing = cli("--db", db, "fetch-portal", "--province", "25")
    assert missing.returncode == 2 and "--period" in missing.stderr
