"""One visual language: colour-blind-safe colours (Okabe–Ito; ColorBrewer RdBu for tiers), fonts,
separators and the layout every figure shares."""

from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# One colour per index group, on every page (Okabe–Ito, safe for the common colour-vision deficiencies).
GROUP_COLOURS = {
    "CKMB": "#0072B2",
    "TDGQ": "#E69F00",
    "CLGQ": "#009E73",
    "TTTT": "#CC79A7",
    "MDSH": "#56B4E9",
    "MDHL": "#D55E00",
}
# Quartile tiers (PAPI style): 1 best .. 4 lagging; a diverging blue–red scale (ColorBrewer RdBu).
TIER_COLOURS = {1: "#2166AC", 2: "#92C5DE", 3: "#F4A582", 4: "#B2182B"}
TIER_TEXT_COLOURS = {1: "#FFFFFF", 2: "#111111", 3: "#111111", 4: "#FFFFFF"}
# Filing channels.
CHANNEL_COLOURS = {
    "in_person": "#999999",
    "online_partial": "#56B4E9",
    "online_full": "#0072B2",
    "post": "#E69F00",
}
MAIN = "#0072B2"  # the unit being looked at
HIGHLIGHT = "#E69F00"  # the selected province / commune among others
MEDIAN = "#555555"  # province median reference (dashed)
TARGET = "#111111"  # target reference (dotted)
UP, DOWN = "#0072B2", "#D55E00"
SEQUENTIAL = "Cividis"  # heat grids (colour-blind safe, ordered by lightness)
# A palette for lines of several communes (bump chart): Okabe–Ito plus Tol's muted extras.
LINES = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#882255",
    "#44AA99",
    "#999933",
]

FONT = "Source Sans Pro, Noto Sans, DejaVu Sans, Arial, sans-serif"
TITLE_WIDTH = 44  # characters per title line: fits a phone-width chart
HEIGHT = 360


# Every figure starts from the white template, applied once when the figure is created.  Setting it
# again in `layout` made plotly resolve, validate and deep-copy the whole template a second time:
# ~70 ms of one core per chart, a third of a page's server time (bench/RESULTS.md, "Many users at once").
TEMPLATE = "plotly_white"
pio.templates.default = TEMPLATE


def _merge(base: dict, new: dict) -> dict:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def set_layout(fig: go.Figure, values: dict) -> go.Figure:
    """`fig.update_layout(values)` (nested values merged into what is there, None removes), one
    top-level property at a time: plotly's own update walks its relayout bookkeeping for every leaf
    (~0.4 ms a leaf, 20-25 ms for the shared layout below, 10-20 % of a page's server time); setting
    a whole property validates it once.  The figure's JSON is the same (tests/charts/test_style.py)."""
    for key, value in values.items():
        if isinstance(value, dict):
            current = fig.layout[key]
            existing = current.to_plotly_json() if hasattr(current, "to_plotly_json") else {}
            fig.layout[key] = _merge(existing, value)
        else:
            fig.layout[key] = value
    return fig


def set_axes(fig: go.Figure, axis: str, values: dict) -> go.Figure:
    """`fig.update_xaxes(**values)` / `update_yaxes` (axis 'x' or 'y') on every axis of the figure,
    the same way as `set_layout`."""
    select = fig.select_xaxes if axis == "x" else fig.select_yaxes
    return set_layout(fig, {a.plotly_name: values for a in select()})


def separators(lang: str) -> str:
    """Plotly's separators: decimal then thousands (1.234,5 in Vietnamese, 1,234.5 in English)."""
    return ",." if lang == "vi" else ".,"


def wrap(text: str, width: int = TITLE_WIDTH) -> str:
    return "<br>".join(textwrap.wrap(text, width)) if text else text


def layout(
    fig: go.Figure,
    lang: str,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    subtitle: str | None = None,
    height: int = HEIGHT,
    legend: bool = True,
) -> go.Figure:
    """Apply the shared layout: title (wrapped for phones), axis titles with units, separators."""
    title_text = wrap(title)
    lines = title_text.count("<br>") + 1 + (1 if subtitle else 0)
    top = 34 + 22 * lines + (12 if subtitle else 0)
    # The legend sits under the x axis (tick labels and title): a fixed distance in pixels, turned
    # into the plot's fraction so that tall and short charts look the same.
    plot_px = max(120, height - top - 60)
    legend_y = -(62 if x_title else 34) / plot_px
    if fig.layout.template.layout.paper_bgcolor != pio.templates[TEMPLATE].layout.paper_bgcolor:
        fig.update_layout(template=TEMPLATE)  # a figure made before this module set the default
    set_layout(
        fig,
        dict(
            separators=separators(lang),
            font={"family": FONT, "size": 13, "color": "#1F2933"},
            # Anchored to the plot's top edge and growing upwards into the top margin (sized above for
            # the number of lines): a multi-line title anchored at the top of the figure gets clipped.
            title={
                "text": title_text,
                "x": 0,
                "xanchor": "left",
                "xref": "container",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "pad": {"b": 58 if subtitle else 12},
                "font": {"size": 16},
                **({"subtitle": {"text": wrap(subtitle, 60), "font": {"size": 12}}} if subtitle else {}),
            },
            margin={"l": 8, "r": 8, "t": top, "b": 8},
            height=height,
            showlegend=legend,
            legend={
                "orientation": "h",
                "yanchor": "top",
                "y": legend_y,
                "x": 0,
                "xanchor": "left",
                "title": {"text": ""},
                "traceorder": "normal",
            },
            hoverlabel={"font": {"family": FONT, "size": 13}},
            colorway=LINES,
        ),
    )
    set_axes(fig, "x", {"title": {"text": x_title}, "automargin": True})
    set_axes(fig, "y", {"title": {"text": y_title}, "automargin": True})
    return fig


