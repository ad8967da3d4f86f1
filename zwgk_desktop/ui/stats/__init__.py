"""The statistics page (`StatsPage`) and its QPainter charts (`BarChart`, `LineChart`).

`install(window)` (called by `ui.app` for every module in `EXTENSION_MODULES`)
puts the page under the main window's 统计报表 entry; it computes its figures
the first time it is shown (off the UI thread), not at start-up. The main
window gives it the signed-in user's village scope (`set_village_scope`).
"""

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.stats.charts import BarChart, LineChart, Series
from zwgk_desktop.ui.stats.page import StatsPage

__all__ = ["BarChart", "LineChart", "Series", "StatsPage", "install"]


def install(window) -> StatsPage:
    """Replace the 统计报表 placeholder with the statistics page."""
    page = StatsPage(window.database, window.tasks, window, load_now=False)
    window.add_page("reports", tr("统计报表"), page)
    return page
