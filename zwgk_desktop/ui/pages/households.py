"""The 户籍台账 page: the township's households with search (name / ID number / village) and a village filter.

The count and the first page load on the DB thread; later pages are fetched
by the lazy model as the user scrolls. ID and phone numbers are masked.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from zwgk_desktop.core.households import HouseholdQuery, count_households, household_page, village_options
from zwgk_desktop.ui.pages.disclosures import configure_table
from zwgk_desktop.ui.table_models import DEFAULT_PAGE_SIZE, HouseholdTableModel
from zwgk_desktop.ui.widgets import SearchBox

COLUMN_WIDTHS = {
    HouseholdTableModel.HEAD: 120, HouseholdTableModel.VILLAGE: 110, HouseholdTableModel.GROUP: 70,
    HouseholdTableModel.ID_NUMBER: 190, HouseholdTableModel.MEMBERS: 80, HouseholdTableModel.PHONE: 140,
    HouseholdTableModel.HELPER: 110, HouseholdTableModel.NOTICES: 90,
}


def tr(text: str) -> str:
    return QCoreApplication.translate("HouseholdsPage", text)


class HouseholdsPage(QWidget):
    """户籍台账: searchable, lazily paged household list."""

    list_loaded = Signal(int)

    def __init__(self, database, tasks, parent: QWidget | None = None, *, page_size: int = DEFAULT_PAGE_SIZE):
        super().__init__(parent)
        self.setObjectName("page")
        self.database, self.tasks, self.page_size = database, tasks, page_size
        self._generation = 0
        self._villages_loaded = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        title = QLabel(tr("户籍台账"), self)
        title.setObjectName("pageTitle")
        layout.addWidget(title)
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

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def current_query(self) -> HouseholdQuery:
        return HouseholdQuery(search=self.search.text(), village_id=self.village_filter.currentData())

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        query, database, page_size = self.current_query(), self.database, self.page_size
        want_villages = not self._villages_loaded

        def load():
            with database.session() as session:
                villages = village_options(session) if want_villages else None
                return villages, count_households(session, query), household_page(session, query, 0, page_size)

        self.count_label.setText(tr("正在载入…"))
        self.tasks.run(load, lambda result: self._show(generation, query, *result), owner=self)

    def _show(self, generation: int, query: HouseholdQuery, villages, total: int, first_page: list) -> None:
        if villages is not None and not self._villages_loaded:
            self._villages_loaded = True
            self.village_filter.blockSignals(True)
            for village in villages:
                self.village_filter.addItem(village.name, village.id)
            self.village_filter.blockSignals(False)
        if generation != self._generation:
            return
        self.model.reset(total, self._page_loader(query), first_page)
        self._update_count()
        self.list_loaded.emit(total)

    def _update_count(self, *_args) -> None:
        total, loaded = self.model.total, self.model.rowCount()
        text = tr("共 {n} 户").format(n=f"{total:,}")
        if loaded < total:
            text += tr("（已载入 {n}）").format(n=f"{loaded:,}")
        self.count_label.setText(text)

    def _page_loader(self, query: HouseholdQuery):
        database = self.database

        def load(offset: int, limit: int):
            with database.session() as session:
                return household_page(session, query, offset, limit)

        return load

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("households/header", self.view.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        header = settings.value("households/header")
        if header is not None:
            self.view.horizontalHeader().restoreState(header)
