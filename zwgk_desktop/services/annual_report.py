"""The 政府信息公开工作年度报告 tables in the national format (国办公开办函〔2021〕30号), checked before export.

Owns:
- `build_annual_report(session, year)`: table 二 主动公开 (the format's rows
  typed in by hand, plus the notices the app published, by category, as a
  supplement), table 三 收到和处理政府信息公开申请情况 (outcomes × requester
  types, 上年结转, 结转下年度继续办理, every cell with the register numbers
  behind it) and table 四 行政复议/行政诉讼, plus the cross-checks:
  * 本年新收 + 上年结转 = 办理结果总计 + 结转下年度继续办理, for every
    requester column and for 总计;
  * every row's requester columns add up to its 总计 column;
  * （七）总计 equals the requests answered in the year, each counted in one
    outcome row only (部分公开 once, whatever its withheld part's reason);
  * 上年结转 equals the 结转下年度 of the previous year's filed report;
  * table 四: each block's 总计 equals its four results.
  A failed check names the cell and the requests behind it.
- counting rules: a request is 新收 in the year it was received; 上年结转 if
  received earlier and not answered before 1 January; it counts in an outcome
  row in the year of its answer; 结转下年度 if received by 31 December and not
  answered by then. A year with requests still unanswered and not confirmed as
  结转 (`core.requests.mark_carried_over`) is refused when exporting.
- `write_xlsx` (laid out like the format; text cells written as text via
  `services.spreadsheet_out`) and `write_pdf` (A4, real text in the bundled
  CJK font, plain ruled tables that paste into Word), both temp file + rename;
- `file_report`: the exported year's counts kept in `AnnualReport` (synced to the county).
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.core.models import (
    REQUESTER_TYPES,
    InfoRequest,
    InfoRequestAppeal,
    utcnow,
)
from zwgk_desktop.core.models import AnnualReport as AnnualReportRow
from zwgk_desktop.core.requests import (
    OUTCOME_REASONS,
    REQUESTER_LABELS,
    Outcome,
    outcome_rows,
    register_number,
    unmarked_open_requests,
)
from zwgk_desktop.core.users import Actor
from zwgk_desktop.errors import InvalidInput, ZwgkError
from zwgk_desktop.fileio import atomic_output
from zwgk_desktop.ops.base import Changes

COLUMNS = (*REQUESTER_TYPES, "total")
COLUMN_LABELS = {**REQUESTER_LABELS, "total": "总计"}
ROW_NEW, ROW_CARRIED_IN, ROW_TOTAL, ROW_CARRIED_OUT = "new", "carried_in", "total", "carried_out"
OUTCOME_ROWS = outcome_rows()
OUTCOME_CODES = tuple(code for code, _, _ in OUTCOME_ROWS)
ROW_LABELS = {
    ROW_NEW: "一、本年新收政府信息公开申请数量",
    ROW_CARRIED_IN: "二、上年结转政府信息公开申请数量",
    **{code: f"三、本年度办理结果 {group} {label}" for code, group, label in OUTCOME_ROWS},
    ROW_TOTAL: "三、本年度办理结果 （七）总计",
    ROW_CARRIED_OUT: "四、结转下年度继续办理",
}
ROW_LABELS["public"] = "三、本年度办理结果 （一）予以公开"
ROW_LABELS["partial"] = "三、本年度办理结果 （二）部分公开"
ROW_ORDER = (ROW_NEW, ROW_CARRIED_IN, *OUTCOME_CODES, ROW_TOTAL, ROW_CARRIED_OUT)

APPEAL_BLOCKS = (
    ("review", "行政复议"),
    ("lawsuit_direct", "行政诉讼 未经复议直接起诉"),
    ("lawsuit_after_review", "行政诉讼 复议后起诉"),
)
APPEAL_COLUMNS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"),
                  ("total", "总计"))

# Table 二: the format's rows, typed in by hand (a township rarely has 规章; zero is a valid answer).
MANUAL_FIELDS = {
    "rules.made": "规章 本年制发件数", "rules.repealed": "规章 本年废止件数", "rules.valid": "规章 现行有效件数",
    "normative.made": "行政规范性文件 本年制发件数", "normative.repealed": "行政规范性文件 本年废止件数",
    "normative.valid": "行政规范性文件 现行有效件数",
    "licensing": "行政许可 本年处理决定数量", "penalty": "行政处罚 本年处理决定数量",
    "enforcement": "行政强制 本年处理决定数量", "fees": "行政事业性收费 本年收费金额（万元）",
}


class RequestsNotCarried(InvalidInput):
    code = "requests_not_carried"


# --- DTOs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str  # stable code: balance.person, row_totals, outcome_total, partial_once, carried_in, table4
    label: str  # what is checked, in Chinese
    ok: bool
    detail: str  # the figures; for a failure the cell and the requests behind it
    cell: str = ""
    requests: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {"name": self.name, "label": self.label, "ok": self.ok, "detail": self.detail, "cell": self.cell,
                "requests": list(self.requests)}


@dataclass
class Table3:
    """Cells of table 三 as the register numbers counted in them."""

    cells: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {r: {c: [] for c in COLUMNS} for r in ROW_ORDER})

    def count(self, row: str, column: str) -> int:
        return len(self.cells[row][column])

    def numbers(self, row: str, column: str) -> list[str]:
        return self.cells[row][column]

    def as_json(self) -> dict:
        return {row: {"label": ROW_LABELS[row], **{c: self.count(row, c) for c in COLUMNS}} for row in ROW_ORDER}


@dataclass
class AnnualReport:
    year: int
    township: str
    table2: dict
    table3: Table3
    table4: dict
    checks: list[Check]
    uncarried: list[dict]  # open requests not confirmed as 结转 (export refuses while any)
    register: list[dict]  # every request counted (number, dates, type, outcome; no requester) and its cells
    manual: dict
    paths: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and not self.uncarried

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def changes(self) -> Changes:
        return Changes(frozenset({"requests"}))

    def as_json(self) -> dict:
        return {
            "year": self.year, "township": self.township, "ok": self.ok,
            "checks": [c.as_json() for c in self.checks], "table2": self.table2, "table3": self.table3.as_json(),
            "table4": self.table4, "uncarried": self.uncarried, **({"path": self.paths.get("xlsx")} if self.paths else {}),
            **({"pdf": self.paths["pdf"]} if "pdf" in self.paths else {}),
        }


# --- counting -----------------------------------------------------------------------------------


def _outcome_code(request: InfoRequest) -> str | None:
    """The table-三 row of an answered request; None when its stored outcome is not one the format knows."""
    kind, reason = request.outcome or "", request.outcome_reason or ""
    if kind in ("public", "partial"):
        return Outcome(kind, reason).code
    if kind in OUTCOME_REASONS and reason in dict(OUTCOME_REASONS[kind]):
        return f"{kind}:{reason}"
    return None


def count_table3(requests: list[InfoRequest], year: int) -> tuple[Table3, set[str], list[dict]]:
    """Table 三 for `year`, the numbers answered in the year, and the masked register listing."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    table = Table3()
    answered: set[str] = set()
    listing = []
    for r in sorted(requests, key=lambda r: (r.year, r.seq)):
        number = register_number(r.year, r.seq)
        columns = [c for c in (r.requester_type, "total") if c in COLUMNS]
        rows = []
        if r.received_on.year == year:
            rows.append(ROW_NEW)
        if r.received_on < first and (r.replied_on is None or r.replied_on >= first):
            rows.append(ROW_CARRIED_IN)
        if r.replied_on is not None and first <= r.replied_on <= last:
            answered.add(number)
            code = _outcome_code(r)
            if code is not None:
                rows.append(code)
        if r.received_on <= last and (r.replied_on is None or r.replied_on > last):
            rows.append(ROW_CARRIED_OUT)
        for row in rows:
            for column in columns:
                table.cells[row][column].append(number)
        if rows:
            listing.append({
                "number": number, "received": r.received_on.isoformat(),
                "requester_type": REQUESTER_LABELS.get(r.requester_type, r.requester_type),
                "replied": r.replied_on.isoformat() if r.replied_on else "",
                "outcome": r.outcome or "", "outcome_reason": r.outcome_reason or "",
                "cells": [ROW_LABELS[row] for row in rows],
            })
    for column in COLUMNS:
        table.cells[ROW_TOTAL][column] = [n for code in OUTCOME_CODES for n in table.cells[code][column]]
    return table, answered, listing


