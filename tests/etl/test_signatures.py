"""Digital-signature sheets: month formats, count rules, re-delivery replaces."""

from __future__ import annotations

from etl.loader import load_files
from tests.conftest import sql, write_csv

HEAD = ["Mã xã", "Tên xã", "Tỉnh", "Tháng", "Tổng số văn bản đi", "Văn bản mật", "Số văn bản ký số"]


def test_signature_rate_and_month_formats(tmp_path, db):
    f = write_csv(
        tmp_path / "ky-so.csv",
        HEAD,
        [
            [8380, "Xã Vân Bán", "Phú Thọ", "10/2025", 120, 4, 116],
            [8380, "Xã Vân Bán", "Phú Thọ", "T9/2025", 100, 0, 90],
            [10333, "", "", "2025-08", 50, 0, 40],
            ["", "UBND xã Đại Xuyên", "Hà Nội", "Tháng 7/2025", "1.234", "0", "1.000"],
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 0, s.to_dict()
    got = dict(
        sql(
            db,
            "select strftime(month, '%Y-%m'), signature_rate from mart_commune_month "
            "where commune_code = 8380 and docs_issued is not null",
        )
    )
    assert got == {"2025-10": 1.0, "2025-09": 0.9}
    assert sql(
        db,
        "select docs_issued, docs_signed from fact_signature_month where commune_code = 10333 "
        "and month = date '2025-07-01'",
    ) == [(1234, 1000)]


def test_signature_rules(tmp_path, db):
    f = write_csv(
        tmp_path / "ky-so-bad.csv",
        HEAD,
        [
            [8380, "", "", "10/2025", 10, 0, 10],
            [8380, "", "", "13/2025", 10, 0, 10],  # bad month
            [8380, "", "", "09/2025", -1, 0, 0],  # negative
            [8380, "", "", "08/2025", 10, 2, 9],  # signed > issued - confidential
            [8380, "", "", "07/2025", 10, 11, 0],  # confidential > issued
            [8380, "", "", "06/2025", "mười", 0, 0],  # not a number
            [10333, "", "", "10/2025", 5, 0, 5],
            [10333, "", "", "10/2025", 6, 0, 6],  # duplicate commune and month
            [8380, "", "", "01/2099", 1, 0, 1],  # future
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 1
    rules = dict(sql(db, "select row_number, rule from etl_reject"))
    assert rules[3] == "bad_month" and rules[4] == "negative_count_docs_issued"
    assert rules[5] == "signed_over_issued" and rules[6] == "confidential_over_issued"
    assert rules[7] == "bad_count_docs_issued" and rules[8] == rules[9] == "duplicate_in_file"
    assert rules[10] == "date_out_of_range_month"
    cols = dict(sql(db, "select row_number, column_name from etl_reject"))
    assert cols[5] == "Số văn bản ký số" and cols[3] == "Tháng"
    assert sql(db, "select count(*) from fact_signature_month")[0][0] == 1


def test_redelivery_replaces_commune_month(tmp_path, db):
    a = write_csv(tmp_path / "a.csv", HEAD, [[8380, "", "", "10/2025", 10, 0, 5]])
    b = write_csv(tmp_path / "b.csv", HEAD, [[8380, "", "", "10/2025", 10, 0, 10]])
    load_files([a], db)
    s = load_files([b], db)
    assert s.files[0].rows_replaced == 1
    assert sql(db, "select docs_signed from fact_signature_month") == [(10,)]
