"""编辑草稿 and 切换用户 through the window: per-cell checks, one save off the UI thread, scope, actions by user."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.ui.conftest import make_window
from zwgk_desktop.core.idnumber import make_id_number
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Village
from zwgk_desktop.core.users import SYSTEM_ACTOR, Actor, add_user
from zwgk_desktop.ui.lifecycle import install
from zwgk_desktop.ui.lifecycle.items_editor import ERROR_BG, ItemsEditorDialog

WAIT = 15000
CLERK = Actor("jingban", "clerk", "王经办")
NEW_ID = make_id_number("341122", date(1975, 3, 9), 321)


def open_window(qtbot, demo_config, demo_db, tasks, actor):
    window = make_window(qtbot, demo_config, demo_db, tasks)
    window.actor = actor
    wiring = install(window, actor)
    window.show()
    qtbot.waitUntil(lambda: window.disclosures_page.model.rowCount() > 0, timeout=WAIT)
    return window, wiring


def select_notice(qtbot, page, status: str, category: str = "dibao") -> str:
    row = next(r for r in range(page.model.rowCount())
               if page.model.row_at(r).status == status and page.model.row_at(r).category == category)
    disclosure_id = page.model.row_at(row).id
    page.select_disclosure(disclosure_id)
    qtbot.waitUntil(lambda: page.selected_row() is not None and page.selected_row().id == disclosure_id, timeout=WAIT)
    return disclosure_id


def open_editor(qtbot, wiring) -> ItemsEditorDialog:
    dialog = wiring.open_editor()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=WAIT)
    return dialog


def stored_items(db, disclosure_id: str) -> list[DisclosureItem]:
    with db.session() as s:
        items = s.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == disclosure_id)
                          .order_by(DisclosureItem.seq)).scalars().all()
        s.expunge_all()
        return items


def stored_notice(db, disclosure_id: str) -> Disclosure:
    with db.session() as s:
        d = s.get(Disclosure, disclosure_id)
        s.expunge(d)
        return d


def cell(model, row: int, key: str):
    return model.index(row, model.column_index(key))


def test_editing_a_cell_saves_and_the_notice_totals_refresh(qtbot, demo_config, demo_db, tasks):
    """A changed amount shows at once in the editor's total; 保存 writes it and the detail pane shows the new sum."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, CLERK)
    page = window.disclosures_page
    nid = select_notice(qtbot, page, "draft")
    before = stored_notice(demo_db, nid)
    dialog = open_editor(qtbot, wiring)
    model = dialog.model
    old_text = model.data(cell(model, 0, "amount"), Qt.ItemDataRole.EditRole)
    assert old_text.endswith(".00") and "," not in old_text  # yuan with 2 decimals, as typed
    assert "*" in model.data(cell(model, 0, "id_number")) and len(model.data(cell(model, 0, "id_number"), Qt.ItemDataRole.EditRole)) == 18
    assert model.setData(cell(model, 0, "amount"), "1,234.56")
    assert model.data(cell(model, 0, "amount")) == "1,234.56"
    expected = before.total_amount_fen - int(old_text.replace(".", "")) + 123456
    assert f"{expected // 100:,}.{expected % 100:02d}" in dialog.totals_label.text()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        assert dialog.save()
    assert saved.args[0].total_amount_fen == expected
    assert stored_items(demo_db, nid)[0].amount_fen == 123456
    qtbot.waitUntil(lambda: f"{expected // 100:,}.{expected % 100:02d}" in page.detail.meta.text(), timeout=WAIT)
    assert "草稿已保存" in window.statusBar().currentMessage()


