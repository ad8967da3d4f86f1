"""The county's use cases behind the web API and the `zwgk county` commands (no HTTP here).

Enrollment (one-time code → device token, only hashes stored), device
authentication, token rotation (a fresh token at every sync, the previous
one honoured for a day), expiry after `store.token_idle_days` of silence and
revocation, applying a batch of township changes (idempotent on the change
key AND on entity + entity_id + row_version, township isolation),
content-addressed resumable blob uploads with SHA-256 verification —
answered and accepted only for hashes the asking township's own rows name,
each township's partial upload kept apart —, witnesses of each township's
audit chain head, reference-data publishing and pulling by cursor, and
counts. Request bodies are parsed strictly (`parse_json`: depth and integer
range limits, no NaN/Infinity). Every function takes the `CountyStore`;
errors are `CountyError`s with a stable code, an HTTP status and a Chinese
message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zwgk_desktop.county.store import (
    Blob, BlobRef, CountyStore, CountyTownship, Device, EnrollCode, Receipt, Record, Reference, Witness,
    hash_secret, insert_ignore, new_enroll_code, new_token, utcnow,
)
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.fileio import fsync_directory

MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_CHUNK_BYTES = 8 * 1024 * 1024
MAX_BLOB_BYTES = 200 * 1024 * 1024
MAX_BATCH_RECORDS = 1000
MAX_HASHES = 5000
REFERENCE_PAGE = 500
ENROLL_CODE_DAYS = 7

ITEMS_ENTITY = "disclosure_items"
SYNCED_ENTITIES = frozenset({
    "township", "village", "village_group", "notice_board", "household", "catalog_item", "disclosure",
    ITEMS_ENTITY, "status_change", "posting", "photo", "objection", "printed_version", "photo_link",
    "verification_code",  # 核验码 printed on posters: the public page /v/{code} answers from them
    "evidence_exception",  # a reviewer's 情况说明 for postings without clear photos
})
# 依申请公开: the register (requesters masked; their identity never leaves the township) and the yearly counts.
REQUEST_ENTITIES = frozenset({
    "info_request", "info_request_consultation", "info_request_appeal", "info_request_letter", "annual_report",
})
SYNCED_ENTITIES = SYNCED_ENTITIES | REQUEST_ENTITIES
BLOB_ENTITIES = ("photo", "printed_version")
REFERENCE_KINDS = ("calendar", "catalogue", "standard", "announcement", "template")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_JSON_DEPTH = 32
MAX_INT = 2**63 - 1  # what a BIGINT column (SQLite INTEGER, PostgreSQL BIGINT) holds
MIN_INT = -(2**63)
TOKEN_GRACE = timedelta(days=1)


class CountyError(ZwgkError):
    """A refused request: `status` is the HTTP status the API answers with."""

    code = "county_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None, detail: dict | None = None):
        super().__init__(message, code=code, detail=detail)
        if status is not None:
            self.status = status


# --- strict JSON -------------------------------------------------------------------


class _Refused(Exception):
    """A number the county does not accept (raised from the JSON parser's hooks)."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise _Refused(f"整数 {text[:24]}… 超出 64 位范围")
    value = int(text)
    if not MIN_INT <= value <= MAX_INT:
        raise _Refused(f"整数 {text} 超出 64 位范围")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"数值 {text[:24]} 超出范围")
    return value


def _no_constant(name: str):
    raise _Refused(f"不接受 {name}")


def parse_json(body: bytes) -> object:
    """Decode a request body: at most MAX_JSON_DEPTH levels, integers within 64 bits, no NaN or Infinity.

    Anything else is a 400 `invalid_input` (never a 500 from deep recursion or an overflowing column).
    """
    try:
        text = (body or b"{}").decode("utf-8")
        data = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:
        raise CountyError(f"请求体 JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）。", code="invalid_input") from None
    except _Refused as exc:
        raise CountyError(f"请求体中的数值不被接受：{exc}（整数须在 64 位范围内，不接受 NaN、Infinity）。",
                          code="invalid_input") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise CountyError("请求体不是有效的 UTF-8 JSON。", code="invalid_json") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise CountyError(f"请求体 JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）。", code="invalid_input")
    return data


