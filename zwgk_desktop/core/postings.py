"""Postings: a notice put up on one or more 公开栏 (township and village boards).

Owns:
- which boards a user may act on (village users: their own villages' boards);
- the 公示期 of a posting (`posting_period`): the catalogue rule through the
  work calendar, or — for a correction of a category that does not re-公示
  on objection — the remaining original period;
- `post_notice`: records the posted date per board with its planned end,
  moves 已审核 → 公示中, keeps the notice's period_start/period_end as the
  earliest start / latest end; refuses unapproved notices, future dates,
  boards already carrying the notice, and an incomplete holiday calendar
  unless the user confirmed (`accept_incomplete_calendar`);
- `record_removal`: the date a poster came down (never before it went up);
- `list_postings`: posting DTOs with their start/end photo evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.calendar import (
    CalendarIncomplete,
    PeriodResult,
    WorkCalendar,
    calendar_from_session,
    format_day,
)
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.disclosures import find_disclosure
from zwgk_desktop.core.lifecycle import ensure_not_archived, set_status
from zwgk_desktop.core.models import Disclosure, DisclosureItem, NoticeBoard, Photo, Posting, Village
from zwgk_desktop.core.status import POSTABLE, Status, status_label
from zwgk_desktop.core.users import POST, VIEW, Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed, NotFound

POSTABLE_STATUSES = POSTABLE


@dataclass
class BoardRow:
    id: str
    name: str
    village_id: str | None
    village_name: str
    location: str

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class PostingRow:
    id: str
    disclosure_id: str
    board_id: str
    board_name: str
    village_id: str | None
    posted_on: str
    planned_end: str | None
    removed_on: str | None
    posted_by: str
    has_start_photo: bool
    has_end_photo: bool

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class PostingPlan:
    """What the posting dialog shows before the user confirms: end date and why."""

    period: PeriodResult
    continued_from: str | None  # id of the replaced version whose period is continued, if any
    note: str

    @property
    def end(self) -> date:
        return self.period.end

    def as_json(self) -> dict:
        return {**self.period.as_json(), "continued_from": self.continued_from, "note": self.note}


@dataclass
class PostResult:
    disclosure_id: str
    status: str
    postings: list[PostingRow]
    period_start: str
    period_end: str
    explanation: str
    calendar_complete: bool
    warnings: list[str]

    def as_json(self) -> dict:
        data = asdict(self)
        data["postings"] = [p.as_json() for p in self.postings]
        return data


# --- boards --------------------------------------------------------------------------


def _board_row(board: NoticeBoard, village_names: dict[str, str]) -> BoardRow:
    return BoardRow(board.id, board.name, board.village_id, village_names.get(board.village_id or "", ""), board.location)


def boards_for(session: Session, actor: Actor) -> list[BoardRow]:
    """Active boards this user may post on: all for township staff, own villages' for village users."""
    actor.require(VIEW)
    villages = dict(session.execute(select(Village.id, Village.name)).all())
    order = dict(session.execute(select(Village.id, Village.sort_order)).all())
    boards = session.execute(select(NoticeBoard).where(NoticeBoard.active.is_(True))).scalars().all()
    rows = [_board_row(b, villages) for b in boards if actor.covers_village(b.village_id)]
    rows.sort(key=lambda r: (r.village_id is not None, order.get(r.village_id or "", 0), r.name))
    return rows


def require_board_access(actor: Actor, board: NoticeBoard) -> None:
    if not actor.covers_village(board.village_id):
        where = "乡镇公开栏" if board.village_id is None else f"“{board.name}”"
        raise NotAllowed(
            f"村级用户“{actor.label}”只能登记本村公开栏，不能操作{where}。",
            code="other_village",
            detail={"board_id": board.id},
        )


# --- the period ----------------------------------------------------------------------


def posting_period(
    session: Session, disclosure: Disclosure, posted_on: date, calendar: WorkCalendar | None = None,
) -> PostingPlan:
    """The 公示期 for a posting on `posted_on`, with the explanation the user sees.

    A correction of a category without `republish_on_objection` continues the
    replaced version's period when that period has not yet ended; 特困
    (republish) and everything else get a fresh period from the rule.
    """
    entry = get_entry(disclosure.category)
    cal = calendar or calendar_from_session(session)
    fresh = cal.period_end(posted_on, entry.rule)
    if disclosure.replaces_id and not entry.republish_on_objection:
        old = session.get(Disclosure, disclosure.replaces_id)
        if old is not None and old.period_end is not None and old.period_end >= posted_on:
            note = (
                f"本公示为第{old.version}版的更正版本，沿用原公示期，期满日 {format_day(old.period_end)}"
                f"（原公示自 {old.period_start.isoformat() if old.period_start else '—'} 起）。"
            )
            continued = _continued_period(fresh, old.period_end, note)
            return PostingPlan(continued, old.id, note)
    note = ""
    if disclosure.replaces_id and entry.republish_on_objection:
        note = f"{entry.short_name}公示经异议调查更正后须重新公示，公示期重新计算。"
    elif disclosure.replaces_id:
        note = "原公示期已过，更正版本重新计算公示期。"
    if note:
        fresh = _with_note(fresh, note)
    return PostingPlan(fresh, None, note)


