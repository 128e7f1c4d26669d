"""What the reports (package `reports/`) print, gathered from the read-side functions.

Nothing here defines a metric: every value comes from metrics.commune, metrics.rankings,
metrics.periodic, metrics.service_index and metrics.skills, so a report shows the numbers the
dashboard shows for the same filters.  This module only composes them per report:

* `commune_report_data(commune, period)`: the commune's figures (the profile's `commune_figures`,
  plus the other filing rates computed the same way), rank in the province of every figure,
  monthly table, rank history, group scores, what it takes (service index), gaps to the targets in
  dossiers/documents/people, digital-skills figures when the warehouse has them;
* `province_briefing_data(province, period)`: headline vs national, the province's index rank, the
  commune ranking, tier counts, movers, the ten lowest communes and the groups that cost them most.

`shared_queries()`: inside the block, identical queries (same SQL, parameters and warehouse file
version) run once and are served from memory afterwards, and the queries that do run share one
read-only connection per warehouse file version.  Building one report calls several read-side
functions that each query the whole province; a batch of 148 communes would repeat those queries
148 times.  While a block runs, `metrics.db.query` is replaced by a wrapper that consults the memo
of the current thread only (a ContextVar): other threads (other Streamlit sessions) see no memo and
query the warehouse as before.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from core.catalogue import METRICS
from core.periods import Period
from metrics import areas, db, periodic, rankings, service_index, skills, warehouse
from metrics import commune as commune_metrics
from metrics.calendar import trend_months, trend_periods
from metrics.definitions import GROUPS, HEADLINE_RATES, RATES, TARGETS
from metrics.ranking import competition_rank
from metrics.scope import OPEN, Scope

# --------------------------------------------------------------------------------------------------
# Memoised queries for a batch.


@dataclass
class _Memo:
    frames: dict = field(default_factory=dict)  # (sql, params, file, version) -> DataFrame
    connections: dict = field(default_factory=dict)  # (file, version) -> read-only connection


_MEMO: ContextVar[_Memo | None] = ContextVar("report_data_memo", default=None)
_LOCK = threading.Lock()
_DEPTH = 0
_ORIGINAL_QUERY = db.query


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _memo_query(sql: str, params=None, path=None, scope=None) -> pd.DataFrame:
    memo = _MEMO.get()
    if memo is None:
        return _ORIGINAL_QUERY(sql, params, path, scope)
    file, version = db.db_path(path), db.version(path)
    key = (sql, _freeze(params), scope, str(file), version)
    frame = memo.frames.get(key)
    if frame is None:
        con = memo.connections.get((str(file), version))
        if con is None:
            # One read-only connection per warehouse file version for the block: a batch reads one
            # consistent file, and skips the cost of opening it for every query.
            con = memo.connections[(str(file), version)] = _open(file)
        frame = memo.frames[key] = con.execute(sql, params or [], scope).df()
    return frame.copy()


def _open(file):
    return db.open_read_only(file)


@contextlib.contextmanager
def shared_queries() -> Iterator[None]:
    """Memoise `metrics.db.query` for the current thread while the block runs (nestable)."""
    global _DEPTH
    outer = _MEMO.get()
    token = _MEMO.set(outer if outer is not None else _Memo())
    with _LOCK:
        if _DEPTH == 0:
            db.query = _memo_query
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                db.query = _ORIGINAL_QUERY
        if outer is None:
            for con in _MEMO.get().connections.values():
                con.close()
        _MEMO.reset(token)


# --------------------------------------------------------------------------------------------------
# Commune report.

# The figures of section I, in order.  The first four are metrics.commune.PROFILE_METRICS (taken from
# `commune_figures` as the profile page shows them); the others are the same computation on the
# other rates of metrics.definitions.
REPORT_METRICS = [
    "online_rate",
    "online_full_rate",
    "on_time_rate",
    "avg_processing_days",
    "paid_online_rate",
    "digitized_rate",
    "signature_rate",
    "index_total",
]
LOWER_IS_BETTER = {m for m in REPORT_METRICS if not METRICS[m].higher_is_better}
SKILLS_METRICS = [
    "villages_with_team_share",
    "team_members_per_1000",
    "sessions_per_month",
    "participants_per_month",
    "vneid_activation_share",
    "adults_certified_share",
]
FIGURE_COLUMNS = [
    "metric",
    "value",
    "previous",
    "change",
    "province_median",
    "target",
    "rank",
    "communes_ranked",
    "higher_is_better",
]
MONTHS_IN_TABLES = 12


class UnknownUnit(LookupError):
    """The commune or province does not exist or is outside the caller's scope."""


