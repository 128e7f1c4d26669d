"""The reports' workbooks (xlsxwriter): the figures as numbers (rates as fractions with a percent
format, exactly the read-side values), per-month tables and native Excel charts."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import xlsxwriter

from charts import style
from core.catalogue import FORMATS, METRICS, decimals
from core.catalogue import fmt as metric_fmt
from metrics.definitions import GROUP_COLUMNS, GROUP_MAXIMA, GROUPS
from metrics.report_data import CommuneReportData, ProvinceBriefingData
from reports import content
from reports.labels import t

# Each display format of core/catalogue.py, and the signed formats of changes.
NUMBER_FORMATS = {
    **{name: excel for name, (_decimals, excel) in FORMATS.items()},
    "change_pct": "+0.0%;-0.0%;0.0%",
    "change_score": "+0.00;-0.00;0.00",
    "change_number": "+0.0;-0.0;0.0",
    "change_int": "+0;-0;0",
    "month": "mm/yyyy",
}


class _Book:
    """A workbook with the shared cell formats."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(
            self.buf,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "nan_inf_to_errors": False,
            },
        )
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "vcenter"}
        self.f = {
            name: self.wb.add_format({**base, "num_format": fmt, "border": 1})
            for name, fmt in NUMBER_FORMATS.items()
        }
        self.f["text"] = self.wb.add_format({**base, "border": 1, "text_wrap": True})
        self.f["plain"] = self.wb.add_format(base)
        self.f["wrap"] = self.wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.f["note"] = self.wb.add_format({**base, "italic": True, "font_color": "#555555"})
        self.f["title"] = self.wb.add_format({**base, "bold": True, "font_size": 14})
        self.f["h2"] = self.wb.add_format({**base, "bold": True, "font_size": 12})
        self.f["head"] = self.wb.add_format(
            {**base, "bold": True, "border": 1, "text_wrap": True, "align": "center", "bg_color": "#DDEBF7"}
        )
        self.f["label"] = self.wb.add_format({**base, "bold": True})

    def sheet(self, name: str, landscape: bool = False):
        """A worksheet printed on A4, one page wide."""
        ws = self.wb.add_worksheet(name[:31])
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        if landscape:
            ws.set_landscape()
        return ws

    def close(self) -> bytes:
        self.wb.close()
        return self.buf.getvalue()

    def put(self, ws, row: int, col: int, value, fmt: str = "text") -> None:
        f = self.f[fmt]
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
            ws.write_blank(row, col, None, f)
        elif isinstance(value, date):
            ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), f)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(row, col, float(value), f)
        else:
            ws.write_string(row, col, str(value), f)

    def table(
        self,
        ws,
        row: int,
        col: int,
        header: list[str],
        rows: list[list],
        fmts: list[str],
        widths: list[float] | None = None,
    ) -> int:
        """Write a header row and rows from (row, col); return the first row after the table."""
        for j, text in enumerate(header):
            ws.write_string(row, col + j, text, self.f["head"])
        for i, values in enumerate(rows):
            for j, (v, fmt) in enumerate(zip(values, fmts, strict=True)):
                self.put(ws, row + 1 + i, col + j, _py(v), fmt)
        if widths:
            for j, w in enumerate(widths):
                ws.set_column(col + j, col + j, w)
        return row + 1 + len(rows)

    def heading(self, ws, lines: list[tuple[str, str]], demo: bool, lang: str) -> int:
        """Title lines (label, value) and the demo note; returns the next free row."""
        row = 0
        for i, (label, value) in enumerate(lines):
            if i == 0:
                ws.write_string(row, 0, value, self.f["title"])
            else:
                ws.write_string(row, 0, label, self.f["label"])
                ws.write_string(row, 1, value, self.f["plain"])
            row += 1
        if demo:
            ws.write_string(row, 0, t("demo_banner", lang), self.f["note"])
            row += 1
        ws.write_string(row, 0, t("xlsx_rates_note", lang), self.f["note"])
        return row + 2


def _py(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and pd.isna(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes, date)):
        return v.item()
    return v


def _kind(metric: str, value=None) -> str:
    """The cell format of `metric`'s `value`: a count per month over one month is a whole count (3, not 3,0)."""
    kind = metric_fmt(metric)
    return "int" if kind == "number" and decimals(metric, _py(value)) == 0 else kind


