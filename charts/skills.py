"""Digital-skills figures (Bình dân học vụ số): ranking of a province's communes on one metric, a
commune's monthly trend, and the training sessions by day.  Plain functions, no Streamlit.

Shares are fractions 0..1 drawn as percentages; per-1,000 and per-month figures as numbers with
their unit on the axis.  Every figure has a title and axis titles with units.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import distribution, style
from metrics.i18n import t
from metrics.skills import SHARE_METRICS

# One colour per metric on every skills figure (Okabe–Ito), and the axis title of the non-share metrics.
METRIC_COLOURS = {
    "adults_certified_share": "#0072B2",
    "vneid_activation_share": "#009E73",
    "villages_with_team_share": "#E69F00",
    "adults_trained_share": "#CC79A7",
    "team_members_per_1000": "#56B4E9",
    "sessions_per_month": "#D55E00",
    "participants_per_month": "#D55E00",
}
AXIS_KEYS = {
    "team_members_per_1000": "axis_per_1000",
    "sessions_per_month": "axis_per_month",
    "participants_per_month": "axis_per_month",
    "adults_trained_share": "axis_attendances_per_adult",
}
DAY_MS = 86_400_000  # one day in plotly's date-axis units (milliseconds)
MAX_NAMED = distribution.MAX_NAMED  # one named bar per commune up to this many; above: bands


def is_share(metric: str) -> bool:
    return metric in SHARE_METRICS


def _axis_title(metric: str, lang: str) -> str:
    return t(AXIS_KEYS.get(metric, "axis_percent"), lang)


def ranking_bars(
    df: pd.DataFrame,
    metric: str,
    lang: str,
    province_name: str = "",
    highlight: int | None = None,
    target: float | None = None,
) -> go.Figure:
    """Communes of a province on one skills metric, lowest to highest, the chosen commune highlighted,
    the target (certified share) dotted.  `df`: commune_code, commune_name, <metric>."""
    data = df.dropna(subset=[metric]).sort_values([metric, "commune_name"])
    share = is_share(metric)
    title = t("chart_skills_ranking", lang).format(province=province_name)
    if len(data) > MAX_NAMED:  # too many to name: communes per band of the figure
        return distribution.bands(
            data,
            metric,
            lang,
            title,
            _axis_title(metric, lang),
            share=share,
            colour=METRIC_COLOURS.get(metric, style.MAIN),
            highlight=highlight,
            subtitle=t("skills_" + metric, lang),
        )
    fmt = ".1%" if share else ",.1f"
    colours = [
        style.HIGHLIGHT if code == highlight else METRIC_COLOURS.get(metric, style.MAIN)
        for code in data["commune_code"]
    ]
    fig = go.Figure(
        go.Bar(
            x=data["commune_name"],
            y=data[metric],
            marker_color=colours,
            customdata=data["commune_code"],
            name=t("skills_" + metric, lang),
            hovertemplate="%{x}: %{y:" + fmt + "}<extra></extra>",
        )
    )
    if target is not None and len(data):
        fig.add_trace(
            go.Scatter(
                x=[data["commune_name"].iloc[0], data["commune_name"].iloc[-1]],
                y=[target, target],
                mode="lines",
                name=t("target", lang),
                line={"color": style.TARGET, "dash": "dot", "width": 2},
                hoverinfo="skip",
            )
        )
    style.layout(
        fig,
        lang,
        title,
        t("axis_communes_sorted", lang),
        _axis_title(metric, lang),
        height=400,
        subtitle=t("skills_" + metric, lang),
        legend=target is not None,
    )
    fig.update_xaxes(type="category", tickangle=-60)
    if share:
        top = float(data[metric].max()) if len(data) else 1.0
        fig.update_yaxes(
            tickformat=".0%",
            hoverformat=".1%",
            range=[0, max(top, target or 0.0, 0.05) * 1.08],
            rangemode="tozero",
        )
    else:
        fig.update_yaxes(rangemode="tozero", hoverformat=",.1f")
    return fig


def shares_trend(df: pd.DataFrame, lang: str, target: float | None = None) -> go.Figure:
    """A commune's certified share, VNeID activation share and villages with a team, by month, with the
    certification target.  `df`: month and those three shares (commune_trend rows)."""
    fig = go.Figure()
    for metric in ("adults_certified_share", "vneid_activation_share", "villages_with_team_share"):
        fig.add_trace(
            go.Scatter(
                x=df["month"],
                y=df[metric],
                mode="lines+markers",
                name=t("skills_" + metric, lang),
                line={"color": METRIC_COLOURS[metric], "width": 3},
                hovertemplate="%{x|%m/%Y}: %{y:.1%}<extra>%{fullData.name}</extra>",
            )
        )
    if target is not None and len(df):
        fig.add_trace(
            go.Scatter(
                x=[df["month"].min(), df["month"].max()],
                y=[target, target],
                mode="lines",
                name=t("target", lang),
                line={"color": style.TARGET, "dash": "dot", "width": 2},
                hoverinfo="skip",
            )
        )
    style.layout(
        fig, lang, t("chart_skills_shares", lang), t("axis_month", lang), t("axis_percent", lang), height=400
    )
    style.month_axis(fig)
    fig.update_yaxes(tickformat=".0%", hoverformat=".1%", range=[0, 1.05])
    return fig


def training_trend(df: pd.DataFrame, lang: str) -> go.Figure:
    """A commune's training sessions (bars, left axis) and attendances (line, right axis) by month.
    `df`: month, training_sessions, training_participants."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=df["month"],
            y=df["training_sessions"],
            name=t("skills_training_sessions", lang),
            marker_color=METRIC_COLOURS["sessions_per_month"],
            hovertemplate="%{x|%m/%Y}: %{y:,}<extra>%{fullData.name}</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=df["month"],
            y=df["training_participants"],
            mode="lines+markers",
            yaxis="y2",
            name=t("skills_training_participants", lang),
            line={"color": style.MAIN, "width": 3},
            hovertemplate="%{x|%m/%Y}: %{y:,}<extra>%{fullData.name}</extra>",
        )
    )
    style.layout(
        fig,
        lang,
        t("chart_skills_training", lang),
        t("axis_month", lang),
        t("axis_sessions", lang),
        height=400,
    )
    fig.update_layout(
        yaxis2={
            "title": {"text": t("axis_attendances", lang)},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "automargin": True,
            "tickmode": "auto",
            "tickformat": ",d",
        }
    )
    fig.update_yaxes(rangemode="tozero", selector={"anchor": "x"})
    style.count_axis(fig, df["training_sessions"].max(), axis="y", selector={"anchor": "x"})
    style.month_axis(fig)
    return fig