def _numbers_text(numbers) -> str:
    numbers = sorted(set(numbers))
    shown = "、".join(numbers[:12]) + (f"等{len(numbers)}件" if len(numbers) > 12 else "")
    return shown or "无"


def _multiset_difference(left: list[str], right: list[str]) -> list[str]:
    remaining = list(right)
    extra = []
    for n in left:
        if n in remaining:
            remaining.remove(n)
        else:
            extra.append(n)
    return extra + remaining


def cross_checks(table: Table3, answered: set[str], table4: dict, previous_carried: list[str] | None) -> list[Check]:
    checks = []
    for column in COLUMNS:
        name = COLUMN_LABELS[column]
        incoming = table.numbers(ROW_NEW, column) + table.numbers(ROW_CARRIED_IN, column)
        outgoing = table.numbers(ROW_TOTAL, column) + table.numbers(ROW_CARRIED_OUT, column)
        a, b, c, d = (table.count(r, column) for r in (ROW_NEW, ROW_CARRIED_IN, ROW_TOTAL, ROW_CARRIED_OUT))
        ok = a + b == c + d
        cell = f"“{name}”列：三（七）总计 / 四、结转下年度继续办理"
        detail = f"{a} + {b} = {c} + {d}"
        behind: list[str] = []
        if not ok:
            behind = sorted(set(_multiset_difference(incoming, outgoing)))
            detail = (f"“{name}”列 本年新收 {a} + 上年结转 {b} = {a + b}，但 办理结果总计 {c} + 结转下年度 {d} = {c + d}；"
                      f"有出入的申请：{_numbers_text(behind)}（请核对其收到日期、答复日期和答复结果）")
        checks.append(Check(f"balance.{column}", f"本年新收+上年结转=办理结果总计+结转下年度（{name}）", ok, detail,
                            cell if not ok else "", tuple(behind)))
    bad_rows, behind = [], []
    for row in ROW_ORDER:
        parts = [n for c in REQUESTER_TYPES for n in table.numbers(row, c)]
        if sorted(parts) != sorted(table.numbers(row, "total")):
            bad_rows.append(f"{ROW_LABELS[row]}（各类申请人合计 {len(parts)}，总计 {table.count(row, 'total')}）")
            behind += _multiset_difference(parts, table.numbers(row, "total"))
    checks.append(Check(
        "row_totals", "各行申请人各列之和等于“总计”列", not bad_rows,
        "各行均相符" if not bad_rows else "不相符的单元格：" + "；".join(bad_rows) + f"；涉及申请：{_numbers_text(behind)}",
        "；".join(bad_rows), tuple(sorted(set(behind))),
    ))
    counted = table.numbers(ROW_TOTAL, "total")
    twice = sorted({n for n in counted if counted.count(n) > 1})
    checks.append(Check(
        "partial_once", "每件申请只计入一种办理结果（部分公开只计一次）", not twice,
        "无重复计数" if not twice else f"以下申请被计入多个办理结果：{_numbers_text(twice)}",
        "三、本年度办理结果" if twice else "", tuple(twice),
    ))
    unplaced = sorted(answered - set(counted))
    total = table.count(ROW_TOTAL, "total")
    checks.append(Check(
        "outcome_total", "（七）总计等于本年答复的申请件数", not unplaced and total == len(answered),
        f"本年答复 {len(answered)} 件，（七）总计 {total}" + (
            f"；以下申请已答复但答复结果不属于年报格式的任何一项，未计入（一）至（六）：{_numbers_text(unplaced)}"
            if unplaced else ""),
        "三、本年度办理结果（七）总计 “总计”列" if unplaced else "", tuple(unplaced),
    ))
    if previous_carried is None:
        checks.append(Check("carried_in", "上年结转等于上年度报告的结转下年度", True, "上年度报告未在本系统导出，不作比对"))
    else:
        now = table.numbers(ROW_CARRIED_IN, "total")
        diff = sorted(set(now) ^ set(previous_carried))
        checks.append(Check(
            "carried_in", "上年结转等于上年度报告的结转下年度", not diff,
            f"上年度报告结转 {len(previous_carried)} 件，本年上年结转 {len(now)} 件" + (
                f"；不一致的申请：{_numbers_text(diff)}（上年度报告导出后其收到或答复日期被改动）" if diff else ""),
            "二、上年结转政府信息公开申请数量 “总计”列" if diff else "", tuple(diff),
        ))
    bad_blocks = []
    for key, label in APPEAL_BLOCKS:
        block = table4[key]
        parts = sum(block[c] for c, _ in APPEAL_COLUMNS[:4])
        if parts != block["total"]:
            bad_blocks.append(f"{label}：四项之和 {parts}，总计 {block['total']}")
    checks.append(Check("table4", "复议、诉讼各栏“总计”等于四项结果之和", not bad_blocks,
                        "相符" if not bad_blocks else "；".join(bad_blocks), "；".join(bad_blocks)))
    return checks


