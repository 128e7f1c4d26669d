"""The health check (python -m metrics.health, its /healthz endpoint, deploy/healthcheck.sh) and the
page a dashboard started without a usable warehouse shows: a clear notice, not a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from core.config import SCHEMA_VERSION
from metrics import health
from metrics.i18n import t

ROOT = Path(__file__).resolve().parents[2]


def test_healthy_warehouse_reports_schema_and_latest_period(app_warehouse):
    r = health.check(app_warehouse)
    assert r["ok"] and r["problem"] is None
    assert r["schema_version"] == SCHEMA_VERSION
    assert r["latest_period"]["dossiers"] == "2025-12"  # the page tests' warehouse: 07-12/2025
    assert r["built_at"]


def test_missing_warehouse_is_reported(tmp_path):
    r = health.check(tmp_path / "nothing.duckdb")
    assert not r["ok"] and r["problem"] == "missing"


def test_damaged_warehouse_is_reported_without_its_contents(tmp_path):
    bad = tmp_path / "warehouse.duckdb"
    bad.write_bytes(b"secret-looking text " * 1000)
    r = health.check(bad)
    assert not r["ok"] and r["problem"] == "damaged"
    assert "secret-looking" not in json.dumps(r)


def test_outdated_warehouse_is_reported(app_warehouse, tmp_path):
    old = tmp_path / "warehouse.duckdb"
    shutil.copyfile(app_warehouse, old)
    con = duckdb.connect(str(old))
    con.execute("update warehouse_info set value = '2' where key = 'schema_version'")
    con.close()
    r = health.check(old)
    assert not r["ok"] and r["problem"] == "outdated" and r["schema_version"] == 2


def test_unreadable_warehouse_is_reported(app_warehouse):
    """A file the dashboard's user may not read (mode 000).  Root reads any file, so as root the check
    runs with the effective user `nobody` (uid 65534) for its duration."""
    folder = Path(tempfile.mkdtemp(prefix="cds-health-"))
    try:
        folder.chmod(0o755)  # traversable by anybody; only the file is locked
        locked = folder / "warehouse.duckdb"
        shutil.copyfile(app_warehouse, locked)
        locked.chmod(0)
        if os.geteuid() == 0:
            os.seteuid(65534)
            try:
                r = health.check(locked)
            finally:
                os.seteuid(0)
        else:
            r = health.check(locked)
        assert not r["ok"] and r["problem"] == "unreadable"
    finally:
        shutil.rmtree(folder)


def test_endpoint_answers_200_then_503_when_the_warehouse_goes(app_warehouse, tmp_path):
    live = tmp_path / "warehouse.duckdb"
    shutil.copyfile(app_warehouse, live)
    server = health.serve(0, "127.0.0.1", str(live))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            assert resp.status == 200 and json.load(resp)["ok"] is True
        live.unlink()
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url, timeout=60)
        assert err.value.code == 503 and json.load(err.value)["problem"] == "missing"
    finally:
        server.shutdown()
        server.server_close()


def test_command_line_exit_codes(app_warehouse, tmp_path):
    env = {**os.environ, "CDS_WAREHOUSE": str(app_warehouse)}
    ok = subprocess.run(
        [sys.executable, "-m", "metrics.health"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
    env["CDS_WAREHOUSE"] = str(tmp_path / "none.duckdb")
    bad = subprocess.run(
        [sys.executable, "-m", "metrics.health"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and json.loads(bad.stdout)["problem"] == "missing"


def test_healthcheck_script_reports_a_dead_dashboard_and_a_missing_warehouse(tmp_path):
    from tests.browser.serving import free_port

    env = {
        **os.environ,
        "CDS_HOME": str(ROOT),
        "CDS_ENV_FILE": str(tmp_path / "absent.env"),
        "CDS_WAREHOUSE": str(tmp_path / "none.duckdb"),
    }
    port = free_port()  # nothing listens there
    done = subprocess.run(
        ["sh", str(ROOT / "deploy" / "healthcheck.sh"), str(port)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert f"dashboard on port {port}: NOT ANSWERING" in done.stdout
    assert "warehouse: PROBLEM" in done.stdout and '"missing"' in done.stdout


@pytest.mark.parametrize("state", ["missing", "damaged"])
def test_dashboard_started_without_a_usable_warehouse_shows_a_clear_page(state, tmp_path, monkeypatch):
    live = tmp_path / "warehouse.duckdb"
    if state == "damaged":
        live.write_bytes(b"not a database " * 10_000)
    monkeypatch.setenv("CDS_WAREHOUSE", str(live))
    monkeypatch.delenv("DASHBOARD_USERS_FILE", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, "a clear page, not a traceback"
    assert [h.value for h in at.title] == [t("app_title", "vi")]
    if state == "missing":
        assert [w.value for w in at.warning] == [t("no_warehouse", "vi")]
    else:
        assert [e.value for e in at.error] == [t("warehouse_damaged", "vi")]
    assert str(live) not in " ".join(str(e.value) for e in [*at.error, *at.warning])