def _change_kind(metric: str, value=None) -> str:
    kind = _kind(metric, value)
    return {"pct": "change_pct", "score": "change_score", "int": "change_int"}.get(kind, "change_number")


def _spec(column: str, label_key: str | None = None) -> tuple[str, str, str]:
    """(column, label key, format) of a catalogue metric (core/catalogue.py)."""
    return column, label_key or METRICS[column].label_key, metric_fmt(column)


def _col(column: str, lang: str, label_key: str | None = None) -> tuple[str, str, str]:
    """(column, label, format) of a catalogue metric, the label in `lang`."""
    name, key, kind = _spec(column, label_key)
    return name, t(key, lang), kind


# ------------------------------------------------------------------------------------------ commune


def _dates(issued_on: date | None, lang: str) -> list[tuple[str, str]]:
    """The day the file was made, and the report's date when the secretary chose one."""
    lines = [(t("xlsx_generated", lang), date.today().strftime("%d/%m/%Y"))]
    if issued_on is not None:
        lines.append((t("xlsx_issued", lang), issued_on.strftime("%d/%m/%Y")))
    return lines


def commune_workbook(data: CommuneReportData, lang: str, issued_on: date | None) -> bytes:
    b = _Book()
    per = data.period
    unit = content.unit_inline(data.commune_name, data.division_type, lang)
    title = f"{t('report', lang)} {t('title_commune', lang).format(**content.period_context(per, lang))}"
    lines = [
        ("", title),
        (t("xlsx_commune", lang), data.commune_name),
        (t("xlsx_province", lang), data.province_name),
        (t("xlsx_period", lang), per.label(lang)),
        *_dates(issued_on, lang),
    ]

    ws = b.sheet(t("sheet_summary", lang))
    row = b.heading(ws, lines, data.is_demo, lang)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 7, 14)
    if not data.has_data:
        ws.write_string(
            row,
            0,
            t("no_data_commune", lang).format(unit=unit, **content.period_context(per, lang)),
            b.f["plain"],
        )
    else:
        _commune_figures(b, ws, row, data.figures, per, lang)
        row += len(data.figures) + 3
        ws.write_string(row, 0, t("xlsx_counts", lang), b.f["h2"])
        counts = [
            "dossiers_received",
            "dossiers_online",
            "dossiers_online_full",
            "dossiers_online_partial",
            "dossiers_in_person",
            "dossiers_post",
            "dossiers_on_time",
            "dossiers_overdue",
            "dossiers_paid_online",
            "dossiers_digitized",
            "docs_issued",
            "docs_confidential",
            "docs_signed",
        ]
        rows = [[_count_label(c, lang), data.counts.get(c), data.previous_counts.get(c)] for c in counts]
        b.table(
            ws,
            row + 1,
            0,
            [t("col_metric", lang), per.label(lang), per.previous().label(lang)],
            rows,
            ["text", "int", "int"],
        )

        _commune_monthly(b, data, lang)
        _commune_index(b, data, lang)
        if data.has_skills:
            _commune_skills(b, data, lang)

    ws = b.sheet(t("sheet_text", lang))
    ws.set_column(0, 0, 120)
    r = 0
    index_tasks, target_tasks = content.commune_tasks(data, lang)
    for heading, items in (
        (t("s_shortfalls", lang), content.commune_shortfalls(data, lang)),
        (t("s_tasks", lang) + " — " + t("s_tasks_index", lang)[3:], index_tasks),
        (t("s_tasks", lang) + " — " + t("s_tasks_targets", lang)[3:], target_tasks),
    ):
        ws.write_string(r, 0, heading, b.f["h2"])
        r += 1
        for item in items:
            ws.write_string(r, 0, "- " + item, b.f["wrap"])
            r += 1
        r += 1
    return b.close()


