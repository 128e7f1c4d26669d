"""Many users at once: real browser sessions (Playwright contexts in Debian's Chromium) against the
served app on the demo warehouse, directly or through nginx in front of several Streamlit processes.

    python -m bench.bench_concurrency [--db data/warehouse.duckdb] [--levels 1,10,25,50]
        [--processes 2] [--nginx] [--config runner.postScriptGC=true ...] [--repeat 8] [--json out.json]

For each level N, N sessions (each a new browser context, as N people) open a page at the same time:
the province overview, a commune profile or the service index, each with its own province, commune
and period, so that sessions do not all ask for the same figures (each process first opens one page
of each kind, unmeasured: the imports and the first run of each page are not part of any level).  `--client ws` speaks Streamlit's
own websocket protocol instead of running a browser: the server's whole cost of a page without
Chromium's rendering, which on this machine shares the 2 cores with the servers.  A page counts as rendered when
its title is shown and the script run has finished (the stApp's script state is notRunning) without
an exception element.  Reported per level: p50 / p95 time to a rendered page, pages per second
(sessions / wall time of the level), errors, and the peak resident memory of every server process
(with their children) during the level.  The first level (1 session, after one unmeasured warm-up
page per process) is the baseline: three sessions one after another, their median; each level's
p95 is compared with it.

The browser runs on the same 2-core machine as the servers: its own CPU is part of each figure.
`--processes N` starts N Streamlit processes behind nginx (a self-signed certificate made with
openssl, the site rendered by deploy/render_nginx.py, sticky sessions); `--nginx` with one process
measures the proxy alone.  `--config KEY=VALUE` passes a Streamlit option to every server (e.g.
the settings before this bench's fixes, to compare in the same run).  `--repeat N` makes N independent
runs, each with fresh servers (cold caches, as after a restart or a load), and ends with each level's
median ratio, its range and how many runs met the target: one run's ratio moves by 10-20 % on a quiet
machine and far more on a busy one, so the median over runs is the figure to report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import duckdb
import psutil

from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, EXCEPTION, ROOT, free_port

GiB = 2**30
WAIT_S = 300
TARGET_RATIO_10 = 5.0
TARGET_RSS = 2 * GiB
BASELINE_RUNS = 3  # the one-session level: three sessions one after another, their median


def tree_rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
    return total


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes and their descendants, including
    descendants that have exited (Chromium's renderer of a closed context): counted in their
    parent's children_user / children_system once reaped."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                t = p.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
    return total


def browser_pids(servers: list[int]) -> list[int]:
    """This bench's own children that are not servers: Playwright's driver and Chromium."""
    return [c.pid for c in psutil.Process().children() if c.pid not in servers]


class Peak:
    """Samples the servers' resident memory every 0.2 s while running."""

    def __init__(self, pids: list[int]):
        self.pids, self.peak, self._stop = pids, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pids))
            self._stop.wait(0.2)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self.pids))


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120, context=None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer (exit {proc.poll()}); see {log}")
        time.sleep(0.3)


def start_streamlit(db: Path, port: int, log: Path, options: list[str]) -> subprocess.Popen:
    env = {**os.environ, "CDS_WAREHOUSE": str(db)}
    env.pop("DASHBOARD_USERS_FILE", None)
    cmd = [
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
    ]
    for opt in options:
        key, _, value = opt.partition("=")
        cmd += [f"--{key}", value]
    with open(log, "w") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    _wait_http(f"http://127.0.0.1:{port}/_stcore/health", proc, log)
    return proc


def start_nginx(ports: list[int], folder: Path) -> tuple[str, subprocess.Popen]:
    """nginx in front of `ports` on a free HTTPS port; returns (base URL, process)."""
    from deploy.render_nginx import render, write_standalone

    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )
    https, http = free_port(), free_port()
    site = render(
        server_name="localhost",
        ports=ports,
        cert=str(cert),
        key=str(key),
        http_listen=f"127.0.0.1:{http}",
        https_listen=f"127.0.0.1:{https}",
    )
    conf = write_standalone(site, folder / "nginx")
    log = folder / "nginx" / "stdout.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(conf.parent)], stdout=out, stderr=subprocess.STDOUT
        )
    base = f"https://127.0.0.1:{https}"
    _wait_http(base + "/_stcore/health", proc, log, context=_client_tls())
    return base, proc


