"""Notice lifecycle: transitions with history, review, corrections, archived read-only (core.lifecycle).

Also holds `make_world`, the small township the other lifecycle tests share.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.disclosures import create_disclosure, refresh_totals
from zwgk_desktop.core.models import (
    AuditEvent, Disclosure, DisclosureItem, NoticeBoard, OutboxEntry, Photo, Posting, StatusChange, Village,
)
from zwgk_desktop.core.postings import post_notice
from zwgk_desktop.core.townships import init_township
from zwgk_desktop.core.users import SETTING_REVIEWER_NOT_AUTHOR, Actor, add_user, create_first_admin, set_setting
from zwgk_desktop.errors import InvalidInput, NotAllowed, NotFound

TODAY = date(2026, 3, 2)  # a Monday; 2026 holiday data is known
CLERK = Actor("clerk1", "clerk", "张经办")
REVIEWER = Actor("rev1", "reviewer", "李审核")
ADMIN = Actor("admin", "admin", "管理员")
VIEWER = Actor("look", "viewer", "查阅员")


@dataclass
class World:
    township_id: str
    village_ids: dict[str, str]  # name -> id
    board_ids: dict[str | None, str]  # village name (None = township) -> board id

    def village_actor(self, name: str) -> Actor:
        return Actor(f"v_{name}", "village", f"{name}村干部", (self.village_ids[name],))


def make_world(database) -> World:
    with database.session(user="setup") as s:
        summary = init_township(s, "青山镇", ["青山村", "桃园村", "柳河村"])
        villages = {v.name: v.id for v in s.execute(select(Village)).scalars()}
        boards = {}
        for b in s.execute(select(NoticeBoard)).scalars():
            name = next((n for n, vid in villages.items() if vid == b.village_id), None)
            boards[name] = b.id
        return World(summary.id, villages, boards)


def person_id(seq: int) -> str:
    """The ID number of the `seq`-th person of a test notice (valid check digit, one per person)."""
    from zwgk_desktop.core.idnumber import make_id_number

    return make_id_number("341122", date(1990, 1, 1), seq)


def make_notice(database, world: World, category: str = "dibao", *, villages=("青山村", "桃园村"), n: int = 4,
                remark: str = "", author: str = "clerk1") -> str:
    with database.session(user=author) as s:
        d = create_disclosure(s, world.township_id, category, f"青山镇2026年3月{category}公示", author=author,
                              supervise_phone="0557-5021234")
        for seq in range(1, n + 1):
            village = villages[(seq - 1) % len(villages)]
            s.add(DisclosureItem(
                disclosure_id=d.id, seq=seq, name=f"王{seq}明", village_id=world.village_ids[village],
                village_name=village, group_name="一组", id_number=person_id(seq), people=2,
                amount_fen=56000 * 2, extra={"level": "A类", "change_type": "新增", "remark": remark if seq == 1 else ""},
            ))
        s.flush()
        refresh_totals(s, d)
        return d.id


def to_status(database, world, notice_id: str, target: str) -> None:
    """Drive a notice forward through the real use cases."""
    steps = ["pending_review", "approved", "publishing"]
    with database.session(user="t") as s:
        status = s.get(Disclosure, notice_id).status
    for step in steps[steps.index(status) + 1 if status in steps else 0:]:
        with database.session(user="t") as s:
            if step == "pending_review":
                lifecycle.submit(s, CLERK, notice_id)
            elif step == "approved":
                lifecycle.approve(s, REVIEWER, notice_id)
            else:
                post_notice(s, CLERK, notice_id, [world.board_ids[None]], TODAY, today=TODAY)
        if step == target:
            return


def photograph(database, notice_id: str, roles=("start", "end"), flags=()) -> list[str]:
    """Link a photo for each role to every posting of the notice (as the photo archive would); returns photo ids."""
    ids = []
    with database.session(user="photos") as s:
        postings = s.execute(select(Posting).where(Posting.disclosure_id == notice_id)).scalars().all()
        for p in postings:
            for role in roles:
                photo = Photo(sha256=uuid.uuid4().hex * 2,
                              original_name=f"{role}.jpg", stored_path=f"x/{p.id}-{role}.jpg", size_bytes=1,
                              width=4000, height=3000, posting_id=p.id, role=role, flags=list(flags))
                s.add(photo)
                s.flush()
                ids.append(photo.id)
    return ids


@pytest.fixture
def world(database) -> World:
    return make_world(database)


def statuses(database, notice_id):
    with database.session() as s:
        return [(c.from_status, c.to_status, c.by_user, c.reason) for c in s.execute(
            select(StatusChange).where(StatusChange.disclosure_id == notice_id).order_by(StatusChange.created_at)
        ).scalars()]


def test_submit_approve_records_who_and_why_in_history_and_audit(database, world):
    """Submitting and approving move the notice, record the approver, and leave StatusChange rows and audit events naming the user."""
    nid = make_notice(database, world)
    with database.session(user="clerk1") as s:
        lifecycle.submit(s, CLERK, nid, "请审核")
    with database.session(user="rev1") as s:
        lifecycle.approve(s, REVIEWER, nid)
        approved = s.get(Disclosure, nid)
        assert approved.status == "approved"
        assert approved.approved_by == REVIEWER.username and approved.approved_at is not None
    history = statuses(database, nid)
    assert history == [("draft", "pending_review", "clerk1", "请审核"), ("pending_review", "approved", "rev1", "审核通过")]
    with database.session() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.entity == "status_change")).scalars().all()
        assert {e.user for e in events} == {"clerk1", "rev1"}


def test_return_requires_a_reason_and_goes_back_to_draft(database, world):
    """A reviewer returns a notice to draft only with a reason; without one nothing changes."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "pending_review")
    with pytest.raises(InvalidInput, match="原因"):
        with database.session() as s:
            lifecycle.return_to_draft(s, REVIEWER, nid, "  ")
    with database.session() as s:
        assert s.get(Disclosure, nid).status == "pending_review"
        lifecycle.return_to_draft(s, REVIEWER, nid, "金额有误")
    assert statuses(database, nid)[-1][1:] == ("draft", "rev1", "金额有误")


