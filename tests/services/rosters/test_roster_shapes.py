"""County roster shapes: funding parts under merged headers, 家庭人口 and 保障人数, change types, 停保 lines, .xls and GBK csv."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Household
from zwgk_desktop.services.rosters import read_roster
from zwgk_desktop.services.rosters.importer import import_roster

from . import fixtures as fx

PARTS = ("central", "province", "city", "county", "self")


def by_row(preview):
    return {r.row: r for r in preview.rows}


def codes(row):
    return {(p.code, p.key) for p in row.problems}


@pytest.mark.parametrize("three_rows", [False, True], ids=["two-row header", "three-row header"])
def test_funding_parts_with_a_total_column(tmp_path, three_rows):
    """补助资金（元） over 中央/省级/县级/自筹/合计: the parts are kept in fen, the amount is the 合计 sub-column."""
    path = fx.weifang_funding_xlsx(tmp_path / "危改.xlsx", three_rows=three_rows)
    preview = read_roster(path, "weifang", fx.VILLAGES)
    assert preview.header_rows == (3 if three_rows else 2)
    assert preview.mapping_headers()["amount"].endswith("/合计")
    first = preview.rows[0]
    assert first.accepted and first.values["amount_fen"] == 2_000_000
    assert first.values["funding"] == {"central": 1_200_000, "province": 500_000, "city": 0, "county": 300_000, "self": 0}
    assert [r.accepted for r in preview.rows] == [True, True, True, False, False, True]
    assert preview.accepted == 4 and preview.accepted_fen == (20000 + 22000 + 13000 + 9000) * 100


def test_a_total_that_disagrees_with_its_parts_is_refused_on_that_row(tmp_path):
    """李四's 合计 21,000 ≠ 12,000 + 5,000 + 3,000: `total_mismatch` on his row, naming both sums."""
    preview = read_roster(fx.weifang_funding_xlsx(tmp_path / "危改.xlsx"), "weifang", fx.VILLAGES)
    row = by_row(preview)[fx.WEIFANG_MISMATCH_ROW]
    assert not row.accepted and ("total_mismatch", "amount") in codes(row)
    message = next(p.message for p in row.problems if p.code == "total_mismatch")
    assert "21,000.00" in message and "20,000.00" in message


def test_a_total_beside_a_qizhong_group_is_the_amount(tmp_path):
    """补助资金（元） over 合计 and 其中 › 中央/省级/县级 (three header rows, 合计 not under 其中): 合计 is still the
    amount, so a row whose parts don't add up to it is total_mismatch, and the 合计 row is checked against it."""
    rows = [
        ["2026年农村危房改造补助对象公示"],
        ["序号", "村(组)", "户主", "身份证号码", "家庭人口", "补助资金（元）", None, None, None],
        [None, None, None, None, None, "合计", "其中", None, None],
        [None, None, None, None, None, None, "中央", "省级", "县级"],
        [1, "石桥村", "钱十一", fx.ID_WF[0], 3, 15000, 10000, 3000, 2000],
        [2, "河口村", "冯十二", fx.ID_WF[1], 5, 35000, 25000, 6000, 3000],  # parts add up to 34,000
        ["合计", None, None, None, 8, 50000, 35000, 9000, 5000],
    ]
    merges = (*(f"{column}2:{column}4" for column in "ABCDE"), "F2:I2", "F3:F4", "G3:I3")
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "危改.xlsx", rows, merges=merges), "weifang", fx.VILLAGES)
    assert preview.header_rows == 3
    assert preview.mapping_headers()["amount"] == "补助资金（元）/合计"
    first, second = preview.rows
    assert first.accepted and first.values["amount_fen"] == 1_500_000
    assert first.values["funding"] == {"central": 1_000_000, "province": 300_000, "city": 0, "county": 200_000, "self": 0}
    assert ("total_mismatch", "amount") in codes(second) and not second.accepted
    assert preview.total_fen == 5_000_000


