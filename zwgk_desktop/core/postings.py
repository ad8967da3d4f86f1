"""Postings: a notice put up on one or more 公开栏 (township and village boards), its 公示期 and its photo evidence.

Owns:
- which boards a user may act on (village users: their own villages' boards);
- the 公示期 of a posting (`posting_period` → `PostingPlan` with a
  `core.periods.NoticePeriod`): the catalogue rule through the work calendar,
  computed once and STORED with the posting (`Posting.period`) and the version
  (`Disclosure.period`). A correction re-公示s with a full fresh period —
  always after an upheld objection that changed the list — except a
  typo-only correction (`correction_kind == "typo"`) of a category whose
  rule allows it (`typo_correction_keeps_period`), which keeps the remaining
  days of the replaced version, the reason recorded in the period's note;
- the *planned* period before posting (`planned_period`, default posting day:
  the next working day) and recording the planned posting day chosen when a
  poster is printed before posting (`record_planned_posting`); `notice_period`
  is what every surface shows for a version: its posted period, else its
  planned one;
- `post_notice`: records the posted date per board with its period, moves
  已审核 → 公示中, keeps the notice's period_start/period_end as the earliest
  posting day / latest end; refuses unapproved notices, future dates, boards
  already carrying the notice, and an incomplete holiday calendar unless the
  user confirmed (`accept_incomplete_calendar`);
- `record_removal`: the date a poster came down (never before it went up);
- photo evidence: a posting needs a clear start photo and a clear end photo;
  a photo with any of `DISQUALIFYING_FLAGS` is shown ⚠ with its flags and is
  never evidence (`posting_evidence`); a reviewer's 情况说明 (≥ 10 characters,
  `record_evidence_exception`) stands in for what cannot be photographed;
  `evidence_gaps` / `require_evidence` are the gate before 办结 and 归档, and
  `evidence_exceptions` is what the evidence sheet prints;
- `list_postings`: posting DTOs with their period and evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.calendar import CalendarIncomplete, WorkCalendar, calendar_from_session, format_day
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.disclosures import find_disclosure
from zwgk_desktop.core.ids import resolve_id
from zwgk_desktop.core.lifecycle import correction_summary, ensure_not_archived, set_status, user_labels
from zwgk_desktop.core.models import (
    Disclosure,
    DisclosureItem,
    EvidenceException,
    NoticeBoard,
    Posting,
    Village,
)
from zwgk_desktop.core.periods import NoticePeriod, days_text, period_of, recorded_period, screen_period_text
from zwgk_desktop.core.photo_links import EVIDENCE_DISQUALIFYING_FLAGS, PHOTO_FLAG_LABELS, posting_photos
from zwgk_desktop.core.status import INACTIVE, POSTABLE, Status, status_label
from zwgk_desktop.core.townships import BoardRow, board_row
from zwgk_desktop.core.users import EDIT, POST, REVIEW, VIEW, Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed, NotFound, ZwgkError

POSTABLE_STATUSES = POSTABLE

# Photo flags (services.photos) that mean a photo is not evidence: unclear, untimed, mistimed, or of another notice.
DISQUALIFYING_FLAGS = EVIDENCE_DISQUALIFYING_FLAGS  # the one list (core.photo_links)
ROLE_LABELS = {"start": "张贴照", "end": "期满照"}
MIN_EXCEPTION_LENGTH = 10


class EvidenceMissing(ZwgkError):
    """A notice cannot be concluded/archived while photo evidence is missing and no 情况说明 covers it."""

    code = "evidence_missing"


@dataclass(frozen=True)
class PhotoEvidence:
    """One role (start/end) of one posting: ok (a clear photo), flagged (only photos with problems), or missing."""

    role: str
    state: str  # ok | flagged | missing
    flags: tuple[str, ...] = ()
    photo_ids: tuple[str, ...] = ()
    excused: bool = False  # a 情况说明 covers it

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    @property
    def mark(self) -> str:
        return {"ok": "✔", "flagged": "⚠"}.get(self.state, "✘")

    @property
    def flag_text(self) -> str:
        return "、".join(PHOTO_FLAG_LABELS.get(f, f) for f in self.flags)

    @property
    def text(self) -> str:
        """'✔ 张贴照' / '⚠ 张贴照：画面模糊' / '✘ 缺期满照' (+ '（已登记情况说明）')."""
        label = ROLE_LABELS.get(self.role, self.role)
        if self.state == "ok":
            text = f"✔ {label}"
        elif self.state == "flagged":
            text = f"⚠ {label}：{self.flag_text}"
        else:
            text = f"✘ 缺{label}"
        return text + ("（已登记情况说明）" if self.excused and not self.ok else "")

    def as_json(self) -> dict:
        return {"role": self.role, "state": self.state, "flags": list(self.flags), "photo_ids": list(self.photo_ids),
                "excused": self.excused, "mark": self.mark, "text": self.text}


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
    has_start_photo: bool  # a CLEAR start photo (flagged ones don't count)
    has_end_photo: bool
    period: dict | None = None  # NoticePeriod.as_json() of this posting
    period_text: str = ""
    start_photo: dict = field(default_factory=dict)  # PhotoEvidence.as_json()
    end_photo: dict = field(default_factory=dict)
    posted_by_name: str = ""
    exception: str = ""  # the 情况说明 covering this posting, if any

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class PostingPlan:
    """What the posting dialog shows before the user confirms: the period and why."""

    period: NoticePeriod
    continued_from: str | None  # id of the replaced version whose period is continued, if any
    note: str
    warnings: list[str] = field(default_factory=list)

    @property
    def end(self) -> date:
        return self.period.end

    @property
    def calendar_complete(self) -> bool:
        return self.period.calendar_complete

    def as_json(self) -> dict:
        data = self.period.as_json()
        data["warnings"] = [*data["warnings"], *self.warnings]
        return {**data, "continued_from": self.continued_from, "note": self.note}


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
    period: dict | None = None

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return (self.disclosure_id, *(p.id for p in self.postings))

    def as_json(self) -> dict:
        data = asdict(self)
        data["postings"] = [p.as_json() for p in self.postings]
        return data


@dataclass
class EvidenceNote:
    """A 情况说明 recorded for missing photo evidence (what the evidence sheet prints)."""

    id: str
    disclosure_id: str
    posting_id: str | None
    board_name: str  # "" when it covers every posting of the notice
    text: str
    recorded_by: str
    recorded_by_name: str
    recorded_at: str

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return (self.disclosure_id,)

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class EvidenceGap:
    posting_id: str
    board_name: str
    role: str
    state: str
    flags: tuple[str, ...]
    excused: bool = False  # a 情况说明 covers it

    @property
    def text(self) -> str:
        label = ROLE_LABELS.get(self.role, self.role)
        if self.state == "flagged":
            reasons = "、".join(PHOTO_FLAG_LABELS.get(f, f) for f in self.flags)
            text = f"{self.board_name}的{label}不合格（{reasons}）"
        else:
            text = f"{self.board_name}缺{label}"
        return text + ("（已登记情况说明）" if self.excused else "")

    def as_json(self) -> dict:
        return {"posting_id": self.posting_id, "board_name": self.board_name, "role": self.role, "state": self.state,
                "flags": list(self.flags), "excused": self.excused, "text": self.text}


# --- boards --------------------------------------------------------------------------


def boards_for(session: Session, actor: Actor) -> list[BoardRow]:
    """Active boards this user may post on: all for township staff, own villages' for village users."""
    actor.require(VIEW)
    villages = dict(session.execute(select(Village.id, Village.name)).all())
    order = dict(session.execute(select(Village.id, Village.sort_order)).all())
    boards = session.execute(select(NoticeBoard).where(NoticeBoard.active.is_(True))).scalars().all()
    rows = [board_row(b, villages) for b in boards if actor.covers_village(b.village_id)]
    rows.sort(key=lambda r: (r.village_id is not None, order.get(r.village_id or "", 0), r.name))
    return rows


