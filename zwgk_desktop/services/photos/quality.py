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
It ranks photos as a 3×3 Laplacian does at a third of the cost (a few
Pillow operations and histograms, no numpy). `luminance` is the mean grey level 0–255.
"""

from __future__ import annotations

from datetime import date

from PIL import Image, ImageChops

from zwgk_desktop.core.photo_flags import PHOTO_FLAG_LABELS

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

FLAG_LABELS = PHOTO_FLAG_LABELS  # the one wording (core.photo_flags)


def measure_quality(image: Image.Image) -> tuple[float, float]:
    """(sharpness, luminance) of a grey (or RGB) analysis image."""
    grey = image if image.mode == "L" else image.convert("L")
    count, total, squares = histogram_moments(grey.histogram())
    luminance = total / count
    grey_variance = squares / count - luminance * luminance
    if min(grey.size) < 4 or grey_variance < 1.0:  # a flat image: nothing in focus to measure
        return 0.0, round(luminance, 2)
    return round(1000.0 * detail_variance(grey, luminance) / grey_variance, 2), round(luminance, 2)


def detail_variance(grey: Image.Image, mean_grey: float) -> float:
    """Variance of the grey image minus its own 2×2 box average (the finest-scale residual).

    Computed from histograms: the residual's mean is the two images' mean difference and its
    mean square comes from the histogram of |grey − average| (`ImageChops.difference` is a
    plain byte loop, several times cheaper than a signed, offset subtraction). Unlike the former
    offset subtraction nothing is clipped at ±128, so a board with extreme edges may score a
    fraction higher (76.1 → 77.1 on the sharp calibration board); the blur calibration is unchanged.
    """
    width, height = grey.width // 2 * 2, grey.height // 2 * 2
    even = grey
    if (width, height) != grey.size:  # an odd side: drop the last row/column (their mean is measured again)
        even = grey.crop((0, 0, width, height))
        count, total, _ = histogram_moments(even.histogram())
        mean_grey = total / count
    coarse = even.reduce(2)
    coarse_count, coarse_total, _ = histogram_moments(coarse.histogram())
    count, _, squares = histogram_moments(
        ImageChops.difference(even, coarse.resize((width, height), Image.Resampling.NEAREST)).histogram()
    )
    mean = mean_grey - coarse_total / coarse_count
    return squares / count - mean * mean


def histogram_moments(histogram: list[int]) -> tuple[int, int, int]:
    """(pixel count, sum, sum of squares) of an 8-bit band's histogram."""
    count = total = squares = 0
    for value, n in enumerate(histogram):
        if n:
            count += n
            total += value * n
            squares += value * value * n
    return count, total, squares


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
