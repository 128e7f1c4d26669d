"""The upload page's column-mapping step (issue 17): map each of a file's columns to a contract
column, see the first rows as they would load, save the mapping as a named profile, load with it.

Everything is the ETL's: the profile's checks (`etl.mapping.validate`), its storage beside the
warehouse (`etl.mapping.save_profile`, never another province's profile overwritten), the preview
(`etl.loader.preview_files` on the file's first lines, into a throwaway empty warehouse: the same
reading, mapping and staging code as the load) and the load itself (`etl.loader.load_files` with the
steward's province restriction and audit).  Uploaded text (file and column names) is shown in code
spans or tables, never as markdown.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from etl import limits, loader
from etl import mapping as M
from etl.headers import KIND_COLUMNS, header_key, map_headers
from metrics.i18n import t
from ui.untrusted import literal
from ui.widgets import tr

PREVIEW_ROWS = 10
PREVIEW_LINES = 200  # lines of a CSV the live preview stages


def _visible_profiles(province: int) -> list[M.Profile]:
    """The profiles a steward of `province` may use: the shared ones and their province's."""
    return [p for p in M.list_profiles(M.profiles_dir(_db())) if p.province in (None, province)]


def _db() -> Path:
    from metrics import db

    return db.db_path()


def _kind_options() -> list[str]:
    return list(KIND_COLUMNS)


def column_label(kind: str, column: str) -> str:
    """A contract column as the selectboxes offer it: its name and the header the portal gives it.
    (Plain option strings, no format_func: what a test sets is what the steward sees.)"""
    aliases = KIND_COLUMNS[kind].get(column) or []
    return f"{column} — {aliases[0]}" if aliases else column


def mapping_editor(paths: list[Path], *, lang: str, province: int, audit: dict, failed: set[str]) -> None:
    """The mapping step for one of `paths` (the upload's saved files); `failed`: the names of the
    files the preview could not read (chosen first)."""
    paths = [p for p in paths if p.suffix.lower() in M.MAPPABLE_SUFFIXES]
    if not paths:
        return
    st.caption(tr("map_help"))
    names = [p.name for p in paths]
    first = next((i for i, n in enumerate(names) if n in failed), 0)
    name = st.selectbox(tr("map_file"), names, index=first, key="map_file")
    path = paths[names.index(name)]
    digest = loader.sha256_of(path)  # (the caches below are per content: a name can be reused)
    cache_key = (path.name, digest)
    cached = st.session_state.get("_map_headers")
    if cached is None or cached[0] != cache_key:
        cached = (cache_key, M.file_headers(path))
        st.session_state["_map_headers"] = cached
    headers = cached[1]
    if not headers:
        return
    profiles = {p.name: p for p in _visible_profiles(province)}
    picked = st.selectbox(tr("map_profile"), [tr("map_new"), *profiles], key="map_profile")
    base = profiles.get(picked)
    notice = st.session_state.pop("_map_notice", None)
    if notice is not None:
        level, key, name = notice
        if level == "success":
            st.success(tr(key, name=literal(name)), icon=":material/check_circle:")
        else:
            st.error(key, icon=":material/block:")
    if base is not None and base.province == province:
        _manage(base, lang=lang, province=province)
    chosen = base.name if base else ""
    kinds = _kind_options()
    kind = st.selectbox(
        tr("map_kind"),
        kinds,
        index=kinds.index(base.kind) if base else kinds.index("dossiers"),
        key="map_kind",
    )
    # Defaults: the chosen profile's columns, else what the aliases recognise.
    if base is not None and base.kind == kind:
        by_key = {header_key(h): t for h, t in base.columns.items()}
        defaults = [by_key.get(header_key(h), "") for h in headers]
    else:
        auto = map_headers(kind, headers)
        defaults = [auto.get(i, "") for i in range(len(headers))]
    labels = {tr("map_ignore"): "", **{column_label(kind, c): c for c in KIND_COLUMNS[kind]}}
    options = list(labels)
    by_column = {c: label for label, c in labels.items()}
    columns: dict[str, str] = {}
    cols = st.columns(3)
    for i, header in enumerate(headers):
        if not header:
            continue
        with cols[i % 3]:
            label = st.selectbox(
                tr("map_column", header=literal(header, 60)),
                options,
                index=options.index(by_column.get(defaults[i], options[0])),
                key=f"map_col_{kind}_{chosen or 'new'}_{i}",
            )
        target = labels[label]
        if target:
            columns[header] = target
    try:
        draft = M.validate(chosen or "preview", kind, columns, province)
    except M.ProfileError as err:
        st.warning(err.message_vi if lang == "vi" else err.message_en, icon=":material/rule:")
        return
    _preview(path, digest, draft, lang=lang, province=province)
    _save_and_load(path, draft, lang=lang, province=province, audit=audit, default_name=chosen)


def _manage(base: M.Profile, *, lang: str, province: int) -> None:
    """Rename or delete the province's own profile (shared profiles and other provinces' are not
    offered, and `etl.mapping` refuses them anyway).  The actions run as callbacks, before the next
    run draws the profile list, so the list and the chosen profile follow them."""
    with st.expander(tr("map_manage", name=literal(base.name))):
        st.text_input(tr("map_new_name"), max_chars=64, key="map_new_name")
        st.button(tr("map_rename"), key="map_rename", on_click=_rename, args=(base.name, province, lang))
        confirm = st.checkbox(tr("map_delete_confirm"), key="map_delete_confirm")
        st.button(
            tr("map_delete"),
            key="map_delete",
            disabled=not confirm,
            on_click=_delete,
            args=(base.name, province, lang),
        )


