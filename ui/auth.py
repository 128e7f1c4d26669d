"""Sign-in and the user's scope.

* **Open mode** (default): no sign-in; a banner on every page says so; scope national.
* **Secured mode**, when `DASHBOARD_USERS_FILE` names a users file (accounts/store.py): every page
  requires sign-in with a username and password (bcrypt), or through the organisation's identity
  provider with `st.login` when `[auth]` is configured in `.streamlit/secrets.toml` (the OIDC
  identity's e-mail must be a username in the users file, which gives the role and scope).
  Sessions expire `DASHBOARD_SESSION_MINUTES` (default 480) after sign-in; a disabled or removed
  account is signed out on its next click.  Failed sign-ins are rate-limited per username
  (`DASHBOARD_MAX_FAILED_SIGNINS`, default 5 per 15 minutes) and logged to `DASHBOARD_AUTH_LOG`
  (a file) or standard error; the log never contains a password.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from accounts.store import Account, load_users, verify_password
from metrics.i18n import t
from metrics.scope import OPEN, Scope, for_role

USERS_ENV = "DASHBOARD_USERS_FILE"
SESSION_ENV = "DASHBOARD_SESSION_MINUTES"
MAX_FAILURES_ENV = "DASHBOARD_MAX_FAILED_SIGNINS"
LOG_ENV = "DASHBOARD_AUTH_LOG"
SESSION_KEY = "_user"
FAILURE_WINDOW_SECONDS = 15 * 60

log = logging.getLogger("dashboard.auth")
_failures: dict[str, deque] = {}
_failures_lock = threading.Lock()


@dataclass(frozen=True)
class Session:
    """Who is signed in to this browser session."""

    username: str
    role: str                      # national | province | commune | steward
    scope_code: int | None
    signed_in_at: float
    via: str = "password"          # password | oidc


def _setup_log() -> None:
    """Send `dashboard.auth` to $DASHBOARD_AUTH_LOG (a file) or standard error (re-done if it changes)."""
    target = os.environ.get(LOG_ENV) or ""
    if getattr(log, "_target", None) == target:
        return
    for old in list(log.handlers):
        log.removeHandler(old)
        old.close()
    handler: logging.Handler = logging.FileHandler(target, encoding="utf-8") if target else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log._target = target  # type: ignore[attr-defined]


def _safe(name: str) -> str:
    """A username fit for a log line (no newlines, bounded)."""
    return repr(str(name)[:64])


def users_file() -> Path | None:
    value = os.environ.get(USERS_ENV, "").strip()
    return Path(value) if value else None


def secured() -> bool:
    return users_file() is not None


def session_minutes() -> float:
    try:
        return max(1.0, float(os.environ.get(SESSION_ENV, "480")))
    except ValueError:
        return 480.0


def max_failures() -> int:
    try:
        return max(1, int(os.environ.get(MAX_FAILURES_ENV, "5")))
    except ValueError:
        return 5


# --- rate limiting (per username, per server process) -------------------------------------------

def _recent_failures(username: str, now: float) -> deque:
    q = _failures.setdefault(username.lower(), deque())
    while q and now - q[0] > FAILURE_WINDOW_SECONDS:
        q.popleft()
    return q


def locked_for(username: str, now: float | None = None) -> float:
    """Seconds until `username` may try again (0 when not locked)."""
    now = time.time() if now is None else now
    with _failures_lock:
        q = _recent_failures(username, now)
        if len(q) < max_failures():
            return 0.0
        return max(0.0, FAILURE_WINDOW_SECONDS - (now - q[0]))


def _record_failure(username: str, reason: str) -> None:
    now = time.time()
    with _failures_lock:
        _recent_failures(username, now).append(now)
    log.warning("sign-in failed user=%s reason=%s", _safe(username), reason)


def reset_failures() -> None:
    with _failures_lock:
        _failures.clear()


def check_credentials(username: str, password: str, users: dict[str, Account]) -> tuple[Account | None, str]:
    """(account, "") when the credentials are right; (None, reason) otherwise.  Rate-limited and
    logged here, so every caller gets the same rules."""
    _setup_log()
    username = (username or "").strip()
    if locked_for(username) > 0:
        log.warning("sign-in refused user=%s reason=locked", _safe(username))
        return None, "locked"
    account = users.get(username)
    ok = verify_password(password, account.password_hash if account else None)
    if account is None:
        _record_failure(username, "unknown_user")
        return None, "failed"
    if not ok:
        _record_failure(username, "wrong_password")
        return None, "failed"
    if account.disabled:
        _record_failure(username, "disabled")
        return None, "failed"
    with _failures_lock:
        _failures.pop(username.lower(), None)
    log.info("sign-in ok user=%s role=%s", _safe(username), account.role)
    return account, ""


# --- the session ---------------------------------------------------------------------------------

def _users() -> dict[str, Account] | None:
    path = users_file()
    try:
        return load_users(path) if path else {}
    except (ValueError, OSError) as err:
        _setup_log()
        log.error("users file unreadable: %s", err)
        return None


def _still_valid(session: Session, users: dict[str, Account]) -> str:
    """'' when the session may go on; else why not (expired / account changed)."""
    if time.time() - session.signed_in_at > session_minutes() * 60:
        return "expired"
    account = users.get(session.username)
    if account is None or account.disabled or account.role != session.role or account.scope != session.scope_code:
        return "account_changed"
    return ""


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:          # no secrets file at all
        return False


def require(lang: str) -> Session | None:
    """Open mode: the banner, None.  Secured mode: the signed-in session, or the sign-in form and stop."""
    if not secured():
        st.info(t("open_mode_banner", lang), icon=":material/lock_open:")
        return None
    users = _users()
    if users is None:
        st.error(t("users_file_error", lang))
        st.stop()
    session: Session | None = st.session_state.get(SESSION_KEY)
    if session is not None:
        why = _still_valid(session, users)
        if not why:
            return session
        _setup_log()
        log.info("session ended user=%s reason=%s", _safe(session.username), why)
        _forget()
        if why == "expired":
            st.warning(t("session_expired", lang))
    oidc = _oidc_session(users, lang)
    if oidc is not None:
        return oidc
    _sign_in_form(users, lang)
    st.stop()


def _forget() -> None:
    for key in list(st.session_state.keys()):
        if key != "w_lang":
            del st.session_state[key]


def _oidc_session(users: dict[str, Account], lang: str) -> Session | None:
    if not _oidc_configured():
        return None
    try:
        logged_in = bool(st.user.is_logged_in)
    except Exception:
        return None
    if not logged_in:
        return None
    email = str(st.user.get("email") or "")
    account = users.get(email)
    if account is None or account.disabled:
        _setup_log()
        log.warning("oidc sign-in without an active account user=%s", _safe(email))
        st.error(t("sign_in_failed", lang))
        st.button(t("sign_out", lang), on_click=st.logout)
        st.stop()
    session = Session(account.username, account.role, account.scope, time.time(), via="oidc")
    st.session_state[SESSION_KEY] = session
    return session


def _sign_in_form(users: dict[str, Account], lang: str) -> None:
    st.title(t("app_title", lang))
    with st.form("sign_in"):
        username = st.text_input(t("username", lang), max_chars=64, key="signin_username")
        password = st.text_input(t("password", lang), type="password", max_chars=200, key="signin_password")
        submitted = st.form_submit_button(t("sign_in", lang), type="primary")
    if _oidc_configured():
        st.button(t("sign_in_sso", lang), on_click=st.login)
    if not submitted:
        return
    account, reason = check_credentials(username, password, users)
    if account is None:
        if reason == "locked":
            st.error(t("sign_in_locked", lang).format(minutes=max(1, round(locked_for(username.strip()) / 60))))
        else:
            st.error(t("sign_in_failed", lang))
        return
    _forget()
    st.session_state[SESSION_KEY] = Session(account.username, account.role, account.scope, time.time())
    st.rerun()


def scope_of(session: Session | None) -> Scope:
    """The read-side Scope of the session (open mode: national)."""
    if session is None:
        return OPEN
    from ui.cache import data

    return data(for_role, session.role, session.scope_code)


def sidebar(session: Session | None, lang: str) -> None:
    if session is None:
        return
    with st.sidebar:
        role = t("role_" + session.role, lang).format(scope=session.scope_code or "")
        st.caption(t("signed_in_as", lang).format(user=session.username, role=role))
        if st.button(t("sign_out", lang), key="sign_out"):
            _setup_log()
            log.info("sign-out user=%s", _safe(session.username))
            _forget()
            if session.via == "oidc":
                st.logout()
            st.rerun()
