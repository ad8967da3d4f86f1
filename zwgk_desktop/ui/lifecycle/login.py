"""LoginDialog: username and password; five failures lock the account for 15 minutes (core.users).

Used at start-up (cancel = 退出) and for 切换用户 (cancel = 取消, `cancel_text`).
The check is the `ops.users.sign_in` use case, called directly: at start-up
no task manager exists yet, and the modal dialog waits for the answer anyway.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from zwgk_desktop.core.users import GUEST_ACTOR
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ops.users import sign_in
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import message_label, message_of, show_message


class LoginDialog(QDialog):
    """Accepts with `self.actor` set (an `Actor`) once the password is right."""

    def __init__(self, database, township_name: str = "", parent: QWidget | None = None, *, cancel_text: str = ""):
        super().__init__(parent)
        self.database = database
        self.actor = None
        self.setWindowTitle(tr("登录"))
        self.setMinimumWidth(380)
        heading = QLabel(tr("{township}政务公开公示栏管理系统").format(township=township_name), self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)
        self.username = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        for text, widget in ((tr("用户名(&U)："), self.username), (tr("密码(&P)："), self.password)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.message = message_label(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("登录(&L)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text or tr("退出"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.username.setFocus()

    def submit(self) -> None:
        try:
            self.actor = sign_in(self.database, GUEST_ACTOR, self.username.text(), self.password.text())
        except ZwgkError as exc:
            show_message(self.message, message_of(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