def test_xianjie_project_plan_in_wan_yuan_with_level_named_funds(tmp_path):
    """衔接资金项目计划: 资金规模（万元） merged over 合计 and 中央/省级/市级/县级衔接资金, every other header merged down two
    rows. The header starts on its first row (not the row the merges reach into), every level is a funding part,
    and 万元 become yuan."""
    rows = [
        ["青山镇2026年度巩固拓展脱贫攻坚成果和乡村振兴项目计划公告"],
        ["序号", "项目名称", "实施地点", "建设内容及规模", "资金规模（万元）", None, None, None, None, "实施期限",
         "绩效目标", "受益对象"],
        [None, None, None, None, "合计", "中央衔接资金", "省级衔接资金", "市级衔接资金", "县级衔接资金"],
        [1, "石桥村产业路硬化", "石桥村", "硬化道路1.2公里", 60, 40, 10, 5, 5, "2026.3-2026.10", "方便300户出行", "全村农户"],
        [2, "河口村光伏电站", "河口村", "光伏电站100千瓦", 45.5, 30, 10, 3, 2.5, "2026.4-2026.9", "村集体增收", "脱贫户86户"],
        ["合计", None, None, None, 105.5, 70, 20, 8, 7.5],
    ]
    merges = (*(f"{column}2:{column}3" for column in "ABCDJKL"), "E2:I2")
    path = fx.xlsx_from_rows(tmp_path / "衔接资金.xlsx", rows, merges=merges)
    preview = read_roster(path, "fupin_project", fx.VILLAGES)
    assert (preview.header_row, preview.header_rows) == (2, 2)
    assert preview.mapping_headers()["amount"] == "资金规模（万元）/合计"
    assert preview.errors() == [] and preview.accepted == 2
    second = preview.rows[1]
    assert second.values["amount_fen"] == 45_5000_00
    assert second.values["funding"] == {"central": 30_0000_00, "province": 10_0000_00, "city": 3_0000_00,
                                        "county": 2_5000_00, "self": 0}
    assert preview.total_fen == preview.accepted_fen == 105_5000_00


@pytest.mark.parametrize(("header", "part"), [
    ("中央财政衔接推进乡村振兴补助资金", "central"), ("市级衔接资金", "city"), ("县级配套资金", "county"),
    ("区级财政资金", "county"), ("群众自筹资金", "self"), ("县乡道路建设资金", None), ("市场价格", None),
])
def test_funding_levels_are_read_from_the_words_counties_use(header, part):
    """A level word followed only by money words names that level's funds; a level word starting another name doesn't."""
    from zwgk_desktop.services.rosters.mapping import HeaderColumn, funding_part

    assert funding_part(HeaderColumn(0, f"资金规模（万元）/{header}", header)) == part


def test_group_labels_merged_above_the_column_labels_are_part_of_the_header(tmp_path):
    """"基本情况" and "补助资金（元）" merged across the column labels below them: the header starts at the group row,
    so 中央/省级/县级/自筹/合计 are the funding parts and the amount (not unmapped columns leaving no amount)."""
    rows = [
        ["基本情况", None, None, None, None, "补助资金（元）"],
        ["序号", "村(组)", "户主", "身份证号码", "家庭人口", "中央", "省级", "县级", "自筹", "合计"],
        [1, "石桥村", "丁一", fx.ID_WF[0], 3, 12000, 5000, 3000, 0, 20000],
        [2, "河口村", "丁二", fx.ID_WF[1], 2, 9000, 3000, 1000, 0, 13000],
    ]
    path = fx.xlsx_from_rows(tmp_path / "危改.xlsx", rows, merges=("A1:E1", "F1:J1"))
    preview = read_roster(path, "weifang", fx.VILLAGES)
    assert (preview.header_row, preview.header_rows) == (1, 2)
    assert preview.mapping_headers()["amount"] == "补助资金（元）/合计"
    assert preview.errors() == [] and preview.accepted_fen == 3_300_000
    assert preview.rows[0].values["funding"]["central"] == 1_200_000


def project_plan(tmp_path, unit_note: str | None, central: list) -> "object":
    """A 衔接资金 project plan: a title, an optional unit note above the header, 资金规模 and one 中央衔接资金 column."""
    rows = [
        ["青山镇2026年度衔接资金项目计划"],
        *([[None, None, None, None, None, unit_note]] if unit_note else []),
        ["序号", "项目名称", "实施地点", "建设内容及规模", "资金规模", "中央衔接资金"],
        [1, "石桥村产业路硬化", "石桥村", "硬化道路1.2公里", 60, central[0]],
        [2, "河口村光伏电站", "河口村", "光伏电站100千瓦", 45.5, central[1]],
    ]
    return read_roster(fx.xlsx_from_rows(tmp_path / "项目计划.xlsx", rows), "fupin_project", fx.VILLAGES)


