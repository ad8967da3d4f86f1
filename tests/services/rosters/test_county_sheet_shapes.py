"""Roster shapes met in county sheets: the village written once per block, subtotals, member rows, footers, dates."""

from __future__ import annotations

from datetime import date

from tests.services.rosters.fixtures import person_id
from zwgk_desktop.services.rosters import read_roster

from . import fixtures as fx

DIBAO_HEADER = ["序号", "村名", "户主姓名", "身份证号码", "保障人数", "月保障金额（元）"]


def dibao_blocks() -> list[list]:
    """Two village blocks, the village written only on each block's first line, 序号 restarting, 小计 rows."""
    return [
        ["青山镇2026年12月农村低保对象花名册"],
        DIBAO_HEADER,
        [1, "石桥村", "张大山", person_id(201), 3, 900],
        [2, None, "李小河", person_id(202), 2, 600],
        [3, None, "王二妹", person_id(203), 1, 300],
        ["小计", None, None, None, 6, 1800],
        [1, "河口村", "赵有田", person_id(204), 4, 1200],
        [2, None, "钱满仓", person_id(205), 2, 600],
        ["小计", None, None, None, 6, 1800],
        ["合计", None, None, None, 12, 3600],
    ]


def villages_by_name(preview) -> dict[str, str]:
    return {r.values["name"]: r.values.get("village") for r in preview.rows}


def test_a_village_merged_down_over_its_block_belongs_to_every_row_of_the_block(tmp_path):
    """村名 merged down over each village's rows: every household gets its village, silently (merging is explicit)."""
    path = fx.xlsx_from_rows(tmp_path / "低保.xlsx", dibao_blocks(), merges=("B3:B5", "B7:B8"))
    preview = read_roster(path, "dibao", fx.VILLAGES)
    assert preview.accepted == 5 and preview.errors() == []
    assert villages_by_name(preview) == {"张大山": "石桥村", "李小河": "石桥村", "王二妹": "石桥村",
                                         "赵有田": "河口村", "钱满仓": "河口村"}
    assert not [w for w in preview.warnings() if w.code == "village_filled_down"]
    assert preview.accepted_fen == 360_000 and preview.total_rule == "with_stop"


