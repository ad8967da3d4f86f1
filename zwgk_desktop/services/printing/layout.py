"""Page geometry, type sizes and table column fitting for printed notices.

Owns: paper sizes (A4/A3, portrait/landscape) with margins and a type scale
(A3 is posted on the same board as A4 but read from further away, so
everything grows by √2), and `fit_column_widths`, the automatic table
layout: columns get their content width when it fits, otherwise the spare
width goes to the columns that need it most and long text wraps.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A3, A4, landscape as to_landscape
from reportlab.lib.units import mm

from zwgk_desktop.errors import InvalidInput

PAPERS = {"A4": A4, "A3": A3}


@dataclass(frozen=True)
class PageGeometry:
    """Page size, margins and the type sizes used on it (all in points)."""

    paper: str
    landscape: bool
    width: float
    height: float
    margin_x: float
    margin_top: float
    margin_bottom: float
    scale: float

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin_x

    @property
    def left(self) -> float:
        return self.margin_x

    @property
    def right(self) -> float:
        return self.width - self.margin_x

    @property
    def top(self) -> float:
        return self.height - self.margin_top

    def size(self, base_points: float) -> float:
        return round(base_points * self.scale, 2)


def page_geometry(paper: str = "A4", landscape: bool = False) -> PageGeometry:
    """Geometry for a paper name ("A4"/"A3", any case) and orientation."""
    key = (paper or "A4").upper()
    if key not in PAPERS:
        raise InvalidInput(f"不支持的纸张“{paper}”，请选择 A4 或 A3。", code="bad_paper")
    width, height = to_landscape(PAPERS[key]) if landscape else PAPERS[key]
    scale = 1.0 if key == "A4" else 2 ** 0.5
    return PageGeometry(
        paper=key,
        landscape=landscape,
        width=width,
        height=height,
        margin_x=15 * mm * scale,
        margin_top=14 * mm * scale,
        margin_bottom=20 * mm * scale,
        scale=scale,
    )


def fit_column_widths(desired: list[float], minimum: list[float], available: float) -> list[float]:
    """Column widths summing to `available`.

    desired: the width each column needs to show its widest cell on one line;
    minimum: the narrowest width before a column must break inside words.
    """
    minimum = [min(m, d) for m, d in zip(minimum, desired)]
    total_desired = sum(desired)
    if total_desired <= available:
        spare = available - total_desired
        return [d + spare * d / total_desired for d in desired]
    total_minimum = sum(minimum)
    if total_minimum > available:
        return [m * available / total_minimum for m in minimum]
    # Water-filling: columns that want little extra (names, short values) get all of it,
    # the long-text columns share what is left equally and wrap.
    wants = [d - m for d, m in zip(desired, minimum)]
    given = [0.0] * len(wants)
    spare = available - total_minimum
    pending = sorted(range(len(wants)), key=lambda i: wants[i])
    while pending:
        level = spare / len(pending)
        first = pending[0]
        if wants[first] <= level:
            given[first] = wants[first]
            spare -= wants[first]
            pending.pop(0)
            continue
        for i in pending:
            given[i] = level
        break
    return [m + g for m, g in zip(minimum, given)]
