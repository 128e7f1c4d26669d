"""Failed sign-ins, shared by every dashboard process: a small SQLite file.

A failure is counted per (account, source address): someone who guesses passwords for `pt.lanhdao`
from one address locks that account out *from that address* only, so the owner at another address
still signs in.  The count lives in a file every process of the dashboard opens (several Streamlit
servers behind one proxy, a restart), not in one process's memory.

* Where: `$DASHBOARD_STATE_DIR/signin-failures.sqlite3` when set, else beside the users file
  (`<users file>.signins.sqlite3`).  Created mode 0600 (its folder 0700 when created here), never
  through a symbolic link.
* What: the account as a keyed hash (HMAC-SHA256 with a random key kept in the file), never the
  name typed — which is sometimes a password typed into the wrong field — and the address.
* The same key gives `tag(name)`: 8 hex characters that stand for an unknown user name in the log.

`source_address` picks the address to count: the connection's peer, or, only when the peer is a
proxy listed in $DASHBOARD_TRUSTED_PROXIES, the address that proxy put in X-Forwarded-For.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import os
import secrets
import sqlite3
import stat
import threading
from pathlib import Path

STATE_DIR_ENV = "DASHBOARD_STATE_DIR"
TRUSTED_PROXIES_ENV = "DASHBOARD_TRUSTED_PROXIES"
STORE_NAME = "signin-failures.sqlite3"
WINDOW_SECONDS = 15 * 60
LOCAL = "local"  # the address of a browser on the server itself (loopback)

_SCHEMA = (
    "create table if not exists failure (account text not null, address text not null, at real not null)",
    "create index if not exists failure_key on failure (account, address, at)",
    "create table if not exists meta (key text primary key, value text not null)",
)


class StoreUnavailable(OSError):
    """The store file cannot be created or opened safely."""


def store_path(users_file: Path | None) -> Path | None:
    """Where the store lives: $DASHBOARD_STATE_DIR, else beside the users file; None if neither."""
    state_dir = os.environ.get(STATE_DIR_ENV, "").strip()
    if state_dir:
        return Path(state_dir) / STORE_NAME
    if users_file is not None:
        return users_file.with_name(users_file.name + ".signins.sqlite3")
    return None


def _create_private(path: Path) -> None:
    """Create `path` mode 0600 (its folder 0700 if missing), refusing symbolic links."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as err:
        raise StoreUnavailable(f"cannot open {path}: {err.strerror or err}") from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StoreUnavailable(f"{path} is not a regular file")
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class FailureStore:
    """Failed sign-ins by (account, address) in a SQLite file, safe for several processes."""

    def __init__(self, path: Path, window: float = WINDOW_SECONDS) -> None:
        self.path = Path(path)
        self.window = window
        _create_private(self.path)
        with self._connect() as con:
            for statement in _SCHEMA:
                con.execute(statement)
            con.execute("insert or ignore into meta values ('key', ?)", [secrets.token_hex(32)])
            self._key = bytes.fromhex(con.execute("select value from meta where key = 'key'").fetchone()[0])

    @contextlib.contextmanager
    def _connect(self):
        if self.path.is_symlink():
            raise StoreUnavailable(f"{self.path} is a symbolic link")
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("begin immediate")
            yield con
            con.execute("commit")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                con.execute("rollback")
            raise
        finally:
            con.close()

    def account_key(self, name: str) -> str:
        return hmac.new(self._key, (name or "").strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()

    def tag(self, name: str) -> str:
        """8 hex characters standing for `name` in the log (the same name gives the same tag)."""
        return self.account_key(name)[:8]

    def locked_for(self, name: str, address: str, max_failures: int, now: float) -> float:
        """Seconds until `name` may try again from `address` (0 when not locked)."""
        with self._connect() as con:
            rows = con.execute(
                "select at from failure where account = ? and address = ? and at > ? order by at",
                [self.account_key(name), address, now - self.window],
            ).fetchall()
        if len(rows) < max_failures:
            return 0.0
        # Locked until enough failures leave the window for fewer than `max_failures` to remain.
        frees_at = rows[len(rows) - max_failures][0] + self.window
        return max(0.0, frees_at - now)

    def record(self, name: str, address: str, now: float) -> None:
        with self._connect() as con:
            con.execute("insert into failure values (?, ?, ?)", [self.account_key(name), address, now])
            con.execute("delete from failure where at <= ?", [now - self.window])

    def clear(self, name: str, address: str) -> None:
        with self._connect() as con:
            con.execute(
                "delete from failure where account = ? and address = ?", [self.account_key(name), address]
            )

    def reset(self) -> None:
        with self._connect() as con:
            con.execute("delete from failure")


_stores: dict[Path, FailureStore] = {}
_stores_lock = threading.Lock()


def open_store(path: Path) -> FailureStore:
    """One FailureStore per path per process (the file is shared between processes)."""
    path = Path(path).absolute()
    with _stores_lock:
        store = _stores.get(path)
        if store is None or not path.exists():
            store = _stores[path] = FailureStore(path)
        return store


# --- the address a failure is counted against ------------------------------------------------------


def trusted_proxies(value: str | None = None) -> list:
    """$DASHBOARD_TRUSTED_PROXIES: comma-separated addresses or networks of reverse proxies whose
    X-Forwarded-For is believed.  Raises ValueError for an entry that is not an address or network."""
    text = os.environ.get(TRUSTED_PROXIES_ENV, "") if value is None else value
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def _ip(text: str):
    text = text.strip().strip('"')
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 203.0.113.5:443
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(ip, proxies: list) -> bool:
    return ip is not None and any(ip in net for net in proxies)


def source_address(peer: str | None, forwarded_for: list[str] | None, proxies: list) -> str:
    """The address to count failures against.  `peer` is the connection's address (Streamlit gives
    None for loopback); `forwarded_for` the X-Forwarded-For header values.  X-Forwarded-For is used
    only when the peer is a trusted proxy: the right-most address in it that is not itself a trusted
    proxy (the one our proxy saw), since anything left of that was written by the client."""
    peer_ip = ipaddress.ip_address("127.0.0.1") if peer is None else _ip(peer)
    here = LOCAL if peer is None else (str(peer_ip) if peer_ip is not None else str(peer)[:64])
    if not forwarded_for or not _trusted(peer_ip, proxies):
        return here
    hops = [h for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return hop.strip()[:64]
        if not _trusted(ip, proxies):
            return str(ip)
    return here
