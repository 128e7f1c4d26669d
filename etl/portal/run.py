"""One fetch run, end to end: plan, ask politely, check, keep, load once.

Order: the national service-results first (when planned: it also gives every province's
rootDepartmentId), then each province's endpoints in a fixed order (service-results, CKMB, TDGQ,
CLGQ, TTTT, MDSH, MDHL), every page of each.  Nothing is written to the warehouse until the end:
the answers that passed every check, and the run's record, go to `etl.loader.load_files` in one
batch (one atomic swap).  The raw bytes of every answer — refused ones too — are kept
content-addressed beside the warehouse (`files/`), like every loaded file.

Outcomes: exit 0 done (or nothing to do, or --dry-run); 1 partial (some endpoints failed, or the
budget ran out: the next run continues); 2 usage error, another run holds the lock, or refused (an
answer about another unit: nothing of the run is loaded); 3 stopped by a stop signal, or the breaker
is open.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import random
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from core.periods import Period
from etl import config as etl_config
from etl.portal import breaker, record, validate
from etl.portal.client import (
    Attempt,
    BudgetExhausted,
    PoliteClient,
    RequestFailed,
    StopSignal,
    SystemClock,
)
from etl.portal.config import PortalConfig
from etl.portal.endpoints import encode, national_body, province_body
from etl.portal.plan import ACCEPTED, FetchState, Plan, Task, is_closed, make_plan
from etl.portal.provinces import portal_codes, province_of

EXIT_DONE, EXIT_PARTIAL, EXIT_REFUSED, EXIT_STOPPED = 0, 1, 2, 3


@dataclass
class Fetch:
    """One endpoint for one unit, as this run got it."""

    seq: int
    task: Task
    root_id: str | None = None
    pages: list[tuple[int, Attempt, dict]] = field(default_factory=list)  # (page, attempt, parsed answer)
    attempts: list[tuple[int, Attempt]] = field(default_factory=list)  # (page, attempt) incl. retries
    status: str = "pending"  # pending, then provisional | official | revision | unchanged | incomplete | invalid | refused | failed
    complete: bool = False
    fetched_at: datetime | None = None
    revision_no: int | None = None
    message_vi: str | None = None
    message_en: str | None = None
    files: list[tuple[int, Path]] = field(default_factory=list)  # (page, file for the loader)
    revisions: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        scope = self.task.portal_code or "national"
        return f"{scope} {self.task.endpoint.name}"

    def fail(self, status: str, vi: str, en: str) -> None:
        self.status, self.message_vi, self.message_en = status, vi, en


class _Busy(Exception):
    pass


@contextlib.contextmanager
def _run_lock(db_path: Path) -> Iterator[None]:
    """One fetch run per warehouse at a time (so one request in flight, whatever cron does)."""
    path = db_path.with_name(f"{db_path.name}.portal.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise _Busy(str(path)) from err
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _say(out, lang: str, vi: str, en: str, both: bool = False) -> None:
    if both:
        print(vi, file=out)
        print(en, file=out)
    else:
        print(vi if lang == "vi" else en, file=out)


def fetch_portal(
    db_path: Path,
    provinces: list[int],
    per: Period,
    groups: list[str],
    cfg: PortalConfig,
    *,
    provinces_text: str,
    groups_text: str,
    dry_run: bool = False,
    recheck: bool = False,
    clock=None,
    rng: random.Random | None = None,
    transport=None,
    out=None,
    lang: str = "vi",
) -> int:
    out = out or sys.stdout
    clock = clock or SystemClock()
    db_path = Path(db_path).resolve()
    now = clock.now()
    if per.start > now.date():
        _say(
            out,
            lang,
            f"Kỳ {per.label('vi')} chưa bắt đầu — không có gì để lấy.",
            f"Period {per.label('en')} has not begun — nothing to fetch.",
            both=True,
        )
        return EXIT_REFUSED
    try:
        with _run_lock(db_path):
            return _locked(
                db_path,
                provinces,
                per,
                groups,
                cfg,
                provinces_text,
                groups_text,
                dry_run,
                recheck,
                clock,
                rng or random.Random(),
                transport,
                out,
                lang,
            )
    except _Busy as busy:
        _say(
            out,
            lang,
            f"Một lần lấy dữ liệu khác đang chạy ({busy}) — thử lại sau.",
            f"Another fetch run is in progress ({busy}) — try again later.",
            both=True,
        )
        return EXIT_REFUSED


def _locked(
    db_path,
    provinces,
    per,
    groups,
    cfg,
    provinces_text,
    groups_text,
    dry_run,
    recheck,
    clock,
    rng,
    transport,
    out,
    lang,
) -> int:
    now = clock.now()
    state_b = breaker.read(db_path)
    if state_b.is_open and not dry_run:
        _breaker_message(out, state_b)
        return EXIT_STOPPED
    state = FetchState.load(db_path, per, now.date())
    budget = min(cfg.max_requests_per_run, cfg.max_requests_per_day - state.requests_today)
    plan = make_plan(per, provinces, groups, state, now, cfg, recheck)
    if dry_run:
        _print_plan(out, lang, plan, state, cfg, budget, state_b)
        return EXIT_DONE
    if not plan.tasks:
        _say(
            out,
            lang,
            f"Không có gì cần lấy cho {per.label('vi')}: {_skipped_text(plan, 'vi')}.",
            f"Nothing to fetch for {per.label('en')}: {_skipped_text(plan, 'en')}.",
        )
        return EXIT_DONE
    if budget <= 0:
        _say(
            out,
            lang,
            f"Đã dùng hết hạn mức {cfg.max_requests_per_day} yêu cầu của hôm nay — lần chạy ngày mai "
            f"sẽ tiếp tục.",
            f"Today's budget of {cfg.max_requests_per_day} requests is used up — tomorrow's run continues.",
            both=True,
        )
        return EXIT_PARTIAL

    run_id = state.next_run_id
    client = PoliteClient(cfg, budget, clock, rng, transport)
    fetches, stop = _ask(client, plan, state, cfg, per, db_path, run_id, out, lang)
    return _finish(
        db_path,
        client,
        plan,
        state,
        cfg,
        per,
        fetches,
        stop,
        run_id,
        now,
        provinces_text,
        groups_text,
        out,
        lang,
    )


@dataclass
class Stop:
    result: str | None = None  # stopped | budget_exhausted | refused | failed
    vi: str | None = None
    en: str | None = None


def _ask(
    client: PoliteClient,
    plan: Plan,
    state: FetchState,
    cfg: PortalConfig,
    per: Period,
    db_path: Path,
    run_id: int,
    out,
    lang: str,
) -> tuple[list[Fetch], Stop]:
    roots = dict(state.roots)
    fetches: list[Fetch] = []
    stop = Stop()
    failures = 0
    for task in plan.tasks:
        fetch = Fetch(len(fetches) + 1, task)
        fetches.append(fetch)
        if task.province_code is not None:
            known = roots.get(task.province_code)
            if known is None:
                fetch.fail(
                    "failed",
                    f"{fetch.label}: không có rootDepartmentId của {task.portal_code} (danh sách "
                    f"toàn quốc chưa lấy được hoặc không có tỉnh này) — không hỏi.",
                    f"{fetch.label}: no rootDepartmentId for {task.portal_code} (the national list was not "
                    f"fetched or lacks this province) — not asked.",
                )
                continue
            fetch.root_id = known[1]
        try:
            _fetch_pages(client, fetch, cfg, per)
            if task.province_code is None:
                roots.update(_roots_from_national(fetch))
            failures = 0
        except StopSignal as sig:
            fetch.fail(
                "incomplete",
                f"{fetch.label}: dừng ngay — dấu hiệu bị từ chối ({sig.reason}).",
                f"{fetch.label}: stopped at once — refusal signal ({sig.reason}).",
            )
            tripped = breaker.trip(db_path, sig.reason, sig.detail, client.clock.now(), run_id)
            stop = Stop(
                "stopped",
                f"Cổng (hoặc tường lửa trước Cổng) từ chối: {sig.reason} — {sig.detail}. Đã mở cầu dao "
                f"{breaker.breaker_path(db_path)}; không gửi thêm yêu cầu nào cho đến khi người vận hành "
                f"kiểm tra và chạy: python -m etl fetch-portal --reset",
                f"The portal (or a firewall in front of it) refused: {sig.reason} — {sig.detail}. The breaker "
                f"{breaker.breaker_path(db_path)} is open; no request is sent until an operator checks "
                f"and runs: python -m etl fetch-portal --reset",
            )
            assert tripped.is_open
            break
        except BudgetExhausted:
            fetch.fail(
                "incomplete",
                f"{fetch.label}: hết hạn mức yêu cầu.",
                f"{fetch.label}: request budget used up.",
            )
            stop = Stop(
                "budget_exhausted",
                f"Hết hạn mức {client.requests_made} yêu cầu của lần chạy — lần sau lấy tiếp phần còn thiếu.",
                f"Budget of {client.requests_made} requests used — the next run fetches what is missing.",
            )
            break
        except validate.RootMismatch as err:
            fetch.fail("refused", err.message_vi, err.message_en)
            stop = Stop("refused", err.message_vi, err.message_en)
            break
        except validate.Invalid as err:
            fetch.fail("invalid", err.message_vi, err.message_en)
            failures += 1
        except RequestFailed as err:
            fetch.fail(
                "failed",
                f"{fetch.label}: không lấy được ({err.reason}: {err.detail}).",
                f"{fetch.label}: could not be fetched ({err.reason}: {err.detail}).",
            )
            failures += 1
        if failures >= cfg.max_consecutive_failures:
            stop = Stop(
                "failed",
                f"{failures} đầu mối liên tiếp không lấy được — dừng lần chạy (kiểm tra base_url và mạng).",
                f"{failures} endpoints in a row failed — run stopped (check base_url and the network).",
            )
            break
    return fetches, stop


def _fetch_pages(client: PoliteClient, fetch: Fetch, cfg: PortalConfig, per: Period) -> None:
    endpoint, page, seen = fetch.task.endpoint, 1, set()
    while True:
        if fetch.task.province_code is None:
            body = national_body(per)
            if page > 1:  # never seen paged; if it ever is, ask for the next page
                body.update(currentPage=page, pageSize=100)
        else:
            body = province_body(
                endpoint, per, fetch.root_id, page, cfg.page_size, cfg.handling_satisfaction_body
            )
        label = f"{fetch.label} p{page}"
        before = len(client.log)
        try:
            answer = client.post(endpoint.path, encode(body), label)
        finally:
            fetch.attempts += [(page, a) for a in client.log[before:]]
        obj = validate.envelope(answer.raw, label)
        validate.shape(endpoint, obj, label)
        validate.root(endpoint, obj, label, fetch.root_id, fetch.task.portal_code)
        validate.group(endpoint, obj, label)
        total = validate.pages(obj, page, label)
        ids = validate.unit_ids(endpoint, obj)
        twice = sorted(set(ids) & seen) + sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise validate.Invalid(
                "duplicate_unit",
                f"{label}: đơn vị {twice[0]} xuất hiện hai lần (giữa các trang).",
                f"{label}: unit {twice[0]} appears twice (across pages).",
            )
        seen |= set(ids)
        fetch.pages.append((page, answer.attempts[-1], obj))
        fetch.fetched_at = answer.attempts[-1].requested_at
        if page >= total:
            break
        if page >= cfg.max_pages:
            raise validate.Invalid(
                "too_many_pages",
                f"{label}: hơn {cfg.max_pages} trang — không nạp.",
                f"{label}: more than {cfg.max_pages} pages — not loaded.",
            )
        page += 1
    fetch.complete = True


def _roots_from_national(fetch: Fetch) -> dict[int, tuple[str, str]]:
    """Province -> (Hnn, rootDepartmentId) by the portal's code; a name that clearly names another
    province than the code's is refused (the code list would be wrong)."""
    from core.reference import matcher

    m = matcher()
    roots = {}
    for code, (dept_id, name) in validate.national_roots(fetch.pages[0][2]).items():
        province = province_of(code)
        if province is None:
            continue
        found = m.match_province(name) if name else None
        if found is not None and found.status == "matched" and found.code != province:
            raise validate.RootMismatch(
                "code_name_disagree",
                f"{fetch.label}: mã {code} của Cổng mang tên '{name}', không phải tỉnh {province} như bảng mã "
                f"etl/portal/provinces.csv — từ chối; kiểm tra bảng mã.",
                f"{fetch.label}: the portal's code {code} carries the name '{name}', not province {province} as "
                f"etl/portal/provinces.csv says — refused; check the code list.",
            )
        roots[province] = (code, dept_id)
    return roots


