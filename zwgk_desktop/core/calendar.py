"""The 公示期 calendar: every date computation in the app goes through here.

Owns: which days are rest days and which weekend days are 调休 working days,
the end date of a 公示 period under a catalogue `PeriodRule` (with a Chinese
explanation of the days skipped and why), working-day arithmetic for other
deadlines (依申请公开 20 working days) and the "is this year's holiday data
known?" check.

Sources, lowest to highest precedence:
1. the `chinesecalendar` package (2004–2026 in the installed version);
2. one JSON file per year in `resources/calendar/` (`2027.json`, format in
   that folder's README); a file replaces the package's data for its year;
3. per-day overrides passed in by the caller (county sync and manual entries,
   kept in the `CalendarDay` table; `load_overrides(session)` reads them).

A year is *complete* when any source has data for it. For other years the
guess is weekends plus the statutory holidays computed from the rules
(`statutory_holidays`; the 调休 part can't be computed), never silently: period results carry
`calendar_complete=False` plus a Chinese warning naming the years, and the
plain helpers raise `CalendarIncomplete` unless the caller passes
`allow_guess=True`.

This module is DB-free except for `load_overrides` / `calendar_from_session`,
which import the models lazily.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from zwgk_desktop.core.catalogue import PeriodRule
from zwgk_desktop.core.statutory_holidays import FIRST_RULE_YEAR, statutory_holidays
from zwgk_desktop.errors import InvalidInput, ZwgkError
from zwgk_desktop.fileio import write_text_atomically

MAX_PERIOD_DAYS = 3660
UNITS = ("calendar", "working")
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
YEAR_FILE_PATTERN = re.compile(r"^(\d{4})\.json$")

SOURCE_PACKAGE = "chinesecalendar"
SOURCE_WEEKEND_RULE = "weekend_rule"
SOURCE_STATUTORY_RULE = "statutory_rule"

KIND_WORKDAY = "workday"
KIND_WEEKEND = "weekend"
KIND_HOLIDAY = "holiday"
KIND_ADJUSTED_WORKDAY = "adjusted_workday"

# chinesecalendar stores English holiday names; these are the names people read.
PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class CalendarIncomplete(ZwgkError):
    """A working-day computation needs holiday data for a year nobody has entered."""

    code = "calendar_incomplete"


class CalendarDataError(ZwgkError):
    """A holiday data file is unreadable or inconsistent."""

    code = "calendar_data"


# --- data shapes -------------------------------------------------------------


@dataclass(frozen=True)
class YearArrangement:
    """One year's official arrangement: named rest days and 调休 working days."""

    year: int
    source: str
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]


@dataclass(frozen=True)
class DayOverride:
    """One day forced to work or rest, from county sync or manual entry (a `CalendarDay` row)."""

    day: date
    is_workday: bool
    name: str = ""
    source: str = "manual"


@dataclass(frozen=True)
class DayInfo:
    """What a day is and why: `reason` is the Chinese text shown to users."""

    day: date
    is_workday: bool
    kind: str  # workday | weekend | holiday | adjusted_workday
    reason: str
    source: str
    known: bool  # False: the year has no holiday data, this is a guess from weekends and statutory holidays


@dataclass(frozen=True)
class DayNote:
    """A day the period computation treated specially: skipped (rest day) or counted (调休上班)."""

    day: date
    reason: str
    counted: bool

    def as_json(self) -> dict:
        return {"day": self.day.isoformat(), "reason": self.reason, "counted": self.counted}


@dataclass(frozen=True)
class PeriodResult:
    """The end of a 公示 period and how it was reached."""

    start: date
    first_day: date
    end: date
    rule: PeriodRule
    explanation: str
    skipped: tuple[DayNote, ...]
    calendar_complete: bool
    warnings: tuple[str, ...]
    missing_years: tuple[int, ...] = ()
    rolled_from: date | None = None

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "first_day": self.first_day.isoformat(),
            "end": self.end.isoformat(),
            "duration": self.rule.duration,
            "unit": self.rule.unit,
            "start_day_counts": self.rule.start_day_counts,
            "roll_forward": self.rule.roll_forward,
            "explanation": self.explanation,
            "calendar_complete": self.calendar_complete,
            "missing_years": list(self.missing_years),
            "warnings": list(self.warnings),
            "skipped": [note.as_json() for note in self.skipped],
            "rolled_from": self.rolled_from.isoformat() if self.rolled_from else None,
        }


