"""Sign-in hardening (issue 13): a users file that cannot be used gives a configuration-error page;
unknown user names are never logged in full; the auth log is private; failed sign-ins lock a user
out per source address, counted in a store every dashboard process shares; a deep link opened
before signing in is the view shown after."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time

import pytest
from streamlit.testing.v1 import AppTest

from accounts import throttle
from metrics.i18n import t
from tests.security.conftest import PASSWORD, PHU_THO, ROOT, VAN_BAN, page_text, run_as
from ui import auth
from ui.auth import SESSION_KEY


def sign_in(at, user, password):
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


# --- configuration errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[users.pt]\nrole = "province"\nscope = true\n', 'users."pt".scope'),
        ("users = 5\n", "users"),
        ('users = { pt = "province" }\n', 'users."pt"'),
    ],
)
def test_unusable_users_file_shows_a_configuration_error(secured, monkeypatch, tmp_path, text, key):
    users = tmp_path / "broken-users.toml"
    users.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(users))
    for lang in ("vi", "en"):
        at = run_as(None, "province", lang=lang)
        assert [e.value for e in at.error] == [t("users_file_error", lang)]
        detail = " ".join(c.value for c in at.code)
        assert str(users) in detail and key in detail
        assert not at.text_input and not at.dataframe and not at.metric  # nobody gets in
    # ... nor does an old session (the file is read on every run)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state[SESSION_KEY] = auth.Session("pt", "province", PHU_THO, time.time())
    at.run()
    assert at.code and not at.dataframe and not at.metric
    assert "users file unusable" in (tmp_path / "auth.log").read_text()


def test_users_file_named_but_missing_is_a_configuration_error(secured, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(tmp_path / "typo.toml"))
    at = run_as(None, "province", lang="en")
    assert "does not exist" in " ".join(c.value for c in at.code) and not at.text_input


# --- the log --------------------------------------------------------------------------------------


def test_unknown_user_names_are_logged_as_a_tag(secured, tmp_path):
    typed = "Mật-khẩu-gõ-nhầm-ô-2026"  # a password typed into the username field
    at = run_as(None, "province")
    sign_in(at, typed, "anything at all")
    sign_in(at, typed, "anything at all")
    sign_in(at, "pt", "wrong password")
    log = (tmp_path / "auth.log").read_text(encoding="utf-8")
    assert typed not in log and typed[:8] not in log and typed.lower() not in log
    tags = [line.split("user=unknown#")[1][:8] for line in log.splitlines() if "user=unknown#" in line]
    assert len(tags) == 2 and tags[0] == tags[1] and all(len(tag) == 8 for tag in tags)  # same name, same tag
    assert "user='pt'" in log and "wrong password" not in log


def test_auth_log_is_created_private(secured, tmp_path):
    log = tmp_path / "auth.log"
    assert not log.exists()
    at = run_as(None, "province")
    sign_in(at, "pt", "wrong password")
    assert log.stat().st_mode & 0o777 == 0o600


def test_existing_auth_log_loses_access_for_others(secured, tmp_path, monkeypatch):
    log = tmp_path / "older.log"
    log.write_text("")
    log.chmod(0o666)
    monkeypatch.setenv("DASHBOARD_AUTH_LOG", str(log))
    at = run_as(None, "province")
    sign_in(at, "pt", "wrong password")
    assert log.stat().st_mode & 0o777 == 0o640 and "reason=wrong_password" in log.read_text()


# --- rate limits per user and address, shared between processes -----------------------------------


def test_lockout_is_per_user_and_source_address(secured, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_MAX_FAILED_SIGNINS", "3")
    address = {"now": "203.0.113.5"}
    monkeypatch.setattr(auth, "client_address", lambda: address["now"])
    attacker = run_as(None, "province")
    for _ in range(3):
        sign_in(attacker, "pt", "guess")
    sign_in(attacker, "pt", PASSWORD)  # right password, locked from there
    assert SESSION_KEY not in attacker.session_state
    assert any(t("sign_in_locked", "vi").split("{")[0] in e.value for e in attacker.error)
    other = run_as(None, "province")  # another browser, same address
    sign_in(other, "pt", PASSWORD)
    assert SESSION_KEY not in other.session_state
    address["now"] = "198.51.100.7"  # the owner, elsewhere
    owner = run_as(None, "province")
    sign_in(owner, "pt", PASSWORD)
    assert owner.session_state[SESSION_KEY].username == "pt"
    log = (tmp_path / "auth.log").read_text()
    assert "from=203.0.113.5 reason=locked" in log and "sign-in ok user='pt' from=198.51.100.7" in log


def test_lockout_ends_after_the_window(tmp_path):
    store = throttle.FailureStore(tmp_path / "s.sqlite3", window=900)
    for at in (0, 100, 200):
        store.record("pt", "203.0.113.5", 1000 + at)
    assert store.locked_for("pt", "203.0.113.5", 3, 1300) == pytest.approx(900 - 300)
    assert store.locked_for("PT ", "203.0.113.5", 3, 1300) > 0  # names as the form trims them
    assert store.locked_for("pt", "203.0.113.5", 3, 1000 + 900 + 1) == 0  # the first left the window
    assert store.locked_for("pt", "203.0.113.6", 3, 1300) == 0
    store.clear("pt", "203.0.113.5")
    assert store.locked_for("pt", "203.0.113.5", 3, 1300) == 0


SECOND_PROCESS = """
import sys, time
from accounts import throttle
store = throttle.open_store(throttle.store_path(None))
for _ in range(int(sys.argv[1])):
    store.record(sys.argv[2], sys.argv[3], time.time())
