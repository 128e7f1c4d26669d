"""The warehouse deleted or damaged under a running session (security review of issue 13): no data,
no traceback or path shown to the user, and the session recovers once a good warehouse is back."""

from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

from metrics.i18n import t
from tests.security.conftest import ROOT


def _session(live):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page("views/province.py")
    at.run()
    assert not at.exception and at.dataframe
    return at


def test_deleted_then_restored_warehouse(app_warehouse, monkeypatch, tmp_path):
    live = tmp_path / "warehouse.duckdb"
    shutil.copyfile(app_warehouse, live)
    monkeypatch.setenv("CDS_WAREHOUSE", str(live))
    monkeypatch.delenv("DASHBOARD_USERS_FILE", raising=False)
    at = _session(live)
    live.unlink()
    at.run()
    assert not at.exception and not at.dataframe
    assert any("make run" in w.value for w in at.warning)  # says how to build one
    shutil.copyfile(app_warehouse, live)
    at.run()
    assert not at.exception and at.dataframe


def test_damaged_warehouse_shows_no_details_and_recovers(app_warehouse, monkeypatch, tmp_path):
    live = tmp_path / "warehouse.duckdb"
    shutil.copyfile(app_warehouse, live)
    monkeypatch.setenv("CDS_WAREHOUSE", str(live))
    monkeypatch.delenv("DASHBOARD_USERS_FILE", raising=False)
    at = _session(live)
    live.write_bytes(b"not a database " * 10_000)
    at.run()
    assert not at.dataframe and not at.metric
    assert not at.exception, "a damaged warehouse is a clear page, not an error"
    assert [e.value for e in at.error] == [t("warehouse_damaged", "vi")]
    shown = " ".join(str(e.value) for e in at.error)
    # Neither the path nor DuckDB's text.
    assert str(live) not in shown and "DuckDB" not in shown and "Traceback" not in shown
    shutil.copyfile(app_warehouse, live)
    at.run()
    assert not at.exception and at.dataframe
