"""Digital-skills and what-it-takes figure builders: titles, axis titles with units, traces, colours."""

from __future__ import annotations

import pandas as pd
import pytest

from charts import skills as sc
from charts import style
from charts.index_levers import points_lost

MONTHS = pd.to_datetime(["2025-08-01", "2025-09-01", "2025-10-01"])


def title(fig) -> str:
    return fig.layout.title.text.replace("<br>", " ")


def ranking_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "commune_code": [1, 2, 3, 4],
            "commune_name": ["Xã A", "Xã B", "Xã C", "Xã D"],
            "adults_certified_share": [0.7, 0.2, None, 0.45],
            "team_members_per_1000": [6.0, 8.5, 2.0, None],
        }
    )


def test_ranking_bars_share_lowest_first_with_target_and_highlight():
    fig = sc.ranking_bars(ranking_frame(), "adults_certified_share", "vi", "Phú Thọ", highlight=4, target=0.6)
    assert title(fig) == "Các xã của Phú Thọ"
    assert fig.layout.title.subtitle.text == "Tỷ lệ người trưởng thành được cấp chứng nhận"
    assert fig.layout.xaxis.title.text == "Các xã, xếp từ thấp đến cao"
    assert fig.layout.yaxis.title.text == "Tỷ lệ (%)" and fig.layout.yaxis.tickformat == ".0%"
    bars, target = fig.data
    assert list(bars.x) == ["Xã B", "Xã D", "Xã A"]  # no value (Xã C) is left out
    assert list(bars.marker.color) == [
        sc.METRIC_COLOURS["adults_certified_share"],
        style.HIGHLIGHT,
        sc.METRIC_COLOURS["adults_certified_share"],
    ]
    assert target.name == "Mục tiêu" and list(target.y) == [0.6, 0.6] and target.line.dash == "dot"
    assert fig.layout.yaxis.range[1] >= 0.7 and fig.layout.separators == ",."


def test_ranking_bars_per_1000_has_its_unit_and_no_target():
    fig = sc.ranking_bars(ranking_frame(), "team_members_per_1000", "en", "Phú Thọ")
    assert (
        title(fig) == "Communes of Phú Thọ"
        and fig.layout.title.subtitle.text == "Team members per 1,000 people"
    )
    assert (
        fig.layout.yaxis.title.text == "People per 1,000 population" and fig.layout.yaxis.tickformat is None
    )
    assert len(fig.data) == 1 and fig.layout.showlegend is False and fig.layout.separators == ".,"


def test_ranking_bars_become_bands_when_many_communes():
    """60 communes: not 60 unnamed bars but the communes per band, the chosen one's band marked."""
    df = pd.DataFrame(
        {
            "commune_code": range(60),
            "commune_name": [f"Xã {i}" for i in range(60)],
            "vneid_activation_share": [i / 59 for i in range(60)],
        }
    )
    fig = sc.ranking_bars(df, "vneid_activation_share", "en", highlight=42)  # 42/59 = 71%
    x = list(fig.data[0].x)
    assert x[:2] == ["0%–<10%", "10%–<20%"] and x[-1] == "100%" and fig.data[0].y[-1] == 1
    assert sum(fig.data[0].y) == 60 and fig.data[0].marker.color[x.index("70%–<80%")] == style.HIGHLIGHT
    assert fig.layout.annotations[0].text == "▼" and fig.layout.title.subtitle.text.endswith("▼ Xã 42")
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.tickformat == ",d"
    low = sc.ranking_bars(
        df.assign(vneid_activation_share=df["vneid_activation_share"] * 0.19), "vneid_activation_share", "en"
    )  # all under 20%: finer bands
    assert list(low.data[0].x)[0] == "0%–<2.5%" and list(low.data[0].x)[-1] == "17.5%–<20%"
    assert sum(low.data[0].y) == 60
    few = sc.ranking_bars(df.head(12), "vneid_activation_share", "en")
    assert list(few.data[0].x)[0] == "Xã 0" and few.layout.xaxis.showticklabels is not False


def test_shares_trend_three_shares_and_target():
    df = pd.DataFrame(
        {
            "month": MONTHS,
            "adults_certified_share": [0.1, 0.2, 0.3],
            "vneid_activation_share": [0.5, 0.55, 0.6],
            "villages_with_team_share": [0.8, 1.0, 1.0],
        }
    )
    fig = sc.shares_trend(df, "en", target=0.6)
    assert title(fig) == "Certificates, VNeID, digital teams"
    assert [t.name for t in fig.data] == [
        "Adults certified",
        "Level-2 VNeID activation (of adults)",
        "Villages with a digital team",
        "Target",
    ]
    assert fig.layout.xaxis.title.text == "Month" and fig.layout.yaxis.title.text == "Share (%)"
    assert fig.layout.yaxis.tickformat == ".0%" and list(fig.layout.xaxis.ticktext) == [
        "08/2025",
        "09/2025",
        "10/2025",
    ]


def test_training_trend_sessions_bars_and_attendances_on_second_axis():
    df = pd.DataFrame(
        {"month": MONTHS, "training_sessions": [0, 4, 2], "training_participants": [0, 240, 95]}
    )
    fig = sc.training_trend(df, "vi")
    assert title(fig) == "Tập huấn theo tháng"
    assert [t.type for t in fig.data] == ["bar", "scatter"] and fig.data[1].yaxis == "y2"
    assert fig.layout.yaxis.title.text == "Số buổi" and fig.layout.yaxis2.title.text == "Lượt tham dự"
    assert list(fig.data[0].y) == [0, 4, 2]


def test_sessions_timeline_counts_sessions_per_day():
    df = pd.DataFrame(
        {
            "training_on": pd.to_datetime(["2025-09-29", "2025-09-29", "2025-10-02"]),
            "participants": [40, 35, 60],
        }
    )
    fig = sc.sessions_timeline(
        df, "en", unit_name="Xã Vân Bán", start=pd.Timestamp("2025-09-01"), end=pd.Timestamp("2025-10-31")
    )
    assert title(fig) == "Training sessions by day"
    assert fig.layout.xaxis.title.text == "Date" and fig.layout.yaxis.title.text == "Sessions"
    assert list(fig.data[0].y) == [2, 1] and list(fig.data[0].customdata) == [75, 60]
    assert fig.layout.title.subtitle.text == "Xã Vân Bán" and fig.layout.yaxis.dtick == 1
    assert pd.Timestamp(fig.layout.xaxis.range[0]) < pd.Timestamp("2025-09-01")  # the whole period shown


def test_points_lost_stacks_recoverable_and_other_in_group_colours():
    df = pd.DataFrame(
        {
            "group_code": ["CKMB", "TDGQ", "MDSH"],
            "points_gain": [None, 2.06, 0.0],
            "points_other": [0.78, 0.0, 0.0],
        }
    )
    fig = points_lost(df, "en")
    assert title(fig) == "Points lost and the part recoverable"
    assert fig.layout.barmode == "stack" and fig.layout.xaxis.title.text == "Points"
    gain, other = fig.data
    assert gain.name == "Recoverable through dossiers" and other.name == "In indicators outside the dossiers"
    assert list(gain.x) == pytest.approx([0.0, 2.06, 0.0]) and list(other.x) == pytest.approx(
        [0.78, 0.0, 0.0]
    )
    assert list(gain.marker.color) == [style.GROUP_COLOURS[g] for g in ("CKMB", "TDGQ", "MDSH")]
    assert gain.y[0].startswith("CKMB (18)")
