"""The background runner: keep the window responsive while work runs on other threads.

Pages run use cases with `TaskManager.run_op(op, *args, on_success=...)`
(Anki's `CollectionOp`/`QueryOp` in one call): the op is called as
`op(database, actor, *args)` with the manager's bound database and acting
user; an op marked `@writes` runs on the single database thread and, once it
succeeded, `changed(Changes)` tells every subscribed page what kinds of data
(and which rows) changed; an op marked `@reads` runs on the pool, whose
threads may not write (a flush there raises). `progress=` a label shows the
modal progress dialog, `progress=` a `JobStrip` the inline strip; either
way the op gets `job=` and can be cancelled. An op marked
`@writes(..., steps=True)` (sync, backup) runs on the pool and its short
writes come to the database thread one by one through the writer this
manager installs on the bound database (`Database.use_writer`).

Underneath, modelled on Anki's `aqt/taskman.py`:
- `TaskManager.run(func, on_success, on_failure, db=True)`: work touching the
  database goes to ONE single-thread executor (writes are serialised);
  other work (`db=False`) goes to a small pool. The result or the exception
  comes back to the UI thread through a queued Qt signal, so callbacks may
  touch widgets; `func` itself must not. Workers open their own session and
  return DTOs, never ORM objects.
- `TaskManager.run_with_progress(func(job), on_success, label, parent)`: a
  `QProgressDialog` reads `job.done/total/message` on a timer (progress is
  *read*, never pushed from the worker) and its Cancel button sets the job's
  cancel flag, which the core checks with `job.check()`.
- Failures: a `ZwgkError` shows its Chinese message; `Cancelled` is quiet;
  anything else is a bug, logged with its traceback and shown as a generic
  Chinese message.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.errors import Cancelled, ZwgkError
from zwgk_desktop.ops.base import Changes, changes_of, mark_thread_read_only, op_info
from zwgk_desktop.ui.i18n import tr

log = logging.getLogger(__name__)

PROGRESS_POLL_MS = 100
PROGRESS_SHOW_AFTER_MS = 300
POOL_WORKERS = 2

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]


def error_message(exc: BaseException) -> str:
    """What the user reads about a failure: the Chinese message, or a generic one for a bug."""
    if isinstance(exc, ZwgkError):
        return exc.message
    return tr("程序内部错误：{name}。操作没有完成，数据未被修改。请重试；如果问题反复出现，请联系技术支持并提供日志。").format(
        name=type(exc).__name__
    )


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """Tell the user what went wrong in a dialog (nothing for a cancel)."""
    if isinstance(exc, Cancelled):
        return
    if not isinstance(exc, ZwgkError):
        log.error("background task failed", exc_info=(type(exc), exc, exc.__traceback__))
    QMessageBox.warning(parent, title or tr("操作未完成"), error_message(exc))


def _callback_owner(*callbacks: Callable | None) -> QObject | None:
    """The Qt object the first bound-method callback belongs to, if any."""
    for callback in callbacks:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject):
            return owner
    return None


class TaskManager(QObject):
    """Runs callables off the UI thread and calls back on the UI thread."""

    _results_pending = Signal()
    task_failed = Signal(str)  # the Chinese message of every failure, for status bars and tests
    changed = Signal(object)  # ops.Changes after every successful write op

    def __init__(self, parent: QObject | None = None, *, error_parent: QWidget | None = None,
                 database=None, actor=None):
        super().__init__(parent)
        self.database, self.actor = None, actor  # what run_op calls ops with (actor follows 切换用户)
        self._db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zwgk-db")
        self._pool = ThreadPoolExecutor(
            max_workers=POOL_WORKERS, thread_name_prefix="zwgk-pool", initializer=mark_thread_read_only
        )
        self._pending = 0
        self._closed = False
        self.error_parent = error_parent
        # As in Anki: finished work is queued under a lock and a bare signal wakes the UI thread;
        # no Python object travels through Qt's queued connection.
        self._finished: list[tuple[Future, SuccessCallback | None, FailureCallback | None]] = []
        self._finished_lock = threading.Lock()
        self._results_pending.connect(self._deliver_finished, Qt.ConnectionType.QueuedConnection)
        if database is not None:
            self.bind(database=database)

    # --- operations -------------------------------------------------------
    def bind(self, database=None, actor=None) -> None:
        """Set the database and/or acting user that `run_op` passes to every op."""
        if database is not None:
            self.database = database
            if hasattr(database, "use_writer"):
                database.use_writer(self.write_on_db_thread)
        if actor is not None:
            self.actor = actor

    def write_on_db_thread(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on the single database thread and wait for it (the writer of `@writes(steps=True)` ops)."""
        return self._db_executor.submit(fn).result()

    def run_op(
        self,
        op: Callable[..., Any],
        *args: Any,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        progress: Any = None,
        parent: QWidget | None = None,
        cancellable: bool = True,
        owner: QObject | None = None,
        actor: Any = None,
        label: str = "",
        **kwargs: Any,
    ) -> Future | None:
        """Run `op(database, actor, *args, **kwargs)` in the background (see the module doc).

        `progress`: None (no progress shown), a label (modal dialog), or an
        object with `start(tasks, func(job), on_success, on_failure, label=, db=)` (the
        inline `JobStrip`, showing `label`); with progress the op also gets `job=`.
        `actor` overrides the bound acting user for this call. Returns the
        Future (None when a strip runs it)."""
        if self.database is None:
            raise RuntimeError("TaskManager.run_op needs a bound database (TaskManager.bind)")
        acting = actor if actor is not None else self.actor
        if acting is None:
            raise RuntimeError("TaskManager.run_op needs an acting user (TaskManager.bind(actor=...))")
        info = op_info(op)
        database = self.database

        def succeeded(result: Any) -> None:
            if info.writes:
                self.changed.emit(changes_of(op, result))
            if on_success is not None:
                on_success(result)

        owner = owner if owner is not None else _callback_owner(on_success, on_failure)
        on_db_thread = info.on_db_thread
        if progress is None:
            return self.run(lambda: op(database, acting, *args, **kwargs), succeeded, on_failure,
                            db=on_db_thread, owner=owner)
        work = lambda job: op(database, acting, *args, job=job, **kwargs)  # noqa: E731
        if isinstance(progress, str):
            future, _job, _dialog = self.run_with_progress(
                work, succeeded, progress, parent, on_failure=on_failure, db=on_db_thread, cancellable=cancellable,
            )
            return future
        progress.start(self, work, succeeded, on_failure, label=label, db=on_db_thread)
        return None

    def notify_changed(self, *kinds: str, ids: tuple[str, ...] = ()) -> None:
        """Announce a change made outside `run_op` (e.g. a sync in its own thread) to every page."""
        self.changed.emit(Changes(frozenset(kinds), tuple(ids)))

    # --- running ----------------------------------------------------------
    def run(
        self,
        func: Callable[[], Any],
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        *,
        db: bool = True,
        owner: QObject | None = None,
    ) -> Future:
        """Run `func()` in the background; `on_success(result)` / `on_failure(exc)` run on the UI thread.

        The callbacks are dropped when `owner` (by default the object of a
        bound-method callback) was deleted while the work ran: a page closed
        mid-render must not be touched afterwards. A QObject-owned failure
        callback names the owner too.
        """
        if self._closed:
            raise RuntimeError("TaskManager is shut down")
        owner = owner if owner is not None else _callback_owner(on_success, on_failure)
        executor = self._db_executor if db else self._pool
        self._pending += 1
        future = executor.submit(func)
        future.add_done_callback(lambda f: self._queue_finished(f, on_success, on_failure, owner))
        return future

    def _queue_finished(self, future: Future, on_success, on_failure, owner) -> None:
        with self._finished_lock:
            self._finished.append((future, on_success, on_failure, owner))
        self._results_pending.emit()

    def run_with_progress(
        self,
        func: Callable[[Job], Any],
        on_success: SuccessCallback | None = None,
        label: str = "",
        parent: QWidget | None = None,
        *,
        on_failure: FailureCallback | None = None,
        db: bool = True,
        cancellable: bool = True,
    ) -> tuple[Future, Job, QProgressDialog]:
        """Run `func(job)` with a progress dialog that reads the job and can cancel it."""
        job = Job()
        dialog = QProgressDialog(label or tr("正在处理…"), tr("取消") if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(tr("请稍候"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(PROGRESS_SHOW_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(420)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(job.cancel)
        dialog.canceled.connect(lambda: dialog.setLabelText(tr("正在取消，请稍候…")))
        timer = QTimer(dialog)
        timer.setInterval(PROGRESS_POLL_MS)
        timer.timeout.connect(lambda: self._show_progress(dialog, job, label))
        timer.start()

        def finish() -> None:
            timer.stop()
            dialog.canceled.disconnect()
            dialog.close()
            dialog.deleteLater()

        def succeeded(result: Any) -> None:
            finish()
            if on_success is not None:
                on_success(result)

        def failed(exc: BaseException) -> None:
            finish()
            if on_failure is not None:
                on_failure(exc)
            else:
                show_error(parent or self.error_parent, exc)

        future = self.run(lambda: func(job), succeeded, failed, db=db)
        return future, job, dialog

    @staticmethod
    def _show_progress(dialog: QProgressDialog, job: Job, label: str) -> None:
        if job.cancelled:
            return
        if job.total > 0:
            dialog.setMaximum(job.total)
            dialog.setValue(min(job.done, job.total))
        if job.message:
            dialog.setLabelText(job.message)
        elif label:
            dialog.setLabelText(label)

    # --- delivery on the UI thread ------------------------------------------
    def _deliver_finished(self) -> None:
        with self._finished_lock:
            finished, self._finished = self._finished, []
        for payload in finished:
            self._deliver(*payload)

    def _deliver(self, future: Future, on_success: SuccessCallback | None, on_failure: FailureCallback | None,
                 owner: QObject | None = None) -> None:
        self._pending -= 1
        if self._closed or (owner is not None and not shiboken6.isValid(owner)):
            return
        exc = future.exception()
        if exc is None:
            if on_success is not None:
                on_success(future.result())
            return
        self._report_failure(exc, on_failure)

    def _report_failure(self, exc: BaseException, on_failure: FailureCallback | None) -> None:
        if not isinstance(exc, Cancelled):
            self.task_failed.emit(error_message(exc))
        if on_failure is not None:
            on_failure(exc)
        else:
            show_error(self.error_parent, exc)

    # --- state ------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Tasks submitted whose callbacks have not run yet."""
        return self._pending

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; by default wait for running work (a DB write finishes its transaction)."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)  # a running stepped op still writes through the DB thread
        if self.database is not None and getattr(self.database, "_writer", None) == self.write_on_db_thread:
            self.database.use_writer(None)
        self._db_executor.shutdown(wait=wait, cancel_futures=True)
