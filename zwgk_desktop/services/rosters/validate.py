"""Turning the roster table's data rows into checked line items, with per-cell problems.

Owns: cell parsers (money → integer fen, counts, dates, names with rare
characters kept exactly, village/group split), imported text normalised once
(`core.text_input`: NFC, invisible and bidi characters removed with a
warning naming the row, a length limit per field → `too_long`; a leading tab
is not stripped into a formula), household-member rows under a merged 户主
cell, blank/footer/repeated-header rows, the 合计 row and its cross-check
(tried with and without 停保 lines), hidden rows/columns, and the row checks
with the error codes of cli.md (`id_checksum`, `id_format`,
`id_precision_lost`, `duplicate_in_file`, `duplicate_existing`,
`unknown_village`, `bad_amount`, `missing_required`, `total_mismatch`).

The line-item facts of `core.line_items`: 家庭人口 and 保障人数 into
`family_size`/`covered_people` (the catalogue column's `field`) and the
counted `people`; the change type from its own column or from 备注
(`change_type_code`; unreadable → `unknown_change_type` warning with the text);
funding parts (`funding`, fen), the amount being the group's 合计 or the sum
of the parts, and a 合计 that disagrees with its parts → `total_mismatch` on
the row. A row with an error is rejected; warnings never reject. Pure: the
database facts come in as arguments.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from zwgk_desktop.core.catalogue import CatalogEntry, Column
from zwgk_desktop.core.idnumber import as_excel_shows, is_clean_valid_id, validate_id_number
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.line_items import (
    FUNDING_KEY_PREFIX,
    FUNDING_PARTS,
    change_type_in_remark,
    change_type_label,
    change_type_of,
    counted_people,
    counts_in_totals,
    funding_key,
    funding_record,
    funding_total,
)
from zwgk_desktop.core.text_input import INVISIBLE, limit_for, normalize_input, too_long_message
from zwgk_desktop.services.spreadsheet_out import FORMULA_TRIGGERS

from zwgk_desktop.services.rosters.mapping import funding_columns as group_funding_columns
from zwgk_desktop.services.rosters.table import Table, cell_text

ERROR, WARNING = "error", "warning"
MAX_ROW_WARNINGS_PER_KIND = 50
PROGRESS_EVERY = 2000
EXCEL_SIGNIFICANT_DIGITS = 15
EXCEL_EPOCH = date(1899, 12, 30)
TOTAL_LABEL_CELLS = 4
FLOAT_EXACT_LIMIT = 2.0 ** 53  # below this a whole float's repr is its exact integer value

GRAND_TOTAL_PREFIXES = ("合计", "总计", "共计", "总合计", "累计", "全镇合计", "全乡合计", "全镇", "全乡")
FOOTER_PREFIXES = ("制表", "填表", "审核", "审批", "负责人", "经办人", "填报", "说明", "注：", "注:", "备注：", "联系电话", "日期",
                   "单位负责人", "领导", "分管", "主管", "监督", "公示人", "公示时间", "公示期", "举报电话")
VILLAGE_SUFFIXES = ("村", "社区", "村委会", "村民委员会", "居委会", "居民委员会")


@dataclass
class Problem:
    """One finding: 1-based spreadsheet row, the column's header text, a stable code, a Chinese message."""

    row: int | None
    column: str | None
    code: str
    message: str
    severity: str = ERROR
    key: str | None = None  # catalogue column key, for the UI to colour the cell

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class RosterRow:
    """One line item as read: parsed values by catalogue key, raw texts, problems, member rows under it."""

    row: int  # 1-based spreadsheet row of the household/item row
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    member_rows: list[int] = field(default_factory=list)
    village_id: str | None = None
    members: tuple[str, ...] = ()  # names listed in one 家庭成员 cell

    @property
    def accepted(self) -> bool:
        return not self.problems or not any(p.severity == ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


class CellError(ValueError):
    """A cell that cannot be parsed; the message is Chinese and goes to the user."""

    code = ""


class TooLong(CellError):
    """Text longer than its field may hold (the columns are VARCHAR)."""

    code = "too_long"


# --- cell parsers -------------------------------------------------------------------------

_MONEY_TEXT = re.compile(r"^\d+(?:\.\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_CURRENCY = ("￥", "¥", "RMB", "rmb", "人民币")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def parse_money(value: Any, multiplier: int = 1) -> tuple[int | None, bool]:
    """Cell → (integer fen or None when empty, rounded?). Raises `CellError` on anything else.

    Accepts numbers and texts like "1,240.00", "500元", "780元/月", "￥500"; refuses "待核", "伍佰元",
    negatives and text with more than 2 decimals. `multiplier` 10000 reads a 万元 column.
    """
    kind = type(value)
    if kind is int or (kind is float and value.is_integer() and abs(value) < FLOAT_EXACT_LIMIT):
        # Fast path for whole numbers (the usual cell): same result as the Decimal route below.
        if value < 0:
            raise CellError(f"金额“{cell_text(value)}”是负数，公示金额不能为负。")
        return int(value) * 100 * multiplier, False
    if value is None or value == "":
        return None, False
    if isinstance(value, bool) or isinstance(value, (date, time, timedelta)):
        raise CellError(f"金额“{value}”不是数字。")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        amount = _money_text(str(value), 2 + len(str(multiplier)) - 1)
        if amount is None:
            return None, False
    if amount < 0:
        raise CellError(f"金额“{cell_text(value)}”是负数，公示金额不能为负。")
    fen = amount * 100 * multiplier
    rounded = fen != fen.to_integral_value()
    return int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)), rounded


