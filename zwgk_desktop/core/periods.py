"""One 公示期 per notice version, and the one way it is written: poster, screens, 今日待办, kiosk, county, CLI.

`NoticePeriod` is the period a notice version runs on its boards: the
posting day, the first counted day, the last day, how many days that range
counts in the rule's unit, and the calendar's explanation. It is computed by
the calendar (`core.calendar.WorkCalendar.period_end`) once, STORED with the
posting (and the version: `Disclosure.period`, see `core.postings`) and never
re-derived by a screen. A period may be *planned* (printed before posting,
from the planned posting day) or *continued* (a typo correction that keeps
the remaining days of the version it replaces; `counted_days` then says how
many days are left, so the days printed always equal the dates printed).
`note` carries why a correction's period is what it is (re-公示 after an
upheld objection, or the recorded reason for keeping the remaining days).

Wording follows township practice: "公示期：2026年12月4日至12月10日（7天）"
— no nested brackets, the unit in plain words ("5个工作日"). Screens use
`screen_period_text` ("2026-12-04 至 2026-12-10（7天）"), 今日待办 and lists
the same; nothing else formats a period.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from zwgk_desktop.core.calendar import PeriodResult, WorkCalendar, format_day


@dataclass(frozen=True)
class NoticePeriod:
    posted_on: date  # 张贴日 / 发布日
    first_day: date  # the first day counted
    end: date  # the last day of the 公示 (期满日)
    counted_days: int  # days in [first_day, end] in `unit` (equals the rule's duration for a fresh period)
    unit: str  # calendar | working
    duration: int  # the rule's duration (what a fresh period counts)
    start_day_counts: bool
    explanation: str
    calendar_complete: bool = True
    planned: bool = False  # dates of a planned posting day, not yet posted
    continued: bool = False  # keeps the remaining days of the version it corrects
    note: str = ""  # why a correction's period is fresh or continued (shown before the explanation)
    skipped: tuple[dict, ...] = field(default_factory=tuple)  # DayNote.as_json() of days skipped/counted specially
    warnings: tuple[str, ...] = field(default_factory=tuple)  # e.g. a year without holiday data
    missing_years: tuple[int, ...] = field(default_factory=tuple)  # years the calendar had no data for

    @classmethod
    def from_result(cls, result: "PeriodResult | NoticePeriod", *, planned: bool = False, note: str = "") -> "NoticePeriod":
        """A fresh period as the calendar computed it (a `NoticePeriod` — what `core.postings.PostingPlan.period`
        holds — is returned as it is, with `planned`/`note` applied when given)."""
        if isinstance(result, NoticePeriod):
            return replace(result, planned=planned or result.planned, note=note or result.note)
        if result.rule.unit == "working":
            counted = result.rule.duration
        else:
            counted = (result.end - result.first_day).days + 1
        return cls(
            posted_on=result.start, first_day=result.first_day, end=result.end, counted_days=counted,
            unit=result.rule.unit, duration=result.rule.duration, start_day_counts=result.rule.start_day_counts,
            explanation=result.explanation, calendar_complete=result.calendar_complete, planned=planned,
            note=note, skipped=tuple(n.as_json() for n in result.skipped), warnings=tuple(result.warnings),
            missing_years=tuple(result.missing_years),
        )

    @classmethod
    def recorded(cls, posted_on: date, end: date, result: PeriodResult, calendar: WorkCalendar) -> "NoticePeriod":
        """The period of a posting recorded before periods were stored (only its posted day and end are known).

        When the calendar still gives the same end, this is exactly the fresh
        period; otherwise the recorded end is kept and the days between counted."""
        if result.end == end:
            return cls.from_result(result)
        first = result.first_day
        counted = _count_days(first, end, result.rule.unit, calendar)
        return cls(
            posted_on=posted_on, first_day=first, end=end, counted_days=counted, unit=result.rule.unit,
            duration=result.rule.duration, start_day_counts=result.rule.start_day_counts,
            explanation=f"发布日 {format_day(posted_on)}，登记的期满日为 {format_day(end)}。",
            calendar_complete=result.calendar_complete, warnings=tuple(result.warnings),
            missing_years=tuple(result.missing_years),
        )

    def continued_from(self, posted_on: date, calendar: WorkCalendar, *, reason: str = "") -> "NoticePeriod":
        """The remainder of this period for a version posted on `posted_on` (typo corrections only)."""
        first = max(posted_on + timedelta(days=0 if self.start_day_counts else 1), self.first_day)
        counted = _count_days(first, self.end, self.unit, calendar)
        explanation = (
            f"更正版本沿用原公示期：{format_day_cn(first)}起至{format_day_cn(self.end)}，"
            f"剩余{counted}{unit_word(self.unit)}。"
        )
        return NoticePeriod(
            posted_on=posted_on, first_day=first, end=self.end, counted_days=counted, unit=self.unit,
            duration=self.duration, start_day_counts=self.start_day_counts, explanation=explanation,
            calendar_complete=self.calendar_complete, continued=True, note=reason,
            warnings=self.warnings, missing_years=self.missing_years,
        )

    def with_note(self, note: str) -> "NoticePeriod":
        return replace(self, note=note)

    def as_planned(self) -> "NoticePeriod":
        return replace(self, planned=True)

    def as_posted(self) -> "NoticePeriod":
        return replace(self, planned=False)

    @property
    def full_explanation(self) -> str:
        """The note (why fresh or continued) followed by the calendar's explanation."""
        return f"{self.note}{self.explanation}" if self.note else self.explanation

    def as_json(self) -> dict:
        return {
            "posted_on": self.posted_on.isoformat(),
            "first_day": self.first_day.isoformat(),
            "end": self.end.isoformat(),
            "counted_days": self.counted_days,
            "unit": self.unit,
            "duration": self.duration,
            "start_day_counts": self.start_day_counts,
            "explanation": self.full_explanation,
            "calendar_explanation": self.explanation,
            "note": self.note,
            "calendar_complete": self.calendar_complete,
            "planned": self.planned,
            "continued": self.continued,
            "skipped": [dict(s) for s in self.skipped],
            "warnings": list(self.warnings),
            "missing_years": list(self.missing_years),
            "text": period_range_text(self),
            "days_text": days_text(self),
            "screen_text": screen_period_text(self),
            "poster_line": poster_period_line(self),
        }

    @classmethod
    def from_json(cls, data: dict) -> "NoticePeriod":
        return cls(
            posted_on=date.fromisoformat(data["posted_on"]), first_day=date.fromisoformat(data["first_day"]),
            end=date.fromisoformat(data["end"]), counted_days=int(data["counted_days"]), unit=data["unit"],
            duration=int(data["duration"]), start_day_counts=bool(data["start_day_counts"]),
            explanation=data.get("calendar_explanation", data.get("explanation", "")),
            calendar_complete=bool(data.get("calendar_complete", True)),
            planned=bool(data.get("planned", False)), continued=bool(data.get("continued", False)),
            note=data.get("note", "") or "", skipped=tuple(dict(s) for s in data.get("skipped") or ()),
            warnings=tuple(data.get("warnings") or ()), missing_years=tuple(data.get("missing_years") or ()),
        )

    def stored(self) -> dict:
        """What the database keeps (the texts are derived, so not stored)."""
        data = self.as_json()
        for key in ("text", "days_text", "screen_text", "poster_line", "explanation"):
            data.pop(key)
        return data


