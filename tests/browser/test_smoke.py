"""Real browser: the app served by `streamlit run` on 127.0.0.1, every page opened in Debian's Chromium
(Playwright, system browser), no Streamlit exception shown, one shared URL followed and its filters
checked, screenshots saved under screenshots/browser/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from metrics.i18n import t
from tests.browser.serving import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    WAIT_MS,
    click_until_url,
    open_page,
    settled_box,
    streamlit_server,
)
from ui.nav import PAGES

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots" / "browser"
FILTERS = "province=25&commune=8380&period=2025-10"


@pytest.fixture(scope="module")
def server(browser_warehouse):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(browser_warehouse, SHOTS / "streamlit.log") as (base, _proc):
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Chromium: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _url(base: str, url_path: str, query: str) -> str:
    return f"{base}/{url_path}?{query}"  # every page has its own address, the landing page too


@pytest.mark.browser
def test_every_page_opens_without_exception(server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang, (width, height) in (("vi", (1366, 768)), ("en", (400, 860))):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        page = context.new_page()
        # Subpages first: a fresh server must route a deep link to the right page.
        for p in [*PAGES[1:], PAGES[0]]:
            open_page(page, _url(server, p.url_path, f"{FILTERS}&lang={lang}"))
            page.screenshot(path=str(SHOTS / f"{p.url_path}-{lang}-{width}.png"))
            assert page.locator(EXCEPTION).count() == 0, f"exception on {p.url_path} ({lang})"
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_old_deep_link_and_bare_address_open_the_province_overview(server, browser, lang):
    """/province?... (the landing page's own address) and the bare address both open the province
    overview with the address's filters, never a "Page not found" dialog."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    for path in ("province", ""):
        open_page(page, f"{server}/{path}?province=25&period=2025-10&lang={lang}")
        main = page.locator('[data-testid="stMainBlockContainer"]')
        page.wait_for_function(
            "(label) => { const h = document.querySelector("
            "'[data-testid=\"stMainBlockContainer\"] h1'); return h && h.innerText === label; }",
            arg=t("nav_province", lang),
            timeout=WAIT_MS,
        )
        assert "Phú Thọ" in main.inner_text()
        assert page.get_by_text("Page not found").count() == 0
        page.wait_for_url("**/province?**", timeout=WAIT_MS)
        assert "province=25" in page.url and "period=2025-10" in page.url and f"lang={lang}" in page.url
    context.close()


@pytest.mark.browser
def test_shared_url_applies_its_filters_and_they_survive_navigation(server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    open_page(page, f"{server}/commune?province=25&commune=8380&period=2025-Q4&lang=en")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    assert main.locator("h1").first.inner_text() == "Commune profile"
    assert "Xã Vân Bán · Phú Thọ · Q4 2025" in main.inner_text()
    sidebar = page.locator('[data-testid="stSidebar"]')
    chosen = [
        sidebar.locator('[data-testid="stSelectbox"] input').nth(i).get_attribute("value") for i in range(3)
    ]
    assert chosen == ["Phú Thọ", "Xã Vân Bán", "Q4 2025"]
    # Switch page from the menu: the filters come along and the URL still carries them.
    sidebar.get_by_role("link", name="Online filings").click()
    page.wait_for_url("**/filings**", timeout=WAIT_MS)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stMainBlockContainer] h1')"
        "?.innerText === 'Online filings'",
        timeout=WAIT_MS,
    )
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=WAIT_MS)
    assert "Xã Vân Bán · Q4 2025" in main.inner_text()
    assert "commune=8380" in page.url and "period=2025-Q4" in page.url
    assert page.locator(EXCEPTION).count() == 0
    page.screenshot(path=str(SHOTS / "shared-url-filings-en.png"))
    # A malformed link falls back with a notice, never an exception.
    open_page(page, f"{server}/signatures?province=abc&period=2025-13&lang=xx")
    assert page.locator('[data-testid="stAlertContentWarning"]').count() >= 2
    assert page.locator(EXCEPTION).count() == 0
    context.close()


@pytest.mark.browser
def test_clicking_a_ranking_row_opens_the_commune_profile(server, browser, browser_warehouse):
    con = duckdb.connect(str(browser_warehouse), read_only=True)
    try:
        code, name = (
            con.execute("""select i.commune_code, c.name from mart_index_period i join dim_commune c using (commune_code)
            where i.period_type = 'month' and i.period = '2025-10' and i.province_code = 25
            order by i.index_rank, c.name limit 1""").fetchall()[0]
        )
    finally:
        con.close()
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    open_page(page, f"{server}/?province=25&period=2025-10&lang=en")
    # the ranking table: the first grid after the "Commune ranking" heading (the attention list, also
    # clickable, sits above it)
    heading = t("h_ranking", "en")
    page.wait_for_selector(f"h3:has-text('{heading}')", timeout=WAIT_MS)
    grid = page.locator(f"xpath=//h3[contains(., '{heading}')]/following::*[@data-testid='stDataFrame'][1]")

    def click_first_row():
        # the first row's selection cell, where the grid is once the charts above it have rendered (a
        # stale position clicked the attention list's row instead); again if the grid was not interactive
        box = settled_box(grid)
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)

    click_until_url(page, click_first_row, "**/commune?**")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stMainBlockContainer] h1')"
        "?.innerText === 'Commune profile'",
        timeout=WAIT_MS,
    )
    assert f"commune={code}" in page.url
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=WAIT_MS)
    assert name in page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert page.locator(EXCEPTION).count() == 0
    context.close()
