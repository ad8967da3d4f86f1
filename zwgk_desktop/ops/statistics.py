"""统计报表: the years with data, one year's figures, and the yearly workbook, as the acting user may see them.

A 村级用户 only ever gets their villages' figures: every op narrows the
requested scope with `Actor.narrowed_scope` (the screen may narrow further,
never widen). The figures are computed in one read session; the workbook is
written after the session closed (no database work while writing the file).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop.core.users import VIEW, Actor
from zwgk_desktop.ops.base import read_session, reads
from zwgk_desktop.services.reports.statistics import (
    YearStatistics,
    available_years,
    scope_names,
    year_statistics as compute_year_statistics,
)
from zwgk_desktop.services.reports.workbook import check_output_path, write_workbook


@dataclass(frozen=True)
class StatisticsYears:
    """The years a year selector offers (newest first) and the names of the villages in scope (empty: township)."""

    years: tuple[int, ...]
    village_names: tuple[str, ...]


@dataclass(frozen=True)
class StatisticsExport:
    """A written statistics workbook."""

    year: int
    path: str
    sheets: tuple[str, ...]

    def as_json(self) -> dict:
        return {"year": self.year, "path": self.path, "sheets": list(self.sheets)}


@reads
def statistics_years(db, actor: Actor, village_ids: Iterable[str] | None = None) -> StatisticsYears:
    """Years with at least one disclosed notice in scope, and whose figures they are."""
    actor.require(VIEW)
    scope = actor.narrowed_scope(village_ids)
    with read_session(db, actor) as session:
        return StatisticsYears(tuple(available_years(session, scope)), scope_names(session, scope))


@reads
def year_statistics(db, actor: Actor, year: int, village_ids: Iterable[str] | None = None, *,
                    job=None) -> YearStatistics:
    """Every statistics table of `year` in scope; `NoData` (Chinese) when nothing was disclosed that year."""
    actor.require(VIEW)
    scope = actor.narrowed_scope(village_ids)
    with read_session(db, actor) as session:
        return compute_year_statistics(session, year, job, village_ids=scope)


@reads
def export_statistics(db, actor: Actor, year: int, out_path: str | os.PathLike,
                      village_ids: Iterable[str] | None = None, *, job=None) -> StatisticsExport:
    """Compute `year`'s figures and write the workbook to `out_path` (temp file + rename; nothing on failure)."""
    target = check_output_path(Path(out_path))  # refuse a bad name before the figures are computed
    stats = year_statistics(db, actor, year, village_ids, job=job)
    if job is not None:
        job.check()
    sheets = write_workbook(stats, target)
    return StatisticsExport(stats.year, str(target), tuple(sheets))
