"""Demo data: the source files a provincial data steward would receive, then loaded through the ETL.

`build_demo(db_path, out_dir)` writes, under `out_dir`, for each month:

* ``dossiers/ho-so-ca-nuoc-2025-10.csv``: ONE national dossier export for the month, every commune
  of every province in the run, one row per dossier (Vietnamese headers, the province in the
  ``Tỉnh`` column; dates dd/mm/yyyy HH:MM, but each row keeps its province's system's format, so
  the ISO-date provinces, `ISO_DATE_PROVINCES`, put yyyy-mm-dd HH:MM:SS rows in the same file).
  A few communes send their own Excel export instead (`XLSX_DOSSIER_EXPORTS`:
  ``dossiers/ho-so-25-phu-tho-xa-van-ban-2025-10.xlsx``,
  ``dossiers/ho-so-01-ha-noi-xa-dai-xuyen-2025-08.xlsx``: title rows above the header, the portal's
  field names, real date cells, the commune by name and province); in those months their dossiers
  are not in the national CSV.  Month M's export holds the dossiers received in M plus the earlier
  ones finished or returned in M, as they stood at the end of M, so a dossier appears in more than
  one month's export and the later version must replace the earlier one.
* ``signatures/ky-so-2025-10.csv``: documents issued / classified / signed per commune, all
  communes but Sơn La's, which come as the province's own XLSX (`SIGNATURE_XLSX_PROVINCES`,
  ``signatures/ky-so-14-son-la-2025-10.xlsx``, title rows above the header).
* the published Decision 766 scores of the communes, six groups: Hà Nội and Phú Thọ publish their
  own XLSX sheet (`INDEX_XLSX_PROVINCES`, ``index/chi-so-766-01-ha-noi-2025-08.xlsx``); the other
  provinces come in one CSV per month, ``index/chi-so-766-cac-tinh-2025-08.csv`` for those publishing
  ranks and ``index/chi-so-766-cac-tinh-khong-xep-hang-2025-08.csv``, without the ``Xếp hạng``
  column, for those that publish none (`INDEX_NO_RANK_PROVINCES`; the loader computes their ranks;
  Phú Thọ's XLSX has no rank column either).  Rows are ordered by province, then STT (by rank, or
  by official commune code where there are no ranks).

Why so few files: with one file per province and month, the per-file overhead (writing, and above
all loading: each file is staged, validated and recorded in `etl_load` on its own) made the full
demo build slow (files + load; ``bench/bench_demo_build.py`` measures it); fewer, larger files
cut that overhead.  The full default demo (34 provinces, 16 months) is 16 x 7 files
plus the 9 communes' own XLSX exports, 121 files.  `build_demo` also writes the digital-skills
demo (`demo.skills.build_skills_demo`) and loads everything, these files month by month and
then the skills files, in ONE `etl.loader.load_files(..., demo=True)` call.

Everything is generated in DuckDB SQL (`demo/sql/*.sql`) from hash-based pseudo-random draws
keyed by (seed, commune, month, dossier, draw), never row by row in Python: the same seed gives
byte-identical files, and one commune's data do not depend on which other communes are generated
(its rows in a national file are the same, in the same order, whoever else is in the run).  Volumes
are about a twentieth of the real ones.

The facts of the source article (the README's "What the demo shows") the demo tells:
* Xã Vân Bán (Phú Thọ, 8380) signs 100% of its non-classified outgoing documents from 10/2025
  (signed = issued - classified), less before;
* Xã Đại Xuyên (Hà Nội, 10333) ranks exactly 15th of Hà Nội's 126 communes in the 08/2025 index
  (its transparency score, CKMB, is set so; no tie touches rank 15);
* Xã Vân Bán's published TDGQ for 08/2026 is the real 17.94 of 20 (89.71% on time).  The real figure
  is 314 of 350 dossiers; the demo keeps its volume at demo scale with the same ratio, 61 of 68, so
  that the commune's trend has no tenfold spike (`TDGQ_FACT` holds the pair).

Dossier ids follow the portal's pattern ``H25.139-251015-0012`` (unit code, received yymmdd, the
dossier's number in the month); the demo unit code is ``H`` + the official province code + the
commune's ordinal in its province, not the portal's real agency code.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import xlsxwriter

from core.index_groups import GROUP_MAX as INDEX_GROUP_MAX
from core.index_groups import SIX_GROUPS
from demo.skills import build_skills_demo
from demo.tables import SQL_DIR, create_tables
from etl.loader import load_files

log = logging.getLogger(__name__)

SQL_STEPS = [
    "01_commune.sql",
    "02_commune_month.sql",
    "03_dossier.sql",
    "04_export.sql",
    "05_signature.sql",
    "06_index.sql",
]
DEFAULT_MONTHS = ("2025-07", "2026-10")


@dataclass(frozen=True)
class Scale:
    """How much the demo generates: `volume` multiplies every commune's monthly dossiers (the demo's
    are about a twentieth of the real ones); `months` the default range; `dossier_files` 'month' (one
    national CSV per month) or 'province' (one CSV per province and month, as provinces export)."""

    volume: float
    months: tuple[str, str]
    dossier_files: str


SCALES = {
    "demo": Scale(1.0, DEFAULT_MONTHS, "month"),
    # Real volumes: 3,321 communes x 12 months x about 760 dossiers a month = 30+ million dossiers.
    "national": Scale(25.0, ("2025-11", "2026-10"), "province"),
}
DEFAULT_SEED = 766
SUBFOLDERS = ("dossiers", "signatures", "index")

VAN_BAN = 8380  # Xã Vân Bán, Phú Thọ
DAI_XUYEN = 10333  # Xã Đại Xuyên, Hà Nội
RANK_FACT = (DAI_XUYEN, "2025-08", 15)  # commune, month, rank within its province
SIGNATURE_FACT = (VAN_BAN, "2025-10")  # 100% signed from this month on
TDGQ_FACT = (VAN_BAN, "2026-08", 68, 61)  # dossiers received, on time -> 17.94 of 20

# Sectors (MaLinhVuc -> TenLinhVuc) and the commune-level procedures the demo files use.
SECTORS = {
    "CT": "Chứng thực",
    "HT": "Hộ tịch",
    "CTR": "Cư trú",
    "DD": "Đất đai",
    "BTXH": "Bảo trợ xã hội",
    "HKD": "Thành lập và hoạt động của hộ kinh doanh",
}
# Names as one-stop systems commonly print them (the two chứng thực names are the short forms).
# (MaTTHC, TenTTHC, sector, working days to the due date, share of dossiers in %, has a fee,
#  relative online propensity, relative full-online propensity, handled by UBND or commune police)
PROCEDURES = [
    ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "CT", 0, 22.0, True, 0.9, 0.9, "ubnd"),
    ("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "CT", 0, 6.0, True, 0.2, 0.0, "ubnd"),
    ("2.001019", "Chứng thực di chúc", "CT", 2, 0.6, True, 0.1, 0.0, "ubnd"),
    ("1.001193", "Đăng ký khai sinh", "HT", 1, 9.0, False, 1.6, 0.9, "ubnd"),
    ("1.000656", "Đăng ký khai tử", "HT", 1, 3.5, False, 1.4, 0.9, "ubnd"),
    ("1.000894", "Đăng ký kết hôn", "HT", 3, 3.5, False, 1.2, 0.6, "ubnd"),
    ("1.004884", "Đăng ký lại khai sinh", "HT", 5, 1.0, True, 1.0, 0.5, "ubnd"),
    ("1.001022", "Đăng ký nhận cha, mẹ, con", "HT", 3, 0.5, True, 0.8, 0.4, "ubnd"),
    ("1.004837", "Đăng ký giám hộ", "HT", 3, 0.3, True, 0.8, 0.4, "ubnd"),
    ("1.004222", "Đăng ký thường trú", "CTR", 7, 5.0, True, 1.5, 0.9, "police"),
    ("1.004194", "Đăng ký tạm trú", "CTR", 3, 5.0, True, 1.5, 0.9, "police"),
    ("1.002755", "Gia hạn tạm trú", "CTR", 3, 2.0, True, 1.6, 0.95, "police"),
    ("1.003677", "Khai báo tạm vắng", "CTR", 1, 1.0, False, 1.5, 0.95, "police"),
    ("1.003197", "Xóa đăng ký thường trú", "CTR", 2, 1.5, False, 1.3, 0.9, "police"),
    ("1.010038", "Tách hộ", "CTR", 5, 1.0, True, 1.3, 0.9, "police"),
    (
        "1.013831",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất trong các "
        "trường hợp chuyển đổi, chuyển nhượng, thừa kế, tặng cho, góp vốn",
        "DD",
        10,
        4.0,
        True,
        0.5,
        0.1,
        "ubnd",
    ),
    (
        "1.011441",
        "Đăng ký biện pháp bảo đảm bằng quyền sử dụng đất, tài sản gắn liền với đất",
        "DD",
        3,
        3.0,
        True,
        0.6,
        0.3,
        "ubnd",
    ),
    ("1.012784", "Tách thửa hoặc hợp thửa đất", "DD", 15, 1.2, True, 0.4, 0.1, "ubnd"),
    ("1.012812", "Hòa giải tranh chấp đất đai", "DD", 21, 0.5, False, 0.2, 0.0, "ubnd"),
    (
        "1.001776",
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm sóc, "
        "nuôi dưỡng hàng tháng",
        "BTXH",
        10,
        2.0,
        False,
        0.6,
        0.3,
        "ubnd",
    ),
    (
        "1.001699",
        "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "BTXH",
        15,
        0.7,
        False,
        0.5,
        0.2,
        "ubnd",
    ),
    ("1.001612", "Đăng ký thành lập hộ kinh doanh", "HKD", 3, 2.5, True, 1.2, 0.8, "ubnd"),
]
PROCEDURE_BUCKETS = 10_000

# Communes whose traits are pinned (the others are drawn): base monthly volume, laggard, quality
# 0..1, first month of 100% signatures.
SPECIAL_COMMUNES = [
    (VAN_BAN, 58.0, False, 0.80, SIGNATURE_FACT[1]),
    (DAI_XUYEN, None, False, 0.85, None),
]
# Communes whose monthly exports come as their own XLSX (title rows, portal field names).
XLSX_DOSSIER_EXPORTS = {
    VAN_BAN: ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"],
    DAI_XUYEN: ["2025-08", "2025-09", "2025-10"],
}
# Provinces whose one-stop system writes ISO dates, from the given month on ('' = always); their
# rows sit in the national CSV beside the others' dd/mm/yyyy rows.
ISO_DATE_PROVINCES = {22: "", 48: "", 25: "2026-07"}
# Provinces publishing their own index XLSX (Hà Nội, Phú Thọ); the others share the monthly CSVs.
INDEX_XLSX_PROVINCES = (1, 25)
# Provinces whose index sheet has no rank column (the CSV ones go to the ``khong-xep-hang`` CSV).
INDEX_NO_RANK_PROVINCES = (4, 12, 25, 33, 46, 68, 86)
# Provinces sending their signature counts as their own XLSX (Sơn La); the others share the CSV.
SIGNATURE_XLSX_PROVINCES = (14,)

# Days off (besides weekends) on which no dossier is received at the counter.
HOLIDAYS = {
    *[dt.date(2025, 9, d) for d in (1, 2)],
    dt.date(2026, 1, 1),
    *[dt.date(2026, 2, d) for d in range(14, 23)],  # Tết Bính Ngọ (17/02/2026)
    dt.date(2026, 4, 27),
    dt.date(2026, 4, 30),
    dt.date(2026, 5, 1),
    *[dt.date(2026, 9, d) for d in (1, 2)],
    dt.date(2027, 1, 1),
    *[dt.date(2027, 2, d) for d in range(4, 11)],  # Tết Đinh Mùi (06/02/2027)
}
TET_MONTHS = {"2026-02", "2027-02"}
TREND_START = dt.date(2025, 7, 1)  # the two-tier local government's first month
TREND_MONTHS = 15  # trend reaches 1 in 10/2026

DOSSIER_CSV_COLUMNS = [
    "Mã hồ sơ",
    "Mã xã",
    "Tên xã",
    "Tỉnh",
    "Mã TTHC",
    "Tên TTHC",
    "Mã lĩnh vực",
    "Lĩnh vực",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày kết thúc xử lý",
    "Ngày trả",
    "Trạng thái hồ sơ",
    "Kênh thực hiện",
    "Toàn trình",
    "Thanh toán trực tuyến",
    "Số hóa",
    "Đơn vị xử lý",
]
DOSSIER_XLSX_COLUMNS = [
    "STT",
    "MaHoSo",
    "TenXa",
    "TenTinh",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "TrangThaiHoSo",
    "KenhThucHien",
    "ToanTrinh",
    "DuocThanhToanTrucTuyen",
    "HoSoCoThanhPhanSoHoa",
    "DonViXuLy",
]
SIGNATURE_COLUMNS = [
    "Mã xã",
    "Tên xã",
    "Tỉnh",
    "Tháng",
    "Tổng số văn bản đi",
    "Văn bản mật",
    "Số văn bản ký số",
]
INDEX_GROUP_TITLES = [
    ("ckmb", "Công khai, minh bạch"),
    ("tdgq", "Tiến độ giải quyết"),
    ("clgq", "Dịch vụ công trực tuyến"),
    ("tttt", "Thanh toán trực tuyến"),
    ("mdsh", "Số hóa hồ sơ"),
    ("mdhl", "Mức độ hài lòng"),
]
INDEX_COLUMNS = [
    "STT",
    "Tên đơn vị",
    "Tỉnh",
    "Kỳ",
    *[t for _, t in INDEX_GROUP_TITLES],
    "Tổng điểm",
    "Xếp hạng",
]
CSV_OPTIONS = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
CENT = Decimal("0.01")
GROUP_MAX = {g.lower(): int(INDEX_GROUP_MAX[g]) for g in SIX_GROUPS}  # core.index_groups, by column


@dataclass
class DemoFiles:
    """What `generate_demo_files` wrote: the files in load order and a few counts."""

    out_dir: Path
    paths: list[Path]
    dossiers: int  # distinct dossiers
    dossier_rows: int  # rows over all dossier exports (overlapping months count twice)
    signature_rows: int
    index_rows: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def build_demo(
    db_path: Path,
    out_dir: Path,
    *,
    communes: list[int] | None = None,
    months: tuple[str, str] | None = None,
    seed: int = DEFAULT_SEED,
    scale: str = "demo",
):
    """Write the demo source files under `out_dir` and load them into `db_path`; returns the LoadSummary."""
    months = months or SCALES[scale].months
    files = generate_demo_files(out_dir, communes=communes, months=months, seed=seed, scale=scale)
    log.info(
        "demo: %d files, %d dossiers (%d export rows) written in %.1f s",
        len(files.paths),
        files.dossiers,
        files.dossier_rows,
        files.seconds,
    )
    skills = build_skills_demo(out_dir, communes, months, seed)
    return load_files(files.paths + skills, db_path, demo=True)


def generate_demo_files(
    out_dir: Path,
    *,
    communes: list[int] | None = None,
    months: tuple[str, str] | None = None,
    seed: int = DEFAULT_SEED,
    scale: str = "demo",
) -> DemoFiles:
    """Write the demo source files (replacing an earlier demo's files under `out_dir`).

    `scale='national'`: real volumes (30+ million dossiers over 12 months for all communes), one
    dossier CSV per province and month; generated in DuckDB with intermediate tables spilled to a
    temporary folder beside `out_dir`, files written month by month (memory stays a few GB)."""
    started = time.perf_counter()
    spec = SCALES[scale]
    months = months or spec.months
    timings: dict[str, float] = {}
    out_dir = Path(out_dir)
    for sub in SUBFOLDERS:
        shutil.rmtree(out_dir / sub, ignore_errors=True)
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    month_list = _month_range(*months)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    spill = out_dir / ".generate-tmp"
    con.execute("set temp_directory = ?", [str(spill)])
    con.execute("set preserve_insertion_order = false")
    con.execute("set memory_limit = '8GB'")
    try:
        _setup(con, _commune_reference(communes), month_list, int(seed))
        con.execute(f"create macro demo_volume_scale() as {float(spec.volume)}")
        for step in SQL_STEPS:
            t = time.perf_counter()
            con.execute((SQL_DIR / step).read_text(encoding="utf-8"))
            timings[step] = time.perf_counter() - t
        t = time.perf_counter()
        _pin_rank(con)
        _check_facts(con)
        timings["facts"] = time.perf_counter() - t
        files: dict[str, list[Path]] = {m["label"]: [] for m in month_list}
        for name, writer in (
            ("write_dossiers", _write_dossiers),
            ("write_signatures", _write_signatures),
            ("write_index", _write_index),
        ):
            t = time.perf_counter()
            if writer is _write_dossiers:
                writer(con, out_dir, files, by_province=spec.dossier_files == "province")
            else:
                writer(con, out_dir, files)
            timings[name] = time.perf_counter() - t
        counts = con.execute("""
            select (select count(*) from demo_dossier), (select count(*) from demo_export),
                   (select count(*) from demo_signature), (select count(*) from demo_index)""").fetchone()
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    paths = [p for m in month_list for p in files[m["label"]]]
    return DemoFiles(
        out_dir, paths, counts[0], counts[1], counts[2], counts[3], time.perf_counter() - started, timings
    )


# --------------------------------------------------------------------------------------------
# Inputs of the SQL steps
# --------------------------------------------------------------------------------------------


def _month_range(first: str, last: str) -> list[dict]:
    y, m = (int(x) for x in first.split("-"))
    y_last, m_last = (int(x) for x in last.split("-"))
    if (y, m) > (y_last, m_last):
        raise ValueError(f"demo months: {first} is after {last}")
    out = []
    while (y, m) <= (y_last, m_last):
        start = dt.date(y, m, 1)
        next_start = dt.date(y + (m == 12), m % 12 + 1, 1)
        label = f"{y:04d}-{m:02d}"
        trend_months = max(0, (y - TREND_START.year) * 12 + m - TREND_START.month)
        prev_label = f"{y + (m == 12):04d}-{m % 12 + 1:02d}"  # the month after: is it Tết's?
        season = (
            0.66
            if label in TET_MONTHS
            else 1.10
            if prev_label in TET_MONTHS
            else {9: 0.95, 12: 1.06}.get(m, 1.0)
        )
        out.append(
            {
                "m_idx": len(out),
                "ym": y * 100 + m,
                "label": label,
                "period": f"{m:02d}/{y:04d}",
                "month_start": start,
                "next_start": next_start,
                "days": (next_start - start).days,
                "trend_months": trend_months,
                "trend": min(1.0, trend_months / TREND_MONTHS),
                "season": season,
                "tet": 1 if label in TET_MONTHS else 0,
            }
        )
        y, m = (y + (m == 12), m % 12 + 1)
    return out


def _commune_reference(codes: list[int] | None) -> pd.DataFrame:
    """The official units (vietnam-provinces), with the names and codes the exports print."""
    from vietnam_provinces import Province, Ward

    provinces = {int(p.code): p for p in Province.iter_all()}
    rows = []
    ordinal: dict[int, int] = {}
    for w in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        pcode = int(w.province_code)
        ordinal[pcode] = ordinal.get(pcode, 0) + 1
        dtype = w.division_type.value
        rows.append(
            {
                "commune_code": int(w.code),
                "name": w.name,
                "division_type": dtype,
                "codename": w.codename,
                "province_code": pcode,
                "province_name": provinces[pcode].name,
                "province_slug": provinces[pcode].codename.replace("_", "-"),
                "commune_slug": w.codename.replace("_", "-"),
                # "xã Vân Bán" as in "UBND xã Vân Bán"
                "unit_name": dtype + w.name[len(dtype) :],
                "agency": f"H{pcode:02d}.{ordinal[pcode]:03d}",
            }
        )
    frame = pd.DataFrame(rows)
    if codes is not None:
        wanted = {int(c) for c in codes}
        unknown = wanted - set(frame["commune_code"])
        if unknown:
            raise ValueError(f"demo communes: unknown commune codes {sorted(unknown)}")
        frame = frame[frame["commune_code"].isin(wanted)].reset_index(drop=True)
    return frame


def _calendar(first: dt.date, last: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every day (is it a working day, working days so far) and the working days by index."""
    days, workdays = [], []
    d, count = first, 0
    while d <= last:
        is_workday = d.weekday() < 5 and d not in HOLIDAYS
        count += is_workday
        days.append({"d": d, "is_workday": is_workday, "wd_cum": count})
        if is_workday:
            workdays.append({"wd_idx": count, "d": d})
        d += dt.timedelta(days=1)
    return pd.DataFrame(days), pd.DataFrame(workdays)


def _setup(con: duckdb.DuckDBPyConnection, communes: pd.DataFrame, months: list[dict], seed: int) -> None:
    first, data_end = months[0]["month_start"], months[-1]["next_start"]
    y0, m0 = first.year, first.month
    group_max_cases = " ".join(f"when '{g}' then {INDEX_GROUP_MAX[g]:g}" for g in SIX_GROUPS)
    con.execute(f"""
        -- hash-based draws: demo_key mixes (seed, a, b, c) one value at a time (DuckDB's multi-argument
        -- hash() combines the arguments' hashes too simply: draws differing only in the last argument
        -- would be correlated); demo_draw(key, salt) is then a uniform number in [0, 1).
        create macro demo_key(a, b, c) as
            hash(xor(hash(xor(hash(xor(hash(cast({seed} as ubigint)), cast(a as ubigint))),
                              cast(b as ubigint))), cast(c as ubigint)));
        create macro demo_draw(k, salt) as
            cast(hash(xor(k, cast(salt as ubigint))) >> 11 as double) / 9007199254740992.0;
        create macro demo_u(a, b, c, salt) as demo_draw(demo_key(a, b, c), salt);
        create macro demo_clamp(x, lo, hi) as least(hi, greatest(lo, x));
        -- a commune's slowly drifting draw for month ym (yyyymm): the mean of six monthly draws ending
        -- at ym, so that consecutive months share five of them (a month-to-month change is a sixth of
        -- an independent draw's): ranks then move a few places a month, not a hundred.
        -- dossier i of n's stratified draw: (i * p + offset) mod n is a permutation of 0..n-1 (p a prime
        -- above any month's n), so a commune-month's draws cover [0, 1) evenly; a share p of the
        -- dossiers then falls below p up to one dossier, not up to a binomial spread (with ~30 dossiers
        -- a month that spread alone moved ranks by dozens of places).
        create macro demo_strat(i, n, u, shift, p) as
            (cast((i * p + floor(shift * n)) % n as double) + u) / n;
        create macro demo_month_no(ym) as (ym // 100) * 12 + ym % 100;
        create macro demo_drift(a, ym, salt) as
            (demo_u(a, demo_month_no(ym), 1, salt) + demo_u(a, demo_month_no(ym) - 1, 1, salt)
             + demo_u(a, demo_month_no(ym) - 2, 1, salt) + demo_u(a, demo_month_no(ym) - 3, 1, salt)
             + demo_u(a, demo_month_no(ym) - 4, 1, salt) + demo_u(a, demo_month_no(ym) - 5, 1, salt)) / 6;
        create macro demo_data_end() as timestamp '{data_end.isoformat()}';
        create macro demo_month_of(ts) as (year(ts) - {y0}) * 12 + month(ts) - {m0};
        -- each index group's maximum points (core.index_groups)
        create macro demo_group_max(g) as case g {group_max_cases} end;
    """)
    con.register("commune_src", communes)
    con.execute("create table demo_commune_ref as select * from commune_src")
    con.unregister("commune_src")

    day_frame, workday_frame = _calendar(first - dt.timedelta(days=7), data_end + dt.timedelta(days=150))
    month_frame = pd.DataFrame(months)
    month_workdays = []
    for mo in months:
        wds = [d for d in workday_frame["d"] if mo["month_start"] <= d < mo["next_start"]]
        mo_count = len(wds)
        month_frame.loc[mo["m_idx"], "workdays"] = mo_count
        month_workdays += [{"m_idx": mo["m_idx"], "k": k, "d": d} for k, d in enumerate(wds)]
    month_frame["workdays"] = month_frame["workdays"].astype("int64")
    frames = {
        "demo_month": month_frame,
        "demo_day": day_frame,
        "demo_workday": workday_frame,
        "demo_month_workday": pd.DataFrame(month_workdays),
        "demo_procedure": _procedure_frame(),
        "demo_procedure_bucket": _bucket_frame(),
        "demo_special": pd.DataFrame(
            SPECIAL_COMMUNES,
            columns=["commune_code", "base_volume", "laggard", "quality", "signed_full_from"],
        ),
        "demo_override": pd.DataFrame(
            [(TDGQ_FACT[0], int(TDGQ_FACT[1].replace("-", "")), TDGQ_FACT[2], TDGQ_FACT[3])],
            columns=["commune_code", "ym", "dossiers", "on_time"],
        ),
        "demo_iso_dates": pd.DataFrame(
            sorted(ISO_DATE_PROVINCES.items()), columns=["province_code", "from_label"]
        ),
        "demo_xlsx_export": pd.DataFrame(
            [(c, m) for c, ms in XLSX_DOSSIER_EXPORTS.items() for m in ms], columns=["commune_code", "label"]
        ),
    }
    create_tables(con, frames)
    con.execute("""
        alter table demo_month alter month_start type date;
        alter table demo_month alter next_start type date;
        alter table demo_day alter d type date;
        alter table demo_workday alter d type date;
        alter table demo_month_workday alter d type date;
        alter table demo_special alter base_volume type double;
        alter table demo_special alter quality type double;
        alter table demo_special alter signed_full_from type varchar;
    """)


def _procedure_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        PROCEDURES,
        columns=[
            "procedure_code",
            "procedure_name",
            "sector_code",
            "due_days",
            "weight",
            "fee",
            "online_factor",
            "full_factor",
            "handler",
        ],
    )
    frame.insert(0, "procedure_idx", range(len(frame)))
    frame["sector_name"] = frame["sector_code"].map(SECTORS)
    # Scale the online propensities so that a commune's overall online share is its drawn p_online.
    mean = (frame["online_factor"] * frame["weight"]).sum() / frame["weight"].sum()
    frame["online_factor"] = frame["online_factor"] / mean
    return frame


