"""Pull the county's reference data by cursor and apply it to the township database.

Each page is applied together with the new cursor in one transaction, so a cut
never skips or half-applies anything. Kinds: `calendar` (one year's holidays
and 调休 working days → `CalendarDay` rows with source 'county', replacing the
county's earlier rows for that year, never a manual entry), `catalogue`
(Setting `county_catalogue`), `standard` (Setting `county_standards`, by key),
`announcement` (Setting `county_announcements`, newest first, 100 kept),
`template` (Setting `county_templates`, by key). Unknown kinds are skipped.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from zwgk_desktop.core.models import CalendarDay
from zwgk_desktop.services.sync.state import CURSOR_KEY, get_setting, set_setting

CATALOGUE_KEY = "county_catalogue"
STANDARDS_KEY = "county_standards"
ANNOUNCEMENTS_KEY = "county_announcements"
TEMPLATES_KEY = "county_templates"
MAX_ANNOUNCEMENTS = 100


def pull_reference(database, client, job=None) -> int:
    """Apply every reference entry newer than our cursor; how many were applied."""
    pulled = 0
    while True:
        if job is not None:
            job.check()
        with database.session() as session:
            since = int(get_setting(session, CURSOR_KEY, 0) or 0)
        page = client.reference(since)
        items = page.get("items") or []
        with database.session() as session:
            for item in items:
                apply_reference(session, item)
            set_setting(session, CURSOR_KEY, int(page.get("cursor", since)))
        pulled += len(items)
        if not page.get("more") or not items:
            return pulled


def apply_reference(session, item: dict) -> None:
    kind, key, data = item.get("kind"), str(item.get("key", "")), item.get("data") or {}
    if kind == "calendar":
        apply_calendar_year(session, data)
    elif kind == "catalogue":
        set_setting(session, CATALOGUE_KEY, data)
    elif kind == "standard":
        standards = dict(get_setting(session, STANDARDS_KEY, {}) or {})
        standards[key] = data
        set_setting(session, STANDARDS_KEY, standards)
    elif kind == "announcement":
        kept = [a for a in (get_setting(session, ANNOUNCEMENTS_KEY, []) or []) if a.get("key") != key]
        entry = {"key": key, **data, "published_at": item.get("published_at")}
        set_setting(session, ANNOUNCEMENTS_KEY, [entry, *kept][:MAX_ANNOUNCEMENTS])
    elif kind == "template":
        templates = dict(get_setting(session, TEMPLATES_KEY, {}) or {})
        templates[key] = data
        set_setting(session, TEMPLATES_KEY, templates)


def apply_calendar_year(session, data: dict) -> None:
    """Replace the county's rows for the year with this arrangement; manual entries stay."""
    from zwgk_desktop.core.calendar import parse_year_data

    arrangement = parse_year_data(data, "县级发布")
    first, last = date(arrangement.year, 1, 1), date(arrangement.year, 12, 31)
    session.execute(delete(CalendarDay).where(
        CalendarDay.source == "county", CalendarDay.day >= first, CalendarDay.day <= last
    ))
    manual = set(session.execute(
        select(CalendarDay.day).where(CalendarDay.day >= first, CalendarDay.day <= last)
    ).scalars())
    for days, is_workday in ((arrangement.holidays, False), (arrangement.workdays, True)):
        for day, name in days.items():
            if day not in manual:
                session.add(CalendarDay(day=day, is_workday=is_workday, name=name, source="county"))
