"""What every source shares: mapping headers, parsing values in SQL, row rules and commune matching.

A source turns one file (already read into a DuckDB temp table by `etl.readers`) into two temp
tables in the load's connection: the valid rows in the contract's columns, and the rejects.  It
never writes to the warehouse's tables; `etl.loader` does.

Row rules are `Rule`s: a SQL condition over the staged row that is true when the row breaks the
rule, and a message in Vietnamese and English built with `format()`.  User text (header cells,
values) only ever reaches SQL as bound parameters or as data in tables.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from etl import headers as H
from etl.readers import SourceFileError, SourceTable
from etl.sources import duplicates as D

_counter = itertools.count()

# Dates: dd/mm/yyyy (with optional time), dd-mm-yyyy, ISO, and Excel serial numbers (days since
# 1899-12-30).  The shape is told from cheap character tests, so each value costs one parse attempt
# (a failing strptime is expensive in DuckDB); anything else is NULL and the row rules reject it.
EARLIEST_DATE = "2015-01-01"

MACROS = """
create or replace temp macro parse_dmy_slash(v) as case
    when length(v) <= 10 then try_strptime(v, '%d/%m/%Y')
    when length(v) - length(replace(v, ':', '')) = 2 then try_strptime(v, '%d/%m/%Y %H:%M:%S')
    else try_strptime(v, '%d/%m/%Y %H:%M') end;
create or replace temp macro parse_dmy_dash(v) as case
    when length(v) <= 10 then try_strptime(v, '%d-%m-%Y')
    when length(v) - length(replace(v, ':', '')) = 2 then try_strptime(v, '%d-%m-%Y %H:%M:%S')
    else try_strptime(v, '%d-%m-%Y %H:%M') end;
create or replace temp macro parse_ts(v) as case
    when v is null then null
    when substr(v, 3, 1) = '/' or substr(v, 2, 1) = '/' then parse_dmy_slash(v)
    when substr(v, 5, 1) in ('-', '/') then try_cast(replace(v, '/', '-') as timestamp)
    when substr(v, 3, 1) = '-' or substr(v, 2, 1) = '-' then parse_dmy_dash(v)
    when regexp_full_match(v, '\\d{5}(\\.\\d+)?')
         then timestamp '1899-12-30' + to_microseconds(cast(round(cast(v as double) * 86400000000) as bigint))
    end;
create or replace temp macro fmt_date(t) as strftime(t, '%d/%m/%Y');
create or replace temp macro parse_count(v) as case
    when regexp_full_match(replace(replace(v, '.', ''), ',', ''), '-?\\d+')
         and not regexp_full_match(v, '.*[.,]\\d{1,2}')
    then try_cast(replace(replace(v, '.', ''), ',', '') as bigint)
    when regexp_full_match(v, '-?\\d+\\.0+') then try_cast(cast(v as double) as bigint) end;
create or replace temp macro parse_decimal(v) as coalesce(
    try_cast(v as double),
    try_cast(replace(replace(v, '.', ''), ',', '.') as double));
