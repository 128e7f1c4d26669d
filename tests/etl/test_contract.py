"""Declared tests of the warehouse contract (after dbt): keys unique, references exist, accepted values.

`contract_violations(db)` is also run on the full demo warehouse by tests/etl/test_demo.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.loader import load_files
from tests.conftest import write_csv

CHECKS = {
    "dim_province has 34 rows": "select count(*) <> 34 from dim_province",
    "dim_commune has 3321 rows": "select count(*) <> 3321 from dim_commune",
    "fact_dossier.dossier_id unique": "select count(*) from (select dossier_id from fact_dossier group by 1 having count(*) > 1)",
    "fact_dossier.commune_code in dim_commune":
        "select count(*) from fact_dossier f anti join dim_commune d using (commune_code)",
    "fact_dossier.channel accepted": "select count(*) from fact_dossier where channel not in ('in_person', 'online', 'post')",
    "fact_dossier.online_mode accepted":
        "select count(*) from fact_dossier where online_mode not in ('full', 'partial') "
        "or (online_mode is not null and channel <> 'online')",
    "fact_dossier.paid_online_via accepted":
        "select count(*) from fact_dossier where paid_online_via not in ('national_portal', 'local_gateway', 'other')",
    "fact_dossier dates ordered":
        "select count(*) from fact_dossier where finished_at < received_at or due_at < received_at",
    "fact_signature_month counts consistent":
        "select count(*) from fact_signature_month where docs_confidential > docs_issued "
        "or docs_signed > docs_issued - docs_confidential or least(docs_issued, docs_confidential, docs_signed) < 0",
    "fact_index_score.group_code accepted":
        "select count(*) from fact_index_score where group_code not in ('CKMB','TDGQ','CLGQ','TTTT','MDSH','MDHL','DVCTT')",
    "fact_index_score.score within 0..max": "select count(*) from fact_index_score where score < 0 or score > max_score",
    "mart_commune_month unique (commune_code, month)":
        "select count(*) from (select commune_code, month from mart_commune_month group by all having count(*) > 1)",
    "mart_commune_month.commune_code in dim_commune":
        "select count(*) from mart_commune_month anti join dim_commune using (commune_code)",
    "mart_commune_month.month is a first day": "select count(*) from mart_commune_month where day(month) <> 1",
    "mart_commune_month rates within 0..1":
        "select count(*) from mart_commune_month where online_rate not between 0 and 1 "
        "or on_time_rate not between 0 and 1 or signature_rate not between 0 and 1",
    "mart_commune_month channel counts add up":
        "select count(*) from mart_commune_month where dossiers_online + dossiers_in_person + dossiers_post "
        "<> dossiers_received or dossiers_online_full + dossiers_online_partial <> dossiers_online",
    "mart_commune_month complete grid":
        "select count(*) <> (select count(*) from dim_commune) * count(distinct month) from mart_commune_month",
    "mart_index_period unique key":
        "select count(*) from (select commune_code, period_type, period from mart_index_period "
        "group by all having count(*) > 1)",
    "mart_index_period.period_type accepted":
        "select count(*) from mart_index_period where period_type not in ('month', 'quarter', 'year')",
    "etl_reject.load_id in etl_load": "select count(*) from etl_reject anti join etl_load using (load_id)",
}


def contract_violations(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = {name: con.execute(q).fetchall()[0][0] for name, q in CHECKS.items()}
    finally:
        con.close()
    return {name: int(n) for name, n in found.items() if n}


def test_contract_holds_on_a_mixed_load(tmp_path, db):
    d = write_csv(tmp_path / "d.csv", ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy",
                                       "KenhThucHien", "ToanTrinh", "DuocThanhToanTrucTuyen"], [
        ["A", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2, 1, 1],
        ["B", 8380, "01/11/2025", "05/11/2025", "", 1, "", ""],
        ["C", 10333, "02/10/2025", "05/10/2025", "09/10/2025", 3, "", 2],
    ])
    s = write_csv(tmp_path / "s.csv", ["Mã xã", "Tháng", "Tổng số văn bản đi", "Văn bản mật", "Số văn bản ký số"],
                  [[8380, "10/2025", 10, 1, 9], [10333, "11/2025", 5, 0, 4]])
    i = write_csv(tmp_path / "i.csv", ["Tên đơn vị", "Tỉnh", "Kỳ", "CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"],
                  [["Xã Vân Bán", "Phú Thọ", "10/2025", 15, 18, 10, 8, 20, 16]])
    assert load_files([d, s, i], db).exit_code == 0
    assert contract_violations(db) == {}
