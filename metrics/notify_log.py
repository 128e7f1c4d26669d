"""Reading the notify sent record (JSONL written by notify/record.py, kept beside the users file, never
in the warehouse): the last run, its counts and failures, for the data-quality page; and what was last
sent to each recipient for a period, for notify itself.

Each line is one JSON object:
    {"type": "message", "run": ID, "at": ISO, "period": "2026-10", "user": U, "email": E,
     "status": "sent" | "failed", "digest": SHA256, "correction": bool, "error": TEXT}
    {"type": "run", "run": ID, "at": ISO, "period": P, "sent": N, "corrections": N, "skipped": N,
     "failed": N, "dry_run": false}
A line that does not parse (a crash mid-write) is ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

RECORD_ENV = "CDS_NOTIFY_RECORD"
USERS_ENV = "DASHBOARD_USERS_FILE"
RECORD_NAME = "notify-sent.jsonl"


def default_record_path() -> Path | None:
    """`$CDS_NOTIFY_RECORD`, else notify-sent.jsonl beside `$DASHBOARD_USERS_FILE`; None when neither is set."""
    if os.environ.get(RECORD_ENV):
        return Path(os.environ[RECORD_ENV])
    if os.environ.get(USERS_ENV):
        return Path(os.environ[USERS_ENV]).resolve().parent / RECORD_NAME
    return None


def read(path: str | Path | None) -> list[dict]:
    if path is None or not Path(path).is_file():
        return []
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                out.append(item)
    return out


def last_sent(path: str | Path | None, period: str) -> dict[str, dict]:
    """Per user: the last message recorded as sent for `period` (digest, email, at)."""
    out: dict[str, dict] = {}
    for item in read(path):
        if item.get("type") == "message" and item.get("status") == "sent" and item.get("period") == period:
            out[item["user"]] = item
    return out


def last_run(path: str | Path | None = None) -> tuple[dict | None, pd.DataFrame]:
    """The last run's summary (None: no run yet) and its failed messages (user, email, error)."""
    items = read(path if path is not None else default_record_path())
    runs = [i for i in items if i.get("type") == "run" and not i.get("dry_run")]
    failures = pd.DataFrame(columns=["user", "email", "error"])
    if not runs:
        return None, failures
    run = runs[-1]
    failed = [
        {"user": i.get("user"), "email": i.get("email"), "error": i.get("error")}
        for i in items
        if i.get("type") == "message" and i.get("run") == run.get("run") and i.get("status") == "failed"
    ]
    return run, pd.DataFrame(failed, columns=failures.columns)
