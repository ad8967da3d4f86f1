"""DashboardPage (今日待办): today's to-do items; Enter or double-click asks to open the place to act.

Loads through `ops.todo.todo` as the page's actor and reloads by itself after
any change another page or dialog makes (`tasks.changed`). An empty township
shows where to start (导入花名册 / 新建公示) instead of an empty list.
`install(window)` is start-up's first screen: the page alone, before the
rest of the lifecycle (whose `install` adopts it) is even imported.

Before that, start-up may show the list remembered at the last close
(`core.start_snapshot`) on a page not yet bound to tasks or an actor: this
module imports nothing of the database layer until the page loads for real,
and the remembered rows cannot be opened until the live list has replaced them.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import message_label, message_of, show_message
from zwgk_desktop.ui.widgets import GettingStarted

ITEM_ROLE = Qt.ItemDataRole.UserRole
URGENT_COLOUR = QColor("#b42318")
RELOAD_ON = ("notices", "items", "postings", "objections", "photos", "villages", "boards", "calendar", "settings",
             "users", "catalogue", "requests")


class DashboardPage(QWidget):
    """Lists `TodoItem`s; `open_requested(TodoItem)` carries the ids the main window needs to act."""

    open_requested = Signal(object)
    loaded = Signal(int)
    load_failed = Signal(str)  # the list could not be read (the page shows why)
    import_requested = Signal()  # the empty township's 导入花名册
    new_requested = Signal()  # the empty township's 新建公示

    def __init__(self, tasks, actor, parent: QWidget | None = None, *, today: Callable[[], date] | None = None):
        super().__init__(parent)
        self.tasks, self.actor = None, actor
        self.today = today or date.today
        self.items = []
        self.notices: int | None = None
        self.remembered = False  # showing the list remembered at the last close, not yet the live one
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        self.refresh_button = QPushButton(tr("刷新(&R)"), self)
        self.open_button = QPushButton(tr("去办理(&O)"), self)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels([tr("类型"), tr("事项"), tr("说明"), tr("期限")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 4px 2px; }")
        self.tree.setColumnWidth(0, 110)
        self.tree.setColumnWidth(1, 330)
        self.tree.setColumnWidth(2, 520)
        self.empty = QLabel(tr("今天没有待办事项。"), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start = GettingStarted(self)
        self.start.setVisible(False)
        self.start.import_clicked.connect(self.import_requested)
        self.start.new_clicked.connect(self.new_requested)
        self.message = message_label(self)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.start)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_current)
        self.tree.itemActivated.connect(lambda item, _col: self._open(item))
        self.tree.itemDoubleClicked.connect(lambda item, _col: self._open(item))
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(0)
        self._reload.timeout.connect(self.refresh)
        if tasks is not None:
            self.bind(tasks, actor)
        self._show_list([], None)

    @property
    def bound(self) -> bool:
        """Whether the page can load (it has its tasks); a page showing a remembered list is not, yet."""
        return self.tasks is not None

    def bind(self, tasks, actor) -> None:
        """Load through `tasks` as `actor` from now on (once; the caller refreshes)."""
        self.tasks, self.actor = tasks, actor
        tasks.changed.connect(self._on_changed)

    def set_actor(self, actor) -> None:
        """List the to-dos of another user from now on (切换用户); the caller refreshes."""
        self.actor = actor

    def refresh(self) -> None:
        if not self.bound:
            return  # start-up binds the page and loads it once the database is open
        from zwgk_desktop.ops.todo import todo

        self.tasks.run_op(todo, today=self.today(), actor=self.actor, on_success=self._show, on_failure=self._fail,
                          owner=self)

    def show_remembered(self, snapshot) -> None:
        """Show the list remembered at the last close (`core.start_snapshot.TodaySnapshot`) until the live one
        comes; its rows can't be opened meanwhile."""
        self.remembered = True
        self._show_list(snapshot.items, snapshot.notices)

    def _on_changed(self, changes) -> None:
        if changes.touches(*RELOAD_ON):
            self._reload.start()  # several changes in one turn of the event loop: one reload

    def focus_search(self) -> None:
        self.tree.setFocus()

    def _show(self, result) -> None:
        self.remembered = False
        self._show_list(result.items, result.notices)

    def _show_list(self, items, notices: int | None) -> None:
        self.items = list(items)
        self.notices = notices
        self.tree.clear()
        urgent = sum(1 for i in items if i.urgent)
        self.heading.setText(tr("今日待办 {n} 项").format(n=len(items)) + (tr("（紧急 {m} 项）").format(m=urgent) if urgent else ""))
        for item in items:
            row = QTreeWidgetItem([item.kind_label, item.title, item.detail, item.due or ""])
            row.setData(0, ITEM_ROLE, item)
            row.setToolTip(1, item.title)
            row.setToolTip(2, item.detail)
            if item.urgent:
                for col in range(4):
                    row.setForeground(col, QBrush(URGENT_COLOUR))
            self.tree.addTopLevelItem(row)
        empty_township = notices == 0
        self.start.setVisible(empty_township)
        self.start.setEnabled(not self.remembered)
        if self.actor is not None:
            self.start.set_can_create(self.actor.can("edit"), self.actor.role_label)
        self.tree.setVisible(bool(items))
        self.empty.setVisible(not items and not empty_township)
        self.open_button.setEnabled(bool(items) and not self.remembered)
        self.refresh_button.setEnabled(not self.remembered)
        if items:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        show_message(self.message, "")
        self.loaded.emit(len(items))

    def open_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._open(item)

    def _open(self, row: QTreeWidgetItem) -> None:
        if self.remembered:
            return  # the database is still opening: the live list comes in a moment
        self.open_requested.emit(row.data(0, ITEM_ROLE))

    def _fail(self, exc: BaseException) -> None:
        text = message_of(exc)
        show_message(self.message, text)
        self.load_failed.emit(text)


def install(window) -> DashboardPage:
    """今日待办 under "today" for `window.actor` (through `window.tasks`), loading as soon as it is shown; an
    existing dashboard is kept (one showing a remembered list is bound now and loads). The lifecycle's `install`
    adopts this page later (`wiring.LifecycleWiring`)."""
    from zwgk_desktop.core.users import GUEST_ACTOR

    actor = window.actor or GUEST_ACTOR
    page = window.find_page("today")
    if isinstance(page, DashboardPage):
        if not page.bound:
            page.bind(window.tasks, actor)
            page.refresh()
        return page
    page = add_dashboard(window, window.tasks, actor)
    window.show_page("today")
    return page


def add_dashboard(window, tasks, actor, today=None) -> DashboardPage:
    """A new 今日待办 page under "today" (in place of whatever page held the key)."""
    page = DashboardPage(tasks, actor, window, today=today)
    page.setObjectName("page")
    window.add_page("today", tr("今日待办"), page)
    return page
