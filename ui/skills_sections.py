"""Digital-skills sections (Bình dân học vụ số): the province's figures, the ranking of its communes,
a commune's monthly trend, the sessions calendar (views/skills.py) and a compact section on the
commune profile.  Numbers come from metrics.skills through the cache (ui.data)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import skills as skill_charts
from metrics import skills
from metrics.i18n import fmt_date, fmt_number, fmt_pct, t
from ui import format
from ui.cache import data
from ui.columns import COLUMNS
from ui.nav import go
from ui.state import Context
from ui.widgets import Kpi, chart, empty, kpi_row, table, tr

# Columns of the skills tables that are not catalogue metrics (kind, label key); setdefault: an entry of
# ui/columns.py (the catalogue's metrics among them) wins.
SECTION_COLUMNS = {
    "skills_rank": ("rank", "col_index_rank"),
    "skills_rank_change": ("rank_change", "col_index_rank_change"),
    "certified_gap": ("pp", "skills_certified_gap"),
    "training_on": ("date", "skills_training_on"),
    "topic": ("text", "skills_topic"),
    "audiences_text": ("text", "skills_audience"),
    "participants": ("int", "skills_participants"),
    "organiser": ("text", "skills_organiser"),
    "location": ("text", "skills_location"),
}
for _col, _spec in SECTION_COLUMNS.items():
    COLUMNS.setdefault(_col, _spec)

RANKING_COLUMNS = [
    "skills_rank",
    "commune_name",
    "skills_rank_change",
    "adults_certified_share",
    "certified_gap",
    "vneid_activation_share",
    "villages_with_team_share",
    "digital_teams",
    "villages",
    "team_members_per_1000",
    "training_sessions",
    "training_participants",
    "adults_trained_share",
]
TARGET = skills.CERTIFIED_TARGET.value


def _value(value, metric: str, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    if skill_charts.is_share(metric):
        return fmt_pct(float(value), lang)
    return fmt_number(float(value), lang, 0 if float(value).is_integer() else 1)


def _change(row: dict, before: dict | None, metric: str, lang: str) -> str | None:
    if before is None:
        return None
    kind = "pct" if skill_charts.is_share(metric) else "number"  # a plain signed number, no unit
    now, prev = row.get(metric), before.get(metric)
    if now is None or prev is None or pd.isna(now) or pd.isna(prev):
        return None
    delta = float(now) - float(prev)
    return format.change(delta, "int" if kind == "number" and delta.is_integer() else kind, lang)


def _kpi(metric: str, row: dict, before: dict | None, lang: str, note: str | None = None) -> Kpi:
    label = tr("skills_" + metric)
    return Kpi(
        label,
        _value(row.get(metric), metric, lang),
        _change(row, before, metric, lang),
        note=note,
        help=label,
    )


def _target_note(lang: str) -> str:
    return tr("skills_certified_target", target=fmt_pct(TARGET, lang, 0))


def _notes() -> None:
    st.caption(f"{tr('skills_target_assumption')} {tr('skills_attendances_note')}")


def province_kpis(ctx: Context) -> bool:
    """The province's figures for the period against the previous one; False (with an empty state)
    when the province has no digital-skills data for the period."""
    f, lang = ctx.filters, ctx.lang
    # the province's aggregates (mart_skills_area), the same for every role
    df = data(skills.summary, f.province, f.period, ctx.scope)
    current = df[df["period"] == f.period.key]
    if current.empty or current[["population", "digital_teams", "adults_certified"]].isna().all(axis=None):
        empty("empty_skills", unit=ctx.options.provinces[f.province], period=f.period.label(lang))
        return False
    row = current.iloc[0].to_dict()
    prev = df[df["period"] == f.period.previous().key]
    before = prev.iloc[0].to_dict() if len(prev) else None
    sessions = tr(
        "skills_in_period",
        sessions=fmt_number(row.get("training_sessions") or 0, lang),
        participants=fmt_number(row.get("training_participants") or 0, lang),
    )
    kpi_row(
        [
            _kpi("adults_certified_share", row, before, lang, _target_note(lang)),
            _kpi("vneid_activation_share", row, before, lang),
            _kpi(
                "villages_with_team_share",
                row,
                before,
                lang,
                tr(
                    "skills_teams_of_villages",
                    teams=fmt_number(row.get("digital_teams") or 0, lang),
                    villages=fmt_number(row.get("villages") or 0, lang),
                ),
            ),
            _kpi("team_members_per_1000", row, before, lang),
            _kpi("sessions_per_month", row, before, lang, sessions),
            _kpi("participants_per_month", row, before, lang),
            _kpi("adults_trained_share", row, before, lang),
        ]
    )
    _notes()
    return True


def ranking(ctx: Context) -> None:
    """The province's communes ranked on a chosen skills metric: bar chart and table (downloadable)."""
    f, lang = ctx.filters, ctx.lang
    st.subheader(tr("skills_ranking"))
    metric = st.selectbox(
        tr("skills_ranked_on"),
        list(skills.METRICS),
        key="skills_metric",
        index=list(skills.METRICS).index("adults_certified_share"),
        format_func=lambda m: t("skills_" + m, lang),
        width=420,
    )
    df = data(skills.province_ranking, f.province, f.period, ctx.scope, metric)
    df = df.rename(columns={"rank": "skills_rank", "rank_change": "skills_rank_change"})
    province = ctx.options.provinces[f.province]
    target = TARGET if metric == "adults_certified_share" else None
    chart(
        skill_charts.ranking_bars(df, metric, lang, province, highlight=f.commune, target=target),
        "skills_ranking_chart",
        open_commune=True,
    )
    if df["teams_exceed_villages"].any():
        st.caption(
            "⚠ "
            + tr("skills_teams_exceed_villages")
            + ": "
            + ", ".join(df.loc[df["teams_exceed_villages"], "commune_name"])
        )
    columns = [
        "skills_rank",
        "commune_name",
        "skills_rank_change",
        metric,
        *[c for c in RANKING_COLUMNS[3:] if c != metric],
    ]
    table(df, columns, "skills_ranking", f"ky-nang-so-{f.province}", open_commune=True, height=380)


