"""Declared tests of the warehouse contract (after dbt): keys unique, references exist, accepted values.

The marts' and intermediate models' keys, columns and tests are declared once in YAML beside their SQL
(etl/sql/<model>.yml) and read here; docs/data-dictionary.md is checked against them.
`contract_violations(db)` is also run on the full demo warehouse by tests/demo/test_demo.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import yaml

from etl.config import SQL_DIR
from etl.loader import MART_FILES, load_files
from tests.conftest import write_csv

CHECKS = {
    "dim_province has 34 rows": "select count(*) <> 34 from dim_province",
    "dim_commune has 3321 rows": "select count(*) <> 3321 from dim_commune",
    "fact_dossier.dossier_id unique": "select count(*) from (select dossier_id from fact_dossier group by 1 having count(*) > 1)",
    "fact_dossier.commune_code in dim_commune": "select count(*) from fact_dossier f anti join dim_commune d using (commune_code)",
    "fact_dossier.channel accepted": "select count(*) from fact_dossier where channel not in ('in_person', 'online', 'post')",
    "fact_dossier.online_mode accepted": "select count(*) from fact_dossier where online_mode not in ('full', 'partial') "
    "or (online_mode is not null and channel <> 'online')",
    "fact_dossier.paid_online_via accepted": "select count(*) from fact_dossier where paid_online_via not in ('national_portal', 'local_gateway', 'other')",
    "fact_dossier dates ordered": "select count(*) from fact_dossier where finished_at < received_at or due_at < received_at",
    "fact_signature_month counts consistent": "select count(*) from fact_signature_month where docs_confidential > docs_issued "
    "or docs_signed > docs_issued - docs_confidential or least(docs_issued, docs_confidential, docs_signed) < 0",
    "fact_index_score.group_code accepted": "select count(*) from fact_index_score where group_code not in ('CKMB','TDGQ','CLGQ','TTTT','MDSH','MDHL','DVCTT')",
    "fact_index_score.score within 0..max": "select count(*) from fact_index_score where score < 0 or score > max_score",
    "etl_reject.load_id in etl_load": "select count(*) from etl_reject anti join etl_load using (load_id)",
}


def model_specs() -> dict[str, dict]:
    """Each model's key, columns and tests, declared once beside its SQL (etl/sql/<model>.yml)."""
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SQL_DIR.glob("*.yml"))}


def model_checks() -> dict[str, str]:
    """The declared tests of every model, and its key's uniqueness."""
    checks = {}
    for name, spec in model_specs().items():
        key = ", ".join(spec["key"])
        checks[f"{name} unique ({key})"] = (
            f"select count(*) from (select {key} from {name} group by all having count(*) > 1)"
        )
        checks.update({f"{name}: {t['name']}": t["sql"] for t in spec.get("tests", [])})
    return checks


def contract_violations(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = {name: con.execute(q).fetchall()[0][0] for name, q in {**CHECKS, **model_checks()}.items()}
        for name, spec in model_specs().items():
            columns = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_name = ? order by ordinal_position",
                    [name],
                ).fetchall()
            ]
            found[f"{name} columns as declared"] = int(columns != spec["columns"])
    finally:
        con.close()
    return {name: int(n) for name, n in found.items() if n}


def test_contract_holds_on_a_mixed_load(tmp_path, db):
    d = write_csv(
        tmp_path / "d.csv",
        [
            "MaHoSo",
            "MaXa",
            "NgayTiepNhan",
            "NgayHenTra",
            "NgayKetThucXuLy",
            "KenhThucHien",
            "ToanTrinh",
            "DuocThanhToanTrucTuyen",
        ],
        [
            ["A", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2, 1, 1],
            ["B", 8380, "01/11/2025", "05/11/2025", "", 1, "", ""],
            ["C", 10333, "02/10/2025", "05/10/2025", "09/10/2025", 3, "", 2],
        ],
    )
    s = write_csv(
        tmp_path / "s.csv",
        ["Mã xã", "Tháng", "Tổng số văn bản đi", "Văn bản mật", "Số văn bản ký số"],
        [[8380, "10/2025", 10, 1, 9], [10333, "11/2025", 5, 0, 4]],
    )
    i = write_csv(
        tmp_path / "i.csv",
        ["Tên đơn vị", "Tỉnh", "Kỳ", "CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"],
        [["Xã Vân Bán", "Phú Thọ", "10/2025", 15, 18, 10, 8, 20, 16]],
    )
    assert load_files([d, s, i], db).exit_code == 0
    assert contract_violations(db) == {}


def test_every_model_has_its_declaration_and_the_data_dictionary_describes_it():
    specs = model_specs()
    assert set(specs) == {f.removesuffix(".sql") for f in MART_FILES}
    dictionary = (SQL_DIR.parents[1] / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    sections = re.split(r"\n(?=### )", dictionary)
    for name, spec in specs.items():
        text = "\n".join(s for s in sections if s.startswith(f"### `{name}`"))
        assert text, f"docs/data-dictionary.md has no section for {name}"
        missing = [c for c in spec["columns"] if not re.search(rf"\b{c}\b", text)]
        assert missing == [], f"docs/data-dictionary.md does not describe {name}.{missing}"
        assert spec["name"] == name and set(spec["key"]) <= set(spec["columns"])


def test_a_declared_test_can_fail(tmp_path, db):
    """The declarations are run, not just read: a broken mart row is reported."""
    d = write_csv(
        tmp_path / "d.csv",
        ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"],
        [["A", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2]],
    )
    assert load_files([d], db).exit_code == 0
    con = duckdb.connect(str(db))
    con.execute("update mart_commune_month set online_rate = 2 where commune_code = 8380")
    con.close()
    assert "mart_commune_month: rates within 0..1" in contract_violations(db)
