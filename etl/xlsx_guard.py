"""The check every XLSX passes before a parser sees it (CLI loads, upload previews and loads alike).

python-calamine builds a sheet as one dense grid from A1 to the farthest cell that holds anything:
a 1.6 KB file whose only far cell is XFD1048576 asks for 17 billion cells (549 GB) and the process
aborts — no Python exception, the dashboard dies for every user.  The sheet's `<dimension>` is
only a claim and is never trusted.  Instead each worksheet's XML is streamed out of the archive
once, in bounded chunks, and the real extent found from the cells themselves, the way calamine
places them (a cell's `r="XFD1048576"`, or for a cell without `r` the next column of its row; a
row's `r`, or the next row); a cell written as an empty tag (`<c r="Z9" s="1"/>`, formatting
only, or `<c r="Z9" s="1"></c>`) does not extend the grid, as in calamine (a cell with an empty
value does, here: the check errs on the safe side).  The work is one pass over the unpacked sheets,
whose total is bounded by `MAX_UNCOMPRESSED_BYTES` before anything is unpacked; the memory is one
chunk.

Refused, each with a `SourceFileError` naming the file (and the sheet and its far cell) in both
languages: archives that unpack to more than `MAX_UNCOMPRESSED_BYTES` or `MAX_RATIO` times their
packed size (zip bombs), with more than `MAX_MEMBERS` parts, a macro project, no workbook; a sheet
whose extent (rows x columns from A1) is over `MAX_SHEET_CELLS`, or over `SPARSE_FLOOR_CELLS` and
more than `SPARSE_RATIO` times the cells it really holds; cell references calamine would not read.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from etl.readers import SourceFileError

MAX_UNCOMPRESSED_BYTES = 1 << 30  # 1 GiB unpacked in all
MAX_RATIO = 200  # uncompressed / compressed, per member (above 1 MiB)
MAX_MEMBERS = 10_000
MAX_SHEET_CELLS = 25_000_000  # rows x columns of a sheet's real extent: 1,048,576 rows x 24
# columns; calamine holds 32 bytes a cell (800 MB at most)
SPARSE_FLOOR_CELLS = 4_000_000  # an extent above this (128 MB in calamine) ...
SPARSE_RATIO = 64  # ... must hold at least one cell in SPARSE_RATIO
CHUNK_BYTES = 1 << 20  # unpacked bytes scanned at a time
MAX_TAG_BYTES = 16 << 20  # a tag (or a text run between two tags) longer than this is refused

_WORKSHEET_TYPE = re.compile(rb"/worksheet$")
_REL = re.compile(rb"<(?:\w+:)?Relationship\s((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\s((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(rb"(?:^|\s)([\w:.\-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# The common layout (Excel, LibreOffice, openpyxl): `r` first on every row and cell, no prefix.
_FAST_CELL = re.compile(rb'<c r="([A-Za-z]{1,7})([0-9]{1,10})"((?:[^>"\']|"[^"]*"|\'[^\']*\')*)>(</c>)?')
_FAST_ROWS = re.compile(rb'<c r="[A-Za-z]{1,7}([0-9]{1,10})"')
_FAST_COLUMNS = re.compile(rb'<c r="([A-Za-z]{1,7})[0-9]')
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|row)[\s/>]")
# Any row or cell start tag (quoted attribute values may hold '>').
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_CLOSE_CELL = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?c\s*>")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REF = re.compile(rb"([A-Za-z]{1,7})([0-9]{1,10})")
_ROW_REF = re.compile(rb"[0-9]{1,10}")


def _refuse(name: str, code: str, vi: str, en: str) -> SourceFileError:
    return SourceFileError(name, f"{name}: {vi}", f"{name}: {en}", code=code)


def _n_vi(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def column_letters(n: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


@dataclass
class SheetExtent:
    part: str  # the worksheet's part in the archive, e.g. xl/worksheets/sheet1.xml
    rows: int = 0  # rows of the grid calamine would build (from row 1)
    columns: int = 0  # columns of that grid (from column A)
    cells: int = 0  # cells holding something

    @property
    def grid(self) -> int:
        return self.rows * self.columns

    @property
    def far_cell(self) -> str:
        return f"{column_letters(self.columns)}{self.rows}"


class _Scanner:
    """calamine's placement of rows and cells, fed the sheet XML in chunks cut before a '<'."""

    def __init__(self, extent: SheetExtent, name: str):
        self.extent = extent
        self.name = name
        self.row = -1  # current row (0-based) for cells without `r`
        self.col = 0  # next column (0-based) for a cell without `r`

    def _cell(self, row: int, col: int) -> None:
        e = self.extent
        e.cells += 1
        if row + 1 > e.rows:
            e.rows = row + 1
        if col + 1 > e.columns:
            e.columns = col + 1

    def feed(self, data: bytes) -> None:
        # The fast path needs every `<c`... and `<row`... tag of the chunk to start with `r="`, and
        # no other ` r="` (a second `r` on a tag).  `<cols>`, `<rowBreaks>`, `<c\t` and the like
        # fail the counts and send their chunk (a sheet's first or last) tag by tag.
        n_cell, n_row = data.count(b'<c r="'), data.count(b'<row r="')
        if (
            data.count(b"<c") == n_cell
            and data.count(b"<row") == n_row
            and data.count(b' r="') == n_cell + n_row
            and not ((b":c" in data or b":row" in data) and _PREFIXED.search(data))
        ):
            self._fast(data, n_cell)
        else:
            self._slow(data)

    def _fast(self, data: bytes, n_cell: int) -> None:
        """Every row and cell tag of the chunk starts with its `r`: the maxima straight from two
        findalls, no per-tag Python work."""
        # Cells with formatting only (`<c r="Z9" s="1"/>`, `<c r="Z9" s="1"></c>`) do not extend the grid.
        if b'"/>' in data or b'"></c>' in data or b"'/>" in data or b"'></c>" in data:
            found = _FAST_CELL.findall(data)
            if len(found) != n_cell:
                self._slow(data)
                return
            kept = [
                (letters, digits)
                for letters, digits, rest, empty in found
                if not (rest.endswith(b"/") or empty)
            ]
            letters, digits = zip(*kept, strict=True) if kept else ((), ())
            letters = set(letters)
        else:
            digits = _FAST_ROWS.findall(data)
            letters = set(_FAST_COLUMNS.findall(data))
            if len(digits) != n_cell:  # a reference the strict pattern does not read: tag by tag
                self._slow(data)
                return
        # The counters a later chunk's cells without `r` continue from.
        row, col = self.row, self.col
        last_row, last_cell = data.rfind(b'<row r="'), data.rfind(b'<c r="')
        if last_row >= 0:
            m = _ROW_REF.match(data, last_row + 8)
            if m is None:
                self._slow(data)
                return
            row, col = int(m.group()) - 1, 0
        if last_cell > last_row:
            col = _column_number(_CELL_REF.match(data, last_cell + 6).group(1))
        e = self.extent
        if digits:
            e.cells += len(digits)
            e.rows = max(e.rows, max(map(int, digits)))
            e.columns = max(e.columns, max(map(_column_number, letters)))
        self.row, self.col = row, col

    def _slow(self, data: bytes) -> None:
        for m in _TAG.finditer(data):
            tag, attrs = m.group(1), m.group(2)
            refs = _R_ATTR.findall(attrs)
            if len(refs) > 1:
                raise self._bad_ref(b"r=" + b"/".join(a or b for a, b in refs))
            ref = (refs[0][0] or refs[0][1]) if refs else None
            if tag == b"row":
                if ref is None:
                    self.row += 1
                else:
                    if not _ROW_REF.fullmatch(ref):
                        raise self._bad_ref(ref)
                    self.row = int(ref) - 1
                self.col = 0
                continue
            if ref is None:
                row, col = self.row, self.col
            else:
                cell = _CELL_REF.fullmatch(ref)
                if cell is None:
                    raise self._bad_ref(ref)
                row, col = int(cell.group(2)) - 1, _column_number(cell.group(1)) - 1
            self.col = col + 1
            if not attrs.endswith(b"/") and _CLOSE_CELL.match(data, m.end()) is None:
                self._cell(max(row, 0), max(col, 0))

    def _bad_ref(self, ref: bytes) -> SourceFileError:
        shown = ref[:40].decode("utf-8", "replace")
        return _refuse(
            self.name,
            "corrupt_xlsx",
            f'trang tính ({self.extent.part}) có tham chiếu ô "{shown}" không hợp lệ — mở tệp '
            "bằng Excel, lưu lại dưới dạng .xlsx rồi nạp lại.",
            f'a sheet ({self.extent.part}) has an invalid cell reference "{shown}" — open the '
            "file in Excel, save it again as .xlsx and load it again.",
        )


