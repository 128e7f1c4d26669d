"""Every figure labelled as a province's or the country's is computed over that population, for every role
(national, province 25, steward 25, commune 8380); a figure that needs other communes' own dossier or
signature data is withheld for a commune account with the "not available for your account" notice; and a
commune account finds no other commune's exact dossier or signature figure in any page, report or workbook.

The expected figures are independent SQL over the fact tables (fact_dossier, fact_signature_month) and the
published index (mart_index_period), not the read side's marts."""

from __future__ import annotations

import pandas as pd
import pytest

import reports
from metrics import commune, rankings
from metrics.i18n import t
from metrics.scope import OPEN, Scope
from reports.labels import t as report_t
from tests.conftest import sql
from tests.reports.helpers import docx_text, open_docx, open_xlsx
from tests.security.conftest import PHU_THO, VAN_BAN, page_text, run_as
from ui.format import value as fmt_value

PERIOD = "2025-10"
SCOPES = {
    "nat": OPEN,
    "pt": Scope("province", PHU_THO),
    "st": Scope("province", PHU_THO),
    "vb": Scope("commune", PHU_THO, VAN_BAN),
}
MONTH = "received_at >= date '2025-10-01' and received_at < date '2025-11-01'"

# Online rate over a population of fact_dossier rows (the catalogue's formula: online / received).
ONLINE_RATE = f"select count(*) filter (where channel = 'online') / count(*) from fact_dossier where {MONTH}"
# Signature rate over fact_signature_month: signed / (issued - confidential).
SIGNATURE_RATE = (
    "select sum(docs_signed) / (sum(docs_issued) - sum(docs_confidential)) from fact_signature_month "
    "where month = date '2025-10-01'"
)
# Each commune's own online rate in the province, for medians and for the leak search.
COMMUNE_ONLINE = (
    f"select c.commune_code, count(*) filter (where channel = 'online') / count(*) as online_rate "
    f"from dim_commune c join fact_dossier f using (commune_code) where c.province_code = 25 "
    f"and {MONTH} group by all"
)
OTHER_NAMES = (
    f"select commune_code, name from dim_commune where province_code = 25 and commune_code <> {VAN_BAN}"
)
GROUP_SCORES = (
    "select i.commune_code, c.name, i.score_ckmb from mart_index_period i join dim_commune c "
    "using (commune_code) where i.period_type = 'month' and i.period = '2025-10' "
    "and i.province_code = 25 and i.score_ckmb is not null"
)


def one(db, query: str) -> float:
    return float(sql(db, query)[0][0])


def pct(x: float) -> str:
    return fmt_value(x, "pct", "vi")


@pytest.mark.parametrize("user", list(SCOPES))
def test_headline_province_and_national_figures_are_their_populations(secured, user):
    province = one(secured, ONLINE_RATE + " and province_code = 25")
    country = one(secured, ONLINE_RATE)
    province_sig = one(secured, SIGNATURE_RATE + " and province_code = 25")
    country_sig = one(secured, SIGNATURE_RATE)
    assert abs(province - country) > 1e-4  # the check can tell them apart
    from core.periods import parse_period

    head = rankings.headline(PHU_THO, parse_period(PERIOD), SCOPES[user], secured).set_index("metric")
    assert head.loc["online_rate", "value"] == pytest.approx(province)
    assert head.loc["online_rate", "national"] == pytest.approx(country)
    assert head.loc["signature_rate", "value"] == pytest.approx(province_sig)
    assert head.loc["signature_rate", "national"] == pytest.approx(country_sig)
    index = sql(
        secured,
        "select avg(index_total) from mart_index_period where period_type = 'month' and period = '2025-10'",
    )[0][0]
    assert head.loc["index_average", "national"] == pytest.approx(float(index))
    nat = rankings.headline(None, parse_period(PERIOD), SCOPES[user], secured).set_index("metric")
    assert nat.loc["online_rate", "value"] == pytest.approx(country)

    # and the page shows them: the card's value and its "Cả nước" note
    at = run_as(user, "province", province=PHU_THO, period=PERIOD)
    text = page_text(at)
    online = next(m for m in at.metric if m.label == t("m_online_rate", "vi"))
    assert online.value == pct(province)
    assert f"{t('national', 'vi')}: {pct(country)}" in text


