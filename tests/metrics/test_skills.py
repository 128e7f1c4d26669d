"""Digital-skills metrics (metrics/skills.py) against hand-computed values, and scope filtering.

The warehouse (built once per module from CSV files written here):

Population 2025: Xã Vân Bán (8380, Phú Thọ) 16,000 people, 12,000 adults, 20 villages; Xã Hy Cương
(8515, Phú Thọ) 8,000 / 5,000 / 10; Xã Đại Xuyên (10333, Hà Nội) 30,000 / 20,000 / 46.
Teams: Vân Bán 10 teams x 5 members from 01/05/2025 and 5 x 4 from 15/10/2025 (Sep 10 teams / 50
members, Oct 15 / 70); Hy Cương 12 teams x 3 members from 01/06/2025 (more teams than villages);
Đại Xuyên a count of 46 teams and 230 members at 31/08/2025.
Training: Vân Bán 10/09 topic A for residents 100 + officials 20 (one session), 20/09 topic B for
pupils 80, 05/10 topic A residents 60; Hy Cương 15/10 residents 50; Đại Xuyên 15/09 and 16/09
residents 124 and 118.
VNeID (level 2, certified): Vân Bán 09/2025 6,000 and 3,000, 10/2025 7,200 and 6,000; Hy Cương
09/2025 2,000 and 1,000 (nothing in 10/2025: carried forward); Đại Xuyên 10/2025 10,000 and 13,000.
The mart's months are 09/2025 and 10/2025.
"""

from __future__ import annotations

from datetime import date

import pytest

from core.periods import month, quarter, year
from etl.loader import load_files
from metrics import skills as K
from metrics.scope import Scope
from tests.conftest import write_csv

VAN_BAN, HY_CUONG, DAI_XUYEN = 8380, 8515, 10333
PHU_THO, HA_NOI = 25, 1
SEP, OCT = month(2025, 9), month(2025, 10)


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    d = tmp_path_factory.mktemp("skills")
    files = [
        write_csv(
            d / "dan-so.csv",
            ["Mã xã", "Năm", "Dân số", "Số người trưởng thành", "Số thôn, tổ dân phố"],
            [
                [VAN_BAN, 2025, 16000, 12000, 20],
                [HY_CUONG, 2025, 8000, 5000, 10],
                [DAI_XUYEN, 2025, 30000, 20000, 46],
            ],
        ),
        write_csv(
            d / "to.csv",
            ["Mã xã", "Thôn, tổ dân phố", "Số thành viên", "Ngày thành lập"],
            [[VAN_BAN, f"Thôn {i}", 5, "01/05/2025"] for i in range(1, 11)]
            + [[VAN_BAN, f"Thôn {i}", 4, "15/10/2025"] for i in range(11, 16)]
            + [[HY_CUONG, f"Khu {i}", 3, "01/06/2025"] for i in range(1, 13)],
        ),
        write_csv(
            d / "dem-to.csv",
            ["Mã xã", "Số tổ công nghệ số cộng đồng", "Số thành viên", "Ngày báo cáo"],
            [[DAI_XUYEN, 46, 230, "31/08/2025"]],
        ),
        write_csv(
            d / "tap-huan.csv",
            [
                "Mã xã",
                "Ngày tập huấn",
                "Nội dung",
                "Đối tượng",
                "Số người tham dự",
                "Đơn vị tổ chức",
                "Địa điểm",
            ],
            [
                [
                    VAN_BAN,
                    "10/09/2025",
                    "A",
                    "Người dân",
                    100,
                    "UBND xã Vân Bán",
                    "Nhà văn hóa thôn Đồng Rào",
                ],
                [
                    VAN_BAN,
                    "10/09/2025",
                    "A",
                    "Cán bộ, công chức",
                    20,
                    "UBND xã Vân Bán",
                    "Nhà văn hóa thôn Đồng Rào",
                ],
                [VAN_BAN, "20/09/2025", "B", "Học sinh", 80, "Trường THCS Vân Bán", ""],
                [VAN_BAN, "05/10/2025", "A", "Người dân", 60, "UBND xã Vân Bán", ""],
                [HY_CUONG, "15/10/2025", "C", "Người dân", 50, "", ""],
                [DAI_XUYEN, "15/09/2025", "D", "Người dân", 124, "UBND xã Đại Xuyên", ""],
                [DAI_XUYEN, "16/09/2025", "D", "Người dân", 118, "UBND xã Đại Xuyên", ""],
            ],
        ),
        write_csv(
            d / "vneid.csv",
            ["Mã xã", "Tháng", "Số tài khoản VNeID mức 2", "Số người được cấp chứng nhận"],
            [
                [VAN_BAN, "09/2025", 6000, 3000],
                [VAN_BAN, "10/2025", 7200, 6000],
                [HY_CUONG, "09/2025", 2000, 1000],
                [DAI_XUYEN, "10/2025", 10000, 13000],
            ],
        ),
    ]
    db = d / "wh" / "warehouse.duckdb"
    summary = load_files(files, db)
    assert summary.exit_code == 0, summary.to_dict()
    return db


