"""Opening the data directory's database for the desktop: back up, upgrade, refuse a newer or damaged file.

`open_app_database(config)` is `core.schema.open_database` behind the ops
layer, so the UI never imports the schema module; a `ZwgkError`
(DatabaseTooNew, DatabaseCorrupt, DataDirError…) carries the Chinese
message the start-up dialog shows. `check_pages` is the full page check the
desktop runs in the background once the first screen is up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwgk_desktop.core.db import Database
from zwgk_desktop.ops.base import reads

if TYPE_CHECKING:
    from zwgk_desktop.core.integrity import IntegrityReport


def open_app_database(config, *, quick_check: bool = True) -> Database:
    """The data dir's database, migrated; `quick_check=False` (the desktop's start-up) checks the header
    and schema only and leaves the full page check to `check_pages`, run after the first screen."""
    from zwgk_desktop.core.schema import open_database

    return open_database(config, quick_check=quick_check)


@reads
def check_pages(db: Database, actor, *, force: bool = False) -> "IntegrityReport":
    """The full page check of the open database (`core.integrity`), at most once a day unless `force`;
    the desktop runs it in the background after start-up, since it reads the whole file."""
    from pathlib import Path

    from zwgk_desktop.config import Config
    from zwgk_desktop.core.integrity import IntegrityReport, check_database_pages

    if db.path is None:  # not a file (an in-memory database in a test): nothing to read
        return IntegrityReport(ok=True, skipped=True)
    path = Path(db.path)
    return check_database_pages(path, Config(data_dir=path.parent).cache_dir, force=force)
