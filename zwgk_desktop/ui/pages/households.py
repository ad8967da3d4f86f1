"""The 户籍台账 page: the township's households with search (name / ID number / village) and a village filter.

The count and the first page come from `ops.households.list_households`
run on the worker pool (`tasks.run_op`); later pages are fetched by the lazy
model as the user scrolls (`ops.households.households_page`, called by the
model on the UI thread: one bounded page at a time). ID and phone numbers
are masked. `set_village_scope(ids)` (a 村级用户's villages; empty = every
village) keeps the list, the count and the village filter to those villages
and says so under the title; the ops narrow to the acting user's villages in
any case. The page reloads after a write that changes households or
villages (`tasks.changed`).
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from zwgk_desktop.core.households import HouseholdQuery
from zwgk_desktop.ops import households as household_ops
from zwgk_desktop.ops.households import HouseholdListing
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.pages.disclosures import configure_table
from zwgk_desktop.ui.table_models import DEFAULT_PAGE_SIZE, HouseholdTableModel
from zwgk_desktop.ui.widgets import SearchBox, fill_village_combo

COLUMN_WIDTHS = {
    HouseholdTableModel.HEAD: 120, HouseholdTableModel.VILLAGE: 110, HouseholdTableModel.GROUP: 70,
    HouseholdTableModel.ID_NUMBER: 190, HouseholdTableModel.MEMBERS: 80, HouseholdTableModel.PHONE: 140,
    HouseholdTableModel.HELPER: 110, HouseholdTableModel.NOTICES: 90,
}


class HouseholdsPage(QWidget):
    """户籍台账: searchable, lazily paged household list."""

    list_loaded = Signal(int)

    def __init__(self, database, tasks, parent: QWidget | None = None, *, page_size: int = DEFAULT_PAGE_SIZE):
        super().__init__(parent)
        self.setObjectName("page")
        self.database, self.tasks, self.page_size = database, tasks, page_size
        self._generation = 0
        self._villages_loaded = False
        self._loaded_once = False
        self.village_scope: tuple[str, ...] = ()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        title = QLabel(tr("户籍台账"), self)
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.scope_label = QLabel("", self)
        self.scope_label.setObjectName("muted")
        self.scope_label.hide()
        layout.addWidget(self.scope_label)
        bar = QHBoxLayout()
        self.search = SearchBox(tr("搜索户主姓名、身份证号码或村名（Ctrl+F）"), self)
        self.search.setMinimumWidth(340)
        self.village_filter = QComboBox(self)
        self.village_filter.addItem(tr("全部村（社区）"), None)
        self.village_filter.setMinimumWidth(140)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("countLabel")
        bar.addWidget(self.search, 2)
        bar.addWidget(QLabel(tr("村（社区）"), self))
        bar.addWidget(self.village_filter)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)

        self.model = HouseholdTableModel(self, page_size=page_size)
        self.view = QTableView(self)
        self.view.setObjectName("householdsView")
        configure_table(self.view)
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        layout.addWidget(self.view, 1)
        note = QLabel(tr("身份证号码、联系电话按统一规则隐去中间位；完整信息请在户籍详情中查看。"), self)
        note.setObjectName("muted")
        layout.addWidget(note)

        self.search.search_changed.connect(lambda _text: self.refresh())
        self.village_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.model.rowsInserted.connect(self._update_count)
        tasks.changed.connect(self._on_changed)

    def _on_changed(self, changes) -> None:
        """Households or villages changed (an import, the demo, a sync): reload if the page was shown."""
        if self._loaded_once and changes.touches("households", "villages"):
            self._villages_loaded = not changes.touches("villages") and self._villages_loaded
            self.refresh()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def current_query(self) -> HouseholdQuery:
        return HouseholdQuery(
            search=self.search.text(), village_id=self.village_filter.currentData(),
            village_ids=self.village_scope or None,
        )

    def set_village_scope(self, village_ids: Iterable[str]) -> None:
        """Show only these villages' households and offer only them in the filter (村级用户); empty = all.
        Reloads at once if the page has been shown."""
        scope = tuple(village_ids)
        if scope == self.village_scope:
            return
        self.village_scope = scope
        self._villages_loaded = False
        self.village_filter.blockSignals(True)
        self.village_filter.clear()
        self.village_filter.addItem(self._all_villages_text(), None)
        self.village_filter.blockSignals(False)
        self.scope_label.setVisible(bool(scope))
        self.scope_label.setText("")
        if self._loaded_once:
            self.refresh()

    def _all_villages_text(self) -> str:
        return tr("所辖全部村（社区）") if self.village_scope else tr("全部村（社区）")

    def refresh(self) -> None:
        self._loaded_once = True
        self._generation += 1
        generation = self._generation
        query = self.current_query()
        self.count_label.setText(tr("正在载入…"))
        self.tasks.run_op(household_ops.list_households, query, self.page_size,
                          with_villages=not self._villages_loaded,
                          on_success=lambda listing: self._show(generation, query, listing), owner=self)

    def _show(self, generation: int, query: HouseholdQuery, listing: HouseholdListing) -> None:
        if generation != self._generation:
            return  # a newer search or scope superseded this result
        if listing.villages is not None and not self._villages_loaded:
            self._fill_villages(listing.villages)
        self.model.reset(listing.total, self._page_loader(query), list(listing.rows))
        self._update_count()
        self.list_loaded.emit(listing.total)

    def _fill_villages(self, villages) -> None:
        """The filter's choices: every village, or only the user's (a single one needs no 全部 entry)."""
        self._villages_loaded = True
        fill_village_combo(self.village_filter, villages, self._all_villages_text(), bool(self.village_scope))
        if self.village_scope:
            names = "、".join(v.name for v in villages) or tr("（无）")
            self.scope_label.setText(tr("您是村级用户，只显示您负责的村（社区）的户：{names}").format(names=names))

    def _update_count(self, *_args) -> None:
        total, loaded = self.model.total, self.model.rowCount()
        text = tr("共 {n} 户").format(n=f"{total:,}")
        if loaded < total:
            text += tr("（已载入 {n}）").format(n=f"{loaded:,}")
        self.count_label.setText(text)

    def _page_loader(self, query: HouseholdQuery):
        tasks = self.tasks
        database, actor = tasks.database, tasks.actor  # the user the list was loaded for

        def load(offset: int, limit: int):
            return household_ops.households_page(database, actor, query, offset, limit)

        return load

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("households/header", self.view.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        header = settings.value("households/header")
        if header is not None:
            self.view.horizontalHeader().restoreState(header)
