"""The roster import use case: a checked roster becomes a draft notice, in one transaction.

Owns: gathering the database facts `read_roster` needs (villages, ID numbers
already in active notices of the category, remembered mappings), writing the
accepted rows as `DisclosureItem`s of a new draft `Disclosure`,
creating/updating `Household`s (matched by ID number, else by village + head
name), remembering the column mapping for the layout (`RosterMapping`), and
one audit event summarising the import.

Speed: line items, households and the households' outbox entries go in as
multi-row INSERTs (`insert_rows`) on the session's own connection (same
transaction), from a second thread while the next chunk is prepared as
tuples: UUIDs, JSON text and timestamps in the exact form SQLAlchemy would
store them (`json.dumps`, 'YYYY-MM-DD HH:MM:SS.ffffff'), column defaults
taken from the table metadata. A file is checked under the write lock it
is written with; a preview checked earlier has its ID numbers checked again. Existing
households are looked up in a few IN queries and insert-vs-update is decided
in Python. Sync is queued with one outbox entry per notice
(`queue_items_changed`) and one per created/changed household. The cyclic
garbage collector is paused while the roster's objects are built and written
(they hold no cycles; collecting would rescan them over and over).
The caller owns the transaction (`Database.session()`): any exception,
including `Cancelled` from `Job.check()`, rolls everything back. `dry_run`
writes nothing at all.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from zwgk_desktop.core import audit
from zwgk_desktop.core.catalogue import default_title, get_entry
from zwgk_desktop.core.changes import queue_items_changed
from zwgk_desktop.core.db import hold_write_lock
from zwgk_desktop.core.disclosures import create_disclosure
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.line_items import counts_in_totals
from zwgk_desktop.core.models import (
    Disclosure,
    DisclosureItem,
    Household,
    OutboxEntry,
    RosterMapping,
    Village,
    utcnow,
)
from zwgk_desktop.core.status import INACTIVE
from zwgk_desktop.core.townships import require_township
from zwgk_desktop.services.gc_pause import paused_gc
from zwgk_desktop.services.rosters.preview import RosterPreview, preview_context, read_roster
from zwgk_desktop.services.rosters.sandbox import PendingRead, pending_read
from zwgk_desktop.services.rosters.validate import RosterRow, VillageIndex, duplicate_existing

INACTIVE_STATUSES = INACTIVE
# Row values stored in typed columns (everything else of a row goes to `extra`; the change type's
# own wording stays there too, as the roster wrote it).
TYPED_KEYS = ("name", "village", "group", "id_number", "people", "amount_fen", "amount", "family_size",
              "covered_people", "change_type_code", "funding")
CHUNK = 2000
IN_CHUNK = 500
LOOKUP_CHUNK = 5000  # ID numbers per IN (…) lookup (SQLite allows 32,766 parameters)


@dataclass
class ImportResult:
    disclosure_id: str | None
    preview: RosterPreview
    households_created: int = 0
    households_updated: int = 0
    dry_run: bool = False

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return (self.disclosure_id,) if self.disclosure_id else ()

    def as_json(self) -> dict:
        data = {"disclosure_id": self.disclosure_id, "dry_run": self.dry_run}
        data.update(self.preview.as_json())
        data["households_created"] = self.households_created
        data["households_updated"] = self.households_updated
        return data


# --- database facts for read_roster ----------------------------------------------------------


def village_ids(session: Session, township_id: str) -> dict[str, str]:
    """Active villages by name → id (a retired or merged village takes no new lines)."""
    rows = session.execute(
        select(Village.name, Village.id).where(Village.township_id == township_id, Village.active.is_(True))
    )
    return dict(rows.all())


def village_index(session: Session, township_id: str) -> VillageIndex:
    """The township's villages as the row checks match them: active ones, merged ones (→ the village
    they joined, 撤并村) and retired ones (refused, saying so)."""
    rows = session.execute(
        select(Village.id, Village.name, Village.active, Village.merged_into_id).where(Village.township_id == township_id)
    ).all()
    names = {vid: name for vid, name, _active, _into in rows}
    active = {name: vid for vid, name, is_active, _into in rows if is_active}
    merged, retired = {}, []
    for vid, name, is_active, into in rows:
        if is_active or name in active:
            continue
        target = into
        for _ in range(len(rows)):  # follow a chain of mergers to the village that is active now
            if target is None or names.get(target) in active:
                break
            target = next((t for v, _n, _a, t in rows if v == target), None)
        if target is not None and names.get(target) in active:
            merged[name] = names[target]
        else:
            retired.append(name)
    return VillageIndex.build(active, merged=merged, retired=retired)


def active_id_numbers(session: Session, category: str, id_numbers: Iterable[str] | None = None) -> dict[str, str]:
    """ID number → title of an active (not withdrawn/archived) notice of `category` that lists it
    (with `id_numbers`: only those, looked up by index)."""
    statement = (
        select(DisclosureItem.id_number, Disclosure.title)
        .join(Disclosure, DisclosureItem.disclosure_id == Disclosure.id)
        .where(
            Disclosure.category == category,
            Disclosure.status.not_in(INACTIVE_STATUSES),
            DisclosureItem.id_number != "",
        )
    )
    if id_numbers is None:
        return dict(session.execute(statement).all())
    wanted = sorted(set(id_numbers))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start:start + LOOKUP_CHUNK]
        found.update(session.execute(statement.where(DisclosureItem.id_number.in_(chunk))).all())
    return found


def remembered_mappings(session: Session, category: str) -> dict[str, dict]:
    rows = session.execute(select(RosterMapping.signature, RosterMapping.mapping).where(RosterMapping.category == category))
    return dict(rows.all())


@dataclass
class RosterFacts:
    """What the row checks need from the database, read once (plain data: safe to hand to any thread)."""

    villages: VillageIndex
    existing_ids: dict[str, str]
    known_mappings: dict[str, dict]
    township: str = ""


def roster_facts(session: Session, category: str) -> RosterFacts:
    get_entry(category)
    township = require_township(session)
    return RosterFacts(village_index(session, township.id), active_id_numbers(session, category),
                       remembered_mappings(session, category), township.name)


def preview_roster(
    session: Session, path: "str | os.PathLike | PendingRead", category: str, *,
    mapping_override: Mapping[str, Any] | None = None, job: Job | None = None,
) -> RosterPreview:
    """`read_roster` with this township's villages, active ID numbers and remembered mappings.

    `path` may be a `PendingRead` already started in a child process (the CLI starts reading
    before it opens the database)."""
    facts = roster_facts(session, category)
    preview = read_roster(
        path, category,
        villages=facts.villages,
        existing_ids=facts.existing_ids,
        mapping_override=mapping_override,
        job=job,
        known_mappings=facts.known_mappings,
    )
    preview.default_title = notice_title(None, category, facts.township)
    return preview


# --- the import ---------------------------------------------------------------------------------


def import_roster(
    session: Session,
    preview_or_path: "RosterPreview | PendingRead | str | os.PathLike",
    *,
    category: str | None = None,
    title: str | None = None,
    dry_run: bool = False,
    mapping_override: Mapping[str, Any] | None = None,
    author: str = "",
    job: Job | None = None,
) -> ImportResult:
    """Import a roster (or an already checked preview) as a new draft notice; see the module doc."""
    with paused_gc():
        return _import_roster(
            session, preview_or_path, category=category, title=title, dry_run=dry_run,
            mapping_override=mapping_override, author=author, job=job or Job(),
        )


def _import_roster(
    session: Session, preview_or_path: "RosterPreview | PendingRead | str | os.PathLike", *, category: str | None,
    title: str | None, dry_run: bool, mapping_override: Mapping[str, Any] | None, author: str, job: Job,
) -> ImportResult:
    if isinstance(preview_or_path, RosterPreview):
        preview, checked_under_lock = preview_or_path, False
    else:
        if category is None:
            raise ValueError("category is required when importing from a path")
        pending = pending_read(preview_or_path)
        pending.result(job)  # the file first: no lock is held while a (possibly huge) file is read
        if not dry_run:
            # One write transaction from here: the rows are checked against the same state they are written to.
            hold_write_lock(session)
        preview = preview_roster(session, pending, category, mapping_override=mapping_override, job=job)
        checked_under_lock = not dry_run
    if dry_run or preview.accepted == 0:
        return ImportResult(disclosure_id=None, preview=preview, dry_run=dry_run)
    job.check()
    if not checked_under_lock:
        # A preview checked earlier (the desktop shows it first): take the write lock, then look again at
        # the ID numbers another import or a clerk's edit may have taken since (a second process waits
        # here, then finds them taken).
        hold_write_lock(session)
        recheck_existing(session, preview)
        if preview.accepted == 0:
            return ImportResult(disclosure_id=None, preview=preview)
    with bulk_settings(session):
        return _write(session, preview, title, author, job)


@contextmanager
def bulk_settings(session: Session, kib: int = 65536) -> Iterator[None]:
    """While tens of thousands of rows go in: a bigger page cache (no dirty page spills mid-transaction),
    and foreign keys checked at the commit instead of row by row (~15% of the inserts; a violation
    still fails the commit, and SQLite turns the deferral off when the transaction ends)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi = connection.connection.dbapi_connection
    before = dbapi.execute("PRAGMA cache_size").fetchone()[0]
    dbapi.execute(f"PRAGMA cache_size=-{kib}")
    dbapi.execute("PRAGMA defer_foreign_keys=ON")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA cache_size={before}")


