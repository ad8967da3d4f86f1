"""Postings: boards, posted dates, computed ends, removal, village scope (core.postings)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.core.test_lifecycle import ADMIN, CLERK, REVIEWER, TODAY, make_notice, make_world, photograph, to_status
from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.calendar import CalendarIncomplete, build_calendar
from zwgk_desktop.core.models import AuditEvent, Disclosure, EvidenceException, OutboxEntry, Posting, StatusChange
from zwgk_desktop.core.postings import (
    EvidenceMissing,
    boards_for,
    evidence_exceptions,
    list_postings,
    notice_period,
    planned_period,
    post_notice,
    preview_posting,
    record_evidence_exception,
    record_planned_posting,
    record_removal,
)
from zwgk_desktop.errors import InvalidInput, NotAllowed


@pytest.fixture
def world(database):
    return make_world(database)


def test_posting_on_two_boards_sets_period_and_status(database, world):
    """Posting an approved notice on two boards records each date and end; the notice becomes 公示中 with earliest start/latest end."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    with database.session() as s:
        first = post_notice(s, CLERK, nid, [world.board_ids[None]], date(2026, 3, 2), today=TODAY)
    with database.session() as s:
        second = post_notice(s, CLERK, nid, [world.board_ids["青山村"]], date(2026, 3, 3), today=date(2026, 3, 3))
    assert first.status == "publishing" and first.period_end == "2026-03-09"
    assert second.period_start == "2026-03-02" and second.period_end == "2026-03-10"
    with database.session() as s:
        rows = list_postings(s, nid)
        d = s.get(Disclosure, nid)
        assert (d.period_start, d.period_end) == (date(2026, 3, 2), date(2026, 3, 10))
    assert [(r.board_name, r.planned_end) for r in rows] == [("青山镇政务公开栏", "2026-03-09"), ("青山村村务公开栏", "2026-03-10")]


def test_working_day_rule_skips_holidays(database, world):
    """A 临时救助 posting (5 working days) spanning 国庆 ends after the holiday, with the holiday named in the explanation."""
    nid = make_notice(database, world, category="linshi")
    to_status(database, world, nid, "approved")
    with database.session() as s:
        plan = preview_posting(s, nid, date(2026, 9, 30))
    assert plan.end > date(2026, 10, 7)
    assert "国庆" in plan.period.explanation


def test_posting_before_approval_is_refused(database, world):
    """A draft or pending notice cannot be posted; nothing is written."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "pending_review")
    with pytest.raises(NotAllowed, match="尚未审核通过"):
        with database.session() as s:
            post_notice(s, CLERK, nid, [world.board_ids[None]], TODAY, today=TODAY)
    with database.session() as s:
        assert s.execute(select(func.count(Posting.id))).scalar() == 0
        assert s.get(Disclosure, nid).status == "pending_review"


def test_removal_before_posting_date_is_refused(database, world):
    """A removal dated before the posting is an InvalidInput naming both dates; a valid removal is recorded."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        posting_id = list_postings(s, nid)[0].id
    with pytest.raises(InvalidInput, match="早于张贴日期"):
        with database.session() as s:
            record_removal(s, CLERK, posting_id, date(2026, 3, 1), today=date(2026, 3, 12))
    with database.session() as s:
        assert s.get(Posting, posting_id).removed_on is None
        row = record_removal(s, CLERK, posting_id, date(2026, 3, 10), today=date(2026, 3, 12))
    assert row.removed_on == "2026-03-10"


