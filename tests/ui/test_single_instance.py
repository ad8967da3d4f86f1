"""One app per data directory: a second start finds the first, asks it to come forward, and exits (pytest-qt)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtNetwork import QLocalServer

from zwgk_desktop.config import Config
from zwgk_desktop.ui.app import run_app
from zwgk_desktop.ui.single_instance import InstanceGuard


def test_a_second_start_on_the_same_data_dir_asks_the_first_to_come_forward(qtbot, tmp_path):
    """The second guard finds the first (which is asked to show itself); another data dir is independent."""
    first = InstanceGuard(tmp_path / "town")
    assert not first.ask_running_instance()
    assert first.listen()
    try:
        with qtbot.waitSignal(first.activate_requested, timeout=5000):
            assert InstanceGuard(tmp_path / "town").ask_running_instance()
        assert not InstanceGuard(tmp_path / "other-town").ask_running_instance()
    finally:
        first.close()
    assert not InstanceGuard(tmp_path / "town").ask_running_instance()  # closed: the next start runs normally


def test_a_server_left_by_a_crashed_instance_does_not_block_the_next_start(qtbot, tmp_path):
    """A stale socket file (the previous app was killed) is removed and the new instance listens."""
    guard = InstanceGuard(tmp_path / "town")
    probe = QLocalServer()
    assert probe.listen(guard.name)
    stale = Path(probe.fullServerName())
    probe.close()
    stale.write_bytes(b"")  # what a killed process leaves behind on Linux
    try:
        assert not guard.ask_running_instance()
        assert guard.listen()
    finally:
        guard.close()
        stale.unlink(missing_ok=True)


def test_run_app_returns_at_once_when_the_app_already_runs(qtbot, tmp_path):
    """`zwgk gui` on a data dir whose app is open returns 0 without opening the database, and the open app is called."""
    config = Config.load(tmp_path / "town")
    running = InstanceGuard(config.data_dir)
    assert running.listen()
    try:
        with qtbot.waitSignal(running.activate_requested, timeout=5000):
            assert run_app(config) == 0
        assert not config.db_path.exists()
    finally:
        running.close()
