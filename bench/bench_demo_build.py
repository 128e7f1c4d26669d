"""Benchmark: building the demo warehouse (files + load through the ETL) — target at most 60 s.

Baseline measured in the same run: a bare DuckDB `CREATE TABLE t AS SELECT * FROM read_csv(...)`
of the same dossier CSV files, no validation.  Prints medians and the ratio of rows per second.

    .venv/bin/python bench/bench_demo_build.py [--repeat 1] [--out bench/out]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb
import psutil

from demo import build_demo


def bare_load(csv_files: list[Path]) -> tuple[float, int]:
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(
        "create table t as select * from read_csv(?, union_by_name = true, all_varchar = true)",
        [[str(p) for p in csv_files]],
    )
    rows = con.execute("select count(*) from t").fetchall()[0][0]
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("bench/out/demo"))
    args = ap.parse_args()
    builds, bares = [], []
    summary = None
    for _ in range(args.repeat):
        shutil.rmtree(args.out, ignore_errors=True)
        args.out.mkdir(parents=True)
        started = time.perf_counter()
        summary = build_demo(args.out / "warehouse.duckdb", args.out / "sources")
        builds.append(time.perf_counter() - started)
        dossier_csvs = sorted((args.out / "sources").rglob("*.csv"))
        dossier_csvs = [p for p in dossier_csvs if "dossier" in p.parent.name or "ho-so" in p.name]
        bare_s, bare_rows = bare_load(dossier_csvs)
        bares.append(bare_s)
    loaded = sum(f.rows_read for f in summary.files if f.kind == "dossiers")
    build_s, bare_s = statistics.median(builds), statistics.median(bares)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}",
        "files": len(summary.files),
        "dossier_rows": loaded,
        "demo_build_seconds_median": round(build_s, 2),
        "target_seconds": 60,
        "meets_target": build_s <= 60,
        "baseline_bare_read_csv_seconds_median (dossier CSVs only)": round(bare_s, 2),
        "baseline_rows": bare_rows,
        "build_vs_bare_time_ratio": round(build_s / bare_s, 1) if bare_s else None,
        "peak_rss_gib": round(psutil.Process().memory_info().rss / 2**30, 2),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if build_s <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
