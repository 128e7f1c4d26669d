"""National view: how do the 34 provinces compare on the same figures?"""

import streamlit as st

import charts
import ui
from metrics import rankings
from metrics.definitions import HEADLINE_RATES
from metrics.i18n import t
from ui import portal_sections

ctx = ui.current()
f, lang = ctx.filters, ctx.lang
ui.header("nav_national", "q_national")
if ui.no_period():
    st.stop()
st.subheader(f"{ui.tr('whole_country')} · {f.period.label(lang)}")
portal_sections.provisional_note(ctx, None, "province")

head = ui.data(rankings.headline, None, f.period, ctx.scope)
ui.kpi_row(ui.metric_kpis(head, "previous", "previous_period"))

table = ui.data(rankings.national_table, f.period, ctx.scope)
missing = table[table["communes_with_dossiers"].fillna(0) == 0]["province_name"].tolist()
if len(missing) == len(table):
    ui.empty("empty_period", period=f.period.label(lang))
    st.stop()

metric = st.segmented_control(
    ui.tr("pick_metric"),
    [*HEADLINE_RATES, "index_average"],
    key="national_metric",
    default="online_rate",
    required=True,
    format_func=lambda m: t("m_" + m, lang),
)
national = head.set_index("metric")["value"].get(metric)
# every province's row is shown to every role, but only a national account may open another province
can_open = ctx.scope.is_national
ui.chart(
    charts.province_bars(table, metric, lang, highlight=f.province, national=national),
    "province_bars",
    open_province=can_open,
)

st.subheader(ui.tr("h_provinces"))
columns = [
    "index_rank",
    "province_name",
    "index_average",
    "tier",
    "index_rank_change",
    *HEADLINE_RATES,
    "dossiers_received",
    "communes",
]
ui.table(table, columns, "national_table", "so-sanh-tinh", open_province=can_open, height=440)
ui.tier_legend("tier_legend_national")
if missing:
    st.caption(ui.tr("provinces_without_data", names=", ".join(missing)))

portal_sections.national_ranking(ctx)

if not can_open:
    st.stop()
pick = st.selectbox(
    ui.tr("drill_province"),
    table["province_code"].tolist(),
    format_func=lambda c: ctx.options.provinces.get(int(c), str(c)),
    index=None,
    key="drill",
    placeholder=t("choose", lang),
)
if pick is not None:
    ui.go("province", province=int(pick), commune=None)
