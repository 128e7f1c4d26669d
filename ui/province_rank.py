"""The province's place among the provinces on the service index, with its change: the leader's
"how does my province compare nationally" on the province overview's first screen.

Read from `service_index.national_province_ranking`, the national page's province ranking (the
portal's national ranking when loaded, else the mean of each province's ranked communes), ranked over
every province before the scope applies: an aggregate, the same figure for every role."""

from __future__ import annotations

import pandas as pd

from metrics import service_index
from ui import format
from ui.cache import data
from ui.state import Context
from ui.widgets import Kpi, tr


def kpi(ctx: Context) -> Kpi:
    """A KPI card: '12/34' with '+3 bậc' against the previous period, or '–' when the period has no
    national ranking."""
    f, lang = ctx.filters, ctx.lang
    table = data(service_index.national_province_ranking, f.period, ctx.scope)
    mine = table[(table["province_code"].astype(int) == int(f.province)) & table["national_rank"].notna()]
    if mine.empty:
        return Kpi(
            tr("province_rank", total=34),
            format.EMPTY,
            note=tr("province_rank_none"),
            help=tr("help_province_rank"),
        )
    row = mine.iloc[0]
    total = int(row["provinces_ranked"])
    change = row["national_rank_change"]
    moved = not pd.isna(change)
    notes = [f"{tr('m_index_average')}: {format.value(row['index_total'], 'score', lang)}"]
    if moved:
        notes.insert(0, tr("change_vs", period=f.period.previous().label(lang)))
    if isinstance(row["basis"], str):
        notes.append(tr(f"index_basis_{row['basis']}"))
    return Kpi(
        tr("province_rank", total=total),
        f"{int(row['national_rank'])}/{total}",
        format.change(change, "rank", lang) if moved else None,
        " · ".join(notes),
        tr("help_province_rank"),
    )
