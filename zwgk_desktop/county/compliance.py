"""County compliance checks over what the townships synced (notice level; no personal data is read).

Per notice: each posting without photo evidence (无照片留档), each posting
removed — or planned to end — before the category's 公示期 rule allows
(公示期不足), a notice said to be 公示中/期满/已归档 with no posting at all
(无张贴记录), and a concluded notice with an objection still open (异议未办结).
The rule is the county's own: its latest published catalogue laid over the
shipped one, on the working-day calendar plus the holiday years the county
published. Pure functions over the county store returning plain dataclasses;
`county.web` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from zwgk_desktop.core.status import CONCLUDED, PUBLISHED, STATUS_LABELS
from zwgk_desktop.county.store import CountyStore, CountyTownship, Record, Reference

NO_PHOTO, SHORT_PERIOD, NO_POSTING, OPEN_OBJECTION = "no_photo", "short_period", "no_posting", "open_objection"
FINDING_LABELS = {
    NO_PHOTO: "无照片留档",
    SHORT_PERIOD: "公示期不足",
    NO_POSTING: "无张贴记录",
    OPEN_OBJECTION: "异议未办结",
}
POSTED_STATUSES = PUBLISHED
CONCLUDED_STATUSES = CONCLUDED


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str

    @property
    def label(self) -> str:
        return FINDING_LABELS.get(self.kind, self.kind)


@dataclass
class NoticeCheck:
    id: str
    title: str
    category: str
    category_name: str
    status: str
    items: int = 0
    total_fen: int = 0
    period_start: date | None = None
    period_end: date | None = None
    postings: int = 0
    postings_with_photo: int = 0
    findings: list[Finding] = field(default_factory=list)
    period_from_notice: bool = False  # False: the period shown is the span of the postings

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass
class TownshipCheck:
    id: str
    name: str
    notices: list[NoticeCheck]
    last_received: datetime | None = None

    def count(self, kind: str) -> int:
        return sum(1 for n in self.notices for f in n.findings if f.kind == kind)

    @property
    def findings(self) -> int:
        return sum(len(n.findings) for n in self.notices)

    @property
    def notices_with_findings(self) -> int:
        return sum(1 for n in self.notices if n.findings)

    @property
    def postings(self) -> int:
        return sum(n.postings for n in self.notices)

    @property
    def postings_with_photo(self) -> int:
        return sum(n.postings_with_photo for n in self.notices)


@dataclass
class CountyRules:
    """Catalogue entries and the working-day calendar the county judges by."""

    entries: dict
    calendar: object

    def earliest_end(self, category: str, posted_on: date) -> tuple[date | None, str]:
        """The earliest allowed end of a posting and the rule's wording (None when the rule is unknown)."""
        entry = self.entries.get(category)
        if entry is None:
            return None, ""
        try:
            return self.calendar.period_end(posted_on, entry.rule).end, entry.rule.describe()
        except Exception:  # a rule or date the calendar cannot handle: no verdict rather than a wrong one
            return None, ""


def county_rules(store: CountyStore) -> CountyRules:
    """The shipped catalogue overlaid with the county's latest published one; calendar plus published years."""
    from zwgk_desktop.core.calendar import WorkCalendar, build_calendar, parse_year_data
    from zwgk_desktop.core.catalogue import load_catalogue, parse_catalogue

    entries = dict(load_catalogue())
    base = build_calendar()
    arrangements = dict(base.arrangements)
    with store.session() as session:
        published = session.execute(
            select(Reference.kind, Reference.data).where(Reference.kind.in_(("catalogue", "calendar")))
            .order_by(Reference.id)
        ).all()
    for kind, data in published:
        try:
            if kind == "catalogue":
                entries.update(parse_catalogue(data))
            else:
                year = parse_year_data(data, "县级发布")
                arrangements[year.year] = year
        except Exception:  # publishing validated it; an unreadable old row must not take the page down
            continue
    return CountyRules(entries, WorkCalendar(arrangements=arrangements, overrides=dict(base.overrides)))


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def short_date(day: date | None) -> str:
    return f"{day.month}月{day.day}日" if day else "—"


def check_township(store: CountyStore, township_id: str, rules: CountyRules | None = None) -> TownshipCheck | None:
    rules = rules or county_rules(store)
    with store.session() as session:
        township = session.get(CountyTownship, township_id)
        if township is None:
            return None
        rows = session.execute(
            select(Record.entity, Record.data, Record.item_count, Record.entity_id).where(
                Record.township_id == township_id, Record.deleted.is_(False),
                Record.entity.in_(("disclosure", "disclosure_items", "posting", "photo", "objection", "notice_board")),
            )
        ).all()
        last = session.execute(
            select(func.max(Record.received_at)).where(Record.township_id == township_id)
        ).scalar_one()
    by_entity: dict[str, list] = {}
    for entity, data, item_count, entity_id in rows:
        by_entity.setdefault(entity, []).append((data or {}, item_count, entity_id))
    notices = build_notices(by_entity, rules)
    ordered = sorted(notices.values(), key=lambda n: (not n.findings, -(n.period_start or date.min).toordinal(), n.title))
    return TownshipCheck(township.id, township.name, ordered, last)


