"""The province code list, the settings, the request bodies, and the importer's service-results shape."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from core.periods import parse_period
from core.reference import matcher
from etl.portal.config import DEFAULT_BASE_URL, ConfigError, load_config
from etl.portal.endpoints import BY_NAME, national_body, parse_groups, province_body
from etl.portal.provinces import parse_provinces, portal_codes

REPLAY = Path(__file__).resolve().parents[1] / "fixtures" / "portal" / "replay"


def test_code_list_agrees_with_the_real_national_answer():
    """provinces.csv maps every official code to the Hnn the portal gave that province on 17/09/2026
    (checked here by name, once: the fetcher itself never matches names)."""
    rows = json.loads((REPLAY / "national-service-results.json").read_text(encoding="utf-8"))["data"][
        "evaluation"
    ]
    assert len(rows) == 34
    m = matcher()
    by_name = {m.match_province(r["departmentName"]).code: r["departmentCode"] for r in rows}
    assert by_name == portal_codes()
    assert portal_codes()[25] == "H44" and portal_codes()[52] == "H21"


def test_parse_provinces_and_groups():
    assert parse_provinces("25") == [25]
    assert parse_provinces("25, 1") == [1, 25]
    assert len(parse_provinces("all")) == 34
    with pytest.raises(ValueError):
        parse_provinces("99")
    assert parse_groups("all") == ["TOTAL", "CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"]
    assert parse_groups("tdgq,ckmb") == ["CKMB", "TDGQ"]
    with pytest.raises(ValueError):
        parse_groups("DVCTT")


def test_bodies_follow_the_contract():
    aug, q3, year = parse_period("2026-08"), parse_period("2026-Q3"), parse_period("2026")
    assert national_body(aug) == {
        "timeType": "month",
        "year": 2026,
        "month": 8,
        "departmentType": "ADMINISTRATIVE_UNIT",
    }
    assert national_body(year) == {"timeType": "year", "year": 2026, "departmentType": "ADMINISTRATIVE_UNIT"}
    sizes = {"transparency": 200}
    assert province_body(BY_NAME["transparency"], q3, "R", 2, sizes) == {
        "timeType": "quarter",
        "year": 2026,
        "quarter": 3,
        "rootDepartmentId": "R",
        "currentPage": 2,
        "pageSize": 200,
    }
    assert province_body(BY_NAME["service-results"], aug, "R", 1, sizes) == {
        "timeType": "month",
        "year": 2026,
        "month": 8,
        "rootDepartmentId": "R",
    }
    assert province_body(BY_NAME["handling-satisfaction"], aug, "R", 1, sizes) == {
        "fromDate": "2026-08-01",
        "toDate": "2026-08-31",
        "rootDepartmentId": "R",
        "currentPage": 1,
        "pageSize": 200,
    }
    assert province_body(BY_NAME["handling-satisfaction"], aug, "R", 1, sizes, "time_type")["month"] == 8


def test_settings_precedence_and_floors(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    cfg = load_config(db, environ={})
    assert cfg.base_url == DEFAULT_BASE_URL and cfg.min_delay == 1.0 and cfg.max_retries == 2
    assert "cds-dashboard" in cfg.ua and "no contact configured" in cfg.ua
    (tmp_path / "portal.toml").write_text(
        'contact = "so-tt@example.vn"\nmax_requests_per_run = 40\n'
        'origin = "https://dichvucong.gov.vn"\n[page_size]\ntransparency = 100\n',
        encoding="utf-8",
    )
    cfg = load_config(db, environ={"CDS_PORTAL_BUDGET": "30"})
    assert cfg.contact == "so-tt@example.vn" and cfg.max_requests_per_run == 30  # environment over the file
    assert cfg.page_size["transparency"] == 100 and cfg.page_size["dvc-progress-tree"] == 100
    assert (
        cfg.headers()["Origin"] == "https://dichvucong.gov.vn"
        and "so-tt@example.vn" in cfg.headers()["User-Agent"]
    )
    cfg = load_config(
        db, base_url="http://127.0.0.1:1/api", environ={"CDS_PORTAL_URL": "http://127.0.0.1:2/api"}
    )
    assert cfg.base_url == "http://127.0.0.1:1/api"  # --base-url wins
    for bad in ({"CDS_PORTAL_MIN_DELAY": "0.5"}, {"CDS_PORTAL_URL": "ftp://x"}, {"CDS_PORTAL_BUDGET": "0"}):
        with pytest.raises(ConfigError) as err:
            load_config(db, environ=bad)
        assert err.value.message_vi and err.value.message_en
    (tmp_path / "portal.toml").write_text("max_retries = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_retries"):
        load_config(db, environ={})
    (tmp_path / "portal.toml").write_text("min_dealy = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="min_dealy"):
        load_config(db, environ={})
    (tmp_path / "portal.toml").write_text('stop_phrases = ["blocked by policy"]\n', encoding="utf-8")
    assert load_config(db, environ={}).stop_phrases == (
        "request rejected",
        "access denied",
        "blocked by policy",
    )


def _stage(tmp_path: Path, obj: dict, name: str = "sr-2026-08.json"):
    from etl.loader import create_schema
    from etl.sources import common as C
    from etl.sources.portal_reader import stage_json

    con = duckdb.connect(":memory:")
    C.install_macros(con)
    create_schema(con)
    path = tmp_path / name
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return con, stage_json(path, con)


def test_importer_reads_a_province_service_results(tmp_path):
    obj = json.loads((REPLAY / "H44-service-results.json").read_text(encoding="utf-8"))
    obj["data"]["evaluation"][0]["childGroup"] = "WARD"
    con, staged = _stage(tmp_path, obj)
    assert staged.kind == "index" and staged.rows_read == 163
    assert staged.reasons == {"unknown_level": 1}
    out = {o.target: con.execute(f"select count(*) from {o.temp}").fetchall()[0][0] for o in staged.outputs}
    assert out["fact_index_province"] == 1
    assert out["fact_index_total"] + out["fact_index_department"] == 162
    msg = con.execute(f"select message_vi, message_en from {staged.rejects}").fetchall()[0]
    assert "WARD" in msg[0] and "COMMUNE or AGENCY" in msg[1]


def test_relative_periods_for_schedules():
    from datetime import date

    from etl.portal.plan import relative_period

    today = date(2026, 1, 15)
    assert relative_period("current", today).key == "2026-01"
    assert relative_period("previous", today).key == "2025-12"
    assert relative_period("previous-quarter", today).key == "2025-Q4"
    assert relative_period("current-year", today).key == "2026"
    assert relative_period("2026-08", today) is None


def test_systemd_unit_runs_commands_the_cli_accepts():
    import shlex
    from datetime import date

    from etl.cli import _parser
    from etl.portal.plan import relative_period

    root = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
    service = (root / "cds-portal-fetch.service").read_text(encoding="utf-8")
    timer = (root / "cds-portal-fetch.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 04:30:00 Asia/Ho_Chi_Minh" in timer and "Unit=cds-portal-fetch.service" in timer
    lines = [line.split("=", 1)[1] for line in service.splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 2
    for line in lines:
        argv = shlex.split(line.replace("${CDS_PORTAL_PROVINCE}", "25"))
        assert argv[1:3] == ["-m", "etl"]
        args = _parser().parse_args(argv[3:])
        assert args.command == "fetch-portal" and relative_period(args.period, date.today())
