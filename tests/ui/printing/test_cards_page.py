"""The 明白卡 page: household filters, preview, save with the right page count, cancel, service items (pytest-qt)."""

from __future__ import annotations

import pypdfium2 as pdfium
from sqlalchemy import func, select

from zwgk_desktop.core.models import Household, PrintedVersion, Village
from tests.ui.printing.conftest import TESTER
from zwgk_desktop.ops.cards import HOUSEHOLD, CardRequest, print_cards, render_cards
from zwgk_desktop.ui.printing import CardsPage

TIMEOUT = 30000
YEAR = 2026  # the demo township's notices are dated 2026


def page_count(path) -> int:
    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def loaded_page(qtbot, demo_config, demo_db, tasks) -> CardsPage:
    page = CardsPage(demo_db, demo_config, tasks)
    qtbot.addWidget(page)
    page.resize(1280, 820)
    page.show()
    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        page.refresh()
    if page.year_spin.value() != YEAR:
        with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
            page.year_spin.setValue(YEAR)
    return page


def choose_village(qtbot, page: CardsPage, name: str) -> None:
    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        assert page.set_village(name)


def households_in(database, village: str) -> int:
    with database.session() as session:
        return session.execute(
            select(func.count(Household.id)).join(Village, Household.village_id == Village.id).where(Village.name == village)
        ).scalar()


def test_filters_households_by_village_group_and_policy(qtbot, demo_config, demo_db, tasks):
    """Picking a village lists exactly its households; a group and a policy narrow the list further."""
    page = loaded_page(qtbot, demo_config, demo_db, tasks)
    assert len(page.household_model.rows) == 300
    choose_village(qtbot, page, "青山村")
    rows = page.household_model.rows
    assert len(rows) == households_in(demo_db, "青山村") and {r.village for r in rows} == {"青山村"}
    group = rows[0].group
    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        page.group_combo.setCurrentIndex(page.group_combo.findData(group))
    assert {r.group for r in page.household_model.rows} == {group}
    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        page.policy_combo.setCurrentIndex(page.policy_combo.findData("dibao"))
    assert all("dibao" in r.categories for r in page.household_model.rows)
    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        page.choose_whole_village()
    assert len(page.household_model.rows) == households_in(demo_db, "青山村")
    assert page.scope_all.isChecked()


def test_search_and_selection_choose_what_prints(qtbot, demo_config, demo_db, tasks):
    """Selecting rows switches to 只打印选中的户 and the request holds exactly those households."""
    page = loaded_page(qtbot, demo_config, demo_db, tasks)
    name = page.household_model.rows[5].head_name
    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        page.search.setText(name)
        page.search.returnPressed.emit()
    assert page.household_model.rows and all(name in r.head_name for r in page.household_model.rows)
    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        page.search.setText("")
        page.search.returnPressed.emit()
    chosen = [page.household_model.rows[i].id for i in (0, 3, 7)]
    page.select_households(chosen)
    assert page.scope_selected.isChecked()
    assert page.current_request().household_ids == tuple(chosen)


def test_preview_renders_the_first_cards(qtbot, demo_config, demo_db, tasks):
    """The preview renders the first sheets of the chosen village off the UI thread and shows a page."""
    page = loaded_page(qtbot, demo_config, demo_db, tasks)
    choose_village(qtbot, page, "青山村")
    page.set_layout("a6x4")
    with qtbot.waitSignal(page.preview_ready, timeout=TIMEOUT) as ready:
        page.render_preview()
    result = ready.args[0]
    assert 0 < result.cards <= 8 and result.layout == "a6x4"
    qtbot.waitUntil(lambda: page.viewer.shown_image() is not None, timeout=TIMEOUT)
    with demo_db.session() as session:
        assert session.execute(select(func.count(PrintedVersion.id)).where(PrintedVersion.kind == "cards")).scalar() == 0


