"""Commands `township init` and `township village|group|board …` (villages and boards); `db` lives in `commands.db_cmd`."""

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

    village = tsub.add_parser("village", help="村（社区）：列出、添加、改名、合并（撤并村）、撤销、恢复")
    vsub = village.add_subparsers(dest="village_command", required=True, metavar="ACTION")
    _as_user(json_flag(vsub.add_parser("list", help="列出村（社区）、组和公开栏"))).set_defaults(handler=run_layout)
    add = _as_user(json_flag(vsub.add_parser("add", help="添加村（社区），同时建它的公开栏")))
    add.add_argument("name", help="村（社区）名称")
    add.add_argument("--groups", default="一组,二组,三组,四组,五组,六组", help="村民小组，用逗号分隔（可为空）")
    add.set_defaults(handler=run_village_add)
    rename = _as_user(json_flag(vsub.add_parser("rename", help="改名（以后的公示用新名，旧公示不变）")))
    rename.add_argument("village", help="现名")
    rename.add_argument("new_name", help="新名")
    rename.set_defaults(handler=run_village_rename)
    merge = _as_user(json_flag(vsub.add_parser("merge", help="撤并村：把一个村并入另一个村")))
    merge.add_argument("village", help="被合并的村")
    merge.add_argument("--into", required=True, help="并入的村")
    merge.set_defaults(handler=run_village_merge)
    for action, helptext, handler in (("retire", "撤销（保留历史，不再使用）", "run_village_retire"),
                                      ("restore", "恢复已撤销的村", "run_village_restore")):
        parser = _as_user(json_flag(vsub.add_parser(action, help=helptext)))
        parser.add_argument("village", help="村（社区）名称")
        parser.set_defaults(handler=globals()[handler])

    group = tsub.add_parser("group", help="村民小组：添加、撤销")
    gsub = group.add_subparsers(dest="group_command", required=True, metavar="ACTION")
    for action, helptext, handler in (("add", "添加组", "run_group_add"), ("retire", "撤销组", "run_group_retire")):
        parser = _as_user(json_flag(gsub.add_parser(action, help=helptext)))
        parser.add_argument("village", help="村（社区）名称")
        parser.add_argument("name", help="组名，如 七组")
        parser.set_defaults(handler=globals()[handler])

    board = tsub.add_parser("board", help="公开栏：添加、修改位置、撤下")
    bsub = board.add_subparsers(dest="board_command", required=True, metavar="ACTION")
    badd = _as_user(json_flag(bsub.add_parser("add", help="添加公开栏")))
    badd.add_argument("name", help="公开栏名称，如 石桥村二组公开栏")
    badd.add_argument("--village", help="所属村（社区）；不填为乡镇公开栏")
    _board_place(badd)
    badd.set_defaults(handler=run_board_add)
    bupdate = _as_user(json_flag(bsub.add_parser("update", help="修改公开栏位置或 GPS")))
    bupdate.add_argument("board", help="公开栏名称")
    _board_place(bupdate)
    bupdate.set_defaults(handler=run_board_update)
    bretire = _as_user(json_flag(bsub.add_parser("retire", help="撤下公开栏（保留张贴记录）")))
    bretire.add_argument("board", help="公开栏名称")
    bretire.set_defaults(handler=run_board_retire)


def _as_user(parser):
    parser.add_argument("--as", dest="as_user", default="", metavar="USERNAME", help="以该用户身份操作（记入审计日志）")
    return parser


def _board_place(parser) -> None:
    parser.add_argument("--location", default=None, help="位置，如 石桥村党群服务中心门口")
    parser.add_argument("--lat", type=float, default=None, help="纬度（照片按 GPS 推荐张贴时使用）")
    parser.add_argument("--lon", type=float, default=None, help="经度")


def split_names(text: str) -> list[str]:
    for sep in ("，", "、", ";", "；"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def run_township_init(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    summary = ctx.run(villages.init_township, args.name, split_names(args.villages), county_name=args.county,
                      supervise_phone=args.phone, county_supervise_phone=args.county_phone)
    return {
        "township": summary.name,
        "villages": summary.villages,
        "boards": summary.boards,
        HUMAN_KEY: f"乡镇“{summary.name}”：{len(summary.villages)} 个村（社区），{summary.boards} 块公开栏。",
    }


def _layout_text(layout) -> str:
    lines = [f"{layout.township}："]
    for v in layout.villages:
        groups = "、".join(g.name for g in v.groups if g.active)
        lines.append(f"  {v.name}（{v.status_label}，{v.households}户）{('：' + groups) if groups else ''}")
    lines.append("公开栏：")
    lines += [f"  {b.name}{'' if b.active else '（已撤下）'} {b.location}" for b in layout.boards]
    return "\n".join(lines)


def _answer(result, text: str) -> dict:
    data = result.as_json()
    data[HUMAN_KEY] = text
    return data


def run_layout(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    layout = ctx.run(villages.load_layout)
    return _answer(layout, _layout_text(layout))


def run_village_add(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.add_village, args.name, tuple(split_names(args.groups)))
    return _answer(result, f"已添加“{result.name}”及其公开栏。")


def run_village_rename(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.rename_village, args.village, args.new_name)
    return _answer(result, f"“{args.village}”已改名为“{result.name}”。")


def run_village_merge(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    done = ctx.run(villages.merge_village, args.village, args.into)
    r = done.result
    return _answer(done, f"“{r.village}”已并入“{r.into}”：{r.households} 户、{r.boards} 块公开栏、{r.users} 个村级用户随之转入。")


def run_village_retire(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.retire_village, args.village)
    return _answer(result, f"“{result.name}”已撤销（历史公示保留）。")


def run_village_restore(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.restore_village, args.village)
    return _answer(result, f"“{result.name}”已恢复。")


def run_group_add(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.add_group, args.village, args.name)
    return _answer(result, f"已在“{args.village}”添加“{result.name}”。")


def run_group_retire(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.retire_group, args.village, args.name)
    return _answer(result, f"已撤销“{args.village}{result.name}”。")


def run_board_add(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.add_board, args.name, village=args.village, location=args.location or "",
                     lat=args.lat, lon=args.lon)
    return _answer(result, f"已添加公开栏“{result.name}”。")


def run_board_update(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.update_board, args.board, location=args.location, lat=args.lat, lon=args.lon)
    return _answer(result, f"已更新公开栏“{result.name}”。")


def run_board_retire(args, ctx) -> dict:
    from zwgk_desktop.ops import villages

    result = ctx.run(villages.retire_board, args.board)
    return _answer(result, f"公开栏“{result.name}”已撤下（张贴记录保留）。")