def _write(session: Session, preview: RosterPreview, title: str | None, author: str, job: Job) -> ImportResult:
    township = require_township(session)
    villages = village_ids(session, township.id)
    accepted = preview.accepted_rows
    disclosure = create_disclosure(
        session, township.id, preview.category, notice_title(title, preview.category, township.name),
        issuer=township.issuer, supervise_phone=township.supervise_phone, author=author,
    )
    cursor = _dbapi_cursor(session)
    lookups = _household_lookups(cursor, preview, accepted, villages)
    writer = BackgroundWriter(cursor)
    try:
        household_ids, created, updated = _upsert_households(preview, accepted, villages, lookups, writer, job)
        totals = _insert_items(disclosure.id, preview, accepted, villages, household_ids, writer, job)
        writer.finish()
    except BaseException:
        writer.abandon()
        raise
    job.progress(len(accepted), len(accepted), "正在写入公示明细…")
    queue_items_changed(session, disclosure.id)
    disclosure.item_count, disclosure.total_amount_fen, disclosure.total_people = totals
    session.flush()
    _remember_mapping(session, preview)
    audit.record(
        session, "roster_import", "disclosure", disclosure.id,
        {
            "file": Path(preview.path).name, "sheet": preview.sheet, "category": preview.category,
            "accepted": len(accepted), "rejected": len(preview.rows) - len(accepted),
            "households_created": created, "households_updated": updated,
        },
    )
    job.check()
    return ImportResult(
        disclosure_id=disclosure.id, preview=preview, households_created=created, households_updated=updated
    )


