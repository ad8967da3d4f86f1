"""Start-up: first-run wizard on an empty data dir, single-user mode for the demo, the login dialog otherwise."""

from __future__ import annotations

import shutil

from PySide6.QtWidgets import QApplication, QLabel

from tests.ui.test_app import main_window, poll
from zwgk_desktop.config import Config
from zwgk_desktop.core.users import Actor, add_user, create_first_admin, single_user_mode, user_count
from zwgk_desktop.ops.users import StartState
from zwgk_desktop.services.demo import database_is_empty
from zwgk_desktop.ui.app import run_app
from zwgk_desktop.ui.first_run import FirstRunWizard
from zwgk_desktop.ui.lifecycle import LoginDialog, sign_in
from zwgk_desktop.ui.lifecycle.startup import read_start_state


def refuse(dialog) -> bool:
    """A dialog that must not appear in this path."""
    raise AssertionError(f"unexpected dialog {type(dialog).__name__}")


def fill_wizard(wizard: FirstRunWizard) -> None:
    wizard.township_page.township.setText("白沙镇")
    wizard.villages_page.names.setPlainText("白沙村\n河口村")
    wizard.admin_page.username.setText("zhangli")
    wizard.admin_page.password.setText("baisha-2026")
    wizard.admin_page.confirm.setText("baisha-2026")
    wizard.backup_page.folder.setText("")


def counts(database) -> tuple[bool, int]:
    with database.session() as s:
        return database_is_empty(s), user_count(s)


def test_cancelling_the_first_run_wizard_writes_nothing(qapp, config, database):
    """On an empty data dir the wizard appears; cancelling it ends start-up with nothing written."""
    shown = []
    assert sign_in(database, config, run_dialog=lambda d: shown.append(d) or False) is None
    assert isinstance(shown[0], FirstRunWizard)
    assert counts(database) == (True, 0)


def test_the_wizards_administrator_is_the_user(qapp, config, database):
    """Finishing the wizard sets up the township and signs in as the administrator it created."""
    def finish(wizard):
        fill_wizard(wizard)
        wizard.accept()
        return wizard.result_summary is not None

    signed = sign_in(database, config, run_dialog=finish)
    assert signed.actor.username == "zhangli" and signed.actor.role == "admin"
    assert "白沙镇" in signed.note and "2 个村" in signed.note and not signed.create_demo
    with database.session() as s:
        assert not single_user_mode(s)  # a real installation logs in next time


def test_demo_if_empty_lands_in_single_user_mode(qapp, config, database):
    """With --demo-if-empty nobody logs in: an administrator is made for single-user mode and the demo is requested."""
    signed = sign_in(database, config, demo_if_empty=True, run_dialog=refuse)
    assert signed.create_demo and signed.actor.role == "admin" and "单用户模式" in signed.note
    with database.session() as s:
        assert single_user_mode(s) and user_count(s) == 1
    assert read_start_state(database).single_user == signed.actor  # one read names whom single-user mode works as
    again = sign_in(database, config, run_dialog=refuse)  # demo cancelled, next start: straight in, no new account
    assert again.actor.username == signed.actor.username and not again.note and not again.create_demo
    assert sign_in(database, config, demo_if_empty=True, run_dialog=refuse).create_demo  # the demo is asked for again
    assert counts(database)[1] == 1


def test_a_start_state_read_ahead_is_not_read_again(qapp, config):
    """The desktop reads the start state on its opening thread; `sign_in` then takes its single-user actor as is."""
    admin = Actor(username="admin", role="admin")
    state = StartState(empty=False, township="白沙镇", needs_admin=False, login_required=False, single_user=admin)
    assert sign_in(None, config, run_dialog=refuse, state=state).actor is admin


def test_a_township_without_users_opens_without_login(qapp, demo_config, demo_db):
    """A township set up from the command line (no user yet) opens in single-user mode, without the demo."""
    signed = sign_in(demo_db, demo_config, demo_if_empty=True, run_dialog=refuse)
    assert not signed.create_demo and signed.actor.role == "admin"


def test_with_users_the_login_dialog_decides(qapp, demo_config, demo_db):
    """With accounts and no single-user mode the login dialog appears; its user works, cancelling quits."""
    with demo_db.session() as s:
        admin = create_first_admin(s, "admin", "admin-pass-2026")
        add_user(s, admin, "wangfang", "clerk-pass-2026", "clerk")

    def log_in(dialog):
        assert isinstance(dialog, LoginDialog)
        dialog.username.setText("wangfang")
        dialog.password.setText("clerk-pass-2026")
        dialog.submit()
        return dialog.result() == dialog.DialogCode.Accepted

    assert sign_in(demo_db, demo_config, run_dialog=log_in).actor.role == "clerk"
    assert sign_in(demo_db, demo_config, run_dialog=lambda d: False) is None


