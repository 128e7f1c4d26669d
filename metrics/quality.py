"""Data quality: load history, rejected rows with reasons, coverage for a period, freshness per source."""

from __future__ import annotations

import pandas as pd

from core.periods import Period
from metrics import db
from metrics.scope import OPEN, Scope

LOADS_SQL = db.read_sql("loads.sql")
REJECTS_SQL = db.read_sql("rejects.sql")
REJECT_COUNTS_SQL = db.read_sql("reject_counts.sql")
REJECTS_MAX_ROWS = 2000  # rejected rows a page lists (newest first, ~1 MB); the counts cover every row
COVERAGE_SQL = db.read_sql("coverage_period.sql")
FRESHNESS_SQL = db.read_sql("freshness.sql")
SOURCES = ["dossiers", "signatures", "index"]


def loads(scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Every load, newest first (national scope only: files are not tied to one commune)."""
    return db.query(LOADS_SQL, None, path, scope=scope)


def rejects(
    load_id: int | None = None,
    scope: Scope = OPEN,
    path=None,
    *,
    files=None,
    rules=None,
    max_rows: int | None = REJECTS_MAX_ROWS,
) -> pd.DataFrame:
    """Rejected rows (file, row, column, value, rule, messages), optionally of one load and of the
    chosen files and rules (None or empty = all); at most `max_rows` (None = every row), newest loads
    first.  `reject_counts` gives the totals."""
    params = {
        "load_id": load_id,
        "files": list(files) if files else None,
        "rules": list(rules) if rules else None,
        "max_rows": max_rows,
    }
    return db.query(REJECTS_SQL, params, path, scope=scope)


def reject_counts(scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Rejected rows per file and rule: file_name, rule, rows, last_load_id (newest first)."""
    return db.query(REJECT_COUNTS_SQL, None, path, scope=scope)


def reject_reasons(rejects_df: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows per rule, most frequent first, from rejected rows or from `reject_counts`."""
    if rejects_df.empty:
        return pd.DataFrame(columns=["rule", "rows"])
    grouped = rejects_df.groupby("rule")
    counts = grouped["rows"].sum() if "rows" in rejects_df.columns else grouped.size()
    return (
        counts.rename("rows")
        .reset_index()
        .sort_values(["rows", "rule"], ascending=[False, True])
        .reset_index(drop=True)
    )


def filter_rejects(
    rejects_df: pd.DataFrame, files: list[str] | None = None, rules: list[str] | None = None
) -> pd.DataFrame:
    """The rejected rows of the chosen files and rules (an empty choice keeps everything)."""
    mask = pd.Series(True, index=rejects_df.index)
    if files:
        mask &= rejects_df["file_name"].isin(files)
    if rules:
        mask &= rejects_df["rule"].isin(rules)
    return rejects_df[mask].reset_index(drop=True)


def coverage(province: int | None, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """One row per commune in the selection: rows of dossiers, months of signatures and index
    periods it has in the period (0 = missing)."""
    params = {"start": period.start, "end": period.end, "province": province}
    return db.query(COVERAGE_SQL, params, path, scope=scope)


def coverage_summary(coverage_df: pd.DataFrame) -> pd.DataFrame:
    """Per source: communes with data, communes missing, share covered."""
    total = len(coverage_df)
    rows = []
    for source, col in zip(SOURCES, ["dossier_rows", "signature_months", "index_periods"], strict=True):
        with_data = int((coverage_df[col] > 0).sum()) if total else 0
        rows.append(
            {
                "source": source,
                "communes": total,
                "communes_with_data": with_data,
                "communes_missing": total - with_data,
                "coverage_rate": with_data / total if total else None,
            }
        )
    return pd.DataFrame(rows)


def missing(coverage_df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Communes with no data of `source` for the period."""
    col = {"dossiers": "dossier_rows", "signatures": "signature_months", "index": "index_periods"}[source]
    return coverage_df[coverage_df[col] == 0][["commune_code", "commune_name"]].reset_index(drop=True)


def freshness(scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Per source: latest month with data, communes with data, last load time, files loaded."""
    return db.query(FRESHNESS_SQL, None, path, scope=scope)


UPLOADS_SQL = db.read_sql("uploads.sql")


def uploads(scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Uploads through the dashboard (who, file, hash, size, when, counts), newest first, within the
    scope; empty for a warehouse built before the audit table existed."""
    import duckdb

    try:
        return db.query(UPLOADS_SQL, None, path, scope=scope)
    except duckdb.CatalogException:
        return pd.DataFrame(
            columns=[
                "upload_id",
                "uploaded_at",
                "uploaded_by",
                "role",
                "province_code",
                "file_name",
                "content_sha256",
                "size_bytes",
                "kind",
                "status",
                "rows_read",
                "rows_loaded",
                "rows_replaced",
                "rows_rejected",
                "message",
                "reasons",
            ]
        )
