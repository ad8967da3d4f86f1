"""The 公示管理 page: filterable notice list above, the selected notice's header and line items below.

The list, the detail (the notice + the first page of items) and further
pages of line items come from ops (`ops.notices.list_notices`,
`load_notice`, `item_page`) as DTOs: the list and the detail run in the
background as the signed-in actor, pages of line items are fetched by the
lazy item model as the user scrolls, 500 at a time, so a 50,000-line notice
stays smooth. ID numbers are masked. Each row and the detail header show
the notice's one 公示期 text (`DisclosureRow.period_text`, from
`core.periods`). The page reloads by itself after any change to notices,
their items, postings or objections (`tasks.changed`), keeping the
selection. Signals `list_loaded(count)` and `detail_loaded(id)` tell tests
and other pages when data has arrived. An empty township shows where to
start (导入花名册 / 新建公示: `start`, connected by the lifecycle wiring).

Hooks for other UI packages: `add_actions(actions)` puts QActions on the
page's action row and in the list's context menu (the lifecycle package adds
导入花名册 and the lifecycle steps; the printing package's 预览张贴稿 goes,
like 打印公示, on the pinned print bar at the right, which never folds into
the row's » overflow, at the top right beside the page title); `add_context_actions(actions)` adds to the context
menu only; `add_detail_tab(title, widget)` adds a tab next to the line
items; `set_print_handler(fn(disclosure_id))` enables the 打印公示 action
(reserved for the printing package); `set_village_scope(ids)` lists only
notices concerning those villages (村级用户), and the detail pane then
shows only those villages' line items, its counts and totals saying
"本村 23 条（全镇 300 条）". The scope applies from the next `refresh()`.
"""

from __future__ import annotations

from html import escape
from typing import Callable, Iterable

from PySide6.QtCore import QItemSelection, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.catalogue import load_catalogue
from zwgk_desktop.core.disclosures import ItemTotals, format_fen
from zwgk_desktop.core.status import PRINTABLE, STATUS_LABELS
from zwgk_desktop.ops.notices import item_page, list_notices, load_notice
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.table_models import DEFAULT_PAGE_SIZE, DisclosureTableModel, IdRole, ItemTableModel
from zwgk_desktop.ui.widgets import GettingStarted, SearchBox, StatusPill, StatusPillDelegate, muted_label

BOARDS_SHOWN = 5
ACTION_ROW_STYLE = """
QToolBar#actionRow { border: none; spacing: 5px; padding: 0; background: transparent; }
QToolBar#actionRow QToolButton {
    padding: 4px 9px; border: 1px solid #cfd5dd; border-radius: 5px; background: #ffffff; color: #1f2733;
}
QToolBar#actionRow QToolButton:hover { background: #eef3fd; border-color: #1f6feb; }
QToolBar#actionRow QToolButton:pressed { background: #dbe8fd; }
QToolBar#actionRow QToolButton:disabled { color: #a3aab4; border-color: #e6e9ee; background: #f7f8fa; }
"""
PRINTABLE_STATUSES = PRINTABLE
# Actions that live on the pinned print bar (always visible), not on the action row: the printing package's
# 预览张贴稿 (`ui.printing.PROOF_ACTION_NAME`) and the page's own 打印公示.
PINNED_ACTION_NAMES = ("proofPosterAction", "printNotice")
RELOAD_ON = ("notices", "items", "postings", "objections", "villages", "boards")
LIST_COLUMN_WIDTHS = {
    DisclosureTableModel.TITLE: 470, DisclosureTableModel.CATEGORY: 90, DisclosureTableModel.STATUS: 90,
    DisclosureTableModel.ITEMS: 70, DisclosureTableModel.AMOUNT: 120, DisclosureTableModel.PERIOD: 260,
    DisclosureTableModel.BOARDS: 80,
}