def find_board(session: Session, ref: str) -> NoticeBoard:
    """A board by id, exact name or name prefix ('青山村' → 青山村村务公开栏)."""
    board = session.get(NoticeBoard, ref) or session.execute(
        select(NoticeBoard).where(NoticeBoard.name == ref)).scalar()
    if board is None:
        matches = session.execute(select(NoticeBoard).where(NoticeBoard.name.like(f"{ref}%")).limit(2)).scalars().all()
        board = matches[0] if len(matches) == 1 else None
    if board is None:
        raise NotFound(f"找不到公开栏“{ref}”。")
    return board


def township_board(session: Session) -> NoticeBoard:
    board = session.execute(select(NoticeBoard).where(NoticeBoard.village_id.is_(None))).scalar()
    if board is None:
        raise NotFound("没有乡镇公开栏，请先运行 zwgk township init。")
    return board


def require_board_access(actor: Actor, board: NoticeBoard) -> None:
    if not actor.covers_village(board.village_id):
        where = "乡镇公开栏" if board.village_id is None else f"“{board.name}”"
        raise NotAllowed(
            f"村级用户“{actor.label}”只能登记本村公开栏，不能操作{where}。",
            code="other_village",
            detail={"board_id": board.id},
        )


# --- the period ----------------------------------------------------------------------


