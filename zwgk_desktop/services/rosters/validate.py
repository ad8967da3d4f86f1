"""Turning the roster table's data rows into checked line items, with per-cell problems.

Owns: cell parsers (money → integer fen, counts, dates, names with rare
characters kept exactly, village/group split), household-member rows under
a merged 户主 cell, blank/footer/repeated-header rows, the 合计 row and its
cross-check, hidden rows/columns, and the row checks with the error codes
of cli.md (`id_checksum`, `id_format`, `id_precision_lost`,
`duplicate_in_file`, `duplicate_existing`, `unknown_village`, `bad_amount`,
`missing_required`, `total_mismatch`). A row with an error is rejected;
warnings never reject. Pure: the database facts come in as arguments.
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
from zwgk_desktop.core.idnumber import validate_id_number
from zwgk_desktop.core.jobs import Job

from zwgk_desktop.services.rosters.table import Table, cell_text

ERROR, WARNING = "error", "warning"
MAX_ROW_WARNINGS_PER_KIND = 50
PROGRESS_EVERY = 2000
EXCEL_SIGNIFICANT_DIGITS = 15
EXCEL_EPOCH = date(1899, 12, 30)
TOTAL_LABEL_CELLS = 4

GRAND_TOTAL_PREFIXES = ("合计", "总计", "共计", "总合计", "累计", "全镇合计", "全乡合计", "全镇", "全乡")
FOOTER_PREFIXES = ("制表", "填表", "审核", "审批", "负责人", "经办人", "填报", "说明", "注：", "注:", "备注：", "联系电话", "日期", "单位负责人", "领导")
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

    @property
    def accepted(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


class CellError(ValueError):
    """A cell that cannot be parsed; the message is Chinese and goes to the user."""


# --- cell parsers -------------------------------------------------------------------------

_MONEY_TEXT = re.compile(r"^\d+(?:\.\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_CURRENCY = ("￥", "¥", "RMB", "rmb", "人民币")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def parse_money(value: Any) -> tuple[int | None, bool]:
    """Cell → (integer fen or None when empty, rounded?). Raises `CellError` on anything else.

    Accepts numbers and texts like "1,240.00", "500元", "￥500"; refuses "待核", "伍佰元",
    negatives and text with more than 2 decimals.
    """
    if value is None or value == "":
        return None, False
    if isinstance(value, bool) or isinstance(value, (date, time, timedelta)):
        raise CellError(f"金额“{value}”不是数字。")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        amount = _money_text(str(value))
        if amount is None:
            return None, False
    if amount < 0:
        raise CellError(f"金额“{cell_text(value)}”是负数，公示金额不能为负。")
    fen = amount * 100
    rounded = fen != fen.to_integral_value()
    return int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)), rounded


def _money_text(text: str) -> Decimal | None:
    original = text
    text = unicodedata.normalize("NFKC", _SPACES.sub("", text))
    for mark in _CURRENCY:
        text = text.replace(mark, "")
    for suffix in ("元整", "元", "圆"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if text in ("", "-", "—", "/"):
        return None
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if not _MONEY_TEXT.match(text):
        raise CellError(f"金额“{original.strip()}”不是数字（应填写如 500、500.00 或 1,240.00）。")
    if "." in text and len(text.split(".")[1]) > 2:
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


_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def parse_date(value: Any) -> str | None:
    """A date cell or text (2026-11-05, 2026/11/5, 2026年11月5日, 20261105, Excel serial) → ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
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


def clean_person_name(value: Any) -> str:
    """Trim ASCII/full-width/no-break spaces; drop alignment spaces inside a Chinese name.

    No Unicode normalisation: rare characters (Ext A 㛃, Ext B 𠮷) and compatibility
    ideographs are kept byte for byte.
    """
    text = cell_text(value).strip(" \t\r\n\u3000\u00a0")
    if text and not any(ch.isascii() and ch.isalpha() for ch in text):
        text = _SPACES.sub("", text)
    return text


def clean_text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
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
                f"{label}被Excel存成了数字（{value:.6g}），超过15位的部分已经丢失且无法恢复。"
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
    """Known villages by name → id, with the matching rules for what people type."""

    by_name: dict[str, str | None]

    @classmethod
    def build(cls, villages: Iterable[str] | Mapping[str, str] | None) -> "VillageIndex | None":
        if villages is None:
            return None
        if isinstance(villages, Mapping):
            return cls(dict(villages))
        return cls({name: None for name in villages})

    def split(self, text: str) -> tuple[str | None, str]:
        """'石桥村3组' → ('石桥村', '3组'); None when no known village matches."""
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


