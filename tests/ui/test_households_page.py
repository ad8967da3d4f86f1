"""户籍台账 page: loads through ops as the signed-in user and reloads when households change (pytest-qt)."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import DEMO_HOUSEHOLDS
from tests.ui.conftest import make_window
from zwgk_desktop.core.models import Household, Village

WAIT = 15000


def test_the_register_reloads_after_households_change(qtbot, demo_config, demo_db, tasks):
    """A household added by an import (announced as changed households) appears and is counted without F5."""
    window = make_window(qtbot, demo_config, demo_db, tasks)
    page = window.households_page
    with qtbot.waitSignal(page.list_loaded, timeout=WAIT):
        window.show_page("households")
    assert page.model.total == DEMO_HOUSEHOLDS
    with demo_db.session() as s:
        village = s.execute(select(Village).order_by(Village.sort_order).limit(1)).scalar_one()
        s.add(Household(village_id=village.id, head_name="欧阳新户", group_name="一组", member_count=3))
    with qtbot.waitSignal(page.list_loaded, timeout=WAIT) as reloaded:
        tasks.notify_changed("households")
    assert reloaded.args == [DEMO_HOUSEHOLDS + 1]
    assert page.count_label.text() == f"共 {DEMO_HOUSEHOLDS + 1} 户"
    with qtbot.waitSignal(page.list_loaded, timeout=WAIT):
        page.search.setText("欧阳新户")
        page.refresh()
    assert page.model.total == 1 and page.model.row_at(0).head_name == "欧阳新户"


def test_changes_that_do_not_touch_households_leave_the_list_alone(qtbot, demo_config, demo_db, tasks):
    """A settings or notice change does not reload the register (no flicker, no lost scroll position)."""
    window = make_window(qtbot, demo_config, demo_db, tasks)
    page = window.households_page
    with qtbot.waitSignal(page.list_loaded, timeout=WAIT):
        window.show_page("households")
    with qtbot.assertNotEmitted(page.list_loaded, wait=300):
        tasks.notify_changed("settings", "notices")
