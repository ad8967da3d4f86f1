"""The database file itself as use cases: open it for the desktop, check it (read-only), migrate it (with a backup first).

`open_app_database(config)` is `core.schema.open_database` behind the ops
layer, so the UI never imports the schema module. `check` and `upgrade`
take the data dir's `Config` rather than an open `Database`: `check` must
not change anything (not even create a database), and `upgrade` is what
opening does. Refusals (`database_too_new`, `database_unknown_state`,
`database_corrupt`, write failures) are `ZwgkError`s in Chinese, which the
start-up dialog and the CLI show.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from zwgk_desktop.config import Config
from zwgk_desktop.core.db import Database
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import reads, writes


def open_app_database(config) -> Database:
    from zwgk_desktop.core.schema import open_database

    return open_database(config)


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
