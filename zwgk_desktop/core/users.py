"""Users, roles, login and permissions: who may do what, checked in core.

Owns:
- `Actor`: the current user as a plain DTO passed into every use case
  (username, role, village scope) with `require(permission)`;
- the role → permission table (管理员 admin, 经办人 clerk, 审核人 reviewer,
  村级用户 village — scoped to their villages, 查阅 viewer — read-only);
- accounts: first-run admin, add, password reset by an admin, listing;
  passwords hashed with argon2 (argon2-cffi), never stored or logged plain;
- login with lockout (5 failures → locked for 15 minutes) and the
  township's single-user mode (no login dialog; the first admin acts),
  including `adopt_single_user` for a township set up without any account;
- small township settings kept in the `Setting` table (`get_setting`,
  `set_setting`), e.g. `single_user`, `reviewer_not_author`;
- the separation-of-duties rule as the township has it (`review_rule`):
  on by default once two active users may review, unless an administrator
  chose otherwise;
- `verify_password`: the one place a stored argon2 hash is checked (the
  login and the kiosk's exit password both use it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.models import ROLES, User, Village, utcnow
from zwgk_desktop.core.township_settings import get_setting, set_setting  # noqa: F401 (re-exported)
from zwgk_desktop.errors import InvalidInput, NotAllowed, NotFound, ZwgkError

ROLE_LABELS = {
    "admin": "管理员",
    "clerk": "经办人",
    "reviewer": "审核人",
    "village": "村级用户",
    "viewer": "查阅",
}

# Permissions named after what the user does.
VIEW = "view"
EDIT = "edit"  # compose, submit, correct, withdraw notices
REVIEW = "review"  # approve or return
POST = "post"  # record postings and removals (village users: own boards only)
OBJECTION = "objection"  # register and resolve objections
CONCLUDE = "conclude"  # conclude and archive
MANAGE_USERS = "manage_users"
SETTINGS = "settings"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({VIEW, EDIT, REVIEW, POST, OBJECTION, CONCLUDE, MANAGE_USERS, SETTINGS}),
    "clerk": frozenset({VIEW, EDIT, POST, OBJECTION, CONCLUDE}),
    "reviewer": frozenset({VIEW, REVIEW}),
    "village": frozenset({VIEW, POST, OBJECTION}),
    "viewer": frozenset({VIEW}),
}

PERMISSION_LABELS = {
    VIEW: "查看公示",
    EDIT: "编辑或提交公示",
    REVIEW: "审核公示",
    POST: "登记张贴",
    OBJECTION: "登记和办理异议",
    CONCLUDE: "办结和归档公示",
    MANAGE_USERS: "管理用户",
    SETTINGS: "修改系统设置",
}

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

SETTING_SINGLE_USER = "single_user"
SINGLE_USER_ADMIN = "admin"
SINGLE_USER_ADMIN_NAME = "管理员"
SETTING_REVIEWER_NOT_AUTHOR = "reviewer_not_author"

_hasher = None


def _password_hasher():
    """The argon2 hasher, made on first use (importing argon2 is not worth paying on every start)."""
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


class LoginFailed(ZwgkError):
    code = "login_failed"


NO_VILLAGE = ("",)  # a village scope that matches no village


class AccountLocked(ZwgkError):
    code = "account_locked"


@dataclass(frozen=True)
class Actor:
    """The person acting: passed into every use case; no ORM object, safe across threads."""

    username: str
    role: str
    display_name: str = ""
    village_ids: tuple[str, ...] = field(default_factory=tuple)
    user_id: str | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_village_scoped(self) -> bool:
        return self.role == "village"

    @property
    def village_scope(self) -> tuple[str, ...] | None:
        """The villages this user's views are limited to; None = the whole township.

        A village user without any village is limited to none (`NO_VILLAGE`, which no
        village id matches), never widened to everything by an empty tuple."""
        if not self.is_village_scoped:
            return None
        return tuple(self.village_ids) or NO_VILLAGE

    def narrowed_scope(self, asked: Iterable[str] | None) -> tuple[str, ...] | None:
        """The villages a screen asked for (None = the township) within what this user may see.

        Township staff get what they asked for; a 村级用户 never more than their
        own villages (`NO_VILLAGE` when the two don't meet)."""
        own = self.village_scope
        if own is None:
            return None if asked is None else tuple(asked)
        if asked is None:
            return own
        return tuple(v for v in asked if v in own) or NO_VILLAGE

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def require(self, permission: str) -> None:
        """Raise a Chinese `NotAllowed` unless this user's role grants `permission`."""
        if not self.can(permission):
            raise NotAllowed(
                f"用户“{self.label}”（{self.role_label}）无权{PERMISSION_LABELS.get(permission, permission)}。"
                "如需办理，请联系管理员调整角色。",
                code="permission_denied",
                detail={"permission": permission, "role": self.role},
            )

    def covers_village(self, village_id: str | None) -> bool:
        """Whether this user may act on a board/item of `village_id` (None = the township's own board)."""
        if not self.is_village_scoped:
            return True
        return village_id is not None and village_id in self.village_ids


SYSTEM_ACTOR = Actor(username="cli", role="admin", display_name="命令行")
GUEST_ACTOR = Actor(username="guest", role="viewer", display_name="未登录")  # read-only, before sign-in
# Who acts while a new installation is set up (first-run wizard, single-user adoption): nobody has signed in yet.
SETUP_ACTOR = Actor(username="setup", role="admin", display_name="初始设置")


@dataclass
class UserRow:
    id: str
    username: str
    display_name: str
    role: str
    role_label: str
    village_ids: list[str]
    village_names: list[str]
    active: bool
    locked_until: str | None

    @property
    def label(self) -> str:
        """What screens call the person: the 姓名, or the username where none was given."""
        return self.display_name or self.username

    def as_json(self) -> dict:
        return dict(self.__dict__)


# --- settings ----------------------------------------------------------------------


# --- accounts ----------------------------------------------------------------------


def actor_for(user: User) -> Actor:
    return Actor(
        username=user.username, role=user.role, display_name=user.display_name,
        village_ids=tuple(user.village_ids or ()), user_id=user.id,
    )


def hash_password(password: str) -> str:
    return _password_hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches an argon2 hash made by `hash_password` (False for a malformed hash)."""
    if not stored_hash or not password:
        return False
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return _password_hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少需要 {MIN_PASSWORD_LENGTH} 位。", code="weak_password")


def _validate_username(username: str) -> str:
    name = (username or "").strip()
    if not name:
        raise InvalidInput("用户名不能为空。")
    if len(name) > 50:
        raise InvalidInput("用户名最多50个字符。")
    return name


def _validate_role(role: str) -> None:
    if role not in ROLES:
        labels = "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in ROLES)
        raise InvalidInput(f"未知角色“{role}”。可用角色：{labels}。", code="unknown_role")


def _resolve_villages(session: Session, role: str, villages: list[str]) -> list[str]:
    """Village ids from ids or names; a village user needs at least one."""
    if role != "village":
        return []
    ids = []
    for ref in villages:
        found = session.get(Village, ref) or session.execute(select(Village).where(Village.name == ref)).scalar()
        if found is None:
            raise InvalidInput(f"找不到村（社区）“{ref}”。", code="unknown_village")
        ids.append(found.id)
    if not ids:
        raise InvalidInput("村级用户必须指定所负责的村（社区）。")
    return ids


def user_count(session: Session) -> int:
    return session.execute(select(func.count(User.id))).scalar() or 0


def find_user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username.strip())).scalar()
    if user is None:
        raise NotFound(f"找不到用户“{username}”。")
    return user


def create_first_admin(session: Session, username: str, password: str, display_name: str = "") -> Actor:
    """First run: create the administrator. Refused once any user exists."""
    if user_count(session):
        raise NotAllowed("系统已有用户，不能再次初始化管理员。请由管理员登录后添加用户。")
    user = _new_user(session, username, password, "admin", display_name, [])
    return actor_for(user)


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    villages: list[str] | None = None,
) -> UserRow:
    """An admin adds a user (the very first user must be an admin and needs no actor rights)."""
    if user_count(session) == 0:
        if role != "admin":
            raise InvalidInput("第一个用户必须是管理员（--role admin）。")
    else:
        actor.require(MANAGE_USERS)
    user = _new_user(session, username, password, role, display_name, villages or [])
    return _user_row(session, user)


def _new_user(session: Session, username: str, password: str, role: str, display_name: str, villages: list[str]) -> User:
    name = _validate_username(username)
    _validate_role(role)
    _validate_password(password)
    if session.execute(select(User.id).where(User.username == name)).scalar():
        raise InvalidInput(f"用户名“{name}”已存在。", code="duplicate_user")
    user = User(
        username=name, display_name=display_name.strip() or name, password_hash=hash_password(password),
        role=role, village_ids=_resolve_villages(session, role, villages), active=True,
    )
    session.add(user)
    session.flush()
    return user


def reset_password(session: Session, actor: Actor, username: str, new_password: str) -> UserRow:
    """An admin sets a new password; this also lifts a lockout."""
    actor.require(MANAGE_USERS)
    _validate_password(new_password)
    user = find_user(session, username)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return _user_row(session, user)


def list_users(session: Session) -> list[UserRow]:
    users = session.execute(select(User).order_by(User.created_at)).scalars().all()
    return [_user_row(session, u) for u in users]


def _user_row(session: Session, user: User) -> UserRow:
    names = []
    for vid in user.village_ids or ():
        village = session.get(Village, vid)
        names.append(village.name if village else vid)
    return UserRow(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role,
        role_label=ROLE_LABELS.get(user.role, user.role), village_ids=list(user.village_ids or ()),
        village_names=names, active=user.active,
        locked_until=user.locked_until.isoformat() if user.locked_until else None,
    )


# --- login -------------------------------------------------------------------------


def authenticate(session: Session, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """Check a password; 5 failures lock the account for 15 minutes. Commit even on failure."""
    now = now or utcnow()
    user = session.execute(select(User).where(User.username == (username or "").strip())).scalar()
    if user is None or not user.active:
        raise LoginFailed("用户名或密码不正确。")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() + 59) // 60)
        raise AccountLocked(
            f"连续输错密码次数过多，账户已锁定，请 {minutes} 分钟后再试，或请管理员重置密码。",
            detail={"locked_until": user.locked_until.isoformat()},
        )
    if not verify_password(user.password_hash, password or ""):
        _note_failure(session, user, now)
        remaining = MAX_FAILED_LOGINS - user.failed_logins
        if user.locked_until is not None:
            raise LoginFailed(
                f"用户名或密码不正确。已连续输错 {MAX_FAILED_LOGINS} 次，账户锁定 15 分钟。"
            )
        raise LoginFailed(f"用户名或密码不正确（还可尝试 {remaining} 次）。")
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins = 0
        user.locked_until = None
    if _password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return actor_for(user)


def _note_failure(session: Session, user: User, now: datetime) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        user.failed_logins = 0
    session.flush()


def login(database, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """Authenticate in its own transaction so a failed attempt is still counted (commit, then raise)."""
    error: ZwgkError | None = None
    actor = None
    with database.session(user=(username or "").strip()) as session:
        try:
            actor = authenticate(session, username, password, now=now)
        except (LoginFailed, AccountLocked) as exc:
            error = exc
    if error is not None:
        raise error
    return actor


# --- single-user mode --------------------------------------------------------------


def single_user_mode(session: Session) -> bool:
    return bool(get_setting(session, SETTING_SINGLE_USER, False))


def set_single_user_mode(session: Session, actor: Actor, enabled: bool) -> None:
    actor.require(SETTINGS)
    if enabled and _first_admin(session) is None:
        raise NotAllowed("单用户模式需要至少一个管理员账户。")
    set_setting(session, SETTING_SINGLE_USER, bool(enabled))


def _first_admin(session: Session) -> User | None:
    return session.execute(
        select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.created_at).limit(1)
    ).scalar()


def login_required(session: Session) -> bool:
    """False when nobody needs to log in: no users yet (first run) or single-user mode."""
    return user_count(session) > 0 and not single_user_mode(session)


def needs_first_admin(session: Session) -> bool:
    return user_count(session) == 0


def single_user_actor(session: Session) -> Actor:
    """The actor used without a login dialog in single-user mode: the first administrator."""
    if not single_user_mode(session):
        raise NotAllowed("未启用单用户模式，请登录。")
    admin = _first_admin(session)
    if admin is None:
        raise NotAllowed("没有可用的管理员账户，请先创建管理员。")
    return actor_for(admin)


def adopt_single_user(session: Session, username: str = SINGLE_USER_ADMIN, display_name: str = SINGLE_USER_ADMIN_NAME) -> Actor:
    """No account yet: create the administrator (random password, never shown) and switch single-user mode on.

    The account is only used without login; `zwgk user reset` (an admin's password reset) gives it one.
    """
    admin = create_first_admin(session, username, secrets.token_urlsafe(18), display_name)
    set_single_user_mode(session, admin, True)
    return admin


# --- separation of duties ------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRule:
    """Whether the author of a notice may approve it (审核与起草分离), and why.

    `enforced`: the author may not approve their own notice. Unless an
    administrator set it (`explicit`), it follows the township: on as soon
    as at least two active users may review, so someone other than the
    author can always approve; with a single reviewer it stays off (the
    approval then says that the author approved it)."""

    enforced: bool
    explicit: bool
    reviewers: int

    @property
    def default(self) -> bool:
        return self.reviewers >= 2


def review_rule(session: Session) -> ReviewRule:
    """The separation-of-duties rule in force (see `ReviewRule`)."""
    stored = get_setting(session, SETTING_REVIEWER_NOT_AUTHOR, None)
    reviewing_roles = [role for role, permissions in ROLE_PERMISSIONS.items() if REVIEW in permissions]
    reviewers = session.execute(
        select(func.count(User.id)).where(User.active.is_(True), User.role.in_(reviewing_roles))
    ).scalar() or 0
    explicit = stored is not None
    return ReviewRule(enforced=bool(stored) if explicit else reviewers >= 2, explicit=explicit, reviewers=int(reviewers))
