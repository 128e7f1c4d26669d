"""Where the warehouse and the kept source files live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DB_ENV_VAR = "CDS_WAREHOUSE"
SQL_DIR = Path(__file__).resolve().parent / "sql"


def default_db_path() -> Path:
    """`$CDS_WAREHOUSE` when set, else `data/warehouse.duckdb` in the project."""
    env = os.environ.get(DB_ENV_VAR)
    return Path(env) if env else PROJECT_ROOT / "data" / "warehouse.duckdb"


def files_dir(db_path: Path) -> Path:
    """Content-addressed copies of every loaded file sit beside the warehouse."""
    return Path(db_path).resolve().parent / "files"


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")
