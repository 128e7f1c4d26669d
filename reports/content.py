"""The words and tables of the two reports, written once from the read-side data (metrics.report_data)
and drawn by reports/docx_writer.py and reports/pdf_writer.py (reports/xlsx_writer.py reuses the
sentences)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from core.catalogue import decimals, fmt
from core.reference import province_frame
from metrics import service_index
from metrics.definitions import GROUP_MAXIMA, GROUPS, TARGETS
from metrics.i18n import LABELS as APP_LABELS
from metrics.i18n import fmt_month, fmt_number
from metrics.report_data import CommuneReportData, ProvinceBriefingData
from reports import model as m
from reports.labels import count, date_short, pct, period_in, period_phrase, place_date, signed, t

# --------------------------------------------------------------------------------------------------
# Small helpers.


TRENDS_H, GROUPS_H = 46.0, 54.0  # mm: the commune report's two charts (reports/figures.py draws them)
DISTRIBUTION_H, WORST_GROUPS_H = 50.0, 44.0  # mm: the province briefing's two charts


def metric_label(metric: str, lang: str) -> str:
    key = f"m_{metric}" if f"m_{metric}" in APP_LABELS else f"skills_{metric}"
    return t(key, lang)


def value(metric: str, v, lang: str) -> str:
    """A figure as the catalogue writes it (core/catalogue.py: a share as 45,0%, points with 2 decimals,
    counts as integers, other figures with 1 decimal)."""
    kind = fmt(metric)
    if kind == "pct":
        return pct(v, lang)
    return fmt_number(v, lang, decimals(metric, v))


def change(metric: str, v, lang: str) -> str:
    kind = fmt(metric)
    if kind == "pct":
        return signed(None if v is None else v * 100, lang, 1, t("unit_pp", lang))
    return signed(v, lang, decimals(metric, v))


def gap(metric: str, v, lang: str) -> str:
    if fmt(metric) == "pct":
        return f"{fmt_number(v * 100, lang, 1)} {t('unit_pp', lang)}"
    return fmt_number(v, lang, 2)


def target_text(target, lang: str) -> str:
    return "–" if target is None else pct(target, lang, 0)


def rank_text(rank, ranked) -> str:
    return "–" if rank is None or ranked is None else f"{int(rank)}/{int(ranked)}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _none(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else v


def bare_name(name: str, division_type: str) -> str:
    """'Xã Vân Bán' -> 'Vân Bán'; 'Thành phố Hà Nội' -> 'Hà Nội'."""
    for prefix in (division_type, "thành phố"):
        if name.lower().startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def unit_inline(name: str, division_type: str, lang: str) -> str:
    """'xã Vân Bán' / 'Vân Bán commune'; 'thành phố Hà Nội' / 'Hà Nội city'."""
    bare = bare_name(name, division_type)
    kind = t(f"type_{division_type}", lang)
    return f"{bare} {kind}" if lang == "en" else f"{kind} {bare}"


def province_type(province_code: int) -> str:
    frame = province_frame()
    row = frame[frame["province_code"] == int(province_code)]
    return "tỉnh" if row.empty else str(row.iloc[0]["division_type"])


def _frame(
    lang: str, issuer_unit: str, place: str, issued_on: date | None, title_kind: str, subject: str
) -> tuple:
    header = m.Header(
        issuer=[t("committee", lang), issuer_unit.upper()],
        number=t("number", lang),
        motto_state=t("motto_state", lang),
        motto=t("motto", lang),
        place_date=place_date(place, issued_on, lang),
    )
    return header, m.Title(kind=t(title_kind, lang), subject=subject)


UNIT_KINDS = ("xã", "phường", "đặc khu")


def unit_counts(province_code: int) -> list[tuple[str, int]]:
    """What the province has, from the official unit list (core.reference): [('xã', 133), ('phường', 15)]
    for Phú Thọ; a kind it does not have is left out."""
    from core.reference import commune_frame

    frame = commune_frame()
    kinds = frame[frame["province_code"] == int(province_code)]["division_type"].value_counts()
    return [(kind, int(kinds[kind])) for kind in UNIT_KINDS if kinds.get(kind, 0) > 0]


def _join(parts: list[str], lang: str) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {t('and', lang)} " + parts[-1]


def province_context(province_code: int, period, lang: str) -> dict:
    """period_context plus the province's kinds of unit: {kinds} 'xã, phường', {kinds_upper}, {units}
    '133 xã và 15 phường' (never 'đặc khu' where there is none)."""
    counts = unit_counts(province_code) or [("xã", 0)]
    names = [t(f"types_{k}", lang) for k, _ in counts]
    kinds = ", ".join(names) if lang == "vi" else _join(names, lang)  # 'xã, phường' / 'communes and wards'
    units = _join([f"{fmt_number(n, lang)} {t(f'types_{k}', lang)}" for k, n in counts], lang)
    return {**period_context(period, lang), "kinds": kinds, "kinds_upper": kinds.upper(), "units": units}


def period_context(period, lang: str) -> dict:
    prev = period.previous()
    return {
        "period": period_phrase(period, lang),
        "label": period.label(lang),
        "previous_label": period_in(prev, lang),
    }


# --------------------------------------------------------------------------------------------------
# Commune report.


def commune_document(data: CommuneReportData, charts: dict, lang: str, issued_on: date | None) -> m.Document:
    ctx = period_context(data.period, lang)
    unit = unit_inline(data.commune_name, data.division_type, lang)
    prov_type = province_type(data.province_code)
    province = unit_inline(data.province_name, prov_type, lang)
    header, title = _frame(
        lang,
        unit,
        bare_name(data.commune_name, data.division_type),
        issued_on,
        "report",
        t("title_commune", lang).format(**ctx),
    )
    body: list = [m.Paragraph(t("intro_commune", lang).format(unit=unit, **ctx))]
    notes = []
    if data.is_demo:
        notes.append(t("demo_banner", lang))
    if "withheld_for_account" in data.notes:
        notes.append(t("withheld_for_account_note", lang))
    body += [m.Paragraph(n, italic=True, size=m.SMALL_PT) for n in notes]

    body.append(m.Heading(t("s_results", lang)))
    if not data.has_data:
        body.append(m.Paragraph(t("no_data_commune", lang).format(unit=unit, **ctx)))
    else:
        body += _results(data, charts, lang, unit, province, ctx)

    body.append(m.Heading(t("s_shortfalls", lang)))
    body.append(m.Bullets(commune_shortfalls(data, lang)))
    body.append(m.Paragraph(t("placeholder_causes", lang), italic=True))

    body.append(m.Heading(t("s_tasks", lang)))
    idx_tasks, target_tasks = commune_tasks(data, lang)
    if data.has_data:
        body.append(m.Heading(t("s_tasks_index", lang), 2))
        body.append(m.Bullets(idx_tasks))
        body.append(m.Heading(t("s_tasks_targets", lang), 2))
        body.append(m.Bullets(target_tasks))
        body.append(m.Heading(t("s_tasks_other", lang), 2))
    body.append(m.Paragraph(t("placeholder_tasks", lang), italic=True))

    body.append(m.Heading(t("s_proposals", lang)))
    body.append(m.Paragraph(t("placeholder_proposals", lang), italic=True))
    closing = m.Closing(
        text=t("closing_commune", lang).format(unit=unit, **ctx),
        recipients_title=t("recipients", lang),
        recipients=[
            "- " + t("to_province", lang).format(province=province),
            "- " + t("to_dost", lang),
            "- " + t("to_party_council", lang).format(unit=t(f"type_{data.division_type}", lang)),
            "- " + t("to_chairs", lang).format(unit=t(f"type_{data.division_type}", lang)),
            "- " + t("to_archive", lang),
        ],
        signer=[t("on_behalf", lang), t("chair", lang)],
        signer_note=t("signer_name", lang),
    )
    annex = (
        _commune_annex(data, charts, lang, unit, issued_on)
        if data.has_data and not data.monthly.empty
        else []
    )
    return m.Document(
        header=header,
        title=title,
        body=body,
        closing=closing,
        annex_title=(t("annex", lang) + " — " + t("annex_monthly", lang).format(unit=unit))
        if annex
        else None,
        annex=annex,
        meta_title=f"{title.kind} {title.subject} — {cap(unit)}",
        lang=lang,
    )


def _results(data: CommuneReportData, charts: dict, lang: str, unit: str, province: str, ctx: dict) -> list:
    out: list = [m.Heading(t("s_key_figures", lang), 2)]
    out.append(figures_table(data.figures, data.period, lang, t("table_key_figures", lang).format(**ctx)))
    if charts.get("trends"):
        out.append(m.Figure(charts["trends"], m.TEXT_W, TRENDS_H, t("figure_trends", lang).format(unit=unit)))

    c, p = data.counts, data.previous_counts
    out.append(m.Heading(t("s_dossiers", lang), 2))
    if data.has_dossiers:
        out.append(
            m.Paragraph(
                t("dossiers_text", lang).format(
                    unit=unit,
                    received=count(c["dossiers_received"], lang),
                    previous_received=count(p.get("dossiers_received"), lang),
                    online=count(c["dossiers_online"], lang),
                    online_rate=pct(c.get("online_rate"), lang),
                    online_split=_online_split(c, lang),
                    in_person=count(c["dossiers_in_person"], lang),
                    post_clause=_clause("post_clause", c.get("dossiers_post"), lang),
                    on_time=count(c["dossiers_on_time"], lang),
                    overdue=count(c["dossiers_overdue"], lang),
                    on_time_rate=pct(c.get("on_time_rate"), lang),
                    days=fmt_number(c.get("avg_processing_days"), lang, 1),
                    paid=count(c["dossiers_paid_online"], lang),
                    paid_rate=pct(c.get("paid_online_rate"), lang),
                    digitized=count(c["dossiers_digitized"], lang),
                    digitized_rate=pct(c.get("digitized_rate"), lang),
                    **ctx,
                )
            )
        )
    else:
        out.append(m.Paragraph(t("no_dossiers", lang).format(unit=unit, **ctx)))

    out.append(m.Heading(t("s_signatures", lang), 2))
    if data.has_signatures:
        out.append(
            m.Paragraph(
                t("signatures_text", lang).format(
                    unit=unit,
                    issued=count(c["docs_issued"], lang),
                    confidential_clause=_clause("confidential_clause", c.get("docs_confidential"), lang),
                    signed=count(c["docs_signed"], lang),
                    rate=pct(c.get("signature_rate"), lang),
                    target=target_text(TARGETS["signature_rate"].value, lang),
                    previous_rate=pct(p.get("signature_rate"), lang),
                    **ctx,
                )
            )
        )
    else:
        out.append(m.Paragraph(t("no_signatures", lang).format(unit=unit, **ctx)))

    out.append(m.Heading(t("s_index", lang), 2))
    out += _index_section(data, charts, lang, unit, province, ctx)

    if data.has_skills:
        out.append(m.Heading(t("s_skills", lang), 2))
        s = data.skills_counts
        covered = s.get("villages_with_team")
        out.append(
            m.Paragraph(
                cap(
                    t("skills_text", lang).format(
                        unit=unit,
                        teams=count(s.get("digital_teams"), lang),
                        members=count(s.get("team_members"), lang),
                        covered=count(covered, lang),
                        villages=count(s.get("villages"), lang),
                        covered_share=pct(s.get("villages_with_team_share"), lang),
                        sessions=count(s.get("training_sessions"), lang),
                        participants=count(s.get("training_participants"), lang),
                        vneid=count(s.get("vneid_level2_active"), lang),
                        vneid_share=pct(s.get("vneid_activation_share"), lang),
                        certified=count(s.get("adults_certified"), lang),
                        certified_share=pct(s.get("adults_certified_share"), lang),
                        target=target_text(s.get("certified_target"), lang),
                        **ctx,
                    )
                )
            )
        )
        out.append(
            figures_table(data.skills_figures, data.period, lang, t("table_skills", lang).format(**ctx))
        )
    return out


def _clause(key: str, n, lang: str) -> str:
    """A 'trong đó …' clause, left out when it would say zero (or nothing is known)."""
    n = _none(n)
    return "" if n is None or int(n) == 0 else t(key, lang).format(n=count(n, lang))


def _online_split(c: dict, lang: str) -> str:
    """'; toàn trình 18, một phần 12', without the parts that are zero."""
    parts = [
        t(key, lang).format(n=count(_none(c.get(col)), lang))
        for key, col in (
            ("online_full", "dossiers_online_full"),
            ("online_partial", "dossiers_online_partial"),
        )
        if _none(c.get(col)) not in (None, 0)
    ]
    return "; " + ", ".join(parts) if parts else ""


def _index_section(
    data: CommuneReportData, charts: dict, lang: str, unit: str, province: str, ctx: dict
) -> list:
    idx = data.index
    out: list = []
    if idx.get("index_total") is not None:
        change_key, n = _rank_change(idx.get("index_rank_change"), idx.get("previous_index_rank"))
        median = data.figure("index_total").get("province_median")
        tier = idx.get("tier")
        out.append(
            m.Paragraph(
                t("index_text", lang).format(
                    total=fmt_number(idx["index_total"], lang, 2),
                    estimate=t("estimate_mark", lang) if idx.get("is_derived") else "",
                    previous_total=fmt_number(idx.get("previous_index_total"), lang, 2),
                    rank=idx.get("index_rank"),
                    ranked=idx.get("communes_ranked"),
                    province=province,
                    rank_change=t(change_key, lang).format(n=n, places=_places(n), **ctx),
                    median=fmt_number(median, lang, 2),
                    tier=service_index.tier_label(tier, lang).lower()
                    if lang == "vi"
                    else service_index.tier_label(tier, lang),
                    **ctx,
                )
            )
        )
        if idx.get("is_derived"):
            out.append(m.Paragraph(t("index_derived_note", lang), italic=True, size=m.SMALL_PT))
    elif data.what.target is not None and data.what.target.status == "partial":
        out.append(
            m.Paragraph(
                t("index_partial_text", lang).format(
                    published=data.what.target.groups_published,
                    expected=data.what.target.groups_expected,
                    **ctx,
                )
            )
        )
    else:
        out.append(m.Paragraph(t("no_index", lang).format(unit=unit, **ctx)))
    groups = data.groups
    if not groups.empty and groups["score"].notna().any():
        rows = [
            [
                f"{g} · {t('group_' + g.lower(), lang)}",
                fmt_number(_none(r["score"]), lang, 2),
                fmt_number(r["max_score"], lang),
                fmt_number(_none(r["points_lost"]), lang, 2),
                fmt_number(_none(r["province_median"]), lang, 2),
                fmt_number(_none(r["province_best"]), lang, 2),
            ]
            for g, (_, r) in zip(groups["group"], groups.iterrows(), strict=True)
        ]
        out.append(
            m.Table(
                [
                    t("col_group", lang),
                    t("col_score", lang),
                    t("col_max", lang),
                    t("col_lost", lang),
                    t("province_median", lang),
                    t("province_best", lang),
                ],
                rows,
                [62, 18, 17, 18, 25, 25],
                ["L", "R", "R", "R", "R", "R"],
                caption=t("table_groups", lang).format(**ctx),
            )
        )
    return out


def _places(n: int) -> str:
    return "place" if n == 1 else "places"


def _rank_change(change_value, previous_rank) -> tuple[str, int]:
    if previous_rank is None or change_value is None:
        return "rank_new", 0
    n = int(change_value)
    return ("rank_up" if n > 0 else "rank_down" if n < 0 else "rank_same"), abs(n)


def figures_table(figures: pd.DataFrame, period, lang: str, caption: str) -> m.Table:
    rows = []
    for _, r in figures.iterrows():
        metric = r["metric"]
        rows.append(
            [
                metric_label(metric, lang),
                value(metric, _none(r["value"]), lang),
                value(metric, _none(r["previous"]), lang),
                change(metric, _none(r["change"]), lang),
                rank_text(_none(r["rank"]), _none(r["communes_ranked"])),
                value(metric, _none(r["province_median"]), lang),
                target_text(_none(r["target"]), lang),
            ]
        )
    header = [
        t("col_metric", lang),
        period.label(lang),
        period.previous().label(lang),
        t("col_change", lang),
        t("col_rank_province", lang),
        t("province_median", lang),
        t("target", lang),
    ]
    return m.Table(
        header,
        rows,
        [60.5, 14.5, 14.5, 23, 20.5, 16, 16],
        ["L", "R", "R", "R", "C", "R", "R"],
        caption=caption,
    )


# Section II lists a figure against the province median only when the difference matters: a
# processing time half a day (and a tenth) longer, a rate 2 percentage points lower, an index total a
# point lower.  A figure below its target is always listed (the target is the bar).
NOTABLE_DAYS, NOTABLE_DAYS_SHARE = 0.5, 0.10
NOTABLE_PP = 0.02
NOTABLE_POINTS = 1.0
NOTABLE_GROUP_LOSS = 0.5  # points a group loses in indicators the dossiers do not show, before III names them


def _notable(metric: str) -> float:
    return NOTABLE_PP if fmt(metric) == "pct" else NOTABLE_POINTS


def commune_shortfalls(data: CommuneReportData, lang: str) -> list[str]:
    """Section II, from the data: figures below target and/or clearly below the province median (see
    NOTABLE_*), a clearly longer processing time, the rank lost, the groups losing most points, the
    certification gap."""
    ctx = period_context(data.period, lang)
    if not data.has_data:
        return [t("short_no_data", lang).format(**ctx)]
    frames = [data.figures]
    if data.has_skills:
        frames.append(data.skills_figures[data.skills_figures["metric"] == "adults_certified_share"])
    items = []
    for _, r in pd.concat(frames, ignore_index=True).iterrows():
        metric, v = r["metric"], _none(r["value"])
        if v is None:
            continue
        target, median = _none(r["target"]), _none(r["province_median"])
        label = metric_label(metric, lang)
        if metric == "avg_processing_days":
            if median is not None and v - median >= max(NOTABLE_DAYS, NOTABLE_DAYS_SHARE * median):
                items.append(
                    t("short_days", lang).format(
                        value=fmt_number(v, lang, 1), median=fmt_number(median, lang, 1)
                    )
                )
            continue
        if metric == "index_total":
            if median is not None and median - v >= NOTABLE_POINTS:
                items.append(
                    t("short_index_median", lang).format(
                        value=fmt_number(v, lang, 2), median=fmt_number(median, lang, 2)
                    )
                )
            continue
        below_target = target is not None and v < target - 1e-9
        below_median = median is not None and median - v >= _notable(metric)
        fields = dict(
            metric=label,
            value=value(metric, v, lang),
            target=target_text(target, lang),
            gap=gap(metric, (target or 0) - v, lang),
            median=value(metric, median, lang),
            rank=_none(r["rank"]),
            ranked=_none(r["communes_ranked"]),
        )
        if below_target and below_median:
            items.append(t("short_target_median", lang).format(**fields))
        elif below_target:
            items.append(t("short_target", lang).format(**fields))
        elif below_median:
            items.append(t("short_median", lang).format(**fields))
    change_value = data.index.get("index_rank_change")
    if change_value is not None and change_value < 0:
        n = abs(int(change_value))
        items.append(
            t("short_rank_fell", lang).format(
                n=n,
                places=_places(n),
                before=data.index["previous_index_rank"],
                now=data.index["index_rank"],
                **ctx,
            )
        )
    lost = data.groups.dropna(subset=["points_lost"])
    lost = lost[lost["points_lost"] > 0.005].sort_values("points_lost", ascending=False).head(3)
    if not lost.empty:
        groups = "; ".join(
            t("short_group_item", lang).format(
                group=t("group_" + r["group"].lower(), lang),
                lost=fmt_number(r["points_lost"], lang, 2),
                max=fmt_number(r["max_score"], lang),
                median=fmt_number(_none(r["province_median"]), lang, 2),
            )
            for _, r in lost.iterrows()
        )
        items.append(t("short_groups", lang).format(groups=groups))
    return items or [t("short_none", lang)]


INDEX_ACTIONS = (
    "fewer_overdue",
    "fewer_overdue_satisfaction",
    "more_online",
    "more_paid_online",
    "more_digitized",
)


def _group_name(code: str, lang: str) -> str:
    return service_index.rules().groups[code].name(lang)


def _indicators(code: str, lang: str) -> str:
    group = service_index.rules().groups[code]
    return "; ".join(_lower_first(i.name(lang)) for i in group.not_computable)


def _lower_first(text: str) -> str:
    """'Công bố ...' -> 'công bố ...' inside a sentence; an acronym ('TTHC ...') stays as it is."""
    return text[:1].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def index_tasks(data: CommuneReportData, lang: str) -> list[str]:
    """Section III.1 as tasks: what the commune does next, with the count of dossiers and the points it
    is estimated to bring (marked 'ước tính').  No other commune is named and no formula is written
    here: the formulas are in the appendix (estimate_lines)."""
    what = data.what
    if not what.commune_name:
        return [t("task_no_index", lang)]
    target = what.target
    items: list[str] = []
    if target is not None and target.status == "ranked" and target.points_to_pass is not None:
        items.append(
            t("task_rank_up", lang).format(
                rank=target.index_rank,
                ranked=target.communes_ranked,
                points=fmt_number(target.points_to_pass, lang, 2),
            )
        )
    elif target is not None and target.status == "first":
        items.append(t("task_rank_first", lang))
    elif target is not None and target.status == "partial":
        items.append(
            t("index_target_partial", lang).format(
                published=target.groups_published, expected=target.groups_expected
            )
        )
    for lv in what.levers:
        group = _group_name(lv.group_code, lang)
        if lv.action_kind in INDEX_ACTIONS and lv.action_count:
            gain = (
                t("task_gain", lang).format(group=group, points=fmt_number(lv.points_gain, lang, 2))
                if (lv.points_gain or 0) > 0.005
                else ""
            )
            threshold = (
                t("task_threshold", lang).format(threshold=pct(lv.threshold, lang, 0))
                if lv.reaches_threshold and (lv.threshold or 1) < 1
                else ""
            )
            items.append(
                t(f"task_{lv.action_kind}", lang).format(
                    count=count(lv.action_count, lang),
                    base=count(lv.base_count, lang),
                    threshold=threshold,
                    gain=gain,
                )
            )
            if (lv.points_other or 0) >= NOTABLE_GROUP_LOSS and _indicators(lv.group_code, lang):
                items.append(
                    t("task_indicators_other", lang).format(
                        group=group,
                        indicators=_indicators(lv.group_code, lang),
                        points=fmt_number(lv.points_other, lang, 2),
                    )
                )
        elif (
            lv.action_kind in (service_index.NOT_COMPUTABLE, service_index.NOT_FROM_DOSSIERS)
            and (lv.points_lost or 0) >= NOTABLE_GROUP_LOSS
            and _indicators(lv.group_code, lang)
        ):
            items.append(
                t("task_indicators", lang).format(
                    group=group,
                    indicators=_indicators(lv.group_code, lang),
                    points=fmt_number(lv.points_lost, lang, 2),
                    est="" if lv.score_source == "published" else t("estimate_suffix", lang),
                )
            )
    return items or [t("index_target_unpublished", lang)]


def estimate_lines(data: CommuneReportData, lang: str) -> list[str]:
    """The appendix's formulas behind section III's estimates (metrics.service_index's sentences for
    every group that loses points, e.g. 'Mỗi hồ sơ quá hạn làm mất 0,333 điểm (= 20 / 60) ...')."""
    if not data.what.commune_name:
        return []
    return [
        service_index.describe_lever(lv, lang)
        for lv in data.what.levers
        if lv.action_kind in INDEX_ACTIONS and lv.action_count
    ]


def commune_tasks(data: CommuneReportData, lang: str) -> tuple[list[str], list[str]]:
    """Section III: (the service-index tasks, index_tasks; the dossiers, documents and people still
    missing to each target, from metrics.report_data.target_gaps)."""
    target_tasks = []
    for _, r in data.target_gaps.iterrows():
        needed = _none(r["needed"])
        if needed is None or needed <= 0:
            continue
        target_tasks.append(
            t(f"task_{r['metric']}", lang).format(
                needed=count(needed, lang),
                base=count(r["denominator"], lang),
                target=target_text(r["target"], lang),
            )
        )
    s = data.skills_counts
    if data.has_skills and s.get("villages") is not None and s.get("villages_with_team") is not None:
        missing = int(s["villages"] - s["villages_with_team"])
        if missing > 0:
            target_tasks.append(t("task_villages", lang).format(n=count(missing, lang)))
    return index_tasks(data, lang), target_tasks or [t("task_all_met", lang)]


def annex_reference(unit: str, issued_on: date | None, lang: str) -> m.Paragraph:
    """'(Kèm theo Báo cáo số …/BC-UBND ngày … của UBND xã Vân Bán)', under the appendix's title."""
    return m.Paragraph(
        t("annex_reference", lang).format(date=date_short(issued_on), unit=unit),
        italic=True,
        align="center",
        indent=False,
    )