def json_depth(value: object) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def bounded(value: int, name: str) -> int:
    """A non-negative integer parameter within 64 bits, else 400."""
    if not 0 <= value <= MAX_INT:
        raise CountyError(f"参数 {name} 超出范围（0 到 {MAX_INT}）。", code="invalid_input")
    return value


# --- townships, enrollment, devices ----------------------------------------------


def get_or_create_township(session: Session, name: str) -> CountyTownship:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise CountyError("乡镇名称不能为空且不超过100字。", code="invalid_input")
    township = session.execute(select(CountyTownship).where(CountyTownship.name == name)).scalar_one_or_none()
    if township is None:
        township = CountyTownship(name=name)
        session.add(township)
        session.flush()
    return township


def issue_enroll_code(store: CountyStore, township_name: str) -> dict:
    """A one-time code (valid 7 days) with which one township install enrolls."""
    code = new_enroll_code()
    with store.session() as session:
        township = get_or_create_township(session, township_name)
        session.add(EnrollCode(
            code_hash=hash_secret(normalise_code(code)), township_id=township.id,
            expires_at=utcnow() + timedelta(days=ENROLL_CODE_DAYS),
        ))
    return {"code": code, "township": township.name, "expires_days": ENROLL_CODE_DAYS}


def normalise_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def enroll_device(store: CountyStore, code: str, device_name: str) -> dict:
    """Exchange a one-time code for a device token (returned once, stored only as a hash)."""
    with store.session() as session:
        row = session.get(EnrollCode, hash_secret(normalise_code(code)))
        if row is None or row.used_at is not None or row.expires_at < utcnow():
            raise CountyError("注册码无效、已使用或已过期，请向县政务公开办重新申请。", code="bad_enroll_code", status=403)
        token = new_token()
        device = Device(township_id=row.township_id, name=(device_name or "")[:100], token_hash=hash_secret(token),
                        token_issued_at=utcnow())
        session.add(device)
        session.flush()
        row.used_at = utcnow()
        row.device_id = device.id
        township = session.get(CountyTownship, row.township_id)
        return {"device_id": device.id, "token": token, "township": township.name}


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    township_id: str
    township_name: str
    token_hash: str = ""


def authenticate(store: CountyStore, token: str | None) -> DeviceIdentity:
    """The device behind a bearer token; unknown, replaced, expired (idle) or revoked devices are refused."""
    if not token:
        raise CountyError("缺少设备令牌，请先注册本机（zwgk sync enroll）。", code="unauthorized", status=401)
    presented = hash_secret(token)
    with store.session() as session:
        device = session.execute(
            select(Device).where(or_(Device.token_hash == presented, Device.prev_token_hash == presented))
        ).scalars().first()
        now = utcnow()
        if device is not None and device.token_hash != presented and (
                device.prev_valid_until is None or device.prev_valid_until < now):
            device = None  # a replaced token past its grace period
        if device is None:
            raise CountyError("设备令牌无效或已被更换，请重新注册本机。", code="unauthorized", status=401)
        if device.revoked_at is not None:
            raise CountyError("本机的同步授权已被县里撤销，请联系县政务公开办。", code="device_revoked", status=403)
        idle = timedelta(days=store.token_idle_days)
        if now - (device.last_seen_at or device.token_issued_at or device.created_at) > idle:
            raise CountyError(f"本机超过 {store.token_idle_days} 天没有同步，设备令牌已过期。请向县政务公开办申请新的注册码，"
                              "重新注册本机（zwgk sync enroll）。", code="token_expired", status=401)
        if device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1):
            device.last_seen_at = now  # not on every request: each would be a committed write
        township = session.get(CountyTownship, device.township_id)
        return DeviceIdentity(device.id, township.id, township.name, presented)


