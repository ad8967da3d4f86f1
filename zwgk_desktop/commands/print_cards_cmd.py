"""`zwgk print cards`: 明白卡 (household policy cards or service-item cards), joining the `print` group."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from zwgk_desktop.cli import json_flag
from zwgk_desktop.commands.print_cmd import register_print_subcommand
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.services.printing.cards_layout import LAYOUT_KEYS


def register(subparsers: argparse._SubParsersAction) -> None:
    register_print_subcommand(subparsers, "cards", add_cards_parser)


def add_cards_parser(group: argparse._SubParsersAction) -> None:
    cards = group.add_parser("cards", help="生成明白卡 PDF（惠民政策资金明白卡 / 为民服务事项明白卡）")
    cards.add_argument("--kind", required=True, choices=("household", "service"),
                       help="household：惠民政策资金明白卡（每户一张）；service：为民服务事项明白卡")
    cards.add_argument("--village", metavar="NAME", help="只打印这个村（社区）的户（默认全镇）")
    cards.add_argument("--household", action="append", metavar="ID", help="只打印这些户（可重复）")
    cards.add_argument("--only-beneficiaries", action="store_true",
                       help="只打印本年度享受政策的户（默认即如此，保留此选项以兼容旧脚本）")
    cards.add_argument("--all-households", action="store_true",
                       help="也打印本年度没有已公示政策资金的户（卡上写“本年度暂无”）")
    cards.add_argument("--layout", default="a4", type=str.lower, choices=LAYOUT_KEYS,
                       help="版式：a4（默认）、a5x2、a6x4（带裁切线）、trifold（三折页）")
    cards.add_argument("--year", type=int, default=None, help="年度（默认今年）")
    cards.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="输出的 PDF 文件")
    cards.add_argument("--as", dest="as_user", metavar="USERNAME", help="以该用户身份打印（记入打印记录）")
    json_flag(cards)
    cards.set_defaults(handler=handle_cards)


def _console_progress(done: int, total: int, message: str) -> None:
    if message and (done == 0 or done == total):
        print(message, file=sys.stderr)


def handle_cards(args: argparse.Namespace, ctx) -> dict:
    from zwgk_desktop.ops.cards import CardRequest, print_cards

    job = Job(on_progress=None if args.json else _console_progress)
    request = CardRequest(
        kind=args.kind, layout=args.layout, year=args.year or date.today().year,
        household_ids=tuple(args.household) if args.household and not args.village else None,
        village=args.village if args.kind == "household" else None,
        only_with_policies=not args.all_households,
    )
    result = ctx.run(print_cards, ctx.config, request, args.output, job=job)
    data = result.as_json()
    if result.missing_glyphs:
        ctx.say("警告：以下字符没有内置字体可以显示，已打印为方框问号，请核对：" + "".join(result.missing_glyphs))
    data["_human"] = f"已生成明白卡 {result.cards} 张，共 {result.pages} 页：{result.path}\nSHA-256：{result.sha256}"
    return data
