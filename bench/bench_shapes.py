"""Benchmark: the ETL's dossier load against a bare DuckDB `read_csv`, on four file shapes in one run.

    .venv/bin/python bench/bench_shapes.py [--repeat 3] [--work DIR] [--shapes narrow,wide,big,many]
                                           [--rows N] [--json]

Shapes (written by this script with DuckDB, communes of the official list), at realistic sizes by
default (issue 17: "seven columns, dd/mm/yyyy dates, 2.5 M lines per file spanning 16 months, all
communes"; the national portal exports are one file per province and month, ~32,000 rows each):

- narrow: 7 columns (MaHoSo, MaXa, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, KenhThucHien,
  TrangThaiHoSo), dd/mm/yyyy dates, 16 months, all communes, one file of 2,500,000 rows;
- wide: a portal export of 18 columns (commune code and official name, province name, procedure,
  sector, four ISO date-times, status, channel, flags, handling unit "UBND <commune>"), all
  communes, one file per month: 16 files of 150,000 rows (2,400,000);
- big: the narrow shape, one file of 10,000,000 rows (the issue's 10 M-line example);
- many: the wide shape as commune-month exports: 1,200 files of 300 rows (one commune and one month
  a file: 100 communes over 12 months; 360,000 rows).

`--rows N` scales every shape from N instead (quick runs, as before: narrow N rows, wide N rows
in 16 files, big 4 x N, many N / 1,000 files of 1,000 rows).

For each shape, `--repeat` alternating pairs, each step in its own process:
1. bare: a fresh DuckDB file, `CREATE TABLE t AS SELECT * FROM read_csv([files])` + checkpoint,
   with the ETL's memory limit;
2. load: `etl.loader.load_files(files)` into a fresh warehouse (read, validate every row rule,
   match communes, in-file duplicates, marts, checkpoint, swap, kept copies).
The figure is the median over the pairs of (bare seconds / load seconds) = load rows/s as a
fraction of the bare rows/s; target >= 0.5 on each shape.  The machine's load (`uptime`) is
printed before and after the run and before each shape: on a shared machine the ratios move with it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from core.reference import commune_frame, province_frame
from etl import limits

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import json, sys, time, duckdb
files, db, limit = json.load(open(sys.argv[1]))
con = duckdb.connect(db, config={"memory_limit": limit})
con.execute("set enable_progress_bar = false")
t = time.perf_counter()
con.execute("create table t as select * from read_csv(?)", [files])
con.execute("checkpoint")
seconds = time.perf_counter() - t
rows = con.execute("select count(*) from t").fetchall()[0][0]
con.close()
print(json.dumps({"rows": rows, "seconds": seconds}))
"""

LOAD = """
import json, sys, time
from pathlib import Path
from etl.loader import load_files
files, db, _limit = json.load(open(sys.argv[1]))
t = time.perf_counter()
summary = load_files([Path(f) for f in files], Path(db))
seconds = time.perf_counter() - t
print(json.dumps({"rows": sum(f.rows_read for f in summary.files),
                  "loaded": sum(f.rows_loaded for f in summary.files),
                  "rejected": sum(f.rows_rejected for f in summary.files),
                  "failed": sum(f.status == "failed" for f in summary.files),
                  "seconds": seconds, "timings": summary.timings}))
"""

NARROW = """
select
    'N' || lpad(cast(i as varchar), 9, '0') as "MaHoSo",
    communes[1 + (i * 7919) % len(communes)] as "MaXa",
    strftime(d, '%d/%m/%Y') as "NgayTiepNhan",
    strftime(d + interval 10 day, '%d/%m/%Y') as "NgayHenTra",
    case when i % 5 = 0 then null else strftime(d + interval (i % 14) day, '%d/%m/%Y') end as "NgayKetThucXuLy",
    cast(1 + i % 3 as varchar) as "KenhThucHien",
    case when i % 5 = 0 then 'Đang xử lý' else 'Đã trả kết quả' end as "TrangThaiHoSo"
from (select i, date '2025-01-01' + cast(i % 480 as integer) as d, ? as communes from range(?, ?) r(i))
"""

