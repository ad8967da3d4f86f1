"""台账 export and blank roster templates (.xlsx).

Owns:
- `export_ledger`: the line items of one notice, or of a category (optionally
  one village, and never beyond the user's own villages), as a workbook with
  a frozen header, sensible widths, and ID/account/phone columns written as
  TEXT cells ('@') so Excel cannot turn them into 3.41E+17. Every value goes
  through `core.privacy.present_value` for the chosen preset: `internal`
  (full), `semi_public` (masked IDs, accounts, phones) or `public` (only
  public columns, nothing secret). Values are read by catalogue key with
  `core.line_items.values_by_key` (家庭人口, 保障人数, the change type as the
  roster wrote it); categories that publish funding sources get one column
  per part (中央/省级/市级/县级/自筹) when any line has them.
- `write_template`: a blank roster for a category — header row from the
  catalogue (plus the funding parts where the category publishes them),
  drop-down lists from the catalogue `enum`s, ID/account columns
  pre-formatted as text, and a 填写说明 sheet.
Every cell is written through `services.spreadsheet_out` (text stays text,
never a formula).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import CatalogEntry, Column, get_entry
from zwgk_desktop.core.disclosures import find_disclosure
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.line_items import funding_columns, values_by_key
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Village
from zwgk_desktop.core.privacy import Audience, column_visible, present_value
from zwgk_desktop.core.status import Status, status_label
from zwgk_desktop.errors import InvalidInput, NotFound
from zwgk_desktop.services.rosters.xlsx_util import TEXT_FORMAT, atomic_save, display_width, style_header
from zwgk_desktop.services.spreadsheet_out import append_row, write_cell

PRESETS = {"internal": Audience.INTERNAL, "semi_public": Audience.SEMI_PUBLIC, "public": Audience.PUBLIC}
TEXT_KINDS = ("id_number", "bank_account", "phone", "public_phone")
TEMPLATE_ROWS = 1000
MAX_WIDTH = 40


@dataclass
class LedgerResult:
    path: Path
    rows: int
    disclosures: int
    preset: str

    def as_json(self) -> dict:
        return {"path": str(self.path), "rows": self.rows, "disclosures": self.disclosures, "preset": self.preset}


def _audience(preset: str) -> Audience:
    if preset not in PRESETS:
        raise InvalidInput(f"未知的脱敏方式“{preset}”。可用：internal（内部完整）、semi_public（半公开，号码打码）、public（公开）。")
    return PRESETS[preset]


def template_columns(entry: CatalogEntry) -> tuple[Column, ...]:
    """A blank roster's columns: the catalogue's, then the funding parts before nothing else."""
    return entry.columns + funding_columns(entry)


def _cell_value(column: Column, value):
    if column.type == "money" and isinstance(value, int) and not isinstance(value, bool):
        return value / 100
    return value


def export_ledger(
    session: Session,
    path: str | os.PathLike,
    *,
    disclosure_id: str | None = None,
    category: str | None = None,
    village: str | None = None,
    preset: str = "semi_public",
    job: Job | None = None,
    village_ids: Iterable[str] | None = None,
) -> LedgerResult:
    """Write the 台账 of one notice, or of every non-withdrawn notice of a category (optionally one village;
    `village_ids`: only the lines of those villages, a village user's scope)."""
    job = job or Job()
    audience = _audience(preset)
    if disclosure_id:
        disclosures = [find_disclosure(session, disclosure_id)]
        category = disclosures[0].category
    elif category:
        get_entry(category)
        disclosures = list(session.execute(
            select(Disclosure).where(Disclosure.category == category, Disclosure.status != Status.WITHDRAWN)
            .order_by(Disclosure.created_at)
        ).scalars())
    else:
        raise InvalidInput("请指定要导出的公示编号（--disclosure）或公开类别（--category）。")
    entry = get_entry(category)
    village_id = _village_id(session, village) if village else None
    scope = None if village_ids is None else list(village_ids)
    columns = [c for c in entry.columns if column_visible(c, audience)]
    if entry.funding_parts and _has_funding(session, [d.id for d in disclosures]):
        columns += list(funding_columns(entry))
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    header = ["序号", *(c.label for c in columns), "公示标题", "状态"]
    append_row(sheet, header)
    style_header(sheet, 1)
    sheet.freeze_panes = "A2"
    widths = [display_width(h) for h in header]
    text_cols = {i + 2 for i, c in enumerate(columns) if c.kind in TEXT_KINDS}
    money_cols = {i + 2 for i, c in enumerate(columns) if c.type == "money"}
    keys = {c.key for c in columns}
    count = 0
    for disclosure in disclosures:
        job.check()
        query = select(DisclosureItem).where(DisclosureItem.disclosure_id == disclosure.id).order_by(DisclosureItem.seq)
        if village_id:
            query = query.where(DisclosureItem.village_id == village_id)
        if scope is not None:
            query = query.where(DisclosureItem.village_id.in_(scope))
        for item in session.execute(query).scalars():
            count += 1
            known = values_by_key(item, keys)
            values = [_cell_value(c, present_value(c, known.get(c.key), audience, entry.name_mask)) for c in columns]
            row = [count, *("" if v is None else v for v in values), disclosure.title, status_label(disclosure.status)]
            number = count + 1
            for position, value in enumerate(row, start=1):
                if position in text_cols:
                    value = "" if value is None else str(value)
                cell = write_cell(sheet, number, position, value)
                if position in text_cols:
                    cell.number_format = TEXT_FORMAT
                elif position in money_cols:
                    cell.number_format = "#,##0.00"
            if count <= 200:
                widths = [max(w, display_width(v)) for w, v in zip(widths, row)]
            if count % 2000 == 0:
                job.progress(count, 0, "正在导出台账…")
    _set_widths(sheet, widths)
    _format_text_columns(sheet, sorted(text_cols))
    atomic_save(workbook, Path(path))
    return LedgerResult(Path(path), count, len(disclosures), preset)


def _has_funding(session: Session, disclosure_ids: list[str]) -> bool:
    if not disclosure_ids:
        return False
    found = session.execute(
        select(func.count(DisclosureItem.id)).where(DisclosureItem.disclosure_id.in_(disclosure_ids[:500]),
                                                    DisclosureItem.funding.is_not(None))
    ).scalar()
    return bool(found)


def _village_id(session: Session, name: str) -> str:
    found = session.execute(select(Village.id).where(Village.name == name.strip())).scalar()
    if found is None:
        raise NotFound(f"找不到村（社区）“{name}”。")
    return found


def _set_widths(sheet, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), MAX_WIDTH)


