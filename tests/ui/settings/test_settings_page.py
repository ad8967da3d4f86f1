"""The 设置 page on a demo township: township info, 2027 holidays, users, backups and the backup nag."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.ui.conftest import make_window
from zwgk_desktop.core.calendar import calendar_from_session
from zwgk_desktop.core.catalogue import PeriodRule
from zwgk_desktop.core.models import Township
from zwgk_desktop.core.users import create_first_admin, list_users
from zwgk_desktop.services.backup import SETTING_LAST_BACKUP, complete_backups
from zwgk_desktop.core.township_settings import set_setting
from zwgk_desktop.ui.settings import install

TIMEOUT_MS = 20_000


@pytest.fixture
def settings_window(qtbot, demo_config, demo_db, tasks):
    window = make_window(qtbot, demo_config, demo_db, tasks)
    page = install(window, start=False)
    window.show_page("settings")
    return window, page


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_township_info_is_saved_to_the_township_row(qtbot, settings_window):
    """Editing the county, phone and issuer and pressing 保存 updates the township; the name stays read-only."""
    window, page = settings_window
    tab = page.show_tab("township")
    qtbot.waitUntil(lambda: tab.name_label.text() != "—", timeout=TIMEOUT_MS)
    tab.edits["county_name"].setText("青川县")
    tab.edits["supervise_phone"].setText("0839-7201234")
    tab.edits["issuer"].setText("青山镇人民政府（公章）")
    with qtbot.waitSignal(tab.saved, timeout=TIMEOUT_MS):
        click(qtbot, tab.save_button)
    with window.database.session() as s:
        township = s.execute(select(Township)).scalar_one()
        assert (township.county_name, township.supervise_phone, township.issuer) == (
            "青川县", "0839-7201234", "青山镇人民政府（公章）")
    assert tab.message.kind == "ok"


def test_the_calendar_tab_stores_2027_and_periods_in_2027_become_complete(qtbot, settings_window):
    """2027 shows as 未录入; after typing the arrangement and saving, a 2027 working-day period is complete and skips 春节."""
    window, page = settings_window
    tab = page.show_tab("calendar")
    qtbot.waitUntil(lambda: 2027 in tab.coverage, timeout=TIMEOUT_MS)
    assert not tab.coverage[2027].complete and "2027年" in tab.summary.text()
    tab.year_spin.setValue(2027)
    tab.source_edit.setText("国务院办公厅关于2027年部分节假日安排的通知（示例）")
    tab.rest_edit.setPlainText("2027-01-01~2027-01-03 元旦\n2027-02-06~2027-02-12 春节")
    tab.work_edit.setPlainText("2027-02-14 春节调休上班")
    with qtbot.waitSignal(tab.stored, timeout=TIMEOUT_MS):
        click(qtbot, tab.save_button)
    assert "放假 10 天，调休上班 1 天" in tab.message.text()
    qtbot.waitUntil(lambda: tab.coverage[2027].complete, timeout=TIMEOUT_MS)
    assert tab.coverage[2027].label == "手工录入"

    rule = PeriodRule(duration=5, unit="working", start_day_counts=False, roll_forward=False)
    with window.database.session() as s:
        result = calendar_from_session(s).period_end(date(2027, 2, 4), rule)
    assert result.calendar_complete and result.warnings == ()
    assert result.end == date(2027, 2, 17)


def test_prefilling_2027_puts_the_statutory_holidays_in_the_rest_box(qtbot, settings_window):
    """按法定节假日预填 fills 2027's 元旦, 春节 (除夕–初三), 清明 … 国庆 lines; the clerk only adds the rest."""
    window, page = settings_window
    tab = page.show_tab("calendar")
    qtbot.waitUntil(lambda: 2027 in tab.coverage, timeout=TIMEOUT_MS)
    tab.year_spin.setValue(2027)
    click(qtbot, tab.prefill_button)
    lines = tab.rest_edit.toPlainText().splitlines()
    assert lines[:3] == ["2027-01-01 元旦", "2027-02-05~2027-02-08 春节", "2027-04-05 清明节"]
    assert lines[-1] == "2027-10-01~2027-10-03 国庆节" and len(lines) == 7
    assert "放假通知" in tab.message.text()


def test_a_bad_calendar_line_is_explained_and_nothing_is_stored(qtbot, settings_window):
    """A garbled line is refused with a Chinese message naming the line; 2027 stays 未录入."""
    window, page = settings_window
    tab = page.show_tab("calendar")
    qtbot.waitUntil(lambda: 2027 in tab.coverage, timeout=TIMEOUT_MS)
    tab.year_spin.setValue(2027)
    tab.rest_edit.setPlainText("元旦放三天")
    click(qtbot, tab.save_button)
    qtbot.waitUntil(lambda: tab.message.kind == "error", timeout=TIMEOUT_MS)
    assert "第 1 行" in tab.message.text()
    with window.database.session() as s:
        assert not calendar_from_session(s).has_year(2027)


