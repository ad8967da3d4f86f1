"""The lifecycle widgets drive the real ops in the background: review, posting, objection dialogs, dashboard, login,
actions; what they show agrees with the stored 公示期 and the photo evidence."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.core.test_lifecycle import ADMIN, CLERK, REVIEWER, make_notice, make_world, photograph
from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.models import Disclosure, Posting
from zwgk_desktop.core.users import create_first_admin
from zwgk_desktop.ui.lifecycle import (
    DashboardPage, LifecycleActions, LoginDialog, NoticeRecordView, ObjectionDialog, PostingDialog, ReviewDialog,
    ReviewPanel,
)

D = date
WAIT = 15000


@pytest.fixture
def world(database):
    return make_world(database)


@pytest.fixture
def bound(tasks, database):
    """The task manager bound to the test database (each widget passes its own actor)."""
    tasks.bind(database=database, actor=ADMIN)
    return tasks


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


def ok_button(dialog):
    return dialog.buttons.button(dialog.buttons.StandardButton.Ok)


def posting_dialog(qtbot, bound, actor, nid, today):
    dialog = PostingDialog(bound, actor, nid, today=today)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.plan_shown, timeout=WAIT):
        dialog.show()
    return dialog


def test_main_flow_through_the_widgets(qtbot, bound, database, world):
    """create → submit → approve (review panel) → post on two boards (dialog) → objection → upheld: correction →
    re-公示 for a full period → conclude (photos) → archive."""
    nid = make_notice(database, world)
    host = ReviewPanel(bound, REVIEWER, today=D(2026, 3, 2))
    qtbot.addWidget(host)

    clerk_actions = LifecycleActions(bound, CLERK, host, today=lambda: D(2026, 3, 2))
    clerk_actions.set_current(nid, "draft")
    assert clerk_actions.action("submit").isEnabled() and not clerk_actions.action("review").isEnabled()
    with qtbot.waitSignal(clerk_actions.changed, timeout=WAIT):
        clerk_actions.action("submit").trigger()
    assert status(database, nid) == "pending_review"

    # review: the panel shows the period the poster will print (planned: next working day 3/3) and the boards
    with qtbot.waitSignal(host.loaded, timeout=WAIT):
        host.load(nid)
    assert host.period.end_label.text() == "公示期满日：2026-03-10"
    assert host.period.range_label.text().startswith("公示期：2026-03-04 至 2026-03-10（7天）　计划张贴日 2026-03-03")
    assert "计划张贴日 2026-03-03" in host.period_box.title()
    assert host.boards.count() == 3 and "未发现" in host.scan_status.text()
    assert "经办人 clerk1" in host.facts.text()
    type_chinese(host.reason, "名单核对无误")
    with qtbot.waitSignal(host.approved, timeout=WAIT):
        click(qtbot, host.approve_button)
    assert status(database, nid) == "approved"

    # posting on two boards on 3/2: the dialog shows the period the posting will store
    dialog = posting_dialog(qtbot, bound, CLERK, nid, D(2026, 3, 2))
    dialog.set_boards_checked(["青山镇", "青山村"])
    assert len(dialog.selected_board_ids()) == 2
    assert dialog.explanation.end_label.text() == "公示期满日：2026-03-09"
    assert dialog.explanation.range_label.text().startswith("公示期：2026-03-03 至 2026-03-09（7天）　张贴日 2026-03-02")
    with qtbot.waitSignal(dialog.posted, timeout=WAIT):
        dialog.note.setFocus()
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # Enter submits
    assert status(database, nid) == "publishing"
    with database.session() as s:
        assert len(s.execute(select(Posting).where(Posting.disclosure_id == nid)).scalars().all()) == 2

    # objection registered through the dialog
    add = ObjectionDialog(bound, CLERK, disclosure_id=nid, today=D(2026, 3, 3))
    qtbot.addWidget(add)
    type_chinese(add.content, "王2明家庭有稳定收入")
    add.channel.setCurrentText("电话")
    with qtbot.waitSignal(add.saved, timeout=WAIT):
        click(qtbot, ok_button(add))
    oid = add.result.id
    assert add.result.from_name == "匿名"

    # resolving with a list change creates the correction; the dialog says it will be posted again in full
    resolve = ObjectionDialog(bound, CLERK, objection_id=oid, today=D(2026, 3, 4))
    qtbot.addWidget(resolve)
    type_chinese(resolve.handling, "入户核实，情况属实")
    type_chinese(resolve.outcome, "取消王2明低保")
    resolve.changes_list.setChecked(True)
    assert "重新计算完整公示期" in resolve.republish_note.text()
    with qtbot.waitSignal(resolve.saved, timeout=WAIT):
        click(qtbot, ok_button(resolve))
    new_id = resolve.result.correction_id
    assert new_id and status(database, nid) == "withdrawn"

    # the correction: edit, submit, approve, post on 3/5: a fresh full period 3/6–3/12
    with database.session() as s:
        lifecycle.remove_items(s, CLERK, new_id, [2])
        lifecycle.submit(s, CLERK, new_id)
        lifecycle.approve(s, REVIEWER, new_id)
    post2 = posting_dialog(qtbot, bound, CLERK, new_id, D(2026, 3, 5))
    post2.set_boards_checked(["青山镇"])
    assert post2.explanation.end_label.text() == "公示期满日：2026-03-12"
    assert "重新公示" in post2.explanation.explanation.text() and "沿用" not in post2.explanation.explanation.text()
    with qtbot.waitSignal(post2.posted, timeout=WAIT):
        click(qtbot, ok_button(post2))
    photograph(database, new_id)
    admin_actions = LifecycleActions(bound, ADMIN, host, today=lambda: D(2026, 3, 13))
    admin_actions.set_current(new_id, "publishing")
    with qtbot.waitSignal(admin_actions.changed, timeout=WAIT):
        admin_actions.action("conclude").trigger()
    assert status(database, new_id) == "expired"
    admin_actions.set_current(new_id, "expired")
    asked = []
    admin_actions.confirm = lambda title, text: asked.append(text) or True
    with qtbot.waitSignal(admin_actions.changed, timeout=WAIT):
        admin_actions.action("archive").trigger()
    assert "张贴照和期满照均已齐全" in asked[0] and "不能再关联" in asked[0]
    with database.session() as s:
        d = s.get(Disclosure, new_id)
        assert (d.status, d.version, d.replaces_id, d.item_count) == ("archived", 2, nid, 3)


def test_review_return_needs_a_reason_and_findings_need_a_tick(qtbot, bound, database, world):
    """The return button asks for a reason; with privacy findings, approve stays disabled until the reviewer ticks the check."""
    nid = make_notice(database, world, remark="户主患尿毒症")
    with database.session() as s:
        lifecycle.submit(s, CLERK, nid)
    panel = ReviewPanel(bound, REVIEWER, today=D(2026, 3, 2))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.load(nid)
    assert panel.findings.count() == 1 and "病" in panel.findings.item(0).text()
    assert not panel.approve_button.isEnabled()
    click(qtbot, panel.return_button)
    assert "必须填写原因" in panel.message.text() and status(database, nid) == "pending_review"
    type_chinese(panel.reason, "第1行备注含病名，请删除")
    with qtbot.waitSignal(panel.returned, timeout=WAIT):
        click(qtbot, panel.return_button)
    assert status(database, nid) == "draft"


def test_review_names_the_author_and_bars_self_review_once_duties_are_separated(qtbot, bound, database, world):
    """The panel shows the author's 姓名 and the rule in force; with two reviewers the author cannot approve their own."""
    from zwgk_desktop.core.users import add_user

    with database.session() as s:
        admin = create_first_admin(s, "admin", "admin-pass-2026", "王站长")
        add_user(s, admin, "lijun", "review-pass-2026", "reviewer", display_name="李军")
    nid = make_notice(database, world, author="admin")
    with database.session() as s:
        lifecycle.submit(s, admin, nid)
    panel = ReviewPanel(bound, admin, today=D(2026, 3, 2))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.load(nid)
    assert "经办人 王站长" in panel.facts.text()
    assert "须为不同的人" in panel.duty.text() and "不能审核" in panel.duty.text()
    assert not panel.approve_button.isEnabled() and not panel.return_button.isEnabled()


