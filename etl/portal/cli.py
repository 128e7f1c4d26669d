"""`python -m etl fetch-portal`: the subcommand's arguments and entry point (wired in etl/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "fetch-portal",
        help="fetch the national portal's published 766 results (politely) and load them",
        description="Fetch the national portal's published service-index results for a province (or all 34) "
        "and a period, one request at a time, and load them in one atomic load. "
        "See docs/portal-fetch.md.",
    )
    p.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    p.add_argument("--province", help="official province code (e.g. 25), several (25,1) or 'all'")
    p.add_argument(
        "--period",
        help="2026-08 (month), 2026-Q3 (quarter) or 2026 (year); for schedules also "
        "current, previous (month), current-quarter, previous-quarter, current-year, "
        "previous-year (Asia/Ho_Chi_Minh)",
    )
    p.add_argument(
        "--groups",
        default="all",
        help="'all' (default) or group codes, e.g. TDGQ,CKMB; TOTAL = service-results",
    )
    p.add_argument("--dry-run", action="store_true", help="print the requests it would send and send none")
    p.add_argument(
        "--recheck",
        action="store_true",
        help="ask again for a closed period already fetched officially; changes are kept as revisions",
    )
    p.add_argument(
        "--reset",
        action="store_true",
        help="close the circuit breaker (an operator, after checking why it opened)",
    )
    p.add_argument(
        "--base-url",
        default=None,
        help="the portal API's base URL (default: $CDS_PORTAL_URL, "
        "the config file, or the portal's documented base path)",
    )
    p.add_argument("--lang", choices=["vi", "en"], default="vi")


def run(args, db) -> int:
    from core.periods import parse_period
    from etl import config
    from etl.portal import breaker
    from etl.portal.client import SystemClock
    from etl.portal.config import ConfigError, load_config
    from etl.portal.endpoints import parse_groups
    from etl.portal.plan import relative_period
    from etl.portal.provinces import parse_provinces
    from etl.portal.run import fetch_portal

    db_path = Path(db or config.default_db_path()).resolve()
    if args.reset:
        before, after = breaker.reset(db_path, SystemClock().now())
        print(
            f"Đã đóng cầu dao ({breaker.breaker_path(db_path)}); trước đó: {before.state}"
            f"{f' — {before.reason}: {before.detail}' if before.is_open else ''}."
        )
        print(
            f"Breaker closed ({breaker.breaker_path(db_path)}); it was {before.state}"
            f"{f' — {before.reason}: {before.detail}' if before.is_open else ''}."
        )
        if args.province is None and args.period is None:
            return 0
    if args.province is None or args.period is None:
        print(
            "Cần --province (mã tỉnh, ví dụ 25, hoặc all) và --period (2026-08, 2026-Q3 hoặc 2026).",
            file=sys.stderr,
        )
        print(
            "Pass --province (a province code such as 25, or all) and --period (2026-08, 2026-Q3 or 2026).",
            file=sys.stderr,
        )
        return 2
    per = relative_period(args.period, SystemClock().now().date()) or parse_period(args.period)
    if per is None:
        print(
            f"Kỳ '{args.period}' không hợp lệ — dùng 2026-08 (tháng), 2026-Q3 (quý), 2026 (năm), current hoặc "
            f"previous.",
            file=sys.stderr,
        )
        print(
            f"Period '{args.period}' is not valid — use 2026-08 (month), 2026-Q3 (quarter), 2026 (year), current "
            f"or previous.",
            file=sys.stderr,
        )
        return 2
    try:
        provinces = parse_provinces(args.province)
    except ValueError as err:
        print(
            f"Mã tỉnh không có trong 34 tỉnh/thành phố: {err} — dùng mã chính thức (ví dụ 25 = Phú Thọ) hoặc all.",
            file=sys.stderr,
        )
        print(
            f"Not one of the 34 province codes: {err} — use an official code (e.g. 25 = Phú Thọ) or all.",
            file=sys.stderr,
        )
        return 2
    try:
        groups = parse_groups(args.groups)
    except ValueError as err:
        print(
            f"Nhóm không tồn tại: {err} — dùng all hoặc CKMB, TDGQ, CLGQ, TTTT, MDSH, MDHL, TOTAL.",
            file=sys.stderr,
        )
        print(
            f"Unknown group: {err} — use all or CKMB, TDGQ, CLGQ, TTTT, MDSH, MDHL, TOTAL.", file=sys.stderr
        )
        return 2
    try:
        cfg = load_config(db_path, args.base_url)
    except ConfigError as err:
        print(err.message_vi, file=sys.stderr)
        print(err.message_en, file=sys.stderr)
        return 2
    if not cfg.contact and not cfg.user_agent:
        print(
            "Lưu ý: chưa đặt CDS_PORTAL_CONTACT (hoặc contact trong portal.toml) — User-Agent nên có địa chỉ liên "
            "hệ để Cổng báo cho chúng ta.",
            file=sys.stderr,
        )
        print(
            "Note: CDS_PORTAL_CONTACT (or contact in portal.toml) is not set — the User-Agent should carry a "
            "contact the portal's operators can reach.",
            file=sys.stderr,
        )
    groups_text = "all" if args.groups.strip().lower() in ("", "all") else ",".join(groups)
    provinces_text = "all" if args.province.strip().lower() == "all" else ",".join(map(str, provinces))
    return fetch_portal(
        db_path,
        provinces,
        per,
        groups,
        cfg,
        provinces_text=provinces_text,
        groups_text=groups_text,
        dry_run=args.dry_run,
        recheck=args.recheck,
        lang=args.lang,
    )
