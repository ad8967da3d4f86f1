"""ItemsEditorDialog: edit a draft notice's line items, title and body; checked per cell, saved in one transaction.

The rules live in `services.rosters.edit` (the roster import's own checks,
permissions, the save) behind `ops.rosters.load_draft` / `save_draft_edits`,
which run on the task manager (the load on the pool, the save on the
database thread); this module is the screen:
- `EditableItemsModel`: the category's columns from the catalogue, one row
  per line item as editor texts (money in yuan with 2 decimals, ID numbers
  as text). Every changed or added row is checked at once with `RowChecker`;
  a cell with an error turns red with its Chinese message as tooltip, a
  warning yellow, a changed cell light blue. ID, phone and bank numbers the
  clerk has not touched stay masked until the cell is opened for editing;
- `ItemsEditorDialog`: title/body, 添加一行 / 删除所选行, live totals, the
  message of the current cell under the table (家庭人口, 保障人数, the change
  type and, where the category publishes them, the funding parts 中央…自筹 are
  columns like any other; a 停保 line counts in no total). 保存 (Ctrl+S) sends only the
  changes to the DB thread (`save_draft_edits`, one transaction) and closes;
  if the save finds errors they are put on their cells and nothing is
  written. 取消/Esc discards (asking first when something changed; the
  question is the injectable `confirm_discard`, so tests never block).
A village user sees only their village's rows and cannot change the title
or body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.catalogue import Column, get_entry
from zwgk_desktop.core.disclosures import format_fen
from zwgk_desktop.core.line_items import ChangeType, change_type_of
from zwgk_desktop.core.privacy import mask_bank_account, mask_id_number, mask_phone
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ops import rosters as roster_ops
from zwgk_desktop.services.rosters.edit import (
    CellProblem,
    DraftForEdit,
    EditResult,
    ItemEdits,
    ItemsInvalid,
    RowChecker,
    new_row_key,
)
from zwgk_desktop.services.rosters.validate import ERROR, CellError, parse_count, parse_money
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import (
    ERROR_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    message_label,
    message_of,
    show_message,
)
from zwgk_desktop.ui.widgets import muted_label

ERROR_BG, ERROR_FG, ERROR_FRAME = QColor("#fde7e6"), QColor("#9f1c13"), QColor("#e5484d")
WARNING_BG = QColor("#fff6dc")
CHANGED_BG = QColor("#e8f1ff")
SEQ_FG = QColor("#8a93a0")
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
MASKS = {"id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_bank_account}
COLUMN_WIDTHS = {"village": 110, "group": 70, "name": 110, "id_number": 190, "people": 80, "family_size": 80,
                 "change_type": 80, "amount": 130}
PROBLEMS_LISTED = 3
_PLAIN_YUAN = re.compile(r"\d+\.\d\d")


@dataclass
class EditorRow:
    """One row of the editor: texts by catalogue key, what was loaded (None = new), its problems."""

    key: str
    item_id: str | None
    values: dict[str, str]
    original: dict[str, str] | None = None
    problems: list[CellProblem] = field(default_factory=list)
    duplicates: list[CellProblem] = field(default_factory=list)
    amount_fen: int = 0
    people: int = 0
    touched: bool = False  # a new row counts (is checked and saved) once the clerk has typed into it

    @property
    def changed(self) -> bool:
        return self.touched if self.original is None else self.values != self.original

    def cell_changed(self, key: str) -> bool:
        return self.original is None or self.values.get(key, "") != self.original.get(key, "")

    def id_changed(self) -> bool:
        return self.cell_changed("id_number")

    def all_problems(self) -> list[CellProblem]:
        return [*self.problems, *self.duplicates]


def _fen(text: str) -> int:
    if _PLAIN_YUAN.fullmatch(text):  # what the editor loads ("1234.50"): no parsing needed
        return int(text.replace(".", ""))
    try:
        return parse_money(text)[0] or 0
    except CellError:
        return 0


def _count(text: str) -> int:
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        return parse_count(text) or 0
    except CellError:
        return 0


class EditableItemsModel(QAbstractTableModel):
    """The draft's rows as editable texts, checked as they change (see the module doc)."""

    edited = Signal()  # any change: a cell, a row added or deleted

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns: tuple[Column, ...] = ()
        self.rows: list[EditorRow] = []
        self.deleted_ids: list[str] = []
        self.checker: RowChecker | None = None
        self.hidden_ids: dict[str, int] = {}
        self._new_count = 0

    # --- loading -----------------------------------------------------------------------
    def load(self, draft: DraftForEdit) -> None:
        self.beginResetModel()
        self.columns = tuple(draft.columns)
        self.checker = RowChecker(get_entry(draft.category), draft.villages, draft.existing_ids, draft.village_scope,
                                  merged=draft.merged_villages, retired=draft.retired_villages)
        self.hidden_ids = dict(draft.other_ids)
        self.rows = [EditorRow(i.item_id, i.item_id, dict(i.values), dict(i.values)) for i in draft.items]
        for row in self.rows:
            self._cache_numbers(row)
        self.deleted_ids, self._new_count = [], 0
        self.endResetModel()

    # --- Qt model ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns) + 1

    def column_at(self, section: int) -> Column | None:
        return self.columns[section - 1] if section > 0 else None

    def column_index(self, key: str) -> int:
        return next((i + 1 for i, c in enumerate(self.columns) if c.key == key), -1)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = self.column_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if column is None:
                return tr("序号")
            return column.label + (" *" if column.required else "")
        if role == Qt.ItemDataRole.ToolTipRole and column is not None:
            hints = [tr("必填") if column.required else ""]
            if column.enum:
                hints.append(tr("可选：{options}").format(options="、".join(column.enum)))
            if column.type == "money":
                hints.append(tr("以元为单位，最多两位小数"))
            if column.kind == "id_number":
                hints.append(tr("18位，按文本录入，末位可为X"))
            return "；".join(h for h in hints if h) or None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base if index.column() == 0 else base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], self.column_at(index.column())
        if column is None:
            return self._seq_data(index.row(), role)
        text = row.values.get(column.key, "")
        problems = [p for p in row.all_problems() if p.column == column.key]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column, text)
        if role == Qt.ItemDataRole.EditRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            if problems:
                return "\n".join(p.message for p in problems)
            if column.kind in MASKS and text and not row.cell_changed(column.key):
                return tr("为保护隐私已隐去中间位；双击单元格可查看和修改完整号码。")
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if any(p.severity == ERROR for p in problems):
                return ERROR_BG
            if problems:
                return WARNING_BG
            return CHANGED_BG if row.original is not None and row.cell_changed(column.key) else None
        if role == Qt.ItemDataRole.ForegroundRole and any(p.severity == ERROR for p in problems):
            return ERROR_FG
        if role == Qt.ItemDataRole.TextAlignmentRole and column.type in ("money", "int"):
            return ALIGN_RIGHT
        return None

    def _seq_data(self, row: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return str(row + 1) if self.rows[row].original is not None else tr("新增")
        if role == Qt.ItemDataRole.ForegroundRole:
            return SEQ_FG
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(row: EditorRow, column: Column, text: str) -> str:
        if not text:
            return ""
        if column.kind in MASKS and not row.cell_changed(column.key):
            return MASKS[column.kind](text)
        if column.type == "money":
            try:
                fen, _ = parse_money(text)
            except CellError:
                return text
            return format_fen(fen) if fen is not None else text
        return text

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        column = self.column_at(index.column()) if index.isValid() else None
        if role != Qt.ItemDataRole.EditRole or column is None:
            return False
        row = self.rows[index.row()]
        text = "" if value is None else str(value).strip()
        if row.values.get(column.key, "") == text:
            return False
        row.values[column.key] = text
        row.touched = True
        self._recheck(index.row())
        return True

    # --- rows ----------------------------------------------------------------------------
    def add_row(self, defaults: dict[str, str] | None = None) -> int:
        position = len(self.rows)
        key = f"added-{self._new_count}"
        self._new_count += 1
        values = {c.key: "" for c in self.columns}
        values.update(defaults or {})
        self.beginInsertRows(QModelIndex(), position, position)
        self.rows.append(EditorRow(key, None, values))
        self.endInsertRows()
        self._recheck(position)
        return position

    def remove_rows(self, positions: list[int]) -> int:
        for position in sorted(set(positions), reverse=True):
            if not 0 <= position < len(self.rows):
                continue
            self.beginRemoveRows(QModelIndex(), position, position)
            row = self.rows.pop(position)
            self.endRemoveRows()
            if row.item_id:
                self.deleted_ids.append(row.item_id)
        self._recheck_duplicates()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))
        self.edited.emit()
        return len(positions)

    # --- checks --------------------------------------------------------------------------
    def _recheck(self, position: int) -> None:
        row = self.rows[position]
        self._cache_numbers(row)
        if self.checker is not None:
            row.problems = self.checker.problems(row.key, row.values, position + 1) if row.changed else []
        self._recheck_duplicates()
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns)))
        self.edited.emit()

    def _recheck_duplicates(self) -> None:
        if self.checker is None or "id_number" not in {c.key for c in self.columns}:
            return
        rows = [
            (r.key, position + 1, self._id_of(r), r.id_changed())
            for position, r in enumerate(self.rows)
        ]
        found: dict[str, list[CellProblem]] = {}
        for problem in self.checker.duplicate_problems(rows, self.hidden_ids):
            found.setdefault(problem.row_key, []).append(problem)
        column = self.column_index("id_number")
        for position, row in enumerate(self.rows):
            now = found.get(row.key, [])
            if now != row.duplicates:
                row.duplicates = now
                self.dataChanged.emit(self.index(position, column), self.index(position, column))

    def _id_of(self, row: EditorRow) -> str:
        """The ID number as the checks store it (normalised) when the row parses, else the typed text."""
        text = row.values.get("id_number", "")
        if not text or not row.id_changed() or self.checker is None:
            return text
        return self.checker.parse({"id_number": text}).values.get("id_number") or ""

    @staticmethod
    def _cache_numbers(row: EditorRow) -> None:
        """The row's share of the totals: nothing for a 停保 line (listed, not counted)."""
        if change_type_of(row.values.get("change_type", "")) == ChangeType.STOP:
            row.amount_fen = row.people = 0
            return
        row.amount_fen = _fen(row.values.get("amount", ""))
        people = row.values.get("people", "") or row.values.get("family_size", "")
        row.people = _count(people)

    def apply_problems(self, problems: list[CellProblem], keys: dict[str, str]) -> None:
        """Put problems found by the save on their cells (`keys`: the save's row key → this model's)."""
        by_row: dict[str, list[CellProblem]] = {}
        for problem in problems:
            by_row.setdefault(keys.get(problem.row_key, problem.row_key), []).append(problem)
        for position, row in enumerate(self.rows):
            if row.key in by_row:
                row.problems = by_row[row.key]
                row.duplicates = []
                self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns)))

    # --- questions ------------------------------------------------------------------------
    def problems_at(self, position: int, key: str | None = None) -> list[CellProblem]:
        return [p for p in self.rows[position].all_problems() if key is None or p.column == key]

    def error_cells(self) -> list[tuple[int, CellProblem]]:
        return [(position, p) for position, row in enumerate(self.rows) for p in row.all_problems() if p.severity == ERROR]

    @property
    def dirty(self) -> bool:
        return bool(self.deleted_ids) or any(r.changed for r in self.rows)

    def totals(self) -> tuple[int, int, int]:
        """(rows, people, amount in fen) of the rows as they are now."""
        return len(self.rows), sum(r.people for r in self.rows), sum(r.amount_fen for r in self.rows)

    def edits(self) -> tuple[ItemEdits, dict[str, str]]:
        """The changes for `save_draft_edits`, and the save's row keys → this model's row keys."""
        edits = ItemEdits(deleted=list(self.deleted_ids))
        keys: dict[str, str] = {}
        for row in self.rows:
            if row.item_id is None and row.changed:
                keys[new_row_key(len(edits.added))] = row.key
                edits.added.append(dict(row.values))
            elif row.changed:
                edits.updated[row.item_id] = dict(row.values)
        return edits, keys