def configure_table(view: QTableView) -> None:
    """The common look of our tables: row selection, alternating rows, no editing, compact rows."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(30)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)


class DisclosureDetailPane(QWidget):
    """Header (title, status, period, boards, totals) and the lazily loaded line items of one notice."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.header = QFrame(self)
        self.header.setObjectName("detailHeader")
        header_layout = QVBoxLayout(self.header)
        header_layout.setContentsMargins(14, 10, 14, 10)
        header_layout.setSpacing(4)
        title_row = QHBoxLayout()
        self.title = QLabel(tr("请在上方列表中选择一条公示"), self.header)
        self.title.setObjectName("detailTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        self.status = StatusPill(self.header)
        self.status.hide()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTop)
        header_layout.addLayout(title_row)
        self.meta = QLabel("", self.header)
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        self.meta.setWordWrap(True)
        header_layout.addWidget(self.meta)
        self.boards = muted_label("", self.header)
        header_layout.addWidget(self.boards)
        layout.addWidget(self.header)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("detailTabs")
        self.tabs.setDocumentMode(True)
        items_tab = QWidget(self.tabs)
        items_layout = QVBoxLayout(items_tab)
        items_layout.setContentsMargins(0, 6, 0, 0)
        self.items_model = ItemTableModel(self)
        self.items_view = QTableView(items_tab)
        self.items_view.setObjectName("itemsView")
        configure_table(self.items_view)
        self.items_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.items_view.setModel(self.items_model)
        self.items_view.verticalHeader().hide()
        items_layout.addWidget(self.items_view, 1)
        self.loaded_label = QLabel("", items_tab)
        self.loaded_label.setObjectName("countLabel")
        items_layout.addWidget(self.loaded_label)
        self.tabs.addTab(items_tab, tr("明细条目"))
        layout.addWidget(self.tabs, 1)
        self.items_model.rowsInserted.connect(self._update_loaded_label)
        self.items_model.modelReset.connect(self._update_loaded_label)
        self.items_model.modelReset.connect(self._size_item_columns)
        self.disclosure_id: str | None = None
        self.village_part: ItemTotals | None = None  # set: only these villages' lines are shown (村级用户)

    def add_tab(self, title: str, widget: QWidget) -> None:
        """Another view of the selected notice (e.g. 流转记录) next to the line items."""
        self.tabs.addTab(widget, title)

    def show_placeholder(self) -> None:
        self.disclosure_id = None
        self.village_part = None
        self.title.setText(tr("请在上方列表中选择一条公示"))
        self.status.hide()
        self.meta.setText("")
        self.boards.setText("")
        self.items_model.clear()

    def show_detail(self, detail, total: int, first_page: list, loader, *, village_part: ItemTotals | None = None) -> None:
        """Show a notice; with `village_part` the items are only the user's villages' (counts say 本村/全镇)."""
        self.disclosure_id = detail.id
        self.village_part = village_part
        title = detail.title if detail.version <= 1 else tr("{title}（第{n}版）").format(title=detail.title, n=detail.version)
        self.title.setText(title)
        self.status.set_status(detail.status, detail.status_label)
        self.status.show()
        facts = [
            tr("类别：{v}").format(v=escape(detail.category_name)),
            tr("公示期：{v}").format(v=escape(detail.period_text or tr("尚未张贴"))),
            *(self._totals_facts(detail) if village_part is None else self._village_facts(detail, village_part)),
        ]
        if detail.issuer:
            facts.append(tr("发布单位：{v}").format(v=escape(detail.issuer)))
        self.meta.setText("　·　".join(facts))
        if detail.boards:
            names = [b["board"] + (tr("（已撤下）") if b.get("removed_on") else "") for b in detail.boards]
            shown = "、".join(names[:BOARDS_SHOWN]) + (tr(" 等") if len(names) > BOARDS_SHOWN else "")
            self.boards.setText(tr("已张贴 {n} 处：{names}").format(n=detail.posted_boards, names=shown))
            self.boards.setToolTip("\n".join(names))
        else:
            self.boards.setText(tr("尚未在公示栏张贴"))
        self.items_model.set_category(detail.category)
        self.items_model.reset(total, loader, first_page)

    @staticmethod
    def _totals_facts(detail) -> list[str]:
        facts = [tr("条目：<b>{v}</b> 条").format(v=f"{detail.items:,}")]
        if detail.total_people:
            facts.append(tr("涉及人数：<b>{v}</b>").format(v=f"{detail.total_people:,}"))
        facts.append(tr("金额合计：<b>{v}</b> 元").format(v=format_fen(detail.total_amount_fen)))
        return facts

    @staticmethod
    def _village_facts(detail, part: ItemTotals) -> list[str]:
        """A 村级用户's header: their villages' lines, people and money, the whole notice's in brackets."""
        facts = [tr("条目：本村 <b>{v}</b> 条（全镇 {all} 条）").format(v=f"{part.items:,}", all=f"{detail.items:,}")]
        if part.people:
            facts.append(tr("本村涉及人数：<b>{v}</b>").format(v=f"{part.people:,}"))
        facts.append(tr("本村金额：<b>{v}</b> 元（全镇 {all} 元）").format(
            v=format_fen(part.amount_fen), all=format_fen(detail.total_amount_fen)))
        return facts

    def _update_loaded_label(self, *_args) -> None:
        model, part = self.items_model, self.village_part
        if model.total == 0:
            if self.disclosure_id is None:
                self.loaded_label.setText("")
            elif part is not None:
                self.loaded_label.setText(tr("该公示没有本村的明细条目（其他村的条目不显示）"))
            else:
                self.loaded_label.setText(tr("该公示没有明细条目"))
            return
        if model.rowCount() < model.total:
            text = tr("已载入 {loaded} / {total} 条（向下滚动自动载入更多）").format(
                loaded=f"{model.rowCount():,}", total=f"{model.total:,}")
        else:
            text = tr("共 {total} 条").format(total=f"{model.total:,}")
        if part is not None:
            text = tr("本村") + text + tr("；其他村的条目不显示")
        if model.column_index("id_number") >= 0:
            text += tr("；身份证号码已按统一规则隐去中间位")
        self.loaded_label.setText(text)

    def _size_item_columns(self) -> None:
        header = self.items_view.horizontalHeader()
        for index, column in enumerate(self.items_model.columns):
            width = {"seq": 56, "id_number": 170, "amount": 120, "people": 80, "name": 110, "village": 90, "group": 60}.get(
                column.key, 130 if column.type != "text" else 150
            )
            header.resizeSection(index, width)
            self.items_view.setColumnHidden(index, self._is_empty_private_column(index))
        header.setStretchLastSection(True)

    def _is_empty_private_column(self, index: int) -> bool:
        """Phone/bank columns the roster never filled are hidden rather than shown blank."""
        column = self.items_model.columns[index]
        if column.kind not in ("phone", "bank_account"):
            return False
        model = self.items_model
        return not any(model.index(row, index).data() for row in range(model.rowCount()))


