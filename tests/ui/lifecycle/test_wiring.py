"""`install(window)`: 今日待办 first, the 公示管理 action row by role and status, village scope, print hook, routing."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from tests.ui.conftest import make_window
from zwgk_desktop.core.models import Village
from zwgk_desktop.core.postings import notice_village_ids
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ui.lifecycle import ObjectionDialog, install

WAIT = 15000
ADMIN = Actor("admin", "admin", "管理员")


def open_window(qtbot, demo_config, demo_db, tasks, actor):
    window = make_window(qtbot, demo_config, demo_db, tasks)
    wiring = install(window, actor)
    window.show()
    qtbot.waitUntil(lambda: window.disclosures_page.model.rowCount() > 0, timeout=WAIT)
    return window, wiring


def select_status(qtbot, page, status: str) -> str:
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).status == status)
    disclosure_id = page.model.row_at(row).id
    page.select_disclosure(disclosure_id)
    qtbot.waitUntil(lambda: page.selected_row() is not None and page.selected_row().id == disclosure_id, timeout=WAIT)
    return disclosure_id


def enabled(wiring) -> list[str]:
    return [a.objectName().removeprefix("lifecycle_") for a in wiring.actions.actions() if a.isEnabled()]


def test_the_window_opens_on_todays_to_dos(qtbot, demo_config, demo_db, tasks):
    """After sign-in 今日待办 replaces its placeholder and is shown first, listing the demo's to-dos."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    assert window.current_page_key() == "today" and window.page("today") is wiring.dashboard
    qtbot.waitUntil(lambda: len(wiring.dashboard.items) > 0, timeout=WAIT)
    assert "今日待办" in wiring.dashboard.heading.text()
    assert window.lifecycle.user_label.text() == "当前用户：管理员（管理员）"


def test_action_row_follows_the_selected_notice(qtbot, demo_config, demo_db, tasks):
    """The row offers what the status allows; a disabled step's tooltip says why; the list's context menu has the same actions."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    page = window.disclosures_page
    toolbar_texts = [a.text() for a in page.toolbar.actions() if not a.isSeparator()]
    assert toolbar_texts[0] == "导入花名册(&I)…" and toolbar_texts[-1] == "撤回(&W)…"
    assert [a.text() for a in page.print_bar.actions()] == ["打印公示(&D)…"]
    assert wiring.import_action in page.view.actions() and wiring.actions.action("post") in page.view.actions()
    assert wiring.new_action in page.view.actions() and wiring.actions.action("explain") in page.view.actions()
    select_status(qtbot, page, "draft")
    assert enabled(wiring) == ["submit", "withdraw"]
    select_status(qtbot, page, "publishing")
    assert set(enabled(wiring)) == {"post", "objection", "resolve", "conclude", "explain", "correct", "withdraw"}
    assert "公示中" in wiring.actions.action("submit").toolTip() and "草稿" in wiring.actions.action("submit").toolTip()


def test_a_viewer_cannot_import_or_act_and_is_told_why(qtbot, demo_config, demo_db, tasks):
    """A read-only user sees 导入花名册 and every step disabled, each tooltip naming the role."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, Actor("chaxun", "viewer", "查阅员"))
    assert not wiring.import_action.isEnabled() and "查阅" in wiring.import_action.toolTip()
    select_status(qtbot, window.disclosures_page, "draft")
    assert enabled(wiring) == []
    assert "无权" in wiring.actions.action("submit").toolTip()
    assert wiring.open_import() is None


def test_a_village_user_sees_only_notices_of_their_village(qtbot, demo_config, demo_db, tasks):
    """A 村级用户's list holds only notices concerning their village; posting is offered, review is not."""
    with demo_db.session() as s:
        village = s.execute(select(Village).where(Village.name == "柳河村")).scalar_one()
        village_id = village.id
    actor = Actor("liuhe", "village", "柳河村村干部", (village_id,))
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, actor)
    page = window.disclosures_page
    ids = [page.model.row_at(r).id for r in range(page.model.rowCount())]
    with demo_db.session() as s:
        assert all(village_id in notice_village_ids(s, i) for i in ids)
        assert len(ids) < 49
    assert not wiring.import_action.isEnabled()
    select_status(qtbot, page, "approved")
    assert enabled(wiring) == ["post"]


def test_print_hook_is_offered_for_approved_notices_only(qtbot, demo_config, demo_db, tasks):
    """打印公示 stays disabled until a printing package registers; then it prints approved notices, not drafts."""
    window, _wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    page = window.disclosures_page
    select_status(qtbot, page, "approved")
    assert not page.print_action.isEnabled() and "尚未安装" in page.print_action.toolTip()
    printed = []
    page.set_print_handler(printed.append)
    assert page.print_action.isEnabled()
    page.print_action.trigger()
    assert printed == [page.selected_id()]
    select_status(qtbot, page, "draft")
    assert not page.print_action.isEnabled() and "审核通过后" in page.print_action.toolTip()


