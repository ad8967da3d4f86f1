"""A bound on the decoded pixels the import's workers hold at once, so memory stays small whatever a folder holds.

Each worker reserves the bytes its decode will need (`reserve(n)`) before
decoding and gives them back when done; when the budget is spent, the next
worker waits. A single image needing more than the whole budget runs alone
(it waits until nothing else is reserved), so four 120-MP PNGs decode one
after another instead of all at once. `image_cost` says what a decode needs.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

DEFAULT_BUDGET_BYTES = 400 * 1024 * 1024
"""Decoded bytes in flight across the pool (a 12-MP JPEG at draft scale needs ~2 MB,
a 120-MP RGB PNG decoded whole 360 MB)."""

BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "I;16": 2, "I;16B": 2, "I;16L": 2,
                   "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3, "RGBA": 4, "RGBa": 4, "RGBX": 4, "CMYK": 4,
                   "I": 4, "F": 4, "La": 2}


def image_cost(width: int, height: int, mode: str, *, converted: bool = False) -> int:
    """Bytes to decode width×height in `mode` (plus an RGB copy when it must be converted before reducing)."""
    pixels = max(0, width) * max(0, height)
    cost = pixels * BYTES_PER_PIXEL.get(mode, 4)
    return cost + (pixels * 3 if converted else 0)


class PixelBudget:
    """Bytes of decoded pixels the pool may hold at once (thread-safe)."""

    def __init__(self, limit: int = DEFAULT_BUDGET_BYTES):
        self.limit = max(1, int(limit))
        self.in_use = 0
        self.peak = 0
        self._cond = threading.Condition()

    @contextmanager
    def reserve(self, nbytes: int):
        """Hold `nbytes` of the budget while the block runs (alone when it exceeds the budget)."""
        want = max(0, int(nbytes))
        with self._cond:
            while self.in_use and self.in_use + want > self.limit:
                self._cond.wait()
            self.in_use += want
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            with self._cond:
                self.in_use -= want
                self._cond.notify_all()


class _NoBudget:
    @contextmanager
    def reserve(self, nbytes: int):
        yield


NO_BUDGET = _NoBudget()
