"""明白卡 PDFs: layouts and page counts, card text against the records, masking, rare characters, CLI."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from zwgk_desktop.core.disclosures import format_fen
from zwgk_desktop.core.household_policies import gather_policies, select_households
from zwgk_desktop.core.models import Household, PrintedVersion
from zwgk_desktop.core.service_items import save_service_item
from zwgk_desktop.core.users import SYSTEM_ACTOR
from zwgk_desktop.ops.cards import CardRequest, print_cards, render_cards
from tests.conftest import run_cli

YEAR = date.today().year


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdffonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def render_household_cards(db, config, selection, layout, out, year=None, *, everyone=True, record=False):
    """The ops' household cards for a village (name) or chosen ids; `everyone`: cards with nothing to say too."""
    village = selection if isinstance(selection, str) else None
    ids = None if village or selection is None else tuple(selection)
    request = CardRequest("household", layout, year or YEAR, household_ids=ids, village=village,
                          only_with_policies=not everyone)
    run = print_cards if record else render_cards
    return run(db, SYSTEM_ACTOR, config, request, out)


def render_service_cards(db, config, codes, layout, out):
    request = CardRequest("service", layout, YEAR, service_codes=None if codes is None else tuple(codes))
    return render_cards(db, SYSTEM_ACTOR, config, request, out)


def light_households(session, count: int) -> list[str]:
    """Ids of households with at most one policy this year: each card fits one slot on every layout."""
    rows = select_households(session)
    cards = gather_policies(session, rows, YEAR)
    return [c.household_id for c in cards if len(c.lines) <= 1][:count]


@pytest.mark.parametrize("layout, pages", [("a4", 9), ("a5x2", 5), ("a6x4", 3), ("trifold", 9)])
def test_nine_cards_fill_the_expected_number_of_sheets(demo_db, demo_config, tmp_path, layout, pages):
    """9 household cards print on 9 A4 sheets, 5 sheets two-up, 3 sheets four-up, 9 tri-folds."""
    with demo_db.session() as s:
        ids = light_households(s, 9)
        result = render_household_cards(demo_db, demo_config, ids, layout, tmp_path / "cards.pdf", YEAR)
    assert (result.cards, result.pages) == (9, pages)
    info = subprocess.run(["pdfinfo", str(tmp_path / "cards.pdf")], capture_output=True, text=True).stdout
    assert re.search(rf"Pages:\s+{pages}\b", info)


def test_card_text_matches_the_households_records(demo_db, demo_config, tmp_path):
    """A card shows the head, 村组, each policy's amount, the total and the 帮扶责任人 with phone."""
    with demo_db.session() as s:
        rows = select_households(s, "桃园村")
        cards = gather_policies(s, rows, YEAR)
        card = max(cards, key=lambda c: (len(c.lines), c.household_id))
        assert card.lines, "the demo should give some household policies this year"
        render_household_cards(demo_db, demo_config, [card.household_id], "a4", tmp_path / "one.pdf", YEAR)
    text = squeeze(pdftotext(tmp_path / "one.pdf"))
    assert card.head_name in text
    assert f"{card.village}{card.group}" in text
    for line in card.lines:
        assert format_fen(line.amount_fen) + "元" in text
        assert squeeze(line.item) in text
    assert f"合计：{format_fen(card.total_fen)}元" in text
    assert card.helper_name in text and card.helper_phone in text
    assert "户主签字" in text and "监督举报电话" in text


def test_cards_show_no_id_number_full_account_or_household_phone(demo_db, demo_config, tmp_path):
    """A village batch shows at most the last 4 digits of an account and never an ID number or a household's phone."""
    with demo_db.session() as s:
        rows = select_households(s, "石桥村")
        render_household_cards(demo_db, demo_config, "石桥村", "a6x4", tmp_path / "v.pdf", YEAR)
    text = squeeze(pdftotext(tmp_path / "v.pdf"))
    for household in rows:
        assert household.id_number not in text
        assert household.id_number[-8:] not in text
        assert household.bank_account not in text
        assert household.bank_account[-8:] not in text
        assert household.phone not in text
    last4 = rows[0].bank_account[-4:]
    assert f"****{last4}" in text


