"""Commands `backup create`, `backup verify` and `backup restore` (plain folders or password-encrypted files).

Each calls one op of `ops.backup`. `verify` exits 1 when it finds a problem
(JSON `ok` false, `problems`, and an `error` naming the first). An
encrypted backup needs its password (`--password-env VAR`, or a prompt).
"""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, Finished, json_flag
from zwgk_desktop.commands.passwords import password_args, password_from


def register(sub) -> None:
    backup = sub.add_parser("backup", help="备份、校验与恢复")
    bsub = backup.add_subparsers(dest="backup_command", required=True, metavar="ACTION")

    create = json_flag(bsub.add_parser("create", help="把数据库和照片、打印档案备份到 DEST 文件夹"))
    create.add_argument("dest", metavar="DEST", help="备份存放的文件夹（如移动硬盘）")
    create.add_argument("--keep", type=int, help="只保留最近的 N 份备份（默认不删除旧备份）")
    password_args(create, creating=True)
    create.set_defaults(handler=run_create)

    verify = json_flag(bsub.add_parser("verify", help="逐个文件校验一份备份（及其签名）"))
    verify.add_argument("path", metavar="PATH", help="备份文件夹或加密备份文件")
    password_args(verify)
    verify.set_defaults(handler=run_verify)

    restore = json_flag(bsub.add_parser("restore", help="把备份恢复到空的数据目录（--data-dir）"))
    restore.add_argument("path", metavar="PATH", help="备份文件夹或加密备份文件")
    restore.add_argument("--verify-with", metavar="DATA_DIR",
                         help="生成该备份的原数据目录：用它的密钥核对备份签名（并沿用该密钥，审计日志可继续核验）")
    password_args(restore)
    restore.set_defaults(handler=run_restore)


def _lines(result) -> list[str]:
    return [f"  [{p.code}] {p.message}" for p in result.problems]


def _encrypted(path: str) -> bool:
    from pathlib import Path

    from zwgk_desktop.services.backup_crypto import is_encrypted_file

    return Path(path).is_file() and is_encrypted_file(path)


def run_create(args, ctx) -> dict:
    from zwgk_desktop.ops.backup import create_backup

    password = password_from(args, creating=True)
    ctx.database(quick_check=False)  # the backup checks every page of its copy: no need to read it twice
    done = ctx.run(create_backup, args.dest, keep=args.keep, password=password)
    data = done.as_json()
    kind = "加密备份" if done.result.encrypted else "备份"
    data[HUMAN_KEY] = f"{kind}完成：{done.result.path}（{done.result.files} 个文件）"
    return data


def run_verify(args, ctx) -> dict | Finished:
    from zwgk_desktop.ops.backup import verify_backup

    password = password_from(args, needed=_encrypted(args.path))
    result = verify_backup(ctx.config, ctx.actor, args.path, password=password)
    data = result.as_json()
    warnings = [f"  注意：{w}" for w in result.warnings]
    if result.ok:
        data[HUMAN_KEY] = "\n".join([f"备份完好：{result.path}（{result.files} 个文件全部校验通过）", *warnings])
        return data
    first = result.problems[0]
    data["error"] = {"code": f"backup_{first.code}", "message": f"备份有 {len(result.problems)} 处问题：{first.message}"}
    data[HUMAN_KEY] = "\n".join([f"备份有问题：{result.path}", *_lines(result), *warnings])
    return Finished(data, 1)


def run_restore(args, ctx) -> dict:
    from zwgk_desktop.ops.backup import restore_backup

    password = password_from(args, needed=_encrypted(args.path))
    result = restore_backup(ctx.config, ctx.actor, args.path, password=password, verify_with=args.verify_with)
    data = result.as_json()
    lines = [f"已恢复到数据目录 {result.path}（{result.files} 个文件）。", *(f"注意：{w}" for w in result.warnings)]
    data[HUMAN_KEY] = "\n".join(lines)
    return data
