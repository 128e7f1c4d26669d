"""Read one source file (CSV or XLSX) into a DuckDB temp table of text cells.

`read_source(path, con)` finds the header row, then creates a TEMP table

    source_row INTEGER   -- the row a steward sees: Excel row number / CSV line number
    c0 .. c{n-1} VARCHAR -- one per header cell, the text as typed (trimmed; '' -> NULL)

with one row per non-blank data row below the header.  It never interprets values: dates, numbers
and codes stay text so that the source modules can report a bad value exactly as the file has it.
Anything that makes the whole file unreadable raises `SourceFileError` with a Vietnamese and an
English message that name the file and say what to do.

Formats are recognised by content (magic bytes), not by the extension alone:

* XLSX (zip holding ``xl/workbook.xml``) is first checked by `etl.xlsx_guard.check_xlsx` (archive
  size, macros, and each sheet's real extent found by streaming its XML: calamine allocates the whole
  grid up to the farthest cell), then read with python-calamine; the first worksheet (visible
  sheets first, in workbook order) that has a header row is used.  Cells outside the header row's
  span (first to last non-empty header cell) have no column name and are not loaded.  Cells
  become text: datetime 'YYYY-MM-DD HH:MM:SS', date 'YYYY-MM-DD' (calamine also returns a date for
  a date-time cell at exactly midnight), time 'HH:MM:SS', integral numbers without '.0', other
  numbers as Python's shortest repr, booleans 'TRUE'/'FALSE', error cells (#N/A) empty.
* CSV in UTF-8 (with or without BOM), UTF-16 (BOM; BOM-less is recognised from its NUL pattern) or
  Windows-1258.  The bytes are never parsed row by row in Python: clean UTF-8 files are handed to
  DuckDB's CSV reader as they are; other encodings, files with decomposed (NFD) accents and files
  with blank lines inside the data are first transcoded, in streamed chunks, to an NFC UTF-8 copy
  in a temp directory (blank lines become a single space so that DuckDB, which drops empty lines,
  keeps the line numbering; a blank line inside a quoted multi-line value thus gains a space).
  Line numbers are exact, including for records whose quoted values span several lines (counted
  from the line breaks inside the values); old-Mac files ending lines with a lone CR are not
  supported.  A line with more non-empty values than the header has cells is a whole-file error
  (it usually means an unquoted delimiter shifted the values); shorter lines are padded with NULL.
* XLS (Excel 97-2003: an OLE2 container holding a ``Workbook`` stream) is first checked by
  `etl.xls_guard.check_xls` (size, macros, password, each sheet's real extent from its BIFF cell
  records), then read with python-calamine exactly like an XLSX.
* Workbooks (both kinds) laid out for people: a first sheet of instructions is passed over (the
  first sheet whose header row fits a kind is read; `sheet=` names one); a header of two rows (a
  group cell such as a merged "Ngày" over "Tiếp nhận / Hẹn trả / Hoàn thành") is read as one, the
  group spread over the columns it covers; rows closing the table (totals "Tổng cộng", notes
  "Ghi chú", a signature block "Người lập biểu ... (Ký, ghi rõ họ tên)") are not loaded but listed in
  `SourceTable.skipped_rows` for the load summary.
* Macro-enabled workbooks, .xlsb/.ods, HTML or XML saved as ".xls", PDFs, images and archives are
  refused with a message telling the steward how to save the file instead.

Header detection looks at the first `max_scan_rows` non-blank rows: the first row that
`headers.detect_kind` accepts wins; failing that, the row with the most cells recognised by
`headers.map_headers` (at least two).  For CSV the delimiter (',', ';' or tab) is the one whose
split of those rows gives the best header row.
"""

from __future__ import annotations

import codecs
import contextvars
import csv
import datetime as dt
import io
import mmap
import os
import re
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from etl.headers import KIND_COLUMNS, detect_kind, header_key, map_headers

# Set by a caller reading through a column-mapping profile (etl/mapping.py, etl/loader.py): the
# header_key of every column the profile names; a row holding most of them is a header row too.
EXPECTED_HEADERS: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar(
    "expected_headers", default=None
)

# Characters trimmed from both ends of every cell (Python str.strip() and DuckDB trim() alike).
CELL_WHITESPACE = " \t\r\n\x0b\x0c\u00a0\u200b\ufeff"
DELIMITERS = (",", ";", "\t")
HEAD_BYTES = 1 << 20  # bytes decoded for header detection
CHUNK_BYTES = 8 << 20  # streaming chunk size for validation and transcoding


