"""Command `report stats`: the yearly statistics workbook (.xlsx)."""

from __future__ import annotations

from datetime import date

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    report = sub.add_parser("report", help="统计报表")
    rsub = report.add_subparsers(dest="report_command", required=True, metavar="ACTION")
    stats = json_flag(rsub.add_parser("stats", help="生成年度政务公开统计表（.xlsx）"))
    stats.add_argument("--year", type=int, default=date.today().year, help="统计年份（默认今年）")
    stats.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="输出文件")
    stats.set_defaults(handler=run_stats)
    from zwgk_desktop.commands.request_cmd import register_report_annual

    register_report_annual(rsub)  # `report annual`: the 政府信息公开工作年度报告 tables (依申请公开)


def run_stats(args, ctx) -> dict:
    from pathlib import Path

    from zwgk_desktop.ops.statistics import export_statistics

    out = Path(args.output).expanduser().resolve()
    written = ctx.run(export_statistics, args.year, out)
    sheets = list(written.sheets)
    return {
        **written.as_json(),
        HUMAN_KEY: f"已生成 {written.year} 年统计表：{written.path}（{len(sheets)} 个工作表：{'、'.join(sheets)}）",
    }
