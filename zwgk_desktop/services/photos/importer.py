"""Importing a batch of photos: files and folders in, archived originals, `photo` rows and QR links out.

Pure work runs on a thread pool — Pillow, hashlib and zxing-cpp release the
GIL, and threads measured faster than processes here (see the note in
`tests/bench/bench_photos.py`): read (regular files only, up to the size
limit), SHA-256, EXIF, draft decode, blur and darkness measures, the quick
QR pass, the thumbnail, and writing the original (temp + fsync + rename)
and its cached thumbnail. A `PixelBudget` bounds the decoded pixels the
workers hold at once, so memory stays small whatever a folder holds.

The QR code is read on the draft decode first. Only for a JPEG where the
draft found none (or only codes with modules so small that a second poster
beside it may have been missed) AND that could show a posted notice (taken
within some posting's window or soon after a poster was printed, or
without EXIF time) is the photo decoded again at full resolution
(`qr.read_qr_full`), on the same pool: a poster small in the frame is still
read, while a folder of holiday pictures costs nothing extra.

The database work stays on the calling thread in ONE transaction for the
whole batch: duplicates, rows, QR findings resolved (`qr.resolve_findings`),
stale posters and foreign codes flagged, and the auto-link to postings
(`link.auto_link`). If the transaction fails or is cancelled, every file
this batch newly added is removed again, so the archive holds only files a
committed row knows. The new originals' folders are fsynced on a few threads
while the rows are built, and the transaction commits after that.

Start-up overlap: `database` may be a zero-argument callable that opens the
database. The pool then starts decoding first and the calling thread opens
the database (importing SQLAlchemy and the models) meanwhile. This module
imports the database layer only inside the functions that need it.
"""

from __future__ import annotations

import logging
import os
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from zwgk_desktop.errors import InvalidInput, NotFound, ZwgkError
from zwgk_desktop.services.photos.archive import (
    absolute_stored_path,
    remove_original,
    save_thumbnail,
    start_directory_sync,
    store_original,
)
from zwgk_desktop.services.photos.budget import NO_BUDGET, PixelBudget
from zwgk_desktop.services.photos.probe import (
    IMAGE_EXTENSIONS,
    PhotoProbe,
    PhotoRejected,
    header_cost,
    open_regular_file,
    probe_bytes,
    read_open_file,
)

if TYPE_CHECKING:
    from zwgk_desktop.core.models import Photo

log = logging.getLogger(__name__)

