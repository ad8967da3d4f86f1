"""Command `township init` (`db upgrade` / `db check` live in `commands.db_cmd`)."""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    township = sub.add_parser("township", help="乡镇与村（社区）设置")
    tsub = township.add_subparsers(dest="township_command", required=True, metavar="ACTION")
    init = json_flag(tsub.add_parser("init", help="设置（或扩充）乡镇及其村（社区）和公开栏"))
    init.add_argument("--name", required=True, help="乡镇名称")
    init.add_argument("--villages", required=True, help="村（社区）名称，用逗号分隔")
    init.add_argument("--county", default="", help="所属县（市、区）")
    init.add_argument("--phone", default="", help="乡镇监督举报电话")
    init.add_argument("--county-phone", default="", help="县级监督举报电话")
    init.set_defaults(handler=run_township_init)


def split_names(text: str) -> list[str]:
    for sep in ("，", "、", ";", "；"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def run_township_init(args, ctx) -> dict:
    from zwgk_desktop.core.townships import init_township

    with ctx.database().session(user="cli") as session:
        summary = init_township(
            session, args.name, split_names(args.villages), county_name=args.county,
            supervise_phone=args.phone, county_supervise_phone=args.county_phone,
        )
    return {
        "township": summary.name,
        "villages": summary.villages,
        "boards": summary.boards,
        HUMAN_KEY: f"乡镇“{summary.name}”：{len(summary.villages)} 个村（社区），{summary.boards} 块公开栏。",
    }
