"""The database file itself as use cases: open it for the desktop, check it (read-only), migrate it (with a backup first).

`open_app_database(config)` is `core.schema.open_database` behind the ops
layer, so the UI never imports the schema module. `check` and `upgrade`
take the data dir's `Config` rather than an open `Database`: `check` must
not change anything (not even create a database), and `upgrade` is what
opening does. Refusals (`database_too_new`, `database_unknown_state`,
`database_corrupt`, write failures) are `ZwgkError`s in Chinese, which the
start-up dialog and the CLI show. `check_pages` is the full page check the
desktop runs in the background once the first screen is up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from zwgk_desktop.config import Config
from zwgk_desktop.core.db import Database
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import reads, writes

if TYPE_CHECKING:
    from zwgk_desktop.core.integrity import IntegrityReport


def open_app_database(config, *, quick_check: bool = True) -> Database:
    """The data dir's database, migrated; `quick_check=False` (the desktop's start-up) checks the header
    and schema only and leaves the full page check to `check_pages`, run after the first screen."""
    from zwgk_desktop.core.schema import open_database

    return open_database(config, quick_check=quick_check)


@dataclass(frozen=True)
class DatabaseCheck:
    revision: str | None
    head: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    code: str | None = None
    backup: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DatabaseUpgrade:
    revision: str | None
    ok: bool
    backup: str | None

    def as_json(self) -> dict:
        return asdict(self)


@reads
def check_database(config: Config, actor: Actor, *, job=None) -> DatabaseCheck:
    """Schema revision and integrity, without changing anything (`zwgk db check`)."""
    from zwgk_desktop.core.schema import check_database as check

    report = check(config)
    return DatabaseCheck(report["revision"], report["head"], report["ok"], list(report["problems"]), report.get("code"))


@writes("settings")
def upgrade_database(config: Config, actor: Actor, *, job=None) -> DatabaseUpgrade:
    """Migrate to the newest schema (the file is copied to db-backups first when it holds data)."""
    from zwgk_desktop.core.schema import open_database_with_state

    database, state = open_database_with_state(config, upgrade=True)
    database.dispose()
    return DatabaseUpgrade(state.revision, True, state.backup)


@reads
def check_pages(db: Database, actor, *, force: bool = False) -> "IntegrityReport":
    """The full page check of the open database (`core.integrity`), at most once a day unless `force`;
    the desktop runs it in the background after start-up, since it reads the whole file."""
    from pathlib import Path

    from zwgk_desktop.core.integrity import IntegrityReport, check_database_pages

    if db.path is None:  # not a file (an in-memory database in a test): nothing to read
        return IntegrityReport(ok=True, skipped=True)
    path = Path(db.path)
    return check_database_pages(path, Config(data_dir=path.parent).cache_dir, force=force)
