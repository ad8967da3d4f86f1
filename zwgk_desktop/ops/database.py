"""Opening the data directory's database for the desktop: back up, upgrade, refuse a newer or damaged file.

`open_app_database(config)` is `core.schema.open_database` behind the ops
layer, so the UI never imports the schema module; a `ZwgkError`
(DatabaseTooNew, DatabaseCorrupt, DataDirError…) carries the Chinese
message the start-up dialog shows.
"""

from __future__ import annotations

from zwgk_desktop.core.db import Database


def open_app_database(config) -> Database:
    from zwgk_desktop.core.schema import open_database

    return open_database(config)
