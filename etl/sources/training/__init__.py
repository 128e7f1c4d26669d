"""Training sessions (buổi tập huấn, hội nghị) on digital skills: commune, date, topic, audience,
participants, organiser (and, optionally, the venue).

One row is one session **for one audience**: a session for officials and residents together is
written as two rows with the same date and topic, each with its own participants.  `audience` must
be one of officials, residents, pupils, businesses (Vietnamese and English words accepted, see
`skills_common.AUDIENCES`); a mixed value is refused, not guessed.

Key (commune, date, topic, audience): a re-delivery of the same session and audience replaces it.
The mart counts a session once per (commune, date, topic), whatever the number of audience rows.
`participants` are attendances as reported: the same person at two sessions counts twice.
"""

from __future__ import annotations

import duckdb

from etl.readers import SourceTable
from etl.sources import common as C
from etl.sources import skills_common as S
from etl.sources.registry import spec

SPEC = spec("training")  # headers, required columns, table and key: spec.toml beside this file

KIND = "training"
RAW_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "province_name",
    "training_on",
    "topic",
    "audience",
    "participants",
    "organiser",
    "location",
]


def rules(header_text: dict[str, str]) -> list[C.Rule]:
    label = lambda c: C.header_label(header_text, c)  # noqa: E731
    return [
        *C.commune_rules(label("commune_code"), label("commune_name")),
        S.required_date_rule("training_on", "ngày tập huấn", "training date"),
        *C.date_rules("training_on", "ngày tập huấn", "training date"),
        C.Rule(
            "missing_topic",
            "topic",
            "topic is null",
            "''",
            "'thiếu nội dung tập huấn — ghi nội dung (ví dụ: Hướng dẫn kích hoạt VNeID mức 2).'",
            "'no topic — write what the session taught (e.g. activating VNeID level 2).'",
        ),
        C.Rule(
            "bad_audience",
            "audience",
            "audience is null or audience = 'invalid'",
            "raw_audience",
            f'format(\'đối tượng "{{}}" không thuộc danh mục ({S.AUDIENCE_LABELS_VI}) — chọn một đối tượng; '
            f"buổi có nhiều đối tượng thì ghi mỗi đối tượng một dòng.', coalesce(raw_audience, ''))",
            f'format(\'audience "{{}}" is not one of {S.AUDIENCE_LABELS_EN} — pick one; for a session with '
            f"several audiences write one row per audience.', coalesce(raw_audience, ''))",
        ),
        *S.count_rules("participants", "số người tham dự", "participants"),
        C.Rule(
            "duplicate_in_file",
            "topic",
            "dup_rows is not null",
            "topic",
            'format(\'buổi tập huấn ngày {} "{}" cho đối tượng {} lặp lại trong tệp (các dòng {}) — giữ lại '
            "một dòng hoặc cộng số người tham dự.', fmt_date(training_on), topic, raw_audience, dup_rows)",
            'format(\'the session of {} "{}" for {} appears more than once in the file (rows {}) — keep one '
            "row or add up the participants.', fmt_date(training_on), topic, raw_audience, dup_rows)",
        ),
    ]


def stage(table: SourceTable, con: duckdb.DuckDBPyConnection, **_options) -> C.Staged:
    """Validate a sessions list; a later delivery of the same session and audience replaces it."""
    sql_cols, header_text = C.map_columns(KIND, table)
    staged = C.temp_name("stg_training")
    con.execute(f"""
        create temp table {staged} as
        with raw as (select source_row, {C.select_columns(sql_cols, RAW_COLUMNS)} from {table.relation_name}),
        audiences as (   -- a file holds a handful of distinct audience spellings: map each once
            select v, {S.audience_sql(S.plain_sql("v"))} as audience
            from (select distinct raw_audience as v from raw where raw_audience is not null)
        )
        select raw.*, cast(parse_ts(raw_training_on) as date) as training_on,
               {S.text_sql("raw_topic")} as topic,
               a.audience,
               parse_count(raw_participants) as participants,
               {S.text_sql("raw_organiser")} as organiser,
               {S.text_sql("raw_location")} as location
        from raw left join audiences a on a.v = raw.raw_audience
    """)
    C.resolve_communes(con, staged, "commune_code" in sql_cols, "commune_name" in sql_cols)
    S.add_key(
        con,
        staged,
        "cast(commune_code as varchar) || ' ' || cast(training_on as varchar) || ' ' || "
        "nullif(audience, 'invalid') || ' ' || topic",
    )
    return S.finish(
        KIND,
        con,
        staged,
        rules(header_text),
        header_text,
        table.path.name,
        "commune_code, province_code, training_on, topic, audience, participants, organiser, location",
        SPEC.table,
        list(SPEC.key),
    )
