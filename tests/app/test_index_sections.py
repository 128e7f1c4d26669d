"""'What it takes' on the commune profile and the service-index page, and published vs computed on the
service-index page, checked against metrics.service_index on the test warehouse."""

from __future__ import annotations

import pytest

from metrics import service_index
from metrics.i18n import fmt_number, t
from tests.app.test_pages import HA_NOI, PHU_THO, VAN_BAN, metric, run_page

LANGS = ["vi", "en"]


def markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def check_what_it_takes(at, db, lang: str) -> None:
    assert t("h_what_it_takes", lang) in [s.value for s in at.subheader]
    result = service_index.what_it_takes(VAN_BAN, "2025-10", path=db)
    assert result.target.status in ("ranked", "first")
    lost = sum(lv.points_lost or 0 for lv in result.levers)
    assert metric(at, "wit_points_lost_total", lang).value == fmt_number(lost, lang, 2)
    if result.target.status == "ranked":
        assert metric(at, "wit_points_to_pass", lang).value == fmt_number(
            result.target.points_to_pass, lang, 2
        )
    text = markdown_text(at)
    sentences = service_index.describe(result, lang)
    assert sentences and all(s in text for s in sentences)
    assert any(t("wit_unconfirmed", lang).split("(")[0].strip() in c.value for c in at.caption)
    assert any(e.label == t("h_assumptions", lang) for e in at.expander)


@pytest.mark.parametrize("lang", LANGS)
def test_what_it_takes_on_commune_profile(app_env, lang):
    at = run_page("commune", province=PHU_THO, commune=VAN_BAN, period="2025-10", lang=lang)
    check_what_it_takes(at, app_env, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_what_it_takes_and_published_vs_computed_on_service_index(app_env, lang):
    at = run_page("service_index", province=PHU_THO, commune=VAN_BAN, period="2025-10", lang=lang)
    check_what_it_takes(at, app_env, lang)
    assert t("h_published_vs_computed", lang) in [s.value for s in at.subheader]
    expected = service_index.published_vs_computed(PHU_THO, "2025-10", path=app_env)
    table = next(d.value for d in at.dataframe if "published_minus_computed" in d.value.columns)
    assert len(table) == len(expected)
    mine = table[(table["commune_code"] == VAN_BAN) & table["group_text"].str.startswith("TDGQ")].iloc[0]
    want = expected[(expected["commune_code"] == VAN_BAN) & (expected["group_code"] == "TDGQ")].iloc[0]
    assert mine["published_score"] == pytest.approx(want["published_score"])
    assert mine["computed_score"] == pytest.approx(want["computed_score"])
    flagged = t("pvc_flagged_count", lang).format(
        n=int(expected["flagged"].sum()), total=len(expected), tolerance=fmt_number(1.0, lang, 1)
    )
    assert any(c.value == flagged for c in at.caption)


def test_what_it_takes_empty_state_without_published_index(app_env):
    at = run_page("commune", province=PHU_THO, commune=VAN_BAN, period="2025-Q4", lang="en")
    want = t("empty_what_it_takes", "en").format(commune="Xã Vân Bán", period="Q4 2025")
    assert any(i.value == want for i in at.info)


def test_service_index_without_commune_asks_for_one(app_env):
    at = run_page("service_index", province=HA_NOI, period="2025-08")
    assert any(t("wit_pick_commune", "vi") in i.value for i in at.info)
