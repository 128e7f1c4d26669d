"""A fetch run's record: one JSON file per run, kept and loaded like every other file.

The record lists the run, each endpoint asked (status provisional / official / revision / ...), each
HTTP attempt (body sent, time, status, SHA-256 and kept copy of the answer), the provinces' portal
identities and the revisions found.  run.py hands it to `etl.loader.load_files` in the same batch as
the answers it fetched, so the answers and their record land in one atomic swap, and
`python -m etl rebuild` replays both.  `etl/sources/portal_json/` passes a file starting with
`{"cds_portal_fetch_record"` here instead of reading it as a portal answer.

Also here: the figures of an answer flattened per unit, and their differences (revisions).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import duckdb

from etl.readers import SourceFileError
from etl.sources import common as C

KIND = "portal_fetch"
MARK = b'{"cds_portal_fetch_record"'
# section -> (table, replacement key); the first key column is what the loader ranges on.
SECTIONS = {
    "fetches": ("etl_portal_fetch", ["run_id", "seq"]),
    "run": ("etl_portal_run", ["run_id"]),
    "requests": ("etl_portal_request", ["run_id", "seq"]),
    "provinces": ("etl_portal_province", ["province_code"]),
    "revisions": ("fact_index_revision", ["run_id", "seq"]),
}


def is_record(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MARK)) == MARK
    except OSError:
        return False


def write(
    path: Path,
    run: dict,
    fetches: list[dict],
    requests: list[dict],
    provinces: list[dict],
    revisions: list[dict],
) -> None:
    record = {
        "cds_portal_fetch_record": 1,
        "run": [run],
        "fetches": fetches,
        "requests": requests,
        "provinces": provinces,
        "revisions": revisions,
    }
    path.write_text(json.dumps(record, ensure_ascii=False, default=_iso), encoding="utf-8")


def _iso(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value))


def _error(path: Path, vi: str, en: str) -> SourceFileError:
    return SourceFileError(path.name, f"{path.name}: {vi}", f"{path.name}: {en}", code="bad_fetch_record")


def stage(path: Path, con: duckdb.DuckDBPyConnection) -> C.Staged:
    """Stage a run record into temp tables shaped like the etl_portal_* tables."""
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _error(
            path,
            f"bản ghi lần lấy dữ liệu không đọc được ({err}).",
            f"the fetch-run record cannot be read ({err}).",
        ) from err
    if not isinstance(obj, dict) or obj.get("cds_portal_fetch_record") != 1:
        raise _error(path, "không phải bản ghi lần lấy dữ liệu từ Cổng.", "not a portal fetch-run record.")
    outputs = []
    for section, (table, keys) in SECTIONS.items():
        rows = obj.get(section) or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise _error(path, f"mục '{section}' phải là danh sách.", f"section '{section}' must be a list.")
        outputs.append(
            C.Output(_temp_rows(con, table, rows, path), table, keys, primary=section == "fetches")
        )
    rejects = C.temp_name("rejects")
    con.execute(
        f"create temp table {rejects} (source_row integer, column_name varchar, value varchar, "
        f"rule varchar, message_vi varchar, message_en varchar)"
    )
    run = (obj.get("run") or [{}])[0]
    notes = [
        f"lần lấy {run.get('run_id')}: {run.get('result')} / fetch run {run.get('run_id')}: {run.get('result')}"
    ]
    n = len(obj.get("fetches") or [])
    return C.Staged(KIND, outputs, rejects, n, 0, {}, notes)


def _temp_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], path: Path) -> str:
    temp = C.temp_name(f"stg_{table}")
    con.execute(f"create temp table {temp} as select * exclude (load_id) from {table} limit 0")
    described = con.execute(f"describe {temp}").fetchall()
    names = [d[0] for d in described]
    types = {d[0]: d[1] for d in described}
    values = []
    for i, row in enumerate(rows, start=1):
        unknown = set(row) - set(names)
        if unknown:
            raise _error(
                path,
                f"{table}, dòng {i}: cột không có trong bảng: {', '.join(sorted(unknown))}.",
                f"{table}, row {i}: columns the table does not have: {', '.join(sorted(unknown))}.",
            )
        values.append([_value(row.get(n), types[n]) for n in names])
    if values:
        marks = ", ".join("?" for _ in names)
        try:
            con.executemany(f"insert into {temp} ({', '.join(names)}) values ({marks})", values)
        except duckdb.Error as err:
            raise _error(
                path, f"{table}: giá trị không hợp lệ ({err}).", f"{table}: invalid values ({err})."
            ) from err
    return temp


def _value(value, dtype: str):
    if value is None:
        return None
    if dtype == "TIMESTAMP" and isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=None)
    if dtype == "DATE" and isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


# ------------------------------------------------------------------------------------------------
# Figures of an answer, per unit, and their changes

SKIP_FIELDS = frozenset({"stt"})  # row numbers move with the order, not a figure
METRIC_FIELDS = ("numerator", "denominator", "ratio", "score", "maxScore")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def figures(pages: list[dict]) -> dict[tuple[str, str], tuple[float | None, str | None, str | None]]:
    """(unit_id, field) -> (value, unit_code, unit_name) over every page of one endpoint's answer.
    unit_id: 'root' for data.parent / data.overview, else departmentId (else departmentCode, name)."""
    out: dict[tuple[str, str], tuple[float | None, str | None, str | None]] = {}
    for obj in pages:
        data = obj.get("data") or {}
        head = data.get("parent") if isinstance(data.get("parent"), dict) else data.get("overview")
        units: list[tuple[str, dict]] = [("root", head)] if isinstance(head, dict) else []
        for row in data.get("children") or data.get("evaluation") or []:
            if isinstance(row, dict):
                uid = row.get("departmentId") or row.get("departmentCode") or row.get("departmentName")
                units.append((str(uid), row))
        for uid, unit in units:
            code, name = unit.get("departmentCode"), unit.get("departmentName")
            for key, value in unit.items():
                if key in SKIP_FIELDS:
                    continue
                if value is None or _is_number(value):
                    out[(uid, key)] = (None if value is None else float(value), code, name)
                elif key == "groupScores" and isinstance(value, dict):
                    for g, s in value.items():
                        s = s.get("score") if isinstance(s, dict) else s
                        out[(uid, f"groupScores.{g}")] = (float(s) if _is_number(s) else None, code, name)
                elif key == "metrics" and isinstance(value, list):
                    for m in value:
                        if isinstance(m, dict) and m.get("code"):
                            for f in METRIC_FIELDS:
                                v = m.get(f)
                                out[(uid, f"metrics.{m['code']}.{f}")] = (
                                    float(v) if _is_number(v) else None,
                                    code,
                                    name,
                                )
    return out


def changes(before: dict, after: dict) -> list[dict]:
    """Figures that differ (a figure absent on one side counts as NULL there)."""
    out = []
    for key in sorted(set(before) | set(after)):
        old = before.get(key, (None, None, None))
        new = after.get(key, (None, None, None))
        a, b = old[0], new[0]
        if a is None and b is None:
            continue
        if a is not None and b is not None and math.isclose(a, b, rel_tol=0, abs_tol=1e-9):
            continue
        unit_id, field = key
        out.append(
            {
                "unit_id": unit_id,
                "unit_code": new[1] or old[1],
                "unit_name": new[2] or old[2],
                "field": field,
                "previous_value": a,
                "revised_value": b,
            }
        )
    return out
