"""Pull the county's reference data by cursor and apply it to the township database.

Each page is applied together with the new cursor in one transaction
(`database.write`: on the database thread when the desktop runs the sync on
its pool), so a cut never skips or half-applies anything. Kinds: `calendar` (one year's holidays
and 调休 working days → `CalendarDay` rows with source 'county', replacing the
county's earlier rows for that year, never a manual entry), `catalogue`
(validated, then Setting `county_catalogue` and the `CatalogItem` rows — rule,
name mask, columns — in the same transaction; after the commit the copy is
written to `<data dir>/county/catalogue.json`, which `core.catalogue` lays over
the shipped catalogue, so `get_entry()` and every 公示期 follow it),
`standard` (Setting `county_standards`, by key), `announcement` (Setting
`county_announcements`, newest first, 100 kept), `template` (Setting
`county_templates`, by key). Unknown kinds are skipped; a malformed catalogue
is skipped with a warning (the cursor moves on, the old catalogue stays).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select

from zwgk_desktop.core import catalogue
from zwgk_desktop.core.models import CalendarDay, CatalogItem
from zwgk_desktop.fileio import write_text_atomically
from zwgk_desktop.services.sync.state import CURSOR_KEY, get_setting, set_setting

CATALOGUE_KEY = "county_catalogue"
STANDARDS_KEY = "county_standards"
ANNOUNCEMENTS_KEY = "county_announcements"
TEMPLATES_KEY = "county_templates"
MAX_ANNOUNCEMENTS = 100


@dataclass
class PullResult:
    applied: int = 0
    warnings: list[str] = field(default_factory=list)


def pull_reference(database, client, job=None, data_dir: Path | None = None) -> PullResult:
    """Apply every reference entry newer than our cursor; then bring the catalogue file in `data_dir` up to date."""
    result = PullResult()
    while True:
        if job is not None:
            job.check()
        with database.session() as session:
            since = int(get_setting(session, CURSOR_KEY, 0) or 0)
        page = client.reference(since)
        items = page.get("items") or []
        if not items and int(page.get("cursor", since)) == since:
            break  # nothing new: no write at all

        def apply_page(session) -> list[str]:
            warnings = [w for w in (apply_reference(session, item) for item in items) if w]
            set_setting(session, CURSOR_KEY, int(page.get("cursor", since)))
            return warnings

        result.warnings += database.write(apply_page, user="sync")
        result.applied += len(items)
        if not page.get("more") or not items:
            break
    if data_dir is not None:
        sync_catalogue_file(database, data_dir)
    return result


def apply_reference(session, item: dict) -> str | None:
    """Apply one entry inside the caller's transaction; a Chinese warning when it had to be skipped."""
    kind, key, data = item.get("kind"), str(item.get("key", "")), item.get("data") or {}
    if kind == "calendar":
        apply_calendar_year(session, data)
    elif kind == "catalogue":
        return apply_catalogue(session, data)
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
    return None


# --- catalogue -------------------------------------------------------------------------


def apply_catalogue(session, raw: dict) -> str | None:
    """Keep a valid county catalogue and mirror it into the CatalogItem rows; refuse a malformed one."""
    try:
        entries = catalogue.parse_catalogue(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return f"县级发布的公开目录格式有误（{exc}），已忽略，继续使用原有目录。请联系县政务公开办。"
    set_setting(session, CATALOGUE_KEY, raw)
    update_catalog_items(session, entries)
    return None


def update_catalog_items(session, entries: dict) -> int:
    """Set each category's row to the county's rule, mask and columns (adding missing ones); rows changed."""
    rows = {row.code: row for row in session.execute(select(CatalogItem)).scalars()}
    changed = 0
    for code, entry in entries.items():
        values = catalogue.catalog_item_values(entry)
        row = rows.get(code)
        if row is None:
            session.add(CatalogItem(**values))
            changed += 1
            continue
        differing = {k: v for k, v in values.items() if getattr(row, k) != v}
        for name, value in differing.items():
            setattr(row, name, value)
        changed += bool(differing)
    return changed


def sync_catalogue_file(database, data_dir: Path) -> Path | None:
    """Write the stored county catalogue to `<data dir>/county/catalogue.json` if it differs (temp + rename).

    Also makes it this process's catalogue when nothing else was chosen yet, so the
    pull takes effect at once even where the opener did not call `use_data_dir_catalogue`.
    """
    with database.session() as session:
        raw = get_setting(session, CATALOGUE_KEY, None)
    if not raw:
        return None
    target = catalogue.county_catalogue_path(data_dir)
    text = json.dumps(raw, ensure_ascii=False, indent=1, sort_keys=True)
    try:
        current = target.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current != text:
        write_text_atomically(target, text)
    if catalogue.catalogue_override() is None:
        catalogue.use_catalogue_override(target)
    return target


# --- calendar --------------------------------------------------------------------------


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
