"""Service index (Decision 766): who ranks where, how ranks moved, and which group costs most points."""

import streamlit as st

import charts
import ui
from metrics import rankings
from metrics.definitions import GROUP_COLUMNS, GROUPS
from metrics.i18n import t
from ui import index_sections, portal_sections

ctx = ui.current()
f, lang = ctx.filters, ctx.lang
ui.header("nav_index", "q_index")
if ui.no_period():
    st.stop()
province = ctx.options.provinces[f.province]
st.subheader(f"{province} · {f.period.label(lang)}")
portal_sections.provisional_note(ctx, f.province)

ranking = ui.data(rankings.province_ranking, f.province, f.period, ctx.scope)
ranked = ranking.dropna(subset=["index_total"])
if ranked.empty:
    ui.empty("empty_index", province=province, period=f.period.label(lang))
    st.stop()
if ranked["is_derived"].any():
    st.caption(ui.tr("index_derived_note"))

columns = ["index_rank", "commune_name", "index_total", "tier", "index_rank_change", *GROUP_COLUMNS.values()]
ui.table(ranked, columns, "index_ranking", f"chi-so-766-{f.province}", open_commune=True, height=380)
ui.tier_legend()
index_sections.departments(ctx)

st.subheader(ui.tr("h_bump"))
codes = ranked["commune_code"].astype(int).tolist()
names = dict(zip(codes, ranked["commune_name"], strict=True))
chosen = st.multiselect(
    ui.tr("pick_communes"),
    codes,
    key="bump_communes",
    format_func=names.get,
    default=rankings.default_bump_communes(ranked, f.commune),
    max_selections=10,
    placeholder=t("choose", lang),
)
history = portal_sections.closed_only(
    ctx, ui.data(rankings.rank_histories, f.province, chosen, f.period, ctx.scope), f.province
)
if history.empty:
    ui.empty("empty_bump")
else:
    ui.chart(charts.bump(history, lang), "bump", open_commune=True)

left, right = st.columns(2)
mine = ranked[ranked["commune_code"] == f.commune]
with left:
    ui.chart(
        charts.score_histogram(
            ranked,
            lang,
            highlight=mine["index_total"].iloc[0] if len(mine) else None,
            highlight_name=mine["commune_name"].iloc[0] if len(mine) else None,
        ),
        "score_histogram",
    )
losses = rankings.group_losses(ranked)
with right:
    ui.chart(charts.worst_groups(rankings.worst_group_counts(losses), lang), "worst_groups")

st.subheader(ui.tr("h_group_losses"))
ui.table(
    losses.assign(province_code=f.province),
    [
        "index_rank",
        "commune_name",
        "index_total",
        "worst_group",
        "worst_group_lost",
        *[f"lost_{g.lower()}" for g in GROUPS],
    ],
    "group_losses",
    f"diem-mat-{f.province}",
    open_commune=True,
    height=360,
)

index_sections.what_it_takes(ctx, key="index_wit")
index_sections.published_vs_computed(ctx)
