"""The notice ops are correctly marked: every read op runs on a read-only worker thread without writing, every write
op names its kinds and reports the ids it changed (what pages refresh on)."""

from __future__ import annotations

import inspect
import threading
from datetime import date

import pytest

from tests.core.test_lifecycle import ADMIN, CLERK, REVIEWER, make_notice, make_world, to_status
from zwgk_desktop.core.db import mark_thread_read_only
from zwgk_desktop.ops import notices, objections, postings, todo
from zwgk_desktop.ops.base import KINDS, changes_of, op_info

MODULES = (notices, postings, objections, todo)


def public_ops(module):
    return {name: fn for name, fn in vars(module).items()
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")}


def on_read_only_thread(fn, *args, **kwargs):
    """Run `fn` as the desktop's worker pool would: on a thread where a flush raises."""
    box = {}

    def work():
        mark_thread_read_only()
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 — handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def test_every_public_function_is_a_marked_op():
    """Each use case in the notice op modules is marked @reads or @writes with known kinds."""
    for module in MODULES:
        for name, fn in public_ops(module).items():
            info = getattr(fn, "op_info", None)
            assert info is not None, f"{module.__name__}.{name} is not marked"
            assert info.kinds <= KINDS and (info.writes == bool(info.kinds))


@pytest.fixture
def posted(database):
    world = make_world(database)
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    return world, nid


def test_read_ops_never_write(database, posted):
    """The read ops of a notice's screens run on a read-only thread (a mislabelled write would raise there)."""
    _world, nid = posted
    calls = [
        (notices.list_notices, ()), (notices.show_notice, (nid,)), (notices.load_notice, (nid,)),
        (notices.item_page, (nid, 0, 10)), (notices.notice_heading, (nid,)), (notices.review_summary, (nid,)),
        (notices.notice_period, (nid,)), (notices.planned_period, (nid,)), (notices.notice_record, (nid,)),
        (postings.postable_boards, ()), (postings.posting_form, (nid,)), (postings.posting_plan, (nid, date(2026, 3, 3))),
        (postings.notice_postings, (nid,)), (postings.notice_evidence_exceptions, (nid,)),
        (objections.list_objections, (nid,)), (todo.todo, ()),
    ]
    for op, args in calls:
        assert not op_info(op).writes
        assert on_read_only_thread(op, database, ADMIN, *args) is not None, op.__name__
    assert {op for op, _ in calls} >= {fn for m in MODULES for fn in public_ops(m).values() if not op_info(fn).writes} - {
        notices.correction_summary, objections.objection}


def test_write_ops_report_what_they_changed(database, posted):
    """A write's result names the notice (and postings/objections) it changed, under the kinds the op declares."""
    world, nid = posted
    row = objections.add_objection(database, CLERK, nid, received_on=date(2026, 3, 3), content="反映收入不实",
                                   today=date(2026, 3, 3))
    assert changes_of(objections.add_objection, row).ids == (row.id, nid)
    result = objections.resolve_objection(database, CLERK, row.id, handling="核实", result="成立", closed_on=date(2026, 3, 4),
                                          changes_list=True, today=date(2026, 3, 4))
    changes = changes_of(objections.resolve_objection, result)
    assert changes.touches("notices") and result.correction_id in changes.ids
    new_id = result.correction_id
    submitted = notices.submit_notice(database, CLERK, new_id)
    assert changes_of(notices.submit_notice, submitted).ids == (new_id,)
    notices.approve_notice(database, REVIEWER, new_id)
    post = postings.register_posting(database, CLERK, new_id[:8], ["青山镇"], date(2026, 3, 5), today=date(2026, 3, 5))
    changes = changes_of(postings.register_posting, post)
    assert changes.kinds == {"notices", "postings"} and changes.ids[0] == new_id and len(changes.ids) == 2
    with pytest.raises(Exception, match="太短"):
        notices.explain_missing_evidence(database, ADMIN, new_id, "短")
