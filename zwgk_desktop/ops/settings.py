"""设置 and first run: the township's own facts, the holiday calendar, and setting up a new installation.

- 乡镇信息: `township_info` / `save_township_info` (county, supervision
  phones, issuer; the name is fixed once set) — an administrator's change;
- 节假日与调休: `calendar_coverage` (which years have holiday data and from
  where), `calendar_year_text` (a year's entered days as editable text),
  `store_calendar_year` (the clerk's two lists, validated and stored as that
  year's manual arrangement) and `import_calendar_file` (a `YYYY.json`
  file) — the logic lives in `core.calendar_admin`; entering holidays is
  for administrators and clerks (who meet the "not yet entered" warning);
- first run: `complete_first_run` validates every answer of the wizard
  before writing anything, sets up the township and its administrator in one
  transaction, then saves the settings file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop.core.calendar_admin import (
    StoredYear,
    YearCoverage,
    arrangement_text,
    import_year_file,
    parse_arrangement_text,
    store_year,
    year_coverage,
)
from zwgk_desktop.core.townships import require_township
from zwgk_desktop.core.users import EDIT, SETTINGS, VIEW, Actor
from zwgk_desktop.errors import InvalidInput
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes

TOWNSHIP_FIELDS = {  # attribute: (label, max length)
    "county_name": ("所属县（市、区）", 100),
    "supervise_phone": ("乡镇监督举报电话", 50),
    "county_supervise_phone": ("县级监督举报电话", 50),
    "issuer": ("发布单位", 200),
}


# --- 乡镇信息 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TownshipInfo:
    """The editable facts of the township that appear on every notice and card."""

    name: str
    county_name: str
    supervise_phone: str
    county_supervise_phone: str
    issuer: str


def _township_info(session) -> TownshipInfo:
    township = require_township(session)
    return TownshipInfo(township.name, township.county_name or "", township.supervise_phone or "",
                        township.county_supervise_phone or "", township.issuer or "")


@reads
def township_info(db, actor: Actor) -> TownshipInfo:
    with read_session(db, actor) as session:
        return _township_info(session)


@writes("settings")
def save_township_info(db, actor: Actor, values: dict[str, str]) -> TownshipInfo:
    """Update the township's county, phones and issuer (the name is fixed once set); all checked before writing."""
    actor.require(SETTINGS)
    cleaned = {}
    for attr, (label, limit) in TOWNSHIP_FIELDS.items():
        if attr not in values:
            continue
        value = (values[attr] or "").strip()
        if len(value) > limit:
            raise InvalidInput(f"“{label}”最多 {limit} 个字。")
        if attr == "issuer" and not value:
            raise InvalidInput("发布单位不能为空，公示落款要用到它。")
        cleaned[attr] = value
    with unit_of_work(db, actor) as session:
        township = require_township(session)
        for attr, value in cleaned.items():
            setattr(township, attr, value)
        session.flush()
        return _township_info(session)


# --- 节假日与调休 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearText:
    """A year's entered (county or manual) days as the editor's two texts."""

    year: int
    rest: str
    work: str


def _require_calendar_rights(actor: Actor) -> None:
    """Holidays are entered by an administrator or a clerk; anyone else is refused in Chinese."""
    if not actor.can(EDIT):
        actor.require(SETTINGS)


@reads
def calendar_coverage(db, actor: Actor, first: int, last: int) -> tuple[YearCoverage, ...]:
    """Which sources know each year's holidays, newest first."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return tuple(year_coverage(session, first, last))


@reads
def calendar_year_text(db, actor: Actor, year: int) -> YearText:
    with read_session(db, actor) as session:
        rest, work = arrangement_text(session, year)
        return YearText(year, rest, work)


@writes("calendar")
def store_calendar_year(db, actor: Actor, year: int, rest_text: str, work_text: str, source: str = "") -> StoredYear:
    """Validate the typed arrangement (a Chinese error naming the bad line) and store it as the year's manual entry."""
    _require_calendar_rights(actor)
    arrangement = parse_arrangement_text(year, rest_text, work_text, source)
    with unit_of_work(db, actor) as session:
        return store_year(session, arrangement, user=actor.username)


@writes("calendar")
def import_calendar_file(db, actor: Actor, path: str | Path) -> StoredYear:
    """Store a `YYYY.json` holiday file (resources/calendar format) as that year's manual entry."""
    _require_calendar_rights(actor)
    with unit_of_work(db, actor) as session:
        return import_year_file(session, path, user=actor.username)


# --- first run -------------------------------------------------------------------------------


@writes("settings", "villages", "boards", "users")
def complete_first_run(db, actor: Actor, config, answers) -> dict:
    """Set up the township, its villages and boards, and the administrator in one transaction; then save settings.

    `answers` is a `services.first_run.FirstRunAnswers`; everything is
    validated first, so a bad answer writes nothing. Returns
    {"township", "villages", "boards"}."""
    from zwgk_desktop.services.first_run import save_first_run_settings, set_up_township, validate_answers

    validate_answers(answers)
    with unit_of_work(db, actor) as session:
        summary = set_up_township(session, answers)
    save_first_run_settings(config, answers)
    return summary
