"""统计报表 for a 村级用户 counts only their villages; township staff keep the whole township (pytest-qt)."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import select

from tests.ui.conftest import make_window
from zwgk_desktop.core.models import Village
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ui import lifecycle, stats

WAIT = 15000
ADMIN = Actor("admin", "admin", "管理员")


def village_id(database, name: str) -> str:
    with database.session() as s:
        return s.execute(select(Village.id).where(Village.name == name)).scalar_one()


def liuhe_user(database) -> Actor:
    return Actor("liuhe", "village", "柳河村村干部", (village_id(database, "柳河村"),))


def open_stats(qtbot, demo_config, demo_db, tasks, actor):
    """The main window as `run_app` builds it (actor set, lifecycle then stats installed), on 统计报表."""
    window = make_window(qtbot, demo_config, demo_db, tasks)
    window.actor = actor
    wiring = lifecycle.install(window, actor)
    page = stats.install(window)
    window.show()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        window.show_page("reports")
    return page, wiring


def test_a_village_user_sees_only_their_villages_figures(qtbot, demo_config, demo_db, tasks, tmp_path):
    """A 村级用户's page says whose figures these are, charts one village and exports the village's workbook."""
    page, _wiring = open_stats(qtbot, demo_config, demo_db, tasks, liuhe_user(demo_db))
    assert page.scope_label.isVisible()
    assert page.scope_label.text() == "以下为您负责的村（社区）的统计：柳河村"
    assert page.village_chart.labels == ["柳河村"] and len(page.village_chart.series[0].values) == 1
    assert page.stats.villages == ("柳河村",)
    assert page.cards["notices"].value.text() == str(page.stats.notices)
    assert "柳河村" in page.message.text()
    out = tmp_path / "village.xlsx"
    with qtbot.waitSignal(page.exported, timeout=WAIT):
        page.export_to(str(out))
    sheet = load_workbook(out)["按类别"]
    assert "柳河村" in sheet["A1"].value and "仅统计柳河村" in sheet["A2"].value


def test_township_staff_see_the_whole_township(qtbot, demo_config, demo_db, tasks):
    """An admin's page has no scope line and charts every village."""
    page, _wiring = open_stats(qtbot, demo_config, demo_db, tasks, ADMIN)
    assert not page.scope_label.isVisible()
    assert len(page.village_chart.labels) == 9 and page.village_chart.labels[0] == "青山村"
    assert page.stats.villages == ()


def test_switching_user_recomputes_the_statistics(qtbot, demo_config, demo_db, tasks):
    """切换用户 to a 村级用户 and back re-scopes the loaded statistics at once."""
    page, wiring = open_stats(qtbot, demo_config, demo_db, tasks, ADMIN)
    township_notices = page.stats.notices
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        wiring.set_actor(liuhe_user(demo_db))
    assert page.village_chart.labels == ["柳河村"] and page.stats.notices < township_notices
    assert page.scope_label.isVisible() and "柳河村" in page.scope_label.text()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        wiring.set_actor(ADMIN)
    assert page.stats.notices == township_notices and len(page.village_chart.labels) == 9
    assert not page.scope_label.isVisible()