# --- sources -----------------------------------------------------------------


def package_version() -> str:
    """The chinesecalendar package's version: its `__version__`, else its installed metadata (a scan of
    sys.path's distributions that costs a tenth of a second at start-up), else ""."""
    import chinese_calendar

    found = getattr(chinese_calendar, "__version__", None)
    if isinstance(found, str) and found:
        return found
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover - bundled without metadata
        return ""


def package_arrangements() -> dict[int, YearArrangement]:
    """The chinesecalendar package's data, one arrangement per covered year."""
    from chinese_calendar import constants

    source = f"{SOURCE_PACKAGE} {package_version()}".strip()
    years: dict[int, tuple[dict, dict]] = {}
    for day, name in constants.holidays.items():
        years.setdefault(day.year, ({}, {}))[0][day] = PACKAGE_HOLIDAY_NAMES.get(name, name)
    for day, name in constants.workdays.items():
        label = PACKAGE_HOLIDAY_NAMES.get(name, name)
        years.setdefault(day.year, ({}, {}))[1][day] = f"{label}调休上班"
    return {
        year: YearArrangement(year=year, source=source, holidays=rest, workdays=work)
        for year, (rest, work) in years.items()
    }


def _parse_day(text: object, origin: str, year: int) -> date:
    try:
        day = date.fromisoformat(str(text))
    except ValueError:
        raise CalendarDataError(f"节假日数据文件 {origin} 中的日期“{text}”格式不对，应为 YYYY-MM-DD。") from None
    if day.year != year:
        raise CalendarDataError(f"节假日数据文件 {origin} 中的日期 {day} 不属于 {year} 年。")
    return day


def parse_year_data(raw: object, origin: str = "") -> YearArrangement:
    """Validate one year's JSON (the `resources/calendar/YYYY.json` format) into an arrangement."""
    if not isinstance(raw, dict) or not isinstance(raw.get("year"), int):
        raise CalendarDataError(f"节假日数据文件 {origin} 缺少整数字段 year。")
    year = raw["year"]
    sections = {}
    for key in ("holidays", "workdays"):
        entries = raw.get(key, {})
        if not isinstance(entries, dict):
            raise CalendarDataError(f"节假日数据文件 {origin} 的 {key} 应为“日期: 名称”的对象。")
        sections[key] = {_parse_day(k, origin, year): str(v) for k, v in entries.items()}
    both = sorted(set(sections["holidays"]) & set(sections["workdays"]))
    if both:
        raise CalendarDataError(
            f"节假日数据文件 {origin} 中 {both[0]} 同时被列为放假和上班，请更正。"
        )
    return YearArrangement(
        year=year,
        source=str(raw.get("source") or origin or "file"),
        holidays=sections["holidays"],
        workdays=sections["workdays"],
    )


def load_year_files(directory: Path | str | None) -> dict[int, YearArrangement]:
    """Every `YYYY.json` in `directory` (missing directory: none); the file name must match its year."""
    if directory is None:
        return {}
    folder = Path(directory)
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.iterdir()):
        match = YEAR_FILE_PATTERN.match(path.name)
        if not match:
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CalendarDataError(f"节假日数据文件 {path.name} 无法读取：{exc}") from exc
        arrangement = parse_year_data(raw, path.name)
        if arrangement.year != int(match.group(1)):
            raise CalendarDataError(
                f"节假日数据文件 {path.name} 内写的年份是 {arrangement.year}，与文件名不符。"
            )
        found[arrangement.year] = arrangement
    return found


def year_data_json(arrangement: YearArrangement) -> dict:
    """The JSON form of an arrangement (inverse of `parse_year_data`)."""
    return {
        "year": arrangement.year,
        "source": arrangement.source,
        "holidays": {d.isoformat(): n for d, n in sorted(arrangement.holidays.items())},
        "workdays": {d.isoformat(): n for d, n in sorted(arrangement.workdays.items())},
    }