def _bucket_frame() -> pd.DataFrame:
    weights = [p[4] for p in PROCEDURES]
    total = sum(weights)
    out, cum = [], 0.0
    for idx, w in enumerate(weights):
        lo = round(cum / total * PROCEDURE_BUCKETS)
        cum += w
        hi = round(cum / total * PROCEDURE_BUCKETS)
        out += [(b, idx) for b in range(lo, hi)]
    return pd.DataFrame(out, columns=["bucket", "procedure_idx"])


# --------------------------------------------------------------------------------------------
# The article's facts
# --------------------------------------------------------------------------------------------


def _pin_rank(con: duckdb.DuckDBPyConnection) -> None:
    """Set Xã Đại Xuyên's CKMB so that it ranks exactly 15th of its province in 08/2025.

    Needs its province's communes in the run (at least 15 of them); otherwise does nothing.  If the
    15th and 14th other communes are closer than 0.02 points, the ones just below the 14th are
    lowered by a hundredth or two so that no tie can touch rank 15."""
    commune, label, rank = RANK_FACT
    row = con.execute(
        """
        select i.province_code, i.m_idx from demo_index i join demo_month m using (m_idx)
        where i.commune_code = ? and m.label = ?""",
        [commune, label],
    ).fetchone()
    if row is None:
        return
    province, m_idx = row
    others = con.execute(
        """
        select commune_code, total from demo_index
        where province_code = ? and m_idx = ? and commune_code <> ?
        order by total desc, commune_code""",
        [province, m_idx, commune],
    ).fetchall()
    if len(others) < rank:
        return
    target = others[rank - 2][1] - CENT  # just below the (rank-1)th other commune
    for code, total in others[rank - 1 :]:
        if total >= target:  # too close below: lower it to target - 0.01
            _shift_group(con, code, m_idx, target - CENT - total)
    current = con.execute(
        "select total from demo_index where commune_code = ? and m_idx = ?", [commune, m_idx]
    ).fetchone()[0]
    _shift_group(con, commune, m_idx, target - current)


