"""Fetch runs against the replay server into throwaway warehouses: what is loaded and kept, paging,
the root-unit check, stop signals and the breaker, the budget, idempotent re-runs, provisional ->
official, revisions, --dry-run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from etl import config as etl_config
from etl.portal import breaker
from metrics import portal as portal_read
from tests.conftest import sql
from tests.portal.conftest import at, run_fetch
from tests.portal.replay import GIA_LAI_ROOT, NATIONAL, PHU_THO_ROOT

PHU_THO, GIA_LAI = 25, 52
VAN_BAN = 8380  # Xã Vân Bán (H44.139), TDGQ 17.94 in the real answer


def one(db, query, params=None):
    return sql(db, query, params)[0]


def statuses(db, run_id=None):
    return sql(
        db,
        "select endpoint, status from etl_portal_fetch where ? is null or run_id = ? order by seq",
        [run_id, run_id],
    )


# ---- a complete run ------------------------------------------------------------------------------


def test_full_run_loads_every_group_and_keeps_the_bytes(db, cfg, clock, replay):
    code, text = run_fetch(db, cfg, clock)
    assert code == 0, text
    assert "fetch run 1: done; 8 requests" in text
    # national list + the province's service-results and six groups, each once
    assert [r["endpoint"] for r in replay.requests] == [
        "service-results",
        "service-results",
        "transparency",
        "dvc-progress-tree",
        "provide-online-tree",
        "formality-online-payment-tree",
        "dossier-digitized",
        "handling-satisfaction",
    ]
    national, province = replay.requests[0]["body"], replay.requests[1]["body"]
    assert national == {
        "timeType": "month",
        "year": 2026,
        "month": 8,
        "departmentType": "ADMINISTRATIVE_UNIT",
    }
    assert province == {"timeType": "month", "year": 2026, "month": 8, "rootDepartmentId": PHU_THO_ROOT}
    satisfaction = replay.posts("handling-satisfaction")[0]["body"]
    assert satisfaction == {
        "fromDate": "2026-08-01",
        "toDate": "2026-08-31",
        "rootDepartmentId": PHU_THO_ROOT,
        "currentPage": 1,
        "pageSize": 200,
    }
    assert replay.posts("dvc-progress-tree")[0]["body"]["pageSize"] == 100

    # Loaded through the portal importer: six groups for the 148 communes, their published totals,
    # the 15 departments kept apart, and the national ranking of the 34 provinces.
    assert one(
        db,
        "select count(distinct group_code), count(distinct commune_code) from fact_index_score "
        "where period = '2026-08'",
    ) == (6, 148)
    assert one(
        db, "select score from fact_index_score where commune_code = ? and group_code = 'TDGQ'", [VAN_BAN]
    ) == (17.94,)
    assert one(
        db, "select count(*) from fact_index_total where period = '2026-08' and province_code = 25"
    ) == (148,)
    assert one(
        db, "select count(*) from fact_index_province where group_code = 'TOTAL' and period = '2026-08'"
    ) == (34,)
    assert one(db, "select count(distinct department_key) from fact_index_department") == (15,)
    assert one(
        db, "select count(*) from mart_index_period where period = '2026-08' and index_total is not null"
    ) == (148,)

    # Every answer's raw bytes kept content-addressed, with the request, time and SHA-256.
    rows = sql(
        db,
        "select body, sha256, stored_path, loaded_sha256, requested_at, http_status from "
        "etl_portal_request order by seq",
    )
    store = etl_config.files_dir(db).parent
    for body, sha, stored, loaded, when, status in rows:
        assert hashlib.sha256((store / stored).read_bytes()).hexdigest() == sha == loaded
        assert json.loads(body) and when is not None and status == 201
    tdgq_sha = hashlib.sha256(replay.answers[("dvc-progress-tree", PHU_THO_ROOT)]).hexdigest()
    assert tdgq_sha == "8659da4d375e3e1e3dab2e4051d7495d1715bd4b56fc6df68fbe2a4163e4cc90"  # the real capture
    assert tdgq_sha in {r[1] for r in rows}
    loads = sql(db, "select file_name, kind, status from etl_load order by load_id")
    assert len(loads) == 9 and loads[-1] == ("portal-fetch-run-000001.json", "portal_fetch", "loaded")
    manifest = (etl_config.files_dir(db) / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(manifest) == 9
    run = one(
        db,
        "select result, requests, index_status, breaker_state, period_closed, user_agent from etl_portal_run",
    )
    assert run[:5] == ("done", 8, "provisional", "closed", False) and "tests@example.invalid" in run[5]
    assert one(db, "select root_department_id from etl_portal_province where province_code = 25") == (
        PHU_THO_ROOT,
    )
    assert one(db, "select count(*) from etl_portal_province") == (34,)


def test_rebuild_replays_the_fetch(db, cfg, clock, replay):
    from etl.loader import rebuild

    assert run_fetch(db, cfg, clock)[0] == 0
    before = sql(
        db,
        "select (select count(*) from fact_index_score), (select count(*) from etl_portal_request), "
        "(select string_agg(status, ',' order by seq) from etl_portal_fetch)",
    )
    rebuild(db)
    after = sql(
        db,
        "select (select count(*) from fact_index_score), (select count(*) from etl_portal_request), "
        "(select string_agg(status, ',' order by seq) from etl_portal_fetch)",
    )
    assert before == after and before[0][0] == 888


# ---- paging ----------------------------------------------------------------------------------------


def test_paging_follows_every_page(db, cfg, clock, replay):
    cfg = replace(
        cfg,
        page_size={
            **cfg.page_size,
            "transparency": 50,
            "dossier-digitized": 60,
            "handling-satisfaction": 163,
        },
    )
    code, text = run_fetch(db, cfg, clock)
    assert code == 0, text
    pages = [r["body"]["currentPage"] for r in replay.posts("transparency")]
    assert pages == [1, 2, 3, 4]  # 163 units, 50 a page
    assert [r["body"]["currentPage"] for r in replay.posts("dossier-digitized")] == [1, 2, 3]
    assert [r["body"]["currentPage"] for r in replay.posts("handling-satisfaction")] == [1]
    assert one(db, "select pages from etl_portal_fetch where endpoint = 'transparency'") == (4,)
    # every commune of every page loaded, as with one page
    assert one(db, "select count(*) from fact_index_score where group_code = 'CKMB'") == (148,)
    assert one(db, "select count(*) from fact_index_score where group_code = 'MDSH'") == (148,)


def test_a_unit_twice_is_refused_and_the_rest_loads(db, cfg, clock, replay):
    obj = replay.answer_for("transparency", PHU_THO_ROOT)
    obj["data"]["evaluation"].append(obj["data"]["evaluation"][0])
    replay.set_answer("transparency", PHU_THO_ROOT, obj)
    code, text = run_fetch(db, cfg, clock)
    assert code == 1
    assert ("transparency", "invalid") in statuses(db)
    assert "appears twice" in text
    assert one(db, "select count(*) from fact_index_score where group_code = 'CKMB'") == (0,)
    assert one(db, "select count(*) from fact_index_score where group_code = 'TDGQ'") == (148,)
    assert one(db, "select result from etl_portal_run") == ("partial",)


# ---- the root unit ---------------------------------------------------------------------------------


def test_an_answer_for_another_province_is_refused_and_nothing_is_loaded(db, cfg, clock, replay):
    # Asked for Phú Thọ (H44), the service-results answer is Gia Lai's (H21).
    replay.set_answer("service-results", PHU_THO_ROOT, replay.answers[("service-results", GIA_LAI_ROOT)])
    code, text = run_fetch(db, cfg, clock)
    assert code == 2
    assert "another unit" in text and "'H21'" in text
    # the run stopped there: nothing after it was asked
    assert [r["endpoint"] for r in replay.requests] == ["service-results", "service-results"]
    for table in ("fact_index_score", "fact_index_total", "fact_index_province", "fact_index_department"):
        assert one(db, f"select count(*) from {table}") == (0,), table
    assert statuses(db) == [("service-results", "refused"), ("service-results", "refused")]
    assert one(db, "select result from etl_portal_run") == ("refused",)
    assert one(db, "select count(*) from etl_load where kind = 'index'") == (0,)
    # the refused bytes are kept as evidence
    assert one(db, "select count(*) from etl_portal_request where stored_path is not null") == (2,)


def test_a_tree_answer_for_another_province_is_refused(db, cfg, clock, replay):
    # Asked for Gia Lai (H21): the TDGQ answer is Phú Thọ's (parent.departmentId differs).
    replay.set_answer("dvc-progress-tree", GIA_LAI_ROOT, replay.answers[("dvc-progress-tree", PHU_THO_ROOT)])
    code, text = run_fetch(db, cfg, clock, province="52", groups="TDGQ")
    assert code == 2, text
    assert GIA_LAI_ROOT in text and PHU_THO_ROOT in text
    assert one(db, "select count(*) from fact_index_score") == (0,)
    assert one(db, "select count(*) from fact_index_province") == (0,)
    assert statuses(db)[-1] == ("dvc-progress-tree", "refused")


def test_the_fetched_answer_of_another_province_is_accepted_for_that_province(db, cfg, clock, replay):
    """Gia Lai's real service-results, asked for Gia Lai, loads under Gia Lai (code 52)."""
    code, text = run_fetch(db, cfg, clock, province="52", groups="TOTAL")
    assert code == 0, text
    assert one(db, "select count(*), min(province_code), max(province_code) from fact_index_total") == (
        134,
        52,
        52,
    )
    # The province total comes from the national list fetched in the same run (62.62, captured on
    # 17/09), not the province's own answer (62.74, captured on 23/09): one source for the ranking.
    assert one(
        db,
        "select portal_code, score, source_row from fact_index_province where province_code = 52 and "
        "group_code = 'TOTAL'",
    ) == ("H21", 62.62, 12)
    assert one(
        db, "select count(*) from fact_index_department where province_code = 52 and group_code = 'TOTAL'"
    ) == (14,)
    # the one unit whose name is not in the official list is a rejected row, named
    assert one(db, "select rule, value from etl_reject") == ("unknown_commune", "UBND xã Albá")


