"""The circuit breaker: a small JSON file beside the warehouse (`<warehouse>.portal-breaker.json`).

A stop signal (HTTP 401, 403, 429, an HTML answer, a "request rejected" / "access denied" body)
opens it with the reason; while it is open no run sends a request.  Nothing closes it but an
operator: `python -m etl fetch-portal --reset`, after reading why it opened (the portal may be
blocking us: find out before asking again).  A file that cannot be read counts as open (fail
closed).  Every opening and closing is kept in `history`.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


def breaker_path(db_path: Path) -> Path:
    db_path = Path(db_path).resolve()
    return db_path.with_name(f"{db_path.name}.portal-breaker.json")


@dataclass
class BreakerState:
    state: str = "closed"               # closed | open
    reason: str | None = None           # e.g. 'http_403', 'html', 'rejected_body', 'unreadable_state'
    detail: str | None = None           # what was seen: status, endpoint, first bytes
    opened_at: str | None = None
    run_id: int | None = None
    closed_at: str | None = None
    closed_by: str | None = None
    history: list[dict] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    def to_dict(self) -> dict:
        return {"state": self.state, "reason": self.reason, "detail": self.detail, "opened_at": self.opened_at,
                "run_id": self.run_id, "closed_at": self.closed_at, "closed_by": self.closed_by,
                "history": self.history}


def read(db_path: Path) -> BreakerState:
    path = breaker_path(db_path)
    if not path.exists():
        return BreakerState()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        state = BreakerState(**{k: raw.get(k) for k in ("state", "reason", "detail", "opened_at", "run_id",
                                                         "closed_at", "closed_by")},
                             history=list(raw.get("history") or []))
        if state.state not in ("open", "closed"):
            raise ValueError(state.state)
        return state
    except (OSError, ValueError, TypeError) as err:
        return BreakerState(state="open", reason="unreadable_state", detail=f"{path}: {err}")


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
    history = [*state.history, {"event": "opened", "at": when.isoformat(timespec="seconds"), "reason": reason,
                                "detail": detail, "run_id": run_id}]
    new = BreakerState("open", reason, detail, when.isoformat(timespec="seconds"), run_id, None, None, history)
    _write(db_path, new)
    return new


def reset(db_path: Path, when: datetime, who: str | None = None) -> tuple[BreakerState, BreakerState]:
    """Close the breaker (an operator's decision); returns (before, after)."""
    before = read(db_path)
    try:
        who = who or getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    history = [*before.history, {"event": "closed", "at": when.isoformat(timespec="seconds"), "by": who,
                                 "was": before.state, "reason": before.reason}]
    after = BreakerState("closed", None, None, None, None, when.isoformat(timespec="seconds"), who, history)
    _write(db_path, after)
    return before, after
