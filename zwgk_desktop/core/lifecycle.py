"""The life of a notice: status transitions, review and corrections (更正).

草稿 draft → 待审核 pending_review → 已审核 approved → 公示中 publishing →
期满 expired → 已归档 archived; and 已撤回 withdrawn. Posting (approved →
publishing) lives in `core.postings`; objections in `core.objections`.

Every transition writes a `StatusChange` (who, when, why); the before-flush
hook in `core.changes` also writes it on the hash-chained audit log.

Rules this module owns:
- returning a notice to draft and withdrawing it need a reason;
- a township may require that the reviewer is not the author
  (Setting `reviewer_not_author`);
- a notice cannot be concluded (公示中 → 期满) while an objection is open, nor
  before its 公示 period has ended (the day after `period_end`);
- archived notices are read-only: any edit raises `NotAllowed`;
- a correction creates a new version (version + 1, `replaces_id` = the old
  one) with a copy of the line items, as a draft that goes through review
  and posting again. Decision: the old version becomes 已撤回 (its rows,
  postings, objections and history stay untouched and readable); nothing
  is overwritten or deleted. Corrections start from 已审核/公示中/期满 (a
  draft is simply edited; an archived notice is locked) and need every
  objection on the old version to be resolved first. When the corrected
  version is posted, categories whose rule says `republish_on_objection`
  (特困) get a whole new 公示 period; the others continue the old period
  (see `core.postings.posting_period`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.calendar import PeriodResult, WorkCalendar, calendar_from_session
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.changes import queue_items_changed
from zwgk_desktop.core.disclosures import find_disclosure, format_fen, refresh_totals
from zwgk_desktop.core.line_items import ITEM_FACT_FIELDS
from zwgk_desktop.core.models import (
    Disclosure,
    DisclosureItem,
    NoticeBoard,
    Objection,
    StatusChange,
    Village,
    new_id,
    utcnow,
)
from zwgk_desktop.core.status import CORRECTABLE, EDITABLE, WITHDRAWABLE, Status, status_label
from zwgk_desktop.core.users import (
    CONCLUDE,
    EDIT,
    REVIEW,
    SETTING_REVIEWER_NOT_AUTHOR,
    VIEW,
    Actor,
    get_setting,
)
from zwgk_desktop.errors import InvalidInput, NotAllowed

EDITABLE_STATUSES = EDITABLE
CORRECTABLE_STATUSES = CORRECTABLE
WITHDRAWABLE_STATUSES = WITHDRAWABLE


@dataclass
class TransitionResult:
    disclosure_id: str
    from_status: str
    to_status: str
    status_label: str
    reason: str = ""

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class HistoryRow:
    at: str
    from_status: str
    to_status: str
    label: str
    by_user: str
    reason: str


@dataclass
class ReviewSummary:
    """Everything the reviewer needs on one screen, as plain data."""

    disclosure_id: str
    title: str
    category: str
    category_name: str
    status: str
    status_label: str
    version: int
    replaces_id: str | None
    author: str
    item_count: int
    total_amount_fen: int
    total_amount: str
    total_people: int
    findings: list[dict]
    rule_text: str
    period: dict  # PeriodResult.as_json() for a posting today
    boards: list[dict]  # boards the notice would go on: township board + villages in the items
    reviewer_must_differ: bool
    history: list[HistoryRow] = field(default_factory=list)
    village_count: int = 0

    def as_json(self) -> dict:
        data = asdict(self)
        return data


# --- guards --------------------------------------------------------------------------


def ensure_not_archived(disclosure: Disclosure) -> None:
    if disclosure.status == Status.ARCHIVED:
        raise NotAllowed(
            f"公示“{disclosure.title}”已归档，归档后为只读，不能修改。如发现错误，请新建公示说明。",
            code="archived_read_only",
            detail={"disclosure_id": disclosure.id},
        )


def ensure_editable(disclosure: Disclosure) -> None:
    """Only drafts are edited in place; archived ones are locked, others need a return or a correction."""
    ensure_not_archived(disclosure)
    if disclosure.status not in EDITABLE_STATUSES:
        raise NotAllowed(
            f"公示“{disclosure.title}”当前为“{status_label(disclosure.status)}”，不能直接修改。"
            "待审核的请由审核人退回草稿；已审核或公示中的请使用“更正”生成新版本。",
            code="not_editable",
            detail={"disclosure_id": disclosure.id, "status": disclosure.status},
        )


def _require_status(disclosure: Disclosure, allowed: tuple[str, ...], action: str) -> None:
    ensure_not_archived(disclosure)
    if disclosure.status not in allowed:
        wanted = "、".join(status_label(s) for s in allowed)
        raise NotAllowed(
            f"公示“{disclosure.title}”当前为“{status_label(disclosure.status)}”，不能{action}（只有“{wanted}”的公示可以{action}）。",
            code="bad_status",
            detail={"disclosure_id": disclosure.id, "status": disclosure.status},
        )


def _require_reason(reason: str, action: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(f"{action}必须填写原因。", code="reason_required")
    return text


def set_status(session: Session, actor: Actor, disclosure: Disclosure, to_status: str, reason: str = "") -> TransitionResult:
    """Move a notice to `to_status` and record who, when and why."""
    before = disclosure.status
    disclosure.status = to_status
    session.add(
        StatusChange(
            disclosure_id=disclosure.id, from_status=before, to_status=to_status,
            by_user=actor.username, reason=reason,
        )
    )
    session.flush()
    return TransitionResult(disclosure.id, before, to_status, status_label(to_status), reason)


# --- transitions ---------------------------------------------------------------------


def submit(session: Session, actor: Actor, disclosure_id: str, note: str = "") -> TransitionResult:
    """草稿 → 待审核."""
    actor.require(EDIT)
    d = find_disclosure(session, disclosure_id)
    _require_status(d, (Status.DRAFT,), "提交审核")
    if d.item_count == 0 and d.category != "generic" and not (d.body or "").strip():
        raise InvalidInput(f"公示“{d.title}”没有任何明细或正文，不能提交审核。")
    if not d.author:
        d.author = actor.username
    return set_status(session, actor, d, Status.PENDING_REVIEW, note.strip())


def _check_reviewer(session: Session, actor: Actor, d: Disclosure) -> None:
    actor.require(REVIEW)
    if get_setting(session, SETTING_REVIEWER_NOT_AUTHOR, False) and d.author and d.author == actor.username:
        raise NotAllowed(
            "本乡镇要求审核人与经办人不能是同一人，请由其他审核人审核这条公示。",
            code="reviewer_is_author",
        )


def approve(session: Session, actor: Actor, disclosure_id: str, note: str = "") -> TransitionResult:
    """待审核 → 已审核 (可打印)."""
    d = find_disclosure(session, disclosure_id)
    _require_status(d, (Status.PENDING_REVIEW,), "审核通过")
    _check_reviewer(session, actor, d)
    d.approved_by, d.approved_at = actor.username, utcnow()
    return set_status(session, actor, d, Status.APPROVED, note.strip() or "审核通过")


def return_to_draft(session: Session, actor: Actor, disclosure_id: str, reason: str) -> TransitionResult:
    """待审核 → 草稿, with the reviewer's reason (required)."""
    d = find_disclosure(session, disclosure_id)
    _require_status(d, (Status.PENDING_REVIEW,), "退回")
    _check_reviewer(session, actor, d)
    return set_status(session, actor, d, Status.DRAFT, _require_reason(reason, "退回"))


