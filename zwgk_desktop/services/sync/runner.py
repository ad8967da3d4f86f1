"""One sync with the county, end to end: `sync_once(config, job) -> SyncReport`; plus enrollment and status.

Order: clock check (a Chinese warning beyond 5 minutes of skew) → a fresh
device token → push outbox → the audit chain head to the county (its
witness) → upload missing blobs → pull reference data (→ push again when the
pull changed synced rows, e.g. catalogue items) → sanity count against the
county (Anki's post-sync check). Every attempt is recorded — when, and how
it ended — and only a completed one as a success (`last_attempt_at`,
`last_success_at`, `last_error`), even when it failed before reaching the
county (not enrolled); the failure is then re-raised as a `SyncError` so a
caller (the UI timer with backoff, `zwgk sync now`) can retry later. Nothing
is lost by a failure at any point: the outbox, idempotency keys and
resumable uploads see to that.

Threading: network and file work run in the caller's thread; each write is
one short `database.write` transaction (on the database thread when the
desktop runs the sync on its pool), see `ops.sync`.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, select

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.local_time import local_time_text
from zwgk_desktop.core.models import Base, DisclosureItem, OutboxEntry, SyncedMixin
from zwgk_desktop.errors import Cancelled, ZwgkError
from zwgk_desktop.services.sync import blobs, pull, push
from zwgk_desktop.services.sync.client import SyncError, check_transport, client_for, load_token, save_token
from zwgk_desktop.services.sync.state import DEVICE_KEY, TOTALS_KEY, get_setting, set_setting, totals

MAX_CLOCK_SKEW_S = 300
# Every table whose rows go to the county (each write of a `SyncedMixin` row queues it, `core.changes`,
# and push sends all but the local-only ones); notice lines are compared by their own total.
COMPARED_ENTITIES = tuple(sorted(
    mapper.class_.__tablename__ for mapper in Base.registry.mappers
    if issubclass(mapper.class_, SyncedMixin) and mapper.class_ is not DisclosureItem
    and mapper.class_.__tablename__ not in push.LOCAL_ONLY_ENTITIES
))


@dataclass
class SyncReport:
    """What one sync did (for the CLI JSON and the UI's status line)."""

    pushed: int = 0
    pulled: int = 0
    blobs_uploaded: int = 0
    pending: int = 0
    conflicts: int = 0
    errors: int = 0
    warnings: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    clock_skew_s: float | None = None
    finished_at: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _open(config, database):
    if database is not None:
        return database, False
    from zwgk_desktop.core.schema import open_database

    return open_database(config), True


def enroll(config, server: str, code: str, device_name: str | None = None, database=None, http=None,
           insecure: bool = False) -> dict:
    """Register this install with the county: store the URL in settings, the token in a 600 file.

    Plain http to another computer is refused before anything is sent unless
    `insecure` (then the result carries the clear-text warning).
    """
    from zwgk_desktop.services.sync.client import CountyClient

    server = server.strip().rstrip("/")
    warning = check_transport(server, insecure)
    name = device_name or platform.node() or "township-pc"
    with CountyClient(server, ca_file=config.settings.county_ca_file, timeout=config.settings.http_timeout_s,
                      http=http) as client:
        answer = client.enroll(code, name)
    database, owned = _open(config, database)
    try:
        save_token(config, answer["token"])
        device = {"server": server, "device_id": answer["device_id"], "township": answer.get("township", ""),
                  "enrolled_at": now_iso(), "insecure": bool(warning)}
        database.write(lambda session: set_setting(session, DEVICE_KEY, device), user="sync")
        config.settings.county_url = server
        config.save_settings()
    finally:
        if owned:
            database.dispose()
    return {"device_id": answer["device_id"], "township": answer.get("township", ""), "server": server,
            "warnings": [warning] if warning else []}


def sync_once(config, job: Job | None = None, database=None, http=None) -> SyncReport:
    """Push, upload, pull and check once. Raises SyncError (after saving what was done) on failure."""
    job = job or Job()
    database, owned = _open(config, database)
    report = SyncReport()
    error: ZwgkError | None = None
    outcome: ZwgkError | None = None  # what `finish` records: a failure or a cancel is not a completed sync
    try:
        try:
            token = load_token(config)
            if not token or not config.settings.county_url:
                raise SyncError("本机尚未在县级服务器注册：请在“同步”页填写平台地址和注册码后注册"
                                "（命令行：zwgk sync enroll）。", code="sync_not_enrolled")
            transport_warning = check_transport(config.settings.county_url, _enrolled_insecure(database))
            if transport_warning:
                report.warnings.append(transport_warning)
            with client_for(config, token, http=http) as client:
                run_steps(config, database, client, job, report)
        except SyncError as exc:
            error = outcome = exc
        except Cancelled as exc:
            outcome = exc
            raise
        except ZwgkError as exc:
            outcome = exc
            raise
        except BaseException:
            outcome = SyncError("同步时发生程序内部错误，数据仍在本机。", code="bug")
            raise
    finally:
        try:
            finish(database, report, outcome)
        finally:
            if owned:
                database.dispose()
    if error is not None:
        raise error
    return report


def _enrolled_insecure(database) -> bool:
    with database.session() as session:
        return bool((get_setting(session, DEVICE_KEY, None) or {}).get("insecure"))


def run_steps(config, database, client, job: Job, report: SyncReport) -> None:
    job.progress(0, 4, "正在连接县级服务器…")
    _server, skew = client.server_time()
    report.clock_skew_s = round(skew, 1)
    warning = clock_warning(skew)
    if warning:
        report.warnings.append(warning)
    renew_token(config, client)
    job.progress(1, 4, "正在上报变更…")
    push_outbox(database, client, job, report)
    send_audit_head(database, client, report)
    job.progress(2, 4, "正在上传照片和打印件…")
    uploaded = blobs.upload_missing(database, config, client, job)
    report.blobs_uploaded = uploaded.uploaded
    report.errors += len(uploaded.problems)
    report.problems += uploaded.problems
    job.progress(3, 4, "正在获取县级参考数据…")
    pulled = pull.pull_reference(database, client, job, data_dir=config.data_dir)
    report.pulled = pulled.applied
    report.warnings += pulled.warnings
    if pulled.applied:
        push_outbox(database, client, job, report)  # rows the pull changed (catalogue items) go up at once
    compare_counts(database, client, report)
    job.progress(4, 4, "同步完成")


def renew_token(config, client) -> None:
    """Swap the device token for a fresh one and keep it (the county accepts the old one a little longer)."""
    token = client.rotate_token()
    if token:
        save_token(config, token)


def send_audit_head(database, client, report: SyncReport) -> None:
    """The county keeps our chain head as a witness; a head it saw go backwards is warned about."""
    from zwgk_desktop.core.audit import chain_head

    with database.session() as session:
        head = chain_head(session)
    if head is None:
        return
    key = getattr(database, "install_key", None)
    answer = client.post_audit_head({"seq": head[0], "hash": head[1], "key_id": key.key_id if key else ""})
    if answer and answer.get("problem"):
        report.warnings.append(f"县级平台发现本机审计日志异常：{answer['problem']}请运行 zwgk audit verify 核对。")


def push_outbox(database, client, job: Job, report: SyncReport) -> None:
    pushed = push.push_pending(database, client, job)
    report.pushed += pushed.pushed
    report.conflicts += pushed.conflicts
    report.errors += pushed.rejected
    report.problems += pushed.problems


def clock_warning(skew_s: float) -> str | None:
    """A Chinese warning when this PC's clock is more than 5 minutes off the county's (skew = local − server)."""
    if abs(skew_s) <= MAX_CLOCK_SKEW_S:
        return None
    direction = "快" if skew_s > 0 else "慢"
    return (f"本机时间比县级服务器{direction}约{_duration(abs(skew_s))}，请校准电脑的日期和时间"
            "（张贴日期、照片时间核对和公示期计算都依赖它）。")


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 120:
        return f" {minutes} 分钟"
    hours = round(seconds / 3600)
    return f" {hours} 小时" if hours < 48 else f" {round(seconds / 86400)} 天"


def local_counts(session) -> dict:
    from zwgk_desktop.services.sync.push import model_for

    counts = {}
    for entity in COMPARED_ENTITIES:
        n = session.execute(select(func.count()).select_from(model_for(entity))).scalar_one()
        if n:
            counts[entity] = n
    return counts


def compare_counts(database, client, report: SyncReport) -> None:
    """After a clean sync, the county must hold exactly as many rows as we do; warn otherwise."""
    with database.session() as session:
        unsettled = session.execute(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state != "sent")
        ).scalar_one()
        ours = local_counts(session)
        our_items = session.execute(select(func.count()).select_from(DisclosureItem)).scalar_one()
    if unsettled:
        return  # pending or quarantined rows make a difference expected
    theirs = client.stats()
    county_counts = {k: v for k, v in (theirs.get("counts") or {}).items() if k in COMPARED_ENTITIES and v}
    differences = [
        f"{entity}：本机 {ours.get(entity, 0)}，县级 {county_counts.get(entity, 0)}"
        for entity in sorted(set(ours) | set(county_counts)) if ours.get(entity, 0) != county_counts.get(entity, 0)
    ]
    if our_items != theirs.get("items", 0):
        differences.append(f"公示明细：本机 {our_items}，县级 {theirs.get('items', 0)}")
    if differences:
        report.warnings.append("同步后本机与县级数据条数不一致（" + "；".join(differences) + "），请联系县政务公开办核对。")


