"""Digital skills (Bình dân học vụ số): community digital teams, training, VNeID and certificates.

The metrics (declared in core/catalogue.py, `METRICS` here), each a numerator over a denominator:

| metric | definition |
|---|---|
| villages_with_team_share | villages with a team / villages; teams are capped at the villages (one team per village), so it never exceeds 100%; `teams_exceed_villages` flags communes with more teams than villages |
| team_members_per_1000 | team members / population x 1,000 |
| sessions_per_month | training sessions in the period / months of the period in the warehouse |
| participants_per_month | training participants in the period / months of the period in the warehouse |
| adults_trained_share | adult attendances (audiences officials, residents, businesses; not pupils) from the warehouse's first month to the period's end / adults.  **Attendances, not people**: the sources report participants per session, so a person at two sessions counts twice and the share can pass 100%; read it as attendances per adult |
| adults_certified_share | adults certified on the Bình dân học vụ số platform (cumulative) / adults; compared with a target (default 60%, a provincial example; core/catalogue.py) |
| vneid_activation_share | level-2 VNeID accounts activated (cumulative) / adults |

Stocks (population, adults, villages, teams, members, VNeID accounts, adults certified) are the
values at the period's end; flows (sessions, participants) are summed over the period.  Over several
communes, numerators and denominators are summed over the communes that have both, then divided
(never an average of commune shares).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from core.catalogue import METRICS as CATALOGUE
from core.catalogue import Metric, counts, ratios
from core.periods import Period
from metrics import db
from metrics.calendar import TREND_MONTHS, period_params, trend_months
from metrics.definitions import add_ratios
from metrics.ranking import competition_rank_by, rank_change
from metrics.scope import OPEN, Scope

PERIOD_SQL = db.read_sql("skills_period.sql")
TREND_SQL = db.read_sql("skills_trend.sql")
SESSIONS_SQL = db.read_sql("skills_sessions.sql")
MONTH_RANGE_SQL = db.read_sql("skills_month_range.sql")
AREA_SQL = db.read_sql("skills_area.sql")

AUDIENCES = ("officials", "residents", "pupils", "businesses")
ADULT_AUDIENCES = ("officials", "residents", "businesses")

# Counts summed over communes (stocks at the period's end, flows over the period) and the metrics
# computed from them: declared in core/catalogue.py.
COUNT_COLUMNS = counts("skills")
METRICS: dict[str, Metric] = ratios("skills")
SHARE_METRICS = [name for name, m in METRICS.items() if m.fmt == "pct"]
CERTIFIED_TARGET = CATALOGUE["adults_certified_share"].target


def add_metrics(df: pd.DataFrame, certified_target: float = CERTIFIED_TARGET.value) -> pd.DataFrame:
    """Per row (a commune and period, or a commune and month): every metric of METRICS, the
    certification target, the gap to it and whether it is met, and the teams-over-villages flag.
    NaN where the denominator is 0 or unknown."""
    out = df.copy()
    if "villages_with_team" not in out.columns and {"digital_teams", "villages"} <= set(out.columns):
        teams, villages = out["digital_teams"].astype("Float64"), out["villages"].astype("Float64")
        out["villages_with_team"] = teams.where(
            teams.isna() | villages.isna() | (teams <= villages), villages
        )
    months = {"months": out["months_in_warehouse"]} if "months_in_warehouse" in out.columns else {}
    out = add_ratios(out, METRICS, months)
    if {"digital_teams", "villages"} <= set(out.columns):
        out["teams_exceed_villages"] = (
            (out["digital_teams"].astype("float64") > out["villages"].astype("float64"))
            .fillna(False)
            .astype(bool)
        )
    if "adults_certified_share" in out.columns:
        out["certified_target"] = float(certified_target)
        share = out["adults_certified_share"]
        out["certified_gap"] = (certified_target - share).clip(lower=0)
        out["certified_meets_target"] = (share >= certified_target).where(share.notna())
    return out


def aggregate(
    df: pd.DataFrame, by: list[str], certified_target: float = CERTIFIED_TARGET.value
) -> pd.DataFrame:
    """Sum numerators and denominators by `by` over the rows that have both, then divide."""
    src = add_metrics(df, certified_target)
    grouped = src.groupby(by, dropna=False, sort=True)
    out = grouped[[c for c in COUNT_COLUMNS if c in src.columns]].sum(min_count=1)
    if "commune_code" in src.columns and "commune_code" not in by:
        out["communes"] = grouped["commune_code"].nunique()
    if "months_in_warehouse" in src.columns:
        out["months_in_warehouse"] = grouped["months_in_warehouse"].max()
    for name, m in METRICS.items():
        den_col = m.denominator_column
        if m.numerator not in src.columns:
            continue
        if den_col == "months":
            num = grouped[m.numerator].sum(min_count=1).astype("float64")
            den = out["months_in_warehouse"].astype("float64")
        else:
            if den_col not in src.columns:
                continue
            both = src[m.numerator].notna() & src[den_col].notna()
            num = src[m.numerator].where(both).groupby([src[c] for c in by], dropna=False).sum(min_count=1)
            den = src[den_col].where(both).groupby([src[c] for c in by], dropna=False).sum(min_count=1)
            num, den = num.astype("float64"), den.astype("float64")
        out[name] = num * m.scale / den.where(den > 0)
    return _with_target(out.reset_index(), certified_target)


def _with_target(out: pd.DataFrame, certified_target: float) -> pd.DataFrame:
    """The certification target, the gap to it and whether it is met, beside adults_certified_share."""
    if "adults_certified_share" in out.columns:
        out["certified_target"] = float(certified_target)
        out["certified_gap"] = (certified_target - out["adults_certified_share"]).clip(lower=0)
        out["certified_meets_target"] = (out["adults_certified_share"] >= certified_target).where(
            out["adults_certified_share"].notna()
        )
    return out


# --- queries -------------------------------------------------------------------------------------


def skills_counts(
    periods: list[Period],
    province: int | None = None,
    commune: int | None = None,
    scope: Scope = OPEN,
    path=None,
    certified_target: float = CERTIFIED_TARGET.value,
) -> pd.DataFrame:
    """One row per commune and period: the counts of skills_period.sql and every metric."""
    params = {**period_params(periods), "province": province, "commune": commune}
    return add_metrics(db.query(PERIOD_SQL, params, path, scope=scope), certified_target)


def month_range(scope: Scope = OPEN, path=None) -> tuple[date | None, date | None]:
    """(first_month, last_month) with digital-skills activity in scope; (None, None) when none."""
    df = db.query(MONTH_RANGE_SQL, None, path, scope=scope)
    if df.empty or pd.isna(df.iloc[0]["first_month"]):
        return (None, None)
    return (pd.Timestamp(df.iloc[0]["first_month"]).date(), pd.Timestamp(df.iloc[0]["last_month"]).date())


# The stocks whose presence marks a commune as having digital-skills data (with a training session held).
DATA_STOCKS = ["population", "digital_teams", "vneid_level2_active", "adults_certified"]


def with_skills_data(frame: pd.DataFrame) -> pd.Series:
    """Per skills_counts row: whether it holds any digital-skills data, a stock reported or a training
    session held.  A commune without any reads as zero sessions in the mart: it is no zero in a median
    or a rank, whose population is the communes with data."""
    return frame[DATA_STOCKS].notna().any(axis=1) | (frame["training_sessions"].fillna(0) > 0)


def province_ranking(
    province: int,
    period: Period,
    scope: Scope = OPEN,
    metric: str = "adults_certified_share",
    certified_target: float = CERTIFIED_TARGET.value,
    path=None,
) -> pd.DataFrame:
    """Every commune of the province for the period with every metric, ranked on `metric` (best first,
    ties share a rank, communes without a value or without any skills data unranked and last), with the
    previous period's rank and the change (positive = moved up)."""
    if metric not in METRICS:
        raise ValueError(f"unknown skills metric {metric!r}; one of {sorted(METRICS)}")
    prev = period.previous()
    df = skills_counts([prev, period], province, None, scope, path, certified_target)
    ranked = df.assign(**{metric: df[metric].where(with_skills_data(df))})
    df["rank"] = competition_rank_by(ranked, "period", metric, CATALOGUE[metric].higher_is_better)
    df["communes_ranked"] = ranked.groupby("period")[metric].transform("count").astype("Int64")
    cur = df[df["period"] == period.key].copy()
    before = df[df["period"] == prev.key][["commune_code", "rank", metric]].rename(
        columns={"rank": "previous_rank", metric: f"previous_{metric}"}
    )
    cur = cur.merge(before, on="commune_code", how="left")
    cur["rank_change"] = rank_change(cur["previous_rank"], cur["rank"])
    cur["ranked_on"] = metric
    return cur.sort_values(["rank", "commune_name"], na_position="last").reset_index(drop=True)


