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
- `manifest.json`, written last: format marker, township, schema revision,
  the audit chain head of the snapshot (a witness, see `core.audit`), the
  size and SHA-256 of every other file, and a signature: an HMAC of all
  that with the install key (`core.install_key`). A forged backup whose
  manifest lists recomputed hashes is reported as `signature_invalid` by the
  install that made it; elsewhere the signature can't be checked (the key
  never travels in a plain backup) and verify says so as a warning.
Every file and folder is readable by the owner only (600/700).

`create_backup(..., password=...)` instead writes ONE file
`zwgk-backup-<township>-<stamp>.zwgkenc` for USB sticks: the same members
(plus the install key, so a restore keeps the audit chain verifiable) in a
tar stream sealed with AES-256-GCM under a scrypt key from the password
(`services.backup_crypto`); verify and restore need the password.

Written as `<name>.partial` and renamed only when complete, so an
interrupted backup never looks complete; `verify_backup` refuses a
`.partial`. `restore_backup` fills an EMPTY data dir only: it checks every
hash (and the signature when it can), refuses a backup holding a link or a
special file anywhere, copies into a temp folder next to the target (files
opened without following links) and renames it into place, so a damaged,
forged or foreign backup restores nothing at all.

`backup_due` / `auto_backup` / `rotate_backups` are what the UI calls at
start-up and on a timer; the Setting `last_backup` records when and where.
The only database write (that Setting) goes through `database.write`, so a
backup run on the desktop's pool never holds the database thread. No Qt here.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

from zwgk_desktop import __version__
from zwgk_desktop.config import DB_FILE, SETTINGS_FILE, Config
from zwgk_desktop.core.install_key import KEY_FILE, PURPOSE_MANIFEST, InstallKey, load_install_key
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.errors import Cancelled, InvalidInput, NotAllowed, NotFound, ZwgkError
from zwgk_desktop.fileio import fsync_directory
from zwgk_desktop.services import backup_crypto

MANIFEST = "manifest.json"
FORMAT = "zwgk-backup"
FORMAT_VERSION = 2  # 2: signed manifest, audit head; 1 (unsigned) is still read
PREFIX = "zwgk-backup-"
PARTIAL_SUFFIX = ".partial"
ENCRYPTED_SUFFIX = ".zwgkenc"
ARCHIVE_SUBDIR = "archive"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
CHUNK = 1024 * 1024
SETTING_LAST_BACKUP = "last_backup"
DEFAULT_BACKUP_SUBDIR = "backups"
BACKUP_INTERVAL = timedelta(hours=24)
STALE_PARTIAL_AGE = timedelta(hours=24)
MIN_PASSWORD = 8
SNAPSHOT_MMAP_BYTES = 1 << 31  # read the live database through a memory map while copying it (up to 2 GB)
_SKIPPED_SUFFIXES = (".tmp", ".partial")
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_BINARY = getattr(os, "O_BINARY", 0)


class BackupError(ZwgkError):
    code = "backup_failed"


class BackupInvalid(ZwgkError):
    """The backup is incomplete, damaged, forged or not ours; nothing was restored."""

    code = "backup_invalid"


class PasswordNeeded(ZwgkError):
    code = "password_required"


@dataclass
class Problem:
    # missing | modified | extra | manifest_missing | manifest_damaged | foreign | incomplete | not_found |
    # symlink | special_file | signature_invalid | unsigned | wrong_password | encrypted_damaged
    code: str
    file: str
    message: str


@dataclass
class BackupResult:
    path: str
    ok: bool
    files: int
    problems: list[Problem] = field(default_factory=list)
    signature: str = ""  # valid | invalid | unverifiable | unsigned | sealed (encrypted: the password proves it)
    encrypted: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"path": self.path, "ok": self.ok, "files": self.files, "problems": [asdict(p) for p in self.problems],
                "signature": self.signature, "encrypted": self.encrypted, "warnings": list(self.warnings)}


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _private_file(path: Path):
    """A new file readable by the owner only (600), for writing."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | O_BINARY, 0o600), "wb")


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700)
    os.chmod(path, 0o700)


def _open_regular(path: Path):
    """Open `path` for reading only if it is a regular file reached without following a link."""
    fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_BINARY)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return os.fdopen(fd, "rb")


def _copy_file(src: Path, dst: Path, *, sync: bool = True) -> tuple[int, str]:
    """Copy regular file `src` to a new private `dst` (fsynced unless `sync=False`: then the caller `_fsync`s it
    later), hashing the bytes written; returns (size, sha256)."""
    digest = hashlib.sha256()
    size = 0
    with _open_regular(src) as fin, _private_file(dst) as fout:
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
    """Create `target`'s folders (700) inside `root`, never `root` itself (a vanished USB disk stays vanished)."""
    if not root.is_dir():
        raise FileNotFoundError(errno.ENOENT, "backup folder disappeared", str(root))
    missing = []
    parent = target.parent
    while parent != root and not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        _private_dir(folder)


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with _open_regular(path) as fh:
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
    """Every regular archive file worth keeping (temp files of writes in progress and links skipped), sorted."""
    if not archive_dir.is_dir():
        return []
    files = []
    for root, dirs, names in os.walk(archive_dir, followlinks=False):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        for name in names:
            path = Path(root, name)
            if name.startswith(".") or name.endswith(_SKIPPED_SUFFIXES):
                continue
            if stat.S_ISREG(os.lstat(path).st_mode):
                files.append(path)
    return sorted(files)