def _sources(data_as_of, lang: str) -> list:
    if not data_as_of:
        return []
    return [
        m.Paragraph(
            t("annex_sources", lang) + ": " + t("source_note", lang).format(as_of=fmt_month(data_as_of)),
            italic=True,
            size=m.SMALL_PT,
        )
    ]


def _commune_annex(
    data: CommuneReportData, charts: dict, lang: str, unit: str, issued_on: date | None
) -> list:
    """The monthly table, the group-score chart (Bảng 2's figures drawn; in the appendix so the body
    stays within three pages), the formulas behind section III's estimates and the sources."""
    out: list = [annex_reference(unit, issued_on, lang), *_monthly_annex(data, lang)]
    if charts.get("groups"):
        out.append(m.Figure(charts["groups"], m.TEXT_W, GROUPS_H, t("figure_groups", lang)))
    lines = estimate_lines(data, lang)
    if lines:
        out.append(m.Heading(t("annex_estimates", lang), 2))
        out.append(m.Paragraph(t("annex_estimates_note", lang), italic=True, size=m.SMALL_PT))
        out.append(m.Bullets(lines))
    return out + _sources(data.data_as_of, lang)


def _monthly_annex(data: CommuneReportData, lang: str) -> list:
    rows = []
    for _, r in data.monthly.iterrows():
        rows.append(
            [
                fmt_month(r["month"]),
                count(_none(r["dossiers_received"]), lang),
                pct(_none(r["online_rate"]), lang),
                pct(_none(r["on_time_rate"]), lang),
                pct(_none(r["signature_rate"]), lang),
                fmt_number(_none(r.get("index_total")), lang, 2),
                rank_text(_none(r.get("index_rank")), _none(r.get("communes_ranked"))),
            ]
        )
    header = [
        t("col_month", lang),
        t("col_dossiers_received", lang),
        t("col_online", lang),
        t("col_on_time", lang),
        t("col_signature", lang),
        t("col_index", lang),
        t("col_rank", lang),
    ]
    return [m.Table(header, rows, [20, 25, 22, 22, 22, 27, 27], ["C", "R", "R", "R", "R", "R", "C"])]


