"""Users and who acts: accounts, sign-in and the actor a command or a window works as."""

from __future__ import annotations

from zwgk_desktop.core.users import Actor, actor_for, find_user
from zwgk_desktop.ops.base import read_session


def actor_named(db, username: str) -> Actor:
    """The Actor of an existing account (the CLI's `--as`); `NotFound` in Chinese otherwise."""
    with read_session(db) as session:
        return actor_for(find_user(session, username))
