"""Commands `disclosure list` and `disclosure show`."""

from __future__ import annotations

from dataclasses import asdict

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    disclosure = sub.add_parser("disclosure", help="公示列表与详情")
    dsub = disclosure.add_subparsers(dest="disclosure_command", required=True, metavar="ACTION")
    lst = json_flag(dsub.add_parser("list", help="列出公示"))
    lst.add_argument("--status", help="按状态筛选（draft, pending_review, approved, publishing, expired, archived, withdrawn）")
    lst.add_argument("--category", help="按类别筛选")
    lst.add_argument("--search", help="按标题或姓名搜索")
    lst.set_defaults(handler=run_list)
    show = json_flag(dsub.add_parser("show", help="显示一条公示"))
    show.add_argument("id", help="公示编号（可用前6位以上）")
    show.add_argument("--items", type=int, default=20, help="显示的明细条数")
    show.set_defaults(handler=run_show)


def run_list(args, ctx) -> dict:
    from zwgk_desktop.core.catalogue import get_entry
    from zwgk_desktop.core.disclosures import list_disclosures

    if args.category:
        get_entry(args.category)
    with ctx.database().session() as session:
        rows = list_disclosures(session, status=args.status, category=args.category, search=args.search)
    lines = [f"{r.id[:8]}  {r.status_label:<4} {r.category_name:<6} {r.items:>5}条  {r.title}" for r in rows]
    return {"disclosures": [r.as_json() for r in rows], HUMAN_KEY: "\n".join(lines) or "（暂无公示）"}


def run_show(args, ctx) -> dict:
    from zwgk_desktop.core.disclosures import item_page, show_disclosure
    from zwgk_desktop.core.privacy import mask_id_number

    with ctx.database().session() as session:
        detail = show_disclosure(session, args.id)
        items = item_page(session, detail.id, 0, max(0, args.items))
    result = asdict(detail)
    result["items_preview"] = [
        {**asdict(i), "id_number": mask_id_number(i.id_number) if i.id_number else ""} for i in items
    ]
    result["items"] = detail.items
    return result