# ------------------------------------------------------------------------------------------------
# After the requests: classify, check with the importer, keep the bytes, load once


def _finish(
    db_path: Path,
    client: PoliteClient,
    plan: Plan,
    state: FetchState,
    cfg: PortalConfig,
    per: Period,
    fetches: list[Fetch],
    stop: Stop,
    run_id: int,
    started: datetime,
    provinces_text: str,
    groups_text: str,
    out,
    lang: str,
) -> int:
    from etl.loader import _store_copy, load_files

    store_root = etl_config.files_dir(db_path).parent
    with tempfile.TemporaryDirectory(prefix=".portal-fetch-", dir=db_path.parent) as tmp:
        folder = Path(tmp)
        stored = _keep_raw(client.log, folder, db_path, _store_copy)
        if stop.result != "refused":
            for fetch in fetches:
                if fetch.complete:
                    _classify(fetch, state, per, store_root)
            refusal = _prestage(fetches, per, folder, state, plan)
            if refusal is not None:
                stop = Stop("refused", *refusal)
        if stop.result == "refused":
            for fetch in fetches:
                if fetch.complete and fetch.status != "refused":
                    fetch.fail(
                        "refused",
                        "không nạp: một câu trả lời khác của lần này là của đơn vị khác.",
                        "not loaded: another answer of this run was about another unit.",
                    )
                    fetch.revisions = []
        finished = client.clock.now()
        breaker_now = breaker.read(db_path)
        run, rows = _record_rows(
            run_id,
            plan,
            per,
            cfg,
            client,
            fetches,
            stop,
            stored,
            started,
            finished,
            provinces_text,
            groups_text,
            breaker_now,
        )
        record_path = folder / f"portal-fetch-run-{run_id:06d}.json"
        record.write(record_path, run, *rows)
        # The national list last: within a batch a later file wins, and the provinces' totals of the
        # portal's own ranking should all come from that one answer.
        loadable = sorted(
            (f for f in fetches if f.status in ("provisional", "official")),
            key=lambda f: f.task.province_code is None,
        )
        paths = [p for f in loadable for _, p in f.files]
        summary = load_files([*paths, record_path], db_path, period=per.key)
    failed = [f for f in summary.files if f.status == "failed"]
    _print_run(out, lang, fetches, run, summary, failed)
    if failed:
        return EXIT_PARTIAL
    return {"done": EXIT_DONE, "stopped": EXIT_STOPPED, "refused": EXIT_REFUSED}.get(
        run["result"], EXIT_PARTIAL
    )


