"""Short-lived read-only access to the warehouse, and a version stamp for caches.

The ETL swaps a new warehouse file in with an atomic rename; a read opened before the swap keeps
reading the old file to its end, and the next one sees the new file.  Nothing here holds the
warehouse beyond one call.

How a call reads: the process keeps one in-memory DuckDB instance (no file) and, for each call,
ATTACHes the warehouse file read-only, runs the query on its own cursor, and DETACHes it.  Opening a
DuckDB instance is costly (its catalog of built-in functions); attaching a file to a live one is
cheap, and a page runs a dozen queries (bench/bench_pages.py measures them).  Calls that overlap
(several sessions rendering at once) share one attachment of the same file version, detached when
the last of them ends (`_Attachments`).  Once detached, nothing in the process refers to the file: a
swapped-in warehouse is read by the next call, and a writer may open the old one.

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

from core.config import SCHEMA_VERSION, default_db_path

SQL_DIR = Path(__file__).resolve().parent / "sql"

# The one scope mechanism: a scoped query reads two relations bound from the caller's Scope
# (metrics/scope.py) — `scoped_commune`, the communes the caller may see, and `scope`, one row with the
# level and codes.  Queries take their communes from `scoped_commune` (joined or
# `commune_code in (select commune_code from scoped_commune)`) and never filter on scope parameters.
# The two are tables of a schema of the process's own in-memory catalog, one schema per scope and
# attachment (`_Attachments.scope_schema`), made by the first read of that scope and shared, like the
# attachment, by the reads in flight; a read finds them first on its search path.  Setting the path
# costs 0.1 ms where making the two tables for every query cost 1.4 ms.
SCOPE_SQL = (
    """create table {schema}.scoped_commune as
       select commune_code, province_code from {warehouse}.dim_commune
       where ($scope_province::integer is null or province_code = $scope_province)
         and ($scope_commune::integer is null or commune_code = $scope_commune)""",
    """create table {schema}.scope as
       select $scope_level::varchar as level, $scope_province::integer as province_code,
              $scope_commune::integer as commune_code""",
)
# Scopes kept per attachment while reads overlap (each a few kB: at most the country's 3,321 codes);
# past it, a read makes its own schema and drops it when it ends.
SHARED_SCOPES = 256
SCOPED_RELATION = re.compile(r"\b(from|join)\s+(scoped_commune|scope)\b", re.IGNORECASE)
READ_MEMORY_LIMIT = "512MB"
READ_THREADS = 2
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


class WarehouseMissing(FileNotFoundError):
    """No warehouse file yet (nothing loaded)."""


class WarehouseDamaged(RuntimeError):
    """The warehouse file exists but DuckDB cannot open it (damaged, truncated, not a database): the
    pages say so (label 'warehouse_damaged') without the path or DuckDB's text."""


class WarehouseOutdated(RuntimeError):
    """The warehouse was built by an older version of the ETL (core.config.SCHEMA_VERSION): the message
    says, in Vietnamese and English, how to update it."""

    def __init__(self, path: Path, found: int):
        self.path, self.found = path, found
        self.message_vi = (
            f"Kho dữ liệu {path.name} được tạo bởi phiên bản cũ (lược đồ {found}, cần {SCHEMA_VERSION}). "
            f"Chạy `python -m etl marts` (hoặc nạp dữ liệu lần tới) để cập nhật, rồi tải lại trang."
        )
        self.message_en = (
            f"The warehouse {path.name} was built by an older version (schema {found}, needs "
            f"{SCHEMA_VERSION}). Run `python -m etl marts` (or the next load) to update it, then "
            f"reload the page."
        )
        super().__init__(self.message_en)

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi


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
            con.execute(
                f"set memory_limit = '{memory}'; set threads = {threads}; "
                f"set temp_directory = '{_quote(str(spill))}'"
            )
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
    if (
        not stat.S_ISDIR(st.st_mode)
        or (hasattr(os, "getuid") and st.st_uid != os.getuid())
        or stat.S_IMODE(st.st_mode) & 0o077
    ):
        raise RuntimeError(f"{path}: the read spill folder is not a private folder of this user")
    atexit.register(shutil.rmtree, path, True)
    _SPILL = (os.getpid(), path)
    return path


