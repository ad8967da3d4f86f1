"""Reading roster files (.xlsx/.xlsm, .xls, .csv) into plain sheets of cell values, safely.

Owns: format detection by content (not by name), the safety checks that run
before any parser sees the bytes (size, zip bomb, encrypted workbook, macro
workbook, row limit), CSV encoding/delimiter detection, and the facts
python-calamine does not expose (hidden rows/columns, formulas without a
cached value) which for .xlsx are read from the sheet XML in one streaming
pass with plain byte regexes — no openpyxl on the hot path.

The parse budget: python-calamine materialises a sheet as a dense rows ×
columns grid, so a 4.7 KB file with cells at A1 and XFD200000 would ask for
100 GB. Before calamine sees a sheet its used range is measured — for .xlsx
in the same streaming XML pass (explicit cell references, and positional
cells counted where a writer left references out), for .xls from the BIFF
cell records (`biff.used_ranges`), for .csv row by row — and a sheet wider
than `MAX_COLUMNS` is refused with `too_wide`, one larger than `MAX_CELLS`
with `too_many_cells`. `sandbox.py` runs all of this in a child process with
memory and time limits on top.

Every failure is an `InvalidInput` with a Chinese message naming the problem;
nothing here writes anything.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.errors import InvalidInput

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_MEMBER_BYTES = 400 * 1024 * 1024
MAX_TOTAL_UNCOMPRESSED_BYTES = 600 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 20 * 1024 * 1024
MAX_DATA_ROWS = 200_000
ROW_LIMIT_SLACK = 50  # title, header and footer rows on top of the data limit
MAX_FORMULA_REFS_KEPT = 200
MAX_COLUMNS = 256  # the .xls limit; no roster is wider
MAX_CELLS = 4_000_000  # rows × columns of the used range (a 200,000-row roster of 20 columns)

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_INFO_UTF16 = "EncryptionInfo".encode("utf-16-le")
ENCRYPTED_PACKAGE_UTF16 = "EncryptedPackage".encode("utf-16-le")

Cell = Any  # str | int | float | bool | date | datetime | time | timedelta ('' when empty)


class RosterFileError(InvalidInput):
    """The file cannot be read as a roster at all (not a row problem)."""

    code = "roster_file"


@dataclass
class RawSheet:
    """One sheet's cells, positions absolute (row 0 = spreadsheet row 1), plus layout facts."""

    name: str
    rows: list[list[Cell]]
    visible: bool = True
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden_cols: set[int] = field(default_factory=set)  # 0-based
    formulas_without_value: list[str] = field(default_factory=list)  # A1 refs
    formulas_without_value_count: int = 0
    typed_cells: bool = True  # False for CSV: every cell is text


@dataclass
class RawWorkbook:
    path: Path
    format: str  # xlsx | xls | csv
    sheets: list[RawSheet]
    warnings: list[dict] = field(default_factory=list)
    encoding: str | None = None  # CSV only


# --- entry point ------------------------------------------------------------------------


def read_workbook(path: str | os.PathLike, job: Job | None = None) -> RawWorkbook:
    """Read every sheet of a roster file after the safety checks; raise `RosterFileError` if unreadable."""
    path = Path(path)
    job = job or Job()
    head = _read_head(path)
    kind = detect_format(path, head)
    job.check()
    if kind == "xlsx":
        return _read_xlsx(path, job)
    if kind == "xls":
        return _read_xls(path, job)
    return _read_csv(path, job)


