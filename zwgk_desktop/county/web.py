"""The read-only HTML pages for county staff: every township at a glance, each township's notices and findings.

`render_index` shows county-wide totals, one row per township (notices,
postings, photo-evidence rate, findings by kind, last report) and the list
of findings to follow up; `render_township` shows one township's notices
with their 公示期, postings, photo evidence and the findings of
`county.compliance`, and the witness the county keeps of its audit chain
(with any report that went backwards). The index also lists the enrolled
devices, each with a revoke form that only works with the county's admin
key. Plain server-rendered HTML with inline CSS (works offline, prints
well), every value escaped; no personal data is shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape

from zwgk_desktop.county.compliance import (
    FINDING_LABELS, NO_PHOTO, NO_POSTING, OPEN_OBJECTION, SHORT_PERIOD, NoticeCheck, TownshipCheck, check_county,
    check_township, short_date,
)
from zwgk_desktop.county.service import county_stats, list_devices, witness_state
from zwgk_desktop.county.store import CountyStore

MAX_FINDINGS_ON_INDEX = 100
BEIJING = timezone(timedelta(hours=8), "北京时间")  # stored times are UTC; county staff read Beijing time
LOCAL_TZ_NOTE = "（北京时间）"

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f3f5f8;color:#1f2937;font:14px/1.6 "Microsoft YaHei","PingFang SC","Noto Sans CJK SC",
"WenQuanYi Micro Hei","Source Han Sans SC",sans-serif}
a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}
header{background:#9f1d20;color:#fff;border-bottom:4px solid #d4a017}
header .wrap{display:flex;align-items:baseline;justify-content:space-between;padding:14px 28px}
header h1{margin:0;font-size:22px;letter-spacing:2px;font-weight:700}
header .meta{font-size:13px;opacity:.9}
.wrap{max-width:1320px;margin:0 auto;padding:0 28px}
main.wrap{padding:24px 28px 40px}
td.nw{white-space:nowrap}
.crumb{margin:0 0 12px;font-size:13px;color:#6b7280}
h2{font-size:17px;margin:26px 0 10px;padding-left:10px;border-left:4px solid #9f1d20}
h2 small{font-weight:400;color:#6b7280;font-size:13px;margin-left:8px}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:14px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 18px}
.card .n{font-size:26px;font-weight:700;color:#111827}
.card .l{font-size:13px;color:#6b7280}
.card.warn .n{color:#b91c1c}.card.ok .n{color:#15803d}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #e5e7eb;border-radius:8px;overflow:hidden}
th{background:#f9fafb;color:#374151;font-weight:600;text-align:left;padding:9px 12px;border-bottom:1px solid #e5e7eb;
white-space:nowrap;font-size:13px}
td{padding:9px 12px;border-bottom:1px solid #f0f1f3;vertical-align:top}
tr:last-child td{border-bottom:none}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.muted{color:#9ca3af}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;white-space:nowrap;margin:1px 4px 1px 0}
.b-ok{background:#dcfce7;color:#166534}.b-bad{background:#fee2e2;color:#991b1b}.b-warn{background:#fef3c7;color:#92400e}
.b-info{background:#e0e7ff;color:#3730a3}.b-gray{background:#f3f4f6;color:#4b5563}
.bar{display:inline-block;width:70px;height:8px;background:#f3f4f6;border-radius:4px;vertical-align:middle;margin-right:6px}
.bar i{display:block;height:8px;border-radius:4px;background:#16a34a}
.bar.low i{background:#dc2626}.bar.mid i{background:#d97706}
.finding{margin:2px 0}.finding .t{color:#4b5563}
.sub{color:#6b7280;font-size:12px}
.empty{background:#fff;border:1px dashed #d1d5db;border-radius:8px;padding:28px;text-align:center;color:#6b7280}
.legend{font-size:12px;color:#6b7280;margin-top:8px}
footer{color:#9ca3af;font-size:12px;text-align:center;padding:10px 0 30px}
form.revoke{margin:0;white-space:nowrap}form.revoke input{width:110px;padding:2px 6px}
.okbox{background:#dcfce7;color:#166534;border-radius:6px;padding:8px 12px}
@media print{header{background:#fff;color:#000;border-bottom:2px solid #000}body{background:#fff}}
"""