def test_an_admin_adds_a_reviewer_in_the_users_tab(qtbot, settings_window):
    """The logged-in admin fills the inline form and the reviewer appears in the list with the role 审核人."""
    window, page = settings_window
    with window.database.session() as s:
        window.actor = create_first_admin(s, "admin", "admin-pass-1", "王主任")
    tab = page.show_tab("users")
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=TIMEOUT_MS)
    tab.username_edit.setText("lisi")
    tab.display_edit.setText("李四")
    tab.role_box.setCurrentIndex(tab.role_box.findData("reviewer"))
    tab.password_edit.setText("reviewer-pass")
    tab.confirm_edit.setText("reviewer-pass")
    with qtbot.waitSignal(tab.changed, timeout=TIMEOUT_MS):
        click(qtbot, tab.add_button)
    assert tab.table.rowCount() == 2
    assert [tab.table.item(1, c).text() for c in (0, 1, 2)] == ["lisi", "李四", "审核人"]
    assert tab.username_edit.text() == ""
    with window.database.session() as s:
        assert {(u.username, u.role) for u in list_users(s)} == {("admin", "admin"), ("lisi", "reviewer")}


def test_a_user_without_rights_cannot_add_users(qtbot, settings_window):
    """A clerk acting in the users tab is refused in Chinese and nobody is added."""
    from zwgk_desktop.core.users import Actor

    window, page = settings_window
    with window.database.session() as s:
        create_first_admin(s, "admin", "admin-pass-1")
    window.actor = Actor(username="clerk", role="clerk")
    tab = page.show_tab("users")
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=TIMEOUT_MS)
    tab.username_edit.setText("x")
    tab.password_edit.setText("password-1")
    tab.confirm_edit.setText("password-1")
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.message.kind == "error", timeout=TIMEOUT_MS)
    assert "无权管理用户" in tab.message.text()


def test_backup_now_writes_into_the_chosen_folder_and_shows_its_time(qtbot, settings_window, tmp_path):
    """Choosing a folder and pressing 立即备份 makes a complete backup there; the tab shows when; the banner goes."""
    window, page = settings_window
    tab = page.show_tab("backup")
    with qtbot.waitSignal(page.scheduler.state_changed, timeout=TIMEOUT_MS):
        page.refresh()
    assert page.banner.isVisibleTo(page) and "还没有备份过" in page.banner_text.text()
    folder = tmp_path / "u-disk"
    folder.mkdir()
    tab.choose_folder = lambda: str(folder)
    click(qtbot, tab.folder_button)
    assert window.config.settings.backup_dir == str(folder)
    with qtbot.waitSignal(tab.backed_up, timeout=60_000) as done:
        click(qtbot, tab.backup_button)
    assert [str(p) for p in complete_backups(folder)] == [done.args[0].path]
    qtbot.waitUntil(lambda: tab.last_label.text().startswith("上次备份："), timeout=TIMEOUT_MS)
    assert datetime.now().strftime("%Y-%m-%d") in tab.last_label.text()
    assert done.args[0].path in tab.restore_code.text()
    assert not page.banner.isVisibleTo(page)

    tab.choose_backup = lambda: done.args[0].path
    with qtbot.waitSignal(tab.verified, timeout=60_000) as verified:
        click(qtbot, tab.verify_button)
    assert verified.args[0].ok and "备份完好" in tab.verify_message.text()


def test_the_nag_shows_in_the_banner_and_status_bar_when_the_last_backup_is_old(qtbot, demo_config, demo_db, tasks,
                                                                                 tmp_path):
    """A last backup 9 days old gives the yellow banner and a start-up status-bar warning naming the days."""
    old = tmp_path / "old-backup"
    old.mkdir()
    at = (datetime.now(timezone.utc) - timedelta(days=9)).isoformat(timespec="seconds")
    with demo_db.session() as s:
        set_setting(s, SETTING_LAST_BACKUP, {"at": at, "path": str(old), "files": 3}, audit=False)
    window = make_window(qtbot, demo_config, demo_db, tasks)
    page = install(window, start=False)
    from zwgk_desktop.ui.settings import _nag_once

    with qtbot.waitSignal(window.backup_scheduler.state_changed, timeout=TIMEOUT_MS):
        _nag_once(window, window.backup_scheduler)
    assert "已有 9 天没有成功备份" in page.banner_text.text() and page.banner.isVisibleTo(page)
    assert "已有 9 天没有成功备份" in window.statusBar().currentMessage()


