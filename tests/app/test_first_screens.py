"""What each user's first screen answers (issue 16): the bare address and old deep links open the
right page with their filters; the secretary's report at the top of the commune profile; the
leader's rank among the provinces; the ranking table's compact group columns; phone-friendly hints."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.i18n import t
from tests.app.test_pages import PHU_THO, VAN_BAN, run_page

ROOT = Path(__file__).resolve().parents[2]
LANGS = ["vi", "en"]


def run_bare(**params) -> AppTest:
    """The app at its bare address (/), as a browser opens it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_bare_address_opens_the_province_overview_with_its_filters(app_env, lang):
    at = run_bare(province=PHU_THO, period="2025-10", lang=lang)
    assert at.title[0].value == t("nav_province", lang)
    assert at.query_params["province"] == str(PHU_THO) and at.query_params["period"] == "2025-10"


@pytest.mark.parametrize("page", ["province", "national", "commune", "service_index"])
def test_every_page_has_its_own_address(app_env, page):
    """/province (the landing page) is a page like the others, not only the bare address."""
    at = run_page(page, province=PHU_THO, commune=VAN_BAN, period="2025-10", lang="en")
    assert at.title[0].value == t(f"nav_{'index' if page == 'service_index' else page}", "en")
    assert at.query_params["commune"] == str(VAN_BAN) and at.query_params["period"] == "2025-10"