def test_future_posting_date_is_refused(database, world):
    """A posting dated after today is refused (record it once it is up)."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    with pytest.raises(InvalidInput, match="晚于今天"):
        with database.session() as s:
            post_notice(s, CLERK, nid, [world.board_ids[None]], date(2026, 3, 5), today=TODAY)


def test_village_user_acts_only_on_own_board(database, world):
    """A village user sees and posts on their own board only; another village's board is refused and nothing changes."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    qingshan = world.village_actor("青山村")
    with database.session() as s:
        assert [b.name for b in boards_for(s, qingshan)] == ["青山村村务公开栏"]
        assert len(boards_for(s, CLERK)) == 4
    for board in (world.board_ids["桃园村"], world.board_ids[None]):
        with pytest.raises(NotAllowed, match="只能登记本村公开栏"):
            with database.session() as s:
                post_notice(s, qingshan, nid, [board], TODAY, today=TODAY)
    with database.session() as s:
        assert s.execute(select(func.count(Posting.id))).scalar() == 0
        post_notice(s, qingshan, nid, [world.board_ids["青山村"]], TODAY, today=TODAY)
    with database.session() as s:
        post_notice(s, CLERK, nid, [world.board_ids["桃园村"]], TODAY, today=TODAY)
    with database.session() as s:
        assert [p.board_name for p in list_postings(s, nid, qingshan)] == ["青山村村务公开栏"]
        posting_taoyuan = [p for p in list_postings(s, nid) if p.board_name.startswith("桃园")][0]
    with pytest.raises(NotAllowed):
        with database.session() as s:
            record_removal(s, qingshan, posting_taoyuan.id, date(2026, 3, 10), today=date(2026, 3, 11))


def test_incomplete_calendar_needs_confirmation(database, world):
    """When the holiday data for the period's year is missing, posting is refused until confirmed, then carries the warning."""
    nid = make_notice(database, world, category="linshi")
    to_status(database, world, nid, "approved")
    bare = build_calendar(use_package=False, use_default_files=False)
    with pytest.raises(CalendarIncomplete, match="尚未录入"):
        with database.session() as s:
            post_notice(s, CLERK, nid, [world.board_ids[None]], TODAY, today=TODAY, calendar=bare)
    with database.session() as s:
        result = post_notice(s, CLERK, nid, [world.board_ids[None]], TODAY, today=TODAY, calendar=bare,
                             accept_incomplete_calendar=True)
    assert not result.calendar_complete and result.warnings


def test_same_board_twice_is_refused(database, world):
    """Registering the same notice on the same board again is an InvalidInput."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with pytest.raises(InvalidInput, match="无需重复"):
        with database.session() as s:
            post_notice(s, ADMIN, nid, [world.board_ids[None]], TODAY, today=TODAY)


# --- the stored period and the planned posting day ---------------------------------------------


def test_the_posting_period_is_stored_with_the_posting_and_the_version(database, world):
    """The period computed at posting (posted day, first counted day, end, days) is kept on the posting and the
    notice, and reading it back gives the same object."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    with database.session() as s:
        result = post_notice(s, CLERK, nid, [world.board_ids[None]], date(2026, 3, 2), today=TODAY)
    with database.session() as s:
        posting = s.execute(select(Posting).where(Posting.disclosure_id == nid)).scalar_one()
        d = s.get(Disclosure, nid)
        period = notice_period(s, d)
        row = list_postings(s, nid)[0]
    assert posting.period["first_day"] == d.period["first_day"] == "2026-03-03"
    assert (period.posted_on, period.first_day, period.end, period.counted_days) == (
        date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 9), 7)
    assert result.period["screen_text"] == row.period_text == "2026-03-03 至 2026-03-09（7天）"
    assert row.period["poster_line"] == "公示期：2026年3月3日至3月9日（7天）"


