"""The "needs attention" section of the province overview: the communes the alert rules
(metrics/alert_rules.py, `$CDS_ALERT_RULES`) flag for the period, from the same function the e-mails
use (metrics.attention.communes_needing_attention), so the page and the e-mail never disagree."""

from __future__ import annotations

import streamlit as st

from metrics import attention
from metrics.alert_rules import AlertRulesError, load_rules, rules_path
from ui.cache import data
from ui.columns import COLUMNS
from ui.state import Context
from ui.widgets import table, tr

SECTION_COLUMNS = {
    "level_label": ("text", "att_level"),
    "reasons": ("text", "att_reasons"),
}
for _col, _spec in SECTION_COLUMNS.items():
    COLUMNS.setdefault(_col, _spec)


def attention_list(ctx: Context, province: int) -> None:
    """A collapsed-by-default list, its counts in the title: urgent first."""
    period, lang = ctx.filters.period, ctx.lang
    try:
        rules = tuple(load_rules())
    except AlertRulesError as err:
        st.error(tr("att_rules_error", error=str(err)), icon=":material/error:")
        return
    df = data(attention.communes_needing_attention, ctx.scope, period, rules, province)
    per = attention.by_commune(df, lang)
    n = attention.counts(df)
    title = tr("h_attention") + (
        f" · {tr('att_level_urgent')}: {n['urgent']} · {tr('att_level_attention')}: {n['attention']}"
    )
    with st.expander(title, expanded=n["urgent"] > 0, icon=":material/notification_important:"):
        st.caption(tr("att_rules_note", path=rules_path().name))
        if per.empty:
            st.success(tr("att_none"), icon=":material/check_circle:")
            return
        table(
            per,
            ["commune_name", "level_label", "reasons"],
            "attention",
            f"can-chu-y-{province}-{period.key}",
            open_commune=True,
            height=300,
        )


def notify_last_run(ctx: Context) -> None:
    """The data-quality page's section on the e-mails: the last `python -m notify run` (from the sent
    record, metrics/notify_log.py), its counts and its failures.  The record covers every recipient
    of every province, so only a national account (or the open mode) sees it."""
    from metrics import notify_log

    if not ctx.scope.is_national:
        return
    st.subheader(tr("h_notify"))
    run, failures = notify_log.last_run()
    if run is None:
        st.caption(tr("notify_never"))
        return
    st.write(
        tr(
            "notify_summary",
            at=str(run.get("at", "")).replace("T", " "),
            period=run.get("period", ""),
            sent=run.get("sent", 0),
            corrections=run.get("corrections", 0),
            skipped=run.get("skipped", 0),
            failed=run.get("failed", 0),
        )
    )
    if run.get("aborted"):
        st.error(str(run["aborted"]), icon=":material/error:")
    if not failures.empty:
        st.dataframe(
            failures.rename(
                columns={"user": tr("col_recipient"), "email": "e-mail", "error": tr("col_error")}
            ),
            hide_index=True,
        )
