"""Tests for the 公示期 calendar (core.calendar) and `zwgk calendar end-date`.

The 2026 dates pinned here are what the installed `chinesecalendar` package
says about the State Council's 2026 arrangement (国庆节 10月1日–7日, 9月20日(周日)
and 10月10日(周六) 上班, 中秋节 9月25日(周五)); the first tests check the package
really says so, so a package change shows up as a failure there first.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import run_cli as run_whole_cli
from zwgk_desktop.core import calendar
from zwgk_desktop.core.calendar import (
    CalendarDataError,
    CalendarIncomplete,
    DayOverride,
    YearArrangement,
    build_calendar,
    compute_end_date,
)
from zwgk_desktop.core.catalogue import PeriodRule, get_entry
from zwgk_desktop.errors import InvalidInput

D = date


def working(n: int, start_counts: bool = False, roll: bool = False) -> PeriodRule:
    return PeriodRule(n, "working", start_day_counts=start_counts, roll_forward=roll)


def natural(n: int, start_counts: bool = False, roll: bool = False) -> PeriodRule:
    return PeriodRule(n, "calendar", start_day_counts=start_counts, roll_forward=roll)


# --- what the package says about 2026 (cross-check of the source data) -----


def test_chinesecalendar_says_2026_national_day_is_oct_1_to_7():
    """Per chinesecalendar: 2026 国庆节 rest days are exactly 10月1日–10月7日, then 10月8日 is a working day."""
    kinds = [calendar.day_kind(D(2026, 10, d)) for d in range(1, 9)]
    assert kinds[:7] == [(False, "国庆节")] * 7
    assert kinds[7] == (True, "工作日")


def test_chinesecalendar_says_2026_sep20_sunday_and_oct10_saturday_are_workdays():
    """Per chinesecalendar: 2026-09-20 (周日) and 2026-10-10 (周六) are 国庆 调休 working days."""
    assert D(2026, 9, 20).weekday() == 6 and D(2026, 10, 10).weekday() == 5
    assert calendar.day_kind(D(2026, 9, 20)) == (True, "国庆节调休上班")
    assert calendar.day_kind(D(2026, 10, 10)) == (True, "国庆节调休上班")
    assert calendar.default_calendar().day_info(D(2026, 10, 10)).kind == "adjusted_workday"


def test_chinesecalendar_says_2026_mid_autumn_is_friday_sep25():
    """Per chinesecalendar: 2026 中秋节 is Friday 9月25日 (a rest day), joined to that weekend."""
    assert D(2026, 9, 25).weekday() == 4
    assert calendar.day_kind(D(2026, 9, 25)) == (False, "中秋节")
    assert calendar.is_workday(D(2026, 9, 24))
    assert not calendar.is_workday(D(2026, 9, 26)) and not calendar.is_workday(D(2026, 9, 27))


def test_the_package_source_names_its_version_without_scanning_installed_metadata(monkeypatch):
    """The package data's source is "chinesecalendar <version>" from the package's own `__version__`: asking
    importlib.metadata scans every installed distribution, a tenth of a second of the desktop's start-up."""
    import importlib.metadata

    import chinese_calendar

    def scan(_name):
        raise AssertionError("importlib.metadata.version was called")

    monkeypatch.setattr(importlib.metadata, "version", scan)
    assert calendar.package_version() == chinese_calendar.__version__
    arrangement = next(iter(calendar.package_arrangements().values()))
    assert arrangement.source == f"chinesecalendar {chinese_calendar.__version__}"


def test_ordinary_weekend_and_weekday_reasons():
    """A plain Saturday is '周末' and a plain Wednesday '工作日', both from known data."""
    sat = calendar.default_calendar().day_info(D(2026, 11, 14))
    assert (sat.is_workday, sat.reason, sat.known) == (False, "周末", True)
    assert calendar.day_kind(D(2026, 11, 11)) == (True, "工作日")


# --- working-day periods across 中秋/国庆 2026 --------------------------------


def test_five_working_days_before_national_day_skip_holiday_and_count_oct10():
    """5 working days published 2026-09-28: counts 9/29, 9/30, 10/8, 10/9 and the 调休 Saturday 10/10."""
    result = compute_end_date(D(2026, 9, 28), working(5))
    assert result.end == D(2026, 10, 10)
    assert result.first_day == D(2026, 9, 29)
    assert result.calendar_complete and result.warnings == ()
    skipped = [n.day for n in result.skipped if not n.counted]
    assert skipped == [D(2026, 10, d) for d in range(1, 8)]
    assert [(n.day, n.reason) for n in result.skipped if n.counted] == [(D(2026, 10, 10), "国庆节调休上班")]
    assert "10月1日–10月7日 国庆节" in result.explanation
    assert "10月10日（周六）国庆节调休上班" in result.explanation
    assert "期满日 2026-10-10" in result.explanation