def next_posting_day(calendar: WorkCalendar, today: date) -> date:
    """The default planned posting day: the next working day after today."""
    return calendar.next_workday(today + timedelta(days=1))


def posting_period(
    session: Session, disclosure: Disclosure, posted_on: date, calendar: WorkCalendar | None = None,
) -> PostingPlan:
    """The 公示期 for a posting on `posted_on`, with the explanation the user sees (see the module doc)."""
    entry = get_entry(disclosure.category)
    cal = calendar or calendar_from_session(session)
    fresh = NoticePeriod.from_result(cal.period_end(posted_on, entry.rule))
    if not disclosure.replaces_id:
        return PostingPlan(fresh, None, "")
    old = session.get(Disclosure, disclosure.replaces_id)
    kind = disclosure.correction_kind or "content"
    reason = (disclosure.correction_reason or "").strip()
    version = old.version if old is not None else disclosure.version - 1
    if kind == "objection":
        note = (f"第{version}版公示期间异议经复查成立、名单已更正，按规定重新公示："
                f"自张贴之日起重新计算完整公示期（{days_text(fresh)}）。")
    elif kind == "typo":
        note = _typo_note(session, disclosure, entry, old, posted_on, cal)
        if isinstance(note, NoticePeriod):
            return PostingPlan(note, old.id, note.note)
    elif old is not None and old.period_start is None:
        note = f"第{version}版未曾张贴，更正版本按完整公示期公示（{days_text(fresh)}）。"
    else:
        note = f"第{version}版的更正版本重新公示，公示期重新计算（{days_text(fresh)}）。"
        if reason:
            note = f"第{version}版的更正版本（{reason}）重新公示，公示期重新计算（{days_text(fresh)}）。"
    return PostingPlan(fresh.with_note(note), None, note)


def _typo_note(session, disclosure, entry, old, posted_on, cal) -> str | NoticePeriod:
    """A typo correction: the continued period when the rule allows it and time is left, else why not."""
    if old is None:
        return "原公示已不存在，公示期重新计算。"
    if not entry.typo_correction_keeps_period or entry.republish_on_objection:
        return f"{entry.short_name}公示的更正须重新公示，公示期重新计算（本类别规则不允许沿用原公示期）。"
    summary = correction_summary(session, disclosure.id)
    if summary.list_changed:
        return f"更正版本名单有变动（{summary.change_text}），不属于仅更正文字，公示期重新计算。"
    old_period = notice_period(session, old, calendar=cal)
    if old_period is None or old_period.planned:
        return f"第{old.version}版尚未张贴，更正版本按完整公示期公示。"
    reason = (disclosure.correction_reason or "").strip() or "更正文字错误"
    continued = old_period.continued_from(
        posted_on, cal,
        reason=f"第{old.version}版仅更正文字错误（{reason}），按{entry.short_name}公示规则沿用原公示期。",
    )
    if continued.counted_days <= 0:
        return f"原公示期已于 {format_day(old_period.end)} 结束，更正版本重新计算公示期。"
    return continued


