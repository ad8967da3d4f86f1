"""Measuring, wrapping and drawing text through the font fallback chain on a ReportLab canvas.

Owns: the width of a string when every code point is drawn in the font the
chain picks (`TextKit.width`), line wrapping with Chinese line-breaking
rules (`TextKit.wrap`: CJK breaks between characters, Latin words and
numbers stay whole when they can, closing punctuation never starts a line),
and drawing (`PageText`), where a character no bundled font has becomes a
visible boxed "?" instead of an empty box.

Speed (a 20,000-row poster shows ~150,000 strings): a roster repeats most of
its values, so widths, wrapped lines and each string's finished PDF operators
(`TextKit.prepared`: font subsets and encoded bytes, per document) are
computed once per distinct string; coordinates are formatted once per
distinct number; only the primary font is parsed up front, the fallback
fonts when a text first needs one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from zwgk_desktop.services.fonts import FontChain, register_reportlab_font

PLACEHOLDER_EM = 0.9  # width of the boxed "?" drawn for an undrawable character
NO_LINE_START = set("，。、；：？！）》」』】〕”’…%,.;:?!)]}·—～")
NO_LINE_END = set("（《「『【〔“‘([{")
_WORD = re.compile(r"[A-Za-z0-9_@#&+\-*/.,:%=']+|\s+|.", re.S)
CACHE_LIMIT = 300_000  # entries per cache: bounds memory on a pathological roster of all-distinct values


class Prepared(NamedTuple):
    """A string's finished text-showing operators at one size, for one document.

    `full` selects the first font subset then shows the text; `rest` is the same
    without that first selection (used when that subset is already selected).
    (Named tuples: thousands are made per document, several times faster than dataclasses.)"""

    em: float
    first: tuple[str, float]
    last: tuple[str, float]
    full: str
    rest: str


class Placement(NamedTuple):
    """A prepared text at a fixed x (already formatted): what a table column repeats row after row."""

    x_text: str
    prepared: Prepared


@dataclass
class TextKit:
    """Width, wrap and run splitting for one fallback chain (fonts registered with ReportLab on demand)."""

    chain: FontChain
    _widths: dict[str, float] = field(default_factory=dict, repr=False)
    _wraps: dict[tuple[str, float, float], list[str]] = field(default_factory=dict, repr=False)
    _numbers: dict[float, str] = field(default_factory=dict, repr=False)
    _encodings: dict[int, DocumentEncoding] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.primary = register_reportlab_font(self.chain.primary)
        self._faces = {face.name: face for face in self.chain.faces}
        self._registered = {self.primary}

    def ensure_font(self, font_name: str) -> str:
        """Register a fallback font with ReportLab the first time a text needs it."""
        if font_name not in self._registered:
            register_reportlab_font(self._faces[font_name])
            self._registered.add(font_name)
        return font_name

    def runs(self, text: str) -> list[tuple[str | None, str]]:
        return self.chain.split_runs(text)

    def em_width(self, text: str) -> float:
        """Width of `text` at 1 pt, in points (cached)."""
        width = self._widths.get(text)
        if width is None:
            width = 0.0
            runs = self.chain.split_runs(text) if not self.chain.covered_by_primary(text) else ((self.primary, text),)
            for font_name, run in runs:
                if font_name is None:
                    width += PLACEHOLDER_EM * len(run)
                else:
                    width += stringWidth(run, self.ensure_font(font_name), 1000) / 1000.0
            if len(self._widths) < CACHE_LIMIT:
                self._widths[text] = width
        return width

    def width(self, text: str, size: float) -> float:
        return self.em_width(text) * size

    def number(self, value: float) -> str:
        """`value` as ReportLab writes it in content streams (fp_str), cached: positions repeat."""
        text = self._numbers.get(value)
        if text is None:
            text = fp_str(value)
            if len(self._numbers) < CACHE_LIMIT:
                self._numbers[value] = text
        return text

    def encoding(self, doc) -> DocumentEncoding:
        """The text encoding state of one PDF document (shared by every `PageText` on it)."""
        encoding = self._encodings.get(id(doc))
        if encoding is None or encoding.doc is not doc:
            encoding = self._encodings[id(doc)] = DocumentEncoding(doc, self)
        return encoding

    def release(self, doc) -> None:
        """Forget the encoding state of a finished document. The state refers back to this kit,
        so without this the kit, its caches and the whole document are one reference cycle that
        only a (slow, full-walk) garbage collection frees; released, reference counting frees them."""
        encoding = self._encodings.pop(id(doc), None)
        if encoding is not None:
            encoding.prepared.clear()
            encoding.kit = encoding.doc = None

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
        key = (text, size, max_width)
        lines = self._wraps.get(key)
        if lines is None:
            lines = []
            for paragraph in text.split("\n"):
                lines.extend(self._wrap_paragraph(paragraph, size, max_width))
            if len(self._wraps) < CACHE_LIMIT:
                self._wraps[key] = lines
        return list(lines)

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


class DocumentEncoding:
    """How strings are written in one PDF document, computed once per distinct character/string.

    ReportLab gives each character of an embedded TrueType font a (subset, byte)
    code the first time the document uses it (`splitString`) and never changes
    it, and PDF string escaping works byte by byte, so a string's operators are
    the concatenation of its characters' escaped codes. Characters are sent to
    ReportLab one at a time in order of first use, which assigns exactly the
    codes a whole-string call would.
    """

    def __init__(self, doc, kit: TextKit):
        self.doc = doc
        self.kit = kit
        self.prepared: dict[tuple[str, float], Prepared | None] = {}
        self._codes: dict[str, dict[str, tuple[int, str]]] = {}  # font → character → (subset, escaped byte)
        self._names: dict[tuple[str, int], str] = {}  # (font, subset) → PDF font resource name

    def encoded(self, font_name: str, run: str) -> list[tuple[str, str]]:
        """(subset font name, "(...) Tj") pieces for a run drawn in one font."""
        codes = self._codes.get(font_name)
        if codes is None:
            codes = self._codes[font_name] = {}
        font = None
        pieces: list[tuple[str, str]] = []
        subset, chunk = -1, []
        for ch in run:
            code = codes.get(ch)
            if code is None:
                font = font or getFont(self.kit.ensure_font(font_name))
                ((code_subset, byte),) = font.splitString(ch, self.doc)
                code = codes[ch] = (code_subset, escapePDF(byte))
            if code[0] != subset:
                if chunk:
                    pieces.append((self._name(font_name, subset), f"({''.join(chunk)}) Tj"))
                subset, chunk = code[0], []
            chunk.append(code[1])
        if chunk:
            pieces.append((self._name(font_name, subset), f"({''.join(chunk)}) Tj"))
        return pieces

    def _name(self, font_name: str, subset: int) -> str:
        name = self._names.get((font_name, subset))
        if name is None:
            name = self._names[(font_name, subset)] = getFont(font_name).getSubsetInternalName(subset, self.doc)
        return name


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
        self.encoding = kit.encoding(self.doc)
        self._prepared = self.encoding.prepared

    def set_color(self, color) -> None:
        if color != self._color:
            self.text.setFillColor(color)
            self._color = color

    def show(self, x: float, y: float, text: str, size: float, align: str = "left", width: float = 0.0) -> None:
        """Draw `text` with its baseline at y; `align` is relative to [x, x + width]."""
        if not text:
            return
        prepared = self.prepared(text, size)
        if prepared is None:
            self._show_with_placeholders(x, y, text, size, align, width)
            return
        if align != "left":
            text_width = prepared.em * size
            x = x + width - text_width if align == "right" else x + (width - text_width) / 2
        number = self.kit.number
        code = self.text._code
        code.append(f"1 0 0 1 {number(x)} {number(y)} Tm")
        code.append(prepared.rest if self._font == prepared.first else prepared.full)
        self._font = prepared.last

    def prepared(self, text: str, size: float) -> Prepared | None:
        """The cached operators for `text` (None when it holds an undrawable character)."""
        key = (text, size)
        try:
            return self._prepared[key]
        except KeyError:
            prepared = self._prepare(text, size)
            if len(self._prepared) < CACHE_LIMIT:
                self._prepared[key] = prepared
            return prepared

    def placement(self, x: float, text: str, size: float, align: str = "left", width: float = 0.0) -> Placement | None:
        """`text` aligned in [x, x + width], ready for `show_placed` on any line of any page of
        this document (tables repeat values, so callers keep these per column); None when the
        text holds an undrawable character and must go through `show`."""
        prepared = self.prepared(text, size)
        if prepared is None:
            return None
        if align != "left":
            text_width = prepared.em * size
            x = x + width - text_width if align == "right" else x + (width - text_width) / 2
        return Placement(self.kit.number(x), prepared)

    def show_placed(self, placement: Placement, y_text: str) -> None:
        """Draw a `placement` with its baseline at the formatted y (`TextKit.number`)."""
        prepared = placement.prepared
        code = self.text._code
        code.append(f"1 0 0 1 {placement.x_text} {y_text} Tm")
        code.append(prepared.rest if self._font == prepared.first else prepared.full)
        self._font = prepared.last

    def _prepare(self, text: str, size: float) -> Prepared | None:
        """The operators for `text` at `size` (None if a character must become a boxed "?")."""
        kit = self.kit
        if kit.chain.covered_by_primary(text):
            runs = [(kit.primary, text)]
        else:
            runs = kit.runs(text)
            if any(font_name is None for font_name, _ in runs):
                return None
        pieces = [piece for font_name, run in runs for piece in self.encoding.encoded(font_name, run)]
        size_text = fp_str(size)
        first = current = (pieces[0][0], size)
        parts: list[str] = []
        for internal_name, shown in pieces:
            if (internal_name, size) != current:
                parts.append(f"{internal_name} {size_text} Tf")
                current = (internal_name, size)
            parts.append(shown)
        rest = " ".join(parts)
        full = f"{first[0]} {size_text} Tf {rest}"
        return Prepared(self.kit.em_width(text), first, current, full, rest)

    def _show_with_placeholders(self, x: float, y: float, text: str, size: float, align: str, width: float) -> None:
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
        for internal_name, shown in self.encoding.encoded(font_name, run):
            if (internal_name, size) != self._font:
                code.append(f"{internal_name} {fp_str(size)} Tf")
                self._font = (internal_name, size)
            code.append(shown)

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

