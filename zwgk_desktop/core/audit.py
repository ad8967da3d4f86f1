"""The append-only audit log: each event's hash chains it to the one before; verify against witnesses kept elsewhere.

Each event's hash covers its content and the previous event's hash, so an
edited, inserted or deleted row breaks the chain from that point on. Since
the install got a secret (`core.install_key`) the hash is an HMAC with it
(`key_id` on the row names the key); rows written before are plain SHA-256
(`key_id` ""), verified as such, and the first keyed row's HMAC covers them
through its link. So someone holding only the database file can neither
edit a row and recompute the hashes (`audit_rewritten`: the recomputed
hashes are plain where the key was used) nor drop the newest rows unseen:

- the chain head (seq, hash) is also kept OUTSIDE the database, in a small
  file beside it signed with the install key (`audit-head.json`, written
  after every commit that appended events, never moved backwards or over a
  chain that no longer matches it) and in every backup manifest;
- every sync sends the head to the county, which keeps it as a witness of
  the township's chain (it holds no key, so even someone with the whole
  data dir cannot rewrite what the county has seen).

`verify_chain(session, witnesses=...)` walks the chain and then checks each
witness: a witnessed row that is gone → `audit_truncated`, one whose hash
differs → `audit_rewritten`, a broken link or a hash matching nothing →
`audit_broken`, each with the last witnessed point.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.core.db import hold_write_lock
from zwgk_desktop.core.install_key import PURPOSE_ANCHOR, PURPOSE_AUDIT, InstallKey
from zwgk_desktop.core.local_time import local_time_text
from zwgk_desktop.core.models import AuditEvent, utcnow

log = logging.getLogger(__name__)

SENSITIVE_FIELDS = {"id_number", "phone", "bank_account", "address", "password_hash", "helper_phone"}
ANCHOR_FILE = "audit-head.json"
ANCHOR_FORMAT = "zwgk-audit-head"

BROKEN = "audit_broken"
TRUNCATED = "audit_truncated"
REWRITTEN = "audit_rewritten"


def _canonical(prev_hash: str, at: datetime, user: str, action: str, entity: str, entity_id: str, summary: dict) -> bytes:
    return json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), user, action, entity, entity_id, summary],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    ).encode("utf-8")


def event_digest(prev_hash: str, at: datetime, user: str, action: str, entity: str, entity_id: str, summary: dict) -> str:
    """The plain SHA-256 digest (rows written before the install key existed)."""
    return hashlib.sha256(_canonical(prev_hash, at, user, action, entity, entity_id, summary)).hexdigest()


def keyed_digest(key: InstallKey, prev_hash: str, at: datetime, user: str, action: str, entity: str, entity_id: str,
                 summary: dict) -> str:
    """The HMAC-SHA256 digest under the install key's audit sub-key."""
    return key.mac(PURPOSE_AUDIT, _canonical(prev_hash, at, user, action, entity, entity_id, summary))


def last_hash(session: Session) -> str:
    """The newest event's hash, read under the write lock so no other writer can append in between."""
    with session.no_autoflush:
        hold_write_lock(session)
        return session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).scalar() or ""


def redact(values: dict) -> dict:
    """Keep the audit log free of raw personal numbers: note that they changed, not what to."""
    return {k: ("（已修改，内容不记入日志）" if k in SENSITIVE_FIELDS and v not in (None, "") else v) for k, v in values.items()}


APPENDED_KEY = "audit_appended"  # session.info: the newest event appended in the current transaction


class AuditChain:
    """Appends events to the chain within one flush/transaction (keyed when the session carries the install key)."""

    def __init__(self, session: Session):
        self.session = session
        self.prev = last_hash(session)
        self.key: InstallKey | None = session.info.get("install_key")

    def append(self, action: str, entity: str = "", entity_id: str = "", summary: dict | None = None) -> AuditEvent:
        summary = json.loads(json.dumps(summary or {}, ensure_ascii=False, default=str))
        at = utcnow()
        user = self.session.info.get("user", "") or ""
        if self.key is not None:
            digest = keyed_digest(self.key, self.prev, at, user, action, entity, entity_id, summary)
            key_id = self.key.key_id
        else:
            digest = event_digest(self.prev, at, user, action, entity, entity_id, summary)
            key_id = ""
        event = AuditEvent(
            at=at, user=user, action=action, entity=entity, entity_id=entity_id,
            summary=summary, prev_hash=self.prev, hash=digest, key_id=key_id,
        )
        self.session.add(event)
        self.session.info[APPENDED_KEY] = event
        self.prev = digest
        return event


