"""`python -m etl load|rejects|demo|rebuild|export-lake|backup|restore` — the steward's command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from etl import config
from etl.sources.registry import KIND_NAMES

REASON_LABELS_EN = "rejected rows by rule"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description="Load source files into the warehouse.")
    p.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"warehouse file (default: ${config.DB_ENV_VAR} or data/warehouse.duckdb)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    load = sub.add_parser(
        "load", help="load dossier, signature, index, population, digital-team, training or VNeID files"
    )
    load.add_argument("paths", nargs="+", type=Path)
    load.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    load.add_argument(
        "--kind",
        choices=list(KIND_NAMES),
        default=None,
        help="file kind (default: detected from the headers)",
    )
    load.add_argument("--period", default=None, help="period of index files: 2026-08, 2026-Q3 or 2026")
    load.add_argument("--group", default=None, help="index group of a portal JSON file, e.g. TDGQ")
    load.add_argument(
        "--sheet",
        default=None,
        help="worksheet of a workbook to read (default: the first whose header row fits a kind)",
    )
    load.add_argument(
        "--mapping",
        default=None,
        metavar="NAME",
        help="read the files' columns through this saved column-mapping profile (python -m etl mapping list)",
    )
    load.add_argument("--json", action="store_true", help="print the summary as JSON")
    load.add_argument("--lang", choices=["vi", "en"], default="vi")

    mp = sub.add_parser(
        "mapping",
        help="column-mapping profiles (file headers -> contract columns), kept beside the warehouse",
    )
    mp.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["vi", "en"], default="vi")
    mps = mp.add_subparsers(dest="action", required=True)
    mps.add_parser("list", help="the saved profiles", parents=[common])
    mps.add_parser("show", help="a profile as TOML", parents=[common]).add_argument("name")
    exp = mps.add_parser("export", help="write a profile to a TOML file", parents=[common])
    exp.add_argument("name")
    exp.add_argument("file", type=Path)
    imp = mps.add_parser("import", help="save a profile from a TOML file (checked first)", parents=[common])
    imp.add_argument("file", type=Path)
    imp.add_argument("--replace", action="store_true", help="overwrite a saved profile of the same name")
    mps.add_parser("delete", help="remove a saved profile", parents=[common]).add_argument("name")
    ren = mps.add_parser("rename", help="give a saved profile another name", parents=[common])
    ren.add_argument("name")
    ren.add_argument("new_name")

    rej = sub.add_parser("rejects", help="list rejected rows")
    rej.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    rej.add_argument("--file", default=None, help="only rows of this file name")
    rej.add_argument("--limit", type=int, default=200)
    rej.add_argument("--json", action="store_true")
    rej.add_argument("--lang", choices=["vi", "en"], default="vi")

    demo = sub.add_parser("demo", help="write the demo source files under data/demo and load them")
    demo.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    demo.add_argument("--out", type=Path, default=None, help="folder for the demo files (default: data/demo)")
    demo.add_argument(
        "--scale",
        choices=["demo", "national"],
        default="demo",
        help="demo: every commune at a twentieth of real volumes, 07/2025-10/2026 (default); "
        "national: real volumes, 30+ million dossiers over 11/2025-10/2026, one dossier CSV "
        "per province and month, in data/national/ (about 10 GB of files)",
    )
    demo.add_argument("--json", action="store_true")

    marts = sub.add_parser(
        "marts", help="build every mart again from the facts (after a change to the mart SQL)"
    )
    marts.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    reb = sub.add_parser("rebuild", help="recreate the warehouse from the kept copies of every loaded file")
    reb.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    reb.add_argument("--json", action="store_true")

    lake = sub.add_parser(
        "export-lake", help="write the warehouse's tables as a Parquet lake (docs/scaling.md)"
    )
    lake.add_argument(
        "dir", type=Path, help="lake folder (replaced as a whole; must be empty or an earlier lake)"
    )
    lake.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    lake.add_argument("--json", action="store_true")
    lake.add_argument("--lang", choices=["vi", "en"], default="vi")

    bak = sub.add_parser(
        "backup",
        help="copy what cannot be rebuilt (kept files and manifest, users, mappings, alert rules, sent "
        "notifications) into DIR, with checksums",
    )
    bak.add_argument(
        "dir", type=Path, help="an empty or new folder (with --dated: the folder of dated backups)"
    )
    bak.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    bak.add_argument("--dated", action="store_true", help="write into a new folder DIR/cds-backup-<UTC time>")
    bak.add_argument("--keep", type=int, default=None, help="with --dated: keep only the newest N backups")
    bak.add_argument("--json", action="store_true")
    res = sub.add_parser("restore", help="check a backup's checksums and copy it onto an empty machine")
    res.add_argument("dir", type=Path)
    res.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    res.add_argument(
        "--rebuild", action="store_true", help="then rebuild the warehouse from the restored files"
    )
    res.add_argument("--json", action="store_true")

    from etl.portal.cli import add_parser as add_fetch_portal

    add_fetch_portal(sub)
    return p


def print_summary(summary, lang: str = "vi", out=None) -> None:
    out = out or sys.stdout  # (looked up at each call: a default bound at import misses redirection)
    vi = lang == "vi"
    for f in summary.files:
        if f.status in ("failed", "duplicate"):
            print(f.message_vi if vi else f.message_en, file=out)
            for r in f.sample_rejects:  # a file refused as a whole: its first refused lines
                where = (
                    f"dòng {r['row']}, cột {r['column']}" if vi else f"row {r['row']}, column {r['column']}"
                )
                print(f"    {where}: {r['message_vi'] if vi else r['message_en']}", file=out)
            continue
        if vi:
            print(
                f"{f.file}: loại {f.kind}, đọc {f.rows_read} dòng, nạp {f.rows_loaded}, "
                f"thay thế {f.rows_replaced}, từ chối {f.rows_rejected}"
                + (f", bỏ qua {f.rows_skipped} dòng sau dữ liệu" if f.rows_skipped else ""),
                file=out,
            )
        else:
            print(
                f"{f.file}: kind {f.kind}, read {f.rows_read}, loaded {f.rows_loaded}, "
                f"replaced {f.rows_replaced}, rejected {f.rows_rejected}"
                + (f", skipped {f.rows_skipped} rows after the data" if f.rows_skipped else ""),
                file=out,
            )
        for rule, n in f.reasons.items():
            print(f"    {rule}: {n}", file=out)
        for note in f.notes:
            print(f"    {note}", file=out)
        if f.mapping:
            print(f"    {'hồ sơ ánh xạ cột' if vi else 'column-mapping profile'}: {f.mapping}", file=out)
    tail = (
        ("kho dữ liệu đã cập nhật" if summary.swapped else "kho dữ liệu không đổi")
        if vi
        else ("warehouse updated" if summary.swapped else "warehouse unchanged")
    )
    print(f"{tail}: {summary.db_path} ({summary.seconds:.1f} s)", file=out)
    if any(f.rows_rejected for f in summary.files):
        print(
            "xem các dòng bị từ chối: python -m etl rejects"
            if vi
            else "see rejected rows: python -m etl rejects",
            file=out,
        )


def _emit(summary, args) -> int:
    if getattr(args, "json", False):
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print_summary(summary, getattr(args, "lang", "vi"))
    return summary.exit_code


def _rejects(args) -> int:
    import duckdb

    db = Path(args.db or config.default_db_path())
    if not db.exists():
        print(f"{db}: no warehouse yet — load files first (python -m etl load FILE)", file=sys.stderr)
        return 2
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select file_name, row_number, column_name, value, message_vi, message_en from etl_reject "
            "where ? is null or file_name = ? order by load_id, row_number limit ?",
            [args.file, args.file, args.limit],
        ).fetchall()
    finally:
        con.close()
    if args.json:
        keys = ["file", "row", "column", "value", "message_vi", "message_en"]
        print(json.dumps([dict(zip(keys, r, strict=True)) for r in rows], ensure_ascii=False, indent=2))
        return 0
    for file_name, row, column, _value, msg_vi, msg_en in rows:
        if args.lang == "vi":
            print(f"{file_name}, dòng {row}, cột {column}: {msg_vi}")
        else:
            print(f"{file_name}, row {row}, column {column}: {msg_en}")
    if not rows:
        print("không có dòng nào bị từ chối" if args.lang == "vi" else "no rejected rows")
    return 0


def _mapping(args) -> int:
    """`python -m etl mapping list|show|export|import|delete|rename`; 2 with the message when a profile is refused."""
    from etl import mapping as M

    vi = args.lang == "vi"
    folder = M.profiles_dir(args.db)
    try:
        if args.action == "list":
            profiles = M.list_profiles(folder)
            for p in profiles:
                where = (
                    f", tỉnh {p.province}"
                    if vi and p.province
                    else (f", province {p.province}" if p.province else "")
                )
                cols = f"{len(p.columns)} cột" if vi else f"{len(p.columns)} columns"
                print(f"{p.name}\t{p.kind}\t{cols}{where}\t{p.description}")
            if not profiles:
                print(
                    f"chưa có hồ sơ ánh xạ nào trong {folder}" if vi else f"no mapping profiles in {folder}"
                )
        elif args.action == "show":
            print(M.to_toml(M.load_profile(args.name, folder)), end="")
        elif args.action == "export":
            args.file.write_text(M.to_toml(M.load_profile(args.name, folder)), encoding="utf-8")
            print(f"đã ghi {args.file}" if vi else f"written: {args.file}")
        elif args.action == "import":
            if not args.file.is_file():
                raise M.ProfileError(f"{args.file}: không tìm thấy tệp.", f"{args.file}: file not found.")
            if args.file.stat().st_size > M.MAX_PROFILE_BYTES:
                raise M.ProfileError(f"{args.file}: tệp quá lớn.", f"{args.file}: file too large.")
            profile = M.from_toml(args.file.read_text(encoding="utf-8"), args.file.name)
            path = M.save_profile(profile, folder, replace=args.replace)
            print(
                f"đã lưu hồ sơ ánh xạ '{profile.name}': {path}"
                if vi
                else f"saved mapping profile '{profile.name}': {path}"
            )
        elif args.action == "delete":
            M.delete_profile(args.name, folder)
            print(f"đã xoá hồ sơ ánh xạ '{args.name}'" if vi else f"deleted mapping profile '{args.name}'")
        elif args.action == "rename":
            path = M.rename_profile(args.name, args.new_name, folder)
            print(
                f"đã đổi tên hồ sơ ánh xạ '{args.name}' thành '{args.new_name}': {path}"
                if vi
                else f"renamed mapping profile '{args.name}' to '{args.new_name}': {path}"
            )
    except (M.ProfileError, UnicodeDecodeError) as err:
        msg = (err.message_vi if vi else err.message_en) if isinstance(err, M.ProfileError) else str(err)
        print(msg, file=sys.stderr)
        return 2
    return 0


def _export_lake(args) -> int:
    from etl.lake import LakeError, export_lake

    try:
        m = export_lake(args.db, args.dir)
    except LakeError as err:
        print(f"{err.message_vi}\n{err.message_en}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(m, ensure_ascii=False, indent=2))
    else:
        n, rows, mb, s = len(m["tables"]), m["rows"], m["bytes"] / 1e6, m["seconds"]
        print(
            f"đã ghi hồ chứa Parquet: {m['lake']} ({n} bảng, {rows} dòng, {mb:.1f} MB, {s:.1f} s)"
            if args.lang == "vi"
            else f"Parquet lake written: {m['lake']} ({n} tables, {rows} rows, {mb:.1f} MB, {s:.1f} s)"
        )
    return 0


def _backup_restore(args) -> int:
    from etl.backup import BackupError, backup, restore

    try:
        if args.command == "backup":
            out = backup(args.dir, args.db, dated=args.dated, keep=args.keep)
        else:
            out = restore(args.dir, args.db)
    except BackupError as err:
        print(f"{err.message_vi}\n{err.message_en}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    elif args.command == "backup":
        for item in out["items"]:
            print(f"{item['item']}: {len(item['files'])} file(s) from {item['source']}")
        for skip in out["skipped"]:
            print(f"{skip['item']}: skipped, {skip['source']} {skip['reason']}")
        print(f"backup written: {out['path']} ({out['seconds']:.1f} s)")
    else:
        for item in out["restored"]:
            print(f"{item['item']}: {item['files']} file(s) -> {item['to']}")
        for skip in out["skipped"]:
            print(f"{skip['item']}: not in the backup (absent on the backed-up server)")
    if args.command == "restore":
        if args.rebuild:
            from etl.loader import rebuild

            return _emit(rebuild(args.db), args)
        print("next: python -m etl rebuild   (recreates the warehouse and marts from the restored files)")
    return 0


# Exit codes: 0 everything loaded; 1 some rows or files rejected; 2 usage error or nothing could be
# read, or a load went past its memory or temp-disk cap (etl/limits.py); 3 another writer held the warehouse past the wait limit (CDS_ETL_LOCK_TIMEOUT), nothing changed.
EXIT_BUSY = 3


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from etl.limits import LoadCapExceeded
    from etl.loader import WarehouseBusy

    try:
        return _run(args)
    except WarehouseBusy as err:
        print(f"{err.message_vi}\n{err.message_en}", file=sys.stderr)
        return EXIT_BUSY
    except LoadCapExceeded as err:  # past the memory or temp-disk cap: stopped, nothing changed
        print(f"{err.message_vi}\n{err.message_en}", file=sys.stderr)
        return 2


def _run(args) -> int:
    db = args.db
    if args.command == "load":
        from etl import mapping as M
        from etl.loader import load_files

        profile = None
        if args.mapping:
            try:
                profile = M.load_profile(args.mapping, M.profiles_dir(db))
            except M.ProfileError as err:
                print(err.message_vi if args.lang == "vi" else err.message_en, file=sys.stderr)
                return 2
        return _emit(
            load_files(
                args.paths,
                db,
                kind=args.kind,
                period=args.period,
                group=args.group,
                sheet=args.sheet,
                mapping=profile,
            ),
            args,
        )
    if args.command == "rejects":
        return _rejects(args)
    if args.command == "mapping":
        return _mapping(args)
    if args.command == "demo":
        from demo import build_demo

        if args.scale == "national":
            out = args.out or config.PROJECT_ROOT / "data" / "national"
            target = Path(db) if db else config.PROJECT_ROOT / "data" / "national" / "warehouse.duckdb"
        else:
            out = args.out or config.PROJECT_ROOT / "data" / "demo"
            target = Path(db or config.default_db_path())
        return _emit(build_demo(target, out, scale=args.scale), args)
    if args.command == "marts":
        from etl.loader import refresh_marts

        seconds = refresh_marts(db)
        print(
            f"đã dựng lại các bảng tổng hợp trong {seconds:.1f} s"
            if getattr(args, "lang", "vi") == "vi"
            else f"marts rebuilt in {seconds:.1f} s"
        )
        return 0
    if args.command == "rebuild":
        from etl.loader import rebuild

        try:
            return _emit(rebuild(db), args)
        except FileNotFoundError:
            where = Path(db or config.default_db_path())
            print(
                f"{where}: không có tệp nào được lưu để dựng lại (chưa nạp tệp nào) — nạp tệp trước: python -m "
                f"etl load TỆP\n{where}: no kept files to rebuild from (nothing was loaded) — load files first: "
                "python -m etl load FILE",
                file=sys.stderr,
            )
            return 2
    if args.command == "export-lake":
        return _export_lake(args)
    if args.command in ("backup", "restore"):
        return _backup_restore(args)
    if args.command == "fetch-portal":
        from etl.portal.cli import run as fetch_portal

        return fetch_portal(args, db)
    return 2
