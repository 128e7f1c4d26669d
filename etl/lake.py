"""The Parquet lake: the warehouse's cleaned tables as hive-partitioned Parquet files.

`export_lake(db_path, out_dir)` writes every reference (`dim_*`) and fact (`fact_*`) table of the
warehouse under `out_dir`, one folder per table, partitioned by province and month:

    out_dir/_lake.json                                              manifest (tables, rows, columns, ...)
    out_dir/fact_dossier/province_code=25/month=2026-08/data_0.parquet
    out_dir/fact_signature_month/province_code=25/month=2026-08-01/data_0.parquet
    out_dir/fact_index_score/province_code=25/period_start=2026-08-01/data_0.parquet
    out_dir/fact_population_year/province_code=25/data_0.parquet
    out_dir/dim_commune/data_0.parquet

Files carry every contract column (docs/data-dictionary.md), partition columns included, in the
warehouse's order and types.  Where the month is not a contract column (fact_dossier: the month of
`received_at`; fact_training_session: of `training_on`; fact_digital_team: of `established_on`) an
extra column `month` ('2026-08') is added for the partition; drop it when reading.  An empty table
is one unpartitioned file with the contract columns.  Reading back with
`read_parquet('out_dir/<table>/**/*.parquet', hive_partitioning = true, hive_types = <manifest>)`
gives the warehouse table's columns and types (plus `month` where it was added).

`lake_connection(lake_dir)` opens an in-memory DuckDB connection with one view per table, named
and typed like the warehouse's, and `build_marts_over(con)` runs the warehouse's own mart SQL
(`etl/sql/mart_*.sql`, unchanged) over it.  docs/scaling.md explains the layout and how the same
lake and marts run on Spark or Trino.

The export reads the warehouse with a read-only connection, writes into a private folder beside
`out_dir` and renames it into place: a failed or killed export leaves the previous lake as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime
from pathlib import Path

import duckdb

from etl import config

MANIFEST = "_lake.json"
LAKE_FORMAT = "cds-parquet-lake"
LAKE_VERSION = 1
# Bounded memory on a national warehouse (tens of millions of dossiers): DuckDB spills what does not
# fit, and without insertion order the partitioned write streams.
MEMORY_LIMIT = "2GB"
# Fact tables whose month is not a contract column: the extra partition column `month` comes from these.
DERIVED_MONTH = {
    "fact_dossier": "received_at",
    "fact_training_session": "training_on",
    "fact_digital_team": "established_on",
}
# Contract columns that are the month of a fact table, used as partition columns as they are.
MONTH_COLUMNS = ("month", "period_start")


class LakeError(Exception):
    """An export or lake that cannot be used; the message says why, in Vietnamese and English."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _lake_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Reference and fact tables of the warehouse: what the marts (and any reader of facts) need."""
    rows = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'main' and not temporary "
        "and (table_name like 'dim\\_%' escape '\\' or table_name like 'fact\\_%' escape '\\') "
        "order by table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {_quote(table)}").fetchall()]


def partition_spec(table: str, columns: list[tuple[str, str]]) -> tuple[list[str], dict[str, str]]:
    """(partition columns, derived columns {name: SQL}) for one table.

    Facts: by province (`province_code`) and month — the contract's `month` / `period_start` date
    where the table has one, else the month of its date (`DERIVED_MONTH`, an extra varchar column
    `month`); a fact with neither (fact_population_year) by province only.  Reference tables: none."""
    if not table.startswith("fact_"):
        return [], {}
    names = {name: typ for name, typ in columns}
    parts: list[str] = ["province_code"] if "province_code" in names else []
    derived: dict[str, str] = {}
    if table in DERIVED_MONTH and "month" not in names:
        derived["month"] = f"strftime({_quote(DERIVED_MONTH[table])}, '%Y-%m')"
        parts.append("month")
    else:
        month_col = next((c for c in MONTH_COLUMNS if names.get(c) == "DATE"), None)
        if month_col:
            parts.append(month_col)
    return parts, derived


def _export_lock(out_dir: Path):
    """One export at a time per lake folder."""
    from etl.loader import file_lock

    return file_lock(out_dir.parent / f".{out_dir.name}.lock")