def _money_text(text: str, max_decimals: int = 2) -> Decimal | None:
    original = text if len(text) <= 40 else text[:40] + "…"
    text = unicodedata.normalize("NFKC", _SPACES.sub("", text))
    for mark in _CURRENCY:
        text = text.replace(mark, "")
    for suffix in ("元/月", "元整", "元", "圆"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if text in ("", "-", "—", "/"):
        return None
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if not _MONEY_TEXT.match(text):
        raise CellError(f"金额“{original.strip()}”不是数字（应填写如 500、500.00 或 1,240.00）。")
    if "." in text and len(text.split(".")[1]) > max_decimals:
        raise CellError(f"金额“{original.strip()}”超过两位小数（最小单位为分）。")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise CellError(f"金额“{original.strip()}”不是数字。") from exc


def parse_count(value: Any) -> int | None:
    """A head count: 3, 3.0, "3", "3人", "3口"; empty → None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(f"人数“{value}”不是整数。")
    if isinstance(value, (int, float)):
        if float(value).is_integer() and value >= 0:
            return int(value)
        raise CellError(f"人数“{cell_text(value)}”不是非负整数。")
    text = unicodedata.normalize("NFKC", _SPACES.sub("", str(value)))
    for suffix in ("人", "口", "户"):
        text = text.removesuffix(suffix)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    raise CellError(f"人数“{str(value).strip()}”不是整数。")


# A time after the date (a system export's "2026/11/03 00:00:00", ISO "2026-11-03T08:30") is dropped.
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def parse_date(value: Any) -> str | None:
    """A date cell or text (2026-11-05, 2026/11/5, 2026年11月5日, 20261105, Excel serial, with or without a
    time after it) → ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and YEAR_AS_NUMBER[0] <= value < YEAR_AS_NUMBER[1]:
        return _year_dot_month(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
    text = unicodedata.normalize("NFKC", _SPACES.sub("", str(value)))
    for pattern in (_DATE_TEXT, _DATE_COMPACT):
        match = pattern.match(text)
        if match:
            try:
                return date(*map(int, match.groups())).isoformat()
            except ValueError:
                break
    match = _MONTH_TEXT.match(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    raise CellError(f"日期“{str(value).strip()}”无法识别（应填写如 2026-11-05）。")


# "2026.11" typed into a General cell is the number 2026.11, not a date serial (serials 1900–2100 are days of 1905).
YEAR_AS_NUMBER = (1900, 2101)


def _year_dot_month(value: float) -> str:
    """A number like 2026.11 → "2026-11". 2026.1 is refused: Excel stores "2026.10" as 2026.1 too."""
    shown = cell_text(value)
    year, _, digits = shown.partition(".")
    if not digits:
        raise CellError(f"日期“{shown}”只有年份，请填写到月或日（如“{year}年10月”或“{year}-10-15”）。")
    if digits == "1":
        raise CellError(f"日期“{shown}”被Excel存成了数字，无法分辨是1月还是10月（Excel把“{year}.10”也存成{year}.1）。"
                        f"请改填为如“{year}年10月”或“{year}-01”的文字。")
    if len(digits) <= 2 and 1 <= int(digits) <= 12:
        return f"{int(year):04d}-{int(digits):02d}"
    raise CellError(f"日期“{shown}”无法识别（应填写如 2026-11-05）。")


def clean_person_name(value: Any) -> str:
    """Trim ASCII/full-width/no-break spaces; drop alignment spaces inside a Chinese name.

    Rare characters (Ext A 㛃, Ext B 𠮷) and compatibility ideographs are kept byte
    for byte (see `core.text_input`). A leading tab before a formula sign stays.
    """
    raw = value if isinstance(value, str) else cell_text(value)
    text = raw.strip(" \t\r\n\u3000\u00a0")
    if text and not _ASCII_LETTER.search(text) and _SPACES.search(text):
        text = _SPACES.sub("", text)
    return _keep_formula_guard(raw, text)


def _keep_formula_guard(raw: str, text: str) -> str:
    """Trimming must not turn "\t=1+2" into "=1+2": text after a leading tab/space that starts with a
    formula sign keeps that first whitespace character, so it stays text wherever it goes."""
    if text and text[0] in FORMULA_TRIGGERS and raw[:1].isspace():
        return raw[0] + text
    return text


def clean_text(value: Any) -> str:
    if isinstance(value, str):
        text = " ".join(value.split())
        if text and text[0] in FORMULA_TRIGGERS and value[:1].isspace():
            return _keep_formula_guard(value, text)
        return text
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(cell_text(value).split())


def is_numeric_cell(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d+$")


def clean_account(value: Any, label: str) -> str:
    """A bank account as digits text; a long number or "6.22E+18" has lost digits → `CellError`."""
    if value is None or value == "":
        return ""
    if is_numeric_cell(value):
        digits = str(int(value)) if float(value).is_integer() else repr(value)
        if len(digits.replace(".", "")) > EXCEL_SIGNIFICANT_DIGITS:
            raise CellError(
                f"{label}被Excel存成了数字（显示为“{as_excel_shows(value)}”），超过15位的部分已经丢失且无法恢复。"
                "请把该列设置为“文本”格式后重新录入。"
            )
        return digits
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).replace("-", "")
    if _SCIENTIFIC.match(text):
        raise CellError(f"{label}“{value}”是科学计数法，后几位已经丢失且无法恢复。请按文本格式重新录入。")
    return text.lstrip("'")


# --- villages -------------------------------------------------------------------------------


@dataclass
class VillageIndex:
    """Known villages by name → id, with the matching rules for what people type.

    `merged`: names of villages merged into another (撤并村) → the village they joined; a roster
    still naming the old village is read as the new one (with a warning). `retired`: names of
    villages retired without a merger (a roster naming one is refused, saying so).
    """

    by_name: dict[str, str | None]
    merged: dict[str, str] = field(default_factory=dict)
    retired: frozenset[str] = frozenset()
    # Rosters repeat the same few village texts thousands of times: answer each distinct text once.
    _split_cache: dict[str, tuple[str | None, str]] = field(default_factory=dict, repr=False, compare=False)
    _suggest_cache: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, villages: "Iterable[str] | Mapping[str, str] | VillageIndex | None", *,
              merged: Mapping[str, str] | None = None, retired: Iterable[str] = ()) -> "VillageIndex | None":
        if villages is None:
            return None
        if isinstance(villages, VillageIndex):
            return villages
        by_name = dict(villages) if isinstance(villages, Mapping) else {name: None for name in villages}
        return cls(by_name, dict(merged or {}), frozenset(retired))

    def split(self, text: str) -> tuple[str | None, str]:
        """'石桥村3组' → ('石桥村', '3组'); None when no known village matches."""
        found = self._split_cache.get(text)
        if found is None:
            found = self._split_cache[text] = self._split_uncached(text)
        return found

    def former(self, text: str) -> tuple[str | None, str | None, str]:
        """(old name, the village it was merged into, group) when `text` names a merged village."""
        text = _SPACES.sub("", text)
        for old in sorted(self.merged, key=len, reverse=True):
            if text.startswith(old):
                return old, self.merged[old], text[len(old):].lstrip("-/—·、")
        return None, None, ""

    def is_retired(self, text: str) -> bool:
        text = _SPACES.sub("", text)
        return any(text.startswith(name) for name in self.retired)

    def _split_uncached(self, text: str) -> tuple[str | None, str]:
        text = _SPACES.sub("", text)
        if text in self.by_name:
            return text, ""
        for name in sorted(self.by_name, key=len, reverse=True):
            if text.startswith(name):
                return name, text[len(name):].lstrip("-/—·、")
        for suffix in VILLAGE_SUFFIXES:
            for name in self.by_name:
                stem = _village_stem(name)
                if stem and (text == stem or text == stem + suffix):
                    return name, ""
        return None, ""

    def suggest(self, text: str) -> str | None:
        if text not in self._suggest_cache:
            self._suggest_cache[text] = self._suggest_uncached(text)
        return self._suggest_cache[text]

    def _suggest_uncached(self, text: str) -> str | None:
        close = difflib.get_close_matches(text, list(self.by_name), n=1, cutoff=0.4)
        if close:
            return close[0]
        stems = {(_village_stem(n) or n): n for n in self.by_name}
        close = difflib.get_close_matches(_village_stem(text) or text, list(stems), n=1, cutoff=0.4)
        return stems[close[0]] if close else None


def _village_stem(name: str) -> str:
    for suffix in sorted(VILLAGE_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


_GROUP_TAIL = re.compile(r"^(.+?(?:村|社区|居委会))[-/—·、]?(.+组)$")


def split_village_group_unknown(text: str) -> tuple[str, str]:
    """Without a village list: '石桥村三组' → ('石桥村', '三组')."""
    text = _SPACES.sub("", text)
    match = _GROUP_TAIL.match(text)
    return (match.group(1), match.group(2)) if match else (text, "")


# --- row building ---------------------------------------------------------------------------


@dataclass
class RowContext:
    """Everything the row checks need besides the row itself."""

    table: Table
    entry: CatalogEntry
    mapping: dict[str, int]
    villages: VillageIndex | None
    existing_ids: Mapping[str, str]
    default_village: str | None = None
    today: date = field(default_factory=date.today)  # birth dates in ID numbers must not be later
    # The amount is what the funding parts add up to (the group's 合计, or the editor's full breakdown);
    # None: decided from the header (a separate 资金规模 beside "其中：中央" only has to be at least the parts).
    amount_is_parts_total: bool | None = None

    def __post_init__(self) -> None:
        self.funding_columns = [(part, self.mapping[funding_key(part)]) for part in FUNDING_PARTS
                                if funding_key(part) in self.mapping]
        self.change_types = self.entry.column("change_type") is not None
        self.sheet_unit = sheet_money_unit(self.table)
        self.multipliers = {key: _unit_multiplier(self, key) for key in self.mapping}
        if self.amount_is_parts_total is None:
            amount_column = self.mapping.get("amount")
            self.amount_is_parts_total = amount_column is not None and (
                group_funding_columns(self.table.columns).get("amount") == amount_column)
        self.limits = {key: limit_for(key) for key in self.mapping}
        self.text_clean = False  # set by build_rows after one pass over the sheet
        self.village_cache: dict = {}


def _unit_multiplier(ctx: RowContext, key: str) -> int:
    """Money columns headed in 万元 hold ten-thousands of yuan; headed in 元, yuan; headed without a unit,
    the unit a note above the table gives ("单位：万元")."""
    column = ctx.table.column(ctx.mapping[key])
    text = column.text if column is not None else ""
    if "万元" in text:
        return 10_000
    return 1 if "元" in text else ctx.sheet_unit


_SHEET_UNIT = re.compile(r"单位[:：](万元|元)")


def sheet_money_unit(table: Table) -> int:
    """10,000 when a cell above the header says "单位：万元" (金额单位：万元, （单位：万元）), else 1."""
    for cells in table.sheet.rows[:table.header_row]:
        for cell in cells:
            text = cell_text(cell)
            if "单位" in text:
                match = _SHEET_UNIT.search(_SPACES.sub("", text))
                if match:
                    return 10_000 if match.group(1) == "万元" else 1
    return 1


@dataclass
class BuildResult:
    rows: list[RosterRow]
    file_problems: list[Problem]
    skipped_rows: int = 0
    member_rows: int = 0
    total_row: int | None = None
    total_fen: int | None = None
    sum_fen: int = 0  # every line's amount
    stop_fen: int = 0  # the part of sum_fen on 停保 lines
    total_rule: str | None = None  # how the 合计 row adds up: with_stop | without_stop


def header_label(ctx: RowContext, key: str) -> str:
    index = ctx.mapping.get(key)
    column = ctx.table.column(index) if index is not None else None
    if column is not None:
        return column.text
    entry_column = ctx.entry.column(key)
    return entry_column.label if entry_column else key


def build_rows(ctx: RowContext, job: Job | None = None) -> BuildResult:
    """Walk the data rows: items, member rows, skipped rows, the 合计 row; then the cross-row checks."""
    job = job or Job()
    sheet = ctx.table.sheet
    result = BuildResult(rows=[], file_problems=[])
    result.file_problems.extend(_layout_warnings(ctx))
    header_texts = _header_texts(ctx)
    last_item: RosterRow | None = None
    after_total = False
    rows = sheet.rows
    total_rows = len(rows)
    start = ctx.table.data_start
    mapped = sorted(set(ctx.mapping.values()))
    ctx.text_clean = sheet_text_clean(rows, start, mapped)
    plan = column_plan(ctx)
    mapping_items = list(ctx.mapping.items())
    required = required_targets(ctx)
    name_col = ctx.mapping.get("name", -1)
    above = VillageAbove(ctx)
    for index in range(start, total_rows):
        if (index - start) % PROGRESS_EVERY == 0:
            job.check()
            job.progress(index - start, total_rows - start, "正在检查花名册各行…")
        cells = rows[index]
        width = len(cells)
        name_raw = cells[name_col] if 0 <= name_col < width else ""
        if not (name_raw.__class__ is str and name_raw and not name_raw.isspace()):
            if not any(_filled(cells[c]) for c in mapped if c < width):
                continue  # blank row (or only outside the mapped columns)
        values = {key: (cells[col] if col < width else "") for key, col in mapping_items}
        label = _total_label(cells)
        if label == "grand" and above.names_block(values, index):
            label = "sub"  # 石桥村 | 合计: the block's subtotal, not the sheet's
        if label is not None:
            if label == "grand":
                result.total_row, after_total = index + 1, True
                result.total_fen = _total_amount(ctx, values, result, index)
            else:
                result.skipped_rows += 1
            continue
        if ((name_raw.__class__ is str and name_raw.strip() in header_texts
             and _is_repeated_header([cells[c] for c in mapped if c < width], header_texts))
                or (index - start < 3 and _is_column_number_row(cells))):
            result.skipped_rows += 1
            continue
        if cell_text(name_raw) == "" and above.section_heading(cells, index, name_col):
            result.skipped_rows += 1
            continue
        if ((cell_text(name_raw) == "" and _is_member_row(ctx, values, index, last_item))
                or _repeats_head(values, name_raw, last_item) or _member_by_relation(ctx, values, last_item)):
            _attach_member(ctx, last_item, values, index, result)
            continue
        if _is_signature(name_raw) or _is_sign_off_row(cells):
            result.skipped_rows += 1  # 制表人：… 审核人：… 日期：… under the table
            continue
        if cell_text(name_raw) == "" and not _has_core_value(ctx, values):
            present = [cell_text(cells[c]) for c in mapped if c < width and _filled(cells[c])]
            if not (after_total or _is_footer(present)):
                result.file_problems.append(
                    Problem(index + 1, None, "skipped_row", f"第{index + 1}行没有姓名、身份证号码或金额，已跳过。", WARNING)
                )
            result.skipped_rows += 1
            continue
        above.fill(values, index)
        item = _build_item(ctx, values, index, cells, plan, required)
        result.rows.append(item)
        last_item = item
        amount = item.values.get("amount_fen")
        if amount is not None:
            result.sum_fen += amount
            if not counts_in_totals(item.values.get("change_type_code")):
                result.stop_fen += amount
    job.progress(total_rows - start, total_rows - start, "正在核对重复和合计…")
    result.file_problems.extend(above.warnings())
    _finish_people(ctx, result.rows)
    _check_duplicates(ctx, result.rows)
    result.file_problems.extend(_total_check(ctx, result))
    return result


_SECTION_ORDINAL = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）]?[、.．\s]*)")


class VillageAbove:
    """County sheets write the village (and group) once per block: in a cell merged down over the block's
    rows, in the block's first row with the cells below left blank ("同上"), or in a heading row of its own
    ("一、石桥村") above the block. A blank village cell takes the merged cell's value or the heading's
    silently, else the village of the nearest line above (listed in one warning)."""

    MAX_LISTED_ROWS = 10

    def __init__(self, ctx: RowContext) -> None:
        self.ctx = ctx
        self.columns = [(key, ctx.mapping[key]) for key in ("village", "group") if key in ctx.mapping]
        self.village_column = ctx.mapping.get("village")
        self.last: Any = None
        self.last_is_heading = False
        self.filled_rows: list[int] = []

    def fill(self, values: dict, index: int) -> None:
        if self.village_column is None:
            if self.last is not None and self.last_is_heading and not self.ctx.default_village:
                values["village"] = self.last
            return
        for key, column in self.columns:
            if _filled(values.get(key, "")):
                if key == "village":
                    self.last, self.last_is_heading = values[key], False
                continue
            merged = self._merged_value(index, column)
            if merged is not None:
                values[key] = merged
                if key == "village":
                    self.last, self.last_is_heading = merged, False
            elif key == "village" and self.last is not None:
                values[key] = self.last
                if not self.last_is_heading:
                    self.filled_rows.append(index + 1)

    def names_block(self, values: dict, index: int) -> bool:
        """A 合计 row whose village cell names a village (or lies in one merged over the block) totals that block."""
        if self.village_column is None:
            return False
        village = values.get("village", "")
        if not _filled(village):
            village = self._merged_value(index, self.village_column)
        text = cell_text(village) if village is not None else ""
        return any(ch.isalpha() for ch in text) and "计" not in text and not text.startswith(GRAND_TOTAL_PREFIXES)

    def section_heading(self, cells: list, index: int, name_column: int) -> bool:
        """A row holding only a known village's name ("二、河口村", merged across the table): the village of
        the rows under it. Not a member's row under a 户主 cell merged down from an earlier row."""
        villages = self.ctx.villages
        if villages is None or self.ctx.table.covered.get((index, name_column), (index,))[0] < index:
            return False
        texts = [cell for cell in cells if _filled(cell)]
        if len(texts) != 1 or not isinstance(texts[0], str):
            return False
        text = _SECTION_ORDINAL.sub("", _SPACES.sub("", texts[0]))
        village, rest = villages.split(text)
        if village is None or (rest and not rest.endswith("组")):
            return False
        self.last, self.last_is_heading = text, True
        return True

    def _merged_value(self, index: int, column: int) -> Any:
        table = self.ctx.table
        anchor = table.data_anchor(index, column)
        if anchor is None:
            return None
        cells = table.sheet.rows[anchor[0]]
        value = cells[anchor[1]] if anchor[1] < len(cells) else None
        return value if value is not None and _filled(value) else None

    def warnings(self) -> list[Problem]:
        if not self.filled_rows:
            return []
        rows = "、".join(str(r) for r in self.filled_rows[:self.MAX_LISTED_ROWS])
        more = f"等{len(self.filled_rows)}行" if len(self.filled_rows) > self.MAX_LISTED_ROWS else ""
        label = header_label(self.ctx, "village")
        return [Problem(None, label, "village_filled_down",
                        f"第{rows}行{more}的“{label}”为空，已按上方最近一行填写的村（社区）导入"
                        "（表中空白按“同上”理解），请核对。", WARNING, "village")]


def _filled(value: Any) -> bool:
    if value.__class__ is str:
        return value != "" and not value.isspace()
    if isinstance(value, str):
        return bool(value) and not value.isspace()
    return value is not None


def _header_texts(ctx: RowContext) -> set[str]:
    texts = set()
    for column in ctx.table.columns:
        if column.index in ctx.mapping.values():
            texts.update(t for t in (column.leaf, *column.text.split("/")) if t)
    return texts


def _is_repeated_header(texts: list[str], header_texts: set[str]) -> bool:
    """The header printed again mid-sheet (multi-page printouts): two or more cells equal header words."""
    matches = 0
    for text in texts:
        if isinstance(text, str) and text.strip() in header_texts:
            matches += 1
            if matches >= 2:
                return True
    return False


def _is_column_number_row(cells: list) -> bool:
    """A row of 1 2 3 4 … under the header (column numbers printed by some county systems)."""
    numbers = []
    for cell in cells:
        text = cell_text(cell)
        if not text:
            continue
        if not text.isdigit():
            return False
        numbers.append(int(text))
    return len(numbers) >= 4 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _total_label(cells: list) -> str | None:
    """'grand' for a 合计/总计 row, 'sub' for a 小计/村合计 row, None otherwise (first 4 filled cells)."""
    seen = 0
    for cell in cells:
        if cell == "" or cell is None:
            continue
        seen += 1
        if seen > TOTAL_LABEL_CELLS:
            break
        if not isinstance(cell, str) or not ("计" in cell):
            continue
        text = _SPACES.sub("", cell)
        if text.startswith(GRAND_TOTAL_PREFIXES) and ("计" in text[:5]):
            return "grand"
        if text == "小计" or (text.endswith(("合计", "小计")) and len(text) <= 10):
            return "sub"
    return None


def _is_signature(name_raw: Any) -> bool:
    """A name cell holding "审核人：李四" or "制表：张三" (the sign-off lines under a table), never a person's name."""
    text = cell_text(name_raw)
    return ("：" in text or ":" in text) and _is_footer([text])


def _is_sign_off_row(cells: list) -> bool:
    """A row starting with a sign-off label ("制表人：", "审核人:", "日期：") whatever the cells after it hold."""
    for cell in cells:
        if not _filled(cell):
            continue
        return isinstance(cell, str) and ("：" in cell or ":" in cell) and _is_footer([cell])
    return False


def _is_footer(texts: list[str]) -> bool:
    return any(t.replace(" ", "").startswith(FOOTER_PREFIXES) for t in texts if t)


def _has_core_value(ctx: RowContext, values: dict) -> bool:
    return bool(cell_text(values.get("id_number", ""))) or _has_money(ctx, values)


def _has_money(ctx: RowContext, values: dict) -> bool:
    """The row gives an amount, or any funding part."""
    return any(cell_text(values.get(key, "")) for key in ("amount", *(funding_key(p) for p, _ in ctx.funding_columns)))


def _is_member_row(ctx: RowContext, values: dict, index: int, last_item: RosterRow | None) -> bool:
    if last_item is None:
        return False
    name_col = ctx.mapping.get("name")
    if name_col is not None and ctx.table.data_anchor(index, name_col) is not None:
        return True
    return bool(cell_text(values.get("_member", "")) or cell_text(values.get("_relation", "")))


HEAD_RELATIONS = ("本人", "户主", "户主本人", "申请人", "本户主")


def _repeats_head(values: dict, name_raw: Any, last_item: RosterRow | None) -> bool:
    """A family member's row in a sheet that repeats the 户主姓名 on every row of the family: the head is the
    previous line's, and the row's 与户主关系 (else its 成员姓名) says it is somebody else."""
    if last_item is None:
        return False
    head = _squeezed(name_raw)
    if not head or head != _squeezed(last_item.values.get("name")):
        return False
    relation = _squeezed(values.get("_relation"))
    if relation:
        return relation not in HEAD_RELATIONS
    member = _squeezed(values.get("_member"))
    return bool(member) and member != head


def _member_by_relation(ctx: RowContext, values: dict, last_item: RosterRow | None) -> bool:
    """One row per person (姓名 | 与户主关系 配偶/长子 …): a row related to the head, with no money of its own,
    is a member of the household above, not a household without an amount."""
    if last_item is None or "_relation" not in values:
        return False
    relation = _squeezed(values["_relation"])
    return bool(relation) and relation not in HEAD_RELATIONS and not _has_money(ctx, values)


def _squeezed(value: Any) -> str:
    """A cell's text without any spaces ("张 大" and "张大" are one name)."""
    return _SPACES.sub("", cell_text(value if value is not None else ""))


def _attach_member(ctx: RowContext, item: RosterRow, values: dict, index: int, result: BuildResult) -> None:
    item.member_rows.append(index + 1)
    result.member_rows += 1
    raw_amount = values.get("amount", "")
    if cell_text(raw_amount):
        try:
            fen, _ = parse_money(raw_amount, ctx.multipliers.get("amount", 1))
        except CellError:
            fen = None
        if fen is not None:
            item.values["amount_fen"] = (item.values.get("amount_fen") or 0) + fen
            result.sum_fen += fen
            if not counts_in_totals(item.values.get("change_type_code")):
                result.stop_fen += fen


_MEMBER_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def _finish_people(ctx: RowContext, rows: list[RosterRow]) -> None:
    for item in rows:
        finish_people(item)


def finish_people(item: RosterRow) -> None:
    """家庭人口: the column when given, else the head plus the member rows (or the names listed in a
    家庭成员 cell); the counted people: 保障人数 where known, else 家庭人口."""
    values = item.values
    if values.get("family_size") is None:
        if item.member_rows:
            values["family_size"] = 1 + len(item.member_rows)
        elif item.members:
            names = item.members
            values["family_size"] = len(names) + (0 if values.get("name") in names else 1)
    values["people"] = counted_people(values.get("family_size"), values.get("covered_people"))


def _problem(ctx: RowContext, row: int, key: str, code: str, message: str, severity: str = ERROR) -> Problem:
    return Problem(row, header_label(ctx, key), code, message, severity, key)


def required_targets(ctx: RowContext) -> list[tuple[Column, str]]:
    """Required catalogue columns and the `values` key each one fills (amount → amount_fen)."""
    return [(c, "amount_fen" if c.key == "amount" else c.key) for c in ctx.entry.columns if c.required]


def _build_item(ctx: RowContext, values: dict, index: int, cells: list, plan: list | None = None,
                required: list | None = None) -> RosterRow:
    item = RosterRow(row=index + 1)
    row = index + 1
    for column, parse in plan if plan is not None else column_plan(ctx):
        raw = values.get(column.key, "")
        try:
            parse(ctx, item, column, raw, row)
        except CellError as exc:
            item.raw[column.key] = clean_text(raw)[:200]
            code = exc.code or ("bad_amount" if column.type == "money" else (
                "account_precision_lost" if column.kind == "bank_account" else "bad_value"))
            item.problems.append(_problem(ctx, row, column.key, code, str(exc)))
    if ctx.funding_columns:
        _parse_funding(ctx, item, values, row)
    if ctx.change_types:
        _change_type(ctx, item, row)
    member_text = values.get("_member")
    if member_text and isinstance(member_text, str) and _MEMBER_SEPARATORS.search(member_text.strip()):
        item.members = tuple(n for n in _MEMBER_SEPARATORS.split(member_text.strip()) if n)
    _check_required(ctx, item, row, required)
    return item


def column_plan(ctx: RowContext) -> list[tuple[Column, Any]]:
    """The (column, parser) pairs to run on every row, chosen once per roster instead of per cell.

    Columns whose values repeat (groups, options, amounts, counts, dates, change types) parse each
    distinct cell once (`_memoized`); names, ID numbers, accounts and villages run every time."""
    plan = []
    for column in ctx.entry.columns:
        if column.key not in ctx.mapping and not (column.key == "village" and (ctx.default_village or ctx.villages)):
            continue  # without a 村 column the village may still come from the title or a heading row
        parse = _parser_for(ctx, column)
        plan.append((column, _memoized(parse) if parse in _REPEATING else parse))
    return plan


MEMO_LIMIT = 5000


def _memoized(parse):
    """`parse` answered once per distinct cell value; results with a problem are never reused."""
    cache: dict = {}

    def run(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
        key = (raw.__class__, raw)
        try:
            hit = cache.get(key)
        except TypeError:  # an unhashable cell: no caching
            parse(ctx, item, column, raw, row)
            return
        if hit is not None:
            item.values.update(hit)
            return
        scratch = RosterRow(row)
        parse(ctx, scratch, column, raw, row)
        item.values.update(scratch.values)
        if scratch.problems or scratch.raw or len(cache) >= MEMO_LIMIT:
            item.problems.extend(scratch.problems)
            item.raw.update(scratch.raw)
            return
        cache[key] = scratch.values

    return run


def _parser_for(ctx: RowContext, column: Column):
    key = column.key
    if key == "name":
        return _parse_person_name if ctx.entry.column("id_number") else _parse_plain_name
    if key == "village":
        return _parse_village_column
    if key == "group":
        return _parse_group
    if key == "change_type":
        return _parse_change_type_column
    if column.kind == "id_number":
        return _parse_id_column
    if column.type == "money":
        return _parse_money_column
    if column.type == "int":
        return _parse_count_column if column.field else _parse_int_column
    if column.type == "date":
        return _parse_date_column
    if column.kind == "bank_account":
        return _parse_bank_account
    if column.kind in ("phone", "public_phone"):
        return _parse_phone
    return _parse_text_column


_REPEATING: frozenset = frozenset()  # filled below, once the parsers exist


def _parse_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    _parser_for(ctx, column)(ctx, item, column, raw, row)


def input_text(ctx: RowContext, item: RosterRow, key: str, text: str, row: int, label: str | None = None) -> str:
    """Imported text normalised once: NFC, invisible/bidi characters removed (warned), length limited.

    When the whole sheet's text was found clean in one pass (`RowContext.text_clean`), only the
    length is checked here."""
    if not ctx.text_clean and (not text.isascii() or not text.isprintable()):
        text, removed = normalize_input(text)
        if removed:
            _warn_invisible(ctx, item, key, row)
    limit = ctx.limits.get(key) or limit_for(key)
    if len(text) > limit:
        raise TooLong(too_long_message(label or header_label(ctx, key), len(text), limit))
    return text


def sheet_text_clean(rows: list[list], start: int, columns: list[int]) -> bool:
    """Whether every text cell of these columns is already NFC without invisible characters (one pass)."""
    texts = [cell for row in rows[start:] for col in columns
             if col < len(row) and (cell := row[col]).__class__ is str]
    joined = "\t".join(texts)  # tabs (and line breaks) are whitespace, not invisible characters
    if INVISIBLE.search(joined):
        return False
    return joined.isascii() or unicodedata.is_normalized("NFC", joined)


def _warn_invisible(ctx: RowContext, item: RosterRow, key: str, row: int) -> None:
    if any(p.code == "invisible_chars" for p in item.problems):
        return
    item.problems.append(_problem(
        ctx, row, key, "invisible_chars",
        f"第{row}行“{header_label(ctx, key)}”中有看不见的字符（零宽空格、文字方向控制符等），已删除，请核对。", WARNING))


def _parse_person_name(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    item.values["name"] = input_text(ctx, item, "name", clean_person_name(raw), row)


def _parse_plain_name(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    item.values["name"] = input_text(ctx, item, "name", clean_text(raw), row)


def _parse_village_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    """The village (and a group written after it); each distinct cell is matched once per roster."""
    cache = ctx.village_cache
    try:
        hit = cache.get((raw.__class__, raw))
    except TypeError:
        hit = None
    if hit is not None:
        village, group, village_id = hit
        item.values["village"] = village
        item.village_id = village_id
        if group:
            item.values.setdefault("group", group)
        return
    scratch = RosterRow(row)
    _parse_village(ctx, scratch, raw, row)
    village, group = scratch.values.get("village"), scratch.values.get("group")
    item.values["village"] = village
    item.village_id = scratch.village_id
    if group:
        item.values.setdefault("group", group)
    item.problems.extend(scratch.problems)
    if not scratch.problems and village is not None and len(cache) < MEMO_LIMIT:
        try:
            cache[(raw.__class__, raw)] = (village, group, scratch.village_id)
        except TypeError:
            pass


def _parse_group(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    group = clean_text(raw)
    if group:
        item.values["group"] = input_text(ctx, item, "group", group, row)


def _parse_id_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    _parse_id(ctx, item, raw, row)


def _parse_money_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    key = column.key
    fen, rounded = parse_money(raw, ctx.multipliers.get(key, 1))
    item.values["amount_fen" if key == "amount" else key] = fen
    if rounded:
        item.problems.append(
            _problem(ctx, row, key, "amount_rounded", f"金额“{cell_text(raw)}”超过两位小数，已四舍五入到分。", WARNING)
        )


def _parse_int_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    item.values[column.key] = parse_count(raw)


def _parse_count_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    """家庭人口 / 保障人数: the typed field the catalogue column fills (its `field`)."""
    item.values[column.field] = parse_count(raw)


def _parse_date_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    item.values[column.key] = parse_date(raw)


def _parse_bank_account(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    item.values[column.key] = clean_account(raw, "银行账号")


def _parse_phone(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    item.values[column.key] = clean_account(raw, "电话号码") if is_numeric_cell(raw) else clean_text(raw)


def _parse_text_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    key = column.key
    text = clean_text(raw)
    if text:
        text = input_text(ctx, item, key, text, row)
        text = column.option(text) or text  # 分散 → 分散供养: the catalogue's wording, so totals group it as one
    item.values[key] = text
    if text and column.enum and text not in column.enum:
        item.problems.append(
            _problem(ctx, row, key, "unknown_option",
                     f"“{text}”不是目录中的选项（{'、'.join(column.enum)}），已照原样导入，请核对。", WARNING)
        )


def _parse_change_type_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    """The roster's own wording stays (it is what the notice prints); its meaning is `change_type_code`."""
    text = clean_text(raw)
    if text:
        text = input_text(ctx, item, "change_type", text, row)
    item.values["change_type"] = text
    if not text:
        return
    code = change_type_of(text)
    if code is None:
        item.problems.append(_problem(
            ctx, row, "change_type", "unknown_change_type",
            f"无法识别变动类型“{text}”（应为新增、调整、续保、停保或减保），已照原样导入，未按停保处理，请核对。", WARNING))
        return
    item.values["change_type_code"] = code.value


def _change_type(ctx: RowContext, item: RosterRow, row: int) -> None:
    """Without a readable 类型 cell, a change type written in 备注 ("本月停保") counts."""
    values = item.values
    if values.get("change_type_code"):
        return
    code = change_type_in_remark(values.get("remark"))
    if code is None:
        return
    values["change_type_code"] = code.value
    if not values.get("change_type"):
        values["change_type"] = change_type_label(code.value)


def _parse_funding(ctx: RowContext, item: RosterRow, values: dict, row: int) -> None:
    """Funding parts in fen; the amount is the 合计 cell, or the sum of the parts when there is none."""
    parts: dict[str, int | None] = {}
    bad = False
    for part, _col in ctx.funding_columns:
        key = funding_key(part)
        raw = values.get(key, "")
        try:
            parts[part], _ = parse_money(raw, ctx.multipliers.get(key, 1))
        except CellError as exc:
            bad = True
            item.raw[key] = clean_text(raw)[:200]
            item.problems.append(_problem(ctx, row, key, "bad_amount", str(exc)))
    funding = funding_record(parts)
    if funding is None:
        return
    item.values["funding"] = funding
    if bad:
        return
    parts_fen = funding_total(funding)
    amount = item.values.get("amount_fen")
    if amount is None and "amount" not in item.raw:
        item.values["amount_fen"] = parts_fen
    elif amount is not None and (amount != parts_fen if ctx.amount_is_parts_total else parts_fen > amount):
        item.problems.append(_problem(
            ctx, row, "amount", "total_mismatch",
            f"本行合计{_yuan(amount)}元，与各项资金之和{_yuan(parts_fen)}元不符"
            f"（{'、'.join(f'{part_label(p)}{_yuan(funding[p])}' for p in FUNDING_PARTS if funding[p])}），"
            "请核对后重新导入。"))


_REPEATING = frozenset({
    _parse_group, _parse_money_column, _parse_int_column, _parse_count_column, _parse_date_column,
    _parse_text_column, _parse_change_type_column,
})


def part_label(part: str) -> str:
    from zwgk_desktop.core.line_items import FUNDING_LABELS

    return FUNDING_LABELS[part]


def _parse_village(ctx: RowContext, item: RosterRow, raw: Any, row: int) -> None:
    text = clean_text(raw) or (ctx.default_village or "")
    if not text:
        return
    text = input_text(ctx, item, "village", text, row)
    if ctx.villages is None:
        village, group = split_village_group_unknown(text)
        item.values["village"] = village
        if group:
            item.values.setdefault("group", group)
        return
    village, group = ctx.villages.split(text)
    if village is None and ctx.villages.merged:
        old, village, group = ctx.villages.former(text)
        if village is not None:
            item.problems.append(_problem(
                ctx, row, "village", "village_merged", f"“{old}”已并入“{village}”，本行按“{village}”导入。", WARNING))
    if village is None:
        known = "、".join(list(ctx.villages.by_name)[:12]) or "（尚未设置任何村）"
        item.values["village"] = text
        if ctx.villages.is_retired(text):
            message = (f"村（社区）“{text}”已撤销，不能再导入。现有：{known}。"
                       "请改正表中的村名，或在“设置—村（社区）与公开栏”中恢复该村。")
        else:
            suggestion = ctx.villages.suggest(text)
            hint = f"，是否是“{suggestion}”？" if suggestion else "。"
            message = (f"村（社区）“{text}”不在本乡镇的村名单中{hint}现有：{known}。"
                       "请改正表中的村名，或先在“设置—村（社区）与公开栏”中添加该村。")
        item.problems.append(_problem(ctx, row, "village", "unknown_village", message))
        return
    item.values["village"] = village
    item.village_id = ctx.villages.by_name.get(village)
    if group:
        item.values.setdefault("group", group)


def _parse_id(ctx: RowContext, item: RosterRow, raw: Any, row: int) -> None:
    if raw.__class__ is str and is_clean_valid_id(raw, ctx.today):
        item.values["id_number"] = raw  # the usual cell: already clean and valid
        return
    if cell_text(raw) == "":
        item.values["id_number"] = ""
        return
    check = validate_id_number(raw, from_number=is_numeric_cell(raw), today=ctx.today)
    item.values["id_number"] = check.normalized if check.ok else ""
    if not check.ok:
        item.raw["id_number"] = cell_text(raw)[:40] if not is_numeric_cell(raw) else as_excel_shows(raw)
        item.problems.append(_problem(ctx, row, "id_number", check.code or "id_format", check.message))


def _check_required(ctx: RowContext, item: RosterRow, row: int, required: list[tuple[Column, str]] | None = None) -> None:
    if required is None:
        required = required_targets(ctx)
    values = item.values
    if not item.problems and all(values.get(target) not in (None, "") for _, target in required):
        return  # the usual row: everything required is there
    for column, target in required:
        if any(p.key == column.key and p.severity == ERROR for p in item.problems):
            continue
        if column.key == "amount" and any(p.key and p.key.startswith("funding.") and p.severity == ERROR
                                          for p in item.problems):
            continue  # a funding part that is not a number already says why there is no amount
        if column.key == "amount" and not counts_in_totals(values.get("change_type_code")):
            continue  # a 停保 line is listed without money ("/" or blank): it counts in no total
        if item.values.get(target) in (None, ""):
            where = header_label(ctx, column.key)
            missing_column = column.key not in ctx.mapping and not (column.key == "amount" and ctx.funding_columns)
            message = (
                f"表中没有找到“{column.label}”列，无法导入。请在列对应中指定，或按模板补上该列。"
                if missing_column and not (column.key == "village" and ctx.default_village)
                else f"“{where}”为必填项，本行未填写。"
            )
            item.problems.append(_problem(ctx, row, column.key, "missing_required", message))


def _check_duplicates(ctx: RowContext, rows: list[RosterRow]) -> None:
    first_seen: dict[str, int] = {}
    for item in rows:
        id_number = item.values.get("id_number")
        if not id_number:
            continue
        if id_number in first_seen:
            item.problems.append(
                _problem(ctx, item.row, "id_number", "duplicate_in_file",
                         f"身份证号码与第{first_seen[id_number]}行重复，同一人不能在一份名单中出现两次；本行未导入。")
            )
            continue
        first_seen[id_number] = item.row
        if id_number in ctx.existing_ids:
            item.problems.append(duplicate_existing(ctx, item.row, ctx.existing_ids[id_number]))


def duplicate_existing(ctx: RowContext, row: int, title: str) -> Problem:
    where = title or "另一份公示"
    return _problem(ctx, row, "id_number", "duplicate_existing",
                    f"此人已在同类别的有效公示“{where}”中。如需更正，请对原公示发起更正，而不是重复导入。")


def _total_amount(ctx: RowContext, values: dict, result: BuildResult, index: int) -> int | None:
    raw = values.get("amount", "")
    if "amount" not in ctx.mapping and ctx.funding_columns:
        return _parts_total(ctx, values)
    try:
        fen, _ = parse_money(raw, ctx.multipliers.get("amount", 1))
    except CellError:
        result.file_problems.append(
            _problem(ctx, index + 1, "amount", "bad_amount", f"合计行的金额“{cell_text(raw)}”无法识别，未能核对合计。", WARNING)
        )
        return None
    return fen


def _parts_total(ctx: RowContext, values: dict) -> int | None:
    """A 合计 row without a 合计 column: the sum of its funding part cells."""
    total = None
    for part, _col in ctx.funding_columns:
        try:
            fen, _ = parse_money(values.get(funding_key(part), ""), ctx.multipliers.get(funding_key(part), 1))
        except CellError:
            return None
        if fen is not None:
            total = (total or 0) + fen
    return total


def _total_check(ctx: RowContext, result: BuildResult) -> list[Problem]:
    """The 合计 row against the lines, as county sheets add it up: with 停保 lines, or without them."""
    if result.total_row is None or result.total_fen is None:
        return []
    if result.total_fen == result.sum_fen:
        result.total_rule = "with_stop"
        return []
    without_stop = result.sum_fen - result.stop_fen
    if result.stop_fen and result.total_fen == without_stop:
        result.total_rule = "without_stop"
        return []
    unparsed = sum(1 for r in result.rows if any(p.code == "bad_amount" for p in r.problems))
    note = f"（另有{unparsed}行金额无法识别，未计入）" if unparsed else ""
    stop_note = f"，不含停保的行为{_yuan(without_stop)}元" if result.stop_fen else ""
    difference = result.total_fen - result.sum_fen
    return [
        _problem(
            ctx, result.total_row, "amount", "total_mismatch",
            f"合计行金额为{_yuan(result.total_fen)}元，但各行金额之和为{_yuan(result.sum_fen)}元{stop_note}{note}，"
            f"相差{_yuan(abs(difference))}元。请与业务系统核对名单是否完整、金额是否录错。",
        )
    ]


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def _layout_warnings(ctx: RowContext) -> list[Problem]:
    sheet = ctx.table.sheet
    problems = []
    if ctx.sheet_unit != 1 and any(ctx.multipliers[key] == ctx.sheet_unit for key in ctx.mapping
                                   if key == "amount" or key.startswith(FUNDING_KEY_PREFIX)):
        problems.append(Problem(None, None, "unit_from_note",
                                "表格上方注明“单位：万元”，表头未注明单位的金额列已按万元换算成元（1万元=10,000元），请核对。",
                                WARNING))
    hidden_data_rows = sorted(r for r in sheet.hidden_rows if r >= ctx.table.data_start and r < len(sheet.rows) and any(cell_text(c) for c in sheet.rows[r]))
    for r in hidden_data_rows[:MAX_ROW_WARNINGS_PER_KIND]:
        problems.append(
            Problem(r + 1, None, "hidden_row", f"第{r + 1}行在Excel中是隐藏的，已照常读取，请确认此行应当公示。", WARNING)
        )
    if len(hidden_data_rows) > MAX_ROW_WARNINGS_PER_KIND:
        problems.append(
            Problem(None, None, "hidden_row", f"共有{len(hidden_data_rows)}个隐藏行（以上只列出前{MAX_ROW_WARNINGS_PER_KIND}个）。", WARNING)
        )
    for col in sorted(sheet.hidden_cols):
        column = ctx.table.column(col)
        if column is None or not column.text:
            continue
        used = "，其内容已按对应关系导入" if col in ctx.mapping.values() else "，未导入"
        problems.append(
            Problem(None, column.text, "hidden_column", f"“{column.text}”列在Excel中是隐藏的{used}，请确认。", WARNING)
        )
    return problems