def _shift_group(con: duckdb.DuckDBPyConnection, commune: int, m_idx: int, delta) -> None:
    """Move a commune's total by `delta` points, through CKMB first, then MDHL and CLGQ, within 0..max."""
    if delta == 0:
        return
    scores = dict(
        zip(
            ["ckmb", "mdhl", "clgq"],
            con.execute(
                "select ckmb, mdhl, clgq from demo_index where commune_code = ? and m_idx = ?",
                [commune, m_idx],
            ).fetchone(),
            strict=True,
        )
    )
    remaining = delta
    for group in ("ckmb", "mdhl", "clgq"):
        new = min(max(scores[group] + remaining, 0), GROUP_MAX[group])
        remaining -= new - scores[group]
        scores[group] = new
        if remaining == 0:
            break
    if remaining != 0:
        raise RuntimeError(f"demo: cannot move commune {commune}'s index total by {delta}")
    con.execute(
        """
        update demo_index set ckmb = ?, mdhl = ?, clgq = ?, total = ? + ? + ? + tdgq + tttt + mdsh
        where commune_code = ? and m_idx = ?""",
        [
            scores["ckmb"],
            scores["mdhl"],
            scores["clgq"],
            scores["ckmb"],
            scores["mdhl"],
            scores["clgq"],
            commune,
            m_idx,
        ],
    )