"""


def test_failures_are_counted_across_processes(secured, monkeypatch, tmp_path):
    """Another dashboard process (same state folder) counts into the same store: its failures lock
    the user here; the store holds no user name in clear."""
    state = tmp_path / "state"
    monkeypatch.setenv("DASHBOARD_STATE_DIR", str(state))
    monkeypatch.setenv("DASHBOARD_MAX_FAILED_SIGNINS", "4")
    typed = "this-is-no-user-name"
    r = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, "4", "pt", "local"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DASHBOARD_STATE_DIR": str(state)},
    )
    assert r.returncode == 0, r.stderr
    subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, "1", typed, "local"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DASHBOARD_STATE_DIR": str(state)},
    )
    at = run_as(None, "province")
    sign_in(at, "pt", PASSWORD)
    assert SESSION_KEY not in at.session_state
    assert any(t("sign_in_locked", "vi").split("{")[0] in e.value for e in at.error)
    path = state / throttle.STORE_NAME
    assert path.stat().st_mode & 0o777 == 0o600 and state.stat().st_mode & 0o777 == 0o700
    assert typed.encode() not in path.read_bytes()


def test_store_lives_beside_the_users_file_or_in_the_state_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DASHBOARD_STATE_DIR", raising=False)
    assert throttle.store_path(tmp_path / "users.toml") == tmp_path / "users.toml.signins.sqlite3"
    monkeypatch.setenv("DASHBOARD_STATE_DIR", str(tmp_path / "state"))
    assert throttle.store_path(tmp_path / "users.toml") == tmp_path / "state" / throttle.STORE_NAME


def test_store_refuses_a_symbolic_link(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("")
    (tmp_path / "store").symlink_to(target)
    with pytest.raises(throttle.StoreUnavailable):
        throttle.FailureStore(tmp_path / "store")


def test_unwritable_store_falls_back_to_this_process(secured, monkeypatch, tmp_path):
    """A store that cannot be opened does not stop sign-in: failures are counted in this process and
    the reason is logged."""
    monkeypatch.setenv("DASHBOARD_STATE_DIR", "/proc/no-such-folder")
    at = run_as(None, "province")
    sign_in(at, "pt", "wrong password")
    sign_in(at, "pt", PASSWORD)
    assert at.session_state[SESSION_KEY].username == "pt"
    assert "sign-in failure store unavailable" in (tmp_path / "auth.log").read_text()


def test_source_address_believes_forwarded_for_only_from_trusted_proxies():
    proxies = throttle.trusted_proxies("10.0.0.5, 172.16.0.0/12")
    assert throttle.source_address("203.0.113.5", ["198.51.100.7"], proxies) == "203.0.113.5"  # not a proxy
    assert throttle.source_address("203.0.113.5", ["198.51.100.7"], []) == "203.0.113.5"
    assert throttle.source_address("10.0.0.5", ["198.51.100.7"], proxies) == "198.51.100.7"
    # The client may write anything on the left; the proxy's own entry is the right-most untrusted one.
    assert throttle.source_address("10.0.0.5", ["1.2.3.4, 198.51.100.7"], proxies) == "198.51.100.7"
    assert throttle.source_address("10.0.0.5", ["198.51.100.7, 172.16.3.4"], proxies) == "198.51.100.7"
    assert throttle.source_address("10.0.0.5", ["[2001:db8::1]:443"], proxies) == "2001:db8::1"
    assert throttle.source_address("10.0.0.5", [], proxies) == "10.0.0.5"
    assert throttle.source_address(None, ["198.51.100.7"], []) == throttle.LOCAL  # loopback
    assert (
        throttle.source_address(None, ["198.51.100.7"], throttle.trusted_proxies("127.0.0.1"))
        == "198.51.100.7"
    )
    with pytest.raises(ValueError):
        throttle.trusted_proxies("not-an-address")
    assert all(isinstance(n, ipaddress.IPv4Network | ipaddress.IPv6Network) for n in proxies)


def test_client_address_uses_the_setting(monkeypatch):
    class Headers:
        def get_all(self, key):
            return ["198.51.100.7"] if key == "X-Forwarded-For" else []

    class Context:
        ip_address = "10.0.0.5"
        headers = Headers()

    monkeypatch.setattr(auth.st, "context", Context())
    monkeypatch.delenv(throttle.TRUSTED_PROXIES_ENV, raising=False)
    assert auth.client_address() == "10.0.0.5"
    monkeypatch.setenv(throttle.TRUSTED_PROXIES_ENV, "10.0.0.0/8")
    assert auth.client_address() == "198.51.100.7"


# --- deep link, then sign-in ----------------------------------------------------------------------


def test_deep_link_then_sign_in_opens_the_linked_view(secured):
    """The view and its filters after sign-in.  AppTest keeps the requested page across runs, so it
    cannot show the browser's bug (landing on the overview); test_browser_hardening.py does."""
    at = run_as(None, "commune", province=PHU_THO, commune=VAN_BAN, period="2025-10", lang="en")
    sign_in(at, "pt", PASSWORD)
    assert at.title[-1].value == t("nav_commune", "en")
    assert "Xã Vân Bán" in page_text(at)
    assert at.query_params["commune"] == str(VAN_BAN) and at.query_params["period"] == "2025-10"


def test_out_of_scope_deep_link_is_refused_after_sign_in(secured):
    at = run_as(None, "signatures", province=1, period="2025-10")
    sign_in(at, "pt", PASSWORD)
    assert any(t("refused_scope", "vi") in e.value for e in at.error)
    assert not at.dataframe and "Đại Xuyên" not in page_text(at)
