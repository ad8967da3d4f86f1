"""The import report workbook (.xlsx): every rejected row and why, in Chinese, for the clerk to fix.

Sheets: 概况 (file, sheet, header row, column mapping, counts), 未导入的行
(one line per problem of a rejected row, with the row's name/ID as read),
文件问题 (file-level errors such as 合计不符) and 提示 (warnings). Written to a
temp file and moved into place, so a half-written report never exists.
Every cell goes through `services.spreadsheet_out`: a name or 备注 that
begins with "=" comes back as text, never as a live formula.
"""

from __future__ import annotations

import os
from pathlib import Path

from zwgk_desktop.services.rosters.preview import RosterPreview
from zwgk_desktop.services.rosters.validate import WARNING
from zwgk_desktop.services.rosters.xlsx_util import atomic_save, style_header
from zwgk_desktop.services.spreadsheet_out import append_row

CODE_LABELS = {
    "id_checksum": "身份证校验位错误",
    "id_format": "身份证格式错误",
    "id_precision_lost": "身份证号被存成数字",
    "account_precision_lost": "银行账号被存成数字",
    "duplicate_in_file": "表内重复",
    "duplicate_existing": "已在有效公示中",
    "unknown_village": "村名不在名单中",
    "bad_amount": "金额无法识别",
    "bad_value": "内容无法识别",
    "missing_required": "缺少必填项",
    "total_mismatch": "合计不符",
    "too_long": "内容过长",
    "invisible_chars": "含不可见字符（已删除）",
    "unknown_change_type": "变动类型无法识别",
    "unknown_option": "不是目录中的选项",
    "village_merged": "村已合并",
    "amount_rounded": "金额已四舍五入",
}


def code_label(code: str) -> str:
    return CODE_LABELS.get(code, code)


def write_import_report(preview: RosterPreview, path: str | os.PathLike) -> Path:
    """Write the report; returns the path written."""
    from openpyxl import Workbook

    workbook = Workbook()
    _summary_sheet(workbook.active, preview)
    _rejected_sheet(workbook.create_sheet("未导入的行"), preview)
    _file_problem_sheet(workbook.create_sheet("文件问题"), [p for p in preview.file_problems if p.severity != WARNING])
    _file_problem_sheet(workbook.create_sheet("提示"), preview.warnings())
    return atomic_save(workbook, Path(path))


def _summary_sheet(sheet, preview: RosterPreview) -> None:
    sheet.title = "概况"
    lines = [
        ("文件", Path(preview.path).name),
        ("工作表", preview.sheet),
        ("表头所在行", preview.header_row),
        ("标题", preview.title),
        ("可导入行数", preview.accepted),
        ("未导入行数", preview.rejected),
        ("跳过的行（空行、小计、重复表头等）", preview.skipped_rows),
        ("家庭成员行（计入人数）", preview.member_rows),
        ("可导入金额合计（元）", preview.accepted_fen / 100),
    ]
    for label, value in lines:
        append_row(sheet, [label, value])
    append_row(sheet, [None])
    style_header(sheet, append_row(sheet, ["公示字段", "对应的表格列"]))
    for key, header in preview.mapping_headers().items():
        append_row(sheet, [key, header])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 50


def _rejected_sheet(sheet, preview: RosterPreview) -> None:
    append_row(sheet, ["行号", "姓名", "身份证号码（原样）", "问题所在列", "问题", "说明"])
    style_header(sheet, 1)
    sheet.freeze_panes = "A2"
    for row in preview.rejected_rows:
        for problem in row.errors:
            number = append_row(sheet, [
                row.row, row.values.get("name") or row.raw.get("name", ""), row.raw.get("id_number") or row.values.get("id_number", ""),
                problem.column or "", code_label(problem.code), problem.message,
            ])
            sheet.cell(number, 3).number_format = "@"
    for letter, width in zip("ABCDEF", (8, 14, 22, 18, 18, 90)):
        sheet.column_dimensions[letter].width = width


def _file_problem_sheet(sheet, problems) -> None:
    append_row(sheet, ["行号", "列", "问题", "说明"])
    style_header(sheet, 1)
    for problem in problems:
        append_row(sheet, [problem.row or "", problem.column or "", code_label(problem.code), problem.message])
    for letter, width in zip("ABCD", (8, 18, 18, 100)):
        sheet.column_dimensions[letter].width = width
