"""The writer's shortcuts: files whose key ranges cannot overlap skip the in-batch replacement pass,
and the answer is the same as when they overlap."""

from __future__ import annotations

from etl import loader
from etl.loader import load_files
from tests.conftest import sql, write_csv
from tests.etl.test_dossiers import PORTAL, row


def test_disjoint_key_ranges():
    assert loader._disjoint([("A1", "A9"), ("B1", "B9"), (None, None)])
    assert loader._disjoint([("B1", "B9"), ("A1", "A9")])  # in any order
    assert not loader._disjoint([("A1", "A9"), ("A5", "B2")])
    assert not loader._disjoint([("A1", "Z9"), ("B1", "B2"), ("C1", "C2")])  # one range covers the others
    assert not loader._disjoint([("A1", "A9"), None])  # unknown: assume they may overlap
    assert loader._disjoint([])


def test_batch_with_disjoint_and_overlapping_files(tmp_path, db, monkeypatch):
    """One batch, three files: H01 and H02 cannot share ids; the third repeats one of H01's.  The
    latest file wins, counts say so, and the touched months come from the staging threads."""
    h01 = write_csv(
        tmp_path / "ho-so-01-2025-10.csv",
        PORTAL,
        [row("H01-1", received="02/10/2025"), row("H01-2", received="03/10/2025", finished="")],
    )
    h02 = write_csv(tmp_path / "ho-so-02-2025-10.csv", PORTAL, [row("H02-1", received="04/10/2025")])
    late = write_csv(
        tmp_path / "ho-so-01-2025-11.csv",
        PORTAL,
        [
            row("H01-2", received="03/10/2025", finished="06/10/2025"),
            row("H01-3", received="02/11/2025", due="07/11/2025", finished="05/11/2025"),
        ],
    )
    passes = []
    original = loader._disjoint
    monkeypatch.setattr(loader, "_disjoint", lambda ranges: passes.append(original(ranges)) or passes[-1])

    s = load_files([h01, h02], db)
    assert passes == [True]
    assert [(f.rows_loaded, f.rows_replaced) for f in s.files] == [(2, 0), (1, 0)]

    s = load_files([h02, h01, late], tmp_path / "batch.duckdb")
    assert passes[-1] is False
    assert [(f.rows_loaded, f.rows_replaced) for f in s.files] == [(1, 0), (2, 0), (2, 1)]
    assert sql(
        tmp_path / "batch.duckdb",
        "select dossier_id, finished_at is not null, source_row from fact_dossier order by 1",
    ) == [("H01-1", True, 2), ("H01-2", True, 2), ("H01-3", True, 3), ("H02-1", True, 2)]
    months = sql(
        tmp_path / "batch.duckdb",
        "select month, sum(dossiers_received) from mart_commune_month "
        "where commune_code = 8380 group by 1 having sum(dossiers_received) > 0 order by 1",
    )
    assert [(m.month, n) for m, n in months] == [(10, 3), (11, 1)]