def _check_target(out_dir: Path) -> None:
    """Refuse to replace a folder that is not a lake (a typo must never delete someone's files)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise LakeError(
            f"{out_dir}: đã có một tệp (không phải thư mục) ở đường dẫn này — chọn thư mục khác.",
            f"{out_dir}: a file (not a folder) is in the way — choose another folder.",
        )
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).is_file():
        raise LakeError(
            f"{out_dir}: thư mục đã có dữ liệu nhưng không phải hồ chứa Parquet (không có {MANIFEST}) — "
            "chọn thư mục trống hoặc thư mục hồ chứa cũ.",
            f"{out_dir}: the folder is not empty and is not a Parquet lake (no {MANIFEST}) — choose an "
            "empty folder or an earlier lake's folder.",
        )


def _check_warehouse(db_path: Path) -> None:
    if not db_path.is_file():
        raise LakeError(
            f"{db_path}: không tìm thấy kho dữ liệu — kiểm tra --db hoặc nạp dữ liệu trước "
            "(python -m etl load TỆP).",
            f"{db_path}: no warehouse there — check --db or load files first (python -m etl load FILE).",
        )


def _open_warehouse(db_path: Path, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    _check_warehouse(db_path)
    try:
        con = duckdb.connect(
            str(db_path),
            read_only=True,
            config={
                "memory_limit": MEMORY_LIMIT,
                "preserve_insertion_order": False,
                "temp_directory": str(temp_dir),
            },
        )
    except duckdb.Error as err:
        raise LakeError(
            f"{db_path}: không mở được kho dữ liệu ({err}).", f"{db_path}: cannot open the warehouse ({err})."
        ) from err
    con.execute("set enable_progress_bar = false")
    return con


def _export_table(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> dict:
    columns = _columns(con, table)
    rows = con.execute(f"select count(*) from {_quote(table)}").fetchall()[0][0]
    parts, derived = partition_spec(table, columns)
    if not rows:
        parts, derived = [], {}  # no rows, no partitions: one file that still carries the schema
    select = ", ".join(
        [_quote(c) for c, _ in columns] + [f"{sql} as {_quote(n)}" for n, sql in derived.items()]
    )
    target.mkdir(parents=True)
    if parts:
        options = (
            f"format parquet, compression zstd, partition_by ({', '.join(_quote(p) for p in parts)}), "
            "write_partition_columns true, overwrite_or_ignore true"
        )
        con.execute(f"copy (select {select} from {_quote(table)}) to {_literal(target)} ({options})")
    else:
        con.execute(
            f"copy (select {select} from {_quote(table)}) to {_literal(target / 'data_0.parquet')} "
            "(format parquet, compression zstd)"
        )
    types = dict(columns)
    hive_types = {p: types.get(p, "VARCHAR") for p in parts}
    files = [p for p in target.rglob("*.parquet") if p.is_file()]
    return {
        "path": table,
        "rows": int(rows),
        "partition_by": parts,
        "hive_types": hive_types,
        "extra_columns": list(derived),
        "derived": derived,
        "columns": dict(columns),
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
    }


def _warehouse_info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    has = con.execute("select count(*) from duckdb_tables() where table_name = 'warehouse_info'").fetchall()[
        0
    ][0]
    return dict(con.execute("select key, value from warehouse_info").fetchall()) if has else {}


def _verify(con: duckdb.DuckDBPyConnection, lake_dir: Path, tables: dict[str, dict]) -> None:
    """Read every table back from the new files: the row counts must be the warehouse's."""
    for name, info in tables.items():
        got = con.execute(f"select count(*) from {_read_parquet(lake_dir, info)}").fetchall()[0][0]
        if got != info["rows"]:
            raise LakeError(
                f"{name}: ghi {got} dòng thay vì {info['rows']} — hồ chứa không được thay.",
                f"{name}: {got} rows written instead of {info['rows']} — the lake was not replaced.",
            )


def _read_parquet(lake_dir: Path, info: dict) -> str:
    glob = _literal(Path(lake_dir) / info["path"] / "**" / "*.parquet")
    if not info["partition_by"]:
        return f"read_parquet({glob})"
    hive_types = ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in info["hive_types"].items())
    return f"read_parquet({glob}, hive_partitioning = true, hive_types = {{{hive_types}}})"


