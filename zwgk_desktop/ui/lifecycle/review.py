"""ReviewPanel: the reviewer's screen — privacy scan, 公示期 and why, boards, totals; approve or return."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.status import Status
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.calendar_view import CalendarExplanation
from zwgk_desktop.ui.lifecycle.common import ERROR_STYLE, OK_STYLE, Runner, message_label, message_of, show_message


class ReviewPanel(QWidget):
    """Review one notice. `load(disclosure_id)` fills it; the buttons call core and emit the outcome."""

    approved = Signal(str)  # disclosure id
    returned = Signal(str)
    failed = Signal(str)  # Chinese message
    loaded = Signal(object)  # ReviewSummary

    def __init__(self, database, actor, tasks=None, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.runner = Runner(database, actor, tasks)
        self.actor = actor
        self.today = today
        self.summary = None
        self.disclosure_id: str | None = None

        self.title = QLabel(self)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)

        self.scan_status = QLabel(self)
        self.scan_status.setWordWrap(True)
        self.findings = QListWidget(self)
        self.findings.setMaximumHeight(140)
        scan_box = QGroupBox(tr("隐私扫描（公开内容）"), self)
        scan_layout = QVBoxLayout(scan_box)
        scan_layout.addWidget(self.scan_status)
        scan_layout.addWidget(self.findings)
        self.findings_checked = QCheckBox(tr("我已逐条核对上述隐私提示，确认可以公开(&K)"), self)
        scan_layout.addWidget(self.findings_checked)

        period_box = QGroupBox(tr("公示期（按今日张贴推算）"), self)
        period_layout = QVBoxLayout(period_box)
        self.rule_label = QLabel(self)
        self.rule_label.setWordWrap(True)
        self.period = CalendarExplanation(self)
        period_layout.addWidget(self.rule_label)
        period_layout.addWidget(self.period)

        boards_box = QGroupBox(tr("张贴公开栏"), self)
        boards_layout = QVBoxLayout(boards_box)
        self.boards = QListWidget(self)
        boards_layout.addWidget(self.boards)

        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText(tr("审核意见；退回时必须填写原因"))
        self.reason.setMaximumHeight(70)
        reason_label = QLabel(tr("审核意见(&O)："), self)
        reason_label.setBuddy(self.reason)

        self.message = message_label(self)
        self.approve_button = QPushButton(tr("审核通过(&A)"), self)
        self.approve_button.setDefault(True)
        self.return_button = QPushButton(tr("退回修改(&R)"), self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.approve_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(scan_box)
        row = QHBoxLayout()
        row.addWidget(period_box, 3)
        row.addWidget(boards_box, 2)
        layout.addLayout(row, 1)
        form = QFormLayout()
        form.addRow(reason_label, self.reason)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.approve_button.clicked.connect(self.approve)
        self.return_button.clicked.connect(self.return_to_draft)
        self.findings_checked.toggled.connect(self._update_buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.approve)
        self._update_buttons()

    # --- loading ------------------------------------------------------------
    def load(self, disclosure_id: str) -> None:
        self.disclosure_id = disclosure_id
        today = self.today
        self.runner.call(
            lambda s: lifecycle.review_summary(s, disclosure_id, today=today), self._show, self._fail
        )

    def _show(self, summary) -> None:
        self.summary = summary
        self.title.setText(summary.title)
        totals = [tr("明细 {items} 条").format(items=summary.item_count)]
        if summary.total_people:
            totals.append(tr("涉及 {people} 人").format(people=summary.total_people))
        totals.append(tr("金额合计 {amount} 元").format(amount=summary.total_amount))
        self.facts.setText(tr("{category} · 第{version}版 · {status} · 经办人 {author}").format(
            category=summary.category_name, version=summary.version, status=summary.status_label,
            author=summary.author or "—") + "\n" + "，".join(totals))
        self.findings.clear()
        for f in summary.findings:
            item = QListWidgetItem(f"{f['location']}：{f['message']}", self.findings)
            item.setForeground(Qt.GlobalColor.darkRed)
        if summary.findings:
            show_message(self.scan_status, tr("发现 {n} 处可能泄露个人隐私的内容，请核对；确有问题请退回修改。").format(
                n=len(summary.findings)), ERROR_STYLE)
        else:
            show_message(self.scan_status, tr("未发现身份证号、手机号、银行账号、门牌地址或病残信息。"), OK_STYLE)
        self.findings.setVisible(bool(summary.findings))
        self.findings_checked.setVisible(bool(summary.findings))
        self.findings_checked.setChecked(False)
        self.rule_label.setText(tr("规则：{rule}").format(rule=summary.rule_text))
        self.period.set_period(summary.period)
        self.boards.clear()
        for b in summary.boards:
            QListWidgetItem(b["name"], self.boards)
        show_message(self.message, "")
        self._update_buttons()
        self.loaded.emit(summary)

    def _update_buttons(self) -> None:
        ready = self.summary is not None and self.summary.status == Status.PENDING_REVIEW and self.actor.can("review")
        needs_check = bool(self.summary and self.summary.findings)
        self.approve_button.setEnabled(ready and (not needs_check or self.findings_checked.isChecked()))
        self.return_button.setEnabled(ready)

    # --- actions ------------------------------------------------------------
    def approve(self) -> None:
        if not self.approve_button.isEnabled():
            return
        note = self.reason.toPlainText().strip()
        nid = self.disclosure_id
        self.runner.call(lambda s: lifecycle.approve(s, self.actor, nid, note), lambda r: self._done(r, self.approved), self._fail)

    def return_to_draft(self) -> None:
        reason = self.reason.toPlainText().strip()
        if not reason:
            show_message(self.message, tr("退回必须填写原因，请在“审核意见”中写明需要修改的地方。"))
            self.reason.setFocus()
            return
        nid = self.disclosure_id
        self.runner.call(
            lambda s: lifecycle.return_to_draft(s, self.actor, nid, reason), lambda r: self._done(r, self.returned), self._fail
        )

    def _done(self, result, signal) -> None:
        show_message(self.message, tr("已{label}。").format(label=result.status_label if signal is self.approved else "退回草稿"), OK_STYLE)
        if self.summary is not None:
            self.summary.status = result.to_status
        self._update_buttons()
        signal.emit(result.disclosure_id)

    def _fail(self, exc: BaseException) -> None:
        text = message_of(exc)
        show_message(self.message, text)
        self.failed.emit(text)