def scan_sheet(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> SheetExtent:
    """The real extent of one worksheet part, streamed (see the module docstring)."""
    extent = SheetExtent(info.filename)
    scanner = _Scanner(extent, name)
    carry = b""
    with z.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            data = carry + chunk
            if not chunk:
                scanner.feed(data)
                break
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data
            else:
                scanner.feed(data[:cut])
                carry = data[cut:]
            if len(carry) > MAX_TAG_BYTES:
                raise _refuse(
                    name,
                    "corrupt_xlsx",
                    f"trang tính ({info.filename}) có một thẻ XML hoặc đoạn chữ dài hơn "
                    f"{MAX_TAG_BYTES >> 20} MB — không phải bảng tính Excel bình thường; mở bằng Excel, "
                    "lưu lại dưới dạng .xlsx rồi nạp lại.",
                    f"a sheet ({info.filename}) holds an XML tag or text run longer than "
                    f"{MAX_TAG_BYTES >> 20} MB — not an ordinary Excel sheet; open it in Excel, save it "
                    "again as .xlsx and load it again.",
                )
    return extent


def _attrs(text: bytes) -> dict[bytes, str]:
    return {k: html.unescape((a or b).decode("utf-8", "replace")) for k, a, b in _ATTR.findall(text)}


def _worksheet_parts(z: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Worksheet part -> sheet name (the part itself when the workbook does not say): the ones the
    workbook's relationships declare, as calamine resolves them, and any part under xl/worksheets/."""
    parts: dict[str, str] = {}
    rels = names.get("xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    if rels is not None and rels.file_size <= 4 << 20:
        for m in _REL.finditer(z.read(rels)):
            a = _attrs(m.group(1))
            if not _WORKSHEET_TYPE.search(a.get(b"Type", "").encode()):
                continue
            target = a.get(b"Target", "")
            path = target[1:] if target.startswith("/") else ("xl/" + target)
            path = posixpath.normpath(path)
            found = names.get(path) or next((i for n, i in names.items() if n.lower() == path.lower()), None)
            if found is not None:
                targets[a.get(b"Id", "")] = found.filename
    workbook = names.get("xl/workbook.xml")
    if workbook is not None and workbook.file_size <= 4 << 20:
        for m in _SHEET.finditer(z.read(workbook)):
            a = _attrs(m.group(1))
            rid = next((v for k, v in a.items() if k.endswith(b":id")), None)
            if rid in targets:
                parts[targets[rid]] = a.get(b"name", targets[rid])
    for part in targets.values():
        parts.setdefault(part, part)
    for n in names:
        low = n.lower()
        if low.startswith("xl/worksheets/") and low.endswith(".xml") and "/_rels/" not in low:
            parts.setdefault(n, n)
    return parts


# Files already found safe, by identity (device, inode, size, mtime, ctime): an upload is checked
# when saved, then read by the preview and by the load; the check runs once.
_PASSED: dict[tuple, list[SheetExtent]] = {}


def check_xlsx(path: Path, name: str | None = None) -> list[SheetExtent]:
    """Raise SourceFileError unless the XLSX at `path` is safe to hand to the reader; returns the
    extent of each worksheet.  `name` is the file name used in messages (default: the path's)."""
    name = name or Path(path).name
    try:
        st = os.stat(path)
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    except OSError:
        key = None
    if key is not None and key in _PASSED:
        return _PASSED[key]
    extents = _check(path, name)
    if key is not None:
        if len(_PASSED) > 256:
            _PASSED.clear()
        _PASSED[key] = extents
    return extents


def _check(path: Path, name: str) -> list[SheetExtent]:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _refuse(
                    name,
                    "zip_bomb",
                    f"tệp XLSX có quá nhiều thành phần ({_n_vi(len(infos))}) — không đọc.",
                    f"the XLSX holds too many parts ({len(infos):,}) — not read.",
                )
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED_BYTES or any(
                i.file_size > MAX_RATIO * max(i.compress_size, 1) and i.file_size > (1 << 20) for i in infos
            ):
                raise _refuse(
                    name,
                    "zip_bomb",
                    f"tệp XLSX giải nén ra {total / 1048576:,.0f} MB, bất thường — không đọc "
                    "(có thể là tệp độc hại).",
                    f"the XLSX unpacks to {total / 1048576:,.0f} MB, which is absurd — not read "
                    "(possibly a malicious file).",
                )
            names = {i.filename: i for i in infos}
            if "xl/vbaProject.bin" in names:
                raise _refuse(
                    name,
                    "macro",
                    "tệp có macro không được nhận — lưu lại thành .xlsx.",
                    "macro-enabled files are refused — save it as .xlsx.",
                )
            if "xl/workbook.xml" not in names:
                raise _refuse(
                    name,
                    "corrupt_zip",
                    "không phải tệp XLSX hợp lệ — mở và lưu lại bằng Excel.",
                    "not a valid XLSX file — open and save it again in Excel.",
                )
            extents = []
            for part, sheet in _worksheet_parts(z, names).items():
                extent = scan_sheet(z, names[part], name)
                _judge(extent, sheet, name)
                extents.append(extent)
            return extents
    except SourceFileError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        KeyError,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        raise _refuse(
            name,
            "corrupt_zip",
            "tệp XLSX bị hỏng, không mở được — xuất lại tệp.",
            "the XLSX file is corrupt and cannot be opened — export it again.",
        ) from exc


def _judge(e: SheetExtent, sheet: str, name: str) -> None:
    too_big = e.grid > MAX_SHEET_CELLS
    too_sparse = e.grid > SPARSE_FLOOR_CELLS and e.grid > SPARSE_RATIO * e.cells
    if not (too_big or too_sparse):
        return
    limit = MAX_SHEET_CELLS if too_big else SPARSE_FLOOR_CELLS
    raise _refuse(
        name,
        "sheet_too_large",
        f'trang tính "{sheet}" kéo dài tới ô {e.far_cell}: đọc nó cần {_n_vi(e.rows)} dòng × {_n_vi(e.columns)} '
        f"cột = {_n_vi(e.grid)} ô, trong khi chỉ {_n_vi(e.cells)} ô có nội dung (giới hạn {_n_vi(limit)} ô"
        f"{'' if too_big else ' cho vùng thưa như vậy'}) — tệp không được đọc, không có gì được nạp. Xóa các ô "
        f"thừa ở xa vùng dữ liệu (Ctrl+End để tìm ô {e.far_cell}) hoặc chép riêng bảng dữ liệu sang tệp mới rồi "
        "nạp lại.",
        f'sheet "{sheet}" reaches cell {e.far_cell}: reading it needs {e.rows:,} rows × {e.columns:,} columns '
        f"= {e.grid:,} cells, while only {e.cells:,} cells hold anything (the limit is {limit:,} cells"
        f"{'' if too_big else ' for a range that sparse'}) — the file was not read and nothing was loaded. "
        f"Delete the stray cells far from the data (Ctrl+End goes to {e.far_cell}) or copy just the table into a "
        "new file and load that.",
    )