def rotate_token(store: CountyStore, who: DeviceIdentity) -> dict:
    """A fresh token for the device; the one used to ask stays valid for TOKEN_GRACE (a lost answer locks no one out)."""
    token = new_token()
    with store.session() as session:
        device = session.get(Device, who.device_id, with_for_update=True)
        if device is None or device.revoked_at is not None:
            raise CountyError("本机的同步授权已被县里撤销，请联系县政务公开办。", code="device_revoked", status=403)
        now = utcnow()
        device.prev_token_hash = who.token_hash or device.token_hash
        device.prev_valid_until = now + TOKEN_GRACE
        device.token_hash = hash_secret(token)
        device.token_issued_at = now
        device.last_seen_at = now
    return {"token": token, "device_id": who.device_id}


def revoke_device(store: CountyStore, device_id: str) -> dict:
    with store.session() as session:
        device = session.get(Device, device_id)
        if device is None:
            raise CountyError(f"没有编号为 {device_id} 的设备。", code="not_found", status=404)
        if device.revoked_at is None:
            device.revoked_at = utcnow()
        return {"device_id": device.id, "revoked": True}


def list_devices(store: CountyStore) -> list[dict]:
    with store.session() as session:
        rows = session.execute(
            select(Device, CountyTownship.name).join(CountyTownship, Device.township_id == CountyTownship.id)
            .order_by(CountyTownship.name, Device.created_at)
        ).all()
        idle = timedelta(days=store.token_idle_days)
        now = utcnow()
        return [
            {"device_id": d.id, "township": name, "name": d.name, "revoked": d.revoked_at is not None,
             "last_seen_at": d.last_seen_at.isoformat() + "Z" if d.last_seen_at else None,
             "expired": now - (d.last_seen_at or d.token_issued_at or d.created_at) > idle}
            for d, name in rows
        ]


# --- changes -------------------------------------------------------------------------

_township_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(name: str) -> threading.Lock:
    with _locks_guard:
        return _township_locks.setdefault(name, threading.Lock())


class Rejected(Exception):
    def __init__(self, reason: str, status: str = "rejected"):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def apply_changes(store: CountyStore, who: DeviceIdentity, records: object) -> list[dict]:
    """Apply one batch in one transaction; answer per record accepted|duplicate|conflict|rejected."""
    if not isinstance(records, list):
        raise CountyError("请求格式错误：records 应为数组。", code="invalid_input")
    if len(records) > MAX_BATCH_RECORDS:
        raise CountyError(f"每批最多 {MAX_BATCH_RECORDS} 条记录。", code="too_large", status=413)
    results = []
    with _lock_for(who.township_id), store.session() as session:
        # The row lock (PostgreSQL; SQLite has one writer anyway) serialises batches across server processes.
        township = session.get(CountyTownship, who.township_id, with_for_update=True)
        known = Known.prefetch(session, records)
        for raw in records:
            results.append(apply_one(session, who, township, raw, known))
        session.flush()  # all inserts and updates of the batch go out together, then one commit
    return results


