"""One 公示期 per notice version, and the one way it is written: poster, screens, 今日待办, kiosk, county, CLI.

`NoticePeriod` is the period a notice version runs on its boards: the
posting day, the first counted day, the last day, how many days that range
counts in the rule's unit, and the calendar's explanation. It is computed by
the calendar (`core.calendar.WorkCalendar.period_end`) and never re-derived
by a screen. A period may be *planned* (printed before posting, from the
planned posting day) or *continued* (a typo correction that keeps the
remaining days of the version it replaces; `counted_days` then says how many
days are left, so the days printed always equal the dates printed).

Wording follows township practice: "公示期：2026年12月4日至12月10日（7天）"
— no nested brackets, the unit in plain words ("5个工作日").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from zwgk_desktop.core.calendar import PeriodResult, WorkCalendar


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

    @classmethod
    def from_result(cls, result: PeriodResult, *, planned: bool = False) -> "NoticePeriod":
        """A fresh period as the calendar computed it."""
        if result.rule.unit == "working":
            counted = result.rule.duration
        else:
            counted = (result.end - result.first_day).days + 1
        return cls(
            posted_on=result.start, first_day=result.first_day, end=result.end, counted_days=counted,
            unit=result.rule.unit, duration=result.rule.duration, start_day_counts=result.rule.start_day_counts,
            explanation=result.explanation, calendar_complete=result.calendar_complete, planned=planned,
        )

    def continued_from(self, posted_on: date, calendar: WorkCalendar) -> "NoticePeriod":
        """The remainder of this period for a version posted on `posted_on` (typo corrections only)."""
        first = max(posted_on + timedelta(days=0 if self.start_day_counts else 1), self.first_day)
        if self.unit == "working":
            counted = sum(1 for i in range((self.end - first).days + 1) if calendar.is_workday(first + timedelta(days=i)))
        else:
            counted = max((self.end - first).days + 1, 0)
        explanation = (
            f"更正版本沿用原公示期：{format_day_cn(first)}起至{format_day_cn(self.end)}，"
            f"剩余{counted}{unit_word(self.unit)}。"
        )
        return NoticePeriod(
            posted_on=posted_on, first_day=first, end=self.end, counted_days=counted, unit=self.unit,
            duration=self.duration, start_day_counts=self.start_day_counts, explanation=explanation,
            calendar_complete=self.calendar_complete, continued=True,
        )

    def as_json(self) -> dict:
        return {
            "posted_on": self.posted_on.isoformat(),
            "first_day": self.first_day.isoformat(),
            "end": self.end.isoformat(),
            "counted_days": self.counted_days,
            "unit": self.unit,
            "duration": self.duration,
            "start_day_counts": self.start_day_counts,
            "explanation": self.explanation,
            "calendar_complete": self.calendar_complete,
            "planned": self.planned,
            "continued": self.continued,
            "text": period_range_text(self),
            "days_text": days_text(self),
        }

    @classmethod
    def from_json(cls, data: dict) -> "NoticePeriod":
        return cls(
            posted_on=date.fromisoformat(data["posted_on"]), first_day=date.fromisoformat(data["first_day"]),
            end=date.fromisoformat(data["end"]), counted_days=int(data["counted_days"]), unit=data["unit"],
            duration=int(data["duration"]), start_day_counts=bool(data["start_day_counts"]),
            explanation=data.get("explanation", ""), calendar_complete=bool(data.get("calendar_complete", True)),
            planned=bool(data.get("planned", False)), continued=bool(data.get("continued", False)),
        )


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