def visible(kind):
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


def test_run_app_exits_0_when_the_wizard_is_cancelled(qapp, tmp_path):
    """Starting on an empty data dir shows the wizard; cancelling it ends the app with code 0 and no township."""
    config = Config.load(tmp_path / "fresh")
    seen = {}

    def cancel_wizard():
        wizard = visible(FirstRunWizard)
        if wizard is None:
            return False
        seen["title"] = wizard.windowTitle()
        wizard.reject()
        return True

    timer = poll(qapp, cancel_wizard)
    assert run_app(config) == 0
    timer.stop()
    assert seen["title"] == "欢迎使用政务公开公示栏管理系统"
    from zwgk_desktop.core.schema import open_database

    db = open_database(config)
    try:
        assert counts(db) == (True, 0)
    finally:
        db.dispose()


def test_run_app_logs_in_and_shows_who_is_working(qapp, tmp_path, demo_template):
    """With accounts, run_app asks for the password, then opens on 今日待办 naming the user and role in the status bar."""
    config = Config.load(tmp_path / "data")
    config.ensure_data_dir()
    shutil.copy2(demo_template, config.db_path)
    from zwgk_desktop.core.schema import open_database

    db = open_database(config)
    with db.session() as s:
        admin = create_first_admin(s, "admin", "admin-pass-2026")
        add_user(s, admin, "lijun", "review-pass-2026", "reviewer", display_name="李军")
    db.dispose()
    seen = {}

    def drive():
        dialog = visible(LoginDialog)
        if dialog is not None:
            seen["heading"] = " ".join(label.text() for label in dialog.findChildren(QLabel))
            dialog.username.setText("lijun")
            dialog.password.setText("review-pass-2026")
            dialog.submit()
            return False
        window = main_window()
        if window is None or window.disclosures_page is None or window.disclosures_page.model.rowCount() == 0:
            return False
        seen["page"] = window.current_page_key()
        seen["user"] = window.lifecycle.user_label.text()
        window.close()
        return True

    timer = poll(qapp, drive)
    assert run_app(config) == 0
    timer.stop()
    assert "青山镇" in seen["heading"]
    assert seen["page"] == "today" and seen["user"] == "当前用户：李军（审核人）"



def test_a_new_start_is_not_sent_to_a_window_that_is_closing(qapp, demo_config, monkeypatch):
    """Once the window has closed, a second start gets its own window: while the first process finishes (its
    tasks, remembering 今日待办, closing the database) it no longer answers as the running instance."""
    from zwgk_desktop.ui.app import Startup
    from zwgk_desktop.ui.single_instance import InstanceGuard

    answered = []
    close_database = Startup.close_database

    def closing(self):
        answered.append(InstanceGuard(demo_config.data_dir).ask_running_instance())
        close_database(self)

    monkeypatch.setattr(Startup, "close_database", closing)

    def close_when_listed():
        window = main_window()
        if window is None or window.disclosures_page is None or window.disclosures_page.model.rowCount() == 0:
            return False
        assert InstanceGuard(demo_config.data_dir).ask_running_instance()  # while it is open: it answers
        window.close()
        return True

    timer = poll(qapp, close_when_listed)
    assert run_app(demo_config) == 0
    timer.stop()
    assert answered == [False]


def test_a_window_opened_after_a_cancelled_start_still_loads(qtbot, qapp, tmp_path, demo_config, demo_db):
    """`run_app` leaves no quit behind in the process: a window opened after a start that ended in the wizard
    still receives its loaded data (a stray quit once left the next window's lists empty)."""
    from tests.ui.conftest import make_window
    from zwgk_desktop.ui.lifecycle import install
    from zwgk_desktop.ui.tasks import TaskManager

    timer = poll(qapp, lambda: visible(FirstRunWizard) is not None and visible(FirstRunWizard).reject() is None)
    assert run_app(Config.load(tmp_path / "fresh")) == 0
    timer.stop()
    qapp.processEvents()  # as between two tests: what run_app left posted is handled outside any event loop
    tasks = TaskManager()
    try:
        window = make_window(qtbot, demo_config, demo_db, tasks)
        wiring = install(window, Actor("admin", "admin", "管理员"))
        window.show()
        qtbot.waitUntil(lambda: len(wiring.dashboard.items) > 0, timeout=10000)
    finally:
        tasks.shutdown(wait=True)