def recheck_existing(session: Session, preview: RosterPreview) -> int:
    """Under the write lock: accepted rows whose ID number an active notice took meanwhile become
    `duplicate_existing` (another import or a clerk's edit since the preview). Returns how many."""
    rows = [r for r in preview.accepted_rows if r.values.get("id_number")]
    taken = active_id_numbers(session, preview.category, (r.values["id_number"] for r in rows))
    if not taken:
        return 0
    ctx = preview_context(preview)
    for row in rows:
        title = taken.get(row.values["id_number"])
        if title is not None:
            row.problems.append(duplicate_existing(ctx, row.row, title))
    return sum(1 for r in rows if r.values["id_number"] in taken)


def notice_title(title: str | None, category: str, township_name: str, on: date | None = None) -> str:
    """The clerk's title, else the category's template ("青山镇2026年12月城乡最低生活保障对象审核确认情况公示");
    never the roster's own heading ("…花名册")."""
    if title and title.strip():
        return title.strip()[:300]
    return default_title(get_entry(category), township_name, on or date.today())


def _village_id(row: RosterRow, villages: dict[str, str]) -> str | None:
    return row.village_id or villages.get(row.values.get("village") or "")


def _household_lookups(cursor, preview: RosterPreview, rows: list[RosterRow], villages: dict[str, str]):
    """Existing households of these rows: by ID number, and (rows without one) by a unique village + name."""
    if get_entry(preview.category).column("id_number") is None:
        return None
    wanted_ids = [r.values["id_number"] for r in rows if r.values.get("id_number")]
    by_id = _existing_by_id_number(cursor, wanted_ids)
    by_name = _existing_by_village_and_name(cursor, [r for r in rows if not r.values.get("id_number")], villages)
    return by_id, by_name


