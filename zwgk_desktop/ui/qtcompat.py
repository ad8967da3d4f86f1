"""Work-arounds for bugs in the Qt binding, applied once when `zwgk_desktop.ui` is imported.

PySide6 6.12.0 returns `True`/`False` from `SignalInstance.emit()` and
`SignalInstance.disconnect()` without taking a reference. On Python 3.11
(bools are not immortal) every call therefore steals one reference to
`True`, and after enough signals the interpreter aborts with "Fatal Python
error: bool_dealloc". `install()` probes the binding once and, only if the
bug is present, wraps both methods to give the stolen reference back.
"""

from __future__ import annotations

import ctypes
import sys

_installed = False


def _give_back(result):
    if result is True or result is False:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
    return result


def _emit_steals_a_bool_reference() -> bool:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    return sys.getrefcount(True) < before


def install() -> bool:
    """Patch the binding if (and only if) it has the bug; returns whether a patch is active."""
    global _installed
    if _installed:
        return True
    from PySide6.QtCore import SignalInstance

    if not _emit_steals_a_bool_reference():
        return False
    original_emit, original_disconnect = SignalInstance.emit, SignalInstance.disconnect

    def emit(self, *args):
        return _give_back(original_emit(self, *args))

    def disconnect(self, *args):
        return _give_back(original_disconnect(self, *args))

    SignalInstance.emit = emit
    SignalInstance.disconnect = disconnect
    _installed = True
    return True