def test_todo_items_route_to_the_place_to_act(qtbot, demo_config, demo_db, tasks):
    """A missing-photo item opens 照片存档; an open objection opens its handling dialog for whoever may handle it,
    and selects its notice on 公示管理 (with the objection in the 流转记录 tab) for whoever may not."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    board = wiring.dashboard
    qtbot.waitUntil(lambda: len(board.items) > 0, timeout=WAIT)
    photo = next(i for i in board.items if i.kind == "photo_start")
    wiring.actions.open_todo(photo)
    assert window.current_page_key() == "photos"
    objection = next(i for i in board.items if i.kind == "objection_stale")
    assert not [i for i in board.items if i.kind == "awaiting_conclusion" and i.disclosure_id == objection.disclosure_id]
    wiring.actions.open_todo(objection)
    dialog = wiring.actions.last_dialog
    assert isinstance(dialog, ObjectionDialog) and dialog.mode == "resolve" and dialog.objection_id == objection.objection_id
    dialog.reject()

    viewer_window, viewer = open_window(qtbot, demo_config, demo_db, tasks, Actor("chaxun", "viewer", "查阅员"))
    qtbot.waitUntil(lambda: len(viewer.dashboard.items) > 0, timeout=WAIT)
    viewer.actions.open_todo(objection)
    assert viewer_window.current_page_key() == "disclosures"
    page = viewer_window.disclosures_page
    qtbot.waitUntil(lambda: page.selected_id() == objection.disclosure_id, timeout=WAIT)
    qtbot.waitUntil(lambda: viewer.record.record is not None and viewer.record.record.disclosure_id == objection.disclosure_id,
                    timeout=WAIT)
    assert viewer.record.record.open_objections  # why it can't be concluded yet, in the 流转记录 tab
    tree = viewer.record.tree
    assert tree.topLevelItem(2).child(0).foreground(0).color().name() == "#b42318"
    assert page.view.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu


def test_preview_and_print_stay_visible_at_1360_pixels(qtbot, demo_config, demo_db, tasks):
    """With printing installed, 预览张贴稿 and 打印公示 sit on the pinned print bar, visible (never in the » overflow)
    in a 1360-px-wide window — where every lifecycle step fits too — and still at 1100 px."""
    from zwgk_desktop.ui import printing

    window, _wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    printing.install(window)
    page = window.disclosures_page
    window.show_page("disclosures")
    assert [a.objectName() for a in page.print_bar.actions()] == ["proofPosterAction", "printNotice"]
    for width in (1360, 1100):
        window.resize(width, 840)
        qtbot.waitUntil(lambda: window.width() == width, timeout=WAIT)
        QApplication.processEvents()
        for action in page.print_bar.actions():
            button = page.print_bar.widgetForAction(action)
            assert button is not None and button.isVisible(), (width, action.text())
            right = button.mapTo(window, button.rect().topRight()).x()
            assert right <= window.width(), (width, action.text())
        assert page.print_bar.isVisible()
        if width == 1360:  # the whole row fits: no step folded into the » overflow either
            hidden = [a.text() for a in page.toolbar.actions()
                      if not a.isSeparator() and not page.toolbar.widgetForAction(a).isVisible()]
            assert hidden == []


def test_an_empty_township_says_where_to_start(qtbot, config, database, tasks):
    """With no notice yet, 今日待办 and 公示管理 offer 导入花名册 and 新建公示; 新建公示 makes a draft that is selected."""
    from tests.core.test_lifecycle import make_world
    from tests.ui.conftest import make_window

    make_world(database)
    window = make_window(qtbot, config, database, tasks)
    wiring = install(window, ADMIN)
    window.show()
    qtbot.waitUntil(lambda: wiring.dashboard.notices == 0, timeout=WAIT)
    assert wiring.dashboard.start.isVisible() and wiring.dashboard.start.import_button.isEnabled()
    page = window.disclosures_page
    window.show_page("disclosures")
    qtbot.waitUntil(lambda: page.start.isVisible(), timeout=WAIT)
    wiring.dashboard.start.new_button.click()
    dialog = wiring.last_new_dialog
    assert dialog.title.text().endswith(f"{date.today().year}年{date.today().month}月其他公告")
    dialog.category.setCurrentIndex(dialog.category.findData("generic"))
    dialog.body.insertPlainText("经村民代表会议讨论，2026年第4季度村务财务收支情况公开如下。")
    with qtbot.waitSignal(dialog.created, timeout=WAIT) as created:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    nid = created.args[0].disclosure_id
    qtbot.waitUntil(lambda: page.selected_id() == nid, timeout=WAIT)
    assert page.selected_row().status == "draft" and not page.start.isVisible()
    qtbot.waitUntil(lambda: wiring.dashboard.notices == 1 and not wiring.dashboard.start.isVisible(), timeout=WAIT)


def test_the_review_dialog_proof_is_the_real_poster(qtbot, demo_config, demo_db, tasks, tmp_path):
    """The window's proof renderer draws the notice's 张贴稿 (the printing package's preview, nothing recorded):
    a PDF whose text carries the notice's title and the 样稿 mark of an unapproved notice."""
    import subprocess

    from zwgk_desktop.core.models import Disclosure, PrintedVersion
    from zwgk_desktop.ui.lifecycle.wiring import poster_proof_renderer

    window, _wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    with demo_db.session() as s:
        notice = s.execute(select(Disclosure).where(Disclosure.status == "pending_review")).scalars().first()
        title, nid = notice.title, notice.id
        printed_before = len(s.execute(select(PrintedVersion)).scalars().all())
    render = poster_proof_renderer(window)
    path = render(nid, str(tmp_path))
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
    assert title[:10] in text.replace("\n", "") and "样稿" in text
    with demo_db.session() as s:
        assert len(s.execute(select(PrintedVersion)).scalars().all()) == printed_before