@dataclass
class Known:
    """What the store already holds for one batch, read with one query per table and kept current in memory.

    `receipts` by change key; `records` by (entity, entity_id), for every pair the batch names plus the
    notice behind each `disclosure_items` record (its ownership check). Rows the batch adds are put here too,
    so a later record of the same batch sees them exactly as a per-record query would have.
    """

    receipts: dict[str, Receipt]
    records: dict[tuple[str, str], Record]
    blob_refs: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def prefetch(cls, session: Session, records: list) -> "Known":
        keys, pairs = set(), set()
        for raw in records:
            if not isinstance(raw, dict):
                continue
            key, entity, entity_id = raw.get("key"), raw.get("entity"), raw.get("entity_id")
            if isinstance(key, str) and 1 <= len(key) <= 64:
                keys.add(key)
            if isinstance(entity, str) and isinstance(entity_id, str) and 1 <= len(entity_id) <= 36:
                pairs.add((entity, entity_id))
                if entity == ITEMS_ENTITY:
                    pairs.add(("disclosure", entity_id))
        receipts: dict[str, Receipt] = {}
        for part in _chunks(sorted(keys), 500):
            receipts.update((r.key, r) for r in session.execute(select(Receipt).where(Receipt.key.in_(part))).scalars())
        found: dict[tuple[str, str], Record] = {}
        for part in _chunks(sorted({entity_id for _entity, entity_id in pairs}), 500):
            for row in session.execute(select(Record).where(Record.entity_id.in_(part))).scalars():
                if (row.entity, row.entity_id) in pairs:
                    found[(row.entity, row.entity_id)] = row
        return cls(receipts, found)


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def apply_one(session: Session, who: DeviceIdentity, township: CountyTownship, raw: object, known: Known) -> dict:
    key = raw.get("key") if isinstance(raw, dict) else None
    if not isinstance(key, str) or not (1 <= len(key) <= 64):
        return {"key": key, "status": "rejected", "reason": "缺少或无效的幂等键 key。"}
    receipt = known.receipts.get(key)
    if receipt is not None:
        if receipt.township_id != who.township_id:
            return {"key": key, "status": "rejected", "reason": "该幂等键已被其他乡镇使用。"}
        status = "duplicate" if receipt.status == "accepted" else receipt.status
        return {"key": key, "status": status, "reason": receipt.reason}
    try:
        status = store_record(session, who, township, raw, known)
        reason = ""
    except Rejected as exc:
        if exc.status == "rejected":
            return {"key": key, "status": "rejected", "reason": exc.reason}
        status, reason = exc.status, exc.reason
    receipt = Receipt(
        key=key, township_id=who.township_id, entity=str(raw.get("entity")), entity_id=str(raw.get("entity_id")),
        row_version=_int(raw.get("row_version")), status=status, reason=reason,
    )
    session.add(receipt)
    known.receipts[key] = receipt
    return {"key": key, "status": status, "reason": reason}


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def validate_change(raw: dict) -> tuple[str, str, str, int, dict]:
    entity, entity_id, op = raw.get("entity"), raw.get("entity_id"), raw.get("op", "upsert")
    version, data = raw.get("row_version", 0), raw.get("data") or {}
    if entity not in SYNCED_ENTITIES:
        raise Rejected(f"县级不接收此类数据：{entity}。")
    if not isinstance(entity_id, str) or not (1 <= len(entity_id) <= 36):
        raise Rejected("记录编号 entity_id 无效。")
    if op not in ("upsert", "delete"):
        raise Rejected(f"未知操作 {op}。")
    if not isinstance(version, int) or isinstance(version, bool) or not 0 <= version <= MAX_INT:
        raise Rejected(f"row_version 应为 0 到 {MAX_INT} 之间的整数。")
    if not isinstance(data, dict):
        raise Rejected("data 应为对象。")
    if op == "upsert":
        if entity == ITEMS_ENTITY:
            items = data.get("items")
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise Rejected("明细数据 items 应为对象数组。")
        elif data.get("id") != entity_id:
            raise Rejected("data.id 与 entity_id 不一致。")
        if entity in BLOB_ENTITIES and not SHA256_RE.match(str(data.get("sha256", ""))):
            raise Rejected("照片或打印件记录缺少有效的 SHA-256。")
    return entity, entity_id, op, version, data


def check_ownership(session: Session, township: CountyTownship, entity: str, entity_id: str, data: dict,
                    known: Known) -> None:
    """A device may only write its own township's rows."""
    if entity == "township":
        if township.remote_id is None:
            other = session.execute(
                select(CountyTownship).where(CountyTownship.remote_id == entity_id)
            ).scalar_one_or_none()
            if other is not None and other.id != township.id:
                raise Rejected(f"该乡镇记录已属于“{other.name}”，不能由本设备写入。")
            township.remote_id = entity_id
        elif township.remote_id != entity_id:
            raise Rejected("本设备只能上报本乡镇的数据（乡镇编号不符）。")
    owner = data.get("township_id")
    if owner is not None and township.remote_id is not None and owner != township.remote_id:
        raise Rejected("本设备只能上报本乡镇的数据（township_id 不符）。")
    if entity == ITEMS_ENTITY:
        notice = known.records.get(("disclosure", entity_id))
        if notice is not None and notice.township_id != township.id:
            raise Rejected("该公示属于其他乡镇，不能写入其明细。")


