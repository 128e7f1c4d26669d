"""Column-mapping profiles: validation, the TOML round trip through the CLI, `load --mapping`, the
manifest naming the profile, and a rebuild replaying it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from etl import mapping as M
from etl.loader import load_files, rebuild
from tests.conftest import ROOT, file_sha, sql, write_csv

# A one-stop export whose headers no alias knows.
OWN = ["So phieu", "Don vi ma", "Nhan luc", "Hen luc", "Xong luc", "Hinh thuc"]
COLUMNS = {
    "So phieu": "dossier_id",
    "Don vi ma": "commune_code",
    "Nhan luc": "received_at",
    "Hen luc": "due_at",
    "Xong luc": "finished_at",
    "Hinh thuc": "channel",
}


def own_file(tmp_path, name="mot-cua.csv", n=5, prefix="M"):
    return write_csv(
        tmp_path / name,
        OWN,
        [[f"{prefix}{i}", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2] for i in range(n)],
    )


def cli(db, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "etl", *args[:1], "--db", str(db), *args[1:]],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )


def test_validate_refuses_bad_profiles():
    with pytest.raises(M.ProfileError, match="not a contract column of kind dossiers"):
        M.validate("p", "dossiers", {**COLUMNS, "Ghi chu": "remark"})
    with pytest.raises(M.ProfileError, match='both "So phieu" and "Ma 2" map to "dossier_id"'):
        M.validate("p", "dossiers", {**COLUMNS, "Ma 2": "dossier_id"})
    with pytest.raises(M.ProfileError, match="required column dossier_id"):
        M.validate("p", "dossiers", {k: v for k, v in COLUMNS.items() if v != "dossier_id"})
    with pytest.raises(M.ProfileError, match='kind "nope" does not exist'):
        M.validate("p", "nope", COLUMNS)
    with pytest.raises(M.ProfileError, match="are the same file column"):
        M.validate("p", "dossiers", {**COLUMNS, "SO PHIEU": "status"})
    for name in ["../evil", "a/b", ".hidden", "x" * 65, "", "a..b", "con\n"]:
        with pytest.raises(M.ProfileError, match="is not valid"):
            M.validate(name, "dossiers", COLUMNS)
    with pytest.raises(M.ProfileError, match="not valid TOML"):
        M.from_toml("name = ", "p.toml")
    with pytest.raises(M.ProfileError, match="unknown keys sql"):
        M.from_toml('name = "p"\nkind = "dossiers"\nsql = "drop table x"\n[columns]\n"a" = "dossier_id"\n')


def test_apply_maps_and_blanks_competing_alias_columns():
    p = M.validate("p", "dossiers", {**COLUMNS, "MaXa": "commune_name"})
    # "MaXa" is an alias of commune_code, but the profile maps it to commune_name; "Don vi ma" gives the code.
    got = M.apply(p, ["So phieu", "MaXa", "Don vi ma", "Ngay tiep nhan", "Nhan luc"])
    assert got == ["dossier_id", "commune_name", "commune_code", "", "received_at"]


def test_profile_cli_round_trip_and_load_with_it(tmp_path, db):
    db.parent.mkdir(parents=True)
    profile = M.validate("mot-cua-vnpt", "dossiers", COLUMNS, description='Một cửa "VNPT" — bản 2')
    src = tmp_path / "in.toml"
    src.write_text(M.to_toml(profile), encoding="utf-8")
    r = cli(db, "mapping", "import", str(src))
    assert r.returncode == 0, r.stderr
    saved = db.parent / "mappings" / "mot-cua-vnpt.toml"
    assert saved.is_file() and oct(saved.stat().st_mode & 0o777) == oct(0o640)
    assert cli(db, "mapping", "import", str(src)).returncode == 2  # exists: --replace to overwrite
    assert cli(db, "mapping", "import", str(src), "--replace").returncode == 0
    r = cli(db, "mapping", "list", "--lang", "en")
    assert r.returncode == 0 and r.stdout.startswith("mot-cua-vnpt\tdossiers\t6 columns")
    assert cli(db, "mapping", "show", "mot-cua-vnpt").stdout == M.to_toml(profile)
    out = tmp_path / "out.toml"
    assert cli(db, "mapping", "export", "mot-cua-vnpt", str(out)).returncode == 0
    assert M.from_toml(out.read_text(encoding="utf-8")) == profile
    # Without the profile the file is refused; with it, it loads, and the manifest names the profile.
    f = own_file(tmp_path)
    r = cli(db, "load", str(f), "--json")
    assert r.returncode == 2 and not db.exists()
    r = cli(db, "load", "--mapping", "mot-cua-vnpt", str(f), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["files"][0]["mapping"] == "mot-cua-vnpt"
    assert sql(db, "select count(*), min(channel) from fact_dossier")[0] == (5, "online")
    manifest = [
        json.loads(line) for line in (db.parent / "files" / "manifest.jsonl").read_text().splitlines()
    ]
    assert manifest[-1]["mapping"] == {"name": "mot-cua-vnpt", "kind": "dossiers", "columns": COLUMNS}
    # A rebuild replays the load with the profile as it was used (even after the file is gone).
    saved.unlink()
    rebuild(db)
    assert sql(db, "select count(*) from fact_dossier")[0][0] == 5


def test_bad_profiles_from_the_cli(tmp_path, db):
    db.parent.mkdir(parents=True)
    r = cli(db, "mapping", "show", "../../etc/passwd", "--lang", "en")
    assert r.returncode == 2 and "is not valid" in r.stderr
    r = cli(db, "load", "--mapping", "khong-co", str(own_file(tmp_path)), "--lang", "en")
    assert r.returncode == 2 and 'no mapping profile "khong-co"' in r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\nkind = "dossiers"\n[columns]\n"So phieu" = "dossier_number"\n', encoding="utf-8"
    )
    r = cli(db, "mapping", "import", str(bad), "--lang", "en")
    assert (
        r.returncode == 2 and '"dossier_number", which is not a contract column of kind dossiers' in r.stderr
    )
    assert not (db.parent / "mappings" / "x.toml").exists()


def test_profile_columns_the_file_lacks_are_named(tmp_path, db):
    folder = tmp_path / "profiles"
    M.save_profile(M.validate("p", "dossiers", COLUMNS), folder)
    f = write_csv(tmp_path / "other.csv", ["So phieu", "Nhan luc", "Hen luc", "X"], [["A", 1, 2, 3]])
    s = load_files([f], db, mapping=M.load_profile("p", folder))
    assert s.exit_code == 2
    assert (
        '"Don vi ma"' in s.files[0].message_en
        and 'the file\'s columns: "So phieu", "Nhan luc", "Hen luc", "X"' in s.files[0].message_en
    )


def test_profiles_folder_is_configurable_and_a_symlinked_profile_is_not_read(tmp_path, monkeypatch, db):
    monkeypatch.setenv(M.PROFILES_ENV, str(tmp_path / "elsewhere"))
    assert M.profiles_dir(db) == tmp_path / "elsewhere"
    M.save_profile(M.validate("p", "dossiers", COLUMNS))
    assert [p.name for p in M.list_profiles()] == ["p"]
    secret = tmp_path / "secret.toml"
    secret.write_text(M.to_toml(M.validate("q", "dossiers", COLUMNS)), encoding="utf-8")
    (tmp_path / "elsewhere" / "q.toml").symlink_to(secret)
    with pytest.raises(M.ProfileError, match='no mapping profile "q"'):
        M.load_profile("q")
    before = file_sha(secret)
    # Saving over the link replaces the link, never writes through it.
    M.save_profile(M.validate("q", "dossiers", {**COLUMNS, "Ghi chu": "status"}), replace=True)
    assert file_sha(secret) == before and not (tmp_path / "elsewhere" / "q.toml").is_symlink()


def test_a_steward_never_overwrites_another_provinces_profile(tmp_path):
    M.save_profile(M.validate("p", "dossiers", COLUMNS, province=26), tmp_path)
    with pytest.raises(M.ProfileError, match="another province"):
        M.save_profile(M.validate("p", "dossiers", COLUMNS, province=25), tmp_path, replace=True, province=25)
    assert M.load_profile("p", tmp_path).province == 26


def test_a_workbook_with_own_headers_loads_with_a_profile_and_its_headers_are_offered(tmp_path, db):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Danh sách hồ sơ tháng 10"])  # a title row above the header
    ws.append(OWN)
    for i in range(4):
        ws.append([f"X{i}", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2])
    f = tmp_path / "mot-cua.xlsx"
    wb.save(f)
    assert load_files([f], db).exit_code == 2
    assert M.file_headers(f) == OWN  # the widest first row, not the title above it
    assert M.file_headers(own_file(tmp_path)) == OWN
    s = load_files([f], db, mapping=M.validate("p", "dossiers", COLUMNS))
    assert s.exit_code == 0, s.files[0].message_en
    assert sql(db, "select list(dossier_id order by dossier_id) from fact_dossier")[0][0] == [
        "X0",
        "X1",
        "X2",
        "X3",
    ]


def test_delete_and_rename_from_the_cli(tmp_path, db):
    db.parent.mkdir(parents=True)
    folder = db.parent / "mappings"
    M.save_profile(M.validate("cu", "dossiers", COLUMNS, description="bản 1"), folder)
    M.save_profile(M.validate("khac", "dossiers", COLUMNS), folder)
    r = cli(db, "mapping", "rename", "cu", "khac", "--lang", "en")  # never over another profile
    assert r.returncode == 2 and 'mapping profile "khac" exists already' in r.stderr
    r = cli(db, "mapping", "rename", "cu", "../x", "--lang", "en")
    assert r.returncode == 2 and "is not valid" in r.stderr
    assert [p.name for p in M.list_profiles(folder)] == ["cu", "khac"]
    r = cli(db, "mapping", "rename", "cu", "moi", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert [p.name for p in M.list_profiles(folder)] == ["khac", "moi"]
    renamed = M.load_profile("moi", folder)
    assert renamed.columns == COLUMNS and renamed.description == "bản 1"
    assert cli(db, "mapping", "delete", "moi").returncode == 0
    assert [p.name for p in M.list_profiles(folder)] == ["khac"]
    r = cli(db, "mapping", "delete", "moi", "--lang", "en")
    assert r.returncode == 2 and 'no mapping profile "moi"' in r.stderr


def test_a_steward_renames_and_deletes_only_the_provinces_own_profiles(tmp_path):
    M.save_profile(M.validate("chung", "dossiers", COLUMNS), tmp_path)
    M.save_profile(M.validate("ha-noi", "dossiers", COLUMNS, province=1), tmp_path)
    M.save_profile(M.validate("phu-tho", "dossiers", COLUMNS, province=25), tmp_path)
    for name in ("chung", "ha-noi"):
        with pytest.raises(M.ProfileError, match="only an administrator"):
            M.delete_profile(name, tmp_path, province=25)
        with pytest.raises(M.ProfileError, match="only an administrator"):
            M.rename_profile(name, "x", tmp_path, province=25)
    M.rename_profile("phu-tho", "phu-tho-2", tmp_path, province=25)
    assert M.load_profile("phu-tho-2", tmp_path).province == 25
    M.delete_profile("phu-tho-2", tmp_path, province=25)
    assert [p.name for p in M.list_profiles(tmp_path)] == ["chung", "ha-noi"]
