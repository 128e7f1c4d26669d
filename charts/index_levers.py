"""'What it takes' figure: per index group, the points lost, split into the part the dossiers can
recover and the part that lies in indicators the dossiers do not show.  Group colours as everywhere."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.builders import group_label
from metrics.i18n import t


def points_lost(df: pd.DataFrame, lang: str) -> go.Figure:
    """Horizontal stacked bars per group: recoverable points (solid, group colour) and the rest (hatched).
    `df`: group_code, points_gain, points_other (WhatItTakes.to_frame rows; NaN counts as 0)."""
    groups = list(df["group_code"])
    labels = [group_label(g, lang) for g in groups]
    gain = df["points_gain"].astype("float64").fillna(0.0)
    other = df["points_other"].astype("float64").fillna(0.0)
    colours = [style.GROUP_COLOURS.get(g, style.MAIN) for g in groups]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=gain,
            orientation="h",
            name=t("wit_recoverable", lang),
            marker={"color": colours},
            texttemplate="%{x:.2f}",
            textposition="inside",
            hovertemplate="%{y}: %{x:.2f}<extra>" + t("wit_recoverable", lang) + "</extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=other,
            orientation="h",
            name=t("wit_other", lang),
            marker={
                "color": "rgba(0,0,0,0)",
                "line": {"color": colours, "width": [2 if v > 0 else 0 for v in other]},
                "pattern": {"shape": "/", "fgcolor": colours, "size": 6},
            },
            hovertemplate="%{y}: %{x:.2f}<extra>" + t("wit_other", lang) + "</extra>",
        )
    )
    style.layout(fig, lang, t("chart_points_lost", lang), t("axis_points", lang), None, height=400)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", type="category")
    top = float((gain + other).max()) if len(df) else 1.0
    fig.update_xaxes(range=[0, max(top, 0.5) * 1.1], rangemode="tozero")
    return fig
