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
    poster.add_argument("id", metavar="ID", help="公示编号（disclosure list 中的 id）")
    poster.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="输出的 PDF 文件")
    poster.add_argument("--paper", default="A4", type=str.upper, choices=("A4", "A3"), help="纸张：A4（默认）或 A3")
    poster.add_argument("--landscape", action="store_true", help="横向打印（列多时使用）")
    scope = poster.add_mutually_exclusive_group()
    scope.add_argument("--village", metavar="NAME", help="只打印该村的名单（张贴在本村村务公开栏），标题后注明村名")
    scope.add_argument("--each-village", action="store_true", help="各村名单分别成页，合成一个文件（一次打印，分发各村）")
    json_flag(poster)
    poster.set_defaults(handler=handle_poster)


def _console_progress(done: int, total: int, message: str) -> None:
    if message:
        print(message, file=sys.stderr)


def handle_poster(args: argparse.Namespace, ctx) -> dict:
    from zwgk_desktop.services.printing.poster import print_poster, village_part_by_name

    job = Job(on_progress=_console_progress if not getattr(args, "json", False) else None)
    with ctx.database().session() as session:
        village_id = village_part_by_name(session, args.id, args.village) if args.village else None
        result = print_poster(
            session,
            ctx.config,
            args.id,
            args.output,
            paper=args.paper,
            landscape=args.landscape,
            job=job,
            village_id=village_id,
            each_village=args.each_village,
        )
    data = result.as_json()
    if result.missing_glyphs:
        ctx.say("警告：以下字符没有内置字体可以显示，已打印为方框问号，请核对：" + "".join(result.missing_glyphs))
    data["_human"] = f"已生成 {result.pages} 页：{result.path}\nSHA-256：{result.sha256}"
    return data