LOADER = """
import sys
from pathlib import Path
from etl.loader import load_files
s = load_files([Path(sys.argv[2])], Path(sys.argv[1]))
sys.exit(0 if s.exit_code == 0 and s.swapped else 1)
"""


class Swapper:
    """`--swap`: during every level of more than one session, a load (a small dossier file of a new
    month) swaps a new warehouse file in under the servers; the level's errors count what the
    sessions saw of it."""

    def __init__(self, db: Path, folder: Path):
        self.db, self.folder, self.count, self.proc = db, folder, 0, None

    def start(self) -> None:
        self.count += 1
        csv = self.folder / f"swap-{self.count}.csv"
        rows = [f"SWAP{self.count}-{i},8380,0{self.count % 9 + 1}/11/2026,2" for i in range(50)]
        csv.write_text("MaHoSo,MaXa,NgayTiepNhan,KenhThucHien\n" + "\n".join(rows) + "\n", encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-c", LOADER, str(self.db), str(csv)], cwd=ROOT)

    def finish(self) -> bool:
        """True when the load swapped a new file in."""
        return self.proc.wait(600) == 0


SWAP: Swapper | None = None


def page_urls(db: Path, province: int | None = None) -> list[str]:
    """Province overviews, commune profiles and service-index pages over different provinces,
    communes and periods of the warehouse; with `province`, one province's deployment: its overview
    and service index and its communes' profiles, over different communes and periods."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        last = con.execute(
            "select max(month) from mart_commune_month where dossiers_received > 0"
        ).fetchone()[0]
        if province is None:
            communes = con.execute(
                "select province_code, min(commune_code) from dim_commune where commune_code in "
                "(select commune_code from mart_commune_month) group by 1 order by 1"
            ).fetchall()
        else:
            communes = con.execute(
                "select province_code, commune_code from dim_commune where province_code = ? and "
                "commune_code in (select commune_code from mart_commune_month) order by commune_code",
                [province],
            ).fetchall()
    finally:
        con.close()
    months = [f"{last.year}-{last.month:02d}"]
    for back in (1, 2, 3):
        y, m = divmod(last.year * 12 + last.month - 1 - back, 12)
        months.append(f"{y}-{m + 1:02d}")
    quarter = f"{last.year}-Q{(last.month - 1) // 3 + 1}"
    urls = []
    for i, (prov, commune) in enumerate(communes):
        period = (months + [quarter])[i % 5]
        kind = i % 3
        if kind == 0:
            urls.append(f"/?province={prov}&period={period}")
        elif kind == 1:
            urls.append(f"/commune?province={prov}&commune={commune}&period={period}")
        else:
            urls.append(f"/service_index?province={prov}&period={period}")
    return urls


async def one_session(browser, url: str) -> tuple[float | None, str | None]:
    context = await browser.new_context(ignore_https_errors=True, viewport={"width": 1366, "height": 900})
    try:
        page = await context.new_page()
        started = time.perf_counter()
        await page.goto(url, timeout=WAIT_S * 1000)
        await page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=WAIT_S * 1000)
        await page.wait_for_selector(
            '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=WAIT_S * 1000
        )
        took = time.perf_counter() - started
        if await page.locator(EXCEPTION).count():
            return None, f"{url}: exception shown"
        return took, None
    except Exception as err:  # a timeout, a refused connection: counted as an error of the level
        return None, f"{url}: {type(err).__name__}: {str(err).splitlines()[0][:160]}"
    finally:
        await context.close()


@functools.cache
def _client_tls():
    """One TLS context for the whole run, without the system's CA list (the bench's own certificate is
    not verified).  `ssl.create_default_context()` a session loaded the CA list each time: ~50 ms of
    the client's one thread per session, so a level of 10 started with ~0.4 s in which the client
    alone was busy and the servers waited (measured with per-process CPU samples)."""
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    return ctx


async def ws_session(base: str, url: str) -> tuple[float | None, str | None, int]:
    """One session over Streamlit's own websocket protocol, without a browser: connect to
    /_stcore/stream, ask for the page's script run (BackMsg rerun_script with the page and its query
    string), read every ForwardMsg until the run has finished.  Returns (seconds, error, bytes
    received): the server's whole cost of a page, and the payload a browser would have to render."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    path, _, query = url.partition("?")
    ws_url = base.replace("http", "ws", 1) + "/_stcore/stream"
    ctx = _client_tls() if ws_url.startswith("wss") else None
    received = 0
    started = time.perf_counter()
    try:
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], ssl=ctx, max_size=None, open_timeout=WAIT_S
        ) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = query
            msg.rerun_script.page_name = path.strip("/")
            await ws.send(msg.SerializeToString())
            while True:
                data = await asyncio.wait_for(ws.recv(), WAIT_S)
                received += len(data)
                fwd = ForwardMsg()
                fwd.ParseFromString(data)
                kind = fwd.WhichOneof("type")
                if (
                    kind == "delta"
                    and fwd.delta.WhichOneof("type") == "new_element"
                    and fwd.delta.new_element.WhichOneof("type") == "exception"
                ):
                    return None, f"{url}: exception {fwd.delta.new_element.exception.message[:120]}", received
                if kind == "script_finished" and fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return time.perf_counter() - started, None, received
                if (
                    kind == "script_finished"
                    and fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR
                ):
                    return None, f"{url}: compile error", received
    except Exception as err:
        return None, f"{url}: {type(err).__name__}: {str(err)[:160]}", received