def _keep_raw(log: list[Attempt], folder: Path, db_path: Path, store_copy) -> dict[int, tuple[str, str]]:
    """Every answer's raw bytes kept content-addressed: attempt seq -> (sha256, stored_path)."""
    import hashlib

    kept = {}
    for a in log:
        if a.raw is None:
            continue
        digest = hashlib.sha256(a.raw).hexdigest()
        ctype = (a.content_type or "").lower()
        suffix = ".json" if "json" in ctype else ".html" if "html" in ctype else ".bin"
        path = folder / f"raw-{a.seq}{suffix}"
        path.write_bytes(a.raw)
        kept[a.seq] = (digest, store_copy(path, digest, db_path))
    return kept


def _classify(fetch: Fetch, state: FetchState, per: Period, store_root: Path) -> None:
    """provisional (open period) | official (first complete answer after the end) | revision /
    unchanged (a closed period already official: compared with the accepted figures)."""
    province, name = fetch.task.province_code, fetch.task.endpoint.name
    if not is_closed(per, fetch.fetched_at):
        fetch.status = "provisional"
        return
    accepted = state.latest(province, name, ACCEPTED)
    if accepted is None:
        fetch.status = "official"
        return
    before_pages = []
    for _page, _sha, stored, _loaded in sorted(state.pages.get((accepted.run_id, accepted.seq), [])):
        before_pages.append(json.loads((store_root / stored).read_bytes().decode("utf-8-sig")))
    diff = record.changes(record.figures(before_pages), record.figures([obj for _, _, obj in fetch.pages]))
    if diff:
        fetch.status = "revision"
        fetch.revision_no = state.revision_count(province, name) + 1
        fetch.revisions = diff
    else:
        fetch.status = "unchanged"


