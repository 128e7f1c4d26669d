"""Issue 13 in a real browser (Chromium through Playwright, the app served by `streamlit run`):

* markdown / HTML in every URL parameter: no link or image to the payload's host in the page, no
  request to it (an <img> or ![..](..) would make the browser fetch it);
* hostile procedure names on the filings page: no link in the chart, the tables' own export off;
* a deep link opened before signing in is the page shown after (a reload would start a new
  Streamlit session, so the sign-in happens in the same page), and an out-of-scope one is refused;
* over HTTP: XSRF on uploads, no CORS grant to another origin, no path traversal.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from metrics.i18n import t
from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, EXCEPTION, open_page, streamlit_server
from tests.security.conftest import PASSWORD, PHU_THO, VAN_BAN

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots" / "security"
PAYLOADS = [
    "x` [Đăng nhập lại](https://evil.example/login) `y",
    "![a](https://evil.example/a.png)",
    "<img src=https://evil.example/x.png onerror=alert(1)>",
    "https://evil.example/login",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Chromium: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def open_server(hostile_warehouse):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DASHBOARD_USERS_FILE", raising=False)
        with streamlit_server(hostile_warehouse, SHOTS / "open.log") as (base, _proc):
            yield base


@pytest.fixture(scope="module")
def secured_server(hostile_warehouse, users_path, tmp_path_factory):
    SHOTS.mkdir(parents=True, exist_ok=True)
    state = tmp_path_factory.mktemp("state")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DASHBOARD_USERS_FILE", str(users_path))
        mp.setenv("DASHBOARD_STATE_DIR", str(state))
        mp.setenv("DASHBOARD_AUTH_LOG", str(state / "auth.log"))
        with streamlit_server(hostile_warehouse, SHOTS / "secured.log") as (base, _proc):
            yield base


def _page(browser, requests: list[str]):
    """A page whose requests' host names are collected in `requests`."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.on("request", lambda r: requests.append(urlsplit(r.url).hostname or ""))
    return context, page


@pytest.mark.browser
def test_url_payloads_render_as_text(open_server, browser):
    requests: list[str] = []
    context, page = _page(browser, requests)
    for key in ("province", "commune", "period", "lang"):
        for i, payload in enumerate(PAYLOADS):
            extra = "" if key == "province" else f"province={PHU_THO}&"
            open_page(page, f"{open_server}/?{extra}{key}={quote(payload, safe='')}")
            page.wait_for_selector('[data-testid="stAlertContentWarning"]', timeout=30_000)
            if i == 0:
                page.screenshot(path=str(SHOTS / f"payload-{key}.png"))
            assert page.locator(EXCEPTION).count() == 0
            assert page.locator('a[href*="evil.example"]').count() == 0, (key, payload)
            assert page.locator('img[src*="evil.example"]').count() == 0, (key, payload)
            warnings = " ".join(page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts())
            assert payload[:20] in warnings or payload[:20].strip("` ") in warnings, (key, payload, warnings)
    time.sleep(0.5)
    assert "evil.example" not in requests  # nothing fetched from the payload's host
    context.close()


@pytest.mark.browser
def test_hostile_procedure_names_on_the_filings_page(open_server, browser):
    requests: list[str] = []
    context, page = _page(browser, requests)
    open_page(page, f"{open_server}/filings?province={PHU_THO}&commune={VAN_BAN}&period=2025-10&lang=en")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    page.screenshot(path=str(SHOTS / "filings-hostile.png"), full_page=True)
    assert page.locator(EXCEPTION).count() == 0
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    ticks = " ".join(page.locator(".js-plotly-plot .ytick text").all_text_contents())
    assert "<a href" in ticks  # the name shown as text
    # The tables' own toolbar export (unescaped) is off; the escaped downloads are there.
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    table.hover()
    page.wait_for_selector('[data-testid="stElementToolbarButton"] button[aria-label]', timeout=30_000)
    labels = [
        b.get_attribute("aria-label")
        for b in page.locator('[data-testid="stElementToolbarButton"] button[aria-label]').all()
    ]
    assert labels and not [label for label in labels if "ownload" in label], labels
    assert page.locator('[data-testid="stDownloadButton"]').count() >= 2
    assert "evil.example" not in requests  # nothing fetched from the payload's host
    context.close()


def _sign_in(page, user: str, password: str) -> None:
    page.wait_for_selector('input[type="password"]', timeout=60_000)
    page.locator('input[type="text"]').first.fill(user)
    page.locator('input[type="password"]').fill(password)
    page.get_by_role("button", name=t("sign_in", "en")).first.click()
    time.sleep(1)
    page.wait_for_selector(IDLE, timeout=90_000)