class ItemDelegate(QStyledItemDelegate):
    """Editable drop-downs for option columns (catalogue enums) and villages; plain text fields elsewhere."""

    def __init__(self, model: EditableItemsModel, villages: list[str], parent=None):
        super().__init__(parent)
        self.items_model, self.villages = model, villages

    def _options(self, index: QModelIndex) -> tuple[str, ...]:
        column = self.items_model.column_at(index.column())
        if column is None:
            return ()
        if column.key == "village":
            return tuple(self.villages)
        return column.enum

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        options = self._options(index)
        column = self.items_model.column_at(index.column())
        if options:
            combo = QComboBox(parent)
            combo.setEditable(True)
            combo.addItems(list(options))
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            return combo
        editor = QLineEdit(parent)
        if column is not None and column.type == "date":
            editor.setPlaceholderText("2026-11-05")
        elif column is not None and column.type == "money":
            editor.setPlaceholderText("0.00")
            editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        text = index.data(Qt.ItemDataRole.EditRole) or ""
        if isinstance(editor, QComboBox):
            editor.setCurrentText(text)
            editor.lineEdit().selectAll()
        else:
            editor.setText(text)

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        text = editor.currentText() if isinstance(editor, QComboBox) else editor.text()
        model.setData(index, text, Qt.ItemDataRole.EditRole)

    def paint(self, painter: QPainter, option, index: QModelIndex) -> None:
        """As usual, plus a red frame on a cell with an error (visible even when the cell is selected)."""
        super().paint(painter, option, index)
        if index.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG:
            painter.save()
            painter.setPen(QPen(ERROR_FRAME, 2))
            painter.drawRect(option.rect.adjusted(1, 1, -1, -1))
            painter.restore()


