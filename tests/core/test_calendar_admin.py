"""Holiday data administration: coverage by source, manual entry of a year, year-file import."""

from __future__ import annotations

import json
from datetime import date

import pytest

from zwgk_desktop.core.calendar import CalendarDataError, calendar_from_session
from zwgk_desktop.core.calendar_admin import (
    arrangement_text, import_year_file, parse_arrangement_text, store_year, year_coverage,
)
from zwgk_desktop.core.catalogue import PeriodRule
from zwgk_desktop.core.models import CalendarDay

REST_2027 = """2027-01-01~2027-01-03 元旦
2027-02-06~2027-02-12 春节
"""
WORK_2027 = "2027-02-14 春节调休上班\n"


def test_a_typed_year_is_parsed_with_ranges_and_names():
    """Ranges and single days with names become one named entry per day."""
    arrangement = parse_arrangement_text(2027, REST_2027, WORK_2027)
    assert len(arrangement.holidays) == 10
    assert arrangement.holidays[date(2027, 2, 8)] == "春节"
    assert arrangement.workdays == {date(2027, 2, 14): "春节调休上班"}


@pytest.mark.parametrize("rest, work, fragment", [
    ("2027-13-01 元旦", "", "不存在"),
    ("2026-12-31 元旦", "", "不属于 2027 年"),
    ("元旦 2027-01-01", "", "格式不对"),
    ("2027-02-06 春节", "2027-02-06 调休", "同时被列为放假和上班"),
    ("", "", "至少录入一天"),
])
def test_bad_lines_are_refused_in_chinese(rest, work, fragment):
    """A wrong date, another year, a garbled line or a day both off and on is refused with a Chinese reason."""
    with pytest.raises(CalendarDataError) as caught:
        parse_arrangement_text(2027, rest, work)
    assert fragment in caught.value.message


def test_storing_2027_makes_its_working_day_periods_complete(session):
    """After entering 2027, a 5-working-day period over 春节 skips the holiday, counts the 调休 Sunday and is complete."""
    rule = PeriodRule(duration=5, unit="working", start_day_counts=False, roll_forward=False)
    assert not calendar_from_session(session).period_end(date(2027, 2, 4), rule).calendar_complete
    stored = store_year(session, parse_arrangement_text(2027, REST_2027, WORK_2027), user="tester")
    assert (stored.holidays, stored.workdays) == (10, 1)
    result = calendar_from_session(session).period_end(date(2027, 2, 4), rule)
    assert result.calendar_complete and result.warnings == ()
    assert result.end == date(2027, 2, 17)
    assert "春节" in result.explanation


def test_re_entering_a_year_replaces_the_earlier_manual_days(session):
    """Entering a year again leaves only the new list (nothing from the first attempt lingers)."""
    store_year(session, parse_arrangement_text(2027, REST_2027, WORK_2027))
    store_year(session, parse_arrangement_text(2027, "2027-10-01~2027-10-07 国庆节", ""))
    rest, work = arrangement_text(session, 2027)
    assert rest == "2027-10-01~2027-10-07 国庆节" and work == ""


def test_manual_entry_wins_over_a_county_day(session):
    """A manual entry replaces the county's row for the same day."""
    session.add(CalendarDay(day=date(2027, 1, 1), is_workday=True, name="县级", source="county"))
    session.flush()
    stored = store_year(session, parse_arrangement_text(2027, REST_2027, ""))
    assert stored.replaced_county_days == 1
    assert session.get(CalendarDay, date(2027, 1, 1)).source == "manual"


def test_coverage_names_each_years_sources(session):
    """The package covers 2026, 2027 is missing until entered, then shown as 手工录入."""
    before = {c.year: c for c in year_coverage(session, 2025, 2027)}
    assert before[2026].sources == ("package",) and not before[2027].complete and before[2027].label == "未录入"
    store_year(session, parse_arrangement_text(2027, REST_2027, WORK_2027))
    after = {c.year: c for c in year_coverage(session, 2025, 2027)}
    assert after[2027].sources == ("manual",) and after[2027].manual_days == 11 and after[2027].label == "手工录入"


def test_a_year_file_is_imported_as_manual_days(session, tmp_path):
    """A resources/calendar-format JSON file is stored for its year."""
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"year": 2027, "source": "国办通知", "holidays": {"2027-05-01": "劳动节"},
                                "workdays": {"2027-04-25": "劳动节调休上班"}}, ensure_ascii=False), encoding="utf-8")
    stored = import_year_file(session, path)
    assert (stored.year, stored.holidays, stored.workdays, stored.source) == (2027, 1, 1, "国办通知")
    assert calendar_from_session(session).day_kind(date(2027, 4, 25)) == (True, "劳动节调休上班")