def _snapshot_database(source: Path, target: Path) -> tuple[str, str | None, dict | None]:
    """Online-backup the live database to `target`; returns (township name, schema revision, audit head)."""
    with _private_file(target):
        pass
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
        head = _row(dst, "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
        dst.commit()
    finally:
        dst.close()
        src.close()
    return township, revision, ({"seq": head[0], "hash": head[1]} if head else None)


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
    row = _row(conn, sql)
    return row[0] if row else None


def _row(conn: sqlite3.Connection, sql: str):
    try:
        return conn.execute(sql).fetchone()
    except sqlite3.Error:
        return None


def _write_json(path: Path, data: dict) -> None:
    with _private_file(path) as fh:
        fh.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


# --------------------------------------------------------------------------
# Manifest and its signature
# --------------------------------------------------------------------------


def _signed_body(manifest: dict) -> bytes:
    return json.dumps({k: v for k, v in manifest.items() if k != "signature"}, ensure_ascii=False,
                      sort_keys=True).encode("utf-8")


def sign_manifest(manifest: dict, key: InstallKey | None) -> dict:
    """The manifest with its `signature` (HMAC with the install key); unsigned when there is no key."""
    manifest = dict(manifest)
    manifest.pop("signature", None)
    if key is not None:
        manifest["signature"] = {"alg": "hmac-sha256", "key_id": key.key_id, "install_id": key.install_id,
                                 "mac": key.mac(PURPOSE_MANIFEST, _signed_body(manifest))}
    return manifest


def check_signature(manifest: dict, key: InstallKey | None) -> tuple[str, Problem | None, str | None]:
    """(valid | invalid | unverifiable | unsigned, the problem if any, a warning if any)."""
    signature = manifest.get("signature")
    if not isinstance(signature, dict):
        return "unsigned", _problem("unsigned", MANIFEST, "备份清单没有签名：这是旧版本程序生成的备份，或清单被人替换过，"
                                                          "无法证明备份未被改动。"), None
    if key is not None and (signature.get("key_id") == key.key_id or signature.get("install_id") == key.install_id):
        if key.check(PURPOSE_MANIFEST, _signed_body(manifest), signature.get("mac")):
            return "valid", None, None
        return "invalid", _problem("signature_invalid", MANIFEST, "备份清单的签名不符：备份被人改动过（文件和清单都被改了），"
                                                                   "不能用于恢复。"), None
    return "unverifiable", None, ("这份备份由另一台电脑（或另一个数据目录）的本系统生成，本机没有它的密钥，无法核对清单签名，"
                                  "只核对了各文件的校验值。请在生成它的电脑上校验，或改用加密备份（凭密码即可证明未被改动）。")


# --------------------------------------------------------------------------
# Create
# --------------------------------------------------------------------------


def _final_name(dest: Path, township: str, now: datetime, suffix: str = "") -> Path:
    base = f"{PREFIX}{_safe_name(township)}-{now.strftime(STAMP_FORMAT)}"
    candidate, n = dest / f"{base}{suffix}", 1
    while candidate.exists() or candidate.with_name(candidate.name + PARTIAL_SUFFIX).exists():
        n += 1
        candidate = dest / f"{base}-{n}{suffix}"
    return candidate


def create_backup(config: Config, dest_dir, job: Job | None = None, *, database=None, password: str | None = None,
                  key: InstallKey | None = None, user: str = "backup") -> BackupResult:
    """Back up the data dir into `dest_dir`; nothing complete-looking is left if it fails.

    With `password` one encrypted file is written instead of a folder. With
    `database` (an open `Database`) the Setting `last_backup` is updated and
    its install key signs the manifest (else `key`, else the data dir's key).
    """
    job = job or Job()
    if not config.db_path.exists():
        raise NotFound(f"数据目录 {config.data_dir} 中没有数据库，没有可备份的内容。")
    if password is not None:
        check_password(password)
    key = key or getattr(database, "install_key", None) or load_install_key(config.data_dir)
    dest = Path(dest_dir).expanduser().resolve()
    if dest == config.archive_dir or config.archive_dir in dest.parents:
        raise BackupError(f"备份位置不能放在档案文件夹 {config.archive_dir} 里面，请另选一个位置。", code="bad_destination")
    now = _utc_now()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        final = _final_name(dest, _live_township(config), now, ENCRYPTED_SUFFIX if password is not None else "")
        partial = final.with_name(final.name + PARTIAL_SUFFIX)
        if password is None:
            _private_dir(partial)
    except OSError as exc:
        raise BackupError(_os_error_message(exc, dest)) from exc
    try:
        if password is None:
            files = _fill_backup(config, partial, now, job, key)
        else:
            files = _write_encrypted(config, partial, now, job, key, password)
        os.rename(partial, final)
        fsync_directory(dest)
    except BaseException as exc:
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BackupError(_os_error_message(exc, dest)) from exc
        raise
    result = BackupResult(path=str(final), ok=True, files=files, signature="sealed" if password is not None else
                          ("valid" if key is not None else "unsigned"), encrypted=password is not None)
    if database is not None:
        record_last_backup(database, result, now, user=user)
    return result


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"备份密码至少 {MIN_PASSWORD} 位（建议用一句话或字母数字混合）。密码丢失将无法恢复这份备份，请妥善保管。",
                           code="weak_password")


