"""Holiday data administration: which years are covered by which source, and manual entry of a year's arrangement.

Owns the 设置 → 节假日与调休 use cases (no Qt):
- `year_coverage(session, first, last)`: per year, the sources that have data
  (the `chinesecalendar` package, a shipped data file, county sync, manual
  entry) as plain `YearCoverage` DTOs;
- `parse_arrangement_text(year, rest_text, work_text, source)`: the text the
  clerk types — one day or range per line, `2027-02-06~2027-02-12 春节` or
  `2027-02-07 春节调休上班` — validated into a `YearArrangement`;
- `store_year(session, arrangement)`: the arrangement saved as `CalendarDay`
  rows with source 'manual' (replacing the year's earlier manual rows and any
  county row on the same day), recorded on the audit chain;
- `import_year_file(session, path)`: a `YYYY.json` data file (the
  `resources/calendar/` format) stored the same way;
- `arrangement_text(session, year)`: the year's stored override days as
  editable text again.
Validation and the file format belong to `core.calendar`; this module only
stores and lists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.audit import record
from zwgk_desktop.core.calendar import (
    SOURCE_PACKAGE, CalendarDataError, YearArrangement, build_calendar, parse_year_data,
)
from zwgk_desktop.core.models import CalendarDay

SOURCE_MANUAL = "manual"
SOURCE_COUNTY = "county"
SOURCE_LABELS = {
    "package": "内置数据",
    "file": "数据文件",
    SOURCE_COUNTY: "县级同步",
    SOURCE_MANUAL: "手工录入",
}
MAX_RANGE_DAYS = 40
_LINE = re.compile(
    r"^(?P<first>\d{4}-\d{1,2}-\d{1,2})\s*(?:(?:~|～|至|到|—|–|--)\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?\s*(?P<name>.*)$"
)


@dataclass(frozen=True)
class YearCoverage:
    """Which sources know a year's holidays (`sources` are keys of SOURCE_LABELS), and how many days were entered."""

    year: int
    sources: tuple[str, ...]
    county_days: int = 0
    manual_days: int = 0
    detail: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.sources)

    @property
    def label(self) -> str:
        """The Chinese text of the sources, e.g. '内置数据、手工录入', or '未录入'."""
        return "、".join(SOURCE_LABELS[s] for s in self.sources) if self.sources else "未录入"


@dataclass(frozen=True)
class StoredYear:
    """What `store_year` did: the year and how many rest / working days it wrote."""

    year: int
    holidays: int
    workdays: int
    source: str = ""
    replaced_county_days: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)


def year_coverage(session: Session, first: int, last: int) -> list[YearCoverage]:
    """Coverage of every year from `first` to `last` inclusive (newest first)."""
    base = build_calendar()
    counts: dict[tuple[int, str], int] = {}
    for day, source in session.execute(select(CalendarDay.day, CalendarDay.source)).all():
        key = (day.year, source or SOURCE_MANUAL)
        counts[key] = counts.get(key, 0) + 1
    result = []
    for year in range(last, first - 1, -1):
        sources = []
        arrangement = base.arrangements.get(year)
        if arrangement is not None:
            sources.append("package" if arrangement.source.startswith(SOURCE_PACKAGE) else "file")
        county, manual = counts.get((year, SOURCE_COUNTY), 0), counts.get((year, SOURCE_MANUAL), 0)
        if county:
            sources.append(SOURCE_COUNTY)
        if manual:
            sources.append(SOURCE_MANUAL)
        detail = arrangement.source if arrangement is not None else ""
        result.append(YearCoverage(year, tuple(sources), county, manual, detail))
    return result


