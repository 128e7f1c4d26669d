"""Service index (Decision 766): estimated from dossiers, published vs computed, what it takes to
climb, and rankings.

Plain functions, no Streamlit.  Each takes the filters it needs and a `Scope`, runs SQL with bound
parameters only (metrics/sql/index_*.sql) and returns a DataFrame or a small dataclass.  Requests
outside the scope return no rows.

The groups, maxima, formulas, thresholds and their sources live in metrics/index_rules.toml, read
once by `rules()`.  They are unconfirmed third-party reconstructions of the portal's scoring: show them as
assumptions (`rules_table`).

Decisions
- A period's figures are the dossier counts of its months (mart_commune_month) summed first, then
  divided: a quarter's online share is its online dossiers over its dossiers, never the mean of
  three monthly shares.
- On-time ratio = on time / (on time + overdue), the base the portal calls "totalReceived" (Xã Vân
  Bán 8/2026: 314 + 36 = 350 → 89.71% → 17.94 of 20).  Unfinished dossiers not yet due are not judged.
- Online share (CLGQ) counts every online dossier, full or partly online (KenhThucHien = 2), over all
  dossiers received, as the portal counts them — not full-online only.
- Coverage: TDGQ is fully computable; CLGQ, TTTT, MDSH and MDHL partly (their one computable
  indicator stands in for the whole group and is scored against the group's maximum, because the
  portal does not publish the weights inside a group); CKMB not at all (publication timeliness,
  content, sync).  MDHL = processing satisfaction with the complaint share taken as 0 (an upper
  bound); TTTT is over all dossiers, not only those owing a fee (a lower bound).  The older DVCTT
  group is estimated as CLGQ + TTTT (12 + 10 = 22).
- What it takes: points lost = max − published score (computed score when unpublished).  The change
  that recovers them is read off the formula at this period's volume: dossiers to move to reach the
  group's threshold, and points per dossier below it.  The gain is capped at the points lost (when
  the portal already scores a group higher than the dossiers do); what the dossiers cannot recover
  is reported as `points_other`.  A dossier moved from overdue to on time also raises MDHL; each
  group's lever is reported on its own (so the cheapest group is a conservative pick).
- The points needed to pass the next commune above: the lowest published total strictly above the
  commune's own in the province, plus the smallest score step (0.01): ties need strictly more.  The
  cheapest group is the one that yields them with the fewest dossiers changed; when no group can
  give them alone, the group with the most points per dossier is named and `cheapest_is_enough` is
  False.
- Rankings: communes within the province and nationally come from mart_index_period (ties share a
  rank, partial group sets have no total and no rank; metrics/periodic.py reads them).  Provinces: the portal's national ranking
  (fact_index_province, group 'TOTAL') when loaded for the period, else the average of the ranked
  communes' totals; the same basis for the previous period.  Quartile tiers are
  metrics.ranking.quartile_tiers (one definition for the whole product), cut from every ranked
  unit of the period, not only the rows the caller may see.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path

import pandas as pd

from core.catalogue import METRICS
from core.index_groups import GROUP_MAX, LAYOUTS
from core.periods import Period, parse_period
from metrics import db
from metrics.i18n import fmt_number, fmt_pct, t
from metrics.ranking import competition_rank_by, quartile_tiers, rank_change
from metrics.scope import OPEN, Scope
from metrics.shared import memoized

RULES_PATH = Path(__file__).resolve().parent / "index_rules.toml"

# Dossier counts a rule may name as numerator or denominator (metrics/sql/index_dossier_counts.sql).
RULE_COUNTS = (
    "dossiers_received",
    "dossiers_online",
    "dossiers_online_full",
    "dossiers_on_time",
    "dossiers_overdue",
    "dossiers_paid_online",
    "dossiers_digitized",
)

# What a lever row says when the group has no dossier action (besides the configured actions).
FULL_POINTS = "full_points"  # nothing lost
NOT_COMPUTABLE = "not_computable"  # the group has no estimate (CKMB): points lost, no dossier action
NOT_FROM_DOSSIERS = "not_from_dossiers"  # full by the dossiers; the loss lies in indicators they do not show
NO_DOSSIERS = "no_dossiers"  # no dossiers in the period to estimate from
NOT_PUBLISHED = "not_published"  # neither published nor computable

_EPS = 1e-9

COUNTS_SQL = db.read_sql("index_dossier_counts.sql")
PUBLISHED_SQL = db.read_sql("index_published.sql")
PROVINCE_RANKING_SQL = db.read_sql("index_province_ranking.sql")
NEXT_ABOVE_SQL = db.read_sql("index_next_above.sql")

# --------------------------------------------------------------------------------------------------
# Rules: metrics/index_rules.toml as a typed structure, loaded once.


@dataclass(frozen=True)
class Indicator:
    """One indicator of a group: computable (numerator set) or not (reason set)."""

    code: str
    name_vi: str
    name_en: str
    metric: str | None = None  # the catalogue's ratio it estimates from (core/catalogue.py)
    full_at: float | None = None  # ratio at which the group gets full points (1.0 = ratio × max)
    action: str | None = None  # lever kind in "what it takes", e.g. 'more_online'
    formula_vi: str = ""
    formula_en: str = ""
    reason_vi: str = ""  # why it cannot be computed from dossiers
    reason_en: str = ""
    confirmed: bool = False
    source: str = ""
    source_text: str = ""

    @property
    def computable(self) -> bool:
        return self.metric is not None

    @property
    def numerator(self) -> str:
        """The count over the denominator (the catalogue metric's numerator)."""
        return METRICS[self.metric].numerator

    @property
    def denominator(self) -> tuple[tuple[int, str], ...]:
        """The signed counts the numerator is divided by (the catalogue metric's denominator)."""
        return METRICS[self.metric].denominator

    def denominator_of(self, counts) -> float:
        """The denominator's value in `counts` (a dict or a DataFrame's columns; missing counts are 0)."""
        return sum(sign * (counts.get(col) or 0) for sign, col in self.denominator)

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi

    def reason(self, lang: str = "vi") -> str:
        return self.reason_en if lang == "en" else self.reason_vi

    def formula(self, lang: str = "vi") -> str:
        return self.formula_en if lang == "en" else self.formula_vi


@dataclass(frozen=True)
class Group:
    code: str
    name_vi: str
    name_en: str
    max_score: float
    estimate: Indicator | None = None
    not_computable: tuple[Indicator, ...] = ()
    composed_of: tuple[str, ...] = ()  # DVCTT = CLGQ + TTTT

    @property
    def coverage(self) -> str:
        """'full' (estimate only), 'partial' (estimate + indicators the dossiers cannot tell), 'none'."""
        if self.composed_of:
            return "partial"
        if self.estimate is None:
            return "none"
        return "partial" if self.not_computable else "full"

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi

    def score(self, ratio: float | None) -> float | None:
        """Unrounded points of a ratio: max × min(1, ratio / full_at); None without a ratio or estimate."""
        if self.estimate is None or ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
            return None
        return self.max_score * min(1.0, ratio / self.estimate.full_at)


@dataclass(frozen=True)
class IndexRules:
    groups: dict[str, Group]
    layouts: dict[str, tuple[str, ...]]
    tolerance_points: float
    score_decimals: int
    score_step: float
    confirmed: bool
    source: str

    def layout(self, name: str = "six_groups") -> tuple[Group, ...]:
        return tuple(self.groups[code] for code in self.layouts[name])

    def round(self, points: float | None) -> float | None:
        return None if points is None else round(points, self.score_decimals)


class RulesError(ValueError):
    """The rules file is inconsistent (names the file and the problem)."""


def _indicator(raw: dict, where: str) -> Indicator:
    known = {f for f in Indicator.__dataclass_fields__}
    unknown = set(raw) - known
    if unknown:
        raise RulesError(f"{where}: unknown keys {sorted(unknown)}")
    ind = Indicator(**raw)
    if ind.computable:
        m = METRICS.get(ind.metric)
        if m is None or not m.is_ratio or m.source != "dossiers":
            raise RulesError(f"{where}: '{ind.metric}' is not a dossier ratio of core/catalogue.py")
        for col in (ind.numerator, *(c for _, c in ind.denominator)):
            if col not in RULE_COUNTS:
                raise RulesError(f"{where}: '{col}' is not a dossier count ({', '.join(RULE_COUNTS)})")
        if ind.full_at is None or not 0 < ind.full_at <= 1:
            raise RulesError(f"{where}: full_at must be in (0, 1]")
        if not ind.action:
            raise RulesError(f"{where}: a computable indicator needs an action")
    return ind


def load_rules(path: Path = RULES_PATH) -> IndexRules:
    """Parse and check a rules file.  Use `rules()` for the project's (cached) rules."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    head = raw["rules"]
    groups: dict[str, Group] = {}
    for code, g in raw["groups"].items():
        where = f"{Path(path).name} [groups.{code}]"
        estimate = _indicator(g["estimate"], where + ".estimate") if "estimate" in g else None
        if code not in GROUP_MAX:
            raise RulesError(f"{where}: unknown group (core/index_groups.py lists {', '.join(GROUP_MAX)})")
        groups[code] = Group(
            code=code,
            name_vi=g["name_vi"],
            name_en=g["name_en"],
            max_score=GROUP_MAX[code],
            estimate=estimate,
            not_computable=tuple(
                _indicator(i, where + ".not_computable") for i in g.get("not_computable", [])
            ),
            composed_of=tuple(g.get("composed_of", ())),
        )
    for g in groups.values():
        if g.composed_of:
            missing = [c for c in g.composed_of if c not in groups]
            if missing or abs(sum(groups[c].max_score for c in g.composed_of) - g.max_score) > _EPS:
                raise RulesError(
                    f"{Path(path).name} [groups.{g.code}]: composed_of must name groups whose "
                    f"maxima add up to {g.max_score:g}"
                )
    layouts = {name: tuple(codes) for name, codes in LAYOUTS.items()}
    for name, codes in layouts.items():
        missing = [c for c in codes if c not in groups]
        if missing:
            raise RulesError(f"{Path(path).name} [layouts] {name}: unknown groups {missing}")
        total = sum(groups[c].max_score for c in codes)
        if abs(total - 100) > _EPS:
            raise RulesError(f"{Path(path).name} [layouts] {name}: maxima add up to {total:g}, not 100")
    return IndexRules(
        groups=groups,
        layouts=layouts,
        tolerance_points=float(head["tolerance_points"]),
        score_decimals=int(head["score_decimals"]),
        score_step=float(head["score_step"]),
        confirmed=bool(head["confirmed"]),
        source=head["source"],
    )


@cache
def rules() -> IndexRules:
    """The project's rules (metrics/index_rules.toml), read once per process."""
    return load_rules(RULES_PATH)


def rules_table(lang: str = "vi") -> pd.DataFrame:
    """The assumptions, one row per indicator, for a page or a report annex."""
    r, rows = rules(), []
    for g in r.layout("six_groups"):
        for ind, computable in ([(g.estimate, True)] if g.estimate else []) + [
            (i, False) for i in g.not_computable
        ]:
            rows.append(
                {
                    "group_code": g.code,
                    "group_name": g.name(lang),
                    "max_score": g.max_score,
                    "coverage": g.coverage,
                    "indicator_code": ind.code,
                    "indicator_name": ind.name(lang),
                    "computable": computable,
                    "formula": ind.formula(lang) if computable else "",
                    "full_at": ind.full_at,
                    "reason": "" if computable else ind.reason(lang),
                    "confirmed": ind.confirmed,
                    "source": ind.source,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Computed from dossiers.


def _period(period: Period | str) -> Period:
    if isinstance(period, Period):
        return period
    parsed = parse_period(period)
    if parsed is None:
        raise ValueError(f"not a period: {period!r} (use 2026-08, 2026-Q3 or 2026)")
    return parsed


def dossier_counts(
    period: Period | str,
    scope: Scope = OPEN,
    *,
    province_code: int | None = None,
    commune_code: int | None = None,
    path=None,
) -> pd.DataFrame:
    """Dossier counts per commune in scope for the period (every scoped commune, zeros included):
    commune_code, commune_name, province_code, dossiers_received, dossiers_online, dossiers_online_full,
    dossiers_on_time, dossiers_overdue, dossiers_paid_online, dossiers_digitized,
    months_with_dossiers, months_in_period, period_type, period."""
    per = _period(period)
    params = {
        "province": province_code,
        "commune": commune_code,
        "period_start": per.start,
        "period_end": per.end,
    }
    df = db.query(COUNTS_SQL, params, path, scope=scope)
    df["months_in_period"] = len(per.months())
    df["period_type"] = per.period_type
    df["period"] = per.key
    return df


ESTIMATE_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "period_type",
    "period",
    "group_code",
    "max_score",
    "coverage",
    "indicator_code",
    "numerator",
    "denominator",
    "ratio",
    "full_at",
    "computed_score",
    "months_with_dossiers",
    "months_in_period",
]


def _raw_scores(counts: pd.DataFrame, group: Group, r: IndexRules) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(numerator, denominator, unrounded score) of one group for every row of `counts`."""
    nan = pd.Series(float("nan"), index=counts.index)
    if group.composed_of:
        parts = [_raw_scores(counts, r.groups[c], r)[2] for c in group.composed_of]
        return nan, nan, sum(parts[1:], parts[0])  # NaN when any part is NaN
    if group.estimate is None:
        return nan, nan, nan
    ind = group.estimate
    num = counts[ind.numerator].astype("float64")
    den = sum(sign * counts[col].astype("float64") for sign, col in ind.denominator)
    ratio = num / den.where(den > 0)
    score = group.max_score * (ratio / ind.full_at).clip(upper=1.0)
    return num, den, score


def _estimates(counts: pd.DataFrame, layout: str = "six_groups") -> pd.DataFrame:
    """Long frame: one row per commune of `counts` and group of the layout (see ESTIMATE_COLUMNS)."""
    r = rules()
    parts = []
    for order, group in enumerate(r.layout(layout)):
        num, den, raw = _raw_scores(counts, group, r)
        part = counts[
            [
                "commune_code",
                "commune_name",
                "province_code",
                "period_type",
                "period",
                "months_with_dossiers",
                "months_in_period",
            ]
        ].copy()
        part["group_code"] = group.code
        part["max_score"] = group.max_score
        part["coverage"] = group.coverage
        part["indicator_code"] = (
            group.estimate.code
            if group.estimate
            else "+".join(group.composed_of)
            if group.composed_of
            else None
        )
        part["numerator"] = num
        part["denominator"] = den
        part["ratio"] = num / den.where(den > 0)
        part["full_at"] = group.estimate.full_at if group.estimate else float("nan")
        part["computed_score"] = raw.round(r.score_decimals)
        part["_order"] = order
        parts.append(part)
    out = pd.concat(parts, ignore_index=True).sort_values(["province_code", "commune_code", "_order"])
    return out[ESTIMATE_COLUMNS].reset_index(drop=True)


def computed_scores(
    period: Period | str,
    scope: Scope = OPEN,
    *,
    province_code: int | None = None,
    commune_code: int | None = None,
    layout: str = "six_groups",
    path=None,
) -> pd.DataFrame:
    """Group scores estimated from dossiers, one row per commune with dossiers in the period and group.

    Every row is an estimate; `coverage` says how much of the group the dossiers tell ('full',
    'partial': the computable indicator stands in for the group, 'none': computed_score is NaN).
    `ratio` is a fraction 0..1; `months_with_dossiers` < `months_in_period` marks a period only partly
    covered by the loaded dossiers.
    """
    counts = dossier_counts(period, scope, province_code=province_code, commune_code=commune_code, path=path)
    return _estimates(counts[counts["dossiers_received"] > 0], layout)


# --------------------------------------------------------------------------------------------------
# Published vs computed.

COMPARISON_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "period_type",
    "period",
    "group_code",
    "max_score",
    "coverage",
    "published_score",
    "computed_score",
    "published_minus_computed",
    "flagged",
    "tolerance",
]


def _published(
    per: Period, scope: Scope, province_code: int | None, commune_code: int | None, path
) -> pd.DataFrame:
    params = {
        "province": province_code,
        "commune": commune_code,
        "period_type": per.period_type,
        "period": per.key,
    }
    return db.query(PUBLISHED_SQL, params, path, scope=scope)


def published_vs_computed(
    province_code: int,
    period: Period | str,
    scope: Scope = OPEN,
    *,
    tolerance: float | None = None,
    path=None,
) -> pd.DataFrame:
    """Published and computed group scores side by side for a province's communes and a period.

    One row per commune and group of the commune's published layout (six groups, or five when the
    period was published with DVCTT), for communes with published scores or dossiers.
    published_minus_computed > 0: the portal scores higher than the dossiers explain.  `flagged` when
    |difference| > tolerance (points; default from the rules).  Groups the dossiers cannot tell (CKMB)
    have no computed score and are never flagged.
    """
    r, per = rules(), _period(period)
    tol = r.tolerance_points if tolerance is None else float(tolerance)
    published = _published(per, scope, province_code, None, path)
    counts = dossier_counts(per, scope, province_code=province_code, path=path)
    counts = counts[counts["dossiers_received"] > 0]
    older_groups = set(r.layouts["five_groups"]) - set(r.layouts["six_groups"])  # DVCTT
    five = set(published.loc[published["group_code"].isin(older_groups), "commune_code"])
    computed = pd.concat(
        [
            _estimates(counts[~counts["commune_code"].isin(five)], "six_groups"),
            _estimates(counts[counts["commune_code"].isin(five)], "five_groups"),
        ],
        ignore_index=True,
    )
    keys = pd.concat(
        [computed[["commune_code", "group_code"]], published[["commune_code", "group_code"]]],
        ignore_index=True,
    ).drop_duplicates()
    if keys.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    out = keys.merge(published[["commune_code", "group_code", "published_score"]], how="left").merge(
        computed[["commune_code", "group_code", "computed_score"]], how="left"
    )
    names = pd.concat(
        [
            published[["commune_code", "commune_name", "province_code"]],
            computed[["commune_code", "commune_name", "province_code"]],
        ]
    ).drop_duplicates("commune_code")
    out = out.merge(names, on="commune_code", how="left")
    out["period_type"], out["period"] = per.period_type, per.key
    out["max_score"] = out["group_code"].map(
        lambda c: r.groups[c].max_score if c in r.groups else float("nan")
    )
    out["coverage"] = out["group_code"].map(lambda c: r.groups[c].coverage if c in r.groups else "none")
    out["published_score"] = out["published_score"].astype("float64")
    out["computed_score"] = out["computed_score"].astype("float64")
    out["published_minus_computed"] = (out["published_score"] - out["computed_score"]).round(r.score_decimals)
    out["flagged"] = (out["published_minus_computed"].abs() > tol + _EPS).fillna(False).astype(bool)
    out["tolerance"] = tol
    order = {c: float(i) for i, c in enumerate(r.layouts["six_groups"])}
    order |= {g.code: min(order[c] for c in g.composed_of) + 0.5 for g in r.groups.values() if g.composed_of}
    out["_order"] = out["group_code"].map(lambda c: order.get(c, 99.0))
    out = out.sort_values(["commune_code", "_order"])
    return out[COMPARISON_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# What it takes.


@dataclass(frozen=True)
class Lever:
    """One group of one commune and period: the points lost and the dossier change that recovers them."""

    group_code: str
    max_score: float
    coverage: str  # full | partial | none
    published_score: float | None
    computed_score: float | None
    score_source: str  # published | computed | none: where points_lost comes from
    points_lost: float | None  # max − score (None when neither published nor computable)
    action_kind: str  # a configured action (more_online, fewer_overdue, ...) or FULL_POINTS, ...
    action_count: int | None = None  # dossiers to change to recover points_gain
    base_count: int | None = None  # the period's volume the counts are out of (the ratio's denominator)
    current_count: int | None = None  # the ratio's numerator now
    threshold: float | None = None  # ratio giving full points (full_at)
    points_gain: float | None = None  # points action_count recovers (by the formula; ≤ points_lost)
    points_per_dossier: float | None = None  # below the threshold; e.g. 20 / 350 = 0.057 for TDGQ
    points_other: float | None = None  # part of points_lost the dossiers cannot recover
    reaches_threshold: bool = False  # action_count takes the ratio to the threshold
    dossiers_to_pass: int | None = None  # dossiers to change here alone to pass the next commune above


@dataclass(frozen=True)
class RankTarget:
    """A commune's standing in its province and what passing the next commune above takes."""

    status: str  # ranked | first | partial (incomplete group set) | unpublished
    index_total: float | None = None
    index_rank: int | None = None
    communes_ranked: int | None = None
    groups_published: int | None = None
    groups_expected: int | None = None
    next_commune_code: int | None = None
    next_commune_name: str | None = None
    next_rank: int | None = None
    next_total: float | None = None
    points_to_pass: float | None = None  # next_total − index_total + score step (ties need strictly more)
    cheapest_group: str | None = None
    cheapest_count: int | None = None  # dossiers to change in cheapest_group
    cheapest_is_enough: bool = False  # False: no single group gives points_to_pass alone


@dataclass(frozen=True)
class WhatItTakes:
    commune_code: int
    commune_name: str | None  # None: commune unknown or outside the scope (no levers)
    province_code: int | None
    period: Period
    levers: list[Lever] = field(default_factory=list)
    target: RankTarget | None = None

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "commune_code": self.commune_code,
                "commune_name": self.commune_name,
                "period_type": self.period.period_type,
                "period": self.period.key,
                **asdict(lever),
            }
            for lever in self.levers
        ]
        df = pd.DataFrame(rows)
        for col in ("action_count", "base_count", "current_count", "dossiers_to_pass"):
            if col in df.columns:
                df[col] = df[col].astype("Int64")
        return df


