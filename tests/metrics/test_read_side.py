"""Read-side queries of the dashboard against hand-computed values on a tiny warehouse.

The warehouse (built once per module from CSV files written here), Q3 2026:

Dossiers (all finished; on time = finished 2 days after receipt, late = 8 days, due after 5):
  Xã Vân Bán (8380, Phú Thọ)   07: 10 received, 4 online (2 fully), 1 by post, 2 late
                               08: 20 received, 10 online (5 fully), 2 late
                               09: 10 received, 5 online (5 fully), 0 late
  Phường Việt Trì (7900)       07: 10 received, 1 online;  08: 30 received, 24 online, 3 late
  Xã Hy Cương (8515)           08: 10 received, 5 online
  Xã Đại Xuyên (10333, Hà Nội) 08: 20 received, 15 online, 5 late
Signatures (issued / classified / signed):
  Vân Bán 07: 30/2/26, 08: 24/2/22, 09: 20/0/20;  Việt Trì 07: 10/0/5, 08: 10/0/10;  Đại Xuyên 08: 10/0/9
Index totals (six groups each): Jul  Vân Bán 85, Việt Trì 90, Hy Cương 70, Đại Xuyên 90
                                Aug  Vân Bán 86.5, Việt Trì 88, Hy Cương 80, Đại Xuyên 91
                                Sep  Vân Bán 90, Việt Trì 84, Hy Cương 80
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from core.periods import month, quarter, year
from etl.loader import load_files
from metrics import commune, filings, periodic, quality, rankings, signatures
from metrics.calendar import available_periods, convert, trend_months, trend_periods
from metrics.definitions import add_rates, aggregate, points_lost
from metrics.ranking import quartile_tiers
from metrics.scope import Scope
from tests.conftest import sql, write_csv

VAN_BAN, VIET_TRI, HY_CUONG, DAI_XUYEN = 8380, 7900, 8515, 10333
PHU_THO, HA_NOI = 25, 1
JUL, AUG, SEP, Q3 = month(2026, 7), month(2026, 8), month(2026, 9), quarter(2026, 3)

DOSSIER_HEADER = [
    "MaHoSo",
    "MaXa",
    "MaTTHC",
    "TenTTHC",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "TrangThaiHoSo",
    "KenhThucHien",
    "ToanTrinh",
    "DuocThanhToanTrucTuyen",
    "HoSoCoThanhPhanSoHoa",
]
SIGNATURE_HEADER = [
    "Mã xã",
    "Tên xã",
    "Tỉnh",
    "Tháng",
    "Tổng số văn bản đi",
    "Văn bản mật",
    "Số văn bản ký số",
]
INDEX_HEADER = [
    "STT",
    "Tên đơn vị",
    "Tỉnh",
    "Kỳ",
    "Công khai, minh bạch",
    "Tiến độ giải quyết",
    "Dịch vụ công trực tuyến",
    "Thanh toán trực tuyến",
    "Số hóa hồ sơ",
    "Mức độ hài lòng",
    "Tổng điểm",
]


def _dossier(
    dossier_id,
    commune_code,
    received: datetime,
    late=False,
    channel="1",
    full="",
    procedure=("2.000815", "Chứng thực bản sao"),
):
    fmt = "%d/%m/%Y %H:%M"
    return [
        dossier_id,
        commune_code,
        procedure[0],
        procedure[1],
        received.strftime(fmt),
        (received + timedelta(days=5)).strftime(fmt),
        (received + timedelta(days=8 if late else 2)).strftime(fmt),
        "Đã trả kết quả",
        channel,
        full,
        "",
        "0",
    ]


def _batch(prefix, commune_code, m, n, online=0, full=0, late=0, post=0, procedure=None):
    rows = []
    for i in range(n):
        channel = "2" if i < online else "3" if i < online + post else "1"
        kw = {"procedure": procedure} if procedure else {}
        rows.append(
            _dossier(
                f"{prefix}{i}",
                commune_code,
                datetime(2026, m, 1 + i % 25, 8),
                late=i >= n - late,
                channel=channel,
                full=("1" if i < full else "0") if channel == "2" else "",
                **kw,
            )
        )
    return rows


MAXIMA = [18, 20, 12, 10, 22]  # CKMB TDGQ CLGQ TTTT MDSH; MDHL (18) takes the rest


def _index_rows(period, totals):
    """Six group scores summing to each total: every group at total% of its maximum."""
    rows = []
    for n, (name, province, total) in enumerate(totals, 1):
        base = [round(m * total / 100, 2) for m in MAXIMA]
        rows.append([n, name, province, period, *base, round(total - sum(base), 2), total])
    return rows


NAMES = {
    VAN_BAN: ("UBND xã Vân Bán", "Phú Thọ"),
    VIET_TRI: ("UBND Phường Việt Trì", "Phú Thọ"),
    HY_CUONG: ("UBND xã Hy Cương", "Phú Thọ"),
    DAI_XUYEN: ("UBND xã Đại Xuyên", "Hà Nội"),
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("read_side")
    db = tmp / "wh" / "warehouse.duckdb"
    dossiers = (
        _batch("VB7-", VAN_BAN, 7, 10, online=4, full=2, late=2, post=1)
        + _batch("VB8-", VAN_BAN, 8, 20, online=10, full=5, late=2)
        + _batch("VB9-", VAN_BAN, 9, 10, online=5, full=5)
        + _batch("VT7-", VIET_TRI, 7, 10, online=1)
        + _batch("VT8-", VIET_TRI, 8, 30, online=24, late=3, procedure=("1.001193", "Đăng ký khai sinh"))
        + _batch("HC8-", HY_CUONG, 8, 10, online=5)
        + _batch("DX8-", DAI_XUYEN, 8, 20, online=15, late=5)
    )
    sigs = [
        [VAN_BAN, "Xã Vân Bán", "Phú Thọ", "07/2026", 30, 2, 26],
        [VAN_BAN, "Xã Vân Bán", "Phú Thọ", "08/2026", 24, 2, 22],
        [VAN_BAN, "Xã Vân Bán", "Phú Thọ", "09/2026", 20, 0, 20],
        [VIET_TRI, "Phường Việt Trì", "Phú Thọ", "07/2026", 10, 0, 5],
        [VIET_TRI, "Phường Việt Trì", "Phú Thọ", "08/2026", 10, 0, 10],
        [DAI_XUYEN, "Xã Đại Xuyên", "Hà Nội", "08/2026", 10, 0, 9],
    ]
    totals = {
        "07/2026": {VAN_BAN: 85, VIET_TRI: 90, HY_CUONG: 70, DAI_XUYEN: 90},
        "08/2026": {VAN_BAN: 86.5, VIET_TRI: 88, HY_CUONG: 80, DAI_XUYEN: 91},
        "09/2026": {VAN_BAN: 90, VIET_TRI: 84, HY_CUONG: 80},
    }
    files = [
        write_csv(tmp / "ho-so.csv", DOSSIER_HEADER, dossiers),
        write_csv(tmp / "ky-so.csv", SIGNATURE_HEADER, sigs),
    ]
    for period, by_commune in totals.items():
        rows = _index_rows(period, [(*NAMES[c], total) for c, total in by_commune.items()])
        files.append(write_csv(tmp / f"chi-so-{period.replace('/', '-')}.csv", INDEX_HEADER, rows))
    summary = load_files(files, db)
    assert summary.exit_code == 0, summary.to_dict()
    return db


# ------------------------------------------------------------------------------------ definitions


def test_rates_aggregate_counts_before_dividing():
    df = pd.DataFrame(
        {
            "g": ["a", "a"],
            "dossiers_received": [10, 30],
            "dossiers_online": [5, 3],
            "docs_issued": [10, 10],
            "docs_confidential": [2, 0],
            "docs_signed": [8, 5],
            "dossiers_on_time": [0, 0],
            "dossiers_overdue": [0, 0],
        }
    )
    out = aggregate(df, ["g"]).iloc[0]
    assert out["online_rate"] == pytest.approx(8 / 40)  # not (0.5 + 0.1) / 2
    assert out["signature_rate"] == pytest.approx(13 / 18)  # signed / (issued - classified)
    assert pd.isna(out["on_time_rate"])  # 0 / 0 is missing, not 0
    assert pd.isna(
        add_rates(pd.DataFrame({"dossiers_received": [0], "dossiers_online": [0]}))["online_rate"][0]
    )


def test_quartile_tiers_papi_style():
    values = pd.Series([100, 90, 80, 70, 60, 50, 40, 30, None])
    assert quartile_tiers(values).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, pd.NA]
    assert quartile_tiers(pd.Series([5.0, 5.0, 5.0])).tolist() == [1, 1, 1]  # ties share the better tier


def test_points_lost_names_the_costliest_group():
    df = pd.DataFrame(
        {
            "score_ckmb": [18.0],
            "score_tdgq": [12.0],
            "score_clgq": [12.0],
            "score_tttt": [9.0],
            "score_mdsh": [20.0],
            "score_mdhl": [18.0],
        }
    )
    out = points_lost(df).iloc[0]
    assert out["worst_group"] == "TDGQ" and out["worst_group_lost"] == 8.0 and out["lost_mdsh"] == 2.0


def test_calendar():
    periods = available_periods(date(2025, 7, 1), date(2026, 2, 1), "quarter")
    assert [p.key for p in periods] == ["2026-Q1", "2025-Q4", "2025-Q3"]
    assert [p.key for p in available_periods(date(2025, 7, 1), date(2026, 2, 1), "year")] == ["2026", "2025"]
    assert convert(month(2026, 8), "quarter").key == "2026-Q3"
    assert convert(year(2026), "month", last=date(2026, 10, 1)).key == "2026-10"
    assert [p.key for p in trend_months(Q3, date(2026, 8, 1))] == ["2026-08", "2026-09"]
    assert [p.key for p in trend_periods(Q3, date(2026, 1, 1))] == ["2026-Q1", "2026-Q2", "2026-Q3"]


# ------------------------------------------------------------------------------------ counts and index


def test_quarter_sums_months_then_divides(wh):
    df = periodic.commune_counts([Q3], None, VAN_BAN, path=wh).iloc[0]
    assert (df["dossiers_received"], df["dossiers_online"], df["dossiers_online_full"]) == (40, 19, 12)
    assert df["online_rate"] == pytest.approx(19 / 40)
    assert df["on_time_rate"] == pytest.approx(36 / 40)
    assert (df["docs_issued"], df["docs_confidential"], df["docs_signed"]) == (74, 4, 68)
    assert df["signature_rate"] == pytest.approx(68 / 70)  # not the mean of 26/28, 1, 1
    assert df["dossiers_post"] == 1 and df["months_in_warehouse"] == 3
    assert df["avg_processing_days"] == pytest.approx((34 * 2 + 4 * 8 + 2 * 2) / 40)


def test_index_month_as_published_and_quarter_derived(wh):
    aug = periodic.index_results([AUG], PHU_THO, path=wh)
    assert aug.set_index("commune_code")["index_rank"].to_dict() == {VIET_TRI: 1, VAN_BAN: 2, HY_CUONG: 3}
    assert not aug["is_derived"].any()
    q3 = periodic.index_results([Q3], PHU_THO, path=wh).set_index("commune_code")
    assert q3.loc[VAN_BAN, "index_total"] == pytest.approx(round((85 + 86.5 + 90) / 3, 2))
    assert q3.loc[VIET_TRI, "index_total"] == pytest.approx(round((90 + 88 + 84) / 3, 2))
    assert q3.loc[HY_CUONG, "index_total"] == pytest.approx(round((70 + 80 + 80) / 3, 2))
    assert q3["is_derived"].all() and q3.loc[VAN_BAN, "months_published"] == 3
    assert q3["index_rank"].to_dict() == {VIET_TRI: 1, VAN_BAN: 2, HY_CUONG: 3}
    assert q3.loc[VAN_BAN, "communes_ranked"] == 3


def test_province_ranking_with_change_and_tiers(wh):
    sep = rankings.province_ranking(PHU_THO, SEP, path=wh).set_index("commune_code")
    assert sep.loc[VAN_BAN, "index_rank"] == 1 and sep.loc[VAN_BAN, "index_rank_change"] == 1
    assert sep.loc[VIET_TRI, "index_rank_change"] == -1 and sep.loc[HY_CUONG, "index_rank_change"] == 0
    assert sep.loc[VAN_BAN, "tier"] == 1 and sep.loc[HY_CUONG, "tier"] == 4
    assert len(sep) == sql(wh, "select count(*) from dim_commune where province_code = 25")[0][0]
    up, down = rankings.movers(sep.reset_index())
    assert up["commune_code"].tolist() == [VAN_BAN] and down["commune_code"].tolist() == [VIET_TRI]


def test_tiers_are_cut_from_the_whole_province_whatever_the_scope(wh):
    scoped = periodic.index_with_change(SEP, PHU_THO, None, Scope("commune", PHU_THO, HY_CUONG), path=wh)
    assert scoped["commune_code"].tolist() == [HY_CUONG] and scoped["tier"].tolist() == [4]


def test_headline_province_and_national(wh):
    h = rankings.headline(PHU_THO, AUG, path=wh).set_index("metric")
    assert h.loc["online_rate", "value"] == pytest.approx((10 + 24 + 5) / (20 + 30 + 10))
    assert h.loc["online_rate", "previous"] == pytest.approx((4 + 1) / (10 + 10))
    assert h.loc["online_rate", "national"] == pytest.approx((10 + 24 + 5 + 15) / (20 + 30 + 10 + 20))
    assert h.loc["signature_rate", "value"] == pytest.approx((22 + 10) / (22 + 10))
    assert h.loc["on_time_rate", "value"] == pytest.approx((18 + 27 + 10) / 60)
    assert h.loc["index_average", "value"] == pytest.approx(
        round((86.5 + 88 + 80) / 3, 2)
    )  # as service_index rounds
    assert h.loc["index_average", "national"] == pytest.approx((86.5 + 88 + 80 + 91) / 4)
    assert h.loc["signature_rate", "target"] == 1.0


def test_national_table(wh):
    nat = rankings.national_table(AUG, path=wh).set_index("province_code")
    assert len(nat) == 34
    assert nat.loc[HA_NOI, "online_rate"] == pytest.approx(15 / 20)
    assert nat.loc[PHU_THO, "dossiers_received"] == 60
    assert nat.loc[HA_NOI, "index_rank"] == 1 and nat.loc[PHU_THO, "index_rank"] == 2
    assert pd.isna(nat.loc[4, "online_rate"])  # a province with no data
    q3 = rankings.national_table(Q3, path=wh).set_index("province_code")  # derived from the months
    derived = [round((85 + 86.5 + 90) / 3, 2), round((90 + 88 + 84) / 3, 2), round((70 + 80 + 80) / 3, 2)]
    assert q3.loc[PHU_THO, "index_average"] == pytest.approx(round(sum(derived) / 3, 2))
    assert q3.loc[PHU_THO, "index_basis"] == "derived_commune_average"


def test_below_target(wh):
    ranking = rankings.province_ranking(PHU_THO, JUL, path=wh)
    below = rankings.below_target(ranking, "signature_rate")
    assert below["commune_code"].tolist() == [VIET_TRI, VAN_BAN]
    assert below["gap"].tolist() == pytest.approx([0.5, 1 - 26 / 28])


def test_commune_figures_against_median_and_previous(wh):
    fig = commune.commune_figures(VAN_BAN, AUG, path=wh).set_index("metric")
    assert fig.loc["online_rate", "value"] == pytest.approx(0.5)
    assert fig.loc["online_rate", "previous"] == pytest.approx(0.4)
    assert fig.loc["online_rate", "change"] == pytest.approx(0.1)
    assert fig.loc["online_rate", "province_median"] == pytest.approx(0.5)  # median of 0.5, 0.8, 0.5
    assert fig.loc["index_total", "rank"] == 2 and fig.loc["index_total", "communes_ranked"] == 3
    assert commune.commune_figures(999999, AUG, path=wh).empty


def test_commune_trend_and_rank_history(wh):
    trend = commune.commune_trend(VAN_BAN, SEP, path=wh)
    online = trend[trend["metric"] == "online_rate"].set_index("month")
    assert online["value"].round(4).tolist() == [0.4, 0.5, 0.5]
    assert online.loc[pd.Timestamp(2026, 7, 1), "province_median"] == pytest.approx((0.4 + 0.1) / 2)
    history = commune.rank_history(VAN_BAN, SEP, path=wh)
    assert history["index_rank"].tolist() == [2, 2, 1]


def test_group_scores(wh):
    groups = commune.group_scores(HY_CUONG, AUG, path=wh).set_index("group")
    assert groups.loc["TDGQ", "score"] == pytest.approx(16.0)  # 80% of 20
    assert groups.loc["TDGQ", "province_best"] == pytest.approx(17.6)  # Việt Trì, 88% of 20
    assert groups.loc["TDGQ", "province_median"] == pytest.approx(17.3)  # Vân Bán, 86.5% of 20
    assert groups.loc["TDGQ", "best_commune"] == "Phường Việt Trì"
    assert groups.loc["TDGQ", "points_lost"] == pytest.approx(4.0)


def test_filings(wh):
    trend = filings.filings_trend(PHU_THO, None, SEP, path=wh).set_index("period")
    assert trend.loc["2026-08", "dossiers_received"] == 60
    assert trend.loc["2026-07", "post_rate"] == pytest.approx(1 / 20)
    procs = filings.procedures(PHU_THO, None, AUG, path=wh).set_index("procedure_code")
    assert procs.loc["1.001193", "dossiers_received"] == 30 and procs.loc["1.001193", "dossiers_overdue"] == 3
    assert filings.top(procs.reset_index(), "dossiers_overdue")["procedure_code"].tolist() == [
        "1.001193",
        "2.000815",
    ]


def test_procedures_add_up_to_the_mart(wh):
    """procedures.sql repeats the mart's on-time rule; both must agree on every total."""
    procs = filings.procedures(None, None, Q3, path=wh)
    mart = sql(
        wh,
        """select sum(dossiers_received), sum(dossiers_on_time), sum(dossiers_overdue)
                      from mart_commune_month where month between date '2026-07-01' and date '2026-09-01'""",
    )[0]
    assert (
        procs["dossiers_received"].sum(),
        procs["dossiers_on_time"].sum(),
        procs["dossiers_overdue"].sum(),
    ) == tuple(int(v) for v in mart)


