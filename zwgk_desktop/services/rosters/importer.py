"""The roster import use case: a checked roster becomes a draft notice, in one transaction.

Owns: gathering the database facts `read_roster` needs (villages, ID numbers
already in active notices of the category, remembered mappings), writing the
accepted rows as `DisclosureItem`s of a new draft `Disclosure`,
creating/updating `Household`s (matched by ID number, else by village + head
name), remembering the column mapping for the layout (`RosterMapping`), and
one audit event summarising the import.

Speed: line items and households go in with SQLAlchemy bulk `insert`/`update`
(Core executemany on the tables), not one ORM object per row; their sync is queued with one
outbox entry per notice (`queue_items_changed`) and one per household.
The caller owns the transaction (`Database.session()`): any exception,
including `Cancelled` from `Job.check()`, rolls everything back. `dry_run`
writes nothing at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zwgk_desktop.core import audit
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.changes import queue_items_changed
from zwgk_desktop.core.disclosures import create_disclosure
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.models import (
    Disclosure,
    DisclosureItem,
    Household,
    OutboxEntry,
    RosterMapping,
    Village,
    new_id,
    utcnow,
)
from zwgk_desktop.core.townships import require_township
from zwgk_desktop.services.rosters.preview import RosterPreview, read_roster
from zwgk_desktop.services.rosters.validate import RosterRow

INACTIVE_STATUSES = ("withdrawn", "archived")
TYPED_KEYS = ("name", "village", "group", "id_number", "people", "amount_fen", "amount")
CHUNK = 2000
IN_CHUNK = 500


@dataclass
class ImportResult:
    disclosure_id: str | None
    preview: RosterPreview
    households_created: int = 0
    households_updated: int = 0
    dry_run: bool = False

    def as_json(self) -> dict:
        data = {"disclosure_id": self.disclosure_id, "dry_run": self.dry_run}
        data.update(self.preview.as_json())
        data["households_created"] = self.households_created
        data["households_updated"] = self.households_updated
        return data


# --- database facts for read_roster ----------------------------------------------------------


def village_ids(session: Session, township_id: str) -> dict[str, str]:
    rows = session.execute(select(Village.name, Village.id).where(Village.township_id == township_id))
    return dict(rows.all())


def active_id_numbers(session: Session, category: str) -> dict[str, str]:
    """ID number → title of an active (not withdrawn/archived) notice of `category` that lists it."""
    rows = session.execute(
        select(DisclosureItem.id_number, Disclosure.title)
        .join(Disclosure, DisclosureItem.disclosure_id == Disclosure.id)
        .where(
            Disclosure.category == category,
            Disclosure.status.not_in(INACTIVE_STATUSES),
            DisclosureItem.id_number != "",
        )
    )
    return dict(rows.all())


def remembered_mappings(session: Session, category: str) -> dict[str, dict]:
    rows = session.execute(select(RosterMapping.signature, RosterMapping.mapping).where(RosterMapping.category == category))
    return dict(rows.all())


def preview_roster(
    session: Session, path: str | os.PathLike, category: str, *,
    mapping_override: Mapping[str, Any] | None = None, job: Job | None = None,
) -> RosterPreview:
    """`read_roster` with this township's villages, active ID numbers and remembered mappings."""
    get_entry(category)
    township = require_township(session)
    return read_roster(
        path, category,
        villages=village_ids(session, township.id),
        existing_ids=active_id_numbers(session, category),
        mapping_override=mapping_override,
        job=job,
        known_mappings=remembered_mappings(session, category),
    )


# --- the import ---------------------------------------------------------------------------------


