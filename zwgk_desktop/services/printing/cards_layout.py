"""Sheet geometry for 明白卡: which paper, where each card sits on it, type sizes, cut and fold marks.

Owns the four layouts:
- `a4`: one card per A4 portrait sheet;
- `a5x2`: two A5 portrait cards side by side on an A4 landscape sheet (cut line in the middle);
- `a6x4`: four A6 cards on an A4 portrait sheet, with cut marks at the edges and centre;
- `trifold`: an A4 landscape 三折页, three 99 mm panels; each card starts on a new
  sheet and flows through the panels (fold marks at the thirds).
Type is large and plain for elderly readers: body 12 pt on A6, 16 pt on A4.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from zwgk_desktop.errors import InvalidInput

LAYOUT_KEYS = ("a4", "a5x2", "a6x4", "trifold")
LAYOUT_LABELS = {"a4": "A4 单张", "a5x2": "A5 一纸两张", "a6x4": "A6 一纸四张（带裁切线）", "trifold": "A4 横向三折页"}


@dataclass(frozen=True)
class Slot:
    """Where one card (or one panel of a tri-fold) sits on the sheet; origin bottom-left, points."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class TypeScale:
    """Type sizes (points) for one layout; `leading` is the line-height factor."""

    title: float
    subtitle: float
    heading: float
    body: float
    detail: float
    small: float
    leading: float = 1.38


@dataclass(frozen=True)
class CardLayout:
    key: str
    label: str
    sheet_width: float
    sheet_height: float
    slots: tuple[Slot, ...]
    padding: float
    type: TypeScale
    card_per_sheet: bool = False  # tri-fold: a card starts on a fresh sheet and flows through its panels
    marks: str = "none"  # none | cut | fold
    compact: bool = False  # small cards: fewer words, shorter labels

    @property
    def slots_per_sheet(self) -> int:
        return len(self.slots)

    @property
    def pagesize(self) -> tuple[float, float]:
        return (self.sheet_width, self.sheet_height)

    def content_width(self) -> float:
        return self.slots[0].width - 2 * self.padding

    def content_height(self) -> float:
        return self.slots[0].height - 2 * self.padding


def _grid(width: float, height: float, columns: int, rows: int) -> tuple[Slot, ...]:
    """Cells left to right, top to bottom."""
    cell_w, cell_h = width / columns, height / rows
    return tuple(
        Slot(c * cell_w, height - (r + 1) * cell_h, cell_w, cell_h) for r in range(rows) for c in range(columns)
    )


def card_layout(key: str) -> CardLayout:
    """The layout for `key` (a4 | a5x2 | a6x4 | trifold), or a Chinese error listing the choices."""
    key = (key or "").strip().lower()
    portrait_w, portrait_h = A4
    land_w, land_h = landscape(A4)
    if key == "a4":
        return CardLayout(
            key, LAYOUT_LABELS[key], portrait_w, portrait_h, _grid(portrait_w, portrait_h, 1, 1), 18 * mm,
            TypeScale(title=28, subtitle=15, heading=17, body=16, detail=15, small=12.5),
        )
    if key == "a5x2":
        return CardLayout(
            key, LAYOUT_LABELS[key], land_w, land_h, _grid(land_w, land_h, 2, 1), 11 * mm,
            TypeScale(title=21, subtitle=12.5, heading=14, body=13.5, detail=13, small=11),
            marks="cut",
        )
    if key == "a6x4":
        return CardLayout(
            key, LAYOUT_LABELS[key], portrait_w, portrait_h, _grid(portrait_w, portrait_h, 2, 2), 6.5 * mm,
            TypeScale(title=16, subtitle=11, heading=12.5, body=12, detail=12, small=10, leading=1.3),
            marks="cut", compact=True,
        )
    if key == "trifold":
        return CardLayout(
            key, LAYOUT_LABELS[key], land_w, land_h, _grid(land_w, land_h, 3, 1), 9 * mm,
            TypeScale(title=20, subtitle=12.5, heading=14, body=13, detail=12.5, small=11),
            card_per_sheet=True, marks="fold",
        )
    raise InvalidInput(
        f"不支持的明白卡版式“{key}”。可选：" + "、".join(f"{k}（{v}）" for k, v in LAYOUT_LABELS.items()) + "。",
        code="bad_layout",
        detail={"layout": key, "choices": list(LAYOUT_KEYS)},
    )


def draw_marks(canvas, layout: CardLayout) -> None:
    """Cut marks (short ticks at the sheet edges and a cross at inner corners) or fold marks."""
    if layout.marks == "none":
        return
    w, h = layout.sheet_width, layout.sheet_height
    xs = sorted({round(s.x, 3) for s in layout.slots if s.x > 0.5})
    ys = sorted({round(s.y, 3) for s in layout.slots if s.y > 0.5})
    tick_from, tick_to = 2 * mm, 7 * mm
    canvas.saveState()
    canvas.setStrokeGray(0.35)
    canvas.setLineWidth(0.5)
    path = canvas.beginPath()
    for x in xs:
        path.moveTo(x, tick_from)
        path.lineTo(x, tick_to)
        path.moveTo(x, h - tick_from)
        path.lineTo(x, h - tick_to)
    for y in ys:
        path.moveTo(tick_from, y)
        path.lineTo(tick_to, y)
        path.moveTo(w - tick_from, y)
        path.lineTo(w - tick_to, y)
    for x in xs:
        for y in ys:
            path.moveTo(x - 3 * mm, y)
            path.lineTo(x + 3 * mm, y)
            path.moveTo(x, y - 3 * mm)
            path.lineTo(x, y + 3 * mm)
    canvas.drawPath(path, stroke=1, fill=0)
    # a faint dashed guide along each cut or fold, between the ticks
    canvas.setStrokeGray(0.75)
    canvas.setLineWidth(0.3)
    canvas.setDash(2, 3)
    guide = canvas.beginPath()
    for x in xs:
        guide.moveTo(x, tick_to + 2 * mm)
        guide.lineTo(x, h - tick_to - 2 * mm)
    for y in ys:
        guide.moveTo(tick_to + 2 * mm, y)
        guide.lineTo(w - tick_to - 2 * mm, y)
    canvas.drawPath(guide, stroke=1, fill=0)
    canvas.restoreState()
