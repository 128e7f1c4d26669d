"""The one staging engine: stages a file of any source kind from the kind's spec.

A spec (`etl/sources/<kind>/spec.toml`, read and checked by `etl.sources.registry`) says which headers
the file may have, how each field is parsed and checked, which rows break which rule, the key that may
not repeat inside one file, and what the valid rows become.  The engine turns it into SQL over the
reader's table (`etl.readers.SourceTable`), in the load's connection:

1. map the headers (a missing required column refuses the file);
2. parse: `raw_<column>` for every column of the spec (NULL when the file lacks it), each field's
   parsed value (`FIELD_TYPES`), then the `[[derived]]` columns in order, then the `after_parse`
   hooks;
3. resolve communes (official code first, else the name, province-aware; never guessed);
4. mark the rows whose duplicate key repeats inside the file (`find_duplicates_in_file`: one
   aggregate by key, linear in the file; a file dominated by repeated keys is refused as a whole
   with one summary, `etl.sources.duplicates.RepeatedKeysError`);
5. apply the rules in the order the spec lists them (`[[rules]]`: built-in checks of the commune, of
   the duplicates or of a field, or a rule written out with its reason, condition and messages);
6. the rows no rule refuses become the outputs (`[[outputs]]`, the first one primary).

Two strategies: `rows` (the above, for files of thousands of rows) and `two_pass` (national dossier
files: one pass parses, matches official codes and flags broken rows; only those are parsed again,
name-matched and given messages; `stage_two_pass`).  A kind with a `reader` (portal JSON) is staged by
that hook instead.  Hooks are functions of `etl.sources.hooks`, named in the spec.

It never writes to the warehouse's tables; `etl.loader` does.  User text only reaches SQL as data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from etl import limits
from etl.readers import SourceTable, read_source
from etl.sources import common as C
from etl.sources import duplicates as D
from etl.sources import hooks
from etl.sources.registry import Field, KindSpec, RuleSpec

# 'Năm 2025', '2025', '2025.0' -> 2025; anything else -> NULL (rejected by the year checks).
PARSE_YEAR = """try_cast(regexp_extract(
    regexp_replace(lower(strip_accents(replace(replace(raw_{0}, 'Đ', 'D'), 'đ', 'd'))), '\\s+', ' ', 'g'),
    '^(?:nam |year )?(\\d{{4}})(?:\\.0+)?$', 1) as integer)"""


@dataclass
class Context:
    """What one staging knows: the spec, the file, the connection, the mapped columns and the options.
    Hooks receive it; `values` carries what a hook computed for a later one (e.g. the index groups)."""

    spec: KindSpec
    table: SourceTable
    con: duckdb.DuckDBPyConnection
    sql_cols: dict[str, str]
    header_text: dict[str, str]
    options: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)

    def has(self, column: str) -> bool:
        return column in self.sql_cols

    def fields(self) -> list[Field]:
        """The fields this file gives (an `if_present` field whose column the file lacks is left out)."""
        return [f for f in self.spec.fields.values() if not f.options.get("if_present") or self.has(f.name)]


def stage(spec: KindSpec, source, con: duckdb.DuckDBPyConnection, **options) -> C.Staged:
    """Stage one file of kind `spec`: `source` is the reader's table (a path for a `reader` kind)."""
    if spec.reader is not None:
        return hooks.get(spec.reader)(source, con, **options)
    sql_cols, header_text = C.map_columns(spec.kind, source)
    ctx = Context(spec, source, con, sql_cols, header_text, options)
    if spec.strategy == "two_pass":
        return stage_two_pass(ctx)
    return stage_rows(ctx)


# --- fields ----------------------------------------------------------------------------------------


def text_sql(raw: str) -> str:
    """SQL: free text with runs of spaces collapsed (topics, names); the regex only runs on the few
    values that need it (cells arrive trimmed from etl.readers)."""
    return (
        f"case when contains({raw}, '  ') or contains({raw}, chr(9)) or contains({raw}, chr(10)) "
        f"or contains({raw}, chr(13)) then nullif(trim(regexp_replace({raw}, '\\s+', ' ', 'g')), '') "
        f"else {raw} end"
    )


def plain_sql(expr: str) -> str:
    """SQL: lower case, no accents (đ -> d), punctuation to single spaces, trimmed."""
    return (
        f"trim(regexp_replace(lower(strip_accents(replace(replace({expr}, 'Đ', 'D'), 'đ', 'd'))), "
        f"'[^a-z0-9]+', ' ', 'g'))"
    )