def import_roster(
    session: Session,
    preview_or_path: RosterPreview | str | os.PathLike,
    *,
    category: str | None = None,
    title: str | None = None,
    dry_run: bool = False,
    mapping_override: Mapping[str, Any] | None = None,
    author: str = "",
    job: Job | None = None,
) -> ImportResult:
    """Import a roster (or an already checked preview) as a new draft notice; see the module doc."""
    job = job or Job()
    if isinstance(preview_or_path, RosterPreview):
        preview = preview_or_path
    else:
        if category is None:
            raise ValueError("category is required when importing from a path")
        preview = preview_roster(session, preview_or_path, category, mapping_override=mapping_override, job=job)
    if dry_run or preview.accepted == 0:
        return ImportResult(disclosure_id=None, preview=preview, dry_run=dry_run)
    job.check()
    township = require_township(session)
    villages = village_ids(session, township.id)
    accepted = preview.accepted_rows
    disclosure = create_disclosure(
        session, township.id, preview.category, _title(title, preview, township.name),
        issuer=township.issuer, supervise_phone=township.supervise_phone, author=author,
    )
    household_ids, created, updated = _upsert_households(session, preview, accepted, villages, job)
    _insert_items(session, disclosure, preview, accepted, villages, household_ids, job)
    _remember_mapping(session, preview)
    audit.record(
        session, "roster_import", "disclosure", disclosure.id,
        {
            "file": Path(preview.path).name, "sheet": preview.sheet, "category": preview.category,
            "accepted": preview.accepted, "rejected": preview.rejected,
            "households_created": created, "households_updated": updated,
        },
    )
    job.check()
    return ImportResult(
        disclosure_id=disclosure.id, preview=preview, households_created=created, households_updated=updated
    )


def _title(title: str | None, preview: RosterPreview, township_name: str) -> str:
    if title and title.strip():
        return title.strip()
    if preview.title:
        return preview.title[:300]
    entry = get_entry(preview.category)
    return f"{township_name}{date.today().year}年{entry.name}公示（{Path(preview.path).stem}）"[:300]


def _village_id(row: RosterRow, villages: dict[str, str]) -> str | None:
    return row.village_id or villages.get(row.values.get("village") or "")


def _upsert_households(
    session: Session, preview: RosterPreview, rows: list[RosterRow], villages: dict[str, str], job: Job
) -> tuple[dict[int, str], int, int]:
    """Household id per roster row (by spreadsheet row number); counts of created/updated ones."""
    entry = get_entry(preview.category)
    if entry.column("id_number") is None:
        return {}, 0, 0
    wanted_ids = [r.values["id_number"] for r in rows if r.values.get("id_number")]
    by_id = _existing_by_id_number(session, wanted_ids)
    by_name = _existing_by_village_and_name(session, [r for r in rows if not r.values.get("id_number")], villages)
    now = utcnow()
    inserts, updates, result = [], [], {}
    for row in rows:
        village_id = _village_id(row, villages)
        if village_id is None:
            continue
        wanted = _household_values(row, village_id)
        existing = by_id.get(wanted["id_number"]) if wanted["id_number"] else by_name.get((village_id, wanted["head_name"]))
        if existing is None:
            household_id = new_id()
            inserts.append({"id": household_id, "created_at": now, "updated_at": now, "row_version": 1, **wanted})
            if wanted["id_number"]:
                by_id[wanted["id_number"]] = {"id": household_id, "row_version": 1, **wanted}
            else:
                by_name[(village_id, wanted["head_name"])] = {"id": household_id, "row_version": 1, **wanted}
        else:
            household_id = existing["id"]
            changes = {k: v for k, v in wanted.items() if v not in ("", None) and existing.get(k) != v}
            if changes:
                existing.update(changes)
                existing["row_version"] = existing.get("row_version", 1) + 1
                updates.append({"id": household_id, "updated_at": now, "row_version": existing["row_version"], **changes})
        result[row.row] = household_id
    for start in range(0, len(inserts), CHUNK):
        job.check()
        session.execute(Household.__table__.insert(), inserts[start:start + CHUNK])
    for changed in _group_by_keys(updates):
        job.check()
        session.execute(update(Household), changed)
    touched = {h["id"] for h in inserts} | {h["id"] for h in updates}
    if touched:
        session.execute(
            OutboxEntry.__table__.insert(),
            [{"key": new_id(), "entity": Household.__tablename__, "entity_id": hid, "op": "upsert", "payload": {},
              "created_at": now, "state": "pending", "attempts": 0, "error": ""} for hid in touched],
        )
    return result, len(inserts), len({h["id"] for h in updates})


