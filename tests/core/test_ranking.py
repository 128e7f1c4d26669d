"""One ranking rule (metrics/ranking.py): standard competition ranks, quartile tiers, rank changes; the
marts' SQL ranks follow the same rule on a demo warehouse."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from metrics.ranking import competition_rank, competition_rank_by, quartile_tiers, rank_change
from tests.app.conftest import build_app_warehouse


def test_competition_rank_ties_share_and_skip():
    values = pd.Series([90.0, 88.0, 88.0, 80.0, None])
    assert competition_rank(values).tolist()[:4] == [1, 2, 2, 4]
    assert competition_rank(values).isna().tolist()[4]
    assert competition_rank(pd.Series([3.0, 1.0, 1.0]), higher_is_better=False).tolist() == [3, 1, 1]


def test_tiers_and_rank_change():
    assert quartile_tiers(pd.Series([10.0, 20.0, 30.0, 40.0, None])).tolist()[:4] == [4, 3, 2, 1]
    assert rank_change(pd.Series([5, None]), pd.Series([2, 1])).tolist()[0] == 3


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_app_warehouse(tmp_path_factory)


@pytest.mark.parametrize("mart", ["mart_index_period", "mart_index_derived"])
def test_mart_ranks_are_competition_ranks(warehouse, mart):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        published = "rank_is_published" if mart == "mart_index_period" else "false"
        df = con.execute(f"select *, {published} as published from {mart}").df()
    finally:
        con.close()
    assert len(df) and df["index_total"].notna().any()
    own = df[~df["published"].astype(bool)]
    expected = competition_rank_by(df, ["province_code", "period_type", "period"], "index_total")[own.index]
    assert (own["index_rank"].astype("Int64") == expected).fillna(own["index_rank"].isna()).all()
    national = competition_rank_by(df, ["period_type", "period"], "index_total")
    assert (df["national_rank"].astype("Int64") == national).fillna(df["national_rank"].isna()).all()
    if mart == "mart_index_period":
        change = rank_change(df["previous_index_rank"], df["index_rank"])
        assert (
            (df["index_rank_change"].astype("Int64") == change).fillna(df["index_rank_change"].isna()).all()
        )
