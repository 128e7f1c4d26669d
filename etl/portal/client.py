"""The polite HTTP client: the only code that talks to the portal.

Polite by construction:
- one request in flight: the client is synchronous and a run holds a lock beside the warehouse
  (run.py), so there is never a second request, in this process or another;
- at least `min_delay` (>= 1 s) plus a random 0..`jitter` s between the end of one request and the
  start of the next, retries included;
- a connect and a read timeout on every request; no redirects followed;
- at most `max_retries` (<= 2) retries, only for transport errors (timeouts, resets, refused
  connections) and 5xx answers, after `backoff * 2**(n-1)` s (2 s, then 4 s);
- a stop signal — HTTP 401, 403 or 429, an HTML answer, or a body whose first 4 KiB say "request
  rejected" / "access denied" — raises `StopSignal` at once, with no retry (run.py then opens the
  breaker);
- a request budget: `BudgetExhausted` before the attempt that would exceed it;
- one honest User-Agent naming the project and a contact, the same on every request.

The clock (`now`, `monotonic`, `sleep`), the random source and the transport are injectable, so the
tests run on a fake clock and count the sleeps.
"""

from __future__ import annotations

import http.client
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from etl.portal.config import PortalConfig

try:
    from zoneinfo import ZoneInfo

    VN = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # pragma: no cover - no tz database: Vietnam has kept UTC+7 without DST since 1975
    VN = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

SNIFF_BYTES = 4096


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(VN)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class StopSignal(Exception):
    """The portal (or something in front of it) is refusing us: stop, do not retry."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


class BudgetExhausted(Exception):
    pass


class RequestFailed(Exception):
    """No usable answer: a 4xx/3xx other than the stop signals, or retries used up."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass
class Attempt:
    """One HTTP attempt, as the run's record keeps it."""

    seq: int
    label: str  # e.g. 'H44 dvc-progress-tree p1'
    url: str
    body: str  # the JSON sent
    attempt: int  # 1 = first try
    requested_at: datetime
    elapsed_ms: int = 0
    http_status: int | None = None
    content_type: str | None = None
    raw: bytes | None = None
    outcome: str = "error"  # ok | retry | stop | failed | error
    message: str | None = None


@dataclass
class Answer:
    status: int
    content_type: str
    raw: bytes
    attempts: list[Attempt] = field(default_factory=list)


# transport(method, url, headers, body, connect_timeout, read_timeout, proxy, max_bytes)
#   -> (status, content_type, raw bytes); raises OSError / http.client.HTTPException on transport errors.
Transport = Callable[[str, str, dict, bytes, float, float, str, int], tuple[int, str, bytes]]


def http_transport(
    method: str,
    url: str,
    headers: dict,
    body: bytes,
    connect_timeout: float,
    read_timeout: float,
    proxy: str = "",
    max_bytes: int = 20_000_000,
) -> tuple[int, str, bytes]:
    """One request with http.client: separate connect and read timeouts, no redirects, an optional
    forward proxy (CONNECT tunnel for https), the body read up to `max_bytes`."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if proxy:
        p = urlsplit(proxy)
        conn_cls = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        conn = conn_cls(p.hostname, p.port or 80, timeout=connect_timeout)
        if secure:
            conn.set_tunnel(parts.hostname, port)
        else:
            target = url
    else:
        conn_cls = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        conn = conn_cls(parts.hostname, port, timeout=connect_timeout)
    try:
        conn.connect()
        conn.sock.settimeout(read_timeout)
        conn.request(method, target, body=body, headers=headers)
        resp = conn.getresponse()
        raw = resp.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise RequestFailed("too_large", f"answer larger than {max_bytes} bytes")
        return resp.status, resp.getheader("Content-Type") or "", raw
    finally:
        conn.close()


def stop_reason(status: int, content_type: str, raw: bytes, phrases: tuple[str, ...]) -> str | None:
    """The stop signal an answer carries, or None."""
    if status in (401, 403, 429):
        return f"http_{status}"
    head = raw[:SNIFF_BYTES].decode("utf-8", errors="replace").lower()
    if "text/html" in (content_type or "").lower() or head.lstrip().startswith(("<!doctype html", "<html")):
        return "html"
    if any(p.lower() in head for p in phrases):
        return "rejected_body"
    return None


class PoliteClient:
    def __init__(
        self,
        cfg: PortalConfig,
        budget: int,
        clock=None,
        rng: random.Random | None = None,
        transport: Transport | None = None,
    ):
        self.cfg = cfg
        self.remaining = budget
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.transport = transport or http_transport
        self.log: list[Attempt] = []
        self._last_end: float | None = None

    @property
    def requests_made(self) -> int:
        return len(self.log)

    def _wait(self, at_least: float = 0.0) -> None:
        """Sleep until min_delay + jitter (or `at_least`, a retry's backoff) after the last request ended."""
        if self._last_end is None:
            return
        gap = max(self.cfg.min_delay + self.rng.uniform(0, self.cfg.jitter), at_least)
        delay = self._last_end + gap - self.clock.monotonic()
        if delay > 0:
            self.clock.sleep(delay)

    def post(self, path: str, body: bytes, label: str) -> Answer:
        url = self.cfg.base_url.rstrip("/") + path
        attempts: list[Attempt] = []
        backoff = 0.0
        for n in range(1, self.cfg.max_retries + 2):
            if self.remaining <= 0:
                raise BudgetExhausted(label)
            self._wait(backoff)
            self.remaining -= 1
            a = Attempt(len(self.log) + 1, label, url, body.decode("utf-8"), n, self.clock.now())
            self.log.append(a)
            attempts.append(a)
            started = self.clock.monotonic()
            try:
                status, ctype, raw = self.transport(
                    "POST",
                    url,
                    self.cfg.headers(),
                    body,
                    self.cfg.connect_timeout,
                    self.cfg.read_timeout,
                    self.cfg.proxy,
                    self.cfg.max_response_bytes,
                )
            except RequestFailed as err:
                a.outcome, a.message = "failed", err.detail
                raise
            except (TimeoutError, OSError, http.client.HTTPException) as err:
                a.message = f"{type(err).__name__}: {err}"
                if n <= self.cfg.max_retries:
                    a.outcome = "retry"
                    backoff = self.cfg.backoff * 2 ** (n - 1)
                    continue
                a.outcome = "failed"
                raise RequestFailed("transport", a.message) from err
            finally:
                end = self.clock.monotonic()
                self._last_end = end
                a.elapsed_ms = int(round((end - started) * 1000))
            a.http_status, a.content_type, a.raw = status, ctype, raw
            reason = stop_reason(status, ctype, raw, self.cfg.stop_phrases)
            if reason is not None:
                a.outcome, a.message = "stop", reason
                snippet = raw[:200].decode("utf-8", errors="replace").replace("\n", " ")
                raise StopSignal(reason, f"{label}: HTTP {status}, {ctype or 'no content type'}: {snippet}")
            if status >= 500:
                a.message = f"HTTP {status}"
                if n <= self.cfg.max_retries:
                    a.outcome = "retry"
                    backoff = self.cfg.backoff * 2 ** (n - 1)
                    continue
                a.outcome = "failed"
                raise RequestFailed("http_5xx", f"{label}: HTTP {status} after {n} attempts")
            if status not in (200, 201):
                a.outcome, a.message = "failed", f"HTTP {status}"
                raise RequestFailed(f"http_{status}", f"{label}: HTTP {status}")
            a.outcome = "ok"
            return Answer(status, ctype, raw, attempts)
        raise AssertionError("unreachable")  # pragma: no cover
