"""The photo archive on disk: originals by SHA-256, regenerable display/thumbnail caches, verification.

Originals are evidence: their bytes are never changed. Each lives at
`<archive>/photos/ab/abcdef….jpg` (path stored relative to the archive dir
in `photo.stored_path`), written to a temp file in the same folder, fsynced
and renamed into place. Thumbnails and oriented display copies live under
`config.cache_dir` and can be deleted at any time. `captioned_copy` burns a
caption into a COPY for sharing; `verify_archive` re-hashes every original.
Writing originals needs no database layer (SQLAlchemy is imported only by
`verify_archive`), so an import can start archiving while the database opens.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from PIL import Image

from zwgk_desktop.errors import NotFound
from zwgk_desktop.fileio import fsync_directory, write_bytes_atomically

PHOTOS_SUBDIR = "photos"
THUMBNAIL_QUALITY = 85
DISPLAY_LONG_SIDE = 2048
CAPTION_FONT_FILE = "wqy-microhei.ttc"
HASH_CHUNK = 1024 * 1024


# --- writing originals -----------------------------------------------------------------


def stored_relpath(sha256: str, extension: str) -> str:
    """Archive-relative POSIX path of an original: `photos/ab/<sha256><ext>`."""
    return f"{PHOTOS_SUBDIR}/{sha256[:2]}/{sha256}{extension}"


def absolute_stored_path(config, stored_path: str) -> Path:
    return config.archive_dir / Path(stored_path)


def store_original(config, data: bytes, sha256: str, extension: str) -> tuple[str, bool]:
    """Put the original bytes in the archive; returns (relative path, whether this call created the file).

    An existing file of the right size is left alone (the same content was archived before).
    """
    relpath = stored_relpath(sha256, extension)
    target = absolute_stored_path(config, relpath)
    try:
        if target.stat().st_size == len(data):
            return relpath, False
    except FileNotFoundError:
        pass
    ensure_folder(target.parent)
    write_durably(target, data)
    return relpath, True


_made_folders: set[str] = set()


def ensure_folder(folder: Path) -> None:
    """mkdir -p, remembered per process (an import writes hundreds of files into 256 folders)."""
    key = str(folder)
    if key not in _made_folders:
        folder.mkdir(parents=True, exist_ok=True)
        _made_folders.add(key)


def write_durably(target: Path, data: bytes) -> None:
    """Write `data` to a temp file beside `target` on one descriptor, fsync it, rename it into place."""
    from zwgk_desktop.fileio import temp_path_beside

    tmp = temp_path_beside(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:  # the folder went away since it was made
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


DIRECTORY_SYNC_WORKERS = 4


class DirectorySync:
    """Folders being fsynced (making the renames into them durable; a no-op where directories can't be
    opened, i.e. Windows) in the background, several at once (the file system groups concurrent
    fsyncs into one journal commit), so the caller can do other work before it `wait`s."""

    def __init__(self, directories):
        from concurrent.futures import ThreadPoolExecutor

        folders = sorted(set(directories))
        self.executor = None
        if folders:
            self.executor = ThreadPoolExecutor(max_workers=min(DIRECTORY_SYNC_WORKERS, len(folders)),
                                               thread_name_prefix="photo-dirsync")
            for folder in folders:
                self.executor.submit(fsync_directory, folder)

    def wait(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)


def start_directory_sync(directories) -> DirectorySync:
    return DirectorySync(directories)


def remove_original(config, stored_path: str) -> None:
    absolute_stored_path(config, stored_path).unlink(missing_ok=True)


def find_original(config, sha256: str) -> Path | None:
    """The archived original for a hash, whatever its extension (None if absent)."""
    folder = config.archive_dir / PHOTOS_SUBDIR / sha256[:2]
    matches = sorted(folder.glob(f"{sha256}.*")) if folder.is_dir() else []
    return matches[0] if matches else None


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- caches: thumbnails and display copies ----------------------------------------------


def cache_path(config, kind: str, sha256: str, size: int) -> Path:
    return config.cache_dir / kind / str(size) / sha256[:2] / f"{sha256}.jpg"


def save_jpeg_atomically(image: Image.Image, target: Path, quality: int = THUMBNAIL_QUALITY) -> Path:
    """`image` as a JPEG at `target`, encoded in memory and written in one go (replaced atomically, not
    fsynced: caches and copies, never evidence)."""
    encoded = io.BytesIO()
    (image if image.mode == "RGB" else image.convert("RGB")).save(encoded, "JPEG", quality=quality)
    return write_bytes_atomically(target, encoded.getbuffer(), durable=False)


def save_thumbnail(config, sha256: str, thumbnail: Image.Image, size: int = 256) -> Path:
    """Cache an already oriented thumbnail made while probing (the cheap path during import)."""
    if max(thumbnail.size) > size:
        thumbnail = thumbnail.copy()
        thumbnail.thumbnail((size, size), Image.Resampling.LANCZOS)
    return save_jpeg_atomically(thumbnail, cache_path(config, "thumbs", sha256, size))


def open_oriented(path: Path, max_side: int | None = None) -> Image.Image:
    """Decode an archived original (reduced scale when allowed) with EXIF orientation applied."""
    from PIL import ImageOps

    from zwgk_desktop.services.photos.probe import register_heif

    register_heif()
    with Image.open(path) as image:
        if max_side and image.format in ("JPEG", "MPO") and max(image.size) > max_side:
            ratio = max_side / max(image.size)
            image.draft("RGB", (max(1, int(image.width * ratio)), max(1, int(image.height * ratio))))
        oriented = ImageOps.exif_transpose(image)
        oriented = oriented.convert("RGB") if oriented.mode != "RGB" else oriented
        oriented.load()
    if max_side and max(oriented.size) > max_side:
        oriented.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return oriented


def _original_or_raise(config, sha256: str) -> Path:
    original = find_original(config, sha256)
    if original is None:
        raise NotFound(f"档案中找不到照片原图 {sha256[:12]}…，请运行“照片校验”检查档案。")
    return original


def thumbnail_path(config, sha256: str, size: int = 256) -> Path:
    """Path of a cached JPEG thumbnail (oriented, long side `size`), created on first use."""
    target = cache_path(config, "thumbs", sha256, size)
    if target.exists():
        return target
    image = open_oriented(_original_or_raise(config, sha256), max_side=max(size * 2, 512))
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    return save_jpeg_atomically(image, target)


def display_copy_path(config, sha256: str, long_side: int = DISPLAY_LONG_SIDE) -> Path:
    """Path of a cached, EXIF-oriented JPEG display copy, created on first use (not evidence)."""
    target = cache_path(config, "display", sha256, long_side)
    if target.exists():
        return target
    image = open_oriented(_original_or_raise(config, sha256), max_side=long_side)
    return save_jpeg_atomically(image, target, quality=90)


def captioned_copy(config, photo, caption_lines: list[str], out_path) -> Path:
    """Write a copy of the photo with a caption band (date, board, notice title) under it.

    The caption goes in a white band added below the picture, so nothing in the
    photo is covered; the archived original is only read.
    """
    from PIL import ImageDraw, ImageFont

    original = absolute_stored_path(config, photo.stored_path)
    if not original.exists():
        raise NotFound(f"档案中找不到照片原图 {photo.original_name}，请运行“照片校验”检查档案。")
    picture = open_oriented(original)
    font_size = max(16, picture.width // 45)
    font = ImageFont.truetype(str(config.fonts_dir / CAPTION_FONT_FILE), font_size, index=0)
    line_height = int(font_size * 1.45)
    padding = font_size // 2
    lines = [line for line in caption_lines if line]
    band = padding * 2 + line_height * max(1, len(lines))
    canvas = Image.new("RGB", (picture.width, picture.height + band), (255, 255, 255))
    canvas.paste(picture, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for index, line in enumerate(lines):
        draw.text((padding, picture.height + padding + index * line_height), line, fill=(0, 0, 0), font=font)
    return save_jpeg_atomically(canvas, Path(out_path), quality=90)


# --- verification ---------------------------------------------------------------------------


VERIFY_WORKERS = 3


def verify_archive(session, config, job=None) -> dict:
    """Re-hash every archived original against its row: `{checked, missing, modified, problems, ok}`.

    The originals are hashed on a small thread pool (hashlib releases the GIL). Files in the archive that no row knows about are listed
    as `orphan` problems (left by an interrupted import) but are not errors.
    """
    from sqlalchemy import select

    from zwgk_desktop.core.models import Photo

    rows = session.execute(select(Photo.id, Photo.sha256, Photo.stored_path, Photo.original_name)).all()
    return verify_rows(config, [tuple(row) for row in rows], job)


def file_digest(path: Path) -> str | None:
    """SHA-256 of a regular file, None when it is missing (or not a regular file)."""
    try:
        if not path.is_file():
            return None
        return hash_file(path)
    except FileNotFoundError:
        return None


class StartedHashing:
    """Every file in the archive's photo folders being hashed on a small pool (no database needed).

    The command line starts it before it imports the database layer, so the
    re-hashing overlaps the start-up; `verify_rows` then takes the digests of
    the files its rows name (and hashes any other itself).
    """

    def __init__(self, config):
        from concurrent.futures import ThreadPoolExecutor

        root = config.archive_dir / PHOTOS_SUBDIR
        paths = sorted(p for p in root.glob("*/*") if not p.name.startswith(".")) if root.is_dir() else []
        self.executor = ThreadPoolExecutor(max_workers=VERIFY_WORKERS, thread_name_prefix="photo-verify")
        self.futures = {str(path): self.executor.submit(file_digest, path) for path in paths}

    def digest_future(self, path: Path):
        future = self.futures.get(str(path))
        return future if future is not None else self.executor.submit(file_digest, path)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def start_hashing(config) -> StartedHashing:
    return StartedHashing(config)


def verify_rows(config, rows, job=None, started: StartedHashing | None = None) -> dict:
    """Verify (photo_id, sha256, stored_path, original_name) rows against the archive (no database)."""
    result = {"checked": 0, "missing": 0, "modified": 0, "problems": []}
    known = set()
    paths = [absolute_stored_path(config, stored_path) for _id, _sha, stored_path, _name in rows]
    hashing = started or StartedHashing.__new__(StartedHashing)
    if started is None:
        from concurrent.futures import ThreadPoolExecutor

        hashing.executor = ThreadPoolExecutor(max_workers=max(1, min(VERIFY_WORKERS, len(rows) or 1)),
                                              thread_name_prefix="photo-verify")
        hashing.futures = {str(path): hashing.executor.submit(file_digest, path) for path in paths}
    try:
        futures = [hashing.digest_future(path) for path in paths]
        for index, ((photo_id, sha256, stored_path, original_name), path, future) in enumerate(zip(rows, paths, futures)):
            if job is not None:
                job.check()
                job.progress(index, len(rows), "正在校验照片档案…")
            known.add(path.resolve())
            digest = future.result()
            result["checked"] += 1
            problem = {"photo_id": photo_id, "sha256": sha256, "path": stored_path, "original_name": original_name}
            if digest is None:
                result["missing"] += 1
                result["problems"].append({**problem, "code": "missing", "message": f"照片原图缺失：{original_name}"})
            elif digest != sha256:
                result["modified"] += 1
                result["problems"].append(
                    {**problem, "code": "modified", "message": f"照片原图已被改动（哈希值不符）：{original_name}"}
                )
    finally:
        hashing.close()
    for path in sorted((config.archive_dir / PHOTOS_SUBDIR).glob("*/*")):
        if path.is_file() and not path.name.startswith(".") and path.resolve() not in known:
            result["problems"].append(
                {"path": path.relative_to(config.archive_dir).as_posix(), "code": "orphan",
                 "message": f"档案中有未登记的文件：{path.name}"}
            )
    if job is not None:
        job.progress(len(rows), len(rows), "照片档案校验完成")
    result["ok"] = result["missing"] == 0 and result["modified"] == 0
    return result