@dataclass
class CommuneReportData:
    commune_code: int
    commune_name: str
    division_type: str
    province_code: int
    province_name: str
    period: Period
    figures: pd.DataFrame  # FIGURE_COLUMNS, one row per REPORT_METRICS entry
    counts: dict  # the commune's commune_counts row for the period
    previous_counts: dict
    monthly: pd.DataFrame  # month, counts, rates, province_median_<metric>
    rank_history: pd.DataFrame  # metrics.commune.rank_history
    groups: pd.DataFrame  # metrics.commune.group_scores
    index: dict  # the commune's index_with_change row ({} when none)
    what: service_index.WhatItTakes
    target_gaps: pd.DataFrame  # metric, numerator, denominator, value, target, needed
    skills_figures: pd.DataFrame  # FIGURE_COLUMNS for SKILLS_METRICS (empty: no skills data)
    skills_counts: dict  # the commune's skills row for the period ({} when none)
    skills_monthly: pd.DataFrame  # metrics.skills.commune_trend, last MONTHS_IN_TABLES months
    is_demo: bool
    data_as_of: date | None
    has_dossiers: bool = False
    has_signatures: bool = False
    has_index: bool = False
    has_skills: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.has_dossiers or self.has_signatures or self.has_index or self.has_skills

    def figure(self, metric: str) -> dict:
        row = self.figures[self.figures["metric"] == metric]
        return {} if row.empty else {k: _clean(v) for k, v in row.iloc[0].to_dict().items()}


def place(commune: int, scope: Scope = OPEN, path=None) -> dict:
    """The commune's name, type and province as the caller may see them; UnknownUnit otherwise."""
    places = periodic.places(scope, path)
    row = places[places["commune_code"] == int(commune)]
    if row.empty:
        raise UnknownUnit(f"commune {commune}")
    return {k: _clean(v) for k, v in row.iloc[0].to_dict().items()}


def commune_report_data(commune: int, period: Period, scope: Scope = OPEN, path=None) -> CommuneReportData:
    """Everything the commune report prints for `commune` and `period`."""
    commune = int(commune)
    unit = place(commune, scope, path)
    province = int(unit["province_code"])
    prev = period.previous()

    profile = commune_metrics.commune_figures(commune, period, scope, path)
    counts = periodic.commune_counts([prev, period], province, None, scope, path)
    idx = periodic.index_with_change(period, province, None, scope, path)
    withheld = scope.level == "commune"
    figures = _figures(
        profile, counts, commune, period, prev, areas.province(province, [period], scope, path), withheld
    )
    own = counts[counts["commune_code"] == commune].set_index("period")
    cur_counts = _row(own, period.key)
    prev_counts = _row(own, prev.key)

    months = trend_months(period, periodic.month_range(scope, path)[0], limit=MONTHS_IN_TABLES)
    monthly = _monthly(commune, province, months, period, scope, path)
    history = _rank_history(commune, period, scope, path)
    groups = commune_metrics.group_scores(commune, period, scope, path)
    index_row = idx[idx["commune_code"] == commune]
    index = {} if index_row.empty else {k: _clean(v) for k, v in index_row.iloc[0].to_dict().items()}
    what = service_index.what_it_takes(commune, period, scope, path=path)

    skills_figs, skills_row, skills_monthly = _skills(commune, province, period, scope, path, withheld)
    as_of = warehouse.data_as_of(scope, path)["last_month"].dropna()
    data = CommuneReportData(
        commune_code=commune,
        commune_name=unit["commune_name"],
        division_type=unit["division_type"],
        province_code=province,
        province_name=unit["province_name"],
        period=period,
        figures=figures,
        counts=cur_counts,
        previous_counts=prev_counts,
        monthly=monthly,
        rank_history=history,
        groups=groups,
        index=index,
        what=what,
        target_gaps=target_gaps(cur_counts, skills_row),
        skills_figures=skills_figs,
        skills_counts=skills_row,
        skills_monthly=skills_monthly,
        is_demo=warehouse.is_demo(path),
        data_as_of=pd.Timestamp(as_of.max()).date() if len(as_of) else None,
    )
    data.has_dossiers = bool(cur_counts.get("has_dossiers"))
    data.has_signatures = bool(cur_counts.get("has_signatures"))
    data.has_index = index.get("index_total") is not None or groups["score"].notna().any()
    data.has_skills = _has_skills(skills_row)
    if index.get("is_derived"):
        data.notes.append("index_derived")
    if withheld:
        data.notes.append("withheld_for_account")
    return data


