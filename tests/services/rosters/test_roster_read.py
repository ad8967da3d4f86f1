"""Reading and checking messy rosters without a database (read_roster and its parsers)."""

from __future__ import annotations

import pytest

from zwgk_desktop.errors import InvalidInput, UnknownCategory
from zwgk_desktop.services.rosters import read_roster
from zwgk_desktop.services.rosters.validate import CellError, parse_money

from . import fixtures as fx


def codes_by_row(preview):
    found = {}
    for problem in preview.errors():
        found.setdefault(problem.row, problem.code)
    return found


@pytest.fixture
def messy(tmp_path):
    path = fx.messy_dibao_xlsx(tmp_path / "低保11月.xlsx")
    return read_roster(path, "dibao", fx.VILLAGES, {fx.ID_EXISTING: "2026年10月低保公示"})


def test_messy_roster_accepts_exactly_the_clean_rows(messy):
    """Title rows, merged two-row header, member rows: only the three clean households are accepted."""
    assert [r.row for r in messy.accepted_rows] == fx.MESSY_ACCEPTED_ROWS
    assert messy.accepted == 3 and messy.rejected == 8


def test_messy_roster_reports_each_error_code_on_its_row(messy):
    """Every bad row carries the cli.md error code the clerk needs, on the right spreadsheet row."""
    assert codes_by_row(messy) == fx.MESSY_ERRORS
    for problem in messy.errors():
        assert problem.message and problem.column


def test_header_title_and_mapping_are_found_under_title_rows(messy):
    """The title row becomes the title and the merged 保障金额/小计 column is the amount."""
    assert messy.title == fx.TITLE
    assert messy.header_row == 3 and messy.header_rows == 2
    mapping = messy.mapping_headers()
    assert mapping["name"] == "户主姓名"
    assert mapping["amount"].endswith("小计")
    assert mapping["id_number"] == "身份证号码"
    assert "level" not in mapping  # 分类施保金 is not a 保障类别


def test_member_rows_count_as_people_not_items(messy):
    """Member rows under a merged 户主 cell are part of that household, not new line items."""
    zhang = messy.rows[0]
    assert zhang.values["name"] == "张三" and zhang.member_rows == [6, 7]
    assert zhang.values["people"] == 3
    assert messy.member_rows == 2


def test_a_sheet_repeating_the_head_on_every_member_row_lists_each_family_once(tmp_path):
    """户主姓名 repeated on each member's row (成员姓名, 与户主关系, the member's own ID number): the members belong to
    the household above (家庭人口 3), not three lines of which two lack an amount."""
    from datetime import date

    header = ["序号", "村", "户主姓名", "成员姓名", "与户主关系", "身份证号码", "保障人数", "月保障金额(元)"]
    rows = [
        [1, "石桥村", "张大", "张大", "本人", fx.person_id(51), 3, 900],
        [None, "石桥村", "张大", "李花", "配偶", fx.person_id(52, date(1962, 3, 3)), None, None],
        [None, "石桥村", "张 大", "张小", "子", fx.person_id(53, date(1990, 4, 4)), None, None],
        [2, "河口村", "王二", "王二", "户主", fx.person_id(54), 1, 300],
        [3, "河口村", "王二", "王二", "本人", fx.person_id(55), 1, 300],  # a namesake's own line, not a member
    ]
    preview = read_roster(fx.xlsx_from_rows(tmp_path / "低保.xlsx", [header, *rows]), "dibao", fx.VILLAGES)
    assert preview.errors() == [] and preview.member_rows == 2
    assert [(r.values["name"], r.values.get("family_size"), r.values["amount_fen"]) for r in preview.rows] == [
        ("张大", 3, 90000), ("王二", None, 30000), ("王二", None, 30000)]


def test_names_are_trimmed_but_rare_characters_kept_exactly(messy):
    """Full-width padding is trimmed; Ext-B 𠮷 and Ext-A 㛃 survive byte for byte; 王  五 → 王五."""
    by_row = {r.row: r for r in messy.rows}
    assert by_row[9].values["name"] == fx.RARE_NAME
    assert by_row[8].values["name"] == "王五"


