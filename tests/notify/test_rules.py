"""The alert rules file: the default parses; every mistake is an error naming the line."""

from __future__ import annotations

import pytest

from metrics.alert_rules import DEFAULT_PATH, AlertRulesError, load_rules, parse_rules


def test_default_rules_parse():
    rules = load_rules(DEFAULT_PATH)
    keys = {r.key for r in rules}
    assert {"index_total <80", "index_total >=80 <90", "signature_rate <1", "on_time_rate <target"} <= keys
    assert {r.kind for r in rules} == {"threshold", "rank_drop", "no_data", "stale"}


GOOD = '[[rule]]\nkind = "threshold"\nmetric = "index_total"\nbelow = 80\n\n'


@pytest.mark.parametrize(
    ("extra", "line", "words"),
    [
        (
            '[[rule]]\nkind = "threshold"\nmetric = "index_totl"\nbelow = 80\n',
            8,
            "unknown metric 'index_totl'",
        ),
        (
            '[[rule]]\nkind = "threshold"\nmetric = "on_time_rate"\nbelow = "soon"\n',
            9,
            "below must be a number",
        ),
        ('[[rule]]\nkind = "rank_drop"\nplaces = 0\n', 8, "places must be"),
        ('[[rule]]\nkind = "no_data"\nsource = "weather"\n', 8, "source 'weather'"),
        (
            '[[rule]]\nkind = "threshold"\nmetric = "index_total"\nbelow = 80\nlevel = "red"\n',
            10,
            "level 'red'",
        ),
        ('[[rule]]\nkind = "alarm"\n', 7, "kind 'alarm'"),
        ('[[rule]]\nkind = "stale"\nsource = "index"\ndays = 30\ncolour = 1\n', 10, "unknown key `colour`"),
        ("[[rule]]\nkind = \n", 7, "not valid TOML"),
    ],
)
def test_malformed_rules_name_the_line(extra, line, words):
    with pytest.raises(AlertRulesError) as err:
        parse_rules(GOOD + extra, "rules.toml")
    assert err.value.line == line, str(err.value)
    assert f"rules.toml, line {line}" in str(err.value) and words in str(err.value)


def test_rules_path_from_environment(tmp_path, monkeypatch):
    p = tmp_path / "r.toml"
    p.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("CDS_ALERT_RULES", str(p))
    assert [r.key for r in load_rules()] == ["index_total <80"]
    p.write_bytes(b"\xff\xfe")
    with pytest.raises(AlertRulesError, match="UTF-8"):
        load_rules()