def _figures(
    profile: pd.DataFrame,
    counts: pd.DataFrame,
    commune: int,
    period: Period,
    prev: Period,
    area: pd.DataFrame,
    withheld: bool = False,
) -> pd.DataFrame:
    """commune_figures' rows, the other rates computed the same way, and every figure's rank.
    The province medians come from the province's aggregate row (`area`, metrics/areas.py).  A rate's
    rank among the communes needs every commune's rate: `withheld` (a commune account, which sees its
    own counts only) leaves it empty and the report says it is not available for the account."""
    rows = []
    cur = counts[counts["period"] == period.key]
    for metric in REPORT_METRICS:
        from_profile = profile[profile["metric"] == metric]
        if not from_profile.empty:
            row = {k: _clean(v) for k, v in from_profile.iloc[0].to_dict().items()}
        else:
            own = counts[counts["commune_code"] == commune].set_index("period")[metric]
            value, previous = _get(own, period.key), _get(own, prev.key)
            row = {
                "metric": metric,
                "value": value,
                "previous": previous,
                "change": None if value is None or previous is None else value - previous,
                "province_median": _get(area[areas.MEDIAN_COLUMNS[metric]], period.key),
                "target": TARGETS[metric].value if metric in TARGETS else None,
                "rank": None,
                "communes_ranked": None,
            }
        if metric != "index_total" and not withheld:
            row["rank"], row["communes_ranked"] = _rank(cur, metric, commune, metric in LOWER_IS_BETTER)
        row["higher_is_better"] = metric not in LOWER_IS_BETTER
        rows.append(row)
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


def _rank(
    frame: pd.DataFrame, metric: str, commune: int, lower_is_better: bool
) -> tuple[int | None, int | None]:
    """Rank of the commune's value among the communes of `frame` with a value (ties share a rank)."""
    values = frame.dropna(subset=[metric])
    if values.empty or commune not in set(values["commune_code"]):
        return None, None
    ranks = competition_rank(values[metric], higher_is_better=not lower_is_better)
    mine = ranks[values["commune_code"] == commune]
    return int(mine.iloc[0]), int(len(values))


def _monthly(
    commune: int, province: int, months: list[Period], period: Period, scope: Scope, path
) -> pd.DataFrame:
    """One row per month (at most MONTHS_IN_TABLES, up to the period's last month): the commune's
    counts and rates (commune_counts), the province median of the trend metrics (commune_trend), and
    the monthly index total and rank (index_results)."""
    if not months:
        return pd.DataFrame(columns=["month"])
    counts = periodic.commune_counts(months, province, None, scope, path)
    own = counts[counts["commune_code"] == commune].rename(columns={"period_start": "month"}).copy()
    own["month"] = pd.to_datetime(own["month"]).dt.date
    trend = commune_metrics.commune_trend(commune, period, scope, path)
    if not trend.empty:
        medians = trend.pivot_table(
            index="month", columns="metric", values="province_median", aggfunc="first"
        )
        medians.columns = [f"province_median_{c}" for c in medians.columns]
        medians.index = pd.to_datetime(medians.index).date
        own = own.merge(medians, left_on="month", right_index=True, how="left")
    idx = periodic.index_results(months, province, None, scope, path)
    idx = idx[idx["commune_code"] == commune][["period", "index_total", "index_rank", "communes_ranked"]]
    own = own.merge(idx, on="period", how="left")
    return own.sort_values("month").reset_index(drop=True)


def _rank_history(commune: int, period: Period, scope: Scope, path) -> pd.DataFrame:
    """metrics.commune.rank_history; empty (instead of an error) for a period before the first data."""
    if not trend_periods(period, periodic.month_range(scope, path)[0]):
        return pd.DataFrame(
            columns=[
                "period",
                "commune_code",
                "index_rank",
                "communes_ranked",
                "index_total",
                "is_derived",
                "period_start",
            ]
        )
    return commune_metrics.rank_history(commune, period, scope, path)


