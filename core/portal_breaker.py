"""The portal fetch's circuit breaker, as read by everyone (etl/portal/breaker.py opens and closes it):
a small JSON file beside the warehouse (`<warehouse>.portal-breaker.json`).

A stop signal (HTTP 401, 403, 429, an HTML answer, a "request rejected" / "access denied" body)
opens it with the reason; while it is open no run sends a request.  Nothing closes it but an
operator: `python -m etl fetch-portal --reset`, after reading why it opened (the portal may be
blocking us: find out before asking again).  A file that cannot be read counts as open (fail
closed).  Every opening and closing is kept in `history`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


def breaker_path(db_path: Path) -> Path:
    db_path = Path(db_path).resolve()
    return db_path.with_name(f"{db_path.name}.portal-breaker.json")


@dataclass
class BreakerState:
    state: str = "closed"  # closed | open
    reason: str | None = None  # e.g. 'http_403', 'html', 'rejected_body', 'unreadable_state'
    detail: str | None = None  # what was seen: status, endpoint, first bytes
    opened_at: str | None = None
    run_id: int | None = None
    closed_at: str | None = None
    closed_by: str | None = None
    history: list[dict] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    def to_dict(self) -> dict:
        return {
            "state": self.state,
            "reason": self.reason,
            "detail": self.detail,
            "opened_at": self.opened_at,
            "run_id": self.run_id,
            "closed_at": self.closed_at,
            "closed_by": self.closed_by,
            "history": self.history,
        }


def read(db_path: Path) -> BreakerState:
    path = breaker_path(db_path)
    if not path.exists():
        return BreakerState()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        state = BreakerState(
            **{
                k: raw.get(k)
                for k in ("state", "reason", "detail", "opened_at", "run_id", "closed_at", "closed_by")
            },
            history=list(raw.get("history") or []),
        )
        if state.state not in ("open", "closed"):
            raise ValueError(state.state)
        return state
    except (OSError, ValueError, TypeError) as err:
        return BreakerState(state="open", reason="unreadable_state", detail=f"{path}: {err}")
