"""Every chart with months on its x axis labels exactly the months of its data, whatever the
machine's time zone (issue: a 07–10/2025 channel-mix chart read 07/2025, 07/2025, 08/2025, 09/2025,
plotly's automatic date ticks falling between the bars)."""

from __future__ import annotations

import itertools
import time

import pandas as pd
import pytest

import charts
from charts import skills as skill_charts
from charts import style

MONTHS = ["2025-07-01", "2025-08-01", "2025-09-01", "2025-10-01"]
LABELS = ["07/2025", "08/2025", "09/2025", "10/2025"]


def month_frames(kind: str) -> pd.Series:
    """The same four months as dates, naive timestamps, Hanoi-time timestamps and period strings."""
    naive = pd.to_datetime(pd.Series(MONTHS))
    return {
        "date": naive.dt.date,
        "naive": naive,
        "hanoi": naive.dt.tz_localize("Asia/Ho_Chi_Minh"),
        "utc": naive.dt.tz_localize("UTC"),
    }[kind]


def builders(month: pd.Series):
    n = len(month)
    rates = {f"{c}_rate": [0.25] * n for c in ("in_person", "online_partial", "online_full", "post")}
    filings = pd.DataFrame(
        {"month": month, "on_time_rate": [0.9] * n, "avg_processing_days": [3.0] * n, **rates}
    )
    ranks = pd.DataFrame(
        {
            "period": ["2025-07", "2025-08", "2025-09", "2025-10"],
            "period_start": month,
            "index_rank": [3, 2, 2, 1],
            "communes_ranked": [10] * n,
            "commune_code": ["01"] * n,
            "commune_name": ["Xã A"] * n,
        }
    )
    yield (
        "trend",
        charts.trend(
            pd.DataFrame({"month": month, "value": [0.5] * n, "province_median": [0.4] * n}),
            "online_rate",
            "vi",
            target=0.6,
        ),
    )
    yield "on_time_trend", charts.on_time_trend(filings, "vi", 0.9)
    yield "processing_days", charts.processing_days(filings, "vi")
    yield "channel_mix", charts.channel_mix(filings, "vi")
    yield "rank_history", charts.rank_history(ranks, "vi")
    yield "bump", charts.bump(ranks, "vi")
    yield (
        "shares_trend",
        skill_charts.shares_trend(
            pd.DataFrame(
                {
                    "month": month,
                    "adults_certified_share": [0.5] * n,
                    "vneid_activation_share": [0.5] * n,
                    "villages_with_team_share": [0.5] * n,
                }
            ),
            "vi",
            target=0.8,
        ),
    )
    yield (
        "training_trend",
        skill_charts.training_trend(
            pd.DataFrame(
                {"month": month, "training_sessions": [1, 2, 3, 4], "training_participants": [10] * n}
            ),
            "vi",
        ),
    )


@pytest.fixture(params=["UTC", "Asia/Ho_Chi_Minh"])
def zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("kind", ["date", "naive", "hanoi", "utc"])
def test_month_ticks_are_the_data_months(zone, kind):
    seen = []
    for name, fig in builders(month_frames(kind)):
        seen.append(name)
        axis = fig.layout.xaxis
        assert axis.type == "date" and axis.tickmode == "array", name
        assert list(axis.ticktext) == LABELS, (name, zone, kind, axis.ticktext)
        assert list(axis.tickvals) == MONTHS, (name, zone, kind)
        for trace in fig.data:  # every point sits on its own month's first day
            assert set(trace.x) <= set(MONTHS), (name, trace.name, trace.x)
        assert fig.data[0].x[-1] == MONTHS[-1], name  # the last bar/point is October, labelled 10/2025
    assert len(seen) == 8


def test_long_series_label_every_other_month_and_always_the_latest():
    months = pd.date_range("2024-01-01", periods=22, freq="MS")
    fig = charts.on_time_trend(pd.DataFrame({"month": months, "on_time_rate": [0.9] * 22}), "en")
    ticks = list(fig.layout.xaxis.tickvals)
    assert len(ticks) <= style.MAX_MONTH_TICKS and ticks[-1] == "2025-10-01"
    assert list(fig.layout.xaxis.ticktext) == [f"{v[5:7]}/{v[:4]}" for v in ticks]
    assert all(v in {m.strftime("%Y-%m-%d") for m in months} for v in ticks)


def test_a_third_of_the_page_wide_trend_keeps_few_level_labels():
    """The commune profile draws three trends side by side: 16 months labelled every month were set
    upright, cut at the bottom and pushed the axis title into the legend (1366 px).  At most
    `COMPACT_MONTH_TICKS` labels, a whole number of quarters or half-years apart, level, the latest
    month always labelled; a wide chart of the same months keeps its denser labels."""
    months = pd.date_range("2025-07-01", periods=16, freq="MS")
    df = pd.DataFrame({"month": months, "value": [0.5] * 16, "province_median": [0.4] * 16})
    axis = charts.trend(df, "online_rate", "vi", target=0.6).layout.xaxis
    ticks = list(axis.tickvals)
    assert 2 <= len(ticks) <= style.COMPACT_MONTH_TICKS and ticks[-1] == "2026-10-01"
    steps = {(int(b[:4]) - int(a[:4])) * 12 + int(b[5:7]) - int(a[5:7]) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and steps <= {3, 6, 12}
    assert axis.tickangle == 0
    assert list(axis.ticktext) == [f"{v[5:7]}/{v[:4]}" for v in ticks]
    wide = charts.on_time_trend(
        pd.DataFrame({"month": months, "on_time_rate": [0.9] * 16}), "vi"
    ).layout.xaxis
    assert len(wide.tickvals) == 8 and wide.tickangle is None
