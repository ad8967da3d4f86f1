"""The PySide6 6.12 bool-reference bug is neutralised: emitting many signals never aborts the app."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import zwgk_desktop.ui  # noqa: F401  (installs the work-around)


class _Emitter(QObject):
    changed = Signal(int)


def test_emitting_and_disconnecting_signals_keeps_true_alive(qapp):
    """Thousands of emits and disconnects leave the reference count of True where it was."""
    emitter = _Emitter()
    received = []
    emitter.changed.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(5000):
        emitter.changed.emit(n)
    for _ in range(500):
        emitter.changed.connect(print)
        emitter.changed.disconnect(print)
    assert len(received) == 5000
    assert sys.getrefcount(True) >= before
