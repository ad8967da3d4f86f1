"""The ui package takes shiboken's `__feature__` import hook out (it read every later module's source); Qt's own
lazy-type import stays, so a star import of a Qt module is still whole."""

from __future__ import annotations

import builtins

import zwgk_desktop.ui as ui


def test_the_feature_hook_is_gone_and_the_lazy_import_stays():
    assert builtins.__import__ is not getattr(builtins, "__feature_import__", None)
    assert builtins.__import__ is getattr(builtins, "__orig_import__", builtins.__import__)
    assert ui.drop_feature_import_hook() is False  # nothing left to drop


def test_a_star_import_of_a_qt_module_gets_every_class():
    names: dict = {}
    exec("from PySide6.QtGui import *", names)  # noqa: S102 - the import statement itself is under test
    assert {"QTextDocument", "QPdfWriter", "QFontDatabase"} <= names.keys()