"""


# The shapes a column of a file usually has all through, and the one parse each needs.
_TS_SHAPES = [
    (re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"), "try_strptime({v}, '%d/%m/%Y %H:%M')"),
    (re.compile(r"\d{2}/\d{2}/\d{4}"), "try_strptime({v}, '%d/%m/%Y')"),
    (re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}"), "try_strptime({v}, '%d/%m/%Y %H:%M:%S')"),
    (re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?"), "try_cast({v} as timestamp)"),
]


def timestamp_parser(
    con: duckdb.DuckDBPyConnection,
    relation: str | None,
    column: str | None,
    sample: int = 200,
    values: list[str] | None = None,
):
    """SQL parsing `raw_<name>` like parse_ts, fastest first: when the first `sample` values of
    `column` in `relation` (or the `values` given) all have one shape, that shape's single parse is
    tried before parse_ts (which only runs where it fails).  Same results as parse_ts, half its
    cost on big files."""

    def expr(v: str) -> str:
        if column is None:
            return f"parse_ts({v})"
        found = (
            values
            if values is not None
            else [
                r[0]
                for r in con.execute(
                    f"select {column} from {relation} where {column} is not null limit {int(sample)}"
                ).fetchall()
            ]
        )
        for shape, parse in _TS_SHAPES:
            if found and all(shape.fullmatch(x) for x in found):
                return f"coalesce({parse.format(v=v)}, parse_ts({v}))"
        return f"parse_ts({v})"

    return expr


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS)


@dataclass
class Rule:
    """A row rule: `condition` is true when the row is rejected."""

    rule: str
    column: str  # canonical column the message is about
    condition: str  # SQL over the staged row
    value: str  # SQL giving the offending value as text
    message_vi: str  # SQL expression (usually format(...)) in Vietnamese
    message_en: str  # the same in English


@dataclass
class Output:
    """Valid rows ready for one warehouse table; rows with the same `keys` replace earlier ones."""

    temp: str  # temp table in the load's connection, columns = target's minus load_id
    target: str  # warehouse table, e.g. 'fact_dossier'
    keys: list[str]  # replacement key, e.g. ['dossier_id']
    primary: bool = False  # its replaced-row count is the file's "replaced" figure
    # Filled by the loader's staging thread (see `etl.loader._describe`): the first key column's
    # (min, max) over the rows (None, None when empty), and for dossiers the months received.
    key_range: tuple | None = None
    months: list | None = None


@dataclass
class Staged:
    kind: str
    outputs: list[Output]
    rejects: str  # temp table: source_row, column_name, value, rule, message_vi, message_en
    rows_read: int
    rows_rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # facts worth printing (e.g. departments kept apart)


def temp_name(prefix: str) -> str:
    return f"{prefix}_{next(_counter)}"


def map_columns(kind: str, table: SourceTable) -> tuple[dict[str, str], dict[str, str]]:
    """canonical -> SQL column (c0..) and canonical -> the header text as the file spells it.

    Raises SourceFileError when a required column is missing."""
    mapping = H.map_headers(kind, table.headers)
    sql_cols = {canonical: f"c{pos}" for pos, canonical in mapping.items()}
    header_text = {canonical: table.headers[pos] for pos, canonical in mapping.items()}
    missing = H.missing_required(kind, set(sql_cols))
    if missing:
        names_vi = ", ".join(_required_label(m) for m in missing)
        raise SourceFileError(
            table.path.name,
            f"{table.path.name}: thiếu cột bắt buộc {names_vi} (dòng tiêu đề {table.header_row}) — "
            f"thêm cột này hoặc chọn đúng loại tệp.",
            f"{table.path.name}: required column {names_vi} is missing (header row {table.header_row}) — "
            f"add the column or check the file kind.",
        )
    return sql_cols, header_text


def _required_label(req: str) -> str:
    names = []
    for alt in req.split("|"):
        aliases = next((cols[alt] for cols in H.KIND_COLUMNS.values() if alt in cols), [])
        names.append(f"{aliases[0]} ({alt})" if aliases else alt)
    return " / ".join(names)


def select_columns(sql_cols: dict[str, str], wanted: list[str], prefix: str = "raw_") -> str:
    """`c3 as raw_dossier_id, cast(null as varchar) as raw_sector_code, ...` for the staging select."""
    parts = []
    for name in wanted:
        src = sql_cols.get(name)
        parts.append(f"{src} as {prefix}{name}" if src else f"cast(null as varchar) as {prefix}{name}")
    return ", ".join(parts)


def header_label(header_text: dict[str, str], canonical: str) -> str:
    """The column name the steward sees: their own header, else the portal's field name."""
    if canonical in header_text:
        return header_text[canonical]
    for cols in H.KIND_COLUMNS.values():
        if canonical in cols:
            return cols[canonical][0]
    return canonical


