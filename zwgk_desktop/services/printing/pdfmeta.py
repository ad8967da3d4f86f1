"""Deterministic PDF output: canvas settings, fixed metadata, atomic writing and hashing.

Owns the promise that the same notice and data give a byte-identical PDF:
ReportLab's invariant mode (fixed creation date and document ID derived
from the content), fixed producer/creator strings, no Helvetica default
font, and writing to a temporary file in the target folder that is renamed
into place only when complete. `paused_gc` (the cyclic garbage collector
held off while a big PDF is built) is `services.gc_pause.paused_gc`,
re-exported here for the printing modules.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from reportlab.pdfgen import canvas as rl_canvas

from zwgk_desktop import __version__
from zwgk_desktop.services.gc_pause import paused_gc  # noqa: F401 (re-exported)

PRODUCER = "zwgk_desktop 乡镇公示栏政务公开系统"


def deterministic_canvas(target, pagesize, *, initial_font: str, title: str, subject: str = "", author: str = ""):
    """A ReportLab canvas whose output depends only on what is drawn on it."""
    pdf = rl_canvas.Canvas(
        target,
        pagesize=pagesize,
        invariant=1,
        pageCompression=1,
        initialFontName=initial_font,
        initialFontSize=10,
        lang="zh-CN",
    )
    pdf.setTitle(title)
    pdf.setSubject(subject)
    pdf.setAuthor(author)
    pdf.setCreator(f"zwgk_desktop {__version__}")
    pdf.setProducer(PRODUCER)
    pdf.setKeywords("")
    return pdf


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success it replaces `path`, on failure it is removed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Not mkstemp: that file would be private (0600); this one gets the usual permissions.
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}.part")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def plain_streams() -> Iterator[None]:
    """Compressed streams without the ASCII85 layer while a PDF is built (smaller, faster)."""
    from reportlab import rl_config

    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
