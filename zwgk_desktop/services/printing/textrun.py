"""Measuring, wrapping and drawing text through the font fallback chain on a ReportLab canvas.

Owns: the width of a string when every code point is drawn in the font the
chain picks (`TextKit.width`), line wrapping with Chinese line-breaking
rules (`TextKit.wrap`: CJK breaks between characters, Latin words and
numbers stay whole when they can, closing punctuation never starts a line),
and drawing (`PageText`), where a character no bundled font has becomes a
visible boxed "?" instead of an empty box. Widths are cached per string
because a 20,000-row roster repeats most of its values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from zwgk_desktop.services.fonts import FontChain, register_reportlab_fonts

PLACEHOLDER_EM = 0.9  # width of the boxed "?" drawn for an undrawable character
NO_LINE_START = set("，。、；：？！）》」』】〕”’…%,.;:?!)]}·—～")
NO_LINE_END = set("（《「『【〔“‘([{")
_WORD = re.compile(r"[A-Za-z0-9_@#&+\-*/.,:%=']+|\s+|.", re.S)


@dataclass
class TextKit:
    """Width, wrap and run splitting for one fallback chain (fonts registered with ReportLab)."""

    chain: FontChain
    _widths: dict[str, float] = field(default_factory=dict, repr=False)
    encoded_runs: dict[tuple, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        register_reportlab_fonts(self.chain.primary.path.parent)
        self.primary = self.chain.primary.name

    def runs(self, text: str) -> list[tuple[str | None, str]]:
        return self.chain.split_runs(text)

    def em_width(self, text: str) -> float:
        """Width of `text` at 1 pt, in points (cached)."""
        width = self._widths.get(text)
        if width is None:
            width = 0.0
            for font_name, run in self.chain.split_runs(text):
                if font_name is None:
                    width += PLACEHOLDER_EM * len(run)
                else:
                    width += stringWidth(run, font_name, 1000) / 1000.0
            if len(self._widths) < 500_000:
                self._widths[text] = width
        return width

    def width(self, text: str, size: float) -> float:
        return self.em_width(text) * size

    # --- wrapping ---------------------------------------------------------------

    def units(self, text: str) -> list[str]:
        """Unbreakable pieces: Latin words/numbers, spaces, single other characters, with
        closing punctuation glued to what precedes it and opening punctuation to what follows."""
        units: list[str] = []
        pending_open = ""
        for piece in _WORD.findall(text):
            if piece in NO_LINE_END:
                pending_open += piece
                continue
            if pending_open:
                piece, pending_open = pending_open + piece, ""
            if units and piece[0] in NO_LINE_START and not piece.isspace():
                units[-1] += piece
            else:
                units.append(piece)
        if pending_open:
            units.append(pending_open)
        return units

    def longest_unit(self, text: str, size: float) -> float:
        """Width of the widest unbreakable piece: below this a column must break inside words."""
        return max((self.width(u, size) for u in self.units(text) if not u.isspace()), default=0.0)

    def wrap(self, text: str, size: float, max_width: float) -> list[str]:
        """`text` as lines no wider than `max_width` (explicit newlines kept; never overflows)."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines.extend(self._wrap_paragraph(paragraph, size, max_width))
        return lines

    def _wrap_paragraph(self, text: str, size: float, max_width: float) -> list[str]:
        if self.width(text, size) <= max_width:
            return [text]
        lines: list[str] = []
        line, line_width = "", 0.0
        for unit in self.units(text):
            unit_width = self.width(unit, size)
            if line_width + unit_width <= max_width:
                line, line_width = line + unit, line_width + unit_width
                continue
            if unit.isspace():  # a break at a space: drop the space
                lines.append(line)
                line, line_width = "", 0.0
                continue
            if line:
                lines.append(line.rstrip())
                line, line_width = "", 0.0
            if unit_width <= max_width:
                line, line_width = unit, unit_width
                continue
            for ch in unit:  # a piece wider than the line: break by code point
                ch_width = self.width(ch, size)
                if line and line_width + ch_width > max_width:
                    lines.append(line)
                    line, line_width = "", 0.0
                line, line_width = line + ch, line_width + ch_width
        if line or not lines:
            lines.append(line)
        return lines


