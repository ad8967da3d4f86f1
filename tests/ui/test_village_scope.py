"""A 村级用户 sees only their own village on 公示管理's line items and 户籍台账; township staff see everything (pytest-qt)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from tests.conftest import DEMO_HOUSEHOLDS
from tests.ui.conftest import make_window
from zwgk_desktop.core.disclosures import count_items
from zwgk_desktop.core.models import Household, Village
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ui.lifecycle import install

WAIT = 15000
DISPLAY = Qt.ItemDataRole.DisplayRole
ADMIN = Actor("admin", "admin", "管理员")


def village_id(database, name: str) -> str:
    with database.session() as s:
        return s.execute(select(Village.id).where(Village.name == name)).scalar_one()


def households_in(database, name: str) -> int:
    with database.session() as s:
        return s.execute(
            select(func.count(Household.id)).join(Village, Household.village_id == Village.id).where(Village.name == name)
        ).scalar()


def liuhe_user(database) -> Actor:
    return Actor("liuhe", "village", "柳河村村干部", (village_id(database, "柳河村"),))


def open_window(qtbot, demo_config, demo_db, tasks, actor):
    window = make_window(qtbot, demo_config, demo_db, tasks)
    window.actor = actor
    wiring = install(window, actor)
    window.show()
    qtbot.waitUntil(lambda: window.disclosures_page.model.rowCount() > 0, timeout=WAIT)
    return window, wiring


def show_households(qtbot, window):
    page = window.households_page
    with qtbot.waitSignal(page.list_loaded, timeout=WAIT):
        window.show_page("households")
    return page


def shown_villages(model, column: int) -> set[str]:
    return {model.index(r, column).data(DISPLAY) for r in range(model.rowCount())}


def combo_texts(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def open_dibao(qtbot, page):
    row = next(r for r in range(page.model.rowCount())
               if page.model.row_at(r).category == "dibao" and page.model.row_at(r).status == "publishing")
    notice = page.model.row_at(row)
    if page.selected_id() == notice.id:
        return notice
    with qtbot.waitSignal(page.detail_loaded, timeout=WAIT):
        page.select_disclosure(notice.id)
    return notice


def test_a_village_user_sees_only_their_villages_households(qtbot, demo_config, demo_db, tasks):
    """户籍台账 for a 村级用户: only 柳河村's households, counted as such; the filter offers only 柳河村."""
    window, _wiring = open_window(qtbot, demo_config, demo_db, tasks, liuhe_user(demo_db))
    page = show_households(qtbot, window)
    expected = households_in(demo_db, "柳河村")
    assert page.model.total == expected and page.count_label.text() == f"共 {expected} 户"
    assert shown_villages(page.model, page.model.VILLAGE) == {"柳河村"}
    assert combo_texts(page.village_filter) == ["柳河村"] and not page.village_filter.isEnabled()
    assert page.scope_label.isVisible() and "柳河村" in page.scope_label.text()
    with qtbot.waitSignal(page.list_loaded, timeout=WAIT) as signal:
        page.search.setText("石桥村")
        page.search.returnPressed.emit()
    assert signal.args == [0]


def test_township_staff_still_see_every_household(qtbot, demo_config, demo_db, tasks):
    """An admin's 户籍台账 keeps every household and offers 全部 plus all nine villages."""
    window, _wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    page = show_households(qtbot, window)
    assert page.model.total == DEMO_HOUSEHOLDS and len(shown_villages(page.model, page.model.VILLAGE)) == 9
    assert combo_texts(page.village_filter)[0] == "全部村（社区）" and page.village_filter.count() == 10
    assert not page.scope_label.isVisible()


def test_a_village_user_sees_only_their_villages_line_items(qtbot, demo_config, demo_db, tasks):
    """公示管理's detail pane for a 村级用户 lists only 柳河村's lines and says 本村 n 条（全镇 N 条）."""
    window, _wiring = open_window(qtbot, demo_config, demo_db, tasks, liuhe_user(demo_db))
    page = window.disclosures_page
    notice = open_dibao(qtbot, page)
    detail = page.detail
    model = detail.items_model
    with demo_db.session() as s:
        whole = count_items(s, notice.id)
    assert 0 < model.total == notice.items < whole and model.rowCount() == model.total  # the list row counts 本村 too
    assert shown_villages(model, model.column_index("village")) == {"柳河村"}
    assert f"本村 <b>{model.total}</b> 条（全镇 {whole} 条）" in detail.meta.text()
    assert "本村金额" in detail.meta.text()
    assert detail.loaded_label.text().startswith(f"本村共 {model.total} 条") and "其他村的条目不显示" in detail.loaded_label.text()


def test_township_staff_see_every_line_item(qtbot, demo_config, demo_db, tasks):
    """An admin's detail pane lists every line of the notice with the plain counts."""
    window, _wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    page = window.disclosures_page
    notice = open_dibao(qtbot, page)
    model = page.detail.items_model
    assert model.total == notice.items and len(shown_villages(model, model.column_index("village"))) > 1
    assert f"条目：<b>{notice.items}</b> 条" in page.detail.meta.text() and "本村" not in page.detail.meta.text()
    assert page.detail.loaded_label.text().startswith(f"共 {notice.items} 条")


def test_switching_user_moves_the_scope_on_every_page(qtbot, demo_config, demo_db, tasks):
    """切换用户 from an admin to a 村级用户 and back re-scopes 户籍台账 and the line items at once."""
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, ADMIN)
    households = show_households(qtbot, window)
    disclosures = window.disclosures_page
    notice = open_dibao(qtbot, disclosures)
    with qtbot.waitSignal(households.list_loaded, timeout=WAIT):
        wiring.set_actor(liuhe_user(demo_db))
    assert households.model.total == households_in(demo_db, "柳河村")
    qtbot.waitUntil(lambda: disclosures.detail.village_part is not None, timeout=WAIT)
    assert disclosures.selected_id() == notice.id
    assert shown_villages(disclosures.detail.items_model, disclosures.detail.items_model.column_index("village")) == {"柳河村"}
    with qtbot.waitSignal(households.list_loaded, timeout=WAIT):
        wiring.set_actor(ADMIN)
    assert households.model.total == DEMO_HOUSEHOLDS and households.village_filter.count() == 10
    qtbot.waitUntil(lambda: disclosures.detail.items_model.total == notice.items, timeout=WAIT)


def test_status_bar_counts_only_what_a_village_user_can_see(qtbot, demo_config, demo_db, tasks):
    """The status bar's 户籍 count is the user's own villages' households, not the township's."""
    window, _wiring = open_window(qtbot, demo_config, demo_db, tasks, liuhe_user(demo_db))
    expected = households_in(demo_db, "柳河村")
    window.refresh_overview()
    qtbot.waitUntil(lambda: f"户籍 {expected} 户" in window.counts_label.text(), timeout=WAIT)
    assert f"公示 {window.disclosures_page.model.rowCount()} 条" in window.counts_label.text()


def test_the_photo_page_links_a_village_users_photos_to_their_boards_only(qtbot, demo_config, demo_db, tasks):
    """照片存档 installed for a 村级用户 asks for suggestions on their villages' boards; 切换用户 to admin lifts it."""
    from zwgk_desktop.ui import photos

    user = liuhe_user(demo_db)
    window, wiring = open_window(qtbot, demo_config, demo_db, tasks, user)
    photos.install(window)
    page = window.page("photos")  # built on first use
    assert page.suggestion_villages() == user.village_ids == page.link_editor.villages()
    wiring.set_actor(ADMIN)
    assert page.suggestion_villages() is None
