"""The polite client against the replay server: spacing, one request in flight, honest headers,
retries with backoff on 5xx and transport errors (fake clock: the sleeps are asserted), no retry on
a stop signal, the request budget."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from etl.portal.client import BudgetExhausted, PoliteClient, RequestFailed, StopSignal, stop_reason
from etl.portal.endpoints import encode
from tests.portal.replay import PHU_THO_ROOT

BODY = encode(
    {
        "timeType": "month",
        "year": 2026,
        "month": 8,
        "rootDepartmentId": PHU_THO_ROOT,
        "currentPage": 1,
        "pageSize": 100,
    }
)
PATH = "/evaluation/dvc-progress-tree"


def client(cfg, clock, budget=100, **kw) -> PoliteClient:
    return PoliteClient(replace(cfg, **kw), budget, clock, random.Random(1))


def test_spacing_jitter_headers_and_one_in_flight(replay, cfg, clock):
    c = client(cfg, clock)
    for _ in range(4):
        answer = c.post(PATH, BODY, "H44 tdgq")
        assert answer.status == 201
    # No wait before the first request; then min_delay (1 s) + 0..0.25 s of jitter before each next one.
    assert len(clock.sleeps) == 3
    assert all(1.0 <= s <= 1.25 for s in clock.sleeps), clock.sleeps
    assert len(set(clock.sleeps)) > 1  # jittered, not a fixed beat
    assert replay.max_in_flight == 1
    agents = {r["headers"]["User-Agent"] for r in replay.requests}
    assert len(agents) == 1  # one identity, never rotated
    agent = agents.pop()
    assert "cds-dashboard" in agent and "tests@example.invalid" in agent
    assert all(r["headers"]["Content-Type"] == "application/json" for r in replay.requests)
    assert "Origin" not in replay.requests[0]["headers"]  # not sent unless configured
    assert [a.outcome for a in c.log] == ["ok"] * 4


def test_5xx_retried_twice_with_exponential_backoff(replay, cfg, clock):
    replay.script("dvc-progress-tree", [503, 502])
    c = client(cfg, clock)
    answer = c.post(PATH, BODY, "H44 tdgq")
    assert answer.status == 201
    assert clock.sleeps == [2.0, 4.0]  # backoff 2 s, then 4 s (above the 1-1.25 s spacing)
    assert [(a.attempt, a.outcome, a.http_status) for a in c.log] == [
        (1, "retry", 503),
        (2, "retry", 502),
        (3, "ok", 201),
    ]
    assert len(replay.posts("dvc-progress-tree")) == 3


def test_5xx_three_times_gives_up_after_two_retries(replay, cfg, clock):
    replay.script("dvc-progress-tree", [500, 500, 500, 500])
    c = client(cfg, clock)
    with pytest.raises(RequestFailed) as err:
        c.post(PATH, BODY, "H44 tdgq")
    assert err.value.reason == "http_5xx"
    assert clock.sleeps == [2.0, 4.0]
    assert len(replay.posts("dvc-progress-tree")) == 3  # 1 + 2 retries, never more


def test_transport_error_retried(replay, cfg, clock):
    replay.script("dvc-progress-tree", ["reset"])
    c = client(cfg, clock)
    assert c.post(PATH, BODY, "H44 tdgq").status == 201
    assert clock.sleeps == [2.0]
    assert c.log[0].outcome == "retry" and c.log[0].http_status is None and c.log[0].message


def test_unreachable_portal_is_a_transport_failure(cfg, clock):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    c = client(cfg, clock, base_url=f"http://127.0.0.1:{port}/api/v1/reporting")
    with pytest.raises(RequestFailed) as err:
        c.post(PATH, BODY, "H44 tdgq")
    assert err.value.reason == "transport"
    assert clock.sleeps == [2.0, 4.0] and len(c.log) == 3


@pytest.mark.parametrize(
    "action, reason",
    [
        (401, "http_401"),
        (403, "http_403"),
        (429, "http_429"),
        ("html", "html"),
        ("rejected", "rejected_body"),
    ],
)
def test_stop_signals_are_not_retried(replay, cfg, clock, action, reason):
    replay.script("dvc-progress-tree", [action])
    c = client(cfg, clock)
    with pytest.raises(StopSignal) as err:
        c.post(PATH, BODY, "H44 tdgq")
    assert err.value.reason == reason
    assert len(replay.posts("dvc-progress-tree")) == 1  # no retry
    assert clock.sleeps == []
    assert c.log[0].outcome == "stop"


def test_404_is_a_failure_without_retry(replay, cfg, clock):
    replay.script("dvc-progress-tree", [404])
    c = client(cfg, clock)
    with pytest.raises(RequestFailed) as err:
        c.post(PATH, BODY, "H44 tdgq")
    assert err.value.reason == "http_404" and len(replay.requests) == 1


def test_budget_counts_every_attempt(replay, cfg, clock):
    replay.script("dvc-progress-tree", [503])
    c = client(cfg, clock, budget=2)
    c.post(PATH, BODY, "first")  # 503 then 201: two attempts
    with pytest.raises(BudgetExhausted):
        c.post(PATH, BODY, "second")
    assert len(replay.requests) == 2 and c.remaining == 0


def test_stop_reason_rules():
    phrases = ("request rejected", "access denied")
    assert stop_reason(201, "application/json", b'{"code":"OK"}', phrases) is None
    assert stop_reason(503, "application/json", b'{"code":"ERR"}', phrases) is None
    assert stop_reason(200, "application/json", b"<!DOCTYPE html><html>", phrases) == "html"
    assert stop_reason(200, "application/json", b'{"m":"Access Denied"}', phrases) == "rejected_body"
    # only the first 4 KiB are read for the phrases
    assert stop_reason(200, "application/json", b" " * 5000 + b"request rejected", phrases) is None
