"""Every metric, target and tier rule of the dashboard, defined once.

Rates are always computed from counts summed over the period and the set of communes, then
divided: never by averaging monthly or per-commune rates.  `add_rates` is the only place where a
rate is computed on the read side (the mart computes the same monthly rates with the same formulas).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.index_groups import GROUP_MAX, SIX_GROUPS

# Counts the read side sums (columns of mart_commune_month, plus the sum of processing days).
COUNT_COLUMNS = [
    "dossiers_received", "dossiers_online", "dossiers_online_full", "dossiers_online_partial",
    "dossiers_in_person", "dossiers_post", "dossiers_completed", "dossiers_on_time", "dossiers_overdue",
    "dossiers_paid_online", "dossiers_digitized", "processing_days_total",
    "docs_issued", "docs_confidential", "docs_signed",
]

# rate -> (numerator, [denominator terms: (sign, column)])
RATES: dict[str, tuple[str, list[tuple[int, str]]]] = {
    "online_rate": ("dossiers_online", [(1, "dossiers_received")]),
    "online_full_rate": ("dossiers_online_full", [(1, "dossiers_received")]),
    "online_partial_rate": ("dossiers_online_partial", [(1, "dossiers_received")]),
    "in_person_rate": ("dossiers_in_person", [(1, "dossiers_received")]),
    "post_rate": ("dossiers_post", [(1, "dossiers_received")]),
    "on_time_rate": ("dossiers_on_time", [(1, "dossiers_on_time"), (1, "dossiers_overdue")]),
    "paid_online_rate": ("dossiers_paid_online", [(1, "dossiers_received")]),
    "digitized_rate": ("dossiers_digitized", [(1, "dossiers_received")]),
    "signature_rate": ("docs_signed", [(1, "docs_issued"), (-1, "docs_confidential")]),
    "avg_processing_days": ("processing_days_total", [(1, "dossiers_completed")]),
}

# The headline rates, in the order pages show them.
HEADLINE_RATES = ["online_rate", "on_time_rate", "signature_rate"]

GROUPS = list(SIX_GROUPS)                       # CKMB TDGQ CLGQ TTTT MDSH MDHL
GROUP_COLUMNS = {g: f"score_{g.lower()}" for g in GROUPS}
GROUP_MAXIMA = {g: GROUP_MAX[g] for g in GROUPS}
INDEX_MAX = 100.0

TIERS = (1, 2, 3, 4)                            # 1 = top quartile ... 4 = bottom quartile (PAPI style)


@dataclass(frozen=True)
class Target:
    metric: str
    value: float
    source_vi: str
    source_en: str
    assumption: bool          # True: not a legal target, a configurable working assumption


# Targets users compare against (PRODUCT.md §6).  Change them here; pages read them from TARGETS.
TARGETS: dict[str, Target] = {
    "signature_rate": Target("signature_rate", 1.0, "100% văn bản đi không mật được ký số",
                             "100% of non-classified outgoing documents signed digitally", False),
    "online_rate": Target("online_rate", 0.6, "QĐ 749/QĐ-TTg (2025): 60% công việc xử lý trực tuyến",
                          "Decision 749/QĐ-TTg (2025): 60% of work handled online", True),
    "on_time_rate": Target("on_time_rate", 0.9, "Giả định: ≥ 90% đúng hạn (nhóm MDHL đạt điểm tối đa)",
                           "Assumption: ≥ 90% on time (full MDHL points)", True),
    "digitized_rate": Target("digitized_rate", 1.0, "NQ 71/NQ-CP (2030): 100% hồ sơ được số hóa",
                             "Resolution 71/NQ-CP (2030): 100% of dossiers digitized", True),
}


def add_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Add every rate whose counts are present; NULL (NaN) where the denominator is 0 or missing."""
    out = df.copy()
    for rate, (num, den_terms) in RATES.items():
        if num not in out.columns or any(col not in out.columns for _, col in den_terms):
            continue
        den = sum(sign * out[col].astype("float64") for sign, col in den_terms)
        numerator = out[num].astype("float64")
        out[rate] = (numerator / den.where(den > 0)).astype("float64")
    return out


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


def quartile_tiers(values: pd.Series) -> pd.Series:
    """PAPI-style tiers by quartile of `values` (higher is better): 1 top quarter .. 4 bottom quarter.

    Cut points are the 75th, 50th and 25th percentiles of the non-missing values; a value on a cut
    point goes to the better tier.  Missing values get no tier (NA).
    """
    valid = values.dropna().astype("float64")
    tiers = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if valid.empty:
        return tiers
    q75, q50, q25 = (float(np.percentile(valid, q)) for q in (75, 50, 25))
    v = values.astype("float64")
    tiers[v >= q75] = 1
    tiers[(v < q75) & (v >= q50)] = 2
    tiers[(v < q50) & (v >= q25)] = 3
    tiers[v < q25] = 4
    return tiers


def rank_change(previous_rank: pd.Series, rank: pd.Series) -> pd.Series:
    """Places moved up since the previous period (positive = better); NA when either rank is missing."""
    return (previous_rank.astype("Int64") - rank.astype("Int64")).astype("Int64")


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
