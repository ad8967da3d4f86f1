"""Notices (公示/公告): plain DTOs for listing and showing them, paged line items, creation.

Screens and the CLI read notices only through these functions; they never
hold ORM objects. Line items come in pages so a 50,000-line notice stays
smooth. Every query that returns or counts line items takes `village_ids`
(None = the whole township): a 村级用户 sees only the lines of their villages,
and `concerning_villages(village_ids)` is the one rule for which notices
concern them (the notice list, the statistics).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Iterable

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.calendar import default_calendar
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.ids import resolve_id
from zwgk_desktop.core.line_items import counted_amount, counted_people_sql
from zwgk_desktop.core.models import Disclosure, DisclosureItem, ItemName, NoticeBoard, Posting
from zwgk_desktop.core.periods import NoticePeriod, list_period_text, period_of, recorded_period
from zwgk_desktop.core.status import Status, status_label


def format_fen(fen: int | None) -> str:
    """12345 fen → '123.45' (money is integer fen everywhere)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


@dataclass
class DisclosureRow:
    id: str
    title: str
    category: str
    category_name: str
    status: str
    status_label: str
    version: int
    items: int
    total_amount_fen: int
    period_start: str | None
    period_end: str | None
    posted_boards: int
    replaces_id: str | None = None
    period: dict | None = None  # the version's NoticePeriod.as_json() (planned before posting), None if neither
    period_text: str = ""  # the list's 公示期 cell (core.periods.list_period_text)

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class DisclosureDetail(DisclosureRow):
    body: str = ""
    issuer: str = ""
    supervise_phone: str = ""
    year: int = 0
    total_people: int = 0
    author: str = ""
    boards: list[dict] = field(default_factory=list)


@dataclass
class ItemRow:
    seq: int
    name: str
    village_name: str
    group_name: str
    id_number: str
    people: int | None
    amount_fen: int | None
    extra: dict
    family_size: int | None = None  # 家庭人口 (see core.line_items)
    covered_people: int | None = None  # 保障人数
    change_type: str | None = None  # new | adjust | continue | stop | reduce
    funding: dict | None = None  # {"central", "province", "city", "county", "self"} in fen


def version_period(d: Disclosure) -> NoticePeriod | None:
    """The version's 公示期 as stored (posted, or planned when printed before posting); a notice posted
    before periods were stored gets its recorded dates back (first posting day, latest end)."""
    if d.period:
        return period_of(d.period)
    if d.period_start is None or d.period_end is None:
        return None
    calendar = default_calendar()
    return recorded_period(d.period_start, d.period_end, calendar.period_end(d.period_start, get_entry(d.category).rule),
                           calendar)


def _row(d: Disclosure, posted: int) -> DisclosureRow:
    period = version_period(d)
    return DisclosureRow(
        id=d.id, title=d.title, category=d.category, category_name=get_entry(d.category).short_name,
        status=d.status, status_label=status_label(d.status), version=d.version, items=d.item_count,
        total_amount_fen=d.total_amount_fen,
        period_start=d.period_start.isoformat() if d.period_start else None,
        period_end=d.period_end.isoformat() if d.period_end else None,
        posted_boards=posted, replaces_id=d.replaces_id,
        period=period.as_json() if period else None, period_text=list_period_text(period, d.period_end),
    )


def items_in_villages(statement, village_ids: Iterable[str] | None):
    """`statement` over line items, narrowed to the lines of `village_ids` (None: unchanged)."""
    if village_ids is None:
        return statement
    return statement.where(DisclosureItem.village_id.in_(list(village_ids)))


def concerning_villages(village_ids: Iterable[str]) -> ColumnElement[bool]:
    """Condition on `Disclosure`: the notice concerns these villages (what a 村级用户 sees) —
    a line item in one of them, or a posting on one of their boards."""
    villages = list(village_ids)
    with_items = items_in_villages(select(DisclosureItem.disclosure_id), villages)
    on_boards = (
        select(Posting.disclosure_id)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .where(NoticeBoard.village_id.in_(villages))
    )
    return or_(Disclosure.id.in_(with_items), Disclosure.id.in_(on_boards))


def posted_board_counts(session: Session, village_ids: Iterable[str] | None = None) -> dict[str, int]:
    """Boards each notice is posted on (with `village_ids`: only those villages' boards)."""
    statement = select(Posting.disclosure_id, func.count(func.distinct(Posting.board_id))).group_by(Posting.disclosure_id)
    if village_ids is not None:
        statement = statement.join(NoticeBoard, Posting.board_id == NoticeBoard.id).where(
            NoticeBoard.village_id.in_(list(village_ids)))
    return dict(session.execute(statement).all())


