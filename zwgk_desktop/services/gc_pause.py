"""`paused_gc()`: the one way to hold the cyclic garbage collector off during bulk work, safe to nest and share.

Roster imports and big PDFs (posters, 明白卡) create hundreds of thousands
of small acyclic objects that stay alive until the work ends; every full
collection would walk all of them again for nothing (reference counting
still frees everything as usual). In the desktop an import on the database
thread and a print on the pool can overlap, so pauses are counted under a
lock: the first one in disables the collector, the last one out restores
the state the first one found. (This replaces the rosters' `gc_paused`,
which re-enabled the collector while a print still relied on it.)
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Cyclic garbage collection off for the block; nested and concurrent uses are counted."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
