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
