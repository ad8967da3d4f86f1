"""Finding the roster table inside a sheet: title rows, (multi-row, merged) header, data rows.

Owns: scoring candidate header rows against the category's synonyms,
extending the header down through merged parent cells (保障金额（元） over
月保障金 / 分类施保金 / 小计), building per-column header texts, reading the
title row above the header, and choosing the sheet when a workbook has
several. Pure functions over `RawSheet`; no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zwgk_desktop.core.catalogue import CatalogEntry
from zwgk_desktop.errors import InvalidInput
from zwgk_desktop.core.line_items import FUNDING_SYNONYMS, FUNDING_TOTAL_WORDS
from zwgk_desktop.services.rosters.mapping import (
    HeaderColumn,
    SYNONYMS,
    count_matches,
    normalize_header,
)
from zwgk_desktop.services.rosters.reader import RawSheet

HEADER_SEARCH_ROWS = 40
MAX_HEADER_DEPTH = 3
MIN_HEADER_MATCHES = 2
NOT_TITLE_PREFIXES = ("填报", "单位", "制表", "日期", "填表", "审核", "编制", "时间", "金额单位")


class NoHeaderFound(InvalidInput):
    code = "no_header"


@dataclass
class Table:
    """Where the roster sits in its sheet (rows 0-based here; reports add 1)."""

    sheet: RawSheet
    header_row: int  # first header row
    header_depth: int
    columns: list[HeaderColumn]
    title: str = ""
    match_count: int = 0
    covered: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # merged cell → its anchor

    @property
    def data_start(self) -> int:
        return self.header_row + self.header_depth

    def column(self, index: int) -> HeaderColumn | None:
        return next((c for c in self.columns if c.index == index), None)

    def data_anchor(self, row: int, col: int) -> tuple[int, int] | None:
        """The top-left cell of the merged range (row, col) lies in, when that range starts among the data rows
        (a village or head written once for a block of rows); None for a cell of its own or a header merge."""
        anchor = self.covered.get((row, col))
        return anchor if anchor is not None and anchor[0] >= self.data_start else None


def cell_text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def covered_cells(merges) -> dict[tuple[int, int], tuple[int, int]]:
    """Every non-anchor cell inside a merged range → the range's top-left anchor."""
    covered = {}
    for (r0, c0), (r1, c1) in merges:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 100_000:
            continue  # a whole-column merge would explode; nothing useful there
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered[(r, c)] = (r0, c0)
    return covered


def _filled_text(sheet: RawSheet, covered, row: int, col: int) -> str:
    anchor = covered.get((row, col), (row, col))
    cells = sheet.rows[anchor[0]] if anchor[0] < len(sheet.rows) else []
    return cell_text(cells[anchor[1]]) if anchor[1] < len(cells) else ""


def _continues_merge_from_above(covered, row: int, width: int) -> bool:
    """Some cell of `row` lies inside a merge that starts on an earlier row (序号 merged over two header rows)."""
    return any(covered.get((row, col), (row,))[0] < row for col in range(width))


def _row_texts(sheet: RawSheet, covered, row: int, width: int) -> list[str]:
    return [_filled_text(sheet, covered, row, c) for c in range(width)]


def find_table(sheet: RawSheet, entry: CatalogEntry) -> Table | None:
    """The best header in this sheet for the category, or None when nothing looks like one."""
    if not sheet.rows:
        return None
    covered = covered_cells(sheet.merges)
    width = max((len(r) for r in sheet.rows[:HEADER_SEARCH_ROWS + MAX_HEADER_DEPTH]), default=0)
    best: tuple[int, int] | None = None
    for row in range(min(HEADER_SEARCH_ROWS, len(sheet.rows))):
        if _continues_merge_from_above(covered, row, width):
            continue  # the lower row of a header whose cells are merged down into it: the header starts above
        texts = _row_texts(sheet, covered, row, width)
        matches, has_core = count_matches(texts, entry)
        if matches >= MIN_HEADER_MATCHES and has_core and (best is None or matches > best[1]):
            best = (row, matches)
    if best is None:
        return None
    header_row, _ = best
    if header_row > 0 and _is_group_row(sheet, header_row - 1, width):
        header_row -= 1  # "基本情况 | 补助资金（元）" over the labels: the groups are the header's first row
    depth = _header_depth(sheet, covered, header_row, width, entry)
    columns = _header_columns(sheet, covered, header_row, depth, width)
    total_matches, _ = count_matches([c.text for c in columns], entry)
    leaf_matches, _ = count_matches([c.leaf for c in columns], entry)
    return Table(
        sheet=sheet,
        header_row=header_row,
        header_depth=depth,
        columns=columns,
        title=_title_above(sheet, header_row),
        match_count=max(total_matches, leaf_matches),
        covered=covered,
    )


GROUP_LABEL_MAX = 16  # a group label ("补助资金（元）", "家庭基本情况") is short; a title or a note is not


def _is_group_row(sheet: RawSheet, row: int, width: int) -> bool:
    """A row of short group labels merged across some of the columns below it (not a title across them all,
    not a "填报单位：…" line)."""
    spans = [(c0, c1) for (r0, c0), (r1, c1) in sheet.merges if r0 == r1 == row and c1 > c0]
    if not spans or any(c1 - c0 + 1 >= width - 1 for c0, c1 in spans):
        return False
    texts = [cell_text(c) for c in sheet.rows[row]]
    labels = [t for t in texts if t]
    return bool(labels) and all(len(t) <= GROUP_LABEL_MAX and "：" not in t and ":" not in t for t in labels)


