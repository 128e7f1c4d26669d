"""The users file: one TOML table per user, written atomically, readable only by its owner.

    [users."pt.lanhdao"]
    role = "province"            # national | province | commune | steward
    scope = 25                   # province code (province, steward) or commune code (commune)
    password_hash = "$2b$12$..." # bcrypt
    disabled = false
    created_at = "2026-01-05T09:12:00"
    email = "lanhdao@phutho.gov.vn"  # optional: where notify sends the monthly pack and alerts
    lang = "vi"                      # vi | en: the language of those e-mails
    subscribe = ["pack", "alerts"]   # pack: the report/briefing; alerts: the needs-attention list

Passwords are never stored or printed, only their bcrypt hashes (bcrypt reads at most 72 bytes, so
longer passwords are refused rather than silently cut).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import bcrypt

ROLES = ("national", "province", "commune", "steward")
LANGS = ("vi", "en")
SUBSCRIPTIONS = ("pack", "alerts")
# One address, no display name, no spaces or line breaks (a header cannot be injected through it).
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
USERNAME_RE = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72
# A valid hash of a random password: unknown users cost the same bcrypt time as known ones.
_DUMMY_HASH = bcrypt.hashpw(os.urandom(16).hex().encode(), bcrypt.gensalt(rounds=12))


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    scope: int | None
    password_hash: str
    disabled: bool = False
    created_at: str = ""
    email: str = ""
    lang: str = "vi"
    subscribe: tuple[str, ...] = ()

    @property
    def subscriber(self) -> bool:
        """Receives e-mail: active, with an address and at least one subscription."""
        return bool(self.email and self.subscribe and not self.disabled)


def valid_email(address: str) -> bool:
    return bool(address) and len(address) <= 254 and bool(EMAIL_RE.match(address)) and ".." not in address


def valid_username(name: str) -> bool:
    return bool(USERNAME_RE.match(name or ""))


def hash_password(password: str, rounds: int = 12) -> str:
    data = password.encode("utf-8")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password too short (at least {MIN_PASSWORD} characters)")
    if len(data) > MAX_PASSWORD_BYTES:
        raise ValueError(f"password too long (at most {MAX_PASSWORD_BYTES} bytes)")
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when `password` matches; always spends one bcrypt check (also for unknown users)."""
    data = (password or "").encode("utf-8")
    ok_length = 0 < len(data) <= MAX_PASSWORD_BYTES
    target = password_hash.encode("ascii") if password_hash else _DUMMY_HASH
    try:
        match = bcrypt.checkpw(data[:MAX_PASSWORD_BYTES] or b"-", target)
    except ValueError:
        return False
    return bool(match and ok_length and password_hash)


