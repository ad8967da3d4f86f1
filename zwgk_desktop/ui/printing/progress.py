"""Inline progress for printing work: a slim strip (message, bar, 取消) inside the dialog or page, and banners.

`JobStrip.start(tasks, func(job), on_success, on_failure, db=...)` runs
`func` through the app's `TaskManager`, shows the strip, *reads* the job's
progress on a timer and sets its cancel flag when the clerk presses 取消 (or
Esc while the strip has focus). Unlike the modal progress dialog it leaves
the preview visible, so changing the paper while a preview renders simply
cancels the old run. `Banner` is a coloured, non-modal notice line
(warning / info / success) used for 生僻字 and 草稿 notes.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.errors import Cancelled
from zwgk_desktop.ui.i18n import tr

POLL_MS = 100
BANNER_COLOURS = {
    "warning": ("#7a4b00", "#fff4d6", "#f0c36d"),
    "danger": ("#8a1c1c", "#fdeaea", "#eba5a5"),
    "info": ("#1d4f91", "#eaf2fd", "#a9c6ef"),
    "success": ("#1e6b35", "#e8f6ec", "#a6d8b4"),
}


class Banner(QLabel):
    """A rich-text notice line in one of `BANNER_COLOURS`; hidden while empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def show_text(self, kind: str, html: str) -> None:
        fg, bg, border = BANNER_COLOURS[kind]
        self.kind = kind
        self.setStyleSheet(
            f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {border}; border-radius: 6px; padding: 8px 12px; }}"
        )
        self.setText(html)
        self.show()

    def clear_text(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()


class JobStrip(QFrame):
    """Progress of one background job with a cancel button; hidden when idle."""

    finished = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("jobStrip")
        self.setStyleSheet("QFrame#jobStrip { background: #f3f6fa; border: 1px solid #dbe1e8; border-radius: 6px; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel("", self)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setMinimumWidth(160)
        self.cancel_button = QPushButton(tr("取消(&C)"), self)
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        self.job: Job | None = None
        self._label = ""
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.hide()

    @property
    def busy(self) -> bool:
        return self.job is not None

    def start(
        self,
        tasks,
        func: Callable[[Job], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        label: str = "",
        db: bool = True,
    ) -> Job:
        """Run `func(job)` on `tasks`; callbacks run on the UI thread unless the job was replaced meanwhile."""
        if self.job is not None:
            self.job.cancel()  # a newer request replaces the running one
        job = Job()
        self.job, self._label = job, label or tr("正在处理…")
        self.label.setText(self._label)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.show()
        self._timer.start()

        def succeeded(result: Any) -> None:
            if self._finish(job):
                on_success(result)

        def failed(exc: BaseException) -> None:
            if self._finish(job) and on_failure is not None:
                on_failure(exc)

        tasks.run(lambda: func(job), succeeded, failed, db=db, owner=self)  # dropped if the strip is deleted
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.label.setText(tr("正在取消，请稍候…"))
            self.cancel_button.setEnabled(False)

    def _finish(self, job: Job) -> bool:
        """Hide the strip if `job` is the current one; False when a newer job replaced it."""
        if job is not self.job:
            return False
        self.job = None
        self._timer.stop()
        self.hide()
        self.finished.emit()
        return True

    def _poll(self) -> None:
        job = self.job
        if job is None or job.cancelled:
            return
        if job.total > 0:
            self.bar.setRange(0, job.total)
            self.bar.setValue(min(job.done, job.total))
        self.label.setText(job.message or self._label)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.key() == Qt.Key.Key_Escape and self.busy:
            self.cancel()
            return
        super().keyPressEvent(event)


def is_cancel(exc: BaseException) -> bool:
    return isinstance(exc, Cancelled)


def show_final_failure(banner, exc: BaseException, cancelled_text: str) -> str | None:
    """Put a failed save/print into `banner`: a calm note for a cancel, the Chinese error otherwise.

    Returns the error message (None for a cancel) so the caller can emit it."""
    from html import escape

    from zwgk_desktop.ui.tasks import error_message

    if is_cancel(exc):
        banner.show_text("info", cancelled_text)
        return None
    message = error_message(exc)
    banner.show_text("danger", escape(message))
    return message
