"""Photo quality flags: accepted-but-marked problems a reviewer should look at.

Flags are stable codes: `no_exif_time`, `low_resolution`, `blurry`,
`too_dark`, `time_mismatch`. Image measures are taken on a grey analysis
image whose long side is brought into [ANALYSIS_LONG_SIDE, 2×ANALYSIS_LONG_SIDE)
(cheaply, by JPEG DCT scaling or an integer box reduction), so a value means
about the same thing whatever the camera's resolution: `sharpness` is the variance of a 3×3 Laplacian of the
grey image divided by the grey image's own variance (×1000), so a dim but
focused photo is not called blurry (pure Pillow, no numpy); `luminance` is
the mean grey level 0–255.
"""

from __future__ import annotations

from datetime import date

from PIL import Image, ImageFilter, ImageStat

ANALYSIS_LONG_SIDE = 800

BLUR_THRESHOLD = 35.0
"""Contrast-normalised Laplacian variance below this = blurry. Calibrated in
tests/services/photos/test_quality.py: a generated notice board (1800×1200) scores
~300 sharp, ~57 after GaussianBlur(2) and ~12 after GaussianBlur(3)."""

DARK_THRESHOLD = 45.0
"""Mean grey level (0–255) below this = too dark to read a notice."""

FLAG_ORDER = ("no_exif_time", "low_resolution", "blurry", "too_dark", "time_mismatch")

FLAG_LABELS = {
    "no_exif_time": "无拍摄时间（EXIF）",
    "low_resolution": "分辨率偏低",
    "blurry": "画面模糊",
    "too_dark": "光线过暗",
    "time_mismatch": "拍摄时间与张贴日期不符",
}

LAPLACIAN = ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)


def measure_quality(image: Image.Image) -> tuple[float, float]:
    """(sharpness, luminance) of a grey (or RGB) analysis image."""
    grey = image if image.mode == "L" else image.convert("L")
    grey_stat = ImageStat.Stat(grey)
    luminance, grey_variance = grey_stat.mean[0], grey_stat.var[0]
    if min(grey.size) < 3 or grey_variance < 1.0:  # a flat image: nothing in focus to measure
        return 0.0, round(luminance, 2)
    edges = grey.filter(LAPLACIAN)
    # Pillow leaves the 1-pixel border unfiltered: leave it out of the statistic.
    inner = edges.crop((1, 1, edges.width - 1, edges.height - 1))
    sharpness = 1000.0 * ImageStat.Stat(inner).var[0] / grey_variance
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