def test_an_old_xls_with_the_village_merged_down_reads_the_same(tmp_path):
    """The same merged 村 cell in a BIFF .xls (xlwt) fills the rows it covers."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("低保")
    for col, text in enumerate(DIBAO_HEADER):
        sheet.write(0, col, text)
    for row, values in enumerate(dibao_blocks()[2:4], start=1):
        for col, value in enumerate(values):
            if value is not None and col != 1:
                sheet.write(row, col, value)
    sheet.write_merge(1, 2, 1, 1, "石桥村")
    book.save(str(tmp_path / "低保.xls"))
    preview = read_roster(tmp_path / "低保.xls", "dibao", fx.VILLAGES)
    assert preview.accepted == 2 and villages_by_name(preview) == {"张大山": "石桥村", "李小河": "石桥村"}


def test_a_blank_village_under_a_filled_one_means_same_as_above_with_one_warning(tmp_path):
    """村名 written on the first line of each block and left blank below: the rows take the village above, and one
    warning lists the rows so the clerk can check them."""
    path = fx.xlsx_from_rows(tmp_path / "低保.xlsx", dibao_blocks())
    preview = read_roster(path, "dibao", fx.VILLAGES)
    assert preview.accepted == 5 and preview.errors() == []
    assert villages_by_name(preview)["钱满仓"] == "河口村" and villages_by_name(preview)["王二妹"] == "石桥村"
    filled = [w for w in preview.warnings() if w.code == "village_filled_down"]
    assert len(filled) == 1 and "第4、5、8行" in filled[0].message and "同上" in filled[0].message


def test_a_blank_village_on_the_first_line_is_still_missing(tmp_path):
    """With nothing above to take, a blank village is still `missing_required` on that row."""
    rows = [DIBAO_HEADER, [1, None, "张大山", person_id(201), 3, 900], [2, "河口村", "李小河", person_id(202), 2, 600]]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows), "dibao", fx.VILLAGES)
    assert [(p.row, p.code) for p in preview.errors()] == [(2, "missing_required")]


def test_a_village_subtotal_labelled_he_ji_is_not_the_sheets_total(tmp_path):
    """"石桥村 | 合计" rows closing each village block are subtotals: no `total_mismatch` against the last village's
    sum, and the 全镇 合计 row at the end is still checked."""
    rows = [
        DIBAO_HEADER,
        [1, "石桥村", "张大山", person_id(201), 3, 900],
        [2, "石桥村", "李小河", person_id(202), 2, 600],
        [None, "石桥村", "合计", None, 5, 1500],
        [1, "河口村", "赵有田", person_id(204), 4, 1200],
        [None, "河口村", "合计", None, 4, 1200],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows), "dibao", fx.VILLAGES)
    assert preview.errors() == [] and preview.accepted == 3 and preview.skipped_rows == 2
    rows.append([None, "全镇", "合计", None, 9, 2000])
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保2.xlsx", rows), "dibao", fx.VILLAGES)
    assert [(p.row, p.code) for p in preview.errors()] == [(7, "total_mismatch")]


def test_a_heading_row_naming_the_village_gives_the_rows_under_it_their_village(tmp_path):
    """"一、石桥村" / "二、河口村" heading rows merged across the table: the households under each get that village;
    the heading is neither a family member of the line above nor a skipped row to warn about."""
    rows = [
        ["青山镇2026年12月农村低保对象花名册"],
        DIBAO_HEADER,
        ["一、石桥村"],
        [1, None, "张大山", person_id(201), 3, 900],
        [2, None, "李小河", person_id(202), 2, 600],
        ["二、河口村"],
        [1, None, "赵有田", person_id(204), 4, 1200],
        ["合计", None, None, None, 9, 2700],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows, merges=("A3:F3", "A6:F6")), "dibao", fx.VILLAGES)
    assert preview.errors() == [] and preview.member_rows == 0
    assert villages_by_name(preview) == {"张大山": "石桥村", "李小河": "石桥村", "赵有田": "河口村"}
    assert [r.values["people"] for r in preview.rows] == [3, 2, 4]
    assert not [w for w in preview.warnings() if w.code in ("skipped_row", "village_filled_down")]


def test_heading_rows_give_the_village_when_the_sheet_has_no_village_column(tmp_path):
    """Without a 村 column, heading rows "石桥村" / "河口村" still say where each household lives."""
    rows = [
        ["序号", "户主姓名", "身份证号码", "保障人数", "月保障金额（元）"],
        ["石桥村"],
        [1, "张大山", person_id(201), 3, 900],
        ["河口村"],
        [1, "赵有田", person_id(204), 4, 1200],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows, merges=("A2:E2", "A4:E4")), "dibao", fx.VILLAGES)
    assert preview.errors() == [] and villages_by_name(preview) == {"张大山": "石桥村", "赵有田": "河口村"}


def test_an_id_stored_as_a_number_is_named_as_excel_shows_it_never_with_its_digits(tmp_path):
    """An 18-digit ID (and a bank card) stored as a number: the error quotes "3.41525E+17" as the cell shows it,
    never the 16 digits the float still holds; the other spellings of a good ID are accepted."""
    good, card = person_id(210), 6228480012345678901
    rows = [
        ["序号", "村", "户主姓名", "身份证号码", "保障人数", "月保障金额（元）", "银行账号"],
        [1, "石桥村", "甲一", float(good), 1, 300, "6228480012345678901"],
        [2, "石桥村", "甲二", person_id(212) + "  ", 1, 300, float(card)],
        [3, "石桥村", "甲三", person_id(213).translate(str.maketrans("0123456789", "０１２３４５６７８９")), 1, 300, None],
        [4, "石桥村", "甲四", "'" + person_id(214), 1, 300, None],
        [5, "石桥村", "甲五", person_id(215)[:6] + " " + person_id(215)[6:], 1, 300, None],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows), "dibao", fx.VILLAGES)
    assert [(p.row, p.code) for p in preview.errors()] == [(2, "id_precision_lost"), (3, "account_precision_lost")]
    messages = " ".join(p.message for p in preview.errors())
    assert "“3.41525E+17”" in messages and "“6.22848E+18”" in messages
    assert good[:10] not in messages and "6228480012" not in messages
    assert preview.rows[0].raw["id_number"] == "3.41525E+17"
    assert [r.values["id_number"] for r in preview.rows[2:]] == [person_id(213), person_id(214), person_id(215)]


def test_a_short_number_in_the_id_column_is_told_by_its_length():
    """A 15-digit legacy ID or a stray short number in a number cell is explained by its length, not by a "." the
    clerk never typed."""
    from zwgk_desktop.core.idnumber import validate_id_number

    assert "15位的旧身份证号码" in validate_id_number(341525600517201.0).message
    assert validate_id_number(12345.0).message == "身份证号码应为18位，实为5位。"


def test_a_year_dot_month_typed_into_a_number_cell_is_that_month_not_a_day_in_1905(tmp_path):
    """"2026.11" typed into a General cell is the number 2026.11: 审批日期 2026-11, not serial 2026 (1905-07-19);
    2026.1 (also what "2026.10" becomes) is refused in Chinese; a real date serial is still a date."""
    rows = [["序号", "村", "姓名", "家庭人口", "救助事由", "救助金额（元）", "审批日期"]]
    for number, approved in enumerate([2026.11, 2026.9, 46330, 2026.1, "2026年11月"], start=1):
        rows.append([number, "河口村", f"丙{number}", 3, "突发重大疾病", 2000, approved])
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "临时救助.xlsx", rows), "linshi", fx.VILLAGES)
    assert [r.values.get("approved_on") for r in preview.rows] == ["2026-11", "2026-09", "2026-11-04", None, "2026-11"]
    [problem] = preview.errors()
    assert problem.row == 5 and "1月还是10月" in problem.message


def test_one_row_per_person_with_their_relation_to_the_head_lists_each_family_once(tmp_path):
    """姓名 holds every person, 与户主关系 says 户主/配偶/长子, only the head's row has the money: the spouse and the
    child are members of the head's household (家庭人口 3), not households refused for a missing amount."""
    rows = [
        ["序号", "村", "姓名", "与户主关系", "身份证号码", "保障人数", "月保障金额（元）"],
        [1, "石桥村", "张大山", "户主", person_id(201), 3, 900],
        [None, "石桥村", "李桂花", "配偶", person_id(260), None, None],
        [None, "石桥村", "张小山", "长子", person_id(261, date(2012, 1, 1)), None, None],
        [2, "河口村", "赵有田", "户主", person_id(204), 1, 300],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows), "dibao", fx.VILLAGES)
    assert preview.errors() == [] and [r.values["name"] for r in preview.rows] == ["张大山", "赵有田"]
    assert preview.rows[0].member_rows == [3, 4] and preview.rows[0].values["family_size"] == 3
    assert preview.member_rows == 2


