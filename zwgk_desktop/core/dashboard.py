"""今日待办: what needs doing today, as plain DTOs the dashboard page lists.

Each `TodoItem` says what to do in Chinese and carries the ids the UI needs
to open the place to act (`disclosure_id`, `posting_id`, `objection_id`,
`category`, `village_id`). Every date a row shows comes from the stored
公示期 (`core.periods.NoticePeriod`, rendered with its formatters), so the
rows agree with the list, the posting dialog and the poster.

`todo_items` runs the producers in `PRODUCERS` — each a function
`(session, actor, ctx: TodoContext) -> list[TodoItem]`; another area adds
its to-dos by appending one producer (and its kinds to `KIND_LABELS`).
Kinds, most urgent first:
- `awaiting_conclusion` — the 公示期 has ended, the notice is still 公示中 and
  no objection is open (with open objections, the objection rows say so);
- `ending_soon` — the period ends today or within two days;
- `objection_stale` / `objection_open` — ONE row per open objection: stale
  when open longer than N days (Setting `objection_stale_days`, default 5),
  urgent too when the period has already ended;
- `photo_start` / `photo_end` — postings without a clear photo taken when
  posted / at the end of the period (only those two, by policy); a photo
  with a disqualifying flag (blurry, untimed…) does not count and the row
  says why (⚠); a reviewer's 情况说明 settles it. One item per notice and
  role, naming the boards, `posting_id` = the first of them;
- `review_pending` — notices waiting for review (for reviewers and admins);
- `cadence_overdue` — 村务公开 categories with a quarterly/monthly cadence
  (catalogue `cadence`) for which a village board has carried no notice of
  that category this quarter/month;
- `request_overdue` / `request_due` — 依申请公开 requests past their reply
  deadline (urgent) or due within 5 working days (`request_id` set).
- `stale_poster` — a photo's QR shows an old version still on a board after
  its correction went up ("第1版仍张贴在青山村村务公开栏，请撤换"; see
  `core.photo_links.stale_posters`).
Village users see only items about their own villages' boards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import load_catalogue
from zwgk_desktop.core.models import Disclosure, InfoRequest, NoticeBoard, Objection, Posting, Village
from zwgk_desktop.core.periods import NoticePeriod, screen_period_text
from zwgk_desktop.core.postings import PHOTO_FLAG_LABELS, notice_period, photo_evidence, posting_periods
from zwgk_desktop.core.status import LIVE, Status
from zwgk_desktop.core.todo_item import KIND_LABELS, TodoItem
from zwgk_desktop.core.users import REVIEW, VIEW, Actor, get_setting

ENDING_SOON_DAYS = 2
DEFAULT_STALE_DAYS = 5
SETTING_STALE_DAYS = "objection_stale_days"
LIVE_STATUSES = LIVE

@dataclass(frozen=True)
class TodoContext:
    """What every producer gets besides the session and the actor."""

    today: date
    stale_days: int


TodoProducer = Callable[[Session, Actor, TodoContext], list[TodoItem]]


def _item(kind: str, title: str, detail: str, **kw) -> TodoItem:
    return TodoItem(kind=kind, kind_label=KIND_LABELS.get(kind, kind), title=title, detail=detail, **kw)


def todo_items(
    session: Session, actor: Actor, *, today: date | None = None, stale_days: int | None = None,
) -> list[TodoItem]:
    """Today's to-do list for `actor`, most urgent kinds first, then by due date."""
    actor.require(VIEW)
    today = today or date.today()
    if stale_days is None:
        stale_days = int(get_setting(session, SETTING_STALE_DAYS, DEFAULT_STALE_DAYS))
    ctx = TodoContext(today=today, stale_days=stale_days)
    items: list[TodoItem] = []
    for producer in PRODUCERS:
        items += producer(session, actor, ctx)
    order = list(KIND_LABELS)
    items.sort(key=lambda i: (order.index(i.kind) if i.kind in order else len(order), i.due or "9999", i.title))
    return items


def _visible_postings(session: Session, actor: Actor, disclosure_id: str) -> list[tuple[Posting, NoticeBoard]]:
    rows = session.execute(
        select(Posting, NoticeBoard).join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .where(Posting.disclosure_id == disclosure_id)
    ).all()
    return [(p, b) for p, b in rows if actor.covers_village(b.village_id)]


def _period_words(period: NoticePeriod | None, latest_end: date) -> str:
    """'公示期 2026-12-04 至 2026-12-10（7天）' (+ the latest board's end when a board was posted later)."""
    if period is None:
        return f"公示期至 {latest_end.isoformat()}"
    text = f"公示期 {screen_period_text(period)}"
    if latest_end > period.end:
        text += f"，最晚一处 {latest_end.isoformat()} 期满"
    return text


