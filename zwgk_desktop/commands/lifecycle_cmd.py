"""Commands for the notice lifecycle, objections, users, the audit chain and 今日待办.

- `notice list|show` (= `disclosure list|show`, the contract's name), `notice submit|approve|return|post|remove|
  conclude|archive|withdraw|correct|review|postings|explain|plan|history ID ...`;
- `objection add|resolve|list`;
- `user add|reset|list`;
- `todo` → today's to-do items.

Notice commands parse their arguments, call one op (`ops.notices`,
`ops.postings`, `ops.objections`, `ops.todo`) as `ctx.actor` and return its
DTO as a dict. Every ID argument takes the full id or a unique prefix of at
least 6 characters (`core.disclosures.find_disclosure`). Every command acts
as `--as USERNAME` (an existing user; the CLI is run by someone with access
to the data dir, so no password is asked) or, by default, as the
command-line administrator "cli".
"""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def _actor_arg(parser) -> None:
    parser.add_argument("--as", dest="as_user", default="", help="以该用户身份办理（默认：命令行管理员 cli）")


def _common(parser):
    json_flag(parser)
    _actor_arg(parser)
    return parser


def register(sub) -> None:
    _register_notice(sub)
    _register_objection(sub)
    _register_user(sub)
    todo = _common(sub.add_parser("todo", help="今日待办"))
    todo.add_argument("--today", help="按该日期计算（YYYY-MM-DD，默认今天）")
    todo.set_defaults(handler=run_todo)


def _register_notice(sub) -> None:
    from zwgk_desktop.commands.disclosures import register_list_show

    notice = sub.add_parser("notice", help="公示：列表、详情、提交、审核、张贴、办结、归档、撤回、更正")
    nsub = notice.add_subparsers(dest="notice_command", required=True, metavar="ACTION")
    register_list_show(nsub)
    for name, help_text, handler, reason in (
        ("submit", "提交审核", run_submit, False),
        ("approve", "审核通过", run_approve, False),
        ("return", "退回草稿（须填原因）", run_return, True),
        ("archive", "归档（缺留档照片且无情况说明时拒绝）", run_archive, False),
        ("withdraw", "撤回（须填原因）", run_withdraw, True),
    ):
        p = _common(nsub.add_parser(name, help=help_text))
        p.add_argument("id", help="公示编号（可用前6位以上）")
        p.add_argument("--reason", required=reason, default="", help="原因/说明")
        p.set_defaults(handler=handler)
    correct = _common(nsub.add_parser("correct", help="更正：生成新版本（须填原因），更正后重新公示"))
    correct.add_argument("id", help="公示编号（可用前6位以上）")
    correct.add_argument("--reason", required=True, help="更正原因")
    correct.add_argument("--typo", action="store_true",
                         help="仅更正文字错误（名单不变）：本类别规则允许时沿用原公示期的剩余天数")
    correct.set_defaults(handler=run_correct)
    conclude = _common(nsub.add_parser("conclude", help="公示期满办结（缺留档照片且无情况说明时拒绝）"))
    conclude.add_argument("id")
    conclude.add_argument("--reason", default="")
    conclude.add_argument("--today", help="按该日期判断（YYYY-MM-DD，默认今天）")
    conclude.set_defaults(handler=run_conclude)
    post = _common(nsub.add_parser("post", help="登记张贴（可多块公开栏）"))
    post.add_argument("id")
    post.add_argument("--board", action="append", default=[], help="公开栏编号或名称（可重复）；省略则张贴到乡镇公开栏")
    post.add_argument("--date", required=True, help="张贴日期 YYYY-MM-DD")
    post.add_argument("--note", default="")
    post.add_argument("--accept-incomplete-calendar", action="store_true", help="节假日数据不完整时仍按推算日期登记")
    post.set_defaults(handler=run_post)
    remove = _common(nsub.add_parser("remove", help="登记撤下"))
    remove.add_argument("posting_id", help="张贴记录编号（可用前6位以上）")
    remove.add_argument("--date", required=True, help="撤下日期 YYYY-MM-DD")
    remove.set_defaults(handler=run_remove)
    review = _common(nsub.add_parser("review", help="审核摘要：隐私扫描、公示期、公开栏、合计"))
    review.add_argument("id")
    review.add_argument("--today", help="按该日期推算计划张贴日（YYYY-MM-DD，默认今天）")
    review.set_defaults(handler=run_review)
    postings = _common(nsub.add_parser("postings", help="列出张贴记录（公示期、留档照片）"))
    postings.add_argument("id")
    postings.set_defaults(handler=run_postings)
    explain = _common(nsub.add_parser("explain", help="审核人登记留档照片情况说明（不少于10个字）"))
    explain.add_argument("id")
    explain.add_argument("--text", "--exception", dest="text", required=True, help="情况说明：缺哪张照片、为什么无法补拍")
    explain.add_argument("--posting", default=None, help="只针对某一张贴记录（省略：该公示全部张贴）")
    explain.set_defaults(handler=run_explain)
    plan = _common(nsub.add_parser("plan", help="计划张贴日的公示期（打印前）；--record 记录计划张贴日"))
    plan.add_argument("id")
    plan.add_argument("--day", help="计划张贴日 YYYY-MM-DD（默认：已记录的计划日，否则下一个工作日）")
    plan.add_argument("--record", action="store_true", help="记录该计划张贴日（打印张贴稿时）")
    plan.add_argument("--today", help="按该日期推算（YYYY-MM-DD，默认今天）")
    plan.set_defaults(handler=run_plan)
    record = _common(nsub.add_parser("history", help="流转记录：版本、状态变化、张贴、异议、情况说明"))
    record.add_argument("id")
    record.set_defaults(handler=run_history)