def finish(database, report: SyncReport, error: ZwgkError | None) -> None:
    """Record the attempt (and, without an error, the success); fill the report's pending/conflict/error counts."""
    report.finished_at = now_iso()

    def write(session) -> None:
        counts = outbox_counts(session)
        report.pending = counts["pending"]
        saved = totals(session)
        saved["pushed"] += report.pushed
        saved["pulled"] += report.pulled
        saved["blobs_uploaded"] += report.blobs_uploaded
        saved["last_attempt_at"] = report.finished_at
        if error is None:
            saved["last_success_at"] = saved["last_sync_at"] = report.finished_at
            saved["last_error"] = None
        else:
            saved["last_error"] = {**error.as_json(), "at": report.finished_at}
        saved["warnings"] = list(report.warnings)
        if report.clock_skew_s is not None:
            saved["clock_skew_s"] = report.clock_skew_s
        saved["problems"] = list(report.problems)[-50:]
        set_setting(session, TOTALS_KEY, saved)

    database.write(write, user="sync")


def outbox_counts(session) -> dict:
    rows = dict(session.execute(
        select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)
    ).all())
    conflicts = session.execute(
        select(func.count()).select_from(OutboxEntry).where(
            OutboxEntry.state == "quarantined", OutboxEntry.error.like("conflict:%")
        )
    ).scalar_one()
    return {"pending": rows.get("pending", 0), "sent": rows.get("sent", 0),
            "quarantined": rows.get("quarantined", 0), "conflicts": conflicts}


