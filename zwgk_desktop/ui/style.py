"""Look and feel: the bundled CJK fonts registered with Qt, the app font, Fusion and a small light stylesheet.

`register_bundled_fonts(fonts_dir)` adds every bundled font to
`QFontDatabase` (so Chinese shows on a machine without Chinese fonts) and
returns the family names in fallback order: 文泉驿微米黑 first, then the
花园明朝 A/B faces that draw rare characters (生僻字) in names
(`limit=1`: only the first, for the first window; the rest can follow).
`apply_style(app, families)` makes the first family the app font (10.5 pt)
with the others as fallbacks. `new_application(program)` makes the
QApplication with Fusion asked for on its command line: Qt then builds the
style itself, while `QStyleFactory.create` from Python first builds
PySide's QStyle class with its hundreds of enum members (~10 ms before the
first paint); `apply_style` leaves such an application's style alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

log = logging.getLogger(__name__)

APP_FONT_POINT_SIZE = 10.5
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")
ACCENT = "#1f6feb"
STYLE = "Fusion"
STYLE_FROM_ARGUMENTS = "zwgkStyleFromArguments"  # QApplication property: `new_application` asked for STYLE

_registered: dict[str, list[str]] = {}  # font file → its families, once per process


def bundled_font_files(fonts_dir: Path) -> list[Path]:
    """Font files in fallback order: the services' chain when available, else every font file in the dir."""
    try:
        from zwgk_desktop.services.fonts import font_chain

        files = [face.path for face in font_chain(fonts_dir)]
    except Exception:  # the chain module is optional here; any font file is better than tofu
        files = []
    extra = sorted(p for p in Path(fonts_dir).glob("*") if p.suffix.lower() in FONT_SUFFIXES and p not in files)
    return [*files, *extra]


def _primary_family(families: list[str]) -> list[str]:
    """Proportional faces before monospace ones (a TTC such as wqy-microhei holds both)."""
    return sorted(families, key=lambda name: "mono" in name.lower())


def register_bundled_fonts(fonts_dir: Path, *, limit: int | None = None) -> list[str]:
    """Add the bundled fonts to Qt once per process; return their families, primary first.

    `limit=1` registers only the primary face (what the first window needs; the big
    rare-character faces cost tens of milliseconds and can follow after the first paint)."""
    families: list[str] = []
    files = bundled_font_files(Path(fonts_dir))
    for path in files if limit is None else files[:limit]:
        key = str(path.resolve())
        if key not in _registered:
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                log.warning("could not load bundled font %s", path)
                _registered[key] = []
                continue
            _registered[key] = _primary_family(QFontDatabase.applicationFontFamilies(font_id))
        for family in _registered[key]:
            if family not in families:
                families.append(family)
    return families


def app_font(families: list[str]) -> QFont:
    font = QApplication.font()
    proportional = [f for f in families if "mono" not in f.lower()]
    if proportional:
        font.setFamilies(proportional)
    font.setPointSizeF(APP_FONT_POINT_SIZE)
    return font


STYLESHEET = f"""
QMainWindow, QWidget#page {{ background: #ffffff; }}
QListWidget#nav {{
    background: #f3f5f8; border: none; border-right: 1px solid #dde1e7;
    padding-top: 8px; outline: 0; font-size: 11pt;
}}
QListWidget#nav::item {{ padding: 9px 16px; margin: 1px 6px; border-radius: 6px; color: #2b3340; }}
QListWidget#nav::item:hover {{ background: #e7ebf1; }}
QListWidget#nav::item:selected {{ background: {ACCENT}; color: #ffffff; }}
QLabel#pageTitle {{ font-size: 15pt; font-weight: 600; color: #1f2733; }}
QLabel#muted, QLabel#countLabel {{ color: #6a7380; }}
QLabel#detailTitle {{ font-size: 13pt; font-weight: 600; color: #1f2733; }}
QLabel#statusPill {{ border-radius: 9px; padding: 2px 10px; font-weight: 600; }}
QFrame#detailHeader {{ background: #f7f9fb; border: 1px solid #e3e7ec; border-radius: 8px; }}
QFrame#placeholderCard {{ background: #f7f9fb; border: 1px solid #e3e7ec; border-radius: 12px; }}
QTableView {{
    border: 1px solid #dde1e7; border-radius: 6px; gridline-color: #eef0f3;
    alternate-background-color: #f7f9fc; selection-background-color: #dbe8fd; selection-color: #1f2733;
}}
QHeaderView::section {{
    background: #f1f3f6; color: #39424e; padding: 5px 8px; border: none;
    border-right: 1px solid #e3e6ea; border-bottom: 1px solid #dde1e7; font-weight: 600;
}}
QLineEdit {{ padding: 4px 8px; border: 1px solid #cfd5dd; border-radius: 5px; min-height: 22px; background: #fff; }}
QLineEdit:focus {{ border: 1px solid {ACCENT}; }}
QStatusBar {{ background: #f3f5f8; color: #4a5361; border-top: 1px solid #dde1e7; }}
QStatusBar QLabel {{ padding: 0 8px; }}
QSplitter::handle {{ background: #eef0f3; }}
"""


def new_application(program: str) -> QApplication:
    """The QApplication, with Fusion chosen on its command line (see module doc)."""
    app = QApplication([program, "-style", STYLE])
    app.setProperty(STYLE_FROM_ARGUMENTS, True)
    return app


def apply_style(app: QApplication, families: list[str]) -> None:
    """Fusion, the bundled font as the app font, a light palette and the stylesheet."""
    if app.property(STYLE_FROM_ARGUMENTS):
        palette = app.palette()  # Fusion's standard palette, as long as no palette has been set
    else:
        fusion = QStyleFactory.create(STYLE)
        if fusion is not None:
            app.setStyle(fusion)
        palette = app.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#dbe8fd"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#1f2733"))
    app.setPalette(palette)
    app.setFont(app_font(families))
    app.setStyleSheet(STYLESHEET)