def count_table4(appeals: list[InfoRequestAppeal], year: int) -> dict:
    """Cases brought in `year`, with their result as it stood on 31 December (decided later: 尚未审结)."""
    last = date(year, 12, 31)
    table = {key: {c: 0 for c, _ in APPEAL_COLUMNS} for key, _ in APPEAL_BLOCKS}
    for a in appeals:
        if a.filed_on.year != year:
            continue
        key = "review" if a.kind == "review" else f"lawsuit_{a.route or 'direct'}"
        if key not in table:
            continue
        result = a.result if a.decided_on is not None and a.decided_on <= last and a.result != "pending" else "pending"
        table[key][result if result in table[key] else "other"] += 1
        table[key]["total"] += 1
    return table


def count_notices(session: Session, year: int) -> dict:
    """The app's share of table 二: notices published in the year by category (the statistics' own counting rule)."""
    from zwgk_desktop.core.catalogue import CATEGORY_CODES, get_entry
    from zwgk_desktop.core.models import Disclosure
    from zwgk_desktop.services.reports.statistics import disclosed_notices

    notices = disclosed_notices(session, year)
    items = dict(session.execute(
        select(Disclosure.id, Disclosure.item_count).where(Disclosure.id.in_([n.id for n in notices] or [""]))
    ).all())
    rows = []
    present = {n.category for n in notices}
    for code in [c for c in CATEGORY_CODES if c in present] + sorted(present - set(CATEGORY_CODES)):
        group = [n for n in notices if n.category == code]
        try:
            label = get_entry(code).short_name
        except ZwgkError:  # a category the catalogue no longer has
            label = code
        rows.append({"category": code, "label": label, "notices": len(group),
                     "items": sum(int(items.get(n.id) or 0) for n in group)})
    return {"rows": rows, "notices": sum(r["notices"] for r in rows), "items": sum(r["items"] for r in rows)}


