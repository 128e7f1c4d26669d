"""Subscribers in the users file: `accounts set USER --email --lang --subscribe`, shown by `accounts
list`; an invalid address is refused naming it, in the CLI and in the file (naming the key)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from accounts.store import UsersFileError, load_users
from tests.conftest import ROOT


def cli(users, *args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "accounts", "--file", str(users), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_set_list_and_keep_on_password_reset(tmp_path):
    users = tmp_path / "users.toml"
    assert (
        cli(users, "add", "vb", "--role", "commune", "--scope", "8380", stdin="a long secret\n").returncode
        == 0
    )
    r = cli(
        users, "set", "vb", "--email", "ct.vanban@phutho.gov.vn", "--lang", "en", "--subscribe", "pack,alerts"
    )
    assert r.returncode == 0, r.stderr
    a = load_users(users)["vb"]
    assert (a.email, a.lang, a.subscribe, a.subscriber) == (
        "ct.vanban@phutho.gov.vn",
        "en",
        ("pack", "alerts"),
        True,
    )
    listing = cli(users, "list").stdout
    assert "ct.vanban@phutho.gov.vn\ten\tpack,alerts" in listing
    # a password reset keeps the e-mail settings
    assert (
        cli(users, "add", "vb", "--role", "commune", "--scope", "8380", stdin="a new secret!\n").returncode
        == 0
    )
    assert load_users(users)["vb"].subscribe == ("pack", "alerts")
    assert cli(users, "set", "vb", "--subscribe", "none").returncode == 0
    assert not load_users(users)["vb"].subscriber


@pytest.mark.parametrize(
    "address",
    ["not-an-address", "a@b", "x@y.vn\nBcc: evil@z.vn", "Lan <lan@phutho.gov.vn>", "a@@b.vn", "a b@c.vn"],
)
def test_invalid_address_is_refused_naming_it(tmp_path, address):
    users = tmp_path / "users.toml"
    assert (
        cli(users, "add", "vb", "--role", "commune", "--scope", "8380", stdin="a long secret\n").returncode
        == 0
    )
    before = users.read_bytes()
    r = cli(users, "set", "vb", "--email", address, "--subscribe", "pack")
    assert r.returncode == 2
    assert repr(address) in r.stderr and "not an e-mail address" in r.stderr
    assert users.read_bytes() == before


def test_unknown_subscription_and_subscribe_without_address(tmp_path):
    users = tmp_path / "users.toml"
    assert (
        cli(users, "add", "vb", "--role", "commune", "--scope", "8380", stdin="a long secret\n").returncode
        == 0
    )
    r = cli(users, "set", "vb", "--email", "a@b.vn", "--subscribe", "pack,weekly")
    assert r.returncode == 2 and "weekly" in r.stderr
    r = cli(users, "set", "vb", "--subscribe", "pack")
    assert r.returncode == 2 and "no e-mail address" in r.stderr


def test_users_file_email_checked(tmp_path):
    users = tmp_path / "users.toml"
    users.write_text('[users."vb"]\nrole = "commune"\nscope = 8380\nemail = "oops"\n', encoding="utf-8")
    with pytest.raises(UsersFileError) as err:
        load_users(users)
    assert 'users."vb".email' in str(err.value) and '"oops"' in str(err.value)
    users.write_text('[users."vb"]\nrole = "commune"\nscope = 8380\nsubscribe = "pack"\n', encoding="utf-8")
    with pytest.raises(UsersFileError, match="subscribe"):
        load_users(users)


def test_mail_bodies_escape_html_and_config_hides_the_password():
    import pandas as pd

    from core.periods import parse_period
    from metrics.scope import Scope
    from notify import content
    from notify.config import smtp_config

    hostile = '<img src=x onerror=alert(1)><a href="https://evil.example">Đăng nhập</a>'
    p = content.Plan(
        "st",
        "st@tinh.example.vn",
        "steward",
        "vi",
        ("alerts",),
        parse_period("2025-10"),
        Scope("province", 25),
        hostile,
    )
    p.figures = [["a", "b", "c"], [hostile, "1", "2"]]
    p.alerts = pd.DataFrame(
        [
            {
                "province_code": 25,
                "commune_code": 8380,
                "commune_name": hostile,
                "level_label": "x",
                "reasons": hostile,
            }
        ]
    )
    p.link = "https://cds.example.vn/province?province=25"
    text, html = content.bodies(p, "https://cds.example.vn", False)
    assert "<img" not in html and 'href="https://evil.example"' not in html and "&lt;img" in html
    assert hostile in text  # the plain-text part shows it as text
    cfg = smtp_config(
        {
            "CDS_SMTP_HOST": "mail.example.vn",
            "CDS_SMTP_PASSWORD": "s3cret-pass",
            "CDS_MAIL_FROM": "cds@example.vn",
        }
    )
    assert cfg.port == 587 and cfg.security == "starttls" and "s3cret-pass" not in repr(cfg)