def _prestage(
    fetches: list[Fetch], per: Period, folder: Path, state: FetchState, plan: Plan
) -> tuple[str, str] | None:
    """Write the loadable answers as files and stage each with the importer on a scratch database:
    a file it refuses is not loaded (status invalid); one it files under another province than asked
    refuses the whole run.  Returns (vi, en) of such a refusal."""
    from etl.loader import create_schema
    from etl.sources import common as C
    from etl.sources import portal_reader as portal_json

    con = duckdb.connect(":memory:")
    try:
        C.install_macros(con)
        create_schema(con)
        for fetch in fetches:
            if fetch.status not in ("provisional", "official"):
                continue
            scope = fetch.task.portal_code or "national"
            for page, attempt, _obj in fetch.pages:
                path = folder / f"portal-{scope}-{per.key}-{fetch.task.endpoint.name}-p{page}.json"
                path.write_bytes(_loadable_bytes(attempt.raw, fetch, page, state))
                fetch.files.append((page, path))
                try:
                    staged = portal_json.stage_json(path, con, period=per.key)
                except Exception as err:  # SourceFileError, or anything the importer trips on
                    vi = getattr(err, "message_vi", str(err))
                    en = getattr(err, "message_en", str(err))
                    fetch.fail(
                        "invalid",
                        f"{fetch.label}: bộ nhập từ chối ({vi})",
                        f"{fetch.label}: the importer refused it ({en})",
                    )
                    fetch.files = []
                    break
                if fetch.task.province_code is not None:
                    found = set()
                    for o in staged.outputs:
                        cols = [r[0] for r in con.execute(f"describe {o.temp}").fetchall()]
                        if "province_code" in cols:
                            found |= {
                                r[0]
                                for r in con.execute(
                                    f"select distinct province_code from {o.temp}"
                                ).fetchall()
                            }
                    if found - {fetch.task.province_code}:
                        fetch.fail(
                            "refused",
                            f"{fetch.label}: bộ nhập xếp câu trả lời vào tỉnh {sorted(found)}, không phải "
                            f"{fetch.task.province_code} đã hỏi — từ chối, không nạp gì.",
                            f"{fetch.label}: the importer files the answer under province {sorted(found)}, "
                            f"not {fetch.task.province_code} as asked — refused, nothing loaded.",
                        )
                        return fetch.message_vi, fetch.message_en
                for name in [staged.rejects, *(o.temp for o in staged.outputs)]:
                    con.execute(f"drop table if exists {name}")
    finally:
        con.close()
    return None


