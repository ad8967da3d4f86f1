"""Postings: boards, posted dates, computed ends, removal, village scope (core.postings)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.core.test_lifecycle import ADMIN, CLERK, TODAY, make_notice, make_world, to_status
from zwgk_desktop.core.calendar import CalendarIncomplete, build_calendar
from zwgk_desktop.core.models import Disclosure, Posting
from zwgk_desktop.core.postings import boards_for, list_postings, post_notice, preview_posting, record_removal
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
