"""Upload checks and the steward's load: limits before parsing, preview without writing, province
restriction as rejects with reasons, the audit row, and the upload page for a steward."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from etl.loader import load_files, preview_files
from etl.readers import SourceFileError
from etl.uploads import check_upload
from metrics import quality
from metrics.scope import Scope
from tests.conftest import sql, write_csv

H = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]
STEWARD = {"uploaded_by": "st", "role": "steward", "scope_code": 25, "province_code": 25}


@pytest.fixture
def wh(app_warehouse, tmp_path) -> Path:
    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copyfile(app_warehouse, db)
    return db


def rows(prefix: str, n: int, commune: int = 8380) -> list[list]:
    return [[f"{prefix}{i}", commune, "05/12/2025", "10/12/2025", "08/12/2025", 2] for i in range(n)]


def xlsx(path: Path, header: list[str], body: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in body:
        ws.append(r)
    wb.save(path)
    return path


def test_valid_csv_and_xlsx_preview_then_load(wh, tmp_path):
    f1 = write_csv(tmp_path / "ok.csv", H, rows("OK", 4))
    f2 = xlsx(tmp_path / "ok.xlsx", H, rows("OX", 3))
    for f in (f1, f2):
        assert check_upload(f) in (".csv", ".xlsx")
    before, mtime = sql(wh, "select count(*) from fact_dossier")[0][0], os.stat(wh).st_mtime_ns
    summary, rejects = preview_files([f1, f2], wh, allowed_province=25)
    assert [(f.kind, f.status, f.rows_read, f.rows_rejected, f.communes_matched) for f in summary.files] == [
        ("dossiers", "loaded", 4, 0, 1),
        ("dossiers", "loaded", 3, 0, 1),
    ]
    assert rejects == [] and os.stat(wh).st_mtime_ns == mtime  # nothing written
    assert sql(wh, "select count(*) from fact_dossier")[0][0] == before
    loaded = load_files([f1, f2], wh, allowed_province=25, audit=STEWARD)
    assert loaded.exit_code == 0 and sum(f.rows_loaded for f in loaded.files) == 7
    assert sql(wh, "select count(*) from fact_dossier")[0][0] == before + 7
    audit = quality.uploads(path=wh)
    assert audit["file_name"].tolist() == ["ok.xlsx", "ok.csv"] or set(audit["file_name"]) == {
        "ok.csv",
        "ok.xlsx",
    }
    assert set(audit["uploaded_by"]) == {"st"} and audit["content_sha256"].str.len().eq(64).all()
    assert audit["rows_loaded"].sum() == 7 and (audit["size_bytes"] > 0).all()
    # the audit is scoped: Phú Thọ sees it, Hà Nội and a commune do not
    assert len(quality.uploads(Scope("province", 25), path=wh)) == 2
    assert quality.uploads(Scope("province", 1), path=wh).empty
    assert quality.uploads(Scope("commune", 25, 8380), path=wh).empty


def test_replacements_are_previewed(wh, tmp_path):
    first = write_csv(tmp_path / "v1.csv", H, rows("RP", 3))
    load_files([first], wh, allowed_province=25)
    second = write_csv(tmp_path / "v2.csv", H, [[*r[:5], 1] for r in rows("RP", 3)] + rows("NEW", 1))
    summary, _ = preview_files([second], wh, allowed_province=25)
    assert (summary.files[0].rows_replaced, summary.files[0].rows_read) == (3, 4)


def test_rejected_rows_with_reasons(wh, tmp_path):
    bad = [["X1", 8380, "31/02/2025", "", "", 2], ["X2", 99999999, "05/12/2025", "", "", 2], *rows("B", 2)]
    f = write_csv(tmp_path / "bad.csv", H, bad)
    summary, rejects = preview_files([f], wh, allowed_province=25)
    res = summary.files[0]
    assert res.status == "partial" and res.rows_rejected == 2 and res.rows_read == 4
    assert {r["row_number"] for r in rejects} == {2, 3}
    assert all(r["message_vi"] and r["message_en"] for r in rejects)


def test_rows_outside_the_stewards_province_are_rejected(wh, tmp_path):
    f = write_csv(tmp_path / "mixed.csv", H, rows("PT", 2) + rows("HN", 3, commune=10333))
    summary, rejects = preview_files([f], wh, allowed_province=25)
    assert summary.files[0].rows_rejected == 3 and summary.files[0].reasons.get("outside_scope") == 3
    outside = [r for r in rejects if r["rule"] == "outside_scope"]
    assert len(outside) == 3 and "10333" in outside[0]["message_en"] and "tỉnh 25" in outside[0]["message_vi"]
    assert sorted(r["row_number"] for r in outside) == [4, 5, 6]  # the rows as the steward sees them
    load_files([f], wh, allowed_province=25, audit=STEWARD)
    assert sql(wh, "select count(*) from fact_dossier where dossier_id like 'HN%'")[0][0] == 0
    assert sql(wh, "select count(*) from fact_dossier where dossier_id like 'PT%'")[0][0] == 2
    assert sql(wh, "select count(*) from etl_reject where rule = 'outside_scope'")[0][0] == 3


def test_wrong_kind_and_unknown_and_macro_types_refused(tmp_path):
    for name in ("report.pdf", "sheet.xls", "macro.xlsm", "noext", "script.py"):
        f = tmp_path / name
        f.write_bytes(b"whatever")
        with pytest.raises(SourceFileError) as err:
            check_upload(f)
        assert err.value.message_vi and err.value.message_en
    # macro project inside a file named .xlsx
    f = tmp_path / "hidden-macro.xlsx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/vbaProject.bin", b"\0" * 100)
    with pytest.raises(SourceFileError, match="macro"):
        check_upload(f)


def test_file_of_unknown_kind_is_not_loaded(wh, tmp_path):
    f = write_csv(tmp_path / "menu.csv", ["dish", "price"], [["phở", 40000]])
    summary, _ = preview_files([f], wh, allowed_province=25)
    assert summary.files[0].status == "failed" and "header" in summary.files[0].message_en


def test_corrupt_xlsx_refused(tmp_path, wh):
    f = tmp_path / "broken.xlsx"
    good = xlsx(tmp_path / "good.xlsx", H, rows("C", 2)).read_bytes()
    f.write_bytes(good[: len(good) // 2])
    with pytest.raises(SourceFileError) as err:
        check_upload(f)
    assert err.value.code == "corrupt_zip"
    g = tmp_path / "not-a-zip.xlsx"
    g.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(SourceFileError):
        check_upload(g)


def test_oversize_file_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_UPLOAD_MB", "1")
    f = write_csv(tmp_path / "big.csv", H, rows("BIG", 30_000))
    assert f.stat().st_size > 1024 * 1024
    with pytest.raises(SourceFileError) as err:
        check_upload(f)
    assert err.value.code == "too_large"


def test_zip_bomb_disguised_as_xlsx_refused_before_parsing(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"0" * (1 << 24)
            for _ in range(80):  # 1.25 GiB of zeros, a few MB zipped
                fh.write(chunk)
    assert bomb.stat().st_size < 10 * 1024 * 1024
    with pytest.raises(SourceFileError) as err:
        check_upload(bomb)
    assert err.value.code == "zip_bomb"


def test_absurd_sheet_dimensions_refused(tmp_path):
    """The real dimensions, found in the cells, are refused when absurd; the declared <dimension> is
    no judge either way (etl/xlsx_guard.py; tests/etl/test_xlsx_guard.py has the details)."""
    from tests.etl.test_xlsx_guard import bomb, header_row, workbook

    with pytest.raises(SourceFileError) as err:
        check_upload(bomb(tmp_path / "far.xlsx", dimension="A1:B2"))
    assert err.value.code == "sheet_too_large" and "XFD1048576" in err.value.message_en
    # A claim of A1:XFD1048576 over a small sheet is only a claim: the check passes it.
    assert check_upload(workbook(tmp_path / "claim.xlsx", header_row(), dimension="A1:XFD1048576")) == ".xlsx"


def test_json_upload_accepted_by_checks(tmp_path):
    src = Path(__file__).resolve().parents[1] / "fixtures" / "portal-766-phu-tho-2026-08-tien-do.json"
    f = tmp_path / src.name
    f.write_text(json.dumps(json.loads(src.read_text(encoding="utf-8"))), encoding="utf-8")
    assert check_upload(f) == ".json"


def test_upload_page_shows_uploader_and_audit_on_quality_page(secured):
    from tests.security.conftest import run_as

    at = run_as("st", "upload")
    assert at.get("file_uploader")
    at = run_as("st", "quality")
    assert not at.exception
    assert (
        any("uploaded_by" in df.value.columns or "file_name" in df.value.columns for df in at.dataframe)
        or at.info
    )
