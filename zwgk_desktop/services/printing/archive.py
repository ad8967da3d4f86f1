"""Proof of what was printed: a copy of each printed PDF kept by content hash, and its `PrintedVersion` row.

`store_print_copy` copies a rendered PDF into `<archive>/prints/<sha256>.pdf`
(atomically, once per content); `record_printed_version` adds the row in the
caller's unit of work with who printed it (never empty: the acting user),
what paper, the planned posting day of a poster printed before posting, and
the 公示期 printed. Used by the ops layer after a render outside any session.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from zwgk_desktop.services.printing.pdfmeta import atomic_output


def store_print_copy(config, pdf: Path, sha256: str) -> str:
    """Copy the printed PDF into the archive by content hash; returns the path relative to the archive."""
    target = Path(config.prints_dir) / f"{sha256}.pdf"
    if not target.exists():
        with atomic_output(target) as tmp:
            shutil.copyfile(pdf, tmp)
    return str(target.relative_to(config.archive_dir))


def record_printed_version(session, config, *, kind: str, pdf: str | Path, sha256: str, pages: int, paper: str,
                           printed_by: str, disclosure_id: str | None = None, planned_posted_on: date | None = None,
                           period: dict | None = None):
    """Keep a copy of `pdf` and add its `PrintedVersion` to the session (the caller's unit of work commits)."""
    from zwgk_desktop.core.models import PrintedVersion

    if not printed_by:
        raise ValueError("a print is always recorded with the user who printed it")
    stored = store_print_copy(config, Path(pdf), sha256)
    record = PrintedVersion(
        disclosure_id=disclosure_id, kind=kind, sha256=sha256, pages=pages, paper=paper, stored_path=stored,
        printed_by=printed_by, planned_posted_on=planned_posted_on, period=period,
    )
    session.add(record)
    session.flush()
    return record
