"""One scope mechanism: every read query takes its communes from the relations the query layer binds
from the caller's scope (metrics/db.py SCOPE_SQL: `scoped_commune`, `scope`).  A query file that reads a
fact, mart or load table without them fails here, as does one that filters on scope parameters itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metrics import db
from metrics.scope import Scope
from tests.app.conftest import build_app_warehouse

SQL_DIR = Path(db.SQL_DIR)
READS_DATA = re.compile(r"\b(from|join)\s+(fact_\w+|mart_\w+|etl_\w+)", re.IGNORECASE)
READS_SCOPE = re.compile(r"\b(from|join)\s+(scoped_commune|scope)\b", re.IGNORECASE)

# Public within the country: the provinces' national ranking (every province's average or the portal's
# published rank), every province for every role (service_index.national_province_ranking).
# The provinces' and the country's aggregates (mart_area_period: sums, medians, means, no commune's row):
# shown to every role (metrics/areas.py).
# The portal's ranking of the 34 provinces (each province's total and group scores, its rank): aggregates of a
# province, shown in full to every role (portal_province_ranking.sql).
# The provinces' and the country's digital-skills aggregates (mart_skills_area: sums over the communes).
# How many of a province's communes have each target rate and how many meet it (counts of communes, no
# commune's rate): area_target_counts.sql, the province briefing's targets table.
PUBLIC = {
    "index_province_ranking.sql",
    "area_period.sql",
    "portal_province_ranking.sql",
    "skills_area.sql",
    "area_target_counts.sql",
}
# Whether published index results are provisional (counts of provisional rows per level and period,
# no figure of any unit): status metadata of the portal fetch (metrics/portal.py).
STATUS = {"portal_index_status.sql", "portal_provisional_periods.sql", "portal_load_status.sql"}


def _code(path: Path) -> str:
    """The SQL without its comments."""
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


def test_every_query_reading_data_takes_its_communes_from_the_scoped_relation():
    files = sorted(SQL_DIR.glob("*.sql"))
    assert len(files) > 15
    unscoped = [
        f.name
        for f in files
        if READS_DATA.search(_code(f)) and not READS_SCOPE.search(_code(f)) and f.name not in PUBLIC | STATUS
    ]
    assert unscoped == [], f"these queries read facts or marts without scoped_commune: {unscoped}"
    assert all((SQL_DIR / name).exists() for name in PUBLIC | STATUS)


def test_no_query_filters_on_scope_parameters_itself():
    offenders = [f.name for f in sorted(SQL_DIR.glob("*.sql")) if "$scope_" in _code(f)]
    assert offenders == []


def test_one_set_of_filter_parameter_names():
    names = set()
    for f in SQL_DIR.glob("*.sql"):
        names |= set(re.findall(r"\$(\w+)", _code(f)))
    assert not names & {"province_code", "commune_code"}, "filters are $province and $commune"


def test_the_check_fails_on_a_query_that_forgets_the_scope(tmp_path):
    bad = "select sum(dossiers_received) from mart_commune_month where province_code = $province"
    assert READS_DATA.search(bad) and not READS_SCOPE.search(bad)


@pytest.fixture
def warehouse_env(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CDS_WAREHOUSE", str(build_app_warehouse(tmp_path_factory)))


def test_a_scoped_query_without_a_scope_is_refused(warehouse_env):
    with pytest.raises(ValueError, match="scope"):
        db.query("select count(*) from scoped_commune")
    n = db.query("select count(*) as n from scoped_commune", scope=Scope("commune", 25, 8380))["n"][0]
    assert n == 1
    n = db.query("select count(*) as n from scoped_commune", scope=Scope("commune", 25, 8380).published())[
        "n"
    ][0]
    assert n > 1
