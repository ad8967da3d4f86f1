"""Commands for the notice lifecycle, objections, users, the audit chain and 今日待办.

- `notice submit|approve|return|post|remove|conclude|archive|withdraw|correct|review ID ...`
  (`disclosure` list/show stays in `commands.disclosures`);
- `objection add|resolve|list`;
- `user add|reset|list`;
- `todo` → today's to-do items.

Every command acts as `--as USERNAME` (an existing user; the CLI is run by
someone with access to the data dir, so no password is asked) or, by
default, as the command-line administrator "cli".
"""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, Finished, json_flag


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
    notice = sub.add_parser("notice", help="公示流转：提交、审核、张贴、办结、归档、撤回、更正")
    nsub = notice.add_subparsers(dest="notice_command", required=True, metavar="ACTION")
    for name, help_text, handler, reason in (
        ("submit", "提交审核", run_submit, False),
        ("approve", "审核通过", run_approve, False),
        ("return", "退回草稿（须填原因）", run_return, True),
        ("archive", "归档", run_archive, False),
        ("withdraw", "撤回（须填原因）", run_withdraw, True),
        ("correct", "更正：生成新版本（须填原因）", run_correct, True),
    ):
        p = _common(nsub.add_parser(name, help=help_text))
        p.add_argument("id", help="公示编号（可用前6位以上）")
        p.add_argument("--reason", required=reason, default="", help="原因/说明")
        p.set_defaults(handler=handler)
    conclude = _common(nsub.add_parser("conclude", help="公示期满办结"))
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
    remove.add_argument("posting_id", help="张贴记录编号")
    remove.add_argument("--date", required=True, help="撤下日期 YYYY-MM-DD")
    remove.set_defaults(handler=run_remove)
    review = _common(nsub.add_parser("review", help="审核摘要：隐私扫描、公示期、公开栏、合计"))
    review.add_argument("id")
    review.set_defaults(handler=run_review)
    postings = _common(nsub.add_parser("postings", help="列出张贴记录"))
    postings.add_argument("id")
    postings.set_defaults(handler=run_postings)


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
    resolve.add_argument("--changes-list", action="store_true", help="结果需要更正名单（将生成更正版本）")
    resolve.set_defaults(handler=run_objection_resolve)
    lst = _common(osub.add_parser("list", help="列出某公示的异议"))
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


def _actor(session, args):
    from zwgk_desktop.core.users import SYSTEM_ACTOR, actor_for, find_user

    name = getattr(args, "as_user", "") or ""
    if not name:
        return SYSTEM_ACTOR
    return actor_for(find_user(session, name))


def _date(text: str | None, what: str):
    from datetime import date

    from zwgk_desktop.core.calendar import parse_date

    return parse_date(text, what) if text else date.today()


def _password(args) -> str:
    import os

    from zwgk_desktop.errors import InvalidInput

    password = args.password or os.environ.get("ZWGK_PASSWORD", "")
    if not password:
        raise InvalidInput("请用 --password 或环境变量 ZWGK_PASSWORD 提供密码。")
    return password


def _session(ctx, args):
    return ctx.database().session(user=getattr(args, "as_user", "") or "cli")


def _transition(args, ctx, fn, *extra) -> dict:
    with _session(ctx, args) as session:
        result = fn(session, _actor(session, args), args.id, *extra)
    data = result.as_json()
    data[HUMAN_KEY] = f"公示 {result.disclosure_id[:8]}：{result.from_status} → {result.status_label}"
    return data


# --- notice ------------------------------------------------------------------------------


def run_submit(args, ctx):
    from zwgk_desktop.core.lifecycle import submit

    return _transition(args, ctx, submit, args.reason)


def run_approve(args, ctx):
    from zwgk_desktop.core.lifecycle import approve

    return _transition(args, ctx, approve, args.reason)


def run_return(args, ctx):
    from zwgk_desktop.core.lifecycle import return_to_draft

    return _transition(args, ctx, return_to_draft, args.reason)


def run_archive(args, ctx):
    from zwgk_desktop.core.lifecycle import archive

    return _transition(args, ctx, archive, args.reason)


def run_withdraw(args, ctx):
    from zwgk_desktop.core.lifecycle import withdraw

    return _transition(args, ctx, withdraw, args.reason)


def run_conclude(args, ctx):
    from zwgk_desktop.core.lifecycle import conclude

    today = _date(args.today, "日期")
    with _session(ctx, args) as session:
        result = conclude(session, _actor(session, args), args.id, today=today, note=args.reason)
    return {**result.as_json(), HUMAN_KEY: f"公示 {result.disclosure_id[:8]} 已办结（期满）。"}


def run_correct(args, ctx):
    from zwgk_desktop.core.lifecycle import correct

    with _session(ctx, args) as session:
        new = correct(session, _actor(session, args), args.id, args.reason)
        data = {"disclosure_id": new.id, "version": new.version, "replaces_id": new.replaces_id, "status": new.status}
    data[HUMAN_KEY] = f"已生成第{data['version']}版更正草稿 {data['disclosure_id']}，原公示已撤回。"
    return data


def _board_ids(session, refs: list[str]) -> list[str]:
    from sqlalchemy import select

    from zwgk_desktop.core.models import NoticeBoard
    from zwgk_desktop.errors import NotFound

    if not refs:
        board = session.execute(select(NoticeBoard).where(NoticeBoard.village_id.is_(None))).scalar()
        if board is None:
            raise NotFound("没有乡镇公开栏，请先运行 zwgk township init。")
        return [board.id]
    ids = []
    for ref in refs:
        board = session.get(NoticeBoard, ref) or session.execute(
            select(NoticeBoard).where((NoticeBoard.name == ref) | NoticeBoard.name.like(f"{ref}%"))
        ).scalar()
        if board is None:
            raise NotFound(f"找不到公开栏“{ref}”。")
        ids.append(board.id)
    return ids


