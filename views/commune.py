"""Commune profile: how is this commune doing against last period, the province median and the target?"""

import streamlit as st

import charts
import ui
from metrics import commune
from metrics.definitions import TARGETS
from ui import index_sections, portal_sections, report_buttons, skills_sections

ctx = ui.current()
f, lang = ctx.filters, ctx.lang
ui.header("nav_commune", "q_commune")
if ui.no_period():
    st.stop()
if f.commune is None:
    ui.empty("empty_pick_commune", province=ctx.options.provinces[f.province])
    st.stop()
name = ctx.options.communes[f.commune][0]
st.subheader(f"{name} · {ctx.options.provinces[f.province]} · {f.period.label(lang)}")
portal_sections.provisional_note(ctx, f.province)
report_buttons.quick_downloads("commune", f.commune, "commune_report")  # the secretary's main task, first

figures = ui.data(commune.commune_figures, f.commune, f.period, ctx.scope)
if figures["value"].isna().all():
    ui.empty("empty_commune_period", commune=name, period=f.period.label(lang))
else:
    ui.kpi_row(ui.metric_kpis(figures, "province_median", "province_median"))

st.subheader(ui.tr("h_trends"))
trend = ui.data(commune.commune_trend, f.commune, f.period, ctx.scope)
cols = st.columns(3)
for i, metric in enumerate(["online_rate", "on_time_rate", "signature_rate"]):
    rows = trend[trend["metric"] == metric]
    with cols[i]:
        if rows["value"].notna().any():
            target = TARGETS[metric].value if metric in TARGETS else None
            ui.chart(charts.trend(rows, metric, lang, target=target, unit_name=name), f"trend_{metric}")
        else:
            ui.empty("empty_metric_commune", metric=ui.tr("m_" + metric), commune=name)

left, right = st.columns(2)
with left:
    history = portal_sections.closed_only(
        ctx, ui.data(commune.rank_history, f.commune, f.period, ctx.scope), f.province
    )
    if history["index_rank"].notna().any():
        ui.chart(charts.rank_history(history, lang), "rank_history")
    else:
        ui.empty("empty_index_commune", commune=name)
with right:
    groups = ui.data(commune.group_scores, f.commune, f.period, ctx.scope)
    if groups["score"].notna().any():
        ui.chart(charts.group_scores(groups, lang, unit_name=name), "group_scores")
    else:
        ui.empty("empty_index_commune_period", commune=name, period=f.period.label(lang))

if groups["score"].notna().any():
    st.subheader(ui.tr("h_group_table"))
    ui.table(
        groups,
        ["group", "score", "max_score", "points_lost", "province_median", "province_best", "best_commune"],
        "group_table",
        f"diem-nhom-{f.commune}",
    )

index_sections.what_it_takes(ctx, key="commune_wit")
skills_sections.commune_section(ctx)