def _num(value) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def levers(counts: dict, published: dict[str, float | None], r: IndexRules | None = None) -> list[Lever]:
    """The six groups' levers from one commune's period counts (a dossier_counts row as a dict) and its
    published scores by group code (missing or None = not published).  Pure: no warehouse needed."""
    r = r or rules()
    out = []
    for g in r.layout("six_groups"):
        pub = _num(published.get(g.code))
        lost_pub = r.round(g.max_score - pub) if pub is not None else None
        if g.estimate is None:
            kind = NOT_PUBLISHED if pub is None else FULL_POINTS if lost_pub <= _EPS else NOT_COMPUTABLE
            out.append(
                Lever(
                    g.code,
                    g.max_score,
                    g.coverage,
                    pub,
                    None,
                    "published" if pub is not None else "none",
                    lost_pub,
                    kind,
                    points_other=lost_pub,
                )
            )
            continue
        ind = g.estimate
        den = int(ind.denominator_of(counts))
        num = int(counts.get(ind.numerator) or 0)
        if den <= 0:
            kind = NO_DOSSIERS if lost_pub is None or lost_pub > _EPS else FULL_POINTS
            out.append(
                Lever(
                    g.code,
                    g.max_score,
                    g.coverage,
                    pub,
                    None,
                    "published" if pub is not None else "none",
                    lost_pub,
                    kind,
                    base_count=0,
                    current_count=0,
                    threshold=ind.full_at,
                    points_other=lost_pub,
                )
            )
            continue
        raw = g.score(num / den)
        computed = r.round(raw)
        score, source = (pub, "published") if pub is not None else (computed, "computed")
        lost = r.round(g.max_score - score)
        model_gain = g.max_score - raw
        needed = max(0, math.ceil(ind.full_at * den - num - _EPS))
        per_dossier = g.max_score / (ind.full_at * den)
        common = dict(
            base_count=den, current_count=num, threshold=ind.full_at, points_per_dossier=per_dossier
        )
        if lost <= _EPS:
            out.append(
                Lever(
                    g.code,
                    g.max_score,
                    g.coverage,
                    pub,
                    computed,
                    source,
                    lost,
                    FULL_POINTS,
                    action_count=0,
                    points_gain=0.0,
                    points_other=0.0,
                    **common,
                )
            )
            continue
        if needed == 0 or model_gain <= _EPS:
            out.append(
                Lever(
                    g.code,
                    g.max_score,
                    g.coverage,
                    pub,
                    computed,
                    source,
                    lost,
                    NOT_FROM_DOSSIERS,
                    action_count=0,
                    points_gain=0.0,
                    points_other=lost,
                    **common,
                )
            )
            continue
        capped = model_gain > lost + r.score_step  # the portal already scores it higher than the dossiers
        gain = min(model_gain, lost)
        count = math.ceil(gain / per_dossier - _EPS) if capped else needed
        out.append(
            Lever(
                g.code,
                g.max_score,
                g.coverage,
                pub,
                computed,
                source,
                lost,
                ind.action,
                action_count=count,
                points_gain=r.round(gain),
                points_other=r.round(max(0.0, lost - gain)),
                reaches_threshold=not capped,
                **common,
            )
        )
    return out