def open_objection_count(session: Session, disclosure_id: str) -> int:
    return session.execute(
        select(func.count(Objection.id)).where(Objection.disclosure_id == disclosure_id, Objection.status == "open")
    ).scalar() or 0


def conclude(session: Session, actor: Actor, disclosure_id: str, *, today: date | None = None, note: str = "") -> TransitionResult:
    """公示中 → 期满: only once the period has ended and no objection is open."""
    actor.require(CONCLUDE)
    today = today or date.today()
    d = find_disclosure(session, disclosure_id)
    _require_status(d, (Status.PUBLISHING,), "办结")
    if d.period_end is None:
        raise NotAllowed(f"公示“{d.title}”没有公示期满日（尚未登记张贴），不能办结。")
    if today <= d.period_end:
        raise NotAllowed(
            f"公示期到 {d.period_end.isoformat()} 才期满，期满前不能办结（今天是 {today.isoformat()}）。",
            code="period_not_ended",
            detail={"period_end": d.period_end.isoformat()},
        )
    open_count = open_objection_count(session, d.id)
    if open_count:
        raise NotAllowed(
            f"公示“{d.title}”还有 {open_count} 条异议未办结，请先办理并登记结果后再办结公示。",
            code="objection_open",
            detail={"open_objections": open_count},
        )
    return set_status(session, actor, d, Status.EXPIRED, note.strip() or "公示期满，无未办结异议")


def archive(session: Session, actor: Actor, disclosure_id: str, note: str = "") -> TransitionResult:
    """期满 → 已归档 (read-only from then on)."""
    actor.require(CONCLUDE)
    d = find_disclosure(session, disclosure_id)
    _require_status(d, (Status.EXPIRED,), "归档")
    return set_status(session, actor, d, Status.ARCHIVED, note.strip() or "归档")