def _count_label(column: str, lang: str) -> str:
    from metrics.i18n import LABELS as APP

    key = f"col_{column}"
    if key in APP:
        return t(key, lang)
    return {
        "dossiers_online_full": t("channel_online_full", lang),
        "dossiers_online_partial": t("channel_online_partial", lang),
        "dossiers_in_person": t("channel_in_person", lang),
        "dossiers_post": t("channel_post", lang),
        "dossiers_paid_online": t("m_paid_online_rate", lang).replace("Tỷ lệ ", "").capitalize()
        if lang == "vi"
        else "Paid online",
        "dossiers_digitized": "Hồ sơ số hóa" if lang == "vi" else "Digitized",
    }.get(column, column)


def _commune_figures(b: _Book, ws, row: int, figures: pd.DataFrame, per, lang: str) -> None:
    header = [
        t("col_metric", lang),
        per.label(lang),
        per.previous().label(lang),
        t("col_change", lang),
        t("col_rank_province", lang),
        t("col_communes", lang),
        t("province_median", lang),
        t("target", lang),
    ]
    for j, text in enumerate(header):
        ws.write_string(row, j, text, b.f["head"])
    for i, (_, r) in enumerate(figures.iterrows()):
        metric = r["metric"]
        values = [
            (content.metric_label(metric, lang), "text"),
            (r["value"], _kind(metric, r["value"])),
            (r["previous"], _kind(metric, r["previous"])),
            (r["change"], _change_kind(metric, r["change"])),
            (r["rank"], "int"),
            (r["communes_ranked"], "int"),
            (r["province_median"], _kind(metric, r["province_median"])),
            (r["target"], "pct"),
        ]
        for j, (v, fmt) in enumerate(values):
            b.put(ws, row + 1 + i, j, _py(v), fmt)


def _commune_monthly(b: _Book, data: CommuneReportData, lang: str) -> None:
    ws = b.sheet(t("sheet_monthly", lang), landscape=True)
    mon = data.monthly
    cols = [
        ("month", t("col_month", lang), "month"),
        *[
            _col(c, lang)
            for c in (
                "dossiers_received",
                "dossiers_online",
                "dossiers_online_full",
                "dossiers_on_time",
                "dossiers_overdue",
            )
        ],
        (
            "dossiers_paid_online",
            _count_label("dossiers_paid_online", lang),
            metric_fmt("dossiers_paid_online"),
        ),
        ("dossiers_digitized", _count_label("dossiers_digitized", lang), metric_fmt("dossiers_digitized")),
        *[_col(c, lang) for c in ("docs_issued", "docs_confidential", "docs_signed")],
    ]
    for rate in ("online_rate", "on_time_rate", "signature_rate"):
        name, label, kind = _col(rate, lang)
        cols += [
            (name, label, kind),
            (f"province_median_{rate}", f"{label} — {t('province_median', lang)}", kind),
        ]
    cols += [
        _col("avg_processing_days", lang),
        _col("index_total", lang, "m_index_total"),
        _col("index_rank", lang),
    ]
    cols = [c for c in cols if c[0] in mon.columns]
    ws.set_row(0, 45)
    rows = [[r[c[0]] for c in cols] for _, r in mon.iterrows()]
    b.table(ws, 0, 0, [c[1] for c in cols], rows, [c[2] for c in cols], [10] + [13] * (len(cols) - 1))
    ws.freeze_panes(1, 1)
    n = len(mon)
    if n == 0:
        return
    names = [c[0] for c in cols]
    sheet = ws.get_name()
    for k, metric in enumerate(["online_rate", "on_time_rate", "signature_rate"]):
        if metric not in names:
            continue
        chart = b.wb.add_chart({"type": "line"})
        j = names.index(metric)
        chart.add_series(
            {
                "name": data.commune_name,
                "categories": [sheet, 1, 0, n, 0],
                "values": [sheet, 1, j, n, j],
                "line": {"color": style.MAIN, "width": 2.25},
                "marker": {
                    "type": "circle",
                    "size": 4,
                    "fill": {"color": style.MAIN},
                    "border": {"color": style.MAIN},
                },
            }
        )
        median = f"province_median_{metric}"
        if median in names:
            jm = names.index(median)
            chart.add_series(
                {
                    "name": t("province_median", lang),
                    "categories": [sheet, 1, 0, n, 0],
                    "values": [sheet, 1, jm, n, jm],
                    "line": {"color": style.MEDIAN, "dash_type": "dash", "width": 1.5},
                }
            )
        chart.set_title({"name": t("m_" + metric, lang), "name_font": {"size": 11}})
        chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
        chart.set_x_axis({"num_format": "mm/yyyy", "date_axis": False})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 480, "height": 280})
        ws.insert_chart(n + 3, k * 8, chart)


