"""What each subscriber receives, within their account's scope and nothing more:

* commune account: its commune's report (DOCX, PDF attached; `pack`) and its own alerts (`alerts`);
* province or steward account: the province briefing (DOCX, PDF; `pack`) and its communes' alerts;
* national account: the 34-province summary table (`pack`) and the communes needing attention per
  province (`alerts`).

Every figure is read with the account's own Scope (metrics.scope.for_role), so a commune account's
message and attachments hold its own commune's figures only.  `plan()` computes the figures, the
alerts and a digest of everything the message says (cheap); `build()` renders the reports and the
message (the costly part) only for the recipients who need it.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlencode

import pandas as pd

from accounts.store import Account
from core import catalogue
from core.periods import Period
from metrics import attention, rankings, report_data
from metrics.alert_rules import Rule
from metrics.i18n import fmt_number, fmt_pct, t
from metrics.scope import Scope, for_role

MAX_ALERT_ROWS = 20  # the e-mail's table; the dashboard link opens the whole list
COMMUNE_FIGURES = ["index_total", "index_rank", "online_rate", "on_time_rate", "signature_rate"]
NATIONAL_FIGURES = ["index_average", "index_rank", "online_rate", "on_time_rate", "signature_rate"]


@dataclass
class Plan:
    """A subscriber's message before rendering: scope, what it says, its digest."""

    user: str
    email: str
    role: str
    lang: str
    subscribe: tuple[str, ...]
    period: Period
    scope: Scope
    unit: str  # the commune's, the province's name or '34 provinces'
    figures: list[list[str]] = field(default_factory=list)  # rows of the short table (header first)
    alerts: pd.DataFrame = field(default_factory=pd.DataFrame)  # attention.by_commune (or per province)
    link: str = ""
    digest: str = ""


def _period_key(period: Period) -> str:
    return period.key


def link(base: str, page: str, lang: str, period: Period, province=None, commune=None) -> str:
    """A deep link into the dashboard: the page with the filters in its URL (ui/filters.py params)."""
    params = {}
    if province is not None:
        params["province"] = str(int(province))
    if commune is not None:
        params["commune"] = str(int(commune))
    params["period"] = period.key
    params["lang"] = lang
    return f"{base}/{page}?{urlencode(params)}"


