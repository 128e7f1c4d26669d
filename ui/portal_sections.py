"""Sections about results fetched from the national portal (metrics/portal.py): the "tạm tính /
provisional" notice on every page that shows index results, closed-period-only histories, the
portal's own province ranking (national view) and the fetch log with the breaker (data quality)."""

from __future__ import annotations

import contextlib
from datetime import datetime

import pandas as pd
import streamlit as st

from metrics import portal
from ui import format
from ui.cache import data
from ui.columns import COLUMNS
from ui.state import Context
from ui.widgets import empty, table, tr

# This feature's columns (kind, label key); setdefault: an entry ui/columns.py defines wins.
SECTION_COLUMNS = {
    "started_at": ("datetime", "col_started_at"),
    "provinces": ("text", "col_provinces"),
    "period": ("period", "col_period"),
    "groups": ("text", "col_groups"),
    "requests": ("int", "col_requests"),
    "result": ("text", "col_fetch_result"),
    "breaker_state": ("text", "col_breaker_state"),
    "index_status": ("text", "col_index_status"),
    "endpoints_loaded": ("int", "col_endpoints_loaded"),
    "revisions": ("int", "col_revisions"),
    "portal_rank": ("rank", "col_portal_rank"),
    "portal_total": ("score", "col_portal_total"),
    "portal_total_change": ("score_change", "col_portal_total_change"),
    "portal_code": ("text", "col_portal_code"),
    "message": ("text", "col_message"),
}
for _col, _spec in SECTION_COLUMNS.items():
    COLUMNS.setdefault(_col, _spec)


def provisional_note(ctx: Context, province: int | None, level: str = "communes") -> bool:
    """A warning when the index results shown for the period are provisional; True when shown.
    `level`: 'communes' (commune rankings and profiles of `province`) or 'province' (the provinces'
    totals and the national ranking)."""
    period = ctx.filters.period
    if period is None:
        return False
    status = data(portal.index_status, province, period)
    if status.get(level) != "provisional":
        return False
    st.warning(tr("provisional_note", period=period.label(ctx.lang)), icon=":material/schedule:")
    return True


def closed_only(ctx: Context, history: pd.DataFrame, province: int) -> pd.DataFrame:
    """A rank history without its provisional periods (with a caption when any was left out)."""
    period = ctx.filters.period
    provisional = data(portal.provisional_periods, province, period.period_type)
    kept = portal.closed_only(history, provisional)
    if len(kept) < len(history):
        st.caption(tr("provisional_history_note"))
    return kept


def national_ranking(ctx: Context) -> None:
    """The portal's own ranking of the provinces for the period, with provisional rows labelled."""
    period, lang = ctx.filters.period, ctx.lang
    st.subheader(tr("h_portal_ranking"))
    ranking = data(portal.province_ranking, period, ctx.scope)
    if ranking.empty:
        empty("empty_portal_ranking", period=period.label(lang), period_key=period.key)
        return
    provinces = int(ranking["provinces_ranked"].iloc[0])
    st.caption(tr("portal_ranking_note", period=period.label(lang), n=provinces))
    columns = [
        "portal_rank",
        "province_name",
        "portal_code",
        "portal_total",
        "portal_total_change",
        "score_ckmb",
        "score_tdgq",
        "score_clgq",
        "score_tttt",
        "score_mdsh",
        "score_mdhl",
        "index_status",
    ]
    table(
        portal.labelled_ranking(ranking, lang),
        columns,
        "portal_ranking",
        "xep-hang-cong-dvc",
        open_province=ctx.scope.is_national,  # every province shown; only a national account opens one
        height=400,
    )


def fetch_log(ctx: Context) -> None:
    """Each fetch run (when, what, requests, result, breaker, provisional/official) and the breaker now."""
    st.subheader(tr("h_portal_fetches"))
    state = portal.breaker_state()  # not cached: the file is not part of the warehouse
    if state["state"] == "open":
        opened = state.get("opened_at")
        with contextlib.suppress(TypeError, ValueError):
            opened = format.value(datetime.fromisoformat(opened).replace(tzinfo=None), "datetime", ctx.lang)
        st.error(
            tr(
                "portal_breaker_open",
                opened_at=opened or "–",
                reason=state.get("reason") or "–",
                detail=(state.get("detail") or "–")[:200],
            ),
            icon=":material/block:",
        )
    else:
        st.caption(tr("portal_breaker_closed"))
    runs = data(portal.fetch_runs, ctx.scope)
    if runs.empty:
        empty("empty_portal_fetches")
        return
    table(
        portal.labelled_runs(runs, ctx.lang),
        [
            "started_at",
            "provinces",
            "period",
            "groups",
            "requests",
            "result",
            "breaker_state",
            "index_status",
            "endpoints_loaded",
            "revisions",
            "message",
        ],
        "portal_fetches",
        "lay-du-lieu-cong",
        height=300 if len(runs) > 7 else "auto",
    )
