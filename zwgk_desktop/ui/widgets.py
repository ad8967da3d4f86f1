"""Small reusable widgets: the coloured status pill (delegate and label), a debounced search box, a placeholder page,
the "where to start" card an empty township shows.

Widgets only; no database access. The table models (and the core modules behind them: privacy, households)
are imported where a pill is painted, not with this module: 今日待办's start card comes from here at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ui.i18n import tr

SEARCH_DEBOUNCE_MS = 300


class StatusPillDelegate(QStyledItemDelegate):
    """Paints a notice status as a rounded coloured pill (colour from `StatusRole`)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        from zwgk_desktop.ui.table_models import StatusRole, status_colors  # (not with this module: see doc)

        status = index.data(StatusRole)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        if not status:
            super().paint(painter, option, index)
            return
        # background/selection as usual, without text
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        fg, bg = status_colors(status)
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 20
        height = metrics.height() + 4
        rect = QRectF(option.rect)
        pill = QRectF(rect.center().x() - width / 2, rect.center().y() - height / 2, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(pill, height / 2, height / 2)
        painter.fillPath(path, bg)
        painter.setPen(fg)
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()


class StatusPill(QLabel):
    """A status label in its colours, for the detail header."""

    def set_status(self, status: str, label: str) -> None:
        from zwgk_desktop.ui.table_models import status_colors

        fg, bg = status_colors(status)
        self.setObjectName("statusPill")
        self.setText(label)
        self.setStyleSheet(f"QLabel#statusPill {{ color: {fg.name()}; background: {bg.name()}; }}")


class SearchBox(QLineEdit):
    """A line edit that emits `search_changed(text)` once the user pauses typing (or presses Enter)."""

    search_changed = Signal(str)

    def __init__(self, placeholder: str = "", parent: QWidget | None = None, *, debounce_ms: int = SEARCH_DEBOUNCE_MS):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._emit)
        self.textChanged.connect(lambda _text: self._timer.start())
        self.returnPressed.connect(self._emit)
        self._last: str | None = None

    def _emit(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search_changed.emit(text)


class PlaceholderPage(QWidget):
    """A page still to come: says what it will do, so the clerk knows where things will live."""

    def __init__(self, title: str, summary: str, points: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        card = QFrame(self)
        card.setObjectName("placeholderCard")
        card.setMaximumWidth(720)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(12)
        heading = QLabel(title, card)
        heading.setObjectName("pageTitle")
        inner.addWidget(heading)
        lead = QLabel(summary, card)
        lead.setWordWrap(True)
        inner.addWidget(lead)
        for point in points:
            bullet = QLabel(f"•  {point}", card)
            bullet.setWordWrap(True)
            bullet.setContentsMargins(12, 0, 0, 0)
            inner.addWidget(bullet)
        soon = QLabel(tr("此功能正在开发中，将在后续版本中提供。"), card)
        soon.setObjectName("muted")
        inner.addWidget(soon)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        outer.addStretch(1)


def muted_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A grey explanatory line that wraps (the "muted" style): hints, notes and summaries on every page."""
    label = QLabel(text, parent)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


def titled_card(title: str, object_name: str, parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A framed card with a bold heading (styled by `object_name` in the stylesheet); returns it and its layout."""
    frame = QFrame(parent)
    frame.setObjectName(object_name)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(18, 14, 18, 16)
    layout.setSpacing(10)
    heading = QLabel(title)
    heading.setObjectName("cardTitle")
    layout.addWidget(heading)
    return frame, layout


def fill_village_combo(combo, villages, all_text: str, scoped: bool) -> None:
    """Villages (anything with `.id` and `.name`) as choices, keeping the current one; the 全部 entry
    (`all_text`, data None) unless the user is limited to a single village, which is then chosen outright."""
    keep = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if not scoped or len(villages) > 1:
        combo.addItem(all_text, None)
    for village in villages:
        combo.addItem(village.name, village.id)
    combo.setCurrentIndex(max(0, combo.findData(keep)))
    combo.setEnabled(combo.count() > 1)
    combo.blockSignals(False)


def radio_choice(owner: QWidget, parent: QWidget | None, labels: list[str]) -> tuple[QHBoxLayout, QButtonGroup, list[QRadioButton]]:
    """A row of exclusive radio buttons (the first checked) with its button group, owned by `owner`."""
    row = QHBoxLayout() if parent is None else QHBoxLayout(parent)
    group = QButtonGroup(owner)
    radios = [QRadioButton(label, parent) for label in labels]
    radios[0].setChecked(True)
    for radio in radios:
        group.addButton(radio)
        row.addWidget(radio)
    row.addStretch(1)
    return row, group, radios


class GettingStarted(QFrame):
    """What a new clerk sees while the township has no notice yet: where to start (导入花名册 / 新建公示).

    `import_clicked` / `new_clicked` are connected by whoever owns those actions; `set_can_create(False)`
    (a role that cannot create notices) says whom to ask instead."""

    import_clicked = Signal()
    new_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gettingStarted")
        self.setStyleSheet("QFrame#gettingStarted { background: #f5f8fd; border: 1px solid #c6d8f5; border-radius: 8px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(10)
        heading = QLabel(tr("还没有任何公示，从这里开始"), self)
        heading.setObjectName("cardTitle")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        self.steps = QLabel(tr(
            "1. 导入花名册：把县里下发的低保、特困、临时救助等花名册（Excel/CSV）导入为一条草稿公示，系统逐行检查身份证号、金额和村名。\n"
            "2. 新建公示：没有花名册的公告（村务、财务、服务事项等），直接填写标题和正文。\n"
            "3. 提交审核 → 审核通过 → 打印张贴稿 → 登记张贴并拍照留档，今日待办会提醒每一步。"), self)
        self.steps.setWordWrap(True)
        layout.addWidget(self.steps)
        row = QHBoxLayout()
        self.import_button = QPushButton(tr("导入花名册(&I)…"), self)
        self.import_button.setObjectName("startImport")
        self.new_button = QPushButton(tr("新建公示(&N)…"), self)
        self.new_button.setObjectName("startNew")
        self.import_button.clicked.connect(self.import_clicked)
        self.new_button.clicked.connect(self.new_clicked)
        row.addWidget(self.import_button)
        row.addWidget(self.new_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.hint = muted_label(parent=self)
        self.hint.setVisible(False)
        layout.addWidget(self.hint)

    def set_can_create(self, can: bool, role_label: str = "") -> None:
        self.import_button.setEnabled(can)
        self.new_button.setEnabled(can)
        self.hint.setText("" if can else tr("您的角色（{role}）不能新建公示；请由经办人或管理员导入花名册或新建公示。").format(role=role_label))
        self.hint.setVisible(not can)