@pytest.mark.parametrize("user", ["nat", "pt", "vb"])
def test_national_page_figures_are_the_country(secured, user):
    at = run_as(user, "national", period=PERIOD)
    online = next(m for m in at.metric if m.label == t("m_online_rate", "vi"))
    assert online.value == pct(one(secured, ONLINE_RATE))
    table = next(df.value for df in at.dataframe if "province_name" in df.value.columns)
    row = table[table["province_code"] == PHU_THO].iloc[0]
    assert row["online_rate"] == pytest.approx(one(secured, ONLINE_RATE + " and province_code = 25"))


@pytest.mark.parametrize("user", ["nat", "pt", "st", "vb"])
def test_commune_profile_medians_and_best_are_the_province(secured, user):
    from core.periods import parse_period

    rates = pd.DataFrame(sql(secured, COMMUNE_ONLINE), columns=["commune_code", "online_rate"])
    # communes without a dossier have no rate and are left out of the median
    median = float(rates["online_rate"].astype(float).median())
    groups = pd.DataFrame(sql(secured, GROUP_SCORES), columns=["commune_code", "name", "score"])
    groups["score"] = groups["score"].astype(float)
    best = groups.sort_values(["score", "name"], ascending=[False, True]).iloc[0]
    assert len(groups) > 5

    figures = commune.commune_figures(VAN_BAN, parse_period(PERIOD), SCOPES[user], secured).set_index(
        "metric"
    )
    assert figures.loc["online_rate", "province_median"] == pytest.approx(median)
    scores = commune.group_scores(VAN_BAN, parse_period(PERIOD), SCOPES[user], secured).set_index("group")
    assert scores.loc["CKMB", "province_median"] == pytest.approx(float(groups["score"].median()))
    assert scores.loc["CKMB", "province_best"] == pytest.approx(float(best["score"]))
    assert scores.loc["CKMB", "best_commune"] == best["name"]

    at = run_as(user, "commune", province=PHU_THO, commune=VAN_BAN, period=PERIOD)
    assert f"{t('province_median', 'vi')}: {pct(median)}" in page_text(at)
    table = next(df.value for df in at.dataframe if "best_commune" in df.value.columns).set_index("group")
    assert table.loc["CKMB", "province_best"] == pytest.approx(float(best["score"]))


def test_commune_account_sees_the_notice_instead_of_other_communes_rates(secured):
    at = run_as("vb", "province", period=PERIOD)
    assert t("not_available_for_account", "vi") in page_text(at)
    at = run_as("pt", "province", period=PERIOD)
    assert t("not_available_for_account", "vi") not in page_text(at)
    # the skills page's province figures are aggregates now (mart_skills_area): shown, no notice
    # (test_skills_province_and_national_figures_are_their_populations)


def _report_median(db, scope: Scope) -> tuple[str, object, list]:
    """(DOCX text, XLSX workbook) of the commune report built with `scope`."""
    files = reports.build_commune_reports(VAN_BAN, PERIOD, ["docx", "xlsx"], path=db, scope=scope)
    return docx_text(open_docx(files["docx"])), open_xlsx(files["xlsx"])


def _cells(wb) -> list:
    return [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]


@pytest.mark.parametrize("user", ["pt", "vb"])
def test_commune_report_province_median_and_best_are_the_province(secured, user):
    groups = pd.DataFrame(sql(secured, GROUP_SCORES), columns=["commune_code", "name", "score"])
    groups["score"] = groups["score"].astype(float)
    best = groups.sort_values(["score", "name"], ascending=[False, True]).iloc[0]
    median = float(groups["score"].median())
    rates = pd.DataFrame(sql(secured, COMMUNE_ONLINE), columns=["commune_code", "online_rate"])
    online_median = float(rates["online_rate"].astype(float).median())
    text, wb = _report_median(secured, SCOPES[user])
    # Bảng 2 (the groups' scores): the CKMB row's province best is the published best over the province
    lines = text.splitlines()
    row = lines.index(f"CKMB · {t('group_ckmb', 'vi')}")
    assert lines[row + 5] == fmt_value(float(best["score"]), "score", "vi")
    # the best commune is named where the published index is listed (the workbook's index sheet, public within
    # the province), never in section III: the tasks name no other commune (issue 16)
    index_rows = [r for ws in wb.worksheets for r in ws.iter_rows(values_only=True) if r and r[0] == "CKMB"]
    assert [(r[6], r[7]) for r in index_rows] == [(pytest.approx(float(best["score"])), best["name"])]
    tasks = text[text.index(report_t("s_tasks", "vi")) : text.index(report_t("s_proposals", "vi"))]
    others = [n for c, n in sql(secured, OTHER_NAMES)]
    assert best["name"] in others and best["commune_code"] != VAN_BAN
    assert [n for n in others if n in tasks] == []
    cells = [c for c in _cells(wb) if isinstance(c, float)]
    assert any(c == pytest.approx(best["score"]) for c in cells)
    assert any(c == pytest.approx(median) for c in cells)
    assert any(c == pytest.approx(online_median) for c in cells)
    if user == "vb":
        assert t("withheld_for_account_note", "vi") in text