def write_year_file(directory: Path | str, arrangement: YearArrangement) -> Path:
    """Write `YYYY.json` atomically (temp file + rename)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    return write_text_atomically(folder / f"{arrangement.year}.json", json.dumps(year_data_json(arrangement), ensure_ascii=False, indent=2))


def default_data_dir() -> Path:
    """`resources/calendar/` of this install (source tree or bundle)."""
    from zwgk_desktop.config import bundle_root

    return bundle_root() / "resources" / "calendar"


def _normalise_override(day: date, value: object) -> DayOverride:
    if isinstance(value, DayOverride):
        return value
    if isinstance(value, bool):
        return DayOverride(day=day, is_workday=value)
    if isinstance(value, tuple) and value and isinstance(value[0], bool):
        name = str(value[1]) if len(value) > 1 else ""
        source = str(value[2]) if len(value) > 2 else "manual"
        return DayOverride(day=day, is_workday=value[0], name=name, source=source)
    if hasattr(value, "is_workday"):  # a CalendarDay row or anything shaped like it
        return DayOverride(
            day=day,
            is_workday=bool(value.is_workday),
            name=getattr(value, "name", "") or "",
            source=getattr(value, "source", "manual") or "manual",
        )
    raise TypeError(f"unsupported calendar override for {day}: {value!r}")


# --- the calendar ------------------------------------------------------------


def format_day(day: date) -> str:
    return f"{day.isoformat()}（{WEEKDAY_NAMES[day.weekday()]}）"


def _short_day(day: date, base_year: int) -> str:
    if day.year == base_year:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def _override_reason(override: DayOverride, weekend: bool) -> tuple[str, str]:
    """(kind, reason) for an override."""
    name = override.name.strip()
    origin = "县级同步" if override.source == "county" else "手工录入"
    if override.is_workday:
        if not weekend:
            return KIND_WORKDAY, name or f"工作日（{origin}）"
        if name and ("调休" in name or "上班" in name):
            return KIND_ADJUSTED_WORKDAY, name
        return KIND_ADJUSTED_WORKDAY, f"{name}调休上班" if name else f"调休上班（{origin}）"
    return KIND_HOLIDAY, name or f"休息日（{origin}）"


@dataclass
class WorkCalendar:
    """Rest days and working days from all sources; build with `build_calendar`."""

    arrangements: Mapping[int, YearArrangement] = field(default_factory=dict)
    overrides: Mapping[date, DayOverride] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.overrides = {d: _normalise_override(d, v) for d, v in dict(self.overrides).items()}
        self._override_years = {d.year for d in self.overrides}

    # years ------------------------------------------------------------------
    def has_year(self, year: int) -> bool:
        """True when some source (package, data file, override) has data for `year`."""
        return year in self.arrangements or year in self._override_years

    def known_years(self) -> list[int]:
        return sorted(set(self.arrangements) | self._override_years)

    def missing_years(self, first: date, last: date) -> list[int]:
        low, high = min(first, last).year, max(first, last).year
        return [y for y in range(low, high + 1) if not self.has_year(y)]

    # days -------------------------------------------------------------------
    def day_info(self, day: date) -> DayInfo:
        """Everything about one day: working or not, why, from which source, and whether known."""
        weekend = day.weekday() >= 5
        known = self.has_year(day.year)
        override = self.overrides.get(day)
        if override is not None:
            kind, reason = _override_reason(override, weekend)
            return DayInfo(day, override.is_workday, kind, reason, override.source, True)
        arrangement = self.arrangements.get(day.year)
        if arrangement is not None:
            if day in arrangement.holidays:
                return DayInfo(day, False, KIND_HOLIDAY, arrangement.holidays[day], arrangement.source, True)
            if day in arrangement.workdays:
                name = arrangement.workdays[day]
                reason = name if ("调休" in name or "上班" in name) else f"{name}调休上班"
                kind = KIND_ADJUSTED_WORKDAY if weekend else KIND_WORKDAY
                return DayInfo(day, True, kind, reason, arrangement.source, True)
        if not known and day.year >= FIRST_RULE_YEAR:
            name = statutory_holidays(day.year).get(day)
            if name is not None:
                return DayInfo(day, False, KIND_HOLIDAY, f"{name}（法定节假日）", SOURCE_STATUTORY_RULE, False)
        source = arrangement.source if arrangement else SOURCE_WEEKEND_RULE
        if weekend:
            return DayInfo(day, False, KIND_WEEKEND, "周末", source, known)
        return DayInfo(day, True, KIND_WORKDAY, "工作日", source, known)

    def day_kind(self, day: date) -> tuple[bool, str]:
        """(is_workday, Chinese reason) for one day."""
        info = self.day_info(day)
        return info.is_workday, info.reason

    def is_workday(self, day: date) -> bool:
        return self.day_info(day).is_workday

    def next_workday(self, day: date) -> date:
        """The first working day on or after `day`."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    # plain helpers (raise on unknown years unless the caller accepts a guess) --
    def _require_years(self, first: date, last: date, allow_guess: bool) -> None:
        missing = self.missing_years(first, last)
        if missing and not allow_guess:
            raise CalendarIncomplete(missing_years_warning(missing), detail={"missing_years": missing})

    def add_working_days(self, start: date, count: int, *, allow_guess: bool = False) -> date:
        """The `count`-th working day after `start` (start itself not counted; 0 → start)."""
        if count < 0:
            raise InvalidInput("工作日数不能为负数。", detail={"count": count})
        if count > MAX_PERIOD_DAYS:
            raise InvalidInput(f"工作日数不能超过 {MAX_PERIOD_DAYS}。", detail={"count": count})
        day, counted = start, 0
        while counted < count:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        self._require_years(start, day, allow_guess)
        return day

    def working_days_between(self, first: date, last: date, *, allow_guess: bool = False) -> int:
        """Working days after `first` up to and including `last` (negative if `last` is earlier).

        So `working_days_between(a, add_working_days(a, n)) == n`.
        """
        if last < first:
            return -self.working_days_between(last, first, allow_guess=allow_guess)
        self._require_years(first, last, allow_guess)
        total, day = 0, first
        while day < last:
            day += timedelta(days=1)
            total += self.is_workday(day)
        return total

    # the 公示期 --------------------------------------------------------------
    def period_end(self, start: date, rule: PeriodRule) -> PeriodResult:
        """End date of a 公示 period published on `start` under `rule`, with its explanation."""
        validate_rule(start, rule)
        first = start if rule.start_day_counts else start + timedelta(days=1)
        notes: list[DayNote] = []
        if rule.unit == "working":
            end = self._count_working_days(first, rule.duration, notes)
        else:
            end = first + timedelta(days=rule.duration - 1)
        counting_notes = list(notes)
        rolled_from = None
        if rule.roll_forward and not self.is_workday(end):
            rolled_from = end
            while not self.is_workday(end):
                notes.append(DayNote(end, f"{self.day_info(end).reason}（期满日顺延）", False))
                end += timedelta(days=1)
        missing = self.missing_years(start, end)
        warnings = []
        if missing:
            warnings.append(missing_years_warning(missing, depends=_depends_on_calendar(rule)))
        explanation = self._explain(start, first, end, rule, counting_notes, rolled_from)
        return PeriodResult(
            start=start,
            first_day=first,
            end=end,
            rule=rule,
            explanation=explanation,
            skipped=tuple(notes),
            calendar_complete=not missing,
            warnings=tuple(warnings),
            missing_years=tuple(missing),
            rolled_from=rolled_from,
        )

    def _count_working_days(self, first: date, duration: int, notes: list[DayNote]) -> date:
        day, counted = first, 0
        while True:
            info = self.day_info(day)
            if info.is_workday:
                counted += 1
                if info.kind == KIND_ADJUSTED_WORKDAY:
                    notes.append(DayNote(day, info.reason, True))
                if counted == duration:
                    return day
            else:
                notes.append(DayNote(day, info.reason, False))
            day += timedelta(days=1)

    # explanation ------------------------------------------------------------
    def _explain(
        self,
        start: date,
        first: date,
        end: date,
        rule: PeriodRule,
        notes: list[DayNote],
        rolled_from: date | None,
    ) -> str:
        year = start.year
        if rule.start_day_counts:
            opening = f"发布日 {format_day(start)}，自发布当日起算"
        else:
            opening = f"发布日 {format_day(start)}，自次日 {format_day(first)}起算"
        counted_notes = [n for n in notes if n.counted]
        skipped_notes = [n for n in notes if not n.counted]
        parts = []
        if rule.unit == "working":
            parts.append(f"{opening}{rule.duration}个工作日")
            if skipped_notes:
                parts.append("跳过 " + "、".join(group_notes(skipped_notes, year)))
            else:
                parts.append("期间没有休息日")
            if counted_notes:
                parts.append("计入 " + "、".join(group_notes(counted_notes, year)))
        else:
            parts.append(f"{opening}{rule.duration}天（自然日，周末和节假日照常计入）")
            holidays = self._named_rest_days(first, rolled_from or end)
            if holidays:
                parts.append("期间含 " + "、".join(group_notes(holidays, year)))
        if rolled_from is not None:
            parts.append(
                f"原期满日 {format_day(rolled_from)}为休息日（{self.day_info(rolled_from).reason}），"
                f"顺延至下一个工作日"
            )
        parts.append(f"期满日 {self._describe_end(end)}")
        return "；".join(parts) + "。"

    def _describe_end(self, end: date) -> str:
        info = self.day_info(end)
        weekday = WEEKDAY_NAMES[end.weekday()]
        if info.kind in (KIND_WORKDAY, KIND_WEEKEND) and info.reason in ("工作日", "周末"):
            return f"{end.isoformat()}（{weekday}）"
        return f"{end.isoformat()}（{weekday}，{info.reason}）"

    def _named_rest_days(self, first: date, last: date) -> list[DayNote]:
        notes, day = [], first
        while day <= last:
            info = self.day_info(day)
            if info.kind == KIND_HOLIDAY:
                notes.append(DayNote(day, info.reason, True))
            day += timedelta(days=1)
        return notes


