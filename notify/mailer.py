"""Sending over SMTP (standard library smtplib): one connection reused for the whole run, retried with
backoff on temporary failures (a 4xx answer, a dropped or refused connection); a permanent failure (a
5xx answer) names the recipient and the server's answer."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
import time

from notify.config import SmtpConfig


class PermanentFailure(RuntimeError):
    """The server refused this message for good (5xx): the recipient and the server's answer."""


class Unreachable(RuntimeError):
    """The server could not be reached (or kept failing) after every attempt."""


def _answer(err: Exception) -> str:
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for rcpt, (code, msg) in err.recipients.items()
        )
    if isinstance(err, smtplib.SMTPResponseException):
        msg = err.smtp_error.decode(errors="replace") if isinstance(err.smtp_error, bytes) else err.smtp_error
        return f"{err.smtp_code} {msg}"
    return f"{type(err).__name__}: {err}"


def _code(err: Exception) -> int | None:
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in err.recipients.values()]
        return min(codes) if codes else None
    if isinstance(err, smtplib.SMTPResponseException):
        return err.smtp_code
    return None


class Mailer:
    def __init__(self, cfg: SmtpConfig, sleep=time.sleep) -> None:
        self.cfg = cfg
        self.sleep = sleep
        self.conn: smtplib.SMTP | None = None
        self.attempts = 0  # connection and send attempts, for the run's summary

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        if cfg.security == "tls":
            conn = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            if cfg.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
        if cfg.user:
            conn.login(cfg.user, cfg.password)
        return conn

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, to: str, data: bytes) -> None:
        """Send one message (its bytes, as notify.content.as_bytes writes them) to `to`;
        PermanentFailure (5xx) or Unreachable (after cfg.retries attempts)."""
        data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
        cfg, last = self.cfg, None
        for attempt in range(cfg.retries):
            if attempt:
                self.sleep(cfg.backoff * 2 ** (attempt - 1))
            self.attempts += 1
            try:
                if self.conn is None:
                    self.conn = self._connect()
                self.conn.sendmail(cfg.mail_from, [to], data)
                return
            except smtplib.SMTPAuthenticationError as err:
                raise Unreachable(
                    f"SMTP server {cfg.host}:{cfg.port} refused the login of {cfg.user!r}: {_answer(err)}"
                ) from None
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as err:
                code = _code(err)
                if code is not None and 500 <= code < 600:
                    raise PermanentFailure(
                        f"{to}: the server {cfg.host}:{cfg.port} refused the message: {_answer(err)}"
                    ) from None
                last = err  # 4xx: try again, on a fresh connection
                self._drop()
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as err:
                last = err
                self._drop()
        raise Unreachable(
            f"cannot send to {to} through {cfg.host}:{cfg.port} ({cfg.security}) after {cfg.retries} "
            f"attempts: {_answer(last) if last else 'no answer'}"
        )

    def _drop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
            self.conn = None
