"""Every page in both languages with AppTest, each checked against the same figure computed
independently in SQL on the test warehouse (tests/app/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from metrics.i18n import fmt_number, fmt_pct, t

ROOT = Path(__file__).resolve().parents[2]
PHU_THO, HA_NOI, VAN_BAN, DAI_XUYEN = 25, 1, 8380, 10333
LANGS = ["vi", "en"]


def run_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def one(db: Path, query: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()[0]
    finally:
        con.close()


def metric(at: AppTest, label_key: str, lang: str):
    label = t(label_key, lang)
    found = [m for m in at.metric if m.label == label]
    assert found, (label, [m.label for m in at.metric])
    return found[0]


def shared_checks(at: AppTest, lang: str) -> None:
    """The shell on every page: demo banner and the data-as-of stamp, in the page's language."""
    assert any(t("demo_badge", lang) in m.value for m in at.markdown)  # a compact badge
    assert any(c.value.startswith(t("data_as_of", lang)) for c in at.caption)


@pytest.mark.parametrize("lang", LANGS)
def test_province_overview(app_env, lang):
    at = run_page("province", province=PHU_THO, period="2025-10", lang=lang)
    shared_checks(at, lang)
    online, received = one(
        app_env,
        """select sum(case when channel = 'online' then 1 else 0 end), count(*)
        from fact_dossier where province_code = 25
          and received_at >= date '2025-10-01' and received_at < date '2025-11-01'""",
    )
    assert metric(at, "m_online_rate", lang).value == fmt_pct(online / received, lang)
    signed, issued, confidential = one(
        app_env,
        """select sum(docs_signed), sum(docs_issued), sum(docs_confidential)
        from fact_signature_month where province_code = 25 and month = date '2025-10-01'""",
    )
    assert metric(at, "m_signature_rate", lang).value == fmt_pct(signed / (issued - confidential), lang)
    # the ranking table (the "communes needing attention" list sits above it, under the KPI cards)
    rankings = [d.value for d in at.dataframe if {"index_rank", "index_total"} <= set(d.value.columns)]
    assert len(rankings) == 1
    ranking = rankings[0]
    top_code, top_total = one(
        app_env,
        """select commune_code, index_total from mart_index_period
        where period_type = 'month' and period = '2025-10' and province_code = 25
        order by index_rank, commune_code limit 1""",
    )
    assert ranking.iloc[0]["commune_code"] == top_code and ranking.iloc[0]["index_total"] == top_total
    n = one(app_env, "select count(*) from dim_commune where province_code = 25")[0]
    assert len(ranking) == n


def test_province_overview_quarter_sums_months(app_env):
    at = run_page("province", province=HA_NOI, period="2025-Q4")
    on_time, overdue = one(
        app_env,
        """select sum(dossiers_on_time), sum(dossiers_overdue) from mart_commune_month
        where province_code = 1 and month >= date '2025-10-01' and month < date '2026-01-01'""",
    )
    assert metric(at, "m_on_time_rate", "vi").value == fmt_pct(on_time / (on_time + overdue), "vi")
    assert any(t("index_derived_note", "vi") in c.value for c in at.caption)


@pytest.mark.parametrize("lang", LANGS)
def test_national_view(app_env, lang):
    at = run_page("national", period="2025-11", lang=lang)
    shared_checks(at, lang)
    online, received = one(
        app_env,
        """select count(*) filter (where channel = 'online'), count(*) from fact_dossier
        where received_at >= date '2025-11-01' and received_at < date '2025-12-01'""",
    )
    assert metric(at, "m_online_rate", lang).value == fmt_pct(online / received, lang)
    table = at.dataframe[0].value.set_index("province_code")
    assert len(table) == 34
    avg = one(
        app_env,
        """select avg(index_total) from mart_index_period
        where period_type = 'month' and period = '2025-11' and province_code = 25""",
    )[0]
    assert table.loc[PHU_THO, "index_average"] == pytest.approx(round(avg, 2))


@pytest.mark.parametrize("lang", LANGS)
def test_commune_profile(app_env, lang):
    at = run_page("commune", province=PHU_THO, commune=VAN_BAN, period="2025-10", lang=lang)
    shared_checks(at, lang)
    assert any("Xã Vân Bán" in s.value for s in at.subheader)
    signed, issued, confidential = one(
        app_env,
        """select docs_signed, docs_issued, docs_confidential
        from fact_signature_month where commune_code = 8380 and month = date '2025-10-01'""",
    )
    assert metric(at, "m_signature_rate", lang).value == fmt_pct(signed / (issued - confidential), lang)
    assert metric(at, "m_signature_rate", lang).value == fmt_pct(1.0, lang)  # the article's fact
    rank, ranked = one(
        app_env,
        """select index_rank, communes_ranked from mart_index_period
        where commune_code = 8380 and period_type = 'month' and period = '2025-10'""",
    )
    assert any(t("rank_of", lang).format(rank=rank, total=ranked) in c.value for c in at.caption)


