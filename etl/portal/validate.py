"""Checks on every answer before anything is kept as loadable (fail closed).

- envelope: UTF-8 JSON `{"code": "OK", "data": {...}, "message": ...}`;
- shape: tree `data.parent` + `data.children[]`; evaluation and service-results `data.overview` +
  `data.evaluation[]`;
- root unit: the answer is about the unit asked for — `departmentId` of `parent`/`overview` equals
  the `rootDepartmentId` sent (group endpoints); `overview.departmentCode` equals the province's
  `Hnn` (province service-results, which carries no departmentId there); the national list has no
  root code and only `Hnn` rows.  A mismatch raises `RootMismatch`: the run loads nothing;
- group: the importer's own detection (etl.sources.portal_reader.detect_group) agrees with the
  endpoint's group;
- paging: `pagination` {currentPage, totalPages} when present; the same departmentId on two pages
  is refused.
"""

from __future__ import annotations

import json
import re

from etl.portal.endpoints import Endpoint

HNN = re.compile(r"^H\d{2}$")


class Invalid(Exception):
    def __init__(self, reason: str, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.reason, self.message_vi, self.message_en = reason, message_vi, message_en


class RootMismatch(Invalid):
    pass


def envelope(raw: bytes, label: str) -> dict:
    try:
        obj = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Invalid(
            "not_json",
            f"{label}: câu trả lời không phải JSON ({err}).",
            f"{label}: the answer is not JSON ({err}).",
        ) from err
    if not isinstance(obj, dict) or str(obj.get("code")) != "OK" or not isinstance(obj.get("data"), dict):
        code = obj.get("code") if isinstance(obj, dict) else None
        message = obj.get("message") if isinstance(obj, dict) else None
        raise Invalid(
            "bad_envelope",
            f"{label}: câu trả lời không có dạng {{code: OK, data: {{…}}}} (code {code!r}, message "
            f"{message!r}).",
            f"{label}: the answer is not {{code: OK, data: {{…}}}} (code {code!r}, message {message!r}).",
        )
    return obj


def shape(endpoint: Endpoint, obj: dict, label: str) -> None:
    data = obj["data"]
    if endpoint.shape == "tree":
        ok = isinstance(data.get("parent"), dict) and isinstance(data.get("children"), list)
        want = "data.parent + data.children[]"
    else:
        ok = isinstance(data.get("overview"), dict) and isinstance(data.get("evaluation"), list)
        want = "data.overview + data.evaluation[]"
    if not ok:
        raise Invalid(
            "bad_shape",
            f"{label}: thiếu {want} — Cổng có thể đã đổi định dạng; không nạp.",
            f"{label}: {want} missing — the portal may have changed its format; not loaded.",
        )


def root(endpoint: Endpoint, obj: dict, label: str, root_id: str | None, portal_code: str | None) -> None:
    """Raise RootMismatch unless the answer is about the unit asked for."""
    data = obj["data"]
    head = data.get("parent") if endpoint.shape == "tree" else data.get("overview")
    head = head if isinstance(head, dict) else {}
    if root_id is None:  # the national list
        rows = data.get("evaluation") or []
        codes = [r.get("departmentCode") for r in rows if isinstance(r, dict)]
        if (
            head.get("departmentCode") is not None
            or not codes
            or not all(isinstance(c, str) and HNN.match(c) for c in codes)
        ):
            raise RootMismatch(
                "wrong_root",
                f"{label}: danh sách toàn quốc không đúng dạng (overview.departmentCode "
                f"{head.get('departmentCode')!r}, mã tỉnh phải có dạng Hnn) — không nạp gì.",
                f"{label}: the national list is not what was asked for (overview.departmentCode "
                f"{head.get('departmentCode')!r}, province codes must be Hnn) — nothing loaded.",
            )
        return
    if endpoint.shape == "results":
        got, want, what = head.get("departmentCode"), portal_code, "overview.departmentCode"
    else:
        where = "parent" if endpoint.shape == "tree" else "overview"
        got, want, what = head.get("departmentId"), root_id, f"{where}.departmentId"
    if got != want:
        name = head.get("departmentName")
        raise RootMismatch(
            "wrong_root",
            f"{label}: câu trả lời là của đơn vị khác ({what} = {got!r}, {name!r}; đã hỏi {want!r}) — "
            f"từ chối, không nạp gì của lần lấy này.",
            f"{label}: the answer is about another unit ({what} = {got!r}, {name!r}; asked for "
            f"{want!r}) — refused, nothing of this run is loaded.",
        )


def group(endpoint: Endpoint, obj: dict, label: str) -> None:
    if endpoint.shape == "results":
        return
    from etl.sources.portal_reader import detect_group

    found = detect_group(obj)
    if found != endpoint.group:
        raise Invalid(
            "wrong_group",
            f"{label}: nội dung không phải nhóm {endpoint.group} (nhận ra: {found or 'không rõ'}) — không nạp.",
            f"{label}: the content is not group {endpoint.group} (detected: {found or 'unclear'}) — not "
            f"loaded.",
        )


def pages(obj: dict, page: int, label: str) -> int:
    """The answer's total pages (1 when it has no pagination); checks it is the page asked for."""
    pag = obj["data"].get("pagination")
    if not isinstance(pag, dict):
        return 1
    try:
        current = int(pag.get("currentPage", page))
        total = int(pag.get("totalPages") or 1)
    except (TypeError, ValueError) as err:
        raise Invalid(
            "bad_pagination",
            f"{label}: pagination không đọc được ({pag}).",
            f"{label}: pagination cannot be read ({pag}).",
        ) from err
    if current != page:
        raise Invalid(
            "bad_pagination",
            f"{label}: đã hỏi trang {page}, nhận trang {current}.",
            f"{label}: asked for page {page}, got page {current}.",
        )
    return max(total, 1)


def unit_ids(endpoint: Endpoint, obj: dict) -> list[str]:
    data = obj["data"]
    rows = data.get("children" if endpoint.shape == "tree" else "evaluation") or []
    return [str(r.get("departmentId")) for r in rows if isinstance(r, dict) and r.get("departmentId")]


def national_roots(obj: dict) -> dict[str, tuple[str, str]]:
    """'Hnn' -> (departmentId, departmentName) from the national service-results."""
    out = {}
    for row in obj["data"].get("evaluation") or []:
        if isinstance(row, dict) and isinstance(row.get("departmentCode"), str) and row.get("departmentId"):
            out[row["departmentCode"]] = (str(row["departmentId"]), str(row.get("departmentName") or ""))
    return out