def _manual_number(key: str, value) -> int | str:
    if key == "fees":
        try:
            amount = Decimal(str(value).strip() or "0")
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount > Decimal("1e9"):
            raise InvalidInput(f"{MANUAL_FIELDS[key]}“{value}”应为不小于 0 的数（万元，可带小数）。", code="bad_value")
        return f"{amount.quantize(Decimal('0.0001')).normalize():f}"
    text = str(value).strip()
    if not text.isdigit() or int(text) > 10_000_000:
        raise InvalidInput(f"{MANUAL_FIELDS[key]}“{value}”应为不小于 0 的整数。", code="bad_value")
    return int(text)


def validate_manual(values: dict) -> dict:
    clean = {}
    for key, value in (values or {}).items():
        if key not in MANUAL_FIELDS:
            choices = "、".join(f"{k}（{v}）" for k, v in MANUAL_FIELDS.items())
            raise InvalidInput(f"表二没有“{key}”一项，可填写：{choices}。", code="bad_field")
        clean[key] = _manual_number(key, value)
    return clean


def table2_of(manual: dict, notices: dict) -> dict:
    def get(key):
        return manual.get(key, 0 if key != "fees" else "0")

    return {
        "rules": {"label": "规章", "made": get("rules.made"), "repealed": get("rules.repealed"), "valid": get("rules.valid")},
        "normative": {"label": "行政规范性文件", "made": get("normative.made"), "repealed": get("normative.repealed"),
                      "valid": get("normative.valid")},
        "licensing": {"label": "行政许可", "decisions": get("licensing")},
        "penalty": {"label": "行政处罚", "decisions": get("penalty")},
        "enforcement": {"label": "行政强制", "decisions": get("enforcement")},
        "fees": {"label": "行政事业性收费", "amount_wan": get("fees")},
        "notices": notices,
        "entered": sorted(manual),
    }


def _year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2019 <= year <= 2100:
        raise InvalidInput(f"年份“{year}”不正确，请输入如 2026 这样的四位年份（2019 年起）。", code="bad_year")
    return year


def build_annual_report(session: Session, year: int, *, strict: bool = True, manual: dict | None = None) -> AnnualReport:
    """The year's tables and checks. `strict`: refuse while requests are open and not confirmed as 结转.
    `manual`: table-二 figures typed in now, laid over those stored (kept only when the report is filed)."""
    from zwgk_desktop.core.townships import current_township

    year = _year(int(year))
    uncarried = [
        {"number": register_number(r.year, r.seq), "received": r.received_on.isoformat(),
         "due": r.due_on.isoformat() if r.due_on else None}
        for r in unmarked_open_requests(session, year)
    ]
    if strict and uncarried:
        listed = "、".join(f"{u['number']}（{u['received']}收到）" for u in uncarried[:10])
        more = f"等{len(uncarried)}件" if len(uncarried) > 10 else ""
        raise RequestsNotCarried(
            f"{year}年还有{len(uncarried)}件申请尚未答复，也未确认结转下年度：{listed}{more}。"
            f"请先登记答复，或确认其结转下年度继续办理（request carry --year {year}），再生成年度报告。",
            detail={"requests": uncarried},
        )
    last = date(year, 12, 31)
    requests = list(session.execute(select(InfoRequest).where(InfoRequest.received_on <= last)).scalars())
    table3, answered, listing = count_table3(requests, year)
    appeals = list(session.execute(select(InfoRequestAppeal)).scalars())
    table4 = count_table4(appeals, year)
    snapshot = session.execute(select(AnnualReportRow).where(AnnualReportRow.year == year)).scalar_one_or_none()
    previous = session.execute(
        select(AnnualReportRow).where(AnnualReportRow.year == year - 1, AnnualReportRow.exported.is_(True))
    ).scalar_one_or_none()
    manual = {**(dict(snapshot.manual) if snapshot is not None else {}), **validate_manual(manual or {})}
    township = current_township(session)
    return AnnualReport(
        year=year, township=township.name if township else "", table2=table2_of(manual, count_notices(session, year)),
        table3=table3, table4=table4,
        checks=cross_checks(table3, answered, table4, list(previous.carried_out) if previous is not None else None),
        uncarried=uncarried, register=listing, manual=manual,
    )


def save_manual_values(session: Session, actor: Actor, year: int, values: dict) -> dict:
    """Merge hand-typed table-二 figures into the year's report row (created when needed)."""
    year = _year(int(year))
    clean = validate_manual(values)
    row = session.execute(select(AnnualReportRow).where(AnnualReportRow.year == year)).scalar_one_or_none()
    if row is None:
        from zwgk_desktop.core.townships import current_township

        township = current_township(session)
        row = AnnualReportRow(year=year, township_id=township.id if township else None, manual={})
        session.add(row)
    row.manual = {**(row.manual or {}), **clean}
    session.flush()
    return dict(row.manual)