def _loadable_bytes(raw: bytes, fetch: Fetch, page: int, state: FetchState) -> bytes:
    """The raw bytes, unless the loader would skip them as already loaded while the warehouse holds a
    later, different answer for the same endpoint and page (the portal went back to an earlier
    answer): then the same JSON with trailing newlines, so the current answer is what is loaded."""
    import hashlib

    digest = hashlib.sha256(raw).hexdigest()
    if digest not in state.loaded_shas:
        return raw
    latest = state.latest(fetch.task.province_code, fetch.task.endpoint.name, ("provisional", "official"))
    current = None
    if latest is not None:
        current = {
            p: loaded for p, _sha, _stored, loaded in state.pages.get((latest.run_id, latest.seq), [])
        }.get(page)
    if current == digest:
        return raw  # the same answer is what the warehouse holds: a no-op load
    data = raw
    while hashlib.sha256(data).hexdigest() in state.loaded_shas:
        data += b"\n"
    return data


def _record_rows(
    run_id,
    plan: Plan,
    per: Period,
    cfg: PortalConfig,
    client: PoliteClient,
    fetches: list[Fetch],
    stop: Stop,
    stored: dict,
    started: datetime,
    finished: datetime,
    provinces_text: str,
    groups_text: str,
    breaker_now,
) -> tuple[dict, tuple[list, list, list, list]]:
    import hashlib

    local = lambda d: d.replace(tzinfo=None) if d is not None else None  # noqa: E731
    fetch_rows, request_rows, province_rows, revision_rows = [], [], [], []
    loaded_sha: dict[tuple[int, int], str] = {}
    for fetch in fetches:
        for page, path in fetch.files:
            loaded_sha[(fetch.seq, page)] = hashlib.sha256(path.read_bytes()).hexdigest()
    attempt_fetch = {a.seq: (f.seq, page) for f in fetches for page, a in f.attempts}
    for fetch in fetches:
        t = fetch.task
        fetch_rows.append(
            {
                "run_id": run_id,
                "seq": fetch.seq,
                "province_code": t.province_code,
                "portal_code": t.portal_code,
                "root_department_id": fetch.root_id,
                "period_type": per.period_type,
                "period": per.key,
                "period_start": per.start,
                "endpoint": t.endpoint.name,
                "group_code": t.endpoint.group,
                "pages": len(fetch.pages),
                "fetched_at": local(fetch.fetched_at or finished),
                "period_closed": is_closed(per, fetch.fetched_at or finished),
                "status": fetch.status,
                "revision_no": fetch.revision_no,
                "message_vi": fetch.message_vi,
                "message_en": fetch.message_en,
            }
        )
        for change in fetch.revisions:
            revision_rows.append(
                {
                    "run_id": run_id,
                    "seq": len(revision_rows) + 1,
                    "province_code": t.province_code,
                    "portal_code": t.portal_code,
                    "period_type": per.period_type,
                    "period": per.key,
                    "period_start": per.start,
                    "endpoint": t.endpoint.name,
                    "group_code": t.endpoint.group,
                    "revision_no": fetch.revision_no,
                    "fetched_at": local(fetch.fetched_at),
                    **change,
                }
            )
        if t.province_code is None and fetch.complete and fetch.status not in ("refused",):
            for code, (dept_id, name) in validate.national_roots(fetch.pages[0][2]).items():
                province = province_of(code)
                if province is not None:
                    province_rows.append(
                        {
                            "province_code": province,
                            "portal_code": code,
                            "root_department_id": dept_id,
                            "department_name": name,
                            "seen_at": local(fetch.fetched_at),
                            "run_id": run_id,
                        }
                    )
    for a in client.log:
        fetch_seq, page = attempt_fetch.get(a.seq, (None, None))
        sha, path = stored.get(a.seq, (None, None))
        request_rows.append(
            {
                "run_id": run_id,
                "seq": a.seq,
                "fetch_seq": fetch_seq,
                "page": page,
                "attempt": a.attempt,
                "url": a.url,
                "body": a.body,
                "requested_at": local(a.requested_at),
                "elapsed_ms": a.elapsed_ms,
                "http_status": a.http_status,
                "content_type": a.content_type,
                "bytes": None if a.raw is None else len(a.raw),
                "sha256": sha,
                "stored_path": path,
                "loaded_sha256": loaded_sha.get((fetch_seq, page)) if a.outcome == "ok" else None,
                "outcome": a.outcome,
                "message": a.message,
            }
        )
    loaded = [f for f in fetches if f.status in ("provisional", "official")]
    statuses = {f.status for f in fetches if f.status in ("provisional", "official", "revision", "unchanged")}
    index_status = None if not statuses else next(iter(statuses)) if len(statuses) == 1 else "mixed"
    if stop.result:
        result = stop.result
    elif all(f.status in ("provisional", "official", "revision", "unchanged") for f in fetches):
        result = "done"
    else:
        result = "partial" if statuses else "failed"
    run = {
        "run_id": run_id,
        "started_at": local(started),
        "finished_at": local(finished),
        "provinces": provinces_text,
        "period_type": per.period_type,
        "period": per.key,
        "period_closed": plan.closed,
        "groups": groups_text,
        "requests": client.requests_made,
        "budget": client.requests_made + client.remaining,
        "result": result,
        "breaker_state": breaker_now.state,
        "breaker_reason": breaker_now.reason if breaker_now.is_open else None,
        "index_status": index_status,
        "endpoints_loaded": len(loaded),
        "revisions": len(revision_rows),
        "base_url": cfg.base_url,
        "user_agent": cfg.ua,
        "message_vi": stop.vi if stop.result else _first_message(fetches, "vi"),
        "message_en": stop.en if stop.result else _first_message(fetches, "en"),
    }
    return run, (fetch_rows, request_rows, province_rows, revision_rows)


