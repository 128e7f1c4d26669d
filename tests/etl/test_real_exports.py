"""Exports as offices really make them (issue 17): unit columns, abbreviated headers, whole-file
errors that say what to rename, old .xls workbooks, workbooks laid out for people.  Every file is
written by the test itself."""

from __future__ import annotations

import pytest

from etl.cli import main as cli_main
from etl.headers import match_headers
from etl.loader import load_files
from tests.conftest import file_sha, sql, write_csv

VAN_BAN = 8380  # Xã Vân Bán, Phú Thọ
CAO_SON_PT = 4876  # Xã Cao Sơn, Phú Thọ (there is another Xã Cao Sơn in Lào Cai)


def _dossier(i, received="01/10/2025", due="05/10/2025", finished="03/10/2025", channel="2"):
    return [f"D{i}", received, due, finished, channel]


# --- 1. the unit column ---------------------------------------------------------------------------


def test_processing_unit_column_names_the_commune(tmp_path, db):
    """No commune column, only the processing unit ("Đơn vị xử lý") beside a province column: the
    unit resolves to the commune through the name matching, the province narrowing it."""
    head = ["MaHoSo", "Tỉnh", "Đơn vị xử lý", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]
    rows = [
        ["P1", "Phú Thọ", "UBND xã Vân Bán", "01/10/2025", "05/10/2025", "03/10/2025", "2"],
        ["P2", "Phú Thọ", "Bộ phận một cửa UBND xã Vân Bán", "01/10/2025", "05/10/2025", "03/10/2025", "1"],
        [
            "P3",
            "Phú Thọ",
            "UBND xã Cao Sơn",
            "02/10/2025",
            "06/10/2025",
            "04/10/2025",
            "2",
        ],  # 2 in the country
        ["P4", "Phú Thọ", "Sở Tư pháp", "02/10/2025", "06/10/2025", "04/10/2025", "2"],  # not a commune
        ["P5", "Phú Thọ", "", "02/10/2025", "06/10/2025", "04/10/2025", "2"],
    ]
    f = write_csv(tmp_path / "don-vi-xu-ly.csv", head, rows)
    s = load_files([f], db)
    res = s.files[0]
    assert res.kind == "dossiers" and res.rows_loaded == 3 and res.rows_rejected == 2, s.to_dict()
    got = sql(
        db, "select dossier_id, commune_code, province_code, handling_unit from fact_dossier order by 1"
    )
    assert got == [
        ("P1", VAN_BAN, 25, "UBND xã Vân Bán"),
        ("P2", VAN_BAN, 25, "Bộ phận một cửa UBND xã Vân Bán"),
        ("P3", CAO_SON_PT, 25, "UBND xã Cao Sơn"),
    ]
    rejects = sql(db, "select row_number, rule, column_name, message_en from etl_reject order by 1")
    assert [(r[0], r[1], r[2]) for r in rejects] == [
        (5, "unknown_commune", "Đơn vị xử lý"),
        (6, "missing_commune", "Đơn vị xử lý"),
    ]
    assert "Sở Tư pháp" in rejects[0][3]


def test_unit_column_with_a_commune_column_stays_the_unit(tmp_path, db):
    """When the file has a commune column, the unit column is only the unit (no second reading)."""
    m = match_headers("dossiers", ["MaHoSo", "MaXa", "Đơn vị xử lý", "NgayTiepNhan", "KenhThucHien"])
    assert m.positions()["commune_code"] == 1 and "commune_name" not in m.positions()
    m = match_headers("dossiers", ["MaHoSo", "DonViXuLy", "NgayTiepNhan", "KenhThucHien"])
    assert m.positions()["commune_name"] == 1 and m.positions()["handling_unit"] == 1


# --- 1. abbreviated, unaccented headers -------------------------------------------------------------


def test_abbreviated_unaccented_headers_load(tmp_path, db):
    head = [
        "ma_hs",
        "tinh_tp",
        "dv_xl",
        "ngayTN",
        "ngay_hen_tra",
        "hoan_thanh_ngay",
        "kenh_thuc_hien",
        "tt_hs",
    ]
    rows = [
        ["A1", "Phú Thọ", "UBND xã Vân Bán", "01/10/2025", "05/10/2025", "03/10/2025", "2", "Đã trả kết quả"],
        ["A2", "Phú Thọ", "UBND xã Vân Bán", "02/10/2025", "06/10/2025", "", "1", "Đang xử lý"],
    ]
    f = write_csv(tmp_path / "viet-tat.csv", head, rows)
    s = load_files([f], db)
    assert s.exit_code == 0, s.to_dict()
    got = sql(
        db,
        "select dossier_id, commune_code, received_at::date, due_at::date, finished_at::date, channel, "
        "status, handling_unit from fact_dossier order by 1",
    )
    assert [tuple(str(v) if v is not None else None for v in r) for r in got] == [
        (
            "A1",
            "8380",
            "2025-10-01",
            "2025-10-05",
            "2025-10-03",
            "online",
            "Đã trả kết quả",
            "UBND xã Vân Bán",
        ),
        ("A2", "8380", "2025-10-02", "2025-10-06", None, "in_person", "Đang xử lý", "UBND xã Vân Bán"),
    ]


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("ma_hs", "dossier_id"),
        ("MaHS", "dossier_id"),
        ("hoso_id", "dossier_id"),
        ("ngaytn", "received_at"),
        ("NGAY_TIEP_NHAN", "received_at"),
        ("tiep nhan ngay", "received_at"),
        ("Ngày tiếp nhận hồ sơ", "received_at"),
        ("ma_tthc", "procedure_code"),
        ("tthc_ten", "procedure_name"),
        ("ten_xa", "commune_name"),
        ("DonViXuLy", "handling_unit"),
        ("ten_dv_xl", "handling_unit"),
    ],
)
def test_header_words(header, column):
    m = match_headers("dossiers", [header, "KenhThucHien"])
    assert m.mapping.get(0) == column and not m.ambiguous