def _can_act(lever: Lever) -> bool:
    return bool(lever.action_count) and (lever.points_gain or 0) > _EPS and bool(lever.points_per_dossier)


def rank_target(
    standing: dict | None, group_levers: list[Lever], r: IndexRules | None = None
) -> tuple[RankTarget, list[Lever]]:
    """The target from a standing row (index_next_above.sql as a dict; None = nothing published) and
    the levers, with each lever's `dossiers_to_pass` filled in.  Pure: no warehouse needed."""
    r = r or rules()
    if not standing:
        return RankTarget("unpublished"), group_levers
    total = _num(standing.get("index_total"))
    base = dict(
        index_total=total,
        index_rank=_int(standing.get("index_rank")),
        communes_ranked=_int(standing.get("communes_ranked")),
        groups_published=_int(standing.get("groups_published")),
        groups_expected=_int(standing.get("groups_expected")),
    )
    if total is None:
        return RankTarget("partial", **base), group_levers
    next_total = _num(standing.get("next_total"))
    if next_total is None:
        return RankTarget("first", **base), group_levers
    need = r.round(next_total - total + r.score_step)
    updated = []
    for lever in group_levers:
        count = None
        if _can_act(lever) and need <= lever.points_gain + _EPS:
            count = math.ceil(need / lever.points_per_dossier - _EPS)
        updated.append(replace(lever, dossiers_to_pass=count))
    order = {c: i for i, c in enumerate(r.layouts["six_groups"])}
    enough = [lv for lv in updated if lv.dossiers_to_pass is not None]
    if enough:
        best = min(enough, key=lambda lv: (lv.dossiers_to_pass, -lv.points_per_dossier, order[lv.group_code]))
        cheapest, count, is_enough = best.group_code, best.dossiers_to_pass, True
    else:
        acting = [lv for lv in updated if _can_act(lv)]
        best = max(acting, key=lambda lv: (lv.points_per_dossier, -order[lv.group_code])) if acting else None
        cheapest = best.group_code if best else None
        count = best.action_count if best else None
        is_enough = False
    target = RankTarget(
        "ranked",
        **base,
        next_commune_code=_int(standing.get("next_commune_code")),
        next_commune_name=standing.get("next_commune_name"),
        next_rank=_int(standing.get("next_rank")),
        next_total=next_total,
        points_to_pass=need,
        cheapest_group=cheapest,
        cheapest_count=count,
        cheapest_is_enough=is_enough,
    )
    return target, updated


