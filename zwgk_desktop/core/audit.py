"""The append-only, hash-chained audit log: record events and verify the chain.

Each event's hash covers its content and the previous event's hash, so an
edited, inserted or deleted row breaks the chain from that point on;
`verify_chain` reports the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.core.models import AuditEvent, utcnow

SENSITIVE_FIELDS = {"id_number", "phone", "bank_account", "address", "password_hash", "helper_phone"}


def event_digest(prev_hash: str, at: datetime, user: str, action: str, entity: str, entity_id: str, summary: dict) -> str:
    canonical = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), user, action, entity, entity_id, summary],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def last_hash(session: Session) -> str:
    """The newest event's hash, read under the write lock so no other writer can append in between."""
    with session.no_autoflush:
        _hold_write_lock(session)
        return session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).scalar() or ""


def _hold_write_lock(session: Session) -> None:
    """Start the transaction with BEGIN IMMEDIATE unless it already writes (and so holds the lock).

    Python's sqlite3 opens a transaction only at the first INSERT/UPDATE, so a
    head read before it would let another process append in between and two
    events would name the same predecessor: a forked chain.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi = connection.connection.dbapi_connection
    if not dbapi.in_transaction:
        dbapi.execute("BEGIN IMMEDIATE")


def redact(values: dict) -> dict:
    """Keep the audit log free of raw personal numbers: note that they changed, not what to."""
    return {k: ("（已修改，内容不记入日志）" if k in SENSITIVE_FIELDS and v not in (None, "") else v) for k, v in values.items()}


class AuditChain:
    """Appends events to the chain within one flush/transaction."""

    def __init__(self, session: Session):
        self.session = session
        self.prev = last_hash(session)

    def append(self, action: str, entity: str = "", entity_id: str = "", summary: dict | None = None) -> AuditEvent:
        summary = json.loads(json.dumps(summary or {}, ensure_ascii=False, default=str))
        at = utcnow()
        user = self.session.info.get("user", "") or ""
        digest = event_digest(self.prev, at, user, action, entity, entity_id, summary)
        event = AuditEvent(
            at=at, user=user, action=action, entity=entity, entity_id=entity_id,
            summary=summary, prev_hash=self.prev, hash=digest,
        )
        self.session.add(event)
        self.prev = digest
        return event


def record(session: Session, action: str, entity: str = "", entity_id: str = "", summary: dict | None = None) -> None:
    """Record one user-level event (e.g. an import summary) on the chain."""
    AuditChain(session).append(action, entity, entity_id, summary)
    session.flush()


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken: int | None
    message: str


def verify_chain(session: Session) -> ChainReport:
    prev = ""
    checked = 0
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        expected = event_digest(prev, event.at, event.user, event.action, event.entity, event.entity_id, event.summary)
        if event.prev_hash != prev or event.hash != expected:
            return ChainReport(
                ok=False,
                checked=checked,
                first_broken=event.seq,
                message=f"审计日志第 {event.seq} 条被修改、插入或其前一条被删除，日志链自此断开。",
            )
        prev = event.hash
        checked += 1
    return ChainReport(ok=True, checked=checked, first_broken=None, message=f"审计日志完整，共核验 {checked} 条。")
