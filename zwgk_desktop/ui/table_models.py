"""Qt table models over plain DTOs: notices, a notice's line items, households.

As in Vorta's archive table model: column constants, custom roles (`IdRole`
gives a row's id, `StatusRole` a notice's status code, `SortRole` a sortable
value), no database access inside `data()`. The two long lists (line items,
households) are *lazy*: they hold what has been fetched so far and ask a
page loader `loader(offset, limit) -> list[DTO]` for the next page in
`fetchMore`, so a 50,000-line notice is never loaded at once. Sensitive
numbers are masked with the one scheme in `zwgk_desktop.core.privacy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.disclosures import DisclosureRow, ItemRow, format_fen
from zwgk_desktop.core.households import HouseholdRow
from zwgk_desktop.core.privacy import mask_bank_account, mask_id_number, mask_phone
from zwgk_desktop.ui.i18n import tr

IdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3
RowRole = Qt.ItemDataRole.UserRole + 4  # the whole DTO

DEFAULT_PAGE_SIZE = 500
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGN_CENTER = int(Qt.AlignmentFlag.AlignCenter)

# Text colour and pill background per notice status (light theme).
STATUS_COLORS: dict[str, tuple[str, str]] = {
    "draft": ("#5f6b7a", "#eceff3"),
    "pending_review": ("#a45a00", "#fff1dc"),
    "approved": ("#1d5fbf", "#e3eefc"),
    "publishing": ("#1b7a3a", "#def5e5"),
    "expired": ("#6b4bb0", "#eee7fa"),
    "archived": ("#3d4451", "#e2e4e8"),
    "withdrawn": ("#b42318", "#fde7e5"),
}

Key = QModelIndex | QPersistentModelIndex


def status_colors(status: str) -> tuple[QColor, QColor]:
    fg, bg = STATUS_COLORS.get(status, ("#333333", "#eeeeee"))
    return QColor(fg), QColor(bg)


# --------------------------------------------------------------------------
# Notices
# --------------------------------------------------------------------------


class DisclosureTableModel(QAbstractTableModel):
    """The 公示管理 list: one row per notice (`DisclosureRow`)."""

    TITLE, CATEGORY, STATUS, ITEMS, AMOUNT, PERIOD, BOARDS = range(7)
    HEADERS = ("标题", "类别", "状态", "条目数", "金额(元)", "公示期", "公示栏数")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[DisclosureRow] = []

    def set_rows(self, rows: Sequence[DisclosureRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> DisclosureRow:
        return self._rows[row]

    def row_of_id(self, disclosure_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == disclosure_id), -1)

    def rowCount(self, parent: Key = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Key = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(self.HEADERS[section]) if 0 <= section < len(self.HEADERS) else None
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return ALIGN_RIGHT if section in (self.ITEMS, self.AMOUNT, self.BOARDS) else None
        return None

    def data(self, index: Key, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == IdRole:
            return row.id
        if role == StatusRole:
            return row.status
        if role == RowRole:
            return row
        if role == SortRole:
            return self._sort_value(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            return status_colors(row.status)[0]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (self.ITEMS, self.AMOUNT, self.BOARDS):
                return ALIGN_RIGHT
            if column in (self.STATUS, self.CATEGORY, self.PERIOD):
                return ALIGN_CENTER
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
            version = tr("（第{n}版，更正）").format(n=row.version) if row.version > 1 else ""
            return row.title + version
        if role == Qt.ItemDataRole.ToolTipRole and column == self.PERIOD and row.period:
            return row.period.get("explanation", "")
        return None

    def _display(self, row: DisclosureRow, column: int) -> str:
        if column == self.TITLE:
            return row.title if row.version <= 1 else f"{row.title}（第{row.version}版）"
        if column == self.CATEGORY:
            return row.category_name
        if column == self.STATUS:
            return row.status_label
        if column == self.ITEMS:
            return f"{row.items:,}"
        if column == self.AMOUNT:
            return format_fen(row.total_amount_fen)
        if column == self.PERIOD:
            return row.period_text  # the one wording of a 公示期 (core.periods), computed with the row
        if column == self.BOARDS:
            return str(row.posted_boards) if row.posted_boards else "—"
        return ""

    def _sort_value(self, row: DisclosureRow, column: int) -> Any:
        return {
            self.TITLE: row.title, self.CATEGORY: row.category, self.STATUS: row.status, self.ITEMS: row.items,
            self.AMOUNT: row.total_amount_fen, self.PERIOD: (row.period or {}).get("first_day", ""),
            self.BOARDS: row.posted_boards,
        }.get(column)


# --------------------------------------------------------------------------
# Lazy paged models
# --------------------------------------------------------------------------

T = TypeVar("T")
PageLoader = Callable[[int, int], list]


class PagedRows:
    """Paging state for a Qt model: knows the total and fetches pages of DTOs as the view scrolls.

    Mix in before a Qt model class; subclasses may extend `_rows_added(start)` to index new rows."""

    def __init__(self, parent=None, *, page_size: int = DEFAULT_PAGE_SIZE):
        super().__init__(parent)
        self.page_size = page_size
        self._rows: list = []
        self._total = 0
        self._loader: PageLoader | None = None
        self.pages_fetched = 0

    def reset(self, total: int, loader: PageLoader | None, first_page: Sequence = ()) -> None:
        """Start over with a new source: `total` rows, fetched by `loader(offset, limit)`."""
        self.beginResetModel()
        self._total, self._loader = max(0, total), loader
        self._rows = list(first_page)[: self._total]
        self.pages_fetched = 1 if first_page else 0
        self._rows_added(0)
        self.endResetModel()

    def _rows_added(self, start: int) -> None:
        """Hook: rows from `start` on are new (after a reset or a fetched page)."""

    def clear(self) -> None:
        self.reset(0, None)

    @property
    def total(self) -> int:
        return self._total

    def rowCount(self, parent: Key = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: Key = QModelIndex()) -> bool:
        return not parent.isValid() and self._loader is not None and len(self._rows) < self._total

    def fetchMore(self, parent: Key = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        offset = len(self._rows)
        page = list(self._loader(offset, min(self.page_size, self._total - offset)))
        if not page:  # the source shrank under us: stop asking
            self._total = offset
            return
        self.beginInsertRows(QModelIndex(), offset, offset + len(page) - 1)
        self._rows.extend(page)
        self._rows_added(offset)
        self.pages_fetched += 1
        self.endInsertRows()


class LazyPagedModel(PagedRows, QAbstractTableModel):
    """A table that knows the total and fetches pages of DTOs as the view scrolls."""

    HEADERS: tuple[str, ...] = ()

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def columnCount(self, parent: Key = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(self.HEADERS[section]) if 0 <= section < len(self.HEADERS) else None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


@dataclass(frozen=True)
class ItemColumn:
    """A line-item column shown in the clerk's view: catalogue key, label, type, sensitive kind."""

    key: str
    label: str
    type: str = "text"
    kind: str = ""


