"""What staging makes of each source file, as one JSON file, so two versions of the staging code can be
compared (bench/compare_behaviour.py compares what the product shows; this compares what the loader
is handed: the rejects and the staged rows).

    python -m bench.compare_staging --out before.json [--files DIR ...]
    (change the code)
    python -m bench.compare_staging --out after.json [--files DIR ...]
    python -m bench.compare_staging --diff before.json after.json

`--no-demo` skips the demo warehouse: the `--files` are staged into an empty warehouse (quick).

It builds the demo warehouse (in a temporary folder) with `etl.loader._stage_file` wrapped, and then
stages every file under each `--files` folder (e.g. files full of bad rows) into a scratch warehouse.
For every staged file it records the kind, rows read and rejected, the reasons, the notes, every
reject (row, column, value, rule, messages, in the table's order) and, per output, its target, key,
row count and a SHA-256 of its rows (ordered by every column).  It also records the demo
warehouse's own checksums (every table).  `--diff` prints what changed and exits 1 when anything did.
Nothing here is timed.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
import threading
from pathlib import Path

import duckdb


def _table_digest(con: duckdb.DuckDBPyConnection, table: str) -> dict:
    cols = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    order = ", ".join(f'"{c}"' for c in cols)
    rows = con.execute(f"select * from {table} order by {order}").fetchall()
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(row).encode())
    return {"columns": cols, "rows": len(rows), "sha256": h.hexdigest()}


def _describe(con: duckdb.DuckDBPyConnection, path: Path, staged) -> dict:
    rejects = con.execute(
        f"select source_row, column_name, value, rule, message_vi, message_en from {staged.rejects}"
    ).fetchall()
    outputs = []
    for out in staged.outputs:
        d = _table_digest(con, out.temp)
        outputs.append({"target": out.target, "keys": list(out.keys), "primary": out.primary, **d})
    return {
        "file": path.name,
        "kind": staged.kind,
        "rows_read": staged.rows_read,
        "rows_rejected": staged.rows_rejected,
        "reasons": dict(sorted(staged.reasons.items())),
        "notes": list(staged.notes),
        "rejects": [list(map(str, r)) for r in rejects],
        "outputs": outputs,
    }


def snapshot(extra: list[Path], demo: bool = True) -> dict:
    from etl import loader

    seen: dict[str, dict] = {}
    lock = threading.Lock()
    original = loader._stage_file

    def wrapped(path, con, kind, options, *args, **kwargs):
        staged = original(path, con, kind, options, *args, **kwargs)
        d = _describe(con, path, staged)
        with lock:
            seen[f"{path.parent.name}/{path.name}"] = d
        return staged

    original_group = loader._stage_group

    def wrapped_group(cur, paths, *args, **kwargs):
        # (small files staged together, `etl.loader._stage_group`: recorded like the others)
        done = original_group(cur, paths, *args, **kwargs)
        for path, _res, staged in done.values():
            if staged is not None:
                outputs = []
                for out in staged.outputs:  # (each file's part of the group's table, as its own table)
                    part = f"part_{out.part}_{threading.get_ident()}"
                    cur.execute(
                        f"create or replace temp table {part} as select * exclude (source_file, file_no) "
                        f"from {out.temp} where file_no = ? order by rowid",
                        [out.part],
                    )
                    outputs.append(dataclasses.replace(out, temp=part))
                d = _describe(cur, path, dataclasses.replace(staged, outputs=outputs))
                with lock:
                    seen[f"{path.parent.name}/{path.name}"] = d
        return done

    loader._stage_file = wrapped
    loader._stage_group = wrapped_group
    try:
        with tempfile.TemporaryDirectory() as tmp:
            from demo.generate import build_demo

            db = Path(tmp) / "warehouse.duckdb"
            warehouse: dict[str, dict] = {}
            if demo:
                build_demo(db, Path(tmp) / "files")
            else:  # (an empty warehouse: the schema and the official communes)
                from etl.loader import create_schema

                with duckdb.connect(str(db)) as con:
                    create_schema(con)
            con = duckdb.connect(str(db), read_only=True)
            tables = [
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'main' "
                    "and table_type = 'BASE TABLE' order by 1"
                ).fetchall()
            ]
            # Load bookkeeping (times, ids, paths of the temporary folder, built_at) differs run to run.
            skip = ("load_", "etl_", "schema_", "warehouse_info")
            if demo:
                warehouse = {t: _table_digest(con, t) for t in tables if not t.startswith(skip)}
            con.close()
            for folder in extra:
                for path in sorted(p for p in folder.iterdir() if p.is_file()):
                    scratch = Path(tmp) / f"scratch_{path.name}.duckdb"
                    build_demo_free_load(path, scratch, db)
    finally:
        loader._stage_file = original
        loader._stage_group = original_group
    return {"staged": dict(sorted(seen.items())), "warehouse": warehouse}


def build_demo_free_load(path: Path, scratch: Path, demo_db: Path) -> None:
    """Stage one file against a copy of the demo warehouse (its communes and earlier facts); a file
    the loader refuses as a whole is recorded by its message."""
    import shutil

    from etl import loader
    from etl.readers import SourceFileError

    shutil.copy(demo_db, scratch)
    try:
        loader.load_files([path], scratch)
    except SourceFileError as e:  # (the wrapper has not seen it: record the refusal itself)
        print(f"{path.name}: refused: {e}", file=sys.stderr)


def diff(a: dict, b: dict, where: str = "") -> list[str]:
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{where}/{k}: only in {'after' if k not in a else 'before'}")
            else:
                out += diff(a[k], b[k], f"{where}/{k}")
    elif a != b:
        out.append(f"{where}: {str(a)[:300]} != {str(b)[:300]}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path)
    p.add_argument("--files", type=Path, action="append", default=[])
    p.add_argument("--diff", nargs=2, type=Path)
    p.add_argument("--no-demo", action="store_true", help="stage only the --files, into an empty warehouse")
    args = p.parse_args(argv)
    if args.diff:
        a, b = (json.loads(x.read_text()) for x in args.diff)
        changes = diff(a, b)
        for line in changes:
            print(line)
        n = sum(len(x["rejects"]) for x in a["staged"].values())
        print(
            f"{len(a['staged'])} staged files ({n} rejects), {len(a['warehouse'])} warehouse tables: "
            f"{'identical' if not changes else f'{len(changes)} differences'}"
        )
        return 1 if changes else 0
    snap = snapshot(args.files, demo=not args.no_demo)
    args.out.write_text(json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True, default=str))
    print(f"{len(snap['staged'])} staged files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