def test_posting_dialog_shows_errors_inline(qtbot, bound, database, world):
    """Posting an unapproved notice or without a board shows the Chinese message and writes nothing; a village user
    is offered only their own board."""
    nid = make_notice(database, world)
    dialog = posting_dialog(qtbot, bound, CLERK, nid, D(2026, 3, 2))
    with qtbot.waitSignal(bound.task_failed, timeout=WAIT):
        click(qtbot, ok_button(dialog))
    assert "尚未审核通过" in dialog.message.text() and dialog.result is None
    dialog.set_boards_checked([])
    click(qtbot, ok_button(dialog))
    assert "至少勾选" in dialog.message.text()
    village = world.village_actor("柳河村")
    vdialog = posting_dialog(qtbot, bound, village, nid, D(2026, 3, 2))
    assert [vdialog.boards.item(i).text() for i in range(vdialog.boards.count())] == ["柳河村村务公开栏"]
    with database.session() as s:
        assert not s.execute(select(Posting)).scalars().all()


def test_posting_dialog_asks_before_using_an_incomplete_calendar(qtbot, bound, database, world, monkeypatch):
    """When holiday data is missing the dialog shows the warning and only posts after the user confirms."""
    from zwgk_desktop.core import calendar as cal

    nid = make_notice(database, world, category="linshi")
    with database.session() as s:
        lifecycle.submit(s, CLERK, nid)
        lifecycle.approve(s, REVIEWER, nid)
    bare = cal.build_calendar(use_package=False, use_default_files=False)
    monkeypatch.setattr("zwgk_desktop.core.postings.calendar_from_session", lambda session: bare)
    dialog = posting_dialog(qtbot, bound, CLERK, nid, D(2026, 3, 2))
    assert dialog.explanation.warning.isVisibleTo(dialog) and "尚未录入" in dialog.explanation.warning.text()
    asked = []
    dialog.confirm_incomplete = lambda warnings: asked.append(warnings) or False
    click(qtbot, ok_button(dialog))
    assert asked and status(database, nid) == "approved" and "已取消" in dialog.message.text()
    dialog.confirm_incomplete = lambda warnings: True
    with qtbot.waitSignal(dialog.posted, timeout=WAIT):
        click(qtbot, ok_button(dialog))
    assert status(database, nid) == "publishing"


