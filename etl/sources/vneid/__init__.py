"""VNeID and Bình dân học vụ số certificates: one row per commune and month, cumulative as of the
month's end — level-2 VNeID accounts activated, adults certified on the Bình dân học vụ số platform.

At least one of the two columns must be in the file; an empty cell is NULL (not reported), and a row
with both empty is refused.  Key (commune, month): a re-delivery replaces the whole row.  The mart
carries the latest report forward to later months without one (each figure on its own).
"""

from __future__ import annotations

import duckdb

from etl.readers import SourceTable
from etl.sources import common as C
from etl.sources import skills_common as S
from etl.sources.registry import spec

SPEC = spec("vneid")  # headers, required columns, table and key: spec.toml beside this file

KIND = "vneid"
RAW_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "province_name",
    "month",
    "vneid_level2_active",
    "adults_certified",
]


def rules(header_text: dict[str, str]) -> list[C.Rule]:
    label = lambda c: C.header_label(header_text, c)  # noqa: E731
    return [
        *C.commune_rules(label("commune_code"), label("commune_name")),
        *S.month_rules(),
        *S.count_rules(
            "vneid_level2_active", "số tài khoản VNeID mức 2", "level-2 VNeID accounts", required=False
        ),
        *S.count_rules(
            "adults_certified", "số người được cấp chứng nhận", "adults certified", required=False
        ),
        C.Rule(
            "no_figures",
            "vneid_level2_active",
            "raw_vneid_level2_active is null and raw_adults_certified is null",
            "''",
            "'dòng không có số tài khoản VNeID mức 2 lẫn số người được cấp chứng nhận — điền ít nhất một số "
            "hoặc xóa dòng.'",
            "'the row has neither level-2 VNeID accounts nor adults certified — fill in at least one figure or "
            "drop the row.'",
        ),
        C.duplicate_rule("dup_key", "month", "xã và tháng", "commune and month"),
    ]


def stage(table: SourceTable, con: duckdb.DuckDBPyConnection, **_options) -> C.Staged:
    """Validate a VNeID / certificate sheet; a later delivery of the same (commune, month) replaces it."""
    sql_cols, header_text = C.map_columns(KIND, table)
    staged = C.temp_name("stg_vneid")
    con.execute(f"""
        create temp table {staged} as
        with raw as (select source_row, {C.select_columns(sql_cols, RAW_COLUMNS)} from {table.relation_name})
        select *, {S.month_sql()} as month,
               parse_count(raw_vneid_level2_active) as vneid_level2_active,
               parse_count(raw_adults_certified) as adults_certified
        from raw
    """)
    C.resolve_communes(con, staged, "commune_code" in sql_cols, "commune_name" in sql_cols)
    S.add_key(con, staged, "cast(commune_code as varchar) || ' ' || strftime(month, '%m/%Y')")
    return S.finish(
        KIND,
        con,
        staged,
        rules(header_text),
        header_text,
        table.path.name,
        "commune_code, province_code, month, vneid_level2_active, adults_certified",
        SPEC.table,
        list(SPEC.key),
    )