# ---- stop signals and the breaker --------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, reason",
    [
        (401, "http_401"),
        (403, "http_403"),
        (429, "http_429"),
        ("html", "html"),
        ("rejected", "rejected_body"),
    ],
)
def test_every_stop_signal_opens_the_breaker_until_reset(db, cfg, clock, replay, action, reason):
    from etl.cli import main

    replay.script("dvc-progress-tree", [action])
    code, text = run_fetch(db, cfg, clock)
    assert code == 3, text
    assert "--reset" in text
    state = breaker.read(db)
    assert state.is_open and state.reason == reason and state.run_id == 1
    # stopped at once: no retry, and nothing asked after the signal
    assert [r["endpoint"] for r in replay.requests][-1] == "dvc-progress-tree"
    assert len(replay.posts("dvc-progress-tree")) == 1 and len(replay.requests) == 4
    # what was complete before the signal is loaded; the run and the breaker are on record
    assert one(db, "select result, breaker_state, breaker_reason from etl_portal_run") == (
        "stopped",
        "open",
        reason,
    )
    assert one(db, "select count(*) from fact_index_score where group_code = 'CKMB'") == (148,)
    assert one(db, "select count(*) from fact_index_score where group_code = 'TDGQ'") == (0,)

    # While it is open, no run sends anything (not even the next day's).
    clock.jump(at("2026-08-21 04:00"))
    seen = len(replay.requests)
    code, text = run_fetch(db, cfg, clock)
    assert code == 3 and "breaker" in text.lower() and len(replay.requests) == seen

    # Only an operator closes it.
    assert main(["--db", str(db), "fetch-portal", "--reset"]) == 0
    after = breaker.read(db)
    assert (
        not after.is_open and after.closed_by and [h["event"] for h in after.history] == ["opened", "closed"]
    )
    code, text = run_fetch(db, cfg, clock)
    assert code == 0, text
    assert len(replay.requests) > seen