@dataclass
class BuildResult:
    rows: list[RosterRow]
    file_problems: list[Problem]
    skipped_rows: int = 0
    member_rows: int = 0
    total_row: int | None = None
    total_fen: int | None = None
    sum_fen: int = 0


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
    total_rows = len(sheet.rows)
    mapped = sorted(set(ctx.mapping.values()))
    for index in range(ctx.table.data_start, total_rows):
        if (index - ctx.table.data_start) % PROGRESS_EVERY == 0:
            job.check()
            job.progress(index - ctx.table.data_start, total_rows - ctx.table.data_start, "正在检查花名册各行…")
        cells = sheet.rows[index]
        width = len(cells)
        values = {key: (cells[col] if col < width else "") for key, col in ctx.mapping.items()}
        present = [cells[c] for c in mapped if c < width and _filled(cells[c])]
        if not present:
            continue  # blank row (or only outside the mapped columns)
        label = _total_label(cells)
        if label is not None:
            if label == "grand":
                result.total_row, after_total = index + 1, True
                result.total_fen = _total_amount(ctx, values, result, index)
            else:
                result.skipped_rows += 1
            continue
        if _is_repeated_header(present, header_texts) or (index - ctx.table.data_start < 3 and _is_column_number_row(cells)):
            result.skipped_rows += 1
            continue
        name_raw = values.get("name", "")
        if cell_text(name_raw) == "" and _is_member_row(ctx, values, index, last_item):
            _attach_member(ctx, last_item, values, index, result)
            continue
        if cell_text(name_raw) == "" and not _has_core_value(values):
            if not (after_total or _is_footer([cell_text(v) for v in present])):
                result.file_problems.append(
                    Problem(index + 1, None, "skipped_row", f"第{index + 1}行没有姓名、身份证号码或金额，已跳过。", WARNING)
                )
            result.skipped_rows += 1
            continue
        item = _build_item(ctx, values, index, cells)
        result.rows.append(item)
        last_item = item
        if item.values.get("amount_fen") is not None:
            result.sum_fen += item.values["amount_fen"]
    job.progress(total_rows - ctx.table.data_start, total_rows - ctx.table.data_start, "正在核对重复和合计…")
    _finish_people(ctx, result.rows)
    _check_duplicates(ctx, result.rows)
    result.file_problems.extend(_total_check(ctx, result))
    return result


def _filled(value: Any) -> bool:
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
    return sum(1 for t in texts if isinstance(t, str) and t.strip() in header_texts) >= 2


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


def _is_footer(texts: list[str]) -> bool:
    return any(t.replace(" ", "").startswith(FOOTER_PREFIXES) for t in texts if t)


def _has_core_value(values: dict) -> bool:
    return any(cell_text(values.get(k, "")) for k in ("id_number", "amount"))


def _is_member_row(ctx: RowContext, values: dict, index: int, last_item: RosterRow | None) -> bool:
    if last_item is None:
        return False
    name_col = ctx.mapping.get("name")
    if name_col is not None:
        anchor = ctx.table.covered.get((index, name_col))
        if anchor is not None and anchor[0] >= ctx.table.data_start:
            return True
    return bool(cell_text(values.get("_member", "")) or cell_text(values.get("_relation", "")))


def _attach_member(ctx: RowContext, item: RosterRow, values: dict, index: int, result: BuildResult) -> None:
    item.member_rows.append(index + 1)
    result.member_rows += 1
    raw_amount = values.get("amount", "")
    if cell_text(raw_amount):
        try:
            fen, _ = parse_money(raw_amount)
        except CellError:
            fen = None
        if fen is not None:
            item.values["amount_fen"] = (item.values.get("amount_fen") or 0) + fen
            result.sum_fen += fen


def _finish_people(ctx: RowContext, rows: list[RosterRow]) -> None:
    """Household size: the 人数 column when given, else the head plus the member rows under it."""
    for item in rows:
        if item.values.get("people") is None and item.member_rows:
            item.values["people"] = 1 + len(item.member_rows)


def _problem(ctx: RowContext, row: int, key: str, code: str, message: str, severity: str = ERROR) -> Problem:
    return Problem(row, header_label(ctx, key), code, message, severity, key)


def _build_item(ctx: RowContext, values: dict, index: int, cells: list) -> RosterRow:
    item = RosterRow(row=index + 1)
    row = index + 1
    for column in ctx.entry.columns:
        if column.key not in ctx.mapping and not (column.key == "village" and ctx.default_village):
            continue
        raw = values.get(column.key, "")
        try:
            _parse_column(ctx, item, column, raw, row)
        except CellError as exc:
            item.raw[column.key] = clean_text(raw)
            code = "bad_amount" if column.type == "money" else ("account_precision_lost" if column.kind == "bank_account" else "bad_value")
            item.problems.append(_problem(ctx, row, column.key, code, str(exc)))
    _check_required(ctx, item, row)
    return item


