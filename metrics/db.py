"""Short-lived read-only access to the warehouse, and a version stamp for caches.

The ETL swaps a new warehouse file in with an atomic rename; a read opened before the swap keeps
reading the old file to its end, and the next one sees the new file.  Nothing here holds the
warehouse beyond one call.

How a call reads: the process keeps one in-memory DuckDB instance (no file) and, for each call,
ATTACHes the warehouse file read-only under a fresh name, runs the query on its own cursor, and
DETACHes it.  Opening a DuckDB instance costs ~20 ms (its catalog of built-in functions); attaching a
file to a live one ~4 ms — on a page's fifteen queries that is a third of a second.  Once detached,
nothing in the process refers to the file: a swapped-in warehouse is read by the next call, and a
writer may open the old one.

The instance bounds every read, so a national warehouse (tens of millions of dossiers) cannot blow the
app's memory or take every core: DuckDB's `memory_limit` (default 512MB; `CDS_READ_MEMORY_LIMIT`) and
`threads` (default min(2, cores); `CDS_READ_THREADS`), shared by all the calls running in the process.
A query needing more memory than the limit spills to a temporary directory instead of growing the
process: a private folder made for the process (`spill_dir`, mode 0700, unpredictable name), never a
shared, predictable one where a planted symlink could receive warehouse data.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from etl.config import default_db_path

SQL_DIR = Path(__file__).resolve().parent / "sql"
READ_MEMORY_LIMIT = "512MB"
READ_THREADS = 2
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


class WarehouseMissing(FileNotFoundError):
    """No warehouse file yet (nothing loaded)."""


def db_path(path: str | Path | None = None) -> Path:
    return Path(path) if path else default_db_path()


def version(path: str | Path | None = None) -> tuple[int, int, int]:
    """(inode, mtime_ns, size) of the warehouse file: changes whenever a load swaps a new file in."""
    try:
        st = os.stat(db_path(path))
    except FileNotFoundError:
        return (0, 0, 0)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read_limits() -> tuple[str, int]:
    """(memory_limit, threads) for reads: `CDS_READ_MEMORY_LIMIT` (e.g. 512MB, 1GB) and
    `CDS_READ_THREADS`, else 512MB and min(2, cores).  Values that do not parse fall back to the defaults."""
    memory = os.environ.get("CDS_READ_MEMORY_LIMIT", READ_MEMORY_LIMIT).strip()
    if not _MEMORY.match(memory):
        memory = READ_MEMORY_LIMIT
    threads = os.environ.get("CDS_READ_THREADS", "").strip()
    n = int(threads) if threads.isdigit() and int(threads) > 0 else min(READ_THREADS, os.cpu_count() or 1)
    return memory, n


# The process's DuckDB instance: (pid, connection, name of its own catalog).  Re-created in a forked
# child (an instance's threads do not survive a fork).
_INSTANCE: tuple[int, duckdb.DuckDBPyConnection, str] | None = None
_LOCK = threading.Lock()
_NAMES = itertools.count(1)


def _cursor() -> tuple[duckdb.DuckDBPyConnection, str]:
    """A new cursor on the process's instance and the instance's own catalog name."""
    global _INSTANCE
    with _LOCK:
        if _INSTANCE is None or _INSTANCE[0] != os.getpid():
            con = duckdb.connect(":memory:")
            memory, threads = read_limits()
            spill = spill_dir()
            # Validated values (a size with a unit, a positive integer, our own folder): SET takes no
            # bound parameters.
            con.execute(f"set memory_limit = '{memory}'; set threads = {threads}; "
                        f"set temp_directory = '{_quote(str(spill))}'")
            _INSTANCE = (os.getpid(), con, con.execute("select current_database()").fetchall()[0][0])
        return _INSTANCE[1].cursor(), _INSTANCE[2]


_SPILL: tuple[int, Path] | None = None


def spill_dir() -> Path:
    """This process's private folder for reads that spill to disk: made by `tempfile.mkdtemp` (a new,
    unpredictable name, mode 0700, never an existing path or a symlink someone planted), checked to
    be a real folder of ours that nobody else can enter, and removed when the process exits."""
    global _SPILL
    if _SPILL is not None and _SPILL[0] == os.getpid():
        return _SPILL[1]
    path = Path(tempfile.mkdtemp(prefix="cds-read-"))
    st = os.lstat(path)
    if (not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid())
            or stat.S_IMODE(st.st_mode) & 0o077):
        raise RuntimeError(f"{path}: the read spill folder is not a private folder of this user")
    atexit.register(shutil.rmtree, path, True)
    _SPILL = (os.getpid(), path)
    return path


def _quote(text: str) -> str:
    return text.replace("'", "''")


class Reader:
    """One read of the warehouse: a cursor with the file attached read-only as its current database.
    `execute` as on a DuckDB connection; `close` detaches the file (use as a context manager)."""

    def __init__(self, path: str | Path | None = None):
        p = db_path(path)
        if not p.exists():
            raise WarehouseMissing(str(p))
        self.path = p
        self._cur, self._home = _cursor()
        self._name = f"warehouse_{next(_NAMES)}"
        # A swap can land between exists() and the attach; retry briefly instead of failing the page.
        last: Exception | None = None
        try:
            for _ in range(5):
                try:
                    self._cur.execute(f"attach '{_quote(str(p))}' as {self._name} (read_only)")
                    break
                except duckdb.IOException as err:
                    last = err
                    time.sleep(0.05)
            else:
                raise last  # type: ignore[misc]
        except BaseException:
            self._cur.close()
            raise
        try:
            self._cur.execute(f"use {self._name}")
        except BaseException:
            self.close()
            raise

    def execute(self, sql: str, params: list | dict | None = None) -> duckdb.DuckDBPyConnection:
        return self._cur.execute(with_marts(sql, self.path), params or [])

    def close(self) -> None:
        if self._cur is None:
            return
        cur, self._cur = self._cur, None
        try:
            cur.execute(f"use {self._home}")
            cur.execute(f"detach {self._name}")
        finally:
            cur.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_read_only(path: str | Path | None = None) -> Reader:
    """A read of the warehouse that stays open until `close()` (report batches read one file version
    for a whole block).  Prefer `connect` / `query`."""
    return Reader(path)


@contextlib.contextmanager
def connect(path: str | Path | None = None) -> Iterator[Reader]:
    reader = Reader(path)
    try:
        yield reader
    finally:
        reader.close()


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def query(sql: str, params: list | dict | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Run one parameterised query on a fresh read of the warehouse."""
    with connect(path) as con:
        return con.execute(sql, params).df()


