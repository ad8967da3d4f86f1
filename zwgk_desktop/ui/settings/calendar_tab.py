"""设置 → 节假日与调休: which years have holiday data, and entering or importing a year's arrangement.

This is where the clerk answers the posting dialog's warning "2027年的节假日和调休
安排尚未录入": type the State Council's arrangement (rest days and 调休 working
days, one day or range per line) or import a `YYYY.json` file; it is stored
as manual `CalendarDay` rows (the `ops.settings` calendar use cases over
core.calendar_admin) and every later 公示期 computation uses it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.calendar_admin import StoredYear, YearCoverage, statutory_text
from zwgk_desktop.ops import settings as settings_ops
from zwgk_desktop.ops.settings import YearText
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.settings.common import MessageLabel, card
from zwgk_desktop.ui.widgets import muted_label

FIRST_YEAR = 2004
YEARS_AHEAD = 1  # next year is the one whose arrangement is published each November
REST_EXAMPLE = "2027-01-01~2027-01-03 元旦\n2027-02-06~2027-02-12 春节\n2027-04-05 清明节"
WORK_EXAMPLE = "2027-02-14 春节调休上班\n2027-02-20 春节调休上班"


class CalendarTab(QWidget):
    stored = Signal(object)  # StoredYear

    def __init__(self, tasks, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.today = today or date.today()
        self.coverage: dict[int, YearCoverage] = {}
        self.choose_file = lambda: QFileDialog.getOpenFileName(
            self, tr("选择节假日数据文件"), "", tr("节假日数据 (*.json);;所有文件 (*)"))[0]
        outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_years())
        splitter.addWidget(self._build_editor())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter)

    # --- layout -----------------------------------------------------------------
    def _build_years(self) -> QWidget:
        frame, layout = card(tr("各年节假日数据"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("muted")
        layout.addWidget(self.summary)
        self.years_table = QTableWidget(0, 3)
        self.years_table.setHorizontalHeaderLabels([tr("年份"), tr("数据来源"), tr("状态")])
        self.years_table.verticalHeader().setVisible(False)
        self.years_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.years_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.years_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.years_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.years_table.itemSelectionChanged.connect(self._year_selected)
        layout.addWidget(self.years_table, 1)
        return frame

    def _build_editor(self) -> QWidget:
        frame, layout = card(tr("录入或更正一年的放假和调休安排"))
        hint = QLabel(tr("按国务院办公厅当年的放假通知录入（一般在上一年 11 月前后发布）。每行一天或一段：“日期 名称”"
                         "或“开始日期~结束日期 名称”。只需列出放假日（含假期中的周末）和周末调休上班日，普通周末不必列出。"))
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        layout.addWidget(hint)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(FIRST_YEAR, 2200)
        self.year_spin.setMinimumWidth(110)
        self.year_spin.setMaximumWidth(140)
        self.year_spin.setValue(self.today.year + 1)
        self.year_spin.valueChanged.connect(self._load_year)
        self.source_edit = QLineEdit()
        self.source_edit.setPlaceholderText(tr("例如 国务院办公厅关于2027年部分节假日安排的通知"))
        year_label, source_label = QLabel(tr("年份(&Y)：")), QLabel(tr("依据(&O)："))
        year_label.setBuddy(self.year_spin)
        source_label.setBuddy(self.source_edit)
        form.addRow(year_label, self.year_spin)
        form.addRow(source_label, self.source_edit)
        layout.addLayout(form)
        texts = QHBoxLayout()
        self.rest_edit = QPlainTextEdit()
        self.rest_edit.setPlaceholderText(REST_EXAMPLE)
        self.work_edit = QPlainTextEdit()
        self.work_edit.setPlaceholderText(WORK_EXAMPLE)
        for caption, edit in ((tr("放假日(&H)"), self.rest_edit), (tr("调休上班日(&W)"), self.work_edit)):
            column = QVBoxLayout()
            label = QLabel(caption)
            label.setBuddy(edit)
            label.setStyleSheet("font-weight: 600;")
            column.addWidget(label)
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(170)
            column.addWidget(edit, 1)
            texts.addLayout(column, 1)
        layout.addLayout(texts, 1)
        self.year_note = muted_label()
        layout.addWidget(self.year_note)
        row = QHBoxLayout()
        self.save_button = QPushButton(tr("保存该年安排(&S)"))
        self.save_button.clicked.connect(self.save)
        self.import_button = QPushButton(tr("从文件导入(&I)…"))
        self.import_button.setToolTip(tr("导入 YYYY.json 格式的节假日数据文件（县里或技术支持提供）。"))
        self.import_button.clicked.connect(self.import_file)
        self.prefill_button = QPushButton(tr("按法定节假日预填(&P)"))
        self.prefill_button.setToolTip(tr("填入该年依法确定的节日（元旦、春节除夕至初三、清明、劳动节两天、端午、中秋、国庆三天），"
                                          "再按放假通知补上连休的其他日子和调休上班日。"))
        self.prefill_button.clicked.connect(self.prefill_statutory)
        row.addWidget(self.save_button)
        row.addWidget(self.prefill_button)
        row.addWidget(self.import_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = MessageLabel()
        layout.addWidget(self.message)
        return frame

    # --- data -------------------------------------------------------------------
    def refresh(self) -> None:
        last = self.today.year + YEARS_AHEAD
        self.tasks.run_op(settings_ops.calendar_coverage, FIRST_YEAR, last, on_success=self._show_coverage,
                          on_failure=self.message.show_error)
        self._load_year(self.year_spin.value())

    def _show_coverage(self, rows: tuple[YearCoverage, ...]) -> None:
        self.coverage = {c.year: c for c in rows}
        table = self.years_table
        table.blockSignals(True)
        table.setRowCount(len(rows))
        for n, cov in enumerate(rows):
            status = tr("✓ 已有数据") if cov.complete else tr("⚠ 未录入")
            items = (QTableWidgetItem(str(cov.year)), QTableWidgetItem(tr(cov.label)), QTableWidgetItem(status))
            tip = cov.detail or ""
            if cov.manual_days or cov.county_days:
                tip = (tip + "\n" if tip else "") + tr("县级同步 {c} 天，手工录入 {m} 天").format(
                    c=cov.county_days, m=cov.manual_days)
            for column, item in enumerate(items):
                item.setData(Qt.ItemDataRole.UserRole, cov.year)
                item.setToolTip(tip)
                if not cov.complete:
                    item.setForeground(QColor("#8c1d13"))
                    item.setBackground(QColor("#fff4f2"))
                table.setItem(n, column, item)
        table.blockSignals(False)
        package = [c.year for c in rows if "package" in c.sources]
        missing = sorted(c.year for c in rows if not c.complete)
        parts = []
        if package:
            parts.append(tr("内置数据覆盖 {a}–{b} 年。").format(a=min(package), b=max(package)))
        if missing:
            parts.append(tr("{years} 尚无放假调休数据：涉及这些年份的公示期暂按周末和法定节假日推算（不含调休），请在右侧录入。").format(
                years="、".join(f"{y}年" for y in missing)))
        else:
            parts.append(tr("各年数据齐全。"))
        self.summary.setText("".join(parts))
        self._describe_year(self.year_spin.value())

    def _year_selected(self) -> None:
        rows = self.years_table.selectionModel().selectedRows()
        if rows:
            year = self.years_table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
            self.year_spin.setValue(int(year))

    def _load_year(self, year: int) -> None:
        def show(texts: YearText) -> None:
            if self.year_spin.value() != texts.year:
                return
            self.rest_edit.setPlainText(texts.rest)
            self.work_edit.setPlainText(texts.work)
            self._describe_year(texts.year)

        self.tasks.run_op(settings_ops.calendar_year_text, year, on_success=show, on_failure=self.message.show_error)

    def _describe_year(self, year: int) -> None:
        cov = self.coverage.get(year)
        if cov is None or not cov.complete:
            self.year_note.setText(tr("{y} 年尚未录入，请按放假通知填写后保存。").format(y=year))
        elif "manual" in cov.sources or "county" in cov.sources:
            self.year_note.setText(tr("{y} 年已有录入或县级同步的安排（如下），修改后保存即替换本年的手工录入。").format(y=year))
        else:
            self.year_note.setText(tr("{y} 年已有{src}，一般无需录入；如需更正个别日期，可在此填写，手工录入优先。").format(
                y=year, src=tr(cov.label)))

    # --- actions ----------------------------------------------------------------
    def prefill_statutory(self) -> None:
        """Put the year's statutory holidays into the 放假 box (what the law fixes; the notice adds the rest)."""
        year = self.year_spin.value()
        self.rest_edit.setPlainText(statutory_text(year))
        self.message.show_message(tr("已填入 {y} 年的法定节假日。请对照放假通知补充连休的其他日子和调休上班日，核对后保存。").format(
            y=year), "ok")

    def save(self) -> None:
        year = self.year_spin.value()
        rest, work, source = self.rest_edit.toPlainText(), self.work_edit.toPlainText(), self.source_edit.text().strip()
        self.tasks.run_op(settings_ops.store_calendar_year, year, rest, work, source, on_success=self._stored,
                          on_failure=self.message.show_error)

    def import_file(self) -> None:
        path = self.choose_file()
        if not path:
            return
        self.tasks.run_op(settings_ops.import_calendar_file, path, on_success=self._stored,
                          on_failure=self.message.show_error)

    def _stored(self, result: StoredYear) -> None:
        text = tr("已保存 {y} 年的安排：放假 {h} 天，调休上班 {w} 天。此后涉及 {y} 年的公示期将按此计算。").format(
            y=result.year, h=result.holidays, w=result.workdays)
        if result.warnings:
            self.message.show_message(text + "\n" + "\n".join(f"⚠ {w}" for w in result.warnings), "warning")
        else:
            self.message.show_message(text, "ok")
        if self.year_spin.value() != result.year:
            self.year_spin.setValue(result.year)
        self.refresh()
        self.stored.emit(result)
