"""A bound on the decoded pixels the import's workers hold at once, so memory stays small whatever a folder holds.

Each worker reserves what a file will hold — its bytes plus the decoded
pixels (`image_cost`) — before reading it, and gives it back when done;
when the budget is spent, the next worker waits. A request larger than the
whole budget runs alone (it waits until nothing else is reserved), so huge
images are read one after another instead of all at once; a photo that
alone would need more than `MAX_IMAGE_MEMORY` is refused (`too_large`).
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

DEFAULT_BUDGET_BYTES = 384 * 1024 * 1024
"""File bytes plus decoded pixels in flight across the pool (a 12-MP JPEG at draft scale
needs ~5 MB with its file; a 90-MP RGB PNG decoded whole ~360 MB). With the interpreter
and the database layer (~80 MB) the import stays under 500 MB."""

MAX_IMAGE_MEMORY = DEFAULT_BUDGET_BYTES
"""One photo may need at most this much (file bytes + decoded pixels); more is `too_large`."""

# Bytes per pixel as Pillow stores them: every multi-band 8-bit mode takes 4 bytes a pixel.
BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}


def image_cost(width: int, height: int, mode: str, *, converted: bool = False) -> int:
    """Bytes to decode width×height in `mode` (plus an RGB copy when it must be converted before reducing)."""
    pixels = max(0, width) * max(0, height)
    cost = pixels * BYTES_PER_PIXEL.get(mode, 4)
    return cost + (pixels * 4 if converted else 0)


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
            if want >= TRIM_ABOVE:
                release_freed_memory()  # before the next big decode starts, in another thread's arena
            with self._cond:
                self.in_use -= want
                self._cond.notify_all()


TRIM_ABOVE = 64 * 1024 * 1024
_malloc_trim = None


def release_freed_memory() -> None:
    """Hand memory freed by a big decode back to the OS.

    glibc keeps freed heap memory in the arena of the thread that freed it, so
    without this each worker thread that once decoded a huge image would keep
    its size resident. No-op where there is no glibc `malloc_trim`.
    """
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = False
        if sys.platform.startswith("linux"):
            import ctypes
            import ctypes.util

            try:
                _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
            except (OSError, AttributeError):
                _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


class _NoBudget:
    @contextmanager
    def reserve(self, nbytes: int):
        yield


NO_BUDGET = _NoBudget()
