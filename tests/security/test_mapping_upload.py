"""The column-mapping step of the upload page (issue 17): a steward uploads an export whose headers no
alias knows, maps its columns with the selectboxes, sees the first rows as they would load, saves
the mapping as a profile of their province and loads the file with it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from etl import mapping as M
from tests.conftest import file_sha, sql, write_csv
from tests.security.conftest import run_as
from ui.mapping_editor import column_label

OWN = ["So phieu", "Don vi ma", "Nhan luc", "Hen luc", "Xong luc", "Hinh thuc"]
TARGETS = ["dossier_id", "commune_code", "received_at", "due_at", "finished_at", "channel"]


@pytest.fixture
def wh(app_warehouse, users_path, monkeypatch, tmp_path) -> Path:
    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copyfile(app_warehouse, db)
    monkeypatch.setenv("CDS_WAREHOUSE", str(db))
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(users_path))
    monkeypatch.setenv("DASHBOARD_AUTH_LOG", str(tmp_path / "auth.log"))
    monkeypatch.delenv(M.PROFILES_ENV, raising=False)
    return db


def own_csv(tmp_path, communes=(8380,)) -> bytes:
    rows = [
        [f"MAP{i}", communes[i % len(communes)], "05/12/2025", "10/12/2025", "08/12/2025", 2]
        for i in range(12)
    ]
    return write_csv(tmp_path / "mot-cua.csv", OWN, rows).read_bytes()


def frames(at) -> list:
    return [df.value for df in at.dataframe]


def map_all(at):
    for i, target in enumerate(TARGETS):
        at.selectbox(key=f"map_col_dossiers_new_{i}").set_value(column_label("dossiers", target))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_map_preview_save_and_load_on_the_upload_page(wh, tmp_path):
    before = file_sha(wh)
    at = run_as("st", "upload", lang="en")
    at.file_uploader(key="upload_files").set_value([("mot-cua.csv", own_csv(tmp_path), "text/csv")])
    at.run()
    assert not at.exception
    # The file is not recognised: the mapping step opens by itself, every column unmapped.
    assert at.toggle(key="map_open").value is True
    assert [at.selectbox(key=f"map_col_dossiers_new_{i}").value for i in range(6)] == ["— ignore —"] * 6
    assert any("no columns" in w.value for w in at.warning)
    at = map_all(at)
    # The live preview: the first rows as the loader stages them (contract columns, parsed values).
    preview = next(f for f in frames(at) if "dossier_id" in f.columns)
    assert set(preview["dossier_id"]) <= {f"MAP{i}" for i in range(12)}
    assert len(preview) == 10 and set(preview["channel"]) == {"online"}
    assert str(preview["received_at"].iloc[0]).startswith("2025-12-05")
    assert any("12 rows read: 12 valid, 0 rejected" in c.value for c in at.caption)
    assert file_sha(wh) == before  # previews never write
    # Save it as a profile of the steward's province.
    at.text_input(key="map_name").input("mot-cua-phu-tho").run()
    at.button(key="map_save").click().run()
    assert not at.exception and any("mot-cua-phu-tho" in s.value for s in at.success)
    saved = M.load_profile("mot-cua-phu-tho", wh.parent / "mappings")
    assert saved.province == 25 and saved.columns == dict(zip(OWN, TARGETS, strict=True))
    assert file_sha(wh) == before
    # Load with it: the rows are in, the manifest names the profile.
    at.button(key="map_load").click().run()
    assert not at.exception
    assert any("Loaded: 12 rows" in s.value for s in at.success), [s.value for s in at.success]
    assert sql(wh, "select count(*) from fact_dossier where dossier_id like 'MAP%'")[0][0] == 12
    manifest = (wh.parent / "files" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(manifest[-1])
    assert entry["mapping"]["name"] == "mot-cua-phu-tho" and entry["allowed_province"] == 25


def test_saved_profile_is_offered_and_the_province_restriction_holds(wh, tmp_path):
    M.save_profile(
        M.validate("chung", "dossiers", dict(zip(OWN, TARGETS, strict=True))), wh.parent / "mappings"
    )
    M.save_profile(
        M.validate("ha-noi", "dossiers", dict(zip(OWN, TARGETS, strict=True)), province=1),
        wh.parent / "mappings",
    )
    at = run_as("st", "upload", lang="en")
    # 8380 is in the steward's province; 1 (Phúc Xá, Hà Nội) is not: rejected, never loaded.
    at.file_uploader(key="upload_files").set_value(
        [("mot-cua.csv", own_csv(tmp_path, (8380, 1)), "text/csv")]
    )
    at.run()
    assert at.selectbox(key="map_profile").options == ["(new mapping)", "chung"]  # not Hà Nội's
    at.selectbox(key="map_profile").set_value("chung").run()
    assert [at.selectbox(key=f"map_col_dossiers_chung_{i}").value for i in range(6)] == [
        column_label("dossiers", t) for t in TARGETS
    ]
    assert any("6 valid, 6 rejected" in c.value for c in at.caption)
    # Saving over the shared profile is refused (it is not the province's own).
    at.text_input(key="map_name").input("chung").run()
    at.button(key="map_save").click().run()
    assert any("belongs to another province or to everyone" in e.value for e in at.error)
    at.button(key="map_load").click().run()
    assert sql(wh, "select count(*) from fact_dossier where dossier_id like 'MAP%'")[0][0] == 6
    assert (
        sql(wh, "select count(*) from fact_dossier where dossier_id like 'MAP%' and province_code <> 25")[0][
            0
        ]
        == 0
    )


def test_the_provinces_own_profile_is_renamed_and_deleted_on_the_upload_page(wh, tmp_path):
    folder = wh.parent / "mappings"
    M.save_profile(M.validate("chung", "dossiers", dict(zip(OWN, TARGETS, strict=True))), folder)
    M.save_profile(
        M.validate("phu-tho", "dossiers", dict(zip(OWN, TARGETS, strict=True)), province=25), folder
    )
    at = run_as("st", "upload", lang="en")
    at.file_uploader(key="upload_files").set_value([("mot-cua.csv", own_csv(tmp_path), "text/csv")])
    at.run()
    at.selectbox(key="map_profile").set_value("chung").run()
    assert not at.exception and not [b for b in at.button if b.key in ("map_rename", "map_delete")]
    at.selectbox(key="map_profile").set_value("phu-tho").run()
    at.text_input(key="map_new_name").input("chung").run()  # taken: refused, nothing changes
    at.button(key="map_rename").click().run()
    assert any("exists already" in e.value for e in at.error), [e.value for e in at.error]
    assert sorted(p.name for p in M.list_profiles(folder)) == ["chung", "phu-tho"]
    at.text_input(key="map_new_name").input("phu-tho-vnpt").run()
    at.button(key="map_rename").click().run()
    assert not at.exception
    assert any("renamed to `phu-tho-vnpt`" in s.value for s in at.success), [s.value for s in at.success]
    assert at.selectbox(key="map_profile").value == "phu-tho-vnpt"
    assert at.selectbox(key="map_profile").options == ["(new mapping)", "chung", "phu-tho-vnpt"]
    assert M.load_profile("phu-tho-vnpt", folder).province == 25
    assert at.button(key="map_delete").disabled  # asks first
    at.checkbox(key="map_delete_confirm").check().run()
    at.button(key="map_delete").click().run()
    assert not at.exception
    assert any("`phu-tho-vnpt` deleted" in s.value for s in at.success), [s.value for s in at.success]
    assert at.selectbox(key="map_profile").options == ["(new mapping)", "chung"]
    assert at.selectbox(key="map_profile").value == "(new mapping)"
    assert [p.name for p in M.list_profiles(folder)] == ["chung"]


def test_rows_after_the_data_are_counted_in_the_upload_summary(wh, tmp_path):
    """A one-stop export ending with a totals row and a signature: the upload page's summary says how
    many rows after the data were skipped (not loaded, not rejected)."""
    head = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]
    rows = [[f"TOT{i}", 8380, "05/12/2025", "10/12/2025", "08/12/2025", 2] for i in range(3)]
    rows += [["Tổng cộng", "", "", "", "", 3], ["", "Người lập biểu"]]
    data = write_csv(tmp_path / "tong-cong.csv", head, rows).read_bytes()
    at = run_as("st", "upload", lang="en")
    at.file_uploader(key="upload_files").set_value([("tong-cong.csv", data, "text/csv")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    summary = next(f for f in frames(at) if "Rows read" in f.columns)
    row = summary.iloc[0]
    assert (row["Rows read"], row["Rows rejected"]) == (3, 0)
    assert row["Totals, signatures skipped"] == 2
