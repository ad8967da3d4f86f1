"""The yearly report dialog: table 二's hand-typed figures, the cross-checks, and the export (.xlsx + PDF).

"核对" runs `ops.requests.annual_report_preview` (nothing written) and shows
every check with the cells and requests behind a failure, and the requests
still open at year end that must first be confirmed as 结转 (one button).
"导出" runs `ops.requests.export_annual_report`, which writes the workbook and
its PDF twin only when every check holds.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ops import requests as ops
from zwgk_desktop.services.annual_report import (
    COLUMN_LABELS,
    COLUMNS,
    MANUAL_FIELDS,
    ROW_LABELS,
)
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.tasks import error_message

SUMMARY_ROWS = ("new", "carried_in", "total", "carried_out")


class AnnualReportDialog(QDialog):
    """Check and export one year's 政府信息公开工作年度报告 tables."""

    checked = Signal(object)  # the AnnualReport previewed
    exported = Signal(object)  # the AnnualReport exported (ok or not)

    def __init__(self, tasks, parent: QWidget | None = None, *, year: int):
        super().__init__(parent)
        self.tasks = tasks
        self.report = None
        self.setWindowTitle(tr("政府信息公开工作年度报告"))
        self.resize(860, 680)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("年度：")))
        self.year = QSpinBox()
        self.year.setRange(2019, 2100)
        self.year.setValue(year)
        self.year.valueChanged.connect(self.preview)
        top.addWidget(self.year)
        top.addStretch(1)
        self.check_button = QPushButton(tr("核对(&C)"))
        self.check_button.clicked.connect(self.preview)
        self.carry_button = QPushButton(tr("确认全部结转下年度"))
        self.carry_button.clicked.connect(self.carry_all)
        self.carry_button.hide()
        self.export_button = QPushButton(tr("导出 Excel 和 PDF(&E)…"))
        self.export_button.clicked.connect(lambda: self.export())
        for button in (self.check_button, self.carry_button, self.export_button):
            top.addWidget(button)
        layout.addLayout(top)

        manual = QGroupBox(tr("二、主动公开政府信息情况（手工填写；公示栏主动公开由系统统计）"))
        grid = QGridLayout(manual)
        self.inputs: dict[str, QWidget] = {}
        for index, (key, label) in enumerate(MANUAL_FIELDS.items()):
            if key == "fees":
                widget = QLineEdit("0")
            else:
                widget = QSpinBox()
                widget.setRange(0, 10_000_000)
            self.inputs[key] = widget
            form = QFormLayout()
            form.addRow(tr(label), widget)
            grid.addLayout(form, index // 2, index % 2)
        layout.addWidget(manual)
        self.result = QLabel(tr("点“核对”查看表三和核对结果。"))
        self.result.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.result)
        layout.addWidget(scroll, 1)
        self.preview()

    def manual_values(self) -> dict:
        return {key: (w.text().strip() or "0") if isinstance(w, QLineEdit) else w.value() for key, w in self.inputs.items()}

    def preview(self) -> None:
        self.tasks.run_op(ops.annual_report_preview, self.year.value(), on_success=self._show, on_failure=self._fail)

    def _show(self, report, *, exported: bool = False) -> None:
        self.report = report
        for key, widget in self.inputs.items():
            value = report.manual.get(key)
            if value is None:
                continue
            if isinstance(widget, QLineEdit):
                widget.setText(str(value))
            else:
                widget.setValue(int(value))
        self.carry_button.setVisible(bool(report.uncarried))
        self.result.setText(report_html(report, exported))
        self.checked.emit(report)

    def _fail(self, exc: BaseException) -> None:
        self.result.setText(f'<p style="color:#b42318">{escape(error_message(exc))}</p>')

    def carry_all(self) -> None:
        self.tasks.run_op(ops.carry_over, self.year.value(), on_success=lambda _r: self.preview(), on_failure=self._fail)

    def export(self, path: str | None = None) -> None:
        if path is None:
            suggested = str(Path.home() / f"{self.year.value()}年政府信息公开工作年度报告统计表.xlsx")
            path, _ = QFileDialog.getSaveFileName(self, tr("导出年度报告"), suggested, tr("Excel 工作簿 (*.xlsx)"))
            if not path:
                return
        xlsx = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
        self.tasks.run_op(ops.export_annual_report, self.year.value(), xlsx, pdf_path=xlsx.with_suffix(".pdf"),
                          manual=self.manual_values(), on_success=self._exported, on_failure=self._fail)

    def _exported(self, report) -> None:
        self._show(report, exported=True)
        self.exported.emit(report)


def report_html(report, exported: bool = False) -> str:
    parts = []
    if report.uncarried:
        listed = "、".join(f"{u['number']}（{u['received']}收到）" for u in report.uncarried)
        parts.append(f'<p style="color:#b42318">{escape(tr("以下申请尚未答复，也未确认结转下年度，导出前须处理："))}'
                     f"{escape(listed)}</p>")
    verdict = tr("全部通过") if report.ok else tr("未通过")
    colour = "#1a7f37" if report.ok else "#b42318"
    if exported and report.ok:
        parts.append(f'<p style="color:#1a7f37"><b>{escape(tr("已导出："))}</b>{escape(report.paths.get("xlsx", ""))}　'
                     f'{escape(report.paths.get("pdf", ""))}</p>')
    elif exported:
        parts.append(f'<p style="color:#b42318"><b>{escape(tr("核对未通过，未导出任何文件。"))}</b></p>')
    parts.append(f'<p><b>{escape(tr("导出前核对"))}：<span style="color:{colour}">{verdict}</span></b></p><ul>')
    for check in report.checks:
        mark = "✓" if check.ok else "✗"
        style = "" if check.ok else ' style="color:#b42318"'
        parts.append(f"<li{style}>{mark} {escape(check.label)}：{escape(check.detail)}</li>")
    parts.append("</ul>")
    head = "".join(f"<th>{escape(tr(COLUMN_LABELS[c]))}</th>" for c in COLUMNS)
    rows = "".join(
        f"<tr><td>{escape(tr(ROW_LABELS[r]))}</td>"
        + "".join(f'<td align="center">{report.table3.count(r, c)}</td>' for c in COLUMNS) + "</tr>"
        for r in SUMMARY_ROWS)
    parts.append(f"<p><b>{escape(tr('表三（摘要）'))}</b></p>"
                 f'<table border="1" cellspacing="0" cellpadding="3"><tr><th></th>{head}</tr>{rows}</table>')
    return "".join(parts)
