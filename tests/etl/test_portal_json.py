"""Tests for etl.sources.portal_json: the national portal's index responses (issue 4).

Each test stages a file into a throwaway in-memory warehouse (schema + official units) and asserts on
the temp tables with SQL, as the loader would see them.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from core.reference import commune_frame, province_frame
from etl.readers import SourceFileError
from etl.sources.portal_reader import detect_group, detect_json_kind, stage_json

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
REAL = FIXTURES / "portal-766-phu-tho-2026-08-tien-do.json"
PORTAL = FIXTURES / "portal"
CLGQ = PORTAL / "clgq-phu-tho-2026-08.json"
TTTT = PORTAL / "tttt-phu-tho-2026-Q3.json"
CKMB = PORTAL / "ckmb-phu-tho-2026-08.json"
MDHL = PORTAL / "mdhl-phu-tho-2026.json"
MDSH = PORTAL / "mdsh-phu-tho-2026-08.json"
NATIONAL = PORTAL / "national-2026-08.json"

VAN_BAN = 8380  # Xã Vân Bán, Phú Thọ (portal departmentCode H44.139)
LAM_THAO = 8494
HY_CUONG = 8515
NONG_TRANG = 7894
VIET_TRI = 7900
PHU_THO = 25


@pytest.fixture
def con():
    c = duckdb.connect()
    for name in ("schema.sql", "schema_index.sql"):
        c.execute((ROOT / "etl" / "sql" / name).read_text(encoding="utf-8"))
    c.register("province_src", province_frame())
    c.execute(
        "insert into dim_province select province_code, name, division_type, codename, phone_code "
        "from province_src"
    )
    c.register("commune_src", commune_frame())
    c.execute(
        "insert into dim_commune select commune_code, name, division_type, codename, province_code "
        "from commune_src"
    )
    yield c
    c.close()


def _out(staged, target: str) -> str:
    return next(o.temp for o in staged.outputs if o.target == target)


def _rows(con, staged, target: str, where: str = "true", cols: str = "*") -> list[tuple]:
    return con.execute(f"select {cols} from {_out(staged, target)} where {where} order by all").fetchall()


def _dicts(con, staged, target: str, where: str = "true") -> list[dict]:
    cur = con.execute(f"select * from {_out(staged, target)} where {where} order by source_row")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _rejects(con, staged) -> list[dict]:
    cur = con.execute(f"select * from {staged.rejects} order by source_row, rule")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _write(tmp_path: Path, name: str, obj) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ---- the real fixture (TDGQ tree) -----------------------------------------------------------


def test_real_fixture_communes_departments_and_van_ban(con):
    staged = stage_json(REAL, con)
    assert staged.kind == "index"
    assert staged.rows_read == 163 and staged.rows_rejected == 0 and staged.reasons == {}

    scores = _dicts(con, staged, "fact_index_score")
    assert len(scores) == 148
    codes = {r["commune_code"] for r in scores}
    assert len(codes) == 148
    in_province = {
        c for (c,) in con.execute("select commune_code from dim_commune where province_code = 25").fetchall()
    }
    assert codes == in_province  # all 148 communes of Phú Thọ, each once
    assert {
        (r["province_code"], r["period_type"], r["period"], r["period_start"], r["group_code"])
        for r in scores
    } == {(PHU_THO, "month", "2026-08", date(2026, 8, 1), "TDGQ")}

    van_ban = next(r for r in scores if r["commune_code"] == VAN_BAN)
    assert (van_ban["score"], van_ban["max_score"], van_ban["ratio"]) == (17.94, 20.0, 89.71)
    assert van_ban["score_delta"] is None

    on_time = _dicts(
        con, staged, "fact_index_indicator", f"unit_key = '{VAN_BAN}' and indicator_code = 'ON_TIME'"
    )
    assert len(on_time) == 1
    row = on_time[0]
    assert (row["unit_kind"], row["commune_code"], row["portal_code"]) == ("commune", VAN_BAN, "H44.139")
    assert (row["numerator"], row["denominator"], row["ratio"], row["score"], row["max_score"]) == (
        314.0,
        350.0,
        89.71,
        17.94,
        20.0,
    )
    extra = dict(
        _rows(
            con,
            staged,
            "fact_index_indicator",
            f"unit_key = '{VAN_BAN}' and indicator_code <> 'ON_TIME'",
            "indicator_code, value",
        )
    )
    assert extra == {"TOTAL_OVERDUE": 36.0, "AVG_PROCESSING_DAYS": 3.51}


def test_real_fixture_departments_kept_apart(con):
    staged = stage_json(REAL, con)
    departments = _dicts(con, staged, "fact_index_department")
    assert len(departments) == 15
    assert all(d["department_code"].startswith("H44.") for d in departments)
    assert all(d["province_code"] == PHU_THO and d["group_code"] == "TDGQ" for d in departments)
    noi_vu = next(d for d in departments if d["department_code"] == "H44.42")
    assert noi_vu["department_name"] == "Sở Nội vụ - Tỉnh Phú Thọ"
    assert (noi_vu["score"], noi_vu["max_score"], noi_vu["ratio"]) == (6.43, 20.0, 32.17)
    assert noi_vu["department_key"] == "019d2be3-6a88-732b-8b17-dfada6df2e9b"  # the portal's departmentId
    # No department reaches the commune scores, and their indicators are filed under the department.
    source_rows = {d["source_row"] for d in departments}
    assert not source_rows & {r for (r,) in _rows(con, staged, "fact_index_score", cols="source_row")}
    assert _rows(
        con, staged, "fact_index_indicator", "unit_kind = 'department'", "count(distinct unit_key)"
    ) == [(15,)]
    assert "15 sở/ngành cấp tỉnh lưu riêng / 15 provincial departments kept apart" in staged.notes


def test_real_fixture_province_total(con):
    staged = stage_json(REAL, con)
    province = _dicts(con, staged, "fact_index_province")
    assert len(province) == 1
    p = province[0]
    assert (
        p["province_code"],
        p["group_code"],
        p["score"],
        p["max_score"],
        p["ratio"],
        p["portal_code"],
    ) == (PHU_THO, "TDGQ", 15.68, 20.0, 78.38, "H44")
    on_time = _dicts(
        con, staged, "fact_index_indicator", "unit_kind = 'province' and indicator_code = 'ON_TIME'"
    )
    assert (on_time[0]["unit_key"], on_time[0]["numerator"], on_time[0]["denominator"]) == (
        "25",
        144625,
        184513,
    )


def test_output_keys_and_columns_match_the_warehouse(con):
    staged = stage_json(REAL, con)
    assert [o.target for o in staged.outputs if o.primary] == ["fact_index_score"]
    for out in staged.outputs:
        target_cols = [r[0] for r in con.execute(f"describe {out.target}").fetchall() if r[0] != "load_id"]
        temp_cols = [r[0] for r in con.execute(f"describe {out.temp}").fetchall()]
        assert temp_cols == target_cols
        assert set(out.keys) <= set(temp_cols)
        # the replacement key never repeats inside one file's output (no double rows)
        key = ", ".join(out.keys)
        dup = con.execute(
            f"select count(*) from (select {key} from {out.temp} group by all having count(*) > 1)"
        )
        if out.target != "fact_index_indicator":
            assert dup.fetchone()[0] == 0


def _apply(con, staged, load_id: int) -> None:
    """What etl.loader does with an output: replace rows with the same keys, add load_id."""
    for out in staged.outputs:
        cols = ", ".join(r[0] for r in con.execute(f"describe {out.temp}").fetchall())
        match = " and ".join(f"t.{k} = n.{k}" for k in out.keys)
        con.execute(f"delete from {out.target} t where exists (select 1 from {out.temp} n where {match})")
        con.execute(f"insert into {out.target} ({cols}, load_id) select {cols}, ? from {out.temp}", [load_id])


def test_reloading_is_idempotent_and_newer_file_replaces(con, tmp_path):
    counts = (
        "select (select count(*) from fact_index_score), (select count(*) from fact_index_department), "
        "(select count(*) from fact_index_indicator), (select count(*) from fact_index_province)"
    )
    _apply(con, stage_json(REAL, con), 1)
    first = con.execute(counts).fetchone()
    _apply(con, stage_json(REAL, con), 2)
    assert con.execute(counts).fetchone() == first
    # A corrected file for the same period: Vân Bán's figures change, its TOTAL_OVERDUE field disappears.
    obj = _load(REAL)
    unit = next(u for u in obj["data"]["children"] if u["departmentCode"] == "H44.139")
    unit.update(totalOnTime=320, score=18.29, ratio=91.43)
    del unit["totalOverdue"]
    _apply(con, stage_json(_write(tmp_path, "tdgq-phu-tho-2026-08.json", obj), con), 3)
    assert con.execute(
        "select score, load_id from fact_index_score where commune_code = 8380"
    ).fetchall() == [(18.29, 3)]
    assert con.execute(
        "select indicator_code, numerator from fact_index_indicator where unit_key = '8380' order by all"
    ).fetchall() == [("AVG_PROCESSING_DAYS", None), ("ON_TIME", 320.0)]
    assert con.execute(counts).fetchone()[0] == first[0]


def test_the_loader_loads_the_real_fixture(tmp_path):
    from etl.loader import load_files

    db = tmp_path / "w.duckdb"
    summary = load_files([REAL], db)
    assert summary.exit_code == 0, summary.to_dict()
    res = summary.files[0]
    assert (res.kind, res.rows_read, res.rows_loaded, res.rows_rejected) == ("index", 163, 148, 0)
    c = duckdb.connect(str(db), read_only=True)
    try:
        assert c.execute("select count(*) from fact_index_department").fetchone()[0] == 15
        assert (
            c.execute(
                "select score from fact_index_score where commune_code = 8380 and group_code = 'TDGQ'"
            ).fetchone()[0]
            == 17.94
        )
    finally:
        c.close()


# ---- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind", "group"),
    [
        (REAL, "tree", "TDGQ"),
        (CLGQ, "tree", "CLGQ"),
        (TTTT, "tree", "TTTT"),
        (CKMB, "evaluation", "CKMB"),
        (MDHL, "evaluation", "MDHL"),
        (MDSH, "evaluation", "MDSH"),
        (NATIONAL, "national", None),
    ],
)
def test_detect_kind_and_group(path, kind, group):
    obj = _load(path)
    assert detect_json_kind(obj) == kind
    assert detect_json_kind(obj["data"]) == kind
    assert detect_group(obj) == group


def test_detect_group_from_the_maximum_when_no_field_tells():
    tree = {
        "code": "OK",
        "data": {
            "parent": {"departmentName": "UBND tỉnh Phú Thọ"},
            "children": [
                {
                    "departmentName": "UBND xã Vân Bán",
                    "level": "COMMUNE",
                    "totalScore": 9,
                    "totalMaxScore": 12,
                }
            ],
        },
    }
    assert detect_group(tree) == "CLGQ"
    tree["data"]["children"][0]["totalMaxScore"] = 10
    assert detect_group(tree) == "TTTT"
    evaluation = {
        "code": "OK",
        "data": {
            "overview": {},
            "evaluation": [
                {"departmentName": "UBND xã Vân Bán", "totalScore": 15, "totalMaxScore": 22, "metrics": []}
            ],
        },
    }
    assert detect_group(evaluation) == "MDSH"
    evaluation["data"]["evaluation"][0]["totalMaxScore"] = 18  # CKMB or MDHL: not enough
    assert detect_group(evaluation) is None


def test_detect_group_refuses_conflicting_evidence():
    obj = _load(CKMB)
    obj["data"]["evaluation"][0]["metrics"].append(
        {"code": "REUSED_DIGITIZED_DATA", "score": 1, "maxScore": 4}
    )
    assert detect_group(obj) is None


def test_detect_kind_of_other_json():
    assert detect_json_kind({"code": "OK", "data": {"items": []}}) is None
    assert detect_json_kind([1, 2]) is None
    assert detect_group({"code": "OK", "data": {"items": []}}) is None


# ---- the other tree groups ------------------------------------------------------------------


def test_clgq_tree(con):
    staged = stage_json(CLGQ, con)
    assert staged.rows_rejected == 0
    assert _rows(
        con, staged, "fact_index_score", cols="commune_code, group_code, score, max_score, score_delta"
    ) == [(VAN_BAN, "CLGQ", 9.6, 12.0, 0.4), (LAM_THAO, "CLGQ", 12.0, 12.0, -0.25)]
    assert _rows(con, staged, "fact_index_department", cols="department_name, score, max_score") == [
        ("Sở Y tế - Tỉnh Phú Thọ", 11.5, 12.0)
    ]
    channel = _dicts(
        con, staged, "fact_index_indicator", f"unit_key = '{VAN_BAN}' and indicator_code = 'ONLINE_CHANNEL'"
    )[0]
    # CLGQ scores several indicators whose split is not published: no score on the fraction.
    assert (channel["numerator"], channel["denominator"], channel["score"], channel["ratio"]) == (
        168.0,
        350.0,
        None,
        None,
    )
    values = dict(
        _rows(
            con,
            staged,
            "fact_index_indicator",
            f"unit_key = '{VAN_BAN}' and value is not null",
            "indicator_code, value",
        )
    )
    assert values["FULL_COUNT"] == 210 and values["ONLINE_OVERDUE_SUM"] == 18
    assert _rows(con, staged, "fact_index_province", cols="group_code, score, max_score") == [
        ("CLGQ", 10.45, 12.0)
    ]


def test_tttt_tree_quarter_from_file_name_and_row_rules(con):
    staged = stage_json(TTTT, con)
    scores = _dicts(con, staged, "fact_index_score")
    assert {(r["period_type"], r["period"], r["period_start"]) for r in scores} == {
        ("quarter", "2026-Q3", date(2026, 7, 1))
    }
    assert [(r["commune_code"], r["score"], r["max_score"]) for r in scores] == [
        (VAN_BAN, 8.73, 10.0),
        (NONG_TRANG, None, 10.0),
    ]  # a null score stays NULL
    payment = _dicts(
        con, staged, "fact_index_indicator", f"unit_key = '{VAN_BAN}' and indicator_code = 'ONLINE_PAYMENT'"
    )[0]
    assert (payment["numerator"], payment["denominator"]) == (41.0, 52.0)

    assert staged.rows_read == 4 and staged.rows_rejected == 2
    assert staged.reasons == {"score_out_of_range": 1, "unknown_commune": 1}
    out_of_range, unknown = _rejects(con, staged)
    assert (out_of_range["source_row"], out_of_range["column_name"], out_of_range["value"]) == (
        2,
        "totalScore",
        "11.5",
    )
    assert "11,5" in out_of_range["message_vi"] and "0..10" in out_of_range["message_vi"]
    assert "UBND xã Hy Cương" in out_of_range["message_en"] and "outside 0..10" in out_of_range["message_en"]
    assert (unknown["source_row"], unknown["column_name"], unknown["rule"]) == (
        3,
        "departmentName",
        "unknown_commune",
    )
    assert "UBND xã Không Có Thật" in unknown["message_vi"] and "Phú Thọ" in unknown["message_vi"]
    assert "UBND xã Không Có Thật" in unknown["message_en"]
    # rejected units leave nothing behind in any output
    assert _rows(con, staged, "fact_index_indicator", "source_row in (2, 3)", "count(*)") == [(0,)]


# ---- the evaluation groups ------------------------------------------------------------------


def test_ckmb_null_score_and_data_quality_kept(con):
    staged = stage_json(CKMB, con)
    assert staged.rows_rejected == 0
    assert _rows(con, staged, "fact_index_score", cols="commune_code, score, max_score, ratio") == [
        (VAN_BAN, 16.2, 18.0, 90.0),
        (HY_CUONG, None, 18.0, None),
    ]  # NULL, not 0
    sync = _dicts(
        con, staged, "fact_index_indicator", f"unit_key = '{HY_CUONG}' and indicator_code = 'DOSSIER_SYNC'"
    )
    assert len(sync) == 1
    assert sync[0]["score"] is None and sync[0]["numerator"] is None and sync[0]["max_score"] == 4
    assert sync[0]["data_quality_status"] == "MISSING_SOURCE_DATA"
    assert sync[0]["data_quality_message"].startswith("Chưa có dữ liệu đồng bộ")
    assert _rows(
        con,
        staged,
        "fact_index_indicator",
        f"unit_key = '{VAN_BAN}'",
        "indicator_code, numerator, denominator, score, max_score",
    ) == [
        ("DOSSIER_SYNC", 330.0, 350.0, 2.67, 4.0),
        ("PUBLIC_CONTENT_FULL", 320.0, 320.0, 4.0, 4.0),
        ("PUBLIC_UPDATE_ON_TIME", 310.0, 320.0, 4.84, 5.0),
        ("PUBLISH_ON_TIME", 300.0, 320.0, 4.69, 5.0),
    ]
    dept = _dicts(con, staged, "fact_index_department")[0]
    assert (dept["department_key"], dept["department_code"], dept["department_type"], dept["score"]) == (
        "019d2be3-6a88-732b-8b18-0da45b81072c",
        None,
        "PROVINCIAL_DEPARTMENT",
        14.1,
    )
    assert _rows(con, staged, "fact_index_indicator", "unit_kind = 'province'", "count(*)") == [(4,)]
    assert _rows(con, staged, "fact_index_province", cols="group_code, score, max_score, score_delta") == [
        ("CKMB", 15.9, 18.0, 0.3)
    ]


def test_mdhl_year_and_duplicate_commune_rejected(con):
    staged = stage_json(MDHL, con, period="2026")
    assert _rows(con, staged, "fact_index_score", cols="commune_code, period_type, period, score") == [
        (VAN_BAN, "year", "2026", 17.1)
    ]
    rejects = _rejects(con, staged)
    assert [(r["source_row"], r["rule"]) for r in rejects] == [
        (2, "duplicate_in_file"),
        (3, "duplicate_in_file"),
    ]
    assert "Xã Lâm Thao (8494)" in rejects[0]["message_vi"] and "2, 3" in rejects[0]["message_en"]
    assert _rows(con, staged, "fact_index_indicator", "unit_kind = 'commune'", "count(*)") == [(5,)]


def test_mdsh_indicator_score_out_of_range_rejected(con):
    staged = stage_json(MDSH, con)
    assert _rows(con, staged, "fact_index_score", cols="commune_code, score, max_score") == [
        (VAN_BAN, 19.4, 22.0)
    ]
    assert _rows(con, staged, "fact_index_indicator", f"unit_key = '{VAN_BAN}'", "count(*)") == [(7,)]
    (reject,) = _rejects(con, staged)
    assert (reject["source_row"], reject["column_name"], reject["rule"]) == (
        2,
        "metrics[REUSED_DIGITIZED_DATA].score",
        "indicator_score_out_of_range",
    )
    assert "5,5" in reject["message_vi"] and "0..4" in reject["message_en"]


# ---- the national ranking -------------------------------------------------------------------


def test_national_ranking(con):
    staged = stage_json(NATIONAL, con, group="TDGQ")
    assert [o.target for o in staged.outputs] == ["fact_index_province"] and staged.outputs[0].primary
    assert any("--group TDGQ" in n for n in staged.notes)
    assert _rows(
        con,
        staged,
        "fact_index_province",
        "group_code = 'TOTAL'",
        "province_code, score, max_score, score_delta, national_rank, portal_code",
    ) == [(1, 86.12, 100.0, 1.5, 1, "H26"), (25, 83.23, 100.0, -0.8, 2, "H44")]
    phu_tho = dict(
        _rows(
            con,
            staged,
            "fact_index_province",
            "province_code = 25 and group_code <> 'TOTAL'",
            "group_code, score",
        )
    )
    assert phu_tho == {"CKMB": 15.9, "TDGQ": 15.68, "CLGQ": 10.45, "TTTT": 7.9, "MDSH": 17.3, "MDHL": 16.0}
    assert _rows(con, staged, "fact_index_province", "group_code = 'TTTT'", "max_score") == [(10.0,), (10.0,)]
    assert staged.rows_read == 4 and staged.rows_rejected == 2
    lao_cai, unknown = _rejects(con, staged)
    assert (lao_cai["source_row"], lao_cai["column_name"], lao_cai["rule"]) == (
        3,
        "groupScores.TTTT",
        "score_out_of_range",
    )
    assert (unknown["source_row"], unknown["rule"]) == (4, "unknown_province")
    assert "UBND tỉnh Không Tồn Tại" in unknown["message_vi"]


# ---- --group, --period and whole-file errors ------------------------------------------------


def _no_metrics_evaluation() -> dict:
    """An evaluation response whose content cannot tell CKMB from MDHL (max 18, no metrics)."""
    obj = _load(MDHL)
    for unit in [obj["data"]["overview"], *obj["data"]["evaluation"]]:
        unit["metrics"] = []
    obj["data"]["evaluation"] = obj["data"]["evaluation"][:1]
    return obj


def test_undetectable_group_needs_group_option(con, tmp_path):
    path = _write(tmp_path, "unknown-group-2026-08.json", _no_metrics_evaluation())
    with pytest.raises(SourceFileError) as err:
        stage_json(path, con)
    assert err.value.code == "unknown_group"
    assert path.name in err.value.message_vi and "--group" in err.value.message_vi
    assert "--group CODE" in err.value.message_en
    staged = stage_json(path, con, group="mdhl")
    assert _rows(con, staged, "fact_index_score", cols="commune_code, group_code, score") == [
        (VAN_BAN, "MDHL", 17.1)
    ]


def test_group_option_overrides_detection(con):
    staged = stage_json(CLGQ, con, group="TTTT")
    assert _rows(con, staged, "fact_index_score", cols="distinct group_code") == [("TTTT",)]
    assert any("CLGQ" in n and "--group TTTT" in n for n in staged.notes)
    assert any("differs from group TTTT" in n for n in staged.notes)  # file max 12 vs TTTT's 10
    with pytest.raises(SourceFileError) as err:
        stage_json(CLGQ, con, group="XYZ")
    assert err.value.code == "bad_group"


def test_missing_or_bad_period(con, tmp_path):
    path = _write(tmp_path, "ckmb-phu-tho.json", _load(CKMB))
    with pytest.raises(SourceFileError) as err:
        stage_json(path, con)
    assert err.value.code == "no_period"
    assert "ckmb-phu-tho.json" in err.value.message_vi and "--period 2026-08" in err.value.message_vi
    assert "2026-Q3" in err.value.message_en
    staged = stage_json(path, con, period="Quý 3/2026")
    assert _rows(con, staged, "fact_index_score", cols="distinct period") == [("2026-Q3",)]
    with pytest.raises(SourceFileError) as err:
        stage_json(path, con, period="August")
    assert err.value.code == "bad_period"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"MaHoSo,NgayTiepNhan\n1,01/08/2026\n", "not_json"),
        (b"\xff\xfe\x00garbage", "not_json"),
        (
            json.dumps({"code": "ERR_TIMEOUT", "message": "Hết thời gian", "data": None}).encode(),
            "portal_error",
        ),
        (json.dumps({"code": "OK", "message": "OK", "data": None}).encode(), "no_data"),
        (json.dumps([{"a": 1}]).encode(), "not_portal_response"),
        (json.dumps({"code": "OK", "data": {"items": [1]}}).encode(), "not_portal_response"),
    ],
)
def test_whole_file_errors_name_the_file(con, tmp_path, content, code):
    path = tmp_path / "tdgq-2026-08.json"
    path.write_bytes(content)
    with pytest.raises(SourceFileError) as err:
        stage_json(path, con)
    assert err.value.code == code
    assert err.value.file == path.name
    assert err.value.message_vi.startswith(path.name) and err.value.message_en.startswith(path.name)


def test_unknown_province_is_a_file_error(con, tmp_path):
    obj = _load(CLGQ)
    obj["data"]["parent"]["departmentName"] = "UBND tỉnh Atlantis"
    with pytest.raises(SourceFileError) as err:
        stage_json(_write(tmp_path, "clgq-2026-08.json", obj), con)
    assert err.value.code == "unknown_province" and "Atlantis" in err.value.message_vi


def test_province_from_unit_names_when_the_total_has_none(con, tmp_path):
    obj = _load(MDSH)
    del obj["data"]["overview"]["departmentName"]
    obj["data"]["evaluation"][0]["departmentName"] = "UBND xã Vân Bán - Tỉnh Phú Thọ"
    staged = stage_json(_write(tmp_path, "mdsh-2026-08.json", obj), con)
    assert _rows(con, staged, "fact_index_score", cols="commune_code, province_code") == [(VAN_BAN, PHU_THO)]


# ---- departments and levels -----------------------------------------------------------------


def test_a_department_is_never_matched_to_a_commune(con, tmp_path):
    obj = _load(CLGQ)
    dept = copy.deepcopy(obj["data"]["children"][2])
    dept.update(departmentId="dept-viet-tri", departmentCode="H44.90", departmentName="UBND Phường Việt Trì")
    obj["data"]["children"].append(dept)  # level PROVINCE, a commune's name
    staged = stage_json(_write(tmp_path, "clgq-2026-08.json", obj), con)
    assert staged.rows_rejected == 0
    assert VIET_TRI not in {c for (c,) in _rows(con, staged, "fact_index_score", cols="commune_code")}
    assert _rows(con, staged, "fact_index_department", cols="department_key, department_name") == [
        ("019d2be3-6a88-732b-8b18-0da45b81072c", "Sở Y tế - Tỉnh Phú Thọ"),
        ("dept-viet-tri", "UBND Phường Việt Trì"),
    ]
    assert _rows(
        con, staged, "fact_index_indicator", "unit_key = 'dept-viet-tri'", "distinct unit_kind, commune_code"
    ) == [("department", None)]
    assert "2 sở/ngành cấp tỉnh lưu riêng / 2 provincial departments kept apart" in staged.notes


def test_unknown_level_and_missing_name_are_rejected(con, tmp_path):
    obj = _load(CLGQ)
    obj["data"]["children"][0]["level"] = "DISTRICT"
    obj["data"]["children"][1]["departmentName"] = " "
    staged = stage_json(_write(tmp_path, "clgq-2026-08.json", obj), con)
    assert staged.reasons == {"missing_unit_name": 1, "unknown_level": 1}
    assert [(r["source_row"], r["column_name"]) for r in _rejects(con, staged)] == [
        (1, "level"),
        (2, "departmentName"),
    ]
    assert _rows(con, staged, "fact_index_score", cols="count(*)") == [(0,)]
    assert _rows(con, staged, "fact_index_department", cols="count(*)") == [(1,)]


def test_duplicate_department_rejected(con, tmp_path):
    obj = _load(CLGQ)
    obj["data"]["children"].append(copy.deepcopy(obj["data"]["children"][2]))
    staged = stage_json(_write(tmp_path, "clgq-2026-08.json", obj), con)
    assert [(r["source_row"], r["rule"]) for r in _rejects(con, staged)] == [
        (3, "duplicate_in_file"),
        (4, "duplicate_in_file"),
    ]
    assert _rows(con, staged, "fact_index_department", cols="count(*)") == [(0,)]
    assert "0 sở/ngành cấp tỉnh lưu riêng / 0 provincial departments kept apart" in staged.notes


def test_score_not_a_number_rejected(con, tmp_path):
    obj = _load(REAL)
    unit = next(u for u in obj["data"]["children"] if u["departmentCode"] == "H44.139")
    unit["score"] = "n/a"
    staged = stage_json(_write(tmp_path, "tdgq-2026-08.json", obj), con)
    assert staged.reasons == {"bad_score": 1}
    assert VAN_BAN not in {c for (c,) in _rows(con, staged, "fact_index_score", cols="commune_code")}
    assert _rows(con, staged, "fact_index_score", cols="count(*)") == [(147,)]


def test_province_total_out_of_range_rejected_as_row_0(con, tmp_path):
    obj = _load(REAL)
    obj["data"]["parent"]["totalScore"] = 25
    staged = stage_json(_write(tmp_path, "tdgq-2026-08.json", obj), con)
    (reject,) = _rejects(con, staged)
    assert (reject["source_row"], reject["column_name"], reject["rule"]) == (
        0,
        "data.parent.totalScore",
        "score_out_of_range",
    )
    assert _rows(con, staged, "fact_index_province", cols="count(*)") == [(0,)]
    assert _rows(con, staged, "fact_index_indicator", "unit_kind = 'province'", "count(*)") == [(0,)]
    assert _rows(con, staged, "fact_index_score", cols="count(*)") == [(148,)]
