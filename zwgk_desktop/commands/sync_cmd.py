"""`zwgk sync enroll|now|status`: the township side of county sync (services.sync does the work)."""

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
    enroll.set_defaults(handler=run_enroll)
    json_flag(ssub.add_parser("now", help="立即同步")).set_defaults(handler=run_now)
    json_flag(ssub.add_parser("status", help="同步状态")).set_defaults(handler=run_status)


def run_enroll(args, ctx) -> dict:
    from zwgk_desktop.services.sync import enroll

    if args.ca_file:
        from pathlib import Path

        ctx.config.settings.county_ca_file = str(Path(args.ca_file).resolve())
    result = enroll(ctx.config, args.server, args.code, args.name, database=ctx.database())
    result[HUMAN_KEY] = f"已注册到 {result['server']}（{result['township']}），设备编号 {result['device_id']}"
    return result


def run_now(args, ctx) -> dict:
    from zwgk_desktop.core.jobs import Job
    from zwgk_desktop.services.sync import sync_once

    report = sync_once(ctx.config, Job(on_progress=lambda d, t, m: ctx.say(m) if m else None),
                       database=ctx.database())
    data = report.as_json()
    lines = [f"上报 {report.pushed} 条，获取 {report.pulled} 条，上传文件 {report.blobs_uploaded} 个，"
             f"待上报 {report.pending}，冲突 {report.conflicts}，错误 {report.errors}"]
    lines += [f"警告：{w}" for w in report.warnings]
    data[HUMAN_KEY] = "\n".join(lines)
    return data


def run_status(args, ctx) -> dict:
    from zwgk_desktop.services.sync import sync_status

    status = sync_status(ctx.config, database=ctx.database())
    lines = [
        f"已注册：{status['server']}（设备 {status['device_id']}）" if status["enrolled"] else "本机尚未注册（zwgk sync enroll）",
        f"上次成功同步：{status['last_sync_at'] or '从未'}；待上报 {status['pending']}，冲突 {status['conflicts']}，"
        f"错误 {status['errors']}",
    ]
    if status["last_error"]:
        lines.append(f"上次失败：{status['last_error'].get('message', '')}")
    lines += [f"警告：{w}" for w in status["warnings"]]
    return {**status, HUMAN_KEY: "\n".join(lines)}
