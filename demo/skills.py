"""Demo source files for the digital-skills sources (Bình dân học vụ số), loaded like any other file.

`build_skills_demo(out_dir, communes, months, seed)` writes, under `out_dir`:

* ``population/dan-so-2025.csv``: population, adults and villages per commune, one file per year of
  the months;
* ``digital_teams/to-cnscd-dang-ky.csv``: the register of community digital teams (one row per
  village with a team, members, date established; one national file keeps the demo's load fast);
  Lào Cai (15) reports counts per commune instead, as an Excel sheet with title rows
  (``digital_teams/to-cnscd-15-lao-cai.xlsx``: teams and members at the end of the first month and
  of every quarter);
* ``training/tap-huan-2025-Q4.csv``: the quarter's training sessions, one row per session and audience;
* ``vneid/vneid-chung-nhan-2025-Q4.csv``: level-2 VNeID accounts and certified adults per commune and
  month of the quarter, cumulative at each month's end (a few commune-months missing);

and returns them in load order (population first, so that team counts can be compared with
villages).  Reports are quarterly (a quarter cut by the months range holds only its months in
range) so that the demo adds few files to load.  Everything is generated in DuckDB SQL (`demo/sql/skills.sql`) from hash-based draws
of (seed, commune, ...): the same arguments give byte-identical files.

The facts of the source article (the README's "What the demo shows") it tells:
* Xã Vân Bán (Phú Thọ, 8380): 16,012 people in 2025; its teams include villages Đồng Rào, Dùng,
  Gò Chàm and Nương Sơn; training sessions there from 23/09 to 07/10/2025;
* Xã Bảo Hà (Lào Cai, 2989): 72 community digital teams (counts from 30/09/2025 on), intensive
  training on VNeID password recovery and online residence registration;
* Xã Đại Xuyên (Hà Nội, 10333): 46 teams (one per village, all established by 10/09/2025), trained
  on 15 and 16/09/2025 (iHanoi, VNeID, eTax Mobile);
* Phường Mộc Sơn (Sơn La, 3979): a conference on 04/10/2025 (health insurance on VNeID, VNeID
  activation, deepfake and fraud prevention), for officials and residents (two rows, one session).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

from demo.tables import SQL_DIR, create_tables

SQL_FILE = SQL_DIR / "skills.sql"
SUBFOLDERS = ("population", "digital_teams", "training", "vneid")
TREND_START = (2025, 7)  # the two-tier local government's first month
COUNT_PROVINCES = (15,)  # Lào Cai reports team counts per commune, not a register

VAN_BAN, BAO_HA, DAI_XUYEN, MOC_SON = 8380, 2989, 10333, 3979
VAN_BAN_VILLAGES = ["Đồng Rào", "Dùng", "Gò Chàm", "Nương Sơn"]

# Pinned traits: population (first year), villages, adult share, team coverage, share of adults
# certified at the trend's end, all teams established by, pinned team count from a date (counts only).
SPECIAL = pd.DataFrame(
    [
        (VAN_BAN, 16012, 24, 0.72, 1.0, 0.78, dt.date(2025, 8, 31), None, None, None),
        (BAO_HA, 25400, 72, 0.70, 1.0, 0.70, None, 72, dt.date(2025, 9, 30), 64),
        (DAI_XUYEN, 31800, 46, 0.71, 1.0, 0.74, dt.date(2025, 9, 10), None, None, None),
        (MOC_SON, 21500, 19, 0.73, 0.95, 0.66, None, None, None, None),
    ],
    columns=[
        "commune_code",
        "population",
        "villages",
        "adult_share",
        "team_coverage",
        "certified_end",
        "teams_by",
        "teams",
        "teams_from",
        "teams_before",
    ],
)

VAN_BAN_TOPIC = "Hướng dẫn kích hoạt VNeID mức 2 và nộp hồ sơ dịch vụ công trực tuyến tại thôn"
SESSION_FACTS = pd.DataFrame(
    [
        (
            VAN_BAN,
            dt.date(2025, 9, 23),
            VAN_BAN_TOPIC,
            "residents",
            86,
            "UBND xã Vân Bán",
            "Nhà văn hóa thôn Đồng Rào",
        ),
        (
            VAN_BAN,
            dt.date(2025, 9, 26),
            VAN_BAN_TOPIC,
            "residents",
            72,
            "UBND xã Vân Bán",
            "Nhà văn hóa thôn Dùng",
        ),
        (
            VAN_BAN,
            dt.date(2025, 9, 30),
            "Kỹ năng số cho tổ công nghệ số cộng đồng xã Vân Bán",
            "residents",
            104,
            "UBND xã Vân Bán",
            "Hội trường UBND xã Vân Bán",
        ),
        (
            VAN_BAN,
            dt.date(2025, 10, 3),
            VAN_BAN_TOPIC,
            "residents",
            91,
            "UBND xã Vân Bán",
            "Nhà văn hóa thôn Gò Chàm",
        ),
        (
            VAN_BAN,
            dt.date(2025, 10, 7),
            VAN_BAN_TOPIC,
            "residents",
            64,
            "UBND xã Vân Bán",
            "Nhà văn hóa thôn Nương Sơn",
        ),
        (
            BAO_HA,
            dt.date(2025, 10, 8),
            "Tập huấn chuyên sâu cho 72 tổ công nghệ số cộng đồng: khôi phục mật khẩu VNeID, "
            "đăng ký cư trú trực tuyến",
            "residents",
            216,
            "UBND xã Bảo Hà",
            "Hội trường UBND xã Bảo Hà",
        ),
        (
            DAI_XUYEN,
            dt.date(2025, 9, 15),
            "Tập huấn cho 46 tổ công nghệ số cộng đồng: iHanoi, VNeID, eTax Mobile",
            "residents",
            124,
            "UBND xã Đại Xuyên",
            "Hội trường UBND xã Đại Xuyên",
        ),
        (
            DAI_XUYEN,
            dt.date(2025, 9, 16),
            "Tập huấn cho 46 tổ công nghệ số cộng đồng: iHanoi, VNeID, eTax Mobile",
            "residents",
            118,
            "UBND xã Đại Xuyên",
            "Hội trường UBND xã Đại Xuyên",
        ),
        (
            MOC_SON,
            dt.date(2025, 10, 4),
            "Hội nghị tuyên truyền: bảo hiểm y tế trên VNeID, kích hoạt VNeID, phòng chống "
            "lừa đảo và deepfake",
            "officials",
            46,
            "UBND phường Mộc Sơn",
            "Hội trường UBND phường Mộc Sơn",
        ),
        (
            MOC_SON,
            dt.date(2025, 10, 4),
            "Hội nghị tuyên truyền: bảo hiểm y tế trên VNeID, kích hoạt VNeID, phòng chống "
            "lừa đảo và deepfake",
            "residents",
            182,
            "UBND phường Mộc Sơn",
            "Hội trường UBND phường Mộc Sơn",
        ),
    ],
    columns=["commune_code", "training_on", "topic", "audience", "participants", "organiser", "location"],
)

# Generic topics: (topic, main audience, organiser kind).
TOPICS = [
    ("Hướng dẫn cài đặt và kích hoạt tài khoản định danh điện tử VNeID mức 2", "residents", "police"),
    ("Hướng dẫn nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia", "residents", "ubnd"),
    ("Nhận diện và phòng chống lừa đảo trực tuyến", "residents", "police"),
    ("Thanh toán không dùng tiền mặt, ví điện tử", "residents", "telecom"),
    ("Sử dụng thẻ bảo hiểm y tế, sổ sức khỏe điện tử trên VNeID", "residents", "ubnd"),
    ("Học tập và thi cấp chứng nhận trên nền tảng Bình dân học vụ số", "residents", "youth"),
    ("Kỹ năng số cho hội viên phụ nữ", "residents", "women"),
    ("Kỹ năng số cho tổ công nghệ số cộng đồng", "residents", "ubnd"),
    ("Ký số và xử lý văn bản điện tử", "officials", "ubnd"),
    ("Khai thác dữ liệu dân cư phục vụ giải quyết thủ tục hành chính", "officials", "police"),
    ("An toàn thông tin khi sử dụng mạng xã hội", "pupils", "school"),
    ("Bán hàng trên sàn thương mại điện tử", "businesses", "telecom"),
]

AUDIENCE_VI = {
    "officials": "Cán bộ, công chức",
    "residents": "Người dân",
    "pupils": "Học sinh",
    "businesses": "Hộ kinh doanh",
}
POPULATION_COLUMNS = [
    "Mã xã",
    "Tên xã",
    "Tỉnh",
    "Năm",
    "Dân số",
    "Số người trưởng thành",
    "Số thôn, tổ dân phố",
]
TEAM_COLUMNS = ["Mã xã", "Tên xã", "Tỉnh", "Thôn, tổ dân phố", "Tên tổ", "Số thành viên", "Ngày thành lập"]
TEAM_COUNT_COLUMNS = [
    "STT",
    "Tên xã",
    "Tỉnh",
    "Số tổ công nghệ số cộng đồng",
    "Số thành viên",
    "Ngày báo cáo",
]
TRAINING_COLUMNS = [
    "Mã xã",
    "Tên xã",
    "Tỉnh",
    "Ngày tập huấn",
    "Nội dung",
    "Đối tượng",
    "Số người tham dự",
    "Đơn vị tổ chức",
    "Địa điểm",
]
VNEID_COLUMNS = [
    "Mã xã",
    "Tên xã",
    "Tỉnh",
    "Tháng",
    "Số tài khoản VNeID mức 2",
    "Số người được cấp chứng nhận",
]


def build_skills_demo(
    out_dir: Path, communes: list[int] | None, months: tuple[str, str], seed: int
) -> list[Path]:
    """Write the four kinds of digital-skills source files under `out_dir` (replacing an earlier demo's
    files in its population/, digital_teams/, training/ and vneid/ folders); returns them in load order."""
    out_dir = Path(out_dir)
    for sub in SUBFOLDERS:
        shutil.rmtree(out_dir / sub, ignore_errors=True)
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    month_frame = _months(*months)
    con = duckdb.connect()
    try:
        _setup(con, _communes(communes), month_frame, int(seed))
        con.execute(SQL_FILE.read_text(encoding="utf-8"))
        paths = _write_population(con, out_dir)
        paths += _write_teams(con, out_dir)
        quarters = con.execute("""
            select year(month_start) || '-Q' || quarter(month_start) as q, min(m_idx), max(m_idx)
            from sk_month group by all order by 2""").fetchall()
        for label, first, last in quarters:
            paths += _write_quarter(con, out_dir, label, first, last)
    finally:
        con.close()
    return paths


# --- inputs ----------------------------------------------------------------------------------------


def _months(first: str, last: str) -> pd.DataFrame:
    y, m = (int(x) for x in first.split("-"))
    y_last, m_last = (int(x) for x in last.split("-"))
    if (y, m) > (y_last, m_last):
        raise ValueError(f"demo months: {first} is after {last}")
    rows = []
    while (y, m) <= (y_last, m_last):
        start = dt.date(y, m, 1)
        next_start = dt.date(y + (m == 12), m % 12 + 1, 1)
        rows.append(
            {
                "m_idx": len(rows),
                "ym": y * 100 + m,
                "label": f"{y:04d}-{m:02d}",
                "period": f"{m:02d}/{y:04d}",
                "month_start": start,
                "next_start": next_start,
                "days": (next_start - start).days,
                "trend_months": max(0, (y - TREND_START[0]) * 12 + m - TREND_START[1]),
            }
        )
        y, m = (y + (m == 12), m % 12 + 1)
    return pd.DataFrame(rows)


def _communes(codes: list[int] | None) -> pd.DataFrame:
    from core.reference import commune_frame, province_frame

    provinces = province_frame()[["province_code", "name", "codename"]].rename(
        columns={"name": "province_name", "codename": "province_slug"}
    )
    frame = commune_frame()[["commune_code", "name", "division_type", "province_code"]].merge(
        provinces, on="province_code"
    )
    frame["province_slug"] = frame["province_slug"].str.replace("_", "-")
    if codes is not None:
        wanted = {int(c) for c in codes}
        unknown = wanted - set(frame["commune_code"])
        if unknown:
            raise ValueError(f"demo communes: unknown commune codes {sorted(unknown)}")
        frame = frame[frame["commune_code"].isin(wanted)]
    return frame.sort_values("commune_code").reset_index(drop=True)


def _setup(con: duckdb.DuckDBPyConnection, communes: pd.DataFrame, months: pd.DataFrame, seed: int) -> None:
    con.execute(f"""
        -- (seed, a, b, c) mixed one value at a time, then a salt: a uniform number in [0, 1)
        create macro sk_key(a, b, c) as
            hash(xor(hash(xor(hash(xor(hash(cast({seed} as ubigint)), cast(a as ubigint))),
                              cast(b as ubigint))), cast(c as ubigint)));
        create macro sk_u(a, b, c, salt) as
            cast(hash(xor(sk_key(a, b, c), cast(salt as ubigint))) >> 11 as double) / 9007199254740992.0;
        create macro sk_clamp(x, lo, hi) as least(hi, greatest(lo, x));
    """)
    years = sorted({d.year for d in months["month_start"]})
    villages = [(VAN_BAN, i + 1, f"Thôn {name}") for i, name in enumerate(VAN_BAN_VILLAGES)]
    frames = {
        "sk_commune": communes,
        "sk_month": months,
        "sk_year": pd.DataFrame({"year": years}),
        "sk_special": SPECIAL,
        "sk_session_fact": SESSION_FACTS,
        "sk_topic": pd.DataFrame(
            [(i, *t) for i, t in enumerate(TOPICS)],
            columns=["topic_no", "topic", "audience", "organiser_kind"],
        ),
        "sk_village_name": pd.DataFrame(villages, columns=["commune_code", "village_no", "village"]),
        "sk_count_province": pd.DataFrame({"province_code": list(COUNT_PROVINCES)}),
    }
    create_tables(con, frames)
    con.execute("""
        alter table sk_month alter month_start type date;
        alter table sk_month alter next_start type date;
        alter table sk_special alter teams_by type date;
        alter table sk_special alter teams_from type date;
        alter table sk_special alter teams type integer;
        alter table sk_special alter teams_before type integer;
        alter table sk_session_fact alter training_on type date;
    """)


# --- writers -----------------------------------------------------------------------------------------


def _copy_csv(con: duckdb.DuckDBPyConnection, select: str, path: Path, params: list | None = None) -> Path:
    """Write a query's rows as UTF-8 CSV with a header (order as the query says)."""
    rel = con.sql(select, params=params or [])
    rel.write_csv(str(path), header=True, sep=",")
    return path


