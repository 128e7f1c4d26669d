"""Checks on a file uploaded through the dashboard, before any parser sees it: size, type, and
for XLSX the archive's uncompressed size and the sheets' declared dimensions (a zip bomb or an
"A1:XFD1048576" sheet is refused without being unpacked).  Each refusal is a SourceFileError with
a message in both languages."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from etl.readers import SourceFileError

MAX_MB_ENV = "DASHBOARD_MAX_UPLOAD_MB"
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".json")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb", ".docm", ".pptm")
MAX_UNCOMPRESSED_BYTES = 1 << 30          # 1 GiB unpacked in all
MAX_RATIO = 200                           # uncompressed / compressed, per member
MAX_MEMBERS = 10_000
MAX_SHEET_ROWS = 1_048_576                # Excel's own limit
MAX_SHEET_CELLS = 50_000_000
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def max_upload_bytes() -> int:
    try:
        mb = float(os.environ.get(MAX_MB_ENV, "100"))
    except ValueError:
        mb = 100.0
    return int(mb * 1024 * 1024)


def _refuse(name: str, vi: str, en: str, code: str) -> SourceFileError:
    return SourceFileError(name, f"{name}: {vi}", f"{name}: {en}", code=code)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode("ascii"):
        n = n * 26 + (ord(ch) - 64)
    return n


def check_upload(path: Path, name: str | None = None) -> str:
    """Raise SourceFileError unless the file may be handed to the loader; returns its suffix."""
    name = name or path.name
    suffix = Path(name).suffix.lower()
    size = path.stat().st_size
    limit = max_upload_bytes()
    if size > limit:
        raise _refuse(name, f"tệp {size / 1048576:.1f} MB vượt giới hạn {limit / 1048576:.0f} MB — chia nhỏ tệp.",
                      f"the file is {size / 1048576:.1f} MB, over the {limit / 1048576:.0f} MB limit — split it.",
                      "too_large")
    if suffix in MACRO_SUFFIXES:
        raise _refuse(name, "tệp có macro không được nhận — lưu lại thành .xlsx.",
                      "macro-enabled files are refused — save it as .xlsx.", "macro")
    if suffix not in ALLOWED_SUFFIXES:
        raise _refuse(name, f"loại tệp '{suffix or '(không đuôi)'}' không được nhận — chỉ nhận CSV, XLSX, JSON.",
                      f"file type '{suffix or '(none)'}' is not accepted — only CSV, XLSX and JSON.", "unknown_type")
    if suffix == ".xlsx":
        check_xlsx(path, name)
    return suffix


def check_xlsx(path: Path, name: str) -> None:
    """Refuse an XLSX whose archive would unpack to something absurd, before parsing it."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _refuse(name, "tệp XLSX có quá nhiều thành phần — không đọc.",
                              "the XLSX holds too many parts — not read.", "zip_bomb")
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED_BYTES or any(
                    i.file_size > MAX_RATIO * max(i.compress_size, 1) and i.file_size > (1 << 20) for i in infos):
                raise _refuse(name, f"tệp XLSX giải nén ra {total / 1048576:.0f} MB, bất thường — không đọc "
                                    "(có thể là tệp độc hại).",
                              f"the XLSX unpacks to {total / 1048576:.0f} MB, which is absurd — not read "
                              "(possibly a malicious file).", "zip_bomb")
            names = {i.filename for i in infos}
            if "xl/vbaProject.bin" in names:
                raise _refuse(name, "tệp có macro không được nhận — lưu lại thành .xlsx.",
                              "macro-enabled files are refused — save it as .xlsx.", "macro")
            if "xl/workbook.xml" not in names:
                raise _refuse(name, "không phải tệp XLSX hợp lệ — mở và lưu lại bằng Excel.",
                              "not a valid XLSX file — open and save it again in Excel.", "corrupt_zip")
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with z.open(info) as fh:
                        head = fh.read(8192)
                    m = _DIMENSION.search(head)
                    if not m:
                        continue
                    rows = int(m.group(4) or m.group(2))
                    cols = _col_number(m.group(3) or m.group(1))
                    if rows > MAX_SHEET_ROWS or rows * cols > MAX_SHEET_CELLS:
                        raise _refuse(name, f"trang tính khai báo {rows:,} dòng × {cols:,} cột, bất thường — không đọc.",
                                      f"a sheet declares {rows:,} rows × {cols:,} columns, which is absurd — not read.",
                                      "sheet_too_large")
    except SourceFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError, RuntimeError) as exc:
        raise _refuse(name, "tệp XLSX bị hỏng, không mở được — xuất lại tệp.",
                      "the XLSX file is corrupt and cannot be opened — export it again.", "corrupt_zip") from exc