def row(df, commune):
    got = df[df["commune_code"] == commune]
    assert len(got) == 1
    return got.iloc[0]


def test_metric_definitions_for_a_month(wh):
    df = K.skills_counts([OCT], path=wh)
    vb, hc, dx = row(df, VAN_BAN), row(df, HY_CUONG), row(df, DAI_XUYEN)
    assert (vb["digital_teams"], vb["team_members"], vb["training_sessions"]) == (15, 70, 1)
    assert vb["villages_with_team_share"] == pytest.approx(15 / 20)
    assert vb["team_members_per_1000"] == pytest.approx(70 / 16000 * 1000)
    assert vb["sessions_per_month"] == 1 and vb["participants_per_month"] == 60
    assert vb["adults_trained_share"] == pytest.approx((120 + 60) / 12000)  # attendances since 09/2025
    assert vb["adults_certified_share"] == pytest.approx(0.5)
    assert vb["certified_gap"] == pytest.approx(0.1) and not vb["certified_meets_target"]
    assert vb["vneid_activation_share"] == pytest.approx(0.6)
    # more teams than villages: the share is capped, the flag raised
    assert hc["villages_with_team_share"] == 1.0 and hc["teams_exceed_villages"]
    assert hc["team_members_per_1000"] == pytest.approx(4.5)
    assert hc["adults_certified_share"] == pytest.approx(0.2)  # 09/2025 carried forward
    assert hc["vneid_activation_share"] == pytest.approx(0.4)
    assert dx["digital_teams"] == 46 and dx["team_members_per_1000"] == pytest.approx(230 / 30)
    assert dx["sessions_per_month"] == 0 and dx["adults_trained_share"] == pytest.approx(242 / 20000)
    assert dx["adults_certified_share"] == pytest.approx(0.65) and dx["certified_meets_target"]
    assert dx["certified_gap"] == 0 and not dx["teams_exceed_villages"]


def test_pupils_are_not_adults_and_a_session_counts_once(wh):
    vb = row(K.skills_counts([SEP], path=wh), VAN_BAN)
    assert (vb["training_sessions"], vb["training_participants"], vb["training_participants_adults"]) == (
        2,
        200,
        120,
    )
    assert vb["adults_trained_share"] == pytest.approx(120 / 12000)


def test_flows_per_month_over_longer_periods(wh):
    vb = row(K.skills_counts([year(2025)], path=wh), VAN_BAN)
    assert vb["months_in_warehouse"] == 2  # 09 and 10/2025 are in the warehouse
    assert vb["sessions_per_month"] == pytest.approx(3 / 2)
    assert vb["participants_per_month"] == pytest.approx(260 / 2)
    assert vb["digital_teams"] == 15  # a stock: the value at the period's end
    q3 = row(K.skills_counts([quarter(2025, 3)], path=wh), VAN_BAN)
    assert (q3["digital_teams"], q3["adults_certified"], q3["sessions_per_month"]) == (10, 3000, 2)


def test_province_summary_sums_then_divides(wh):
    s = K.summary(PHU_THO, quarter(2025, 4), path=wh).set_index("period").loc["2025-Q4"]
    assert s["villages_with_team_share"] == pytest.approx((15 + 10) / (20 + 10))
    assert s["team_members_per_1000"] == pytest.approx((70 + 36) / 24000 * 1000)
    assert s["sessions_per_month"] == pytest.approx(2) and s["participants_per_month"] == pytest.approx(110)
    assert s["adults_trained_share"] == pytest.approx((180 + 50) / 17000)
    assert s["adults_certified_share"] == pytest.approx(7000 / 17000)
    assert s["vneid_activation_share"] == pytest.approx(9200 / 17000)
    national = K.summary(None, OCT, path=wh).set_index("period").loc["2025-10"]
    assert national["adults_certified_share"] == pytest.approx((6000 + 1000 + 13000) / 37000)


