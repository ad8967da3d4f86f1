"""Which files the county already holds: receipts kept here, so a sync asks it only about new files.

As Anki's media sync keeps a log of what the server has, `synced_blob` holds
the SHA-256 of every photo or printed PDF the county has confirmed complete:
its missing-files answer did not list it, or our upload of it finished.
`upload_missing` then asks the county about the other files only: with
50,000 photos a sync that has nothing new asks nothing, instead of fifty
rounds of a thousand hashes. Once a week (`FULL_CHECK_DAYS`) the receipts are
not trusted and every file is asked about again, so a county restored from an
older backup gets back what it lost. Photos and printed PDFs are only ever
added, so each table also keeps the rowid up to which every file is confirmed
(`confirmed_upto`): a sync reads only the rows after it. No Qt here.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

from sqlalchemy import func, insert, literal_column, select, text
from sqlalchemy.orm import Session

from zwgk_desktop.core.models import SyncedBlob
from zwgk_desktop.services.sync.state import get_setting, set_setting

FULL_CHECK_DAYS = 7
FULL_CHECK_KEY = "sync_blobs_full_check_at"
CONFIRMED_UPTO_KEY = "sync_blobs_confirmed_upto"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def unconfirmed(column) -> object:
    """A condition on a table's SHA-256 column: the county has not confirmed that file yet (one lookup in
    the receipts' primary key per row read)."""
    return ~select(SyncedBlob.sha256).where(SyncedBlob.sha256 == column).exists()


def rowid(model) -> object:
    """A file table's SQLite rowid: rows of photos and printed PDFs are only ever added, so it grows."""
    return literal_column(f"{model.__tablename__}.rowid")


def _schema_revision(session: Session) -> str:
    return str(session.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")


def confirmed_upto(session: Session) -> dict[str, int]:
    """Per file table, the rowid up to which every file is confirmed: only rows after it are read (with
    50,000 photos a sync with nothing new then reads none, instead of checking every hash). A mark from
    another schema revision is not used: a migration that rebuilt a table may have renumbered its rows."""
    value = get_setting(session, CONFIRMED_UPTO_KEY, None)
    if not isinstance(value, dict) or value.get("revision") != _schema_revision(session):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, int)}


def advance_confirmed_upto(database, tables: Iterable[tuple[object, tuple]]) -> None:
    """After a sync's uploads: move each table's mark up to just before its first row still unconfirmed
    (`tables`: (model, extra conditions a row needs to have a file at all))."""

    def store(session: Session) -> None:
        upto = confirmed_upto(session)
        for model, conditions in tables:
            name, after = model.__tablename__, upto.get(model.__tablename__, 0)
            first_open = session.execute(select(func.min(rowid(model))).select_from(model).where(
                rowid(model) > after, *conditions, unconfirmed(model.sha256))).scalar()
            if first_open is None:
                first_open = (session.execute(select(func.max(rowid(model))).select_from(model)).scalar() or 0) + 1
            upto[name] = max(after, first_open - 1)
        set_setting(session, CONFIRMED_UPTO_KEY, {**upto, "revision": _schema_revision(session)})

    _write(database, store)


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
