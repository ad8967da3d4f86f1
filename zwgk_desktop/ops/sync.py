"""Sync with the county as use cases: sync now, status (with the quarantined records), enroll, retry quarantined.

Threading (why `@writes("sync", steps=True)`): a sync is minutes of network
I/O — pushing batches, uploading hundreds of MB of photos — with a few
short writes in between (outbox answers, a page of reference data with its
cursor, the totals). Running it on the desktop's single database thread
would block every other write (a clerk saving a notice) for all that time;
running it on the pool with its own writes would break "writes are
serialised". So the sync runs on the pool and each of its transactions is
one call `db.write(fn, user=...)`, which the TaskManager's writer runs on
the database thread between other writes (`core.db.Database.write`). The
alternative — the op handing a `db_writer` callable down by hand — would
have to be threaded through every service function; putting the writer on
the `Database` keeps the services' signatures and makes any write from the
pool either serialised (writer installed) or a loud `WriteOutsideDbThread`
(none installed), never silently concurrent. The CLI installs no writer:
there `db.write` simply runs in the calling thread.

Each op takes the open `Database` (it carries the data dir's `Config`) and
the acting user; DTOs here are what the 同步 page and `zwgk sync ...` show.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import select, update

from zwgk_desktop.core.audit import record
from zwgk_desktop.core.local_time import local_time_text
from zwgk_desktop.core.models import Disclosure, OutboxEntry
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import Changes, read_session, reads, unit_of_work, writes

MAX_QUARANTINE_ROWS = 500
ENTITY_LABELS = {
    "township": "乡镇信息", "village": "村（社区）", "village_group": "村民小组", "notice_board": "公示栏",
    "household": "户籍台账", "catalog_item": "公开目录事项", "disclosure": "公示", "disclosure_items": "公示明细",
    "status_change": "公示状态变更", "posting": "张贴记录", "photo": "留档照片", "objection": "异议",
    "printed_version": "打印件", "app_user": "用户账户",
}
NOTICE_ENTITIES = ("disclosure", "disclosure_items")
REFERENCE_KINDS = frozenset({"calendar", "catalogue", "settings"})  # what a pull of county reference data may change


@dataclass(frozen=True)
class QuarantinedRow:
    """One record the county refused: what it is, why (Chinese), how often tried, when queued (local time)."""

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
    """Everything the 同步 page, the status-bar label and `sync status` show."""

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
    last_success_at: str | None  # UTC ISO; the *_local fields are the same moments in local time
    last_attempt_at: str | None
    last_error: dict | None
    warnings: tuple[str, ...] = ()
    quarantined: tuple[QuarantinedRow, ...] = field(default_factory=tuple)
    clock_skew_s: float | None = None
    insecure: bool = False

    @property
    def last_sync_at(self) -> str | None:
        """The last SUCCESSFUL sync (the older name of `last_success_at`)."""
        return self.last_success_at

    @property
    def last_attempt_failed(self) -> bool:
        return bool(self.last_error) and self.last_attempt_at != self.last_success_at

    def as_json(self) -> dict:
        data = asdict(self)
        data.update(last_sync_at=self.last_success_at, warnings=list(self.warnings),
                    last_success_local=local_time_text(self.last_success_at) or None,
                    last_attempt_local=local_time_text(self.last_attempt_at) or None,
                    quarantined=[asdict(q) for q in self.quarantined])
        return data


@dataclass(frozen=True)
class SyncRun:
    """A finished sync: the services' report, and what it changed (reference data when something was pulled)."""

    report: object  # services.sync.SyncReport
    changes: Changes

    def as_json(self) -> dict:
        return self.report.as_json()


@dataclass(frozen=True)
class Enrollment:
    device_id: str
    township: str
    server: str
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {**asdict(self), "warnings": list(self.warnings)}


@dataclass(frozen=True)
class Requeued:
    count: int


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


# --- use cases -----------------------------------------------------------------------------


@reads
def sync_overview(db, actor: Actor, *, job=None) -> SyncOverview:
    """Totals, last attempt and success, enrollment and the quarantined records."""
    from zwgk_desktop.services.sync import sync_status
    from zwgk_desktop.services.sync.state import DEVICE_KEY, get_setting

    status = sync_status(db.config, database=db)
    with read_session(db, actor) as session:
        rows = quarantined_rows(session)
        device = get_setting(session, DEVICE_KEY, None) or {}
    return SyncOverview(
        enrolled=bool(status["enrolled"]), device_id=status["device_id"], server=status["server"],
        township=device.get("township", ""), pushed=status["pushed"], pulled=status["pulled"],
        blobs_uploaded=status["blobs_uploaded"], pending=status["pending"], conflicts=status["conflicts"],
        errors=status["errors"], last_success_at=status["last_success_at"], last_attempt_at=status["last_attempt_at"],
        last_error=status["last_error"], warnings=tuple(status["warnings"] or ()), quarantined=tuple(rows),
        clock_skew_s=status["clock_skew_s"], insecure=status["insecure"],
    )


@writes("sync", steps=True)
def sync_now(db, actor: Actor, *, job=None, http=None) -> SyncRun:
    """One sync with the county (network on this thread, each write a short `db.write`); SyncError on failure."""
    from zwgk_desktop.services.sync import sync_once

    report = sync_once(db.config, job, database=db, http=http)
    kinds = {"sync"} | (REFERENCE_KINDS if report.pulled else set())
    return SyncRun(report, Changes(frozenset(kinds)))


@writes("sync", "settings", steps=True)
def enroll_device(db, actor: Actor, server: str, code: str, *, name: str | None = None, ca_file: str | None = None,
                  insecure: bool = False, http=None, job=None) -> Enrollment:
    """Register this install with the county (plain http to another computer only with `insecure`)."""
    from zwgk_desktop.services.sync import enroll

    settings = db.config.settings
    previous = settings.county_ca_file
    if ca_file is not None:
        settings.county_ca_file = ca_file
    try:
        answer = enroll(db.config, server, code, name, database=db, http=http, insecure=insecure)
    except BaseException:
        settings.county_ca_file = previous  # a failed enrollment changes no setting
        raise
    return Enrollment(answer["device_id"], answer["township"], answer["server"], tuple(answer["warnings"]))


@writes("sync")
def retry_quarantined(db, actor: Actor, keys: list[str], *, job=None) -> Requeued:
    """Put the given quarantined entries back in the queue (the next sync sends them); audited."""
    if not keys:
        return Requeued(0)
    with unit_of_work(db, actor) as session:
        count = session.execute(
            update(OutboxEntry).where(OutboxEntry.key.in_(list(keys)), OutboxEntry.state == "quarantined")
            .values(state="pending", error="").execution_options(synchronize_session=False)
        ).rowcount
        if count:
            record(session, "sync_retry", "outbox", "", {"entries": count})
    return Requeued(count)