def withdraw(session: Session, actor: Actor, disclosure_id: str, reason: str) -> TransitionResult:
    """Any live notice → 已撤回, with a reason."""
    actor.require(EDIT)
    d = find_disclosure(session, disclosure_id)
    _require_status(d, WITHDRAWABLE_STATUSES, "撤回")
    reason = _require_reason(reason, "撤回")
    if open_objection_count(session, d.id):
        raise NotAllowed("这条公示还有未办结的异议，请先办理异议再撤回。", code="objection_open")
    return set_status(session, actor, d, Status.WITHDRAWN, reason)


def edit_notice(
    session: Session, actor: Actor, disclosure_id: str, *, title: str | None = None, body: str | None = None,
) -> None:
    """Change a draft's title or body; anything else is refused (archived: read-only)."""
    actor.require(EDIT)
    d = find_disclosure(session, disclosure_id)
    ensure_editable(d)
    if title is not None:
        if not title.strip():
            raise InvalidInput("公示标题不能为空。")
        d.title = title.strip()
    if body is not None:
        d.body = body
    session.flush()


def remove_items(session: Session, actor: Actor, disclosure_id: str, seqs: list[int]) -> int:
    """Drop line items (by 序号) from a draft, e.g. a household found ineligible after an objection."""
    actor.require(EDIT)
    d = find_disclosure(session, disclosure_id)
    ensure_editable(d)
    items = session.execute(
        select(DisclosureItem).where(DisclosureItem.disclosure_id == d.id, DisclosureItem.seq.in_(seqs))
    ).scalars().all()
    missing = sorted(set(seqs) - {i.seq for i in items})
    if missing:
        raise InvalidInput(f"找不到序号为 {'、'.join(map(str, missing))} 的明细。")
    for item in items:
        session.delete(item)
    session.flush()
    refresh_totals(session, d)
    session.flush()
    return len(items)


# --- corrections ---------------------------------------------------------------------


def correct(session: Session, actor: Actor, disclosure_id: str, reason: str) -> Disclosure:
    """Create the next version as a draft with copied items; the old version becomes 已撤回."""
    actor.require(EDIT)
    old = find_disclosure(session, disclosure_id)
    _require_status(old, CORRECTABLE_STATUSES, "更正")
    reason = _require_reason(reason, "更正")
    open_count = open_objection_count(session, old.id)
    if open_count:
        raise NotAllowed(
            f"原公示还有 {open_count} 条异议未办结。请先办结全部异议，再生成更正版本。",
            code="objection_open",
        )
    new = Disclosure(
        township_id=old.township_id, category=old.category, title=old.title, body=old.body,
        issuer=old.issuer, supervise_phone=old.supervise_phone, status=Status.DRAFT, version=old.version + 1,
        replaces_id=old.id, year=old.year, author=actor.username,
    )
    session.add(new)
    session.flush()
    _copy_items(session, old.id, new.id)
    refresh_totals(session, new)
    session.add(
        StatusChange(disclosure_id=new.id, from_status="", to_status=Status.DRAFT, by_user=actor.username,
                     reason=f"更正：第{old.version}版的更正版本。{reason}")
    )
    set_status(session, actor, old, Status.WITHDRAWN, f"已更正，由第{new.version}版替代：{reason}")
    session.flush()
    return new


def _copy_items(session: Session, from_id: str, to_id: str) -> None:
    """Copy line items in bulk (a notice may have 50,000 lines); queue their sync once."""
    columns = [
        "seq", "household_id", "name", "village_id", "village_name", "group_name", "id_number",
        "people", "amount_fen", "extra",
        *ITEM_FACT_FIELDS,  # 家庭人口, 保障人数, change type, funding parts (core.line_items)
    ]
    rows = session.execute(
        select(*[getattr(DisclosureItem, c) for c in columns]).where(DisclosureItem.disclosure_id == from_id)
    ).all()
    now = utcnow()
    payload = [
        {**dict(zip(columns, row)), "id": new_id(), "disclosure_id": to_id, "created_at": now,
         "updated_at": now, "row_version": 1}
        for row in rows
    ]
    if payload:
        session.execute(insert(DisclosureItem), payload)
        queue_items_changed(session, to_id)


def version_chain(session: Session, disclosure_id: str) -> list[dict]:
    """All versions of a notice, oldest first (following `replaces_id` both ways)."""
    d = find_disclosure(session, disclosure_id)
    first = d
    while first.replaces_id:
        first = session.get(Disclosure, first.replaces_id)
    chain, current = [], first
    while current is not None:
        chain.append({"id": current.id, "version": current.version, "status": current.status,
                      "status_label": status_label(current.status)})
        current = session.execute(select(Disclosure).where(Disclosure.replaces_id == current.id)).scalar()
    return chain