def _live_township(config: Config) -> str:
    try:
        conn = sqlite3.connect(f"file:{config.db_path}?mode=ro", uri=True)
        try:
            return _scalar(conn, "SELECT name FROM township LIMIT 1") or ""
        finally:
            conn.close()
    except sqlite3.Error:
        return ""


def _members(config: Config) -> list[tuple[Path, str]]:
    """(source file, name in the backup) of every archive file and the settings, after the database."""
    archive = _archive_files(config.archive_dir)
    members = [(path, str(PurePosixPath(ARCHIVE_SUBDIR) / path.relative_to(config.archive_dir).as_posix()))
               for path in archive]
    if (config.data_dir / SETTINGS_FILE).is_file():
        members.append((config.data_dir / SETTINGS_FILE, SETTINGS_FILE))
    return members


def _manifest(now: datetime, township: str, revision: str | None, head: dict | None, entries: list[dict],
              key: InstallKey | None, encrypted: bool = False) -> dict:
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": __version__,
        "created_at": now.isoformat(timespec="microseconds"), "township": township, "schema_revision": revision,
        "database": DB_FILE, "audit_head": head, "encrypted": encrypted, "files": entries,
    }
    return sign_manifest(manifest, key)


def _fill_backup(config: Config, partial: Path, now: datetime, job: Job, key: InstallKey | None) -> int:
    members = _members(config)
    total = 1 + len(members)
    job.progress(0, total, "正在备份数据库…")
    # Every step reads or writes the whole database, and SQLite, hashlib and fsync all let go of the
    # interpreter, so they run side by side: the page check of the database while it is copied, then the
    # copy's flush to the disk and the copy of the photo archive (small files, mostly waiting for the disk)
    # while it is hashed. (Leaving the pool waits for every helper, also on an error, before the caller may
    # remove the folder.)
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="zwgk-backup") as helpers:
        checked = helpers.submit(_check_pages, config.db_path)
        township, revision, head = _snapshot_database(config.db_path, partial / DB_FILE)
        flushed = helpers.submit(_fsync, partial / DB_FILE)
        copied = helpers.submit(_copy_members, partial, members, total, job)
        entries = [_entry(DB_FILE, *_hash_file(partial / DB_FILE)), *copied.result()]
    checked.result()  # raises BackupError when the database is not sound: nothing is kept
    flushed.result()  # on the disk before the manifest says the backup is complete
    _write_json(partial / MANIFEST, _manifest(now, township, revision, head, entries, key))
    fsync_directory(partial)
    return len(entries)


