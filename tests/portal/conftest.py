"""Fixtures of the portal fetcher's tests: the replay server on 127.0.0.1, a fake clock, settings
pointing at the replay, and a guard that refuses any connection off this machine."""

from __future__ import annotations

import io
import random
import socket
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from etl.portal.client import VN
from etl.portal.config import PortalConfig
from tests.portal.replay import Replay

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        assert host in ("127.0.0.1", "::1", "localhost"), (
            f"a test tried to reach {address}: tests stay offline"
        )
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Nothing in these tests reaches the internet: every TCP connect must go to 127.0.0.1."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    for var in (
        "CDS_PORTAL_URL",
        "CDS_PORTAL_CONFIG",
        "CDS_PORTAL_BUDGET",
        "CDS_PORTAL_DAILY_BUDGET",
        "CDS_PORTAL_PROXY",
        "https_proxy",
        "http_proxy",
        "HTTPS_PROXY",
        "HTTP_PROXY",
    ):
        monkeypatch.delenv(var, raising=False)


class FakeClock:
    """now() = start + the seconds slept; sleep() only records.  Requests take no clock time."""

    def __init__(self, start: datetime):
        self.start = start
        self.mono = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        from datetime import timedelta

        return self.start + timedelta(seconds=self.mono)

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.mono += seconds

    def jump(self, when: datetime) -> None:
        """Move the clock to another day (a later scheduled run)."""
        self.start, self.mono = when, 0.0


def at(text: str) -> datetime:
    """'2026-08-20 04:00' in Asia/Ho_Chi_Minh."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture
def replay():
    server = Replay().start()
    assert server.base_url.startswith("http://127.0.0.1:")
    yield server
    server.stop()


@pytest.fixture
def cfg(replay) -> PortalConfig:
    c = replace(PortalConfig(), base_url=replay.base_url, contact="tests@example.invalid", source="tests")
    assert c.base_url.startswith("http://127.0.0.1:")
    return c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at("2026-08-20 04:00"))  # 08/2026 still open


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


def run_fetch(db, cfg, clock, province="25", period="2026-08", groups="all", **kw) -> tuple[int, str]:
    """One fetch through etl.portal.run with the fake clock; returns (exit code, printed text)."""
    from core.periods import parse_period
    from etl.portal.endpoints import parse_groups
    from etl.portal.provinces import parse_provinces
    from etl.portal.run import fetch_portal

    out = io.StringIO()
    code = fetch_portal(
        db,
        parse_provinces(province),
        parse_period(period),
        parse_groups(groups),
        cfg,
        provinces_text=province,
        groups_text=groups,
        clock=clock,
        rng=random.Random(7),
        out=out,
        lang=kw.pop("lang", "en"),
        **kw,
    )
    return code, out.getvalue()
