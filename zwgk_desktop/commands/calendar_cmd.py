"""`zwgk calendar ...`: the 公示期 end date with its explanation (core.calendar does the work).

`calendar end-date` takes the rule on the command line (or a category's
catalogue rule with `--category`). When the data dir already holds a
database its county/manual `CalendarDay` overrides are applied; a missing
database is never created by this command.
"""

from __future__ import annotations

import argparse

from zwgk_desktop.cli import HUMAN_KEY, json_flag
from zwgk_desktop.core import calendar
from zwgk_desktop.core.catalogue import PeriodRule


def register(subparsers) -> None:
    parser = subparsers.add_parser("calendar", help="公示期与工作日计算")
    commands = parser.add_subparsers(dest="calendar_command", metavar="SUBCOMMAND", required=True)

    end_date = commands.add_parser("end-date", help="计算公示期满日并说明跳过了哪些日子")
    end_date.add_argument("--start", required=True, help="发布（张贴）日期 YYYY-MM-DD")
    end_date.add_argument("--duration", type=int, help="公示期长度（天数或工作日数）")
    end_date.add_argument("--unit", choices=calendar.UNITS, help="calendar=自然日，working=工作日")
    end_date.add_argument("--category", help="使用该类别在目录中的公示期规则（如 dibao、linshi）")
    end_date.add_argument(
        "--start-day-counts", action="store_true", default=None, help="发布当日计入公示期（默认次日起算）"
    )
    end_date.add_argument(
        "--roll-forward", action="store_true", default=None, help="期满日遇休息日顺延至下一个工作日"
    )
    json_flag(end_date)
    end_date.set_defaults(handler=handle_end_date, _parser=end_date)


def rule_from_args(args: argparse.Namespace) -> PeriodRule:
    """The rule given on the command line, filling gaps from `--category`'s catalogue rule."""
    base = None
    if args.category:
        from zwgk_desktop.core.catalogue import get_entry

        base = get_entry(args.category).rule
    elif args.duration is None or args.unit is None:
        args._parser.error("需要 --duration 和 --unit，或用 --category 指定类别")

    def pick(value, fallback):
        return fallback if value is None else value

    return PeriodRule(
        duration=pick(args.duration, base.duration if base else None),
        unit=pick(args.unit, base.unit if base else None),
        start_day_counts=bool(pick(args.start_day_counts, base.start_day_counts if base else False)),
        roll_forward=bool(pick(args.roll_forward, base.roll_forward if base else False)),
    )


def calendar_for_command(ctx) -> calendar.WorkCalendar:
    """Default calendar plus the database's overrides, if a database already exists."""
    db_path = ctx.config.db_path
    if not db_path.exists() or db_path.stat().st_size == 0:
        return calendar.default_calendar()
    database = ctx.database()
    with database.session() as session:
        return calendar.calendar_from_session(session)


def handle_end_date(args: argparse.Namespace, ctx) -> dict:
    start = calendar.parse_date(args.start, "公示开始日期")
    rule = rule_from_args(args)
    calendar.validate_rule(start, rule)
    result = calendar_for_command(ctx).period_end(start, rule)
    data = result.as_json()
    human = [f"期满日：{result.end.isoformat()}", result.explanation]
    human.extend(f"警告：{w}" for w in result.warnings)
    data[HUMAN_KEY] = "\n".join(human)
    return data
