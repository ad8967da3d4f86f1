"""The statistics workbook (.xlsx): one formatted sheet per `StatTable`, every cell written as data, never a formula.

Owns `write_workbook(stats, out_path)`: bold header, frozen panes, widths,
money with two decimals (integer fen → yuan only here, exactly, through
`Decimal`), a bold totals row, notes under the table, landscape fit-to-width
printing. Every cell goes through `services.spreadsheet_out.write_cell`, so
a notice title or a village name beginning with `=`, `+`, `-` or `@` stays
text when Excel or WPS opens the file (issue 18, formula injection). The
file is written to a temporary name and renamed, so a failure leaves
nothing behind. No database and no Qt here: the figures come from
`services.reports.statistics`.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_desktop.errors import InvalidInput, ZwgkError
from zwgk_desktop.fileio import atomic_output
from zwgk_desktop.services.reports.statistics import INT, MONEY, PERCENT, TEXT, StatTable, YearStatistics
from zwgk_desktop.services.spreadsheet_out import write_cell

MONEY_FORMAT = "#,##0.00"
INT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
HEADER_FILL = "DDE6F3"
TOTAL_FILL = "F2F2F2"
HEADER_ROW = 3


def cell_value(value: Any, kind: str) -> Any:
    """What a statistics value becomes in its cell: money fen → Decimal yuan, everything else as it is."""
    if value is None:
        return None
    if kind == MONEY and isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value) / 100  # exact: fen → yuan only at the output boundary
    return value


def scope_caption(stats: YearStatistics) -> str:
    """The line under each sheet's title saying what was counted (and for which villages)."""
    caption = f"统计口径：{stats.year}年已公示（公示中、期满、已归档）的公示"
    if stats.villages:
        caption += f"；仅统计{'、'.join(stats.villages)}的公开条目、本村公开栏的张贴和所涉公示的异议（村级用户）"
    return caption


def _write_sheet(wb, table: StatTable, stats: YearStatistics) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(table.sheet)
    width = len(table.columns)
    write_cell(ws, 1, 1, f"{stats.scope_name}{stats.year}年{table.title}").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 24
    write_cell(ws, 2, 1, scope_caption(stats)).font = Font(size=9, color="666666")
    thin = Side(style="thin", color="A0A0A0")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, column in enumerate(table.columns, start=1):
        cell = write_cell(ws, HEADER_ROW, col, column.label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = column.width
    formats = {MONEY: MONEY_FORMAT, INT: INT_FORMAT, PERCENT: PERCENT_FORMAT}
    rows = list(table.rows) + ([table.total] if table.total else [])
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        is_total = table.total is not None and r == HEADER_ROW + len(rows)
        for col, (column, value) in enumerate(zip(table.columns, values), start=1):
            cell = write_cell(ws, r, col, cell_value(value, column.kind))
            cell.border = border
            if column.kind in formats and not isinstance(value, str):
                cell.number_format = formats[column.kind]
                cell.alignment = Alignment(horizontal="right")
            elif column.kind == TEXT and column.width >= 30:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if is_total:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor=TOTAL_FILL)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    note_row = HEADER_ROW + len(rows) + 2
    for offset, note in enumerate(table.notes):
        write_cell(ws, note_row + offset, 1, f"注：{note}").font = Font(size=9, color="666666")
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def check_output_path(out_path: str | os.PathLike) -> Path:
    """The workbook's target, refused in Chinese before any work when it can't be an .xlsx written there."""
    target = Path(out_path)
    if target.suffix.lower() != ".xlsx":
        raise InvalidInput(f"统计表文件名应以 .xlsx 结尾：{target.name}", code="bad_output")
    if not target.parent.is_dir():
        raise InvalidInput(f"输出文件夹 {target.parent} 不存在，请先创建或换一个位置。", code="bad_output")
    return target


def write_workbook(stats: YearStatistics, out_path: str | os.PathLike) -> list[str]:
    """Write one formatted sheet per table to `out_path` (temp file + rename); return the sheet names."""
    from openpyxl import Workbook

    target = check_output_path(out_path)
    wb = Workbook()
    wb.remove(wb.active)
    for table in stats.tables:
        _write_sheet(wb, table, stats)
    wb.properties.title = f"{stats.scope_name}{stats.year}年政务公开统计表"
    wb.properties.creator = "zwgk_desktop"
    try:
        with atomic_output(target) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise ZwgkError(f"无法写入统计表 {target}（{exc.strerror or exc}），未生成文件。请检查磁盘空间和权限。", code="write_failed") from exc
    return stats.sheet_names
