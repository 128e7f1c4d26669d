"""The check every old binary Excel workbook (.xls, Excel 97-2003) passes before calamine reads it.

An .xls is an OLE2 compound file holding a `Workbook` stream (BIFF8; `Book` for BIFF5) of
records.  calamine builds each sheet as one dense grid from A1 to the farthest cell, like an XLSX
(`etl.xlsx_guard`): BIFF8 caps a sheet at 65,536 rows x 256 columns (16.7 million cells, 537 MB in
calamine), so a 3 KB file holding one cell at IV65536 would cost half a gigabyte.  The container is
opened with olefile (never trusting its directory for sizes: the stream is read up to
`MAX_STREAM_BYTES`), and the BIFF records are walked once: each worksheet's real extent comes
from its cell records (row and column of every NUMBER, LABELSST, RK, MULRK, FORMULA, ...), judged
by `xlsx_guard`'s limits (`MAX_SHEET_CELLS`, and the sparse rule).

Refused, each with a `SourceFileError` naming the file in both languages: a file over
`MAX_XLS_BYTES`, a container olefile cannot open, no workbook stream, a macro project
(`_VBA_PROJECT_CUR`), a password (FILEPASS record), truncated records, a sheet too large or too
sparse.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import olefile

from etl.readers import SourceFileError
from etl.xlsx_guard import SheetExtent, _judge, _refuse


def _env_bytes(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


MAX_XLS_BYTES = _env_bytes("CDS_XLS_MAX_BYTES", 256 << 20)  # the file; BIFF8 sheets stop at 65,536 rows
MAX_STREAM_BYTES = MAX_XLS_BYTES

_BOF, _EOF, _FILEPASS, _BOUNDSHEET = 0x0809, 0x000A, 0x002F, 0x0085
_WORKSHEET = 0x0010
# Cell records whose data starts with (row u16, column u16).
_CELLS = {0x0203, 0x00FD, 0x027E, 0x0006, 0x0205, 0x0204, 0x00D6, 0x0201}
_MULRK, _MULBLANK = 0x00BD, 0x00BE
_HEAD = struct.Struct("<HH")


def _sheet_names(data: bytes) -> list[str]:
    out = []
    n = len(data)
    pos = 0
    while pos + 4 <= n:
        typ, size = _HEAD.unpack_from(data, pos)
        body = data[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if typ == _BOUNDSHEET and len(body) >= 8:
            cch, flags = body[6], body[7]
            raw = body[8 : 8 + (cch * 2 if flags & 1 else cch)]
            out.append(raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace"))
        elif typ == _EOF:
            break
    return out


def scan_workbook(data: bytes, name: str) -> list[SheetExtent]:
    """Each worksheet's extent (rows x columns from A1) and cell count, from the BIFF records."""
    sheets: list[SheetExtent] = []
    current: SheetExtent | None = None
    stack: list[int] = []  # substream types open (a chart's BOF may nest inside a sheet's)
    n, pos = len(data), 0
    unpack = _HEAD.unpack_from
    while pos + 4 <= n:
        typ, size = unpack(data, pos)
        start = pos + 4
        pos = start + size
        if pos > n:
            raise _truncated(name)
        if typ == _BOF:
            kind = unpack(data, start)[1] if size >= 4 else 0
            stack.append(kind)
            if len(stack) == 1 and kind == _WORKSHEET:
                current = SheetExtent(part=f"sheet {len(sheets) + 1}")
                sheets.append(current)
        elif typ == _EOF:
            if stack:
                stack.pop()
            if not stack:
                current = None
        elif typ == _FILEPASS and current is None:
            raise _refuse(
                name,
                "encrypted",
                "tệp Excel có mật khẩu — gỡ mật khẩu rồi lưu lại.",
                "the workbook is password-protected — remove the password and save it again.",
            )
        elif current is not None and size >= 4:
            if typ in _CELLS:
                row, col = unpack(data, start)
                last = col
            elif typ in (_MULRK, _MULBLANK) and size >= 6:
                row, col = unpack(data, start)
                last = struct.unpack_from("<H", data, pos - 2)[0]
            else:
                continue
            current.rows = max(current.rows, row + 1)
            current.columns = max(current.columns, last + 1)
            current.cells += max(last - col + 1, 1)
    return sheets


def _truncated(name: str) -> SourceFileError:
    return _refuse(
        name,
        "corrupt_xlsx",
        "tệp Excel 97-2003 (.xls) bị hỏng (bản ghi bị cắt cụt) — mở trong Excel, lưu lại rồi nạp lại.",
        "the Excel 97-2003 (.xls) workbook is corrupt (a truncated record) — open it in Excel, save it "
        "again and load it again.",
    )


def check_xls(path: Path, name: str | None = None) -> list[SheetExtent]:
    """Raise SourceFileError unless `path` is an .xls calamine can read within the limits."""
    path = Path(path)
    name = name or path.name
    size = path.stat().st_size
    if size > MAX_XLS_BYTES:
        raise _refuse(
            name,
            "too_large",
            f"tệp .xls lớn {size / 1048576:,.0f} MB, vượt giới hạn {MAX_XLS_BYTES / 1048576:,.0f} MB — lưu "
            "lại dưới dạng .xlsx hoặc CSV rồi nạp.",
            f"the .xls file is {size / 1048576:,.0f} MB, over the {MAX_XLS_BYTES / 1048576:,.0f} MB limit — "
            "save it as .xlsx or CSV and load that.",
        )
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(e).lower() for e in ole.listdir(streams=True, storages=True)}
            if any(s.startswith("_vba_project_cur") for s in streams):
                raise _refuse(
                    name,
                    "macro",
                    "không nhận tệp Excel có macro — lưu lại dưới dạng .xlsx (Excel Workbook) hoặc .csv.",
                    "macro-enabled workbooks are not accepted — save it as .xlsx (Excel Workbook) or .csv.",
                )
            stream = "workbook" if "workbook" in streams else "book" if "book" in streams else None
            if stream is None:
                raise _refuse(
                    name,
                    "not_excel",
                    "tệp OLE không chứa bảng tính Excel — mở bằng Excel và lưu lại dưới dạng .xlsx.",
                    "this OLE file holds no Excel workbook — open it in Excel and save it as .xlsx.",
                )
            with ole.openstream(stream) as fh:
                data = fh.read(MAX_STREAM_BYTES + 1)
    except SourceFileError:
        raise
    except (OSError, ValueError, IndexError, struct.error, EOFError) as exc:
        raise _refuse(
            name,
            "corrupt_xlsx",
            f"tệp Excel 97-2003 (.xls) bị hỏng, không mở được ({type(exc).__name__}) — mở trong Excel, lưu lại "
            "dưới dạng .xlsx rồi nạp.",
            f"the Excel 97-2003 (.xls) workbook is corrupt and cannot be opened ({type(exc).__name__}) — open it "
            "in Excel, save it as .xlsx and load that.",
        ) from exc
    if len(data) > MAX_STREAM_BYTES:
        raise _truncated(name)
    sheets = scan_workbook(data, name)
    names = _sheet_names(data)
    for i, extent in enumerate(sheets):
        _judge(extent, names[i] if i < len(names) else extent.part, name)
    return sheets
