"""Where the warehouse lives and which schema version it must have (both the ETL and the read side
need them)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DB_ENV_VAR = "CDS_WAREHOUSE"

# The warehouse's schema version.  The ETL records it in warehouse_info ('schema_version') whenever it
# creates or updates the schema (every load, `python -m etl marts`, `python -m etl rebuild`); the read
# side refuses an older warehouse with a message saying how to update it (metrics.db.WarehouseOutdated),
# instead of rewriting its queries for every older layout.
#   1: before the version was recorded (no mart_procedure_month, mart_index_derived, fact_index_province
#      in the oldest warehouses);
#   2: every mart of etl/sql, the intermediate model int_open_overdue, the portal's province tables;
#   3: mart_area_period (the provinces' and the country's aggregates every role is shown);
#   4: mart_skills_area (the provinces' and the country's digital-skills aggregates).
SCHEMA_VERSION = 4


def default_db_path() -> Path:
    """`$CDS_WAREHOUSE` when set, else `data/warehouse.duckdb` in the project."""
    env = os.environ.get(DB_ENV_VAR)
    return Path(env) if env else PROJECT_ROOT / "data" / "warehouse.duckdb"