def _copy_members(partial: Path, members: list[tuple[Path, str]], total: int, job: Job) -> list[dict]:
    """Copy (and hash) the archive files and settings into `partial`, then flush them all to the disk at once."""
    job.check()
    entries, written = [], []
    for n, (path, relative) in enumerate(members, start=1):
        target = partial / Path(relative)
        _make_parent(partial, target)
        size, sha = _copy_file(path, target, sync=False)
        written.append(target)
        entries.append(_entry(relative, size, sha))
        job.progress(n + 1, total, f"正在备份文件 {n}/{total - 1}…")
        job.check()
    for path in written:  # every copy is on the disk before the manifest says the backup is complete
        _fsync(path)
    return entries


class _HashingReader:
    """Reads a regular file for tarfile while hashing what it hands over."""

    def __init__(self, fh):
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _tar_info(name: str, size: int, now: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime, info.type = size, 0o600, int(now.timestamp()), tarfile.REGTYPE
    return info


def _write_encrypted(config: Config, partial: Path, now: datetime, job: Job, key: InstallKey | None,
                     password: str) -> int:
    members = _members(config)
    total = 1 + len(members)
    job.progress(0, total, "正在备份数据库…")
    scratch = Path(tempfile.mkdtemp(prefix=".backup-", dir=config.data_dir))
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zwgk-backup") as helper:
            checked = helper.submit(_check_pages, config.db_path)
            township, revision, head = _snapshot_database(config.db_path, scratch / DB_FILE)
        checked.result()  # raises BackupError when the database is not sound: nothing is kept
        job.check()
        sources = [(scratch / DB_FILE, DB_FILE), *members]
        if key is not None:
            (scratch / KEY_FILE).write_text(key.to_json(), encoding="utf-8")
            os.chmod(scratch / KEY_FILE, 0o600)
            sources.append((scratch / KEY_FILE, KEY_FILE))
        entries = []
        with _private_file(partial) as out:
            sealer = backup_crypto.EncryptingWriter(out, password, {
                "township": township, "created_at": now.isoformat(timespec="seconds")})
            with tarfile.open(fileobj=sealer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                for n, (path, name) in enumerate(sources):
                    with _open_regular(path) as fh:
                        size = os.fstat(fh.fileno()).st_size
                        reader = _HashingReader(fh)
                        tar.addfile(_tar_info(name, size, now), reader)
                    entries.append(_entry(name, reader.size, reader.digest.hexdigest()))
                    job.progress(n + 1, total, f"正在加密备份文件 {n + 1}/{total}…")
                    job.check()
                manifest = json.dumps(_manifest(now, township, revision, head, entries, key, encrypted=True),
                                      ensure_ascii=False, indent=1).encode("utf-8")
                tar.addfile(_tar_info(MANIFEST, len(manifest), now), io.BytesIO(manifest))
            sealer.close()
            out.flush()
            os.fsync(out.fileno())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return len(entries)


def _entry(path: str, size: int, sha: str) -> dict:
    return {"path": path, "size": size, "sha256": sha}


# --------------------------------------------------------------------------
# Verify
# --------------------------------------------------------------------------


def _problem(code: str, file: str, message: str) -> Problem:
    return Problem(code=code, file=file, message=message)


def _safe_relative(raw: object) -> PurePosixPath | None:
    if not isinstance(raw, str) or not raw or "\\" in raw or "\x00" in raw:
        return None
    rel = PurePosixPath(raw)
    if rel.is_absolute() or any(part in ("", ".", "..") for part in rel.parts) or raw == MANIFEST:
        return None
    return rel


def parse_manifest(raw: bytes | str) -> tuple[dict | None, list[Problem]]:
    """The manifest's content checked for shape, or the problems that make it unusable."""
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None, [_problem("manifest_damaged", MANIFEST, "备份清单 manifest.json 已损坏，无法读取。")]
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None, [_problem("foreign", MANIFEST, "这不是本系统（乡镇政务公开系统）生成的备份，不能使用。")]
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        return None, [_problem("foreign", MANIFEST, "该备份由更新版本的本系统生成，请升级程序后再使用。")]
    entries = manifest.get("files")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and _safe_relative(e.get("path")) and isinstance(e.get("sha256"), str)
        and isinstance(e.get("size"), int) for e in entries
    ) or len({e["path"] for e in entries}) != len(entries):
        return None, [_problem("manifest_damaged", MANIFEST, "备份清单 manifest.json 内容不完整或已被改动。")]
    if manifest.get("database", DB_FILE) != DB_FILE or DB_FILE not in {e["path"] for e in entries}:
        return None, [_problem("manifest_damaged", MANIFEST, "备份清单中没有数据库文件，备份不完整。")]
    return manifest, []


def read_manifest(folder: Path) -> tuple[dict | None, list[Problem]]:
    """The manifest of a backup folder, or the problems that make it unusable."""
    path = folder / MANIFEST
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None, [_problem("manifest_missing", MANIFEST, "缺少备份清单 manifest.json：这不是一个完整的本系统备份。")]
    except OSError:
        return None, [_problem("manifest_damaged", MANIFEST, "备份清单 manifest.json 无法读取。")]
    if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
        return None, [_problem("symlink" if stat.S_ISLNK(mode) else "special_file", MANIFEST,
                               "备份清单 manifest.json 是一个链接或特殊文件，备份被人改动过，不能使用。")]
    try:
        with _open_regular(path) as fh:
            raw = fh.read()
    except OSError:
        return None, [_problem("manifest_damaged", MANIFEST, "备份清单 manifest.json 无法读取。")]
    return parse_manifest(raw)


def _odd_entries(folder: Path) -> list[Problem]:
    """Links (to files, folders, devices…) and special files anywhere inside a backup folder."""
    problems = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        for name in dirs + names:
            path = Path(root, name)
            rel = path.relative_to(folder).as_posix()
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                problems.append(_problem("symlink", rel, f"备份中的 {rel} 是一个链接（指向 {os.readlink(path)}），"
                                                         "本系统的备份里不会有链接：备份被人改动过，不能用于恢复。"))
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                problems.append(_problem("special_file", rel, f"备份中的 {rel} 不是普通文件（设备、管道或套接字），"
                                                              "备份被人改动过，不能用于恢复。"))
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
    return problems


def verify_backup(path, job: Job | None = None, *, key: InstallKey | None = None,
                  password: str | None = None) -> BackupResult:
    """Check every file of a backup against its manifest, and the manifest's signature; say exactly what is wrong.

    `key`: this install's key (checks the signature of its own backups).
    An encrypted backup (one `.zwgkenc` file) needs `password`.
    """
    job = job or Job()
    target = Path(path).expanduser().absolute()
    if target.name.endswith(PARTIAL_SUFFIX):
        problem = _problem("incomplete", target.name, "这是一个未完成的备份（.partial），备份过程曾被中断，不能使用。")
        return BackupResult(str(target), False, 0, [problem])
    if target.is_file() and backup_crypto.is_encrypted_file(target):
        return _verify_encrypted(target, job, password)
    folder = target.resolve()
    if not folder.is_dir():
        problem = _problem("not_found", str(folder), f"找不到备份文件夹 {folder}。")
        return BackupResult(str(folder), False, 0, [problem])
    odd = _odd_entries(folder)
    manifest, problems = read_manifest(folder)
    if manifest is None:
        return BackupResult(str(folder), False, 0, odd + problems)
    signature, problem, warning = check_signature(manifest, key)
    problems = odd + ([problem] if problem else [])
    entries = manifest["files"]
    listed = set()
    for n, entry in enumerate(entries, start=1):
        rel = entry["path"]
        listed.add(rel)
        problems.extend(_check_entry(folder, entry, {p.file for p in odd}))
        job.progress(n, len(entries), f"正在校验 {n}/{len(entries)}…")
        job.check()
    for extra in _regular_files(folder):
        rel = extra.relative_to(folder).as_posix()
        if rel != MANIFEST and rel not in listed:
            problems.append(_problem("extra", rel, f"多出文件 {rel}：不在备份清单中，备份可能被改动过。"))
    return BackupResult(str(folder), not problems, len(entries), problems, signature=signature,
                        warnings=[warning] if warning else [])


def _regular_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        found += [Path(root, n) for n in names if stat.S_ISREG(os.lstat(Path(root, n)).st_mode)]
    return sorted(found)


def _check_entry(folder: Path, entry: dict, odd: set[str] = frozenset()) -> list[Problem]:
    rel = entry["path"]
    parts = PurePosixPath(rel).parts
    if any("/".join(parts[: i + 1]) in odd for i in range(len(parts))):
        return []  # already reported as a link or special file
    target = folder / Path(rel)
    try:
        size, sha = _hash_file(target)
    except FileNotFoundError:
        return [_problem("missing", rel, f"缺少文件 {rel}。")]
    except OSError as exc:
        return [_problem("unreadable", rel, f"无法读取文件 {rel}（{exc.strerror or exc}）。")]
    if size != entry["size"] or sha != entry["sha256"]:
        return [_problem("modified", rel, f"文件 {rel} 与备份时不一致（已损坏或被改动）。")]
    return []


def _open_encrypted(path: Path, password: str | None):
    if not password:
        raise PasswordNeeded(f"{path.name} 是加密备份，请提供备份密码（--password-env 变量名，或按提示输入）。")
    fh = open(path, "rb")
    try:
        return fh, backup_crypto.DecryptingReader(fh, password)
    except BaseException:
        fh.close()
        raise


@dataclass
class _Unsealed:
    manifest: dict | None = None
    seen: dict = field(default_factory=dict)  # name → (size, sha)
    problems: list[Problem] = field(default_factory=list)


def _walk_encrypted(path: Path, password: str | None, job: Job, staging: Path | None = None) -> _Unsealed:
    """Decrypt and read the tar stream; hash every member (writing it under `staging` when given)."""
    found = _Unsealed()
    try:
        fh, reader = _open_encrypted(path, password)
    except backup_crypto.WrongPassword:
        found.problems.append(_problem("wrong_password", path.name, "密码不正确（或文件开头被改动），无法打开这份加密备份。"))
        return found
    except backup_crypto.Damaged as exc:
        found.problems.append(_problem("encrypted_damaged", path.name, f"加密备份已损坏或被改动（{exc}），不能使用。"))
        return found
    try:
        with fh, tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                job.check()
                name = member.name
                if not member.isreg():
                    kind = "symlink" if member.issym() or member.islnk() else "special_file"
                    found.problems.append(_problem(kind, name, f"备份中的 {name} 不是普通文件，备份被人改动过，不能用于恢复。"))
                    continue
                if name == MANIFEST:
                    found.manifest, problems = parse_manifest(tar.extractfile(member).read())
                    found.problems += problems
                    continue
                if name != KEY_FILE and _safe_relative(name) is None or name in found.seen:
                    found.problems.append(_problem("manifest_damaged", name, f"备份中的文件名 {name} 不安全或重复，不能使用。"))
                    continue
                found.seen[name] = _take(tar.extractfile(member), staging / Path(name) if staging else None, staging)
                job.progress(len(found.seen), 0, f"正在解密校验 {len(found.seen)} 个文件…")
    except backup_crypto.WrongPassword:
        found.problems.append(_problem("wrong_password", path.name, "密码不正确（或文件开头被改动），无法打开这份加密备份。"))
    except (backup_crypto.Damaged, tarfile.TarError, EOFError) as exc:
        found.problems.append(_problem("encrypted_damaged", path.name, f"加密备份已损坏、被截短或被改动（{exc}），不能使用。"))
    return found


def _take(source, target: Path | None, root: Path | None) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    out = None
    if target is not None:
        _make_parent(root, target)
        out = os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW | O_BINARY, 0o600), "wb")
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
        if out is not None:
            out.flush()
            os.fsync(out.fileno())
    finally:
        if out is not None:
            out.close()
    return size, digest.hexdigest()


