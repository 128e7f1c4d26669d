"""What each user's first screen answers (issue 16): the bare address and old deep links open the
right page with their filters; the secretary's report at the top of the commune profile; the
leader's rank among the provinces; the ranking table's compact group columns; phone-friendly hints."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from metrics.i18n import t
from tests.app.test_pages import PHU_THO, VAN_BAN, run_page
from ui import format

ROOT = Path(__file__).resolve().parents[2]
LANGS = ["vi", "en"]


def run_bare(**params) -> AppTest:
    """The app at its bare address (/), as a browser opens it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_bare_address_opens_the_province_overview_with_its_filters(app_env, lang):
    at = run_bare(province=PHU_THO, period="2025-10", lang=lang)
    assert at.title[0].value == t("nav_province", lang)
    assert at.query_params["province"] == str(PHU_THO) and at.query_params["period"] == "2025-10"


@pytest.mark.parametrize("page", ["province", "national", "commune", "service_index"])
def test_every_page_has_its_own_address(app_env, page):
    """/province (the landing page) is a page like the others, not only the bare address."""
    at = run_page(page, province=PHU_THO, commune=VAN_BAN, period="2025-10", lang="en")
    assert at.title[0].value == t(f"nav_{'index' if page == 'service_index' else page}", "en")
    assert at.query_params["commune"] == str(VAN_BAN) and at.query_params["period"] == "2025-10"


def _flat(node, out: list) -> list:
    for child in getattr(node, "children", {}).values():
        out.append(child)
        _flat(child, out)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_commune_profile_offers_this_periods_report_first(app_env, lang):
    """The secretary's main task: the report, one click per format (or the three in one archive),
    above the figures, not at the bottom behind two clicks."""
    at = run_page("commune", province=PHU_THO, commune=VAN_BAN, period="2025-10", lang=lang)
    elements = _flat(at.main, [])
    kinds = [getattr(e, "type", "") for e in elements]
    buttons = [e for e in elements if getattr(e, "type", "") == "download_button"][:4]
    labels = [b.proto.label for b in buttons]
    assert labels == ["Word (.docx)", "PDF", "Excel (.xlsx)", t("report_all_zip", lang)]
    assert kinds.index("download_button") < kinds.index("metric")  # before the first KPI
    heading = f"**{t('h_report_now', lang).format(period='10/2025')}**"
    assert heading in [m.value for m in at.markdown]
    assert not [b for b in at.button if b.key == "commune_report_build"]  # no second click needed


def test_report_archive_holds_the_three_formats(app_env):
    import io
    import zipfile

    from docx import Document
    from openpyxl import load_workbook

    from metrics.scope import OPEN
    from ui.report_buttons import archive_name, report_archive

    data = report_archive("commune", VAN_BAN, "2025-10", "vi", OPEN)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == [f"bao-cao-cds-xa-van-ban-2025-10.{x}" for x in ("docx", "pdf", "xlsx")]
        text = "\n".join(p.text for p in Document(io.BytesIO(archive.read(names[0]))).paragraphs)
        assert "10/2025" in text and "Vân Bán" in text
        assert archive.read(names[1]).startswith(b"%PDF")
        assert load_workbook(io.BytesIO(archive.read(names[2]))).sheetnames
    assert archive_name("commune", VAN_BAN, "2025-10", "en") == "bao-cao-cds-xa-van-ban-2025-10-en.zip"