def test_province_ranking(wh):
    r = K.province_ranking(PHU_THO, OCT, path=wh)
    top = r.head(2)
    assert list(top["commune_code"]) == [VAN_BAN, HY_CUONG] and list(top["rank"]) == [1, 2]
    assert list(top["previous_rank"]) == [1, 2] and list(top["rank_change"]) == [0, 0]
    assert top["communes_ranked"].iloc[0] == 2 and r["rank"].iloc[2:].isna().all()
    assert set(r["province_code"]) == {PHU_THO} and len(r) > 100  # every commune of the province
    by_members = K.province_ranking(PHU_THO, OCT, metric="team_members_per_1000", path=wh)
    assert list(by_members.head(2)["commune_code"]) == [HY_CUONG, VAN_BAN]
    target = K.province_ranking(PHU_THO, OCT, certified_target=0.45, path=wh)
    assert (
        bool(row(target, VAN_BAN)["certified_meets_target"])
        and row(target, VAN_BAN)["certified_target"] == 0.45
    )
    with pytest.raises(ValueError):
        K.province_ranking(PHU_THO, OCT, metric="adults", path=wh)


def test_commune_trend(wh):
    t = K.commune_trend(VAN_BAN, OCT, path=wh)
    assert [m.strftime("%Y-%m") for m in t["month"]] == ["2025-09", "2025-10"]
    assert list(t["training_sessions"]) == [2, 1]
    assert list(t["adults_trained_share"]) == pytest.approx([120 / 12000, 180 / 12000])
    assert list(t["adults_certified_share"]) == pytest.approx([0.25, 0.5])
    assert list(t["digital_teams"]) == [10, 15]


def test_sessions_calendar(wh):
    cal = K.sessions_calendar(PHU_THO, None, date(2025, 9, 1), date(2025, 9, 30), path=wh)
    assert [
        (d.strftime("%d/%m"), c, a, p)
        for d, c, a, p in cal[["training_on", "commune_code", "audiences", "participants"]].itertuples(
            index=False
        )
    ] == [("10/09", VAN_BAN, "officials,residents", 120), ("20/09", VAN_BAN, "pupils", 80)]
    one_day = K.sessions_calendar(None, DAI_XUYEN, date(2025, 9, 16), date(2025, 9, 16), path=wh)
    assert list(one_day["participants"]) == [118]
    assert len(K.sessions_in_period(None, None, OCT, path=wh)) == 2


def test_scope_filters_every_query(wh):
    ha_noi = Scope("province", HA_NOI)
    assert K.province_ranking(PHU_THO, OCT, scope=ha_noi, path=wh).empty
    assert set(K.skills_counts([OCT], scope=ha_noi, path=wh)["province_code"]) == {HA_NOI}
    assert set(
        K.sessions_calendar(None, None, date(2025, 9, 1), date(2025, 10, 31), scope=ha_noi, path=wh)[
            "commune_code"
        ]
    ) == {DAI_XUYEN}
    assert K.commune_trend(VAN_BAN, OCT, scope=ha_noi, path=wh).empty
    van_ban = Scope("commune", PHU_THO, VAN_BAN)
    assert list(K.skills_counts([OCT], scope=van_ban, path=wh)["commune_code"]) == [VAN_BAN]
    # the country's and the province's aggregates (mart_skills_area) are the same for every scope, never
    # the scope's own communes summed
    for scope in (van_ban, ha_noi):
        s = K.summary(None, OCT, scope=scope, path=wh).set_index("period").loc["2025-10"]
        assert s["adults_certified_share"] == pytest.approx((6000 + 1000 + 13000) / 37000)
        p = K.summary(PHU_THO, OCT, scope=scope, path=wh).set_index("period").loc["2025-10"]
        assert p["adults_certified_share"] == pytest.approx(
            K.summary(PHU_THO, OCT, path=wh).set_index("period").loc["2025-10", "adults_certified_share"]
        )
        assert p["communes"] > 100
    assert K.month_range(scope=ha_noi, path=wh) == (date(2025, 9, 1), date(2025, 10, 1))


def test_province_ranking_ranks_only_communes_with_skills_data(wh):
    """Sessions per month read as 0 for a commune without any skills data: it is unranked, and the count of
    communes ranked is the communes with data (independent SQL over the fact tables)."""
    from tests.conftest import sql

    with_data = sql(
        wh,
        "select count(distinct commune_code) from (select commune_code from fact_population_year "
        "where year <= 2025 union all select commune_code from fact_digital_team "
        "union all select commune_code from fact_vneid_month where month <= date '2025-10-01' "
        "union all select commune_code from fact_training_session "
        "where training_on >= date '2025-10-01' and training_on < date '2025-11-01') s "
        f"join dim_commune c using (commune_code) where c.province_code = {PHU_THO}",
    )[0][0]
    r = K.province_ranking(PHU_THO, OCT, metric="sessions_per_month", path=wh)
    assert 0 < with_data < len(r)
    assert int(r["communes_ranked"].iloc[0]) == with_data
    assert int(r["rank"].notna().sum()) == with_data and r["rank"].max() <= with_data
