"""Sync state kept in the township database's `Setting` rows: enrollment, cursor, running totals.

Keys: `sync_device` (server, device id, township, enrolled_at), `sync_reference_cursor`
(last reference entry applied), `sync_totals` (pushed/pulled/blobs_uploaded ever,
last attempt, last success — `last_sync_at` is the same moment, the older name —
last error with its time, last warnings). The token itself is a file (see client).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zwgk_desktop.core.township_settings import get_setting  # noqa: F401 (re-exported)
from zwgk_desktop.core.township_settings import set_setting as store_setting

DEVICE_KEY = "sync_device"
CURSOR_KEY = "sync_reference_cursor"
TOTALS_KEY = "sync_totals"


def set_setting(session: Session, key: str, value: Any) -> None:
    """Sync state is machine bookkeeping: stored without an audit event."""
    store_setting(session, key, value, audit=False)


def totals(session: Session) -> dict:
    base = {"pushed": 0, "pulled": 0, "blobs_uploaded": 0, "last_attempt_at": None, "last_success_at": None,
            "last_sync_at": None, "last_error": None, "warnings": []}
    base.update(get_setting(session, TOTALS_KEY, {}) or {})
    return base