def test_ten_working_days_cross_sep20_workday_mid_autumn_and_national_day():
    """10 working days from Friday 2026-09-18: 9/20 Sunday counts, 中秋 9/25–27 and 国庆 10/1–7 are skipped."""
    result = compute_end_date(D(2026, 9, 18), working(10))
    assert result.end == D(2026, 10, 9)
    texts = result.explanation
    assert "9月19日（周六）周末" in texts
    assert "9月25日–9月27日 中秋节" in texts
    assert "10月1日–10月7日 国庆节" in texts
    assert "9月20日（周日）国庆节调休上班" in texts


def test_start_day_counts_for_working_days():
    """Start day counting: 5 working days from 2026-09-30 end 10/12 when 9/30 counts, 10/13 when it doesn't."""
    assert compute_end_date(D(2026, 9, 30), working(5, start_counts=True)).end == D(2026, 10, 12)
    assert compute_end_date(D(2026, 9, 30), working(5)).end == D(2026, 10, 13)


def test_start_on_a_holiday_with_start_counting_does_not_count_that_day():
    """A notice posted on 国庆 2026-10-03 with the start day counting still counts only working days."""
    result = compute_end_date(D(2026, 10, 3), working(1, start_counts=True))
    assert result.end == D(2026, 10, 8)
    assert "自发布当日起算" in result.explanation


# --- calendar-day periods ------------------------------------------------------


def test_seven_calendar_days_count_holidays_normally():
    """7 natural days published 2026-09-28 end 2026-10-05 (next-day counting), holidays included."""
    result = compute_end_date(D(2026, 9, 28), natural(7))
    assert result.end == D(2026, 10, 5)
    assert result.skipped == ()
    assert result.calendar_complete
    assert "期间含 10月1日–10月5日 国庆节" in result.explanation
    assert "自次日 2026-09-29（周二）起算7天" in result.explanation


def test_seven_calendar_days_with_start_day_counting():
    """With the start day counting, 7 natural days from 2026-09-28 end on 2026-10-04."""
    assert compute_end_date(D(2026, 9, 28), natural(7, start_counts=True)).end == D(2026, 10, 4)


def test_calendar_days_plain_month():
    """7 natural days from 2026-11-02 end 2026-11-09, across a weekend, nothing skipped."""
    result = compute_end_date(D(2026, 11, 2), natural(7))
    assert result.end == D(2026, 11, 9)
    assert "期满日 2026-11-09（周一）" in result.explanation


# --- roll forward ----------------------------------------------------------------


def test_roll_forward_from_national_day_to_oct8():
    """6 natural days from 2026-09-28 end on 10/4 (国庆); rolling forward moves the end to 2026-10-08."""
    result = compute_end_date(D(2026, 9, 28), natural(6, roll=True))
    assert result.rolled_from == D(2026, 10, 4)
    assert result.end == D(2026, 10, 8)
    assert [n.day for n in result.skipped] == [D(2026, 10, d) for d in range(4, 8)]
    assert "原期满日 2026-10-04（周日）为休息日（国庆节），顺延至下一个工作日" in result.explanation


def test_roll_forward_keeps_an_adjusted_saturday_workday():
    """An end on the 调休 Saturday 2026-10-10 is a working day and does not roll."""
    result = compute_end_date(D(2026, 10, 3), natural(7, roll=True))
    assert result.end == D(2026, 10, 10)
    assert result.rolled_from is None
    assert "期满日 2026-10-10（周六，国庆节调休上班）" in result.explanation


def test_without_roll_forward_end_may_be_a_holiday():
    """Without roll-forward the end stays on the holiday and the explanation names it."""
    result = compute_end_date(D(2026, 9, 28), natural(6))
    assert result.end == D(2026, 10, 4)
    assert "期满日 2026-10-04（周日，国庆节）" in result.explanation


def test_catalogue_linshi_rule_is_honoured():
    """The shipped 临时救助 rule (5 working days, roll forward) gives 2026-10-10 from 2026-09-28."""
    rule = get_entry("linshi").rule
    assert compute_end_date(D(2026, 9, 28), rule).end == D(2026, 10, 10)


# --- unknown years ----------------------------------------------------------------