class AccountsError(ValueError):
    """A problem an administrator must fix, in English (str) and Vietnamese."""

    def __init__(self, message_en: str, message_vi: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi

    def message(self, lang: str) -> str:
        return self.message_vi if lang == "vi" else self.message_en


class UsersFileError(AccountsError):
    """The users file cannot be used: which file, which key, what was expected."""

    def __init__(self, path: Path, key: str, problem_en: str, problem_vi: str) -> None:
        where = f"{path}" + (f", {key}" if key else "")
        super().__init__(f"users file {where}: {problem_en}", f"tệp tài khoản {where}: {problem_vi}")
        self.path, self.key = path, key


ENTRY_KEYS = ("role", "scope", "password_hash", "disabled", "created_at", "email", "lang", "subscribe")
BCRYPT_RE = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")


def _key(name: str, field: str | None = None) -> str:
    return f"users.{json.dumps(name, ensure_ascii=False)}" + (f".{field}" if field else "")


def _parse_entry(p: Path, name, entry) -> Account:
    from accounts.units import scope_problem, toml_repr, type_name

    if not isinstance(name, str) or not valid_username(name):
        raise UsersFileError(
            p,
            _key(str(name)),
            "not a valid user name (1-64 characters: letters, digits, . _ @ -)",
            "tên đăng nhập không hợp lệ (1-64 ký tự: chữ, số, . _ @ -)",
        )
    if not isinstance(entry, dict):
        en, vi = type_name(entry)
        raise UsersFileError(
            p,
            _key(name),
            f'is {en}; expected a table ([users."{name}"] with role, scope, password_hash)',
            f'là {vi}; cần một bảng ([users."{name}"] có role, scope, password_hash)',
        )
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    if unknown:
        raise UsersFileError(
            p,
            _key(name, unknown[0]),
            f"unknown key (expected {', '.join(ENTRY_KEYS)})",
            f"khóa không hợp lệ (chỉ dùng {', '.join(ENTRY_KEYS)})",
        )
    role = entry.get("role")
    if not isinstance(role, str) or role not in ROLES:
        shown = toml_repr(role)
        raise UsersFileError(
            p,
            _key(name, "role"),
            f"{shown} is not a role (expected one of {', '.join(ROLES)})",
            f"{shown} không phải vai trò (chỉ dùng {', '.join(ROLES)})",
        )
    scope = entry.get("scope")
    problem = scope_problem(role, scope)
    if problem:
        raise UsersFileError(p, _key(name, "scope"), *problem)
    password_hash = entry.get("password_hash", "")
    if not isinstance(password_hash, str) or (password_hash and not BCRYPT_RE.match(password_hash)):
        raise UsersFileError(
            p,
            _key(name, "password_hash"),
            "is not a bcrypt hash (set the password with `python -m accounts add`)",
            "không phải mã băm bcrypt (đặt mật khẩu bằng `python -m accounts add`)",
        )
    disabled = entry.get("disabled", False)
    if type(disabled) is not bool:
        en, vi = type_name(disabled)
        raise UsersFileError(
            p, _key(name, "disabled"), f"is {en}; expected true or false", f"là {vi}; cần true hoặc false"
        )
    created_at = entry.get("created_at", "")
    if isinstance(created_at, (dict, list, bool, int, float)):
        en, vi = type_name(created_at)
        raise UsersFileError(
            p, _key(name, "created_at"), f"is {en}; expected a date and time", f"là {vi}; cần ngày giờ"
        )
    email = entry.get("email", "")
    if not isinstance(email, str) or (email and not valid_email(email)):
        shown = toml_repr(email)
        raise UsersFileError(
            p,
            _key(name, "email"),
            f"{shown} is not an e-mail address (expected name@domain, one address)",
            f"{shown} không phải địa chỉ thư điện tử (cần dạng ten@tenmien, một địa chỉ)",
        )
    lang = entry.get("lang", "vi")
    if lang not in LANGS:
        shown = toml_repr(lang)
        raise UsersFileError(
            p,
            _key(name, "lang"),
            f"{shown} is not a language (vi or en)",
            f"{shown} không phải ngôn ngữ (vi hoặc en)",
        )
    subscribe = entry.get("subscribe", [])
    if not isinstance(subscribe, list) or any(s not in SUBSCRIPTIONS for s in subscribe):
        shown = (
            toml_repr(subscribe)
            if not isinstance(subscribe, list)
            else json.dumps(subscribe, ensure_ascii=False)
        )
        raise UsersFileError(
            p,
            _key(name, "subscribe"),
            f"{shown} is not a list of subscriptions (expected some of {', '.join(SUBSCRIPTIONS)})",
            f"{shown} không phải danh sách đăng ký (chỉ dùng {', '.join(SUBSCRIPTIONS)})",
        )
    return Account(
        name,
        role,
        scope,
        password_hash,
        disabled,
        str(created_at),
        email,
        lang,
        tuple(s for s in SUBSCRIPTIONS if s in subscribe),
    )


def load_users(path: str | Path) -> dict[str, Account]:
    """Accounts by username; an absent file has none.  Strict: raises UsersFileError (a ValueError)
    naming the file, the key and what was expected for anything malformed — a scope that is a
    boolean, a float or a code of the wrong kind, an entry that is not a table, an unknown key."""
    p = Path(path)
    if not p.exists():
        return {}
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise UsersFileError(
            p, "", f"cannot be read ({err.strerror or err})", f"không đọc được ({err.strerror or err})"
        ) from err
    except UnicodeDecodeError as err:
        raise UsersFileError(p, "", "is not UTF-8 text", "không phải văn bản UTF-8") from err
    except tomllib.TOMLDecodeError as err:
        raise UsersFileError(p, "", f"not valid TOML ({err})", f"không đúng cú pháp TOML ({err})") from err
    unknown = sorted(set(raw) - {"users"})
    if unknown:
        raise UsersFileError(
            p,
            unknown[0],
            "unknown key (the file holds only [users.NAME] tables)",
            "khóa không hợp lệ (tệp chỉ gồm các bảng [users.TÊN])",
        )
    users = raw.get("users", {})
    if not isinstance(users, dict):
        from accounts.units import type_name

        en, vi = type_name(users)
        raise UsersFileError(
            p,
            "users",
            f"is {en}; expected a table of accounts ([users.NAME] sections)",
            f"là {vi}; cần bảng các tài khoản (các mục [users.TÊN])",
        )
    return {name: _parse_entry(p, name, entry) for name, entry in users.items()}


def save_users(path: str | Path, users: dict[str, Account]) -> None:
    """Write the file atomically (temp file + rename), mode 0600."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Dashboard accounts — managed by `python -m accounts`; passwords are bcrypt hashes.", ""]
    for name in sorted(users):
        a = users[name]
        lines.append(f"[users.{json.dumps(name)}]")
        lines.append(f"role = {json.dumps(a.role)}")
        if a.scope is not None:
            lines.append(f"scope = {int(a.scope)}")
        lines.append(f"password_hash = {json.dumps(a.password_hash)}")
        lines.append(f"disabled = {'true' if a.disabled else 'false'}")
        if a.created_at:
            lines.append(f"created_at = {json.dumps(a.created_at)}")
        if a.email:
            lines.append(f"email = {json.dumps(a.email)}")
        if a.lang != "vi":
            lines.append(f"lang = {json.dumps(a.lang)}")
        if a.subscribe:
            lines.append(f"subscribe = {json.dumps(list(a.subscribe))}")
        lines.append("")
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