def _quote(text: str) -> str:
    return text.replace("'", "''")


class _Attachments:
    """The warehouse attached once for every read in flight at the same moment.

    Reads that overlap (sessions of one process rendering at once) share one read-only ATTACH of a
    file version, keyed by the file's path and `version` (inode, mtime, size): its catalog is read
    once, not once a query (3.5 ms an attach, 12 % of a commune profile's time, more under
    concurrency, where every attach and detach takes the instance's catalog lock).  The last read to
    finish detaches it, so between reads nothing holds the file, as before; a swapped-in file is a
    new version and gets its own attachment, while the reads still running finish on the old one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._current: dict[str, tuple[tuple[int, int, int], str]] = {}  # path -> (version, name)
        self._users: dict[str, int] = {}  # attachment name -> reads using it
        self._scope_lock = threading.Lock()
        self._scopes: dict[str, dict[tuple, str]] = {}  # attachment name -> scope -> schema

    def acquire(self, cur: duckdb.DuckDBPyConnection, path: Path) -> str:
        """The name of an attachment of `path`'s current version, attached now if no read holds one.
        A swap can land between exists() and the attach: retried briefly (the version looked at
        again), sleeping outside the lock so that the other reads go on, instead of failing the page."""
        key, last = str(path), None
        for _ in range(5):
            found = version(path)
            with self._lock:
                if self._pid != os.getpid():  # a forked child: the parent's attachments are not ours
                    self._pid, self._current, self._users, self._scopes = os.getpid(), {}, {}, {}
                held = self._current.get(key)
                if held is not None and held[0] == found:
                    self._users[held[1]] += 1
                    return held[1]
                name = f"warehouse_{next(_NAMES)}"
                try:
                    cur.execute(f"attach '{_quote(key)}' as {name} (read_only)")
                except duckdb.IOException as err:
                    last = err
                else:
                    self._current[key] = (found, name)
                    self._users[name] = 1
                    return name
            time.sleep(0.05)
        raise WarehouseDamaged(path.name) from last

    def scope_schema(
        self, cur: duckdb.DuckDBPyConnection, name: str, home: str, bound: dict
    ) -> tuple[str, bool]:
        """(schema, shared): the schema of `home` holding the scoped relations (SCOPE_SQL) of the scope
        `bound` (Scope.sql_params) over attachment `name`, made now if no read of this attachment has
        made it.  Shared schemas are dropped with the attachment; past SHARED_SCOPES of them the read
        gets a schema of its own (shared False), which it drops itself."""
        key = tuple(sorted(bound.items()))
        with self._scope_lock:
            made = self._scopes.setdefault(name, {})
            if key in made:
                return made[key], True
            schema = f"scope_{next(_NAMES)}"
            _make_scope(cur, f"{home}.{schema}", name, bound)
            if len(made) >= SHARED_SCOPES:
                return schema, False
            made[key] = schema
            return schema, True

    def release(self, cur: duckdb.DuckDBPyConnection, name: str, home: str) -> None:
        """One read of `name` is over; the last one drops the attachment's scope schemas and detaches
        it (on `cur`, already off it).  Both run outside the lock: once `name` is out of the registry no
        read can take it, and DuckDB's own locking never waits on ours."""
        with self._lock:
            left = self._users.get(name, 1) - 1
            if left > 0:
                self._users[name] = left
                return
            self._users.pop(name, None)
            self._current = {k: v for k, v in self._current.items() if v[1] != name}
        with self._scope_lock:
            schemas = self._scopes.pop(name, {}).values()
        try:
            for schema in schemas:
                cur.execute(f"drop schema if exists {home}.{schema} cascade")
        finally:
            cur.execute(f"detach {name}")