def _skills(commune: int, province: int, period: Period, scope: Scope, path, withheld: bool = False):
    """The commune's digital-skills figures; their province median and rank need every commune's
    figure, so a commune account (`withheld`) gets neither (the report says so)."""
    prev = period.previous()
    frame = skills.skills_counts([prev, period], province, None, scope, path)
    # the population of the median and rank: the province's communes with digital-skills data this period
    # (a commune without any reads as zero sessions in the mart, and must not count as a zero)
    cur = frame[(frame["period"] == period.key) & skills.with_skills_data(frame)]
    own = frame[frame["commune_code"] == commune].set_index("period")
    row = _row(own, period.key)
    if not _has_skills(row):
        return pd.DataFrame(columns=FIGURE_COLUMNS), {}, pd.DataFrame()
    rows = []
    for metric in SKILLS_METRICS:
        value, previous = _get(own[metric], period.key), _get(own[metric], prev.key)
        values = cur[metric].dropna()
        rank, ranked = (
            (None, None) if withheld else _rank(cur, metric, commune, not METRICS[metric].higher_is_better)
        )
        rows.append(
            {
                "metric": metric,
                "value": value,
                "previous": previous,
                "change": None if value is None or previous is None else value - previous,
                "province_median": None if withheld or not len(values) else float(values.median()),
                "target": METRICS[metric].target.value if METRICS[metric].target else None,
                "rank": rank,
                "communes_ranked": ranked,
                "higher_is_better": METRICS[metric].higher_is_better,
            }
        )
    monthly = skills.commune_trend(commune, period, scope, limit=MONTHS_IN_TABLES, path=path)
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS), row, monthly


SKILLS_STOCKS = skills.DATA_STOCKS


def _has_skills(row: dict) -> bool:
    """Whether a skills_counts row holds any digital-skills data: a stock reported, or a training session
    held (the sources' absence reads as zero sessions, not as missing)."""
    return bool(row) and (
        any(row.get(c) is not None for c in SKILLS_STOCKS) or (row.get("training_sessions") or 0) > 0
    )


def target_gaps(counts: dict, skills_row: dict | None = None) -> pd.DataFrame:
    """For every target of metrics.definitions.TARGETS (and the skills certification target): the
    period's numerator and denominator (core/catalogue.py), and how many more dossiers,
    documents or people would reach the target at this period's volume (0 when met; None without
    a denominator)."""
    rows = []
    for metric, target in TARGETS.items():
        num_col, terms = RATES[metric].numerator, RATES[metric].denominator
        num = counts.get(num_col)
        den = (
            None
            if any(counts.get(col) is None for _, col in terms)
            else sum(sign * counts[col] for sign, col in terms)
        )
        rows.append(_gap_row(metric, num, den, target.value))
    if skills_row:
        m = skills.METRICS["adults_certified_share"]
        rows.append(
            _gap_row(
                "adults_certified_share",
                skills_row.get(m.numerator),
                skills_row.get(m.denominator_column),
                skills.CERTIFIED_TARGET.value,
            )
        )
    return pd.DataFrame(rows, columns=["metric", "numerator", "denominator", "value", "target", "needed"])


def _gap_row(metric: str, num, den, target: float) -> dict:
    if num is None or den is None or den <= 0:
        return {
            "metric": metric,
            "numerator": num,
            "denominator": den,
            "value": None,
            "target": target,
            "needed": None,
        }
    needed = max(0, math.ceil(target * den - num - 1e-9))
    return {
        "metric": metric,
        "numerator": num,
        "denominator": den,
        "value": num / den,
        "target": target,
        "needed": int(needed),
    }


# --------------------------------------------------------------------------------------------------
# Province briefing.


@dataclass
class ProvinceBriefingData:
    province_code: int
    province_name: str
    period: Period
    headline: pd.DataFrame  # metrics.rankings.headline
    province_index: dict  # this province's row of rankings.province_index
    provinces_ranked: int
    ranking: pd.DataFrame  # metrics.rankings.province_ranking
    tiers: pd.DataFrame  # tier, communes, min_total, max_total (tier NA: unranked)
    movers_up: pd.DataFrame
    movers_down: pd.DataFrame
    lowest: pd.DataFrame  # ten lowest ranked: group_losses + rates + groups by loss
    worst_groups: pd.DataFrame  # metrics.rankings.worst_group_counts
    targets: pd.DataFrame  # metric, target, communes_with_data, communes_at_target
    skills_summary: pd.DataFrame  # province and national skills figures (empty: no data)
    is_demo: bool
    data_as_of: date | None

    @property
    def communes(self) -> int:
        return len(self.ranking)

    @property
    def has_data(self) -> bool:
        return bool(
            self.ranking["index_total"].notna().any()
            or self.ranking["dossiers_received"].fillna(0).any()
            or self.ranking["docs_issued"].fillna(0).any()
        )


LOWEST_N = 10
MOVERS_N = 5


def province_name(province: int, scope: Scope = OPEN, path=None) -> str:
    places = periodic.places(scope, path)
    row = places[places["province_code"] == int(province)]
    if row.empty:
        raise UnknownUnit(f"province {province}")
    return str(row.iloc[0]["province_name"])


