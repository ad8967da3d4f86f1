"""The full page check of the township database, run in the background rather than at every start.

`PRAGMA quick_check` reads every page of the file: a tenth of a second on
the demo township, seconds on ten years of a large township on a hard disk.
Opening the database for the desktop checks the header and the schema only
(`core.schema.check_sqlite_file(quick_check=False)`); this module does the
rest once the first screen is up, at most once a day (a stamp in the data
dir's cache folder), and says in Chinese what to do when it fails. The CLI
keeps the full check when it opens the database. No Qt here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

STAMP_FILE = "integrity-checked"


@dataclass(frozen=True)
class IntegrityReport:
    """The outcome of one page check: `ok`, the first problem SQLite names, what to do; `skipped` when it
    already ran today."""

    ok: bool
    problem: str = ""
    message: str = ""
    skipped: bool = False

    def as_json(self) -> dict:
        return asdict(self)


def quick_check(path: Path) -> str:
    """SQLite's `quick_check` of the file (read-only): "ok" or the first problem found."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc) or type(exc).__name__
    return row[0] if row else "ok"


def check_due(cache_dir: Path, today: date) -> bool:
    """Whether the page check has not yet passed today (the stamp holds the last good day)."""
    try:
        return (Path(cache_dir) / STAMP_FILE).read_text(encoding="utf-8").strip() != today.isoformat()
    except OSError:
        return True


def mark_checked(cache_dir: Path, today: date) -> None:
    """Remember that the check passed today (a lost stamp only means one more check)."""
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        (Path(cache_dir) / STAMP_FILE).write_text(today.isoformat(), encoding="utf-8")
    except OSError:
        pass


def check_database_pages(path: Path, cache_dir: Path, *, today: date | None = None, force: bool = False) -> IntegrityReport:
    """Run the page check if it is due (or `force`), remembering a pass for today."""
    today = today or date.today()
    if not force and not check_due(cache_dir, today):
        return IntegrityReport(ok=True, skipped=True)
    result = quick_check(path)
    if result == "ok":
        mark_checked(cache_dir, today)
        return IntegrityReport(ok=True)
    return IntegrityReport(
        ok=False, problem=result,
        message=(f"数据库完整性检查未通过（{result}）。请不要继续录入，先用“设置 → 备份”或 zwgk backup restore "
                 "从最近一份完好的备份恢复，或联系技术支持。"),
    )
