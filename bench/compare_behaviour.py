"""What the product shows, as one JSON file, so two versions of the code can be compared on one warehouse.

    python -m bench.compare_behaviour --db data/warehouse.duckdb --out before.json
    (change the code, rebuild the demo warehouse with it)
    python -m bench.compare_behaviour --db data/warehouse.duckdb --out after.json
    python -m bench.compare_behaviour --diff before.json after.json

It writes
* `marts`: every table of the warehouse whose name starts with `mart_` — row count, the column names,
  a SHA-256 of the whole table (rows ordered by every column) and one per column, so a difference
  names the column;
* `pages`: every page run with streamlit.testing's AppTest for a fixed list of roles and filters
  (SCENARIOS) — the text of every title, caption, message and KPI card, every table as the user sees
  it (the cells as formatted) and as its CSV and XLSX downloads would write it, and every chart's
  specification;
* `reports`: the commune report and the province briefing (the blocks of the Word/PDF document, and
  every cell of the XLSX workbook with its number format) for a few units.

A refactoring that keeps behaviour leaves the two files equal (`--diff` prints what changed and exits
1 when anything did).  Nothing here times anything.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
ISSUED_ON = date(2026, 11, 5)

# (name, user role and scope code or None for open mode, page, query parameters)
SCENARIOS: list[tuple[str, tuple[str, int | None] | None, str, dict]] = [
    ("province-pt-month", None, "province", {"province": 25, "period": "2025-10"}),
    ("province-hn-quarter-en", None, "province", {"province": 1, "period": "2025-Q4", "lang": "en"}),
    ("province-pt-year", None, "province", {"province": 25, "period": "2025"}),
    ("province-pt-2026-08", None, "province", {"province": 25, "period": "2026-08"}),
    ("national-month", None, "national", {"period": "2025-11"}),
    ("national-quarter-en", None, "national", {"period": "2026-Q2", "lang": "en"}),
    ("commune-vanban-month", None, "commune", {"province": 25, "commune": 8380, "period": "2025-10"}),
    (
        "commune-daixuyen-quarter-en",
        None,
        "commune",
        {"province": 1, "commune": 10333, "period": "2025-Q3", "lang": "en"},
    ),
    ("commune-vanban-2026-08", None, "commune", {"province": 25, "commune": 8380, "period": "2026-08"}),
    ("filings-daixuyen-month", None, "filings", {"province": 1, "commune": 10333, "period": "2025-09"}),
    ("filings-pt-quarter-en", None, "filings", {"province": 25, "period": "2025-Q4", "lang": "en"}),
    ("signatures-pt-month", None, "signatures", {"province": 25, "period": "2025-10"}),
    ("signatures-vanban-year", None, "signatures", {"province": 25, "commune": 8380, "period": "2025"}),
    ("index-pt-month", None, "service_index", {"province": 25, "period": "2025-10"}),
    (
        "index-hn-daixuyen-month-en",
        None,
        "service_index",
        {"province": 1, "commune": 10333, "period": "2025-08", "lang": "en"},
    ),
    (
        "index-pt-vanban-2026-08",
        None,
        "service_index",
        {"province": 25, "commune": 8380, "period": "2026-08"},
    ),
    ("skills-pt-month", None, "skills", {"province": 25, "period": "2025-10"}),
    (
        "skills-vanban-quarter-en",
        None,
        "skills",
        {"province": 25, "commune": 8380, "period": "2025-Q4", "lang": "en"},
    ),
    ("quality-pt", None, "quality", {"province": 25, "period": "2025-10"}),
    ("role-commune-province", ("commune", 8380), "province", {"province": 25, "period": "2025-10"}),
    ("role-commune-index", ("commune", 8380), "service_index", {"province": 25, "period": "2025-10"}),
    ("role-commune-filings", ("commune", 8380), "filings", {"province": 25, "period": "2025-10"}),
    ("role-province-national", ("province", 25), "national", {"period": "2025-10"}),
    (
        "role-province-commune",
        ("province", 1),
        "commune",
        {"province": 1, "commune": 10333, "period": "2025-10"},
    ),
    ("role-steward-quality", ("steward", 25), "quality", {"province": 25, "period": "2025-10"}),
]

REPORTS = [
    ("commune", 8380, "2025-10"),
    ("commune", 10333, "2025-Q3"),
    ("province", 25, "2025-10"),
    ("province", 1, "2025-Q4"),
]


FLOAT = "%.10g"  # floats compared to 10 significant digits (sums in parallel vary in the last bit)


# Times of day are when the demo was loaded, not what it shows: masked.
_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?|\d{2}/\d{2}/\d{4},? \d{2}:\d{2}")


def _norm(value):
    """`value` with every float cut to 10 significant digits and every time of day masked."""
    if isinstance(value, float):
        return float(FLOAT % value)
    if isinstance(value, str):
        return _CLOCK.sub("<time>", value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------------
# Marts.


def marts(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_name like 'mart\\_%' escape '\\' "
                "order by table_name"
            ).fetchall()
        ]
        out = {}
        for name in names:
            # Doubles rounded to 8 decimals: a parallel sum or mean may differ in its last bit from one
            # build to the next.
            cols = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
            select = ", ".join(
                f'round("{c}", 8) as "{c}"' if t in ("DOUBLE", "FLOAT", "REAL") else f'"{c}"' for c, t in cols
            )
            df = con.execute(f'select {select} from "{name}" order by all').df()
            out[name] = {
                "rows": len(df),
                "columns": list(df.columns),
                "sha256": _sha(df.to_csv(index=False)),
                "column_sha256": {c: _sha(df[c].to_csv(index=False)) for c in df.columns},
            }
        return out
    finally:
        con.close()


# --------------------------------------------------------------------------------------------------
# Pages.


def _users_file(folder: Path) -> Path:
    import bcrypt

    from accounts.store import Account, save_users

    path = folder / "users.toml"
    h = bcrypt.hashpw(b"not used: the session is set directly", bcrypt.gensalt(rounds=4)).decode()
    users = {
        f"{role}-{code}": Account(f"{role}-{code}", role, code, h)
        for _, user, _, _ in SCENARIOS
        if user
        for role, code in [user]
    }
    save_users(path, users)
    return path


def _styled_cells(element) -> list | None:
    """The cells of a dataframe as the page formats them (the Styler's display values), when styled."""
    proto = element.proto
    styler = getattr(proto.arrow_data, "styler", None) if hasattr(proto, "arrow_data") else None
    if styler is None or not styler.display_values:
        return None
    import pyarrow as pa

    table = pa.ipc.open_stream(styler.display_values).read_all()
    return table.to_pandas().astype(str).values.tolist()


def _downloads(df, lang: str) -> dict:
    from openpyxl import load_workbook

    from ui import export

    columns = [c for c in df.columns if c not in ("commune_code", "province_code")] or list(df.columns)
    csv = export.export_frame(df, columns, lang).to_csv(index=False, float_format=FLOAT)
    try:
        wb = load_workbook(io.BytesIO(export.to_xlsx(df, columns, lang)))
    except Exception as err:  # recorded, so a fix shows in the diff
        return {"csv": csv, "xlsx_error": f"{type(err).__name__}: {err}"}
    ws = wb.active
    cells = [
        [c.value if not hasattr(c.value, "isoformat") else c.value.isoformat() for c in row]
        for row in ws.iter_rows()
    ]
    return {"csv": csv, "xlsx": cells}


def page(user, name: str, params: dict) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if user is not None:
        from ui.auth import SESSION_KEY, Session

        role, code = user
        at.session_state[SESSION_KEY] = Session(f"{role}-{code}", role, code, time.time())
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.switch_page(f"views/{name}.py")
    at.run()
    lang = params.get("lang", "vi")
    out: dict = {"exception": [str(e.value) for e in at.exception]}
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
        "text",
        "code",
    ):
        out[kind] = [str(e.value) for e in getattr(at, kind)]
    out["metric"] = [[m.label, str(m.value), m.proto.delta, m.proto.help] for m in at.metric]
    out["selectbox"] = [[w.label, [str(o) for o in w.options], str(w.value)] for w in at.selectbox]
    out["multiselect"] = [
        [w.label, [str(o) for o in w.options], [str(v) for v in w.value]] for w in at.multiselect
    ]
    out["table"] = [e.value.to_csv() for e in at.table]
    frames = []
    for e in at.dataframe:
        df = e.value
        frames.append(
            {
                "csv": df.to_csv(index=False, float_format=FLOAT),
                "shown": _styled_cells(e),
                "column_order": list(e.proto.column_order),
                "column_config": e.proto.columns,
                "downloads": _downloads(df, lang),
            }
        )
    out["dataframe"] = frames
    out["plotly_chart"] = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return out