def resolve_communes(con: duckdb.DuckDBPyConnection, staged: str, has_code: bool, has_name: bool) -> None:
    """Add commune_code, province_code, commune_status, commune_candidates to `staged` (in place).

    A valid official code wins; otherwise the name is matched (accent-insensitive, province-aware)
    and an ambiguous name is refused with its candidates, never guessed.  (Sources staging millions
    of rows join `commune_code_join` in their staging query instead and call `resolve_names`.)"""
    con.execute(f"""
        alter table {staged} add column commune_code integer;
        alter table {staged} add column province_code integer;
        alter table {staged} add column commune_status varchar;
        alter table {staged} add column commune_candidates varchar;
    """)
    if has_code:
        con.execute(f"""
            update {staged} s set commune_code = d.commune_code, province_code = d.province_code,
                   commune_status = 'matched'
            from dim_commune d
            where d.commune_code = {CODE_SQL.format("s.raw_commune_code")}
        """)
    resolve_names(con, staged, has_name)
    mark_name_mismatches(con, staged)


# An official commune code as the exports write it ('8380', '08380', '8380.0').
# (The integer cast first: nearly every code is written as an integer, and it is the cheaper parse.)
CODE_SQL = "coalesce(try_cast({0} as integer), try_cast(try_cast({0} as double) as integer))"


def commune_code_join(has_code: bool, alias: str = "p") -> tuple[str, str]:
    """(select list, join clause) giving commune_code, province_code, commune_status ('matched' or
    NULL) and commune_candidates from the official code, inside a staging query over `alias`."""
    cols = (
        "dc.commune_code, dc.province_code, "
        "case when dc.commune_code is not null then 'matched' end as commune_status, "
        "cast(null as varchar) as commune_candidates"
    )
    if not has_code:
        return cols, "left join dim_commune dc on false"
    return (
        cols,
        f"left join dim_commune dc on dc.commune_code = {CODE_SQL.format(alias + '.raw_commune_code')}",
    )


def resolve_names(con: duckdb.DuckDBPyConnection, staged: str, has_name: bool) -> None:
    """Match the names of the rows no official code matched; the rest become 'unknown'."""
    if has_name:
        pairs = con.execute(f"""
            select distinct raw_commune_name, raw_province_code, raw_province_name from {staged}
            where commune_status is null and raw_commune_name is not null
        """).fetchall()
        rows = []
        for name, prov_code, prov_name in pairs:
            province = prov_code if prov_code not in (None, "") else prov_name
            result = _match_commune(name, province)
            candidates = "; ".join(f"{c[1]} ({c[2]}, {c[0]})" for c in result.candidates)
            rows.append((name, prov_code, prov_name, result.code, result.status, candidates))
        if rows:
            frame = pd.DataFrame(rows, columns=["n", "pc", "pn", "code", "status", "cands"]).astype(
                {"n": "object", "pc": "object", "pn": "object", "cands": "object"}
            )
            frame["code"] = frame["code"].astype("Int64")
            con.register("commune_matches", frame)
            con.execute(f"""
                update {staged} s set commune_code = m.code, commune_status = m.status,
                       commune_candidates = m.cands
                from commune_matches m
                where s.commune_status is null and s.raw_commune_name = m.n
                  and s.raw_province_code is not distinct from m.pc
                  and s.raw_province_name is not distinct from m.pn;
                update {staged} s set province_code = d.province_code
                from dim_commune d where s.province_code is null and d.commune_code = s.commune_code;
            """)
            con.unregister("commune_matches")
    con.execute(f"update {staged} set commune_status = 'unknown' where commune_status is null")