def _rename(old: str, province: int, lang: str) -> None:
    new = (st.session_state.get("map_new_name") or "").strip()
    try:
        M.rename_profile(old, new, M.profiles_dir(_db()), province=province)
    except M.ProfileError as err:
        st.session_state["_map_notice"] = ("error", err.message_vi if lang == "vi" else err.message_en, "")
        return
    st.session_state["map_profile"] = new
    st.session_state["_map_notice"] = ("success", "map_renamed", new)


def _delete(name: str, province: int, lang: str) -> None:
    try:
        M.delete_profile(name, M.profiles_dir(_db()), province=province)
    except M.ProfileError as err:
        st.session_state["_map_notice"] = ("error", err.message_vi if lang == "vi" else err.message_en, "")
        return
    st.session_state["map_profile"] = t("map_new", lang)
    st.session_state["map_delete_confirm"] = False
    st.session_state["_map_notice"] = ("success", "map_deleted", name)


def _preview(path: Path, digest: str, profile: M.Profile, *, lang: str, province: int) -> None:
    """The first rows as they would load, through the loader's own preview (cached per mapping)."""
    key = (path.name, digest, profile.kind, tuple(sorted(profile.columns.items())))
    cached = st.session_state.get("_map_preview")
    if cached is None or cached[0] != key:
        with tempfile.TemporaryDirectory(prefix="cds-map-", dir=path.parent) as tmp:
            head = M.head_copy(path, Path(tmp), PREVIEW_LINES)
            (Path(tmp) / "empty").mkdir()
            try:
                summary, rejects = loader.preview_files(
                    [head],
                    Path(tmp) / "empty" / "warehouse.duckdb",
                    allowed_province=province,
                    mapping=profile,
                    sample_rows=PREVIEW_ROWS,
                )
            except limits.LoadCapExceeded as err:
                st.error(err.message_vi if lang == "vi" else err.message_en, icon=":material/block:")
                return
        cached = (key, summary.files[0], rejects)
        st.session_state["_map_preview"] = cached
    _, f, rejects = cached
    st.subheader(tr("map_preview"))
    if f.status == "failed":
        st.warning(tr("upload_nothing"), icon=":material/rule:")
        st.dataframe(
            _failure(f, lang),
            hide_index=True,
            key="map_preview_error",
        )
        return
    st.caption(
        tr(
            "map_preview_counts",
            rows=f.rows_read,
            loaded=f.rows_read - f.rows_rejected,
            rejected=f.rows_rejected,
        )
    )
    st.dataframe(pd.DataFrame(f.preview_rows), hide_index=True, key="map_preview")
    if rejects:
        message = "message_vi" if lang == "vi" else "message_en"
        frame = pd.DataFrame(rejects)[["row_number", "column_name", "value", message]]
        st.dataframe(frame.head(50), hide_index=True, key="map_preview_rejects")


def _failure(f, lang: str) -> pd.DataFrame:
    """Why a file could not be read with the mapping (file names and messages in a table: uploaded text)."""
    return pd.DataFrame(
        {
            tr("col_file"): [f.file],
            tr("col_status"): [tr("status_" + f.status)],
            tr("col_message"): [f.message_vi if lang == "vi" else f.message_en],
        }
    )


def _save_and_load(
    path: Path, draft: M.Profile, *, lang: str, province: int, audit: dict, default_name: str
) -> None:
    name = st.text_input(tr("map_name"), value=default_name, max_chars=64, key="map_name")
    replace = st.checkbox(tr("map_replace"), value=bool(default_name), key="map_replace")
    left, right = st.columns(2)
    profile = None
    if name:
        try:
            profile = M.validate(name, draft.kind, draft.columns, province)
        except M.ProfileError as err:
            st.warning(err.message_vi if lang == "vi" else err.message_en, icon=":material/rule:")
    if left.button(tr("map_save"), disabled=profile is None, key="map_save") and profile is not None:
        try:
            M.save_profile(profile, M.profiles_dir(_db()), replace=replace, province=province)
            st.success(tr("map_saved", name=literal(profile.name)), icon=":material/check_circle:")
        except M.ProfileError as err:
            st.error(err.message_vi if lang == "vi" else err.message_en, icon=":material/block:")
    if right.button(tr("map_load"), type="primary", disabled=profile is None, key="map_load") and profile:
        try:
            summary = loader.load_files(
                [path], _db(), allowed_province=province, audit=audit, mapping=profile
            )
        except (loader.WarehouseBusy, limits.LoadCapExceeded) as err:
            st.error(err.message_vi if lang == "vi" else err.message_en, icon=":material/block:")
            return
        st.session_state.pop("_upload_preview", None)
        st.session_state.pop("_map_preview", None)
        f = summary.files[0]
        if f.load_id is not None:
            st.success(
                tr("upload_done", loaded=f.rows_loaded, replaced=f.rows_replaced, rejected=f.rows_rejected),
                icon=":material/check_circle:",
            )
        else:
            st.error(tr("upload_nothing"), icon=":material/block:")
            st.dataframe(
                _failure(f, lang),
                hide_index=True,
                key="map_load_error",
            )