def test_a_bad_id_number_is_shown_on_its_cell_and_nothing_is_saved(qtbot, demo_config, demo_db, tasks):
    """A wrong check digit turns the cell red with the import's message; 保存 refuses and the database is untouched."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, CLERK)
    nid = select_notice(qtbot, window.disclosures_page, "draft")
    dialog = open_editor(qtbot, wiring)
    model = dialog.model
    bad = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    model.setData(cell(model, 1, "id_number"), bad)
    model.setData(cell(model, 2, "name"), "改了名字")
    index = cell(model, 1, "id_number")
    assert [p.code for p in model.problems_at(1, "id_number")] == ["id_checksum"]
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    assert "校验位" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert model.data(index) == bad  # a changed number is shown whole, so the clerk can compare
    dialog.view.setCurrentIndex(index)
    assert "第2行“身份证号码”" in dialog.message.text() and "校验位" in dialog.message.text()
    assert dialog.save() is False
    assert "1 处需要改正" in dialog.message.text() and dialog.isVisible()
    stored = stored_items(demo_db, nid)
    assert stored[1].id_number != bad and stored[2].name != "改了名字"


def test_add_and_delete_rows_then_save(qtbot, demo_config, demo_db, tasks):
    """添加一行 / 删除所选行 change the count at once; the save renumbers 序号 and stores the new person."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, CLERK)
    nid = select_notice(qtbot, window.disclosures_page, "draft")
    count = stored_notice(demo_db, nid).item_count
    dialog = open_editor(qtbot, wiring)
    model = dialog.model
    position = dialog.add_row()
    assert position == count and model.problems_at(position) == []  # an untouched new row is not nagged
    for key, text in (("village", "石桥村"), ("name", "张𠮷"), ("id_number", NEW_ID), ("people", "3"), ("amount", "600")):
        model.setData(cell(model, position, key), text)
    assert model.problems_at(position) == []
    blank = dialog.add_row()  # left empty: ignored on save
    assert blank == count + 1
    dialog.view.setCurrentIndex(cell(model, 0, "name"))
    dialog.view.selectionModel().select(cell(model, 0, "name"), dialog.view.selectionModel().SelectionFlag.ClearAndSelect)
    assert dialog.delete_selected() == 1
    assert f"共 {count + 1} 条" in dialog.totals_label.text()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        dialog.save()
    assert saved.args[0].added == 1 and saved.args[0].deleted == 1
    items = stored_items(demo_db, nid)
    assert len(items) == count and [i.seq for i in items] == list(range(1, count + 1))
    assert (items[-1].name, items[-1].id_number, items[-1].amount_fen) == ("张𠮷", NEW_ID, 60000)


def test_cancel_discards_after_asking(qtbot, demo_config, demo_db, tasks):
    """取消 with changes asks first; saying no keeps the editor open, yes closes it and nothing is written."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, CLERK)
    nid = select_notice(qtbot, window.disclosures_page, "draft")
    dialog = open_editor(qtbot, wiring)
    dialog.title_edit.setText("不要保存的标题")
    answers = []
    dialog.confirm_discard = lambda: answers.append("asked") or len(answers) > 1
    dialog.reject()
    assert dialog.isVisible()
    dialog.reject()
    assert not dialog.isVisible() and answers == ["asked", "asked"]
    assert stored_notice(demo_db, nid).title != "不要保存的标题"


def test_edit_is_offered_only_for_drafts_and_archived_ones_are_refused(qtbot, demo_config, demo_db, tasks):
    """编辑草稿 is enabled on a draft, disabled (with the reason) on archived and published notices."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, CLERK)
    page = window.disclosures_page
    select_notice(qtbot, page, "draft")
    assert wiring.edit_action.isEnabled() and wiring.edit_action in page.detail.items_view.actions()
    select_notice(qtbot, page, "archived")
    assert not wiring.edit_action.isEnabled() and "归档" in wiring.edit_action.toolTip()
    assert wiring.open_editor() is None
    select_notice(qtbot, page, "publishing")
    assert not wiring.edit_action.isEnabled() and "更正" in wiring.edit_action.toolTip()
    archived = next(page.model.row_at(r).id for r in range(page.model.rowCount()) if page.model.row_at(r).status == "archived")
    dialog = ItemsEditorDialog(demo_db, CLERK, archived, tasks, window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        pass
    assert "归档" in dialog.message.text() and not dialog.save_button.isEnabled()


def test_a_village_user_edits_only_their_village(qtbot, demo_config, demo_db, tasks):
    """A 村级用户's editor holds only their rows, locks title and body, and marks another village as out of scope."""
    with demo_db.session() as s:
        village_id = s.execute(select(Village.id).where(Village.name == "李集村")).scalar_one()
    actor = Actor("liji", "village", "李集村村干部", (village_id,))
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, actor)
    select_notice(qtbot, window.disclosures_page, "draft")
    dialog = open_editor(qtbot, wiring)
    model = dialog.model
    assert model.rowCount() > 0 and all(r.values["village"] == "李集村" for r in model.rows)
    assert not dialog.title_edit.isEnabled() and "其他村的明细未显示" in dialog.lead.text()
    model.setData(cell(model, 0, "village"), "柳河村")
    assert [p.code for p in model.problems_at(0, "village")] == ["village_out_of_scope"]
    position = dialog.add_row()
    assert model.rows[position].values["village"] == "李集村"  # a new row starts in their village


