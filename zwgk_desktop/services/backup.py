"""Backups that really restore: create, verify, restore, and the automatic daily backup with rotation.

A backup is a folder `zwgk-backup-<township>-<UTC stamp>/` holding
- `zwgk.sqlite3`: a consistent snapshot of the live database taken with
  SQLite's online backup API (safe while the app runs), journal mode DELETE
  so opening it never leaves -wal/-shm files behind; the database's pages
  are checked (`quick_check`) while it is copied, and a damaged one gives
  no backup (`database_corrupt`);
- `archive/…`: the photo and print archive (`config.archive_dir`), copied
  after the snapshot so every file the snapshot refers to is present;
- `settings.json` when the data dir has one;
- `manifest.json`, written last: format marker, township, schema revision and
  the size and SHA-256 of every other file.
It is written as `<name>.partial/` and renamed only when complete, so an
interrupted backup never looks complete; `verify_backup` refuses a
`.partial` folder. `restore_backup` fills an EMPTY data dir only: it checks
every hash, copies into a temp folder next to the target and renames it into
place, so a damaged or foreign backup restores nothing at all.

`backup_due` / `auto_backup` / `rotate_backups` are what the UI calls at
start-up and on a timer; the Setting `last_backup` records when and where.
No Qt here.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

from zwgk_desktop import __version__
from zwgk_desktop.config import DB_FILE, SETTINGS_FILE, Config
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.errors import Cancelled, NotAllowed, NotFound, ZwgkError
from zwgk_desktop.fileio import fsync_directory

MANIFEST = "manifest.json"
FORMAT = "zwgk-backup"
FORMAT_VERSION = 1
PREFIX = "zwgk-backup-"
PARTIAL_SUFFIX = ".partial"
ARCHIVE_SUBDIR = "archive"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
CHUNK = 1024 * 1024
SETTING_LAST_BACKUP = "last_backup"
DEFAULT_BACKUP_SUBDIR = "backups"
BACKUP_INTERVAL = timedelta(hours=24)
STALE_PARTIAL_AGE = timedelta(hours=24)
SNAPSHOT_MMAP_BYTES = 1 << 31  # read the live database through a memory map while copying it (up to 2 GB)
_SKIPPED_SUFFIXES = (".tmp", ".partial")


class BackupError(ZwgkError):
    code = "backup_failed"


class BackupInvalid(ZwgkError):
    """The backup is incomplete, damaged or not ours; nothing was restored."""

    code = "backup_invalid"


@dataclass
class Problem:
    code: str  # missing | modified | extra | manifest_missing | manifest_damaged | foreign | incomplete | not_found
    file: str
    message: str


@dataclass
class BackupResult:
    path: str
    ok: bool
    files: int
    problems: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"path": self.path, "ok": self.ok, "files": self.files, "problems": [asdict(p) for p in self.problems]}


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _copy_file(src: Path, dst: Path, *, sync: bool = True) -> tuple[int, str]:
    """Copy `src` to `dst` (fsynced unless `sync=False`: then the caller `_fsync`s it later), hashing the bytes
    written; returns (size, sha256)."""
    digest = hashlib.sha256()
    size = 0
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(CHUNK):
            fout.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        fout.flush()
        if sync:
            os.fsync(fout.fileno())
    return size, digest.hexdigest()


def _fsync(path: Path) -> None:
    """Flush a written file to the disk. Done for all archive copies after writing them all: the first flush
    then carries most of the data, instead of one disk commit per small photo."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_parent(root: Path, target: Path) -> None:
    """Create `target`'s folders inside `root`, never `root` itself (a vanished USB disk stays vanished)."""
    if not root.is_dir():
        raise FileNotFoundError(errno.ENOENT, "backup folder disappeared", str(root))
    target.parent.mkdir(parents=True, exist_ok=True)


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _safe_name(text: str) -> str:
    cleaned = re.sub(r"[^\w\u3400-\u9fff\U00020000-\U0003134f-]+", "_", text or "").strip("_")
    return cleaned[:40] or "township"