def month_value(value) -> str:
    """A month as plotly should read it: the first of the month, 'YYYY-MM-DD', with no time and no zone.
    A time-zone-aware timestamp keeps its own wall-clock month (10/2025 in Hanoi is 10/2025)."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return f"{ts.year:04d}-{ts.month:02d}-01"


MAX_MONTH_TICKS = 12  # more months than this: label every 2nd (3rd, ...) month
# A chart a third of the page wide (the commune profile's three trends) has room for three or four
# mm/yyyy labels side by side; more were turned upright, cut at the bottom and pushed the axis title
# into the legend (seen at 1366 px).  Thinned by whole quarters or half-years.
COMPACT_MONTH_TICKS = 4
_MONTH_STEPS = (1, 2, 3, 6, 12)


def month_axis(fig: go.Figure, max_ticks: int = MAX_MONTH_TICKS) -> go.Figure:
    """Months on the x axis written mm/yyyy, one tick per month of the data (thinned past `max_ticks`
    months: every 2nd, 3rd, 6th or 12th month, always the latest; past `MAX_MONTH_TICKS` labels stay
    level).

    Plotly's automatic date ticks are not the data's months: with bars a month apart it places ticks
    between them and labels four bars 07/2025, 07/2025, 08/2025, 09/2025.  So every trace's x becomes
    its month's first day (no time, no zone) and the ticks are exactly those months."""
    months: set[str] = set()
    for trace in fig.data:
        if getattr(trace, "x", None) is None or len(trace.x) == 0:
            continue
        xs = [None if v is None or pd.isna(v) else month_value(v) for v in trace.x]
        trace.x = xs
        months.update(v for v in xs if v is not None)
    ordered = sorted(months)
    need = math.ceil(len(ordered) / max(1, max_ticks))
    step = next((s for s in _MONTH_STEPS if s >= need), need)
    ticks = ordered[::-1][::step][::-1]  # always label the latest month
    fig.update_xaxes(
        type="date",
        tickmode="array",
        tickvals=ticks,
        ticktext=[f"{v[5:7]}/{v[:4]}" for v in ticks],
        hoverformat="%m/%Y",
        **({"tickangle": 0} if max_ticks < MAX_MONTH_TICKS else {}),
    )
    return fig


def rank_axis(fig: go.Figure, last: int, room: float = 0.0) -> go.Figure:
    """Ranks on the y axis: 1 at the top, `last` at the bottom, ticks at 1 and round steps (never 0 or a
    negative rank); `room` (in ranks) is kept above 1 for labels drawn over the points."""
    last = max(1, int(last))
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if last / s <= 6), 1000)
    ticks = [1] + [v for v in range(step, last + 1, step) if v > 1]
    pad = max(0.5, last * 0.04)
    fig.update_yaxes(
        range=[last + pad, 1 - max(pad, room)],
        autorange=False,
        tickmode="array",
        tickvals=ticks,
        ticktext=[str(v) for v in ticks],
        zeroline=False,
    )
    return fig


MINUS = "\u2212"  # the minus sign plotly writes on its axes; every label uses the same


def signed_int(value) -> str:
    """+5 / −127 / 0, with the same minus sign as the axis ticks (plotly's "%{x:+d}" writes a hyphen)."""
    v = int(value)
    return f"+{v}" if v > 0 else f"{MINUS}{-v}" if v < 0 else "0"


def count_axis(fig: go.Figure, top, axis: str = "x", **selector) -> go.Figure:
    """An axis of counts (dossiers, communes, sessions): whole-number ticks only, never 0,5."""
    top = 0 if top is None or top != top else float(top)
    opts = {"tickformat": ",d", "rangemode": "tozero"}
    if top <= 6:
        opts["dtick"] = 1
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**opts, **selector)
    return fig
