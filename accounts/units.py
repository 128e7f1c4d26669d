"""What an account's scope code names: the official unit list (package `vietnam-provinces`, read
through etl/reference.py — the same list the warehouse's dim_province / dim_commune are built
from), so a scope can be checked and shown by name without a warehouse.

    describe("commune", 8380)  -> "Xã Vân Bán, Tỉnh Phú Thọ"
    describe("province", 25)   -> "Tỉnh Phú Thọ"
"""

from __future__ import annotations

import json
from functools import cache

PROVINCE_CODES = range(1, 97)  # two-digit province codes of the official list (1..96)


@cache
def _provinces() -> dict[int, str]:
    from core.reference import province_frame

    df = province_frame()
    return {
        int(code): (f"Tỉnh {name}" if kind == "tỉnh" else name)
        for code, name, kind in zip(df["province_code"], df["name"], df["division_type"], strict=True)
    }


@cache
def _communes() -> dict[int, tuple[str, int]]:
    from core.reference import commune_frame

    df = commune_frame()
    return {
        int(code): (name, int(province))
        for code, name, province in zip(df["commune_code"], df["name"], df["province_code"], strict=True)
    }


def province_name(code: int) -> str | None:
    return _provinces().get(code)


def commune_name(code: int) -> str | None:
    """'Xã Vân Bán, Tỉnh Phú Thọ' for 8380; None for a code that is not a commune."""
    unit = _communes().get(code)
    return None if unit is None else f"{unit[0]}, {_provinces().get(unit[1], unit[1])}"


def scope_kind(role: str) -> str | None:
    """'province', 'commune' or None (national: no scope)."""
    return None if role == "national" else "commune" if role == "commune" else "province"


def describe(role: str, scope: int | None) -> str | None:
    """The unit `scope` names for `role`; None when the code is not such a unit."""
    kind = scope_kind(role)
    if kind is None:
        return "toàn quốc / national" if scope is None else None
    if type(scope) is not int:
        return None
    return province_name(scope) if kind == "province" else commune_name(scope)


def scope_problem(role: str, scope) -> tuple[str, str] | None:
    """None when `scope` is right for `role`; else (English, Vietnamese) saying what is expected.
    Strict: a boolean is not a code (Python's True == 1), a float or a string is not either."""
    kind = scope_kind(role)
    if kind is None:
        if scope is None:
            return None
        return ("role national takes no scope (remove it)", "vai trò national không có phạm vi (bỏ scope)")
    what_en = "a province code (integer 1-96)" if kind == "province" else "a commune code (integer)"
    what_vi = "mã tỉnh (số nguyên 1-96)" if kind == "province" else "mã xã (số nguyên)"
    if scope is None:
        return (f"role {role} needs a scope: {what_en}", f"vai trò {role} cần phạm vi: {what_vi}")
    if type(scope) is not int:
        en, vi = type_name(scope)
        shown = toml_repr(scope)
        return (f"{shown} is {en}, not {what_en}", f"{shown} là {vi}, không phải {what_vi}")
    if kind == "province" and scope not in PROVINCE_CODES:
        return (f"{scope} is out of range for {what_en}", f"{scope} nằm ngoài khoảng của {what_vi}")
    if describe(role, scope) is None:
        return (
            f"{scope} is not {'a province' if kind == 'province' else 'a commune'} of the official list "
            f"- expected {what_en}",
            f"{scope} không phải {'tỉnh' if kind == 'province' else 'xã'} nào trong danh mục chính thức "
            f"- cần {what_vi}",
        )
    return None


def also_a_province(role: str, scope) -> str | None:
    """For a commune account whose code is also a province code (e.g. 25: Phường Giảng Võ, Hà Nội,
    and Tỉnh Phú Thọ): the province it could be mistaken for."""
    if role != "commune" or type(scope) is not int:
        return None
    return province_name(scope)


_TYPE_NAMES = [
    (bool, "a boolean", "giá trị đúng/sai"),
    (int, "an integer", "số nguyên"),
    (float, "a decimal number", "số thập phân"),
    (str, "a string", "chuỗi"),
    (dict, "a table", "bảng"),
    (list, "an array", "mảng"),
]


def toml_repr(value) -> str:
    """A value as it is written in the file: true, 25.0, "25"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def type_name(value) -> tuple[str, str]:
    """What a TOML value is, in English and Vietnamese ('a boolean', 'giá trị đúng/sai')."""
    for kind, en, vi in _TYPE_NAMES:
        if isinstance(value, kind):
            return en, vi
    return f"a {type(value).__name__}", type(value).__name__
