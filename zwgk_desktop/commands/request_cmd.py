"""`zwgk request ...`: the 依申请公开 register from the command line (flags and JSON fields: issue 15, cli.md).

`request add|list|show|extend|correct|reply` are the contract; `consult`,
`carry`, `appeal`, `letter`, `settings` complete the register. Every handler
parses its arguments, calls one op in `ops.requests` as `ctx.actor` and
returns its DTO's JSON; the register's rules live in `core.requests`.
`report annual` (the yearly report tables) joins the `report` group through
`register_report_annual`, which `commands.report_cmd.register` calls.
"""

from __future__ import annotations

import argparse
from datetime import date

from zwgk_desktop.cli import HUMAN_KEY, Finished, json_flag
from zwgk_desktop.core.calendar import parse_date


def _common(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    json_flag(parser)
    parser.add_argument("--as", dest="as_user", default="", help="以该用户身份办理（默认：命令行管理员 cli）")
    parser.add_argument("--today", help=argparse.SUPPRESS)  # tests and scripts: compute as of this date
    return parser


def _date(text: str | None, what: str) -> date | None:
    return parse_date(text, what) if text else None


def _today(args) -> date | None:
    return _date(getattr(args, "today", None), "今天的日期")


def register(sub) -> None:
    parser = sub.add_parser("request", help="依申请公开：申请登记、答复期限、告知书和答复书")
    rsub = parser.add_subparsers(dest="request_command", metavar="ACTION", required=True)

    add = _common(rsub.add_parser("add", help="登记收到的政府信息公开申请"))
    add.add_argument("--received", required=True, help="收到申请日期 YYYY-MM-DD（条例第三十一条：当面=提交日，"
                                                       "邮寄=签收日，平常信函/网络/传真=确认日）")
    add.add_argument("--channel", required=True, choices=("in_person", "mail", "letter", "online", "fax"),
                     help="收到方式：当面、邮寄（需签收）、平常信函、网络、传真")
    add.add_argument("--requester-type", required=True,
                     choices=("person", "company", "research", "ngo", "legal", "other"),
                     help="申请人：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他")
    add.add_argument("--content", required=True, help="申请公开的政府信息的内容描述")
    add.add_argument("--name", default="", help="申请人姓名或名称（只在本申请页面和寄给申请人的文书上完整显示）")
    add.add_argument("--phone", default="", help="联系电话")
    add.add_argument("--email", default="", help="电子邮箱")
    add.add_argument("--address", default="", help="通讯地址")
    add.add_argument("--id-number", default="", help="证件号码")
    add.add_argument("--form", default="", help="获取信息的方式（纸质、电子邮件、当面领取…）")
    add.add_argument("--arrived", help="申请实际送达日期（平常信函、网络申请确认之前送达时）")
    add.set_defaults(handler=run_add)

    lst = _common(rsub.add_parser("list", help="申请登记簿（申请人已脱敏）"))
    lst.add_argument("--year", type=int, help="只列该年度收到、答复或仍在办理的申请")
    lst.add_argument("--open", action="store_true", help="只列未办结的申请")
    lst.set_defaults(handler=run_list)

    show = _common(rsub.add_parser("show", help="一件申请的全部情况（申请人信息完整显示）"))
    show.add_argument("id", metavar="ID", help="申请编号或登记号（如 2026-003）")
    show.set_defaults(handler=run_show)

    extend = _common(rsub.add_parser("extend", help="延长答复期限（只能一次，最长20个工作日）"))
    extend.add_argument("id", metavar="ID")
    extend.add_argument("--days", type=int, required=True, help="延长的工作日数（1–20）")
    extend.add_argument("--reason", required=True, help="延期理由")
    extend.add_argument("--approver", default="", help="批准延期的政府信息公开工作机构负责人（默认：办理人）")
    extend.add_argument("--notified", help="告知申请人的日期 YYYY-MM-DD（默认今天；须在答复期限内）")
    extend.set_defaults(handler=run_extend)

    correct = _common(rsub.add_parser("correct", help="补正：告知发出（7个工作日内）、收到补正（重新计算期限）"))
    correct.add_argument("id", metavar="ID")
    correct.add_argument("--sent", required=True, help="补正告知发出日期 YYYY-MM-DD")
    correct.add_argument("--received", help="收到补正日期 YYYY-MM-DD（答复期限自该日重新计算）")
    correct.add_argument("--items", default="", help="需要补正的事项")
    correct.add_argument("--deadline", help="给申请人的补正期限 YYYY-MM-DD")
    correct.set_defaults(handler=run_correct)

    consult = _common(rsub.add_parser("consult", help="征求第三方意见（所需时间不计入答复期限，第三方15个工作日）"))
    consult.add_argument("id", metavar="ID")
    consult.add_argument("--sent", required=True, help="征求意见书发出日期 YYYY-MM-DD")
    consult.add_argument("--replied", help="第三方回复日期 YYYY-MM-DD")
    consult.add_argument("--third-party", default="", help="第三方名称")
    consult.add_argument("--opinion", default="", choices=("", "agree", "disagree", "none"),
                         help="第三方意见：agree 同意公开、disagree 不同意、none 逾期未提出")
    consult.set_defaults(handler=run_consult)

    reply = _common(rsub.add_parser("reply", help="登记答复及办理结果"))
    reply.add_argument("id", metavar="ID")
    reply.add_argument("--date", required=True, help="答复日期 YYYY-MM-DD")
    reply.add_argument("--outcome", required=True,
                       help="public | partial | refused:REASON | unable:REASON | not_processed:REASON | other:REASON；"
                            "refused: secret law stability third_party internal process enforcement inquiry；"
                            "unable: not_held needs_creation unclear；not_processed: petition repeat publication "
                            "excessive confirm；other: no_correction no_fee other")
    reply.add_argument("--note", default="", help="答复说明（other:other 必填）")
    reply.set_defaults(handler=run_reply)

    carry = _common(rsub.add_parser("carry", help="确认年底仍在办理的申请结转下年度继续办理"))
    carry.add_argument("ids", metavar="ID", nargs="*", help="申请编号或登记号；不写则结转该年度全部未办结申请")
    carry.add_argument("--year", type=int, required=True, help="结转的年度（该年12月31日仍未答复）")
    carry.set_defaults(handler=run_carry)

    appeal = _common(rsub.add_parser("appeal", help="登记与申请有关的行政复议、行政诉讼及其结果"))
    appeal.add_argument("id", metavar="ID", nargs="?", help="申请编号或登记号（登记新的复议、诉讼时）")
    appeal.add_argument("--update", metavar="APPEAL_ID", help="更新已登记的复议或诉讼的结果")
    appeal.add_argument("--kind", choices=("review", "lawsuit"), help="review 行政复议，lawsuit 行政诉讼")
    appeal.add_argument("--route", default="", choices=("", "direct", "after_review"),
                        help="诉讼：direct 未经复议直接起诉，after_review 复议后起诉")
    appeal.add_argument("--filed", help="申请复议或起诉日期 YYYY-MM-DD")
    appeal.add_argument("--result", default="pending", choices=("upheld", "corrected", "other", "pending"),
                        help="结果维持、结果纠正、其他结果、尚未审结")
    appeal.add_argument("--decided", help="审结日期 YYYY-MM-DD")
    appeal.add_argument("--note", default="")
    appeal.set_defaults(handler=run_appeal)

    letter = _common(rsub.add_parser("letter", help="打印受理回执、补正告知书、延期答复告知书、意见征询书、答复书"))
    letter.add_argument("id", metavar="ID")
    letter.add_argument("--kind", required=True, choices=("receipt", "correction", "extension", "consultation", "reply"))
    letter.add_argument("--consultation", default="", metavar="CONSULTATION_ID", help="意见征询书对应的征求意见（默认最近一次）")
    letter.add_argument("-o", "--output", required=True, metavar="OUT.pdf")
    letter.set_defaults(handler=run_letter)

    settings = _common(rsub.add_parser("settings", help="文号和受理机构设置（不带参数则显示当前设置）"))
    settings.add_argument("--prefix", help="文号前缀，如“青山政信”（文号：青山政信〔2026〕1号）")
    settings.add_argument("--start", action="append", default=[], metavar="YEAR=N", help="该年文号从 N 号起编")
    settings.add_argument("--office", help="政府信息公开工作机构名称")
    settings.add_argument("--office-phone", help="受理电话")
    settings.add_argument("--office-address", help="受理地址")
    settings.add_argument("--review-body", help="行政复议机关（默认：县人民政府）")
    settings.add_argument("--court", help="管辖法院（默认：县人民法院）")
    settings.set_defaults(handler=run_settings)


# --- handlers ------------------------------------------------------------------------------------


def _saved(result, human: str) -> dict:
    data = result.as_json()
    lines = [human, f"答复期限：{data['due'] or '（等待补正，尚未起算）'}", result.explanation]
    lines += [f"警告：{w}" for w in result.warnings]
    data[HUMAN_KEY] = "\n".join(lines)
    return data


def run_add(args, ctx) -> dict:
    from zwgk_desktop.core.requests import NewRequest
    from zwgk_desktop.ops.requests import add_request

    new = NewRequest(
        received_on=parse_date(args.received, "收到申请日期"), channel=args.channel,
        requester_type=args.requester_type, content=args.content, name=args.name, phone=args.phone,
        email=args.email, address=args.address, id_number=args.id_number, form_wanted=args.form,
        arrived_on=_date(args.arrived, "申请送达日期"),
    )
    result = ctx.run(add_request, new, today=_today(args))
    return _saved(result, f"已登记申请 {result.number}")


def run_list(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import list_requests

    result = ctx.run(list_requests, year=args.year, open_only=args.open, today=_today(args))
    data = result.as_json()
    lines = [f"{r.number}  {r.received}  {r.requester_type_label:<6} {r.requester or '—':<6} {r.status_label:<5} "
             f"期限 {r.due or '—'}  {r.outcome_label}" for r in result.rows]
    data[HUMAN_KEY] = "\n".join(lines) if lines else "登记簿中没有申请。"
    return data


def run_show(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import show_request

    detail = ctx.run(show_request, args.id, today=_today(args))
    data = detail.as_json()
    data[HUMAN_KEY] = "\n".join([
        f"登记号 {detail.row.number}（{detail.row.status_label}）", f"申请人：{detail.name or '—'}（{detail.row.requester_type_label}）",
        f"收到：{detail.row.received}（{detail.row.channel_label}）", f"内容：{detail.content}",
        f"答复期限：{detail.clock.due or '—'}", detail.clock.explanation,
        f"结果：{detail.row.outcome_label or '—'}",
    ])
    return data


def run_extend(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import extend_request

    result = ctx.run(extend_request, args.id, args.days, args.reason, approver=args.approver,
                     notified_on=_date(args.notified, "告知申请人日期"), today=_today(args))
    return _saved(result, f"申请 {result.number} 已延期 {args.days} 个工作日")


def run_correct(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import correct_request

    result = ctx.run(correct_request, args.id, parse_date(args.sent, "补正告知发出日期"),
                     _date(args.received, "收到补正日期"), items=args.items,
                     deadline=_date(args.deadline, "补正期限"), today=_today(args))
    return _saved(result, f"申请 {result.number} 已登记补正")


def run_consult(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import consult_third_party

    result = ctx.run(consult_third_party, args.id, parse_date(args.sent, "征求意见书发出日期"),
                     replied_on=_date(args.replied, "第三方回复日期"), third_party=args.third_party,
                     opinion=args.opinion, today=_today(args))
    return _saved(result, f"申请 {result.number} 已登记征求第三方意见")


def run_reply(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import reply_request

    result = ctx.run(reply_request, args.id, parse_date(args.date, "答复日期"), args.outcome, note=args.note,
                     today=_today(args))
    return _saved(result, f"申请 {result.number} 已答复：{result.extra['outcome_label']}")


def run_carry(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import carry_over

    result = ctx.run(carry_over, args.year, args.ids or None)
    data = result.as_json()
    data[HUMAN_KEY] = f"已确认 {len(result.numbers)} 件申请结转下年度：{'、'.join(result.numbers) or '无'}"
    return data


def run_appeal(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import record_appeal

    if not args.update and (not args.id or not args.kind or not args.filed):
        raise _usage("登记新的复议或诉讼需要申请编号、--kind 和 --filed；更新结果请用 --update APPEAL_ID。")
    result = ctx.run(record_appeal, args.id, kind=args.kind or "", filed_on=_date(args.filed, "申请复议或起诉日期"),
                     route=args.route, result=args.result, decided_on=_date(args.decided, "审结日期"), note=args.note,
                     appeal_id=args.update)
    data = result.as_json()
    data[HUMAN_KEY] = f"已登记{data['kind_label']}（{data['result_label']}）：{result.id}"
    return data


def _usage(message: str):
    from zwgk_desktop.errors import InvalidInput

    return InvalidInput(message, code="usage")


def run_letter(args, ctx) -> dict:
    from pathlib import Path

    from zwgk_desktop.ops.requests import print_letter

    result = ctx.run(print_letter, args.id, args.kind, Path(args.output).expanduser().resolve(),
                     ref_id=args.consultation, today=_today(args))
    data = result.as_json()
    data[HUMAN_KEY] = f"已生成{result.title}（{result.doc_number}）：{result.path}"
    return data


def run_settings(args, ctx) -> dict:
    from zwgk_desktop.ops.requests import load_request_settings, save_request_settings

    values = {key: value for key, value in (
        ("letter_prefix", args.prefix), ("office", args.office), ("office_phone", args.office_phone),
        ("office_address", args.office_address), ("review_body", args.review_body), ("court", args.court),
    ) if value is not None}
    if args.start:
        current = ctx.run(load_request_settings).values["letter_start"]
        starts = dict(current)
        for pair in args.start:
            year, sep, first = pair.partition("=")
            if not sep or not year.strip().isdigit() or not first.strip().isdigit():
                raise _usage(f"“{pair}”应写成 年份=起始号，如 2026=15。")
            starts[year.strip()] = int(first)
        values["letter_start"] = starts
    result = ctx.run(save_request_settings, values) if values else ctx.run(load_request_settings)
    data = result.as_json()
    data[HUMAN_KEY] = f"文号前缀：{result.prefix}；各年起始号：{result.values['letter_start'] or '从1号起'}"
    return data


# --- report annual -------------------------------------------------------------------------------


def register_report_annual(report_subparsers) -> None:
    """Add `report annual` to the `report` group (called by `commands.report_cmd.register`)."""
    annual = _common(report_subparsers.add_parser(
        "annual", help="政府信息公开工作年度报告统计表（国办公开办函〔2021〕30号格式，导出前核对）"))
    annual.add_argument("--year", type=int, required=True, help="报告年度")
    annual.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="输出的 Excel 文件")
    annual.add_argument("--pdf", metavar="OUT.pdf", help="同时输出 PDF（可复制到 Word 报告中）")
    annual.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="表二中手工填写的数字，如 normative.made=2、licensing=15、fees=0.5（万元）")
    annual.set_defaults(handler=run_annual)


def run_annual(args, ctx):
    from pathlib import Path

    from zwgk_desktop.ops.requests import export_annual_report
    from zwgk_desktop.services.annual_report import parse_manual_pairs

    values = parse_manual_pairs(args.set)
    out = Path(args.output).expanduser().resolve()
    pdf = Path(args.pdf).expanduser().resolve() if args.pdf else None
    report = ctx.run(export_annual_report, args.year, out, pdf_path=pdf, manual=values)
    data = report.as_json()
    failed = report.failed
    lines = [f"{args.year}年度报告表格核对：{'全部通过' if report.ok else '未通过'}"]
    lines += [f"✗ {c.label}：{c.detail}" for c in failed]
    if report.ok:
        lines.append(f"已导出：{out}" + (f"，{pdf}" if pdf else ""))
    else:
        lines.append("未导出任何文件：请先核对上述申请。")
    data[HUMAN_KEY] = "\n".join(lines)
    return data if report.ok else Finished(data, 1)
