"""Calibration of the blur and darkness measures, and the posting-date mismatch rule."""

from __future__ import annotations

from datetime import date

from PIL import Image

from zwgk_desktop.services.photos.quality import (
    BLUR_THRESHOLD,
    DARK_THRESHOLD,
    is_time_mismatch,
    measure_quality,
    with_time_mismatch,
)

from .fixtures import blurred, board_image


def preview(image: Image.Image) -> Image.Image:
    """The analysis image probing uses for an 1800×1200 photo: halved by a box reduction."""
    return image.reduce(2).convert("L")


def test_blur_threshold_separates_sharp_from_gaussian_blur_3():
    """A sharp notice board scores well above the threshold, the same board blurred (r=3) well below."""
    board = board_image(seed=11)
    sharp, _ = measure_quality(preview(board))
    soft, _ = measure_quality(preview(blurred(board, 3)))
    assert sharp > 5 * BLUR_THRESHOLD
    assert soft < 0.6 * BLUR_THRESHOLD


def test_blur_threshold_falls_between_radius_2_and_2_5():
    """Slightly soft (r=2) still passes, r=2.5 is blurry: where the former Laplacian measure drew the line too."""
    board = board_image(seed=13)
    assert measure_quality(preview(blurred(board, 2)))[0] > BLUR_THRESHOLD
    assert measure_quality(preview(blurred(board, 2.5)))[0] < BLUR_THRESHOLD


def test_blur_measure_does_not_punish_a_dim_but_focused_photo():
    """Low light lowers contrast, not focus: a dark sharp board is not called blurry."""
    sharpness, luminance = measure_quality(preview(board_image(seed=12, brightness=0.2)))
    assert sharpness > BLUR_THRESHOLD
    assert luminance < DARK_THRESHOLD


def test_flat_image_has_no_sharpness():
    """A blank frame (lens cap on) measures zero sharpness and its real brightness."""
    sharpness, luminance = measure_quality(Image.new("RGB", (800, 600), (200, 200, 200)))
    assert sharpness == 0.0
    assert round(luminance) == 200


def test_time_mismatch_uses_the_configured_days():
    """More than N days between EXIF day and posting day is a mismatch; N days is not."""
    posted = date(2026, 3, 2)
    assert not is_time_mismatch(date(2026, 3, 5), posted, 3)
    assert is_time_mismatch(date(2026, 3, 6), posted, 3)
    assert is_time_mismatch(date(2026, 2, 20), posted, 3)
    assert not is_time_mismatch(None, posted, 3)


def test_time_mismatch_flag_is_set_and_cleared_in_stable_order():
    """Relinking recomputes `time_mismatch` without disturbing the other flags."""
    flags = with_time_mismatch(["blurry", "no_exif_time"], True)
    assert flags == ["no_exif_time", "blurry", "time_mismatch"]
    assert with_time_mismatch(flags, False) == ["no_exif_time", "blurry"]