def _check_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Fail loudly if a generator change broke one of the article's facts."""
    commune, label, rank = RANK_FACT
    got = con.execute(
        """
        with r as (select commune_code, m.label, rank() over (partition by province_code, m_idx
                                                             order by total desc) as rnk,
                          count(*) over (partition by province_code, m_idx) as n
                   from demo_index join demo_month m using (m_idx))
        select rnk, n from r where commune_code = ? and label = ?""",
        [commune, label],
    ).fetchone()
    if got is not None and got[1] >= rank and got[0] != rank:
        raise RuntimeError(f"demo: commune {commune} ranks {got[0]} in {label}, not {rank}")
    commune, label, received, on_time = TDGQ_FACT
    got = con.execute(
        """
        select i.tdgq, (select max(m_idx) from demo_month) - i.m_idx
        from demo_index i join demo_month m using (m_idx)
        where i.commune_code = ? and m.label = ?""",
        [commune, label],
    ).fetchone()
    expected = round(on_time / received * 20, 2)
    # (in the last two months of a range some dossiers are still within their deadline: not judged)
    if got is not None and got[1] >= 2 and float(got[0]) != expected:
        raise RuntimeError(f"demo: commune {commune}'s TDGQ in {label} is {got[0]}, not {expected}")


# --------------------------------------------------------------------------------------------
# Writing the files
# --------------------------------------------------------------------------------------------