OUTBOX_COLUMNS = ("key", "entity", "entity_id", "op", "payload", "created_at", "state", "attempts", "error")


def _upsert_households(
    preview: RosterPreview, rows: list[RosterRow], villages: dict[str, str], lookups, writer: "BackgroundWriter",
    job: Job,
) -> tuple[dict[int, str], int, int]:
    """Household id per roster row (by spreadsheet row number); counts of created/updated ones.

    Inserts go to `writer` a chunk at a time while the next chunk is prepared."""
    if lookups is None:
        return {}, 0, 0
    by_id, by_name = lookups
    now = db_timestamp(utcnow())
    inserts: list[tuple] = []
    updates: list[dict] = []
    result: dict[int, str] = {}
    ids = iter(new_ids(len(rows)))
    fields = HOUSEHOLD_VALUE_FIELDS
    columns = ("id", "created_at", "updated_at", "row_version", *fields)
    household_table = Household.__table__
    queued = 0
    for row in rows:
        village_id = _village_id(row, villages)
        if village_id is None:
            continue
        wanted = household_tuple(row, village_id)
        id_number, head_name = wanted[3], wanted[2]
        existing = by_id.get(id_number) if id_number else by_name.get((village_id, head_name))
        if existing is None:
            household_id = next(ids)
            inserts.append((household_id, now, now, 1, *wanted))
            if not id_number:  # accepted rows never repeat an ID number (duplicate_in_file), names may
                by_name[(village_id, head_name)] = {"id": household_id, "row_version": 1, **dict(zip(fields, wanted))}
            if len(inserts) - queued >= CHUNK:
                job.check()
                writer.submit(insert_rows, household_table, columns, inserts[queued:])
                queued = len(inserts)
        else:
            household_id = existing["id"]
            changes = {k: v for k, v in zip(fields, wanted) if v not in ("", None) and existing.get(k) != v}
            if changes:
                existing.update(changes)
                existing["row_version"] = existing.get("row_version", 1) + 1
                updates.append({"id": household_id, "updated_at": now, "row_version": existing["row_version"], **changes})
        result[row.row] = household_id
    if len(inserts) > queued:
        writer.submit(insert_rows, household_table, columns, inserts[queued:])
    for changed in _group_by_keys(updates):
        writer.submit(_update_rows, household_table, changed)
    touched = dict.fromkeys([h[0] for h in inserts] + [h["id"] for h in updates])
    if touched:
        payload = json.dumps({})
        writer.submit(insert_rows, OutboxEntry.__table__, OUTBOX_COLUMNS,
                      [(key, Household.__tablename__, hid, "upsert", payload, now, "pending", 0, "")
                       for key, hid in zip(new_ids(len(touched)), touched)])
    return result, len(inserts), len({h["id"] for h in updates})


