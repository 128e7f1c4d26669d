"""Commune profile: the commune's figures against the previous period, the province median and the
target; monthly trends with the province median; rank history; group scores against the province.

The province medians are aggregates read from mart_area_period (metrics/areas.py), the same for every
role; the group scores' best commune comes from the published index, public within the province
(Scope.published()).  Nothing labelled as the province's is computed from the rows the scope shows."""

from __future__ import annotations

import pandas as pd

from core.periods import Period
from metrics import areas, db
from metrics.calendar import trend_months, trend_periods
from metrics.definitions import GROUP_COLUMNS, GROUP_MAXIMA, GROUPS, HEADLINE_RATES, TARGETS
from metrics.periodic import commune_counts, index_results, index_with_change, month_range
from metrics.scope import OPEN, Scope

COMMUNE_PROVINCE_SQL = db.read_sql("commune_province.sql")

PROFILE_METRICS = [*HEADLINE_RATES, "index_total"]
TREND_METRICS = [*HEADLINE_RATES, "online_full_rate", "avg_processing_days"]


def commune_figures(commune: int, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """One row per metric: value, previous period, change, province median, target; plus the index
    rank (`rank`, `communes_ranked`) on the index_total row.  Empty when the commune is unknown."""
    province = _province_of(commune, scope, path)
    if province is None:
        return pd.DataFrame(
            columns=[
                "metric",
                "value",
                "previous",
                "change",
                "province_median",
                "target",
                "rank",
                "communes_ranked",
            ]
        )
    prev = period.previous()
    counts = commune_counts([prev, period], province, None, scope, path)
    idx = index_results([prev, period], province, commune, scope, path)
    area = areas.province(province, [period], scope, path)
    rows = []
    for metric in PROFILE_METRICS:
        frame = idx if metric == "index_total" else counts
        own = frame[frame["commune_code"] == commune].set_index("period")[metric]
        value, previous = _get(own, period.key), _get(own, prev.key)
        row = {
            "metric": metric,
            "value": value,
            "previous": previous,
            "change": None if value is None or previous is None else value - previous,
            "province_median": _get(area[areas.MEDIAN_COLUMNS[metric]], period.key),
            "target": TARGETS[metric].value if metric in TARGETS else None,
            "rank": None,
            "communes_ranked": None,
        }
        if metric == "index_total":
            mine = idx[(idx["commune_code"] == commune) & (idx["period"] == period.key)]
            if not mine.empty:
                row["rank"] = int(mine.iloc[0]["index_rank"])
                row["communes_ranked"] = int(mine.iloc[0]["communes_ranked"])
        rows.append(row)
    return pd.DataFrame(rows)


def commune_trend(commune: int, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Monthly values of the trend metrics up to the period's last month, with the province median of
    the same month: month, metric, value, province_median (long format)."""
    province = _province_of(commune, scope, path)
    if province is None:
        return pd.DataFrame(columns=["month", "metric", "value", "province_median"])
    months = trend_months(period, month_range(scope, path)[0])
    counts = commune_counts(months, province, commune, scope, path)
    own = counts.melt(
        id_vars=["period_start"], value_vars=TREND_METRICS, var_name="metric", value_name="value"
    )
    area = areas.province(province, months, scope, path)
    medians = (
        area[["period_start", *(areas.MEDIAN_COLUMNS[m] for m in TREND_METRICS)]]
        .rename(columns={areas.MEDIAN_COLUMNS[m]: m for m in TREND_METRICS})
        .melt(
            id_vars=["period_start"],
            value_vars=TREND_METRICS,
            var_name="metric",
            value_name="province_median",
        )
    )
    medians["period_start"] = pd.to_datetime(medians["period_start"])
    own["period_start"] = pd.to_datetime(own["period_start"])
    out = own.merge(medians, on=["period_start", "metric"], how="left").rename(
        columns={"period_start": "month"}
    )
    return out.sort_values(["metric", "month"]).reset_index(drop=True)


def rank_history(commune: int, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """The commune's index rank within its province for each period of the same type up to `period`:
    period, period_start, index_rank, communes_ranked, index_total, is_derived."""
    periods = trend_periods(period, month_range(scope, path)[0])
    df = index_results(periods, None, commune, scope, path)
    return (
        df[["period", "commune_code", "index_rank", "communes_ranked", "index_total", "is_derived"]]
        .merge(
            pd.DataFrame({"period": [p.key for p in periods], "period_start": [p.start for p in periods]}),
            on="period",
        )
        .sort_values("period_start")
        .reset_index(drop=True)
    )


def group_scores(commune: int, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Per index group: the commune's score, the province median and best score (with the best
    commune's name), the group maximum and the points the commune loses."""
    province = _province_of(commune, scope, path)
    columns = [
        "group",
        "score",
        "province_median",
        "province_best",
        "best_commune",
        "max_score",
        "points_lost",
    ]
    if province is None:
        return pd.DataFrame(columns=columns)
    # Published scores are public within the province: the median and the best are over every commune.
    idx = index_with_change(period, province, None, scope, path, published=True)
    mine = idx[idx["commune_code"] == commune]
    rows = []
    for g in GROUPS:
        col = GROUP_COLUMNS[g]
        scores = idx.dropna(subset=[col])
        score = None if mine.empty or pd.isna(mine.iloc[0][col]) else float(mine.iloc[0][col])
        best = scores.sort_values([col, "commune_name"], ascending=[False, True]).head(1)
        rows.append(
            {
                "group": g,
                "score": score,
                "province_median": float(scores[col].median()) if len(scores) else None,
                "province_best": float(best.iloc[0][col]) if len(best) else None,
                "best_commune": best.iloc[0]["commune_name"] if len(best) else None,
                "max_score": GROUP_MAXIMA[g],
                "points_lost": None if score is None else GROUP_MAXIMA[g] - score,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _province_of(commune: int, scope: Scope, path) -> int | None:
    """The commune's province, or None when the commune is unknown or outside the scope (the rows
    commune_counts would return for it in any period: it lists every commune in scope)."""
    df = db.query(COMMUNE_PROVINCE_SQL, {"commune": int(commune)}, path, scope=scope)
    return None if df.empty else int(df.iloc[0]["province_code"])


def _get(series: pd.Series, key: str):
    if key not in series.index:
        return None
    value = series.loc[key]
    return None if pd.isna(value) else float(value)