def _write_population(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    paths = []
    for (year,) in con.execute("select year from sk_year order by year").fetchall():
        paths.append(
            _copy_csv(
                con,
                f"""
            select p.commune_code as "Mã xã", t.name as "Tên xã", t.province_name as "Tỉnh", p.year as "Năm",
                p.population as "Dân số", p.adults as "Số người trưởng thành",
                p.villages as "Số thôn, tổ dân phố"
            from sk_population p join sk_trait t using (commune_code)
            where p.year = {int(year)} order by p.province_code, p.commune_code""",
                out_dir / "population" / f"dan-so-{year}.csv",
            )
        )
    return paths


def _write_teams(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """The national register of teams (one file), then each counting province's sheet of counts."""
    paths = []
    if con.execute("select count(*) from sk_team").fetchall()[0][0]:
        count_provinces = ", ".join(str(p) for p in COUNT_PROVINCES)
        paths.append(
            _copy_csv(
                con,
                f"""
            select t.commune_code as "Mã xã", c.name as "Tên xã", c.province_name as "Tỉnh",
                t.village as "Thôn, tổ dân phố", 'Tổ công nghệ số cộng đồng ' || t.village as "Tên tổ",
                t.members as "Số thành viên", strftime(t.established_on, '%d/%m/%Y') as "Ngày thành lập"
            from sk_team t join sk_trait c using (commune_code)
            where t.province_code not in ({count_provinces}) order by t.province_code, t.commune_code, t.village_no""",
                out_dir / "digital_teams" / "to-cnscd-dang-ky.csv",
            )
        )
    provinces = con.execute("""select distinct province_code, province_name, province_slug from sk_trait
                               order by province_code""").fetchall()
    for province, province_name, slug in provinces:
        if province in COUNT_PROVINCES:
            path = _write_team_counts(con, out_dir, province, province_name, slug)
            if path is not None:
                paths.append(path)
    return paths


def _write_team_counts(
    con: duckdb.DuckDBPyConnection, out_dir: Path, province: int, province_name: str, slug: str
) -> Path | None:
    rows = con.execute(
        """
        select c.name, c.province_name, t.teams, t.members, t.as_of
        from sk_team_count t join sk_trait c using (commune_code)
        where t.province_code = ? order by t.as_of, t.commune_code""",
        [province],
    ).fetchall()
    if not rows:
        return None
    path = out_dir / "digital_teams" / f"to-cnscd-{province:02d}-{slug}.xlsx"
    last = max(r[4] for r in rows)
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties(
        {
            "title": f"Tổ công nghệ số cộng đồng {province_name}",
            "author": "",
            "created": dt.datetime.combine(last, dt.time(9, 0)),
        }
    )
    ws = wb.add_worksheet("Tổ CNSCĐ")
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True})
    ws.write_string(0, 0, f"SỞ KHOA HỌC VÀ CÔNG NGHỆ {province_name.upper()}", bold)
    ws.write_string(1, 0, "TỔNG HỢP TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG CẤP XÃ", bold)
    ws.write_row(3, 0, TEAM_COUNT_COLUMNS, head)
    for n, (name, prov, teams, members, as_of) in enumerate(rows, start=1):
        row = 3 + n
        ws.write_number(row, 0, n)
        ws.write_string(row, 1, name)
        ws.write_string(row, 2, prov)
        ws.write_number(row, 3, teams)
        ws.write_number(row, 4, members)
        ws.write_string(row, 5, as_of.strftime("%d/%m/%Y"))
    ws.set_column(1, 2, 22)
    ws.set_column(3, 5, 16)
    wb.close()
    return path


