"""Importing a batch of photos: files and folders in, archived originals and `photo` rows out.

Pure work (read, hash, decode, measure, write the original and a thumbnail)
runs on a small thread pool — Pillow and hashlib release the GIL — while
the database work stays on the calling thread in ONE transaction for the
whole batch. An original is written (temp + fsync + rename) before its row;
if the transaction fails or is cancelled, every file this batch newly added
is removed again, so the archive holds only files a committed row knows.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from zwgk_desktop.core.models import Photo, Posting, new_id
from zwgk_desktop.errors import InvalidInput, NotFound, ZwgkError
from zwgk_desktop.services.photos.archive import (
    fsync_directories,
    remove_original,
    save_thumbnail,
    store_original,
)
from zwgk_desktop.services.photos.link import ROLES, apply_link, describe_photo_use
from zwgk_desktop.services.photos.probe import (
    IMAGE_EXTENSIONS,
    PhotoProbe,
    PhotoRejected,
    probe_bytes,
    read_photo_file,
)

log = logging.getLogger(__name__)

MAX_WORKERS = 4
SHA_QUERY_CHUNK = 500


@dataclass
class ProcessedFile:
    """What the worker learnt and did for one source file."""

    path: Path
    probe: PhotoProbe | None = None
    rejection: PhotoRejected | None = None
    stored_path: str = ""
    added_file: bool = False


@dataclass
class ImportReport:
    imported: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"imported": self.imported, "rejected": self.rejected, "skipped": self.skipped}


def expand_paths(paths) -> tuple[list[Path], list[Path], list[Path]]:
    """(files to probe, non-image files skipped inside folders, paths that don't exist).

    Files named explicitly are always probed (a text file called .jpg is
    rejected, not skipped); folders are walked recursively, hidden entries
    ignored, and only photo extensions taken.
    """
    files, skipped, missing, seen = [], [], [], set()

    def add(path: Path) -> None:
        key = os.path.normcase(str(path.resolve()))
        if key not in seen:
            seen.add(key)
            files.append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    candidate = Path(root) / name
                    if candidate.suffix.lower() in IMAGE_EXTENSIONS:
                        add(candidate)
                    else:
                        skipped.append(candidate)
        elif path.is_file():
            add(path)
        else:
            missing.append(path)
    return files, skipped, missing


def process_file(config, path: Path) -> ProcessedFile:
    """Worker: probe one file and, if acceptable, archive its original and cache a thumbnail."""
    result = ProcessedFile(path=path)
    try:
        data = read_photo_file(path)
        probe = probe_bytes(data, config.settings)
        try:
            result.stored_path, result.added_file = store_original(config, data, probe.sha256, probe.extension)
        except OSError as exc:
            raise ZwgkError(
                f"无法把照片写入档案目录 {config.photos_dir}（{exc.strerror or exc}），本批照片均未导入。"
                "请检查磁盘空间和文件夹权限。",
                code="archive_write",
            ) from exc
        try:
            save_thumbnail(config, probe.sha256, probe.thumbnail)
        except OSError:  # the cache is optional; the evidence is the original
            log.warning("thumbnail cache write failed for %s", path, exc_info=True)
        probe.thumbnail = None
        result.probe = probe
    except PhotoRejected as exc:
        result.rejection = exc
    return result


def existing_photos_by_sha(session, shas) -> dict[str, Photo]:
    shas = sorted(set(shas))
    found: dict[str, Photo] = {}
    for start in range(0, len(shas), SHA_QUERY_CHUNK):
        chunk = shas[start : start + SHA_QUERY_CHUNK]
        for photo in session.scalars(select(Photo).where(Photo.sha256.in_(chunk))):
            found[photo.sha256] = photo
    return found


def photo_row(processed: ProcessedFile, user: str) -> Photo:
    probe = processed.probe
    return Photo(
        id=new_id(),
        sha256=probe.sha256,
        original_name=processed.path.name[:300],
        stored_path=processed.stored_path,
        size_bytes=probe.size_bytes,
        mime=probe.mime,
        width=probe.width,
        height=probe.height,
        taken_at=probe.taken_at_local,
        taken_at_offset=probe.taken_at_offset,
        gps_lat=probe.gps_lat,
        gps_lon=probe.gps_lon,
        device_make=probe.device_make,
        device_model=probe.device_model,
        flags=list(probe.flags),
        imported_by=user,
    )


def imported_entry(processed: ProcessedFile, photo: Photo) -> dict:
    probe = processed.probe
    return {
        "path": str(processed.path),
        "photo_id": photo.id,
        "sha256": probe.sha256,
        "taken_at": probe.taken_at.isoformat() if probe.taken_at else None,
        "width": probe.width,
        "height": probe.height,
        "flags": list(photo.flags),
        "gps": [probe.gps_lat, probe.gps_lon] if probe.gps_lat is not None else None,
        "device": " ".join(part for part in (probe.device_make, probe.device_model) if part),
        "posting_id": photo.posting_id,
        "role": photo.role,
    }


def rejected_entry(path: Path, code: str, message: str) -> dict:
    return {"path": str(path), "code": code, "message": message}


def import_photos(database, config, paths, *, posting_id: str | None = None, role: str | None = None,
                  job=None, user: str = "") -> ImportReport:
    """Archive photos from files/folders in one transaction; optionally link them all to a posting."""
    if role is not None and role not in ROLES:
        raise InvalidInput(f"照片用途只能是 start（张贴照）或 end（期满照），收到：{role}", code="invalid_role")
    files, skipped, missing = expand_paths(paths)
    report = ImportReport(skipped=[str(p) for p in skipped])
    report.rejected.extend(rejected_entry(p, "not_found", "找不到该文件或文件夹。") for p in missing)
    if posting_id is not None:
        with database.session() as session:
            if session.get(Posting, posting_id) is None:
                raise NotFound(f"找不到张贴记录（{posting_id}），请先登记张贴再导入照片。")
    processed: list[ProcessedFile] = []
    try:
        probe_and_store_all(config, files, job, processed)
        with database.session(user) as session:
            record_batch(session, config, processed, report, posting_id, role, user, job)
            fsync_directories(
                (config.archive_dir / p.stored_path).parent for p in processed if p.added_file
            )
    except BaseException:
        remove_unreferenced_new_files(database, config, processed)
        raise
    return report


def probe_and_store_all(config, files: list[Path], job, results: list[ProcessedFile]) -> None:
    """Run `process_file` over all files on a thread pool, appending to `results` in order.

    On cancel (or any error) the pool is drained and every finished result is
    still appended, so the caller can remove the originals already written.
    """
    workers = max(1, min(MAX_WORKERS, os.cpu_count() or 1, len(files) or 1))
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="photo-import")
    futures = []
    collected = 0
    try:
        futures = [executor.submit(process_file, config, path) for path in files]
        for index, future in enumerate(futures):
            if job is not None:
                job.check()
                job.progress(index, len(files), f"正在读取照片 {files[index].name}")
            results.append(future.result())
            collected += 1
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        for future in futures[collected:]:
            if future.done() and not future.cancelled() and future.exception() is None:
                results.append(future.result())
        raise
    executor.shutdown(wait=True)
    if job is not None:
        job.progress(len(files), len(files), "照片读取完成")


def record_batch(session, config, processed, report: ImportReport, posting_id, role, user, job) -> None:
    posting = session.get(Posting, posting_id) if posting_id else None
    accepted = [p for p in processed if p.probe is not None]
    existing = existing_photos_by_sha(session, [p.probe.sha256 for p in accepted])
    first_in_batch: dict[str, Path] = {}
    for index, item in enumerate(processed):
        if job is not None:
            job.check()
        if item.rejection is not None:
            report.rejected.append(rejected_entry(item.path, item.rejection.code, item.rejection.message))
            continue
        sha = item.probe.sha256
        if sha in existing:
            report.rejected.append(
                rejected_entry(item.path, "duplicate", "重复照片：" + describe_photo_use(session, existing[sha]))
            )
            continue
        if sha in first_in_batch:
            report.rejected.append(
                rejected_entry(item.path, "duplicate", f"重复照片：与本次导入的 {first_in_batch[sha].name} 内容完全相同。")
            )
            continue
        first_in_batch[sha] = item.path
        photo = photo_row(item, user)
        if posting is not None:
            apply_link(photo, posting, role, config.settings.photo_time_mismatch_days)
        session.add(photo)
        report.imported.append(imported_entry(item, photo))
    session.flush()


def remove_unreferenced_new_files(database, config, processed) -> None:
    """After a failed batch: delete originals this batch created that no committed row references."""
    new_files = [p for p in processed if p.added_file and p.probe is not None]
    if not new_files:
        return
    try:
        with database.session() as session:
            referenced = set(existing_photos_by_sha(session, [p.probe.sha256 for p in new_files]))
    except Exception:  # noqa: BLE001 - database unusable: nothing committed by us can reference them
        log.warning("could not check photo rows during cleanup", exc_info=True)
        referenced = set()
    for item in new_files:
        if item.probe.sha256 not in referenced:
            remove_original(config, item.stored_path)
