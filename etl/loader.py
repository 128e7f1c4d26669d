"""The only writer of the warehouse: load files, rebuild marts, swap the new file in atomically.

A load never edits the live warehouse.  It copies it to a private file beside it, applies every
file of the batch there (each in its own transaction, validated before anything is written),
rebuilds the marts, checkpoints, and renames the private file over the live one.  Readers, who
open short-lived read-only connections, see the old file or the new one, never half a load; a
crash or kill at any point leaves the old file as it was.  A batch in which nothing could be
loaded leaves the warehouse byte-for-byte unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import mmap
import os
import shutil
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb

from core.config import SCHEMA_VERSION
from etl import config, headers, limits, readers
from etl import mapping as M
from etl.readers import SourceFileError, read_source
from etl.recognise import unknown_kind
from etl.sources import common as C
from etl.sources import engine, registry
from etl.sources.duplicates import RepeatedKeysError
from etl.sources.registry import KIND_NAMES
from etl.sources.registry import KINDS as KIND_SPECS

# The tabular kinds and their staging functions, from the one registry (etl/sources/registry.py).
STAGERS = {kind: spec.stage for kind, spec in KIND_SPECS.items()}
KINDS = KIND_NAMES
MART_FILES = [
    "mart_dossier_month.sql",
    "int_open_overdue.sql",
    "mart_index_period.sql",
    "mart_index_derived.sql",
    "mart_commune_month.sql",
    "mart_procedure_month.sql",
    "int_period_months.sql",
    "mart_area_period.sql",
    "mart_skills_area.sql",
]
# The one mart of fact_dossier's millions of rows: refreshed only for the months a load touched.
INCREMENTAL_MART = "mart_dossier_month"
TOUCHED = "touched_dossier_months"
# Files staged at the same time (threads with their own DuckDB cursor).
STAGE_WORKERS = int(os.environ.get("CDS_ETL_WORKERS", "2"))
STAGE_THREADS = int(os.environ.get("CDS_ETL_STAGE_THREADS", "1"))  # DuckDB threads while staging
STAGE_AHEAD = int(os.environ.get("CDS_ETL_AHEAD", "40"))  # files staged ahead of the one being written
# Small CSV files laid out alike are staged together, up to this many at once (`_stage_group`).
GROUP_FILES = int(os.environ.get("CDS_ETL_GROUP_FILES", "40"))
GROUP_MAX_BYTES = 4 << 20  # (a bigger file has nothing to gain: its own queries are worth planning)
# (~100,000 rows, ~25 MB of memory each)
# Staged rows held in memory before they are written to the private copy (~250 bytes a dossier).
FLUSH_ROWS = 3_000_000
# DuckDB's memory and temp disk for a load: etl/limits.py (CDS_ETL_MEMORY_LIMIT, CDS_ETL_TEMP_LIMIT).
# A writer waits this long for another one to finish before giving up (seconds; a national load
# takes about 20 minutes).
LOCK_TIMEOUT_ENV = "CDS_ETL_LOCK_TIMEOUT"
LOCK_TIMEOUT = 2 * 3600
LOCK_POLL_SECONDS = 0.2
# Files the ETL writes (warehouse, build file, kept copies, manifest, audit journal, lock): owner
# read-write, group read, nobody else (a umask may make them tighter, never wider).  Folders it creates: 0750.
DATA_FILE_MODE = 0o640
DATA_DIR_MODE = 0o750


@dataclass
class FileResult:
    file: str
    kind: str | None = None
    status: str = "failed"  # loaded | partial | duplicate | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_replaced: int = 0
    rows_rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    message_vi: str = ""
    message_en: str = ""
    notes: list[str] = field(default_factory=list)
    load_id: int | None = None
    sha256: str | None = None
    stored_path: str | None = None
    communes_matched: int = 0  # distinct communes of the warehouse among the rows kept
    size_bytes: int = 0
    # Rows of a workbook after its data that are not data (totals, notes, signatures): not loaded,
    # counted here and listed in `notes` (etl.readers: SourceTable.skipped_rows).
    rows_skipped: int = 0
    # A file refused as a whole for its repeated keys: its first refused lines (row, column, value,
    # rule, message_vi, message_en); nothing of it is written to etl_reject.
    sample_rejects: list[dict] = field(default_factory=list)
    mapping: str | None = None  # the column-mapping profile the file was read with (etl/mapping.py)
    preview_rows: list[dict] = field(default_factory=list)  # `preview_files(sample_rows=)` only


@dataclass
class LoadSummary:
    db_path: str
    files: list[FileResult]
    swapped: bool
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)  # copy, stage+write, marts, checkpoint, swap

    @property
    def exit_code(self) -> int:
        """0 everything loaded; 1 some rows or files rejected, the rest loaded; 2 nothing could be read."""
        if not self.files:
            return 2
        if all(f.status == "failed" for f in self.files):
            return 2
        if any(f.status in ("failed", "partial") for f in self.files):
            return 1
        return 0

    def to_dict(self) -> dict:
        return {
            "db_path": self.db_path,
            "swapped": self.swapped,
            "seconds": round(self.seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "exit_code": self.exit_code,
            "files": [asdict(f) for f in self.files],
        }


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of the file's bytes, hashed straight from a memory map (no copy through reads)."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return hashlib.sha256(b"").hexdigest()
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return hashlib.sha256(data).hexdigest()


class WarehouseBusy(Exception):
    """Another writer held the warehouse past the wait limit; nothing was changed."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def lock_timeout() -> float:
    """Seconds a writer waits for another one (`CDS_ETL_LOCK_TIMEOUT`, default `LOCK_TIMEOUT`)."""
    try:
        return max(0.0, float(os.environ.get(LOCK_TIMEOUT_ENV, LOCK_TIMEOUT)))
    except ValueError:
        return float(LOCK_TIMEOUT)


