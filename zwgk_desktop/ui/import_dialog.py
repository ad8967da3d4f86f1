"""The roster import screen: choose a file and category, preview every row with its problems, fix the column mapping, import the good rows.

Reading and checking run off the UI thread (with progress and cancel) through
the task manager; the dialog only shows the `RosterPreview` DTO it gets back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from zwgk_desktop.core.catalogue import get_entry, load_catalogue
from zwgk_desktop.core.disclosures import format_fen
from zwgk_desktop.core.privacy import mask_id_number
from zwgk_desktop.services.rosters.preview import RosterPreview
from zwgk_desktop.ui.i18n import tr

ERROR_BG = QColor("#fde2e1")
WARNING_BG = QColor("#fff4d6")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class PreviewModel(QAbstractTableModel):
    """Rows of a roster preview: spreadsheet row, 状态, the mapped columns, and the problems in words."""

    def __init__(self, preview: RosterPreview | None = None):
        super().__init__()
        self.set_preview(preview)

    def set_preview(self, preview: RosterPreview | None) -> None:
        self.beginResetModel()
        self.preview = preview
        self.rows = preview.rows if preview else []
        entry = get_entry(preview.category) if preview else None
        self.columns = [c for c in entry.columns if c.key in preview.mapping] if preview else []
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns) + 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return tr("行号")
        if section == 1:
            return tr("状态")
        if section == len(self.columns) + 2:
            return tr("问题")
        return self.columns[section - 2].label

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        key = self.columns[column - 2].key if 2 <= column < len(self.columns) + 2 else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.row
            if column == 1:
                return tr("可导入") if row.accepted else tr("有错误")
            if key is None:
                return "；".join(p.message for p in row.problems)
            return preview_cell_text(row, self.columns[column - 2])
        if role == Qt.ItemDataRole.BackgroundRole:
            cell_problems = [p for p in row.problems if p.key == key] if key else []
            if cell_problems and any(p.severity == "error" for p in cell_problems):
                return QBrush(QColor("#f8b4b0"))
            if not row.accepted:
                return QBrush(ERROR_BG)
            if row.problems:
                return QBrush(WARNING_BG)
        if role == Qt.ItemDataRole.ToolTipRole:
            messages = [p.message for p in row.problems if key is None or p.key == key]
            return "\n".join(messages) or None
        if role == ROW_ROLE:
            return row
        return None


def preview_cell_text(row, column) -> str:
    """What the clerk sees in a preview cell: the file's own text where it has a problem, else the parsed value."""
    if column.key in row.raw:
        return row.raw[column.key]
    if column.key == "amount":
        return format_fen(row.values.get("amount_fen"))
    value = row.values.get(column.key)
    if value is None and isinstance(row.values.get("extra"), dict):
        value = row.values["extra"].get(column.key)
    if value is None or value == "":
        return ""
    if column.kind == "id_number":
        return mask_id_number(str(value))
    if column.type == "money" and isinstance(value, int):
        return format_fen(value)
    return str(value)


class MappingDialog(QDialog):
    """Lets the clerk say which spreadsheet column holds each catalogue field."""

    def __init__(self, preview: RosterPreview, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("调整列对应关系"))
        entry = get_entry(preview.category)
        form = QFormLayout(self)
        form.addRow(QLabel(tr("请为每一项选择表格中对应的列（同样格式的表格下次会自动记住）：")))
        self.combos: dict[str, QComboBox] = {}
        for column in entry.columns:
            combo = QComboBox()
            combo.addItem(tr("（不导入）"), None)
            for index, header in enumerate(preview.headers):
                if header:
                    combo.addItem(f"{_letter(index)} 列：{header}", index)
            current = preview.mapping.get(column.key)
            if current is not None:
                combo.setCurrentIndex(combo.findData(current))
            label = column.label + (tr("（必填）") if column.required else "")
            form.addRow(label + "：", combo)
            self.combos[column.key] = combo
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def mapping(self) -> dict[str, int]:
        return {key: combo.currentData() for key, combo in self.combos.items() if combo.currentData() is not None}


def _letter(index: int) -> str:
    from zwgk_desktop.services.rosters.mapping import column_letter

    return column_letter(index)