def store_record(session: Session, who: DeviceIdentity, township: CountyTownship, raw: dict, known: Known) -> str:
    entity, entity_id, op, version, data = validate_change(raw)
    existing = known.records.get((entity, entity_id))
    if existing is not None and existing.township_id != township.id:
        raise Rejected("该记录属于其他乡镇，不能由本设备写入。")
    if op == "delete":
        if existing is None:
            add_record(session, known, Record(township_id=township.id, entity=entity, entity_id=entity_id,
                                              row_version=version, deleted=True, data={}, device_id=who.device_id))
        else:
            existing.deleted = True
            existing.received_at = utcnow()
        return "accepted"
    check_ownership(session, township, entity, entity_id, data, known)
    if existing is not None and not existing.deleted:
        if version == existing.row_version:
            return "duplicate"
        if version < existing.row_version:
            raise Rejected(
                f"县级已有更新的版本（{existing.row_version}），本次版本 {version} 未覆盖。", status="conflict"
            )
    item_count = len(data.get("items", [])) if entity == ITEMS_ENTITY else 0
    if entity in BLOB_ENTITIES:
        register_blob(session, township.id, data["sha256"], known)
    if existing is None:
        add_record(session, known, Record(township_id=township.id, entity=entity, entity_id=entity_id,
                                          row_version=version, data=data, item_count=item_count,
                                          device_id=who.device_id))
    else:
        existing.row_version, existing.data, existing.item_count = version, data, item_count
        existing.deleted, existing.received_at, existing.device_id = False, utcnow(), who.device_id
    return "accepted"


def register_blob(session: Session, township_id: str, sha256: str, known: "Known") -> None:
    """Note that `township_id`'s rows name `sha256` (so it may ask about and upload that file)."""
    if (township_id, sha256) in known.blob_refs:
        return
    insert_ignore(session, BlobRef, township_id=township_id, sha256=sha256)
    known.blob_refs.add((township_id, sha256))


def add_record(session: Session, known: Known, record: Record) -> None:
    session.add(record)
    known.records[(record.entity, record.entity_id)] = record


# --- blobs -----------------------------------------------------------------------------

_blob_locks: dict[tuple[str, str], threading.Lock] = {}


def _blob_lock(township_id: str, sha256: str) -> threading.Lock:
    with _locks_guard:
        return _blob_locks.setdefault((township_id, sha256), threading.Lock())


def check_sha(sha256: str) -> str:
    sha256 = (sha256 or "").lower()
    if not SHA256_RE.match(sha256):
        raise CountyError("SHA-256 格式错误。", code="invalid_input")
    return sha256


_known_refs: set[tuple[str, str]] = set()  # (township, hash) pairs seen registered; refs are never removed
_KNOWN_REFS_MAX = 200_000


def registered(session: Session, township_id: str, hashes: list[str]) -> set[str]:
    """Those of `hashes` that the township's own synced rows name (remembered: each chunk of an upload asks again)."""
    found = {h for h in hashes if (township_id, h) in _known_refs}
    for part in _chunks([h for h in hashes if h not in found], 500):
        found.update(session.execute(
            select(BlobRef.sha256).where(BlobRef.township_id == township_id, BlobRef.sha256.in_(part))
        ).scalars())
    with _locks_guard:
        if len(_known_refs) > _KNOWN_REFS_MAX:
            _known_refs.clear()
        _known_refs.update((township_id, h) for h in found)
    return found