def _os_error_message(exc: OSError, where: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"备份位置 {where} 磁盘空间不足，备份未完成，已清除未完成的文件。请换一个有足够空间的位置（如移动硬盘）后重试。"
    if isinstance(exc, FileNotFoundError):
        return f"备份位置 {where} 在备份过程中不可用（可能被拔出或删除），备份未完成。请检查后重试。"
    if isinstance(exc, PermissionError):
        return f"没有权限写入备份位置 {where}，备份未完成。请换一个位置或检查文件夹权限。"
    return f"写入备份位置 {where} 失败（{exc.strerror or exc}），备份未完成，已清除未完成的文件。"


def _archive_files(archive_dir: Path) -> list[Path]:
    """Every archive file worth keeping (temp files of writes in progress are skipped), sorted."""
    if not archive_dir.is_dir():
        return []
    files = []
    for path in archive_dir.rglob("*"):
        if path.is_file() and not path.name.startswith(".") and not path.name.endswith(_SKIPPED_SUFFIXES):
            files.append(path)
    return sorted(files)


def _snapshot_database(source: Path, target: Path) -> tuple[str, str | None]:
    """Online-backup the live database to `target`; returns (township name, schema revision)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        # The source is read through a memory map (no system call per page), and the copy is a new file in a
        # .partial folder: no need for SQLite to sync every step of it; the caller flushes it to the disk once,
        # whole (together about twice as fast on a large database).
        src.execute(f"PRAGMA mmap_size={SNAPSHOT_MMAP_BYTES}")
        dst.execute("PRAGMA synchronous=OFF")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        township = _scalar(dst, "SELECT name FROM township LIMIT 1") or ""
        revision = _scalar(dst, "SELECT version_num FROM alembic_version")
        dst.commit()
    finally:
        dst.close()
        src.close()
    return township, revision


def _check_pages(path: Path) -> None:
    """`PRAGMA quick_check` of the database being copied; a `BackupError` when it fails (the backup is then not
    kept). It reads the same pages as the copy, at the same time, through the same memory map."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute(f"PRAGMA mmap_size={SNAPSHOT_MMAP_BYTES}")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:  # damaged beyond what quick_check can list ("malformed")
        check = str(exc)
    finally:
        conn.close()
    if check != "ok":
        raise BackupError(f"数据库完整性检查未通过（{check}），没有生成备份。请先运行 zwgk db check。", code="database_corrupt")


def _scalar(conn: sqlite3.Connection, sql: str):
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())


# --------------------------------------------------------------------------
# Create
# --------------------------------------------------------------------------


def _final_name(dest: Path, township: str, now: datetime) -> Path:
    base = f"{PREFIX}{_safe_name(township)}-{now.strftime(STAMP_FORMAT)}"
    candidate, n = dest / base, 1
    while candidate.exists() or candidate.with_name(candidate.name + PARTIAL_SUFFIX).exists():
        n += 1
        candidate = dest / f"{base}-{n}"
    return candidate


def create_backup(config: Config, dest_dir, job: Job | None = None, *, database=None) -> BackupResult:
    """Back up the data dir into `dest_dir`; nothing complete-looking is left if it fails.

    With `database` (an open `Database`) the Setting `last_backup` is updated.
    """
    job = job or Job()
    if not config.db_path.exists():
        raise NotFound(f"数据目录 {config.data_dir} 中没有数据库，没有可备份的内容。")
    dest = Path(dest_dir).expanduser().resolve()
    if dest == config.archive_dir or config.archive_dir in dest.parents:
        raise BackupError(f"备份位置不能放在档案文件夹 {config.archive_dir} 里面，请另选一个位置。", code="bad_destination")
    now = _utc_now()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        final = _final_name(dest, _live_township(config), now)
        partial = final.with_name(final.name + PARTIAL_SUFFIX)
        partial.mkdir()
    except OSError as exc:
        raise BackupError(_os_error_message(exc, dest)) from exc
    try:
        files = _fill_backup(config, partial, now, job)
        os.rename(partial, final)
        fsync_directory(dest)
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(exc, OSError):
            raise BackupError(_os_error_message(exc, dest)) from exc
        raise
    result = BackupResult(path=str(final), ok=True, files=files)
    if database is not None:
        record_last_backup(database, result, now)
    return result


def _live_township(config: Config) -> str:
    try:
        conn = sqlite3.connect(f"file:{config.db_path}?mode=ro", uri=True)
        try:
            return _scalar(conn, "SELECT name FROM township LIMIT 1") or ""
        finally:
            conn.close()
    except sqlite3.Error:
        return ""


