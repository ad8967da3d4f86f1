"""The public verification page `GET /v/{code}`: what a villager's phone opens from a poster's QR code.

The county learns 核验码 through sync (`verification_code` records) and
answers from its own copy: the notice's title, township, version, 公示期
(the same wording as the poster: `core.periods.poster_period_line`, from the
synced posting dates and the county's rule, or the period printed on a
poster not yet posted), the 核验码, the board it was printed for, and
"此公示为真实有效版本" or "此版本已被第N版更正" / "此公示已撤回". An unknown
or malformed code gets a 404 page in Chinese saying what to do. No personal
data: the page never shows line items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from sqlalchemy import select

from zwgk_desktop.core.periods import NoticePeriod, poster_period_line
from zwgk_desktop.core.status import Status
from zwgk_desktop.core.verification import STATE_LABELS, display_code, normalise_code
from zwgk_desktop.county.store import CountyStore, CountyTownship, Record

CODE_ENTITY = "verification_code"

VERIFY_CSS = """
.verify{max-width:640px;margin:0 auto}
.verdict{border-radius:10px;padding:18px 22px;margin:8px 0 18px;font-size:20px;font-weight:700}
.verdict.ok{background:#dcfce7;color:#14532d;border:2px solid #16a34a}
.verdict.bad{background:#fee2e2;color:#7f1d1d;border:2px solid #dc2626}
.facts{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:6px 18px}
.facts dt{color:#6b7280;font-size:13px;margin-top:10px}.facts dd{margin:2px 0 8px;font-size:16px}
.code{font-family:monospace;font-size:18px;letter-spacing:2px}
"""


@dataclass(frozen=True)
class CountyVerification:
    code: str
    title: str
    township: str
    version: int | None
    period_text: str
    state_label: str
    genuine: bool
    board: str


def find_code(store: CountyStore, code: str) -> CountyVerification | None:
    """The county's answer for a normalised code, or None when no township reported it."""
    with store.session() as session:
        rows = session.execute(
            select(Record).where(Record.entity == CODE_ENTITY, Record.deleted.is_(False),
                                 Record.data["code"].as_string() == code)
        ).scalars().all()
        row = next((r for r in rows if (r.data or {}).get("code") == code), None)
        if row is None:
            return None
        data = row.data
        notice = _record(session, row.township_id, "disclosure", data.get("disclosure_id"))
        if notice is None:
            return None
        township = session.get(CountyTownship, row.township_id)
        newer = [r.data for r in session.execute(
            select(Record).where(Record.township_id == row.township_id, Record.entity == "disclosure",
                                 Record.deleted.is_(False))
        ).scalars() if (r.data or {}).get("replaces_id") == notice.get("id")]
        board = _record(session, row.township_id, "notice_board", data.get("board_id")) if data.get("board_id") else None
        printed = _printed_period(session, row.township_id, notice.get("id"))
    version = data.get("version") or notice.get("version")
    if newer:
        label, genuine = f"此版本已被第{newer[0].get('version')}版更正", False
    elif notice.get("status") == Status.WITHDRAWN:
        label, genuine = STATE_LABELS["withdrawn"], False
    else:
        label, genuine = STATE_LABELS["current"], True
    return CountyVerification(
        code=code, title=str(notice.get("title", "")), township=township.name if township else "",
        version=version, period_text=_period_text(store, notice, printed), state_label=label, genuine=genuine,
        board=str((board or {}).get("name") or data.get("village_name") or ""),
    )


def _record(session, township_id: str, entity: str, entity_id) -> dict | None:
    if not entity_id:
        return None
    row = session.execute(
        select(Record).where(Record.entity == entity, Record.entity_id == str(entity_id),
                             Record.township_id == township_id, Record.deleted.is_(False))
    ).scalar_one_or_none()
    return row.data if row is not None else None


def _printed_period(session, township_id: str, disclosure_id) -> dict | None:
    """The 公示期 the latest synced print of the notice carried (a poster printed before posting)."""
    rows = session.execute(
        select(Record).where(Record.township_id == township_id, Record.entity == "printed_version",
                             Record.deleted.is_(False))
    ).scalars()
    printed = [r.data for r in rows if (r.data or {}).get("disclosure_id") == disclosure_id and (r.data or {}).get("period")]
    printed.sort(key=lambda d: str(d.get("created_at", "")))
    return printed[-1]["period"] if printed else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _period_text(store: CountyStore, notice: dict, printed: dict | None) -> str:
    """The poster's 公示期 line: from the posting dates and the county's rule once posted, else as printed."""
    from zwgk_desktop.county.compliance import county_rules

    start, end = _date(notice.get("period_start")), _date(notice.get("period_end"))
    if start is not None and end is not None:
        rules = county_rules(store)
        entry = rules.entries.get(notice.get("category"))
        if entry is not None:
            try:
                period = NoticePeriod.from_result(rules.calendar.period_end(start, entry.rule))
                if period.end != end:  # a correction that kept the remaining days of the version it corrects
                    first = period.first_day
                    days = [first + timedelta(days=i) for i in range(max((end - first).days + 1, 0))]
                    counted = len(days) if period.unit != "working" else sum(map(rules.calendar.is_workday, days))
                    period = NoticePeriod(start, first, end, counted, period.unit, period.duration,
                                          period.start_day_counts, "", continued=True)
                return poster_period_line(period)
            except Exception:  # a rule or date the calendar cannot handle: show the dates only
                pass
        return f"公示期：{start.isoformat()} 至 {end.isoformat()}"
    if printed:
        try:
            return poster_period_line(NoticePeriod.from_json(printed)) + "（计划张贴日起算，尚未登记张贴）"
        except (KeyError, TypeError, ValueError):
            return ""
    return ""


def render_verification(store: CountyStore, raw_code: str) -> tuple[int, str]:
    """(HTTP status, page) for `GET /v/{code}`."""
    from zwgk_desktop.county.web import page

    code = normalise_code(raw_code)
    found = find_code(store, code) if code else None
    if found is None:
        shown = escape(display_code(code) if code else raw_code[:40])
        body = (
            f'<div class="verify"><style>{VERIFY_CSS}</style><h2>公示核验</h2>'
            f'<div class="verdict bad">未查到核验码 {shown}</div>'
            '<p>县级平台没有这个核验码的记录。可能是：核验码输入有误（请核对海报二维码下方的 8 位核验码），'
            '乡镇尚未同步到县级平台，或这张海报并非本县乡镇发布。</p>'
            '<p>如有疑问，请拨打海报上的监督举报电话，或到乡镇便民服务中心的信息查阅点核实。</p></div>'
        )
        return 404, page("公示核验：未查到", body)
    facts = [
        ("公示标题", escape(found.title)),
        ("发布乡镇", escape(found.township)),
        ("版本", f"第{found.version}版" if found.version else "—"),
        ("公示期", escape(found.period_text.removeprefix("公示期：")) or "—"),
        ("核验码", f'<span class="code">{escape(display_code(found.code))}</span>'),
    ]
    if found.board:
        facts.append(("张贴位置", escape(found.board)))
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    tone = "ok" if found.genuine else "bad"
    mark = "✔ " if found.genuine else "✖ "
    advice = "" if found.genuine else (
        "<p>公告栏上张贴的如是此版本，说明海报已过时，请以最新版本为准，并可向乡镇反映及时撤换。</p>")
    body = (
        f'<div class="verify"><style>{VERIFY_CSS}</style><h2>公示核验</h2>'
        f'<div class="verdict {tone}">{mark}{escape(found.state_label)}</div>'
        f'<dl class="facts">{items}</dl>{advice}</div>'
    )
    return 200, page(f"公示核验：{found.title}", body)