def _first_message(fetches: list[Fetch], lang: str) -> str | None:
    for f in fetches:
        if f.status in ("failed", "invalid", "incomplete", "refused"):
            return f.message_vi if lang == "vi" else f.message_en
    return None


# ------------------------------------------------------------------------------------------------
# Printing

STATUS = {
    "provisional": ("tạm tính", "provisional"),
    "official": ("chính thức", "official"),
    "revision": (
        "Cổng đã sửa sau kỳ chính thức (lưu bản sửa, không ghi đè)",
        "revised by the portal after the official fetch (kept as a revision, not overwritten)",
    ),
    "unchanged": ("không đổi", "unchanged"),
    "incomplete": ("chưa đủ", "incomplete"),
    "invalid": ("không hợp lệ, không nạp", "invalid, not loaded"),
    "refused": ("từ chối", "refused"),
    "failed": ("không lấy được", "failed"),
}
RESULT = {
    "done": ("xong", "done"),
    "partial": ("một phần", "partial"),
    "failed": ("không lấy được", "failed"),
    "budget_exhausted": ("hết hạn mức yêu cầu", "budget used up"),
    "stopped": ("dừng (cầu dao mở)", "stopped (breaker open)"),
    "refused": ("từ chối, không nạp gì", "refused, nothing loaded"),
}