def province_briefing_data(
    province: int, period: Period, scope: Scope = OPEN, path=None
) -> ProvinceBriefingData:
    """Everything the province briefing prints for `province` and `period`."""
    province = int(province)
    name = province_name(province, scope, path)
    ranking = rankings.province_ranking(province, period, scope, path)
    head = rankings.headline(province, period, scope, path)
    prov_idx = rankings.province_index(period, scope, path)
    own_idx = prov_idx[prov_idx["province_code"] == province]
    up, down = rankings.movers(ranking, MOVERS_N)
    losses = rankings.group_losses(ranking)
    lowest = _lowest(ranking, losses)
    as_of = warehouse.data_as_of(scope, path)["last_month"].dropna()
    return ProvinceBriefingData(
        province_code=province,
        province_name=name,
        period=period,
        headline=head,
        province_index={} if own_idx.empty else {k: _clean(v) for k, v in own_idx.iloc[0].to_dict().items()},
        provinces_ranked=_provinces_ranked(period, prov_idx, scope, path),
        ranking=ranking,
        tiers=_tiers(ranking),
        movers_up=up,
        movers_down=down,
        lowest=lowest,
        worst_groups=rankings.worst_group_counts(losses),
        targets=areas.target_counts(province, period, scope, path),
        skills_summary=_skills_summary(province, period, scope, path),
        is_demo=warehouse.is_demo(path),
        data_as_of=pd.Timestamp(as_of.max()).date() if len(as_of) else None,
    )


def _provinces_ranked(period: Period, prov_idx: pd.DataFrame, scope: Scope, path) -> int:
    """How many provinces the province's rank is out of: the national ranking's count (every province,
    whatever the caller may see), else the provinces ranked in `rankings.province_index`."""
    national = service_index.national_province_ranking(period, scope, path=path)
    if "provinces_ranked" in national.columns and national["provinces_ranked"].notna().any():
        return int(national["provinces_ranked"].dropna().iloc[0])
    return int(prov_idx["index_rank"].notna().sum())


def _tiers(ranking: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for tier in (1, 2, 3, 4):
        part = ranking[ranking["tier"] == tier]
        rows.append(
            {
                "tier": tier,
                "communes": len(part),
                "min_total": _clean(part["index_total"].min()),
                "max_total": _clean(part["index_total"].max()),
            }
        )
    rows.append(
        {"tier": None, "communes": int(ranking["tier"].isna().sum()), "min_total": None, "max_total": None}
    )
    return pd.DataFrame(rows)


def _lowest(ranking: pd.DataFrame, losses: pd.DataFrame) -> pd.DataFrame:
    """The LOWEST_N ranked communes, lowest total first, with the points lost per group (group_losses),
    the groups ordered by points lost (`groups_by_loss`), and their rates."""
    ranked = losses.dropna(subset=["index_rank"]).sort_values(["index_total", "commune_name"]).head(LOWEST_N)
    lost_cols = [f"lost_{g.lower()}" for g in GROUPS]

    def order(row) -> list[tuple[str, float]]:
        pairs = [(g, float(row[f"lost_{g.lower()}"])) for g in GROUPS if pd.notna(row[f"lost_{g.lower()}"])]
        return sorted(pairs, key=lambda p: (-p[1], GROUPS.index(p[0])))

    out = ranked.copy()
    out["groups_by_loss"] = [order(r) for _, r in ranked[lost_cols].iterrows()]
    extra = ranking[["commune_code", "index_rank_change", "tier", *HEADLINE_RATES, "digitized_rate"]]
    return out.merge(extra, on="commune_code", how="left").reset_index(drop=True)


def _skills_summary(province: int, period: Period, scope: Scope, path) -> pd.DataFrame:
    """Skills figures of the province and of the country for the period: unit, metric columns.  Read from
    the aggregate mart (metrics.skills.summary over mart_skills_area), so they are the province's and the
    country's for every role, never the rows a scope shows."""
    own = skills.summary(province, period, scope, path=path)
    nat = skills.summary(None, period, scope, path=path)
    own, nat = own[own["period"] == period.key], nat[nat["period"] == period.key]
    if own.empty or all(pd.isna(own.iloc[0].get(m)) for m in SKILLS_METRICS if m in own.columns):
        return pd.DataFrame()
    return pd.concat([own.assign(unit="province"), nat.assign(unit="national")], ignore_index=True)


# --------------------------------------------------------------------------------------------------


def _row(frame: pd.DataFrame, key: str) -> dict:
    if key not in frame.index:
        return {}
    return {k: _clean(v) for k, v in frame.loc[key].to_dict().items()}


def _get(series: pd.Series, key: str):
    if key not in series.index:
        return None
    return _clean(series.loc[key])


def _clean(value):
    """NaN/NA -> None; numpy scalars -> Python numbers."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value
