"""Command `kiosk`: the full-screen public lookup point (信息查阅点), and setting its exit password."""

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

    if args.idle_seconds < 10:
        raise InvalidInput("无人操作返回首页的时间至少 10 秒。", code="bad_idle_seconds")
    if args.set_password:
        from zwgk_desktop.core.users import set_setting
        from zwgk_desktop.ui.kiosk.lookup import SETTING_KIOSK_PASSWORD, kiosk_password_hash

        password = _read_password()
        if len(password) < 8:
            raise InvalidInput("查阅点退出密码至少需要 8 位（两次输入须一致）。", code="weak_password")
        with ctx.database().session(user="kiosk") as session:
            set_setting(session, SETTING_KIOSK_PASSWORD, kiosk_password_hash(password))
        return {"password_set": True, HUMAN_KEY: "已设置查阅点退出密码。"}
    from sqlalchemy.orm import Session

    from zwgk_desktop.ui.kiosk.lookup import exit_password_configured, open_readonly

    ctx.database()  # creates/migrates the database if needed, then the kiosk reads it read-only
    ctx.close()
    engine = open_readonly(ctx.config.db_path)
    try:
        with Session(engine) as session:
            if not exit_password_configured(session):
                raise NotAllowed(
                    "尚未设置退出密码，查阅点启动后将无法退出。请先运行 zwgk kiosk --set-password，或创建管理员账户。",
                    code="no_exit_password",
                )
    finally:
        engine.dispose()
    from zwgk_desktop.ui.kiosk import run_kiosk

    return run_kiosk(ctx.config, idle_seconds=args.idle_seconds)