def summary(
    province: int | None,
    period: Period,
    scope: Scope = OPEN,
    certified_target: float = CERTIFIED_TARGET.value,
    path=None,
) -> pd.DataFrame:
    """The province's (or, when `province` is None, the country's) figures for the period and the
    previous one: one row per period, counts summed over the area's communes, communes,
    months_in_warehouse, then the metrics (each share over the communes that have both its numerator and
    its denominator).  Read from the aggregate mart `mart_skills_area`, not from the rows the caller's
    scope shows: the same figures for every role (aggregates reveal no single commune)."""
    periods = [period.previous(), period]
    params = {
        "period_keys": [p.key for p in periods],
        "period_starts": [p.start for p in periods],
        "period_type": period.period_type,
        "province": province,
    }
    df = db.query(AREA_SQL, params, path, scope=scope)
    for name, m in METRICS.items():
        den_col = m.denominator_column
        if den_col == "months":
            num, den = df[m.numerator], df["months_in_warehouse"]
        else:
            num, den = df[f"{name}_numerator"], df[f"{name}_denominator"]
        num, den = num.astype("float64"), den.astype("float64")
        df[name] = num * m.scale / den.where(den > 0)
    parts = [c for c in df.columns if c.endswith(("_numerator", "_denominator"))]
    return _with_target(df.drop(columns=parts), certified_target)