def _count_days(first: date, end: date, unit: str, calendar: WorkCalendar) -> int:
    if end < first:
        return 0
    if unit == "working":
        return sum(1 for i in range((end - first).days + 1) if calendar.is_workday(first + timedelta(days=i)))
    return (end - first).days + 1


def period_of(data: dict | None) -> NoticePeriod | None:
    """A stored period (a JSON column) back as a `NoticePeriod`; None stays None."""
    return NoticePeriod.from_json(data) if data else None


# --- wording -----------------------------------------------------------------------------


def unit_word(unit: str) -> str:
    return "个工作日" if unit == "working" else "天"


def format_day_cn(day: date) -> str:
    """2026-12-04 → 2026年12月4日."""
    return f"{day.year}年{day.month}月{day.day}日"


def days_text(period: NoticePeriod) -> str:
    """'7天' or '5个工作日' — the number of days the printed range holds."""
    return f"{period.counted_days}{unit_word(period.unit)}"


def period_range_text(period: NoticePeriod) -> str:
    """'2026年12月4日至12月10日' (the year again only when the range crosses into the next year)."""
    first, end = period.first_day, period.end
    end_text = format_day_cn(end) if end.year != first.year else f"{end.month}月{end.day}日"
    return f"{format_day_cn(first)}至{end_text}"


def poster_period_line(period: NoticePeriod) -> str:
    """The poster's line: '公示期：2026年12月4日至12月10日（7天）'."""
    return f"公示期：{period_range_text(period)}（{days_text(period)}）"


def screen_period_text(period: NoticePeriod) -> str:
    """Screens and lists: '2026-12-04 至 2026-12-10（7天）'."""
    return f"{period.first_day.isoformat()} 至 {period.end.isoformat()}（{days_text(period)}）"


def end_text(period: NoticePeriod) -> str:
    """'2026-12-10' — the 期满日 as screens and 今日待办 write it."""
    return period.end.isoformat()


def recorded_period(posted_on: date, end: date | None, result: PeriodResult, calendar: WorkCalendar) -> NoticePeriod:
    """The period of a posting stored before periods were kept: its posted day and end (None: the calendar's)."""
    return NoticePeriod.recorded(posted_on, end or result.end, result, calendar)


def list_period_text(period: NoticePeriod | None, latest_end: date | None = None) -> str:
    """A notice list's 公示期 cell: the version's period, '计划' before posting, the latest board's end when later."""
    if period is None:
        return ""
    text = screen_period_text(period)
    if period.planned:
        text = f"计划 {text}"
    if latest_end is not None and latest_end > period.end:
        text += f"；各公开栏最晚 {latest_end.isoformat()} 期满"
    return text
