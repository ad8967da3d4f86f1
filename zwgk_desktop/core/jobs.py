"""The progress/cancel contract for long work, with no Qt.

A long function takes a `Job`; it calls `job.progress(done, total, message)`
now and then and `job.check()` between units of work. The UI reads the
latest progress on a timer and sets the cancel flag; the CLI passes
`Job()` (no reporting) or a console reporter.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

from zwgk_desktop.errors import Cancelled

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class Job:
    """Progress sink and cancel flag handed to long-running core/service functions."""

    on_progress: ProgressCallback | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int = 0
    message: str = ""

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.done, self.total, self.message = done, total, message
        if self.on_progress is not None:
            self.on_progress(done, total, message)

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def check(self) -> None:
        """Raise `Cancelled` if the user asked to stop; call between units of work."""
        if self.cancel_event.is_set():
            raise Cancelled()

    @property
    def fraction(self) -> float:
        return (self.done / self.total) if self.total else 0.0
