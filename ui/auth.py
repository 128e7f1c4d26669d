"""Sign-in and the user's scope.

* **Open mode** (default): no sign-in; a banner on every page says so; scope national.
* **Secured mode**, when `DASHBOARD_USERS_FILE` names a users file (accounts/store.py): every page
  requires sign-in with a username and password (bcrypt), or through the organisation's identity
  provider with `st.login` when `[auth]` is configured in `.streamlit/secrets.toml` (the OIDC
  identity's e-mail must be a username in the users file, which gives the role and scope).
  Sessions expire `DASHBOARD_SESSION_MINUTES` (default 480) after sign-in; a disabled or removed
  account is signed out on its next click.  Failed sign-ins are rate-limited per username and
  source address (`DASHBOARD_MAX_FAILED_SIGNINS`, default 5 per 15 minutes) in a store every
  dashboard process shares (accounts/throttle.py), and logged to `DASHBOARD_AUTH_LOG` (a file,
  created mode 0600) or standard error; the log never contains a password, and a name that is not
  an account is logged as an 8-hex tag (it may be a password typed into the wrong field).
* A users file that cannot be used shows a configuration-error page saying what is wrong (file, key,
  what is expected); nobody gets in until it is fixed.
* A link opened before signing in is honoured after: the page and filters of the address.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from accounts import throttle
from accounts.store import Account, AccountsError, UsersFileError, load_users, verify_password
from metrics.i18n import t
from metrics.scope import OPEN, Scope, for_role
from ui.untrusted import literal

USERS_ENV = "DASHBOARD_USERS_FILE"
SESSION_ENV = "DASHBOARD_SESSION_MINUTES"
MAX_FAILURES_ENV = "DASHBOARD_MAX_FAILED_SIGNINS"
LOG_ENV = "DASHBOARD_AUTH_LOG"
SESSION_KEY = "_user"
FAILURE_WINDOW_SECONDS = throttle.WINDOW_SECONDS

log = logging.getLogger("dashboard.auth")
_fallback_lock = threading.Lock()
_fallback_dir: list[Path] = []
_reported: set[str] = set()  # store problems already logged by this process


@dataclass(frozen=True)
class Session:
    """Who is signed in to this browser session."""

    username: str
    role: str  # national | province | commune | steward
    scope_code: int | None
    signed_in_at: float
    via: str = "password"  # password | oidc


def _setup_log() -> None:
    """Send `dashboard.auth` to $DASHBOARD_AUTH_LOG (a file) or standard error (re-done if it changes)."""
    target = os.environ.get(LOG_ENV) or ""
    if getattr(log, "_target", None) == target:
        return
    for old in list(log.handlers):
        log.removeHandler(old)
        old.close()
    handler: logging.Handler = (
        logging.FileHandler(_private_log(target), encoding="utf-8") if target else logging.StreamHandler()
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log._target = target  # type: ignore[attr-defined]


def _private_log(target: str) -> str:
    """Create the log file readable by its owner only (0600); an existing one loses group-write and
    every permission for others (0640 at most)."""
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        mode = os.fstat(fd).st_mode & 0o777
        if mode & ~0o640:
            with contextlib.suppress(PermissionError):  # not ours: leave it to its owner
                os.fchmod(fd, mode & 0o640)
    finally:
        os.close(fd)
    return target


def _safe(name: str) -> str:
    """A username fit for a log line (no newlines, bounded)."""
    return repr(str(name)[:64])


def _who(name: str, users: dict[str, Account]) -> str:
    """An account's name for the log; anything else as a tag (it may be a password typed into the
    username field, so it is never written out)."""
    if name in users:
        return _safe(name)
    return f"unknown#{_store().tag(name)}"


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


# --- rate limiting (per username and source address, shared by every process) ------------------


def _store() -> throttle.FailureStore:
    """The shared failure store; if it cannot be opened (folder not writable, a symbolic link), a
    private one for this process, and the reason in the log."""
    path = throttle.store_path(users_file())
    try:
        if path is None:
            raise throttle.StoreUnavailable("no users file and no $" + throttle.STATE_DIR_ENV)
        return throttle.open_store(path)
    except (OSError, sqlite3.Error) as err:
        with _fallback_lock:
            if not _fallback_dir:
                _fallback_dir.append(Path(tempfile.mkdtemp(prefix="cds-signins-")))  # mode 0700
            if str(err) not in _reported:
                _reported.add(str(err))
                _setup_log()
                log.error(
                    "sign-in failure store unavailable (%s): counting in this process only; set $%s "
                    "to a writable folder",
                    err,
                    throttle.STATE_DIR_ENV,
                )
        return throttle.open_store(_fallback_dir[0] / throttle.STORE_NAME)


def client_address() -> str:
    """The browser's address as failures are counted: the connection's peer, or what a trusted
    proxy ($DASHBOARD_TRUSTED_PROXIES) wrote in X-Forwarded-For."""
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get_all("X-Forwarded-For")
    except Exception:  # no client context (bare mode)
        peer, forwarded = None, []
    # Without a browser connection (AppTest) the context holds stand-ins, not text: no address.
    peer = peer if isinstance(peer, str) else None
    forwarded = [v for v in forwarded if isinstance(v, str)] if isinstance(forwarded, list) else []
    try:
        proxies = throttle.trusted_proxies()
    except ValueError as err:
        _setup_log()
        log.error("$%s ignored: %s", throttle.TRUSTED_PROXIES_ENV, err)
        proxies = []
    return throttle.source_address(peer, forwarded, proxies)


def locked_for(username: str, address: str | None = None, now: float | None = None) -> float:
    """Seconds until `username` may try again from `address` (0 when not locked)."""
    now = time.time() if now is None else now
    address = client_address() if address is None else address
    return _store().locked_for(username, address, max_failures(), now)


def reset_failures() -> None:
    _store().reset()


def check_credentials(
    username: str, password: str, users: dict[str, Account], address: str | None = None
) -> tuple[Account | None, str]:
    """(account, "") when the credentials are right; (None, reason) otherwise.  Rate-limited per
    (username, address) and logged here, so every caller gets the same rules."""
    _setup_log()
    username = (username or "").strip()
    address = client_address() if address is None else address
    store = _store()
    who = _who(username, users)
    if store.locked_for(username, address, max_failures(), time.time()) > 0:
        log.warning("sign-in refused user=%s from=%s reason=locked", who, address)
        return None, "locked"
    account = users.get(username)
    ok = verify_password(password, account.password_hash if account else None)
    reason = (
        "unknown_user"
        if account is None
        else "wrong_password"
        if not ok
        else "disabled"
        if account.disabled
        else ""
    )
    if reason:
        store.record(username, address, time.time())
        log.warning("sign-in failed user=%s from=%s reason=%s", who, address, reason)
        return None, "failed"
    store.clear(username, address)
    log.info("sign-in ok user=%s from=%s role=%s", who, address, account.role)
    return account, ""


# --- the session ---------------------------------------------------------------------------------


def _users() -> dict[str, Account] | AccountsError:
    """The accounts, or what is wrong with the users file (a file named but missing is wrong too:
    nobody could ever sign in)."""
    path = users_file()
    try:
        if path is None:
            return {}
        if not path.exists():
            raise UsersFileError(
                path,
                "",
                f"does not exist (set ${USERS_ENV} to the users file, or create it with "
                "`python -m accounts add`)",
                f"không tồn tại (đặt ${USERS_ENV} là đường dẫn tệp "
                "tài khoản, hoặc tạo bằng `python -m accounts add`)",
            )
        return load_users(path)
    except AccountsError as err:
        _setup_log()
        log.error("users file unusable, nobody can sign in: %s", err)
        return err


def _still_valid(session: Session, users: dict[str, Account]) -> str:
    """'' when the session may go on; else why not (expired / account changed)."""
    if time.time() - session.signed_in_at > session_minutes() * 60:
        return "expired"
    account = users.get(session.username)
    if (
        account is None
        or account.disabled
        or account.role != session.role
        or account.scope != session.scope_code
    ):
        return "account_changed"
    return ""


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def require(lang: str) -> Session | None:
    """Open mode: the banner, None.  Secured mode: the signed-in session, or the sign-in form and stop."""
    if not secured():
        st.info(t("open_mode_banner", lang), icon=":material/lock_open:")
        return None
    users = _users()
    if isinstance(users, AccountsError):
        _configuration_error(users, lang)
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
    _hold_requested_page()
    _sign_in_form(users, lang)
    st.stop()


def _configuration_error(err: AccountsError, lang: str) -> None:
    """The users file cannot be used: say what is wrong, let nobody in."""
    st.title(t("app_title", lang))
    st.error(t("users_file_error", lang), icon=":material/error:")
    st.code(err.message(lang), language=None, wrap_lines=True)  # plain text, never markdown
    st.stop()


def _hold_requested_page() -> None:
    """While the sign-in form shows, register every page (hidden) so the page the address names
    stays the session's current page: the rerun after sign-in then opens that page, with the
    filters still in the address (state.init refuses them if outside the account's scope)."""
    from ui.nav import PAGES, UPLOAD_PAGE

    # The bare address holds no page yet: its default is a page of its own, so that after sign-in the
    # app's navigation falls back to the role's landing page (ui/nav.py landing_for).
    st.navigation(
        [
            st.Page(_before_sign_in, title="sign-in", default=True),
            *(st.Page(p.path, url_path=p.url_path) for p in [*PAGES, UPLOAD_PAGE]),
        ],
        position="hidden",
    )


def _before_sign_in() -> None:
    """The bare address's page while the sign-in form shows (the form is drawn before it)."""


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
        log.warning("oidc sign-in without an active account user=%s", _who(email, users))
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
    address = client_address()
    account, reason = check_credentials(username, password, users, address)
    if account is None:
        if reason == "locked":
            minutes = max(1, round(locked_for(username.strip(), address) / 60))
            st.error(t("sign_in_locked", lang).format(minutes=minutes))
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
        st.caption(t("signed_in_as", lang).format(user=literal(session.username), role=role))
        if st.button(t("sign_out", lang), key="sign_out"):
            _setup_log()
            log.info("sign-out user=%s", _safe(session.username))
            _forget()
            if session.via == "oidc":
                st.logout()
            st.rerun()