def test_period_into_2027_is_incomplete_with_warning():
    """A working-day period running into 2027 (no data) says calendar_complete=False and warns about 2027."""
    result = compute_end_date(D(2026, 12, 28), working(5))
    assert result.calendar_complete is False
    assert result.missing_years == (2027,)
    assert len(result.warnings) == 1 and "2027年" in result.warnings[0]
    assert "周六、周日" in result.warnings[0] and "法定节假日" in result.warnings[0]
    assert result.end == D(2027, 1, 5)  # 元旦 (statutory, fixed by law) skipped; 调休 unknown, flagged above
    assert "元旦（法定节假日）" in result.explanation


def test_unknown_year_still_skips_the_statutory_spring_festival():
    """Without 2027 data, a working-day period over 2027's 春节 skips 除夕 to 初三 (5-8 Feb), not just weekends."""
    result = compute_end_date(D(2027, 2, 3), working(5))
    assert result.calendar_complete is False
    skipped = {note.day for note in result.skipped if not note.counted}
    assert {D(2027, 2, 5), D(2027, 2, 8)} <= skipped
    assert result.end == D(2027, 2, 12)  # counted: 4 Feb, then 9-12 Feb
    assert "春节（法定节假日）" in result.explanation


def test_statutory_holidays_agree_with_the_published_2025_and_2026_arrangements():
    """Every holiday the rules give for 2025 and 2026 is a rest day, with the same name, in the State Council data."""
    from chinese_calendar import get_holiday_detail

    from zwgk_desktop.core.calendar import PACKAGE_HOLIDAY_NAMES
    from zwgk_desktop.core.statutory_holidays import statutory_holidays

    for year in (2025, 2026):
        computed = statutory_holidays(year)
        assert len(computed) == 13
        for day, name in computed.items():
            is_holiday, package_name = get_holiday_detail(day)
            assert is_holiday and PACKAGE_HOLIDAY_NAMES[package_name] == name, (day, name, package_name)


def test_calendar_day_period_into_2027_also_warns():
    """Even a natural-day period touching 2027 is flagged incomplete (holidays in it can't be named)."""
    result = compute_end_date(D(2026, 12, 28), natural(7))
    assert result.end == D(2027, 1, 4)
    assert result.calendar_complete is False
    assert "2027年" in result.warnings[0]


def write_2027(folder: Path) -> Path:
    raw = {
        "year": 2027,
        "source": "测试用2027年安排",
        "holidays": {"2027-01-01": "元旦", "2027-01-02": "元旦", "2027-01-03": "元旦"},
        "workdays": {"2027-01-09": "元旦调休上班"},
    }
    path = folder / "2027.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def test_2027_data_file_makes_period_complete(tmp_path):
    """With a 2027.json data file, the same period is complete and skips 元旦 2027-01-01."""
    write_2027(tmp_path)
    cal = build_calendar(data_dir=tmp_path)
    result = cal.period_end(D(2026, 12, 28), working(5))
    assert result.calendar_complete and result.warnings == ()
    assert result.end == D(2027, 1, 5)
    assert "2027年1月1日–2027年1月3日 元旦" in result.explanation
    assert cal.day_kind(D(2027, 1, 9)) == (True, "元旦调休上班")


def test_data_file_replaces_package_year(tmp_path):
    """A data file for a year the package covers replaces the package's data for that year."""
    (tmp_path / "2026.json").write_text(
        json.dumps({"year": 2026, "source": "更正", "holidays": {"2026-11-11": "测试假日"}, "workdays": {}}),
        encoding="utf-8",
    )
    cal = build_calendar(data_dir=tmp_path)
    assert cal.day_kind(D(2026, 11, 11)) == (False, "测试假日")
    assert cal.day_kind(D(2026, 10, 1)) == (True, "工作日")


def test_broken_data_files_are_refused(tmp_path):
    """A data file with a wrong year, a bad date or a day both off and on is refused in Chinese."""
    (tmp_path / "2027.json").write_text(json.dumps({"year": 2028, "holidays": {}}), encoding="utf-8")
    with pytest.raises(CalendarDataError, match="与文件名不符"):
        calendar.load_year_files(tmp_path)
    (tmp_path / "2027.json").write_text(json.dumps({"year": 2027, "holidays": {"2027-13-01": "x"}}), encoding="utf-8")
    with pytest.raises(CalendarDataError, match="格式不对"):
        calendar.load_year_files(tmp_path)
    (tmp_path / "2027.json").write_text(
        json.dumps({"year": 2027, "holidays": {"2027-02-07": "春节"}, "workdays": {"2027-02-07": "上班"}}),
        encoding="utf-8",
    )
    with pytest.raises(CalendarDataError, match="同时被列为放假和上班"):
        calendar.load_year_files(tmp_path)