def _group_by_keys(updates: list[dict]) -> list[list[dict]]:
    """executemany needs the same columns in every parameter set: group updates by their keys."""
    groups: dict[tuple, list[dict]] = {}
    for values in updates:
        groups.setdefault(tuple(sorted(values)), []).append(values)
    return list(groups.values())


HOUSEHOLD_VALUE_FIELDS = ("village_id", "group_name", "head_name", "id_number", "member_count", "phone", "bank_account")


def household_tuple(row: RosterRow, village_id: str) -> tuple:
    """The household columns a roster row sets, in `HOUSEHOLD_VALUE_FIELDS` order: where it lives, the
    head, the ID number, 家庭人口 (else the people covered), phone and bank account."""
    get = row.values.get
    return (village_id, get("group") or "", get("name") or "", get("id_number") or "",
            get("family_size") or get("covered_people") or get("people") or 1, get("phone") or "",
            get("bank_account") or "")


def _household_values(row: RosterRow, village_id: str) -> dict:
    """The household columns a roster row sets, by name (the draft editor's path)."""
    return dict(zip(HOUSEHOLD_VALUE_FIELDS, household_tuple(row, village_id)))


HOUSEHOLD_FIELDS = ("id", "row_version", *HOUSEHOLD_VALUE_FIELDS)


def _select_households(cursor, column: str, keys: list[str]) -> Iterator[dict]:
    """Households whose `column` is one of `keys`, as dicts of `HOUSEHOLD_FIELDS`, IN_CHUNK keys per query."""
    fields = ", ".join(_quote(f) for f in HOUSEHOLD_FIELDS)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        sql = f"SELECT {fields} FROM household WHERE {_quote(column)} IN ({', '.join('?' * len(chunk))})"
        for record in cursor.execute(sql, chunk).fetchall():
            yield dict(zip(HOUSEHOLD_FIELDS, record))


def _existing_by_id_number(cursor, id_numbers: list[str]) -> dict[str, dict]:
    return {record["id_number"]: record for record in _select_households(cursor, "id_number", sorted(set(id_numbers)))}


def _existing_by_village_and_name(cursor, rows: list[RosterRow], villages: dict[str, str]) -> dict[tuple, dict]:
    """Households without an ID number in the roster: match a unique (village, head name)."""
    names = sorted({r.values.get("name") for r in rows if r.values.get("name")})
    if not names:
        return {}
    seen: dict[tuple, list[dict]] = {}
    for record in _select_households(cursor, "head_name", names):
        seen.setdefault((record["village_id"], record["head_name"]), []).append(record)
    return {key: matches[0] for key, matches in seen.items() if len(matches) == 1}


def _insert_items(
    disclosure_id: str, preview: RosterPreview, rows: list[RosterRow], villages: dict[str, str],
    household_ids: dict[int, str], writer: "BackgroundWriter", job: Job,
) -> tuple[int, int, int]:
    """The line items, a chunk at a time to `writer`; returns (count, total fen, total people) as the
    notice counts them (`counts_in_totals`: 停保 lines listed, not counted)."""
    now = db_timestamp(utcnow())
    items: list[tuple] = []
    total_fen = total_people = 0
    ids = iter(new_ids(len(rows)))
    extra_keys = [c.key for c in get_entry(preview.category).columns if c.key not in TYPED_KEYS]
    extra_json = _ExtraJson(extra_keys)
    dumps = json.dumps
    table = DisclosureItem.__table__
    for seq, row in enumerate(rows, start=1):
        values = row.values
        get = values.get
        amount_fen = get("amount_fen")
        people = get("people")
        change_type = get("change_type_code")
        funding = get("funding")
        items.append((
            next(ids), now, now, 1, disclosure_id, seq, household_ids.get(row.row),
            get("name") or "", row.village_id or villages.get(get("village") or ""), get("village") or "",
            get("group") or "", get("id_number") or "", people, amount_fen, extra_json(values, row.member_rows),
            get("family_size"), get("covered_people"), change_type, None if funding is None else dumps(funding),
        ))
        if counts_in_totals(change_type):
            total_fen += amount_fen or 0
            total_people += people or 0
        if len(items) == CHUNK:
            job.check()
            job.progress(seq, len(rows), "正在写入公示明细…")
            writer.submit(insert_rows, table, ITEM_COLUMNS, items)
            items = []
    if items:
        writer.submit(insert_rows, table, ITEM_COLUMNS, items)
    return len(rows), total_fen, total_people


