"""Commands `import` (roster → draft notice), `export ledger` (台账 .xlsx) and `template` (blank roster)."""

from __future__ import annotations

import sys

from zwgk_desktop.cli import HUMAN_KEY, Finished, json_flag


def register(sub) -> None:
    roster = json_flag(sub.add_parser("import", help="导入花名册（.xlsx/.xls/.csv）为新的公示草稿"))
    roster.add_argument("roster", help="花名册文件")
    roster.add_argument("--category", required=True, help="公开类别代码，如 dibao、tekun、linshi")
    roster.add_argument("--title", help="公示标题（默认按类别模板，如“青山镇2026年12月城乡最低生活保障对象审核确认情况公示”）")
    roster.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    roster.add_argument("--report", help="把未导入的行及原因写入此 .xlsx 文件")
    roster.add_argument("--map", action="append", default=[], metavar="KEY=表头",
                        help="指定列对应，如 --map amount=小计、--map funding.central=中央（可重复）")
    roster.add_argument("--as", dest="as_user", default="", metavar="USERNAME", help="以该用户身份导入（记入审计日志）")
    roster.set_defaults(handler=run_import)

    export = sub.add_parser("export", help="导出台账")
    esub = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    ledger = json_flag(esub.add_parser("ledger", help="导出公示明细台账 .xlsx"))
    ledger.add_argument("--disclosure", help="公示编号")
    ledger.add_argument("--category", help="公开类别代码（导出该类别全部公示）")
    ledger.add_argument("--village", help="只导出某村（社区）")
    ledger.add_argument("--mask", default="semi_public", choices=("internal", "semi_public", "public"),
                        help="脱敏方式：internal 完整 / semi_public 号码打码（默认）/ public 仅公开字段")
    ledger.add_argument("-o", "--output", required=True, help="输出 .xlsx 文件")
    ledger.set_defaults(handler=run_export_ledger)

    template = json_flag(sub.add_parser("template", help="生成某类别的空白花名册模板 .xlsx"))
    template.add_argument("category", help="公开类别代码")
    template.add_argument("-o", "--output", required=True, help="输出 .xlsx 文件")
    template.set_defaults(handler=run_template)


def _parse_map(pairs: list[str]) -> dict:
    from zwgk_desktop.errors import InvalidInput

    mapping = {}
    for pair in pairs:
        key, sep, header = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"列对应“{pair}”格式不对，应为 字段=表头，如 amount=小计。")
        mapping[key.strip()] = header.strip()
    return mapping


def run_import(args, ctx):
    from zwgk_desktop.core.catalogue import get_entry
    from zwgk_desktop.services.gc_pause import paused_gc
    from zwgk_desktop.services.rosters.sandbox import start_read

    get_entry(args.category)  # unknown category → exit 1 before touching the data dir
    override = _parse_map(args.map) or None
    # The file is read in a child process from now on, while this one loads the database layer and
    # opens the database, with no cyclic collections walking the modules as they load (the import
    # itself pauses them anyway).
    with paused_gc():
        pending = start_read(args.roster)
        from zwgk_desktop.ops import rosters

        try:
            result = ctx.run(rosters.import_roster, pending, args.category, title=args.title,
                             dry_run=args.dry_run, mapping_override=override)
        finally:
            pending.cancel()
    data = result.as_json()
    if args.report:
        data["report"] = str(ctx.run(rosters.write_import_report, result.preview, args.report).path)
    summary = (
        f"{'（试运行，未写入）' if args.dry_run else ''}工作表“{data['sheet']}”：可导入 {data['accepted']} 行，"
        f"未导入 {data['rejected']} 行。"
    )
    if result.disclosure_id:
        summary += f"已生成公示草稿 {result.disclosure_id}。"
    if not args.dry_run and not result.disclosure_id:
        data["error"] = {"code": "nothing_imported", "message": "没有一行通过检查，未生成公示。请按错误列表修改花名册后重新导入。"}
        print(f"错误：{data['error']['message']}", file=sys.stderr)
        return Finished(data, 1)
    for problem in data["errors"][:20]:
        ctx.say(f"第{problem['row']}行 {problem['column'] or ''}：{problem['message']}")
    data[HUMAN_KEY] = summary
    return data


def run_export_ledger(args, ctx) -> dict:
    from zwgk_desktop.ops import rosters

    result = ctx.run(rosters.export_ledger, args.output, disclosure_id=args.disclosure, category=args.category,
                     village=args.village, preset=args.mask)
    data = result.as_json()
    data[HUMAN_KEY] = f"已导出 {result.rows} 行到 {result.path}（{result.preset}）。"
    return data


def run_template(args, ctx) -> dict:
    from zwgk_desktop.core.catalogue import get_entry
    from zwgk_desktop.ops import rosters

    entry = get_entry(args.category)
    result = rosters.write_template(None, ctx.actor, args.category, args.output)  # needs no data dir
    return {**result.as_json(), HUMAN_KEY: f"已生成“{entry.name}”空白模板：{result.path}"}
