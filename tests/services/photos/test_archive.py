"""The archive on disk: verification, lazily cached thumbnails/display copies, captioned copies."""

from __future__ import annotations

import hashlib
import shutil

from PIL import Image
from sqlalchemy import select

from zwgk_desktop.core.models import Photo
from zwgk_desktop.services.photos import (
    captioned_copy,
    display_copy_path,
    import_photos,
    thumbnail_path,
    verify_archive,
)


def import_and_get(database, config, *paths) -> list[Photo]:
    import_photos(database, config, list(paths))
    with database.session() as session:
        return list(session.scalars(select(Photo).order_by(Photo.original_name)))


def test_verify_reports_modified_and_missing_originals(config, database, sample_photos):
    """Re-hashing finds an archived photo that was edited and one that was deleted."""
    first, second, third = import_and_get(database, config, sample_photos["sharp"], sample_photos["rotated"],
                                          sample_photos["png"])
    with database.session() as session:
        assert verify_archive(session, config) | {"problems": []} == {
            "checked": 3, "missing": 0, "modified": 0, "problems": [], "ok": True}
    edited = config.archive_dir / first.stored_path
    edited.write_bytes(edited.read_bytes()[:-10] + b"0123456789")
    (config.archive_dir / second.stored_path).unlink()
    with database.session() as session:
        result = verify_archive(session, config)
    assert (result["checked"], result["missing"], result["modified"], result["ok"]) == (3, 1, 1, False)
    codes = {problem["original_name"]: problem["code"] for problem in result["problems"]}
    assert codes == {first.original_name: "modified", second.original_name: "missing"}


def test_verify_lists_unregistered_files_as_orphans(config, database, sample_photos):
    """A file in the archive with no row (left by a crash) is listed, not counted as damage."""
    import_and_get(database, config, sample_photos["sharp"])
    stray = config.archive_dir / "photos" / "ff" / ("f" * 64 + ".jpg")
    stray.parent.mkdir(parents=True)
    shutil.copy(sample_photos["png"], stray)
    with database.session() as session:
        result = verify_archive(session, config)
    assert result["ok"] is True
    assert [problem["code"] for problem in result["problems"]] == ["orphan"]


def test_thumbnail_is_upright_and_regenerated_when_cache_is_cleared(config, database, sample_photos):
    """Thumbnails follow EXIF orientation and come back after the cache folder is deleted."""
    [photo] = import_and_get(database, config, sample_photos["rotated"])
    shutil.rmtree(config.cache_dir)
    thumb = thumbnail_path(config, photo.sha256, 256)
    with Image.open(thumb) as image:
        assert max(image.size) == 256
        assert image.height > image.width
    assert thumbnail_path(config, photo.sha256, 256) == thumb


def test_display_copy_is_oriented_and_original_untouched(config, database, sample_photos):
    """The display copy is upright; the archived original keeps its bytes."""
    [photo] = import_and_get(database, config, sample_photos["rotated"])
    display = display_copy_path(config, photo.sha256)
    with Image.open(display) as image:
        assert image.size == (1200, 1800)
    original = config.archive_dir / photo.stored_path
    assert hashlib.sha256(original.read_bytes()).hexdigest() == photo.sha256


def test_captioned_copy_adds_a_caption_band_and_leaves_the_original(config, database, sample_photos, tmp_path):
    """Date/board/title are burnt into a copy below the picture; the original is never changed."""
    [photo] = import_and_get(database, config, sample_photos["rotated"])
    out = captioned_copy(config, photo, ["2026-03-02 09:30 红旗村村务公开栏", "关于2026年第一季度低保对象的公示"],
                         tmp_path / "share" / "caption.jpg")
    with Image.open(out) as image:
        assert image.width == 1200 and image.height > 1800
        band = image.crop((0, 1800, image.width, image.height)).convert("L")
        assert band.getextrema()[0] < 80  # dark text was drawn on the white band
    original = config.archive_dir / photo.stored_path
    assert hashlib.sha256(original.read_bytes()).hexdigest() == photo.sha256
