"""Editing a draft's line items, title and body by hand: the import's checks, one transaction, totals, scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.idnumber import make_id_number
from zwgk_desktop.core.models import AuditEvent, Disclosure, DisclosureItem, Household, OutboxEntry, Village
from zwgk_desktop.core.users import Actor
from zwgk_desktop.errors import NotAllowed
from zwgk_desktop.services.rosters.edit import (
    ItemEdits,
    ItemsInvalid,
    RowChecker,
    can_edit_items,
    get_entry,
    load_draft,
    save_draft_edits,
)

CLERK = Actor("jingban", "clerk", "经办人")
NEW_ID = make_id_number("341122", date(1970, 5, 6), 123)


def draft_id(db, category: str = "dibao", status: str = "draft") -> str:
    with db.session() as s:
        return s.execute(select(Disclosure.id).where(Disclosure.category == category, Disclosure.status == status)).scalars().first()


def items_of(db, disclosure_id: str) -> list[DisclosureItem]:
    with db.session() as s:
        rows = s.execute(
            select(DisclosureItem).where(DisclosureItem.disclosure_id == disclosure_id).order_by(DisclosureItem.seq)
        ).scalars().all()
        s.expunge_all()
        return rows


def notice(db, disclosure_id: str) -> Disclosure:
    with db.session() as s:
        d = s.get(Disclosure, disclosure_id)
        s.expunge(d)
        return d


def load(db, actor, disclosure_id):
    with db.session() as s:
        return load_draft(s, actor, disclosure_id)


def save(db, actor, disclosure_id, edits):
    with db.session(user=actor.username) as s:
        return save_draft_edits(s, actor, disclosure_id, edits)


def test_editing_a_cell_saves_it_and_refreshes_the_totals(demo_db):
    """A changed amount and name are stored (amount as fen), the notice totals follow, the household is updated."""
    nid = draft_id(demo_db)
    draft = load(demo_db, CLERK, nid)
    before = notice(demo_db, nid)
    first = next(i for i in draft.items if i.values.get("change_type") != "停保")  # a line that counts
    texts = {**first.values, "amount": "1,234.50", "name": "段德民"}
    result = save(demo_db, CLERK, nid, ItemEdits(updated={first.item_id: texts}))
    item = next(i for i in items_of(demo_db, nid) if i.id == first.item_id)
    assert item.amount_fen == 123450 and item.name == "段德民" and item.seq == first.seq
    after = notice(demo_db, nid)
    previous_fen = int(first.values["amount"].replace(".", ""))
    assert after.total_amount_fen == before.total_amount_fen - previous_fen + 123450
    assert result.total_amount_fen == after.total_amount_fen and result.updated == 1
    with demo_db.session() as s:
        assert s.get(Household, item.household_id).head_name == "段德民"
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "items_edit")).scalar() is not None


def test_a_bad_id_number_is_reported_on_its_cell_and_nothing_is_saved(demo_db):
    """A wrong check digit raises `ItemsInvalid` naming the row and the 身份证号码 column; title and other rows stay."""
    nid = draft_id(demo_db)
    draft = load(demo_db, CLERK, nid)
    first, second = draft.items[0], draft.items[1]
    bad = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    edits = ItemEdits(
        updated={first.item_id: {**first.values, "id_number": bad}, second.item_id: {**second.values, "amount": "99"}},
        title="改过的标题",
    )
    with pytest.raises(ItemsInvalid) as caught:
        save(demo_db, CLERK, nid, edits)
    problems = [p for p in caught.value.problems if p.severity == "error"]
    assert [(p.row_key, p.column, p.code) for p in problems] == [(first.item_id, "id_number", "id_checksum")]
    assert "校验位" in caught.value.message
    assert notice(demo_db, nid).title == draft.title
    stored = {i.id: i for i in items_of(demo_db, nid)}
    assert stored[second.item_id].amount_fen != 9900 and stored[first.item_id].id_number == first.values["id_number"]


def test_adding_and_deleting_rows_renumbers_links_households_and_totals(demo_db):
    """A new row creates its household by ID number; a deleted row goes; 序号 runs 1…n; counts and sums follow."""
    nid = draft_id(demo_db)
    draft = load(demo_db, CLERK, nid)
    before = notice(demo_db, nid)
    gone = next(i for i in draft.items[2:] if i.values.get("change_type") != "停保")  # a line that counts
    new = {"village": "石桥村3组", "name": "𠮷祥", "id_number": NEW_ID.lower(), "people": "2人", "amount": "￥500",
           "level": "A类", "change_type": "新增"}
    result = save(demo_db, CLERK, nid, ItemEdits(added=[new], deleted=[gone.item_id]))
    items = items_of(demo_db, nid)
    assert [i.seq for i in items] == list(range(1, len(items) + 1)) and len(items) == before.item_count
    assert gone.item_id not in {i.id for i in items}
    added = items[-1]
    assert (added.name, added.village_name, added.group_name, added.id_number, added.people, added.amount_fen) == (
        "𠮷祥", "石桥村", "3组", NEW_ID, 2, 50000)
    assert added.extra == {"level": "A类", "change_type": "新增"}
    gone_fen = int(gone.values["amount"].replace(".", ""))
    assert result.total_amount_fen == before.total_amount_fen - gone_fen + 50000 and result.households_created == 1
    with demo_db.session() as s:
        household = s.get(Household, added.household_id)
        assert household.id_number == NEW_ID and household.member_count == 2


def test_duplicates_inside_the_notice_and_in_other_active_notices_are_refused(demo_db):
    """The same person twice in the draft, or already in another active 低保 notice, is an error on the changed row."""
    nid = draft_id(demo_db)
    draft = load(demo_db, CLERK, nid)
    first, second = draft.items[0], draft.items[1]
    with pytest.raises(ItemsInvalid) as caught:
        save(demo_db, CLERK, nid, ItemEdits(updated={second.item_id: {**second.values, "id_number": first.values["id_number"]}}))
    assert [p.code for p in caught.value.problems] == ["duplicate_in_file"]
    assert f"第{first.seq}行" in caught.value.problems[0].message
    elsewhere = next(iter(draft.existing_ids))
    with pytest.raises(ItemsInvalid) as caught:
        save(demo_db, CLERK, nid, ItemEdits(updated={second.item_id: {**second.values, "id_number": elsewhere}}))
    assert [p.code for p in caught.value.problems] == ["duplicate_existing"]


def test_title_and_body_of_a_draft_are_edited_with_the_items(demo_db):
    """Title and body change in the same save; an empty title is refused."""
    nid = draft_id(demo_db)
    save(demo_db, CLERK, nid, ItemEdits(title="  青山镇低保公示（修订）  ", body="经村民代表会议评议。"))
    d = notice(demo_db, nid)
    assert (d.title, d.body) == ("青山镇低保公示（修订）", "经村民代表会议评议。")


def test_archived_and_published_notices_are_refused(demo_db):
    """An archived notice is read-only; a published one needs a correction; both say so in Chinese."""
    archived, publishing = draft_id(demo_db, status="archived"), draft_id(demo_db, status="publishing")
    with pytest.raises(NotAllowed) as caught:
        load(demo_db, CLERK, archived)
    assert caught.value.code == "archived_read_only" and "归档" in caught.value.message
    with pytest.raises(NotAllowed) as caught:
        save(demo_db, CLERK, archived, ItemEdits(title="x"))
    assert caught.value.code == "archived_read_only"
    with pytest.raises(NotAllowed) as caught:
        load(demo_db, CLERK, publishing)
    assert caught.value.code == "not_editable" and "更正" in caught.value.message


def test_a_correction_draft_is_editable_while_the_old_version_is_not(demo_db):
    """After 更正 the new version (a draft) takes edits; its own copied people are not 'duplicates elsewhere'."""
    old = draft_id(demo_db, status="approved")
    with demo_db.session(user="admin") as s:
        new = lifecycle.correct(s, Actor("admin", "admin"), old, "金额录错").id
    draft = load(demo_db, CLERK, new)
    first = draft.items[0]
    save(demo_db, CLERK, new, ItemEdits(updated={first.item_id: {**first.values, "amount": "100"}}))
    assert next(i for i in items_of(demo_db, new) if i.id == first.item_id).amount_fen == 10000
    with pytest.raises(NotAllowed):
        load(demo_db, CLERK, old)


def test_a_village_user_edits_only_rows_of_their_village(demo_db):
    """A 村级用户 sees and changes only their village's rows, may not add rows elsewhere nor touch the title."""
    nid = draft_id(demo_db)
    with demo_db.session() as s:
        village = s.execute(select(Village).where(Village.name == "李集村")).scalar_one()
        village_id = village.id
        total = s.execute(select(func.count(DisclosureItem.id)).where(DisclosureItem.disclosure_id == nid)).scalar()
    actor = Actor("liji", "village", "李集村村干部", (village_id,))
    assert can_edit_items(actor) and not can_edit_items(Actor("shen", "reviewer"))
    draft = load(demo_db, actor, nid)
    assert draft.items and all(i.values["village"] == "李集村" for i in draft.items)
    assert draft.hidden_items == total - len(draft.items) and not draft.can_edit_text
    mine = draft.items[0]
    save(demo_db, actor, nid, ItemEdits(updated={mine.item_id: {**mine.values, "remark": "入户核实"}}))
    with pytest.raises(ItemsInvalid) as caught:
        save(demo_db, actor, nid, ItemEdits(added=[{**mine.values, "village": "柳河村", "id_number": NEW_ID}]))
    assert [p.code for p in caught.value.problems] == ["village_out_of_scope"] and "李集村" in caught.value.problems[0].message
    other = next(i for i in items_of(demo_db, nid) if i.village_id != village_id)
    with pytest.raises(NotAllowed):
        save(demo_db, actor, nid, ItemEdits(deleted=[other.id]))
    with pytest.raises(NotAllowed):
        save(demo_db, actor, nid, ItemEdits(title="村里改的标题"))
    with pytest.raises(NotAllowed) as caught:
        load(demo_db, Actor("shen", "reviewer", "审核人"), nid)
    assert "无权" in caught.value.message


