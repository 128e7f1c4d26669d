"""Digital signatures: which communes sign every non-classified outgoing document digitally?"""

import streamlit as st

import charts
import ui
from metrics import signatures

ctx = ui.current()
f, lang = ctx.filters, ctx.lang
ui.header("nav_signatures", "q_signatures")
if ui.no_period():
    st.stop()
unit = ctx.options.communes[f.commune][0] if f.commune else ctx.options.provinces[f.province]
st.subheader(f"{unit} · {f.period.label(lang)}")

summary = ui.data(signatures.signature_summary, f.province, f.commune, f.period, ctx.scope).set_index(
    "period"
)
now = summary.loc[f.period.key]
if not now["docs_issued"] > 0:
    ui.empty("empty_signatures", unit=unit, period=f.period.label(lang))
    st.stop()
prev_key = f.period.previous().key
before = summary.loc[prev_key] if prev_key in summary.index else None
fmt, prev_label = ui.format, f.period.previous().label(lang)
ui.kpi_row(
    [
        ui.Kpi(
            ui.tr("m_signature_rate"),
            fmt.value(now["signature_rate"], "pct", lang),
            fmt.change(
                None if before is None else now["signature_rate"] - before["signature_rate"], "pct", lang
            ),
            ui.tr("change_vs", period=prev_label),
            ui.tr("help_signature_rate"),
        ),
        ui.Kpi(
            ui.tr("col_docs_issued"),
            fmt.value(now["docs_issued"], "int", lang),
            None,
            ui.tr("of_which_confidential", n=fmt.value(now["docs_confidential"], "int", lang)),
        ),
        ui.Kpi(ui.tr("col_docs_signed"), fmt.value(now["docs_signed"], "int", lang)),
        ui.Kpi(
            ui.tr("communes_at_target"),
            fmt.value(now["communes_at_target"], "int", lang),
            None,
            ui.tr("of_communes_reporting", n=fmt.value(now["communes_with_signatures"], "int", lang)),
        ),
    ]
)

# The list users act on first (communes not yet at 100%), then the charts; all show the whole
# province, a chosen commune highlighted.
province = ctx.options.provinces[f.province]
table = ui.data(signatures.signature_table, f.province, None, f.period, ctx.scope)
st.subheader(ui.tr("h_under_target"))
under = signatures.under_target(table)
if under.empty:
    st.success(ui.tr("all_signed", unit=province, period=f.period.label(lang)), icon=":material/verified:")
else:
    ui.table(
        under.assign(province_code=f.province),
        signatures.COLUMNS[1:],
        "under_target",
        f"chua-ky-so-du-{f.province}",
        open_commune=True,
        height=360,
    )
missing = table[table["signature_rate"].isna()]["commune_name"].tolist()
if missing:
    st.caption(
        ui.tr(
            "communes_without_signatures",
            n=len(missing),
            names=", ".join(missing[:20]) + ("…" if len(missing) > 20 else ""),
        )
    )

st.subheader(ui.tr("h_signature_communes", province=province))
ui.chart(charts.signature_bars(table, lang, highlight=f.commune), "signature_bars", open_commune=True)
grid = ui.data(signatures.signature_grid, f.province, None, f.period, ctx.scope)
if grid["signature_rate"].notna().any():
    ui.chart(charts.signature_grid(grid, lang, highlight=f.commune), "signature_grid")
    st.caption(ui.tr("grid_note"))
