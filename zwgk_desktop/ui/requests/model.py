"""The register's table model: one row per request (requester masked), overdue rows in red, due-soon in amber."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from zwgk_desktop.ui.i18n import tr

OVERDUE_COLOUR = QColor("#b42318")
DUE_SOON_COLOUR = QColor("#9a6700")
DONE_COLOUR = QColor("#4a5361")
RowRole = Qt.ItemDataRole.UserRole + 1

COLUMNS = (
    ("number", "登记号"),
    ("received", "收到日期"),
    ("channel", "收到方式"),
    ("requester", "申请人"),
    ("type", "申请人类型"),
    ("status", "状态"),
    ("due", "答复期限"),
    ("left", "剩余工作日"),
    ("outcome", "办理结果"),
)
DUE_SOON = 5
ROOT = QModelIndex()


class RequestTableModel(QAbstractTableModel):
    """`RequestRow` DTOs as a table; `row_at(index)` gives the DTO back."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def index_of(self, key: str) -> int:
        """The row of a request by id or register number (-1 when not listed)."""
        return next((i for i, r in enumerate(self.rows) if key in (r.id, r.number)), -1)

    def rowCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(COLUMNS[section][1])
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, key)
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.status == "overdue":
                return QBrush(OVERDUE_COLOUR)
            if row.days_left is not None and row.days_left <= DUE_SOON:
                return QBrush(DUE_SOON_COLOUR)
            if row.status in ("replied", "replied_late"):
                return QBrush(DONE_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.content
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("left", "received", "due"):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def display(row, key: str) -> str:
        if key == "number":
            return row.number
        if key == "received":
            return row.received.isoformat()
        if key == "channel":
            return tr(row.channel_label)
        if key == "requester":
            return row.requester or "—"
        if key == "type":
            return tr(row.requester_type_label)
        if key == "status":
            return tr(row.status_label)
        if key == "due":
            if row.due is None:
                return tr("等待补正")
            return row.due.isoformat() + ("" if row.calendar_complete else " ⚠")
        if key == "left":
            if row.days_left is None:
                return ""
            return tr("逾期") if row.days_left < 0 else str(row.days_left)
        return tr(row.outcome_label) if row.outcome_label else ""


class RequestFilter(QSortFilterProxyModel):
    """Case-insensitive text filter over every column."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
