"""Report file names: `bao-cao-cds-xa-van-ban-2025-10.docx`, `bao-cao-tom-tat-cds-tinh-phu-tho-2025-10.pdf`.

Names come from the official list (core.reference, no warehouse needed), made accent-free and lower
case by `slug` (core.reference.normalize_name, the project's one accent fold).  Two communes of one
province can share a slug (Xã Cẩm Giang and Xã Cẩm Giàng, province 31): those get
their code appended, so a batch for a province never overwrites a file.  Communes of different
provinces may share a name (Xã Vân Bán, Phú Thọ and Xã Văn Bàn, Lào Cai): a batch writes one
province at a time.  English reports end in `-en`.
"""

from __future__ import annotations

from functools import cache

from core.periods import Period, parse_period
from core.reference import commune_frame, normalize_name, province_frame

PREFIX = {"commune": "bao-cao-cds", "province": "bao-cao-tom-tat-cds"}


def slug(text: str) -> str:
    """'Xã Vân Bán' -> 'xa-van-ban'; 'Phường Văn Miếu - Quốc Tử Giám' -> 'phuong-van-mieu-quoc-tu-giam'."""
    return normalize_name(text).replace(" ", "-")


@cache
def _commune_slugs() -> dict[int, str]:
    frame = commune_frame()
    frame["slug"] = frame["name"].map(slug)
    clash = frame.duplicated(["province_code", "slug"], keep=False)
    frame.loc[clash, "slug"] = frame.loc[clash, "slug"] + "-" + frame.loc[clash, "commune_code"].astype(str)
    return dict(zip(frame["commune_code"], frame["slug"], strict=True))


@cache
def _province_slugs() -> dict[int, str]:
    frame = province_frame()
    names = [
        name if kind != "tỉnh" else f"Tỉnh {name}"
        for name, kind in zip(frame["name"], frame["division_type"], strict=True)
    ]
    return {int(code): slug(name) for code, name in zip(frame["province_code"], names, strict=True)}


def file_name(kind: str, code: int, period: Period | str, fmt: str, lang: str = "vi") -> str:
    """The download / batch file name of a report: kind 'commune' or 'province'."""
    if kind not in PREFIX:
        raise ValueError(f"kind must be 'commune' or 'province', not {kind!r}")
    per = period if isinstance(period, Period) else parse_period(period)
    if per is None:
        raise ValueError(f"not a period: {period!r}")
    names = _commune_slugs() if kind == "commune" else _province_slugs()
    unit = names.get(int(code), str(code))
    suffix = "-en" if lang == "en" else ""
    return f"{PREFIX[kind]}-{unit}-{per.key}{suffix}.{fmt}"
