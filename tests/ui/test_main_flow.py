"""The notice lifecycle driven through the main window, as a clerk and a reviewer would, on the demo township."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.ui.conftest import make_window
from zwgk_desktop.core.disclosures import item_page
from zwgk_desktop.core.idnumber import make_id_number
from zwgk_desktop.core.lifecycle import remove_items
from zwgk_desktop.core.users import add_user, create_first_admin
from zwgk_desktop.ui.import_dialog import ImportDialog
from zwgk_desktop.ui.lifecycle import ObjectionDialog, PostingDialog, ReviewDialog, install
from zwgk_desktop.ui.table_models import DisclosureTableModel

D = date
DISPLAY = Qt.ItemDataRole.DisplayRole
WAIT = 20000


class Clock:
    """The day the app believes it is (so the 公示期 can run out within a test)."""

    def __init__(self, day: date):
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def people(demo_db):
    """An administrator, a clerk and a reviewer on the demo township."""
    with demo_db.session() as s:
        admin = create_first_admin(s, "admin", "admin-pass-2026")
        add_user(s, admin, "wangfang", "clerk-pass-2026", "clerk", display_name="王芳")
        add_user(s, admin, "lijun", "review-pass-2026", "reviewer", display_name="李军")
    from zwgk_desktop.core.users import login

    return {name: login(demo_db, name, pw) for name, pw in
            (("wangfang", "clerk-pass-2026"), ("lijun", "review-pass-2026"))}


def small_roster(path) -> str:
    """A county-style 低保 roster: a title row, a header, three households of two demo villages."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["青山镇2026年3月城乡低保新增对象花名册"])
    ws.append(["序号", "村(组)", "户主姓名", "身份证号码", "保障人数", "月保障金额(元)"])
    rows = [("青山村", "周桂英", 2, 1240), ("青山村", "吴德明", 1, 620), ("桃园村", "郑秀兰", 3, 1860)]
    for seq, (village, name, persons, amount) in enumerate(rows, start=1):
        ws.append([seq, village, name, make_id_number("341525", D(1958, 4, seq), 700 + seq), persons, amount])
    wb.save(path)
    return str(path)


def open_window(qtbot, config, database, tasks, actor, clock):
    window = make_window(qtbot, config, database, tasks, actor)
    wiring = install(window, actor, today=clock)
    window.show()
    qtbot.waitUntil(lambda: window.disclosures_page.model.rowCount() > 0, timeout=WAIT)
    return window, wiring


def listed(page, disclosure_id: str) -> tuple[str, str]:
    """(status text, 公示栏数 text) as the list shows them for one notice."""
    row = page.model.row_of_id(disclosure_id)
    status = page.model.index(row, DisclosureTableModel.STATUS).data(DISPLAY)
    boards = page.model.index(row, DisclosureTableModel.BOARDS).data(DISPLAY)
    return status, boards


def wait_selected(qtbot, page, disclosure_id: str, status_text: str) -> None:
    """Wait until the list has reloaded with `disclosure_id` selected and showing `status_text`."""
    qtbot.waitUntil(
        lambda: page.selected_id() == disclosure_id and page.model.row_of_id(disclosure_id) >= 0
        and listed(page, disclosure_id)[0] == status_text,
        timeout=WAIT,
    )


