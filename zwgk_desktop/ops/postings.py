"""Postings as ops: the boards a user may post on, the period a posting would get, registering a posting and a
removal, a notice's postings with their period and photo evidence, the 情况说明 recorded for missing photos.

Rules live in `core.postings`; a notice ID is resolved by `core.disclosures.find_disclosure`, a board by id
or name (`core.postings.find_board`), a posting by id or a unique prefix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from zwgk_desktop.core.disclosures import find_disclosure
from zwgk_desktop.core.postings import (
    BoardRow,
    EvidenceNote,
    PostingPlan,
    PostingRow,
    PostResult,
    boards_for,
    evidence_exceptions,
    find_board,
    list_postings,
    post_notice,
    preview_posting,
    record_removal,
    taken_board_ids,
    township_board,
)
from zwgk_desktop.core.users import VIEW, Actor
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes


@reads
def postable_boards(db, actor: Actor) -> list[BoardRow]:
    """Active boards this user may post on (a 村级用户: their villages' boards)."""
    with read_session(db, actor) as session:
        return boards_for(session, actor)


@dataclass
class PostingForm:
    """What the posting dialog needs before the user picks: the notice, the boards, those already carrying it."""

    disclosure_id: str
    title: str
    status: str
    boards: list[BoardRow]
    taken: set[str] = field(default_factory=set)
    planned_posting_day: date | None = None  # chosen when the poster was printed before posting

    def as_json(self) -> dict:
        data = asdict(self)
        data["taken"] = sorted(self.taken)
        return data


@reads
def posting_form(db, actor: Actor, notice_id: str) -> PostingForm:
    actor.require(VIEW)
    with read_session(db, actor) as session:
        d = find_disclosure(session, notice_id)
        return PostingForm(d.id, d.title, d.status, boards_for(session, actor), taken_board_ids(session, d.id),
                           d.planned_posting_day)


@reads
def posting_plan(db, actor: Actor, notice_id: str, posted_on: date) -> PostingPlan:
    """The 公示期 a posting on `posted_on` would get, why, and a warning when the poster was printed for
    another posting day."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return preview_posting(session, notice_id, posted_on)


@writes("notices", "postings")
def register_posting(db, actor: Actor, notice_id: str, boards: list[str], posted_on: date, *, note: str = "",
                     today: date | None = None, accept_incomplete_calendar: bool = False) -> PostResult:
    """Record the posting on `boards` (ids or names; none: the township board); 已审核 → 公示中."""
    with unit_of_work(db, actor) as session:
        board_ids = [find_board(session, ref).id for ref in boards] if boards else [township_board(session).id]
        return post_notice(session, actor, notice_id, board_ids, posted_on, note=note, today=today,
                           accept_incomplete_calendar=accept_incomplete_calendar)


@writes("postings")
def register_removal(db, actor: Actor, posting_id: str, removed_on: date, *, today: date | None = None) -> PostingRow:
    """Record the day a poster came down (never before it went up, never in the future)."""
    with unit_of_work(db, actor) as session:
        return record_removal(session, actor, posting_id, removed_on, today=today)


@reads
def notice_postings(db, actor: Actor, notice_id: str) -> list[PostingRow]:
    """A notice's postings with their 公示期 and ✔/⚠/✘ photo evidence (a 村级用户: their boards only)."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return list_postings(session, notice_id, actor)


@reads
def notice_evidence_exceptions(db, actor: Actor, notice_id: str) -> list[EvidenceNote]:
    """The 情况说明 recorded for a notice's missing photos (what the evidence sheet prints)."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return evidence_exceptions(session, find_disclosure(session, notice_id).id)
