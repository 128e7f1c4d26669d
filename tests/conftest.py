"""Shared helpers: throwaway warehouses and small source files written by the tests themselves."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def write_csv(
    path: Path, header: list[str], rows: list[list], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def file_sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sql(db: Path, query: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def mart_checksum(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        df = con.execute("select * from mart_commune_month order by commune_code, month").df()
        idx = con.execute("select * from mart_index_period order by all").df()
    finally:
        con.close()
    return hashlib.sha256((df.to_csv(index=False) + idx.to_csv(index=False)).encode()).hexdigest()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"