def test_postings_without_a_stored_period_get_it_back_computed_once_per_notice_and_day(database, world, monkeypatch):
    """Postings recorded before periods were stored (今日待办 reads every live one) get their recorded dates back:
    the boards of one notice posted the same day share one computation; another day is its own."""
    from zwgk_desktop.core import calendar as calendar_module
    from zwgk_desktop.core.postings import posting_periods

    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    with database.session() as s:
        post_notice(s, CLERK, nid, [world.board_ids[None], world.board_ids["青山村"]], date(2026, 3, 2), today=TODAY)
    with database.session() as s:
        post_notice(s, CLERK, nid, [world.board_ids["桃园村"]], date(2026, 3, 3), today=date(2026, 3, 3))
    computed = []
    period_end = calendar_module.WorkCalendar.period_end

    def counting(self, start, rule):
        computed.append(start)
        return period_end(self, start, rule)

    monkeypatch.setattr(calendar_module.WorkCalendar, "period_end", counting)
    with database.session() as s:
        postings = s.execute(select(Posting).where(Posting.disclosure_id == nid).order_by(Posting.posted_on)).scalars().all()
        stored = posting_periods(s, postings)
        for posting in postings:
            posting.period = None  # as recorded before periods were kept
        s.flush()
        recorded = posting_periods(s, postings)
        ids = [posting.id for posting in postings]
        s.rollback()
    assert sorted(computed) == [date(2026, 3, 2), date(2026, 3, 3)]
    assert [(recorded[i].posted_on, recorded[i].end) for i in ids] == [(stored[i].posted_on, stored[i].end) for i in ids]
    assert [recorded[i].end for i in ids] == [date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 10)]


def test_planned_posting_day_defaults_to_the_next_working_day_and_is_recorded(database, world):
    """Before posting the period is planned: the next working day (Friday → Monday) unless a day was chosen when
    printing; the chosen day is stored and every later read gives that period."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    friday = date(2026, 3, 6)
    with database.session() as s:
        d = s.get(Disclosure, nid)
        planned = planned_period(s, d, today=friday)
        assert (planned.posted_on, planned.first_day, planned.end, planned.planned) == (
            date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 16), True)
        chosen = record_planned_posting(s, CLERK, nid, date(2026, 3, 11), today=friday)
    with database.session() as s:
        d = s.get(Disclosure, nid)
        again = notice_period(s, d, today=date(2026, 3, 7))
        assert d.planned_posting_day == date(2026, 3, 11)
    assert again == chosen and (again.first_day, again.end) == (date(2026, 3, 12), date(2026, 3, 18))
    with pytest.raises(InvalidInput, match="早于今天"):
        with database.session() as s:
            record_planned_posting(s, CLERK, nid, date(2026, 3, 5), today=friday)


def test_posting_on_another_day_than_printed_warns_to_reprint(database, world):
    """A poster printed for a planned day but posted on another shows a warning naming both periods."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    with database.session() as s:
        record_planned_posting(s, CLERK, nid, date(2026, 3, 3), today=TODAY)
    with database.session() as s:
        same = preview_posting(s, nid, date(2026, 3, 3))
        other = preview_posting(s, nid, date(2026, 3, 4))
    assert same.warnings == []
    assert "重新打印" in other.warnings[0] and "2026-03-04 至 2026-03-10" in other.warnings[0]
    with database.session() as s:
        result = post_notice(s, CLERK, nid, [world.board_ids[None]], date(2026, 3, 4), today=date(2026, 3, 4))
    assert any("重新打印" in w for w in result.warnings)
    with database.session() as s:
        assert notice_period(s, s.get(Disclosure, nid)).posted_on == date(2026, 3, 4)


# --- evidence -----------------------------------------------------------------------------------


def expire(database, world, nid):
    """Posted on 3/2 (period 3/3–3/9), concluded on 3/10 with clear photos on every posting."""
    to_status(database, world, nid, "publishing")
    photograph(database, nid)
    with database.session() as s:
        lifecycle.conclude(s, ADMIN, nid, today=date(2026, 3, 10))


