"""Engine and session factory for the township's SQLite file.

Pragmas on every connection: WAL journal, foreign keys on, a busy timeout so
the UI's reader and the single writer thread don't trip over each other; and
the `group_order` collation (一组, 二组 … 十组 by number).
`Database.session()` is a unit of work: commit on success, roll back on any
exception, so a failed command writes nothing; SQLite's write failures
(read-only file, disk full, locked past the busy timeout, I/O error) become
a `DatabaseWriteError` naming the file, in Chinese. A thread marked read-only
(the desktop's worker pool, `mark_thread_read_only`) may open sessions but
not flush changes: writes are serialised on the one database thread.

Long work that is mostly network or disk (sync, backup) runs on the pool and
hands each of its short transactions to `Database.write(fn, user=...)`: on
a pool thread that goes through the writer the desktop installed
(`use_writer`: run it on the database thread and wait), anywhere else it
runs at once. So such work never holds the database thread for minutes,
and its writes are still serialised with every other write.

A `Database` also carries the data dir's `Config` and install key: every
session gets the key (`session.info["install_key"]`) so the audit chain is
keyed, and after each commit that appended audit events the signed chain
head beside the database moves forward (`core.audit.advance_anchor`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from zwgk_desktop.core.group_order import GROUP_COLLATION, compare_groups
from zwgk_desktop.errors import DatabaseError

log = logging.getLogger(__name__)
T = TypeVar("T")

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


class DatabaseWriteError(DatabaseError):
    """SQLite could not write (or open) the file: read-only, disk full, locked, I/O error. Nothing was saved."""

    code = "database_write_failed"


def write_failure(exc: BaseException, path) -> DatabaseWriteError | None:
    """The Chinese `DatabaseWriteError` for a SQLite failure to write/open `path`, or None for other errors."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.OperationalError):
        return None
    name = getattr(orig, "sqlite_errorname", "") or ""
    text = str(orig).lower()
    where = str(path) if path else "数据库文件"
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return DatabaseWriteError(
            f"数据库文件 {where} 是只读的（或其所在文件夹不可写），操作没有完成，数据未被修改。"
            "请检查该文件和文件夹的权限（如文件属性中的“只读”），或把数据目录复制到可写的位置后用 --data-dir 指定。",
            code="database_readonly", detail={"path": where})
    if name == "SQLITE_FULL" or "disk is full" in text:
        return DatabaseWriteError(
            f"磁盘空间不足，无法写入数据库文件 {where}，操作没有完成，数据未被修改。"
            "请清理磁盘空间（或把数据目录移到空间充足的磁盘）后重试。", code="disk_full", detail={"path": where})
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return DatabaseWriteError(
            f"数据库文件 {where} 正被另一个程序占用（例如另一个窗口正在导入或备份），等待 {BUSY_TIMEOUT_MS // 1000} 秒后"
            "仍无法写入，操作没有完成，数据未被修改。请稍后重试。", code="database_locked", detail={"path": where})
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return DatabaseWriteError(
            f"读写数据库文件 {where} 时发生磁盘错误，操作没有完成。请检查磁盘（移动硬盘或U盘是否被拔出）后重试，"
            "必要时从备份恢复。", code="database_io", detail={"path": where})
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return DatabaseWriteError(
            f"无法打开数据库文件 {where}（文件或其所在文件夹不存在、不可读或不可写），操作没有完成。"
            "请检查数据目录的位置和权限。", code="database_cantopen", detail={"path": where})
    return None


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


Writer = Callable[[Callable[[], Any]], Any]