def _fill_backup(config: Config, partial: Path, now: datetime, job: Job) -> int:
    archive = _archive_files(config.archive_dir)
    extras = [config.data_dir / SETTINGS_FILE] if (config.data_dir / SETTINGS_FILE).is_file() else []
    total = 1 + len(archive) + len(extras)
    job.progress(0, total, "正在备份数据库…")
    # Every step reads or writes the whole database, and SQLite, hashlib and fsync all let go of the
    # interpreter, so they run side by side on two cores: the page check of the database while it is copied,
    # then the copy's flush to the disk while it is hashed and the archive copied. (Leaving the pool waits for
    # both helpers, also on an error, before the caller may remove the folder.)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="zwgk-backup") as helpers:
        checked = helpers.submit(_check_pages, config.db_path)
        township, revision = _snapshot_database(config.db_path, partial / DB_FILE)
        flushed = helpers.submit(_fsync, partial / DB_FILE)
        database_copy, files = _copy_rest(config, partial, archive + extras, total, job)
    checked.result()  # raises BackupError when the database is not sound: nothing is kept
    flushed.result()  # on the disk before the manifest says the backup is complete
    entries = [_entry(DB_FILE, *database_copy), *files]
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": __version__,
        "created_at": now.isoformat(timespec="microseconds"), "township": township, "schema_revision": revision,
        "database": DB_FILE, "files": entries,
    }
    _write_json(partial / MANIFEST, manifest)
    fsync_directory(partial)
    return len(entries)


def _copy_rest(config: Config, partial: Path, sources: list[Path], total: int,
               job: Job) -> tuple[tuple[int, str], list[dict]]:
    """Hash the database copy, then copy (and hash) the archive files: ((size, sha256) of the database copy,
    the manifest entries of the files)."""
    database_copy = _hash_file(partial / DB_FILE)
    entries: list[dict] = []
    job.check()
    written = []
    for n, path in enumerate(sources, start=1):
        relative = (PurePosixPath(ARCHIVE_SUBDIR) / path.relative_to(config.archive_dir).as_posix()
                    if path.is_relative_to(config.archive_dir) else PurePosixPath(path.name))
        _make_parent(partial, partial / Path(relative))
        size, sha = _copy_file(path, partial / Path(relative), sync=False)
        written.append(partial / Path(relative))
        entries.append(_entry(str(relative), size, sha))
        job.progress(n + 1, total, f"正在备份文件 {n}/{total - 1}…")
        job.check()
    for path in written:  # every copy is on the disk before the manifest says the backup is complete
        _fsync(path)
    return database_copy, entries


def _entry(path: str, size: int, sha: str) -> dict:
    return {"path": path, "size": size, "sha256": sha}


# --------------------------------------------------------------------------
# Verify
# --------------------------------------------------------------------------


def _problem(code: str, file: str, message: str) -> Problem:
    return Problem(code=code, file=file, message=message)


def _safe_relative(raw: object) -> PurePosixPath | None:
    if not isinstance(raw, str) or not raw or "\\" in raw:
        return None
    rel = PurePosixPath(raw)
    if rel.is_absolute() or any(part in ("", ".", "..") for part in rel.parts) or raw == MANIFEST:
        return None
    return rel


def read_manifest(folder: Path) -> tuple[dict | None, list[Problem]]:
    """The manifest of a backup folder, or the problems that make it unusable."""
    path = folder / MANIFEST
    if not path.is_file():
        return None, [_problem("manifest_missing", MANIFEST, "缺少备份清单 manifest.json：这不是一个完整的本系统备份。")]
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None, [_problem("manifest_damaged", MANIFEST, "备份清单 manifest.json 已损坏，无法读取。")]
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None, [_problem("foreign", MANIFEST, "这不是本系统（乡镇政务公开系统）生成的备份，不能使用。")]
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        return None, [_problem("foreign", MANIFEST, "该备份由更新版本的本系统生成，请升级程序后再使用。")]
    entries = manifest.get("files")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and _safe_relative(e.get("path")) and isinstance(e.get("sha256"), str)
        and isinstance(e.get("size"), int) for e in entries
    ):
        return None, [_problem("manifest_damaged", MANIFEST, "备份清单 manifest.json 内容不完整或已被改动。")]
    if manifest.get("database", DB_FILE) not in {e["path"] for e in entries}:
        return None, [_problem("manifest_damaged", MANIFEST, "备份清单中没有数据库文件，备份不完整。")]
    return manifest, []


