"""The monthly e-mail run for one province: every commune account (report DOCX + PDF and its alerts) plus
the province's leaders (briefing and the attention list) and a steward (alerts), built and sent to a
local SMTP server (aiosmtpd on 127.0.0.1).  Target: ≤ 3 minutes for Phú Thọ's 148 communes on this
machine (2 cores).

    .venv/bin/python bench/bench_notify.py [--db FILE] [--province 25] [--period 2026-10] [--jobs 2] [--limit N]

Uses --db, else `$CDS_WAREHOUSE` / data/warehouse.duckdb (`make data/warehouse.duckdb`).

Measured in the same run:
* baseline: the same communes' reports (DOCX + PDF) written by reports.batch.write_communes with the
  same number of workers — what building the attachments alone costs;
* the notify run: plan, build and send every message over one SMTP connection, wall time, messages
  received by the server, and the ratio to the baseline;
* a re-run: nothing new to send (every digest is in the record), wall time.
The load average (`uptime`) is printed before and after: on a shared machine wall times grow with it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 180.0


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def users_file(folder: Path, province: int, codes: list[int]) -> Path:
    lines = []
    for code in codes:
        lines += [
            f'[users."xa{code}"]',
            'role = "commune"',
            f"scope = {code}",
            'password_hash = ""',
            f'email = "xa{code}@xa.example.vn"',
            'subscribe = ["pack", "alerts"]',
            "",
        ]
    for name, role, lang, subs in (
        ("lanhdao", "province", "vi", ["pack", "alerts"]),
        ("lanhdao.en", "province", "en", ["pack", "alerts"]),
        ("quantri", "steward", "vi", ["alerts"]),
    ):
        lines += [
            f'[users."{name}"]',
            f'role = "{role}"',
            f"scope = {province}",
            'password_hash = ""',
            f'email = "{name}@tinh.example.vn"',
            f'lang = "{lang}"',
            f"subscribe = {json.dumps(subs)}",
            "",
        ]
    p = folder / "users.toml"
    p.write_text("\n".join(lines), encoding="utf-8")
    return p


def main(argv: list[str] | None = None) -> int:
    from core.config import default_db_path
    from core.periods import parse_period
    from metrics import periodic
    from notify.run import run
    from reports.batch import write_communes
    from tests.notify.smtp import env, smtp_server

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--province", type=int, default=25)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="the first N communes only (a quick check)")
    args = ap.parse_args(argv)
    db = args.db or default_db_path()
    if not Path(db).exists():
        print(f"no warehouse at {db}: run `make data/warehouse.duckdb` or pass --db", file=sys.stderr)
        return 2
    period = parse_period(args.period)
    places = periodic.places(path=db)
    codes = sorted(places[places["province_code"] == args.province]["commune_code"].astype(int).tolist())
    codes = codes[: args.limit] if args.limit else codes
    print(
        f"warehouse {db}, province {args.province}, {len(codes)} communes, period {period.key}, jobs {args.jobs}"
    )
    print(f"load before: {uptime()}")
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        base = write_communes(
            codes, period, ["docx", "pdf"], folder / "reports", "vi", path=db, jobs=args.jobs
        )
        baseline = time.perf_counter() - started
        print(
            f"baseline: {len(codes)} commune reports (DOCX + PDF), {args.jobs} workers: {baseline:.1f} s "
            f"({len(base.failed)} failed)"
        )
        users = users_file(folder, args.province, codes)
        with smtp_server() as (handler, port):
            per_message: list[float] = []
            last = [time.perf_counter()]

            def tick(outcome) -> None:
                now = time.perf_counter()
                per_message.append(now - last[0])
                last[0] = now

            started = time.perf_counter()
            result = run(period.key, users, path=db, jobs=args.jobs, env=env(port), progress=tick)
            elapsed = time.perf_counter() - started
            received = len(handler.messages)
            size = sum(len(m.as_bytes()) for _, m in handler.messages)
            started = time.perf_counter()
            again = run(period.key, users, path=db, jobs=args.jobs, env=env(port))
            rerun = time.perf_counter() - started
            resent = len(handler.messages) - received
    total = len(codes) + 3
    print(
        f"notify run: {result.count('sent')} sent, {result.count('failed', 'aborted')} failed of {total} "
        f"subscribers; server received {received} messages ({size / 1e6:.1f} MB); {elapsed:.1f} s "
        f"(median {statistics.median(per_message):.2f} s between messages); "
        f"{elapsed / baseline:.2f}× the baseline"
    )
    print(f"re-run: {again.count('skipped')} already sent, {resent} sent again; {rerun:.1f} s")
    print(f"load after: {uptime()}")
    ok = result.ok and received == total and resent == 0 and elapsed <= TARGET
    print(f"target ≤ {TARGET:.0f} s: {'pass' if elapsed <= TARGET else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
