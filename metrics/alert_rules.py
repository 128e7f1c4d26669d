"""Alert rules: which communes need attention.  One TOML file (`$CDS_ALERT_RULES`, else the commented
default metrics/alert_rules.toml) of `[[rule]]` tables; the dashboard's "needs attention" list and the
e-mails (notify/) both read it through metrics.attention, so they never disagree.

    [[rule]]
    kind = "threshold"        # a catalogue metric below (or above) a value or its target
    metric = "index_total"
    below = 80
    level = "urgent"          # urgent | attention

    [[rule]]
    kind = "rank_drop"        # fell N places or more in the province's ranking since the previous period
    places = 10

    [[rule]]
    kind = "no_data"          # no data for the period from a source (dossiers, signatures, index)
    source = "signatures"

    [[rule]]
    kind = "stale"            # a source's latest month for the commune ends more than N days before
    source = "dossiers"       # the period's end
    days = 60

Any problem — bad TOML, an unknown key, kind, metric, source or level, a value of the wrong type —
raises AlertRulesError naming the file and the line.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core import catalogue

RULES_ENV = "CDS_ALERT_RULES"
DEFAULT_PATH = Path(__file__).resolve().parent / "alert_rules.toml"
LEVELS = ("urgent", "attention")
KINDS = ("threshold", "rank_drop", "no_data", "stale")
SOURCES = ("dossiers", "signatures", "index")
# The metrics a threshold can test: those the province ranking carries for every commune.
METRIC_SOURCES = ("dossiers", "signatures", "index")
METRIC_KINDS = ("rate", "score", "days", "count")
_KEYS = {
    "threshold": {"kind", "metric", "below", "above", "at_least", "level", "name"},
    "rank_drop": {"kind", "places", "level", "name"},
    "no_data": {"kind", "source", "level", "name"},
    "stale": {"kind", "source", "days", "level", "name"},
}


class AlertRulesError(ValueError):
    """The rules file cannot be used: file, line, what is wrong and what to write instead."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        where = f"{path}" + (f", line {line}" if line else "")
        super().__init__(f"alert rules {where}: {problem}")
        self.path, self.line, self.problem = Path(path), line, problem


@dataclass(frozen=True)
class Rule:
    kind: str
    level: str = "attention"
    metric: str | None = None
    below: float | None = None  # a number; None with `below_target`
    below_target: bool = False
    above: float | None = None
    at_least: float | None = None
    places: int | None = None
    source: str | None = None
    days: int | None = None
    name: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        """A short stable identifier of the rule (for tables and the sent record)."""
        if self.name:
            return self.name
        if self.kind == "threshold":
            parts = [self.metric or ""]
            if self.at_least is not None:
                parts.append(f">={self.at_least:g}")
            if self.below_target:
                parts.append("<target")
            elif self.below is not None:
                parts.append(f"<{self.below:g}")
            if self.above is not None:
                parts.append(f">{self.above:g}")
            return " ".join(parts)
        if self.kind == "rank_drop":
            return f"rank_drop>={self.places}"
        if self.kind == "no_data":
            return f"no_data {self.source}"
        return f"stale {self.source}>{self.days}d"


def rules_path(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get(RULES_ENV) or DEFAULT_PATH)


def _rule_lines(text: str) -> list[int]:
    """The line number of each `[[rule]]` header, in order."""
    return [i for i, line in enumerate(text.splitlines(), 1) if re.match(r"^\s*\[\[\s*rule\s*\]\]", line)]


def _key_line(text: str, start: int, key: str) -> int:
    """The line of `key = ...` in the table that starts on line `start` (else the header's line)."""
    lines = text.splitlines()
    for i in range(start, len(lines)):  # lines[start] is the line after the header
        if re.match(r"^\s*\[", lines[i]):
            break
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    return start


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_rules(text: str, path: str | Path = "<rules>") -> list[Rule]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"line (\d+)", str(err))
        raise AlertRulesError(path, int(m.group(1)) if m else None, f"not valid TOML ({err})") from None
    unknown = sorted(set(raw) - {"rule"})
    if unknown:
        line = next(
            (i for i, s in enumerate(text.splitlines(), 1) if re.match(rf"^\s*\[?\s*{unknown[0]}\b", s)), None
        )
        raise AlertRulesError(path, line, f"unknown key `{unknown[0]}` (the file holds only [[rule]] tables)")
    items = raw.get("rule", [])
    if not isinstance(items, list):
        raise AlertRulesError(path, None, "`rule` must be an array of tables ([[rule]] sections)")
    headers = _rule_lines(text)
    return [
        _parse_rule(text, path, item, headers[i] if i < len(headers) else 0) for i, item in enumerate(items)
    ]


def _parse_rule(text: str, path, item: dict, start: int) -> Rule:
    def fail(key: str | None, problem: str):
        raise AlertRulesError(path, _key_line(text, start, key) if key else start or None, problem)

    kind = item.get("kind")
    if kind not in KINDS:
        fail("kind", f"kind {kind!r} is not one of {', '.join(KINDS)}")
    unknown = sorted(set(item) - _KEYS[kind])
    if unknown:
        fail(
            unknown[0],
            f"unknown key `{unknown[0]}` for a {kind} rule (expected {', '.join(sorted(_KEYS[kind]))})",
        )
    level = item.get("level", "attention")
    if level not in LEVELS:
        fail("level", f"level {level!r} is not one of {', '.join(LEVELS)}")
    name = item.get("name", "")
    if not isinstance(name, str):
        fail("name", "name must be a string")
    base = {"kind": kind, "level": level, "name": name, "line": start}
    if kind == "threshold":
        metric = item.get("metric")
        m = catalogue.metric(metric) if isinstance(metric, str) else None
        if m is None or m.source not in METRIC_SOURCES or m.kind not in METRIC_KINDS:
            fail(
                "metric",
                f"unknown metric {metric!r}: expected a metric of the catalogue (core/catalogue.py) about "
                f"{', '.join(METRIC_SOURCES)}, e.g. index_total, on_time_rate, signature_rate",
            )
        below = item.get("below")
        below_target = below == "target"
        if below_target and m.target is None:
            fail("below", f'below = "target", but {metric} has no target')
        for key in ("below", "above", "at_least"):
            value = item.get(key)
            if value is not None and not _number(value) and not (key == "below" and below_target):
                hint = ' or "target"' if key == "below" else ""
                fail(key, f"{key} must be a number{hint}, not {value!r}")
        if below is None and item.get("above") is None:
            fail(None, 'a threshold rule needs `below` (a number or "target") or `above`')
        return Rule(
            **base,
            metric=metric,
            below=None if below_target or below is None else float(below),
            below_target=below_target,
            above=None if item.get("above") is None else float(item["above"]),
            at_least=None if item.get("at_least") is None else float(item["at_least"]),
        )
    if kind == "rank_drop":
        places = item.get("places")
        if not isinstance(places, int) or isinstance(places, bool) or places < 1:
            fail("places", f"places must be a whole number of at least 1, not {places!r}")
        return Rule(**base, places=places)
    source = item.get("source")
    if source not in SOURCES:
        fail("source", f"source {source!r} is not one of {', '.join(SOURCES)}")
    if kind == "no_data":
        return Rule(**base, source=source)
    days = item.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        fail("days", f"days must be a whole number of at least 1, not {days!r}")
    return Rule(**base, source=source, days=days)


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """The rules of `path`, else `$CDS_ALERT_RULES`, else the project's default file."""
    p = rules_path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as err:
        raise AlertRulesError(p, None, f"cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise AlertRulesError(p, None, "is not UTF-8 text") from None
    return parse_rules(text, p)