WIDE = """
select
    'W' || lpad(cast(i as varchar), 9, '0') as "MaHoSo",
    communes[1 + (i * 7919) % len(communes)] as "MaXa",
    names[1 + (i * 7919) % len(communes)] as "TenXa",
    provinces[1 + (i * 7919) % len(communes)] as "TenTinh",
    '2.00' || cast(1000 + i % 300 as varchar) as "MaTTHC",
    'Thủ tục hành chính số ' || cast(i % 300 as varchar) as "TenTTHC",
    'LV' || cast(i % 20 as varchar) as "MaLinhVuc",
    'Lĩnh vực ' || cast(i % 20 as varchar) as "TenLinhVuc",
    strftime(t, '%Y-%m-%d %H:%M:%S') as "NgayTiepNhan",
    strftime(t + interval 10 day, '%Y-%m-%d %H:%M:%S') as "NgayHenTra",
    case when i % 5 = 0 then null else strftime(t + interval (i % 14) day, '%Y-%m-%d %H:%M:%S') end as "NgayKetThucXuLy",
    case when i % 5 = 0 then null else strftime(t + interval (i % 14 + 1) day, '%Y-%m-%d %H:%M:%S') end as "NgayTra",
    case when i % 5 = 0 then 'Đang xử lý' else 'Đã trả kết quả' end as "TrangThaiHoSo",
    cast(1 + i % 3 as varchar) as "KenhThucHien",
    case when i % 3 = 1 then cast(i % 2 as varchar) end as "ToanTrinh",
    cast(i % 3 as varchar) as "DuocThanhToanTrucTuyen",
    cast(i % 2 as varchar) as "HoSoCoThanhPhanSoHoa",
    'UBND ' || names[1 + (i * 7919) % len(communes)] as "DonViXuLy"
from (select i, timestamp '{month}' + to_seconds(cast(i % 2419200 as bigint)) as t, ? as communes,
             ? as names, ? as provinces from range(?, ?) r(i))
"""


# (files, rows a file) of each shape at its realistic size (see the docstring).
SIZES = {
    "narrow": (1, 2_500_000),
    "wide": (16, 150_000),
    "big": (1, 10_000_000),
    "many": (1_200, 300),
}
MANY_COMMUNES = 100  # the "many" shape's communes (each file one commune's month)


