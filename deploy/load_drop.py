"""Load every file dropped into a folder (run by cds-load-drop.timer, docs/deploy.md).

    python -m deploy.load_drop /var/lib/cds/drop [--db /var/lib/cds/warehouse.duckdb]

Stewards (or the one-stop systems' exports) copy CSV, XLSX or JSON files into the folder.  Each run
loads the files that are complete (not named *.part or hidden, unchanged for --settle seconds) in one
batch through the ETL (atomic swap, under the ETL's lock: a run waits for an upload or another load
and never overlaps it), then moves each file to `done/` (loaded, partly loaded, or already loaded
before) or to `failed/`, with `<name>.result.txt` beside it giving the ETL's message (Vietnamese and
English) and rejected-row counts.  Exit codes are the ETL's: 0 everything loaded, 1 something
rejected, 2 nothing could be read, 3 the warehouse stayed busy; 0 when the folder holds nothing.

A published index sheet needs its period; when neither a 'Kỳ' column nor the file's name carries it,
drop the file into a sub-folder named after the period (`drop/2026-08/`, `drop/2026-Q3/`,
`drop/2026/`): each such folder is loaded as its own batch with that period (the CLI's `--period`),
its files moved to its own `done/` and `failed/`.  Other sub-folders are left alone.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ACCEPTED = (".csv", ".xlsx", ".json")


def ready_files(folder: Path, settle: float = 60.0, now: float | None = None) -> list[Path]:
    """Files of `folder` to load: accepted suffix, not hidden or partial, unchanged for `settle` s."""
    now = time.time() if now is None else now
    out = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.is_symlink() or p.name.startswith("."):
            continue
        if p.suffix.lower() not in ACCEPTED:
            continue
        if now - p.stat().st_mtime < settle:
            continue
        out.append(p)
    return out


def _unique(target: Path) -> Path:
    if not target.exists():
        return target
    stem, suffix = target.stem, target.suffix
    for n in range(1, 10_000):
        candidate = target.with_name(f"{stem}.{n}{suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(target)


def _describe(result) -> str:
    lines = [f"status: {result.status}"]
    if result.message_vi or result.message_en:
        lines += [result.message_vi, result.message_en]
    if result.status in ("loaded", "partial"):
        lines.append(
            f"read {result.rows_read}, loaded {result.rows_loaded}, replaced {result.rows_replaced}, "
            f"rejected {result.rows_rejected}"
        )
    lines += [f"    {rule}: {n}" for rule, n in result.reasons.items()]
    if "--period" in (result.message_en or ""):
        lines.append(
            "thư mục nhận tệp: đặt tệp vào thư mục con mang tên kỳ (vd. 2026-08/, 2026-Q3/, 2026/)\n"
            "drop folder: put the file into a sub-folder named after its period (e.g. 2026-08/, 2026-Q3/, 2026/)"
        )
    if result.rows_rejected:
        lines.append(f"see the rejected rows: python -m etl rejects --file '{result.file}'")
    return "\n".join(line for line in lines if line) + "\n"


def period_folders(folder: Path) -> list[tuple[Path, str]]:
    """Sub-folders named after a period (2026-08, 2026-Q3, 2026), with the period's key."""
    from core.periods import parse_period

    out = []
    for p in sorted(folder.iterdir()):
        if not p.is_dir() or p.is_symlink() or p.name.startswith("."):
            continue
        period = parse_period(p.name)
        if period is not None and period.key == p.name.upper():
            out.append((p, period.key))
    return out


def run(folder: Path, db: Path | None = None, settle: float = 60.0) -> int:
    """Load the folder's own files, then each period sub-folder's (see the module docstring); the exit
    code is the worst of the batches'."""
    batches = [(folder, None), *period_folders(folder)]
    codes = []
    for where, period in batches:
        files = ready_files(where, settle)
        if not files:
            continue
        codes.append(_load_batch(where, files, db, period))
        if codes[-1] == 3:
            break  # the warehouse stays busy: the next run tries again
    if not codes:
        print(f"{folder}: nothing to load")
        return 0
    return max(codes)


def _load_batch(folder: Path, files: list[Path], db: Path | None, period: str | None) -> int:
    from etl.loader import WarehouseBusy, load_files

    try:
        summary = load_files(files, db, period=period)
    except WarehouseBusy as err:
        print(f"{err.message_vi}\n{err.message_en}", file=sys.stderr)
        return 3
    by_name = {r.file: r for r in summary.files}
    for path in files:
        result = by_name.get(path.name)
        status = result.status if result else "failed"
        dest_dir = folder / ("failed" if status == "failed" else "done")
        dest_dir.mkdir(mode=0o750, exist_ok=True)
        dest = _unique(dest_dir / path.name)
        shutil.move(str(path), dest)
        if result is not None:
            dest.with_name(dest.name + ".result.txt").write_text(_describe(result), encoding="utf-8")
        where = f"{folder.name}/{path.name}" if period else path.name
        print(f"{where}: {status} -> {dest.relative_to(folder)}")
    print(f"warehouse {'updated' if summary.swapped else 'unchanged'}: {summary.db_path}")
    return summary.exit_code


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m deploy.load_drop", description="Load the files dropped into a folder."
    )
    p.add_argument("folder", type=Path)
    p.add_argument("--db", type=Path, default=None, help="warehouse (default: $CDS_WAREHOUSE)")
    p.add_argument(
        "--settle", type=float, default=60.0, help="seconds a file must be unchanged before it is loaded"
    )
    args = p.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder}: no such folder", file=sys.stderr)
        return 2
    return run(args.folder, args.db, args.settle)


if __name__ == "__main__":
    sys.exit(main())
