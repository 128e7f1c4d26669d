"""Streamlit building blocks every page uses: header, KPI cards, tables with downloads and
click-to-open, charts, empty states."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from charts.style import TIER_COLOURS, TIER_TEXT_COLOURS
from core.index_groups import GROUP_MAX
from metrics.i18n import t
from ui import export, format
from ui.columns import kind, label_key, short_key, width
from ui.format import EMPTY
from ui.nav import go
from ui.state import current


def tr(key: str, **args) -> str:
    """The label `key` in the current language, with {placeholders} filled."""
    text = t(key, current().lang)
    return text.format(**args) if args else text


def header(title_key: str, question_key: str) -> None:
    st.title(tr(title_key))
    st.caption(tr(question_key))


def empty(key: str, **args) -> None:
    """An empty state that says what is missing."""
    st.info(tr(key, **args), icon=":material/info:")


@dataclass
class Kpi:
    label: str
    value: str
    delta: str | None = None
    note: str | None = None
    help: str | None = None
    delta_description: str | None = None
    lower_is_better: bool = False


# Streamlit cuts a KPI label to one line with "…" ("Người trưởng thành được cấp chứng…"): let it wrap.
KPI_LABEL_CSS = (
    '<style>[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {white-space: normal '
    "!important; overflow: visible !important; text-overflow: clip !important; height: auto "
    "!important;}</style>"
)


def kpi_row(kpis: list[Kpi], per_row: int = 4) -> None:
    """KPI cards, at most `per_row` in a row (labels stay readable at 1366 px; phones stack them); labels
    wrap onto more lines instead of being cut."""
    st.html(KPI_LABEL_CSS)
    for start in range(0, len(kpis), per_row):
        chunk = kpis[start : start + per_row]
        for col, k in zip(st.columns(per_row), chunk, strict=False):
            with col:
                flat = k.delta is not None and k.delta.startswith("±")
                st.metric(
                    k.label,
                    k.value,
                    k.delta,
                    help=k.help,
                    border=True,
                    delta_color="off" if flat else "inverse" if k.lower_is_better else "normal",
                    delta_arrow="off" if flat else "auto",
                    delta_description=k.delta_description,
                )
                if k.note:
                    st.caption(k.note)


def _tier_css(v) -> str:
    if pd.isna(v):
        return ""
    return f"background-color: {TIER_COLOURS[int(v)]}; color: {TIER_TEXT_COLOURS[int(v)]}"


def _rank_change_css(v) -> str:
    return "" if pd.isna(v) or v == 0 else f"color: {'#0072B2' if v > 0 else '#B2182B'}; font-weight: 600"


def _cell_css(column: str):
    """The colour rule of a column's cells (quartile tier, change in rank), or None."""
    if column == "tier":
        return _tier_css
    if kind(column) == "rank_change":
        return _rank_change_css
    return None


def _styler(view: pd.DataFrame, lang: str):
    """The table as the pandas Styler st.dataframe takes: each cell shown as format.value's text in the
    current language (an empty cell as EMPTY) and coloured by _cell_css, while the table still sorts
    by the values.

    Streamlit reads two things from a Styler: what its `_compute()` and `_translate()` return (the
    body's cell ids with their display text, and the cells' CSS).  pandas builds them through its HTML
    renderer, cell by cell with every header, class and attribute: 4 ms for a six-row table and 15-50
    ms for a province's ranking, which made the tables a fifth of a page's server time with ten
    sessions at once (bench/RESULTS.md, "Many users at once").  The same two structures are built here
    column by column, and the Styler hands them over; tests/app/test_table_styler.py checks the result
    against pandas' own rendering for every kind of column."""
    columns = list(view.columns)
    values = [view[c].tolist() for c in columns]
    text = [[format.value(v, kind(c), lang) for v in col] for c, col in zip(columns, values, strict=True)]
    styles: dict[tuple, list[str]] = {}
    for j, (c, col) in enumerate(zip(columns, values, strict=True)):
        css = _cell_css(c)
        if css is None:
            continue
        for i, v in enumerate(col):
            rule = css(v)
            if rule:
                props = tuple(tuple(x.strip() for x in d.split(":", 1)) for d in rule.split(";") if d.strip())
                styles.setdefault(props, []).append(f"row{i}_col{j}")
    translated = {
        "table_styles": [],
        "cellstyle": [{"props": list(props), "selectors": cells} for props, cells in styles.items()],
        "body": [
            [{"id": f"row{i}_col{j}", "display_value": text[j][i]} for j in range(len(columns))]
            for i in range(len(view))
        ],
    }
    styler = view.style  # Streamlit recognises a Styler by its exact type: no subclass
    styler._compute = lambda: styler
    styler._translate = lambda *args, **kwargs: translated
    return styler


