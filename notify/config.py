"""Where notify sends from and to: SMTP settings from the environment (`CDS_SMTP_HOST`,
`CDS_SMTP_PORT`, `CDS_SMTP_SECURITY` none|starttls|tls, `CDS_SMTP_USER`, `CDS_SMTP_PASSWORD`,
`CDS_MAIL_FROM`) or the same keys at the top level of Streamlit's secrets file
(`.streamlit/secrets.toml` in the working directory, else `~/.streamlit/secrets.toml`); the
environment wins.  `CDS_PUBLIC_URL`: the dashboard's public address for deep links.
`CDS_NOTIFY_RECORD`: the sent record (default: `notify-sent.jsonl` beside the users file)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

SECURITY = ("none", "starttls", "tls")
KEYS = (
    "CDS_SMTP_HOST",
    "CDS_SMTP_PORT",
    "CDS_SMTP_SECURITY",
    "CDS_SMTP_USER",
    "CDS_SMTP_PASSWORD",
    "CDS_MAIL_FROM",
    "CDS_PUBLIC_URL",
    "CDS_NOTIFY_RECORD",
    "CDS_SMTP_RETRIES",
    "CDS_SMTP_BACKOFF",
)
DEFAULT_PUBLIC_URL = "http://localhost:8501"
RECORD_NAME = "notify-sent.jsonl"


class ConfigError(ValueError):
    """A setting is missing or wrong: which key, what is expected."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    user: str
    password: str
    mail_from: str
    retries: int = 4  # attempts per message on temporary failures
    backoff: float = 2.0  # seconds before the 2nd attempt; doubled each time
    timeout: float = 30.0

    def __repr__(self) -> str:  # never print the password
        return (
            f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"user={self.user!r}, mail_from={self.mail_from!r})"
        )


def _secrets(paths: list[Path] | None = None) -> dict:
    for p in paths or [
        Path.cwd() / ".streamlit" / "secrets.toml",
        Path.home() / ".streamlit" / "secrets.toml",
    ]:
        if p.is_file():
            try:
                raw = tomllib.loads(p.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
                raise ConfigError(f"Streamlit secrets {p}: cannot be read ({err})") from None
            return {k: str(v) for k, v in raw.items() if k in KEYS}
    return {}


def settings(env=None, secrets_paths: list[Path] | None = None) -> dict[str, str]:
    """Every notify key that is set: the Streamlit secrets, overridden by the environment."""
    env = os.environ if env is None else env
    out = _secrets(secrets_paths)
    out.update({k: env[k] for k in KEYS if env.get(k)})
    return out


def smtp_config(values: dict[str, str]) -> SmtpConfig:
    host = values.get("CDS_SMTP_HOST", "").strip()
    if not host:
        raise ConfigError("CDS_SMTP_HOST is not set: the SMTP server's name (or use --dry-run OUTDIR)")
    security = values.get("CDS_SMTP_SECURITY", "starttls").strip().lower()
    if security not in SECURITY:
        raise ConfigError(f"CDS_SMTP_SECURITY={security!r}: expected one of {', '.join(SECURITY)}")
    default_port = {"none": 25, "starttls": 587, "tls": 465}[security]
    try:
        port = int(values.get("CDS_SMTP_PORT") or default_port)
        retries = int(values.get("CDS_SMTP_RETRIES") or 4)
        backoff = float(values.get("CDS_SMTP_BACKOFF") or 2.0)
    except ValueError as err:
        raise ConfigError(
            f"CDS_SMTP_PORT / CDS_SMTP_RETRIES / CDS_SMTP_BACKOFF: not a number ({err})"
        ) from None
    if not 0 < port < 65536:
        raise ConfigError(f"CDS_SMTP_PORT={port}: expected 1-65535")
    mail_from = values.get("CDS_MAIL_FROM", "").strip()
    from accounts.store import valid_email

    if not valid_email(mail_from):
        raise ConfigError(
            f"CDS_MAIL_FROM={mail_from!r}: expected the sender's address, e.g. cds@phutho.gov.vn"
        )
    return SmtpConfig(
        host,
        port,
        security,
        values.get("CDS_SMTP_USER", ""),
        values.get("CDS_SMTP_PASSWORD", ""),
        mail_from,
        max(1, retries),
        max(0.0, backoff),
    )


def public_url(values: dict[str, str]) -> str:
    return (values.get("CDS_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def record_path(values: dict[str, str], users_file: str | Path) -> Path:
    if values.get("CDS_NOTIFY_RECORD"):
        return Path(values["CDS_NOTIFY_RECORD"])
    return Path(users_file).resolve().parent / RECORD_NAME
