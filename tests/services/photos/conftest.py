"""Fixtures for the photo archive tests: generated sample photos and a posting on a board (config/database come from tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from zwgk_desktop.core.models import Disclosure, NoticeBoard, Posting, Township, Village

from .fixtures import (
    blurred,
    board_image,
    make_exif,
    write_bomb_png,
    write_empty,
    write_heic,
    write_jpeg,
    write_png,
    write_text_as_jpeg,
    write_truncated_jpeg,
)

POSTED_ON = date(2026, 3, 2)
PLANNED_END = date(2026, 3, 9)
BOARD_GPS = (31.8206, 117.2272)


@pytest.fixture(scope="session")
def sample_photos(tmp_path_factory) -> dict[str, Path]:
    """One file of every kind the tests need (generated once per session; never modified)."""
    folder = tmp_path_factory.mktemp("camera")
    board = board_image(seed=1)
    return {
        "sharp": write_jpeg(folder / "IMG_0001.jpg", board, make_exif()),
        "rotated": write_jpeg(folder / "IMG_0002.jpg", board_image(seed=2), make_exif(orientation=6)),
        "blurry": write_jpeg(folder / "IMG_0003.jpg", blurred(board_image(seed=3), 3), make_exif()),
        "no_exif": write_jpeg(folder / "IMG_0004.jpg", board_image(seed=4)),
        "tiny": write_jpeg(folder / "IMG_0005.jpg", board_image((640, 480), seed=5), make_exif()),
        "dark": write_jpeg(folder / "IMG_0006.jpg", board_image(seed=6, brightness=0.15), make_exif()),
        "late": write_jpeg(folder / "IMG_0007.jpg", board_image(seed=7), make_exif(datetime(2026, 3, 20, 16, 0))),
        "end": write_jpeg(folder / "IMG_0008.jpg", board_image(seed=8), make_exif(datetime(2026, 3, 9, 17, 5))),
        "png": write_png(folder / "scan.png", board_image(seed=9), make_exif()),
        "heic": write_heic(folder / "IMG_0010.HEIC", board_image(seed=10), make_exif()),
        "truncated": write_truncated_jpeg(folder / "bad" / "IMG_0011.jpg"),
        "empty": write_empty(folder / "bad" / "IMG_0012.jpg"),
        "text": write_text_as_jpeg(folder / "bad" / "notes.jpg"),
        "bomb": write_bomb_png(folder / "bad" / "bomb.png"),
    }


@dataclass
class PostingRefs:
    township_id: str
    village_id: str
    board_id: str
    disclosure_id: str
    posting_id: str


def add_posting(session, *, title="关于红旗村2026年第一季度低保对象的公示", board_name="红旗村村务公开栏",
                posted_on=POSTED_ON, planned_end=PLANNED_END, gps=BOARD_GPS, township=None, village=None) -> PostingRefs:
    township = township or Township(name="青山镇", issuer="青山镇人民政府")
    village = village or Village(township=township, name="红旗村")
    session.add_all([township, village])
    session.flush()
    board = NoticeBoard(township_id=township.id, village_id=village.id, name=board_name,
                        lat=gps[0] if gps else None, lon=gps[1] if gps else None)
    disclosure = Disclosure(township_id=township.id, category="dibao", title=title, year=posted_on.year,
                            status="publishing", period_start=posted_on, period_end=planned_end)
    session.add_all([board, disclosure])
    session.flush()
    posting = Posting(disclosure_id=disclosure.id, board_id=board.id, posted_on=posted_on, planned_end=planned_end)
    session.add(posting)
    session.flush()
    return PostingRefs(township.id, village.id, board.id, disclosure.id, posting.id)


@pytest.fixture
def posting(database) -> PostingRefs:
    with database.session() as session:
        return add_posting(session)
