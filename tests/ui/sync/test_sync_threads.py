"""Long sync work never holds the database thread, yet every one of its writes runs there, one at a time; the page tells a
failed attempt from a success."""

from __future__ import annotations

import threading
import time

import pytest

from tests.county.kit import CountyProcess, copy_township, enroll_real, township_template
from tests.ui.conftest import make_window
from zwgk_desktop.core import audit
from zwgk_desktop.ops.base import unit_of_work, writes
from zwgk_desktop.ui.sync import install

TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def threads_template(tmp_path_factory):
    return township_template(tmp_path_factory.mktemp("threads-township") / "data")


@pytest.fixture
def township(tmp_path, threads_template):
    cfg, database = copy_township(threads_template, tmp_path / "data")
    yield cfg, database
    database.dispose()


@writes("notices")
def note_event(db, actor, name: str, *, job=None) -> str:
    """A small write op standing in for a clerk saving something while a sync runs."""
    with unit_of_work(db, actor) as session:
        audit.record(session, "test_event", "test", name, {})
    return threading.current_thread().name


def test_a_write_finishes_while_a_slow_sync_waits_on_the_county(qtbot, township, tasks, tmp_path, monkeypatch):
    """With the county stalling 4 s on the push, a clerk's write op completes long before the sync does; every write
    the sync makes runs on the database thread."""
    from zwgk_desktop.core.db import Database

    config, database = township
    county = CountyProcess(tmp_path / "county").start()
    try:
        enroll_real(config, county, database=database)
        window = make_window(qtbot, config, database, tasks)
        install(window, start=False)
        controller = window.sync_controller
        write_threads: list[str] = []
        real_write = Database.write

        def spying_write(self, fn, *, user):
            def traced(session):
                write_threads.append(threading.current_thread().name)
                return fn(session)

            return real_write(self, traced, user=user)

        monkeypatch.setattr(Database, "write", spying_write)
        county.set_faults("changes:before:sleep4:1")
        started = time.monotonic()
        with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS) as finished:
            assert controller.sync_now(manual=True)
            qtbot.wait(500)  # the sync is now waiting for the county's answer
            with qtbot.waitSignal(tasks.changed, timeout=10_000):
                future = tasks.run_op(note_event, "while-syncing")
            write_done = time.monotonic() - started
            assert future.result(timeout=1).startswith("zwgk-db")
            assert controller.running  # the sync is still going: the write did not wait for it
        assert finished.args[0].ok, finished.args[0].error_message
        assert write_done < 3.5 < time.monotonic() - started
        assert write_threads and all(name.startswith("zwgk-db") for name in write_threads)
    finally:
        county.stop()


def test_the_page_shows_a_failed_attempt_and_no_success(qtbot, township, tasks):
    """An install that was never enrolled: a sync attempt fails; the page says 上次成功同步 从未 and the attempt failed."""
    config, database = township
    window = make_window(qtbot, config, database, tasks)
    page = install(window, start=False)
    controller = window.sync_controller
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS) as finished:
        assert controller.sync_now(manual=False)
    assert finished.args[0].error_code == "sync_not_enrolled"
    qtbot.waitUntil(lambda: "失败" in page.figures["last_attempt"].value.text(), timeout=10_000)
    assert page.figures["last_sync"].value.text() == "从未"
    assert "尚未在县级服务器注册" in page.result_box.text()
    assert window.sync_label.text() == "● 未连接县级平台"