def test_amount_text_forms_and_total_mismatch(messy):
    """"1,240.00" and "￥300" are money; the 合计 row that disagrees is reported with both sums."""
    by_row = {r.row: r for r in messy.rows}
    assert by_row[9].values["amount_fen"] == 124000
    assert by_row[16].values["amount_fen"] == 30000
    assert messy.sum_fen == fx.MESSY_SUM_FEN
    mismatch = [p for p in messy.errors() if p.code == "total_mismatch"][0]
    assert mismatch.row == 19 and "99,999.00" in mismatch.message and "3,990.00" in mismatch.message


def test_matching_total_gives_no_mismatch(tmp_path):
    """When the 合计 equals the sum of the amount column, no total_mismatch is raised."""
    path = fx.messy_dibao_xlsx(tmp_path / "ok.xlsx", total_yuan=fx.MESSY_SUM_FEN / 100)
    preview = read_roster(path, "dibao", fx.VILLAGES)
    assert "total_mismatch" not in {p.code for p in preview.errors()}


def test_sign_off_lines_under_the_table_are_not_people(tmp_path):
    """The sign-off lines county sheets end with ("审核人：李四" in the name column, 分管领导 in a number column) are
    skipped quietly, not refused as a person with a bad head count."""
    rows = fx.simple_rows(3)
    sign_off = ["制表人：张会计", None, "审核人：李四", None, "分管领导：王五", None]
    path = fx.xlsx_from_rows(tmp_path / "临时救助.xlsx", [fx.SIMPLE_HEADER, *rows, ["合计", None, None, None, None, 930],
                                                        sign_off, ["注：本表一式三份。"]])
    preview = read_roster(path, "linshi", fx.VILLAGES)
    assert preview.accepted == 3 and preview.rejected == 0
    assert preview.errors() == [] and not [w for w in preview.warnings() if w.code == "skipped_row"]


@pytest.mark.parametrize(("text", "iso"), [
    ("2026年11月3日", "2026-11-03"), ("20261103", "2026-11-03"), ("2026.11.3", "2026-11-03"),
    ("2026/11/03 00:00:00", "2026-11-03"), ("2026-11-03T08:30", "2026-11-03"), ("2026/11/3 0:00", "2026-11-03"),
    (46329, "2026-11-03"),
])
def test_dates_in_the_forms_county_systems_export(text, iso):
    """Dates typed or exported by county systems, a time after the date included, read as that day."""
    from zwgk_desktop.services.rosters.validate import parse_date

    assert parse_date(text) == iso


def test_hidden_rows_and_columns_are_warned(messy):
    """A hidden data row and a hidden column are reported as warnings, not errors."""
    warnings = {(w.code, w.row, w.column) for w in messy.warnings()}
    assert ("hidden_row", 16, None) in warnings
    assert any(code == "hidden_column" and column == "保障金额（元）/分类施保金" for code, _, column in warnings)
    assert 16 in [r.row for r in messy.accepted_rows]


def test_unknown_village_suggests_closest(messy):
    """A misspelt village is rejected with the closest known village suggested."""
    problem = [p for p in messy.errors() if p.code == "unknown_village"][0]
    assert "石桥村" in problem.message


def test_gbk_csv_is_detected_and_read(tmp_path):
    """A CSV saved by Excel in GBK is decoded without asking, with its title row skipped."""
    path = tmp_path / "临时救助.csv"
    path.write_bytes(fx.csv_bytes(fx.simple_rows(4), encoding="gbk", title="河口村2026年临时救助公示"))
    preview = read_roster(path, "linshi", fx.VILLAGES)
    assert preview.encoding == "gb18030"
    assert preview.accepted == 4 and preview.title == "河口村2026年临时救助公示"
    assert [r.values["name"] for r in preview.rows] == ["张三", "李四", "王五", "赵六"]


def test_utf8_bom_csv_with_scientific_id(tmp_path):
    """UTF-8 with BOM reads; a text ID like 3.41525E+17 is id_precision_lost."""
    rows = fx.simple_rows(2)
    rows[1][3] = "3.41525E+17"
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbf" + fx.csv_bytes(rows, encoding="utf-8"))
    preview = read_roster(path, "linshi", fx.VILLAGES)
    assert preview.encoding == "utf-8-sig"
    assert codes_by_row(preview) == {3: "id_precision_lost"}


