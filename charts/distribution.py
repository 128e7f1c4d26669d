"""Many communes on one figure: how many communes fall in each band of values, the chosen commune's
band highlighted.  Used where a province has more communes than a named bar chart can show (148
unnamed bars on an axis that starts near the lowest value say nothing a reader can act on)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from charts import style
from metrics.i18n import fmt_number, t

MAX_NAMED = 40  # up to this many communes: one named bar each; above: bands


def share_edges(values: pd.Series) -> list[float]:
    """Band edges for a share 0..1: 10-point bands from 0 when some commune comes near 100% (the top band
    then exactly 100%); round finer bands from 0 up to the largest share otherwise (11,6% certified)."""
    top = float(values.max()) if len(values) else 1.0
    return [i / 10 for i in range(11)] if top >= 0.9 else number_edges(values)


def number_edges(values: pd.Series, bands: int = 8) -> list[float]:
    """Band edges for a figure from 0: `bands` equal round-numbered bands up to the largest value."""
    top = float(values.max()) if len(values) else 1.0
    raw = max(top, 1e-9) / bands
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(math.ceil(top / step)) + 1 if top > 0 else 2)]


def band_labels(edges: list[float], share: bool, lang: str) -> list[str]:
    def f(v: float) -> str:
        return f"{fmt_number(v * 100, lang, 0)}%" if share else fmt_number(v, lang, 1 if v % 1 else 0)

    labels = [f"{f(a)}–<{f(b)}" for a, b in zip(edges[:-1], edges[1:], strict=False)]
    if share:  # the last band is exactly the target, 100%
        labels[-1] = f"{f(edges[-2])}–<{f(1.0)}"
        labels.append(f(1.0))
    return labels


def band_labels_pct(edges: list[float], lang: str) -> list[str]:
    """Labels of share bands that do not reach 100%: '0%–<2%' ('10,5%' where a step is not whole)."""

    def f(v: float) -> str:
        return f"{fmt_number(v * 100, lang, 0 if abs(v * 100 - round(v * 100)) < 1e-9 else 1)}%"

    return [f"{f(a)}–<{f(b)}" for a, b in zip(edges[:-1], edges[1:], strict=False)]


def assign(values: pd.Series, edges: list[float], share: bool) -> pd.Series:
    """Each value's band index (0-based); a share of exactly 100% gets the last band of its own."""
    idx = pd.cut(values, bins=edges, right=False, labels=False, include_lowest=True)
    idx = idx.where(values < edges[-1], len(edges) - 2)  # the top value closes the last band
    if share:
        idx = idx.where(values < 1.0 - 1e-12, len(edges) - 1)
    return idx.astype("Int64")


def bands(
    df: pd.DataFrame,
    column: str,
    lang: str,
    title: str,
    x_title: str,
    share: bool,
    colour: str = style.MAIN,
    highlight: int | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Communes per band of `column` (`df`: commune_code, commune_name, <column>); the band of the commune
    `highlight` in the highlight colour, named in its hover; the y axis counts communes from 0."""
    data = df.dropna(subset=[column])
    edges = share_edges(data[column]) if share else number_edges(data[column])
    full = share and edges[-1] == 1.0  # a band of its own for exactly 100%
    labels = band_labels(edges, full, lang) if full or not share else band_labels_pct(edges, lang)
    which = assign(data[column], edges, full)
    counts = [int((which == i).sum()) for i in range(len(labels))]
    chosen = data.loc[data["commune_code"] == highlight] if highlight is not None else data.iloc[:0]
    chosen_band = int(which[chosen.index[0]]) if len(chosen) else None
    colours = [style.HIGHLIGHT if i == chosen_band else colour for i in range(len(labels))]
    names = [
        ", ".join(data.loc[which == i, "commune_name"].head(6)) + ("…" if counts[i] > 6 else "")
        for i in range(len(labels))
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=counts,
            marker_color=colours,
            customdata=names,
            text=counts,
            textposition="outside",
            cliponaxis=False,
            name=t("axis_communes", lang),
            hovertemplate="%{x}: %{y}<br>%{customdata}<extra></extra>",
        )
    )
    if chosen_band is not None:  # a mark over its band; its name under the title (fits a phone)
        fig.add_annotation(
            x=labels[chosen_band],
            y=counts[chosen_band],
            yshift=34,
            showarrow=False,
            text="▼",
            font={"color": style.HIGHLIGHT, "size": 14},
        )
        mark = f"▼ {chosen['commune_name'].iloc[0]}"
        subtitle = f"{subtitle} · {mark}" if subtitle else mark
    style.layout(
        fig, lang, title, x_title, t("axis_communes", lang), subtitle=subtitle, height=380, legend=False
    )
    fig.update_xaxes(type="category", tickangle=-45 if len(labels) > 6 else 0)
    top = max(counts) if counts else 1
    style.count_axis(fig, top, axis="y")
    fig.update_yaxes(range=[0, top * 1.25 + 1])
    return fig