def test_the_automatic_backup_runs_when_due_and_not_again(qtbot, demo_config, demo_db, tasks):
    """The scheduler's automatic backup backs up a never-backed-up township once; a second run finds it not due."""
    window = make_window(qtbot, demo_config, demo_db, tasks)
    install(window, start=False)
    scheduler = window.backup_scheduler
    with qtbot.waitSignal(scheduler.auto_finished, timeout=60_000) as first:
        assert scheduler.run_auto()
    assert first.args[0] is not None and first.args[0].ok
    assert "已自动备份" in window.statusBar().currentMessage()
    with qtbot.waitSignal(scheduler.auto_finished, timeout=60_000) as second:
        scheduler.run_auto()
    assert second.args[0] is None


def test_the_users_tab_shows_the_review_rule_in_force_and_warns(qtbot, settings_window):
    """With one reviewer the tab warns that authors approve their own notices; adding a 审核人 turns the rule on by default."""
    window, page = settings_window
    with window.database.session() as s:
        window.actor = create_first_admin(s, "admin", "admin-pass-1", "王主任")
    tab = page.show_tab("users")
    qtbot.waitUntil(lambda: tab.state is not None and tab.table.rowCount() == 1, timeout=TIMEOUT_MS)
    assert not tab.reviewer_box.isChecked()
    assert tab.review_note.kind == "warning" and "只有 1 名用户可以审核" in tab.review_note.text()
    assert tab.table.item(0, 1).text() == "王主任"
    tab.username_edit.setText("lisi")
    tab.display_edit.setText("李四")
    tab.role_box.setCurrentIndex(tab.role_box.findData("reviewer"))
    tab.password_edit.setText("reviewer-pass")
    tab.confirm_edit.setText("reviewer-pass")
    with qtbot.waitSignal(tab.changed, timeout=TIMEOUT_MS) as added:
        click(qtbot, tab.add_button)
    assert "李四" in added.args[0]
    assert tab.reviewer_box.isChecked() and tab.review_note.kind == "muted"
    assert "已按默认开启" in tab.review_note.text() and "2 名" in tab.review_note.text()
    with qtbot.waitSignal(tab.changed, timeout=TIMEOUT_MS):
        tab.reviewer_box.click()  # an administrator switches it off explicitly
    assert not tab.reviewer_box.isChecked()
    assert tab.review_note.kind == "warning" and "已关闭" in tab.review_note.text() and "建议开启" in tab.review_note.text()
    tab.table.selectRow(1)
    assert "李四（lisi）" in tab.reset_target.text()


def test_single_user_mode_is_flagged_as_no_separation_of_duties(qtbot, settings_window):
    """In single-user mode the tab says that one person drafts and approves."""
    from zwgk_desktop.ops.users import adopt_single_user
    from zwgk_desktop.core.users import SETUP_ACTOR

    window, page = settings_window
    window.actor = adopt_single_user(window.database, SETUP_ACTOR, "管理员")
    tab = page.show_tab("users")
    qtbot.waitUntil(lambda: tab.state is not None, timeout=TIMEOUT_MS)
    assert tab.single_user_box.isChecked()
    assert tab.review_note.kind == "warning" and "单用户模式" in tab.review_note.text()


def test_a_village_user_cannot_change_the_township_or_its_holidays(qtbot, settings_window):
    """A 村级用户 saving township info or a 2027 arrangement is refused in Chinese; nothing is stored."""
    from zwgk_desktop.core.users import Actor

    window, page = settings_window
    window.actor = Actor(username="liuhe", role="village", display_name="柳河村村干部", village_ids=("x",))
    tab = page.show_tab("township")
    qtbot.waitUntil(lambda: tab.name_label.text() != "—", timeout=TIMEOUT_MS)
    tab.edits["issuer"].setText("某某")
    click(qtbot, tab.save_button)
    qtbot.waitUntil(lambda: tab.message.kind == "error", timeout=TIMEOUT_MS)
    assert "无权修改系统设置" in tab.message.text()
    calendar = page.show_tab("calendar")
    qtbot.waitUntil(lambda: 2027 in calendar.coverage, timeout=TIMEOUT_MS)
    calendar.year_spin.setValue(2027)
    calendar.rest_edit.setPlainText("2027-01-01 元旦")
    click(qtbot, calendar.save_button)
    qtbot.waitUntil(lambda: calendar.message.kind == "error", timeout=TIMEOUT_MS)
    with window.database.session() as s:
        assert s.execute(select(Township.issuer)).scalar() != "某某"
        assert not calendar_from_session(s).has_year(2027)
