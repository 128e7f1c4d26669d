"""Secured mode with AppTest: sign-in, each role's scope on every page, out-of-scope and hostile
query parameters (refusal or fallback, never data outside the scope, never an error page)."""

from __future__ import annotations

import time

import pytest

from metrics.i18n import t
from tests.conftest import sql
from tests.security.conftest import (
    DAI_XUYEN,
    HA_NOI,
    PAGES,
    PASSWORD,
    PHU_THO,
    VAN_BAN,
    page_text,
    run_as,
)
from ui.auth import SESSION_KEY, Session

HOSTILE = {
    "province": [
        "1 OR 1=1",
        "25 OR 1=1",
        "25;drop table fact_dossier",
        "' or ''='",
        "9" * 10_000,
        "x" * 10_000,
        "-1",
        "0x19",
        "２５",
    ],
    "commune": ["8380;drop table fact_dossier", "10333 OR 1=1", "' or ''='", "8" * 10_000, "%00", "8380\n1"],
    "period": ["' or ''='", "2025-10'; drop table fact_dossier; --", "q" * 10_000, "2025-13", "9999-Q9"],
    "lang": ["en' or '1'='1", "l" * 10_000],
}


def names(db, province: int) -> list[str]:
    """Commune names of `province` in the test warehouse that no Phú Thọ commune shares."""
    other = {r[0] for r in sql(db, "select name from dim_commune where province_code <> ?", [province])}
    rows = sql(
        db,
        "select distinct d.name from dim_commune d join fact_dossier f using (commune_code) "
        "where d.province_code = ?",
        [province],
    )
    return [r[0] for r in rows if r[0] not in other]


def refused(at) -> bool:
    return any(t("refused_scope", "vi") in e.value or t("refused_scope", "en") in e.value for e in at.error)


# --- sign-in ------------------------------------------------------------------------------------


def test_open_mode_shows_banner_and_no_form(app_warehouse, monkeypatch):
    monkeypatch.setenv("CDS_WAREHOUSE", str(app_warehouse))
    monkeypatch.delenv("DASHBOARD_USERS_FILE", raising=False)
    at = run_as(None, "province", province=PHU_THO)
    assert any(t("open_mode_banner", "vi") in i.value for i in at.info)
    assert not at.text_input


def test_secured_mode_requires_sign_in_on_every_page(secured):
    for page in PAGES:
        at = run_as(None, page, province=PHU_THO)
        labels = [w.label for w in at.text_input]
        assert labels == [t("username", "vi"), t("password", "vi")], page
        assert not at.dataframe and not at.metric and "Vân Bán" not in page_text(at)


def sign_in(at, user, password):
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_sign_in_wrong_password_then_right(secured, tmp_path):
    at = run_as(None, "province")
    sign_in(at, "pt", "wrong password")
    assert any(t("sign_in_failed", "vi") in e.value for e in at.error)
    sign_in(at, "pt", PASSWORD)
    assert SESSION_KEY in at.session_state and at.session_state[SESSION_KEY].role == "province"
    assert at.dataframe  # the province ranking is shown
    log = (tmp_path / "auth.log").read_text()
    assert (
        "sign-in failed user='pt' from=local reason=wrong_password" in log and "sign-in ok user='pt'" in log
    )
    assert "wrong password" not in log and PASSWORD not in log


def test_disabled_and_unknown_users_are_refused(secured):
    for user in ("gone", "nobody"):
        at = run_as(None, "province")
        sign_in(at, user, PASSWORD)
        assert SESSION_KEY not in at.session_state
        assert any(t("sign_in_failed", "vi") in e.value for e in at.error)


