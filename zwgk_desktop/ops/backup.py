"""Backups as use cases: create (plain or password-encrypted), the automatic daily backup, its state, verify, restore.

Creating a backup copies the database snapshot and the whole photo archive
— minutes of disk I/O with one short write at the end (the Setting
`last_backup`). Like sync it is `@writes("backups", steps=True)`: the
desktop runs it on the pool and that one write goes to the database thread
through `db.write` (see `ops.sync` for why the writer lives on the
`Database`).

`verify_backup` and `restore_backup` need no open database: they take the
open `Database` or just the `Config` (`zwgk backup verify` must not create a
database where there is none; a restore fills an EMPTY data dir). The
install key found there checks backup signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from zwgk_desktop.config import Config
from zwgk_desktop.core.install_key import InstallKey, load_install_key
from zwgk_desktop.core.local_time import parse_utc
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import reads, writes
from zwgk_desktop.services import backup as service
from zwgk_desktop.services.backup import BackupResult

BACKUP_NAG_AGE = timedelta(days=7)


@dataclass(frozen=True)
class BackupState:
    """The 备份 tab and the nag: last good backup (UTC ISO), where, whether it is too old."""

    last_at: str | None
    last_path: str | None
    files: int
    stale: bool
    folder: str
    keep: int
    encrypted: bool = False

    def age_days(self, now: datetime | None = None) -> int | None:
        moment = parse_utc(self.last_at)
        if moment is None:
            return None
        return max(0, ((now or datetime.now(timezone.utc)) - moment).days)


@dataclass(frozen=True)
class BackupDone:
    """A finished backup and the older backups rotation removed."""

    result: BackupResult
    removed: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return {**self.result.as_json(), "removed": list(self.removed)}


def config_and_key(target) -> tuple[Config, InstallKey | None]:
    """(config, install key) of an open `Database` or of a data dir's `Config` (read, never created)."""
    if isinstance(target, Config):
        key = load_install_key(target.data_dir) if target.data_dir.is_dir() else None
        return target, key
    return target.config, target.install_key


@reads
def backup_state(db, actor: Actor, *, now: datetime | None = None, job=None) -> BackupState:
    """The last good backup (its folder or file must still exist) and whether the 7-day nag applies."""
    config, _key = config_and_key(db)
    info = service.last_backup(config) or {}
    at, path = info.get("at"), info.get("path")
    good = bool(at) and bool(path) and Path(path).exists()
    moment = parse_utc(at) if good else None
    stale = moment is None or (now or datetime.now(timezone.utc)) - moment > BACKUP_NAG_AGE
    return BackupState(
        last_at=at if good else None, last_path=path if good else None,
        files=int(info.get("files") or 0) if good else 0, stale=stale,
        folder=str(service.default_backup_dir(config)), keep=int(config.settings.backup_keep or 7),
        encrypted=bool(info.get("encrypted")) if good else False,
    )


@writes("backups", steps=True)
def create_backup(db, actor: Actor, dest=None, *, keep: int | None = None, password: str | None = None,
                  job=None) -> BackupDone:
    """Back up into `dest` (default: the configured backup folder), then keep the newest `keep` there."""
    config = db.config
    folder = Path(dest) if dest else service.default_backup_dir(config)
    result = service.create_backup(config, folder, job, database=db, password=password, user=actor.username)
    removed = service.rotate_backups(folder, keep) if keep else []
    return BackupDone(result, tuple(str(p) for p in removed))


@writes("backups", steps=True)
def auto_backup(db, actor: Actor, *, force: bool = False, job=None) -> BackupResult | None:
    """The daily backup: back up if due (or `force`), then rotate; None when not due."""
    return service.auto_backup(db.config, db, job, force=force, user=actor.username)


@reads
def verify_backup(db, actor: Actor, path, *, password: str | None = None, job=None) -> BackupResult:
    """Check a backup file by file (and its signature with this install's key; an encrypted one with `password`)."""
    _config, key = config_and_key(db)
    return service.verify_backup(path, job, key=key, password=password)


@writes("backups", steps=True)
def restore_backup(config: Config, actor: Actor, path, *, password: str | None = None, verify_with=None,
                   job=None) -> BackupResult:
    """Restore into the EMPTY data dir of `config` (see `services.backup.restore_backup`)."""
    return service.restore_backup(path, config, job, password=password,
                                  verify_with=Path(verify_with) if verify_with else None)


def restore_command(data_dir_hint: str, backup_path: str, original_data_dir: str | None = None) -> str:
    """The CLI line that restores a backup into a new, empty data directory (checked with the original's key)."""
    check = f' --verify-with "{original_data_dir}"' if original_data_dir else ""
    return f'zwgk --data-dir "{data_dir_hint}" backup restore "{backup_path}"{check}'
