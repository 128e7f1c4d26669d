"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1, a free port), started and stopped by the
test; it keeps every message it accepted and can refuse recipients (5xx) or answer 451 a few times."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: dict[str, str] = {}  # address -> "550 ..." answer at RCPT
        self.busy = 0  # answer "451" to this many DATA commands first
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.busy > 0:
                self.busy -= 1
                return "451 4.3.0 try again later"
            msg = message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


@contextmanager
def smtp_server():
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def env(port: int, **extra) -> dict[str, str]:
    return {
        "CDS_SMTP_HOST": "127.0.0.1",
        "CDS_SMTP_PORT": str(port),
        "CDS_SMTP_SECURITY": "none",
        "CDS_MAIL_FROM": "cds@phutho.example.vn",
        "CDS_PUBLIC_URL": "https://cds.example.vn",
        "CDS_SMTP_BACKOFF": "0.5",
        **extra,
    }