def posting_periods(session: Session, postings: list[Posting], calendar: WorkCalendar | None = None) -> dict[str, NoticePeriod]:
    """Each posting's stored period; postings recorded before periods were stored get their recorded dates back
    (computed once per notice, posted day and end: the boards of one notice share that frozen period)."""
    periods: dict[str, NoticePeriod] = {}
    recorded: dict[tuple[str, date, date | None], NoticePeriod] = {}
    cal = None
    for p in postings:
        stored = period_of(p.period)
        if stored is None:
            key = (p.disclosure_id, p.posted_on, p.planned_end)
            stored = recorded.get(key)
            if stored is None:
                cal = cal or calendar or calendar_from_session(session)
                rule = get_entry(p.disclosure.category).rule
                stored = recorded[key] = recorded_period(p.posted_on, p.planned_end, cal.period_end(p.posted_on, rule), cal)
        periods[p.id] = stored
    return periods


def notice_period(session: Session, disclosure: Disclosure, *, today: date | None = None,
                  calendar: WorkCalendar | None = None) -> NoticePeriod | None:
    """The 公示期 every surface shows for a version: its posted period (the first posting's), else its planned
    one (the recorded planned posting day, else the next working day); None for a withdrawn/archived notice
    that was never posted."""
    stored = period_of(disclosure.period)
    if stored is not None and not stored.planned:
        return stored
    first = session.execute(
        select(Posting).where(Posting.disclosure_id == disclosure.id).order_by(Posting.posted_on, Posting.created_at).limit(1)
    ).scalar()
    if first is not None:
        return posting_periods(session, [first], calendar)[first.id]
    if stored is not None:
        return stored
    if disclosure.status in INACTIVE:
        return None
    return planned_period(session, disclosure, None, today=today, calendar=calendar)


def planned_period(session: Session, disclosure: Disclosure, posting_day: date | None = None, *,
                   today: date | None = None, calendar: WorkCalendar | None = None) -> NoticePeriod:
    """The period the notice WILL have if posted on `posting_day` (default: the recorded planned day,
    else the next working day after today), marked `planned`."""
    cal = calendar or calendar_from_session(session)
    day = posting_day or disclosure.planned_posting_day or next_posting_day(cal, today or date.today())
    return posting_period(session, disclosure, day, cal).period.as_planned()


def record_planned_posting(session: Session, actor: Actor, disclosure_id: str, posting_day: date, *,
                           today: date | None = None, calendar: WorkCalendar | None = None) -> NoticePeriod:
    """Record the planned posting day chosen when printing before posting; the planned period is stored with
    the version so the poster, the screens and the posting dialog show the same dates. A posted notice keeps
    its posted period (returned unchanged). Whoever prepares or posts notices may plan (经办人, 村级用户, 管理员)."""
    if not actor.can(EDIT):
        actor.require(POST)
    today = today or date.today()
    d = find_disclosure(session, disclosure_id)
    ensure_not_archived(d)
    current = period_of(d.period)
    if current is not None and not current.planned:
        return current
    if d.status in INACTIVE:
        raise NotAllowed(f"公示“{d.title}”当前为“{status_label(d.status)}”，不能再安排张贴。", code="bad_status")
    if not isinstance(posting_day, date):
        raise InvalidInput("计划张贴日期无效，应为 YYYY-MM-DD 格式。")
    if posting_day < today:
        raise InvalidInput(
            f"计划张贴日期 {posting_day.isoformat()} 早于今天（{today.isoformat()}），请选择今天或以后的日期。",
            code="date_in_past",
        )
    period = planned_period(session, d, posting_day, today=today, calendar=calendar)
    d.planned_posting_day = posting_day
    d.period = period.stored()
    session.flush()
    return period


# --- posting -------------------------------------------------------------------------


