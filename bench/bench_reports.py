"""Report build times: one commune's three files (target ≤ 5 s) and every commune of a province
(target ≤ 180 s for the 148 communes of Phú Thọ on a 2-core machine).

    .venv/bin/python bench/bench_reports.py [--db FILE] [--province 25] [--commune 8380] [--period 2025-10]
                                            [--runs 5] [--jobs 2] [--skip-batch] [--out bench/out]

Uses --db, else `$CDS_WAREHOUSE` / data/warehouse.duckdb when it exists, else builds a demo warehouse of
Phú Thọ and Hà Nội in a temporary folder (about a minute).

Measured in the same run:
* baseline: the read-side queries alone (metrics.report_data, what a report reads), for one commune
  and for the whole province in one process — the floor any report build stands on;
* one commune: `reports.build_commune_reports` (DOCX + PDF + XLSX) in a warm process (median of
  --runs, with the split by step), and `python -m reports commune` as a fresh process (imports included);
* the batch: every commune of the province with --jobs worker processes (the CLI's --all-communes path),
  wall time and the workers' CPU time.
The load average is printed too: on a shared machine wall times grow with it, CPU times do not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from core.config import default_db_path
from core.periods import parse_period

ROOT = Path(__file__).resolve().parent.parent

TARGET_ONE, TARGET_BATCH = 5.0, 180.0


def warehouse(db: Path | None) -> Path:
    if db:
        return db
    default = default_db_path()
    if default.exists():
        return default
    from core.reference import commune_frame
    from demo import build_demo

    ref = commune_frame()
    codes = ref[ref["province_code"].isin([25, 1])]["commune_code"].tolist()
    out = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    print(f"building a demo warehouse of Phú Thọ and Hà Nội in {out} ...", flush=True)
    build_demo(out / "warehouse.duckdb", out / "demo", communes=codes)
    return out / "warehouse.duckdb"


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def one_commune(db: Path, commune: int, period, runs: int) -> dict:
    import reports
    from metrics import report_data
    from reports import content, docx_writer, figures, pdf_writer, xlsx_writer

    cold, _ = timed(reports.build_commune_reports, commune, period, path=db)
    total, baseline, steps = [], [], {k: [] for k in ("data", "charts", "docx", "pdf", "xlsx")}
    for _ in range(runs):
        t, _ = timed(reports.build_commune_reports, commune, period, path=db)
        total.append(t)
        with report_data.shared_queries():
            t, data = timed(report_data.commune_report_data, commune, period, path=db)
        baseline.append(t)
        steps["data"].append(t)
        t0 = time.perf_counter()
        charts = {
            "trends": figures.commune_trends(data.monthly, "vi", data.commune_name),
            "groups": figures.group_scores(data.groups, "vi", data.commune_name),
        }
        steps["charts"].append(time.perf_counter() - t0)
        doc = content.commune_document(data, charts, "vi", date.today())
        steps["docx"].append(timed(docx_writer.render, doc)[0])
        steps["pdf"].append(timed(pdf_writer.render, doc)[0])
        steps["xlsx"].append(timed(xlsx_writer.commune_workbook, data, "vi", date.today())[0])
    return {
        "cold_first_build_s": cold,
        "median_s": median(total),
        "runs": total,
        "baseline_read_side_s": median(baseline),
        "steps_median_s": {k: median(v) for k, v in steps.items()},
    }


def cli_once(db: Path, commune: int, period_key: str) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "reports",
                "commune",
                str(commune),
                "--period",
                period_key,
                "--out",
                out,
                "--db",
                str(db),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return elapsed


def batch(db: Path, province: int, period, jobs: int) -> dict:
    from metrics import periodic, report_data
    from reports.batch import ProgressBar, write_communes

    places = periodic.places(path=db)
    codes = places[places["province_code"] == province]["commune_code"].astype(int).tolist()
    with report_data.shared_queries():
        baseline, _ = timed(lambda: [report_data.commune_report_data(c, period, path=db) for c in codes])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as out:
        wall, result = timed(
            write_communes,
            codes,
            period,
            ["docx", "pdf", "xlsx"],
            Path(out),
            jobs=jobs,
            path=db,
            progress=ProgressBar(len(codes), "batch"),
        )
        files = len(result.written)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "communes": len(codes),
        "files": files,
        "failed": result.failed,
        "jobs": jobs,
        "wall_s": wall,
        "workers_cpu_s": cpu,
        "cpu_per_commune_s": cpu / max(len(codes), 1),
        "baseline_read_side_all_communes_s": baseline,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--province", type=int, default=25)
    p.add_argument("--commune", type=int, default=8380)
    p.add_argument("--period", default="2025-10")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--skip-batch", action="store_true")
    p.add_argument("--out", type=Path, default=None, help="write the results as JSON into this folder")
    args = p.parse_args()
    db = warehouse(args.db)
    period = parse_period(args.period)
    load = os.getloadavg()
    print(f"warehouse {db}  cores {os.cpu_count()}  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    one = one_commune(db, args.commune, period, args.runs)
    one["cli_fresh_process_s"] = cli_once(db, args.commune, args.period)
    print(f"\none commune ({args.commune}, {args.period}): DOCX + PDF + XLSX")
    print(
        f"  baseline, read-side queries alone   {one['baseline_read_side_s']:6.2f} s (median of {args.runs})"
    )
    print(
        f"  three files, warm process           {one['median_s']:6.2f} s (median of {args.runs}; "
        f"first build {one['cold_first_build_s']:.2f} s)"
    )
    print(
        "  by step (median)                    "
        + "  ".join(f"{k} {v:.2f}" for k, v in one["steps_median_s"].items())
    )
    print(
        f"  python -m reports (fresh process)   {one['cli_fresh_process_s']:6.2f} s   target ≤ {TARGET_ONE:.0f} s: "
        f"{'ok' if max(one['median_s'], one['cli_fresh_process_s']) <= TARGET_ONE else 'MISSED'}"
    )
    results = {"load_average": load, "cores": os.cpu_count(), "one_commune": one}
    if not args.skip_batch:
        b = batch(db, args.province, period, args.jobs)
        results["batch"] = b
        print(
            f"\nevery commune of province {args.province} ({b['communes']} communes, {b['files']} files, "
            f"{args.jobs} workers)"
        )
        print(
            f"  baseline, read-side queries alone   {b['baseline_read_side_all_communes_s']:6.1f} s (one process)"
        )
        print(
            f"  batch wall time                     {b['wall_s']:6.1f} s   target ≤ {TARGET_BATCH:.0f} s: "
            f"{'ok' if b['wall_s'] <= TARGET_BATCH else 'MISSED'}"
        )
        print(
            f"  workers' CPU time                   {b['workers_cpu_s']:6.1f} s ({b['cpu_per_commune_s']:.2f} s a commune)"
        )
        if b["failed"]:
            print(f"  failed: {b['failed']}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench_reports.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
