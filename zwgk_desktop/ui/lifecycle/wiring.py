"""LifecycleWiring: puts the lifecycle into the main window for the signed-in user.

- 今日待办 (`DashboardPage`) replaces the placeholder page and is shown first;
  opening an item routes through `LifecycleActions.open_todo`;
- the 公示管理 page gets an action row (and list context menu): 导入花名册…
  then the lifecycle steps, each enabled by status and role, with a tooltip
  saying why not; a village user's list shows only notices of their villages;
- a 流转记录 tab beside the line items (history, postings, objections);
- after every change the list reloads and re-selects the notice, the
  dashboard and the window's counts refresh, and the status bar says what
  happened; failures go to the status bar and a warning box;
- the status bar shows who is working, in which role.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

from zwgk_desktop.core.users import EDIT, Actor
from zwgk_desktop.ui.lifecycle.actions import LifecycleActions, plain_label
from zwgk_desktop.ui.lifecycle.common import tr
from zwgk_desktop.ui.lifecycle.dashboard import DashboardPage
from zwgk_desktop.ui.lifecycle.record import NoticeRecordView

READ_ONLY_ACTOR = Actor(username="guest", role="viewer", display_name="未登录")
STATUS_MESSAGE_MS = 10000

# Action row: (group of action keys); groups are separated on the row.
ACTION_GROUPS = (
    ("submit", "review", "post"),
    ("objection", "resolve", "conclude", "archive"),
    ("correct", "withdraw"),
)
DONE_MESSAGES = {
    "submit": "已提交审核",
    "review": "审核已办理",
    "post": "已登记张贴",
    "objection": "已登记异议",
    "resolve": "异议已办结",
    "conclude": "已期满办结",
    "archive": "已归档",
    "correct": "已生成更正版本（草稿），请修改后重新提交审核",
    "withdraw": "已撤回",
}


class LifecycleWiring(QObject):
    """Owns the dashboard page, the actions and the import entry for one main window and one actor."""

    def __init__(self, window, actor: Actor, *, today: Callable[[], date] | None = None):
        super().__init__(window)
        self.window, self.actor = window, actor
        self.page = window.disclosures_page
        self.database, self.tasks = window.database, window.tasks
        self.last_import_dialog = None

        self.dashboard = DashboardPage(self.database, actor, self.tasks, window, today=today)
        self.dashboard.setObjectName("page")
        window.add_page("today", tr("今日待办"), self.dashboard)

        self.actions = LifecycleActions(self.database, actor, self.page, self.tasks, today=today)
        self.import_action = self._make_import_action()
        self.page.add_actions(self._action_row())
        if actor.is_village_scoped:
            self.page.set_village_scope(actor.village_ids)

        self.record = NoticeRecordView(self.database, actor, self.tasks, self.page)
        self.page.detail.add_tab(tr("流转记录"), self.record)

        self.user_label = QLabel(self._user_text(), window)
        self.user_label.setObjectName("userLabel")
        window.statusBar().addPermanentWidget(self.user_label)

        self._connect()
        self.actions.set_current(None, None)
        window.show_page("today")
        if self.page.model.rowCount() == 0:
            self.page.refresh()  # the list is ready when the clerk opens 公示管理 (and start-up hooks wait for it)

    # --- building -----------------------------------------------------------------
    def _make_import_action(self) -> QAction:
        action = QAction(tr("导入花名册(&I)…"), self.page)
        action.setObjectName("importRoster")
        action.setShortcut(QKeySequence("Ctrl+I"))
        action.triggered.connect(self.open_import)
        if self.actor.can(EDIT):
            action.setToolTip(tr("把县里下发的花名册（Excel/CSV）导入为一条新的草稿公示（Ctrl+I）"))
        else:
            action.setEnabled(False)
            action.setToolTip(tr("您的角色（{role}）不能新建公示；导入花名册请找经办人或管理员。").format(role=self.actor.role_label))
        return action

    def _action_row(self) -> list[QAction | None]:
        row: list[QAction | None] = [self.import_action]
        for group in ACTION_GROUPS:
            row.append(None)
            row.extend(self.actions.action(key) for key in group)
        return row

    def _user_text(self) -> str:
        return tr("当前用户：{name}（{role}）").format(name=self.actor.label, role=self.actor.role_label)

    def _connect(self) -> None:
        self.page.selection_changed.connect(self._on_selection)
        self.page.detail_loaded.connect(self.record.load)
        self.actions.changed.connect(self._on_changed)
        self.actions.failed.connect(lambda text: self.window.statusBar().showMessage(text, STATUS_MESSAGE_MS))
        self.actions.photo_requested.connect(self._on_photo_requested)
        self.actions.show_requested.connect(self.show_notice)
        self.dashboard.open_requested.connect(self.actions.open_todo)
        self.record.resolve_requested.connect(self._resolve_from_record)

    # --- reacting -------------------------------------------------------------------
    def _on_selection(self, row) -> None:
        if row is None:
            self.actions.set_current(None, None)
            self.record.clear()
        else:
            self.actions.set_current(row.id, row.status)

    def _on_changed(self, disclosure_id: str) -> None:
        """After an action: reload the list on that notice, the dashboard and the counts; say what happened."""
        done = DONE_MESSAGES.get(self.actions.last_key or "", "已保存")
        self.window.statusBar().showMessage(tr(done) + tr("。"), STATUS_MESSAGE_MS)
        self.show_notice(disclosure_id, switch=False)
        self.dashboard.refresh()
        self.window.refresh_overview()

    def show_notice(self, disclosure_id: str, *, switch: bool = True) -> None:
        """Select a notice on 公示管理 (clearing filters that would hide it), reloading the list."""
        if switch:
            self.window.show_page("disclosures")
        if not disclosure_id:
            self._filter_category(self.actions.last_category)
            return
        self.page.reveal(disclosure_id)

    def _filter_category(self, category: str | None) -> None:
        combo = self.page.category_filter
        index = combo.findData(category) if category else 0
        combo.setCurrentIndex(max(index, 0))

    def _on_photo_requested(self, posting_id: str, role: str) -> None:
        page = self.window.show_page("photos")
        select = getattr(page, "select_posting", None)
        if callable(select):
            select(posting_id, role)

    def _resolve_from_record(self, objection_id: str) -> None:
        if self.actor.can("objection"):
            self.actions.resolve_objection(objection_id)

    # --- roster import ---------------------------------------------------------------
    def open_import(self):
        """The roster import dialog (non-blocking); the new draft is selected when it is imported."""
        if not self.actor.can(EDIT):
            return None
        from zwgk_desktop.ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.database, self.tasks, self.window, user=self.actor.username)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._on_imported)
        self.last_import_dialog = dialog
        dialog.open()
        return dialog

    def _on_imported(self, disclosure_id: str) -> None:
        self.window.statusBar().showMessage(
            tr("花名册已导入，生成了一条草稿公示（已在列表中选中）。核对后请点“{submit}”。").format(
                submit=plain_label(self.actions.action("submit").text())),
            STATUS_MESSAGE_MS,
        )
        self.show_notice(disclosure_id)
        self.dashboard.refresh()
        self.window.refresh_overview()


def install(window, actor: Actor | None = None, *, today: Callable[[], date] | None = None) -> LifecycleWiring:
    """Wire the lifecycle into `window` for `actor` (default: `window.actor`, else read-only)."""
    actor = actor or getattr(window, "actor", None) or READ_ONLY_ACTOR
    wiring = LifecycleWiring(window, actor, today=today)
    window.lifecycle = wiring
    return wiring