def _parse_column(ctx: RowContext, item: RosterRow, column: Column, raw: Any, row: int) -> None:
    key, values = column.key, item.values
    if key == "name":
        values["name"] = clean_person_name(raw) if ctx.entry.column("id_number") else clean_text(raw)
    elif key == "village":
        _parse_village(ctx, item, raw, row)
    elif key == "group":
        group = clean_text(raw)
        if group:
            values["group"] = group
    elif column.kind == "id_number":
        _parse_id(ctx, item, raw, row)
    elif column.type == "money":
        fen, rounded = parse_money(raw)
        target = "amount_fen" if key == "amount" else key
        values[target] = fen
        if rounded:
            item.problems.append(
                _problem(ctx, row, key, "amount_rounded", f"金额“{cell_text(raw)}”超过两位小数，已四舍五入到分。", WARNING)
            )
    elif column.type == "int":
        values[key] = parse_count(raw)
    elif column.type == "date":
        values[key] = parse_date(raw)
    elif column.kind == "bank_account":
        values[key] = clean_account(raw, "银行账号")
    elif column.kind in ("phone", "public_phone"):
        values[key] = clean_account(raw, "电话号码") if is_numeric_cell(raw) else clean_text(raw)
    else:
        text = clean_text(raw)
        values[key] = text
        if text and column.enum and text not in column.enum:
            item.problems.append(
                _problem(ctx, row, key, "unknown_option",
                         f"“{text}”不是目录中的选项（{'、'.join(column.enum)}），已照原样导入，请核对。", WARNING)
            )


def _parse_village(ctx: RowContext, item: RosterRow, raw: Any, row: int) -> None:
    text = clean_text(raw) or (ctx.default_village or "")
    if not text:
        return
    if ctx.villages is None:
        village, group = split_village_group_unknown(text)
        item.values["village"] = village
        if group:
            item.values.setdefault("group", group)
        return
    village, group = ctx.villages.split(text)
    if village is None:
        suggestion = ctx.villages.suggest(text)
        hint = f"，是否是“{suggestion}”？" if suggestion else "。"
        known = "、".join(list(ctx.villages.by_name)[:12]) or "（尚未设置任何村）"
        item.values["village"] = text
        item.problems.append(
            _problem(ctx, row, "village", "unknown_village",
                     f"村（社区）“{text}”不在本乡镇的村名单中{hint}现有：{known}。"
                     "请改正表中的村名，或先在“乡镇设置”中添加该村。")
        )
        return
    item.values["village"] = village
    item.village_id = ctx.villages.by_name.get(village)
    if group:
        item.values.setdefault("group", group)


def _parse_id(ctx: RowContext, item: RosterRow, raw: Any, row: int) -> None:
    if cell_text(raw) == "":
        item.values["id_number"] = ""
        return
    check = validate_id_number(raw, from_number=is_numeric_cell(raw))
    item.values["id_number"] = check.normalized if check.ok else ""
    if not check.ok:
        item.raw["id_number"] = cell_text(raw) if not is_numeric_cell(raw) else f"{raw:.6g}"
        item.problems.append(_problem(ctx, row, "id_number", check.code or "id_format", check.message))


def _check_required(ctx: RowContext, item: RosterRow, row: int) -> None:
    for column in ctx.entry.columns:
        if not column.required:
            continue
        target = "amount_fen" if column.key == "amount" else column.key
        if any(p.key == column.key for p in item.problems):
            continue
        if item.values.get(target) in (None, ""):
            where = header_label(ctx, column.key)
            missing_column = column.key not in ctx.mapping
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
            where = ctx.existing_ids[id_number] or "另一份公示"
            item.problems.append(
                _problem(ctx, item.row, "id_number", "duplicate_existing",
                         f"此人已在同类别的有效公示“{where}”中。如需更正，请对原公示发起更正，而不是重复导入。")
            )


def _total_amount(ctx: RowContext, values: dict, result: BuildResult, index: int) -> int | None:
    raw = values.get("amount", "")
    try:
        fen, _ = parse_money(raw)
    except CellError:
        result.file_problems.append(
            _problem(ctx, index + 1, "amount", "bad_amount", f"合计行的金额“{cell_text(raw)}”无法识别，未能核对合计。", WARNING)
        )
        return None
    return fen


def _total_check(ctx: RowContext, result: BuildResult) -> list[Problem]:
    if result.total_row is None or result.total_fen is None:
        return []
    if result.total_fen == result.sum_fen:
        return []
    unparsed = sum(1 for r in result.rows if any(p.code == "bad_amount" for p in r.problems))
    note = f"（另有{unparsed}行金额无法识别，未计入）" if unparsed else ""
    difference = result.total_fen - result.sum_fen
    return [
        _problem(
            ctx, result.total_row, "amount", "total_mismatch",
            f"合计行金额为{_yuan(result.total_fen)}元，但各行金额之和为{_yuan(result.sum_fen)}元{note}，"
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