def _check_unsealed(found: _Unsealed) -> list[Problem]:
    problems = list(found.problems)
    if found.manifest is None:
        if not problems:
            problems.append(_problem("manifest_missing", MANIFEST, "加密备份中缺少备份清单，备份不完整。"))
        return problems
    listed = {e["path"]: e for e in found.manifest["files"]}
    for name, entry in listed.items():
        if name not in found.seen:
            problems.append(_problem("missing", name, f"缺少文件 {name}。"))
        elif found.seen[name] != (entry["size"], entry["sha256"]):
            problems.append(_problem("modified", name, f"文件 {name} 与备份时不一致（已损坏或被改动）。"))
    for name in found.seen:
        if name not in listed:
            problems.append(_problem("extra", name, f"多出文件 {name}：不在备份清单中。"))
    return problems


def _verify_encrypted(path: Path, job: Job, password: str | None) -> BackupResult:
    """The password is the proof: every chunk authenticates under it (the manifest inside need not be re-signed)."""
    found = _walk_encrypted(path, password, job)
    problems = _check_unsealed(found)
    files = len(found.manifest["files"]) if found.manifest else 0
    return BackupResult(str(path), not problems, files, problems, signature="sealed" if not problems else "",
                        encrypted=True)


# --------------------------------------------------------------------------
# Restore
# --------------------------------------------------------------------------


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def restore_backup(path, config: Config, job: Job | None = None, *, password: str | None = None,
                   verify_with: Path | None = None) -> BackupResult:
    """Restore a verified backup into `config.data_dir`, which must be empty or absent.

    Everything is copied (and re-hashed) into a temp folder next to the target
    and renamed into place at the end; on any failure nothing is left behind.
    `verify_with`: the data dir of the install that made the backup, whose
    key then checks the signature (and is carried over, so the audit chain
    stays verifiable); an encrypted backup brings its own key.
    """
    job = job or Job()
    target = config.data_dir
    if target.exists() and not _is_empty_dir(target):
        raise NotAllowed(
            f"数据目录 {target} 不是空的，为防止覆盖现有数据，恢复只能在空的数据目录中进行。"
            "请用 --data-dir 指定一个新的空目录，或先把现有目录移走。",
            code="target_not_empty", detail={"data_dir": str(target)},
        )
    key = load_install_key(Path(verify_with)) if verify_with else None
    if verify_with and key is None:
        raise InvalidInput(f"在 {verify_with} 中找不到本系统的安装密钥，无法用它核对备份签名。请确认是原来的数据目录。",
                           code="key_not_found")
    source = Path(path).expanduser().absolute()
    encrypted = source.is_file() and backup_crypto.is_encrypted_file(source)
    if not encrypted:
        checked = verify_backup(source, job, key=key)
        _refuse_unless_ok(checked)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.restore-", dir=target.parent))
    except OSError as exc:
        raise BackupError(_os_error_message(exc, target.parent), code="restore_failed") from exc
    try:
        if encrypted:
            checked = _restore_encrypted(source, staging, job, password)
        else:
            manifest, _ = read_manifest(Path(checked.path))
            _copy_into(Path(checked.path), staging, manifest, job)
            if key is not None and checked.signature == "valid":
                (staging / KEY_FILE).write_text(key.to_json(), encoding="utf-8")
                os.chmod(staging / KEY_FILE, 0o600)
        _restore_audit_head(staging)
        if target.exists():
            target.rmdir()
        os.rename(staging, target)
        fsync_directory(target.parent)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise BackupError(_os_error_message(exc, target.parent).replace("备份", "恢复"), code="restore_failed") from exc
        raise
    return BackupResult(path=str(target), ok=True, files=checked.files, signature=checked.signature,
                        encrypted=encrypted, warnings=checked.warnings)