def _province_ranks(db: Path, period: str) -> dict[int, int]:
    """Each province's rank by the mean total of its communes (no portal ranking in the test data)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        means = dict(
            con.execute(
                """select province_code, avg(total_score) from fact_index_total
                where period_type = 'month' and period = ? and total_score is not null group by all""",
                [period],
            ).fetchall()
        )
    finally:
        con.close()
    return {p: 1 + sum(round(o, 2) > round(v, 2) for o in means.values()) for p, v in means.items()}


@pytest.mark.parametrize("lang", LANGS)
def test_province_overview_shows_its_rank_among_the_provinces_with_its_change(app_env, lang):
    now, before = _province_ranks(app_env, "2025-10"), _province_ranks(app_env, "2025-09")
    at = run_page("province", province=PHU_THO, period="2025-10", lang=lang)
    label = t("province_rank", lang).format(total=len(now))
    cards = [m for m in at.metric if m.label == label]
    assert cards, [m.label for m in at.metric]
    assert cards[0].value == f"{now[PHU_THO]}/{len(now)}"
    moved = before[PHU_THO] - now[PHU_THO]
    assert cards[0].delta == format.change(moved, "rank", lang)
    assert at.metric[0].label == label  # the first card of the first screen


def test_province_rank_is_the_same_for_a_commune_account(app_env):
    """An aggregate over every province: a narrower scope sees the same rank, never 1 of 1."""
    from metrics import service_index
    from metrics.scope import OPEN, Scope

    whole = service_index.national_province_ranking("2025-10", OPEN, path=app_env)
    commune = Scope(level="commune", province_code=PHU_THO, commune_code=VAN_BAN)
    mine = service_index.national_province_ranking("2025-10", commune, path=app_env)
    row = whole[whole["province_code"] == PHU_THO].iloc[0]
    own = mine[mine["province_code"] == PHU_THO].iloc[0]
    assert (own["national_rank"], own["provinces_ranked"]) == (row["national_rank"], row["provinces_ranked"])


# The main area's content width beside the sidebar at 1366 px, measured in Chromium (1366 px less the
# 300 px sidebar and 2 x 80 px padding); a table whose columns are narrower in total never scrolls.
MAIN_WIDTH_1366 = 906
SELECT_COLUMN = 38  # the row-selection checkbox column of a clickable table, measured in Chromium


@pytest.mark.parametrize(("page", "lang"), [("province", "vi"), ("province", "en"), ("service_index", "vi")])
def test_ranking_table_shows_all_six_groups_at_1366_px(app_env, page, lang):
    import json

    from core.index_groups import GROUP_COLUMNS, GROUP_MAX

    at = run_page(page, province=PHU_THO, period="2025-10", lang=lang)
    # the ranking table: the page's table of the six group scores (the province overview shows the
    # communes needing attention above it, right under the KPI cards)
    rankings = [df for df in at.dataframe if all(c in df.proto.column_order for c in GROUP_COLUMNS.values())]
    assert len(rankings) == 1, [list(df.proto.column_order) for df in at.dataframe]
    config = json.loads(rankings[0].proto.columns)
    shown = list(rankings[0].proto.column_order)
    assert all(isinstance(config[c].get("width"), int) for c in shown), config
    # + the row-selection column (click a row to open the commune) and a pixel of border per column
    assert sum(config[c]["width"] for c in shown) + SELECT_COLUMN + len(shown) <= MAIN_WIDTH_1366
    # compact headers, the full label on hover
    assert config["score_ckmb"]["label"] == "CKMB"
    assert config["score_ckmb"]["help"] == f"{t('group_ckmb', lang)} ({t('max_score', lang).lower()} 18)"
    assert GROUP_MAX["CKMB"] == 18
    if "online_rate" in shown:
        assert config["online_rate"]["label"] == t("short_online_rate", lang)
        assert config["online_rate"]["help"] == t("m_online_rate", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_phone_friendly_hints_and_demo_badge(app_env, lang):
    """At 400 px the sidebar is hidden behind », so no hint says 'in the sidebar'; the demo notice is
    a one-line badge, not a second banner."""
    from metrics.i18n import LABELS

    for key in ("empty_pick_commune", "wit_pick_commune", "skills_pick_commune_trend"):
        text = t(key, lang)
        assert "»" in text and "sidebar" not in text and "thanh bên" not in text
    assert not [k for k, (vi, en) in LABELS.items() if "sidebar" in en.lower() or "thanh bên" in vi.lower()]
    at = run_page("commune", province=PHU_THO, period="2025-10", lang=lang)  # no commune chosen
    texts = " ".join(i.value for i in at.info)
    assert t("empty_pick_commune", lang).format(province="Phú Thọ") in texts
    assert not any(t("demo_banner", lang) in i.value for i in at.info)
    assert any(t("demo_badge", lang) in m.value for m in at.markdown)
    assert t("axis_rank", lang) in ("Hạng", "Rank")  # no "(1 = best" clipped on a phone


@pytest.fixture(scope="module")
def dept_warehouse(app_warehouse, tmp_path_factory) -> Path:
    """A copy of the page tests' warehouse with Phú Thọ's real portal answer (service-results: its
    departments and communes, tests/fixtures/portal/replay) loaded for 10/2025."""
    import json
    import shutil

    from etl.loader import load_files

    out = tmp_path_factory.mktemp("dept_warehouse")
    db = out / "warehouse.duckdb"
    shutil.copy(app_warehouse, db)
    src = ROOT / "tests/fixtures/portal/replay/H44-service-results.json"
    answer = out / "ket-qua-phu-tho-2025-10.json"
    answer.write_bytes(src.read_bytes())
    summary = load_files([answer], db)
    assert summary.exit_code == 0, summary.to_dict()
    agencies = [
        u
        for u in json.loads(src.read_text(encoding="utf-8"))["data"]["evaluation"]
        if u["childGroup"] != "COMMUNE"
    ]
    return db, agencies


@pytest.mark.parametrize("lang", LANGS)
def test_service_index_ranks_the_provinces_departments(dept_warehouse, monkeypatch, lang):
    import json

    db, agencies = dept_warehouse
    monkeypatch.setenv("CDS_WAREHOUSE", str(db))
    at = run_page("service_index", province=PHU_THO, period="2025-10", lang=lang)
    assert t("h_departments", lang) in [s.value for s in at.subheader]
    shown = next((d for d in at.dataframe if "department_name" in d.proto.column_order), None)
    assert shown is not None, [i.value for i in at.info]
    frame = shown.value
    assert len(frame) == len(agencies)
    best = max(agencies, key=lambda u: u["totalScore"])
    top = frame.iloc[0]
    assert top["department_name"] == best["departmentName"] and top["index_total"] == best["totalScore"]
    assert list(frame["index_rank"].astype(int)) == [
        1 + sum(o["totalScore"] > v for o in agencies)
        for v in sorted((u["totalScore"] for u in agencies), reverse=True)
    ]
    assert t("departments_note", lang).format(n=len(agencies)) in [c.value for c in at.caption]
    config = json.loads(shown.proto.columns)
    assert config["department_name"]["label"] == t("col_department_name", lang)


def test_department_ranking_follows_the_scope(dept_warehouse):
    from core.periods import parse_period
    from metrics import departments
    from metrics.scope import OPEN, Scope

    db, agencies = dept_warehouse
    period = parse_period("2025-10")
    assert len(departments.department_ranking(PHU_THO, period, OPEN, path=db)) == len(agencies)
    own = Scope(level="commune", province_code=PHU_THO, commune_code=VAN_BAN)
    assert len(departments.department_ranking(PHU_THO, period, own, path=db)) == len(agencies)
    other = Scope(level="province", province_code=1)  # Hà Nội's account sees none of Phú Thọ's
    assert departments.department_ranking(PHU_THO, period, other, path=db).empty


@pytest.mark.parametrize("lang", LANGS)
def test_service_index_says_when_no_department_is_loaded(app_env, lang):
    at = run_page("service_index", province=PHU_THO, period="2025-10", lang=lang)
    assert t("h_departments", lang) in [s.value for s in at.subheader]
    assert t("departments_none", lang).format(period="10/2025") in [i.value for i in at.info]
    assert not [d for d in at.dataframe if "department_name" in d.proto.column_order]


def test_columns_without_a_short_header_keep_their_width(app_env):
    """Only compact columns are narrowed: the commune's group table keeps readable headers."""
    import json

    at = run_page("commune", province=PHU_THO, commune=VAN_BAN, period="2025-10", lang="en")
    groups = next(d for d in at.dataframe if "points_lost" in d.proto.column_order)
    config = json.loads(groups.proto.columns)
    assert all(
        "width" not in config[c] for c in ("max_score", "points_lost", "province_median", "province_best")
    )
