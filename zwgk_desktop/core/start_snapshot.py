"""今日待办 as it stood when the app last closed, shown at the next start while the database is still opening.

Opening the database means importing SQLAlchemy and the models first: most of
a second on an old township PC, with the window up but empty. When the app
closes, it computes the closing user's to-do list once more and writes it here
(`<data dir>/cache/today.json`), for today and the next few days (closed on
a Friday evening, opened on Monday), together with a fingerprint of the database
file, its WAL and the county catalogue (size, mtime, inode and the SQLite
header bytes that change with every commit or checkpoint). The next start
reads it with the standard library alone and shows it at once if, and only
if, nothing can have changed the list since:
- a list made for this day (the list is a function of the date);
- the database and the catalogue exactly as they were left (another program,
  a sync or a restore in between changes the fingerprint);
- the same program version (and the same to-do rules, `core/dashboard.py`).
The live list replaces it as soon as the database is open, and the rows
cannot be acted on until then.

Only a township in single-user mode gets a snapshot: with log-in required the
list waits for the user (`forget` removes any old one). No Qt, no SQLAlchemy
here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from zwgk_desktop import __version__
from zwgk_desktop.core.todo_item import TodoItem

log = logging.getLogger(__name__)

SNAPSHOT_FILE = "today.json"
FORMAT = 2
DAYS_AHEAD = 3  # besides today, the lists remembered for the next days
MAX_BYTES = 4 * 1024 * 1024  # a bigger file is not one of ours: ignored rather than read at start-up
SQLITE_HEADER = slice(24, 100)  # file change counter … version-valid-for: moves with commits and checkpoints
WAL_HEADER = slice(0, 32)  # checkpoint sequence and salts: new ones whenever the WAL restarts
RULES_SOURCE = Path(__file__).with_name("dashboard.py")


@dataclass
class TodaySnapshot:
    """The remembered list: its rows and how many notices the township has (0: the 'where to start' panel)."""

    items: list[TodoItem] = field(default_factory=list)
    notices: int = 0


def _file_stamp(path: Path, header: slice | None = None) -> list | None:
    """[size, mtime_ns, inode] of a file (+ the `header` bytes as hex), or None when it does not exist."""
    try:
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        if header is not None:
            with open(path, "rb") as fh:
                stamp.append(fh.read(header.stop)[header].hex())
    except FileNotFoundError:
        return None
    return stamp


@dataclass(frozen=True)
class SnapshotStore:
    """Where a township's remembered list lives and which files it depends on."""

    cache_dir: Path
    db_path: Path
    catalogue_path: Path | None = None  # the county's catalogue in the data dir (pulled by sync), if any

    @property
    def path(self) -> Path:
        return Path(self.cache_dir) / SNAPSHOT_FILE

    def fingerprint(self) -> dict:
        """What must be unchanged for a remembered list to still be right (see the module doc)."""
        db_path = Path(self.db_path)
        return {
            "version": __version__,
            "rules": _file_stamp(RULES_SOURCE),
            "database": _file_stamp(db_path, SQLITE_HEADER),
            "wal": _file_stamp(db_path.with_name(db_path.name + "-wal"), WAL_HEADER),
            "catalogue": _file_stamp(Path(self.catalogue_path)) if self.catalogue_path else None,
        }

    def remember(self, lists: dict[date, dict]) -> None:
        """Write the lists (`ops.todo.TodoList.as_json()` by day), fingerprinting the files as they are now: call
        it once the database is closed, so that this is the file the next start will open."""
        from zwgk_desktop.fileio import write_text_atomically  # (closing only: not on start-up's path)

        record = {"format": FORMAT, "fingerprint": self.fingerprint(),
                  "lists": {day.isoformat(): todo for day, todo in lists.items()}}
        try:
            write_text_atomically(self.path, json.dumps(record, ensure_ascii=False), durable=False)
        except OSError as exc:  # a lost snapshot only means a slower next start
            log.warning("could not remember today's list: %s", exc)

    def forget(self) -> None:
        """Remove the remembered list (log-in required, or the list could not be read)."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove the remembered list: %s", exc)

    def recall(self, today: date) -> TodaySnapshot | None:
        """The list remembered at the last close if it still holds today, else None (never an error)."""
        try:
            if self.path.stat().st_size > MAX_BYTES:
                return None
            record = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(record, dict) or record.get("format") != FORMAT:
                return None
            todo = record["lists"].get(today.isoformat())
            if todo is None or record.get("fingerprint") != self.fingerprint():
                return None
            return TodaySnapshot([TodoItem.from_json(row) for row in todo["items"]], int(todo["notices"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.info("ignoring the remembered list: %s", exc)
            return None
