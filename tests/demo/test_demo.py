"""Demo data (demo/generate.py): deterministic, plausible, tells the article's facts, loads cleanly.

The generated files are checked the way a steward would see them: read back from disk with DuckDB
(CSV) and openpyxl (XLSX), never from the generator's own tables.

Layout (few, large files): one national dossier CSV per month (`ho-so-ca-nuoc-2025-10.csv`, a
province's rows found by its "Tỉnh" column) beside the few communes' own XLSX exports; one signature
CSV per month beside Sơn La's XLSX; one index CSV per month for the provinces with ranks, one for those
without, beside Hà Nội's and Phú Thọ's XLSX sheets.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest
from vietnam_provinces import Province, Ward

from demo import generate as demo

VAN_BAN, DAI_XUYEN = 8380, 10333
HA_NOI, SON_LA, CAO_BANG, QUANG_NINH, PHU_THO = 1, 14, 4, 22, 25
PROVINCE_CODE = {p.name: int(p.code) for p in Province.iter_all()}
PROVINCE_NAME = {code: name for name, code in PROVINCE_CODE.items()}


def _province_communes(*provinces: int) -> list[int]:
    return [int(w.code) for w in Ward.iter_all() if int(w.province_code) in provinces]


def _first(province: int, n: int) -> list[int]:
    return sorted(_province_communes(province))[:n]


# Hà Nội and Phú Thọ in full (their index sheets are XLSX; Phú Thọ's has no ranks and its dates turn
# ISO in 07/2026), plus four communes each of Sơn La (signature XLSX, index CSV with ranks), Quảng Ninh
# (ISO dates, index CSV with ranks) and Cao Bằng (index CSV without ranks).
def _fixture_communes() -> list[int]:
    return [
        *_province_communes(HA_NOI, PHU_THO),
        *_first(SON_LA, 4),
        *_first(QUANG_NINH, 4),
        *_first(CAO_BANG, 4),
    ]


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _sheet_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _csv(path: Path | str, where: str = "") -> tuple[list[str], list[tuple]]:
    """A CSV's header and rows (all text, file order), optionally filtered by a DuckDB condition."""
    rel = duckdb.sql(f"select * from read_csv('{path}', all_varchar = true) {where}")
    return rel.columns, rel.fetchall()


