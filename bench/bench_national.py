"""The dashboard and the reports on a national warehouse (~30 million dossiers, 3,321 communes).

    .venv/bin/python bench/bench_national.py [--db FILE] [--runs 5] [--query-runs 20] [--naive-runs 3]
                                             [--province 25] [--commune 8380] [--period 2026-10]
                                             [--skip-server] [--skip-reports] [--verbose] [--out DIR]

Uses --db, else `$CDS_WAREHOUSE` (else data/warehouse.duckdb).  Measured in one run, with the baselines:

(a) pages: every page's script run with AppTest (bench_pages.page_times): one cold run, then --runs warm
    runs; target: median of the warm runs ≤ 1 s;
(b) read-side queries: every query the pages' metrics functions send (recorded while calling them for a
    national, a province (--province) and a commune (--commune) scope, each for the latest month, its
    quarter and its year), each timed --query-runs times (≥ 20) through metrics.db.query, i.e. with a
    fresh read-only connection as the app runs them; target: p95 ≤ 100 ms;
(c) baseline: the naive approach a quick prototype would take for a page — read fact_dossier into pandas
    and group it by commune (bench_pages.naive_baseline), median of --naive-runs; target: every page's
    warm median ≥ 20× faster;
(d) memory: `streamlit run app.py` on a free port, every page opened in Chromium (Playwright, the
    browser tests' setup), each waited for until its script has finished; then the resident memory of
    the server's process tree (psutil); target ≤ 1.5 GiB.  The server is stopped afterwards;
(e) reports (bench_reports): one commune's DOCX + PDF + XLSX in a warm process and as a fresh
    `python -m reports` (target ≤ 5 s each), and the province briefing's three files (no target of its
    own in the reports issue; shown against the same 5 s).

Prints the machine (platform, cores, memory, load average), every figure, a summary table and PASS/FAIL
per target; exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

from core.config import default_db_path
from core.periods import Period, month, parse_period, quarter, year
from metrics.report_data import _freeze  # params as a hashable key: one definition
from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, EXCEPTION, open_page, streamlit_server

ROOT = Path(__file__).resolve().parent.parent

TARGET_PAGE_S = 1.0
TARGET_QUERY_P95_S = 0.100
TARGET_NAIVE_RATIO = 20.0
TARGET_RSS_BYTES = 1.5 * 2**30
TARGET_REPORT_S = 5.0
GiB = 2**30


# --------------------------------------------------------------------------------------------------
# Machine and warehouse


def machine() -> dict:
    import duckdb
    import streamlit

    load = os.getloadavg()
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / GiB, 1),
        "duckdb": duckdb.__version__,
        "streamlit": streamlit.__version__,
        "load_average": [round(x, 2) for x in load],
    }


def warehouse_facts(db: Path) -> dict:
    from metrics import db as mdb

    with mdb.connect(db) as con:
        dossiers = con.execute("select count(*) from fact_dossier").fetchall()[0][0]
        communes, months, first, last = con.execute(
            "select count(distinct commune_code), count(distinct month), min(month), max(month) "
            "from mart_commune_month where dossiers_received > 0"
        ).fetchall()[0]
    return {
        "path": str(db),
        "size_gb": round(db.stat().st_size / 1e9, 2),
        "dossiers": dossiers,
        "communes_with_dossiers": communes,
        "months_with_dossiers": months,
        "first_month": str(first),
        "last_month": str(last),
    }


def latest_month(db: Path) -> Period:
    from metrics import periodic

    last = periodic.month_range(path=db)[1]
    return month(last.year, last.month)


# --------------------------------------------------------------------------------------------------
# (b) read-side queries


@dataclass
class Query:
    label: str  # the SQL file (or the inline query's first words)
    case: str  # scope · period · the metrics function that sent it first
    sql: str
    params: object
    scope: object = None  # the metrics.scope.Scope the query layer binds
    times: list[float] = field(default_factory=list)

    def p(self, q: float) -> float:
        return float(np.percentile(self.times, q)) if self.times else float("nan")


def _sql_labels() -> dict[str, str]:
    from metrics import db as mdb
    from metrics import periodic

    labels = {p.read_text(encoding="utf-8"): p.name for p in sorted(mdb.SQL_DIR.glob("*.sql"))}
    labels[periodic.PROVINCE_PERIOD_SQL] = "commune_period.sql per province"
    return labels


def _label(sql: str, known: dict[str, str]) -> str:
    if sql in known:
        return known[sql]
    for text, name in known.items():  # a file's SQL with a relation swapped in (fallbacks)
        if sql[:120] == text[:120]:
            return f"{name} (variant)"
    return "inline: " + " ".join(sql.split())[:60]


def page_calls(province: int, commune: int, per: Period, scope):
    """(function name, call) for what the pages ask metrics for, in the pages' order (views/, ui/)."""
    from metrics import commune as cm
    from metrics import filings, periodic, quality, rankings, service_index, signatures, skills, warehouse

    def ranking_then_bumps():
        ranking = rankings.province_ranking(province, per, scope, path=DB)
        ranked = ranking.dropna(subset=["index_total"])
        return rankings.rank_histories(
            province, rankings.default_bump_communes(ranked, commune), per, scope, DB
        )

    calls = [
        ("warehouse.is_demo", lambda: warehouse.is_demo(DB)),
        ("warehouse.data_as_of", lambda: warehouse.data_as_of(scope, DB)),
        ("warehouse.coverage", lambda: warehouse.coverage(scope, DB)),
        ("periodic.places", lambda: periodic.places(scope, DB)),
        ("periodic.month_range", lambda: periodic.month_range(scope, DB)),
        # national view
        ("rankings.headline(national)", lambda: rankings.headline(None, per, scope, DB)),
        ("rankings.national_table", lambda: rankings.national_table(per, scope, DB)),
        # province overview, service index
        ("rankings.headline(province)", lambda: rankings.headline(province, per, scope, DB)),
        ("rankings.province_ranking+rank_histories", ranking_then_bumps),
        (
            "service_index.published_vs_computed",
            lambda: service_index.published_vs_computed(province, per, scope, path=DB),
        ),
        # commune profile
        ("commune.commune_figures", lambda: cm.commune_figures(commune, per, scope, DB)),
        ("commune.commune_trend", lambda: cm.commune_trend(commune, per, scope, DB)),
        ("commune.rank_history", lambda: cm.rank_history(commune, per, scope, DB)),
        ("commune.group_scores", lambda: cm.group_scores(commune, per, scope, DB)),
        ("service_index.what_it_takes", lambda: service_index.what_it_takes(commune, per, scope, path=DB)),
        (
            "skills.skills_counts(commune)",
            lambda: skills.skills_counts([per.previous(), per], None, commune, scope, path=DB),
        ),
        ("skills.commune_trend", lambda: skills.commune_trend(commune, per, scope, path=DB)),
        # skills page
        ("skills.summary", lambda: skills.summary(province, per, scope, path=DB)),
        ("skills.province_ranking", lambda: skills.province_ranking(province, per, scope, path=DB)),
        # data quality
        ("quality.freshness", lambda: quality.freshness(scope, DB)),
        ("quality.coverage", lambda: quality.coverage(province, per, scope, DB)),
        ("quality.loads", lambda: quality.loads(scope, DB)),
        ("quality.uploads", lambda: quality.uploads(scope, DB)),
        ("quality.reject_counts", lambda: quality.reject_counts(scope, DB)),
        ("quality.rejects", lambda: quality.rejects(None, scope, DB)),
        ("filings.commune_table", lambda: filings.commune_table(province, per, scope, DB)),
        ("signatures.signature_table", lambda: signatures.signature_table(province, None, per, scope, DB)),
        ("signatures.signature_grid", lambda: signatures.signature_grid(province, None, per, scope, DB)),
    ]
    for unit, c in (("province", None), ("commune", commune)):
        calls += [
            (
                f"filings.filings_summary({unit})",
                lambda c=c: filings.filings_summary(province, c, per, scope, DB),
            ),
            (
                f"filings.filings_trend({unit})",
                lambda c=c: filings.filings_trend(province, c, per, scope, DB),
            ),
            (f"filings.procedures({unit})", lambda c=c: filings.procedures(province, c, per, scope, DB)),
            (
                f"signatures.signature_summary({unit})",
                lambda c=c: signatures.signature_summary(province, c, per, scope, DB),
            ),
            (
                f"skills.sessions_in_period({unit})",
                lambda c=c: skills.sessions_in_period(province, c, per, scope, path=DB),
            ),
        ]
    return calls


DB: Path = Path()


def collect_queries(province: int, commune: int, commune_province: int, last: Period) -> list[Query]:
    """Every distinct (SQL, parameters) the page functions send, for three scopes × three periods."""
    from metrics import db as mdb
    from metrics.scope import Scope

    scopes = [
        ("national", Scope.national()),
        (f"province {province}", Scope("province", province)),
        (f"commune {commune}", Scope("commune", commune_province, commune)),
    ]
    q = quarter(last.start.year, (last.start.month - 1) // 3 + 1)
    periods = [last, q, year(last.start.year)]
    known, found, current = _sql_labels(), {}, [""]
    original = mdb.query

    def recorder(sql, params=None, path=None, scope=None):
        key = (sql, _freeze(params), scope)
        if key not in found:
            found[key] = Query(_label(sql, known), current[0], sql, params, scope)
        return original(sql, params, path, scope)

    mdb.query = recorder
    try:
        for scope_name, scope in scopes:
            for per in periods:
                for name, call in page_calls(
                    province if scope.level != "commune" else commune_province, commune, per, scope
                ):
                    current[0] = f"{scope_name} · {per.key} · {name}"
                    call()
    finally:
        mdb.query = original
    return list(found.values())


def time_queries(queries: list[Query], runs: int) -> None:
    """Round-robin: every query once per round, so a burst of load on the shared machine is spread."""
    from metrics import db as mdb

    for _ in range(runs):
        for q in queries:
            start = time.perf_counter()
            mdb.query(q.sql, q.params, DB, q.scope)
            q.times.append(time.perf_counter() - start)


def by_file(queries: list[Query]) -> list[dict]:
    out: dict[str, dict] = {}
    for q in queries:
        row = out.setdefault(
            q.label, {"label": q.label, "queries": 0, "p50_max": 0.0, "p95_max": 0.0, "worst_case": ""}
        )
        row["queries"] += 1
        row["p50_max"] = max(row["p50_max"], q.p(50))
        if q.p(95) >= row["p95_max"]:
            row["p95_max"], row["worst_case"] = q.p(95), q.case
    return sorted(out.values(), key=lambda r: -r["p95_max"])


# --------------------------------------------------------------------------------------------------
# (d) the app server's memory


def tree_rss(pid: int) -> int:
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def server_memory(db: Path, query: str, log_path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    from ui.nav import PAGES

    result: dict = {"pages": []}
    # The browser tests' server and Chromium (tests/browser/serving.py); the national pages get
    # longer timeouts.
    with streamlit_server(db, log_path, start_timeout=90) as (base, proc):
        peak, stop = [0], threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], tree_rss(proc.pid))
                stop.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        try:
            result["pid"] = proc.pid
            result["rss_started"] = tree_rss(proc.pid)
            sampler.start()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
                    for pdef in PAGES:
                        path = "" if pdef is PAGES[0] else pdef.url_path  # the landing page lives at /
                        start = time.perf_counter()
                        open_page(
                            page, f"{base}/{path}?{query}", run_timeout_ms=180_000, title_timeout_ms=60_000
                        )
                        result["pages"].append(
                            {
                                "page": pdef.url_path,
                                "load_s": time.perf_counter() - start,
                                "exceptions": page.locator(EXCEPTION).count(),
                                "rss_after": tree_rss(proc.pid),
                            }
                        )
                finally:
                    browser.close()
            time.sleep(1.0)
            result["rss_after_all"] = tree_rss(proc.pid)
        finally:
            stop.set()
            if sampler.is_alive():
                sampler.join(2)
            result["rss_peak"] = peak[0]
    return result