@pytest.mark.parametrize(("note", "fen"), [("单位：万元", 105_5000_00), ("金额单位: 万元", 105_5000_00),
                                           ("单位：元", 105_50), (None, 105_50)])
def test_a_unit_note_above_the_table_applies_to_money_columns_without_their_own(tmp_path, note, fen):
    """"单位：万元" written above the header (not in it): the money columns are read in 万元, and the clerk is told."""
    preview = project_plan(tmp_path, note, [40, 30])
    assert preview.errors() == [] and preview.accepted_fen == fen
    assert any(w.code == "unit_from_note" for w in preview.warnings()) == (fen == 105_5000_00)


def test_one_funding_part_beside_its_own_total_may_be_less_but_not_more(tmp_path):
    """资金规模 beside a lone 中央衔接资金 (a partial "其中"): parts under the total are fine, parts above it are
    total_mismatch on that row."""
    preview = project_plan(tmp_path, "单位：万元", [40, 50])
    first, second = preview.rows
    assert first.accepted and first.values["funding"]["central"] == 40_0000_00
    assert ("total_mismatch", "amount") in codes(second) and not second.accepted


def test_a_funding_part_that_is_not_a_number_is_bad_amount_on_its_column(tmp_path):
    """周五's 中央 "待定": `bad_amount` on that row and on the 中央 column, nothing else blamed."""
    preview = read_roster(fx.weifang_funding_xlsx(tmp_path / "危改.xlsx", with_total=False), "weifang", fx.VILLAGES)
    row = by_row(preview)[fx.WEIFANG_BAD_PART_ROW]
    problems = [p for p in row.problems if p.severity == "error"]
    assert [(p.code, p.key) for p in problems] == [("bad_amount", "funding.central")]
    assert problems[0].column.endswith("/中央") and "待定" in problems[0].message


@pytest.mark.parametrize("three_rows", [False, True], ids=["two-row header", "three-row header"])
def test_without_a_total_column_the_amount_is_the_sum_of_the_parts(tmp_path, three_rows):
    """No 合计 sub-column: every line's amount is 中央 + 省级 + 县级 + 自筹, and no mismatch can arise."""
    path = fx.weifang_funding_xlsx(tmp_path / "危改.xlsx", with_total=False, three_rows=three_rows)
    preview = read_roster(path, "weifang", fx.VILLAGES)
    assert "amount" not in preview.mapping
    amounts = [r.values.get("amount_fen") for r in preview.rows if r.accepted]
    assert amounts == [2_000_000, 2_200_000, 1_300_000, 2_000_000, 900_000]
    assert not any(p.code == "total_mismatch" for r in preview.rows for p in r.problems)


def test_current_policy_target_groups_are_options_and_an_unknown_one_is_only_a_warning(tmp_path):
    """脱贫不稳定户、边缘易致贫户、突发严重困难户、农村低保边缘家庭 are catalogue options; "五保户" is warned, not refused."""
    preview = read_roster(fx.weifang_funding_xlsx(tmp_path / "危改.xlsx"), "weifang", fx.VILLAGES)
    rows = by_row(preview)
    for number in (4, 5, 6, 7):
        assert "unknown_option" not in {p.code for p in rows[number].problems}
    odd = rows[9]
    assert odd.accepted and [p.code for p in odd.problems] == ["unknown_option"]
    assert odd.problems[0].severity == "warning" and "五保户" in odd.problems[0].message


def test_family_size_and_covered_people_are_read_as_two_facts(tmp_path):
    """家庭人口 3 and 保障人数 2 stay distinct; the notice counts the people covered."""
    preview = read_roster(fx.dibao_changes_xlsx(tmp_path / "低保.xlsx"), "dibao", fx.VILLAGES)
    first = preview.rows[0]
    assert (first.values["family_size"], first.values["covered_people"], first.values["people"]) == (3, 2, 2)
    mapping = preview.mapping_headers()
    assert mapping["family_size"] == "家庭人口" and mapping["people"] == "保障人数"