def _commune_index(b: _Book, data: CommuneReportData, lang: str) -> None:
    ws = b.sheet(t("sheet_index", lang))
    sheet = ws.get_name()
    groups = data.groups
    header = [
        t("col_group", lang),
        t("col_group", lang),
        t("col_score", lang),
        t("col_max", lang),
        t("col_lost", lang),
        t("province_median", lang),
        t("province_best", lang),
        t("col_best_commune", lang),
    ]
    header[0] = "Mã" if lang == "vi" else "Code"
    rows = [
        [
            r["group"],
            t("group_" + r["group"].lower(), lang),
            r["score"],
            r["max_score"],
            r["points_lost"],
            r["province_median"],
            r["province_best"],
            r["best_commune"],
        ]
        for _, r in groups.iterrows()
    ]
    end = b.table(
        ws, 0, 0, header, rows, ["text", "text", *["score"] * 5, "text"], [8, 28, 10, 10, 10, 14, 14, 24]
    )
    n = len(groups)
    if n and groups["score"].notna().any():
        chart = b.wb.add_chart({"type": "bar"})
        for j, name, colour in (
            (2, data.commune_name, style.MAIN),
            (5, t("province_median", lang), style.MEDIAN),
            (6, t("province_best", lang), style.HIGHLIGHT),
        ):
            chart.add_series(
                {
                    "name": name,
                    "categories": [sheet, 1, 0, n, 0],
                    "values": [sheet, 1, j, n, j],
                    "fill": {"color": colour},
                    "gap": 60,
                }
            )
        chart.set_title({"name": t("chart_group_scores", lang), "name_font": {"size": 11}})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"min": 0, "max": max(GROUP_MAXIMA.values()), "num_format": "0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 320})
        ws.insert_chart(end + 1, 0, chart)

    hist = data.rank_history
    start = end + 19
    ws.write_string(start, 0, t("xlsx_rank_history", lang), b.f["h2"])
    rows = [
        [r["period"], r["index_rank"], r["communes_ranked"], r["index_total"]] for _, r in hist.iterrows()
    ]
    b.table(
        ws,
        start + 1,
        0,
        [
            t("axis_period", lang),
            t("col_index_rank", lang),
            t("col_communes", lang),
            t("col_index_total", lang),
        ],
        rows,
        ["text", "int", "int", metric_fmt("index_total")],
    )
    m = len(hist)
    if m and hist["index_rank"].notna().any():
        chart = b.wb.add_chart({"type": "line"})
        chart.add_series(
            {
                "name": t("col_index_rank", lang),
                "categories": [sheet, start + 2, 0, start + 1 + m, 0],
                "values": [sheet, start + 2, 1, start + 1 + m, 1],
                "line": {"color": style.MAIN, "width": 2.25},
                "marker": {"type": "circle", "size": 5, "fill": {"color": style.MAIN}},
            }
        )
        chart.set_title({"name": t("chart_rank_history", lang), "name_font": {"size": 11}})
        chart.set_y_axis({"reverse": True, "min": 1, "name": t("axis_rank", lang)})
        chart.set_legend({"none": True})
        chart.set_size({"width": 480, "height": 280})
        ws.insert_chart(start + 1, 6, chart)


def _commune_skills(b: _Book, data: CommuneReportData, lang: str) -> None:
    ws = b.sheet(t("sheet_skills", lang), landscape=True)
    sheet = ws.get_name()
    ws.set_column(0, 0, 40)
    ws.set_column(1, 7, 14)
    _commune_figures(b, ws, 0, data.skills_figures, data.period, lang)
    mon = data.skills_monthly
    if mon is None or mon.empty:
        return
    start = len(data.skills_figures) + 3
    cols = [
        ("month", t("col_month", lang), "month"),
        *[
            _col(c, lang)
            for c in (
                "digital_teams",
                "team_members",
                "training_sessions",
                "training_participants",
                "vneid_level2_active",
                "adults_certified",
                "adults_certified_share",
            )
        ],
        ("certified_target", t("target", lang), "pct"),
    ]
    cols = [c for c in cols if c[0] in mon.columns]
    rows = [[_month_value(r[c[0]]) if c[0] == "month" else r[c[0]] for c in cols] for _, r in mon.iterrows()]
    ws.set_row(start, 45)
    b.table(ws, start, 0, [c[1] for c in cols], rows, [c[2] for c in cols])
    names = [c[0] for c in cols]
    n = len(mon)
    if "adults_certified_share" in names:
        chart = b.wb.add_chart({"type": "line"})
        j = names.index("adults_certified_share")
        chart.add_series(
            {
                "name": t("skills_adults_certified_share", lang),
                "categories": [sheet, start + 1, 0, start + n, 0],
                "values": [sheet, start + 1, j, start + n, j],
                "line": {"color": style.MAIN, "width": 2.25},
            }
        )
        if "certified_target" in names:
            jt = names.index("certified_target")
            chart.add_series(
                {
                    "name": t("target", lang),
                    "categories": [sheet, start + 1, 0, start + n, 0],
                    "values": [sheet, start + 1, jt, start + n, jt],
                    "line": {"color": style.TARGET, "dash_type": "round_dot"},
                }
            )
        chart.set_title({"name": t("skills_adults_certified_share", lang), "name_font": {"size": 11}})
        chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
        chart.set_x_axis({"num_format": "mm/yyyy", "date_axis": False})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 520, "height": 280})
        ws.insert_chart(start + n + 2, 0, chart)


def _month_value(v):
    return pd.Timestamp(v).date() if v is not None and not pd.isna(v) else None


# ------------------------------------------------------------------------------------------ province


def province_workbook(data: ProvinceBriefingData, lang: str, issued_on: date | None) -> bytes:
    b = _Book()
    per = data.period
    ctx = content.province_context(data.province_code, per, lang)
    title = f"{t('briefing', lang)} {t('title_province', lang).format(**ctx)}"
    lines = [
        ("", title),
        (t("xlsx_province", lang), data.province_name),
        (t("xlsx_period", lang), per.label(lang)),
        *_dates(issued_on, lang),
    ]
    ws = b.sheet(t("sheet_overview", lang))
    sheet = ws.get_name()
    row = b.heading(ws, lines, data.is_demo, lang)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 6, 14)
    if not data.has_data:
        ws.write_string(
            row, 0, t("no_data_province", lang).format(province=data.province_name, **ctx), b.f["plain"]
        )
        return b.close()
    header = [
        t("col_metric", lang),
        per.label(lang),
        per.previous().label(lang),
        t("col_change", lang),
        t("national", lang),
        t("target", lang),
    ]
    for j, text in enumerate(header):
        ws.write_string(row, j, text, b.f["head"])
    for i, (_, r) in enumerate(data.headline.iterrows()):
        metric = r["metric"]
        for j, (v, fmt) in enumerate(
            [
                (content.metric_label(metric, lang), "text"),
                (r["value"], _kind(metric, r["value"])),
                (r["previous"], _kind(metric, r["previous"])),
                (r["change"], _change_kind(metric, r["change"])),
                (r["national"], _kind(metric, r["national"])),
                (r["target"], "pct"),
            ]
        ):
            b.put(ws, row + 1 + i, j, _py(v), fmt)
    row += len(data.headline) + 2
    idx = data.province_index
    for label, v, kind in (
        (t("m_index_average", lang), idx.get("index_average"), metric_fmt("index_average")),
        (t("col_national_rank", lang), idx.get("index_rank"), metric_fmt("national_rank")),
        (t("col_index_rank_change", lang), idx.get("index_rank_change"), "change_int"),
    ):
        ws.write_string(row, 0, label, b.f["label"])
        b.put(ws, row, 1, _py(v), kind)
        row += 1
    ws.write_string(row, 0, t("col_communes", lang), b.f["label"])
    b.put(ws, row, 1, data.communes, "int")
    row += 2
    rows = [
        [
            content.metric_label(r["metric"], lang),
            r["target"],
            r["communes_at_target"],
            r["communes_with_data"],
        ]
        for _, r in data.targets.iterrows()
    ]
    row = (
        b.table(
            ws,
            row,
            0,
            [t("col_metric", lang), t("target", lang), t("col_at_target", lang), t("col_with_data", lang)],
            rows,
            ["text", "pct", "int", "int"],
        )
        + 1
    )
    tiers = data.tiers[data.tiers["tier"].notna()]
    rows = [
        [
            int(r["tier"]),
            t(f"index_tier_{int(r['tier'])}", lang),
            r["communes"],
            r["min_total"],
            r["max_total"],
        ]
        for _, r in tiers.iterrows()
    ]
    tier_row = row
    row = b.table(
        ws,
        row,
        0,
        [
            t("col_tier", lang),
            t("col_tier_name", lang),
            t("col_communes", lang),
            t("col_min_total", lang),
            t("col_max_total", lang),
        ],
        rows,
        ["int", "text", "int", "score", "score"],
    )
    chart = b.wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": t("col_communes", lang),
            "categories": [sheet, tier_row + 1, 1, tier_row + 4, 1],
            "values": [sheet, tier_row + 1, 2, tier_row + 4, 2],
            "points": [{"fill": {"color": style.TIER_COLOURS[k]}} for k in (1, 2, 3, 4)],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": t("table_tiers", lang).split(". ", 1)[-1], "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 480, "height": 280})
    ws.insert_chart(row + 1, 0, chart)

    _province_ranking(b, data, lang)
    _province_movers(b, data, lang)
    _province_lowest(b, data, lang)
    _province_groups(b, data, lang)
    return b.close()


