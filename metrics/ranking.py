"""Ranks, tiers and rank changes: one definition each for the whole read side.

* `competition_rank`: standard competition ranking — ties share the best place and the next place
  skips (1, 2, 2, 4); missing values are not ranked.  The marts rank the published index with SQL's
  `rank()`, which is the same rule (tests/core/test_ranking.py checks the marts' ranks against this
  function on a demo warehouse).
* `quartile_tiers`: PAPI-style tiers, 1 = top quarter .. 4 = bottom quarter.
* `rank_change`: places moved up since the previous period (positive = better).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def competition_rank(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Rank of each value (1 = best; ties share a rank, the next rank skips: 1, 2, 2, 4); NA where the
    value is missing."""
    return values.astype("float64").rank(method="min", ascending=not higher_is_better).astype("Int64")


def competition_rank_by(
    df: pd.DataFrame, by: str | list[str], column: str, higher_is_better: bool = True
) -> pd.Series:
    """`competition_rank` of `column` within each group of `by`."""
    if df.empty:
        return pd.Series(dtype="Int64", index=df.index)
    return (
        df.groupby(by, dropna=False)[column]
        .transform(lambda v: competition_rank(v, higher_is_better))
        .astype("Int64")
    )


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
