"""Issue 13, finding 1, on a real server: a steward uploads the 1.6 KB XLSX bomb beside a good CSV
through Chromium (Playwright) to `streamlit run`; the bomb is refused with its far cell named, the
CSV is previewed, the server process stays up, another user's session is served afterwards, and
the upload's temp folder is gone.  (On 17624a3 the server aborted and every browser showed
"Connection error".)"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from metrics.i18n import t
from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, EXCEPTION, streamlit_server
from tests.conftest import write_csv
from tests.etl.test_xlsx_guard import bomb
from tests.security.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots" / "security"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
H = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]


def _sign_in(page, user: str) -> None:
    page.wait_for_selector('input[type="password"]', timeout=60_000)
    page.locator('input[type="text"]').first.fill(user)
    page.locator('input[type="password"]').fill(PASSWORD)
    page.get_by_role("button", name=t("sign_in", "en")).first.click()
    time.sleep(1)
    page.wait_for_selector(IDLE, timeout=90_000)


@pytest.mark.browser
def test_bomb_upload_on_a_real_server_keeps_it_serving(app_warehouse, users_path, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Chromium: apt-get install chromium"
    SHOTS.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copyfile(app_warehouse, db)
    # The server's temp folder, to watch (short: Chromium puts its socket under TMPDIR too).
    tmp = Path(tempfile.mkdtemp(prefix="t13-", dir="/tmp"))
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(users_path))
    monkeypatch.setenv("DASHBOARD_AUTH_LOG", str(tmp_path / "auth.log"))
    monkeypatch.setenv("TMPDIR", str(tmp))
    files = [
        bomb(tmp_path / "bom.xlsx"),
        write_csv(tmp_path / "tot.csv", H, [[f"BR{i}", 8380, "05/12/2025", "", "", 2] for i in range(3)]),
    ]
    with streamlit_server(db, SHOTS / "upload-bomb.log") as (base, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        steward = browser.new_context(viewport={"width": 1366, "height": 1000}).new_page()
        steward.goto(f"{base}/upload?lang=en")
        _sign_in(steward, "st")  # (in the same page: a reload is a new session)
        steward.get_by_role("link", name=t("nav_upload", "en")).first.click()  # (sign-in may land elsewhere)
        steward.wait_for_selector('[data-testid="stFileUploader"]', timeout=90_000)
        steward.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            [str(f) for f in files]
        )
        steward.wait_for_selector('[data-testid="stAlertContentError"]', timeout=120_000)
        steward.wait_for_selector(IDLE, timeout=120_000)
        steward.wait_for_selector('[data-testid="stDataFrame"] >> nth=1', timeout=120_000)
        steward.screenshot(path=str(SHOTS / "upload-bomb.png"), full_page=True)
        assert proc.poll() is None  # the server is alive
        assert steward.locator(EXCEPTION).count() == 0
        assert "refused" in steward.locator('[data-testid="stAlertContentError"]').first.inner_text()
        # Another user, another session, after the bomb.
        leader = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        leader.goto(f"{base}/?lang=en")
        _sign_in(leader, "pt")
        leader.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
        assert leader.locator(EXCEPTION).count() == 0 and proc.poll() is None
        browser.close()
    # The upload's own folder went with its run (the reads' spill folder lives with the process).
    left = [q.name for q in tmp.iterdir() if q.name.startswith(("cds-upload-", "cds-preview-"))]
    shutil.rmtree(tmp, ignore_errors=True)
    assert left == []
    assert [q.name for q in db.parent.iterdir() if q.name.startswith("cds-preview-")] == []