def _print_run(out, lang: str, fetches: list[Fetch], run: dict, summary, failed) -> None:
    vi = lang == "vi"
    for f in fetches:
        s = STATUS[f.status][0 if vi else 1]
        extra = (
            f", {len(f.revisions)} thay đổi"
            if vi and f.revisions
            else f", {len(f.revisions)} changes"
            if f.revisions
            else ""
        )
        page_word = "trang" if vi else "page(s)"
        print(f"{f.label} ({f.task.endpoint.group}): {len(f.pages)} {page_word}, {s}{extra}", file=out)
    for f in failed:
        print(f.message_vi if vi else f.message_en, file=out)
    res = RESULT[run["result"]][0 if vi else 1]
    for f in fetches:
        if f.status in ("failed", "invalid") and f.message_en:
            print(f.message_vi if vi else f.message_en, file=out)
    if vi:
        state = "mở" if run["breaker_state"] == "open" else "đóng"
        print(
            f"lần lấy {run['run_id']}: {res}; {run['requests']} yêu cầu; cầu dao {state}; "
            f"kho dữ liệu {'đã cập nhật' if summary.swapped else 'không đổi'}: {summary.db_path}",
            file=out,
        )
    else:
        print(
            f"fetch run {run['run_id']}: {res}; {run['requests']} requests; breaker {run['breaker_state']}; "
            f"warehouse {'updated' if summary.swapped else 'unchanged'}: {summary.db_path}",
            file=out,
        )
    if run["result"] in ("stopped", "refused", "failed", "budget_exhausted"):
        print(run["message_vi"], file=out)
        print(run["message_en"], file=out)


