"""Township-wide settings and small state kept in the database `setting` table (JSON values).

Settings a person changes (single-user mode, review rules, standards) are
recorded on the audit chain; machine state (sync cursor and totals, last
backup) is written with `audit=False` so it doesn't flood the log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zwgk_desktop.core.audit import record
from zwgk_desktop.core.models import Setting


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def set_setting(session: Session, key: str, value: Any, *, audit: bool = True) -> None:
    """Store a setting (always assign a fresh object: JSON columns don't track in-place mutation)."""
    row = session.get(Setting, key)
    before = None if row is None else row.value
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    if audit:
        record(session, "setting", "setting", key[:36], {"key": key, "before": before, "after": value})