def test_signatures(wh):
    table = signatures.signature_table(PHU_THO, None, JUL, path=wh)
    under = signatures.under_target(table)
    assert under["commune_code"].tolist() == [VIET_TRI, VAN_BAN]
    assert under.set_index("commune_code").loc[VAN_BAN, "docs_unsigned"] == 2
    summary = signatures.signature_summary(PHU_THO, None, AUG, path=wh).set_index("period")
    assert summary.loc["2026-08", "communes_at_target"] == 2
    assert summary.loc["2026-08", "signature_rate"] == pytest.approx(1.0)
    grid = signatures.signature_grid(PHU_THO, None, SEP, path=wh)
    assert grid[(grid["commune_code"] == VAN_BAN)]["signature_rate"].round(4).tolist() == [
        round(26 / 28, 4),
        1,
        1,
    ]


def test_quality(wh):
    cov = quality.coverage(PHU_THO, SEP, path=wh)
    summary = quality.coverage_summary(cov).set_index("source")
    assert summary.loc["dossiers", "communes_with_data"] == 1  # only Vân Bán filed in September
    assert summary.loc["index", "communes_with_data"] == 3
    assert VIET_TRI in quality.missing(cov, "signatures")["commune_code"].tolist()
    loads = quality.loads(path=wh)
    assert len(loads) == 5 and set(loads["kind"]) == {"dossiers", "signatures", "index"}
    assert quality.rejects(path=wh).empty
    fresh = quality.freshness(path=wh).set_index("source")
    assert fresh.loc["dossiers", "last_month"] == pd.Timestamp(2026, 9, 1)
    assert fresh.loc["signatures", "files"] == 1
    # The digital-skills sources are listed too (none loaded in this warehouse: no communes, no files).
    assert {"training", "vneid", "digital_teams", "population"} <= set(fresh.index)
    assert fresh.loc["training", "communes"] == 0 and fresh.loc["vneid", "files"] == 0
    assert quality.loads(Scope("province", PHU_THO), path=wh).empty  # files are national-scope only
    df = pd.DataFrame({"file_name": ["a", "b", "a"], "rule": ["x", "x", "y"]})
    assert (
        len(quality.filter_rejects(df, ["a"], None)) == 2
        and len(quality.filter_rejects(df, ["a"], ["y"])) == 1
    )


def test_scope_limits_every_query(wh):
    province_scope = Scope("province", PHU_THO)
    counts = periodic.commune_counts([AUG], None, None, province_scope, path=wh)
    assert set(counts["province_code"]) == {PHU_THO}
    idx = periodic.index_results([AUG], None, None, Scope("commune", PHU_THO, VAN_BAN), path=wh)
    assert idx["commune_code"].tolist() == [VAN_BAN] and idx["index_rank"].tolist() == [2]
    places = periodic.places(province_scope, path=wh)
    assert set(places["province_code"]) == {PHU_THO}
    assert periodic.month_range(path=wh) == (date(2026, 7, 1), date(2026, 9, 1))
