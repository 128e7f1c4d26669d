"""What a run fetches: only what is missing.

A period is *closed* once its last day is over in Asia/Ho_Chi_Minh (a month after its last day; a
quarter or year likewise); before that it is *open*.  Per unit (the national list, or a province)
and endpoint:
- closed period: fetched once.  The first complete answer after the period's end is the official
  one; afterwards the endpoint is skipped (with `--recheck` it is asked again and any change is kept
  as a revision, never loaded over the official figures);
- open period: fetched again when the last provisional answer is older than `open_refresh_hours`
  (a daily schedule refreshes it once a day; a second run the same day asks for nothing);
- a future period is refused before any request.
The national service-results is asked when its group (TOTAL) is wanted and missing, or when a
province's rootDepartmentId is not known yet (it is the only source of those ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from core.periods import Period
from etl.portal.config import PortalConfig
from etl.portal.endpoints import BY_GROUP, RESULTS, TOTAL, Endpoint
from etl.portal.provinces import portal_codes

LOADED = ("provisional", "official")
ACCEPTED = ("official", "revision")


RELATIVE = ("current", "previous", "current-quarter", "previous-quarter", "current-year", "previous-year")


def relative_period(text: str, today: date) -> Period | None:
    """'current' / 'previous' month, quarter or year as of `today` (for schedules), else None."""
    from core.periods import month, quarter, year

    key = text.strip().lower()
    if key not in RELATIVE:
        return None
    if key.endswith("quarter"):
        per = quarter(today.year, (today.month - 1) // 3 + 1)
    elif key.endswith("year"):
        per = year(today.year)
    else:
        per = month(today.year, today.month)
    return per.previous() if key.startswith("previous") else per


def is_closed(per: Period, when: datetime) -> bool:
    """True once the period's last day is over at `when` (an aware time in Asia/Ho_Chi_Minh)."""
    return when.date() >= per.end


@dataclass
class Prior:
    run_id: int
    seq: int
    status: str
    fetched_at: datetime  # naive local time
    revision_no: int | None


@dataclass
class FetchState:
    """What the warehouse already holds about fetches of one period (read-only)."""

    fetches: dict[tuple[int | None, str], list[Prior]] = field(default_factory=dict)
    roots: dict[int, tuple[str, str]] = field(default_factory=dict)  # province -> (Hnn, rootDepartmentId)
    requests_today: int = 0
    next_run_id: int = 1
    loaded_shas: set[str] = field(default_factory=set)
    # (run_id, fetch seq) -> [(page, sha256, stored_path, loaded_sha256)] of its answered pages
    pages: dict[tuple[int, int], list[tuple[int, str, str, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, db_path: Path, per: Period, today: date) -> FetchState:
        state = cls()
        if not Path(db_path).exists():
            return state
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
            if "etl_load" in tables:
                state.loaded_shas = {
                    r[0] for r in con.execute("select content_sha256 from etl_load").fetchall()
                }
            if "etl_portal_run" not in tables:
                return state
            state.next_run_id = con.execute(
                "select coalesce(max(run_id), 0) + 1 from etl_portal_run"
            ).fetchall()[0][0]
            state.requests_today = con.execute(
                "select coalesce(sum(requests), 0) from etl_portal_run where cast(started_at as date) = ?",
                [today],
            ).fetchall()[0][0]
            for run_id, seq, province, endpoint, status, fetched_at, revision_no in con.execute(
                "select run_id, seq, province_code, endpoint, status, fetched_at, revision_no "
                "from etl_portal_fetch where period_type = ? and period = ? order by run_id, seq",
                [per.period_type, per.key],
            ).fetchall():
                state.fetches.setdefault((province, endpoint), []).append(
                    Prior(run_id, seq, status, fetched_at, revision_no)
                )
            for run_id, fetch_seq, page, sha, stored, loaded in con.execute(
                "select r.run_id, r.fetch_seq, r.page, r.sha256, r.stored_path, r.loaded_sha256 "
                "from etl_portal_request r join etl_portal_fetch f on f.run_id = r.run_id and f.seq = r.fetch_seq "
                "where f.period_type = ? and f.period = ? and r.outcome = 'ok' order by r.run_id, r.seq",
                [per.period_type, per.key],
            ).fetchall():
                state.pages.setdefault((run_id, fetch_seq), []).append((page, sha, stored, loaded))
            for province, code, root in con.execute(
                "select province_code, portal_code, root_department_id from etl_portal_province"
            ).fetchall():
                state.roots[province] = (code, root)
        finally:
            con.close()
        return state

    def latest(self, province: int | None, endpoint: str, statuses: tuple[str, ...]) -> Prior | None:
        found = [p for p in self.fetches.get((province, endpoint), []) if p.status in statuses]
        return found[-1] if found else None

    def revision_count(self, province: int | None, endpoint: str) -> int:
        return max((p.revision_no or 0 for p in self.fetches.get((province, endpoint), [])), default=0)


@dataclass(frozen=True)
class Task:
    province_code: int | None  # None: the national list
    portal_code: str | None
    endpoint: Endpoint
    reason: str  # missing | refresh | recheck | roots


@dataclass
class Plan:
    period: Period
    closed: bool
    tasks: list[Task]
    skipped: list[tuple[int | None, str, str]]  # (province, group, why: official | fresh)


def make_plan(
    per: Period,
    provinces: list[int],
    groups: list[str],
    state: FetchState,
    now: datetime,
    cfg: PortalConfig,
    recheck: bool = False,
) -> Plan:
    closed = is_closed(per, now)
    local_now = now.replace(tzinfo=None)
    tasks: list[Task] = []
    skipped: list[tuple[int | None, str, str]] = []

    def why_done(province: int | None, endpoint: Endpoint) -> str | None:
        if closed:
            if state.latest(province, endpoint.name, ("official",)) is not None and not recheck:
                return "official"
            return None
        fresh = state.latest(province, endpoint.name, ("provisional",))
        if fresh is not None and local_now - fresh.fetched_at < timedelta(hours=cfg.open_refresh_hours):
            return "fresh"
        return None

    def reason(province: int | None, endpoint: Endpoint) -> str:
        if closed and state.latest(province, endpoint.name, ("official",)) is not None:
            return "recheck"
        return "refresh" if state.latest(province, endpoint.name, LOADED) else "missing"

    national_done = why_done(None, RESULTS)
    need_roots = [p for p in provinces if p not in state.roots]
    if TOTAL in groups and national_done is None:
        tasks.append(Task(None, None, RESULTS, reason(None, RESULTS)))
    elif need_roots:
        tasks.append(Task(None, None, RESULTS, "roots"))
    elif TOTAL in groups:
        skipped.append((None, TOTAL, national_done))
    codes = portal_codes()
    for province in provinces:
        for group in groups:
            endpoint = BY_GROUP[group]
            done = why_done(province, endpoint)
            if done is None:
                tasks.append(Task(province, codes[province], endpoint, reason(province, endpoint)))
            else:
                skipped.append((province, group, done))
    return Plan(per, closed, tasks, skipped)