def mark_name_mismatches(con: duckdb.DuckDBPyConnection, staged: str) -> None:
    """Add `mismatch_official` and `mismatch_other` to `staged` (in place): set on the rows whose
    official commune code came with a commune name that clearly names another commune (rule
    `commune_name_mismatch`, see `name_conflict`), as text for the message ("Xã Vân Bán (Phú Thọ,
    8380)"); NULL elsewhere.  Matched on the distinct (code, name, province) of the file only."""
    con.execute(
        f"alter table {staged} add column mismatch_official varchar; "
        f"alter table {staged} add column mismatch_other varchar"
    )
    cols = {r[0] for r in con.execute(f"describe {staged}").fetchall()}
    if not {"raw_commune_code", "raw_commune_name", "commune_code"} <= cols:
        return
    province_cols = [c for c in ("raw_province_code", "raw_province_name") if c in cols]
    hint = f"coalesce({', '.join(province_cols)})" if province_cols else "cast(null as varchar)"
    pairs = con.execute(f"""
        select distinct commune_code, raw_commune_name, {hint} from {staged}
        where raw_commune_name is not null and commune_code is not null
          and commune_code = {CODE_SQL.format("raw_commune_code")}""").fetchall()
    found = []
    for code, name, province in pairs:
        other = name_conflict(code, name, province)
        if other is not None:
            found.append((code, name, province, _unit_text(code), _unit_text(other)))
    if not found:
        return
    frame = pd.DataFrame(found, columns=["code", "n", "p", "official", "other"]).astype(
        {"n": "object", "p": "object", "official": "object", "other": "object"}
    )
    view = temp_name("name_mismatches")
    con.register(view, frame)
    try:
        con.execute(f"""
            update {staged} s set mismatch_official = m.official, mismatch_other = m.other
            from {view} m
            where s.commune_code = m.code and s.raw_commune_name = m.n and {hint.replace("raw_", "s.raw_")}
                  is not distinct from m.p
              and s.commune_code = {CODE_SQL.format("s.raw_commune_code")}""")
    finally:
        con.unregister(view)


def _unit_text(code: int) -> str:
    from core.reference import matcher

    m = matcher()
    name, _dtype, province = m.commune(code)
    return f"{name} ({m.province_name(province)}, {code})"


@functools.lru_cache(maxsize=100_000)
def name_conflict(code: int, name: str, province: str | None = None) -> int | None:
    """The other commune a name given with official code `code` clearly names, else None.

    Harmless differences pass: accents, case, spacing, "Xã"/"Phường"/"UBND xã" prefixes, a
    province tail — whatever `UnitMatcher.match_commune` reads as the code's own commune.  A name
    is another commune only when it resolves to exactly one other unit: in the code's province, or
    in the province the row (its province column, `province`) or the name itself ("... - Hà Nội")
    names.  A name found nowhere (a typo, a name from before the 2025 merger the reference does not
    hold) or matching several units is left alone: the code wins, as it always did."""
    from core.reference import matcher

    m = matcher()
    official = m.commune(int(code))
    if official is None or not isinstance(name, str):
        return None
    found = m.match_commune(name, official[2])
    if found.status == "matched":
        return None if found.code == code else found.code
    if found.status == "ambiguous":
        return None
    hint = province if province not in (None, "") else None
    if hint is None and m.named_province(name) is None:
        return None  # no other province in sight: nothing says it is another commune
    found = m.match_commune(name, hint)
    if found.status == "matched" and found.code != code:
        return found.code
    return None


@functools.lru_cache(maxsize=200_000)
def _match_commune(name: str, province: str | None):
    """Matches are pure functions of (name, province): monthly files repeat the same names."""
    from core.reference import matcher

    return matcher().match_commune(name, province)


def _in_template(text: str) -> str:
    """Header text as it may stand inside a SQL string literal that is a format() template: quotes
    doubled, braces doubled (a header such as "Tên'xã" or "Mã{xã}" maps to a known column)."""
    return text.replace("'", "''").replace("{", "{{").replace("}", "}}")


