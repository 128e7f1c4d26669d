"""Column-mapping profiles: a file's own headers mapped to the contract's columns, by name.

One-stop systems name their columns their own way; when the aliases of `etl/sources/<kind>/spec.toml`
do not recognise a file's headers (or recognise one wrongly), the steward maps each of the file's
columns to a contract column once and saves the mapping as a named profile.  A profile is a small
TOML file in the profiles folder, `mappings/` beside the warehouse (`CDS_MAPPING_PROFILES` to move
it):

    name = "mot-cua-vnpt"
    kind = "dossiers"
    province = 25            # optional: saved by a steward of this province (the page keeps to it)
    description = "..."      # optional
    [columns]
    "So ho so" = "dossier_id"
    "Don vi xu ly" = "commune_name"

`python -m etl mapping list|show NAME|export NAME FILE|import FILE` manages them; `python -m etl load
--mapping NAME FILE` and the upload page apply one (`apply`): the mapped columns take their contract
names, a column the file would otherwise have matched to a mapped target is ignored, the others are
recognised as usual.  The load's manifest line and summary name the profile used.

A profile is refused with a message naming the fault (`ProfileError`): a name that is not a plain
file name (letters, digits, '-', '_', '.'; no path), an unknown kind, an unknown contract column, two
file columns mapped to one contract column, a required column left unmapped, a file too large.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import tomllib
from pathlib import Path

from etl import config
from etl import headers as H

PROFILES_ENV = "CDS_MAPPING_PROFILES"
SUFFIX = ".toml"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_PROFILE_BYTES = 64 * 1024
MAX_COLUMNS = 500
FILE_MODE = 0o640
MAPPABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")  # files with columns to map
DIR_MODE = 0o750


class ProfileError(ValueError):
    """A profile that cannot be used or stored; the messages say what to fix."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    kind: str
    columns: dict[str, str]  # the file's header -> contract column
    province: int | None = None
    description: str = ""

    def manifest(self) -> dict:
        """What the load manifest keeps of it (enough to replay the load: `from_manifest`)."""
        return {"name": self.name, "kind": self.kind, "columns": dict(self.columns)}

    @classmethod
    def from_manifest(cls, entry: dict | None) -> Profile | None:
        if not entry:
            return None
        return validate(entry.get("name", ""), entry.get("kind", ""), entry.get("columns") or {})


def profiles_dir(db_path: Path | str | None = None) -> Path:
    """`CDS_MAPPING_PROFILES`, else `mappings/` beside the warehouse."""
    env = os.environ.get(PROFILES_ENV)
    if env:
        return Path(env)
    return Path(db_path or config.default_db_path()).resolve().parent / "mappings"


def check_name(name: object) -> str:
    """A profile name is a plain file name: never a path, never hidden, at most 64 characters."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or ".." in name:
        shown = str(name)[:80]
        raise ProfileError(
            f'tên hồ sơ ánh xạ "{shown}" không hợp lệ — chỉ dùng chữ không dấu, số, "-", "_", "." '
            "(tối đa 64 ký tự, không có đường dẫn).",
            f'mapping profile name "{shown}" is not valid — use letters, digits, "-", "_", "." only '
            "(at most 64 characters, no path).",
        )
    return name


def contract_columns(kind: str) -> dict[str, list[str]]:
    """The contract's columns of `kind` and the header names accepted for each."""
    return H.KIND_COLUMNS[kind]