def sync_status(config, database=None) -> dict:
    """`sync status`: totals ever, what waits, quarantined conflicts/errors, last attempt and success, enrollment."""
    database, owned = _open(config, database)
    try:
        with database.session() as session:
            saved = totals(session)
            counts = outbox_counts(session)
            device = get_setting(session, DEVICE_KEY, None)
    finally:
        if owned:
            database.dispose()
    last_success = saved.get("last_success_at") or saved.get("last_sync_at")
    return {
        "pushed": saved["pushed"],
        "pulled": saved["pulled"],
        "blobs_uploaded": saved["blobs_uploaded"],
        "pending": counts["pending"],
        "conflicts": counts["conflicts"],
        "errors": counts["quarantined"] - counts["conflicts"],
        "last_attempt_at": saved.get("last_attempt_at"),
        "last_success_at": last_success,
        "last_sync_at": last_success,
        "last_attempt_local": local_time_text(saved.get("last_attempt_at")) or None,
        "last_success_local": local_time_text(last_success) or None,
        "last_error": saved.get("last_error"),
        "warnings": saved.get("warnings", []),
        "clock_skew_s": saved.get("clock_skew_s"),
        "enrolled": bool(device) and load_token(config) is not None,
        "device_id": (device or {}).get("device_id"),
        "server": (device or {}).get("server") or config.settings.county_url or None,
        "insecure": bool((device or {}).get("insecure")),
    }
