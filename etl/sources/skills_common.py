"""What the four digital-skills sources share (population, digital_teams, training, vneid).

Count, year and month rules with messages that say what to fix; the SQL that turns a village or
audience as typed into the key the warehouse compares.  Each source module stays the shape of
etl/sources/signatures/: map headers, parse in SQL, resolve communes, mark duplicates, apply
rules, hand the valid rows to the loader as one `Output` (`finish`).
"""

from __future__ import annotations

import re
import unicodedata

import duckdb

from etl.sources import common as C

# 'Năm 2025', '2025', '2025.0' -> 2025; anything else -> NULL (rejected by the year rules).
PARSE_YEAR = """try_cast(regexp_extract(
    regexp_replace(lower(strip_accents(replace(replace(raw_year, 'Đ', 'D'), 'đ', 'd'))), '\\s+', ' ', 'g'),
    '^(?:nam |year )?(\\d{4})(?:\\.0+)?$', 1) as integer)"""

# The four accepted audiences of a training session, from the words stewards type (accent-, case- and
# punctuation-insensitive, whole value).  Anything else is refused, never guessed.
AUDIENCES = {
    "officials": [
        "can bo",
        "cong chuc",
        "vien chuc",
        "can bo cong chuc",
        "can bo cong chuc vien chuc",
        "cbccvc",
        "cb cc vc",
        "cbcc",
        "official",
        "officials",
        "civil servants",
    ],
    "residents": [
        "nguoi dan",
        "nhan dan",
        "cong dan",
        "dan cu",
        "ho dan",
        "resident",
        "residents",
        "citizens",
        "people",
    ],
    "pupils": [
        "hoc sinh",
        "sinh vien",
        "hoc sinh sinh vien",
        "hoc sinh, sinh vien",
        "pupil",
        "pupils",
        "students",
    ],
    "businesses": [
        "doanh nghiep",
        "ho kinh doanh",
        "doanh nghiep ho kinh doanh",
        "tieu thuong",
        "business",
        "businesses",
    ],
}
AUDIENCE_LABELS_VI = "Cán bộ/công chức, Người dân, Học sinh/sinh viên, Doanh nghiệp/hộ kinh doanh"
AUDIENCE_LABELS_EN = "officials, residents, pupils/students, businesses"


def plain_sql(expr: str) -> str:
    """SQL: lower case, no accents (đ -> d), punctuation to single spaces, trimmed."""
    return (
        f"trim(regexp_replace(lower(strip_accents(replace(replace({expr}, 'Đ', 'D'), 'đ', 'd'))), "
        f"'[^a-z0-9]+', ' ', 'g'))"
    )


def audience_sql(plain: str) -> str:
    """SQL: the audience code of a cell already passed through `plain_sql`, or 'invalid' (NULL stays NULL)."""
    whens = " ".join(
        f"when {plain} in ({', '.join(repr(_plain(v)) for v in words)}) then '{code}'"
        for code, words in AUDIENCES.items()
    )
    return f"case when {plain} is null then null {whens} else 'invalid' end"


def _plain(text: str) -> str:
    s = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


# Villages and residential groups as typed: "Thôn Đồng Rào", "thôn  Đồng Rào", "Đồng Rào" are the same
# village; "Thôn 1" and "Tổ dân phố 1" are not (a unit word is only dropped before a name, never
# before a number).  Diacritics are kept: Dùng and Dũng are two villages.
VILLAGE_PREFIX = (
    "(thôn|tổ dân phố|tdp|bản|xóm|ấp|khu phố|khu dân cư|khu|tổ|làng|buôn|plei|sóc|khối|khóm|phum|đội)"
)


def village_key_sql(raw: str) -> str:
    norm = f"trim(regexp_replace(lower({raw}), '\\s+', ' ', 'g'))"
    return (
        f"case when regexp_matches({norm}, '^{VILLAGE_PREFIX}\\s+[^0-9]') "
        f"then regexp_replace({norm}, '^{VILLAGE_PREFIX}\\s+', '') else {norm} end"
    )


def text_sql(raw: str) -> str:
    """SQL: free text with runs of spaces collapsed (topics, names); the regex only runs on the few
    values that need it (cells arrive trimmed from etl.readers)."""
    return (
        f"case when contains({raw}, '  ') or contains({raw}, chr(9)) or contains({raw}, chr(10)) "
        f"or contains({raw}, chr(13)) then nullif(trim(regexp_replace({raw}, '\\s+', ' ', 'g')), '') "
        f"else {raw} end"
    )


def year_rules() -> list[C.Rule]:
    return [
        C.Rule(
            "bad_year",
            "year",
            "year is null",
            "raw_year",
            "format('năm \"{}\" không đọc được — dùng dạng yyyy, ví dụ 2025.', coalesce(raw_year, ''))",
            "format('year \"{}\" is not a year — use yyyy, e.g. 2025.', coalesce(raw_year, ''))",
        ),
        C.Rule(
            "year_out_of_range",
            "year",
            "year < 2015 or year > year(current_date)",
            "raw_year",
            "format('năm {} nằm ngoài khoảng 2015 đến năm nay — sửa năm.', year)",
            "format('year {} is outside 2015 to this year — fix the year.', year)",
        ),
    ]


def required_date_rule(column: str, label_vi: str, label_en: str) -> C.Rule:
    raw = f"raw_{column}"
    return C.Rule(
        f"missing_{column}",
        column,
        f"{raw} is null",
        "''",
        f"'thiếu {label_vi} — điền ngày dạng dd/mm/yyyy.'",
        f"'no {label_en} — fill in the date as dd/mm/yyyy.'",
    )


def month_sql() -> str:
    return f"cast({C.PARSE_MONTH} as date)"


def add_key(con: duckdb.DuckDBPyConnection, staged: str, expr: str, name: str = "dup_key") -> None:
    """Adds the in-file duplicate key (NULL while a part of it is unknown) and marks repeats."""
    con.execute(f"alter table {staged} add column {name} varchar; update {staged} set {name} = {expr}")
    C.mark_duplicates(con, staged, name)


def finish(
    kind: str,
    con: duckdb.DuckDBPyConnection,
    staged: str,
    rules: list[C.Rule],
    header_text: dict[str, str],
    file_name: str,
    select: str,
    target: str,
    keys: list[str],
    notes: list[str] | None = None,
) -> C.Staged:
    """Apply the rules; the rows no rule refuses become the one output (`select` over the staged row)."""
    rejects, rejected, reasons = C.apply_rules(con, staged, rules, header_text, file_name)
    valid = C.temp_name(f"valid_{kind}")
    con.execute(f"""
        create temp table {valid} as
        select {select}, source_row from {staged} s
        where not exists (select 1 from {rejects} r where r.source_row = s.source_row)
    """)
    rows_read = con.execute(f"select count(*) from {staged}").fetchall()[0][0]
    return C.Staged(
        kind, [C.Output(valid, target, keys, True)], rejects, rows_read, rejected, reasons, list(notes or [])
    )


# Shared with the signature sheets; defined once in etl.sources.common.
count_rules = C.count_rules
month_rules = C.month_rules