def _env_bytes(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


# The longest CSV line read (a dossier row is well under 1 KB): a longer one is reported as such
# (line, length, limit), not left to DuckDB (whose own limit is 2 MB).  `CDS_CSV_MAX_LINE_BYTES`.
MAX_LINE_BYTES = _env_bytes("CDS_CSV_MAX_LINE_BYTES", 1 << 20)
EXTRA_FIELDS = 4  # fields read beyond the header: trailing empty ones are tolerated, more
# values than that make DuckDB stop at the line (reported either way)
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb"}
MACRO_SUFFIXES = {".xlsm", ".xltm"}


class SourceFileError(Exception):
    """A whole-file problem the steward must fix before the file can be loaded.

    `file` is the file name as given; `message_vi` / `message_en` are user-facing, name the file
    and say what to do; `code` is a stable machine-readable reason (empty when raised elsewhere).
    """

    def __init__(self, file: str, message_vi: str, message_en: str, *, code: str = "") -> None:
        super().__init__(message_en)
        self.file = file
        self.message_vi = message_vi
        self.message_en = message_en
        self.code = code
        # "no_header": the widest of the rows scanned (its cells and its row), for a message that
        # names the closest kind and what it lacks (etl.recognise.unknown_kind); else None.
        self.headers: list[str] | None = None
        self.header_row: int | None = None

    def __str__(self) -> str:
        return self.message_en


@dataclass
class SourceTable:
    path: Path
    file_format: str  # 'csv' | 'xlsx'
    encoding: str | None  # 'utf-8', 'utf-8-sig', 'utf-16' (or 'utf-16-le'/'utf-16-be' without BOM), 'cp1258'
    headers: list[str]  # header cells as found (stripped strings), in column order
    header_row: int  # 1-based row/line of the header row as a user sees it
    relation_name: str | None  # TEMP relation in the connection: source_row, c0 .. c{n-1} (None when lazy)
    lazy: LazyCsv | None = None  # read_source(lazy=True) on a plain UTF-8 CSV: not read yet, see LazyCsv
    sheet: str | None = None  # the worksheet read (workbooks)
    header_rows: int = 1  # rows the header spans (2: a merged group cell over sub-headers)
    # Rows after the data that are not data (totals, notes, signatures): (row, its first cell), not loaded.
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class LazyCsv:
    """A plain UTF-8 CSV (no NFD text, NUL or exotic whitespace) left unread: `select_sql` (with
    `params`) streams its records as cells c0.. *as written* (not trimmed: trimming every cell
    was a fifth of the staging query; `trimmed` trims the ones a stager keeps as text) plus an
    `overlong` flag, in file order, blank records included, for a stager that materialises them
    once (a CREATE TABLE AS with no join keeps that order, so a record's line is
    `first_data_line + rowid`).  It holds only while the records
    read plus `header_end_line` account for all `lines` of the file (no quoted line break, no
    dropped blank line); otherwise, or when no line numbers can be trusted, read the file again
    with `read_source(path, con)`."""

    select_sql: str
    params: list
    first_data_line: int
    header_end_line: int
    lines: int
    sample: list[list[str]]  # the first records below the header (cells c0.., '' when empty), read in Python
    files: bool = False  # a read over several files (`over_files`): records carry source_file

    @staticmethod
    def trimmed(column: str) -> str:
        """SQL: cell `column` trimmed, '' -> NULL, exactly as the ordinary read gives it (the file's
        only whitespace is ASCII spaces, or it would not be lazy)."""
        return _trimmed_spaces(column)

    def sample_values(self, column: str) -> list[str]:
        """Non-empty values of cell `c<i>` among the sample records."""
        i = int(column[1:])
        return [r[i] for r in self.sample if i < len(r) and r[i]]

    def over_files(self, paths: list[Path]) -> LazyCsv:
        """The same read over several files laid out exactly like this one (same header line, delimiter
        and skip: `etl.loader` groups them), as one `read_csv` of the list: its records carry
        `source_file` (the file's path) and come file after file, each file's in its order.  `lines`
        is not meaningful for the group (each file's own LazyCsv holds its count)."""
        select = self.select_sql.replace("select ", "select filename as source_file, ", 1).replace(
            "from read_csv(?, ", "from read_csv(?, filename = true, ", 1
        )
        return replace(
            self, select_sql=select, params=[[str(p) for p in paths], *self.params[1:]], files=True
        )


# --- messages ------------------------------------------------------------------------------------

_NO_HEADER_VI = (
    "không tìm thấy dòng tiêu đề trong {n} dòng đầu: cần các cột như Mã hồ sơ / MaHoSo, "
    "Ngày tiếp nhận / NgayTiepNhan, Kênh thực hiện / KenhThucHien (hồ sơ); Tháng, Số văn bản đi, "
    "Văn bản ký số (ký số); Tên đơn vị, Tổng điểm (chỉ số) — kiểm tra đây có phải tệp xuất hồ sơ, "
    "ký số hoặc chỉ số không."
)
_NO_HEADER_EN = (
    "no header row found in the first {n} rows: expected columns such as MaHoSo / Mã hồ sơ, "
    "NgayTiepNhan / Ngày tiếp nhận, KenhThucHien / Kênh thực hiện (dossiers); Tháng / month, "
    "VanBanDi, VanBanKySo (signatures); Tên đơn vị, Tổng điểm / totalScore (index) — check that "
    "this is a dossier, signature or index export."
)

MESSAGES: dict[str, tuple[str, str]] = {
    "unreadable": (
        "không mở được tệp ({err}) — kiểm tra đường dẫn và quyền đọc tệp.",
        "cannot open the file ({err}) — check the path and read permission.",
    ),
    "empty": (
        "tệp rỗng, không có dữ liệu — xuất lại tệp từ hệ thống nguồn.",
        "the file is empty — export it again from the source system.",
    ),
    "no_data_rows": (
        "tệp chỉ có dòng tiêu đề (dòng {row}), không có dòng dữ liệu nào — kiểm tra kỳ và bộ lọc "
        "khi xuất tệp.",
        "empty: only the header row (row {row}) and no data rows — check the period and filters "
        "used for the export.",
    ),
    "corrupt_zip": (
        "tệp không phải bảng tính Excel hợp lệ (tệp nén hỏng) — hãy xuất lại tệp dưới dạng .xlsx hoặc .csv.",
        "not a valid Excel workbook (corrupt zip) — export the file again as .xlsx or .csv.",
    ),
    "corrupt_xlsx": (
        "tệp Excel bị hỏng, không đọc được ({err}) — mở trong Excel, lưu lại dưới dạng .xlsx hoặc "
        "xuất lại tệp.",
        "corrupt or not an Excel file ({err}) — open it in Excel and save it again as .xlsx, or "
        "export it again.",
    ),
    "not_excel": (
        "tệp mang đuôi {suffix} nhưng không phải bảng tính Excel (cũng không phải CSV đọc được) — mở "
        "bằng Excel và lưu lại dưới dạng .xlsx, hoặc xuất lại tệp.",
        "corrupt or not an Excel file: the name ends in {suffix} but the content is neither an Excel "
        "workbook nor readable CSV — open it in Excel and save it as .xlsx, or export it again.",
    ),
    "xls": (
        "tệp OLE (Excel 97-2003) không chứa bảng tính đọc được — mở trong Excel và lưu lại dưới dạng "
        ".xlsx hoặc CSV UTF-8.",
        "this OLE (Excel 97-2003) file holds no workbook that can be read — open it in Excel and save it "
        "as .xlsx or CSV UTF-8.",
    ),
    "encrypted": (
        "tệp Excel có mật khẩu — gỡ mật khẩu rồi lưu lại dưới dạng .xlsx.",
        "the workbook is password-protected — remove the password and save it again as .xlsx.",
    ),
    "macro": (
        "không nhận tệp Excel có macro (.xlsm) — lưu lại dưới dạng .xlsx (Excel Workbook) hoặc .csv.",
        "macro-enabled workbooks are not accepted — save it as .xlsx (Excel Workbook) or .csv.",
    ),
    "xlsb": (
        "không đọc được tệp Excel nhị phân (.xlsb) — lưu lại dưới dạng .xlsx hoặc .csv.",
        "binary Excel workbooks (.xlsb) are not accepted — save it as .xlsx or .csv.",
    ),
    "ods": (
        "không nhận bảng tính OpenDocument (.ods) — lưu lại dưới dạng .xlsx hoặc .csv.",
        "OpenDocument spreadsheets (.ods) are not accepted — save it as .xlsx or .csv.",
    ),
    "html": (
        "tệp là trang web (HTML/XML) mang tên bảng tính, không phải bảng tính — mở trong Excel và lưu "
        "lại dưới dạng .xlsx.",
        "not a spreadsheet: this is a web page (HTML/XML) saved under a spreadsheet name — open it in "
        "Excel and save it as .xlsx.",
    ),
    "not_spreadsheet": (
        "tệp không phải bảng tính ({what_vi}) — xuất dữ liệu từ hệ thống nguồn dưới dạng .xlsx hoặc .csv.",
        "not a spreadsheet ({what_en}) — export the data from the source system as .xlsx or .csv.",
    ),
    "archive": (
        "tệp là tệp nén ({what_vi}) — giải nén rồi nạp tệp .xlsx hoặc .csv bên trong.",
        "not a spreadsheet: this is an archive ({what_en}) — extract it and load the .xlsx or .csv inside.",
    ),
    "undecodable": (
        "không đọc được bảng mã ký tự của tệp — lưu lại dưới dạng CSV UTF-8 hoặc .xlsx.",
        "cannot decode the file's text encoding — save as UTF-8 CSV or XLSX.",
    ),
    "no_header": (_NO_HEADER_VI, _NO_HEADER_EN),
    "no_sheet": (
        'bảng tính không có trang "{sheet}" — các trang có: {sheets}. Chọn lại --sheet.',
        'the workbook has no sheet "{sheet}" — its sheets are: {sheets}. Choose another --sheet.',
    ),
    # Line-level problems: _error(..., line=...) puts "h1.csv, dòng 57: " / "h1.csv, line 57: " first.
    "too_many_fields": (
        "có nhiều giá trị hơn số cột của dòng tiêu đề ({n} cột) — đặt giá trị có chứa {delim_vi} "
        'trong ngoặc kép "..." hoặc thêm tên cột còn thiếu vào dòng tiêu đề.',
        "more values than the header row has columns ({n}) — put values containing {delim_en} "
        'in double quotes "..." or add the missing column name to the header row.',
    ),
    "unclosed_quote": (
        'dấu ngoặc kép " mở mà không đóng — sửa giá trị trên dòng này (hoặc xóa dấu " thừa) rồi nạp lại.',
        'a double quote " is opened but never closed — fix the value on this line (or remove the '
        'stray ") and load the file again.',
    ),
    "line_too_long": (
        "dòng này dài {size}, vượt giới hạn {limit} cho một dòng — có lẽ đây không phải tệp CSV xuất "
        "từ hệ thống (hoặc các dòng không được xuống dòng); mở tệp kiểm tra rồi xuất lại.",
        "this line is {size} long, longer than the limit of {limit} for one line — probably not a "
        "CSV export (or its lines are not broken); open the file to check it and export it again.",
    ),
    "bad_csv": (
        "không đọc được dòng CSV ({reason}) — sửa dòng này hoặc lưu lại tệp dưới dạng .xlsx.",
        "this CSV line cannot be read ({reason}) — fix the line or save the file as .xlsx.",
    ),
}


def _no_header(name: str, n: int, widest: tuple[int, list[str]] | None) -> SourceFileError:
    """The "no header row" error, carrying the widest row scanned (row number, cells) when any."""
    err = _error(name, "no_header", n=n)
    if widest is not None and any(widest[1]):
        cells = widest[1]
        filled = [i for i, c in enumerate(cells) if c]
        err.headers, err.header_row = cells[filled[0] : filled[-1] + 1], widest[0]
    return err


def _widest(rows: Iterable[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    """(row, cells) of the first row with the most non-empty cells."""
    best = None
    for row, cells in rows:
        if best is None or sum(1 for c in cells if c) > sum(1 for c in best[1] if c):
            best = (row, cells)
    return best


def _error(file_name: str, code: str, *, line: object = None, **fmt: object) -> SourceFileError:
    """SourceFileError from the catalogue; `line` (a number or "5, 9, 12") names the offending line(s)."""
    vi, en = MESSAGES[code]
    if line is None:
        where_vi, where_en = f"{file_name}: ", f"{file_name}: "
    else:
        many = "," in str(line)
        where_vi, where_en = f"{file_name}, dòng {line}: ", f"{file_name}, line{'s' if many else ''} {line}: "
    return SourceFileError(file_name, where_vi + vi.format(**fmt), where_en + en.format(**fmt), code=code)


# --- entry point ---------------------------------------------------------------------------------


def read_source(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    *,
    max_scan_rows: int = 30,
    file_name: str | None = None,
    lazy: bool = False,
    sheet: str | None = None,
) -> SourceTable:
    """Read `path` into a fresh TEMP table in `con` (see the module docstring).

    `file_name` is the name used in messages (default: `path.name`), for callers that read a
    stored copy of an uploaded file.  `lazy`: a plain UTF-8 dossier CSV is not read at all but
    returned as a `LazyCsv` for the stager to stream (one materialisation fewer on big files).
    `sheet`: the worksheet of a workbook to read (default: the first whose header row fits a kind;
    a CSV has no sheets and ignores it).
    """
    path = Path(path)
    name = file_name or path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        raise _error(name, "unreadable", err=exc.strerror or type(exc).__name__) from exc
    if size == 0:
        raise _error(name, "empty")
    relation = f"src_{uuid.uuid4().hex[:16]}"
    fmt = _sniff_format(path, head, name)
    if fmt in ("xlsx", "xls"):
        return _read_xlsx(path, con, relation, name, max_scan_rows, fmt=fmt, sheet=sheet)
    try:
        return _read_csv(path, con, relation, name, max_scan_rows, head, lazy)
    except SourceFileError as exc:
        # Text named .xlsx/.xls is read as CSV when it is one (some systems export CSV as ".xls");
        # when it is not, say what the steward expects to hear: this is not an Excel file.
        if path.suffix.lower() in EXCEL_SUFFIXES and exc.code in ("undecodable", "no_header"):
            raise _error(name, "not_excel", suffix=path.suffix.lower()) from exc
        raise


# --- format sniffing -----------------------------------------------------------------------------

_BINARY_MAGIC: list[tuple[bytes, str, str, str]] = [  # magic, code, what_vi, what_en
    (b"%PDF-", "not_spreadsheet", "tài liệu PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "not_spreadsheet", "ảnh PNG", "a PNG image"),
    (b"\xff\xd8\xff", "not_spreadsheet", "ảnh JPEG", "a JPEG image"),
    (b"GIF87a", "not_spreadsheet", "ảnh GIF", "a GIF image"),
    (b"GIF89a", "not_spreadsheet", "ảnh GIF", "a GIF image"),
    (b"II*\x00", "not_spreadsheet", "ảnh TIFF", "a TIFF image"),
    (b"MM\x00*", "not_spreadsheet", "ảnh TIFF", "a TIFF image"),
    (b"Rar!\x1a\x07", "archive", "RAR", "RAR"),
    (b"7z\xbc\xaf'\x1c", "archive", "7z", "7z"),
    (b"\x1f\x8b", "archive", "gzip", "gzip"),
]
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _utf16_name(text: str) -> bytes:
    return text.encode("utf-16-le")


def _sniff_format(path: Path, head: bytes, name: str) -> str:
    """'xlsx' or 'csv'; raises SourceFileError for everything that is neither."""
    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise _error(name, "macro")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(path, suffix, name)
    if head.startswith(_OLE2_MAGIC):
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            if m.find(_utf16_name("EncryptedPackage")) >= 0:
                raise _error(name, "encrypted")
            if m.find(_utf16_name("WordDocument")) >= 0:
                raise _error(name, "not_spreadsheet", what_vi="văn bản Word", what_en="a Word document")
            if m.find(_utf16_name("Workbook")) >= 0 or m.find(_utf16_name("Book")) >= 0:
                return "xls"  # Excel 97-2003: read like an XLSX after etl.xls_guard.check_xls
        raise _error(name, "xls")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        raise _error(name, "not_spreadsheet", what_vi="ảnh WEBP", what_en="a WEBP image")
    for magic, code, what_vi, what_en in _BINARY_MAGIC:
        if head.startswith(magic):
            raise _error(name, code, what_vi=what_vi, what_en=what_en)
    return "csv"


def _sniff_zip(path: Path, suffix: str, name: str) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError) as exc:
        raise _error(name, "corrupt_zip") from exc
    if "xl/vbaProject.bin" in names:
        raise _error(name, "macro")
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise _error(name, "xlsb")
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        raise _error(name, "ods")
    if suffix in EXCEL_SUFFIXES:
        raise _error(name, "corrupt_zip")
    if "word/document.xml" in names:
        raise _error(name, "not_spreadsheet", what_vi="văn bản Word", what_en="a Word document")
    raise _error(name, "archive", what_vi="ZIP", what_en="ZIP")


# --- header detection ----------------------------------------------------------------------------


@dataclass
class _Header:
    position: int  # index of the header row among the rows given (row/record index)
    cells: list[str]  # all cells of the row, stripped ('' for empty)
    detected: bool  # detect_kind accepted it
    hits: int  # recognised cells, best kind
    rows: int = 1  # rows the header spans (2: group cells over sub-headers, combined into `cells`)

    @property
    def span(self) -> tuple[int, int]:
        filled = [i for i, c in enumerate(self.cells) if c]
        return filled[0], filled[-1]

    @property
    def headers(self) -> list[str]:
        lo, hi = self.span
        return self.cells[lo : hi + 1]


def _hits(cells: list[str]) -> int:
    return max(len(map_headers(kind, cells)) for kind in KIND_COLUMNS)


def _find_header(rows: Iterable[tuple[int, list[str]]], two_rows: bool = False) -> _Header | None:
    """First row that detect_kind accepts, else the row with most recognised cells (>= 2).

    `two_rows`: a row and the one right below it are also tried as one header (`_combine`: a group
    cell such as "Ngày" over "Tiếp nhận / Hẹn trả / Hoàn thành"); the pair wins when kind
    detection accepts it and it recognises more columns than either row alone."""
    best: _Header | None = None
    expected = EXPECTED_HEADERS.get()
    rows = list(rows)
    for i, (position, cells) in enumerate(rows):
        hits = _hits(cells)
        single = _Header(position, cells, _accepted(cells, expected), hits)
        pair = None
        if two_rows and i + 1 < len(rows) and rows[i + 1][0] == position + 1:
            combined = _combine(cells, rows[i + 1][1])
            pair = _Header(position, combined, _accepted(combined, expected), _hits(combined), rows=2)
            # Two rows are one header only when together they recognise more columns than either
            # alone (a title glued onto the header row below it recognises no more, often less).
            # Through a profile, the pair may instead hold more of the profile's columns.
            if pair.hits <= max(hits, _hits(rows[i + 1][1])) and not (
                expected
                and _held(expected, combined) > max(_held(expected, cells), _held(expected, rows[i + 1][1]))
            ):
                pair = None
        if pair is not None and pair.detected:
            return pair
        if single.detected:
            return single
        for cand in (single, pair):
            if cand is not None and cand.hits >= 2 and (best is None or cand.hits > best.hits):
                best = cand
    return best


def _combine(upper: list[str], lower: list[str]) -> list[str]:
    """One header from two rows: a group cell in the upper row ("Ngày", merged or not) is spread
    right over the empty upper cells above its sub-headers and joined to each ("Ngày Tiếp nhận");
    a cell alone in its column (a name spanning both rows) stays as it is."""
    width = max(len(upper), len(lower))
    upper = [*upper, *[""] * (width - len(upper))]
    lower = [*lower, *[""] * (width - len(lower))]
    out: list[str] = []
    group = ""
    for up, low in zip(upper, lower, strict=True):
        if up:
            group = up if low else ""
        elif not low:
            group = ""
        top = up or group
        out.append(f"{top} {low}" if top and low and top != low else (top or low))
    return out


def _accepted(cells: list[str], expected: frozenset[str] | None) -> bool:
    """A header row: kind detection accepts it, or (reading through a column-mapping profile,
    `EXPECTED_HEADERS`) it holds most of the profile's columns."""
    return detect_kind(cells) is not None or bool(expected and _holds_most(expected, cells))


def _holds_most(expected: frozenset[str], cells: list[str]) -> bool:
    """At least half of the profile's columns (two at least) are cells of the row (the loader then
    names the ones missing)."""
    return _held(expected, cells) >= max(2, (len(expected) + 1) // 2)


def _held(expected: frozenset[str], cells: list[str]) -> int:
    return len(expected & {header_key(c) for c in cells})


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip(CELL_WHITESPACE)


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _final_select(
    source: str, row_expr: str, first_field: int, n: int, spaces_only: bool = False, before: int | None = None
) -> str:
    """SELECT of (source_row, c0..) from a table of raw fields f0.., dropping fully blank rows (and
    the rows from line `before` on, when given).

    `spaces_only`: the file holds no whitespace but ASCII spaces (checked on its bytes), so the
    cheaper space-only trim is exact."""
    trimmed = _trimmed_spaces if spaces_only else _trimmed
    cells = ", ".join(f"{trimmed(f'f{first_field + i}')} as c{i}" for i in range(n))
    names = ", ".join(f"c{i}" for i in range(n))
    return (
        f"select cast(source_row as integer) as source_row, {names} "
        f"from (select {row_expr} as source_row, {cells} from {source}) "
        f"where coalesce({names}) is not null"
        + (f" and source_row < {int(before)}" if before is not None else "")
    )


def _trimmed(column: str) -> str:
    """SQL: the cell trimmed, '' -> NULL.  trim() only runs on the few values that need it (trimming
    every value is several times slower on million-row files)."""
    ws = _sql_str(CELL_WHITESPACE)
    return (
        f"case when contains({ws}, left({column}, 1)) or contains({ws}, right({column}, 1)) "
        f"then nullif(trim({column}, {ws}), '') else {column} end"
    )


def _trimmed_spaces(column: str) -> str:
    """SQL: `_trimmed` for text whose only whitespace is ASCII spaces (LIKE prefix/suffix tests cost
    a fraction of the general test: 0.04 s against 0.19 s for 117,000 rows of 18 columns)."""
    return (
        f"case when {column} like ' %' or {column} like '% ' then nullif(trim({column}), '') "
        f"else nullif({column}, '') end"
    )


def _finish(con: duckdb.DuckDBPyConnection, relation: str, name: str, header_row: int) -> None:
    if not con.execute(f"select exists (select 1 from {relation})").fetchall()[0][0]:
        _drop_relation(con, relation)
        raise _error(name, "no_data_rows", row=header_row)


def _drop_relation(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Drop what a reader made for `relation`: its view and raw table (CSV) or its table (XLSX)."""
    kinds = dict(
        con.execute(
            "select table_name, table_type from information_schema.tables where table_name in (?, ?)",
            [relation, f"{relation}_raw"],
        ).fetchall()
    )
    if kinds.get(relation) == "VIEW":
        con.execute(f"drop view {relation}")
    elif relation in kinds:
        con.execute(f"drop table {relation}")
    if f"{relation}_raw" in kinds:
        con.execute(f"drop table {relation}_raw")


# --- XLSX ----------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """The text a user sees for a calamine cell value: NFC, trimmed ('' for empty)."""
    kind = type(value)
    if kind is str:
        if not value:
            return ""
        if not value.isascii():
            value = unicodedata.normalize("NFC", value)
        return value.strip(CELL_WHITESPACE)
    if kind is float:
        if value.is_integer() and -1e15 < value < 1e15:
            return str(int(value))
        return repr(value)
    if kind is dt.datetime:
        return (_round_seconds(value) if value.microsecond else value).isoformat(sep=" ")
    if kind is dt.date:
        return value.isoformat()
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, dt.time):
        day = dt.datetime.combine(dt.date(2000, 1, 1), value)
        return (_round_seconds(day) if value.microsecond else day).strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):  # a duration format such as [h]:mm
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return _clean(str(value))


def _round_seconds(value: dt.datetime) -> dt.datetime:
    """Excel stores times as fractions of a day; 08:30 can come back as 08:29:59.999999."""
    return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def _sheet_order(workbook: CalamineWorkbook) -> list[str]:
    sheets = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    visible = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible]
    return visible + [m.name for m in sheets if m.visible != SheetVisibleEnum.Visible]


def _read_xlsx(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    relation: str,
    name: str,
    max_scan_rows: int,
    fmt: str = "xlsx",
    sheet: str | None = None,
) -> SourceTable:
    # calamine allocates a sheet's whole grid: bound it first
    if fmt == "xls":
        from etl.xls_guard import check_xls

        check_xls(path, name)
    else:
        from etl.xlsx_guard import check_xlsx

        check_xlsx(path, name)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError as exc:
        raise _error(name, "encrypted") from exc
    except Exception as exc:  # calamine raises ZipError, XmlError, CalamineError, ...
        raise _error(name, "corrupt_xlsx", err=_short(exc)) from exc
    try:
        # The first sheet whose header row satisfies a kind wins (a first sheet of instructions is
        # passed over); else the first with a partial one.  `sheet` names the one to read.
        order = _sheet_order(workbook)
        if sheet is not None:
            wanted = next((s for s in order if s == sheet), None) or next(
                (s for s in order if s.strip().casefold() == sheet.strip().casefold()), None
            )
            if wanted is None:
                raise _error(name, "no_sheet", sheet=sheet, sheets=", ".join(f'"{s}"' for s in order))
            order = [wanted]
        fallback: str | None = None
        seen: list[tuple[int, list[str]]] = []  # every sheet's scanned rows, for a no-header message
        for sheet_name in order:
            scan = _scan_sheet(workbook, sheet_name, max_scan_rows, seen)
            if scan is not None and scan[1].detected:
                return _load_xlsx_rows(path, con, relation, name, *scan, fmt=fmt, sheet_name=sheet_name)
            if scan is not None and fallback is None:
                fallback = sheet_name
        if fallback is not None:
            scan = _scan_sheet(workbook, fallback, max_scan_rows)
            assert scan is not None
            return _load_xlsx_rows(path, con, relation, name, *scan, fmt=fmt, sheet_name=fallback)
    except SourceFileError:
        raise
    except Exception as exc:
        con.execute(f"drop table if exists {relation}")
        raise _error(name, "corrupt_xlsx", err=_short(exc)) from exc
    finally:
        workbook.close()
    raise _no_header(name, max_scan_rows, _widest(seen))


def _scan_sheet(workbook: CalamineWorkbook, sheet_name: str, max_scan_rows: int, seen: list | None = None):
    """(sheet, header, rows consumed so far by position, the rest of the row iterator) or None;
    the non-blank rows scanned are added to `seen` as (row, cells)."""
    sheet = workbook.get_sheet_by_name(sheet_name)
    rows = iter(sheet.iter_rows())
    scanned: list[list[str]] = []
    nonblank: list[tuple[int, list[str]]] = []
    for row in rows:
        cells = [_cell_text(v) for v in row]
        scanned.append(cells)
        if any(cells):
            nonblank.append((len(scanned) - 1, cells))
            if len(nonblank) >= max_scan_rows:
                break
    _spread_merged(sheet, scanned)
    nonblank = [(p, scanned[p]) for p, _ in nonblank]
    if seen is not None:
        seen.extend((p + 1, cells) for p, cells in nonblank)
    header = _find_header(nonblank, two_rows=True)
    return None if header is None else (sheet, header, scanned, rows)


def _spread_merged(sheet, scanned: list[list[str]]) -> None:
    """Give every cell of a merged range among the scanned rows the range's value (Excel keeps it
    in the top-left cell only): a "Ngày" merged over three columns heads each of them."""
    try:
        merged = sheet.merged_cell_ranges or []
    except Exception:  # (not every reader knows merged ranges)
        return
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(scanned) or c0 >= len(scanned[r0]) or not scanned[r0][c0]:
            continue
        value = scanned[r0][c0]
        for r in range(r0, min(r1, len(scanned) - 1) + 1):
            row = scanned[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = row[c] or value


def _load_xlsx_rows(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    relation: str,
    name: str,
    sheet,
    header: _Header,
    scanned: list[list[str]],
    rest: Iterator[list],
    *,
    fmt: str = "xlsx",
    sheet_name: str | None = None,
) -> SourceTable:
    lo, hi = header.span
    n = hi - lo + 1
    body: list[tuple[int, list[str]]] = []
    for position in range(header.position + header.rows, len(scanned)):
        body.append((position, scanned[position][lo : hi + 1]))
    total = len(scanned)
    for row in rest:
        body.append((total, [_cell_text(v) for v in row[lo : hi + 1]]))
        total += 1
    footer = _footer_start(body)
    skipped = [(p, next((c for c in cells if c), "")) for p, cells in body[footer:] if any(cells)]
    body = body[:footer]
    positions = [p for p, _ in body]
    columns = [[cells[i] if i < len(cells) else "" for _, cells in body] for i in range(n)]
    # calamine 0.9 yields rows from the sheet's row 1 (A1) on; stay right if a later version starts
    # at the used range instead (then the row count equals the used range's height).
    offset = 0
    start, end = sheet.start, sheet.end
    if start and end and start[0] > 0 and total == end[0] - start[0] + 1:
        offset = start[0]
    header_row = header.position + offset + 1
    arrow = pa.table(
        {
            "source_row": pa.array([p + offset + 1 for p in positions], pa.int32()),
            **{f"f{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)},
        }
    )
    view = f"{relation}_arrow"
    con.register(view, arrow)
    try:
        con.execute(f"create temp table {relation} as {_final_select(view, 'source_row', 0, n)}")
    finally:
        con.unregister(view)
    _finish(con, relation, name, header_row)
    return SourceTable(
        path=path,
        file_format=fmt,
        encoding=None,
        headers=header.headers,
        header_row=header_row,
        relation_name=relation,
        sheet=sheet_name,
        header_rows=header.rows,
        skipped_rows=[(p + offset + 1, text[:60]) for p, text in skipped],
    )


# The first cell of a row that closes a table laid out for people (accents and case dropped):
# totals ("Tổng cộng", "Cộng"), notes ("Ghi chú", "* ..."), the signature block ("Người lập biểu",
# "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên)", "..., ngày 5 tháng 10 năm 2025").
_FOOTER = re.compile(
    r"^(?:tong cong|tong so|tong\s*:|tong$|cong\s*:|cong$|cong toan|ghi chu|chu thich|luu y|\*|"
    r"nguoi lap|nguoi bao cao|nguoi ky|thu truong|lanh dao|giam doc|pho giam doc|chu tich|"
    r"truong phong|ke toan|xac nhan|noi nhan|\(ky|ky ten|ky,|.{0,40}ngay\s*[\d.]*\s*thang\s*[\d.]*\s*nam)"
)


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", text).replace("đ", "d").replace("Đ", "D")
    return " ".join("".join(ch for ch in s if not unicodedata.combining(ch)).lower().split())


def _closes_table(filled: list[str]) -> bool:
    """A row (its non-empty cells) that opens or continues the block closing a table."""
    return bool(_FOOTER.match(_fold(filled[0])))


def _footer_start(body: list[tuple[int, list[str]]]) -> int:
    """Index of the first row of the block closing the table: a row whose first cell opens a totals,
    note or signature row, followed only by such rows, blank rows or rows of at most two cells
    (names and titles of a signature block).  len(body) when there is none."""
    start = len(body)
    for i in range(len(body) - 1, -1, -1):
        cells = [c for c in body[i][1] if c]
        if not cells:
            continue
        if _closes_table(cells):
            start = i
        elif len(cells) > 2:
            break
    # A block of short rows with no totals/notes/signature row in it is data, not a footer.
    return start


# The end of a CSV looked at for a block closing the table: a few short rows (a signature block of
# twenty lines is under 2 kB), so 64 kB holds it with room to spare.
FOOTER_SCAN_BYTES = 64 << 10
FOOTER_SCAN_LINES = 200


def _csv_footer(
    path: Path, encoding: str, delimiter: str, first_data_line: int, line_feeds: int | None = None
) -> list[tuple[int, str]]:
    """The rows closing a CSV laid out for people (totals, notes, signatures, as `_footer_start` finds
    them in a workbook): (line, first cell) of each non-blank one, [] when there is none.  Only the
    file's last `FOOTER_SCAN_BYTES` are decoded; their first line's number comes from the file's line
    feeds (`line_feeds`, from the byte scan, or counted with numpy) less the tail's own."""
    wide = encoding.startswith("utf-16")
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return []
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            start, codec, unit = max(0, size - FOOTER_SCAN_BYTES), encoding, np.uint8
            if wide:
                unit = "<u2" if encoding == "utf-16-le" or data[:2] == codecs.BOM_UTF16_LE else ">u2"
                start -= start % 2
                codec = "utf-16-le" if unit == "<u2" else "utf-16-be"
            tail = data[start:]
            if wide or line_feeds is None:
                codes = np.frombuffer(data, dtype=unit, count=start // np.dtype(unit).itemsize)
                try:
                    before = int(np.count_nonzero(codes == 10))
                finally:
                    del codes  # the mmap cannot close while numpy holds its buffer
            else:
                before = line_feeds - tail.count(b"\n")
    text = tail.decode(codec, errors="replace")
    if start == 0:
        text = text.lstrip("\ufeff")
    lines = text.split("\n")
    first = before + 1
    if start > 0:  # (the first line is cut: not looked at)
        lines, first = lines[1:], first + 1
    # From the last line up, parsed one at a time, to the first row of data (more than two cells, not
    # a totals, note or signature row): a file with no footer costs one line's parse.
    body = []
    for i in range(len(lines) - 1, max(-1, len(lines) - 1 - FOOTER_SCAN_LINES), -1):
        if first + i < first_data_line:
            break
        cells = next(
            csv.reader([lines[i].rstrip("\r")], delimiter=delimiter, quotechar='"', strict=False), []
        )
        cells = [_clean(c) for c in cells]
        body.append((first + i, cells))
        filled = [c for c in cells if c]
        if len(filled) > 2 and not _closes_table(filled):
            break  # (where `_footer_start` stops too)
    body.reverse()
    footer = _footer_start(body)
    return [(p, next(c for c in cells if c)[:60]) for p, cells in body[footer:] if any(cells)]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


# --- CSV -----------------------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n(?=\r?\n)")
_BLANK_LINE_BYTES = re.compile(rb"\n\r?\n")
_CONTENT_BYTE = re.compile(rb"[^ \t\r\n]")
# CELL_WHITESPACE but the space and line ends, as UTF-8 (a BOM is looked for after the first 3 bytes).
_OTHER_WHITESPACE = (b"\t", b"\x0b", b"\x0c", "\u00a0".encode(), "\u200b".encode(), "\ufeff".encode())
_DELIM_VI = {",": "dấu phẩy (,)", ";": "dấu chấm phẩy (;)", "\t": "dấu tab"}
_DELIM_EN = {",": "a comma (,)", ";": "a semicolon (;)", "\t": "a tab"}


@dataclass
class _CsvLayout:
    delimiter: str
    header: _Header
    skip: int  # records (blank lines included) up to and including the header
    header_row: int  # first line of the header record
    header_end_line: int  # last line of the header record (differs when a name has a line break)
    sample: list[list[str]] = field(default_factory=list)  # the records read below the header, cleaned

    @property
    def field_count(self) -> int:
        return len(self.header.cells)


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 8:  # BOM-less UTF-16: every other byte of ASCII text is NUL
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def _decode_head(head: bytes, encoding: str, whole: bool) -> str:
    """NFC text of the head, cut after its last complete line unless it is the whole file."""
    text = codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
    if not whole:
        text = text[: text.rfind("\n") + 1]
    return unicodedata.normalize("NFC", text)


def _csv_layout(text: str, max_scan_rows: int) -> _CsvLayout | None:
    best: _CsvLayout | None = None
    for delimiter in DELIMITERS:
        if delimiter not in text:
            # Read by a delimiter it lacks, the text is one cell a record, and no one cell is a header
            # (every kind needs two columns, `_find_header` two recognised cells or a profile's two):
            # scoring 30 long lines against every kind's columns was a tenth of a small file's load.
            continue
        records = _csv_records(text, delimiter, max_scan_rows)
        header = _find_header((i, rec[3]) for i, rec in enumerate(records))
        if header is None:
            continue
        if best is None or (header.detected, header.hits) > (best.header.detected, best.header.hits):
            index, first_line, last_line, _cells = records[header.position]
            best = _CsvLayout(
                delimiter,
                header,
                index + 1,
                first_line,
                last_line,
                [rec[3] for rec in records[header.position + 1 :]],
            )
    return best


def _csv_records(text: str, delimiter: str, max_scan_rows: int) -> list[tuple[int, int, int, list[str]]]:
    """(record index, first line, last line, cells) of the first `max_scan_rows` non-blank records."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=False
    )
    out: list[tuple[int, int, int, list[str]]] = []
    index = previous_line = 0
    try:
        for fields in reader:
            cells = [_clean(field) for field in fields]
            if any(cells):
                out.append((index, previous_line + 1, reader.line_num, cells))
                if len(out) >= max_scan_rows:
                    break
            index += 1
            previous_line = reader.line_num
    except csv.Error:  # e.g. a huge field in the head: judge what was read
        pass
    return out


class _NotUtf8(Exception):
    """DuckDB's CSV reader found bytes that are not UTF-8."""


@dataclass
class _ByteScan:
    path: Path
    watch_from: int  # byte offset of the header's end: blank lines above it do not matter
    nul: bool  # a NUL byte: not text
    combining: bool  # combining marks U+0300..U+037F: NFD text to normalise
    lines: int  # line feeds in the file
    longest: tuple[int, int]  # (line number, bytes) of the longest line, line ends excluded
    other_whitespace: bool  # whitespace other than ASCII spaces and CRLF/LF line ends

    def blank_line(self) -> bool:
        """A blank line followed by more content after the header (DuckDB drops empty lines, which
        would shift the line numbers).  Only asked when the records read do not account for every
        line of the file, so the common file is never searched."""
        with self.path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            match = _BLANK_LINE_BYTES.search(data, max(self.watch_from, 0))
            return bool(match) and _CONTENT_BYTE.search(data, match.end()) is not None


class _NeedsRewrite(Exception):
    """The file must be read from an NFC, blank-line-free UTF-8 copy."""


def _scan_bytes(path: Path, watch_from: int, delimiter: str) -> _ByteScan:
    """One look at the bytes at memory speed, no decoding and no regex: absent bytes are ruled
    out with memchr-speed `find` (multi-byte whitespace only when its lead byte occurs at all) and
    line feeds are counted with numpy (0.04 s for 44 MB, where `bytes.count` over chunks and one
    `find` per pattern took 0.09 s and a Python UTF-8 decode 0.5 s)."""
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        nul = data.find(b"\x00") >= 0
        combining = data.find(b"\xcc") >= 0 or data.find(b"\xcd") >= 0
        other = any(
            data.find(b[:1], 3) >= 0 and data.find(b, 3) >= 0
            for b in _OTHER_WHITESPACE
            if b != delimiter.encode()
        )
        has_cr = data.find(b"\r") >= 0
        codes = np.frombuffer(data, dtype=np.uint8)
        try:
            if len(codes) <= MAX_LINE_BYTES or _short_lines(data, len(codes)):
                # no line can be too long: count only (the longest is looked for only when one may be)
                lines = int(np.count_nonzero(codes == 10))
                longest = (1, 0)
            else:
                longest, lines = _longest_line(codes)
            if not other and has_cr:  # CR only as part of CRLF line ends
                cr = int(np.count_nonzero(codes == 13))
                other = cr != int(np.count_nonzero((codes[:-1] == 13) & (codes[1:] == 10)))
        finally:
            del codes  # the mmap cannot close while numpy holds its buffer
    return _ByteScan(path, watch_from, nul, combining, lines, longest, bool(other))


def _short_lines(data: mmap.mmap, size: int) -> bool:
    """True when no line can be longer than MAX_LINE_BYTES: every aligned block of half that size
    holds a line feed (a longer line would cover a whole block without one).  One `find` a block,
    each ending at the block's first line feed: microseconds, where the exact longest line costs a
    pass over every byte (0.44 s of a 71 MB file's 0.92 s read)."""
    block = max(MAX_LINE_BYTES // 2, 1)
    # (only whole blocks: a line running to the end of the file and longer than two blocks covers
    # a whole one too)
    return all(data.find(b"\n", start, start + block) >= 0 for start in range(0, size - block + 1, block))


def _longest_line(codes: np.ndarray) -> tuple[tuple[int, int], int]:
    """((line number, length in bytes) of the longest line, line feeds) of the file's bytes."""
    feeds = np.flatnonzero(codes == 10)
    ends = np.append(feeds, len(codes))
    lengths = ends - np.insert(feeds + 1, 0, 0)
    at = int(np.argmax(lengths))
    return (at + 1, int(lengths[at])), len(feeds)


def _size(n: int) -> str:
    return f"{n / 1048576:,.1f} MB" if n >= 1048576 else f"{n / 1024:,.0f} KB"


def _line_too_long(name: str, line: int, size: int, more: bool = False) -> SourceFileError:
    shown = ("> " if more else "") + _size(size)
    return _error(name, "line_too_long", line=line, size=shown, limit=_size(MAX_LINE_BYTES))


def _transcode(source: Path, target: Path, encoding: str, name: str) -> None:
    """Streamed copy as NFC UTF-8, blank lines replaced by a single space (keeps line numbers)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    carry = ""
    done = 0  # lines written
    with source.open("rb") as fin, target.open("w", encoding="utf-8", newline="") as fout:
        while True:
            chunk = fin.read(CHUNK_BYTES)
            final = not chunk
            try:
                text = carry + decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                raise _error(name, "undecodable") from exc
            if final:
                body, carry = text, ""
            else:
                cut = text.rfind("\n") + 1
                body, carry = text[:cut], text[cut:]
                if len(carry) > MAX_LINE_BYTES:  # (characters: at least as many bytes)
                    raise _line_too_long(name, done + body.count("\n") + 1, len(carry.encode()), more=True)
            if len(body) > MAX_LINE_BYTES // 4:  # (a character is at most 4 bytes)
                longest = max(body.split("\n"), key=len)
                if len(longest.encode()) > MAX_LINE_BYTES:
                    line = done + body[: body.index(longest)].count("\n") + 1
                    raise _line_too_long(name, line, len(longest.encode()))
            done += body.count("\n")
            if "\x00" in body:
                raise _error(name, "undecodable")
            body = unicodedata.normalize("NFC", body)
            fout.write(_BLANK_LINE.sub("\n ", "\n" + body)[1:])
            if final:
                break


def _read_csv(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    relation: str,
    name: str,
    max_scan_rows: int,
    head: bytes,
    lazy: bool = False,
) -> SourceTable:
    size = path.stat().st_size
    whole = size <= len(head)
    encoding = _bom_encoding(head)
    if encoding is None:
        if b"\x00" in head:
            raise _error(name, "undecodable")
        try:
            _decode_head(head, "utf-8", whole)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1258"
    rewrite = encoding not in ("utf-8", "utf-8-sig")
    if not whole and b"\n" not in head:
        # Not one line break in the first MB: the first line alone is longer than the header scan.
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            end = data.find(b"\n")
        first = size if end < 0 else end
        if first > MAX_LINE_BYTES:
            raise _line_too_long(name, 1, first)
    for _attempt in range(2):
        try:
            text = _decode_head(head, encoding, whole)
        except UnicodeDecodeError as exc:
            raise _error(name, "undecodable") from exc
        if "\x00" in text:
            raise _error(name, "undecodable")
        if not text.strip(CELL_WHITESPACE):
            raise _error(name, "empty" if whole else "no_header", n=max_scan_rows)
        _refuse_markup(text, name)
        layout = _csv_layout(text, max_scan_rows)
        if layout is None:
            widest = max(
                (_widest((r[1], r[3]) for r in _csv_records(text, d, max_scan_rows)) for d in DELIMITERS),
                key=lambda w: -1 if w is None else sum(1 for c in w[1] if c),
            )
            raise _no_header(name, max_scan_rows, widest)
        if rewrite:
            break
        # Byte-level checks at memchr speed; DuckDB's reader validates the UTF-8 itself (a Python
        # decode of the whole file cost ~0.4 s per 34 MB), and a file it refuses as not UTF-8 is
        # read again below as Windows-1258.
        scan = _scan_bytes(path, _line_end_offset(head, layout.header_end_line), layout.delimiter)
        if scan.nul:
            raise _error(name, "undecodable")
        if scan.longest[1] > MAX_LINE_BYTES:
            raise _line_too_long(name, *scan.longest)
        rewrite = scan.combining
        break

    # Rows closing the table (totals, notes, signatures): not read as data, counted by the loader.
    footer = (
        None
        if rewrite
        else _csv_footer(path, encoding, layout.delimiter, layout.header_end_line + 1, scan.lines)
    )
    footer_encoding = encoding
    if (
        not rewrite
        and lazy
        and not footer
        and not scan.other_whitespace
        and detect_kind(layout.header.headers) == "dossiers"
    ):
        return SourceTable(
            path=path,
            file_format="csv",
            encoding=encoding,
            headers=layout.header.headers,
            header_row=layout.header_row,
            relation_name=None,
            lazy=_lazy_csv(path, layout, scan),
        )
    if not rewrite:
        try:
            _load_csv(con, relation, name, path, layout, scan=scan, footer=footer)
            return SourceTable(
                path=path,
                file_format="csv",
                encoding=encoding,
                headers=layout.header.headers,
                header_row=layout.header_row,
                relation_name=relation,
                skipped_rows=footer,
            )
        except _NeedsRewrite:
            pass  # blank lines inside the data: read the copy below
        except _NotUtf8 as exc:
            if encoding == "utf-8-sig":  # a UTF-8 BOM but broken UTF-8 further on
                raise _error(name, "undecodable") from exc
            encoding = "cp1258"  # not UTF-8 after all: Windows-1258
            try:
                text = _decode_head(head, encoding, whole)
            except UnicodeDecodeError as exc2:
                raise _error(name, "undecodable") from exc2
            layout = _csv_layout(text, max_scan_rows) or layout
    # (the copy keeps the file's line numbers: the footer's lines are found in the file itself)
    if footer is None or encoding != footer_encoding:
        footer = _csv_footer(path, encoding, layout.delimiter, layout.header_end_line + 1)
    with tempfile.TemporaryDirectory(prefix="cds-readers-") as tmp:
        utf8_copy = Path(tmp) / "source.utf8.csv"
        _transcode(path, utf8_copy, encoding, name)
        _load_csv(con, relation, name, utf8_copy, layout, footer=footer)
    return SourceTable(
        path=path,
        file_format="csv",
        encoding=encoding,
        headers=layout.header.headers,
        header_row=layout.header_row,
        relation_name=relation,
        skipped_rows=footer,
    )


def _refuse_markup(text: str, name: str) -> None:
    start = text.lstrip(CELL_WHITESPACE)[:1024].lower()
    if start.startswith("<") and any(
        tag in start for tag in ("<html", "<!doctype", "<table", "<?xml", "urn:schemas-microsoft-com:office")
    ):
        raise _error(name, "html")


def _line_end_offset(head: bytes, line: int) -> int:
    """Byte offset of the newline that ends `line` (1-based) in UTF-8 bytes."""
    position = -1
    for _ in range(line):
        found = head.find(b"\n", position + 1)
        if found < 0:
            break
        position = found
    return max(position, 0)


def _load_csv(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    name: str,
    csv_path: Path,
    layout: _CsvLayout,
    scan: _ByteScan | None = None,
    footer: list[tuple[int, str]] | None = None,
) -> None:
    """Read the records into `{relation}_raw` (one materialisation, fields as text, in file order)
    and make `relation` a view over it: source_row and the trimmed cells c0.., blank rows dropped,
    and the lines from the first of `footer` on (the rows closing the table, `_csv_footer`) left out.

    `scan` (the file's byte scan, when it is read as it is): its line count spares the scan for
    quoted line breaks (when the records read plus the lines above them account for every line, no
    value spans lines), and a file with no whitespace but spaces gets the cheaper trim."""
    before = footer[0][0] if footer else None
    width = layout.field_count + EXTRA_FIELDS
    raw = f"{relation}_raw"
    columns = "{" + ", ".join(f"'f{i}': 'VARCHAR'" for i in range(width)) + "}"

    def read(parallel: bool) -> None:
        con.execute(
            f"create temp table {raw} as select * from read_csv(?, header = false, auto_detect = false, "
            f"delim = ?, quote = '\"', escape = '\"', skip = {layout.skip}, columns = {columns}, "
            f"null_padding = true, parallel = {str(parallel).lower()})",
            [str(csv_path), layout.delimiter],
        )

    # Line numbers come from rowid, i.e. from the order DuckDB appends the records in.
    keeps_order = con.execute("select current_setting('preserve_insertion_order')").fetchall()[0][0]
    if not keeps_order:
        con.execute("set preserve_insertion_order = true")
    try:
        try:
            read(parallel=True)
        except duckdb.Error as exc:
            if "quoted new line" not in str(exc).lower():
                raise
            read(parallel=False)  # DuckDB: null_padding + quoted line breaks need one thread
    except duckdb.Error as exc:
        con.execute(f"drop table if exists {raw}")
        if "invalid unicode" in str(exc).lower():
            raise _NotUtf8(str(exc)) from exc
        raise _csv_error(name, exc, layout) from exc
    finally:
        if not keeps_order:
            con.execute("set preserve_insertion_order = false")
    try:
        fields = [f"f{i}" for i in range(width)]
        first_data_line = layout.header_end_line + 1
        records = con.execute(f"select count(*) from {raw}").fetchall()[0][0]
        if scan is not None and records + layout.header_end_line >= scan.lines:
            has_line_breaks = False  # every line is the header's or one record's
        else:
            if scan is not None and scan.blank_line():
                raise _NeedsRewrite

            has_line_breaks = con.execute(
                f"select exists (select 1 from {raw} where "
                + " or ".join(f"contains({f}, chr(10))" for f in fields)
                + ")"
            ).fetchall()[0][0]
        if has_line_breaks:  # a quoted value spans lines: later records start further down
            breaks = " + ".join(
                f"coalesce(length({f}) - length(replace({f}, chr(10), '')), 0)" for f in fields
            )
            source = f"(select rowid as rid, {breaks} as line_breaks, * from {raw})"
            row_expr = (
                f"{first_data_line} + rid + coalesce(sum(line_breaks) over "
                f"(order by rid rows between unbounded preceding and 1 preceding), 0)"
            )
        else:
            source = f"(select rowid as rid, * from {raw})"
            row_expr = f"{first_data_line} + rid"
        # (a cheap test first: the extra fields are NULL on nearly every row)
        extra = (
            f"coalesce({', '.join(f'f{i}' for i in range(layout.field_count, width))}) is not null and ("
            + " or ".join(f"{_trimmed(f'f{i}')} is not null" for i in range(layout.field_count, width))
            + ")"
        )
        overlong = [
            r[0]
            for r in con.execute(
                f"select source_row from (select {row_expr} as source_row, ({extra}) as overlong from {source}) "
                f"where overlong and source_row < ? order by source_row limit 5",
                [before if before is not None else 2**31 - 1],
            ).fetchall()
        ]
        if overlong:
            raise _error(
                name,
                "too_many_fields",
                line=", ".join(str(r) for r in overlong),
                n=layout.field_count,
                delim_vi=_DELIM_VI[layout.delimiter],
                delim_en=_DELIM_EN[layout.delimiter],
            )
        lo, hi = layout.header.span
        # A view, not a copy: the staging query reads and trims the cells in its own single pass.
        spaces_only = scan is not None and not scan.other_whitespace and not has_line_breaks
        con.execute(
            f"create temp view {relation} as "
            f"{_final_select(source, row_expr, lo, hi - lo + 1, spaces_only, before)}"
        )
    except BaseException:
        _drop_relation(con, relation)
        raise
    _finish(con, relation, name, layout.header_row)


def _lazy_csv(path: Path, layout: _CsvLayout, scan: _ByteScan) -> LazyCsv:
    width = layout.field_count + EXTRA_FIELDS
    columns = "{" + ", ".join(f"'f{i}': 'VARCHAR'" for i in range(width)) + "}"
    lo, hi = layout.header.span
    cells = [f"f{lo + i}" for i in range(hi - lo + 1)]
    extra = [f"f{i}" for i in range(layout.field_count, width)]
    raw = ", ".join(f"{c} as c{i}" for i, c in enumerate(cells))
    select = (
        f"select {raw}, coalesce({', '.join(extra)}) is not null as overlong "
        f"from read_csv(?, header = false, auto_detect = false, delim = ?, quote = '\"', escape = '\"', "
        f"skip = {layout.skip}, columns = {columns}, null_padding = true)"
    )
    sample = [r[lo : hi + 1] for r in layout.sample]
    return LazyCsv(
        select,
        [str(path), layout.delimiter],
        layout.header_end_line + 1,
        layout.header_end_line,
        scan.lines,
        sample,
    )


def _csv_error(name: str, exc: duckdb.Error, layout: _CsvLayout) -> SourceFileError:
    text = str(exc)
    match = re.search(r"CSV Error on Line: (\d+)", text)
    line = match.group(1) if match else None
    if "Expected Number of Columns" in text:
        return _error(
            name,
            "too_many_fields",
            line=line,
            n=layout.field_count,
            delim_vi=_DELIM_VI[layout.delimiter],
            delim_en=_DELIM_EN[layout.delimiter],
        )
    if "unterminated quote" in text.lower():
        return _error(name, "unclosed_quote", line=line)
    if "maximum line size" in text.lower():
        return _error(
            name, "line_too_long", line=line, size="> " + _size(MAX_LINE_BYTES), limit=_size(MAX_LINE_BYTES)
        )
    reason = next(
        (s.strip() for s in text.splitlines()[1:] if s.strip() and not s.startswith("Original Line")),
        text.splitlines()[0] if text else type(exc).__name__,
    )
    return _error(name, "bad_csv", line=line, reason=reason[:160])
