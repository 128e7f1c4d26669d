"""Figure builders.  Each takes the DataFrame a metrics function returned and the language."""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from charts import distribution, style
from core.catalogue import fmt
from core.periods import parse_period
from metrics.definitions import GROUP_MAXIMA
from metrics.i18n import t


def _is_pct(metric: str) -> bool:
    """Whether the catalogue writes `metric` as a percentage (core/catalogue.py)."""
    return fmt(metric) == "pct"


def _percent_axis(fig: go.Figure, axis: str = "y", full: bool = True) -> None:
    opts = {"tickformat": ".0%", "hoverformat": ".1%"}
    if full:
        opts["range"] = [0, 1.05]
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(**opts)


def _is_month_key(key: str) -> bool:
    p = parse_period(key)
    return p is not None and p.period_type == "month"


def _period_label(key: str, lang: str) -> str:
    p = parse_period(key)
    return p.label(lang) if p else key


def group_label(group: str, lang: str) -> str:
    """'CKMB (18)<br>Công khai, minh bạch': code and maximum, the name on a second line (fits a phone)."""
    return f"{group} ({GROUP_MAXIMA[group]:g})<br>{t('group_' + group.lower(), lang)}"


# ------------------------------------------------------------------------------------------ trends


def trend(
    df: pd.DataFrame, metric: str, lang: str, target: float | None = None, unit_name: str | None = None
) -> go.Figure:
    """One metric by month for a commune (solid), the province median (dashed) and the target (dotted).
    `df`: month, value, province_median (commune_trend rows of one metric)."""
    pct = _is_pct(metric)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=df["month"],
            y=df["value"],
            mode="lines+markers",
            name=unit_name or t("this_commune", lang),
            line={"color": style.MAIN, "width": 3},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=df["month"],
            y=df["province_median"],
            mode="lines",
            name=t("province_median", lang),
            line={"color": style.MEDIAN, "dash": "dash", "width": 2},
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
        fig,
        lang,
        t("m_" + metric, lang),
        t("axis_month", lang),
        t("axis_percent", lang) if pct else t("axis_days", lang),
        height=320,
    )
    style.month_axis(fig, style.COMPACT_MONTH_TICKS)  # (drawn a third of the page wide)
    if pct:
        _percent_axis(fig)
    else:
        fig.update_yaxes(rangemode="tozero", hoverformat=".1f")
    return fig


def on_time_trend(df: pd.DataFrame, lang: str, target: float | None = None) -> go.Figure:
    """On-time share by month (`df`: month, on_time_rate), with the target."""
    fig = go.Figure(
        go.Scatter(
            x=df["month"],
            y=df["on_time_rate"],
            mode="lines+markers",
            name=t("m_on_time_rate", lang),
            line={"color": style.MAIN, "width": 3},
        )
    )
    if target is not None and len(df):
        fig.add_trace(
            go.Scatter(
                x=[df["month"].min(), df["month"].max()],
                y=[target, target],
                mode="lines",
                name=t("target", lang),
                line={"color": style.TARGET, "dash": "dot"},
                hoverinfo="skip",
            )
        )
    style.layout(
        fig, lang, t("chart_on_time", lang), t("axis_month", lang), t("axis_percent", lang), height=320
    )
    style.month_axis(fig)
    _percent_axis(fig)
    return fig


def processing_days(df: pd.DataFrame, lang: str) -> go.Figure:
    """Average processing days by month (`df`: month, avg_processing_days)."""
    fig = go.Figure(
        go.Bar(
            x=df["month"],
            y=df["avg_processing_days"],
            name=t("m_avg_processing_days", lang),
            marker_color=style.MAIN,
            hovertemplate="%{x|%m/%Y}: %{y:.1f}<extra></extra>",
        )
    )
    style.layout(
        fig,
        lang,
        t("chart_processing_days", lang),
        t("axis_month", lang),
        t("axis_days", lang),
        height=320,
        legend=False,
    )
    style.month_axis(fig)
    return fig