class BackgroundWriter:
    """The bulk statements of one import, run in order on a second thread on the session's own connection.

    SQLite releases the GIL while it steps rows into its B-trees, so a chunk goes in while this
    thread prepares the next one. Nothing else may use the connection until `finish()` (or
    `abandon()` after a failure); an error in a statement is raised again in the caller.
    While it runs, the interpreter hands the GIL over every 0.5 ms instead of 5 ms, so the
    writer, back from SQLite, waits less for the preparing thread (~10% of the write phase).
    """

    SWITCH_INTERVAL = 0.0005

    def __init__(self, cursor) -> None:
        import queue
        import threading

        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._interval, self.SWITCH_INTERVAL))
        self.cursor = cursor
        self.tasks: "queue.Queue" = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="zwgk-bulk-insert", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                return
            if self.error is None:
                try:
                    task[0](self.cursor, *task[1:])
                except BaseException as exc:  # raised again in the caller's thread
                    self.error = exc

    def submit(self, fn, *args) -> None:
        """Queue `fn(cursor, *args)`."""
        if self.error is not None:
            raise self.error
        self.tasks.put((fn, *args))

    def finish(self) -> None:
        """Wait for every queued statement; raise the first error."""
        self._stop()
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """After a failure here: let the statement running finish, drop the rest (the transaction rolls back)."""
        self.error = self.error or RuntimeError("abandoned")
        self._stop()

    def _stop(self) -> None:
        self.tasks.put(None)
        self.thread.join()
        sys.setswitchinterval(self._interval)


class _ExtraJson:
    """The `extra` JSON of a row (its non-typed catalogue values), as SQLAlchemy's JSON type stores it
    (`json.dumps`); rows repeat the same few combinations, so each is dumped once."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self._texts: dict[tuple, str] = {}

    def __call__(self, values: dict, member_rows: list) -> str:
        get = values.get
        key = tuple(get(k) for k in self.keys)
        if member_rows:
            key += (len(member_rows),)
        try:
            text = self._texts.get(key)
        except TypeError:  # an unhashable value: no caching
            return json.dumps(self._extra(values, member_rows))
        if text is None:
            text = json.dumps(self._extra(values, member_rows))
            if all(v.__class__ is str or v is None for v in key):  # 1, 1.0 and True: one key, three JSONs
                self._texts[key] = text
        return text

    def _extra(self, values: dict, member_rows: list) -> dict:
        extra = {k: v for k in self.keys if (v := values.get(k)) is not None and v != ""}
        if member_rows:
            extra["_member_rows"] = len(member_rows)
        return extra


ITEM_COLUMNS = (
    "id", "created_at", "updated_at", "row_version", "disclosure_id", "seq", "household_id", "name",
    "village_id", "village_name", "group_name", "id_number", "people", "amount_fen", "extra",
    "family_size", "covered_people", "change_type", "funding",
)


# --- raw DB-API writes in the session's transaction ----------------------------------------------

SQLITE_DATETIME = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def db_timestamp(value: datetime) -> str:
    """A naive UTC datetime as SQLAlchemy's SQLite `DateTime` stores it."""
    return SQLITE_DATETIME % {
        "year": value.year, "month": value.month, "day": value.day,
        "hour": value.hour, "minute": value.minute, "second": value.second, "microsecond": value.microsecond,
    }


