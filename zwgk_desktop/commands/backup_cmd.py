"""Commands `backup create`, `backup verify` and `backup restore`."""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, Finished, json_flag


def register(sub) -> None:
    backup = sub.add_parser("backup", help="备份、校验与恢复")
    bsub = backup.add_subparsers(dest="backup_command", required=True, metavar="ACTION")

    create = json_flag(bsub.add_parser("create", help="把数据库和照片、打印档案备份到 DEST 文件夹"))
    create.add_argument("dest", metavar="DEST", help="备份存放的文件夹（如移动硬盘）")
    create.add_argument("--keep", type=int, help="只保留最近的 N 份备份（默认不删除旧备份）")
    create.set_defaults(handler=run_create)

    verify = json_flag(bsub.add_parser("verify", help="逐个文件校验一份备份"))
    verify.add_argument("path", metavar="PATH", help="备份文件夹")
    verify.set_defaults(handler=run_verify)

    restore = json_flag(bsub.add_parser("restore", help="把备份恢复到空的数据目录（--data-dir）"))
    restore.add_argument("path", metavar="PATH", help="备份文件夹")
    restore.set_defaults(handler=run_restore)


def _lines(result) -> list[str]:
    return [f"  [{p.code}] {p.message}" for p in result.problems]


def run_create(args, ctx) -> dict:
    from zwgk_desktop.services.backup import create_backup, rotate_backups

    # the backup checks every page of its copy: no need to read the whole database twice
    result = create_backup(ctx.config, args.dest, database=ctx.database(quick_check=False))
    removed = rotate_backups(args.dest, args.keep) if args.keep else []
    data = result.as_json()
    data["removed"] = [str(p) for p in removed]
    data[HUMAN_KEY] = f"备份完成：{result.path}（{result.files} 个文件）"
    return data


def run_verify(args, ctx) -> dict | Finished:
    from zwgk_desktop.services.backup import verify_backup

    result = verify_backup(args.path)
    data = result.as_json()
    if result.ok:
        data[HUMAN_KEY] = f"备份完好：{result.path}（{result.files} 个文件全部校验通过）"
        return data
    first = result.problems[0]
    data["error"] = {"code": f"backup_{first.code}", "message": f"备份有 {len(result.problems)} 处问题：{first.message}"}
    data[HUMAN_KEY] = "\n".join([f"备份有问题：{result.path}", *_lines(result)])
    return Finished(data, 1)


def run_restore(args, ctx) -> dict:
    from zwgk_desktop.services.backup import restore_backup

    result = restore_backup(args.path, ctx.config)
    data = result.as_json()
    data[HUMAN_KEY] = f"已恢复到数据目录 {result.path}（{result.files} 个文件）。"
    return data
