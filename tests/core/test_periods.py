"""The one 公示期 object and its wording: days printed equal dates printed, no nested brackets, stored round trip."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from zwgk_desktop.core.calendar import default_calendar
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.periods import (
    NoticePeriod,
    list_period_text,
    poster_period_line,
    screen_period_text,
)

D = date


def fresh(category: str, posted_on: date) -> NoticePeriod:
    return NoticePeriod.from_result(default_calendar().period_end(posted_on, get_entry(category).rule))


def dates_in(period: NoticePeriod) -> int:
    """How many days of the period's unit the printed range really holds (counted with the calendar)."""
    calendar, days = default_calendar(), (period.end - period.first_day).days + 1
    if period.unit == "working":
        return sum(calendar.is_workday(period.first_day + timedelta(days=i)) for i in range(days))
    return days


@pytest.mark.parametrize("category, posted_on, line, screen", [
    ("dibao", D(2026, 12, 3), "公示期：2026年12月4日至12月10日（7天）", "2026-12-04 至 2026-12-10（7天）"),  # Thursday
    ("dibao", D(2026, 3, 6), "公示期：2026年3月7日至3月13日（7天）", "2026-03-07 至 2026-03-13（7天）"),  # Friday
    ("dibao", D(2026, 9, 30), "公示期：2026年10月1日至10月7日（7天）", "2026-10-01 至 2026-10-07（7天）"),  # 国庆
    ("linshi", D(2026, 9, 30), "公示期：2026年10月1日至10月13日（5个工作日）", "2026-10-01 至 2026-10-13（5个工作日）"),
    ("fupin_project", D(2026, 12, 28), "公示期：2026年12月29日至2027年1月7日（10天）", "2026-12-29 至 2027-01-07（10天）"),
])
def test_poster_and_screen_wording_print_as_many_days_as_dates(category, posted_on, line, screen):
    """The poster line and the screen text show the counted range and its length, in township wording."""
    period = fresh(category, posted_on)
    assert poster_period_line(period) == line and screen_period_text(period) == screen
    assert period.counted_days == dates_in(period)
    assert not re.search(r"（[^）]*（", line)  # no nested brackets


def test_the_working_day_rule_counts_the_adjusted_saturday_across_national_day():
    """5 working days from 9/30 skip 国庆 and count the 调休 Saturday 10/10; the explanation says both."""
    period = fresh("linshi", D(2026, 9, 30))
    assert period.end == D(2026, 10, 13) and period.counted_days == 5 == dates_in(period)
    assert "10月10日（周六）国庆节调休上班" in period.explanation and "跳过 10月1日–10月7日 国庆节" in period.explanation
    assert {"day": "2026-10-10", "reason": "国庆节调休上班", "counted": True} in period.skipped


def test_a_continued_period_counts_only_the_remaining_days_with_its_reason():
    """A typo correction posted on day 3 keeps the end; the days printed are the days left, the reason is the note."""
    original = fresh("dibao", D(2026, 12, 3))
    continued = original.continued_from(D(2026, 12, 6), default_calendar(), reason="仅更正标题错字。")
    assert (continued.first_day, continued.end, continued.counted_days, continued.continued) == (
        D(2026, 12, 7), D(2026, 12, 10), 4, True)
    assert poster_period_line(continued) == "公示期：2026年12月7日至12月10日（4天）"
    assert continued.full_explanation.startswith("仅更正标题错字。更正版本沿用原公示期")


def test_the_stored_form_round_trips_and_texts_are_derived():
    """What the database keeps reads back as the same period; the texts are recomputed, never stored."""
    period = fresh("linshi", D(2026, 9, 30)).with_note("重新公示。").as_planned()
    stored = period.stored()
    assert "text" not in stored and "poster_line" not in stored
    assert NoticePeriod.from_json(stored) == period
    assert NoticePeriod.from_json(period.as_json()) == period
    assert period.as_json()["explanation"].startswith("重新公示。发布日")


def test_the_list_cell_marks_a_plan_and_a_later_board():
    """The list says 计划 before posting, and names the latest end when a board was posted later."""
    period = fresh("dibao", D(2026, 12, 3))
    assert list_period_text(period.as_planned()) == "计划 2026-12-04 至 2026-12-10（7天）"
    assert list_period_text(period, D(2026, 12, 11)).endswith("；各公开栏最晚 2026-12-11 期满")
    assert list_period_text(None) == ""
