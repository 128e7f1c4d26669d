"""Reports: the commune's monthly/quarterly/yearly report (DOCX in the Nghị định 30/2020/NĐ-CP layout,
PDF, XLSX) and the province briefing (DOCX, PDF, XLSX), in Vietnamese (default) or English.

Pages build bytes when a download button is clicked:

    data = reports.build_commune_report(8380, "2025-10", "docx", "vi", scope)
    name = reports.file_name("commune", 8380, "2025-10", "docx")   # bao-cao-cds-xa-van-ban-2025-10.docx

Every number comes from the read-side package (metrics.report_data composes it), so a report equals
the dashboard for the same filters.  A commune with no data for the period gets a report that says
so.  Charts are drawn once per report and shared by the DOCX and the PDF.
"""

from __future__ import annotations

from datetime import date

from core.periods import Period, parse_period
from metrics.report_data import UnknownUnit, shared_queries
from metrics.scope import OPEN, Scope
from reports.naming import file_name, slug

FORMATS = ("docx", "pdf", "xlsx")
LANGS = ("vi", "en")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

__all__ = [
    "FORMATS",
    "LANGS",
    "MEDIA_TYPES",
    "ReportError",
    "build_commune_report",
    "build_commune_reports",
    "build_province_briefing",
    "build_province_briefings",
    "file_name",
    "slug",
]


class ReportError(ValueError):
    """A request the reports cannot serve (unknown unit, unknown format or period); message in vi and en."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_vi)
        self.message_vi, self.message_en = message_vi, message_en

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi


def _period(period: Period | str) -> Period:
    if isinstance(period, Period):
        return period
    parsed = parse_period(period)
    if parsed is None:
        raise ReportError(
            f"Kỳ `{period}` không hợp lệ (dạng 2025-10, 2025-Q4 hoặc 2025).",
            f"Period `{period}` is not valid (use 2025-10, 2025-Q4 or 2025).",
        )
    return parsed


def _formats(formats) -> list[str]:
    fmts = [formats] if isinstance(formats, str) else list(formats)
    bad = [f for f in fmts if f not in FORMATS]
    if bad:
        raise ReportError(
            f"Định dạng không hỗ trợ: {', '.join(bad)} (docx, pdf, xlsx).",
            f"Unsupported format: {', '.join(bad)} (docx, pdf, xlsx).",
        )
    return fmts


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ReportError(
            f"Ngôn ngữ `{lang}` không được hỗ trợ (vi, en).", f"Language `{lang}` is not supported (vi, en)."
        )
    return lang


def build_commune_reports(
    commune_code: int,
    period: Period | str,
    formats=FORMATS,
    lang: str = "vi",
    scope: Scope = OPEN,
    path=None,
    *,
    issued_on: date | None = None,
) -> dict[str, bytes]:
    """The commune report in each of `formats` ({'docx': bytes, ...}), from one read of the data and
    one rendering of the charts.  `issued_on`: the date on the report; without it the date line is
    left for the signer ('ngày … tháng … năm …'), never the day the file was generated."""
    from metrics import report_data
    from reports import content, docx_writer, figures, pdf_writer, xlsx_writer

    per, fmts, lang = _period(period), _formats(formats), _lang(lang)
    with shared_queries():
        try:
            data = report_data.commune_report_data(int(commune_code), per, scope, path)
        except UnknownUnit:
            raise ReportError(
                f"Không có xã/phường mã {commune_code} (hoặc bạn không có quyền xem).",
                f"No commune with code {commune_code} (or outside your scope).",
            ) from None
    out: dict[str, bytes] = {}
    if "xlsx" in fmts:
        out["xlsx"] = xlsx_writer.commune_workbook(data, lang, issued_on)
    if "docx" in fmts or "pdf" in fmts:
        charts = {}
        if data.has_data:
            charts["trends"] = figures.commune_trends(
                data.monthly, lang, data.commune_name, height=content.TRENDS_H
            )
            charts["groups"] = figures.group_scores(
                data.groups, lang, data.commune_name, height=content.GROUPS_H
            )
        doc = content.commune_document(data, charts, lang, issued_on)
        if "docx" in fmts:
            out["docx"] = docx_writer.render(doc)
        if "pdf" in fmts:
            out["pdf"] = pdf_writer.render(doc)
    return {f: out[f] for f in fmts}


def build_commune_report(
    commune_code: int,
    period: Period | str,
    fmt: str = "docx",
    lang: str = "vi",
    scope: Scope = OPEN,
    path=None,
    *,
    issued_on: date | None = None,
) -> bytes:
    """One format of the commune report (docx | pdf | xlsx) as bytes."""
    return build_commune_reports(commune_code, period, [fmt], lang, scope, path, issued_on=issued_on)[fmt]


def build_province_briefings(
    province_code: int,
    period: Period | str,
    formats=FORMATS,
    lang: str = "vi",
    scope: Scope = OPEN,
    path=None,
    *,
    issued_on: date | None = None,
) -> dict[str, bytes]:
    """The province briefing in each of `formats`, from one read of the data and one rendering of the charts."""
    from metrics import report_data
    from reports import content, docx_writer, figures, pdf_writer, xlsx_writer

    per, fmts, lang = _period(period), _formats(formats), _lang(lang)
    with shared_queries():
        try:
            data = report_data.province_briefing_data(int(province_code), per, scope, path)
        except UnknownUnit:
            raise ReportError(
                f"Không có tỉnh/thành phố mã {province_code} (hoặc bạn không có quyền xem).",
                f"No province with code {province_code} (or outside your scope).",
            ) from None
    out: dict[str, bytes] = {}
    if "xlsx" in fmts:
        out["xlsx"] = xlsx_writer.province_workbook(data, lang, issued_on)
    if "docx" in fmts or "pdf" in fmts:
        charts = {}
        if data.has_data:
            charts["distribution"] = figures.score_distribution(
                data.ranking, lang, height=content.DISTRIBUTION_H
            )
            charts["worst_groups"] = figures.worst_groups(
                data.worst_groups, lang, height=content.WORST_GROUPS_H
            )
        doc = content.province_document(data, charts, lang, issued_on)
        if "docx" in fmts:
            out["docx"] = docx_writer.render(doc)
        if "pdf" in fmts:
            out["pdf"] = pdf_writer.render(doc)
    return {f: out[f] for f in fmts}


def build_province_briefing(
    province_code: int,
    period: Period | str,
    fmt: str = "docx",
    lang: str = "vi",
    scope: Scope = OPEN,
    path=None,
    *,
    issued_on: date | None = None,
) -> bytes:
    """One format of the province briefing (docx | pdf | xlsx) as bytes."""
    return build_province_briefings(province_code, period, [fmt], lang, scope, path, issued_on=issued_on)[fmt]
