"""A small warehouse for the report tests, built once per session with the demo generator
(demo.build_demo): Xã Vân Bán (8380) and 11 more communes of Phú Thọ, Xã Đại Xuyên (10333) and 3
more communes of Hà Nội, months 08/2025 to 10/2025.  Every other commune exists in dim_commune but has
no data: the no-data reports use one of them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

PHU_THO, HA_NOI, LAI_CHAU = 25, 1, 12
VAN_BAN, DAI_XUYEN = 8380, 10333
MONTHS = ("2025-08", "2025-10")
ISSUED_ON = date(2025, 11, 5)


@pytest.fixture(scope="session")
def report_warehouse(tmp_path_factory) -> Path:
    from core.reference import commune_frame
    from demo import build_demo

    ref = commune_frame()
    codes = [VAN_BAN, DAI_XUYEN]
    codes += ref[ref["province_code"] == PHU_THO]["commune_code"].head(11).tolist()
    codes += ref[ref["province_code"] == HA_NOI]["commune_code"].head(3).tolist()
    out = tmp_path_factory.mktemp("report_warehouse")
    db = out / "warehouse.duckdb"
    summary = build_demo(db, out / "demo", communes=sorted(set(codes)), months=MONTHS)
    assert summary.exit_code in (0, 1), summary.to_dict()
    return db


@pytest.fixture(scope="session")
def empty_commune(report_warehouse) -> int:
    """A commune of Phú Thọ with no data at all in the test warehouse."""
    from core.periods import parse_period
    from metrics import periodic
    from metrics.definitions import HEADLINE_RATES

    counts = periodic.commune_counts([parse_period("2025-10")], PHU_THO, None, path=report_warehouse)
    empty = counts[counts[HEADLINE_RATES].isna().all(axis=1) & ~counts["has_dossiers"]]
    return int(empty["commune_code"].iloc[-1])
