"""The app served by `streamlit run` on 127.0.0.1 for a real browser (Debian's Chromium through
Playwright): used by the browser tests and by bench/bench_national.py's server-memory step."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXCEPTION = '[data-testid="stException"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    db: Path, log_path: Path, start_timeout: float = 60
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run app.py` on a free port over the warehouse `db`, its output in `log_path`;
    yields (base URL, process) once /_stcore/health answers, and stops the server afterwards."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "CDS_WAREHOUSE": str(db)}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start (exit {proc.poll()}); see {log_path}")
                time.sleep(0.3)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


# Browser tests wait for conditions, never for a fixed time, with a limit generous enough that a busy
# machine (2 cores shared with other jobs) cannot fail them; a healthy run meets each condition in seconds.
WAIT_MS = 180_000


def open_page(page, url: str, run_timeout_ms: int = WAIT_MS, title_timeout_ms: int = WAIT_MS) -> None:
    """Open a URL and wait until the app shows the page title and has finished its script run."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=title_timeout_ms)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=run_timeout_ms
    )


def settled_box(locator, timeout_ms: int = WAIT_MS) -> dict:
    """The element's bounding box once the layout around it has settled: scrolled into view and read
    until two reads 0.5 s apart agree (charts above it render after the script run and push it down)."""
    deadline = time.monotonic() + timeout_ms / 1000
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        locator.scroll_into_view_if_needed()
        again = locator.bounding_box()
        if again == box and box is not None:
            return box
        box = again
    raise AssertionError(f"the element kept moving for {timeout_ms} ms: {box}")


def click_until_url(page, click, url_glob: str, timeout_ms: int = WAIT_MS, attempt_ms: int = 10_000) -> None:
    """Click (`click()`) until the page's URL matches `url_glob`: a click that lands before the element is
    interactive is repeated, until `timeout_ms` has passed."""
    import playwright.sync_api as pw

    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        click()
        try:
            page.wait_for_url(url_glob, timeout=attempt_ms)
            return
        except pw.TimeoutError:
            if time.monotonic() > deadline:
                raise
