"""A poster an inspector trusts: one 公示期 wording, planned dates before posting, 更正说明, a QR that verifies, honest columns."""

from __future__ import annotations

from datetime import date

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.lifecycle import correct
from zwgk_desktop.core.models import (
    AuditEvent,
    Disclosure,
    DisclosureItem,
    NoticeBoard,
    Objection,
    PrintedVersion,
    Setting,
    VerificationCode,
)
from zwgk_desktop.core.periods import NoticePeriod, poster_period_line
from zwgk_desktop.core.users import SYSTEM_ACTOR, Actor
from zwgk_desktop.ops.printing import PosterRequest, load_poster, print_poster
from zwgk_desktop.ops.verification import verify_code
from zwgk_desktop.services.fonts import get_chain
from zwgk_desktop.services.printing.poster import wrap_title
from zwgk_desktop.services.printing.textrun import TextKit

from .conftest import pdftotext

CLERK = Actor(username="clerk1", role="clerk", display_name="张文书")
MM_PER_INCH = 25.4


def _notice_id(db, category: str, status: str) -> str:
    with db.session() as s:
        return s.execute(select(Disclosure.id).where(Disclosure.category == category, Disclosure.status == status)
                         .limit(1)).scalar_one()


def flat(pdf) -> str:
    return pdftotext(pdf).replace("\n", "").replace(" ", "")


def qr_symbols(pdf, dpi: int = 200):
    """(text, side in mm) of each QR on the last page, read back from a rendered image as a phone would."""
    import zxingcpp

    document = pdfium.PdfDocument(str(pdf))
    try:
        image = document[len(document) - 1].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    found = []
    for barcode in zxingcpp.read_barcodes(image):
        p = barcode.position
        side_px = ((p.top_right.x - p.top_left.x) ** 2 + (p.top_right.y - p.top_left.y) ** 2) ** 0.5
        found.append((barcode.text, side_px / dpi * MM_PER_INCH))
    return found


def test_printed_before_posting_the_poster_carries_the_planned_days(demo_db, demo_config, tmp_path):
    """An approved, unposted 低保 notice prints the period of its planned posting day (chosen, or the next
    working day by default), days printed = dates printed, and the print records that day."""
    notice_id = _notice_id(demo_db, "dibao", "approved")
    out = tmp_path / "planned.pdf"
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, posting_day=date(2026, 12, 4)), out)
    text = flat(out)
    assert "公示期：2026年12月5日至12月11日（7天）" in text  # posted Friday 12/4, counted from the next day
    assert "____" not in text and "（7天（" not in text
    assert result.planned_posted_on == date(2026, 12, 4) and result.period.planned
    with demo_db.session() as s:
        record = s.get(PrintedVersion, result.printed_version_id)
        assert record.planned_posted_on == date(2026, 12, 4) and record.printed_by == "clerk1"
        assert NoticePeriod.from_json(record.period).end == date(2026, 12, 11)
    again = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id), tmp_path / "again.pdf",
                         today=date(2026, 12, 3))  # a reprint keeps the recorded planned day: the same dates
    assert again.planned_posted_on == date(2026, 12, 4) and again.period == result.period
    other = _notice_id(demo_db, "tekun", "approved")
    default = print_poster(demo_db, CLERK, demo_config, PosterRequest(other), tmp_path / "default.pdf",
                           today=date(2026, 12, 4))  # a Friday: the next working day is Monday 12/7
    assert default.planned_posted_on == date(2026, 12, 7)
    assert poster_period_line(default.period) == "公示期：2026年12月8日至12月14日（7天）"


def test_a_working_day_period_across_national_day_prints_its_counted_days(demo_db, demo_config, tmp_path):
    """临时救助 (5 working days) planned for 2026-09-30 skips 国庆 and counts the 调休 Saturday: the poster says so."""
    notice_id = _notice_id(demo_db, "linshi", "approved")
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, posting_day=date(2026, 9, 30)),
                          tmp_path / "national.pdf")
    period = result.period
    assert period.unit == "working" and period.counted_days == 5
    assert poster_period_line(period) in flat(tmp_path / "national.pdf")
    assert period.end > date(2026, 10, 7)  # the whole holiday is skipped


def test_a_posted_notice_prints_its_stored_posting_period(demo_db, demo_config, tmp_path):
    """Once posted, the poster prints the posting's own dates, whatever the day it is printed."""
    notice_id = _notice_id(demo_db, "dibao", "publishing")
    with demo_db.session() as s:
        notice = s.get(Disclosure, notice_id)
        posted_on, end = notice.period_start, notice.period_end
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, posting_day=date(2030, 1, 1)),
                          tmp_path / "posted.pdf")
    assert result.planned_posted_on is None and not result.period.planned
    assert (result.period.posted_on, result.period.end) == (posted_on, end)
    assert poster_period_line(result.period) in flat(tmp_path / "posted.pdf")