def record(session: Session, action: str, entity: str = "", entity_id: str = "", summary: dict | None = None) -> None:
    """Record one user-level event (e.g. an import summary) on the chain."""
    AuditChain(session).append(action, entity, entity_id, summary)
    session.flush()


# --- the chain head outside the database ------------------------------------------------------


@dataclass(frozen=True)
class Witness:
    """A chain head (seq, hash) seen by someone the database file cannot change: the signed file, a backup, the county."""

    source: str  # local | county | backup
    seq: int
    hash: str
    at: str | None = None

    @property
    def label(self) -> str:
        where = {"local": "本机链头记录", "county": "县级平台见证", "backup": "备份清单"}.get(self.source, self.source)
        return f"{where}（第 {self.seq} 条{'，' + self.at if self.at else ''}）"

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AnchorState:
    """What the head file beside the database says: ok (with the witness), missing, invalid (forged) or foreign."""

    status: str
    witness: Witness | None = None
    message: str = ""


def anchor_path(data_dir: Path) -> Path:
    return Path(data_dir) / ANCHOR_FILE


def _anchor_body(seq: int, digest: str, key: InstallKey, written_at: str) -> dict:
    return {"format": ANCHOR_FORMAT, "version": 1, "seq": int(seq), "hash": digest, "key_id": key.key_id,
            "install_id": key.install_id, "written_at": written_at}