def test_change_types_from_their_own_column(tmp_path):
    """变动情况 新增/调整/续保/停保/减保 become new/adjust/continue/stop/reduce; "待议" is a warning quoting it."""
    preview = read_roster(fx.dibao_changes_xlsx(tmp_path / "低保.xlsx"), "dibao", fx.VILLAGES)
    assert [r.values.get("change_type_code") for r in preview.rows] == ["new", "adjust", "continue", "stop", "reduce", None]
    unread = preview.rows[-1]
    assert unread.accepted and [(p.code, p.severity) for p in unread.problems] == [("unknown_change_type", "warning")]
    assert "待议" in unread.problems[0].message


def test_change_types_from_remarks(tmp_path):
    """Without a 类型 column, "停保（收入超标）" in 备注 makes a 停保 line, labelled as such."""
    preview = read_roster(fx.dibao_changes_xlsx(tmp_path / "低保.xlsx", change_in_remark=True), "dibao", fx.VILLAGES)
    assert "change_type" not in preview.mapping
    assert [r.values.get("change_type_code") for r in preview.rows] == ["new", "adjust", "continue", "stop", "reduce", None]
    stop = by_row(preview)[fx.DIBAO_STOP_ROW]
    assert stop.values["change_type"] == "停保" and stop.values["remark"] == "停保（收入超标）"


@pytest.mark.parametrize("rule", ["without_stop", "with_stop"])
def test_total_row_is_checked_with_and_without_stop_lines(tmp_path, rule):
    """A 合计 that leaves 停保 out, or counts it, both match; the preview says which rule the sheet used."""
    preview = read_roster(fx.dibao_changes_xlsx(tmp_path / "低保.xlsx", total=rule), "dibao", fx.VILLAGES)
    assert not [p for p in preview.file_problems if p.code == "total_mismatch"]
    assert preview.total_rule == rule
    assert preview.accepted_fen == (860 + 1720 + 860 + 430 + 860) * 100  # 停保 430 not counted


def test_a_total_matching_neither_rule_names_both_sums(tmp_path):
    """5,161 matches neither 5,160 (with 停保) nor 4,730 (without): one total_mismatch quoting both."""
    preview = read_roster(fx.dibao_changes_xlsx(tmp_path / "低保.xlsx", total="wrong"), "dibao", fx.VILLAGES)
    [problem] = [p for p in preview.file_problems if p.code == "total_mismatch"]
    assert "5,161.00" in problem.message and "5,160.00" in problem.message and "4,730.00" in problem.message


def test_old_xls_with_merged_funding_header(tmp_path):
    """The same funding layout saved as .xls (BIFF8): parts and amounts read the same."""
    preview = read_roster(fx.weifang_funding_xls(tmp_path / "危改.xls"), "weifang", fx.VILLAGES)
    assert preview.format == "xls" and preview.accepted == 3
    assert [r.values["amount_fen"] for r in preview.rows] == [2_000_000, 2_200_000, 1_300_000]
    assert preview.rows[1].values["funding"]["self"] == 200_000


def test_gbk_csv_with_a_two_row_header_without_merges(tmp_path):
    """A GBK CSV whose group label sits only over 中央: the parts still belong to 补助资金（元）."""
    preview = read_roster(fx.weifang_funding_csv(tmp_path / "危改.csv"), "weifang", fx.VILLAGES)
    assert preview.encoding == "gb18030" and preview.header_rows == 2
    assert preview.mapping_headers()["funding.province"] == "补助资金（元）/省级"
    assert [r.values["amount_fen"] for r in preview.rows] == [2_000_000, 2_200_000, 1_300_000]
    assert preview.rows[0].values["family_size"] == 3


