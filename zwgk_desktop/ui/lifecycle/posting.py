"""PostingDialog: choose boards and the posted date, see the computed end and why, then record the posting."""

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

from zwgk_desktop.core.disclosures import find_disclosure
from zwgk_desktop.core.postings import boards_for, list_postings, post_notice, preview_posting
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.calendar_view import CalendarExplanation
from zwgk_desktop.ui.lifecycle.common import Runner, message_label, message_of, show_message

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

    def __init__(self, database, actor, disclosure_id: str, tasks=None, parent: QWidget | None = None,
                 *, today: date | None = None):
        super().__init__(parent)
        self.database, self.actor, self.disclosure_id = database, actor, disclosure_id
        self.runner = Runner(database, actor, None)  # short transactions: keep the dialog simple and modal
        self.today = today or date.today()
        self.plan = None
        self.result = None
        self.confirm_incomplete: Callable[[list[str]], bool] = lambda warnings: ask_incomplete_calendar(self, warnings)
        self.setWindowTitle(tr("登记张贴"))
        self.setMinimumWidth(560)

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
        period_box = QGroupBox(tr("公示期"), self)
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
        nid, actor = self.disclosure_id, self.actor

        def read(session):
            d = find_disclosure(session, nid)
            taken = {p.board_id for p in list_postings(session, d.id) if p.removed_on is None}
            return d.title, d.status, boards_for(session, actor), taken

        self.runner.call(read, self._fill, self._fail)

    def _fill(self, data) -> None:
        title, status, boards, taken = data
        self.heading.setText(tr("公示：{title}").format(title=title))
        self.boards.clear()
        for board in boards:
            item = QListWidgetItem(board.name + (tr("（已张贴）") if board.id in taken else ""), self.boards)
            item.setData(BOARD_ID_ROLE, board.id)
            if board.id in taken:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                default = board.village_id is None or self.actor.is_village_scoped
                item.setCheckState(Qt.CheckState.Checked if default and not taken else Qt.CheckState.Unchecked)
        self.refresh_preview()

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
        nid, when = self.disclosure_id, self.posted_on()
        self.runner.call(lambda s: preview_posting(s, nid, when), self._show_plan, self._fail)

    def _show_plan(self, plan) -> None:
        self.plan = plan
        self.explanation.set_period(plan.as_json())
        show_message(self.message, "")

    # --- submit ------------------------------------------------------------------
    def submit(self) -> None:
        boards = self.selected_board_ids()
        if not boards:
            show_message(self.message, tr("请至少勾选一块公开栏。"))
            self.boards.setFocus()
            return
        accept_guess = False
        if self.plan is not None and not self.plan.period.calendar_complete:
            if not self.confirm_incomplete(list(self.plan.period.warnings)):
                show_message(self.message, tr("已取消：请先补录节假日安排，或确认按推算日期登记。"))
                return
            accept_guess = True
        nid, when, note, actor, today = self.disclosure_id, self.posted_on(), self.note.text(), self.actor, self.today
        self.runner.call(
            lambda s: post_notice(s, actor, nid, boards, when, note=note, today=today,
                                  accept_incomplete_calendar=accept_guess),
            self._posted, self._fail,
        )

    def _posted(self, result) -> None:
        self.result = result
        self.posted.emit(result)
        self.accept()

    def _fail(self, exc: BaseException) -> None:
        show_message(self.message, message_of(exc))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
