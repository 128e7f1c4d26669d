"""The two building blocks every page's figures come from.

* `commune_counts`: dossier and signature counts per commune and period (summed months of
  mart_commune_month), with the rates of metrics/definitions.py;
* `index_results`: service-index results per commune and period (mart_index_period; quarter/year
  derived from the months when not published).
"""

from __future__ import annotations

import pandas as pd

from core.periods import Period
from metrics import db
from metrics.calendar import period_params
from metrics.definitions import COUNT_COLUMNS, add_rates
from metrics.ranking import quartile_tiers, rank_change
from metrics.scope import OPEN, Scope

COMMUNE_PERIOD_SQL = db.read_sql("commune_period.sql")


# commune_period.sql's rows summed per province and period in SQL: the same counts as
# `aggregate(commune_counts(...), ["period", "province_code", "province_name"])`, without sending every
# commune's row to pandas (3,321 communes x periods on the national view).  The sums are the catalogue's
# counts (core/catalogue.py).
PROVINCE_PERIOD_SQL = f"""with per_commune as (
{COMMUNE_PERIOD_SQL}
)
select period, period_start, province_code, province_name,
       {
    ", ".join(
        f"sum({c}) as {c}" if c == "processing_days_total" else f"cast(sum({c}) as bigint) as {c}"
        for c in COUNT_COLUMNS
    )
},
       count(*) as communes,
       count(*) filter (where has_dossiers) as communes_with_dossiers,
       count(*) filter (where has_signatures) as communes_with_signatures
from per_commune
group by period, period_start, province_code, province_name
order by period_start, province_code
"""

INDEX_PERIOD_SQL = db.read_sql("index_period.sql")
PLACES_SQL = db.read_sql("places.sql")
MONTH_RANGE_SQL = db.read_sql("month_range.sql")


def places(scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Communes the caller may see, with their province: commune_code, commune_name, division_type,
    province_code, province_name."""
    return db.query(PLACES_SQL, None, path, scope=scope)


def month_range(scope: Scope = OPEN, path=None) -> tuple:
    """(first_month, last_month) with any data in scope; (None, None) for an empty warehouse."""
    df = db.query(MONTH_RANGE_SQL, None, path, scope=scope)
    if df.empty:
        return (None, None)
    first, last = df.iloc[0]["first_month"], df.iloc[0]["last_month"]
    return (_to_date(first), _to_date(last))


def _to_date(value):
    return None if pd.isna(value) else pd.Timestamp(value).date()


def commune_counts(
    periods: list[Period],
    province: int | None = None,
    commune: int | None = None,
    scope: Scope = OPEN,
    path=None,
) -> pd.DataFrame:
    """One row per commune and period: summed counts and the rates computed from them."""
    params = {**period_params(periods), "province": province, "commune": commune}
    df = db.query(COMMUNE_PERIOD_SQL, params, path, scope=scope)
    return add_rates(df.sort_values(["period_start", "province_code", "commune_code"], ignore_index=True))


def province_counts(periods: list[Period], scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """One row per province and period in scope: the communes' summed counts, communes,
    communes_with_dossiers, communes_with_signatures, and the rates computed from the sums."""
    params = {**period_params(periods), "province": None, "commune": None}
    return add_rates(db.query(PROVINCE_PERIOD_SQL, params, path, scope=scope))


def index_results(
    periods: list[Period],
    province: int | None = None,
    commune: int | None = None,
    scope: Scope = OPEN,
    path=None,
    *,
    published: bool = False,
) -> pd.DataFrame:
    """One row per commune and period with an index result: total, rank within the province,
    national rank, six group scores, is_derived (quarter/year averaged from months).

    `published=True` reads within `Scope.published()`: the published scores and ranks of every
    commune of the scope's province (a commune scope sees its province's ranking, as the portal
    publishes it); by default a commune scope sees its own commune only."""
    if not periods:
        raise ValueError("index_results needs at least one period")
    period_type = periods[0].period_type
    params = {**period_params(periods), "period_type": period_type, "province": province, "commune": commune}
    return db.query(INDEX_PERIOD_SQL, params, path, scope=scope.published() if published else scope)


def index_with_change(
    period: Period,
    province: int | None = None,
    commune: int | None = None,
    scope: Scope = OPEN,
    path=None,
    *,
    published: bool = False,
) -> pd.DataFrame:
    """Index results of `period` with the previous period's rank and total, the change in rank
    (positive = moved up) and the quartile tier within the province (metrics.ranking.quartile_tiers,
    cut from every commune of the province with a result, whatever the caller may see)."""
    prev = period.previous()
    df = index_results([prev, period], province, commune, scope, path, published=published)
    cur = df[df["period"] == period.key].copy()
    before = df[df["period"] == prev.key][["commune_code", "index_rank", "index_total"]].rename(
        columns={"index_rank": "previous_index_rank", "index_total": "previous_index_total"}
    )
    cur = cur.merge(before, on="commune_code", how="left")
    cur["index_rank_change"] = rank_change(cur["previous_index_rank"], cur["index_rank"])
    cur["index_total_change"] = cur["index_total"] - cur["previous_index_total"]
    every = cur if scope == OPEN and commune is None else index_results([period], province, None, OPEN, path)
    tiers = every[["commune_code", "province_code", "index_total"]].copy()
    tiers["tier"] = (
        tiers.groupby("province_code")["index_total"].transform(quartile_tiers)
        if not tiers.empty
        else pd.Series(dtype="Int64")
    )
    cur = cur.merge(tiers[["commune_code", "tier"]], on="commune_code", how="left")
    cur["tier"] = cur["tier"].astype("Int64")
    return cur.reset_index(drop=True)