# --------------------------------------------------------------------------------------------------
# Province briefing.


def province_document(
    data: ProvinceBriefingData, charts: dict, lang: str, issued_on: date | None
) -> m.Document:
    ctx = province_context(data.province_code, data.period, lang)
    ptype = province_type(data.province_code)
    province = unit_inline(data.province_name, ptype, lang)
    province_title = cap(province)
    header, title = _frame(
        lang,
        province,
        bare_name(data.province_name, ptype),
        issued_on,
        "briefing",
        t("title_province", lang).format(**ctx),
    )
    body: list = [m.Paragraph(t("intro_province", lang).format(province=province, **ctx))]
    if data.is_demo:
        body.append(m.Paragraph(t("demo_banner", lang), italic=True, size=m.SMALL_PT))
    body.append(m.Heading(t("s_overview", lang)))
    if not data.has_data:
        body.append(m.Paragraph(t("no_data_province", lang).format(province=province, **ctx)))
    else:
        body += _overview(data, lang, province, province_title, ctx)
        body.append(m.Heading(t("s_ranking", lang).format(**ctx)))
        body += _ranking_sections(data, charts, lang, ctx)
    section = 3
    if data.has_data and not data.skills_summary.empty:
        body.append(m.Heading(t("s_province_skills", lang)))
        body.append(_skills_table(data, lang, province_title, ctx))
        section = 4
    body.append(m.Heading(t("s_province_proposals", lang).format(n=_roman(section))))
    body.append(m.Paragraph(t("placeholder_remarks", lang), italic=True))
    closing = m.Closing(
        text=t("closing_province", lang).format(**ctx),
        recipients_title=t("recipients", lang),
        recipients=[
            "- "
            + t("to_province_party", lang).format(
                party="Thành ủy" if ptype != "tỉnh" else "Tỉnh ủy", kind=t(f"type_{ptype}", lang)
            ),
            "- " + t("to_chairs", lang).format(unit=t(f"type_{ptype}", lang)),
            "- " + t("to_dost", lang),
            "- " + t("to_communes", lang).format(**ctx),
            "- " + t("to_archive", lang),
        ],
        signer=[t("on_behalf", lang), t("chair", lang)],
        signer_note=t("signer_name", lang),
    )
    annex = (
        [
            annex_reference(province, issued_on, lang),
            _ranking_table(data, lang),
            *_sources(data.data_as_of, lang),
        ]
        if data.has_data
        else []
    )
    return m.Document(
        header=header,
        title=title,
        body=body,
        closing=closing,
        annex_title=(t("annex", lang) + " — " + t("table_ranking", lang).format(**ctx)) if annex else None,
        annex=annex,
        annex_landscape=True,
        meta_title=f"{title.kind} {title.subject} — {province_title}",
        lang=lang,
    )


