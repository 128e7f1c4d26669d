"""Digital-skills sources: population, community digital teams, training sessions, VNeID/certificates.

Each source loads, each bad input is rejected with file, row and column and a message in both
languages, a re-delivery replaces, the kinds are detected from their headers (and the older kinds
still are), and the mart's new columns follow their as-of rules.
"""

from __future__ import annotations

import pytest

from etl import headers as H
from etl.cli import main as cli_main
from etl.loader import load_files
from tests.conftest import sql, write_csv

VAN_BAN, BAO_HA, DAI_XUYEN, MOC_SON = 8380, 2989, 10333, 3979

POP = ["Mã xã", "Tên xã", "Tỉnh", "Năm", "Dân số", "Số người trưởng thành", "Số thôn, tổ dân phố"]
TEAMS = ["Mã xã", "Tên xã", "Tỉnh", "Thôn, tổ dân phố", "Số thành viên", "Ngày thành lập"]
COUNTS = ["Tên xã", "Tỉnh", "Số tổ công nghệ số cộng đồng", "Số thành viên", "Ngày báo cáo"]
TRAINING = ["Mã xã", "Ngày tập huấn", "Nội dung", "Đối tượng", "Số người tham dự", "Đơn vị tổ chức"]
VNEID = ["Mã xã", "Tên xã", "Tỉnh", "Tháng", "Số tài khoản VNeID mức 2", "Số người được cấp chứng nhận"]


def rejects(db) -> dict[int, tuple[str, str, str, str]]:
    """row -> (rule, column, message_vi, message_en) of the only load's rejects (one per row)."""
    rows = sql(
        db, "select row_number, rule, column_name, message_vi, message_en from etl_reject order by all"
    )
    return {r[0]: r[1:] for r in rows}


def mart(db, commune: int, columns: str) -> dict:
    return {
        r[0].strftime("%Y-%m"): r[1:]
        for r in sql(
            db,
            f"select month, {columns} from mart_commune_month where commune_code = ? order by month",
            [commune],
        )
    }


# --- detection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, header",
    [
        ("population", POP),
        ("population", ["commune_code", "year", "population", "adults", "villages"]),
        ("population", ["Tên đơn vị", "Tỉnh/thành phố", "Năm", "Tổng dân số", "Số thôn"]),
        ("digital_teams", TEAMS),
        ("digital_teams", COUNTS),
        ("digital_teams", ["commune_code", "village", "members", "established_on"]),
        ("digital_teams", ["Mã xã", "Tổ công nghệ số cộng đồng", "Số thành viên", "Tính đến ngày"]),
        ("training", TRAINING),
        ("training", ["commune_code", "date", "topic", "audience", "participants", "organiser"]),
        ("vneid", VNEID),
        ("vneid", ["commune_code", "month", "vneid_level2_active"]),
        ("vneid", ["Mã xã", "Tháng", "Số người được cấp chứng nhận"]),
        ("dossiers", ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "KenhThucHien"]),
        (
            "signatures",
            ["Mã xã", "Tên xã", "Tỉnh", "Tháng", "Tổng số văn bản đi", "Văn bản mật", "Số văn bản ký số"],
        ),
        (
            "index",
            ["STT", "Tên đơn vị", "Tỉnh", "Kỳ", "Công khai, minh bạch", "Tiến độ giải quyết", "Tổng điểm"],
        ),
    ],
)
def test_detect_kind(kind, header):
    assert H.detect_kind(header) == kind


def test_detect_kind_refuses_incomplete_skills_headers():
    assert H.detect_kind(["Mã xã", "Dân số"]) is None  # no year
    assert H.detect_kind(["Mã xã", "Số thành viên", "Ngày thành lập"]) is None  # no village, no count
    assert H.detect_kind(["Mã xã", "Ngày tập huấn", "Nội dung", "Số người tham dự"]) is None  # no audience
    assert H.detect_kind(["Mã xã", "Tháng"]) is None


