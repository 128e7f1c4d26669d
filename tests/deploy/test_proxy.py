"""Through the proxy, in Chromium: nginx (the rendered site, a self-signed certificate made by openssl)
in front of two Streamlit processes on free 127.0.0.1 ports.  A page renders through TLS and the
websocket; a browser stays on one process (sticky cookie); with the warehouse swapped by a load while
sessions open pages, none shows an error and each shows the old or the new data; with one process
killed, new sessions are served by the other."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy import render_nginx
from metrics.i18n import t
from tests.browser.serving import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    WAIT_MS,
    free_port,
    open_page,
    streamlit_server,
)
from tests.conftest import write_csv
from tests.deploy.conftest import nginx_binary

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/?province=25&period=2025-12&lang=vi"
LOADER = """
import sys
from pathlib import Path
from etl.loader import load_files
s = load_files([Path(sys.argv[2])], Path(sys.argv[1]))
assert s.exit_code == 0 and s.swapped, s.to_dict()
"""


def _wait(url: str, proc: subprocess.Popen, log: Path, limit: float = 120) -> None:
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    deadline = time.monotonic() + limit
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5, context=ctx) as resp:
            if resp.status == 200:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer (nginx exit {proc.poll()}): {log.read_text()[-2000:]}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def stack(app_warehouse, tls_cert, tmp_path_factory):
    """(https base URL, {port: streamlit process}, nginx prefix folder, live warehouse)."""
    folder = tmp_path_factory.mktemp("proxy")
    live = folder / "wh" / "warehouse.duckdb"
    shutil.copytree(app_warehouse.parent, live.parent, ignore=shutil.ignore_patterns("demo", "*.lock"))
    with contextlib.ExitStack() as stack:
        procs = {}
        for i in range(2):
            base, proc = stack.enter_context(streamlit_server(live, folder / f"streamlit-{i}.log"))
            procs[int(base.rsplit(":", 1)[1])] = proc
        cert, key = tls_cert
        https = free_port()
        site = render_nginx.render(
            server_name="localhost",
            ports=list(procs),
            cert=str(cert),
            key=str(key),
            http_listen=f"127.0.0.1:{free_port()}",
            https_listen=f"127.0.0.1:{https}",
        )
        conf = render_nginx.write_standalone(site, folder / "nginx")
        log = folder / "nginx" / "stdout.log"
        with open(log, "w") as out:
            nginx = subprocess.Popen(
                [nginx_binary(), "-c", str(conf), "-p", str(conf.parent)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            base = f"https://127.0.0.1:{https}"
            _wait(base + "/_stcore/health", nginx, log)
            yield base, procs, conf.parent, live
        finally:
            nginx.terminate()
            nginx.wait(30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _streams(prefix: Path) -> list[tuple[str, str]]:
    """(upstream port, route cookie) of every websocket the proxy passed on so far."""
    lines = (prefix / "access.log").read_text().splitlines()
    return re.findall(
        r"^GET /_stcore/stream \d+ upstream=127\.0\.0\.1:(\d+) route=(\S+)$", "\n".join(lines), re.M
    )


def _stream_port(prefix: Path, route: str) -> int:
    """The process that served the websocket of the browser with this route cookie: nginx logs a
    websocket once it has closed, so wait for the line (generous limit, busy machine)."""
    deadline = time.monotonic() + 120
    while True:
        ports = [int(p) for p, r in _streams(prefix) if r == route]
        if ports:
            return ports[0]
        assert time.monotonic() < deadline, "nginx never logged the session's websocket"
        time.sleep(0.2)


def _as_of(page) -> str:
    """The data-as-of line every page shows (e.g. "Dữ liệu đến: Hồ sơ 12/2025 · …")."""
    return page.locator(
        '[data-testid="stCaptionContainer"]', has_text=t("data_as_of", "vi")
    ).first.inner_text()


def _tail(path: Path, lines: int = 25) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(none)"


def _session(browser, url: str, prefix: Path | None = None):
    """A new browser context on `url`, its page rendered; with the nginx `prefix`, a page that does
    not render fails with what the proxy and both servers logged and what the page showed."""
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    try:
        open_page(page, url)
    except Exception as err:
        if prefix is None:
            raise
        logs = "\n".join(
            f"--- {log.name}\n{_tail(log)}" for log in sorted(prefix.parent.glob("streamlit-*.log"))
        )
        try:
            shown = page.locator("body").inner_text(timeout=10_000)[:2000]
        except Exception as why:  # the page itself may be gone
            shown = f"(not readable: {why})"
        raise AssertionError(
            f"{url} did not render: {err}\n--- access.log\n{_tail(prefix / 'access.log')}\n"
            f"--- error.log\n{_tail(prefix / 'error.log')}\n{logs}\n--- page\n{shown}"
        ) from err
    assert page.locator(EXCEPTION).count() == 0
    route = next(c["value"] for c in context.cookies() if c["name"] == "cds_route")
    return context, page, route


@pytest.mark.browser
def test_page_renders_through_nginx_and_stays_on_one_process(stack, browser):
    base, procs, prefix, _ = stack
    before = len(_streams(prefix))
    context, page, route = _session(browser, base + PAGE)
    try:
        assert route in ("p0", "p1")  # the cookie names the process that answered
        assert page.locator('[data-testid="stMainBlockContainer"] h1').count() == 1
        page.reload()
        open_page(page, page.url)
        context.close()
        context = None
        deadline = time.monotonic() + 120
        while len(_streams(prefix)[before:]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        mine = _streams(prefix)[before:]
        assert len(mine) == 2 and {r for _, r in mine} == {route}
        served = {int(port) for port, _ in mine}
        assert len(served) == 1 and served.pop() in procs  # both websockets went to one process
    finally:
        if context is not None:
            context.close()


@pytest.mark.browser
def test_new_sessions_are_spread_evenly(stack, browser):
    """Four sessions open at once: two on each process (least connections, not a random hash, which
    put 3 or 4 of 4 on one process 5 times in 8)."""
    base, procs, prefix, _ = stack
    before = len(_streams(prefix))
    sessions = [_session(browser, base + PAGE) for _ in range(4)]  # each keeps its websocket open
    routes = sorted(route for _, _, route in sessions)
    for context, _, _ in sessions:
        context.close()
    assert routes == ["p0", "p0", "p1", "p1"]
    deadline = time.monotonic() + 120
    while len(_streams(prefix)[before:]) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    ports = {}
    for port, route in _streams(prefix)[before:]:
        ports.setdefault(route, set()).add(int(port))
    assert sorted(ports) == ["p0", "p1"] and all(len(v) == 1 for v in ports.values())
    assert {next(iter(v)) for v in ports.values()} == set(procs)


@pytest.mark.browser
def test_warehouse_swapped_during_sessions(stack, browser, tmp_path):
    """A load swaps the warehouse while sessions open pages: no errors, old or new data."""
    base, _, _, live = stack
    context, page, _ = _session(browser, base + PAGE)
    old = _as_of(page)
    context.close()
    new_file = write_csv(
        tmp_path / "thang-01.csv",
        ["MaHoSo", "MaXa", "NgayTiepNhan", "KenhThucHien"],
        [[f"N{i}", 8380, "05/01/2026", 2] for i in range(20)],
    )
    loader = subprocess.Popen([sys.executable, "-c", LOADER, str(live), str(new_file)], cwd=ROOT)
    seen, after = [], 0
    try:
        while after < 2:  # sessions until two have opened after the load finished
            finished = loader.poll() is not None
            context, page, _ = _session(browser, base + PAGE)
            seen.append(_as_of(page))
            context.close()
            after += finished
    finally:
        loader.wait(300)
    assert loader.returncode == 0
    new = seen[-1]
    assert new != old and "01/2026" in new
    assert set(seen) <= {old, new}, seen  # every session saw one whole warehouse


@pytest.mark.browser
def test_killed_process_new_sessions_go_to_the_other(stack, browser):
    base, procs, prefix, _ = stack
    context, _, route = _session(browser, base + PAGE)
    context.close()
    port = _stream_port(prefix, route)
    victim = procs[port]
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(30)
    other = next(p for p in procs if p != port)
    before = len(_streams(prefix))
    routes = []
    for _ in range(3):
        context, page, r = _session(browser, base + PAGE, prefix)
        assert page.locator(EXCEPTION).count() == 0
        context.close()
        routes.append(r)
    # The same browser (its cookie routed it to the dead process) is served too.
    context = browser.new_context(ignore_https_errors=True)
    context.add_cookies([{"name": "cds_route", "value": route, "url": base}])
    page = context.new_page()
    open_page(page, base + PAGE, run_timeout_ms=WAIT_MS)
    assert page.locator(EXCEPTION).count() == 0
    context.close()
    assert {_stream_port(prefix, r) for r in routes} == {other}
    assert {int(p) for p, _ in _streams(prefix)[before:]} <= {other}


def test_cross_origin_websocket_is_refused_and_same_origin_accepted(stack):
    """Another site's page cannot open the app's live connection (Streamlit's CORS protection on)."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    base, _, _, _ = stack
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    url = base.replace("https", "wss", 1) + "/_stcore/stream"
    with connect(url, ssl=ctx, subprotocols=["streamlit"], origin=base, open_timeout=120) as ws:
        assert ws.subprotocol == "streamlit"
    with (
        pytest.raises(InvalidStatus),
        connect(url, ssl=ctx, subprotocols=["streamlit"], origin="https://evil.example", open_timeout=120),
    ):
        pass


def test_request_over_the_upload_limit_is_refused_by_the_proxy(stack):
    """A body larger than Streamlit's upload limit never reaches a dashboard process: nginx answers 413
    from the announced length, before reading it."""
    import socket

    base, _, _, _ = stack
    host, port = base.removeprefix("https://").split(":")
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    limit_mb = render_nginx.max_upload_mb()

    def status_for(length: int, body: bytes = b"") -> int:
        with socket.create_connection((host, int(port)), timeout=120) as raw, ctx.wrap_socket(raw) as s:
            s.sendall(
                f"PUT /_stcore/upload_file/x/y HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\n"
                "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            return int(s.recv(64).split()[1])

    assert status_for((limit_mb + 1) * 1024 * 1024) == 413
    assert status_for(10, b"0123456789") not in (
        413,
        502,
    )  # a small body passes on to Streamlit (which checks its own token)