def _roman(n: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}[n]


def _overview(data: ProvinceBriefingData, lang: str, province: str, province_title: str, ctx: dict) -> list:
    out: list = []
    idx = data.province_index
    if idx.get("index_average") is not None and idx.get("index_rank") is not None:
        key, n = _rank_change(
            idx.get("index_rank_change"), 0 if idx.get("index_rank_change") is not None else None
        )
        out.append(
            m.Paragraph(
                t("province_index_text", lang).format(
                    province=province,
                    value=fmt_number(idx["index_average"], lang, 2),
                    rank=idx["index_rank"],
                    ranked=data.provinces_ranked,
                    rank_change=t(key, lang).format(n=n, places=_places(n), **ctx),
                )
            )
        )
    else:
        out.append(m.Paragraph(t("province_index_none", lang).format(province=province, **ctx)))
    rows = []
    for _, r in data.headline.iterrows():
        metric = r["metric"]
        rows.append(
            [
                metric_label(metric, lang),
                value(metric, _none(r["value"]), lang),
                value(metric, _none(r["previous"]), lang),
                change(metric, _none(r["change"]), lang),
                value(metric, _none(r["national"]), lang),
                target_text(_none(r["target"]), lang),
            ]
        )
    out.append(
        m.Table(
            [
                t("col_metric", lang),
                data.period.label(lang),
                data.period.previous().label(lang),
                t("col_change", lang),
                t("national", lang),
                t("target", lang),
            ],
            rows,
            [47, 22, 22, 30, 22, 22],
            ["L", "R", "R", "R", "R", "R"],
            caption=t("table_headline", lang).format(province=province_title, **ctx),
        )
    )
    rows = [
        [
            metric_label(r["metric"], lang),
            target_text(r["target"], lang),
            count(r["communes_at_target"], lang),
            count(r["communes_with_data"], lang),
        ]
        for _, r in data.targets.iterrows()
    ]
    out.append(
        m.Table(
            [t("col_metric", lang), t("target", lang), t("col_at_target", lang), t("col_with_data", lang)],
            rows,
            [75, 25, 32, 33],
            ["L", "R", "R", "R"],
            caption=t("table_targets", lang),
        )
    )
    if data.targets["communes_with_data"].isna().all():
        out.append(m.Paragraph(t("not_available_for_account", lang), italic=True, size=m.SMALL_PT))
    return out


