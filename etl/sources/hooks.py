"""What a source kind needs that a spec cannot say: named functions the specs refer to.

A spec (`etl/sources/<kind>/spec.toml`) names a hook where it needs one:

* `reader = "<hook>"`: reads and stages a whole file of another shape, `hook(path, con, **options)`
  returns `Staged` (portal JSON);
* `after_parse = ["<hook>", ...]`: `hook(ctx, staged)` adds columns to the staged table after the
  fields are parsed (the index period, which the CLI option and the file name may also give);
* `max = "hook:<hook>"` on a score field: `hook(field_name)` is the field's maximum;
* `[[outputs]] rows_hook = "<hook>"`: `hook(ctx, ok)` is the select filling that output (`ok` is
  `from <staged> s where <the row is not rejected>`);
* `notes = ["<hook>", ...]`: `hook(ctx, valid)` returns facts worth printing about the valid rows.

`ctx` is the engine's `Context` (spec, file, connection, mapped columns, options, `values`).
Every hook is listed in `HOOKS`; a spec naming another one is refused when the kinds are checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd

from core.index_groups import GROUP_MAX
from core.periods import parse_period, period_from_filename
from etl.readers import SourceFileError

# --- index results ---------------------------------------------------------------------------------


def index_period(ctx: Any, staged: str) -> None:
    """period_type, period_key, period_start from the 'Kỳ' column, else the `period` option, else the
    file name; a file with none of them is refused.  (Few distinct values per file, parsed in Python
    with the same rules as the CLI option.)"""
    con, name, period = ctx.con, ctx.table.path.name, ctx.options.get("period")
    default_period = parse_period(period) if period else period_from_filename(name)
    if period and default_period is None:
        raise SourceFileError(
            name,
            f"{name}: kỳ '{period}' không hợp lệ — dùng 2026-08, 2026-Q3 hoặc 2026.",
            f"{name}: period '{period}' is not valid — use 2026-08, 2026-Q3 or 2026.",
        )
    if not ctx.has("period") and default_period is None:
        raise SourceFileError(
            name,
            f"{name}: không có cột Kỳ và tên tệp không ghi kỳ — thêm --period 2026-08 "
            f"(tháng), 2026-Q3 (quý) hoặc 2026 (năm).",
            f"{name}: no period column and none in the file name — pass --period "
            f"2026-08 (month), 2026-Q3 (quarter) or 2026 (year).",
        )
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


def index_layout(ctx: Any, staged: str) -> None:
    """`layout`: the older five-group layout when the file has DVCTT and neither CLGQ nor TTTT."""
    groups = [g for g in ctx.spec.groups if ctx.has(g)]
    ctx.values["groups"] = groups
    layout = "five_groups" if "DVCTT" in groups and not {"CLGQ", "TTTT"} & set(groups) else "six_groups"
    ctx.con.execute(
        f"alter table {staged} add column layout varchar; update {staged} set layout = ?", [layout]
    )


def group_max(group: str) -> float:
    """An index group's maximum points (core.index_groups, the one place they are defined)."""
    return GROUP_MAX[group]


def index_scores(ctx: Any, ok: str) -> str:
    """fact_index_score: one row per valid row and index group the file gives."""
    parts = [
        f"select commune_code, province_code, period_type, period_key as period, period_start, "
        f"'{g}' as group_code, {g} as score, {GROUP_MAX[g]} as max_score, "
        f"cast(null as double) as ratio, cast(null as double) as score_delta, source_row {ok}"
        for g in ctx.values["groups"]
    ]
    return " union all ".join(parts)


# --- community digital teams -----------------------------------------------------------------------


def more_teams_than_villages(ctx: Any, valid: str) -> list[str]:
    """A note (not a reject) for communes whose teams in this file outnumber their villages (as the
    warehouse holds them before this batch)."""
    con: duckdb.DuckDBPyConnection = ctx.con
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


# --- portal JSON -----------------------------------------------------------------------------------


def portal_json(path, con: duckdb.DuckDBPyConnection, **options):
    """A saved response of the national portal's index API (etl/sources/portal_reader.py)."""
    from etl.sources.portal_reader import stage_json

    return stage_json(path, con, period=options.get("period"), group=options.get("group"))


HOOKS: dict[str, Callable[..., Any]] = {
    "index_period": index_period,
    "index_layout": index_layout,
    "group_max": group_max,
    "index_scores": index_scores,
    "more_teams_than_villages": more_teams_than_villages,
    "portal_json": portal_json,
}


def get(name: str) -> Callable[..., Any]:
    try:
        return HOOKS[name]
    except KeyError:
        raise KeyError(f"no hook {name!r} in etl/sources/hooks.py (known: {', '.join(HOOKS)})") from None
