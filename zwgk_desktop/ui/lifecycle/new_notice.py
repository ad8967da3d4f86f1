"""NewNoticeDialog (新建公示): a draft text notice — category, title, body — for announcements without a roster.

Runs `ops.notices.create_notice` as the dialog's actor; emits `created(NewNotice)` and accepts.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.catalogue import load_catalogue
from zwgk_desktop.ops.notices import create_notice
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import message_label, message_of, show_message

DEFAULT_CATEGORY = "generic"


class NewNoticeDialog(QDialog):
    """Category, title (suggested from the category and the month) and body of a new draft notice."""

    created = Signal(object)

    def __init__(self, tasks, actor, parent: QWidget | None = None, *, township: str = "", today: date | None = None):
        super().__init__(parent)
        self.tasks, self.actor = tasks, actor
        self.township, self.today = township, today or date.today()
        self.result = None
        self.setWindowTitle(tr("新建公示"))
        self.setMinimumWidth(620)
        self.category = QComboBox(self)
        for code, entry in load_catalogue().items():
            self.category.addItem(entry.name, code)
        self.category.setCurrentIndex(max(0, self.category.findData(DEFAULT_CATEGORY)))
        self.title = QLineEdit(self)
        self.body = QPlainTextEdit(self)
        self.body.setPlaceholderText(tr("公告正文；名单类公示请用“导入花名册”"))
        self.body.setTabChangesFocus(True)
        self.message = message_label(self)
        form = QFormLayout()
        for text, widget in ((tr("类别(&C)："), self.category), (tr("标题(&T)："), self.title), (tr("正文(&B)："), self.body)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("建立草稿(&S)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.category.currentIndexChanged.connect(lambda _i: self._suggest_title())
        self._suggested = ""
        self._suggest_title()

    def _suggest_title(self) -> None:
        """'青山镇2026年12月村务公开公告' until the clerk types their own."""
        if self.title.text() and self.title.text() != self._suggested:
            return
        entry = load_catalogue()[self.category.currentData()]
        name = entry.name.split("（")[0]
        kind = "" if name.endswith(("公告", "公示")) else tr("公示")
        self._suggested = tr("{township}{year}年{month}月{name}{kind}").format(
            township=self.township, year=self.today.year, month=self.today.month, name=name, kind=kind)
        self.title.setText(self._suggested)

    def submit(self) -> None:
        self.tasks.run_op(create_notice, self.category.currentData(), self.title.text(), body=self.body.toPlainText(),
                          actor=self.actor, on_success=self._created, on_failure=self._fail)

    def _created(self, result) -> None:
        self.result = result
        self.created.emit(result)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        show_message(self.message, message_of(exc))
