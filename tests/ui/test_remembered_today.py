"""今日待办 remembered at closing: shown at the next start before the database opens, not actionable until the
live list replaces it, never kept for a township that requires log-in, never shown after another program wrote."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from tests.conftest import run_cli
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.core.users import add_user, set_single_user_mode
from zwgk_desktop.ops.todo import todo
from zwgk_desktop.ui.app import Startup, snapshot_store
from zwgk_desktop.ui.lifecycle import dashboard, sign_in
from zwgk_desktop.ui.main_window import MainWindow


def refuse(dialog) -> bool:
    raise AssertionError(f"unexpected dialog {type(dialog).__name__}")


def started(qtbot, qapp, config, database=None, signed_in=None) -> Startup:
    """A shown main window with its start-up object, as `run_app` has them (database and user when given)."""
    window = MainWindow(config, first_page="today")
    qtbot.addWidget(window)
    window.show()
    startup = Startup(qapp, window, config, False)
    startup.database, startup.signed_in = database, signed_in
    return startup


def test_closing_remembers_the_list_and_the_next_start_shows_it_until_the_live_one_comes(qtbot, qapp, demo_config,
                                                                                         demo_db, tasks):
    """Closing writes the user's 今日待办 (for today and the next days); the next start shows exactly those rows
    at once, but 去办理 and double-click wait until the list read from the database replaces them."""
    signed = sign_in(demo_db, demo_config, run_dialog=refuse)
    closing = started(qtbot, qapp, demo_config, demo_db, signed)
    closing.close_database()
    startup = started(qtbot, qapp, demo_config)
    with qtbot.waitSignal(startup.first_screen_shown, timeout=1000):
        startup._show_remembered_list()  # (before anything opens the database again)
    in_three_days = date.today() + timedelta(days=3)
    later = snapshot_store(demo_config).recall(in_three_days)
    live = todo(demo_db, signed.actor, today=date.today())
    page = startup.window.page("today")
    assert live.items and page.items == live.items
    assert later.items == todo(demo_db, signed.actor, today=in_three_days).items  # opened on Monday, say
    assert isinstance(page, dashboard.DashboardPage) and page.remembered and not page.bound
    assert page.tree.topLevelItemCount() == len(live.items) and f"今日待办 {len(live.items)} 项" in page.heading.text()
    assert not page.open_button.isEnabled() and not page.refresh_button.isEnabled()
    opened = []
    page.open_requested.connect(opened.append)
    page.tree.itemDoubleClicked.emit(page.tree.topLevelItem(0), 0)
    assert opened == []

    startup.window.bind(demo_db, tasks)
    startup.window.actor = signed.actor
    with qtbot.waitSignal(page.loaded, timeout=15000):
        assert dashboard.install(startup.window) is page
    assert not page.remembered and page.open_button.isEnabled() and len(page.items) == len(live.items)
    page.tree.itemDoubleClicked.emit(page.tree.topLevelItem(0), 0)
    assert opened and opened[0].title == live.items[0].title


def test_a_township_that_requires_log_in_remembers_nothing(qtbot, qapp, demo_config, demo_db):
    """Once accounts are required, closing removes any remembered list: nobody's to-dos show before log-in."""
    signed = sign_in(demo_db, demo_config, run_dialog=refuse)
    store = snapshot_store(demo_config)
    store.remember({date.today(): {"items": [], "notices": 1}})
    with demo_db.session(user="test") as session:
        add_user(session, signed.actor, "zhangli", "qingshan-2026", "clerk", display_name="张丽")
        set_single_user_mode(session, signed.actor, False)
    started(qtbot, qapp, demo_config, demo_db, signed).close_database()
    assert not store.path.exists()


def test_closing_before_sign_in_keeps_what_is_remembered(qtbot, qapp, demo_config):
    """Closed right after the database opened (nobody signed in yet): the remembered list stays for next time."""
    store = snapshot_store(demo_config)
    store.remember({date.today(): {"items": [], "notices": 3}})
    started(qtbot, qapp, demo_config, open_database(demo_config), None).close_database()
    assert store.recall(date.today()).notices == 3


@pytest.mark.slow
def test_a_change_made_while_the_app_was_closed_is_read_live(demo_config):
    """A real `zwgk gui` shows the remembered list after a normal close, and reads it live after the command
    line changed the database in between; that start remembers the new list again."""
    def start() -> str:
        result = run_cli("gui", data_dir=demo_config.data_dir, timeout=180, env={"ZWGK_EXIT_AFTER_SHOWN": "today"})
        assert result.returncode == 0, result.stderr
        return result.stderr

    run_cli("gui", data_dir=demo_config.data_dir, timeout=180, env={"ZWGK_EXIT_AFTER_SHOWN": "today-live"})
    assert "(remembered)" in start()
    changed = run_cli("township", "init", "--name", "青山镇", "--villages", "新建村", "--json",
                      data_dir=demo_config.data_dir)
    assert changed.returncode == 0, changed.stderr
    assert "(live)" in start()
    assert "(remembered)" in start()


def test_the_remembered_page_shows_the_where_to_start_panel_without_its_buttons(qtbot, qapp, demo_config):
    """An empty township's remembered list shows 导入花名册 / 新建公示 greyed until the live list comes."""
    snapshot_store(demo_config).remember({date.today(): {"items": [], "notices": 0}})
    startup = started(qtbot, qapp, demo_config)
    startup.window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    startup._show_remembered_list()
    page = startup.window.page("today")
    assert page.start.isVisible() and not page.start.isEnabled() and not page.start.hint.isVisible()
