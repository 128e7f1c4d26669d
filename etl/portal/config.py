"""Settings of the portal fetcher: defaults < config file < environment < command line.

Config file: `$CDS_PORTAL_CONFIG`, else `portal.toml` beside the warehouse when it exists (TOML,
top-level keys as in `PortalConfig`, page sizes under `[page_size]`).  Environment variables: see
`ENV`.  `--base-url` on the command line wins over everything.

Politeness is not configurable below a floor: `min_delay` is at least 1 s, `max_retries` at most 2,
and the stop signals (401, 403, 429, HTML, a "request rejected" body) always stop the run.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

CONFIG_ENV = "CDS_PORTAL_CONFIG"
CONFIG_NAME = "portal.toml"
PROJECT = "cds-dashboard"
VERSION = "0.1.0"

# The base path both public projects used (the contract marks it certain).
DEFAULT_BASE_URL = "https://dichvucong.gov.vn/api/v1/reporting"

# Page sizes the portal's public page sends (copied from the UI by qd766); the maximum the server
# accepts is not known, so they are settings.
DEFAULT_PAGE_SIZES = {
    "transparency": 200,
    "dossier-digitized": 200,
    "handling-satisfaction": 200,
    "dvc-progress-tree": 100,
    "provide-online-tree": 200,
    "formality-online-payment-tree": 100,
}

MIN_DELAY_FLOOR = 1.0
MAX_RETRIES_CAP = 2


class ConfigError(ValueError):
    """A setting that cannot be used; both messages name the setting and what to do."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.message_vi, self.message_en = message_vi, message_en


@dataclass(frozen=True)
class PortalConfig:
    base_url: str = DEFAULT_BASE_URL
    contact: str = ""  # an e-mail or URL where the portal's operators reach us
    user_agent: str = ""  # empty: built from the project name, version and contact
    min_delay: float = 1.0  # seconds between the end of one request and the next (>= 1)
    jitter: float = 0.25  # plus a random 0..jitter seconds
    connect_timeout: float = 10.0
    read_timeout: float = 45.0
    max_retries: int = 2  # transport errors and 5xx only (<= 2)
    backoff: float = 2.0  # retry n waits backoff * 2**(n-1) s (2 s, 4 s)
    max_requests_per_run: int = 250  # one national sweep of a period is 34 x 7 + 1 = 239 requests
    max_requests_per_day: int = 500  # all runs of a calendar day (Asia/Ho_Chi_Minh)
    open_refresh_hours: float = 20.0  # an open period's results are fetched again after this long
    max_pages: int = 100
    max_consecutive_failures: int = 3  # failed endpoints in a row before the run gives up
    max_response_bytes: int = 20_000_000
    handling_satisfaction_body: str = "dates"  # dates (fromDate/toDate, as the public page) | time_type
    origin: str = ""  # Origin / Referer headers: not sent unless set
    referer: str = ""
    proxy: str = ""  # http://host:port of a forward proxy (CONNECT for https)
    stop_phrases: tuple[str, ...] = ("request rejected", "access denied")
    page_size: dict = field(default_factory=lambda: dict(DEFAULT_PAGE_SIZES))
    source: str = "defaults"  # where the settings came from, for the run's record

    @property
    def ua(self) -> str:
        if self.user_agent:
            return self.user_agent
        contact = self.contact or "no contact configured"
        return (
            f"{PROJECT}/{VERSION} portal-fetch (Commune digital-transformation dashboard; "
            f"one request at a time; contact: {contact})"
        )

    def headers(self) -> dict[str, str]:
        out = {"User-Agent": self.ua, "Content-Type": "application/json", "Accept": "application/json"}
        if self.origin:
            out["Origin"] = self.origin
        if self.referer:
            out["Referer"] = self.referer
        return out


# Environment variable -> setting.
ENV = {
    "CDS_PORTAL_URL": "base_url",
    "CDS_PORTAL_CONTACT": "contact",
    "CDS_PORTAL_USER_AGENT": "user_agent",
    "CDS_PORTAL_MIN_DELAY": "min_delay",
    "CDS_PORTAL_JITTER": "jitter",
    "CDS_PORTAL_CONNECT_TIMEOUT": "connect_timeout",
    "CDS_PORTAL_READ_TIMEOUT": "read_timeout",
    "CDS_PORTAL_BUDGET": "max_requests_per_run",
    "CDS_PORTAL_DAILY_BUDGET": "max_requests_per_day",
    "CDS_PORTAL_PROXY": "proxy",
}


def config_path(db_path: Path) -> Path | None:
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    beside = Path(db_path).resolve().parent / CONFIG_NAME
    return beside if beside.exists() else None


