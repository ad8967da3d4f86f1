"""The bundled font fallback chain and rare-character (生僻字) coverage; no Qt.

Owns: which font files the app ships and in what order they are tried
(`font_chain`), which code points each can draw (`coverage`, read from the
font's own cmap table and cached per file), the per-code-point choice of font
(`font_for_char`, `split_runs`), the list of characters no bundled font can
draw (`missing_glyphs`), and registering the chain with ReportLab
(`register_reportlab_fonts` / one face with `register_reportlab_font`, idempotent).

Private-use code points are always reported missing: their glyph depends on
the font vendor, so drawing one with our fonts would print a wrong character.
Text is handled by code point, so 𠮷 (U+20BB7) is one character.
"""

from __future__ import annotations

import struct
import threading
import unicodedata
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from zwgk_desktop.errors import ZwgkError

# (ReportLab font name, file name, sub-font index in a TTC, human family name)
BUNDLED_FONTS = (
    ("ZwgkWqyMicroHei", "wqy-microhei.ttc", 0, "文泉驿微米黑"),
    ("ZwgkHanaMinA", "HanaMinA.ttf", 0, "花园明朝 A"),
    ("ZwgkHanaMinB", "HanaMinB.ttf", 0, "花园明朝 B"),
)
PRIVATE_USE_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))


class FontsMissing(ZwgkError):
    code = "fonts_missing"


@dataclass(frozen=True)
class FontFace:
    """One font of the fallback chain: ReportLab name, file, sub-font index in a TTC."""

    name: str
    path: Path
    subfont_index: int = 0
    family: str = ""


def default_fonts_dir() -> Path:
    from zwgk_desktop.config import bundle_root

    return bundle_root() / "resources" / "fonts"


def _fonts_dir_of(source) -> Path:
    if source is None:
        return default_fonts_dir()
    fonts_dir = getattr(source, "fonts_dir", None)
    return Path(fonts_dir if fonts_dir is not None else source)


def font_chain(config_or_fonts_dir=None) -> list[FontFace]:
    """The bundled fonts present on disk, primary first; cheap (no font is opened)."""
    fonts_dir = _fonts_dir_of(config_or_fonts_dir)
    faces = [
        FontFace(name, fonts_dir / file_name, index, family)
        for name, file_name, index, family in BUNDLED_FONTS
        if (fonts_dir / file_name).is_file()
    ]
    if not faces:
        raise FontsMissing(
            f"在 {fonts_dir} 中找不到内置字体文件，无法打印。请重新安装本软件。",
            detail={"fonts_dir": str(fonts_dir)},
        )
    return faces


# --- cmap parsing -----------------------------------------------------------
# Only the header, table directory and cmap table are read (a few hundred KB
# even for the 30 MB HanaMinB), so coverage costs tens of milliseconds per
# file and needs no on-disk cache; it is kept in memory per (file, size, mtime).


def _read_cmap_table(path: Path, subfont_index: int) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(12)
        offset = 0
        if head[:4] == b"ttcf":
            count = struct.unpack_from(">I", head, 8)[0]
            if subfont_index >= count:
                raise ValueError(f"{path}: sub-font {subfont_index} not in a collection of {count}")
            fh.seek(12 + 4 * subfont_index)
            offset = struct.unpack(">I", fh.read(4))[0]
            fh.seek(offset)
            head = fh.read(12)
        num_tables = struct.unpack_from(">H", head, 4)[0]
        fh.seek(offset + 12)
        directory = fh.read(16 * num_tables)
        for i in range(num_tables):
            tag, _checksum, start, length = struct.unpack_from(">4sIII", directory, 16 * i)
            if tag == b"cmap":
                fh.seek(start)
                return fh.read(length)
    raise ValueError(f"{path}: no cmap table")


def _format12_codepoints(data: bytes, start: int) -> set[int]:
    n_groups = struct.unpack_from(">I", data, start + 12)[0]
    points: set[int] = set()
    for i in range(n_groups):
        first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * i)
        if glyph == 0:
            first += 1  # the first code of the group maps to .notdef
        points.update(range(first, last + 1))
    return points