def _other_values(db) -> set[float]:
    """Every other Phú Thọ commune's exact online rate and signature rate of the month, less any value that
    is also Vân Bán's own or an aggregate (those may appear legitimately)."""
    online = pd.DataFrame(sql(db, COMMUNE_ONLINE), columns=["commune_code", "v"])
    sig = pd.DataFrame(
        sql(
            db,
            "select commune_code, docs_signed / (docs_issued - docs_confidential) "
            "from fact_signature_month where province_code = 25 and month = date '2025-10-01' "
            "and docs_issued > docs_confidential",
        ),
        columns=["commune_code", "v"],
    )
    both = pd.concat([online, sig])
    own = set(both[both["commune_code"] == VAN_BAN]["v"].astype(float).round(12))
    others = set(both[both["commune_code"] != VAN_BAN]["v"].astype(float).round(12))
    medians = {
        round(float(online["v"].astype(float).median()), 12),
        round(float(sig["v"].astype(float).median()), 12),
    }
    # a simple fraction (3/4, 5/11) also arises from the commune's own small counts (a procedure's rate):
    # only values that identify another commune's month are searched for
    return {v for v in others - own - medians if 0 < v < 1 and not _simple(v)}


def _simple(v: float) -> bool:
    return any(abs(v * q - round(v * q)) < 1e-9 for q in range(1, 25))


def _floats(values) -> set[float]:
    out = set()
    for v in values:
        if isinstance(v, float) and not pd.isna(v):
            out.add(round(v, 12))
    return out


def test_commune_account_cannot_find_another_communes_figures(secured):
    secret = _other_values(secured)
    assert len(secret) > 10
    found: dict[str, set] = {}
    for page in (
        "province",
        "national",
        "commune",
        "filings",
        "signatures",
        "service_index",
        "skills",
        "quality",
    ):
        at = run_as("vb", page, period=PERIOD)
        seen = set()
        for df in at.dataframe:
            seen |= _floats(df.value.select_dtypes("number").to_numpy().ravel().tolist())
        found[page] = seen & secret
    text, wb = _report_median(secured, SCOPES["vb"])
    found["commune report xlsx"] = _floats(_cells(wb)) & secret
    for fmt_ in ("xlsx",):
        data = reports.build_province_briefings(PHU_THO, PERIOD, [fmt_], path=secured, scope=SCOPES["vb"])[
            fmt_
        ]
        found["province briefing xlsx"] = _floats(_cells(open_xlsx(data))) & secret
    assert {k: v for k, v in found.items() if v} == {}


def test_the_leak_search_can_fail(secured):
    """The same search finds the values in a province account's outputs, where they belong."""
    secret = _other_values(secured)
    at = run_as("pt", "province", period=PERIOD)
    seen = set()
    for df in at.dataframe:
        seen |= _floats(df.value.select_dtypes("number").to_numpy().ravel().tolist())
    assert seen & secret


@pytest.mark.parametrize("user", ["pt", "vb"])
def test_province_briefing_figures_are_the_province_and_the_country(secured, user):
    """The briefing's headline table: the province's and the country's online rate (SQL over fact_dossier);
    the targets table's commune counts are aggregates, shown to every role without the notice."""
    files = reports.build_province_briefings(
        PHU_THO, PERIOD, ["docx", "xlsx"], path=secured, scope=SCOPES[user]
    )
    cells = [c for c in _cells(open_xlsx(files["xlsx"])) if isinstance(c, float)]
    assert any(c == pytest.approx(one(secured, ONLINE_RATE + " and province_code = 25")) for c in cells)
    assert any(c == pytest.approx(one(secured, ONLINE_RATE)) for c in cells)
    text = docx_text(open_docx(files["docx"]))
    assert t("not_available_for_account", "vi") not in text


# --- digital skills: the province's and the country's figures (mart_skills_area), every role -------------