def test_failed_sign_ins_are_rate_limited(secured, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_MAX_FAILED_SIGNINS", "3")
    at = run_as(None, "province")
    for _ in range(3):
        sign_in(at, "nat", "not the password")
    sign_in(at, "nat", PASSWORD)  # right password, but locked
    assert SESSION_KEY not in at.session_state
    assert any(t("sign_in_locked", "vi").split("{")[0] in e.value for e in at.error)
    assert "reason=locked" in (tmp_path / "auth.log").read_text()


def test_session_expires(secured, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SESSION_MINUTES", "30")
    from streamlit.testing.v1 import AppTest

    from tests.security.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state[SESSION_KEY] = Session("pt", "province", PHU_THO, time.time() - 31 * 60)
    at.run()
    assert any(t("session_expired", "vi") in w.value for w in at.warning)
    assert [w.label for w in at.text_input] == [t("username", "vi"), t("password", "vi")]


def test_tampered_session_role_is_signed_out(secured):
    """A session whose role or scope no longer matches the users file ends."""
    from streamlit.testing.v1 import AppTest

    from tests.security.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state[SESSION_KEY] = Session("pt", "national", None, time.time())
    at.run()
    assert at.text_input and not at.dataframe


# --- what each role sees ------------------------------------------------------------------------


def test_national_sees_every_province(secured):
    at = run_as("nat", "province", province=HA_NOI, period="2025-10")
    assert "Xã Đại Xuyên" in page_text(at)
    at = run_as("nat", "quality")
    assert any(df.value.shape[0] > 0 and "file_name" in df.value.columns for df in at.dataframe)


@pytest.mark.parametrize("page", PAGES)
def test_province_user_sees_own_province_only(secured, page):
    hanoi = names(secured, HA_NOI)
    at = run_as("pt", page, period="2025-10")
    text = page_text(at)
    assert not refused(at)
    assert not [n for n in hanoi if n in text], page
    if page != "national":
        assert "Hà Nội" not in text
    # The national view compares the provinces' aggregates (sums and rates over a province, no commune's
    # figure: mart_area_period), shown to every role (issue 15); never a commune of another province.


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "params",
    [
        {"province": HA_NOI},
        {"commune": DAI_XUYEN},
        {"province": PHU_THO, "commune": DAI_XUYEN},
        {"province": HA_NOI, "commune": DAI_XUYEN},
    ],
)
def test_province_user_out_of_scope_urls_are_refused(secured, page, params):
    at = run_as("pt", page, period="2025-10", **params)
    assert refused(at), page
    text = page_text(at)
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert "Đại Xuyên" not in text and "Hà Nội" not in text


@pytest.mark.parametrize("page", PAGES)
def test_commune_user_out_of_scope_urls_are_refused(secured, page):
    other = sql(
        secured,
        "select commune_code from fact_dossier where province_code = 25 and commune_code <> 8380 limit 1",
    )[0][0]
    for params in ({"commune": other}, {"province": HA_NOI}, {"commune": DAI_XUYEN}):
        at = run_as("vb", page, **params)
        assert refused(at), (page, params)
        assert not at.dataframe and not at.metric


@pytest.mark.parametrize("page", [*PAGES, "upload"])
def test_steward_out_of_scope_urls_are_refused(secured, page):
    for params in ({"province": HA_NOI}, {"commune": DAI_XUYEN}):
        at = run_as("st", page, period="2025-10", **params)
        assert refused(at), (page, params)
        assert not at.dataframe and not at.metric and not at.get("file_uploader")


def test_commune_user_sees_published_ranks_but_no_other_communes_counts(secured):
    at = run_as("vb", "province", period="2025-10")
    ranking = next(df.value for df in at.dataframe if "index_rank" in df.value.columns)
    others = ranking[ranking["commune_code"] != VAN_BAN]
    assert len(others) > 5 and others["index_total"].notna().all()  # published scores and ranks
    for col in ("online_rate", "on_time_rate", "signature_rate"):
        assert others[col].isna().all(), col  # no one else's dossier data
    own = ranking[ranking["commune_code"] == VAN_BAN].iloc[0]
    assert own["online_rate"] > 0


@pytest.mark.parametrize("page", ["filings", "signatures", "quality", "commune"])
def test_commune_user_tables_hold_own_commune_only(secured, page):
    at = run_as("vb", page, period="2025-10")
    assert not refused(at)
    for df in at.dataframe:
        if "commune_code" in df.value.columns:
            assert set(df.value["commune_code"].dropna().astype(int)) <= {VAN_BAN}, page


def test_commune_user_figures_are_own(secured):
    at = run_as("vb", "filings", period="2025-10", lang="en")
    received = sql(
        secured,
        "select count(*) from fact_dossier where commune_code = 8380 and "
        "received_at >= date '2025-10-01' and received_at < date '2025-11-01'",
    )[0][0]
    got = [m.value for m in at.metric if m.label == t("col_dossiers_received", "en")]
    assert got == [f"{received:,}"]


def test_upload_page_is_for_stewards_only(secured):
    from ui.nav import pages_for

    assert "views/upload.py" in [p.path for p in pages_for("steward")]
    for role in (None, "national", "province", "commune"):
        assert "views/upload.py" not in [p.path for p in pages_for(role)]
    at = run_as("st", "upload")
    assert at.get("file_uploader")
    assert not at.error


# --- hostile query parameters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "user"),
    [*((p, u) for p in PAGES for u in ("pt", "vb")), ("province", "nat"), ("commune", "nat")],
)
def test_hostile_query_parameters(secured, page, user):
    hanoi = names(secured, HA_NOI)
    before = sql(secured, "select count(*) from fact_dossier")[0][0]
    for key, values in HOSTILE.items():
        for value in values:
            at = run_as(user, page, **{key: value})  # run_as asserts no exception
            if user != "nat":
                text = page_text(at)
                assert not [n for n in hanoi if n in text], (page, key, value[:40])
    assert sql(secured, "select count(*) from fact_dossier")[0][0] == before