def _make_scope(cur: duckdb.DuckDBPyConnection, schema: str, warehouse: str, bound: dict) -> None:
    """The scoped relations of `bound` in the new schema `schema` (names made here, never a caller's
    text; the scope's values are bound parameters)."""
    cur.execute(f"create schema {schema}")
    try:
        for statement in SCOPE_SQL:
            sql = statement.format(schema=schema, warehouse=warehouse)
            cur.execute(sql, {k: v for k, v in bound.items() if f"${k}" in sql})
    except BaseException:
        cur.execute(f"drop schema if exists {schema} cascade")
        raise


_attachments = _Attachments()


class Reader:
    """One read of the warehouse: a cursor with the file attached read-only as its current database.
    `execute` as on a DuckDB connection; `close` detaches the file (use as a context manager)."""

    def __init__(self, path: str | Path | None = None):
        p = db_path(path)
        if not p.exists():
            raise WarehouseMissing(str(p))
        self.path = p
        self._cur, self._home = _cursor()
        self._path_schema: str | None = None  # the scope schema on the cursor's search path
        self._own_schemas: list[str] = []  # scope schemas of this read alone, dropped at close
        try:
            self._name = _attachments.acquire(self._cur, p)
        except BaseException:
            self._cur.close()
            raise
        try:
            self._cur.execute(f"use {self._name}")
            _check_schema(self._cur, p)
        except BaseException:
            self.close()
            raise

    def execute(self, sql: str, params: list | dict | None = None, scope=None) -> duckdb.DuckDBPyConnection:
        """Run `sql` with `params`; with a `scope` (metrics.scope.Scope), the scoped relations the
        query reads its communes from are that scope's (SCOPE_SQL), found first on the search path."""
        if scope is not None:
            schema, shared = _attachments.scope_schema(self._cur, self._name, self._home, scope.sql_params())
            if not shared:
                self._own_schemas.append(schema)
            self._search(schema)
        elif SCOPED_RELATION.search(sql):
            raise ValueError("this query reads the scoped relations: pass the caller's scope")
        else:
            self._search(None)
        return self._cur.execute(sql, params or [])

    def _search(self, schema: str | None) -> None:
        """Names resolve in `schema` (a scope's relations) first, then in the warehouse."""
        if schema == self._path_schema:
            return
        path = f"{self._home}.{schema},{self._name}.main" if schema else f"{self._name}.main"
        self._cur.execute(f"set search_path = '{path}'")
        self._path_schema = schema

    def close(self) -> None:
        if self._cur is None:
            return
        cur, self._cur = self._cur, None
        try:
            cur.execute(f"use {self._home}")
            for schema in self._own_schemas:
                cur.execute(f"drop schema if exists {self._home}.{schema} cascade")
            _attachments.release(cur, self._name, self._home)
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


def query(
    sql: str, params: list | dict | None = None, path: str | Path | None = None, scope=None
) -> pd.DataFrame:
    """Run one parameterised query on a fresh read of the warehouse, within `scope` (a
    metrics.scope.Scope; required when the query reads `scoped_commune` or `scope`)."""
    with connect(path) as con:
        return con.execute(sql, params, scope).df()


_SCHEMA_OK: dict[tuple[str, tuple[int, int, int]], bool] = {}
SCHEMA_VERSION_SQL = "select value from warehouse_info where key = 'schema_version'"


def _check_schema(cur: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise WarehouseOutdated unless the warehouse records SCHEMA_VERSION (or newer); remembered per
    warehouse file version."""
    key = (str(path), version(path))
    if _SCHEMA_OK.get(key):
        return
    try:
        rows = cur.execute(SCHEMA_VERSION_SQL).fetchall()
    except duckdb.CatalogException:  # no warehouse_info: older than any recorded version
        rows = []
    found = int(rows[0][0]) if rows and str(rows[0][0]).isdigit() else 1
    if found < SCHEMA_VERSION:
        raise WarehouseOutdated(path, found)
    if len(_SCHEMA_OK) > 16:
        _SCHEMA_OK.clear()
    _SCHEMA_OK[key] = True
