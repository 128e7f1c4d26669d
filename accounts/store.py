"""The users file: one TOML table per user, written atomically, readable only by its owner.

    [users."pt.lanhdao"]
    role = "province"            # national | province | commune | steward
    scope = 25                   # province code (province, steward) or commune code (commune)
    password_hash = "$2b$12$..." # bcrypt
    disabled = false
    created_at = "2026-01-05T09:12:00"

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


def load_users(path: str | Path) -> dict[str, Account]:
    """Accounts by username; an absent file has none.  Raises ValueError for a malformed file."""
    p = Path(path)
    if not p.exists():
        return {}
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{p}: not a valid users file ({err})") from err
    out: dict[str, Account] = {}
    for name, entry in (raw.get("users") or {}).items():
        role = entry.get("role")
        if not valid_username(name) or role not in ROLES:
            raise ValueError(f"{p}: user {name!r} has an invalid name or role")
        scope = entry.get("scope")
        if role != "national" and not isinstance(scope, int):
            raise ValueError(f"{p}: user {name!r} (role {role}) needs an integer scope code")
        out[name] = Account(name, role, scope if role != "national" else None, str(entry.get("password_hash", "")),
                            bool(entry.get("disabled", False)), str(entry.get("created_at", "")))
    return out


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
