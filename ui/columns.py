"""How each column of a read-side frame is labelled and written, in tables and downloads."""

from __future__ import annotations

from metrics.definitions import GROUP_COLUMNS

# column -> (kind, label key in metrics.i18n.LABELS)
COLUMNS: dict[str, tuple[str, str]] = {
    "index_rank": ("rank", "col_index_rank"),
    "index_rank_change": ("rank_change", "col_index_rank_change"),
    "previous_index_rank": ("rank", "col_previous_index_rank"),
    "national_rank": ("rank", "col_national_rank"),
    "tier": ("tier", "col_tier"),
    "commune_code": ("code", "col_commune_code"),
    "commune_name": ("text", "col_commune_name"),
    "province_code": ("code", "col_province_code"),
    "province_name": ("text", "col_province_name"),
    "index_total": ("score", "col_index_total"),
    "index_average": ("score", "m_index_average"),
    "index_total_change": ("score_change", "col_index_total_change"),
    **{col: ("score", f"col_{col}") for col in GROUP_COLUMNS.values()},
    "online_rate": ("pct", "m_online_rate"),
    "online_full_rate": ("pct", "m_online_full_rate"),
    "on_time_rate": ("pct", "m_on_time_rate"),
    "signature_rate": ("pct", "m_signature_rate"),
    "paid_online_rate": ("pct", "m_paid_online_rate"),
    "digitized_rate": ("pct", "m_digitized_rate"),
    "avg_processing_days": ("days", "m_avg_processing_days"),
    "dossiers_received": ("int", "col_dossiers_received"),
    "dossiers_online": ("int", "col_dossiers_online"),
    "dossiers_on_time": ("int", "col_dossiers_on_time"),
    "dossiers_overdue": ("int", "col_dossiers_overdue"),
    "docs_issued": ("int", "col_docs_issued"),
    "docs_confidential": ("int", "col_docs_confidential"),
    "docs_signed": ("int", "col_docs_signed"),
    "docs_unsigned": ("int", "col_docs_unsigned"),
    "communes": ("int", "col_communes"),
    "communes_with_dossiers": ("int", "col_communes_with_dossiers"),
    "target": ("pct", "target"),
    "gap": ("pct", "col_gap"),
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
    "load_id": ("code", "col_load_id"),
    "file_name": ("text", "col_file_name"),
    "kind": ("source", "col_kind"),
    "source": ("source", "col_source"),
    "loaded_at": ("datetime", "col_loaded_at"),
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


def kind(column: str) -> str:
    return COLUMNS.get(column, ("text", ""))[0]


def label_key(column: str) -> str | None:
    return COLUMNS.get(column, ("text", None))[1]
