"""URL filters: parsing, defaults and notices (ui/filters.py, no Streamlit)."""

from __future__ import annotations

from datetime import date

import pytest

from core.periods import month, quarter, year
from ui.filters import Filters, Options, parse, sort_key

OPTIONS = Options(
    provinces={1: "Thành phố Hà Nội", 25: "Phú Thọ"},
    communes={8380: ("Xã Vân Bán", 25), 7900: ("Phường Việt Trì", 25), 10333: ("Xã Đại Xuyên", 1)},
    first_month=date(2025, 7, 1),
    last_month=date(2026, 10, 1),
)


def keys(notices):
    return [n.key for n in notices]


def test_defaults_when_nothing_is_given():
    f, notices = parse({}, OPTIONS)
    assert f == Filters(1, None, month(2026, 10), "vi") and notices == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            {"province": "25", "commune": "8380", "period": "2025-10", "lang": "en"},
            Filters(25, 8380, month(2025, 10), "en"),
        ),
        ({"province": "25", "period": "2025-Q4"}, Filters(25, None, quarter(2025, 4), "vi")),
        ({"province": "25", "period": "2025"}, Filters(25, None, year(2025), "vi")),
        ({"commune": "10333"}, Filters(1, 10333, month(2026, 10), "vi")),  # the commune tells the province
        ({"period": "Quý 3/2026"}, Filters(1, None, quarter(2026, 3), "vi")),  # what stewards type
    ],
)
def test_valid_params(raw, expected):
    f, notices = parse(raw, OPTIONS)
    assert f == expected and notices == []
    assert parse(f.params(), OPTIONS) == (f, [])  # the URL form round-trips


@pytest.mark.parametrize(
    "raw, notice",
    [
        ({"province": "abc"}, "notice_bad_province"),
        ({"province": "99"}, "notice_bad_province"),
        ({"province": "-1"}, "notice_bad_province"),
        ({"commune": "999999"}, "notice_bad_commune"),
        ({"commune": "8380; drop table dim_commune"}, "notice_bad_commune"),
        ({"province": "1", "commune": "8380"}, "notice_commune_not_in_province"),
        ({"period": "2025-13"}, "notice_bad_period"),
        ({"period": "hôm qua"}, "notice_bad_period"),
        ({"period": "2019-01"}, "notice_period_no_data"),
        ({"period": "2027-Q1"}, "notice_period_no_data"),
        ({"lang": "xx"}, "notice_bad_lang"),
    ],
)
def test_bad_params_fall_back_with_a_notice(raw, notice):
    f, notices = parse(raw, OPTIONS)
    assert keys(notices) == [notice]
    assert f.province in OPTIONS.provinces and f.lang in ("vi", "en")
    assert f.period == month(2026, 10) or "period" not in raw
    assert f.commune is None


def test_several_bad_params_give_several_notices():
    f, notices = parse({"province": "abc", "commune": "999999", "period": "2025-13", "lang": "xx"}, OPTIONS)
    assert keys(notices) == [
        "notice_bad_lang",
        "notice_bad_province",
        "notice_bad_commune",
        "notice_bad_period",
    ]
    assert f == Filters(1, None, month(2026, 10), "vi")


def test_empty_warehouse_has_no_period():
    f, notices = parse({"period": "2025-10"}, Options({1: "Hà Nội"}, {}, None, None))
    assert f.period is None and keys(notices) == ["notice_period_no_data"]


def test_communes_sorted_by_name_without_type_or_accents():
    assert OPTIONS.communes_of(25) == [8380, 7900]  # Vân Bán < Việt Trì
    assert sort_key("Phường Đồng Xuân") == "dong xuan"