FINDING_BADGE = {NO_PHOTO: "b-warn", SHORT_PERIOD: "b-bad", NO_POSTING: "b-bad", OPEN_OBJECTION: "b-info"}
STATUS_BADGE = {"publishing": "b-info", "expired": "b-gray", "archived": "b-gray", "approved": "b-ok"}


def page(title: str, body: str) -> str:
    now = datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M")
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body>"
        f'<header><div class="wrap"><h1>县级政务公开 · 乡镇公示栏监测</h1>'
        f'<div class="meta">只读页面 · 数据来自各乡镇同步 · 生成于 {now}（北京时间）</div></div></header>'
        f'<main class="wrap">{body}</main>'
        f"<footer>乡镇公示栏政务公开系统 · 县级汇总页（不显示个人信息）</footer></body></html>"
    )


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def photo_rate(with_photo: int, total: int) -> str:
    if not total:
        return '<span class="sub">无张贴</span>'
    percent = round(100 * with_photo / total)
    level = "low" if percent < 60 else "mid" if percent < 90 else ""
    return (f'<span class="bar {level}"><i style="width:{percent}%"></i></span>'
            f"{percent}%<span class=\"sub\">（{with_photo}/{total}）</span>")


def count_cell(n: int, kind: str) -> str:
    if not n:
        return '<td class="num muted">0</td>'
    return f'<td class="num"><span class="badge {FINDING_BADGE[kind]}">{n}</span></td>'


def card(number, label: str, tone: str = "") -> str:
    return f'<div class="card {tone}"><div class="n">{number}</div><div class="l">{escape(label)}</div></div>'


def when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.replace(tzinfo=timezone.utc).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


# --- index ----------------------------------------------------------------------------------


def render_index(store: CountyStore, revoked: str | None = None) -> str:
    checks = check_county(store)
    stats = {t["name"]: t for t in county_stats(store)["townships"]}
    devices = devices_section(list_devices(store), revoked)
    if not checks:
        body = ('<div class="empty">尚无乡镇上报数据。<br>在县里执行 <code>zwgk county enroll --township 乡镇名</code> 发放注册码，'
                "乡镇在桌面程序中注册并同步后，数据会显示在这里。</div>")
        return page("县级政务公开汇总", body + devices)
    body = (index_cards(checks) + "<h2>各乡镇情况</h2>" + township_table(checks, stats) + findings_section(checks)
            + requests_index_section(store) + devices)
    return page("县级政务公开汇总", body)


def devices_section(devices: list[dict], revoked: str | None = None) -> str:
    """Enrolled devices; each active one has a revoke form that needs the admin key (zwgk county admin-key)."""
    if not devices:
        return ""
    rows = []
    for d in devices:
        if d["revoked"]:
            state, action = '<span class="badge b-gray">已撤销</span>', '<span class="sub">—</span>'
        else:
            state = ('<span class="badge b-warn">令牌已过期</span>' if d.get("expired")
                     else '<span class="badge b-ok">正常</span>')
            action = (f'<form method="post" action="/devices/{escape(d["device_id"])}/revoke" class="revoke">'
                      '<input type="password" name="admin_key" placeholder="管理密钥" required autocomplete="off"> '
                      '<button type="submit">撤销</button></form>')
        seen = d["last_seen_at"]
        last = when(datetime.fromisoformat(seen[:-1])) if seen else "—"
        rows.append(f'<tr><td class="nw">{escape(d["township"])}</td><td>{escape(d["name"] or "—")}</td>'
                    f'<td class="sub">{escape(d["device_id"][:8])}</td><td class="nw">{last}</td><td>{state}</td>'
                    f"<td>{action}</td></tr>")
    note = (f'<p class="okbox">已撤销设备 {escape(revoked[:8])}：它的同步请求将被拒绝。</p>' if revoked else "")
    return ("<h2>已注册设备<small>撤销后该设备无法再同步；需输入管理密钥（在服务器上运行 zwgk county admin-key 查看）</small></h2>"
            + note + '<table><tr><th>乡镇</th><th>设备名称</th><th>编号</th><th>最近同步' + LOCAL_TZ_NOTE
            + "</th><th>状态</th><th>操作</th></tr>" + "".join(rows) + "</table>")