def _anchor_bytes(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")


def read_anchor(data_dir: Path, key: InstallKey | None) -> AnchorState:
    path = anchor_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AnchorState("missing", message="本机链头记录文件不存在。")
    except (OSError, ValueError) as exc:
        return AnchorState("invalid", message=f"本机链头记录文件无法读取（{exc}）。")
    if not isinstance(raw, dict) or raw.get("format") != ANCHOR_FORMAT:
        return AnchorState("invalid", message="本机链头记录文件格式不对（被改动或替换）。")
    body = {k: raw.get(k) for k in ("format", "version", "seq", "hash", "key_id", "install_id", "written_at")}
    if key is None or body["key_id"] != key.key_id:
        return AnchorState("foreign", message="本机链头记录由另一把安装密钥签名（例如从备份恢复后），无法核对。")
    if not isinstance(body["seq"], int) or not isinstance(body["hash"], str) \
            or not key.check(PURPOSE_ANCHOR, _anchor_bytes(body), raw.get("mac")):
        return AnchorState("invalid", message="本机链头记录文件的签名不符：文件被改动过。")
    return AnchorState("ok", Witness("local", body["seq"], body["hash"], local_time_text(body.get("written_at")) or None))


def write_anchor(data_dir: Path, key: InstallKey, seq: int, digest: str) -> Path:
    """Sign and store the head (temp file + rename, mode 600)."""
    written = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    body = _anchor_body(seq, digest, key, written)
    body["mac"] = key.mac(PURPOSE_ANCHOR, _anchor_bytes(body))
    target = anchor_path(data_dir)
    tmp = target.with_name(f".{ANCHOR_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(body, ensure_ascii=False).encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, target)
    return target


def advance_anchor(data_dir: Path, key: InstallKey, seq: int, digest: str, hash_at) -> bool:
    """Move the head file forward to (seq, digest) if that is newer and the chain still holds the old head.

    `hash_at(seq)` reads a row's hash. A head file pointing at a row that is
    gone or changed is evidence of truncation or rewriting: it is left as it
    is, so `audit verify` keeps reporting it. True when written.
    """
    with _anchor_lock(data_dir):  # two processes committing at once: the newer head must win
        current = read_anchor(data_dir, key)
        if current.status == "ok":
            old = current.witness
            if seq <= old.seq or hash_at(old.seq) != old.hash:
                return False
        elif current.status == "invalid":
            return False  # keep the tampered file as evidence
        write_anchor(data_dir, key, seq, digest)
        return True


@contextmanager
def _anchor_lock(data_dir: Path):
    """An advisory lock beside the head file (POSIX); elsewhere none, and at worst the head file lags one commit."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(Path(data_dir) / f".{ANCHOR_FILE}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def chain_head(session: Session) -> tuple[int, str] | None:
    row = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


# --- verify -----------------------------------------------------------------------------------


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken: int | None
    message: str
    code: str | None = None
    head: dict | None = None
    witnesses: list[dict] = field(default_factory=list)
    last_witnessed: dict | None = None
    unverified: int = 0  # rows under another install's key: checked by their links only


def verify_chain(session: Session, *, key: InstallKey | None = None, witnesses: list[Witness] | tuple = ()) -> ChainReport:
    """Walk the whole chain, then hold it against each witness (see the module doc)."""
    key = key if key is not None else session.info.get("install_key")
    wanted = {w.seq for w in witnesses}
    found: dict[int, str] = {}
    prev, checked, unverified = "", 0, 0
    keyed_seen = ours_seen = False
    head: tuple[int, str] | None = None
    columns = (AuditEvent.seq, AuditEvent.at, AuditEvent.user, AuditEvent.action, AuditEvent.entity,
               AuditEvent.entity_id, AuditEvent.summary, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.key_id)
    rows = session.execute(select(*columns).order_by(AuditEvent.seq).execution_options(yield_per=2000))
    for seq, at, user, action, entity, entity_id, summary, prev_hash, digest, key_id in rows:
        fields = (at, user, action, entity, entity_id, summary)
        problem = None
        if prev_hash != prev:
            problem = BROKEN
        else:
            plain = event_digest(prev_hash, *fields)
            if not key_id:
                if keyed_seen:
                    problem = REWRITTEN  # a plain row after keyed ones: recomputed by someone without the key
                elif digest != plain:
                    problem = BROKEN
            elif key is not None and key_id == key.key_id:
                if digest == keyed_digest(key, prev_hash, *fields):
                    ours_seen = True
                else:
                    problem = REWRITTEN if digest == plain else BROKEN
            else:  # another install's key (a restore without the key): only the links can be checked here
                if ours_seen or digest == plain:
                    problem = REWRITTEN
                else:
                    unverified += 1
        if problem is not None:
            return _failed(problem, seq, checked, head, witnesses)
        keyed_seen = keyed_seen or bool(key_id)
        prev = digest
        checked += 1
        head = (seq, digest)
        if seq in wanted:
            found[seq] = digest
    for witness in sorted(witnesses, key=lambda w: w.seq):
        if head is None or witness.seq > head[0]:
            return _witness_failed(TRUNCATED, witness, checked, head, witnesses, unverified)
        if found.get(witness.seq) != witness.hash:
            return _witness_failed(REWRITTEN, witness, checked, head, witnesses, unverified)
    note = f"，其中 {unverified} 条由原安装的密钥签名（从备份恢复），本机只能核对其链接" if unverified else ""
    against = "；与" + "、".join(w.label for w in witnesses) + "一致" if witnesses else ""
    return ChainReport(
        ok=True, checked=checked, first_broken=None, message=f"审计日志完整，共核验 {checked} 条{note}{against}。",
        head=_head(head), witnesses=[w.as_json() for w in witnesses], last_witnessed=_last(witnesses),
        unverified=unverified,
    )


def _head(head: tuple[int, str] | None) -> dict | None:
    return {"seq": head[0], "hash": head[1]} if head else None


def _last(witnesses) -> dict | None:
    return max(witnesses, key=lambda w: w.seq).as_json() if witnesses else None


def _failed(code: str, seq: int, checked: int, head, witnesses) -> ChainReport:
    if code == REWRITTEN:
        message = (f"审计日志自第 {seq} 条起被重新计算过（哈希不是用本机密钥生成的）：有人改动了日志并试图掩盖。"
                   "请保留现场，从备份恢复并联系县政务公开办核对。")
    else:
        message = f"审计日志第 {seq} 条被修改、插入或其前一条被删除，日志链自此断开。"
    return ChainReport(ok=False, checked=checked, first_broken=seq, message=message, code=code, head=_head(head),
                       witnesses=[w.as_json() for w in witnesses], last_witnessed=_last(witnesses))


def _witness_failed(code: str, witness: Witness, checked: int, head, witnesses, unverified: int) -> ChainReport:
    last = head[0] if head else 0
    if code == TRUNCATED:
        first = last + 1
        message = (f"审计日志被截短：{witness.label}显示日志至少有 {witness.seq} 条，现在只到第 {last} 条，"
                   f"第 {first} 条起的记录已被删除（或断电丢失了最近的写入）。请从备份恢复并联系县政务公开办核对。")
    else:
        first = witness.seq
        message = (f"审计日志被改写：第 {witness.seq} 条的哈希与{witness.label}记录的不同，"
                   "日志在该处之前被改动并重新计算过（或被截短后又写入了新记录）。请保留现场，从备份恢复并联系县政务公开办核对。")
    return ChainReport(ok=False, checked=checked, first_broken=first, message=message, code=code, head=_head(head),
                       witnesses=[w.as_json() for w in witnesses], last_witnessed=witness.as_json(),
                       unverified=unverified)
