"""Report downloads on the commune profile and province overview: built only on click, named as the
reports package names them, and the bytes are a real document."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _build_button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == f"{key}_build")


def test_province_briefing_xlsx_on_click(app_env):
    at = _page("province", province=25, period="2025-10")
    at.selectbox(key="province_report_fmt").set_value("xlsx").run()
    _build_button(at, "province_report").click().run()
    assert not at.exception, [e.value for e in at.exception]
    wanted, data = at.session_state["province_report_file"]
    assert wanted[:4] == ("province", 25, "2025-10", "xlsx")
    assert load_workbook(io.BytesIO(data)).sheetnames