class DisclosuresPage(QWidget):
    """公示管理: filters, the notice list and the detail pane in a vertical splitter."""

    list_loaded = Signal(int)
    detail_loaded = Signal(str)
    selection_changed = Signal(object)  # the selected DisclosureRow or None (hook for lifecycle actions)

    def __init__(self, database, tasks, parent: QWidget | None = None, *, page_size: int = DEFAULT_PAGE_SIZE):
        super().__init__(parent)
        self.setObjectName("page")
        self.database, self.tasks, self.page_size = database, tasks, page_size
        self._list_generation = 0
        self._detail_generation = 0
        self._pending_select: str | None = None
        self.village_scope: tuple[str, ...] = ()
        self._selected_row = None
        self._print_handler: Callable[[str], None] | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        title = QLabel(tr("公示管理"), self)
        title.setObjectName("pageTitle")
        self.title_row = QHBoxLayout()
        self.title_row.addWidget(title)
        self.title_row.addStretch(1)
        layout.addLayout(self.title_row)

        bar = QHBoxLayout()
        self.search = SearchBox(tr("搜索标题或人名（Ctrl+F）"), self)
        self.search.setMinimumWidth(320)
        self.status_filter = QComboBox(self)
        self.status_filter.addItem(tr("全部状态"), None)
        for code, label in STATUS_LABELS.items():
            self.status_filter.addItem(label, code)
        self.category_filter = QComboBox(self)
        self.category_filter.addItem(tr("全部类别"), None)
        for code, entry in load_catalogue().items():
            self.category_filter.addItem(entry.short_name, code)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("countLabel")
        bar.addWidget(self.search, 2)
        bar.addWidget(QLabel(tr("状态"), self))
        bar.addWidget(self.status_filter)
        bar.addWidget(QLabel(tr("类别"), self))
        bar.addWidget(self.category_filter)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("actionRow")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.setStyleSheet(ACTION_ROW_STYLE)
        self.print_bar = QToolBar(self)
        self.print_bar.setObjectName("printBar")
        self.print_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.print_bar.setMovable(False)
        self.print_bar.setFloatable(False)
        self.print_bar.setStyleSheet(ACTION_ROW_STYLE.replace("actionRow", "printBar"))
        self.print_bar.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.print_action = QAction(tr("打印公示(&D)…"), self)
        self.print_action.setObjectName("printNotice")
        self.print_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_action.triggered.connect(self._print_selected)
        self._update_print_action()
        self.title_row.addWidget(self.print_bar, 0)  # top right, beside the page title: never folded away
        layout.addWidget(self.toolbar)
        self._tail_actions = [self.print_action]
        self._pinned: list[QAction] = [self.print_action]
        self._context_only: list[QAction] = []
        self.start = GettingStarted(self)
        self.start.setVisible(False)
        layout.addWidget(self.start)

        self.model = DisclosureTableModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("disclosuresView")
        configure_table(self.view)
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setItemDelegateForColumn(DisclosureTableModel.STATUS, StatusPillDelegate(self.view))
        header = self.view.horizontalHeader()
        for column, width in LIST_COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(DisclosureTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        header.setStretchLastSection(False)
        self.detail = DisclosureDetailPane(self)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("disclosuresSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([360, 420])
        layout.addWidget(self.splitter, 1)

        self.search.search_changed.connect(lambda _text: self.refresh())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.category_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.selection_changed.connect(self._remember_selection)
        self._rebuild_action_row([])
        self._refresh_pending = False
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(0)
        self._reload.timeout.connect(self.refresh)
        tasks.changed.connect(self._on_changed)

    # --- hooks for other UI packages ---------------------------------------
    def add_actions(self, actions: Iterable[QAction | None]) -> None:
        """Put actions (None = a separator) on the action row and in the list's context menu; 预览张贴稿 and
        打印公示 go on the pinned print bar instead (always visible, whatever the window's width)."""
        self._rebuild_action_row(list(actions))

    def add_context_actions(self, actions: Iterable[QAction]) -> None:
        """Actions offered in the list's context menu only (not on the crowded action row)."""
        self._context_only.extend(actions)
        self._rebuild_action_row([])

    def _rebuild_action_row(self, new: list[QAction | None]) -> None:
        for action in new:
            if action is not None and action.objectName() in PINNED_ACTION_NAMES and action not in self._pinned:
                self._pinned.insert(len(self._pinned) - 1, action)  # before 打印公示
        new = [a for a in new if a is None or a not in self._pinned]
        current = [None if a.isSeparator() else a for a in self.toolbar.actions()]
        head = [*current, *([None] if current and new else []), *new]
        while head and head[-1] is None:
            head.pop()
        self.toolbar.clear()
        self.print_bar.clear()
        for action in self.view.actions():
            self.view.removeAction(action)
            if action.isSeparator():
                action.deleteLater()
        menu = [*head, *([None] if head else []), *self._pinned,
                *([None, *self._context_only] if self._context_only else [])]
        for action in head:
            if action is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(action)
        for action in self._pinned:
            self.print_bar.addAction(action)
        for action in menu:
            self.view.addAction(_separator(self.view) if action is None else action)

    def set_print_handler(self, handler: Callable[[str], None] | None) -> None:
        """Enable 打印公示 (Ctrl+P) for printable notices; `handler(disclosure_id)` does the printing."""
        self._print_handler = handler
        self._update_print_action()

    def set_village_scope(self, village_ids: Iterable[str]) -> None:
        """List only notices concerning these villages and show only their line items (村级用户);
        empty = everything. Takes effect at the next `refresh()`."""
        self.village_scope = tuple(village_ids)

    def selected_row(self):
        """The selected notice's `DisclosureRow`, or None."""
        return self._selected_row

    def _remember_selection(self, row) -> None:
        self._selected_row = row
        self._update_print_action()

    def _update_print_action(self) -> None:
        row = self._selected_row
        if self._print_handler is None:
            self.print_action.setEnabled(False)
            self.print_action.setToolTip(tr("打印功能尚未安装。"))
        elif row is None or row.status not in PRINTABLE_STATUSES:
            self.print_action.setEnabled(False)
            self.print_action.setToolTip(tr("审核通过后才能打印公示（草稿、待审核和已撤回的公示不能打印）。"))
        else:
            self.print_action.setEnabled(True)
            self.print_action.setToolTip(tr("打印所选公示的张贴海报（Ctrl+P）"))

    def _print_selected(self) -> None:
        row = self._selected_row
        if self._print_handler is not None and row is not None and row.status in PRINTABLE_STATUSES:
            self._print_handler(row.id)

    # --- page protocol ----------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh(self) -> None:
        """Reload the list with the current filters, keeping the selected notice if it is still listed."""
        if self.tasks.actor is None:  # nobody signed in yet: load once someone is
            self._refresh_pending = True
            QTimer.singleShot(0, self._retry_refresh)
            return
        self._refresh_pending = False
        self._list_generation += 1
        generation = self._list_generation
        keep = self.selected_id()
        status, category, search = self.status_filter.currentData(), self.category_filter.currentData(), self.search.text().strip()
        self.count_label.setText(tr("正在载入…"))
        self.tasks.run_op(list_notices, status=status, category=category, search=search or None,
                          village_ids=self.village_scope or None,
                          on_success=lambda rows: self._show_rows(generation, rows, keep), owner=self)

    def _retry_refresh(self) -> None:
        if self._refresh_pending and self.tasks.actor is not None:
            self.refresh()

    def schedule_refresh(self) -> None:
        """Reload soon, once however many changes arrive in this turn of the event loop."""
        self._reload.start()

    def _on_changed(self, changes) -> None:
        if changes.touches(*RELOAD_ON):
            self.schedule_refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self._retry_refresh()

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("disclosures/splitter", self.splitter.saveState())
        settings.setValue("disclosures/header", self.view.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        splitter = settings.value("disclosures/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = settings.value("disclosures/header")
        if header is not None:
            self.view.horizontalHeader().restoreState(header)

    # --- list -------------------------------------------------------------
    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(IdRole) if rows else None

    def select_disclosure(self, disclosure_id: str) -> bool:
        """Select a notice by id (after the list has loaded); False if it is not listed."""
        row = self.model.row_of_id(disclosure_id)
        if row < 0:
            self._pending_select = disclosure_id
            return False
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))
        return True

    def reveal(self, disclosure_id: str) -> None:
        """Reload the list and select `disclosure_id`, first clearing filters that could hide it."""
        self._pending_select = disclosure_id
        combos = (self.status_filter, self.category_filter)
        for widget in (self.search, *combos):
            widget.blockSignals(True)
        self.search.clear()
        for combo in combos:
            combo.setCurrentIndex(0)
        for widget in (self.search, *combos):
            widget.blockSignals(False)
        self.schedule_refresh()

    def _show_rows(self, generation: int, rows, keep: str | None) -> None:
        if generation != self._list_generation:
            return  # a newer filter superseded this result
        keep = self.selected_id() or keep  # the user may have picked another notice while the list was loading
        self.model.set_rows(rows)
        filtered = any((self.status_filter.currentData(), self.category_filter.currentData(), self.search.text().strip()))
        self.count_label.setText((tr("找到 {n} 条") if filtered else tr("共 {n} 条")).format(n=len(rows)))
        self.start.setVisible(not rows and not filtered)
        self.start.set_can_create(bool(self.tasks.actor and self.tasks.actor.can("edit")),
                                  getattr(self.tasks.actor, "role_label", ""))
        wanted = self._pending_select or keep or (rows[0].id if rows else None)
        self._pending_select = None
        if not (wanted and self.select_disclosure(wanted)):
            self._pending_select = None
            self.detail.show_placeholder()
            self.selection_changed.emit(None)
        self.list_loaded.emit(len(rows))

    # --- detail -----------------------------------------------------------
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        disclosure_id = self.selected_id()
        if disclosure_id is None:
            self.detail.show_placeholder()
            self.selection_changed.emit(None)
            return
        self.selection_changed.emit(self.model.row_at(self.model.row_of_id(disclosure_id)))
        self.load_detail(disclosure_id)

    def load_detail(self, disclosure_id: str) -> None:
        self._detail_generation += 1
        generation = self._detail_generation
        scope = self.village_scope or None
        self.tasks.run_op(load_notice, disclosure_id, page_size=self.page_size, village_ids=scope,
                          on_success=lambda page: self._show_detail(generation, scope, page), owner=self)

    def _show_detail(self, generation: int, scope, page) -> None:
        if generation != self._detail_generation:
            return
        detail = page.detail
        self.detail.show_detail(detail, page.total, page.first_page, self._page_loader(detail.id, scope),
                                village_part=page.village_part)
        self.detail_loaded.emit(detail.id)

    def _page_loader(self, disclosure_id: str, village_ids: tuple[str, ...] | None = None):
        """Fetch one page of items on the UI thread through the read op: a short indexed read (a few ms per 500 rows)."""
        tasks = self.tasks

        def load(offset: int, limit: int):
            return item_page(tasks.database, tasks.actor, disclosure_id, offset, limit, village_ids=village_ids)

        return load


def _separator(parent: QWidget) -> QAction:
    action = QAction(parent)
    action.setSeparator(True)
    return action
