"""UI test fixtures: offscreen Qt, a main window on a copy of the demo township, a 50,000-line notice built once."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402

import pytest  # noqa: E402

from tests.bench.runner import add_big_notice  # noqa: E402
from zwgk_desktop.config import Config  # noqa: E402
from zwgk_desktop.core.schema import open_database  # noqa: E402

BIG_ITEMS = 50_000


@pytest.fixture(scope="session")
def big_template(tmp_path_factory, demo_template):
    """The demo database plus one 50,000-line notice, built once per run."""
    cfg = Config.load(tmp_path_factory.mktemp("big-template"))
    cfg.ensure_data_dir()
    shutil.copy2(demo_template, cfg.db_path)
    db = open_database(cfg)
    notice_id = add_big_notice(db, BIG_ITEMS)
    db.dispose()
    return cfg.db_path, notice_id


@pytest.fixture
def big_db(tmp_path, big_template):
    path, notice_id = big_template
    cfg = Config.load(tmp_path / "big")
    cfg.ensure_data_dir()
    shutil.copy2(path, cfg.db_path)
    db = open_database(cfg)
    yield cfg, db, notice_id
    db.dispose()


@pytest.fixture
def tasks(qapp):
    from zwgk_desktop.ui.tasks import TaskManager

    manager = TaskManager()
    yield manager
    manager.shutdown(wait=True)


def make_window(qtbot, config, database, tasks, actor=None):
    """A main window as run_app builds it: constructed, then given its signed-in actor (default: an admin)."""
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ui.main_window import MainWindow

    window = MainWindow(config, database, tasks)
    qtbot.addWidget(window)
    window.actor = actor or Actor(username="tester", role="admin", display_name="测试管理员")
    return window


@pytest.fixture
def window(qtbot, demo_config, demo_db, tasks):
    """The main window on a demo township, shown, with its notice list loaded."""
    win = make_window(qtbot, demo_config, demo_db, tasks)
    page = win.disclosures_page
    with qtbot.waitSignal(page.list_loaded, timeout=15000):
        win.show()
        page.refresh()
    return win



@pytest.fixture(autouse=True)
def _collect_qt_garbage(qapp):
    """Delete this test's widgets while Qt is alive, not during interpreter shutdown (PySide crashes there)."""
    yield
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