def test_import_stores_the_facts_and_stop_lines_do_not_count(database, tmp_path):
    """Imported lines keep 家庭人口, 保障人数, the change type and funding; the notice total leaves 停保 out."""
    with database.session() as session:
        result = import_roster(session, fx.dibao_changes_xlsx(tmp_path / "低保.xlsx"), category="dibao")
    with database.session() as session:
        notice = session.get(Disclosure, result.disclosure_id)
        items = session.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == notice.id)
                                .order_by(DisclosureItem.seq)).scalars().all()
        stop = items[3]
        assert (stop.change_type, stop.extra["change_type"], stop.amount_fen) == ("stop", "停保", 43_000)
        assert notice.item_count == 6 and notice.total_amount_fen == (860 + 1720 + 860 + 430 + 860) * 100
        assert notice.total_people == 2 + 4 + 2 + 1 + 2
        assert (items[0].family_size, items[0].covered_people, items[0].people) == (3, 2, 2)
        household = session.execute(select(Household).where(Household.id_number == fx.ID_DB[0])).scalar_one()
        assert household.member_count == 3  # 家庭人口, not 保障人数


def test_import_stores_funding_parts(database, tmp_path):
    """A 危房改造 line keeps its five funding parts in fen beside the amount."""
    with database.session() as session:
        result = import_roster(session, fx.weifang_funding_xlsx(tmp_path / "危改.xlsx"), category="weifang")
    with database.session() as session:
        item = session.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == result.disclosure_id)
                               .order_by(DisclosureItem.seq)).scalars().first()
        assert item.funding == {"central": 1_200_000, "province": 500_000, "city": 0, "county": 300_000, "self": 0}
        assert item.amount_fen == 2_000_000 and item.family_size == 3 and item.extra["target_type"] == "脱贫不稳定户"


def test_disclosure_show_lists_the_new_fields_and_a_total_without_stop_lines(data_dir, tmp_path):
    """`disclosure show ID --items N --json`: family_size, covered_people, change_type, funding per line."""
    code, imported, _ = run_cli("import", str(fx.dibao_changes_xlsx(tmp_path / "低保.xlsx")), "--category", "dibao",
                                "--json", data_dir=data_dir)
    assert code == 0
    code, shown, _ = run_cli("disclosure", "show", imported["disclosure_id"], "--items", "6", "--json", data_dir=data_dir)
    assert code == 0 and shown["total_amount_fen"] == (860 + 1720 + 860 + 430 + 860) * 100
    lines = shown["items_preview"]
    assert [line["change_type"] for line in lines] == ["new", "adjust", "continue", "stop", "reduce", None]
    assert (lines[0]["family_size"], lines[0]["covered_people"], lines[0]["people"]) == (3, 2, 2)
    assert lines[0]["funding"] is None and {"name", "village_name", "amount_fen"} <= set(lines[0])
    code, imported, _ = run_cli("import", str(fx.weifang_funding_xlsx(tmp_path / "危改.xlsx")), "--category", "weifang",
                                "--json", data_dir=data_dir)
    code, shown, _ = run_cli("disclosure", "show", imported["disclosure_id"], "--items", "1", "--json", data_dir=data_dir)
    assert shown["items_preview"][0]["funding"] == dict(zip(PARTS, (1_200_000, 500_000, 0, 300_000, 0)))


def test_the_poster_shows_the_funding_parts_a_notice_has_with_their_totals(data_dir, tmp_path):
    """危房改造 publishes its funding sources: the poster has a column per part some line has (no 市级 column when no
    line has city funds) and the 合计 row totals each part over the imported lines."""
    from tests.services.printing.conftest import pdftotext

    code, imported, _ = run_cli("import", str(fx.weifang_funding_xlsx(tmp_path / "危改.xlsx")), "--category", "weifang",
                                "--json", data_dir=data_dir)
    assert code == 0 and imported["accepted"] == 4
    out = tmp_path / "poster.pdf"
    code, printed, _ = run_cli("print", "poster", imported["disclosure_id"], "-o", str(out), "--json", data_dir=data_dir)
    assert code == 0
    text = "".join(pdftotext(out).split())
    assert "中央(元)" in text and "省级(元)" in text and "县级(元)" in text and "自筹(元)" in text
    assert "市级(元)" not in text
    for total_yuan in ("39,000.00", "15,000.00", "8,000.00", "2,000.00", "64,000.00"):  # 中央 省级 县级 自筹 合计
        assert total_yuan in text
