"""Report charts as PNG bytes, drawn with matplotlib (Agg): no browser, about 0.1 s a chart.

Each report renders its charts once and hands the same bytes to the DOCX and the PDF writer.  The
colours are the dashboard's (charts/style.py); labels come from the label catalogues.  The text is set in
the report's own serif (reports/fonts.py), registered with matplotlib by file, so no chart looks a
family up by name (and none warns "findfont: Font family ... not found").
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.ticker as mticker  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from charts import style  # noqa: E402
from metrics.definitions import GROUP_MAXIMA, GROUPS, TARGETS  # noqa: E402
from metrics.i18n import fmt_number  # noqa: E402
from reports.fonts import matplotlib_family  # noqa: E402
from reports.labels import t  # noqa: E402

MM = 1 / 25.4
DPI = 150
RC = {
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "svg.fonttype": "none",
}


def _rc() -> dict:
    return {**RC, "font.family": [matplotlib_family()]}


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _percent(ax, axis: str = "y") -> None:
    fmt = mticker.FuncFormatter(lambda v, _pos: f"{v * 100:.0f}%")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _number(ax, lang: str, axis: str = "y", decimals: int = 0) -> None:
    fmt = mticker.FuncFormatter(lambda v, _pos: fmt_number(v, lang, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


MAX_MONTH_TICKS = 4  # per panel: three panels of 12 months side by side stay legible


def month_ticks(n: int, most: int = MAX_MONTH_TICKS) -> list[int]:
    """Positions of the month labels on an axis of n months: the last month (the report's) always, then
    every step-th month back, at most `most` labels."""
    step = max(1, -(-n // most))
    return sorted(range(n - 1, -1, -step))


def commune_trends(
    monthly: pd.DataFrame, lang: str, unit_name: str, width: float = 165, height: float = 62
) -> bytes | None:
    """Online, on-time and signature rates by month: the commune (solid), the province median (dashed)
    and the target (dotted).  `monthly`: metrics.report_data's monthly table.  None without data."""
    with matplotlib.rc_context(_rc()):
        fig = trends_figure(monthly, lang, unit_name, width, height)
        return None if fig is None else _png(fig)


def trends_figure(
    monthly: pd.DataFrame, lang: str, unit_name: str, width: float = 165, height: float = 62
) -> Figure | None:
    """The figure commune_trends draws (call inside matplotlib.rc_context(_rc())), for tests that
    measure where its labels fall."""
    metrics = ["online_rate", "on_time_rate", "signature_rate"]
    if monthly.empty or not monthly[metrics].notna().any().any():
        return None
    fig = Figure(figsize=(width * MM, height * MM))
    # margins in mm (titles above; tick labels and the legend below), whatever the height
    fig.subplots_adjust(left=0.07, right=0.98, top=1 - 7.5 / height, bottom=16.5 / height, wspace=0.16)
    axes = fig.subplots(1, 3, sharey=True)
    x = list(range(len(monthly)))
    labels = [pd.Timestamp(m).strftime("%m/%y") for m in monthly["month"]]
    ticks = month_ticks(len(x))
    for ax, metric in zip(axes, metrics, strict=True):
        ax.plot(
            x,
            monthly[metric],
            color=style.MAIN,
            linewidth=1.8,
            marker="o",
            markersize=2.5,
            label=unit_name,
        )
        median = f"province_median_{metric}"
        if median in monthly.columns:
            ax.plot(
                x,
                monthly[median],
                color=style.MEDIAN,
                linewidth=1.1,
                linestyle="--",
                label=t("province_median", lang),
            )
        if metric in TARGETS:
            ax.axhline(
                TARGETS[metric].value,
                color=style.TARGET,
                linewidth=1,
                linestyle=":",
                label=t("target", lang),
            )
        ax.set_title(t("m_" + metric, lang), loc="left")
        ax.set_xticks(ticks, [labels[i] for i in ticks])
        ax.set_xlim(-0.6, len(x) - 0.4)
        ax.set_ylim(0, 1.05)
        _percent(ax)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncols=3, frameon=False)
    return fig


