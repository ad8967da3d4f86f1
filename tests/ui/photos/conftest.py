"""Fixtures for the 照片存档 page tests: generated camera photos, a posting to link them to, the page itself."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.services.photos.conftest import PostingRefs, add_posting
from tests.services.photos.fixtures import blurred, board_image, make_exif, write_jpeg, write_text_as_jpeg


@pytest.fixture(scope="session")
def camera_photos(tmp_path_factory) -> dict[str, Path]:
    """A sharp photo taken on the posting day, a blurry one, one without EXIF and a text file named .jpg."""
    folder = tmp_path_factory.mktemp("ui-camera")
    return {
        "sharp": write_jpeg(folder / "IMG_0001.jpg", board_image(seed=1), make_exif(datetime(2026, 3, 2, 9, 30))),
        "blurry": write_jpeg(folder / "IMG_0002.jpg", blurred(board_image(seed=2), 3), make_exif()),
        "no_exif": write_jpeg(folder / "IMG_0003.jpg", board_image(seed=3)),
        "text": write_text_as_jpeg(folder / "bad" / "notes.jpg"),
    }


@pytest.fixture
def posting(database) -> PostingRefs:
    with database.session() as session:
        return add_posting(session)


@pytest.fixture
def page(qtbot, config, database, tasks):
    """The page on a task manager bound to the test database and an administrator, as the main window binds it."""
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ui.photos import PhotosPage

    tasks.bind(database=database, actor=Actor(username="tester", role="admin", display_name="测试管理员"))
    widget = PhotosPage(config, tasks)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    return widget


def import_and_wait(qtbot, page, paths, timeout=30000):
    """Import through the page (no file dialog) and return the ImportOutcome."""
    with qtbot.waitSignal(page.imported, timeout=timeout) as blocker:
        assert page.import_paths([str(p) for p in paths])
    return blocker.args[0]
