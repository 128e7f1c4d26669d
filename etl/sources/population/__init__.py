"""Population and villages: one row per commune and year (population, adults, villages/residential groups).

The reference package has no population, so it comes from a file (the commune's statistics or the
province's).  `population` is required; `adults` and `villages` may be left empty (NULL = not known)
and are then missing from the metrics that need them.  Key (commune, year): a re-delivery replaces
the whole row, so a later file that leaves `adults` empty empties it.
"""

from __future__ import annotations

import duckdb

from etl.readers import SourceTable
from etl.sources import common as C
from etl.sources import skills_common as S
from etl.sources.registry import spec

SPEC = spec("population")  # headers, required columns, table and key: spec.toml beside this file

KIND = "population"
RAW_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "province_name",
    "year",
    "population",
    "adults",
    "villages",
]


def rules(header_text: dict[str, str]) -> list[C.Rule]:
    label = lambda c: C.header_label(header_text, c)  # noqa: E731
    return [
        *C.commune_rules(label("commune_code"), label("commune_name")),
        *S.year_rules(),
        *S.count_rules("population", "dân số", "population", minimum=1),
        *S.count_rules("adults", "số người trưởng thành", "adults", required=False),
        *S.count_rules(
            "villages", "số thôn, tổ dân phố", "villages and residential groups", required=False, minimum=1
        ),
        C.Rule(
            "adults_over_population",
            "adults",
            "adults > population",
            "raw_adults",
            "format('số người trưởng thành {} lớn hơn dân số {} — sửa một trong hai số.', adults, population)",
            "format('adults {} exceed the population {} — fix one of the two figures.', adults, population)",
        ),
        C.duplicate_rule("dup_key", "year", "xã và năm", "commune and year"),
    ]


def stage(table: SourceTable, con: duckdb.DuckDBPyConnection, **_options) -> C.Staged:
    """Validate a population sheet; a later delivery of the same (commune, year) replaces it."""
    sql_cols, header_text = C.map_columns(KIND, table)
    staged = C.temp_name("stg_population")
    con.execute(f"""
        create temp table {staged} as
        with raw as (select source_row, {C.select_columns(sql_cols, RAW_COLUMNS)} from {table.relation_name})
        select *, {S.PARSE_YEAR} as year,
               parse_count(raw_population) as population,
               parse_count(raw_adults) as adults,
               parse_count(raw_villages) as villages
        from raw
    """)
    C.resolve_communes(con, staged, "commune_code" in sql_cols, "commune_name" in sql_cols)
    S.add_key(con, staged, "cast(commune_code as varchar) || ' ' || cast(year as varchar)")
    return S.finish(
        KIND,
        con,
        staged,
        rules(header_text),
        header_text,
        table.path.name,
        "commune_code, province_code, year, population, adults, villages",
        SPEC.table,
        list(SPEC.key),
    )