def _int(value) -> int | None:
    f = _num(value)
    return None if f is None else int(f)


def what_it_takes(commune_code: int, period: Period | str, scope: Scope = OPEN, *, path=None) -> WhatItTakes:
    """For a commune and period: per group, the points lost and the dossier change that recovers them
    at this period's volume; the points needed to pass the next commune above in the province and the
    cheapest group to find them in.  A commune outside the scope (or unknown) gives no levers."""
    per = _period(period)
    counts = dossier_counts(per, scope, commune_code=commune_code, path=path)
    if counts.empty:
        return WhatItTakes(commune_code, None, None, per)
    row = counts.iloc[0].to_dict()
    published = _published(per, scope, None, commune_code, path)
    scores = dict(zip(published["group_code"], published["published_score"], strict=True))
    group_levers = levers(row, scores)
    params = {"commune": commune_code, "period_type": per.period_type, "period": per.key}
    standing = db.query(NEXT_ABOVE_SQL, params, path, scope=scope)
    target, group_levers = rank_target(
        standing.iloc[0].to_dict() if not standing.empty else None, group_levers
    )
    return WhatItTakes(
        commune_code, row["commune_name"], int(row["province_code"]), per, group_levers, target
    )


# Rendering (vi / en) -------------------------------------------------------------------------------


