"""今日待办: what needs doing today, as plain DTOs the dashboard page lists.

Each `TodoItem` says what to do in Chinese and carries the ids the UI needs
to open the place to act (`disclosure_id`, `posting_id`, `objection_id`,
`category`, `village_id`). Kinds, most urgent first:
- `awaiting_conclusion` — the 公示期 has ended, the notice is still 公示中;
- `ending_soon` — the period ends today or within two days;
- `objection_stale` — an objection open longer than N days (Setting
  `objection_stale_days`, default 5);
- `photo_start` / `photo_end` — postings without their clear photo taken when
  posted / at the end of the period (only those two, by policy); one item per
  notice and role, naming the boards, `posting_id` = the first of them;
- `review_pending` — notices waiting for review (for reviewers and admins);
- `cadence_overdue` — 村务公开 categories with a quarterly/monthly cadence
  (catalogue `cadence`) for which a village board has carried no notice of
  that category this quarter/month;
- `stale_poster` — a photo's QR shows an old version still on a board after
  its correction went up ("第1版仍张贴在青山村村务公开栏，请撤换"; see
  `core.photo_links.stale_posters`).
Village users see only items about their own villages' boards.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import load_catalogue
from zwgk_desktop.core.models import Disclosure, NoticeBoard, Objection, Photo, Posting, Village
from zwgk_desktop.core.status import LIVE, Status
from zwgk_desktop.core.users import REVIEW, VIEW, Actor, get_setting

ENDING_SOON_DAYS = 2
DEFAULT_STALE_DAYS = 5
SETTING_STALE_DAYS = "objection_stale_days"
LIVE_STATUSES = LIVE

KIND_LABELS = {
    "awaiting_conclusion": "待办结",
    "ending_soon": "即将期满",
    "objection_stale": "异议待办",
    "photo_start": "缺张贴照",
    "photo_end": "缺期满照",
    "review_pending": "待审核",
    "cadence_overdue": "村务公开到期",
    "stale_poster": "旧版未撤换",
}
KIND_ORDER = tuple(KIND_LABELS)


@dataclass
class TodoItem:
    kind: str
    kind_label: str
    title: str
    detail: str
    due: str | None = None
    disclosure_id: str | None = None
    posting_id: str | None = None
    objection_id: str | None = None
    category: str | None = None
    village_id: str | None = None
    urgent: bool = False

    def as_json(self) -> dict:
        return asdict(self)


def _item(kind: str, title: str, detail: str, **kw) -> TodoItem:
    return TodoItem(kind=kind, kind_label=KIND_LABELS[kind], title=title, detail=detail, **kw)


def todo_items(
    session: Session, actor: Actor, *, today: date | None = None, stale_days: int | None = None,
) -> list[TodoItem]:
    """Today's to-do list for `actor`, most urgent kinds first, then by due date."""
    actor.require(VIEW)
    today = today or date.today()
    if stale_days is None:
        stale_days = int(get_setting(session, SETTING_STALE_DAYS, DEFAULT_STALE_DAYS))
    items: list[TodoItem] = []
    items += period_items(session, actor, today)
    items += stale_objection_items(session, actor, today, stale_days)
    items += photo_items(session, actor, today)
    if actor.can(REVIEW):
        items += review_items(session)
    items += cadence_items(session, actor, today)
    items += stale_poster_items(session, actor)
    items.sort(key=lambda i: (KIND_ORDER.index(i.kind), i.due or "9999", i.title))
    return items


def _visible_postings(session: Session, actor: Actor, disclosure_id: str) -> list[tuple[Posting, NoticeBoard]]:
    rows = session.execute(
        select(Posting, NoticeBoard).join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .where(Posting.disclosure_id == disclosure_id)
    ).all()
    return [(p, b) for p, b in rows if actor.covers_village(b.village_id)]