def build_notices(by_entity: dict[str, list], rules: CountyRules) -> dict[str, NoticeCheck]:
    notices = {}
    for data, _, entity_id in by_entity.get("disclosure", []):
        category = data.get("category", "")
        entry = rules.entries.get(category)
        notices[entity_id] = NoticeCheck(
            id=entity_id, title=data.get("title", ""), category=category,
            category_name=entry.short_name if entry else category, status=data.get("status", ""),
            total_fen=int(data.get("total_amount_fen") or 0),
            period_start=_date(data.get("period_start")), period_end=_date(data.get("period_end")),
            period_from_notice=bool(data.get("period_start")),
        )
    for _, item_count, entity_id in by_entity.get("disclosure_items", []):
        if entity_id in notices:
            notices[entity_id].items = item_count
    boards = {entity_id: data.get("name", "") for data, _, entity_id in by_entity.get("notice_board", [])}
    photographed = {data.get("posting_id") for data, _, _ in by_entity.get("photo", []) if data.get("posting_id")}
    unposted_photo: dict[str, list[str]] = {}
    for posting, _, posting_id in sorted(by_entity.get("posting", []), key=lambda r: str(r[0].get("posted_on"))):
        notice = notices.get(posting.get("disclosure_id"))
        if notice is None:
            continue
        notice.postings += 1
        widen_period(notice, posting)
        board = boards.get(posting.get("board_id")) or "公开栏"
        if posting_id in photographed:
            notice.postings_with_photo += 1
        else:
            unposted_photo.setdefault(notice.id, []).append(board)
        short = short_period(posting, board, notice.category, rules)
        if short:
            notice.findings.append(short)
    for notice_id, names in unposted_photo.items():
        notice = notices[notice_id]
        shown = "、".join(names[:4]) + (f"等 {len(names)} 处" if len(names) > 4 else "")
        notice.findings.insert(0, Finding(NO_PHOTO, f"{len(names)}/{notice.postings} 处张贴无照片留档：{shown}"))
    for notice in notices.values():
        if notice.status in POSTED_STATUSES and notice.postings == 0:
            notice.findings.append(Finding(NO_POSTING, f"状态为“{notice.status_label}”，但没有任何张贴记录"))
    for data, _, _ in by_entity.get("objection", []):
        notice = notices.get(data.get("disclosure_id"))
        if notice is not None and notice.status in CONCLUDED_STATUSES and data.get("status") == "open":
            received = short_date(_date(data.get("received_on")))
            notice.findings.append(Finding(OPEN_OBJECTION, f"{received}收到的异议尚未办结，公示却已“{notice.status_label}”"))
    return notices


def widen_period(notice: NoticeCheck, posting: dict) -> None:
    """A notice without a recorded 公示期 shows the span of its postings instead."""
    if notice.period_from_notice:
        return
    posted = _date(posting.get("posted_on"))
    ended = _date(posting.get("removed_on")) or _date(posting.get("planned_end"))
    if posted and (notice.period_start is None or posted < notice.period_start):
        notice.period_start = posted
    if ended and (notice.period_end is None or ended > notice.period_end):
        notice.period_end = ended


def short_period(posting: dict, board: str, category: str, rules: CountyRules) -> Finding | None:
    posted = _date(posting.get("posted_on"))
    removed, planned = _date(posting.get("removed_on")), _date(posting.get("planned_end"))
    ended = removed or planned
    if not posted or not ended:
        return None
    needed, rule = rules.earliest_end(category, posted)
    if needed is None or ended >= needed:
        return None
    verb = "撤下" if removed else "计划期满"
    return Finding(SHORT_PERIOD, f"{board}：{short_date(posted)}张贴，{short_date(ended)}{verb}；"
                                 f"规则（{rule}）要求至少到{short_date(needed)}")


def check_county(store: CountyStore) -> list[TownshipCheck]:
    rules = county_rules(store)
    with store.session() as session:
        ids = list(session.execute(select(CountyTownship.id).order_by(CountyTownship.name)).scalars())
    return [check for check in (check_township(store, i, rules) for i in ids) if check is not None]


# --- 依申请公开: overdue requests and the yearly report table ------------------------------------------

REQUEST_TYPE_COLUMNS = ("person", "company", "research", "ngo", "legal", "other")


