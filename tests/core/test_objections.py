"""Objections: register, resolve, block conclusion, lead to a correction and a new 公示 period (core.objections)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.core.test_lifecycle import ADMIN, CLERK, REVIEWER, TODAY, make_notice, make_world, to_status
from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.models import Disclosure, Objection
from zwgk_desktop.core.objections import add_objection, list_objections, resolve_objection
from zwgk_desktop.core.postings import post_notice, preview_posting
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
        assert plan.end == date(2026, 3, 14) and plan.continued_from is None and "重新公示" in plan.period.explanation
        post_notice(s, CLERK, new_id, [world.board_ids[None]], date(2026, 3, 7), today=date(2026, 3, 7))
        assert s.get(Disclosure, new_id).period_end == date(2026, 3, 14)
        assert [o.status for o in list_objections(s, nid)] == ["resolved"]


def test_dibao_correction_continues_the_original_period(database, world):
    """低保 (no re-公示 rule): the corrected version, posted during the old period, keeps the old end date."""
    nid = make_notice(database, world, category="dibao")
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        oid = add_objection(s, CLERK, nid, received_on=date(2026, 3, 3), content="金额有误", today=date(2026, 3, 3)).id
        res = resolve_objection(s, CLERK, oid, handling="核对", result="更正金额", closed_on=date(2026, 3, 4),
                                changes_list=True, today=date(2026, 3, 4))
    assert not res.republish
    with database.session() as s:
        lifecycle.submit(s, CLERK, res.correction_id)
        lifecycle.approve(s, ADMIN, res.correction_id)
        plan = preview_posting(s, res.correction_id, date(2026, 3, 5))
    assert plan.end == date(2026, 3, 9) and plan.continued_from == nid and "沿用原公示期" in plan.note


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