def test_clerk_cannot_approve_and_viewer_cannot_submit(database, world):
    """Roles are checked in core: a clerk may not approve, a viewer may not submit (Chinese message)."""
    nid = make_notice(database, world)
    with pytest.raises(NotAllowed, match="无权"):
        with database.session() as s:
            lifecycle.submit(s, VIEWER, nid)
    to_status(database, world, nid, "pending_review")
    with pytest.raises(NotAllowed, match="无权审核"):
        with database.session() as s:
            lifecycle.approve(s, CLERK, nid)


def test_reviewer_not_author_setting_is_enforced(database, world):
    """With the township setting on, the author cannot approve their own notice; another reviewer can."""
    nid = make_notice(database, world, author="admin")
    with database.session(user="admin") as s:
        set_setting(s, SETTING_REVIEWER_NOT_AUTHOR, True)
        lifecycle.submit(s, ADMIN, nid)
    with pytest.raises(NotAllowed, match="须为不同的人") as refused:
        with database.session() as s:
            lifecycle.approve(s, ADMIN, nid)
    assert refused.value.code == "reviewer_is_author"
    with database.session() as s:
        lifecycle.approve(s, REVIEWER, nid)


def test_separation_of_duties_is_on_once_a_second_reviewer_exists(database, world):
    """With one reviewing account the author may approve (warned, by 姓名); once a second one exists it is refused."""
    with database.session() as s:
        admin = create_first_admin(s, "admin", "admin-pass-2026", "王站长")
        assert not lifecycle.separation_of_duties(s).required
    first = make_notice(database, world, author="admin")
    with database.session() as s:
        lifecycle.submit(s, admin, first)
        result = lifecycle.approve(s, admin, first)
    assert result.to_status == "approved" and "单人模式" in result.warnings[0] and "王站长" in result.warnings[0]
    with database.session() as s:
        add_user(s, admin, "lijun", "review-pass-2026", "reviewer", display_name="李军")
        rule = lifecycle.separation_of_duties(s)
    assert rule.required and rule.reviewers == 2 and rule.source == "auto"
    second = make_notice(database, world, author="admin")
    with database.session() as s:
        lifecycle.submit(s, admin, second)
    with pytest.raises(NotAllowed, match="须为不同的人"):
        with database.session() as s:
            lifecycle.approve(s, admin, second)
    with database.session() as s:
        assert s.get(Disclosure, second).status == "pending_review"
        set_setting(s, SETTING_REVIEWER_NOT_AUTHOR, False)  # the township explicitly allows it
        assert lifecycle.approve(s, admin, second).warnings
        names = [h.by_name for h in lifecycle.history(s, second)]
    assert names == ["王站长", "王站长"]


def test_review_summary_shows_scan_period_boards_and_totals(database, world):
    """The review DTO carries privacy findings from the public rendering, the period with explanation, boards and totals."""
    nid = make_notice(database, world, remark="患尿毒症，电话13812345678", n=4)
    with database.session() as s:
        summary = lifecycle.review_summary(s, nid, today=TODAY)
    assert summary.item_count == 4 and summary.total_amount_fen == 4 * 112000 and summary.total_amount == "4,480.00"
    assert [f["kind"] for f in summary.findings] == ["health"]  # the phone is already hidden on the poster
    assert "第1行" in summary.findings[0]["location"]
    assert person_id(1) not in str(summary.findings)  # ID column is not public, so not scanned as leak
    # the period the poster will print: posted on the next working day (Tue 3/3), counted from 3/4
    assert (summary.period["posted_on"], summary.period["first_day"], summary.period["end"]) == (
        "2026-03-03", "2026-03-04", "2026-03-10")
    assert summary.period["planned"] and summary.period["screen_text"] == "2026-03-04 至 2026-03-10（7天）"
    assert "自次日" in summary.period["explanation"]
    assert summary.author_name == "clerk1" and not summary.reviewer_must_differ
    names = [b["name"] for b in summary.boards]
    assert names[0] == "青山镇政务公开栏" and len(names) == 3  # township + the two villages in the items
    assert summary.rule_text.startswith("7天")