def pages(users_file: Path) -> dict:
    out = {}
    for name, user, view, params in SCENARIOS:
        if user is None:  # open mode: no users file
            os.environ.pop("DASHBOARD_USERS_FILE", None)
        else:
            os.environ["DASHBOARD_USERS_FILE"] = str(users_file)
        out[name] = page(user, view, params)
    return out


# --------------------------------------------------------------------------------------------------
# Reports.


def _blocks(doc) -> list:
    def plain(block):
        d = dataclasses.asdict(block) if dataclasses.is_dataclass(block) else block
        if isinstance(d, dict):
            d = {k: (sorted(v) if isinstance(v, set) else v) for k, v in d.items() if k != "png"}
            d["block"] = type(block).__name__
        return d

    return [
        plain(doc.header),
        plain(doc.title),
        *[plain(b) for b in doc.body],
        plain(doc.closing),
        doc.annex_title,
        *[plain(b) for b in doc.annex],
    ]


def _workbook(data: bytes) -> dict:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [
            [
                [
                    c.coordinate,
                    c.value if not hasattr(c.value, "isoformat") else c.value.isoformat(),
                    c.number_format,
                ]
                for c in row
                if c.value is not None
            ]
            for row in ws.iter_rows()
        ]
    return out


def reports() -> dict:
    from core.periods import parse_period
    from metrics import report_data
    from reports import content, xlsx_writer

    out = {}
    for kind, code, period in REPORTS:
        per = parse_period(period)
        with report_data.shared_queries():
            data = (
                report_data.commune_report_data(code, per)
                if kind == "commune"
                else report_data.province_briefing_data(code, per)
            )
        for lang in ("vi", "en"):
            if kind == "commune":
                doc = content.commune_document(data, {}, lang, ISSUED_ON)
                book = xlsx_writer.commune_workbook(data, lang, ISSUED_ON)
            else:
                doc = content.province_document(data, {}, lang, ISSUED_ON)
                book = xlsx_writer.province_workbook(data, lang, ISSUED_ON)
            out[f"{kind}-{code}-{period}-{lang}"] = {"document": _blocks(doc), "xlsx": _workbook(book)}
    return out


