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


# --- 2. workbooks as offices make them --------------------------------------------------------------


def _write_xls(path, sheets):
    """An Excel 97-2003 workbook written with xlwt: {sheet: [(row, col, value, merge_to_col), ...]}."""
    import datetime as dt

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for name, cells in sheets.items():
        ws = book.add_sheet(name)
        for r, c, value, *merge in cells:
            style = date_style if isinstance(value, dt.date) else xlwt.Style.default_style
            if merge:
                r1, c1 = merge[0]
                ws.write_merge(r, r1, c, c1, value, style)
            else:
                ws.write(r, c, value, style)
    book.save(str(path))
    return path


def _rows(r0, rows):
    return [(r0 + i, c, v) for i, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")]


def test_xls_workbook_loads_like_xlsx(tmp_path, db):
    import datetime as dt

    head = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]
    data = [
        ["X1", 8380, dt.date(2025, 10, 1), dt.date(2025, 10, 5), dt.date(2025, 10, 3), 2],
        ["X2", 8380, "02/10/2025", "06/10/2025", "", 1],
    ]
    f = _write_xls(tmp_path / "ho-so.xls", {"Sheet1": _rows(0, [head, *data])})
    assert f.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    s = load_files([f], db)
    assert s.exit_code == 0, s.to_dict()
    got = sql(
        db,
        "select dossier_id, commune_code, received_at::date, finished_at::date, channel from fact_dossier order by 1",
    )
    assert [tuple(str(v) if v is not None else None for v in r) for r in got] == [
        ("X1", "8380", "2025-10-01", "2025-10-03", "online"),
        ("X2", "8380", "2025-10-02", None, "in_person"),
    ]


def _office_workbook(tmp_path, writer):
    """Instructions on sheet 1; on sheet 2 a title, a two-row header (merged "Ngày" over three
    sub-headers), three dossiers, a totals row, a note and a signature block."""
    instructions = _rows(
        0, [["Hướng dẫn"], ["Điền mỗi hồ sơ một dòng ở trang Dữ liệu."], ["Mã hồ sơ: mã trên Cổng"]]
    )
    upper = ["STT", "Mã hồ sơ", "Đơn vị tiếp nhận", "Ngày", None, None, "Kênh thực hiện"]
    lower = [None, None, None, "Tiếp nhận", "Hẹn trả", "Hoàn thành", None]
    data = [
        [1, "W1", "UBND xã Vân Bán", "01/10/2025", "05/10/2025", "03/10/2025", "Trực tuyến"],
        [2, "W2", "UBND xã Vân Bán", "02/10/2025", "06/10/2025", "", "Trực tiếp"],
        [3, "W3", "UBND xã Cao Sơn", "03/10/2025", "07/10/2025", "04/10/2025", "Trực tuyến"],
    ]
    footer = [
        ["Tổng cộng", None, None, 3, 3, 2, None],
        [],
        ["Ghi chú: số liệu tính đến hết ngày 31/10/2025"],
        [None, "Người lập biểu", None, None, None, "Thủ trưởng đơn vị"],
        [None, "(Ký, ghi rõ họ tên)"],
        [None, "Nguyễn Văn A", None, None, None, "Trần Thị B"],
    ]
    data_cells = [(0, 0, "BÁO CÁO HỒ SƠ THÁNG 10/2025 - TỈNH PHÚ THỌ")]
    data_cells += [(2, c, v) for c, v in enumerate(upper) if v and c != 3 and c not in (0, 1, 2, 6)]
    merged = [(2, 3, "Ngày", (2, 5)), (2, 0, "STT", (3, 0)), (2, 1, "Mã hồ sơ", (3, 1))]
    merged += [(2, 2, "Đơn vị tiếp nhận", (3, 2)), (2, 6, "Kênh thực hiện", (3, 6))]
    data_cells += [(3, c, v) for c, v in enumerate(lower) if v]
    data_cells += _rows(4, data) + _rows(7, footer)
    return writer(tmp_path, {"Hướng dẫn": instructions, "Dữ liệu": (data_cells, merged)})


def _xls_writer(tmp_path, sheets):
    flat = {}
    for name, value in sheets.items():
        cells, merged = value if isinstance(value, tuple) else (value, [])
        flat[name] = [*cells, *[(r, c, v, m) for r, c, v, m in merged]]
    return _write_xls(tmp_path / "bao-cao.xls", flat)


def _xlsx_writer(tmp_path, sheets):
    import openpyxl

    from etl.xlsx_guard import column_letters

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, value in sheets.items():
        cells, merged = value if isinstance(value, tuple) else (value, [])
        ws = wb.create_sheet(name)
        for r, c, v in cells:
            ws.cell(row=r + 1, column=c + 1, value=v)
        for r, c, v, (r1, c1) in merged:
            ws.cell(row=r + 1, column=c + 1, value=v)
            ws.merge_cells(f"{column_letters(c + 1)}{r + 1}:{column_letters(c1 + 1)}{r1 + 1}")
    path = tmp_path / "bao-cao.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("writer", [_xls_writer, _xlsx_writer], ids=["xls", "xlsx"])