def test_archived_notice_is_read_only(database, world):
    """Editing, withdrawing or correcting an archived notice is refused with a Chinese message and nothing changes."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    photograph(database, nid)
    with database.session() as s:
        lifecycle.conclude(s, ADMIN, nid, today=date(2026, 3, 10))
        lifecycle.archive(s, ADMIN, nid)
    for attempt in (
        lambda s: lifecycle.edit_notice(s, ADMIN, nid, title="改标题"),
        lambda s: lifecycle.withdraw(s, ADMIN, nid, "不要了"),
        lambda s: lifecycle.correct(s, ADMIN, nid, "改名单"),
        lambda s: lifecycle.remove_items(s, ADMIN, nid, [1]),
    ):
        with pytest.raises(NotAllowed, match="已归档"):
            with database.session() as s:
                attempt(s)
    with database.session() as s:
        d = s.get(Disclosure, nid)
        assert (d.status, d.title, d.item_count) == ("archived", "青山镇2026年3月dibao公示", 4)


def test_conclude_waits_for_period_end(database, world):
    """A notice cannot be concluded on or before its period end day; the day after it can."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    photograph(database, nid)
    with pytest.raises(NotAllowed, match="期满前不能办结"):
        with database.session() as s:
            lifecycle.conclude(s, CLERK, nid, today=date(2026, 3, 9))
    with database.session() as s:
        assert lifecycle.conclude(s, CLERK, nid, today=date(2026, 3, 10)).to_status == "expired"


def test_correction_makes_a_new_version_and_keeps_the_old(database, world):
    """A correction copies the items into version 2 (draft, replaces_id set); version 1 becomes 已撤回 and keeps its rows."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session(user="clerk1") as s:
        new = lifecycle.correct(s, CLERK, nid, "第3户金额有误")
        new_id = new.id
    with database.session() as s:
        old, new = s.get(Disclosure, nid), s.get(Disclosure, new_id)
        assert (old.status, new.status, new.version, new.replaces_id) == ("withdrawn", "draft", 2, nid)
        count = lambda i: s.execute(select(func.count(DisclosureItem.id)).where(DisclosureItem.disclosure_id == i)).scalar()
        assert count(nid) == count(new_id) == 4 and new.total_amount_fen == old.total_amount_fen
        assert [v["version"] for v in lifecycle.version_chain(s, new_id)] == [1, 2]
    with database.session() as s:
        assert lifecycle.remove_items(s, CLERK, new_id, [3]) == 1
    with database.session() as s:
        assert s.get(Disclosure, new_id).item_count == 3 and s.get(Disclosure, nid).item_count == 4
    assert "已更正" in statuses(database, nid)[-1][3]


def test_correction_copy_writes_its_outbox_entry_and_audit_event(database, world):
    """The bulk copy of a correction's line items queues one items sync and records one audit event naming the source."""
    nid = make_notice(database, world, n=5)
    to_status(database, world, nid, "publishing")
    with database.session(user="clerk1") as s:
        new_id = lifecycle.correct(s, CLERK, nid, "金额有误").id
    with database.session() as s:
        outbox = s.execute(select(OutboxEntry).where(
            OutboxEntry.entity == "disclosure_items", OutboxEntry.entity_id == new_id)).scalars().all()
        audit = s.execute(select(AuditEvent).where(
            AuditEvent.action == "bulk_insert", AuditEvent.entity_id == new_id)).scalars().all()
        copied = s.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == new_id)).scalars().all()
    assert len(outbox) == 1 and outbox[0].state == "pending"
    assert len(audit) == 1 and audit[0].user == "clerk1"
    assert audit[0].summary == {"rows": 5, "copied_from": nid, "why": "correction"}
    assert sorted((i.seq, i.name, i.amount_fen, i.extra["level"]) for i in copied) == [
        (n, f"王{n}明", 112000, "A类") for n in range(1, 6)]