# --------------------------------------------------------------------------------------------------
# Marts computed inline on older warehouses.  A mart the read side needs on a national warehouse is
# written as the ETL builds it (`create or replace table <name> as <select> order by ...;`): in
# etl/sql/<name>.sql (for warehouses built before the ETL built these marts).
# A query reading `from <name>` on a warehouse without the table runs the mart's own SELECT in its
# place: one definition of the rules, slower (what the mart saves) but correct — the filings page keeps
# working on a warehouse built before the ETL had mart_procedure_month, until its next load.

# Order matters: a mart inlined first may read the next one (mart_procedure_month reads mart_dossier_month).
INLINE_MARTS = ("mart_procedure_month", "mart_dossier_month", "mart_index_derived")


def mart_file(name: str) -> Path:
    """etl/sql/<name>.sql: the SQL the ETL builds the mart with."""
    from etl.config import SQL_DIR as ETL_SQL_DIR

    return ETL_SQL_DIR / f"{name}.sql"


@functools.cache
def mart_select(name: str) -> str:
    """The SELECT that builds mart `name` (its trailing ORDER BY dropped)."""
    file = mart_file(name)
    found = re.search(rf"create\s+or\s+replace\s+table\s+{name}\s+as\s+(.*?)\s+order\s+by\s+[^()]*;?\s*$",
                      file.read_text(encoding="utf-8"), re.IGNORECASE | re.DOTALL)
    if found is None:
        raise ValueError(f"{file}: expected 'create or replace table {name} as <select> order by ...;'")
    return found.group(1)


def with_marts(sql: str, path: str | Path | None = None) -> str:
    """`sql`, with each of INLINE_MARTS it reads and the warehouse lacks replaced by the mart's SELECT."""
    for name in INLINE_MARTS:
        pattern = re.compile(rf"\bfrom\s+{name}\b", re.IGNORECASE)
        if pattern.search(sql) and not has_table(name, path):
            select = mart_select(name)
            sql = pattern.sub(lambda _m, select=select: f"from ({select})", sql)
    return sql


_TABLES: dict[tuple[str, tuple[int, int, int]], frozenset[str]] = {}
_TABLES_LOCK = threading.Lock()


def has_table(name: str, path: str | Path | None = None) -> bool:
    """Whether the warehouse has table `name` (e.g. a mart added by a later ETL version).  Remembered
    per warehouse file version, so pages do not pay a read for it on every call."""
    key = (str(db_path(path)), version(path))
    with _TABLES_LOCK:
        tables = _TABLES.get(key)
    if tables is None:
        df = query("select table_name from information_schema.tables where table_catalog = current_database()",
                   None, path)
        tables = frozenset(df["table_name"])
        with _TABLES_LOCK:
            if len(_TABLES) > 16:
                _TABLES.clear()
            _TABLES[key] = tables
    return name in tables
