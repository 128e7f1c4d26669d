"""Service index from dossiers, published vs computed, what it takes, rankings (metrics/service_index.py).

The warehouse (built once per module from CSV files written here), for August 2026 unless said:

Xã Vân Bán (8380, Phú Thọ), 350 dossiers: 314 on time and 36 overdue; 140 online (40%); 175 paid
online (50%); 266 digitized (76%).  Published: CKMB 16, TDGQ 17.94, CLGQ 9.6, TTTT 6.25, MDSH 20.9,
MDHL 16 → total 86.69.  July total 85.
Phường Việt Trì (7900) and Phường Nông Trang (7894): 88.00 each (tied first); Xã Hy Cương (8515): 80;
Phường Thanh Miếu (7909): three groups only (partial).  July: Việt Trì 90, Vân Bán 85, Nông Trang 80,
Hy Cương 70.  Xã Đại Xuyên (10333, Hà Nội): 90.
Dossiers of Việt Trì: July 10 (1 online), August 30 (24 online).  Hy Cương, August: 10 (5 online).
Year 2026, older five-group layout: Việt Trì CKMB 16, TDGQ 18, DVCTT 20, MDSH 20, MDHL 16.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from core.index_groups import GROUP_MAX
from core.periods import month, quarter
from etl.loader import load_files
from metrics import service_index as si
from metrics.periodic import index_with_change
from metrics.scope import Scope
from tests.conftest import write_csv

VAN_BAN, VIET_TRI, NONG_TRANG, HY_CUONG, THANH_MIEU, DAI_XUYEN = 8380, 7900, 7894, 8515, 7909, 10333
PHU_THO, HA_NOI = 25, 1
AUG = month(2026, 8)

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

FIVE_HEADER = [
    "STT",
    "Tên đơn vị",
    "Tỉnh",
    "Kỳ",
    "Công khai, minh bạch",
    "Tiến độ giải quyết",
    "Cung cấp dịch vụ trực tuyến",
    "Số hóa hồ sơ",
    "Mức độ hài lòng",
]


def _dossier(
    dossier_id, commune, received: datetime, on_time=True, online=False, paid=False, digitized=False
):
    fmt = "%d/%m/%Y %H:%M"
    due = received + timedelta(days=5)
    finished = received + timedelta(days=2 if on_time else 8)
    return [
        dossier_id,
        commune,
        "2.000815",
        "Chứng thực bản sao",
        received.strftime(fmt),
        due.strftime(fmt),
        finished.strftime(fmt),
        "Đã trả kết quả",
        "2" if online else "1",
        "1" if online else "",
        "1" if paid else "",
        "1" if digitized else "0",
    ]


def _dossiers() -> list[list]:
    rows = []
    for i in range(350):  # Xã Vân Bán, August: the real TDGQ example plus online/paid/digitized shares
        rows.append(
            _dossier(
                f"VB{i}",
                VAN_BAN,
                datetime(2026, 8, 1 + i % 28, 8),
                on_time=i < 314,
                online=i % 5 < 2,
                paid=i % 2 == 0,
                digitized=i < 266,
            )
        )
    for i in range(10):  # Việt Trì, July: 1 of 10 online
        rows.append(_dossier(f"VT7-{i}", VIET_TRI, datetime(2026, 7, 1 + i, 9), online=i < 1))
    for i in range(30):  # Việt Trì, August: 24 of 30 online
        rows.append(_dossier(f"VT8-{i}", VIET_TRI, datetime(2026, 8, 1 + i % 28, 9), online=i < 24))
    for i in range(10):  # Hy Cương, August: exactly 50% online
        rows.append(_dossier(f"HC{i}", HY_CUONG, datetime(2026, 8, 1 + i, 10), online=i < 5))
    return rows


def _index(period: str, rows: list[tuple]) -> list[list]:
    return [[n, name, province, period, *scores, ""] for n, (name, province, *scores) in enumerate(rows, 1)]


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service_index")
    db = tmp / "wh" / "warehouse.duckdb"
    files = [
        write_csv(tmp / "ho-so.csv", DOSSIER_HEADER, _dossiers()),
        write_csv(
            tmp / "chi-so-07.csv",
            INDEX_HEADER,
            _index(
                "07/2026",
                [
                    ("UBND xã Vân Bán", "Phú Thọ", 15, 17, 9, 6, 20, 18),
                    ("UBND Phường Việt Trì", "Phú Thọ", 18, 20, 12, 10, 15, 15),
                    ("UBND Phường Nông Trang", "Phú Thọ", 15, 16, 9, 6, 18, 16),
                    ("UBND xã Hy Cương", "Phú Thọ", 12, 14, 8, 6, 15, 15),
                ],
            ),
        ),
        write_csv(
            tmp / "chi-so-08.csv",
            INDEX_HEADER,
            _index(
                "08/2026",
                [
                    ("UBND xã Vân Bán", "Phú Thọ", 16, 17.94, 9.6, 6.25, 20.9, 16),
                    ("UBND Phường Việt Trì", "Phú Thọ", 16, 18, 12, 10, 16, 16),
                    ("UBND Phường Nông Trang", "Phú Thọ", 16, 18, 12, 10, 16, 16),
                    ("UBND xã Hy Cương", "Phú Thọ", 14, 16, 10, 8, 16, 16),
                    ("UBND Phường Thanh Miếu", "Phú Thọ", 15, 16, 10, "", "", ""),
                    ("Xã Đại Xuyên", "Hà Nội", 18, 20, 12, 10, 16, 14),
                ],
            ),
        ),
        write_csv(
            tmp / "chi-so-nam.csv",
            FIVE_HEADER,
            [[1, "UBND Phường Việt Trì", "Phú Thọ", "Năm 2026", 16, 18, 20, 20, 16]],
        ),
    ]
    summary = load_files(files, db)
    assert summary.exit_code == 0, summary.to_dict()
    return db


def _score(df, commune, group, column="computed_score"):
    got = df[(df["commune_code"] == commune) & (df["group_code"] == group)][column]
    assert len(got) == 1, (commune, group, df)
    return got.iloc[0]


# ------------------------------------------------------------------------------------------------- rules


def test_rules_config_groups_maxima_and_assumptions():
    r = si.rules()
    assert [(g.code, g.max_score) for g in r.layout("six_groups")] == [
        ("CKMB", 18),
        ("TDGQ", 20),
        ("CLGQ", 12),
        ("TTTT", 10),
        ("MDSH", 22),
        ("MDHL", 18),
    ]
    assert [g.max_score for g in r.layout("five_groups")] == [18, 20, 22, 22, 18]
    assert all(r.groups[c].max_score == GROUP_MAX[c] for c in r.groups)  # agrees with the ETL's checks
    assert r.tolerance_points == 1.0 and r.confirmed is False
    estimates = [g.estimate for g in r.groups.values() if g.estimate]
    assert {e.code for e in estimates} == {
        "ON_TIME",
        "ONLINE_CHANNEL",
        "ONLINE_PAYMENT",
        "DIGITIZED_DOSSIERS",
        "PROCESSING_SATISFACTION",
    }
    assert all(e.confirmed is False and e.source and e.source_text for e in estimates)
    assert {g.code: g.coverage for g in r.layout("six_groups")} == {
        "CKMB": "none",
        "TDGQ": "full",
        "CLGQ": "partial",
        "TTTT": "partial",
        "MDSH": "partial",
        "MDHL": "partial",
    }
    assert "PUBLISH_ON_TIME" in {i.code for i in r.groups["CKMB"].not_computable}
    assert "COMPLAINT_SHARE" in {i.code for i in r.groups["MDHL"].not_computable}
    assert si.rules() is r  # loaded once
    table = si.rules_table("en")
    assert set(table["group_code"]) == set(r.layouts["six_groups"]) and not table["confirmed"].any()


def test_rules_file_is_checked(tmp_path):
    text = si.RULES_PATH.read_text(encoding="utf-8").replace("full_at = 0.5", "full_at = 1.5")
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(si.RulesError, match="full_at"):
        si.load_rules(tmp_path / "bad.toml")
    text = si.RULES_PATH.read_text(encoding="utf-8").replace(
        'metric = "online_rate"', 'metric = "online_rat"'
    )
    (tmp_path / "typo.toml").write_text(text, encoding="utf-8")
    with pytest.raises(si.RulesError, match="online_rat"):
        si.load_rules(tmp_path / "typo.toml")
    text = si.RULES_PATH.read_text(encoding="utf-8").replace(
        'metric = "online_rate"', 'metric = "signature_rate"'
    )
    (tmp_path / "not_dossiers.toml").write_text(text, encoding="utf-8")
    with pytest.raises(si.RulesError, match="not a dossier ratio"):  # the catalogue's rates only
        si.load_rules(tmp_path / "not_dossiers.toml")


def test_formulas_against_hand_computed_values():
    g = si.rules().groups
    assert round(g["TDGQ"].score(314 / 350), 2) == 17.94  # 89.71% of 20 (the portal's own example)
    assert g["CLGQ"].score(0.5) == 12  # exactly at the threshold: full points
    assert g["CLGQ"].score(0.4) == pytest.approx(9.6)  # 40% / 50% × 12
    assert g["CLGQ"].score(0.9) == 12  # capped
    assert g["MDSH"].score(0.76) == pytest.approx(20.9)  # 76% / 80% × 22
    assert g["TTTT"].score(0.5) == pytest.approx(6.25)  # 50% / 80% × 10
    assert g["MDHL"].score(0.9) == 18 and g["MDHL"].score(0.81) == pytest.approx(16.2)
    assert g["CKMB"].score(0.5) is None and g["TDGQ"].score(None) is None


# ------------------------------------------------------------------------------------ computed from dossiers


def test_computed_scores_month(wh):
    df = si.computed_scores(AUG, province_code=PHU_THO, path=wh)
    assert set(df["commune_code"]) == {VAN_BAN, VIET_TRI, HY_CUONG}  # communes with dossiers only
    vb = df[df["commune_code"] == VAN_BAN].set_index("group_code")
    assert list(vb.index) == ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"]
    assert (vb.loc["TDGQ", "numerator"], vb.loc["TDGQ", "denominator"]) == (314, 350)
    assert round(vb.loc["TDGQ", "ratio"], 4) == 0.8971
    assert vb["computed_score"].drop("CKMB").to_dict() == {
        "TDGQ": 17.94,
        "CLGQ": 9.6,
        "TTTT": 6.25,
        "MDSH": 20.9,
        "MDHL": 17.94,
    }
    assert vb.loc["CKMB", "coverage"] == "none" and vb["computed_score"].isna()["CKMB"]
    assert vb.loc["TDGQ", "coverage"] == "full" and vb.loc["MDHL", "coverage"] == "partial"
    assert _score(df, HY_CUONG, "CLGQ") == 12.0  # exactly 50% online → full 12
    assert _score(df, HY_CUONG, "TTTT") == 0.0  # nothing paid online: 0, not NaN


def test_quarter_sums_counts_before_dividing(wh):
    """Việt Trì Q3: July 1/10 online (10%), August 24/30 (80%).  Counts first: 25/40 = 62.5% → 12 points.
    (Averaging the monthly ratios would give 45% → 10.8.)"""
    df = si.computed_scores(quarter(2026, 3), commune_code=VIET_TRI, path=wh)
    row = df[df["group_code"] == "CLGQ"].iloc[0]
    assert (row["numerator"], row["denominator"], row["ratio"], row["computed_score"]) == (
        25,
        40,
        0.625,
        12.0,
    )
    assert (row["months_with_dossiers"], row["months_in_period"]) == (2, 3)
    assert si.computed_scores("2026-07", commune_code=VIET_TRI, path=wh).query("group_code == 'CLGQ'")[
        "computed_score"
    ].iloc[0] == pytest.approx(2.4)  # 10% / 50% × 12


def test_five_group_layout_estimates_dvctt_as_clgq_plus_tttt(wh):
    df = si.computed_scores(AUG, commune_code=VAN_BAN, layout="five_groups", path=wh)
    assert list(df["group_code"]) == ["CKMB", "TDGQ", "DVCTT", "MDSH", "MDHL"]
    assert _score(df, VAN_BAN, "DVCTT") == 15.85  # 9.6 + 6.25 of 22


# ------------------------------------------------------------------------------------ published vs computed


def test_published_vs_computed_flags_over_tolerance(wh):
    df = si.published_vs_computed(PHU_THO, AUG, path=wh)
    vb = df[df["commune_code"] == VAN_BAN].set_index("group_code")
    assert vb.loc["TDGQ", ["published_score", "computed_score", "published_minus_computed"]].tolist() == [
        17.94,
        17.94,
        0.0,
    ]
    assert vb.loc["MDHL", "published_minus_computed"] == pytest.approx(-1.94) and vb.loc["MDHL", "flagged"]
    assert not vb.loc["CKMB", "flagged"] and vb.loc["CKMB", "published_score"] == 16
    assert vb["flagged"].sum() == 1
    assert _score(df, HY_CUONG, "CLGQ", "published_minus_computed") == -2.0  # published 10, computed 12
    # a commune with published scores and no dossiers is listed with no computed score
    assert df[df["commune_code"] == NONG_TRANG]["computed_score"].isna().all()
    assert not df[df["commune_code"] == NONG_TRANG]["flagged"].any()
    loose = si.published_vs_computed(PHU_THO, AUG, tolerance=2.0, path=wh)
    assert (
        not _score(loose, VAN_BAN, "MDHL", "flagged") and _score(loose, VAN_BAN, "MDHL", "tolerance") == 2.0
    )


def test_published_five_group_layout_compares_dvctt(wh):
    """Việt Trì, year 2026 (five groups): 40 dossiers, 25 online (62.5% → CLGQ 12), none paid online
    (TTTT 0): DVCTT computed 12 + 0 = 12 against 20 published → +8, flagged."""
    df = si.published_vs_computed(PHU_THO, "2026", path=wh)
    vt = df[df["commune_code"] == VIET_TRI].set_index("group_code")
    assert list(vt.index) == ["CKMB", "TDGQ", "DVCTT", "MDSH", "MDHL"]
    assert vt.loc["DVCTT", ["published_score", "computed_score", "published_minus_computed"]].tolist() == [
        20.0,
        12.0,
        8.0,
    ]
    assert vt.loc["DVCTT", "flagged"] and vt.loc["DVCTT", "coverage"] == "partial"
    vb = df[df["commune_code"] == VAN_BAN]  # dossiers, nothing published
    assert "CLGQ" in set(vb["group_code"]) and vb["published_score"].isna().all() and not vb["flagged"].any()


# ----------------------------------------------------------------------------------------------- what it takes


def test_what_it_takes_worked_example(wh):
    """Xã Vân Bán, 8/2026 (see the module docstring).

    Points lost (published): CKMB 2.00, TDGQ 2.06, CLGQ 2.40, TTTT 3.75, MDSH 1.10, MDHL 2.00.
    - TDGQ: each overdue dossier costs 20/350 = 0.0571; 36 overdue → on time: +2.06 (20 − 17.943).
    - CLGQ: 50% of 350 = 175 online needed, 140 now: 35 more: +2.40; 12/175 = 0.0686 per dossier.
    - TTTT: 80% of 350 = 280, 175 now: 105 more: +3.75; 10/280 = 0.0357 per dossier.
    - MDSH: 280 needed, 266 now: 14 more: +1.10; 22/280 = 0.0786 per dossier.
    - MDHL: 90% of 350 = 315 on time needed, 314 now: 1 fewer overdue: +0.06 (18 − 17.943); the other
      1.94 of the 2.00 lost are petitions/complaints (not in the dossiers).
    - CKMB: 2.00 lost, not computable.
    Next above: 88.00 (Nông Trang and Việt Trì tie; Nông Trang first by name), gap 1.31, so 1.32 needed
    (strictly more).  Dossiers for 1.32 alone: TDGQ ceil(1.32/0.0571) = 24, CLGQ ceil(1.32/0.0686) = 20,
    TTTT ceil(1.32/0.0357) = 37; MDSH (1.10) and MDHL (0.06) cannot give 1.32 although MDSH has the
    most points per dossier.  Cheapest: CLGQ, 20 dossiers.
    """
    res = si.what_it_takes(VAN_BAN, "2026-08", path=wh)
    assert (res.commune_name, res.province_code) == ("Xã Vân Bán", PHU_THO)
    lv = {lever.group_code: lever for lever in res.levers}
    assert {g: lv[g].points_lost for g in lv} == {
        "CKMB": 2.0,
        "TDGQ": 2.06,
        "CLGQ": 2.4,
        "TTTT": 3.75,
        "MDSH": 1.1,
        "MDHL": 2.0,
    }
    assert {g: lv[g].score_source for g in lv} == dict.fromkeys(lv, "published")
    assert {g: (lv[g].action_kind, lv[g].action_count, lv[g].points_gain) for g in lv} == {
        "CKMB": ("not_computable", None, None),
        "TDGQ": ("fewer_overdue", 36, 2.06),
        "CLGQ": ("more_online", 35, 2.4),
        "TTTT": ("more_paid_online", 105, 3.75),
        "MDSH": ("more_digitized", 14, 1.1),
        "MDHL": ("fewer_overdue_satisfaction", 1, 0.06),
    }
    assert lv["TDGQ"].points_per_dossier == pytest.approx(20 / 350) and lv["TDGQ"].base_count == 350
    assert lv["MDHL"].points_other == 1.94 and lv["CKMB"].points_other == 2.0
    assert {g: lv[g].dossiers_to_pass for g in lv} == {
        "CKMB": None,
        "TDGQ": 24,
        "CLGQ": 20,
        "TTTT": 37,
        "MDSH": None,
        "MDHL": None,
    }
    tg = res.target
    assert (tg.status, tg.index_total, tg.index_rank, tg.communes_ranked) == ("ranked", 86.69, 3, 4)
    assert (tg.next_commune_name, tg.next_rank, tg.next_total, tg.points_to_pass) == (
        "Phường Nông Trang",
        1,
        88.0,
        1.32,
    )
    assert (tg.cheapest_group, tg.cheapest_count, tg.cheapest_is_enough) == ("CLGQ", 20, True)
    frame = res.to_frame()
    assert len(frame) == 6 and {
        "group_code",
        "points_lost",
        "action_count",
        "action_kind",
        "points_gain",
    } <= set(frame.columns)


def test_what_it_takes_sentences(wh):
    res = si.what_it_takes(VAN_BAN, AUG, path=wh)
    lv = {lever.group_code: lever for lever in res.levers}
    assert si.describe_lever(lv["CLGQ"], "en") == (
        "Online services: 35 more online dossiers (KenhThucHien = 2) out of 350 to reach the 50% threshold: "
        "+2.40 points."
    )
    assert si.describe_lever(lv["CLGQ"], "vi") == (
        "Dịch vụ công trực tuyến: Thêm 35 hồ sơ nộp trực tuyến (KenhThucHien = 2) trên tổng 350 hồ sơ để đạt "
        "ngưỡng 50%: +2,40 điểm."
    )
    assert si.describe_lever(lv["TDGQ"], "en") == (
        "On-time processing: Each overdue dossier costs 0.057 points (= 20 / 350); 36 fewer overdue "
        "dossiers: +2.06 points."
    )
    assert si.describe_lever(lv["MDHL"], "en").startswith(
        "Satisfaction: 1 fewer overdue dossier out of 350 to reach the 90% threshold: +0.06 points"
    )
    assert "The other 1.94 points lie in indicators" in si.describe_lever(lv["MDHL"], "en")
    assert si.describe_lever(lv["CKMB"], "vi").startswith("Công khai, minh bạch: Mất 2,00 điểm")
    assert si.describe_target(res.target, "en") == (
        "1.32 more points pass Phường Nông Trang (rank 1, 88.00 points). Cheapest group: Online services, "
        "20 dossiers."
    )
    assert si.describe_target(res.target, "vi").startswith("Cần thêm 1,32 điểm để vượt Phường Nông Trang")
    lines = si.describe(res, "vi")
    assert len(lines) == 7 and lines[0].startswith("Cần thêm")


def test_what_it_takes_ties_first_and_partial(wh):
    first = si.what_it_takes(VIET_TRI, AUG, path=wh).target  # tied first: nobody strictly above
    assert (first.status, first.index_rank, first.points_to_pass) == ("first", 1, None)
    assert si.describe_target(first, "en") == "First in the province (88.00 points)."
    partial = si.what_it_takes(THANH_MIEU, AUG, path=wh)
    assert partial.target.status == "partial" and partial.target.index_rank is None
    assert (partial.target.groups_published, partial.target.groups_expected) == (3, 6)
    lv = {lever.group_code: lever for lever in partial.levers}
    assert lv["TTTT"].action_kind == "no_dossiers" and lv["TTTT"].points_lost is None
    assert lv["CKMB"].points_lost == 3.0
    assert si.what_it_takes(VAN_BAN, "2026-06", path=wh).target.status == "unpublished"


def test_levers_capped_and_not_from_dossiers():
    """Pure: counts 140/350 online but the portal publishes CLGQ 11.5 (0.5 lost): the dossiers could give
    2.4, so the gain is capped at the 0.5 lost: ceil(0.5 / (12/175)) = ceil(7.29) = 8 dossiers, and the
    threshold is not claimed.  MDSH 300/350 = 85.7% ≥ 80% is full by the dossiers, yet published 20:
    the 2 points lost lie elsewhere."""
    counts = {
        "dossiers_received": 350,
        "dossiers_online": 140,
        "dossiers_on_time": 350,
        "dossiers_overdue": 0,
        "dossiers_judged": 350,
        "dossiers_paid_online": 280,
        "dossiers_digitized": 300,
    }
    lv = {lever.group_code: lever for lever in si.levers(counts, {"CLGQ": 11.5, "MDSH": 20.0})}
    assert (lv["CLGQ"].action_count, lv["CLGQ"].points_gain, lv["CLGQ"].reaches_threshold) == (8, 0.5, False)
    assert "reach" not in si.describe_lever(lv["CLGQ"], "en")
    assert (lv["MDSH"].action_kind, lv["MDSH"].points_other) == ("not_from_dossiers", 2.0)
    assert lv["TDGQ"].action_kind == "full_points" and lv["TDGQ"].score_source == "computed"
    assert lv["CKMB"].action_kind == "not_published" and lv["CKMB"].points_lost is None


def test_rank_target_when_no_group_is_enough():
    """Need 95 − 80 + 0.01 = 15.01 points; no group gives that alone.  MDSH gives the most per dossier
    (22 / 280 = 0.0786), so it is named, with all it can give (14 dossiers)."""
    counts = {
        "dossiers_received": 350,
        "dossiers_online": 140,
        "dossiers_on_time": 314,
        "dossiers_overdue": 36,
        "dossiers_judged": 350,
        "dossiers_paid_online": 175,
        "dossiers_digitized": 266,
    }
    standing = {
        "index_total": 80.0,
        "index_rank": 5,
        "communes_ranked": 9,
        "groups_published": 6,
        "groups_expected": 6,
        "next_commune_code": 1,
        "next_commune_name": "Xã A",
        "next_rank": 4,
        "next_total": 95.0,
    }
    target, updated = si.rank_target(standing, si.levers(counts, {}))
    assert (
        target.points_to_pass,
        target.cheapest_group,
        target.cheapest_count,
        target.cheapest_is_enough,
    ) == (15.01, "MDSH", 14, False)
    assert all(lever.dossiers_to_pass is None for lever in updated)
    assert "No single group is enough" in si.describe_target(target, "en")


# ---------------------------------------------------------------------------------------------------- rankings


def test_commune_ranks_ties_changes_partial_and_tiers(wh):
    """The province's published ranking as every page reads it (metrics.periodic.index_with_change)."""
    df = index_with_change(AUG, PHU_THO, path=wh, published=True).set_index("commune_code")
    assert [df.loc[c, "index_rank"] for c in (VIET_TRI, NONG_TRANG, VAN_BAN, HY_CUONG)] == [1, 1, 3, 4]
    # partial group set: listed, not ranked as a low total
    assert df["index_total"].isna()[THANH_MIEU]
    assert df["index_rank"].isna()[THANH_MIEU] and df["tier"].isna()[THANH_MIEU]
    assert (df.loc[[VIET_TRI, NONG_TRANG, VAN_BAN, HY_CUONG], "communes_ranked"] == 4).all()
    # change against July (previous period of the same type): positive = moved up
    assert df.loc[VAN_BAN, "index_rank_change"] == -1 and df.loc[NONG_TRANG, "index_rank_change"] == 2
    assert df.loc[VAN_BAN, "index_total_change"] == pytest.approx(1.69)
    # nationally: Đại Xuyên 90 first, the two 88s share second
    assert [df.loc[c, "national_rank"] for c in (VIET_TRI, NONG_TRANG, VAN_BAN, HY_CUONG)] == [2, 2, 4, 5]
    # quartile tiers (metrics.ranking.quartile_tiers): ties share a tier, best is tier 1
    assert df.loc[VIET_TRI, "tier"] == df.loc[NONG_TRANG, "tier"] == 1 and df.loc[HY_CUONG, "tier"] == 4
    assert si.tier_label(1, "en") == "Best performers" and si.tier_label(None) == "–"


