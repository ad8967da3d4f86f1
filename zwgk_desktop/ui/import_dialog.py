"""The roster import screen: choose a file and category, preview every row with its problems, fix the column mapping, import the good rows.

Everything goes through `ops.rosters` on the task manager: the preview is a
read op on the worker pool (the file itself is read in a child process with
memory and time limits, so a hostile file shows a Chinese message instead of
taking the app down), the import a write op on the database thread, the
problem report a file write. The dialog only shows the `RosterPreview` DTO:
the mapped columns (家庭人口, 保障人数, the change type as the roster wrote it,
the funding parts 中央…自筹), each row's problems, counts per change type and
the money the notice will total (停保 lines listed, not counted). Villages the
township doesn't know can be added from here ("添加该村…", `ops.villages`),
after which the preview is read again.
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
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from zwgk_desktop.core.catalogue import Column, get_entry, load_catalogue
from zwgk_desktop.core.disclosures import format_fen
from zwgk_desktop.core.line_items import FUNDING_LABELS, ChangeType, change_type_label, counts_in_totals, funding_key
from zwgk_desktop.core.privacy import mask_id_number
from zwgk_desktop.ops import rosters as roster_ops
from zwgk_desktop.ops import villages as village_ops
from zwgk_desktop.services.rosters.preview import RosterPreview
from zwgk_desktop.ui.i18n import tr

ERROR_BG = QColor("#fde2e1")
WARNING_BG = QColor("#fff4d6")
STOP_FG = QColor("#7a8290")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS, PROBLEMS = "status", "problems"


def preview_columns(preview: RosterPreview) -> list[Column]:
    """The catalogue columns the file maps, then the funding parts it carries (中央 … 自筹)."""
    entry = get_entry(preview.category)
    columns = [c for c in entry.columns if c.key in preview.mapping]
    for part, label in FUNDING_LABELS.items():
        if funding_key(part) in preview.mapping:
            columns.append(Column(key=funding_key(part), label=tr("{part}(元)").format(part=label), type="money"))
    return columns


class PreviewModel(QAbstractTableModel):
    """Rows of a roster preview: spreadsheet row, 状态, the mapped columns, and the problems in words."""

    def __init__(self, preview: RosterPreview | None = None):
        super().__init__()
        self.set_preview(preview)

    def set_preview(self, preview: RosterPreview | None) -> None:
        self.beginResetModel()
        self.preview = preview
        self.rows = preview.rows if preview else []
        self.columns = preview_columns(preview) if preview else []
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns) + 3

    def column_index(self, key: str) -> int:
        return next((i + 2 for i, c in enumerate(self.columns) if c.key == key), -1)

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
        stopped = not counts_in_totals(row.values.get("change_type_code"))
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.row
            if column == 1:
                if not row.accepted:
                    return tr("有错误")
                return tr("可导入（停保，不计入合计）") if stopped else tr("可导入")
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
        if role == Qt.ItemDataRole.ForegroundRole and stopped and row.accepted:
            return QBrush(STOP_FG)
        if role == Qt.ItemDataRole.ToolTipRole:
            messages = [p.message for p in row.problems if key is None or p.key == key]
            return "\n".join(messages) or None
        if role == ROW_ROLE:
            return row
        return None


def preview_cell_text(row, column: Column) -> str:
    """What the clerk sees in a preview cell: the file's own text where it has a problem, else the parsed value."""
    if column.key in row.raw:
        return row.raw[column.key]
    values = row.values
    if column.key == "amount":
        return format_fen(values.get("amount_fen"))
    if column.key.startswith("funding."):
        funding = values.get("funding") or {}
        part = column.key.split(".", 1)[1]
        return format_fen(funding.get(part)) if funding else ""
    if column.field:
        value = values.get(column.field)
        if value is None and column.key == "people":
            value = values.get("people")
        return "" if value is None else str(value)
    if column.key == "change_type":
        text, code = values.get("change_type") or "", values.get("change_type_code")
        label = change_type_label(code)
        return text if not label or text == label else tr("{text}（{label}）").format(text=text, label=label)
    value = values.get(column.key)
    if value is None or value == "":
        return ""
    if column.kind == "id_number":
        return mask_id_number(str(value))
    if column.type == "money" and isinstance(value, int):
        return format_fen(value)
    return str(value)