def _months(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str, dt.date]]:
    """m_idx -> (label '2025-10', period '10/2025', first day of the next month)."""
    return {
        m: (label, period, next_start)
        for m, label, period, next_start in con.execute(
            "select m_idx, label, period, next_start from demo_month order by m_idx"
        ).fetchall()
    }


def _provinces(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str]]:
    """province_code -> (official name, file-name slug) for the provinces in the run."""
    return {
        code: (name, slug)
        for code, name, slug in con.execute(
            "select distinct province_code, province_name, province_slug from demo_commune order by 1"
        ).fetchall()
    }


def _write_csv_parts(con: duckdb.DuckDBPyConnection, sql: str, path_of) -> list[tuple[int, Path]]:
    """Write one CSV per value of the query's first column, `part` (rows ordered by it).

    One query and Arrow slices instead of a COPY per file: the files are written in one pass.  The
    callers use the month as `part`, so each kind of CSV is one file per month."""
    table = con.sql(sql).to_arrow_table()
    if table.num_rows == 0:
        return []
    parts = table.column("part").to_numpy()
    starts = [0, *(np.flatnonzero(np.diff(parts)) + 1).tolist()]
    ends = [*starts[1:], len(parts)]
    data = table.drop_columns(["part"])
    written = []
    for start, end in zip(starts, ends, strict=True):
        key = int(parts[start])
        path = path_of(key)
        pacsv.write_csv(data.slice(start, end - start), path, write_options=CSV_OPTIONS)
        written.append((key, path))
    return written


