"""The read side at national scale: the dossier figures of the shell and the data-quality page come
from mart_commune_month (never a scan of fact_dossier), the proposed marts give the same answers as
their inline fallback, rejected rows are capped, and every read is bounded and leaves nothing attached."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from core.periods import month, quarter, year
from etl.loader import load_files
from metrics import db, filings, periodic, quality, warehouse
from metrics.scope import Scope
from tests.conftest import sql, write_csv
from tests.metrics.test_read_side import (
    DOSSIER_HEADER,
    HY_CUONG,
    INDEX_HEADER,
    NAMES,
    VAN_BAN,
    VIET_TRI,
    _batch,
    _dossier,
    _index_rows,
)

PHU_THO = 25
DAI_XUYEN = 10333
BAD_FILE = "ho-so-loi.csv"


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    """Dossiers over 07–09/2026 in three Phú Thọ communes and one of Hà Nội, three rejected rows,
    monthly index results (no quarter published, so Q3 is derived)."""
    tmp = tmp_path_factory.mktemp("national_read_side")
    path = tmp / "wh" / "warehouse.duckdb"
    dossiers = (
        _batch("A7-", VAN_BAN, 7, 12, online=5, late=3)
        + _batch("A9-", VAN_BAN, 9, 7, online=2, late=1, procedure=("1.001193", "Đăng ký khai sinh"))
        + _batch("B8-", VIET_TRI, 8, 9, online=4, late=2)
        + _batch("C8-", DAI_XUYEN, 8, 5, online=1)
    )
    bad = [_dossier(f"X{i}", VAN_BAN, datetime(2026, 8, 10, 8)) for i in range(3)]
    for row in bad:
        row[6] = "01/08/2026 08:00"  # finished before received
    files = [
        write_csv(tmp / "ho-so.csv", DOSSIER_HEADER, dossiers),
        write_csv(tmp / BAD_FILE, DOSSIER_HEADER, bad),
    ]
    totals = {
        "07/2026": {VAN_BAN: 85, VIET_TRI: 90, HY_CUONG: 70, DAI_XUYEN: 90},
        "08/2026": {VAN_BAN: 86.5, VIET_TRI: 88, HY_CUONG: 80, DAI_XUYEN: 91},
        "09/2026": {VAN_BAN: 90, VIET_TRI: 84, HY_CUONG: 80, DAI_XUYEN: 70},
    }
    for period, by_commune in totals.items():
        rows = _index_rows(period, [(*NAMES[c], total) for c, total in by_commune.items()])
        files.append(write_csv(tmp / f"chi-so-{period.replace('/', '-')}.csv", INDEX_HEADER, rows))
    summary = load_files(files, path)
    assert summary.exit_code == 1, summary.to_dict()  # the three bad rows are rejected
    return path


def test_dossier_figures_match_the_facts(wh):
    """data_as_of, freshness, coverage and coverage_period read the mart; the answers are the facts'."""
    last, communes, rows = sql(
        wh,
        "select cast(date_trunc('month', max(received_at)) as date), "
        "count(distinct commune_code), count(*) from fact_dossier",
    )[0]
    as_of = warehouse.data_as_of(path=wh).set_index("source")
    assert pd.Timestamp(as_of.loc["dossiers", "last_month"]).date() == last == date(2026, 9, 1)
    fresh = quality.freshness(path=wh).set_index("source")
    assert fresh.loc["dossiers", "communes"] == communes == 3
    cov = warehouse.coverage(path=wh).set_index("source")
    assert cov.loc["dossiers", "row_count"] == rows == 33 and cov.loc["dossiers", "communes"] == communes
    assert pd.Timestamp(cov.loc["dossiers", "first_month"]).date() == date(2026, 7, 1)
    province = Scope("province", PHU_THO)
    assert warehouse.coverage(province, path=wh).set_index("source").loc["dossiers", "row_count"] == 28
    assert pd.Timestamp(
        warehouse.data_as_of(Scope("commune", 1, DAI_XUYEN), path=wh)
        .set_index("source")
        .loc["dossiers", "last_month"]
    ).date() == date(2026, 8, 1)
    for per in (month(2026, 7), quarter(2026, 3)):
        got = quality.coverage(PHU_THO, per, path=wh).set_index("commune_code")["dossier_rows"]
        facts = dict(
            sql(
                wh,
                "select commune_code, count(*) from fact_dossier where province_code = 25 "
                "and received_at >= $s and received_at < $e group by 1",
                {"s": per.start, "e": per.end},
            )
        )
        assert {c: n for c, n in got.items() if n} == facts


def test_no_page_query_scans_fact_dossier():
    """A national warehouse holds tens of millions of dossiers: the read side uses marts for them."""
    for name in [
        "coverage.sql",
        "coverage_period.sql",
        "data_as_of.sql",
        "freshness.sql",
        "procedures.sql",
        "index_period.sql",
    ]:
        body = "\n".join(
            line for line in db.read_sql(name).splitlines() if not line.lstrip().startswith("--")
        )
        assert "fact_dossier" not in body, name


