"""户籍台账: the household register as a screen reads it — first page with its count and village choices, then pages.

Both ops keep a 村级用户 to their own villages whatever the screen asks
(`within_scope`: the query's villages narrowed by `Actor.narrowed_scope`).
Rows carry the raw ID and phone numbers; every screen masks them through
`core.privacy` (the table model does) before showing them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from zwgk_desktop.core.households import (
    DEFAULT_PAGE_SIZE,
    HouseholdQuery,
    HouseholdRow,
    VillageOption,
    count_households,
    household_page,
    village_options,
)
from zwgk_desktop.core.users import VIEW, Actor
from zwgk_desktop.ops.base import read_session, reads


@dataclass(frozen=True)
class HouseholdListing:
    """What the page shows first: the total, the first page and (when asked) the village filter's choices."""

    total: int
    rows: tuple[HouseholdRow, ...]
    villages: tuple[VillageOption, ...] | None = None


def within_scope(actor: Actor, query: HouseholdQuery) -> HouseholdQuery:
    """`query` limited to the villages `actor` may see (`Actor.narrowed_scope`)."""
    return replace(query, village_ids=actor.narrowed_scope(query.village_ids))


@reads
def list_households(db, actor: Actor, query: HouseholdQuery, page_size: int = DEFAULT_PAGE_SIZE, *,
                    with_villages: bool = False) -> HouseholdListing:
    """The count and first page of matching households (and the village choices when `with_villages`)."""
    actor.require(VIEW)
    query = within_scope(actor, query)
    with read_session(db, actor) as session:
        villages = tuple(village_options(session, query.village_ids)) if with_villages else None
        return HouseholdListing(count_households(session, query), tuple(household_page(session, query, 0, page_size)),
                                villages)


@reads
def households_page(db, actor: Actor, query: HouseholdQuery, offset: int, limit: int) -> list[HouseholdRow]:
    """A later page of the same list (the lazy table fetches it as the user scrolls)."""
    actor.require(VIEW)
    query = within_scope(actor, query)
    with read_session(db, actor) as session:
        return household_page(session, query, offset, limit)
