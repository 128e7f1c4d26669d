"""The digital-skills page (views/skills.py) in both languages, its figures checked against the same
figures computed independently in SQL on the test warehouse (tests/app/conftest.py)."""

from __future__ import annotations

import pytest

from metrics.i18n import fmt_number, fmt_pct, t
from tests.app.test_pages import PHU_THO, VAN_BAN, metric, one, run_page, shared_checks
from ui.nav import PAGES

LANGS = ["vi", "en"]


def test_skills_page_is_registered():
    page = next(p for p in PAGES if p.url_path == "skills")
    assert page.path == "views/skills.py" and page.label_key == "nav_skills" and page.icon


@pytest.mark.parametrize("lang", LANGS)
def test_skills_page(app_env, lang):
    at = run_page("skills", province=PHU_THO, commune=VAN_BAN, period="2025-10", lang=lang)
    shared_checks(at, lang)
    assert at.title[0].value == t("skills_title", lang)
    certified, adults = one(
        app_env,
        """select sum(adults_certified), sum(adults) from mart_commune_month
        where province_code = 25 and month = date '2025-10-01'
          and adults_certified is not null and adults is not null""",
    )
    assert metric(at, "skills_adults_certified_share", lang).value == fmt_pct(certified / adults, lang)
    vneid = one(
        app_env,
        """select sum(vneid_level2_active) from mart_commune_month
        where province_code = 25 and month = date '2025-10-01'
          and vneid_level2_active is not null and adults is not null""",
    )[0]
    assert metric(at, "skills_vneid_activation_share", lang).value == fmt_pct(vneid / adults, lang)
    headers = [s.value for s in at.subheader]
    assert t("skills_ranking", lang) in headers and t("skills_calendar", lang) in headers
    assert t("h_skills_commune_trend", lang).format(commune="Xã Vân Bán") in headers

    ranking = at.dataframe[0].value.set_index("commune_code")
    assert len(ranking) == one(app_env, "select count(*) from dim_commune where province_code = 25")[0]
    mine_certified, mine_adults = one(
        app_env,
        """select adults_certified, adults from mart_commune_month
        where commune_code = 8380 and month = date '2025-10-01'""",
    )
    assert ranking.loc[VAN_BAN, "adults_certified_share"] == pytest.approx(mine_certified / mine_adults)

    # The calendar defaults to the chosen commune: one row per session (date, topic).
    sessions = at.dataframe[1].value
    n, participants = one(
        app_env,
        """select count(distinct (training_on, topic)), sum(participants)
        from fact_training_session where commune_code = 8380
          and training_on >= date '2025-10-01' and training_on < date '2025-11-01'""",
    )
    assert len(sessions) == n and sessions["participants"].sum() == participants
    counted = t("skills_sessions_count", lang).format(
        n=fmt_number(n, lang),
        participants=fmt_number(participants, lang),
        start="01/10/2025",
        end="31/10/2025",
    )
    assert any(c.value == counted for c in at.caption)
    assert len(at.get("plotly_chart")) == 4


def test_skills_page_province_calendar_and_other_metric(app_env):
    at = run_page(
        "skills", province=PHU_THO, period="2025-Q4", lang="en"
    )  # no commune: the province's calendar
    at.selectbox(key="skills_metric").set_value("team_members_per_1000").run()
    assert not at.exception
    n = one(
        app_env,
        """select count(*) from (select distinct commune_code, training_on, topic
        from fact_training_session where province_code = 25
          and training_on >= date '2025-10-01' and training_on < date '2026-01-01')""",
    )[0]
    assert len(at.dataframe[1].value) == n
    ranking = at.dataframe[0].value
    assert list(ranking.columns[:4]) == [
        "skills_rank",
        "commune_name",
        "skills_rank_change",
        "team_members_per_1000",
    ]
    ranked = ranking.dropna(subset=["team_members_per_1000"])
    assert ranked["team_members_per_1000"].is_monotonic_decreasing


def test_skills_page_without_commune_asks_for_one(app_env):
    at = run_page("skills", province=PHU_THO, period="2025-10")
    assert any(t("skills_pick_commune_trend", "vi") in i.value for i in at.info)


def test_commune_profile_has_a_skills_section(app_env):
    at = run_page("commune", province=PHU_THO, commune=VAN_BAN, period="2025-10", lang="en")
    assert t("h_skills_commune", "en") in [s.value for s in at.subheader]
    teams = one(
        app_env,
        """select digital_teams from mart_commune_month
        where commune_code = 8380 and month = date '2025-10-01'""",
    )[0]
    assert metric(at, "skills_digital_teams", "en").value == fmt_number(teams, "en")
