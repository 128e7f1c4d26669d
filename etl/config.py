"""Where the ETL's SQL and the kept source files live (the warehouse path: core.config)."""

from __future__ import annotations

from pathlib import Path

from core.config import DB_ENV_VAR, PROJECT_ROOT, default_db_path

__all__ = ["DB_ENV_VAR", "PROJECT_ROOT", "SQL_DIR", "default_db_path", "files_dir", "read_sql"]

SQL_DIR = Path(__file__).resolve().parent / "sql"


def files_dir(db_path: Path) -> Path:
    """Content-addressed copies of every loaded file sit beside the warehouse."""
    return Path(db_path).resolve().parent / "files"


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")