def _format4_codepoints(data: bytes, start: int) -> set[int]:
    seg_x2 = struct.unpack_from(">H", data, start + 6)[0]
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, start + 14)
    starts = struct.unpack_from(f">{segs}H", data, start + 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}h", data, start + 16 + 2 * seg_x2)
    range_offsets_at = start + 16 + 3 * seg_x2
    range_offsets = struct.unpack_from(f">{segs}H", data, range_offsets_at)
    points: set[int] = set()
    for i in range(segs):
        for code in range(starts[i], ends[i] + 1):
            if code == 0xFFFF:
                continue
            if range_offsets[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                at = range_offsets_at + 2 * i + range_offsets[i] + 2 * (code - starts[i])
                glyph = struct.unpack_from(">H", data, at)[0]
                if glyph:
                    glyph = (glyph + deltas[i]) & 0xFFFF
            if glyph:
                points.add(code)
    return points


def read_cmap_codepoints(path: Path, subfont_index: int = 0) -> frozenset[int]:
    """Code points the font's Unicode cmap maps to a real glyph (format 12 preferred, else 4)."""
    data = _read_cmap_table(Path(path), subfont_index)
    n_sub = struct.unpack_from(">H", data, 2)[0]
    subtables = {}
    for i in range(n_sub):
        platform, encoding, offset = struct.unpack_from(">HHI", data, 4 + 8 * i)
        subtables[(platform, encoding, struct.unpack_from(">H", data, offset)[0])] = offset
    for key in ((3, 10, 12), (0, 4, 12), (0, 6, 12)):
        if key in subtables:
            return frozenset(_format12_codepoints(data, subtables[key]))
    for key in ((3, 1, 4), (0, 3, 4), (0, 1, 4), (0, 0, 4)):
        if key in subtables:
            return frozenset(_format4_codepoints(data, subtables[key]))
    raise ValueError(f"{path}: no Unicode cmap subtable")


_coverage_lock = threading.Lock()
_coverage_memory: dict[tuple, frozenset[int]] = {}


def coverage(face: FontFace) -> frozenset[int]:
    """Code points `face` can draw: read from its cmap once per process, keyed by size + mtime."""
    stat = face.path.stat()
    key = (str(face.path.resolve()), face.subfont_index, stat.st_size, stat.st_mtime_ns)
    with _coverage_lock:
        value = _coverage_memory.get(key)
        if value is None:
            value = _coverage_memory[key] = read_cmap_codepoints(face.path, face.subfont_index)
        return value


# --- choosing a font per code point -------------------------------------------


def is_private_use(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in PRIVATE_USE_RANGES)


def is_ignorable(ch: str) -> bool:
    """Whitespace and control/format characters: never reported as missing."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


class FontChain:
    """The fallback chain with its coverage loaded: per-code-point font choice."""

    def __init__(self, faces: Iterable[FontFace]):
        self.faces = list(faces)
        self.primary = self.faces[0]
        self._coverages = [(face, coverage(face)) for face in self.faces]
        self._primary_coverage = self._coverages[0][1]
        self._coverage_of = {face.name: points for face, points in self._coverages}

    def font_for_code(self, code: int) -> FontFace | None:
        if is_private_use(code):
            return None
        for face, points in self._coverages:
            if code in points:
                return face
        return None

    def covered_by_primary(self, text: str) -> bool:
        """Whether the primary font draws every character of `text` (then it is one run)."""
        return self._primary_coverage.issuperset(map(ord, text))

    def font_for_char(self, ch: str) -> FontFace | None:
        """The first font of the chain that draws `ch` (one code point), or None."""
        return self.font_for_code(ord(ch))

    def missing_glyphs(self, text: str) -> list[str]:
        """Characters of `text` no bundled font can draw, each once, in order of appearance."""
        if self._primary_coverage.issuperset(map(ord, text)):
            return []
        undrawable = {ch for ch in set(text) if not is_ignorable(ch) and self.font_for_char(ch) is None}
        if not undrawable:
            return []
        return list(dict.fromkeys(ch for ch in text if ch in undrawable))

    def split_runs(self, text: str) -> list[tuple[str | None, str]]:
        """`text` cut into (font name, substring) runs by code point; None marks undrawable characters.

        Whitespace stays in the current run; each undrawable character is a run of its own.
        """
        return list(self._split_runs_cached(text))

    @lru_cache(maxsize=200_000)
    def _split_runs_cached(self, text: str) -> tuple[tuple[str | None, str], ...]:
        primary_name = self.primary.name
        if self._primary_coverage.issuperset(map(ord, text)):
            return ((primary_name, text),) if text else ()
        runs: list[tuple[str | None, str]] = []
        current_name: str | None = primary_name
        current_points = self._primary_coverage
        current: list[str] = []
        for ch in text:
            if ch.isspace() and current_name is not None and ord(ch) in current_points:
                current.append(ch)
                continue
            face = self.font_for_char(ch)
            name = face.name if face else None
            if name != current_name or name is None:
                if current:
                    runs.append((current_name, "".join(current)))
                current_name, current = name, []
                current_points = self._coverage_of[name] if name else frozenset()
            current.append(ch)
        if current:
            runs.append((current_name, "".join(current)))
        return tuple(runs)


_chains: dict[Path, FontChain] = {}
_chains_lock = threading.Lock()


def get_chain(config_or_fonts_dir=None) -> FontChain:
    """The process-wide `FontChain` for a fonts directory (coverage loaded on first use)."""
    fonts_dir = _fonts_dir_of(config_or_fonts_dir).resolve()
    with _chains_lock:
        chain = _chains.get(fonts_dir)
        if chain is None:
            chain = _chains[fonts_dir] = FontChain(font_chain(fonts_dir))
        return chain


def font_for_char(ch: str, config_or_fonts_dir=None) -> FontFace | None:
    """The first bundled font that can draw `ch`, or None."""
    return get_chain(config_or_fonts_dir).font_for_char(ch)


def missing_glyphs(text: str, config_or_fonts_dir=None) -> list[str]:
    """Characters of `text` that no bundled font can draw (whitespace/control ignored)."""
    return get_chain(config_or_fonts_dir).missing_glyphs(text)


def split_runs(text: str, config_or_fonts_dir=None) -> list[tuple[str | None, str]]:
    """`text` as (font name, substring) runs, font chosen per code point; None = undrawable."""
    return get_chain(config_or_fonts_dir).split_runs(text)


# --- ReportLab ------------------------------------------------------------------

_register_lock = threading.Lock()


def _to_unicode_hex(code: int) -> str:
    """UTF-16BE hex for a ToUnicode CMap entry (a surrogate pair above the BMP)."""
    if code < 0x10000:
        return "%04X" % code
    code -= 0x10000
    return "%04X%04X" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))


def _make_to_unicode_cmap(fontname, subset):
    """ReportLab's ToUnicode CMap, but correct for code points above U+FFFF (𠮷 etc.)."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname,
        "/Ordering (%s)" % fontname,
        "/Supplement 0",
        ">> def",
        "/CMapName /%s def" % fontname,
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
        "%d beginbfchar" % len(subset),
    ]
    lines += ["<%02X> <%s>" % (i, _to_unicode_hex(v)) for i, v in enumerate(subset)]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def _patch_reportlab_to_unicode() -> None:
    # ReportLab writes "%04X" per code, so text copied/extracted from a PDF turns
    # U+20BB7 into U+20BB. Identical output for BMP characters.
    from reportlab.pdfbase import ttfonts

    if getattr(ttfonts.makeToUnicodeCMap, "_zwgk_patched", False):
        return
    _make_to_unicode_cmap._zwgk_patched = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = _make_to_unicode_cmap