class PageText:
    """Collects one page's text into a single PDF text object (fast for thousands of cells).

    Text-showing operators are written directly (font subset, size, position,
    string), which is what ReportLab's `textOut` emits minus its per-call
    bookkeeping; colour, character spacing and render mode still go through
    the ReportLab text object. Call `show(...)` per string and `flush()` once
    per page. Undrawable characters become a boxed "?" and are recorded in `missing`.
    """

    def __init__(self, canvas, kit: TextKit):
        self.canvas = canvas
        self.kit = kit
        self.doc = canvas._doc
        self.text = canvas.beginText()
        self.boxes: list[tuple[float, float, float, float]] = []
        self.missing: dict[str, None] = {}
        self._font: tuple[str, float] | None = None  # (PDF subset name, size) last selected
        self._color = None

    def set_color(self, color) -> None:
        if color != self._color:
            self.text.setFillColor(color)
            self._color = color

    def show(self, x: float, y: float, text: str, size: float, align: str = "left", width: float = 0.0) -> None:
        """Draw `text` with its baseline at y; `align` is relative to [x, x + width]."""
        if not text:
            return
        if align != "left":
            text_width = self.kit.width(text, size)
            x = x + width - text_width if align == "right" else x + (width - text_width) / 2
        code = self.text._code
        code.append(f"1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
        for font_name, run in self.kit.runs(text):
            if font_name is None:
                x = self._placeholders(x, y, run, size)
                code.append(f"1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
                continue
            self._emit(font_name, run, size)
            x += self.kit.width(run, size)

    def _emit(self, font_name: str, run: str, size: float) -> None:
        code = self.text._code
        for internal_name, shown in self._encoded(font_name, run):
            if (internal_name, size) != self._font:
                code.append(f"{internal_name} {fp_str(size)} Tf")
                self._font = (internal_name, size)
            code.append(shown)

    def _encoded(self, font_name: str, run: str) -> list[tuple[str, str]]:
        """(subset font name, "(...) Tj") pieces for a run; cached per document, since the
        subset codes a string gets never change once assigned."""
        cache = self.kit.encoded_runs
        key = (id(self.doc), font_name, run)
        pieces = cache.get(key)
        if pieces is None:
            font = getFont(font_name)
            pieces = [
                (font.getSubsetInternalName(subset, self.doc), f"({escapePDF(encoded)}) Tj")
                for subset, encoded in font.splitString(run, self.doc)
            ]
            if len(cache) < 300_000:
                cache[key] = pieces
        return pieces

    def _placeholders(self, x: float, y: float, run: str, size: float) -> float:
        primary = self.kit.primary
        small = size * 0.7
        for ch in run:
            self.missing[ch] = None
            box = PLACEHOLDER_EM * size
            self.boxes.append((x + 0.05 * size, y - 0.12 * size, box - 0.1 * size, 0.95 * size))
            qx = x + (box - stringWidth("?", primary, small)) / 2
            self.text._code.append(f"1 0 0 1 {fp_str(qx)} {fp_str(y + 0.05 * size)} Tm")
            self._emit(primary, "?", small)
            x += box
        return x

    def flush(self) -> None:
        self.canvas.drawText(self.text)
        if self.boxes:
            self.canvas.saveState()
            self.canvas.setLineWidth(0.6)
            for x, y, w, h in self.boxes:
                self.canvas.rect(x, y, w, h, stroke=1, fill=0)
            self.canvas.restoreState()
        self.text = self.canvas.beginText()
        self.boxes = []
        self._font = None
        self._color = None


def font_size_fitting(kit: TextKit, text: str, size: float, max_width: float, min_size: float) -> float:
    """The largest size ≤ `size` (down to `min_size`) at which `text` fits on one line."""
    em = kit.em_width(text)
    if em * size <= max_width or em == 0:
        return size
    return max(min_size, max_width / em)