def test_a_correction_poster_says_what_changed_and_keeps_its_title_whole(demo_db, demo_config, tmp_path):
    """Re-公示 after 复查: "更正说明 … 删除1户、调整1户，现重新公示", the title ends "（更正）" unbroken."""
    notice_id = _notice_id(demo_db, "tekun", "publishing")
    with demo_db.session() as s:
        for objection in s.execute(select(Objection).where(Objection.disclosure_id == notice_id)).scalars():
            objection.status = "resolved"
    with demo_db.session(user="cli") as s:
        new = correct(s, SYSTEM_ACTOR, notice_id, "异议属实，经复查调整名单")
        new_id = new.id
        lines = s.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == new_id)
                          .order_by(DisclosureItem.seq)).scalars().all()
        s.delete(lines[0])
        lines[1].amount_fen = (lines[1].amount_fen or 0) + 10_000
        new.status = "approved"
        old_title = new.title
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(new_id, posting_day=date(2026, 12, 7)),
                          tmp_path / "correction.pdf")
    text = flat(tmp_path / "correction.pdf")
    assert "更正说明：本公示为第1版的更正版本。经复查，删除1人、调整1人，现重新公示。" in text
    assert f"{old_title}（更正）" in text
    assert result.period.counted_days == result.period.duration == 7  # a fresh full period for 特困
    title = "青山镇2026年12月城乡最低生活保障对象审核确认情况公示（更正）"
    kit = TextKit(get_chain(None))
    for width in range(200, 520, 7):  # wherever the line must break, never inside "（更正）"
        lines = wrap_title(kit, title, 22, width)
        assert "".join(lines) == title
        assert not any(line.endswith("（更") or line.endswith("（") for line in lines)


@pytest.mark.parametrize("paper, minimum_mm", [("A4", 35), ("A3", 50)])
def test_the_qr_is_large_decodes_to_its_code_and_the_code_verifies(demo_db, demo_config, tmp_path, paper, minimum_mm):
    """The QR is ≥ 3.5 cm on A4 and ≥ 5 cm on A3, reads back as ZWGK:<核验码> (not enrolled), the 核验码 is
    printed under it, and verify_code answers 真实有效 — then, after a correction, 已被第2版更正."""
    notice_id = _notice_id(demo_db, "weifang", "publishing")
    out = tmp_path / f"qr-{paper}.pdf"
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id), out, paper=paper)
    [code] = result.codes
    [(text, side_mm)] = qr_symbols(out)
    assert text == f"ZWGK:{code.code}" and side_mm >= minimum_mm
    assert f"核验码{code.as_json()['display']}" in flat(out)
    answer = verify_code(demo_db, CLERK, code.as_json()["display"].lower())
    assert answer.genuine and answer.state_label == "此公示为真实有效版本" and answer.version == 1
    assert answer.period_text == poster_period_line(result.period)
    with demo_db.session(user="cli") as s:
        for objection in s.execute(select(Objection).where(Objection.disclosure_id == notice_id)).scalars():
            objection.status = "resolved"
    with demo_db.session(user="cli") as s:
        correct(s, SYSTEM_ACTOR, notice_id, "更正笔误")
    later = verify_code(demo_db, CLERK, text)
    assert not later.genuine and "已被第2版更正" in later.state_label


def test_a_village_part_and_a_board_get_their_own_codes(demo_db, demo_config, tmp_path):
    """A village's part names that village's board; a print for one board names the board; both are recorded."""
    notice_id = _notice_id(demo_db, "dibao", "publishing")
    with demo_db.session() as s:
        village_id = s.execute(select(DisclosureItem.village_id).where(
            DisclosureItem.disclosure_id == notice_id, DisclosureItem.village_id.is_not(None)).limit(1)).scalar_one()
        village_board = s.execute(select(NoticeBoard.id).where(NoticeBoard.village_id == village_id)).scalar_one()
        township_board = s.execute(select(NoticeBoard.id).where(NoticeBoard.village_id.is_(None))).scalar_one()
    part = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, village_id=village_id), tmp_path / "v.pdf")
    board = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, board_id=township_board),
                         tmp_path / "b.pdf")
    assert part.codes[0].board_id == village_board and board.codes[0].board_id == township_board
    assert part.codes[0].code != board.codes[0].code
    with demo_db.session() as s:
        recorded = {row.code: row.board_id for row in s.execute(select(VerificationCode)).scalars()}
    assert recorded[part.codes[0].code] == village_board and recorded[board.codes[0].code] == township_board
    assert verify_code(demo_db, CLERK, board.codes[0].code).board_name