def _village_shares(session: Session, village_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(lines, money in fen) of each notice within these villages."""
    statement = items_in_villages(
        select(DisclosureItem.disclosure_id, func.count(DisclosureItem.id),
               func.coalesce(func.sum(counted_amount()), 0)).group_by(DisclosureItem.disclosure_id),
        village_ids,
    )
    return {nid: (lines, fen) for nid, lines, fen in session.execute(statement)}


def notices_naming(like: str, village_ids: Iterable[str] | None = None):
    """Ids of the notices with a line whose name matches the LIKE pattern (with `village_ids`: a line of those
    villages). The pattern is matched against the distinct names (`ItemName`, kept by the database), and the
    lines are found from the matching names through an index, so a keystroke costs milliseconds even with a
    million lines."""
    names = select(ItemName.name).where(ItemName.name.like(like))
    return items_in_villages(select(DisclosureItem.disclosure_id).where(DisclosureItem.name.in_(names)), village_ids)


def list_disclosures(
    session: Session,
    *,
    status: str | None = None,
    category: str | None = None,
    search: str | None = None,
    village_ids: Iterable[str] | None = None,
) -> list[DisclosureRow]:
    """Notices newest first; `village_ids` keeps those concerning the villages (a 村级用户's list):
    a line item in one of them, or a posting on one of their boards — and then the rows' lines,
    money and posted boards count only those villages."""
    query = select(Disclosure).order_by(Disclosure.created_at.desc())
    if status:
        query = query.where(Disclosure.status == status)
    if category:
        query = query.where(Disclosure.category == category)
    if search:
        like = f"%{search.strip()}%"
        query = query.where(or_(Disclosure.title.like(like), Disclosure.id.in_(notices_naming(like, village_ids))))
    if village_ids is None:
        posted = posted_board_counts(session)
        return [_row(d, posted.get(d.id, 0)) for d in session.execute(query).scalars()]
    villages = list(village_ids)
    posted = posted_board_counts(session, villages)
    shares = _village_shares(session, villages)
    rows = []
    for d in session.execute(query.where(concerning_villages(villages))).scalars():
        lines, fen = shares.get(d.id, (0, 0))
        rows.append(replace(_row(d, posted.get(d.id, 0)), items=lines, total_amount_fen=fen))
    return rows


def find_disclosure(session: Session, disclosure_id: str) -> Disclosure:
    """THE resolver of a notice ID everywhere (CLI, ops, printing): `core.ids.resolve_id`."""
    return resolve_id(session, Disclosure, disclosure_id, what="公示", hint="可用 zwgk notice list 查看全部编号。",
                      describe=lambda m: f"{m.id[:12]}… {m.title}（第{m.version}版）")


def show_disclosure(session: Session, disclosure_id: str) -> DisclosureDetail:
    d = find_disclosure(session, disclosure_id)
    postings = session.execute(
        select(Posting, NoticeBoard.name).join(NoticeBoard, Posting.board_id == NoticeBoard.id).where(Posting.disclosure_id == d.id)
    ).all()
    boards = [
        {
            "posting_id": p.id, "board": name, "posted_on": p.posted_on.isoformat(),
            "planned_end": p.planned_end.isoformat() if p.planned_end else None,
            "removed_on": p.removed_on.isoformat() if p.removed_on else None,
        }
        for p, name in postings
    ]
    base = _row(d, len({p.board_id for p, _ in postings}))
    return DisclosureDetail(
        **asdict(base), body=d.body, issuer=d.issuer, supervise_phone=d.supervise_phone, year=d.year,
        total_people=d.total_people, author=d.author, boards=boards,
    )


def count_items(session: Session, disclosure_id: str, *, village_ids: Iterable[str] | None = None) -> int:
    """How many line items the notice has (with `village_ids`: only those of these villages)."""
    statement = select(func.count(DisclosureItem.id)).where(DisclosureItem.disclosure_id == disclosure_id)
    return session.execute(items_in_villages(statement, village_ids)).scalar() or 0


@dataclass(frozen=True)
class ItemTotals:
    """Lines, people and money of a notice's line items (or of some villages' part of them)."""

    items: int
    people: int
    amount_fen: int


def item_totals(session: Session, disclosure_id: str, *, village_ids: Iterable[str] | None = None) -> ItemTotals:
    """Totals of the notice's line items, with `village_ids` only of these villages (a 村级用户's part)."""
    statement = select(
        func.count(DisclosureItem.id), func.coalesce(func.sum(counted_people_sql()), 0),
        func.coalesce(func.sum(counted_amount()), 0),
    ).where(DisclosureItem.disclosure_id == disclosure_id)
    return ItemTotals(*session.execute(items_in_villages(statement, village_ids)).one())


def item_page(
    session: Session, disclosure_id: str, offset: int, limit: int, *, village_ids: Iterable[str] | None = None
) -> list[ItemRow]:
    """One page of line items in order: what the detail pane fetches as the user scrolls
    (with `village_ids`: only the lines of these villages)."""
    statement = select(
        DisclosureItem.seq, DisclosureItem.name, DisclosureItem.village_name, DisclosureItem.group_name,
        DisclosureItem.id_number, DisclosureItem.people, DisclosureItem.amount_fen, DisclosureItem.extra,
        DisclosureItem.family_size, DisclosureItem.covered_people, DisclosureItem.change_type, DisclosureItem.funding,
    ).where(DisclosureItem.disclosure_id == disclosure_id)
    statement = items_in_villages(statement, village_ids).order_by(DisclosureItem.seq).offset(offset).limit(limit)
    return [ItemRow(*r) for r in session.execute(statement).all()]


def refresh_totals(session: Session, disclosure: Disclosure) -> None:
    """Recompute a notice's cached item count and totals from its line items (停保 lines listed, not counted)."""
    count, amount, people = session.execute(
        select(func.count(DisclosureItem.id), func.coalesce(func.sum(counted_amount()), 0), func.coalesce(func.sum(counted_people_sql()), 0))
        .where(DisclosureItem.disclosure_id == disclosure.id)
    ).one()
    disclosure.item_count, disclosure.total_amount_fen, disclosure.total_people = count, amount, people


def create_disclosure(
    session: Session,
    township_id: str,
    category: str,
    title: str,
    *,
    body: str = "",
    issuer: str = "",
    supervise_phone: str = "",
    author: str = "",
    year: int | None = None,
) -> Disclosure:
    get_entry(category)  # validates the category with a Chinese error
    disclosure = Disclosure(
        township_id=township_id, category=category, title=title.strip(), body=body, issuer=issuer,
        supervise_phone=supervise_phone, author=author, year=year or date.today().year, status=Status.DRAFT,
    )
    session.add(disclosure)
    session.flush()
    return disclosure
