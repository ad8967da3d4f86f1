"""PDF pages as pictures: reading page sizes and rendering pages with pypdfium2, and the preview widget.

Owns:
- `pdf_page_sizes(path)` and `render_page(path, index, scale)` → `QImage`; pdfium
  is not thread-safe, so every call goes through one process-wide lock and
  opens/closes the document itself (no handle is shared between threads and a
  temp file can be deleted afterwards, even on Windows). `QImage` may be made
  on a worker thread; widgets never are.
- `PdfPreview`: one page at a time in a scroll area, with page navigation
  (buttons, spin box, PgUp/PgDn/Home/End) and zoom (适合页面, 适合宽度, fixed
  percentages, Ctrl+= / Ctrl+-). A page is rendered off the UI thread at the
  pixel size it is shown at, so text stays sharp at every zoom; results of a
  superseded request are dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ui.i18n import tr

_PDFIUM_LOCK = threading.Lock()
POINTS_PER_INCH = 72.0
SCREEN_DPI = 96.0
MAX_SCALE = 6.0
CACHE_PAGES = 8
PAGE_MARGIN = 24
RESIZE_DEBOUNCE_MS = 120
FIT_PAGE, FIT_WIDTH = "page", "width"
QWIDGETSIZE_MAX = 16777215
ZOOM_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)


# --- pdfium -------------------------------------------------------------------------


@dataclass(frozen=True)
class PageSize:
    """A PDF page's size in points."""

    width: float
    height: float


def pdf_page_sizes(path: str | Path) -> list[PageSize]:
    """The size of every page of a PDF (cheap: no page is rendered)."""
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(path))
        try:
            sizes = []
            for index in range(len(document)):
                width, height = document.get_page_size(index)
                sizes.append(PageSize(width, height))
            return sizes
        finally:
            document.close()


def render_page(path: str | Path, index: int, scale: float) -> QImage:
    """Page `index` (0-based) of a PDF as an RGB QImage at `scale` pixels per point."""
    import pypdfium2 as pdfium

    scale = max(0.05, min(float(scale), MAX_SCALE))
    with _PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(path))
        try:
            page = document[index]
            try:
                pil = page.render(scale=scale).to_pil().convert("RGB")
            finally:
                page.close()
        finally:
            document.close()
    data = pil.tobytes()
    image = QImage(data, pil.width, pil.height, pil.width * 3, QImage.Format.Format_RGB888)
    return image.copy()  # own the pixels: `data` goes away with this frame


# --- the widget ------------------------------------------------------------------------


