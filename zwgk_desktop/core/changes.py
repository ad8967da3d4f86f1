"""Change capture: every flush writes audit events and outbox entries in the same transaction.

Registered on each `Database`'s session factory. For every synced row that
is inserted, updated or deleted it bumps `row_version`, appends a hash-chained
audit event (sensitive values redacted) and queues an outbox entry for the
county sync. Notice line items are part of their notice's aggregate: they
queue one `disclosure_items` entry per notice instead of one per line, and
bulk inserts call `queue_items_changed` themselves.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from zwgk_desktop.core.audit import AuditChain, redact
from zwgk_desktop.core.audit import SENSITIVE_FIELDS
from zwgk_desktop.core.models import DisclosureItem, OutboxEntry, SyncedMixin, new_id

ITEMS_ENTITY = "disclosure_items"


def row_payload(obj) -> dict:
    """A JSON-ready snapshot of a row's columns."""
    data = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        data[attr.key] = value
    return data


def changed_fields(obj) -> dict:
    state = inspect(obj)
    diff = {}
    for attr in state.mapper.column_attrs:
        if attr.key in ("updated_at", "row_version"):
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            diff[attr.key] = {"before": before, "after": after}
    return diff


def queue_items_changed(session: Session, disclosure_id: str) -> None:
    """Queue the sync of a notice's line items (used by bulk inserts that bypass the ORM)."""
    session.add(OutboxEntry(entity=ITEMS_ENTITY, entity_id=disclosure_id, op="upsert", payload={}))


def capture_changes(session: Session, _flush_context, _instances) -> None:
    chain: AuditChain | None = None
    item_notices: set[str] = set()

    def audit(action, obj, summary):
        nonlocal chain
        if chain is None:
            chain = AuditChain(session)
        chain.append(action, obj.__tablename__, obj.id, summary)

    for obj in list(session.new):
        if isinstance(obj, DisclosureItem):
            item_notices.add(obj.disclosure_id)
        elif isinstance(obj, SyncedMixin):
            if obj.id is None:
                obj.id = new_id()
            payload = row_payload(obj)
            audit("insert", obj, redact({k: v for k, v in payload.items() if k not in ("created_at", "updated_at")}))
            session.add(OutboxEntry(entity=obj.__tablename__, entity_id=obj.id, op="upsert", payload={}))
    for obj in list(session.dirty):
        if not isinstance(obj, SyncedMixin) or not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, DisclosureItem):
            item_notices.add(obj.disclosure_id)
            continue
        diff = changed_fields(obj)
        if not diff:
            continue
        obj.row_version = (obj.row_version or 1) + 1
        audit("update", obj, _redact_diff(diff))
        session.add(OutboxEntry(entity=obj.__tablename__, entity_id=obj.id, op="upsert", payload={}))
    for obj in list(session.deleted):
        if isinstance(obj, DisclosureItem):
            item_notices.add(obj.disclosure_id)
        elif isinstance(obj, SyncedMixin):
            audit("delete", obj, {})
            session.add(OutboxEntry(entity=obj.__tablename__, entity_id=obj.id, op="delete", payload={}))
    for disclosure_id in item_notices:
        queue_items_changed(session, disclosure_id)


def _redact_diff(diff: dict) -> dict:
    return {
        key: ({"before": "***", "after": "***"} if key in SENSITIVE_FIELDS else change)
        for key, change in diff.items()
    }
