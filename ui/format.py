"""Values as text for the current language (tables, KPI cards): built on metrics.i18n."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from core.periods import parse_period
from metrics.i18n import fmt_date, fmt_month, fmt_number, fmt_pct, t

EMPTY = "–"  # an empty cell, everywhere (tables, KPI cards, downloads' previews): never None / nan / NaT


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value))
    except TypeError:
        return False


def value(value, kind: str, lang: str) -> str:
    """One cell as text: 'pct' 45,3%, 'int' 1.234, 'score' 84,50, 'days' 3,4, 'rank_change' ▲ 3 ..."""
    if _missing(value):
        return EMPTY
    if kind == "pct":
        return fmt_pct(float(value), lang)
    if kind == "pp":  # a difference of two shares: percentage points
        return f"{fmt_number(float(value) * 100, lang, 1)} {t('unit_pp', lang)}"
    if kind in ("int", "rank"):
        return fmt_number(int(value), lang)
    if kind == "code":
        return str(int(value)) if isinstance(value, (int, float)) else str(value)
    if kind == "score":
        return fmt_number(float(value), lang, 2)
    if kind == "score_change":
        return ("+" if value > 0 else "") + fmt_number(float(value), lang, 2)
    if kind in ("days", "number"):
        return fmt_number(float(value), lang, 1)
    if kind == "rank_change":
        v = int(value)
        return f"▲ {v}" if v > 0 else f"▼ {-v}" if v < 0 else "="
    if kind == "tier":
        return str(int(value))
    if kind == "group":
        return f"{value} · {t('group_' + str(value).lower(), lang)}"
    if kind == "source":
        return t("source_" + str(value), lang)
    if kind == "status":
        return t("status_" + str(value), lang)
    if kind == "month":
        return fmt_month(pd.Timestamp(value).date(), lang)
    if kind == "date":
        return fmt_date(pd.Timestamp(value).date(), lang)
    if kind == "datetime":
        ts = pd.Timestamp(value)
        return f"{fmt_date(ts.date(), lang)} {ts:%H:%M}"
    if kind == "period":
        p = parse_period(value)
        return p.label(lang) if p else str(value)
    return str(value)


def change(delta: float | None, kind: str, lang: str) -> str | None:
    """A change for a KPI card: '+1,2 điểm %' (percentage points) or '+0,25 điểm' (index points)."""
    if _missing(delta):
        return None
    # The sign of the figure as written: -0,04 days is "0,0", never "-0,0".
    places = {"pct": 3, "score": 2, "rank": 0, "int": 0}.get(kind, 1)
    delta = round(float(delta), places)
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"  # "-": st.metric colours the delta by it
    if kind == "pct":
        return f"{sign}{fmt_number(abs(delta) * 100, lang, 1)} {t('unit_pp', lang)}"
    if kind == "score":
        return f"{sign}{fmt_number(abs(delta), lang, 2)} {t('unit_points', lang)}"
    if kind == "rank":
        return f"{sign}{fmt_number(abs(delta), lang)} {t('unit_places', lang)}"
    if kind == "days":
        return f"{sign}{fmt_number(abs(delta), lang, 1)} {t('unit_days', lang)}"
    if kind == "int":
        return f"{sign}{fmt_number(abs(delta), lang)}"
    return f"{sign}{fmt_number(abs(delta), lang, 1)}"


def as_of(d: date | datetime | None, lang: str) -> str:
    return fmt_month(d, lang) if d is not None and not _missing(d) else "–"
