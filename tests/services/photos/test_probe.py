"""Probing photo files: EXIF facts, orientation, formats, quality flags and rejection codes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from zwgk_desktop.config import Settings
from zwgk_desktop.services.photos.probe import PhotoRejected, probe_bytes, probe_file

from .fixtures import board_image, make_exif, write_jpeg


def rejection_code(path, settings=None) -> str:
    with pytest.raises(PhotoRejected) as info:
        probe_file(path, settings or Settings())
    assert info.value.message  # a Chinese explanation for the user
    return info.value.code


def test_exif_facts_are_read(sample_photos):
    """Taken time (with its offset), GPS in decimal degrees and the device come from EXIF."""
    probe = probe_file(sample_photos["sharp"], Settings())
    assert probe.taken_at == datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert probe.taken_at_local == datetime(2026, 3, 2, 9, 30)
    assert probe.taken_at_offset == "+08:00"
    assert probe.gps_lat == pytest.approx(31.8206, abs=1e-5)
    assert probe.gps_lon == pytest.approx(117.2272, abs=1e-5)
    assert (probe.device_make, probe.device_model) == ("HUAWEI", "ELS-AN00")
    assert (probe.width, probe.height) == (1800, 1200)
    assert probe.flags == []


def test_offset_from_exif_is_kept_and_missing_offset_means_china_time(tmp_path):
    """OffsetTimeOriginal wins; without it the camera clock is taken as China time (+08:00)."""
    west = write_jpeg(tmp_path / "w.jpg", board_image((400, 300)), make_exif(datetime(2026, 1, 5, 8, 0), offset="-05:00"))
    bare = write_jpeg(tmp_path / "b.jpg", board_image((400, 300)), make_exif(datetime(2026, 1, 5, 8, 0), offset=None))
    assert probe_file(west, Settings()).taken_at_offset == "-05:00"
    assert probe_file(bare, Settings()).taken_at.utcoffset() == timedelta(hours=8)


def test_orientation_6_swaps_width_and_height(sample_photos):
    """A portrait photo stored landscape with Orientation=6 reports its upright size."""
    probe = probe_file(sample_photos["rotated"], Settings())
    assert probe.orientation == 6
    assert (probe.width, probe.height) == (1200, 1800)
    assert probe.thumbnail.height > probe.thumbnail.width


def test_heic_and_png_are_accepted_with_exif(sample_photos):
    """iPhone HEIC and PNG screenshots/scans are read, with EXIF time when they carry it."""
    heic = probe_file(sample_photos["heic"], Settings())
    png = probe_file(sample_photos["png"], Settings())
    assert (heic.format, heic.extension, heic.width, heic.height) == ("HEIF", ".heic", 1800, 1200)
    assert (png.format, png.extension) == ("PNG", ".png")
    assert heic.taken_at is not None and png.taken_at is not None


@pytest.mark.parametrize(
    ("kind", "code"),
    [("truncated", "corrupt"), ("empty", "not_an_image"), ("text", "not_an_image"), ("bomb", "too_large")],
)
def test_bad_files_are_rejected_with_codes(sample_photos, kind, code):
    """Truncated, empty, non-image and decompression-bomb files are refused with stable codes."""
    assert rejection_code(sample_photos[kind]) == code


def test_bomb_is_refused_from_the_header_alone(sample_photos):
    """The 50000×50000 PNG is a few hundred bytes: it must be refused without decoding pixels."""
    assert sample_photos["bomb"].stat().st_size < 2000
    assert rejection_code(sample_photos["bomb"]) == "too_large"


def test_pixel_limit_setting_is_checked_before_decoding(sample_photos):
    """A photo above the configured pixel limit is `too_large` even when Pillow would open it."""
    strict = Settings(photo_max_pixels=1_000_000)
    assert rejection_code(sample_photos["sharp"], strict) == "too_large"


def test_unsupported_formats_are_named(tmp_path):
    """A GIF is an image but not a photo we archive: refused as `unsupported_format`."""
    gif = tmp_path / "anim.gif"
    board_image((300, 200)).save(gif, "GIF")
    assert rejection_code(gif) == "unsupported_format"


@pytest.mark.parametrize(
    ("kind", "flag"),
    [("tiny", "low_resolution"), ("blurry", "blurry"), ("no_exif", "no_exif_time"), ("dark", "too_dark")],
)
def test_quality_problems_are_flagged_not_rejected(sample_photos, kind, flag):
    """Small, blurred, EXIF-less and dark photos are accepted but carry a review flag."""
    probe = probe_file(sample_photos[kind], Settings())
    assert flag in probe.flags
    assert probe.flags == [flag]


def test_min_long_side_setting_is_honoured(sample_photos):
    """The low-resolution threshold comes from settings (photo_min_long_side)."""
    assert "low_resolution" in probe_file(sample_photos["sharp"], Settings(photo_min_long_side=2000)).flags


def test_hash_is_of_the_exact_bytes(sample_photos):
    """The SHA-256 is the hash of the file's bytes, unchanged."""
    import hashlib

    data = sample_photos["sharp"].read_bytes()
    assert probe_bytes(data, Settings()).sha256 == hashlib.sha256(data).hexdigest()


def test_what_a_file_will_cost_is_judged_from_its_header(sample_photos):
    """JPEG: its bytes plus a draft decode; PNG and HEIC: their bytes plus the whole decoded image (4 bytes a pixel,
    PNG also its grey copy for the QR), read from the first 64 KB; an unreadable header: the most one photo may need."""
    from zwgk_desktop.services.photos.budget import MAX_IMAGE_MEMORY
    from zwgk_desktop.services.photos.probe import JPEG_DRAFT_BYTES, header_cost

    for kind in ("sharp", "png", "heic"):
        data = sample_photos[kind].read_bytes()
        cost = header_cost(data[:65536], len(data))
        whole = 1800 * 1200 * 4 + (1800 * 1200 if kind == "png" else 0)  # PNG: + its grey copy for the QR pass
        expected = len(data) + (JPEG_DRAFT_BYTES if kind == "sharp" else whole)
        assert cost == expected, kind
    assert header_cost(b"not an image", 12) == MAX_IMAGE_MEMORY
