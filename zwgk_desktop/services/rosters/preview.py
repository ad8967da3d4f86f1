"""`read_roster`: one call from a file path to a checked preview of the notice's line items.

Owns the `RosterPreview` DTO the UI shows (rows with per-cell problems,
mapping, sheet, counts) and the CLI prints, and the orchestration: read the
file safely → choose the sheet and header → map columns (override, then the
mapping remembered for this layout, then synonyms) → check every row.
No database: villages, existing ID numbers and remembered mappings come in
as plain arguments (see `importer.py` for the database side).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from zwgk_desktop.core.catalogue import CatalogEntry, get_entry
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.services.gc_pause import paused_gc
from zwgk_desktop.core.line_items import counts_in_totals
from zwgk_desktop.services.rosters.mapping import (
    PSEUDO_KEYS,
    HeaderColumn,
    auto_map,
    header_signature,
    letter_index,
    resolve_override,
)
from zwgk_desktop.services.rosters.reader import RawSheet, RosterFileError
from zwgk_desktop.services.rosters.sandbox import PendingRead, pending_read
from zwgk_desktop.services.rosters.table import Table, choose_table
from zwgk_desktop.services.rosters.validate import (
    WARNING,
    Problem,
    RosterRow,
    RowContext,
    VillageIndex,
    build_rows,
)

_A1 = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass
class RosterPreview:
    """What a roster file holds for one category, checked, before anything is written."""

    path: Path
    category: str
    format: str
    sheet: str
    header_row: int  # 1-based first header row
    header_rows: int
    title: str
    headers: list[str]  # every column's header text, index = spreadsheet column
    mapping: dict[str, int]  # catalogue key → 0-based column index (pseudo keys excluded)
    mapping_source: str  # override | remembered | auto
    signature: str
    rows: list[RosterRow]
    file_problems: list[Problem] = field(default_factory=list)
    skipped_rows: int = 0
    member_rows: int = 0
    total_row: int | None = None
    total_fen: int | None = None
    sum_fen: int = 0
    encoding: str | None = None
    stop_fen: int = 0  # the part of sum_fen on 停保 lines
    total_rule: str | None = None  # the 合计 row adds up with_stop | without_stop
    default_title: str = ""  # the title the notice gets unless the clerk types one

    @property
    def accepted_rows(self) -> list[RosterRow]:
        return [r for r in self.rows if r.accepted]

    @property
    def rejected_rows(self) -> list[RosterRow]:
        return [r for r in self.rows if not r.accepted]

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.accepted)

    @property
    def rejected(self) -> int:
        return len(self.rows) - self.accepted

    @property
    def accepted_fen(self) -> int:
        """The money the new notice will total: accepted lines, 停保 lines excluded."""
        return sum(r.values.get("amount_fen") or 0 for r in self.rows
                   if r.accepted and counts_in_totals(r.values.get("change_type_code")))

    @property
    def change_types(self) -> dict[str, int]:
        """Accepted lines per change type code (new/adjust/continue/stop/reduce)."""
        found: dict[str, int] = {}
        for row in self.rows:
            code = row.values.get("change_type_code")
            if row.accepted and code:
                found[code] = found.get(code, 0) + 1
        return found

    def errors(self) -> list[Problem]:
        """Every error: the rejected rows' problems and file-level ones (e.g. total_mismatch), by row."""
        found = [p for r in self.rows if r.problems for p in r.problems if p.severity != WARNING]
        found += [p for p in self.file_problems if p.severity != WARNING]
        return sorted(found, key=lambda p: (p.row or 0))

    def warnings(self) -> list[Problem]:
        found = [p for p in self.file_problems if p.severity == WARNING]
        found += [p for r in self.rows if r.problems for p in r.problems if p.severity == WARNING]
        return sorted(found, key=lambda p: (p.row or 0))

    def mapping_headers(self) -> dict[str, str]:
        """{column key: header text} as the CLI reports it."""
        return {key: self.headers[index] for key, index in self.mapping.items() if index < len(self.headers)}

    def as_json(self) -> dict:
        accepted = self.accepted
        return {
            "sheet": self.sheet,
            "header_row": self.header_row,
            "title": self.title,
            "default_title": self.default_title,
            "mapping": self.mapping_headers(),
            "mapping_source": self.mapping_source,
            "accepted": accepted,
            "rejected": len(self.rows) - accepted,
            "skipped_rows": self.skipped_rows,
            "member_rows": self.member_rows,
            "total_amount_fen": self.accepted_fen,
            "change_types": self.change_types,
            "total_rule": self.total_rule,
            "errors": [p.as_json() for p in self.errors()],
            "warnings": [p.as_json() for p in self.warnings()],
        }


def read_roster(
    path: "str | os.PathLike | PendingRead",
    category: str,
    villages: Iterable[str] | Mapping[str, str] | None = None,
    existing_ids: Mapping[str, str] | Iterable[str] | None = None,
    mapping_override: Mapping[str, Any] | None = None,
    job: Job | None = None,
    *,
    known_mappings: Mapping[str, Mapping[str, Any]] | None = None,
) -> RosterPreview:
    """Read and check a roster for `category`.

    The file is read in a child process with memory and time limits (`sandbox.py`); `path` may be
    a `PendingRead` already started.
    `villages`: names (or name → village id, or a `VillageIndex` with merged/retired villages) of the
    township's villages; None skips the check.
    `existing_ids`: ID numbers already in active notices of this category (→ notice title).
    `mapping_override`: {column key: header text | column letter | 0-based index}.
    `known_mappings`: remembered mappings by header signature (from RosterMapping).
    """
    with paused_gc():
        return _read_roster(path, category, villages, existing_ids, mapping_override, job, known_mappings)