# Each commune's adults as of 2025 (the latest population year on or before it) and its latest cumulative
# certificates / VNeID accounts reported on or before 10/2025, straight from the fact tables.
SKILLS_STOCKS = """
with adults as (
    select commune_code, province_code, adults from fact_population_year where year <= 2025
    qualify row_number() over (partition by commune_code order by year desc) = 1
),
latest as (
    select commune_code, {col} as v from fact_vneid_month where month <= date '2025-10-01' and {col} is not null
    qualify row_number() over (partition by commune_code order by month desc) = 1
)
select sum(l.v) / sum(a.adults) from adults a join latest l using (commune_code)
where a.adults is not null {where}
"""
# Training participants in 10/2025 (one month: participants per month = the month's participants).
PARTICIPANTS = (
    "select sum(participants) from fact_training_session "
    "where training_on >= date '2025-10-01' and training_on < date '2025-11-01'"
)


def _skills_expected(db) -> dict[str, dict[str, float]]:
    out = {}
    for unit, where in (("province", "and a.province_code = 25"), ("national", "")):
        out[unit] = {
            "adults_certified_share": one(db, SKILLS_STOCKS.format(col="adults_certified", where=where)),
            "vneid_activation_share": one(db, SKILLS_STOCKS.format(col="vneid_level2_active", where=where)),
            "participants_per_month": one(
                db, PARTICIPANTS + (" and province_code = 25" if unit == "province" else "")
            ),
        }
    return out


@pytest.mark.parametrize("user", list(SCOPES))
def test_skills_province_and_national_figures_are_their_populations(secured, user):
    from core.periods import parse_period
    from metrics import skills

    expected = _skills_expected(secured)
    assert (
        abs(expected["province"]["adults_certified_share"] - expected["national"]["adults_certified_share"])
        > 1e-4
    )
    for unit, province in (("province", PHU_THO), ("national", None)):
        s = skills.summary(province, parse_period(PERIOD), SCOPES[user], path=secured).set_index("period")
        for metric, value in expected[unit].items():
            assert s.loc[PERIOD, metric] == pytest.approx(value), (unit, metric)

    # the skills page shows the province's figures to every role, never the notice instead
    at = run_as(user, "skills", province=PHU_THO, period=PERIOD)
    card = next(m for m in at.metric if m.label == t("skills_adults_certified_share", "vi"))
    assert card.value == pct(expected["province"]["adults_certified_share"])
    assert t("not_available_for_account", "vi") not in page_text(at)


@pytest.mark.parametrize("user", ["pt", "st", "vb"])
def test_province_briefing_skills_and_target_counts_are_aggregates(secured, user):
    """The briefing's skills table (province and country) and its targets table (communes at each target) are
    aggregates: the same true figures for every role, a commune account included."""
    from core.periods import parse_period
    from metrics import report_data

    expected = _skills_expected(secured)
    data = report_data.province_briefing_data(PHU_THO, parse_period(PERIOD), SCOPES[user], secured)
    s = data.skills_summary.set_index("unit")
    for unit in ("province", "national"):
        for metric, value in expected[unit].items():
            assert s.loc[unit, metric] == pytest.approx(value), (unit, metric)
    text = docx_text(
        open_docx(
            reports.build_province_briefings(PHU_THO, PERIOD, ["docx"], path=secured, scope=SCOPES[user])[
                "docx"
            ]
        )
    )
    assert pct(expected["province"]["adults_certified_share"]) in text
    assert pct(expected["national"]["adults_certified_share"]) in text

    # communes of Phú Thọ with an online rate for 10/2025 and those at the 60 % target, from fact_dossier
    rates = pd.DataFrame(sql(secured, COMMUNE_ONLINE), columns=["commune_code", "online_rate"])
    targets = data.targets.set_index("metric")
    assert targets.loc["online_rate", "communes_with_data"] == len(rates)
    assert targets.loc["online_rate", "communes_at_target"] == int(
        (rates["online_rate"].astype(float) >= 0.6).sum()
    )
    # the demo's rates climb towards the 60 % target, reached by no commune of this warehouse in 10/2025 (0 is
    # the true count); so that the check can tell, the same count at a target the communes straddle (their
    # median rate) must split them exactly as fact_dossier does, for this role too
    from dataclasses import replace

    from metrics import areas
    from metrics.definitions import TARGETS

    median = float(rates["online_rate"].astype(float).median())
    at_median = int((rates["online_rate"].astype(float) >= median - 1e-12).sum())
    assert 0 < at_median < len(rates)
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(TARGETS, "online_rate", replace(TARGETS["online_rate"], value=median))
        moved = areas.target_counts(PHU_THO, parse_period(PERIOD), SCOPES[user], secured).set_index("metric")
    assert (
        moved.loc["online_rate", "communes_with_data"],
        moved.loc["online_rate", "communes_at_target"],
    ) == (
        len(rates),
        at_median,
    )
    sig = sql(
        secured,
        "select count(*), count(*) filter (where docs_signed = docs_issued - docs_confidential) "
        "from fact_signature_month where province_code = 25 and month = date '2025-10-01' "
        "and docs_issued > docs_confidential",
    )[0]
    assert (
        targets.loc["signature_rate", "communes_with_data"],
        targets.loc["signature_rate", "communes_at_target"],
    ) == sig
    assert 0 < sig[1] < sig[0]  # the check can tell: some communes sign everything, some do not
    assert t("not_available_for_account", "vi") not in text


