"""Statistics the township reports: the figures (`statistics`) and the .xlsx workbook built from them (`workbook`).

Two modules, one direction: `statistics` reads the database into plain
`StatTable` DTOs (what the 统计报表 page charts); `workbook` writes those
DTOs to a formatted, formula-safe .xlsx and never touches the database.
The use cases (with the acting user's village scope) are in
`zwgk_desktop.ops.statistics`. The names below are re-exported for callers
that import from `services.reports`.
"""

from zwgk_desktop.core.township_settings import SETTING_SUBSIDY_STANDARDS, format_standard, subsidy_standard
from zwgk_desktop.services.reports.statistics import (
    DISCLOSED_STATUSES,
    AssistanceFigures,
    NoData,
    NoticeFacts,
    StatColumn,
    StatTable,
    YearStatistics,
    available_years,
    scope_names,
    year_statistics,
)
from zwgk_desktop.services.reports.workbook import scope_caption, write_workbook

__all__ = [
    "DISCLOSED_STATUSES", "SETTING_SUBSIDY_STANDARDS", "AssistanceFigures", "NoData", "NoticeFacts", "StatColumn",
    "StatTable", "YearStatistics", "available_years", "format_standard", "scope_caption", "scope_names",
    "subsidy_standard", "write_workbook", "year_statistics",
]
