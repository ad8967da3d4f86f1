"""Shared bits of the lifecycle widgets: translation, running core calls, inline error labels.

`Runner` runs a core call either on the app's `TaskManager` (database work
off the UI thread, results back on it) or, when no task manager is given
(tests, small dialogs), right away. Every core call opens its own session
as the acting user, so the audit log names them.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QLabel, QWidget

from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ui.i18n import tr

ERROR_STYLE = "color:#b42318;background:#fef3f2;border:1px solid #fecdca;border-radius:4px;padding:6px;"
WARNING_STYLE = "color:#93370d;background:#fffaeb;border:1px solid #fedf89;border-radius:4px;padding:6px;"
OK_STYLE = "color:#05603a;background:#ecfdf3;border:1px solid #abefc6;border-radius:4px;padding:6px;"


def message_of(exc: BaseException) -> str:
    if isinstance(exc, ZwgkError):
        return exc.message
    return tr("程序内部错误：{name}。操作没有完成，数据未被修改。").format(name=type(exc).__name__)


class Runner:
    """Run `fn(session)` as `actor` in one transaction, in the background when a TaskManager is given."""

    def __init__(self, database, actor, tasks=None):
        self.database, self.actor, self.tasks = database, actor, tasks

    def call(
        self,
        fn: Callable[[Any], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
    ) -> None:
        def work():
            with self.database.session(user=self.actor.username) as session:
                return fn(session)

        if self.tasks is not None:
            self.tasks.run(work, on_success, on_failure)
            return
        try:
            result = work()
        except ZwgkError as exc:
            on_failure(exc)
            return
        on_success(result)


def message_label(parent: QWidget | None = None) -> QLabel:
    """A hidden, word-wrapped label for inline errors and warnings."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setVisible(False)
    label.setTextInteractionFlags(label.textInteractionFlags())
    return label


def show_message(label: QLabel, text: str, style: str = ERROR_STYLE) -> None:
    label.setText(text)
    label.setStyleSheet(style)
    label.setVisible(bool(text))