def _group_by_keys(updates: list[dict]) -> list[list[dict]]:
    """executemany needs the same columns in every parameter set: group updates by their keys."""
    groups: dict[tuple, list[dict]] = {}
    for values in updates:
        groups.setdefault(tuple(sorted(values)), []).append(values)
    return list(groups.values())


def _household_values(row: RosterRow, village_id: str) -> dict:
    values = row.values
    return {
        "village_id": village_id,
        "group_name": values.get("group") or "",
        "head_name": values.get("name") or "",
        "id_number": values.get("id_number") or "",
        "member_count": values.get("people") or 1,
        "phone": values.get("phone") or "",
        "bank_account": values.get("bank_account") or "",
    }


HOUSEHOLD_FIELDS = ("id", "row_version", "village_id", "group_name", "head_name", "id_number", "member_count", "phone", "bank_account")


def _existing_by_id_number(session: Session, id_numbers: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    columns = [getattr(Household, f) for f in HOUSEHOLD_FIELDS]
    unique = sorted(set(id_numbers))
    for start in range(0, len(unique), IN_CHUNK):
        chunk = unique[start:start + IN_CHUNK]
        for record in session.execute(select(*columns).where(Household.id_number.in_(chunk))):
            found[record.id_number] = dict(record._mapping)
    return found


def _existing_by_village_and_name(session: Session, rows: list[RosterRow], villages: dict[str, str]) -> dict[tuple, dict]:
    """Households without an ID number in the roster: match a unique (village, head name)."""
    names = sorted({r.values.get("name") for r in rows if r.values.get("name")})
    if not names:
        return {}
    columns = [getattr(Household, f) for f in HOUSEHOLD_FIELDS]
    seen: dict[tuple, list[dict]] = {}
    for start in range(0, len(names), IN_CHUNK):
        for record in session.execute(select(*columns).where(Household.head_name.in_(names[start:start + IN_CHUNK]))):
            seen.setdefault((record.village_id, record.head_name), []).append(dict(record._mapping))
    return {key: matches[0] for key, matches in seen.items() if len(matches) == 1}


def _insert_items(
    session: Session, disclosure: Disclosure, preview: RosterPreview, rows: list[RosterRow],
    villages: dict[str, str], household_ids: dict[int, str], job: Job,
) -> None:
    now = utcnow()
    items = []
    total_fen = total_people = 0
    for seq, row in enumerate(rows, start=1):
        values = row.values
        extra = {k: v for k, v in values.items() if k not in TYPED_KEYS and v not in (None, "")}
        if row.member_rows:
            extra["_member_rows"] = len(row.member_rows)
        items.append({
            "id": new_id(), "created_at": now, "updated_at": now, "row_version": 1,
            "disclosure_id": disclosure.id, "seq": seq, "household_id": household_ids.get(row.row),
            "name": values.get("name") or "", "village_id": _village_id(row, villages),
            "village_name": values.get("village") or "", "group_name": values.get("group") or "",
            "id_number": values.get("id_number") or "", "people": values.get("people"),
            "amount_fen": values.get("amount_fen"), "extra": extra,
        })
        total_fen += values.get("amount_fen") or 0
        total_people += values.get("people") or 0
    for start in range(0, len(items), CHUNK):
        job.check()
        job.progress(start, len(items), "正在写入公示明细…")
        session.execute(DisclosureItem.__table__.insert(), items[start:start + CHUNK])
    job.progress(len(items), len(items), "正在写入公示明细…")
    queue_items_changed(session, disclosure.id)
    disclosure.item_count, disclosure.total_amount_fen, disclosure.total_people = len(items), total_fen, total_people
    session.flush()


def _remember_mapping(session: Session, preview: RosterPreview) -> None:
    """Same header layout next month → same mapping, without asking again."""
    stored = session.get(RosterMapping, preview.signature)
    mapping = dict(preview.mapping)
    if stored is None:
        session.add(RosterMapping(signature=preview.signature, category=preview.category, mapping=mapping))
    elif stored.mapping != mapping:
        stored.mapping = mapping
        stored.category = preview.category
