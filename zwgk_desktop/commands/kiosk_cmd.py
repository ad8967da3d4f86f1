"""Command `kiosk`: the full-screen public lookup point (信息查阅点), and setting its exit password.

The handler parses, runs `ops.kiosk` use cases (set the exit password, check
that one exists) and only then imports the Qt kiosk through its launcher
(`ui.kiosk.run_kiosk`), so the command module itself never imports ui.
"""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    kiosk = json_flag(sub.add_parser("kiosk", help="启动信息查阅点（全屏、只读、脱敏显示）"))
    kiosk.add_argument("--idle-seconds", type=int, default=120, help="无人操作多少秒后回到首页（默认120）")
    kiosk.add_argument("--set-password", action="store_true",
                       help="设置退出查阅点的管理员密码（从标准输入读取，不启动查阅点）")
    kiosk.set_defaults(handler=run_kiosk_command)


def _read_password() -> str:
    import getpass
    import sys

    if sys.stdin.isatty():
        first = getpass.getpass("请输入查阅点退出密码：")
        if first != getpass.getpass("请再次输入：") or not first:
            return ""
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_kiosk_command(args, ctx) -> dict | int:
    from zwgk_desktop.errors import InvalidInput, NotAllowed
    from zwgk_desktop.ops import kiosk as kiosk_ops

    if args.idle_seconds < 10:
        raise InvalidInput("无人操作返回首页的时间至少 10 秒。", code="bad_idle_seconds")
    if args.set_password:
        ctx.run(kiosk_ops.set_exit_password, _read_password())
        return {"password_set": True, HUMAN_KEY: "已设置查阅点退出密码。"}
    ctx.database()  # creates/migrates the database if needed, then the kiosk reads it read-only
    ctx.close()
    kiosk_db = kiosk_ops.open_kiosk_database(ctx.config.db_path)
    try:
        if not kiosk_ops.exit_password_configured(kiosk_db, kiosk_ops.KIOSK_ACTOR):
            raise NotAllowed(
                "尚未设置退出密码，查阅点启动后将无法退出。请先运行 zwgk kiosk --set-password，或创建管理员账户。",
                code="no_exit_password",
            )
    finally:
        kiosk_db.dispose()
    from zwgk_desktop.ui.kiosk import run_kiosk  # the thin launcher of the Qt window

    return run_kiosk(ctx.config, idle_seconds=args.idle_seconds)
