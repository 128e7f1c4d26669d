"""Dossier exports (hồ sơ TTHC): one row per dossier, portal field names or Vietnamese/English aliases."""

from __future__ import annotations

import duckdb

from etl import limits
from etl.readers import SourceTable, read_source
from etl.sources import common as C
from etl.sources.registry import spec

SPEC = spec("dossiers")  # headers, required columns, table and key: spec.toml beside this file

RAW_COLUMNS = [
    "dossier_id",
    "commune_code",
    "commune_name",
    "province_code",
    "province_name",
    "procedure_code",
    "procedure_name",
    "sector_code",
    "sector_name",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "status",
    "channel",
    "online_mode",
    "paid_online_via",
    "digitized",
    "handling_unit",
]

CONTRACT_COLUMNS = [
    "dossier_id",
    "commune_code",
    "province_code",
    "procedure_code",
    "procedure_name",
    "sector_code",
    "sector_name",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "status",
    "channel",
    "online_mode",
    "paid_online_via",
    "digitized",
    "handling_unit",
    "source_row",
]

# Accent-free, lower-case value -> code, for the coded columns.
_KEY = "lower(trim(strip_accents(replace(replace({0}, 'đ', 'd'), 'Đ', 'D'))))"
CHANNEL = f"""case raw_channel when '1' then 'in_person' when '2' then 'online' when '3' then 'post'
else case {_KEY.format("raw_channel")}
    when '1' then 'in_person' when 'truc tiep' then 'in_person' when 'in person' then 'in_person'
    when 'in_person' then 'in_person' when 'offline' then 'in_person'
    when '2' then 'online' when 'truc tuyen' then 'online' when 'online' then 'online'
    when 'dich vu cong truc tuyen' then 'online'
    when '3' then 'post' when 'buu chinh' then 'post' when 'buu chinh cong ich' then 'post'
    when 'dich vu buu chinh cong ich' then 'post' when 'post' then 'post' when 'postal' then 'post'
end end"""
ONLINE_MODE = f"""case when raw_online_mode is null then null when raw_online_mode = '1' then 'full'
    when raw_online_mode = '0' then 'partial' else case {_KEY.format("raw_online_mode")}
    when '1' then 'full' when 'true' then 'full' when 'x' then 'full' when 'co' then 'full'
    when 'yes' then 'full' when 'toan trinh' then 'full' when 'full' then 'full'
    when '0' then 'partial' when 'false' then 'partial' when 'khong' then 'partial' when 'no' then 'partial'
    when 'mot phan' then 'partial' when 'partial' then 'partial' else 'invalid' end end"""
PAID = f"""case when raw_paid_online_via is null then null when raw_paid_online_via = '1' then 'national_portal'
    when raw_paid_online_via = '2' then 'local_gateway' when raw_paid_online_via = '0' then 'none'
    else case {_KEY.format("raw_paid_online_via")}
    when '1' then 'national_portal' when 'national_portal' then 'national_portal'
    when 'cong dvc quoc gia' then 'national_portal'
    when '2' then 'local_gateway' when 'local_gateway' then 'local_gateway'
    when 'co' then 'other' when 'true' then 'other' when 'x' then 'other' when 'yes' then 'other'
    when '0' then 'none' when 'khong' then 'none' when 'false' then 'none' when 'no' then 'none'
    else 'invalid' end end"""
DIGITIZED = f"""case when raw_digitized is null or raw_digitized = '0' then false when raw_digitized = '1' then true
    else case {_KEY.format("raw_digitized")}
    when '1' then true when 'true' then true when 'x' then true when 'co' then true when 'yes' then true
    when '0' then false when 'false' then false when 'khong' then false when 'no' then false end end"""