# Parsing a CJK font's character tables in ReportLab's byte-by-byte Python loop costs
# ~0.2 s of CPU per font (three fonts, every print). `_quick_font` builds the very same
# ReportLab font object, reading those tables with whole-array unpacking; anything
# unusual (another cmap format, overlapping ranges) goes through ReportLab's own parser.
# tests/services/test_fonts.py checks both give identical objects for every bundled font.


def _quick_face_class():
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFace

    class QuickFace(TTFontFace):
        def extractInfo(self, charInfo=1):
            super().extractInfo(charInfo=0)  # names, head, OS/2, post, hhea, maxp
            if charInfo and not _read_char_info(self, TTFError):
                super().extractInfo(charInfo)

    return QuickFace


def _table(face, tag: str) -> int:
    return face.table[tag]["offset"]


def _cmap_subtable(face, data: bytes) -> int:
    """Offset of the cmap subtable ReportLab would choose (same precedence rules)."""
    cmap = _table(face, "cmap")
    version, count = struct.unpack_from(">HH", data, cmap)
    if count == 0 and version != 0:
        count = version
    chosen, enc = None, 0
    for n in range(count):
        platform, encoding, offset = struct.unpack_from(">HHL", data, cmap + 4 + 8 * n)
        if platform == 3:
            enc, chosen = 1, offset
        elif platform == 1 and encoding == 0 and enc != 1:
            enc, chosen = 2, offset
        elif platform == 1 and encoding == 1:
            enc, chosen = 1, offset
        elif platform == 0 and encoding != 5:
            enc, chosen = 1, offset
    return -1 if chosen is None else cmap + chosen


