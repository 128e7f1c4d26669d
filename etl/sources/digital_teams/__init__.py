"""Community digital technology teams (tổ công nghệ số cộng đồng, Công văn 793/BTTTT-THH).

Two shapes, told apart row by row:

* a **team register**: one row per team, with its village or residential group, members and the
  date it was established (`record_type = 'team'`, teams = 1).  Key (commune, village): a later
  delivery of the same village's team replaces it.  Villages are compared as `village_key`
  (lower case, runs of spaces collapsed, a leading unit word such as "Thôn" dropped before a name
  but not before a number: "Thôn Đồng Rào" = "Đồng Rào", "Thôn 1" <> "Tổ dân phố 1");
* a **per-commune count**: no village, the number of teams and their members as of a date
  (`record_type = 'commune_count'`).  Key (commune, date): counts at different dates are kept as a
  series; the same date again replaces it.

Both go to `fact_digital_team` with `team_key` = 'village:<village_key>' or 'count:<yyyy-mm-dd>'.
The mart counts a commune's teams from its register when it has one, else from its latest count
(see etl/sql/mart_commune_month.sql).

More teams than villages (from fact_population_year) is **not refused**: the village count may be of
another year, and communes also form teams for markets, schools or industrial zones.  It is reported
in the load's notes (against the villages already in the warehouse when the file is staged: a
population file of the same batch is not seen yet) and flagged on the read side, whatever the load
order (metrics/skills.py caps the village share at 100% and sets `teams_exceed_villages`).
"""

from __future__ import annotations

import duckdb

from etl.readers import SourceTable
from etl.sources import common as C
from etl.sources import skills_common as S
from etl.sources.registry import spec

SPEC = spec("digital_teams")  # headers, required columns, table and key: spec.toml beside this file

KIND = "digital_teams"
RAW_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "province_name",
    "village",
    "team_name",
    "team_count",
    "members",
    "established_on",
]


def rules(header_text: dict[str, str]) -> list[C.Rule]:
    label = lambda c: C.header_label(header_text, c)  # noqa: E731
    is_team, is_count = "record_type = 'team'", "record_type = 'commune_count'"
    return [
        *C.commune_rules(label("commune_code"), label("commune_name")),
        C.Rule(
            "missing_village",
            "village",
            "record_type is null",
            "''",
            "'thiếu cả tên thôn, tổ dân phố lẫn số tổ — điền tên thôn cho từng tổ, hoặc số tổ và số thành "
            "viên của cả xã.'",
            "'neither a village or residential group nor a team count — fill in the village of each team, "
            "or the commune''s number of teams and members.'",
        ),
        C.Rule(
            "bad_count_team_count",
            "team_count",
            "raw_team_count is not null and team_count is null",
            "raw_team_count",
            "format('số tổ \"{}\" không phải số nguyên — điền số tổ (0 nếu chưa có).', raw_team_count)",
            "format('team count \"{}\" is not a whole number — fill in the number of teams (0 if none).', "
            "raw_team_count)",
        ),
        C.Rule(
            "team_count_with_village",
            "team_count",
            f"{is_team} and team_count <> 1",
            "raw_team_count",
            "format('dòng có tên thôn \"{}\" là một tổ nhưng ghi số tổ {} — để trống hoặc ghi 1, mỗi tổ một dòng.', "
            "village, team_count)",
            'format(\'a row with a village ("{}") is one team but says {} teams — leave it empty or write 1, '
            "one row per team.', village, team_count)",
        ),
        C.Rule(
            "negative_count_team_count",
            "team_count",
            f"{is_count} and team_count < 0",
            "raw_team_count",
            "format('số tổ {} là số âm — sửa số liệu.', team_count)",
            "format('team count {} is negative — fix the figure.', team_count)",
        ),
        C.Rule(
            "bad_count_members",
            "members",
            "members is null",
            "raw_members",
            "format('số thành viên \"{}\" không phải số nguyên — điền số thành viên của tổ.', "
            "coalesce(raw_members, ''))",
            "format('members \"{}\" is not a whole number — fill in the number of team members.', "
            "coalesce(raw_members, ''))",
        ),
        C.Rule(
            "members_below_1",
            "members",
            f"{is_team} and members < 1",
            "raw_members",
            "format('tổ ở \"{}\" có {} thành viên — một tổ có ít nhất 1 thành viên; sửa số hoặc xóa dòng.', "
            "village, members)",
            'format(\'the team of "{}" has {} members — a team has at least 1 member; fix the figure or '
            "drop the row.', village, members)",
        ),
        C.Rule(
            "negative_count_members",
            "members",
            f"{is_count} and members < 0",
            "raw_members",
            "format('số thành viên {} là số âm — sửa số liệu.', members)",
            "format('members {} is negative — fix the figure.', members)",
        ),
        C.Rule(
            "members_below_teams",
            "members",
            f"{is_count} and members >= 0 and members < team_count",
            "raw_members",
            "format('{} thành viên cho {} tổ — mỗi tổ có ít nhất 1 thành viên; sửa số tổ hoặc số thành viên.', "
            "members, team_count)",
            "format('{} members for {} teams — every team has at least 1 member; fix the team count or the "
            "members.', members, team_count)",
        ),
        S.required_date_rule(
            "established_on",
            "ngày thành lập (hoặc ngày báo cáo số tổ)",
            "date established (or the date of the team count)",
        ),
        *C.date_rules("established_on", "ngày thành lập", "date established"),
        C.Rule(
            "duplicate_in_file",
            "village",
            f"dup_rows is not null and {is_team}",
            "village",
            "format('tổ của thôn \"{}\" lặp lại trong tệp (các dòng {}) — giữ lại một dòng.', village, dup_rows)",
            "format('the team of village \"{}\" appears more than once in the file (rows {}) — keep one row.', "
            "village, dup_rows)",
        ),
        C.Rule(
            "duplicate_in_file",
            "established_on",
            f"dup_rows is not null and {is_count}",
            "raw_established_on",
            "format('số tổ của xã tại ngày {} lặp lại trong tệp (các dòng {}) — giữ lại một dòng.', "
            "fmt_date(established_on), dup_rows)",
            "format('the commune''s team count for {} appears more than once in the file (rows {}) — keep one "
            "row.', fmt_date(established_on), dup_rows)",
        ),
    ]


