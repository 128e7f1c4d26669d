"""The figures labelled as a province's or the country's ("Toàn tỉnh", "Cả nước", "province median"),
for every role.

Scope restricts *whose rows* a caller may see (metrics/scope.py); a figure over a province or the
country is not computed from those rows, or a commune account would see its own figures labelled as the
province's.  It is read from the aggregate mart `mart_area_period` (etl/sql/mart_area_period.sql), which
carries sums, counts of communes, medians and means, and no single commune's figure: aggregates that every
role is shown.  Rates are computed from the summed counts with the catalogue's formulas (add_rates)."""

from __future__ import annotations

import pandas as pd

from core.periods import Period
from metrics import db
from metrics.definitions import TARGETS, add_rates
from metrics.scope import OPEN, Scope
from metrics.shared import memoized

AREA_PERIOD_SQL = db.read_sql("area_period.sql")
TARGET_COUNTS_SQL = db.read_sql("area_target_counts.sql")
# Which column of the mart holds the province median of a metric.
MEDIAN_COLUMNS = {
    m: f"median_{m}"
    for m in (
        "online_rate",
        "online_full_rate",
        "on_time_rate",
        "paid_online_rate",
        "digitized_rate",
        "signature_rate",
        "avg_processing_days",
        "index_total",
        "score_ckmb",
        "score_tdgq",
        "score_clgq",
        "score_tttt",
        "score_mdsh",
        "score_mdhl",
    )
}


def area_periods(periods: list[Period], scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Every province's and the country's row for each period (one period type): area_level
    ('province' | 'national'), province_code (NULL for the country), province_name, period, period_start,
    summed counts with the rates computed from them, communes, medians (`median_<metric>`),
    index_average.  The same for every scope: no row is a commune's."""
    if not periods:
        raise ValueError("area_periods needs at least one period")
    return _area_periods(tuple(p.key for p in periods), periods[0].period_type, path=path)


@memoized()
def _area_periods(keys: tuple[str, ...], period_type: str, path=None) -> pd.DataFrame:
    params = {"period_keys": list(keys), "period_type": period_type}
    return add_rates(db.query(AREA_PERIOD_SQL, params, path, scope=OPEN))


def national(periods: list[Period], scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """The country's row per period, indexed by period key."""
    df = area_periods(periods, scope, path)
    return df[df["area_level"] == "national"].set_index("period")


def province(province_code: int, periods: list[Period], scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """The province's row per period, indexed by period key."""
    df = area_periods(periods, scope, path)
    return df[(df["area_level"] == "province") & (df["province_code"] == province_code)].set_index("period")


def provinces(periods: list[Period], scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Every province's row per period (the national table's rows)."""
    df = area_periods(periods, scope, path)
    return df[df["area_level"] == "province"].reset_index(drop=True)


def target_counts(province: int, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Per target of metrics.definitions.TARGETS (in that order): metric, target, communes_with_data (the
    province's communes with the rate for the period) and communes_at_target.  Counts of communes, no
    commune's figure: the same for every role."""
    params = {
        "province": int(province),
        "start": period.start,
        "end": period.end,
        "targets": {m: float(t.value) for m, t in TARGETS.items()},
    }
    df = db.query(TARGET_COUNTS_SQL, params, path, scope=scope).set_index("metric")
    df = df.reindex(list(TARGETS)).reset_index()
    for col in ("communes_with_data", "communes_at_target"):
        df[col] = df[col].fillna(0).astype("int64")
    return df[["metric", "target", "communes_with_data", "communes_at_target"]]