def test_write_year_file_round_trips(tmp_path):
    """An arrangement written with write_year_file loads back identically and leaves no temp file."""
    arrangement = YearArrangement(2027, "测试", {D(2027, 1, 1): "元旦"}, {D(2027, 2, 6): "春节调休上班"})
    path = calendar.write_year_file(tmp_path / "cal", arrangement)
    assert path.name == "2027.json"
    assert calendar.load_year_files(tmp_path / "cal") == {2027: arrangement}
    assert [p.name for p in (tmp_path / "cal").iterdir()] == ["2027.json"]


def test_shipped_resources_folder_loads(tmp_path):
    """The shipped resources/calendar folder parses (README ignored), and a year file dropped beside it loads as that year."""
    shipped = calendar.default_data_dir()
    assert (shipped / "README.md").exists()
    for path in shipped.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    before = calendar.load_year_files(tmp_path)
    assert set(before) == {int(p.stem) for p in shipped.glob("*.json")}
    arrangement = YearArrangement(2031, "测试", {D(2031, 1, 1): "元旦"}, {})
    calendar.write_year_file(tmp_path, arrangement)
    assert calendar.load_year_files(tmp_path) == {**before, 2031: arrangement}


# --- overrides ---------------------------------------------------------------------


def test_manual_override_wins_over_package():
    """A manual rest day on 2026-10-08 and a manual workday on 国庆 10/7 beat the package data."""
    cal = build_calendar(
        overrides={
            D(2026, 10, 8): DayOverride(D(2026, 10, 8), False, "县里临时放假", "county"),
            D(2026, 10, 7): (True, "防汛值班"),
        }
    )
    assert cal.day_kind(D(2026, 10, 8)) == (False, "县里临时放假")
    assert cal.day_kind(D(2026, 10, 7)) == (True, "防汛值班")
    result = cal.period_end(D(2026, 9, 28), working(5))
    # counts 9/29, 9/30, 10/7 (override), 10/9, 10/10
    assert result.end == D(2026, 10, 10)
    assert (D(2026, 10, 8), "县里临时放假", False) in [(n.day, n.reason, n.counted) for n in result.skipped]


def test_override_for_2027_makes_year_known():
    """County/manual entries for 2027 mark that year as having data (no warning)."""
    cal = build_calendar(overrides={D(2027, 1, 1): DayOverride(D(2027, 1, 1), False, "元旦", "county")})
    result = cal.period_end(D(2026, 12, 28), working(5))
    assert result.calendar_complete
    assert result.end == D(2027, 1, 5)


def test_overrides_load_from_database_session(tmp_path):
    """CalendarDay rows in a real database become overrides that win over the package."""
    from zwgk_desktop.config import Config
    from zwgk_desktop.core.models import CalendarDay
    from zwgk_desktop.core.schema import open_database

    database = open_database(Config.load(tmp_path / "data"))
    try:
        with database.session() as session:
            session.add(CalendarDay(day=D(2026, 10, 9), is_workday=False, name="县定休息日", source="county"))
        with database.session() as session:
            overrides = calendar.load_overrides(session)
            cal = calendar.calendar_from_session(session)
    finally:
        database.dispose()
    assert overrides[D(2026, 10, 9)] == DayOverride(D(2026, 10, 9), False, "县定休息日", "county")
    assert cal.period_end(D(2026, 9, 28), working(5)).end == D(2026, 10, 12)


# --- helpers -----------------------------------------------------------------------


def test_add_working_days_and_between_are_inverse():
    """add_working_days(a, n) = b implies working_days_between(a, b) = n, across 国庆 2026."""
    start = D(2026, 9, 15)
    for n in (0, 1, 5, 12, 20):
        end = calendar.add_working_days(start, n)
        assert calendar.working_days_between(start, end) == n
    assert calendar.working_days_between(D(2026, 10, 10), D(2026, 9, 28)) == -5  # 9/29, 9/30, 10/8, 10/9, 10/10


def test_request_deadline_20_working_days():
    """A 依申请公开 request received 2026-09-21 is due 20 working days later: 2026-10-26."""
    # 9/22–24 (3), 9/28–30 (6), 10/8–10/10 incl. 调休 Saturday (9), 10/12–16 (14), 10/19–23 (19), 10/26 (20)
    due = calendar.add_working_days(D(2026, 9, 21), 20)
    assert due == D(2026, 10, 26)
    assert calendar.working_days_between(D(2026, 9, 21), due) == 20