def channel_mix(df: pd.DataFrame, lang: str) -> go.Figure:
    """Share of dossiers by channel per month, stacked to 100% (`df`: month and the four channel rates)."""
    fig = go.Figure()
    for channel in ("online_full", "online_partial", "in_person", "post"):
        fig.add_trace(
            go.Bar(
                x=df["month"],
                y=df[f"{channel}_rate"],
                name=t("channel_" + channel, lang),
                marker_color=style.CHANNEL_COLOURS[channel],
                hovertemplate="%{x|%m/%Y}: %{y:.1%}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.15)
    style.layout(
        fig, lang, t("chart_channel_mix", lang), t("axis_month", lang), t("axis_share", lang), height=360
    )
    style.month_axis(fig)
    _percent_axis(fig)
    return fig


# ------------------------------------------------------------------------------------------ ranks


def rank_history(df: pd.DataFrame, lang: str) -> go.Figure:
    """Rank within the province by period (`df`: period, index_rank, communes_ranked); 1 at the top."""
    monthly = len(df) > 0 and _is_month_key(df["period"].iloc[0])
    labels = df["period_start"] if monthly else [_period_label(k, lang) for k in df["period"]]
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=df["index_rank"],
            mode="lines+markers+text",
            text=df["index_rank"],
            textposition="top center",
            customdata=df["communes_ranked"],
            line={"color": style.MAIN, "width": 3},
            name=t("col_index_rank", lang),
            hovertemplate="%{x}: "
            + t("rank_of", lang).format(rank="%{y}", total="%{customdata}")
            + "<extra></extra>",
        )
    )
    style.layout(
        fig,
        lang,
        t("chart_rank_history", lang),
        t("axis_period", lang),
        t("axis_rank", lang),
        height=320,
        legend=False,
    )
    top = int(df["communes_ranked"].max()) if len(df) and df["communes_ranked"].notna().any() else 1
    # 1 at the top, the province's last rank at the bottom, room above for the labels.
    style.rank_axis(fig, top, room=max(2.0, top * 0.12))
    if monthly:
        style.month_axis(fig)
    else:
        fig.update_xaxes(type="category")
    return fig


def bump(df: pd.DataFrame, lang: str) -> go.Figure:
    """Rank history of several communes (`df`: period, commune_code, commune_name, index_rank)."""
    fig = go.Figure()
    periods = list(dict.fromkeys(df.sort_values("period_start")["period"])) if len(df) else []
    monthly = bool(periods) and _is_month_key(periods[0])
    labels = {k: _period_label(k, lang) for k in periods}
    for i, (code, rows) in enumerate(df.groupby("commune_code", sort=False)):
        rows = rows.sort_values("period_start")
        name = rows["commune_name"].iloc[0]
        fig.add_trace(
            go.Scatter(
                x=rows["period_start"] if monthly else [labels[k] for k in rows["period"]],
                y=rows["index_rank"],
                mode="lines+markers",
                name=name,
                customdata=[code] * len(rows),
                line={"width": 3, "color": style.LINES[i % len(style.LINES)]},
                marker={"size": 8},
                hovertemplate=f"{name}<br>%{{x}}: " + t("col_index_rank", lang) + " %{y}<extra></extra>",
            )
        )
    style.layout(fig, lang, t("chart_bump", lang), t("axis_period", lang), t("axis_rank", lang), height=420)
    style.rank_axis(fig, int(df["index_rank"].max()) if len(df) and df["index_rank"].notna().any() else 1)
    if monthly:
        style.month_axis(fig)
    else:
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=[labels[k] for k in periods])
    return fig


