"""设置 → 依申请公开: the letters' 文号 (prefix and each year's first number) and the office's details."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ops import requests as ops
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.tasks import error_message

TEXT_FIELDS = (
    ("letter_prefix", "文号前缀", "如“青山政信”，文号为 青山政信〔2026〕1号；不填则用乡镇名"),
    ("office", "政府信息公开工作机构", "如“青山镇党政办公室”"),
    ("office_phone", "受理电话", ""),
    ("office_address", "受理地址", ""),
    ("review_body", "行政复议机关", "不填则为“县人民政府”"),
    ("court", "管辖法院", "不填则为“县人民法院”"),
)


class RequestSettingsTab(QWidget):
    """Edits `ops.requests` settings; `refresh()` loads them (the settings page calls it when shown)."""

    def __init__(self, tasks, parent: QWidget | None = None, *, today=date.today):
        super().__init__(parent)
        self.tasks = tasks
        self.today = today
        self.starts: dict = {}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, label, hint in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(tr(hint))
            self.fields[key] = edit
            form.addRow(tr(label), edit)
        self.start = QSpinBox()
        self.start.setRange(1, 100000)
        form.addRow(tr("{y}年文号起始号").format(y=today().year), self.start)
        layout.addLayout(form)
        self.effective = QLabel()
        self.effective.setObjectName("muted")
        layout.addWidget(self.effective)
        self.save_button = QPushButton(tr("保存"))
        self.save_button.clicked.connect(self.save)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def refresh(self) -> None:
        self.tasks.run_op(ops.load_request_settings, on_success=self._show, on_failure=self._fail)

    def _show(self, settings) -> None:
        for key, edit in self.fields.items():
            edit.setText(str(settings.values.get(key) or ""))
        self.starts = dict(settings.values.get("letter_start") or {})
        self.start.setValue(int(self.starts.get(str(self.today().year), 1)))
        self.effective.setText(tr("当前文号示例：{p}〔{y}〕1号").format(p=settings.prefix, y=self.today().year))

    def save(self) -> None:
        values = {key: edit.text() for key, edit in self.fields.items()}
        values["letter_start"] = {**self.starts, str(self.today().year): self.start.value()}
        self.tasks.run_op(ops.save_request_settings, values, on_success=self._saved, on_failure=self._fail)

    def _saved(self, settings) -> None:
        self._show(settings)
        self.message.setText(tr("已保存。"))

    def _fail(self, exc: BaseException) -> None:
        self.message.setText(f'<span style="color:#b42318">{error_message(exc)}</span>')