def test_helpers_refuse_silent_guess_for_2027():
    """Working-day helpers reaching 2027 raise CalendarIncomplete unless a guess is explicitly allowed."""
    with pytest.raises(CalendarIncomplete, match="2027年"):
        calendar.add_working_days(D(2026, 12, 20), 20)
    with pytest.raises(CalendarIncomplete):
        calendar.working_days_between(D(2026, 12, 20), D(2027, 1, 20))
    assert calendar.add_working_days(D(2026, 12, 20), 20, allow_guess=True).year == 2027


def test_days_remaining():
    """days_remaining is 0 on the last day, positive before, negative after the end."""
    end = D(2026, 10, 10)
    assert calendar.days_remaining(end, D(2026, 10, 10)) == 0
    assert calendar.days_remaining(end, D(2026, 10, 8)) == 2
    assert calendar.days_remaining(end, D(2026, 10, 11)) == -1


@pytest.mark.parametrize(
    "rule",
    [PeriodRule(-1, "calendar"), PeriodRule(0, "working"), PeriodRule(5, "weeks"), PeriodRule(99999, "calendar")],
)
def test_bad_rules_are_refused_in_chinese(rule):
    """Negative/zero/huge durations and unknown units raise InvalidInput with a Chinese message."""
    with pytest.raises(InvalidInput) as info:
        compute_end_date(D(2026, 9, 28), rule)
    assert "公示期" in info.value.message


def test_parse_date_refuses_bad_text():
    """A malformed date gives a Chinese InvalidInput naming the expected format."""
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        calendar.parse_date("2026-02-30", "公示开始日期")


# --- CLI ---------------------------------------------------------------------------


def run_cli(data_dir: Path, *args: str):
    """The suite's CLI helper with the data dir first (every call here names one)."""
    return run_whole_cli(*args, data_dir=data_dir)


def test_cli_end_date_json(tmp_path):
    """`calendar end-date --json` prints one JSON object with end, explanation, completeness and skipped days."""
    data_dir = tmp_path / "data"
    proc = run_cli(
        data_dir, "calendar", "end-date", "--start", "2026-09-28", "--duration", "5", "--unit", "working", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["end"] == "2026-10-10"
    assert out["calendar_complete"] is True
    assert out["warnings"] == []
    assert "国庆节" in out["explanation"]
    assert {"day": "2026-10-10", "reason": "国庆节调休上班", "counted": True} in out["skipped"]
    assert not (data_dir / "zwgk.sqlite3").exists()


def test_cli_flags_and_2027_warning(tmp_path):
    """--start-day-counts/--roll-forward are honoured and a period into 2027 reports calendar_complete false."""
    proc = run_cli(
        tmp_path, "calendar", "end-date", "--start", "2026-09-28", "--duration", "7", "--unit", "calendar",
        "--start-day-counts", "--roll-forward", "--json",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["end"] == "2026-10-08"
    proc = run_cli(tmp_path, "calendar", "end-date", "--start", "2026-12-28", "--duration", "5", "--unit", "working", "--json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert out["calendar_complete"] is False and "2027年" in out["warnings"][0]


def test_cli_input_errors_exit_1_with_chinese_json(tmp_path):
    """A bad date or a negative duration exits 1 with an invalid_input error JSON in Chinese."""
    for args in (["--start", "2026-13-01", "--duration", "5"], ["--start", "2026-09-28", "--duration", "-3"]):
        proc = run_cli(tmp_path, "calendar", "end-date", *args, "--unit", "calendar", "--json")
        assert proc.returncode == 1, proc.stderr
        error = json.loads(proc.stdout)["error"]
        assert error["code"] == "invalid_input"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_cli_usage_errors_exit_2(tmp_path):
    """An unknown unit or a missing duration is a usage error: exit 2."""
    proc = run_cli(tmp_path, "calendar", "end-date", "--start", "2026-09-28", "--duration", "5", "--unit", "weeks")
    assert proc.returncode == 2
    proc = run_cli(tmp_path, "calendar", "end-date", "--start", "2026-09-28", "--unit", "working", "--json")
    assert proc.returncode == 2


def test_cli_uses_database_overrides(tmp_path):
    """When the data dir has a database, its CalendarDay overrides change the CLI's answer."""
    from zwgk_desktop.config import Config
    from zwgk_desktop.core.models import CalendarDay
    from zwgk_desktop.core.schema import open_database

    data_dir = tmp_path / "data"
    database = open_database(Config.load(data_dir))
    try:
        with database.session() as session:
            session.add(CalendarDay(day=D(2026, 10, 10), is_workday=False, name="手工录入休息", source="manual"))
    finally:
        database.dispose()
    proc = run_cli(
        data_dir, "calendar", "end-date", "--start", "2026-09-28", "--duration", "5", "--unit", "working", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["end"] == "2026-10-12"
    assert "手工录入休息" in out["explanation"]
