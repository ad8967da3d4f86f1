"""`zwgk county ...`: run and administer the county reference server (zwgk_desktop.county does the work).

Every subcommand takes `--data DIR` (the county store's directory; SQLite
inside by default) or `--db URL` (a SQLAlchemy URL, e.g. PostgreSQL; blobs
still go to `--data`). `serve --token-idle-days N` sets after how many days
without a sync a device's token expires (default 90); `admin-key` shows the
key the staff page's revoke form asks for.
"""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def _store_args(parser):
    parser.add_argument("--data", help="县级数据目录（默认 SQLite 数据库和文件都在其中）")
    parser.add_argument("--db", help="数据库地址（SQLAlchemy URL，如 postgresql+psycopg://...）")
    return parser


def _store(args):
    from zwgk_desktop.county.store import DEFAULT_TOKEN_IDLE_DAYS, open_store

    return open_store(args.data, args.db, token_idle_days=getattr(args, "token_idle_days", None) or DEFAULT_TOKEN_IDLE_DAYS)


def register(sub) -> None:
    county = sub.add_parser("county", help="县级参考服务器（接收乡镇数据、发布参考数据）")
    csub = county.add_subparsers(dest="county_command", required=True, metavar="ACTION")

    serve = _store_args(csub.add_parser("serve", help="运行县级服务器"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765, help="端口（0 = 自动选择）")
    serve.add_argument("--cert", help="TLS 证书文件（PEM）")
    serve.add_argument("--key", help="TLS 私钥文件（PEM）")
    serve.add_argument("--port-file", help="启动后把实际端口写入此文件")
    serve.add_argument("--token-idle-days", type=int, default=None,
                       help="设备超过这么多天未同步，其令牌即过期、须重新注册（默认 90）")
    serve.set_defaults(handler=run_serve)

    json_flag(_store_args(csub.add_parser("admin-key", help="显示县级页面撤销设备所需的管理密钥"))).set_defaults(
        handler=run_admin_key)

    enroll = json_flag(_store_args(csub.add_parser("enroll", help="为乡镇签发一次性注册码")))
    enroll.add_argument("--township", required=True, help="乡镇名称")
    enroll.set_defaults(handler=run_enroll)

    revoke = json_flag(_store_args(csub.add_parser("revoke", help="撤销一台设备的同步授权")))
    revoke.add_argument("device", help="设备编号")
    revoke.set_defaults(handler=run_revoke)

    json_flag(_store_args(csub.add_parser("devices", help="列出已注册设备"))).set_defaults(handler=run_devices)
    json_flag(_store_args(csub.add_parser("stats", help="各乡镇已上报数据统计"))).set_defaults(handler=run_stats)

    cal = json_flag(_store_args(csub.add_parser("publish-calendar", help="发布一年的节假日安排（JSON 文件）")))
    cal.add_argument("file")
    cal.set_defaults(handler=run_publish_calendar)

    cat = json_flag(_store_args(csub.add_parser("publish-catalogue", help="发布标准目录（catalogue.json 格式）")))
    cat.add_argument("file")
    cat.set_defaults(handler=run_publish_catalogue)

    std = json_flag(_store_args(csub.add_parser("publish-standard", help="发布补助标准（如低保月标准）")))
    std.add_argument("--name", required=True, help="标准名称，如 城乡低保月标准")
    std.add_argument("--year", type=int, required=True)
    std.add_argument("--amount-fen", type=int, required=True, help="金额（分）")
    std.add_argument("--unit", default="元/人·月")
    std.add_argument("--note", default="")
    std.set_defaults(handler=run_publish_standard)

    ann = json_flag(_store_args(csub.add_parser("publish-announcement", help="发布通知公告")))
    ann.add_argument("--title", required=True)
    ann.add_argument("--body", default="")
    ann.set_defaults(handler=run_publish_announcement)

    tpl = json_flag(_store_args(csub.add_parser("publish-template", help="发布公告模板文本")))
    tpl.add_argument("--key", required=True, help="模板标识，如 dibao_notice")
    tpl.add_argument("file")
    tpl.set_defaults(handler=run_publish_template)


def run_serve(args, ctx) -> int:
    from zwgk_desktop.county.app import serve

    if bool(args.cert) != bool(args.key):
        from zwgk_desktop.errors import InvalidInput

        raise InvalidInput("启用 HTTPS 需同时提供 --cert 和 --key。")
    if args.token_idle_days is not None and args.token_idle_days < 1:
        from zwgk_desktop.errors import InvalidInput

        raise InvalidInput("--token-idle-days 至少为 1 天。")
    serve(_store(args), host=args.host, port=args.port, certfile=args.cert, keyfile=args.key,
          port_file=args.port_file, say=ctx.say)
    return 0


def run_admin_key(args, ctx) -> dict:
    key = _store(args).admin_key()
    return {"admin_key": key, HUMAN_KEY: f"管理密钥：{key}（仅限县政务公开办管理人员使用，勿外传）"}


def run_enroll(args, ctx) -> dict:
    from zwgk_desktop.county.service import issue_enroll_code

    result = issue_enroll_code(_store(args), args.township)
    result[HUMAN_KEY] = f"{result['township']} 的一次性注册码：{result['code']}（{result['expires_days']} 天内有效）"
    return result


def run_revoke(args, ctx) -> dict:
    from zwgk_desktop.county.service import revoke_device

    return revoke_device(_store(args), args.device)


def run_devices(args, ctx) -> dict:
    from zwgk_desktop.county.service import list_devices

    return {"devices": list_devices(_store(args))}


def run_stats(args, ctx) -> dict:
    from zwgk_desktop.county.service import county_stats

    return county_stats(_store(args))


def run_publish_calendar(args, ctx) -> dict:
    from zwgk_desktop.county.admin import publish_calendar

    return publish_calendar(_store(args), args.file)


def run_publish_catalogue(args, ctx) -> dict:
    from zwgk_desktop.county.admin import publish_catalogue

    return publish_catalogue(_store(args), args.file)


def run_publish_standard(args, ctx) -> dict:
    from zwgk_desktop.county.admin import publish_standard

    return publish_standard(_store(args), args.name, args.year, args.amount_fen, args.unit, args.note)


def run_publish_announcement(args, ctx) -> dict:
    from zwgk_desktop.county.admin import publish_announcement

    return publish_announcement(_store(args), args.title, args.body)


def run_publish_template(args, ctx) -> dict:
    from zwgk_desktop.county.admin import publish_template

    return publish_template(_store(args), args.key, args.file)