@dataclass(frozen=True)
class RequestFinding:
    """A request the county should follow up: still open past its reply deadline, or answered late."""

    number: str
    kind: str  # overdue | late
    received: date | None
    due: date | None
    replied: date | None
    text: str


@dataclass
class AnnualTableCheck:
    """One yearly report as the township filed it, re-checked by the county from its counts alone."""

    year: int
    reported_ok: bool
    problems: list[str]
    table3: dict
    generated_at: str

    @property
    def ok(self) -> bool:
        return self.reported_ok and not self.problems


@dataclass
class RequestsCheck:
    township_id: str
    name: str
    total: int = 0
    open: int = 0
    findings: list[RequestFinding] = field(default_factory=list)
    annual: list[AnnualTableCheck] = field(default_factory=list)

    @property
    def overdue(self) -> list[RequestFinding]:
        return [f for f in self.findings if f.kind == "overdue"]


def recheck_table3(table3: dict) -> list[str]:
    """The format's own arithmetic on the filed counts: 新收+上年结转 = 办理结果总计+结转下年度 per column,
    and the requester columns adding up to 总计 in every row."""
    problems = []
    rows = {k: v for k, v in (table3 or {}).items() if isinstance(v, dict)}
    needed = ("new", "carried_in", "total", "carried_out")
    if any(r not in rows for r in needed):
        return ["表三不完整，无法核对"]

    def n(row: str, column: str) -> int:
        value = rows.get(row, {}).get(column, 0)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    for column in (*REQUEST_TYPE_COLUMNS, "total"):
        left = n("new", column) + n("carried_in", column)
        right = n("total", column) + n("carried_out", column)
        if left != right:
            problems.append(f"“{column}”列：本年新收+上年结转={left}，办理结果总计+结转下年度={right}")
    for row, values in rows.items():
        parts = sum(n(row, c) for c in REQUEST_TYPE_COLUMNS)
        if parts != n(row, "total"):
            problems.append(f"{values.get('label', row)}：各类申请人合计 {parts}，总计 {n(row, 'total')}")
    outcome_rows = [r for r in rows if r not in ("new", "carried_in", "total", "carried_out")]
    if outcome_rows and sum(n(r, "total") for r in outcome_rows) != n("total", "total"):
        problems.append("（一）至（六）之和不等于（七）总计")
    return problems


def _register_number(data: dict) -> str:
    year, seq = data.get("year"), data.get("seq")
    return f"{year}-{int(seq):03d}" if isinstance(seq, int) else str(data.get("id", ""))[:8]


def check_requests(store: CountyStore, township_id: str, today: date | None = None) -> RequestsCheck | None:
    """A township's 依申请公开 as synced: overdue and late-answered requests, and its yearly tables re-checked."""
    today = today or date.today()
    with store.session() as session:
        township = session.get(CountyTownship, township_id)
        if township is None:
            return None
        rows = session.execute(
            select(Record.entity, Record.data, Record.received_at).where(
                Record.township_id == township_id, Record.deleted.is_(False),
                Record.entity.in_(("info_request", "annual_report")),
            )
        ).all()
    check = RequestsCheck(township.id, township.name)
    for entity, data, received_at in rows:
        data = data or {}
        if entity == "annual_report":
            if data.get("exported"):
                check.annual.append(AnnualTableCheck(
                    year=int(data.get("year") or 0), reported_ok=bool(data.get("ok")),
                    problems=recheck_table3(data.get("table3") or {}), table3=data.get("table3") or {},
                    generated_at=str(data.get("generated_at") or received_at or "")[:16].replace("T", " "),
                ))
            continue
        check.total += 1
        due, received, replied = _date(data.get("due_on")), _date(data.get("received_on")), _date(data.get("replied_on"))
        number = _register_number(data)
        if data.get("status") == "open":
            check.open += 1
            if due is not None and due < today:
                check.findings.append(RequestFinding(
                    number, "overdue", received, due, None,
                    f"{short_date(received)}收到，答复期限{short_date(due)}，已逾期{(today - due).days}天未答复"))
        elif replied is not None and due is not None and replied > due:
            check.findings.append(RequestFinding(
                number, "late", received, due, replied,
                f"{short_date(received)}收到，答复期限{short_date(due)}，{short_date(replied)}才答复"))
    check.findings.sort(key=lambda f: (f.kind != "overdue", f.due or date.max))
    check.annual.sort(key=lambda a: -a.year)
    return check


def county_requests(store: CountyStore, today: date | None = None) -> list[RequestsCheck]:
    with store.session() as session:
        ids = list(session.execute(select(CountyTownship.id).order_by(CountyTownship.name)).scalars())
    return [c for c in (check_requests(store, i, today) for i in ids) if c is not None]