def test_rare_characters_in_names_print_with_embedded_fonts(demo_db, demo_config, tmp_path):
    """Names with 㛃 (Ext A) and 𠮷 (Ext B) come out in the text layer; the fonts are embedded."""
    with demo_db.session() as s:
        ids = s.execute(
            select(Household.id).where(Household.head_name.in_(("王㛃", "李𠮷祥")))
        ).scalars().all()
        assert len(ids) == 2
        result = render_household_cards(demo_db, demo_config, ids, "a6x4", tmp_path / "rare.pdf", YEAR)
    assert result.missing_glyphs == []
    text = pdftotext(tmp_path / "rare.pdf")
    assert "王㛃" in text and "李𠮷祥" in text
    fonts = pdffonts(tmp_path / "rare.pdf")
    embedded = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert embedded and all(" yes " in line for line in embedded)
    assert "HanaMin" in fonts  # the fallback font drawing the rare characters is embedded too


def test_same_data_gives_a_byte_identical_pdf(demo_db, demo_config, tmp_path):
    """Printing the same village twice gives the same bytes (and SHA-256)."""
    with demo_db.session() as s:
        first = render_household_cards(demo_db, demo_config, "柳河村", "a5x2", tmp_path / "a.pdf", YEAR)
        second = render_household_cards(demo_db, demo_config, "柳河村", "a5x2", tmp_path / "b.pdf", YEAR)
    assert first.sha256 == second.sha256
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_a_long_card_continues_on_the_next_slot(demo_db, demo_config, tmp_path):
    """On A6 a household with many policies continues on a second card marked （续）."""
    with demo_db.session() as s:
        cards = gather_policies(s, select_households(s), YEAR)
        heavy = max(cards, key=lambda c: (len(c.lines), c.household_id))
        assert len(heavy.lines) >= 4
        result = render_household_cards(demo_db, demo_config, [heavy.household_id], "a6x4", tmp_path / "h.pdf", YEAR)
    assert (result.cards, result.pages) == (1, 1)
    text = squeeze(pdftotext(tmp_path / "h.pdf"))
    assert f"（续）{heavy.head_name}" in text
    assert text.count("户主签字") == 1


def test_printing_cards_is_recorded_with_a_stored_copy(demo_db, demo_config, tmp_path):
    """Each printed batch leaves a PrintedVersion (kind cards) with the PDF's hash and a kept copy."""
    result = render_household_cards(demo_db, demo_config, "青山村", "a4", tmp_path / "q.pdf", YEAR, record=True)
    with demo_db.session() as s:
        record = s.execute(select(PrintedVersion).where(PrintedVersion.kind == "cards")).scalar_one()
    assert record.sha256 == result.sha256 and record.pages == result.pages and record.printed_by == "cli"
    assert (demo_config.archive_dir / record.stored_path).read_bytes() == (tmp_path / "q.pdf").read_bytes()


def test_service_cards_show_every_field_and_local_edits(demo_db, demo_config, tmp_path):
    """Service cards list 办理主体 … 监督渠道 for each item; a township's edit in 设置 is what prints."""
    with demo_db.session() as s:
        save_service_item(s, {"code": "dibao_apply", "name": "低保申请（青山镇版）", "subject": "青山镇民政办",
                              "procedure": ["递交申请", "入户调查", "张榜公示"], "time_limit": "20个工作日"})
    result = render_service_cards(demo_db, demo_config, None, "a4", tmp_path / "s.pdf")
    assert result.cards == 8 and result.pages >= 8
    text = squeeze(pdftotext(tmp_path / "s.pdf"))
    for label in ("办理主体", "办理依据", "办理条件", "办理程序", "办理时限", "收费依据及标准", "监督渠道"):
        assert label in text
    assert "低保申请（青山镇版）" in text and "1.递交申请" in text
    assert "残疾人两项补贴申请" in text and "生育登记服务" in text


