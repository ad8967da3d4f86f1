"""Township-wide settings and small state kept in the database `setting` table (JSON values).

Settings a person changes (single-user mode, review rules, standards) are
recorded on the audit chain; machine state (sync cursor and totals, last
backup) is written with `audit=False` so it doesn't flood the log.

Also the subsidy standards in force (低保标准 etc., Setting
`subsidy_standards`, from the county or entered locally) and their one
wording (`format_standard`, `subsidy_standard`): the statistics and the
posters print the same text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zwgk_desktop.core.audit import record
from zwgk_desktop.core.models import Setting


SETTING_SUBSIDY_STANDARDS = "subsidy_standards"


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


def format_standard(value: Any) -> str:
    """A subsidy standard as stored: fen (int) → '560.00元/人·月', {'城市': fen, '农村': fen} → '城市 …；农村 …', text as is."""
    from zwgk_desktop.core.disclosures import format_fen

    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return f"{format_fen(value)}元/人·月"
    if isinstance(value, dict):
        return "；".join(f"{k} {format_standard(v)}" for k, v in value.items() if format_standard(v))
    return str(value)


def subsidy_standard(session: Session, category: str) -> str:
    """The standard in force for a category (e.g. 'dibao'), worded by `format_standard`; '' when none is set."""
    standards = get_setting(session, SETTING_SUBSIDY_STANDARDS)
    if not isinstance(standards, dict):
        return ""
    return format_standard(standards.get(category))
