"""Engine and session factory for the township's SQLite file.

Pragmas on every connection: WAL journal, foreign keys on, a busy timeout so
the UI's reader and the single writer thread don't trip over each other; and
the `group_order` collation (一组, 二组 … 十组 by number).
`Database.session()` is a unit of work: commit on success, roll back on any
exception, so a failed command writes nothing. A thread marked read-only
(the desktop's worker pool, `mark_thread_read_only`) may open sessions but
not flush changes: writes are serialised on the one database thread.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from zwgk_desktop.core.group_order import GROUP_COLLATION, compare_groups

BUSY_TIMEOUT_MS = 10_000


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_collation(GROUP_COLLATION, compare_groups)


_thread = threading.local()


class WriteOutsideDbThread(RuntimeError):
    """A bug: a read-only op (or a worker-pool thread) tried to write."""


def mark_thread_read_only() -> None:
    """Called once in each worker-pool thread: sessions opened there must not write."""
    _thread.read_only = True


def thread_is_read_only() -> bool:
    return bool(getattr(_thread, "read_only", False))


def _forbid_writes_on_read_only_threads(session: Session, _context, _instances) -> None:
    if thread_is_read_only() and (session.new or session.dirty or session.deleted):
        raise WriteOutsideDbThread("a read-only worker thread tried to write; mark the op @writes")


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


class Database:
    """An opened, migrated database: hands out sessions that are units of work."""

    def __init__(self, engine: Engine, path=None):
        self.engine = engine
        self.path = path
        self._factory = sessionmaker(bind=engine, expire_on_commit=False, future=True)
        from zwgk_desktop.core.changes import capture_changes

        event.listen(self._factory, "before_flush", _forbid_writes_on_read_only_threads)
        event.listen(self._factory, "before_flush", capture_changes)

    @contextmanager
    def session(self, user: str = "") -> Iterator[Session]:
        session = self._factory()
        session.info["user"] = user
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def new_session(self, user: str = "") -> Session:
        """A session the caller manages (read-only views); prefer `session()` for writes."""
        session = self._factory()
        session.info["user"] = user
        return session

    def dispose(self) -> None:
        self.engine.dispose()