def missing_blobs(store: CountyStore, who: DeviceIdentity, hashes: object) -> tuple[list[str], list[str]]:
    """(hashes the county lacks among those the township registered, hashes it did not register).

    Nothing is said about a hash the township's rows don't name: whether the
    county holds another township's photo is none of its business.
    """
    if not isinstance(hashes, list) or len(hashes) > MAX_HASHES:
        raise CountyError(f"hashes 应为不超过 {MAX_HASHES} 个的数组。", code="invalid_input")
    wanted = list(dict.fromkeys(check_sha(str(h)) for h in hashes))
    have: set[str] = set()
    with store.session() as session:
        own = registered(session, who.township_id, wanted)
        for part in _chunks(sorted(own), 500):
            have.update(session.execute(select(Blob.sha256).where(Blob.sha256.in_(part))).scalars())
    return [h for h in wanted if h in own and h not in have], [h for h in wanted if h not in own]


def partial_offsets(store: CountyStore, who: DeviceIdentity, hashes: list[str]) -> dict[str, int]:
    """Bytes already held of the township's own partly uploaded blobs among `hashes` (resume points)."""
    offsets = {}
    for sha256 in hashes:
        partial = store.partial_path(sha256, who.township_id)
        if partial.exists():
            offsets[sha256] = partial.stat().st_size
    return offsets


def require_registered(store: CountyStore, who: DeviceIdentity, sha256: str, status: int = 404) -> None:
    if (who.township_id, sha256) in _known_refs:
        return
    with store.session() as session:
        if not registered(session, who.township_id, [sha256]):
            raise CountyError("本乡镇上报的记录中没有这个文件，县级不提供其状态、也不接收其上传。请先同步照片或打印件记录。",
                              code="blob_not_registered", status=status)


def blob_status(store: CountyStore, who: DeviceIdentity, sha256: str) -> dict:
    """How many bytes of a blob the county holds for this township (the offset a resumed upload starts at)."""
    sha256 = check_sha(sha256)
    require_registered(store, who, sha256)
    return _status(store, who, sha256)


def _status(store: CountyStore, who: DeviceIdentity, sha256: str) -> dict:
    with store.session() as session:
        blob = session.get(Blob, sha256)
    if blob is not None:
        return {"sha256": sha256, "offset": blob.size, "complete": True, "size": blob.size}
    partial = store.partial_path(sha256, who.township_id)
    offset = partial.stat().st_size if partial.exists() else 0
    return {"sha256": sha256, "offset": offset, "complete": False, "size": None}


def put_blob_chunk(store: CountyStore, who: DeviceIdentity, sha256: str, offset: int, total: int, body: bytes,
                   on_partial_write=None) -> dict:
    """Append one chunk at `offset` of this township's upload; on the last byte verify the SHA-256 and keep or refuse it."""
    sha256 = check_sha(sha256)
    if total < 0 or total > MAX_BLOB_BYTES:
        raise CountyError(f"文件超过 {MAX_BLOB_BYTES // (1024 * 1024)} MB 上限。", code="too_large", status=413)
    if len(body) > MAX_CHUNK_BYTES:
        raise CountyError("分块超过 8 MB 上限。", code="too_large", status=413)
    if offset < 0 or offset + len(body) > total:
        raise CountyError("分块位置超出文件长度。", code="invalid_range", status=416)
    require_registered(store, who, sha256, status=403)
    with _blob_lock(who.township_id, sha256):
        status = _status(store, who, sha256)
        if status["complete"]:
            return status
        if offset != status["offset"]:
            raise CountyError("分块位置与县级已收到的字节数不符，请从返回的位置续传。", code="offset_mismatch",
                              status=409, detail={"offset": status["offset"]})
        partial = store.partial_path(sha256, who.township_id)
        partial.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "ab") as fh:
            if on_partial_write is not None:  # fault injection: write half, then die
                on_partial_write(fh, body)
            fh.write(body)
            fh.flush()
            if offset + len(body) == total:
                os.fsync(fh.fileno())
        if offset + len(body) < total:
            return {"sha256": sha256, "offset": offset + len(body), "complete": False, "size": None}
        return finish_blob(store, who, sha256, partial, total)


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def finish_blob(store: CountyStore, who: DeviceIdentity, sha256: str, partial: Path, total: int) -> dict:
    actual = sha256_of_file(partial)
    if actual != sha256:
        partial.unlink(missing_ok=True)
        raise CountyError("上传的文件内容与其 SHA-256 不符，县级已丢弃，请重新上传。", code="hash_mismatch",
                          status=422, detail={"expected": sha256, "actual": actual})
    target = store.blob_path(sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, target)  # content-addressed and verified: another township's identical copy is the same bytes
    fsync_directory(target.parent)
    with store.session() as session:
        insert_ignore(session, Blob, sha256=sha256, size=total, device_id=who.device_id, received_at=utcnow())
    return {"sha256": sha256, "offset": total, "complete": True, "size": total}


