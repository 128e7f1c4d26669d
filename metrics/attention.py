"""Communes needing attention: the alert rules (metrics/alert_rules.py) applied to a period.

One function, `communes_needing_attention`, feeds both the province overview's "needs attention"
section (ui/attention_section.py) and the e-mails (notify/), so the page and the e-mail never disagree.

Population: the communes of `province` the caller's scope may see — every commune of the province for
a province or national scope, the commune itself for a commune scope (its figures are its own; the
published rank it is compared with is public within the province, as on the overview page).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from core import catalogue
from core.periods import Period
from metrics import db, quality, rankings
from metrics.alert_rules import Rule
from metrics.i18n import fmt_month, fmt_number, fmt_pct, t
from metrics.scope import OPEN, Scope

LAST_MONTH_SQL = db.read_sql("attention_last_month.sql")
COLUMNS = [
    "province_code",
    "commune_code",
    "commune_name",
    "level",
    "rule",
    "kind",
    "metric",
    "source",
    "value",
    "threshold",
    "previous",
]
_LEVEL_ORDER = {"urgent": 0, "attention": 1}
_COVERAGE_COLUMN = {"dossiers": "dossier_rows", "signatures": "signature_months", "index": "index_periods"}


def communes_needing_attention(
    scope: Scope, period: Period, rules: list[Rule], province: int | None = None, path=None
) -> pd.DataFrame:
    """One row per commune and rule it breaks (COLUMNS), urgent first, then by commune name.

    `province` defaults to the scope's; a national scope without a province covers every province.
    `value` is what the commune has (a metric's value, the places lost, the latest month's first
    day as an ISO date for `stale`), `threshold` what the rule asks for."""
    province = province if province is not None else scope.province_code
    if province is None:
        codes = rankings.national_table(period, scope, path)["province_code"].astype(int).tolist()
        frames = [communes_needing_attention(scope, period, rules, p, path) for p in codes]
        frames = [f for f in frames if not f.empty]
        return _sorted(pd.concat(frames, ignore_index=True)) if frames else pd.DataFrame(columns=COLUMNS)
    rows: list[dict] = []
    ranking = rankings.province_ranking(province, period, scope, path)
    if scope.level == "commune":
        ranking = ranking[ranking["commune_code"] == scope.commune_code]
    names = ranking.set_index("commune_code")["commune_name"].to_dict()
    needs = {r.kind for r in rules}
    coverage = quality.coverage(province, period, scope, path) if "no_data" in needs else None
    last = (
        db.query(LAST_MONTH_SQL, {"end": period.end, "province": province}, path, scope=scope)
        if "stale" in needs
        else None
    )
    for rule in rules:
        if rule.kind == "threshold":
            rows += _threshold(rule, ranking)
        elif rule.kind == "rank_drop":
            drop = -pd.to_numeric(ranking["index_rank_change"], errors="coerce")
            hit = ranking[drop >= rule.places]
            rows += [
                _row(rule, r, value=float(-r["index_rank_change"]), threshold=float(rule.places))
                | {"previous": r["previous_index_rank"]}
                for r in hit.to_dict("records")
            ]
        elif rule.kind == "no_data":
            hit = coverage[coverage[_COVERAGE_COLUMN[rule.source]] == 0]
            rows += [_row(rule, r) for r in hit.to_dict("records")]
        elif rule.kind == "stale":
            for r in last.to_dict("records"):
                month = r[rule.source]
                if pd.isna(month):
                    continue  # no data at all: the no_data rule's business
                month = pd.Timestamp(month).date()
                ends = _month_end(month)
                if (period.end - ends).days > rule.days:
                    rows.append(_row(rule, r, value=month.isoformat(), threshold=float(rule.days)))
    df = pd.DataFrame(rows, columns=COLUMNS)
    if df.empty:
        return df
    df["province_code"] = int(province)
    df["commune_name"] = df["commune_name"].fillna(df["commune_code"].map(names))
    if scope.level == "commune":
        df = df[df["commune_code"] == scope.commune_code]
    return _sorted(df)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    order = df["level"].map(_LEVEL_ORDER)
    return (
        df.assign(_o=order)
        .sort_values(["_o", "province_code", "commune_name", "commune_code", "rule"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _month_end(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _row(rule: Rule, r, value=None, threshold=None) -> dict:
    return {
        "commune_code": int(r["commune_code"]),
        "commune_name": r.get("commune_name"),
        "level": rule.level,
        "rule": rule.key,
        "kind": rule.kind,
        "metric": rule.metric,
        "source": rule.source,
        "value": value,
        "threshold": threshold,
        "previous": None,
    }


def _threshold(rule: Rule, ranking: pd.DataFrame) -> list[dict]:
    if rule.metric not in ranking.columns:
        return []
    values = pd.to_numeric(ranking[rule.metric], errors="coerce")
    m = catalogue.metric(rule.metric)
    below = m.target.value if rule.below_target else rule.below
    hit = values.notna()
    if below is not None:
        hit &= values < below
    if rule.above is not None:
        hit &= values > rule.above
    if rule.at_least is not None:
        hit &= values >= rule.at_least
    return [
        _row(rule, r, value=float(v), threshold=below if below is not None else rule.above)
        for v, r in zip(values[hit], ranking[hit].to_dict("records"), strict=True)
    ]


def _fmt(metric: str | None, value, lang: str) -> str:
    m = catalogue.metric(metric) if metric else None
    if m is None:
        return fmt_number(value, lang)
    if m.fmt == "pct":
        return fmt_pct(value, lang, 0 if value in (0, 1) else 1)
    return fmt_number(value, lang, catalogue.FORMATS[m.fmt][0])


def metric_label(metric: str, lang: str) -> str:
    m = catalogue.metric(metric)
    key = m.label_key if m and m.label_key else f"m_{metric}"
    return t(key, lang)


def reason(row, lang: str = "vi") -> str:
    """One rule broken, in words: 'Tổng điểm: 76,40 < 80,00'."""
    kind = row["kind"]
    if kind == "threshold":
        op = ">" if row["threshold"] is not None and row["value"] > row["threshold"] else "<"
        return (
            f"{metric_label(row['metric'], lang)}: {_fmt(row['metric'], row['value'], lang)} {op} "
            f"{_fmt(row['metric'], row['threshold'], lang)}"
        )
    if kind == "rank_drop":
        return t("att_rank_drop", lang).format(places=int(row["value"]))
    source = t(f"source_{row['source']}", lang)
    if kind == "no_data":
        return t("att_no_data", lang).format(source=source)
    month = date.fromisoformat(row["value"]) if isinstance(row["value"], str) else row["value"]
    return t("att_stale", lang).format(
        source=source, month=fmt_month(month, lang), days=int(row["threshold"])
    )


def by_commune(df: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """One row per commune: its most serious level (label), the reasons joined, in `lang`; the order
    of `communes_needing_attention` (urgent first)."""
    cols = ["province_code", "commune_code", "commune_name", "level", "level_label", "reasons"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    out: dict[int, dict] = {}
    # One pass over plain records (a DataFrame row per rule broken was 1-2 ms each with iterrows).
    for r in df.to_dict("records"):
        code = int(r["commune_code"])
        entry = out.get(code)
        if entry is None:
            out[code] = {
                "province_code": int(r["province_code"]),
                "commune_code": code,
                "commune_name": r["commune_name"],
                "level": r["level"],
                "reasons": [reason(r, lang)],
            }
            continue
        if _LEVEL_ORDER[r["level"]] < _LEVEL_ORDER[entry["level"]]:
            entry["level"] = r["level"]
        entry["reasons"].append(reason(r, lang))
    rows = [
        {**e, "level_label": t(f"att_level_{e['level']}", lang), "reasons": "; ".join(e["reasons"])}
        for e in out.values()
    ]
    res = pd.DataFrame(rows, columns=cols)
    return _sorted(res.assign(rule="")).drop(columns="rule")


def counts(df: pd.DataFrame) -> dict[str, int]:
    """Communes per level (a commune counts once, at its most serious level)."""
    if df.empty:
        return dict.fromkeys(_LEVEL_ORDER, 0)
    worst = df["level"].map(_LEVEL_ORDER).groupby(df["commune_code"]).min()
    return {level: int((worst == order).sum()) for level, order in _LEVEL_ORDER.items()}


__all__ = ["COLUMNS", "OPEN", "by_commune", "communes_needing_attention", "counts", "reason"]
