"""Warm page times: every page's script run with AppTest on the demo warehouse, and the naive baseline.

    .venv/bin/python bench/bench_pages.py [--runs 5] [--province 25] [--commune 8380] [--period 2026-08]

Uses `$CDS_WAREHOUSE` or data/warehouse.duckdb.  For each page: one cold run (fills the cache), then
`--runs` warm runs; prints the median warm time (target < 1 s).  Baseline, measured in the same run:
the naive approach a page could take instead of the read side — read fact_dossier into pandas and
group it by commune (one province's ranking inputs) — and the ratio of each page's warm time to it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from core.config import default_db_path
from ui.nav import PAGES

ROOT = Path(__file__).resolve().parent.parent


def page_times(page: str, params: dict[str, str], runs: int) -> tuple[float, list[float], int]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    return cold, warm, len(at.exception)


def naive_baseline(db_path: Path, province: int, runs: int) -> list[float]:
    """Read every dossier into pandas, then count and rate per commune in pandas."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            df = con.execute(
                "select commune_code, province_code, received_at, due_at, finished_at, channel "
                "from fact_dossier"
            ).df()
        finally:
            con.close()
        df = df[df["province_code"] == province]
        df["online"] = df["channel"] == "online"
        df["on_time"] = df["finished_at"].notna() & (
            (df["finished_at"] <= df["due_at"]) | df["due_at"].isna()
        )
        grouped = df.groupby("commune_code").agg(
            received=("online", "size"), online=("online", "sum"), on_time=("on_time", "sum")
        )
        grouped["online_rate"] = grouped["online"] / grouped["received"]
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--province", default="25")
    ap.add_argument("--commune", default="8380")
    ap.add_argument("--period", default=None, help="default: the latest month")
    args = ap.parse_args()
    db_path = default_db_path()
    if not db_path.exists():
        print(f"no warehouse at {db_path}: run `make demo` or set CDS_WAREHOUSE", file=sys.stderr)
        return 2
    params = {"province": args.province, "commune": args.commune}
    if args.period:
        params["period"] = args.period
    rows, size_mb = [], db_path.stat().st_size / 1e6
    print(f"warehouse {db_path} ({size_mb:.0f} MB), {args.runs} warm runs per page, params {params}")
    naive = statistics.median(naive_baseline(db_path, int(args.province), args.runs))
    for page in PAGES:
        page_params = params if page.url_path != "province" else {"province": args.province}
        cold, warm, errors = page_times(page.path, page_params, args.runs)
        rows.append((page.url_path, cold, statistics.median(warm), max(warm), errors))
    print(f"\n{'page':<16}{'cold s':>8}{'warm median s':>15}{'warm max s':>12}{'vs naive':>10}  errors")
    for name, cold, med, worst, errors in rows:
        print(f"{name:<16}{cold:>8.2f}{med:>15.3f}{worst:>12.3f}{med / naive:>9.2f}x  {errors}")
    print(f"\nnaive baseline (fact_dossier -> pandas -> group by commune): median {naive:.3f} s")
    slow = [r[0] for r in rows if r[2] >= 1.0]
    print("all pages under 1 s warm" if not slow else f"over 1 s warm: {', '.join(slow)}")
    return 1 if slow or any(r[4] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
