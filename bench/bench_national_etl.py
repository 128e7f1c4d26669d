"""Benchmark: loading the national dossier files through the ETL, against a bare DuckDB read.

    .venv/bin/python bench/bench_national_etl.py [--files data/national] [--work DIR] [--generate]

Needs the national files (`python -m etl demo --scale national`, or `--generate` here: dossier CSVs
for 3,321 communes over 12 months, one per province and month, 30+ million dossiers).  Each step
runs in its own process (its peak resident memory is its own) and prints its figures:

1. baseline: a bare `CREATE TABLE t AS SELECT * FROM read_csv([every dossier CSV])` into a new
   DuckDB file, with the ETL's memory limit;
2. the ETL: `etl.loader.load_files` of the same files into a new warehouse (reading, validation,
   commune matching, replacement of the dossiers that reappear in a later month, marts, swap);
   target: at least 0.5x the baseline's rows per second, peak resident memory at most 4 GiB;
   steps 1 and 2 alternate `--repeat` times (3) and the median ratio is the figure;
3. incremental: a warehouse of every month but the last, then the last month loaded on top of it;
   target: time in proportion to that month, not to the warehouse (compared with step 2).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from etl import limits, loader

ROOT = Path(__file__).resolve().parent.parent
GIB = 1024**3

BARE = """
import json, resource, sys, time, duckdb
files, db, limit = json.load(open(sys.argv[1]))
con = duckdb.connect(db, config={"memory_limit": limit})
con.execute("set enable_progress_bar = false")
t = time.perf_counter()
con.execute("create table t as select * from read_csv(?)", [files])
con.execute("checkpoint")
seconds = time.perf_counter() - t
rows = con.execute("select count(*) from t").fetchall()[0][0]
con.close()
print(json.dumps({"rows": rows, "seconds": seconds,
                  "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

LOAD = """
import json, resource, sys, time
from pathlib import Path
from etl.loader import load_files
files, db, _limit = json.load(open(sys.argv[1]))
t = time.perf_counter()
summary = load_files([Path(f) for f in files], Path(db))
seconds = time.perf_counter() - t
statuses = {}
for f in summary.files:
    statuses[f.status] = statuses.get(f.status, 0) + 1
print(json.dumps({"rows": sum(f.rows_read for f in summary.files),
                  "loaded": sum(f.rows_loaded for f in summary.files),
                  "replaced": sum(f.rows_replaced for f in summary.files),
                  "rejected": sum(f.rows_rejected for f in summary.files),
                  "statuses": statuses, "seconds": seconds, "timings": summary.timings,
                  "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def run(code: str, files: list[Path], db: Path) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump([[str(f) for f in files], str(db), limits.memory_limit()], fh)
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, fh.name], capture_output=True, text=True, check=False
        )
    finally:
        os.unlink(fh.name)
    if out.returncode != 0:
        raise SystemExit(f"step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def dossier_files(files_dir: Path) -> dict[str, list[Path]]:
    """Month label -> that month's per-province dossier CSVs (ho-so-NN-<province>-YYYY-MM.csv)."""
    months: dict[str, list[Path]] = {}
    for path in sorted((files_dir / "dossiers").glob("ho-so-[0-9][0-9]-*.csv")):
        months.setdefault(path.stem[-7:], []).append(path)
    return dict(sorted(months.items()))


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=Path, default=ROOT / "data" / "national")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: beside --files)")
    ap.add_argument("--generate", action="store_true", help="(re)write the national files first")
    ap.add_argument("--skip-incremental", action="store_true")
    ap.add_argument(
        "--repeat", type=int, default=3, help="bare/ETL pairs to run (the median ratio is the figure)"
    )
    args = ap.parse_args()
    work = args.work or args.files.parent / "bench-national-etl"
    print(
        f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / GIB:.1f} GiB RAM, load average {os.getloadavg()[0]:.2f}; "
        f"ETL memory limit {limits.memory_limit()}, {loader.STAGE_WORKERS} staging threads"
    )
    if args.generate or not dossier_files(args.files):
        from demo import generate_demo_files

        t = time.perf_counter()
        gen = generate_demo_files(args.files, scale="national")
        print(
            f"generated {gen.dossiers:,} dossiers ({gen.dossier_rows:,} export rows, {len(gen.paths)} files) "
            f"in {time.perf_counter() - t:.0f} s"
        )
    months = dossier_files(args.files)
    files = [f for fs in months.values() for f in fs]
    size = sum(f.stat().st_size for f in files)
    print(
        f"national dossier files: {len(files)} CSV, {len(months)} months ({next(iter(months))} to "
        f"{list(months)[-1]}), {size / 1e9:.2f} GB"
    )

    try:
        # Bare read and ETL load alternate, `--repeat` times: the machine is noisy (the bare read
        # alone varied from 83 to 101 s between runs), so the figure is the median of the ratios.
        ratios, fulls = [], []
        for i in range(args.repeat):
            bare = run(BARE, files, fresh(work / "bare") / "bare.duckdb")
            shutil.rmtree(work / "bare", ignore_errors=True)
            bare_rate = bare["rows"] / bare["seconds"]
            print(
                f"\n1. [{i + 1}/{args.repeat}] baseline, bare read_csv into DuckDB: {bare['rows']:,} rows in "
                f"{bare['seconds']:.1f} s = {bare_rate:,.0f} rows/s, peak RSS {bare['peak_rss'] / GIB:.2f} GiB"
            )

            full = run(LOAD, files, fresh(work / "full") / "warehouse.duckdb")
            full_size = (work / "full" / "warehouse.duckdb").stat().st_size
            shutil.rmtree(work / "full", ignore_errors=True)
            rate = full["rows"] / full["seconds"]
            ratios.append(rate / bare_rate)
            fulls.append(full)
            print(
                f"2. [{i + 1}/{args.repeat}] ETL load_files of the same files: {full['rows']:,} rows read, "
                f"{full['loaded']:,} loaded, {full['replaced']:,} replacing an earlier month's version, "
                f"{full['rejected']:,} rejected; {full['seconds']:.1f} s = {rate:,.0f} rows/s; phases "
                + ", ".join(f"{k} {v:.1f} s" for k, v in full["timings"].items())
                + f"; warehouse {full_size / 1e9:.2f} GB; peak RSS {full['peak_rss'] / GIB:.2f} GiB; "
                f"ratio ETL/bare {ratios[-1]:.2f}"
            )
        ratio = statistics.median(ratios)
        peak = max(f["peak_rss"] for f in fulls)
        full = sorted(fulls, key=lambda f: f["seconds"])[len(fulls) // 2]
        print(
            f"   throughput ratio ETL/bare, median of {len(ratios)}: {ratio:.2f} "
            f"({', '.join(f'{r:.2f}' for r in ratios)}; target >= 0.5: {'PASS' if ratio >= 0.5 else 'FAIL'}); "
            f"ETL median {full['seconds']:.1f} s; peak RSS {peak / GIB:.2f} GiB "
            f"(target <= 4: {'PASS' if peak <= 4 * GIB else 'FAIL'})"
        )

        if not args.skip_incremental:
            last = list(months)[-1]
            earlier = [f for m, fs in months.items() if m != last for f in fs]
            db = fresh(work / "incremental") / "warehouse.duckdb"
            base = run(LOAD, earlier, db)
            inc = run(LOAD, months[last], db)
            shutil.rmtree(work / "incremental", ignore_errors=True)
            share = inc["rows"] / full["rows"]
            print(
                f"3. incremental: {len(months) - 1} months loaded in {base['seconds']:.1f} s; then {last} "
                f"({inc['rows']:,} rows, {share:.1%} of all) on top in {inc['seconds']:.1f} s = "
                f"{inc['seconds'] / full['seconds']:.1%} of the full load's time; phases "
                + ", ".join(f"{k} {v:.1f} s" for k, v in inc["timings"].items())
                + f"; peak RSS {inc['peak_rss'] / GIB:.2f} GiB"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
