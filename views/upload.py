"""Upload (data stewards only): CSV / XLSX / JSON files for the steward's province — checked, previewed
with the ETL's own staging on a throwaway copy, and loaded through etl.loader.load_files (atomic
swap) only when the steward confirms.  Rows outside the province are rejected.  The work is in
etl.uploads and etl.loader; one bad file never stops the others of the batch."""

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

import ui
from etl import limits, loader, uploads
from etl.mapping import MAPPABLE_SUFFIXES
from metrics import db
from ui.mapping_editor import mapping_editor

ctx = ui.current()
lang = ctx.lang
ui.header("nav_upload", "q_upload")
if ctx.role != "steward" or ctx.scope.province_code is None:
    st.error(ui.tr("refused_role"), icon=":material/block:")
    st.stop()
province = ctx.scope.province_code
message = "message_vi" if lang == "vi" else "message_en"
limit_mb = uploads.max_upload_bytes() / 1048576

files = st.file_uploader(
    ui.tr("upload_files", mb=f"{limit_mb:.0f}"), accept_multiple_files=True, key="upload_files"
)
if not files:
    st.stop()


def _summary_table(summary) -> pd.DataFrame:
    rows = [
        {
            "file": f.file,
            "kind": f.kind or "–",
            "status": ui.tr("status_" + f.status),
            "rows_read": f.rows_read,
            "communes_matched": f.communes_matched,
            "rows_rejected": f.rows_rejected,
            "rows_replaced": f.rows_replaced,
            "rows_skipped": f.rows_skipped,
            "message": (f.message_vi if lang == "vi" else f.message_en) or "",
        }
        for f in summary.files
    ]
    return pd.DataFrame(rows).rename(
        columns={
            c: ui.tr("col_" + c)
            for c in [
                "file",
                "kind",
                "status",
                "rows_read",
                "communes_matched",
                "rows_rejected",
                "rows_replaced",
                "rows_skipped",
                "message",
            ]
        }
    )


def _audit() -> dict:
    user = ctx.user
    return {
        "uploaded_by": user.username,
        "role": user.role,
        "scope_code": user.scope_code,
        "province_code": province,
    }


def _load(paths: list[Path]):
    """The confirmed load; waits (saying so) while another load holds the warehouse."""
    waiting = st.empty()
    try:
        return loader.load_files(
            paths,
            db.db_path(),
            allowed_province=province,
            audit=_audit(),
            on_wait=lambda vi, en: waiting.info(vi if lang == "vi" else en, icon=":material/hourglass_top:"),
        )
    except (loader.WarehouseBusy, limits.LoadCapExceeded) as err:
        st.error(err.message_vi if lang == "vi" else err.message_en, icon=":material/block:")
        return None
    finally:
        waiting.empty()


digest = hashlib.sha256(
    b"".join(hashlib.sha256(f.getbuffer()).digest() + f.name.encode() for f in files)
).hexdigest()
with uploads.upload_folder() as tmp_dir:
    paths, refused = uploads.save_uploads(files, tmp_dir)
    if refused:
        # File names are the uploader's text: shown in a table, never as markdown.
        st.error(ui.tr("upload_refused", n=len(refused)), icon=":material/block:")
        st.dataframe(
            pd.DataFrame(
                {
                    ui.tr("col_file"): [e.file for e in refused],
                    ui.tr("col_message"): [getattr(e, message) for e in refused],
                }
            ),
            hide_index=True,
            key="upload_refusals",
            placeholder=ui.EMPTY,
        )
    if not paths:
        st.stop()
    cached = st.session_state.get("_upload_preview")
    if cached is None or cached[0] != (digest, db.version()):
        with st.spinner(ui.tr("upload_preview")):
            try:
                preview, rejects = loader.preview_files(paths, db.db_path(), allowed_province=province)
            except limits.LoadCapExceeded as err:  # past a cap: stopped, nothing changed
                st.error(err.message_vi if lang == "vi" else err.message_en, icon=":material/block:")
                st.stop()
        st.session_state["_upload_preview"] = ((digest, db.version()), preview, rejects)
    else:
        _, preview, rejects = cached

    st.subheader(ui.tr("upload_preview"))
    st.dataframe(_summary_table(preview), hide_index=True, key="upload_summary", placeholder=ui.EMPTY)
    if rejects:
        st.subheader(ui.tr("upload_rejects"))
        frame = pd.DataFrame(rejects)[["file_name", "row_number", "column_name", "value", message]]
        st.dataframe(frame, hide_index=True, height=300, key="upload_rejects", placeholder=ui.EMPTY)

    loadable = any(f.status in ("loaded", "partial") for f in preview.files)
    if st.button(ui.tr("upload_confirm"), type="primary", disabled=not loadable, key="upload_confirm"):
        summary = _load(paths)
        st.session_state.pop("_upload_preview", None)
        if summary is not None:
            done = [f for f in summary.files if f.load_id is not None]
            if done:
                st.success(
                    ui.tr(
                        "upload_done",
                        loaded=sum(f.rows_loaded for f in done),
                        replaced=sum(f.rows_replaced for f in done),
                        rejected=sum(f.rows_rejected for f in done),
                    ),
                    icon=":material/check_circle:",
                )
            else:
                st.warning(ui.tr("upload_nothing"))
            st.dataframe(_summary_table(summary), hide_index=True, key="upload_result", placeholder=ui.EMPTY)

    # Headers not recognised (or to be corrected): map the columns, preview, save a profile, load.
    failed = {
        f.file for f in preview.files if f.status == "failed" and f.file.lower().endswith(MAPPABLE_SUFFIXES)
    }
    if st.toggle(ui.tr("map_toggle"), value=bool(failed), key="map_open"):
        mapping_editor(paths, lang=lang, province=province, audit=_audit(), failed=failed)