def test_missing_required_column_is_a_whole_file_error(tmp_path, db):
    f = write_csv(
        tmp_path / "tap-huan.csv",
        ["Mã xã", "Ngày tập huấn", "Nội dung", "Số người tham dự"],
        [[VAN_BAN, "23/09/2025", "VNeID", 10]],
    )
    s = load_files([f], db, kind="training")
    assert s.exit_code == 2 and not db.exists()
    assert "Đối tượng" in s.files[0].message_vi and "tap-huan.csv" in s.files[0].message_en


def test_cli_accepts_the_new_kinds(tmp_path, db, capsys):
    f = write_csv(tmp_path / "vneid.csv", VNEID, [[VAN_BAN, "", "", "10/2025", 5000, 800]])
    assert cli_main(["load", str(f), "--db", str(db), "--kind", "vneid", "--json"]) == 0
    assert '"kind": "vneid"' in capsys.readouterr().out


# --- population ------------------------------------------------------------------------------------


def test_population_loads_and_feeds_the_mart_by_latest_year(tmp_path, db):
    p = write_csv(
        tmp_path / "dan-so.csv",
        POP,
        [
            [VAN_BAN, "Xã Vân Bán", "Phú Thọ", "2025", "16.012", "11.530", 24],
            [VAN_BAN, "Xã Vân Bán", "Phú Thọ", "Năm 2026", 16156, 11650, 24],
            ["", "Xã Đại Xuyên", "Hà Nội", 2025, 31800, "", ""],  # by name; adults, villages unknown
        ],
    )
    v = write_csv(
        tmp_path / "vneid.csv",
        VNEID,
        [[VAN_BAN, "", "", "11/2025", 1, 1], [VAN_BAN, "", "", "02/2026", 2, 2]],
    )
    s = load_files([p, v], db)
    assert s.exit_code == 0, s.to_dict()
    assert sql(
        db,
        "select population, adults, villages from fact_population_year where commune_code = ?",
        [DAI_XUYEN],
    ) == [(31800, None, None)]
    got = mart(db, VAN_BAN, "population, adults, villages")
    assert got["2025-12"] == (16012, 11530, 24) and got["2026-01"] == (16156, 11650, 24)
    # population years do not widen the months: the mart runs 11/2025..02/2026 (from the VNeID file)
    assert list(got) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_population_rules(tmp_path, db):
    f = write_csv(
        tmp_path / "dan-so-loi.csv",
        POP,
        [
            [VAN_BAN, "", "", 2025, 16000, 11000, 24],
            ["", "Van Ban", "", 2025, 16000, 11000, 24],  # ambiguous: Phú Thọ or Lào Cai
            ["", "Xã Không Có", "Phú Thọ", 2025, 100, 50, 2],  # unknown commune
            [DAI_XUYEN, "", "", "25", 100, 50, 2],  # bad year
            [DAI_XUYEN, "", "", 2014, 100, 50, 2],  # before 2015
            [DAI_XUYEN, "", "", 2024, "mười nghìn", 50, 2],  # population not a number
            [DAI_XUYEN, "", "", 2023, 100, -5, 2],  # negative adults
            [DAI_XUYEN, "", "", 2022, 100, 150, 2],  # adults > population
            [DAI_XUYEN, "", "", 2021, 100, 50, 0],  # no village
            [BAO_HA, "", "", 2025, 20000, 14000, 72],
            [BAO_HA, "", "", 2025, 20001, 14000, 72],  # duplicate commune and year
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 1
    r = rejects(db)
    assert {row: v[0] for row, v in r.items()} == {
        3: "ambiguous_commune",
        4: "unknown_commune",
        5: "bad_year",
        6: "year_out_of_range",
        7: "bad_count_population",
        8: "negative_count_adults",
        9: "adults_over_population",
        10: "villages_below_1",
        11: "duplicate_in_file",
        12: "duplicate_in_file",
    }
    assert r[9][1] == "Số người trưởng thành" and r[5][1] == "Năm" and r[10][1] == "Số thôn, tổ dân phố"
    assert "lớn hơn dân số" in r[9][2] and "exceed the population" in r[9][3]
    assert "Xã Vân Bán" in r[3][3] and "Xã Văn Bàn" in r[3][3]
    assert set(sql(db, "select distinct file_name from etl_reject")) == {("dan-so-loi.csv",)}
    assert sql(db, "select commune_code from fact_population_year") == [(VAN_BAN,)]


def test_population_redelivery_replaces(tmp_path, db):
    a = write_csv(tmp_path / "a.csv", POP, [[VAN_BAN, "", "", 2025, 15000, 10000, 20]])
    b = write_csv(tmp_path / "b.csv", POP, [[VAN_BAN, "", "", 2025, 16012, 11530, 24]])
    load_files([a], db)
    s = load_files([b], db)
    assert s.files[0].rows_replaced == 1
    assert sql(db, "select population, adults, villages from fact_population_year") == [(16012, 11530, 24)]


# --- community digital teams ---------------------------------------------------------------------


def test_team_register_counts_teams_as_of_month_end(tmp_path, db):
    t = write_csv(
        tmp_path / "to-cnscd.csv",
        TEAMS,
        [
            [VAN_BAN, "", "", "Thôn Đồng Rào", 5, "15/04/2025"],
            [
                VAN_BAN,
                "",
                "",
                "Thôn Dùng",
                4,
                "30/09/2025",
            ],  # counts from 09/2025 (established on its last day)
            [VAN_BAN, "", "", "Gò Chàm", 6, "01/10/2025"],
            [VAN_BAN, "", "", "Thôn 1", 3, "2025-08-02"],
            [VAN_BAN, "", "", "Tổ dân phố 1", 3, "02/08/2025"],  # not the same as Thôn 1
        ],
    )
    v = write_csv(
        tmp_path / "vneid.csv",
        VNEID,
        [[VAN_BAN, "", "", "07/2025", 1, 1], [VAN_BAN, "", "", "10/2025", 1, 1]],
    )
    s = load_files([t, v], db)
    assert s.exit_code == 0, s.to_dict()
    assert mart(db, VAN_BAN, "digital_teams, team_members") == {
        "2025-07": (1, 5),
        "2025-08": (3, 11),
        "2025-09": (4, 15),
        "2025-10": (5, 21),
    }
    assert sql(
        db, "select team_key, record_type, teams from fact_digital_team order by source_row limit 1"
    ) == [("village:đồng rào", "team", 1)]


def test_team_counts_form_a_series_and_the_register_wins(tmp_path, db):
    c = write_csv(
        tmp_path / "dem-to.csv",
        COUNTS,
        [
            ["Xã Bảo Hà", "Lào Cai", 64, 320, "31/07/2025"],
            ["Xã Bảo Hà", "Lào Cai", 72, 365, "30/09/2025"],
            ["Xã Vân Bán", "Phú Thọ", 20, 100, "31/07/2025"],
        ],
    )
    t = write_csv(tmp_path / "to.csv", TEAMS, [[VAN_BAN, "", "", "Đồng Rào", 5, "15/08/2025"]])
    v = write_csv(
        tmp_path / "vneid.csv", VNEID, [[BAO_HA, "", "", "07/2025", 1, 1], [BAO_HA, "", "", "10/2025", 1, 1]]
    )
    assert load_files([c, t, v], db).exit_code == 0
    assert mart(db, BAO_HA, "digital_teams, team_members") == {
        "2025-07": (64, 320),
        "2025-08": (64, 320),
        "2025-09": (72, 365),
        "2025-10": (72, 365),
    }
    # Vân Bán: the count until its register has a team (08/2025), the register from then on
    assert mart(db, VAN_BAN, "digital_teams") == {
        "2025-07": (20,),
        "2025-08": (1,),
        "2025-09": (1,),
        "2025-10": (1,),
    }


def test_team_rules(tmp_path, db):
    f = write_csv(
        tmp_path / "to-loi.csv",
        ["Mã xã", "Thôn, tổ dân phố", "Số tổ", "Số thành viên", "Ngày thành lập"],
        [
            [VAN_BAN, "Đồng Rào", "", 5, "15/04/2025"],
            [VAN_BAN, "Dùng", "", 0, "15/04/2025"],  # members < 1
            [VAN_BAN, "", "", 5, "15/04/2025"],  # neither village nor count
            [VAN_BAN, "Gò Chàm", 3, 9, "15/04/2025"],  # a village row is one team
            [BAO_HA, "", 10, 8, "30/09/2025"],  # fewer members than teams
            [BAO_HA, "", -2, 0, "31/10/2025"],  # negative teams
            [VAN_BAN, "Nương Sơn", "", 4, "31/02/2025"],  # not a date
            [VAN_BAN, "Khu 5", "", 4, ""],  # no date
            [VAN_BAN, "Khu 6", "", 4, "01/01/2099"],  # in the future
            [VAN_BAN, "Khu 7", "", "bốn", "01/05/2025"],  # members not a number
            [VAN_BAN, "Thôn Đồng Rào", "", 6, "16/04/2025"],  # same village as row 2
            [99999, "Khu 8", "", 4, "01/05/2025"],  # unknown commune
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 1
    r = rejects(db)
    assert {row: v[0] for row, v in r.items()} == {
        2: "duplicate_in_file",
        3: "members_below_1",
        4: "missing_village",
        5: "team_count_with_village",
        6: "members_below_teams",
        7: "negative_count_team_count",
        8: "bad_date_established_on",
        9: "missing_established_on",
        10: "date_out_of_range_established_on",
        11: "bad_count_members",
        12: "duplicate_in_file",
        13: "unknown_commune",
    }
    assert r[3][1] == "Số thành viên" and r[6][1] == "Số thành viên" and r[5][1] == "Số tổ"
    assert r[8][1] == "Ngày thành lập" and r[2][1] == "Thôn, tổ dân phố"
    assert "ít nhất 1 thành viên" in r[3][2] and "at least 1 member" in r[3][3]
    assert "rows 2, 12" in r[12][3]
    assert sql(db, "select count(*) from fact_digital_team")[0][0] == 0


def test_more_teams_than_villages_is_noted_not_refused(tmp_path, db):
    p = write_csv(tmp_path / "dan-so.csv", POP, [[VAN_BAN, "", "", 2025, 16012, 11530, 2]])
    t = write_csv(
        tmp_path / "to.csv", TEAMS, [[VAN_BAN, "", "", f"Thôn {i}", 4, "01/05/2025"] for i in range(1, 4)]
    )
    assert load_files([p], db).exit_code == 0  # the note compares with villages already loaded
    s = load_files([t], db)
    assert s.exit_code == 0
    assert s.files[0].rows_loaded == 3
    assert any("Xã Vân Bán 3 > 2" in note for note in s.files[0].notes)


def test_team_redelivery_replaces_the_village(tmp_path, db):
    a = write_csv(tmp_path / "a.csv", TEAMS, [[VAN_BAN, "", "", "Thôn Đồng Rào", 5, "15/04/2025"]])
    b = write_csv(tmp_path / "b.csv", TEAMS, [[VAN_BAN, "", "", "Đồng Rào", 7, "15/04/2025"]])
    load_files([a], db)
    s = load_files([b], db)
    assert s.files[0].rows_replaced == 1
    assert sql(db, "select village, members from fact_digital_team") == [("Đồng Rào", 7)]


# --- training sessions ----------------------------------------------------------------------------


def test_training_sessions_and_participants_in_the_month(tmp_path, db):
    f = write_csv(
        tmp_path / "tap-huan.csv",
        TRAINING,
        [
            [
                MOC_SON,
                "04/10/2025",
                "Hội nghị: BHYT trên VNeID, phòng chống lừa đảo",
                "Cán bộ, công chức",
                46,
                "UBND phường",
            ],
            [
                MOC_SON,
                "04/10/2025",
                "Hội nghị: BHYT trên VNeID,  phòng chống lừa đảo",
                "Người dân",
                182,
                "UBND phường",
            ],
            [MOC_SON, "2025-10-20", "An toàn trên mạng", "Học sinh", 120, "Trường THCS"],
            [MOC_SON, "05/11/2025", "Bán hàng trực tuyến", "businesses", 20, ""],
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 0, s.to_dict()
    got = mart(db, MOC_SON, "training_sessions, training_participants, training_participants_adults")
    assert got == {"2025-10": (2, 348, 228), "2025-11": (1, 20, 20)}  # one session for two audiences
    assert sql(db, "select audience from fact_training_session order by source_row") == [
        ("officials",),
        ("residents",),
        ("pupils",),
        ("businesses",),
    ]


def test_training_rules(tmp_path, db):
    f = write_csv(
        tmp_path / "tap-huan-loi.csv",
        TRAINING,
        [
            [VAN_BAN, "23/09/2025", "VNeID", "Người dân", 86, "UBND xã"],
            [VAN_BAN, "32/09/2025", "VNeID", "Người dân", 10, ""],  # not a date
            [VAN_BAN, "", "VNeID", "Người dân", 10, ""],  # no date
            [VAN_BAN, "01/01/2099", "VNeID", "Người dân", 10, ""],  # future
            [VAN_BAN, "24/09/2025", "", "Người dân", 10, ""],  # no topic
            [VAN_BAN, "25/09/2025", "VNeID", "Người dân và cán bộ", 10, ""],  # not one accepted audience
            [VAN_BAN, "26/09/2025", "VNeID", "", 10, ""],  # no audience
            [VAN_BAN, "27/09/2025", "VNeID", "Người dân", -3, ""],  # negative participants
            [VAN_BAN, "28/09/2025", "VNeID", "Người dân", "", ""],  # no participants
            [VAN_BAN, "23/09/2025", "VNeID", "nhân dân", 90, ""],  # same session and audience as row 2
            ["", "29/09/2025", "VNeID", "Người dân", 10, ""],  # no commune
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 1
    r = rejects(db)
    assert {row: v[0] for row, v in r.items()} == {
        2: "duplicate_in_file",
        3: "bad_date_training_on",
        4: "missing_training_on",
        5: "date_out_of_range_training_on",
        6: "missing_topic",
        7: "bad_audience",
        8: "bad_audience",
        9: "negative_count_participants",
        10: "bad_count_participants",
        11: "duplicate_in_file",
        12: "missing_commune",
    }
    assert r[7][1] == "Đối tượng" and r[9][1] == "Số người tham dự" and r[3][1] == "Ngày tập huấn"
    assert "mỗi đối tượng một dòng" in r[7][2] and "one row per audience" in r[7][3]
    assert sql(db, "select count(*) from fact_training_session")[0][0] == 0


def test_training_redelivery_replaces_the_session(tmp_path, db):
    a = write_csv(tmp_path / "a.csv", TRAINING, [[VAN_BAN, "23/09/2025", "VNeID", "Người dân", 86, ""]])
    b = write_csv(
        tmp_path / "b.csv",
        TRAINING,
        [
            [VAN_BAN, "23/09/2025", "VNeID", "residents", 90, "UBND xã"],
            [VAN_BAN, "23/09/2025", "VNeID", "officials", 12, "UBND xã"],
        ],
    )
    load_files([a], db)
    s = load_files([b], db)
    assert s.files[0].rows_replaced == 1 and s.files[0].rows_loaded == 2
    assert mart(db, VAN_BAN, "training_sessions, training_participants") == {"2025-09": (1, 102)}


# --- VNeID and certificates ------------------------------------------------------------------------


def test_vneid_carries_each_figure_forward(tmp_path, db):
    f = write_csv(
        tmp_path / "vneid.csv",
        VNEID,
        [
            [VAN_BAN, "Xã Vân Bán", "Phú Thọ", "T8/2025", "5.000", 100],
            [VAN_BAN, "Xã Vân Bán", "Phú Thọ", "10/2025", 6000, ""],  # certificates not reported
            [VAN_BAN, "Xã Vân Bán", "Phú Thọ", "2025-12", "", 900],  # accounts not reported
        ],
    )
    assert load_files([f], db).exit_code == 0
    assert mart(db, VAN_BAN, "vneid_level2_active, adults_certified") == {
        "2025-08": (5000, 100),
        "2025-09": (5000, 100),
        "2025-10": (6000, 100),
        "2025-11": (6000, 100),
        "2025-12": (6000, 900),
    }


def test_vneid_rules(tmp_path, db):
    f = write_csv(
        tmp_path / "vneid-loi.csv",
        VNEID,
        [
            [VAN_BAN, "", "", "10/2025", 6000, 800],
            [VAN_BAN, "", "", "13/2025", 6000, 800],  # not a month
            [VAN_BAN, "", "", "01/2099", 6000, 800],  # future
            [VAN_BAN, "", "", "09/2025", -1, 800],  # negative
            [VAN_BAN, "", "", "08/2025", 6000, "nhiều"],  # not a number
            [VAN_BAN, "", "", "07/2025", "", ""],  # nothing reported
            [VAN_BAN, "", "", "T10/2025", 6100, 810],  # same month as row 2
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 1
    r = rejects(db)
    assert {row: v[0] for row, v in r.items()} == {
        2: "duplicate_in_file",
        3: "bad_month",
        4: "date_out_of_range_month",
        5: "negative_count_vneid_level2_active",
        6: "bad_count_adults_certified",
        7: "no_figures",
        8: "duplicate_in_file",
    }
    assert (
        r[5][1] == "Số tài khoản VNeID mức 2"
        and r[6][1] == "Số người được cấp chứng nhận"
        and r[3][1] == "Tháng"
    )
    assert all(v[2] and v[3] for v in r.values())


def test_vneid_redelivery_replaces(tmp_path, db):
    a = write_csv(tmp_path / "a.csv", VNEID, [[VAN_BAN, "", "", "10/2025", 6000, 800]])
    b = write_csv(tmp_path / "b.csv", VNEID, [[VAN_BAN, "", "", "10/2025", 6100, 820]])
    load_files([a], db)
    s = load_files([b], db)
    assert s.files[0].rows_replaced == 1
    assert sql(db, "select vneid_level2_active, adults_certified from fact_vneid_month") == [(6100, 820)]


# --- contract of the new tables -------------------------------------------------------------------


def test_skills_contract_after_a_mixed_load(tmp_path, db):
    files = [
        write_csv(tmp_path / "p.csv", POP, [[VAN_BAN, "", "", 2025, 16012, 11530, 24]]),
        write_csv(tmp_path / "t.csv", TEAMS, [[VAN_BAN, "", "", "Đồng Rào", 5, "15/04/2025"]]),
        write_csv(tmp_path / "c.csv", COUNTS, [["Xã Bảo Hà", "Lào Cai", 72, 365, "30/09/2025"]]),
        write_csv(tmp_path / "s.csv", TRAINING, [[VAN_BAN, "23/09/2025", "VNeID", "Người dân", 86, ""]]),
        write_csv(tmp_path / "v.csv", VNEID, [[VAN_BAN, "", "", "10/2025", 6000, 800]]),
    ]
    assert load_files(files, db).exit_code == 0
    checks = {
        "audience accepted": "select count(*) from fact_training_session "
        "where audience not in ('officials', 'residents', 'pupils', 'businesses')",
        "record_type accepted": "select count(*) from fact_digital_team where record_type not in ('team', 'commune_count')",
        "teams consistent": "select count(*) from fact_digital_team where (record_type = 'team' and (teams <> 1 "
        "or members < 1)) or members < teams",
        "communes exist": "select count(*) from (select commune_code from fact_population_year union all "
        "select commune_code from fact_digital_team union all select commune_code from "
        "fact_training_session union all select commune_code from fact_vneid_month) "
        "anti join dim_commune using (commune_code)",
        "adults within population": "select count(*) from fact_population_year where adults > population",
        "mart complete grid": "select count(*) <> (select count(*) from dim_commune) * count(distinct month) "
        "from mart_commune_month",
        "mart months 09..10/2025": "select count(distinct month) <> 2 from mart_commune_month",
        "etl_load kinds": "select count(distinct kind) <> 4 from etl_load",
    }
    assert {name: sql(db, q)[0][0] for name, q in checks.items()} == {name: 0 for name in checks}
