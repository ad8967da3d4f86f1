"""Upload the files behind synced rows (photos, printed PDFs) by SHA-256, in resumable chunks.

Ask the county which of our hashes it lacks and how many bytes of each it
already holds (Anki media by checksum; an older county without offsets is asked
per file), then send the rest of each in chunks
(default 4 MB) from that offset. A cut connection resumes where the county's
copy ends; a 409 answer resyncs the offset. The county verifies the hash of the
assembled file; a refused file (local copy modified) is reported, not retried
in a loop. A missing local file is reported too; neither stops other uploads.
The county takes (and answers about) only hashes that our own synced rows
name; a file whose row it has not accepted yet is reported and left for the
next sync. Only files the county has not confirmed yet are asked about
(`receipts`: a sync with nothing new asks nothing), except in the weekly
full check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from zwgk_desktop.core.models import Photo, PrintedVersion
from zwgk_desktop.services.sync import receipts
from zwgk_desktop.services.sync.client import OffsetMismatch, SyncError, SyncUnreachable

CHUNK_SIZE = 4 * 1024 * 1024
ASK_BATCH = 1000


@dataclass
class BlobResult:
    uploaded: int = 0
    bytes_sent: int = 0
    problems: list[dict] = field(default_factory=list)


def file_tables() -> tuple[tuple[object, tuple], ...]:
    """(model, conditions for a row to have an archived file) of every table whose rows name a file."""
    return ((Photo, ()), (PrintedVersion, (PrintedVersion.stored_path != "",)))


def local_blobs(database, config, *, unconfirmed_only: bool = False) -> dict[str, Path]:
    """sha256 → file in the archive, for every photo and kept printed PDF (with `unconfirmed_only`: those the
    county has not confirmed holding, among the rows after each table's confirmed mark, see `receipts`)."""
    rows = []
    with database.session() as session:
        upto = receipts.confirmed_upto(session) if unconfirmed_only else {}
        for model, conditions in file_tables():
            query = select(model.sha256, model.stored_path).where(*conditions)
            if unconfirmed_only:
                query = query.where(receipts.rowid(model) > upto.get(model.__tablename__, 0),
                                    receipts.unconfirmed(model.sha256))
            rows += session.execute(query).all()
    return {sha: config.archive_dir / Path(stored) for sha, stored in rows if sha and stored}


def upload_missing(database, config, client, job=None, chunk_size: int = CHUNK_SIZE) -> BlobResult:
    result = BlobResult()
    with database.session() as session:
        full_check = receipts.full_check_due(session)
    files = local_blobs(database, config, unconfirmed_only=not full_check)
    hashes = sorted(files)
    offsets: dict[str, int | None] = {}
    for start in range(0, len(hashes), ASK_BATCH):
        asked = hashes[start : start + ASK_BATCH]
        missing_part, unregistered = client.missing_blob_answer(asked)
        offsets.update(missing_part)
        for sha256 in unregistered:
            name = files[sha256].name if sha256 in files else sha256[:12]
            result.problems.append({"code": "blob_not_registered", "sha256": sha256,
                                    "message": f"文件 {name} 所属的记录尚未被县级接收（可能被拒收），暂不上传。"})
        waiting = set(missing_part) | set(unregistered)
        held = [sha for sha in asked if sha not in waiting]
        receipts.confirm(database, held)  # the county holds these
    if full_check:
        receipts.record_full_check(database)
    missing = list(offsets)
    for index, sha256 in enumerate(missing):
        if job is not None:
            job.check()
            job.progress(index, len(missing), f"正在上传照片和打印件 {index + 1}/{len(missing)}")
        path = files.get(sha256)
        if path is None or not path.is_file():
            result.problems.append({"code": "blob_missing_locally", "sha256": sha256,
                                    "message": f"本机档案中找不到文件 {path}，无法上传，请运行 zwgk photos verify。"})
            continue
        try:
            sent = upload_file(client, sha256, path, chunk_size, job, offset=offsets[sha256])
        except SyncUnreachable:
            raise
        except SyncError as exc:
            if exc.code == "hash_mismatch":
                result.problems.append({"code": "hash_mismatch", "sha256": sha256,
                                        "message": f"文件 {path.name} 的内容与登记的校验值不符（可能被修改），县级拒收。"})
                continue
            if exc.code == "blob_not_registered":
                result.problems.append({"code": exc.code, "sha256": sha256, "message": exc.message})
                continue
            raise
        receipts.confirm(database, [sha256])  # complete on the county now (uploaded, or it had it already)
        if sent is not None:
            result.uploaded += 1
            result.bytes_sent += sent
    receipts.advance_confirmed_upto(database, file_tables())
    return result


def upload_file(client, sha256: str, path: Path, chunk_size: int, job=None, offset: int | None = None) -> int | None:
    """Send what the county lacks of one file; bytes sent, or None if it already had it all.

    `offset` is what the missing-hash answer said the county holds; without it, ask (`blob_status`).
    A stale offset costs nothing extra: the county answers 409 with the right one.
    """
    size = path.stat().st_size
    if offset is None:
        status = client.blob_status(sha256)
        if status.get("complete"):
            return None
        offset = int(status.get("offset") or 0)
    if offset > size:
        raise SyncError("县级保存的部分文件比本地文件还大。", code="hash_mismatch")
    sent = 0
    with open(path, "rb") as fh:
        while True:
            fh.seek(offset)
            data = fh.read(chunk_size)
            try:
                answer = client.put_blob_chunk(sha256, offset, size, data)
            except OffsetMismatch as exc:
                if exc.offset > size:
                    raise SyncError("县级保存的部分文件比本地文件还大。", code="hash_mismatch") from exc
                offset = exc.offset
                continue
            sent += len(data)
            if answer.get("complete"):
                return sent
            offset = int(answer["offset"])
            if job is not None:
                job.check()
