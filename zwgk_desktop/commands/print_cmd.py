"""`zwgk print ...`: printed outputs. This module owns the `print` group and `print poster`.

Other printed outputs join the same group from their own command module,
in any order relative to this one::

    from zwgk_desktop.commands.print_cmd import register_print_subcommand

    def register(subparsers):
        register_print_subcommand(subparsers, "cards", add_cards_parser)

where `add_cards_parser(print_subparsers)` adds the `cards` parser (with its
`handler`) to the group and the module is listed in `COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from zwgk_desktop.cli import json_flag
from zwgk_desktop.core.jobs import Job

_GROUP_ATTR = "_zwgk_print_group"

SubcommandBuilder = Callable[[argparse._SubParsersAction], None]


def print_subparsers(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `print` group's sub-command set, created on first use."""
    group = getattr(subparsers, _GROUP_ATTR, None)
    if group is None:
        parser = subparsers.add_parser("print", help="打印公示海报、明白卡等")
        group = parser.add_subparsers(dest="print_command", metavar="SUBCOMMAND", required=True)
        setattr(subparsers, _GROUP_ATTR, group)
    return group


def register_print_subcommand(subparsers: argparse._SubParsersAction, name: str, builder: SubcommandBuilder) -> None:
    """Add `zwgk print NAME`: `builder` receives the group and adds the parser named `name`."""
    group = print_subparsers(subparsers)
    if name in group.choices:
        raise ValueError(f"print sub-command {name!r} registered twice")
    builder(group)


def register(subparsers: argparse._SubParsersAction) -> None:
    register_print_subcommand(subparsers, "poster", add_poster_parser)


def add_poster_parser(group: argparse._SubParsersAction) -> None:
    poster = group.add_parser("poster", help="生成公示海报 PDF（名单已按公开规则脱敏）")
    poster.add_argument("id", metavar="ID", help="公示编号（disclosure list 中的 id，或其唯一前缀）")
    poster.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="输出的 PDF 文件")
    poster.add_argument("--paper", default="A4", type=str.upper, choices=("A4", "A3"), help="纸张：A4（默认）或 A3")
    poster.add_argument("--landscape", action="store_true", help="横向打印（列多时使用）")
    scope = poster.add_mutually_exclusive_group()
    scope.add_argument("--village", metavar="NAME", help="只打印该村的名单（张贴在本村村务公开栏），标题后注明村名")
    scope.add_argument("--each-village", action="store_true", help="各村名单分别成页，合成一个文件（一次打印，分发各村）")
    poster.add_argument("--board", metavar="NAME_OR_ID", help="为这块公开栏打印（二维码核验码注明公开栏）")
    poster.add_argument("--posting-day", metavar="YYYY-MM-DD",
                        help="尚未张贴的公示：计划张贴日期（默认下一个工作日），海报按此印公示期")
    poster.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该用户身份打印（记入打印记录）")
    json_flag(poster)
    poster.set_defaults(handler=handle_poster)


def _console_progress(done: int, total: int, message: str) -> None:
    if message:
        print(message, file=sys.stderr)


def handle_poster(args: argparse.Namespace, ctx) -> dict:
    from zwgk_desktop.core.calendar import parse_date
    from zwgk_desktop.core.periods import poster_period_line
    from zwgk_desktop.ops import printing

    job = Job(on_progress=_console_progress if not getattr(args, "json", False) else None)
    posting_day = parse_date(args.posting_day, "计划张贴日期") if args.posting_day else None
    request = ctx.run(printing.resolve_poster_request, args.id, village=args.village, each_village=args.each_village,
                      board=args.board, posting_day=posting_day)
    result = ctx.run(printing.print_poster, ctx.config, request, args.output, paper=args.paper,
                     landscape=args.landscape, job=job)
    data = result.as_json()
    if result.missing_glyphs:
        ctx.say("警告：以下字符没有内置字体可以显示，已打印为方框问号，请核对：" + "".join(result.missing_glyphs))
    if result.period is not None and not result.period.calendar_complete:
        ctx.say("警告：公示期涉及尚无节假日数据的年份，期满日按周末和法定节假日推算，请核对。")
    lines = [f"已生成 {result.pages} 页：{result.path}", f"SHA-256：{result.sha256}"]
    if result.period is not None:
        planned = f"（按计划张贴日 {result.planned_posted_on.isoformat()}）" if result.planned_posted_on else ""
        lines.append(poster_period_line(result.period) + planned)
    lines += [f"核验码：{c['display']}" for c in data.get("verification_codes", [])]
    data["_human"] = "\n".join(lines)
    return data
