"""communes_needing_attention: every rule kind, exactly the scope's communes, and the province overview
shows the same list (ui/attention_section.py calls the same function)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from core.periods import parse_period
from metrics import attention
from metrics.alert_rules import parse_rules
from metrics.scope import Scope
from tests.notify.conftest import PERIOD, PHU_THO, VAN_BAN

ROOT = Path(__file__).resolve().parents[2]
RULES = """
[[rule]]
kind = "threshold"
metric = "index_total"
below = 101
level = "urgent"

[[rule]]
kind = "threshold"
metric = "signature_rate"
below = 1.0

[[rule]]
kind = "no_data"
source = "dossiers"

[[rule]]
kind = "stale"
source = "dossiers"
days = 1
"""


def rows(db, query, params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def test_rules_against_sql(notify_warehouse, phu_tho_communes):
    period = parse_period(PERIOD)
    df = attention.communes_needing_attention(
        Scope("province", PHU_THO), period, parse_rules(RULES), path=notify_warehouse
    )
    assert set(df["province_code"]) == {PHU_THO}
    scored = rows(
        notify_warehouse,
        "select commune_code, index_total from mart_index_period where period_type = 'month' "
        "and period_start = ? and province_code = ? and index_total is not null",
        [period.start, PHU_THO],
    )
    urgent = df[df["rule"] == "index_total <101"]
    assert dict(zip(urgent["commune_code"], urgent["value"].round(2), strict=True)) == {
        c: round(float(v), 2) for c, v in scored
    }
    unsigned = rows(
        notify_warehouse,
        "select commune_code from fact_signature_month s "
        "where month = ? and s.province_code = ? group by 1 "
        "having sum(docs_signed) < sum(docs_issued) - sum(docs_confidential)",
        [period.start, PHU_THO],
    )
    assert set(df[df["rule"] == "signature_rate <1"]["commune_code"]) == {c for (c,) in unsigned}
    no_data = set(df[df["kind"] == "no_data"]["commune_code"])
    (communes,) = rows(
        notify_warehouse, "select count(*) from dim_commune where province_code = ?", [PHU_THO]
    )
    assert len(no_data) == communes[0] - len(phu_tho_communes) and not no_data & set(phu_tho_communes)
    # September's data is the latest for nobody: every commune with data has October, so none is stale
    # by more than a day; the rule fires for no commune.
    assert df[df["kind"] == "stale"].empty
    # urgent first
    assert list(df["level"]) == sorted(df["level"], key={"urgent": 0, "attention": 1}.get)


def test_commune_scope_sees_only_itself(notify_warehouse):
    df = attention.communes_needing_attention(
        Scope("commune", PHU_THO, VAN_BAN), parse_period(PERIOD), parse_rules(RULES), path=notify_warehouse
    )
    assert not df.empty and set(df["commune_code"]) == {VAN_BAN}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_province_overview_shows_the_same_list(notify_warehouse, tmp_path, monkeypatch, lang):
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES.replace("below = 101", "below = 88"), encoding="utf-8")
    monkeypatch.setenv("CDS_WAREHOUSE", str(notify_warehouse))
    monkeypatch.setenv("CDS_ALERT_RULES", str(rules))
    expected = attention.by_commune(
        attention.communes_needing_attention(
            Scope("province", PHU_THO),
            parse_period(PERIOD),
            parse_rules(rules.read_text()),
            path=notify_warehouse,
        ),
        lang,
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in {"province": PHU_THO, "period": PERIOD, "lang": lang}.items():
        at.query_params[key] = str(value)
    at.switch_page("views/province.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    from metrics.i18n import t

    shown = [
        d.value
        for d in at.dataframe
        if t("att_reasons", lang) in list(d.value.columns) or "reasons" in list(d.value.columns)
    ]
    assert shown, [list(d.value.columns) for d in at.dataframe]
    table = shown[0]
    name_col = [c for c in table.columns if c in ("commune_name", t("col_commune_name", lang))][0]
    assert list(table[name_col]) == list(expected["commune_name"])
    assert any(t("h_attention", lang) in e.label for e in at.expander)