RANKING_COLUMNS = [
    _spec("index_rank"),
    ("index_rank_change", "col_index_rank_change", "change_int"),
    _spec("previous_index_rank"),
    ("commune_code", "col_commune_code", "int"),
    ("commune_name", "col_commune_name", "text"),
    ("tier", "col_tier", "int"),
    _spec("index_total"),
    *[_spec(GROUP_COLUMNS[g]) for g in GROUPS],
    *[_spec(c) for c in ("dossiers_received", "online_rate", "on_time_rate", "signature_rate")],
]


def _province_ranking(b: _Book, data: ProvinceBriefingData, lang: str) -> None:
    ws = b.sheet(t("sheet_ranking", lang), landscape=True)
    sheet = ws.get_name()
    r = data.ranking
    rows = [[row[c] for c, _, _ in RANKING_COLUMNS] for _, row in r.iterrows()]
    ws.set_row(0, 45)
    b.table(
        ws,
        0,
        0,
        [t(k, lang) for _, k, _ in RANKING_COLUMNS],
        rows,
        [f for _, _, f in RANKING_COLUMNS],
        [7, 9, 9, 8, 30, 6, 10, *[9] * 6, 10, 11, 11, 11],
    )
    ws.autofilter(0, 0, len(rows), len(RANKING_COLUMNS) - 1)
    ws.freeze_panes(1, 5)
    ranked = int(r["index_total"].notna().sum())
    if ranked:
        chart = b.wb.add_chart({"type": "column"})
        j = [c for c, _, _ in RANKING_COLUMNS].index("index_total")
        name_col = [c for c, _, _ in RANKING_COLUMNS].index("commune_name")
        chart.add_series(
            {
                "name": t("col_index_total", lang),
                "categories": [sheet, 1, name_col, ranked, name_col],
                "values": [sheet, 1, j, ranked, j],
                "fill": {"color": style.MAIN},
                "gap": 20,
            }
        )
        chart.set_title({"name": t("chart_score_distribution", lang), "name_font": {"size": 11}})
        chart.set_y_axis({"min": 0, "max": 100})
        chart.set_x_axis({"num_font": {"rotation": -90, "size": 7}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 900, "height": 360})
        ws.insert_chart(1, len(RANKING_COLUMNS) + 1, chart)


