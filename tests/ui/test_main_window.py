"""The main window on the demo township: lists, filters, search, detail pane, lazy items, households, keys, state."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel
from sqlalchemy import select

from zwgk_desktop.core.models import DisclosureItem, Household
from zwgk_desktop.ui.main_window import UI_STATE_FILE
from zwgk_desktop.ui.table_models import IdRole
from tests.conftest import DEMO_HOUSEHOLDS
from tests.ui.conftest import BIG_ITEMS, make_window

DISPLAY = Qt.ItemDataRole.DisplayRole


def listed_titles(page) -> list[str]:
    return [page.model.index(r, page.model.TITLE).data(DISPLAY) for r in range(page.model.rowCount())]


def test_window_lists_the_demo_townships_49_notices(window, qtbot):
    """The window opens on the 公示管理 page listing all 49 demo notices, titled with the township name."""
    page = window.disclosures_page
    assert window.current_page_key() == "disclosures"
    assert page.model.rowCount() == 49
    assert page.count_label.text() == "共 49 条"
    qtbot.waitUntil(lambda: window.windowTitle() == "青山镇 · 政务公开公示栏管理系统", timeout=5000)
    assert "户籍 300 户" in window.counts_label.text()
    assert window.sync_label.text().endswith("未连接县级平台")
    assert str(window.config.data_dir) in window.data_dir_label.text()


def test_navigation_has_every_section_in_chinese(window):
    """The left navigation offers the eight sections, placeholders included."""
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["今日待办", "公示管理", "户籍台账", "照片存档", "明白卡", "统计报表", "同步", "设置"]
    window.show_page("photos")
    texts = " ".join(label.text() for label in window.page("photos").findChildren(QLabel))
    assert "照片" in texts and "开发中" in texts


def test_status_filter_narrows_the_list(window, qtbot):
    """Choosing 公示中 lists only notices being published (7 in the demo: one per category)."""
    page = window.disclosures_page
    with qtbot.waitSignal(page.list_loaded, timeout=5000) as signal:
        page.status_filter.setCurrentIndex(page.status_filter.findData("publishing"))
    assert signal.args == [7]
    statuses = {page.model.row_at(r).status for r in range(page.model.rowCount())}
    assert statuses == {"publishing"}
    assert page.count_label.text() == "找到 7 条"


def test_category_and_status_filters_combine(window, qtbot):
    """低保 + 草稿 lists exactly the one demo draft 低保 notice."""
    page = window.disclosures_page
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        page.category_filter.setCurrentIndex(page.category_filter.findData("dibao"))
    with qtbot.waitSignal(page.list_loaded, timeout=5000) as signal:
        page.status_filter.setCurrentIndex(page.status_filter.findData("draft"))
    assert signal.args == [1]
    assert "最低生活保障" in listed_titles(page)[0]


def test_search_by_person_name_finds_their_notice(window, demo_db, qtbot):
    """Typing a person's name (after the debounce) lists the notices that name them."""
    with demo_db.session() as s:
        name, disclosure_id = s.execute(
            select(DisclosureItem.name, DisclosureItem.disclosure_id).where(DisclosureItem.household_id.is_not(None)).limit(1)
        ).one()
    page = window.disclosures_page
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        page.search.setText(name)  # as typed or pasted (QTest cannot type CJK)
    ids = [page.model.index(r, 0).data(IdRole) for r in range(page.model.rowCount())]
    assert disclosure_id in ids
    assert 0 < len(ids) < 49


def test_selecting_a_notice_shows_its_header_and_items(window, qtbot):
    """Selecting a notice fills the detail pane: title, status pill, totals, and its line items with masked IDs."""
    page = window.disclosures_page
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).category == "dibao" and page.model.row_at(r).status == "publishing")
    notice = page.model.row_at(row)
    with qtbot.waitSignal(page.detail_loaded, timeout=5000) as signal:
        page.view.selectRow(row)
    assert signal.args == [notice.id]
    detail = page.detail
    assert detail.title.text() == notice.title
    assert detail.status.text() == "公示中"
    assert f"{notice.items}" in detail.meta.text() and "公示期" in detail.meta.text()
    assert detail.boards.text().startswith("已张贴")
    assert detail.items_model.rowCount() == notice.items
    id_column = detail.items_model.column_index("id_number")
    shown = detail.items_model.index(0, id_column).data(DISPLAY)
    assert len(shown) == 18 and shown[6:14] == "********"
    assert "身份证号码已按统一规则隐去" in detail.loaded_label.text()


