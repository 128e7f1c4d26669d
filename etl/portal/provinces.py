"""The project's province codes (official, `vietnam-provinces`) and the portal's own codes (`Hnn`).

provinces.csv lists the 34 pairs.  It was derived once from the portal's national service-results
of 17/09/2026 (the 34 `departmentCode`s H01 … H61, each row's `departmentName` matched to the
official list; the names are kept in the file for review) and is checked against that capture by
tests/portal/test_provinces.py.  At run time the fetcher never matches names: it maps the code asked
for to `Hnn` here, then takes that row's `departmentId` from the national list it has just fetched
as the province's `rootDepartmentId` (the identity rule both public projects used).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

CSV = Path(__file__).resolve().parent / "provinces.csv"
PORTAL_CODE = re.compile(r"^H\d{2}$")


@cache
def portal_codes() -> dict[int, str]:
    """province_code -> 'Hnn' for the 34 provinces."""
    with open(CSV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = {int(r["province_code"]): r["portal_code"].strip() for r in rows}
    if len(out) != 34 or len(set(out.values())) != 34 or not all(PORTAL_CODE.match(c) for c in out.values()):
        raise RuntimeError(f"{CSV}: expected 34 distinct province codes and Hnn codes")
    return out


@cache
def province_of(portal_code: str) -> int | None:
    return {v: k for k, v in portal_codes().items()}.get(portal_code)


def parse_provinces(text: str) -> list[int]:
    """'25' | '25,1' | 'all' -> official province codes (sorted, unique).  Raises ValueError with
    the values that are not one of the 34 codes."""
    if text.strip().lower() == "all":
        return sorted(portal_codes())
    codes, bad = [], []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if part.isdigit() and int(part) in portal_codes():
            codes.append(int(part))
        else:
            bad.append(part)
    if bad or not codes:
        raise ValueError(", ".join(bad) or text)
    return sorted(set(codes))
