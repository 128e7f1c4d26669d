"""The service index of Decision 766: its groups and each group's maximum points, defined once.

The ETL checks loaded scores against the maxima; the read side scores, charts and reports them; the
demo generator draws scores under them.  The six-group layout is the current one; the five-group
layout (DVCTT = CLGQ + TTTT) is the older one some published periods use.
"""

from __future__ import annotations

# Maximum points of each group (Decision 766 as the portal shows it; DVCTT from the older layout).
GROUP_MAX: dict[str, float] = {
    "CKMB": 18.0,
    "TDGQ": 20.0,
    "CLGQ": 12.0,
    "TTTT": 10.0,
    "MDSH": 22.0,
    "MDHL": 18.0,
    "DVCTT": 22.0,
}
SIX_GROUPS: list[str] = ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"]
FIVE_GROUPS: list[str] = ["CKMB", "TDGQ", "DVCTT", "MDSH", "MDHL"]
LAYOUTS: dict[str, list[str]] = {"six_groups": SIX_GROUPS, "five_groups": FIVE_GROUPS}
INDEX_MAX = 100.0

# The column of each current group's score in the marts (score_ckmb ...).
GROUP_COLUMNS: dict[str, str] = {g: f"score_{g.lower()}" for g in SIX_GROUPS}

assert all(sum(GROUP_MAX[g] for g in layout) == INDEX_MAX for layout in LAYOUTS.values())
