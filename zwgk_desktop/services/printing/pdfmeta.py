"""Deterministic PDF output: canvas settings, fixed metadata, atomic writing and hashing.

Owns the promise that the same notice and data give a byte-identical PDF:
ReportLab's invariant mode (fixed creation date and document ID derived
from the content), fixed producer/creator strings, no Helvetica default
font, and writing to a temporary file in the target folder that is renamed
into place only when complete. Also `paused_gc`, the cyclic garbage
collector held off while a big PDF is built.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from reportlab.pdfgen import canvas as rl_canvas

from zwgk_desktop import __version__

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


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Cyclic garbage collection off while a PDF is built, back on afterwards.

    A 20,000-row poster or 5,000 cards create millions of small objects that
    stay alive until the PDF is written (rows, lines, operators), and every
    full collection walks all of them again: about a quarter of the CPU time,
    for nothing (reference counting still frees everything as usual). Nested
    and concurrent uses are counted: the last one out restores the state the
    first one found.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
