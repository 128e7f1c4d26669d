"""The marts built by Spark over the Parquet lake equal DuckDB's, every mart, every row (scaling/spark_marts.py,
docs/scaling.md section "How Spark and DuckDB agree").  Marked `spark`: deselected by default, run by
`make test-spark` (pyspark from requirements-spark.txt and Java 17+); skipped, with the reason, only when
pyspark or Java is absent."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from etl.lake import export_lake

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.spark


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


@pytest.fixture(scope="module")
def spark_ready():
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -r requirements-spark.txt)")
    pytest.importorskip("sqlglot", reason="sqlglot is not installed (pip install -r requirements-spark.txt)")
    if _java() is None:
        pytest.skip("no Java (Spark needs Java 17 or later: apt-get install openjdk-17-jre-headless)")


def test_every_mart_built_by_spark_equals_duckdbs(spark_ready, tmp_path_factory):
    from tests.app.conftest import build_app_warehouse

    # the page tests' demo warehouse: 62 communes of two provinces, 07-12/2025, with quarters and a year
    # derived from the months (mart_index_derived) and every province's and the country's aggregates
    db = build_app_warehouse(tmp_path_factory)
    lake = tmp_path_factory.mktemp("lake") / "lake"
    export_lake(db, lake)
    out = tmp_path_factory.mktemp("spark") / "marts"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scaling" / "spark_marts.py"), str(lake), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    lines = re.findall(r"^(\w+): rows duckdb (\d+) spark (\d+);.*-> (OK|MISMATCH)$", run.stdout, re.MULTILINE)
    reports = {name: (int(d), int(s), verdict) for name, d, s, verdict in lines}
    expected = {p.stem for p in (ROOT / "etl" / "sql").glob("*.yml")}
    assert set(reports) == expected, run.stdout + run.stderr[-3000:]
    mismatched = {name: r for name, r in reports.items() if r[2] != "OK"}
    assert mismatched == {}, run.stdout
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    # the comparison is not vacuous: the marts the issue named have rows
    for name in ("mart_index_derived", "mart_area_period", "mart_skills_area", "mart_commune_month"):
        assert reports[name][0] > 0, name


def test_the_comparison_finds_a_difference(spark_ready, tmp_path):
    """The comparison itself can fail: a Spark mart with one value changed is reported as a mismatch."""
    import duckdb

    sys.path.insert(0, str(ROOT / "scaling"))
    try:
        import spark_marts
    finally:
        sys.path.remove(str(ROOT / "scaling"))
    con = duckdb.connect()
    keys = spark_marts.mart_keys()
    for name in keys:
        (tmp_path / name).mkdir()
    con.execute(
        "create table mart_area_period as select 'national' as area_level, cast(null as integer) as province_code, "
        "'month' as period_type, '2025-10' as period, 0.5 as x"
    )
    con.execute(
        f"copy (select * replace (0.5000001 as x) from mart_area_period) to '{tmp_path}/mart_area_period/a.parquet'"
    )
    report = next(r for r in spark_marts.compare(con, tmp_path, only=["mart_area_period"]))
    assert not report["ok"] and report["row_mismatches"] == 1
    assert report["columns_with_row_mismatches"] == {"x": 1}