def _write_dossiers(
    con: duckdb.DuckDBPyConnection, out_dir: Path, files: dict[str, list[Path]], by_province: bool = False
) -> None:
    """One national CSV per month (every commune but the XLSX ones, each row in its province's date
    format), or with `by_province` one CSV per province and month (written month by month, so that
    only one month is ever in memory), then the communes' own XLSX exports of that month."""
    months, provinces = _months(con), _provinces(con)
    con.execute("""
        create macro demo_fmt(ts, iso) as case when iso then strftime(ts, '%Y-%m-%d %H:%M:%S')
                                               else strftime(ts, '%d/%m/%Y %H:%M') end""")
    sql = """
        select e.export_m as part,
            e.dossier_id as "Mã hồ sơ", e.commune_code as "Mã xã", c.name as "Tên xã",
            c.province_name as "Tỉnh", p.procedure_code as "Mã TTHC", p.procedure_name as "Tên TTHC",
            p.sector_code as "Mã lĩnh vực", p.sector_name as "Lĩnh vực",
            demo_fmt(e.received_at, e.iso_dates) as "Ngày tiếp nhận",
            demo_fmt(e.due_at, e.iso_dates) as "Ngày hẹn trả",
            demo_fmt(e.finished_at, e.iso_dates) as "Ngày kết thúc xử lý",
            demo_fmt(e.returned_at, e.iso_dates) as "Ngày trả",
            e.status as "Trạng thái hồ sơ", e.channel as "Kênh thực hiện", e.full_online as "Toàn trình",
            e.paid_via as "Thanh toán trực tuyến", e.digitized as "Số hóa",
            case p.handler when 'police' then 'Công an ' else 'UBND ' end || c.unit_name as "Đơn vị xử lý"
        from demo_export e
        join demo_commune c using (commune_code)
        join demo_procedure p using (procedure_idx)
        where not e.in_xlsx"""

    if by_province:
        for m_idx, (label, _period, _next) in months.items():

            def province_path(province: int, label: str = label) -> Path:
                return out_dir / "dossiers" / f"ho-so-{province:02d}-{provinces[province][1]}-{label}.csv"

            month_sql = (
                sql.replace("e.export_m as part", "e.province_code as part")
                + f" and e.export_m = {int(m_idx)} order by part, e.received_at, e.dossier_id"
            )
            files[label] += [path for _, path in _write_csv_parts(con, month_sql, province_path)]
    else:

        def path_of(m_idx: int) -> Path:
            return out_dir / "dossiers" / f"ho-so-ca-nuoc-{months[m_idx][0]}.csv"

        for m_idx, path in _write_csv_parts(
            con, sql + " order by part, e.received_at, e.dossier_id", path_of
        ):
            files[months[m_idx][0]].append(path)
    for commune, m_idx in con.execute(
        "select distinct commune_code, export_m from demo_export where in_xlsx "
        "order by export_m, commune_code"
    ).fetchall():
        files[months[m_idx][0]].append(_write_dossier_xlsx(con, out_dir, commune, m_idx, months[m_idx]))