def test_an_applicant_who_is_not_the_head_still_gets_a_line_of_their_own(tmp_path):
    """每户一行 rosters whose applicant is the head's son (与户主关系 = 子) and has an amount stay households."""
    rows = [
        ["序号", "村", "申请人", "与户主关系", "身份证号码", "保障人数", "月保障金额（元）"],
        [1, "石桥村", "张大山", "子", person_id(201), 3, 900],
        [2, "河口村", "赵有田", "女", person_id(204), 1, 300],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows), "dibao", fx.VILLAGES)
    assert preview.accepted == 2 and preview.member_rows == 0


def test_a_sign_off_row_spread_over_the_columns_is_not_a_person(tmp_path):
    """"制表人： | 王会计 | 审核人： | 李主任 | 日期： | 2026年12月3日" under the table: skipped, not a refused line
    with a village "王会计" and an amount "2026年12月3日"; a 公示时间 note line is not warned about either."""
    rows = [
        ["序号", "村", "户主姓名", "身份证号码", "保障人数", "月保障金额（元）"],
        [1, "石桥村", "张大山", person_id(201), 3, 900],
        [2, "河口村", "李小河", person_id(202), 2, 600],
        ["制表人：", "王会计", "审核人：", "李主任", "日期：", "2026年12月3日"],
        ["公示时间：2026年12月4日至12月10日"],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows), "dibao", fx.VILLAGES)
    assert preview.errors() == [] and preview.accepted == 2 and preview.skipped_rows == 2
    assert not [w for w in preview.warnings() if w.code == "skipped_row"]