def _write_quarter(
    con: duckdb.DuckDBPyConnection, out_dir: Path, label: str, first: int, last: int
) -> list[Path]:
    """The quarter's training sessions and its months' VNeID figures (quarterly reports keep the demo's
    file count, and so its load time, small)."""
    audience = " ".join(f"when '{code}' then '{text}'" for code, text in AUDIENCE_VI.items())
    paths = []
    start = con.execute("select month_start from sk_month where m_idx = ?", [first]).fetchall()[0][0]
    end = con.execute("select next_start from sk_month where m_idx = ?", [last]).fetchall()[0][0]
    if con.execute(
        "select count(*) from sk_session where training_on >= ? and training_on < ?", [start, end]
    ).fetchall()[0][0]:
        paths.append(
            _copy_csv(
                con,
                f"""
            select s.commune_code as "Mã xã", c.name as "Tên xã", c.province_name as "Tỉnh",
                strftime(s.training_on, '%d/%m/%Y') as "Ngày tập huấn", s.topic as "Nội dung",
                case s.audience {audience} end as "Đối tượng", s.participants as "Số người tham dự",
                s.organiser as "Đơn vị tổ chức", s.location as "Địa điểm"
            from sk_session s join sk_trait c using (commune_code)
            where s.training_on >= date '{start}' and s.training_on < date '{end}'
            order by s.training_on, s.province_code, s.commune_code, s.topic, s.audience""",
                out_dir / "training" / f"tap-huan-{label}.csv",
            )
        )
    if con.execute("select count(*) from sk_vneid where m_idx between ? and ?", [first, last]).fetchall()[0][
        0
    ]:
        paths.append(
            _copy_csv(
                con,
                f"""
            select v.commune_code as "Mã xã", c.name as "Tên xã", c.province_name as "Tỉnh", v.period as "Tháng",
                v.vneid_level2_active as "Số tài khoản VNeID mức 2",
                v.adults_certified as "Số người được cấp chứng nhận"
            from sk_vneid v join sk_trait c using (commune_code)
            where v.m_idx between {int(first)} and {int(last)} order by v.m_idx, v.province_code, v.commune_code""",
                out_dir / "vneid" / f"vneid-chung-nhan-{label}.csv",
            )
        )
    return paths
