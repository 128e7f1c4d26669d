"""etl.readers: every source file format into a DuckDB temp table of text cells.

Each test writes its own file into tmp_path, reads it and asserts with SQL on the temp table.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from etl.readers import SourceFileError, SourceTable, read_source

DOSSIER_HEADER_VI = ["Mã hồ sơ", "Ngày tiếp nhận", "Kênh thực hiện", "Xã/phường"]
DOSSIER_HEADER_PORTAL = ["MaHoSo", "NgayTiepNhan", "KenhThucHien", "TenXa"]
TITLE_ROWS = ["UBND TỈNH PHÚ THỌ", "DANH SÁCH HỒ SƠ THÁNG 10/2025", "(Kèm theo báo cáo số 12/BC-UBND)"]
# Precomposed (NFC) Vietnamese that cp1258 can only write as base letter + combining tone.
VIETNAMESE = "Xã Vân Bán — Phường Ẳ Ự ỹ Đ: đầy đủ hồ sơ số hóa"


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, table: SourceTable) -> list[tuple]:
    return con.execute(f"select * from {table.relation_name} order by source_row").fetchall()


def columns(con: duckdb.DuckDBPyConnection, table: SourceTable) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {table.relation_name}").fetchall()]


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed letters where the code page has them, otherwise
    base letter (â, ơ, ư, ... are in the code page) followed by a combining tone mark."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base.encode("cp1258") + "".join(c for c in parts if c in tones).encode("cp1258"))
    return b"".join(out)


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], *, formats: dict | None = None) -> Path:
    """Write rows (None = empty cell, dt objects get a date format) with xlsxwriter."""
    workbook = xlsxwriter.Workbook(str(path))
    date_fmt = workbook.add_format({"num_format": "dd/mm/yyyy"})
    datetime_fmt = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    time_fmt = workbook.add_format({"num_format": "hh:mm:ss"})
    for sheet_name, sheet_rows in sheets.items():
        ws = workbook.add_worksheet(sheet_name)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    fmt = datetime_fmt if value.time() != dt.time(0) else date_fmt
                    ws.write_datetime(r, c, value, fmt)
                elif isinstance(value, dt.time):
                    ws.write_datetime(r, c, value, time_fmt)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time(0)), date_fmt)
                else:
                    ws.write(r, c, value)
    workbook.close()
    return path


# --- CSV encodings ---------------------------------------------------------------------------------


def test_utf8_csv_with_title_rows_blank_lines_and_padding(tmp_path, con):
    text = (
        "UBND TỈNH PHÚ THỌ\n"  # line 1
        "\n"  # line 2
        "Mã hồ sơ,Ngày tiếp nhận,Kênh thực hiện,Xã/phường\n"  # line 3: header
        "H44.139-0001, 01/10/2025 08:30 ,2,Xã Vân Bán\n"  # line 4
        "\n"  # line 5: blank (dropped)
        ",,,\n"  # line 6: all empty (dropped)
        "H44.139-0002,02/10/2025,1\n"  # line 7: short row, padded
        'H44.139-0003,,"",  \n'  # line 8: empties -> NULL
    )
    path = tmp_path / "ho_so.csv"
    path.write_text(text, encoding="utf-8")
    table = read_source(path, con)
    assert (table.file_format, table.encoding, table.header_row) == ("csv", "utf-8", 3)
    assert table.headers == DOSSIER_HEADER_VI
    assert table.path == path
    assert columns(con, table) == [("source_row", "INTEGER")] + [(f"c{i}", "VARCHAR") for i in range(4)]
    assert rows(con, table) == [
        (4, "H44.139-0001", "01/10/2025 08:30", "2", "Xã Vân Bán"),
        (7, "H44.139-0002", "02/10/2025", "1", None),
        (8, "H44.139-0003", None, None, None),
    ]


def test_utf8_bom_csv(tmp_path, con):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"MaHoSo,NgayTiepNhan,KenhThucHien\nH1,2025-10-01,2\n")
    table = read_source(path, con)
    assert table.encoding == "utf-8-sig"
    assert table.headers == ["MaHoSo", "NgayTiepNhan", "KenhThucHien"]  # no BOM in the first name
    assert rows(con, table) == [(2, "H1", "2025-10-01", "2")]


@pytest.mark.parametrize(
    "bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_utf16_csv_with_bom(tmp_path, con, bom, codec):
    text = "\t".join(DOSSIER_HEADER_VI) + "\r\n" + f"H1\t01/10/2025\t2\t{VIETNAMESE}\r\n"
    path = tmp_path / "utf16.csv"
    path.write_bytes(bom + text.encode(codec))
    table = read_source(path, con)
    assert (table.encoding, table.headers, table.header_row) == ("utf-16", DOSSIER_HEADER_VI, 1)
    assert rows(con, table) == [(2, "H1", "01/10/2025", "2", VIETNAMESE)]


def test_utf16_from_text_encode(tmp_path, con):
    path = tmp_path / "export.csv"
    path.write_bytes((",".join(DOSSIER_HEADER_PORTAL) + "\nH1,2025-10-01,1,Xã Ẳ\n").encode("utf-16"))
    table = read_source(path, con)
    assert table.encoding == "utf-16"
    assert rows(con, table) == [(2, "H1", "2025-10-01", "1", "Xã Ẳ")]


def test_cp1258_csv_is_decoded_and_nfc_normalised(tmp_path, con, monkeypatch):
    text = (
        ";".join(DOSSIER_HEADER_VI)
        + "\r\n"
        + f"H1;01/10/2025;2;{VIETNAMESE}\r\n"
        + "H2;02/10/2025;1;Xã Ẳ\r\n"
    )
    raw = to_cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    path = tmp_path / "cp1258.csv"
    path.write_bytes(raw)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    table = read_source(path, con)
    assert list(scratch.iterdir()) == []  # the transcoded copy is cleaned up
    assert table.encoding == "cp1258"
    assert table.headers == DOSSIER_HEADER_VI
    got = rows(con, table)
    assert got == [(2, "H1", "01/10/2025", "2", VIETNAMESE), (3, "H2", "02/10/2025", "1", "Xã Ẳ")]
    assert all(unicodedata.is_normalized("NFC", v) for row in got for v in row[1:] if v)


def test_decomposed_utf8_is_nfc_normalised(tmp_path, con):
    text = ",".join(DOSSIER_HEADER_VI) + "\n" + f"H1,01/10/2025,2,{VIETNAMESE}\n"
    path = tmp_path / "nfd.csv"
    path.write_bytes(unicodedata.normalize("NFD", text).encode("utf-8"))
    table = read_source(path, con)
    assert table.encoding == "utf-8"
    assert table.headers == DOSSIER_HEADER_VI  # NFC, equal to the literals
    assert rows(con, table) == [(2, "H1", "01/10/2025", "2", VIETNAMESE)]


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiter_is_detected(tmp_path, con, delimiter):
    lines = [
        delimiter.join(DOSSIER_HEADER_PORTAL),
        delimiter.join(["H1", "2025-10-01 08:00", "2", "Xã A, B"]),
    ]
    if delimiter == ",":
        lines[1] = 'H1,2025-10-01 08:00,2,"Xã A, B"'
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_source(path, con)
    assert table.headers == DOSSIER_HEADER_PORTAL
    assert rows(con, table) == [(2, "H1", "2025-10-01 08:00", "2", "Xã A, B")]


def test_semicolon_file_whose_values_contain_commas(tmp_path, con):
    text = "Mã hồ sơ;Ngày tiếp nhận;Kênh thực hiện;Tên thủ tục\nH1;01/10/2025;1;Đăng ký khai sinh, kết hôn\n"
    path = tmp_path / "semi.csv"
    path.write_text(text, encoding="utf-8")
    table = read_source(path, con)
    assert table.headers == ["Mã hồ sơ", "Ngày tiếp nhận", "Kênh thực hiện", "Tên thủ tục"]
    assert rows(con, table)[0][4] == "Đăng ký khai sinh, kết hôn"


def test_quoted_line_breaks_keep_line_numbers_exact(tmp_path, con):
    text = (
        '"Mã\nhồ sơ",Ngày tiếp nhận,Kênh thực hiện\n'  # lines 1-2: header name with a line break
        'H1,01/10/2025,"trực\ntuyến"\n'  # lines 3-4
        "H2,02/10/2025,2\n"  # line 5
        "\n"  # line 6
        'H3,"03/10/2025\n\n",1\n'  # lines 7-9
        "H4,04/10/2025,1\n"  # line 10
    )
    path = tmp_path / "multiline.csv"
    path.write_text(text, encoding="utf-8")
    table = read_source(path, con)
    assert table.header_row == 1
    assert table.headers == ["Mã\nhồ sơ", "Ngày tiếp nhận", "Kênh thực hiện"]
    got = rows(con, table)
    assert [r[0] for r in got] == [3, 5, 7, 10]
    assert got[0][3] == "trực\ntuyến"


def test_blank_lines_inside_cp1258_and_crlf_keep_numbering(tmp_path, con):
    text = "Tiêu đề\r\n\r\nMaHoSo;NgayTiepNhan;KenhThucHien\r\nH1;1;2\r\n\r\n\r\nH2;1;2\r\nH3;1;Ẳ\r\n\r\n"
    path = tmp_path / "blank.csv"
    path.write_bytes(to_cp1258(text))
    table = read_source(path, con)
    assert (table.encoding, table.header_row) == ("cp1258", 3)
    assert rows(con, table) == [(4, "H1", "1", "2"), (7, "H2", "1", "2"), (8, "H3", "1", "Ẳ")]


def test_trailing_empty_fields_are_tolerated_but_extra_values_are_not(tmp_path, con):
    ok = tmp_path / "ok.csv"
    ok.write_text("MaHoSo,NgayTiepNhan,KenhThucHien\nH1,1,2,,\nH2,1,2\n", encoding="utf-8")
    assert [r[0] for r in rows(con, read_source(ok, con))] == [2, 3]

    bad = tmp_path / "shifted.csv"
    bad.write_text(
        "MaHoSo,NgayTiepNhan,KenhThucHien\nH1,1,2\nH2,Xã A, B,1\nH3,1,2\nH4,1,2,x\n", encoding="utf-8"
    )
    with pytest.raises(SourceFileError) as err:
        read_source(bad, con)
    assert err.value.code == "too_many_fields"
    assert err.value.message_en.startswith("shifted.csv, lines 3, 5: more values than the header row")
    assert err.value.message_vi.startswith("shifted.csv, dòng 3, 5: có nhiều giá trị hơn")

    way_too_many = tmp_path / "wide.csv"
    way_too_many.write_text(
        "MaHoSo,NgayTiepNhan,KenhThucHien\nH1,1,2\n" + "H2" + ",x" * 40 + "\n", encoding="utf-8"
    )
    with pytest.raises(SourceFileError) as err:
        read_source(way_too_many, con)
    assert err.value.code == "too_many_fields"
    assert "line 3" in err.value.message_en


def test_unclosed_quote_names_the_line(tmp_path, con):
    path = tmp_path / "quote.csv"
    path.write_text('MaHoSo,NgayTiepNhan,KenhThucHien\nH1,1,2\nH2,"1,2\nH3,1,2\n', encoding="utf-8")
    with pytest.raises(SourceFileError) as err:
        read_source(path, con)
    assert err.value.code == "unclosed_quote"
    assert err.value.message_en.startswith("quote.csv, line 3: a double quote")


# --- XLSX ------------------------------------------------------------------------------------------


def test_xlsx_with_title_rows_and_blank_row(tmp_path, con):
    path = write_xlsx(
        tmp_path / "h1.xlsx",
        {
            "Sheet1": [
                [TITLE_ROWS[0]],  # Excel row 1
                [TITLE_ROWS[1]],  # 2
                [TITLE_ROWS[2]],  # 3
                [],  # 4 blank
                DOSSIER_HEADER_VI,  # 5 header
                ["H44.139-0001", "01/10/2025", "2", " Xã Vân Bán "],  # 6
                [],  # 7 blank (dropped)
                ["H44.139-0002", "02/10/2025", "1", ""],  # 8
                [None, None, "3"],  # 9
            ]
        },
    )
    table = read_source(path, con)
    assert (table.file_format, table.encoding, table.header_row) == ("xlsx", None, 5)
    assert table.headers == DOSSIER_HEADER_VI
    assert rows(con, table) == [
        (6, "H44.139-0001", "01/10/2025", "2", "Xã Vân Bán"),
        (8, "H44.139-0002", "02/10/2025", "1", None),
        (9, None, None, "3", None),
    ]


def test_xlsx_table_not_starting_in_column_a(tmp_path, con):
    path = write_xlsx(
        tmp_path / "offset.xlsx",
        {
            "Sheet1": [
                ["UBND TỈNH PHÚ THỌ"],
                [None, None, None],
                [None, "STT", *DOSSIER_HEADER_PORTAL],
                [None, 1, "H1", "2025-10-01", 2, "Xã A"],
                ["ghi chú không có tên cột"],  # column A has no header name: not loaded
                [None, 2, "H2", "2025-10-02", 1, "Xã B"],
            ]
        },
    )
    table = read_source(path, con)
    assert table.header_row == 3
    assert table.headers == ["STT", *DOSSIER_HEADER_PORTAL]
    assert rows(con, table) == [
        (4, "1", "H1", "2025-10-01", "2", "Xã A"),
        (6, "2", "H2", "2025-10-02", "1", "Xã B"),
    ]


def test_xlsx_dates_numbers_and_other_cell_types(tmp_path, con):
    header = ["MaHoSo", "NgayTiepNhan", "NgayHenTra", "KenhThucHien", "Số ngày", "Tỷ lệ", "Giờ", "Ghi chú"]
    path = write_xlsx(
        tmp_path / "types.xlsx",
        {
            "Sheet1": [
                ["DANH SÁCH HỒ SƠ THÁNG 10/2025"],
                header,
                [
                    "00123",
                    dt.datetime(2025, 10, 1, 8, 30),
                    dt.date(2025, 10, 15),
                    2,
                    3.0,
                    0.85,
                    dt.time(14, 5, 9),
                    True,
                ],
                [
                    123456789012,
                    dt.datetime(2025, 10, 2, 0, 0),
                    dt.datetime(2025, 10, 16, 17, 0, 0),
                    1.0,
                    -2.5,
                    1e-7,
                    None,
                    False,
                ],
            ]
        },
    )
    table = read_source(path, con)
    assert table.headers == header
    assert rows(con, table) == [
        (3, "00123", "2025-10-01 08:30:00", "2025-10-15", "2", "3", "0.85", "14:05:09", "TRUE"),
        (4, "123456789012", "2025-10-02", "2025-10-16 17:00:00", "1", "-2.5", "1e-07", None, "FALSE"),
    ]


def test_xlsx_first_sheet_with_a_header_row_is_used(tmp_path, con):
    path = write_xlsx(
        tmp_path / "sheets.xlsx",
        {
            "Bìa": [["BÁO CÁO CHUYỂN ĐỔI SỐ"], ["Tháng 10/2025"]],
            "Dữ liệu": [TITLE_ROWS[:1], [], DOSSIER_HEADER_PORTAL, ["H1", "2025-10-01", 2, "Xã A"]],
        },
    )
    table = read_source(path, con)
    assert table.header_row == 3
    assert rows(con, table) == [(4, "H1", "2025-10-01", "2", "Xã A")]


def test_xlsx_sheet_with_a_complete_header_beats_an_earlier_partial_one(tmp_path, con):
    path = write_xlsx(
        tmp_path / "sheets.xlsx",
        {
            "Tổng hợp": [["MaHoSo", "TenTTHC"], ["(tổng)", "12"]],  # recognised, but no kind
            "Chi tiết": [DOSSIER_HEADER_VI, ["H1", "01/10/2025", "2", "Xã A"]],
        },
    )
    table = read_source(path, con)
    assert table.headers == DOSSIER_HEADER_VI
    assert rows(con, table) == [(2, "H1", "01/10/2025", "2", "Xã A")]


def test_xlsx_content_is_recognised_whatever_the_extension(tmp_path, con):
    path = write_xlsx(tmp_path / "export.xlsx", {"S": [DOSSIER_HEADER_PORTAL, ["H1", "x", 1, "y"]]})
    renamed = path.rename(tmp_path / "export.csv")
    table = read_source(renamed, con)
    assert table.file_format == "xlsx"


# --- header detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        DOSSIER_HEADER_VI,
        DOSSIER_HEADER_PORTAL,
        ["MÃ HỒ SƠ", "NGÀY TIẾP NHẬN", "KÊNH THỰC HIỆN"],
        ["STT", "Mã hồ sơ", "Tên thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Kênh thực hiện", "Trạng thái"],
    ],
)
def test_dossier_header_detected_under_title_rows(tmp_path, con, header):
    text = "\n".join([*TITLE_ROWS, "", ",".join(header), ",".join(["x"] * len(header))]) + "\n"
    path = tmp_path / "hs.csv"
    path.write_text(text, encoding="utf-8")
    table = read_source(path, con)
    assert table.header_row == 5
    assert table.headers == header
    assert rows(con, table)[0][0] == 6


def test_best_partial_header_is_used_when_no_kind_matches(tmp_path, con):
    # MaHoSo and TenTTHC are dossier columns but the required NgayTiepNhan/KenhThucHien are missing:
    # the reader still picks this row; the source module reports the missing columns.
    path = write_xlsx(
        tmp_path / "partial.xlsx",
        {"S": [["Báo cáo"], ["Số", "Ghi chú"], ["MaHoSo", "TenTTHC", "Ghi chú"], ["H1", "Khai sinh", ""]]},
    )
    table = read_source(path, con)
    assert (table.header_row, table.headers) == (3, ["MaHoSo", "TenTTHC", "Ghi chú"])


def test_header_beyond_max_scan_rows_is_not_found(tmp_path, con):
    text = "".join(f"dòng tiêu đề {i}\n" for i in range(5)) + "MaHoSo,NgayTiepNhan,KenhThucHien\nH1,1,2\n"
    path = tmp_path / "late.csv"
    path.write_text(text, encoding="utf-8")
    assert read_source(path, con, max_scan_rows=10).header_row == 6
    with pytest.raises(SourceFileError) as err:
        read_source(path, con, max_scan_rows=5)
    assert err.value.code == "no_header"


def test_each_read_gets_its_own_temp_relation(tmp_path, con):
    path = tmp_path / "a.csv"
    path.write_text("MaHoSo,NgayTiepNhan,KenhThucHien\nH1,1,2\n", encoding="utf-8")
    first, second = read_source(path, con), read_source(path, con)
    assert first.relation_name != second.relation_name
    # A CSV is read once into `<relation>_raw`; the relation is a view over it (trimmed cells, line numbers).
    views = {
        r[0]
        for r in con.execute(
            "select view_name from duckdb_views() where temporary and not internal"
        ).fetchall()
    }
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables() where temporary").fetchall()}
    assert {first.relation_name, second.relation_name} == views
    assert tables == {first.relation_name + "_raw", second.relation_name + "_raw"}  # no leftover helpers


# --- whole-file errors -----------------------------------------------------------------------------


def _xlsx_bytes(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "src.xlsx", {"S": [DOSSIER_HEADER_PORTAL, ["H1", "x", 1, "y"]]}).read_bytes()


def _with_vba(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(_xlsx_bytes(tmp_path))
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake vba")
    return path


ERROR_CASES = {
    "corrupt zip named .xlsx": ("h1.xlsx", lambda tmp: b"PK\x03\x04" + os.urandom(200), "corrupt_zip"),
    "truncated xlsx": ("cut.xlsx", lambda tmp: _xlsx_bytes(tmp)[:300], "corrupt_zip"),
    "text named .xlsx": ("notes.xlsx", lambda tmp: "chỉ là ghi chú\n".encode(), "not_excel"),
    "xls (OLE2)": ("old.xls", lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "xls"),
    "password-protected xlsx": (
        "locked.xlsx",
        lambda tmp: (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(512)
            + "EncryptedPackage".encode("utf-16-le")
            + bytes(512)
        ),
        "encrypted",
    ),
    "xlsm extension": ("macro.xlsm", lambda tmp: _xlsx_bytes(tmp), "macro"),
    "pdf": (
        "bao_cao.pdf",
        lambda tmp: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
        "not_spreadsheet",
    ),
    "pdf named .csv": ("hs.csv", lambda tmp: b"%PDF-1.4\n" + os.urandom(100), "not_spreadsheet"),
    "png": ("anh.xlsx", lambda tmp: b"\x89PNG\r\n\x1a\n" + os.urandom(100), "not_spreadsheet"),
    "zip archive": ("files.zip", lambda tmp: _zip_of_csv(tmp), "archive"),
    "html named .xls": (
        "web.xls",
        lambda tmp: b"<html><body><table><tr><td>MaHoSo</td></tr></table></body></html>",
        "html",
    ),
    "empty file": ("empty.csv", lambda tmp: b"", "empty"),
    "whitespace only": ("blank.csv", lambda tmp: b"\r\n  \r\n", "empty"),
    "header-only csv": (
        "header.csv",
        lambda tmp: b"MaHoSo,NgayTiepNhan,KenhThucHien\r\n,,\r\n",
        "no_data_rows",
    ),
    "header-only xlsx": (
        "header.xlsx",
        lambda tmp: write_xlsx(tmp / "h.xlsx", {"S": [TITLE_ROWS, DOSSIER_HEADER_VI]}).read_bytes(),
        "no_data_rows",
    ),
    "random binary": ("data.csv", lambda tmp: os.urandom(4096) + b"\x00", "undecodable"),
    "bytes undefined in cp1258": (
        "bad.csv",
        lambda tmp: b"MaHoSo,NgayTiepNhan\n\x81\x8d\x8e\x90,\x9d\n",
        "undecodable",
    ),
    "no header row": ("other.csv", lambda tmp: "Họ tên,Tuổi\nAn,30\nBình,41\n".encode(), "no_header"),
}


def _zip_of_csv(tmp_path: Path) -> bytes:
    path = tmp_path / "inner.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("ho_so.csv", "MaHoSo,NgayTiepNhan,KenhThucHien\nH1,1,2\n")
    return path.read_bytes()


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_whole_file_errors_are_bilingual_and_name_the_file(tmp_path, con, case):
    file_name, make, code = ERROR_CASES[case]
    path = tmp_path / file_name
    path.write_bytes(make(tmp_path))
    with pytest.raises(SourceFileError) as err:
        read_source(path, con)
    exc = err.value
    assert exc.code == code
    assert exc.file == file_name
    assert str(exc) == exc.message_en
    assert exc.message_vi.startswith(file_name) and exc.message_en.startswith(file_name)
    assert exc.message_vi != exc.message_en
    assert unicodedata.normalize("NFD", exc.message_vi) != exc.message_vi  # has Vietnamese diacritics
    temp = con.execute("select count(*) from duckdb_tables() where temporary").fetchone()[0]
    assert temp == 0  # nothing left behind


def test_workbook_with_vba_project_is_refused_whatever_its_name(tmp_path, con):
    with pytest.raises(SourceFileError) as err:
        read_source(_with_vba(tmp_path, "h1.xlsx"), con)
    assert err.value.code == "macro"
    assert "macro-enabled workbooks are not accepted" in err.value.message_en


def test_specific_message_texts(tmp_path, con):
    path = tmp_path / "h1.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceFileError) as err:
        read_source(path, con)
    assert err.value.message_vi == (
        "h1.xlsx: tệp không phải bảng tính Excel hợp lệ (tệp nén hỏng) — hãy xuất lại "
        "tệp dưới dạng .xlsx hoặc .csv."
    )
    assert err.value.message_en == (
        "h1.xlsx: not a valid Excel workbook (corrupt zip) — export the file again as .xlsx or .csv."
    )
    other = tmp_path / "x.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceFileError) as err:
        read_source(other, con, file_name="Báo cáo tháng 10.csv")
    assert err.value.file == "Báo cáo tháng 10.csv"
    assert "no header row found" in err.value.message_en and "MaHoSo / Mã hồ sơ" in err.value.message_en


def test_missing_file(tmp_path, con):
    with pytest.raises(SourceFileError) as err:
        read_source(tmp_path / "absent.csv", con)
    assert err.value.code == "unreadable"


# --- scale -----------------------------------------------------------------------------------------


def test_200k_row_csv(tmp_path, con):
    path = tmp_path / "big.csv"
    con.execute(f"""
        copy (select 'H44.139-' || lpad(i::varchar, 7, '0') as a, '2.000815' as b,
                     strftime(timestamp '2025-10-01' + i * interval 1 minute, '%d/%m/%Y %H:%M') as c,
                     (1 + i % 3)::varchar as d, 'Xã Vân Bán' as e
              from range(200000) t(i))
        to '{path}' (header false, delimiter ';')""")
    path.write_bytes(
        "DANH SÁCH HỒ SƠ\n\nMaHoSo;MaTTHC;NgayTiepNhan;KenhThucHien;TenXa\n".encode() + path.read_bytes()
    )
    con.execute("set preserve_insertion_order = false")  # the reader must not depend on it
    table = read_source(path, con)
    count, first, last, misnumbered = con.execute(f"""
        select count(*), min(source_row), max(source_row),
               count(*) filter (where source_row <> 4 + cast(substr(c0, 9) as integer))
        from {table.relation_name}""").fetchone()
    assert (count, first, last, misnumbered) == (200_000, 4, 200_003, 0)
    assert con.execute("select current_setting('preserve_insertion_order')").fetchone()[0] is False