def validate(
    name: object, kind: object, columns: object, province: object = None, description: object = ""
) -> Profile:
    """A `Profile` from its parts, or `ProfileError` naming the first fault."""
    name = check_name(name)
    if kind not in H.KIND_COLUMNS:
        kinds = ", ".join(H.KIND_COLUMNS)
        raise ProfileError(
            f'hồ sơ ánh xạ "{name}": loại tệp "{kind}" không có — dùng một trong: {kinds}.',
            f'mapping profile "{name}": kind "{kind}" does not exist — use one of: {kinds}.',
        )
    if not isinstance(columns, dict) or not columns:
        raise ProfileError(
            f'hồ sơ ánh xạ "{name}": chưa có cột nào — thêm bảng [columns] "tên cột trong tệp" = "cột chuẩn".',
            f'mapping profile "{name}": no columns — add a [columns] table of "file header" = "contract column".',
        )
    if len(columns) > MAX_COLUMNS:
        raise ProfileError(
            f'hồ sơ ánh xạ "{name}": {len(columns)} cột, quá {MAX_COLUMNS}.',
            f'mapping profile "{name}": {len(columns)} columns, more than {MAX_COLUMNS}.',
        )
    known = contract_columns(kind)
    targets: dict[str, str] = {}
    keys: dict[str, str] = {}
    for header, target in columns.items():
        if not isinstance(header, str) or not header.strip() or len(header) > 200:
            raise ProfileError(
                f'hồ sơ ánh xạ "{name}": tên cột trong tệp "{str(header)[:80]}" không hợp lệ (rỗng hoặc quá dài).',
                f'mapping profile "{name}": file header "{str(header)[:80]}" is not valid (empty or too long).',
            )
        if target not in known:
            accepted = ", ".join(known)
            raise ProfileError(
                f'hồ sơ ánh xạ "{name}": cột "{header}" ánh xạ vào "{str(target)[:80]}", không phải cột '
                f"chuẩn của loại {kind} — dùng một trong: {accepted}.",
                f'mapping profile "{name}": column "{header}" maps to "{str(target)[:80]}", which is not a '
                f"contract column of kind {kind} — use one of: {accepted}.",
            )
        if target in targets:
            raise ProfileError(
                f'hồ sơ ánh xạ "{name}": hai cột "{targets[target]}" và "{header}" cùng ánh xạ vào "{target}" '
                "— giữ một.",
                f'mapping profile "{name}": both "{targets[target]}" and "{header}" map to "{target}" — '
                "keep one.",
            )
        key = H.header_key(header)
        if key in keys:
            raise ProfileError(
                f'hồ sơ ánh xạ "{name}": "{keys[key]}" và "{header}" là cùng một cột của tệp — giữ một.',
                f'mapping profile "{name}": "{keys[key]}" and "{header}" are the same file column — keep one.',
            )
        targets[target], keys[key] = header, header
    missing = H.missing_required(kind, set(targets))
    if missing:
        names = "; ".join(" / ".join(f"{alt} ({known[alt][0]})" for alt in m.split("|")) for m in missing)
        raise ProfileError(
            f'hồ sơ ánh xạ "{name}": thiếu cột bắt buộc {names} — chọn cột của tệp cho cột này.',
            f'mapping profile "{name}": required column {names} is not mapped — map a file column to it.',
        )
    if province is not None and (isinstance(province, bool) or not isinstance(province, int)):
        raise ProfileError(
            f'hồ sơ ánh xạ "{name}": province phải là mã tỉnh (số).',
            f'mapping profile "{name}": province must be a province code (a number).',
        )
    return Profile(name, str(kind), dict(columns), province, str(description or "")[:500])


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, and json.dumps never writes '\\/')."""
    return json.dumps(text, ensure_ascii=False)


def to_toml(profile: Profile) -> str:
    lines = [f"name = {_q(profile.name)}", f"kind = {_q(profile.kind)}"]
    if profile.province is not None:
        lines.append(f"province = {int(profile.province)}")
    if profile.description:
        lines.append(f"description = {_q(profile.description)}")
    lines.append("")
    lines.append("[columns]")
    lines += [f"{_q(header)} = {_q(target)}" for header, target in profile.columns.items()]
    return "\n".join(lines) + "\n"


def from_toml(text: str, source: str = "") -> Profile:
    where = source or "TOML"
    if len(text.encode("utf-8")) > MAX_PROFILE_BYTES:
        raise ProfileError(
            f"{where}: tệp hồ sơ ánh xạ quá lớn (tối đa {MAX_PROFILE_BYTES // 1024} KB).",
            f"{where}: the mapping profile file is too large (at most {MAX_PROFILE_BYTES // 1024} KB).",
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(
            f"{where}: không đọc được TOML ({err}) — sửa tệp.",
            f"{where}: not valid TOML ({err}) — fix the file.",
        ) from err
    unknown = set(data) - {"name", "kind", "province", "description", "columns"}
    if unknown:
        raise ProfileError(
            f"{where}: khóa không biết {', '.join(sorted(unknown))} — chỉ dùng name, kind, province, "
            "description, [columns].",
            f"{where}: unknown keys {', '.join(sorted(unknown))} — use name, kind, province, description, "
            "[columns] only.",
        )
    return validate(
        data.get("name"),
        data.get("kind"),
        data.get("columns"),
        data.get("province"),
        data.get("description", ""),
    )


def _path(name: str, folder: Path) -> Path:
    path = folder / f"{check_name(name)}{SUFFIX}"
    # (check_name already refuses separators and '..'; this is the second lock on the door)
    if path.parent.resolve() != folder.resolve() or path.name != f"{name}{SUFFIX}":
        raise ProfileError(
            f'"{name}": ngoài thư mục hồ sơ ánh xạ.', f'"{name}": outside the profiles folder.'
        )
    return path


def list_profiles(folder: Path | None = None) -> list[Profile]:
    """Every valid profile of the folder, by name (a broken file is skipped; `load_profile` says why)."""
    folder = folder or profiles_dir()
    out = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        with contextlib.suppress(ProfileError, OSError):
            out.append(load_profile(path.stem, folder))
    return out


def load_profile(name: str, folder: Path | None = None) -> Profile:
    folder = folder or profiles_dir()
    path = _path(name, folder)
    if path.is_symlink() or not path.is_file():
        raise ProfileError(
            f'không có hồ sơ ánh xạ "{name}" trong {folder} — xem: python -m etl mapping list.',
            f'no mapping profile "{name}" in {folder} — see: python -m etl mapping list.',
        )
    if path.stat().st_size > MAX_PROFILE_BYTES:
        return from_toml("x" * (MAX_PROFILE_BYTES + 1), path.name)
    profile = from_toml(path.read_text(encoding="utf-8"), path.name)
    if profile.name != name:
        raise ProfileError(
            f'{path.name}: tên trong tệp là "{profile.name}", không phải "{name}" — sửa name.',
            f'{path.name}: the name inside is "{profile.name}", not "{name}" — fix name.',
        )
    return profile


def save_profile(
    profile: Profile, folder: Path | None = None, *, replace: bool = False, province: int | None = None
) -> Path:
    """Write `profile` atomically (a private temp file renamed over), owner read-write, group read.

    `replace`: overwrite a profile of that name.  `province`: the saver is a steward of this
    province: a profile another province saved is never overwritten."""
    folder = folder or profiles_dir()
    validate(profile.name, profile.kind, profile.columns, profile.province, profile.description)
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=DIR_MODE, parents=True)
    path = _path(profile.name, folder)
    if path.exists() or path.is_symlink():
        if not replace:
            raise ProfileError(
                f'hồ sơ ánh xạ "{profile.name}" đã có — chọn tên khác hoặc chọn ghi đè.',
                f'mapping profile "{profile.name}" exists already — choose another name or replace it.',
            )
        if province is not None:
            try:
                old = load_profile(profile.name, folder)
            except ProfileError:
                old = None
            if old is None or old.province != province:
                raise ProfileError(
                    f'hồ sơ ánh xạ "{profile.name}" thuộc tỉnh khác hoặc dùng chung — lưu với tên khác.',
                    f'mapping profile "{profile.name}" belongs to another province or to everyone — save it '
                    "under another name.",
                )
    tmp = folder / f".{profile.name}.{os.getpid()}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(to_toml(profile))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)  # (replaces a symlink itself, never its target)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _own(name: str, folder: Path, province: int | None) -> Profile:
    """The saved profile `name`, refused to a steward of `province` unless it is that province's."""
    profile = load_profile(name, folder)
    if province is not None and profile.province != province:
        raise ProfileError(
            f'hồ sơ ánh xạ "{name}" thuộc tỉnh khác hoặc dùng chung — chỉ quản trị viên mới đổi hoặc xoá được.',
            f'mapping profile "{name}" belongs to another province or to everyone — only an administrator '
            "can change or delete it.",
        )
    return profile