def verify_backup(path, job: Job | None = None) -> BackupResult:
    """Check every file of a backup against its manifest; say exactly what is wrong."""
    job = job or Job()
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        problem = _problem("not_found", str(folder), f"找不到备份文件夹 {folder}。")
        return BackupResult(str(folder), False, 0, [problem])
    if folder.name.endswith(PARTIAL_SUFFIX):
        problem = _problem("incomplete", folder.name, "这是一个未完成的备份（.partial），备份过程曾被中断，不能使用。")
        return BackupResult(str(folder), False, 0, [problem])
    manifest, problems = read_manifest(folder)
    if manifest is None:
        return BackupResult(str(folder), False, 0, problems)
    entries = manifest["files"]
    listed = set()
    for n, entry in enumerate(entries, start=1):
        rel = entry["path"]
        listed.add(rel)
        problems.extend(_check_entry(folder, entry))
        job.progress(n, len(entries), f"正在校验 {n}/{len(entries)}…")
        job.check()
    for extra in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = extra.relative_to(folder).as_posix()
        if rel != MANIFEST and rel not in listed:
            problems.append(_problem("extra", rel, f"多出文件 {rel}：不在备份清单中，备份可能被改动过。"))
    return BackupResult(str(folder), not problems, len(entries), problems)


def _check_entry(folder: Path, entry: dict) -> list[Problem]:
    rel = entry["path"]
    target = folder / Path(rel)
    if not target.is_file():
        return [_problem("missing", rel, f"缺少文件 {rel}。")]
    try:
        size, sha = _hash_file(target)
    except OSError as exc:
        return [_problem("unreadable", rel, f"无法读取文件 {rel}（{exc.strerror or exc}）。")]
    if size != entry["size"] or sha != entry["sha256"]:
        return [_problem("modified", rel, f"文件 {rel} 与备份时不一致（已损坏或被改动）。")]
    return []


