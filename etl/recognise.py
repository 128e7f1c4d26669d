"""A file's kind and columns, or a whole-file error that says precisely why not.

`column_map(kind, table)` maps a read file's header cells to the kind's contract columns
(`etl.headers.match_headers`: exact aliases, then words and abbreviations) and refuses the file
when a required column is missing or a header fits two columns equally.  `unknown_kind(...)` is
the error for a file whose kind no header row satisfies.  Both messages name the closest kind,
each missing required column with every name accepted for it, and the file's own headers, so the
steward can rename a column (or pass --kind) without reading the code.
"""

from __future__ import annotations

from etl import headers as H
from etl.readers import SourceFileError, SourceTable

MAX_SHOWN_HEADERS = 40  # a file's own headers listed in a message (a wider file is cut, with a count)


def _label(kind: str) -> tuple[str, str]:
    vi, en = H.KIND_LABELS.get(kind, (kind, kind))
    return f"{vi} ({kind})", f"{en} ({kind})"


def _column_name(canonical: str) -> str:
    """'Mã hồ sơ (dossier_id)': a column's usual Vietnamese name and its contract name."""
    for cols in H.KIND_COLUMNS.values():
        if canonical in cols:
            vi = next(
                (a for a in cols[canonical] if not a.isascii()), cols[canonical][0] if cols[canonical] else ""
            )
            return f"{vi} ({canonical})" if vi and vi != canonical else canonical
    return canonical


def _accepted(kind: str, canonical: str) -> str:
    names = [a for a in H.KIND_COLUMNS[kind].get(canonical, []) if a != canonical] + [canonical]
    return ", ".join(f'"{n}"' for n in dict.fromkeys(names))


def _missing_lines(kind: str, missing: list[str]) -> tuple[list[str], list[str]]:
    vi, en = [], []
    for req in missing:
        alts = req.split("|")
        name = " / ".join(_column_name(a) for a in alts)
        names = "; ".join(_accepted(kind, a) for a in alts)
        vi.append(f"  - {name}: tên được chấp nhận {names}")
        en.append(f"  - {name}: accepted names {names}")
    return vi, en


def _own_headers(headers: list[str]) -> str:
    shown = [f'"{h}"' for h in headers[:MAX_SHOWN_HEADERS] if h]
    more = len([h for h in headers if h]) - len(shown)
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "") if shown else "—"


def _ambiguity_lines(kind: str, headers: list[str], found: list[H.Ambiguity]) -> tuple[list[str], list[str]]:
    vi, en = [], []
    for amb in found:
        cells = " / ".join(f'"{headers[p]}"' for p in amb.positions)
        if len(amb.columns) > 1:
            cols = " hoặc ".join(_column_name(c) for c in amb.columns)
            cols_en = " or ".join(_column_name(c) for c in amb.columns)
            vi.append(f"  - cột {cells} có thể là {cols} — đổi tên cột cho rõ")
            en.append(f"  - column {cells} could be {cols_en} — rename the column to say which")
        else:
            col = _column_name(amb.columns[0])
            vi.append(f"  - các cột {cells} đều có thể là {col} — đổi tên một cột cho rõ")
            en.append(f"  - columns {cells} could each be {col} — rename one of them to say which")
    return vi, en


def column_error(
    file_name: str, kind: str, headers: list[str], header_row: int, *, requested: bool = True
) -> SourceFileError | None:
    """The whole-file error for a file read as `kind` whose headers lack a required column or fit
    two columns equally; None when the headers are fine."""
    match = H.match_headers(kind, headers)
    missing = H.missing_required(kind, set(match.positions()))
    if not missing and not match.ambiguous:
        return None
    label_vi, label_en = _label(kind)
    vi = [f"{file_name}: dòng tiêu đề {header_row} không khớp loại tệp {label_vi}:"]
    en = [f"{file_name}: header row {header_row} does not fit the kind {label_en}:"]
    if missing:
        vi.append("thiếu cột bắt buộc:")
        en.append("required columns missing:")
        mv, me = _missing_lines(kind, missing)
        vi += mv
        en += me
    if match.ambiguous:
        vi.append("tên cột không rõ nghĩa (không đoán):")
        en.append("ambiguous column names (not guessed):")
        av, ae = _ambiguity_lines(kind, headers, match.ambiguous)
        vi += av
        en += ae
    vi.append(f"các cột của tệp: {_own_headers(headers)}")
    en.append(f"the file's columns: {_own_headers(headers)}")
    vi.append(
        "Cách sửa — đổi tên cột trong tệp theo một tên được chấp nhận"
        + (" hoặc kiểm tra --kind." if requested else " rồi nạp lại.")
        + " Không nạp gì từ tệp này."
    )
    en.append(
        "What to do — rename the file's columns to an accepted name"
        + (" or check --kind." if requested else " and load it again.")
        + " Nothing was loaded from this file."
    )
    return SourceFileError(file_name, "\n".join(vi), "\n".join(en), code="missing_columns")


def unknown_kind(file_name: str, headers: list[str], header_row: int, kinds: list[str]) -> SourceFileError:
    """No kind's required columns are all in the header row: name the closest kind and what it lacks."""
    kind = H.closest_kind(headers)
    match = H.match_headers(kind, headers)
    missing = H.missing_required(kind, set(match.positions()))
    label_vi, label_en = _label(kind)
    vi = [
        f"{file_name}: không nhận ra loại tệp từ dòng tiêu đề {header_row}; gần nhất là {label_vi}, "
        "nhưng thiếu cột bắt buộc:"
    ]
    en = [
        f"{file_name}: cannot tell the file kind from header row {header_row}; the closest is "
        f"{label_en}, which lacks required columns:"
    ]
    mv, me = _missing_lines(kind, missing)
    vi += mv
    en += me
    if match.ambiguous:
        av, ae = _ambiguity_lines(kind, headers, match.ambiguous)
        vi += ["tên cột không rõ nghĩa (không đoán):", *av]
        en += ["ambiguous column names (not guessed):", *ae]
    vi.append(f"các cột của tệp: {_own_headers(headers)}")
    en.append(f"the file's columns: {_own_headers(headers)}")
    vi.append(
        f"Cách sửa — đổi tên cột theo một tên được chấp nhận, hoặc chọn loại tệp với --kind {'|'.join(kinds)}. "
        "Không nạp gì từ tệp này."
    )
    en.append(
        f"What to do — rename the columns to an accepted name, or give the kind with --kind {'|'.join(kinds)}. "
        "Nothing was loaded from this file."
    )
    return SourceFileError(file_name, "\n".join(vi), "\n".join(en), code="unknown_kind")


def column_map(kind: str, table: SourceTable) -> tuple[dict[str, str], dict[str, str]]:
    """canonical -> SQL column (c0..) and canonical -> the header text as the file spells it.

    Raises SourceFileError (`column_error`) when a required column is missing or a header is
    ambiguous."""
    err = column_error(table.path.name, kind, table.headers, table.header_row)
    if err is not None:
        raise err
    positions = H.match_headers(kind, table.headers).positions()
    sql_cols = {canonical: f"c{pos}" for canonical, pos in positions.items()}
    header_text = {canonical: table.headers[pos] for canonical, pos in positions.items()}
    return sql_cols, header_text
