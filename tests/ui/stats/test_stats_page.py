"""The statistics page: year selector, key figures and charts from the report DTOs, export to .xlsx (pytest-qt)."""

from __future__ import annotations

from openpyxl import load_workbook

from zwgk_desktop.ui.stats import BarChart, LineChart, Series, StatsPage
from zwgk_desktop.ui.stats.charts import nice_ticks
from zwgk_desktop.ui.stats.page import fen_short


def test_page_shows_the_latest_year(qtbot, demo_db):
    """The page opens on the newest year with data and shows its totals and monthly chart."""
    page = StatsPage(demo_db)
    qtbot.addWidget(page)
    assert page.selected_year() == page.stats.year
    total = page.stats.table("by_category").total
    assert page.cards["notices"].value.text() == str(total[1])
    assert sum(page.month_chart.series[0].values) == total[1]
    assert page.village_chart.labels[0] == "青山村"


def test_export_writes_the_workbook(qtbot, demo_db, tmp_path):
    """The export button's action writes the workbook for the selected year and reports the path."""
    page = StatsPage(demo_db)
    qtbot.addWidget(page)
    out = tmp_path / "stats.xlsx"
    with qtbot.waitSignal(page.exported, timeout=10000):
        page.export_to(str(out))
    assert load_workbook(out).sheetnames[0] == "按类别"


def test_export_runs_in_the_background_with_task_manager(qtbot, demo_db, tmp_path):
    """With the app's TaskManager the statistics and the export run off the UI thread and still land."""
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ui.tasks import TaskManager

    tasks = TaskManager(database=demo_db, actor=Actor("admin", "admin", "管理员"))
    page = StatsPage(demo_db, tasks=tasks)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.stats is not None, timeout=10000)
    out = tmp_path / "bg.xlsx"
    with qtbot.waitSignal(page.exported, timeout=20000):
        page.export_to(str(out))
    assert out.exists()
    tasks.shutdown()


def test_charts_render_chinese_labels(qtbot, tmp_path):
    """Bar and line charts paint without error, with data and with nothing to show."""
    bar, line = BarChart("各月公示数"), LineChart("金额")
    for chart in (bar, line):
        qtbot.addWidget(chart)
        chart.resize(480, 300)
        chart.set_data(["1月", "2月", "3月"], [Series("公示数", (3, 0, 7)), Series("留证", (1, 0, 5))])
        image = chart.grab().toImage()
        assert image.width() == 480
        colours = {image.pixelColor(x, y).name() for x in range(0, 480, 6) for y in range(0, 300, 6)}
        assert "#1f6feb" in colours  # the first series was drawn
        chart.set_data(["1月"], [Series("公示数", (0,))])
        chart.grab()


def test_axis_helpers():
    """Axis ticks are whole round numbers covering the maximum; money reads in 万 from 10,000 yuan."""
    assert nice_ticks(14) == [0, 5, 10, 15]
    assert nice_ticks(2) == [0, 1, 2]
    assert fen_short(1_500_000_000) == "1,500万" and fen_short(123_456) == "1,235"


def test_the_page_recomputes_after_a_write_that_changes_the_figures(qtbot, demo_db):
    """A photo linked while the page is shown raises the 留证率 at once; a change while hidden shows when it reappears."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import Disclosure, Photo, Posting
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ui.tasks import TaskManager

    tasks = TaskManager(database=demo_db, actor=Actor("admin", "admin", "管理员"))
    page = StatsPage(demo_db, tasks=tasks)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.stats is not None, timeout=10000)
    year = page.stats.year

    def link_photos_to_bare_posting(sha_seed: str) -> None:
        with demo_db.session() as s:
            with_photo = select(Photo.posting_id).where(Photo.posting_id.is_not(None))
            replaced = select(Disclosure.replaces_id).where(Disclosure.replaces_id.is_not(None))
            posting = s.execute(select(Posting).join(Posting.disclosure).where(
                Posting.id.not_in(with_photo), Disclosure.year == year,
                Disclosure.status.in_(("publishing", "expired", "archived")), Disclosure.id.not_in(replaced),
            )).scalars().first()
            s.add(Photo(sha256=sha_seed * 64, original_name="p.jpg", stored_path=f"photos/{sha_seed}.jpg", size_bytes=1,
                        width=1600, height=1200, posting_id=posting.id, role="start"))

    before = page.stats.table("evidence").total[5]
    link_photos_to_bare_posting("c")
    with qtbot.waitSignal(page.loaded, timeout=10000):
        tasks.notify_changed("photos")
    assert page.stats.table("evidence").total[5] == before + 1
    page.hide()
    link_photos_to_bare_posting("d")
    with qtbot.assertNotEmitted(page.loaded, wait=300):
        tasks.notify_changed("photos")
        tasks.notify_changed("users")  # not counted: never a recompute
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.show()
    assert page.stats.table("evidence").total[5] == before + 2
    tasks.shutdown()