def test_the_checker_gives_the_imports_messages_per_cell():
    """Row checks reuse the import's parsers: money with 3 decimals, unknown village with a suggestion, required name."""
    checker = RowChecker(get_entry("linshi"), {"石桥村": "v1"}, {})
    problems = checker.problems("k", {"village": "石乔村", "name": "", "amount": "12.345", "approved_on": "2026/11/5"})
    assert {(p.column, p.code) for p in problems} == {("village", "unknown_village"), ("name", "missing_required"),
                                                     ("amount", "bad_amount")}
    assert "石桥村" in next(p.message for p in problems if p.column == "village")
    row = checker.parse({"village": "石桥村", "name": "张三", "amount": "500", "approved_on": "2026年11月5日"})
    assert row.accepted and row.values["approved_on"] == "2026-11-05" and row.values["amount_fen"] == 50000


def test_family_size_covered_people_and_change_type_are_edited(demo_db):
    """家庭人口 and 保障人数 are separate editor columns; 停保 typed in 类型 takes the line out of the notice total."""
    nid = draft_id(demo_db)
    draft = load(demo_db, CLERK, nid)
    assert {"family_size", "people", "change_type"} <= {c.key for c in draft.columns}
    first = draft.items[0]
    before = notice(demo_db, nid)
    counted = int(first.values["amount"].replace(".", ""))
    save(demo_db, CLERK, nid, ItemEdits(updated={first.item_id: {**first.values, "family_size": "4", "people": "3",
                                                                  "change_type": "停保"}}))
    item = next(i for i in items_of(demo_db, nid) if i.id == first.item_id)
    assert (item.family_size, item.covered_people, item.people, item.change_type) == (4, 3, 3, "stop")
    assert item.extra["change_type"] == "停保"
    assert notice(demo_db, nid).total_amount_fen == before.total_amount_fen - counted
    again = load(demo_db, CLERK, nid).items[0]
    assert (again.values["family_size"], again.values["people"], again.values["change_type"]) == ("4", "3", "停保")


