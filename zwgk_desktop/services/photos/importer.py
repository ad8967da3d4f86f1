"""Importing a batch of photos: files and folders in, archived originals and `photo` rows out.

Pure work (read, hash, decode, measure, write the original and a thumbnail)
runs on a small thread pool — Pillow and hashlib release the GIL — while
the database work stays on the calling thread in ONE transaction for the
whole batch. An original is written (temp + fsync + rename) before its row;
the archive folders are fsynced once per batch, after the rows are flushed.
If the transaction fails or is cancelled, every file this batch newly added
is removed again, so the archive holds only files a committed row knows.

Start-up overlap: `database` may be a zero-argument callable that opens the
database. The pool then starts decoding first and the calling thread opens
the database (importing SQLAlchemy and the models) meanwhile, so a command
line import uses both cores from its first second. This module imports the
database layer only inside the functions that need it.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zwgk_desktop.errors import InvalidInput, NotFound, ZwgkError
from zwgk_desktop.services.photos.archive import (
    fsync_directories,
    remove_original,
    save_thumbnail,
    store_original,
)
from zwgk_desktop.services.photos.probe import (
    IMAGE_EXTENSIONS,
    PhotoProbe,
    PhotoRejected,
    probe_bytes,
    read_photo_file,
)

if TYPE_CHECKING:
    from zwgk_desktop.core.models import Photo

log = logging.getLogger(__name__)

MAX_WORKERS = 4
"""Upper bound of pool threads; the pool uses one more thread than CPUs so that a
worker waiting on an original's fsync doesn't leave a core idle."""
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
    from sqlalchemy import select

    from zwgk_desktop.core.models import Photo

    shas = sorted(set(shas))
    found: dict[str, Photo] = {}
    for start in range(0, len(shas), SHA_QUERY_CHUNK):
        chunk = shas[start : start + SHA_QUERY_CHUNK]
        for photo in session.scalars(select(Photo).where(Photo.sha256.in_(chunk))):
            found[photo.sha256] = photo
    return found


def photo_row(processed: ProcessedFile, user: str) -> Photo:
    from zwgk_desktop.core.models import Photo, new_id

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


def opened(database):
    """`database` itself when it is an opened `Database`, else the result of calling it (an opener)."""
    return database if hasattr(database, "session") else database()


def import_photos(database, config, paths, *, posting_id: str | None = None, role: str | None = None,
                  job=None, user: str = "") -> ImportReport:
    """Archive photos from files/folders in one transaction; optionally link them all to a posting.

    `database` is an opened `Database` or a zero-argument callable opening one
    (then decoding starts while it opens; see the module doc).
    """
    if role is not None:
        from zwgk_desktop.services.photos.link import ROLES

        if role not in ROLES:
            raise InvalidInput(f"照片用途只能是 start（张贴照）或 end（期满照），收到：{role}", code="invalid_role")
    files, skipped, missing = expand_paths(paths)
    report = ImportReport(skipped=[str(p) for p in skipped])
    report.rejected.extend(rejected_entry(p, "not_found", "找不到该文件或文件夹。") for p in missing)
    if posting_id is not None:
        database = opened(database)
        check_posting_exists(database, posting_id)
    processed: list[ProcessedFile] = []
    pool = ProbePool(config, files)
    try:
        database = opened(database)
        pool.collect(job, processed)
        with database.session(user) as session:
            record_batch(session, config, processed, report, posting_id, role, user, job)
            fsync_directories(
                (config.archive_dir / p.stored_path).parent for p in processed if p.added_file
            )
    except BaseException:
        pool.abort(processed)
        remove_unreferenced_new_files(database if hasattr(database, "session") else None, config, processed)
        raise
    return report


def check_posting_exists(database, posting_id: str) -> None:
    from zwgk_desktop.core.models import Posting

    with database.session() as session:
        if session.get(Posting, posting_id) is None:
            raise NotFound(f"找不到张贴记录（{posting_id}），请先登记张贴再导入照片。")


class ProbePool:
    """`process_file` over a list of files on a thread pool that starts working as soon as it is made."""

    def __init__(self, config, files: list[Path]):
        self.files = files
        workers = max(1, min(MAX_WORKERS, (os.cpu_count() or 1) + 1, len(files) or 1))
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="photo-import")
        self.futures: list[Future] = [self.executor.submit(process_file, config, path) for path in files]
        self.collected = 0

    def collect(self, job, results: list[ProcessedFile]) -> None:
        """Append every result to `results` in file order, reporting progress and honouring cancel."""
        total = len(self.files)
        for index in range(self.collected, total):
            if job is not None:
                job.check()
                job.progress(index, total, f"正在读取照片 {self.files[index].name}")
            results.append(self.futures[index].result())
            self.collected += 1
        self.executor.shutdown(wait=True)
        if job is not None:
            job.progress(total, total, "照片读取完成")

    def abort(self, results: list[ProcessedFile]) -> None:
        """Stop: cancel what hasn't started, wait for the rest, append every finished result.

        The caller can then remove the originals those results wrote.
        """
        self.executor.shutdown(wait=True, cancel_futures=True)
        for future in self.futures[self.collected:]:
            if future.done() and not future.cancelled() and future.exception() is None:
                results.append(future.result())
        self.collected = len(self.futures)


def record_batch(session, config, processed, report: ImportReport, posting_id, role, user, job) -> None:
    from zwgk_desktop.core.models import Posting
    from zwgk_desktop.services.photos.link import apply_link, describe_photo_use

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
    """After a failed batch: delete originals this batch created that no committed row references.

    `database` is None when it could not even be opened: then no committed row can know them.
    """
    new_files = [p for p in processed if p.added_file and p.probe is not None]
    if not new_files:
        return
    referenced: set[str] = set()
    if database is not None:
        try:
            with database.session() as session:
                referenced = set(existing_photos_by_sha(session, [p.probe.sha256 for p in new_files]))
        except Exception:  # noqa: BLE001 - database unusable: nothing committed by us can reference them
            log.warning("could not check photo rows during cleanup", exc_info=True)
    for item in new_files:
        if item.probe.sha256 not in referenced:
            remove_original(config, item.stored_path)
