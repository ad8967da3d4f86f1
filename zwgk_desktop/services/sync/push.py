"""Push the outbox: pending entries in batches, each with its idempotency key and the row's CURRENT state.

An entry's payload is empty by design: at push time we read the row as it is
now and send it with its `row_version` (line items of a notice travel as one
`disclosure_items` record holding all its current items; its version is the
entry's seq). Accepted and duplicate answers mark entries sent; a rejected or
conflicting record is quarantined with the reason and never blocks the others
(CommCare). Rows the county must not get (user accounts) are marked sent
without leaving the machine. Batches are read in a read-only session and
each batch's answers written in one short `database.write` transaction, so
the push never holds the database thread while it waits for the county.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update

from zwgk_desktop.core.changes import ITEMS_ENTITY, row_payload
from zwgk_desktop.core.models import Base, DisclosureItem, OutboxEntry, utcnow

BATCH_SIZE = 200
LOCAL_ONLY_ENTITIES = frozenset({"app_user"})


@dataclass
class PushResult:
    pushed: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    problems: list[dict] = field(default_factory=list)


def model_for(entity: str):
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == entity:
            return mapper.class_
    return None


def build_records(session, entries: list[OutboxEntry]) -> list[dict]:
    """The wire records for a batch of outbox entries, from the rows' current state (one query per table)."""
    wanted: dict[str, set[str]] = {}
    for e in entries:
        wanted.setdefault(e.entity, set()).add(e.entity_id)
    rows: dict[tuple[str, str], object] = {}
    items: dict[str, list[dict]] = {i: [] for i in wanted.get(ITEMS_ENTITY, ())}
    for entity, ids in wanted.items():
        for part in _chunks(sorted(ids), 500):
            if entity == ITEMS_ENTITY:
                for item in session.execute(
                    select(DisclosureItem).where(DisclosureItem.disclosure_id.in_(part)).order_by(DisclosureItem.seq)
                ).scalars():
                    items[item.disclosure_id].append(row_payload(item))
                continue
            model = model_for(entity)
            if model is None:
                continue
            for row in session.execute(select(model).where(model.id.in_(part))).scalars():
                rows[(entity, row.id)] = row
    return [build_record(e, rows.get((e.entity, e.entity_id)), items) for e in entries]


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def build_record(entry: OutboxEntry, row, items: dict[str, list[dict]]) -> dict:
    """The wire record for one outbox entry: a notice's items as one record (version = entry seq), else the row."""
    record = {"key": entry.key, "entity": entry.entity, "entity_id": entry.entity_id, "op": entry.op,
              "row_version": 0, "data": {}}
    if entry.entity == ITEMS_ENTITY:
        record.update(op="upsert", row_version=entry.seq,
                      data={"disclosure_id": entry.entity_id, "items": items.get(entry.entity_id, [])})
        return record
    if row is None or entry.op == "delete":
        record["op"] = "delete"  # the row is gone by now: tell the county so
        return record
    record.update(row_version=row.row_version or 0, data=row_payload(row))
    return record


def pending_count(session) -> int:
    from sqlalchemy import func

    return session.execute(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state == "pending")).scalar_one()


def push_pending(database, client, job=None, batch_size: int = BATCH_SIZE) -> PushResult:
    """Push every pending outbox entry; raises SyncError on transport failure (what was sent stays sent)."""
    result = PushResult()
    with database.session() as session:
        total = pending_count(session)
    done = 0
    while True:
        if job is not None:
            job.check()
        with database.session() as session:
            entries = list(session.execute(
                select(OutboxEntry).where(OutboxEntry.state == "pending").order_by(OutboxEntry.seq).limit(batch_size)
            ).scalars())
            if not entries:
                break
            local = [e.key for e in entries if e.entity in LOCAL_ONLY_ENTITIES]
            records = build_records(session, [e for e in entries if e.entity not in LOCAL_ONLY_ENTITIES])
        answers = client.push_changes(records) if records else []
        changed = record_answers(database, answers, result, local_keys=local)
        done += len(entries)
        if job is not None:
            job.progress(done, max(total, done), f"已上报 {done} 条变更")
        if changed == 0:
            from zwgk_desktop.services.sync.client import SyncError

            raise SyncError("县级服务器的回复中缺少记录结果，已停止本次上报。", code="sync_protocol")
    return result


def record_answers(database, answers: list[dict], result: PushResult, local_keys: list[str] = ()) -> int:
    """Apply the county's per-record answers to the outbox in one transaction; how many entries changed.

    Delivered keys share one UPDATE per 500 keys; each quarantined key keeps its own reason;
    `local_keys` (rows that never leave the machine) are marked done in the same transaction.
    """
    delivered: list[str] = []
    quarantined: list[tuple[str, str]] = []
    for answer in answers:
        key, status, reason = answer.get("key"), answer.get("status"), answer.get("reason") or ""
        if not isinstance(key, str):
            continue
        if status in ("accepted", "duplicate"):
            delivered.append(key)
            result.pushed += 1  # a duplicate is a delivery whose first answer was lost
            if status == "duplicate":
                result.duplicates += 1
        elif status in ("conflict", "rejected"):
            quarantined.append((key, f"{status}: {reason}"))
            if status == "conflict":
                result.conflicts += 1
            else:
                result.rejected += 1
            result.problems.append({"key": key, "code": status, "message": reason})
    now = utcnow()

    def write(session) -> int:
        changed = 0
        for part in _chunks(list(dict.fromkeys(local_keys)), 500):
            changed += session.execute(
                update(OutboxEntry).where(OutboxEntry.key.in_(part), OutboxEntry.state == "pending")
                .values(state="sent", sent_at=now, error="本地数据，不上报县级")
                .execution_options(synchronize_session=False)
            ).rowcount
        for part in _chunks(list(dict.fromkeys(delivered)), 500):
            changed += _mark(session, OutboxEntry.key.in_(part), state="sent", sent_at=now, error="")
        for key, error in quarantined:
            changed += _mark(session, OutboxEntry.key == key, state="quarantined", error=error)
        return changed

    if not (local_keys or delivered or quarantined):
        return 0
    return database.write(write, user="sync")


def _mark(session, where, **values) -> int:
    """Move pending entries matching `where` to a new state, counting the attempt; how many moved."""
    return session.execute(
        update(OutboxEntry).where(where, OutboxEntry.state == "pending")
        .values(attempts=OutboxEntry.attempts + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
