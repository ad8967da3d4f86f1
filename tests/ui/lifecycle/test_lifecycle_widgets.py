"""The lifecycle widgets drive the real core: review, posting, objection dialogs, dashboard, login, actions."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.core.test_lifecycle import ADMIN, CLERK, REVIEWER, make_notice, make_world
from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.models import Disclosure, Posting
from zwgk_desktop.core.users import create_first_admin
from zwgk_desktop.ui.lifecycle import (
    DashboardPage, LifecycleActions, LoginDialog, ObjectionDialog, PostingDialog, ReviewPanel,
)

D = date


@pytest.fixture
def world(database):
    return make_world(database)


def status(database, nid):
    with database.session() as s:
        return s.get(Disclosure, nid).status


def type_chinese(widget, text):
    """QTest can only type ASCII keys; Chinese arrives as an input-method commit, i.e. inserted text."""
    widget.setFocus()
    widget.insertPlainText(text)


def click(qtbot, button):
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_main_flow_through_the_widgets(qtbot, database, world):
    """create → submit → approve (review panel) → post on two boards (dialog) → objection → correction → conclude → archive."""
    nid = make_notice(database, world)
    host = ReviewPanel(database, REVIEWER, today=D(2026, 3, 2))
    qtbot.addWidget(host)

    clerk_actions = LifecycleActions(database, CLERK, host, today=lambda: D(2026, 3, 2))
    clerk_actions.set_current(nid, "draft")
    assert clerk_actions.action("submit").isEnabled() and not clerk_actions.action("review").isEnabled()
    with qtbot.waitSignal(clerk_actions.changed):
        clerk_actions.action("submit").trigger()
    assert status(database, nid) == "pending_review"

    # review: the panel shows period and boards; approve by click
    with qtbot.waitSignal(host.loaded):
        host.load(nid)
    assert host.period.end_label.text().endswith("2026-03-09")
    assert host.boards.count() == 3 and "未发现" in host.scan_status.text()
    type_chinese(host.reason, "名单核对无误")
    with qtbot.waitSignal(host.approved):
        click(qtbot, host.approve_button)
    assert status(database, nid) == "approved"

    # posting on two boards
    dialog = PostingDialog(database, CLERK, nid, today=D(2026, 3, 2))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.set_boards_checked(["青山镇", "青山村"])
    assert len(dialog.selected_board_ids()) == 2
    assert dialog.explanation.end_label.text().endswith("2026-03-09")
    with qtbot.waitSignal(dialog.posted):
        dialog.note.setFocus()
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # Enter submits
    assert status(database, nid) == "publishing"
    with database.session() as s:
        assert len(s.execute(select(Posting).where(Posting.disclosure_id == nid)).scalars().all()) == 2

    # objection registered through the dialog
    add = ObjectionDialog(database, CLERK, disclosure_id=nid, today=D(2026, 3, 3))
    qtbot.addWidget(add)
    type_chinese(add.content, "王2明家庭有稳定收入")
    add.channel.setCurrentText("电话")
    with qtbot.waitSignal(add.saved):
        click(qtbot, add.buttons.button(add.buttons.StandardButton.Ok))
    oid = add.result.id
    assert add.result.from_name == "匿名"

    # conclusion is refused while the objection is open
    clerk_actions.today = lambda: D(2026, 3, 12)
    clerk_actions.set_current(nid, "publishing")
    with database.session() as s:
        with pytest.raises(Exception, match="异议未办结"):
            lifecycle.conclude(s, CLERK, nid, today=D(2026, 3, 12))

    # resolving with a list change creates the correction
    resolve = ObjectionDialog(database, CLERK, objection_id=oid, today=D(2026, 3, 4))
    qtbot.addWidget(resolve)
    type_chinese(resolve.handling, "入户核实，情况属实")
    type_chinese(resolve.outcome, "取消王2明低保")
    resolve.changes_list.setChecked(True)
    with qtbot.waitSignal(resolve.saved):
        click(qtbot, resolve.buttons.button(resolve.buttons.StandardButton.Ok))
    new_id = resolve.result.correction_id
    assert new_id and status(database, nid) == "withdrawn"

    # the correction: edit, submit, approve, post (continues the period), conclude, archive
    with database.session() as s:
        lifecycle.remove_items(s, CLERK, new_id, [2])
        lifecycle.submit(s, CLERK, new_id)
        lifecycle.approve(s, REVIEWER, new_id)
    post2 = PostingDialog(database, CLERK, new_id, today=D(2026, 3, 5))
    qtbot.addWidget(post2)
    post2.set_boards_checked(["青山镇"])
    assert "沿用原公示期" in post2.explanation.explanation.text()
    with qtbot.waitSignal(post2.posted):
        click(qtbot, post2.buttons.button(post2.buttons.StandardButton.Ok))
    admin_actions = LifecycleActions(database, ADMIN, host, today=lambda: D(2026, 3, 10))
    admin_actions.set_current(new_id, "publishing")
    with qtbot.waitSignal(admin_actions.changed):
        admin_actions.action("conclude").trigger()
    assert status(database, new_id) == "expired"
    with database.session() as s:
        lifecycle.archive(s, ADMIN, new_id)
        d = s.get(Disclosure, new_id)
        assert (d.status, d.version, d.replaces_id, d.item_count) == ("archived", 2, nid, 3)


def test_review_return_needs_a_reason_and_findings_need_a_tick(qtbot, database, world):
    """The return button asks for a reason; with privacy findings, approve stays disabled until the reviewer ticks the check."""
    nid = make_notice(database, world, remark="户主患尿毒症")
    with database.session() as s:
        lifecycle.submit(s, CLERK, nid)
    panel = ReviewPanel(database, REVIEWER, today=D(2026, 3, 2))
    qtbot.addWidget(panel)
    panel.load(nid)
    assert panel.findings.count() == 1 and "病" in panel.findings.item(0).text()
    assert not panel.approve_button.isEnabled()
    click(qtbot, panel.return_button)
    assert "必须填写原因" in panel.message.text() and status(database, nid) == "pending_review"
    type_chinese(panel.reason, "第1行备注含病名，请删除")
    with qtbot.waitSignal(panel.returned):
        click(qtbot, panel.return_button)
    assert status(database, nid) == "draft"


def test_posting_dialog_shows_core_errors_inline(qtbot, database, world):
    """Posting an unapproved notice or from another village shows the Chinese message and writes nothing."""
    nid = make_notice(database, world)
    dialog = PostingDialog(database, CLERK, nid, today=D(2026, 3, 2))
    qtbot.addWidget(dialog)
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert "尚未审核通过" in dialog.message.text() and dialog.result is None
    dialog.set_boards_checked([])
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert "至少勾选" in dialog.message.text()
    village = world.village_actor("柳河村")
    vdialog = PostingDialog(database, village, nid, today=D(2026, 3, 2))
    qtbot.addWidget(vdialog)
    assert [vdialog.boards.item(i).text() for i in range(vdialog.boards.count())] == ["柳河村村务公开栏"]
    with database.session() as s:
        assert not s.execute(select(Posting)).scalars().all()


def test_posting_dialog_asks_before_using_an_incomplete_calendar(qtbot, database, world, monkeypatch):
    """When holiday data is missing the dialog shows the warning and only posts after the user confirms."""
    from zwgk_desktop.core import calendar as cal

    nid = make_notice(database, world, category="linshi")
    with database.session() as s:
        lifecycle.submit(s, CLERK, nid)
        lifecycle.approve(s, REVIEWER, nid)
    bare = cal.build_calendar(use_package=False, use_default_files=False)
    monkeypatch.setattr("zwgk_desktop.core.postings.calendar_from_session", lambda session: bare)
    dialog = PostingDialog(database, CLERK, nid, today=D(2026, 3, 2))
    qtbot.addWidget(dialog)
    assert dialog.explanation.warning.isVisibleTo(dialog) and "尚未录入" in dialog.explanation.warning.text()
    asked = []
    dialog.confirm_incomplete = lambda warnings: asked.append(warnings) or False
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert asked and status(database, nid) == "approved" and "已取消" in dialog.message.text()
    dialog.confirm_incomplete = lambda warnings: True
    with qtbot.waitSignal(dialog.posted):
        click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert status(database, nid) == "publishing"


def test_dashboard_lists_items_and_requests_opening(qtbot, database, world):
    """The dashboard lists to-do items; Enter on one emits its ids, which the actions route (review opens a dialog)."""
    nid = make_notice(database, world)
    with database.session() as s:
        lifecycle.submit(s, CLERK, nid)
    page = DashboardPage(database, ADMIN, today=lambda: D(2026, 3, 2))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded):
        page.refresh()
    kinds = [i.kind for i in page.items]
    assert "review_pending" in kinds and "今日待办" in page.heading.text()
    row = kinds.index("review_pending")
    page.tree.setCurrentItem(page.tree.topLevelItem(row))
    with qtbot.waitSignal(page.open_requested) as blocker:
        click(qtbot, page.open_button)
    assert blocker.args[0].disclosure_id == nid
    actions = LifecycleActions(database, ADMIN, page)
    dialogs = []
    actions.do_review = lambda i: dialogs.append(i)
    actions.open_todo(blocker.args[0])
    assert dialogs == [nid]


def test_login_dialog_rejects_wrong_password_then_accepts(qtbot, database):
    """A wrong password shows a Chinese message and clears the field; the right one accepts with the actor."""
    with database.session() as s:
        create_first_admin(s, "admin", "qingshan-2026")
    dialog = LoginDialog(database, "青山镇")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.username, "admin")
    qtbot.keyClicks(dialog.password, "wrong-one")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "不正确" in dialog.message.text() and dialog.password.text() == "" and dialog.actor is None
    qtbot.keyClicks(dialog.password, "qingshan-2026")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.role == "admin" and dialog.result() == dialog.DialogCode.Accepted


def test_actions_follow_status_and_role(qtbot, database, world):
    """A viewer gets no enabled action; a reviewer gets 审核 on a pending notice only; archived enables nothing."""
    host = DashboardPage(database, ADMIN)
    qtbot.addWidget(host)
    from zwgk_desktop.core.users import Actor

    viewer = LifecycleActions(database, Actor("v", "viewer"), host)
    viewer.set_current("x", "draft")
    assert not any(a.isEnabled() for a in viewer.actions())
    reviewer = LifecycleActions(database, REVIEWER, host)
    reviewer.set_current("x", "pending_review")
    assert [a.objectName() for a in reviewer.actions() if a.isEnabled()] == ["lifecycle_review"]
    admin = LifecycleActions(database, ADMIN, host)
    admin.set_current("x", "archived")
    assert not any(a.isEnabled() for a in admin.actions())