def _refuse_unless_ok(checked: BackupResult) -> None:
    if checked.ok:
        return
    codes = {p.code for p in checked.problems}
    if "password_required" in codes:
        raise PasswordNeeded(checked.problems[0].message)
    what = ("不是本系统的备份" if "foreign" in codes else
            "被人改动过" if codes & {"signature_invalid", "symlink", "special_file", "unsigned"} else
            "无法打开" if "wrong_password" in codes else "不完整或已损坏")
    listed = "；".join(p.message for p in checked.problems[:5])
    raise BackupInvalid(
        f"备份 {checked.path} {what}，没有恢复任何数据：{listed}",
        code="backup_foreign" if "foreign" in codes else "wrong_password" if codes == {"wrong_password"}
        else "backup_invalid",
        detail=checked.as_json(),
    )


def _restore_encrypted(source: Path, staging: Path, job: Job, password: str | None) -> BackupResult:
    from zwgk_desktop.core.schema import check_sqlite_file

    found = _walk_encrypted(source, password, job, staging=staging)
    problems = _check_unsealed(found)
    checked = BackupResult(str(source), not problems, len(found.manifest["files"]) if found.manifest else 0,
                           problems, signature="sealed" if not problems else "", encrypted=True)
    _refuse_unless_ok(checked)
    check_sqlite_file(staging / DB_FILE)
    return checked