def _plain(text: str) -> str:
    s = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def choice_sql(plain: str, accepted: dict[str, list[str]]) -> str:
    """SQL: the code of a cell already passed through `plain_sql`, or 'invalid' (NULL stays NULL)."""
    whens = " ".join(
        f"when {plain} in ({', '.join(repr(_plain(v)) for v in words)}) then '{code}'"
        for code, words in accepted.items()
    )
    return f"case when {plain} is null then null {whens} else 'invalid' end"


def parse_sql(f: Field) -> str:
    """The SQL parsing `raw_<name>` into the field's value (a `choice` is mapped once per distinct
    value in `stage_rows`; a `timestamp` is parsed by `C.timestamp_parser` in `stage_two_pass`)."""
    raw = f"raw_{f.name}"
    match f.type:
        case "count":
            return f"parse_count({raw})"
        case "month":
            return f"cast({PARSE_MONTH.replace('raw_month', raw)} as date)"
        case "year":
            return PARSE_YEAR.format(f.name)
        case "date":
            return f"cast(parse_ts({raw}) as date)"
        case "timestamp":
            return f"parse_ts({raw})"
        case "text":
            return text_sql(raw)
        case "decimal" | "score":
            return f"parse_decimal({raw})"
        case "sql":
            return f.options["parse"]
    raise ValueError(f"field {f.name}: no parser for type {f.type!r}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def field_checks(f: Field) -> list[C.Rule]:
    """The built-in checks of a field's type, in the order they are reported."""
    o, name = f.options, f.name
    vi, en = o.get("label_vi", name), o.get("label_en", name)
    match f.type:
        case "count":
            return count_rules(name, vi, en, required=f.required, minimum=o.get("min", 0))
        case "month":
            return month_rules()
        case "year":
            return year_checks()
        case "date" | "timestamp":
            out = []
            if f.required:
                out.append(missing_check(f))
            return out + date_rules(name, vi, en, future_ok=o.get("future", False))
        case "text":
            return [missing_check(f)] if f.required else []
        case "choice":
            cond = f"{name} is null or {name} = 'invalid'" if f.required else f"{name} = 'invalid'"
            return [C.Rule(f"bad_{name}", name, cond, f"raw_{name}", o["invalid_vi"], o["invalid_en"])]
        case "score":
            return score_checks(f)
    return []  # decimal, sql: checked by the spec's own rules


def missing_check(f: Field) -> C.Rule:
    """An empty cell in a required date or text field; the message is the field's `missing_vi/en`
    (SQL) or, for dates, 'no <missing_label> — fill in the date as dd/mm/yyyy'."""
    o, raw = f.options, f"raw_{f.name}"
    vi = o.get("missing_label_vi", o.get("label_vi", f.name))
    en = o.get("missing_label_en", o.get("label_en", f.name))
    message_vi = o.get("missing_vi", _literal(f"thiếu {vi} — điền ngày dạng dd/mm/yyyy."))
    message_en = o.get("missing_en", _literal(f"no {en} — fill in the date as dd/mm/yyyy."))
    cond = f"{f.name} is null" if f.type == "text" else f"{raw} is null"
    return C.Rule(f"missing_{f.name}", f.name, cond, "''", message_vi, message_en)


PARSE_MONTH = """coalesce(
    try_strptime(regexp_replace(lower(strip_accents(raw_month)), '^(thang|t)\\s*', ''),
                 ['%m/%Y', '%m-%Y', '%Y-%m', '%Y/%m', '%m.%Y']),
    date_trunc('month', parse_ts(raw_month)))"""


def count_rules(column: str, vi: str, en: str, *, required: bool = True, minimum: int = 0) -> list[C.Rule]:
    """A whole number that is not below `minimum` (0: 'is negative'; 1: 'must be at least 1').

    `required`: an empty cell is refused too; otherwise it stays NULL (= not reported)."""
    raw = f"raw_{column}"
    missing = f"{column} is null" if required else f"{raw} is not null and {column} is null"
    below = (
        (
            f"format('{vi} {{}} là số âm — sửa số liệu.', {column})",
            f"format('{en} {{}} is negative — fix the figure.', {column})",
        )
        if minimum == 0
        else (
            f"format('{vi} {{}} phải từ {minimum} trở lên — sửa số liệu hoặc xóa dòng.', {column})",
            f"format('{en} {{}} must be at least {minimum} — fix the figure or drop the row.', {column})",
        )
    )
    return [
        C.Rule(
            f"bad_count_{column}",
            column,
            missing,
            raw,
            f"format('{vi} \"{{}}\" không phải số nguyên — điền số (0 nếu không có).', coalesce({raw}, ''))",
            f"format('{en} \"{{}}\" is not a whole number — fill in the figure (0 if none).', "
            f"coalesce({raw}, ''))",
        ),
        C.Rule(
            "negative_count_" + column if minimum == 0 else f"{column}_below_{minimum}",
            column,
            f"{column} < {minimum}",
            raw,
            *below,
        ),
    ]


def month_rules() -> list[C.Rule]:
    return [
        C.Rule(
            "bad_month",
            "month",
            "month is null",
            "raw_month",
            "format('tháng báo cáo \"{}\" không đọc được — dùng dạng mm/yyyy, ví dụ 10/2025.', "
            "coalesce(raw_month, ''))",
            "format('report month \"{}\" is not a month — use mm/yyyy, e.g. 10/2025.', "
            "coalesce(raw_month, ''))",
        ),
        C.Rule(
            "date_out_of_range_month",
            "month",
            f"month < date '{C.EARLIEST_DATE}' or month > current_date",
            "raw_month",
            "format('tháng {} nằm ngoài khoảng 01/2015 đến nay — sửa tháng.', strftime(month, '%m/%Y'))",
            "format('month {} is outside 01/2015 to now — fix the month.', strftime(month, '%m/%Y'))",
        ),
    ]


def date_rules(column: str, label_vi: str, label_en: str, future_ok: bool = False) -> list[C.Rule]:
    """Unparseable dates and dates outside 2015..today (2015.. when `future_ok`) for one date column.

    "Today" is the time the rules are made, written into the SQL as a constant (DuckDB evaluated
    current_localtimestamp() once a row: 9 % of a national file's staging query)."""
    raw, parsed = f"raw_{column}", column
    now = f"timestamp '{datetime.now().isoformat(sep=' ', timespec='seconds')}'"
    if future_ok:
        return [
            date_rules(column, label_vi, label_en)[0],
            C.Rule(
                f"date_out_of_range_{column}",
                column,
                f"{parsed} < timestamp '{C.EARLIEST_DATE}'",
                raw,
                f"format('{label_vi} {{}} trước 01/01/2015 — sửa ngày hoặc xóa dòng.', fmt_date({parsed}))",
                f"format('{label_en} {{}} is before 01/01/2015 — fix the date or drop the row.', "
                f"fmt_date({parsed}))",
            ),
        ]
    return [
        C.Rule(
            f"bad_date_{column}",
            column,
            f"{raw} is not null and {parsed} is null",
            raw,
            f'format(\'{label_vi} "{{}}" không đọc được — dùng dạng dd/mm/yyyy, dd/mm/yyyy HH:MM hoặc '
            f"yyyy-mm-dd.', {raw})",
            f'format(\'{label_en} "{{}}" is not a date — use dd/mm/yyyy, dd/mm/yyyy HH:MM or '
            f"yyyy-mm-dd.', {raw})",
        ),
        C.Rule(
            f"date_out_of_range_{column}",
            column,
            f"{parsed} < timestamp '{C.EARLIEST_DATE}' or {parsed} > {now}",
            raw,
            f"format('{label_vi} {{}} nằm ngoài khoảng 01/01/2015 đến hôm nay — sửa ngày hoặc xóa dòng.', "
            f"fmt_date({parsed}))",
            f"format('{label_en} {{}} is outside 01/01/2015 to today — fix the date or drop the row.', "
            f"fmt_date({parsed}))",
        ),
    ]


def year_checks() -> list[C.Rule]:
    return [
        C.Rule(
            "bad_year",
            "year",
            "year is null",
            "raw_year",
            "format('năm \"{}\" không đọc được — dùng dạng yyyy, ví dụ 2025.', coalesce(raw_year, ''))",
            "format('year \"{}\" is not a year — use yyyy, e.g. 2025.', coalesce(raw_year, ''))",
        ),
        C.Rule(
            "year_out_of_range",
            "year",
            "year < 2015 or year > year(current_date)",
            "raw_year",
            "format('năm {} nằm ngoài khoảng 2015 đến năm nay — sửa năm.', year)",
            "format('year {} is outside 2015 to this year — fix the year.', year)",
        ),
    ]


def score_checks(f: Field) -> list[C.Rule]:
    """A score that is not a number, or outside 0..max (max a number or 'hook:<name>' of the field)."""
    group, raw = f.name, f"raw_{f.name}"
    top = f.options["max"]
    max_score = hooks.get(top[5:])(group) if isinstance(top, str) and top.startswith("hook:") else top
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


# --- rules -----------------------------------------------------------------------------------------


def build_rules(ctx: Context) -> list[C.Rule]:
    """The spec's rules in its order, built-in checks expanded (a field the file lacks has none)."""
    spec, label = ctx.spec, lambda c: C.header_label(ctx.header_text, c)
    present = {f.name for f in ctx.fields()}
    out: list[C.Rule] = []
    for r in spec.rules:
        if r.checks == "commune":
            out += C.commune_rules(label("commune_code"), label("commune_name"))
        elif r.checks == "duplicates":
            d = spec.duplicates
            key = "dup_key" if spec.strategy == "rows" else d["key"]
            out.append(duplicate_rule(key, d["column"], d["what_vi"], d["what_en"]))
        elif r.checks is not None:
            if r.checks in present:
                out += field_checks(spec.fields[r.checks])
        else:
            out.append(_custom(r))
    return out


def _custom(r: RuleSpec) -> C.Rule:
    return C.Rule(r.reason, r.column, r.when, r.value, r.message_vi, r.message_en)


def duplicate_rule(key_sql: str, column: str, what_vi: str, what_en: str) -> C.Rule:
    """All rows sharing a key inside one file are refused (we cannot know which one is right)."""
    return C.Rule(
        "duplicate_in_file",
        column,
        "dup_rows is not null",
        key_sql,
        f"format('{what_vi} {{}} lặp lại trong tệp (các dòng {{}}) — giữ lại một dòng.', {key_sql}, dup_rows)",
        f"format('{what_en} {{}} appears more than once in the file (rows {{}}) — keep one row.', "
        f"{key_sql}, dup_rows)",
    )


# --- duplicates ------------------------------------------------------------------------------------


def find_duplicates_in_file(
    con: duckdb.DuckDBPyConnection, staged: str, key: str, dups: str, *, file_name: str, column: str
) -> int:
    """The in-file duplicate check (policy 'refuse_all'): fills `dups` (`duplicates.DUPS_DDL`: k,
    rows_list, n) with every value of the column `key` of `staged` that more than one row has, the
    first of those rows' `source_row`s and their count ('4, 9, … (n=12)'), by one aggregate by key
    (never a self-join); returns how many rows carry a repeated key.  NULL keys never repeat.  A file
    dominated by repeated keys raises `duplicates.RepeatedKeysError` (one summary naming `column`)."""
    repeated = D.insert_repeats(con, staged, key, dups)
    if repeated:
        D.refuse_if_dominated(con, staged, key, dups, repeated, file_name=file_name, column=column)
    return repeated


def _mark_duplicates(ctx: Context, staged: str) -> None:
    """Adds dup_key (= the spec's key, NULL while a part of it is unknown) and dup_rows (the rows
    sharing it, when it repeats) to `staged`."""
    con, d = ctx.con, ctx.spec.duplicates
    con.execute(
        f"alter table {staged} add column dup_key varchar; update {staged} set dup_key = {d['key']}; "
        f"alter table {staged} add column dup_rows varchar"
    )
    dups = C.temp_name("dups")
    con.execute(f"create temp table {dups} {D.DUPS_DDL}")
    column = C.header_label(ctx.header_text, d["column"]) if d.get("column") else ""
    if find_duplicates_in_file(con, staged, "dup_key", dups, file_name=ctx.table.path.name, column=column):
        con.execute(f"update {staged} s set dup_rows = d.rows_list from {dups} d where s.dup_key = d.k")
    con.execute(f"drop table {dups}")


# --- the rows strategy -----------------------------------------------------------------------------


def _parse_query(ctx: Context, source: str) -> str:
    """raw_* columns, parsed fields, derived columns, over `source` (a select with source_row)."""
    ctes, joins, cols = [f"raw as ({source})"], [], []
    for f in ctx.fields():
        if f.type == "choice":  # a file holds a handful of distinct spellings: map each once
            cte = f"choice_{f.name}"
            ctes.append(
                f"{cte} as (select v, {choice_sql(plain_sql('v'), f.options['accepted'])} as {f.name} "
                f"from (select distinct raw_{f.name} as v from raw where raw_{f.name} is not null))"
            )
            joins.append(f"left join {cte} on {cte}.v = raw.raw_{f.name}")
            cols.append(f"{cte}.{f.name}")
        else:
            cols.append(f"{parse_sql(f)} as {f.name}")
    query = f"select raw.*{''.join(', ' + c for c in cols)} from raw {' '.join(joins)}"
    for name, expr in ctx.spec.derived:
        query = f"select *, {expr} as {name} from ({query})"
    return f"with {', '.join(ctes)} {query}"


def stage_rows(ctx: Context) -> C.Staged:
    """Stage a file of thousands of rows: parse, resolve communes, mark duplicates, apply the rules."""
    spec, con = ctx.spec, ctx.con
    staged = C.temp_name(f"stg_{spec.kind}")
    raw = C.select_columns(ctx.sql_cols, list(spec.columns))
    con.execute(
        f"create temp table {staged} as "
        f"{_parse_query(ctx, f'select source_row, {raw} from {ctx.table.relation_name}')}"
    )
    for name in spec.after_parse:
        hooks.get(name)(ctx, staged)
    C.resolve_communes(con, staged, ctx.has("commune_code"), ctx.has("commune_name"))
    if spec.duplicates is not None:
        _mark_duplicates(ctx, staged)
    rejects, rejected, reasons = C.apply_rules(
        con, staged, build_rules(ctx), ctx.header_text, ctx.table.path.name
    )
    ok = f"from {staged} s where not exists (select 1 from {rejects} r where r.source_row = s.source_row)"
    outputs = []
    for i, o in enumerate(spec.outputs):
        temp = C.temp_name(f"valid_{spec.kind}")
        if o.rows_hook:
            select = hooks.get(o.rows_hook)(ctx, ok)
        else:
            select = f"select {o.select or ', '.join(o.columns)}, source_row {ok}"
        con.execute(f"create temp table {temp} as {select}")
        outputs.append(C.Output(temp, o.table, list(o.key), primary=i == 0))
    rows_read = con.execute(f"select count(*) from {staged}").fetchall()[0][0]
    notes = [n for name in spec.notes for n in hooks.get(name)(ctx, outputs[0].temp)]
    return C.Staged(spec.kind, outputs, rejects, rows_read, rejected, reasons, notes)


# --- the two-pass strategy (national files) ---------------------------------------------------------


def stage_two_pass(ctx: Context, group: list[SourceTable] | None = None):
    """Stage a national file (tens of millions of rows over a batch, see `stage_valid_rows`): one pass
    parses, matches official commune codes, marks in-file duplicates and flags rows that break a rule;
    only flagged rows are parsed again, name-matched and given messages.  A lazy table
    (`read_source(..., lazy=True)`) is streamed straight from the CSV in that first pass."""
    spec, con, table = ctx.spec, ctx.con, ctx.table
    sql_cols, columns = ctx.sql_cols, list(spec.columns)
    out = spec.outputs[0]
    computed = {"commune_code", "province_code", "source_row", *spec.fields, *(n for n, _ in spec.derived)}
    kept_text = {c for c in out.columns if c not in computed}  # contract columns that are the raw text
    raw = C.select_columns(sql_cols, columns)
    # Streamed cells come as written: the text kept as it is gets trimmed; the parsed ones are not
    # (a value with spaces fails the fast parse, marks the row broken, and pass 2 reads it trimmed).
    raw_lazy = (
        C.select_columns(
            {c: (table.lazy.trimmed(src) if c in kept_text else src) for c, src in sql_cols.items()}, columns
        )
        if table.lazy
        else raw
    )
    has_code = ctx.has("commune_code")
    commune_cols, commune_join = C.commune_code_join(has_code)
    dup_key = spec.duplicates["key"]  # a raw_<column> of the file
    full: list[SourceTable] = [table] if table.lazy is None else []

    def relation() -> str:
        """The ordinary, materialised relation (read on first use when the table is lazy)."""
        if not full:
            full.append(read_source(table.path, con, file_name=table.path.name))
        return full[0].relation_name

    ts: dict[str, str] = {}
    stamps = [f.name for f in spec.fields.values() if f.type == "timestamp"]

    def parse_dates(relation_sql: str | None) -> None:
        """Date parsers from the first values of each date column (the reader's sample when lazy)."""
        for c in stamps:
            col = sql_cols.get(c)
            values = table.lazy.sample_values(col) if relation_sql is None and col else None
            ts[c] = C.timestamp_parser(con, relation_sql, col, values=values)(f"raw_{c}")

    def parse(where: str, dups: str, lazy, number_rows: bool = False) -> str:
        if lazy is not None:  # streamed: no join (it would reorder the rows)
            # Line numbers counted as the records stream by (`number_rows`), or NULL: set afterwards.
            row = (
                f"cast({int(lazy.first_data_line) - 1} + row_number() over () as integer)"
                if number_rows
                else "cast(null as integer)"
            )
            also = ", source_file" if lazy.files else ""
            source = f"(select {row} as source_row, overlong{also}, {raw_lazy} from ({lazy.select_sql}))"
            communes = (
                f"{C.CODE_SQL.format('p.raw_commune_code') if has_code else 'cast(null as integer)'} "
                "as commune_code, cast(null as integer) as province_code, "
                "cast(null as varchar) as commune_status, cast(null as varchar) as commune_candidates"
            )
            join, dup_rows = "", "cast(null as varchar)"
        else:
            source = f"(select source_row, {raw} from {relation()} {where})"
            communes, join = commune_cols, f"{commune_join} left join {dups} dd on dd.k = p.{dup_key}"
            dup_rows = "dd.rows_list"
        fields = ", ".join(
            f"{ts[f.name] if f.type == 'timestamp' else parse_sql(f)} as {f.name}"
            for f in spec.fields.values()
        )
        query = f"select *, {fields} from raw"
        for name, expr in spec.derived:
            query = f"select *, {expr} as {name} from ({query})"
        return f"""
            with raw as (select * from {source})
            select p.*, {communes}, {dup_rows} as dup_rows
            from ({query}) p {join}"""

    final = {c: (f"raw_{c}" if c in kept_text else c) for c in out.columns}
    args = (con, parse, final, build_rules(ctx), ctx.header_text, table.path.name, ctx.has("commune_name"))
    key = dup_key.removeprefix("raw_")
    result = None
    if group is not None:  # (see `stage_group`)
        parse_dates(None)
        return stage_valid_rows(*args, key=key, lazy=table.lazy.over_files([t.path for t in group]))
    if table.lazy is not None:
        try:
            parse_dates(None)
            result = stage_valid_rows(*args, key=key, lazy=table.lazy)
        except duckdb.Error as err:
            if limits.is_cap_error(err):
                raise  # past the load's memory or temp-disk cap: the load stops (etl/limits.py)
            result = None  # e.g. quoted line breaks or bad UTF-8: the ordinary read says what
    if result is None:  # (the streamed read could not be trusted: read it the ordinary way)
        parse_dates(relation())
        result = stage_valid_rows(*args, key=key)
    staged, rejects, rows_read, rejected, reasons = result
    return C.Staged(
        spec.kind,
        [C.Output(staged, out.table, list(out.key), primary=True)],
        rejects,
        rows_read,
        rejected,
        reasons,
    )


def stage_valid_rows(
    con: duckdb.DuckDBPyConnection,
    parse_sql,
    final: dict[str, str],
    rules: list[C.Rule],
    header_text: dict[str, str],
    file_name: str,
    has_name: bool,
    key: str | None = None,
    lazy=None,
) -> tuple[str, str, int, int, dict] | None:
    """Stage a big file in two passes: returns (staged, rejects, rows read, rows rejected, reasons).

    `parse_sql(where, dups, lazy)` is the source's staging query (raw_* columns, parsed values,
    commune columns, `dup_rows` from the table `dups` (k, rows_list)) with `where` applied to the
    reader's relation; `final` maps each output column to its expression over that query; `key` is
    the output column that must not repeat inside the file.  Pass 1 keeps only the output columns
    and one `broken` flag (a rule broken, no official code matched, or a repeated key).  Pass 2
    parses just the broken rows again with every column, matches their commune names and runs the
    rules on them for the messages; rows a name match saves are kept.  The big table never carries
    the raw text.

    `lazy` (an `etl.readers.LazyCsv`): pass 1 streams the CSV itself (no join, so the table keeps
    the file's order: line numbers are counted as the records stream by, or come from rowid after;
    the province is looked up in the same pass); pass 2, if
    any, reads the file the ordinary way.  Returns None when the lazy read cannot be trusted (lines
    the records do not account for, overlong rows): the caller reads the file the ordinary way."""
    staged = C.temp_name("staged")
    # Straight into the loader's shared in-memory database when there is one (no copy later); the
    # loader builds the load's lookups of the official list there when it attaches it
    # (`C.shared_lookups`).  (Not looked up in duckdb_tables(): it lists every staged table of the
    # batch, ~15 us each — 25 ms a file once a thousand small files were staged.)
    shared, threads, keeps_order = con.execute(
        "select (select count(*) from duckdb_databases() where database_name = 'stage'), "
        "current_setting('threads'), current_setting('preserve_insertion_order')"
    ).fetchall()[0]
    shared = lookups = bool(shared)
    create = f"create table stage.{staged}" if shared else f"create temp table {staged}"
    staged = f"stage.{staged}" if shared else staged
    dups = C.temp_name("dups")
    con.execute(f"create temp table {dups} {D.DUPS_DDL}")
    # Streamed, pass 1 has no commune join (commune_status is NULL there): the commune rules cannot
    # fire, and a code no official commune has leaves province_code NULL, which marks the row.
    pass1 = [
        r for r in rules if (lazy is None or r.rule not in C.COMMUNE_RULES) and r.rule not in C.PASS2_RULES
    ]
    any_broken = " or ".join(f"coalesce({r.condition}, false)" for r in pass1)
    # The commune name is kept as a hash (8 bytes, nearly free): after pass 1, a (code, name) the
    # official list does not write that way sends its rows to pass 2, which looks for a mismatch.
    name_key = "hash(p.raw_commune_name) as name_key" if has_name else "cast(null as ubigint) as name_key"
    cols = ", ".join(f"{expr} as {name}" for name, expr in final.items())
    if lazy is None:
        con.execute(
            f"{create} as select {cols}, {name_key}, ({any_broken}) or p.commune_code is null as broken "
            f"from ({parse_sql('', dups, None)}) p"
        )
    else:
        # In the same pass: provinces (a list indexed by commune code: no join, which would reorder
        # the rows) and the rows whose code no official commune has (the rules above saw a NULL
        # province_code, as they do in every streamed pass).  A blank record has no key, so it is
        # broken too, and pass 2 (the ordinary read, which drops blank rows) does not count it as a
        # row.  Line numbers: on one thread (the loader's staging threads) counted as the records
        # stream by; on more, `row_number()` would hold the read to one core, so they are set
        # afterwards from rowid (a CREATE TABLE AS with no join keeps the file's order).
        number_rows = int(threads) == 1 and not lazy.files
        also = ", p.source_file" if lazy.files else ""
        province = f"cast({C.province_of_code('q.commune_code', lookups)} as integer)"
        if not keeps_order:
            con.execute("set preserve_insertion_order = true")
        try:
            con.execute(
                f"{create} as with q as (select {cols}, {name_key}, p.overlong, ({any_broken}) as broken{also} "
                f"from ({parse_sql('', dups, lazy, number_rows)}) p), "
                f"qp as (select *, {province} as province_ from q) "
                "select * exclude (province_) replace (province_ as province_code, "
                "broken or province_ is null as broken) from qp",
                lazy.params,
            )
        finally:
            if not keeps_order:
                con.execute("set preserve_insertion_order = false")
        if lazy.files:
            con.execute(f"drop table {dups}")
            return staged  # (several files: `stage_group` splits them)
        records, overlong, n_broken = con.execute(
            f"select count(*), coalesce(bool_or(overlong), false), count(*) filter (where broken) from {staged}"
        ).fetchall()[0]
        if overlong or not records or records + lazy.header_end_line < lazy.lines:
            con.execute(f"drop table {staged}; drop table {dups}")
            return None  # (no records: the ordinary read says so, with the header's line)
        if not number_rows:
            con.execute(f"update {staged} set source_row = ? + rowid", [int(lazy.first_data_line)])
    column = C.header_label(header_text, key) if key is not None else ""
    changed = lazy is None  # (the streamed pass counted its rows and broken rows above)
    if key is not None and find_duplicates_in_file(
        con, staged, key, dups, file_name=file_name, column=column
    ):
        con.execute(f"update {staged} set broken = true where {key} in (select k from {dups})")
        changed = True
    if has_name and C.flag_odd_names(con, staged, lookups):
        changed = True
    if changed:
        rows_read, n_broken = con.execute(
            f"select count(*), count(*) filter (where broken) from {staged}"
        ).fetchall()[0]
    else:
        rows_read = records
    rejects = C.temp_name("rejects")
    if n_broken == 0:
        # (no rejects: created where the loader keeps them, in `stage` when it is there)
        con.execute(f"create {'table stage.' if shared else 'temp table '}{rejects} {C.REJECTS_DDL}")
        rejects = f"stage.{rejects}" if shared else rejects
        con.execute(f"drop table {dups}")
        return staged, rejects, rows_read, 0, {}
    # The broken rows' numbers as a table: pass 2 semi-joins it (a hash lookup per row; a list
    # searched for every row was quadratic when most rows were broken).
    broken = C.temp_name("broken")
    con.execute(f"create temp table {broken} as select source_row from {staged} where broken")
    suspects = C.temp_name("suspects")
    con.execute(
        f"create temp table {suspects} as select * from "
        f"({parse_sql(f'where source_row in (select source_row from {broken})', dups, None)})"
    )
    C.resolve_names(con, suspects, has_name)
    C.mark_name_mismatches(con, suspects)
    rejects, rejected, reasons = C.apply_rules(con, suspects, rules, header_text, file_name)
    # Rows pass 2 finds valid (a name matched, or a streamed cell only needed trimming) are kept as
    # pass 2 parsed them; a streamed row of nothing but spaces is not a row (the ordinary read drops it).
    not_rows = n_broken - con.execute(f"select count(*) from {suspects}").fetchall()[0][0]
    con.execute(f"""
        delete from {staged} where broken;
        insert into {staged} by name
            select {cols}, false as broken from {suspects} x
            where x.source_row not in (select source_row from {rejects});
        drop table {suspects};
        drop table {broken};
        drop table {dups};""")
    return staged, rejects, rows_read - not_rows, rejected, reasons


# --- several small files at once -------------------------------------------------------------------
#
# A batch of small exports (e.g. 1,200 commune-month files of 300 rows) spent ~40 ms a file in the
# planning of the ~20 small queries each file's staging runs, against ~2 ms to read it.  Files laid
# out alike (same kind, header line, delimiter and skip: `etl.loader._stage_group`) are therefore
# streamed through pass 1 together, as one `read_csv` of the list; the group's table is then split
# by file, and only a file pass 1 finds entirely clean is kept from it: no broken row, no key
# repeated in the file (checked per file: two files may share a key, the later replaces the earlier
# when written), no (commune, name) the official list does not write that way, no overlong record,
# and its records account for every line of the file.  For such a file the one-file staging would
# stop after pass 1 too, with no rejects: the same rows, lines and counts.  Any other file is staged
# alone, the ordinary way (its rejects, messages and line numbers as ever).


def stage_group(spec: KindSpec, tables: list[SourceTable], con: duckdb.DuckDBPyConnection):
    """Pass 1 of `stage_two_pass` over `tables` (lazy CSVs of one layout) at once.  Returns the
    group's table (every file's rows, in file order, with `source_file`; `source_row` still unset)
    and for each table (first rowid, records) when the file is clean, None when it must be staged
    alone."""
    sql_cols, header_text = C.map_columns(spec.kind, tables[0])
    ctx = Context(spec, tables[0], con, sql_cols, header_text, {})
    group = stage_two_pass(ctx, group=tables)
    key = spec.duplicates["key"].removeprefix("raw_")
    has_name = ctx.has("commune_name")
    # (a file with a repeated key, or a (code, name) to look at, is staged alone: it says which)
    odd = ""
    if has_name:
        forms = f"stage.{C.NAME_FORMS_TABLE}"
        odd = f"""union select distinct g.source_file from {group} g join (
                select distinct commune_code, name_key from {group} where commune_code is not null
                except select commune_code, name_key from {forms}) o
                on g.commune_code = o.commune_code and g.name_key = o.name_key"""
    stats = con.execute(f"""
        with doubtful as (
            select distinct source_file from {group} where {key} is not null
            group by source_file, {key} having count(*) > 1
            {odd})
        select source_file, min(rowid), max(rowid), count(*), coalesce(bool_or(overlong), false),
            count(*) filter (where broken), source_file in (select source_file from doubtful)
        from {group} group by source_file""").fetchall()
    by_file = {r[0]: r[1:] for r in stats}
    clean = []
    for t in tables:
        lo, hi, records, overlong, broken, doubtful = by_file.get(str(t.path), (None,) * 6)
        ok = (
            records
            and hi - lo + 1 == records
            and not overlong
            and not broken
            and not doubtful
            and records + t.lazy.header_end_line >= t.lazy.lines
        )
        clean.append((lo, records) if ok else None)
    return group, clean


def number_group(con: duckdb.DuckDBPyConnection, group: str, first_data_line: int) -> None:
    """Each row of `group` (see `stage_group`) numbered by its line in its file (`source_row`, as the
    one-file staging numbers it) and given `file_no`, the first rowid of its file, which tells the
    files apart (`Output.part`)."""
    con.execute(f"alter table {group} add column file_no bigint")
    con.execute(
        f"update {group} g set source_row = cast(g.rowid - s.lo + ? as integer), file_no = s.lo "
        f"from (select source_file, min(rowid) as lo from {group} group by source_file) s "
        "where g.source_file = s.source_file",
        [int(first_data_line)],
    )
