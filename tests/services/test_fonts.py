"""The bundled font chain covers rare name characters (Ext A/B), reports what it cannot draw, and splits text by code point."""

from __future__ import annotations

import pytest

from zwgk_desktop.services import fonts

EXT_A = "\u36c3"  # 㛃
EXT_B = "\U00020bb7"  # 𠮷
EXT_G = "\U0003106c"  # CJK Extension G: no bundled font has it
PRIVATE = "\ue000"  # private use: vendor-specific glyph, never trusted


def test_chain_lists_bundled_fonts_primary_first():
    """The chain is WenQuanYi Micro Hei (TTC sub-font 0), then HanaMin A, then HanaMin B, all on disk."""
    chain = fonts.font_chain()
    assert [f.path.name for f in chain] == ["wqy-microhei.ttc", "HanaMinA.ttf", "HanaMinB.ttf"]
    assert chain[0].subfont_index == 0
    assert all(f.path.is_file() for f in chain)


def test_missing_fonts_dir_is_a_chinese_error(tmp_path):
    """An install without its fonts fails with a Chinese message instead of printing empty boxes."""
    with pytest.raises(fonts.FontsMissing, match="字体"):
        fonts.font_chain(tmp_path)


def test_rare_name_characters_are_covered():
    """㛃 (Ext A) and 𠮷 (Ext B, outside the BMP) each have a bundled font; the primary font lacks them."""
    primary = fonts.font_chain()[0]
    for ch in (EXT_A, EXT_B):
        face = fonts.font_for_char(ch)
        assert face is not None and face.name != primary.name
        assert ord(ch) in fonts.coverage(face)
    assert fonts.font_for_char("张").name == primary.name


def test_missing_glyphs_reports_undrawable_characters_once():
    """Ext G and private-use characters are reported (once, in order); whitespace and controls are not."""
    text = f"张{EXT_A}{EXT_B} {EXT_G}\t{PRIVATE}\n{EXT_G}\u200b李"
    assert fonts.missing_glyphs(text) == [EXT_G, PRIVATE]
    assert fonts.missing_glyphs("王小明 2026年") == []


def test_split_runs_by_code_point():
    """𠮷 is one code point in one run; runs rebuild the text and undrawable characters get font None."""
    text = f"李{EXT_B}明 ab{EXT_G}"
    runs = fonts.split_runs(text)
    assert "".join(part for _, part in runs) == text
    assert (None, EXT_G) in runs
    rare = [name for name, part in runs if EXT_B in part]
    assert rare and rare[0] == fonts.font_for_char(EXT_B).name
    assert all(len(part) >= 1 for _, part in runs)


def test_cmap_coverage_matches_reportlab():
    """Our cmap reader agrees with ReportLab's parser on the primary font (same characters drawable)."""
    from reportlab.pdfbase.ttfonts import TTFont

    face = fonts.font_chain()[0]
    ours = fonts.coverage(face)
    theirs = {code for code, glyph in TTFont("cmapcheck", str(face.path), subfontIndex=0).face.charToGlyph.items() if glyph}
    assert ours == theirs


def test_register_reportlab_fonts_is_idempotent():
    """Registering twice keeps one registration per font name."""
    from reportlab.pdfbase import pdfmetrics

    first = fonts.register_reportlab_fonts()
    second = fonts.register_reportlab_fonts()
    assert first == second
    registered = pdfmetrics.getRegisteredFontNames()
    assert all(registered.count(name) == 1 for name in first)