def click_ok(qtbot, dialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def record_texts(wiring) -> list[str]:
    tree = wiring.record.tree
    texts = []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        texts.append(top.text(0))
        texts += [" ".join(top.child(j).text(c) for c in range(4)) for j in range(top.childCount())]
    return texts


def test_notice_lifecycle_through_the_main_window(qtbot, demo_config, demo_db, tasks, people, tmp_path):
    """import → submit → approve from 今日待办 → post on two boards → objection upheld → correction re-公示'd for a
    full fresh period → 办结 refused without photos → a reviewer's 情况说明 → 办结 → 归档."""
    clock = Clock(D(2026, 3, 2))
    clerk_window, clerk = open_window(qtbot, demo_config, demo_db, tasks, people["wangfang"], clock)
    page = clerk_window.disclosures_page
    assert clerk_window.current_page_key() == "today"
    assert clerk.user_label.text() == "当前用户：王芳（经办人）"
    assert not clerk.actions.action("review").isEnabled()  # a clerk never reviews

    # 导入花名册 from the 公示管理 action row; the new draft is selected and announced
    clerk_window.show_page("disclosures")
    clerk.import_action.trigger()
    dialog = clerk.last_import_dialog
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    dialog.load(small_roster(tmp_path / "低保花名册.xlsx"), "dibao")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)
    assert dialog.preview.accepted == 3 and dialog.preview.rejected == 0
    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as imported:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    nid = imported.args[0]
    wait_selected(qtbot, page, nid, "草稿")
    assert "花名册已导入" in clerk_window.statusBar().currentMessage()
    today = date.today()  # the default title is the category's template, never the roster's "…花名册" heading
    assert page.model.row_at(page.model.row_of_id(nid)).title == f"青山镇{today.year}年{today.month}月城乡最低生活保障对象审核确认情况公示"

    # 提交审核
    assert clerk.actions.action("submit").isEnabled()
    clerk.actions.action("submit").trigger()
    wait_selected(qtbot, page, nid, "待审核")
    assert clerk_window.statusBar().currentMessage() == "已提交审核。"

    # the reviewer opens it from 今日待办 and approves in the review dialog
    review_window, reviewer = open_window(qtbot, demo_config, demo_db, tasks, people["lijun"], clock)
    board = reviewer.dashboard
    qtbot.waitUntil(lambda: any(i.disclosure_id == nid and i.kind == "review_pending" for i in board.items), timeout=WAIT)
    row = next(r for r, i in enumerate(board.items) if i.disclosure_id == nid and i.kind == "review_pending")
    board.tree.setCurrentItem(board.tree.topLevelItem(row))
    qtbot.mouseClick(board.open_button, Qt.MouseButton.LeftButton)
    review = reviewer.actions.last_dialog
    assert isinstance(review, ReviewDialog)
    qtbot.waitUntil(lambda: review.panel.summary is not None, timeout=WAIT)
    # the period the poster will print: posted on the next working day (3/3), 3/4–3/10
    assert review.panel.period.end_label.text() == "公示期满日：2026-03-10"
    assert "经办人 王芳" in review.panel.facts.text() and "须为不同的人" in review.panel.duty.text()
    review.panel.reason.insertPlainText("名单与村评议结果一致，同意公示")
    qtbot.mouseClick(review.panel.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reviewer.dashboard.items is not None and not any(
        i.disclosure_id == nid for i in reviewer.dashboard.items), timeout=WAIT)

    # back at the clerk's desk: F5 shows it approved; 登记张贴 on two boards with the period explained
    page.refresh()
    wait_selected(qtbot, page, nid, "已审核")
    clerk.actions.action("post").trigger()
    posting = clerk.actions.last_dialog
    assert isinstance(posting, PostingDialog)
    qtbot.waitUntil(lambda: posting.plan is not None and posting.boards.count() > 0, timeout=WAIT)
    posting.set_boards_checked(["青山镇", "青山村"])
    assert posting.explanation.end_label.text() == "公示期满日：2026-03-09"
    assert "起算7天" in posting.explanation.explanation.text()
    click_ok(qtbot, posting)
    wait_selected(qtbot, page, nid, "公示中")
    assert listed(page, nid)[1] == "2"

    # 登记异议 during the period; the 流转记录 tab shows it open
    clock.day = D(2026, 3, 3)
    clerk.actions.action("objection").trigger()
    objection = clerk.actions.last_dialog
    assert isinstance(objection, ObjectionDialog)
    qtbot.waitUntil(lambda: "公示：" in objection.heading.text(), timeout=WAIT)
    objection.content.insertPlainText("吴德明家有稳定务工收入")
    objection.channel.setCurrentText("来访")
    click_ok(qtbot, objection)
    qtbot.waitUntil(lambda: wiring_has(clerk, "未办结 1 件"), timeout=WAIT)

    # 期满办结 is refused while the objection is open: the reason is in the status bar
    failures = []
    clerk.actions.report_failure = failures.append
    clock.day = D(2026, 3, 12)
    clerk.actions.action("conclude").trigger()
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT)
    assert "异议" in failures[0] and "异议" in clerk_window.statusBar().currentMessage()
    assert listed(page, nid)[0] == "公示中"

    # the open objection, activated in the record tab, is upheld; the list changes → a correction (第2版)
    clock.day = D(2026, 3, 4)
    tree = clerk.record.tree
    open_item = next(tree.topLevelItem(2).child(j) for j in range(tree.topLevelItem(2).childCount()))
    tree.itemActivated.emit(open_item, 0)
    resolve = clerk.actions.last_dialog
    assert isinstance(resolve, ObjectionDialog) and resolve.mode == "resolve"
    resolve.handling.insertPlainText("入户核实，该户有稳定务工收入")
    resolve.outcome.insertPlainText("异议成立，取消吴德明户")
    resolve.changes_list.setChecked(True)
    with qtbot.waitSignal(resolve.saved, timeout=WAIT):
        click_ok(qtbot, resolve)
    new_id = resolve.result.correction_id
    assert new_id
    wait_selected(qtbot, page, new_id, "草稿")
    assert listed(page, nid)[0] == "已撤回"
    qtbot.waitUntil(lambda: page.detail.title.text().endswith("（第2版）"), timeout=WAIT)

    # 第2版: 吴德明户 taken out of the draft (the draft editor belongs to the rosters area and is tested there),
    # then submit → approve (reviewer, from the action row) → post → conclude → archive
    with demo_db.session(user="wangfang") as s:
        seq = next(i.seq for i in item_page(s, new_id, 0, 10) if i.name == "吴德明")
        remove_items(s, people["wangfang"], new_id, [seq])
    tasks.notify_changed("items", ids=(new_id,))
    clerk.actions.action("submit").trigger()
    wait_selected(qtbot, page, new_id, "待审核")
    rpage = review_window.disclosures_page
    rpage.refresh()
    qtbot.waitUntil(lambda: rpage.model.row_of_id(new_id) >= 0, timeout=WAIT)
    rpage.select_disclosure(new_id)
    qtbot.waitUntil(lambda: reviewer.actions.action("review").isEnabled(), timeout=WAIT)
    reviewer.actions.action("review").trigger()
    review2 = reviewer.actions.last_dialog
    qtbot.waitUntil(lambda: review2.panel.summary is not None, timeout=WAIT)
    with qtbot.waitSignal(review2.panel.approved, timeout=WAIT):
        qtbot.mouseClick(review2.panel.approve_button, Qt.MouseButton.LeftButton)
    wait_selected(qtbot, rpage, new_id, "已审核")

    wait_selected(qtbot, page, new_id, "已审核")  # the clerk's list follows the reviewer's approval by itself
    clerk.actions.action("post").trigger()
    post2 = clerk.actions.last_dialog
    qtbot.waitUntil(lambda: post2.plan is not None and post2.boards.count() > 0, timeout=WAIT)
    post2.set_boards_checked(["青山镇"])
    # re-公示: the corrected list runs a full fresh 7 days from its own posting (3/4 → 3/5–3/11), nothing inherited
    assert post2.explanation.end_label.text() == "公示期满日：2026-03-11"
    assert "重新公示" in post2.explanation.explanation.text() and "沿用" not in post2.explanation.explanation.text()
    click_ok(qtbot, post2)
    wait_selected(qtbot, page, new_id, "公示中")
    qtbot.waitUntil(lambda: "2026-03-05 至 2026-03-11（7天）" in listed_period(page, new_id), timeout=WAIT)
    qtbot.waitUntil(lambda: clerk.record.record is not None and clerk.record.record.disclosure_id == new_id
                    and bool(clerk.record.record.postings), timeout=WAIT)
    assert "删除1户" in clerk.record.versions.text() and "现重新公示" in clerk.record.versions.text()
    assert any("第1版 · 异议（来访" in t and "已更正名单（第2版）" in t for t in record_texts(clerk))  # v2 shows it too

    # 期满办结 without photos is refused naming the board and the photos; nothing changes
    failures.clear()
    clock.day = D(2026, 3, 12)
    clerk.actions.action("conclude").trigger()
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT)
    assert "青山镇政务公开栏缺张贴照、缺期满照" in failures[0] and "情况说明" in failures[0]
    assert listed(page, new_id)[0] == "公示中"
    assert "留档照片未齐" in clerk.record.evidence.text() and not clerk.record.explain_button.isVisibleTo(clerk.record)

    # the reviewer records a 情况说明 from the 流转记录 tab; then 办结 and 归档 go through
    rpage.refresh()
    qtbot.waitUntil(lambda: rpage.model.row_of_id(new_id) >= 0, timeout=WAIT)
    rpage.select_disclosure(new_id)
    qtbot.waitUntil(lambda: reviewer.record.record is not None and reviewer.record.record.disclosure_id == new_id
                    and bool(reviewer.record.record.evidence_gaps), timeout=WAIT)
    assert reviewer.record.explain_button.isVisibleTo(reviewer.record)
    reviewer.actions.ask_reason = lambda title, prompt: "太短了"
    reviewer_failures = []
    reviewer.actions.report_failure = reviewer_failures.append
    reviewer.record.explain_button.click()
    qtbot.waitUntil(lambda: bool(reviewer_failures), timeout=WAIT)
    assert "太短" in reviewer_failures[0]
    reviewer.actions.ask_reason = lambda title, prompt: "张贴当天手机故障未拍照，期满照因公开栏维修无法补拍，已现场核实。"
    reviewer.record.explain_button.click()
    qtbot.waitUntil(lambda: any("手机故障" in t for t in record_texts(clerk)), timeout=WAIT)  # the clerk's tab follows
    clerk.actions.action("conclude").trigger()
    wait_selected(qtbot, page, new_id, "期满")
    asked = []
    clerk.actions.confirm = lambda title, text: asked.append(text) or True
    clerk.actions.action("archive").trigger()
    wait_selected(qtbot, page, new_id, "已归档")
    assert "锁定" in asked[0] and "已登记情况说明" in asked[0]
    assert not any(a.isEnabled() for a in clerk.actions.actions())  # archived: nothing more to do

    # what the clerk reads in the 流转记录 tab of the archived version
    qtbot.waitUntil(lambda: wiring_has(clerk, "期满 → 已归档") and "第2版（已归档）" in clerk.record.versions.text(),
                    timeout=WAIT)
    assert "第1版（已撤回）" in clerk.record.versions.text() and "第2版（已归档）" in clerk.record.versions.text()
    texts = " ".join(record_texts(clerk))
    assert "新建 → 草稿" in texts or "草稿 → 待审核" in texts
    assert "张贴于 青山镇" in texts and "李军" in texts and "王芳" in texts


def listed_period(page, disclosure_id: str) -> str:
    row = page.model.row_of_id(disclosure_id)
    return page.model.index(row, DisclosureTableModel.PERIOD).data(DISPLAY) if row >= 0 else ""


def wiring_has(wiring, text: str) -> bool:
    return any(text in t for t in record_texts(wiring))
