"""Province overview and national view: headline figures, commune and province rankings, movers,
communes furthest below target."""

from __future__ import annotations

import pandas as pd

from core.periods import Period
from metrics.areas import area_periods, provinces
from metrics.definitions import (
    COUNT_COLUMNS,
    GROUP_COLUMNS,
    HEADLINE_RATES,
    RATES,
    TARGETS,
    gap_to_target,
)
from metrics.periodic import commune_counts, index_results, index_with_change
from metrics.ranking import competition_rank_by, quartile_tiers, rank_change
from metrics.scope import OPEN, Scope
from metrics.shared import memoized

HEADLINE_METRICS = [*HEADLINE_RATES, "index_average"]
RANKING_COLUMNS = [
    "index_rank",
    "index_rank_change",
    "tier",
    "commune_code",
    "commune_name",
    "index_total",
    *GROUP_COLUMNS.values(),
    *HEADLINE_RATES,
    "dossiers_received",
    "is_derived",
]


@memoized()
def province_ranking(province: int, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Every commune of the province for the period: rank, change in rank (positive = up), quartile
    tier, total index, six group scores, online / on-time / signature rates; best rank first."""
    counts = commune_counts([period], province, None, scope, path)
    # Published index results are public within the province: a commune scope gets every commune's
    # published score and rank here, but counts (dossiers, signatures) of its own commune only.
    idx = index_with_change(period, province, None, scope, path, published=True)
    keep = [
        "commune_code",
        "index_rank",
        "index_rank_change",
        "tier",
        "index_total",
        "is_derived",
        "communes_ranked",
        "previous_index_rank",
        *GROUP_COLUMNS.values(),
    ]
    names = idx[["commune_code", "commune_name", "province_code"]].rename(
        columns={"commune_name": "_name", "province_code": "_province"}
    )
    df = counts.merge(idx[keep], on="commune_code", how="outer").merge(names, on="commune_code", how="left")
    df["commune_name"] = df["commune_name"].fillna(df["_name"])
    df["province_code"] = df["province_code"].fillna(df["_province"]).astype("Int64")
    df = df.drop(columns=["_name", "_province"])
    df["index_rank"] = df["index_rank"].astype("Int64")
    df["tier"] = df["tier"].astype("Int64")
    return df.sort_values(["index_rank", "commune_name"], na_position="last").reset_index(drop=True)


def headline(province: int | None, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Headline figures (online, on-time, signature rates; average index) for the province (or the
    country when `province` is None): value, previous period, change, national figure, target.

    The province's and the country's figures are aggregates (metrics/areas.py, mart_area_period): the
    same for every role, never computed from the rows the caller's scope may see."""
    prev = period.previous()
    areas = area_periods([prev, period], scope, path)
    nat = areas[areas["area_level"] == "national"].set_index("period")
    nat_idx = nat["index_average"].astype("float64")
    if province is None:
        own, own_idx = nat, nat_idx
    else:
        own = areas[(areas["area_level"] == "province") & (areas["province_code"] == province)].set_index(
            "period"
        )
        own_idx = pd.Series(
            {p.key: _province_index_value(p, province, scope, path) for p in (prev, period)}, dtype="float64"
        )
    rows = []
    for metric in HEADLINE_METRICS:
        src, nat_src = (own_idx, nat_idx) if metric == "index_average" else (own.get(metric), nat.get(metric))
        value = _get(src, period.key)
        previous = _get(src, prev.key)
        target = TARGETS[metric].value if metric in TARGETS else None
        rows.append(
            {
                "metric": metric,
                "value": value,
                "previous": previous,
                "change": None if value is None or previous is None else value - previous,
                "national": _get(nat_src, period.key),
                "target": target,
            }
        )
    return pd.DataFrame(rows)


def national_table(period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """One row per province: communes, dossiers, online / on-time / signature rates (counts summed
    over the province's communes, then divided) with the previous period's, and the province's index
    (`province_index`): index_average, index_rank among provinces, index_rank_change, tier.
    Every province's row is an aggregate (mart_area_period), shown to every role."""
    prev = period.previous()
    by_prov = provinces([prev, period], scope, path)
    keep = [
        "period",
        "province_code",
        "province_name",
        *COUNT_COLUMNS,
        *RATES,
        "communes",
        "communes_with_dossiers",
        "communes_with_signatures",
    ]
    by_prov = by_prov[[c for c in keep if c in by_prov.columns]]
    by_prov["province_code"] = by_prov["province_code"].astype("int64")
    cur = by_prov[by_prov["period"] == period.key].set_index("province_code")
    before = by_prov[by_prov["period"] == prev.key].set_index("province_code")
    for col in HEADLINE_RATES:
        cur[f"previous_{col}"] = before[col].reindex(cur.index)
    cur = cur.reset_index().merge(province_index(period, scope, path), on="province_code", how="left")
    return cur.sort_values(["index_rank", "province_code"], na_position="last").reset_index(drop=True)


def province_index(period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Each province's service index for the period: index_average, index_rank among provinces (ties
    share a rank), index_rank_change (positive = up), quartile tier, index_basis.

    A period with published results takes metrics.service_index.national_province_ranking (the
    portal's national ranking when loaded, else the mean of the province's ranked communes).  A
    quarter or year without published results (derived from its months, see index_period.sql) takes
    the mean of the communes' derived totals (mart_area_period), ranked the same way.  Every province,
    for every role: the provinces' ranking is an aggregate."""
    from metrics import service_index

    columns = ["province_code", "index_average", "index_rank", "index_rank_change", "tier", "index_basis"]
    published = service_index.national_province_ranking(period, scope, path=path).dropna(
        subset=["index_total"]
    )
    if not published.empty:
        return published.rename(
            columns={
                "index_total": "index_average",
                "national_rank": "index_rank",
                "national_rank_change": "index_rank_change",
                "basis": "index_basis",
            }
        )[columns]
    prev = period.previous()
    # every province's mean of its communes' derived totals: an aggregate (mart_area_period), the same for
    # every role, never the mean of the communes the caller's scope shows
    avg = provinces([prev, period], scope, path)[["period", "province_code", "index_average"]]
    avg = avg.dropna(subset=["index_average"]).copy()
    avg["province_code"] = avg["province_code"].astype("int64")
    avg["index_average"] = avg["index_average"].astype("float64").round(2)
    avg["index_rank"] = competition_rank_by(avg, "period", "index_average")
    cur = avg[avg["period"] == period.key].set_index("province_code")
    before = avg[avg["period"] == prev.key].set_index("province_code")
    cur["index_rank_change"] = rank_change(before["index_rank"].reindex(cur.index), cur["index_rank"])
    cur["tier"] = quartile_tiers(cur["index_average"])
    cur["index_basis"] = "derived_commune_average"
    return cur.reset_index()[columns]


def movers(ranking: pd.DataFrame, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(biggest moves up, biggest moves down) in rank since the previous period, n each."""
    moved = ranking.dropna(subset=["index_rank_change"])
    up = (
        moved[moved["index_rank_change"] > 0]
        .sort_values(["index_rank_change", "index_rank"], ascending=[False, True])
        .head(n)
    )
    down = (
        moved[moved["index_rank_change"] < 0]
        .sort_values(["index_rank_change", "index_rank"], ascending=[True, True])
        .head(n)
    )
    return up.reset_index(drop=True), down.reset_index(drop=True)


def below_target(ranking: pd.DataFrame, metric: str, n: int = 10) -> pd.DataFrame:
    """Communes furthest below the metric's target (largest gap first); communes without data are left
    out (the data-quality page lists them)."""
    df = ranking.dropna(subset=[metric]).copy()
    df["target"] = TARGETS[metric].value
    df["gap"] = gap_to_target(df, metric)
    df = df[df["gap"] > 0].sort_values(["gap", "commune_name"], ascending=[False, True]).head(n)
    return df[["commune_code", "commune_name", metric, "target", "gap"]].reset_index(drop=True)


def _province_index_value(period: Period, province: int, scope: Scope, path) -> float | None:
    row = province_index(period, scope, path)
    row = row[row["province_code"] == province]
    return None if row.empty or pd.isna(row.iloc[0]["index_average"]) else float(row.iloc[0]["index_average"])


def _get(series, key):
    if series is None or key not in series.index:
        return None
    value = series.loc[key]
    return None if pd.isna(value) else float(value)


def rank_histories(
    province: int, communes: list[int], period: Period, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """Rank within the province of the chosen communes for each period of the period's type up to it
    (for the bump chart): period, period_start, commune_code, commune_name, index_rank, index_total."""
    from metrics.calendar import trend_periods
    from metrics.periodic import month_range

    if not communes:
        return pd.DataFrame(
            columns=["period", "period_start", "commune_code", "commune_name", "index_rank", "index_total"]
        )
    periods = trend_periods(period, month_range(scope, path)[0])
    df = index_results(periods, province, None, scope, path, published=True)
    df = df[df["commune_code"].isin(communes)]
    starts = pd.DataFrame({"period": [p.key for p in periods], "period_start": [p.start for p in periods]})
    return (
        df.merge(starts, on="period")[
            ["period", "period_start", "commune_code", "commune_name", "index_rank", "index_total"]
        ]
        .sort_values(["commune_code", "period_start"])
        .reset_index(drop=True)
    )


def default_bump_communes(ranking: pd.DataFrame, commune: int | None = None, n: int = 3) -> list[int]:
    """The communes a bump chart starts with: the n best, the n worst, and the selected commune."""
    ranked = ranking.dropna(subset=["index_rank"])
    picks = [*ranked.head(n)["commune_code"], *ranked.tail(n)["commune_code"]]
    if commune is not None and commune in set(ranking["commune_code"]):
        picks.append(commune)
    return list(dict.fromkeys(int(c) for c in picks))


def group_losses(ranking: pd.DataFrame) -> pd.DataFrame:
    """Per commune with an index result: points lost in each group (max - score) and the group that
    costs it most, worst total first."""
    from metrics.definitions import points_lost

    ranked = ranking.dropna(subset=["index_total"])
    lost = points_lost(ranked)
    out = pd.concat([ranked[["index_rank", "commune_code", "commune_name", "index_total"]], lost], axis=1)
    return out.sort_values(["index_rank", "commune_name"], ascending=[False, True]).reset_index(drop=True)


def worst_group_counts(losses: pd.DataFrame) -> pd.DataFrame:
    """How many communes lose most points in each group (every group listed, zeros included)."""
    from metrics.definitions import GROUPS

    counts = losses["worst_group"].value_counts()
    return pd.DataFrame({"group": GROUPS, "communes": [int(counts.get(g, 0)) for g in GROUPS]})
