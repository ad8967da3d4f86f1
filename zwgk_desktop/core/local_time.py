"""Stored UTC moments shown as this computer's local time: the one formatter for sync, backup and audit screens.

Times are stored in UTC (ISO text ending in `Z`, or naive UTC datetimes in
the database); people read local time. `local_time_text` turns either into
"YYYY-MM-DD HH:MM" (or any strftime format) in the local zone; `utc_now_iso`
is how such moments are written.
"""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now_iso() -> str:
    """Now in UTC as ISO text with a `Z` (how sync, backup and audit moments are stored)."""
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def parse_utc(value) -> datetime | None:
    """A stored moment (ISO text, with or without zone; a naive UTC datetime) as an aware datetime; None if unreadable."""
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_time_text(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC moment in local time; '' for none, the text itself if it can't be read."""
    if not value:
        return ""
    moment = parse_utc(value)
    if moment is None:
        return str(value)
    return moment.astimezone().strftime(fmt)
