"""A small but realistic warehouse for the page tests, built once per test session with the demo
generator (demo.build_demo): 30 communes of Hà Nội (with Xã Đại Xuyên) and 30 of Phú Thọ (with
Xã Vân Bán), months 07/2025 to 12/2025.  Pages read it through `CDS_WAREHOUSE`."""

from __future__ import annotations

from pathlib import Path

import pytest

PROVINCES = (1, 25)
SPECIAL = (10333, 8380)  # Xã Đại Xuyên, Xã Vân Bán
MONTHS = ("2025-07", "2025-12")
COMMUNES_PER_PROVINCE = 30
_built: dict[str, Path] = {}


def build_app_warehouse(tmp_path_factory) -> Path:
    """Build the page tests' warehouse once per session (the browser tests reuse it)."""
    if "db" not in _built:
        from core.reference import commune_frame
        from demo import build_demo

        ref = commune_frame()
        codes: list[int] = list(SPECIAL)
        for province in PROVINCES:
            codes += (
                ref[ref["province_code"] == province]["commune_code"].head(COMMUNES_PER_PROVINCE).tolist()
            )
        out = tmp_path_factory.mktemp("app_warehouse")
        db = out / "warehouse.duckdb"
        summary = build_demo(db, out / "demo", communes=sorted(set(codes)), months=MONTHS)
        assert summary.exit_code in (0, 1), summary.to_dict()
        _built["db"] = db
    return _built["db"]


@pytest.fixture(scope="session")
def app_warehouse(tmp_path_factory) -> Path:
    return build_app_warehouse(tmp_path_factory)


@pytest.fixture
def app_env(app_warehouse, monkeypatch) -> Path:
    """Point the app (run in this process by AppTest) at the test warehouse."""
    monkeypatch.setenv("CDS_WAREHOUSE", str(app_warehouse))
    return app_warehouse