def test_the_headers_county_offices_use_for_aid_type_and_implementer_are_mapped(tmp_path):
    """临时救助 "救助类别" is the 急难型/支出型 column and a project plan's "责任单位" the 实施单位: imported, not
    reported as columns without a field."""
    rows = [
        ["序号", "村（组）", "救助对象", "家庭人口", "救助类别", "救助事由", "一次性救助金额（元）", "审批时间"],
        [1, "石桥村2组", "陈一", "4人", "急难型", "火灾", 3000, "2026年11月"],
        [2, "河口村", "陈二", 2, "支出型", "因病支出较大", "1500.00", "2026.11"],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "临时救助.xlsx", rows), "linshi", fx.VILLAGES)
    assert preview.mapping_headers()["aid_type"] == "救助类别"
    assert [r.values["aid_type"] for r in preview.rows] == ["急难型", "支出型"]
    assert preview.rows[0].values["group"] == "2组" and preview.rows[0].values["family_size"] == 4
    projects = [
        ["序号", "项目名称", "建设地点", "资金规模（万元）", "受益户数", "责任单位"],
        [1, "石桥村茶叶加工厂", "石桥村", 80, "120户", "石桥村委会"],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "项目.xlsx", projects), "fupin_project", fx.VILLAGES)
    assert preview.rows[0].values["implementer"] == "石桥村委会"
    assert preview.rows[0].values["amount_fen"] == 80_0000_00
    assert not [w for w in preview.warnings() if w.code == "unmapped_column"]


def test_a_stop_line_without_money_is_imported_and_counts_in_no_total(tmp_path):
    """停保 households listed with a blank or "/" amount are imported (they are on the 公示, in no total); a 减保 line
    without an amount is still missing_required; "300元/月" is 300 yuan."""
    rows = [
        ["序号", "村", "户主姓名", "身份证号码", "家庭人口", "保障人数", "月保障金额（元）", "变动情况", "备注"],
        [1, "石桥村", "张大山", person_id(201), 3, 3, "300元/月", "新增", None],
        [2, "石桥村", "李小河", person_id(202), 2, 2, None, "停保", "死亡"],
        [3, "河口村", "赵有田", person_id(204), 4, 2, "/", None, "本月停保"],
        [4, "河口村", "钱满仓", person_id(205), 1, 1, "—", "减保", None],
        [5, "河口村", "孙有福", person_id(206), 2, 2, 600, "续保", None],
        ["合计", None, None, None, 12, 10, 900, None, None],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", rows), "dibao", fx.VILLAGES)
    assert [(p.row, p.code) for p in preview.errors()] == [(5, "missing_required")]
    assert preview.accepted == 4 and preview.change_types == {"new": 1, "stop": 2, "continue": 1}
    assert [r.values.get("amount_fen") for r in preview.accepted_rows] == [30000, None, None, 60000]
    assert preview.accepted_fen == 90000 and preview.total_rule == "with_stop"


def test_short_and_older_option_wordings_are_read_as_the_catalogues_options(tmp_path):
    """特困 sheets write 分散/集中 and the 2021 wording 部分丧失生活自理能力; they are read as 分散供养/集中供养 and
    半护理 (one wording in totals and on the poster), with no warning; a wording the catalogue does not know
    is still imported as written with `unknown_option`."""
    rows = [
        ["村", "姓名", "身份证号码", "供养方式", "生活自理能力", "基本生活标准(元/月)"],
        ["石桥村", "张大山", person_id(301), "分散", "部分丧失生活自理能力", 780],
        ["石桥村", "李小河", person_id(302), "集中", "完全丧失生活自理能力", 980],
        ["河口村", "王二妹", person_id(303), "分散供养", "具备生活自理能力", 780],
        ["河口村", "赵有田", person_id(304), "居家", "全自理", 780],
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "特困.xlsx", rows), "tekun", fx.VILLAGES)
    assert preview.accepted == 4 and preview.errors() == []
    read = {r.values["name"]: (r.values["support_mode"], r.values["self_care"]) for r in preview.rows}
    assert read == {"张大山": ("分散供养", "半护理"), "李小河": ("集中供养", "全护理"),
                    "王二妹": ("分散供养", "全自理"), "赵有田": ("居家", "全自理")}
    unknown = [w for w in preview.warnings() if w.code == "unknown_option"]
    assert len(unknown) == 1 and "“居家”" in unknown[0].message


def test_a_catalogue_alias_naming_no_option_is_ignored(tmp_path):
    """A county catalogue whose alias points at no option of the column (a typo) never turns a wording into
    a wrong option: the alias is dropped and the wording stays an unknown option."""
    from zwgk_desktop.core.catalogue import _aliases

    column = {"key": "support_mode", "enum": ["分散供养", "集中供养"], "aliases": {"分散": "分散供氧", "集中": "集中供养"}}
    assert _aliases(column) == (("集中", "集中供养"),)
