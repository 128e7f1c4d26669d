"""Incremental marts: a load refreshes mart_dossier_month only for the months it touched (its new
rows' and the replaced rows' months of received_at), and every mart ends up exactly as a build from
scratch of the same files would make it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import loader
from etl.loader import MART_FILES, load_files
from tests.conftest import write_csv

MARTS = [name.removesuffix(".sql") for name in MART_FILES]
HEADER = ["MaHoSo", "MaXa", "MaTTHC", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]


def _marts(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {m: con.execute(f"select * from {m} order by all").fetchall() for m in MARTS}
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> dict[str, list[Path]]:
    """Three months of demo dossier and signature files for a few communes, by month."""
    from demo import generate_demo_files

    out = tmp_path_factory.mktemp("incremental_demo")
    files = generate_demo_files(out, communes=[8380, 10333, 4, 8, 10330], months=("2025-08", "2025-10"))
    by_month: dict[str, list[Path]] = {}
    for path in files.paths:
        if path.suffix == ".csv" and path.parent.name in ("dossiers", "signatures"):
            by_month.setdefault(path.stem[-7:], []).append(path)
    return dict(sorted(by_month.items()))


def test_month_by_month_loads_give_the_marts_of_a_full_build(demo_files, tmp_path, monkeypatch):
    months = list(demo_files)
    full = tmp_path / "full" / "warehouse.duckdb"
    load_files([p for m in months for p in demo_files[m]], full)

    calls: list = []
    real = loader.build_marts

    def spy(con, months=None):
        calls.append(months)
        return real(con, months)

    monkeypatch.setattr(loader, "build_marts", spy)
    step = tmp_path / "step" / "warehouse.duckdb"
    for month in months:
        load_files(demo_files[month], step)
    assert _marts(step) == _marts(full)
    # The last month's load refreshed its own month and the earlier months of the dossiers it
    # replaced (finished in October, received before), not a fixed "everything".
    last = calls[-1]
    assert last is not None and [m.strftime("%Y-%m") for m in last][-1] == "2025-10"
    assert "2025-10" in {m.strftime("%Y-%m") for m in last} and len(last) < 12


def test_a_corrected_received_date_moves_the_dossier_between_months(tmp_path):
    db = tmp_path / "wh" / "warehouse.duckdb"
    first = write_csv(
        tmp_path / "a.csv",
        HEADER,
        [
            ["X1", "8380", "1.001193", "15/08/2025 09:00", "20/08/2025 17:00", "18/08/2025 10:00", "1"],
            ["X2", "8380", "1.001193", "16/08/2025 09:00", "20/08/2025 17:00", "", "2"],
        ],
    )
    second = write_csv(
        tmp_path / "b.csv",
        HEADER,
        [  # X1's received date corrected to September
            ["X1", "8380", "1.001193", "15/09/2025 09:00", "20/09/2025 17:00", "18/09/2025 10:00", "1"],
        ],
    )
    load_files([first], db)
    load_files([second], db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select strftime(month, '%Y-%m'), dossiers_received from mart_dossier_month order by month"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("2025-08", 1), ("2025-09", 1)]
    scratch = tmp_path / "scratch" / "warehouse.duckdb"
    load_files([first, second], scratch)
    assert _marts(db) == _marts(scratch)


def test_refreshing_the_marts_changes_nothing_and_keeps_the_facts(demo_files, tmp_path):
    db = tmp_path / "wh" / "warehouse.duckdb"
    load_files([p for fs in demo_files.values() for p in fs], db)
    before = _marts(db)
    con = duckdb.connect(str(db), read_only=True)
    facts = con.execute("select count(*), sum(hash(dossier_id)) from fact_dossier").fetchall()
    con.close()
    assert loader.refresh_marts(db) > 0
    assert _marts(db) == before
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*), sum(hash(dossier_id)) from fact_dossier").fetchall() == facts
    con.close()