def _ranking_sections(data: ProvinceBriefingData, charts: dict, lang: str, ctx: dict) -> list:
    out: list = [m.Heading(t("s_tiers", lang), 2)]
    rows = []
    for _, r in data.tiers.iterrows():
        tier = _none(r["tier"])
        if tier is None and not r["communes"]:
            continue
        name = (
            f"{int(tier)}. {service_index.tier_label(tier, lang)}"
            if tier is not None
            else t("tier_none", lang)
        )
        span = (
            "–"
            if _none(r["min_total"]) is None
            else (f"{fmt_number(r['min_total'], lang, 2)} – {fmt_number(r['max_total'], lang, 2)}")
        )
        rows.append([name, count(r["communes"], lang), span])
    out.append(
        m.Table(
            [t("col_tier", lang), t("col_communes", lang), t("col_tier_range", lang)],
            rows,
            [75, 35, 55],
            ["L", "R", "C"],
            caption=t("table_tiers", lang),
        )
    )
    if charts.get("distribution"):
        out.append(m.Figure(charts["distribution"], m.TEXT_W, DISTRIBUTION_H, t("figure_distribution", lang)))

    out.append(m.Heading(t("s_movers", lang).format(**ctx), 2))
    if data.movers_up.empty and data.movers_down.empty:
        out.append(m.Paragraph(t("no_movers", lang).format(**ctx)))
    for frame, caption in ((data.movers_up, "table_up"), (data.movers_down, "table_down")):
        if frame.empty:
            continue
        rows = [
            [
                r["commune_name"],
                count(r["index_rank"], lang),
                count(_none(r["previous_index_rank"]), lang),
                signed(float(r["index_rank_change"]), lang, 0),
                fmt_number(_none(r["index_total"]), lang, 2),
            ]
            for _, r in frame.iterrows()
        ]
        out.append(
            m.Table(
                [
                    t("col_commune_name", lang),
                    t("col_rank", lang),
                    t("col_previous_rank", lang),
                    t("col_index_rank_change", lang),
                    t("col_index_total", lang),
                ],
                rows,
                [60, 22, 28, 25, 30],
                ["L", "C", "C", "R", "R"],
                caption=t(caption, lang),
            )
        )

    out.append(m.Heading(t("s_lowest", lang), 2))
    rows = []
    for _, r in data.lowest.iterrows():
        drags = "; ".join(f"{g} -{fmt_number(lost, lang, 2)}" for g, lost in r["groups_by_loss"][:2])
        rows.append(
            [
                count(r["index_rank"], lang),
                r["commune_name"],
                fmt_number(r["index_total"], lang, 2),
                drags,
                pct(_none(r["online_rate"]), lang),
                pct(_none(r["signature_rate"]), lang),
            ]
        )
    if rows:
        out.append(
            m.Table(
                [
                    t("col_rank", lang),
                    t("col_commune_name", lang),
                    t("col_index_total", lang),
                    t("col_drags", lang),
                    t("col_online", lang),
                    t("col_signature", lang),
                ],
                rows,
                [14, 44, 19, 52, 18, 18],
                ["C", "L", "R", "L", "R", "R"],
                caption=t("table_lowest", lang),
            )
        )
    worst = data.worst_groups.sort_values(["communes"], ascending=False, kind="stable")
    if not worst.empty and worst.iloc[0]["communes"] > 0:
        top = worst.iloc[0]
        out.append(
            m.Paragraph(
                t("worst_group_text", lang).format(
                    group=f"{top['group']} · {t('group_' + top['group'].lower(), lang)}",
                    n=count(top["communes"], lang),
                    total=count(int(worst["communes"].sum()), lang),
                )
            )
        )
    if charts.get("worst_groups"):
        out.append(m.Figure(charts["worst_groups"], m.TEXT_W, WORST_GROUPS_H, t("figure_worst_groups", lang)))
    return out