def commune_rules(code_label: str, name_label: str) -> list[Rule]:
    """Rules about the commune column, shared by every source."""
    code_label, name_label = _in_template(code_label), _in_template(name_label)
    shown = "coalesce(raw_commune_name, raw_commune_code, '')"
    return [
        Rule(
            "missing_commune",
            "commune_name",
            "commune_status = 'unknown' and raw_commune_name is null and raw_commune_code is null",
            "''",
            "'thiếu mã hoặc tên xã — điền mã xã chính thức hoặc tên xã kèm tỉnh.'",
            "'no commune code or name — fill in the official commune code or the name with its province.'",
        ),
        Rule(
            "unknown_commune",
            "commune_name",
            "commune_status = 'unknown' and (raw_commune_name is not null or raw_commune_code is not null)",
            shown,
            f'format(\'không tìm thấy xã "{{}}" trong danh mục đơn vị hành chính — kiểm tra tên/mã '
            f"({code_label}/{name_label}) và tỉnh.', {shown})",
            f'format(\'commune "{{}}" is not in the official unit list — check the name/code '
            f"({code_label}/{name_label}) and the province.', {shown})",
        ),
        Rule(
            "ambiguous_commune",
            "commune_name",
            "commune_status = 'ambiguous'",
            shown,
            f"format('tên xã \"{{}}\" khớp nhiều đơn vị: {{}} — ghi rõ tỉnh hoặc dùng mã xã.', "
            f"{shown}, commune_candidates)",
            f'format(\'commune name "{{}}" matches several units: {{}} — add the province or use the '
            f"commune code.', {shown}, commune_candidates)",
        ),
        # (The file's own column names are in the reject's column; no header text is written into SQL here.)
        Rule(
            "commune_name_mismatch",
            "commune_name",
            "mismatch_other is not null",
            "raw_commune_name",
            'format(\'mã xã {} là {} nhưng tên xã "{}" là {} — sửa mã hoặc tên xã cho khớp nhau; dòng không '
            "được nạp.', raw_commune_code, mismatch_official, raw_commune_name, mismatch_other)",
            'format(\'commune code {} is {} but the commune name "{}" is {} — correct the code or the name so '
            "they agree; the row is not loaded.', raw_commune_code, mismatch_official, raw_commune_name, "
            "mismatch_other)",
        ),
    ]


def date_rules(column: str, label_vi: str, label_en: str, future_ok: bool = False) -> list[Rule]:
    """Unparseable dates and dates outside 2015..today (2015.. when `future_ok`) for one date column.

    "Today" is the time the rules are made, written into the SQL as a constant (DuckDB evaluated
    current_localtimestamp() once a row: 9 % of a national file's staging query)."""
    raw, parsed = f"raw_{column}", column
    now = f"timestamp '{datetime.now().isoformat(sep=' ', timespec='seconds')}'"
    if future_ok:
        return [
            date_rules(column, label_vi, label_en)[0],
            Rule(
                f"date_out_of_range_{column}",
                column,
                f"{parsed} < timestamp '{EARLIEST_DATE}'",
                raw,
                f"format('{label_vi} {{}} trước 01/01/2015 — sửa ngày hoặc xóa dòng.', fmt_date({parsed}))",
                f"format('{label_en} {{}} is before 01/01/2015 — fix the date or drop the row.', "
                f"fmt_date({parsed}))",
            ),
        ]
    return [
        Rule(
            f"bad_date_{column}",
            column,
            f"{raw} is not null and {parsed} is null",
            raw,
            f'format(\'{label_vi} "{{}}" không đọc được — dùng dạng dd/mm/yyyy, dd/mm/yyyy HH:MM hoặc '
            f"yyyy-mm-dd.', {raw})",
            f'format(\'{label_en} "{{}}" is not a date — use dd/mm/yyyy, dd/mm/yyyy HH:MM or '
            f"yyyy-mm-dd.', {raw})",
        ),
        Rule(
            f"date_out_of_range_{column}",
            column,
            f"{parsed} < timestamp '{EARLIEST_DATE}' or {parsed} > {now}",
            raw,
            f"format('{label_vi} {{}} nằm ngoài khoảng 01/01/2015 đến hôm nay — sửa ngày hoặc xóa dòng.', "
            f"fmt_date({parsed}))",
            f"format('{label_en} {{}} is outside 01/01/2015 to today — fix the date or drop the row.', "
            f"fmt_date({parsed}))",
        ),
    ]


