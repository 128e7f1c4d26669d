"""Published service-index sheets (Decision 766): one row per commune and period with group scores.

Six-group layout (CKMB, TDGQ, CLGQ, TTTT, MDSH, MDHL) or the older five-group one (DVCTT in place of
CLGQ and TTTT).  The period comes from a 'Kỳ' column, the `period` option, or the file name.
Ranks missing from the file are computed in the marts within the province, ties sharing a rank.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from core.periods import parse_period, period_from_filename
from etl import headers as H
from etl.readers import SourceFileError, SourceTable
from etl.sources import common as C
from etl.sources.registry import spec

SPEC = spec("index")  # headers, required columns, table and key: spec.toml beside this file

BASE_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "province_name",
    "period",
    "total_score",
    "published_rank",
]


def _score_rules(group: str) -> list[C.Rule]:
    raw, max_score = f"raw_{group}", H.GROUP_MAX[group]
    return [
        C.Rule(
            f"bad_score_{group}",
            group,
            f"{raw} is not null and {group} is null",
            raw,
            f"format('điểm {group} \"{{}}\" không phải số — điền số điểm hoặc để trống.', {raw})",
            f"format('{group} score \"{{}}\" is not a number — fill in the score or leave it empty.', {raw})",
        ),
        C.Rule(
            f"score_out_of_range_{group}",
            group,
            f"{group} < 0 or {group} > {max_score}",
            raw,
            f"format('điểm {group} {{}} ngoài khoảng 0..{max_score:g} — sửa điểm.', {group})",
            f"format('{group} score {{}} is outside 0..{max_score:g} — fix the score.', {group})",
        ),
    ]


def rules(header_text: dict[str, str], groups: list[str]) -> list[C.Rule]:
    label = lambda c: C.header_label(header_text, c)  # noqa: E731
    out = [*C.commune_rules(label("commune_code"), label("commune_name"))]
    out.append(
        C.Rule(
            "bad_period",
            "period",
            "period_key is null",
            "raw_period",
            "format('kỳ đánh giá \"{}\" không đọc được — dùng 08/2026, Quý 3/2026 hoặc 2026.', "
            "coalesce(raw_period, ''))",
            "format('period \"{}\" is not a period — use 08/2026, Q3/2026 or 2026.', "
            "coalesce(raw_period, ''))",
        )
    )
    for g in groups:
        out += _score_rules(g)
    out += [
        C.Rule(
            "bad_total",
            "total_score",
            "raw_total_score is not null and total_score is null",
            "raw_total_score",
            "format('tổng điểm \"{}\" không phải số — sửa hoặc để trống.', raw_total_score)",
            "format('total score \"{}\" is not a number — fix it or leave it empty.', raw_total_score)",
        ),
        C.Rule(
            "total_out_of_range",
            "total_score",
            "total_score < 0 or total_score > 100",
            "raw_total_score",
            "format('tổng điểm {} ngoài khoảng 0..100 — sửa điểm.', total_score)",
            "format('total score {} is outside 0..100 — fix the score.', total_score)",
        ),
        C.Rule(
            "bad_rank",
            "published_rank",
            "raw_published_rank is not null and (published_rank is null or published_rank < 1)",
            "raw_published_rank",
            "format('xếp hạng \"{}\" không phải số nguyên dương — sửa hoặc để trống.', raw_published_rank)",
            "format('rank \"{}\" is not a positive whole number — fix it or leave it empty.', "
            "raw_published_rank)",
        ),
        C.duplicate_rule("dup_key", "commune_name", "đơn vị và kỳ", "unit and period"),
    ]
    return out


def stage(
    table: SourceTable, con: duckdb.DuckDBPyConnection, *, period: str | None = None, **_options
) -> C.Staged:
    sql_cols, header_text = C.map_columns("index", table)
    groups = [g for g in H.INDEX_GROUP_COLUMNS if g in sql_cols]
    layout = "five_groups" if "DVCTT" in groups and not {"CLGQ", "TTTT"} & set(groups) else "six_groups"
    default_period = parse_period(period) if period else period_from_filename(table.path.name)
    if period and default_period is None:
        raise SourceFileError(
            table.path.name,
            f"{table.path.name}: kỳ '{period}' không hợp lệ — dùng 2026-08, 2026-Q3 hoặc 2026.",
            f"{table.path.name}: period '{period}' is not valid — use 2026-08, 2026-Q3 or 2026.",
        )
    if "period" not in sql_cols and default_period is None:
        raise SourceFileError(
            table.path.name,
            f"{table.path.name}: không có cột Kỳ và tên tệp không ghi kỳ — thêm --period 2026-08 "
            f"(tháng), 2026-Q3 (quý) hoặc 2026 (năm).",
            f"{table.path.name}: no period column and none in the file name — pass --period "
            f"2026-08 (month), 2026-Q3 (quarter) or 2026 (year).",
        )
    staged = C.temp_name("stg_index")
    scores = ", ".join(f"parse_decimal(raw_{g}) as {g}" for g in groups)
    con.execute(f"""
        create temp table {staged} as
        with raw as (select source_row, {C.select_columns(sql_cols, BASE_COLUMNS + groups)}
                     from {table.relation_name})
        select *, {scores + "," if scores else ""} parse_decimal(raw_total_score) as total_score,
               try_cast(parse_decimal(raw_published_rank) as integer) as published_rank
        from raw
    """)
    # Periods: few distinct values per file, parsed in Python with the same rules as the CLI option.
    values = [r[0] for r in con.execute(f"select distinct raw_period from {staged}").fetchall()]
    rows = []
    for v in values:
        p = parse_period(v) if v is not None else default_period
        rows.append((v, p.period_type if p else None, p.key if p else None, p.start if p else None))
    periods = pd.DataFrame(rows, columns=["v", "period_type", "period_key", "period_start"]).astype(
        {"v": "object", "period_type": "object", "period_key": "object"}
    )
    periods["period_start"] = pd.to_datetime(periods["period_start"])
    con.register("index_periods", periods)
    con.execute(f"""
        create or replace temp table {staged} as
        select s.*, p.period_type, p.period_key, cast(p.period_start as date) as period_start
        from {staged} s left join index_periods p on s.raw_period is not distinct from p.v
    """)
    con.unregister("index_periods")
    C.resolve_communes(con, staged, "commune_code" in sql_cols, "commune_name" in sql_cols)
    con.execute(f"""
        alter table {staged} add column dup_key varchar;
        update {staged} set dup_key = cast(commune_code as varchar) || ' ' || period_key
        where commune_code is not null and period_key is not null
    """)
    C.mark_duplicates(con, staged, "dup_key")
    rejects, rejected, reasons = C.apply_rules(
        con, staged, rules(header_text, groups), header_text, table.path.name
    )
    ok = f"from {staged} s where not exists (select 1 from {rejects} r where r.source_row = s.source_row)"
    totals, scores_t = C.temp_name("valid_index_total"), C.temp_name("valid_index_score")
    con.execute(
        f"""
        create temp table {totals} as
        select commune_code, province_code, period_type, period_key as period, period_start,
               total_score, published_rank, ? as layout, source_row {ok}
    """,
        [layout],
    )
    parts = [
        f"select commune_code, province_code, period_type, period_key as period, period_start, "
        f"'{g}' as group_code, {g} as score, {H.GROUP_MAX[g]} as max_score, "
        f"cast(null as double) as ratio, cast(null as double) as score_delta, source_row {ok}"
        for g in groups
    ]
    con.execute(f"create temp table {scores_t} as {' union all '.join(parts)}")
    rows_read = con.execute(f"select count(*) from {staged}").fetchall()[0][0]
    return C.Staged(
        "index",
        [
            C.Output(totals, SPEC.table, list(SPEC.key), primary=True),
            C.Output(scores_t, "fact_index_score", ["commune_code", "period_type", "period", "group_code"]),
        ],
        rejects,
        rows_read,
        rejected,
        reasons,
    )
