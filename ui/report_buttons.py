"""Report downloads: the file is built only when the user clicks, then offered for download."""

from __future__ import annotations

import streamlit as st

import reports
from ui.state import current
from ui.widgets import tr

FORMAT_LABELS = {"docx": "Word (.docx)", "pdf": "PDF", "xlsx": "Excel (.xlsx)"}


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