# --- review --------------------------------------------------------------------------


def history(session: Session, disclosure_id: str) -> list[HistoryRow]:
    rows = session.execute(
        select(StatusChange).where(StatusChange.disclosure_id == disclosure_id).order_by(StatusChange.created_at)
    ).scalars()
    return [
        HistoryRow(
            at=r.created_at.isoformat(timespec="seconds") if r.created_at else "",
            from_status=r.from_status, to_status=r.to_status,
            label=f"{status_label(r.from_status) if r.from_status else '新建'} → {status_label(r.to_status)}",
            by_user=r.by_user, reason=r.reason,
        )
        for r in rows
    ]


def item_public_values(item) -> dict:
    """A line item keyed by catalogue column key (what `privacy.public_row` expects)."""
    values = {
        "village": item.village_name, "group": item.group_name, "name": item.name,
        "id_number": item.id_number, "people": item.people,
        "amount": format_fen(item.amount_fen) if item.amount_fen is not None else None,
    }
    values.update(item.extra or {})
    return values


def public_blocks(session: Session, d: Disclosure):
    """(location, text) pairs of what the public would read: header, body and each public row."""
    from zwgk_desktop.core.privacy import Audience, public_row

    entry = get_entry(d.category)
    yield "标题", d.title
    if d.body:
        yield "正文", d.body
    labels = {c.key: c.label for c in entry.columns}
    query = (
        select(DisclosureItem.seq, DisclosureItem.name, DisclosureItem.village_name, DisclosureItem.group_name,
               DisclosureItem.id_number, DisclosureItem.people, DisclosureItem.amount_fen, DisclosureItem.extra)
        .where(DisclosureItem.disclosure_id == d.id)
        .order_by(DisclosureItem.seq)
    )
    for row in session.execute(query):
        shown = public_row(entry, item_public_values(row), Audience.PUBLIC)
        for key, value in shown.items():
            if value in (None, "") or key in ("amount", "people"):
                continue
            yield f"第{row.seq}行“{labels.get(key, key)}”", str(value)


def privacy_findings(session: Session, d: Disclosure) -> list[dict]:
    from zwgk_desktop.core.privacy import scan_blocks

    allowed = [p for p in (d.supervise_phone,) if p]
    return [
        {"kind": f.kind, "excerpt": f.text_excerpt_masked, "location": f.location, "message": f.message_zh}
        for f in scan_blocks(public_blocks(session, d), allowed_numbers=allowed)
    ]


def candidate_boards(session: Session, d: Disclosure) -> list[dict]:
    """The township board plus the boards of every village named in the items."""
    village_ids = set(
        session.execute(
            select(DisclosureItem.village_id).where(DisclosureItem.disclosure_id == d.id).distinct()
        ).scalars()
    ) - {None}
    boards = session.execute(
        select(NoticeBoard).where(NoticeBoard.township_id == d.township_id, NoticeBoard.active.is_(True))
    ).scalars()
    order = dict(session.execute(select(Village.id, Village.sort_order)).all())
    rows = []
    for b in boards:
        if b.village_id is None or b.village_id in village_ids:
            rows.append({"board_id": b.id, "name": b.name, "village_id": b.village_id})
    rows.sort(key=lambda r: (r["village_id"] is not None, order.get(r["village_id"], 0), r["name"]))
    return rows


def review_summary(
    session: Session, disclosure_id: str, *, today: date | None = None, calendar: WorkCalendar | None = None,
) -> ReviewSummary:
    """The review screen's data: privacy scan, 公示期 with its explanation, boards, counts, totals."""
    d = find_disclosure(session, disclosure_id)
    entry = get_entry(d.category)
    cal = calendar or calendar_from_session(session)
    period: PeriodResult = cal.period_end(today or date.today(), entry.rule)
    boards = candidate_boards(session, d)
    return ReviewSummary(
        disclosure_id=d.id, title=d.title, category=d.category, category_name=entry.short_name,
        status=d.status, status_label=status_label(d.status), version=d.version, replaces_id=d.replaces_id,
        author=d.author, item_count=d.item_count, total_amount_fen=d.total_amount_fen,
        total_amount=format_fen(d.total_amount_fen), total_people=d.total_people,
        findings=privacy_findings(session, d), rule_text=entry.rule.describe(), period=period.as_json(),
        boards=boards, reviewer_must_differ=bool(get_setting(session, SETTING_REVIEWER_NOT_AUTHOR, False)),
        history=history(session, d.id), village_count=sum(1 for b in boards if b["village_id"]),
    )


def require_view(actor: Actor) -> None:
    actor.require(VIEW)