def _register_objection(sub) -> None:
    objection = sub.add_parser("objection", help="异议登记与办理")
    osub = objection.add_subparsers(dest="objection_command", required=True, metavar="ACTION")
    add = _common(osub.add_parser("add", help="登记异议"))
    add.add_argument("id", help="公示编号")
    add.add_argument("--date", required=True, help="受理日期 YYYY-MM-DD")
    add.add_argument("--content", required=True, help="异议内容")
    add.add_argument("--from", dest="from_name", default="", help="反映人（省略为匿名）")
    add.add_argument("--channel", default="", help="渠道：来访、电话、信件、意见箱、网络、其他")
    add.set_defaults(handler=run_objection_add)
    resolve = _common(osub.add_parser("resolve", help="办结异议"))
    resolve.add_argument("objection_id")
    resolve.add_argument("--handling", required=True, help="调查核实和办理情况")
    resolve.add_argument("--result", required=True, help="办理结果")
    resolve.add_argument("--date", required=True, help="办结日期 YYYY-MM-DD")
    resolve.add_argument("--changes-list", action="store_true",
                         help="异议成立、需要更正名单（生成更正版本，更正后重新公示完整公示期）")
    resolve.set_defaults(handler=run_objection_resolve)
    lst = _common(osub.add_parser("list", help="列出某公示的异议（含更正前版本的异议）"))
    lst.add_argument("id")
    lst.set_defaults(handler=run_objection_list)


def _register_user(sub) -> None:
    user = sub.add_parser("user", help="用户与角色")
    usub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = _common(usub.add_parser("add", help="添加用户（首次运行用 --role admin 创建管理员）"))
    add.add_argument("username")
    add.add_argument("--role", required=True, help="admin 管理员, clerk 经办人, reviewer 审核人, village 村级用户, viewer 查阅")
    add.add_argument("--password", help="密码（省略则从环境变量 ZWGK_PASSWORD 读取）")
    add.add_argument("--name", default="", help="显示名称")
    add.add_argument("--villages", default="", help="村级用户负责的村（逗号分隔）")
    add.set_defaults(handler=run_user_add)
    reset = _common(usub.add_parser("reset", help="管理员重置密码（同时解除锁定）"))
    reset.add_argument("username")
    reset.add_argument("--password", help="新密码（省略则从环境变量 ZWGK_PASSWORD 读取）")
    reset.set_defaults(handler=run_user_reset)
    json_flag(usub.add_parser("list", help="列出用户")).set_defaults(handler=run_user_list)


# --- helpers ---------------------------------------------------------------------------


def _date(text: str | None, what: str):
    from datetime import date

    from zwgk_desktop.core.calendar import parse_date

    return parse_date(text, what) if text else date.today()


def _optional_date(text: str | None, what: str):
    from zwgk_desktop.core.calendar import parse_date

    return parse_date(text, what) if text else None


def _password(args) -> str:
    import os

    from zwgk_desktop.errors import InvalidInput

    password = args.password or os.environ.get("ZWGK_PASSWORD", "")
    if not password:
        raise InvalidInput("请用 --password 或环境变量 ZWGK_PASSWORD 提供密码。")
    return password