def load_config(db_path: Path, base_url: str | None = None, environ: dict | None = None) -> PortalConfig:
    """The settings for a warehouse: defaults, then the config file, the environment, `base_url`."""
    env = os.environ if environ is None else environ
    cfg = PortalConfig()
    sources = []
    path = Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else config_path(db_path)
    if path is not None:
        cfg = _apply(cfg, _read_file(path), str(path))
        sources.append(str(path))
    from_env = {name: env[var] for var, name in ENV.items() if env.get(var, "").strip()}
    if from_env:
        cfg = _apply(cfg, from_env, "environment")
        sources.append("environment")
    if base_url:
        cfg = _apply(cfg, {"base_url": base_url}, "--base-url")
        sources.append("--base-url")
    cfg = replace(cfg, source=", ".join(sources) or "defaults")
    _check(cfg)
    return cfg


def _read_file(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as err:
        raise ConfigError(
            f"{path}: không mở được tệp cấu hình ({err.strerror}) — kiểm tra {CONFIG_ENV}.",
            f"{path}: cannot open the config file ({err.strerror}) — check {CONFIG_ENV}.",
        ) from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(
            f"{path}: tệp cấu hình không phải TOML hợp lệ ({err}) — sửa tệp.",
            f"{path}: the config file is not valid TOML ({err}) — fix the file.",
        ) from err


_TYPES = {f.name: f.type for f in fields(PortalConfig)}


def _apply(cfg: PortalConfig, values: dict, where: str) -> PortalConfig:
    changes: dict = {}
    for key, raw in values.items():
        if key not in _TYPES or key == "source":
            known = ", ".join(sorted(k for k in _TYPES if k != "source"))
            raise ConfigError(
                f"{where}: không có thiết lập '{key}' — dùng một trong: {known}.",
                f"{where}: there is no setting '{key}' — use one of: {known}.",
            )
        kind = _TYPES[key]
        try:
            if key == "page_size":
                if not isinstance(raw, dict):
                    raise TypeError
                merged = dict(cfg.page_size)
                for name, size in raw.items():
                    if name not in DEFAULT_PAGE_SIZES or isinstance(size, bool) or int(size) < 1:
                        raise TypeError
                    merged[name] = int(size)
                changes[key] = merged
            elif key == "stop_phrases":
                if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
                    raise TypeError
                # The documented phrases always stay; a file may add to them.
                changes[key] = tuple(dict.fromkeys([*PortalConfig.stop_phrases, *(x.lower() for x in raw)]))
            elif kind == "float":
                changes[key] = float(raw)
            elif kind == "int":
                if isinstance(raw, float) and not raw.is_integer():
                    raise ValueError
                changes[key] = int(raw)
            else:
                if not isinstance(raw, str):
                    raise TypeError
                changes[key] = raw.strip()
        except (TypeError, ValueError) as err:
            raise ConfigError(
                f"{where}: giá trị '{raw}' của '{key}' không hợp lệ — xem docs/portal-fetch.md.",
                f"{where}: value '{raw}' of '{key}' is not valid — see docs/portal-fetch.md.",
            ) from err
    return replace(cfg, **changes)


def _check(cfg: PortalConfig) -> None:
    def bad(vi: str, en: str) -> None:
        raise ConfigError(f"cấu hình ({cfg.source}): {vi}", f"settings ({cfg.source}): {en}")

    if not cfg.base_url.startswith(("http://", "https://")):
        bad(
            f"base_url '{cfg.base_url}' phải bắt đầu bằng http:// hoặc https://.",
            f"base_url '{cfg.base_url}' must start with http:// or https://.",
        )
    if cfg.proxy and not cfg.proxy.startswith("http://"):
        bad(
            f"proxy '{cfg.proxy}' phải có dạng http://máy:cổng.",
            f"proxy '{cfg.proxy}' must be http://host:port.",
        )
    if cfg.min_delay < MIN_DELAY_FLOOR:
        bad(
            f"min_delay {cfg.min_delay} nhỏ hơn {MIN_DELAY_FLOOR} giây — không được gửi nhanh hơn một yêu cầu "
            f"mỗi giây.",
            f"min_delay {cfg.min_delay} is below {MIN_DELAY_FLOOR} s — never more than one request a second.",
        )
    if cfg.jitter < 0:
        bad("jitter không được âm.", "jitter must not be negative.")
    if not 0 <= cfg.max_retries <= MAX_RETRIES_CAP:
        bad(f"max_retries phải từ 0 đến {MAX_RETRIES_CAP}.", f"max_retries must be 0 to {MAX_RETRIES_CAP}.")
    for name in ("connect_timeout", "read_timeout", "backoff", "open_refresh_hours"):
        if getattr(cfg, name) <= 0:
            bad(f"{name} phải dương.", f"{name} must be positive.")
    for name in (
        "max_requests_per_run",
        "max_requests_per_day",
        "max_pages",
        "max_consecutive_failures",
        "max_response_bytes",
    ):
        if getattr(cfg, name) < 1:
            bad(f"{name} phải ít nhất là 1.", f"{name} must be at least 1.")
    if cfg.handling_satisfaction_body not in ("dates", "time_type"):
        bad(
            "handling_satisfaction_body phải là 'dates' hoặc 'time_type'.",
            "handling_satisfaction_body must be 'dates' or 'time_type'.",
        )