def test_funding_parts_are_edited_and_must_add_up(demo_db):
    """A 危房改造 draft shows 中央…自筹 columns; a blank 合计 takes their sum; a 合计 that disagrees is refused."""
    nid = draft_id(demo_db, category="weifang")
    draft = load(demo_db, CLERK, nid)
    keys = [c.key for c in draft.columns]
    assert keys[-5:] == ["funding.central", "funding.province", "funding.city", "funding.county", "funding.self"]
    first = draft.items[0]
    parts = {"funding.central": "12000", "funding.province": "5000", "funding.county": "3000"}
    with pytest.raises(ItemsInvalid) as caught:
        save(demo_db, CLERK, nid, ItemEdits(updated={first.item_id: {**first.values, **parts, "amount": "21000"}}))
    assert [(p.column, p.code) for p in caught.value.problems if p.severity == "error"] == [("amount", "total_mismatch")]
    save(demo_db, CLERK, nid, ItemEdits(updated={first.item_id: {**first.values, **parts, "amount": ""}}))
    item = next(i for i in items_of(demo_db, nid) if i.id == first.item_id)
    assert item.amount_fen == 2_000_000
    assert item.funding == {"central": 1_200_000, "province": 500_000, "city": 0, "county": 300_000, "self": 0}


def test_draft_edit_path_writes_its_outbox_and_audit_rows(demo_db):
    """Saving edits queues the notice's items for the county and records one items_edit event by the actor."""
    nid = draft_id(demo_db)
    first = load(demo_db, CLERK, nid).items[0]
    with demo_db.session() as s:
        last_outbox = s.execute(select(func.max(OutboxEntry.seq))).scalar() or 0
        last_event = s.execute(select(func.max(AuditEvent.seq))).scalar() or 0
    save(demo_db, CLERK, nid, ItemEdits(updated={first.item_id: {**first.values, "remark": "入户核实"}}))
    with demo_db.session() as s:
        queued = s.execute(select(OutboxEntry.entity, OutboxEntry.entity_id).where(OutboxEntry.seq > last_outbox)).all()
        assert ("disclosure_items", nid) in queued
        events = s.execute(select(AuditEvent).where(AuditEvent.seq > last_event)).scalars().all()
        edit = next(e for e in events if e.action == "items_edit")
        assert edit.entity_id == nid and edit.user == "jingban" and edit.summary["updated"] == 1