def _transition(args, ctx, op, *extra, **kwargs) -> dict:
    result = ctx.run(op, args.id, *extra, **kwargs)
    data = result.as_json()
    lines = [f"公示 {result.disclosure_id[:8]}：{result.from_status} → {result.status_label}"]
    lines += [f"提示：{w}" for w in result.warnings]
    data[HUMAN_KEY] = "\n".join(lines)
    return data


# --- notice ------------------------------------------------------------------------------


def run_submit(args, ctx):
    from zwgk_desktop.ops.notices import submit_notice

    return _transition(args, ctx, submit_notice, args.reason)


def run_approve(args, ctx):
    from zwgk_desktop.ops.notices import approve_notice

    return _transition(args, ctx, approve_notice, args.reason)


def run_return(args, ctx):
    from zwgk_desktop.ops.notices import return_notice

    return _transition(args, ctx, return_notice, args.reason)


def run_archive(args, ctx):
    from zwgk_desktop.ops.notices import archive_notice

    return _transition(args, ctx, archive_notice, args.reason)


def run_withdraw(args, ctx):
    from zwgk_desktop.ops.notices import withdraw_notice

    return _transition(args, ctx, withdraw_notice, args.reason)


def run_conclude(args, ctx):
    from zwgk_desktop.ops.notices import conclude_notice

    data = _transition(args, ctx, conclude_notice, today=_date(args.today, "日期"), note=args.reason)
    data[HUMAN_KEY] = f"公示 {data['disclosure_id'][:8]} 已办结（期满）。"
    return data


def run_correct(args, ctx):
    from zwgk_desktop.ops.notices import correct_notice

    result = ctx.run(correct_notice, args.id, args.reason, kind="typo" if args.typo else "content")
    data = result.as_json()
    data[HUMAN_KEY] = f"已生成第{result.version}版更正草稿 {result.disclosure_id}，原公示已撤回。"
    return data


def run_post(args, ctx):
    from zwgk_desktop.core.calendar import parse_date
    from zwgk_desktop.ops.postings import register_posting

    posted_on = parse_date(args.date, "张贴日期")
    result = ctx.run(register_posting, args.id, args.board, posted_on, note=args.note,
                     accept_incomplete_calendar=args.accept_incomplete_calendar)
    data = result.as_json()
    period = result.period or {}
    lines = [f"已登记张贴 {len(result.postings)} 处，公示期 {period.get('screen_text', '')}。", result.explanation]
    lines += [f"警告：{w}" for w in result.warnings]
    data[HUMAN_KEY] = "\n".join(lines)
    return data


def run_remove(args, ctx):
    from zwgk_desktop.core.calendar import parse_date
    from zwgk_desktop.ops.postings import register_removal

    row = ctx.run(register_removal, args.posting_id, parse_date(args.date, "撤下日期"))
    return {**row.as_json(), HUMAN_KEY: f"已登记 {row.board_name} 于 {row.removed_on} 撤下。"}


def run_review(args, ctx):
    from zwgk_desktop.ops.notices import review_summary

    summary = ctx.run(review_summary, args.id, today=_optional_date(args.today, "日期"))
    data = summary.as_json()
    period = summary.period or {}
    lines = [f"{summary.title}（{summary.status_label}，第{summary.version}版，经办人 {summary.author_name or '—'}）",
             f"明细 {summary.item_count} 条，金额合计 {summary.total_amount} 元，人数 {summary.total_people}",
             f"公示期规则：{summary.rule_text}",
             f"公示期：{period.get('screen_text', '—')}（张贴日 {period.get('posted_on', '—')}）；{period.get('explanation', '')}",
             "公开栏：" + "、".join(b["name"] for b in summary.boards), summary.separation]
    if summary.correction:
        lines.append(f"更正说明：{summary.correction['text']}")
    lines += [f"提示：{w}" for w in summary.warnings]
    lines += [f"隐私问题：{f['location']}：{f['message']}" for f in summary.findings] or ["隐私扫描：未发现问题"]
    data[HUMAN_KEY] = "\n".join(lines)
    return data


def run_postings(args, ctx):
    from zwgk_desktop.ops.postings import notice_postings

    rows = ctx.run(notice_postings, args.id)
    return {"postings": [r.as_json() for r in rows],
            HUMAN_KEY: "\n".join(
                f"{r.id[:8]} {r.board_name} 张贴 {r.posted_on}，公示期 {r.period_text}，撤下:{r.removed_on or '—'}，"
                f"{r.start_photo['text']} {r.end_photo['text']}" for r in rows) or "（暂无张贴）"}