def _read_head(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise RosterFileError(f"“{path.name}”不是文件。请选择一个 Excel 或 CSV 花名册文件。")
        if size == 0:
            raise RosterFileError(f"文件“{path.name}”是空的（0 字节）。请确认文件已正确保存。")
        if size > MAX_FILE_BYTES:
            raise RosterFileError(
                f"文件“{path.name}”太大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）。"
                "请只保留需要公示的花名册工作表后再导入。"
            )
        with path.open("rb") as fh:
            return fh.read(8192)
    except FileNotFoundError:
        raise RosterFileError(f"找不到文件“{path}”。请检查路径。", code="file_not_found") from None
    except IsADirectoryError:
        raise RosterFileError(f"“{path.name}”是文件夹，不是花名册文件。") from None
    except PermissionError:
        raise RosterFileError(f"没有权限读取文件“{path.name}”。请关闭正在使用它的程序或检查权限。") from None


def detect_format(path: Path, head: bytes) -> str:
    """'xlsx', 'xls' or 'csv' from the file's first bytes; refuse encrypted or non-spreadsheet files."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(CFB_MAGIC):
        if _is_encrypted_ooxml(path):
            raise _encrypted(path)
        return "xls"
    if _looks_like_text(head):
        return "csv"
    raise RosterFileError(
        f"文件“{path.name}”不是电子表格（支持 .xlsx、.xls 和 .csv）。"
        "请确认选择的是花名册文件，而不是图片、PDF 或压缩包。",
        code="not_a_spreadsheet",
    )


def _encrypted(path: Path) -> RosterFileError:
    return RosterFileError(
        f"文件“{path.name}”设置了打开密码（已加密），无法读取。"
        "请在 Excel 中打开它，在“文件—信息—保护工作簿—用密码进行加密”中清除密码后另存，再导入。",
        code="encrypted",
    )


def _is_encrypted_ooxml(path: Path) -> bool:
    data = path.read_bytes()
    return ENCRYPTION_INFO_UTF16 in data or ENCRYPTED_PACKAGE_UTF16 in data


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


# --- .xlsx ------------------------------------------------------------------------------


def _read_xlsx(path: Path, job: Job) -> RawWorkbook:
    warnings: list[dict] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _corrupt(path) from exc
    with archive:
        _check_zip_bomb(path, archive)
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise RosterFileError(
                f"文件“{path.name}”是压缩包，但不是 Excel 工作簿（缺少 xl/workbook.xml）。"
                "请确认选择的是 .xlsx 花名册。",
                code="not_a_spreadsheet",
            )
        if "xl/vbaProject.bin" in names or path.suffix.lower() == ".xlsm":
            warnings.append(
                {
                    "row": None,
                    "column": None,
                    "code": "macros_ignored",
                    "message": "该工作簿含有宏（VBA）。本系统只读取单元格中保存的数值，不会运行任何宏；"
                    "如果表中数据依赖宏计算，请先在 Excel 中确认数值正确。",
                }
            )
        sheet_parts = _xlsx_sheet_parts(archive)
        facts = {}
        for name, part in sheet_parts.items():
            job.check()
            if part in names:
                facts[name] = _scan_sheet_xml(path, archive, part, name)
    sheets = _read_with_calamine(path, job, facts)
    return RawWorkbook(path=path, format="xlsx", sheets=sheets, warnings=warnings)


def _corrupt(path: Path) -> RosterFileError:
    return RosterFileError(
        f"文件“{path.name}”已损坏或不是完整的 Excel 文件，无法读取。"
        "请用 Excel/WPS 打开确认，必要时重新从业务系统导出。",
        code="corrupt",
    )


def _check_zip_bomb(path: Path, archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        too_big = info.file_size > MAX_MEMBER_BYTES
        too_packed = (
            info.file_size > RATIO_CHECK_MIN_BYTES
            and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        )
        if too_big or too_packed or total > MAX_TOTAL_UNCOMPRESSED_BYTES:
            raise RosterFileError(
                f"文件“{path.name}”解压后体积异常（{info.filename} 声明 {info.file_size // (1024 * 1024)} MB，"
                f"压缩后仅 {max(info.compress_size, 1) // 1024} KB），疑似“压缩炸弹”，已拒绝读取。"
                "请确认文件来源；正常花名册不会这样。",
                code="zip_bomb",
            )


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1] if k != b"r:id" else "r:id": _xml_unescape(v.decode("utf-8")) for k, v in _ATTR.findall(raw)}


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member path of its worksheet XML."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for raw in _REL_TAG.findall(rels):
        attrs = _attrs(raw)
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[attrs["Id"]] = target
    parts = {}
    for raw in _SHEET_TAG.findall(workbook):
        attrs = _attrs(raw)
        rid = attrs.get("r:id") or attrs.get("id")
        if "name" in attrs and rid in targets:
            parts[attrs["name"]] = targets[rid]
    return parts


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b[^>]*>")
_HIDDEN = re.compile(rb'\bhidden\s*=\s*"(?:1|true)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref\s*=\s*"([A-Z]*)(\d*):?([A-Z]*)(\d*)"')
_EMPTY_FORMULA_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_CELL_REF = re.compile(rb'\br\s*=\s*"([A-Z]+)(\d+)"')
_INT_ATTR = {name: re.compile(rb"\b" + name + rb'\s*=\s*"(\d+)"') for name in (b"r", b"min", b"max")}
CHUNK = 1 << 20


@dataclass
class _SheetFacts:
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    formula_refs: list[str] = field(default_factory=list)
    formula_count: int = 0
    declared_rows: int = 0
    max_row: int = 0  # 1-based last row holding a cell
    max_col: int = 0  # 1-based last column holding a cell
    cells: int = 0


_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_WIDE_REF = re.compile(rb' r="([A-Z]{2,})\d')
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)>")
_R_ATTR = re.compile(rb'\br\s*=\s*"([A-Z]*)(\d+)"')


def _scan_sheet_xml(path: Path, archive: zipfile.ZipFile, part: str, sheet: str = "") -> _SheetFacts:
    """One streaming pass over a worksheet's XML: hidden rows/cols, empty formulas, the used range.

    The XML is cut after the last complete `</row>` of each chunk, so no tag is seen twice or split.
    """
    facts = _SheetFacts()
    seen_formulas: set[str] = set()
    read_total = 0
    carry = b""
    first = True
    with archive.open(part) as stream:
        while True:
            try:
                chunk = stream.read(CHUNK)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise _corrupt(path) from exc
            read_total += len(chunk)
            if read_total > MAX_MEMBER_BYTES:
                raise RosterFileError(
                    f"文件“{path.name}”的工作表解压后超过 {MAX_MEMBER_BYTES // (1024 * 1024)} MB，疑似“压缩炸弹”，已拒绝读取。",
                    code="zip_bomb",
                )
            data = carry + chunk
            if chunk:
                cut = data.rfind(b"</row>")
                cut = cut + 6 if cut >= 0 else data.rfind(b">") + 1
                if cut <= 0 and len(data) < 64 * CHUNK:
                    carry = data
                    continue
                segment, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            else:
                segment, carry = data, b""
            if first:
                _check_declared_rows(path, segment, facts)
                first = False
            _collect_hidden(segment, facts)
            _collect_empty_formulas(segment, facts, seen_formulas)
            _collect_extent(segment, facts)
            check_used_range(path, facts.max_row, facts.max_col, sheet)
            if not chunk:
                break
    if facts.cells > MAX_CELLS:
        raise too_many_cells(path, facts.max_row, facts.max_col, sheet)
    return facts


def _collect_extent(segment: bytes, facts: _SheetFacts) -> None:
    """The last row and column holding a cell, as python-calamine will size the sheet.

    The usual writers (Excel, WPS, openpyxl) put `r` first on every row and cell: then literal
    byte searches answer. Anything else (references left out, prefixed tags) walks the tags."""
    cells = segment.count(b'<c r="')
    rows = _ROW_NUMBER.findall(segment)
    # Every <c…> tag has r first (<col>/<cols> start with "<co"), every <row…> too: the usual case.
    usual = (segment.count(b"<c") == cells + segment.count(b"<co")
             and segment.count(b"<row") == len(rows) and (rows or b":row" not in segment))
    if not usual:
        _positional_extent(segment, facts)
        return
    facts.cells += cells
    if rows:
        facts.max_row = max(facts.max_row, max(map(int, rows)))
    if not cells:
        return
    wide = _WIDE_REF.findall(segment)
    if wide:
        facts.max_col = max(facts.max_col, max(_letters_index(w) + 1 for w in wide))
        return
    if facts.max_col >= 26:
        return
    beyond = _beyond_column(facts.max_col)  # one fast scan for a cell right of those seen so far
    if beyond.search(segment):
        facts.max_col = max(_letters_index(letter) + 1 for letter in set(beyond.findall(segment)))


_BEYOND: dict[int, re.Pattern] = {}


def _beyond_column(columns: int) -> re.Pattern:
    """A pattern for single-letter cell references right of the first `columns` columns."""
    if columns not in _BEYOND:
        letters = bytes(range(ord("A") + columns, ord("Z") + 1))
        _BEYOND[columns] = re.compile(rb'<c r="([' + letters + rb'])')
    return _BEYOND[columns]


def _positional_extent(segment: bytes, facts: _SheetFacts) -> None:
    """Rows and cells without an `r` attribute follow the previous one (as calamine places them)."""
    row = facts.max_row - 1
    col = -1
    for match in _ROW_OR_CELL.finditer(segment):
        ref = _R_ATTR.search(match.group(2))
        if match.group(1) == b"row":
            row = int(ref.group(2)) - 1 if ref else row + 1
            col = -1
            continue
        if ref and ref.group(1):
            row, col = int(ref.group(2)) - 1, _letters_index(ref.group(1))
        else:
            col += 1
        facts.cells += 1
        facts.max_row = max(facts.max_row, row + 1)
        facts.max_col = max(facts.max_col, col + 1)


def _letters_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index - 1


def _check_declared_rows(path: Path, window: bytes, facts: _SheetFacts) -> None:
    match = _DIMENSION.search(window)
    if not match:
        return
    last_row = match.group(4) or match.group(2)
    facts.declared_rows = int(last_row) if last_row else 0
    if facts.declared_rows > MAX_DATA_ROWS + ROW_LIMIT_SLACK:
        raise too_many_rows(path, facts.declared_rows)
    last_col = match.group(3) or match.group(1)
    if last_col and len(last_col) <= 3:
        columns = _letters_index(last_col) + 1
        if columns > MAX_COLUMNS:
            raise too_wide(path, columns)


def too_wide(path: Path, columns: int, sheet: str = "") -> RosterFileError:
    where = f"工作表“{sheet}”" if sheet else "表格"
    return RosterFileError(
        f"文件“{path.name}”的{where}用到了第 {columns:,} 列，超过上限 {MAX_COLUMNS} 列，不像花名册，已拒绝读取"
        "（可能是远处有误填的单元格）。请在 Excel 中删除多余的列，或把花名册复制到新工作簿后再导入。",
        code="too_wide", detail={"columns": columns, "limit": MAX_COLUMNS},
    )


def too_many_cells(path: Path, rows: int, columns: int, sheet: str = "") -> RosterFileError:
    where = f"工作表“{sheet}”" if sheet else "表格"
    return RosterFileError(
        f"文件“{path.name}”的{where}范围为 {rows:,} 行 × {columns:,} 列，共 {rows * columns:,} 个单元格，"
        f"超过一次读取的上限 {MAX_CELLS:,} 个，已拒绝读取。请删除多余的行列，或按村拆分成几个文件后分别导入。",
        code="too_many_cells", detail={"rows": rows, "columns": columns, "limit": MAX_CELLS},
    )


def check_used_range(path: Path, rows: int, columns: int, sheet: str = "") -> None:
    """Refuse a sheet whose used range (from A1) is too wide, too long or too big to materialise."""
    if columns > MAX_COLUMNS:
        raise too_wide(path, columns, sheet)
    if rows > MAX_DATA_ROWS + ROW_LIMIT_SLACK:
        raise too_many_rows(path, rows)
    if rows * columns > MAX_CELLS:
        raise too_many_cells(path, rows, columns, sheet)


def too_many_rows(path: Path, rows: int) -> RosterFileError:
    return RosterFileError(
        f"文件“{path.name}”有约 {rows:,} 行，超过一次导入的上限 {MAX_DATA_ROWS:,} 行。"
        "请按村或按月拆分成几个文件后分别导入。",
        code="too_many_rows",
    )


def _collect_hidden(window: bytes, facts: _SheetFacts) -> None:
    if b"hidden" not in window:
        return
    for match in _ROW_TAG.finditer(window):
        tag = match.group(0)
        if _HIDDEN.search(tag):
            number = _INT_ATTR[b"r"].search(tag)
            if number:
                facts.hidden_rows.add(int(number.group(1)) - 1)
    for match in _COL_TAG.finditer(window):
        tag = match.group(0)
        if _HIDDEN.search(tag):
            low, high = _INT_ATTR[b"min"].search(tag), _INT_ATTR[b"max"].search(tag)
            if low and high:
                # A "hide everything to the right" col element can span to 16384; cap it.
                for col in range(int(low.group(1)) - 1, min(int(high.group(1)), 1024)):
                    facts.hidden_cols.add(col)


def _collect_empty_formulas(window: bytes, facts: _SheetFacts, seen: set[str]) -> None:
    if b"<f" not in window and b":f" not in window:
        return
    for match in _EMPTY_FORMULA_CELL.finditer(window):
        ref = _CELL_REF.search(match.group(1))
        if not ref:
            continue
        a1 = (ref.group(1) + ref.group(2)).decode()
        if a1 in seen:
            continue
        seen.add(a1)
        facts.formula_count += 1
        if len(facts.formula_refs) < MAX_FORMULA_REFS_KEPT:
            facts.formula_refs.append(a1)


def _read_with_calamine(path: Path, job: Job, facts: dict[str, _SheetFacts]) -> list[RawSheet]:
    import python_calamine as calamine

    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError as exc:
        raise _encrypted(path) from exc
    except (calamine.CalamineError, ValueError, OSError) as exc:
        if path.suffix.lower() in (".xlsx", ".xlsm") and not zipfile.is_zipfile(path):
            raise _encrypted(path) from exc  # an OLE2 container named .xlsx is how Excel stores encrypted books
        raise _corrupt(path) from exc
    sheets = []
    with workbook:
        for meta in workbook.sheets_metadata:
            job.check()
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                if sheet.height > MAX_DATA_ROWS + ROW_LIMIT_SLACK:
                    raise too_many_rows(path, sheet.height)
                rows = sheet.to_python(skip_empty_area=False)
                merges = sheet.merged_cell_ranges or []
            except calamine.PasswordError as exc:
                raise _encrypted(path) from exc
            except (calamine.CalamineError, ValueError) as exc:
                raise _corrupt(path) from exc
            fact = facts.get(meta.name, _SheetFacts())
            sheets.append(
                RawSheet(
                    name=meta.name,
                    rows=rows,
                    visible=meta.visible == calamine.SheetVisibleEnum.Visible,
                    merges=[tuple(map(tuple, m)) for m in merges],
                    hidden_rows=fact.hidden_rows,
                    hidden_cols=fact.hidden_cols,
                    formulas_without_value=fact.formula_refs,
                    formulas_without_value_count=fact.formula_count,
                )
            )
    return sheets


# --- .xls -------------------------------------------------------------------------------


def _read_xls(path: Path, job: Job) -> RawWorkbook:
    # The used range of every sheet first (calamine would allocate the whole grid), then calamine
    # reads BIFF8 cells and merges; hidden rows/cols are not exposed for .xls.
    from zwgk_desktop.services.rosters.biff import BiffError, used_ranges

    try:
        ranges = used_ranges(path.read_bytes())
    except (BiffError, struct.error, IndexError) as exc:
        raise RosterFileError(
            f"文件“{path.name}”是旧版 .xls，但内部结构已损坏或无法识别，无法读取。"
            "请用 Excel/WPS 打开后另存为 .xlsx 再导入。",
            code="corrupt",
        ) from exc
    for number, extent in enumerate(ranges, start=1):
        check_used_range(path, extent.rows, extent.columns, f"第{number}个工作表")
    sheets = _read_with_calamine(path, job, {})
    return RawWorkbook(path=path, format="xls", sheets=sheets)


# --- .csv -------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: BOMs first, then strict UTF-8, then GB18030 (a superset of GBK/GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            "无法识别 CSV 文件的文字编码（既不是 UTF-8 也不是 GBK/GB18030）。请在 Excel 中另存为 .xlsx 后再导入。",
            code="encoding",
        ) from exc


def _sniff_delimiter(text: str) -> str:
    sample_lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    best, best_score = ",", -1
    for delimiter in (",", "\t", ";", "|"):
        counts = [line.count(delimiter) for line in sample_lines]
        score = sum(1 for c in counts if c > 0) * 1000 + sum(counts)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path, job: Job) -> RawWorkbook:
    data = path.read_bytes()
    line_count = data.count(b"\n")
    if line_count > MAX_DATA_ROWS + ROW_LIMIT_SLACK:
        raise too_many_rows(path, line_count)
    job.check()
    text, encoding = decode_text(data)
    del data
    delimiter = _sniff_delimiter(text)
    rows: list[list[str]] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells += len(row)
            if len(row) > MAX_COLUMNS:
                raise too_wide(path, len(row))
            if cells > MAX_CELLS:
                raise too_many_cells(path, len(rows) + 1, max(len(r) for r in rows[-1000:] or [row]))
            rows.append(row)
    except csv.Error as exc:
        raise RosterFileError(f"CSV 文件“{path.name}”格式有误（{exc}），无法读取。", code="corrupt") from exc
    sheet = RawSheet(name=path.stem, rows=rows, typed_cells=False)
    return RawWorkbook(path=path, format="csv", sheets=[sheet], encoding=encoding)
