"""ObjectionDialog: register an 异议 (date, from whom or anonymous, channel, content) or record its handling and result."""

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

from zwgk_desktop.core.disclosures import find_disclosure
from zwgk_desktop.core.objections import CHANNELS, add_objection, find_objection, resolve_objection
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import Runner, message_label, message_of, show_message

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
    """`ObjectionDialog(db, actor, disclosure_id=...)` registers; `ObjectionDialog(db, actor, objection_id=...)` resolves.

    Emits `saved(result)` — an `ObjectionRow` when registering, a `ResolveResult`
    (with `correction_id` when the list changes) when resolving — and accepts.
    """

    saved = Signal(object)

    def __init__(self, database, actor, *, disclosure_id: str | None = None, objection_id: str | None = None,
                 parent: QWidget | None = None, today: date | None = None):
        super().__init__(parent)
        if (disclosure_id is None) == (objection_id is None):
            raise ValueError("give exactly one of disclosure_id or objection_id")
        self.mode = MODE_ADD if disclosure_id else MODE_RESOLVE
        self.runner = Runner(database, actor, None)
        self.actor, self.disclosure_id, self.objection_id = actor, disclosure_id, objection_id
        self.today = today or date.today()
        self.result = None
        self.setMinimumWidth(520)
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
        nid = self.disclosure_id
        self.runner.call(lambda s: find_disclosure(s, nid).title, self._show_heading, self._fail)

    def _show_heading(self, title: str) -> None:
        self.heading.setText(tr("公示：{title}").format(title=title))

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
        self.changes_list = QCheckBox(tr("办理结果需要更正公示名单（生成更正版本）(&L)"), self)
        _labelled(self.form, tr("办理情况(&H)："), self.handling)
        _labelled(self.form, tr("办理结果(&R)："), self.outcome)
        _labelled(self.form, tr("办结日期(&D)："), self.closed_on)
        self.form.addRow("", self.changes_list)
        oid = self.objection_id

        def read(session):
            o = find_objection(session, oid)
            return o.received_on.isoformat(), o.from_name or "匿名", o.channel, o.content

        self.runner.call(read, self._show_objection, self._fail)

    def _show_objection(self, data) -> None:
        received, who, channel, content = data
        self.heading.setText(tr("{received} 受理，{who}（{channel}）：{content}").format(
            received=received, who=who, channel=channel or "—", content=content))

    # --- submit ----------------------------------------------------------------
    def submit(self) -> None:
        actor, today = self.actor, self.today
        if self.mode == MODE_ADD:
            nid = self.disclosure_id
            received, name = self.received_on.date().toPython(), self.from_name.text()
            channel, content = self.channel.currentText(), self.content.toPlainText()
            work = lambda s: add_objection(s, actor, nid, received_on=received, content=content, from_name=name,
                                           channel=channel, today=today)
        else:
            oid = self.objection_id
            handling, outcome = self.handling.toPlainText(), self.outcome.toPlainText()
            closed, changes = self.closed_on.date().toPython(), self.changes_list.isChecked()
            work = lambda s: resolve_objection(s, actor, oid, handling=handling, result=outcome, closed_on=closed,
                                               changes_list=changes, today=today)
        self.runner.call(work, self._saved, self._fail)

    def _saved(self, result) -> None:
        self.result = result
        self.saved.emit(result)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        show_message(self.message, message_of(exc))