def rules(header_text: dict[str, str]) -> list[C.Rule]:
    label = lambda c: C.header_label(header_text, c)  # noqa: E731
    out = [
        C.Rule(
            "missing_dossier_id",
            "dossier_id",
            "raw_dossier_id is null",
            "''",
            "'thiếu mã hồ sơ — điền mã hồ sơ (MaHoSo) hoặc xóa dòng.'",
            "'no dossier id — fill in the dossier id (MaHoSo) or drop the row.'",
        ),
        C.duplicate_rule("raw_dossier_id", "dossier_id", "mã hồ sơ", "dossier id"),
        *C.commune_rules(label("commune_code"), label("commune_name")),
        C.Rule(
            "missing_received_at",
            "received_at",
            "raw_received_at is null",
            "''",
            "'thiếu ngày tiếp nhận — điền ngày tiếp nhận (dd/mm/yyyy).'",
            "'no received date — fill in the received date (dd/mm/yyyy).'",
        ),
        *C.date_rules("received_at", "ngày tiếp nhận", "received date"),
        *C.date_rules("due_at", "ngày hẹn trả", "due date", future_ok=True),  # open dossiers fall due later
        *C.date_rules("finished_at", "ngày hoàn thành", "finished date"),
        *C.date_rules("returned_at", "ngày trả kết quả", "returned date"),
        C.Rule(
            "finished_before_received",
            "finished_at",
            "finished_at < received_at",
            "raw_finished_at",
            "format('ngày hoàn thành {} trước ngày tiếp nhận {} — sửa ngày hoặc xóa dòng.', "
            "fmt_date(finished_at), fmt_date(received_at))",
            "format('finished {} before received {} — fix the date or drop the row.', "
            "fmt_date(finished_at), fmt_date(received_at))",
        ),
        C.Rule(
            "due_before_received",
            "due_at",
            "due_at < received_at",
            "raw_due_at",
            "format('ngày hẹn trả {} trước ngày tiếp nhận {} — sửa ngày hoặc xóa dòng.', "
            "fmt_date(due_at), fmt_date(received_at))",
            "format('due {} before received {} — fix the date or drop the row.', "
            "fmt_date(due_at), fmt_date(received_at))",
        ),
        C.Rule(
            "bad_channel",
            "channel",
            "channel is null",
            "raw_channel",
            'format(\'kênh thực hiện "{}" không hợp lệ — dùng 1 (trực tiếp), 2 (trực tuyến) hoặc '
            "3 (bưu chính công ích).', coalesce(raw_channel, ''))",
            'format(\'channel "{}" is not valid — use 1 (in person), 2 (online) or 3 (public postal '
            "service).', coalesce(raw_channel, ''))",
        ),
        C.Rule(
            "bad_online_mode",
            "online_mode",
            "online_mode = 'invalid'",
            "raw_online_mode",
            "format('giá trị toàn trình \"{}\" không hợp lệ — dùng 1 (toàn trình) hoặc 0 (một phần).', "
            "raw_online_mode)",
            "format('full-online value \"{}\" is not valid — use 1 (full online) or 0 (partly online).', "
            "raw_online_mode)",
        ),
        C.Rule(
            "bad_paid_online",
            "paid_online_via",
            "paid_code = 'invalid'",
            "raw_paid_online_via",
            'format(\'giá trị thanh toán trực tuyến "{}" không hợp lệ — dùng 1 (Cổng DVC quốc gia), '
            "2 (cổng địa phương) hoặc để trống.', raw_paid_online_via)",
            'format(\'paid-online value "{}" is not valid — use 1 (national portal), 2 (local gateway) '
            "or leave it empty.', raw_paid_online_via)",
        ),
        C.Rule(
            "bad_digitized",
            "digitized",
            "digitized is null",
            "raw_digitized",
            "format('giá trị số hóa \"{}\" không hợp lệ — dùng 1 (có) hoặc 0 (không).', raw_digitized)",
            "format('digitized value \"{}\" is not valid — use 1 (yes) or 0 (no).', raw_digitized)",
        ),
    ]
    return out


