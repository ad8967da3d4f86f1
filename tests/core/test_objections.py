"""Objections: register, resolve, block conclusion, lead to a correction and a new 公示 period (core.objections)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.core.test_lifecycle import CLERK, REVIEWER, TODAY, make_notice, make_world, photograph, to_status
from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.models import Disclosure, Objection
from zwgk_desktop.core.objections import add_objection, list_objections, resolve_objection
from zwgk_desktop.core.postings import notice_period, post_notice, preview_posting
from zwgk_desktop.errors import InvalidInput, NotAllowed


@pytest.fixture
def world(database):
    return make_world(database)


def test_open_objection_blocks_conclusion_until_resolved(database, world):
    """An open objection stops 办结 even after the period; once resolved (no list change) the notice concludes."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        row = add_objection(s, CLERK, nid, received_on=date(2026, 3, 3), content="其中一户收入不实", channel="电话",
                            today=date(2026, 3, 3))
    assert row.from_name == "匿名" and row.status_label == "办理中"
    with pytest.raises(NotAllowed, match="异议未办结"):
        with database.session() as s:
            lifecycle.conclude(s, CLERK, nid, today=date(2026, 3, 12))
    with database.session() as s:
        result = resolve_objection(s, CLERK, row.id, handling="入户核实", result="异议不成立，维持原公示",
                                   closed_on=date(2026, 3, 5), today=date(2026, 3, 12))
    assert result.correction_id is None
    photograph(database, nid)
    with database.session() as s:
        lifecycle.conclude(s, CLERK, nid, today=date(2026, 3, 12))
        assert s.get(Disclosure, nid).status == "expired"


def test_objection_dates_out_of_order_are_refused(database, world):
    """An objection received before the posting, or closed before it was received, is refused; nothing changes."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with pytest.raises(InvalidInput, match="早于公示张贴日期"):
        with database.session() as s:
            add_objection(s, CLERK, nid, received_on=date(2026, 3, 1), content="x", today=TODAY)
    with database.session() as s:
        oid = add_objection(s, CLERK, nid, received_on=TODAY, content="x", today=TODAY).id
    with pytest.raises(InvalidInput, match="早于受理日期"):
        with database.session() as s:
            resolve_objection(s, CLERK, oid, handling="h", result="r", closed_on=date(2026, 3, 1), today=TODAY)
    with database.session() as s:
        assert s.get(Objection, oid).status == "open"


def test_objection_only_while_publishing(database, world):
    """Objections are registered only on a notice that is 公示中."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    with pytest.raises(NotAllowed, match="只有公示中"):
        with database.session() as s:
            add_objection(s, CLERK, nid, received_on=TODAY, content="x", today=TODAY)


def test_tekun_objection_changing_list_leads_to_correction_and_new_period(database, world):
    """特困: an objection that changes the list creates version 2, and posting it starts a whole new 公示期."""
    nid = make_notice(database, world, category="tekun")
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        oid = add_objection(s, CLERK, nid, received_on=date(2026, 3, 4), content="王1明有子女赡养", from_name="村民甲",
                            today=date(2026, 3, 4)).id
    with database.session() as s:
        res = resolve_objection(s, CLERK, oid, handling="调查核实属实", result="取消王1明拟认定", closed_on=date(2026, 3, 6),
                                changes_list=True, today=date(2026, 3, 6))
    assert res.republish and res.correction_id and "重新公示" in res.message
    new_id = res.correction_id
    with database.session() as s:
        assert s.get(Disclosure, nid).status == "withdrawn"
        lifecycle.remove_items(s, CLERK, new_id, [1])
        lifecycle.submit(s, CLERK, new_id)
        lifecycle.approve(s, REVIEWER, new_id)
    with database.session() as s:
        plan = preview_posting(s, new_id, date(2026, 3, 7))
        assert plan.end == date(2026, 3, 14) and plan.continued_from is None
        assert "重新公示" in plan.period.full_explanation and "重新公示" in plan.note
        post_notice(s, CLERK, new_id, [world.board_ids[None]], date(2026, 3, 7), today=date(2026, 3, 7))
        assert s.get(Disclosure, new_id).period_end == date(2026, 3, 14)
        assert [o.status for o in list_objections(s, nid)] == ["resolved"]


