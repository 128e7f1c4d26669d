"""A column-mapping profile on a workbook laid out for people (issue 17 items 2 and 4 together): the
profile applies before the kind is detected, through the reader's header finding (a later sheet, a
two-row header whose group cell spans three sub-headers, a totals row after the data), from the
CLI with `--sheet` and `--mapping` both, and a rebuild replays both."""

from __future__ import annotations

import json

from etl import mapping as M
from etl.cli import main as cli_main
from etl.loader import load_files, rebuild
from tests.conftest import file_sha, sql
from tests.etl.test_real_exports import _rows, _xlsx_writer

# The merged group cell "Thoi diem" over "Nhan / Hen / Xong": no alias knows any of these names.
UPPER = ["So phieu", "Don vi ma", "Thoi diem", None, None, "Hinh thuc"]
LOWER = [None, None, "Nhan", "Hen", "Xong", None]
COLUMNS = {
    "So phieu": "dossier_id",
    "Don vi ma": "commune_code",
    "Thoi diem Nhan": "received_at",
    "Thoi diem Hen": "due_at",
    "Thoi diem Xong": "finished_at",
    "Hinh thuc": "channel",
}


def _workbook(tmp_path):
    """Instructions on sheet 1; on sheet 2 a title, the two-row header, three dossiers, a totals row."""
    instructions = _rows(0, [["Huong dan"], ["Moi ho so mot dong o trang Du lieu."]])
    data = [
        ["P1", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2],
        ["P2", 8380, "02/10/2025", "06/10/2025", "", 1],
        ["P3", 8380, "03/10/2025", "07/10/2025", "04/10/2025", 2],
    ]
    cells = [(0, 0, "SO LIEU HO SO THANG 10/2025")]
    merged = [(2, 2, "Thoi diem", (2, 4))]
    merged += [(2, c, v, (3, c)) for c, v in enumerate(UPPER) if v and c != 2]
    cells += [(3, c, v) for c, v in enumerate(LOWER) if v]
    cells += _rows(4, data) + _rows(7, [["Tong cong", None, 3, 3, 2, None]])
    return _xlsx_writer(tmp_path, {"Huong dan": instructions, "Du lieu": (cells, merged)})


def test_profile_reads_a_two_row_header_on_a_later_sheet_and_skips_the_totals(tmp_path, db):
    f = _workbook(tmp_path)
    assert load_files([f], db).exit_code == 2 and not db.exists()  # no alias knows the headers
    profile = M.validate("bao-cao-tinh", "dossiers", COLUMNS)
    s = load_files([f], db, mapping=profile)
    res = s.files[0]
    assert s.exit_code == 0, res.message_en
    assert res.mapping == "bao-cao-tinh" and res.kind == "dossiers"
    assert (res.rows_read, res.rows_loaded, res.rows_skipped) == (3, 3, 1)
    assert any("8 (Tong cong)" in n for n in res.notes), res.notes
    got = sql(
        db,
        "select dossier_id, received_at::date, due_at::date, channel, source_row from fact_dossier order by 1",
    )
    assert [tuple(str(v) for v in r) for r in got] == [
        ("P1", "2025-10-01", "2025-10-05", "online", "5"),
        ("P2", "2025-10-02", "2025-10-06", "in_person", "6"),
        ("P3", "2025-10-03", "2025-10-07", "online", "7"),
    ]


def test_cli_sheet_and_mapping_together_and_rebuild_replays_both(tmp_path, db, capfd):
    f = _workbook(tmp_path)
    db.parent.mkdir(parents=True)
    M.save_profile(M.validate("bao-cao-tinh", "dossiers", COLUMNS), M.profiles_dir(db))
    args = ["load", str(f), "--db", str(db), "--mapping", "bao-cao-tinh", "--lang", "en"]
    # The instructions sheet holds none of the profile's columns: refused, nothing loaded.
    assert cli_main([*args, "--sheet", "Huong dan"]) == 2
    capfd.readouterr()
    assert not db.exists()
    assert cli_main([*args, "--sheet", "Du lieu", "--json"]) == 0
    out = json.loads(capfd.readouterr().out)["files"][0]
    assert out["mapping"] == "bao-cao-tinh" and out["rows_loaded"] == 3 and out["rows_skipped"] == 1
    manifest = [
        json.loads(line) for line in (db.parent / "files" / "manifest.jsonl").read_text().splitlines()
    ]
    assert manifest[-1]["sheet"] == "Du lieu" and manifest[-1]["mapping"]["columns"] == COLUMNS
    before = sql(db, "select dossier_id, received_at, finished_at from fact_dossier order by 1")
    # The profile is gone from the folder: the rebuild replays the one the manifest recorded.
    (M.profiles_dir(db) / "bao-cao-tinh.toml").unlink()
    rebuild(db)
    assert sql(db, "select dossier_id, received_at, finished_at from fact_dossier order by 1") == before
    sha = file_sha(db)
    assert cli_main(["load", str(f), "--db", str(db), "--mapping", "bao-cao-tinh", "--lang", "en"]) == 2
    assert "bao-cao-tinh" in capfd.readouterr().err and file_sha(db) == sha


def test_rows_kind_dominated_by_repeated_keys_is_refused_with_one_summary(tmp_path, db):
    """The engine's rows strategy uses the same linear check: a population file whose 1,200 lines
    share three (commune, year) keys is refused as a whole, with its first lines as examples."""
    from etl.sources import duplicates
    from tests.conftest import write_csv

    head = ["MaXa", "Năm", "Dân số", "Số người trưởng thành", "Số thôn, tổ dân phố"]
    rows = [[8380, 2023 + i % 3, 5000 + i, 4000, 12] for i in range(1_200)]
    s = load_files([write_csv(tmp_path / "dan-so.csv", head, rows)], db)
    res = s.files[0]
    assert s.exit_code == 2 and res.status == "failed" and not db.exists()
    assert "1200 lines but only 3 distinct keys" in res.message_en and '"Năm"' in res.message_en
    assert res.reasons == {"duplicate_in_file": 1_200}
    assert len(res.sample_rejects) == duplicates.SAMPLE_REJECTS
    assert "(n=400)" in res.sample_rejects[0]["message_en"]
    # A few repeats stay per-line rejects, their messages listing at most five lines then the count.
    rows = [[8380, 2023, 5000, 4000, 12]] * 7 + [[4876, 2023, 3000, 2000, 9]]
    s = load_files([write_csv(tmp_path / "dan-so-2.csv", head, rows)], db)
    assert s.exit_code == 1 and s.files[0].rows_loaded == 1 and s.files[0].rows_rejected == 7
    msgs = sql(db, "select distinct message_en from etl_reject where rule = 'duplicate_in_file'")
    assert len(msgs) == 1 and "(rows 2, 3, 4, 5, 6, … (n=7))" in msgs[0][0], msgs