def _fmt(metric: str, value, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "–"
    m = catalogue.metric(metric)
    if m is not None and m.fmt == "pct":
        return fmt_pct(value, lang)
    decimals = catalogue.FORMATS[m.fmt][0] if m is not None else 2
    return fmt_number(value, lang, decimals)


def _target(metric: str, lang: str) -> str:
    m = catalogue.metric(metric)
    return _fmt(metric, m.target.value, lang) if m is not None and m.target is not None else ""


def _digest(value) -> object:
    """A JSON-able form of report data (dataclasses, frames, dicts) for hashing."""
    if isinstance(value, pd.DataFrame):
        return value.to_csv(index=False)
    if isinstance(value, pd.Series):
        return value.to_csv()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _digest(getattr(value, f.name)) for f in fields(value) if f.name != "data_as_of"}
    if isinstance(value, dict):
        return {str(k): _digest(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_digest(v) for v in value]
    return str(value)


def plan(account: Account, period: Period, rules: list[Rule], base_url: str, path=None) -> Plan:
    """The subscriber's figures, alerts and digest (raises on an unknown scope or a read error)."""
    scope = for_role(account.role, account.scope, path)
    lang = account.lang
    p = Plan(account.username, account.email, account.role, lang, account.subscribe, period, scope, "")
    report = None
    if scope.level == "commune":
        ranking = rankings.province_ranking(scope.province_code, period, scope, path)
        row = ranking[ranking["commune_code"] == scope.commune_code]
        p.unit = str(row["commune_name"].iloc[0]) if not row.empty else str(scope.commune_code)
        p.link = link(base_url, "commune", lang, period, scope.province_code, scope.commune_code)
        r = row.iloc[0] if not row.empty else {}
        p.figures = [[t("col_indicator", lang), t("mail_col_value", lang), t("mail_col_target", lang)]] + [
            [attention.metric_label(m, lang), _fmt(m, r.get(m), lang), _target(m, lang)]
            for m in COMMUNE_FIGURES
        ]
        if "pack" in p.subscribe:
            report = report_data.commune_report_data(scope.commune_code, period, scope, path)
    elif scope.level == "province":
        p.unit = report_data.province_name(scope.province_code, scope, path)
        p.link = link(base_url, "province", lang, period, scope.province_code)
        head = rankings.headline(scope.province_code, period, scope, path)
        p.figures = [[t("col_indicator", lang), t("mail_col_value", lang), t("mail_col_target", lang)]] + [
            [
                attention.metric_label(r["metric"], lang),
                _fmt(r["metric"], r["value"], lang),
                _target(r["metric"], lang),
            ]
            for _, r in head.iterrows()
        ]
        if "pack" in p.subscribe:
            report = report_data.province_briefing_data(scope.province_code, period, scope, path)
    else:
        p.unit = t("mail_col_province", lang)
        p.link = link(base_url, "national", lang, period)
        table = rankings.national_table(period, scope, path)
        header = [t("mail_col_province", lang)] + [attention.metric_label(m, lang) for m in NATIONAL_FIGURES]
        p.figures = [header] + [
            [str(r["province_name"])] + [_fmt(m, r.get(m), lang) for m in NATIONAL_FIGURES]
            for _, r in table.iterrows()
        ]
    if "alerts" in p.subscribe:
        found = attention.communes_needing_attention(scope, period, rules, path=path)
        if scope.level == "national":
            per = attention.by_commune(found, lang)
            p.alerts = (
                per.groupby("province_code")["level"]
                .value_counts()
                .unstack(fill_value=0)
                .reindex(columns=["urgent", "attention"], fill_value=0)
                .reset_index()
            )
            names = rankings.national_table(period, scope, path).set_index("province_code")["province_name"]
            p.alerts["province_name"] = p.alerts["province_code"].map(names)
        else:
            p.alerts = attention.by_commune(found, lang)
    content = {
        "user": p.user,
        "email": p.email,
        "role": p.role,
        "scope": [scope.level, scope.province_code, scope.commune_code],
        "lang": lang,
        "subscribe": list(p.subscribe),
        "period": period.key,
        "figures": p.figures,
        "alerts": _digest(p.alerts),
        "report": _digest(report) if report is not None else None,
    }
    p.digest = hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return p


def attachments(p: Plan, path=None, issued_on: date | None = None) -> list[tuple[str, str, bytes]]:
    """(file name, media type, bytes) of the pack: the report or briefing as DOCX and PDF."""
    if "pack" not in p.subscribe or p.scope.level == "national":
        return []
    from reports import MEDIA_TYPES, build_commune_reports, build_province_briefings, file_name

    if p.scope.level == "commune":
        files = build_commune_reports(
            p.scope.commune_code, p.period, ["docx", "pdf"], p.lang, p.scope, path, issued_on=issued_on
        )
        kind, code = "commune", p.scope.commune_code
    else:
        files = build_province_briefings(
            p.scope.province_code, p.period, ["docx", "pdf"], p.lang, p.scope, path, issued_on=issued_on
        )
        kind, code = "province", p.scope.province_code
    return [
        (file_name(kind, code, p.period, fmt, p.lang), MEDIA_TYPES[fmt], data) for fmt, data in files.items()
    ]


def _alert_rows(p: Plan, base_url: str) -> tuple[list[list[str]], list[str | None], int]:
    """The alert table's rows (header first), each row's link, and how many were left out."""
    lang = p.lang
    if p.alerts.empty:
        return [], [], 0
    if p.scope.level == "national":
        rows = [[t("mail_col_province", lang), t("mail_col_urgent", lang), t("mail_col_attention", lang)]]
        links: list[str | None] = [None]
        for _, r in p.alerts.iterrows():
            rows.append([str(r["province_name"]), str(int(r["urgent"])), str(int(r["attention"]))])
            links.append(link(base_url, "province", lang, p.period, r["province_code"]))
        return rows, links, 0
    shown = p.alerts.head(MAX_ALERT_ROWS)
    rows = [[t("col_commune_name", lang), t("att_level", lang), t("att_reasons", lang)]]
    links = [None]
    for _, r in shown.iterrows():
        rows.append([str(r["commune_name"]), str(r["level_label"]), str(r["reasons"])])
        links.append(link(base_url, "commune", lang, p.period, r["province_code"], r["commune_code"]))
    return rows, links, len(p.alerts) - len(shown)


def _text_table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _html_table(rows: list[list[str]], links: list[str | None] | None = None) -> str:
    if not rows:
        return ""
    cell = 'style="border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top"'
    out = ['<table style="border-collapse:collapse;font-size:14px">']
    out.append("<tr>" + "".join(f"<th {cell}>{html.escape(c)}</th>" for c in rows[0]) + "</tr>")
    for i, r in enumerate(rows[1:], 1):
        href = links[i] if links and i < len(links) else None
        first = (
            f'<a href="{html.escape(href, quote=True)}">{html.escape(r[0])}</a>'
            if href
            else html.escape(r[0])
        )
        out.append(
            "<tr>"
            + f"<td {cell}>{first}</td>"
            + "".join(f"<td {cell}>{html.escape(c)}</td>" for c in r[1:])
            + "</tr>"
        )
    out.append("</table>")
    return "\n".join(out)


def subject(p: Plan, correction: bool) -> str:
    lang, label = p.lang, p.period.label(p.lang)
    key = {"commune": "mail_subject_commune", "province": "mail_subject_province"}.get(
        p.scope.level, "mail_subject_national"
    )
    return (t("mail_correction", lang) if correction else "") + t(key, lang).format(period=label, unit=p.unit)


def bodies(p: Plan, base_url: str, correction: bool) -> tuple[str, str]:
    """(plain text, HTML) in the account's language."""
    lang, label = p.lang, p.period.label(p.lang)
    level = p.scope.level if p.scope.level in ("commune", "province") else "national"
    text: list[str] = []
    parts: list[str] = ['<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px">']

    def para(s: str, strong: bool = False) -> None:
        text.append(s)
        e = html.escape(s)
        parts.append(f"<p><strong>{e}</strong></p>" if strong else f"<p>{e}</p>")

    if correction:
        para(t("mail_correction_note", lang).format(period=label), strong=True)
    para(t("mail_greeting", lang).format(user=p.user))
    if "pack" in p.subscribe:
        para(t(f"mail_intro_{level}", lang).format(period=label, unit=p.unit))
    else:
        para(t("mail_alerts_only", lang))
    if "pack" in p.subscribe or level != "national":
        text += ["", t("mail_figures", lang), _text_table(p.figures), ""]
        parts += [f"<h3>{html.escape(t('mail_figures', lang))}</h3>", _html_table(p.figures)]
    if "alerts" in p.subscribe:
        rows, links, more = _alert_rows(p, base_url)
        heading = t("h_attention", lang)
        text += ["", heading]
        parts.append(f"<h3>{html.escape(heading)}</h3>")
        if not rows:
            para(t("mail_own_alerts_none" if level == "commune" else "att_none", lang))
        else:
            text.append(_text_table(rows))
            parts.append(_html_table(rows, links))
            if more:
                para(t("mail_more", lang).format(n=more))
    text += ["", f"{t('mail_open', lang)}: {p.link}"]
    parts.append(
        f'<p><a href="{html.escape(p.link, quote=True)}">{html.escape(t("mail_open", lang))}</a></p>'
    )
    footer = t("mail_footer", lang).format(user=p.user)
    text += ["", "--", footer]
    parts.append(f'<p style="color:#666;font-size:12px">{html.escape(footer)}</p></div>')
    return "\n".join(text) + "\n", "\n".join(parts)


def as_bytes(msg: EmailMessage) -> bytes:
    """The message as an .eml file.  compat32 folds the encoded subject with its spaces inside the
    encoded words (the default policy leaves the space between words, which readers drop)."""
    return msg.as_bytes(policy=policy.compat32)


def message(
    p: Plan, mail_from: str, base_url: str, correction: bool, files: list[tuple[str, str, bytes]]
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(p, correction)
    msg["From"] = mail_from
    msg["To"] = p.email
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=mail_from.rsplit("@", 1)[-1])
    msg["X-CDS-Period"] = p.period.key
    msg["X-CDS-User"] = p.user
    msg["X-CDS-Digest"] = p.digest
    if correction:
        msg["X-CDS-Correction"] = "yes"
    text, body = bodies(p, base_url, correction)
    msg.set_content(text)
    msg.add_alternative(body, subtype="html")
    for name, media, data in files:
        maintype, subtype = media.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg
