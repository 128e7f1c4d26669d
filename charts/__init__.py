"""Plotly figure builders: plain functions from read-side DataFrames to figures (no Streamlit).

Every figure has a title, axis titles with units, the language's number separators, and the fixed
colours of charts/style.py (one colour per index group, per quartile tier, per filing channel).
"""

from charts.builders import (
    bump,
    channel_mix,
    group_scores,
    movers,
    on_time_trend,
    procedures_bar,
    processing_days,
    province_bars,
    rank_history,
    score_histogram,
    signature_bars,
    signature_grid,
    trend,
    worst_groups,
)

__all__ = [
    "bump",
    "channel_mix",
    "group_scores",
    "movers",
    "on_time_trend",
    "processing_days",
    "procedures_bar",
    "province_bars",
    "rank_history",
    "score_histogram",
    "signature_bars",
    "signature_grid",
    "trend",
    "worst_groups",
]