async def run_ws_levels(
    base: str, urls: list[str], levels: list[int], pids: list[int], direct: list[str]
) -> list[dict]:
    out = []
    offset = 0
    for d in direct:  # warm-up of every process and page kind, on its own port: not measured
        for u in urls[-3:]:
            await ws_session(d, u)
    for n in levels:
        chosen = [urls[(offset + i) % len(urls)] for i in range(max(n, BASELINE_RUNS if n == 1 else n))]
        offset += len(chosen)
        cpu0 = tree_cpu(pids)
        swapping = SWAP is not None and n > 1
        with Peak(pids) as peak:
            started = time.perf_counter()
            if swapping:
                SWAP.start()
            if n == 1:  # the baseline: one session at a time, BASELINE_RUNS times
                results = [await ws_session(base, u) for u in chosen]
            else:
                results = await asyncio.gather(*(ws_session(base, u) for u in chosen))
            wall = time.perf_counter() - started
        swapped = SWAP.finish() if swapping else None
        out.append(
            _row(
                n,
                [(t, e) for t, e, _ in results],
                wall,
                peak.peak,
                tree_cpu(pids) - cpu0,
                None,
                statistics.median(b for _, _, b in results),
                pages=len(chosen),
            )
        )
        out[-1]["warehouse_swapped_during"] = swapped
        print(_line(out[-1], out[0]), flush=True)
    return out


def _row(n, results, wall, rss, server_cpu, browser_cpu, payload=None, pages=None) -> dict:
    pages = pages or n
    times = sorted(t for t, _ in results if t is not None)
    errors = [e for _, e in results if e]
    return {
        "sessions": n,
        "p50": statistics.median(times) if times else None,
        "p95": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] if times else None,
        "max": times[-1] if times else None,
        "pages_per_s": len(times) / wall,
        "wall": wall,
        "errors": len(errors),
        "error_samples": errors[:3],
        "rss_peak": rss,
        "server_cpu_s_per_page": server_cpu / pages,
        "browser_cpu_s_per_page": None if browser_cpu is None else browser_cpu / pages,
        "payload_bytes_median": payload,
        "load_avg_1min": os.getloadavg()[0],
    }


