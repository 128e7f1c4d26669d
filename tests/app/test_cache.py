"""The read-side cache: keyed on the warehouse file's version, so a load that swaps the file in is
seen on the next call without a restart; and no DuckDB connection outlives a call."""

from __future__ import annotations

import os
import shutil

import duckdb

from core.periods import month
from etl.loader import load_files
from metrics import db as metrics_db
from metrics import periodic
from tests.conftest import write_csv
from ui import cache

HEADER = ["MaHoSo", "MaXa", "NgayTiepNhan", "KenhThucHien"]


def _warehouse(tmp_path, name, rows):
    path = tmp_path / name / "warehouse.duckdb"
    assert load_files([write_csv(tmp_path / f"{name}.csv", HEADER, rows)], path).exit_code == 0
    return path


def test_swapped_warehouse_is_read_without_restart(tmp_path, monkeypatch):
    first = _warehouse(tmp_path, "a", [["A1", 8380, "02/10/2025", 2], ["A2", 8380, "03/10/2025", 1]])
    second = _warehouse(
        tmp_path,
        "b",
        [["B1", 8380, "02/10/2025", 2], ["B2", 8380, "03/11/2025", 2], ["B3", 8380, "04/11/2025", 2]],
    )
    live = tmp_path / "live" / "warehouse.duckdb"
    live.parent.mkdir()
    shutil.copy(first, live)
    monkeypatch.setenv("CDS_WAREHOUSE", str(live))
    cache._call.clear()
    oct_ = month(2025, 10)
    got = cache.data(periodic.commune_counts, [oct_], None, 8380)
    assert got.iloc[0]["dossiers_received"] == 2
    assert cache.data(periodic.commune_counts, [oct_], None, 8380).iloc[0]["dossiers_received"] == 2  # cached
    version = metrics_db.version()
    staged = live.with_suffix(".new")
    shutil.copy(second, staged)
    os.replace(staged, live)  # what the loader's swap does
    assert metrics_db.version() != version
    assert cache.data(periodic.commune_counts, [oct_], None, 8380).iloc[0]["dossiers_online"] == 1
    assert cache.data(periodic.month_range) == (month(2025, 10).start, month(2025, 11).start)


def test_no_connection_is_held_after_a_call(tmp_path, monkeypatch):
    path = _warehouse(tmp_path, "c", [["C1", 8380, "02/10/2025", 2]])
    monkeypatch.setenv("CDS_WAREHOUSE", str(path))
    cache._call.clear()
    cache.data(periodic.places)
    con = duckdb.connect(str(path))  # read-write: fails while any read-only connection is open
    con.close()


def test_options_are_shared_until_the_warehouse_is_swapped(tmp_path, monkeypatch):
    """The sidebar's places and months are built once per scope and warehouse version, for every
    session of the process; a load that swaps a new file in gives new options at the next rerun."""
    from metrics.scope import OPEN
    from ui import state

    first = _warehouse(tmp_path, "d", [["D1", 8380, "02/10/2025", 2]])
    second = _warehouse(tmp_path, "e", [["E1", 8380, "02/10/2025", 2], ["E2", 8380, "03/11/2025", 2]])
    live = tmp_path / "live2" / "warehouse.duckdb"
    live.parent.mkdir()
    shutil.copy(first, live)
    monkeypatch.setenv("CDS_WAREHOUSE", str(live))
    cache._call.clear()
    state._shared_options.clear()
    options = state.load_options(OPEN)
    assert state.load_options(OPEN) is options  # shared, not rebuilt
    assert options.last_month == month(2025, 10).start
    assert options.communes_of(25) == options.communes_of(25) and 8380 in options.communes_of(25)
    staged = live.with_suffix(".new")
    shutil.copy(second, staged)
    os.replace(staged, live)
    swapped = state.load_options(OPEN)
    assert swapped is not options and swapped.last_month == month(2025, 11).start
