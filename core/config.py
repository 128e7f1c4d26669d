"""Where the warehouse lives (both the ETL and the read side need it)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DB_ENV_VAR = "CDS_WAREHOUSE"


def default_db_path() -> Path:
    """`$CDS_WAREHOUSE` when set, else `data/warehouse.duckdb` in the project."""
    env = os.environ.get(DB_ENV_VAR)
    return Path(env) if env else PROJECT_ROOT / "data" / "warehouse.duckdb"
