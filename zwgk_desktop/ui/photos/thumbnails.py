"""Lazy thumbnails for the gallery: a bounded queue of background loads and a small LRU pixmap cache.

The UI thread never decodes a photo. `ThumbnailLoader.request(sha)` queues a
load; at most `max_inflight` loads run at once on the task pool (reading the
cached 256-px JPEG via `services.photos.thumbnail_path`, making it first from
the original if needed, and scaling it to the card size — all on the worker,
into a `QImage`, which is safe off the GUI thread). Newest requests are served
first and the queue keeps only the newest `max_queued`, so scrolling fast
through 10,000 photos loads what is on screen now, not what flew past.
`ready(sha)` tells models to repaint; finished pixmaps live in an LRU cache.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Callable

from PySide6.QtCore import QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPixmap

from zwgk_desktop.ui.i18n import tr

log = logging.getLogger(__name__)

THUMB_SIZE = QSize(176, 132)
SOURCE_SIZE = 256
MAX_INFLIGHT = 3
MAX_QUEUED = 60
CACHE_SIZE = 600

Submit = Callable[[Callable[[], object], Callable[[object], None]], None]


def load_thumbnail_image(config, sha256: str, width: int, height: int) -> QImage | None:
    """Worker: the photo's thumbnail scaled to fit width×height, or None when the original is gone."""
    from zwgk_desktop.services.photos.archive import thumbnail_path

    try:
        path = thumbnail_path(config, sha256, SOURCE_SIZE)
    except Exception:  # noqa: BLE001 - a missing or unreadable original shows a "broken" tile, not an error box
        log.warning("no thumbnail for %s", sha256, exc_info=True)
        return None
    image = QImage(str(path))
    if image.isNull():
        return None
    return image.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def _tile(size: QSize, fill: str, text: str, text_color: str) -> QPixmap:
    pixmap = QPixmap(size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addRoundedRect(QRectF(0.5, 0.5, size.width() - 1, size.height() - 1), 6, 6)
    painter.fillPath(path, QColor(fill))
    painter.setPen(QPen(QColor(text_color)))
    font = QFont(painter.font())
    font.setPointSizeF(9)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, size.width(), size.height()), int(Qt.AlignmentFlag.AlignCenter), text)
    painter.end()
    return pixmap


class ThumbnailLoader(QObject):
    """Loads thumbnails on the task pool with bounded concurrency and queue; caches the pixmaps."""

    ready = Signal(str)  # sha256 whose pixmap (or broken tile) is now in the cache

    def __init__(self, config, submit: Submit, parent: QObject | None = None, *, size: QSize = THUMB_SIZE,
                 max_inflight: int = MAX_INFLIGHT, max_queued: int = MAX_QUEUED, cache_size: int = CACHE_SIZE):
        super().__init__(parent)
        self.config, self._submit, self.size = config, submit, QSize(size)
        self.max_inflight, self.max_queued, self.cache_size = max_inflight, max_queued, cache_size
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._queue: OrderedDict[str, None] = OrderedDict()  # oldest first; served newest first
        self._inflight: set[str] = set()
        self.loads_started = 0
        self._placeholder: QPixmap | None = None
        self._broken: QPixmap | None = None
        self._closed = False

    @classmethod
    def for_tasks(cls, config, tasks, parent: QObject | None = None, **kwargs) -> "ThumbnailLoader":
        """A loader that runs its loads on the TaskManager's pool (not the database thread)."""

        def submit(func, on_success):
            tasks.run(func, on_success, lambda _exc: on_success(None), db=False)

        return cls(config, submit, parent, **kwargs)

    # --- what the model asks -----------------------------------------------------
    def pixmap(self, sha256: str) -> QPixmap | None:
        pixmap = self._cache.get(sha256)
        if pixmap is not None:
            self._cache.move_to_end(sha256)
        return pixmap

    def placeholder(self) -> QPixmap:
        if self._placeholder is None:
            self._placeholder = _tile(self.size, "#eef1f5", tr("正在载入…"), "#98a2b3")
        return self._placeholder

    def broken(self) -> QPixmap:
        if self._broken is None:
            self._broken = _tile(self.size, "#fef3f2", tr("原图缺失"), "#b42318")
        return self._broken

    def request(self, sha256: str) -> None:
        """Ask for a thumbnail; the newest requests are served first, stale ones dropped."""
        if self._closed or sha256 in self._cache or sha256 in self._inflight:
            return
        self._queue.pop(sha256, None)
        self._queue[sha256] = None
        while len(self._queue) > self.max_queued:
            self._queue.popitem(last=False)
        self._pump()

    # --- state (tests, status) ------------------------------------------------------
    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def inflight(self) -> int:
        return len(self._inflight)

    @property
    def cached(self) -> int:
        return len(self._cache)

    def is_loading(self, sha256: str) -> bool:
        return sha256 in self._inflight

    def close(self) -> None:
        """Stop starting new loads (the page is going away)."""
        self._closed = True
        self._queue.clear()

    # --- the pump ------------------------------------------------------------------------
    def _pump(self) -> None:
        while not self._closed and self._queue and len(self._inflight) < self.max_inflight:
            sha256, _ = self._queue.popitem(last=True)
            self._inflight.add(sha256)
            self.loads_started += 1
            width, height, config = self.size.width(), self.size.height(), self.config
            try:
                self._submit(lambda s=sha256: load_thumbnail_image(config, s, width, height),
                             lambda image, s=sha256: self._finished(s, image))
            except RuntimeError:  # the task manager is shut down
                self._inflight.discard(sha256)
                self._closed = True

    def _finished(self, sha256: str, image: QImage | None) -> None:
        self._inflight.discard(sha256)
        if self._closed:
            return
        pixmap = QPixmap.fromImage(image) if image is not None and not image.isNull() else self.broken()
        self._cache[sha256] = pixmap
        self._cache.move_to_end(sha256)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        self.ready.emit(sha256)
        self._pump()