def test_upheld_dibao_objection_reposts_the_corrected_list_for_a_full_fresh_period(database, world):
    """低保: an objection upheld after 复查 changes the list; 第2版 is posted again for a full 7 days from its own
    posting, its 更正说明 says what changed, and the objection stays linked to both versions."""
    nid = make_notice(database, world, category="dibao")
    to_status(database, world, nid, "publishing")  # 第1版: 3/3–3/9
    with database.session() as s:
        oid = add_objection(s, CLERK, nid, received_on=date(2026, 3, 3), content="王2明家有稳定收入",
                            from_name="村民甲", today=date(2026, 3, 3)).id
        res = resolve_objection(s, CLERK, oid, handling="入户核实属实", result="取消王2明户", closed_on=date(2026, 3, 4),
                                changes_list=True, today=date(2026, 3, 4))
    assert res.republish and "重新公示" in res.message and "完整公示期" in res.message
    new_id = res.correction_id
    with database.session() as s:
        lifecycle.remove_items(s, CLERK, new_id, [2])
        lifecycle.submit(s, CLERK, new_id)
        lifecycle.approve(s, REVIEWER, new_id)
        assert lifecycle.correction_summary(s, new_id).text == "经复查，删除1户，现重新公示"
        post_notice(s, CLERK, new_id, [world.board_ids[None]], date(2026, 3, 5), today=date(2026, 3, 5))
    with database.session() as s:
        period = notice_period(s, s.get(Disclosure, new_id))
        assert (period.first_day, period.end, period.counted_days, period.continued) == (
            date(2026, 3, 6), date(2026, 3, 12), 7, False)
        assert "异议经复查成立" in period.note
        objections = {v: list_objections(s, v) for v in (nid, new_id)}
        assert objections[nid][0].id == objections[new_id][0].id == oid
        row = objections[new_id][0]
        assert (row.version, row.correction_id, row.result) == (1, new_id, "取消王2明户")
        assert s.get(Objection, oid).correction_id == new_id


def test_typo_correction_keeps_the_remaining_days_only_where_the_rule_allows(database, world):
    """A typo-only 低保 correction continues the old period (remaining days, reason recorded); 特困 re-公示s in full;
    a 'typo' correction that changed the list does too."""
    dibao = make_notice(database, world, category="dibao")
    tekun = make_notice(database, world, category="tekun")
    changed = make_notice(database, world, category="dibao")
    for nid in (dibao, tekun, changed):
        to_status(database, world, nid, "publishing")  # posted 3/2: 3/3–3/9
    with database.session() as s:
        fixes = {nid: lifecycle.correct(s, CLERK, nid, "标题错字", kind="typo").id for nid in (dibao, tekun, changed)}
        lifecycle.remove_items(s, CLERK, fixes[changed], [1])
        for new_id in fixes.values():
            lifecycle.submit(s, CLERK, new_id)
            lifecycle.approve(s, REVIEWER, new_id)
    with database.session() as s:
        kept = preview_posting(s, fixes[dibao], date(2026, 3, 5)).period
        fresh = preview_posting(s, fixes[tekun], date(2026, 3, 5)).period
        listed = preview_posting(s, fixes[changed], date(2026, 3, 5)).period
        assert lifecycle.correction_summary(s, fixes[dibao]).text == "经核对，更正文字错误（标题错字），公示期不变"
    assert (kept.first_day, kept.end, kept.counted_days, kept.continued) == (date(2026, 3, 6), date(2026, 3, 9), 4, True)
    assert "仅更正文字错误（标题错字）" in kept.note and "沿用原公示期" in kept.note
    assert (fresh.end, fresh.counted_days, fresh.continued) == (date(2026, 3, 12), 7, False)
    assert "不允许沿用" in fresh.note
    assert (listed.end, listed.continued) == (date(2026, 3, 12), False) and "删除1户" in listed.note


def test_correction_refused_while_another_objection_is_open(database, world):
    """Resolving one objection with a list change is refused while another is still open; nothing changes."""
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        a = add_objection(s, CLERK, nid, received_on=TODAY, content="a", today=TODAY).id
        add_objection(s, CLERK, nid, received_on=TODAY, content="b", today=TODAY)
    with pytest.raises(NotAllowed, match="其他 1 条异议"):
        with database.session() as s:
            resolve_objection(s, CLERK, a, handling="h", result="r", closed_on=TODAY, changes_list=True, today=TODAY)
    with database.session() as s:
        assert s.get(Objection, a).status == "open" and s.get(Disclosure, nid).status == "publishing"


def test_village_user_cannot_register_objection_on_other_village_notice(database, world):
    """A village user cannot register an objection on a notice that does not concern their village."""
    nid = make_notice(database, world, villages=("桃园村",))
    to_status(database, world, nid, "publishing")
    with pytest.raises(NotAllowed, match="只能办理本村"):
        with database.session() as s:
            add_objection(s, world.village_actor("柳河村"), nid, received_on=TODAY, content="x", today=TODAY)