def test_save_a6x4_pdf_has_the_expected_pages_and_is_recorded(qtbot, demo_config, demo_db, tasks, tmp_path):
    """另存为 PDF for a village on A6 一纸四张 gives the service's page count and records the print."""
    page = loaded_page(qtbot, demo_config, demo_db, tasks)
    choose_village(qtbot, page, "青山村")
    page.set_layout("a6x4")
    out = tmp_path / "明白卡.pdf"
    with qtbot.waitSignal(page.saved, timeout=TIMEOUT) as saved:
        page.save_pdf_to(str(out))
    result = saved.args[0]
    request = CardRequest(HOUSEHOLD, "a6x4", YEAR, village="青山村")  # only households with something to say
    expected = render_cards(demo_db, TESTER, demo_config, request, tmp_path / "direct.pdf")
    assert result.cards == len([r for r in page.household_model.rows if r.categories]) == expected.cards
    assert page_count(out) == result.pages == expected.pages
    assert result.pages >= -(-result.cards // 4)  # four cards a sheet at most
    with demo_db.session() as session:
        record = session.execute(select(PrintedVersion).where(PrintedVersion.kind == "cards")).scalar_one()
        assert record.sha256 == result.sha256 and record.paper == "a6x4" and record.printed_by == "tester"
    assert "已生成" in page.result_banner.text()


def test_cancel_during_a_big_batch_leaves_no_file(qtbot, demo_config, demo_db, tasks, tmp_path):
    """Cancelling while the whole township's cards are being drawn writes no file and records nothing."""
    page = loaded_page(qtbot, demo_config, demo_db, tasks)
    page.set_layout("a4")
    out = tmp_path / "全镇明白卡.pdf"
    job = page.save_pdf_to(str(out))
    # cancel from inside the batch once drawing has begun (the renderer checks the flag every 200 cards)
    job.on_progress = lambda done, total, message: job.cancel() if message.startswith("正在生成明白卡") else None
    qtbot.waitUntil(lambda: not page.strip.busy, timeout=60000)
    assert job.cancelled
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert "已取消" in page.result_banner.text()
    with demo_db.session() as session:
        assert session.execute(select(func.count(PrintedVersion.id)).where(PrintedVersion.kind == "cards")).scalar() == 0


def test_cancel_button_stops_the_batch(qtbot, demo_config, demo_db, tasks, tmp_path):
    """The strip's 取消 button sets the running job's cancel flag."""
    page = loaded_page(qtbot, demo_config, demo_db, tasks)
    job = page.save_pdf_to(str(tmp_path / "x.pdf"))
    page.strip.cancel_button.click()
    assert job.cancelled
    qtbot.waitUntil(lambda: not page.strip.busy, timeout=60000)


def test_service_cards_preview_and_editor(qtbot, demo_config, demo_db, tasks):
    """Service-item cards preview one card per checked item; an edit in the catalogue tab is saved and shown."""
    from zwgk_desktop.core.service_items import load_service_items

    page = loaded_page(qtbot, demo_config, demo_db, tasks)
    page.service_radio.setChecked(True)
    checked = page.service_list.count()
    assert checked > 0
    page.service_list.item(0).setCheckState(page.service_list.item(0).checkState().Unchecked)
    with qtbot.waitSignal(page.preview_ready, timeout=TIMEOUT) as ready:
        page.render_preview()
    assert ready.args[0].cards == min(checked - 1, page._preview_limit())

    editor = page.editor
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT):
        page.tabs.setCurrentWidget(editor)
    code = editor.current_code()
    editor.set_field("name", "最低生活保障申请（本镇）")
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT):
        editor.save_current()
    assert editor.current_row().item.source == "local" and editor.current_code() == code
    with demo_db.session() as session:
        names = {item.code: item.name for item in load_service_items(session, demo_config)}
    assert names[code] == "最低生活保障申请（本镇）"
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT):
        editor.hide_current()
    assert editor.current_row().hidden
    with demo_db.session() as session:
        assert code not in {item.code for item in load_service_items(session, demo_config)}
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT):
        editor.reset_current()
    row = editor.current_row()
    assert not row.hidden and row.item.source == "shipped" and row.item.name != "最低生活保障申请（本镇）"