def period_items(session: Session, actor: Actor, today: date) -> list[TodoItem]:
    notices = session.execute(
        select(Disclosure).where(Disclosure.status == Status.PUBLISHING, Disclosure.period_end.is_not(None))
    ).scalars().all()
    items = []
    for d in notices:
        if actor.is_village_scoped and not _visible_postings(session, actor, d.id):
            continue
        if d.period_end < today:
            open_count = _open_objections(session, d.id)
            detail = f"公示期已于 {d.period_end.isoformat()} 期满，请办结。"
            if open_count:
                detail = f"公示期已于 {d.period_end.isoformat()} 期满，但还有 {open_count} 条异议未办结，请先办理。"
            items.append(_item("awaiting_conclusion", d.title, detail, due=d.period_end.isoformat(),
                               disclosure_id=d.id, category=d.category, urgent=True))
        elif d.period_end <= today + timedelta(days=ENDING_SOON_DAYS):
            left = (d.period_end - today).days
            when = "今天" if left == 0 else f"{left} 天后"
            items.append(_item("ending_soon", d.title, f"公示期{when}（{d.period_end.isoformat()}）期满，请准备拍摄期满照片。",
                               due=d.period_end.isoformat(), disclosure_id=d.id, category=d.category))
    return items


def _open_objections(session: Session, disclosure_id: str) -> int:
    return len(session.execute(
        select(Objection.id).where(Objection.disclosure_id == disclosure_id, Objection.status == "open")
    ).all())


def stale_objection_items(session: Session, actor: Actor, today: date, stale_days: int) -> list[TodoItem]:
    cutoff = today - timedelta(days=stale_days)
    rows = session.execute(
        select(Objection, Disclosure).join(Disclosure, Objection.disclosure_id == Disclosure.id)
        .where(Objection.status == "open", Objection.received_on < cutoff)
    ).all()
    items = []
    for o, d in rows:
        if actor.is_village_scoped and not _visible_postings(session, actor, d.id):
            continue
        days = (today - o.received_on).days
        who = o.from_name or "匿名"
        items.append(_item(
            "objection_stale", d.title, f"{o.received_on.isoformat()} 受理的异议（{who}，{o.channel or '未注明渠道'}）已 {days} 天未办结。",
            due=o.received_on.isoformat(), disclosure_id=d.id, objection_id=o.id, category=d.category, urgent=True,
        ))
    return items


def photo_items(session: Session, actor: Actor, today: date) -> list[TodoItem]:
    rows = session.execute(
        select(Posting, NoticeBoard, Disclosure)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .join(Disclosure, Posting.disclosure_id == Disclosure.id)
        .where(Disclosure.status.in_(LIVE_STATUSES))
    ).all()
    rows = [r for r in rows if actor.covers_village(r[1].village_id)]
    roles: dict[str, set[str]] = {}
    ids = [p.id for p, _, _ in rows]
    if ids:
        from zwgk_desktop.core.photo_links import posting_photo_roles  # a photo of two notices counts for both

        roles = posting_photo_roles(session, ids)
    missing: dict[tuple[str, str], list[tuple[Posting, NoticeBoard, Disclosure, date]]] = {}
    for p, board, d in rows:
        have = roles.get(p.id, set())
        if "start" not in have:
            missing.setdefault((d.id, "start"), []).append((p, board, d, p.posted_on))
        ended = (p.planned_end is not None and p.planned_end <= today) or p.removed_on is not None
        if ended and "end" not in have:
            missing.setdefault((d.id, "end"), []).append((p, board, d, p.removed_on or p.planned_end))
    return [_photo_item(role, group) for (_id, role), group in missing.items()]


def _photo_item(role: str, group: list) -> TodoItem:
    """One item per notice and photo role; `posting_id` is the first board's posting (all of them in `detail`)."""
    p, board, d, when = group[0]
    names = "、".join(b.name for _, b, _, _ in group[:4]) + (f"等 {len(group)} 块公开栏" if len(group) > 4 else "")
    if role == "start":
        detail = f"{when.isoformat()} 张贴，尚无张贴时的清晰照片：{names}。"
    else:
        detail = f"公示期 {when.isoformat()} 结束，尚无期满照片：{names}。"
    return _item(f"photo_{role}", d.title, detail, due=when.isoformat(), disclosure_id=d.id, posting_id=p.id,
                 category=d.category, village_id=board.village_id if len(group) == 1 else None)


def review_items(session: Session) -> list[TodoItem]:
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


def cadence_items(session: Session, actor: Actor, today: date) -> list[TodoItem]:
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


def stale_poster_items(session: Session, actor: Actor) -> list[TodoItem]:
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
