"""今日待办: photos missing, periods ending or ended, stale objections, pending reviews, cadence (core.dashboard)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.core.test_lifecycle import ADMIN, CLERK, REVIEWER, TODAY, make_notice, make_world, photograph, to_status
from zwgk_desktop.core import dashboard, lifecycle
from zwgk_desktop.core.dashboard import cadence_window, todo_items
from zwgk_desktop.core.disclosures import list_disclosures
from zwgk_desktop.core.models import Photo
from zwgk_desktop.core.objections import add_objection
from zwgk_desktop.core.postings import list_postings, post_notice, record_evidence_exception


@pytest.fixture
def world(database):
    return make_world(database)


def kinds(items):
    return [i.kind for i in items]


def _photo(s, posting_id, role):
    s.add(Photo(sha256=f"{posting_id[:20]}{role}".ljust(64, "0"), original_name="a.jpg", stored_path="x/a.jpg",
                size_bytes=1, width=2000, height=1500, posting_id=posting_id, role=role))


def test_posting_without_start_photo_is_listed_until_a_photo_is_linked(database, world):
    """A fresh posting needs a start photo; the item carries disclosure and posting ids; it goes away once linked."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        items = [i for i in todo_items(s, CLERK, today=TODAY) if i.kind == "photo_start"]
        posting_id = list_postings(s, nid)[0].id
    assert len(items) == 1 and items[0].disclosure_id == nid and items[0].posting_id == posting_id
    with database.session() as s:
        _photo(s, posting_id, "start")
    with database.session() as s:
        assert "photo_start" not in kinds(todo_items(s, CLERK, today=TODAY))


def test_period_ending_soon_then_awaiting_conclusion_with_end_photo(database, world):
    """Two days before the end the notice is 'ending soon'; after the end it awaits conclusion and needs an end photo."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")  # period ends 2026-03-09
    with database.session() as s:
        soon = todo_items(s, CLERK, today=date(2026, 3, 7))
        assert "ending_soon" in kinds(soon) and "awaiting_conclusion" not in kinds(soon)
        assert "ending_soon" not in kinds(todo_items(s, CLERK, today=date(2026, 3, 6)))
        after = todo_items(s, CLERK, today=date(2026, 3, 10))
    assert kinds(after)[0] == "awaiting_conclusion" and "photo_end" in kinds(after)
    assert after[0].disclosure_id == nid and after[0].urgent


def test_stale_objection_is_listed_after_n_days(database, world):
    """An objection open longer than the configured days shows up with its id; a recent one does not."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        oid = add_objection(s, CLERK, nid, received_on=TODAY, content="x", today=TODAY).id
    with database.session() as s:
        assert "objection_stale" not in kinds(todo_items(s, CLERK, today=date(2026, 3, 4), stale_days=3))
        stale = [i for i in todo_items(s, CLERK, today=date(2026, 3, 6), stale_days=3) if i.kind == "objection_stale"]
    assert stale and stale[0].objection_id == oid and "4 天" in stale[0].detail


def test_reviewers_see_pending_reviews_clerks_do_not(database, world):
    """Notices waiting for review appear for reviewers and admins only."""
    nid = make_notice(database, world)
    with database.session() as s:
        lifecycle.submit(s, CLERK, nid)
    with database.session() as s:
        assert [i.disclosure_id for i in todo_items(s, REVIEWER, today=TODAY) if i.kind == "review_pending"] == [nid]
        assert "review_pending" not in kinds(todo_items(s, CLERK, today=TODAY))


def test_quarterly_village_affairs_overdue_until_posted(database, world):
    """村务公开 (quarterly) is listed for villages whose board carried none this quarter; posting clears that village."""
    with database.session() as s:
        items = [i for i in todo_items(s, ADMIN, today=TODAY) if i.kind == "cadence_overdue" and i.category == "generic"]
    assert items and "青山村" in items[0].detail and items[0].due == "2026-03-31"
    nid = make_notice(database, world, category="generic", villages=("青山村",))
    to_status(database, world, nid, "approved")
    with database.session() as s:
        post_notice(s, CLERK, nid, [world.board_ids["青山村"]], TODAY, today=TODAY)
    with database.session() as s:
        items = [i for i in todo_items(s, ADMIN, today=TODAY) if i.kind == "cadence_overdue" and i.category == "generic"]
        village_items = todo_items(s, world.village_actor("青山村"), today=TODAY)
    assert "青山村" not in items[0].detail and "桃园村" in items[0].detail
    assert not [i for i in village_items if i.kind == "cadence_overdue" and i.category == "generic"]


