"""The metric catalogue: every figure the product shows, declared once.

Each `Metric` says what it is (`kind`: count, rate, score, days, rank), how it is computed (a
`numerator` over signed `denominator` terms, times `scale`; counts and scores are read as they are),
which way is better, its label key (metrics/i18n.py), its target and how it is written (`fmt`, one of
FORMATS: integer counts are always written as integers).

Everything else derives from here:
* the read side's rates (metrics.definitions.add_rates, metrics.skills.add_metrics) — always the
  summed numerator over the summed denominator, never an average of rates;
* the rate columns of mart_commune_month (tests/etl/test_catalogue.py checks, on the demo warehouse,
  that each equals this formula over the mart's counts);
* table columns and downloads (ui/columns.py), chart axes (charts/builders.py), the reports' words and
  workbook formats (reports/content.py, reports/xlsx_writer.py), the direction of report ranks
  (metrics/report_data.py).

To add a metric: add a `Metric` here (and its label in metrics/i18n.py); see docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.index_groups import GROUP_COLUMNS

# How a figure is written: decimals on screen and in reports, and the XLSX number format.
FORMATS: dict[str, tuple[int, str]] = {
    "int": (0, "#,##0"),  # counts: 1.234
    "pct": (1, "0.0%"),  # a 0..1 fraction: 45,3%
    "score": (2, "0.00"),  # index points: 84,50
    "days": (1, "0.0"),  # 3,4 days
    "number": (1, "#,##0.0"),  # other ratios: 12,5 per 1,000 people
    "rank": (0, "#,##0"),  # 1, 2, 2, 4
}


@dataclass(frozen=True)
class Target:
    metric: str
    value: float
    source_vi: str
    source_en: str
    assumption: bool  # True: not a legal target, a configurable working assumption


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # count | rate | score | days | rank
    fmt: str  # a FORMATS key
    source: str  # dossiers | signatures | index | skills
    label_key: str | None = None  # table / column label in metrics/i18n.py
    numerator: str | None = None  # a count column (rates and days)
    denominator: tuple[tuple[int, str], ...] = ()  # signed count columns; 'months': months of the period
    scale: float = 1.0  # 1000 for "per 1,000 people"
    unit: str = ""  # what one unit is: dossiers, share, points, days, ...
    higher_is_better: bool = True
    target: Target | None = None
    summed: bool = True  # False: a count worked out per row, never summed

    @property
    def is_ratio(self) -> bool:
        """Computed from counts (a numerator over a denominator), not read as it is."""
        return self.numerator is not None

    @property
    def denominator_column(self) -> str:
        """The one column of a single-term denominator (e.g. 'adults', or 'months')."""
        if len(self.denominator) != 1 or self.denominator[0][0] != 1:
            raise ValueError(f"{self.name}: the denominator is not one column")
        return self.denominator[0][1]

    def formula(self) -> str:
        """The formula as text, e.g. 'docs_signed / (docs_issued - docs_confidential)'."""
        if not self.is_ratio:
            return self.name
        terms = " ".join(("+ " if sign > 0 else "- ") + col for sign, col in self.denominator).removeprefix(
            "+ "
        )
        den = f"({terms})" if len(self.denominator) > 1 else terms
        return f"{self.numerator}{f' * {self.scale:g}' if self.scale != 1 else ''} / {den}"

    def sql(self, prefix: str = "") -> str:
        """The formula in SQL over columns `<prefix><count>`: NULL where the denominator is 0."""
        den = " ".join(("+ " if sign > 0 else "- ") + prefix + col for sign, col in self.denominator)
        num = f"{prefix}{self.numerator}" + (f" * {self.scale!r}" if self.scale != 1 else "")
        return f"{num} / nullif({den.removeprefix('+ ')}, 0)"


_DEFAULT = "col_"


def _count(name: str, source: str, label_key: str | None = _DEFAULT, unit: str = "dossiers") -> Metric:
    return Metric(
        name, "count", "int", source, f"col_{name}" if label_key == _DEFAULT else label_key, unit=unit
    )


def _rate(
    name: str,
    numerator: str,
    denominator: tuple,
    source: str = "dossiers",
    *,
    label: bool = True,
    target: Target | None = None,
) -> Metric:
    return Metric(
        name,
        "rate",
        "pct",
        source,
        f"m_{name}" if label else None,
        numerator,
        denominator,
        unit="share",
        target=target,
    )


_RECEIVED = ((1, "dossiers_received"),)

# Targets users compare against.  Change them here; pages and reports read them from the catalogue.
SIGNATURE_TARGET = Target(
    "signature_rate",
    1.0,
    "100% văn bản đi không mật được ký số",
    "100% of non-classified outgoing documents signed digitally",
    False,
)
ONLINE_TARGET = Target(
    "online_rate",
    0.6,
    "QĐ 749/QĐ-TTg (2025): 60% công việc xử lý trực tuyến",
    "Decision 749/QĐ-TTg (2025): 60% of work handled online",
    True,
)
ON_TIME_TARGET = Target(
    "on_time_rate",
    0.9,
    "Giả định: ≥ 90% đúng hạn (nhóm MDHL đạt điểm tối đa)",
    "Assumption: ≥ 90% on time (full MDHL points)",
    True,
)
DIGITIZED_TARGET = Target(
    "digitized_rate",
    1.0,
    "NQ 71/NQ-CP (2030): 100% hồ sơ được số hóa",
    "Resolution 71/NQ-CP (2030): 100% of dossiers digitized",
    True,
)
# A provincial example (Tây Ninh, 2026), not a national rule — a working assumption.
CERTIFIED_TARGET = Target(
    "adults_certified_share",
    0.6,
    "Ví dụ cấp tỉnh (Tây Ninh, 2026): ≥ 60% người trưởng thành được cấp chứng nhận Bình dân học vụ số",
    "Provincial example (Tây Ninh, 2026): ≥ 60% of adults certified on Bình dân học vụ số",
    True,
)

_METRICS: list[Metric] = [
    # Dossier counts (mart_commune_month; a dossier belongs to the month it was received).
    _count("dossiers_received", "dossiers"),
    _count("dossiers_online", "dossiers"),
    _count("dossiers_online_full", "dossiers", "channel_online_full"),
    _count("dossiers_online_partial", "dossiers", "channel_online_partial"),
    _count("dossiers_in_person", "dossiers", "channel_in_person"),
    _count("dossiers_post", "dossiers", "channel_post"),
    _count("dossiers_completed", "dossiers", None),
    _count("dossiers_on_time", "dossiers"),
    _count("dossiers_overdue", "dossiers"),
    _count("dossiers_paid_online", "dossiers", None),
    _count("dossiers_digitized", "dossiers", None),
    Metric("processing_days_total", "count", "days", "dossiers", None, unit="days"),
    # Signature counts (one row per commune and month).
    _count("docs_issued", "signatures", unit="documents"),
    _count("docs_confidential", "signatures", unit="documents"),
    _count("docs_signed", "signatures", unit="documents"),
    Metric(
        "docs_unsigned", "count", "int", "signatures", "col_docs_unsigned", unit="documents", summed=False
    ),
    # Rates: summed numerator over summed denominator.
    _rate("online_rate", "dossiers_online", _RECEIVED, target=ONLINE_TARGET),
    _rate("online_full_rate", "dossiers_online_full", _RECEIVED),
    _rate("online_partial_rate", "dossiers_online_partial", _RECEIVED, label=False),
    _rate("in_person_rate", "dossiers_in_person", _RECEIVED, label=False),
    _rate("post_rate", "dossiers_post", _RECEIVED, label=False),
    # On time over the dossiers judged (on time + overdue): unfinished dossiers not yet due are not judged.
    _rate(
        "on_time_rate",
        "dossiers_on_time",
        ((1, "dossiers_on_time"), (1, "dossiers_overdue")),
        target=ON_TIME_TARGET,
    ),
    _rate("paid_online_rate", "dossiers_paid_online", _RECEIVED),
    _rate("digitized_rate", "dossiers_digitized", _RECEIVED, target=DIGITIZED_TARGET),
    _rate(
        "signature_rate",
        "docs_signed",
        ((1, "docs_issued"), (-1, "docs_confidential")),
        "signatures",
        target=SIGNATURE_TARGET,
    ),
    Metric(
        "avg_processing_days",
        "days",
        "days",
        "dossiers",
        "m_avg_processing_days",
        "processing_days_total",
        ((1, "dossiers_completed"),),
        unit="days",
        higher_is_better=False,
    ),
    # Service index (published, or derived from months for quarters and years).
    Metric("index_total", "score", "score", "index", "col_index_total", unit="points"),
    Metric("index_average", "score", "score", "index", "m_index_average", unit="points"),
    *[Metric(col, "score", "score", "index", f"col_{col}", unit="points") for col in GROUP_COLUMNS.values()],
    Metric("index_rank", "rank", "rank", "index", "col_index_rank", unit="place", higher_is_better=False),
    Metric(
        "national_rank", "rank", "rank", "index", "col_national_rank", unit="place", higher_is_better=False
    ),
    Metric(
        "previous_index_rank",
        "rank",
        "rank",
        "index",
        "col_previous_index_rank",
        unit="place",
        higher_is_better=False,
    ),
    # Digital skills (Bình dân học vụ số): stocks at the period's end, flows over the period.
    *[
        _count(c, "skills", f"skills_{c}" if label else None, unit="people")
        for c, label in (
            ("population", True),
            ("adults", True),
            ("villages", True),
            ("digital_teams", True),
            ("team_members", True),
            ("villages_with_team", False),
            ("training_sessions", True),
            ("training_participants", True),
            ("training_participants_adults", True),
            ("training_participants_adults_to_date", False),
            ("vneid_level2_active", True),
            ("adults_certified", True),
        )
    ],
    Metric(
        "villages_with_team_share",
        "rate",
        "pct",
        "skills",
        "skills_villages_with_team_share",
        "villages_with_team",
        ((1, "villages"),),
        unit="share",
    ),
    Metric(
        "team_members_per_1000",
        "rate",
        "number",
        "skills",
        "skills_team_members_per_1000",
        "team_members",
        ((1, "population"),),
        1000.0,
        unit="members per 1,000 people",
    ),
    Metric(
        "sessions_per_month",
        "rate",
        "number",
        "skills",
        "skills_sessions_per_month",
        "training_sessions",
        ((1, "months"),),
        unit="sessions per month",
    ),
    Metric(
        "participants_per_month",
        "rate",
        "number",
        "skills",
        "skills_participants_per_month",
        "training_participants",
        ((1, "months"),),
        unit="participants per month",
    ),
    # Attendances, not people: a person at two sessions counts twice, so the share can pass 100%.
    Metric(
        "adults_trained_share",
        "rate",
        "pct",
        "skills",
        "skills_adults_trained_share",
        "training_participants_adults_to_date",
        ((1, "adults"),),
        unit="share",
    ),
    Metric(
        "adults_certified_share",
        "rate",
        "pct",
        "skills",
        "skills_adults_certified_share",
        "adults_certified",
        ((1, "adults"),),
        unit="share",
        target=CERTIFIED_TARGET,
    ),
    Metric(
        "vneid_activation_share",
        "rate",
        "pct",
        "skills",
        "skills_vneid_activation_share",
        "vneid_level2_active",
        ((1, "adults"),),
        unit="share",
    ),
]

METRICS: dict[str, Metric] = {m.name: m for m in _METRICS}
assert len(METRICS) == len(_METRICS), "a metric is declared twice"
assert all(m.fmt in FORMATS for m in _METRICS)


def metric(name: str) -> Metric | None:
    return METRICS.get(name)


def decimals(name: str, *values) -> int:
    """Decimals to write metric `name` with (FORMATS), for the figures `values` shown side by side: a count
    per month (sessions, attendances) over one month is a count, so whole values are written as
    integers (3 sessions, not 3,0); over a quarter an average (2,3) keeps its decimal."""
    kind = fmt(name)
    places = FORMATS.get(kind, FORMATS["number"])[0]
    m = METRICS.get(name)
    per_month = m is not None and any(col == "months" for _, col in m.denominator)
    present = [float(v) for v in values if v is not None and v == v]
    if per_month and present and all(round(v, places) == round(v) for v in present):
        return 0
    return places


def fmt(name: str, default: str = "number") -> str:
    """How metric `name` is written (a FORMATS key); `default` for a name that is not a metric."""
    m = METRICS.get(name)
    return m.fmt if m else default


def ratios(source: str | tuple[str, ...]) -> dict[str, Metric]:
    """The metrics computed from counts of `source` (one or several), in catalogue order."""
    sources = (source,) if isinstance(source, str) else source
    return {m.name: m for m in _METRICS if m.is_ratio and m.source in sources}


def counts(source: str | tuple[str, ...]) -> list[str]:
    """The count columns of `source`, in catalogue order."""
    sources = (source,) if isinstance(source, str) else source
    return [m.name for m in _METRICS if m.kind == "count" and m.summed and m.source in sources]


def targets() -> dict[str, Target]:
    """Every metric's target, in catalogue order."""
    return {m.name: m.target for m in _METRICS if m.target is not None}
