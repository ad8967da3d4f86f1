"""The household register's search and paging (户籍台账) on the demo township."""

from __future__ import annotations

from sqlalchemy import func, select

from zwgk_desktop.core.households import HouseholdQuery, count_households, household_page, village_options
from zwgk_desktop.core.models import DisclosureItem, Household
from tests.conftest import DEMO_HOUSEHOLDS


def test_count_without_search_is_every_household(demo_db):
    """The register's total is the number of households in the township."""
    with demo_db.session() as s:
        assert count_households(s) == DEMO_HOUSEHOLDS


def test_pages_cover_every_household_once_in_order(demo_db):
    """Scrolling page by page shows every household exactly once."""
    with demo_db.session() as s:
        pages = [household_page(s, HouseholdQuery(), offset, 120) for offset in range(0, DEMO_HOUSEHOLDS + 120, 120)]
    ids = [row.id for page in pages for row in page]
    assert len(ids) == DEMO_HOUSEHOLDS
    assert len(set(ids)) == DEMO_HOUSEHOLDS
    assert [len(p) for p in pages][-1] == 0


def test_search_by_name_finds_the_household(demo_db):
    """Typing a head's name finds that household."""
    with demo_db.session() as s:
        name = s.execute(select(Household.head_name).limit(1)).scalar()
        rows = household_page(s, HouseholdQuery(search=name))
        assert rows and all(name in row.head_name for row in rows)
        assert count_households(s, HouseholdQuery(search=name)) == len(rows)


def test_search_by_partial_id_number_finds_the_household(demo_db):
    """Typing the last digits of an ID number (x or X) finds the household."""
    with demo_db.session() as s:
        household = s.execute(select(Household).limit(1)).scalar()
        tail = household.id_number[-8:].lower()
        rows = household_page(s, HouseholdQuery(search=tail))
    assert household.id in {row.id for row in rows}


def test_search_by_village_and_village_filter_agree(demo_db):
    """Searching a village's name and picking that village list the same households."""
    with demo_db.session() as s:
        village = village_options(s)[1]
        by_text = household_page(s, HouseholdQuery(search=village.name), 0, 10_000)
        by_filter = household_page(s, HouseholdQuery(village_id=village.id), 0, 10_000)
    assert by_text and {r.id for r in by_text} == {r.id for r in by_filter}
    assert all(r.village_name == village.name for r in by_filter)


def test_unknown_search_finds_nothing(demo_db):
    """A name nobody has gives an empty list and a zero count, not an error."""
    with demo_db.session() as s:
        assert household_page(s, HouseholdQuery(search="查无此人")) == []
        assert count_households(s, HouseholdQuery(search="查无此人")) == 0


def test_rows_count_the_notices_a_household_appears_in(demo_db):
    """Each row says in how many notice lines the household appears."""
    with demo_db.session() as s:
        rows = household_page(s, HouseholdQuery(), 0, 10_000)
    with demo_db.session() as s:
        expected = dict(s.execute(
            select(DisclosureItem.household_id, func.count(DisclosureItem.id))
            .where(DisclosureItem.household_id.is_not(None)).group_by(DisclosureItem.household_id)
        ).all())
    assert {r.id: r.disclosure_items for r in rows} == {r.id: expected.get(r.id, 0) for r in rows}
    assert any(r.disclosure_items > 1 for r in rows) and any(r.disclosure_items == 0 for r in rows)


def _village_id(session, name: str) -> str:
    from zwgk_desktop.core.models import Village

    return session.execute(select(Village.id).where(Village.name == name)).scalar_one()


def test_a_village_scope_lists_and_counts_only_that_villages_households(demo_db):
    """A 村级用户's register (scope = their village) holds exactly their village's households, nothing else."""
    with demo_db.session() as s:
        liuhe = _village_id(s, "柳河村")
        expected = {h.id for h in s.execute(select(Household).where(Household.village_id == liuhe)).scalars()}
        query = HouseholdQuery(village_ids=(liuhe,))
        rows = household_page(s, query, 0, 10_000)
        assert expected and {r.id for r in rows} == expected and count_households(s, query) == len(expected)
        assert {r.village_name for r in rows} == {"柳河村"}


def test_a_village_scope_cannot_be_widened_by_the_filter_or_search(demo_db):
    """Picking or typing another village inside a 村级用户's scope finds nobody."""
    with demo_db.session() as s:
        liuhe, shiqiao = _village_id(s, "柳河村"), _village_id(s, "石桥村")
        assert count_households(s, HouseholdQuery(village_id=shiqiao, village_ids=(liuhe,))) == 0
        assert household_page(s, HouseholdQuery(search="石桥村", village_ids=(liuhe,))) == []


def test_village_options_offer_only_the_scope_and_everything_without_one(demo_db):
    """The village filter offers a 村级用户 only their villages; township staff all nine."""
    with demo_db.session() as s:
        liuhe = _village_id(s, "柳河村")
        assert [v.name for v in village_options(s, (liuhe,))] == ["柳河村"]
        assert len(village_options(s)) == 9


def test_groups_are_listed_by_their_number_not_as_text(demo_db):
    """一组, 二组 … 十组, 十一组 come in number order in the register (text order would put 十组 before 二组)."""
    from zwgk_desktop.core.group_order import group_number
    from zwgk_desktop.core.models import Village

    with demo_db.session() as s:
        village = s.execute(select(Village).order_by(Village.sort_order).limit(1)).scalar_one()
        for group in ("十一组", "二组", "十组", "三组", "一组"):
            s.add(Household(village_id=village.id, group_name=group, head_name="排序测试", member_count=1))
    with demo_db.session() as s:
        rows = household_page(s, HouseholdQuery(search="排序测试"))
    groups = [row.group_name for row in rows]
    assert groups == ["一组", "二组", "三组", "十组", "十一组"]
    with demo_db.session() as s:
        register = household_page(s, HouseholdQuery(), 0, DEMO_HOUSEHOLDS + 10)
    first_village = [r.group_name for r in register if r.village_name == register[0].village_name]
    numbers = [group_number(g) for g in first_village]
    assert numbers == sorted(numbers)


def test_household_ops_keep_a_village_user_to_their_villages(demo_db):
    """`ops.households` narrows every query to a 村级用户's villages; asking for another village returns nobody."""
    from zwgk_desktop.core.models import Village
    from zwgk_desktop.core.users import SYSTEM_ACTOR, Actor
    from zwgk_desktop.ops.households import households_page, list_households

    with demo_db.session() as s:
        liuhe, other = s.execute(select(Village.id).order_by(Village.name).limit(2)).scalars().all()
        in_liuhe = count_households(s, HouseholdQuery(village_ids=(liuhe,)))
    village_user = Actor("liuhe", "village", "村干部", (liuhe,))
    listing = list_households(demo_db, village_user, HouseholdQuery(), 50, with_villages=True)
    assert listing.total == in_liuhe > 0 and [v.id for v in listing.villages] == [liuhe]
    assert {r.village_id for r in listing.rows} == {liuhe}
    assert list_households(demo_db, village_user, HouseholdQuery(village_id=other), 50).total == 0
    assert list_households(demo_db, village_user, HouseholdQuery(village_ids=(other,)), 50).total == 0
    later = households_page(demo_db, village_user, HouseholdQuery(), 0, 1000)
    assert len(later) == in_liuhe and {r.village_id for r in later} == {liuhe}
    assert list_households(demo_db, SYSTEM_ACTOR, HouseholdQuery(), 50).total == DEMO_HOUSEHOLDS