async def run_levels(
    base: str, urls: list[str], levels: list[int], pids: list[int], direct: list[str]
) -> list[dict]:
    from playwright.async_api import async_playwright

    out = []
    offset = 0
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for d in direct:  # warm-up of every process and page kind on its own port: not measured
            for u in urls[-3:]:
                await one_session(browser, d + u)
        for n in levels:
            count = BASELINE_RUNS if n == 1 else n
            chosen = [base + urls[(offset + i) % len(urls)] for i in range(count)]
            offset += count
            others = [p for p in browser_pids(pids) if p not in pids]
            cpu0, bcpu0 = tree_cpu(pids), tree_cpu(others)
            swapping = SWAP is not None and n > 1
            with Peak(pids) as peak:
                started = time.perf_counter()
                if swapping:
                    SWAP.start()
                if n == 1:  # the baseline: one session at a time, BASELINE_RUNS times
                    results = [await one_session(browser, u) for u in chosen]
                else:
                    results = await asyncio.gather(*(one_session(browser, u) for u in chosen))
                wall = time.perf_counter() - started
            swapped = SWAP.finish() if swapping else None
            server_cpu, browser_cpu = tree_cpu(pids) - cpu0, tree_cpu(others) - bcpu0
            row = _row(n, results, wall, peak.peak, server_cpu, browser_cpu, pages=count)
            row["warehouse_swapped_during"] = swapped
            out.append(row)
            print(_line(row, out[0]), flush=True)
        await browser.close()
    return out


def _line(row: dict, base: dict) -> str:
    ratio = row["p95"] / base["p50"] if row["p95"] and base["p50"] else float("nan")
    return (
        f"  {row['sessions']:>3} sessions: p50 {row['p50'] or float('nan'):6.2f} s  p95 {row['p95'] or float('nan'):6.2f} s"
        f"  ({ratio:4.1f}x one session)  {row['pages_per_s']:5.2f} pages/s  errors {row['errors']}"
        f"  server RSS {row['rss_peak'] / GiB:.2f} GiB  CPU per page: server {row['server_cpu_s_per_page']:.2f} s"
        + (
            f", browser {row['browser_cpu_s_per_page']:.2f} s"
            if row["browser_cpu_s_per_page"] is not None
            else ""
        )
        + (f", payload {row['payload_bytes_median'] / 1e3:.0f} kB" if row["payload_bytes_median"] else "")
        + f"  (load {row['load_avg_1min']:.1f})"
        + (" [warehouse swapped during the level]" if row.get("warehouse_swapped_during") else "")
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--db", type=Path, default=Path(os.environ.get("CDS_WAREHOUSE", ROOT / "data" / "warehouse.duckdb"))
    )
    ap.add_argument("--levels", default="1,10,25,50")
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--nginx", action="store_true", help="put nginx in front even of one process")
    ap.add_argument(
        "--config", action="append", default=[], help="Streamlit option KEY=VALUE for every server"
    )
    ap.add_argument(
        "--client",
        choices=["browser", "ws"],
        default="browser",
        help="browser: Playwright contexts in Chromium (default); ws: Streamlit's websocket protocol, no rendering",
    )
    ap.add_argument(
        "--swap",
        action="store_true",
        help="serve a copy of the warehouse and swap a new one in (a load) during every level of 2+ sessions",
    )
    ap.add_argument(
        "--province",
        type=int,
        default=None,
        help="one province's deployment: its overview, service index and communes' profiles "
        "(different communes and periods) instead of one page per province",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="independent runs (fresh servers each); prints each level's median ratio and range over them",
    )
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"{args.db}: no warehouse (make data/warehouse.duckdb)", file=sys.stderr)
        return 2
    levels = [int(x) for x in args.levels.split(",")]
    runs = [_run_once(args, levels) for _ in range(args.repeat)]
    if args.repeat > 1:
        _summary(runs)
    if args.json:
        args.json.write_text(json.dumps(runs[0] if args.repeat == 1 else runs, indent=2, default=str))
    return 0


