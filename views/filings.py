"""Online filings: how do people file (channels), are dossiers handled on time, and where are the delays?"""

import streamlit as st

import charts
import ui
from core.catalogue import METRICS
from metrics import filings
from metrics.definitions import TARGETS

ctx = ui.current()
f, lang = ctx.filters, ctx.lang
ui.header("nav_filings", "q_filings")
if ui.no_period():
    st.stop()
unit = ctx.options.communes[f.commune][0] if f.commune else ctx.options.provinces[f.province]
st.subheader(f"{unit} · {f.period.label(lang)}")

summary = ui.data(filings.filings_summary, f.province, f.commune, f.period, ctx.scope).set_index("period")
now = summary.loc[f.period.key] if f.period.key in summary.index else None
if now is None or not now["dossiers_received"] > 0:
    ui.empty("empty_filings", unit=unit, period=f.period.label(lang))
    st.stop()
before = summary.loc[f.period.previous().key] if f.period.previous().key in summary.index else None
kpis = []
for metric in ["dossiers_received", "online_rate", "online_full_rate", "on_time_rate", "avg_processing_days"]:
    m = METRICS[metric]  # format, label and direction: core/catalogue.py
    delta = None if before is None else now[metric] - before[metric]
    kpis.append(
        ui.Kpi(
            ui.tr(m.label_key),
            ui.format.value(now[metric], m.fmt, lang),
            ui.format.change(delta, m.fmt, lang),
            help=ui.tr("help_" + metric) if metric in ("online_rate", "on_time_rate") else None,
            note=ui.tr("change_vs", period=f.period.previous().label(lang)),
            lower_is_better=not m.higher_is_better,
        )
    )
ui.kpi_row(kpis, per_row=3)

trend = ui.data(filings.filings_trend, f.province, f.commune, f.period, ctx.scope)
trend = trend[trend["dossiers_received"].fillna(0) > 0]
ui.chart(charts.channel_mix(trend, lang), "channel_mix")
left, right = st.columns(2)
with left:
    ui.chart(charts.on_time_trend(trend, lang, TARGETS["on_time_rate"].value), "on_time")
with right:
    ui.chart(charts.processing_days(trend, lang), "processing_days")

procs = ui.data(filings.procedures, f.province, f.commune, f.period, ctx.scope)
left, right = st.columns(2)
with left:
    ui.chart(
        charts.procedures_bar(
            filings.top(procs, "dossiers_received"), "dossiers_received", lang, ui.tr("chart_top_procedures")
        ),
        "top_procedures",
    )
with right:
    late = filings.top(procs, "dossiers_overdue")
    if late.empty:
        ui.empty("empty_no_late", unit=unit, period=f.period.label(lang))
    else:
        ui.chart(
            charts.procedures_bar(late, "dossiers_overdue", lang, ui.tr("chart_late_procedures")),
            "late_procedures",
        )
st.subheader(ui.tr("h_procedures"))
ui.table(
    procs,
    [
        "procedure_code",
        "procedure_name",
        "sector_name",
        "dossiers_received",
        "online_rate",
        "on_time_rate",
        "dossiers_overdue",
    ],
    "procedures",
    "thu-tuc",
    height=300,
)

if f.commune is None:
    st.subheader(ui.tr("h_commune_filings"))
    table = ui.data(filings.commune_table, f.province, f.period, ctx.scope)
    ui.table(
        table.assign(province_code=f.province),
        filings.COMMUNE_COLUMNS[1:],
        "commune_filings",
        f"ho-so-theo-xa-{f.province}",
        open_commune=True,
        height=400,
    )
