"""The accounts CLI and users file: add (password from stdin), disable, list without hashes; the users
file checked strictly (types, the kind of scope code), errors that name file, key and what is expected."""

from __future__ import annotations

import subprocess
import sys

import pytest

from accounts.store import UsersFileError, load_users, verify_password
from tests.security.conftest import ROOT


def cli(users, *args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "accounts", "--file", str(users), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_add_list_disable(tmp_path):
    users = tmp_path / "users.toml"
    r = cli(users, "add", "pt.lanhdao", "--role", "province", "--scope", "25", stdin="a long secret\n")
    assert r.returncode == 0, r.stderr
    assert (
        cli(users, "add", "vb", "--role", "commune", "--scope", "8380", stdin="another secret\n").returncode
        == 0
    )
    assert (
        cli(users, "add", "x", "--role", "commune", "--scope", "1", stdin="another secret\n").returncode == 2
    )
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


# --- strict users file (issue 13, finding 8) -----------------------------------------------------

HASH = "$2b$04$8fZw9OeBtfUAO0JT04q32OkfArqOrUhNu6SgH/df6d6opKqmIbvYy"
BAD_FILES = {
    # name: (file text, the key the error names, words of what is expected)
    "scope_true": (
        f'[users.pt]\nrole = "province"\nscope = true\npassword_hash = "{HASH}"\n',
        'users."pt".scope',
        "true is a boolean",
    ),
    "scope_float": (
        f'[users.pt]\nrole = "province"\nscope = 25.0\npassword_hash = "{HASH}"\n',
        'users."pt".scope',
        "decimal number",
    ),
    "scope_string": (
        f'[users.pt]\nrole = "province"\nscope = "25"\npassword_hash = "{HASH}"\n',
        'users."pt".scope',
        "a string",
    ),
    "province_scope_is_a_commune": (
        f'[users.pt]\nrole = "steward"\nscope = 8380\npassword_hash = "{HASH}"\n',
        'users."pt".scope',
        "province code",
    ),
    "province_not_in_list": (
        f'[users.pt]\nrole = "province"\nscope = 3\npassword_hash = "{HASH}"\n',
        'users."pt".scope',
        "official list",
    ),
    "commune_not_in_list": (
        f'[users.vb]\nrole = "commune"\nscope = 99999\npassword_hash = "{HASH}"\n',
        'users."vb".scope',
        "official list",
    ),
    "national_with_scope": (
        f'[users.n]\nrole = "national"\nscope = 1\npassword_hash = "{HASH}"\n',
        'users."n".scope',
        "takes no scope",
    ),
    "missing_scope": (
        f'[users.pt]\nrole = "province"\npassword_hash = "{HASH}"\n',
        'users."pt".scope',
        "needs a scope",
    ),
    "users_is_5": ("users = 5\n", "users", "expected a table"),
    "entry_not_a_table": ('users = { pt = "province 25" }\n', 'users."pt"', "expected a table"),
    "unknown_key": (
        f'[users.n]\nrole = "national"\ndisable = true\npassword_hash = "{HASH}"\n',
        'users."n".disable',
        "unknown key",
    ),
    "disabled_not_bool": (
        f'[users.n]\nrole = "national"\ndisabled = "yes"\npassword_hash = "{HASH}"\n',
        'users."n".disabled',
        "true or false",
    ),
    "bad_role": (f'[users.n]\nrole = "admin"\npassword_hash = "{HASH}"\n', 'users."n".role', "not a role"),
    "hash_not_bcrypt": (
        '[users.n]\nrole = "national"\npassword_hash = "hunter2"\n',
        'users."n".password_hash',
        "bcrypt",
    ),
    "not_toml": ("[users\n", "", "not valid TOML"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_users_file_is_checked_strictly(tmp_path, case):
    text, key, expected = BAD_FILES[case]
    users = tmp_path / "users.toml"
    users.write_text(text, encoding="utf-8")
    with pytest.raises(UsersFileError) as err:
        load_users(users)
    message = str(err.value)
    assert str(users) in message and key in message and expected in message, message
    assert str(users) in err.value.message_vi and key in err.value.message_vi
    r = cli(users, "list")  # the CLI says the same, no traceback
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"error: {message}" in r.stderr and "lỗi: " in r.stderr


def test_users_file_accepts_what_the_cli_writes(tmp_path):
    users = tmp_path / "users.toml"
    users.write_text(
        f'[users.vb]\nrole = "commune"\nscope = 8380\npassword_hash = "{HASH}"\ndisabled = false\n'
        f'created_at = 2026-01-05T09:12:00\n\n[users.n]\nrole = "national"\npassword_hash = "{HASH}"\n',
        encoding="utf-8",
    )
    accounts = load_users(users)
    assert accounts["vb"].scope == 8380 and accounts["n"].scope is None
    assert accounts["vb"].created_at.startswith("2026-01-05")


def test_add_names_the_unit_and_refuses_codes_of_the_wrong_kind(tmp_path):
    users = tmp_path / "users.toml"
    r = cli(users, "add", "vb", "--role", "commune", "--scope", "8380", stdin="a long secret\n")
    assert r.returncode == 0 and "scope 8380 = Xã Vân Bán, Tỉnh Phú Thọ" in r.stdout
    r = cli(users, "add", "pt", "--role", "province", "--scope", "25", stdin="a long secret\n")
    assert r.returncode == 0 and "scope 25 = Tỉnh Phú Thọ" in r.stdout
    # 25 is also Phường Giảng Võ (Hà Nội): a commune account on it must be confirmed.
    r = cli(users, "add", "gv", "--role", "commune", "--scope", "25", stdin="a long secret\n")
    assert (
        r.returncode == 2 and "Phường Giảng Võ, Thành phố Hà Nội" in r.stderr and "Tỉnh Phú Thọ" in r.stderr
    )
    assert "gv" not in load_users(users)
    r = cli(
        users, "add", "gv", "--role", "commune", "--scope", "25", "--confirm-commune", stdin="a long secret\n"
    )
    assert r.returncode == 0 and "scope 25 = Phường Giảng Võ, Thành phố Hà Nội" in r.stdout
    for args in (
        ["--role", "province", "--scope", "8380"],
        ["--role", "steward", "--scope", "3"],
        ["--role", "commune", "--scope", "99999"],
        ["--role", "national", "--scope", "1"],
        ["--role", "province", "--scope", "0"],
        ["--role", "province", "--scope", "-25"],
    ):
        r = cli(users, "add", "x", *args, stdin="a long secret\n")
        assert r.returncode == 2 and "error: --scope:" in r.stderr and "lỗi: --scope:" in r.stderr, (
            args,
            r.stderr,
        )
    assert set(load_users(users)) == {"vb", "pt", "gv"}
    listing = cli(users, "list").stdout
    assert "Xã Vân Bán, Tỉnh Phú Thọ" in listing and "Phường Giảng Võ, Thành phố Hà Nội" in listing