# --- audit chain witnesses --------------------------------------------------------------


def record_witness(store: CountyStore, who: DeviceIdentity, raw: object) -> dict:
    """Keep the township's audit chain head; a head that went backwards (fewer rows, or the same row changed) is a problem."""
    if not isinstance(raw, dict):
        raise CountyError("请求体应为 JSON 对象。", code="invalid_json")
    seq, digest, key_id = raw.get("seq"), raw.get("hash"), raw.get("key_id", "")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq <= MAX_INT:
        raise CountyError("seq 应为正整数。", code="invalid_input")
    if not isinstance(digest, str) or not SHA256_RE.match(digest):
        raise CountyError("hash 应为 64 位十六进制。", code="invalid_input")
    if not isinstance(key_id, str) or len(key_id) > 16:
        raise CountyError("key_id 无效。", code="invalid_input")
    with _lock_for(who.township_id), store.session() as session:
        session.get(CountyTownship, who.township_id, with_for_update=True)
        best = highest_witness(session, who.township_id)
        latest = session.execute(
            select(Witness).where(Witness.township_id == who.township_id).order_by(Witness.id.desc()).limit(1)
        ).scalar_one_or_none()
        problem = ""
        if best is not None and seq < best.seq:
            problem = (f"审计日志条数从县级见证过的 {best.seq} 条减少到 {seq} 条"
                       f"（{best.received_at:%Y-%m-%d} 见证），日志可能被截短或从旧备份恢复。")
        elif best is not None and seq == best.seq and digest != best.hash:
            problem = f"审计日志第 {seq} 条的哈希与县级见证的不同，日志可能被改写。"
        previous = _witness_json(best)
        if latest is None or (latest.seq, latest.hash) != (seq, digest):
            session.add(Witness(township_id=who.township_id, seq=seq, hash=digest, key_id=key_id,
                                device_id=who.device_id, problem=problem))
    return {"ok": not problem, "previous": previous, "problem": problem or None}


def highest_witness(session: Session, township_id: str) -> Witness | None:
    """The furthest point of the township's chain the county has seen (the witness a verify holds the chain to)."""
    return session.execute(
        select(Witness).where(Witness.township_id == township_id, Witness.problem == "")
        .order_by(Witness.seq.desc(), Witness.id.desc()).limit(1)
    ).scalar_one_or_none()


def township_witness(store: CountyStore, who: DeviceIdentity) -> dict:
    with store.session() as session:
        return {"head": _witness_json(highest_witness(session, who.township_id))}


def witness_state(session: Session, township_id: str) -> tuple[Witness | None, list[Witness]]:
    """(highest witness, reports that went backwards) for the staff page."""
    problems = list(session.execute(
        select(Witness).where(Witness.township_id == township_id, Witness.problem != "").order_by(Witness.id.desc())
        .limit(20)
    ).scalars())
    return highest_witness(session, township_id), problems


def _witness_json(witness: Witness | None) -> dict | None:
    if witness is None:
        return None
    return {"seq": witness.seq, "hash": witness.hash, "key_id": witness.key_id,
            "at": witness.received_at.isoformat() + "Z"}


