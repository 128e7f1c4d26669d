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