def test_values_are_not_taken_for_headers():
    m = match_headers("dossiers", ["UBND xã Vân Bán", "01/10/2025", "Đã trả kết quả", "2.000815"])
    assert m.mapping == {} and not m.ambiguous


# --- 1. ambiguous headers refused -------------------------------------------------------------------


def test_ambiguous_header_is_refused_naming_both_columns(tmp_path, db):
    head = ["ma_hs", "ma_xa", "ngay_tn", "ngay_ht", "kenh_thuc_hien"]
    f = write_csv(tmp_path / "mo-ho.csv", head, [["X1", VAN_BAN, "01/10/2025", "05/10/2025", "2"]])
    s = load_files([f], db)
    assert s.exit_code == 2 and not s.swapped and not db.exists()
    msg = s.files[0].message_en
    assert '"ngay_ht"' in msg and "due_at" in msg and "finished_at" in msg and "not guessed" in msg
    assert "Ngày hẹn trả (due_at) hoặc Ngày kết thúc xử lý (finished_at)" in s.files[0].message_vi


def test_an_abbreviation_whose_other_reading_is_taken_is_not_ambiguous():
    m = match_headers("dossiers", ["ma_hs", "ngay_tn", "Ngày hẹn trả", "ngay_ht", "KenhThucHien"])
    assert m.mapping[3] == "finished_at" and not m.ambiguous


def test_two_cells_fitting_one_column_equally_are_refused():
    m = match_headers("dossiers", ["ma_hs", "hs_ma", "ngay_tn", "KenhThucHien"])
    assert [(a.positions, a.columns) for a in m.ambiguous] == [((0, 1), ("dossier_id",))]


# --- 3. the whole-file error ------------------------------------------------------------------------


def test_missing_required_column_names_closest_kind_accepted_names_and_own_headers(tmp_path, db):
    f = write_csv(
        tmp_path / "thieu-kenh.csv",
        ["ma_hs", "Mã xã", "ngay_tn", "Ghi chú"],
        [["X1", VAN_BAN, "01/10/2025", ""]],
    )
    s = load_files([f], db)
    assert s.exit_code == 2 and not s.swapped
    en, vi = s.files[0].message_en, s.files[0].message_vi
    assert en.startswith("thieu-kenh.csv: cannot tell the file kind from header row 1")
    assert "the closest is dossier export (dossiers)" in en
    assert "Kênh thực hiện (channel)" in en
    for accepted in ('"KenhThucHien"', '"Kênh thực hiện"', '"Kênh nộp"', '"Hình thức nộp"', '"channel"'):
        assert accepted in en and accepted in vi
    assert "dossier_id" not in en.split("lacks required columns:")[1].split("the file's columns")[0]
    assert 'the file\'s columns: "ma_hs", "Mã xã", "ngay_tn", "Ghi chú"' in en
    assert "gần nhất là hồ sơ thủ tục hành chính (dossiers)" in vi


def test_missing_required_column_with_kind_given(tmp_path, db):
    f = write_csv(tmp_path / "thieu.csv", ["Mã xã", "Tháng", "Văn bản đi"], [[VAN_BAN, "10/2025", 3]])
    s = load_files([f], db, kind="signatures")
    assert s.exit_code == 2
    en = s.files[0].message_en
    assert "does not fit the kind digital signatures (signatures)" in en
    assert "Văn bản mật (docs_confidential)" in en and '"VanBanMat"' in en
    assert "Số văn bản ký số (docs_signed)" in en and '"VanBanKySo"' in en
    assert '"Văn bản đi"' in en.split("the file's columns:")[1]


def test_cli_exit_code_2_and_warehouse_byte_identical(tmp_path, db, capfd):
    good = write_csv(
        tmp_path / "good.csv",
        ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"],
        [["G1", VAN_BAN, "01/10/2025", "05/10/2025", "03/10/2025", "2"]],
    )
    assert cli_main(["load", str(good), "--db", str(db)]) == 0
    before = file_sha(db)
    bad = write_csv(
        tmp_path / "bad.csv", ["ma_hs", "ngay_tn", "ngay_ht"], [["B1", "01/10/2025", "05/10/2025"]]
    )
    capfd.readouterr()
    assert cli_main(["load", str(bad), "--db", str(db), "--lang", "en"]) == 2
    out = capfd.readouterr().out
    assert "bad.csv: cannot tell the file kind" in out and "Kênh thực hiện (channel)" in out
    assert "warehouse unchanged" in out
    assert file_sha(db) == before
    assert sql(db, "select count(*) from fact_dossier where dossier_id = 'B1'") == [(0,)]