def test_an_unreadable_breaker_file_counts_as_open(db, cfg, clock, replay):
    path = breaker.breaker_path(db)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    code, _ = run_fetch(db, cfg, clock)
    assert code == 3 and replay.requests == []


def test_repeated_failures_stop_the_run(db, cfg, clock, replay):
    for endpoint in ("transparency", "dvc-progress-tree", "provide-online-tree"):
        replay.script(endpoint, [404])
    code, text = run_fetch(db, cfg, clock)
    assert code == 1
    assert "3 endpoints in a row failed" in text
    assert [r["endpoint"] for r in replay.requests][-1] == "provide-online-tree"  # nothing after
    assert one(db, "select result from etl_portal_run") == ("failed",)
    assert not breaker.read(db).is_open  # failures are not stop signals


# ---- the budget ----------------------------------------------------------------------------------


def test_budget_per_run_then_the_next_run_continues(db, cfg, clock, replay):
    clock.jump(at("2026-09-05 04:00"))  # 08/2026 closed
    small = replace(cfg, max_requests_per_run=3)
    code, text = run_fetch(db, small, clock)
    assert code == 1 and len(replay.requests) == 3, text
    assert one(db, "select result, requests, budget from etl_portal_run") == ("budget_exhausted", 3, 3)
    assert statuses(db) == [
        ("service-results", "official"),
        ("service-results", "official"),
        ("transparency", "official"),
        ("dvc-progress-tree", "incomplete"),
    ]
    clock.jump(at("2026-09-06 04:00"))
    code, text = run_fetch(db, small, clock)
    # only what is missing: the next three groups, never the national list or CKMB again
    assert [r["endpoint"] for r in replay.requests[3:]] == [
        "dvc-progress-tree",
        "provide-online-tree",
        "formality-online-payment-tree",
    ]