def summary_lines(preview: RosterPreview) -> list[str]:
    """The preview's headline: rows, what imports, per change type, the total the notice will have."""
    entry = get_entry(preview.category)
    lines = [
        tr("工作表“{sheet}”，表头在第 {row} 行（共 {depth} 行表头）；共 {n} 行：<b style='color:#1b7f3b'>{ok} 行可导入</b>，"
           "<b style='color:#b00020'>{bad} 行有错误</b>。").format(
            sheet=preview.sheet, row=preview.header_row, depth=preview.header_rows, n=len(preview.rows),
            ok=preview.accepted, bad=preview.rejected),
    ]
    kinds = preview.change_types
    if kinds:
        parts = [f"{ChangeType(code).label} {count} 户" for code, count in kinds.items()]
        lines.append(tr("变动情况：{parts}。停保的户列入公示，但不计入合计和明白卡。").format(parts="、".join(parts)))
    if any(funding_key(p) in preview.mapping for p in FUNDING_LABELS):
        lines.append(tr("已识别资金来源列（中央、省级、市级、县级、自筹）；金额取“合计”列，没有合计列时按各项之和。"))
    lines.append(tr("可导入金额合计 <b>{amount}</b> 元（不含停保）。").format(amount=format_fen(preview.accepted_fen)))
    if preview.total_rule == "without_stop":
        lines.append(tr("表中合计行不含停保的户，已与各行核对一致。"))
    elif preview.total_rule == "with_stop":
        lines.append(tr("表中合计行含停保的户，已与各行核对一致。"))
    missing = [c.label for c in entry.columns if c.required and c.key not in preview.mapping
               and not (c.key == "amount" and any(k.startswith("funding.") for k in preview.mapping))]
    if missing:
        lines.append(tr("<b style='color:#b00020'>未找到必填列：{cols}。请点“调整列对应”。</b>").format(cols="、".join(missing)))
    return lines


class MappingDialog(QDialog):
    """Lets the clerk say which spreadsheet column holds each catalogue field (and each funding part)."""

    def __init__(self, preview: RosterPreview, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("调整列对应关系"))
        entry = get_entry(preview.category)
        form = QFormLayout(self)
        form.addRow(QLabel(tr("请为每一项选择表格中对应的列（同样格式的表格下次会自动记住）：")))
        self.combos: dict[str, QComboBox] = {}
        fields = [(c.key, c.label + (tr("（必填）") if c.required else "")) for c in entry.columns]
        fields += [(funding_key(part), tr("资金来源：{part}").format(part=label)) for part, label in FUNDING_LABELS.items()]
        for key, label in fields:
            combo = QComboBox()
            combo.addItem(tr("（不导入）"), None)
            for index, header in enumerate(preview.headers):
                if header:
                    combo.addItem(f"{_letter(index)} 列：{header}", index)
            current = preview.mapping.get(key)
            if current is not None:
                combo.setCurrentIndex(combo.findData(current))
            form.addRow(label + "：", combo)
            self.combos[key] = combo
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def mapping(self) -> dict[str, int | None]:
        """Every field's column; None unmaps it (so an automatic guess the clerk cleared stays cleared)."""
        return {key: combo.currentData() for key, combo in self.combos.items()}


def _letter(index: int) -> str:
    from zwgk_desktop.services.rosters.mapping import column_letter

    return column_letter(index)


def unknown_villages(preview: RosterPreview | None) -> list[str]:
    """Village names the preview could not find, as the roster wrote them (without a trailing 组)."""
    if preview is None:
        return []
    names: dict[str, None] = {}
    for row in preview.rows:
        if any(p.code == "unknown_village" for p in row.problems):
            text = str(row.values.get("village") or "").strip()
            if text:
                names.setdefault(_village_part(text), None)
    return list(names)


def _village_part(text: str) -> str:
    from zwgk_desktop.services.rosters.validate import split_village_group_unknown

    return split_village_group_unknown(text)[0]


