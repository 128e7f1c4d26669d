"""`python -m accounts add USER --role ROLE [--scope CODE]` (password from standard input),
`disable USER`, `enable USER`, `list`.  The file is `--file` or `$DASHBOARD_USERS_FILE`.
Hashes are never printed."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import sys
from datetime import datetime

from accounts.store import ROLES, Account, hash_password, load_users, save_users, valid_username

USERS_ENV = "DASHBOARD_USERS_FILE"


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != first:
            raise ValueError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _check_scope(role: str, scope: int | None) -> None:
    """The scope code must exist in the official list (package vietnam-provinces)."""
    if role == "national":
        if scope is not None:
            raise ValueError("role national takes no --scope")
        return
    if scope is None:
        raise ValueError(f"role {role} needs --scope (a {'commune' if role == 'commune' else 'province'} code)")
    from core.reference import commune_frame, province_frame

    codes = (commune_frame()["commune_code"] if role == "commune" else province_frame()["province_code"])
    if int(scope) not in set(int(c) for c in codes):
        raise ValueError(f"{scope} is not a {'commune' if role == 'commune' else 'province'} code")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accounts", description="Manage dashboard accounts.")
    parser.add_argument("--file", default=os.environ.get(USERS_ENV), help=f"users file (default ${USERS_ENV})")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a user or reset their password and role (password from stdin)")
    add.add_argument("user")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--scope", type=int, help="province code (province, steward) or commune code (commune)")
    for name in ("disable", "enable"):
        sub.add_parser(name, help=f"{name} a user").add_argument("user")
    sub.add_parser("list", help="list users (never their hashes)")
    args = parser.parse_args(argv)
    if not args.file:
        print(f"no users file: pass --file or set {USERS_ENV}", file=sys.stderr)
        return 2
    try:
        users = load_users(args.file)
        if args.command == "list":
            for a in sorted(users.values(), key=lambda a: a.username):
                print(f"{a.username}\t{a.role}\t{'' if a.scope is None else a.scope}\t"
                      f"{'disabled' if a.disabled else 'active'}\t{a.created_at}")
            return 0
        if not valid_username(args.user):
            raise ValueError("user names are 1-64 characters: letters, digits, . _ @ -")
        if args.command == "add":
            _check_scope(args.role, args.scope)
            password_hash = hash_password(_read_password())
            users[args.user] = Account(args.user, args.role, args.scope, password_hash, False,
                                       datetime.now().isoformat(timespec="seconds"))
            save_users(args.file, users)
            print(f"{args.user}: {args.role} {'' if args.scope is None else args.scope} saved")
            return 0
        if args.user not in users:
            raise ValueError(f"no user {args.user!r}")
        users[args.user] = dataclasses.replace(users[args.user], disabled=(args.command == "disable"))
        save_users(args.file, users)
        print(f"{args.user}: {args.command}d")
        return 0
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
