"""How each column of a read-side frame is labelled and written, in tables and downloads.

Metrics (counts, rates, scores, ranks) take their format and label from the catalogue
(core/catalogue.py); this table adds the other columns (names, codes, changes, tiers, load records)."""

from __future__ import annotations

from core.catalogue import METRICS
from core.index_groups import GROUP_COLUMNS

# column -> (kind, label key in metrics.i18n.LABELS)
COLUMNS: dict[str, tuple[str, str]] = {
    **{m.name: (m.fmt, m.label_key) for m in METRICS.values() if m.label_key},
    "index_rank_change": ("rank_change", "col_index_rank_change"),
    "tier": ("tier", "col_tier"),
    "commune_code": ("code", "col_commune_code"),
    "commune_name": ("text", "col_commune_name"),
    "province_code": ("code", "col_province_code"),
    "province_name": ("text", "col_province_name"),
    "index_total_change": ("score_change", "col_index_total_change"),
    "communes": ("int", "col_communes"),
    "communes_with_dossiers": ("int", "col_communes_with_dossiers"),
    "target": ("pct", "target"),
    "gap": ("pp", "col_gap"),  # percentage points below the target
    "procedure_code": ("text", "col_procedure_code"),
    "procedure_name": ("text", "col_procedure_name"),
    "sector_name": ("text", "col_sector_name"),
    "worst_group": ("group", "col_worst_group"),
    "worst_group_lost": ("score", "col_worst_group_lost"),
    **{f"lost_{g[6:]}": ("score", f"col_lost_{g[6:]}") for g in GROUP_COLUMNS.values()},
    "group": ("group", "col_group"),
    "score": ("score", "col_score"),
    "max_score": ("score", "max_score"),
    "points_lost": ("score", "col_points_lost"),
    "province_median": ("score", "province_median"),
    "province_best": ("score", "province_best"),
    "best_commune": ("text", "col_best_commune"),
    "department_name": ("text", "col_department_name"),
    "department_code": ("text", "col_department_code"),
    "groups_published": ("int", "col_groups_published"),
    "load_id": ("code", "col_load_id"),
    "file_name": ("text", "col_file_name"),
    "kind": ("source", "col_kind"),
    "source": ("source", "col_source"),
    "loaded_at": ("datetime", "col_loaded_at"),
    "uploaded_at": ("datetime", "col_uploaded_at"),
    "uploaded_by": ("text", "col_uploaded_by"),
    "size_bytes": ("int", "col_size_bytes"),
    "content_sha256": ("text", "col_content_sha256"),
    "reasons": ("text", "col_reasons"),
    "last_loaded_at": ("datetime", "col_last_loaded_at"),
    "last_month": ("month", "col_last_month"),
    "files": ("int", "col_files"),
    "rows_read": ("int", "col_rows_read"),
    "rows_loaded": ("int", "col_rows_loaded"),
    "rows_replaced": ("int", "col_rows_replaced"),
    "rows_rejected": ("int", "col_rows_rejected"),
    "rows": ("int", "col_rows"),
    "status": ("status", "col_status"),
    "row_number": ("code", "col_row_number"),
    "column_name": ("text", "col_column_name"),
    "value": ("text", "col_value"),
    "rule": ("text", "col_rule"),
    "message_vi": ("text", "col_message"),
    "message_en": ("text", "col_message"),
    "communes_with_data": ("int", "col_communes_with_data"),
    "communes_missing": ("int", "col_communes_missing"),
    "coverage_rate": ("pct", "col_coverage_rate"),
    "dossier_rows": ("int", "col_dossier_rows"),
    "signature_months": ("int", "col_signature_months"),
    "index_periods": ("int", "col_index_periods"),
}


# Compact headers, so that a ranking table shows the rank, the name, the total and all six group scores
# with the headline rates at 1366 px without scrolling sideways: column -> short label key; the full
# label becomes the header's tooltip.
SHORT: dict[str, str] = {
    "index_total": "short_index_total",
    "index_rank_change": "short_index_rank_change",
    "online_rate": "short_online_rate",
    "on_time_rate": "short_on_time_rate",
    "signature_rate": "short_signature_rate",
}
# Column widths in pixels by kind (None: Streamlit's own); the name column keeps its own width.
WIDTH: dict[str, int] = {"rank": 44, "tier": 44, "rank_change": 56, "score": 54, "pct": 72}


def kind(column: str) -> str:
    return COLUMNS.get(column, ("text", ""))[0]


def label_key(column: str) -> str | None:
    return COLUMNS.get(column, ("text", None))[1]


def short_key(column: str) -> str | None:
    """The compact header's label key, or None where the column keeps its label."""
    return SHORT.get(column)


NAME_WIDTH = 140  # a name column (pinned): most names fit; a longer one shows in full on hover


def width(column: str) -> int | None:
    if column in ("commune_name", "province_name"):
        return NAME_WIDTH
    return WIDTH.get(kind(column))
