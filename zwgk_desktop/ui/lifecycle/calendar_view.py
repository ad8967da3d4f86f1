"""CalendarExplanation: a 公示期 end date and how it was computed (skipped days and why, warnings)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import WARNING_STYLE

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class CalendarExplanation(QWidget):
    """Shows a `PeriodResult.as_json()` dict: end date, explanation, each skipped/counted day, warnings."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.end_label = QLabel(self)
        self.end_label.setObjectName("periodEnd")
        font = self.end_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.end_label.setFont(font)
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.days = QListWidget(self)
        self.days.setMaximumHeight(120)
        self.days.setAlternatingRowColors(True)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.end_label, self.explanation, self.days, self.warning):
            layout.addWidget(w)
        layout.addStretch(1)
        self.complete = True

    def set_period(self, period: dict | None) -> None:
        self.days.clear()
        if not period:
            self.end_label.setText(tr("公示期满日：—"))
            self.explanation.clear()
            self.days.setVisible(False)
            self.warning.setVisible(False)
            return
        self.end_label.setText(tr("公示期满日：{end}").format(end=period["end"]))
        self.explanation.setText(period.get("explanation", ""))
        for note in period.get("skipped", []):
            mark = tr("计入") if note["counted"] else tr("跳过")
            QListWidgetItem(f"{note['day']}  {mark}  {note['reason']}", self.days)
        self.days.setVisible(self.days.count() > 0)
        self.complete = bool(period.get("calendar_complete", True))
        warnings = period.get("warnings") or []
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