def _run_once(args, levels: list[int]) -> dict:
    """One run: fresh servers (cold caches, as after a start or a load), the levels in order."""
    global SWAP
    load = os.getloadavg()
    print(
        f"bench_concurrency: {args.processes} process(es){' behind nginx' if args.processes > 1 or args.nginx else ''}"
        f", options {args.config or 'from .streamlit/config.toml'}"
        f", pages {'of province ' + str(args.province) if args.province else 'one per province'}, load avg {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="cds-bench-") as tmp:
        folder = Path(tmp)
        try:
            ports = [free_port() for _ in range(args.processes)]
            served = args.db
            if args.swap:
                served = folder / "wh" / "warehouse.duckdb"
                served.parent.mkdir()
                shutil.copyfile(args.db, served)
                SWAP = Swapper(served, folder)
            for i, port in enumerate(ports):
                procs.append(start_streamlit(served, port, folder / f"streamlit-{i}.log", args.config))
            pids = [p.pid for p in procs]
            if args.processes > 1 or args.nginx:
                base, ngx = start_nginx(ports, folder)
                procs.append(ngx)
            else:
                base = f"http://127.0.0.1:{ports[0]}"
            runner = run_ws_levels if args.client == "ws" else run_levels
            direct = [f"http://127.0.0.1:{port}" for port in ports]
            rows = asyncio.run(runner(base, page_urls(args.db, args.province), levels, pids, direct))
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
            # The servers' logs (tracebacks of any error) outlive the run: bench/out/ (git-ignored).
            keep = ROOT / "bench" / "out" / f"concurrency-{time.strftime('%Y%m%dT%H%M%S')}"
            keep.mkdir(parents=True, exist_ok=True)
            for log in folder.glob("streamlit-*.log"):
                shutil.copyfile(log, keep / log.name)
    result = {
        "processes": args.processes,
        "config": args.config,
        "load_before": load,
        "load_after": os.getloadavg(),
        "levels": rows,
    }
    base_p50 = rows[0]["p50"]
    for r in rows:
        r["ratio_p95_to_one"] = (r["p95"] / base_p50) if r["p95"] and base_p50 else None
    ten = next((r for r in rows if r["sessions"] == 10), None)
    if ten:
        ok = (
            ten["errors"] == 0
            and ten["ratio_p95_to_one"] is not None
            and ten["ratio_p95_to_one"] <= TARGET_RATIO_10
        )
        print(
            f"target 10 sessions p95 <= {TARGET_RATIO_10:.0f}x one, no errors: {'met' if ok else 'NOT met'}"
        )
    fifty = next((r for r in rows if r["sessions"] == 50), None)
    if fifty:
        ok = fifty["errors"] == 0 and fifty["rss_peak"] <= TARGET_RSS
        print(f"target 50 sessions no errors, server memory <= 2 GiB: {'met' if ok else 'NOT met'}")
    return result


def _summary(runs: list[dict]) -> None:
    """The figure to read on a noisy machine: the median over the runs, with its range."""
    for n in sorted({r["sessions"] for run in runs for r in run["levels"]} - {1}):
        rows = [r for run in runs for r in run["levels"] if r["sessions"] == n]
        ratios = [r["ratio_p95_to_one"] for r in rows if r["ratio_p95_to_one"] is not None]
        if not ratios:
            continue
        errors = sum(r["errors"] for r in rows)
        rss = max(r["rss_peak"] for r in rows)
        line = (
            f"{len(runs)} runs, {n} sessions: p95 / one session median {statistics.median(ratios):.2f}x"
            f" (range {min(ratios):.2f}-{max(ratios):.2f}x), errors {errors}, server RSS at most {rss / GiB:.2f} GiB"
        )
        if n == 10:
            line += f"; p95 <= {TARGET_RATIO_10:.0f}x in {sum(x <= TARGET_RATIO_10 for x in ratios)} of {len(ratios)}"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
