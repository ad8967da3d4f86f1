"""Shared bits of the lifecycle widgets: inline message labels and their styles, the failure text.

Widgets run use cases with `tasks.run_op(ops.<area>.<op>, ..., actor=self.actor)`
(see `ui.tasks`): the op runs off the UI thread as the widget's acting user and
its DTO comes back on the UI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "color:#b42318;background:#fef3f2;border:1px solid #fecdca;border-radius:4px;padding:6px;"
WARNING_STYLE = "color:#93370d;background:#fffaeb;border:1px solid #fedf89;border-radius:4px;padding:6px;"
OK_STYLE = "color:#05603a;background:#ecfdf3;border:1px solid #abefc6;border-radius:4px;padding:6px;"
INFO_STYLE = "color:#1f4f99;background:#eef4fd;border:1px solid #c6d8f5;border-radius:4px;padding:6px;"


def message_of(exc: BaseException) -> str:
    """The Chinese text of a failure (a bug gets the generic 'nothing was changed' message)."""
    from zwgk_desktop.ui.tasks import error_message  # with the database layer: not before the first screen

    return error_message(exc)


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