def test_big_notice_items_load_in_pages(qtbot, big_db, tasks):
    """A 50,000-line notice loads its first 500 lines; scrolling fetches more pages, never all at once."""
    config, database, notice_id = big_db
    win = make_window(qtbot, config, database, tasks)
    page = win.disclosures_page
    with qtbot.waitSignal(page.list_loaded, timeout=15000):
        win.show()
    with qtbot.waitSignal(page.detail_loaded, timeout=15000):
        assert page.select_disclosure(notice_id)
    model = page.detail.items_model
    assert model.total == BIG_ITEMS
    assert model.rowCount() == 500
    assert model.canFetchMore()
    assert "已载入 500 / 50,000 条" in page.detail.loaded_label.text()
    page.detail.items_view.scrollToBottom()
    QApplication.processEvents()
    qtbot.waitUntil(lambda: model.rowCount() > 500, timeout=5000)
    assert model.rowCount() <= 2000
    assert model.rowCount() % 500 == 0
    last = model.rowCount() - 1
    assert model.index(last, 0).data(DISPLAY) == str(last + 1)  # 序号 in order, no gaps


def test_households_page_searches_by_name_id_and_village(window, demo_db, qtbot):
    """户籍台账 lists every household; a name or the last digits of an ID number find the household."""
    with demo_db.session() as s:
        household = s.execute(select(Household).order_by(Household.head_name).limit(1)).scalar()
    page = window.households_page
    with qtbot.waitSignal(page.list_loaded, timeout=5000) as signal:
        window.show_page("households")
    assert signal.args == [DEMO_HOUSEHOLDS]
    assert page.count_label.text() == f"共 {DEMO_HOUSEHOLDS} 户"
    assert page.village_filter.count() == 10  # 全部 + nine villages/communities
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        qtbot.keyClicks(page.search, household.id_number[-6:])
    ids = [page.model.index(r, 0).data(IdRole) for r in range(page.model.rowCount())]
    assert household.id in ids
    shown = page.model.index(ids.index(household.id), page.model.ID_NUMBER).data(DISPLAY)
    assert shown != household.id_number and shown.endswith(household.id_number[-4:])


def test_ctrl_f_focuses_search_and_f5_reloads(window, qtbot):
    """Ctrl+F puts the cursor in the current page's search box; F5 reloads the list."""
    page = window.disclosures_page
    window.activateWindow()
    page.view.setFocus()
    qtbot.keySequence(window, QKeySequence(QKeySequence.StandardKey.Find))
    qtbot.waitUntil(lambda: page.search.hasFocus(), timeout=3000)
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_F5)


def test_add_page_replaces_a_placeholder_in_place(window, qtbot):
    """Another package's page replaces the 今日待办 placeholder under the same key and nav position."""
    dashboard = QLabel("仪表盘")
    window.add_page("today", "今日待办", dashboard)
    assert window.page("today") is dashboard
    assert window.page_keys()[0] == "today"
    assert window.nav.count() == 8
    window.show_page("today")
    assert window.stack.currentWidget() is dashboard


def test_geometry_and_splitter_are_remembered_in_the_data_dir(qtbot, demo_config, demo_db, tasks):
    """Window size, splitter position and last page are restored from ui-state.ini in the data dir."""
    first = make_window(qtbot, demo_config, demo_db, tasks)
    first.show()
    first.resize(1000, 700)
    first.disclosures_page.splitter.setSizes([500, 200])
    first.show_page("households")
    first.close()
    assert (demo_config.data_dir / UI_STATE_FILE).exists()
    assert QSettings(str(demo_config.data_dir / UI_STATE_FILE), QSettings.Format.IniFormat).value("window/page") == "households"
    second = make_window(qtbot, demo_config, demo_db, tasks)
    second.show()
    assert second.current_page_key() == "households"
    assert abs(second.height() - 700) <= 8  # the offscreen screen is 800 px wide, so only the height survives as set
    second.show_page("disclosures")
    qtbot.waitUntil(lambda: second.disclosures_page.splitter.sizes()[0] > 50, timeout=3000)
    list_height, detail_height = second.disclosures_page.splitter.sizes()
    assert list_height > detail_height  # the clerk's 500:200 split survived, not the default (list smaller)


def test_a_lasting_alert_stays_beside_passing_notices(window):
    """A damaged-database alert stays in the status bar when a passing notice (a backup reminder) follows it."""
    window.show_alert("⚠ 数据库完整性检查未通过，请从备份恢复。")
    window.statusBar().showMessage("⚠ 本机数据还没有备份过。", 60_000)
    assert window.alert_label.isVisibleTo(window) and "完整性检查未通过" in window.alert_text()
    assert window.statusBar().currentMessage() == "⚠ 本机数据还没有备份过。"
