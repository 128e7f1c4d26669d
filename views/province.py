"""Province overview (landing page): where do the province's communes stand this period?"""

import streamlit as st

import charts
import ui
from metrics import rankings
from metrics.definitions import GROUP_COLUMNS, HEADLINE_RATES, TARGETS
from metrics.i18n import t
from ui import attention_section, portal_sections, province_rank, report_buttons

ctx = ui.current()
f, lang = ctx.filters, ctx.lang
ui.header("nav_province", "q_province")
if ui.no_period():
    st.stop()
st.subheader(f"{ctx.options.provinces[f.province]} · {f.period.label(lang)}")
portal_sections.provisional_note(ctx, f.province)

head = ui.data(rankings.headline, f.province, f.period, ctx.scope)
ui.kpi_row([province_rank.kpi(ctx), *ui.metric_kpis(head, "national", "national")], per_row=5)
attention_section.attention_list(ctx, f.province)

ranking = ui.data(rankings.province_ranking, f.province, f.period, ctx.scope)
st.subheader(ui.tr("h_ranking"))
if ranking["index_total"].isna().all() and not ranking["dossiers_received"].fillna(0).any():
    ui.empty("empty_province_period", province=ctx.options.provinces[f.province], period=f.period.label(lang))
    st.stop()
if ranking["is_derived"].fillna(False).any():
    st.caption(ui.tr("index_derived_note"))
columns = [
    "index_rank",
    "commune_name",
    "index_total",
    "tier",
    "index_rank_change",
    *GROUP_COLUMNS.values(),
    *HEADLINE_RATES,
]
ui.table(ranking, columns, "province_ranking", f"xep-hang-tinh-{f.province}", open_commune=True, height=420)
ui.tier_legend()

left, right = st.columns(2)
with left:
    st.subheader(ui.tr("h_movers"))
    up, down = rankings.movers(ranking)
    if up.empty and down.empty:
        ui.empty("empty_movers", period=f.period.previous().label(lang))
    else:
        ui.chart(charts.movers(up, down, lang), "movers", open_commune=True)
with right:
    st.subheader(ui.tr("h_below_target"))
    if ctx.scope.level == "commune":
        # other communes' own rates: a commune account sees its own commune's counts only
        st.info(ui.tr("not_available_for_account"))
        report_buttons.report_downloads("province", f.province, "province_report")
        st.stop()
    metric = st.selectbox(
        ui.tr("pick_metric"),
        list(TARGETS),
        key="below_metric",
        format_func=lambda m: f"{t('m_' + m, lang)} ({t('target', lang)} {TARGETS[m].value:.0%})",
    )
    st.caption(TARGETS[metric].source_vi if lang == "vi" else TARGETS[metric].source_en)
    below = rankings.below_target(ranking, metric)
    if below.empty:
        ui.empty("empty_all_meet_target")
    else:
        ui.table(
            below.assign(province_code=f.province),
            ["commune_name", metric, "target", "gap"],
            "below_target",
            f"duoi-muc-tieu-{metric}",
            open_commune=True,
        )

report_buttons.report_downloads("province", f.province, "province_report")