def test_later_sheet_two_row_header_and_totals_row(tmp_path, db, writer):
    f = _office_workbook(tmp_path, writer)
    s = load_files([f], db)
    res = s.files[0]
    assert s.exit_code == 1 and res.kind == "dossiers", s.to_dict()  # W3: Cao Sơn is in two provinces
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (3, 2, 1)
    assert res.rows_skipped == 5  # totals, note, 3 signature rows (the blank row is no row)
    note = next(n for n in res.notes if "rows after the data" in n)
    assert "8 (Tổng cộng), 10 (Ghi chú: số liệu" in note and "13 (Nguyễn Văn A)" in note
    got = sql(
        db,
        "select dossier_id, commune_code, received_at::date, due_at::date, channel, source_row from fact_dossier order by 1",
    )
    assert [tuple(str(v) for v in r) for r in got] == [
        ("W1", "8380", "2025-10-01", "2025-10-05", "online", "5"),
        ("W2", "8380", "2025-10-02", "2025-10-06", "in_person", "6"),
    ]
    assert sql(db, "select row_number, rule from etl_reject") == [(7, "ambiguous_commune")]


def test_sheet_named_on_the_command_line(tmp_path, db, capfd):
    f = _office_workbook(tmp_path, _xlsx_writer)
    assert cli_main(["load", str(f), "--db", str(db), "--sheet", "Hướng dẫn", "--lang", "en"]) == 2
    assert "bao-cao.xlsx" in capfd.readouterr().out
    assert cli_main(["load", str(f), "--db", str(db), "--sheet", "Khác", "--lang", "en"]) == 2
    out = capfd.readouterr().out
    assert 'no sheet "Khác"' in out and '"Hướng dẫn", "Dữ liệu"' in out
    assert cli_main(["load", str(f), "--db", str(db), "--sheet", "Dữ liệu", "--lang", "en"]) == 1
    assert "skipped 5 rows after the data" in capfd.readouterr().out


def test_xls_grid_bomb_is_refused_before_calamine(tmp_path, db):
    """One far cell (IV65536) would make calamine build a 16.7-million-cell grid: refused from the
    BIFF records, nothing loaded."""
    head = ["MaHoSo", "MaXa", "NgayTiepNhan", "KenhThucHien"]
    f = _write_xls(
        tmp_path / "bom.xls", {"S": [*_rows(0, [head, ["B1", 8380, "01/10/2025", 2]]), (65535, 255, "x")]}
    )
    assert f.stat().st_size < 20_000
    from etl.xls_guard import check_xls

    with pytest.raises(Exception) as err:
        check_xls(f)
    assert err.value.code == "sheet_too_large" and "IV65536" in err.value.message_en
    s = load_files([f], db)
    assert s.exit_code == 2 and not db.exists() and "IV65536" in s.files[0].message_en


def test_corrupt_and_fake_xls_are_refused(tmp_path, db):
    from etl.readers import SourceFileError
    from etl.uploads import check_upload

    good = _write_xls(
        tmp_path / "tot.xls",
        {"S": _rows(0, [["MaHoSo", "NgayTiepNhan", "KenhThucHien"], ["G1", "01/10/2025", 2]])},
    )
    assert check_upload(good) == ".xls"
    cut = tmp_path / "cut.xls"
    cut.write_bytes(good.read_bytes()[:700])
    s = load_files([cut], db)
    assert s.exit_code == 2 and "cut.xls" in s.files[0].message_en and " — " in s.files[0].message_en
    fake = tmp_path / "fake.xls"
    fake.write_text("MaHoSo,NgayTiepNhan\n")
    with pytest.raises(SourceFileError, match="not an Excel 97-2003 workbook"):
        check_upload(fake)


# --- 6. the narrow path's byte scan --------------------------------------------------------------


def test_short_lines_never_hides_a_line_over_the_limit(tmp_path, monkeypatch):
    """The block test that spares the exact longest-line pass answers True only when no line is
    over the limit (random layouts, lines at the start, the end and without a final line feed)."""
    import mmap
    import random

    import numpy as np

    from etl import readers

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 64)
    rng = random.Random(17)
    for trial in range(400):
        lengths = [rng.choice([0, 5, 31, 32, 33, 63, 64, 65, 100, 129]) for _ in range(rng.randint(1, 12))]
        body = b"\n".join(b"x" * n for n in lengths) + (b"\n" if trial % 2 else b"")
        if not body:
            continue
        path = tmp_path / f"t{trial}.csv"
        path.write_bytes(body)
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            short = readers._short_lines(data, len(body))
        (_, longest), _ = readers._longest_line(np.frombuffer(body, dtype=np.uint8))
        assert longest == max(lengths)
        if short:
            assert longest <= 64, (lengths, trial)
        elif len(body) >= 64 and longest < 32:
            raise AssertionError(f"lines shorter than half the limit must pass: {lengths}")
