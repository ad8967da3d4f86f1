"""Which files the county already holds: receipts kept here, so a sync asks it only about new files.

As Anki's media sync keeps a log of what the server has, `synced_blob` holds
the SHA-256 of every photo or printed PDF the county has confirmed complete:
its missing-files answer did not list it, or our upload of it finished.
`upload_missing` then asks the county about the other files only: with
50,000 photos a sync that has nothing new asks nothing, instead of fifty
rounds of a thousand hashes. Once a week (`FULL_CHECK_DAYS`) the receipts are
not trusted and every file is asked about again, so a county restored from an
older backup gets back what it lost. No Qt here.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.models import SyncedBlob
from zwgk_desktop.services.sync.state import get_setting, set_setting

FULL_CHECK_DAYS = 7
FULL_CHECK_KEY = "sync_blobs_full_check_at"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def unconfirmed(column) -> object:
    """A condition on a table's SHA-256 column: the county has not confirmed that file yet. Written as
    `IN (hashes EXCEPT receipts)` so SQLite compares the two indexes (50,000 photos: a few tens of
    milliseconds) and reads only the unconfirmed rows."""
    return column.in_(select(column).except_(select(SyncedBlob.sha256)))


def full_check_due(session: Session, now: datetime | None = None) -> bool:
    """Whether this sync should ask about every file (no full check in the last `FULL_CHECK_DAYS` days)."""
    last = get_setting(session, FULL_CHECK_KEY, None)
    if not last:
        return True
    try:
        when = datetime.fromisoformat(str(last))
    except ValueError:
        return True
    return (now or utcnow()) - when >= timedelta(days=FULL_CHECK_DAYS)


def _write(database, fn: Callable[[Session], None]) -> None:
    """One short write: through the database's writer when it has one (the desktop's database thread),
    else in a session of its own."""
    write = getattr(database, "write", None)
    if callable(write):
        write(fn, user="sync")
        return
    with database.session(user="sync") as session:
        fn(session)


def confirm(database, hashes: Iterable[str]) -> None:
    """Remember that the county holds these files (already known ones are left as they are)."""
    fresh = sorted(set(hashes))
    if not fresh:
        return

    def store(session: Session) -> None:
        now = utcnow()
        known = set()
        for start in range(0, len(fresh), 500):
            part = fresh[start:start + 500]
            known |= set(session.execute(select(SyncedBlob.sha256).where(SyncedBlob.sha256.in_(part))).scalars())
        rows = [{"sha256": sha, "confirmed_at": now} for sha in fresh if sha not in known]
        if rows:
            session.execute(insert(SyncedBlob), rows)

    _write(database, store)


def record_full_check(database, when: datetime | None = None) -> None:
    """A full check has just asked the county about every file."""
    stamp = (when or utcnow()).isoformat()
    _write(database, lambda session: set_setting(session, FULL_CHECK_KEY, stamp))