def run_explain(args, ctx):
    from zwgk_desktop.ops.notices import explain_missing_evidence

    note = ctx.run(explain_missing_evidence, args.id, args.text, posting_id=args.posting)
    where = f"（{note.board_name}）" if note.board_name else "（全部张贴）"
    return {**note.as_json(), HUMAN_KEY: f"已登记情况说明{where}：{note.text}"}


def run_plan(args, ctx):
    from zwgk_desktop.ops.notices import planned_period, record_planned_posting

    day, today = _optional_date(args.day, "计划张贴日"), _optional_date(args.today, "日期")
    if args.record:
        if day is None:
            from zwgk_desktop.errors import InvalidInput

            raise InvalidInput("记录计划张贴日时请用 --day 给出日期（YYYY-MM-DD）。")
        period = ctx.run(record_planned_posting, args.id, day, today=today)
    else:
        period = ctx.run(planned_period, args.id, day, today=today)
    data = {"period": period.as_json(), "recorded": bool(args.record)}
    data[HUMAN_KEY] = f"{period.as_json()['poster_line']}（张贴日 {period.posted_on.isoformat()}）\n{period.full_explanation}"
    return data


def run_history(args, ctx):
    from zwgk_desktop.ops.notices import notice_record

    record = ctx.run(notice_record, args.id)
    lines = [f"{record.title}（第{record.version}版，{record.status_label}）公示期 {record.period_text or '—'}"]
    lines += [f"{h.at} {h.label} {h.by_name} {h.reason}" for h in record.history]
    lines += [f"异议（第{o.version}版）{o.received_on} {o.from_name} {o.status_label} {o.content}" for o in record.objections]
    return {**record.as_json(), HUMAN_KEY: "\n".join(lines)}


# --- objections --------------------------------------------------------------------------


def run_objection_add(args, ctx):
    from zwgk_desktop.core.calendar import parse_date
    from zwgk_desktop.ops.objections import add_objection

    row = ctx.run(add_objection, args.id, received_on=parse_date(args.date, "受理日期"), content=args.content,
                  from_name=args.from_name, channel=args.channel)
    return {**row.as_json(), "objection_id": row.id, HUMAN_KEY: f"已登记异议 {row.id}。"}


def run_objection_resolve(args, ctx):
    from zwgk_desktop.core.calendar import parse_date
    from zwgk_desktop.ops.objections import resolve_objection

    result = ctx.run(resolve_objection, args.objection_id, handling=args.handling, result=args.result,
                     closed_on=parse_date(args.date, "办结日期"), changes_list=args.changes_list)
    return {**result.as_json(), HUMAN_KEY: result.message}


def run_objection_list(args, ctx):
    from zwgk_desktop.ops.objections import list_objections

    rows = ctx.run(list_objections, args.id)
    return {"objections": [r.as_json() for r in rows],
            HUMAN_KEY: "\n".join(f"{r.id[:8]} 第{r.version}版 {r.received_on} {r.from_name} {r.status_label} {r.content}"
                                  for r in rows) or "（暂无异议）"}


# --- users -----------------------------------------------------------------------------


def run_user_add(args, ctx):
    from zwgk_desktop.commands.setup import split_names
    from zwgk_desktop.ops.users import add_user

    row = ctx.run(add_user, args.username, _password(args), args.role, display_name=args.name,
                  villages=split_names(args.villages))
    return {**row.as_json(), HUMAN_KEY: f"已添加用户 {row.username}（{row.role_label}）。"}


def run_user_reset(args, ctx):
    from zwgk_desktop.ops.users import reset_password

    row = ctx.run(reset_password, args.username, _password(args))
    return {**row.as_json(), HUMAN_KEY: f"已重置用户 {row.username} 的密码并解除锁定。"}


def run_user_list(args, ctx):
    from zwgk_desktop.ops.users import list_users

    rows = ctx.run(list_users)
    return {"users": [r.as_json() for r in rows],
            HUMAN_KEY: "\n".join(f"{r.username:<12} {r.role_label:<5} {r.display_name} {'、'.join(r.village_names)}" for r in rows) or "（暂无用户）"}


# --- audit and to-do -----------------------------------------------------------------------


def run_todo(args, ctx):
    from zwgk_desktop.ops.todo import todo

    result = ctx.run(todo, today=_date(args.today, "日期"))
    data = result.as_json()
    data[HUMAN_KEY] = "\n".join(f"[{i.kind_label}] {i.title}：{i.detail}" for i in result.items) or "今日没有待办事项。"
    return data
