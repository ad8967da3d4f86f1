"""The gallery model stays lazy with 10,000 photos: paged rows, placeholder thumbnails, a bounded load queue."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QListView

from zwgk_desktop.services.photos.gallery import PhotoCard
from zwgk_desktop.ui.photos.gallery_model import CardRole, GalleryDelegate, PhotoGalleryModel
from zwgk_desktop.ui.photos.thumbnails import ThumbnailLoader

TOTAL = 10_000


def fake_card(number: int) -> PhotoCard:
    return PhotoCard(
        id=f"photo-{number}", sha256=hashlib.sha256(str(number).encode()).hexdigest(), original_name=f"IMG_{number:05d}.jpg",
        taken_at=datetime(2026, 1, 1) + timedelta(minutes=number), taken_at_offset="+08:00", width=4000, height=3000,
        size_bytes=3_000_000, mime="image/jpeg", flags=("blurry",) if number % 7 == 0 else (), device="HUAWEI",
        gps_lat=None, gps_lon=None, imported_at=None,
    )


class RecordingPool:
    """Stands in for the task pool: keeps submitted thumbnail jobs so the test decides when they finish."""

    def __init__(self):
        self.jobs = []

    def submit(self, func, on_success):
        self.jobs.append((func, on_success))


def make_model(qapp, pool, **limits):
    loader = ThumbnailLoader(None, pool.submit, size=QSize(176, 132), **limits)
    model = PhotoGalleryModel(loader, page_size=500)
    pages = []

    def load(offset, limit):
        pages.append((offset, limit))
        return [fake_card(n) for n in range(offset, min(TOTAL, offset + limit))]

    model.reset(TOTAL, load, load(0, 500))
    return model, loader, pages


def finish(job, colour="#3a7"):
    image = QImage(176, 132, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    job[1](image)


def test_rows_arrive_a_page_at_a_time(qapp):
    """10,000 photos: 500 rows at first, 500 more per fetchMore, never all at once."""
    model, _loader, pages = make_model(qapp, RecordingPool())
    assert model.total == TOTAL and model.rowCount() == 500 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 1000 and pages == [(0, 500), (500, 500)]


def test_thumbnails_are_placeholders_until_loaded_and_the_queue_is_bounded(qapp):
    """Asking for 1,000 thumbnails starts at most 3 loads, keeps at most 20 queued, and answers with the placeholder."""
    pool = RecordingPool()
    model, loader, _pages = make_model(qapp, pool, max_inflight=3, max_queued=20)
    model.fetchMore()
    placeholder = loader.placeholder().cacheKey()
    for row in range(model.rowCount()):
        assert model.index(row).data(Qt.ItemDataRole.DecorationRole).cacheKey() == placeholder
    assert len(pool.jobs) == 3 and loader.inflight == 3 and loader.queued == 20
    first_row = 0  # the first three requests started at once, while slots were free
    changed = []
    model.dataChanged.connect(lambda top, _bottom, roles: changed.append((top.row(), list(roles))))
    finish(pool.jobs[0])
    assert changed == [(first_row, [Qt.ItemDataRole.DecorationRole])]
    assert model.index(first_row).data(Qt.ItemDataRole.DecorationRole).cacheKey() != placeholder
    # the freed slot goes to the newest request (what is on screen now), not the oldest
    newest = model.index(model.rowCount() - 1).data(CardRole).sha256
    assert len(pool.jobs) == 4 and loader.inflight == 3
    assert loader.is_loading(newest)


def test_failed_thumbnail_shows_the_missing_tile(qapp):
    """A photo whose original is gone gets the 原图缺失 tile instead of retrying forever."""
    pool = RecordingPool()
    model, loader, _pages = make_model(qapp, pool, max_inflight=1, max_queued=5)
    model.index(0).data(Qt.ItemDataRole.DecorationRole)
    pool.jobs[0][1](None)
    assert model.index(0).data(Qt.ItemDataRole.DecorationRole).cacheKey() == loader.broken().cacheKey()
    assert len(pool.jobs) == 1


def test_icon_view_over_10000_photos_only_asks_for_what_is_visible(qtbot, qapp):
    """In the real icon view, painting 10,000 photos requests only the visible cards' thumbnails."""
    pool = RecordingPool()
    model, loader, pages = make_model(qapp, pool, max_inflight=3, max_queued=60)
    view = QListView()
    qtbot.addWidget(view)
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setUniformItemSizes(True)
    view.setItemDelegate(GalleryDelegate(view))
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(pool.jobs) == 3, timeout=5000)
    qtbot.wait(50)
    assert 0 < loader.loads_started + loader.queued <= 40  # a screenful of cards, not 10,000
    assert len(pool.jobs) == 3
    assert len(pages) <= 2
    view.scrollToBottom()
    qtbot.wait(50)
    assert loader.inflight <= 3 and loader.queued <= 60