def _copy_into(folder: Path, staging: Path, manifest: dict, job: Job) -> None:
    from zwgk_desktop.core.schema import check_sqlite_file

    entries = manifest["files"]
    for n, entry in enumerate(entries, start=1):
        rel = Path(entry["path"])
        _make_parent(staging, staging / rel)
        try:
            size, sha = _copy_file(folder / rel, staging / rel)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EINVAL, errno.ENOTDIR):
                raise BackupInvalid(f"恢复过程中发现 {entry['path']} 不是普通文件（被换成了链接），没有恢复任何数据。") from exc
            raise
        if size != entry["size"] or sha != entry["sha256"]:
            raise BackupInvalid(f"恢复过程中发现文件 {entry['path']} 与备份清单不一致，没有恢复任何数据。")
        job.progress(n, len(entries), f"正在恢复 {n}/{len(entries)}…")
        job.check()
    check_sqlite_file(staging / manifest.get("database", DB_FILE))


def _restore_audit_head(staging: Path) -> None:
    """With the install key restored, the signed head file starts at the restored chain's head."""
    from zwgk_desktop.core.audit import write_anchor

    key = load_install_key(staging)
    if key is None:
        return  # the first open creates a key and the head file (core.schema)
    conn = sqlite3.connect(f"file:{staging / DB_FILE}?mode=ro", uri=True)
    try:
        head = _row(conn, "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
    finally:
        conn.close()
    if head:
        write_anchor(staging, key, head[0], head[1])


# --------------------------------------------------------------------------
# Automatic daily backup and rotation
# --------------------------------------------------------------------------


def default_backup_dir(config: Config) -> Path:
    """`settings.backup_dir` if set (e.g. a second disk), else `<data dir>/backups`."""
    chosen = (config.settings.backup_dir or "").strip()
    return Path(chosen).expanduser() if chosen else config.data_dir / DEFAULT_BACKUP_SUBDIR


def _stamp_of(folder: Path) -> str:
    match = re.search(r"(\d{8}T\d{6}Z)(?:-\d+)?(?:\.zwgkenc)?$", folder.name)
    return match.group(1) if match else ""


def complete_backups(dest) -> list[Path]:
    """Complete backups in `dest` (folders with a manifest, or encrypted files; never .partial), oldest first."""
    dest = Path(dest)
    if not dest.is_dir():
        return []
    found = [
        p for p in dest.iterdir()
        if p.name.startswith(PREFIX) and not p.name.endswith(PARTIAL_SUFFIX) and not p.is_symlink() and (
            (p.is_dir() and (p / MANIFEST).is_file()) or (p.is_file() and p.name.endswith(ENCRYPTED_SUFFIX)))
    ]
    return sorted(found, key=_created_key)


def _created_key(backup: Path) -> tuple[str, str]:
    """Sort key: the manifest's (or encrypted header's) creation time, else the name's stamp."""
    try:
        if backup.is_file():
            with open(backup, "rb") as fh:
                created = backup_crypto.read_header(fh)[0].get("created_at", "")
        else:
            created = json.loads((backup / MANIFEST).read_text(encoding="utf-8")).get("created_at", "")
    except (OSError, ValueError, AttributeError, backup_crypto.Damaged):
        created = ""
    return (str(created) or _stamp_of(backup), backup.name)


def rotate_backups(dest, keep: int, *, now: datetime | None = None) -> list[Path]:
    """Delete all but the newest `keep` (≥ 1) complete backups and stale .partial leftovers; return what was removed."""
    keep = max(1, int(keep))
    backups = complete_backups(dest)
    removed = backups[: max(0, len(backups) - keep)]
    now = now or _utc_now()
    dest = Path(dest)
    if dest.is_dir():
        for p in dest.iterdir():
            if p.name.startswith(PREFIX) and p.name.endswith(PARTIAL_SUFFIX) and not p.is_symlink():
                age = now - datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)
                if age > STALE_PARTIAL_AGE:
                    removed.append(p)
    for p in removed:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
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
    if info.get("path") and not Path(info["path"]).exists():
        return True
    try:
        at = datetime.fromisoformat(info["at"])
    except (TypeError, ValueError):
        return True
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return now - at >= BACKUP_INTERVAL


def record_last_backup(database, result: BackupResult, now: datetime | None = None, user: str = "backup") -> None:
    from zwgk_desktop.core.township_settings import set_setting

    value = {"at": (now or _utc_now()).isoformat(timespec="seconds"), "path": result.path, "files": result.files,
             "encrypted": result.encrypted}
    database.write(lambda session: set_setting(session, SETTING_LAST_BACKUP, value), user=user)


def auto_backup(config: Config, database, job: Job | None = None, *, force: bool = False,
                user: str = "backup") -> BackupResult | None:
    """The daily backup the UI runs at start-up and on a timer: back up if due, then rotate. None if not due."""
    if not force and not backup_due(config):
        return None
    dest = default_backup_dir(config)
    result = create_backup(config, dest, job, database=database, user=user)
    rotate_backups(dest, config.settings.backup_keep)
    return result


__all__ = [
    "BackupError", "BackupInvalid", "BackupResult", "Cancelled", "PasswordNeeded", "Problem", "auto_backup",
    "backup_due", "complete_backups", "create_backup", "default_backup_dir", "last_backup", "restore_backup",
    "rotate_backups", "verify_backup",
]
