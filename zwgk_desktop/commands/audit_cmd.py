"""`zwgk audit verify`: check the audit log's chain against the signed head file and the county's witness.

Exit 0 with `ok` true when everything holds; exit 1 with `ok` false and
`error.code` one of `audit_broken`, `audit_truncated`, `audit_rewritten`
(and `first_broken`, `last_witnessed`) when it finds a problem.
"""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, Finished, json_flag


def register(sub) -> None:
    audit = sub.add_parser("audit", help="审计日志")
    asub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = json_flag(asub.add_parser("verify", help="核验审计日志哈希链（与本机链头记录、县级见证核对）"))
    verify.add_argument("--offline", action="store_true", help="不联系县级平台，只与本机链头记录核对")
    verify.set_defaults(handler=run_audit_verify)


def run_audit_verify(args, ctx):
    from zwgk_desktop.ops.audit import verify_audit

    report = ctx.run(verify_audit, county=not args.offline)
    data = report.as_json()
    data[HUMAN_KEY] = "\n".join([report.message, *(f"注意：{n}" for n in report.notes)])
    if not report.ok:
        data["error"] = {"code": report.code, "message": report.message}
        return Finished(data, 1)
    return data
