"""Benchmark: staging the demo's dossier files (read + validate, no load), against a bare DuckDB read.

Stages every demo dossier CSV the way the loader does (`etl.loader._stage_file`: the streamed read,
the two-pass validation of `etl.sources.engine`) into an in-memory database holding the schema and
the official communes, `--repeat` times; the baseline, measured in the same run, is a bare
`CREATE TABLE t AS SELECT * FROM read_csv(...)` of the same files.  Prints the medians and their ratio.

To compare two versions of the staging code, run it with each on the same files, alternately, and
compare the ratios (the machine's load moves both figures):

    .venv/bin/python -m bench.bench_staging [--repeat 5] [--files bench/out/staging]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb


def bare_read(files: list[Path]) -> float:
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(
        "create table t as select * from read_csv(?, union_by_name = true, all_varchar = true)",
        [[str(p) for p in files]],
    )
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def stage_all(files: list[Path]) -> tuple[float, int, int]:
    from etl import loader
    from etl.sources import common as C

    con = duckdb.connect()
    C.install_macros(con)
    loader.create_schema(con)
    rows = rejected = 0
    started = time.perf_counter()
    for path in files:
        staged = loader._stage_file(path, con, "dossiers", {})
        rows += staged.rows_read
        rejected += staged.rows_rejected
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, rows, rejected


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--files", type=Path, default=Path("bench/out/staging"))
    args = ap.parse_args(argv)
    if not list(args.files.glob("**/ho-so-*.csv")):
        from demo.generate import generate_demo_files

        generate_demo_files(args.files)
    files = sorted(args.files.glob("**/ho-so-*.csv"))
    stage_times, bare_times = [], []
    for _ in range(args.repeat):
        bare_times.append(bare_read(files))
        seconds, rows, rejected = stage_all(files)
        stage_times.append(seconds)
    stage, bare = statistics.median(stage_times), statistics.median(bare_times)
    from etl import loader

    print(f"code: {Path(loader.__file__).resolve().parents[1]}  load: {os.getloadavg()}")
    print(f"{len(files)} dossier files, {rows:,} rows ({rejected:,} rejected), {args.repeat} runs")
    print(f"staging median {stage:.2f} s (runs {', '.join(f'{t:.2f}' for t in stage_times)})")
    print(f"bare read_csv median {bare:.2f} s; staging / bare = {stage / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