def _province_movers(b: _Book, data: ProvinceBriefingData, lang: str) -> None:
    ws = b.sheet(t("sheet_movers", lang))
    sheet = ws.get_name()
    header = [
        t("col_commune_name", lang),
        t("col_index_rank", lang),
        t("col_previous_index_rank", lang),
        t("col_index_rank_change", lang),
        t("col_index_total", lang),
    ]
    row = 0
    for frame, key in ((data.movers_up, "table_up"), (data.movers_down, "table_down")):
        ws.write_string(row, 0, t(key, lang).split(". ", 1)[-1], b.f["h2"])
        rows = [
            [
                r["commune_name"],
                r["index_rank"],
                r["previous_index_rank"],
                r["index_rank_change"],
                r["index_total"],
            ]
            for _, r in frame.iterrows()
        ]
        start = row + 1
        row = (
            b.table(
                ws,
                start,
                0,
                header,
                rows,
                ["text", "int", "int", "change_int", "score"],
                [30, 10, 12, 12, 12],
            )
            + 1
        )
        if rows:
            chart = b.wb.add_chart({"type": "bar"})
            chart.add_series(
                {
                    "name": t("col_index_rank_change", lang),
                    "categories": [sheet, start + 1, 0, start + len(rows), 0],
                    "values": [sheet, start + 1, 3, start + len(rows), 3],
                    "fill": {"color": style.UP if key == "table_up" else style.DOWN},
                    "data_labels": {"value": True},
                }
            )
            chart.set_title({"name": t(key, lang).split(". ", 1)[-1], "name_font": {"size": 11}})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"none": True})
            chart.set_size({"width": 460, "height": 220})
            ws.insert_chart(start, 6, chart)
        row = max(row, start + 12)


def _province_lowest(b: _Book, data: ProvinceBriefingData, lang: str) -> None:
    ws = b.sheet(t("sheet_lowest", lang), landscape=True)
    sheet = ws.get_name()
    low = data.lowest
    header = [
        t("col_index_rank", lang),
        t("col_commune_name", lang),
        t("col_index_total", lang),
        *[t(f"col_lost_{g.lower()}", lang) for g in GROUPS],
        t("col_worst_group", lang),
        t("m_online_rate", lang),
        t("m_signature_rate", lang),
    ]
    rows = [
        [
            r["index_rank"],
            r["commune_name"],
            r["index_total"],
            *[r[f"lost_{g.lower()}"] for g in GROUPS],
            r["worst_group"],
            r["online_rate"],
            r["signature_rate"],
        ]
        for _, r in low.iterrows()
    ]
    ws.set_row(0, 45)
    b.table(
        ws,
        0,
        0,
        header,
        rows,
        ["int", "text", "score", *["score"] * 6, "text", "pct", "pct"],
        [7, 30, 10, *[9] * 6, 14, 12, 12],
    )
    n = len(rows)
    if n:
        chart = b.wb.add_chart({"type": "bar", "subtype": "stacked"})
        for k, g in enumerate(GROUPS):
            chart.add_series(
                {
                    "name": g,
                    "categories": [sheet, 1, 1, n, 1],
                    "values": [sheet, 1, 3 + k, n, 3 + k],
                    "fill": {"color": style.GROUP_COLOURS[g]},
                    "gap": 40,
                }
            )
        chart.set_title({"name": t("h_group_losses", lang), "name_font": {"size": 11}})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 720, "height": 360})
        ws.insert_chart(n + 3, 0, chart)


def _province_groups(b: _Book, data: ProvinceBriefingData, lang: str) -> None:
    ws = b.sheet(t("sheet_groups", lang))
    sheet = ws.get_name()
    rows = [
        [r["group"], t("group_" + r["group"].lower(), lang), r["communes"]]
        for _, r in data.worst_groups.iterrows()
    ]
    b.table(
        ws,
        0,
        0,
        ["Mã" if lang == "vi" else "Code", t("col_group", lang), t("col_communes", lang)],
        rows,
        ["text", "text", "int"],
        [8, 30, 12],
    )
    chart = b.wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": t("col_communes", lang),
            "categories": [sheet, 1, 1, len(rows), 1],
            "values": [sheet, 1, 2, len(rows), 2],
            "points": [{"fill": {"color": style.GROUP_COLOURS[g]}} for g in data.worst_groups["group"]],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": t("chart_worst_groups", lang), "name_font": {"size": 11}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 520, "height": 300})
    ws.insert_chart(len(rows) + 2, 0, chart)