def file_report(session: Session, actor: Actor, report: AnnualReport) -> AnnualReportRow:
    """Keep the exported year's counts (they travel to the county with the register)."""
    from zwgk_desktop.core.townships import current_township

    row = session.execute(select(AnnualReportRow).where(AnnualReportRow.year == report.year)).scalar_one_or_none()
    if row is None:
        township = current_township(session)
        row = AnnualReportRow(year=report.year, township_id=township.id if township else None, manual={})
        session.add(row)
    row.ok = report.ok
    row.exported = True
    row.manual = dict(report.manual)
    row.table2 = dict(report.table2)
    row.table3 = report.table3.as_json()
    row.table4 = dict(report.table4)
    row.checks = [c.as_json() for c in report.checks]
    row.carried_out = sorted(report.table3.numbers(ROW_CARRIED_OUT, "total"))
    row.generated_by = actor.username
    row.generated_at = utcnow()
    session.flush()
    return row


# --- the workbook ---------------------------------------------------------------------------------

def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    side = Side(style="thin", color="000000")
    return {
        "border": Border(left=side, right=side, top=side, bottom=side),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "bold": Font(bold=True),
        "title": Font(bold=True, size=14),
        "head": PatternFill("solid", fgColor="EEF2F7"),
        "bad": PatternFill("solid", fgColor="FDE2E1"),
    }


def _put(ws, row: int, column: int, value, st, *, align="center", bold=False, fill=None):
    from zwgk_desktop.services.spreadsheet_out import write_cell

    cell = write_cell(ws, row, column, value)
    cell.border = st["border"]
    cell.alignment = st[align]
    if bold:
        cell.font = st["bold"]
    if fill is not None:
        cell.fill = fill
    return cell


