"""CalendarExplanation: a 公示期 — its range and length, the end date, how it was computed (skipped days, warnings).

It shows a `core.periods.NoticePeriod.as_json()` dict (or a `PostingPlan.as_json()`), using the texts the
core formatted (`screen_text`), so the review dialog, the posting dialog and the lists say the same thing.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import WARNING_STYLE

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class CalendarExplanation(QWidget):
    """Range and days ('公示期：2026-12-04 至 2026-12-10（7天）'), end date, explanation, special days, warnings."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.range_label = QLabel(self)
        self.range_label.setObjectName("periodRange")
        self.range_label.setWordWrap(True)
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
        for w in (self.end_label, self.range_label, self.explanation, self.days, self.warning):
            layout.addWidget(w)
        layout.addStretch(1)
        self.complete = True
        self.period: dict | None = None

    def set_period(self, period: dict | None) -> None:
        self.period = period or None
        self.days.clear()
        if not period:
            self.end_label.setText(tr("公示期满日：—"))
            self.range_label.clear()
            self.explanation.clear()
            self.days.setVisible(False)
            self.warning.setVisible(False)
            return
        self.end_label.setText(tr("公示期满日：{end}").format(end=period["end"]))
        if period.get("screen_text"):
            posted = period.get("posted_on", "")
            when = tr("计划张贴日") if period.get("planned") else tr("张贴日")
            self.range_label.setText(tr("公示期：{range}　{when} {posted}").format(
                range=period["screen_text"], when=when, posted=posted))
        else:
            self.range_label.clear()
        self.explanation.setText(period.get("explanation", ""))
        for note in period.get("skipped", []):
            mark = tr("计入") if note["counted"] else tr("跳过")
            QListWidgetItem(f"{note['day']}  {mark}  {note['reason']}", self.days)
        self.days.setVisible(self.days.count() > 0)
        self.complete = bool(period.get("calendar_complete", True))
        warnings = period.get("warnings") or []
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