def duplicate_rule(key_sql: str, column: str, what_vi: str, what_en: str) -> Rule:
    """All rows sharing a key inside one file are refused (we cannot know which one is right)."""
    return Rule(
        "duplicate_in_file",
        column,
        "dup_rows is not null",
        key_sql,
        f"format('{what_vi} {{}} lặp lại trong tệp (các dòng {{}}) — giữ lại một dòng.', "
        f"{key_sql}, dup_rows)",
        f"format('{what_en} {{}} appears more than once in the file (rows {{}}) — keep one row.', "
        f"{key_sql}, dup_rows)",
    )


def mark_duplicates(
    con: duckdb.DuckDBPyConnection, staged: str, key_sql: str, file_name: str | None = None, column: str = ""
) -> None:
    """Adds dup_rows (the first lines listed, then the count) to rows whose key repeats inside the
    file: one aggregate by key (`etl.sources.duplicates`).  With `file_name`, a file dominated by
    repeated keys is refused as a whole (`duplicates.RepeatedKeysError`)."""
    dups = temp_name("dups")
    con.execute(f"create temp table {dups} {D.DUPS_DDL}; alter table {staged} add column dup_rows varchar")
    repeated = D.insert_repeats(con, staged, key_sql, dups)
    if repeated:
        if file_name is not None:
            D.refuse_if_dominated(con, staged, key_sql, dups, repeated, file_name=file_name, column=column)
        con.execute(f"update {staged} s set dup_rows = d.rows_list from {dups} d where s.{key_sql} = d.k")


def apply_rules(
    con: duckdb.DuckDBPyConnection,
    staged: str,
    rules: list[Rule],
    header_text: dict[str, str],
    file_name: str,
) -> tuple[str, int, dict[str, int]]:
    """Creates the rejects temp table from `rules`; returns (table, rejected row count, reasons).

    One pass picks the rows breaking any rule; the messages are built from those rows only (a
    million-row file with a handful of bad rows is scanned once, not once per rule)."""
    rejects = temp_name("rejects")
    suspects = temp_name("suspects")
    any_broken = " or ".join(f"coalesce({r.condition}, false)" for r in rules) or "false"
    con.execute(f"create temp table {suspects} as select * from {staged} where {any_broken}")
    parts, params = [], []
    for i, r in enumerate(rules):
        parts.append(
            f"select source_row, ? as column_name, cast({r.value} as varchar) as value, ? as rule, "
            f"{r.message_vi} as message_vi, {r.message_en} as message_en, {i} as rule_order "
            f"from {suspects} where coalesce({r.condition}, false)"
        )
        params += [header_label(header_text, r.column), r.rule]
    # Rows in file order, and a row's reasons in the order the rules are declared (stable output).
    con.execute(
        f"create temp table {rejects} as select * exclude (rule_order) from ({' union all '.join(parts)}) "
        f"order by source_row, rule_order",
        params,
    )
    con.execute(f"drop table {suspects}")
    rejected = con.execute(f"select count(distinct source_row) from {rejects}").fetchall()[0][0]
    reasons = dict(
        con.execute(f"select rule, count(*) from {rejects} group by rule order by rule").fetchall()
    )
    return rejects, rejected, reasons


# A commune's name as the official list writes it, and the usual ways of writing that same name.
OFFICIAL_NAME_FORMS = """
    select commune_code, hash(name) as name_key from dim_commune
    union all select commune_code, hash(case when lower(name) like division_type || ' %'
                                             then substr(name, length(division_type) + 2) else name end) from dim_commune
    union all select commune_code, hash('UBND ' || name) from dim_commune
    union all select commune_code, hash(cast(null as varchar)) from dim_commune"""