def _continued_period(fresh: PeriodResult, end: date, note: str) -> PeriodResult:
    from dataclasses import replace

    return replace(fresh, end=end, explanation=note, skipped=(), rolled_from=None)


def _with_note(result: PeriodResult, note: str) -> PeriodResult:
    from dataclasses import replace

    return replace(result, explanation=f"{note}{result.explanation}")


# --- posting -------------------------------------------------------------------------


def preview_posting(
    session: Session, disclosure_id: str, posted_on: date, calendar: WorkCalendar | None = None,
) -> PostingPlan:
    d = find_disclosure(session, disclosure_id)
    return posting_period(session, d, posted_on, calendar)


def _check_posted_on(posted_on: date, today: date) -> None:
    if not isinstance(posted_on, date):
        raise InvalidInput("张贴日期无效，应为 YYYY-MM-DD 格式。")
    if posted_on > today:
        raise InvalidInput(
            f"张贴日期 {posted_on.isoformat()} 晚于今天（{today.isoformat()}），请张贴后再登记。",
            code="date_in_future",
        )


def post_notice(
    session: Session,
    actor: Actor,
    disclosure_id: str,
    board_ids: list[str],
    posted_on: date,
    *,
    note: str = "",
    today: date | None = None,
    calendar: WorkCalendar | None = None,
    accept_incomplete_calendar: bool = False,
) -> PostResult:
    """Record that a notice went up on boards on `posted_on`; 已审核 → 公示中."""
    actor.require(POST)
    today = today or date.today()
    d = find_disclosure(session, disclosure_id)
    ensure_not_archived(d)
    if d.status in (Status.DRAFT, Status.PENDING_REVIEW):
        raise NotAllowed(
            f"公示“{d.title}”当前为“{status_label(d.status)}”，尚未审核通过，不能张贴。请先提交审核并经审核人通过。",
            code="not_approved",
        )
    if d.status not in POSTABLE_STATUSES:
        raise NotAllowed(f"公示“{d.title}”当前为“{status_label(d.status)}”，不能再登记张贴。", code="bad_status")
    if not board_ids:
        raise InvalidInput("请至少选择一块公开栏。")
    _check_posted_on(posted_on, today)
    boards = _load_boards(session, actor, board_ids, d)
    plan = posting_period(session, d, posted_on, calendar)
    if not plan.period.calendar_complete and not accept_incomplete_calendar:
        raise CalendarIncomplete(
            "；".join(plan.period.warnings) + " 如确认按此日期张贴，请在确认后重试（命令行加 --accept-incomplete-calendar）。",
            detail={"missing_years": list(plan.period.missing_years)},
        )
    created = []
    for board in boards:
        posting = Posting(
            disclosure_id=d.id, board_id=board.id, posted_on=posted_on, planned_end=plan.end,
            posted_by=actor.username, note=note.strip(),
        )
        session.add(posting)
        created.append(posting)
    session.flush()
    _refresh_period(session, d)
    if d.status == Status.APPROVED:
        set_status(session, actor, d, Status.PUBLISHING, f"张贴于{'、'.join(b.name for b in boards)}")
    session.flush()
    rows = [_posting_row(session, p) for p in created]
    return PostResult(
        disclosure_id=d.id, status=d.status, postings=rows,
        period_start=d.period_start.isoformat(), period_end=d.period_end.isoformat(),
        explanation=plan.period.explanation, calendar_complete=plan.period.calendar_complete,
        warnings=list(plan.period.warnings),
    )


def _load_boards(session: Session, actor: Actor, board_ids: list[str], d: Disclosure) -> list[NoticeBoard]:
    boards = []
    for board_id in dict.fromkeys(board_ids):
        board = session.get(NoticeBoard, board_id)
        if board is None:
            raise NotFound(f"找不到编号为 {board_id} 的公开栏。")
        require_board_access(actor, board)
        if not board.active:
            raise InvalidInput(f"公开栏“{board.name}”已停用。")
        already = session.execute(
            select(Posting.id).where(
                Posting.disclosure_id == d.id, Posting.board_id == board.id, Posting.removed_on.is_(None)
            )
        ).scalar()
        if already:
            raise InvalidInput(f"这条公示已登记张贴在“{board.name}”，无需重复登记。", code="already_posted")
        boards.append(board)
    return boards


