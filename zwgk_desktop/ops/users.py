"""Users and who acts: accounts, sign-in, single-user mode, the separation-of-duties rule, and the actor a command or a window works as.

Start-up (the desktop's `ui.lifecycle.startup`): `start_state` says whether
the data dir is empty, has accounts and needs a login; `adopt_single_user`
gives a township without accounts its single-user administrator;
`single_user_actor` resumes single-user mode; `sign_in` checks a password
with the lockout rule (a failed attempt is committed before the refusal is
raised, so five wrong passwords lock the account). Nobody has signed in
yet at that point: the caller passes `GUEST_ACTOR` for reads and
`SETUP_ACTOR` for the set-up writes.

设置 → 用户 and the `user` commands: `users_state`, `list_users`,
`add_user`, `reset_password`, `set_single_user_mode`,
`set_reviewer_not_author`. Rights are checked in core (`Actor.require`):
only an administrator manages users and settings; before any account
exists the first one must be an administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from zwgk_desktop.core import users as core_users
from zwgk_desktop.core.townships import current_township, village_names
from zwgk_desktop.core.users import (
    SETTING_REVIEWER_NOT_AUTHOR,
    SETTINGS,
    AccountLocked,
    Actor,
    LoginFailed,
    ReviewRule,
    UserRow,
    actor_for,
    authenticate,
    find_user,
    login_required,
    needs_first_admin,
    review_rule,
    set_setting,
    single_user_mode,
)
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes


def actor_named(db, username: str) -> Actor:
    """The Actor of an existing account (the CLI's `--as`); `NotFound` in Chinese otherwise."""
    with read_session(db) as session:
        return actor_for(find_user(session, username))


# --- start-up ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StartState:
    """What start-up needs to decide between the first-run wizard, single-user mode and the login dialog."""

    empty: bool  # no township, households or notices
    township: str
    needs_admin: bool  # no account yet
    login_required: bool  # accounts exist and single-user mode is off
    single_user: Actor | None = None  # whom single-user mode works as, when it is on and has an administrator


@reads
def start_state(db, actor: Actor) -> StartState:
    """One read for start-up; in single-user mode it names the actor too, so no second read is needed."""
    with read_session(db, actor) as session:
        township = current_township(session)
        needs_admin, login = needs_first_admin(session), login_required(session)
        return StartState(
            empty=township is None and _nothing_stored(session), township=township.name if township else "",
            needs_admin=needs_admin, login_required=login,
            single_user=None if needs_admin or login else _single_user_or_none(session),
        )


def _nothing_stored(session) -> bool:
    from zwgk_desktop.services.demo import database_is_empty

    return database_is_empty(session)


def _single_user_or_none(session) -> Actor | None:
    """The single-user actor, or None when it can't be had (`single_user_actor` then says why)."""
    try:
        return core_users.single_user_actor(session)
    except ZwgkError:
        return None


@writes("users", "settings")
def adopt_single_user(db, actor: Actor, display_name: str = core_users.SINGLE_USER_ADMIN_NAME) -> Actor:
    """No account yet: create the single-user administrator (random password, never shown) and switch the mode on."""
    with unit_of_work(db, actor) as session:
        return core_users.adopt_single_user(session, display_name=display_name)


@reads
def single_user_actor(db, actor: Actor) -> Actor:
    """The administrator single-user mode works as (`NotAllowed` when the mode is off)."""
    with read_session(db, actor) as session:
        return core_users.single_user_actor(session)


@writes("users")
def sign_in(db, actor: Actor, username: str, password: str, *, now=None) -> Actor:
    """The account's Actor if the password is right; a Chinese `LoginFailed`/`AccountLocked` otherwise.

    The attempt is recorded as the account it claims (or `actor` for an empty
    name) and committed even when it fails, so the lockout counts it."""
    name = (username or "").strip()
    attempt = Actor(username=name[:50], role="viewer") if name else actor
    refused: ZwgkError | None = None
    signed_in = None
    with unit_of_work(db, attempt) as session:
        try:
            signed_in = authenticate(session, name, password, now=now)
        except (LoginFailed, AccountLocked) as exc:
            refused = exc
    if refused is not None:
        raise refused
    return signed_in


# --- 设置 → 用户 ------------------------------------------------------------------------


@dataclass(frozen=True)
class UsersState:
    """The 用户 tab: accounts, single-user mode, the separation-of-duties rule, village names for village users."""

    users: tuple[UserRow, ...]
    single_user: bool
    review_rule: ReviewRule
    villages: tuple[str, ...]
    needs_first_admin: bool

    @property
    def reviewer_not_author(self) -> bool:
        """Whether an author may not approve their own notice (the rule in force, default included)."""
        return self.review_rule.enforced


@reads
def users_state(db, actor: Actor) -> UsersState:
    with read_session(db, actor) as session:
        return UsersState(
            users=tuple(core_users.list_users(session)), single_user=single_user_mode(session),
            review_rule=review_rule(session), villages=tuple(village_names(session)),
            needs_first_admin=needs_first_admin(session),
        )


@reads
def list_users(db, actor: Actor) -> list[UserRow]:
    with read_session(db, actor) as session:
        return core_users.list_users(session)


@writes("users")
def add_user(db, actor: Actor, username: str, password: str, role: str, display_name: str = "",
             villages: list[str] | tuple[str, ...] = ()) -> UserRow:
    """An administrator adds an account (the very first account must be an administrator)."""
    with unit_of_work(db, actor) as session:
        return core_users.add_user(session, actor, username, password, role, display_name=display_name,
                                   villages=list(villages))


@writes("users")
def reset_password(db, actor: Actor, username: str, password: str) -> UserRow:
    """An administrator sets a new password, which also lifts a lockout."""
    with unit_of_work(db, actor) as session:
        return core_users.reset_password(session, actor, username, password)


@writes("settings")
def set_single_user_mode(db, actor: Actor, enabled: bool) -> bool:
    with unit_of_work(db, actor) as session:
        core_users.set_single_user_mode(session, actor, enabled)
        return bool(enabled)


@writes("settings")
def set_reviewer_not_author(db, actor: Actor, enabled: bool) -> ReviewRule:
    """An administrator sets the separation-of-duties rule explicitly (it no longer follows the default)."""
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        set_setting(session, SETTING_REVIEWER_NOT_AUTHOR, bool(enabled))
        return review_rule(session)