@pytest.mark.browser
def test_deep_link_then_sign_in_opens_the_linked_view(secured_server, browser):
    context, page = _page(browser, [])
    open_page(page, f"{secured_server}/commune?province={PHU_THO}&commune={VAN_BAN}&period=2025-10&lang=en")
    _sign_in(page, "pt", PASSWORD)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')"
        f" && document.querySelector('[data-testid=\"stMainBlockContainer\"] h1').innerText"
        f" === {t('nav_commune', 'en')!r}",
        timeout=60_000,
    )
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.screenshot(path=str(SHOTS / "deep-link-after-sign-in.png"))
    assert "/commune?" in page.url and f"commune={VAN_BAN}" in page.url and "period=2025-10" in page.url
    assert "Xã Vân Bán" in page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    context.close()


@pytest.mark.browser
def test_out_of_scope_deep_link_is_refused_after_sign_in(secured_server, browser):
    context, page = _page(browser, [])
    open_page(page, f"{secured_server}/signatures?province=1&period=2025-10&lang=en")
    _sign_in(page, "pt", PASSWORD)
    page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=60_000)
    text = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert t("refused_scope", "en") in text and "Đại Xuyên" not in text
    context.close()


def _http(base: str, method: str, path: str, headers: dict | None = None, data: bytes | None = None):
    request = urllib.request.Request(base + path, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


@pytest.mark.browser
def test_xsrf_cors_and_path_traversal_over_http(open_server):
    """The served app: an upload without the XSRF token is refused; another site's origin gets no
    CORS grant; paths that climb out of the app return no file."""
    status, _, body = _http(
        open_server,
        "PUT",
        "/_stcore/upload_file/some-session/some-file",
        {"Content-Type": "multipart/form-data; boundary=x", "Origin": "https://evil.example"},
        b"--x--\r\n",
    )
    assert status == 403 and b"XSRF" in body
    for method, path in (("GET", "/_stcore/health"), ("OPTIONS", "/_stcore/upload_file/a/b")):
        status, headers, _ = _http(
            open_server,
            method,
            path,
            {"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
        )
        assert headers.get("access-control-allow-origin") not in ("*", "https://evil.example"), (
            path,
            headers,
        )
    for path in (
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../../../etc/passwd",
        "/app/static/..%2f..%2f..%2fetc/passwd",
        "/media/..%2f..%2fetc%2fpasswd",
        "/component/..%2f..%2fetc/passwd",
        "/_stcore/..%2f..%2fREADME.md",
    ):
        status, _, body = _http(open_server, "GET", path)
        assert b"root:" not in body and b"# Commune digital-transformation" not in body, (path, status)


def _h1_is(page, label: str) -> None:
    page.wait_for_function(
        "(label) => { const h = document.querySelector("
        "'[data-testid=\"stMainBlockContainer\"] h1'); return h && h.innerText === label; }",
        arg=label,
        timeout=90_000,
    )


# Issue 15: each role lands on its own place after signing in at the bare address.
LANDINGS = [
    ("nat", "nav_national", "whole_country", None),
    ("pt", "nav_province", None, "Phú Thọ"),
    ("st", "nav_province", None, "Phú Thọ"),
    ("vb", "nav_commune", None, "Xã Vân Bán"),
]


@pytest.mark.browser
@pytest.mark.parametrize(("user", "title", "label", "name"), LANDINGS)
def test_each_role_lands_on_its_own_place(secured_server, browser, user, title, label, name):
    context, page = _page(browser, [])
    open_page(page, f"{secured_server}/?lang=en")
    _sign_in(page, user, PASSWORD)
    _h1_is(page, t(title, "en"))
    page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
    page.screenshot(path=str(SHOTS / f"landing-{user}.png"))
    heading = page.locator('[data-testid="stMainBlockContainer"] h3').first.inner_text()
    assert (name or t(label, "en")) in heading, heading
    if user == "vb":
        assert f"commune={VAN_BAN}" in page.url
        chosen = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1)  # commune
        shown = chosen.inner_text() + " " + chosen.locator("input").input_value()
        assert "Xã Vân Bán" in shown, shown
    context.close()


@pytest.mark.browser
def test_commune_account_deep_link_is_honoured_after_sign_in(secured_server, browser):
    context, page = _page(browser, [])
    open_page(page, f"{secured_server}/filings?period=2025-10&lang=en")
    _sign_in(page, "vb", PASSWORD)
    _h1_is(page, t("nav_filings", "en"))
    assert "/filings?" in page.url and "period=2025-10" in page.url and f"commune={VAN_BAN}" in page.url
    context.close()
