"""The 明白卡 page: choose households (or service items), year and layout; preview; print or save as PDF.

Tab 1 "打印明白卡": on the left the kind of card (惠民政策资金明白卡 /
为民服务事项明白卡) and what to print — households filtered by village, group,
policy received this year and name (multi-select; "本村全部户"; print all
filtered or only the selected), or a checklist of service items; on the right
year, layout (A4 单张 / A5 一纸两张 / A6 一纸四张带裁切线 / A4 横向三折页),
a preview of the first sheets rendered off the UI thread (re-rendered a
moment after any change), and 打印… / 另存为 PDF…, which render the whole
batch with progress and 取消 (5,000 households) and record a PrintedVersion.
A cancelled batch leaves no file (the services write atomically).
Tab 2 "为民服务事项目录": `ServiceItemsEditor`.
Every read and write is an op of `ops.cards` run through the window's
TaskManager (`tasks.run_op`, the inline strip for long work): the household
list and page data on the worker pool, cards rendered there outside any
session, the print recorded on the database thread as the signed-in user.
By default only households with something to say this year are printed.

Village scope (村级用户): `set_village_scope(ids)` (empty = every village)
keeps the village choice, the household list and the printed batch to those
villages; the service refuses any other village's household. The main
window sets the scope when the page is added and after every 切换用户.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from html import escape
from pathlib import Path
from typing import Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.household_policies import ANY_POLICY, CardFilter, CardHousehold, VillageChoice, card_categories
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.ops import cards as card_ops
from zwgk_desktop.ops.cards import HOUSEHOLD, SERVICE, CardRequest, PageData
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.printing.pdfview import PdfPreview
from zwgk_desktop.ui.printing.poster_dialog import short_sha
from zwgk_desktop.ui.printing.progress import Banner, JobStrip, is_cancel, show_final_failure
from zwgk_desktop.ui.printing.service_items_editor import ServiceItemsEditor
from zwgk_desktop.ui.tasks import error_message
from zwgk_desktop.ui.widgets import SearchBox, fill_village_combo, muted_label, radio_choice

PREVIEW_SHEETS = 2
PREVIEW_DEBOUNCE_MS = 400
FILTER_DEBOUNCE_MS = 150


def layout_is_landscape(layout: str) -> bool:
    from zwgk_desktop.services.printing.cards_layout import card_layout

    sheet = card_layout(layout)
    return sheet.sheet_width > sheet.sheet_height


# --- the household list ----------------------------------------------------------------


class CardHouseholdModel(QAbstractTableModel):
    """The filtered households: 户主, 村, 组, 人口, 本年享受政策."""

    HEAD, VILLAGE, GROUP, MEMBERS, POLICIES = range(5)
    HEADERS = ("户主", "村（社区）", "组", "人口", "本年享受政策")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[CardHousehold] = []
        self.category_names = dict(card_categories())

    def set_rows(self, rows: list[CardHousehold]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt name)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == self.HEAD:
                return row.head_name
            if column == self.VILLAGE:
                return row.village
            if column == self.GROUP:
                return row.group
            if column == self.MEMBERS:
                return row.members
            return "、".join(self.category_names.get(c, c) for c in row.categories) or "—"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == self.MEMBERS:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None


# --- the page ------------------------------------------------------------------------------


class CardsPage(QWidget):
    """明白卡: choose, preview, print / save; plus the service-item catalogue editor."""

    households_loaded = Signal(int)
    preview_ready = Signal(object)  # CardsResult of the preview
    saved = Signal(object)  # CardsResult of 另存为 PDF
    printed = Signal(object)  # CardsResult after the pages went to the printer
    failed = Signal(str)

    def __init__(self, database, config, tasks, parent: QWidget | None = None, *, status_bar=None):
        super().__init__(parent)
        self.setObjectName("page")
        self.database, self.config, self.tasks = database, config, tasks
        self.status_bar = status_bar
        self.data: PageData | None = None
        self.last_result = None
        self.preview_result = None
        self._filter_generation = 0
        self._temp = Path(tempfile.mkdtemp(prefix="zwgk-cards-"))
        self._serial = 0
        self._printer = None
        self._final_running = False
        self._previewed: CardRequest | None = None
        self.village_scope: tuple[str, ...] = ()  # set by the main window (`set_village_scope`)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self.render_preview)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self.reload_households)
        self._build()
        temp = self._temp
        self.destroyed.connect(lambda *_: shutil.rmtree(temp, ignore_errors=True))

    # --- layout ------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)
        title = QLabel(tr("明白卡"), self)
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        print_tab = QWidget(self.tabs)
        self.editor = ServiceItemsEditor(self.database, self.config, self.tasks, self.tabs)
        self.editor.changed.connect(self.reload_services)
        self.tabs.addTab(print_tab, tr("打印明白卡(&1)"))
        self.tabs.addTab(self.editor, tr("为民服务事项目录(&2)"))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        outer.addWidget(self.tabs, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, print_tab)
        splitter.setChildrenCollapsible(False)
        tab_layout = QVBoxLayout(print_tab)
        tab_layout.setContentsMargins(0, 10, 0, 0)
        tab_layout.addWidget(splitter)
        splitter.addWidget(self._build_chooser(splitter))
        splitter.addWidget(self._build_output(splitter))
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 700])
        self.splitter = splitter

    def _build_chooser(self, parent: QWidget) -> QWidget:
        panel = QWidget(parent)
        panel.setMinimumWidth(440)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(8)
        kind_box = QGroupBox(tr("卡片种类"), panel)
        _row, self.kind_group, (self.household_radio, self.service_radio) = radio_choice(
            self, kind_box, [tr("惠民政策资金明白卡(&H)"), tr("为民服务事项明白卡(&F)")]
        )
        self.kind_group.buttonToggled.connect(self._on_kind_toggled)
        layout.addWidget(kind_box)

        self.chooser_stack = QStackedWidget(panel)
        self.chooser_stack.addWidget(self._build_household_chooser(self.chooser_stack))
        self.chooser_stack.addWidget(self._build_service_chooser(self.chooser_stack))
        layout.addWidget(self.chooser_stack, 1)
        return panel

    def _build_household_chooser(self, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.village_combo = QComboBox(box)
        self.group_combo = QComboBox(box)
        self.policy_combo = QComboBox(box)
        self.search = SearchBox(tr("按户主姓名查找"), box)
        self.village_combo.addItem(tr("全部村（社区）"), None)
        self.group_combo.addItem(tr("全部组"), None)
        self.policy_combo.addItem(tr("全部户"), None)
        self.policy_combo.addItem(tr("享受任一政策的户"), ANY_POLICY)
        for code, name in card_categories():
            self.policy_combo.addItem(tr("享受{name}的户").format(name=name), code)
        self.all_village_button = QPushButton(tr("本村全部户(&A)"), box)
        self.all_village_button.setToolTip(tr("清除组、政策和姓名条件，打印所选村的全部户"))
        self.all_village_button.clicked.connect(self.choose_whole_village)
        for column, (label, widget) in enumerate(((tr("村(&C)"), self.village_combo), (tr("组(&G)"), self.group_combo))):
            title = QLabel(label, box)
            title.setBuddy(widget)
            grid.addWidget(title, 0, column * 2)
            grid.addWidget(widget, 0, column * 2 + 1)
        policy_label = QLabel(tr("政策(&Z)"), box)
        policy_label.setBuddy(self.policy_combo)
        grid.addWidget(policy_label, 1, 0)
        grid.addWidget(self.policy_combo, 1, 1)
        grid.addWidget(self.search, 1, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)
        self.scope_note = muted_label(tr("您是村级用户：只列出、只能打印您负责的村（社区）的户。"), box)
        self.scope_note.setVisible(bool(self.village_scope))
        layout.addWidget(self.scope_note)
        row = QHBoxLayout()
        row.addWidget(self.all_village_button)
        row.addStretch(1)
        self.household_count = QLabel("", box)
        self.household_count.setObjectName("countLabel")
        row.addWidget(self.household_count)
        layout.addLayout(row)

        self.household_model = CardHouseholdModel(self)
        self.household_view = QTableView(box)
        self.household_view.setObjectName("cardHouseholds")
        self.household_view.setModel(self.household_model)
        self.household_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.household_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.household_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.household_view.setAlternatingRowColors(True)
        self.household_view.setShowGrid(False)
        self.household_view.verticalHeader().hide()
        self.household_view.verticalHeader().setDefaultSectionSize(28)
        header = self.household_view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        for column, width in ((0, 86), (1, 92), (2, 60), (3, 48)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(CardHouseholdModel.POLICIES, QHeaderView.ResizeMode.Stretch)
        self.household_view.selectionModel().selectionChanged.connect(self._on_households_selected)
        layout.addWidget(self.household_view, 1)

        scope_row, self.scope_group, (self.scope_all, self.scope_selected) = radio_choice(
            self, None, [tr("打印筛选出的全部户(&L)"), tr("只打印选中的户(&X)")]
        )
        self.scope_group.buttonToggled.connect(lambda _b, checked: checked and self._changed())
        layout.addLayout(scope_row)
        hint = QLabel(tr("按住 Ctrl 或 Shift 可选多户，Ctrl+A 全选。"), box)
        hint.setObjectName("muted")
        layout.addWidget(hint)

        self.village_combo.currentIndexChanged.connect(self._on_village_changed)
        self.group_combo.currentIndexChanged.connect(lambda _i: self._filter_timer.start())
        self.policy_combo.currentIndexChanged.connect(lambda _i: self._filter_timer.start())
        self.search.search_changed.connect(lambda _t: self._filter_timer.start())
        return box

    def _build_service_chooser(self, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        lead = muted_label(tr("勾选要印的事项（每个事项一张卡）。内容在“为民服务事项目录”页修改。"), box)
        layout.addWidget(lead)
        self.service_list = QListWidget(box)
        self.service_list.setObjectName("serviceChecklist")
        self.service_list.setStyleSheet(
            "QListWidget#serviceChecklist { border: 1px solid #dde1e7; border-radius: 6px; }"
            "QListWidget#serviceChecklist::item { padding: 6px 4px; }"
        )
        self.service_list.itemChanged.connect(lambda _item: self._changed())
        layout.addWidget(self.service_list, 1)
        row = QHBoxLayout()
        check_all = QPushButton(tr("全选(&Q)"), box)
        check_none = QPushButton(tr("全不选(&B)"), box)
        check_all.clicked.connect(lambda: self._check_all_services(True))
        check_none.clicked.connect(lambda: self._check_all_services(False))
        row.addWidget(check_all)
        row.addWidget(check_none)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _build_output(self, parent: QWidget) -> QWidget:
        panel = QWidget(parent)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(8)
        options = QHBoxLayout()
        options.setSpacing(8)
        self.year_spin = QSpinBox(panel)
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(date.today().year)
        self.year_spin.setKeyboardTracking(False)
        self.layout_combo = QComboBox(panel)
        from zwgk_desktop.services.printing.cards_layout import LAYOUT_KEYS, LAYOUT_LABELS

        for key in LAYOUT_KEYS:
            self.layout_combo.addItem(tr(LAYOUT_LABELS[key]), key)
        self.only_beneficiaries = QCheckBox(tr("只打印本年度享受政策的户(&O)"), panel)
        self.only_beneficiaries.setChecked(True)  # a card with nothing to say is not printed by default
        self.only_beneficiaries.setToolTip(tr("取消勾选可同时打印本年度没有已公示政策资金的户（卡上写“本年度暂无”）"))
        self.only_beneficiaries.toggled.connect(lambda _checked: self._changed())
        year_label = QLabel(tr("年度(&Y)"), panel)
        year_label.setBuddy(self.year_spin)
        layout_label = QLabel(tr("版式(&K)"), panel)
        layout_label.setBuddy(self.layout_combo)
        options.addWidget(year_label)
        options.addWidget(self.year_spin)
        options.addSpacing(8)
        options.addWidget(layout_label)
        options.addWidget(self.layout_combo)
        options.addSpacing(8)
        options.addWidget(self.only_beneficiaries)
        options.addStretch(1)
        layout.addLayout(options)

        actions = QHBoxLayout()
        self.summary_label = muted_label("", panel)
        self.print_button = QPushButton(tr("打印(&P)…"), panel)
        self.print_button.setMinimumHeight(34)
        self.print_button.setMinimumWidth(110)
        self.print_button.setStyleSheet(
            "QPushButton { background: #1f6feb; color: white; border: none; border-radius: 6px; font-weight: 600; padding: 0 16px; }"
            "QPushButton:disabled { background: #a9c2ea; }"
        )
        self.save_button = QPushButton(tr("另存为 PDF(&S)…"), panel)
        self.save_button.setMinimumHeight(34)
        self.print_button.clicked.connect(self.ask_and_print)
        self.save_button.clicked.connect(self.ask_and_save)
        actions.addWidget(self.summary_label, 1)
        actions.addWidget(self.save_button)
        actions.addWidget(self.print_button)
        layout.addLayout(actions)

        self.strip = JobStrip(panel)
        self.glyph_banner = Banner(panel)
        self.result_banner = Banner(panel)
        layout.addWidget(self.strip)
        layout.addWidget(self.glyph_banner)
        layout.addWidget(self.result_banner)
        preview_frame = QFrame(panel)
        preview_frame.setObjectName("previewFrame")
        preview_frame.setStyleSheet("QFrame#previewFrame { border: 1px solid #dde1e7; border-radius: 6px; }")
        frame_layout = QVBoxLayout(preview_frame)
        frame_layout.setContentsMargins(8, 6, 8, 8)
        self.preview_label = QLabel(tr("预览"), preview_frame)
        self.preview_label.setStyleSheet("font-weight: 600; color: #39424e;")
        frame_layout.addWidget(self.preview_label)
        self.viewer = PdfPreview(self.tasks, preview_frame)
        frame_layout.addWidget(self.viewer, 1)
        layout.addWidget(preview_frame, 1)

        self.year_spin.valueChanged.connect(lambda _v: self._filter_timer.start())
        self.layout_combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.only_beneficiaries.toggled.connect(lambda _c: self._changed())
        return panel

    # --- page protocol -------------------------------------------------------------
    def set_village_scope(self, village_ids: Iterable[str]) -> None:
        """Offer and print only these villages' households (村级用户); empty = every village.
        Reloads at once if the page has loaded."""
        scope = tuple(village_ids)
        if scope == self.village_scope:
            return
        self.village_scope = scope
        self.scope_note.setVisible(bool(scope))
        self.village_combo.blockSignals(True)
        self.village_combo.clear()
        self.village_combo.addItem(self._all_villages_text(), None)
        self.village_combo.blockSignals(False)
        self._filter_generation += 1  # a list still loading for the previous scope is dropped
        self.household_model.set_rows([])
        self._update_count()
        if self.data is not None:
            self.refresh()

    def _scope_ids(self) -> tuple[str, ...] | None:
        return self.village_scope or None

    def _all_villages_text(self) -> str:
        return tr("所辖全部村（社区）") if self.village_scope else tr("全部村（社区）")

    def refresh(self) -> None:
        """Load villages, service items and years, then the household list (F5)."""
        scope = self._scope_ids()
        self.tasks.run_op(card_ops.card_page_data, self.config, scope,
                          on_success=lambda data: self._show_page_data(data, scope), on_failure=self._show_failure,
                          owner=self)
        if self.tabs.currentWidget() is self.editor:
            self.editor.refresh()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.editor and not self.editor.rows:
            self.editor.refresh()

    def _show_page_data(self, data: PageData, scope: tuple[str, ...] | None = None) -> None:
        if scope != self._scope_ids():
            return  # loaded for a user who has since switched; the new scope's load follows
        first_load = self.data is None
        self.data = data
        self._fill_villages(data.villages)
        self._fill_groups()
        if first_load and data.years and date.today().year not in data.years:
            self.year_spin.blockSignals(True)
            self.year_spin.setValue(max(y for y in data.years if y <= date.today().year) if any(
                y <= date.today().year for y in data.years) else data.years[-1])
            self.year_spin.blockSignals(False)
        self._fill_services(data.services)
        self.reload_households()

    def _fill_villages(self, villages: list[VillageChoice]) -> None:
        """Every village, or only the user's (a single one is chosen outright, with no 全部 entry)."""
        fill_village_combo(self.village_combo, villages, self._all_villages_text(), bool(self.village_scope))

    def _fill_groups(self) -> None:
        keep = self.group_combo.currentData()
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        self.group_combo.addItem(tr("全部组"), None)
        village = self._village_choice()
        for group in village.groups if village else ():
            self.group_combo.addItem(group, group)
        index = self.group_combo.findData(keep) if keep else 0
        self.group_combo.setCurrentIndex(max(0, index))
        self.group_combo.setEnabled(village is not None)
        self.group_combo.blockSignals(False)
        self.all_village_button.setEnabled(village is not None)

    def _fill_services(self, services: list[tuple[str, str]]) -> None:
        unchecked = {self.service_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.service_list.count())
                     if self.service_list.item(i).checkState() != Qt.CheckState.Checked}
        self.service_list.blockSignals(True)
        self.service_list.clear()
        for code, name in services:
            item = QListWidgetItem(name, self.service_list)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if code in unchecked else Qt.CheckState.Checked)
        self.service_list.blockSignals(False)

    def reload_services(self) -> None:
        self.tasks.run_op(card_ops.card_page_data, self.config, self._scope_ids(), on_success=lambda data: (
            setattr(self, "data", data), self._fill_services(data.services), self._changed()),
            on_failure=self._show_failure, owner=self)

    def _village_choice(self) -> VillageChoice | None:
        village_id = self.village_combo.currentData()
        if not village_id or self.data is None:
            return None
        return next((v for v in self.data.villages if v.id == village_id), None)

    # --- choosing households ---------------------------------------------------------
    def current_filter(self) -> CardFilter:
        return CardFilter(
            year=self.year_spin.value(), village_id=self.village_combo.currentData(),
            group=self.group_combo.currentData(), category=self.policy_combo.currentData(),
            search=self.search.text().strip(), village_ids=self._scope_ids(),
        )

    def set_village(self, name: str) -> bool:
        """Pick a village by name (as the combo box does); False if there is no such village."""
        index = self.village_combo.findText(name)
        if index < 0:
            return False
        self.village_combo.setCurrentIndex(index)
        return True

    def _on_village_changed(self, _index: int) -> None:
        self._fill_groups()
        self._filter_timer.start()

    def choose_whole_village(self) -> None:
        """本村全部户: keep the village, clear the other conditions, print everyone listed."""
        for combo in (self.group_combo, self.policy_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.scope_all.setChecked(True)
        self.reload_households()

    def reload_households(self) -> None:
        self._filter_timer.stop()
        self._filter_generation += 1
        generation = self._filter_generation
        wanted = self.current_filter()
        self.household_count.setText(tr("正在查找…"))
        self.tasks.run_op(card_ops.find_card_households, wanted,
                          on_success=lambda rows: self._show_households(generation, rows),
                          on_failure=self._show_failure, owner=self)

    def _show_households(self, generation: int, rows: list[CardHousehold]) -> None:
        if generation != self._filter_generation:
            return
        self.household_model.set_rows(rows)
        self.scope_all.setChecked(True)
        self._update_count()
        self.households_loaded.emit(len(rows))
        self._changed()

    def _on_households_selected(self, *_args) -> None:
        selected = len(self.household_view.selectionModel().selectedRows())
        (self.scope_selected if selected else self.scope_all).setChecked(True)
        self._update_count()
        self._changed()

    def _update_count(self) -> None:
        total = len(self.household_model.rows)
        selected = len(self.household_view.selectionModel().selectedRows())
        text = tr("共 {n} 户").format(n=f"{total:,}")
        if selected:
            text += tr("，已选 {m} 户").format(m=f"{selected:,}")
        self.household_count.setText(text)
        self.scope_selected.setEnabled(selected > 0)

    def select_households(self, ids: list[str]) -> None:
        """Select these rows of the list (as Ctrl+click does)."""
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        wanted = set(ids)
        selection = QItemSelection()
        for row, household in enumerate(self.household_model.rows):
            if household.id in wanted:
                selection.select(self.household_model.index(row, 0),
                                 self.household_model.index(row, self.household_model.columnCount() - 1))
        self.household_view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def chosen_households(self) -> list[CardHousehold]:
        rows = self.household_model.rows
        if self.scope_selected.isChecked():
            picked = sorted(index.row() for index in self.household_view.selectionModel().selectedRows())
            rows = [rows[i] for i in picked]
        return rows

    def _check_all_services(self, checked: bool) -> None:
        self.service_list.blockSignals(True)
        for i in range(self.service_list.count()):
            self.service_list.item(i).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.service_list.blockSignals(False)
        self._changed()

    def _on_kind_toggled(self, _button, checked: bool) -> None:
        if not checked:
            return
        service = self.service_radio.isChecked()
        self.chooser_stack.setCurrentIndex(1 if service else 0)
        self.only_beneficiaries.setEnabled(not service)
        self.year_spin.setEnabled(not service)
        self._changed()

    # --- the request ---------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return SERVICE if self.service_radio.isChecked() else HOUSEHOLD

    @property
    def layout_key(self) -> str:
        return self.layout_combo.currentData()

    def set_layout(self, key: str) -> None:
        self.layout_combo.setCurrentIndex(max(0, self.layout_combo.findData(key)))

    def current_request(self, limit: int | None = None) -> CardRequest | None:
        """What 打印 would print (or, with `limit`, the first cards of it for the preview); None if nothing."""
        layout = self.layout_key
        if self.kind == SERVICE:
            codes = [self.service_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.service_list.count())
                     if self.service_list.item(i).checkState() == Qt.CheckState.Checked]
            if not codes:
                return None
            return CardRequest(SERVICE, layout, self.year_spin.value(), service_codes=tuple(codes[:limit] if limit else codes),
                               scope=tr("{n} 个服务事项").format(n=len(codes)), village_ids=self._scope_ids())
        rows = self.chosen_households()
        only = self.only_beneficiaries.isChecked()
        if only:
            rows = [r for r in rows if r.categories]
        if not rows:
            return None
        ids = tuple(r.id for r in rows)
        return CardRequest(HOUSEHOLD, layout, self.year_spin.value(), household_ids=ids[:limit] if limit else ids,
                           only_with_policies=only, scope=tr("{n} 户").format(n=f"{len(ids):,}"),
                           village_ids=self._scope_ids())

    def _preview_limit(self) -> int:
        from zwgk_desktop.services.printing.cards_layout import card_layout

        sheet = card_layout(self.layout_key)
        return PREVIEW_SHEETS if sheet.card_per_sheet else sheet.slots_per_sheet * PREVIEW_SHEETS

    def _changed(self) -> None:
        """Something that changes the output changed: update the summary and re-render the preview soon."""
        request = self.current_request()
        if request is None:
            self.summary_label.setText(tr("没有要打印的卡：请选择户或勾选服务事项。"))
        else:
            kind = tr("惠民政策资金明白卡") if request.kind == HOUSEHOLD else tr("为民服务事项明白卡")
            self.summary_label.setText(tr("将打印：{kind}，{scope}，{layout}").format(
                kind=kind, scope=request.scope, layout=self.layout_combo.currentText()))
        self.print_button.setEnabled(request is not None and not self.strip.busy)
        self.save_button.setEnabled(request is not None and not self.strip.busy)
        self._preview_timer.start()

    def _temp_pdf(self, stem: str) -> str:
        self._serial += 1
        return str(self._temp / f"{stem}-{self._serial}.pdf")

    # --- preview -------------------------------------------------------------------------
    def render_preview(self) -> None:
        """Render the first sheets of the current request (nothing recorded) and show them."""
        self._preview_timer.stop()
        if self.strip.busy and self._final_running:
            return  # never interrupt a batch for a preview; it re-renders when the batch ends
        request = self.current_request(limit=self._preview_limit())
        if request is None:
            self._previewed = None
            self.viewer.clear(tr("没有要预览的卡"))
            return
        if request == self._previewed and self.viewer.page_count:
            return  # already on screen (e.g. after a save)
        self.viewer.clear(tr("正在生成预览…"))
        self.tasks.run_op(
            card_ops.render_cards, self.config, request, self._temp_pdf("preview"), progress=self.strip,
            label=tr("正在生成预览…"), on_success=lambda result: self._show_preview(request, result),
            on_failure=self._preview_failed, owner=self,
        )

    def _show_preview(self, request: CardRequest, result) -> None:
        self._previewed = request
        self.preview_result = result
        total = self.current_request()
        count = len(total.household_ids or ()) if total and total.kind == HOUSEHOLD else len(
            total.service_codes or ()) if total else 0
        self.preview_label.setText(tr("预览：前 {c} 张卡（共 {n} 张），{p} 页").format(c=result.cards, n=f"{count:,}", p=result.pages))
        self._show_glyph_warning(result.missing_glyphs)
        self.viewer.load(result.path)
        self.preview_ready.emit(result)

    def _preview_failed(self, exc: BaseException) -> None:
        if is_cancel(exc):
            return
        self.viewer.clear(error_message(exc))
        self.failed.emit(error_message(exc))

    def _show_glyph_warning(self, chars: list[str]) -> None:
        if not chars:
            self.glyph_banner.clear_text()
            return
        shown = "、".join(f"“{escape(ch)}”(U+{ord(ch):04X})" for ch in chars)
        names = [r for r in self.chosen_households() if any(ch in r.head_name for ch in chars)] if self.kind == HOUSEHOLD else []
        text = tr("<b>有 {n} 个字没有内置字体可以打印</b>：{chars}，打印出来会是带框的问号，请核对后手写补正。").format(n=len(chars), chars=shown)
        if names:
            people = "；".join(f"<b>{escape(r.head_name)}</b>（{escape(r.village + r.group)}）" for r in names[:20])
            text += "<br>" + tr("涉及的户主：{p}").format(p=people)
        self.glyph_banner.show_text("danger", text)

    # --- save and print --------------------------------------------------------------------
    def ask_and_save(self) -> None:
        layout = self.layout_key
        suggested = Path.home() / tr("明白卡-{layout}.pdf").format(layout=layout)
        path, _filter = QFileDialog.getSaveFileName(self, tr("另存为 PDF"), str(suggested), tr("PDF 文件 (*.pdf)"))
        if path:
            self.save_pdf_to(path if path.lower().endswith(".pdf") else path + ".pdf")

    def save_pdf_to(self, path: str) -> Job | None:
        """Render the whole batch to `path` with progress and 取消; records a PrintedVersion."""
        return self._run_final(path, self._saved, tr("正在生成明白卡…"))

    def _run_final(self, out: str, done, label: str) -> Job | None:
        request = self.current_request()
        if request is None:
            self.result_banner.show_text("info", tr("没有要打印的卡：请选择户或勾选服务事项。"))
            return None
        self._preview_timer.stop()
        self._final_running = True
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.result_banner.clear_text()

        def rendered(result) -> None:  # drawn on the pool; now recorded on the database thread
            self.tasks.run_op(card_ops.record_cards_print, self.config, result, progress=self.strip,
                              label=tr("正在记入打印记录…"), on_success=done, on_failure=self._final_failed, owner=self)

        self.tasks.run_op(card_ops.render_cards, self.config, request, out, progress=self.strip, label=label,
                          on_success=rendered, on_failure=self._final_failed, owner=self)
        return self.strip.job

    def _final_done(self) -> None:
        self._final_running = False
        self._changed()

    def _saved(self, result) -> None:
        self.last_result = result
        self._final_done()
        self._show_glyph_warning(result.missing_glyphs)
        self.result_banner.show_text("success", tr("已生成 {c} 张明白卡，共 {p} 页，并记入打印记录。<br>文件：{f}<br>SHA-256：<b>{h}</b>").format(
            c=f"{result.cards:,}", p=f"{result.pages:,}", f=escape(result.path), h=short_sha(result.sha256)))
        self.result_banner.setToolTip(result.sha256)
        self._say(tr("明白卡已保存：{f}（SHA-256 {h}）").format(f=result.path, h=short_sha(result.sha256)))
        self.saved.emit(result)

    def _final_failed(self, exc: BaseException) -> None:
        self._final_done()
        message = show_final_failure(self.result_banner, exc, tr("已取消，没有生成文件，也没有打印。"))
        if message is not None:
            self.failed.emit(message)

    def make_printer(self):
        from zwgk_desktop.ui.printing.printer import new_printer

        return new_printer(tr("明白卡"), "A4", layout_is_landscape(self.layout_key))

    def ask_and_print(self) -> None:
        from zwgk_desktop.ui.printing.printer import ask_print_options

        printer = self.make_printer()
        if ask_print_options(printer, self, tr("打印明白卡")):
            self.print_to(printer)

    def print_to(self, printer) -> Job | None:
        """Render and record the whole batch, then send it to `printer` page by page."""
        self._printer = printer
        return self._run_final(self._temp_pdf("print"), lambda result: self._send_to_printer(result, printer),
                               tr("正在生成明白卡…"))

    def _send_to_printer(self, result, printer) -> None:
        from zwgk_desktop.ui.printing.printer import print_pdf

        self._final_running = True
        self.strip.start(
            self.tasks,
            lambda job: print_pdf(result.path, printer, job),
            lambda _pages: self._printed(result),
            self._final_failed,
            label=tr("正在发送到打印机…"),
            db=False,
        )

    def _printed(self, result) -> None:
        self.last_result = result
        self._final_done()
        self.result_banner.show_text("success", tr("已发送 {c} 张明白卡（{p} 页）到打印机，并记入打印记录。SHA-256：<b>{h}</b>").format(
            c=f"{result.cards:,}", p=f"{result.pages:,}", h=short_sha(result.sha256)))
        self._say(tr("明白卡已发送到打印机（{p} 页）").format(p=result.pages))
        self.printed.emit(result)

    def _say(self, text: str) -> None:
        if self.status_bar is not None:
            self.status_bar.showMessage(text, 10000)

    def _show_failure(self, exc: BaseException) -> None:
        message = error_message(exc)
        self.result_banner.show_text("danger", escape(message))
        self.failed.emit(message)