# --------------------------------------------------------------------------------------------------


def snapshot(db: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CDS_WAREHOUSE"] = str(db)
        os.environ["DASHBOARD_AUTH_LOG"] = str(Path(tmp) / "auth.log")
        users = _users_file(Path(tmp))
        return _norm(
            {
                "marts": marts(db),
                "reports": json.loads(json.dumps(reports(), default=str)),
                "pages": json.loads(json.dumps(pages(users), default=str)),
            }
        )


def _walk(a, b, where: str, out: list[str], limit: int = 200) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{where}/{k}: only in {'after' if k not in a else 'before'}")
            else:
                _walk(a[k], b[k], f"{where}/{k}", out, limit)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} items before, {len(b)} after")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _walk(x, y, f"{where}[{i}]", out, limit)
    elif a != b:
        out.append(f"{where}: {str(a)[:300]!r} -> {str(b)[:300]!r}")


def diff(before: Path, after: Path) -> list[str]:
    out: list[str] = []
    _walk(json.loads(before.read_text()), json.loads(after.read_text()), "", out)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.compare_behaviour", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--db", type=Path, help="the warehouse to read (read-only)")
    p.add_argument("--out", type=Path, help="JSON file to write")
    p.add_argument("--diff", nargs=2, type=Path, metavar=("BEFORE", "AFTER"), help="compare two JSON files")
    args = p.parse_args(argv)
    if args.diff:
        changes = diff(*args.diff)
        print("\n".join(changes) if changes else "no difference")
        return 1 if changes else 0
    if not args.db or not args.out:
        p.error("--db and --out are needed (or --diff BEFORE AFTER)")
    args.out.write_text(
        json.dumps(snapshot(args.db), ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