MAX_WORKERS = 4
"""Upper bound of pool threads: two more than CPUs, so that workers waiting on an original's
fsync (tens of milliseconds on a township PC's hard disk) don't leave a core idle; the pixel
budget bounds what they hold."""
SHA_QUERY_CHUNK = 500
HEADER_BYTES = 64 * 1024
"""Read first to judge what a file will cost to decode (JPEG and PNG headers are in the first kilobytes)."""
QR_WINDOW_BEFORE_DAYS = 2
"""A photo may be taken a little before the posting day recorded for it."""
QR_WINDOW_AFTER_DAYS = 10
"""…and some days after the period ended (an end photo, or a stale poster still up)."""
PRINT_WINDOW_DAYS = 60
"""A printed poster may go up (and be photographed) this long after it was printed."""


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

    Anything named explicitly that exists and is not a folder is probed — a
    text file called .jpg is rejected, not skipped; a FIFO or device is
    rejected `special_file`, never `not_found`. Folders are walked
    recursively (symlinked folders are not followed), hidden entries ignored,
    and only entries with a photo extension taken (special files among them
    are rejected by the worker without being read).
    """
    files, skipped, missing, seen = [], [], [], set()

    def add(path: Path) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            files.append(path)

    for raw in paths:
        path = Path(raw)
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            missing.append(path)
            continue
        except OSError:
            add(path)  # exists but can't be examined: the worker reports why
            continue
        if stat.S_ISDIR(info.st_mode):
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
        else:
            add(path)
    return files, skipped, missing


def process_file(config, path: Path, budget=None) -> ProcessedFile:
    """Worker: probe one file and, if acceptable, archive its original and cache a thumbnail."""
    result = ProcessedFile(path=path)
    budget = budget or NO_BUDGET
    try:
        fd, size = open_regular_file(path)
        try:
            cost = header_cost(os.read(fd, HEADER_BYTES), size)  # read_open_file reads again from the start
            with budget.reserve(cost):  # file bytes + decoded pixels, held until the original is written
                data = read_open_file(fd)
                os.close(fd)
                fd = -1
                probe = probe_bytes(data, config.settings)
                result.stored_path, result.added_file = archive_original(config, data, probe)
                del data
        finally:
            if fd >= 0:
                os.close(fd)
        try:
            save_thumbnail(config, probe.sha256, probe.thumbnail)
        except OSError:  # the cache is optional; the evidence is the original
            log.warning("thumbnail cache write failed for %s", path, exc_info=True)
        probe.thumbnail = None
        result.probe = probe
    except PhotoRejected as exc:
        result.rejection = exc
    return result


def archive_original(config, data: bytes, probe: PhotoProbe) -> tuple[str, bool]:
    try:
        return store_original(config, data, probe.sha256, probe.extension)
    except OSError as exc:
        raise ZwgkError(
            f"无法把照片写入档案目录 {config.photos_dir}（{exc.strerror or exc}），本批照片均未导入。"
            "请检查磁盘空间和文件夹权限。",
            code="archive_write",
        ) from exc


def full_qr_pass(config, processed: ProcessedFile, budget) -> None:
    """Worker: read the archived original again at full resolution for a QR the draft missed."""
    from zwgk_desktop.services.photos.qr import read_qr_full

    try:
        data = absolute_stored_path(config, processed.stored_path).read_bytes()
    except OSError:
        return
    texts = list(processed.probe.qr_texts)
    texts += [text for text in read_qr_full(data, budget) if text not in texts]
    processed.probe.qr_texts = texts
    processed.probe.qr_full_pass = True


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
        qr=[],
        imported_by=user,
    )


def imported_entry(processed: ProcessedFile, photo: Photo, findings=(), linked=()) -> dict:
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
        "qr": [finding.as_json() for finding in findings],
        "linked": [{"posting_id": posting_id, "role": role} for posting_id, role in linked],
    }


def rejected_entry(path: Path, code: str, message: str) -> dict:
    return {"path": str(path), "code": code, "message": message}


def opened(database):
    """`database` itself when it is an opened `Database`, else the result of calling it (an opener)."""
    return database if hasattr(database, "session") else database()


@dataclass
class StartedBatch:
    """Files being probed already: the pool started before the database layer was even imported."""

    paths: tuple[str, ...]
    files: list[Path]
    skipped: list[Path]
    missing: list[Path]
    pool: ProbePool


def start_probing(config, paths, budget: PixelBudget | None = None) -> StartedBatch:
    """Expand the paths and start probing them on the pool right away (no database needed).

    The command line calls this before it imports the operations layer, so
    both cores decode photos while SQLAlchemy and the models load.
    """
    files, skipped, missing = expand_paths(paths)
    return StartedBatch(tuple(str(p) for p in paths), files, skipped, missing,
                        ProbePool(config, files, budget or PixelBudget()))


def import_photos(database, config, paths, *, posting_id: str | None = None, role: str | None = None,
                  job=None, user: str = "", budget: PixelBudget | None = None,
                  started: StartedBatch | None = None) -> ImportReport:
    """Archive photos from files/folders in one transaction; read their QR codes and link them.

    With `posting_id` every photo is linked to that posting (role by `role`
    or the EXIF day) and the QR auto-link is not applied; without it, photos
    whose QR names a posted notice are linked to it (see the module doc).
    `database` is an opened `Database` or a zero-argument callable opening one
    (then decoding starts while it opens); `started` is a batch already being
    probed for the same paths (`start_probing`).
    """
    if role is not None:
        from zwgk_desktop.services.photos.link import ROLES

        if role not in ROLES:
            if started is not None:
                started.pool.abort([])
            raise InvalidInput(f"照片用途只能是 start（张贴照）或 end（期满照），收到：{role}", code="invalid_role")
    if started is not None and started.paths != tuple(str(p) for p in paths):
        started.pool.abort([])
        started = None
    if started is None and posting_id is not None:
        database = opened(database)
        check_posting_exists(database, posting_id, user)
    batch = started or start_probing(config, paths, budget)
    report = ImportReport(skipped=[str(p) for p in batch.skipped])
    report.rejected.extend(rejected_entry(p, "not_found", "找不到该文件或文件夹。") for p in batch.missing)
    processed: list[ProcessedFile] = []
    pool = batch.pool
    try:
        database = opened(database)
        if started is not None and posting_id is not None:
            check_posting_exists(database, posting_id, user)
        worthy = QrWorthiness.load(database, config.settings.photo_time_mismatch_days)
        pool.collect(job, processed, worthy)
        # The new originals' folders are fsynced (their renames made durable) while the rows are
        # built; the transaction commits only after both.
        syncing = start_directory_sync((config.archive_dir / p.stored_path).parent for p in processed if p.added_file)
        try:
            with database.session(user) as session:
                record_batch(session, config, processed, report, posting_id, role, user, job)
                syncing.wait()
        finally:
            syncing.wait()
    except BaseException:
        pool.abort(processed)
        remove_unreferenced_new_files(database if hasattr(database, "session") else None, config, processed)
        raise
    return report


def check_posting_exists(database, posting_id: str, user: str = "") -> None:
    from zwgk_desktop.core.models import Posting
    from zwgk_desktop.services.photos.link import require_unlocked

    with database.session(user) as session:
        posting = session.get(Posting, posting_id)
        if posting is None:
            raise NotFound(f"找不到张贴记录（{posting_id}），请先登记张贴再导入照片。")
        require_unlocked(session, posting)


@dataclass
class QrWorthiness:
    """Which photo days could show a posted (or freshly printed) notice: worth a full-resolution QR pass."""

    intervals: list[tuple[date, date]] = field(default_factory=list)

    @classmethod
    def load(cls, database, slack_days: int = 3) -> "QrWorthiness":
        from sqlalchemy import select

        from zwgk_desktop.core.models import Posting, PrintedVersion, VerificationCode

        intervals = []
        with database.session() as session:
            for posted_on, planned_end, removed_on in session.execute(
                select(Posting.posted_on, Posting.planned_end, Posting.removed_on)
            ).all():
                end = max(d for d in (posted_on, planned_end, removed_on) if d is not None)
                intervals.append((posted_on - timedelta(days=QR_WINDOW_BEFORE_DAYS),
                                  end + timedelta(days=QR_WINDOW_AFTER_DAYS + slack_days)))
            for model in (PrintedVersion, VerificationCode):
                for created in session.execute(select(model.created_at)).scalars():
                    if created is not None:
                        day = created.date()
                        intervals.append((day - timedelta(days=1), day + timedelta(days=PRINT_WINDOW_DAYS)))
        return cls(merge_intervals(intervals))

    def covers(self, probe: PhotoProbe) -> bool:
        if not self.intervals:
            return False
        if probe.taken_at is None:
            return True
        day = probe.taken_at.date()
        return any(first <= day <= last for first, last in self.intervals)


def merge_intervals(intervals):
    merged: list[tuple[date, date]] = []
    for first, last in sorted(intervals):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def wants_full_qr_pass(item: ProcessedFile, worthy: QrWorthiness | None) -> bool:
    """A JPEG whose draft found no QR — or only codes so small that a neighbouring poster may have been
    missed — and that could show a posted notice."""
    from zwgk_desktop.services.photos.qr import SMALL_MODULE_PIXELS

    probe = item.probe
    if probe is None or probe.qr_full_pass or probe.format != "JPEG" or worthy is None:
        return False
    missed_maybe = not probe.qr_texts or probe.qr_module_px < SMALL_MODULE_PIXELS
    return missed_maybe and worthy.covers(probe)


class ProbePool:
    """`process_file` over a list of files on a thread pool that starts working as soon as it is made."""

    def __init__(self, config, files: list[Path], budget: PixelBudget | None = None):
        self.config, self.files = config, files
        self.budget = budget or PixelBudget()
        workers = max(1, min(MAX_WORKERS, (os.cpu_count() or 1) + 2, len(files) or 1))
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="photo-import")
        self.futures: list[Future] = [self.executor.submit(process_file, config, path, self.budget) for path in files]
        self.second: list[Future] = []
        self.collected = 0

    def collect(self, job, results: list[ProcessedFile], worthy: QrWorthiness | None = None) -> None:
        """Append every result to `results` in file order, reporting progress and honouring cancel;
        queue the full-resolution QR pass for the photos that need it and wait for those too."""
        total = len(self.files)
        for index in range(self.collected, total):
            if job is not None:
                job.check()
                job.progress(index, total, f"正在读取照片 {self.files[index].name}")
            item = self.futures[index].result()
            results.append(item)
            self.collected += 1
            if wants_full_qr_pass(item, worthy):
                self.second.append(self.executor.submit(full_qr_pass, self.config, item, self.budget))
        for number, future in enumerate(self.second):
            if job is not None:
                job.check()
                job.progress(total, total, f"正在识别照片中的二维码（{number + 1}/{len(self.second)}）")
            future.result()
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
    from zwgk_desktop.services.photos.link import apply_link, auto_link, describe_photo_use, judge_findings
    from zwgk_desktop.services.photos.qr import resolve_findings
    from zwgk_desktop.services.photos.quality import ordered_flags

    mismatch_days = config.settings.photo_time_mismatch_days
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
        findings = resolve_findings(session, item.probe.qr_texts) if item.probe.qr_texts else []
        linked: list[tuple[str, str]] = []
        if findings:
            photo.flags = ordered_flags(set(photo.flags) | set(judge_findings(session, photo, findings)))
        if posting is not None:
            apply_link(photo, posting, role, mismatch_days)
            linked = [(posting.id, photo.role)]
        session.add(photo)
        if findings:
            photo.qr = [finding.as_record() for finding in findings]
            if posting is None:
                session.flush()
                linked = auto_link(session, photo, findings, mismatch_days=mismatch_days)
                if linked:
                    from zwgk_desktop.services.photos.link import refresh_time_mismatch

                    refresh_time_mismatch(session, photo, mismatch_days)
        report.imported.append(imported_entry(item, photo, findings, linked))
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
