"""Report downloads: the file is built only when the user clicks, then offered for download."""

from __future__ import annotations

import functools
import io
import zipfile

import streamlit as st

import reports
from ui.state import current
from ui.widgets import tr

FORMAT_LABELS = {"docx": "Word (.docx)", "pdf": "PDF", "xlsx": "Excel (.xlsx)"}


def report_archive(kind: str, code: int, period, lang: str, scope) -> bytes:
    """The three formats of one report in one ZIP archive (one read of the data, one chart rendering),
    each file named as when downloaded alone."""
    build = reports.build_commune_reports if kind == "commune" else reports.build_province_briefings
    files = build(code, period, reports.FORMATS, lang, scope)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for fmt, data in files.items():
            archive.writestr(reports.file_name(kind, code, period, fmt, lang), data)
    return buffer.getvalue()


def archive_name(kind: str, code: int, period, lang: str) -> str:
    return reports.file_name(kind, code, period, "zip", lang)


def quick_downloads(kind: str, code: int, key: str) -> None:
    """This period's report at the top of a page: one click per format, or one archive of the three;
    each file is built when its button is clicked (a few seconds), never before."""
    ctx = current()
    f, lang = ctx.filters, ctx.lang
    with st.container(border=True, key=f"{key}_now"):
        st.markdown(f"**{tr('h_report_now', period=f.period.label(lang))}**")
        row = st.container(horizontal=True, gap="small")
        single = reports.build_commune_report if kind == "commune" else reports.build_province_briefing
        for fmt in reports.FORMATS:
            row.download_button(
                FORMAT_LABELS[fmt],
                functools.partial(single, code, f.period, fmt, lang, ctx.scope),
                file_name=reports.file_name(kind, code, f.period, fmt, lang),
                mime=reports.MEDIA_TYPES[fmt],
                key=f"{key}_now_{fmt}",
                on_click="ignore",
                icon=":material/download:",
            )
        row.download_button(
            tr("report_all_zip"),
            functools.partial(report_archive, kind, code, f.period, lang, ctx.scope),
            file_name=archive_name(kind, code, f.period, lang),
            mime="application/zip",
            key=f"{key}_now_zip",
            on_click="ignore",
            icon=":material/folder_zip:",
        )
        st.caption(tr("report_now_hint"))


def report_downloads(kind: str, code: int, key: str) -> None:
    """`kind` 'commune' (the commune report) or 'province' (the province briefing)."""
    ctx = current()
    f, lang = ctx.filters, ctx.lang
    st.subheader(tr("h_report_commune" if kind == "commune" else "h_report_province"))
    st.caption(tr("report_hint"))
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    fmt = left.selectbox(
        tr("report_format"), reports.FORMATS, format_func=FORMAT_LABELS.get, key=f"{key}_fmt"
    )
    wanted = (kind, code, f.period.key, fmt, lang)
    if right.button(tr("report_build"), key=f"{key}_build", icon=":material/description:"):
        build = reports.build_commune_report if kind == "commune" else reports.build_province_briefing
        try:
            with st.spinner(tr("report_building")):
                st.session_state[f"{key}_file"] = (wanted, build(code, f.period, fmt, lang, ctx.scope))
        except reports.ReportError as err:
            st.error(err.message(lang))
    built = st.session_state.get(f"{key}_file")
    if built and built[0] == wanted:
        name = reports.file_name(kind, code, f.period, fmt, lang)
        st.download_button(
            tr("report_download", name=name),
            data=built[1],
            file_name=name,
            mime=reports.MEDIA_TYPES[fmt],
            key=f"{key}_download",
            icon=":material/download:",
        )