def movers(up: pd.DataFrame, down: pd.DataFrame, lang: str) -> go.Figure:
    """Biggest moves in rank: places gained (right) and lost (left) (`index_rank_change`, commune_name)."""
    fig = go.Figure()
    for frame, name, colour in (
        (up, t("moved_up", lang), style.UP),
        (down, t("moved_down", lang), style.DOWN),
    ):
        frame = frame.iloc[::-1]
        fig.add_trace(
            go.Bar(
                y=frame["commune_name"],
                x=frame["index_rank_change"].astype("float"),
                orientation="h",
                name=name,
                marker_color=colour,
                customdata=frame["commune_code"],
                text=[style.signed_int(v) for v in frame["index_rank_change"]],
                texttemplate="%{text}",
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        )
    style.layout(
        fig,
        lang,
        t("chart_movers", lang),
        t("axis_places", lang),
        None,
        height=160 + 26 * (len(up) + len(down)),
    )
    fig.update_layout(barmode="relative")
    reach = max(
        [1.0, *up["index_rank_change"].abs().astype(float), *down["index_rank_change"].abs().astype(float)]
    )
    fig.update_xaxes(
        range=[-reach * 1.45 if len(down) else -reach * 0.1, reach * 1.45 if len(up) else reach * 0.1],
        zeroline=True,
        zerolinecolor="#888888",
    )
    fig.update_yaxes(type="category")
    return fig


# ------------------------------------------------------------------------------------------ index


def group_scores(df: pd.DataFrame, lang: str, unit_name: str | None = None) -> go.Figure:
    """The commune's six group scores (bars in the group colours, on a light bar of the maximum) with
    the province median (diamond) and best (star).  `df`: group, score, province_median,
    province_best, best_commune, max_score."""
    labels = [group_label(g, lang) for g in df["group"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=df["max_score"],
            orientation="h",
            name=t("max_score", lang),
            marker={"color": "rgba(0,0,0,0.06)", "line": {"color": "#BBBBBB", "width": 1}},
            hovertemplate="%{y}: %{x:.0f}<extra>" + t("max_score", lang) + "</extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=df["score"],
            orientation="h",
            name=unit_name or t("this_commune", lang),
            marker_color=[style.GROUP_COLOURS[g] for g in df["group"]],
            width=0.5,
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=df["province_median"],
            mode="markers",
            name=t("province_median", lang),
            marker={
                "symbol": "diamond",
                "size": 12,
                "color": style.MEDIAN,
                "line": {"color": "white", "width": 1},
            },
            hovertemplate="%{y}: %{x:.2f}<extra>" + t("province_median", lang) + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=df["province_best"],
            mode="markers",
            name=t("province_best", lang),
            customdata=df["best_commune"],
            marker={
                "symbol": "star",
                "size": 14,
                "color": style.TARGET,
                "line": {"color": "white", "width": 1},
            },
            hovertemplate="%{y}: %{x:.2f} (%{customdata})<extra>" + t("province_best", lang) + "</extra>",
        )
    )
    fig.update_layout(barmode="overlay")
    style.layout(fig, lang, t("chart_group_scores", lang), t("axis_points", lang), None, height=400)
    fig.update_yaxes(autorange="reversed")
    return fig


def score_histogram(
    df: pd.DataFrame, lang: str, highlight: float | None = None, highlight_name: str | None = None
) -> go.Figure:
    """Distribution of total scores in the province, stacked by quartile tier (`df`: index_total, tier)."""
    fig = go.Figure()
    valid = df.dropna(subset=["index_total"])
    lo = float(valid["index_total"].min()) if len(valid) else 0.0
    hi = float(valid["index_total"].max()) if len(valid) else 100.0
    size = max(0.5, round((hi - lo) / 20, 1)) if hi > lo else 1.0
    for tier in (1, 2, 3, 4):
        rows = valid[valid["tier"] == tier]
        fig.add_trace(
            go.Histogram(
                x=rows["index_total"],
                name=f"{tier} · " + t(f"index_tier_{tier}", lang),
                marker_color=style.TIER_COLOURS[tier],
                xbins={"start": lo, "end": hi + size, "size": size},
                hovertemplate="%{x}: %{y}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.05)
    if highlight is not None:
        fig.add_vline(
            x=highlight,
            line={"color": style.TARGET, "dash": "dot", "width": 2},
            annotation_text=highlight_name or "",
            annotation_position="top",
        )
    style.layout(
        fig,
        lang,
        t("chart_score_distribution", lang),
        t("axis_points", lang),
        t("axis_communes", lang),
        height=360,
    )
    tallest = valid.groupby((valid["index_total"] - lo) // size).size().max() if len(valid) else 0
    style.count_axis(fig, tallest, axis="y")
    return fig


def worst_groups(df: pd.DataFrame, lang: str) -> go.Figure:
    """How many communes lose most points in each group (`df`: group, communes)."""
    labels = [group_label(g, lang) for g in df["group"]]
    fig = go.Figure(
        go.Bar(
            x=df["communes"],
            y=labels,
            orientation="h",
            marker_color=[style.GROUP_COLOURS[g] for g in df["group"]],
            text=df["communes"],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    style.layout(
        fig, lang, t("chart_worst_groups", lang), t("axis_communes", lang), None, height=380, legend=False
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, max(1, int(df["communes"].max() or 0)) * 1.2])
    style.count_axis(fig, df["communes"].max())
    return fig


# ------------------------------------------------------------------------------------------ comparisons


def province_bars(
    df: pd.DataFrame, metric: str, lang: str, highlight: int | None = None, national: float | None = None
) -> go.Figure:
    """Provinces compared on one metric, best first; the selected province highlighted, the national
    figure as a line.  `df`: province_code, province_name, <metric>."""
    data = df.dropna(subset=[metric]).sort_values(metric, ascending=True)
    pct = _is_pct(metric)
    colours = [style.HIGHLIGHT if code == highlight else style.MAIN for code in data["province_code"]]
    fmt = ".1%" if pct else ".2f"
    fig = go.Figure(
        go.Bar(
            y=data["province_name"],
            x=data[metric],
            orientation="h",
            marker_color=colours,
            customdata=data["province_code"],
            name=t("m_" + metric, lang),
            hovertemplate="%{y}: %{x:" + fmt + "}<extra></extra>",
        )
    )
    if national is not None and len(data):
        fig.add_trace(
            go.Scatter(
                x=[national, national],
                y=[data["province_name"].iloc[0], data["province_name"].iloc[-1]],
                mode="lines",
                name=t("national", lang),
                line={"color": style.TARGET, "dash": "dot", "width": 2},
                hoverinfo="skip",
            )
        )
    style.layout(
        fig,
        lang,
        t("m_" + metric, lang),
        t("axis_percent", lang) if pct else t("axis_points", lang),
        None,
        height=max(320, 90 + 22 * len(data)),
    )
    if pct:
        _percent_axis(fig, "x", full=False)
    fig.update_yaxes(type="category")
    return fig


def signature_bars(
    df: pd.DataFrame, lang: str, target: float = 1.0, highlight: int | None = None
) -> go.Figure:
    """Signature rate by commune, lowest first, with the 100% target (`df`: commune_code, commune_name,
    signature_rate): one named bar per commune up to 40 communes, above that the communes per 10-point band
    (charts.distribution)."""
    data = df.dropna(subset=["signature_rate"]).sort_values(["signature_rate", "commune_name"])
    if len(data) > distribution.MAX_NAMED:  # too many to name: communes per band of the rate
        return distribution.bands(
            data,
            "signature_rate",
            lang,
            t("chart_signature_by_commune", lang),
            t("axis_percent", lang),
            share=True,
            highlight=highlight,
        )
    colours = [style.HIGHLIGHT if code == highlight else style.MAIN for code in data["commune_code"]]
    fig = go.Figure(
        go.Bar(
            x=data["commune_name"],
            y=data["signature_rate"],
            marker_color=colours,
            customdata=data["commune_code"],
            name=t("m_signature_rate", lang),
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    if len(data):
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
        t("chart_signature_by_commune", lang),
        t("axis_communes_sorted", lang),
        t("axis_percent", lang),
        height=380,
    )
    fig.update_yaxes(tickformat=".0%", hoverformat=".1%", range=[0, 1.02])  # from 0: bars compare
    fig.update_xaxes(type="category", tickangle=-60)
    return fig


def signature_grid(df: pd.DataFrame, lang: str, highlight: int | None = None) -> go.Figure:
    """Commune-by-month heat grid of signature rates (`df`: commune_name, month, signature_rate).
    Empty cells: no signature data for that commune and month."""
    names = df.drop_duplicates("commune_code").set_index("commune_code")["commune_name"]
    grid = df.pivot_table(
        index="commune_code", columns="month", values="signature_rate", aggfunc="first", dropna=False
    )
    order = grid.mean(axis=1, skipna=True).sort_values(ascending=True, na_position="first").index
    grid = grid.loc[order]
    months = [f"{v[5:7]}/{v[:4]}" for v in map(style.month_value, grid.columns)]
    dup = names[names.duplicated(keep=False)].index
    shown = {c: f"{n} ({c})" if c in dup else n for c, n in names.items()}
    labels = [f"<b>▶ {shown[c]}</b>" if c == highlight else shown[c] for c in grid.index]
    fig = go.Figure(
        go.Heatmap(
            z=grid.values,
            x=months,
            y=labels,
            colorscale=style.SEQUENTIAL,
            zmin=0.5,
            zmax=1.0,
            colorbar={
                "title": {"text": "%"},
                "tickformat": ".0%",
                "thickness": 12,
                "len": min(1.0, 300 / max(300, 16 * len(grid))),
                "y": 1,
                "yanchor": "top",
            },
            hovertemplate="%{y} · %{x}: %{z:.1%}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    height = min(3200, 170 + 16 * len(grid))
    style.layout(
        fig, lang, t("chart_signature_grid", lang), t("axis_month", lang), None, height=height, legend=False
    )
    # Month labels on top, rotated: the title goes above them (its pad) and the margin grows to hold both.
    fig.update_layout(margin={"t": fig.layout.margin.t + 80}, title_pad_b=fig.layout.title.pad.b + 72)
    fig.update_xaxes(type="category", side="top", tickangle=-45)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11}, dtick=1, type="category")
    return fig


def procedures_bar(df: pd.DataFrame, column: str, lang: str, title: str) -> go.Figure:
    """Procedures with the most `column` (dossiers_received or dossiers_overdue), largest on top.
    Names are cut to 38 characters on the axis; the hover shows the whole name."""
    data = df.iloc[::-1]
    # The name on up to three lines of 30 characters (the code, which is long, is in the table and the hover).
    names = [_lines(n, 30, 3) for n in data["procedure_name"]]
    unique = [
        n + "\u200b" * i if names.count(n) > 1 else n for i, n in enumerate(names)
    ]  # two cut alike stay two
    fig = go.Figure(
        go.Bar(
            y=unique,
            x=data[column],
            orientation="h",
            marker_color=style.MAIN,
            customdata=[
                plain(f"{c} · {n}")
                for c, n in zip(data["procedure_code"], data["procedure_name"], strict=True)
            ],
            text=data[column],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{customdata}: %{x:,}<extra></extra>",
            name=t("col_" + column, lang),
        )
    )
    style.layout(
        fig,
        lang,
        title,
        t("axis_dossiers", lang),
        None,
        height=max(260, 100 + sum(20 + 15 * (n.count("<br>") + 1) for n in names)),
        legend=False,
    )
    fig.update_yaxes(type="category", tickfont={"size": 12})
    top = float(data[column].max() or 1)
    fig.update_xaxes(range=[0, top * 1.18])
    style.count_axis(fig, top)
    return fig


def plain(text) -> str:
    """Text from a loaded file (a procedure name) as plotly shows it: plotly reads <a href>, <b>,
    <br> ... in labels and hovers as markup, so & < > become entities (shown as the characters)."""
    return html.escape(str(text), quote=False)


def _lines(text, width: int, lines: int) -> str:
    """`text` wrapped onto at most `lines` lines of `width` characters (plotly's <br>), escaped; cut with
    "…" only past that."""
    words = " ".join(str(text).split())
    wrapped = textwrap.wrap(words, width)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "<br>".join(plain(w) for w in wrapped)
