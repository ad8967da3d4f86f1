"""PostingDialog: choose boards and the posted date, see the 公示期 it gives and why, then record the posting.

The date starts at the planned posting day chosen when the poster was printed (if that day has come), else
today; the period shown is the one the posting will store (`ops.postings.posting_plan`), with a warning when
the poster was printed for another day. Everything runs through ops as the dialog's actor.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ops.postings import posting_form, posting_plan, register_posting
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.calendar_view import CalendarExplanation
from zwgk_desktop.ui.lifecycle.common import message_label, message_of, show_message

BOARD_ID_ROLE = Qt.ItemDataRole.UserRole


def ask_incomplete_calendar(parent: QWidget, warnings: list[str]) -> bool:
    """The default confirmation when holiday data is missing for the period's year."""
    answer = QMessageBox.warning(
        parent, tr("节假日数据不完整"),
        "\n".join(warnings) + "\n\n" + tr("仍按推算的期满日登记张贴吗？"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class PostingDialog(QDialog):
    """Record where and when a notice was posted. Emits `posted(PostResult)` and accepts on success."""

    posted = Signal(object)
    loaded = Signal()  # boards filled
    plan_shown = Signal(object)  # PostingPlan

    def __init__(self, tasks, actor, disclosure_id: str, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.tasks, self.actor, self.disclosure_id = tasks, actor, disclosure_id
        self.today = today or date.today()
        self.plan = None
        self.result = None
        self.form = None
        self._plan_generation = 0
        self.confirm_incomplete: Callable[[list[str]], bool] = lambda warnings: ask_incomplete_calendar(self, warnings)
        self.setWindowTitle(tr("登记张贴"))
        self.setMinimumWidth(600)

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.boards = QListWidget(self)
        self.boards.setMinimumHeight(140)
        boards_label = QLabel(tr("张贴的公开栏(&B)："), self)
        boards_label.setBuddy(self.boards)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(_qdate(self.today))
        self.date_edit.setDate(_qdate(self.today))
        date_label = QLabel(tr("张贴日期(&D)："), self)
        date_label.setBuddy(self.date_edit)
        self.note = QLineEdit(self)
        note_label = QLabel(tr("备注(&N)："), self)
        note_label.setBuddy(self.note)
        self.explanation = CalendarExplanation(self)
        period_box = QGroupBox(tr("公示期（登记后保存，张贴稿、今日待办和各列表都按此显示）"), self)
        QVBoxLayout(period_box).addWidget(self.explanation)
        self.message = message_label(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("登记张贴(&S)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(boards_label, self.boards)
        form.addRow(date_label, self.date_edit)
        form.addRow(note_label, self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(period_box)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.date_edit.dateChanged.connect(lambda _d: self.refresh_preview())
        self._load()

    # --- data ------------------------------------------------------------------
    def _load(self) -> None:
        self.tasks.run_op(posting_form, self.disclosure_id, actor=self.actor, on_success=self._fill,
                          on_failure=self._fail)

    def _fill(self, form) -> None:
        self.form = form
        self.disclosure_id = form.disclosure_id
        self.heading.setText(tr("公示：{title}").format(title=form.title))
        self.boards.clear()
        for board in form.boards:
            taken = board.id in form.taken
            item = QListWidgetItem(board.name + (tr("（已张贴）") if taken else ""), self.boards)
            item.setData(BOARD_ID_ROLE, board.id)
            if taken:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                default = board.village_id is None or self.actor.is_village_scoped
                item.setCheckState(Qt.CheckState.Checked if default and not form.taken else Qt.CheckState.Unchecked)
        planned = form.planned_posting_day
        if planned is not None and planned <= self.today and planned != self.posted_on():
            self.date_edit.setDate(_qdate(planned))  # refreshes the preview
        else:
            self.refresh_preview()
        self.loaded.emit()

    def selected_board_ids(self) -> list[str]:
        ids = []
        for row in range(self.boards.count()):
            item = self.boards.item(row)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled and item.checkState() == Qt.CheckState.Checked:
                ids.append(item.data(BOARD_ID_ROLE))
        return ids

    def set_boards_checked(self, names: list[str]) -> None:
        """Tick exactly the boards whose names start with one of `names` (keyboard users and tests)."""
        for row in range(self.boards.count()):
            item = self.boards.item(row)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                hit = any(item.text().startswith(n) for n in names)
                item.setCheckState(Qt.CheckState.Checked if hit else Qt.CheckState.Unchecked)

    def posted_on(self) -> date:
        return self.date_edit.date().toPython()

    def refresh_preview(self) -> None:
        self._plan_generation += 1
        generation = self._plan_generation
        self.tasks.run_op(posting_plan, self.disclosure_id, self.posted_on(), actor=self.actor,
                          on_success=lambda plan: self._show_plan(generation, plan), on_failure=self._fail)

    def _show_plan(self, generation: int, plan) -> None:
        if generation != self._plan_generation:
            return  # the date changed again meanwhile
        self.plan = plan
        self.explanation.set_period(plan.as_json())
        show_message(self.message, "")
        self.plan_shown.emit(plan)

    # --- submit ------------------------------------------------------------------
    def submit(self) -> None:
        boards = self.selected_board_ids()
        if not boards:
            show_message(self.message, tr("请至少勾选一块公开栏。"))
            self.boards.setFocus()
            return
        accept_guess = False
        if self.plan is not None and not self.plan.calendar_complete:
            if not self.confirm_incomplete(list(self.plan.period.warnings)):
                show_message(self.message, tr("已取消：请先补录节假日安排，或确认按推算日期登记。"))
                return
            accept_guess = True
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.tasks.run_op(register_posting, self.disclosure_id, boards, self.posted_on(), note=self.note.text(),
                          today=self.today, accept_incomplete_calendar=accept_guess, actor=self.actor,
                          on_success=self._posted, on_failure=self._fail)

    def _posted(self, result) -> None:
        self.result = result
        self.posted.emit(result)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        show_message(self.message, message_of(exc))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
