"""What every operation shares: the read/write marks, the unit of work, the acting user, what changed.

An operation (op) is one use case: `op(db, actor, *args, job=None) -> DTO`.
- `@writes("notices", ...)` marks an op that changes data and names the
  kinds of data it changes; the desktop runs it on the single database
  thread and then tells every page `changed(kinds, ids)`. Its body opens
  `unit_of_work(db, actor)`: one transaction, committed on success, rolled
  back on any exception, with the actor recorded for the audit log.
- `@reads` marks an op that only reads; the desktop runs it on the worker
  pool, where `read_session` is the only session it may open (a flush of
  any change there raises, so a mislabelled write is caught by the tests,
  not by a clerk).
- `@writes(..., steps=True)` marks long work that is mostly network or
  disk (sync, backup): the desktop runs it on the pool, NOT on the database
  thread, and the op makes each of its short writes with
  `db.write(fn, user=...)`, which hands it to the database thread (see
  `core.db.Database.write`). Its writes stay serialised with every other
  write, and the database thread is never held for the minutes a sync or
  a backup of the photo archive can take. Such an op never opens
  `unit_of_work` itself (on a pool thread that raises).
- An op returns plain DTOs (dataclasses), never an ORM object or a Session,
  and raises `ZwgkError` subclasses with stable codes and Chinese messages.

`Changes` is what a write op may return (or carry as `result.changes`) to
name the rows it touched; by default the kinds come from `@writes`.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy.orm import Session

from zwgk_desktop.core.db import (  # noqa: F401
    WriteOutsideDbThread,
    begin_snapshot,
    mark_thread_read_only,
    thread_is_read_only,
)
from zwgk_desktop.core.users import Actor

# The kinds of data a write may change; pages subscribe to the ones they show.
KINDS = frozenset({
    "notices", "items", "postings", "objections", "photos", "prints", "households", "villages", "boards",
    "users", "settings", "calendar", "catalogue", "sync", "requests", "service_items", "backups",
})

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class OpInfo:
    writes: bool
    kinds: frozenset[str] = frozenset()
    steps: bool = False  # long work on the pool whose short writes go through `db.write`

    @property
    def on_db_thread(self) -> bool:
        return self.writes and not self.steps


@dataclass(frozen=True)
class Changes:
    """What a finished write changed: kinds of data and, where known, the ids of the rows."""

    kinds: frozenset[str]
    ids: tuple[str, ...] = field(default_factory=tuple)

    def touches(self, *kinds: str) -> bool:
        return bool(self.kinds.intersection(kinds))


def writes(*kinds: str, steps: bool = False) -> Callable[[F], F]:
    """Mark an op as a write that changes `kinds` (see `KINDS`); `steps=True`: long work writing in short steps."""
    unknown = set(kinds) - KINDS
    if unknown or not kinds:
        raise ValueError(f"@writes needs known kinds, got {kinds!r}")

    def mark(fn: F) -> F:
        fn.op_info = OpInfo(writes=True, kinds=frozenset(kinds), steps=steps)  # type: ignore[attr-defined]
        return fn

    return mark


def reads(fn: F) -> F:
    """Mark an op as read-only (runs on the worker pool in the desktop)."""
    fn.op_info = OpInfo(writes=False)  # type: ignore[attr-defined]
    return fn


def op_info(fn: Callable) -> OpInfo:
    """The marks of an op; an unmarked callable is treated as a write of nothing known (the safe thread)."""
    info = getattr(fn, "op_info", None)
    if info is None:
        func = getattr(fn, "func", None)  # functools.partial
        info = getattr(func, "op_info", None) if func is not None else None
    return info or OpInfo(writes=True)


def changes_of(fn: Callable, result: Any) -> Changes:
    """The `Changes` a finished write reports: the result's own, or the kinds its mark names."""
    if isinstance(result, Changes):
        return result
    own = getattr(result, "changes", None)
    if isinstance(own, Changes):
        return own
    ids = getattr(result, "changed_ids", None)
    return Changes(op_info(fn).kinds, tuple(ids or ()))


# --- sessions --------------------------------------------------------------------------------


def require_actor(actor: Actor | None) -> Actor:
    if not isinstance(actor, Actor) or not actor.username:
        raise TypeError("every operation needs an explicit Actor with a username")
    return actor


@contextmanager
def unit_of_work(db, actor: Actor) -> Iterator[Session]:
    """One transaction as `actor`: committed on success, rolled back on any exception."""
    actor = require_actor(actor)
    if thread_is_read_only():
        raise WriteOutsideDbThread("unit_of_work opened on a read-only worker thread; mark the op @writes")
    with db.session(user=actor.username) as session:
        session.info["actor"] = actor
        yield session


@contextmanager
def read_session(db, actor: Actor | None = None) -> Iterator[Session]:
    """A session for reading (closed afterwards; nothing it holds may leave the op): every query in it sees
    the same state of the database (`core.db.begin_snapshot`), even while another process writes."""
    with db.session(user=actor.username if actor is not None else "") as session:
        if actor is not None:
            session.info["actor"] = actor
        begin_snapshot(session)
        yield session