def _dossier_csvs(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Table `d`: every row of every dossier CSV, dates parsed, with the export month from the name."""
    con.execute(f"""
        create or replace table d as
        select *,
            coalesce(try_strptime("Ngày tiếp nhận", '%d/%m/%Y %H:%M'),
                     try_strptime("Ngày tiếp nhận", '%Y-%m-%d %H:%M:%S')) as received,
            coalesce(try_strptime("Ngày hẹn trả", '%d/%m/%Y %H:%M'),
                     try_strptime("Ngày hẹn trả", '%Y-%m-%d %H:%M:%S')) as due,
            coalesce(try_strptime("Ngày kết thúc xử lý", '%d/%m/%Y %H:%M'),
                     try_strptime("Ngày kết thúc xử lý", '%Y-%m-%d %H:%M:%S')) as finished,
            coalesce(try_strptime("Ngày trả", '%d/%m/%Y %H:%M'),
                     try_strptime("Ngày trả", '%Y-%m-%d %H:%M:%S')) as returned,
            regexp_extract(filename, '(\\d{{4}}-\\d{{2}})\\.csv$', 1) as export_month
        from read_csv('{folder}/dossiers/*.csv', all_varchar = true, filename = true)
    """)
    # the latest export's version of each dossier (exports are loaded in month order)
    con.execute("""
        create or replace table latest as
        select * from d qualify row_number() over (partition by "Mã hồ sơ" order by export_month desc) = 1
    """)


@pytest.fixture(scope="module")
def two_provinces(tmp_path_factory) -> tuple[Path, demo.DemoFiles]:
    """Hà Nội (126 communes) and Phú Thọ (148) in full, a few communes of three CSV provinces; 16 months."""
    out = tmp_path_factory.mktemp("demo")
    files = demo.generate_demo_files(out, communes=_fixture_communes())
    return out, files


@pytest.fixture(scope="module")
def con(two_provinces) -> duckdb.DuckDBPyConnection:
    out, _ = two_provinces
    c = duckdb.connect()
    _dossier_csvs(c, out)
    yield c
    c.close()


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path):
    son_la = _first(SON_LA, 1)[0]
    communes = [
        *_province_communes(PHU_THO)[:20],
        VAN_BAN,
        DAI_XUYEN,
        son_la,
        *_first(QUANG_NINH, 2),
        *_first(CAO_BANG, 2),
    ]
    a = demo.generate_demo_files(tmp_path / "a", communes=communes, months=("2025-07", "2025-11"))
    b = demo.generate_demo_files(tmp_path / "b", communes=communes, months=("2025-07", "2025-11"))
    assert [p.relative_to(tmp_path / "a") for p in a.paths] == [
        p.relative_to(tmp_path / "b") for p in b.paths
    ]
    ha, hb = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert ha == hb
    assert any(name.endswith(".xlsx") for name in ha)  # xlsx too: fixed creation time, no author
    assert "index/chi-so-766-cac-tinh-khong-xep-hang-2025-10.csv" in ha  # both index CSVs
    assert "index/chi-so-766-cac-tinh-2025-10.csv" in ha
    # Sơn La sends its signature sheet as xlsx, under title rows; its communes are not in the CSV
    rows = _sheet_rows(tmp_path / "a" / "signatures" / "ky-so-14-son-la-2025-10.xlsx")
    assert rows[0][0] == "SỞ KHOA HỌC VÀ CÔNG NGHỆ SƠN LA"
    assert "THÁNG 10/2025" in rows[1][0] and list(rows[3]) == demo.SIGNATURE_COLUMNS
    assert [r[0] for r in rows[4:]] == [son_la]
    _, csv_rows = _csv(tmp_path / "a" / "signatures" / "ky-so-2025-10.csv")
    assert len(csv_rows) == len(communes) - 1 and str(son_la) not in {r[0] for r in csv_rows}
    demo.generate_demo_files(tmp_path / "c", communes=communes, months=("2025-07", "2025-11"), seed=1)
    assert _hashes(tmp_path / "c") != ha


def test_a_communes_data_do_not_depend_on_the_other_communes(tmp_path, two_provinces):
    out, _ = two_provinces
    demo.generate_demo_files(tmp_path, communes=_province_communes(HA_NOI), months=("2025-07", "2026-10"))
    # Hà Nội's rows of the national CSVs: the same rows, in the same order, with or without the others
    ha_noi = f"""where "Tỉnh" = '{PROVINCE_NAME[HA_NOI]}'"""
    for name in ["dossiers/ho-so-ca-nuoc-2025-10.csv", "signatures/ky-so-2025-10.csv"]:
        alone_header, alone = _csv(tmp_path / name)
        among_header, among = _csv(out / name, ha_noi)
        assert alone_header == among_header and len(alone) >= 126 and alone == among, name
        assert len(_csv(out / name)[1]) > len(among), name  # the others' rows are there too
    name = "index/chi-so-766-01-ha-noi-2025-08.xlsx"
    assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_regenerating_replaces_the_previous_files(tmp_path):
    demo.generate_demo_files(tmp_path, communes=[VAN_BAN], months=("2025-07", "2025-09"))
    demo.generate_demo_files(tmp_path, communes=[VAN_BAN], months=("2025-10", "2025-10"))
    names = {p.name for p in tmp_path.rglob("*.*")}
    assert not any("2025-07" in n for n in names)


# --- layout ------------------------------------------------------------------------------------


def test_file_layout(two_provinces):
    out, files = two_provinces
    names = [str(p.relative_to(out)) for p in files.paths]
    assert len(names) == len(set(names)) and all(p.is_file() for p in files.paths)
    assert sorted(names) == sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    month = r"\d{4}-\d{2}"

    def matching(pattern: str) -> list[str]:
        return [n for n in names if re.fullmatch(pattern, n)]

    # dossiers: one national CSV per month, plus the two communes' own xlsx exports
    assert "dossiers/ho-so-ca-nuoc-2025-10.csv" in names
    assert len(matching(rf"dossiers/ho-so-ca-nuoc-{month}\.csv")) == 16
    assert "dossiers/ho-so-25-phu-tho-xa-van-ban-2025-10.xlsx" in names
    assert "dossiers/ho-so-01-ha-noi-xa-dai-xuyen-2025-08.xlsx" in names
    xlsx_exports = sum(len(m) for m in demo.XLSX_DOSSIER_EXPORTS.values())
    assert len(matching(rf"dossiers/ho-so-.*{month}\.xlsx")) == xlsx_exports == 9
    # signatures: one CSV per month, plus Sơn La's xlsx
    assert demo.SIGNATURE_XLSX_PROVINCES == (SON_LA,)
    assert len(matching(rf"signatures/ky-so-{month}\.csv")) == 16
    assert len(matching(rf"signatures/ky-so-14-son-la-{month}\.xlsx")) == 16
    # index: xlsx for Hà Nội and Phú Thọ only; one CSV per month with ranks and one without
    assert demo.INDEX_XLSX_PROVINCES == (HA_NOI, PHU_THO)
    assert "index/chi-so-766-01-ha-noi-2025-08.xlsx" in names
    assert "index/chi-so-766-25-phu-tho-2025-08.xlsx" in names
    assert len(matching(rf"index/chi-so-766-(01-ha-noi|25-phu-tho)-{month}\.xlsx")) == 32
    assert len(matching(rf"index/chi-so-766-cac-tinh-{month}\.csv")) == 16
    assert len(matching(rf"index/chi-so-766-cac-tinh-khong-xep-hang-{month}\.csv")) == 16
    # nothing else: 16 months x (dossier CSV, signature CSV + xlsx, 2 index CSVs + 2 xlsx), and the 9
    assert len(names) == 16 * 7 + xlsx_exports
    # load order: month by month
    months = [re.search(r"(\d{4}-\d{2})\.(csv|xlsx)$", n).group(1) for n in names]
    assert months == sorted(months)


def test_national_dossier_csv_holds_every_commune_but_the_xlsx_ones(con):
    everyone = {str(c) for c in _fixture_communes()}
    got: dict[str, set[str]] = {}
    for month, commune in con.execute('select distinct export_month, "Mã xã" from d').fetchall():
        got.setdefault(month, set()).add(commune)
    assert len(got) == 16
    for month, communes in got.items():
        own_xlsx = {str(c) for c, months in demo.XLSX_DOSSIER_EXPORTS.items() if month in months}
        assert communes == everyone - own_xlsx, month
    provinces = {r[0] for r in con.execute('select distinct "Tỉnh" from d').fetchall()}
    assert provinces == {PROVINCE_NAME[p] for p in (HA_NOI, PHU_THO, SON_LA, QUANG_NINH, CAO_BANG)}
    # the province column agrees with the commune code
    ward_province = {int(w.code): PROVINCE_NAME[int(w.province_code)] for w in Ward.iter_all()}
    pairs = con.execute('select distinct "Mã xã"::int, "Tỉnh" from d').fetchall()
    assert all(ward_province[c] == p for c, p in pairs)


def test_dossier_csv_headers_and_values(two_provinces, con):
    out, _ = two_provinces
    header = (out / "dossiers/ho-so-ca-nuoc-2025-10.csv").read_text(encoding="utf-8").splitlines()[0]
    assert [h.strip('"') for h in header.split(",")] == demo.DOSSIER_CSV_COLUMNS
    bad = con.execute("""
        select
            count(*) filter (where "Kênh thực hiện" not in ('1', '2', '3')),
            count(*) filter (where received is null or due is null),
            count(*) filter (where finished < received),
            count(*) filter (where due < received),
            count(*) filter (where "Toàn trình" is not null and "Kênh thực hiện" <> '2'),
            count(*) filter (where "Kênh thực hiện" = '2' and "Toàn trình" not in ('0', '1')),
            count(*) filter (where "Thanh toán trực tuyến" not in ('1', '2')),
            count(*) filter (where "Số hóa" not in ('0', '1'))
        from d""").fetchall()
    assert bad == [(0,) * 8]
    codes = {r[0] for r in con.execute('select distinct "Mã TTHC" from d').fetchall()}
    assert {"2.000815", "1.001193", "1.000894", "1.004222"} <= codes and 15 <= len(codes) <= 25
    sectors = con.execute('select count(distinct "Lĩnh vực") from d').fetchall()[0][0]
    assert 5 <= sectors <= 8
    # one dossier, one id
    assert con.execute('select count(*) = count(distinct "Mã hồ sơ") from latest').fetchall() == [(True,)]


def test_iso_date_provinces_within_the_national_csv(con):
    """Each province's rows keep its own system's date format, so one national file mixes two."""
    assert demo.ISO_DATE_PROVINCES == {22: "", 48: "", 25: "2026-07"}
    rows = con.execute("""
        select "Tỉnh", export_month >= '2026-07',
            count(*) filter (where "Ngày tiếp nhận" like '____-__-__ __:__:__'
                             and "Ngày hẹn trả" like '____-__-__ __:__:__'),
            count(*) filter (where "Ngày tiếp nhận" like '__/__/____ __:__' and "Ngày hẹn trả" like '__/__/____ __:__'),
            count(*)
        from d group by all""").fetchall()
    iso = {(PROVINCE_CODE[p], late): (n_iso, n_dmy, n) for p, late, n_iso, n_dmy, n in rows}
    assert len(iso) == 10
    for (province, late), (n_iso, n_dmy, n) in iso.items():
        # Quảng Ninh always; Phú Thọ from 07/2026; the others never
        expect_iso = province == QUANG_NINH or (province == PHU_THO and late)
        assert (n_iso, n_dmy) == ((n, 0) if expect_iso else (0, n)), (province, late)
    mixed = con.execute("""select count(distinct "Ngày tiếp nhận" like '____-__-__ %') from d
                           where export_month = '2026-08'""").fetchall()
    assert mixed == [(2,)]


def test_volumes_and_rates_are_plausible(con):
    per_month = con.execute("""
        with cm as (
            select "Mã xã" as commune, strftime(received, '%Y-%m') as month, count(*) as n,
                avg((finished <= due)::int) filter (where finished is not null) as on_time,
                avg(("Kênh thực hiện" = '2')::int) as online,
                avg(epoch(finished - received) / 86400) as days
            from latest group by all)
        select month, avg(n), avg(on_time), avg(online), avg(days), count(*)
        from cm group by month order by month""").fetchall()
    assert len(per_month) == 16
    by_month = {m: r for m, *r in per_month}
    for month, (n, on_time, _online, days, communes) in by_month.items():
        assert 0.60 <= on_time <= 0.95, month
        assert 2 <= days <= 10 or month == "2026-10", month  # the last month's long cases are unfinished
        assert 15 <= n <= 60, month
        assert communes >= len(_fixture_communes()) - 2  # 2 communes send xlsx some months
    # online share rises from 25-45% in 2025 towards 50-70% by late 2026; on time improves
    assert 0.25 <= by_month["2025-08"][2] <= 0.45
    assert 0.50 <= by_month["2026-09"][2] <= 0.70
    assert by_month["2026-09"][1] > by_month["2025-08"][1]
    # Tết (17/02/2026): fewer dossiers in February
    assert by_month["2026-02"][0] < 0.8 * min(by_month["2026-01"][0], by_month["2026-03"][0])
    # a tail of laggards: some communes stay well below the median online share in 09/2026
    ((low, median),) = con.execute("""
        select quantile_cont(online, 0.05), quantile_cont(online, 0.5) from (
            select "Mã xã", avg(("Kênh thực hiện" = '2')::int) as online from latest
            where strftime(received, '%Y-%m') = '2026-09' group by all)""").fetchall()
    assert low < median - 0.12
    # unfinished dossiers only near the end of the range (the two communes with their own xlsx
    # exports are left out: their later versions are not in the CSVs read here)
    unfinished = dict(
        con.execute("""select strftime(received, '%Y-%m'), count(*) from latest
                                     where finished is null and "Trạng thái hồ sơ" = 'Đang xử lý'
                                       and "Mã xã" not in ('8380', '10333')
                                     group by all""").fetchall()
    )
    assert unfinished.get("2026-10", 0) > 0 and set(unfinished) <= {"2026-08", "2026-09", "2026-10"}


def test_exports_overlap_and_the_later_version_is_complete(con):
    ((overlap, completed),) = con.execute("""
        select count(*), count(*) filter (where a.finished is null and b.finished is not null)
        from d a join d b on a."Mã hồ sơ" = b."Mã hồ sơ" and a.export_month < b.export_month""").fetchall()
    assert overlap > 1000 and completed > 1000
    # a dossier appears in the month it was received and later only when finished or returned then
    assert con.execute(
        "select count(*) from d where export_month < strftime(received, '%Y-%m')"
    ).fetchall() == [(0,)]
    assert con.execute("""select count(*) from d where export_month > strftime(received, '%Y-%m')
                          and export_month is distinct from strftime(finished, '%Y-%m')
                          and export_month is distinct from strftime(returned, '%Y-%m')""").fetchall() == [
        (0,)
    ]
    # and at most once in a national file
    assert con.execute("""select count(*) from (select 1 from d group by "Mã hồ sơ", export_month
                          having count(*) > 1)""").fetchall() == [(0,)]


def test_commune_xlsx_exports_have_title_rows_and_are_not_double_counted(two_provinces, con):
    out, _ = two_provinces
    rows = _sheet_rows(out / "dossiers/ho-so-25-phu-tho-xa-van-ban-2025-10.xlsx")
    assert rows[0][0] == "UBND XÃ VÂN BÁN"
    assert "THÁNG 10/2025" in rows[1][0]
    assert rows[3][0] is None
    header = rows[4]
    assert header[:2] == ("STT", "MaHoSo") and "NgayTiepNhan" in header and "TenXa" in header
    data = rows[5:]
    assert len(data) > 10
    col = {name: i for i, name in enumerate(header)}
    assert {r[col["TenXa"]] for r in data} == {"Xã Vân Bán"}
    assert {r[col["TenTinh"]] for r in data} == {"Phú Thọ"}
    assert all(r[col["NgayTiepNhan"]].year == 2025 for r in data)  # real date cells
    assert all(isinstance(r[col["MaTTHC"]], str) for r in data)
    # the commune's rows are in its xlsx, not also in the national CSV of that month ...
    assert con.execute(
        """select count(*) from d where "Mã xã" = '8380' and export_month = '2025-10'"""
    ).fetchall() == [(0,)]
    assert (
        con.execute(
            """select count(*) from d where "Mã xã" = '8380' and export_month = '2026-01'"""
        ).fetchall()[0][0]
        > 0
    )
    # ... and no id of any commune xlsx export is in the national CSV of the same month
    prefix = {VAN_BAN: "ho-so-25-phu-tho-xa-van-ban", DAI_XUYEN: "ho-so-01-ha-noi-xa-dai-xuyen"}
    assert prefix.keys() == demo.XLSX_DOSSIER_EXPORTS.keys()
    for commune, months in demo.XLSX_DOSSIER_EXPORTS.items():
        for month in months:
            ids = [r[1] for r in _sheet_rows(out / "dossiers" / f"{prefix[commune]}-{month}.xlsx")[5:]]
            assert ids and all(i.startswith("H") for i in ids), (commune, month)
            in_csv = con.execute(
                """select count(*) from d where export_month = ? and "Mã hồ sơ" in ?""", [month, ids]
            ).fetchall()
            assert in_csv == [(0,)], (commune, month)


# --- the article's facts -------------------------------------------------------------------


def test_van_ban_signs_everything_from_october_2025(two_provinces):
    out, _ = two_provinces
    rows = duckdb.sql(f"""
        select "Tháng", "Tổng số văn bản đi"::int, "Văn bản mật"::int, "Số văn bản ký số"::int
        from read_csv('{out}/signatures/ky-so-*.csv', all_varchar = true)
        where "Mã xã" = '8380'""").fetchall()
    assert len(rows) == 16
    for month, issued, confidential, signed in rows:
        mm, yyyy = month.split("/")
        assert 20 <= issued <= 200 and 0 <= confidential <= 5
        if (yyyy, mm) >= ("2025", "10"):
            assert signed == issued - confidential, month
        else:
            assert signed < issued - confidential, month
    # the other communes: mostly at 100% by late 2026, some laggards below
    rates = duckdb.sql(f"""
        select "Số văn bản ký số"::int / ("Tổng số văn bản đi"::int - "Văn bản mật"::int) as rate
        from read_csv('{out}/signatures/ky-so-2026-09.csv', all_varchar = true)""").fetchall()
    full = sum(1 for (r,) in rates if r == 1)
    assert full > 0.6 * len(rates) and any(r < 0.9 for (r,) in rates)
    # every commune once a month: in the national CSV, or in Sơn La's xlsx
    _, csv_rows = _csv(out / "signatures/ky-so-2026-09.csv")
    sheet = _sheet_rows(out / "signatures/ky-so-14-son-la-2026-09.xlsx")[4:]
    assert {r[2] for r in csv_rows} == {PROVINCE_NAME[p] for p in (HA_NOI, PHU_THO, QUANG_NINH, CAO_BANG)}
    assert sorted([int(r[0]) for r in csv_rows] + [r[0] for r in sheet]) == sorted(_fixture_communes())
    assert sorted(r[0] for r in sheet) == _first(SON_LA, 4)


def test_dai_xuyen_ranks_15th_of_126_in_august_2025(two_provinces):
    out, _ = two_provinces
    rows = _sheet_rows(out / "index/chi-so-766-01-ha-noi-2025-08.xlsx")
    header = rows[3]
    assert list(header) == demo.INDEX_COLUMNS
    data = [dict(zip(header, r, strict=True)) for r in rows[4:]]
    assert len(data) == 126
    mine = next(r for r in data if r["Tên đơn vị"] == "UBND xã Đại Xuyên")
    assert mine["Xếp hạng"] == 15 and mine["Kỳ"] == "08/2025"
    totals = [r["Tổng điểm"] for r in data]
    assert sum(t > mine["Tổng điểm"] for t in totals) == 14
    assert totals.count(mine["Tổng điểm"]) == 1


def test_index_sheets_are_consistent(two_provinces, con):
    out, _ = two_provinces
    groups = [t for _, t in demo.INDEX_GROUP_TITLES]
    for name in ["index/chi-so-766-01-ha-noi-2026-03.xlsx", "index/chi-so-766-25-phu-tho-2026-08.xlsx"]:
        rows = _sheet_rows(out / name)
        header = rows[3]
        for r in rows[4:]:
            row = dict(zip(header, r, strict=True))
            for g, title in demo.INDEX_GROUP_TITLES:
                assert 0 <= row[title] <= demo.GROUP_MAX[g]
            assert row["Tổng điểm"] == pytest.approx(sum(row[t] for t in groups), abs=1e-9)
    # Phú Thọ publishes no rank column: the loader computes the ranks
    assert PHU_THO in demo.INDEX_NO_RANK_PROVINCES
    assert "Xếp hạng" not in _sheet_rows(out / "index/chi-so-766-25-phu-tho-2026-08.xlsx")[3]
    # Xã Vân Bán, 08/2026: TDGQ 17.94 of 20 (the real published figure), from 61 of 68 dossiers on time
    rows = _sheet_rows(out / "index/chi-so-766-25-phu-tho-2026-08.xlsx")
    van_ban = dict(zip(rows[3], next(r for r in rows if r[1] == "UBND xã Vân Bán"), strict=True))
    assert van_ban["Tiến độ giải quyết"] == 17.94
    counts = con.execute("""
        select count(*), count(*) filter (where finished <= due) from latest
        where "Mã xã" = '8380' and strftime(received, '%Y-%m') = '2026-08'""").fetchall()
    assert counts == [(68, 61)]
    # TDGQ follows the dossiers' on-time ratio (Hà Nội, 03/2026)
    rows = _sheet_rows(out / "index/chi-so-766-01-ha-noi-2026-03.xlsx")
    published = {r[1]: r[5] for r in rows[4:]}
    computed = dict(
        con.execute("""
        select 'UBND ' || lower(substr("Tên xã", 1, 1)) || substr("Tên xã", 2),
            round(20 * avg((finished <= due)::int), 2)
        from latest where "Tỉnh" = 'Thành phố Hà Nội' and strftime(received, '%Y-%m') = '2026-03'
        group by all""").fetchall()
    )
    assert len(published) == 126 and published.keys() == computed.keys()
    assert all(abs(published[u] - computed[u]) < 0.006 for u in published)


def test_index_csv_sheets_with_and_without_ranks(two_provinces):
    """The CSV provinces: one sheet per month with ranks, one without, ordered by province then STT."""
    out, _ = two_provinces
    unit_code = {
        (PROVINCE_NAME[int(w.province_code)], "UBND " + w.name[0].lower() + w.name[1:]): int(w.code)
        for w in Ward.iter_all()
    }
    groups = [t for _, t in demo.INDEX_GROUP_TITLES]
    for label in ["2025-08", "2026-03"]:
        period = f"{label[5:]}/{label[:4]}"
        for no_rank, provinces in ((False, (SON_LA, QUANG_NINH)), (True, (CAO_BANG,))):
            suffix = "khong-xep-hang-" if no_rank else ""
            header, rows = _csv(out / f"index/chi-so-766-cac-tinh-{suffix}{label}.csv")
            assert header == (demo.INDEX_COLUMNS[:-1] if no_rank else demo.INDEX_COLUMNS)
            data = [dict(zip(header, r, strict=True)) for r in rows]
            # no commune of an xlsx province, every commune of the CSV provinces once
            assert {r["Tỉnh"] for r in data} == {PROVINCE_NAME[p] for p in provinces}
            codes = [unit_code[r["Tỉnh"], r["Tên đơn vị"]] for r in data]
            assert sorted(codes) == sorted(c for p in provinces for c in _first(p, 4))
            assert {r["Kỳ"] for r in data} == {period}
            # ordered by province (official code), then STT 1..n within the province
            keys = [(PROVINCE_CODE[r["Tỉnh"]], int(r["STT"])) for r in data]
            assert keys == sorted(keys)
            for p in provinces:
                mine = [r for r in data if r["Tỉnh"] == PROVINCE_NAME[p]]
                assert [int(r["STT"]) for r in mine] == list(range(1, len(mine) + 1))
                totals = [float(r["Tổng điểm"]) for r in mine]
                if no_rank:
                    # a sheet without ranks lists the units by official code
                    mine_codes = [unit_code[r["Tỉnh"], r["Tên đơn vị"]] for r in mine]
                    assert mine_codes == sorted(mine_codes)
                else:
                    # listed by rank; the rank is 1 + the number of better totals in the province
                    ranks = [int(r["Xếp hạng"]) for r in mine]
                    assert ranks == sorted(ranks)
                    assert ranks == [1 + sum(o > t for o in totals) for t in totals]
            for r in data:
                for g, title in demo.INDEX_GROUP_TITLES:
                    assert 0 <= float(r[title]) <= demo.GROUP_MAX[g]
                assert float(r["Tổng điểm"]) == pytest.approx(sum(float(r[t]) for t in groups), abs=0.011)


# --- loading through the ETL ---------------------------------------------------------------


def test_demo_loads_without_duplicates(tmp_path):
    loader = pytest.importorskip("etl.loader")
    assert loader  # the real ETL path
    communes = sorted(
        {
            *_province_communes(PHU_THO)[:25],
            VAN_BAN,
            DAI_XUYEN,
            *_province_communes(SON_LA)[:5],
            *_first(QUANG_NINH, 3),
            *_first(CAO_BANG, 3),
        }
    )
    summary = demo.build_demo(
        tmp_path / "wh.duckdb", tmp_path / "demo", communes=communes, months=("2025-09", "2025-11")
    )
    assert summary.exit_code == 0, [
        (f.file, f.status, f.reasons, f.message_en) for f in summary.files if f.status != "loaded"
    ]
    kinds = {f.kind for f in summary.files}
    assert {"dossiers", "population", "training"} <= kinds  # the skills demo is loaded in the same call
    ids: list[str] = []
    for path in (tmp_path / "demo" / "dossiers").iterdir():
        if path.suffix == ".csv":
            ids += [r[0] for r in _csv(path)[1]]
        else:
            ids += [r[1] for r in _sheet_rows(path)[5:]]
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    try:
        ((total, distinct),) = con.execute(
            "select count(*), count(distinct dossier_id) from fact_dossier"
        ).fetchall()
        assert total == distinct == len(set(ids)) and len(ids) > len(set(ids))  # exports overlap
        # every province of the national CSV, Quảng Ninh's ISO dates included
        provinces = {r[0] for r in con.execute("select distinct province_code from fact_dossier").fetchall()}
        assert provinces == {HA_NOI, PHU_THO, SON_LA, QUANG_NINH, CAO_BANG}
        # the later export's version won: a dossier finished in a later month is finished in the warehouse
        assert con.execute(
            "select count(*) from fact_dossier where finished_at is null "
            "and received_at < timestamp '2025-10-01'"
        ).fetchall() == [(0,)]
        assert con.execute("select count(*) from fact_signature_month").fetchall() == [(len(communes) * 3,)]
        assert con.execute("select count(distinct commune_code) from fact_index_total").fetchall() == [
            (len(communes),)
        ]
        # published ranks where the sheet has them; none for the provinces without a rank column
        ranks = dict(
            con.execute("""select province_code, count(published_rank) > 0 from fact_index_total
                                    group by all""").fetchall()
        )
        assert ranks == {HA_NOI: True, PHU_THO: False, SON_LA: True, QUANG_NINH: True, CAO_BANG: False}
        assert con.execute("select count(*) from etl_reject").fetchall() == [(0,)]
    finally:
        con.close()


# --- the full national demo --------------------------------------------------------------------


@pytest.mark.slow
def test_national_demo_files(tmp_path):
    files = demo.generate_demo_files(tmp_path)
    assert 1_500_000 <= files.dossiers <= 2_500_000
    assert files.signature_rows == files.index_rows == 3321 * 16
    # few, large files: per month one national dossier CSV, one signature CSV + Sơn La's xlsx, two
    # index CSVs + Hà Nội's and Phú Thọ's xlsx; plus the communes' own dossier exports
    assert len(files.paths) == 16 * 7 + sum(len(m) for m in demo.XLSX_DOSSIER_EXPORTS.values())
    index = tmp_path / "index"
    in_csv = {
        r[0]
        for r in duckdb.sql(f"""select distinct "Tỉnh" from read_csv('{index}/*.csv',
                                           union_by_name = true, all_varchar = true)""").fetchall()
    }
    assert len(in_csv) == 32 and not in_csv & {PROVINCE_NAME[p] for p in demo.INDEX_XLSX_PROVINCES}
    in_dossiers = duckdb.sql(f"""select count(distinct "Tỉnh") from
                                 read_csv('{tmp_path}/dossiers/ho-so-ca-nuoc-2025-10.csv', all_varchar = true)""")
    assert in_dossiers.fetchall() == [(34,)]
    # how long the demo takes to build is measured by bench/bench_demo_build.py, not asserted here


def test_ranks_move_a_few_places_a_month_with_a_handful_of_big_movers(two_provinces):
    """Issue 16: real ranks move a few places a month; the demo's jumped 100+ places and turned the
    movers and rank-history charts into noise.  Over Hà Nội's 126 and Phú Thọ's 148 communes and 16
    months, from the published sheets: median |rank change| <= 5 and p95 <= 20, yet some big movers."""
    out, _ = two_provinces
    changes: list[int] = []
    for province in ("01-ha-noi", "25-phu-tho"):
        previous: dict[str, int] | None = None
        sheets = sorted((out / "index").glob(f"chi-so-766-{province}-*.xlsx"))
        assert len(sheets) == 16
        for sheet in sheets:
            rows = _sheet_rows(sheet)
            header = rows[3]
            unit, total = header.index("Tên đơn vị"), header.index("Tổng điểm")
            totals = {r[unit]: r[total] for r in rows[4:]}
            ranks = {u: 1 + sum(o > v for o in totals.values()) for u, v in totals.items()}
            if previous is not None:
                assert ranks.keys() == previous.keys()
                changes += [abs(ranks[u] - previous[u]) for u in ranks]
            previous = ranks
    changes.sort()
    assert len(changes) == 15 * (126 + 148)
    median, p95 = changes[len(changes) // 2], changes[int(0.95 * len(changes))]
    assert median <= 5 and p95 <= 20, (median, p95)
    assert 0 < sum(c >= 30 for c in changes) <= 0.02 * len(changes)  # a handful of big movers
    assert sum(c == 0 for c in changes) < 0.5 * len(changes)  # and ranks do move
