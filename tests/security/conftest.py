"""Secured-mode fixtures: the page tests' warehouse (tests/app/conftest.py) and a users file with one
account per role (cheap bcrypt rounds), switched on through DASHBOARD_USERS_FILE."""

from __future__ import annotations

import time
from pathlib import Path

import bcrypt
import pytest
from streamlit.testing.v1 import AppTest

from accounts.store import Account, save_users
from tests.app.conftest import build_app_warehouse
from ui.auth import SESSION_KEY, Session

ROOT = Path(__file__).resolve().parents[2]
PHU_THO, HA_NOI, VAN_BAN, DAI_XUYEN = 25, 1, 8380, 10333
PASSWORD = "correct horse battery"
ROLES = {"nat": ("national", None), "pt": ("province", PHU_THO), "vb": ("commune", VAN_BAN),
         "st": ("steward", PHU_THO), "hn": ("province", HA_NOI)}
PAGES = ["province", "national", "commune", "filings", "signatures", "service_index", "skills", "quality"]


def cheap_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


@pytest.fixture(scope="session")
def app_warehouse(tmp_path_factory) -> Path:
    return build_app_warehouse(tmp_path_factory)


@pytest.fixture(scope="session")
def users_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.toml"
    h = cheap_hash(PASSWORD)
    users = {name: Account(name, role, scope, h) for name, (role, scope) in ROLES.items()}
    users["gone"] = Account("gone", "national", None, h, disabled=True)
    save_users(path, users)
    return path


@pytest.fixture
def secured(app_warehouse, users_path, monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("CDS_WAREHOUSE", str(app_warehouse))
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(users_path))
    monkeypatch.setenv("DASHBOARD_AUTH_LOG", str(tmp_path / "auth.log"))
    from ui import auth

    auth.reset_failures()
    return app_warehouse


def session_for(name: str, signed_in_at: float | None = None) -> Session:
    role, scope = ROLES[name]
    return Session(name, role, scope, time.time() if signed_in_at is None else signed_in_at)


def run_as(user: str | None, page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if user is not None:
        at.session_state[SESSION_KEY] = session_for(user)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    """Every text the page shows: headings, messages, metrics, widget labels and options, table
    cells and chart specs."""
    parts: list[str] = []
    for name in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success",
                 "text", "code"):
        parts += [str(e.value) for e in getattr(at, name)]
    for m in at.metric:
        parts += [m.label, str(m.value)]
    for w in [*at.selectbox, *at.multiselect, *at.radio]:
        parts.append(str(w.label))
        parts += [str(o) for o in w.options]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    for chart in at.get("plotly_chart"):
        parts.append(chart.proto.spec)
    return "\n".join(parts)