def _flag_odd_names(con: duckdb.DuckDBPyConnection, staged: str) -> None:
    """Mark broken the rows whose (commune, name) is not one of the official forms of the commune's
    name (`name_key` from pass 1): pass 2 matches their names (`mark_name_mismatches`).  One
    distinct over the file's few (code, name) pairs; files writing official names flag nothing."""
    odd = temp_name("odd_names")
    con.execute(f"""
        create temp table {odd} as
        select distinct commune_code, name_key from {staged} where not broken and commune_code is not null
        except select commune_code, name_key from ({OFFICIAL_NAME_FORMS})""")
    if con.execute(f"select count(*) from {odd}").fetchall()[0][0]:
        con.execute(
            f"update {staged} s set broken = true from {odd} o "
            f"where s.commune_code = o.commune_code and s.name_key = o.name_key"
        )
    con.execute(f"drop table {odd}")


def _provinces_by_code(con: duckdb.DuckDBPyConnection) -> list:
    """[province of commune 1, of commune 2, ...] from dim_commune (None where no commune has the code)."""
    pairs = con.execute("select commune_code, province_code from dim_commune").fetchall()
    out = [None] * max((c for c, _ in pairs), default=0)
    for code, province in pairs:
        out[code - 1] = province
    return out


COMMUNE_RULES = {"missing_commune", "unknown_commune", "ambiguous_commune"}  # see `commune_rules`
# Rules pass 1 of `stage_valid_rows` leaves to pass 2: it only flags the rows they may apply to.
PASS2_RULES = {"commune_name_mismatch"}

REJECTS_DDL = (
    "(source_row integer, column_name varchar, value varchar, rule varchar, message_vi varchar, "
    "message_en varchar)"
)