class ItemsEditorDialog(QDialog):
    """Edit one draft; `saved(EditResult)` after a successful save (then it closes)."""

    loaded = Signal()
    saved = Signal(object)
    save_failed = Signal(str)

    def __init__(self, database, actor, disclosure_id: str, tasks=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.database, self.actor, self.disclosure_id, self.tasks = database, actor, disclosure_id, tasks
        if tasks is not None and tasks.database is None:
            tasks.bind(database=database)
        self.draft: DraftForEdit | None = None
        self.saving = False
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        self.setWindowTitle(tr("编辑草稿"))
        self.resize(1180, 720)
        self.setSizeGripEnabled(True)
        self._build()
        self._set_busy(tr("正在载入草稿…"))
        self._run(roster_ops.load_draft, disclosure_id, on_success=self._show_draft, on_failure=self._load_failed)

    def _run(self, op, *args, on_success, on_failure) -> None:
        """An op as this dialog's user: in the background on the task manager, else (no manager) right away."""
        if self.tasks is not None:
            self.tasks.run_op(op, *args, on_success=on_success, on_failure=on_failure, actor=self.actor, owner=self)
            return
        try:
            result = op(self.database, self.actor, *args)
        except ZwgkError as exc:
            on_failure(exc)
            return
        on_success(result)

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel(tr("编辑草稿"), self)
        self.heading.setObjectName("detailTitle")
        self.heading.setWordWrap(True)
        self.lead = muted_label(tr("草稿可以直接修改。每个单元格按导入花名册的同一规则检查；"
                              "身份证号码请按文本录入（18位，末位可为X），金额以元为单位。"), self)
        self.title_edit = QLineEdit(self)
        self.title_edit.setMaxLength(300)
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setPlaceholderText(tr("公示正文（可选）：政策依据、公示期、监督电话等说明"))
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setFixedHeight(64)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for text, widget in ((tr("标题(&T)："), self.title_edit), (tr("正文(&B)："), self.body_edit)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        header = QFrame(self)
        header.setObjectName("detailHeader")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(14, 10, 14, 10)
        header_layout.addWidget(self.heading)
        header_layout.addWidget(self.lead)
        header_layout.addLayout(form)

        self.add_button = QPushButton(tr("添加一行(&A)"), self)
        self.add_button.setToolTip(tr("在末尾添加一行并开始录入（Insert）"))
        self.delete_button = QPushButton(tr("删除所选行(&D)"), self)
        self.delete_button.setToolTip(tr("删除选中单元格所在的行（Delete）；保存前都可以取消"))
        self.totals_label = QLabel("", self)
        self.totals_label.setObjectName("countLabel")
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        row.addWidget(self.totals_label)

        self.model = EditableItemsModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("itemsEditor")
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(30)
        self.view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.setWordWrap(False)
        self.view.activated.connect(self._edit_cell)

        self.message = message_label(self)
        self.save_button = QPushButton(tr("保存(&S)"), self)
        self.save_button.setToolTip(tr("检查并保存全部修改（Ctrl+S）"))
        self.cancel_button = QPushButton(tr("取消"), self)
        self.cancel_button.setToolTip(tr("放弃本次修改（Esc）"))
        for button in (self.add_button, self.delete_button, self.save_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter edits the grid; Ctrl+S saves, Esc cancels
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(header)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self.add_row)
        self.delete_button.clicked.connect(self.delete_selected)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence(Qt.Key.Key_Insert), self.view, activated=self.add_row,
                  context=Qt.ShortcutContext.WidgetShortcut)
        delete = QAction(self.view)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.delete_selected)
        self.view.addAction(delete)
        self.model.edited.connect(self._on_edited)
        self.view.selectionModel().currentChanged.connect(lambda current, _old: self._show_cell_message(current))

    def _set_busy(self, text: str) -> None:
        for widget in (self.add_button, self.delete_button, self.save_button, self.title_edit, self.body_edit, self.view):
            widget.setEnabled(False)
        show_message(self.message, text, WARNING_STYLE)

    # --- loading ----------------------------------------------------------------------------
    def _show_draft(self, draft: DraftForEdit) -> None:
        self.draft = draft
        version = tr("（第{n}版，更正稿）").format(n=draft.version) if draft.version > 1 else ""
        self.heading.setText(tr("编辑草稿 · {category}{version}").format(category=draft.category_name, version=version))
        self.setWindowTitle(tr("编辑草稿 - {title}").format(title=draft.title))
        self.title_edit.setText(draft.title)
        self.body_edit.setPlainText(draft.body)
        self.model.load(draft)
        villages = [n for n, vid in draft.villages.items() if draft.village_scope is None or vid in draft.village_scope]
        self.view.setItemDelegate(ItemDelegate(self.model, villages, self.view))
        self._size_columns()
        for widget in (self.add_button, self.delete_button, self.save_button, self.view):
            widget.setEnabled(True)
        self.title_edit.setEnabled(draft.can_edit_text)
        self.body_edit.setEnabled(draft.can_edit_text)
        if not draft.can_edit_text:
            self.title_edit.setToolTip(tr("村级用户只能修改本村的明细；标题和正文请由乡镇经办人修改。"))
            self.lead.setText(self.lead.text() + tr("您只能看到和修改本村的明细（另有 {n} 条其他村的明细未显示）。").format(
                n=draft.hidden_items))
        show_message(self.message, "")
        self._update_totals()
        self.view.setFocus()
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 1))
        self.loaded.emit()

    def _load_failed(self, exc: BaseException) -> None:
        show_message(self.message, message_of(exc))
        self.cancel_button.setText(tr("关闭"))
        self.loaded.emit()

    def _size_columns(self) -> None:
        header = self.view.horizontalHeader()
        header.resizeSection(0, 56)
        for section in range(1, self.model.columnCount()):
            column = self.model.column_at(section)
            width = COLUMN_WIDTHS.get(column.key, 120 if column.type != "text" else 140)
            header.resizeSection(section, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)

    # --- editing ----------------------------------------------------------------------------
    def _edit_cell(self, index: QModelIndex) -> None:
        if index.isValid() and self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.view.edit(index)

    def add_row(self) -> int | None:
        if self.draft is None or self.saving:
            return None
        defaults = {}
        scope = self.draft.village_scope
        if scope is not None and len(scope) == 1:
            defaults["village"] = next((n for n, vid in self.draft.villages.items() if vid == scope[0]), "")
        position = self.model.add_row(defaults)
        first = next((c for c in range(1, self.model.columnCount()) if not defaults.get(self.model.column_at(c).key)), 1)
        index = self.model.index(position, first)
        self.view.scrollTo(index)
        self.view.setCurrentIndex(index)
        self.view.setFocus()
        return position

    def delete_selected(self) -> int:
        if self.saving:
            return 0
        positions = sorted({i.row() for i in self.view.selectionModel().selectedIndexes()} or
                           ({self.view.currentIndex().row()} if self.view.currentIndex().isValid() else set()))
        if not positions:
            show_message(self.message, tr("请先选中要删除的行。"), WARNING_STYLE)
            return 0
        count = self.model.remove_rows(positions)
        show_message(self.message, tr("已删除 {n} 行；点“保存”后生效，点“取消”可全部撤销。").format(n=count), OK_STYLE)
        return count

    def _on_edited(self) -> None:
        self._update_totals()
        self._show_cell_message(self.view.currentIndex())

    def _update_totals(self) -> None:
        rows, people, fen = self.model.totals()
        scope = "" if self.draft is None or self.draft.village_scope is None else tr("本村")
        parts = [tr("{scope}共 {n} 条").format(scope=scope, n=f"{rows:,}")]
        if self.model.column_index("people") > 0:
            parts.append(tr("涉及 {n} 人").format(n=f"{people:,}"))
        if self.model.column_index("amount") > 0:
            parts.append(tr("金额合计 {v} 元").format(v=format_fen(fen)))
        errors = len(self.model.error_cells())
        if errors:
            parts.append(tr("<span style='color:#b42318'>{n} 处需改正</span>").format(n=errors))
        self.totals_label.setText("　·　".join(parts))

    def _show_cell_message(self, index: QModelIndex) -> None:
        """The current cell's problem under the table; else a summary of the errors left."""
        if self.saving or self.draft is None:
            return
        if index.isValid() and index.column() > 0 and index.row() < self.model.rowCount():
            column = self.model.column_at(index.column())
            problems = self.model.problems_at(index.row(), column.key)
            if problems:
                style = ERROR_STYLE if any(p.severity == ERROR for p in problems) else WARNING_STYLE
                text = tr("第{row}行“{label}”：").format(row=index.row() + 1, label=column.label)
                show_message(self.message, text + " ".join(p.message for p in problems), style)
                return
        errors = self.model.error_cells()
        if errors:
            show_message(self.message, self._errors_summary(errors), ERROR_STYLE)
        elif self.message.styleSheet() != OK_STYLE:
            show_message(self.message, "")

    def _errors_summary(self, errors: list[tuple[int, CellProblem]]) -> str:
        labels = {c.key: c.label for c in self.model.columns}
        lines = [
            tr("第{row}行“{label}”：{message}").format(row=position + 1, label=labels.get(p.column, p.column or ""), message=p.message)
            for position, p in errors[:PROBLEMS_LISTED]
        ]
        more = tr("……另有 {n} 处").format(n=len(errors) - PROBLEMS_LISTED) if len(errors) > PROBLEMS_LISTED else ""
        return tr("还有 {n} 处需要改正（标红的单元格）：").format(n=len(errors)) + "\n" + "\n".join(lines) + (("\n" + more) if more else "")

    def _commit_open_editor(self) -> None:
        """A cell still being typed into counts: commit it before saving or leaving."""
        if self.view.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        while editor is not None and editor.parentWidget() is not self.view.viewport():
            editor = editor.parentWidget()
        if editor is not None:
            delegate = self.view.itemDelegateForIndex(self.view.currentIndex())
            delegate.commitData.emit(editor)
            delegate.closeEditor.emit(editor)

    # --- saving -----------------------------------------------------------------------------
    def pending_edits(self) -> ItemEdits:
        edits, _keys = self.model.edits()
        self._add_text_edits(edits)
        return edits

    def _add_text_edits(self, edits: ItemEdits) -> None:
        if self.draft is None or not self.draft.can_edit_text:
            return
        title, body = self.title_edit.text().strip(), self.body_edit.toPlainText()
        if title != self.draft.title:
            edits.title = title
        if body != self.draft.body:
            edits.body = body

    @property
    def dirty(self) -> bool:
        return self.draft is not None and not self.pending_edits().empty

    def save(self) -> bool:
        """Check locally, then save off the UI thread; False when nothing was sent."""
        if self.draft is None or self.saving:
            return False
        self._commit_open_editor()
        edits, keys = self.model.edits()
        self._add_text_edits(edits)
        if edits.title is not None and not edits.title:
            show_message(self.message, tr("公示标题不能为空。"))
            self.title_edit.setFocus()
            return False
        errors = self.model.error_cells()
        if errors:
            show_message(self.message, self._errors_summary(errors))
            position, problem = errors[0]
            self.view.setCurrentIndex(self.model.index(position, self.model.column_index(problem.column or "")))
            return False
        if edits.empty:
            self.accept()
            return False
        self.saving = True
        self._set_busy(tr("正在保存…"))
        self.cancel_button.setEnabled(False)
        self._run(roster_ops.save_draft_edits, self.disclosure_id, edits,
                  on_success=self._saved, on_failure=lambda exc: self._save_failed(exc, keys))
        return True

    def _saved(self, result: EditResult) -> None:
        self.saving = False
        self.saved.emit(result)
        self.accept()

    def _save_failed(self, exc: BaseException, keys: dict[str, str]) -> None:
        self.saving = False
        for widget in (self.add_button, self.delete_button, self.save_button, self.view, self.cancel_button):
            widget.setEnabled(True)
        can_text = self.draft is not None and self.draft.can_edit_text
        self.title_edit.setEnabled(can_text)
        self.body_edit.setEnabled(can_text)
        if isinstance(exc, ItemsInvalid):
            self.model.apply_problems(exc.problems, keys)
            self._update_totals()
        text = message_of(exc)
        show_message(self.message, text)
        self.save_failed.emit(text)

    # --- leaving ----------------------------------------------------------------------------
    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(self, tr("放弃修改"), tr("有尚未保存的修改。确定放弃这些修改吗？"))
        return answer == QMessageBox.StandardButton.Yes

    def reject(self) -> None:
        if self.saving:
            return
        self._commit_open_editor()
        if self.dirty and not self.confirm_discard():
            return
        super().reject()