def _pts(value: float | None, lang: str) -> str:
    return fmt_number(value, lang, 2)


def _dossiers(count: int | None, lang: str) -> str:
    return t("index_dossier_one" if count == 1 else "index_dossier_many", lang)


def _other_indicators(group: Group, lang: str) -> str:
    return "; ".join(i.name(lang) for i in group.not_computable)


def describe_lever(lever: Lever, lang: str = "vi") -> str:
    """One sentence, e.g. 'Online services: 35 more online dossiers (KenhThucHien = 2) out of 350
    to reach the 50% threshold: +2.40 points.'"""
    r = rules()
    group = r.groups[lever.group_code]
    kind = lever.action_kind
    if kind in (FULL_POINTS, NO_DOSSIERS, NOT_PUBLISHED):
        text = t(f"index_action_{kind}", lang)
    elif kind in (NOT_COMPUTABLE, NOT_FROM_DOSSIERS):
        text = t(f"index_action_{kind}", lang).format(
            points=_pts(lever.points_lost, lang), indicators=_other_indicators(group, lang)
        )
    else:
        threshold = ""
        if lever.reaches_threshold and (lever.threshold or 1) < 1:
            threshold = t("index_threshold_clause", lang).format(threshold=fmt_pct(lever.threshold, lang, 0))
        text = t(f"index_action_{kind}", lang).format(
            count=fmt_number(lever.action_count, lang),
            dossiers=_dossiers(lever.action_count, lang),
            base=fmt_number(lever.base_count, lang),
            points=_pts(lever.points_gain, lang),
            threshold_clause=threshold,
            per_dossier=fmt_number(lever.points_per_dossier, lang, 3),
            max_score=fmt_number(lever.max_score, lang),
        )
        if (lever.points_other or 0) > _EPS:
            text += t("index_points_other", lang).format(
                points=_pts(lever.points_other, lang), indicators=_other_indicators(group, lang)
            )
    return f"{group.name(lang)}: {text}"