def stage(table: SourceTable, con: duckdb.DuckDBPyConnection, **_options) -> C.Staged:
    """Validate a dossier export; returns the valid rows and the rejects as temp tables.

    Built for national files (tens of millions of rows over a batch, see `C.stage_valid_rows`):
    one pass parses, matches official commune codes, marks in-file duplicates and flags rows that
    break a rule; only flagged rows are parsed again, name-matched and given messages.  A lazy
    table (`read_source(..., lazy=True)`) is streamed straight from the CSV in that first pass."""
    sql_cols, header_text = C.map_columns("dossiers", table)
    raw = C.select_columns(sql_cols, RAW_COLUMNS)
    # Streamed cells come as written: the text kept as it is gets trimmed; the parsed ones are not
    # (a value with spaces fails the fast parse, marks the row broken, and pass 2 reads it trimmed).
    raw_lazy = (
        C.select_columns(
            {c: (table.lazy.trimmed(src) if c in KEPT_TEXT else src) for c, src in sql_cols.items()},
            RAW_COLUMNS,
        )
        if table.lazy
        else raw
    )
    has_code = "commune_code" in sql_cols
    commune_cols, commune_join = C.commune_code_join(has_code)
    full: list[SourceTable] = [table] if table.lazy is None else []

    def relation() -> str:
        """The ordinary, materialised relation (read on first use when the table is lazy)."""
        if not full:
            full.append(read_source(table.path, con, file_name=table.path.name))
        return full[0].relation_name

    ts: dict[str, str] = {}

    def parse_dates(relation_sql: str | None) -> None:
        """Date parsers from the first values of each date column (the reader's sample when lazy)."""
        for c in ("received_at", "due_at", "finished_at", "returned_at"):
            col = sql_cols.get(c)
            values = table.lazy.sample_values(col) if relation_sql is None and col else None
            ts[c] = C.timestamp_parser(con, relation_sql, col, values=values)(f"raw_{c}")

    def parse_sql(where: str, dups: str, lazy) -> str:
        if lazy is not None:  # streamed: no source_row yet, no join (it would reorder the rows)
            source = (
                f"(select cast(null as integer) as source_row, overlong, {raw_lazy} from ({lazy.select_sql}))"
            )
            communes = (
                f"{C.CODE_SQL.format('p.raw_commune_code') if has_code else 'cast(null as integer)'} "
                "as commune_code, cast(null as integer) as province_code, "
                "cast(null as varchar) as commune_status, cast(null as varchar) as commune_candidates"
            )
            join, dup_rows = "", "cast(null as varchar)"
        else:
            source = f"(select source_row, {raw} from {relation()} {where})"
            communes, join = commune_cols, f"{commune_join} left join {dups} dd on dd.k = p.raw_dossier_id"
            dup_rows = "dd.rows_list"
        return f"""
            with raw as (select * from {source}),
            parsed as (
                select *,
                    {ts["received_at"]} as received_at, {ts["due_at"]} as due_at,
                    {ts["finished_at"]} as finished_at, {ts["returned_at"]} as returned_at,
                    {CHANNEL} as channel, {ONLINE_MODE} as online_mode_code, {PAID} as paid_code,
                    {DIGITIZED} as digitized
                from raw
            )
            select p.* exclude (online_mode_code),
                case when channel = 'online' then online_mode_code
                     when online_mode_code = 'invalid' then 'invalid' end as online_mode,
                case when paid_code not in ('none', 'invalid') then paid_code end as paid_online_via,
                {communes}, {dup_rows} as dup_rows
            from parsed p {join}"""

    final = {
        c: (f"raw_{c}" if f"raw_{c}" in RAW_COLUMNS_SET and c not in PARSED else c) for c in CONTRACT_COLUMNS
    }
    args = (
        con,
        parse_sql,
        final,
        rules(header_text),
        header_text,
        table.path.name,
        "commune_name" in sql_cols,
    )
    result = None
    if table.lazy is not None:
        try:
            parse_dates(None)
            result = C.stage_valid_rows(*args, key="dossier_id", lazy=table.lazy)
        except duckdb.Error as err:
            if limits.is_cap_error(err):
                raise  # past the load's memory or temp-disk cap: the load stops (etl/limits.py)
            result = None  # e.g. quoted line breaks or bad UTF-8: the ordinary read says what
    if result is None:  # (the streamed read could not be trusted: read it the ordinary way)
        parse_dates(relation())
        result = C.stage_valid_rows(*args, key="dossier_id")
    staged, rejects, rows_read, rejected, reasons = result
    return C.Staged(
        "dossiers",
        [C.Output(staged, SPEC.table, list(SPEC.key), primary=True)],
        rejects,
        rows_read,
        rejected,
        reasons,
    )


RAW_COLUMNS_SET = {f"raw_{c}" for c in RAW_COLUMNS}
# Contract columns computed by the staging query (the others are the raw text, trimmed).
PARSED = {
    "commune_code",
    "province_code",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "channel",
    "online_mode",
    "paid_online_via",
    "digitized",
    "source_row",
}
KEPT_TEXT = {c for c in CONTRACT_COLUMNS if c not in PARSED}