def _refresh_period(session: Session, d: Disclosure) -> None:
    start, end = session.execute(
        select(func.min(Posting.posted_on), func.max(Posting.planned_end)).where(Posting.disclosure_id == d.id)
    ).one()
    d.period_start, d.period_end = start, end


def record_removal(
    session: Session, actor: Actor, posting_id: str, removed_on: date, *, today: date | None = None,
) -> PostingRow:
    """Record the day a poster was taken down (≥ the day it went up, not in the future)."""
    actor.require(POST)
    today = today or date.today()
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise NotFound(f"找不到编号为 {posting_id} 的张贴记录。")
    ensure_not_archived(posting.disclosure)
    require_board_access(actor, posting.board)
    if posting.removed_on is not None:
        raise InvalidInput(f"该张贴已于 {posting.removed_on.isoformat()} 登记撤下。", code="already_removed")
    if not isinstance(removed_on, date):
        raise InvalidInput("撤下日期无效，应为 YYYY-MM-DD 格式。")
    if removed_on < posting.posted_on:
        raise InvalidInput(
            f"撤下日期 {removed_on.isoformat()} 早于张贴日期 {posting.posted_on.isoformat()}，日期先后颠倒，请核对。",
            code="date_order",
        )
    if removed_on > today:
        raise InvalidInput(f"撤下日期 {removed_on.isoformat()} 晚于今天，请撤下后再登记。", code="date_in_future")
    posting.removed_on = removed_on
    session.flush()
    return _posting_row(session, posting)


def early_removal(row: PostingRow) -> bool:
    """True when a poster came down before its period ended (a compliance problem worth showing)."""
    return bool(row.removed_on and row.planned_end and row.removed_on < row.planned_end)


# --- reading -------------------------------------------------------------------------


def _photo_roles(session: Session, posting_ids: list[str]) -> dict[str, set[str]]:
    from zwgk_desktop.core.photo_links import posting_photo_roles  # a photo of two notices counts for both

    return posting_photo_roles(session, posting_ids)


def _posting_row(session: Session, p: Posting, roles: dict[str, set[str]] | None = None) -> PostingRow:
    if roles is None:
        roles = _photo_roles(session, [p.id])
    have = roles.get(p.id, set())
    return PostingRow(
        id=p.id, disclosure_id=p.disclosure_id, board_id=p.board_id, board_name=p.board.name,
        village_id=p.board.village_id, posted_on=p.posted_on.isoformat(),
        planned_end=p.planned_end.isoformat() if p.planned_end else None,
        removed_on=p.removed_on.isoformat() if p.removed_on else None, posted_by=p.posted_by,
        has_start_photo="start" in have, has_end_photo="end" in have,
    )


def list_postings(session: Session, disclosure_id: str, actor: Actor | None = None) -> list[PostingRow]:
    """A notice's postings (a village user sees only their own boards')."""
    d = find_disclosure(session, disclosure_id)
    postings = session.execute(
        select(Posting).where(Posting.disclosure_id == d.id).order_by(Posting.posted_on, Posting.created_at)
    ).scalars().all()
    if actor is not None:
        postings = [p for p in postings if actor.covers_village(p.board.village_id)]
    roles = _photo_roles(session, [p.id for p in postings])
    return [_posting_row(session, p, roles) for p in postings]


def notice_village_ids(session: Session, disclosure_id: str) -> set[str]:
    """Villages a notice concerns: its items' villages and the villages of boards it is posted on."""
    items = set(session.execute(
        select(DisclosureItem.village_id).where(DisclosureItem.disclosure_id == disclosure_id).distinct()
    ).scalars())
    boards = set(session.execute(
        select(NoticeBoard.village_id).join(Posting, Posting.board_id == NoticeBoard.id)
        .where(Posting.disclosure_id == disclosure_id)
    ).scalars())
    return (items | boards) - {None}


def require_notice_access(session: Session, actor: Actor, disclosure: Disclosure) -> None:
    """A village user may act only on notices concerning their villages."""
    if not actor.is_village_scoped:
        return
    if not (notice_village_ids(session, disclosure.id) & set(actor.village_ids)):
        raise NotAllowed(
            f"村级用户“{actor.label}”只能办理本村的公示，“{disclosure.title}”不涉及本村。",
            code="other_village",
        )