def describe_target(target: RankTarget | None, lang: str = "vi") -> str:
    """One sentence on passing the next commune above (or why there is nothing to pass)."""
    if target is None or target.status == "unpublished":
        return t("index_target_unpublished", lang)
    if target.status == "partial":
        return t("index_target_partial", lang).format(
            published=target.groups_published, expected=target.groups_expected
        )
    if target.status == "first":
        return t("index_target_first", lang).format(total=_pts(target.index_total, lang))
    text = t("index_target_pass", lang).format(
        points=_pts(target.points_to_pass, lang),
        name=target.next_commune_name,
        rank=target.next_rank,
        total=_pts(target.next_total, lang),
    )
    if target.cheapest_group:
        group = rules().groups[target.cheapest_group]
        key = "index_target_cheapest" if target.cheapest_is_enough else "index_target_not_enough"
        text += t(key, lang).format(
            group=group.name(lang),
            count=fmt_number(target.cheapest_count, lang),
            dossiers=_dossiers(target.cheapest_count, lang),
        )
    return text


def describe(result: WhatItTakes, lang: str = "vi") -> list[str]:
    """The sentences of a report's section III: the target first, then every group that lost points."""
    if result.commune_name is None:
        return []
    lines = [describe_target(result.target, lang)]
    lines += [describe_lever(lv, lang) for lv in result.levers if lv.action_kind != FULL_POINTS]
    return lines


