"""The main window's two phases: the shell on screen before the database, the data pages attached later, pages
built on first use, and the page check of the database file after start-up."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from zwgk_desktop.config import Config
from zwgk_desktop.ui.main_window import MainWindow, PendingPage


def texts(widget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel))


def test_the_shell_shows_every_section_and_says_it_is_opening(qtbot, config):
    """Before the database is open the window has its navigation, 今日待办 first, and a "正在打开" placeholder;
    it tells once that it has been painted."""
    window = MainWindow(config, first_page="today")
    qtbot.addWidget(window)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["今日待办", "公示管理", "户籍台账", "照片存档", "明白卡", "统计报表", "同步", "设置"]
    assert window.current_page_key() == "today" and window.database is None and window.disclosures_page is None
    assert isinstance(window.page("today"), PendingPage) and "正在打开数据库" in texts(window.page("today"))
    with qtbot.waitSignal(window.first_painted, timeout=5000):
        window.show()
    assert window.painted
    painted = []
    window.first_painted.connect(lambda: painted.append(1))
    window.update()
    qtbot.wait(50)
    assert painted == []  # only the first paint is announced


def test_attaching_the_database_fills_the_data_pages_in_place(qtbot, demo_config, demo_db, tasks):
    """`attach` puts 公示管理 and 户籍台账 where their placeholders were; showing 公示管理 lists the 49 notices;
    `fill_placeholders` leaves no "正在打开" page behind."""
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ui.pages.disclosures import DisclosuresPage

    window = MainWindow(demo_config, first_page="today")
    qtbot.addWidget(window)
    window.show()
    window.attach(demo_db, tasks)
    window.actor = Actor("tester", "admin", "测试管理员")
    assert isinstance(window.page("disclosures"), DisclosuresPage) and window.page_keys()[1] == "disclosures"
    with qtbot.waitSignal(window.disclosures_page.list_loaded, timeout=15000) as loaded:
        window.show_page("disclosures")
    assert loaded.args == [49]
    window.fill_placeholders()
    assert not [key for key in window.page_keys() if isinstance(window.page(key), PendingPage)]
    qtbot.waitUntil(lambda: window.windowTitle() == "青山镇 · 政务公开公示栏管理系统", timeout=5000)


def test_todays_list_comes_first_and_the_lifecycle_adopts_it(qtbot, demo_config, demo_db, tasks):
    """Start-up's order: bound to the database, 今日待办 alone is installed and fills (no data pages yet, no
    overview query); then the data pages are attached and the lifecycle's `install` keeps that same page."""
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ui.lifecycle import dashboard, install

    window = MainWindow(demo_config, first_page="today")
    qtbot.addWidget(window)
    window.show()
    window.bind(demo_db, tasks)
    window.actor = Actor("tester", "admin", "测试管理员")
    with qtbot.waitSignal(window.overview_loaded, timeout=1000, raising=False) as overview:
        with qtbot.waitSignal(dashboard.install(window).loaded, timeout=15000) as filled:
            pass
    page = window.page("today")
    assert isinstance(page, dashboard.DashboardPage) and window.current_page_key() == "today"
    assert filled.args[0] == len(page.items) > 0 and page.tree.topLevelItemCount() == len(page.items)
    assert window.disclosures_page is None and not window.attached and not overview.signal_triggered
    assert dashboard.install(window) is page  # installing again keeps it

    window.attach(demo_db, tasks)
    with qtbot.waitSignal(window.disclosures_page.list_loaded, timeout=15000):
        wiring = install(window)
    assert wiring.dashboard is page and window.page("today") is page and window.current_page_key() == "today"
    qtbot.waitUntil(lambda: window.overview is not None, timeout=5000)


def test_start_up_goes_on_at_once_when_todays_list_cannot_be_read(qtbot, qapp, demo_config, demo_db, tasks,
                                                                   monkeypatch):
    """If 今日待办 cannot be read, the page says why and start-up goes on (the data pages, the other packages) at
    once, not after the first screen's timeout."""
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.errors import ZwgkError
    from zwgk_desktop.ops import todo as todo_ops
    from zwgk_desktop.ops.base import reads
    from zwgk_desktop.ui.app import FIRST_SCREEN_TIMEOUT_MS, Startup
    from zwgk_desktop.ui.lifecycle import dashboard

    @reads
    def unreadable(db, actor, **_kw):
        raise ZwgkError("今日待办读取失败（测试）")

    monkeypatch.setattr(todo_ops, "todo", unreadable)
    window = MainWindow(demo_config, first_page="today")
    qtbot.addWidget(window)
    window.bind(demo_db, tasks)
    window.actor = Actor("tester", "admin", "测试管理员")
    startup = Startup(qapp, window, demo_config, False)
    page = dashboard.install(window)
    with qtbot.waitSignal(startup.first_screen_ready, timeout=FIRST_SCREEN_TIMEOUT_MS // 2):
        startup._wait_for_first_page()
    assert "今日待办读取失败" in page.message.text()


def test_a_lazy_page_is_built_only_when_first_needed(qtbot, config):
    """`add_lazy_page` keeps a stand-in until the page is shown (or asked for); the factory runs once."""
    window = MainWindow(config)
    qtbot.addWidget(window)
    built = []

    def factory():
        built.append(1)
        return QLabel("明白卡页面")

    window.add_lazy_page("cards", "明白卡", factory)
    assert built == [] and isinstance(window._pages["cards"], PendingPage)
    window.show_page("cards")
    assert built == [1] and window.stack.currentWidget().text() == "明白卡页面"
    assert window.page("cards").text() == "明白卡页面" and built == [1]
    assert window.page_keys().index("cards") == 4  # replaced in place


def damage_a_middle_page(path) -> None:
    """Overwrite one b-tree page in the middle of the file: the header and the schema still read fine."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    middle = (len(data) // page_size // 2) * page_size
    data[middle:middle + page_size] = b"\x0d\xff" * (page_size // 2)
    path.write_bytes(bytes(data))


def test_a_damaged_page_is_found_after_start_up_and_explained(qapp, tmp_path, demo_template):
    """A database with one damaged page still opens on the window (the header is sound); the page check that
    runs after 今日待办 then warns, in Chinese, to restore from a backup."""
    from zwgk_desktop.ui.app import run_app

    config = Config.load(tmp_path / "data")
    config.ensure_data_dir()
    shutil.copy2(demo_template, config.db_path)
    damage_a_middle_page(config.db_path)
    seen = {}

    def check():
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            return
        seen.setdefault("boxes", []).append((box.windowTitle(), box.text()))
        box.accept()
        window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is not None and box.windowTitle() == "数据库完整性检查未通过":
            seen["status"] = window.alert_text()  # stays, whatever passing notice (backup reminder) came since
            window.close()

    timer = QTimer(qapp)
    timer.timeout.connect(check)
    timer.start(50)
    try:
        assert run_app(config) == 0
    finally:
        timer.stop()
    title, text = seen["boxes"][-1]
    assert title == "数据库完整性检查未通过" and "备份" in text
    assert "完整性检查未通过" in seen["status"]
