"""Short-lived read-only connections to the warehouse, and a version stamp for caches.

The ETL swaps a new warehouse file in with an atomic rename; a connection opened before the swap
keeps reading the old file to its end, and the next one sees the new file.  Nothing here holds a
connection beyond one call.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from etl.config import default_db_path

SQL_DIR = Path(__file__).resolve().parent / "sql"


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


@contextlib.contextmanager
def connect(path: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    p = db_path(path)
    if not p.exists():
        raise WarehouseMissing(str(p))
    # A swap can land between exists() and connect(); retry briefly instead of failing the page.
    last: Exception | None = None
    for _ in range(5):
        try:
            con = duckdb.connect(str(p), read_only=True)
            break
        except duckdb.IOException as err:
            last = err
            time.sleep(0.05)
    else:
        raise last  # type: ignore[misc]
    try:
        yield con
    finally:
        con.close()


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def query(sql: str, params: list | dict | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Run one parameterised query on a fresh read-only connection."""
    with connect(path) as con:
        return con.execute(sql, params or []).df()
