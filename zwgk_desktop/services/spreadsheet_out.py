"""Writing cells the app exports: text stays text in every .xlsx and .csv, never a formula.

Spreadsheets are a hostile channel: a name or 备注 beginning with `=`, `+`,
`-`, `@`, a tab or a carriage return becomes a live formula (or DDE call)
when Excel or WPS opens the file. Every export writes cells through
`write_cell` (openpyxl) or `csv_cell` (csv), so such text is stored as a
string: openpyxl cell `data_type = "s"`; csv with the conventional leading
apostrophe. Numbers, dates and booleans pass through as themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return bool(text) and text.startswith(FORMULA_TRIGGERS)


def write_cell(worksheet, row: int, column: int, value: Any):
    """Set worksheet[row, column] to `value`; text is always stored as text. Returns the cell."""
    cell = worksheet.cell(row=row, column=column)
    set_cell_value(cell, value)
    return cell


def set_cell_value(cell, value: Any) -> None:
    """Give an openpyxl cell `value`, keeping any text a plain string (never a formula)."""
    if value is None or isinstance(value, (bool, int, float, Decimal, date, datetime)):
        cell.value = value
        return
    text = str(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula


def append_row(worksheet, values) -> int:
    """Append a row through `set_cell_value` (the safe `worksheet.append`); returns the row number.

    Like openpyxl's own `append`, the next row comes from the sheet's running row counter
    (`max_row` rescans every cell: quadratic over a 20,000-row report)."""
    current = getattr(worksheet, "_current_row", None)
    if isinstance(current, int):
        row = current + 1
    else:
        row = worksheet.max_row + 1 if worksheet.max_row > 1 or worksheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        write_cell(worksheet, row, column, value)
    if isinstance(current, int) and not values:
        worksheet._current_row = row  # an empty row still takes its place, as `append([])` does
    return row


def csv_cell(value: Any) -> str:
    """A csv field: text that Excel would read as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and looks_like_formula(text) else text