def _cmap_format12(data: bytes, at: int) -> list[tuple[int, int]] | None:
    count = struct.unpack_from(">L", data, at + 12)[0]
    groups = struct.unpack_from(f">{3 * count}L", data, at + 16)
    pairs: list[tuple[int, int]] = []
    for start, end, first_glyph in zip(groups[0::3], groups[1::3], groups[2::3]):
        pairs.extend(zip(range(start, end + 1), range(first_glyph, first_glyph + end - start + 1)))
    return pairs


def _cmap_format4(data: bytes, at: int) -> list[tuple[int, int]] | None:
    length = struct.unpack_from(">H", data, at + 2)[0]
    limit = at + length
    segs = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segs}H", data, at + 14)
    starts = struct.unpack_from(f">{segs}H", data, at + 16 + 2 * segs)
    deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 4 * segs)
    offsets_at = at + 16 + 6 * segs
    offsets = struct.unpack_from(f">{segs}H", data, offsets_at)
    pairs: list[tuple[int, int]] = []
    for n in range(segs):
        start, end, delta, range_offset = starts[n], ends[n], deltas[n], offsets[n]
        if start > end:
            continue
        if range_offset == 0:
            pairs.extend((code, (code + delta) & 0xFFFF) for code in range(start, end + 1))
            continue
        first = offsets_at + 2 * n + range_offset
        for code in range(start, end + 1):
            where = first + 2 * (code - start)
            glyph = 0 if where >= limit else struct.unpack_from(">H", data, where)[0]
            pairs.append((code, (glyph + delta) & 0xFFFF if glyph else 0))
    return pairs


