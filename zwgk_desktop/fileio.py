"""Writing files so that nothing is ever half-written: temp file beside the target, fsync, rename.

Every output of the app (settings, PDFs, workbooks, archived photos, calendar
files, county copies) goes through `atomic_output`, so a crash or a full disk
leaves either the old file or the complete new one, never a torso.
"""

from __future__ import annotations

import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def temp_path_beside(target: Path) -> Path:
    """A hidden, unique name in the target's folder (same file system, so the rename is atomic)."""
    return target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex[:8]}.part")


@contextmanager
def atomic_output(path: str | os.PathLike, *, durable: bool = False) -> Iterator[Path]:
    """Yield a temp path to write; on success it replaces `path`, on any failure it is removed.

    `durable=True` fsyncs the file before the rename (archive originals, settings)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_beside(target)
    try:
        yield tmp
        if durable:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomically(path: str | os.PathLike, data: bytes, *, durable: bool = True) -> Path:
    with atomic_output(path, durable=durable) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomically(path: str | os.PathLike, text: str, *, durable: bool = True) -> Path:
    return write_bytes_atomically(path, text.encode("utf-8"), durable=durable)


def fsync_directory(path: str | os.PathLike) -> None:
    """Make a rename inside `path` durable (POSIX); a no-op where directories can't be opened (Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
