"""Dossier exports: aliases, date formats, row rules, overlap and replacement — asserted with SQL."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from etl.loader import load_files
from tests.conftest import sql, write_csv

PORTAL = [
    "MaHoSo",
    "MaXa",
    "MaTTHC",
    "TenTTHC",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "TrangThaiHoSo",
    "KenhThucHien",
    "ToanTrinh",
    "DuocThanhToanTrucTuyen",
    "HoSoCoThanhPhanSoHoa",
]


def row(
    dossier_id,
    commune=8380,
    received="01/10/2025 08:00",
    due="05/10/2025",
    finished="04/10/2025",
    channel="2",
    full="1",
    paid="1",
    digitized="1",
):
    return [
        dossier_id,
        commune,
        "2.000815",
        "Chứng thực bản sao",
        received,
        due,
        finished,
        "Đã trả kết quả",
        channel,
        full,
        paid,
        digitized,
    ]


def test_portal_headers_load_and_mart_counts(tmp_path, db):
    f = write_csv(
        tmp_path / "h1.csv",
        PORTAL,
        [
            row("A1"),
            row("A2", channel="1", full="", paid="", digitized="0"),
            row("A3", finished="08/10/2025"),  # late
            row("A4", finished="", due="20/10/2025"),  # open, due after as-of → not judged
            row("A5", channel="2", full="0"),  # online, partly
            row("A6", channel="3", full=""),  # post
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 0, s.to_dict()
    assert s.files[0].rows_loaded == 6 and s.files[0].kind == "dossiers"
    got = sql(
        db,
        """select dossiers_received, dossiers_online, dossiers_online_full, dossiers_in_person,
                     dossiers_post, dossiers_completed, dossiers_on_time, dossiers_overdue, dossiers_paid_online,
                     dossiers_digitized, online_rate, on_time_rate
                     from mart_commune_month where commune_code = 8380 and month = date '2025-10-01'""",
    )[0]
    assert got[:10] == (6, 4, 3, 1, 1, 5, 4, 1, 5, 5)
    assert got[10] == 4 / 6 and got[11] == 4 / 5
    assert sql(db, "select count(*) from mart_commune_month where month = date '2025-10-01'")[0][0] == 3321


def test_vietnamese_and_english_aliases_and_names(tmp_path, db):
    vi = write_csv(
        tmp_path / "vi.csv",
        [
            "Mã hồ sơ",
            "Tên xã",
            "Tỉnh",
            "Ngày tiếp nhận",
            "Ngày hẹn trả",
            "Ngày kết thúc xử lý",
            "Kênh thực hiện",
        ],
        [
            ["V1", "UBND xã Vân Bán", "Phú Thọ", "02/10/2025", "06/10/2025", "03/10/2025", "Trực tuyến"],
            ["V2", "VÂN BÁN", "Tỉnh Phú Thọ", "02/10/2025", "06/10/2025", "", "Trực tiếp"],
        ],
    )
    en = write_csv(
        tmp_path / "en.csv",
        ["dossier_id", "commune_name", "province_name", "received_at", "channel"],
        [["E1", "Xa Dai Xuyen", "Ha Noi", "2025-10-03", "2"]],
    )
    s = load_files([vi, en], db)
    assert s.exit_code == 0, s.to_dict()
    assert sql(db, "select dossier_id, commune_code, channel from fact_dossier order by 1") == [
        ("E1", 10333, "online"),
        ("V1", 8380, "online"),
        ("V2", 8380, "in_person"),
    ]


def test_each_date_format(tmp_path, db):
    f = write_csv(
        tmp_path / "dates.csv",
        ["MaHoSo", "MaXa", "NgayTiepNhan", "KenhThucHien"],
        [
            ["D1", 8380, "05/10/2025", 2],
            ["D2", 8380, "05/10/2025 14:30", 2],
            ["D3", 8380, "2025-10-05", 2],
            ["D4", 8380, "2025-10-05T14:30:00", 2],
            ["D5", 8380, "45935", 2],  # Excel serial of 05/10/2025
            ["D6", 8380, "45935.5", 2],
        ],
    )
    assert load_files([f], db).exit_code == 0
    got = dict(sql(db, "select dossier_id, received_at from fact_dossier"))
    assert {k: v.date() for k, v in got.items()} == {k: date(2025, 10, 5) for k in got}
    assert got["D2"].hour == 14 and got["D6"].hour == 12


def _rejects(db):
    return sql(
        db, "select row_number, column_name, rule, message_vi, message_en from etl_reject order by 1, 3"
    )


def test_row_rules_reject_with_file_row_column_and_keep_valid_rows(tmp_path, db):
    f = write_csv(
        tmp_path / "bad.csv",
        PORTAL + ["TenXa"],
        [
            row("OK1") + [""],
            row("R3", commune="") + ["Van Ban"],  # ambiguous without province
            row("R4", commune=999999) + [""],  # unknown code
            row("R5", received="32/13/2025") + [""],  # unparseable
            row("R6", received="20/10/2025", finished="10/10/2025", due="25/10/2025") + [""],
            row("R7", received="20/10/2025", due="10/10/2025", finished="") + [""],
            row("DUP") + [""],
            row("DUP") + [""],
            row("R10", received="01/01/2014", due="", finished="") + [""],  # before 2015
            row("R11", received="01/01/2099", due="", finished="") + [""],  # after today
            row("R12", channel="9") + [""],
            row("") + [""],  # no id
        ],
    )
    s = load_files([f], db)
    assert s.exit_code == 1
    r = s.files[0]
    assert (r.rows_read, r.rows_loaded, r.rows_rejected, r.status) == (12, 1, 11, "partial")
    rej = _rejects(db)
    by_row = {}
    for row_number, column, rule, vi, en in rej:
        by_row.setdefault(row_number, []).append((column, rule, vi, en))
    assert (
        by_row[3][0][1] == "ambiguous_commune"
        and "Xã Vân Bán" in by_row[3][0][2]
        and "Xã Văn Bàn" in by_row[3][0][2]
    )
    assert by_row[4][0][1] == "unknown_commune"
    assert by_row[5][0][:2] == ("NgayTiepNhan", "bad_date_received_at")
    assert by_row[6][0][:2] == ("NgayKetThucXuLy", "finished_before_received")
    assert by_row[6][0][2] == (
        "ngày hoàn thành 10/10/2025 trước ngày tiếp nhận 20/10/2025 — sửa ngày hoặc xóa dòng."
    )
    assert by_row[6][0][3] == "finished 10/10/2025 before received 20/10/2025 — fix the date or drop the row."
    assert by_row[7][0][1] == "due_before_received"
    assert by_row[8][0][1] == by_row[9][0][1] == "duplicate_in_file" and "8, 9" in by_row[8][0][3]
    assert by_row[10][0][1] == "date_out_of_range_received_at"
    assert by_row[11][0][1] == "date_out_of_range_received_at"
    assert by_row[12][0][:2] == ("KenhThucHien", "bad_channel")
    assert by_row[13][0][1] == "missing_dossier_id"
    assert sql(db, "select dossier_id from fact_dossier") == [("OK1",)]


def test_overlapping_exports_replace_never_double(tmp_path, db):
    october = write_csv(
        tmp_path / "ho-so-2025-10.csv",
        PORTAL,
        [
            row("X1", received="28/10/2025", due="05/11/2025", finished=""),
            row("X2", received="10/10/2025", due="15/10/2025", finished="12/10/2025"),
        ],
    )
    november = write_csv(
        tmp_path / "ho-so-2025-11.csv",
        PORTAL,
        [
            row(
                "X1", received="28/10/2025", due="05/11/2025", finished="07/11/2025"
            ),  # same dossier, finished late
            row("X3", received="02/11/2025", due="06/11/2025", finished="03/11/2025"),
        ],
    )
    load_files([october], db)
    s = load_files([november], db)
    assert (s.files[0].rows_loaded, s.files[0].rows_replaced) == (2, 1)
    assert sql(db, "select count(*) from fact_dossier")[0][0] == 3
    oct_row = sql(
        db,
        "select dossiers_received, dossiers_completed, dossiers_overdue from mart_commune_month "
        "where commune_code = 8380 and month = date '2025-10-01'",
    )[0]
    assert oct_row == (2, 2, 1)


def test_coded_value_rules(tmp_path, db):
    f = write_csv(
        tmp_path / "codes.csv",
        PORTAL,
        [
            row("C1", full="có lẽ"),
            row("C2", paid="9"),
            row("C3", digitized="maybe"),
            row("C4", channel="Bưu chính", full="", paid="Không", digitized="Có"),
        ],
    )
    s = load_files([f], db)
    rules = dict(sql(db, "select row_number, rule from etl_reject"))
    assert rules == {2: "bad_online_mode", 3: "bad_paid_online", 4: "bad_digitized"}
    assert s.files[0].rows_loaded == 1
    assert sql(db, "select channel, paid_online_via, digitized from fact_dossier") == [("post", None, True)]


def test_xlsx_export_with_title_rows_and_date_cells(tmp_path, db):

    import xlsxwriter

    path = tmp_path / "ho-so-van-ban-10-2025.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Danh sách")
    dt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws.write(0, 0, "UBND XÃ VÂN BÁN")
    ws.write(1, 0, "DANH SÁCH HỒ SƠ TIẾP NHẬN THÁNG 10/2025")
    head = ["MaHoSo", "TenXa", "TenTinh", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]
    ws.write_row(3, 0, head)
    ws.write_row(4, 0, ["X1", "Xã Vân Bán", "Phú Thọ"])
    ws.write_datetime(4, 3, datetime(2025, 10, 1, 8, 30), dt)
    ws.write_datetime(4, 4, datetime(2025, 10, 6), dt)
    ws.write_datetime(4, 5, datetime(2025, 10, 3, 16, 0), dt)
    ws.write_number(4, 6, 2)
    ws.write_row(5, 0, ["X2", "Xã Vân Bán", "Phú Thọ", "bad date", "", "", 1])
    wb.close()
    s = load_files([path], db)
    assert s.exit_code == 1 and s.files[0].rows_loaded == 1
    assert sql(db, "select dossier_id, commune_code, received_at, channel from fact_dossier") == [
        ("X1", 8380, datetime(2025, 10, 1, 8, 30), "online")
    ]
    assert sql(db, "select row_number, column_name from etl_reject") == [(6, "NgayTiepNhan")]


def test_streamed_and_ordinary_staging_agree_on_rows_lines_and_messages(tmp_path):
    """A plain UTF-8 dossier CSV is streamed (read_source(lazy=True); line numbers counted in the
    streamed pass on one thread, from rowid after it on more; provinces and the official names from
    the loader's shared lookups when the `stage` database is attached): the same rows, line
    numbers, rejects and messages as the ordinary read, whatever the file holds."""
    from etl.readers import read_source
    from etl.sources import common as C
    from etl.sources.registry import spec

    header = [
        "MaHoSo",
        "MaXa",
        "TenXa",
        "TenTinh",
        "NgayTiepNhan",
        "NgayHenTra",
        "NgayKetThucXuLy",
        "KenhThucHien",
        "ToanTrinh",
        "DuocSoHoa",
        "TenTTHC",
    ]
    rows = [
        [
            "A1",
            "8380",
            "",
            "",
            "01/10/2025 08:00",
            "03/10/2025 17:00",
            "02/10/2025 09:00",
            "2",
            "1",
            "1",
            "X",
        ],
        ["", "", "", "", "", "", "", "", "", "", ""],  # blank row
        ["A2", "", "Vân Bán", "Phú Thọ", "01/10/2025 09:00", "", "", "1", "", "0", ""],  # matched by name
        ["A3", "99999", "", "", "32/10/2025", "", "", "9", "", "", ""],  # three reasons
        ["A1", "8380", "", "", "02/10/2025 08:00", "", "", "1", "", "", ""],  # repeated id
        [" A4 ", "8380 ", "", "", "2025-10-05 10:00:00", "", "", " 2", "", "", ""],  # spaces, ISO date
        # Cells the streamed pass reads untrimmed: spaces around dates, codes and flags, and
        # cells of nothing but spaces (valid once trimmed: the row is kept as pass 2 parsed it).
        [
            "A5",
            " 8380",
            "",
            "",
            " 01/10/2025 10:00 ",
            " 03/10/2025 17:00",
            "02/10/2025 11:00 ",
            " 2 ",
            "  ",
            " 1 ",
            "  Tên thủ tục  ",
        ],
        ["A6", "8380", "", "", "01/10/2025 11:00", "", "", "2", " 0", "   ", ""],
        ["   ", "  ", "", "", " ", "", "", "", "", "", ""],
    ]  # only spaces: not a row
    plain = write_csv(tmp_path / "plain.csv", header, rows)
    multiline = write_csv(
        tmp_path / "multiline.csv",
        header + ["DonViXuLy"],
        [r + (["UBND\nxã"] if r[0].strip() else [""]) for r in rows],
    )  # quoted line breaks
    # (lazy, DuckDB threads, the loader's shared `stage` database and lookups)
    ways = [(True, 1, False), (False, 1, False), (True, 2, False), (True, 1, True), (True, 2, True)]
    for path in (plain, multiline):
        results = []
        for lazy, threads, shared in ways:
            con = duckdb.connect(config={"threads": threads})
            C.install_macros(con)
            from etl.loader import create_schema

            create_schema(con)
            if shared:
                con.execute("attach ':memory:' as stage")
                C.shared_lookups(con)
            table = read_source(path, con, lazy=lazy)
            assert (table.lazy is not None) == lazy  # (the multi-line file falls back when staged)
            staged = spec("dossiers").stage(table, con)
            out = staged.outputs[0].temp
            results.append(
                (
                    con.execute(
                        f"select {', '.join(spec('dossiers').outputs[0].columns)} from {out} order by source_row"
                    ).fetchall(),
                    con.execute(f"select * from {staged.rejects} order by all").fetchall(),
                    staged.rows_read,
                    staged.rows_rejected,
                )
            )
            con.close()
        assert all(r == results[0] for r in results[1:])
        valid, rejects, read, rejected = results[0]
        assert [r[0] for r in valid] == ["A2", "A4", "A5", "A6"] and read == 7 and rejected == 3
        a5 = valid[2]
        assert a5[1] == 8380 and a5[4] == "Tên thủ tục" and a5[7] == datetime(2025, 10, 1, 10, 0)
        assert a5[9] == datetime(2025, 10, 2, 11, 0) and a5[12:16] == ("online", None, None, True)
        assert valid[3][13:16] == ("partial", None, False)
        if path is plain:
            assert [r[-1] for r in valid] == [4, 7, 8, 9]
            assert {r[0] for r in rejects} == {2, 5, 6}