def test_commune_scope_sees_own_rank_and_tier(wh):
    own = index_with_change(
        AUG, scope=Scope(level="commune", province_code=PHU_THO, commune_code=HY_CUONG), path=wh
    )
    assert own["commune_code"].tolist() == [HY_CUONG]
    assert (own.loc[0, "index_rank"], own.loc[0, "national_rank"], own.loc[0, "tier"]) == (4, 5, 4)


def test_province_ranking_from_commune_averages_without_portal(wh, tmp_path):
    """Phú Thọ: mean(86.69, 88, 88, 80) = 85.67 (partial Thanh Miếu left out); Hà Nội: 90.
    July: Phú Thọ mean(85, 90, 80, 70) = 81.25, ranked first of one."""
    db = tmp_path / "copy.duckdb"
    db.write_bytes(wh.read_bytes())
    con = duckdb.connect(str(db))
    con.execute("delete from fact_index_province")  # no portal ranking loaded
    con.close()
    df = si.national_province_ranking(AUG, path=db).set_index("province_code")
    assert set(df["basis"]) == {"commune_average"}
    assert df.loc[HA_NOI, "national_rank"] == 1 and df.loc[PHU_THO, "national_rank"] == 2
    assert df.loc[PHU_THO, "index_total"] == pytest.approx(85.67, abs=0.006)
    assert (df.loc[PHU_THO, "communes_ranked"], df.loc[PHU_THO, "provinces_ranked"]) == (4, 2)
    assert df.loc[PHU_THO, "previous_index_total"] == 81.25 and df.loc[PHU_THO, "national_rank_change"] == -1
    assert df["previous_national_rank"].isna()[HA_NOI]
    assert df.loc[HA_NOI, "tier"] == 1 and df.loc[PHU_THO, "tier"] == 4
    # every province for every role: the provinces' ranking is an aggregate (issue 15)
    for scope in (Scope(level="province", province_code=PHU_THO), Scope("commune", PHU_THO, 8380)):
        own = si.national_province_ranking(AUG, scope, path=db).set_index("province_code")
        assert sorted(own.index) == sorted(df.index)
        assert (own.loc[PHU_THO, "national_rank"], own.loc[PHU_THO, "tier"]) == (2, 4)


