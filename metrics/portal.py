"""Read side of the portal fetcher (etl/portal/): provisional or official, fetch runs, the breaker,
and the portal's own province ranking.

Index results fetched while their period was open are *provisional* (labelled "tạm tính /
provisional" on every page that shows them); a period's first complete fetch after its end is
*official*; results loaded from files count as published, official data.  Comparisons and ranks
over time leave provisional periods out (`closed_only`).  Plain functions, no Streamlit; SQL in
metrics/sql/portal_*.sql with bound parameters.  Every warehouse of the current schema
version has the etl_portal_* tables (etl/sql/schema_portal.sql); with no fetch recorded, everything reads as official and the fetch log is empty.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.periods import Period, parse_period
from metrics import db
from metrics.scope import OPEN, Scope

LOAD_STATUS_SQL = db.read_sql("portal_load_status.sql")


def _with_status(name: str) -> str:
    """The query with the shared load-status CTEs (portal_load_status.sql) put in at import time."""
    return db.read_sql(name).replace("__LOAD_STATUS__", LOAD_STATUS_SQL)


INDEX_STATUS_SQL = _with_status("portal_index_status.sql")
PROVISIONAL_PERIODS_SQL = _with_status("portal_provisional_periods.sql")
PROVINCE_RANKING_SQL = _with_status("portal_province_ranking.sql")
FETCH_RUNS_SQL = db.read_sql("portal_fetch_runs.sql")


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def index_status(province: int | None, period: Period | str, path=None) -> dict[str, str | None]:
    """{'communes': ..., 'province': ...}: 'provisional', 'official', or None (no index rows).
    `communes`: the commune results of `province` (every province when None) for the period — for a
    quarter or year without its own rows, those of its months (the derived results);
    `province`: the provinces' totals and the national ranking."""
    per = _period(period)
    out: dict[str, str | None] = {"communes": None, "province": None}
    df = db.query(
        INDEX_STATUS_SQL,
        {
            "province": province,
            "period_type": per.period_type,
            "period": per.key,
            "start": per.start,
            "end": per.end,
        },
        path,
    )
    for level in out:
        rows = df[df["level"] == level]
        own = rows[rows["own"]]
        use = own if own["rows"].sum() > 0 else rows
        if use["rows"].sum() > 0:
            out[level] = "provisional" if use["provisional_rows"].sum() > 0 else "official"
    return out


def provisional_periods(province: int, period_type: str, path=None) -> set[str]:
    """Period keys of `period_type` whose commune results for the province are provisional; a
    quarter or year counts when one of its months does (its derived results would be)."""
    df = db.query(PROVISIONAL_PERIODS_SQL, {"province": province}, path)
    out = set(df.loc[df["period_type"] == period_type, "period"])
    if period_type != "month":
        for key in df.loc[df["period_type"] == "month", "period"]:
            p = parse_period(key)
            out.add(
                f"{p.start.year:04d}-Q{(p.start.month - 1) // 3 + 1}"
                if period_type == "quarter"
                else f"{p.start.year:04d}"
            )
    return out


def closed_only(df: pd.DataFrame, provisional: set[str], column: str = "period") -> pd.DataFrame:
    """The rows of closed (non-provisional) periods: what a rank history or a trend compares."""
    if not provisional or df.empty:
        return df
    return df[~df[column].isin(provisional)].reset_index(drop=True)


def province_ranking(period: Period | str, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """The portal's own ranking of the provinces for the period (from its national service-results):
    portal_rank of provinces_ranked, portal_total, the six group scores, index_status."""
    per = _period(period)
    df = db.query(
        PROVINCE_RANKING_SQL,
        {"period_type": per.period_type, "period": per.key},
        path,
        scope=scope.published(),
    )
    for col in ("portal_rank", "provinces_ranked"):
        df[col] = df[col].astype("Int64")
    return df


def fetch_runs(scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Every fetch run, newest first (see metrics/sql/portal_fetch_runs.sql)."""
    return db.query(FETCH_RUNS_SQL, {}, path, scope=scope)


def breaker_state(path=None) -> dict:
    """The circuit breaker beside the warehouse (etl/portal/breaker.py): state (closed | open),
    reason, detail, opened_at, closed_at, closed_by.  Read on each call (it is not in the warehouse)."""
    from core import portal_breaker as breaker

    state = breaker.read(Path(db.db_path(path)))
    return {k: v for k, v in state.to_dict().items() if k != "history"}


def labelled_runs(runs: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The fetch log with its codes (result, breaker state, provisional/official) as labels, and the
    message in `lang`, for a table."""
    from metrics.i18n import t

    def label(prefix: str, value) -> str | None:
        return None if value is None or pd.isna(value) else t(f"{prefix}{value}", lang)

    out = runs.copy()
    out["result"] = out["result"].map(lambda v: label("fetch_result_", v))
    out["breaker_state"] = out["breaker_state"].map(lambda v: label("breaker_", v))
    out["index_status"] = out["index_status"].map(lambda v: label("index_status_", v))
    out["message"] = out["message_vi" if lang == "vi" else "message_en"]
    return out


def labelled_ranking(ranking: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    from metrics.i18n import t

    return ranking.assign(index_status=ranking["index_status"].map(lambda v: t(f"index_status_{v}", lang)))
