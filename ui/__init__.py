"""Streamlit helpers: the shell's state (filters in the URL), cached read-side calls, and the
building blocks pages are made of.  Pages import `ui` and `metrics`, never DuckDB."""

from ui.cache import data
from ui.format import EMPTY
from ui.nav import go
from ui.state import Context, current
from ui.widgets import (
    Kpi,
    chart,
    downloads,
    empty,
    header,
    kpi_row,
    metric_kpis,
    no_period,
    table,
    tier_legend,
    tr,
)

__all__ = [
    "EMPTY",
    "Context",
    "Kpi",
    "chart",
    "current",
    "data",
    "downloads",
    "empty",
    "go",
    "header",
    "kpi_row",
    "metric_kpis",
    "no_period",
    "table",
    "tier_legend",
    "tr",
]
