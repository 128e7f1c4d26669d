"""The drop-folder load (cds-load-drop.timer): complete files are loaded in one batch and moved to
done/ or failed/ with the ETL's message beside them; partial and fresh files wait."""

from __future__ import annotations

import os
import time

import duckdb

from deploy import load_drop
from tests.conftest import write_csv
from tests.etl.test_index_results import SIX

HEADER = ["MaHoSo", "MaXa", "NgayTiepNhan", "KenhThucHien"]


def test_drop_folder_loads_and_sorts_files(tmp_path):
    drop = tmp_path / "drop"
    db = tmp_path / "wh" / "warehouse.duckdb"
    good = write_csv(
        drop / "ho_so.csv", HEADER, [["A1", 8380, "02/10/2025", 2], ["A2", 8380, "03/10/2025", 1]]
    )
    bad = drop / "notes.csv"
    bad.write_text("khong,phai,ho,so\n1,2,3,4\n", encoding="utf-8")
    part = write_csv(drop / "next.csv.part", HEADER, [["B1", 8380, "02/10/2025", 2]])
    fresh = write_csv(drop / "fresh.csv", HEADER, [["C1", 8380, "02/10/2025", 2]])
    old = time.time() - 600
    for p in (good, bad, part):
        os.utime(p, (old, old))

    assert load_drop.run(drop, db, settle=60) == 1  # one file loaded, one refused
    assert (drop / "done" / "ho_so.csv").exists()
    assert "status: loaded" in (drop / "done" / "ho_so.csv.result.txt").read_text()
    assert (drop / "failed" / "notes.csv").exists()
    assert (drop / "failed" / "notes.csv.result.txt").read_text().startswith("status: failed")
    assert part.exists() and fresh.exists()  # not complete yet: left for the next run
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from fact_dossier").fetchone()[0] == 2
    finally:
        con.close()

    # The same file dropped again is recognised as loaded before, moved to done/ under a new name.
    again = write_csv(
        drop / "ho_so.csv", HEADER, [["A1", 8380, "02/10/2025", 2], ["A2", 8380, "03/10/2025", 1]]
    )
    os.utime(again, (old, old))
    assert load_drop.run(drop, db, settle=60) == 0
    assert (drop / "done" / "ho_so.1.csv").exists()


def test_empty_drop_folder_is_not_an_error(tmp_path, capsys):
    (tmp_path / "drop").mkdir()
    assert load_drop.run(tmp_path / "drop", tmp_path / "warehouse.duckdb") == 0
    assert "nothing to load" in capsys.readouterr().out


INDEX = [c for c in SIX if c != "Kỳ"]  # the published sheet without its period column


def test_index_sheet_without_a_period_loads_from_a_period_folder(tmp_path):
    """An index sheet whose name and columns carry no period is refused at the top of the folder (the
    message says how to give it), and loaded with the period of the sub-folder it is dropped into."""
    drop = tmp_path / "drop"
    db = tmp_path / "wh" / "warehouse.duckdb"
    row = [[1, "UBND xã Vân Bán", "Phú Thọ", 16, 17.94, 10, 8, 20, 16, 87.94]]
    top = write_csv(drop / "bang-xep-hang.csv", INDEX, row)
    inside = write_csv(drop / "2026-Q3" / "bang-xep-hang.csv", INDEX, row)
    (drop / "ghi-chu").mkdir()  # not a period: left alone
    left = write_csv(drop / "ghi-chu" / "bang-xep-hang.csv", INDEX, row)
    old = time.time() - 600
    for p in (top, inside, left):
        os.utime(p, (old, old))

    assert load_drop.run(drop, db, settle=60) == 2  # the top-level file could not be read
    refused = (drop / "failed" / "bang-xep-hang.csv.result.txt").read_text(encoding="utf-8")
    assert "--period" in refused and "2026-Q3/" in refused  # the drop folder's own way to give it
    assert (drop / "2026-Q3" / "done" / "bang-xep-hang.csv").exists()
    assert "status: loaded" in (drop / "2026-Q3" / "done" / "bang-xep-hang.csv.result.txt").read_text()
    assert left.exists()
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select period_type, period, commune_code from mart_index_period").fetchall()
    finally:
        con.close()
    assert rows == [("quarter", "2026-Q3", 8380)]