def commune_trend(
    commune: int,
    period: Period,
    scope: Scope = OPEN,
    limit: int = TREND_MONTHS,
    certified_target: float = CERTIFIED_TARGET.value,
    path=None,
) -> pd.DataFrame:
    """The commune's figures month by month, up to the period's last month (at most `limit` months,
    from the first month with skills activity in scope): counts and every metric per month."""
    first, _last = month_range(scope, path)
    months = trend_months(period, first, limit=limit)
    if not months:
        return add_metrics(pd.DataFrame(columns=["commune_code", "month", "months_in_warehouse"]))
    params = {"commune": commune, "first_month": months[0].start, "last_month": months[-1].start}
    return add_metrics(db.query(TREND_SQL, params, path, scope=scope), certified_target)


def sessions_calendar(
    province: int | None, commune: int | None, start: date, end: date, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """Training sessions from `start` to `end` (both included) in the province and/or commune, within
    the scope: one row per session (date, commune, topic) with its audiences (codes, comma-separated),
    participants, organiser and venue; in date order."""
    params = {"province": province, "commune": commune, "start": start, "end": end + timedelta(days=1)}
    return db.query(SESSIONS_SQL, params, path, scope=scope)


def sessions_in_period(
    province: int | None, commune: int | None, period: Period, scope: Scope = OPEN, path=None
) -> pd.DataFrame:
    """`sessions_calendar` for a reporting period (month, quarter or year)."""
    return sessions_calendar(province, commune, period.start, period.end - timedelta(days=1), scope, path)