def sessions_timeline(
    df: pd.DataFrame, lang: str, unit_name: str | None = None, start=None, end=None
) -> go.Figure:
    """Training sessions per day (bars), with the day's attendances in the hover; the x axis spans
    `start`..`end` (the period's first and last day) when given, so one session is one day wide.
    `df`: one row per session (sessions_calendar): training_on, participants."""
    days = (
        df.assign(day=pd.to_datetime(df["training_on"]).dt.normalize())
        .groupby("day", as_index=False)
        .agg(sessions=("participants", "size"), participants=("participants", "sum"))
    )
    hover = (
        "%{x|%d/%m/%Y}: %{y} "
        + t("axis_sessions", lang).lower()
        + ", %{customdata:,} "
        + t("axis_attendances", lang).lower()
        + "<extra></extra>"
    )
    fig = go.Figure(
        go.Bar(
            x=days["day"],
            y=days["sessions"],
            customdata=days["participants"],
            width=DAY_MS * 0.8,
            marker_color=METRIC_COLOURS["sessions_per_month"],
            name=t("axis_sessions", lang),
            hovertemplate=hover,
        )
    )
    style.layout(
        fig,
        lang,
        t("chart_sessions_timeline", lang),
        t("axis_date", lang),
        t("axis_sessions", lang),
        subtitle=unit_name,
        height=320,
        legend=False,
    )
    fig.update_xaxes(type="date", tickformat="%d/%m", hoverformat="%d/%m/%Y")
    if start is not None and end is not None:
        half = pd.Timedelta(hours=12)
        fig.update_xaxes(range=[pd.Timestamp(start) - half, pd.Timestamp(end) + half])
    top = int(days["sessions"].max()) if len(days) else 1
    fig.update_yaxes(rangemode="tozero", tickformat=",d", dtick=1 if top <= 8 else None)
    return fig
