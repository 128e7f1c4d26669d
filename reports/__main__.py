"""`python -m reports commune|province` — report files for batch work.

    python -m reports commune 8380 --period 2025-10 --format docx,pdf,xlsx --out reports-out
    python -m reports commune 8380 10333 --period 2025-Q4 --lang en
    python -m reports province 25 --period 2025-10 --out reports-out
    python -m reports province 25 --period 2025-10 --all-communes --jobs 2

Exit code 0: every file written; 1: some communes failed (the others are written; each failure is
named); 2: usage error (unknown unit, period, format or language; no warehouse).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from core import config


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m reports",
        description="Write commune reports and province briefings (DOCX, PDF, XLSX).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--period", required=True, help="2025-10 (month), 2025-Q4 (quarter) or 2025 (year)")
    common.add_argument(
        "--format", default="docx,pdf,xlsx", help="comma-separated: docx,pdf,xlsx (default: all)"
    )
    common.add_argument("--out", type=Path, default=Path("."), help="folder for the files (default: current)")
    common.add_argument("--lang", choices=["vi", "en"], default="vi")
    common.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"warehouse file (default: ${config.DB_ENV_VAR} or data/warehouse.duckdb)",
    )
    common.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="date on the report, YYYY-MM-DD (default: left blank for the signer: ngày … tháng … năm …)",
    )
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("commune", parents=[common], help="the commune report of one or more communes")
    c.add_argument("codes", nargs="+", type=int, metavar="CODE", help="commune code, e.g. 8380 (Xã Vân Bán)")
    pr = sub.add_parser(
        "province", parents=[common], help="the province briefing (and every commune's report)"
    )
    pr.add_argument("code", type=int, metavar="CODE", help="province code, e.g. 25 (Phú Thọ)")
    pr.add_argument(
        "--all-communes", action="store_true", help="also write the report of every commune of the province"
    )
    pr.add_argument(
        "--jobs", type=int, default=None, help="worker processes for --all-communes (default: cores, max 4)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from metrics.db import WarehouseMissing, db_path
    from reports import ReportError, _formats, _lang, _period
    from reports.batch import ProgressBar, write_communes, write_province

    vi = args.lang == "vi"
    try:
        period, formats, lang = _period(args.period), _formats(args.format.split(",")), _lang(args.lang)
        if not db_path(args.db).exists():
            raise WarehouseMissing(str(db_path(args.db)))
        written: list[Path] = []
        failed: list[tuple[int, str]] = []
        if args.command == "province":
            written += write_province(
                args.code, period, formats, args.out, lang, path=args.db, issued_on=args.date
            )
            codes = _communes_of(args.code, args.db) if args.all_communes else []
        else:
            codes = args.codes
        if codes:
            label = "Báo cáo xã" if vi else "Commune reports"
            bar = ProgressBar(len(codes), label) if len(codes) > 1 else None
            result = write_communes(
                codes,
                period,
                formats,
                args.out,
                lang,
                path=args.db,
                issued_on=args.date,
                jobs=args.jobs if args.command == "province" else 1,
                progress=bar,
            )
            written += result.written
            failed += result.failed
    except ReportError as err:
        print(err.message(args.lang), file=sys.stderr)
        return 2
    except WarehouseMissing as err:
        print(
            (
                f"Không tìm thấy kho dữ liệu: {err}. Chạy `python -m etl demo` hoặc chỉ định --db TỆP."
                if vi
                else f"No warehouse at {err}. Run `python -m etl demo` or pass --db FILE."
            ),
            file=sys.stderr,
        )
        return 2
    for path in written:
        print(path)
    for code, message in failed:
        print(
            (
                f"Lỗi khi lập báo cáo xã {code}: {message}"
                if vi
                else f"Report of commune {code} failed: {message}"
            ),
            file=sys.stderr,
        )
    return 1 if failed else 0


def _communes_of(province: int, path) -> list[int]:
    from metrics import periodic
    from reports import ReportError

    places = periodic.places(path=path)
    codes = places[places["province_code"] == province]["commune_code"].astype(int).tolist()
    if not codes:
        raise ReportError(f"Không có tỉnh/thành phố mã {province}.", f"No province with code {province}.")
    return codes


if __name__ == "__main__":
    sys.exit(main())