def _skills_table(data: ProvinceBriefingData, lang: str, province_title: str, ctx: dict) -> m.Table:
    s = data.skills_summary.set_index("unit")
    metrics = [
        "villages_with_team_share",
        "team_members_per_1000",
        "sessions_per_month",
        "participants_per_month",
        "vneid_activation_share",
        "adults_certified_share",
    ]
    rows = [
        [
            metric_label(metric, lang),
            value(metric, _none(s.loc["province"].get(metric)), lang),
            value(metric, _none(s.loc["national"].get(metric)), lang),
        ]
        for metric in metrics
    ]
    return m.Table(
        [t("col_metric", lang), province_title, t("national", lang)],
        rows,
        [85, 40, 40],
        ["L", "R", "R"],
        caption=t("table_province_skills", lang).format(province=province_title, **ctx),
    )


def _ranking_table(data: ProvinceBriefingData, lang: str) -> m.Table:
    rows = []
    for _, r in data.ranking.iterrows():
        change_value = _none(r["index_rank_change"])
        rows.append(
            [
                count(_none(r["index_rank"]), lang),
                "–" if change_value is None else signed(float(change_value), lang, 0),
                r["commune_name"],
                count(_none(r["tier"]), lang),
                fmt_number(_none(r["index_total"]), lang, 2),
                *[fmt_number(_none(r[f"score_{g.lower()}"]), lang, 2) for g in GROUPS],
                pct(_none(r["online_rate"]), lang),
                pct(_none(r["on_time_rate"]), lang),
                pct(_none(r["signature_rate"]), lang),
            ]
        )
    header = [
        t("col_rank", lang),
        t("col_change", lang),
        t("col_commune_name", lang),
        t("col_tier", lang),
        t("col_index_total", lang),
        *[f"{g} ({GROUP_MAXIMA[g]:g})" for g in GROUPS],
        t("col_online", lang),
        t("col_on_time", lang),
        t("col_signature", lang),
    ]
    return m.Table(
        header,
        rows,
        [12, 15, 44, 14, 17, *[16] * 6, 18, 18, 18],
        ["C", "R", "L", "C", "R", *["R"] * 6, "R", "R", "R"],
        size=9,
    )
