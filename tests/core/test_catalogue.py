"""The metric catalogue (core/catalogue.py) is the one definition: the marts' rate columns equal its
formulas over the marts' counts on a demo warehouse, its labels exist, and the tables that used to
repeat it now derive from it."""

from __future__ import annotations

import duckdb
import pytest

from core import catalogue
from core.catalogue import FORMATS, METRICS
from metrics.i18n import LABELS
from tests.app.conftest import build_app_warehouse

# mart_commune_month keeps the processing time as an average; its numerator, in days, is summed from
# mart_dossier_month (where the seconds are).
MART_COUNTS = """
create temp view mart_with_counts as
select m.*, p.processing_days_total
from mart_commune_month m
left join (select commune_code, month, sum(processing_seconds) / 86400.0 as processing_days_total
           from mart_dossier_month group by all) p using (commune_code, month)
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_app_warehouse(tmp_path_factory)


def test_every_rate_in_the_marts_is_the_catalogue_formula_over_the_marts_counts(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(MART_COUNTS)
        columns = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_name = 'mart_with_counts'"
            ).fetchall()
        }
        rates = [m for m in METRICS.values() if m.is_ratio and m.name in columns]
        assert {m.name for m in rates} >= {
            "online_rate",
            "online_full_rate",
            "on_time_rate",
            "paid_online_rate",
            "digitized_rate",
            "signature_rate",
            "avg_processing_days",
        }
        for m in rates:
            assert {m.numerator, *(c for _, c in m.denominator)} <= columns, m.name
            rows, with_value, wrong = con.execute(f"""
                select count(*), count({m.name}),
                       count(*) filter (where ({m.name} is null) <> (({m.sql()}) is null)
                                           or abs({m.name} - ({m.sql()})) > 1e-9)
                from mart_with_counts""").fetchall()[0]
            assert rows > 0 and with_value > 0, m.name
            assert wrong == 0, f"{m.name}: {wrong} rows differ from {m.formula()}"
    finally:
        con.close()


def test_the_formula_would_catch_a_different_denominator(warehouse):
    """The check above can fail: the on-time rate over all dossiers received is not the mart's."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        wrong = con.execute("""select count(*) filter (where abs(on_time_rate - dossiers_on_time
                                                                / nullif(dossiers_received, 0)) > 1e-9)
                               from mart_commune_month""").fetchall()[0][0]
    finally:
        con.close()
    assert wrong > 0


def test_every_label_and_format_exists():
    for m in METRICS.values():
        assert m.fmt in FORMATS, m.name
        assert m.label_key is None or m.label_key in LABELS, (m.name, m.label_key)
        assert m.kind in ("count", "rate", "score", "days", "rank"), m.name
        if m.kind == "count":
            assert m.fmt in ("int", "days"), m.name  # integer counts are written as integers
        if m.target is not None:
            assert m.target.metric == m.name


def test_tables_derive_from_the_catalogue():
    from metrics import definitions, skills
    from reports import xlsx_writer
    from ui.columns import COLUMNS

    for m in METRICS.values():
        if m.label_key:
            assert COLUMNS[m.name] == (m.fmt, m.label_key)
    assert list(definitions.RATES) == list(catalogue.ratios(("dossiers", "signatures")))
    assert list(skills.METRICS) == list(catalogue.ratios("skills"))
    assert all(xlsx_writer.NUMBER_FORMATS[k] == excel for k, (_d, excel) in FORMATS.items())
    assert definitions.TARGETS["on_time_rate"] is METRICS["on_time_rate"].target


def test_formula_text_and_sql():
    m = METRICS["signature_rate"]
    assert m.formula() == "docs_signed / (docs_issued - docs_confidential)"
    assert m.sql("s.") == "s.docs_signed / nullif(s.docs_issued - s.docs_confidential, 0)"
    assert METRICS["team_members_per_1000"].formula() == "team_members * 1000 / population"
