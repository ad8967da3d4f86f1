"""A notice's line items as the detail pane reads them: counts, pages and totals, whole or one village's part."""

from __future__ import annotations

from sqlalchemy import select

from zwgk_desktop.core.disclosures import count_items, item_page, item_totals, list_disclosures
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Village


def ids_of(session, *names: str) -> tuple[str, ...]:
    return tuple(session.execute(select(Village.id).where(Village.name.in_(names))).scalars())


def dibao_notice(session) -> Disclosure:
    return session.execute(
        select(Disclosure).where(Disclosure.category == "dibao", Disclosure.status == "publishing")
    ).scalar_one()


def test_a_village_part_lists_and_counts_only_that_villages_lines(demo_db):
    """A 村级用户 gets only their village's lines, in 序号 order, and the count says how many those are."""
    with demo_db.session() as s:
        notice, liuhe = dibao_notice(s), ids_of(s, "柳河村")
        rows = item_page(s, notice.id, 0, 10_000, village_ids=liuhe)
        total = count_items(s, notice.id, village_ids=liuhe)
        everything = count_items(s, notice.id)
    assert rows and {r.village_name for r in rows} == {"柳河村"}
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    assert total == len(rows) < everything == notice.item_count


def test_without_a_scope_every_line_is_listed(demo_db):
    """Township staff (no scope) keep seeing every line of the notice, paged."""
    with demo_db.session() as s:
        notice = dibao_notice(s)
        first, rest = item_page(s, notice.id, 0, 10), item_page(s, notice.id, 10, 10_000)
    assert len(first) + len(rest) == notice.item_count
    assert len({r.village_name for r in first + rest}) > 1


def test_village_totals_add_up_to_the_notice_totals(demo_db):
    """Each village's lines, people and money add up to the whole notice's (nothing lost, nothing doubled)."""
    with demo_db.session() as s:
        notice = dibao_notice(s)
        villages = list(s.execute(select(Village.id)).scalars())
        parts = [item_totals(s, notice.id, village_ids=(v,)) for v in villages]
        whole = item_totals(s, notice.id)
    assert whole.items == notice.item_count and whole.amount_fen == notice.total_amount_fen
    assert sum(p.items for p in parts) == whole.items
    assert sum(p.amount_fen for p in parts) == whole.amount_fen and sum(p.people for p in parts) == whole.people


def test_searching_a_name_from_another_village_finds_nothing_for_a_village_user(demo_db):
    """A 村级用户 cannot find a notice by the name of a person who is listed only under another village."""
    with demo_db.session() as s:
        liuhe = ids_of(s, "柳河村")
        liuhe_names = set(s.execute(select(DisclosureItem.name).where(DisclosureItem.village_id.in_(liuhe))).scalars())
        name = next(
            n for n in s.execute(select(DisclosureItem.name).where(DisclosureItem.village_id.not_in(liuhe))).scalars()
            if n not in liuhe_names
        )
        assert list_disclosures(s, search=name)
        assert list_disclosures(s, search=name, village_ids=liuhe) == []


def test_a_village_users_list_rows_count_their_lines_money_and_boards(demo_db):
    """In a 村级用户's notice list, 条目, 金额 and 已张贴 count their village; township staff see whole notices."""
    from zwgk_desktop.core.models import NoticeBoard, Posting

    with demo_db.session() as s:
        notice, liuhe = dibao_notice(s), ids_of(s, "柳河村")
        lines = [a for (a,) in s.execute(select(DisclosureItem.amount_fen).where(
            DisclosureItem.disclosure_id == notice.id, DisclosureItem.village_id.in_(liuhe)))]
        boards = {b for (b,) in s.execute(select(Posting.board_id).join(NoticeBoard, Posting.board_id == NoticeBoard.id)
                                            .where(Posting.disclosure_id == notice.id, NoticeBoard.village_id.in_(liuhe)))}
        mine = next(r for r in list_disclosures(s, village_ids=liuhe) if r.id == notice.id)
        whole = next(r for r in list_disclosures(s) if r.id == notice.id)
    assert (mine.items, mine.total_amount_fen, mine.posted_boards) == (len(lines), sum(lines), len(boards))
    assert (whole.items, whole.total_amount_fen) == (notice.item_count, notice.total_amount_fen)
    assert mine.items < whole.items