def test_empty_columns_are_left_out_and_dibao_shows_its_standard_and_family_size(demo_db, demo_config, tmp_path):
    """A column empty in every row (备注) is not printed; 低保 shows the 标准 in force and 家庭人口 where known;
    停保 lines are listed but not counted in 合计."""
    notice_id = _notice_id(demo_db, "dibao", "approved")
    with demo_db.session() as s:
        s.add(Setting(key="subsidy_standards", value={"dibao": {"农村": 56000, "城市": 68000}}))
        for n, item in enumerate(s.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == notice_id))
                                 .scalars()):
            item.extra = {**(item.extra or {}), "remark": "", "family_size": (item.people or 1) + n % 2}
    loaded = load_poster(demo_db, CLERK, PosterRequest(notice_id, posting_day=date(2026, 12, 7)))
    [data] = loaded.parts
    assert data.standard_text == "低保标准：农村 560.00元/人·月；城市 680.00元/人·月。"
    print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, posting_day=date(2026, 12, 7)),
                 tmp_path / "dibao.pdf")
    text = pdftotext(tmp_path / "dibao.pdf")
    assert "备注" not in text and "家庭人口" in text and "保障人数" in text
    assert "低保标准：农村 560.00元/人·月" in text.replace("\n", "")
    stopped = sum(1 for item in data.items if item.get("change_type") == "停保")
    assert data.total_households == len(data.items) - stopped


def test_tekun_poster_shows_how_people_are_supported(demo_db, demo_config, tmp_path):
    """特困 posters keep the 供养方式 column and say how many are 分散/集中供养."""
    notice_id = _notice_id(demo_db, "tekun", "approved")
    loaded = load_poster(demo_db, CLERK, PosterRequest(notice_id, posting_day=date(2026, 12, 7)))
    data = loaded.parts[0]
    assert "供养方式" in [c.label for c in get_entry("tekun").public_columns]
    assert "其中" in data.standard_text and "供养" in data.standard_text
    print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, posting_day=date(2026, 12, 7)),
                 tmp_path / "tekun.pdf")
    assert "供养方式" in pdftotext(tmp_path / "tekun.pdf")


def test_a_roster_heading_never_becomes_the_poster_title(demo_db, demo_config, tmp_path):
    """A notice titled after its roster ("…发放花名册") prints as "…公示"."""
    notice_id = _notice_id(demo_db, "dibao", "approved")
    with demo_db.session() as s:
        s.get(Disclosure, notice_id).title = "青山镇2026年12月农村低保发放花名册"
    print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id), tmp_path / "t.pdf")
    text = flat(tmp_path / "t.pdf")
    assert "青山镇2026年12月农村低保公示" in text and "花名册" not in text


def test_cli_takes_an_id_prefix_and_records_the_cli_user(demo_config, demo_db, tmp_path):
    """`print poster PREFIX` works like every notice command; printed_by and the audit user are "cli", never empty."""
    notice_id = _notice_id(demo_db, "fupin_fund", "publishing")
    out = tmp_path / "prefix.pdf"
    code, payload, stderr = run_cli("print", "poster", notice_id[:8], "-o", str(out), "--json",
                                    data_dir=demo_config.data_dir)
    assert code == 0, stderr
    assert payload["disclosure_id"] == notice_id and payload["verification_codes"][0]["display"]
    assert payload["period"]["text"] and payload["planned_posted_on"] is None
    with demo_db.session() as s:
        record = s.get(PrintedVersion, payload["printed_version_id"])
        assert record.printed_by == "cli"
        users = {e.user for e in s.execute(select(AuditEvent).where(AuditEvent.entity_id == record.id)).scalars()}
    assert users == {"cli"}
    code, payload, _ = run_cli("verify", payload["verification_codes"][0]["display"], "--json",
                               data_dir=demo_config.data_dir)
    assert code == 0 and payload["state"] == "current" and payload["township"] == "青山镇"


def test_a_village_user_prints_only_their_villages_part(demo_db, demo_config, tmp_path):
    """The ops refuse a 村级用户 the whole list (another village's households) and print their own part."""
    from zwgk_desktop.errors import NotAllowed

    notice_id = _notice_id(demo_db, "dibao", "publishing")
    with demo_db.session() as s:
        village_id = s.execute(select(DisclosureItem.village_id).where(
            DisclosureItem.disclosure_id == notice_id, DisclosureItem.village_id.is_not(None)).limit(1)).scalar_one()
    cun = Actor(username="cun", role="village", village_ids=(village_id,))
    with pytest.raises(NotAllowed) as refused:
        print_poster(demo_db, cun, demo_config, PosterRequest(notice_id), tmp_path / "all.pdf")
    assert "本村" in refused.value.message and not (tmp_path / "all.pdf").exists()
    own = print_poster(demo_db, cun, demo_config, PosterRequest(notice_id, village_id=village_id), tmp_path / "own.pdf")
    assert own.village and own.pages >= 1


def test_a_withdrawn_notice_prints_for_the_record_without_planning_a_posting(demo_db, demo_config, tmp_path):
    """A withdrawn notice's poster can still be printed (for the file), but printing it plans no posting."""
    notice_id = _notice_id(demo_db, "dibao", "withdrawn")
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id), tmp_path / "withdrawn.pdf")
    assert result.pages >= 1 and result.printed_version_id
    with demo_db.session() as s:
        notice = s.get(Disclosure, notice_id)
        assert notice.status == "withdrawn" and notice.planned_posting_day is None
