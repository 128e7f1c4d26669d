"""Online filings: channel mix over time, on-time share and processing days, procedures with most
dossiers and most late dossiers, and the commune table behind the province figures."""

from __future__ import annotations

import pandas as pd

from core.periods import Period
from metrics import db
from metrics.calendar import trend_months
from metrics.definitions import add_rates, aggregate
from metrics.periodic import commune_counts, month_range
from metrics.scope import OPEN, Scope

PROCEDURES_SQL = db.read_sql("procedures.sql")
CHANNELS = ["in_person", "online_partial", "online_full", "post"]
COMMUNE_COLUMNS = [
    "commune_code",
    "commune_name",
    "dossiers_received",
    "online_rate",
    "online_full_rate",
    "on_time_rate",
    "dossiers_overdue",
    "avg_processing_days",
    "paid_online_rate",
    "digitized_rate",
]


def filings_summary(
    province: int | None, commune: int | None, period: Period, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """Totals for the selection (a commune, else the province) in the period and the previous one:
    one row per period with counts and rates."""
    counts = commune_counts([period.previous(), period], province, commune, scope, path)
    return aggregate(counts, ["period", "period_start"])


def filings_trend(
    province: int | None, commune: int | None, period: Period, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """Monthly totals for the selection up to the period's last month: counts, channel shares,
    on-time share, average processing days."""
    months = trend_months(period, month_range(scope, path)[0])
    counts = commune_counts(months, province, commune, scope, path)
    out = aggregate(counts, ["period", "period_start"]).rename(columns={"period_start": "month"})
    return out.sort_values("month").reset_index(drop=True)


def procedures(
    province: int | None, commune: int | None, period: Period, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """Dossiers per procedure received in the period: received, online, on time, overdue, on-time rate."""
    params = {"start": period.start, "end": period.end, "province": province, "commune": commune}
    return add_rates(db.query(PROCEDURES_SQL, params, path, scope=scope))


def top(df: pd.DataFrame, column: str, n: int = 10) -> pd.DataFrame:
    """The n rows with the largest `column` (ties by procedure code), leaving out zeros."""
    keep = df[df[column] > 0]
    return (
        keep.sort_values([column, "procedure_code"], ascending=[False, True]).head(n).reset_index(drop=True)
    )


def commune_table(province: int, period: Period, scope: Scope = OPEN, path=None) -> pd.DataFrame:
    """Every commune of the province with its filing figures for the period, most dossiers first."""
    df = commune_counts([period], province, None, scope, path)
    return (
        df[COMMUNE_COLUMNS]
        .sort_values(["dossiers_received", "commune_name"], ascending=[False, True], na_position="last")
        .reset_index(drop=True)
    )