def test_procedures_come_from_the_etls_mart(wh):
    procs = filings.procedures(None, None, quarter(2026, 3), path=wh)
    assert procs.set_index("procedure_code").loc["1.001193", "dossiers_overdue"] == 1
    assert (
        procs["dossiers_overdue"].sum()
        == sql(wh, "select sum(dossiers_overdue) from mart_commune_month")[0][0]
    )
    assert procs["dossiers_received"].sum() == sql(wh, "select count(*) from fact_dossier")[0][0]


def test_an_older_warehouse_gets_a_clear_message_and_the_next_refresh_updates_it(wh, tmp_path):
    """A warehouse built before the schema version was recorded (and without the newer marts) is refused
    with a message in both languages saying what to run; `python -m etl marts` brings it up to date, and
    the answers are the current warehouse's."""
    from etl.loader import refresh_marts

    old = tmp_path / "old.duckdb"
    shutil.copyfile(wh, old)
    con = duckdb.connect(str(old))
    try:
        con.execute(
            "drop table mart_index_derived; drop table mart_procedure_month; drop table int_open_overdue; "
            "delete from warehouse_info where key = 'schema_version'"
        )
    finally:
        con.close()
    with pytest.raises(db.WarehouseOutdated) as refused:
        filings.procedures(None, None, quarter(2026, 3), path=old)
    assert "python -m etl marts" in refused.value.message(
        "vi"
    ) and "python -m etl marts" in refused.value.message("en")
    assert "cũ" in refused.value.message("vi") and "older version" in refused.value.message("en")
    refresh_marts(old)
    for per in (month(2026, 8), quarter(2026, 3)):
        pd.testing.assert_frame_equal(
            filings.procedures(PHU_THO, None, per, path=old), filings.procedures(PHU_THO, None, per, path=wh)
        )
    for periods in ([quarter(2026, 3)], [year(2026)]):
        pd.testing.assert_frame_equal(
            periodic.index_results(periods, None, None, Scope(), path=old),
            periodic.index_results(periods, None, None, Scope(), path=wh),
        )


def test_rejected_rows_are_capped_and_counted(wh):
    counts = quality.reject_counts(path=wh)
    total = sql(wh, "select count(*) from etl_reject")[0][0]
    assert total == 3 and counts["rows"].sum() == total and set(counts["file_name"]) == {BAD_FILE}
    assert quality.reject_reasons(counts).set_index("rule")["rows"].to_dict() == {
        "finished_before_received": 3
    }
    assert len(quality.rejects(path=wh)) == 3
    assert len(quality.rejects(path=wh, max_rows=2)) == 2
    assert len(quality.rejects(path=wh, files=[BAD_FILE], rules=["finished_before_received"])) == 3
    assert quality.rejects(path=wh, files=["other.csv"]).empty
    assert quality.rejects(path=wh, rules=["unknown_commune"]).empty
    assert quality.reject_counts(Scope("province", PHU_THO), path=wh).empty  # national scope only


def test_reads_are_bounded_and_leave_nothing_attached(wh, monkeypatch):
    monkeypatch.setenv("CDS_READ_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("CDS_READ_THREADS", "3")
    assert db.read_limits() == ("1GB", 3)
    monkeypatch.setenv("CDS_READ_MEMORY_LIMIT", "1GB; drop table x")
    monkeypatch.setenv("CDS_READ_THREADS", "-1")
    assert db.read_limits() == (db.READ_MEMORY_LIMIT, min(db.READ_THREADS, __import__("os").cpu_count() or 1))
    with db.connect(wh) as con:
        limit, threads = con.execute(
            "select current_setting('memory_limit'), current_setting('threads')"
        ).fetchall()[0]
        assert con.execute("select count(*) from dim_commune").fetchall()[0][0] == 3321
    assert threads <= db.READ_THREADS and ("MiB" in limit or "GiB" in limit)
    attached = (
        db._INSTANCE[1].execute("select database_name from duckdb_databases() where not internal").fetchall()
    )
    assert [name for (name,) in attached if name.startswith("warehouse_")] == []
    con = duckdb.connect(str(wh))  # read-write: refused if anything still held the file
    con.close()


def test_province_counts_are_the_communes_summed(wh):
    """rankings.headline and national_table sum per province in SQL: the same as summing commune_counts."""
    from metrics.definitions import aggregate

    periods = [month(2026, 8), quarter(2026, 3)]
    for scope in (Scope(), Scope("province", PHU_THO), Scope("commune", PHU_THO, VAN_BAN)):
        summed = aggregate(
            periodic.commune_counts(periods, None, None, scope, path=wh),
            ["period", "province_code", "province_name"],
        )
        got = periodic.province_counts(periods, scope, path=wh)
        assert len(got) == len(summed) == len(periods) * (34 if scope.is_national else 1)
        got = got.sort_values(["period", "province_code"]).reset_index(drop=True)[list(summed.columns)]
        pd.testing.assert_frame_equal(
            got, summed.sort_values(["period", "province_code"]).reset_index(drop=True), check_dtype=False
        )