def test_the_record_shows_flagged_photos_with_a_warning_never_a_tick(qtbot, bound, database, world):
    """A blurry start photo reads ⚠ 张贴照：画面模糊 in the 流转记录 tab, the missing end photo ✘, and a reviewer is
    offered 登记情况说明; a clear photo then reads ✔."""
    from tests.core.test_lifecycle import to_status

    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    photograph(database, nid, roles=("start",), flags=("blurry",))
    view = NoticeRecordView(bound, REVIEWER)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.load(nid)
    postings = view.tree.topLevelItem(1)
    note = postings.child(0).text(3)
    assert "⚠ 张贴照：画面模糊" in note and "✘ 缺期满照" in note and "✔" not in note
    assert "公示期 2026-03-03 至 2026-03-09（7天）" in note
    assert "张贴照不合格" in view.evidence.text() and view.explain_button.isVisibleTo(view)
    photograph(database, nid, roles=("start",))
    bound.notify_changed("photos")  # as the photo page does after linking
    qtbot.waitUntil(lambda: "✔ 张贴照" in view.tree.topLevelItem(1).child(0).text(3), timeout=WAIT)


def test_dashboard_lists_items_and_requests_opening(qtbot, bound, database, world):
    """The dashboard lists to-do items; Enter on one emits its ids, which the actions route (review opens a dialog);
    a change anywhere reloads it."""
    nid = make_notice(database, world)
    page = DashboardPage(bound, ADMIN, today=lambda: D(2026, 3, 2))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    assert "review_pending" not in [i.kind for i in page.items] and not page.start.isVisible()
    actions = LifecycleActions(bound, CLERK, page)
    actions.set_current(nid, "draft")
    with qtbot.waitSignal(page.loaded, timeout=WAIT):  # the submit's `changed` reloads the dashboard by itself
        actions.action("submit").trigger()
    kinds = [i.kind for i in page.items]
    assert "review_pending" in kinds and "今日待办" in page.heading.text()
    row = kinds.index("review_pending")
    page.tree.setCurrentItem(page.tree.topLevelItem(row))
    with qtbot.waitSignal(page.open_requested) as blocker:
        click(qtbot, page.open_button)
    assert blocker.args[0].disclosure_id == nid
    admin = LifecycleActions(bound, ADMIN, page)
    dialogs = []
    admin.do_review = lambda i: dialogs.append(i)
    admin.open_todo(blocker.args[0])
    assert dialogs == [nid]


def test_review_dialog_shows_the_poster_proof_beside_the_review(qtbot, bound, database, world, tmp_path):
    """The review dialog renders the 张贴稿 through the window's renderer and shows it in the PDF preview."""
    from reportlab.pdfgen import canvas

    nid = make_notice(database, world)
    with database.session() as s:
        lifecycle.submit(s, CLERK, nid)
    drawn = []

    def renderer(notice_id: str, folder: str) -> str:
        path = f"{folder}/proof.pdf"
        page = canvas.Canvas(path)
        page.drawString(100, 700, "proof")
        page.save()
        drawn.append(notice_id)
        return path

    dialog = ReviewDialog(bound, REVIEWER, nid, today=D(2026, 3, 2), renderer=renderer)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.proof.preview.document_loaded, timeout=WAIT):
        dialog.show()
    assert drawn == [nid] and dialog.proof.preview.page_count == 1
    qtbot.waitUntil(lambda: dialog.panel.summary is not None, timeout=WAIT)


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


def test_actions_follow_status_and_role(qtbot, bound, database, world):
    """A viewer gets no enabled action; a reviewer gets 审核 on a pending notice only; archived enables nothing."""
    host = DashboardPage(bound, ADMIN)
    qtbot.addWidget(host)
    from zwgk_desktop.core.users import Actor

    viewer = LifecycleActions(bound, Actor("v", "viewer"), host)
    viewer.set_current("x", "draft")
    assert not any(a.isEnabled() for a in viewer.actions())
    reviewer = LifecycleActions(bound, REVIEWER, host)
    reviewer.set_current("x", "pending_review")
    assert [a.objectName() for a in reviewer.actions() if a.isEnabled()] == ["lifecycle_review"]
    reviewer.set_current("x", "publishing")
    assert [a.objectName() for a in reviewer.actions() if a.isEnabled()] == ["lifecycle_explain"]
    admin = LifecycleActions(bound, ADMIN, host)
    admin.set_current("x", "archived")
    assert not any(a.isEnabled() for a in admin.actions())
