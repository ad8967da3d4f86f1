"""The 设置 page's backup facts as plain functions and DTOs (no Qt, no database): the last backup and its age.

`load_backup_state(config)` reads the last good backup recorded for the
data dir (the folder must still exist) and whether the 7-day nag applies;
`restore_command` is the CLI line the 备份 tab shows. The township, users
and calendar tabs run their use cases from `ops.settings` and `ops.users`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

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

    def age_days(self, now: datetime | None = None) -> int | None:
        moment = parse_utc(self.last_at)
        if moment is None:
            return None
        return max(0, ((now or datetime.now(timezone.utc)) - moment).days)


def parse_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- backups ---------------------------------------------------------------------


def load_backup_state(config, now: datetime | None = None) -> BackupState:
    """The last good backup (its folder must still exist) and whether the 7-day nag applies."""
    from zwgk_desktop.services.backup import default_backup_dir, last_backup

    info = last_backup(config) or {}
    at, path = info.get("at"), info.get("path")
    good = bool(at) and bool(path) and Path(path).is_dir()
    moment = parse_utc(at) if good else None
    stale = moment is None or (now or datetime.now(timezone.utc)) - moment > BACKUP_NAG_AGE
    return BackupState(
        last_at=at if good else None, last_path=path if good else None, files=int(info.get("files") or 0) if good else 0,
        stale=stale, folder=str(default_backup_dir(config)), keep=int(config.settings.backup_keep or 7),
    )


def restore_command(data_dir_hint: str, backup_path: str) -> str:
    """The CLI line that restores a backup into a new, empty data directory."""
    return f'zwgk --data-dir "{data_dir_hint}" backup restore "{backup_path}"'
