"""Digital-skills demo files (demo/skills.py): deterministic, load cleanly, tell the article's facts."""

from __future__ import annotations

from datetime import date

import pytest

from demo import skills as D
from etl.loader import load_files
from tests.conftest import file_sha, sql

MONTHS = ("2025-07", "2026-02")
# The article's four communes and a few of their neighbours (Lào Cai reports team counts).
COMMUNES = [D.VAN_BAN, D.BAO_HA, D.DAI_XUYEN, D.MOC_SON, 8515, 7900, 3082, 2998, 10330, 3646]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("skills-demo")
    paths = D.build_skills_demo(out, COMMUNES, MONTHS, 766)
    db = out / "wh" / "warehouse.duckdb"
    summary = load_files(paths, db, demo=True)
    return paths, db, summary


def test_deterministic(tmp_path, built):
    paths, _db, _summary = built
    again = D.build_skills_demo(tmp_path / "again", COMMUNES, MONTHS, 766)
    assert [p.name for p in again] == [p.name for p in paths]
    assert [file_sha(p) for p in again] == [file_sha(p) for p in paths]
    other = D.build_skills_demo(tmp_path / "seed", COMMUNES, MONTHS, 1)
    assert [file_sha(p) for p in other] != [file_sha(p) for p in paths]


def test_files_load_cleanly_in_order(built):
    paths, db, summary = built
    assert summary.exit_code == 0, [
        (f.file, f.reasons, f.message_en) for f in summary.files if f.status != "loaded"
    ]
    kinds = [f.kind for f in summary.files]
    assert kinds[:2] == ["population", "population"] and kinds[2:4] == ["digital_teams", "digital_teams"]
    assert set(kinds[4:]) == {"training", "vneid"}
    assert any(p.suffix == ".xlsx" for p in paths)  # Lào Cai's counts, under title rows
    assert sql(db, "select count(*) from etl_reject")[0][0] == 0


def test_van_ban(built):
    _paths, db, _summary = built
    ((population,),) = sql(
        db, "select population from fact_population_year where commune_code = ? and year = 2025", [D.VAN_BAN]
    )
    assert 15500 <= population <= 16500
    villages = {
        r[0] for r in sql(db, "select village from fact_digital_team where commune_code = ?", [D.VAN_BAN])
    }
    assert {f"Thôn {v}" for v in D.VAN_BAN_VILLAGES} <= villages
    dates = [
        r[0]
        for r in sql(
            db,
            "select training_on from fact_training_session where commune_code = ? "
            "and location like '%thôn%' and topic = ? order by 1",
            [D.VAN_BAN, D.VAN_BAN_TOPIC],
        )
    ]
    assert dates[0] >= date(2025, 9, 20) and dates[-1] <= date(2025, 10, 10) and len(dates) == 4
    locations = {
        r[0]
        for r in sql(db, "select location from fact_training_session where commune_code = ?", [D.VAN_BAN])
    }
    assert {f"Nhà văn hóa thôn {v}" for v in D.VAN_BAN_VILLAGES} <= locations


def test_bao_ha_has_72_teams(built):
    _paths, db, _summary = built
    got = dict(
        sql(
            db,
            "select strftime(month, '%Y-%m'), digital_teams from mart_commune_month where commune_code = ?",
            [D.BAO_HA],
        )
    )
    assert got["2025-10"] == 72 and got["2026-02"] == 72 and got["2025-08"] < 72
    topics = [
        r[0] for r in sql(db, "select topic from fact_training_session where commune_code = ?", [D.BAO_HA])
    ]
    assert any("72 tổ công nghệ số cộng đồng" in t and "khôi phục mật khẩu VNeID" in t for t in topics)


def test_dai_xuyen_46_teams_trained_mid_september(built):
    _paths, db, _summary = built
    assert sql(
        db,
        "select digital_teams from mart_commune_month where commune_code = ? and month = '2025-09-01'",
        [D.DAI_XUYEN],
    ) == [(46,)]
    sessions = sql(
        db,
        "select training_on, topic from fact_training_session where commune_code = ? "
        "and topic like '%46 tổ%' order by 1",
        [D.DAI_XUYEN],
    )
    assert [d for d, _ in sessions] == [date(2025, 9, 15), date(2025, 9, 16)]
    assert all(w in sessions[0][1] for w in ("iHanoi", "VNeID", "eTax Mobile"))


def test_moc_son_conference_on_4_october(built):
    _paths, db, _summary = built
    rows = sql(
        db,
        "select audience, topic from fact_training_session where commune_code = ? "
        "and training_on = '2025-10-04' order by audience",
        [D.MOC_SON],
    )
    assert [a for a, _ in rows] == ["officials", "residents"]
    assert all(w in rows[0][1] for w in ("bảo hiểm y tế", "kích hoạt VNeID", "deepfake", "lừa đảo"))
    assert (
        sql(
            db,
            "select training_sessions from mart_commune_month where commune_code = ? "
            "and month = '2025-10-01'",
            [D.MOC_SON],
        )[0][0]
        >= 1
    )


def test_plausible_figures(built):
    _paths, db, _summary = built
    bad = sql(
        db,
        """
        select count(*) from mart_commune_month
        where commune_code in (select commune_code from fact_population_year)
          and (adults > population or digital_teams > villages or adults_certified > adults
               or vneid_level2_active > adults or team_members < digital_teams)""",
    )
    assert bad == [(0,)]
    # cumulative figures never fall
    falls = sql(
        db,
        """
        select count(*) from (
            select adults_certified - lag(adults_certified) over w as d1,
                   vneid_level2_active - lag(vneid_level2_active) over w as d2
            from mart_commune_month window w as (partition by commune_code order by month))
        where d1 < 0 or d2 < 0""",
    )
    assert falls == [(0,)]