def _format_text_columns(sheet, columns: list[int]) -> None:
    """Whole-column text format too, so rows typed in later stay text."""
    from openpyxl.styles import NamedStyle  # noqa: F401  (style objects live in openpyxl.styles)
    from openpyxl.utils import get_column_letter

    for col in columns:
        sheet.column_dimensions[get_column_letter(col)].number_format = TEXT_FORMAT


def write_template(category: str, path: str | os.PathLike) -> Path:
    """A blank roster for `category` that this app imports without any mapping questions."""
    entry = get_entry(category)
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    columns = template_columns(entry)
    labels = ["序号", *(c.label for c in columns)]
    append_row(sheet, labels)
    style_header(sheet, 1)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=2):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(max(display_width(column.label) + 4, 10), MAX_WIDTH)
        if column.kind in TEXT_KINDS:
            sheet.column_dimensions[letter].width = 22
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row, index).number_format = TEXT_FORMAT
        if column.enum:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(column.enum) + '"', allow_blank=True,
                showErrorMessage=True, errorTitle="请从列表中选择", error=f"“{column.label}”只能填：{'、'.join(column.enum)}",
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
        if column.type == "money":
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row, index).number_format = "0.00"
    _instructions(workbook.create_sheet("填写说明"), entry)
    return atomic_save(workbook, Path(path))


def _instructions(sheet, entry: CatalogEntry) -> None:
    append_row(sheet, [f"{entry.name} 花名册填写说明"])
    append_row(sheet, ["列名", "是否必填", "说明"])
    style_header(sheet, 2)
    for column in template_columns(entry):
        notes = []
        if column.kind == "id_number":
            notes.append("18位身份证号码；本列已设为文本格式，请勿改成数字，否则后几位会丢失")
        if column.kind == "bank_account":
            notes.append("本列为文本格式，请完整填写卡号")
        if column.type == "money":
            notes.append("填写数字，单位为元，最多两位小数")
        if column.type == "date":
            notes.append("日期，如 2026-11-05")
        if column.enum:
            notes.append("从下拉列表选择：" + "、".join(column.enum))
        if column.key == "village":
            notes.append("填写村（社区）全称，可带组，如“石桥村三组”")
        if column.key == "change_type":
            notes.append("新增、调整、续保、停保或减保；停保的户列入公示但不计入合计")
        if column.key.startswith("funding."):
            notes.append("资金来源之一；填写了各项资金时，合计应等于各项之和（不填合计则按各项之和）")
        if column.field == "family_size":
            notes.append("家庭人口（户籍或共同生活人数）")
        if column.field == "covered_people":
            notes.append("享受保障的人数，可少于家庭人口")
        append_row(sheet, [column.label, "必填" if column.required else "", "；".join(notes)])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 80
