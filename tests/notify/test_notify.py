"""notify end to end against a real SMTP server (aiosmtpd on 127.0.0.1): each role receives exactly its
scope (checked by parsing the attachments with python-docx and pypdf), nothing is sent twice, a
correction goes only to the recipients whose content changed and is marked, a dry run writes one .eml
per subscriber, an unreachable server is retried then named with nothing recorded, a permanent
refusal names the recipient and the server's answer, one recipient's failed report does not stop the
others, and a malformed rules file stops the run before anything is sent."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import duckdb
import pypdf
import pytest

from core.periods import parse_period
from metrics import attention, notify_log
from metrics.alert_rules import AlertRulesError, load_rules
from metrics.scope import Scope
from notify.record import Busy, Record
from notify.run import run
from tests.notify.conftest import PERIOD, PHU_THO, VAN_BAN
from tests.notify.smtp import env, free_port, smtp_server

ROOT = Path(__file__).resolve().parents[2]


def users_file(tmp_path: Path, accounts: dict[str, dict]) -> Path:
    lines = []
    for name, a in accounts.items():
        lines.append(f'[users."{name}"]')
        for key, value in a.items():
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append('password_hash = ""')
        lines.append("")
    p = tmp_path / "users.toml"
    p.write_text("\n".join(lines), encoding="utf-8")
    return p


def docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def attachments(msg) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def body(msg, kind="plain") -> str:
    return msg.get_body((kind,)).get_content()


def names(db: Path, province: int) -> dict[int, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select commune_code, name from dim_commune where province_code = ?", [province]
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


@pytest.fixture(scope="module")
def sent_once(notify_warehouse, phu_tho_communes, tmp_path_factory):
    """One real run to the server for a commune, another commune, a province (en), a steward
    (alerts only) and a national account."""
    tmp = tmp_path_factory.mktemp("notify_sent")
    other = next(c for c in phu_tho_communes if c != VAN_BAN)
    users = users_file(
        tmp,
        {
            "vb": {
                "role": "commune",
                "scope": VAN_BAN,
                "email": "vb@xa.example.vn",
                "subscribe": ["pack", "alerts"],
            },
            "c2": {
                "role": "commune",
                "scope": other,
                "email": "c2@xa.example.vn",
                "subscribe": ["pack", "alerts"],
            },
            "pt": {
                "role": "province",
                "scope": PHU_THO,
                "email": "pt@tinh.example.vn",
                "lang": "en",
                "subscribe": ["pack", "alerts"],
            },
            "st": {
                "role": "steward",
                "scope": PHU_THO,
                "email": "st@tinh.example.vn",
                "subscribe": ["alerts"],
            },
            "tw": {"role": "national", "email": "tw@tw.example.vn", "subscribe": ["pack"]},
            "quiet": {"role": "commune", "scope": other, "subscribe": []},
        },
    )
    with smtp_server() as (handler, port):
        result = run(PERIOD, users, path=notify_warehouse, env=env(port))
        yield {"users": users, "handler": handler, "port": port, "result": result, "other": other}


def test_each_role_receives_exactly_its_scope(sent_once, notify_warehouse):
    handler, result, other = sent_once["handler"], sent_once["result"], sent_once["other"]
    assert result.ok and result.count("sent") == 5, result.outcomes
    assert sorted(r for rcpts, _ in handler.messages for r in rcpts) == sorted(
        [
            "vb@xa.example.vn",
            "c2@xa.example.vn",
            "pt@tinh.example.vn",
            "st@tinh.example.vn",
            "tw@tw.example.vn",
        ]
    )
    phu_tho = names(notify_warehouse, PHU_THO)
    ha_noi = names(notify_warehouse, 1)
    # commune accounts: their own report, DOCX and PDF that open, and no other commune's name
    for address, code in (("vb@xa.example.vn", VAN_BAN), ("c2@xa.example.vn", other)):
        (msg,) = handler.to(address)
        files = attachments(msg)
        assert sorted(Path(f).suffix for f in files) == [".docx", ".pdf"]
        texts = [docx_text(d) if f.endswith(".docx") else pdf_text(d) for f, d in files.items()]
        texts += [body(msg), body(msg, "html")]
        for text in texts:
            assert phu_tho[code] in text
            # another commune may be named only by its published index result, which is public
            # within the province ("0,09 points to overtake X (rank 52, 90,05 points)")
            others = [
                (n, line)
                for line in text.splitlines()
                for c, n in phu_tho.items()
                if c != code and n != phu_tho[code] and n in line and "vượt" not in line
            ]
            assert not others, (address, others)
        assert f"commune={code}" in body(msg) and "https://cds.example.vn/commune?" in body(msg)
    # the province account (English): the briefing names Phú Thọ's communes, never Hà Nội's
    (msg,) = handler.to("pt@tinh.example.vn")
    files = attachments(msg)
    assert sorted(files) == [
        "bao-cao-tom-tat-cds-tinh-phu-tho-2025-10-en.docx",
        "bao-cao-tom-tat-cds-tinh-phu-tho-2025-10-en.pdf",
    ]
    briefing = docx_text(files["bao-cao-tom-tat-cds-tinh-phu-tho-2025-10-en.docx"])
    assert phu_tho[VAN_BAN] in briefing and "Phú Thọ" in pdf_text(
        files["bao-cao-tom-tat-cds-tinh-phu-tho-2025-10-en.pdf"]
    )
    assert not [n for n in ha_noi.values() if n in briefing and n not in phu_tho.values()]
    assert msg["Subject"].startswith("Digital transformation briefing 10/2025: Phú Thọ")
    # the steward (alerts only): no attachment; the list is exactly the province's attention list
    (msg,) = handler.to("st@tinh.example.vn")
    assert not attachments(msg)
    expected = attention.by_commune(
        attention.communes_needing_attention(
            Scope("province", PHU_THO), parse_period(PERIOD), load_rules(), path=notify_warehouse
        ),
        "vi",
    )
    text = body(msg)
    for name in expected["commune_name"].head(20):
        assert name in text
    assert all(c in phu_tho for c in expected["commune_code"])
    # the national account: the 34-province summary, no commune report
    (msg,) = handler.to("tw@tw.example.vn")
    assert not attachments(msg) and "34" in msg["Subject"]
    assert body(msg).count("\n") > 34 and "Phú Thọ" in body(msg) and "Hà Nội" in body(msg)


def test_rerun_sends_nothing_and_a_correction_only_what_changed(sent_once, notify_warehouse, tmp_path):
    handler, port, users = sent_once["handler"], sent_once["port"], sent_once["users"]
    before = len(handler.messages)
    again = run(PERIOD, users, path=notify_warehouse, env=env(port))
    assert again.count("skipped") == 5 and again.count("sent", "correction") == 0
    assert len(handler.messages) == before
    # a correction of Vân Bán's October signatures (as a reload would write it), on a copy
    fixed = tmp_path / "warehouse.duckdb"
    shutil.copy(notify_warehouse, fixed)
    con = duckdb.connect(str(fixed))
    con.execute(
        "update mart_commune_month set docs_signed = docs_signed - 1 "
        "where commune_code = ? and month = date '2025-10-01' and docs_signed > 0",
        [VAN_BAN],
    )
    con.close()
    corrected = run(PERIOD, users, path=fixed, env=env(port))
    changed = {o.user for o in corrected.outcomes if o.status == "correction"}
    assert "vb" in changed and "c2" not in changed and "tw" not in changed
    assert corrected.count("sent") == 0 and corrected.count("skipped") == 5 - len(changed)
    (msg,) = [m for m in handler.to("vb@xa.example.vn")][1:]
    assert msg["Subject"].startswith("[Đính chính] ") and msg["X-CDS-Correction"] == "yes"
    assert "đính chính" in body(msg)
    # and once corrected, a re-run sends nothing again
    assert run(PERIOD, users, path=fixed, env=env(port)).count("skipped") == 5
    record = notify_log.read(users.parent / "notify-sent.jsonl")
    sent = [i for i in record if i.get("type") == "message" and i["status"] == "sent"]
    assert len(sent) == 5 + len(changed)
    run_, failures = notify_log.last_run(users.parent / "notify-sent.jsonl")
    assert run_["skipped"] == 5 and failures.empty


def test_dry_run_writes_one_eml_per_subscriber(notify_warehouse, tmp_path):
    users = users_file(
        tmp_path,
        {
            "st": {
                "role": "steward",
                "scope": PHU_THO,
                "email": "st@tinh.example.vn",
                "subscribe": ["alerts"],
            },
            "vb": {"role": "commune", "scope": VAN_BAN, "email": "vb@xa.example.vn", "subscribe": ["alerts"]},
            "off": {
                "role": "commune",
                "scope": VAN_BAN,
                "email": "x@xa.example.vn",
                "subscribe": ["alerts"],
                "disabled": True,
            },
        },
    )
    out = tmp_path / "out"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "notify",
            "run",
            "--period",
            PERIOD,
            "--users",
            str(users),
            "--dry-run",
            str(out),
            "--db",
            str(notify_warehouse),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**__import__("os").environ, "CDS_SMTP_HOST": ""},
    )
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["st.eml", "vb.eml"]
    assert not notify_log.last_sent(users.parent / "notify-sent.jsonl", PERIOD)


def test_unreachable_server_is_retried_then_named_and_nothing_recorded(notify_warehouse, tmp_path):
    users = users_file(
        tmp_path,
        {
            "st": {
                "role": "steward",
                "scope": PHU_THO,
                "email": "st@tinh.example.vn",
                "subscribe": ["alerts"],
            },
            "vb": {"role": "commune", "scope": VAN_BAN, "email": "vb@xa.example.vn", "subscribe": ["alerts"]},
        },
    )
    port = free_port()  # nothing listens there
    waits: list[float] = []
    result = run(
        PERIOD, users, path=notify_warehouse, env=env(port, CDS_SMTP_RETRIES="4"), sleep=waits.append
    )
    assert not result.ok and f"127.0.0.1:{port}" in result.aborted and "after 4 attempts" in result.aborted
    assert waits == [0.5, 1.0, 2.0]  # one message tried 4 times, then the run stopped
    assert {o.user: o.status for o in result.outcomes} == {"st": "aborted", "vb": "aborted"}
    assert not notify_log.last_sent(users.parent / "notify-sent.jsonl", PERIOD)


def test_temporary_refusal_retried_permanent_refusal_named(notify_warehouse, tmp_path):
    users = users_file(
        tmp_path,
        {
            "st": {
                "role": "steward",
                "scope": PHU_THO,
                "email": "st@tinh.example.vn",
                "subscribe": ["alerts"],
            },
            "vb": {
                "role": "commune",
                "scope": VAN_BAN,
                "email": "gone@xa.example.vn",
                "subscribe": ["alerts"],
            },
        },
    )
    with smtp_server() as (handler, port):
        handler.busy = 1
        handler.refuse["gone@xa.example.vn"] = "550 5.1.1 mailbox unavailable"
        result = run(PERIOD, users, path=notify_warehouse, env=env(port), sleep=lambda s: None)
    by = {o.user: o for o in result.outcomes}
    assert by["st"].status == "sent" and len(handler.to("st@tinh.example.vn")) == 1
    assert by["vb"].status == "failed"
    assert "gone@xa.example.vn" in by["vb"].error and "550 5.1.1 mailbox unavailable" in by["vb"].error
    run_, failures = notify_log.last_run(users.parent / "notify-sent.jsonl")
    assert (run_["sent"], run_["failed"]) == (1, 1) and list(failures["user"]) == ["vb"]


def test_one_failed_report_does_not_stop_the_others(
    notify_warehouse, phu_tho_communes, tmp_path, monkeypatch
):
    import reports

    other = next(c for c in phu_tho_communes if c != VAN_BAN)
    real = reports.build_commune_reports

    def broken(code, *args, **kwargs):
        if int(code) == other:
            raise RuntimeError("the chart renderer crashed")
        return real(code, *args, **kwargs)

    monkeypatch.setattr(reports, "build_commune_reports", broken)
    users = users_file(
        tmp_path,
        {
            "vb": {"role": "commune", "scope": VAN_BAN, "email": "vb@xa.example.vn", "subscribe": ["pack"]},
            "c2": {"role": "commune", "scope": other, "email": "c2@xa.example.vn", "subscribe": ["pack"]},
        },
    )
    with smtp_server() as (handler, port):
        result = run(PERIOD, users, path=notify_warehouse, env=env(port))
        by = {o.user: o for o in result.outcomes}
        assert by["vb"].status == "sent" and len(handler.to("vb@xa.example.vn")) == 1
        assert by["c2"].status == "failed" and "the chart renderer crashed" in by["c2"].error
        assert not handler.to("c2@xa.example.vn")
        monkeypatch.setattr(reports, "build_commune_reports", real)
        retry = run(PERIOD, users, path=notify_warehouse, env=env(port))
        assert {o.user: o.status for o in retry.outcomes} == {"vb": "skipped", "c2": "sent"}


def test_malformed_rules_stop_before_anything_is_sent(notify_warehouse, tmp_path):
    users = users_file(
        tmp_path,
        {"st": {"role": "steward", "scope": PHU_THO, "email": "st@tinh.example.vn", "subscribe": ["alerts"]}},
    )
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nkind = "threshold"\nmetric = "happiness"\nbelow = 1\n', encoding="utf-8")
    with smtp_server() as (handler, port):
        with pytest.raises(AlertRulesError, match=r"rules.toml, line 3: unknown metric 'happiness'"):
            run(PERIOD, users, path=notify_warehouse, env=env(port), rules_file=rules)
        assert not handler.messages
    assert not (users.parent / "notify-sent.jsonl").exists()


def test_a_second_run_waits_for_the_lock(notify_warehouse, tmp_path):
    users = users_file(
        tmp_path,
        {"st": {"role": "steward", "scope": PHU_THO, "email": "st@tinh.example.vn", "subscribe": ["alerts"]}},
    )
    with Record(users.parent / "notify-sent.jsonl"), pytest.raises(Busy, match="another notify run"):
        run(PERIOD, users, path=notify_warehouse, dry_run=tmp_path / "out")