# --------------------------------------------------------------------------
# Restore
# --------------------------------------------------------------------------


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def restore_backup(path, config: Config, job: Job | None = None) -> BackupResult:
    """Restore a verified backup into `config.data_dir`, which must be empty or absent.

    Everything is copied (and re-hashed) into a temp folder next to the target
    and renamed into place at the end; on any failure nothing is left behind.
    """
    job = job or Job()
    target = config.data_dir
    if target.exists() and not _is_empty_dir(target):
        raise NotAllowed(
            f"数据目录 {target} 不是空的，为防止覆盖现有数据，恢复只能在空的数据目录中进行。"
            "请用 --data-dir 指定一个新的空目录，或先把现有目录移走。",
            code="target_not_empty", detail={"data_dir": str(target)},
        )
    checked = verify_backup(path, job)
    if not checked.ok:
        codes = {p.code for p in checked.problems}
        what = "不是本系统的备份" if "foreign" in codes else "不完整或已损坏"
        listed = "；".join(p.message for p in checked.problems[:5])
        raise BackupInvalid(
            f"备份 {checked.path} {what}，没有恢复任何数据：{listed}",
            code="backup_foreign" if "foreign" in codes else "backup_invalid",
            detail=checked.as_json(),
        )
    folder = Path(checked.path)
    manifest, _ = read_manifest(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.restore-", dir=target.parent))
    except OSError as exc:
        raise BackupError(_os_error_message(exc, target.parent), code="restore_failed") from exc
    try:
        _copy_into(folder, staging, manifest, job)
        if target.exists():
            target.rmdir()
        os.rename(staging, target)
        fsync_directory(target.parent)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise BackupError(_os_error_message(exc, target.parent).replace("备份", "恢复"), code="restore_failed") from exc
        raise
    return BackupResult(path=str(target), ok=True, files=len(manifest["files"]))


def _copy_into(folder: Path, staging: Path, manifest: dict, job: Job) -> None:
    from zwgk_desktop.core.schema import check_sqlite_file

    entries = manifest["files"]
    for n, entry in enumerate(entries, start=1):
        rel = Path(entry["path"])
        _make_parent(staging, staging / rel)
        size, sha = _copy_file(folder / rel, staging / rel)
        if size != entry["size"] or sha != entry["sha256"]:
            raise BackupInvalid(f"恢复过程中发现文件 {entry['path']} 与备份清单不一致，没有恢复任何数据。")
        job.progress(n, len(entries), f"正在恢复 {n}/{len(entries)}…")
        job.check()
    check_sqlite_file(staging / manifest.get("database", DB_FILE))


# --------------------------------------------------------------------------
# Automatic daily backup and rotation
# --------------------------------------------------------------------------


def default_backup_dir(config: Config) -> Path:
    """`settings.backup_dir` if set (e.g. a second disk), else `<data dir>/backups`."""
    chosen = (config.settings.backup_dir or "").strip()
    return Path(chosen).expanduser() if chosen else config.data_dir / DEFAULT_BACKUP_SUBDIR


def _stamp_of(folder: Path) -> str:
    match = re.search(r"(\d{8}T\d{6}Z)(?:-\d+)?$", folder.name)
    return match.group(1) if match else ""


def complete_backups(dest) -> list[Path]:
    """Complete backups (manifest present, not .partial) in `dest`, oldest first."""
    dest = Path(dest)
    if not dest.is_dir():
        return []
    found = [
        p for p in dest.iterdir()
        if p.is_dir() and p.name.startswith(PREFIX) and not p.name.endswith(PARTIAL_SUFFIX) and (p / MANIFEST).is_file()
    ]
    return sorted(found, key=_created_key)


def _created_key(folder: Path) -> tuple[str, str]:
    """Sort key: the manifest's creation time (microseconds), else the name's stamp."""
    try:
        created = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("created_at", "")
    except (OSError, ValueError, AttributeError):
        created = ""
    return (str(created) or _stamp_of(folder), folder.name)


def rotate_backups(dest, keep: int, *, now: datetime | None = None) -> list[Path]:
    """Delete all but the newest `keep` (≥ 1) complete backups and stale .partial leftovers; return what was removed."""
    keep = max(1, int(keep))
    backups = complete_backups(dest)
    removed = backups[: max(0, len(backups) - keep)]
    now = now or _utc_now()
    dest = Path(dest)
    if dest.is_dir():
        for p in dest.iterdir():
            if p.is_dir() and p.name.startswith(PREFIX) and p.name.endswith(PARTIAL_SUFFIX):
                age = now - datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)
                if age > STALE_PARTIAL_AGE:
                    removed.append(p)
    for p in removed:
        shutil.rmtree(p, ignore_errors=True)
    return removed


def last_backup(config: Config) -> dict | None:
    """The Setting `last_backup` ({at, path, files}) read without opening a session, or None."""
    if not config.db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{config.db_path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM setting WHERE key = ?", (SETTING_LAST_BACKUP,)).fetchone()
        finally:
            conn.close()
        value = json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def backup_due(config: Config, now: datetime | None = None) -> bool:
    """True when the last automatic/manual backup is missing, gone, or older than a day."""
    now = now or _utc_now()
    info = last_backup(config)
    if not info or not info.get("at"):
        return True
    if info.get("path") and not Path(info["path"]).is_dir():
        return True
    try:
        at = datetime.fromisoformat(info["at"])
    except (TypeError, ValueError):
        return True
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return now - at >= BACKUP_INTERVAL


def record_last_backup(database, result: BackupResult, now: datetime | None = None) -> None:
    from zwgk_desktop.core.users import set_setting

    value = {"at": (now or _utc_now()).isoformat(timespec="seconds"), "path": result.path, "files": result.files}
    with database.session(user="backup") as session:
        set_setting(session, SETTING_LAST_BACKUP, value)


def auto_backup(config: Config, database, job: Job | None = None, *, force: bool = False) -> BackupResult | None:
    """The daily backup the UI runs at start-up and on a timer: back up if due, then rotate. None if not due."""
    if not force and not backup_due(config):
        return None
    dest = default_backup_dir(config)
    result = create_backup(config, dest, job, database=database)
    rotate_backups(dest, config.settings.backup_keep)
    return result


__all__ = [
    "BackupError", "BackupInvalid", "BackupResult", "Cancelled", "Problem", "auto_backup", "backup_due",
    "complete_backups", "create_backup", "default_backup_dir", "last_backup", "restore_backup", "rotate_backups",
    "verify_backup",
]
