"""The shortcuts that make posters and 明白卡 fast must not change what is printed or what is refused."""

from __future__ import annotations

import gc
from io import BytesIO

import pytest
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from zwgk_desktop.core.privacy import PrivacyLeak
from zwgk_desktop.services import fonts
from zwgk_desktop.services.printing.cards import (
    Block,
    CardContent,
    CardScanner,
    scan_card,
)
from zwgk_desktop.services.printing.pdfmeta import paused_gc
from zwgk_desktop.services.printing.textrun import PageText, TextKit

RARE_A = "\u36c3"  # 㛃
RARE_B = "\U00020bb7"  # 𠮷


@pytest.mark.parametrize("entry", fonts.BUNDLED_FONTS, ids=lambda e: e[1])
def test_quick_font_loader_builds_the_same_font_as_reportlab(entry):
    """The fast font loader yields exactly ReportLab's glyph maps, widths and metrics for every bundled font."""
    name, file_name, index, _family = entry
    path = str(fonts.default_fonts_dir() / file_name)
    slow, quick = TTFont(name, path, subfontIndex=index), fonts.quick_ttfont(name, path, index)
    assert set(vars(slow)) == set(vars(quick))
    for key in set(vars(slow)) - {"face", "state", "encoding"}:
        assert getattr(slow, key) == getattr(quick, key), key
    slow_face, quick_face = dict(vars(slow.face)), dict(vars(quick.face))
    for volatile in ("_pos", "_pdfScale"):  # read cursor; a lambda
        slow_face.pop(volatile), quick_face.pop(volatile)
    assert slow_face.keys() == quick_face.keys()
    for key, value in slow_face.items():
        assert value == quick_face[key], key
    assert list(slow.face.glyphToChar.items())[:50] == list(quick.face.glyphToChar.items())[:50]


def _reportlab_encoding(font_name: str, text: str, doc) -> list[tuple[str, str]]:
    font = getFont(font_name)
    return [(font.getSubsetInternalName(subset, doc), f"({escapePDF(chunk)}) Tj") for subset, chunk in font.splitString(text, doc)]


def test_per_character_encoding_matches_reportlab_whole_strings():
    """Strings encoded character by character get the same subset codes and escaping ReportLab gives whole strings."""
    kit = TextKit(fonts.get_chain())
    ours, theirs = rl_canvas.Canvas(BytesIO()), rl_canvas.Canvas(BytesIO())
    encoding = kit.encoding(ours._doc)
    # 300+ distinct characters cross a 256-code subset; brackets, backslash and nbsp need escaping/mapping.
    texts = ["第1页 (共2页) a\\b\u00a0c", "".join(chr(0x4E00 + i) for i in range(320)), "王小明（东风村3组）", "a\\b"]
    for text in texts:
        assert encoding.encoded(kit.primary, text) == _reportlab_encoding(kit.primary, text, theirs._doc)


def test_cached_show_writes_the_operators_of_run_by_run_drawing():
    """Drawing through the per-string cache writes byte for byte what drawing run by run writes."""
    kit = TextKit(fonts.get_chain())
    texts = [(f"张{RARE_A}丽 {RARE_B}", 12, "right", 100), ("耕地地力保护补贴", 10.5, "center", 80), ("第 3 页", 9, "left", 0)]
    code = []
    for draw in ("show", "_show_with_placeholders"):  # the latter is the reference run-by-run path
        pen = PageText(rl_canvas.Canvas(BytesIO()), kit)
        for _ in range(2):
            for y, (text, size, align, width) in enumerate(texts):
                getattr(pen, draw)(10, 20 * y, text, size, align, width)
        code.append(" ".join(pen.text._code))
    assert code[0] == code[1]


def _card(key: str, *texts: str, allowed: tuple[str, ...] = ()) -> CardContent:
    return CardContent(key=key, title="惠民政策资金明白卡", subtitle="青山镇", continued="（续）",
                       blocks=[Block("fields", texts)], allowed_numbers=allowed, scan_label=f"户{key}")


def test_card_scanner_names_the_first_leaking_card_like_a_card_by_card_scan():
    """Batched scanning stops at the same card with the same findings as scanning every card on its own."""
    scanner = CardScanner()
    cards = [_card(str(n), f"户主：王{n}", "家庭人口：3人") for n in range(50)]
    cards[31] = _card("31", "户主：王31", "电话：13812345678")
    with pytest.raises(PrivacyLeak) as caught:
        for card in cards:
            scanner.add(card)
        scanner.finish()
    assert [f.location for f in caught.value.findings] == ["户31"]
    assert caught.value.findings == scan_card(cards[31])


def test_card_scanner_excuses_a_number_only_on_its_own_card():
    """A helper's phone allowed on one card still stops a card where it is not allowed."""
    scanner = CardScanner()
    scanner.add(_card("1", "帮扶责任人：李四", "联系电话：13812345678", allowed=("13812345678",)))
    scanner.finish()
    scanner.add(_card("2", "户主：张三", "联系电话：13812345678"))
    with pytest.raises(PrivacyLeak) as caught:
        scanner.finish()
    assert caught.value.findings[0].location == "户2"


def test_paused_gc_restores_the_collector_after_nested_use():
    """The collector is off while PDFs are built (nested too) and on again afterwards."""
    assert gc.isenabled()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
