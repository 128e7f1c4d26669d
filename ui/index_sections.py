"""Service-index sections shared by pages: "what it takes" for one commune (commune profile and
service-index pages) and published vs computed for a province (service-index page).

Numbers come from metrics.service_index through the cache (ui.data); sentences from
`service_index.describe`; the scoring rules are shown as unconfirmed assumptions.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts.index_levers import points_lost
from metrics import service_index
from metrics.i18n import fmt_number, t
from ui.cache import data
from ui.columns import COLUMNS
from ui.state import Context
from ui.widgets import Kpi, chart, empty, kpi_row, table, tr

# The columns these sections show (kind, label key); kept here so that ui/columns.py stays untouched
# by this feature.  setdefault: an entry ui/columns.py defines wins.
SECTION_COLUMNS = {
    "wit_score": ("score", "col_wit_score"),
    "points_gain": ("score", "col_wit_recoverable"),
    "points_other": ("score", "col_wit_other"),
    "action_count": ("int", "col_wit_dossiers"),
    "group_text": ("text", "col_group"),
    "coverage_text": ("text", "col_coverage"),
    "published_score": ("score", "index_published_score"),
    "computed_score": ("score", "index_computed_score"),
    "published_minus_computed": ("score_change", "index_published_minus_computed"),
    "flagged_text": ("text", "col_flagged"),
    "indicator_name": ("text", "col_indicator"),
    "computable_text": ("text", "col_computable"),
    "formula": ("text", "col_formula"),
    "full_at": ("pct", "col_full_at"),
    "reason": ("text", "col_reason"),
    "confirmed_text": ("text", "col_confirmed"),
    "rule_source": ("text", "col_rule_source"),
}
for _col, _spec in SECTION_COLUMNS.items():
    COLUMNS.setdefault(_col, _spec)


def _pts(value, lang: str) -> str:
    return "–" if value is None or pd.isna(value) else fmt_number(float(value), lang, 2)


def _group_text(code: str, lang: str) -> str:
    group = service_index.rules().groups.get(code)
    return f"{code} · {group.name(lang)}" if group else code


def _yes_no(value, lang: str) -> str:
    return t("yes", lang) if bool(value) else t("no", lang)


def assumptions(ctx: Context, key: str) -> None:
    """The honest note (rules unconfirmed) and the rules table in an expander."""
    lang = ctx.lang
    st.caption(tr("wit_unconfirmed"), help=tr("index_rules_unconfirmed"))
    with st.expander(tr("h_assumptions"), icon=":material/rule:"):
        rules = data(service_index.rules_table, lang).rename(columns={"source": "rule_source"})
        rules["group"] = rules["group_code"]
        rules["computable_text"] = rules["computable"].map(lambda v: _yes_no(v, lang))
        rules["confirmed_text"] = rules["confirmed"].map(lambda v: _yes_no(v, lang))
        table(
            rules,
            [
                "group",
                "max_score",
                "indicator_name",
                "computable_text",
                "formula",
                "full_at",
                "reason",
                "confirmed_text",
                "rule_source",
            ],
            f"{key}_rules",
            "quy-tac-chi-so-766",
        )


def what_it_takes(ctx: Context, key: str = "wit") -> None:
    """For the chosen commune and period: points lost per group and the change that recovers them, the
    points needed to pass the next commune above and the cheapest group; empty state when unpublished."""
    f, lang = ctx.filters, ctx.lang
    st.subheader(tr("h_what_it_takes"))
    if f.commune is None:
        empty("wit_pick_commune")
        return
    name = ctx.options.communes[f.commune][0]
    result = data(service_index.what_it_takes, f.commune, f.period, ctx.scope)
    target = result.target
    if result.commune_name is None or target is None or target.status == "unpublished":
        empty("empty_what_it_takes", commune=name, period=f.period.label(lang))
        return
    st.caption(tr("wit_intro", period=f.period.label(lang)))
    frame = result.to_frame()
    kpis = [
        Kpi(tr("wit_points_lost_total"), _pts(frame["points_lost"].sum(min_count=1), lang)),
        Kpi(tr("wit_points_recoverable_total"), _pts(frame["points_gain"].sum(min_count=1), lang)),
    ]
    if target.status == "ranked":
        rank = tr("rank_of", rank=target.next_rank, total=target.communes_ranked)
        kpis.append(
            Kpi(
                tr("wit_points_to_pass"),
                _pts(target.points_to_pass, lang),
                note=f"{target.next_commune_name} · {rank}",
            )
        )
        if target.cheapest_group:
            group = service_index.rules().groups[target.cheapest_group]
            kpis.append(
                Kpi(
                    tr("wit_cheapest_group"),
                    group.code,
                    help=group.name(lang),
                    note=tr(
                        "wit_cheapest_note",
                        group=group.name(lang),
                        count=fmt_number(target.cheapest_count, lang),
                    ),
                )
            )
    kpi_row(kpis)
    st.markdown("\n".join(f"- {line}" for line in service_index.describe(result, lang)))

    frame["group"] = frame["group_code"]
    frame["wit_score"] = frame["published_score"].where(
        frame["published_score"].notna(), frame["computed_score"]
    )
    # NaN (shown as '–'), not pd.NA / None: no dossier action, or nothing the dossiers can recover.
    frame["action_count"] = frame["action_count"].astype("float64").where(frame["points_gain"].fillna(0) > 0)
    frame["points_gain"] = (
        frame["points_gain"].astype("float64").fillna(0.0)
    )  # no dossier lever: 0 recoverable
    chart(points_lost(frame, lang), f"{key}_chart")
    table(
        frame,
        ["group", "wit_score", "points_lost", "points_gain", "points_other", "action_count"],
        f"{key}_table",
        f"can-gi-de-tang-diem-{f.commune}",
    )
    assumptions(ctx, key)


def _not_computable_text(lang: str) -> str:
    r = service_index.rules()
    parts = []
    for g in r.layout("six_groups"):
        names = [i.name(lang) for i in g.not_computable]
        if names:
            parts.append(f"{g.code} ({'; '.join(names)})")
    return ", ".join(parts)


def published_vs_computed(ctx: Context, key: str = "pvc") -> None:
    """Published and computed group scores side by side for the province and period, flagged over the
    tolerance, with what the dossiers cannot tell; downloadable."""
    f, lang = ctx.filters, ctx.lang
    province = ctx.options.provinces[f.province]
    st.subheader(tr("h_published_vs_computed"))
    tolerance = fmt_number(service_index.rules().tolerance_points, lang, 1)
    st.caption(tr("pvc_intro", tolerance=tolerance, indicators=_not_computable_text(lang)))
    df = data(service_index.published_vs_computed, f.province, f.period, ctx.scope)
    if df.empty:
        empty("empty_published_vs_computed", province=province, period=f.period.label(lang))
        return
    df = df.assign(
        group_text=df["group_code"].map(lambda c: _group_text(c, lang)),
        coverage_text=df["coverage"].map(lambda c: t(f"index_coverage_{c}", lang)),
        flagged_text=df["flagged"].map(lambda v: "⚠ " + t("yes", lang) if v else ""),
    )
    row = st.container(horizontal=True, gap="medium", vertical_alignment="center")
    groups = list(dict.fromkeys(df["group_code"]))
    chosen = row.selectbox(
        tr("col_group"),
        [None, *groups],
        key=f"{key}_group",
        format_func=lambda c: tr("all_groups") if c is None else _group_text(c, lang),
        width=260,
    )
    only_flagged = row.toggle(tr("pvc_only_flagged"), key=f"{key}_flagged")
    st.caption(tr("pvc_flagged_count", n=int(df["flagged"].sum()), total=len(df), tolerance=tolerance))
    view = df
    if chosen is not None:
        view = view[view["group_code"] == chosen]
    if only_flagged:
        view = view[view["flagged"]]
    table(
        view,
        [
            "commune_name",
            "group_text",
            "coverage_text",
            "published_score",
            "computed_score",
            "published_minus_computed",
            "flagged_text",
        ],
        f"{key}_table",
        f"cong-bo-va-tinh-{f.province}",
        open_commune=True,
        height=360,
    )


def departments(ctx) -> None:
    """The province's departments (sở, ngành) ranked beside its communes, as the portal ranks them;
    says so when the warehouse holds none for the period (the demo has none)."""
    from metrics import departments as dept

    f, lang = ctx.filters, ctx.lang
    st.subheader(tr("h_departments"))
    ranking = data(dept.department_ranking, f.province, f.period, ctx.scope)
    if ranking.empty:
        st.info(tr("departments_none", period=f.period.label(lang)), icon=":material/info:")
        return
    partial = int(ranking["index_total"].isna().sum())
    columns = ["index_rank", "department_name", "index_total", "index_rank_change", *dept.GROUP_SCORES]
    table(ranking, columns, "department_ranking", f"so-nganh-{f.province}")
    st.caption(tr("departments_note", n=len(ranking)))
    if partial:
        st.caption(tr("departments_partial", n=partial))
