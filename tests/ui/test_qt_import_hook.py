"""Start-up and PySide: the ui package takes shiboken's `__feature__` import hook out (it read every later module's
source) while Qt's own lazy-type import stays, so a star import of a Qt module is still whole; the app's QApplication
gets Fusion from its command line."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path

import zwgk_desktop.ui as ui

ROOT = Path(__file__).resolve().parents[2]


def test_the_feature_hook_is_gone_and_the_lazy_import_stays():
    assert builtins.__import__ is not getattr(builtins, "__feature_import__", None)
    assert builtins.__import__ is getattr(builtins, "__orig_import__", builtins.__import__)
    assert ui.drop_feature_import_hook() is False  # nothing left to drop


def test_a_star_import_of_a_qt_module_gets_every_class():
    names: dict = {}
    exec("from PySide6.QtGui import *", names)  # noqa: S102 - the import statement itself is under test
    assert {"QTextDocument", "QPdfWriter", "QFontDatabase"} <= names.keys()


def test_the_apps_own_qapplication_is_fusion_without_building_qstyle_in_python(tmp_path):
    """`ensure_application` asks for Fusion on the command line, so the look is ready before the first paint without
    PySide's QStyle class (hundreds of enum members) being built; our palette colours still apply."""
    code = (
        "import sys; from pathlib import Path; from PySide6 import QtWidgets; from PySide6.QtGui import QPalette; "
        "from zwgk_desktop.config import Config; from zwgk_desktop.ui.app import ensure_application, prepare_look; "
        "app = ensure_application(); prepare_look(app, Config.load(Path(sys.argv[1])), primary_only=True); "
        "print('QStyle' in vars(QtWidgets), app.palette().color(QPalette.ColorRole.Highlight).name())"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "data")], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    built, highlight = result.stdout.split()
    assert built == "False" and highlight == "#dbe8fd"
