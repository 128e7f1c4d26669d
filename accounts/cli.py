"""`python -m accounts add USER --role ROLE [--scope CODE]` (password from standard input),
`disable USER`, `enable USER`, `list`, and
`set USER --email ADDRESS --lang vi|en --subscribe pack,alerts` (who receives the monthly pack and the
alerts by e-mail: see docs/notify.md; `--subscribe none` and `--email ""` stop them).  The file is `--file` or `$DASHBOARD_USERS_FILE`.
Hashes are never printed.  `add` says which unit the scope code names ("scope 8380 = Xã Vân Bán,
Tỉnh Phú Thọ") before it asks for the password, refuses codes that are not a unit of the right kind,
and asks for --confirm-commune when a commune code is also a province code (25 is Tỉnh Phú Thọ and
Phường Giảng Võ in Hà Nội).  Errors name the file, the key and what is expected, in English and
Vietnamese, exit 2."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import sys
from datetime import datetime

from accounts import units
from accounts.store import (
    LANGS,
    ROLES,
    SUBSCRIPTIONS,
    Account,
    AccountsError,
    hash_password,
    load_users,
    save_users,
    valid_email,
    valid_username,
)

USERS_ENV = "DASHBOARD_USERS_FILE"


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != first:
            raise ValueError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _check_scope(role: str, scope: int | None) -> str:
    """The unit the scope names ('Xã Vân Bán, Tỉnh Phú Thọ'); AccountsError when the code is not a
    unit of the right kind in the official list (package vietnam-provinces)."""
    problem = units.scope_problem(role, scope)
    if problem:
        raise AccountsError(f"--scope: {problem[0]}", f"--scope: {problem[1]}")
    return units.describe(role, scope) or ""


def _scope_text(role: str, scope: int | None) -> str:
    return "national" if scope is None else f"scope {scope} = {units.describe(role, scope) or '?'}"


def _set(account: Account, args) -> Account:
    changes: dict = {}
    if args.email is not None:
        email = args.email.strip()
        if email and not valid_email(email):
            raise AccountsError(
                f"--email: {args.email!r} is not an e-mail address (expected name@domain, one address)",
                f"--email: {args.email!r} không phải địa chỉ thư điện tử (cần dạng ten@tenmien, một địa chỉ)",
            )
        changes["email"] = email
    if args.lang is not None:
        changes["lang"] = args.lang
    if args.subscribe is not None:
        items = [s.strip() for s in args.subscribe.split(",") if s.strip()]
        items = [] if items == ["none"] else items
        bad = [s for s in items if s not in SUBSCRIPTIONS]
        if bad:
            raise AccountsError(
                f"--subscribe: {', '.join(bad)} is not a subscription (expected {', '.join(SUBSCRIPTIONS)} or none)",
                f"--subscribe: {', '.join(bad)} không phải mục đăng ký (chỉ dùng {', '.join(SUBSCRIPTIONS)} hoặc none)",
            )
        changes["subscribe"] = tuple(s for s in SUBSCRIPTIONS if s in items)
    if not changes:
        raise ValueError("nothing to set: pass --email, --lang or --subscribe")
    updated = dataclasses.replace(account, **changes)
    if updated.subscribe and not updated.email:
        raise AccountsError(
            f"{account.username} has no e-mail address: pass --email with --subscribe",
            f"{account.username} chưa có địa chỉ thư điện tử: thêm --email cùng --subscribe",
        )
    return updated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accounts", description="Manage dashboard accounts.")
    parser.add_argument(
        "--file", default=os.environ.get(USERS_ENV), help=f"users file (default ${USERS_ENV})"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a user or reset their password and role (password from stdin)")
    add.add_argument("user")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--scope", type=int, help="province code (province, steward) or commune code (commune)")
    add.add_argument(
        "--confirm-commune",
        action="store_true",
        help="a commune code that is also a province code (e.g. 25) really means the commune",
    )
    for name in ("disable", "enable"):
        sub.add_parser(name, help=f"{name} a user").add_argument("user")
    sub.add_parser("list", help="list users (never their hashes)")
    st = sub.add_parser("set", help="set a user's e-mail address, language and subscriptions")
    st.add_argument("user")
    st.add_argument("--email", help='address for the monthly pack and alerts ("" removes it)')
    st.add_argument("--lang", choices=LANGS, help="language of the e-mails")
    st.add_argument("--subscribe", help=f"comma-separated: {','.join(SUBSCRIPTIONS)} (or none)")
    args = parser.parse_args(argv)
    if not args.file:
        print(f"no users file: pass --file or set {USERS_ENV}", file=sys.stderr)
        return 2
    try:
        users = load_users(args.file)
        if args.command == "list":
            for a in sorted(users.values(), key=lambda a: a.username):
                print(
                    f"{a.username}\t{a.role}\t{'' if a.scope is None else a.scope}\t"
                    f"{'disabled' if a.disabled else 'active'}\t{a.created_at}\t{units.describe(a.role, a.scope)}\t"
                    f"{a.email or '-'}\t{a.lang}\t{','.join(a.subscribe) or '-'}"
                )
            return 0
        if not valid_username(args.user):
            raise ValueError("user names are 1-64 characters: letters, digits, . _ @ -")
        if args.command == "add":
            unit = _check_scope(args.role, args.scope)
            # Say what the code names before the password is asked for: a wrong code shows now.
            print(f"{args.user}: {args.role}, {_scope_text(args.role, args.scope)}", file=sys.stderr)
            province = units.also_a_province(args.role, args.scope)
            if province and not args.confirm_commune:
                raise AccountsError(
                    f"{args.scope} is also the code of the province {province}; as a commune code it is {unit}. "
                    "For a province account use --role province; for this commune add --confirm-commune.",
                    f"{args.scope} cũng là mã của {province}; là mã xã thì đó là {unit}. Tài khoản cấp tỉnh: "
                    "dùng --role province; đúng là xã này thì thêm --confirm-commune.",
                )
            password_hash = hash_password(_read_password())
            old = users.get(args.user)
            users[args.user] = Account(
                args.user,
                args.role,
                args.scope,
                password_hash,
                False,
                datetime.now().isoformat(timespec="seconds"),
                # a password reset keeps the e-mail settings
                *((old.email, old.lang, old.subscribe) if old else ()),
            )
            save_users(args.file, users)
            print(f"{args.user}: {args.role}, {_scope_text(args.role, args.scope)} — saved")
            return 0
        if args.user not in users:
            raise ValueError(f"no user {args.user!r}")
        if args.command == "set":
            users[args.user] = _set(users[args.user], args)
            save_users(args.file, users)
            a = users[args.user]
            print(
                f"{a.username}: email {a.email or '-'}, lang {a.lang}, subscribe {','.join(a.subscribe) or '-'}"
            )
            return 0
        users[args.user] = dataclasses.replace(users[args.user], disabled=(args.command == "disable"))
        save_users(args.file, users)
        print(f"{args.user}: {args.command}d")
        return 0
    except AccountsError as err:
        print(f"error: {err.message_en}\nlỗi: {err.message_vi}", file=sys.stderr)
        return 2
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: {args.file}: {err.strerror or err}", file=sys.stderr)
        return 2