def index_cards(checks: list[TownshipCheck]) -> str:
    notices = sum(len(c.notices) for c in checks)
    postings = sum(c.postings for c in checks)
    photos = sum(c.postings_with_photo for c in checks)
    flagged = sum(c.notices_with_findings for c in checks)
    rate = f"{round(100 * photos / postings)}%" if postings else "—"
    return '<section class="cards">' + "".join([
        card(len(checks), "已接入乡镇"),
        card(notices, "公示（公告）"),
        card(postings, "张贴记录"),
        card(rate, "张贴照片留档率", "ok" if postings and photos == postings else "warn" if postings else ""),
        card(flagged, "需核查的公示", "warn" if flagged else "ok"),
    ]) + "</section>"


def township_table(checks: list[TownshipCheck], stats: dict) -> str:
    head = ('<table><tr><th>乡镇</th><th class="num">公示</th><th class="num">明细条数</th><th class="num">张贴</th>'
            '<th>照片留档</th><th class="num">无照片留档</th><th class="num">公示期不足</th><th class="num">其他问题</th>'
            '<th class="num">已收文件</th><th>最近上报' + LOCAL_TZ_NOTE + "</th></tr>")
    rows = []
    for c in checks:
        s = stats.get(c.name, {})
        missing = s.get("blobs_missing", 0)
        files = f"{s.get('blobs_bytes', 0) / 1024 / 1024:.1f} MB"
        if missing:
            files += f'<br><span class="badge b-warn">缺 {missing} 个</span>'
        others = c.count(NO_POSTING) + c.count(OPEN_OBJECTION)
        rows.append(
            f'<tr><td class="nw"><a href="/townships/{escape(c.id)}"><b>{escape(c.name)}</b></a></td>'
            f'<td class="num">{len(c.notices)}</td><td class="num">{s.get("items", 0):,}</td>'
            f'<td class="num">{c.postings}</td><td>{photo_rate(c.postings_with_photo, c.postings)}</td>'
            f"{count_cell(c.count(NO_PHOTO), NO_PHOTO)}{count_cell(c.count(SHORT_PERIOD), SHORT_PERIOD)}"
            f"{count_cell(others, NO_POSTING)}<td class=\"num\">{files}</td><td>{when(c.last_received)}</td></tr>"
        )
    return head + "".join(rows) + "</table>"


def findings_section(checks: list[TownshipCheck]) -> str:
    rows = []
    total = 0
    for c in checks:
        for n in c.notices:
            for f in n.findings:
                total += 1
                if len(rows) < MAX_FINDINGS_ON_INDEX:
                    rows.append(
                        f'<tr><td class="nw"><a href="/townships/{escape(c.id)}">{escape(c.name)}</a></td>'
                        f'<td>{escape(n.title)}</td><td class="nw">{escape(n.category_name)}</td>'
                        f'<td><span class="badge {FINDING_BADGE.get(f.kind, "b-gray")}">{escape(f.label)}</span></td>'
                        f'<td class="t">{escape(f.text)}</td></tr>'
                    )
    if not total:
        return '<h2>待核查的问题</h2><div class="empty">未发现问题：所有张贴均有照片留档，公示期符合规则。</div>'
    more = f"，此处显示前 {MAX_FINDINGS_ON_INDEX} 条，其余请进入乡镇页面查看" if total > MAX_FINDINGS_ON_INDEX else ""
    return (f"<h2>待核查的问题<small>共 {total} 条{more}</small></h2>"
            "<table><tr><th>乡镇</th><th>公示</th><th>类别</th><th>问题</th><th>说明</th></tr>"
            + "".join(rows) + "</table>" + legend())


def legend() -> str:
    return ('<p class="legend">检查规则：每处张贴都应有张贴时拍摄的照片留档；张贴时间不得短于该类别的公示期'
            "（按县里发布的标准目录和节假日安排计算）；公示中、期满或已归档的公示应有张贴记录；"
            "期满或归档前异议应已办结。</p>")


