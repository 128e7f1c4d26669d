"""`python -m etl backup DIR` / `python -m etl restore DIR`: everything that cannot be rebuilt.

A backup holds:
  store/          the kept copy of every loaded source file, the manifest that replays them
                  (manifest.jsonl) and the upload audit journal: `python -m etl rebuild` recreates
                  the warehouse, facts and marts, from these alone;
  users/          the users file ($DASHBOARD_USERS_FILE);
  mappings/       the header-mapping profiles ($CDS_MAPPING_PROFILES, default `mappings/` beside the
                  warehouse);
  alert-rules/    the alert rules ($CDS_ALERT_RULES, default `alert-rules.toml` beside the warehouse);
  notify/         the record of notifications already sent ($CDS_NOTIFY_RECORD, default
                  `notify-sent.jsonl` beside the users file, else beside the warehouse);
and backup-manifest.json: for every item its source path and every file's size and SHA-256, and a
line for each item that does not exist on this server (skipped).  The warehouse itself is not
copied: it is rebuilt (smaller backups, and no copy of a file being swapped).

Consistent while the dashboard serves and a load may run: the store is copied holding the ETL's
writer lock shared (a load holds it exclusively from start to swap, so the copy sees the store
before or after a whole load, never half of one; a load started meanwhile waits for the copy);
the other files are replaced by their writers with an atomic rename, and the append-only records
are copied up to their last complete line.  The backup is written into a hidden folder and renamed
into place when complete, so a folder with a backup-manifest.json is a whole backup.

`restore` checks every checksum first (nothing is written if one differs), then copies into a
machine that holds none of it yet (refusing to overwrite anything), and says to run
`python -m etl rebuild` (or does it with --rebuild).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.config import SCHEMA_VERSION, default_db_path
from etl import config
from etl.loader import DATA_DIR_MODE, DATA_FILE_MODE, warehouse_lock

MANIFEST = "backup-manifest.json"
FORMAT = 1
USERS_ENV = "DASHBOARD_USERS_FILE"
MAPPINGS_ENV = "CDS_MAPPING_PROFILES"
ALERT_RULES_ENV = "CDS_ALERT_RULES"
NOTIFY_ENV = "CDS_NOTIFY_RECORD"
APPEND_ONLY = (".jsonl",)
DATED = re.compile(r"^cds-backup-\d{8}T\d{6}Z$")


class BackupError(RuntimeError):
    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.message_vi, self.message_en = message_vi, message_en


@dataclass(frozen=True)
class Item:
    name: str  # folder in the backup
    path: Path  # where it lives on this server
    is_dir: bool


def items(db_path: Path, env: dict | None = None) -> list[Item]:
    """What a backup holds on this server, with where each item lives (from the environment)."""
    env = os.environ if env is None else env
    db_path = Path(db_path).resolve()
    users = env.get(USERS_ENV, "").strip()
    users_path = Path(users).resolve() if users else None
    out = [Item("store", config.files_dir(db_path), True)]
    if users_path is not None:
        out.append(Item("users", users_path, False))
    out.append(Item("mappings", _path(env, MAPPINGS_ENV, db_path.parent / "mappings"), True))
    out.append(Item("alert-rules", _path(env, ALERT_RULES_ENV, db_path.parent / "alert-rules.toml"), False))
    notify_default = (users_path.parent if users_path else db_path.parent) / "notify-sent.jsonl"
    out.append(Item("notify", _path(env, NOTIFY_ENV, notify_default), False))
    return out


def _path(env, name: str, default: Path) -> Path:
    value = env.get(name, "").strip()
    return Path(value).resolve() if value else default


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _copy_file(src: Path, dst: Path) -> dict:
    """Copy one file (an append-only record up to its last complete line); return its entry."""
    dst.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(src, "rb") as fh:
        data = fh.read() if src.suffix in APPEND_ONLY else None
    if data is not None:
        cut = data.rfind(b"\n") + 1
        tmp = dst.with_name(dst.name + ".part")
        with open(tmp, "wb") as out:
            out.write(data[:cut])
        os.replace(tmp, dst)
    else:
        shutil.copyfile(src, dst)
    os.chmod(dst, 0o600)
    return {"size": dst.stat().st_size, "sha256": sha256_file(dst)}


def _files_of(item: Item) -> list[tuple[Path, str]]:
    """(absolute source file, path relative to the item) of an item, in a stable order."""
    if not item.is_dir:
        return [(item.path, item.path.name)]
    out = []
    for root, dirs, names in os.walk(item.path):
        dirs.sort()
        for n in sorted(names):
            p = Path(root) / n
            if n.endswith(".part") or p.is_symlink() or not p.is_file():
                continue  # a copy still being written by a load, or not a plain file
            out.append((p, str(p.relative_to(item.path))))
    return out


def backup(
    dest: Path,
    db_path: Path | None = None,
    *,
    dated: bool = False,
    keep: int | None = None,
    env: dict | None = None,
    on_wait: Callable[[str, str], None] | None = None,
    lock_timeout: float | None = None,
) -> dict:
    """Write a backup into `dest` (which must be empty or absent), or into a new dated folder under
    it (`dated`), then keep only the `keep` newest dated backups.  Returns the backup manifest."""
    db_path = Path(db_path or default_db_path()).resolve()
    started = time.perf_counter()
    dest = Path(dest)
    if dated:
        dest.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = dest / time.strftime("cds-backup-%Y%m%dT%H%M%SZ", time.gmtime())
    else:
        target = dest
    if target.exists() and any(target.iterdir()):
        raise BackupError(
            f"{target}: thư mục không trống — chọn một thư mục mới hoặc trống cho bản sao lưu.",
            f"{target}: the folder is not empty — choose a new or empty folder for the backup.",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o700)
    manifest: dict = {
        "format": FORMAT,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "warehouse": str(db_path),
        "schema_version": SCHEMA_VERSION,
        "items": [],
        "skipped": [],
    }
    try:
        for item in items(db_path, env):
            if not item.path.exists():
                manifest["skipped"].append(
                    {"item": item.name, "source": str(item.path), "reason": "does not exist on this server"}
                )
                continue
            lock = (
                warehouse_lock(db_path, shared=True, timeout=lock_timeout, on_wait=on_wait)
                if item.name == "store"
                else contextlib.nullcontext()
            )
            with lock:
                files = []
                for src, rel in _files_of(item):
                    entry = _copy_file(src, work / item.name / rel)
                    files.append({"path": rel, **entry})
            manifest["items"].append(
                {"item": item.name, "source": str(item.path), "is_dir": item.is_dir, "files": files}
            )
        manifest["seconds"] = round(time.perf_counter() - started, 3)
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    manifest["path"] = str(target)
    if dated and keep:
        for old in sorted(p for p in dest.iterdir() if DATED.match(p.name) and (p / MANIFEST).exists())[
            :-keep
        ]:
            shutil.rmtree(old)
    return manifest


def verify(src: Path) -> dict:
    """The backup's manifest, after checking every file's size and checksum (BackupError otherwise)."""
    src = Path(src)
    mpath = src / MANIFEST
    if not mpath.exists():
        raise BackupError(
            f"{src}: không phải bản sao lưu (thiếu {MANIFEST}).",
            f"{src}: not a backup ({MANIFEST} is missing).",
        )
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    for item in manifest["items"]:
        for f in item["files"]:
            p = src / item["item"] / f["path"]
            if not p.exists() or p.stat().st_size != f["size"] or sha256_file(p) != f["sha256"]:
                raise BackupError(
                    f"{p}: tệp thiếu hoặc đã bị thay đổi so với bản kê (SHA-256) — bản sao lưu không dùng được; "
                    "dùng bản sao lưu khác.",
                    f"{p}: missing or changed since the backup (SHA-256 differs) — this backup cannot be used; "
                    "use another one.",
                )
    return manifest


def restore(src: Path, db_path: Path | None = None, *, env: dict | None = None) -> dict:
    """Copy a verified backup onto this server: the store beside `db_path`, every other item where
    this server's environment puts it (or, when unset, where it was on the backed-up server).
    Refuses, before writing anything, when any destination already exists."""
    src = Path(src)
    manifest = verify(src)
    db_path = Path(db_path or default_db_path()).resolve()
    here = {i.name: i for i in items(db_path, env)}
    plan: list[tuple[dict, Path]] = []
    for item in manifest["items"]:
        target = here[item["item"]].path if item["item"] in here else Path(item["source"])
        plan.append((item, target))
    taken = [t for item, t in plan if t.exists() and (not item["is_dir"] or any(t.iterdir()))] + (
        [db_path] if db_path.exists() else []
    )
    if taken:
        names = ", ".join(str(t) for t in taken)
        raise BackupError(
            f"đã có dữ liệu ở: {names} — khôi phục vào một máy (thư mục) trống; không ghi đè gì.",
            f"already present: {names} — restore into an empty machine (folders); nothing was overwritten.",
        )
    restored = []
    for item, target in plan:
        mode = DATA_FILE_MODE if item["item"] == "store" else 0o600
        for f in item["files"]:
            dst = target / f["path"] if item["is_dir"] else target
            with contextlib.suppress(FileExistsError):
                dst.parent.mkdir(parents=True, mode=DATA_DIR_MODE)
            tmp = dst.with_name(dst.name + ".restore-part")
            shutil.copyfile(src / item["item"] / f["path"], tmp)
            os.chmod(tmp, mode)
            os.replace(tmp, dst)
        restored.append({"item": item["item"], "to": str(target), "files": len(item["files"])})
    return {
        "backup": str(src),
        "warehouse": str(db_path),
        "restored": restored,
        "skipped": manifest["skipped"],
    }
