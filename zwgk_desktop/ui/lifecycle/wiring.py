"""LifecycleWiring: puts the lifecycle into the main window for the signed-in user.

- 今日待办 (`DashboardPage`) replaces the placeholder page and is shown first
  (start-up's first screen put it there already: that page is adopted);
  opening an item routes through `LifecycleActions.open_todo`; an empty
  township offers 导入花名册 / 新建公示 there;
- the 公示管理 page gets an action row (and list context menu): 导入花名册…
  then the lifecycle steps, each enabled by status and role, with a tooltip
  saying why not; a village user's list shows only notices of their villages;
  新建公示… and 登记情况说明… are in the list's context menu;
- a 流转记录 tab beside the line items (versions, period, history, postings
  with their photo evidence, objections, 情况说明);
- every page reloads by itself after a change (`tasks.changed`); after an
  action the wiring only selects the notice it concerns (a correction: the
  new version) and says in the status bar what happened (with any warning,
  e.g. a single-user self review); failures go to the status bar and a
  warning box;
- the review dialog shows the poster proof through `poster_proof_renderer`,
  the one hook onto the printing package;
- 编辑草稿 (Ctrl+E; a button at the corner of the 明细条目 tabs, the line
  items' context menu and a double-click on them) opens
  the line-item editor (`items_editor.ItemsEditorDialog`) for drafts the user
  may edit: clerks/admins any draft, a 村级用户 the rows of their villages;
- the status bar shows who is working, in which role, with 切换用户: the
  login dialog again; on success `window.actor` and everything that acts as
  the user (the lifecycle actions, 编辑草稿, import, 今日待办, 流转记录) switch
  to the new user. Other pages read `window.actor` when they act, so they
  follow too;
- village scope (村级用户 see only their villages): every page of the window
  with `set_village_scope(ids)` (公示管理 list and line items, 户籍台账,
  明白卡…) gets the actor's villages (empty = everything) at install and
  after every 切换用户 (`MainWindow.apply_village_scope`); pages added later
  by other packages get `window.actor`'s in `MainWindow.add_page`.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QToolButton

from zwgk_desktop.core.status import Status
from zwgk_desktop.core.users import EDIT, GUEST_ACTOR, Actor
from zwgk_desktop.services.rosters.edit import can_edit_items
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.actions import LifecycleActions, plain_label
from zwgk_desktop.ui.lifecycle.dashboard import DashboardPage, add_dashboard
from zwgk_desktop.ui.lifecycle.items_editor import ItemsEditorDialog
from zwgk_desktop.ui.lifecycle.new_notice import NewNoticeDialog
from zwgk_desktop.ui.lifecycle.record import NoticeRecordView

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
    "explain": "情况说明已登记",
    "correct": "已生成更正版本（草稿），请修改后重新提交审核",
    "withdraw": "已撤回",
    "edit": "草稿已保存，合计已重新计算",
    "new": "已建立草稿公示（已在列表中选中），填写完整后请提交审核",
}
CONTEXT_ONLY = ("explain",)  # in the list's context menu and the 流转记录 tab, not on the crowded action row
EDIT_BUTTON_STYLE = (
    "QToolButton { padding: 3px 12px; margin: 0 0 4px 0; border: 1px solid #1f6feb; border-radius: 5px;"
    " background: #ffffff; color: #1f6feb; }"
    "QToolButton:hover { background: #eef3fd; }"
    "QToolButton:disabled { color: #a3aab4; border-color: #e6e9ee; background: #f7f8fa; }"
)
SWITCH_BUTTON_STYLE = (
    "QToolButton { border: none; color: #1f6feb; padding: 0 8px; }"
    "QToolButton:hover { text-decoration: underline; }"
    "QToolButton:disabled { color: #a3aab4; }"
)


class LifecycleWiring(QObject):
    """Owns the dashboard page, the actions and the import entry for one main window and one actor."""

    actor_changed = Signal(object)  # the new Actor after 切换用户

    def __init__(self, window, actor: Actor, *, today: Callable[[], date] | None = None):
        super().__init__(window)
        self.window, self.actor = window, actor
        self.page = window.disclosures_page
        self.database, self.tasks = window.database, window.tasks
        self.last_import_dialog = None
        self.last_editor: ItemsEditorDialog | None = None
        self.last_login_dialog = None

        self.today = today or date.today
        self.last_new_dialog = None
        self.dashboard, adopted = self._dashboard(today)

        self.actions = LifecycleActions(self.tasks, actor, self.page, today=today,
                                        poster_renderer=poster_proof_renderer(window))
        self.import_action = self._make_import_action()
        self.new_action = self._make_new_action()
        self.edit_action = self._make_edit_action()
        self._place_edit_action()
        self.page.add_actions(self._action_row())
        self.page.add_context_actions([self.new_action, *(self.actions.action(k) for k in CONTEXT_ONLY)])
        self._apply_village_scope()

        self.record = NoticeRecordView(self.tasks, actor, self.page)
        self.page.detail.add_tab(tr("流转记录"), self.record)

        self.user_label = QLabel(self._user_text(), window)
        self.user_label.setObjectName("userLabel")
        window.statusBar().addPermanentWidget(self.user_label)
        self.switch_action = QAction(tr("切换用户(&U)…"), window)
        self.switch_action.setObjectName("switchUser")
        self.switch_action.setToolTip(tr("换一位用户登录（交接班、审核人审核时），无需退出程序"))
        self.switch_action.triggered.connect(self.switch_user)
        self.switch_button = QToolButton(window)
        self.switch_button.setObjectName("switchUserButton")
        self.switch_button.setText(tr("切换用户(&U)…"))  # Alt+U
        self.switch_button.setToolTip(self.switch_action.toolTip())
        self.switch_button.clicked.connect(self.switch_user)
        self.switch_button.setStyleSheet(SWITCH_BUTTON_STYLE)
        self.switch_button.setCursor(Qt.CursorShape.PointingHandCursor)
        window.statusBar().addPermanentWidget(self.switch_button)
        window.addAction(self.switch_action)

        self._connect()
        self.actions.set_current(None, None)
        self._update_edit_action(None)
        if not adopted:  # (start-up's first screen is already showing; the clerk may have moved on since)
            window.show_page("today")
        if self.page.model.rowCount() == 0:
            self.page.refresh()  # the list is ready when the clerk opens 公示管理 (and start-up hooks wait for it)

    # --- building -----------------------------------------------------------------
    def _dashboard(self, today) -> tuple[DashboardPage, bool]:
        """(今日待办, adopted?): start-up's first-screen page when it is there for these tasks (`dashboard.install`),
        else a new one in place of the placeholder."""
        page = self.window.find_page("today")
        if isinstance(page, DashboardPage) and page.tasks is self.tasks:
            if today is not None:
                page.today = today
            if page.actor != self.actor or today is not None:
                page.set_actor(self.actor)
                page.refresh()
            return page, True
        return add_dashboard(self.window, self.tasks, self.actor, today), False

    def _make_import_action(self) -> QAction:
        action = QAction(tr("导入花名册(&I)…"), self.page)
        action.setObjectName("importRoster")
        action.setShortcut(QKeySequence("Ctrl+I"))
        action.triggered.connect(self.open_import)
        self.import_action = action
        self._refresh_import_action()
        return action

    def _make_new_action(self) -> QAction:
        action = QAction(tr("新建公示(&N)…"), self.page)
        action.setObjectName("newNotice")
        action.triggered.connect(self.open_new_notice)
        return action

    def _make_edit_action(self) -> QAction:
        action = QAction(tr("编辑草稿(&E)…"), self.page)
        action.setObjectName("editDraft")
        action.setShortcut(QKeySequence("Ctrl+E"))
        action.triggered.connect(self.open_editor)
        return action

    def _edit_disabled_reason(self, row) -> str | None:
        """Why 编辑草稿 is not offered for `row` (a DisclosureRow or None), in Chinese; None when it is."""
        if not can_edit_items(self.actor):
            return tr("您的角色（{role}）不能修改公示；请找经办人或管理员。").format(role=self.actor.role_label)
        if row is None:
            return tr("请先在列表中选择一条草稿公示。")
        if row.status != Status.DRAFT:
            if row.status == Status.ARCHIVED:
                return tr("已归档的公示为只读，不能修改。")
            return tr("只有草稿可以直接修改；已审核或公示中的公示请用“更正”生成新版本后再改。")
        return None

    def _update_edit_action(self, row) -> None:
        why_not = self._edit_disabled_reason(row)
        self.edit_action.setEnabled(why_not is None)
        self.edit_action.setToolTip(why_not or tr("修改草稿的明细、标题和正文（Ctrl+E）"))

    def _place_edit_action(self) -> None:
        """编辑草稿 sits where the line items are: the tab bar's corner, their context menu and double-click."""
        button = QToolButton(self.page.detail.tabs)
        button.setObjectName("editDraftButton")
        button.setDefaultAction(self.edit_action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setStyleSheet(EDIT_BUTTON_STYLE)
        self.edit_button = button
        self.page.detail.tabs.setCornerWidget(button, Qt.Corner.TopRightCorner)
        items_view = self.page.detail.items_view
        items_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        items_view.addAction(self.edit_action)
        items_view.doubleClicked.connect(lambda _index: self.edit_action.isEnabled() and self.open_editor())

    def _action_row(self) -> list[QAction | None]:
        row: list[QAction | None] = [self.import_action]
        for group in ACTION_GROUPS:
            row.append(None)
            row.extend(self.actions.action(key) for key in group if key not in CONTEXT_ONLY)
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
        self.dashboard.import_requested.connect(self.open_import)
        self.dashboard.new_requested.connect(self.open_new_notice)
        self.page.start.import_clicked.connect(self.open_import)
        self.page.start.new_clicked.connect(self.open_new_notice)
        self.record.resolve_requested.connect(self._resolve_from_record)
        self.record.explain_requested.connect(self._explain_from_record)

    # --- reacting -------------------------------------------------------------------
    def _on_selection(self, row) -> None:
        self._update_edit_action(row)
        if row is None:
            self.actions.set_current(None, None)
            self.record.clear()
        else:
            self.actions.set_current(row.id, row.status)

    def _on_changed(self, disclosure_id: str) -> None:
        """After an action: say what happened (and any warning); select the notice it concerns when that is
        another one (a correction's new version). The pages reload themselves on `tasks.changed`."""
        done = DONE_MESSAGES.get(self.actions.last_key or "", "已保存")
        message = tr(done) + tr("。") + "".join(self.actions.last_warnings)
        self.window.statusBar().showMessage(message, STATUS_MESSAGE_MS)
        if disclosure_id and disclosure_id != self.page.selected_id():
            self.show_notice(disclosure_id, switch=False)

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
        pick = getattr(page, "select_posting", None)
        if callable(pick):
            pick(posting_id, role)

    def _resolve_from_record(self, objection_id: str) -> None:
        if self.actor.can("objection"):
            self.actions.resolve_objection(objection_id)

    def _explain_from_record(self, disclosure_id: str) -> None:
        if self.actor.can("review"):
            self.actions.last_key = "explain"
            self.actions.current_id = self.actions.current_id or disclosure_id
            self.actions.do_explain(disclosure_id)

    # --- 新建公示 ------------------------------------------------------------------------
    def open_new_notice(self):
        """新建公示 (non-blocking): a draft text notice; it is selected once created."""
        if not self.actor.can(EDIT):
            return None
        township = getattr(getattr(self.window, "overview", None), "township", None) or ""
        dialog = NewNoticeDialog(self.tasks, self.actor, self.window, township=township, today=self.today())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._on_created)
        self.last_new_dialog = dialog
        dialog.open()
        return dialog

    def _on_created(self, result) -> None:
        self.actions.last_key = "new"
        self.window.statusBar().showMessage(tr(DONE_MESSAGES["new"]) + tr("。"), STATUS_MESSAGE_MS)
        self.show_notice(result.disclosure_id)

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
        self.tasks.notify_changed("notices", "items", ids=(disclosure_id,))  # the import ran outside run_op


    # --- 编辑草稿 ---------------------------------------------------------------------------
    def open_editor(self) -> ItemsEditorDialog | None:
        """The line-item editor for the selected draft (non-blocking); the list reloads after a save."""
        row = self.page.selected_row()
        if self._edit_disabled_reason(row) is not None:
            return None
        dialog = ItemsEditorDialog(self.database, self.actor, row.id, self.tasks, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_edited)
        self.last_editor = dialog
        dialog.open()
        return dialog

    def _on_edited(self, result) -> None:
        self.actions.last_key = "edit"
        self.actions.last_warnings = []
        self._on_changed(result.disclosure_id)
        self.tasks.notify_changed("notices", "items", ids=(result.disclosure_id,))  # the editor ran outside run_op

    # --- 切换用户 ----------------------------------------------------------------------------
    def switch_user(self):
        """Show the login dialog again (non-blocking); a successful login becomes the acting user."""
        from zwgk_desktop.ui.lifecycle.login import LoginDialog

        township = getattr(getattr(self.window, "overview", None), "township", None) or ""
        dialog = LoginDialog(self.database, township, self.window, cancel_text=tr("取消"))
        dialog.setWindowTitle(tr("切换用户"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: dialog.actor is not None and self.set_actor(dialog.actor))
        self.last_login_dialog = dialog
        dialog.open()
        return dialog

    def set_actor(self, actor: Actor) -> None:
        """Make `actor` the user everything acts as; reload what depends on who they are."""
        self._close_open_dialogs()
        self.actor = actor
        self.window.actor = actor
        self.actions.set_actor(actor)
        self.dashboard.set_actor(actor)
        self.record.set_actor(actor)
        self._apply_village_scope()
        self._refresh_import_action()
        self._update_edit_action(self.page.selected_row())
        self.user_label.setText(self._user_text())
        self.window.statusBar().showMessage(
            tr("已切换为 {name}（{role}）。").format(name=actor.label, role=actor.role_label), STATUS_MESSAGE_MS)
        self.page.refresh()
        self.dashboard.refresh()
        self.window.refresh_overview()
        self.actor_changed.emit(actor)

    def _apply_village_scope(self) -> None:
        """Give every page that takes a village scope the acting user's villages (empty = everything)."""
        self.window.apply_village_scope(self.actor)

    def _refresh_import_action(self) -> None:
        if self.actor.can(EDIT):
            self.import_action.setEnabled(True)
            self.import_action.setToolTip(tr("把县里下发的花名册（Excel/CSV）导入为一条新的草稿公示（Ctrl+I）"))
        else:
            self.import_action.setEnabled(False)
            self.import_action.setToolTip(tr("您的角色（{role}）不能新建公示；导入花名册请找经办人或管理员。").format(role=self.actor.role_label))

    def _close_open_dialogs(self) -> None:
        """Dialogs opened by the previous user must not act under the new one."""
        for dialog in (self.last_editor, self.actions.last_dialog, self.last_import_dialog, self.last_new_dialog):
            try:
                if dialog is not None and dialog.isVisible():
                    dialog.done(0)
            except RuntimeError:  # already deleted (WA_DeleteOnClose)
                pass
        self.last_editor = None


def poster_proof_renderer(window):
    """The review dialog's poster proof: `render(notice_id, folder) -> pdf path`, drawn by the printing package's
    preview op (renders, records nothing). The one hook onto printing; ReportLab is imported when a proof is
    first drawn, not when the window starts."""
    from pathlib import Path

    def render(notice_id: str, folder: str) -> str:
        from zwgk_desktop.core.jobs import Job
        from zwgk_desktop.ops.printing import PosterRequest, preview_poster

        out = Path(folder) / f"proof-{notice_id[:8]}.pdf"
        actor = window.actor or window.tasks.actor
        return preview_poster(window.database, actor, window.config, PosterRequest(notice_id), out, job=Job()).path

    return render


def install(window, actor: Actor | None = None, *, today: Callable[[], date] | None = None) -> LifecycleWiring:
    """Wire the lifecycle into `window` for `actor` (default: `window.actor`, else read-only)."""
    actor = actor or getattr(window, "actor", None) or GUEST_ACTOR
    wiring = LifecycleWiring(window, actor, today=today)
    window.lifecycle = wiring
    return wiring