def test_switching_user_changes_what_is_enabled(qtbot, demo_config, demo_db, tasks):
    """切换用户 re-runs the login; a reviewer then may review but not edit or submit, and the status bar says who works."""
    with demo_db.session() as s:
        add_user(s, SYSTEM_ACTOR, "boss", "admin-password", "admin", display_name="李站长")
        add_user(s, SYSTEM_ACTOR, "shenhe", "reviewer-password", "reviewer", display_name="赵审核")
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, CLERK)
    page = window.disclosures_page
    select_notice(qtbot, page, "draft")
    assert wiring.edit_action.isEnabled() and wiring.actions.action("submit").isEnabled()
    assert wiring.switch_button.text() == "切换用户(&U)…"
    dialog = wiring.switch_user()
    dialog.username.setText("shenhe")
    dialog.password.setText("wrong-password")
    dialog.submit()
    assert dialog.isVisible() and "不正确" in dialog.message.text() and window.actor is CLERK
    dialog.password.setText("reviewer-password")
    with qtbot.waitSignal(wiring.actor_changed, timeout=WAIT):
        dialog.submit()
    assert window.actor.username == "shenhe" and wiring.actions.actor.username == "shenhe"
    assert wiring.user_label.text() == "当前用户：赵审核（审核人）"
    qtbot.waitUntil(lambda: page.selected_row() is not None, timeout=WAIT)
    select_notice(qtbot, page, "draft")
    assert not wiring.edit_action.isEnabled() and "审核人" in wiring.edit_action.toolTip()
    assert not wiring.actions.action("submit").isEnabled() and not wiring.import_action.isEnabled()
    select_notice(qtbot, page, "pending_review")
    assert wiring.actions.action("review").isEnabled()


def test_switching_to_a_village_user_scopes_the_list_and_back(qtbot, demo_config, demo_db, tasks):
    """After switching to a 村级用户 the list keeps only their village's notices; switching back lifts the scope."""
    with demo_db.session() as s:
        village_id = s.execute(select(Village.id).where(Village.name == "柳河村")).scalar_one()
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, CLERK)
    page = window.disclosures_page
    everything = page.model.rowCount()
    with qtbot.waitSignal(page.list_loaded, timeout=WAIT):
        wiring.set_actor(Actor("liuhe", "village", "柳河村村干部", (village_id,)))
    assert page.village_scope == (village_id,) and 0 < page.model.rowCount() < everything
    assert not wiring.import_action.isEnabled()
    with qtbot.waitSignal(page.list_loaded, timeout=WAIT):
        wiring.set_actor(CLERK)
    assert page.village_scope == () and page.model.rowCount() == everything and wiring.import_action.isEnabled()
