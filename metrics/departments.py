"""The provincial departments (sở, ngành) ranked on the service index, as the portal ranks them beside
the communes.  Read from fact_index_department (the portal's JSON files); the demo has none.

A department's total is the portal's published total when the file gave one, else the sum of its six
group scores when all six are loaded; with fewer groups it is listed without a total or rank (a
partial sum would rank it against units scored on more groups).  Ranks: metrics.ranking's competition
rank over the departments with a total; changes against the previous period of the same type."""

from __future__ import annotations

import pandas as pd

from core.index_groups import SIX_GROUPS
from core.periods import Period
from metrics import db
from metrics.ranking import competition_rank, rank_change
from metrics.scope import OPEN, Scope

DEPARTMENTS_SQL = db.read_sql("departments.sql")
GROUP_SCORES = [f"score_{g.lower()}" for g in SIX_GROUPS]
COLUMNS = [
    "department_key",
    "department_name",
    "department_code",
    "index_total",
    "index_rank",
    "index_rank_change",
    *GROUP_SCORES,
    "groups_published",
]


def _ranked(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.copy()
    complete = rows["groups_published"] == len(SIX_GROUPS)
    summed = rows[GROUP_SCORES].astype("float64").sum(axis=1).round(2).where(complete)
    rows["index_total"] = rows["published_total"].astype("float64").fillna(summed)
    rows["index_rank"] = competition_rank(rows["index_total"]).where(rows["index_total"].notna())
    return rows


def department_ranking(province: int, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """The province's departments for `period`: index_total, index_rank (1 = best, ties share),
    index_rank_change (positive = up), the six group scores and groups_published; best first, the
    departments without a total last.  Empty when the warehouse holds no department for the period."""
    prev = period.previous()
    params = {
        "province": int(province),
        "period_type": period.period_type,
        "period": period.key,
        "previous_period": prev.key,
    }
    rows = db.query(DEPARTMENTS_SQL, params, path, scope=scope)
    if rows.empty or not (rows["period"] == period.key).any():
        return pd.DataFrame(columns=COLUMNS)
    cur = _ranked(rows[rows["period"] == period.key]).set_index("department_key")
    before = _ranked(rows[rows["period"] == prev.key]).set_index("department_key")
    cur["index_rank_change"] = rank_change(before["index_rank"].reindex(cur.index), cur["index_rank"])
    cur = cur.reset_index()[COLUMNS]
    return cur.sort_values(["index_rank", "department_name"], na_position="last").reset_index(drop=True)
