"""Checks on a file uploaded through the dashboard, before any parser sees it: size, type, for XLS
the reader's own check (`etl.xls_guard`: the OLE container, macros, each sheet's real extent), and for
XLSX the reader's own check (`etl.xlsx_guard`: the archive's unpacked size, macros, and each sheet's
real extent streamed from its XML, never its declared dimension).  Each refusal is a
SourceFileError with a message in both languages."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from etl.readers import SourceFileError

MAX_MB_ENV = "DASHBOARD_MAX_UPLOAD_MB"
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".xls", ".json")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb", ".docm", ".pptm")


def max_upload_bytes() -> int:
    try:
        mb = float(os.environ.get(MAX_MB_ENV, "100"))
    except ValueError:
        mb = 100.0
    return int(mb * 1024 * 1024)


def _refuse(name: str, vi: str, en: str, code: str) -> SourceFileError:
    return SourceFileError(name, f"{name}: {vi}", f"{name}: {en}", code=code)


def check_upload(path: Path, name: str | None = None) -> str:
    """Raise SourceFileError unless the file may be handed to the loader; returns its suffix."""
    name = name or path.name
    suffix = Path(name).suffix.lower()
    size = path.stat().st_size
    limit = max_upload_bytes()
    if size > limit:
        raise _refuse(
            name,
            f"tệp {size / 1048576:.1f} MB vượt giới hạn {limit / 1048576:.0f} MB — chia nhỏ tệp.",
            f"the file is {size / 1048576:.1f} MB, over the {limit / 1048576:.0f} MB limit — split it.",
            "too_large",
        )
    if suffix in MACRO_SUFFIXES:
        raise _refuse(
            name,
            "tệp có macro không được nhận — lưu lại thành .xlsx.",
            "macro-enabled files are refused — save it as .xlsx.",
            "macro",
        )
    if suffix not in ALLOWED_SUFFIXES:
        raise _refuse(
            name,
            f"loại tệp '{suffix or '(không đuôi)'}' không được nhận — chỉ nhận CSV, XLSX, XLS, JSON.",
            f"file type '{suffix or '(none)'}' is not accepted — only CSV, XLSX, XLS and JSON.",
            "unknown_type",
        )
    if suffix == ".xlsx":
        check_xlsx(path, name)
    if suffix == ".xls":
        with path.open("rb") as fh:
            magic = fh.read(len(OLE2_MAGIC))
        if magic != OLE2_MAGIC:
            raise _refuse(
                name,
                "tệp mang đuôi .xls nhưng không phải bảng tính Excel 97-2003 — mở bằng Excel và lưu lại "
                "dưới dạng .xlsx.",
                "the name ends in .xls but this is not an Excel 97-2003 workbook — open it in Excel and "
                "save it as .xlsx.",
                "not_excel",
            )
        from etl.xls_guard import check_xls

        check_xls(path, name)
    return suffix


def check_xlsx(path: Path, name: str) -> None:
    """Refuse an XLSX whose archive or sheets would unpack to something absurd, before parsing it:
    the reader's own check (`etl.xlsx_guard.check_xlsx`), so uploads and the command line agree."""
    from etl.xlsx_guard import check_xlsx as guard

    guard(path, name)


# --- the upload page's work, without Streamlit (views/upload.py stays thin) ----------------------

UPLOAD_PREFIX = "cds-upload-"


def safe_name(name: str) -> str:
    """The uploaded file's own name, reduced to a plain file name (no folders, no odd characters)."""
    base = Path(name).name
    return re.sub(r"[^\w.\- ()]", "_", base)[:120] or "upload"


def save_uploads(files, folder: Path) -> tuple[list[Path], list[SourceFileError]]:
    """Write each uploaded file (objects with .name, .size, .getbuffer()) under `folder` with its own
    name and run `check_upload` on it: (files that may go to the loader, refusals).  One file's
    refusal never stops the others."""
    kept: list[Path] = []
    refused: list[SourceFileError] = []
    limit = max_upload_bytes()
    for i, f in enumerate(files):
        name = safe_name(f.name)
        if f.size > limit:
            refused.append(
                _refuse(
                    name,
                    f"tệp {f.size / 1048576:.1f} MB vượt giới hạn {limit / 1048576:.0f} MB — chia nhỏ tệp.",
                    f"the file is {f.size / 1048576:.1f} MB, over the {limit / 1048576:.0f} MB limit "
                    "— split it.",
                    "too_large",
                )
            )
            continue
        path = folder / f"{i:03d}" / name
        path.parent.mkdir(parents=True)
        path.write_bytes(f.getbuffer())
        try:
            check_upload(path, name)
        except SourceFileError as err:
            refused.append(err)
            path.unlink(missing_ok=True)
            continue
        kept.append(path)
    return kept, refused


@contextlib.contextmanager
def upload_folder() -> Iterator[Path]:
    """A private temp folder for one run of the upload page (mode 0700), removed when the run ends —
    also when it stops early — and, first, the folders of earlier runs whose process has died (a
    server killed mid-upload leaves its folder behind)."""
    sweep_stale(Path(tempfile.gettempdir()), UPLOAD_PREFIX)
    folder = Path(tempfile.mkdtemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep_stale(parent: Path, prefix: str) -> list[Path]:
    """Remove `parent/<prefix><pid>-*` folders of this user whose process no longer runs; returns them.
    (Folders of a live process, another user's, or not named so are left alone.)"""
    removed = []
    pattern = re.compile(re.escape(prefix) + r"(\d+)-")
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None or int(m.group(1)) == os.getpid():
            continue
        try:
            st = entry.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            continue
        if _alive(int(m.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