def stage(table: SourceTable, con: duckdb.DuckDBPyConnection, **_options) -> C.Staged:
    """Validate a team register or per-commune team counts (see the module docstring)."""
    sql_cols, header_text = C.map_columns(KIND, table)
    staged = C.temp_name("stg_digital_team")
    con.execute(f"""
        create temp table {staged} as
        with raw as (select source_row, {C.select_columns(sql_cols, RAW_COLUMNS)} from {table.relation_name}),
        parsed as (
            select *, {S.text_sql("raw_village")} as village, {S.text_sql("raw_team_name")} as team_name,
                   parse_count(raw_team_count) as team_count, parse_count(raw_members) as members,
                   cast(parse_ts(raw_established_on) as date) as established_on
            from raw
        ),
        village_keys as (   -- the same village names repeat across communes: key each spelling once
            select v, {S.village_key_sql("v")} as village_key
            from (select distinct village as v from parsed where village is not null)
        )
        select parsed.*,
               case when village is not null then 'team' when raw_team_count is not null then 'commune_count'
               end as record_type,
               k.village_key
        from parsed left join village_keys k on k.v = parsed.village
    """)
    C.resolve_communes(con, staged, "commune_code" in sql_cols, "commune_name" in sql_cols)
    con.execute(f"""
        alter table {staged} add column team_key varchar;
        update {staged} set team_key = case
            when record_type = 'team' then 'village:' || village_key
            when record_type = 'commune_count' and established_on is not null
                then 'count:' || strftime(established_on, '%Y-%m-%d') end
    """)
    S.add_key(con, staged, "cast(commune_code as varchar) || ' ' || team_key")
    result = S.finish(
        KIND,
        con,
        staged,
        rules(header_text),
        header_text,
        table.path.name,
        "commune_code, province_code, team_key, record_type, village, team_name, "
        "case record_type when 'team' then 1 else team_count end as teams, members, established_on",
        SPEC.table,
        list(SPEC.key),
    )
    result.notes += _more_teams_than_villages(con, result.outputs[0].temp)
    return result


def _more_teams_than_villages(con: duckdb.DuckDBPyConnection, valid: str) -> list[str]:
    """A note (not a reject) for communes whose teams in this file outnumber their villages (as the
    warehouse holds them before this batch)."""
    rows = con.execute(f"""
        with teams as (
            select commune_code,
                   count(*) filter (where record_type = 'team') as register_teams,
                   arg_max(teams, established_on) filter (where record_type = 'commune_count') as counted_teams
            from {valid} group by all
        ),
        villages as (
            select commune_code, arg_max(villages, year) as villages
            from fact_population_year where villages is not null group by all
        )
        select d.name, greatest(t.register_teams, coalesce(t.counted_teams, 0)) as teams, v.villages
        from teams t join villages v using (commune_code) join dim_commune d using (commune_code)
        where greatest(t.register_teams, coalesce(t.counted_teams, 0)) > v.villages
        order by t.commune_code
    """).fetchall()
    if not rows:
        return []
    examples = ", ".join(f"{name} {teams} > {villages}" for name, teams, villages in rows[:5])
    return [
        f"{len(rows)} xã có số tổ nhiều hơn số thôn, tổ dân phố ({examples}) — đã nạp; kiểm tra số thôn "
        f"trong tệp dân số hoặc danh sách tổ / {len(rows)} communes have more teams than villages "
        f"({examples}) — loaded; check the village count in the population file or the team list."
    ]
