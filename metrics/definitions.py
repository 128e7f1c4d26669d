"""The read side's computations on the metric catalogue (core/catalogue.py): rates from summed counts,
aggregation, points lost, gaps to targets (ranks, tiers and rank changes: metrics/ranking.py).

Rates are always computed from counts summed over the period and the set of communes, then
divided: never by averaging monthly or per-commune rates.  `add_rates` is the only place where a
rate is computed on the read side (the mart computes the same monthly rates with the same formulas).
"""

from __future__ import annotations

import pandas as pd

from core.catalogue import METRICS, Metric, Target, counts, ratios
from core.index_groups import GROUP_COLUMNS, GROUP_MAX, INDEX_MAX, SIX_GROUPS  # noqa: F401  (re-exported)

# Counts the read side sums (columns of mart_commune_month, plus the sum of processing days) and the
# rates computed from them: declared in core/catalogue.py.
COUNT_COLUMNS = counts(("dossiers", "signatures"))
RATES: dict[str, Metric] = ratios(("dossiers", "signatures"))

# The headline rates, in the order pages show them.
HEADLINE_RATES = ["online_rate", "on_time_rate", "signature_rate"]

GROUPS = list(SIX_GROUPS)  # CKMB TDGQ CLGQ TTTT MDSH MDHL
GROUP_MAXIMA = {g: GROUP_MAX[g] for g in GROUPS}

TIERS = (1, 2, 3, 4)  # 1 = top quartile ... 4 = bottom quartile (PAPI style)

# The targets pages and reports compare against (values and sources: core/catalogue.py), in the order
# pages list them.
TARGETS: dict[str, Target] = {
    m: METRICS[m].target for m in ("signature_rate", "online_rate", "on_time_rate", "digitized_rate")
}


def add_ratios(
    df: pd.DataFrame, metrics: dict[str, Metric], columns: dict[str, pd.Series] | None = None
) -> pd.DataFrame:
    """Add each of `metrics` (catalogue ratios) whose counts are present: numerator x scale over the
    signed sum of the denominator's columns; NULL (NaN) where the denominator is 0 or missing.
    `columns`: extra denominator columns not in `df` (e.g. 'months')."""
    out = df.copy()
    extra = columns or {}
    for name, m in metrics.items():
        cols = [m.numerator, *(col for _, col in m.denominator)]
        if any(col not in out.columns and col not in extra for col in cols):
            continue
        den = sum(
            sign * (extra[col] if col in extra else out[col]).astype("float64") for sign, col in m.denominator
        )
        numerator = out[m.numerator].astype("float64")
        if m.scale != 1:
            numerator = numerator * m.scale
        out[name] = (numerator / den.where(den > 0)).astype("float64")
    return out


def add_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Add every dossier and signature rate whose counts are present (metrics of core/catalogue.py)."""
    return add_ratios(df, RATES)


def aggregate(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum the counts of `df` by `by`, then compute the rates (aggregate first, divide after)."""
    counts = [c for c in COUNT_COLUMNS if c in df.columns]
    extra = {}
    if "commune_code" in df.columns and "commune_code" not in by:
        extra["communes"] = ("commune_code", "nunique")
    if "has_dossiers" in df.columns:
        extra["communes_with_dossiers"] = ("has_dossiers", "sum")
    if "has_signatures" in df.columns:
        extra["communes_with_signatures"] = ("has_signatures", "sum")
    grouped = df.groupby(by, dropna=False, sort=True)
    summed = grouped[counts].sum(min_count=1)
    if extra:
        summed = summed.join(grouped.agg(**extra))
    return add_rates(summed.reset_index())


def points_lost(df: pd.DataFrame) -> pd.DataFrame:
    """Per row: points lost in each group (max - score) and the group that costs most."""
    out = pd.DataFrame(index=df.index)
    for g in GROUPS:
        out[f"lost_{g.lower()}"] = GROUP_MAXIMA[g] - df[GROUP_COLUMNS[g]].astype("float64")
    lost = out[[f"lost_{g.lower()}" for g in GROUPS]]
    has_any = lost.notna().any(axis=1)
    worst = lost.fillna(-1).idxmax(axis=1).str.removeprefix("lost_").str.upper()
    out["worst_group"] = worst.where(has_any)
    out["worst_group_lost"] = lost.max(axis=1)
    return out


def gap_to_target(df: pd.DataFrame, metric: str) -> pd.Series:
    """Percentage points (as a fraction) still missing to the metric's target; 0 when met."""
    target = TARGETS[metric].value
    return (target - df[metric].astype("float64")).clip(lower=0)
