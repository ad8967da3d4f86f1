"""Commands `notice list|show` and their contract alias `disclosure list|show` (same handlers, same JSON)."""

from __future__ import annotations

from dataclasses import asdict

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    disclosure = sub.add_parser("disclosure", help="公示列表与详情（同 notice list/show）")
    dsub = disclosure.add_subparsers(dest="disclosure_command", required=True, metavar="ACTION")
    register_list_show(dsub)


def register_list_show(dsub) -> None:
    """`list` and `show` under a group (`notice` and its alias `disclosure`)."""
    lst = json_flag(dsub.add_parser("list", help="列出公示"))
    lst.add_argument("--status", help="按状态筛选（draft, pending_review, approved, publishing, expired, archived, withdrawn）")
    lst.add_argument("--category", help="按类别筛选")
    lst.add_argument("--search", help="按标题或姓名搜索")
    lst.add_argument("--as", dest="as_user", default="", help="以该用户身份查看（村级用户只看本村）")
    lst.set_defaults(handler=run_list)
    show = json_flag(dsub.add_parser("show", help="显示一条公示"))
    show.add_argument("id", help="公示编号（可用前6位以上）")
    show.add_argument("--items", type=int, default=20, help="显示的明细条数")
    show.add_argument("--as", dest="as_user", default="", help="以该用户身份查看")
    show.set_defaults(handler=run_show)


def run_list(args, ctx) -> dict:
    from zwgk_desktop.ops.notices import list_notices

    rows = ctx.run(list_notices, status=args.status, category=args.category, search=args.search)
    lines = [f"{r.id[:8]}  {r.status_label:<4} {r.category_name:<6} {r.items:>5}条  {r.title}"
             + (f"  {r.period_text}" if r.period_text else "") for r in rows]
    return {"disclosures": [r.as_json() for r in rows], HUMAN_KEY: "\n".join(lines) or "（暂无公示）"}


def run_show(args, ctx) -> dict:
    from zwgk_desktop.core.privacy import mask_id_number
    from zwgk_desktop.ops.notices import show_notice

    shown = ctx.run(show_notice, args.id, items=max(0, args.items))
    detail, items = shown.detail, shown.items
    result = asdict(detail)
    result["items_preview"] = [
        {**asdict(i), "id_number": mask_id_number(i.id_number) if i.id_number else ""} for i in items
    ]
    result["items"] = detail.items
    result["correction"] = shown.correction
    return result
