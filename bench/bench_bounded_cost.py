"""Benchmark: a bad file must not cost more than a good one of the same size.

    .venv/bin/python bench/bench_bounded_cost.py [--lines 1000000] [--ids 100] [--repeat 3] [--work DIR]

Two dossier CSVs of the same size and shape, written with DuckDB: a clean one (every dossier id
distinct, the baseline) and one whose `--ids` distinct ids repeat over all its lines (an export
with one line per processing step or attachment).  Each is loaded through `etl.loader.load_files`
into a new warehouse, alternating clean/repeated `--repeat` times; a thread polls the size of
DuckDB's temp folders beside the warehouse every 20 ms for the peak temp disk.  Prints every run,
the medians, the ratio repeated/clean (target < 2x) and the peak temp disk (target < 1 GB), and
the machine load (`os.getloadavg`) before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from core.reference import commune_frame
from etl.loader import load_files

HEAD = "MaHoSo,MaXa,MaTTHC,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,KenhThucHien"


def write_file(path: Path, lines: int, ids: int | None, codes: list[int]) -> None:
    """`lines` dossier lines over the given commune codes; `ids`: that many distinct ids, repeated."""
    con = duckdb.connect()
    dossier = f"'H' || (i % {ids})" if ids else "'H' || i"
    con.execute(
        f"""copy (
            select {dossier} as MaHoSo, list_extract(?, (i % {len(codes)}) + 1) as MaXa,
                   '1.00' || (i % 7) as MaTTHC,
                   strftime(date '2025-10-01' + cast(i % 28 as integer), '%d/%m/%Y') as NgayTiepNhan,
                   strftime(date '2025-10-05' + cast(i % 28 as integer), '%d/%m/%Y') as NgayHenTra,
                   strftime(date '2025-10-03' + cast(i % 28 as integer), '%d/%m/%Y') as NgayKetThucXuLy,
                   1 + i % 3 as KenhThucHien
            from range({lines}) t(i)
        ) to '{path}' (header, delimiter ',')""",
        [codes],
    )
    con.close()


def temp_bytes(folder: Path) -> int:
    total = 0
    for tmp in folder.glob("*.tmp"):
        for f in tmp.rglob("*") if tmp.is_dir() else [tmp]:
            with contextlib.suppress(OSError):  # (a temp file removed meanwhile)
                total += f.stat().st_size
    return total


def timed_load(path: Path, work: Path) -> tuple[float, int, int, str]:
    """(seconds, peak temp bytes, exit code, first message) of loading `path` into a new warehouse."""
    folder = Path(tempfile.mkdtemp(dir=work))
    peak = [0]
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], temp_bytes(folder))
            done.wait(0.02)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    started = time.perf_counter()
    summary = load_files([path], folder / "warehouse.duckdb", record=False)
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    f = summary.files[0]
    shutil.rmtree(folder, ignore_errors=True)
    return seconds, peak[0], summary.exit_code, (f.message_en or f.status)[:160]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--ids", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-bounded-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, DuckDB {duckdb.__version__}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    codes = [int(c) for c in commune_frame()["commune_code"].head(200)]
    clean, repeated = work / "clean.csv", work / "repeated.csv"
    write_file(clean, args.lines, None, codes)
    write_file(repeated, args.lines, args.ids, codes)
    print(
        f"files: {args.lines} lines each; clean {clean.stat().st_size / 1e6:.1f} MB, "
        f"repeated ({args.ids} distinct ids) {repeated.stat().st_size / 1e6:.1f} MB"
    )
    runs: dict[str, list[tuple[float, int]]] = {"clean": [], "repeated": []}
    for i in range(args.repeat):
        for name, path in (("clean", clean), ("repeated", repeated)):
            seconds, peak, code, message = timed_load(path, work)
            runs[name].append((seconds, peak))
            print(
                f"run {i + 1} {name:8s}: {seconds:6.2f} s, peak temp {peak / 1e6:8.1f} MB, exit {code}: {message}"
            )
    med = {k: statistics.median(s for s, _ in v) for k, v in runs.items()}
    peak_repeated = max(p for _, p in runs["repeated"])
    ratio = med["repeated"] / med["clean"]
    print(
        f"median clean {med['clean']:.2f} s, repeated {med['repeated']:.2f} s, ratio {ratio:.2f}x (target < 2x)"
    )
    print(
        f"peak temp disk: repeated {peak_repeated / 1e6:.1f} MB, "
        f"clean {max(p for _, p in runs['clean']) / 1e6:.1f} MB (target < 1000 MB)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    ok = ratio < 2 and peak_repeated < 1e9
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