class ImportDialog(QDialog):
    """Choose → preview → (adjust mapping, add a missing village) → import valid rows, all off the UI thread."""

    imported = Signal(str)  # disclosure id
    village_added = Signal(str)
    previewed = Signal(object)  # the RosterPreview now shown

    def __init__(self, database, tasks, parent=None, user: str = "", actor=None):
        super().__init__(parent)
        self.tasks, self.user = tasks, user
        if tasks.database is None:
            tasks.bind(database=database)
        self.actor = actor  # None: the task manager's signed-in user
        self.preview: RosterPreview | None = None
        self.mapping_override: dict | None = None
        self._request = 0  # only the latest preview asked for is shown
        self.ask_village_name = self._ask_village_name  # injectable: tests answer without a modal box
        self.setWindowTitle(tr("导入花名册"))
        self.resize(1180, 700)
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
        self.title_edit = QLineEdit(placeholderText=tr("公示标题（留空则按类别模板生成）"))
        layout.addWidget(self.title_edit)
        self.summary = QLabel(tr("尚未选择文件。"))
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
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
        self.village_button = QPushButton(tr("添加该村(&V)…"))
        self.village_button.setToolTip(tr("把表中本乡镇还没有的村（社区）添加到“设置—村（社区）与公开栏”，然后重新检查"))
        self.village_button.clicked.connect(self.add_missing_village)
        self.report_button = QPushButton(tr("导出问题报告(&R)…"))
        self.report_button.clicked.connect(self.save_report)
        self.import_button = QPushButton(tr("导入有效行(&I)"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.do_import)
        cancel = QPushButton(tr("取消"))
        cancel.clicked.connect(self.reject)
        for button in (self.mapping_button, self.village_button, self.report_button):
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
            self.category.blockSignals(True)
            self.category.setCurrentIndex(self.category.findData(category))
            self.category.blockSignals(False)
        self.path_edit.setText(path)
        self.mapping_override = None
        self.reload()

    def reload(self) -> None:
        path = self.path_edit.text()
        if not path:
            return
        self.summary.setText(tr("正在读取和检查……"))
        self._request += 1
        request = self._request

        def shown(preview: RosterPreview) -> None:
            if request == self._request:
                self.show_preview(preview)

        def failed(exc: BaseException) -> None:
            if request == self._request:
                self.show_failure(exc)

        self.tasks.run_op(roster_ops.preview_roster, path, self.category.currentData(), self.mapping_override,
                          on_success=shown, on_failure=failed, progress=tr("正在检查花名册…"), parent=self,
                          actor=self.actor, owner=self)

    def show_preview(self, preview: RosterPreview) -> None:
        self.preview = preview
        self.model.set_preview(preview)
        if preview.default_title:
            self.title_edit.setPlaceholderText(tr("公示标题（留空则为“{title}”）").format(title=preview.default_title))
        self.table.resizeColumnsToContents()
        lines = summary_lines(preview)
        missing = unknown_villages(preview)
        if missing:
            lines.append(tr("表中有本乡镇尚未设置的村（社区）：{names}。核对无误后可点“添加该村”。").format(names="、".join(missing)))
        lines += [p.message for p in preview.file_problems[:8]]
        self.summary.setText("<br>".join(lines))
        self._update_buttons()
        self.previewed.emit(preview)

    def show_failure(self, exc: BaseException) -> None:
        from zwgk_desktop.errors import Cancelled
        from zwgk_desktop.ui.tasks import error_message

        self.preview = None
        self.model.set_preview(None)
        text = tr("已取消读取。") if isinstance(exc, Cancelled) else error_message(exc)
        self.summary.setText(f"<b style='color:#b00020'>{text}</b>")
        self._update_buttons()

    def adjust_mapping(self) -> None:
        if self.preview is None:
            return
        dialog = MappingDialog(self.preview, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.mapping_override = dialog.mapping()
            self.reload()

    # --- 添加该村 ----------------------------------------------------------------------------
    def add_missing_village(self) -> None:
        names = unknown_villages(self.preview)
        if not names:
            return
        name = self.ask_village_name(names)
        if name:
            self.add_village(name)

    def _ask_village_name(self, names: list[str]) -> str:
        name, ok = QInputDialog.getItem(
            self, tr("添加村（社区）"), tr("表中本乡镇还没有的村（社区）。请核对名称（可修改），添加后将重新检查："),
            names, 0, True)
        return name.strip() if ok else ""

    def add_village(self, name: str) -> None:
        """Add `name` to the township (`ops.villages.add_village`), then read the roster again."""
        def added(change) -> None:
            self.village_added.emit(change.name)
            self.reload()

        self.tasks.run_op(village_ops.add_village, name, on_success=added, on_failure=self.show_failure,
                          actor=self.actor, owner=self)

    # --- outputs -----------------------------------------------------------------------------
    def save_report(self) -> None:
        if self.preview is None:
            return
        suggested = str(Path(self.path_edit.text()).with_name(Path(self.path_edit.text()).stem + "-导入问题报告.xlsx"))
        path, _ = QFileDialog.getSaveFileName(self, tr("保存问题报告"), suggested, tr("Excel 工作簿 (*.xlsx)"))
        if path:
            self.write_report(path)

    def write_report(self, path: str) -> None:
        self.tasks.run_op(roster_ops.write_import_report, self.preview, path, on_failure=self.show_failure,
                          actor=self.actor)

    def do_import(self) -> None:
        preview, title = self.preview, self.title_edit.text()
        if preview is None or preview.accepted == 0:
            return
        self.tasks.run_op(roster_ops.import_roster, preview, None, title=title or None, on_success=self.finish_import,
                          on_failure=self.show_failure, progress=tr("正在导入…"), parent=self, actor=self.actor)

    def finish_import(self, result) -> None:
        """The caller (main window) shows the new draft; no modal box to click away."""
        if not result.disclosure_id:  # someone imported the same people meanwhile: show why, import nothing
            self.show_preview(result.preview)
            self.summary.setText(self.summary.text() + "<br>" + tr(
                "<b style='color:#b00020'>导入时发现这些人已在其他有效公示中（可能刚被他人导入），未生成公示。</b>"))
            return
        self.imported.emit(result.disclosure_id)
        self.accept()

    def _update_buttons(self) -> None:
        has = self.preview is not None
        self.mapping_button.setEnabled(has)
        self.village_button.setVisible(bool(unknown_villages(self.preview)))
        self.report_button.setEnabled(has and bool(self.preview.rejected or self.preview.file_problems))
        self.import_button.setEnabled(has and self.preview.accepted > 0)
        self.import_button.setText(tr("导入有效行 ({n})(&I)").format(n=self.preview.accepted if has else 0))

