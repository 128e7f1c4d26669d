"""The accounts CLI and users file: add (password from stdin), disable, list without hashes."""

from __future__ import annotations

import subprocess
import sys

from accounts.store import load_users, verify_password
from tests.security.conftest import ROOT


def cli(users, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "accounts", "--file", str(users), *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT)


def test_add_list_disable(tmp_path):
    users = tmp_path / "users.toml"
    r = cli(users, "add", "pt.lanhdao", "--role", "province", "--scope", "25", stdin="a long secret\n")
    assert r.returncode == 0, r.stderr
    assert cli(users, "add", "vb", "--role", "commune", "--scope", "8380", stdin="another secret\n").returncode == 0
    assert cli(users, "add", "x", "--role", "commune", "--scope", "1", stdin="another secret\n").returncode == 2
    assert cli(users, "add", "y", "--role", "steward", stdin="another secret\n").returncode == 2
    assert cli(users, "add", "z", "--role", "national", stdin="short\n").returncode == 2
    assert cli(users, "add", "bad name", "--role", "national", stdin="a long secret\n").returncode == 2
    accounts = load_users(users)
    assert set(accounts) == {"pt.lanhdao", "vb"}
    assert accounts["pt.lanhdao"].password_hash.startswith("$2b$")
    assert verify_password("a long secret", accounts["pt.lanhdao"].password_hash)
    assert not verify_password("a long secreT", accounts["pt.lanhdao"].password_hash)
    assert (users.stat().st_mode & 0o777) == 0o600
    assert cli(users, "disable", "vb").returncode == 0
    listing = cli(users, "list").stdout
    assert "pt.lanhdao\tprovince\t25\tactive" in listing and "vb\tcommune\t8380\tdisabled" in listing
    assert "$2b$" not in listing and "secret" not in listing
    assert cli(users, "disable", "nobody").returncode == 2


def test_verify_password_edge_cases():
    from accounts.store import hash_password

    h = hash_password("x" * 72, rounds=4)
    assert verify_password("x" * 72, h)
    assert not verify_password("x" * 73, h) and not verify_password("", h) and not verify_password("x", None)
