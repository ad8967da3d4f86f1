"""设置 → 备份: an encrypted backup to a USB folder with the password asked twice, verified with the password; the
restore command names the original data dir so the restore can check the backup's signature."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import make_window
from zwgk_desktop.ui.settings import install

TIMEOUT_MS = 60_000
PASSWORD = "乡镇备份密码2026"


@pytest.fixture
def backup_tab(qtbot, demo_config, demo_db, tasks):
    window = make_window(qtbot, demo_config, demo_db, tasks)
    page = install(window, start=False)
    window.show_page("settings")
    return window, page.show_tab("backup")


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_an_encrypted_backup_to_a_usb_folder_verifies_only_with_its_password(qtbot, backup_tab, tmp_path):
    """加密备份到U盘 writes one private .zwgkenc file; 校验加密备份 with the password says 完好, a wrong one says no."""
    window, tab = backup_tab
    usb = tmp_path / "usb"
    usb.mkdir()
    asked = []
    tab.choose_usb = lambda: str(usb)
    tab.ask_password = lambda new: asked.append(new) or PASSWORD
    with qtbot.waitSignal(tab.backed_up, timeout=TIMEOUT_MS) as done:
        click(qtbot, tab.encrypted_button)
    result = done.args[0]
    sealed = Path(result.path)
    assert asked == [True] and result.encrypted and sealed.parent == usb and sealed.suffix == ".zwgkenc"
    assert oct(sealed.stat().st_mode & 0o777) == "0o600"
    assert "加密备份完成" in tab.message.text() and "请牢记密码" in tab.message.text()

    tab.choose_encrypted = lambda: str(sealed)
    with qtbot.waitSignal(tab.verified, timeout=TIMEOUT_MS) as verified:
        click(qtbot, tab.verify_encrypted_button)
    assert verified.args[0].ok and "备份完好" in tab.verify_message.text()
    tab.ask_password = lambda new: "不是这个密码啊"
    with qtbot.waitSignal(tab.verified, timeout=TIMEOUT_MS) as wrong:
        click(qtbot, tab.verify_encrypted_button)
    assert not wrong.args[0].ok and "密码不正确" in tab.verify_message.text()


def test_the_restore_command_checks_the_signature_with_this_data_dir(qtbot, backup_tab):
    """The restore instructions name this data dir with --verify-with (so a forged backup is refused at restore)."""
    window, tab = backup_tab
    with qtbot.waitSignal(window.backup_scheduler.state_changed, timeout=TIMEOUT_MS):
        tab.refresh()
    assert f'--verify-with "{window.config.data_dir}"' in tab.restore_code.text()