def run_post(args, ctx):
    from zwgk_desktop.core.calendar import calendar_from_session, parse_date
    from zwgk_desktop.core.postings import post_notice

    posted_on = parse_date(args.date, "张贴日期")
    with _session(ctx, args) as session:
        result = post_notice(
            session, _actor(session, args), args.id, _board_ids(session, args.board), posted_on,
            note=args.note, calendar=calendar_from_session(session),
            accept_incomplete_calendar=args.accept_incomplete_calendar,
        )
    data = result.as_json()
    lines = [f"已登记张贴 {len(result.postings)} 处，公示期 {result.period_start} 至 {result.period_end}。", result.explanation]
    lines += [f"警告：{w}" for w in result.warnings]
    data[HUMAN_KEY] = "\n".join(lines)
    return data


def run_remove(args, ctx):
    from zwgk_desktop.core.calendar import parse_date
    from zwgk_desktop.core.postings import record_removal

    removed_on = parse_date(args.date, "撤下日期")
    with _session(ctx, args) as session:
        row = record_removal(session, _actor(session, args), args.posting_id, removed_on)
    return {**row.as_json(), HUMAN_KEY: f"已登记 {row.board_name} 于 {row.removed_on} 撤下。"}


def run_review(args, ctx):
    from zwgk_desktop.core.lifecycle import review_summary

    with _session(ctx, args) as session:
        _actor(session, args).require("view")
        summary = review_summary(session, args.id)
    data = summary.as_json()
    lines = [f"{summary.title}（{summary.status_label}，第{summary.version}版）",
             f"明细 {summary.item_count} 条，金额合计 {summary.total_amount} 元，人数 {summary.total_people}",
             f"公示期：{summary.rule_text}；若今日张贴：{summary.period['explanation']}",
             "公开栏：" + "、".join(b["name"] for b in summary.boards)]
    lines += [f"隐私问题：{f['location']}：{f['message']}" for f in summary.findings] or ["隐私扫描：未发现问题"]
    data[HUMAN_KEY] = "\n".join(lines)
    return data


def run_postings(args, ctx):
    from zwgk_desktop.core.postings import list_postings

    with _session(ctx, args) as session:
        actor = _actor(session, args)
        rows = list_postings(session, args.id, actor)
    return {"postings": [r.as_json() for r in rows],
            HUMAN_KEY: "\n".join(f"{r.id[:8]} {r.board_name} {r.posted_on}→{r.planned_end} 撤下:{r.removed_on or '—'}" for r in rows) or "（暂无张贴）"}


# --- objections --------------------------------------------------------------------------


def run_objection_add(args, ctx):
    from zwgk_desktop.core.calendar import parse_date
    from zwgk_desktop.core.objections import add_objection

    received = parse_date(args.date, "受理日期")
    with _session(ctx, args) as session:
        row = add_objection(session, _actor(session, args), args.id, received_on=received, content=args.content,
                            from_name=args.from_name, channel=args.channel)
    return {**row.as_json(), "objection_id": row.id, HUMAN_KEY: f"已登记异议 {row.id}。"}


def run_objection_resolve(args, ctx):
    from zwgk_desktop.core.calendar import parse_date
    from zwgk_desktop.core.objections import resolve_objection

    closed = parse_date(args.date, "办结日期")
    with _session(ctx, args) as session:
        result = resolve_objection(session, _actor(session, args), args.objection_id, handling=args.handling,
                                   result=args.result, closed_on=closed, changes_list=args.changes_list)
    return {**result.as_json(), HUMAN_KEY: result.message}


def run_objection_list(args, ctx):
    from zwgk_desktop.core.objections import list_objections

    with _session(ctx, args) as session:
        _actor(session, args).require("view")
        rows = list_objections(session, args.id)
    return {"objections": [r.as_json() for r in rows],
            HUMAN_KEY: "\n".join(f"{r.id[:8]} {r.received_on} {r.from_name} {r.status_label} {r.content}" for r in rows) or "（暂无异议）"}


# --- users -----------------------------------------------------------------------------


def run_user_add(args, ctx):
    from zwgk_desktop.commands.setup import split_names
    from zwgk_desktop.core.users import add_user

    with _session(ctx, args) as session:
        row = add_user(session, _actor(session, args), args.username, _password(args), args.role,
                       display_name=args.name, villages=split_names(args.villages))
    return {**row.as_json(), HUMAN_KEY: f"已添加用户 {row.username}（{row.role_label}）。"}


def run_user_reset(args, ctx):
    from zwgk_desktop.core.users import reset_password

    with _session(ctx, args) as session:
        row = reset_password(session, _actor(session, args), args.username, _password(args))
    return {**row.as_json(), HUMAN_KEY: f"已重置用户 {row.username} 的密码并解除锁定。"}


def run_user_list(args, ctx):
    from zwgk_desktop.core.users import list_users

    with ctx.database().session() as session:
        rows = list_users(session)
    return {"users": [r.as_json() for r in rows],
            HUMAN_KEY: "\n".join(f"{r.username:<12} {r.role_label:<5} {r.display_name} {'、'.join(r.village_names)}" for r in rows) or "（暂无用户）"}


# --- audit and to-do -----------------------------------------------------------------------


def run_todo(args, ctx):
    from zwgk_desktop.core.dashboard import todo_items

    today = _date(args.today, "日期")
    with _session(ctx, args) as session:
        items = todo_items(session, _actor(session, args), today=today)
    return {"items": [i.as_json() for i in items],
            HUMAN_KEY: "\n".join(f"[{i.kind_label}] {i.title}：{i.detail}" for i in items) or "今日没有待办事项。"}
