"""Small dossier CSVs laid out alike are staged together (`etl.loader._stage_group`): the same
rows, rejects, line numbers, counts and replacements as staging them one by one."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from etl import loader
from etl.loader import load_files
from etl.sources import engine
from tests.conftest import sql, write_csv
from tests.etl.test_dossiers import PORTAL, row

ETL_LOAD = (
    "select load_id, file_name, kind, rows_read, rows_loaded, rows_replaced, rows_rejected, status "
    "from etl_load order by 1"
)
REJECTS = "select * from etl_reject order by all"
FACTS = "select * exclude (load_id), load_id from fact_dossier order by all"


def _files(tmp_path):
    ok = [[f"H{i}-{j}", 8380, f"0{1 + j}/09/2025 08:00"] for i in range(6) for j in range(5)]

    def rows(i):
        return [row(d, received=r) for d, c, r in ok if d.startswith(f"H{i}-")]

    files = [write_csv(tmp_path / "in" / f"ho-so-{i}.csv", PORTAL, rows(i)) for i in range(6)]
    bad = rows(2)  # a file with a rejected row and a repeated id, in the middle of the group
    bad[1] = row("H2-1", received="32/10/2025")
    bad[3] = row("H2-0", received="01/10/2025 09:00")
    files[2] = write_csv(files[2], PORTAL, bad)
    later = rows(4)
    later[0] = row("H1-3", received="02/10/2025 10:00", finished="")  # one of ho-so-1's ids
    files[4] = write_csv(files[4], PORTAL, later)
    with open(files[5], "a", encoding="utf-8") as fh:  # a blank line: read the ordinary way
        fh.write("\r\n" + ",".join(map(str, row("H5-9"))) + "\r\n")
    return files


def _state(db):
    return sql(db, ETL_LOAD), sql(db, REJECTS), sql(db, FACTS)


def test_group_stages_like_one_by_one(tmp_path, monkeypatch):
    files = _files(tmp_path)
    grouped = []
    stage_group = loader._stage_group

    def spy(*args):
        done = stage_group(*args)
        grouped.extend(
            p.name for p, _, st in done.values() if st is not None and st.outputs[0].part is not None
        )
        return done

    monkeypatch.setattr(loader, "_stage_group", spy)
    s = load_files(files, tmp_path / "grouped.duckdb")
    # The clean files were staged together; the bad one and the one with a blank line alone.
    assert grouped == ["ho-so-0.csv", "ho-so-1.csv", "ho-so-3.csv", "ho-so-4.csv"]
    assert [(f.file, f.rows_read, f.rows_loaded, f.rows_replaced, f.rows_rejected) for f in s.files] == [
        ("ho-so-0.csv", 5, 5, 0, 0),
        ("ho-so-1.csv", 5, 5, 0, 0),
        ("ho-so-2.csv", 5, 2, 0, 3),
        ("ho-so-3.csv", 5, 5, 0, 0),
        ("ho-so-4.csv", 5, 5, 1, 0),
        ("ho-so-5.csv", 6, 6, 0, 0),
    ]
    assert [f.communes_matched for f in s.files] == [1] * 6

    monkeypatch.setattr(loader, "GROUP_FILES", 1)
    one = tmp_path / "one_by_one.duckdb"
    s1 = load_files(files, one)
    assert len(grouped) == 4  # (nothing grouped this time)
    assert _state(tmp_path / "grouped.duckdb") == _state(one)
    assert [asdict(f) for f in s.files] == [asdict(f) for f in s1.files]


def test_later_file_of_a_group_wins_a_shared_key(tmp_path):
    files = _files(tmp_path)
    db = tmp_path / "w.duckdb"
    load_files(files, db)
    # H1-3 came in ho-so-1 then in ho-so-4 (not finished there): the later one is kept, once.
    assert sql(
        db,
        "select count(*), any_value(finished_at) is null, any_value(load_id) from fact_dossier "
        "where dossier_id = 'H1-3'",
    ) == [(1, True, 5)]
    assert sql(db, "select source_row from fact_dossier where dossier_id = 'H1-3'") == [(2,)]


def test_bad_file_in_a_group_reports_its_own_lines(tmp_path):
    files = _files(tmp_path)
    db = tmp_path / "w.duckdb"
    s = load_files(files, db)
    assert s.files[2].status == "partial"
    got = sql(db, "select file_name, row_number, rule from etl_reject order by 2, 3")
    assert {f for f, _, _ in got} == {"ho-so-2.csv"}
    assert [(r, rule) for _, r, rule in got if rule != "duplicate_in_file"] == [(3, "bad_date_received_at")]
    assert sorted(r for _, r, rule in got if rule == "duplicate_in_file") == [2, 5]
    # Line numbers of grouped files are each file's own.
    assert sql(db, "select min(source_row), max(source_row) from fact_dossier where load_id = 4") == [(2, 6)]


def test_files_laid_out_differently_are_not_grouped_together(tmp_path, monkeypatch):
    a = write_csv(tmp_path / "a.csv", PORTAL, [row("A1"), row("A2")])
    b = write_csv(tmp_path / "b.csv", PORTAL, [row("B1")], delimiter=";")
    c = write_csv(tmp_path / "c.csv", PORTAL, [row("C1")])
    groups = []
    stage_group = engine.stage_group
    monkeypatch.setattr(
        engine,
        "stage_group",
        lambda spec, tables, con: (
            groups.append([t.path.name for t in tables]) or stage_group(spec, tables, con)
        ),
    )
    s = load_files([a, b, c], tmp_path / "w.duckdb")
    assert groups == [["a.csv", "c.csv"]]
    assert [f.rows_loaded for f in s.files] == [2, 1, 1]
    assert sql(tmp_path / "w.duckdb", "select dossier_id, source_row from fact_dossier order by 1") == [
        ("A1", 2),
        ("A2", 3),
        ("B1", 2),
        ("C1", 2),
    ]


@pytest.mark.parametrize("n", [1, 3])
def test_units(tmp_path, monkeypatch, n):
    monkeypatch.setattr(loader, "GROUP_FILES", n)
    paths = [tmp_path / x for x in ("a.csv", "b.csv", "c.xlsx", "d.csv", "e.CSV", "f.csv", "g.csv")]
    for p in paths:
        p.write_text("x")
    units = loader._units(paths, None, {}, None)
    if n == 1:
        assert units == [[p] for p in paths]
    else:
        assert [[p.name for p in u] for u in units] == [
            ["a.csv", "b.csv"],
            ["c.xlsx"],
            ["d.csv", "e.CSV", "f.csv"],
            ["g.csv"],
        ]
    assert loader._units(paths, None, {}, 12) == [[p] for p in paths]  # a steward's upload: alone
    assert loader._units(paths, "index", {}, None) == [[p] for p in paths]


def test_group_written_across_flushes(tmp_path, monkeypatch):
    """A batch flushed while a group's files are only partly written: the group's table stays
    until its last file is, and the answer is the same."""
    files = _files(tmp_path)
    whole = tmp_path / "whole.duckdb"
    load_files(files, whole)
    monkeypatch.setattr(loader, "FLUSH_ROWS", 7)
    flushed = tmp_path / "flushed.duckdb"
    load_files(files, flushed)
    assert _state(whole) == _state(flushed)


def test_file_the_list_reader_refuses_is_set_apart(tmp_path, monkeypatch):
    """A file that makes the group's read fail (a record of 81 fields): the group is halved until it is
    alone, the others are still staged together, and the answer is the one-by-one answer."""
    files = [
        write_csv(
            tmp_path / "in" / f"f{i}.csv", PORTAL, [row(f"F{i}-{j}", received="01/09/2025") for j in range(3)]
        )
        for i in range(5)
    ]
    with open(files[2], "a", encoding="utf-8", newline="") as fh:
        fh.write("F2-9" + ",x" * 80 + "\r\n")  # far more fields than the reader takes
    grouped = []
    stage_group = loader._stage_group

    def spy(*args):
        done = stage_group(*args)
        grouped.extend(
            p.name for p, _, st in done.values() if st is not None and st.outputs[0].part is not None
        )
        return done

    monkeypatch.setattr(loader, "_stage_group", spy)
    s = load_files(files, tmp_path / "grouped.duckdb")
    assert "f2.csv" not in grouped and len(grouped) >= 2
    monkeypatch.setattr(loader, "GROUP_FILES", 1)
    s1 = load_files(files, tmp_path / "one.duckdb")
    assert _state(tmp_path / "grouped.duckdb") == _state(tmp_path / "one.duckdb")
    assert [asdict(f) for f in s.files] == [asdict(f) for f in s1.files]
