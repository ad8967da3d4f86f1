"""Shared bits of the 设置 tabs: the card frame and a message label with ok/error/warning looks."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from zwgk_desktop.ui.tasks import error_message
from zwgk_desktop.ui.widgets import titled_card

SETTINGS_STYLE = """
QFrame#settingsCard { background: #f7f9fb; border: 1px solid #e3e7ec; border-radius: 10px; }
QLabel#cardTitle { font-size: 12pt; font-weight: 600; color: #1f2733; }
QLabel#okBox { background: #e8f5ec; border: 1px solid #b5dcc0; border-radius: 6px; padding: 7px 10px; color: #1a5d2b; }
QLabel#errorBox { background: #fdecea; border: 1px solid #f1b5ae; border-radius: 6px; padding: 7px 10px; color: #8c1d13; }
QLabel#warningBox { background: #fff8e1; border: 1px solid #f0d58a; border-radius: 6px; padding: 7px 10px; color: #6b5200; }
QFrame#nagBanner { background: #fff4cc; border: 1px solid #f0c94a; border-radius: 8px; }
QLabel#nagText { color: #5c4400; font-weight: 600; }
QLabel#codeBox { background: #1f2733; color: #e6edf3; border-radius: 6px; padding: 8px 10px; font-family: monospace; }
QTabWidget::pane { border: 1px solid #dde1e7; border-radius: 8px; top: -1px; background: #ffffff; }
QTabBar::tab { padding: 7px 18px; border: 1px solid #dde1e7; border-bottom: none; background: #f3f5f8;
               border-top-left-radius: 6px; border-top-right-radius: 6px; margin-right: 2px; color: #39424e; }
QTabBar::tab:selected { background: #ffffff; color: #1f6feb; font-weight: 600; }
"""


def card(title: str, parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    return titled_card(title, "settingsCard", parent)


class MessageLabel(QLabel):
    """A label that shows a result as a green, red or yellow box (hidden when empty)."""

    KINDS = {"ok": "okBox", "error": "errorBox", "warning": "warningBox", "muted": "muted"}

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setVisible(False)
        self.kind = ""

    def show_message(self, text: str, kind: str = "ok") -> None:
        self.kind = kind
        self.setObjectName(self.KINDS[kind])
        self.setText(text)
        self.setVisible(bool(text))
        self.style().unpolish(self)
        self.style().polish(self)

    def show_error(self, exc: BaseException) -> None:
        self.show_message(error_message(exc), "error")

