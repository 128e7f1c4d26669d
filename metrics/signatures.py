"""Digital signatures: signature rate by commune (signed / (issued - classified), summed over the
period before dividing), the commune-by-month grid, and the communes still under 100%."""

from __future__ import annotations

import pandas as pd

from core.periods import Period
from metrics.calendar import trend_months
from metrics.definitions import TARGETS, aggregate
from metrics.periodic import commune_counts, month_range
from metrics.scope import OPEN, Scope

GRID_MONTHS = 12
COLUMNS = [
    "commune_code",
    "commune_name",
    "docs_issued",
    "docs_confidential",
    "docs_signed",
    "docs_unsigned",
    "signature_rate",
]


def signature_summary(
    province: int | None, commune: int | None, period: Period, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """Totals for the selection in the period and the previous one, with the number of communes
    reporting and at 100%."""
    counts = commune_counts([period.previous(), period], province, commune, scope, path)
    out = aggregate(counts, ["period", "period_start"])
    at_target = (
        counts.assign(done=counts["signature_rate"] >= TARGETS["signature_rate"].value)
        .groupby("period")["done"]
        .sum()
        .rename("communes_at_target")
    )
    return out.merge(at_target, on="period", how="left")


def signature_table(
    province: int | None, commune: int | None, period: Period, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """Per commune: documents issued, classified, signed, unsigned (non-classified but not signed) and
    the signature rate, lowest rate first; communes that sent no signature data come last."""
    df = commune_counts([period], province, commune, scope, path)
    df["docs_unsigned"] = df["docs_issued"] - df["docs_confidential"] - df["docs_signed"]
    return (
        df[COLUMNS].sort_values(["signature_rate", "commune_name"], na_position="last").reset_index(drop=True)
    )


def under_target(table: pd.DataFrame) -> pd.DataFrame:
    """Communes of `signature_table` still below the 100% target."""
    return table[table["signature_rate"] < TARGETS["signature_rate"].value].reset_index(drop=True)


def signature_grid(
    province: int | None, commune: int | None, period: Period, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """Signature rate per commune and month for the last 12 months up to the period's last month
    (long format: commune_code, commune_name, month, signature_rate)."""
    months = trend_months(period, month_range(scope, path)[0], limit=GRID_MONTHS)
    df = commune_counts(months, province, commune, scope, path)
    return (
        df[["commune_code", "commune_name", "period_start", "signature_rate"]]
        .rename(columns={"period_start": "month"})
        .reset_index(drop=True)
    )
