"""`python -m notify run --period 2026-10|latest [--dry-run OUTDIR] [--only USER] [--jobs N]`.

The users file is `--users` or `$DASHBOARD_USERS_FILE`; the rules `--rules` or `$CDS_ALERT_RULES` (else
the project's default); the warehouse `--db` or `$CDS_WAREHOUSE`.  SMTP and the record: docs/notify.md.

Exit code 0: every message sent (or already sent); 1: some recipients failed or the server could not be
reached (each is named; nothing unsent is recorded); 2: the run could not start (a setting, the users
file, the rules file, the period; nothing sent); 3: another run holds the lock.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

USERS_ENV = "DASHBOARD_USERS_FILE"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m notify", description="E-mail the monthly pack and alerts.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="send one period's messages to every subscriber")
    r.add_argument("--period", required=True, help="2026-10 (month), 2026-Q4, 2026, or latest")
    r.add_argument("--dry-run", type=Path, metavar="OUTDIR", help="write <user>.eml files instead of sending")
    r.add_argument("--only", metavar="USER", help="this subscriber only")
    r.add_argument("--users", default=os.environ.get(USERS_ENV), help=f"users file (default ${USERS_ENV})")
    r.add_argument("--rules", type=Path, help="alert rules file (default $CDS_ALERT_RULES or the project's)")
    r.add_argument("--db", type=Path, help="warehouse file (default $CDS_WAREHOUSE or data/warehouse.duckdb)")
    r.add_argument("--jobs", type=int, default=1, help="worker processes building reports (default 1)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from metrics.alert_rules import AlertRulesError
    from metrics.db import WarehouseMissing, db_path
    from notify.config import ConfigError
    from notify.record import Busy
    from notify.run import NotifyError, run

    if not args.users:
        print(f"error: no users file: pass --users or set {USERS_ENV}", file=sys.stderr)
        return 2
    if not db_path(args.db).exists():
        print(f"error: no warehouse at {db_path(args.db)} (pass --db or set CDS_WAREHOUSE)", file=sys.stderr)
        return 2

    def progress(o) -> None:
        line = f"{o.status:10} {o.user} <{o.email}>" + (f" {o.file}" if o.file else "")
        print(line + (f": {o.error}" if o.error else ""), file=sys.stderr if o.error else sys.stdout)

    try:
        result = run(
            args.period,
            args.users,
            dry_run=args.dry_run,
            only=args.only,
            rules_file=args.rules,
            path=args.db,
            jobs=max(1, args.jobs),
            progress=progress,
        )
    except Busy as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except (AlertRulesError, ConfigError, NotifyError, WarehouseMissing) as err:
        print(f"error: {err} — nothing sent", file=sys.stderr)
        return 2
    print(
        f"period {result.period}: {result.count('sent')} sent, {result.count('correction')} corrections, "
        f"{result.count('skipped')} already sent, {result.count('written')} written, "
        f"{result.count('failed', 'aborted')} failed ({result.seconds:.1f} s)"
    )
    if result.aborted:
        print(f"error: {result.aborted} — the run stopped; unsent messages are not recorded", file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