class PdfPreview(QWidget):
    """Shows one page of a PDF at a time, with navigation and zoom; rendering runs on `tasks`."""

    page_shown = Signal(int)  # 0-based index, once its picture is on screen
    document_loaded = Signal(int)  # page count

    def __init__(self, tasks, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.path: str | None = None
        self.sizes: list[PageSize] = []
        self.current = 0
        self.zoom: str | float = FIT_PAGE
        self._generation = 0
        self._cache: OrderedDict[tuple[str, int, int], QImage] = OrderedDict()
        self._shown_key: tuple[str, int, int] | None = None
        self._build()
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(RESIZE_DEBOUNCE_MS)
        self._resize_timer.timeout.connect(self._render_current)
        self.show_message(tr("尚无预览"))

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.prev_button = self._tool_button(tr("◀ 上一页"), tr("上一页（PgUp）"), self.previous_page)
        self.next_button = self._tool_button(tr("下一页 ▶"), tr("下一页（PgDn）"), self.next_page)
        self.page_spin = QSpinBox(self)
        self.page_spin.setMinimum(1)
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.setAccessibleName(tr("页码"))
        self.page_spin.valueChanged.connect(lambda value: self.go_to(value - 1))
        self.page_total = QLabel("", self)
        self.page_total.setObjectName("muted")
        self.zoom_combo = QComboBox(self)
        self.zoom_combo.setAccessibleName(tr("缩放"))
        self.zoom_combo.addItem(tr("适合页面"), FIT_PAGE)
        self.zoom_combo.addItem(tr("适合宽度"), FIT_WIDTH)
        for step in ZOOM_STEPS:
            self.zoom_combo.addItem(f"{round(step * 100)}%", step)
        self.zoom_combo.currentIndexChanged.connect(lambda _i: self.set_zoom(self.zoom_combo.currentData()))
        self.zoom_out_button = self._tool_button("－", tr("缩小（Ctrl+-）"), self.zoom_out)
        self.zoom_in_button = self._tool_button("＋", tr("放大（Ctrl+=）"), self.zoom_in)
        bar.addWidget(self.prev_button)
        bar.addWidget(QLabel(tr("第"), self))
        bar.addWidget(self.page_spin)
        bar.addWidget(self.page_total)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(QLabel(tr("缩放"), self))
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_combo)
        bar.addWidget(self.zoom_in_button)
        outer.addLayout(bar)

        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("pdfScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setStyleSheet("QScrollArea#pdfScroll, QWidget#pdfCanvas { background: #e4e7eb; }")
        canvas = QWidget(self.scroll)
        canvas.setObjectName("pdfCanvas")
        canvas_layout = QVBoxLayout(canvas)
        canvas_layout.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self.page_label = QLabel(canvas)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        canvas_layout.addWidget(self.page_label, 0, Qt.AlignmentFlag.AlignCenter)
        self.scroll.setWidget(canvas)
        outer.addWidget(self.scroll, 1)

        for keys, slot in (
            (QKeySequence(Qt.Key.Key_PageDown), self.next_page),
            (QKeySequence(Qt.Key.Key_PageUp), self.previous_page),
            (QKeySequence(Qt.Key.Key_Home), lambda: self.go_to(0)),
            (QKeySequence(Qt.Key.Key_End), lambda: self.go_to(len(self.sizes) - 1)),
            (QKeySequence("Ctrl+="), self.zoom_in),
            (QKeySequence("Ctrl++"), self.zoom_in),
            (QKeySequence("Ctrl+-"), self.zoom_out),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._update_controls()

    def _tool_button(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(False)
        button.clicked.connect(slot)
        return button

    # --- document ----------------------------------------------------------------
    @property
    def page_count(self) -> int:
        return len(self.sizes)

    def load(self, path: str | Path, page: int = 0) -> None:
        """Show `path` (page sizes read off the UI thread), keeping the zoom; starts at `page`."""
        self._generation += 1
        generation = self._generation
        self.path = str(path)
        self.show_message(tr("正在载入预览…"))
        self.tasks.run(
            lambda: pdf_page_sizes(path),
            lambda sizes: self._loaded(generation, sizes, page),
            lambda exc: self._failed(generation, exc),
            db=False,
            owner=self.page_label,
        )

    def clear(self, message: str = "") -> None:
        self._generation += 1
        self.path, self.sizes, self.current = None, [], 0
        self._shown_key = None
        self.show_message(message or tr("尚无预览"))
        self._update_controls()

    def show_message(self, text: str) -> None:
        self.page_label.setGraphicsEffect(None)
        self.page_label.setPixmap(QPixmap())
        self.page_label.setMinimumSize(0, 0)
        self.page_label.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
        self.page_label.setText(text)
        self.page_label.setStyleSheet("color: #5b6470; font-size: 12pt; padding: 40px;")
        self.page_label.adjustSize()

    def _loaded(self, generation: int, sizes: list[PageSize], page: int) -> None:
        if generation != self._generation:
            return
        self.sizes = sizes
        self.current = max(0, min(page, len(sizes) - 1))
        self._update_controls()
        self.document_loaded.emit(len(sizes))
        self._render_current()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            from zwgk_desktop.ui.tasks import error_message

            self.show_message(tr("预览失败：{m}").format(m=error_message(exc)))

    # --- navigation -------------------------------------------------------------
    def go_to(self, index: int) -> None:
        if not self.sizes:
            return
        index = max(0, min(int(index), len(self.sizes) - 1))
        if index == self.current and self._shown_key is not None and self._shown_key[1] == index:
            return
        self.current = index
        self._update_controls()
        self._render_current()
        self.scroll.verticalScrollBar().setValue(0)

    def next_page(self) -> None:
        self.go_to(self.current + 1)

    def previous_page(self) -> None:
        self.go_to(self.current - 1)

    def _update_controls(self) -> None:
        count = len(self.sizes)
        self.page_spin.blockSignals(True)
        self.page_spin.setMaximum(max(1, count))
        self.page_spin.setValue(self.current + 1 if count else 1)
        self.page_spin.blockSignals(False)
        self.page_spin.setEnabled(count > 1)
        self.page_total.setText(tr("页，共 {n} 页").format(n=count))
        self.prev_button.setEnabled(count > 0 and self.current > 0)
        self.next_button.setEnabled(count > 0 and self.current < count - 1)

    # --- zoom -----------------------------------------------------------------
    def set_zoom(self, zoom: str | float) -> None:
        """`FIT_PAGE`, `FIT_WIDTH` or a factor (1.0 = the paper's real size on a 96-dpi screen)."""
        self.zoom = zoom
        index = self.zoom_combo.findData(zoom)
        if index >= 0 and index != self.zoom_combo.currentIndex():
            self.zoom_combo.blockSignals(True)
            self.zoom_combo.setCurrentIndex(index)
            self.zoom_combo.blockSignals(False)
        self._render_current()

    def zoom_in(self) -> None:
        current = self.effective_factor()
        self.set_zoom(next((s for s in ZOOM_STEPS if s > current + 0.01), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        current = self.effective_factor()
        self.set_zoom(next((s for s in reversed(ZOOM_STEPS) if s < current - 0.01), ZOOM_STEPS[0]))

    def effective_factor(self) -> float:
        """The zoom as a factor of the real size, resolving the fit modes for the current page and viewport."""
        if not self.sizes:
            return 1.0
        size = self.sizes[self.current]
        real = SCREEN_DPI / POINTS_PER_INCH
        viewport = self.scroll.viewport().size()
        room_w = max(100, viewport.width() - 2 * PAGE_MARGIN)
        room_h = max(100, viewport.height() - 2 * PAGE_MARGIN)
        if self.zoom == FIT_WIDTH:
            return room_w / (size.width * real)
        if self.zoom == FIT_PAGE:
            return min(room_w / (size.width * real), room_h / (size.height * real))
        return float(self.zoom)

    def _display_size(self) -> QSize:
        size = self.sizes[self.current]
        factor = self.effective_factor() * SCREEN_DPI / POINTS_PER_INCH
        return QSize(max(1, round(size.width * factor)), max(1, round(size.height * factor)))

    # --- rendering ---------------------------------------------------------------
    def _render_current(self) -> None:
        if not self.sizes or not self.path:
            return
        display = self._display_size()
        ratio = self.devicePixelRatioF() or 1.0
        pixel_width = round(display.width() * ratio)
        key = (self.path, self.current, pixel_width)
        cached = self._cache.get(key)
        if cached is not None:
            self._show_image(key, cached, display)
            return
        self._generation += 1
        generation = self._generation
        path, index = self.path, self.current
        scale = pixel_width / self.sizes[index].width
        self.tasks.run(
            lambda: render_page(path, index, scale),
            lambda image: self._rendered(generation, key, image, display),
            lambda exc: self._failed(generation, exc),
            db=False,
            owner=self.page_label,
        )

    def _rendered(self, generation: int, key, image: QImage, display: QSize) -> None:
        self._cache[key] = image
        while len(self._cache) > CACHE_PAGES:
            self._cache.popitem(last=False)
        if generation == self._generation:
            self._show_image(key, image, display)

    def _show_image(self, key, image: QImage, display: QSize) -> None:
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(image.width() / max(1, display.width()))
        self.page_label.setStyleSheet("background: #ffffff;")
        self.page_label.setText("")
        self.page_label.setPixmap(pixmap)
        self.page_label.setFixedSize(display)
        shadow = QGraphicsDropShadowEffect(self.page_label)
        shadow.setBlurRadius(18)
        shadow.setOffset(0, 2)
        shadow.setColor(QColor(0, 0, 0, 70))
        self.page_label.setGraphicsEffect(shadow)
        self._shown_key = key
        self.page_shown.emit(key[1])

    def shown_image(self) -> QImage | None:
        """The picture of the page on screen (None before one is shown)."""
        if self._shown_key is None:
            return None
        return self._cache.get(self._shown_key)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        if self.zoom in (FIT_PAGE, FIT_WIDTH) and self.sizes:
            self._resize_timer.start()
