"""Digital-signature sheets: one row per commune and month (issued, classified, signed digitally)."""

from __future__ import annotations

import duckdb

from etl.readers import SourceTable
from etl.sources import common as C
from etl.sources.registry import spec

SPEC = spec("signatures")  # headers, required columns, table and key: spec.toml beside this file

RAW_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "province_name",
    "month",
    "docs_issued",
    "docs_confidential",
    "docs_signed",
]


def rules(header_text: dict[str, str]) -> list[C.Rule]:
    label = lambda c: C.header_label(header_text, c)  # noqa: E731
    return [
        *C.commune_rules(label("commune_code"), label("commune_name")),
        *C.month_rules(),
        *C.count_rules("docs_issued", "số văn bản đi", "documents issued"),
        *C.count_rules("docs_confidential", "số văn bản mật", "classified documents"),
        *C.count_rules("docs_signed", "số văn bản ký số", "documents signed"),
        C.Rule(
            "confidential_over_issued",
            "docs_confidential",
            "least(docs_issued, docs_confidential) >= 0 and docs_confidential > docs_issued",
            "raw_docs_confidential",
            "format('số văn bản mật {} lớn hơn tổng số văn bản đi {} — sửa số liệu.', "
            "docs_confidential, docs_issued)",
            "format('classified documents {} exceed documents issued {} — fix the counts.', "
            "docs_confidential, docs_issued)",
        ),
        C.Rule(
            "signed_over_issued",
            "docs_signed",
            "least(docs_issued, docs_confidential, docs_signed) >= 0 and docs_confidential <= docs_issued "
            "and docs_signed > docs_issued - docs_confidential",
            "raw_docs_signed",
            "format('số văn bản ký số {} lớn hơn số văn bản đi không mật {} ({} - {}) — sửa số liệu.', "
            "docs_signed, docs_issued - docs_confidential, docs_issued, docs_confidential)",
            "format('documents signed {} exceed non-classified documents issued {} ({} - {}) — fix the "
            "counts.', docs_signed, docs_issued - docs_confidential, docs_issued, docs_confidential)",
        ),
        C.duplicate_rule("dup_key", "month", "xã và tháng", "commune and month"),
    ]


def stage(table: SourceTable, con: duckdb.DuckDBPyConnection, **_options) -> C.Staged:
    """Validate a signature sheet; a later delivery of the same (commune, month) replaces it."""
    sql_cols, header_text = C.map_columns("signatures", table)
    staged = C.temp_name("stg_signature")
    con.execute(f"""
        create temp table {staged} as
        with raw as (select source_row, {C.select_columns(sql_cols, RAW_COLUMNS)} from {table.relation_name})
        select *, cast({C.PARSE_MONTH} as date) as month,
               parse_count(raw_docs_issued) as docs_issued,
               parse_count(raw_docs_confidential) as docs_confidential,
               parse_count(raw_docs_signed) as docs_signed
        from raw
    """)
    C.resolve_communes(con, staged, "commune_code" in sql_cols, "commune_name" in sql_cols)
    con.execute(f"""
        alter table {staged} add column dup_key varchar;
        update {staged} set dup_key = cast(commune_code as varchar) || ' ' ||
               strftime(month, '%m/%Y') where commune_code is not null and month is not null
    """)
    C.mark_duplicates(con, staged, "dup_key")
    rejects, rejected, reasons = C.apply_rules(con, staged, rules(header_text), header_text, table.path.name)
    valid = C.temp_name("valid_signature")
    con.execute(f"""
        create temp table {valid} as
        select commune_code, province_code, month, docs_issued, docs_confidential, docs_signed, source_row
        from {staged} s where not exists (select 1 from {rejects} r where r.source_row = s.source_row)
    """)
    rows_read = con.execute(f"select count(*) from {staged}").fetchall()[0][0]
    return C.Staged(
        "signatures",
        [C.Output(valid, SPEC.table, list(SPEC.key), True)],
        rejects,
        rows_read,
        rejected,
        reasons,
    )
