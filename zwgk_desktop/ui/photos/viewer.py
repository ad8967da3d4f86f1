"""The full-size photo viewer: the oriented display copy with zoom, and the EXIF facts beside it.

A non-modal window. The display copy (`services.photos.display_copy_path`,
long side 2048, made from the original on first use) is read into a
`QImage` on a worker; the UI thread only turns it into a pixmap. Zoom with
the mouse wheel, + / −, F (fit to window) and 1 (actual size); ← / → or
PageUp / PageDown step through the photos the viewer was opened with.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPixmap, QShortcut, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.services.photos.gallery import PhotoCard
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.photos.inspector import PhotoFacts
from zwgk_desktop.ui.widgets import muted_label

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 8.0


def load_display_image(config, sha256: str) -> QImage:
    """Worker: the EXIF-oriented display copy as a QImage (raises NotFound when the original is gone)."""
    from zwgk_desktop.services.photos.archive import display_copy_path

    image = QImage(str(display_copy_path(config, sha256)))
    if image.isNull():
        from zwgk_desktop.errors import NotFound

        raise NotFound(tr("无法读取照片的显示副本，请运行“校验照片档案”检查档案。"))
    return image


class ZoomView(QGraphicsView):
    """A picture view with wheel / keyboard zoom; `fit()` keeps the whole picture in view."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QColor("#2b2f36"))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.fitting = True

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self.item.setPixmap(pixmap)
        self.scene().setSceneRect(QRectF(pixmap.rect()))
        self.fit()

    def clear(self) -> None:
        self.item.setPixmap(QPixmap())

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self.fitting = False
        self.resetTransform()
        self.scale(factor, factor)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP)

    def fit(self) -> None:
        self.fitting = True
        if not self.item.pixmap().isNull():
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.zoom * (ZOOM_STEP ** steps))
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fitting:
            self.fit()


class PhotoViewer(QDialog):
    """Full-size view of one photo with its facts; steps through `cards` with ← / →."""

    image_loaded = Signal(str)  # photo id

    def __init__(self, config, tasks, cards: list[PhotoCard], index: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.config, self.tasks = config, tasks
        self.cards, self.index = list(cards), index
        self._closed = False
        self.setWindowTitle(tr("查看照片"))
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1200, 780)
        self._build()
        self.show_index(index)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.view = ZoomView(splitter)
        side = QWidget(splitter)
        side.setMinimumWidth(300)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(16, 14, 16, 14)
        self.title = QLabel("", side)
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        side_layout.addWidget(self.title)
        self.facts = PhotoFacts(side)
        side_layout.addWidget(self.facts)
        self.status = muted_label("", side)
        side_layout.addWidget(self.status)
        side_layout.addStretch(1)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([860, 340])
        layout.addWidget(splitter, 1)

        bar = QHBoxLayout()
        bar.setContentsMargins(12, 6, 12, 8)
        self.prev_button = QPushButton(tr("← 上一张"), self)
        self.next_button = QPushButton(tr("下一张 →"), self)
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        for text, slot in ((tr("缩小 −"), self.view.zoom_out), (tr("放大 +"), self.view.zoom_in),
                           (tr("适合窗口 (F)"), self.view.fit), (tr("原始大小 (1)"), lambda: self.view.set_zoom(1.0))):
            button = QPushButton(text, self)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            bar.addWidget(button)
        self.zoom_label = QLabel("", self)
        self.zoom_label.setMinimumWidth(56)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.zoom_label)
        close = QPushButton(tr("关闭"), self)
        close.clicked.connect(self.close)
        bar.addWidget(close)
        layout.addLayout(bar)
        self.view.zoom_changed.connect(lambda zoom: self.zoom_label.setText(f"{zoom * 100:.0f}%"))

        shortcuts = {
            "+": self.view.zoom_in, "=": self.view.zoom_in, "-": self.view.zoom_out, "F": self.view.fit,
            "0": self.view.fit, "1": lambda: self.view.set_zoom(1.0), "Left": lambda: self.step(-1),
            "Right": lambda: self.step(1), "PgUp": lambda: self.step(-1), "PgDown": lambda: self.step(1),
        }
        for key, slot in shortcuts.items():
            QShortcut(QKeySequence(key), self, activated=slot)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn), self, activated=self.view.zoom_in)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self, activated=self.view.zoom_out)

    @property
    def card(self) -> PhotoCard | None:
        return self.cards[self.index] if 0 <= self.index < len(self.cards) else None

    def step(self, delta: int) -> None:
        target = self.index + delta
        if 0 <= target < len(self.cards):
            self.show_index(target)

    def show_index(self, index: int) -> None:
        self.index = index
        card = self.card
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.cards) - 1)
        self.facts.show_card(card)
        if card is None:
            return
        position = tr("第 {i} / {n} 张").format(i=index + 1, n=len(self.cards)) if len(self.cards) > 1 else ""
        self.title.setText(card.original_name)
        self.setWindowTitle(tr("查看照片 · {name}").format(name=card.original_name))
        self.status.setText(tr("正在载入照片…") + ("　" + position if position else ""))
        self.view.clear()
        config, sha, photo_id = self.config, card.sha256, card.id
        self.tasks.run(lambda: load_display_image(config, sha), lambda image: self._show_image(photo_id, image, position),
                       lambda exc: self._show_failure(photo_id, exc), db=False, owner=self)

    def closeEvent(self, event) -> None:
        self._closed = True  # a load finishing later must not touch deleted widgets
        super().closeEvent(event)

    def _show_image(self, photo_id: str, image: QImage, position: str) -> None:
        if self._closed or self.card is None or self.card.id != photo_id:
            return
        self.view.set_pixmap(QPixmap.fromImage(image))
        note = tr("显示的是按拍摄方向摆正的副本；原图保存在档案中，从不改动。")
        self.status.setText(note + ("\n" + position if position else ""))
        self.image_loaded.emit(photo_id)

    def _show_failure(self, photo_id: str, exc: BaseException) -> None:
        from zwgk_desktop.ui.tasks import error_message

        if not self._closed and self.card is not None and self.card.id == photo_id:
            self.status.setText(error_message(exc))
