"""Values as the pages write them (ui/format.py): no "-0,0", percentage points named as such."""

from __future__ import annotations

import math

import pandas as pd

from ui import format
from ui.export import export_frame


def test_change_never_writes_minus_zero():
    assert format.change(-0.04, "days", "vi") == "±0,0 ngày"
    assert format.change(-0.0004, "pct", "en") == "±0.0 pp"
    assert format.change(-0.26, "days", "vi") == "-0,3 ngày"
    assert format.change(0.0, "int", "vi") == "±0"


def test_gap_to_target_is_in_percentage_points():
    assert format.value(0.245, "pp", "vi") == "24,5 điểm %"
    assert format.value(0.245, "pp", "en") == "24.5 pp"
    out = export_frame(pd.DataFrame({"gap": [0.245, None]}), ["gap"], "vi")
    assert (
        list(out.columns) == ["Còn thiếu (điểm %)"] and out.iloc[0, 0] == 24.5 and math.isnan(out.iloc[1, 0])
    )


def test_missing_is_a_dash():
    for missing in (None, float("nan"), pd.NA, pd.NaT):
        assert format.value(missing, "int", "vi") == format.EMPTY == "–"