def group_notes(notes: list[DayNote], base_year: int) -> list[str]:
    """Consecutive days with the same reason become one range: '10月1日–10月7日 国庆节'."""
    groups: list[list[DayNote]] = []
    for note in sorted(notes, key=lambda n: n.day):
        last = groups[-1][-1] if groups else None
        if last and last.reason == note.reason and (note.day - last.day).days == 1:
            groups[-1].append(note)
        else:
            groups.append([note])
    texts = []
    for group in groups:
        first, last = group[0].day, group[-1].day
        if first == last:
            texts.append(f"{_short_day(first, base_year)}（{WEEKDAY_NAMES[first.weekday()]}）{group[0].reason}")
        else:
            texts.append(f"{_short_day(first, base_year)}–{_short_day(last, base_year)} {group[0].reason}")
    return texts


def _depends_on_calendar(rule: PeriodRule) -> bool:
    return rule.unit == "working" or rule.roll_forward


def missing_years_warning(years: Iterable[int], depends: bool = True) -> str:
    """The Chinese warning for years without holiday data."""
    names = "、".join(f"{y}年" for y in years)
    advice = f"请在“设置 → 节假日与调休”中录入或确认{names}的放假和调休安排（国务院办公厅通知一般在上一年年底发布）。"
    if depends:
        return (
            f"{names}的放假和调休安排尚未录入，本期限暂按“周六、周日休息”及法定节假日推算，"
            f"未计入调休上班和节前节后的调休放假，期满日可能不准确。{advice}"
        )
    return (
        f"{names}的节假日和调休安排尚未录入。本期限按自然日计算，期满日本身不受影响，"
        f"但无法确认期间和期满日是否逢节假日。{advice}"
    )


