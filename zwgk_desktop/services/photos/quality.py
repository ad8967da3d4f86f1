"""Photo quality flags: accepted-but-marked problems a reviewer should look at.

Flags are stable codes: `no_exif_time`, `low_resolution`, `blurry`,
`too_dark`, `time_mismatch` (and, from the QR, `wrong_version`,
`foreign_qr`). Image measures are taken on a grey analysis image whose long
side is brought into [ANALYSIS_LONG_SIDE, 2×ANALYSIS_LONG_SIDE) (cheaply, by
JPEG DCT scaling or an integer box reduction), so a value means about the
same thing whatever the camera's resolution. `sharpness` is the detail
energy at the finest scale: the variance of the grey image minus its own
2×2 box average (the residual a blurred photo lacks), divided by the grey
image's variance (×1000), so a dim but focused photo is not called blurry.
It ranks photos as a 3×3 Laplacian does at a third of the cost (three
Pillow operations, no numpy). `luminance` is the mean grey level 0–255.
"""

from __future__ import annotations

from datetime import date

from PIL import Image, ImageChops, ImageStat

from zwgk_desktop.core.photo_links import PHOTO_FLAG_LABELS

ANALYSIS_LONG_SIDE = 800

BLUR_THRESHOLD = 12.0
"""Contrast-normalised fine-detail energy below this = blurry. Calibrated in
tests/services/photos/test_quality.py: a generated notice board (1800×1200, analysed
at 900×600) scores ~75 sharp, ~16 after GaussianBlur(2), ~9.5 after GaussianBlur(2.5)
and ~6.3 after GaussianBlur(3) (the former Laplacian measure put its threshold
between r=2 and r=2.5 too)."""

DARK_THRESHOLD = 45.0
"""Mean grey level (0–255) below this = too dark to read a notice."""

FLAG_ORDER = ("no_exif_time", "low_resolution", "blurry", "too_dark", "time_mismatch", "wrong_version", "foreign_qr")

FLAG_LABELS = PHOTO_FLAG_LABELS  # the one wording (core.photo_links)


def measure_quality(image: Image.Image) -> tuple[float, float]:
    """(sharpness, luminance) of a grey (or RGB) analysis image."""
    grey = image if image.mode == "L" else image.convert("L")
    grey_stat = ImageStat.Stat(grey)
    luminance, grey_variance = grey_stat.mean[0], grey_stat.var[0]
    if min(grey.size) < 4 or grey_variance < 1.0:  # a flat image: nothing in focus to measure
        return 0.0, round(luminance, 2)
    width, height = grey.width // 2 * 2, grey.height // 2 * 2
    even = grey.crop((0, 0, width, height)) if (width, height) != grey.size else grey
    coarse = even.reduce(2).resize((width, height), Image.Resampling.NEAREST)
    detail = ImageChops.subtract(even, coarse, 1, 128)
    sharpness = 1000.0 * ImageStat.Stat(detail).var[0] / grey_variance
    return round(sharpness, 2), round(luminance, 2)


def image_quality_flags(
    *, width: int, height: int, sharpness: float, luminance: float, has_exif_time: bool, min_long_side: int
) -> list[str]:
    flags = set()
    if not has_exif_time:
        flags.add("no_exif_time")
    if max(width, height) < min_long_side:
        flags.add("low_resolution")
    if sharpness < BLUR_THRESHOLD:
        flags.add("blurry")
    if luminance < DARK_THRESHOLD:
        flags.add("too_dark")
    return ordered_flags(flags)


def ordered_flags(flags) -> list[str]:
    known = [flag for flag in FLAG_ORDER if flag in flags]
    return known + sorted(set(flags) - set(FLAG_ORDER))


def is_time_mismatch(taken_on: date | None, reference: date | None, max_days: int) -> bool:
    """True when the photo's EXIF day is more than `max_days` from the posting's day."""
    if taken_on is None or reference is None:
        return False
    return abs((taken_on - reference).days) > max_days


def with_time_mismatch(flags, mismatch: bool) -> list[str]:
    """The flag list with `time_mismatch` set or cleared (re-linking recomputes it)."""
    current = set(flags or []) - {"time_mismatch"}
    if mismatch:
        current.add("time_mismatch")
    return ordered_flags(current)
