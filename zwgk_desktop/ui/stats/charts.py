"""Bar and line charts drawn with QPainter (PySide6-Essentials has no QtCharts).

`BarChart` draws one or more series as grouped bars, `LineChart` as lines
with dots; both take category labels, `Series` (name, values, colour) and a
value formatter for the axis and the value labels. Integers only go in (counts,
fen); the formatter decides how they read (e.g. fen → 万元). Nice axis
ticks, Chinese labels in the widget's font, a legend when there are several
series, and a "暂无数据" message when everything is zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

PALETTE = ("#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599")
AXIS_COLOR = QColor("#8a94a3")
GRID_COLOR = QColor("#e6e9ee")
TEXT_COLOR = QColor("#39424e")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]
    color: str = ""


def plain_number(value: float) -> str:
    return f"{value:,.0f}"


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """0 and round steps (1/2/2.5/5 × 10ⁿ, at least 1) up to at least `maximum`."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(1.0, next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))  # data are integers
    ticks = [0.0]
    while ticks[-1] < maximum - 1e-9:
        ticks.append(ticks[-1] + step)
    return ticks


class _Chart(QWidget):
    def __init__(self, title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.labels: list[str] = []
        self.series: list[Series] = []
        self.formatter: Callable[[float], str] = plain_number
        self.show_values = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 240)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(560, 320)

    def set_data(self, labels: list[str], series: list[Series], formatter: Callable[[float], str] | None = None) -> None:
        self.labels = list(labels)
        self.series = [
            Series(s.name, tuple(s.values), s.color or PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)
        ]
        self.formatter = formatter or plain_number
        self.update()

    @property
    def maximum(self) -> int:
        return max((v for s in self.series for v in s.values), default=0)

    # --- painting frame shared by both charts --------------------------------
    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        base = QFont(self.font())
        small = QFont(base)
        small.setPointSizeF(max(7.5, base.pointSizeF() * 0.85))
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() * 1.15)
        title.setBold(True)
        return base, small, title

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        base, small, title_font = self._fonts()
        top = 8
        if self.title:
            painter.setFont(title_font)
            painter.setPen(TEXT_COLOR)
            height = QFontMetrics(title_font).height()
            painter.drawText(QRectF(12, top, self.width() - 24, height), Qt.AlignmentFlag.AlignLeft, self.title)
            top += height + 4
        if len(self.series) > 1:
            top = self._draw_legend(painter, small, top) + 4
        if not self.labels or self.maximum <= 0:
            painter.setFont(base)
            painter.setPen(AXIS_COLOR)
            painter.drawText(QRectF(0, top, self.width(), self.height() - top), Qt.AlignmentFlag.AlignCenter, "暂无数据")
            return
        ticks = nice_ticks(self.maximum)
        metrics = QFontMetrics(small)
        left = 12 + max(metrics.horizontalAdvance(self.formatter(t)) for t in ticks) + 8
        rotate = self._labels_need_rotation(metrics, left)
        label_height = (max(metrics.horizontalAdvance(l) for l in self.labels) * 0.72 + 8) if rotate else metrics.height() + 8
        plot = QRectF(left, top + metrics.height() + 4, self.width() - left - 16, 0)
        plot.setBottom(self.height() - label_height - 10)
        if plot.height() < 40:
            return
        self._draw_axes(painter, small, plot, ticks)
        self._draw_labels(painter, small, plot, rotate)
        self._draw_series(painter, small, plot, ticks[-1])

    def _draw_legend(self, painter: QPainter, font: QFont, top: float) -> float:
        painter.setFont(font)
        metrics = QFontMetrics(font)
        x = 12.0
        for s in self.series:
            painter.fillRect(QRectF(x, top + metrics.height() / 2 - 5, 14, 10), QColor(s.color))
            painter.setPen(TEXT_COLOR)
            painter.drawText(QPointF(x + 18, top + metrics.ascent()), s.name)
            x += 18 + metrics.horizontalAdvance(s.name) + 18
        return top + metrics.height()

    def _labels_need_rotation(self, metrics: QFontMetrics, left: float) -> bool:
        slot = (self.width() - left - 16) / max(1, len(self.labels))
        return max(metrics.horizontalAdvance(l) for l in self.labels) > slot - 4

    def _y(self, plot: QRectF, value: float, top_value: float) -> float:
        return plot.bottom() - (value / top_value) * plot.height()

    def _draw_axes(self, painter: QPainter, font: QFont, plot: QRectF, ticks: list[float]) -> None:
        painter.setFont(font)
        metrics = QFontMetrics(font)
        for tick in ticks:
            y = self._y(plot, tick, ticks[-1])
            painter.setPen(QPen(GRID_COLOR, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(TEXT_COLOR)
            text = self.formatter(tick)
            painter.drawText(QPointF(plot.left() - 6 - metrics.horizontalAdvance(text), y + metrics.ascent() / 2 - 1), text)
        painter.setPen(QPen(AXIS_COLOR, 1.2))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

    def _slot(self, plot: QRectF) -> float:
        return plot.width() / max(1, len(self.labels))

    def _draw_labels(self, painter: QPainter, font: QFont, plot: QRectF, rotate: bool) -> None:
        painter.setFont(font)
        painter.setPen(TEXT_COLOR)
        metrics = QFontMetrics(font)
        slot = self._slot(plot)
        for i, label in enumerate(self.labels):
            cx = plot.left() + slot * (i + 0.5)
            if rotate:
                painter.save()
                painter.translate(cx + metrics.ascent() / 3, plot.bottom() + 6)
                painter.rotate(-45)
                painter.drawText(QPointF(-metrics.horizontalAdvance(label), 0), label)
                painter.restore()
            else:
                width = metrics.horizontalAdvance(label)
                painter.drawText(QPointF(cx - width / 2, plot.bottom() + 4 + metrics.ascent()), label)

    def _draw_series(self, painter: QPainter, font: QFont, plot: QRectF, top_value: float) -> None:
        raise NotImplementedError


class BarChart(_Chart):
    """Grouped vertical bars, one group per label, one bar per series, value on top of each bar."""

    def _draw_series(self, painter: QPainter, font: QFont, plot: QRectF, top_value: float) -> None:
        slot = self._slot(plot)
        count = len(self.series)
        group = slot * 0.72
        bar = min(56.0, group / count)
        metrics = QFontMetrics(font)
        painter.setFont(font)
        for i in range(len(self.labels)):
            start = plot.left() + slot * (i + 0.5) - bar * count / 2
            for j, s in enumerate(self.series):
                value = s.values[i] if i < len(s.values) else 0
                if value <= 0:
                    continue
                y = self._y(plot, value, top_value)
                rect = QRectF(start + j * bar + 1, y, bar - 2, plot.bottom() - y)
                path = QPainterPath()
                path.addRoundedRect(rect, 3, 3)
                painter.fillPath(path, QColor(s.color))
                text = self.formatter(value)
                if self.show_values and metrics.horizontalAdvance(text) <= slot:
                    painter.setPen(TEXT_COLOR)
                    painter.drawText(QPointF(rect.center().x() - metrics.horizontalAdvance(text) / 2, y - 3), text)


class LineChart(_Chart):
    """One line with dots per series; the value is written above each non-zero point."""

    def _draw_series(self, painter: QPainter, font: QFont, plot: QRectF, top_value: float) -> None:
        slot = self._slot(plot)
        metrics = QFontMetrics(font)
        painter.setFont(font)
        for s in self.series:
            points = [
                QPointF(plot.left() + slot * (i + 0.5), self._y(plot, s.values[i] if i < len(s.values) else 0, top_value))
                for i in range(len(self.labels))
            ]
            color = QColor(s.color)
            painter.setPen(QPen(color, 2.4))
            for a, b in zip(points, points[1:]):
                painter.drawLine(a, b)
            painter.setBrush(color)
            for i, point in enumerate(points):
                painter.setPen(QPen(QColor("#ffffff"), 1.5))
                painter.drawEllipse(point, 4.5, 4.5)
                value = s.values[i] if i < len(s.values) else 0
                if self.show_values and value > 0:
                    text = self.formatter(value)
                    if metrics.horizontalAdvance(text) <= slot * 1.6:
                        painter.setPen(TEXT_COLOR)
                        painter.drawText(QPointF(point.x() - metrics.horizontalAdvance(text) / 2, point.y() - 8), text)
            painter.setBrush(Qt.BrushStyle.NoBrush)
