"""The household register (户籍台账) as screens read it: search, count and pages of plain DTOs.

`household_page(session, query, offset, limit)` returns one page of
`HouseholdRow`s in a stable order (village, group, name); `count_households`
gives the total for the same query so a table can fetch lazily as the user
scrolls. A search matches the head's name, the ID number (any part) or the
village name. `HouseholdQuery.village_ids` (None = the whole township) keeps
a 村级用户 to their villages' households, and `village_options(session,
village_ids)` offers only those villages. DTOs carry the raw sensitive fields; every screen masks them
through `zwgk_desktop.core.privacy` before showing them. No Qt here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.group_order import GROUP_COLLATION
from zwgk_desktop.core.models import DisclosureItem, Household, Village

DEFAULT_PAGE_SIZE = 500


@dataclass(frozen=True)
class HouseholdQuery:
    """What the clerk typed or picked (free text, an optional village) within the user's
    village scope (`village_ids`; None = every village of the township)."""

    search: str = ""
    village_id: str | None = None
    village_ids: tuple[str, ...] | None = None

    @property
    def text(self) -> str:
        return self.search.strip().replace("\u3000", "")


@dataclass
class HouseholdRow:
    id: str
    head_name: str
    village_id: str
    village_name: str
    group_name: str
    id_number: str
    member_count: int
    phone: str
    helper_name: str
    disclosure_items: int

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class VillageOption:
    id: str
    name: str


def _filtered(statement: Select, query: HouseholdQuery) -> Select:
    if query.village_ids is not None:
        statement = statement.where(Household.village_id.in_(list(query.village_ids)))
    if query.village_id:
        statement = statement.where(Household.village_id == query.village_id)
    text = query.text
    if text:
        like = f"%{text}%"
        id_like = f"%{text.upper()}%"
        statement = statement.where(
            or_(Household.head_name.like(like), Household.id_number.like(id_like), Village.name.like(like))
        )
    return statement


def count_households(session: Session, query: HouseholdQuery | None = None) -> int:
    """How many households match `query` (all of them without one)."""
    query = query or HouseholdQuery()
    statement = select(func.count(Household.id)).join(Village, Household.village_id == Village.id)
    return session.execute(_filtered(statement, query)).scalar() or 0


def household_page(
    session: Session, query: HouseholdQuery | None = None, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE
) -> list[HouseholdRow]:
    """One page of matching households, ordered by village, group and name."""
    query = query or HouseholdQuery()
    item_counts = (
        select(DisclosureItem.household_id, func.count(DisclosureItem.id).label("n"))
        .where(DisclosureItem.household_id.is_not(None))
        .group_by(DisclosureItem.household_id)
        .subquery()
    )
    statement = (
        select(
            Household.id, Household.head_name, Household.village_id, Village.name, Household.group_name,
            Household.id_number, Household.member_count, Household.phone, Household.helper_name,
            func.coalesce(item_counts.c.n, 0),
        )
        .join(Village, Household.village_id == Village.id)
        .outerjoin(item_counts, item_counts.c.household_id == Household.id)
        .order_by(Village.sort_order, Household.group_name.collate(GROUP_COLLATION), Household.head_name, Household.id)
        .offset(max(0, offset))
        .limit(max(0, limit))
    )
    return [HouseholdRow(*row) for row in session.execute(_filtered(statement, query)).all()]


def village_options(session: Session, village_ids: Iterable[str] | None = None) -> list[VillageOption]:
    """Villages/communities in their display order, for a filter combo box (only `village_ids` when given)."""
    statement = select(Village.id, Village.name).order_by(Village.sort_order, Village.name)
    if village_ids is not None:
        statement = statement.where(Village.id.in_(list(village_ids)))
    rows = session.execute(statement).all()
    return [VillageOption(id=row[0], name=row[1]) for row in rows]