def test_daily_budget_spans_runs(db, cfg, clock, replay):
    daily = replace(cfg, max_requests_per_day=5)
    assert run_fetch(db, daily, clock, groups="TOTAL,CKMB")[0] == 0  # 3 requests
    clock.sleep(3600)
    code, _ = run_fetch(db, daily, clock, groups="TDGQ,CLGQ,TTTT")
    assert code == 1 and len(replay.requests) == 5  # 2 more, then the day's budget is used
    clock.sleep(3600)
    code, text = run_fetch(db, daily, clock, groups="TTTT")
    assert code == 1 and "budget" in text and len(replay.requests) == 5


# ---- idempotent re-runs, provisional -> official, revisions ---------------------------------------


def test_closed_complete_period_is_not_fetched_again(db, cfg, clock, replay):
    clock.jump(at("2026-09-02 04:00"))
    assert run_fetch(db, cfg, clock)[0] == 0
    assert {s for _, s in statuses(db)} == {"official"}
    stamp = db.stat().st_mtime_ns
    seen = len(replay.requests)
    clock.jump(at("2026-10-02 04:00"))
    code, text = run_fetch(db, cfg, clock)
    assert code == 0 and "Nothing to fetch" in text
    assert len(replay.requests) == seen  # zero requests
    assert db.stat().st_mtime_ns == stamp  # the warehouse was not touched


def test_open_period_is_refreshed_once_a_day(db, cfg, clock, replay):
    assert run_fetch(db, cfg, clock)[0] == 0
    clock.sleep(2 * 3600)
    code, text = run_fetch(db, cfg, clock)
    assert code == 0 and "Nothing to fetch" in text and len(replay.requests) == 8
    clock.jump(at("2026-08-21 04:00"))
    assert run_fetch(db, cfg, clock)[0] == 0
    assert len(replay.requests) == 16
    assert {s for _, s in statuses(db, 2)} == {"provisional"}


