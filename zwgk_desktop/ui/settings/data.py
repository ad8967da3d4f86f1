"""The 设置 page's reads and writes as plain functions and DTOs (no Qt): township info, users, backup age.

Each function takes a Session (or the config) and returns dataclasses, so the
page can call them through the TaskManager off the UI thread. Permission
checks stay in core (`Actor.require`); `resolve_actor` picks who is acting
when the window has no logged-in user (first run, single-user mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk_desktop.core.townships import require_township, village_names
from zwgk_desktop.core.users import (
    SETTING_REVIEWER_NOT_AUTHOR,
    SETTINGS,
    Actor,
    UserRow,
    get_setting,
    list_users,
    needs_first_admin,
    set_setting,
    single_user_actor,
    single_user_mode,
)
from zwgk_desktop.errors import InvalidInput, NotAllowed

BACKUP_NAG_AGE = timedelta(days=7)
SETUP_ACTOR = Actor(username="setup", role="admin", display_name="初始设置")
TOWNSHIP_FIELDS = {  # attribute: (label, max length)
    "county_name": ("所属县（市、区）", 100),
    "supervise_phone": ("乡镇监督举报电话", 50),
    "county_supervise_phone": ("县级监督举报电话", 50),
    "issuer": ("发布单位", 200),
}


@dataclass(frozen=True)
class TownshipInfo:
    """The editable facts of the township that appear on every notice and card."""

    name: str
    county_name: str
    supervise_phone: str
    county_supervise_phone: str
    issuer: str


@dataclass(frozen=True)
class UsersState:
    """The 用户 tab: accounts, the two switches, the village names for village users."""

    users: tuple[UserRow, ...]
    single_user: bool
    reviewer_not_author: bool
    villages: tuple[str, ...]
    needs_first_admin: bool


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


# --- who acts ------------------------------------------------------------------


def resolve_actor(session: Session, actor: Actor | None) -> Actor:
    """The logged-in actor; else the first admin in single-user mode; else a set-up admin before any account exists."""
    if actor is not None:
        return actor
    if needs_first_admin(session):
        return SETUP_ACTOR
    if single_user_mode(session):
        return single_user_actor(session)
    raise NotAllowed("请先登录后再修改设置。", code="login_required")


# --- township --------------------------------------------------------------------


def load_township_info(session: Session) -> TownshipInfo:
    township = require_township(session)
    return TownshipInfo(township.name, township.county_name or "", township.supervise_phone or "",
                        township.county_supervise_phone or "", township.issuer or "")


def save_township_info(session: Session, actor: Actor, values: dict[str, str]) -> TownshipInfo:
    """Update the township's county, phones and issuer (the name is fixed once set)."""
    actor.require(SETTINGS)
    township = require_township(session)
    for attr, (label, limit) in TOWNSHIP_FIELDS.items():
        if attr not in values:
            continue
        value = (values[attr] or "").strip()
        if len(value) > limit:
            raise InvalidInput(f"“{label}”最多 {limit} 个字。")
        if attr == "issuer" and not value:
            raise InvalidInput("发布单位不能为空，公示落款要用到它。")
        setattr(township, attr, value)
    session.flush()
    return load_township_info(session)


# --- users -----------------------------------------------------------------------


def load_users_state(session: Session) -> UsersState:
    return UsersState(
        users=tuple(list_users(session)), single_user=single_user_mode(session),
        reviewer_not_author=bool(get_setting(session, SETTING_REVIEWER_NOT_AUTHOR, False)),
        villages=tuple(village_names(session)), needs_first_admin=needs_first_admin(session),
    )


def set_reviewer_not_author(session: Session, actor: Actor, enabled: bool) -> None:
    actor.require(SETTINGS)
    set_setting(session, SETTING_REVIEWER_NOT_AUTHOR, bool(enabled))


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
