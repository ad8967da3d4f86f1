"""What the 同步 page shows, read off the UI thread as plain DTOs, and the "重试" use case. No Qt here.

`load_overview(config, database)` combines `services.sync.sync_status` with
the quarantined outbox entries (reason in Chinese, the notice title where the
record is a notice); `retry_quarantined(database, keys)` puts quarantined
entries back to 'pending' so the next sync sends them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select, update

from zwgk_desktop.core.audit import record
from zwgk_desktop.core.models import Disclosure, OutboxEntry

MAX_QUARANTINE_ROWS = 500
ENTITY_LABELS = {
    "township": "乡镇信息", "village": "村（社区）", "village_group": "村民小组", "notice_board": "公示栏",
    "household": "户籍台账", "catalog_item": "公开目录事项", "disclosure": "公示", "disclosure_items": "公示明细",
    "status_change": "公示状态变更", "posting": "张贴记录", "photo": "留档照片", "objection": "异议",
    "printed_version": "打印件", "app_user": "用户账户",
}
NOTICE_ENTITIES = ("disclosure", "disclosure_items")


@dataclass(frozen=True)
class QuarantinedRow:
    """One record the county refused: what it is, why (Chinese), how often tried, when queued."""

    key: str
    entity: str
    entity_label: str
    record: str
    kind: str  # conflict | rejected
    reason: str
    attempts: int
    created_at: str


@dataclass(frozen=True)
class SyncOverview:
    """Everything the 同步 page and the status-bar label need."""

    enrolled: bool
    device_id: str | None
    server: str | None
    township: str
    pushed: int
    pulled: int
    blobs_uploaded: int
    pending: int
    conflicts: int
    errors: int
    last_sync_at: str | None
    last_attempt_at: str | None
    last_error: dict | None
    warnings: tuple[str, ...] = ()
    quarantined: tuple[QuarantinedRow, ...] = field(default_factory=tuple)


def local_time_text(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time (ISO text with Z, or a naive UTC datetime) in local time; '' for none."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime(fmt)


def split_reason(error: str) -> tuple[str, str]:
    """('conflict' | 'rejected', Chinese reason) from an outbox entry's error text 'status: reason'."""
    kind, _, reason = (error or "").partition(":")
    kind = kind.strip()
    if kind not in ("conflict", "rejected"):
        return "rejected", (error or "").strip() or "县级未说明原因"
    return kind, reason.strip() or "县级未说明原因"


def reason_text(kind: str, reason: str) -> str:
    prefix = "版本冲突" if kind == "conflict" else "县级拒收"
    return f"{prefix}：{reason}"


def quarantined_rows(session, limit: int = MAX_QUARANTINE_ROWS) -> list[QuarantinedRow]:
    entries = list(session.execute(
        select(OutboxEntry).where(OutboxEntry.state == "quarantined").order_by(OutboxEntry.seq).limit(limit)
    ).scalars())
    notice_ids = {e.entity_id for e in entries if e.entity in NOTICE_ENTITIES}
    titles = dict(session.execute(
        select(Disclosure.id, Disclosure.title).where(Disclosure.id.in_(notice_ids))
    ).all()) if notice_ids else {}
    rows = []
    for entry in entries:
        kind, reason = split_reason(entry.error)
        record_text = titles.get(entry.entity_id) or f"编号 {entry.entity_id[:8]}"
        rows.append(QuarantinedRow(
            key=entry.key, entity=entry.entity, entity_label=ENTITY_LABELS.get(entry.entity, entry.entity),
            record=record_text, kind=kind, reason=reason_text(kind, reason), attempts=entry.attempts or 0,
            created_at=local_time_text(entry.created_at),
        ))
    return rows


def load_overview(config, database) -> SyncOverview:
    """Sync totals, enrollment and the quarantined records, for the page (call off the UI thread)."""
    from zwgk_desktop.services.sync import sync_status
    from zwgk_desktop.services.sync.state import DEVICE_KEY, get_setting, totals

    status = sync_status(config, database=database)
    with database.session() as session:
        rows = quarantined_rows(session)
        device = get_setting(session, DEVICE_KEY, None) or {}
        last_attempt = totals(session).get("last_attempt_at")
    return SyncOverview(
        enrolled=bool(status["enrolled"]), device_id=status["device_id"], server=status["server"],
        township=device.get("township", ""), pushed=status["pushed"], pulled=status["pulled"],
        blobs_uploaded=status["blobs_uploaded"], pending=status["pending"], conflicts=status["conflicts"],
        errors=status["errors"], last_sync_at=status["last_sync_at"], last_attempt_at=last_attempt,
        last_error=status["last_error"], warnings=tuple(status["warnings"] or ()), quarantined=tuple(rows),
    )


def retry_quarantined(database, keys: list[str], user: str = "") -> int:
    """Put the given quarantined entries back in the queue; how many were re-queued."""
    if not keys:
        return 0
    with database.session(user=user) as session:
        count = session.execute(
            update(OutboxEntry).where(OutboxEntry.key.in_(keys), OutboxEntry.state == "quarantined")
            .values(state="pending", error="")
        ).rowcount
        if count:
            record(session, "sync_retry", "outbox", "", {"entries": count})
    return count
