"""The statutory public holidays (法定节假日) of any year, computed from the rules.

《全国年节及纪念日放假办法》 (as revised by State Council decree 795, in force
from 2025) fixes the holidays themselves: 元旦 1 day, 春节 4 days (除夕 to
正月初三), 清明节 1 day (the 清明 solar term), 劳动节 2 days, 端午节 1 day,
中秋节 1 day, 国庆节 3 days. What each year's State Council notice adds —
bridging rest days and the 调休 weekend working days — cannot be computed.

So for a year nobody has entered, the calendar still knows these days are off
and only the 调休 part stays a guess (flagged `calendar_complete=false`).
Lunar dates come from `lunardate`, the 清明 solar term from `chinesecalendar`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

FIRST_RULE_YEAR = 2025  # the current rules (除夕 and 5月2日 added) apply from 2025


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[date, str]:
    """{day: Chinese holiday name} of the statutory holidays of `year` under the current rules."""
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = _lunar_to_solar(year, 1, 1)
    for offset in range(-1, 3):
        days[new_year + timedelta(days=offset)] = "春节"
    days[_qingming(year)] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[_lunar_to_solar(year, 5, 5)] = "端午节"
    days[_lunar_to_solar(year, 8, 15)] = "中秋节"
    for day in (1, 2, 3):
        days[date(year, 10, day)] = "国庆节"
    return dict(sorted(days.items()))


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    from lunardate import LunarDate

    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> date:
    from chinese_calendar import get_solar_terms

    for day, name in get_solar_terms(date(year, 4, 1), date(year, 4, 7)):
        if name == "清明":
            return day
    raise ValueError(f"no 清明 solar term found in {year}")  # pragma: no cover - the formula covers 1900-2100
