"""`zwgk sync enroll|now|status`: the township side of county sync, each one op of `ops.sync`.

`status` shows the last attempt and the last success apart, in local time
(JSON keeps the UTC moments and adds `*_local`); a failed attempt is never
reported as a success. `enroll` refuses plain http to another computer
unless `--insecure` (then it warns what travels in clear).
"""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    sync = sub.add_parser("sync", help="与县级服务器同步")
    ssub = sync.add_subparsers(dest="sync_command", required=True, metavar="ACTION")
    enroll = json_flag(ssub.add_parser("enroll", help="用县里发的一次性注册码注册本机"))
    enroll.add_argument("--server", required=True, help="县级服务器地址，如 https://zwgk.example.gov.cn:8765")
    enroll.add_argument("--code", required=True, help="一次性注册码")
    enroll.add_argument("--name", help="本机名称（默认计算机名）")
    enroll.add_argument("--ca-file", help="县里提供的服务器证书（自签名证书或 CA 证书，PEM）")
    enroll.add_argument("--insecure", action="store_true",
                        help="允许用未加密的 http 连接其他电脑上的县级服务器（个人信息将明文传输，仅限临时测试）")
    enroll.set_defaults(handler=run_enroll)
    json_flag(ssub.add_parser("now", help="立即同步")).set_defaults(handler=run_now)
    json_flag(ssub.add_parser("status", help="同步状态")).set_defaults(handler=run_status)


def run_enroll(args, ctx) -> dict:
    from pathlib import Path

    from zwgk_desktop.ops.sync import enroll_device

    ca_file = str(Path(args.ca_file).resolve()) if args.ca_file else None
    result = ctx.run(enroll_device, args.server, args.code, name=args.name, ca_file=ca_file, insecure=args.insecure)
    for warning in result.warnings:
        ctx.say(f"警告：{warning}")
    data = result.as_json()
    data[HUMAN_KEY] = f"已注册到 {result.server}（{result.township}），设备编号 {result.device_id}"
    return data


def run_now(args, ctx) -> dict:
    from zwgk_desktop.core.jobs import Job
    from zwgk_desktop.ops.sync import sync_now

    run = ctx.run(sync_now, job=Job(on_progress=lambda d, t, m: ctx.say(m) if m else None))
    report = run.report
    data = run.as_json()
    lines = [f"上报 {report.pushed} 条，获取 {report.pulled} 条，上传文件 {report.blobs_uploaded} 个，"
             f"待上报 {report.pending}，冲突 {report.conflicts}，错误 {report.errors}"]
    lines += [f"警告：{w}" for w in report.warnings]
    data[HUMAN_KEY] = "\n".join(lines)
    return data


def run_status(args, ctx) -> dict:
    from zwgk_desktop.ops.sync import sync_overview

    overview = ctx.run(sync_overview)
    status = overview.as_json()
    lines = [
        f"已注册：{status['server']}（设备 {status['device_id']}）" if status["enrolled"] else "本机尚未注册（zwgk sync enroll）",
        f"上次成功同步：{status['last_success_local'] or '从未'}（本地时间）；待上报 {status['pending']}，"
        f"冲突 {status['conflicts']}，错误 {status['errors']}",
    ]
    if overview.last_attempt_failed:
        lines.append(f"上次尝试：{status['last_attempt_local']}，失败：{(status['last_error'] or {}).get('message', '')}")
    lines += [f"警告：{w}" for w in status["warnings"]]
    status.pop("quarantined")
    status["quarantined"] = len(overview.quarantined)
    return {**status, HUMAN_KEY: "\n".join(lines)}
