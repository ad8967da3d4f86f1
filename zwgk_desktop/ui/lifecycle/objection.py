"""ObjectionDialog: register an 异议 (date, from whom or anonymous, channel, content) or record its handling and
result. An upheld objection that changes the list (更正名单) starts the corrected version, which is posted again
for a full 公示期; the dialog says so before the clerk confirms. Runs `ops.objections` as the dialog's actor."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.objections import CHANNELS
from zwgk_desktop.ops.notices import notice_heading
from zwgk_desktop.ops.objections import add_objection, objection, resolve_objection
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import INFO_STYLE, message_label, message_of, show_message

MODE_ADD = "add"
MODE_RESOLVE = "resolve"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date_edit(parent: QWidget, today: date) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMaximumDate(_qdate(today))
    edit.setDate(_qdate(today))
    return edit


def _labelled(form: QFormLayout, text: str, widget: QWidget) -> None:
    label = QLabel(text, widget.parentWidget())
    label.setBuddy(widget)
    form.addRow(label, widget)


class ObjectionDialog(QDialog):
    """`ObjectionDialog(tasks, actor, disclosure_id=...)` registers; `ObjectionDialog(tasks, actor, objection_id=...)`
    resolves.

    Emits `saved(result)` — an `ObjectionRow` when registering, a `ResolveResult`
    (with `correction_id` when the list changes) when resolving — and accepts.
    """

    saved = Signal(object)
    loaded = Signal()

    def __init__(self, tasks, actor, *, disclosure_id: str | None = None, objection_id: str | None = None,
                 parent: QWidget | None = None, today: date | None = None):
        super().__init__(parent)
        if (disclosure_id is None) == (objection_id is None):
            raise ValueError("give exactly one of disclosure_id or objection_id")
        self.mode = MODE_ADD if disclosure_id else MODE_RESOLVE
        self.tasks, self.actor, self.disclosure_id, self.objection_id = tasks, actor, disclosure_id, objection_id
        self.today = today or date.today()
        self.result = None
        self.setMinimumWidth(560)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.form = QFormLayout()
        self.message = message_label(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        if self.mode == MODE_ADD:
            self._build_add()
        else:
            self._build_resolve()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    # --- register --------------------------------------------------------------
    def _build_add(self) -> None:
        self.setWindowTitle(tr("登记异议"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("登记(&S)"))
        self.received_on = _date_edit(self, self.today)
        self.from_name = QLineEdit(self)
        self.from_name.setPlaceholderText(tr("不填为匿名"))
        self.channel = QComboBox(self)
        self.channel.setEditable(True)
        self.channel.addItems(list(CHANNELS))
        self.content = QPlainTextEdit(self)
        self.content.setPlaceholderText(tr("群众反映的具体内容"))
        self.content.setTabChangesFocus(True)
        _labelled(self.form, tr("受理日期(&D)："), self.received_on)
        _labelled(self.form, tr("反映人(&F)："), self.from_name)
        _labelled(self.form, tr("渠道(&C)："), self.channel)
        _labelled(self.form, tr("异议内容(&T)："), self.content)
        self.tasks.run_op(notice_heading, self.disclosure_id, actor=self.actor, on_success=self._show_heading,
                          on_failure=self._fail)

    def _show_heading(self, row) -> None:
        self.heading.setText(tr("公示：{title}（第{version}版）").format(title=row.title, version=row.version))
        self.loaded.emit()

    # --- resolve ---------------------------------------------------------------
    def _build_resolve(self) -> None:
        self.setWindowTitle(tr("办结异议"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("办结(&S)"))
        self.handling = QPlainTextEdit(self)
        self.handling.setPlaceholderText(tr("调查核实、入户走访、民主评议等办理情况"))
        self.handling.setTabChangesFocus(True)
        self.outcome = QPlainTextEdit(self)
        self.outcome.setPlaceholderText(tr("如：异议不成立，维持原公示；或异议成立，取消某户"))
        self.outcome.setTabChangesFocus(True)
        self.closed_on = _date_edit(self, self.today)
        self.changes_list = QCheckBox(tr("异议成立，须更正公示名单（生成更正版本，重新公示）(&L)"), self)
        self.republish_note = message_label(self)
        _labelled(self.form, tr("办理情况(&H)："), self.handling)
        _labelled(self.form, tr("办理结果(&R)："), self.outcome)
        _labelled(self.form, tr("办结日期(&D)："), self.closed_on)
        self.form.addRow("", self.changes_list)
        self.form.addRow("", self.republish_note)
        self.changes_list.toggled.connect(self._explain_republish)
        self.tasks.run_op(objection, self.objection_id, actor=self.actor, on_success=self._show_objection,
                          on_failure=self._fail)

    def _show_objection(self, row) -> None:
        self.heading.setText(tr("第{version}版公示期间 {received} 受理，{who}（{channel}）：{content}").format(
            version=row.version, received=row.received_on, who=row.from_name, channel=row.channel or "—",
            content=row.content))
        self.loaded.emit()

    def _explain_republish(self, checked: bool) -> None:
        text = tr("办结后将生成更正版本草稿（原公示标记为已撤回，异议同时关联两个版本）。请在草稿中调整名单、提交审核；"
                  "更正后的名单须重新张贴，自张贴之日起重新计算完整公示期，张贴稿会写明删除、新增、调整的户数。")
        show_message(self.republish_note, text if checked else "", INFO_STYLE)

    # --- submit ----------------------------------------------------------------
    def submit(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        if self.mode == MODE_ADD:
            self.tasks.run_op(
                add_objection, self.disclosure_id, received_on=self.received_on.date().toPython(),
                content=self.content.toPlainText(), from_name=self.from_name.text(), channel=self.channel.currentText(),
                today=self.today, actor=self.actor, on_success=self._saved, on_failure=self._fail)
        else:
            self.tasks.run_op(
                resolve_objection, self.objection_id, handling=self.handling.toPlainText(),
                result=self.outcome.toPlainText(), closed_on=self.closed_on.date().toPython(),
                changes_list=self.changes_list.isChecked(), today=self.today, actor=self.actor,
                on_success=self._saved, on_failure=self._fail)

    def _saved(self, result) -> None:
        self.result = result
        self.saved.emit(result)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        show_message(self.message, message_of(exc))
