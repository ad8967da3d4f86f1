"""Commands `gui` (the default) and `demo`.

`gui` imports only the desktop bootstrap (`ui.app`); `cli.main` builds a
parser with just this module when the command line starts the app.
"""

from __future__ import annotations

from dataclasses import asdict

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    gui = sub.add_parser("gui", help="启动桌面程序（默认）")
    gui.add_argument("--demo-if-empty", action="store_true", help="数据目录为空时先创建演示乡镇")
    gui.set_defaults(handler=run_gui)

    demo = json_flag(sub.add_parser("demo", help="在空数据目录中创建演示乡镇"))
    demo.add_argument("--households", type=int, default=2400, help="户数（默认2400）")
    demo.add_argument("--seed", type=int, default=2026, help="随机种子（相同种子生成相同数据）")
    demo.set_defaults(handler=run_demo)


def run_demo(args, ctx) -> dict:
    from zwgk_desktop.services.demo import create_demo

    with ctx.database().session(user="demo") as session:
        summary = create_demo(session, households=args.households, seed=args.seed)
    result = asdict(summary)
    result[HUMAN_KEY] = (
        f"已创建演示乡镇“{summary.township}”：{summary.villages} 个村（社区），"
        f"{summary.households} 户，{summary.disclosures} 条公示。数据目录：{ctx.config.data_dir}"
    )
    return result


def run_gui(args, ctx) -> int:
    from zwgk_desktop.ui.app import run_app

    return run_app(ctx.config, demo_if_empty=args.demo_if_empty)  # `cli.run` then ends the process at once