def iter_new_ids(batch: int = 1024) -> Iterator[str]:
    """Endless random (version 4) UUID strings, like `models.new_id`, drawn from os.urandom in batches.

    Each batch comes out in ascending order: the rows they key go into the primary-key index
    side by side instead of at random pages (still random ids, just handed out sorted)."""
    while True:
        yield from new_ids(batch)


def new_ids(count: int) -> list[str]:
    """`count` random (version 4) UUID strings in ascending order."""
    pool = os.urandom(16 * count).hex()
    variant = _VARIANT
    ids = [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:]}"
           for h in (pool[start:start + 32] for start in range(0, 32 * count, 32))]
    ids.sort()
    return ids


def _dbapi_cursor(session: Session):
    """A DB-API cursor on the connection (and so in the transaction) the session is using."""
    session.flush()
    return session.connection().connection.cursor()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


ROWS_PER_STATEMENT = 512
OLD_SQLITE_VARIABLE_LIMIT = 999  # SQLite before 3.32, when the connection cannot say its own


def insert_rows(cursor, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """INSERT `rows` (tuples in `columns` order), up to ROWS_PER_STATEMENT per multi-row VALUES statement
    (fewer when SQLite allows fewer parameters); other columns get their scalar defaults.

    Not `executemany`: SQLite starts a statement (and its statement journal) for every execution,
    which costs little on its own but about four times the insert itself once the table has a
    row trigger (`disclosure_item` keeps the `item_name` search table that way, migration 0010).
    A multi-row statement fires the same triggers inside one execution. Big statements also mean
    few hand-overs of the interpreter lock between this writer and the thread preparing rows
    (512 rows a statement instead of 64: the write phase of 20,000 lines ~15% shorter)."""
    defaults = {
        c.name: c.default.arg for c in table.columns
        if c.name not in columns and c.default is not None and c.default.is_scalar
    }
    names = [*columns, *defaults]
    tail = tuple(defaults.values())
    per_statement = max(1, min(ROWS_PER_STATEMENT, _variable_limit(cursor) // len(names)))
    head = f"INSERT INTO {_quote(table.name)} ({', '.join(map(_quote, names))}) VALUES "
    one = f"({', '.join('?' * len(names))})"
    full = head + ", ".join([one] * per_statement)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        sql = full if len(chunk) == per_statement else head + ", ".join([one] * len(chunk))
        cursor.execute(sql, [value for row in chunk for value in (row + tail if tail else row)])


def _variable_limit(cursor) -> int:
    """How many `?` one statement may carry on this connection."""
    import sqlite3

    getlimit = getattr(cursor.connection, "getlimit", None)  # Python 3.11+
    return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit else OLD_SQLITE_VARIABLE_LIMIT


def _update_rows(cursor, table: Table, changes: list[dict]) -> None:
    """executemany UPDATE by primary key `id`; every dict in `changes` has the same keys."""
    keys = [k for k in changes[0] if k != "id"]
    sql = f"UPDATE {_quote(table.name)} SET {', '.join(f'{_quote(k)} = ?' for k in keys)} WHERE id = ?"
    cursor.executemany(sql, [(*(c[k] for k in keys), c["id"]) for c in changes])


def _remember_mapping(session: Session, preview: RosterPreview) -> None:
    """Same header layout next month → same mapping, without asking again."""
    stored = session.get(RosterMapping, preview.signature)
    mapping = dict(preview.mapping)
    if stored is None:
        session.add(RosterMapping(signature=preview.signature, category=preview.category, mapping=mapping))
    elif stored.mapping != mapping:
        stored.mapping = mapping
        stored.category = preview.category