def _parse_lines(text: str, year: int, what: str, default_name: str) -> dict[str, str]:
    """'YYYY-MM-DD[~YYYY-MM-DD] name' lines as {iso day: name}; a Chinese CalendarDataError on a bad line."""
    days: dict[str, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().replace("，", " ").replace(",", " ")
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise CalendarDataError(
                f"{what}第 {number} 行“{raw.strip()}”格式不对，应为“2027-02-06 春节”或“2027-02-06~2027-02-12 春节”。"
            )
        first = _day(match.group("first"), what, number)
        last = _day(match.group("last"), what, number) if match.group("last") else first
        if last < first or (last - first).days > MAX_RANGE_DAYS:
            raise CalendarDataError(f"{what}第 {number} 行的日期范围不对（结束日应不早于开始日，且不超过 {MAX_RANGE_DAYS} 天）。")
        for year_of in (first.year, last.year):
            if year_of != year:
                raise CalendarDataError(f"{what}第 {number} 行的日期不属于 {year} 年。")
        name = match.group("name").strip() or default_name
        day = first
        while day <= last:
            days[day.isoformat()] = name
            day += timedelta(days=1)
    return days


def _day(text: str, what: str, number: int) -> date:
    try:
        y, m, d = (int(part) for part in text.split("-"))
        return date(y, m, d)
    except ValueError:
        raise CalendarDataError(f"{what}第 {number} 行的日期“{text}”不存在。") from None


def parse_arrangement_text(year: int, rest_text: str, work_text: str, source: str = "") -> YearArrangement:
    """The clerk's two lists (放假日, 调休上班日) as a validated arrangement for `year`."""
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        raise CalendarDataError(f"年份“{year}”无效。")
    holidays = _parse_lines(rest_text, year, "放假安排", "节假日")
    workdays = _parse_lines(work_text, year, "调休上班安排", "调休上班")
    if not holidays and not workdays:
        raise CalendarDataError(f"请至少录入一天 {year} 年的放假日期。")
    raw = {"year": year, "source": source or f"{year}年放假安排（手工录入）", "holidays": holidays, "workdays": workdays}
    return parse_year_data(raw, f"{year}年放假安排")


def _plausibility_warnings(arrangement: YearArrangement) -> list[str]:
    """Soft checks a clerk should see: a 调休 working day that is not a weekend, a holiday listed on a plain weekend."""
    warnings = []
    weekday_work = sorted(d for d in arrangement.workdays if d.weekday() < 5)
    if weekday_work:
        warnings.append("以下调休上班日本来就是工作日，请核对：" + "、".join(d.isoformat() for d in weekday_work[:5]))
    if not arrangement.holidays:
        warnings.append(f"{arrangement.year} 年没有录入任何放假日，请确认。")
    return warnings


def store_year(session: Session, arrangement: YearArrangement, *, user: str = "") -> StoredYear:
    """Save a year's arrangement as manual `CalendarDay` rows, replacing the year's earlier manual entry."""
    first, last = date(arrangement.year, 1, 1), date(arrangement.year, 12, 31)
    in_year = (CalendarDay.day >= first) & (CalendarDay.day <= last)
    session.execute(delete(CalendarDay).where(in_year, CalendarDay.source == SOURCE_MANUAL))
    entered = set(arrangement.holidays) | set(arrangement.workdays)
    replaced = session.execute(
        select(func.count()).select_from(CalendarDay).where(CalendarDay.day.in_(entered))
    ).scalar_one() if entered else 0
    if entered:
        session.execute(delete(CalendarDay).where(CalendarDay.day.in_(entered)))
    for days, is_workday in ((arrangement.holidays, False), (arrangement.workdays, True)):
        for day, name in days.items():
            session.add(CalendarDay(day=day, is_workday=is_workday, name=name[:50], source=SOURCE_MANUAL))
    session.flush()
    record(session, "calendar_entered", "calendar_day", str(arrangement.year), {
        "year": arrangement.year, "source": arrangement.source, "holidays": len(arrangement.holidays),
        "workdays": len(arrangement.workdays), "by": user,
    })
    return StoredYear(arrangement.year, len(arrangement.holidays), len(arrangement.workdays), arrangement.source,
                      replaced, tuple(_plausibility_warnings(arrangement)))


def read_year_file(path: Path | str) -> YearArrangement:
    """A `YYYY.json` holiday file (format: resources/calendar/README.md) as a validated arrangement."""
    target = Path(path)
    try:
        raw = json.loads(target.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise CalendarDataError(f"节假日数据文件 {target.name} 无法读取：{exc}") from exc
    return parse_year_data(raw, target.name)


def import_year_file(session: Session, path: Path | str, *, user: str = "") -> StoredYear:
    """Read a year file and store it as that year's manual arrangement."""
    return store_year(session, read_year_file(path), user=user)


def stored_days(session: Session, year: int) -> list[CalendarDay]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    return list(session.execute(
        select(CalendarDay).where(CalendarDay.day >= first, CalendarDay.day <= last).order_by(CalendarDay.day)
    ).scalars())


def _ranges(days: list[tuple[date, str]]) -> list[str]:
    """Consecutive days with the same name as 'first~last name' lines."""
    lines: list[list] = []
    for day, name in sorted(days):
        if lines and lines[-1][2] == name and (day - lines[-1][1]).days == 1:
            lines[-1][1] = day
        else:
            lines.append([day, day, name])
    return [f"{a.isoformat()} {n}" if a == b else f"{a.isoformat()}~{b.isoformat()} {n}" for a, b, n in lines]


def statutory_text(year: int) -> str:
    """The year's statutory holidays in the editor's 放假 format: a start the clerk completes from the notice."""
    from zwgk_desktop.core.statutory_holidays import statutory_holidays

    return "\n".join(_ranges(list(statutory_holidays(year).items())))


def arrangement_text(session: Session, year: int) -> tuple[str, str]:
    """(放假 text, 调休上班 text) of the year's stored county/manual days, in the editor's format."""
    rows = stored_days(session, year)
    rest = _ranges([(r.day, r.name or "节假日") for r in rows if not r.is_workday])
    work = _ranges([(r.day, r.name or "调休上班") for r in rows if r.is_workday])
    return "\n".join(rest), "\n".join(work)