def period_items(session: Session, actor: Actor, ctx: TodoContext) -> list[TodoItem]:
    today = ctx.today
    notices = session.execute(
        select(Disclosure).where(Disclosure.status == Status.PUBLISHING, Disclosure.period_end.is_not(None))
    ).scalars().all()
    items = []
    for d in notices:
        if actor.is_village_scoped and not _visible_postings(session, actor, d.id):
            continue
        if d.period_end < today:
            if _open_objections(session, d.id):
                continue  # one row per open objection says what blocks it
            period = notice_period(session, d)
            detail = f"{_period_words(period, d.period_end)}，已于 {d.period_end.isoformat()} 期满，请办结。"
            items.append(_item("awaiting_conclusion", d.title, detail, due=d.period_end.isoformat(),
                               disclosure_id=d.id, category=d.category, urgent=True))
        elif d.period_end <= today + timedelta(days=ENDING_SOON_DAYS):
            period = notice_period(session, d)
            left = (d.period_end - today).days
            when = "今天" if left == 0 else f"{left} 天后（{d.period_end.isoformat()}）"
            items.append(_item("ending_soon", d.title,
                               f"{_period_words(period, d.period_end)}，{when}期满，请准备拍摄期满照片。",
                               due=d.period_end.isoformat(), disclosure_id=d.id, category=d.category))
    return items


def _open_objections(session: Session, disclosure_id: str) -> int:
    return len(session.execute(
        select(Objection.id).where(Objection.disclosure_id == disclosure_id, Objection.status == "open")
    ).all())


def objection_items(session: Session, actor: Actor, ctx: TodoContext) -> list[TodoItem]:
    """One row per open objection: 异议超期 when open longer than the set days, else 异议待办."""
    today = ctx.today
    cutoff = today - timedelta(days=ctx.stale_days)
    rows = session.execute(
        select(Objection, Disclosure).join(Disclosure, Objection.disclosure_id == Disclosure.id)
        .where(Objection.status == "open")
    ).all()
    items = []
    for o, d in rows:
        if actor.is_village_scoped and not _visible_postings(session, actor, d.id):
            continue
        days = (today - o.received_on).days
        who = o.from_name or "匿名"
        stale = o.received_on < cutoff
        ended = d.period_end is not None and d.period_end < today
        detail = f"{o.received_on.isoformat()} 受理的异议（{who}，{o.channel or '未注明渠道'}）"
        detail += f"已 {days} 天未办结。" if stale else "待调查核实并登记办理结果。"
        if ended:
            detail += f"公示期已于 {d.period_end.isoformat()} 期满，办结此异议后才能办结公示。"
        items.append(_item(
            "objection_stale" if stale else "objection_open", d.title, detail,
            due=o.received_on.isoformat(), disclosure_id=d.id, objection_id=o.id, category=d.category,
            urgent=stale or ended,
        ))
    return items


def photo_items(session: Session, actor: Actor, ctx: TodoContext) -> list[TodoItem]:
    today = ctx.today
    rows = session.execute(
        select(Posting, NoticeBoard, Disclosure)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .join(Disclosure, Posting.disclosure_id == Disclosure.id)
        .where(Disclosure.status.in_(LIVE_STATUSES))
    ).all()
    rows = [r for r in rows if actor.covers_village(r[1].village_id)]
    postings = [p for p, _, _ in rows]
    evidence = photo_evidence(session, [p.id for p in postings])
    periods = posting_periods(session, postings)
    missing: dict[tuple[str, str], list[tuple[Posting, NoticeBoard, Disclosure, NoticePeriod]]] = {}
    for p, board, d in rows:
        period = periods[p.id]
        start = evidence[(p.id, "start")]
        if not start.ok and not start.excused:
            missing.setdefault((d.id, "start"), []).append((p, board, d, period))
        ended = period.end <= today or p.removed_on is not None
        end = evidence[(p.id, "end")]
        if ended and not end.ok and not end.excused:
            missing.setdefault((d.id, "end"), []).append((p, board, d, period))
    return [_photo_item(role, group, evidence) for (_id, role), group in missing.items()]


def _photo_item(role: str, group: list, evidence) -> TodoItem:
    """One item per notice and photo role; `posting_id` is the first board's posting (all of them in `detail`)."""
    p, board, d, period = group[0]
    names = "、".join(b.name for _, b, _, _ in group[:4]) + (f"等 {len(group)} 块公开栏" if len(group) > 4 else "")
    flagged = sorted({f for q, _, _, _ in group for f in evidence[(q.id, role)].flags})
    problem = ""
    if flagged:
        problem = "已有照片不合格（⚠ " + "、".join(PHOTO_FLAG_LABELS.get(f, f) for f in flagged) + "），"
    if role == "start":
        detail = f"{p.posted_on.isoformat()} 张贴（公示期 {screen_period_text(period)}），{problem}尚无张贴时的清晰照片：{names}。"
        due = p.posted_on.isoformat()
    else:
        end = p.removed_on if p.removed_on and p.removed_on < period.end else period.end
        detail = f"公示期 {screen_period_text(period)}，{end.isoformat()} 期满，{problem}尚无期满时的清晰照片：{names}。"
        due = end.isoformat()
    return _item(f"photo_{role}", d.title, detail, due=due, disclosure_id=d.id, posting_id=p.id,
                 category=d.category, village_id=board.village_id if len(group) == 1 else None)


