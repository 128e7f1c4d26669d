"""The province overview and the e-mail show the same needs-attention list (one function feeds both);
the data-quality page shows the last notify run; the systemd unit runs a command the CLI accepts."""

from __future__ import annotations

import json
import shlex
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics.i18n import t
from notify.run import run
from tests.notify.conftest import PERIOD, PHU_THO
from tests.notify.test_notify import users_file

ROOT = Path(__file__).resolve().parents[2]
RULES = '[[rule]]\nkind = "threshold"\nmetric = "index_total"\nbelow = 88\nlevel = "urgent"\n'


class _FirstCells(HTMLParser):
    """The first cell of each row of the last table of an HTML body."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[str]] = []
        self._cell: list[str] | None = None
        self._first = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._first = True
        elif tag == "td" and self._first:
            self._cell, self._first = [], False
        elif tag == "td":
            self._first = False

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.tables[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def run_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_and_email_show_the_same_list(notify_warehouse, tmp_path, monkeypatch):
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("CDS_WAREHOUSE", str(notify_warehouse))
    monkeypatch.setenv("CDS_ALERT_RULES", str(rules))
    users = users_file(
        tmp_path,
        {"st": {"role": "steward", "scope": PHU_THO, "email": "st@tinh.example.vn", "subscribe": ["alerts"]}},
    )
    run(PERIOD, users, path=notify_warehouse, dry_run=tmp_path / "out")
    msg = message_from_bytes((tmp_path / "out" / "st.eml").read_bytes(), policy=policy.default)
    parser = _FirstCells()
    parser.feed(msg.get_body(("html",)).get_content())
    in_mail = parser.tables[-1]
    at = run_page("province", province=PHU_THO, period=PERIOD, lang="vi")
    (table,) = [d.value for d in at.dataframe if "reasons" in d.value.columns]
    assert in_mail and list(table["commune_name"]) == in_mail


def test_quality_page_shows_the_last_run(notify_warehouse, tmp_path, monkeypatch):
    record = tmp_path / "notify-sent.jsonl"
    lines = [
        {
            "type": "message",
            "run": "r1",
            "period": "2025-10",
            "user": "vb",
            "email": "vb@x.vn",
            "status": "failed",
            "error": "vb@x.vn: 550 mailbox unavailable",
        },
        {
            "type": "run",
            "run": "r1",
            "at": "2025-11-03T07:02:11",
            "period": "2025-10",
            "sent": 147,
            "corrections": 2,
            "skipped": 0,
            "failed": 1,
        },
    ]
    record.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("CDS_WAREHOUSE", str(notify_warehouse))
    monkeypatch.setenv("CDS_NOTIFY_RECORD", str(record))
    at = run_page("quality", province=PHU_THO, period=PERIOD, lang="en")
    assert any(t("h_notify", "en") == s.value for s in at.subheader)
    texts = [m.value for m in at.markdown]
    assert any("147 sent, 2 corrections, 0 skipped (already sent), 1 failed" in x for x in texts), texts
    failures = [d.value for d in at.dataframe if t("col_recipient", "en") in d.value.columns]
    assert failures and "550 mailbox unavailable" in failures[0].iloc[0].tolist()[-1]


def test_systemd_unit_runs_a_command_the_cli_accepts():
    from notify.cli import _parser

    root = ROOT / "deploy" / "systemd"
    service = (root / "cds-notify.service").read_text(encoding="utf-8")
    timer = (root / "cds-notify.timer").read_text(encoding="utf-8")
    assert "Unit=cds-notify.service" in timer and "OnCalendar=" in timer
    (line,) = [x.split("=", 1)[1] for x in service.splitlines() if x.startswith("ExecStart=")]
    argv = shlex.split(line)
    assert argv[1:3] == ["-m", "notify"]
    args = _parser().parse_args(argv[3:])
    assert args.command == "run" and args.period == "latest"
    assert "ReadWritePaths=/var/lib/cds" in service and "CDS_NOTIFY_RECORD=/var/lib/cds/" in service
