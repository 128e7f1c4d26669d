"""Writing report files: one commune, one province, or every commune of a province in parallel.

A batch runs in `jobs` worker processes (default: the machine's cores, at most 4).  Each worker keeps
one memo of the read-side queries for the whole batch (metrics.report_data.shared_queries), so the
province-wide queries behind every commune's figures run once per worker, not once per commune.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from core.periods import Period
from metrics.scope import OPEN, Scope


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (code, message)
    seconds: float = 0.0


def write_commune(
    code: int,
    period: Period,
    formats: list[str],
    out_dir: Path,
    lang: str = "vi",
    scope: Scope = OPEN,
    path=None,
    issued_on: date | None = None,
) -> list[Path]:
    from reports import build_commune_reports, file_name

    files = build_commune_reports(code, period, formats, lang, scope, path, issued_on=issued_on)
    return _write(
        out_dir, {file_name("commune", code, period, fmt, lang): data for fmt, data in files.items()}
    )


def write_province(
    code: int,
    period: Period,
    formats: list[str],
    out_dir: Path,
    lang: str = "vi",
    scope: Scope = OPEN,
    path=None,
    issued_on: date | None = None,
) -> list[Path]:
    from reports import build_province_briefings, file_name

    files = build_province_briefings(code, period, formats, lang, scope, path, issued_on=issued_on)
    return _write(
        out_dir, {file_name("province", code, period, fmt, lang): data for fmt, data in files.items()}
    )


def _write(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        target = out_dir / name
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        written.append(target)
    return written


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


_WORKER_MEMO = None


def _init_worker() -> None:
    """Keep one query memo for the worker's whole life."""
    global _WORKER_MEMO
    from metrics.report_data import shared_queries

    _WORKER_MEMO = shared_queries()
    _WORKER_MEMO.__enter__()


def _one(
    code: int,
    period: Period,
    formats: list[str],
    out_dir: Path,
    lang: str,
    scope: Scope,
    path,
    issued_on: date | None,
) -> tuple[int, list[Path], str | None]:
    from reports import ReportError

    try:
        return code, write_commune(code, period, formats, out_dir, lang, scope, path, issued_on), None
    except ReportError as err:
        return code, [], err.message(lang)
    except Exception as err:  # noqa: BLE001 - one commune's failure must not stop the batch
        return code, [], f"{type(err).__name__}: {err}"


def write_communes(
    codes: Iterable[int],
    period: Period,
    formats: list[str],
    out_dir: Path,
    lang: str = "vi",
    scope: Scope = OPEN,
    path=None,
    issued_on: date | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> BatchResult:
    """Every commune's report files; `progress(done, total, code)` after each commune."""
    codes = [int(c) for c in codes]
    jobs = jobs or default_jobs()
    result = BatchResult()
    started = time.perf_counter()
    done = 0
    if jobs <= 1 or len(codes) <= 1:
        from metrics.report_data import shared_queries

        with shared_queries():
            for code in codes:
                _collect(result, _one(code, period, formats, out_dir, lang, scope, path, issued_on))
                done += 1
                if progress:
                    progress(done, len(codes), code)
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker) as pool:
            futures = [
                pool.submit(_one, code, period, formats, out_dir, lang, scope, path, issued_on)
                for code in codes
            ]
            for future in as_completed(futures):
                item = future.result()
                _collect(result, item)
                done += 1
                if progress:
                    progress(done, len(codes), item[0])
    result.written.sort()
    result.failed.sort()
    result.seconds = time.perf_counter() - started
    return result


def _collect(result: BatchResult, item: tuple[int, list[Path], str | None]) -> None:
    code, paths, error = item
    result.written += paths
    if error:
        result.failed.append((code, error))


class ProgressBar:
    """`[#####-----]  37/148  0:45` on a terminal; a line every 10% otherwise (logs, CI)."""

    def __init__(self, total: int, label: str = "", stream=None, width: int = 30):
        self.total, self.label, self.width = total, label, width
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.perf_counter()
        self.last_decile = -1

    def __call__(self, done: int, total: int, code: int | None = None) -> None:
        elapsed = int(time.perf_counter() - self.started)
        clock = f"{elapsed // 60}:{elapsed % 60:02d}"
        if self.tty:
            filled = int(self.width * done / max(total, 1))
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {done}/{total} {clock}")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
            return
        decile = int(10 * done / max(total, 1))
        if decile != self.last_decile or done == total:
            self.last_decile = decile
            self.stream.write(f"{self.label} {done}/{total} ({100 * done // max(total, 1)}%) {clock}\n")
            self.stream.flush()