def scaled_sizes(rows: int) -> dict[str, tuple[int, int]]:
    """The shapes scaled from `rows` (--rows): the sizes this benchmark used before realistic defaults."""
    return {
        "narrow": (1, rows),
        "wide": (16, rows // 16),
        "big": (1, 4 * rows),
        "many": (max(1, rows // 1000), 1000),
    }


def write_shapes(
    work: Path, rows: int | None, shapes: list[str], sizes: dict[str, tuple[int, int]] | None = None
) -> dict[str, list[Path]]:
    """Write each shape's files under `work/<shape>/`; `sizes` (files, rows a file) default to
    SIZES, or to `scaled_sizes(rows)` when `rows` is given."""
    scaled = sizes is None and rows is not None
    sizes = sizes or (scaled_sizes(rows) if rows else SIZES)
    frame = commune_frame().merge(
        province_frame()[["province_code", "name"]].rename(columns={"name": "province_name"}),
        on="province_code",
    )
    communes = [int(c) for c in frame["commune_code"]]
    names = list(frame["name"])  # the official names: real exports write them (or close variants)
    provinces = list(frame["province_name"])
    con = duckdb.connect()
    out: dict[str, list[Path]] = {}

    def copy(sql: str, params: list, path: Path) -> None:
        con.execute(f"copy ({sql}) to '{path}' (header, delimiter ',')", params)

    for shape in shapes:
        folder = work / shape
        folder.mkdir(parents=True, exist_ok=True)
        files: list[Path] = []
        n_files, per = sizes[shape]
        if shape in ("narrow", "big"):
            files.append(folder / f"{shape}.csv")
            copy(NARROW, [communes, 0, per], files[-1])
        elif shape == "wide":
            for m in range(n_files):
                month = f"{2025 + (m // 12)}-{m % 12 + 1:02d}-01"
                files.append(folder / f"wide-{m:02d}.csv")
                copy(
                    WIDE.format(month=month), [communes, names, provinces, m * per, (m + 1) * per], files[-1]
                )
        elif shape == "many":
            for k in range(n_files):
                files.append(folder / f"many-{k:04d}.csv")
                if scaled:  # (the old quick shape: every commune in each file, one month)
                    month, pick = "2025-10-01", slice(None)
                else:  # a commune-month export: one commune, one month a file
                    c = k % MANY_COMMUNES
                    month, pick = f"2025-{k // MANY_COMMUNES % 12 + 1:02d}-01", slice(c, c + 1)
                copy(
                    WIDE.format(month=month),
                    [communes[pick], names[pick], provinces[pick], k * per, (k + 1) * per],
                    files[-1],
                )
        out[shape] = files
    con.close()
    return out


def uptime() -> str:
    """`uptime`'s line (the machine's load average), or the load average alone without the command."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run(code: str, files: list[Path], db: Path) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump([[str(f) for f in files], str(db), limits.memory_limit()], fh)
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, fh.name],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    finally:
        os.unlink(fh.name)
    if out.returncode != 0:
        raise SystemExit(f"step failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=None, help="scale the shapes from N rows (default: SIZES)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--work", type=Path, default=None)
    p.add_argument("--shapes", default="narrow,wide,big,many")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-shapes-"))
    results: dict[str, dict] = {}
    load_before = os.getloadavg()
    uptime_before = uptime()
    print(f"before: {uptime_before}", flush=True)
    try:
        files = write_shapes(work, args.rows, shapes)
        for shape in shapes:
            print(f"{shape}: {len(files[shape])} file(s); {uptime()}", flush=True)
            pairs = []
            for i in range(args.repeat):
                (work / "bare.duckdb").unlink(missing_ok=True)
                shutil.rmtree(work / "wh", ignore_errors=True)
                bare = run(BARE, files[shape], work / "bare.duckdb")
                (work / "bare.duckdb").unlink(missing_ok=True)
                load = run(LOAD, files[shape], work / "wh" / "warehouse.duckdb")
                shutil.rmtree(work / "wh", ignore_errors=True)
                if load["rows"] != bare["rows"] or load["failed"]:
                    raise SystemExit(
                        f"{shape}: the load read {load['rows']} rows, bare {bare['rows']}: {load}"
                    )
                ratio = bare["seconds"] / load["seconds"]
                pairs.append((bare["seconds"], load["seconds"], ratio))
                print(
                    f"{shape} [{i + 1}/{args.repeat}]: {bare['rows']:,} rows in {len(files[shape])} file(s): "
                    f"bare {bare['seconds']:.2f} s, load {load['seconds']:.2f} s, ratio {ratio:.2f} "
                    f"(load timings: {', '.join(f'{k} {v:.2f}' for k, v in load['timings'].items())})",
                    flush=True,
                )
            results[shape] = {
                "rows": bare["rows"],
                "files": len(files[shape]),
                "bare_seconds": [round(b, 3) for b, _, _ in pairs],
                "load_seconds": [round(lo, 3) for _, lo, _ in pairs],
                "median_ratio": round(statistics.median(r for _, _, r in pairs), 3),
            }
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    print(f"\nbefore: {uptime_before}\nafter:  {uptime()}")
    print(f"machine load (1/5/15 min) before {load_before}, after {load_after}")
    print("| shape | rows | files | bare s | load s | median ratio (target >= 0.5) |")
    print("|---|---|---|---|---|---|")
    for shape, r in results.items():
        print(
            f"| {shape} | {r['rows']:,} | {r['files']} | {' / '.join(f'{s:.2f}' for s in r['bare_seconds'])} | "
            f"{' / '.join(f'{s:.2f}' for s in r['load_seconds'])} | **{r['median_ratio']:.2f}** |"
        )
    if args.json:
        print(json.dumps({"load_before": load_before, "load_after": load_after, "shapes": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
