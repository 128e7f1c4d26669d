"""Reads in flight at the same moment share one attachment of the warehouse (metrics/db.py,
`_Attachments`): its catalog is read once, not once a query.  Between reads nothing holds the file,
and a file swapped in while a read runs is read by the next one, while the running one finishes on
the old file."""

from __future__ import annotations

import os
import shutil
import threading

import duckdb

from etl.loader import load_files
from metrics import db
from tests.conftest import write_csv

HEADER = ["MaHoSo", "MaXa", "NgayTiepNhan", "KenhThucHien"]


def _warehouse(tmp_path, name: str, rows: int):
    path = tmp_path / name / "warehouse.duckdb"
    data = [[f"{name}{i}", 8380, "02/10/2025", 2] for i in range(rows)]
    assert load_files([write_csv(tmp_path / f"{name}.csv", HEADER, data)], path).exit_code == 0
    return path


def _attached() -> list[str]:
    rows = (
        db._INSTANCE[1].execute("select database_name from duckdb_databases() where not internal").fetchall()
    )
    return sorted(name for (name,) in rows if name.startswith("warehouse_"))


def _dossiers(reader: db.Reader) -> int:
    return reader.execute("select count(*) from fact_dossier").fetchall()[0][0]


def test_overlapping_reads_share_one_attachment_and_the_last_detaches_it(tmp_path):
    path = _warehouse(tmp_path, "a", 3)
    first = db.Reader(path)
    second = db.Reader(path)
    try:
        assert first._name == second._name
        assert _attached() == [first._name]
        assert _dossiers(first) == _dossiers(second) == 3
    finally:
        first.close()
        assert _attached() == [second._name]  # still read by the second
        assert _dossiers(second) == 3
        second.close()
    assert _attached() == []
    duckdb.connect(str(path)).close()  # read-write: refused if anything still held the file


def test_a_swap_during_a_read_gives_the_next_read_the_new_file(tmp_path):
    old, new = _warehouse(tmp_path, "a", 3), _warehouse(tmp_path, "b", 5)
    live = tmp_path / "live" / "warehouse.duckdb"
    live.parent.mkdir()
    shutil.copy(old, live)
    running = db.Reader(live)
    try:
        staged = live.with_suffix(".new")
        shutil.copy(new, staged)
        os.replace(staged, live)  # what the loader's swap does
        with db.connect(live) as after:
            assert after._name != running._name
            assert _dossiers(after) == 5
            assert _dossiers(running) == 3  # the running read finishes on the file it started with
        assert _attached() == [running._name]
    finally:
        running.close()
    assert _attached() == []


def test_many_threads_reading_at_once_leave_nothing_attached(tmp_path):
    path = _warehouse(tmp_path, "a", 4)
    counts: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                counts.append(int(db.query("select count(*) as n from fact_dossier", path=path)["n"].iloc[0]))
        except BaseException as err:  # reported below: a thread's exception would be lost
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counts == [4] * 160
    assert _attached() == []


# The scoped relations (db.SCOPE_SQL) live in one schema per scope and attachment, shared by the reads
# in flight like the attachment, and dropped with it.
SCOPED = "select (select count(*) from scoped_commune), (select min(province_code) from scoped_commune), (select level from scope)"


def _scope_schemas() -> list[str]:
    rows = db._INSTANCE[1].execute("select schema_name from duckdb_schemas() where not internal").fetchall()
    return sorted(name for (name,) in rows if name.startswith("scope_"))


def test_overlapping_reads_of_one_scope_share_its_relations_and_each_scope_sees_its_own(tmp_path):
    from metrics.scope import OPEN, Scope

    path = _warehouse(tmp_path, "a", 3)
    province, commune = Scope("province", 25), Scope("commune", 25, 8380)
    first, second = db.Reader(path), db.Reader(path)
    try:
        national = first.execute(SCOPED, scope=OPEN).fetchall()[0]
        assert national[0] > 3000 and national[2] == "national"
        in_province = first.execute(SCOPED, scope=province).fetchall()[0]
        assert 0 < in_province[0] < national[0] and in_province[1:] == (25, "province")
        assert second.execute(SCOPED, scope=commune).fetchall()[0] == (1, 25, "commune")
        assert second.execute(SCOPED, scope=province).fetchall()[0] == in_province  # made by `first`
        assert len(_scope_schemas()) == 3  # national, province, commune: one each
        # Back to a scope the cursor had before, and an unscoped query in between.
        assert first.execute("select count(*) from dim_commune").fetchall()[0][0] == national[0]
        assert first.execute(SCOPED, scope=OPEN).fetchall()[0] == national
    finally:
        first.close()
        assert len(_scope_schemas()) == 3  # the second read still holds the attachment
        second.close()
    assert _scope_schemas() == [] and _attached() == []


def test_threads_with_different_scopes_never_see_each_others_communes(tmp_path):
    from metrics.scope import OPEN, Scope

    path = _warehouse(tmp_path, "a", 3)
    scopes = [OPEN, Scope("province", 25), Scope("commune", 25, 8380), Scope("province", 1)]
    expected = {}
    with db.Reader(path) as reader:
        for s in scopes:
            expected[s] = reader.execute(SCOPED, scope=s).fetchall()[0]
    assert len(set(expected.values())) == 4
    seen, errors = [], []

    def work(i: int) -> None:
        try:
            for j in range(20):
                s = scopes[(i + j) % len(scopes)]
                with db.Reader(path) as reader:
                    seen.append((s, reader.execute(SCOPED, scope=s).fetchall()[0]))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(seen) == 160 and all(got == expected[s] for s, got in seen)
    assert _scope_schemas() == [] and _attached() == []


def test_past_the_shared_scopes_a_read_makes_and_drops_its_own(tmp_path, monkeypatch):
    from metrics.scope import Scope

    monkeypatch.setattr(db, "SHARED_SCOPES", 1)
    path = _warehouse(tmp_path, "a", 3)
    holder = db.Reader(path)
    try:
        assert holder.execute(SCOPED, scope=Scope("province", 25)).fetchall()[0][1:] == (25, "province")
        with db.Reader(path) as other:
            assert other.execute(SCOPED, scope=Scope("commune", 25, 8380)).fetchall()[0] == (1, 25, "commune")
            assert len(_scope_schemas()) == 2
        assert len(_scope_schemas()) == 1  # the other read's own schema went with it
    finally:
        holder.close()
    assert _scope_schemas() == [] and _attached() == []
