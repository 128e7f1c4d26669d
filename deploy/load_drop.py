"""Load every file dropped into a folder (run by cds-load-drop.timer, docs/deploy.md).

    python -m deploy.load_drop /var/lib/cds/drop [--db /var/lib/cds/warehouse.duckdb]

Stewards (or the one-stop systems' exports) copy CSV, XLSX or JSON files into the folder.  Each run
loads the files that are complete (not named *.part or hidden, unchanged for --settle seconds) in one
batch through the ETL (atomic swap, under the ETL's lock: a run waits for an upload or another load
and never overlaps it), then moves each file to `done/` (loaded, partly loaded, or already loaded
before) or to `failed/`, with `<name>.result.txt` beside it giving the ETL's message (Vietnamese and
English) and rejected-row counts.  Exit codes are the ETL's: 0 everything loaded, 1 something
rejected, 2 nothing could be read, 3 the warehouse stayed busy; 0 when the folder holds nothing.
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
    if result.rows_rejected:
        lines.append(f"see the rejected rows: python -m etl rejects --file '{result.file}'")
    return "\n".join(line for line in lines if line) + "\n"


def run(folder: Path, db: Path | None = None, settle: float = 60.0) -> int:
    from etl.loader import WarehouseBusy, load_files

    files = ready_files(folder, settle)
    if not files:
        print(f"{folder}: nothing to load")
        return 0
    try:
        summary = load_files(files, db)
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
        print(f"{path.name}: {status} -> {dest.relative_to(folder)}")
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
