"""Dialogs of the 依申请公开 page: register a request, 补正, 延期, 征求第三方意见, 答复, 复议/诉讼.

Each dialog runs one op of `ops.requests` through the page's `TaskManager`;
a refusal (a date before 收到, a second extension, a late 补正 notice, an
outcome without its reason…) is shown in red inside the dialog, which stays
open with nothing saved; success closes it and `tasks.changed` refreshes
the page.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.requests import (
    APPEAL_KINDS,
    APPEAL_RESULTS,
    APPEAL_ROUTES,
    CHANNEL_LABELS,
    CHANNEL_RECEIPT_RULE,
    MAX_EXTENSION_DAYS,
    OPINIONS,
    OUTCOME_LABELS,
    OUTCOME_REASONS,
    REQUESTER_LABELS,
    NewRequest,
)
from zwgk_desktop.ops import requests as ops
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.tasks import error_message
from zwgk_desktop.ui.widgets import muted_label


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(day: date, parent: QWidget | None = None) -> QDateEdit:
    edit = QDateEdit(to_qdate(day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class OptionalDate(QWidget):
    """A date that may be left empty (e.g. 补正 not yet received): a combo 未收到/日期 plus the date."""

    def __init__(self, day: date, empty_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtWidgets import QCheckBox, QHBoxLayout

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(tr("已有日期"))
        self.edit = date_edit(day)
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        self.hint = QLabel(empty_text)
        self.hint.setObjectName("muted")
        self.check.toggled.connect(lambda on: self.hint.setVisible(not on))
        row.addWidget(self.check)
        row.addWidget(self.edit)
        row.addWidget(self.hint, 1)

    def value(self) -> date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, day: date | None) -> None:
        self.check.setChecked(day is not None)
        if day is not None:
            self.edit.setDate(to_qdate(day))


class OpDialog(QDialog):
    """A form that runs one op on OK; errors stay in the dialog (red), success closes it."""

    def __init__(self, tasks, title: str, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.today = today or date.today()
        self.result_value = None
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setStyleSheet("color: #b42318;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def call(self):  # pragma: no cover - every dialog overrides
        raise NotImplementedError

    def submit(self) -> None:
        """Run the op; the dialog closes only when it succeeded."""
        self.error.hide()
        self.buttons.setEnabled(False)
        try:
            op, args, kwargs = self.call()
        except Exception as exc:  # noqa: BLE001 - input the form itself rejects, shown like an op refusal
            self._failed(exc)
            return
        self.tasks.run_op(op, *args, on_success=self._done, on_failure=self._failed, owner=self, **kwargs)

    def _done(self, result) -> None:
        self.result_value = result
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(error_message(exc))
        self.error.show()


def _combo(items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for code, label in items.items():
        box.addItem(tr(label), code)
    return box


class NewRequestDialog(OpDialog):
    """登记申请: when and how it arrived (条例第三十一条 decides the 收到 date), who asks, what for."""

    def __init__(self, tasks, parent=None, *, today: date | None = None):
        super().__init__(tasks, tr("登记政府信息公开申请"), parent, today=today)
        self.received = date_edit(self.today)
        self.channel = _combo(CHANNEL_LABELS)
        self.rule = muted_label()
        self.channel.currentIndexChanged.connect(self._show_rule)
        self.requester_type = _combo(REQUESTER_LABELS)
        self.name = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.address = QLineEdit()
        self.content = QPlainTextEdit()
        self.content.setPlaceholderText(tr("申请公开的政府信息的名称、文号或者便于查询的其他特征性描述"))
        self.content.setFixedHeight(90)
        self.form_wanted = QComboBox()
        self.form_wanted.setEditable(True)
        self.form_wanted.addItems([tr("纸质"), tr("电子邮件"), tr("光盘/U盘"), tr("当面领取"), tr("邮寄")])
        self.form.addRow(tr("收到日期"), self.received)
        self.form.addRow(tr("收到方式"), self.channel)
        self.form.addRow("", self.rule)
        self.form.addRow(tr("申请人类型"), self.requester_type)
        self.form.addRow(tr("姓名/名称"), self.name)
        self.form.addRow(tr("联系电话"), self.phone)
        self.form.addRow(tr("电子邮箱"), self.email)
        self.form.addRow(tr("通讯地址"), self.address)
        self.form.addRow(tr("申请内容"), self.content)
        self.form.addRow(tr("获取方式"), self.form_wanted)
        self._show_rule()

    def _show_rule(self) -> None:
        self.rule.setText(tr(CHANNEL_RECEIPT_RULE[self.channel.currentData()]) + "。")

    def call(self):
        new = NewRequest(
            received_on=from_qdate(self.received.date()), channel=self.channel.currentData(),
            requester_type=self.requester_type.currentData(), content=self.content.toPlainText(),
            name=self.name.text(), phone=self.phone.text(), email=self.email.text(), address=self.address.text(),
            form_wanted=self.form_wanted.currentText(),
        )
        return ops.add_request, (new,), {"today": self.today}


class CorrectionDialog(OpDialog):
    """补正: the one notice (within 7 working days of 收到) and the day the 补正 came back."""

    def __init__(self, tasks, detail, parent=None, *, today: date | None = None):
        super().__init__(tasks, tr("补正 — {n}").format(n=detail.row.number), parent, today=today)
        self.key = detail.id
        self.sent = date_edit(detail.correction_sent_on or min(self.today, detail.clock.correction_notice_due))
        self.sent.setEnabled(detail.correction_sent_on is None)
        self.received = OptionalDate(detail.correction_received_on or self.today, tr("申请人尚未补正"))
        self.received.set_value(detail.correction_received_on)
        self.items = QPlainTextEdit(detail.correction_items)
        self.items.setFixedHeight(70)
        self.deadline = OptionalDate(detail.correction_deadline or self.today, tr("按告知书默认（15个工作日）"))
        self.deadline.set_value(detail.correction_deadline)
        hint = QLabel(tr("补正告知须在 {d} 前发出（收到申请之日起7个工作日，条例第三十条），只能一次性告知；"
                         "答复期限自收到补正之日起重新计算。").format(d=detail.clock.correction_notice_due.isoformat()))
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        self.form.addRow("", hint)
        self.form.addRow(tr("告知发出日期"), self.sent)
        self.form.addRow(tr("需要补正的事项"), self.items)
        self.form.addRow(tr("补正期限"), self.deadline)
        self.form.addRow(tr("收到补正日期"), self.received)

    def call(self):
        return ops.correct_request, (self.key, from_qdate(self.sent.date()), self.received.value()), {
            "items": self.items.toPlainText(), "deadline": self.deadline.value(), "today": self.today}


class ExtensionDialog(OpDialog):
    """延期: once, at most 20 working days, approved and told to the requester before the deadline."""

    def __init__(self, tasks, detail, parent=None, *, today: date | None = None, approver: str = ""):
        super().__init__(tasks, tr("延长答复期限 — {n}").format(n=detail.row.number), parent, today=today)
        self.key = detail.id
        self.days = QSpinBox()
        self.days.setRange(1, MAX_EXTENSION_DAYS)
        self.days.setValue(MAX_EXTENSION_DAYS)
        self.days.setSuffix(tr(" 个工作日"))
        self.reason = QLineEdit()
        self.approver = QLineEdit(approver)
        due = detail.clock.due or self.today
        self.notified = date_edit(min(self.today, due))
        hint = QLabel(tr("现答复期限 {d}。延期只能一次，须在期限届满前经政府信息公开工作机构负责人同意并告知申请人（条例第三十三条）。")
                      .format(d=due.isoformat()))
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        self.form.addRow("", hint)
        self.form.addRow(tr("延长"), self.days)
        self.form.addRow(tr("延期理由"), self.reason)
        self.form.addRow(tr("批准人"), self.approver)
        self.form.addRow(tr("告知申请人日期"), self.notified)

    def call(self):
        return ops.extend_request, (self.key, self.days.value(), self.reason.text()), {
            "approver": self.approver.text(), "notified_on": from_qdate(self.notified.date()), "today": self.today}


class ConsultationDialog(OpDialog):
    """征求第三方意见: the days it takes (at most the third party's 15 working days) are not counted."""

    def __init__(self, tasks, detail, parent=None, *, today: date | None = None):
        super().__init__(tasks, tr("征求第三方意见 — {n}").format(n=detail.row.number), parent, today=today)
        self.key = detail.id
        pending = next((c for c in detail.consultations if c.replied_on is None), None)
        self.sent = date_edit(pending.sent_on if pending else self.today)
        self.sent.setEnabled(pending is None)
        self.third_party = QLineEdit(pending.third_party if pending else "")
        self.replied = OptionalDate(self.today, tr("第三方尚未回复"))
        self.opinion = _combo(OPINIONS)
        hint = QLabel(tr("第三方应自收到征求意见书之日起15个工作日内提出意见（条例第三十二条）；"
                         "征求意见所需时间不计入答复期限。"))
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        self.form.addRow("", hint)
        self.form.addRow(tr("意见书发出日期"), self.sent)
        self.form.addRow(tr("第三方"), self.third_party)
        self.form.addRow(tr("第三方回复日期"), self.replied)
        self.form.addRow(tr("第三方意见"), self.opinion)

    def call(self):
        return ops.consult_third_party, (self.key, from_qdate(self.sent.date())), {
            "replied_on": self.replied.value(), "third_party": self.third_party.text(),
            "opinion": self.opinion.currentData() or "", "today": self.today}


class ReplyDialog(OpDialog):
    """答复: the date and the outcome exactly as the yearly format counts it, with its reason."""

    def __init__(self, tasks, detail, parent=None, *, today: date | None = None):
        super().__init__(tasks, tr("登记答复 — {n}").format(n=detail.row.number), parent, today=today)
        self.key = detail.id
        self.replied = date_edit(self.today)
        self.kind = _combo(OUTCOME_LABELS)
        self.reason = QComboBox()
        self.kind.currentIndexChanged.connect(self._reasons)
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(70)
        self.note.setPlaceholderText(tr("答复说明（选“其他”时必填）"))
        hint = QLabel(tr("答复期限 {d}").format(d=detail.clock.due.isoformat() if detail.clock.due else tr("（等待补正）")))
        hint.setObjectName("muted")
        self.form.addRow("", hint)
        self.form.addRow(tr("答复日期"), self.replied)
        self.form.addRow(tr("办理结果"), self.kind)
        self.form.addRow(tr("理由"), self.reason)
        self.form.addRow(tr("说明"), self.note)
        self._reasons()

    def _reasons(self) -> None:
        kind = self.kind.currentData()
        self.reason.clear()
        if kind == "public":
            self.reason.addItem(tr("（无需理由）"), "")
        elif kind == "partial":
            self.reason.addItem(tr("（不予公开部分的理由，可不选）"), "")
            for code, label in OUTCOME_REASONS["refused"]:
                self.reason.addItem(tr(label), code)
        else:
            self.reason.addItem(tr("请选择理由"), "")
            for code, label in OUTCOME_REASONS[kind]:
                self.reason.addItem(tr(label), code)

    def set_outcome(self, kind: str, reason: str = "") -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.reason.setCurrentIndex(max(0, self.reason.findData(reason)))

    def call(self):
        kind, reason = self.kind.currentData(), self.reason.currentData() or ""
        outcome = f"{kind}:{reason}" if reason else kind
        return ops.reply_request, (self.key, from_qdate(self.replied.date()), outcome), {
            "note": self.note.toPlainText(), "today": self.today}


class AppealDialog(OpDialog):
    """A 行政复议/行政诉讼 about this request (table 四 of the yearly report), or its result."""

    def __init__(self, tasks, detail, parent=None, *, today: date | None = None, appeal=None):
        super().__init__(tasks, tr("行政复议/诉讼 — {n}").format(n=detail.row.number), parent, today=today)
        self.key = detail.id
        self.appeal = appeal
        self.kind = _combo(APPEAL_KINDS)
        self.route = _combo({"": "（复议不填）", **APPEAL_ROUTES})
        self.filed = date_edit(appeal.filed_on if appeal else self.today)
        self.result = _combo(APPEAL_RESULTS)
        self.result.setCurrentIndex(self.result.findData("pending"))
        self.decided = OptionalDate(self.today, tr("尚未审结"))
        if appeal is not None:
            self.kind.setCurrentIndex(self.kind.findData(appeal.kind))
            self.route.setCurrentIndex(self.route.findData(appeal.route))
            for widget in (self.kind, self.route, self.filed):
                widget.setEnabled(False)
        self.form.addRow(tr("类型"), self.kind)
        self.form.addRow(tr("起诉方式"), self.route)
        self.form.addRow(tr("申请复议/起诉日期"), self.filed)
        self.form.addRow(tr("结果"), self.result)
        self.form.addRow(tr("审结日期"), self.decided)

    def call(self):
        kwargs = {"result": self.result.currentData(), "decided_on": self.decided.value()}
        if self.appeal is not None:
            return ops.record_appeal, (None,), {**kwargs, "appeal_id": self.appeal.id}
        return ops.record_appeal, (self.key,), {
            **kwargs, "kind": self.kind.currentData(), "route": self.route.currentData() or "",
            "filed_on": from_qdate(self.filed.date())}