def test_village_user_sees_only_own_board_postings(database, world):
    """A village user's to-do list holds photo items only for their own village's postings."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    with database.session() as s:
        post_notice(s, CLERK, nid, [world.board_ids["青山村"], world.board_ids["桃园村"]], TODAY, today=TODAY)
    with database.session() as s:
        mine = [i for i in todo_items(s, world.village_actor("青山村"), today=TODAY) if i.kind == "photo_start"]
        everyone = [i for i in todo_items(s, CLERK, today=TODAY) if i.kind == "photo_start"]
    assert len(mine) == 1 and "青山村" in mine[0].detail and "桃园村" not in mine[0].detail
    assert len(everyone) == 1 and "桃园村" in everyone[0].detail and everyone[0].village_id is None


def test_cadence_window_quarters_and_months():
    """Quarter and month windows end on the right day, including December."""
    assert cadence_window("quarterly", date(2026, 11, 5))[:2] == (date(2026, 10, 1), date(2026, 12, 31))
    assert cadence_window("monthly", date(2026, 2, 10))[:2] == (date(2026, 2, 1), date(2026, 2, 28))


def test_one_row_per_open_objection_and_no_second_row_for_the_notice(database, world):
    """After the period, a notice with two open objections gives exactly two objection rows and no 待办结 row;
    once they are resolved, the 待办结 row appears."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        first = add_objection(s, CLERK, nid, received_on=TODAY, content="a", today=TODAY).id
        second = add_objection(s, CLERK, nid, received_on=date(2026, 3, 8), content="b", today=date(2026, 3, 8)).id
    with database.session() as s:
        items = [i for i in todo_items(s, CLERK, today=date(2026, 3, 10), stale_days=5) if i.disclosure_id == nid]
    rows = [i for i in items if i.kind.startswith("objection") or i.kind == "awaiting_conclusion"]
    assert sorted((i.kind, i.objection_id) for i in rows) == sorted([("objection_stale", first), ("objection_open", second)])
    assert all(i.urgent and "办结此异议后才能办结公示" in i.detail for i in rows)
    with database.session() as s:
        for oid in (first, second):
            from zwgk_desktop.core.objections import resolve_objection

            resolve_objection(s, CLERK, oid, handling="核实", result="不成立", closed_on=date(2026, 3, 10),
                              today=date(2026, 3, 10))
    with database.session() as s:
        kinds_now = [i.kind for i in todo_items(s, CLERK, today=date(2026, 3, 10)) if i.disclosure_id == nid]
    assert "awaiting_conclusion" in kinds_now and not [k for k in kinds_now if k.startswith("objection")]


def test_end_photo_row_gives_the_same_period_as_the_list(database, world):
    """缺期满照 names the posting's stored period and its end day — the very text the notice list shows."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        row = next(r for r in list_disclosures(s) if r.id == nid)
        items = [i for i in todo_items(s, CLERK, today=date(2026, 3, 9)) if i.kind == "photo_end"]
    assert row.period_text == "2026-03-03 至 2026-03-09（7天）"
    assert items and items[0].due == "2026-03-09" and row.period_text in items[0].detail
    assert "2026-03-09 期满" in items[0].detail and "2026-03-10" not in items[0].detail
    with database.session() as s:
        assert not [i for i in todo_items(s, CLERK, today=date(2026, 3, 8)) if i.kind == "photo_end"]


def test_flagged_photos_keep_the_to_do_until_a_clear_photo_or_an_explanation(database, world):
    """A blurry start photo leaves 缺张贴照 with ⚠ and the reason; a reviewer's 情况说明 settles it."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    photograph(database, nid, roles=("start",), flags=("blurry",))
    with database.session() as s:
        item = next(i for i in todo_items(s, CLERK, today=TODAY) if i.kind == "photo_start")
    assert "⚠ 画面模糊" in item.detail and item.disclosure_id == nid
    with database.session() as s:
        record_evidence_exception(s, REVIEWER, nid, "张贴照原片丢失，已由包村干部书面确认张贴属实。")
    with database.session() as s:
        assert "photo_start" not in kinds(todo_items(s, CLERK, today=TODAY))


def test_another_area_adds_a_to_do_by_appending_a_producer(database, world, monkeypatch):
    """`todo_items` runs every producer in `PRODUCERS`; an appended one's rows are listed (unknown kinds last)."""
    extra = dashboard.TodoItem("wrong_version", "旧版本在栏", "公示", "第1版仍张贴在青山村村务公开栏，请撤换", urgent=True)
    monkeypatch.setattr(dashboard, "PRODUCERS", [*dashboard.PRODUCERS, lambda session, actor, ctx: [extra]])
    with database.session() as s:
        items = todo_items(s, CLERK, today=TODAY)
    assert items[-1] is extra
