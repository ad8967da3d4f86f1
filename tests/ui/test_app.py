"""`run_app`: runs until the window closes, explains a bad database in Chinese, creates the demo township on request."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from zwgk_desktop.config import Config
from zwgk_desktop.ui import app as app_module
from zwgk_desktop.ui.app import run_app
from zwgk_desktop.ui.main_window import MainWindow


def poll(qapp, check, interval_ms: int = 50) -> QTimer:
    """Call `check()` on the UI thread until it returns True (drives run_app's own event loop)."""
    timer = QTimer(qapp)
    timer.setInterval(interval_ms)

    def tick():
        if check():
            timer.stop()

    timer.timeout.connect(tick)
    timer.start()
    return timer


def main_window() -> MainWindow | None:
    """The visible main window (its data pages come once the database is open: `disclosures_page` is None before)."""
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)


def test_run_app_shows_the_notices_and_returns_when_closed(qapp, tmp_path, demo_template):
    """Starting the app shows the demo township's notices; closing the window ends run_app with code 0."""
    config = Config.load(tmp_path / "data")
    config.ensure_data_dir()
    shutil.copy2(demo_template, config.db_path)
    seen = {}

    def close_when_listed():
        window = main_window()
        if window is None or window.disclosures_page is None or window.disclosures_page.model.rowCount() != 49 or window.overview is None:
            return False
        seen["title"] = window.windowTitle()
        seen["font"] = QApplication.font().family()
        window.close()
        return True

    timer = poll(qapp, close_when_listed)
    assert run_app(config) == 0
    timer.stop()
    assert seen["title"] == "青山镇 · 政务公开公示栏管理系统"
    assert seen["font"] == "WenQuanYi Micro Hei"  # the bundled font, so Chinese shows without system fonts


def test_corrupt_database_is_explained_and_exits_1(qapp, tmp_path):
    """A damaged database file gives a Chinese error dialog and exit code 1, and the file is left untouched."""
    config = Config.load(tmp_path / "data")
    config.ensure_data_dir()
    garbage = b"this is not a database" * 100
    config.db_path.write_bytes(garbage)
    seen = {}

    def dismiss_error():
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            return False
        seen["title"], seen["text"] = box.windowTitle(), box.text()
        box.accept()
        return True

    timer = poll(qapp, dismiss_error)
    assert run_app(config) == 1
    timer.stop()
    assert seen["title"] == "无法打开数据库"
    assert "已损坏" in seen["text"] and "备份" in seen["text"]
    assert config.db_path.read_bytes() == garbage


def test_demo_if_empty_creates_the_demo_township(qapp, tmp_path, monkeypatch):
    """With --demo-if-empty an empty data dir gets the demo township (off the UI thread), then it is listed."""
    monkeypatch.setattr(app_module, "DEMO_HOUSEHOLDS", 120)  # keep the test fast; the size is not the point
    config = Config.load(tmp_path / "empty")
    seen = {}

    def close_when_demo_listed():
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is not None:  # an unexpected error dialog: record it and give up instead of hanging
            seen["error"] = box.text()
            box.accept()
            main_window().close()
            return True
        window = main_window()
        if window is None or window.disclosures_page is None or window.disclosures_page.model.rowCount() != 49 or window.overview is None or not window.overview.township:
            return False
        seen["households"] = window.overview.households
        window.close()
        return True

    timer = poll(qapp, close_when_demo_listed)
    assert run_app(config, demo_if_empty=True) == 0
    timer.stop()
    assert seen.get("error") is None
    assert seen["households"] == 120


def test_qt_standard_buttons_are_chinese(qapp, config):
    """Qt's own strings (确定/取消 on standard buttons) are translated once the app look is prepared."""
    from PySide6.QtWidgets import QDialogButtonBox

    from zwgk_desktop.ui.app import prepare_look

    prepare_look(qapp, config)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert sorted(b.text() for b in box.buttons()) == sorted(["确定", "取消"])


def test_every_navigation_entry_is_a_real_page_and_stats_load_on_first_show(qtbot, demo_config, demo_db, tasks):
    """With the extension packages installed no entry is left as a placeholder; 统计报表 computes when first opened."""
    from tests.ui.conftest import make_window
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ui.app import install_extension_pages
    from zwgk_desktop.ui.stats import StatsPage
    from zwgk_desktop.ui.widgets import PlaceholderPage

    window = make_window(qtbot, demo_config, demo_db, tasks)
    window.actor = Actor("admin", "admin", "管理员")
    install_extension_pages(window)
    placeholders = [key for key in window.page_keys() if isinstance(window.page(key), PlaceholderPage)]
    assert placeholders == []
    stats = window.page("reports")
    assert isinstance(stats, StatsPage) and stats.stats is None  # nothing computed at start-up
    window.show()
    window.show_page("reports")
    qtbot.waitUntil(lambda: stats.stats is not None, timeout=15000)
    assert stats.cards["notices"].value.text() not in ("", "0")
