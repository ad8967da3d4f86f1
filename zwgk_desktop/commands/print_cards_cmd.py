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
    cards.add_argument("--only-beneficiaries", action="store_true", help="只打印本年度享受政策的户")
    cards.add_argument("--layout", default="a4", type=str.lower, choices=LAYOUT_KEYS,
                       help="版式：a4（默认）、a5x2、a6x4（带裁切线）、trifold（三折页）")
    cards.add_argument("--year", type=int, default=None, help="年度（默认今年）")
    cards.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="输出的 PDF 文件")
    json_flag(cards)
    cards.set_defaults(handler=handle_cards)


def _console_progress(done: int, total: int, message: str) -> None:
    if message and (done == 0 or done == total):
        print(message, file=sys.stderr)


def handle_cards(args: argparse.Namespace, ctx) -> dict:
    from zwgk_desktop.core.household_policies import resolve_village
    from zwgk_desktop.services.printing.cards import render_household_cards, render_service_cards

    job = Job(on_progress=None if args.json else _console_progress)
    with ctx.database().session() as session:
        if args.village:
            village = resolve_village(session, args.village).name
        if args.kind == "household":
            selection = village if args.village else args.household
            year = args.year or date.today().year
            result = render_household_cards(
                session, ctx.config, selection, args.layout, args.output, year, job,
                only_with_policies=args.only_beneficiaries,
            )
        else:
            result = render_service_cards(session, ctx.config, None, args.layout, args.output, job)
    data = result.as_json()
    if result.missing_glyphs:
        ctx.say("警告：以下字符没有内置字体可以显示，已打印为方框问号，请核对：" + "".join(result.missing_glyphs))
    data["_human"] = f"已生成明白卡 {result.cards} 张，共 {result.pages} 页：{result.path}\nSHA-256：{result.sha256}"
    return data