def test_editor_reports_a_missing_required_field(qtbot, demo_config, demo_db, tasks):
    """Saving a new item without a name shows the core's Chinese message in the banner, not a dialog."""
    page = loaded_page(qtbot, demo_config, demo_db, tasks)
    editor = page.editor
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT):
        page.tabs.setCurrentWidget(editor)
    editor.new_item()
    editor.set_field("code", "local_test")
    editor.save_current()
    qtbot.waitUntil(lambda: editor.banner.isVisible() and "事项名称" in editor.banner.text(), timeout=TIMEOUT)


# --- village scope (村级用户) ------------------------------------------------------------------


def liuhe_user(database):
    from zwgk_desktop.core.users import Actor

    with database.session() as session:
        liuhe = session.execute(select(Village.id).where(Village.name == "柳河村")).scalar_one()
    return Actor("liuhe", "village", "柳河村村干部", (liuhe,))


def cards_in_window(qtbot, demo_config, demo_db, tasks, actor):
    """The 明白卡 page as the app builds it: lifecycle (sign-in scope) then printing installed on a window."""
    from tests.ui.conftest import make_window
    from zwgk_desktop.ui.lifecycle import install as install_lifecycle
    from zwgk_desktop.ui.printing import install as install_printing

    window = make_window(qtbot, demo_config, demo_db, tasks)
    window.actor = actor
    wiring = install_lifecycle(window, actor)
    install_printing(window)
    window.resize(1400, 860)
    window.show()
    page = window.page("cards")
    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        window.show_page("cards")
    return window, wiring, page


def test_a_village_user_can_choose_only_their_villages_households(qtbot, demo_config, demo_db, tasks):
    """A 村级用户's 明白卡 page offers only 柳河村 (chosen outright), lists only its households and prints only them."""
    _window, _wiring, page = cards_in_window(qtbot, demo_config, demo_db, tasks, liuhe_user(demo_db))
    combo = page.village_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["柳河村"] and not combo.isEnabled()
    assert page.group_combo.isEnabled() and page.all_village_button.isEnabled() and page.scope_note.isVisible()
    rows = page.household_model.rows
    assert len(rows) == households_in(demo_db, "柳河村") and {r.village for r in rows} == {"柳河村"}
    assert not page.set_village("青山村")
    request = page.current_request()
    assert request.village_ids == liuhe_user(demo_db).village_ids and len(request.household_ids) == len(rows)


def test_switching_to_an_admin_offers_every_village_again(qtbot, demo_config, demo_db, tasks):
    """After 切换用户 from a 村级用户 to an admin the page lists all 300 households and every village."""
    _window, wiring, page = cards_in_window(qtbot, demo_config, demo_db, tasks, liuhe_user(demo_db))
    from zwgk_desktop.core.users import Actor

    with qtbot.waitSignal(page.households_loaded, timeout=TIMEOUT):
        wiring.set_actor(Actor("admin", "admin", "管理员"))
    assert page.village_combo.itemText(0) == "全部村（社区）" and page.village_combo.count() == 10
    assert len(page.household_model.rows) == 300 and not page.scope_note.isVisible()
    assert page.current_request().village_ids is None


def test_printing_another_villages_household_is_refused(demo_config, demo_db, tmp_path):
    """The cards service refuses a 村级用户's batch holding another village's household, in Chinese, writing nothing."""
    import pytest

    from zwgk_desktop.errors import NotAllowed

    liuhe = liuhe_user(demo_db)
    scope = liuhe.village_ids
    with demo_db.session() as session:
        other = session.execute(select(Household.id).where(Household.village_id.not_in(scope)).limit(1)).scalar_one()
        own = session.execute(select(Household.id).where(Household.village_id.in_(scope)).limit(1)).scalar_one()
    request = CardRequest(HOUSEHOLD, "a4", YEAR, household_ids=(own, other), village_ids=scope)
    out = tmp_path / "cards.pdf"
    with pytest.raises(NotAllowed) as refused:
        print_cards(demo_db, liuhe, demo_config, request, str(out))
    assert "只能打印本村" in refused.value.message and not out.exists()
    everyone = CardRequest(HOUSEHOLD, "a6x4", YEAR, household_ids=None, only_with_policies=False)
    result = render_cards(demo_db, liuhe, demo_config, everyone, str(out))
    assert result.cards == households_in(demo_db, "柳河村")
