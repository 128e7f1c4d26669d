"""The staging engine's building blocks: mapping headers, parsing values in SQL, row rules and
commune matching (the engine, `etl/sources/engine.py`, puts them together from each kind's spec; the
portal JSON reader uses them too).

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
from typing import Any

import duckdb
import pandas as pd

from etl import headers as H
from etl.readers import SourceTable

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
    # Set for a file staged with others (`etl.loader._stage_group`): `temp` is the group's table,
    # shared, and this output is its rows with `file_no = part`.
    part: int | None = None


@dataclass
class Staged:
    kind: str
    outputs: list[Output]
    rejects: str  # temp table: source_row, column_name, value, rule, message_vi, message_en
    rows_read: int
    rows_rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # facts worth printing (e.g. departments kept apart)
    group: Any = None  # staged with other files: their shared tables (`etl.loader._Group`)


def temp_name(prefix: str) -> str:
    return f"{prefix}_{next(_counter)}"


def map_columns(kind: str, table: SourceTable) -> tuple[dict[str, str], dict[str, str]]:
    """canonical -> SQL column (c0..) and canonical -> the header text as the file spells it.

    Raises SourceFileError when a required column is missing or a header is ambiguous (see
    `etl.recognise.column_map`)."""
    from etl.recognise import column_map

    return column_map(kind, table)


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


def flag_odd_names(con: duckdb.DuckDBPyConnection, staged: str, lookups: bool = False) -> int:
    """Mark broken the rows whose (commune, name) is not one of the official forms of the commune's
    name (`name_key` from pass 1): pass 2 matches their names (`mark_name_mismatches`).  One
    distinct over the file's few (code, name) pairs; files writing official names flag nothing.
    `lookups`: the forms are in the load's shared lookups (`shared_lookups`), not computed again.
    Returns the rows marked (one statement: the pairs are found in the table as it was before)."""
    forms = f"stage.{NAME_FORMS_TABLE}" if lookups else f"({OFFICIAL_NAME_FORMS})"
    return con.execute(f"""
        update {staged} s set broken = true
        from (select distinct commune_code, name_key from {staged} where not broken and commune_code is not null
              except select commune_code, name_key from {forms}) o
        where s.commune_code = o.commune_code and s.name_key = o.name_key""").fetchall()[0][0]


# [province of commune 1, of commune 2, ...] from dim_commune (NULL where no commune has the code),
# as an uncorrelated scalar subquery: DuckDB builds the list once a query.  (The list was a bound
# parameter: converting its 32,248 Python values cost 0.33 s each time, twice a file — 0.7 s of
# fixed cost per file, most of a small file's load.)
PROVINCES_BY_CODE = (
    "(select list(d.province_code order by r.c) from range(1, (select max(commune_code) + 1 from dim_commune)) "
    "r(c) left join dim_commune d on d.commune_code = r.c)"
)


# The load's lookups of the official list, built once in the shared `stage` database
# (`shared_lookups`): computing them in every file's queries cost 15-20 ms a file (the province
# list alone ~15 ms), most of a small file's staging.
LOOKUP_TABLE = "official_lookup"
NAME_FORMS_TABLE = "official_name_forms"


def shared_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Build the lookups in the attached `stage` database (dim_commune does not change during a load).
    Whoever attaches `stage` builds them at once (`etl.loader._stage_files`): the stagers read them
    wherever that database is attached."""
    con.execute(
        f"create or replace table stage.{LOOKUP_TABLE} as select {PROVINCES_BY_CODE} as provinces, "
        "(select max(commune_code) from dim_commune) as top_code"
    )
    con.execute(f"create or replace table stage.{NAME_FORMS_TABLE} as {OFFICIAL_NAME_FORMS}")


def province_of_code(code: str, lookups: bool = False) -> str:
    """SQL: the province of official commune code `code` (NULL when no commune has it), from the
    list indexed by commune code (`lookups`: the load's shared copy of it)."""
    if lookups:
        top, provinces = (f"(select {c} from stage.{LOOKUP_TABLE})" for c in ("top_code", "provinces"))
    else:
        top, provinces = "(select max(commune_code) from dim_commune)", PROVINCES_BY_CODE
    return f"case when {code} between 1 and {top} then list_extract({provinces}, {code}) end"


COMMUNE_RULES = {"missing_commune", "unknown_commune", "ambiguous_commune"}  # see `commune_rules`
# Rules pass 1 of `stage_valid_rows` leaves to pass 2: it only flags the rows they may apply to.
PASS2_RULES = {"commune_name_mismatch"}

REJECTS_DDL = (
    "(source_row integer, column_name varchar, value varchar, rule varchar, message_vi varchar, "
    "message_en varchar)"
)