def _column(c: str):
    """A column's header: compact (a short label, the full one and its help as the tooltip) and narrow,
    so that wide tables fit 1366 px."""
    label = tr(label_key(c)) if label_key(c) else c
    group = c.removeprefix("score_").upper() if c.startswith("score_") else None
    tip = None
    if short_key(c):
        label, tip = tr(short_key(c)), label
    elif group in GROUP_MAX:  # "CKMB", its name and maximum on hover
        label, tip = group, f"{tr('group_' + group.lower())} ({tr('max_score').lower()} {GROUP_MAX[group]:g})"
    return st.column_config.Column(
        label,
        help=tip,
        pinned=True if c in ("commune_name", "province_name") else None,
        width=width(c),
    )


def table(
    df: pd.DataFrame,
    columns: list[str],
    key: str,
    file_stem: str,
    *,
    open_commune: bool = False,
    open_province: bool = False,
    height: int | str = "auto",
) -> None:
    """A sortable table of `columns` with CSV/XLSX downloads; clicking a row opens the commune's
    profile (or drills into the province)."""
    lang = current().lang
    ids = [c for c in ("commune_code", "province_code") if c in df.columns and c not in columns]
    view = df[columns + ids].reset_index(drop=True)
    config = {c: _column(c) for c in columns}
    selectable = open_commune or open_province
    event = st.dataframe(
        _styler(view, lang),
        column_config=config,
        column_order=columns,
        hide_index=True,
        key=key,
        height=height,
        placeholder=EMPTY,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
    )
    downloads(view, columns, key, file_stem)
    if selectable:
        st.caption(tr("click_row_commune" if open_commune else "click_row_province"))
        rows = event.selection.rows if event is not None else []
        if rows:
            row = view.iloc[rows[0]]
            if open_commune:
                go(
                    "commune",
                    province=int(row["province_code"])
                    if "province_code" in row
                    else current().filters.province,
                    commune=int(row["commune_code"]),
                )
            else:
                go("province", province=int(row["province_code"]), commune=None)


def downloads(view: pd.DataFrame, columns: list[str], key: str, file_stem: str) -> None:
    lang = current().lang
    period = current().filters.period
    stem = f"{file_stem}-{period.key}" if period else file_stem
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        tr("download_csv"),
        functools.partial(export.to_csv, view, columns, lang),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    row.download_button(
        tr("download_xlsx"),
        functools.partial(export.to_xlsx, view, columns, lang),
        file_name=f"{stem}.xlsx",
        key=f"{key}_xlsx",
        on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )


def chart(fig, key: str, *, open_commune: bool = False, open_province: bool = False) -> None:
    """Show a figure; with open_commune / open_province, clicking a bar or point whose customdata is a
    commune (province) code opens it."""
    config = {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    }
    if not (open_commune or open_province):
        st.plotly_chart(fig, key=key, theme=None, config=config)
        return
    event = st.plotly_chart(
        fig, key=key, theme=None, config=config, on_select="rerun", selection_mode="points"
    )
    points = event.selection.points if event is not None else []
    codes = [p.get("customdata") for p in points if p.get("customdata") is not None]
    if codes:
        code = codes[0][0] if isinstance(codes[0], list) else codes[0]
        if open_commune:
            go("commune", commune=int(code))
        else:
            go("province", province=int(code), commune=None)


def metric_kpis(df: pd.DataFrame, reference: str, reference_key: str) -> list[Kpi]:
    """KPI cards from a frame of metric rows (metric, value, change, <reference>, target[, rank])."""
    lang = current().lang
    kpis = []
    for row in df.to_dict("records"):
        k = "pct" if kind(row["metric"]) == "pct" else "score"
        notes = [f"{tr(reference_key)}: {format.value(row.get(reference), k, lang)}"]
        if row.get("target") is not None and not pd.isna(row.get("target")):
            notes.append(f"{tr('target')}: {format.value(row['target'], k, lang)}")
        if row.get("rank") is not None and not pd.isna(row.get("rank")):
            notes.insert(0, tr("rank_of", rank=int(row["rank"]), total=int(row["communes_ranked"])))
        period = current().filters.period
        if (
            reference != "previous"
            and period is not None
            and row.get("change") is not None
            and not pd.isna(row.get("change"))
        ):
            notes.insert(0, tr("change_vs", period=period.previous().label(lang)))
        kpis.append(
            Kpi(
                tr("m_" + row["metric"]),
                format.value(row["value"], k, lang),
                format.change(row.get("change"), k, lang),
                " · ".join(notes),
                tr("help_" + row["metric"]),
            )
        )
    return kpis


def tier_legend(key: str = "tier_legend") -> None:
    """The four tier colours with their meaning (PAPI-style quartiles)."""
    chips = " ".join(
        f'<span style="background:{TIER_COLOURS[i]};color:{TIER_TEXT_COLOURS[i]};padding:2px 8px;'
        f'border-radius:4px;margin-right:4px;white-space:nowrap">{i} · {tr(f"index_tier_{i}")}</span>'
        for i in (1, 2, 3, 4)
    )
    st.html(f'<div style="font-size:0.85rem;line-height:2">{tr(key)}: {chips}</div>')


def no_period() -> bool:
    """Stop with an empty state when the warehouse has no months (nothing loaded yet)."""
    if current().filters.period is None:
        empty("empty_no_data")
        return True
    return False
