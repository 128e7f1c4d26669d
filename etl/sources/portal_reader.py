"""Service-index results as the national portal's evaluation page returns them (JSON).

A steward saves the portal's response for one province's child units, one group and one period
(issue 4).  Three shapes are read:

* **tree** (TDGQ, CLGQ, TTTT): `data.parent` (the province) + `data.children[]`, each child with
  departmentId, departmentName, departmentCode ('H44.139'), level COMMUNE | PROVINCE, ratio,
  scoreDelta, and `score`/`maxScore` (TDGQ) or `totalScore`/`totalMaxScore` (CLGQ, TTTT), plus the
  group's counts (totalReceived, totalOnTime, ...; fullCount, channelOnlineSum, ...;
  totalDossierOnlinePaymentSuccess, ...);
* **evaluation** (CKMB, MDHL, MDSH): `data.overview` (the province) + `data.evaluation[]`, each with
  departmentLevel, departmentType, totalScore, totalMaxScore, ratio, scoreDelta and `metrics[]`
  ({code, name, numerator, denominator, ratio, score, maxScore, dataQualityStatus, ...});
* **national** ranking: `data.evaluation[]` of provinces with totalScore, scoreDelta and
  `groupScores` {CKMB: 15.2, ...} (a number, or an object with score/maxScore);
* **results** (a province's `service-results`): `data.overview` (the province, departmentCode
  'Hnn', total out of 100) + `data.evaluation[]` of its child units with `childGroup` AGENCY |
  COMMUNE and their total score.  Communes go to `fact_index_total` (the published total),
  agencies to `fact_index_department` and the province to `fact_index_province`, group 'TOTAL'.

Outputs (temp tables for `etl.loader`; the tables are declared in sql/schema.sql and
sql/schema_index.sql): `fact_index_score` (communes, the primary output), `fact_index_department`
(provincial departments, kept apart and never matched to a commune), `fact_index_indicator` (the
indicators under every score) and `fact_index_province` (the province total of the file, or the
national ranking incl. group 'TOTAL').

Decisions where the brief was silent:
- The group is detected from the content: field names that only one group publishes (tree), metric
  codes (evaluation), else the maximum score when it names one group of the shape (18 is CKMB or
  MDHL: not enough).  Conflicting evidence counts as undetectable.  `group` always wins; a
  disagreement with the content or with the file's maximum is reported in the notes.
- The province is data.parent / data.overview's departmentName.  When that has no name at all, the
  province named at the end of the child units' names (" - Tỉnh Phú Thọ") is used if they agree.
- A unit whose level is neither COMMUNE nor PROVINCE is rejected, not guessed.
- Department identity (`department_key`): departmentId (present in both shapes), else
  departmentCode, else the name; so one department's six groups line up across files.
- All units sharing a commune (or department) inside one file are rejected: we cannot know which
  one is right.  So is a unit whose group score or any indicator score is not a number or lies
  outside 0..max; a NULL score is kept as NULL (not published is not a zero).
- The maximum is the one published with the score, else the group's configured maximum.
- Ratios are stored as published (percent) and never recomputed.
- `rows_read` counts the units of children[] / evaluation[]; the province total (source_row 0)
  is loaded beside them.  For the national ranking `group` is ignored (the file holds every group)
  and a rank is stored only when the file gives one explicitly (rank / ranking / nationalRank;
  `stt` is a row number, not a rank).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from core.periods import Period, parse_period, period_from_filename
from etl.headers import GROUP_MAX, SIX_GROUPS
from etl.readers import SourceFileError
from etl.sources import common as C

KIND = "index"
TOTAL_MAX = 100.0
# The portal's responses nest five or six levels (response > data > children > unit > metrics > metric).
MAX_JSON_DEPTH = 32

TREE_GROUPS = ("TDGQ", "CLGQ", "TTTT")
EVALUATION_GROUPS = ("CKMB", "MDHL", "MDSH")

# Tree-shape field names that only one group publishes (the portal's own names).
TREE_FIELDS: dict[str, frozenset[str]] = {
    "TDGQ": frozenset(
        {"totalReceived", "totalOnTime", "totalOverdue", "totalCompleted", "avgProcessingDays"}
    ),
    "CLGQ": frozenset(
        {
            "authorityCount",
            "partialCount",
            "fullCount",
            "onlineDossierCount",
            "onlineServiceTotal",
            "channelOnlineSum",
            "channelDirectSum",
            "channelPostalSum",
            "channelTotalSum",
            "onlineOnTimeSum",
            "onlineOverdueSum",
        }
    ),
    "TTTT": frozenset(
        {
            "totalDossierOnlinePaymentSuccess",
            "totalDossierFinancialObligation",
            "totalDossierOnlineFormalityPaymentSuccess",
            "totalFeeDossierFormalityDistinct",
            "totalFeeDossierFormality",
            "totalFeeFormality",
        }
    ),
}

# Evaluation-shape metric codes of each group (issue 4).
METRIC_CODES: dict[str, frozenset[str]] = {
    "CKMB": frozenset({"PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL", "DOSSIER_SYNC"}),
    "MDHL": frozenset(
        {
            "DOSSIER_RECEIVING_SATISFACTION",
            "PETITION_PROCESSING_ON_TIME",
            "PETITION_HANDLING_SATISFACTION",
            "PETITION_CLASSIFICATION_TTHC",
            "PETITION_CLASSIFICATION_STAFF",
        }
    ),
    "MDSH": frozenset(
        {
            "ORIGINAL_RESULT_AVAILABLE",
            "SO_HOA_GIAY_TO_GIAI_QUYET",
            "REUSED_DIGITIZED_DATA",
            "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
            "CITIZEN_DATA_CONNECTED_DOSSIER",
            "CITIZEN_DATA_CONNECTED_FORMALITY",
            "ELECTRONIC_CERTIFIED_COPY",
        }
    ),
}

# Tree-shape fractions kept as indicators: (code, name, numerator field, denominator field).
# TDGQ has one indicator, so its row also carries the group's ratio and score.
TREE_FRACTIONS: dict[str, list[tuple[str, str, str, str]]] = {
    "TDGQ": [("ON_TIME", "Hồ sơ giải quyết đúng hạn", "totalOnTime", "totalReceived")],
    "CLGQ": [("ONLINE_CHANNEL", "Hồ sơ nộp qua kênh trực tuyến", "channelOnlineSum", "channelTotalSum")],
    "TTTT": [
        (
            "ONLINE_PAYMENT",
            "Hồ sơ thanh toán trực tuyến",
            "totalDossierOnlinePaymentSuccess",
            "totalDossierFinancialObligation",
        )
    ],
}
SINGLE_INDICATOR_GROUPS = {"TDGQ"}

SCORE_FIELDS = ("score", "totalScore")
MAX_FIELDS = ("maxScore", "totalMaxScore")
# Unit fields that are neither scores nor published figures.
META_FIELDS = frozenset(
    {
        "departmentId",
        "departmentName",
        "departmentCode",
        "level",
        "departmentLevel",
        "departmentType",
        "metrics",
        "groupScores",
        "stt",
        "rank",
        "ranking",
        "nationalRank",
        "ratio",
        "scoreDelta",
        *SCORE_FIELDS,
        *MAX_FIELDS,
    }
)
RANK_FIELDS = ("rank", "ranking", "nationalRank")


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def _data(obj: object) -> object:
    if isinstance(obj, dict) and "data" in obj and ("code" in obj or "message" in obj or len(obj) == 1):
        return obj["data"]
    return obj


def detect_json_kind(obj: object) -> str | None:
    """'tree' | 'evaluation' | 'national' for a portal response (or its `data`), else None."""
    data = _data(obj)
    if not isinstance(data, dict):
        return None
    evaluation = data.get("evaluation")
    if isinstance(evaluation, list):
        if any(isinstance(u, dict) and "groupScores" in u for u in evaluation):
            return "national"
        if _is_results(data, evaluation):
            return "results"
        return "evaluation"
    if isinstance(data.get("children"), list):
        return "tree"
    return None


def _is_results(data: dict, evaluation: list) -> bool:
    """A province's service-results: child units tagged with childGroup (or, with no units, an
    overview scored out of 100)."""
    if any(isinstance(u, dict) and "childGroup" in u for u in evaluation):
        return True
    overview = data.get("overview")
    return (
        not evaluation
        and isinstance(overview, dict)
        and _number(overview.get("totalMaxScore"))[0] == TOTAL_MAX
    )


def _units(data: dict, kind: str) -> list:
    return data.get("children" if kind == "tree" else "evaluation") or []


def _total(data: dict, kind: str) -> dict | None:
    total = data.get("parent" if kind == "tree" else "overview")
    return total if isinstance(total, dict) else None


def detect_group(obj: object) -> str | None:
    """The group code a tree or evaluation response is about, from its content; None if unclear.

    Evidence, in order: field names only one group publishes and metric codes; then the maximum
    score when it names exactly one group of the shape.  A national ranking holds every group: None.
    """
    data = _data(obj)
    kind = detect_json_kind(data)
    if kind not in ("tree", "evaluation"):
        return None
    records = [u for u in _units(data, kind) if isinstance(u, dict)]
    total = _total(data, kind)
    if total is not None:
        records.append(total)
    found: set[str] = set()
    for rec in records:
        for group, names in TREE_FIELDS.items():
            if names & rec.keys():
                found.add(group)
        for metric in rec.get("metrics") or []:
            code = metric.get("code") if isinstance(metric, dict) else None
            for group, codes in METRIC_CODES.items():
                if code in codes:
                    found.add(group)
    if len(found) == 1:
        return found.pop()
    if found:
        return None
    maxima = set()
    for rec in records:
        for name in MAX_FIELDS:
            value, ok = _number(rec.get(name))
            if ok and value is not None:
                maxima.add(value)
    shape_groups = TREE_GROUPS if kind == "tree" else EVALUATION_GROUPS
    if len(maxima) == 1:
        top = maxima.pop()
        matches = [g for g in shape_groups if GROUP_MAX[g] == top]
        if len(matches) == 1:
            return matches[0]
    return None


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _number(value: object) -> tuple[float | None, bool]:
    """(number, ok): None is (None, True); text that is not a number, NaN, booleans are not ok."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None, True
        try:
            number = float(text)
        except ValueError:
            return None, False
    else:
        return None, False
    if math.isnan(number) or math.isinf(number):
        return None, False
    return number, True