def test_old_xls_with_numeric_id(tmp_path):
    """A BIFF .xls reads through calamine; an ID stored as a number is id_precision_lost."""
    path = fx.xls_roster(tmp_path / "old.xls", fx.simple_rows(3), numeric_id_row=1)
    preview = read_roster(path, "linshi", fx.VILLAGES)
    assert preview.format == "xls" and preview.header_row == 2
    assert preview.accepted == 2 and codes_by_row(preview) == {4: "id_precision_lost"}


def test_roster_sheet_is_chosen_among_several(tmp_path):
    """With an instructions sheet first, the roster sheet is picked and named."""
    path = fx.xlsx_from_rows(
        tmp_path / "multi.xlsx", [["填表说明"], ["请勿修改表头"]], sheet="说明",
        extra_sheets={"名单": [fx.SIMPLE_HEADER, *fx.simple_rows(3)]},
    )
    preview = read_roster(path, "linshi", fx.VILLAGES)
    assert preview.sheet == "名单" and preview.accepted == 3


@pytest.mark.parametrize(
    "text, fen",
    [("1,240.00", 124000), ("500元", 50000), ("￥500", 50000), ("¥ 12.5", 1250), (300, 30000), (0.1, 10)],
)
def test_money_forms_accepted(text, fen):
    """Common written forms of an amount parse to integer fen."""
    assert parse_money(text)[0] == fen


@pytest.mark.parametrize("text", ["待核", "伍佰元", "-5", "12.345", "500 元整多"])
def test_money_forms_refused(text):
    """Words, negatives and sub-fen text amounts are refused."""
    with pytest.raises(CellError):
        parse_money(text)


def test_mapping_override_and_remembered_mapping(tmp_path):
    """An override picks the named column; a remembered mapping for the same layout is reused."""
    path = fx.messy_dibao_xlsx(tmp_path / "m.xlsx")
    preview = read_roster(path, "dibao", fx.VILLAGES, mapping_override={"amount": "月保障金"})
    assert preview.mapping_source == "override"
    assert preview.mapping_headers()["amount"].endswith("月保障金")
    assert preview.rows[0].values["amount_fen"] == 50000
    again = read_roster(path, "dibao", fx.VILLAGES, known_mappings={preview.signature: preview.mapping})
    assert again.mapping_source == "remembered" and again.mapping == preview.mapping


def test_unknown_category_is_refused(tmp_path):
    """An unknown category code raises UnknownCategory before the file is read."""
    with pytest.raises(UnknownCategory):
        read_roster(tmp_path / "missing.xlsx", "nope")


# --- bad input: a clear Chinese error naming the problem ---------------------------------------------


@pytest.mark.parametrize(
    "make, name, code, words",
    [
        (fx.corrupt_xlsx, "坏.xlsx", "corrupt", "损坏"),
        (fx.encrypted_workbook, "加密.xlsx", "encrypted", "密码"),
        (fx.zip_bomb, "炸弹.xlsx", "zip_bomb", "压缩炸弹"),
        (fx.huge_csv, "大.csv", "too_many_rows", "上限"),
        (fx.png_named_xlsx, "图片.xlsx", "not_a_spreadsheet", "不是电子表格"),
        (fx.formula_roster, "公式.xlsx", "formula_no_value", "公式"),
    ],
)
def test_bad_files_raise_clear_chinese_errors(tmp_path, make, name, code, words):
    """Corrupt, encrypted, zip-bomb, oversized, non-spreadsheet and uncached-formula files are refused clearly."""
    path = make(tmp_path / name)
    with pytest.raises(InvalidInput) as caught:
        read_roster(path, "linshi", fx.VILLAGES)
    assert caught.value.code == code
    assert words in caught.value.message


def test_sheet_without_header_is_refused(tmp_path):
    """A sheet of numbers with no recognisable header names the sheet and the category."""
    path = fx.xlsx_from_rows(tmp_path / "n.xlsx", [[1, 2, 3], [4, 5, 6]])
    with pytest.raises(InvalidInput) as caught:
        read_roster(path, "dibao", fx.VILLAGES)
    assert caught.value.code == "no_header" and "表头" in caught.value.message


def test_macro_workbook_is_read_as_values_only(tmp_path):
    """An .xlsm is read for its cell values with a warning that macros are never run."""
    path = fx.macro_workbook(tmp_path / "宏.xlsm")
    preview = read_roster(path, "linshi", fx.VILLAGES)
    assert preview.accepted == 2
    assert "macros_ignored" in {w.code for w in preview.warnings()}
