"""Opening and closing the portal fetch's circuit breaker (the file and its reading are in
core/portal_breaker.py, so the read side can show its state).

A stop signal (HTTP 401, 403, 429, an HTML answer, a "request rejected" / "access denied" body)
opens it with the reason; while it is open no run sends a request.  Nothing closes it but an
operator: `python -m etl fetch-portal --reset`, after reading why it opened (the portal may be
blocking us: find out before asking again).  Every opening and closing is kept in `history`.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import datetime
from pathlib import Path

from core.portal_breaker import BreakerState, breaker_path, read

__all__ = ["BreakerState", "breaker_path", "read", "reset", "trip"]


def _write(db_path: Path, state: BreakerState) -> None:
    path = breaker_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(state.to_dict(), fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def trip(db_path: Path, reason: str, detail: str, when: datetime, run_id: int | None = None) -> BreakerState:
    """Open the breaker (stays open until `reset`)."""
    state = read(db_path)
    history = [
        *state.history,
        {
            "event": "opened",
            "at": when.isoformat(timespec="seconds"),
            "reason": reason,
            "detail": detail,
            "run_id": run_id,
        },
    ]
    new = BreakerState(
        "open", reason, detail, when.isoformat(timespec="seconds"), run_id, None, None, history
    )
    _write(db_path, new)
    return new


def reset(db_path: Path, when: datetime, who: str | None = None) -> tuple[BreakerState, BreakerState]:
    """Close the breaker (an operator's decision); returns (before, after)."""
    before = read(db_path)
    try:
        who = who or getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    history = [
        *before.history,
        {
            "event": "closed",
            "at": when.isoformat(timespec="seconds"),
            "by": who,
            "was": before.state,
            "reason": before.reason,
        },
    ]
    after = BreakerState("closed", None, None, None, None, when.isoformat(timespec="seconds"), who, history)
    _write(db_path, after)
    return before, after