def _breaker_message(out, state: breaker.BreakerState) -> None:
    print(
        f"Cầu dao đang mở từ {state.opened_at} ({state.reason}: {state.detail}) — không gửi yêu cầu nào. "
        f"Kiểm tra lý do (Cổng có thể đang chặn), rồi người vận hành đóng cầu dao: "
        f"python -m etl fetch-portal --reset",
        file=out,
    )
    print(
        f"The breaker has been open since {state.opened_at} ({state.reason}: {state.detail}) — no request sent. "
        f"Find out why (the portal may be blocking us), then an operator closes it: "
        f"python -m etl fetch-portal --reset",
        file=out,
    )


def _skipped_text(plan: Plan, lang: str) -> str:
    official = sum(1 for s in plan.skipped if s[2] == "official")
    fresh = sum(1 for s in plan.skipped if s[2] == "fresh")
    if lang == "vi":
        return f"{official} đầu mối đã có kết quả chính thức, {fresh} đầu mối tạm tính vừa lấy"
    return f"{official} endpoints already official, {fresh} provisional ones fetched recently"


def _print_plan(
    out,
    lang: str,
    plan: Plan,
    state: FetchState,
    cfg: PortalConfig,
    budget: int,
    state_b: breaker.BreakerState,
) -> None:
    vi = lang == "vi"
    codes = portal_codes()
    if state_b.is_open:
        _breaker_message(out, state_b)
    kind = (
        ("đã kết thúc" if plan.closed else "chưa kết thúc (tạm tính)")
        if vi
        else ("closed" if plan.closed else "open (provisional)")
    )
    print(
        (
            f"Chạy thử — không gửi yêu cầu nào. Kỳ {plan.period.label('vi')} {kind}; {len(plan.tasks)} đầu mối; "
            f"hạn mức {budget} yêu cầu; cách nhau ≥ {cfg.min_delay:g} giây (+0–{cfg.jitter:g}); User-Agent: {cfg.ua}"
        )
        if vi
        else (
            f"Dry run — no request sent. Period {plan.period.label('en')} {kind}; {len(plan.tasks)} endpoints; "
            f"budget {budget} requests; ≥ {cfg.min_delay:g} s apart (+0–{cfg.jitter:g}); User-Agent: {cfg.ua}"
        ),
        file=out,
    )
    for task in plan.tasks:
        url = cfg.base_url.rstrip("/") + task.endpoint.path
        if task.province_code is None:
            body = national_body(plan.period)
        else:
            root = (
                state.roots.get(task.province_code, (codes[task.province_code], None))[1]
                or f"<departmentId of {task.portal_code} from the national service-results>"
            )
            body = province_body(
                task.endpoint, plan.period, root, 1, cfg.page_size, cfg.handling_satisfaction_body
            )
        scope = task.portal_code or "national"
        print(
            f"POST {url}  {json.dumps(body, ensure_ascii=False, separators=(',', ':'))}  "
            f"# {scope} {task.endpoint.group} ({task.reason})",
            file=out,
        )
    if any(t.endpoint.paged for t in plan.tasks):
        print(
            "(các trang tiếp theo được hỏi khi câu trả lời có pagination.totalPages > 1)"
            if vi
            else "(further pages are asked when an answer has pagination.totalPages > 1)",
            file=out,
        )
    if plan.skipped:
        print(("Bỏ qua: " if vi else "Skipped: ") + _skipped_text(plan, lang), file=out)
