"""What one load may spend: DuckDB's memory and its temp disk, and the message when a cap is hit.

Both caps are DuckDB settings given when the loader opens its private copy of the warehouse
(`connect_config`).  Past either, DuckDB raises `OutOfMemoryException`; the loader turns it into
`LoadCapExceeded` (`cap_exceeded`), the load stops, the private copy is removed and the warehouse
stays byte-for-byte as it was (`python -m etl load` exits 2 with the message).
"""

from __future__ import annotations

import os

import duckdb

MEMORY_ENV = "CDS_ETL_MEMORY_LIMIT"
TEMP_ENV = "CDS_ETL_TEMP_LIMIT"
DEFAULT_MEMORY = "2500MB"
DEFAULT_TEMP = "8GB"


def memory_limit() -> str:
    """DuckDB's memory for a load (it spills to a temp folder beside the warehouse beyond this)."""
    return os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY


def temp_limit() -> str:
    """The most DuckDB may write to its temp folder during one load."""
    return os.environ.get(TEMP_ENV) or DEFAULT_TEMP


def connect_config() -> dict[str, str]:
    return {"memory_limit": memory_limit()}


def apply(con: duckdb.DuckDBPyConnection) -> None:
    """Cap the temp disk of `con` (set once connected: given to `connect`, DuckDB 1.x/2.0 let its
    evictions past it)."""
    con.execute("set max_temp_directory_size = ?", [temp_limit()])


class LoadCapExceeded(Exception):
    """A load went past its memory or temp-disk cap: stopped, nothing changed."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def is_cap_error(err: BaseException) -> bool:
    return isinstance(err, duckdb.OutOfMemoryException) or (
        isinstance(err, duckdb.Error) and "max_temp_directory_size" in str(err)
    )


def cap_cause(err: BaseException | None) -> BaseException | None:
    """The cap error behind `err` (a reader may have wrapped it in a file error), or None."""
    seen = 0
    while err is not None and seen < 20:
        if is_cap_error(err):
            return err
        err, seen = err.__cause__ or err.__context__, seen + 1
    return None


def cap_exceeded(err: BaseException, file_name: str | None = None) -> LoadCapExceeded:
    """The steward's message for a cap DuckDB reported in `err`."""
    detail = str(err).splitlines()[0][:300] if str(err) else type(err).__name__
    temp = "max_temp_directory_size" in str(err) or "temp" in str(err).lower()
    where = f"{file_name}: " if file_name else ""
    if temp:
        vi_cap = f"dung lượng đĩa tạm tối đa {temp_limit()} ({TEMP_ENV})"
        en_cap = f"its temp-disk cap of {temp_limit()} ({TEMP_ENV})"
    else:
        vi_cap = f"bộ nhớ tối đa {memory_limit()} ({MEMORY_ENV})"
        en_cap = f"its memory cap of {memory_limit()} ({MEMORY_ENV})"
    return LoadCapExceeded(
        f"{where}lần nạp đã dừng vì vượt {vi_cap}; kho dữ liệu không đổi. Kiểm tra tệp (dòng lặp lại, "
        f"tệp quá lớn), chia nhỏ tệp, hoặc tăng giới hạn nếu máy đủ tài nguyên. Chi tiết: {detail}",
        f"{where}the load stopped: it went past {en_cap}; the warehouse is unchanged. Check the file "
        f"(repeated lines, an oversized export), split it, or raise the cap if the machine has room. "
        f"Detail: {detail}",
    )