def _box(ws, r1: int, c1: int, r2: int, c2: int, value, st, **kw):
    """A (merged) cell with borders on every cell it covers."""
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            ws.cell(row=r, column=c).border = st["border"]
    _put(ws, r1, c1, value, st, **kw)
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _print_setup(ws, landscape: bool = False) -> None:
    """Print each sheet on one page wide (A4), as the format is filed."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _title(ws, text: str, width: int, st) -> None:
    from zwgk_desktop.services.spreadsheet_out import write_cell

    cell = write_cell(ws, 1, 1, text)
    cell.font = st["title"]
    cell.alignment = st["center"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 26


def _sheet_table2(wb, report: AnnualReport, st) -> None:
    ws = wb.active
    ws.title = "二、主动公开"
    _title(ws, f"{report.township}{report.year}年政府信息公开工作年度报告 二、主动公开政府信息情况", 4, st)
    t = report.table2
    row = 3
    _box(ws, row, 1, row, 4, "第二十条第（一）项", st, bold=True, fill=st["head"])
    row += 1
    for col, text in enumerate(("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"), start=1):
        _put(ws, row, col, text, st, bold=True, fill=st["head"])
    for key in ("rules", "normative"):
        row += 1
        item = t[key]
        for col, value in enumerate((item["label"], item["made"], item["repealed"], item["valid"]), start=1):
            _put(ws, row, col, value, st)
    for heading, keys, column in (("第二十条第（五）项", ("licensing",), "本年处理决定数量"),
                                  ("第二十条第（六）项", ("penalty", "enforcement"), "本年处理决定数量"),
                                  ("第二十条第（八）项", ("fees",), "本年收费金额（单位：万元）")):
        row += 2
        _box(ws, row, 1, row, 4, heading, st, bold=True, fill=st["head"])
        row += 1
        _put(ws, row, 1, "信息内容", st, bold=True, fill=st["head"])
        _box(ws, row, 2, row, 4, column, st, bold=True, fill=st["head"])
        for key in keys:
            row += 1
            item = t[key]
            value = Decimal(item["amount_wan"]) if key == "fees" else item["decisions"]
            _put(ws, row, 1, item["label"], st)
            _box(ws, row, 2, row, 4, value, st)
    row += 2
    _box(ws, row, 1, row, 4, "补充：公示栏主动公开情况（本系统统计：已进入公示中、期满或已归档的公示，更正只计最新版本）", st,
         bold=True, fill=st["head"], align="left")
    row += 1
    for col, text in enumerate(("公开类别", "公示（公告）数", "公开条目（户）数", ""), start=1):
        _put(ws, row, col, text, st, bold=True, fill=st["head"])
    for item in t["notices"]["rows"]:
        row += 1
        for col, value in enumerate((item["label"], item["notices"], item["items"], ""), start=1):
            _put(ws, row, col, value, st)
    row += 1
    for col, value in enumerate(("合计", t["notices"]["notices"], t["notices"]["items"], ""), start=1):
        _put(ws, row, col, value, st, bold=True)
    row += 2
    note = "表中“规章”至“行政事业性收费”各项由经办人在本系统中录入" + (
        f"（已录入：{'、'.join(MANUAL_FIELDS[k] for k in t['entered'])}）" if t["entered"] else "（尚未录入，按 0 计）")
    _put(ws, row, 1, note, st, align="left").border = _no_border()
    for col, width in zip("ABCD", (30, 18, 18, 20)):
        ws.column_dimensions[col].width = width
    _print_setup(ws)


def _no_border():
    from openpyxl.styles import Border

    return Border()


def _sheet_table3(wb, report: AnnualReport, st) -> None:
    ws = wb.create_sheet("三、申请情况")
    _title(ws, f"{report.township}{report.year}年政府信息公开工作年度报告 三、收到和处理政府信息公开申请情况", 10, st)
    _box(ws, 3, 1, 5, 3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", st, fill=st["head"])
    _box(ws, 3, 4, 3, 10, "申请人情况", st, bold=True, fill=st["head"])
    _box(ws, 4, 4, 5, 4, "自然人", st, bold=True, fill=st["head"])
    _box(ws, 4, 5, 4, 9, "法人或其他组织", st, bold=True, fill=st["head"])
    for offset, code in enumerate(REQUESTER_TYPES[1:]):
        _put(ws, 5, 5 + offset, REQUESTER_LABELS[code], st, bold=True, fill=st["head"])
    _box(ws, 4, 10, 5, 10, "总计", st, bold=True, fill=st["head"])
    failing_cells = {(c.name.split(".", 1)[1]) for c in report.failed if c.name.startswith("balance.")}

    def numbers(row_code: str, row: int) -> None:
        for offset, column in enumerate(COLUMNS):
            fill = st["bad"] if column in failing_cells and row_code in (ROW_TOTAL, ROW_CARRIED_OUT) else None
            _put(ws, row, 4 + offset, report.table3.count(row_code, column), st, fill=fill)

    row = 6
    _box(ws, row, 1, row, 3, "一、本年新收政府信息公开申请数量", st, align="left")
    numbers(ROW_NEW, row)
    row += 1
    _box(ws, row, 1, row, 3, "二、上年结转政府信息公开申请数量", st, align="left")
    numbers(ROW_CARRIED_IN, row)
    first_outcome = row + 1
    row += 1
    _box(ws, row, 2, row, 3, "（一）予以公开", st, align="left")
    numbers("public", row)
    row += 1
    _box(ws, row, 2, row, 3, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", st, align="left")
    numbers("partial", row)
    for kind, heading in (("refused", "（三）不予公开"), ("unable", "（四）无法提供"),
                          ("not_processed", "（五）不予处理"), ("other", "（六）其他处理")):
        reasons = OUTCOME_REASONS[kind]
        _box(ws, row + 1, 2, row + len(reasons), 2, heading, st)
        for index, (reason, label) in enumerate(reasons, start=1):
            row += 1
            _put(ws, row, 3, f"{index}.{label}", st, align="left")
            numbers(f"{kind}:{reason}", row)
    row += 1
    _box(ws, row, 2, row, 3, "（七）总计", st, bold=True)
    numbers(ROW_TOTAL, row)
    _box(ws, first_outcome, 1, row, 1, "三、本年度办理结果", st)
    row += 1
    _box(ws, row, 1, row, 3, "四、结转下年度继续办理", st, align="left")
    numbers(ROW_CARRIED_OUT, row)
    for col, width in zip("ABCDEFGHIJ", (10, 14, 40, 9, 9, 9, 11, 11, 9, 9)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "D6"
    _print_setup(ws)


def _sheet_table4(wb, report: AnnualReport, st) -> None:
    ws = wb.create_sheet("四、复议诉讼")
    _title(ws, f"{report.township}{report.year}年政府信息公开工作年度报告 四、政府信息公开行政复议、行政诉讼情况", 15, st)
    _box(ws, 3, 1, 3, 5, "行政复议", st, bold=True, fill=st["head"])
    _box(ws, 3, 6, 3, 15, "行政诉讼", st, bold=True, fill=st["head"])
    for offset, (_, label) in enumerate(APPEAL_COLUMNS):
        _box(ws, 4, 1 + offset, 5, 1 + offset, label, st, bold=True, fill=st["head"])
    _box(ws, 4, 6, 4, 10, "未经复议直接起诉", st, bold=True, fill=st["head"])
    _box(ws, 4, 11, 4, 15, "复议后起诉", st, bold=True, fill=st["head"])
    for block in range(2):
        for offset, (_, label) in enumerate(APPEAL_COLUMNS):
            _put(ws, 5, 6 + block * 5 + offset, label, st, bold=True, fill=st["head"])
    col = 1
    for key, _ in APPEAL_BLOCKS:
        for code, _ in APPEAL_COLUMNS:
            _put(ws, 6, col, report.table4[key][code], st)
            col += 1
    for index in range(1, 16):
        from openpyxl.utils import get_column_letter

        ws.column_dimensions[get_column_letter(index)].width = 9
    _print_setup(ws, landscape=True)


def _sheet_checks(wb, report: AnnualReport, st) -> None:
    ws = wb.create_sheet("核对结果")
    _title(ws, f"{report.year}年度报告表格核对（导出前自动核对）", 4, st)
    for col, text in enumerate(("核对项", "结果", "说明", "涉及申请"), start=1):
        _put(ws, 3, col, text, st, bold=True, fill=st["head"])
    for row, check in enumerate(report.checks, start=4):
        fill = None if check.ok else st["bad"]
        _put(ws, row, 1, check.label, st, align="left", fill=fill)
        _put(ws, row, 2, "通过" if check.ok else "不通过", st, fill=fill)
        _put(ws, row, 3, check.detail, st, align="left", fill=fill)
        _put(ws, row, 4, "、".join(check.requests), st, align="left", fill=fill)
    for col, width in zip("ABCD", (40, 8, 80, 24)):
        ws.column_dimensions[col].width = width
    _print_setup(ws, landscape=True)


def _sheet_register(wb, report: AnnualReport, st) -> None:
    ws = wb.create_sheet("申请清单")
    _title(ws, f"{report.year}年度报告计入的申请（不含申请人信息，可据登记号在本系统中查对）", 6, st)
    heads = ("登记号", "收到日期", "申请人类型", "答复日期", "答复结果", "计入的栏目")
    for col, text in enumerate(heads, start=1):
        _put(ws, 3, col, text, st, bold=True, fill=st["head"])
    from zwgk_desktop.core.requests import outcome_label

    for row, item in enumerate(report.register, start=4):
        outcome = item["outcome"] + (f":{item['outcome_reason']}" if item["outcome_reason"] else "")
        values = (item["number"], item["received"], item["requester_type"], item["replied"],
                  outcome_label(outcome) if outcome else "", "；".join(item["cells"]))
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value, st, align="left")
    for col, width in zip("ABCDEF", (11, 12, 13, 12, 30, 60)):
        ws.column_dimensions[col].width = width
    _print_setup(ws, landscape=True)


def write_xlsx(report: AnnualReport, out_path: str | Path) -> Path:
    """The workbook: one sheet per table laid out like the format, the checks, and the requests counted."""
    from openpyxl import Workbook

    out = Path(out_path).expanduser()
    if out.suffix.lower() != ".xlsx":
        raise InvalidInput(f"输出文件“{out.name}”应以 .xlsx 结尾。", code="bad_path")
    st = _styles()
    wb = Workbook()
    _sheet_table2(wb, report, st)
    _sheet_table3(wb, report, st)
    _sheet_table4(wb, report, st)
    _sheet_checks(wb, report, st)
    _sheet_register(wb, report, st)
    with atomic_output(out) as tmp:
        wb.save(tmp)
    return out.resolve()


# --- the PDF ----------------------------------------------------------------------------------------


def write_pdf(report: AnnualReport, out_path: str | Path) -> Path:
    """A4 tables in real text (bundled CJK font), ruled like the format, so they copy into a Word report."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from zwgk_desktop import __version__
    from zwgk_desktop.services.fonts import font_chain, register_reportlab_font

    out = Path(out_path).expanduser()
    if out.suffix.lower() != ".pdf":
        raise InvalidInput(f"输出文件“{out.name}”应以 .pdf 结尾。", code="bad_path")
    font = register_reportlab_font(font_chain()[0])
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    centre = ParagraphStyle("centre", parent=body, alignment=TA_CENTER)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4 * mm)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=18, spaceBefore=5 * mm, spaceAfter=2 * mm)
    grid = [("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]

    def p(text, style=centre):
        return Paragraph(str(text), style)

    width = A4[0] - 36 * mm
    story = [p(f"{report.township}{report.year}年政府信息公开工作年度报告（统计表）", title)]
    t2 = report.table2
    story.append(p("二、主动公开政府信息情况", heading))
    rows2 = [[p("第二十条第（一）项"), "", "", ""], [p("信息内容"), p("本年制发件数"), p("本年废止件数"), p("现行有效件数")]]
    rows2 += [[p(t2[k]["label"]), t2[k]["made"], t2[k]["repealed"], t2[k]["valid"]] for k in ("rules", "normative")]
    spans = [("SPAN", (0, 0), (3, 0))]
    for heading_text, keys, column in (("第二十条第（五）项", ("licensing",), "本年处理决定数量"),
                                       ("第二十条第（六）项", ("penalty", "enforcement"), "本年处理决定数量"),
                                       ("第二十条第（八）项", ("fees",), "本年收费金额（单位：万元）")):
        start = len(rows2)
        rows2.append([p(heading_text), "", "", ""])
        rows2.append([p("信息内容"), p(column), "", ""])
        spans += [("SPAN", (0, start), (3, start)), ("SPAN", (1, start + 1), (3, start + 1))]
        for key in keys:
            value = t2[key]["amount_wan"] if key == "fees" else t2[key]["decisions"]
            rows2.append([p(t2[key]["label"]), value, "", ""])
            spans.append(("SPAN", (1, len(rows2) - 1), (3, len(rows2) - 1)))
    table2 = Table(rows2, colWidths=[width * 0.4, width * 0.2, width * 0.2, width * 0.2])
    table2.setStyle(TableStyle(grid + spans))
    story.append(table2)
    if t2["notices"]["rows"]:
        story.append(Spacer(1, 2 * mm))
        rows = [[p("公示栏主动公开（本系统统计）"), p("公示（公告）数"), p("公开条目（户）数")]]
        rows += [[p(r["label"]), r["notices"], r["items"]] for r in t2["notices"]["rows"]]
        rows.append([p("合计"), t2["notices"]["notices"], t2["notices"]["items"]])
        extra = Table(rows, colWidths=[width * 0.4, width * 0.3, width * 0.3])
        extra.setStyle(TableStyle(grid))
        story.append(extra)

    part3 = [p("三、收到和处理政府信息公开申请情况", heading)]
    head = [
        [p("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), "", "", p("申请人情况"), "", "", "", "", "", ""],
        ["", "", "", p("自然人"), p("法人或其他组织"), "", "", "", "", p("总计")],
        ["", "", "", "", *[p(REQUESTER_LABELS[c]) for c in REQUESTER_TYPES[1:]], ""],
    ]
    t3 = report.table3
    rows3 = list(head)
    spans3 = [("SPAN", (0, 0), (2, 2)), ("SPAN", (3, 0), (9, 0)), ("SPAN", (3, 1), (3, 2)), ("SPAN", (4, 1), (8, 1)),
              ("SPAN", (9, 1), (9, 2))]
    left = ParagraphStyle("left", parent=body)

    def line(label_cells, code):
        rows3.append([*label_cells, *[t3.count(code, c) for c in COLUMNS]])

    for code in (ROW_NEW, ROW_CARRIED_IN):
        line([p(ROW_LABELS[code], left), "", ""], code)
        spans3.append(("SPAN", (0, len(rows3) - 1), (2, len(rows3) - 1)))
    first = len(rows3)
    line(["", p("（一）予以公开", left), ""], "public")
    spans3.append(("SPAN", (1, len(rows3) - 1), (2, len(rows3) - 1)))
    line(["", p("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", left), ""], "partial")
    spans3.append(("SPAN", (1, len(rows3) - 1), (2, len(rows3) - 1)))
    for kind, group in (("refused", "（三）不予公开"), ("unable", "（四）无法提供"), ("not_processed", "（五）不予处理"),
                        ("other", "（六）其他处理")):
        start = len(rows3)
        for index, (reason, label) in enumerate(OUTCOME_REASONS[kind], start=1):
            line(["", p(group) if index == 1 else "", p(f"{index}.{label}", left)], f"{kind}:{reason}")
        spans3.append(("SPAN", (1, start), (1, len(rows3) - 1)))
    line(["", p("（七）总计"), ""], ROW_TOTAL)
    spans3.append(("SPAN", (1, len(rows3) - 1), (2, len(rows3) - 1)))
    rows3[first][0] = p("三、本年度办理结果")
    spans3.append(("SPAN", (0, first), (0, len(rows3) - 1)))
    line([p(ROW_LABELS[ROW_CARRIED_OUT], left), "", ""], ROW_CARRIED_OUT)
    spans3.append(("SPAN", (0, len(rows3) - 1), (2, len(rows3) - 1)))
    number_width = (width - 14 * mm - 18 * mm - 50 * mm) / 7
    table3 = Table(rows3, colWidths=[14 * mm, 18 * mm, 50 * mm] + [number_width] * 7, repeatRows=3)
    table3.setStyle(TableStyle(grid + spans3))
    story.append(KeepTogether([*part3, table3]))  # the matrix is read as one: never split across pages

    story.append(p("四、政府信息公开行政复议、行政诉讼情况", heading))
    labels = [p(label) for _, label in APPEAL_COLUMNS]
    rows4 = [[p("行政复议"), "", "", "", "", p("行政诉讼"), "", "", "", "", "", "", "", "", ""],
             [*labels, p("未经复议直接起诉"), "", "", "", "", p("复议后起诉"), "", "", "", ""],
             ["", "", "", "", "", *labels, *labels],
             [report.table4[key][code] for key, _ in APPEAL_BLOCKS for code, _ in APPEAL_COLUMNS]]
    spans4 = [("SPAN", (0, 0), (4, 0)), ("SPAN", (5, 0), (14, 0)), ("SPAN", (5, 1), (9, 1)), ("SPAN", (10, 1), (14, 1))]
    spans4 += [("SPAN", (i, 1), (i, 2)) for i in range(5)]
    table4 = Table(rows4, colWidths=[width / 15] * 15)
    table4.setStyle(TableStyle(grid + spans4 + [("FONTSIZE", (0, 0), (-1, -1), 8)]))
    story.append(table4)
    story.append(Spacer(1, 4 * mm))
    status = "全部通过" if report.ok else "未通过：" + "；".join(c.label for c in report.failed)
    story.append(p(f"导出前核对：{status}。（本表由乡镇公示栏政务公开系统生成，各数字可在“申请清单”中逐件查对。）", left))
    with atomic_output(out) as tmp:
        doc = SimpleDocTemplate(
            str(tmp), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
            title=f"{report.township}{report.year}年政府信息公开工作年度报告（统计表）", author=report.township,
            creator=f"zwgk_desktop {__version__}", invariant=1, lang="zh-CN",
        )
        doc.build(story)
    return out.resolve()


def parse_manual_pairs(pairs: list[str]) -> dict:
    """`--set KEY=VALUE` pairs as a dict (validated by `validate_manual`)."""
    values = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InvalidInput(f"“{pair}”应写成 项目=数值，如 normative.made=2。", code="bad_field")
        values[key.strip()] = value.strip()
    return validate_manual(values)


__all__ = [
    "AnnualReport",
    "Check",
    "RequestsNotCarried",
    "build_annual_report",
    "count_table3",
    "count_table4",
    "cross_checks",
    "file_report",
    "parse_manual_pairs",
    "save_manual_values",
    "validate_manual",
    "write_pdf",
    "write_xlsx",
]