def export_lake(db_path: Path | str | None, out_dir: Path | str) -> dict:
    """Write the warehouse's reference and fact tables under `out_dir` as a Parquet lake; returns the
    manifest (also written to `out_dir/_lake.json`).  Raises `LakeError` with a message in both
    languages when the warehouse is missing or the target is not a lake."""
    started = time.perf_counter()
    db_path = Path(db_path or config.default_db_path()).resolve()
    out_dir = Path(out_dir).resolve()
    _check_warehouse(db_path)
    _check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    from etl.loader import warehouse_lock

    # The warehouse's lock, shared: no writer swaps a new warehouse in while the lake is written
    # from it (several exports may read at once).
    with warehouse_lock(db_path, shared=True), _export_lock(out_dir):
        _check_target(out_dir)
        # Holding the lock, any other work folder belongs to an export that died: remove it (an old
        # lake it had renamed away but not yet replaced goes back first).
        replaced = sorted(out_dir.parent.glob(f".{out_dir.name}.replaced-*"))
        if replaced and not out_dir.exists() and (replaced[0] / MANIFEST).is_file():
            os.rename(replaced[0], out_dir)
        for pattern in (".exporting-*", ".spill-*", ".replaced-*"):
            for leftover in out_dir.parent.glob(f".{out_dir.name}{pattern}"):
                shutil.rmtree(leftover, ignore_errors=True)
        staging = out_dir.parent / f".{out_dir.name}.exporting-{os.getpid()}"
        spill = out_dir.parent / f".{out_dir.name}.spill-{os.getpid()}"
        try:
            staging.mkdir()
            con = _open_warehouse(db_path, spill)
            try:
                info = _warehouse_info(con)
                tables = {t: _export_table(con, t, staging / t) for t in _lake_tables(con)}
                if not tables:
                    raise LakeError(
                        f"{db_path}: kho dữ liệu không có bảng dim_* / fact_* nào.",
                        f"{db_path}: the warehouse has no dim_* / fact_* table.",
                    )
                _verify(con, staging, tables)
            finally:
                con.close()
            manifest = {
                "format": LAKE_FORMAT,
                "version": LAKE_VERSION,
                "warehouse": str(db_path),
                "warehouse_built_at": info.get("built_at"),
                "demo": info.get("demo") == "true",
                "exported_at": datetime.now().isoformat(timespec="seconds"),
                "duckdb_version": duckdb.__version__,
                "tables": tables,
                "rows": sum(t["rows"] for t in tables.values()),
                "bytes": sum(t["bytes"] for t in tables.values()),
                "seconds": round(time.perf_counter() - started, 3),
            }
            (staging / MANIFEST).write_text(
                json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            _private_tree(staging)
            _swap_in(staging, out_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(spill, ignore_errors=True)
    manifest["lake"] = str(out_dir)
    return manifest


def _private_tree(root: Path) -> None:
    """The lake holds the warehouse's data: its files as private as the warehouse's (0640), folders 0750."""
    from etl.loader import DATA_DIR_MODE, DATA_FILE_MODE

    os.chmod(root, DATA_DIR_MODE)
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            os.chmod(os.path.join(folder, d), DATA_DIR_MODE)
        for f in files:
            os.chmod(os.path.join(folder, f), DATA_FILE_MODE)


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Put the new lake in place of the old one (two renames; the old one is restored if the second fails)."""
    old = out_dir.parent / f".{out_dir.name}.replaced-{os.getpid()}"
    if out_dir.exists():
        os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except OSError:
        if old.exists():
            os.rename(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(lake_dir: Path | str) -> dict:
    path = Path(lake_dir) / MANIFEST
    if not path.is_file():
        raise LakeError(
            f"{lake_dir}: không phải hồ chứa Parquet (không có {MANIFEST}) — chạy "
            "python -m etl export-lake THƯ_MỤC trước.",
            f"{lake_dir}: not a Parquet lake (no {MANIFEST}) — run python -m etl export-lake DIR first.",
        )
    return json.loads(path.read_text(encoding="utf-8"))


def lake_connection(lake_dir: Path | str, *, memory_limit: str = MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per lake table, named like the warehouse table and
    with its columns and types (the extra partition column `month` dropped).  The mart SQL runs on it
    unchanged (`build_marts_over`)."""
    lake_dir = Path(lake_dir).resolve()
    manifest = read_manifest(lake_dir)
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False})
    try:
        con.execute("set enable_progress_bar = false")
        for name, info in manifest["tables"].items():
            cols = ", ".join(f"cast({_quote(c)} as {t}) as {_quote(c)}" for c, t in info["columns"].items())
            con.execute(f"create view {_quote(name)} as select {cols} from {_read_parquet(lake_dir, info)}")
    except Exception:
        con.close()
        raise
    return con


def build_marts_over(con: duckdb.DuckDBPyConnection) -> None:
    """Build the marts on `con` (a lake connection, or any connection with the warehouse's tables) with
    the warehouse's own mart SQL, the same files in the same order (`etl.loader.build_marts`)."""
    from etl.loader import build_marts

    build_marts(con)