class Database:
    """An opened, migrated database: hands out sessions that are units of work."""

    def __init__(self, engine: Engine, path=None, *, config=None, install_key=None):
        self.engine = engine
        self.path = path
        self.config = config  # the data dir's Config (paths, settings), for ops that need more than tables
        self.install_key = install_key  # core.install_key.InstallKey: keys the audit chain
        self._writer: Writer | None = None
        self._factory = sessionmaker(bind=engine, expire_on_commit=False, future=True)
        from zwgk_desktop.core.changes import capture_changes

        event.listen(self._factory, "before_flush", _forbid_writes_on_read_only_threads)
        event.listen(self._factory, "before_flush", capture_changes)
        event.listen(self._factory, "after_flush_postexec", self._note_audit_head)
        event.listen(self._factory, "after_commit", self._publish_audit_head)
        event.listen(self._factory, "after_soft_rollback", self._forget_audit_head)

    def _open(self, user: str) -> Session:
        session = self._factory()
        session.info["user"] = user
        session.info["install_key"] = self.install_key
        return session

    @contextmanager
    def session(self, user: str = "") -> Iterator[Session]:
        session = self._open(user)
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            failure = write_failure(exc, self.path)
            if failure is not None:
                raise failure from exc
            raise
        finally:
            session.close()

    def new_session(self, user: str = "") -> Session:
        """A session the caller manages (read-only views); prefer `session()` for writes."""
        return self._open(user)

    # --- short writes from long work ---------------------------------------------------
    def use_writer(self, writer: Writer | None) -> None:
        """Install how pool threads hand a write to the database thread (the desktop's TaskManager); None: inline."""
        self._writer = writer

    def write(self, fn: Callable[[Session], T], *, user: str) -> T:
        """Run `fn(session)` as one short transaction as `user`, on the database thread when called from the pool."""

        def run() -> T:
            with self.session(user=user) as session:
                return fn(session)

        if self._writer is not None and thread_is_read_only():
            return self._writer(run)
        return run()

    # --- the chain head beside the database --------------------------------------------
    @staticmethod
    def _note_audit_head(session: Session, _context) -> None:
        from zwgk_desktop.core.audit import APPENDED_KEY

        appended = session.info.pop(APPENDED_KEY, None)
        if appended is not None and appended.seq is not None:
            session.info["audit_head"] = (appended.seq, appended.hash)

    @staticmethod
    def _forget_audit_head(session: Session, _previous) -> None:
        from zwgk_desktop.core.audit import APPENDED_KEY

        session.info.pop("audit_head", None)
        session.info.pop(APPENDED_KEY, None)

    def _publish_audit_head(self, session: Session) -> None:
        head = session.info.pop("audit_head", None)
        if head is None or self.install_key is None or self.config is None:
            return
        from zwgk_desktop.core.audit import advance_anchor

        try:
            advance_anchor(self.config.data_dir, self.install_key, head[0], head[1], self._hash_at)
        except Exception:  # the commit stands; a stale head file only weakens, never falsifies, the check
            log.warning("could not update the audit head file", exc_info=True)

    def _hash_at(self, seq: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT hash FROM audit_event WHERE seq = ?", (seq,)).scalar()

    def dispose(self) -> None:
        self.engine.dispose()


def begin_snapshot(session) -> None:
    """Read every later query of this session from one state of the file (a WAL read transaction).

    Python's sqlite3 runs a SELECT outside any transaction, so two queries of one screen (a list and
    its totals) could straddle another process's commit and disagree; a read session opens its
    transaction at once instead, and ends it when the session closes."""
    _begin(session, "BEGIN")


def hold_write_lock(session) -> None:
    """Take SQLite's write lock now (BEGIN IMMEDIATE) unless the transaction already writes.

    Python's sqlite3 opens a transaction only at the first INSERT/UPDATE, so reads before it would let
    another process write in between: two audit events naming the same predecessor (a forked chain), or
    two imports both finding a roster new."""
    _begin(session, "BEGIN IMMEDIATE")


def _begin(session, statement: str) -> None:
    """`statement` on the session's SQLite connection unless a transaction is already open there."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi = connection.connection.dbapi_connection
    if not dbapi.in_transaction:
        dbapi.execute(statement)
