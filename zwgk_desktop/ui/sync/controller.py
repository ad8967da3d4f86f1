"""Background sync: one `SyncController` per window runs the `ops.sync.sync_now` op on a timer.

The op is `@writes("sync", steps=True)`: the TaskManager runs it on the pool
and its short writes reach the database thread one at a time, so a long
upload never blocks a clerk's save (see `ops.sync`). After each attempt the
controller reads `ops.sync.sync_overview` and only then reports the outcome.

Rules it keeps:
- never two syncs at once (a request while one runs is refused and says so);
- every `sync_interval_s` while enrolled; on `sync_unreachable` the next try
  waits 1, 2, 4 … minutes, capped at 30 minutes, and the status-bar label
  says when; a success resets the backoff;
- the worker catches everything and returns a `SyncOutcome`, so a failed
  background sync never pops up a dialog (the page shows the error);
- the status-bar label (`window.sync_label`) reads "● 已同步 HH:MM",
  "● 待上传 N 条", "● 县级平台暂不可达，X 分钟后重试" or "● 未连接县级平台".
Progress is *read* from the current `Job` by the page on its own timer.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.local_time import local_time_text
from zwgk_desktop.errors import Cancelled, ZwgkError
from zwgk_desktop.ops.sync import SyncOverview, sync_now, sync_overview
from zwgk_desktop.ui.i18n import tr

log = logging.getLogger(__name__)

BACKOFF_FIRST_S = 60
BACKOFF_CAP_S = 30 * 60
STARTUP_DELAY_S = 20
AFTER_ENROLL_DELAY_S = 2
LABEL_REFRESH_S = 60
UNREACHABLE = "sync_unreachable"

TONES = {"ok": "#1a7f37", "pending": "#8a6d00", "down": "#b42318", "idle": "#6a7380", "busy": "#1f6feb"}


@dataclass(frozen=True)
class SyncOutcome:
    """One attempt's result as data: the report or the error (code + Chinese message), plus the new overview."""

    report: object | None
    error_code: str | None
    error_message: str | None
    overview: SyncOverview | None
    manual: bool

    @property
    def ok(self) -> bool:
        return self.error_code is None


def failure_outcome(exc: BaseException, manual: bool) -> SyncOutcome:
    """A failed attempt as data (the page shows it; a failed background sync never opens a dialog)."""
    if isinstance(exc, Cancelled):
        return SyncOutcome(None, "cancelled", tr("同步已取消，已完成的部分不会丢失。"), None, manual)
    if isinstance(exc, ZwgkError):
        return SyncOutcome(None, exc.code, exc.message, None, manual)
    log.error("sync failed", exc_info=(type(exc), exc, exc.__traceback__))
    return SyncOutcome(None, "bug", tr("同步时发生程序内部错误（{name}），数据仍在本机，请稍后重试或联系技术支持。").format(
        name=type(exc).__name__), None, manual)


class _JobProgress:
    """`run_op`'s progress hook: the op gets a Job the page polls (controller.job)."""

    def __init__(self, controller: "SyncController"):
        self.controller = controller

    def start(self, tasks, work, on_success, on_failure, label: str = "", db: bool = False) -> None:
        job = self.controller.job
        tasks.run(lambda: work(job), on_success, on_failure, db=db, owner=self.controller)


def backoff_delay(failures: int, first: float = BACKOFF_FIRST_S, cap: float = BACKOFF_CAP_S) -> float:
    """Seconds to wait after `failures` consecutive unreachable attempts: first, 2×, 4× … up to cap."""
    if failures <= 0:
        return 0.0
    return float(min(cap, first * 2 ** (failures - 1)))