def _write_dossier_xlsx(
    con: duckdb.DuckDBPyConnection, out_dir: Path, commune: int, m_idx: int, month: tuple[str, str, dt.date]
) -> Path:
    """A commune's own export: title rows, the portal's field names, real date cells, commune by name."""
    label, period, next_start = month
    name, province_name, province, province_slug, commune_slug = con.execute(
        "select name, province_name, province_code, province_slug, commune_slug from demo_commune "
        "where commune_code = ?",
        [commune],
    ).fetchone()
    rows = con.execute(
        """
        select e.dossier_id, c.name, c.province_name, p.procedure_code, p.procedure_name, p.sector_code,
            p.sector_name, e.received_at, e.due_at, e.finished_at, e.returned_at, e.status, e.channel,
            e.full_online, e.paid_via, e.digitized,
            case p.handler when 'police' then 'Công an ' else 'UBND ' end || c.unit_name
        from demo_export e join demo_commune c using (commune_code) join demo_procedure p using (procedure_idx)
        where e.commune_code = ? and e.export_m = ? and e.in_xlsx
        order by e.received_at, e.dossier_id""",
        [commune, m_idx],
    ).fetchall()
    path = out_dir / "dossiers" / f"ho-so-{province:02d}-{province_slug}-{commune_slug}-{label}.xlsx"
    exported = dt.datetime.combine(next_start, dt.time(8, 30))
    wb = _workbook(path, exported, f"Danh sách hồ sơ {name} tháng {period}")
    ws = wb.add_worksheet("Danh sách hồ sơ")
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True})
    when = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws.write_string(0, 0, f"UBND {name.upper()}", bold)
    ws.write_string(1, 0, f"DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT THÁNG {period}", bold)
    ws.write_string(
        2, 0, f"(Trích xuất từ Hệ thống thông tin giải quyết thủ tục hành chính ngày {exported:%d/%m/%Y})"
    )
    header_row = 4
    ws.write_row(header_row, 0, DOSSIER_XLSX_COLUMNS, head)
    for n, values in enumerate(rows, start=1):
        row = header_row + n
        ws.write_number(row, 0, n)
        for col, value in enumerate(values, start=1):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                ws.write_datetime(row, col, value, when)
            elif isinstance(value, str):
                ws.write_string(row, col, value)  # codes such as 2.000815 stay text
            else:
                ws.write_number(row, col, value)
    ws.set_column(1, 1, 22)
    ws.set_column(5, 5, 48)
    ws.set_column(8, 11, 16)
    ws.freeze_panes(header_row + 1, 0)
    wb.close()
    return path


def _write_signatures(con: duckdb.DuckDBPyConnection, out_dir: Path, files: dict[str, list[Path]]) -> None:
    """One CSV per month for the communes of all provinces but `SIGNATURE_XLSX_PROVINCES`, which get
    one XLSX per province and month."""
    months, provinces = _months(con), _provinces(con)
    xlsx = ", ".join(str(p) for p in SIGNATURE_XLSX_PROVINCES)
    select = """s.commune_code as "Mã xã", c.name as "Tên xã", c.province_name as "Tỉnh", m.period as "Tháng",
            s.docs_issued as "Tổng số văn bản đi", s.docs_confidential as "Văn bản mật",
            s.docs_signed as "Số văn bản ký số"
        from demo_signature s join demo_commune c using (commune_code) join demo_month m using (m_idx)"""
    sql = f"""select s.m_idx as part, {select}
              where s.province_code not in ({xlsx}) order by part, s.province_code, s.commune_code"""
    csv_files = dict(
        _write_csv_parts(con, sql, lambda m: out_dir / "signatures" / f"ky-so-{months[m][0]}.csv")
    )
    for m_idx, (label, period, next_start) in months.items():
        if m_idx in csv_files:
            files[label].append(csv_files[m_idx])
        for province in SIGNATURE_XLSX_PROVINCES:
            if province not in provinces:
                continue
            name, slug = provinces[province]
            rows = con.execute(
                f"select {select} where s.m_idx = ? and s.province_code = ? order by s.commune_code",
                [m_idx, province],
            ).fetchall()
            path = out_dir / "signatures" / f"ky-so-{province:02d}-{slug}-{label}.xlsx"
            wb = _workbook(
                path,
                dt.datetime.combine(next_start, dt.time(9, 0)),
                f"Tổng hợp ký số văn bản đi tháng {period}",
            )
            ws = wb.add_worksheet("Ký số")
            bold = wb.add_format({"bold": True})
            head = wb.add_format({"bold": True, "border": 1, "text_wrap": True})
            ws.write_string(0, 0, f"SỞ KHOA HỌC VÀ CÔNG NGHỆ {name.upper()}", bold)
            ws.write_string(1, 0, f"TỔNG HỢP KÝ SỐ VĂN BẢN ĐI CỦA UBND CẤP XÃ THÁNG {period}", bold)
            ws.write_row(3, 0, SIGNATURE_COLUMNS, head)
            for n, values in enumerate(rows, start=4):
                for col, value in enumerate(values):
                    if isinstance(value, str):
                        ws.write_string(n, col, value)
                    else:
                        ws.write_number(n, col, value)
            ws.set_column(1, 2, 22)
            ws.set_column(4, 6, 14)
            wb.close()
            files[label].append(path)


