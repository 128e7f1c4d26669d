"""Published index sheets: six- and five-group layouts, ranks computed when missing, ties share a rank."""

from __future__ import annotations

from etl.loader import load_files
from tests.conftest import sql, write_csv

SIX = [
    "STT",
    "Tên đơn vị",
    "Tỉnh",
    "Kỳ",
    "Công khai, minh bạch",
    "Tiến độ giải quyết",
    "Dịch vụ công trực tuyến",
    "Thanh toán trực tuyến",
    "Số hóa hồ sơ",
    "Mức độ hài lòng",
    "Tổng điểm",
]


def test_six_groups_ranks_computed_with_ties(tmp_path, db):
    f = write_csv(
        tmp_path / "chi-so.csv",
        SIX,
        [
            [1, "UBND xã Vân Bán", "Phú Thọ", "08/2026", 16, 17.94, 10, 8, 20, 16, 87.94],
            [2, "UBND Phường Việt Trì", "Phú Thọ", "08/2026", 15, 15.81, 10, 8, 20, 16, 84.81],
            [3, "UBND Phường Nông Trang", "Phú Thọ", "08/2026", 15, 15.81, 10, 8, 20, 16, 84.81],
            [4, "UBND xã Hy Cương", "Phú Thọ", "08/2026", 10, 13.45, 6, 5, 15, 12, 61.45],
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 0, s.to_dict()
    ranks = dict(sql(db, "select commune_code, index_rank from mart_index_period"))
    assert ranks[8380] == 1 and list(sorted(ranks.values())) == [1, 2, 2, 4]
    assert sql(db, "select count(*) from fact_index_score where period = '2026-08'")[0][0] == 24
    assert sql(
        db,
        "select index_total, index_rank from mart_commune_month where commune_code = 8380 "
        "and month = date '2026-08-01'",
    ) == [(87.94, 1)]


def test_five_group_layout_and_period_from_option(tmp_path, db):
    head = [
        "STT",
        "Tên đơn vị",
        "Tỉnh",
        "Công khai, minh bạch",
        "Tiến độ giải quyết",
        "Cung cấp dịch vụ trực tuyến",
        "Số hóa hồ sơ",
        "Mức độ hài lòng",
        "Xếp hạng",
    ]
    f = write_csv(tmp_path / "nam.csv", head, [[1, "Xã Vân Bán", "Phú Thọ", 16, 18, 20, 20, 16, 3]])
    s = load_files([f], db, period="2025")
    assert s.exit_code == 0, s.to_dict()
    row = sql(
        db,
        "select period_type, period, groups_expected, is_complete, index_total, index_rank "
        "from mart_index_period",
    )
    assert row == [("year", "2025", 5, True, 90.0, 3)]


def test_index_rules_and_missing_period(tmp_path, db):
    f = write_csv(
        tmp_path / "bad.csv",
        SIX,
        [
            [1, "UBND xã Vân Bán", "Phú Thọ", "08/2026", 19, 17, 10, 8, 20, 16, ""],  # CKMB > 18
            [2, "Sở Tư pháp", "Phú Thọ", "08/2026", 10, 10, 10, 8, 20, 16, ""],  # department
            [3, "UBND xã Hy Cương", "Phú Thọ", "Quý 9", 10, 10, 10, 8, 20, 16, ""],  # bad period
            [4, "UBND xã Hy Cương", "Phú Thọ", "08/2026", "n/a", 10, 10, 8, 20, 16, ""],  # not a number
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 2 or s.exit_code == 1
    rules = dict(sql(db, "select row_number, rule from etl_reject")) if db.exists() else {}
    assert rules == {2: "score_out_of_range_CKMB", 3: "unknown_commune", 4: "bad_period", 5: "bad_score_CKMB"}
    no_period = write_csv(
        tmp_path / "khong-ky.csv",
        [h for h in SIX if h != "Kỳ"],
        [[1, "UBND xã Vân Bán", "Phú Thọ", 16, 17, 10, 8, 20, 16, ""]],
    )
    s = load_files([no_period], db)
    assert (
        s.exit_code == 2 and "--period" in s.files[0].message_en and "khong-ky.csv" in s.files[0].message_vi
    )
