"""设置 → 村（社区）与公开栏 on a demo township: add, merge, retire villages and add boards from the tab."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.ui.conftest import make_window
from zwgk_desktop.core.models import Household, NoticeBoard, Village
from zwgk_desktop.ui.settings import install

TIMEOUT_MS = 20_000


@pytest.fixture
def tab(qtbot, demo_config, demo_db, tasks):
    window = make_window(qtbot, demo_config, demo_db, tasks)
    page = install(window, start=False)
    window.show_page("settings")
    with qtbot.waitSignal(page.villages_tab.loaded, timeout=TIMEOUT_MS):
        page.show_tab("villages")
    return page.villages_tab


def act(qtbot, tab, button) -> None:
    with qtbot.waitSignal(tab.changed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_tab_lists_villages_with_groups_and_boards(tab):
    """Every demo village is listed with its groups and household count; every board with its place."""
    names = [tab.tree.topLevelItem(i).text(0) for i in range(tab.tree.topLevelItemCount())]
    assert "石桥村" in names and "新河社区" in names
    shiqiao = tab.tree.topLevelItem(names.index("石桥村"))
    assert shiqiao.childCount() >= 1 and int(shiqiao.text(2)) > 0
    boards = [tab.boards.item(r, 0).text() for r in range(tab.boards.rowCount())]
    assert "石桥村村务公开栏" in boards


def test_adding_merging_and_retiring_villages_from_the_tab(qtbot, tab, demo_db):
    """添加村 creates the village and its board; 合并到 moves households; 撤销 marks the old one retired."""
    tab.ask_text = lambda *args, **kwargs: "红星村"
    act(qtbot, tab, tab.add_village_button)
    assert tab.layout_dto.village("红星村").active and tab.layout_dto.board("红星村村务公开栏") is not None
    with demo_db.session() as s:
        households = len(s.execute(select(Household.id).join(Village).where(Village.name == "李集村")).all())
    tab.select_village("李集村")
    tab.ask_choice = lambda title, label, options: "石桥村"
    act(qtbot, tab, tab.merge_button)
    merged = tab.layout_dto.village("李集村")
    assert not merged.active and merged.merged_into == "石桥村" and "已并入“石桥村”" in tab.message.text()
    with demo_db.session() as s:
        moved = s.execute(select(Household.id).join(Village).where(Village.name == "石桥村")).all()
        assert len(moved) >= households
    tab.select_village("红星村")
    act(qtbot, tab, tab.retire_button)
    assert not tab.layout_dto.village("红星村").active and tab.restore_button.isEnabled()


def test_merging_into_itself_is_refused_with_a_message(qtbot, tab):
    """Choosing the village itself as the target shows the refusal in Chinese; nothing changes."""
    tab.select_village("石桥村")
    tab.ask_choice = lambda title, label, options: "石桥村"
    with qtbot.waitSignal(tasks_failed(tab), timeout=TIMEOUT_MS):
        tab.merge_village()
    qtbot.waitUntil(lambda: tab.message.kind == "error", timeout=TIMEOUT_MS)
    assert "并入它自己" in tab.message.text() and tab.layout_dto.village("石桥村").active


def tasks_failed(tab):
    return tab.tasks.task_failed


def test_adding_a_board_with_location_and_gps(qtbot, tab, demo_db):
    """添加公开栏 stores the board under its village with its place and GPS; 撤下 takes it down."""
    tab.ask_board = lambda **current: {"name": "石桥村二组公开栏", "village": "石桥村", "location": "二组晒场",
                                       "lat": 31.25, "lon": 117.5}
    act(qtbot, tab, tab.add_board_button)
    with demo_db.session() as s:
        board = s.execute(select(NoticeBoard).where(NoticeBoard.name == "石桥村二组公开栏")).scalar_one()
        assert (board.location, board.lat, board.lon, board.active) == ("二组晒场", 31.25, 117.5, True)
        assert s.get(Village, board.village_id).name == "石桥村"
    tab.select_board("石桥村二组公开栏")
    act(qtbot, tab, tab.retire_board_button)
    assert not tab.layout_dto.board("石桥村二组公开栏").active
