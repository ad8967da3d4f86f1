"""The 公示 poster PDF: readable, complete, deterministic, private data kept out, rare characters never silently lost."""

from __future__ import annotations

import hashlib
import re

import pytest

from zwgk_desktop.core.privacy import PrivacyLeak
from zwgk_desktop.services.fonts import get_chain
from zwgk_desktop.services.printing.layout import page_geometry
from zwgk_desktop.services.printing.poster import (
    KEEP_ROWS,
    EmptyNotice,
    PosterLayout,
    load_template,
    render_poster,
)
from zwgk_desktop.services.printing.textrun import TextKit

from .conftest import (
    COUNTY_PHONE,
    RARE_A,
    RARE_B,
    TOWNSHIP_PHONE,
    dibao_items,
    make_poster_data,
    page_size,
    pdffonts,
    pdfinfo,
    pdftotext,
)

HEADER_LABELS = ("序号", "户主/申请人", "保障人数", "月保障金额(元)")
PAPERS = [("A4", False), ("A4", True), ("A3", False), ("A3", True)]
ROW_START = re.compile(r"^\s*(\d+)\s+(?:东风村|红旗村|新华社区|石桥村|柳树湾村)", re.MULTILINE)


def page_text(pdf, page: int, *args: str) -> str:
    return pdftotext(pdf, "-f", str(page), "-l", str(page), *args)


def row_numbers(pdf, page: int) -> list[int]:
    """The 序号 of every table row printed on `page`."""
    return [int(n) for n in ROW_START.findall(page_text(pdf, page, "-layout"))]


def planned_pages(data, paper: str, landscape: bool):
    """The page plan alone (no PDF): each page as the list of its element kinds."""
    layout = PosterLayout(data, page_geometry(paper, landscape), TextKit(get_chain(None)), load_template())
    layout.measure()
    return [[placed.element.kind for placed in page.placed] for page in layout.paginate()]


def test_poster_text_holds_title_names_period_and_phones(tmp_path, roster):
    """The title, rare-character names (㛃, 𠮷), the 公示期, both 监督举报电话 and the page count are real text."""
    out = tmp_path / "poster.pdf"
    result = render_poster(make_poster_data(roster), out)
    text = pdftotext(out)
    flat = text.replace("\n", "")
    assert "青山镇2026年11月城乡低保拟保障对象公示" in flat
    assert "张" + RARE_A in text and "李" + RARE_B in text
    assert "公示期：2026年11月3日至11月9日（7天）" in flat  # core.periods' one wording: no nested brackets
    assert TOWNSHIP_PHONE in text and COUNTY_PHONE in text
    assert "青山镇人民政府" in text and "盖章" in text
    assert f"第1页共{result.pages}页" in flat.replace(" ", "")
    assert result.missing_glyphs == []


def test_fonts_are_embedded(tmp_path, roster):
    """Every font in the PDF is embedded (a county printer shows the same glyphs), including the Ext A/B fallbacks."""
    out = tmp_path / "poster.pdf"
    render_poster(make_poster_data(roster), out)
    rows = pdffonts(out)
    assert rows and all(row[-5] == "yes" for row in rows), rows
    names = " ".join(row[0] for row in rows)
    assert "WenQuanYi" in names and "HanaMin" in names


def test_no_id_or_account_numbers_reach_the_poster(tmp_path, roster):
    """Hidden columns (ID number, bank account, phone) are never drawn even if the row carries them."""
    for item in roster:
        item["id_number"] = "341122199001011234"
        item["bank_account"] = "6222021234567890123"
    out = tmp_path / "poster.pdf"
    render_poster(make_poster_data(roster), out)
    text = pdftotext(out)
    assert not re.search(r"\d{11,}", text.replace(",", ""))
    assert "身份证" not in text and "银行" not in text


