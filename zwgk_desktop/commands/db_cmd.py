"""Commands `db upgrade` and `db check` (one op each in `ops.database`); `check` exits 1 when it finds a problem."""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, Finished, json_flag


def register(sub) -> None:
    db = sub.add_parser("db", help="数据库升级与检查")
    dsub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    json_flag(dsub.add_parser("upgrade", help="升级数据库结构（升级前自动备份）")).set_defaults(handler=run_db_upgrade)
    json_flag(dsub.add_parser("check", help="检查数据库结构与完整性")).set_defaults(handler=run_db_check)


def run_db_upgrade(args, ctx) -> dict:
    from zwgk_desktop.ops.database import upgrade_database

    result = upgrade_database(ctx.config, ctx.actor)
    data = result.as_json()
    data[HUMAN_KEY] = f"数据库结构版本：{result.revision}" + (f"（升级前的副本：{result.backup}）" if result.backup else "")
    return data


def run_db_check(args, ctx) -> dict | Finished:
    from zwgk_desktop.ops.database import check_database

    report = check_database(ctx.config, ctx.actor)
    data = report.as_json()
    if report.ok:
        data[HUMAN_KEY] = f"数据库完好，结构版本 {report.revision}。"
        return data
    data["error"] = {"code": report.code or "database_check_failed", "message": report.problems[0]}
    data[HUMAN_KEY] = "\n".join(["数据库有问题：", *(f"  {p}" for p in report.problems)])
    return Finished(data, 1)
