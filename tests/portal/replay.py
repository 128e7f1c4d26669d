"""A replay of the portal's evaluation API on 127.0.0.1, for the fetcher's tests.

Answers `POST /api/v1/reporting/evaluation/<endpoint>` from recorded answers (tests/fixtures/portal/
replay/): the national service-results for a body with `departmentType`, else the answer stored for
the body's `rootDepartmentId`.  Metric endpoints (transparency, dossier-digitized,
handling-satisfaction) are paged by the body's currentPage/pageSize, as the real server does; an
answer that fits one page is served byte for byte.  Status 201, `application/json; charset=utf-8`.

Tests can add answers for one period (`answers[(endpoint, scope, period_key)]`), queue failures for
an endpoint (`script(endpoint, [...])`: an int status with a JSON or HTML body, 'reset' to close the
connection without an answer, 'html' for a 200 HTML page, 'rejected' for a 200 JSON body saying
"Request Rejected"), and read every request received (`requests`).  One thread, one request at a
time; `max_in_flight` would show otherwise.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import defaultdict, deque
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "portal" / "replay"
PREFIX = "/api/v1/reporting/evaluation/"
PAGED = {"transparency", "dossier-digitized", "handling-satisfaction"}
NATIONAL = "national"

PHU_THO_ROOT = "019d2be3-6a88-732b-8b17-b68020c8553a"  # H44, official code 25
GIA_LAI_ROOT = "019d2be3-6a85-74ec-a346-6489e82ae4c7"  # H21, official code 52
ENDPOINTS = (
    "service-results",
    "transparency",
    "dvc-progress-tree",
    "provide-online-tree",
    "formality-online-payment-tree",
    "dossier-digitized",
    "handling-satisfaction",
)


def period_key(body: dict) -> str | None:
    """'2026-08' | '2026-Q3' | '2026' from a timeType body or a fromDate/toDate body."""
    if "fromDate" in body:
        start = date.fromisoformat(body["fromDate"])
        end = date.fromisoformat(body["toDate"]) + timedelta(days=1)
        months = (end.year - start.year) * 12 + end.month - start.month
        if months == 1:
            return f"{start.year:04d}-{start.month:02d}"
        if months == 3:
            return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
        return f"{start.year:04d}"
    kind, year = body.get("timeType"), body.get("year")
    if kind == "month":
        return f"{year:04d}-{body['month']:02d}"
    if kind == "quarter":
        return f"{year:04d}-Q{body['quarter']}"
    if kind == "year":
        return f"{year:04d}"
    return None


def default_answers() -> dict:
    out = {
        ("service-results", NATIONAL): (FIXTURES / "national-service-results.json").read_bytes(),
        ("service-results", GIA_LAI_ROOT): (FIXTURES / "H21-service-results.json").read_bytes(),
    }
    for endpoint in ENDPOINTS:
        out[(endpoint, PHU_THO_ROOT)] = (FIXTURES / f"H44-{endpoint}.json").read_bytes()
    return out


class Replay:
    def __init__(self):
        self.answers: dict[tuple, bytes] = default_answers()
        self.scripts: dict[str, deque] = defaultdict(deque)
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                replay._handle(self)

            def do_GET(self):  # noqa: N802
                self.send_response(405)
                self.end_headers()

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/api/v1/reporting"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Replay:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    def script(self, endpoint: str, actions: list) -> None:
        self.scripts[endpoint].extend(actions)

    def answer_for(self, endpoint: str, scope: str, period: str | None = None) -> dict:
        raw = self.answers.get((endpoint, scope, period)) or self.answers[(endpoint, scope)]
        return json.loads(raw)

    def set_answer(self, endpoint: str, scope: str, obj_or_bytes, period: str | None = None) -> None:
        raw = (
            obj_or_bytes
            if isinstance(obj_or_bytes, bytes)
            else json.dumps(obj_or_bytes, ensure_ascii=False, separators=(",", ":")).encode()
        )
        self.answers[(endpoint, scope, period) if period else (endpoint, scope)] = raw

    def posts(self, endpoint: str | None = None) -> list[dict]:
        return [r for r in self.requests if endpoint is None or r["endpoint"] == endpoint]

    # ------------------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            length = int(h.headers.get("Content-Length") or 0)
            raw_body = h.rfile.read(length)
            endpoint = h.path[len(PREFIX) :] if h.path.startswith(PREFIX) else None
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = None
            self.requests.append(
                {
                    "path": h.path,
                    "endpoint": endpoint,
                    "body": body,
                    "raw": raw_body,
                    "headers": dict(h.headers),
                }
            )
            if endpoint is None or not isinstance(body, dict):
                return self._send(h, 404, b'{"code":"NOT_FOUND"}')
            if self.scripts[endpoint]:
                return self._scripted(h, self.scripts[endpoint].popleft())
            scope = (
                NATIONAL
                if "departmentType" in body and "rootDepartmentId" not in body
                else str(body.get("rootDepartmentId"))
            )
            period = period_key(body)
            raw = self.answers.get((endpoint, scope, period)) or self.answers.get((endpoint, scope))
            if raw is None:
                return self._send(h, 404, b'{"code":"NOT_FOUND","message":"no recorded answer"}')
            if endpoint in PAGED:
                raw = self._page(raw, body)
            return self._send(h, 201, raw)
        finally:
            with self._lock:
                self.in_flight -= 1

    @staticmethod
    def _page(raw: bytes, body: dict) -> bytes:
        obj = json.loads(raw)
        rows = obj["data"]["evaluation"]
        page, size = int(body.get("currentPage", 1)), int(body.get("pageSize", 200))
        total_pages = max(1, -(-len(rows) // size))
        if page == 1 and total_pages == 1 and obj["data"].get("pagination", {}).get("pageSize") == size:
            return raw  # the recorded bytes, unchanged
        obj["data"]["evaluation"] = rows[(page - 1) * size : page * size]
        obj["data"]["pagination"] = {
            "total": len(rows),
            "currentPage": page,
            "pageSize": size,
            "totalPages": total_pages,
        }
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()

    @staticmethod
    def _send(h, status: int, raw: bytes, ctype: str = "application/json; charset=utf-8") -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(raw)))
        h.end_headers()
        h.wfile.write(raw)

    def _scripted(self, h, action) -> None:
        if action == "reset":
            h.close_connection = True
            with contextlib.suppress(OSError):
                h.connection.shutdown(socket.SHUT_RDWR)
            return None
        if action == "html":
            return self._send(h, 200, b"<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html")
        if action == "rejected":
            return self._send(
                h,
                200,
                b'{"message":"The requested URL was rejected. Request Rejected. Your support ID is: 1234"}',
            )
        if isinstance(action, tuple):
            status, raw, ctype = action
            return self._send(h, status, raw, ctype)
        status = int(action)
        if status in (403, 429):
            return self._send(
                h,
                status,
                b"<html><head><title>Request Rejected</title></head><body>The requested "
                b"URL was rejected.</body></html>",
                "text/html; charset=utf-8",
            )
        return self._send(h, status, json.dumps({"code": "ERROR", "message": f"HTTP {status}"}).encode())
