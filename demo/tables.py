"""What both demo generators share: their SQL folder and the small input tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parent / "sql"


def create_tables(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """One DuckDB table per pandas frame (the generators' small reference inputs)."""
    for name, frame in frames.items():
        con.register("src", frame)
        con.execute(f"create table {name} as select * from src")
        con.unregister("src")