def check_admin_key(store: CountyStore, offered: str) -> None:
    if not offered or not hmac.compare_digest(offered.strip().encode("utf-8"), store.admin_key().encode("utf-8")):
        raise CountyError("管理密钥不正确，未做任何修改。管理密钥在县级服务器上用 zwgk county admin-key 查看。",
                          code="forbidden", status=403)


# --- reference data --------------------------------------------------------------------


def publish_reference(store: CountyStore, kind: str, key: str, data: dict) -> dict:
    if kind not in REFERENCE_KINDS:
        raise CountyError(f"未知的参考数据类型 {kind}。", code="invalid_input")
    with store.session() as session:
        row = Reference(kind=kind, key=str(key)[:100], data=data)
        session.add(row)
        session.flush()
        return {"id": row.id, "kind": kind, "key": row.key}


def reference_since(store: CountyStore, since: int) -> dict:
    """Reference entries published after cursor `since` (oldest first), the new cursor, and whether more wait."""
    with store.session() as session:
        rows = list(session.execute(
            select(Reference).where(Reference.id > since).order_by(Reference.id).limit(REFERENCE_PAGE + 1)
        ).scalars())
    more = len(rows) > REFERENCE_PAGE
    rows = rows[:REFERENCE_PAGE]
    return {
        "items": [
            {"id": r.id, "kind": r.kind, "key": r.key, "data": r.data, "published_at": r.published_at.isoformat() + "Z"}
            for r in rows
        ],
        "cursor": rows[-1].id if rows else since,
        "more": more,
    }


# --- counts ------------------------------------------------------------------------------


def township_counts(session: Session, township_id: str) -> dict:
    """Live (not deleted) records per entity, line items, and referenced blobs held/missing."""
    counts = dict(session.execute(
        select(Record.entity, func.count()).where(
            Record.township_id == township_id, Record.deleted.is_(False), Record.entity != ITEMS_ENTITY
        ).group_by(Record.entity)
    ).all())
    items = session.execute(
        select(func.coalesce(func.sum(Record.item_count), 0)).where(
            Record.township_id == township_id, Record.entity == ITEMS_ENTITY, Record.deleted.is_(False)
        )
    ).scalar_one()
    hashes = referenced_hashes(session, township_id)
    held = {}
    for start in range(0, len(hashes), 500):
        part = sorted(hashes)[start : start + 500]
        held.update(session.execute(select(Blob.sha256, Blob.size).where(Blob.sha256.in_(part))).all())
    return {
        "counts": counts,
        "items": int(items),
        "blobs": len(held),
        "blobs_missing": len(hashes) - len(held),
        "blobs_bytes": int(sum(held.values())),
    }


def referenced_hashes(session: Session, township_id: str) -> set[str]:
    rows = session.execute(
        select(Record.data).where(
            Record.township_id == township_id, Record.entity.in_(BLOB_ENTITIES), Record.deleted.is_(False)
        )
    ).scalars()
    return {r.get("sha256") for r in rows if r.get("sha256")}


def device_stats(store: CountyStore, who: DeviceIdentity) -> dict:
    with store.session() as session:
        data = township_counts(session, who.township_id)
    data["township"] = who.township_name
    return data


def county_stats(store: CountyStore) -> dict:
    """`county stats`: per township what the county holds."""
    with store.session() as session:
        townships = list(session.execute(select(CountyTownship).order_by(CountyTownship.name)).scalars())
        result = []
        for t in townships:
            c = township_counts(session, t.id)
            result.append({
                "name": t.name,
                "disclosures": c["counts"].get("disclosure", 0),
                "items": c["items"],
                "postings": c["counts"].get("posting", 0),
                "photos": c["counts"].get("photo", 0),
                "blobs_bytes": c["blobs_bytes"],
                "blobs_missing": c["blobs_missing"],
            })
    return {"townships": result}
