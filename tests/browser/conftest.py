"""The browser tests reuse the page tests' warehouse (built once per session)."""

from __future__ import annotations

import pytest

from tests.app.conftest import build_app_warehouse


@pytest.fixture(scope="session")
def browser_warehouse(tmp_path_factory):
    return build_app_warehouse(tmp_path_factory)