# --------------------------------------------------------------------------------------------------
# Rankings.


def tier_label(tier, lang: str = "vi") -> str:
    """PAPI-style name of a quartile tier (1 best .. 4); '–' for no tier."""
    return t(f"index_tier_{int(tier)}", lang) if _int(tier) in (1, 2, 3, 4) else "–"


def national_province_ranking(period: Period | str, scope: Scope = OPEN, *, path=None) -> pd.DataFrame:
    """Provinces ranked nationally for a period: index_total on one `basis` ('portal': the portal's
    national ranking when loaded for the period; else 'commune_average': the mean total of the
    province's ranked communes, with communes_ranked of communes_total), national_rank of
    provinces_ranked (the portal's rank, else metrics.ranking.competition_rank: ties share a rank),
    changes against the previous period on the same basis (national_rank_change positive = moved up)
    and the quartile `tier`.  Every province for every role: the provinces' ranking is an aggregate of
    each province (issue 15's rule), not a commune's figure, so the scope does not filter it."""
    return _national_province_ranking(_period(period), path=path)


@memoized()
def _national_province_ranking(per: Period, path=None) -> pd.DataFrame:
    params = {"period_type": per.period_type, "period": per.key, "previous_period": per.previous().key}
    rows = db.query(
        PROVINCE_RANKING_SQL, params, path
    )  # every province: public, ranked before the scope applies
    computed = competition_rank_by(rows, "period", "index_total")
    rows["national_rank"] = (
        rows["published_rank"]
        .astype("Int64")
        .fillna(computed)
        .where(rows["index_total"].notna())
        .astype("Int64")
    )
    rows["provinces_ranked"] = rows.groupby("period")["index_total"].transform("count").astype("int64")
    cur = rows[rows["period"] == per.key].drop(columns="published_rank")
    before = rows[rows["period"] == per.previous().key][
        ["province_code", "index_total", "national_rank"]
    ].rename(columns={"index_total": "previous_index_total", "national_rank": "previous_national_rank"})
    df = cur.merge(before, on="province_code", how="left")
    df["index_total_change"] = df["index_total"] - df["previous_index_total"]
    df["national_rank_change"] = rank_change(df["previous_national_rank"], df["national_rank"])
    df = df[df["index_total"].notna() | df["commune_average"].notna()]
    df.insert(2, "period_type", per.period_type)
    df = df[
        [
            "province_code",
            "province_name",
            "period_type",
            "period",
            "basis",
            "index_total",
            "national_rank",
            "provinces_ranked",
            "portal_total",
            "commune_average",
            "communes_ranked",
            "communes_total",
            "previous_index_total",
            "previous_national_rank",
            "index_total_change",
            "national_rank_change",
        ]
    ]
    df = df.sort_values(["national_rank", "province_name"], na_position="last")
    # Tiers are cut from every ranked province, whatever the caller may see.
    df["tier"] = quartile_tiers(df["index_total"])
    for col in ("national_rank", "previous_national_rank", "national_rank_change"):
        df[col] = df[col].astype("Int64")
    return df.reset_index(drop=True)
