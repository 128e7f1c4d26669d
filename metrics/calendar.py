"""Which periods the warehouse covers, built on core.periods (Period, parse_period, month/quarter/year)."""

from __future__ import annotations

from datetime import date

from core.periods import Period, month, quarter, year

PERIOD_TYPES = ("month", "quarter", "year")
TREND_MONTHS = 24  # trends show at most this many months, ending with the period's last month


def period_of(period_type: str, day: date) -> Period:
    """The period of `period_type` that contains `day`."""
    if period_type == "month":
        return month(day.year, day.month)
    if period_type == "quarter":
        return quarter(day.year, (day.month - 1) // 3 + 1)
    return year(day.year)


def available_periods(first_month: date | None, last_month: date | None, period_type: str) -> list[Period]:
    """Every period of the type that overlaps [first_month, last_month], newest first."""
    if first_month is None or last_month is None:
        return []
    out: list[Period] = []
    p = period_of(period_type, last_month)
    while p.end > first_month:
        out.append(p)
        p = p.previous()
    return out


def last_month(period: Period) -> date:
    return period.months()[-1]


def trend_months(period: Period, first_month: date | None, limit: int = TREND_MONTHS) -> list[Period]:
    """Months from the first month with data (at most `limit` back) to the period's last month."""
    end = last_month(period)
    months: list[Period] = []
    p = month(end.year, end.month)
    while len(months) < limit and (first_month is None or p.start >= first_month):
        months.append(p)
        p = p.previous()
    return months[::-1]


def trend_periods(period: Period, first_month: date | None, limit: int = TREND_MONTHS) -> list[Period]:
    """Periods of the same type as `period`, ending with it, back to the first month with data."""
    out: list[Period] = []
    p = period
    while len(out) < limit and (first_month is None or p.end > first_month):
        out.append(p)
        p = p.previous()
    return out[::-1]


def period_params(periods: list[Period]) -> dict:
    """The three parallel lists the period-aware SQL files take."""
    return {
        "period_keys": [p.key for p in periods],
        "period_starts": [p.start for p in periods],
        "period_ends": [p.end for p in periods],
    }


def convert(
    period: Period, period_type: str, first_month: date | None = None, last: date | None = None
) -> Period:
    """The period of another type that best matches `period` (its last month with data)."""
    if period.period_type == period_type:
        return period
    end = last_month(period)
    if last is not None and end > last:
        end = last
    if first_month is not None and end < first_month:
        end = first_month
    return period_of(period_type, end)