def _first_key(record: dict, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in record), None)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _vi(number: float | None) -> str:
    """1234.5 -> '1.234,5' (Vietnamese)."""
    if number is None:
        return ""
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _en(number: float | None) -> str:
    if number is None:
        return ""
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def _snake_upper(name: str) -> str:
    """'avgProcessingDays' -> 'AVG_PROCESSING_DAYS'."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def _raw(value: object) -> str:
    return (
        ""
        if value is None
        else (json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)
    )


@dataclass
class _Rejects:
    rows: list[tuple] = field(default_factory=list)

    def add(self, source_row: int, column: str, value: object, rule: str, vi: str, en: str) -> None:
        self.rows.append((source_row, column, _raw(value), rule, vi, en))

    def rows_of(self) -> set[int]:
        return {r[0] for r in self.rows}


def _file_error(path: Path, code: str, vi: str, en: str) -> SourceFileError:
    return SourceFileError(path.name, f"{path.name}: {vi}", f"{path.name}: {en}", code=code)


# --------------------------------------------------------------------------------------------
# Whole-file checks: JSON, shape, period, group, province
# --------------------------------------------------------------------------------------------


def _read_response(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise _file_error(
            path,
            "unreadable",
            f"không mở được tệp ({err.strerror}) — kiểm tra đường dẫn.",
            f"cannot open the file ({err.strerror}) — check the path.",
        ) from err
    try:
        obj = json.loads(raw.decode("utf-8-sig"))
    except RecursionError as err:
        raise _too_deep(path) from err
    except (UnicodeDecodeError, ValueError) as err:  # (JSONDecodeError, and integers too long to read)
        raise _file_error(
            path,
            "not_json",
            'tệp không phải JSON — lưu lại nguyên văn phản hồi của trang "Đánh giá chất lượng phục vụ" '
            "trên Cổng DVC quốc gia (.json).",
            'not a JSON file — save the national portal\'s "Đánh giá chất lượng phục vụ" response '
            "unchanged (.json).",
        ) from err
    if _depth_over(obj, MAX_JSON_DEPTH):
        raise _too_deep(path)
    if not isinstance(obj, dict) or "data" not in obj:
        raise _file_error(
            path,
            "not_portal_response",
            'không phải phản hồi của Cổng DVC quốc gia (thiếu "code"/"data") — lưu lại phản hồi của trang '
            "đánh giá chất lượng phục vụ.",
            'not a national portal response (no "code"/"data") — save the evaluation page\'s response.',
        )
    if str(obj.get("code", "OK")).upper() != "OK":
        message = _text(obj.get("message")) or ""
        raise _file_error(
            path,
            "portal_error",
            f"Cổng DVC quốc gia trả lỗi (code {obj.get('code')!s}: {message}) — tải lại trang rồi lưu lại phản hồi.",
            f"the national portal answered with an error (code {obj.get('code')!s}: {message}) — reload the page "
            f"and save the response again.",
        )
    if not obj.get("data"):
        raise _file_error(
            path,
            "no_data",
            'phản hồi không có dữ liệu ("data" trống) — kiểm tra tỉnh, nhóm và kỳ đã chọn trên Cổng rồi lưu lại.',
            'the response holds no data ("data" is empty) — check the province, group and period chosen on '
            "the portal and save it again.",
        )
    return obj


def _too_deep(path: Path) -> SourceFileError:
    return _file_error(
        path,
        "too_deep",
        f"tệp JSON lồng nhau quá {MAX_JSON_DEPTH} tầng — phản hồi của Cổng DVC quốc gia chỉ có vài tầng; đây không "
        "phải phản hồi của trang đánh giá: lưu lại nguyên văn phản hồi (.json).",
        f"the JSON nests deeper than {MAX_JSON_DEPTH} levels — the national portal's responses have a few; this is "
        "not the evaluation page's response: save the response unchanged (.json).",
    )


def _depth_over(obj: object, limit: int) -> bool:
    """Whether `obj` nests lists and objects deeper than `limit` (iterative: no recursion to overflow)."""
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _resolve_period(path: Path, period: str | None) -> Period:
    if period:
        parsed = parse_period(period)
        if parsed is None:
            raise _file_error(
                path,
                "bad_period",
                f"kỳ '{period}' không hợp lệ — dùng 2026-08 (tháng), 2026-Q3 (quý) hoặc 2026 (năm).",
                f"period '{period}' is not valid — use 2026-08 (month), 2026-Q3 (quarter) or 2026 (year).",
            )
        return parsed
    parsed = period_from_filename(path.name)
    if parsed is None:
        raise _file_error(
            path,
            "no_period",
            "phản hồi của Cổng không ghi kỳ và tên tệp cũng không — thêm --period 2026-08 (tháng), "
            "2026-Q3 (quý) hoặc 2026 (năm).",
            "the portal's response does not carry its period and neither does the file name — pass "
            "--period 2026-08 (month), 2026-Q3 (quarter) or 2026 (year).",
        )
    return parsed


def _resolve_group(path: Path, obj: dict, kind: str, group: str | None, notes: list[str]) -> str:
    detected = detect_group(obj)
    if group:
        code = group.strip().upper()
        if code not in GROUP_MAX:
            known = ", ".join(SIX_GROUPS)
            raise _file_error(
                path,
                "bad_group",
                f"nhóm '{group}' không tồn tại — dùng một trong {known}.",
                f"group '{group}' does not exist — use one of {known}.",
            )
        if detected and detected != code:
            notes.append(
                f"nội dung tệp giống nhóm {detected}, nạp theo --group {code} / the content looks like "
                f"group {detected}, loaded as --group {code}"
            )
        return code
    if detected is None:
        shape_groups = TREE_GROUPS if kind == "tree" else EVALUATION_GROUPS
        choices = " | ".join(shape_groups)
        raise _file_error(
            path,
            "unknown_group",
            f"không nhận ra nhóm chỉ số từ nội dung tệp — thêm --group CODE ({choices}).",
            f"cannot tell the index group from the file's content — pass --group CODE ({choices}).",
        )
    return detected


def _resolve_province(path: Path, data: dict, kind: str) -> tuple[int, dict | None]:
    from core.reference import matcher

    m = matcher()
    total = _total(data, kind)
    name = _text(total.get("departmentName")) if total else None
    where = "data.parent" if kind == "tree" else "data.overview"
    if name is not None:
        found = m.match_province(name)
        if found.status == "matched":
            return found.code, total
        raise _file_error(
            path,
            "unknown_province",
            f'không nhận ra tỉnh "{name}" ({where}.departmentName) trong danh mục 34 tỉnh/thành phố — lưu lại '
            f"phản hồi của trang đánh giá cho một tỉnh.",
            f'the province "{name}" ({where}.departmentName) is not one of the 34 provinces — save the '
            f"evaluation page's response for one province.",
        )
    # No name on the total: the province the child units name at their end, when they agree.
    codes = set()
    for unit in _units(data, kind):
        unit_name = _text(unit.get("departmentName")) if isinstance(unit, dict) else None
        if unit_name and " - " in unit_name:
            found = m.match_province(unit_name.rsplit(" - ", 1)[1])
            if found.status == "matched":
                codes.add(found.code)
    if len(codes) == 1:
        return codes.pop(), total
    raise _file_error(
        path,
        "unknown_province",
        f"không xác định được tỉnh của tệp ({where}.departmentName trống) — lưu lại phản hồi đầy đủ của trang "
        f"đánh giá cho một tỉnh.",
        f"cannot tell the file's province ({where}.departmentName is missing) — save the evaluation page's "
        f"full response for one province.",
    )


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    source_row: int
    record: dict
    name: str | None
    kind: str | None = None  # commune | department | None (rejected before matching)
    key: str | None = None  # commune code as text / department_key
    commune_code: int | None = None
    score: float | None = None
    max_score: float | None = None
    ratio: float | None = None
    score_delta: float | None = None
    indicators: list[dict] = field(default_factory=list)


def _check_scores(
    rec: dict,
    group_max: float,
    label: str,
    row: int,
    rejects: _Rejects,
    shape: str,
    prefix: str = "",
    score_column: str | None = None,
) -> tuple[float | None, float | None, float | None, float | None]:
    """(score, max, ratio, delta) of a unit or total; problems become rejects.

    Tree units publish `score`/`maxScore` or `totalScore`/`totalMaxScore`; evaluation units
    `totalScore`/`totalMaxScore`.  `score_column` names the score in rejects when it is not a field."""
    order = SCORE_FIELDS if shape == "tree" else tuple(reversed(SCORE_FIELDS))
    score_key = _first_key(rec, order) or order[0]
    max_key = _first_key(rec, MAX_FIELDS if shape == "tree" else tuple(reversed(MAX_FIELDS))) or MAX_FIELDS[0]
    score, score_ok = _number(rec.get(score_key))
    max_score, max_ok = _number(rec.get(max_key))
    ratio, _ = _number(rec.get("ratio"))
    delta, _ = _number(rec.get("scoreDelta"))
    score_column = score_column or prefix + score_key
    if not score_ok:
        rejects.add(
            row,
            score_column,
            rec.get(score_key),
            "bad_score",
            f'điểm "{_raw(rec.get(score_key))}" của "{label}" không phải số — xuất lại tệp từ Cổng.',
            f'score "{_raw(rec.get(score_key))}" of "{label}" is not a number — export the file '
            f"again from the portal.",
        )
    if not max_ok or (max_score is not None and max_score <= 0):
        rejects.add(
            row,
            prefix + max_key,
            rec.get(max_key),
            "bad_max_score",
            f'điểm tối đa "{_raw(rec.get(max_key))}" của "{label}" không phải số dương — xuất lại tệp.',
            f'maximum "{_raw(rec.get(max_key))}" of "{label}" is not a positive number — export the '
            f"file again.",
        )
        max_score = None
    top = max_score if max_score is not None else group_max
    if score is not None and not (0 <= score <= top + 1e-9):
        rejects.add(
            row,
            score_column,
            rec.get(score_key),
            "score_out_of_range",
            f'điểm {_vi(score)} của "{label}" nằm ngoài khoảng 0..{_vi(top)} — kiểm tra tệp hoặc '
            f"xuất lại từ Cổng.",
            f'score {_en(score)} of "{label}" is outside 0..{_en(top)} — check the file or export it '
            f"again from the portal.",
        )
    return score, top, ratio, delta


def _indicators(
    rec: dict,
    group: str,
    label: str,
    row: int,
    rejects: _Rejects,
    score: float | None,
    max_score: float | None,
    ratio: float | None,
) -> list[dict]:
    """Indicator rows of one unit or total (without the unit columns); problems become rejects."""
    out: list[dict] = []
    seen: set[str] = set()
    for metric in rec.get("metrics") or []:
        if not isinstance(metric, dict):
            continue
        code = _text(metric.get("code"))
        if code is None:
            continue
        if code in seen:
            rejects.add(
                row,
                f"metrics[{code}]",
                code,
                "duplicate_indicator",
                f'chỉ số {code} lặp lại trong đơn vị "{label}" — xuất lại tệp từ Cổng.',
                f'indicator {code} appears twice for "{label}" — export the file again from the portal.',
            )
            continue
        seen.add(code)
        m_score, score_ok = _number(metric.get("score"))
        m_max, max_ok = _number(metric.get("maxScore"))
        if not score_ok:
            rejects.add(
                row,
                f"metrics[{code}].score",
                metric.get("score"),
                "bad_indicator_score",
                f'điểm chỉ số {code} "{_raw(metric.get("score"))}" của "{label}" không phải số — '
                f"xuất lại tệp.",
                f'indicator {code} score "{_raw(metric.get("score"))}" of "{label}" is not a number '
                f"— export the file again.",
            )
        elif m_score is not None and (
            m_score < 0 or (max_ok and m_max is not None and m_score > m_max + 1e-9)
        ):
            top = f"0..{_vi(m_max)}" if m_max is not None else "≥ 0"
            top_en = f"0..{_en(m_max)}" if m_max is not None else ">= 0"
            rejects.add(
                row,
                f"metrics[{code}].score",
                metric.get("score"),
                "indicator_score_out_of_range",
                f'điểm chỉ số {code} {_vi(m_score)} của "{label}" nằm ngoài khoảng {top} — kiểm tra tệp.',
                f'indicator {code} score {_en(m_score)} of "{label}" is outside {top_en} — check the file.',
            )
        out.append(
            {
                "indicator_code": code,
                "indicator_name": _text(metric.get("name")),
                "numerator": _number(metric.get("numerator"))[0],
                "denominator": _number(metric.get("denominator"))[0],
                "ratio": _number(metric.get("ratio"))[0],
                "score": m_score,
                "max_score": m_max if max_ok else None,
                "value": None,
                "data_quality_status": _text(metric.get("dataQualityStatus")),
                "data_quality_message": _text(metric.get("dataQualityMessage")),
            }
        )
    consumed: set[str] = set()
    for code, name, num_field, den_field in TREE_FRACTIONS.get(group, []):
        if num_field not in rec and den_field not in rec:
            continue
        consumed |= {num_field, den_field}
        whole = group in SINGLE_INDICATOR_GROUPS
        out.append(
            {
                "indicator_code": code,
                "indicator_name": name,
                "numerator": _number(rec.get(num_field))[0],
                "denominator": _number(rec.get(den_field))[0],
                "ratio": ratio if whole else None,
                "score": score if whole else None,
                "max_score": max_score if whole else None,
                "value": None,
                "data_quality_status": _text(rec.get("dataQualityStatus")),
                "data_quality_message": _text(rec.get("dataQualityMessage")),
            }
        )
        seen.add(code)
    for name, raw_value in rec.items():
        if name in META_FIELDS or name in consumed or name.startswith("dataQuality"):
            continue
        if raw_value is not None and (isinstance(raw_value, bool) or not isinstance(raw_value, int | float)):
            continue
        code = _snake_upper(name)
        if code in seen:
            continue
        seen.add(code)
        out.append(
            {
                "indicator_code": code,
                "indicator_name": name,
                "numerator": None,
                "denominator": None,
                "ratio": None,
                "score": None,
                "max_score": None,
                "value": _number(raw_value)[0],
                "data_quality_status": None,
                "data_quality_message": None,
            }
        )
    return out


def _department_key(rec: dict, name: str) -> str:
    from core.reference import normalize_name

    return (
        _text(rec.get("departmentId")) or _text(rec.get("departmentCode")) or f"name:{normalize_name(name)}"
    )


# --------------------------------------------------------------------------------------------
# Temp tables
# --------------------------------------------------------------------------------------------

_ARROW_TYPES = {
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
}


def _temp_like(con: duckdb.DuckDBPyConnection, target: str, rows: list[dict]) -> str:
    """A temp table with the columns of `target` (minus load_id) holding `rows`."""
    temp = C.temp_name(f"stg_{target}")
    con.execute(f"create temp table {temp} as select * exclude (load_id) from {target} limit 0")
    if rows:
        described = con.execute(f"describe {temp}").fetchall()
        schema = pa.schema([(name, _ARROW_TYPES[dtype]) for name, dtype, *_ in described])
        table = pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)
        view = C.temp_name("arrow_rows")
        con.register(view, table)
        try:
            con.execute(f"insert into {temp} by name select * from {view}")
        finally:
            con.unregister(view)
    return temp


def _rejects_table(con: duckdb.DuckDBPyConnection, rejects: _Rejects) -> str:
    temp = C.temp_name("rejects")
    con.execute(f"""create temp table {temp} (source_row integer, column_name varchar, value varchar,
                    rule varchar, message_vi varchar, message_en varchar)""")
    if rejects.rows:
        con.executemany(
            f"insert into {temp} values (?, ?, ?, ?, ?, ?)", sorted(rejects.rows, key=lambda r: r[0])
        )
    return temp


def _summary(rejects: _Rejects) -> tuple[int, dict[str, int]]:
    reasons: dict[str, int] = defaultdict(int)
    for row in rejects.rows:
        reasons[row[3]] += 1
    return len(rejects.rows_of()), dict(sorted(reasons.items()))


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def stage_json(
    path: Path, con: duckdb.DuckDBPyConnection, *, period: str | None = None, group: str | None = None
) -> C.Staged:
    """Validate one saved portal response; returns the outputs and the rejects as temp tables."""
    path = Path(path)
    from etl.portal import record as fetch_record

    if fetch_record.is_record(path):  # a `fetch-portal` run's record (etl/portal/record.py)
        return fetch_record.stage(path, con)
    obj = _read_response(path)
    data = obj["data"]
    kind = detect_json_kind(data)
    if kind is None:
        raise _file_error(
            path,
            "not_portal_response",
            "không nhận ra dạng phản hồi (cần data.parent + data.children, data.overview + data.evaluation, "
            "hoặc bảng xếp hạng toàn quốc) — lưu lại phản hồi của trang đánh giá chất lượng phục vụ.",
            "unknown response shape (expected data.parent + data.children, data.overview + data.evaluation, or "
            "the national ranking) — save the evaluation page's response.",
        )
    per = _resolve_period(path, period)
    if kind == "national":
        return _stage_national(path, con, data, per, group)
    if kind == "results":
        return _stage_results(path, con, data, per, group)
    return _stage_province(path, con, obj, data, kind, per, group)


def _period_columns(per: Period) -> dict:
    return {"period_type": per.period_type, "period": per.key, "period_start": per.start}


def _stage_province(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    obj: dict,
    data: dict,
    kind: str,
    per: Period,
    group: str | None,
) -> C.Staged:
    from core.reference import matcher

    notes: list[str] = []
    group_code = _resolve_group(path, obj, kind, group, notes)
    group_max = GROUP_MAX[group_code]
    province_code, total = _resolve_province(path, data, kind)
    province_name = (
        con.execute("select name from dim_province where province_code = ?", [province_code]).fetchone()
        or [str(province_code)]
    )[0]
    commune_names = dict(
        con.execute(
            "select commune_code, name from dim_commune where province_code = ?", [province_code]
        ).fetchall()
    )
    array = "data.children" if kind == "tree" else "data.evaluation"
    rejects = _Rejects()
    m = matcher()
    units: list[_Unit] = []
    records = _units(data, kind)

    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            rejects.add(
                i,
                array,
                rec,
                "not_a_unit",
                f"mục {i} của {array} không phải một đơn vị — xuất lại tệp từ Cổng.",
                f"item {i} of {array} is not a unit — export the file again from the portal.",
            )
            continue
        name = _text(rec.get("departmentName"))
        unit = _Unit(i, rec, name)
        units.append(unit)
        if name is None:
            rejects.add(
                i,
                "departmentName",
                "",
                "missing_unit_name",
                f"mục {i} của {array} không có tên đơn vị (departmentName) — xuất lại tệp từ Cổng.",
                f"item {i} of {array} has no unit name (departmentName) — export the file again from "
                f"the portal.",
            )
            continue
        level_field = _first_key(rec, ("level", "departmentLevel")) or "level"
        level = (_text(rec.get(level_field)) or "").upper()
        unit.score, unit.max_score, unit.ratio, unit.score_delta = _check_scores(
            rec, group_max, name, i, rejects, kind
        )
        if level == "PROVINCE":
            unit.kind, unit.key = "department", _department_key(rec, name)
        elif level == "COMMUNE":
            unit.kind = "commune"
            found = m.match_commune(name, province_code)
            if found.status == "matched":
                unit.commune_code, unit.key = found.code, str(found.code)
            elif found.status == "ambiguous":
                candidates = "; ".join(f"{c[1]} ({c[0]})" for c in found.candidates)
                rejects.add(
                    i,
                    "departmentName",
                    name,
                    "ambiguous_commune",
                    f'tên xã "{name}" khớp nhiều đơn vị của {province_name}: {candidates} — không tự chọn; '
                    f"sửa tên đơn vị cho đúng tên chính thức.",
                    f'commune name "{name}" matches several units of {province_name}: {candidates} — '
                    f"not guessed; correct the unit name to the official one.",
                )
            else:
                rejects.add(
                    i,
                    "departmentName",
                    name,
                    "unknown_commune",
                    f'không tìm thấy xã "{name}" trong danh mục đơn vị hành chính của {province_name} — '
                    f"kiểm tra tên đơn vị (departmentName) và tỉnh của tệp.",
                    f'commune "{name}" is not in the official unit list of {province_name} — check the '
                    f"unit name (departmentName) and the file's province.",
                )
        else:
            rejects.add(
                i,
                level_field,
                rec.get(level_field),
                "unknown_level",
                f'cấp đơn vị "{_raw(rec.get(level_field))}" của "{name}" không rõ — cần COMMUNE (xã) '
                f"hoặc PROVINCE (sở/ngành cấp tỉnh); đơn vị không được nạp.",
                f'unit level "{_raw(rec.get(level_field))}" of "{name}" is not known — expected '
                f"COMMUNE (commune) or PROVINCE (provincial department); the unit is not loaded.",
            )
        unit.indicators = _indicators(
            rec, group_code, name, i, rejects, unit.score, unit.max_score, unit.ratio
        )

    # Units sharing a commune (or a department) inside one file: all refused.
    by_key: dict[tuple[str, str], list[_Unit]] = defaultdict(list)
    for unit in units:
        if unit.key is not None:
            by_key[(unit.kind, unit.key)].append(unit)
    for (unit_kind, key), same in by_key.items():
        if len(same) < 2:
            continue
        rows = ", ".join(str(u.source_row) for u in same)
        if unit_kind == "commune":
            label_vi = label_en = f"{commune_names.get(int(key), key)} ({key})"
            what_vi, what_en = "xã", "commune"
        else:
            label_vi = label_en = same[0].name
            what_vi, what_en = "sở/ngành", "department"
        for unit in same:
            rejects.add(
                unit.source_row,
                "departmentName",
                unit.name,
                "duplicate_in_file",
                f"{what_vi} {label_vi} xuất hiện nhiều lần trong tệp (các mục {rows} của {array}) — "
                f"giữ lại một mục.",
                f"{what_en} {label_en} appears more than once in the file (items {rows} of {array}) — "
                f"keep one.",
            )

    rejected_rows = rejects.rows_of()
    common = {"province_code": province_code, **_period_columns(per), "group_code": group_code}
    scores, departments, indicators, provinces = [], [], [], []
    for unit in units:
        if unit.source_row in rejected_rows or unit.key is None:
            continue
        rec = unit.record
        values = {
            "score": unit.score,
            "max_score": unit.max_score,
            "ratio": unit.ratio,
            "score_delta": unit.score_delta,
            "source_row": unit.source_row,
        }
        if unit.kind == "commune":
            scores.append({**common, **values, "commune_code": unit.commune_code})
        else:
            departments.append(
                {
                    **common,
                    **values,
                    "department_key": unit.key,
                    "department_id": _text(rec.get("departmentId")),
                    "department_code": _text(rec.get("departmentCode")),
                    "department_name": unit.name,
                    "department_type": _text(rec.get("departmentType")),
                }
            )
        for ind in unit.indicators:
            indicators.append(
                {
                    **common,
                    **ind,
                    "unit_kind": unit.kind,
                    "unit_key": unit.key,
                    "commune_code": unit.commune_code,
                    "portal_code": _text(rec.get("departmentCode")),
                    "source_row": unit.source_row,
                }
            )

    # The province total of the file (data.parent / data.overview): source_row 0.
    if total is not None:
        where = "data.parent." if kind == "tree" else "data.overview."
        label = _text(total.get("departmentName")) or province_name
        before = len(rejects.rows)
        score, top, ratio, delta = _check_scores(total, group_max, label, 0, rejects, kind, prefix=where)
        total_indicators = _indicators(total, group_code, label, 0, rejects, score, top, ratio)
        if len(rejects.rows) == before:
            if _first_key(total, SCORE_FIELDS) is not None:
                provinces.append(
                    {
                        **common,
                        "score": score,
                        "max_score": top,
                        "ratio": ratio,
                        "score_delta": delta,
                        "national_rank": None,
                        "portal_code": _text(total.get("departmentCode")),
                        "source_row": 0,
                    }
                )
            for ind in total_indicators:
                indicators.append(
                    {
                        **common,
                        **ind,
                        "unit_kind": "province",
                        "unit_key": str(province_code),
                        "commune_code": None,
                        "portal_code": _text(total.get("departmentCode")),
                        "source_row": 0,
                    }
                )

    file_maxima = {u.max_score for u in units if u.key is not None and u.max_score is not None}
    if file_maxima and file_maxima != {group_max}:
        shown = ", ".join(_en(x) for x in sorted(file_maxima))
        notes.append(
            f"điểm tối đa trong tệp ({shown}) khác mức của nhóm {group_code} ({_en(group_max)}) — "
            f"kiểm tra nhóm / the file's maximum ({shown}) differs from group {group_code}'s "
            f"({_en(group_max)}) — check the group"
        )
    notes.insert(
        0,
        f"nhóm {group_code}, kỳ {per.key}, {province_name}: {len(scores)} xã / group {group_code}, "
        f"period {per.key}, {province_name}: {len(scores)} communes",
    )
    if departments or any(u.kind == "department" for u in units):
        notes.append(
            f"{len(departments)} sở/ngành cấp tỉnh lưu riêng / {len(departments)} provincial "
            f"departments kept apart"
        )

    outputs = [
        C.Output(
            _temp_like(con, "fact_index_score", scores),
            "fact_index_score",
            ["commune_code", "period_type", "period", "group_code"],
            primary=True,
        ),
        C.Output(
            _temp_like(con, "fact_index_department", departments),
            "fact_index_department",
            ["province_code", "department_key", "period_type", "period", "group_code"],
        ),
        C.Output(
            _temp_like(con, "fact_index_indicator", indicators),
            "fact_index_indicator",
            ["unit_kind", "unit_key", "period_type", "period", "group_code"],
        ),
        C.Output(
            _temp_like(con, "fact_index_province", provinces),
            "fact_index_province",
            ["province_code", "period_type", "period", "group_code"],
        ),
    ]
    rejected, reasons = _summary(rejects)
    return C.Staged(KIND, outputs, _rejects_table(con, rejects), len(records), rejected, reasons, notes)


def _stage_national(
    path: Path, con: duckdb.DuckDBPyConnection, data: dict, per: Period, group: str | None
) -> C.Staged:
    from core.reference import matcher

    notes: list[str] = []
    if group:
        notes.append(
            f"--group {group} bỏ qua: bảng xếp hạng toàn quốc có đủ các nhóm / --group {group} ignored: "
            f"the national ranking holds every group"
        )
    m = matcher()
    rejects = _Rejects()
    records = data.get("evaluation") or []
    found: list[tuple[int, int, dict]] = []  # (source_row, province_code, record)
    unknown_groups: set[str] = set()
    rows_by_unit: dict[int, list[dict]] = {}
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            rejects.add(
                i,
                "data.evaluation",
                rec,
                "not_a_unit",
                f"mục {i} của data.evaluation không phải một tỉnh — xuất lại tệp từ Cổng.",
                f"item {i} of data.evaluation is not a province — export the file again from the portal.",
            )
            continue
        name = _text(rec.get("departmentName")) or _text(rec.get("provinceName"))
        match = m.match_province(name) if name else None
        if match is None or match.status != "matched":
            rejects.add(
                i,
                "departmentName",
                name or "",
                "unknown_province",
                f'không tìm thấy tỉnh "{name or ""}" trong danh mục 34 tỉnh/thành phố — kiểm tra tên '
                f"(departmentName).",
                f'province "{name or ""}" is not one of the 34 provinces — check the name (departmentName).',
            )
            continue
        code = match.code
        found.append((i, code, rec))
        score, top, ratio, delta = _check_scores(rec, TOTAL_MAX, name, i, rejects, "evaluation")
        rank = None
        rank_key = _first_key(rec, RANK_FIELDS)
        if rank_key is not None:
            value, ok = _number(rec.get(rank_key))
            if not ok or (value is not None and (value < 1 or value != int(value))):
                rejects.add(
                    i,
                    rank_key,
                    rec.get(rank_key),
                    "bad_rank",
                    f'xếp hạng "{_raw(rec.get(rank_key))}" của "{name}" không phải số nguyên dương — '
                    f"xuất lại tệp.",
                    f'rank "{_raw(rec.get(rank_key))}" of "{name}" is not a positive whole number — '
                    f"export the file again.",
                )
            elif value is not None:
                rank = int(value)
        base = {
            "province_code": code,
            **_period_columns(per),
            "national_rank": None,
            "portal_code": _text(rec.get("departmentCode")),
            "source_row": i,
        }
        rows = [
            {
                **base,
                "group_code": "TOTAL",
                "score": score,
                "max_score": top,
                "ratio": ratio,
                "score_delta": delta,
                "national_rank": rank,
            }
        ]
        group_scores = rec.get("groupScores") or {}
        for raw_code, raw_value in group_scores.items() if isinstance(group_scores, dict) else []:
            g = str(raw_code).strip().upper()
            if g not in GROUP_MAX:
                unknown_groups.add(str(raw_code))
                continue
            if isinstance(raw_value, dict):
                g_score, g_top, g_ratio, g_delta = _check_scores(
                    raw_value,
                    GROUP_MAX[g],
                    f"{name} ({g})",
                    i,
                    rejects,
                    "evaluation",
                    prefix=f"groupScores.{g}.",
                )
            else:
                g_score, g_top, g_ratio, g_delta = _check_scores(
                    {"score": raw_value},
                    GROUP_MAX[g],
                    f"{name} ({g})",
                    i,
                    rejects,
                    "tree",
                    score_column=f"groupScores.{g}",
                )
            rows.append(
                {
                    **base,
                    "group_code": g,
                    "score": g_score,
                    "max_score": g_top,
                    "ratio": g_ratio,
                    "score_delta": g_delta,
                }
            )
        rows_by_unit[i] = rows

    by_code: dict[int, list[int]] = defaultdict(list)
    for i, code, _rec in found:
        by_code[code].append(i)
    names = dict(con.execute("select province_code, name from dim_province").fetchall())
    for code, rows_of_code in by_code.items():
        if len(rows_of_code) < 2:
            continue
        shown = ", ".join(map(str, rows_of_code))
        for i in rows_of_code:
            rejects.add(
                i,
                "departmentName",
                names.get(code, code),
                "duplicate_in_file",
                f"tỉnh {names.get(code, code)} xuất hiện nhiều lần trong tệp (các mục {shown} của "
                f"data.evaluation) — giữ lại một mục.",
                f"province {names.get(code, code)} appears more than once in the file (items {shown} of "
                f"data.evaluation) — keep one.",
            )
    rejected_rows = rejects.rows_of()
    provinces = [row for i, rows in rows_by_unit.items() if i not in rejected_rows for row in rows]
    if unknown_groups:
        shown = ", ".join(sorted(unknown_groups))
        notes.append(
            f"bỏ qua nhóm không rõ trong groupScores: {shown} / unknown groups in groupScores skipped: "
            f"{shown}"
        )
    loaded = len({r["province_code"] for r in provinces})
    notes.insert(
        0,
        f"bảng xếp hạng toàn quốc, kỳ {per.key}: {loaded} tỉnh / national ranking, period {per.key}: "
        f"{loaded} provinces",
    )
    outputs = [
        C.Output(
            _temp_like(con, "fact_index_province", provinces),
            "fact_index_province",
            ["province_code", "period_type", "period", "group_code"],
            primary=True,
        )
    ]
    rejected, reasons = _summary(rejects)
    return C.Staged(KIND, outputs, _rejects_table(con, rejects), len(records), rejected, reasons, notes)


def _stage_results(
    path: Path, con: duckdb.DuckDBPyConnection, data: dict, per: Period, group: str | None
) -> C.Staged:
    """A province's service-results: each child unit's published total (out of 100).  Communes
    (childGroup COMMUNE) go to fact_index_total, matched by name within the province like every
    other shape; agencies (AGENCY) to fact_index_department and the province (data.overview) to
    fact_index_province, both with group_code 'TOTAL'."""
    from core.reference import matcher

    notes: list[str] = []
    if group:
        notes.append(
            f"--group {group} bỏ qua: kết quả tổng hợp có điểm tổng / --group {group} ignored: the "
            f"service results hold the total score"
        )
    province_code, total = _resolve_province(path, data, "evaluation")
    province_name = (
        con.execute("select name from dim_province where province_code = ?", [province_code]).fetchone()
        or [str(province_code)]
    )[0]
    m = matcher()
    rejects = _Rejects()
    records = data.get("evaluation") or []
    communes: dict[int, list[int]] = defaultdict(list)
    departments: dict[str, list[int]] = defaultdict(list)
    kept: dict[int, tuple[str, dict, float | None, float | None, float | None]] = {}
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            rejects.add(
                i,
                "data.evaluation",
                rec,
                "not_a_unit",
                f"mục {i} của data.evaluation không phải một đơn vị — lưu lại phản hồi từ Cổng.",
                f"item {i} of data.evaluation is not a unit — save the response from the portal again.",
            )
            continue
        name = _text(rec.get("departmentName"))
        if name is None:
            rejects.add(
                i,
                "departmentName",
                "",
                "missing_unit_name",
                f"mục {i} của data.evaluation không có tên đơn vị (departmentName).",
                f"item {i} of data.evaluation has no unit name (departmentName).",
            )
            continue
        score, _top, ratio, delta = _check_scores(rec, TOTAL_MAX, name, i, rejects, "evaluation")
        child = (_text(rec.get("childGroup")) or "").upper()
        if child == "COMMUNE":
            found = m.match_commune(name, province_code)
            if found.status != "matched":
                rule = "ambiguous_commune" if found.status == "ambiguous" else "unknown_commune"
                rejects.add(
                    i,
                    "departmentName",
                    name,
                    rule,
                    f'không xác định được xã "{name}" trong danh mục của {province_name} — kiểm tra tên '
                    f"đơn vị (departmentName).",
                    f'commune "{name}" cannot be identified in {province_name}\'s official list — check '
                    f"the unit name (departmentName).",
                )
                continue
            communes[found.code].append(i)
            kept[i] = ("commune", rec, score, ratio, delta)
        elif child == "AGENCY":
            key = _department_key(rec, name)
            departments[key].append(i)
            kept[i] = ("department", rec, score, ratio, delta)
        else:
            rejects.add(
                i,
                "childGroup",
                rec.get("childGroup"),
                "unknown_level",
                f'nhóm đơn vị "{_raw(rec.get("childGroup"))}" của "{name}" không rõ — cần COMMUNE hoặc '
                f"AGENCY; đơn vị không được nạp.",
                f'unit group "{_raw(rec.get("childGroup"))}" of "{name}" is not known — expected '
                f"COMMUNE or AGENCY; the unit is not loaded.",
            )
    for same in [*communes.values(), *departments.values()]:
        if len(same) > 1:
            shown = ", ".join(map(str, same))
            for i in same:
                rejects.add(
                    i,
                    "departmentName",
                    records[i - 1].get("departmentName"),
                    "duplicate_in_file",
                    f"đơn vị xuất hiện nhiều lần trong tệp (các mục {shown} của data.evaluation) — giữ lại "
                    f"một mục.",
                    f"the unit appears more than once in the file (items {shown} of data.evaluation) — "
                    f"keep one.",
                )
    rejected = rejects.rows_of()
    common = {"province_code": province_code, **_period_columns(per)}
    code_of = {i: code for code, rows in communes.items() for i in rows}
    totals, agencies, provinces = [], [], []
    for i, (unit_kind, rec, score, ratio, delta) in kept.items():
        if i in rejected:
            continue
        if unit_kind == "commune":
            totals.append(
                {
                    **common,
                    "commune_code": code_of[i],
                    "total_score": score,
                    "published_rank": None,
                    "layout": "six_groups",
                    "source_row": i,
                }
            )
        else:
            name = _text(rec.get("departmentName"))
            agencies.append(
                {
                    **common,
                    "department_key": _department_key(rec, name),
                    "department_id": _text(rec.get("departmentId")),
                    "department_code": _text(rec.get("departmentCode")),
                    "department_name": name,
                    "department_type": _text(rec.get("childGroup")),
                    "group_code": "TOTAL",
                    "score": score,
                    "max_score": TOTAL_MAX,
                    "ratio": ratio,
                    "score_delta": delta,
                    "source_row": i,
                }
            )
    if total is not None:
        before = len(rejects.rows)
        score, top, ratio, delta = _check_scores(
            total, TOTAL_MAX, province_name, 0, rejects, "evaluation", prefix="data.overview."
        )
        if len(rejects.rows) == before:
            provinces.append(
                {
                    **common,
                    "group_code": "TOTAL",
                    "score": score,
                    "max_score": top,
                    "ratio": ratio,
                    "score_delta": delta,
                    "national_rank": None,
                    "portal_code": _text(total.get("departmentCode")),
                    "source_row": 0,
                }
            )
    notes.insert(
        0,
        f"kết quả tổng hợp, kỳ {per.key}, {province_name}: {len(totals)} xã, {len(agencies)} sở/ngành / "
        f"service results, period {per.key}, {province_name}: {len(totals)} communes, "
        f"{len(agencies)} departments",
    )
    outputs = [
        C.Output(
            _temp_like(con, "fact_index_total", totals),
            "fact_index_total",
            ["commune_code", "period_type", "period"],
            primary=True,
        ),
        C.Output(
            _temp_like(con, "fact_index_department", agencies),
            "fact_index_department",
            ["province_code", "department_key", "period_type", "period", "group_code"],
        ),
        C.Output(
            _temp_like(con, "fact_index_province", provinces),
            "fact_index_province",
            ["province_code", "period_type", "period", "group_code"],
        ),
    ]
    n_rejected, reasons = _summary(rejects)
    return C.Staged(KIND, outputs, _rejects_table(con, rejects), len(records), n_rejected, reasons, notes)
