"""The statistics page (`StatsPage`) and its QPainter charts (`BarChart`, `LineChart`).

`install(window)` (called by `ui.app` for every module in `EXTENSION_MODULES`)
puts the page under the main window's 统计报表 entry; it computes its figures
the first time it is shown (off the UI thread), not at start-up. A 村级用户
(`window.actor`) gets the page scoped to their villages from the start: the
lifecycle wiring's scope pass runs before this page exists; after 切换用户 it
calls `StatsPage.set_village_scope` like on every other page.
"""

from PySide6.QtCore import QCoreApplication

from zwgk_desktop.ui.stats.charts import BarChart, LineChart, Series
from zwgk_desktop.ui.stats.page import StatsPage

__all__ = ["BarChart", "LineChart", "Series", "StatsPage", "install"]


def install(window) -> StatsPage:
    """Replace the 统计报表 placeholder with the statistics page, scoped to the signed-in user's villages."""
    page = StatsPage(window.database, window.tasks, window, load_now=False)
    actor = getattr(window, "actor", None)
    if actor is not None and actor.village_scope is not None:
        page.set_village_scope(actor.village_scope)
    window.add_page("reports", QCoreApplication.translate("Stats", "统计报表"), page)
    return page