@pytest.mark.parametrize("layout", ["a5x2", "a6x4", "trifold"])
def test_service_cards_render_on_every_layout(demo_db, demo_config, tmp_path, layout):
    """Every layout prints all service items, none lost to overflow."""
    with demo_db.session() as s:
        result = render_service_cards(demo_db, demo_config, None, layout, tmp_path / "s.pdf")
    text = squeeze(pdftotext(tmp_path / "s.pdf"))
    assert result.cards == 8
    assert text.count("为民服务事项明白卡") >= 8
    assert "城乡居民基本养老保险参保" in text


def test_cli_prints_cards_and_refuses_an_unknown_village(demo_config, tmp_path):
    """`print cards` reports cards and pages as JSON; a wrong village exits 1 naming the closest one."""
    out = tmp_path / "cli.pdf"
    code, payload, _ = run_cli("print", "cards", "--kind", "household", "--village", "桃园村", "--layout", "a6x4",
                               "-o", str(out), "--json", data_dir=demo_config.data_dir)
    assert code == 0 and out.exists()
    assert payload["cards"] > 0 and payload["pages"] >= -(-payload["cards"] // 4)
    assert len(payload["sha256"]) == 64 and payload["missing_glyphs"] == []
    code, payload, stderr = run_cli("print", "cards", "--kind", "household", "--village", "桃花村",
                                    "-o", str(tmp_path / "x.pdf"), "--json", data_dir=demo_config.data_dir)
    assert code == 1
    assert payload["error"]["code"] == "unknown_village" and "桃园村" in payload["error"]["message"]
    assert not (tmp_path / "x.pdf").exists()


def test_a_card_leaking_a_mobile_number_is_refused_and_nothing_written(demo_db, demo_config, tmp_path):
    """A household mobile typed into a printed field stops the batch with a Chinese message; no file is left."""
    from zwgk_desktop.core.privacy import PrivacyLeak

    with demo_db.session() as s:
        household = s.execute(select(Household).order_by(Household.id).limit(1)).scalar_one()
        household.group_name = f"三组 {household.phone}"
        household_id, head_name = household.id, household.head_name
    with pytest.raises(PrivacyLeak) as caught:
        render_household_cards(demo_db, demo_config, [household_id], "a4", tmp_path / "leak.pdf", YEAR)
    assert head_name in caught.value.message
    assert not (tmp_path / "leak.pdf").exists()


def test_cards_with_nothing_to_say_are_not_printed_by_default(demo_config, demo_db, tmp_path):
    """`print cards` leaves out households with no published policy this year unless --all-households is given;
    a 低保 line reads 月保障金 and names the township's own 民政办."""
    with demo_db.session() as s:
        cards = gather_policies(s, select_households(s, "青山村"), YEAR)
    with_lines = sum(1 for c in cards if c.lines)
    assert 0 < with_lines < len(cards)
    code, payload, _ = run_cli("print", "cards", "--kind", "household", "--village", "青山村", "-o",
                               str(tmp_path / "d.pdf"), "--json", data_dir=demo_config.data_dir)
    assert code == 0 and payload["cards"] == with_lines
    text = squeeze(pdftotext(tmp_path / "d.pdf"))
    assert "本年度暂无已公示的惠民政策资金" not in text
    if "最低生活保障" in text:
        assert "月保障金：" in text and "标准：2" not in text
    assert "青山镇民政办" in text and "乡镇民政办" not in text
    code, payload, _ = run_cli("print", "cards", "--kind", "household", "--village", "青山村", "--all-households",
                               "-o", str(tmp_path / "all.pdf"), "--json", data_dir=demo_config.data_dir)
    assert code == 0 and payload["cards"] == len(cards)