def _header_depth(sheet: RawSheet, covered, header_row: int, width: int, entry: CatalogEntry) -> int:
    depth = 1
    while depth < MAX_HEADER_DEPTH and header_row + depth < len(sheet.rows):
        below = header_row + depth
        if _merge_reaches_down(sheet, header_row, depth, below) or _is_subheader_row(sheet, below, width, entry):
            depth += 1
        else:
            break
    return depth


def _merge_reaches_down(sheet: RawSheet, header_row: int, depth: int, below: int) -> bool:
    """A header cell merged downward into `below`, or merged across with sub-labels under it."""
    for (r0, c0), (r1, c1) in sheet.merges:
        if not header_row <= r0 < header_row + depth:
            continue
        if r1 >= below:
            return True
        if c1 > c0 and r1 == below - 1:
            cells = sheet.rows[below]
            if any(cell_text(cells[c]) for c in range(c0, min(c1 + 1, len(cells)))):
                return True
    return False


def _is_subheader_row(sheet: RawSheet, row: int, width: int, entry: CatalogEntry) -> bool:
    """Without merges (CSV): a row of at least two exact header words and no numbers is a sub-header."""
    cells = sheet.rows[row]
    if any(isinstance(c, (int, float)) and not isinstance(c, bool) for c in cells):
        return False
    texts = [cell_text(c) for c in cells]
    if any(t.replace(".", "").isdigit() for t in texts if t):
        return False
    exact = sum(1 for t in texts if t and normalize_header(t) in _SUBHEADER_WORDS)
    return exact >= 2


_SUBHEADER_WORDS = {normalize_header(s) for values in (*SYNONYMS.values(), *FUNDING_SYNONYMS.values(), FUNDING_TOTAL_WORDS)
                    for s in values}


def _header_columns(sheet: RawSheet, covered, header_row: int, depth: int, width: int) -> list[HeaderColumn]:
    grid = [[_filled_text(sheet, covered, row, col) for col in range(width)] for row in range(header_row, header_row + depth)]
    _fill_group_headers(grid)
    columns = []
    for col in range(width):
        parts: list[str] = []
        for row in range(depth):
            text = grid[row][col]
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        full = "/".join(parts)
        columns.append(HeaderColumn(index=col, text=full, leaf=parts[-1] if parts else ""))
    while columns and not columns[-1].text:
        columns.pop()
    return columns


def _fill_group_headers(grid: list[list[str]]) -> None:
    """Without merges (CSV, or a sheet whose group header was not merged): a blank upper header cell
    over a sub-column continues the group started to its left (补助资金（元） over 中央 | 省级 | 合计)."""
    for upper in range(len(grid) - 1):
        below = grid[upper + 1:]
        for col in range(1, len(grid[upper])):
            if grid[upper][col] or not grid[upper][col - 1]:
                continue
            has_sub = any(row[col] for row in below)
            # the left column is part of a group: it has its own sub-label, not a copy of a merged-down cell
            left_has_sub = any(row[col - 1] and row[col - 1] != grid[upper][col - 1] for row in below)
            if has_sub and left_has_sub:
                grid[upper][col] = grid[upper][col - 1]


def _title_above(sheet: RawSheet, header_row: int) -> str:
    for row in range(header_row):
        texts = [cell_text(c) for c in sheet.rows[row] if cell_text(c)]
        if not texts:
            continue
        text = max(texts, key=len)
        if len(text) >= 6 and not text.startswith(NOT_TITLE_PREFIXES):
            return " ".join(text.split())
    return ""


def _data_rows(table: Table) -> int:
    return sum(1 for r in table.sheet.rows[table.data_start:] if any(cell_text(c) for c in r))


def choose_table(sheets: list[RawSheet], entry: CatalogEntry, file_name: str) -> tuple[Table, list[dict]]:
    """The sheet holding the roster (visible sheets first, most header matches, then most rows)."""
    warnings: list[dict] = []
    tables = [(order, table) for order, sheet in enumerate(sheets) if (table := find_table(sheet, entry)) is not None]
    # Counting data rows only breaks ties between candidate sheets: skip it when there is just one.
    found = [
        ((table.sheet.visible, table.match_count, _data_rows(table) if len(tables) > 1 else 0, -order), table)
        for order, table in tables
    ]
    if not found:
        names = "、".join(f"“{s.name}”" for s in sheets) or "（无）"
        raise NoHeaderFound(
            f"在“{file_name}”的工作表 {names} 的前 {HEADER_SEARCH_ROWS} 行中找不到花名册表头"
            f"（应有“户主姓名/姓名”“身份证号码”“金额”等列）。请确认文件内容和所选公开类别“{entry.name}”相符，"
            "或下载该类别的空白模板照着填写。",
        )
    found.sort(key=lambda item: item[0], reverse=True)
    table = found[0][1]
    if len(found) > 1:
        others = "、".join(f"“{t.sheet.name}”" for _, t in found[1:])
        warnings.append(
            {"row": None, "column": None, "code": "sheet_chosen",
             "message": f"工作簿中有多个像花名册的工作表，已选择“{table.sheet.name}”（未导入：{others}）。"}
        )
    if not table.sheet.visible:
        warnings.append(
            {"row": None, "column": None, "code": "hidden_sheet",
             "message": f"花名册所在的工作表“{table.sheet.name}”是隐藏的，请确认这是要公示的数据。"}
        )
    return table, warnings