def review_items(session: Session, actor: Actor, ctx: TodoContext) -> list[TodoItem]:
    if not actor.can(REVIEW):
        return []
    rows = session.execute(
        select(Disclosure).where(Disclosure.status == Status.PENDING_REVIEW).order_by(Disclosure.updated_at)
    ).scalars()
    return [
        _item("review_pending", d.title, f"第{d.version}版，{d.item_count} 条明细，等待审核。",
              disclosure_id=d.id, category=d.category)
        for d in rows
    ]


def cadence_window(cadence: str, today: date) -> tuple[date, date, str]:
    """(first day, last day, Chinese name) of the current month or quarter."""
    if cadence == "monthly":
        first = today.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, nxt - timedelta(days=1), f"{today.month}月"
    quarter = (today.month - 1) // 3
    first = date(today.year, quarter * 3 + 1, 1)
    nxt = date(today.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
    return first, nxt - timedelta(days=1), f"第{quarter + 1}季度"


def cadence_items(session: Session, actor: Actor, ctx: TodoContext) -> list[TodoItem]:
    today = ctx.today
    villages = session.execute(select(Village).order_by(Village.sort_order)).scalars().all()
    villages = [v for v in villages if actor.covers_village(v.id)]
    if not villages:
        return []
    boards = {b.village_id: b for b in session.execute(
        select(NoticeBoard).where(NoticeBoard.village_id.is_not(None), NoticeBoard.active.is_(True))
    ).scalars()}
    items = []
    for code, entry in load_catalogue().items():
        if entry.cadence not in ("monthly", "quarterly"):
            continue
        first, last, name = cadence_window(entry.cadence, today)
        posted_villages = set(session.execute(
            select(NoticeBoard.village_id).join(Posting, Posting.board_id == NoticeBoard.id)
            .join(Disclosure, Posting.disclosure_id == Disclosure.id)
            .where(Disclosure.category == code, Posting.posted_on >= first, Posting.posted_on <= last,
                   Disclosure.status != Status.WITHDRAWN)
        ).scalars())
        missing = [v for v in villages if v.id in boards and v.id not in posted_villages]
        if not missing:
            continue
        names = "、".join(v.name for v in missing[:6]) + (f"等 {len(missing)} 个村（社区）" if len(missing) > 6 else "")
        items.append(_item(
            "cadence_overdue", f"{entry.short_name}（{name}）",
            f"{names}本{('月' if entry.cadence == 'monthly' else '季度')}尚未张贴{entry.short_name}，"
            f"须在 {last.isoformat()} 前公开。",
            due=last.isoformat(), category=code,
            village_id=missing[0].id if len(missing) == 1 else None,
            urgent=(last - today).days <= 15,
        ))
    return items


def request_items(session: Session, actor: Actor, ctx: TodoContext) -> list[TodoItem]:
    """依申请公开: requests overdue (urgent, red) or due within 5 working days (`core.requests.due_items`).
    Most days no request is open at all; then the register module (with its privacy rules) is not even loaded,
    which keeps it off start-up's first screen."""
    if not _any_open_request(session):
        return []
    from zwgk_desktop.core.requests import DUE_SOON_DAYS, due_items

    items = []
    for due in due_items(session, actor, ctx.today):
        row = due.row
        title = f"政府信息公开申请 {row.number}（{row.requester_type_label}，{row.received.isoformat()}收到）"
        if due.overdue:
            detail = f"答复期限 {row.due.isoformat()} 已过，尚未答复（{row.status_label}），请立即答复并说明情况。"
        else:
            when = "今天" if row.days_left == 0 else f"还有 {row.days_left} 个工作日"
            detail = f"答复期限 {row.due.isoformat()}（{when}，{DUE_SOON_DAYS} 个工作日内到期），请准备答复或办理延期。"
        items.append(_item("request_overdue" if due.overdue else "request_due", title, detail,
                           due=row.due.isoformat(), urgent=due.overdue, request_id=row.id))
    return items


def _any_open_request(session: Session) -> bool:
    """Whether any request is still open (`due_items` lists open ones only)."""
    return session.execute(select(InfoRequest.id).where(InfoRequest.status == "open").limit(1)).first() is not None


def stale_poster_items(session: Session, actor: Actor, ctx: TodoContext) -> list[TodoItem]:
    """Old versions seen in photos after their correction went up, until a later photo shows the current one."""
    from zwgk_desktop.core.photo_links import stale_posters

    items = []
    for stale in stale_posters(session):
        if actor.is_village_scoped and (stale.village_id is None or not actor.covers_village(stale.village_id)):
            continue
        when = stale.taken_at.date().isoformat() if stale.taken_at else None
        items.append(_item(
            "stale_poster", stale.title, stale.text, due=when,
            disclosure_id=stale.current_disclosure_id or stale.disclosure_id, village_id=stale.village_id, urgent=True,
        ))
    return items


# The to-do producers, in no particular order (the list is sorted by kind). Append one to add a kind.
PRODUCERS: list[TodoProducer] = [
    period_items, objection_items, photo_items, review_items, cadence_items, request_items, stale_poster_items,
]