def test_correction_summary_counts_removed_added_changed_households(database, world):
    """删除/新增/调整 N 户 come from comparing the line items of the two versions; a renamed line is a typo."""
    nid = make_notice(database, world, n=4)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        new_id = lifecycle.correct(s, CLERK, nid, "复查").id
        assert lifecycle.correction_summary(s, new_id).text == "经复查，名单未作调整（复查），现重新公示"
    with database.session() as s:
        lifecycle.remove_items(s, CLERK, new_id, [1])
        items = {i.seq: i for i in s.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == new_id)).scalars()}
        items[2].amount_fen = 90000
        items[3].name = "王三明"
        s.add(DisclosureItem(disclosure_id=new_id, seq=9, name="赵新", village_id=world.village_ids["柳河村"],
                             village_name="柳河村", id_number="341122198001011111", people=1, amount_fen=56000))
    with database.session() as s:
        summary = lifecycle.correction_summary(s, new_id)
    assert (summary.removed, summary.added, summary.changed, summary.renamed) == (1, 1, 1, 1)
    assert summary.text == "经复查，删除1户、新增1户、调整1户，更正1户姓名书写，现重新公示"
    with database.session() as s:  # one village board's part: 青山村 held lines 1 and 3, 柳河村 the new one
        qingshan = lifecycle.correction_summary(s, new_id, village_id=world.village_ids["青山村"])
        liuhe = lifecycle.correction_summary(s, new_id, village_id=world.village_ids["柳河村"])
    assert (qingshan.removed, qingshan.added, qingshan.changed, qingshan.renamed) == (1, 0, 0, 1)
    assert (liuhe.removed, liuhe.added, liuhe.changed) == (0, 1, 0) and liuhe.text == "经复查，新增1户，现重新公示"


def test_a_short_or_ambiguous_id_prefix_is_explained(database, world):
    """Every notice ID may be typed as a unique prefix of ≥ 6 characters; a shorter or shared one is refused in Chinese."""
    nid = make_notice(database, world)
    with database.session() as s:
        assert find(s, nid[:6]).id == nid and find(s, f"  {nid[:10]} ").id == nid
        with pytest.raises(NotFound, match="太短"):
            find(s, nid[:5])
        with pytest.raises(NotFound, match="找不到"):
            find(s, "ffffffff-0000")
        other = Disclosure(id=nid[:8] + "-0000-4000-8000-000000000000", township_id=world.township_id,
                           category="dibao", title="另一条", year=2026)
        s.add(other)
        s.flush()
        with pytest.raises(NotFound, match="多条公示") as ambiguous:
            find(s, nid[:8])
        assert ambiguous.value.code == "ambiguous_id"


def find(session, text):
    from zwgk_desktop.core.disclosures import find_disclosure

    return find_disclosure(session, text)


def test_draft_cannot_be_corrected_and_published_cannot_be_edited(database, world):
    """Drafts are edited in place, not corrected; an approved notice is not edited in place."""
    nid = make_notice(database, world)
    with pytest.raises(NotAllowed, match="不能更正"):
        with database.session() as s:
            lifecycle.correct(s, CLERK, nid, "x")
    to_status(database, world, nid, "approved")
    with pytest.raises(NotAllowed, match="更正"):
        with database.session() as s:
            lifecycle.edit_notice(s, CLERK, nid, title="新标题")


def test_village_scope_lists_notices_with_items_or_postings_there(demo_db):
    """A village user's list holds notices with a line item in their village or posted on their board, and nothing else."""
    from zwgk_desktop.core.disclosures import list_disclosures
    from zwgk_desktop.core.models import DisclosureItem, NoticeBoard, Posting, Village

    with demo_db.session() as s:
        village = s.execute(select(Village).order_by(Village.sort_order)).scalars().first()
        board = s.execute(select(NoticeBoard).where(NoticeBoard.village_id == village.id)).scalar_one()
        with_items = set(s.execute(select(DisclosureItem.disclosure_id).where(DisclosureItem.village_id == village.id)).scalars())
        posted = set(s.execute(select(Posting.disclosure_id).where(Posting.board_id == board.id)).scalars())
        scoped = {row.id for row in list_disclosures(s, village_ids=[village.id])}
        everything = {row.id for row in list_disclosures(s)}
    assert scoped == with_items | posted
    assert scoped < everything


def test_posting_and_objection_ids_resolve_by_the_notice_rule(database):
    """Postings and objections take the same typed IDs as notices: LIKE wildcards are literal, a short prefix is
    explained (`core.ids.resolve_id`)."""
    from zwgk_desktop.core.objections import find_objection
    from zwgk_desktop.core.postings import find_posting
    from zwgk_desktop.errors import NotFound

    with database.session() as s:
        for find, what in ((find_posting, "张贴记录"), (find_objection, "异议记录")):
            with pytest.raises(NotFound) as wild:
                find(s, "%%%%%%")
            assert "找不到编号为 %%%%%% 的" + what in wild.value.message
            with pytest.raises(NotFound) as short:
                find(s, "abc")
            assert "太短" in short.value.message
