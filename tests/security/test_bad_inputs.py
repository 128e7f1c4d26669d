"""Hostile and malformed inputs (issue 13): the 1.6 KB XLSX bomb, deeply nested and broken JSON,
enormous CSV lines, a commune code given with another commune's name — through the command line
(a real `python -m etl` process) and the upload page (AppTest as a steward), with a second
session served afterwards.  Each is refused with a message naming the file (row, column) in both
languages, exit 2 when nothing could be read, the warehouse unchanged, neighbours in the batch
loaded, no temp folders left behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from etl import readers
from etl.loader import load_files, preview_files
from etl.readers import SourceFileError, read_source
from tests.conftest import ROOT, file_sha, sql, write_csv
from tests.etl.test_xlsx_guard import bomb
from tests.security.conftest import run_as

H = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def wh(app_warehouse, tmp_path) -> Path:
    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copyfile(app_warehouse, db)
    return db


def good_csv(path: Path, prefix: str = "OK", n: int = 3) -> Path:
    return write_csv(
        path, H, [[f"{prefix}{i}", 8380, "05/12/2025", "10/12/2025", "08/12/2025", 2] for i in range(n)]
    )


def deep_json(path: Path, levels: int = 200_000) -> Path:
    path.write_text('{"code": "OK", "data": ' + "[" * levels + "]" * levels + "}", encoding="utf-8")
    return path


def cli(db: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CDS_WAREHOUSE": str(db), **(env or {})},
        timeout=600,
    )


def leftovers(db: Path) -> list[str]:
    return [
        p.name
        for p in db.parent.iterdir()
        if ".building-" in p.name or p.name.startswith(("preview-", "cds-preview-"))
    ]


# --- the XLSX bomb ------------------------------------------------------------------------------


@pytest.mark.parametrize("dimension", [None, "A1:D2"])
def test_xlsx_bomb_through_the_command_line(wh, tmp_path, dimension):
    f = bomb(tmp_path / "ho-so.xlsx", dimension)
    before = file_sha(wh)
    r = cli(wh, "load", str(f), "--lang", "en")
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])  # not 134 (abort)
    assert "ho-so.xlsx" in r.stdout and "XFD1048576" in r.stdout and "Traceback" not in r.stderr
    assert file_sha(wh) == before and leftovers(wh) == []
    r = cli(wh, "load", str(f))  # Vietnamese by default
    assert r.returncode == 2 and "trang tính" in r.stdout and "XFD1048576" in r.stdout


def test_xlsx_bomb_beside_a_good_file_loads_the_good_one(wh, tmp_path):
    r = cli(
        wh, "load", str(bomb(tmp_path / "bom.xlsx")), str(good_csv(tmp_path / "tot.csv", "GOOD")), "--json"
    )
    out = json.loads(r.stdout)
    assert r.returncode == 1 and [f["status"] for f in out["files"]] == ["failed", "loaded"]
    assert sql(wh, "select count(*) from fact_dossier where dossier_id like 'GOOD%'")[0][0] == 3


@pytest.fixture
def page_env(wh, users_path, monkeypatch, tmp_path) -> Path:
    """The secured app on a private copy of the warehouse, with its own temp folder to watch."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("CDS_WAREHOUSE", str(wh))
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(users_path))
    monkeypatch.setenv("DASHBOARD_AUTH_LOG", str(tmp_path / "auth.log"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def upload(files: list[tuple[str, bytes, str]], **params):
    at = run_as("st", "upload", **params)
    at.file_uploader(key="upload_files").set_value(files)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def summary_table(at):
    """The preview's summary (one column a file's figure; the refusals table has two)."""
    return next(df.value for df in at.dataframe if len(df.value.columns) > 2)


def refusals(at) -> dict[str, str]:
    frames = [df.value for df in at.dataframe if len(df.value.columns) == 2]
    return {row.iloc[0]: row.iloc[1] for f in frames for _, row in f.iterrows()}


def preview_rows(at) -> dict[str, dict]:
    frame = summary_table(at)
    return {row.iloc[0]: dict(zip(frame.columns, row, strict=True)) for _, row in frame.iterrows()}


@pytest.mark.parametrize("dimension", [None, "A1:D2"])
def test_xlsx_bomb_through_the_upload_page_and_the_server_keeps_serving(page_env, wh, tmp_path, dimension):
    # A folder an earlier, killed server run left behind (its process is gone).
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = page_env / f"cds-upload-{int(dead.stdout)}-x1y2"
    stale.mkdir()
    before = file_sha(wh)
    at = upload(
        [
            ("bom.xlsx", bomb(tmp_path / "bom.xlsx", dimension).read_bytes(), XLSX_MIME),
            ("tot.csv", good_csv(tmp_path / "tot.csv").read_bytes(), "text/csv"),
        ]
    )
    assert [e.value for e in at.error] == ["1 tệp bị từ chối, không đọc — lý do và cách sửa ở bảng dưới."]
    refused = refusals(at)  # file names shown in a table, never as markdown
    assert list(refused) == ["bom.xlsx"] and "XFD1048576" in refused["bom.xlsx"]
    rows = preview_rows(at)
    assert list(rows) == ["tot.csv"]  # the good neighbour is previewed
    assert at.button(key="upload_confirm").disabled is False
    # Nothing written, nothing left in the temp folder or beside the warehouse.
    assert file_sha(wh) == before
    left = [
        p.name for p in page_env.iterdir() if not p.name.startswith("cds-read-")
    ]  # (the reads' spill folder)
    assert left == [] and leftovers(wh) == []
    # Another user's session is served afterwards (the process did not die).
    other = run_as("pt", "province", lang="en")
    assert other.metric and not other.exception


# --- malformed JSON -----------------------------------------------------------------------------


def test_deep_json_and_other_malformed_json_exit_2_without_traceback(wh, tmp_path):
    cases = {
        "sau.json": deep_json(tmp_path / "sau.json"),
        "hong.json": tmp_path / "hong.json",
        "mang.json": tmp_path / "mang.json",
        "chuoi.json": tmp_path / "chuoi.json",
        "so-dai.json": tmp_path / "so-dai.json",
        "du-lieu-la-so.json": tmp_path / "du-lieu-la-so.json",
        "sau-vua.json": tmp_path / "sau-vua.json",
    }
    cases["hong.json"].write_text('{"code": "OK", "data": [1, 2,', encoding="utf-8")
    cases["mang.json"].write_text("[1, 2, 3]", encoding="utf-8")
    cases["chuoi.json"].write_text('"hello"', encoding="utf-8")
    cases["so-dai.json"].write_text('{"code": "OK", "data": ' + "9" * 5000 + "}", encoding="utf-8")
    cases["du-lieu-la-so.json"].write_text(
        '{"code": "OK", "data": {"children": 5, "parent": "x"}}', encoding="utf-8"
    )
    cases["sau-vua.json"].write_text(
        '{"code": "OK", "data": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}", encoding="utf-8"
    )
    before = file_sha(wh)
    for name, f in cases.items():
        r = cli(wh, "load", str(f), "--period", "2026-08", "--lang", "en")
        assert r.returncode == 2, (name, r.returncode, r.stderr[-1500:])
        assert "Traceback" not in r.stderr and f"{name}: " in r.stdout and " — " in r.stdout, (name, r.stdout)
    assert file_sha(wh) == before
    r = cli(wh, "load", str(cases["sau.json"]), "--period", "2026-08", "--lang", "en")
    assert "deeper than 32 levels" in r.stdout


def test_deep_json_never_blocks_its_neighbours(wh, tmp_path):
    deep = deep_json(tmp_path / "tdgq-phu-tho-2026-08.json")
    r = cli(wh, "load", str(deep), str(good_csv(tmp_path / "tot.csv", "NB")), "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and [f["status"] for f in out["files"]] == ["failed", "loaded"]
    assert "32" in out["files"][0]["message_en"] and "32" in out["files"][0]["message_vi"]
    assert sql(wh, "select count(*) from fact_dossier where dossier_id like 'NB%'")[0][0] == 3


def test_deep_json_in_the_upload_page_preview_beside_a_valid_csv(page_env, wh, tmp_path):
    deep = deep_json(tmp_path / "tdgq-phu-tho-2026-08.json")
    at = upload(
        [
            (deep.name, deep.read_bytes(), "application/json"),
            ("tot.csv", good_csv(tmp_path / "tot.csv").read_bytes(), "text/csv"),
        ],
        lang="en",
    )
    rows = preview_rows(at)
    assert set(rows) == {deep.name, "tot.csv"}
    status, message = summary_table(at).columns[2], summary_table(at).columns[-1]
    assert "32 levels" in rows[deep.name][message] and rows["tot.csv"][status] != rows[deep.name][status]
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert sql(wh, "select count(*) from fact_dossier where dossier_id like 'OK%'")[0][0] == 3
    assert sql(wh, "select status from etl_upload_audit where file_name = ?", [deep.name]) == [("failed",)]


# --- enormous CSV lines -------------------------------------------------------------------------


def long_line_csv(path: Path, at_line: int, size: int, encoding: str = "utf-8") -> Path:
    rows = [f"L{i},8380,05/12/2025,10/12/2025,08/12/2025,2" for i in range(1, 6)]
    rows.insert(
        at_line - 2, "L0" + "x" * size + ",8380,05/12/2025,10/12/2025,08/12/2025,2"
    )  # a long dossier id
    path.write_bytes((",".join(H) + "\n" + "\n".join(rows) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258"])
def test_a_long_line_is_named_with_its_length_and_the_limit(tmp_path, monkeypatch, encoding):
    import duckdb

    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 64 * 1024)
    con = duckdb.connect()
    f = long_line_csv(tmp_path / "dai.csv", 4, 300 * 1024, encoding)
    with pytest.raises(SourceFileError) as err:
        read_source(f, con)
    e = err.value
    assert e.code == "line_too_long"
    assert (
        e.message_en.startswith("dai.csv, line 4: ")
        and "300 KB long" in e.message_en
        and "64 KB" in e.message_en
    )
    assert e.message_vi.startswith("dai.csv, dòng 4: ") and "không phải tệp CSV" in e.message_vi
    # The only data line too long: not "no data rows".
    only = tmp_path / "mot-dong.csv"
    only.write_bytes((",".join(H) + "\nA1,8380,05/12/2025,,,2," + "y" * (200 * 1024) + "\n").encode(encoding))
    with pytest.raises(SourceFileError) as err:
        read_source(only, con)
    assert err.value.code == "line_too_long" and "line 2" in err.value.message_en
    # A first line longer than the header scan (1 MB) is named too.
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 512 * 1024)
    first = tmp_path / "dong-dau.csv"
    first.write_bytes(b"z" * (1_200_000) + b"\n" + (",".join(H) + "\n").encode())
    with pytest.raises(SourceFileError) as err:
        read_source(first, con)
    assert err.value.code == "line_too_long" and "line 1" in err.value.message_en


def test_a_long_line_through_the_command_line_with_a_configured_limit(wh, tmp_path):
    f = long_line_csv(tmp_path / "dai.csv", 3, 200 * 1024)
    before = file_sha(wh)
    r = cli(wh, "load", str(f), "--lang", "en", env={"CDS_CSV_MAX_LINE_BYTES": str(64 * 1024)})
    assert (
        r.returncode == 2
        and "dai.csv, line 3: this line is 200 KB long, longer than the limit of 64 KB" in r.stdout
    )
    assert file_sha(wh) == before
    # Under the default limit (1 MB) the same file loads: the limit is the only difference.
    r = cli(wh, "load", str(f), "--lang", "en")
    assert r.returncode == 0, r.stdout


# --- a code with another commune's name ---------------------------------------------------------

NAMED = ["MaHoSo", "MaXa", "TenXa", "TenTinh", "NgayTiepNhan", "KenhThucHien"]


def test_code_with_another_communes_name_is_rejected_with_both_names(wh, tmp_path):
    rows = [
        ["NM1", 8380, "Xã Đại Xuyên", "Hà Nội", "05/12/2025", 2],  # another commune, named with its province
        ["NM2", 8380, "Xã Đại Xuyên - Hà Nội", "", "05/12/2025", 2],  # ... with the province in the name
        ["NM3", 8380, "Xã Hy Cương", "", "05/12/2025", 2],  # another commune of the same province
        ["NM4", 8380, "Xã Vân Bán", "Phú Thọ", "05/12/2025", 2],  # the official name
        ["NM5", 8380, "VÂN BÁN", "", "05/12/2025", 2],  # case and no type
        ["NM6", 8380, "UBND xã Vân Bán", "", "05/12/2025", 2],  # UBND prefix
        ["NM7", 8380, "xa van ban", "", "05/12/2025", 2],  # no accents
        ["NM8", 8380, "Xã Vân Bán - Tỉnh Phú Thọ", "", "05/12/2025", 2],  # its own province in the name
        ["NM9", 8380, "Xã Không Có Thật", "", "05/12/2025", 2],
    ]  # found nowhere: the code wins
    f = write_csv(tmp_path / "ten-xa.csv", NAMED, rows)
    s = load_files([f], wh)
    res = s.files[0]
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (9, 6, 3)
    assert res.reasons == {"commune_name_mismatch": 3}
    rejects = sql(
        wh,
        "select row_number, column_name, value, message_vi, message_en from etl_reject "
        "where file_name = 'ten-xa.csv' order by row_number",
    )
    assert [(r[0], r[1]) for r in rejects] == [(2, "TenXa"), (3, "TenXa"), (4, "TenXa")]
    row, _col, value, vi, en = rejects[0]
    assert value == "Xã Đại Xuyên"
    assert en == (
        'commune code 8380 is Xã Vân Bán (Phú Thọ, 8380) but the commune name "Xã Đại Xuyên" is Xã Đại '
        "Xuyên (Thành phố Hà Nội, 10333) — correct the code or the name so they agree; the row is not loaded."
    )
    assert vi.startswith(
        'mã xã 8380 là Xã Vân Bán (Phú Thọ, 8380) nhưng tên xã "Xã Đại Xuyên" là Xã Đại Xuyên'
    )
    assert "Xã Hy Cương (Phú Thọ, 8515)" in rejects[2][4]
    loaded = [
        r[0] for r in sql(wh, "select dossier_id from fact_dossier where dossier_id like 'NM%' order by 1")
    ]
    assert loaded == ["NM4", "NM5", "NM6", "NM7", "NM8", "NM9"]


def test_name_mismatch_in_an_xlsx_and_in_a_signature_sheet(wh, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(NAMED)
    wb.active.append(["NX1", 8380, "Xã Đại Xuyên", "Hà Nội", "05/12/2025", 2])
    wb.active.append(["NX2", 8380, "Xã Vân Bán", "Phú Thọ", "05/12/2025", 2])
    wb.save(tmp_path / "ho-so.xlsx")
    sig = write_csv(
        tmp_path / "ky-so.csv",
        ["Mã xã", "Tên xã", "Tỉnh", "Tháng", "Tổng số văn bản đi", "Văn bản mật", "Số văn bản ký số"],
        [[8380, "Xã Đại Xuyên", "Hà Nội", "11/2025", 10, 0, 9], [8380, "Vân Bán", "", "12/2025", 10, 0, 9]],
    )
    s = load_files([tmp_path / "ho-so.xlsx", sig], wh)
    assert [(f.rows_loaded, f.rows_rejected, f.reasons) for f in s.files] == [
        (1, 1, {"commune_name_mismatch": 1}),
        (1, 1, {"commune_name_mismatch": 1}),
    ]
    assert sql(
        wh, "select count(*) from etl_reject where rule = 'commune_name_mismatch' and row_number = 2"
    ) == [(2,)]


def test_the_demo_writes_names_that_agree_with_its_codes(app_warehouse):
    """The page tests' warehouse is built by the demo generator through the ETL: no name mismatch."""
    assert sql(app_warehouse, "select count(*) from etl_reject where rule = 'commune_name_mismatch'") == [
        (0,)
    ]
    assert sql(app_warehouse, "select count(*) from fact_dossier")[0][0] > 0


def test_header_text_never_breaks_the_rule_sql(wh, tmp_path):
    """A header that maps to a known column through punctuation ("Ten'Xa", "Mã{xã}") is data, not SQL."""
    f = write_csv(
        tmp_path / "tieu-de.csv",
        ["MaHoSo", "Mã{xã}", "Ten'Xa", "NgayTiepNhan", "KenhThucHien"],
        [["HQ1", 99999999, "Xã Không Có", "05/12/2025", 2], ["HQ2", 8380, "", "05/12/2025", 2]],
    )
    s = load_files([f], wh)
    assert (s.files[0].status, s.files[0].rows_loaded, s.files[0].rows_rejected) == ("partial", 1, 1)
    [(msg,)] = sql(wh, "select message_en from etl_reject where file_name = 'tieu-de.csv'")
    assert "(Mã{xã}/Ten'Xa)" in msg


def test_preview_leaves_no_copy_behind(wh, tmp_path):
    preview_files([good_csv(tmp_path / "a.csv")], wh, allowed_province=25)
    assert leftovers(wh) == []


def test_a_file_that_fails_in_an_unforeseen_way_fails_alone(wh, tmp_path, monkeypatch):
    """A reader or stager raising something no rule foresaw takes down its own file, not the batch."""
    from etl import loader

    def broken(*_args, **_kwargs):
        raise ValueError("an unforeseen shape")

    monkeypatch.setitem(loader.STAGERS, "signatures", broken)
    sig = write_csv(
        tmp_path / "ky-so.csv",
        ["Mã xã", "Tháng", "Tổng số văn bản đi", "Văn bản mật", "Số văn bản ký số"],
        [[8380, "11/2025", 10, 0, 9]],
    )
    s = load_files([sig, good_csv(tmp_path / "tot.csv", "ALONE")], wh)
    assert s.exit_code == 1 and [f.status for f in s.files] == ["failed", "loaded"]
    assert "ValueError: an unforeseen shape" in s.files[0].message_en and "ky-so.csv" in s.files[0].message_vi
    assert sql(wh, "select count(*) from fact_dossier where dossier_id like 'ALONE%'") == [(3,)]