def group_scores(
    groups: pd.DataFrame, lang: str, unit_name: str, width: float = 165, height: float = 66
) -> bytes | None:
    """Per index group: the commune's score (bar in the group's colour, value at the end) within the
    maximum (grey), the province median (black tick) and best (hollow diamond).
    `groups`: metrics.commune.group_scores."""
    if groups.empty or groups["score"].isna().all():
        return None
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(width * MM, height * MM))
        fig.subplots_adjust(left=0.33, right=0.98, top=1 - 2 / height, bottom=19.5 / height)
        ax = fig.subplots()
        rows = groups.iloc[::-1].reset_index(drop=True)
        y = list(range(len(rows)))
        names = [f"{g} ({GROUP_MAXIMA[g]:g}) · {t('group_' + g.lower(), lang)}" for g in rows["group"]]
        ax.barh(y, rows["max_score"], color="#EEEEEE", height=0.62, label=t("max_score", lang))
        ax.barh(
            y, rows["score"].fillna(0), color=[style.GROUP_COLOURS[g] for g in rows["group"]], height=0.62
        )
        ax.scatter(
            rows["province_median"],
            y,
            marker="|",
            s=160,
            color="#111111",
            linewidths=1.6,
            label=t("province_median", lang),
            zorder=3,
        )
        ax.scatter(
            rows["province_best"],
            y,
            marker="D",
            s=18,
            facecolors="none",
            edgecolors="#111111",
            linewidths=0.9,
            label=t("province_best", lang),
            zorder=3,
        )
        for yi, (score, mx) in enumerate(zip(rows["score"], rows["max_score"], strict=True)):
            if pd.notna(score):
                ax.text(mx + 0.3, yi, fmt_number(score, lang, 2), va="center", fontsize=7)
        ax.set_yticks(y, names)
        ax.set_xlim(0, max(GROUP_MAXIMA.values()) + 3)
        ax.set_xlabel(t("axis_points", lang))
        ax.grid(axis="y", visible=False)
        _number(ax, lang, "x")
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="lower center", ncols=4, frameon=False)
        return _png(fig)


def score_distribution(
    ranking: pd.DataFrame, lang: str, width: float = 165, height: float = 62
) -> bytes | None:
    """Every ranked commune's total score, lowest to highest, coloured by quartile tier, with the
    province median.  `ranking`: metrics.rankings.province_ranking."""
    ranked = ranking.dropna(subset=["index_total"]).sort_values("index_total")
    if ranked.empty:
        return None
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(width * MM, height * MM))
        fig.subplots_adjust(left=0.08, right=0.99, top=1 - 2 / height, bottom=15.5 / height)
        ax = fig.subplots()
        x = list(range(len(ranked)))
        colours = [
            style.TIER_COLOURS.get(int(tier), "#BBBBBB") if pd.notna(tier) else "#BBBBBB"
            for tier in ranked["tier"]
        ]
        ax.bar(x, ranked["index_total"], color=colours, width=0.85)
        median = float(ranked["index_total"].median())
        ax.axhline(median, color=style.MEDIAN, linestyle="--", linewidth=1)
        ax.text(0, median + 1, f"{t('province_median', lang)}: {fmt_number(median, lang, 2)}", fontsize=7)
        ax.set_xticks([])
        ax.set_xlabel(t("axis_communes_sorted", lang))
        ax.set_ylabel(t("axis_points", lang))
        ax.set_ylim(0, 100)
        ax.grid(axis="x", visible=False)
        _number(ax, lang)
        for tier, colour in style.TIER_COLOURS.items():
            ax.bar([0], [0], color=colour, label=t(f"index_tier_{tier}", lang))
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="lower center", ncols=4, frameon=False)
        return _png(fig)


def worst_groups(counts: pd.DataFrame, lang: str, width: float = 165, height: float = 52) -> bytes | None:
    """How many communes lose most points in each group.  `counts`: rankings.worst_group_counts."""
    if counts.empty or counts["communes"].sum() == 0:
        return None
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(width * MM, height * MM))
        fig.subplots_adjust(left=0.3, right=0.97, top=1 - 2 / height, bottom=14 / height)
        ax = fig.subplots()
        rows = counts.set_index("group").reindex(GROUPS).fillna(0).iloc[::-1]
        y = list(range(len(rows)))
        ax.barh(y, rows["communes"], color=[style.GROUP_COLOURS[g] for g in rows.index], height=0.6)
        for yi, n in enumerate(rows["communes"]):
            ax.text(n + 0.5, yi, fmt_number(n, lang), va="center", fontsize=7)
        ax.set_yticks(y, [f"{g} · {t('group_' + g.lower(), lang)}" for g in rows.index])
        ax.set_xlabel(t("axis_communes", lang))
        ax.grid(axis="y", visible=False)
        _number(ax, lang, "x")
        return _png(fig)