# --- one township -----------------------------------------------------------------------------


def render_township(store: CountyStore, township_id: str) -> str:
    check = check_township(store, township_id)
    if check is None:
        return page("未找到", '<div class="empty">没有这个乡镇。<a href="/">返回全部乡镇</a></div>')
    body = (
        f'<p class="crumb"><a href="/">全部乡镇</a> › {escape(check.name)}</p>'
        + township_cards(check)
        + f"<h2>{escape(check.name)}的公示<small>最近上报 {when(check.last_received)}{LOCAL_TZ_NOTE}；"
          "有问题的排在前面</small></h2>"
        + notices_table(check.notices) + legend()
        + witness_section(store, township_id)
        + requests_township_section(store, check.id)
    )
    return page(f"{check.name} · 公示与合规检查", body)


def witness_section(store: CountyStore, township_id: str) -> str:
    """The county's witness of the township's audit chain and any report that went backwards."""
    with store.session() as session:
        best, problems = witness_state(session, township_id)
        best = (best.seq, best.received_at) if best else None
        problems = [(w.received_at, w.problem) for w in problems]
    if best is None:
        text = '<div class="empty">该乡镇尚未报送审计日志链头（升级到新版本并同步后报送）。</div>'
    else:
        text = (f'<p>县级见证到该乡镇审计日志第 <b>{best[0]:,}</b> 条（{when(best[1])}）。乡镇核验审计日志时会与此核对，'
                "日志被截短或改写都能发现。</p>")
    if problems:
        text += "".join(f'<div class="finding"><span class="badge b-bad">审计日志异常</span>'
                        f'<span class="t">{when(at)}：{escape(problem)}</span></div>' for at, problem in problems)
    return "<h2>审计日志见证</h2>" + text


def township_cards(check: TownshipCheck) -> str:
    return '<section class="cards">' + "".join([
        card(len(check.notices), "公示（公告）"),
        card(check.postings, "张贴记录"),
        card(f"{check.postings_with_photo}/{check.postings}", "有照片留档的张贴",
             "ok" if check.postings_with_photo == check.postings else "warn"),
        card(check.count(SHORT_PERIOD), "公示期不足", "warn" if check.count(SHORT_PERIOD) else "ok"),
        card(check.notices_with_findings, "需核查的公示", "warn" if check.notices_with_findings else "ok"),
    ]) + "</section>"


def notices_table(notices: list[NoticeCheck]) -> str:
    if not notices:
        return '<div class="empty">该乡镇尚未上报公示。</div>'
    head = ('<table><tr><th>公示标题</th><th>类别</th><th>状态</th><th>公示期</th><th class="num">明细</th>'
            '<th class="num">金额（元）</th><th>张贴 / 照片</th><th>检查结果</th></tr>')
    return head + "".join(notice_row(n) for n in notices) + "</table>"


def notice_row(n: NoticeCheck) -> str:
    period = (f"{short_date(n.period_start)} 至 {short_date(n.period_end)}" if n.period_start else
              '<span class="sub">—</span>')
    if n.findings:
        result = "".join(
            f'<div class="finding"><span class="badge {FINDING_BADGE.get(f.kind, "b-gray")}">{escape(f.label)}</span>'
            f'<span class="t">{escape(f.text)}</span></div>'
            for f in n.findings
        )
    else:
        result = '<span class="badge b-ok">符合要求</span>'
    amount = yuan(n.total_fen) if n.total_fen else "—"
    postings = f"{n.postings} 处 / {n.postings_with_photo} 处有照片" if n.postings else '<span class="sub">—</span>'
    return (
        f'<tr><td>{escape(n.title)}</td><td class="nw">{escape(n.category_name)}</td>'
        f'<td><span class="badge {STATUS_BADGE.get(n.status, "b-gray")}">{escape(n.status_label)}</span></td>'
        f'<td style="white-space:nowrap">{period}</td><td class="num">{n.items}</td><td class="num">{amount}</td>'
        f'<td style="white-space:nowrap">{postings}</td><td>{result}</td></tr>'
    )


