"""设置 → 乡镇信息: county, supervision phones and issuer of the township (its name is read-only).

Runs `ops.settings.township_info` / `save_township_info` through the task
manager as the signed-in user; reloads when another page changes settings.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from zwgk_desktop.ops import settings as settings_ops
from zwgk_desktop.ops.settings import TOWNSHIP_FIELDS, TownshipInfo
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.settings.common import MessageLabel, card
from zwgk_desktop.ui.widgets import muted_label


class TownshipTab(QWidget):
    saved = Signal(object)  # TownshipInfo

    def __init__(self, tasks, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        frame, layout = card(tr("乡镇信息"))
        hint = muted_label(tr("这些信息印在每张公示的落款和明白卡上。乡镇名称在建立数据时确定，不能修改。"))
        layout.addWidget(hint)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(10)
        self.name_label = QLabel("—")
        self.name_label.setStyleSheet("font-weight: 600; font-size: 12pt;")
        form.addRow(tr("乡镇名称："), self.name_label)
        self.edits: dict[str, QLineEdit] = {}
        mnemonics = {"county_name": "&X", "supervise_phone": "&P", "county_supervise_phone": "&Q", "issuer": "&U"}
        placeholders = {
            "county_name": tr("例如 青川县"), "supervise_phone": tr("例如 0839-1234567"),
            "county_supervise_phone": tr("县级监督举报电话，可留空"), "issuer": tr("例如 青山镇人民政府"),
        }
        for attr, (label, limit) in TOWNSHIP_FIELDS.items():
            edit = QLineEdit()
            edit.setMaxLength(limit)
            edit.setPlaceholderText(placeholders[attr])
            edit.setMinimumWidth(360)
            edit.returnPressed.connect(self.save)
            caption = QLabel(tr("{label}({m})：").format(label=tr(label), m=mnemonics[attr]))
            caption.setBuddy(edit)
            form.addRow(caption, edit)
            self.edits[attr] = edit
        layout.addLayout(form)
        row = QHBoxLayout()
        self.save_button = QPushButton(tr("保存(&S)"))
        self.save_button.setMinimumWidth(110)
        self.save_button.clicked.connect(self.save)
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.message = MessageLabel()
        layout.addWidget(self.message)
        frame.setMaximumWidth(820)
        outer.addWidget(frame)
        outer.addStretch(1)

    def refresh(self) -> None:
        self.tasks.run_op(settings_ops.township_info, on_success=self.show_info, on_failure=self.message.show_error)

    def show_info(self, info: TownshipInfo) -> None:
        self.name_label.setText(info.name)
        for attr, edit in self.edits.items():
            edit.setText(getattr(info, attr))

    def save(self) -> None:
        values = {attr: edit.text() for attr, edit in self.edits.items()}

        def done(info: TownshipInfo) -> None:
            self.show_info(info)
            self.message.show_message(tr("已保存。新的公示和明白卡将使用这些信息。"), "ok")
            self.saved.emit(info)

        self.tasks.run_op(settings_ops.save_township_info, values, on_success=done, on_failure=self.message.show_error)
