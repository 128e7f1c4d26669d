"""Chart builders as plain functions: titles, axis titles with units, traces, fixed colours."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

import charts
from charts import style
from metrics.definitions import GROUPS

MONTHS = pd.to_datetime(["2026-06-01", "2026-07-01", "2026-08-01"])


def title(fig: go.Figure) -> str:
    return fig.layout.title.text.replace("<br>", " ")


def test_trend_commune_median_target():
    df = pd.DataFrame({"month": MONTHS, "value": [0.4, 0.5, 0.55], "province_median": [0.45, 0.5, 0.5]})
    fig = charts.trend(df, "online_rate", "vi", target=0.6, unit_name="Xã Vân Bán")
    assert title(fig) == "Tỷ lệ hồ sơ trực tuyến"
    assert fig.layout.xaxis.title.text == "Tháng" and fig.layout.yaxis.title.text == "Tỷ lệ (%)"
    assert [t.name for t in fig.data] == ["Xã Vân Bán", "Trung vị tỉnh", "Mục tiêu"]
    assert fig.layout.yaxis.tickformat == ".0%" and fig.layout.separators == ",."
    assert fig.data[1].line.dash == "dash" and fig.data[2].line.dash == "dot"
    no_target = charts.trend(df.assign(value=[3.0, 2.5, 2.0]), "avg_processing_days", "en")
    assert len(no_target.data) == 2 and no_target.layout.yaxis.title.text == "Days"
    assert no_target.layout.separators == ".,"


def test_channel_mix_stacks_four_channels_in_their_colours():
    df = pd.DataFrame(
        {
            "month": MONTHS,
            "online_full_rate": [0.2] * 3,
            "online_partial_rate": [0.2] * 3,
            "in_person_rate": [0.55] * 3,
            "post_rate": [0.05] * 3,
        }
    )
    fig = charts.channel_mix(df, "en")
    assert title(fig) == "Dossiers by channel" and fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == [
        "Online, fully",
        "Online, partly",
        "In person",
        "Public postal service",
    ]
    assert [t.marker.color for t in fig.data] == [
        style.CHANNEL_COLOURS[c] for c in ("online_full", "online_partial", "in_person", "post")
    ]
    assert fig.layout.yaxis.title.text == "Share of dossiers (%)"


def test_on_time_and_processing_days():
    df = pd.DataFrame(
        {"month": MONTHS, "on_time_rate": [0.8, 0.85, 0.9], "avg_processing_days": [3.1, 2.5, 2.2]}
    )
    fig = charts.on_time_trend(df, "vi", target=0.9)
    assert len(fig.data) == 2 and fig.layout.yaxis.title.text == "Tỷ lệ (%)"
    days = charts.processing_days(df, "vi")
    assert len(days.data) == 1 and days.layout.yaxis.title.text == "Số ngày"
    assert title(days) == "Thời gian xử lý trung bình"


def test_group_scores_use_group_colours():
    df = pd.DataFrame(
        {
            "group": GROUPS,
            "score": [16, 18, 11, 6, 22, 17],
            "province_median": [15] * 6,
            "province_best": [18, 20, 12, 10, 22, 18],
            "best_commune": ["Xã A"] * 6,
            "max_score": [18, 20, 12, 10, 22, 18],
        }
    )
    fig = charts.group_scores(df, "vi", unit_name="Xã Vân Bán")
    assert len(fig.data) == 4 and fig.layout.xaxis.title.text == "Điểm"
    assert list(fig.data[1].marker.color) == [style.GROUP_COLOURS[g] for g in GROUPS]
    assert fig.data[1].y[0] == "CKMB (18)<br>Công khai, minh bạch"


def test_rank_history_and_bump_put_rank_one_on_top():
    df = pd.DataFrame(
        {
            "period": ["2026-07", "2026-08"],
            "period_start": pd.to_datetime(["2026-07-01", "2026-08-01"]),
            "index_rank": [16, 10],
            "communes_ranked": [148, 148],
            "commune_code": [8380, 8380],
            "commune_name": ["Xã Vân Bán"] * 2,
        }
    )
    fig = charts.rank_history(df, "en")
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # reversed
    assert (
        list(fig.layout.xaxis.ticktext) == ["07/2026", "08/2026"]
        and fig.layout.yaxis.title.text == "Rank"  # short: "Rank (1 = best" was clipped on a phone
    )
    assert fig.layout.yaxis.tickvals[0] == 1 and min(fig.layout.yaxis.tickvals) == 1  # no rank 0
    quarters = charts.rank_history(df.assign(period=["2026-Q2", "2026-Q3"]), "vi")
    assert list(quarters.data[0].x) == ["Quý 2/2026", "Quý 3/2026"]
    two = pd.concat([df, df.assign(commune_code=7900, commune_name="Phường Việt Trì", index_rank=[1, 2])])
    bump = charts.bump(two, "vi")
    assert len(bump.data) == 2 and bump.layout.yaxis.range[0] > bump.layout.yaxis.range[1]  # 1 on top
    assert min(bump.layout.yaxis.tickvals) == 1 and bump.layout.yaxis.range[1] > 0
    assert {t.name for t in bump.data} == {"Xã Vân Bán", "Phường Việt Trì"}


def test_movers_and_worst_groups():
    up = pd.DataFrame({"commune_code": [1, 2], "commune_name": ["Xã A", "Xã B"], "index_rank_change": [5, 3]})
    down = pd.DataFrame({"commune_code": [3], "commune_name": ["Xã C"], "index_rank_change": [-4]})
    fig = charts.movers(up, down, "vi")
    assert len(fig.data) == 2 and fig.layout.xaxis.title.text == "Số bậc"
    assert list(fig.data[0].customdata) == [2, 1]  # click opens the commune
    worst = charts.worst_groups(pd.DataFrame({"group": GROUPS, "communes": [1, 5, 0, 9, 2, 0]}), "en")
    assert len(worst.data) == 1 and worst.layout.xaxis.title.text == "Communes"


def test_score_histogram_one_trace_per_tier_in_tier_colours():
    df = pd.DataFrame({"index_total": [95, 90, 85, 80, 70], "tier": pd.array([1, 1, 2, 3, 4], dtype="Int64")})
    fig = charts.score_histogram(df, "vi", highlight=85, highlight_name="Xã Vân Bán")
    assert len(fig.data) == 4 and [t.marker.color for t in fig.data] == [
        style.TIER_COLOURS[i] for i in (1, 2, 3, 4)
    ]
    assert fig.layout.xaxis.title.text == "Điểm" and fig.layout.yaxis.title.text == "Số xã"


def test_province_bars_highlight_and_national_line():
    df = pd.DataFrame(
        {
            "province_code": [1, 25, 4],
            "province_name": ["Thành phố Hà Nội", "Phú Thọ", "Cao Bằng"],
            "online_rate": [0.6, 0.5, None],
        }
    )
    fig = charts.province_bars(df, "online_rate", "vi", highlight=25, national=0.55)
    assert len(fig.data) == 2 and len(fig.data[0].y) == 2  # no bar for missing data
    assert style.HIGHLIGHT in list(fig.data[0].marker.color)
    assert fig.layout.xaxis.title.text == "Tỷ lệ (%)" and fig.layout.xaxis.tickformat == ".0%"


def test_signature_bars_and_grid():
    df = pd.DataFrame(
        {"commune_code": [1, 2], "commune_name": ["Xã A", "Xã B"], "signature_rate": [1.0, 0.8]}
    )
    fig = charts.signature_bars(df, "en", highlight=2)
    assert len(fig.data) == 2 and list(fig.data[0].x) == ["Xã B", "Xã A"]
    assert fig.layout.yaxis.title.text == "Share (%)" and fig.layout.yaxis.range[0] == 0  # from 0
    many = pd.DataFrame(
        {
            "commune_code": range(148),
            "commune_name": [f"Xã {i}" for i in range(148)],
            "signature_rate": [1.0] * 100 + [0.58 + i / 200 for i in range(48)],
        }
    )
    banded = charts.signature_bars(many, "vi", highlight=120)
    assert (
        list(banded.data[0].x)[-1] == "100%" and banded.data[0].y[-1] == 100 and sum(banded.data[0].y) == 148
    )
    assert (
        banded.data[0].marker.color[list(banded.data[0].x).index("60%–<70%")] == style.HIGHLIGHT
    )  # 0.58 + 20/200 = 68%
    grid = pd.DataFrame(
        {
            "commune_code": [1, 1, 2, 2],
            "commune_name": ["Xã A", "Xã A", "Xã B", "Xã B"],
            "month": pd.to_datetime(["2026-07-01", "2026-08-01"] * 2),
            "signature_rate": [1.0, 1.0, 0.5, None],
        }
    )
    heat = charts.signature_grid(grid, "vi", highlight=1)
    assert len(heat.data) == 1 and list(heat.data[0].x) == ["07/2026", "08/2026"]
    assert heat.data[0].y[0] == "Xã B" and "Xã A" in heat.data[0].y[1]  # lowest first, A marked


def test_procedures_bar_cuts_long_names():
    df = pd.DataFrame(
        {
            "procedure_code": ["2.000815"],
            "procedure_name": [
                "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền cấp"
            ],
            "dossiers_received": [25],
        }
    )
    fig = charts.procedures_bar(df, "dossiers_received", "vi", "Thủ tục có nhiều hồ sơ nhất")
    lines = fig.data[0].y[0].split("<br>")  # the whole name, on lines of at most 30 characters
    assert " ".join(lines) == df["procedure_name"][0] and all(len(x) <= 30 for x in lines)
    assert "2.000815" not in fig.data[0].y[0] and "2.000815" in fig.data[0].customdata[0]
    assert fig.layout.xaxis.title.text == "Số hồ sơ"
    assert fig.layout.xaxis.tickformat == ",d"  # counts: whole ticks only
    longer = charts.procedures_bar(
        df.assign(procedure_name=df["procedure_name"] * 2), "dossiers_received", "vi", "T"
    )
    assert longer.data[0].y[0].endswith("…") and longer.data[0].y[0].count("<br>") == 2
    few = charts.procedures_bar(df.assign(dossiers_received=[2]), "dossiers_received", "vi", "T")
    assert few.layout.xaxis.dtick == 1


def test_movers_use_one_minus_sign():
    up = pd.DataFrame({"commune_code": [1], "commune_name": ["Xã A"], "index_rank_change": [5]})
    down = pd.DataFrame({"commune_code": [3], "commune_name": ["Xã C"], "index_rank_change": [-127]})
    fig = charts.movers(up, down, "vi")
    assert list(fig.data[0].text) == ["+5"] and list(fig.data[1].text) == ["\u2212127"]
    assert "-" not in "".join(fig.data[1].text)


@pytest.mark.parametrize("text", ["Tỷ lệ ký số theo xã và tháng " * 3])
def test_long_titles_wrap_for_phones(text):
    assert all(len(line) <= style.TITLE_WIDTH for line in style.wrap(text).split("<br>"))
