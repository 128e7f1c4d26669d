"""The portal's evaluation endpoints and the bodies the public page POSTs to them.

Facts from the API contract (docs/portal-fetch.md, "What the portal publishes"): every data
endpoint is `POST {base}/evaluation/<name>` with a JSON body; the period is `timeType` + `year`
(+ `quarter` or `month`), except handling-satisfaction, which the public page asks with
`fromDate`/`toDate` (first and last day of the period); a province is named by its
`rootDepartmentId`; the national list by `departmentType: ADMINISTRATIVE_UNIT`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from core.periods import Period

TOTAL = "TOTAL"  # the group code of service-results (total score + the six groups)


@dataclass(frozen=True)
class Endpoint:
    name: str  # path segment under {base}/evaluation/
    group: str  # the index group it publishes (TOTAL for service-results)
    shape: str  # tree (parent + children) | evaluation (overview + evaluation) | results
    paged: bool  # answers carry `pagination` (metric endpoints)

    @property
    def path(self) -> str:
        return f"/evaluation/{self.name}"


RESULTS = Endpoint("service-results", TOTAL, "results", False)
ENDPOINTS: tuple[Endpoint, ...] = (
    RESULTS,
    Endpoint("transparency", "CKMB", "evaluation", True),
    Endpoint("dvc-progress-tree", "TDGQ", "tree", False),
    Endpoint("provide-online-tree", "CLGQ", "tree", False),
    Endpoint("formality-online-payment-tree", "TTTT", "tree", False),
    Endpoint("dossier-digitized", "MDSH", "evaluation", True),
    Endpoint("handling-satisfaction", "MDHL", "evaluation", True),
)
BY_NAME = {e.name: e for e in ENDPOINTS}
BY_GROUP = {e.group: e for e in ENDPOINTS}
GROUP_ORDER = tuple(e.group for e in ENDPOINTS)


def period_fields(per: Period) -> dict:
    """{"timeType": "month", "year": 2026, "month": 8} (quarter: "quarter": 3; year: no third key)."""
    body: dict = {"timeType": per.period_type, "year": per.start.year}
    if per.period_type == "quarter":
        body["quarter"] = (per.start.month - 1) // 3 + 1
    elif per.period_type == "month":
        body["month"] = per.start.month
    return body


def date_fields(per: Period) -> dict:
    """{"fromDate": "2026-08-01", "toDate": "2026-08-31"}: the period's first and last day, inclusive."""
    return {"fromDate": per.start.isoformat(), "toDate": (per.end - timedelta(days=1)).isoformat()}


def national_body(per: Period) -> dict:
    return {**period_fields(per), "departmentType": "ADMINISTRATIVE_UNIT"}


def province_body(
    endpoint: Endpoint,
    per: Period,
    root_id: str,
    page: int,
    page_sizes: dict,
    satisfaction_body: str = "dates",
) -> dict:
    """The body for one province and page.  service-results is asked without paging keys (as the
    public projects did); the other endpoints with currentPage and the page's size."""
    if endpoint.name == "handling-satisfaction" and satisfaction_body == "dates":
        head = date_fields(per)
    else:
        head = period_fields(per)
    body = {**head, "rootDepartmentId": root_id}
    if endpoint is not RESULTS or page > 1:
        body["currentPage"] = page
        body["pageSize"] = int(page_sizes.get(endpoint.name, 200))
    return body


def encode(body: dict) -> bytes:
    """Compact UTF-8 JSON, as the qd766 client sends it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_groups(text: str | None) -> list[str]:
    """'all' (default) -> every endpoint's group; 'TDGQ,CKMB' -> those; TOTAL = service-results.
    Raises ValueError naming the unknown codes."""
    if text is None or text.strip().lower() in ("", "all"):
        return list(GROUP_ORDER)
    asked = [g.strip().upper() for g in text.split(",") if g.strip()]
    unknown = [g for g in asked if g not in BY_GROUP]
    if unknown or not asked:
        raise ValueError(", ".join(unknown) or text)
    return [g for g in GROUP_ORDER if g in asked]