def test_provisional_then_official(db, cfg, clock, replay):
    # 20/08: the month is open — provisional, and labelled so by the read side.
    assert run_fetch(db, cfg, clock)[0] == 0
    assert portal_read.index_status(PHU_THO, "2026-08", db) == {
        "communes": "provisional",
        "province": "provisional",
    }
    assert portal_read.provisional_periods(PHU_THO, "month", db) == {"2026-08"}
    assert portal_read.provisional_periods(PHU_THO, "quarter", db) == {"2026-Q3"}
    # The portal recomputes: the official answer (after 31/08) differs from the provisional one.
    obj = replay.answer_for("dvc-progress-tree", PHU_THO_ROOT)
    for child in obj["data"]["children"]:
        if child["departmentCode"] == "H44.139":
            child["score"] = 18.5
    replay.set_answer("dvc-progress-tree", PHU_THO_ROOT, obj)
    clock.jump(at("2026-09-01 00:30"))  # the first hour after the month ended
    code, text = run_fetch(db, cfg, clock)
    assert code == 0, text
    assert {s for _, s in statuses(db, 2)} == {"official"}
    assert one(
        db, "select score from fact_index_score where commune_code = ? and group_code = 'TDGQ'", [VAN_BAN]
    ) == (18.5,)
    assert portal_read.index_status(PHU_THO, "2026-08", db) == {
        "communes": "official",
        "province": "official",
    }
    assert portal_read.provisional_periods(PHU_THO, "month", db) == set()
    assert one(db, "select index_status, period_closed from etl_portal_run where run_id = 2") == (
        "official",
        True,
    )


def test_official_answer_equal_to_an_older_provisional_one_is_loaded(db, cfg, clock, replay):
    """Day 1 answer A, day 2 answer B, after the end A again: the warehouse must hold A."""
    original = replay.answers[("dvc-progress-tree", PHU_THO_ROOT)]
    assert run_fetch(db, cfg, clock, groups="TOTAL,TDGQ")[0] == 0
    obj = json.loads(original)
    obj["data"]["children"][-1]["score"] = 1.0
    replay.set_answer("dvc-progress-tree", PHU_THO_ROOT, obj)
    clock.jump(at("2026-08-21 04:00"))
    assert run_fetch(db, cfg, clock, groups="TOTAL,TDGQ")[0] == 0
    replay.set_answer("dvc-progress-tree", PHU_THO_ROOT, original)
    clock.jump(at("2026-09-01 04:00"))
    code, text = run_fetch(db, cfg, clock, groups="TOTAL,TDGQ")
    assert code == 0, text
    last_code = obj["data"]["children"][-1]["departmentCode"]
    real = [c for c in json.loads(original)["data"]["children"] if c["departmentCode"] == last_code][0][
        "score"
    ]
    got = sql(
        db,
        "select score from fact_index_indicator where portal_code = ? and group_code = 'TDGQ' "
        "and indicator_code = 'ON_TIME'",
        [last_code],
    )
    assert got == [(real,)]
    raw, loaded = one(
        db,
        "select r.sha256, r.loaded_sha256 from etl_portal_request r join etl_portal_fetch f "
        "on f.run_id = r.run_id and f.seq = r.fetch_seq where f.run_id = 3 and "
        "f.endpoint = 'dvc-progress-tree'",
    )
    assert raw == hashlib.sha256(original).hexdigest() and loaded != raw  # same JSON, loaded again