def _write_index(con: duckdb.DuckDBPyConnection, out_dir: Path, files: dict[str, list[Path]]) -> None:
    """Two CSVs per month for the provinces not in `INDEX_XLSX_PROVINCES` (with ranks; without the
    rank column, `INDEX_NO_RANK_PROVINCES`), rows by province then STT; one XLSX per month for each
    province in `INDEX_XLSX_PROVINCES`."""
    months, provinces = _months(con), _provinces(con)
    group_cols = ", ".join(f'i.{g} as "{title}"' for g, title in INDEX_GROUP_TITLES)
    # The portal lists units by rank; a sheet without ranks lists them by official code.
    con.execute(f"""
        create table demo_index_out as
        with ranked as (
            select *, rank() over (partition by province_code, m_idx order by total desc) as rnk,
                province_code in ({", ".join(str(p) for p in INDEX_NO_RANK_PROVINCES)}) as no_rank
            from demo_index
        )
        select i.province_code * 1000 + i.m_idx as part, i.province_code, i.m_idx, i.no_rank,
            row_number() over (partition by i.province_code, i.m_idx
                               order by case when i.no_rank then 0 else i.rnk end, i.commune_code) as "STT",
            'UBND ' || c.unit_name as "Tên đơn vị", c.province_name as "Tỉnh", m.period as "Kỳ",
            {group_cols}, i.total as "Tổng điểm", i.rnk as "Xếp hạng"
        from ranked i join demo_commune c using (commune_code) join demo_month m using (m_idx)
    """)
    xlsx = ", ".join(str(p) for p in INDEX_XLSX_PROVINCES)
    columns = ", ".join(f'"{c}"' for c in INDEX_COLUMNS)

    def path_of(key: int) -> Path:
        """A province's own sheet (its ``.xlsx`` name is taken from this)."""
        province, m_idx = divmod(key, 1000)
        return (
            out_dir / "index" / f"chi-so-766-{province:02d}-{provinces[province][1]}-{months[m_idx][0]}.csv"
        )

    # (sort key, path); key = month * 1000 + 0 (CSV with ranks), + province code (XLSX) or + 900 (CSV
    # without ranks): a month's index files are loaded together, in that order.
    written = []
    # The provinces publishing plain CSV come as one national sheet per month (two: with and without
    # ranks), not one per province: fewer files, less per-file overhead in the build.
    for no_rank in (False, True):
        cols = columns if not no_rank else columns.replace(', "Xếp hạng"', "")
        suffix = "khong-xep-hang-" if no_rank else ""

        def month_path(m_idx: int, suffix: str = suffix) -> Path:
            return out_dir / "index" / f"chi-so-766-cac-tinh-{suffix}{months[m_idx][0]}.csv"

        written += [
            (m_idx * 1000 + (900 if no_rank else 0), path)
            for m_idx, path in _write_csv_parts(
                con,
                f"""
            select m_idx as part, {cols} from demo_index_out
            where province_code not in ({xlsx}) and {"" if no_rank else "not "}no_rank
            order by part, province_code, "STT" """,
                month_path,
            )
        ]
    for province in INDEX_XLSX_PROVINCES:
        if province not in provinces:
            continue
        for m_idx in months:
            cur = con.execute(
                f"""select {columns}, no_rank from demo_index_out
                                  where province_code = ? and m_idx = ? order by "STT" """,
                [province, m_idx],
            )
            rows = cur.fetchall()
            if not rows:
                continue
            no_rank = rows[0][-1]
            header = [c for c in INDEX_COLUMNS if not (no_rank and c == "Xếp hạng")]
            rows = [r[: len(header)] for r in rows]
            path = path_of(province * 1000 + m_idx).with_suffix(".xlsx")
            _write_index_xlsx(path, provinces[province][0], months[m_idx], header, rows)
            written.append((m_idx * 1000 + province, path))
    for key, path in sorted(written):
        files[months[key // 1000][0]].append(path)


def _write_index_xlsx(
    path: Path, province_name: str, month: tuple[str, str, dt.date], header: list[str], rows: list[tuple]
) -> None:
    _, period, next_start = month
    wb = _workbook(
        path,
        dt.datetime.combine(next_start + dt.timedelta(days=4), dt.time(10, 0)),
        f"Kết quả Bộ chỉ số 766 {province_name} tháng {period}",
    )
    ws = wb.add_worksheet("Xếp hạng xã")
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
    score = wb.add_format({"num_format": "0.00"})
    ws.write_string(
        0,
        0,
        "KẾT QUẢ ĐÁNH GIÁ CHẤT LƯỢNG PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP TRONG THỰC HIỆN THỦ TỤC "
        "HÀNH CHÍNH, DỊCH VỤ CÔNG (QUYẾT ĐỊNH 766/QĐ-TTg)",
        bold,
    )
    ws.write_string(1, 0, f"Đơn vị: UBND cấp xã, {province_name} — kỳ đánh giá tháng {period}")
    ws.write_row(3, 0, header, head)
    for n, values in enumerate(rows, start=4):
        for col, (name, value) in enumerate(zip(header, values, strict=True)):
            if isinstance(value, str):
                ws.write_string(n, col, value)
            elif name in ("STT", "Xếp hạng"):
                ws.write_number(n, col, int(value))
            else:
                ws.write_number(n, col, float(value), score)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 20)
    ws.set_column(4, 10, 12)
    wb.close()


def _workbook(path: Path, created: dt.datetime, title: str) -> xlsxwriter.Workbook:
    """A workbook whose bytes depend only on its content (fixed creation time, no author)."""
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties({"title": title, "author": "", "created": created})
    return wb
