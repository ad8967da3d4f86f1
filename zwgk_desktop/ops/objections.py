"""Objections (异议) as ops: register, resolve (an upheld one that changes the list starts the re-公示 version),
list (a corrected version lists the objections that led to it), and one objection for the handling dialog.

Rules live in `core.objections`.
"""

from __future__ import annotations

from datetime import date

from zwgk_desktop.core import objections
from zwgk_desktop.core.objections import ObjectionRow, ResolveResult
from zwgk_desktop.core.users import VIEW, Actor
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes


@writes("objections")
def add_objection(db, actor: Actor, notice_id: str, *, received_on: date, content: str, from_name: str = "",
                  channel: str = "", today: date | None = None) -> ObjectionRow:
    with unit_of_work(db, actor) as session:
        return objections.add_objection(session, actor, notice_id, received_on=received_on, content=content,
                                        from_name=from_name, channel=channel, today=today)


@writes("objections", "notices", "items")
def resolve_objection(db, actor: Actor, objection_id: str, *, handling: str, result: str, closed_on: date,
                      changes_list: bool = False, today: date | None = None) -> ResolveResult:
    """Record handling and result; `changes_list` (upheld, the list changes) creates the corrected version
    that is posted again for a full 公示期."""
    with unit_of_work(db, actor) as session:
        return objections.resolve_objection(session, actor, objection_id, handling=handling, result=result,
                                            closed_on=closed_on, changes_list=changes_list, today=today)


@reads
def list_objections(db, actor: Actor, notice_id: str) -> list[ObjectionRow]:
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return objections.list_objections(session, notice_id)


@reads
def objection(db, actor: Actor, objection_id: str) -> ObjectionRow:
    """One objection (id or unique prefix), for the handling dialog's heading."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return objections.objection_heading(session, objection_id)
