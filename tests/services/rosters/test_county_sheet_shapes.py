"""Roster shapes met in county sheets: the village written once per block, subtotals, member rows, footers, dates."""

from __future__ import annotations

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
