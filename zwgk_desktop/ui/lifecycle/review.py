"""ReviewPanel: the reviewer's screen — privacy scan, the 公示期 the poster will print and why, boards, totals,
who wrote it (姓名) and the separation-of-duties rule, a correction's 更正说明; approve or return.

`ReviewDialog` puts the panel beside the poster proof (`PosterProof`): the reviewer sees the 张贴稿 they are
approving. The proof is rendered by a `renderer(notice_id, out_dir) -> pdf path` the window provides (the
printing package's preview; see `ui.lifecycle.wiring.poster_proof_renderer`), on the worker pool.
"""

from __future__ import annotations

import tempfile
from datetime import date
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.status import Status
from zwgk_desktop.ops.notices import approve_notice, return_notice, review_summary
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.calendar_view import CalendarExplanation
from zwgk_desktop.ui.lifecycle.common import (
    ERROR_STYLE,
    INFO_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    message_label,
    message_of,
    show_message,
)

PosterRenderer = Callable[[str, str], str]  # (notice id, output directory) -> path of the proof PDF


class ReviewPanel(QWidget):
    """Review one notice. `load(disclosure_id)` fills it; the buttons run the ops and emit the outcome."""

    approved = Signal(str)  # disclosure id
    returned = Signal(str)
    failed = Signal(str)  # Chinese message
    loaded = Signal(object)  # ReviewSummary

    def __init__(self, tasks, actor, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.tasks, self.actor = tasks, actor
        self.today = today
        self.summary = None
        self.disclosure_id: str | None = None
        self.last_result = None

        self.title = QLabel(self)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.duty = message_label(self)
        self.correction = message_label(self)

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

        self.period_box = QGroupBox(tr("公示期"), self)
        period_layout = QVBoxLayout(self.period_box)
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
        layout.addWidget(self.duty)
        layout.addWidget(self.correction)
        layout.addWidget(scan_box)
        row = QHBoxLayout()
        row.addWidget(self.period_box, 3)
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
        self.tasks.run_op(review_summary, disclosure_id, today=self.today, actor=self.actor,
                          on_success=self._show, on_failure=self._fail)

    def _show(self, summary) -> None:
        self.summary = summary
        self.title.setText(summary.title)
        totals = [tr("明细 {items} 条").format(items=summary.item_count)]
        if summary.total_people:
            totals.append(tr("涉及 {people} 人").format(people=summary.total_people))
        totals.append(tr("金额合计 {amount} 元").format(amount=summary.total_amount))
        self.facts.setText(tr("{category} · 第{version}版 · {status} · 经办人 {author}").format(
            category=summary.category_name, version=summary.version, status=summary.status_label,
            author=summary.author_name or "—") + "\n" + "，".join(totals))
        duty = [summary.separation, *summary.warnings]
        show_message(self.duty, "\n".join(d for d in duty if d), WARNING_STYLE if summary.warnings else INFO_STYLE)
        if summary.correction:
            show_message(self.correction, tr("更正说明（印在张贴稿上）：{text}").format(text=summary.correction["text"])
                         + (tr("\n本版关联异议 {n} 件。").format(n=summary.objections) if summary.objections else ""),
                         INFO_STYLE)
        else:
            show_message(self.correction, "")
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
        period = summary.period or {}
        if period.get("planned"):
            self.period_box.setTitle(tr("公示期（按计划张贴日 {day} 推算，即张贴稿上印的日期）").format(day=period.get("posted_on", "")))
        else:
            self.period_box.setTitle(tr("公示期（已张贴）"))
        self.rule_label.setText(tr("规则：{rule}").format(rule=summary.rule_text))
        self.period.set_period(period)
        self.boards.clear()
        for b in summary.boards:
            QListWidgetItem(b["name"], self.boards)
        show_message(self.message, "")
        self._update_buttons()
        self.loaded.emit(summary)

    def _update_buttons(self) -> None:
        summary = self.summary
        ready = summary is not None and summary.status == Status.PENDING_REVIEW and self.actor.can("review")
        barred = bool(summary and summary.self_review and summary.reviewer_must_differ)
        needs_check = bool(summary and summary.findings)
        self.approve_button.setEnabled(ready and not barred and (not needs_check or self.findings_checked.isChecked()))
        self.return_button.setEnabled(ready and not barred)

    # --- actions ------------------------------------------------------------
    def approve(self) -> None:
        if not self.approve_button.isEnabled():
            return
        note = self.reason.toPlainText().strip()
        self.tasks.run_op(approve_notice, self.disclosure_id, note, actor=self.actor,
                          on_success=lambda r: self._done(r, self.approved), on_failure=self._fail)

    def return_to_draft(self) -> None:
        reason = self.reason.toPlainText().strip()
        if not reason:
            show_message(self.message, tr("退回必须填写原因，请在“审核意见”中写明需要修改的地方。"))
            self.reason.setFocus()
            return
        self.tasks.run_op(return_notice, self.disclosure_id, reason, actor=self.actor,
                          on_success=lambda r: self._done(r, self.returned), on_failure=self._fail)

    def _done(self, result, signal) -> None:
        self.last_result = result
        text = tr("已{label}。").format(label=result.status_label if signal is self.approved else tr("退回草稿"))
        if result.warnings:
            show_message(self.message, text + "\n" + "\n".join(result.warnings), WARNING_STYLE)
        else:
            show_message(self.message, text, OK_STYLE)
        if self.summary is not None:
            self.summary.status = result.to_status
        self._update_buttons()
        signal.emit(result.disclosure_id)

    def _fail(self, exc: BaseException) -> None:
        text = message_of(exc)
        show_message(self.message, text)
        self.failed.emit(text)


class PosterProof(QWidget):
    """The 张贴稿 as it will print (a proof with the 草稿/样稿 mark before approval), rendered on demand."""

    rendered = Signal(str)  # the proof PDF's path
    failed = Signal(str)

    def __init__(self, tasks, renderer: PosterRenderer | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks, self.renderer = tasks, renderer
        self.path: str | None = None
        self._folder = tempfile.TemporaryDirectory(prefix="zwgk-review-proof-")  # removed when the widget goes
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        self.preview = None
        if renderer is None:
            self.status.setText(tr("打印模块未安装，无法预览张贴稿。"))
            return
        from zwgk_desktop.ui.printing.pdfview import PdfPreview

        self.preview = PdfPreview(tasks, self)
        layout.addWidget(self.preview, 1)

    def load(self, notice_id: str) -> None:
        if self.renderer is None:
            return
        self.status.setText(tr("正在生成张贴稿预览…"))
        renderer, folder = self.renderer, self._folder.name
        self.tasks.run(lambda: renderer(notice_id, folder), self._show, self._fail, db=False, owner=self.status)

    def _show(self, path: str) -> None:
        self.path = path
        self.status.setText(tr("张贴稿预览（审核通过后打印的就是这一份，未审核时带“草稿/样稿”水印）："))
        self.preview.load(path)
        self.rendered.emit(path)

    def _fail(self, exc: BaseException) -> None:
        text = tr("张贴稿预览失败：{m}").format(m=message_of(exc))
        self.status.setText(text)
        self.failed.emit(text)


class ReviewDialog(QDialog):
    """A ReviewPanel beside the poster proof (Esc closes); closes itself after approve/return."""

    def __init__(self, tasks, actor, disclosure_id: str, parent: QWidget | None = None, *,
                 today: date | None = None, renderer: PosterRenderer | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("审核公示"))
        self.resize(1280, 760)
        self.panel = ReviewPanel(tasks, actor, self, today=today)
        self.proof = PosterProof(tasks, renderer, self)
        proof_box = QGroupBox(tr("张贴稿预览"), self)
        QVBoxLayout(proof_box).addWidget(self.proof)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.panel)
        splitter.addWidget(proof_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([720, 520])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("关闭"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.panel.approved.connect(lambda _id: self.accept())
        self.panel.returned.connect(lambda _id: self.accept())
        self.panel.load(disclosure_id)
        self.proof.load(disclosure_id)