def _read_roster(source, category, villages, existing_ids, mapping_override, job, known_mappings) -> RosterPreview:
    job = job or Job()
    entry = get_entry(category)
    job.progress(0, 0, "正在读取文件…")
    pending = pending_read(source)
    path = pending.path
    workbook = pending.result(job)
    table, sheet_warnings = choose_table(workbook.sheets, entry, path.name)
    signature = header_signature(category, table.columns)
    mapping, source = _choose_mapping(table, entry, signature, mapping_override, known_mappings)
    _refuse_formulas_without_values(path, table, mapping)
    villages_index = VillageIndex.build(villages)
    default_village, village_warnings = _default_village(path, table, mapping, villages_index)
    existing = existing_ids if isinstance(existing_ids, Mapping) else {i: "" for i in (existing_ids or ())}
    context = RowContext(table, entry, mapping, villages_index, existing, default_village)
    built = build_rows(context, job)
    file_problems = [_as_problem(w) for w in workbook.warnings + sheet_warnings] + village_warnings
    file_problems += _unmapped_warnings(table, entry, mapping) + built.file_problems
    return RosterPreview(
        path=path,
        category=category,
        format=workbook.format,
        sheet=table.sheet.name,
        header_row=table.header_row + 1,
        header_rows=table.header_depth,
        title=table.title,
        headers=[c.text for c in table.columns],
        mapping={k: v for k, v in mapping.items() if k not in PSEUDO_KEYS},
        mapping_source=source,
        signature=signature,
        rows=built.rows,
        file_problems=file_problems,
        skipped_rows=built.skipped_rows,
        member_rows=built.member_rows,
        total_row=built.total_row,
        total_fen=built.total_fen,
        sum_fen=built.sum_fen,
        encoding=workbook.encoding,
        stop_fen=built.stop_fen,
        total_rule=built.total_rule,
    )


def preview_context(preview: RosterPreview) -> RowContext:
    """A row-check context for a finished preview (to add problems to its rows with the right labels)."""
    columns = [HeaderColumn(index, text, text.split("/")[-1]) for index, text in enumerate(preview.headers)]
    table = Table(sheet=RawSheet(preview.sheet, []), header_row=preview.header_row - 1,
                  header_depth=preview.header_rows, columns=columns)
    return RowContext(table, get_entry(preview.category), dict(preview.mapping), None, {})


def _as_problem(warning: dict) -> Problem:
    return Problem(warning.get("row"), warning.get("column"), warning["code"], warning["message"], WARNING)


def _choose_mapping(table: Table, entry: CatalogEntry, signature: str, override, known) -> tuple[dict[str, int], str]:
    automatic = auto_map(table.columns, entry)
    if override:
        return _merge_override(dict(override), automatic, table, entry), "override"
    if known and signature in known:
        remembered = resolve_override(dict(known[signature]), table.columns, entry)
        if remembered:
            return _with_pseudo_keys(remembered, automatic), "remembered"
    return automatic, "auto"


def _merge_override(override: dict, automatic: dict[str, int], table: Table, entry: CatalogEntry) -> dict[str, int]:
    """An override wins for the keys it names (None/"" unmaps a key); other keys keep the automatic column."""
    chosen = resolve_override(override, table.columns, entry)
    unmapped = {key for key, target in override.items() if target in (None, "")}
    taken = set(chosen.values())
    merged = {k: v for k, v in automatic.items() if k not in override and k not in unmapped and v not in taken}
    merged.update(chosen)
    return merged


def _with_pseudo_keys(chosen: dict[str, int], automatic: dict[str, int]) -> dict[str, int]:
    """Keep the automatic 序号/成员/关系 columns unless the chosen mapping uses their column."""
    used = set(chosen.values())
    for key in PSEUDO_KEYS:
        if key in automatic and key not in chosen and automatic[key] not in used:
            chosen[key] = automatic[key]
    return chosen


def _refuse_formulas_without_values(path: Path, table: Table, mapping: dict[str, int]) -> None:
    sheet = table.sheet
    if not sheet.formulas_without_value:
        return
    mapped = set(mapping.values())
    hits = []
    for ref in sheet.formulas_without_value:
        match = _A1.match(ref)
        if match and int(match.group(2)) - 1 >= table.data_start and letter_index(match.group(1)) in mapped:
            hits.append(ref)
    if not hits:
        return
    total = sheet.formulas_without_value_count
    raise RosterFileError(
        f"文件“{path.name}”中有 {total} 个公式单元格没有保存计算结果（如 {'、'.join(hits[:5])}），"
        "读出来是空的，无法确认金额等数据。这常见于由程序生成、未经 Excel 打开保存的表格。"
        "请用 Excel 或 WPS 打开该文件，确认数值正确后保存一次，再导入。",
        code="formula_no_value",
        detail={"cells": hits[:20]},
    )


def _default_village(path: Path, table: Table, mapping: dict[str, int], villages: VillageIndex | None) -> tuple[str | None, list[Problem]]:
    """A roster for one village often has no 村 column: take the village named in the title or file name."""
    if "village" in mapping or villages is None:
        return None, []
    for source in (table.title, path.stem):
        named = [name for name in villages.by_name if name and name in source]
        if len(named) == 1:
            return named[0], [
                Problem(None, None, "village_from_title",
                        f"表中没有“村”列，已按{'标题' if source == table.title else '文件名'}中的“{named[0]}”作为所有行的村。", WARNING)
            ]
    return None, []


def _unmapped_warnings(table: Table, entry: CatalogEntry, mapping: dict[str, int]) -> list[Problem]:
    used = set(mapping.values())
    problems = []
    for column in table.columns:
        if column.text and column.index not in used:
            problems.append(
                Problem(None, column.text, "unmapped_column", f"“{column.text}”列没有对应的公示字段，未导入。", WARNING)
            )
    return problems