def validate_rule(start: object, rule: PeriodRule) -> None:
    """Raise a Chinese `InvalidInput` for a start that is not a date or an unusable rule."""
    if not isinstance(start, date):
        raise InvalidInput("公示开始日期无效，应为 YYYY-MM-DD 格式的日期。", detail={"start": str(start)})
    if rule.unit not in UNITS:
        raise InvalidInput(
            f"公示期单位“{rule.unit}”无效，应为 calendar（自然日）或 working（工作日）。",
            detail={"unit": rule.unit},
        )
    if not isinstance(rule.duration, int) or isinstance(rule.duration, bool) or rule.duration < 1:
        raise InvalidInput("公示期天数必须是正整数。", detail={"duration": rule.duration})
    if rule.duration > MAX_PERIOD_DAYS:
        raise InvalidInput(f"公示期天数不能超过 {MAX_PERIOD_DAYS} 天。", detail={"duration": rule.duration})
    if start.year < 1900 or start.year > 2200:
        raise InvalidInput(f"公示开始日期 {start} 超出可计算范围。", detail={"start": start.isoformat()})


def parse_date(text: str, what: str = "日期") -> date:
    """A YYYY-MM-DD string as a date, or a Chinese `InvalidInput`."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidInput(f"{what}“{text}”无效，应为 YYYY-MM-DD 格式，例如 2026-09-28。", detail={"value": text}) from None


# --- building calendars ------------------------------------------------------


def build_calendar(
    *,
    data_dir: Path | str | None = None,
    overrides: Mapping[date, object] | None = None,
    use_package: bool = True,
    use_default_files: bool = True,
) -> WorkCalendar:
    """Package data, then the shipped data files (and `data_dir`'s, which win), then overrides."""
    arrangements: dict[int, YearArrangement] = dict(_package_arrangements_cached()) if use_package else {}
    if use_default_files:
        arrangements.update(_default_files_cached())
    if data_dir is not None:
        arrangements.update(load_year_files(data_dir))
    return WorkCalendar(arrangements=arrangements, overrides=dict(overrides or {}))


@lru_cache(maxsize=1)
def _package_arrangements_cached() -> dict[int, YearArrangement]:
    return package_arrangements()


@lru_cache(maxsize=1)
def _default_files_cached() -> dict[int, YearArrangement]:
    return load_year_files(default_data_dir())


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """Package + shipped data files, no overrides (use `calendar_from_session` when a DB is open)."""
    return build_calendar()


def load_overrides(session) -> dict[date, DayOverride]:
    """County-synced and manual `CalendarDay` rows as overrides."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import CalendarDay

    rows = session.execute(select(CalendarDay)).scalars()
    return {
        row.day: DayOverride(day=row.day, is_workday=bool(row.is_workday), name=row.name or "", source=row.source or "manual")
        for row in rows
    }


def calendar_from_session(session, *, data_dir: Path | str | None = None) -> WorkCalendar:
    """The full calendar for this install: package + data files + the database's overrides."""
    return build_calendar(data_dir=data_dir, overrides=load_overrides(session))


# --- module-level conveniences (default calendar unless one is given) -------


def _cal(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else default_calendar()


def compute_end_date(start: date, rule: PeriodRule, calendar: WorkCalendar | None = None) -> PeriodResult:
    return _cal(calendar).period_end(start, rule)


def is_workday(day: date, calendar: WorkCalendar | None = None) -> bool:
    return _cal(calendar).is_workday(day)


def day_kind(day: date, calendar: WorkCalendar | None = None) -> tuple[bool, str]:
    return _cal(calendar).day_kind(day)


def add_working_days(
    start: date, count: int, calendar: WorkCalendar | None = None, *, allow_guess: bool = False
) -> date:
    return _cal(calendar).add_working_days(start, count, allow_guess=allow_guess)


def working_days_between(
    first: date, last: date, calendar: WorkCalendar | None = None, *, allow_guess: bool = False
) -> int:
    return _cal(calendar).working_days_between(first, last, allow_guess=allow_guess)


def days_remaining(end: date, today: date) -> int:
    """Calendar days left after `today` until `end`: 0 on the last day, negative once expired."""
    return (end - today).days
