"""CSV exports laid out for people end like their workbooks: a totals row ("Tổng cộng"), notes and a
signature block after the data.  Those rows are skipped and counted in the load summary, never loaded
and never rejected as bad dossiers (issue 17, item 2).  Every file is written by the test itself."""

from __future__ import annotations

import pytest

from etl.loader import load_files
from etl.readers import FOOTER_SCAN_BYTES
from tests.conftest import sql
from tests.etl.test_readers import to_cp1258

VAN_BAN = 8380  # Xã Vân Bán, Phú Thọ
HEAD = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]
FOOTER = [
    "Tổng cộng,,,,,{n}",
    "",
    '"Ghi chú: số liệu tính đến hết ngày 31/10/2025, gồm cả hồ sơ trực tuyến"',
    ",Người lập biểu,,,,Thủ trưởng đơn vị",
    ',"(Ký, ghi rõ họ tên)"',
    ",Nguyễn Văn A,,,,Trần Thị B",
]


def _row(i: int) -> str:
    return f"D{i},{VAN_BAN},01/10/2025,05/10/2025,03/10/2025,{1 + i % 2}"


def _write(path, lines, encoding="utf-8"):
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258", "utf-16"])
def test_totals_notes_and_signatures_after_the_data_are_skipped_and_counted(tmp_path, db, encoding):
    lines = [",".join(HEAD), *(_row(i) for i in range(1, 4)), *(f.format(n=3) for f in FOOTER)]
    f = _write(tmp_path / f"ho-so-{encoding}.csv", lines, encoding)
    s = load_files([f], db)
    res = s.files[0]
    assert s.exit_code == 0 and res.kind == "dossiers", s.to_dict()
    assert (res.rows_read, res.rows_loaded, res.rows_rejected, res.rows_skipped) == (3, 3, 0, 5)
    note = next(n for n in res.notes if "rows after the data" in n)
    assert "5 (Tổng cộng)" in note and "7 (Ghi chú: số liệu" in note and "10 (Nguyễn Văn A)" in note
    assert sql(db, "select dossier_id, source_row from fact_dossier order by 1") == [
        ("D1", 2),
        ("D2", 3),
        ("D3", 4),
    ]
    assert sql(db, "select count(*) from etl_reject") == [(0,)]


def test_a_long_file_read_as_a_stream_keeps_its_line_numbers(tmp_path, db):
    """Past FOOTER_SCAN_BYTES the footer's lines are numbered from the line feeds before the file's
    tail; a bad row in the data keeps its own line number and is still rejected."""
    n = 4000
    rows = [_row(i) for i in range(1, n + 1)]
    rows[1999] = f"D2000,{VAN_BAN},not a date,05/10/2025,03/10/2025,2"  # line 2001
    lines = [",".join(HEAD), *rows, *(f.format(n=n) for f in FOOTER)]
    f = _write(tmp_path / "ho-so-dai.csv", lines)
    assert f.stat().st_size > 2 * FOOTER_SCAN_BYTES
    s = load_files([f], db)
    res = s.files[0]
    assert (res.rows_read, res.rows_loaded, res.rows_rejected, res.rows_skipped) == (n, n - 1, 1, 5)
    note = next(n for n in res.notes if "rows after the data" in n)
    assert f"{n + 2} (Tổng cộng)" in note and f"{n + 7} (Nguyễn Văn A)" in note
    assert sql(db, "select row_number, column_name from etl_reject") == [(2001, "NgayTiepNhan")]
    assert sql(db, "select max(source_row), count(*) from fact_dossier") == [(n + 1, n - 1)]


def test_a_totals_row_wider_than_the_header_is_skipped_not_refused(tmp_path, db):
    """A totals row with more cells than the header (a sum per column and one more) would otherwise
    refuse the whole file for too many fields."""
    lines = [",".join(HEAD), *(_row(i) for i in range(1, 4)), "Tổng cộng,,,,,3,3,3"]
    s = load_files([_write(tmp_path / "ho-so.csv", lines)], db)
    res = s.files[0]
    assert s.exit_code == 0, s.to_dict()
    assert (res.rows_loaded, res.rows_skipped) == (3, 1)


def test_a_short_last_data_row_is_data(tmp_path, db):
    """Short rows at the end with no totals, note or signature among them are data: rejected with
    their reasons as before, not skipped."""
    lines = [",".join(HEAD), *(_row(i) for i in range(1, 4)), "D9,,,,,", "D10"]
    s = load_files([_write(tmp_path / "ho-so.csv", lines)], db)
    res = s.files[0]
    assert (res.rows_read, res.rows_loaded, res.rows_rejected, res.rows_skipped) == (5, 3, 2, 0)


def test_a_signature_sheet_with_a_totals_row(tmp_path, db):
    head = "commune_code,commune_name,province_name,month,docs_issued,docs_confidential,docs_signed"
    lines = [head, f"{VAN_BAN},,,10/2025,10,1,5", f"{VAN_BAN},,,11/2025,12,0,12", "Tổng cộng,,,,22,1,17"]
    s = load_files([_write(tmp_path / "ky-so.csv", lines)], db)
    res = s.files[0]
    assert s.exit_code == 0 and res.kind == "signatures", s.to_dict()
    assert (res.rows_read, res.rows_loaded, res.rows_skipped) == (2, 2, 1)


def test_a_file_of_nothing_but_totals_rows_costs_a_bounded_look(tmp_path, db):
    """300 "Tổng cộng" lines under the header: the backward look stops after FOOTER_SCAN_LINES lines
    (those are skipped and counted); the lines above it are read as data and refused row by row, each
    with its line and column.  Nothing is loaded, nothing is lost silently."""
    from etl.readers import FOOTER_SCAN_LINES

    lines = [",".join(HEAD), *["Tổng cộng,,,,,1"] * 300]
    s = load_files([_write(tmp_path / "tong.csv", lines)], db)
    res = s.files[0]
    looked = FOOTER_SCAN_LINES - 1  # (the empty text after the last line feed is one of the lines looked at)
    assert res.rows_skipped == looked
    assert (res.rows_read, res.rows_loaded) == (300 - looked, 0)
    assert res.rows_rejected == res.rows_read
    assert sql(db, "select min(row_number), max(row_number) from etl_reject") == [(2, 301 - looked)]
