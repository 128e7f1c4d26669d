"""mart_index_derived's means are exact: each total is the exact mean of the months' totals rounded to 2
decimals half up, and each group score the exact mean as one correctly rounded division, from integer sums
(no double sum, whose last bits depend on the order parallel threads add in, and no double before the
rounding, which took 75 totals of the demo lake on a .xx5 boundary down).  DuckDB alone; Spark's agreement
is tests/scaling/test_spark_marts.py."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb
import pytest

from etl import config

SQL = config.read_sql("mart_index_derived.sql")
GROUPS = ("ckmb", "tdgq", "clgq", "tttt", "mdsh", "mdhl")
COLUMNS = (
    "period_type varchar, period varchar, period_start date, commune_code integer, province_code integer, "
    "is_complete boolean, index_total double, " + ", ".join(f"score_{g} double" for g in GROUPS)
)


def _derive(months: list[tuple[str, int, float, float]]):
    """Build mart_index_derived over monthly results (month, commune, total, CKMB score; the other groups 0)
    and return {(period_type, period, commune): (index_total, score_ckmb, months_published)}."""
    con = duckdb.connect()
    con.execute(f"create table mart_index_period ({COLUMNS})")
    for month, commune, total, ckmb in months:
        con.execute(
            "insert into mart_index_period values ('month', ?, cast(? as date), ?, 25, true, ?, ?, 0, 0, 0, 0, 0)",
            [month, f"{month}-01", commune, total, ckmb],
        )
    con.execute(SQL)
    rows = con.execute(
        "select period_type, period, commune_code, index_total, score_ckmb, months_published, index_rank "
        "from mart_index_derived"
    ).fetchall()
    return {(r[0], r[1], r[2]): r[3:] for r in rows}


def _half_up(values: list[float]) -> float:
    mean = sum(Fraction(Decimal(str(v))) for v in values) / len(values)
    exact = Decimal(mean.numerator) / Decimal(mean.denominator)
    return float(exact.quantize(Decimal("0.01"), ROUND_HALF_UP))


def test_a_mean_on_a_half_hundredth_rounds_up():
    # (80.01 + 80.00) / 2 = 80.005 exactly; as a double 80.005 is 80.00499999..., which rounds to 80.00
    assert round(80.005, 2) == 80.0  # the trap the mart must avoid
    out = _derive([("2025-07", 1, 80.01, 10.01), ("2025-08", 1, 80.00, 10.00)])
    total, ckmb, n, _rank = out[("quarter", "2025-Q3", 1)]
    assert (total, n) == (80.01, 2)
    assert ckmb == 10.005  # the nearest double to the exact mean
    assert out[("year", "2025", 1)][0] == 80.01


@pytest.mark.parametrize(
    "totals",
    [
        [12.34, 56.78, 90.12],
        [99.99, 0.01],
        [70.125, 70.13, 70.12, 70.125],  # more decimals than the portal publishes: still exact
        [85.67, 85.66, 85.68, 85.67, 85.665, 85.675],
        [33.33, 33.33, 33.34],
    ],
)
def test_totals_are_the_exact_mean_rounded_half_up(totals):
    months = [(f"2025-{m:02d}", 7, t, t / 10) for m, t in zip(range(1, 13), totals, strict=False)]
    out = _derive(months)
    year = out[("year", "2025", 7)]
    assert year[0] == _half_up(totals)
    mean = sum(Fraction(Decimal(str(t / 10)).quantize(Decimal("0.000001"))) for t in totals) / len(totals)
    assert year[1] == float(mean)  # one correctly rounded division of exact integers


def test_ties_after_exact_rounding_share_a_rank():
    # commune 1: (80.01 + 80.00) / 2 = 80.005 -> 80.01; commune 2: 80.01 both months: a tie, rank 1 and 1
    out = _derive(
        [
            ("2025-07", 1, 80.01, 1),
            ("2025-08", 1, 80.00, 1),
            ("2025-07", 2, 80.01, 1),
            ("2025-08", 2, 80.01, 1),
            ("2025-07", 3, 80.00, 1),
            ("2025-08", 3, 80.00, 1),
        ]
    )
    ranks = {c: out[("quarter", "2025-Q3", c)][3] for c in (1, 2, 3)}
    assert ranks == {1: 1, 2: 1, 3: 3}


def test_the_same_bits_whatever_the_order_and_the_threads():
    import random

    rng = random.Random(15)
    months = [
        (f"2025-{m:02d}", c, round(rng.uniform(40, 100), 2), round(rng.uniform(0, 18), 2))
        for c in range(1, 301)
        for m in range(1, 13)
    ]
    first = _derive(months)
    rng.shuffle(months)
    assert _derive(months) == first
    for key, (total, *_rest) in first.items():
        if key[0] == "year":
            values = [t for m, c, t, _ in months if c == key[2]]
            assert total == _half_up(values)