def delete_profile(name: str, folder: Path | None = None, *, province: int | None = None) -> None:
    """Remove a saved profile.  `province`: the remover is a steward of this province and may only
    remove that province's own profiles.  Loads made with it keep its columns in the manifest
    (`rebuild` replays them without the file)."""
    folder = folder or profiles_dir()
    _own(name, folder, province)
    _path(name, folder).unlink()


def rename_profile(old: str, new: str, folder: Path | None = None, *, province: int | None = None) -> Path:
    """Save profile `old` under the name `new` (never over an existing profile), then remove `old`."""
    folder = folder or profiles_dir()
    profile = _own(old, folder, province)
    check_name(new)
    if new == old:
        return _path(old, folder)
    path = save_profile(
        Profile(new, profile.kind, dict(profile.columns), profile.province, profile.description), folder
    )
    _path(old, folder).unlink()
    return path


def apply(profile: Profile, file_headers: list[str]) -> list[str]:
    """The file's headers as the profile reads them: a mapped column takes its contract column's
    name; a column the aliases would match to a mapped contract column is blanked (ignored); the
    others stay as they are."""
    by_key = {H.header_key(h): target for h, target in profile.columns.items()}
    taken = set(profile.columns.values())
    auto = H.map_headers(profile.kind, file_headers)
    out = []
    for pos, header in enumerate(file_headers):
        target = by_key.get(H.header_key(header))
        if target is not None:
            out.append(target)
        elif auto.get(pos) in taken:
            out.append("")
        else:
            out.append(header)
    return out