def test_revision_after_the_official_fetch_is_kept_not_overwritten(db, cfg, clock, replay):
    clock.jump(at("2026-09-02 04:00"))
    assert run_fetch(db, cfg, clock, groups="TOTAL,TDGQ")[0] == 0
    official = one(
        db, "select score from fact_index_score where commune_code = ? and group_code = 'TDGQ'", [VAN_BAN]
    )
    # Without --recheck a closed, official period is not asked again (and no run is recorded).
    clock.jump(at("2026-09-20 04:00"))
    assert "Nothing to fetch" in run_fetch(db, cfg, clock, groups="TOTAL,TDGQ")[1]
    assert one(db, "select count(*) from etl_portal_run") == (1,)
    # The portal changes Vân Bán's TDGQ score for 08/2026 after the fact.
    obj = replay.answer_for("dvc-progress-tree", PHU_THO_ROOT)
    for child in obj["data"]["children"]:
        if child["departmentCode"] == "H44.139":
            child["score"], child["totalOnTime"] = 16.0, 280
    replay.set_answer("dvc-progress-tree", PHU_THO_ROOT, obj)
    code, text = run_fetch(db, cfg, clock, groups="TOTAL,TDGQ", recheck=True)
    assert code == 0, text
    assert dict(statuses(db, 2)) == {"service-results": "unchanged", "dvc-progress-tree": "revision"}
    revisions = sql(
        db,
        "select unit_code, field, previous_value, revised_value, revision_no from "
        "fact_index_revision order by field",
    )
    assert revisions == [("H44.139", "score", 17.94, 16.0, 1), ("H44.139", "totalOnTime", 314.0, 280.0, 1)]
    # the official figures stay
    assert (
        one(
            db, "select score from fact_index_score where commune_code = ? and group_code = 'TDGQ'", [VAN_BAN]
        )
        == official
        == (17.94,)
    )
    assert one(db, "select revisions, index_status from etl_portal_run where run_id = 2") == (2, "mixed")
    # The same change seen again is not a new revision; a further change is revision 2.
    clock.jump(at("2026-09-21 04:00"))
    run_fetch(db, cfg, clock, groups="TDGQ", recheck=True)
    assert statuses(db, 3) == [("dvc-progress-tree", "unchanged")]
    for child in obj["data"]["children"]:
        if child["departmentCode"] == "H44.139":
            child["score"] = 15.5
    replay.set_answer("dvc-progress-tree", PHU_THO_ROOT, obj)
    run_fetch(db, cfg, clock, groups="TDGQ", recheck=True)
    assert sql(
        db, "select previous_value, revised_value, revision_no from fact_index_revision where run_id = 4"
    ) == [(16.0, 15.5, 2)]


# ---- --dry-run, periods, provinces -------------------------------------------------------------------


def test_dry_run_prints_the_requests_and_sends_none(db, cfg, clock, replay):
    code, text = run_fetch(db, cfg, clock, dry_run=True)
    assert code == 0
    assert replay.requests == []  # the server saw nothing
    assert not db.exists()  # and nothing was written
    posts = [line for line in text.splitlines() if line.startswith("POST ")]
    assert len(posts) == 8
    assert posts[0].startswith(f"POST {cfg.base_url}/evaluation/service-results ")
    assert '"departmentType":"ADMINISTRATIVE_UNIT"' in posts[0]
    assert "departmentId of H44" in posts[1]  # the root comes from the national list
    assert "Dry run" in text and "User-Agent" in text


def test_dry_run_for_all_provinces_after_a_run_shows_root_ids(db, cfg, clock, replay):
    assert run_fetch(db, cfg, clock, groups="TOTAL")[0] == 0
    seen = len(replay.requests)
    clock.jump(at("2026-08-22 04:00"))
    code, text = run_fetch(db, cfg, clock, province="all", dry_run=True)
    posts = [line for line in text.splitlines() if line.startswith("POST ")]
    assert code == 0 and len(posts) == 1 + 34 * 7 and len(replay.requests) == seen
    assert any(PHU_THO_ROOT in p for p in posts)


def test_future_period_is_refused_before_any_request(db, cfg, clock, replay):
    code, text = run_fetch(db, cfg, clock, period="2026-10")
    assert code == 2 and "has not begun" in text and replay.requests == []


def test_quarter_and_year_bodies(db, cfg, clock, replay):
    clock.jump(at("2026-10-03 04:00"))
    assert run_fetch(db, cfg, clock, period="2026-Q3", groups="TOTAL,MDHL")[0] == 0
    assert replay.requests[0]["body"] == {
        "timeType": "quarter",
        "year": 2026,
        "quarter": 3,
        "departmentType": "ADMINISTRATIVE_UNIT",
    }
    assert replay.posts("handling-satisfaction")[0]["body"]["fromDate"] == "2026-07-01"
    assert replay.posts("handling-satisfaction")[0]["body"]["toDate"] == "2026-09-30"
    assert one(db, "select count(*) from fact_index_score where period = '2026-Q3'") == (148,)
    run_fetch(db, cfg, clock, period="2026", groups="TOTAL")
    assert replay.requests[-1]["body"] == {"timeType": "year", "year": 2026, "rootDepartmentId": PHU_THO_ROOT}


def test_scope_keys_of_replay_cover_national(replay):
    assert ("service-results", NATIONAL) in replay.answers
