"""The sent record (JSONL, format in metrics/notify_log.py) and the lock that keeps two runs apart.

Every message is appended (and flushed to disk) as soon as the server accepted it, so a run that stops
half-way never sends those messages again."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime
from pathlib import Path


class Busy(RuntimeError):
    """Another notify run holds the lock."""


class Record:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock_fh = None

    def __enter__(self) -> Record:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        fh = open(lock, "a+")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise Busy(f"another notify run is in progress (lock {lock}); try again when it ends") from None
        self._lock_fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None

    def append(self, item: dict) -> None:
        item = {"at": datetime.now().isoformat(timespec="seconds"), **item}
        line = json.dumps(item, ensure_ascii=False) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
