"""Data quality: what was loaded, what was rejected and why, which communes have no data, how fresh it is."""

import streamlit as st

import ui
from metrics import quality
from metrics.i18n import t
from ui import attention_section, portal_sections

ctx = ui.current()
f, lang = ctx.filters, ctx.lang
ui.header("nav_quality", "q_quality")

st.subheader(ui.tr("h_freshness"))
fresh = ui.data(quality.freshness, ctx.scope)
ui.table(
    fresh, ["source", "last_month", "communes", "last_loaded_at", "files"], "freshness", "do-moi-du-lieu"
)

if not ui.no_period():
    province = ctx.options.provinces[f.province]
    st.subheader(ui.tr("h_coverage", province=province, period=f.period.label(lang)))
    coverage = ui.data(quality.coverage, f.province, f.period, ctx.scope)
    summary = quality.coverage_summary(coverage)
    ui.table(
        summary,
        ["source", "communes", "communes_with_data", "communes_missing", "coverage_rate"],
        "coverage_summary",
        f"do-phu-{f.province}",
    )
    source = st.segmented_control(
        ui.tr("pick_source"),
        quality.SOURCES,
        key="missing_source",
        default="dossiers",
        required=True,
        format_func=lambda s: t("source_" + s, lang),
    )
    missing = quality.missing(coverage, source)
    if missing.empty:
        st.success(
            ui.tr("no_missing", source=ui.tr("source_" + source), period=f.period.label(lang)),
            icon=":material/check_circle:",
        )
    else:
        ui.table(
            missing.assign(province_code=f.province),
            ["commune_code", "commune_name"],
            "missing",
            f"thieu-du-lieu-{source}-{f.province}",
            open_commune=True,
            height=300,
        )

st.subheader(ui.tr("h_loads"))
loads = ui.data(quality.loads, ctx.scope)
if loads.empty:
    ui.empty("empty_loads")
else:
    ui.table(
        loads,
        [
            "loaded_at",
            "file_name",
            "kind",
            "rows_read",
            "rows_loaded",
            "rows_replaced",
            "rows_rejected",
            "status",
        ],
        "loads",
        "lich-su-nap",
        height=300,
    )

st.subheader(ui.tr("h_uploads"))
uploads = ui.data(quality.uploads, ctx.scope)
if uploads.empty:
    ui.empty("empty_uploads")
else:
    ui.table(
        uploads,
        [
            "uploaded_at",
            "uploaded_by",
            "file_name",
            "size_bytes",
            "content_sha256",
            "kind",
            "rows_read",
            "rows_loaded",
            "rows_replaced",
            "rows_rejected",
            "reasons",
            "status",
        ],
        "uploads",
        "lich-su-tai-len",
        height=300,
    )

portal_sections.fetch_log(ctx)
attention_section.notify_last_run(ctx)

st.subheader(ui.tr("h_rejects"))
# Counts per file and rule cover every rejected row; the rows themselves are fetched for the chosen
# files and rules and capped (quality.REJECTS_MAX_ROWS), so a national warehouse's millions of
# rejects never sit in the cache or the browser.
counts = ui.data(quality.reject_counts, ctx.scope)
if counts.empty:
    st.success(ui.tr("no_rejects"), icon=":material/check_circle:")
else:
    c1, c2 = st.columns(2)
    files = c1.multiselect(
        ui.tr("filter_file"),
        sorted(counts["file_name"].unique()),
        key="reject_files",
        placeholder=t("choose", lang),
    )
    rules = c2.multiselect(
        ui.tr("filter_rule"),
        quality.reject_reasons(counts)["rule"].tolist(),
        key="reject_rules",
        placeholder=t("choose", lang),
    )
    shown = ui.data(
        quality.rejects,
        None,
        ctx.scope,
        files=tuple(sorted(files)) or None,
        rules=tuple(sorted(rules)) or None,
    )
    total = int(quality.filter_rejects(counts, files, rules)["rows"].sum())
    if total > len(shown):
        st.caption(
            ui.tr(
                "rejects_truncated",
                shown=ui.format.value(len(shown), "int", lang),
                total=ui.format.value(total, "int", lang),
            )
        )
    message = "message_vi" if lang == "vi" else "message_en"
    ui.table(
        shown,
        ["file_name", "row_number", "column_name", "value", message, "rule"],
        "rejects",
        "dong-bi-loai",
        height=360,
    )
