"""为民服务事项目录 editor: the items printed on 为民服务事项明白卡, as a table and a form (a tab of the 明白卡 page).

Reads `ops.cards.service_catalogue` on the worker pool and writes through
`ops.cards.save_service_item` / `hide_service_item` / `reset_service_item`
on the database thread as the signed-in user (`tasks.run_op`); validation
errors come back as the core's Chinese message in a banner. Shipped and county items can be
edited (the township's copy wins), stopped (停用) or reset to the county /
shipped wording (恢复默认); a township's own new item is removed by 恢复默认.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.service_items import CatalogueRow
from zwgk_desktop.ops import cards as card_ops
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.printing.progress import Banner
from zwgk_desktop.ui.tasks import error_message
from zwgk_desktop.ui.widgets import muted_label

SOURCE_LABELS = {"shipped": "系统默认", "county": "县级下发", "local": "本镇修改"}
LONG_FIELDS = ("basis", "conditions", "materials", "procedure", "fees", "supervision")
FIELD_LABELS = (
    ("code", "事项代码(&C)"), ("name", "事项名称(&M)"), ("subject", "办理主体(&Z)"), ("basis", "办理依据"),
    ("conditions", "办理条件"), ("materials", "申请材料"), ("procedure", "办理程序（每行一步）"),
    ("time_limit", "办理时限"), ("fees", "收费依据及标准"), ("supervision", "监督渠道"),
)


class ServiceItemsEditor(QWidget):
    """Table of service items and a form to edit the selected one."""

    loaded = Signal(int)
    changed = Signal()  # after a successful save / stop / reset

    def __init__(self, database, config, tasks, parent: QWidget | None = None):
        super().__init__(parent)
        self.database, self.config, self.tasks = database, config, tasks
        self.rows: list[CatalogueRow] = []
        self._select_after_load: str | None = None
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        lead = muted_label(tr("这里的事项印在“为民服务事项明白卡”上。可修改县里下发或系统默认的内容，停用本镇不办理的事项，或新增本镇特有的事项。"), self)
        outer.addWidget(lead)
        self.banner = Banner(self)
        outer.addWidget(self.banner)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)

        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([tr("事项名称"), tr("办理主体"), tr("来源"), tr("状态")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in ((1, 150), (2, 80), (3, 70)):
            header.resizeSection(column, width)
        self.table.itemSelectionChanged.connect(self._show_selected)
        splitter.addWidget(self.table)

        form_host = QWidget(self)
        form_outer = QVBoxLayout(form_host)
        form_outer.setContentsMargins(12, 0, 0, 0)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        for key, label in FIELD_LABELS:
            if key in LONG_FIELDS:
                editor = QPlainTextEdit(form_host)
                editor.setTabChangesFocus(True)
                editor.setFixedHeight(96 if key == "procedure" else 58)
            else:
                editor = QLineEdit(form_host)
            editor.setObjectName(f"service_{key}")
            self.fields[key] = editor
            title = QLabel(tr(label), form_host)
            title.setBuddy(editor)
            form.addRow(title, editor)
        form_outer.addLayout(form)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(tr("新增事项(&N)"), form_host)
        self.save_button = QPushButton(tr("保存(&S)"), form_host)
        self.hide_button = QPushButton(tr("停用(&T)"), form_host)
        self.reset_button = QPushButton(tr("恢复默认(&R)"), form_host)
        self.new_button.clicked.connect(self.new_item)
        self.save_button.clicked.connect(self.save_current)
        self.hide_button.clicked.connect(self.hide_current)
        self.reset_button.clicked.connect(self.reset_current)
        for button in (self.new_button, self.save_button, self.hide_button, self.reset_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        form_outer.addLayout(buttons)
        self.source_note = muted_label("", form_host)
        form_outer.addWidget(self.source_note)
        form_outer.addStretch(1)
        splitter.addWidget(form_host)
        splitter.setSizes([420, 560])
        outer.addWidget(splitter, 1)
        self._update_buttons()

    # --- loading -------------------------------------------------------------
    def refresh(self) -> None:
        self.tasks.run_op(card_ops.service_catalogue, self.config, on_success=self._show_rows, on_failure=self._failed)

    def _show_rows(self, rows: list[CatalogueRow]) -> None:
        keep = self._select_after_load or self.current_code()
        self._select_after_load = None
        self.rows = rows
        self.table.setRowCount(len(rows))
        muted = QColor("#8a929c")
        for r, row in enumerate(rows):
            item = row.item
            cells = [item.name, item.subject, tr(SOURCE_LABELS.get(item.source, item.source)), tr("已停用") if row.hidden else tr("使用中")]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.code)
                if row.hidden:
                    cell.setForeground(muted)
                self.table.setItem(r, c, cell)
        target = next((i for i, row in enumerate(rows) if row.item.code == keep), 0 if rows else -1)
        if target >= 0:
            self.table.selectRow(target)
        self._show_selected()
        self.loaded.emit(len(rows))

    def current_code(self) -> str | None:
        row = self.current_row()
        return row.item.code if row else None

    def current_row(self) -> CatalogueRow | None:
        selected = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not selected:
            return None
        index = selected[0].row()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _show_selected(self) -> None:
        row = self.current_row()
        if row is None:
            return
        item = row.item
        for key, editor in self.fields.items():
            value = "\n".join(item.procedure) if key == "procedure" else getattr(item, key, "")
            if isinstance(editor, QPlainTextEdit):
                editor.setPlainText(value)
            else:
                editor.setText(value)
        self.fields["code"].setReadOnly(True)
        source = tr(SOURCE_LABELS.get(item.source, item.source))
        note = tr("来源：{s}。").format(s=source)
        if row.hidden:
            note += tr("已停用，不再印在明白卡上；点“恢复默认”重新启用。")
        elif item.source == "local" and row.has_base:
            note += tr("本镇改过这个事项；点“恢复默认”可还原为县级或系统默认内容。")
        self.source_note.setText(note)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.current_row()
        editing_new = not self.fields["code"].isReadOnly()
        self.hide_button.setEnabled(row is not None and not row.hidden and not editing_new)
        can_reset = row is not None and not editing_new and (row.hidden or row.item.source == "local")
        self.reset_button.setEnabled(can_reset)
        if row is not None and row.item.source == "local" and not row.has_base and not row.hidden:
            self.reset_button.setText(tr("删除本镇事项(&R)"))
        else:
            self.reset_button.setText(tr("恢复默认(&R)"))

    # --- editing --------------------------------------------------------------
    def new_item(self) -> None:
        """Empty the form for a township's own item (the code is typed in)."""
        self.table.clearSelection()
        for editor in self.fields.values():
            editor.clear()
        self.fields["code"].setReadOnly(False)
        self.fields["code"].setFocus()
        self.source_note.setText(tr("新增本镇特有的服务事项：填写代码（字母或拼音，不能与已有事项重复）、名称和办理主体后保存。"))
        self._update_buttons()

    def form_values(self) -> dict:
        values = {}
        for key, editor in self.fields.items():
            values[key] = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
        return values

    def set_field(self, key: str, text: str) -> None:
        editor = self.fields[key]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(text)
        else:
            editor.setText(text)

    def save_current(self) -> None:
        values = self.form_values()
        if not self.fields["code"].isReadOnly() and any(r.item.code == values["code"].strip() for r in self.rows):
            self.banner.show_text("danger", escape(tr("事项代码“{c}”已被使用，请换一个。").format(c=values["code"].strip())))
            return
        self._write(card_ops.save_service_item, values, values["code"].strip(),
                    tr("已保存“{n}”。").format(n=values["name"].strip()))

    def hide_current(self) -> None:
        row = self.current_row()
        if row is not None:
            code = row.item.code
            self._write(card_ops.hide_service_item, code, code,
                        tr("已停用“{n}”，不再印在明白卡上。").format(n=row.item.name))

    def reset_current(self) -> None:
        row = self.current_row()
        if row is not None:
            code = row.item.code
            self._write(card_ops.reset_service_item, code, code,
                        tr("已恢复“{n}”的默认内容。").format(n=row.item.name))

    def _write(self, op, argument, code: str, done_text: str) -> None:
        def done(_result) -> None:
            self.fields["code"].setReadOnly(True)
            self._select_after_load = code
            self.banner.show_text("success", escape(done_text))
            self.refresh()
            self.changed.emit()

        self.tasks.run_op(op, argument, on_success=done, on_failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.banner.show_text("danger", escape(error_message(exc)))