# --------------------------------------------------------------------------------------------------
# (e) reports


def reports_times(db: Path, province: int, commune: int, per: Period, runs: int) -> dict:
    import reports
    from bench import bench_reports

    one = bench_reports.one_commune(db, commune, per, runs)
    one["cli_fresh_process_s"] = bench_reports.cli_once(db, commune, per.key)
    cold, _ = bench_reports.timed(reports.build_province_briefings, province, per, path=db)
    warm = [
        bench_reports.timed(reports.build_province_briefings, province, per, path=db)[0] for _ in range(runs)
    ]
    return {
        "commune": one,
        "province_briefing": {"cold_s": cold, "median_s": statistics.median(warm), "runs": warm},
    }


# --------------------------------------------------------------------------------------------------


def main() -> int:
    global DB
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--db", type=Path, default=None, help="default: $CDS_WAREHOUSE, else data/warehouse.duckdb"
    )
    ap.add_argument("--runs", type=int, default=5, help="warm runs per page; report builds (default 5)")
    ap.add_argument("--query-runs", type=int, default=20, help="runs per read-side query (at least 20)")
    ap.add_argument("--naive-runs", type=int, default=3)
    ap.add_argument("--province", type=int, default=25)
    ap.add_argument("--commune", type=int, default=8380)
    ap.add_argument("--period", default=None, help="a month, e.g. 2026-10 (default: the latest month)")
    ap.add_argument("--skip-server", action="store_true")
    ap.add_argument("--skip-reports", action="store_true")
    ap.add_argument(
        "--verbose", action="store_true", help="print every query, not only the worst per SQL file"
    )
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON into this folder")
    args = ap.parse_args()
    if args.query_runs < 20:
        ap.error("--query-runs must be at least 20 (p95)")
    DB = Path(args.db or default_db_path()).resolve()
    if not DB.exists():
        print(f"no warehouse at {DB}: pass --db or set CDS_WAREHOUSE", file=sys.stderr)
        return 2
    os.environ["CDS_WAREHOUSE"] = str(DB)  # AppTest and the server read the same warehouse

    from bench import bench_pages
    from metrics import db as mdb
    from metrics import periodic
    from ui.nav import PAGES

    results: dict = {"machine": machine(), "warehouse": warehouse_facts(DB), "read_limits": mdb.read_limits()}
    m, w = results["machine"], results["warehouse"]
    print(
        f"machine: {m['platform']} ({m['processor']}), {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, DuckDB {m['duckdb']}, Streamlit {m['streamlit']}; "
        f"load average {' '.join(str(x) for x in m['load_average'])}"
    )
    print(
        f"warehouse: {w['path']} ({w['size_gb']} GB): {w['dossiers']:,} dossiers, {w['communes_with_dossiers']:,} "
        f"communes, {w['months_with_dossiers']} months {w['first_month']}..{w['last_month']}"
    )
    print(f"read connections: memory_limit {results['read_limits'][0]}, threads {results['read_limits'][1]}")
    if args.period:
        per = parse_period(args.period)
        if per is None or per.period_type != "month":
            ap.error("--period must be a month, e.g. 2026-10")
    else:
        per = latest_month(DB)
    places = periodic.places(path=DB)
    commune_province = int(places.loc[places["commune_code"] == args.commune, "province_code"].iloc[0])
    query = f"province={args.province}&commune={args.commune}&period={per.key}"

    # (b) read-side queries
    started = time.perf_counter()
    queries = collect_queries(args.province, args.commune, commune_province, per)
    time_queries(queries, args.query_runs)
    files = by_file(queries)
    print(
        f"\n(b) read-side queries: {len(queries)} distinct (SQL, parameters) from the pages' metrics functions, "
        f"national / province {args.province} / commune {args.commune} scope × {per.key} and its quarter and "
        f"year; {args.query_runs} runs each, fresh read-only connection per run "
        f"({time.perf_counter() - started:.0f} s)"
    )
    print(f"{'SQL':<44}{'queries':>8}{'worst p50 ms':>14}{'worst p95 ms':>14}  worst case")
    for r in files:
        print(
            f"{r['label']:<44}{r['queries']:>8}{r['p50_max'] * 1000:>14.1f}{r['p95_max'] * 1000:>14.1f}  "
            f"{r['worst_case']}"
        )
    if args.verbose:
        print(f"\n{'SQL':<44}{'p50 ms':>8}{'p95 ms':>8}  case")
        for q in sorted(queries, key=lambda q: -q.p(95)):
            print(f"{q.label:<44}{q.p(50) * 1000:>8.1f}{q.p(95) * 1000:>8.1f}  {q.case}")
    results["queries"] = [
        {"sql": q.label, "case": q.case, "p50_s": q.p(50), "p95_s": q.p(95)} for q in queries
    ]
    results["queries_by_file"] = files
    worst_query = max(queries, key=lambda q: q.p(95))

    # (a) pages
    print(f"\n(a) pages: AppTest, 1 cold + {args.runs} warm runs each, {query}")
    pages = []
    for page in PAGES:
        params = {"province": str(args.province), "commune": str(args.commune), "period": per.key}
        if page.url_path == "province":
            params.pop("commune")
        cold, warm, errors = bench_pages.page_times(page.path, params, args.runs)
        pages.append(
            {
                "page": page.url_path,
                "cold_s": cold,
                "warm_median_s": statistics.median(warm),
                "warm_max_s": max(warm),
                "errors": errors,
            }
        )
        print(
            f"  {page.url_path:<16} cold {cold:6.2f} s   warm median {statistics.median(warm):6.3f} s   "
            f"max {max(warm):6.3f} s   exceptions {errors}",
            flush=True,
        )
    results["pages"] = pages

    # (c) naive baseline
    naive_runs = bench_pages.naive_baseline(DB, args.province, args.naive_runs)
    naive = statistics.median(naive_runs)
    results["naive_baseline_s"] = naive
    print(
        f"\n(c) naive baseline (fact_dossier -> pandas -> group by commune, province {args.province}): "
        f"median {naive:.2f} s of {args.naive_runs} ({', '.join(f'{t:.2f}' for t in naive_runs)})"
    )
    for p in pages:
        p["naive_ratio"] = naive / p["warm_median_s"]
        print(f"  {p['page']:<16} {p['naive_ratio']:8.0f}× faster than the baseline")

    # (e) reports
    if not args.skip_reports:
        print(f"\n(e) reports: commune {args.commune}, province {args.province}, {per.key}", flush=True)
        rep = reports_times(DB, args.province, args.commune, per, max(1, min(args.runs, 5)))
        results["reports"] = rep
        one, brief = rep["commune"], rep["province_briefing"]
        print(f"  baseline, read-side queries alone   {one['baseline_read_side_s']:6.2f} s")
        print(
            f"  commune DOCX+PDF+XLSX, warm process  {one['median_s']:6.2f} s (first build "
            f"{one['cold_first_build_s']:.2f} s; steps "
            + " ".join(f"{k} {v:.2f}" for k, v in one["steps_median_s"].items())
            + ")"
        )
        print(f"  python -m reports commune (fresh)    {one['cli_fresh_process_s']:6.2f} s")
        print(
            f"  province briefing DOCX+PDF+XLSX      {brief['median_s']:6.2f} s (first {brief['cold_s']:.2f} s)"
        )

    # (d) server memory
    if not args.skip_server:
        print("\n(d) app server: streamlit run app.py, every page in Chromium", flush=True)
        mem = server_memory(DB, query, ROOT / "screenshots" / "bench" / "streamlit-national.log")
        results["server"] = mem
        print(f"  RSS at start {mem['rss_started'] / GiB:.2f} GiB")
        for p in mem["pages"]:
            print(
                f"  {p['page']:<16} loaded in {p['load_s']:5.2f} s   RSS {p['rss_after'] / GiB:.2f} GiB   "
                f"exceptions {p['exceptions']}"
            )
        print(
            f"  RSS after every page {mem['rss_after_all'] / GiB:.2f} GiB (peak sampled {mem['rss_peak'] / GiB:.2f} GiB)"
        )

    # summary
    slowest = max(pages, key=lambda p: p["warm_median_s"])
    over = sum(q.p(95) > TARGET_QUERY_P95_S for q in queries)
    lowest_ratio = min(pages, key=lambda p: p["naive_ratio"])
    rows = [
        (
            "every page warm median <= 1 s",
            f"slowest {slowest['page']} {slowest['warm_median_s']:.3f} s",
            slowest["warm_median_s"] <= TARGET_PAGE_S and not any(p["errors"] for p in pages),
        ),
        (
            "every read-side query p95 <= 100 ms",
            f"worst {worst_query.label} {worst_query.p(95) * 1000:.0f} ms; {over} of {len(queries)} over",
            worst_query.p(95) <= TARGET_QUERY_P95_S,
        ),
        (
            ">= 20x faster than the naive baseline",
            f"lowest {lowest_ratio['page']} {lowest_ratio['naive_ratio']:.0f}x (naive {naive:.2f} s)",
            lowest_ratio["naive_ratio"] >= TARGET_NAIVE_RATIO,
        ),
    ]
    if not args.skip_server:
        mem = results["server"]
        rows.append(
            (
                "server RSS after every page <= 1.5 GiB",
                f"{mem['rss_after_all'] / GiB:.2f} GiB",
                mem["rss_after_all"] <= TARGET_RSS_BYTES and not any(p["exceptions"] for p in mem["pages"]),
            )
        )
    if not args.skip_reports:
        one, brief = results["reports"]["commune"], results["reports"]["province_briefing"]
        rows.append(
            (
                "commune report, 3 files <= 5 s",
                f"warm {one['median_s']:.2f} s, fresh process {one['cli_fresh_process_s']:.2f} s",
                max(one["median_s"], one["cli_fresh_process_s"]) <= TARGET_REPORT_S,
            )
        )
        rows.append(
            (
                "province briefing, 3 files <= 5 s",
                f"{brief['median_s']:.2f} s",
                brief["median_s"] <= TARGET_REPORT_S,
            )
        )
    results["summary"] = [{"target": t, "measured": v, "pass": ok} for t, v, ok in rows]
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\nsummary (load average at the end {' '.join(str(x) for x in results['load_average_end'])})")
    print(f"{'target':<42}{'measured':<58}result")
    for t, v, ok in rows:
        print(f"{t:<42}{v:<58}{'PASS' if ok else 'FAIL'}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench_national.json").write_text(json.dumps(results, indent=2, default=str))
    return 0 if all(ok for _, _, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