# --- 依申请公开 ------------------------------------------------------------------------------------


def requests_index_section(store: CountyStore) -> str:
    """Every township's 依申请公开 at a glance: requests, open, overdue, the latest yearly table's check."""
    from zwgk_desktop.county.compliance import county_requests

    checks = [c for c in county_requests(store) if c.total or c.annual]
    if not checks:
        return ""
    rows = []
    for c in checks:
        latest = c.annual[0] if c.annual else None
        if latest is None:
            annual = '<span class="sub">未上报</span>'
        elif latest.ok:
            annual = f'{latest.year}年 <span class="badge b-ok">核对通过</span>'
        else:
            annual = f'{latest.year}年 <span class="badge b-bad">核对不通过</span>'
        overdue = len(c.overdue)
        rows.append(
            f'<tr><td class="nw"><a href="/townships/{escape(c.township_id)}">{escape(c.name)}</a></td>'
            f'<td class="num">{c.total}</td><td class="num">{c.open}</td>'
            + (f'<td class="num"><span class="badge b-bad">{overdue}</span></td>' if overdue else '<td class="num muted">0</td>')
            + f"<td>{annual}</td></tr>"
        )
    return ("<h2>依申请公开<small>答复期限按条例第三十三条（20个工作日，可延长一次）</small></h2>"
            '<table><tr><th>乡镇</th><th class="num">申请</th><th class="num">办理中</th><th class="num">逾期未答复</th>'
            "<th>最近年度报告表三</th></tr>" + "".join(rows) + "</table>")


def requests_township_section(store: CountyStore, township_id: str) -> str:
    """One township's overdue or late-answered requests and its yearly tables with the cross-check result."""
    from zwgk_desktop.county.compliance import check_requests

    check = check_requests(store, township_id)
    if check is None or (not check.total and not check.annual):
        return '<h2>依申请公开</h2><div class="empty">该乡镇尚未上报政府信息公开申请登记。</div>'
    html = [f"<h2>依申请公开<small>共 {check.total} 件申请，办理中 {check.open} 件（不显示申请人信息）</small></h2>"]
    if check.findings:
        html.append('<table><tr><th>登记号</th><th>问题</th><th>说明</th></tr>')
        for f in check.findings:
            badge = '<span class="badge b-bad">逾期未答复</span>' if f.kind == "overdue" else (
                '<span class="badge b-warn">逾期答复</span>')
            html.append(f'<tr><td class="nw">{escape(f.number)}</td><td>{badge}</td><td class="t">{escape(f.text)}</td></tr>')
        html.append("</table>")
    else:
        html.append('<div class="empty">没有逾期未答复或逾期答复的申请。</div>')
    for annual in check.annual:
        html.append(annual_table_html(annual))
    return "".join(html)


def annual_table_html(annual) -> str:
    from zwgk_desktop.county.compliance import REQUEST_TYPE_COLUMNS

    labels = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
    if annual.ok:
        verdict = '<span class="badge b-ok">核对通过</span>'
    else:
        reasons = list(annual.problems) or ["乡镇导出时核对未通过"]
        verdict = '<span class="badge b-bad">核对不通过</span>' + "".join(
            f'<div class="finding"><span class="t">{escape(p)}</span></div>' for p in reasons)
    head = "".join(f'<th class="num">{label}</th>' for label in labels)
    body = []
    for row, values in annual.table3.items():
        if not isinstance(values, dict):
            continue
        cells = "".join(f'<td class="num">{int(values.get(c, 0) or 0)}</td>' for c in (*REQUEST_TYPE_COLUMNS, "total"))
        body.append(f"<tr><td>{escape(str(values.get('label', row)))}</td>{cells}</tr>")
    return (f"<h2>{annual.year}年度报告 表三 收到和处理政府信息公开申请情况<small>上报于 {escape(annual.generated_at)}</small></h2>"
            f"<p>{verdict}</p><table><tr><th>项目</th>{head}</tr>" + "".join(body) + "</table>")


__all__ = ["render_index", "render_township", "FINDING_LABELS"]