def test_commune_profile_without_commune_says_what_to_do(app_env):
    at = run_page("commune", province=PHU_THO, period="2025-10")
    assert any("Phú Thọ" in i.value and t("filter_commune", "vi") in i.value for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_online_filings(app_env, lang):
    at = run_page("filings", province=HA_NOI, commune=DAI_XUYEN, period="2025-09", lang=lang)
    shared_checks(at, lang)
    received = one(
        app_env,
        """select count(*) from fact_dossier where commune_code = 10333
        and received_at >= date '2025-09-01' and received_at < date '2025-10-01'""",
    )[0]
    assert metric(at, "col_dossiers_received", lang).value == fmt_number(received, lang)
    procedures = at.dataframe[0].value
    assert procedures["dossiers_received"].sum() == received


def test_online_filings_province_table(app_env):
    at = run_page("filings", province=PHU_THO, period="2025-09")
    table = at.dataframe[-1].value.set_index("commune_code")
    got = one(
        app_env,
        """select count(*) from fact_dossier where commune_code = 8380
        and received_at >= date '2025-09-01' and received_at < date '2025-10-01'""",
    )[0]
    assert table.loc[VAN_BAN, "dossiers_received"] == got


@pytest.mark.parametrize("lang", LANGS)
def test_digital_signatures(app_env, lang):
    at = run_page("signatures", province=PHU_THO, period="2025-Q3", lang=lang)
    shared_checks(at, lang)
    signed, issued, confidential = one(
        app_env,
        """select sum(docs_signed), sum(docs_issued), sum(docs_confidential)
        from fact_signature_month where province_code = 25 and month between date '2025-07-01' and date '2025-09-01'""",
    )
    assert metric(at, "m_signature_rate", lang).value == fmt_pct(signed / (issued - confidential), lang)
    under = at.dataframe[0].value
    below = one(
        app_env,
        """select count(*) from (select commune_code from fact_signature_month
        where province_code = 25 and month between date '2025-07-01' and date '2025-09-01'
        group by 1 having sum(docs_signed) < sum(docs_issued) - sum(docs_confidential))""",
    )[0]
    assert len(under) == below


@pytest.mark.parametrize("lang", LANGS)
def test_service_index(app_env, lang):
    at = run_page("service_index", province=HA_NOI, period="2025-08", lang=lang)
    shared_checks(at, lang)
    ranking = at.dataframe[0].value.set_index("commune_code")
    rank, total, ckmb = one(
        app_env,
        """select index_rank, index_total, score_ckmb from mart_index_period
        where commune_code = 10333 and period_type = 'month' and period = '2025-08'""",
    )
    assert ranking.loc[DAI_XUYEN, "index_rank"] == rank and ranking.loc[DAI_XUYEN, "index_total"] == total
    assert ranking.loc[DAI_XUYEN, "score_ckmb"] == ckmb
    assert len(at.get("plotly_chart")) == 3


@pytest.mark.parametrize("lang", LANGS)
def test_data_quality(app_env, lang):
    at = run_page("quality", province=PHU_THO, period="2025-12", lang=lang)
    shared_checks(at, lang)
    tables = [d.value for d in at.dataframe]
    loads = next(df for df in tables if "file_name" in df.columns and "rows_read" in df.columns)
    assert len(loads) == one(app_env, "select count(*) from etl_load")[0]
    coverage = next(df for df in tables if "communes_missing" in df.columns).set_index("source")
    with_dossiers = one(
        app_env,
        """select count(distinct commune_code) from fact_dossier where province_code = 25
        and received_at >= date '2025-12-01' and received_at < date '2026-01-01'""",
    )[0]
    assert coverage.loc["dossiers", "communes_with_data"] == with_dossiers


@pytest.mark.parametrize(
    "page", ["province", "national", "commune", "filings", "signatures", "service_index", "quality"]
)
def test_malformed_params_show_notices_never_an_exception(app_env, page):
    at = run_page(page, province="abc", commune="999999", period="2025-13", lang="xx")
    warnings = " ".join(w.value for w in at.warning)
    assert "`abc`" in warnings and "`999999`" in warnings and "`2025-13`" in warnings and "`xx`" in warnings
    assert at.query_params["lang"] == "vi" and at.query_params["period"] == "2025-12"


def test_commune_of_another_province_and_out_of_range_period(app_env):
    at = run_page("province", province=HA_NOI, commune=VAN_BAN, period="2030-01", lang="en")
    warnings = " ".join(w.value for w in at.warning)
    assert "Xã Vân Bán is not in Thành phố Hà Nội" in warnings and "No data for 01/2030" in warnings


def test_filters_survive_switching_pages(app_env):
    at = run_page("commune", province=PHU_THO, commune=VAN_BAN, period="2025-Q4", lang="en")
    at.query_params.clear()  # the menu's page links drop the query string
    at.switch_page("views/filings.py")
    at.run()
    assert not at.exception
    assert any(s.value == "Xã Vân Bán · Q4 2025" for s in at.subheader)
    assert at.query_params["commune"] == "8380" and at.query_params["period"] == "2025-Q4"


def test_sidebar_changes_update_the_url(app_env):
    at = run_page("province", province=PHU_THO, period="2025-10")
    at.selectbox(key="w_commune").select(VAN_BAN).run()
    assert at.query_params["commune"] == "8380"
    at.segmented_control(key="w_ptype").set_value("quarter").run()
    assert at.query_params["period"] == "2025-Q4"
    at.radio(key="w_lang").set_value("en").run()
    assert at.query_params["lang"] == "en" and at.title[0].value == "Province overview"
    at.selectbox(key="w_province").select(HA_NOI).run()
    assert at.query_params["province"] == "1" and "commune" not in at.query_params


def test_missing_warehouse_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("CDS_WAREHOUSE", str(tmp_path / "nothing-here.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert any("make run" in w.value for w in at.warning)
