"""A small warehouse for the notify tests, built once per session with the demo generator: Xã Vân Bán
(8380) and 7 more communes of Phú Thọ, Xã Đại Xuyên (10333) and 2 more communes of Hà Nội, months
09/2025 to 10/2025 — enough to send to each role without building 148 reports."""

from __future__ import annotations

from pathlib import Path

import pytest

PHU_THO, HA_NOI = 25, 1
VAN_BAN, DAI_XUYEN = 8380, 10333
MONTHS = ("2025-09", "2025-10")
PERIOD = "2025-10"


@pytest.fixture(scope="session")
def notify_warehouse(tmp_path_factory) -> Path:
    from core.reference import commune_frame
    from demo import build_demo

    ref = commune_frame()
    codes = [VAN_BAN, DAI_XUYEN]
    codes += ref[ref["province_code"] == PHU_THO]["commune_code"].head(7).tolist()
    codes += ref[ref["province_code"] == HA_NOI]["commune_code"].head(2).tolist()
    out = tmp_path_factory.mktemp("notify_warehouse")
    db = out / "warehouse.duckdb"
    summary = build_demo(db, out / "demo", communes=sorted(set(codes)), months=MONTHS)
    assert summary.exit_code in (0, 1), summary.to_dict()
    return db


@pytest.fixture(scope="session")
def phu_tho_communes(notify_warehouse) -> list[int]:
    from core.periods import parse_period
    from metrics import periodic

    counts = periodic.commune_counts([parse_period(PERIOD)], PHU_THO, path=notify_warehouse)
    return sorted(counts[counts["has_dossiers"]]["commune_code"].astype(int).tolist())