def _read_char_info(face, error) -> bool:
    """Fill charToGlyph, glyphToChar, hmetrics, charWidths, defaultWidth and glyphPos exactly as
    ReportLab's `extractInfo` does; False (nothing set) when the font needs ReportLab's parser."""
    data = face._ttf_data
    index_to_loc, glyph_format = struct.unpack_from(">hh", data, _table(face, "head") + 50)
    if glyph_format != 0:
        raise error("Unknown glyph data format (%d)" % glyph_format)
    at = _cmap_subtable(face, data)
    if at < 0:
        return False
    fmt = struct.unpack_from(">H", data, at)[0]
    reader = {12: _cmap_format12, 4: _cmap_format4}.get(fmt)
    pairs = reader(data, at) if reader else None
    if pairs is None:
        return False
    char_to_glyph = dict(pairs)
    if len(char_to_glyph) != len(pairs):  # overlapping ranges: leave the bookkeeping to ReportLab
        return False
    glyph_to_char: dict[int, list[int]] = {}
    for code, glyph in pairs:
        glyph_to_char.setdefault(glyph, []).append(code)
    num_glyphs = face.numGlyphs
    n_metrics = struct.unpack_from(">H", data, _table(face, "hhea") + 34)[0]
    hmtx = _table(face, "hmtx")
    metrics = struct.unpack_from(f">{2 * n_metrics}H", data, hmtx)
    hmetrics = list(zip(metrics[0::2], metrics[1::2]))
    if face.unitsPerEm == 1000:
        widths = list(metrics[0::2])
    else:  # ReportLab's scale: x * (1000 / unitsPerEm)
        factor = 1000 / face.unitsPerEm
        widths = [advance * factor for advance in metrics[0::2]]
    if num_glyphs > n_metrics:
        last = widths[-1]  # ReportLab keeps the scaled last advance for the remaining glyphs
        rest = struct.unpack_from(f">{num_glyphs - n_metrics}H", data, hmtx + 4 * n_metrics)
        hmetrics.extend(zip([last] * len(rest), rest))
        widths.extend([last] * len(rest))
    count = len(widths)
    char_widths = {code: widths[glyph] for code, glyph in pairs if glyph < count}
    if "loca" not in face.table:
        raise error("missing location table")
    loca = _table(face, "loca")
    if index_to_loc == 0:
        glyph_pos = [offset << 1 for offset in struct.unpack_from(f">{num_glyphs + 1}H", data, loca)]
    elif index_to_loc == 1:
        glyph_pos = list(struct.unpack_from(f">{num_glyphs + 1}L", data, loca))
    else:
        raise error("Unknown location table format (%d)" % index_to_loc)
    if 0x20 in char_to_glyph:
        char_to_glyph[0xA0] = char_to_glyph[0x20]
        char_widths[0xA0] = char_widths[0x20]
    elif 0xA0 in char_to_glyph:
        char_to_glyph[0x20] = char_to_glyph[0xA0]
        char_widths[0x20] = char_widths[0xA0]
    face.charToGlyph, face.glyphToChar, face.hmetrics = char_to_glyph, glyph_to_char, hmetrics
    face.defaultWidth, face.charWidths, face.glyphPos = widths[0], char_widths, glyph_pos
    return True


def quick_ttfont(name: str, path: str, subfont_index: int = 0):
    """A ReportLab `TTFont` identical to `TTFont(name, path, subfontIndex=...)`, built faster."""
    from weakref import WeakKeyDictionary

    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFont

    global _QuickFace
    if _QuickFace is None:
        _QuickFace = _quick_face_class()
    font = TTFont.__new__(TTFont)
    # TTFont.__init__ with the quick face (checked attribute for attribute by the tests)
    font.fontName = name
    font.face = _QuickFace(path, validate=0, subfontIndex=subfont_index)
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)
    return font


_QuickFace = None


def register_reportlab_font(face: FontFace) -> str:
    """Register one font of the chain with ReportLab (idempotent); returns its name.

    Printing registers the fallback fonts only when a text first needs one
    (`textrun.TextKit`); the PDF is the same either way, since only fonts that
    are drawn with end up in it."""
    from reportlab.pdfbase import pdfmetrics

    with _register_lock:
        _patch_reportlab_to_unicode()
        if face.name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(quick_ttfont(face.name, str(face.path), face.subfont_index))
    return face.name


def register_reportlab_fonts(config_or_fonts_dir=None) -> list[str]:
    """Register every font of the chain with ReportLab (idempotent); returns their names."""
    return [register_reportlab_font(face) for face in font_chain(config_or_fonts_dir)]
