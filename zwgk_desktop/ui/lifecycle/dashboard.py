"""DashboardPage (今日待办): today's to-do items; Enter or double-click asks to open the place to act."""

from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from zwgk_desktop.core.dashboard import todo_items
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import Runner, message_label, message_of, show_message

ITEM_ROLE = Qt.ItemDataRole.UserRole
URGENT_COLOUR = QColor("#b42318")


class DashboardPage(QWidget):
    """Lists `TodoItem`s; `open_requested(TodoItem)` carries the ids the main window needs to act."""

    open_requested = Signal(object)
    loaded = Signal(int)

    def __init__(self, database, actor, tasks=None, parent: QWidget | None = None,
                 *, today: Callable[[], date] | None = None):
        super().__init__(parent)
        self.runner = Runner(database, actor, tasks)
        self.actor = actor
        self.today = today or date.today
        self.items = []
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
        self.tree.setColumnWidth(2, 460)
        self.empty = QLabel(tr("今天没有待办事项。"), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = message_label(self)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_current)
        self.tree.itemActivated.connect(lambda item, _col: self._open(item))
        self.tree.itemDoubleClicked.connect(lambda item, _col: self._open(item))
        self._show([])

    def set_actor(self, actor) -> None:
        """List the to-dos of another user from now on (切换用户); the caller refreshes."""
        self.actor = actor
        self.runner = Runner(self.runner.database, actor, self.runner.tasks)

    def refresh(self) -> None:
        actor, today = self.actor, self.today()
        self.runner.call(lambda s: todo_items(s, actor, today=today), self._show, self._fail)

    def focus_search(self) -> None:
        self.tree.setFocus()

    def _show(self, items) -> None:
        self.items = list(items)
        self.tree.clear()
        urgent = sum(1 for i in items if i.urgent)
        self.heading.setText(tr("今日待办 {n} 项").format(n=len(items)) + (tr("（紧急 {m} 项）").format(m=urgent) if urgent else ""))
        for item in items:
            row = QTreeWidgetItem([item.kind_label, item.title, item.detail, item.due or ""])
            row.setData(0, ITEM_ROLE, item)
            row.setToolTip(2, item.detail)
            if item.urgent:
                for col in range(4):
                    row.setForeground(col, QBrush(URGENT_COLOUR))
            self.tree.addTopLevelItem(row)
        self.tree.setVisible(bool(items))
        self.empty.setVisible(not items)
        self.open_button.setEnabled(bool(items))
        if items:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        show_message(self.message, "")
        self.loaded.emit(len(items))

    def open_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._open(item)

    def _open(self, row: QTreeWidgetItem) -> None:
        self.open_requested.emit(row.data(0, ITEM_ROLE))

    def _fail(self, exc: BaseException) -> None:
        show_message(self.message, message_of(exc))
