"""Which households the 明白卡 page lists: filters by village, group, policy received this year and name. No Qt.

The policy filter uses the same notices the cards count
(`core.household_policies.counted_notices`: 公示中/期满/已归档 of the year,
corrections replacing what they correct), so "享受低保的户" on the page are
exactly the households whose card shows 低保. Rows are small DTOs; 5,000
households load in well under a second. `village_ids` (None = the whole
township) keeps a 村级用户's villages and households to their own.

(Candidates for `core.households` once the UI settles; kept here because
only this page needs them.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import load_catalogue
from zwgk_desktop.core.group_order import group_sort_key
from zwgk_desktop.core.household_policies import CARD_CATEGORIES, counted_notices
from zwgk_desktop.core.models import DisclosureItem, Household, Village, VillageGroup

ANY_POLICY = "*"  # households with at least one policy this year
IN_CHUNK = 800


@dataclass(frozen=True)
class CardFilter:
    """What the clerk picked: village id, group name, category code (or ANY_POLICY), name text, year;
    within the user's villages (`village_ids`; None = every village)."""

    year: int
    village_id: str | None = None
    group: str | None = None
    category: str | None = None
    search: str = ""
    village_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CardHousehold:
    """One household row of the page (no sensitive field: the list is only for choosing)."""

    id: str
    head_name: str
    village_id: str
    village: str
    group: str
    members: int
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class VillageChoice:
    id: str
    name: str
    groups: tuple[str, ...] = field(default_factory=tuple)


def card_categories() -> list[tuple[str, str]]:
    """(code, short name) of the categories a 惠民政策资金明白卡 lists, in catalogue order."""
    catalogue = load_catalogue()
    return [(code, catalogue[code].short_name) for code in CARD_CATEGORIES if code in catalogue]


def village_choices(session: Session, village_ids: Iterable[str] | None = None) -> list[VillageChoice]:
    """Villages in display order (only `village_ids` when given), each with its groups
    (registered groups first, then any used by households)."""
    statement = select(Village.id, Village.name).order_by(Village.sort_order, Village.name)
    if village_ids is not None:
        statement = statement.where(Village.id.in_(list(village_ids)))
    villages = session.execute(statement).all()
    registered: dict[str, list[str]] = defaultdict(list)
    for village_id, name in session.execute(
        select(VillageGroup.village_id, VillageGroup.name).order_by(VillageGroup.sort_order)
    ):
        registered[village_id].append(name)
    used: dict[str, set[str]] = defaultdict(set)
    for village_id, group in session.execute(select(Household.village_id, Household.group_name).distinct()):
        if group:
            used[village_id].add(group)
    choices = []
    for village_id, name in villages:
        groups = list(dict.fromkeys(registered[village_id]))
        extra = sorted(used[village_id] - set(groups), key=lambda g: group_sort_key(g, None))
        choices.append(VillageChoice(village_id, name, tuple(groups + extra)))
    return choices


def policy_categories_by_household(session: Session, year: int) -> dict[str, set[str]]:
    """household id → the card categories it received in `year` (from the notices the cards count)."""
    notices = counted_notices(session, year)
    found: dict[str, set[str]] = defaultdict(set)
    ids = sorted(notices)
    for start in range(0, len(ids), IN_CHUNK):
        for disclosure_id, household_id in session.execute(
            select(DisclosureItem.disclosure_id, DisclosureItem.household_id).where(
                DisclosureItem.disclosure_id.in_(ids[start:start + IN_CHUNK]), DisclosureItem.household_id.is_not(None)
            )
        ):
            found[household_id].add(notices[disclosure_id].category)
    return found


def find_households(session: Session, wanted: CardFilter) -> list[CardHousehold]:
    """Households matching the filter, ordered by village, group, head's name (the order cards print in)."""
    statement = select(
        Household.id, Household.head_name, Household.village_id, Village.name, Household.group_name,
        Household.member_count, Village.sort_order,
    ).join(Village, Household.village_id == Village.id)
    if wanted.village_ids is not None:
        statement = statement.where(Household.village_id.in_(list(wanted.village_ids)))
    if wanted.village_id:
        statement = statement.where(Household.village_id == wanted.village_id)
    if wanted.group:
        statement = statement.where(Household.group_name == wanted.group)
    text = wanted.search.strip().replace("\u3000", "")
    if text:
        statement = statement.where(Household.head_name.contains(text))
    policies = policy_categories_by_household(session, wanted.year)
    order = {code: i for i, code in enumerate(CARD_CATEGORIES)}
    rows = []
    for hid, name, village_id, village, group, members, sort_order in session.execute(statement):
        received = policies.get(hid, set())
        if wanted.category == ANY_POLICY and not received:
            continue
        if wanted.category not in (None, ANY_POLICY) and wanted.category not in received:
            continue
        categories = tuple(sorted(received, key=lambda c: order.get(c, 99)))
        rows.append(((sort_order, village, group_sort_key(group, None), name, hid),
                     CardHousehold(hid, name, village_id, village, group, members or 0, categories)))
    rows.sort(key=lambda pair: pair[0])
    return [row for _key, row in rows]