def header_keys(profile: Profile) -> frozenset[str]:
    """The keys (`headers.header_key`) of the file columns the profile names."""
    return frozenset(H.header_key(h) for h in profile.columns)


def unmatched(profile: Profile, file_headers: list[str]) -> list[str]:
    """The profile's file columns this file does not have."""
    keys = {H.header_key(h) for h in file_headers}
    return [h for h in profile.columns if H.header_key(h) not in keys]


def file_headers(path: Path) -> list[str]:
    """The file's own column names, for mapping them: the header row the reader finds, else the
    first non-blank row (a file whose headers no alias knows)."""
    import duckdb

    from etl.readers import SourceFileError, read_source

    if path.suffix.lower() not in MAPPABLE_SUFFIXES:
        return []  # (a portal JSON has no columns to map)
    con = duckdb.connect()
    try:
        return [str(h) for h in read_source(path, con, lazy=True).headers]  # (a plain CSV is not read)
    except SourceFileError:
        pass
    finally:
        con.close()
    rows: list[list[str]] = []
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        for row in sheet.iter_rows():
            rows.append([str(c).strip() if c is not None else "" for c in row])
            if len(rows) >= 30:
                break
    else:
        import csv

        with path.open("rb") as fh:
            raw = fh.read(256 * 1024)
        for encoding in ("utf-8-sig", "utf-16", "cp1258"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return []
        lines = [line for line in text.splitlines()[:31] if line.strip()][:30]
        if not lines:
            return []
        try:
            delimiter = (
                csv.Sniffer().sniff(lines[0] if len(lines) == 1 else "\n".join(lines[-2:]), ",;\t|").delimiter
            )
        except csv.Error:
            delimiter = ","
        try:
            rows = [[c.strip() for c in r] for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:  # (not a CSV after all, e.g. one enormous field)
            return []
    # The header: the first of the widest rows (a title above it is narrower; data rows come after).
    filled = [sum(1 for c in r if c) for r in rows]
    if not filled or max(filled) == 0:
        return []
    return _trim_blank_tail(rows[filled.index(max(filled))])


def _trim_blank_tail(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def head_copy(path: Path, folder: Path, lines: int = 200) -> Path:
    """The file's first `lines` lines under `folder` with its name (a CSV's live preview stages only
    these); a workbook is copied whole (it is not line-based)."""
    import shutil

    target = folder / path.name
    if path.suffix.lower() not in (".csv", ".txt"):
        shutil.copyfile(path, target)
        return target
    with path.open("rb") as src, target.open("wb") as out:
        for i, line in enumerate(src):
            if i >= lines:
                break
            out.write(line)
    return target
