"""Statistics for a 村级用户: with `village_ids` every table counts only what concerns their villages."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from zwgk_desktop.core.line_items import counted_amount
from zwgk_desktop.core.models import (
    Disclosure,
    DisclosureItem,
    NoticeBoard,
    Objection,
    Posting,
    Village,
)
from zwgk_desktop.core.users import SYSTEM_ACTOR, Actor
from zwgk_desktop.ops import statistics as stats_ops
from zwgk_desktop.services.reports import (
    DISCLOSED_STATUSES,
    NoData,
    available_years,
    year_statistics,
)

VILLAGE = "柳河村"


@pytest.fixture
def year(demo_db) -> int:
    with demo_db.session() as s:
        return available_years(s)[0]


@pytest.fixture
def village(demo_db) -> str:
    with demo_db.session() as s:
        return s.execute(select(Village.id).where(Village.name == VILLAGE)).scalar_one()


def stats_for(db, year, village_ids=None):
    with db.session() as s:
        return year_statistics(s, year, village_ids=village_ids)


def counted_ids(db, year) -> set[str]:
    """The year's disclosed notices, newest versions only (counted directly, without the service)."""
    with db.session() as s:
        rows = s.execute(select(Disclosure.id, Disclosure.replaces_id).where(
            Disclosure.year == year, Disclosure.status.in_(DISCLOSED_STATUSES))).all()
    replaced = {r for _, r in rows if r}
    return {d for d, _ in rows if d not in replaced}


def village_notice_ids(db, year, village: str) -> set[str]:
    """Counted notices with a line item in the village or a posting on its board."""
    ids = counted_ids(db, year)
    with db.session() as s:
        with_items = set(s.execute(select(DisclosureItem.disclosure_id).where(DisclosureItem.village_id == village)).scalars())
        on_board = set(s.execute(select(Posting.disclosure_id).join(NoticeBoard, Posting.board_id == NoticeBoard.id)
                                 .where(NoticeBoard.village_id == village)).scalars())
    return ids & (with_items | on_board)


def test_village_figures_equal_a_direct_count(demo_db, year, village):
    """One village's notices, items and money are exactly its own, counted straight from the database."""
    ids = village_notice_ids(demo_db, year, village)
    with demo_db.session() as s:
        items, money = s.execute(select(func.count(DisclosureItem.id), func.sum(counted_amount())).where(  # 停保 not counted
            DisclosureItem.disclosure_id.in_(ids), DisclosureItem.village_id == village)).one()
        objections = s.execute(select(func.count(Objection.id)).where(Objection.disclosure_id.in_(ids))).scalar()
    stats = stats_for(demo_db, year, (village,))
    total = stats.table("by_category").total
    township = stats_for(demo_db, year)
    assert 0 < len(ids) < township.notices
    assert stats.notices == total[1] == len(ids)
    assert total[2] == items and total[4] == money
    assert stats.table("by_month").total[4] == money and stats.table("notices").total[7] == money
    assert stats.table("objections").total[1] == objections
    assert stats.villages == (VILLAGE,)


def test_by_village_and_evidence_show_only_the_village(demo_db, year, village):
    """The by-village table has the village alone, with the same figures as its row in the township table;
    the evidence table lists only its boards."""
    scoped = stats_for(demo_db, year, [village])
    rows = scoped.table("by_village").rows
    assert [r[0] for r in rows] == [VILLAGE]
    township_row = next(r for r in stats_for(demo_db, year).table("by_village").rows if r[0] == VILLAGE)
    assert rows[0] == township_row
    assert {r[1] for r in scoped.table("evidence").rows} == {VILLAGE}


def test_a_notice_posted_on_the_village_board_counts_without_its_lines(demo_db, year, village):
    """A notice with no line in the village but posted on its board counts as a notice and a posting, adding no items."""
    before = stats_for(demo_db, year, [village]).table("by_category").total
    outside = sorted(counted_ids(demo_db, year) - village_notice_ids(demo_db, year, village))
    assert outside
    with demo_db.session() as s:
        board = s.execute(select(NoticeBoard.id).where(NoticeBoard.village_id == village)).scalar_one()
        s.add(Posting(disclosure_id=outside[0], board_id=board, posted_on=date(year, 10, 20)))
    after = stats_for(demo_db, year, [village]).table("by_category").total
    assert after[1] == before[1] + 1 and after[5] == before[5] + 1
    assert after[2] == before[2] and after[4] == before[4]


def test_no_village_means_nothing_to_report(demo_db, year):
    """An empty village list reports nothing, with a message about the user's villages."""
    with demo_db.session() as s:
        assert available_years(s, ()) == []
        with pytest.raises(NoData) as caught:
            year_statistics(s, year, village_ids=())
    assert "涉及您负责的村（社区）的已公示" in caught.value.message


def test_township_wide_figures_are_unchanged(demo_db, year, village):
    """Without a scope every village is counted, and the villages' own figures add up to the township's lines."""
    township = stats_for(demo_db, year)
    assert township.villages == () and township.scope_name == township.township
    with demo_db.session() as s:
        villages = list(s.execute(select(Village.id)).scalars())
    money = sum(stats_for(demo_db, year, [v]).table("by_category").total[4] for v in villages)
    assert money == township.table("by_village").total[4] == township.table("by_category").total[4]


def test_export_writes_the_village_figures_and_says_so(demo_db, year, village, tmp_path):
    """The workbook of a 村级用户 carries the village's figures and names the village in titles and captions."""
    out = tmp_path / "村统计.xlsx"
    village_user = Actor("liuhe", "village", "柳河村村干部", (village,))
    stats_ops.export_statistics(demo_db, village_user, year, out)  # the op narrows to the user's villages
    stats = stats_for(demo_db, year, [village])
    wb = load_workbook(out)
    sheet = wb["按类别"]
    assert sheet["A1"].value == f"{stats.township}{VILLAGE}{year}年主动公开情况（按公开类别）"
    assert f"仅统计{VILLAGE}" in sheet["A2"].value
    total_row = 4 + len(stats.table("by_category").rows)
    assert sheet.cell(row=total_row, column=2).value == stats.notices
    by_village = wb["按村"]
    assert by_village["A4"].value == VILLAGE and by_village["A5"].value == "合计"
    assert VILLAGE in wb.properties.title


def test_a_village_user_never_gets_more_than_their_villages(demo_db, year, village):
    """The op narrows every request to the acting 村级用户's villages; township staff may ask for any village."""
    village_user = Actor("liuhe", "village", "柳河村村干部", (village,))
    own = stats_ops.year_statistics(demo_db, village_user, year)
    assert own.villages == (VILLAGE,)
    asked_wider = stats_ops.year_statistics(demo_db, village_user, year, None)
    assert asked_wider.villages == (VILLAGE,) and asked_wider.notices == own.notices
    with demo_db.session() as s:
        other = s.execute(select(Village.id).where(Village.name != VILLAGE).limit(1)).scalar()
    with pytest.raises(NoData):  # another village only: nothing of theirs to report
        stats_ops.year_statistics(demo_db, village_user, year, [other])
    staff = stats_ops.year_statistics(demo_db, SYSTEM_ACTOR, year, [village])
    assert staff.villages == (VILLAGE,) and staff.notices == own.notices
    assert stats_ops.statistics_years(demo_db, village_user).village_names == (VILLAGE,)
    assert stats_ops.statistics_years(demo_db, SYSTEM_ACTOR).village_names == ()