def preview_posting(
    session: Session, disclosure_id: str, posted_on: date, calendar: WorkCalendar | None = None,
) -> PostingPlan:
    d = find_disclosure(session, disclosure_id)
    plan = posting_period(session, d, posted_on, calendar)
    plan.warnings.extend(_plan_mismatch(d, plan.period))
    return plan


def _plan_mismatch(d: Disclosure, period: NoticePeriod) -> list[str]:
    """A warning when the poster was printed for another posting day than the one being registered."""
    planned = period_of(d.period)
    if planned is None or not planned.planned or planned.posted_on == period.posted_on:
        return []
    return [
        f"张贴稿是按计划张贴日 {planned.posted_on.isoformat()} 打印的，印的公示期为 {screen_period_text(planned)}；"
        f"按 {period.posted_on.isoformat()} 张贴，公示期为 {screen_period_text(period)}。请重新打印张贴稿，使海报与登记一致。"
    ]


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
    """Record that a notice went up on boards on `posted_on`; 已审核 → 公示中; the period is stored."""
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
    period = plan.period
    if not period.calendar_complete and not accept_incomplete_calendar:
        raise CalendarIncomplete(
            "；".join(period.warnings) + " 如确认按此日期张贴，请在确认后重试（命令行加 --accept-incomplete-calendar）。",
            detail={"missing_years": list(period.missing_years)},
        )
    warnings = [*period.warnings, *_plan_mismatch(d, period)]
    created = []
    for board in boards:
        posting = Posting(
            disclosure_id=d.id, board_id=board.id, posted_on=posted_on, planned_end=period.end,
            posted_by=actor.username, note=note.strip(), period=period.stored(),
        )
        session.add(posting)
        created.append(posting)
    session.flush()
    version_period = period_of(d.period)
    if version_period is None or version_period.planned or posted_on < version_period.posted_on:
        d.period = period.stored()
    _refresh_period(session, d)
    if d.status == Status.APPROVED:
        set_status(session, actor, d, Status.PUBLISHING, f"张贴于{'、'.join(b.name for b in boards)}")
    session.flush()
    rows = _posting_rows(session, created)
    return PostResult(
        disclosure_id=d.id, status=d.status, postings=rows,
        period_start=d.period_start.isoformat(), period_end=d.period_end.isoformat(),
        explanation=period.full_explanation, calendar_complete=period.calendar_complete,
        warnings=warnings, period=period.as_json(),
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


def find_posting(session: Session, posting_id: str) -> Posting:
    """A posting by full id or a unique prefix, like notice IDs (`core.ids.resolve_id`)."""
    return resolve_id(session, Posting, posting_id, what="张贴记录", hint="可用 zwgk notice postings 公示编号 查看。")


def record_removal(
    session: Session, actor: Actor, posting_id: str, removed_on: date, *, today: date | None = None,
) -> PostingRow:
    """Record the day a poster was taken down (≥ the day it went up, not in the future)."""
    actor.require(POST)
    today = today or date.today()
    posting = find_posting(session, posting_id)
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
    return _posting_rows(session, [posting])[0]


def early_removal(row: PostingRow) -> bool:
    """True when a poster came down before its period ended (a compliance problem worth showing)."""
    return bool(row.removed_on and row.planned_end and row.removed_on < row.planned_end)


# --- evidence ------------------------------------------------------------------------


def photo_evidence(session: Session, posting_ids: list[str]) -> dict[tuple[str, str], PhotoEvidence]:
    """(posting id, role) → the evidence state of that role, for every given posting and both roles."""
    found: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
    for pid, photos in posting_photos(session, posting_ids).items():  # a photo of two notices counts for both
        for photo in photos:
            found.setdefault((pid, photo.role), []).append((photo.photo_id, photo.flags))
    covered = _excused_postings(session, posting_ids)
    result = {}
    for pid in posting_ids:
        for role in ("start", "end"):
            photos = found.get((pid, role), [])
            clear = [i for i, flags in photos if not DISQUALIFYING_FLAGS.intersection(flags)]
            excused = pid in covered
            if clear:
                result[(pid, role)] = PhotoEvidence(role, "ok", (), tuple(clear), excused)
            elif photos:
                flags = tuple(dict.fromkeys(f for _i, fl in photos for f in fl if f in DISQUALIFYING_FLAGS))
                result[(pid, role)] = PhotoEvidence(role, "flagged", flags, tuple(i for i, _f in photos), excused)
            else:
                result[(pid, role)] = PhotoEvidence(role, "missing", (), (), excused)
    return result


def _excused_postings(session: Session, posting_ids: list[str]) -> set[str]:
    """Postings a 情况说明 covers (one for the posting itself, or one for its whole notice)."""
    if not posting_ids:
        return set()
    rows = session.execute(
        select(Posting.id, Posting.disclosure_id).where(Posting.id.in_(posting_ids))
    ).all()
    notices = {nid for _pid, nid in rows}
    exceptions = session.execute(
        select(EvidenceException.disclosure_id, EvidenceException.posting_id)
        .where(EvidenceException.disclosure_id.in_(notices))
    ).all()
    whole = {nid for nid, pid in exceptions if pid is None}
    single = {pid for _nid, pid in exceptions if pid is not None}
    return {pid for pid, nid in rows if nid in whole or pid in single}


def evidence_gaps(session: Session, disclosure: Disclosure, *, excused: bool = False) -> list[EvidenceGap]:
    """Start/end photos still missing or unclear on the notice's postings (without `excused`: those a
    情况说明 covers are left out, i.e. what still blocks 办结/归档)."""
    postings = session.execute(
        select(Posting).where(Posting.disclosure_id == disclosure.id).order_by(Posting.posted_on, Posting.created_at)
    ).scalars().all()
    evidence = photo_evidence(session, [p.id for p in postings])
    gaps = []
    for p in postings:
        for role in ("start", "end"):
            e = evidence[(p.id, role)]
            if e.ok or (e.excused and not excused):
                continue
            gaps.append(EvidenceGap(p.id, p.board.name, role, e.state, e.flags, e.excused))
    return gaps


def require_evidence(session: Session, disclosure: Disclosure, action: str) -> None:
    """Refuse `action` (办结/归档) while a posting lacks a clear start or end photo and no 情况说明 covers it."""
    gaps = evidence_gaps(session, disclosure)
    if not gaps:
        return
    by_board: dict[str, list[EvidenceGap]] = {}
    for gap in gaps:
        by_board.setdefault(gap.board_name, []).append(gap)
    parts = []
    for board, board_gaps in by_board.items():
        texts = []
        for g in board_gaps:
            label = ROLE_LABELS.get(g.role, g.role)
            texts.append(f"{label}不合格（{'、'.join(PHOTO_FLAG_LABELS.get(f, f) for f in g.flags)}）"
                         if g.state == "flagged" else f"缺{label}")
        parts.append(f"{board}{'、'.join(texts)}")
    raise EvidenceMissing(
        f"公示“{disclosure.title}”还不能{action}：{'；'.join(parts)}。"
        f"请补拍清晰的照片并关联到对应张贴，或由审核人登记情况说明（不少于{MIN_EXCEPTION_LENGTH}个字，"
        f"命令行：zwgk notice explain {disclosure.id[:8]} --text \"…\"）后再{action}。",
        detail={"disclosure_id": disclosure.id, "missing": [g.as_json() for g in gaps]},
    )


def record_evidence_exception(
    session: Session, actor: Actor, disclosure_id: str, text: str, *, posting_id: str | None = None,
) -> EvidenceNote:
    """A reviewer's 情况说明 for photos that cannot be provided (stored, audited, printed on the evidence sheet)."""
    actor.require(REVIEW)
    d = find_disclosure(session, disclosure_id)
    ensure_not_archived(d)
    content = (text or "").strip()
    if len(content) < MIN_EXCEPTION_LENGTH:
        raise InvalidInput(
            f"情况说明太短（{len(content)}个字）：请写明缺少哪张照片、为什么无法补拍，至少{MIN_EXCEPTION_LENGTH}个字。",
            code="explanation_too_short",
        )
    if d.status not in (Status.PUBLISHING, Status.EXPIRED):
        raise NotAllowed(
            f"公示“{d.title}”当前为“{status_label(d.status)}”，只有公示中或期满的公示可以登记留档情况说明。",
            code="bad_status",
        )
    posting = None
    if posting_id:
        posting = find_posting(session, posting_id)
        if posting.disclosure_id != d.id:
            raise InvalidInput("该张贴记录不属于这条公示。", code="wrong_posting")
    row = EvidenceException(disclosure_id=d.id, posting_id=posting.id if posting else None, text=content,
                            recorded_by=actor.username)
    session.add(row)
    session.flush()
    return _note(row, posting.board.name if posting else "", user_labels(session))


def _note(row: EvidenceException, board_name: str, names: dict[str, str]) -> EvidenceNote:
    return EvidenceNote(
        id=row.id, disclosure_id=row.disclosure_id, posting_id=row.posting_id, board_name=board_name, text=row.text,
        recorded_by=row.recorded_by, recorded_by_name=names.get(row.recorded_by, row.recorded_by),
        recorded_at=row.created_at.isoformat(timespec="seconds") if row.created_at else "",
    )


def evidence_exceptions(session: Session, disclosure_id: str) -> list[EvidenceNote]:
    """The 情况说明 recorded for a notice's missing photo evidence, oldest first (for the evidence sheet)."""
    rows = session.execute(
        select(EvidenceException, NoticeBoard.name)
        .outerjoin(Posting, EvidenceException.posting_id == Posting.id)
        .outerjoin(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .where(EvidenceException.disclosure_id == disclosure_id)
        .order_by(EvidenceException.created_at)
    ).all()
    names = user_labels(session)
    return [_note(row, board or "", names) for row, board in rows]


# --- reading -------------------------------------------------------------------------


def _posting_rows(session: Session, postings: list[Posting]) -> list[PostingRow]:
    ids = [p.id for p in postings]
    evidence = photo_evidence(session, ids)
    periods = posting_periods(session, postings)
    names = user_labels(session)
    exceptions: dict[str, str] = {}
    if postings:
        notice_ids = {p.disclosure_id for p in postings}
        for note in (n for nid in notice_ids for n in evidence_exceptions(session, nid)):
            for p in postings:
                if p.disclosure_id == note.disclosure_id and note.posting_id in (None, p.id):
                    exceptions[p.id] = "；".join(filter(None, (exceptions.get(p.id), note.text)))
    rows = []
    for p in postings:
        start, end = evidence[(p.id, "start")], evidence[(p.id, "end")]
        period = periods[p.id]
        rows.append(PostingRow(
            id=p.id, disclosure_id=p.disclosure_id, board_id=p.board_id, board_name=p.board.name,
            village_id=p.board.village_id, posted_on=p.posted_on.isoformat(),
            planned_end=period.end.isoformat(),
            removed_on=p.removed_on.isoformat() if p.removed_on else None, posted_by=p.posted_by,
            has_start_photo=start.ok, has_end_photo=end.ok,
            period=period.as_json(), period_text=screen_period_text(period),
            start_photo=start.as_json(), end_photo=end.as_json(),
            posted_by_name=names.get(p.posted_by, p.posted_by), exception=exceptions.get(p.id, ""),
        ))
    return rows


def list_postings(session: Session, disclosure_id: str, actor: Actor | None = None) -> list[PostingRow]:
    """A notice's postings (a village user sees only their own boards')."""
    d = find_disclosure(session, disclosure_id)
    postings = session.execute(
        select(Posting).where(Posting.disclosure_id == d.id).order_by(Posting.posted_on, Posting.created_at)
    ).scalars().all()
    if actor is not None:
        postings = [p for p in postings if actor.covers_village(p.board.village_id)]
    return _posting_rows(session, postings)


def taken_board_ids(session: Session, disclosure_id: str) -> set[str]:
    """Boards currently carrying the notice (posted, not removed)."""
    return set(session.execute(
        select(Posting.board_id).where(Posting.disclosure_id == disclosure_id, Posting.removed_on.is_(None))
    ).scalars())


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
