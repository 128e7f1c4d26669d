"""The drop-folder load (cds-load-drop.timer): complete files are loaded in one batch and moved to
done/ or failed/ with the ETL's message beside them; partial and fresh files wait."""

from __future__ import annotations

import os
import time

import duckdb

from deploy import load_drop
from tests.conftest import write_csv

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
