"""Secured-mode fixtures: the page tests' warehouse (tests/app/conftest.py) and a users file with one
account per role (cheap bcrypt rounds), switched on through DASHBOARD_USERS_FILE."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timedelta
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
ROLES = {
    "nat": ("national", None),
    "pt": ("province", PHU_THO),
    "vb": ("commune", VAN_BAN),
    "st": ("steward", PHU_THO),
    "hn": ("province", HA_NOI),
}
PAGES = ["province", "national", "commune", "filings", "signatures", "service_index", "skills", "quality"]


# Procedure names an attacker (or a careless export) can put in a one-stop system's dossier file: they
# reach tables, charts and downloads of the filings page.
HOSTILE_PROCEDURES = [
    ("9.000001", "Khai sinh\r+cmd|' /C calc'!A0"),
    ("9.000002", 'Kết hôn\n=HYPERLINK("https://evil.example/x","Mở")'),
    ("9.000003", "Chứng thực\r\n@SUM(1+1)*cmd|' /C calc'!A0"),
    ("9.000004", "=cmd|' /C calc'!A0"),
    ("9.000005", " -2+3+cmd|' /C calc'!A0"),
    ("9.000006", '<a href="https://evil.example/login">Đăng nhập lại</a>'),
    ("9.000007", "[Đăng nhập lại](https://evil.example/login) ![a](https://evil.example/a.png)"),
    ("9.000008", 'Cấp "bản sao", trích lục;\tthuế\u2028-1'),
]
DOSSIER_HEADER = [
    "MaHoSo",
    "MaXa",
    "MaTTHC",
    "TenTTHC",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "TrangThaiHoSo",
    "KenhThucHien",
    "ToanTrinh",
    "DuocThanhToanTrucTuyen",
    "HoSoCoThanhPhanSoHoa",
]


@pytest.fixture(scope="session")
def hostile_warehouse(app_warehouse, tmp_path_factory) -> Path:
    """A copy of the page tests' warehouse plus, for Xã Vân Bán in 10/2025, 40 dossiers of each
    hostile procedure name, loaded through the ETL like any one-stop export."""
    from etl.loader import load_files
    from tests.conftest import write_csv

    out = tmp_path_factory.mktemp("hostile")
    db = out / "warehouse.duckdb"
    shutil.copyfile(app_warehouse, db)
    fmt = "%d/%m/%Y %H:%M"
    rows = []
    for p, (code, name) in enumerate(HOSTILE_PROCEDURES):
        for i in range(40):
            received = datetime(2025, 10, 1 + i % 28, 8)
            rows.append(
                [
                    f"HOSTILE-{p}-{i}",
                    VAN_BAN,
                    code,
                    name,
                    received.strftime(fmt),
                    (received + timedelta(days=5)).strftime(fmt),
                    (received + timedelta(days=2)).strftime(fmt),
                    "Đã trả kết quả",
                    "2" if i % 2 else "1",
                    "",
                    "",
                    "0",
                ]
            )
    summary = load_files([write_csv(out / "ho-so-doc-hai.csv", DOSSIER_HEADER, rows)], db)
    assert summary.exit_code == 0, summary.to_dict()
    return db


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
    for name in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
        "text",
        "code",
    ):
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
