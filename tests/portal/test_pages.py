"""The pages after a fetch (AppTest): the data-quality page lists the fetch run and the breaker, the
service-index, province, commune and national pages say "tạm tính / provisional" for an open
period, and the national view shows the portal's own province ranking."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.portal import breaker
from metrics.i18n import t
from tests.app.conftest import build_app_warehouse
from tests.portal.conftest import at, run_fetch

ROOT = Path(__file__).resolve().parents[2]
LANGS = ["vi", "en"]


@pytest.fixture(scope="module")
def fetched_warehouse(tmp_path_factory) -> Path:
    """A copy of the page tests' warehouse (07-12/2025) with Phú Thọ's 12/2025 results fetched from
    the replay server on 20/12/2025: the month is still open, so they are provisional."""
    from dataclasses import replace

    from etl.portal.config import PortalConfig
    from tests.portal.conftest import FakeClock
    from tests.portal.replay import Replay

    source = build_app_warehouse(tmp_path_factory)
    db = tmp_path_factory.mktemp("fetched") / "warehouse.duckdb"
    shutil.copyfile(source, db)
    server = Replay().start()
    try:
        cfg = replace(PortalConfig(), base_url=server.base_url, contact="tests@example.invalid")
        code, text = run_fetch(db, cfg, FakeClock(at("2025-12-20 04:00")), period="2025-12")
        assert code == 0, text
    finally:
        server.stop()
    return db


@pytest.fixture
def fetched_env(fetched_warehouse, monkeypatch) -> Path:
    monkeypatch.setenv("CDS_WAREHOUSE", str(fetched_warehouse))
    return fetched_warehouse


def run_page(page: str, **params) -> AppTest:
    at_ = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at_.query_params[key] = str(value)
    at_.switch_page(f"views/{page}.py")
    at_.run()
    assert not at_.exception, [e.value for e in at_.exception]
    return at_


def warnings(at_: AppTest) -> str:
    return " ".join(w.value for w in at_.warning)


@pytest.mark.parametrize("lang", LANGS)
def test_quality_page_lists_the_fetch_run(fetched_env, lang):
    at_ = run_page("quality", province=25, period="2025-12", lang=lang)
    headers = [s.value for s in at_.subheader]
    assert t("h_portal_fetches", lang) in headers
    runs = [d.value for d in at_.dataframe if "requests" in d.value.columns]
    assert len(runs) == 1
    row = runs[0].iloc[0]
    assert row["requests"] == 8 and row["provinces"] == "25" and row["period"] == "2025-12"
    assert row["result"] == t("fetch_result_done", lang)
    assert row["index_status"] == t("index_status_provisional", lang)
    assert row["breaker_state"] == t("breaker_closed", lang)
    assert any(t("portal_breaker_closed", lang) in c.value for c in at_.caption)


def test_quality_page_shows_an_open_breaker(fetched_env):
    from datetime import datetime

    breaker.trip(fetched_env, "http_429", "H44 transparency p1: HTTP 429", datetime(2025, 12, 21, 4, 0))
    try:
        at_ = run_page("quality", province=25, period="2025-12", lang="en")
        errors = " ".join(e.value for e in at_.error)
        assert "OPEN" in errors and "http_429" in errors and "--reset" in errors
    finally:
        breaker.reset(fetched_env, datetime(2025, 12, 21, 5, 0), "tests")


@pytest.mark.parametrize("lang", LANGS)
def test_service_index_page_labels_provisional_results(fetched_env, lang):
    at_ = run_page("service_index", province=25, period="2025-12", lang=lang)
    assert t("provisional_note", lang).split(":")[0] in warnings(at_)
    assert (t("provisional_label", lang) + ":" if lang == "vi" else "Provisional (tạm tính):") in warnings(
        at_
    )
    ranking = at_.dataframe[0].value
    assert ranking["commune_name"].notna().sum() >= 140  # the fetched communes are ranked
    # The rank history leaves the open month out.
    assert any(t("provisional_history_note", lang) in c.value for c in at_.caption)


def test_closed_months_carry_no_label(fetched_env):
    at_ = run_page("service_index", province=25, period="2025-11", lang="en")
    assert "provisional" not in warnings(at_)
    other = run_page("service_index", province=1, period="2025-12", lang="en")  # Hà Nội: loaded from files
    assert "provisional" not in warnings(other)


@pytest.mark.parametrize(
    "page, params",
    [("province", {"province": 25}), ("commune", {"province": 25, "commune": 8380}), ("national", {})],
)
def test_other_index_pages_label_provisional_results(fetched_env, page, params):
    at_ = run_page(page, period="2025-12", lang="en", **params)
    assert "Provisional (tạm tính)" in warnings(at_)


def test_national_view_shows_the_portal_ranking(fetched_env):
    at_ = run_page("national", period="2025-12", lang="en")
    assert t("h_portal_ranking", "en") in [s.value for s in at_.subheader]
    ranking = [d.value for d in at_.dataframe if "portal_rank" in d.value.columns][0]
    assert len(ranking) == 34
    top = ranking.iloc[0]
    assert top["portal_code"] == "H20" and top["portal_total"] == 68.32 and top["portal_rank"] == 1
    assert set(ranking["index_status"]) == {t("index_status_provisional", "en")}