def test_same_input_gives_byte_identical_pdf(tmp_path, roster):
    """Printing the same notice twice gives the same bytes, and the reported SHA-256 is the file's."""
    first = render_poster(make_poster_data(roster), tmp_path / "a.pdf")
    second = render_poster(make_poster_data(roster), tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert first.sha256 == second.sha256 == hashlib.sha256((tmp_path / "a.pdf").read_bytes()).hexdigest()


def test_changed_data_changes_the_footer_check_code(tmp_path, roster):
    """The footer's check code is a digest of the input: another amount gives another code."""
    data = make_poster_data(roster)
    changed = make_poster_data([{**roster[0], "amount": roster[0]["amount"] + 1}, *roster[1:]])
    assert data.short_hash != changed.short_hash
    render_poster(data, tmp_path / "p.pdf")
    assert data.short_hash in pdftotext(tmp_path / "p.pdf")


@pytest.mark.parametrize(
    "paper, landscape, size",
    [("A4", False, (595.276, 841.89)), ("A4", True, (841.89, 595.276)), ("A3", False, (841.89, 1190.551)), ("A3", True, (1190.551, 841.89))],
)
def test_paper_sizes(tmp_path, roster, paper, landscape, size):
    """A4/A3 in portrait and landscape produce pages of that size."""
    out = tmp_path / "poster.pdf"
    render_poster(make_poster_data(roster), out, paper=paper, landscape=landscape)
    width, height = page_size(out)
    assert width == pytest.approx(size[0], abs=0.5) and height == pytest.approx(size[1], abs=0.5)


def test_twenty_thousand_rows_repeat_the_header_on_every_page(tmp_path):
    """A 20,000-household roster paginates into hundreds of pages, each with the table header, ending in the totals row."""
    items = dibao_items(20_000, seed=3)
    data = make_poster_data(items)
    out = tmp_path / "big.pdf"
    result = render_poster(data, out)
    assert result.pages > 300 and int(pdfinfo(out)["Pages"]) == result.pages
    for page in (2, result.pages // 2, result.pages):
        text = pdftotext(out, "-f", str(page), "-l", str(page))
        assert all(label in text for label in HEADER_LABELS), page
        assert f"第{page}页共{result.pages}页" in re.sub(r"\s", "", text)
    last = pdftotext(out, "-f", str(result.pages), "-l", str(result.pages))
    assert "合计" in last and "共20,000户" in re.sub(r"\s", "", last)
    assert "盖章" in last and "公示期间" in last
    assert f"{data.total_amount_fen // 100:,}" in last


def test_long_remark_wraps_inside_the_page(tmp_path, roster):
    """A very long remark wraps inside its cell: no word is placed beyond the page's right margin."""
    roster[3]["remark"] = "家庭成员新增一人，按规定调整保障金额并从下月起执行，" * 6 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" * 3
    out = tmp_path / "poster.pdf"
    render_poster(make_poster_data(roster), out)
    bbox = pdftotext(out, "-bbox")
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right_edges and max(right_edges) <= page_width - 30
    assert "按规定调整保障金额" in pdftotext(out).replace("\n", "")


def test_table_notice_without_items_is_refused(tmp_path):
    """A 低保 notice with no line items is a Chinese error and writes no file."""
    out = tmp_path / "empty.pdf"
    with pytest.raises(EmptyNotice, match="没有任何名单明细"):
        render_poster(make_poster_data([]), out)
    assert not out.exists()


def test_generic_notice_prints_text_only(tmp_path):
    """A 其他公告 with only a body prints the title and the text, no table."""
    body = "经村民代表会议讨论决定，本村2026年第四季度财务收支情况如下。\n村集体收入主要来自土地流转费和光伏电站收益。"
    data = make_poster_data([], category="generic", title="红旗村2026年第四季度村务公开", body=body)
    out = tmp_path / "generic.pdf"
    result = render_poster(data, out)
    text = pdftotext(out).replace("\n", "")
    assert result.pages == 1
    assert "红旗村2026年第四季度村务公开" in text and "光伏电站收益" in text
    assert "序号" not in text


@pytest.mark.parametrize("status, mark", [("draft", "草稿"), ("pending_review", "样稿")])
def test_unapproved_notice_carries_a_watermark(tmp_path, roster, status, mark):
    """A notice not yet approved prints with a 草稿/样稿 watermark; an approved one without."""
    draft = tmp_path / "draft.pdf"
    render_poster(make_poster_data(roster, status=status), draft)
    assert mark in pdftotext(draft)
    approved = tmp_path / "approved.pdf"
    render_poster(make_poster_data(roster), approved)
    assert mark not in pdftotext(approved)


def test_private_data_in_a_cell_blocks_printing_with_its_location(tmp_path, roster):
    """An ID number typed into a remark stops printing; the message names the page and row, and no file is written."""
    roster[4]["remark"] = "身份证341122199001011234"
    out = tmp_path / "leak.pdf"
    with pytest.raises(PrivacyLeak) as caught:
        render_poster(make_poster_data(roster), out)
    assert "第1页" in caught.value.message and "第5行" in caught.value.message
    assert not out.exists()


def test_undrawable_character_is_reported_and_drawn_as_a_visible_box(tmp_path, roster):
    """A name with a character no font has still prints (a boxed "?") and is listed in missing_glyphs."""
    ext_g = "\U0003106c"
    roster[2]["name"] = "王" + ext_g
    out = tmp_path / "poster.pdf"
    result = render_poster(make_poster_data(roster), out)
    assert result.missing_glyphs == [ext_g]
    assert "王?" in pdftotext(out)


@pytest.mark.parametrize("paper, landscape", PAPERS)
@pytest.mark.parametrize("count", [3, 25, 40])
def test_closing_band_stands_with_the_last_rows(tmp_path, paper, landscape, count):
    """The last page holds table rows (header repeated), 合计, the closing text and the 盖章/QR band; no page holds only the band."""
    out = tmp_path / "poster.pdf"
    result = render_poster(make_poster_data(dibao_items(count)), out, paper=paper, landscape=landscape)
    last = page_text(out, result.pages)
    assert row_numbers(out, result.pages)[-min(KEEP_ROWS, count):] == list(range(count - min(KEEP_ROWS, count) + 1, count + 1))
    assert all(label in last for label in HEADER_LABELS) and "合计" in last
    assert "公示期间" in last and "监督举报电话" in last and "盖章" in last and "扫码核验真伪" in last
    assert "核验码 " in last
    for page in range(1, result.pages):
        assert "盖章" not in page_text(out, page) and row_numbers(out, page), page
    if count == 3:
        assert result.pages == 1


def test_band_that_does_not_fit_takes_the_last_three_rows_to_the_next_page(tmp_path):
    """25 rows fill an A4 page but leave no room for the band: rows 23–25, 合计, closing text and band move on together."""
    out = tmp_path / "poster.pdf"
    result = render_poster(make_poster_data(dibao_items(25)), out)
    assert result.pages == 2
    assert row_numbers(out, 1) == list(range(1, 23))
    assert row_numbers(out, 2) == [23, 24, 25]
    second = page_text(out, 2)
    assert "（续表）" in second and "合计" in second and "盖章" in second
    assert "第2页共2页" in re.sub(r"\s", "", second)


@pytest.mark.parametrize("paper, landscape", PAPERS)
def test_no_roster_length_leaves_the_band_without_rows(paper, landscape):
    """For every roster length from 1 to 100 the page with the band also holds the last rows and 合计."""
    for count in range(1, 101):
        pages = planned_pages(make_poster_data(dibao_items(count)), paper, landscape)
        band_pages = [kinds for kinds in pages if "closing" in kinds]
        assert len(band_pages) == 1 and band_pages[0] is pages[-1], count
        kinds = pages[-1]
        assert kinds.count("row") >= min(KEEP_ROWS, count) and "totals" in kinds and "header" in kinds, count


def test_text_notice_keeps_its_last_lines_with_the_band():
    """A long 其他公告 never ends with a page of only the closing text and band: the body's last lines come along."""
    sentence = "经村民代表会议讨论决定，本村集体收入主要来自土地流转费和光伏电站收益，支出用于道路维修。"
    for paragraphs in range(1, 60):
        body = "\n".join(sentence * 2 for _ in range(paragraphs))
        data = make_poster_data([], category="generic", title="红旗村2026年第四季度村务公开", body=body)
        layout = PosterLayout(data, page_geometry("A4", False), TextKit(get_chain(None)), load_template())
        layout.measure()
        pages = layout.paginate()
        body_lines = {id(element) for element in layout.elements[: layout.closing_start] if element.kind == "para"}
        last = [placed.element for placed in pages[-1].placed]
        assert last[-1].kind == "closing", paragraphs
        assert sum(id(element) in body_lines for element in last) >= 2, paragraphs


def project_items(count: int) -> list[dict]:
    """衔接资金项目 lines filling every public column (13 with 序号): too wide for a portrait A4 page."""
    return [{"name": f"第{i}号产业路硬化工程", "village": "石桥村", "content": "硬化道路1.2公里，宽4.5米，含排水沟",
             "fund_source": "中央财政衔接推进乡村振兴补助资金", "amount": 60_000_000 + i, "period": "2026年3月至10月",
             "goal": "方便300户群众出行", "implementer": "石桥村村民委员会（负责人：王建国）", "beneficiaries": "全村农户",
             "result": "已完工", "acceptance": "验收合格", "supervise_phone": TOWNSHIP_PHONE} for i in range(1, count + 1)]


def test_a_table_too_wide_for_portrait_turns_the_page(tmp_path, roster):
    """A notice whose columns cannot fit a portrait page without breaking names and amounts is laid out landscape
    (and says so); a 低保 list that fits stays portrait."""
    wide = tmp_path / "wide.pdf"
    result = render_poster(make_poster_data(project_items(3), category="fupin_project", title="2026年衔接资金项目公告"),
                           wide, paper="A4")
    width, height = page_size(wide)
    assert result.landscape and width > height
    assert "600,000.01" in "".join(pdftotext(wide).split())  # the amount in fen, on one line
    narrow = tmp_path / "narrow.pdf"
    assert not render_poster(make_poster_data(roster), narrow, paper="A4").landscape
    width, height = page_size(narrow)
    assert width < height