class SyncController(QObject):
    """Schedules and runs syncs for one window; keeps the status-bar label current."""

    started = Signal(bool)  # manual?
    finished = Signal(object)  # SyncOutcome
    overview_changed = Signal(object)  # SyncOverview
    label_changed = Signal(str)

    def __init__(self, config, database, tasks, label=None, parent: QObject | None = None):
        super().__init__(parent)
        self.config, self.database, self.tasks, self.label = config, database, tasks, label
        self.backoff_first_s, self.backoff_cap_s = BACKOFF_FIRST_S, BACKOFF_CAP_S
        self.after_enroll_delay_s = AFTER_ENROLL_DELAY_S
        self.running = False
        self.job: Job | None = None
        self.failures = 0
        self.next_attempt_at: float | None = None  # time.monotonic() of the next scheduled try
        self.overview: SyncOverview | None = None
        self.last_outcome: SyncOutcome | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.sync_now(manual=False))
        self._label_timer = QTimer(self)
        self._label_timer.setInterval(LABEL_REFRESH_S * 1000)
        self._label_timer.timeout.connect(self.refresh_overview)

    # --- scheduling -----------------------------------------------------------
    @property
    def interval_s(self) -> float:
        return max(30.0, float(self.config.settings.sync_interval_s or 300))

    def start(self, first_delay_s: float = STARTUP_DELAY_S) -> None:
        """Load the state, then sync after `first_delay_s` if this install is enrolled."""
        self._label_timer.start()
        self.refresh_overview(schedule_after_s=first_delay_s)

    def stop(self) -> None:
        self._timer.stop()
        self._label_timer.stop()
        self.next_attempt_at = None

    def schedule(self, delay_s: float) -> None:
        self.next_attempt_at = time.monotonic() + delay_s
        self._timer.start(int(delay_s * 1000))

    def seconds_until_next(self) -> float | None:
        if self.next_attempt_at is None or not self._timer.isActive():
            return None
        return max(0.0, self.next_attempt_at - time.monotonic())

    # --- running --------------------------------------------------------------
    def sync_now(self, manual: bool = True) -> bool:
        """Start a sync unless one is running; True when started."""
        if self.running:
            return False
        self._timer.stop()
        self.next_attempt_at = None
        self.running = True
        self.job = Job()
        self.started.emit(manual)
        self._show_label()
        self.tasks.run_op(sync_now, progress=_JobProgress(self),
                          on_success=lambda run: self._attempted(SyncOutcome(run.report, None, None, None, manual)),
                          on_failure=lambda exc: self._attempted(failure_outcome(exc, manual)))
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _attempted(self, outcome: SyncOutcome) -> None:
        """Read the new overview (off the UI thread), then report the outcome with it."""

        def done(overview: SyncOverview | None) -> None:
            self._finished(SyncOutcome(outcome.report, outcome.error_code, outcome.error_message, overview,
                                       outcome.manual))

        def unreadable(exc: BaseException) -> None:
            log.warning("could not read sync status after sync: %s", exc)
            done(None)

        self.tasks.run_op(sync_overview, on_success=done, on_failure=unreadable, owner=self)

    def _finished(self, outcome: SyncOutcome) -> None:
        self.running = False
        self.job = None
        self.last_outcome = outcome
        if outcome.overview is not None:
            self.overview = outcome.overview
        if outcome.error_code == UNREACHABLE:
            self.failures += 1
            delay = backoff_delay(self.failures, self.backoff_first_s, self.backoff_cap_s)
        else:
            self.failures = 0
            delay = self.interval_s
        if self.overview is not None and self.overview.enrolled:
            self.schedule(delay)
        self._show_label()
        if outcome.overview is not None:
            self.overview_changed.emit(outcome.overview)
        self.finished.emit(outcome)

    # --- state ----------------------------------------------------------------
    def refresh_overview(self, schedule_after_s: float | None = None) -> None:
        """Re-read the totals (off the UI thread) and update the label; optionally schedule a sync."""

        def done(overview: SyncOverview) -> None:
            self.overview = overview
            if schedule_after_s is not None and overview.enrolled and not self.running:
                self.schedule(schedule_after_s)
            self._show_label()
            self.overview_changed.emit(overview)

        self.tasks.run_op(sync_overview, on_success=done, on_failure=lambda exc: log.warning("sync status: %s", exc),
                          owner=self)

    def enrolled(self) -> None:
        """Called after a successful enrollment: the first sync follows shortly."""
        self.failures = 0
        self.refresh_overview(schedule_after_s=self.after_enroll_delay_s)

    def label_state(self) -> tuple[str, str, str]:
        """(text, tone, tooltip) for the status-bar label."""
        overview, outcome = self.overview, self.last_outcome
        if self.running:
            return tr("● 正在同步…"), "busy", tr("正在与县级平台交换数据。")
        if overview is None or not overview.enrolled:
            return (tr("● 未连接县级平台"), "idle",
                    tr("本机尚未在县级平台注册；所有功能可离线使用。在“同步”页填写县级平台地址和注册码即可联网同步。"))
        wait = self.seconds_until_next()
        if outcome is not None and outcome.error_code == UNREACHABLE and wait is not None:
            minutes = max(1, math.ceil(wait / 60))
            return (tr("● 县级平台暂不可达，{m} 分钟后重试").format(m=minutes), "down",
                    outcome.error_message or "")
        if outcome is not None and not outcome.ok and outcome.error_code not in ("cancelled", UNREACHABLE):
            return tr("● 同步失败，请查看“同步”页"), "down", outcome.error_message or ""
        if outcome is None and overview.last_attempt_failed:
            error = overview.last_error or {}
            return (tr("● 上次同步失败，请查看“同步”页"), "down",
                    tr("{t} 同步失败：{m}").format(t=local_time_text(overview.last_attempt_at), m=error.get("message", "")))
        if overview.pending:
            return (tr("● 待上传 {n} 条").format(n=overview.pending), "pending",
                    tr("这些变更将在下次同步时上报县级平台。"))
        if overview.last_sync_at:
            return (tr("● 已同步 {t}").format(t=local_time_text(overview.last_sync_at, "%H:%M")), "ok",
                    tr("上次同步：{t}").format(t=local_time_text(overview.last_sync_at)))
        return tr("● 尚未同步"), "pending", tr("已注册，等待第一次同步。")

    def _show_label(self) -> None:
        text, tone, tip = self.label_state()
        if self.label is not None:
            self.label.setText(text)
            self.label.setStyleSheet(f"color: {TONES[tone]};")
            self.label.setToolTip(tip)
        self.label_changed.emit(text)