def test_archive_without_photos_is_refused_naming_boards_and_photos(database, world):
    """No start/end photo on a posting: 办结 and 归档 are refused with evidence_missing naming the board and the photos;
    nothing changes."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    with database.session() as s:
        post_notice(s, CLERK, nid, [world.board_ids[None], world.board_ids["青山村"]], TODAY, today=TODAY)
    photograph(database, nid, roles=("start",))
    with pytest.raises(EvidenceMissing) as refused:
        with database.session() as s:
            lifecycle.conclude(s, ADMIN, nid, today=date(2026, 3, 10))
    error = refused.value
    assert error.code == "evidence_missing"
    assert "青山镇政务公开栏缺期满照" in error.message and "青山村村务公开栏缺期满照" in error.message
    assert "情况说明" in error.message and "张贴照" not in error.message
    assert [g["role"] for g in error.detail["missing"]] == ["end", "end"]
    with database.session() as s:
        assert s.get(Disclosure, nid).status == "publishing"
        assert s.execute(select(func.count(StatusChange.id)).where(StatusChange.to_status == "expired")).scalar() == 0


def test_a_flagged_photo_is_not_evidence_and_shows_its_flag(database, world):
    """A blurry start photo or an untimed, dark end photo shows ⚠ with the reason, never ✔, and archiving stays
    refused until clear photos are linked."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    photograph(database, nid, roles=("start",), flags=("blurry",))
    photograph(database, nid, roles=("end",), flags=("no_exif_time", "too_dark"))
    with database.session() as s:
        row = list_postings(s, nid)[0]
    assert not row.has_start_photo and not row.has_end_photo
    assert row.start_photo["text"] == "⚠ 张贴照：画面模糊" and row.start_photo["state"] == "flagged"
    assert row.end_photo["text"] == "⚠ 期满照：无拍摄时间（EXIF）、光线过暗" and "✔" not in row.end_photo["text"]
    with pytest.raises(EvidenceMissing, match="张贴照不合格（画面模糊）"):
        with database.session() as s:
            lifecycle.conclude(s, ADMIN, nid, today=date(2026, 3, 10))
    photograph(database, nid, roles=("start", "end"))  # clear photos taken again
    with database.session() as s:
        row = list_postings(s, nid)[0]
        lifecycle.conclude(s, ADMIN, nid, today=date(2026, 3, 10))
    assert row.start_photo["text"] == "✔ 张贴照" and row.has_end_photo


def test_a_reviewers_explanation_lets_the_notice_be_archived(database, world):
    """A 情况说明 of at least 10 characters by a reviewer is stored, audited and synced, listed for the evidence sheet,
    and lets 办结/归档 through; a short one, or one from a clerk, is refused and nothing is stored."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with pytest.raises(InvalidInput, match="太短") as short:
        with database.session() as s:
            record_evidence_exception(s, REVIEWER, nid, "照片丢了")
    assert short.value.code == "explanation_too_short"
    with pytest.raises(NotAllowed, match="无权审核"):
        with database.session() as s:
            record_evidence_exception(s, CLERK, nid, "公开栏被大风损坏，期满照片无法补拍，已现场核实")
    text = "公开栏被大风损坏，期满照片无法补拍，已由村干部现场核实。"
    with database.session(user="rev1") as s:
        note = record_evidence_exception(s, REVIEWER, nid, text)
    with database.session() as s:
        assert [n.text for n in evidence_exceptions(s, nid)] == [text]
        assert s.execute(select(func.count(EvidenceException.id))).scalar() == 1
        audit = s.execute(select(AuditEvent).where(AuditEvent.entity == "evidence_exception")).scalar_one()
        assert audit.user == "rev1" and audit.summary["text"] == text
        assert s.execute(select(OutboxEntry).where(OutboxEntry.entity_id == note.id)).scalar_one().entity == "evidence_exception"
        row = list_postings(s, nid)[0]
        assert row.exception == text and row.start_photo["text"] == "✘ 缺张贴照（已登记情况说明）"
        lifecycle.conclude(s, ADMIN, nid, today=date(2026, 3, 10))
        lifecycle.archive(s, ADMIN, nid)
        assert s.get(Disclosure, nid).status == "archived"