def test_after_a_merger_the_editor_reads_the_old_village_as_the_new_one(demo_db):
    """撤并村 李集村 → 石桥村: a line typed as 李集村 is saved under 石桥村 (a warning, not an error)."""
    from zwgk_desktop.ops import villages

    villages.merge_village(demo_db, Actor("admin", "admin"), "李集村", "石桥村")
    nid = draft_id(demo_db)
    draft = load(demo_db, CLERK, nid)
    assert "李集村" not in draft.villages and draft.merged_villages == {"李集村": "石桥村"}
    first = draft.items[0]
    save(demo_db, CLERK, nid, ItemEdits(updated={first.item_id: {**first.values, "village": "李集村二组", "group": ""}}))
    item = next(i for i in items_of(demo_db, nid) if i.id == first.item_id)
    assert (item.village_name, item.group_name) == ("石桥村", "二组")


def test_a_correction_keeps_each_lines_people_change_type_and_funding(demo_db):
    """更正 copies 家庭人口, 保障人数, the change type and funding parts; its total still leaves 停保 out."""
    old = draft_id(demo_db, status="approved")
    with demo_db.session() as s:
        before = s.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == old)
                           .order_by(DisclosureItem.seq)).scalars().all()
        facts = [(i.family_size, i.covered_people, i.change_type, i.funding) for i in before]
        new = lifecycle.correct(s, Actor("admin", "admin"), old, "金额录错").id
    copied = items_of(demo_db, new)
    assert [(i.family_size, i.covered_people, i.change_type, i.funding) for i in copied] == facts
    assert any(f[2] == "stop" for f in facts)
    counted = sum(i.amount_fen for i in copied if i.change_type != "stop")
    assert notice(demo_db, new).total_amount_fen == counted