def stage_valid_rows(
    con: duckdb.DuckDBPyConnection,
    parse_sql,
    final: dict[str, str],
    rules: list[Rule],
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
    the file's order and line numbers come from rowid; the province is joined after); pass 2, if
    any, reads the file the ordinary way.  Returns None when the lazy read cannot be trusted (lines
    the records do not account for, overlong rows): the caller reads the file the ordinary way."""
    staged = temp_name("staged")
    # Straight into the loader's shared in-memory database when there is one (no copy later).
    shared = bool(
        con.execute("select count(*) from duckdb_databases() where database_name = 'stage'").fetchall()[0][0]
    )
    create = f"create table stage.{staged}" if shared else f"create temp table {staged}"
    staged = f"stage.{staged}" if shared else staged
    dups = temp_name("dups")
    con.execute(f"create temp table {dups} {D.DUPS_DDL}")
    # Streamed, pass 1 has no commune join (commune_status is NULL there): the commune rules cannot
    # fire, and a code no official commune has leaves province_code NULL, which marks the row.
    pass1 = [r for r in rules if (lazy is None or r.rule not in COMMUNE_RULES) and r.rule not in PASS2_RULES]
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
        keeps_order = con.execute("select current_setting('preserve_insertion_order')").fetchall()[0][0]
        con.execute("set preserve_insertion_order = true")
        try:
            con.execute(
                f"{create} as select {cols}, {name_key}, p.overlong, ({any_broken}) as broken "
                f"from ({parse_sql('', dups, lazy)}) p",
                lazy.params,
            )
        finally:
            if not keeps_order:
                con.execute("set preserve_insertion_order = false")
        records, overlong = con.execute(
            f"select count(*), coalesce(bool_or(overlong), false) from {staged}"
        ).fetchall()[0]
        if overlong or not records or records + lazy.header_end_line < lazy.lines:
            con.execute(f"drop table {staged}; drop table {dups}")
            return None  # (no records: the ordinary read says so, with the header's line)
        # Line numbers, provinces (a list indexed by commune code: no join, one pass) and the rows
        # whose code no official commune has.  A blank record has no key, so it is broken too, and
        # pass 2 (the ordinary read, which drops blank rows) does not count it as a row.
        provinces = _provinces_by_code(con)
        province = "case when commune_code between 1 and ? then list_extract(?, commune_code) end"
        con.execute(
            f"update {staged} set source_row = ? + rowid, province_code = {province}, "
            f"broken = broken or {province} is null",  # (SET sees the old province_code)
            [int(lazy.first_data_line), *([len(provinces), provinces] * 2)],
        )
    if key is not None:
        repeated = D.insert_repeats(con, staged, key, dups)
        if repeated:
            column = header_label(header_text, key)
            D.refuse_if_dominated(con, staged, key, dups, repeated, file_name=file_name, column=column)
            con.execute(f"update {staged} set broken = true where {key} in (select k from {dups})")
    if has_name:
        _flag_odd_names(con, staged)
    rows_read, n_broken = con.execute(
        f"select count(*), count(*) filter (where broken) from {staged}"
    ).fetchall()[0]
    rejects = temp_name("rejects")
    if n_broken == 0:
        con.execute(f"create temp table {rejects} {REJECTS_DDL}")
        con.execute(f"drop table {dups}")
        return staged, rejects, rows_read, 0, {}
    # The broken rows' numbers as a table: pass 2 semi-joins it (a hash lookup per row; a list
    # searched for every row was quadratic when most rows were broken).
    broken = temp_name("broken")
    con.execute(f"create temp table {broken} as select source_row from {staged} where broken")
    n_listed = con.execute(f"select count(*) from {broken}").fetchall()[0][0]
    suspects = temp_name("suspects")
    con.execute(
        f"create temp table {suspects} as select * from "
        f"({parse_sql(f'where source_row in (select source_row from {broken})', dups, None)})"
    )
    resolve_names(con, suspects, has_name)
    mark_name_mismatches(con, suspects)
    rejects, rejected, reasons = apply_rules(con, suspects, rules, header_text, file_name)
    # Rows pass 2 finds valid (a name matched, or a streamed cell only needed trimming) are kept as
    # pass 2 parsed them; a streamed row of nothing but spaces is not a row (the ordinary read drops it).
    not_rows = n_listed - con.execute(f"select count(*) from {suspects}").fetchall()[0][0]
    con.execute(f"""
        delete from {staged} where broken;
        insert into {staged} by name
            select {cols}, false as broken from {suspects} x
            where x.source_row not in (select source_row from {rejects});
        drop table {suspects};
        drop table {broken};
        drop table {dups};""")
    return staged, rejects, rows_read - not_rows, rejected, reasons


PARSE_MONTH = """coalesce(
    try_strptime(regexp_replace(lower(strip_accents(raw_month)), '^(thang|t)\\s*', ''),
                 ['%m/%Y', '%m-%Y', '%Y-%m', '%Y/%m', '%m.%Y']),
    date_trunc('month', parse_ts(raw_month)))"""


def count_rules(column: str, vi: str, en: str, *, required: bool = True, minimum: int = 0) -> list[Rule]:
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
        Rule(
            f"bad_count_{column}",
            column,
            missing,
            raw,
            f"format('{vi} \"{{}}\" không phải số nguyên — điền số (0 nếu không có).', coalesce({raw}, ''))",
            f"format('{en} \"{{}}\" is not a whole number — fill in the figure (0 if none).', "
            f"coalesce({raw}, ''))",
        ),
        Rule(
            "negative_count_" + column if minimum == 0 else f"{column}_below_{minimum}",
            column,
            f"{column} < {minimum}",
            raw,
            *below,
        ),
    ]


def month_rules() -> list[Rule]:
    return [
        Rule(
            "bad_month",
            "month",
            "month is null",
            "raw_month",
            "format('tháng báo cáo \"{}\" không đọc được — dùng dạng mm/yyyy, ví dụ 10/2025.', "
            "coalesce(raw_month, ''))",
            "format('report month \"{}\" is not a month — use mm/yyyy, e.g. 10/2025.', "
            "coalesce(raw_month, ''))",
        ),
        Rule(
            "date_out_of_range_month",
            "month",
            f"month < date '{EARLIEST_DATE}' or month > current_date",
            "raw_month",
            "format('tháng {} nằm ngoài khoảng 01/2015 đến nay — sửa tháng.', strftime(month, '%m/%Y'))",
            "format('month {} is outside 01/2015 to now — fix the month.', strftime(month, '%m/%Y'))",
        ),
    ]
