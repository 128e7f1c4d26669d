"""One notify run: every subscriber (or `only` one) for one period.

1. Read the users file, the alert rules and (unless a dry run) the SMTP settings: any mistake stops the
   run before anything is built or sent.
2. Take the lock beside the sent record (two runs never overlap).
3. For each subscriber, in `jobs` worker processes: plan the message (figures, alerts, digest); when
   the record already holds that digest for the period, skip it; otherwise render the reports and the
   message.  A subscriber whose plan or reports fail is reported; the others go on.
4. Send over one SMTP connection as messages come in (or write `<user>.eml` for a dry run), appending
   each sent message to the record at once.  A digest different from the one recorded makes the
   message a correction.  When the server cannot be reached the run stops; nothing unsent is recorded.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from accounts.store import Account, load_users
from core.periods import Period, parse_period
from metrics import notify_log
from metrics.alert_rules import Rule, load_rules
from notify import config, content
from notify.mailer import Mailer, PermanentFailure, Unreachable
from notify.record import Record


class NotifyError(ValueError):
    """The run cannot start: what is wrong and what to do."""


@dataclass
class Outcome:
    user: str
    email: str
    status: str  # sent | correction | skipped | failed | written (dry run)
    error: str = ""
    file: Path | None = None


@dataclass
class RunResult:
    period: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    aborted: str = ""  # why the run stopped early (server unreachable)

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.aborted and not self.count("failed")


def resolve_period(text: str, path=None) -> Period:
    if text == "latest":
        from metrics.periodic import month_range

        last = month_range(path=path)[1]
        if last is None:
            raise NotifyError("--period latest: the warehouse has no month with data yet")
        return parse_period(f"{last:%Y-%m}")
    period = parse_period(text)
    if period is None:
        raise NotifyError(
            f"--period {text!r}: expected a month (2026-10), a quarter (2026-Q4), a year or latest"
        )
    return period


def subscribers(users: dict[str, Account], only: str | None) -> list[Account]:
    if only is not None:
        if only not in users:
            raise NotifyError(f"--only {only!r}: no such user in the users file")
        if not users[only].subscriber:
            raise NotifyError(
                f"--only {only!r}: not a subscriber (needs an e-mail address, a subscription and an active "
                f"account: `python -m accounts set {only} --email ADDRESS --subscribe pack,alerts`)"
            )
        return [users[only]]
    return sorted((a for a in users.values() if a.subscriber), key=lambda a: a.username)


# ---- the per-subscriber work (in a worker process, or in this one with jobs=1) ----

_MEMO = None


def _init_worker() -> None:
    global _MEMO
    from metrics.report_data import shared_queries

    _MEMO = shared_queries()
    _MEMO.__enter__()


def _prepare(
    account: Account,
    period: Period,
    rules: list[Rule],
    base_url: str,
    mail_from: str,
    recorded: str | None,
    path,
    issued_on: date | None,
) -> tuple[str, str, bytes | None, str, str]:
    """(user, status, message bytes, digest, error): status new | correction | skipped | failed."""
    try:
        p = content.plan(account, period, rules, base_url, path)
        if recorded == p.digest:
            return account.username, "skipped", None, p.digest, ""
        correction = recorded is not None
        files = content.attachments(p, path, issued_on)
        msg = content.message(p, mail_from, base_url, correction, files)
        return account.username, "correction" if correction else "new", content.as_bytes(msg), p.digest, ""
    except Exception as err:  # noqa: BLE001 - one recipient's failure must not stop the others
        from reports import ReportError

        text = err.message(account.lang) if isinstance(err, ReportError) else f"{type(err).__name__}: {err}"
        return account.username, "failed", None, "", f"building the message failed: {text}"


def run(
    period_text: str,
    users_file: str | Path,
    *,
    dry_run: Path | None = None,
    only: str | None = None,
    rules_file: str | Path | None = None,
    path=None,
    jobs: int = 1,
    env: dict | None = None,
    issued_on: date | None = None,
    progress: Callable[[Outcome], None] | None = None,
    sleep=time.sleep,
) -> RunResult:
    started = time.perf_counter()
    values = config.settings(env)
    try:
        users = load_users(users_file)
    except ValueError as err:
        raise NotifyError(str(err)) from None
    rules = load_rules(rules_file)  # AlertRulesError (a ValueError) names the line: nothing is sent
    period = resolve_period(period_text, path)
    targets = subscribers(users, only)
    smtp = None if dry_run else config.smtp_config(values)
    mail_from = smtp.mail_from if smtp else (values.get("CDS_MAIL_FROM") or "cds@localhost.localdomain")
    base_url = config.public_url(values)
    record_path = config.record_path(values, users_file)
    result = RunResult(period.key)
    run_id = uuid.uuid4().hex[:12]
    with Record(record_path) as record:
        sent = notify_log.last_sent(record_path, period.key)
        recorded = {
            a.username: (
                sent[a.username]["digest"]
                if a.username in sent and sent[a.username].get("email") == a.email
                else None
            )
            for a in targets
        }
        # an address change is a new recipient, not a correction
        by_user = {a.username: a for a in targets}
        args = [
            (a, period, rules, base_url, mail_from, recorded[a.username], path, issued_on) for a in targets
        ]
        mailer = Mailer(smtp, sleep=sleep) if smtp else None
        prepared = _prepared(args, jobs)
        try:
            for user, status, data, digest, error in prepared:
                account = by_user[user]
                outcome = Outcome(user, account.email, status, error)
                if status in ("new", "correction"):
                    outcome = _deliver(outcome, data, dry_run, mailer)
                if outcome.status in ("sent", "correction"):
                    record.append(
                        {
                            "type": "message",
                            "run": run_id,
                            "period": period.key,
                            "user": user,
                            "email": account.email,
                            "status": "sent",
                            "digest": digest,
                            "correction": outcome.status == "correction",
                        }
                    )
                elif outcome.status == "failed" and not dry_run:
                    record.append(
                        {
                            "type": "message",
                            "run": run_id,
                            "period": period.key,
                            "user": user,
                            "email": account.email,
                            "status": "failed",
                            "error": outcome.error,
                        }
                    )
                result.outcomes.append(outcome)
                if progress:
                    progress(outcome)
                if outcome.status == "aborted":
                    # the server cannot be reached: stop building; the rest stays unsent and unrecorded
                    result.aborted = outcome.error
                    break
        finally:
            prepared.close()
            if mailer:
                mailer.close()
        done = {o.user for o in result.outcomes}
        result.outcomes += [
            Outcome(a.username, a.email, "aborted", "not sent: the run stopped")
            for a in targets
            if a.username not in done
        ]
        result.seconds = time.perf_counter() - started
        if not dry_run:
            record.append(
                {
                    "type": "run",
                    "run": run_id,
                    "period": period.key,
                    "sent": result.count("sent"),
                    "corrections": result.count("correction"),
                    "skipped": result.count("skipped"),
                    "failed": result.count("failed", "aborted"),
                    "aborted": result.aborted,
                    "seconds": round(result.seconds, 1),
                }
            )
    result.outcomes.sort(key=lambda o: o.user)
    return result


def _prepared(args: list[tuple], jobs: int):
    """Each subscriber's prepared message, as they come (in worker processes when jobs > 1)."""
    if jobs <= 1 or len(args) <= 1:
        from metrics.report_data import shared_queries

        with shared_queries():
            for a in args:
                yield _prepare(*a)
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker) as pool:
        futures = [pool.submit(_prepare, *a) for a in args]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for f in futures:
                f.cancel()


def _deliver(outcome: Outcome, data: bytes, dry_run: Path | None, mailer: Mailer | None) -> Outcome:
    status = "correction" if outcome.status == "correction" else "sent"
    if dry_run is not None:
        dry_run.mkdir(parents=True, exist_ok=True)
        target = dry_run / f"{outcome.user}.eml"
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return Outcome(outcome.user, outcome.email, "written", file=target)
    try:
        mailer.send(outcome.email, data)
    except PermanentFailure as err:
        return Outcome(outcome.user, outcome.email, "failed", str(err))
    except Unreachable as err:
        return Outcome(outcome.user, outcome.email, "aborted", str(err))
    return Outcome(outcome.user, outcome.email, status)
