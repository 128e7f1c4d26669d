"""Tests for core.reference: the official unit list and wild-name matching."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from core.reference import Match, UnitMatcher, commune_frame, matcher, normalize_name, province_frame

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "portal-766-phu-tho-2026-08-tien-do.json"

VAN_BAN_PT = 8380  # Xã Vân Bán, Phú Thọ (25)
VAN_BAN_LC = 3082  # Xã Văn Bàn, Lào Cai (15)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _bare(name: str) -> str:
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    raise AssertionError(name)


def _portal_children() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["data"]["children"]


# ---- reference frames ----------------------------------------------------------------------


def test_province_frame_shape_and_counts():
    df = province_frame()
    assert list(df.columns) == ["province_code", "name", "division_type", "codename", "phone_code"]
    assert len(df) == 34
    assert df["province_code"].is_unique and df["province_code"].is_monotonic_increasing
    assert str(df["province_code"].dtype) == "int64"
    assert set(df["division_type"]) == {"tỉnh", "thành phố trung ương"}
    assert df.set_index("province_code").loc[25, "name"] == "Phú Thọ"
    assert df.set_index("province_code").loc[1, "name"] == "Thành phố Hà Nội"


def test_commune_frame_shape_and_counts():
    df = commune_frame()
    assert list(df.columns) == ["commune_code", "name", "division_type", "codename", "province_code"]
    assert len(df) == 3321
    assert df["commune_code"].is_unique and df["commune_code"].is_monotonic_increasing
    assert str(df["commune_code"].dtype) == "int64" and str(df["province_code"].dtype) == "int64"
    assert Counter(df["division_type"]) == {"xã": 2621, "phường": 687, "đặc khu": 13}
    per_province = df["province_code"].value_counts()
    assert per_province[1] == 126
    assert per_province[25] == 148
    assert set(df["province_code"]) == set(province_frame()["province_code"])


@pytest.mark.parametrize(
    ("code", "name", "province"),
    [
        (10333, "Xã Đại Xuyên", 1),
        (3979, "Phường Mộc Sơn", 14),
        (2989, "Xã Bảo Hà", 15),
        (3082, "Xã Văn Bàn", 15),
        (8380, "Xã Vân Bán", 25),
    ],
)
def test_known_communes(code, name, province):
    row = commune_frame().set_index("commune_code").loc[code]
    assert (row["name"], row["province_code"]) == (name, province)


def test_frames_are_copies():
    df = commune_frame()
    df.loc[0, "name"] = "changed"
    assert commune_frame().loc[0, "name"] != "changed"


# ---- normalize_name ------------------------------------------------------------------------


def test_normalize_name():
    assert normalize_name("  Xã  VÂN   Bán ") == "xa van ban"
    assert normalize_name(_nfd("Xã Vân Bán")) == "xa van ban"
    assert normalize_name("Đặc khu Phú Quốc") == "dac khu phu quoc"
    assert normalize_name("Xã Ea H’leo") == normalize_name("xa ea h'leo") == "xa ea hleo"
    assert normalize_name("") == ""


# ---- match_province ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (25, 25),
        ("25", 25),
        ("025", 25),
        ("Phú Thọ", 25),
        ("Tỉnh Phú Thọ", 25),
        ("tinh phu tho", 25),
        ("UBND tỉnh Phú Thọ", 25),
        (_nfd("Tỉnh Phú Thọ"), 25),
        ("TP Hà Nội", 1),
        ("Thành phố Hà Nội", 1),
        ("Ha Noi", 1),
        ("HCM", 79),
        ("TP.HCM", 79),
        ("TP. Hồ Chí Minh", 79),
        ("Hồ Chí Minh", 79),
        ("Thanh Hoá", 38),
        ("Lào Cai", 15),
    ],
)
def test_match_province(value, code):
    assert matcher().match_province(value) == Match("matched", code)


@pytest.mark.parametrize("value", [None, "", 99, "99", "Atlantis", True, "Tịnh Phú Thọ"])
def test_match_province_unknown(value):
    assert matcher().match_province(value).status == "unknown"


# ---- match_commune: variants ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "UBND xã Vân Bán",
        "Ủy ban nhân dân xã Vân Bán",
        "Uỷ ban nhân dân xã Vân Bán",
        "UỶ BAN NHÂN DÂN XÃ VÂN BÁN",
        "Xã Vân Bán",
        "VÂN BÁN",
        "Vân Bán",
        "van ban",
        "VAN BAN",
        "  Xã   Vân  Bán  ",
        "X. Vân Bán",
        "X.Vân Bán",
        _nfd("UBND xã Vân Bán"),
        _nfd("Vân Bán"),
    ],
)
def test_commune_variants_with_province(name):
    for province in (25, "25", "Phú Thọ", "Tỉnh Phú Thọ"):
        assert matcher().match_commune(name, province) == Match("matched", VAN_BAN_PT)


def test_commune_province_suffix_in_text():
    m = matcher()
    lam_thao = m.match_commune("Lâm Thao", 25)
    assert lam_thao.status == "matched"
    for text in (
        "UBND xã Lâm Thao - Tỉnh Phú Thọ",
        "UBND xã Lâm Thao - tỉnh Phú Thọ",
        "Xã Lâm Thao, tỉnh Phú Thọ",
        "Xã Lâm Thao – Phú Thọ",
        "Xã Lâm Thao (Phú Thọ)",
        "xa lam thao tinh phu tho",
    ):
        assert m.match_commune(text) == lam_thao, text
    assert m.match_commune("UBND xã Đại Xuyên - TP Hà Nội") == Match("matched", 10333)
    assert m.match_commune("Xã Đại Xuyên - Thành phố Hà Nội") == Match("matched", 10333)
    # Same province given explicitly: fine; a contradicting one: refuse.
    assert m.match_commune("UBND xã Lâm Thao - Tỉnh Phú Thọ", 25) == lam_thao
    assert m.match_commune("UBND xã Lâm Thao - Tỉnh Phú Thọ", "Lào Cai").status == "unknown"


def test_hyphenated_official_names_are_not_split():
    assert matcher().match_commune("Phường Văn Miếu - Quốc Tử Giám", 1).status == "matched"
    assert matcher().match_commune("Phường Xuân Hương - Đà Lạt").status == "matched"


def test_phuong_and_dac_khu():
    m = matcher()
    viet_tri = m.match_commune("Phường Việt Trì", 25)
    assert viet_tri.status == "matched"
    assert commune_frame().set_index("commune_code").loc[viet_tri.code, "name"] == "Phường Việt Trì"
    for text in (
        "UBND Phường Việt Trì",
        "UBND phường Việt Trì",
        "P. Việt Trì",
        "viet tri",
        "PHƯỜNG VIỆT TRÌ",
    ):
        assert m.match_commune(text) == viet_tri, text
    phu_quoc = m.match_commune("Đặc khu Phú Quốc")
    assert phu_quoc.status == "matched"
    row = commune_frame().set_index("commune_code").loc[phu_quoc.code]
    assert (row["name"], row["division_type"]) == ("Đặc khu Phú Quốc", "đặc khu")
    assert m.match_commune("dac khu phu quoc") == phu_quoc
    assert m.match_commune("Mộc Sơn") == Match("matched", 3979)
    assert m.match_commune("UBND Phường Mộc Sơn - Tỉnh Sơn La") == Match("matched", 3979)


def test_division_type_narrows_candidates():
    """A bare name that is a phường in one place and a xã elsewhere: the type decides."""
    df = commune_frame()
    df["bare"] = df["name"].map(_bare)
    by_bare = df.groupby("bare")["division_type"].agg(list)
    bare = next(b for b, types in by_bare.items() if types.count("phường") == 1 and "xã" in types)
    code = int(df[(df["bare"] == bare) & (df["division_type"] == "phường")]["commune_code"].iloc[0])
    m = matcher()
    assert m.match_commune(bare).status == "ambiguous"
    assert m.match_commune(f"Phường {bare}") == Match("matched", code)
    assert m.match_commune(f"UBND phường {bare}") == Match("matched", code)
    # A type that does not fit is not overridden: Mộc Sơn is a phường, not a xã.
    assert m.match_commune("Xã Mộc Sơn").status == "unknown"


def test_wrongly_accented_type_word_is_part_of_name():
    """'Phương Liệt' is a name (Phường Phương Liệt, Hà Nội), not 'Phường Liệt'."""
    m = matcher()
    code = m.match_commune("Phường Phương Liệt", 1)
    assert code.status == "matched"
    assert m.match_commune("Phương Liệt") == code
    assert m.match_commune("phuong liet") == code


# ---- ambiguity and province awareness ------------------------------------------------------


def test_accentless_name_without_province_is_ambiguous():
    result = matcher().match_commune("Van Ban")
    assert result.status == "ambiguous"
    assert result.code is None
    assert result.candidates == (
        (VAN_BAN_LC, "Xã Văn Bàn", "Lào Cai"),
        (VAN_BAN_PT, "Xã Vân Bán", "Phú Thọ"),
    )


def test_province_disambiguates():
    m = matcher()
    assert m.match_commune("Van Ban", 25) == Match("matched", VAN_BAN_PT)
    assert m.match_commune("Van Ban", "Phú Thọ") == Match("matched", VAN_BAN_PT)
    assert m.match_commune("Van Ban", "Lào Cai") == Match("matched", VAN_BAN_LC)
    assert m.match_commune("Van Ban", "15") == Match("matched", VAN_BAN_LC)
    assert m.match_commune("Xã Văn Bàn") == Match("matched", VAN_BAN_LC)
    assert m.match_commune("Van Ban", "Hà Nội").status == "unknown"
    assert m.match_commune("Van Ban", "Atlantis").status == "unknown"


def test_exact_diacritics_unique_nationwide():
    names = commune_frame()["name"]
    assert (names == "Xã Vân Bán").sum() == 1
    assert matcher().match_commune("Vân Bán") == Match("matched", VAN_BAN_PT)


def test_exact_diacritics_preferred_within_province_19():
    df = commune_frame()
    pairs = df[df["province_code"] == 19].groupby("codename").filter(lambda g: len(g) == 2)
    assert len(pairs) == 2, "province 19 has a pair of names differing only by accents"
    m = matcher()
    codes = set(pairs["commune_code"])
    for code, name in zip(pairs["commune_code"], pairs["name"], strict=True):
        assert m.match_commune(name, 19) == Match("matched", code)
        assert m.match_commune(_bare(name), 19) == Match("matched", code)
        assert m.match_commune(_nfd(name.upper()), "Thái Nguyên") == Match("matched", code)
    accentless = m.match_commune(normalize_name(_bare(pairs["name"].iloc[0])), 19)
    assert accentless.status == "ambiguous"
    assert {c[0] for c in accentless.candidates} == codes
    assert all(c[2] == "Thái Nguyên" for c in accentless.candidates)


def test_tone_mark_placement_is_ignored():
    """The official list mixes 'Hoà' and 'Hòa'; either spelling finds the unit."""
    df = commune_frame()
    row = df[df["name"].str.contains("oà")].iloc[0]
    other = row["name"].replace("oà", "òa")
    assert matcher().match_commune(other, int(row["province_code"])) == Match(
        "matched", int(row["commune_code"])
    )


def test_unknown_inputs():
    m = matcher()
    for name in ("", "   ", "UBND xã", "Xã Không Có Thật", "8380", None, 8380):
        assert m.match_commune(name).status == "unknown", name  # type: ignore[arg-type]


def test_every_official_name_matches_itself():
    m = matcher()
    pnames = province_frame().set_index("province_code")["name"]
    for code, name, province in commune_frame()[["commune_code", "name", "province_code"]].itertuples(
        index=False
    ):
        assert m.match_commune(name, province) == Match("matched", code), name
        assert m.match_commune(f"UBND {name} - {pnames[province]}") == Match("matched", code), name
        alone = m.match_commune(name)
        assert alone.code == code or code in {c[0] for c in alone.candidates}, name


# ---- the real portal fixture ---------------------------------------------------------------


def test_portal_fixture_communes_match_province_25():
    children = [c for c in _portal_children() if c["level"] == "COMMUNE"]
    assert len(children) == 148
    m = matcher()
    results = [m.match_commune(c["departmentName"], 25) for c in children]
    unmatched = [c["departmentName"] for c, r in zip(children, results, strict=True) if r.status != "matched"]
    assert unmatched == []
    codes = [r.code for r in results]
    assert len(set(codes)) == 148
    phu_tho = set(commune_frame().query("province_code == 25")["commune_code"])
    assert set(codes) == phu_tho


def test_portal_fixture_departments_are_unknown():
    departments = [c["departmentName"] for c in _portal_children() if c["level"] == "PROVINCE"]
    assert len(departments) == 15
    m = matcher()
    for name in departments:
        assert m.match_commune(name).status == "unknown", name
        assert m.match_commune(name, 25).status == "unknown", name


# ---- matcher singleton ----------------------------------------------------------------------


def test_matcher_is_built_once():
    """One matcher per process (building it indexes every unit; how long that takes is a benchmark's
    question, not a test's)."""
    assert matcher() is matcher()
    assert isinstance(matcher(), UnitMatcher)