@pytest.mark.parametrize("user", ["pt", "st", "vb"])
def test_the_provinces_ranking_is_every_province_for_every_role(secured, user):
    """The national 34-province ranking is an aggregate: unfiltered for every role, ranked as for the
    country; a commune or province account is not invited to open another province."""
    from core.periods import parse_period
    from metrics import portal, service_index

    per = parse_period(PERIOD)
    full = service_index.national_province_ranking(per, OPEN, path=secured)
    mine = service_index.national_province_ranking(per, SCOPES[user], path=secured)
    assert len(full) >= 2
    pd.testing.assert_frame_equal(mine, full)
    pd.testing.assert_frame_equal(
        portal.province_ranking(per, SCOPES[user], path=secured),
        portal.province_ranking(per, OPEN, path=secured),
    )
    from metrics import rankings

    pd.testing.assert_frame_equal(
        rankings.province_index(per, SCOPES[user], secured), rankings.province_index(per, OPEN, secured)
    )
    at = run_as(user, "national", period=PERIOD)
    text = page_text(at)
    assert t("click_row_province", "vi") not in text
    table = next(df.value for df in at.dataframe if "province_name" in df.value.columns)
    assert set(table["province_code"]) >= {1, PHU_THO}
    assert t("click_row_province", "vi") in page_text(run_as("nat", "national", period=PERIOD))


# The communes of Phú Thọ with any digital-skills data as of 10/2025, straight from the fact tables: a population
# year, a digital team, a VNeID month on or before it, or a training session in the month.
SKILLS_COMMUNES = """
select count(distinct commune_code) from (
    select commune_code from fact_population_year where year <= 2025
    union all select commune_code from fact_digital_team
    union all select commune_code from fact_vneid_month where month <= date '2025-10-01'
    union all select commune_code from fact_training_session
        where training_on >= date '2025-10-01' and training_on < date '2025-11-01'
) s join dim_commune c using (commune_code) where c.province_code = 25
"""


@pytest.mark.parametrize("user", ["nat", "pt"])
def test_commune_report_skills_ranks_are_over_the_communes_with_skills_data(secured, user):
    """Bảng 3's ranks and province medians are over the communes with digital-skills data, not every commune of
    dim_commune: a commune without any reads as zero sessions in the mart and must not count as a zero."""
    from core.periods import parse_period
    from metrics import report_data

    with_data = int(one(secured, SKILLS_COMMUNES))
    total = int(one(secured, "select count(*) from dim_commune where province_code = 25"))
    assert 0 < with_data < total  # the test warehouse has communes without skills data: the test can fail
    data = report_data.commune_report_data(VAN_BAN, parse_period(PERIOD), SCOPES[user], secured)
    figs = data.skills_figures.set_index("metric")
    for metric in ("sessions_per_month", "participants_per_month"):
        assert figs.loc[metric, "communes_ranked"] == with_data, metric
        assert 1 <= figs.loc[metric, "rank"] <= with_data, metric
    # participants per month over one month: each commune's participants of 10/2025, median over those communes
    per_commune = sql(
        secured,
        "select c.commune_code, coalesce(sum(f.participants), 0) from dim_commune c "
        "left join fact_training_session f on f.commune_code = c.commune_code "
        "and f.training_on >= date '2025-10-01' and f.training_on < date '2025-11-01' "
        "where c.province_code = 25 and c.commune_code in (select commune_code from fact_population_year "
        "union select commune_code from fact_digital_team union select commune_code from fact_vneid_month "
        "where month <= date '2025-10-01' union select commune_code from fact_training_session "
        "where training_on >= date '2025-10-01' and training_on < date '2025-11-01') group by all",
    )
    assert len(per_commune) == with_data
    median = float(pd.Series([float(v) for _, v in per_commune]).median())
    assert figs.loc["participants_per_month", "province_median"] == pytest.approx(median)