SEQ_COLUMN = ItemColumn("seq", "序号", "int")
GENERIC_ITEM_COLUMNS = (
    ItemColumn("name", "姓名/名称"), ItemColumn("village", "村(社区)"), ItemColumn("group", "组"),
    ItemColumn("id_number", "身份证号码", kind="id_number"), ItemColumn("people", "人数", "int"),
    ItemColumn("amount", "金额(元)", "money"),
)
_TYPED_FIELDS = {"name": "name", "village": "village_name", "group": "group_name", "id_number": "id_number",
                 "people": "people", "amount": "amount_fen", "seq": "seq",
                 "family_size": "family_size", "covered_people": "covered_people"}  # core.line_items.TYPED_FIELDS


def item_columns(category: str) -> list[ItemColumn]:
    """The columns of a category's line items (from the catalogue), with 序号 first."""
    try:
        entry = get_entry(category)
        columns = [ItemColumn(c.key, c.label, c.type, c.kind) for c in entry.columns]
    except Exception:  # an unknown category still shows its common fields
        columns = list(GENERIC_ITEM_COLUMNS)
    return [SEQ_COLUMN, *columns]


def item_value(item: ItemRow, column: ItemColumn) -> Any:
    """The raw value of one column of a line item (typed field or category extra)."""
    field_name = _TYPED_FIELDS.get(column.key)
    if field_name is not None:
        return getattr(item, field_name)
    return (item.extra or {}).get(column.key)


def display_item_value(item: ItemRow, column: ItemColumn) -> str:
    """The clerk's view of a value: money in yuan, sensitive numbers masked with the one scheme."""
    value = item_value(item, column)
    if value is None or value == "":
        return ""
    if column.kind == "id_number":
        return mask_id_number(value)
    if column.kind == "phone":
        return mask_phone(value)
    if column.kind == "bank_account":
        return mask_bank_account(value)
    if column.type == "money" and isinstance(value, int):  # money is integer fen everywhere
        return format_fen(value)
    return str(value)


class ItemTableModel(LazyPagedModel):
    """A notice's line items, fetched 500 at a time (`item_page`) as the user scrolls."""

    def __init__(self, parent=None, *, page_size: int = DEFAULT_PAGE_SIZE):
        super().__init__(parent, page_size=page_size)
        self.columns: list[ItemColumn] = list(item_columns("generic"))

    @property
    def HEADERS(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(c.label for c in self.columns)

    def set_category(self, category: str) -> None:
        self.beginResetModel()
        self.columns = item_columns(category)
        self.endResetModel()

    def column_index(self, key: str) -> int:
        return next((i for i, c in enumerate(self.columns) if c.key == key), -1)

    def data(self, index: Key, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, column = self._rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return display_item_value(item, column)
        if role == SortRole:
            return item_value(item, column)
        if role == IdRole:
            return item.seq
        if role == RowRole:
            return item
        if role == Qt.ItemDataRole.TextAlignmentRole and column.type in ("money", "int"):
            return ALIGN_RIGHT
        return None


class HouseholdTableModel(LazyPagedModel):
    """The 户籍台账 list, fetched page by page; ID and phone numbers masked."""

    HEAD, VILLAGE, GROUP, ID_NUMBER, MEMBERS, PHONE, HELPER, NOTICES = range(8)
    HEADERS = ("户主", "村(社区)", "组", "身份证号码", "家庭人口", "联系电话", "帮扶责任人", "公示记录")

    def data(self, index: Key, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == IdRole:
            return row.id
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.MEMBERS:
            return ALIGN_RIGHT
        return None

    def _display(self, row: HouseholdRow, column: int) -> str:
        if column == self.HEAD:
            return row.head_name
        if column == self.VILLAGE:
            return row.village_name
        if column == self.GROUP:
            return row.group_name
        if column == self.ID_NUMBER:
            return mask_id_number(row.id_number) if row.id_number else ""
        if column == self.MEMBERS:
            return str(row.member_count)
        if column == self.PHONE:
            return mask_phone(row.phone) if row.phone else ""
        if column == self.HELPER:
            return row.helper_name
        if column == self.NOTICES:
            return tr("{n} 条").format(n=row.disclosure_items) if row.disclosure_items else "—"
        return ""
