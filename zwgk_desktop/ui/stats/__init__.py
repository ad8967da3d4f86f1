"""The statistics page (`StatsPage`) and its QPainter charts (`BarChart`, `LineChart`)."""

from zwgk_desktop.ui.stats.charts import BarChart, LineChart, Series
from zwgk_desktop.ui.stats.page import StatsPage

__all__ = ["BarChart", "LineChart", "Series", "StatsPage"]
