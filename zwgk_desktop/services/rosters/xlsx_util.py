"""Small openpyxl helpers shared by the report, ledger and template writers (save atomically, header style)."""

from __future__ import annotations

from pathlib import Path

from zwgk_desktop.errors import InvalidInput
from zwgk_desktop.fileio import atomic_output

TEXT_FORMAT = "@"


def atomic_save(workbook, path: Path) -> Path:
    """Save to a temp file beside `path`, then `os.replace` it into place."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise InvalidInput(f"输出目录“{path.parent}”不存在。请先创建该目录或换一个位置。")
    try:
        with atomic_output(path) as temp:
            workbook.save(temp)
    except PermissionError as exc:
        raise InvalidInput(f"无法写入“{path}”：文件可能正在 Excel 中打开，请关闭后重试。") from exc
    return path


def style_header(sheet, row: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[row]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def display_width(text: str) -> int:
    """Approximate Excel column width: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))