class ImportDialog(QDialog):
    """Choose → preview → (adjust mapping) → import valid rows, all off the UI thread."""

    imported = Signal(str)  # disclosure id

    def __init__(self, database, tasks, parent=None, user: str = ""):
        super().__init__(parent)
        self.database, self.tasks, self.user = database, tasks, user
        self.preview: RosterPreview | None = None
        self.mapping_override: dict | None = None
        self.setWindowTitle(tr("导入花名册"))
        self.resize(1100, 680)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.path_edit = QLineEdit(readOnly=True, placeholderText=tr("选择县里下发的花名册（.xlsx / .xls / .csv）"))
        browse = QPushButton(tr("选择文件(&O)…"))
        browse.clicked.connect(self.choose_file)
        self.category = QComboBox()
        for code, entry in load_catalogue().items():
            self.category.addItem(entry.name, code)
        self.category.currentIndexChanged.connect(lambda _: self.reload())
        top.addWidget(QLabel(tr("类别：")))
        top.addWidget(self.category)
        top.addWidget(self.path_edit, 1)
        top.addWidget(browse)
        layout.addLayout(top)
        self.title_edit = QLineEdit(placeholderText=tr("公示标题（留空则用表格标题行）"))
        layout.addWidget(self.title_edit)
        self.summary = QLabel(tr("尚未选择文件。"))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = PreviewModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.mapping_button = QPushButton(tr("调整列对应(&M)…"))
        self.mapping_button.clicked.connect(self.adjust_mapping)
        self.report_button = QPushButton(tr("导出问题报告(&R)…"))
        self.report_button.clicked.connect(self.save_report)
        self.import_button = QPushButton(tr("导入有效行(&I)"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.do_import)
        cancel = QPushButton(tr("取消"))
        cancel.clicked.connect(self.reject)
        for button in (self.mapping_button, self.report_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- steps ------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("选择花名册"), "", tr("表格 (*.xlsx *.xlsm *.xls *.csv)"))
        if path:
            self.load(path)

    def load(self, path: str, category: str | None = None) -> None:
        if category:
            self.category.setCurrentIndex(self.category.findData(category))
        self.path_edit.setText(path)
        self.mapping_override = None
        self.reload()

    def reload(self) -> None:
        path = self.path_edit.text()
        if not path:
            return
        category, override = self.category.currentData(), self.mapping_override

        def work(job):
            from zwgk_desktop.services.rosters.importer import preview_roster

            with self.database.session() as session:
                return preview_roster(session, path, category, mapping_override=override, job=job)

        self.summary.setText(tr("正在读取和检查……"))
        self.tasks.run_with_progress(work, self.show_preview, tr("正在检查花名册…"), self, on_failure=self.show_failure)

    def show_preview(self, preview: RosterPreview) -> None:
        self.preview = preview
        self.model.set_preview(preview)
        self.table.resizeColumnsToContents()
        entry = get_entry(preview.category)
        missing = [c.label for c in entry.columns if c.required and c.key not in preview.mapping]
        lines = [
            tr("工作表“{sheet}”，表头在第 {row} 行；共 {n} 行：<b style='color:#1b7f3b'>{ok} 行可导入</b>，"
               "<b style='color:#b00020'>{bad} 行有错误</b>。").format(
                sheet=preview.sheet, row=preview.header_row, n=len(preview.rows), ok=preview.accepted, bad=preview.rejected),
        ]
        if missing:
            lines.append(tr("<b style='color:#b00020'>未找到必填列：{cols}。请点“调整列对应”。</b>").format(cols="、".join(missing)))
        lines += [p.message for p in preview.file_problems]
        self.summary.setText("<br>".join(lines))
        self._update_buttons()

    def show_failure(self, exc: BaseException) -> None:
        from zwgk_desktop.ui.tasks import error_message

        self.preview = None
        self.model.set_preview(None)
        self.summary.setText(f"<b style='color:#b00020'>{error_message(exc)}</b>")
        self._update_buttons()

    def adjust_mapping(self) -> None:
        if self.preview is None:
            return
        dialog = MappingDialog(self.preview, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.mapping_override = dialog.mapping()
            self.reload()

    def save_report(self) -> None:
        if self.preview is None:
            return
        suggested = str(Path(self.path_edit.text()).with_name(Path(self.path_edit.text()).stem + "-导入问题报告.xlsx"))
        path, _ = QFileDialog.getSaveFileName(self, tr("保存问题报告"), suggested, tr("Excel 工作簿 (*.xlsx)"))
        if path:
            from zwgk_desktop.services.rosters.report import write_import_report

            write_import_report(self.preview, path)

    def do_import(self) -> None:
        preview, title, user = self.preview, self.title_edit.text(), self.user
        if preview is None or preview.accepted == 0:
            return

        def work(job):
            from zwgk_desktop.services.rosters.importer import import_roster

            with self.database.session(user=user) as session:
                return import_roster(session, preview, title=title or None, author=user, job=job).disclosure_id

        self.tasks.run_with_progress(work, self.finish_import, tr("正在导入…"), self)

    def finish_import(self, disclosure_id: str) -> None:
        """The caller (main window) shows the new draft; no modal box to click away."""
        self.imported.emit(disclosure_id)
        self.accept()

    def _update_buttons(self) -> None:
        has = self.preview is not None
        self.mapping_button.setEnabled(has)
        self.report_button.setEnabled(has and bool(self.preview.rejected or self.preview.file_problems))
        self.import_button.setEnabled(has and self.preview.accepted > 0)
        self.import_button.setText(tr("导入有效行 ({n})(&I)").format(n=self.preview.accepted if has else 0))
