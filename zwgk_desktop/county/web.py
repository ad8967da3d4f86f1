"""The read-only HTML page for county staff: townships, their notices and compliance problems.

Compliance checks (notice level, no personal data shown): a posting with no
photo evidence, and a posting taken down (or planned to end) before the
category's 公示期 rule allows. Pure functions over the county store; the
page is plain server-rendered HTML, every value escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from sqlalchemy import select

from zwgk_desktop.county.service import county_stats
from zwgk_desktop.county.store import CountyStore, CountyTownship, Record

STATUS_LABELS = {
    "draft": "草稿", "pending_review": "待审核", "approved": "已审核", "publishing": "公示中",
    "expired": "期满", "archived": "已归档", "withdrawn": "已撤回",
}


@dataclass
class NoticeCompliance:
    id: str
    title: str
    category: str
    status: str
    items: int
    postings: int
    problems: list[str] = field(default_factory=list)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def rule_end(category: str, posted_on: date) -> date | None:
    """The earliest allowed end of a posting under the category's catalogue rule (None if unknown)."""
    from zwgk_desktop.core import calendar
    from zwgk_desktop.core.catalogue import load_catalogue

    entry = load_catalogue().get(category)
    if entry is None:
        return None
    try:
        return calendar.default_calendar().period_end(posted_on, entry.rule).end
    except Exception:  # a rule or date the calendar cannot handle: no verdict rather than a wrong one
        return None


def township_compliance(store: CountyStore, township_id: str) -> list[NoticeCompliance]:
    with store.session() as session:
        rows = session.execute(
            select(Record.entity, Record.entity_id, Record.data, Record.item_count).where(
                Record.township_id == township_id, Record.deleted.is_(False),
                Record.entity.in_(("disclosure", "disclosure_items", "posting", "photo")),
            )
        ).all()
    notices, items, postings, photo_postings = {}, {}, [], set()
    for entity, entity_id, data, item_count in rows:
        if entity == "disclosure":
            notices[entity_id] = data
        elif entity == "disclosure_items":
            items[entity_id] = item_count
        elif entity == "posting":
            postings.append(data)
        elif data.get("posting_id"):
            photo_postings.add(data["posting_id"])
    result = {
        nid: NoticeCompliance(nid, d.get("title", ""), d.get("category", ""), d.get("status", ""), items.get(nid, 0), 0)
        for nid, d in notices.items()
    }
    for posting in postings:
        notice = result.get(posting.get("disclosure_id"))
        if notice is None:
            continue
        notice.postings += 1
        posted = _date(posting.get("posted_on"))
        if posting.get("id") not in photo_postings:
            notice.problems.append(f"{posting.get('posted_on', '')} 张贴无照片留档")
        ended = _date(posting.get("removed_on")) or _date(posting.get("planned_end"))
        needed = rule_end(notice.category, posted) if posted else None
        if ended and needed and ended < needed:
            notice.problems.append(f"公示期不足：{posted} 至 {ended}，规则要求至少到 {needed}")
    return sorted(result.values(), key=lambda n: (not n.problems, n.title))


PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;
padding:4px 8px}}th{{background:#eee}}.bad{{color:#b00}}</style></head><body>{body}</body></html>"""


def render_index(store: CountyStore) -> str:
    stats = county_stats(store)["townships"]
    with store.session() as session:
        ids = dict(session.execute(select(CountyTownship.name, CountyTownship.id)).all())
    rows = []
    for t in stats:
        problems = sum(1 for n in township_compliance(store, ids[t["name"]]) if n.problems)
        rows.append(
            f"<tr><td><a href=\"/townships/{escape(ids[t['name']])}\">{escape(t['name'])}</a></td>"
            f"<td>{t['disclosures']}</td><td>{t['items']}</td><td>{t['postings']}</td><td>{t['photos']}</td>"
            f"<td>{t['blobs_bytes'] // 1024} KB</td><td class=\"{'bad' if problems else ''}\">{problems}</td></tr>"
        )
    body = (
        "<h1>乡镇政务公开数据汇总（只读）</h1><table><tr><th>乡镇</th><th>公示</th><th>明细条数</th><th>张贴</th>"
        "<th>照片</th><th>已收文件</th><th>有问题的公示</th></tr>" + "".join(rows) + "</table>"
    )
    if not rows:
        body += "<p>尚无乡镇上报数据。</p>"
    return PAGE.format(title="县级政务公开汇总", body=body)


def render_township(store: CountyStore, township_id: str) -> str:
    with store.session() as session:
        township = session.get(CountyTownship, township_id)
    if township is None:
        return PAGE.format(title="未找到", body="<p>没有这个乡镇。<a href=\"/\">返回</a></p>")
    rows = []
    for n in township_compliance(store, township_id):
        problems = "<br>".join(escape(p) for p in n.problems) or "—"
        rows.append(
            f"<tr><td>{escape(n.title)}</td><td>{escape(n.category)}</td>"
            f"<td>{escape(STATUS_LABELS.get(n.status, n.status))}</td><td>{n.items}</td><td>{n.postings}</td>"
            f"<td class=\"{'bad' if n.problems else ''}\">{problems}</td></tr>"
        )
    body = (
        f"<p><a href=\"/\">← 全部乡镇</a></p><h1>{escape(township.name)}：公示与合规检查</h1>"
        "<table><tr><th>标题</th><th>类别</th><th>状态</th><th>明细</th><th>张贴</th><th>问题</th></tr>"
        + "".join(rows) + "</table>"
    )
    return PAGE.format(title=escape(township.name), body=body)