def test_province_ranking_prefers_the_portal_when_loaded(wh, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(wh.read_bytes())
    con = duckdb.connect(str(db))
    con.execute("""create table if not exists fact_index_province (
        province_code integer not null, period_type varchar not null, period varchar not null,
        period_start date not null, group_code varchar not null, score double, max_score double not null,
        ratio double, score_delta double, national_rank integer, portal_code varchar, load_id integer not null,
        source_row integer)""")
    con.execute("""insert into fact_index_province (province_code, period_type, period, period_start, group_code,
                   score, max_score, load_id) values
                   (25, 'month', '2026-08', date '2026-08-01', 'TOTAL', 82.0, 100, 99),
                   (1, 'month', '2026-08', date '2026-08-01', 'TOTAL', 79.0, 100, 99),
                   (1, 'month', '2026-08', date '2026-08-01', 'TDGQ', 19.0, 20, 99)""")
    con.close()
    df = si.national_province_ranking(AUG, path=db).set_index("province_code")
    assert set(df["basis"]) == {"portal"}
    assert df.loc[PHU_THO, "national_rank"] == 1 and df.loc[HA_NOI, "national_rank"] == 2
    assert df.loc[PHU_THO, "index_total"] == 82.0 and df.loc[PHU_THO, "commune_average"] == pytest.approx(
        85.67, abs=0.006
    )
    assert df["previous_index_total"].isna().all()  # July has no portal ranking


# ------------------------------------------------------------------------------------------------------- scope


def test_out_of_scope_requests_return_no_rows(wh):
    hanoi = Scope(level="province", province_code=HA_NOI)
    assert si.dossier_counts(AUG, hanoi, commune_code=VAN_BAN, path=wh).empty
    assert si.computed_scores(AUG, hanoi, commune_code=VAN_BAN, path=wh).empty
    assert si.computed_scores(AUG, hanoi, province_code=PHU_THO, path=wh).empty
    assert si.published_vs_computed(PHU_THO, AUG, hanoi, path=wh).empty
    assert index_with_change(AUG, PHU_THO, scope=hanoi, path=wh, published=True).empty
    res = si.what_it_takes(VAN_BAN, AUG, hanoi, path=wh)
    assert res.levers == [] and res.target is None and res.commune_name is None and si.describe(res) == []
    assert res.to_frame().empty
    assert index_with_change(AUG, scope=hanoi, path=wh)["commune_code"].tolist() == [DAI_XUYEN]
    own = Scope(level="commune", province_code=PHU_THO, commune_code=VAN_BAN)
    assert si.what_it_takes(VAN_BAN, AUG, own, path=wh).target.points_to_pass == 1.32
    assert si.what_it_takes(HY_CUONG, AUG, own, path=wh).levers == []