def notify_stderr(message_vi: str, message_en: str) -> None:
    """The default `on_wait`: one line in each language on standard error."""
    print(f"{message_vi}\n{message_en}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def file_lock(
    lock_path: Path,
    *,
    shared: bool = False,
    timeout: float | None = None,
    on_wait: Callable[[str, str], None] | None = None,
    what: str | None = None,
) -> Iterator[None]:
    """An advisory lock on `lock_path` for the block (created when missing): exclusive, or `shared`
    (many shared holders, no exclusive one).  When another process holds it, `on_wait(vi, en)` is
    told once and the lock is waited for up to `timeout` seconds (None: `lock_timeout()`), then
    `WarehouseBusy` is raised.  `what` names the locked thing in the messages."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(
        lock_path,
        os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
        DATA_FILE_MODE,
    )
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    what = what or str(lock_path)
    try:
        with contextlib.suppress(OSError):  # a lock file from before: no wider than DATA_FILE_MODE
            os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) & DATA_FILE_MODE)
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            limit = lock_timeout() if timeout is None else timeout
            (on_wait or notify_stderr)(
                f"đang chờ một lần nạp khác kết thúc ({what}, chờ tối đa {limit / 60:.0f} phút)…",
                f"waiting for another load to finish ({what}, for up to {limit / 60:.0f} min)…",
            )
            deadline = time.monotonic() + limit
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WarehouseBusy(
                            f"{what}: một lần nạp khác vẫn đang ghi sau {limit / 60:.0f} phút chờ — không có gì thay "
                            "đổi; chạy lại sau khi lần nạp đó xong.",
                            f"{what}: another load was still writing after {limit / 60:.0f} min of waiting — nothing "
                            "was changed; run this again once that load has finished.",
                        ) from None
                    time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def warehouse_lock(
    db_path: Path,
    *,
    shared: bool = False,
    timeout: float | None = None,
    on_wait: Callable[[str, str], None] | None = None,
):
    """The warehouse's writer lock: every writer of `db_path` (load, rebuild, mart refresh) holds it
    exclusively for its whole run, so no swap can replace another writer's work; a reader that must
    see one version throughout (the lake export) holds it shared.  Short-lived page reads need no lock."""
    return file_lock(
        Path(str(db_path) + ".lock"), shared=shared, timeout=timeout, on_wait=on_wait, what=str(db_path)
    )


def private_file(path: Path) -> None:
    """Make a data file the ETL wrote readable by its owner and group only (`DATA_FILE_MODE`, or
    tighter if it already was)."""
    with contextlib.suppress(FileNotFoundError):
        current = stat.S_IMODE(os.stat(path).st_mode)
        os.chmod(path, current & DATA_FILE_MODE)


def _new_private_file(path: Path, like: Path | None = None) -> None:
    """Create `path` empty with `DATA_FILE_MODE` (and no wider than `like`'s mode), refusing to follow
    a symlink planted in its place."""
    mode = DATA_FILE_MODE
    if like is not None and like.exists():
        mode &= stat.S_IMODE(os.stat(like).st_mode)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), mode)
    os.close(fd)
    os.chmod(path, mode)


def _copy_private(src: Path, dst: Path) -> None:
    """Copy `src` to a new `dst` that is never readable beyond `DATA_FILE_MODE`, not even while copying."""
    dst.unlink(missing_ok=True)
    _new_private_file(dst, like=src)
    shutil.copyfile(src, dst)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Contract tables (idempotent) and the reference tables from `vietnam-provinces`."""
    from core.reference import commune_frame, province_frame

    for sql_file in sorted(config.SQL_DIR.glob("schema*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))
    # Columns added after a table was first created (warehouses built before them gain them here).
    con.execute("alter table etl_upload_audit add column if not exists reasons varchar")
    con.execute("create table if not exists warehouse_info (key varchar primary key, value varchar)")
    con.execute("insert or replace into warehouse_info values ('schema_version', ?)", [str(SCHEMA_VERSION)])
    if con.execute("select count(*) from dim_province").fetchall()[0][0] == 0:
        con.register("province_src", province_frame())
        con.execute(
            "insert into dim_province select province_code, name, division_type, codename, phone_code "
            "from province_src"
        )
        con.register("commune_src", commune_frame())
        con.execute(
            "insert into dim_commune select commune_code, name, division_type, codename, province_code "
            "from commune_src"
        )
        con.unregister("province_src")
        con.unregister("commune_src")


def build_marts(con: duckdb.DuckDBPyConnection, months: list | None = None) -> None:
    """Run the mart SQL files in order.  `months` (first days of months received): refresh
    mart_dossier_month for those months only, with its own SELECT — the other marts read it and
    the few unfinished dossiers, so a month's load costs in proportion to the month, not to the
    warehouse.  None: build everything from scratch (also what runs over the Parquet lake)."""
    has_mart = bool(
        con.execute(
            "select count(*) from duckdb_tables() where table_name = ? and not temporary", [INCREMENTAL_MART]
        ).fetchall()[0][0]
    )
    for name in MART_FILES:
        sql = config.read_sql(name)
        if name == f"{INCREMENTAL_MART}.sql" and months is not None and has_mart:
            if not months:
                continue  # no dossier changed: the mart stands
            head = f"create or replace table {INCREMENTAL_MART} as"
            select = sql[sql.index(head) + len(head) :].strip().rstrip(";")
            # Only the touched months' rows are read (by every `from fact_dossier` of the SELECT):
            # a range on received_at that the table's zone maps can skip row groups with (rows are
            # appended month by month).
            select = select.replace(
                "from fact_dossier",
                "from (select * from fact_dossier where received_at >= $lo and received_at < $hi) fact_dossier",
            )
            lo, hi = min(months), max(months)
            hi = hi.replace(year=hi.year + hi.month // 12, month=hi.month % 12 + 1)
            con.execute(f"delete from {INCREMENTAL_MART} where list_contains(?, month)", [months])
            con.execute(
                f"insert into {INCREMENTAL_MART} select * from ({select}) where list_contains($months, month)",
                {"lo": lo, "hi": hi, "months": months},
            )
        else:
            con.execute(sql)


def _stage_file(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    kind: str | None,
    options: dict,
    skipped: list[tuple[int, str]] | None = None,
) -> C.Staged:
    """Read and stage one file; the rows a workbook has after its data (totals, notes, signatures)
    are appended to `skipped` as (row, first cell).  With a column-mapping profile (`options
    ["mapping"]`, etl/mapping.py) the file's headers are read through it before the kind is detected."""
    profile: M.Profile | None = options.get("mapping")
    options = {k: v for k, v in options.items() if k != "mapping"}
    reader = registry.for_file(path, kind)
    if reader is not None and not reader.tabular:  # (portal JSON: read by its own reader hook)
        return reader.stage(path, con, **options)
    if profile is not None:
        if kind and kind != profile.kind:
            raise SourceFileError(
                path.name,
                f"{path.name}: hồ sơ ánh xạ '{profile.name}' dành cho loại '{profile.kind}', không phải '{kind}'.",
                f"{path.name}: mapping profile '{profile.name}' is for kind '{profile.kind}', not '{kind}'.",
            )
        kind = profile.kind
    # Every read of the file while it is staged (the engine may read it again) finds the header row
    # by the profile's columns too.
    expected = readers.EXPECTED_HEADERS.set(M.header_keys(profile) if profile is not None else None)
    try:
        return _stage_table(path, con, kind, options, profile, skipped)
    finally:
        readers.EXPECTED_HEADERS.reset(expected)


def _stage_table(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    kind: str | None,
    options: dict,
    profile: M.Profile | None,
    skipped: list[tuple[int, str]] | None,
) -> C.Staged:
    sheet = options.get("sheet")
    try:
        table = read_source(path, con, lazy=kind in (None, "dossiers"), sheet=sheet)
    except SourceFileError as err:
        if err.code == "no_header" and err.headers:  # say which kind it comes nearest and what it lacks
            raise unknown_kind(path.name, err.headers, err.header_row, list(KINDS), scanned=err) from err
        raise
    if profile is not None:
        table = _mapped(path, table, profile)
    detected = headers.detect_kind(table.headers)
    use = kind or detected
    if table.lazy is not None and use != "dossiers":
        table = read_source(path, con, sheet=sheet)  # only the dossier stager streams a file
        if profile is not None:
            table = _mapped(path, table, profile)
    if skipped is not None:
        skipped.extend(table.skipped_rows)
    if use is None:
        raise unknown_kind(path.name, table.headers, table.header_row, list(KINDS))
    if kind and detected and kind != detected:
        raise SourceFileError(
            path.name,
            f"{path.name}: tệp có vẻ là '{detected}', không phải '{kind}' như đã chọn — kiểm tra --kind.",
            f"{path.name}: the file looks like '{detected}', not '{kind}' as requested — check --kind.",
        )
    return STAGERS[use](table, con, **options)


def _mapped(path: Path, table, profile: M.Profile):
    """The table with its headers read through `profile` (every column the profile names must be there)."""
    absent = M.unmatched(profile, table.headers)
    if absent:
        names = ", ".join(f'"{h}"' for h in absent)
        own = ", ".join(f'"{h}"' for h in table.headers)
        raise SourceFileError(
            path.name,
            f"{path.name}: hồ sơ ánh xạ '{profile.name}' cần các cột {names} mà tệp không có (cột của tệp: "
            f"{own}) — chọn hồ sơ khác hoặc sửa ánh xạ.",
            f"{path.name}: mapping profile '{profile.name}' needs the columns {names}, which the file does not "
            f"have (the file's columns: {own}) — choose another profile or correct the mapping.",
        )
    return replace(table, headers=M.apply(profile, table.headers))


def _store_copy(path: Path, digest: str, db_path: Path) -> str:
    """Keep the loaded bytes, content-addressed, beside the warehouse; returns the relative path."""
    store = config.files_dir(db_path)
    target = store / digest[:2] / f"{digest}{path.suffix.lower()}"
    if not target.exists():
        _private_dir(store)
        _private_dir(target.parent)
        tmp = target.with_suffix(f"{target.suffix}.{os.getpid()}-{threading.get_ident()}.part")
        _new_private_file(tmp)
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    return str(target.relative_to(store.parent))


def _private_dir(path: Path) -> None:
    """Create a folder of the store with `DATA_DIR_MODE` (an existing one is left as it is)."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=DATA_DIR_MODE, parents=True)


def _manifest_path(db_path: Path) -> Path:
    return config.files_dir(db_path) / "manifest.jsonl"


def _audit_journal_path(db_path: Path) -> Path:
    """Every `etl_upload_audit` row, also kept beside the files (a rebuild restores the audit from it)."""
    return config.files_dir(db_path) / "upload-audit.jsonl"


def _swap_in(work: Path, db_path: Path) -> None:
    """Make the finished private copy the warehouse: flushed to disk, then renamed over it."""
    private_file(work)
    with open(work, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(work, db_path)
    _fsync_dir(db_path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_files(
    paths: list[Path],
    db_path: Path | None = None,
    *,
    kind: str | None = None,
    period: str | None = None,
    group: str | None = None,
    sheet: str | None = None,
    demo: bool = False,
    record: bool = True,
    allowed_province: int | None = None,
    audit: dict | None = None,
    on_wait: Callable[[str, str], None] | None = None,
    lock_timeout: float | None = None,
    mapping: M.Profile | None = None,
    _build: bool = True,
) -> LoadSummary:
    """Load source files into the warehouse at `db_path` (see the module docstring for the guarantees).

    `allowed_province`: every row of every table the load writes must be of this province (by its
    province_code, and a commune's code must be one of the province's communes); the others become
    rejects (rule `outside_scope`) — a steward's upload.  `audit`: who loads (`uploaded_by`,
    `role`, `scope_code`, `province_code`); one `etl_upload_audit` row per file is written in the
    same swap, also for files that could not be loaded, and kept in the store's audit journal.
    `record`: note each loaded file in the store's manifest with the options, the restriction and
    the account it was loaded with (`rebuild` replays them).  Another writer holding the
    warehouse: `on_wait(vi, en)` is told (default: standard error) and the load waits up to
    `lock_timeout` seconds (default `lock_timeout()`), then raises `WarehouseBusy`."""
    started = time.perf_counter()
    db_path = Path(db_path or config.default_db_path()).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    options = {
        k: v for k, v in {"period": period, "group": group, "sheet": sheet, "mapping": mapping}.items() if v
    }
    results: list[FileResult] = []
    manifest_entries: list[dict] = []
    timings: dict[str, float] = {}
    mark = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - mark
        mark = now

    with warehouse_lock(db_path, timeout=lock_timeout, on_wait=on_wait):
        work = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
        # Holding the lock, any other build file belongs to a load that died: remove it.
        for leftover in db_path.parent.glob(f".{db_path.name}.building-*"):
            leftover.unlink(missing_ok=True)
        if db_path.exists():
            _copy_private(db_path, work)
        phase("copy")
        try:
            con = duckdb.connect(str(work), config=limits.connect_config())
            limits.apply(con)
            private_file(work)
            con.execute("set enable_progress_bar = false")
            try:
                C.install_macros(con)
                create_schema(con)
                seen = {r[0] for r in con.execute("select content_sha256 from etl_load").fetchall()}
                next_id = con.execute("select coalesce(max(load_id), 0) + 1 from etl_load").fetchall()[0][0]
                pending: list[tuple[FileResult, C.Staged]] = []
                for path, res, staged in _stage_files(
                    con, [Path(p) for p in paths], kind, options, frozenset(seen), allowed_province, db_path
                ):
                    if staged is not None and res.sha256 in seen:  # same bytes earlier in this batch
                        _drop_staged(con, staged)
                        res, staged = _duplicate(path, res.sha256, res.size_bytes), None
                    results.append(res)
                    if staged is not None:
                        seen.add(res.sha256)
                        res.load_id = next_id
                        pending.append((res, staged))
                        next_id += 1
                        manifest_entries.append(
                            _manifest_entry(path, res, kind, options, allowed_province, audit)
                        )
                    if sum(st.rows_read - st.rows_rejected for _, st in pending) >= FLUSH_ROWS:
                        # A national batch does not fit in memory: write what is staged so far (into
                        # the private copy; the swap below still makes the whole batch visible at once).
                        _write_batch(con, pending)
                        for _, st in pending:
                            _drop_staged(con, st)
                        pending = []
                if pending:
                    _write_batch(con, pending)
                phase("stage_and_write")
                loaded_any = any(r.load_id is not None for r in results)
                audit_rows = _write_audit(con, results, audit) if audit is not None else []
                changed = loaded_any or audit is not None
                if loaded_any and _build:
                    build_marts(con, _touched_months(con))
                    phase("marts")
                    con.execute(
                        "insert or replace into warehouse_info values ('built_at', ?)",
                        [datetime.now().isoformat(timespec="seconds")],
                    )
                    if demo:
                        con.execute("insert or replace into warehouse_info values ('demo', 'true')")
                    con.execute("checkpoint")
                    phase("checkpoint")
            except duckdb.Error as err:
                if limits.is_cap_error(err):  # stop: the finally below removes the private copy
                    raise limits.cap_exceeded(err) from err
                raise
            finally:
                con.close()
            if changed:
                _swap_in(work, db_path)
                if record:
                    _append_jsonl(_manifest_path(db_path), manifest_entries)
                    _append_jsonl(_audit_journal_path(db_path), audit_rows)
                phase("swap")
        finally:
            for leftover in (work, Path(str(work) + ".wal")):
                leftover.unlink(missing_ok=True)
    for r in results:
        r.mapping = mapping.name if mapping is not None and r.status != "duplicate" else None
    return LoadSummary(
        str(db_path),
        results,
        any(r.load_id is not None for r in results),
        time.perf_counter() - started,
        timings,
    )


def _manifest_entry(
    path: Path,
    res: FileResult,
    kind: str | None,
    options: dict,
    allowed_province: int | None,
    audit: dict | None,
) -> dict:
    """One manifest line: the kept copy, and everything its load depended on, for `rebuild` — the
    options, the province the rows were restricted to and the account that loaded it (None from
    the command line)."""
    audit = audit or {}
    return {
        "file_name": path.name,
        "stored_path": res.stored_path,
        "sha256": res.sha256,
        "kind": kind,
        **{k: (v.manifest() if isinstance(v, M.Profile) else v) for k, v in options.items()},
        "allowed_province": allowed_province,
        "uploaded_by": audit.get("uploaded_by"),
        "role": audit.get("role"),
        "scope_code": audit.get("scope_code"),
        "load_id": res.load_id,
        "loaded_at": datetime.now().isoformat(timespec="seconds"),
    }


def _append_jsonl(path: Path, entries: list[dict]) -> None:
    if not entries:
        return
    _private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), DATA_FILE_MODE)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e, ensure_ascii=False, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    private_file(path)


def _duplicate(path: Path, digest: str, size: int) -> FileResult:
    res = FileResult(file=path.name, sha256=digest, size_bytes=size, status="duplicate")
    res.message_vi = f"{path.name}: nội dung này đã được nạp trước đây — bỏ qua."
    res.message_en = f"{path.name}: this content was loaded before — nothing to do."
    return res


def _stage_files(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    kind,
    options,
    loaded: frozenset[str],
    allowed_province: int | None,
    db_path: Path,
) -> Iterator[tuple[Path, FileResult, C.Staged | None]]:
    """Stage the files on `STAGE_WORKERS` threads, each file with its own cursor, and yield them in the
    given order.  A file of a few hundred thousand rows fills one DuckDB row group, so its queries
    run on one core; two files at a time use both (1.8x on a month of national files).  The
    staged tables go to the in-memory database `stage`, shared by the cursors; at most
    `STAGE_WORKERS + STAGE_AHEAD` files are staged ahead of the one being handled, enough to keep
    the workers busy while a flush writes (a flush of 3 million rows takes several seconds on the
    main thread; with 10 files ahead the workers stalled: 3 national months loaded in 66 s, with 40
    in 42 s, 80 no better).  Runs of small CSV files are staged as units of up to `GROUP_FILES`
    (`_units`, `_stage_group`: one streamed pass over the unit's files laid out alike; a file it
    cannot take is staged alone): 1,200 files of 300 rows spent ~37 ms each planning their own
    ~20 queries."""
    con.execute("attach if not exists ':memory:' as stage")
    C.shared_lookups(con)

    def work(path: Path) -> tuple[Path, FileResult, C.Staged | None]:
        # A cursor of its own for each file: closing it frees the file's reading and staging tables
        # (its temp schema) at once, keeping only the outputs and rejects moved to `stage` until the
        # batch is written.  (Listing and dropping them one by one read duckdb_tables(), which lists
        # every table staged so far: 25 ms a file once a thousand small files were staged.)
        cur = con.cursor()
        try:
            cur.execute("set enable_progress_bar = false")
            C.install_macros(cur)
            res, staged = _stage_one(cur, path, kind, options, loaded, allowed_province)
            if staged is not None:
                _share(cur, staged)
                _describe(cur, staged)
                res.stored_path = _store_copy(path, res.sha256, db_path)
            return path, res, staged
        finally:
            cur.close()

    def work_unit(unit: list[Path]) -> list[tuple[Path, FileResult, C.Staged | None]]:
        if len(unit) == 1:
            return [work(unit[0])]
        cur = con.cursor()
        try:
            cur.execute("set enable_progress_bar = false")
            C.install_macros(cur)
            done = _stage_group(cur, unit, kind, loaded, db_path)
        finally:
            cur.close()
        return [done[i] if i in done else work(path) for i, path in enumerate(unit)]

    units = _units(paths, kind, options, allowed_province)
    workers = max(1, min(STAGE_WORKERS, len(units)))
    # Each staging thread runs its queries itself; DuckDB's own workers on top would only make the
    # threads wait for cores (restored for the marts, which run alone).
    threads = con.execute("select current_setting('threads')").fetchall()[0][0]
    if workers > 1:
        con.execute(f"set threads = {int(STAGE_THREADS)}")
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stage") as pool:
            ahead: deque = deque()
            queue = iter(units)
            for unit in itertools.islice(queue, workers + STAGE_AHEAD):
                ahead.append(pool.submit(work_unit, unit))
            restored = workers == 1
            while ahead:
                try:
                    done = ahead.popleft().result()
                except BaseException:
                    for later in ahead:  # the load stops (e.g. past a cap): stage nothing more
                        later.cancel()
                    raise
                nxt = next(queue, None)
                if nxt is not None:
                    ahead.append(pool.submit(work_unit, nxt))
                elif not restored and all(f.done() for f in ahead):
                    # Every file is staged: the writes still to come get every core (the last
                    # flushes of a national batch ran on one thread while the other core idled).
                    con.execute(f"set threads = {int(threads)}")
                    restored = True
                yield from done
    finally:
        con.execute(f"set threads = {int(threads)}")


def _units(paths: list[Path], kind, options, allowed_province: int | None) -> list[list[Path]]:
    """The files in staging units: runs of up to `GROUP_FILES` consecutive CSV files that may be
    staged together (`_stage_group`: dossiers, no option that changes how a file is read, no
    restriction to a province), every other file alone."""
    units: list[list[Path]] = []
    groupable = kind in (None, "dossiers") and not options and allowed_province is None and GROUP_FILES > 1
    run = False  # the last unit is a run still open
    for path in paths:
        if groupable and path.suffix.lower() == ".csv" and _small(path):
            if run and len(units[-1]) < GROUP_FILES:
                units[-1].append(path)
            else:
                units.append([path])
                run = True
        else:
            units.append([path])
            run = False
    return units


def _small(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size <= GROUP_MAX_BYTES
    except OSError:
        return False


def _line_ends(data: bytes) -> str | None:
    """'lf' or 'crlf' when every line of `data` ends so, None when they are mixed or a line starts
    with '#' (files read as one list are sniffed once, on the first file: a file unlike it, or one
    whose own sniffing might take lines for comments, is staged alone)."""
    if data.startswith(b"#") or b"\n#" in data:
        return None
    if b"\r" not in data:
        return "lf"
    crlf = data.count(b"\r\n")
    return "crlf" if crlf == data.count(b"\n") == data.count(b"\r") else None


def _stage_group(
    cur: duckdb.DuckDBPyConnection, paths: list[Path], kind, loaded: frozenset[str], db_path: Path
) -> dict[int, tuple[Path, FileResult, C.Staged | None]]:
    """Stage small dossier CSV files together (see `engine.stage_group`): returns, by position in
    `paths`, the files it staged (or found loaded before); the caller stages every other one alone,
    the ordinary way (`_stage_one`), which says what is wrong with it.  A file joins a group when it
    is a plain UTF-8 CSV the streamed read can take (the byte scan of `readers.read_source(lazy=True)`:
    no blank or overlong line, no NUL ...), of the dossier kind, and laid out like the others (same
    header, delimiter, skip); each file still has its own hash, kept copy and checks."""
    spec = KIND_SPECS["dossiers"]
    done: dict[int, tuple[Path, FileResult, C.Staged | None]] = {}
    layouts: dict[tuple, list[tuple[int, FileResult, readers.SourceTable]]] = {}
    for i, path in enumerate(paths):
        if not path.is_file():
            continue
        reader = registry.for_file(path, kind)
        if reader is not None and not reader.tabular:
            continue
        res = FileResult(file=path.name)
        try:
            data = path.read_bytes()
        except OSError:
            continue
        res.sha256, res.size_bytes = hashlib.sha256(data).hexdigest(), len(data)
        if res.sha256 in loaded:
            done[i] = (path, _duplicate(path, res.sha256, res.size_bytes), None)
            continue
        try:
            table = read_source(path, cur, lazy=True)
        except (SourceFileError, duckdb.Error, ValueError, OSError, UnicodeError):
            continue  # (staged alone, it says why)
        lazy, ends = table.lazy, _line_ends(data)
        if (
            lazy is None
            or ends is None
            or table.skipped_rows
            or headers.detect_kind(table.headers) != "dossiers"
        ):
            continue
        layout = (
            ends,
            lazy.select_sql,
            tuple(lazy.params[1:]),
            lazy.first_data_line,
            lazy.header_end_line,
            table.header_row,
            table.encoding,
            tuple(table.headers),
        )
        layouts.setdefault(layout, []).append((i, res, table))
    todo = list(layouts.values())
    while todo:
        members = todo.pop(0)
        if len(members) < 2:
            continue
        tables = [t for _, _, t in members]
        try:
            group, clean = engine.stage_group(spec, tables, cur)
        except duckdb.Error as err:
            if limits.is_cap_error(err):
                raise limits.cap_exceeded(err, tables[0].path.name) from err
            # A file the list's reader cannot take (e.g. one sniffed unlike the first): its half
            # is tried again, down to single files, which are staged alone.
            half = len(members) // 2
            todo[:0] = [members[:half], members[half:]]
            continue
        out = spec.outputs[0]
        key = out.key[0]
        engine.number_group(cur, group, tables[0].lazy.first_data_line)
        shared = _Group([group, f"stage.{C.temp_name('rejects')}"])
        cur.execute(f"create table {shared.tables[1]} {C.REJECTS_DDL}")  # (none: the files are clean)
        facts = {
            r[0]: r[1:]
            for r in cur.execute(f"""
                select source_file,
                    count(distinct commune_code) filter (where commune_code in (select commune_code from dim_commune)),
                    min({key}), max({key}),
                    list(distinct cast(date_trunc('month', received_at) as date)) filter (where received_at is not null)
                from {group} group by source_file""").fetchall()
        }
        for (i, res, table), fine in zip(members, clean, strict=True):
            if fine is None:
                continue
            first_rowid, records = fine
            communes, lo, hi, months = facts[str(table.path)]
            output = C.Output(
                group, out.table, list(out.key), primary=True, key_range=(lo, hi), part=first_rowid
            )
            output.months = sorted(months or []) if out.table == "fact_dossier" else None
            staged = C.Staged("dossiers", [output], shared.tables[1], records, 0, {}, group=shared)
            shared.users += 1
            res.kind, res.rows_read, res.rows_rejected = "dossiers", records, 0
            res.communes_matched, res.status = communes, "loaded"
            res.stored_path = _store_copy(table.path, res.sha256, db_path)
            done[i] = (table.path, res, staged)
        if not shared.users:
            shared.drop(cur)
    return done


class _Group:
    """The tables a group of files staged together share (`_stage_group`): dropped once the last
    of its files is written or set aside (`_drop_staged`)."""

    def __init__(self, tables: list[str]):
        self.tables, self.users, self.lock = tables, 0, threading.Lock()

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in self.tables:
            con.execute(f"drop table if exists {name}")

    def release(self, con: duckdb.DuckDBPyConnection) -> None:
        with self.lock:
            self.users -= 1
            last = self.users == 0
        if last:
            self.drop(con)


def _share(cur: duckdb.DuckDBPyConnection, staged: C.Staged) -> None:
    """Move a file's outputs and rejects from the worker's temp schema to the shared `stage`
    database (tables created there directly, like the dossier's, stay where they are)."""

    def move(name: str) -> str:
        if name.startswith("stage."):
            return name
        cur.execute(f"create table stage.{name} as select * from temp.{name}")
        cur.execute(f"drop table temp.{name}")
        return f"stage.{name}"

    for out in staged.outputs:
        out.temp = move(out.temp)
    staged.rejects = move(staged.rejects)


def _describe(cur: duckdb.DuckDBPyConnection, staged: C.Staged) -> None:
    """Facts about each output that spare the writer a pass over the whole batch: the range of
    its first key column (files whose ranges do not overlap cannot share a key: a national month
    is one file per province and its dossier ids start with the province) and, for dossiers, the
    months received (the marts to refresh).  Computed here, on the staging threads, in parallel."""
    for out in staged.outputs:
        if not out.keys:
            continue
        key = out.keys[0]
        if out.target == "fact_dossier":
            lo, hi, months = cur.execute(
                f"select min({key}), max({key}), list(distinct cast(date_trunc('month', received_at) as date)) "
                f"filter (where received_at is not null) from {out.temp}"
            ).fetchall()[0]
            out.months = sorted(months or [])
        else:
            lo, hi = cur.execute(f"select min({key}), max({key}) from {out.temp}").fetchall()[0]
        out.key_range = (lo, hi)


def _disjoint(ranges: list[tuple | None]) -> bool:
    """True when no two key ranges overlap (so no key is in two of the outputs); False when a
    range is unknown."""
    if any(r is None for r in ranges):
        return False
    spans = sorted(r for r in ranges if r[0] is not None)
    highest = itertools.accumulate((hi for _, hi in spans), max)  # the highest key up to each range
    return all(lo > top for (lo, _), top in zip(spans[1:], highest, strict=False))


def _drop_staged(con: duckdb.DuckDBPyConnection, staged: C.Staged) -> None:
    if staged.group is not None:
        staged.group.release(con)
        return
    for name in [staged.rejects, *(o.temp for o in staged.outputs)]:
        con.execute(f"drop table if exists {name}")


def _stage_one(
    con, path: Path, kind, options, loaded: frozenset[str], allowed_province: int | None = None
) -> tuple[FileResult, C.Staged | None]:
    """Hash, read and validate one file; nothing is written yet (see `_write_batch`)."""
    res = FileResult(file=path.name)
    if not path.is_file():
        res.message_vi = f"{path}: không tìm thấy tệp — kiểm tra đường dẫn."
        res.message_en = f"{path}: file not found — check the path."
        return res, None
    digest = sha256_of(path)
    res.sha256, res.size_bytes = digest, path.stat().st_size
    if digest in loaded:
        return _duplicate(path, digest, res.size_bytes), None
    skipped: list[tuple[int, str]] = []
    try:
        staged = _stage_file(path, con, kind, options, skipped)
    except RepeatedKeysError as err:
        res.message_vi, res.message_en = err.message_vi, err.message_en
        res.rows_read, res.rows_rejected, res.sample_rejects = err.lines, err.lines, err.rejects
        res.reasons = {"duplicate_in_file": err.lines}
        return res, None
    except SourceFileError as err:
        if (cap := limits.cap_cause(err)) is not None:  # (a reader wrapped it)
            raise limits.cap_exceeded(cap, path.name) from err
        res.message_vi, res.message_en = err.message_vi, err.message_en
        return res, None
    except duckdb.Error as err:
        if limits.is_cap_error(err):  # the load stops: no file goes past the caps
            raise limits.cap_exceeded(err, path.name) from err
        res.message_vi, res.message_en = _unreadable(path, err)
        return res, None
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RecursionError,
        UnicodeError,
        OSError,
        MemoryError,
    ) as err:
        # A file no rule foresaw must not take its neighbours down with it: this one fails, with
        # what happened, and the batch goes on.
        res.message_vi, res.message_en = _unreadable(path, err)
        return res, None
    if allowed_province is not None:
        _restrict_to_province(con, staged, allowed_province)
    res.communes_matched = _communes_matched(con, staged)
    res.kind, res.rows_read, res.rows_rejected = staged.kind, staged.rows_read, staged.rows_rejected
    res.reasons, res.notes = staged.reasons, list(staged.notes)
    if skipped:
        res.rows_skipped = len(skipped)
        rows = ", ".join(f"{row} ({text})" if text else str(row) for row, text in skipped[:8])
        more = f" (+{len(skipped) - 8})" if len(skipped) > 8 else ""
        res.notes.append(
            f"{len(skipped)} dòng sau dữ liệu không nạp (dòng tổng, ghi chú, chữ ký) / "
            f"{len(skipped)} rows after the data not loaded (totals, notes, signatures): {rows}{more}"
        )
    res.status = "partial" if res.rows_rejected else "loaded"
    return res, staged


def _unreadable(path: Path, err: BaseException) -> tuple[str, str]:
    detail = f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}"
    return (
        f"{path.name}: không đọc được tệp ({detail}) — kiểm tra tệp có đúng là tệp xuất từ hệ "
        "thống nguồn; nếu đúng, gửi tệp này cho bộ phận kỹ thuật.",
        f"{path.name}: the file could not be read ({detail}) — check that it is an export of "
        "the source system; if it is, send the file to the technical team.",
    )


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {table}").fetchall()]


# {} placeholders: the unit's kind, the unit, the code's name, the code, the province.
OUTSIDE_SCOPE_VI = (
    "{} {} — {} {} không thuộc tỉnh {} mà tài khoản của bạn được nạp; dòng bị loại — "
    "nạp tệp này bằng tài khoản của tỉnh đó hoặc xóa dòng."
)
OUTSIDE_SCOPE_EN = (
    "{} {} — {} {} is not in province {}, the one your account may load; row rejected — "
    "load it with that province's account or drop the row."
)
_WORDS_VI = (
    "case {0} when 'commune' then 'xã' when 'department' then 'sở/ngành' when 'province' then 'tỉnh' "
    "when 'commune_code' then 'mã xã' when 'province_code' then 'mã tỉnh' else {0} end"
)


def _restrict_to_province(con, staged: C.Staged, province: int) -> None:
    """Turn every staged row outside `province` into a reject (rule `outside_scope`), whatever the
    table and the level of the row: a commune's, a provincial department's or the province's own.
    A row is inside only when its province_code is `province` and, if it names a commune, that
    commune is one of the province's; a row of a table with neither column cannot be placed and is
    outside.  One reject per source row (the first output holding it, the primary one first, names
    the unit); the file's rejected count and reasons follow.  Works on the staged outputs, whatever
    source module produced them."""
    count = f"select count(*) from {staged.rejects} where rule = 'outside_scope'"
    before = con.execute(count).fetchall()[0][0]
    for out in sorted(staged.outputs, key=lambda o: not o.primary):
        cols = _columns(con, out.temp)
        parts, params = [], []
        if "province_code" in cols:
            parts.append("province_code is distinct from $province")
        if "commune_code" in cols:
            parts.append(
                "(commune_code is not null and commune_code not in "
                "(select commune_code from dim_commune where province_code = $province))"
            )
        cond = " or ".join(parts) or "true"
        params = {"province": int(province)}
        row = "source_row" if "source_row" in cols else "cast(null as integer)"
        kind, unit, column, value = _scope_labels(cols, out)
        con.execute(
            f"""
            insert into {staged.rejects}
            select row_, column_, value_, 'outside_scope',
                   format($vi, {_WORDS_VI.format("kind_")}, unit_, {_WORDS_VI.format("column_")},
                          coalesce(value_, '(trống)'), $province),
                   format($en, kind_, unit_, column_, coalesce(value_, '(empty)'), $province)
            from (select {row} as row_, {kind} as kind_, {unit} as unit_, {column} as column_, {value} as value_,
                         rowid as rid_
                  from {out.temp} where {cond}) o
            where row_ is null or not exists (select 1 from {staged.rejects} r
                                              where r.rule = 'outside_scope' and r.source_row = o.row_)
            qualify row_number() over (partition by row_, case when row_ is null then rid_ end order by rid_) = 1
            order by row_, rid_""",
            {**params, "vi": OUTSIDE_SCOPE_VI, "en": OUTSIDE_SCOPE_EN},
        )
        con.execute(f"delete from {out.temp} where {cond}", params)
    n = con.execute(count).fetchall()[0][0] - before
    if n:
        staged.rows_rejected += n
        staged.reasons = {**staged.reasons, "outside_scope": staged.reasons.get("outside_scope", 0) + n}


def _scope_labels(cols: list[str], out: C.Output) -> tuple[str, str, str, str]:
    """SQL for an outside_scope message: the unit's kind (commune | department | province, or the
    key's name), the unit, which code places it ('commune_code' | 'province_code') and that code."""
    key = out.keys[0] if out.keys else None
    if "department_name" in cols:
        kind, unit = "'department'", "coalesce(department_name, department_key)"
    elif "unit_kind" in cols:
        kind, unit = "unit_kind", "unit_key"
    elif key and key not in ("commune_code", "province_code"):
        kind, unit = f"'{key}'", f"coalesce(cast({key} as varchar), '')"
    elif "commune_code" in cols:
        kind, unit = "'commune'", "coalesce(cast(commune_code as varchar), '')"
    else:
        kind, unit = "'province'", "coalesce(cast(province_code as varchar), '')"
    if "commune_code" in cols and "province_code" in cols:
        column = "case when commune_code is not null then 'commune_code' else 'province_code' end"
        value = "cast(coalesce(commune_code, province_code) as varchar)"
    elif "commune_code" in cols:
        column, value = "'commune_code'", "cast(commune_code as varchar)"
    elif "province_code" in cols:
        column, value = "'province_code'", "cast(province_code as varchar)"
    else:
        column, value = "'province_code'", "cast(null as varchar)"
    return kind, unit, column, value


def _communes_matched(con, staged: C.Staged) -> int:
    parts = [
        f"select commune_code from {o.temp}"
        for o in staged.outputs
        if "commune_code" in _columns(con, o.temp)
    ]
    if not parts:
        return 0
    return con.execute(
        f"select count(distinct commune_code) from ({' union all '.join(parts)}) "
        "where commune_code in (select commune_code from dim_commune)"
    ).fetchall()[0][0]


AUDIT_COLUMNS = (
    "upload_id",
    "uploaded_at",
    "uploaded_by",
    "role",
    "scope_code",
    "province_code",
    "file_name",
    "content_sha256",
    "size_bytes",
    "kind",
    "status",
    "rows_read",
    "rows_loaded",
    "rows_replaced",
    "rows_rejected",
    "load_id",
    "message",
    "reasons",
)
INSERT_AUDIT = (
    f"insert into etl_upload_audit ({', '.join(AUDIT_COLUMNS)}) "
    f"values ({', '.join('?' for _ in AUDIT_COLUMNS)})"
)


def _write_audit(con, results: list[FileResult], audit: dict) -> list[dict]:
    """One etl_upload_audit row per file of the upload; returns the rows (for the audit journal)."""
    next_id = con.execute("select coalesce(max(upload_id), 0) + 1 from etl_upload_audit").fetchall()[0][0]
    rows = []
    for i, res in enumerate(results):
        row = dict(
            zip(
                AUDIT_COLUMNS,
                [
                    next_id + i,
                    datetime.now(),
                    audit.get("uploaded_by"),
                    audit.get("role"),
                    audit.get("scope_code"),
                    audit.get("province_code"),
                    res.file,
                    res.sha256,
                    res.size_bytes,
                    res.kind,
                    res.status,
                    res.rows_read,
                    res.rows_loaded,
                    res.rows_replaced,
                    res.rows_rejected,
                    res.load_id,
                    (res.message_en or None),
                    (json.dumps(res.reasons, ensure_ascii=False, sort_keys=True) if res.reasons else None),
                ],
                strict=True,
            )
        )
        con.execute(INSERT_AUDIT, list(row.values()))
        rows.append(row)
    return rows


PREVIEW_PREFIX = "cds-preview-"


def preview_files(
    paths: list[Path],
    db_path: Path | None = None,
    *,
    kind: str | None = None,
    period: str | None = None,
    group: str | None = None,
    allowed_province: int | None = None,
    sheet: str | None = None,
    mapping: M.Profile | None = None,
    sample_rows: int = 0,
) -> tuple[LoadSummary, list[dict]]:
    """What `load_files` would do, without touching the warehouse: the same staging, rules and
    replace-by-key pass, run on a throwaway copy (marts are not rebuilt).  Returns the summary
    (rows read, matched communes, rejected, would replace, duplicates) and the rejected rows
    (file_name, row_number, column_name, value, rule, message_vi, message_en).  `sample_rows`:
    each file's first rows as they would load (its table's columns) in `FileResult.preview_rows`."""
    import tempfile

    from etl.uploads import sweep_stale

    db_path = Path(db_path or config.default_db_path()).resolve()
    # A process killed mid-preview (the server aborting, say) leaves its copy of the warehouse behind.
    sweep_stale(db_path.parent, PREVIEW_PREFIX)
    with tempfile.TemporaryDirectory(prefix=f"{PREVIEW_PREFIX}{os.getpid()}-", dir=db_path.parent) as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        if db_path.exists():
            _copy_private(db_path, copy)
        summary = load_files(
            paths,
            copy,
            kind=kind,
            period=period,
            group=group,
            record=False,
            allowed_province=allowed_province,
            sheet=sheet,
            mapping=mapping,
            _build=False,
        )
        rejects: list[dict] = []
        if copy.exists():
            con = duckdb.connect(str(copy), read_only=True)
            try:
                for f in summary.files:
                    if sample_rows and f.load_id is not None and f.kind in KIND_SPECS:
                        cur = con.execute(
                            f"select * exclude (load_id) from {KIND_SPECS[f.kind].table} where load_id = ? limit ?",
                            [f.load_id, int(sample_rows)],
                        )
                        names = [d[0] for d in cur.description]
                        f.preview_rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
                ids = [f.load_id for f in summary.files if f.load_id is not None]
                if ids:
                    cur = con.execute(
                        "select file_name, row_number, column_name, value, rule, message_vi, message_en "
                        "from etl_reject where list_contains(?, load_id) order by load_id, row_number nulls first",
                        [ids],
                    )
                    names = [d[0] for d in cur.description]
                    rejects = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            finally:
                con.close()
    for f in summary.files:  # a file refused as a whole: its first refused lines
        rejects += [
            {
                "file_name": f.file,
                "row_number": r["row"],
                "column_name": r["column"],
                "value": r["value"],
                "rule": r["rule"],
                "message_vi": r["message_vi"],
                "message_en": r["message_en"],
            }
            for r in f.sample_rejects
        ]
    summary.db_path = str(db_path)
    summary.swapped = False
    for f in summary.files:
        f.stored_path, f.load_id = None, None
    return summary, rejects


def _record_touched_months(
    con: duckdb.DuckDBPyConnection, batch: str, hits: str | None, months: set | None = None
) -> None:
    """Months (of received_at) whose dossiers this write changes: the new rows' (`months` when the
    staging threads listed them) and the replaced ones'."""
    con.execute(f"create temp table if not exists {TOUCHED} (month date)")
    if months is None:
        con.execute(
            f"insert into {TOUCHED} select distinct cast(date_trunc('month', received_at) as date) "
            f"from {batch}"
        )
    elif months:
        con.execute(f"insert into {TOUCHED} select unnest(?::date[])", [sorted(months)])
    if hits is not None:
        con.execute(f"insert into {TOUCHED} select distinct month from {hits}")


def _touched_months(con: duckdb.DuckDBPyConnection) -> list:
    if not con.execute(
        "select count(*) from duckdb_tables() where table_name = ? and temporary", [TOUCHED]
    ).fetchall()[0][0]:
        return []
    return [r[0] for r in con.execute(f"select distinct month from {TOUCHED} order by 1").fetchall()]


@contextlib.contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection, when: bool) -> Iterator[None]:
    """DuckDB on one thread for an insert of several files' rows.  Each staged file ends in a partial
    row group; inserted on two threads they stay apart (16 monthly files of 150,000 rows: 32 row
    groups instead of 20) and the checkpoint merges and compresses them a second time (1.2 s of the
    16 files' 15 s load on a quiet machine, 4 s on a busy one; about 4 s of CPU more than the one
    thread's insert, which compresses once).  One file's rows fill whole row groups on any number
    of threads: left as they are."""
    if not when:
        yield
        return
    threads = con.execute("select current_setting('threads')").fetchall()[0][0]
    con.execute("set threads = 1")
    try:
        yield
    finally:
        con.execute(f"set threads = {int(threads)}")


def _write_batch(con: duckdb.DuckDBPyConnection, pending: list[tuple[FileResult, C.Staged]]) -> None:
    """Write every staged file of the batch: one replace-by-key pass per warehouse table.

    A later file replaces an earlier one (in the warehouse or earlier in the batch) for the same key;
    all rows of the latest file for a key are kept (a key may hold several rows, e.g. indicators)."""
    by_target: dict[str, list[tuple[int, C.Output]]] = {}
    for res, staged in pending:
        for out in staged.outputs:
            by_target.setdefault(out.target, []).append((res.load_id, out))
    replaced: dict[int, int] = {}
    loaded: dict[int, int] = {}
    con.execute("begin transaction")
    try:
        for target, outs in by_target.items():
            keys = outs[0][1].keys
            # The target's columns (a staged table may carry helper columns beside them).
            staged_cols = set(_columns(con, outs[0][1].temp))
            cols = [c for c in _columns(con, target) if c != "load_id" and c in staged_cols]
            col_list = ", ".join(cols)
            batch = C.temp_name("batch")
            union = " union all ".join(_branches(col_list, outs))
            con.execute(f"create temp view {batch} as {union}")  # read a few times, never copied
            key_cols = ", ".join(keys)
            key_match = " and ".join(f"t.{k} = b.{k}" for k in keys)
            primary_ids = [lid for lid, o in outs if o.primary]
            # Outputs whose key ranges do not overlap cannot replace one another inside the batch.
            several = len(outs) > 1 and not _disjoint([o.key_range for _, o in outs])
            target_has_rows = bool(
                con.execute(f"select count(*) from (select 1 from {target} limit 1)").fetchall()[0][0]
            )
            # Per key: the first and the last file of the batch that carries it (hash aggregates;
            # windows over millions of dossier ids would sort).
            spans = C.temp_name("spans")
            if several:
                con.execute(
                    f"create temp table {spans} as select {key_cols}, min(load_id) as first_load, "
                    f"max(load_id) as last_load from {batch} group by all"
                )
                # No key in two files of the batch (e.g. a month's provinces): no file replaces
                # another inside it, and every row is inserted without the join on spans.
                if not con.execute(
                    f"select exists (select 1 from {spans} where first_load <> last_load)"
                ).fetchall()[0][0]:
                    con.execute(f"drop table {spans}")
                    several = False
            # The warehouse rows this batch replaces, found once (the target is the big table: one
            # pass for the counts, the touched months and the delete).
            hits = C.temp_name("hits")
            if target_has_rows:
                month = (
                    ", cast(date_trunc('month', t.received_at) as date) as month"
                    if target == "fact_dossier"
                    else ""
                )
                con.execute(
                    f"create temp table {hits} as select t.rowid as rid, {', '.join('t.' + k for k in keys)}"
                    f"{month} from {target} t where exists (select 1 from {batch} b where {key_match})"
                )
            if primary_ids:
                # Rows replacing an earlier version: their key is in the warehouse already or in an
                # earlier file of this batch.
                existing = (
                    (f"select distinct {key_cols}, true as found from {hits}")
                    if target_has_rows
                    else f"select {key_cols}, true as found from {target} limit 0"
                )
                earlier = f"join {spans} s using ({key_cols})" if several else ""
                first = "s.first_load" if several else "b.load_id"
                counts = con.execute(f"""
                    with existing as ({existing})
                    select b.load_id, count(*) filter (where e.found or {first} < b.load_id), count(*)
                    from {batch} b {earlier} left join existing e using ({key_cols})
                    group by b.load_id
                """).fetchall()
                for lid, n_replaced, n_loaded in counts:
                    if lid in primary_ids:
                        replaced[lid], loaded[lid] = n_replaced, n_loaded
            if target == "fact_dossier":
                months = (
                    None if any(o.months is None for _, o in outs) else {m for _, o in outs for m in o.months}
                )
                _record_touched_months(con, batch, hits if target_has_rows else None, months)
            if target_has_rows:
                con.execute(f"delete from {target} where rowid in (select rid from {hits})")
                con.execute(f"drop table {hits}")
            with _one_thread(con, len(outs) > 1):
                if several:
                    con.execute(f"""insert into {target} ({col_list}, load_id)
                        select {", ".join("b." + c for c in cols)}, b.load_id from {batch} b
                        semi join {spans} s on {" and ".join(f"b.{k} = s.{k}" for k in keys)} and b.load_id = s.last_load""")
                    con.execute(f"drop table {spans}")
                else:
                    con.execute(
                        f"insert into {target} ({col_list}, load_id) select {col_list}, load_id from {batch}"
                    )
            con.execute(f"drop view {batch}")
        load_rows: list[list] = []
        for res, staged in pending:
            res.rows_loaded = loaded.get(res.load_id, 0)
            res.rows_replaced = replaced.get(res.load_id, 0)
            if staged.group is None:  # (a file staged with others has no rejects)
                con.execute(
                    f"""
                    insert into etl_reject select ?, ?, source_row, column_name, value, rule, message_vi, message_en
                    from {staged.rejects}""",
                    [res.load_id, res.file],
                )
            load_rows.append(
                [
                    res.load_id,
                    res.file,
                    res.stored_path,
                    res.sha256,
                    staged.kind,
                    datetime.now(),
                    res.rows_read,
                    res.rows_loaded,
                    res.rows_replaced,
                    res.rows_rejected,
                    res.status,
                ]
            )
        # (a few hundred rows a statement: one insert per file was 5% of a batch of small files)
        for chunk in _chunks(load_rows, 200):
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
            con.execute(f"insert into etl_load values {values}", [v for r in chunk for v in r])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _branches(col_list: str, outs: list[tuple[int, C.Output]]) -> list[str]:
    """The selects whose union is a batch's rows for one target, with their load_id: one per file
    staged alone, one per group's table for the files staged together (their parts mapped to
    their load_ids)."""
    branches, parts = [], {}
    for lid, o in outs:
        if o.part is None:
            branches.append(f"select {col_list}, {int(lid)} as load_id from {o.temp}")
        else:
            if o.temp not in parts:
                parts[o.temp] = []
                branches.append(o.temp)  # (placeholder, filled below in the same order)
            parts[o.temp].append(f"({int(o.part)}, {int(lid)})")
    return [
        f"select {col_list}, m.load_id from {b} join (values {', '.join(parts[b])}) m(file_no, load_id) using (file_no)"
        if b in parts
        else b
        for b in branches
    ]


def refresh_marts(
    db_path: Path | None = None,
    *,
    on_wait: Callable[[str, str], None] | None = None,
    lock_timeout: float | None = None,
) -> float:
    """Build every mart again from the facts (after a change to the mart SQL, or to add a new mart
    to an older warehouse), with the same private copy, writer lock and atomic swap as a load;
    returns seconds."""
    started = time.perf_counter()
    db_path = Path(db_path or config.default_db_path()).resolve()
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no warehouse")
    with warehouse_lock(db_path, timeout=lock_timeout, on_wait=on_wait):
        work = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
        _copy_private(db_path, work)
        try:
            con = duckdb.connect(str(work), config=limits.connect_config())
            limits.apply(con)
            try:
                con.execute("set enable_progress_bar = false")
                C.install_macros(con)
                create_schema(con)
                build_marts(con)
                con.execute("checkpoint")
            finally:
                con.close()
            _swap_in(work, db_path)
        finally:
            for leftover in (work, Path(str(work) + ".wal")):
                leftover.unlink(missing_ok=True)
    return time.perf_counter() - started


REPLAY_KEYS = ("kind", "period", "group", "sheet", "allowed_province", "mapping")


def rebuild(
    db_path: Path | None = None,
    *,
    on_wait: Callable[[str, str], None] | None = None,
    lock_timeout: float | None = None,
) -> LoadSummary:
    """Recreate the warehouse from the kept copies, in their original order, each with the options
    and the province restriction it was loaded with, and keep the upload audit.

    The writer lock is held from start to swap, so a load started meanwhile waits and then applies
    on top of the rebuilt warehouse (never lost under it).  Manifest lines written before the
    restriction was recorded take it from the warehouse's own audit (the upload's province), when
    the warehouse can still be read.  The audit rows come back from the store's audit journal, and
    from the old warehouse for uploads older than the journal; their load ids follow the replay."""
    db_path = Path(db_path or config.default_db_path()).resolve()
    manifest = _manifest_path(db_path)
    if not manifest.exists():
        raise FileNotFoundError(f"{manifest}: no kept files to rebuild from")
    started = time.perf_counter()
    with warehouse_lock(db_path, timeout=lock_timeout, on_wait=on_wait):
        entries = [
            json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        demo, old_audit = _old_warehouse_facts(db_path)
        restricted = {
            r["content_sha256"]: r["province_code"]
            for r in old_audit
            if r.get("load_id") is not None and r.get("province_code") is not None
        }
        empty = db_path.with_name(f".{db_path.name}.empty-{os.getpid()}")
        empty.unlink(missing_ok=True)
        store_root = config.files_dir(db_path).parent
        summary_files: list[FileResult] = []
        try:
            # Consecutive entries with the same options and restriction make one batch, in order.
            batches: list[tuple[dict, list[Path], list[str]]] = []
            for e in entries:
                if "allowed_province" not in e:
                    e["allowed_province"] = restricted.get(e.get("sha256"))
                opts = {k: e.get(k) for k in REPLAY_KEYS}
                if batches and batches[-1][0] == opts:
                    batches[-1][1].append(store_root / e["stored_path"])
                    batches[-1][2].append(e["file_name"])
                else:
                    batches.append((opts, [store_root / e["stored_path"]], [e["file_name"]]))
            # Each batch loads from the previous one's result; the live file is replaced once, at the end.
            for opts, files, names in batches:
                staged_files = _named_copies(files, names, empty.parent / f".rebuild-{os.getpid()}")
                s = load_files(
                    staged_files,
                    empty,
                    kind=opts["kind"],
                    period=opts["period"],
                    group=opts["group"],
                    sheet=opts["sheet"],
                    allowed_province=opts["allowed_province"],
                    mapping=M.Profile.from_manifest(opts["mapping"]),
                    demo=demo,
                    record=False,
                )
                summary_files += s.files
            _restore_audit(empty, db_path, old_audit)
            private_file(empty)
            os.replace(empty, db_path)
            _fsync_dir(db_path.parent)
        finally:
            empty.unlink(missing_ok=True)
            Path(str(empty) + ".wal").unlink(missing_ok=True)
            shutil.rmtree(empty.parent / f".rebuild-{os.getpid()}", ignore_errors=True)
            Path(str(empty) + ".lock").unlink(missing_ok=True)
    return LoadSummary(str(db_path), summary_files, True, time.perf_counter() - started)


def _old_warehouse_facts(db_path: Path) -> tuple[bool, list[dict]]:
    """(demo flag, etl_upload_audit rows) of the warehouse about to be rebuilt, if it can be read."""
    if not db_path.exists():
        return False, []
    demo, rows = False, []
    with contextlib.suppress(duckdb.Error):
        c = duckdb.connect(str(db_path), read_only=True)
        try:
            demo = bool(c.execute("select 1 from warehouse_info where key = 'demo'").fetchall())
            cur = c.execute("select * from etl_upload_audit order by upload_id")
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        finally:
            c.close()
    return demo, rows


def _restore_audit(rebuilt: Path, db_path: Path, old_audit: list[dict]) -> None:
    """Put the upload audit back: the journal's rows, and the old warehouse's rows the journal does
    not hold (uploads older than it); load ids re-pointed at the replayed loads by content hash."""
    rows: dict[int, dict] = {}
    journal = _audit_journal_path(db_path)
    if journal.exists():
        for line in journal.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[int(row["upload_id"])] = row
    for row in old_audit:
        rows.setdefault(int(row["upload_id"]), row)
    if not rows:
        return
    con = duckdb.connect(str(rebuilt))
    try:
        create_schema(con)
        load_ids = dict(con.execute("select content_sha256, load_id from etl_load").fetchall())
        con.execute("delete from etl_upload_audit")
        for upload_id in sorted(rows):
            row = {c: rows[upload_id].get(c) for c in AUDIT_COLUMNS}
            if isinstance(row["uploaded_at"], str):
                row["uploaded_at"] = datetime.fromisoformat(row["uploaded_at"])
            if row["load_id"] is not None:
                row["load_id"] = load_ids.get(row["content_sha256"])
            con.execute(INSERT_AUDIT, list(row.values()))
        con.execute("checkpoint")
    finally:
        con.close()


def _named_copies(files: list[Path], names: list[str], folder: Path) -> list[Path]:
    """Kept copies are named by hash; give them back their original names (rejects cite them)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, (f, name) in enumerate(zip(files, names, strict=True)):
        target = folder / f"{i:06d}" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        os.link(f, target)
        out.append(target)
    return out