def commune_trend(ctx: Context) -> None:
    """The chosen commune month by month: shares against the target, and training."""
    f, lang = ctx.filters, ctx.lang
    if f.commune is None:
        st.subheader(tr("skills_trend"))
        empty("skills_pick_commune_trend")
        return
    name = ctx.options.communes[f.commune][0]
    st.subheader(tr("h_skills_commune_trend", commune=name))
    trend = data(skills.commune_trend, f.commune, f.period, ctx.scope)
    if trend.empty or trend[["adults_certified_share", "training_sessions"]].isna().all(axis=None):
        empty("empty_skills", unit=name, period=f.period.label(lang))
        return
    left, right = st.columns(2)
    with left:
        chart(skill_charts.shares_trend(trend, lang, target=TARGET), "skills_shares_trend")
    with right:
        chart(skill_charts.training_trend(trend, lang), "skills_training_trend")


def _audiences(codes, lang: str) -> str:
    if codes is None or pd.isna(codes):
        return "–"
    return ", ".join(
        t(f"skills_audience_{c}", lang) if c in skills.AUDIENCES else c for c in str(codes).split(",")
    )


def calendar(ctx: Context) -> None:
    """Training sessions of the period: by day (chart) and listed (table, downloadable)."""
    f, lang = ctx.filters, ctx.lang
    st.subheader(tr("skills_calendar"))
    commune = None
    if f.commune is not None:
        which = st.segmented_control(
            tr("skills_calendar_scope"),
            ["commune", "province"],
            key="skills_cal_scope",
            default="commune",
            required=True,
            format_func=lambda s: tr(f"skills_scope_{s}"),
        )
        commune = f.commune if which == "commune" else None
    unit = ctx.options.communes[commune][0] if commune else ctx.options.provinces[f.province]
    sessions = data(skills.sessions_in_period, f.province, commune, f.period, ctx.scope)
    start, end = f.period.start, f.period.end - pd.Timedelta(days=1)
    if sessions.empty:
        empty("empty_sessions", unit=unit, start=fmt_date(start, lang), end=fmt_date(end, lang))
        return
    st.caption(
        tr(
            "skills_sessions_count",
            n=fmt_number(len(sessions), lang),
            participants=fmt_number(int(sessions["participants"].sum()), lang),
            start=fmt_date(start, lang),
            end=fmt_date(end, lang),
        )
    )
    chart(
        skill_charts.sessions_timeline(sessions, lang, unit_name=unit, start=start, end=end),
        "skills_sessions_timeline",
    )
    sessions = sessions.assign(audiences_text=sessions["audiences"].map(lambda a: _audiences(a, lang)))
    columns = [
        "training_on",
        *([] if commune else ["commune_name"]),
        "topic",
        "audiences_text",
        "participants",
        "organiser",
        "location",
    ]
    table(
        sessions,
        columns,
        "skills_sessions",
        f"lich-tap-huan-{commune or f.province}",
        open_commune=commune is None,
        height=360 if len(sessions) > 10 else "auto",
    )


def commune_section(ctx: Context) -> None:
    """A compact digital-skills section for the commune profile."""
    f, lang = ctx.filters, ctx.lang
    name = ctx.options.communes[f.commune][0]
    st.subheader(tr("h_skills_commune"))
    df = data(skills.skills_counts, [f.period.previous(), f.period], None, f.commune, ctx.scope)
    current = df[df["period"] == f.period.key]
    if current.empty or current[["population", "digital_teams", "adults_certified"]].isna().all(axis=None):
        empty("empty_skills", unit=name, period=f.period.label(lang))
        return
    row = current.iloc[0].to_dict()
    prev = df[df["period"] == f.period.previous().key]
    before = prev.iloc[0].to_dict() if len(prev) else None
    teams = Kpi(
        tr("skills_digital_teams"),
        fmt_number(row.get("digital_teams") or 0, lang),
        note=tr(
            "skills_teams_of_villages",
            teams=fmt_number(row.get("digital_teams") or 0, lang),
            villages=fmt_number(row.get("villages") or 0, lang),
        ),
    )
    sessions = Kpi(
        tr("skills_training_sessions"),
        fmt_number(row.get("training_sessions") or 0, lang),
        note=f"{tr('skills_training_participants')}: "
        f"{fmt_number(row.get('training_participants') or 0, lang)}",
    )
    kpi_row(
        [
            teams,
            _kpi("adults_certified_share", row, before, lang, _target_note(lang)),
            _kpi("vneid_activation_share", row, before, lang),
            sessions,
        ]
    )
    _notes()
    if st.button(tr("skills_open_page"), key="open_skills", icon=":material/school:"):
        go("skills")
