"""The life of a notice: status transitions, review, corrections (更正) and who may approve.

草稿 draft → 待审核 pending_review → 已审核 approved → 公示中 publishing →
期满 expired → 已归档 archived; and 已撤回 withdrawn. Posting (approved →
publishing) and photo evidence live in `core.postings`; objections in
`core.objections`.

Every transition writes a `StatusChange` (who, when, why); the before-flush
hook in `core.changes` also writes it on the hash-chained audit log.

Rules this module owns:
- returning a notice to draft and withdrawing it need a reason;
- separation of duties (`separation_of_duties`): the reviewer may not be the
  author once the township has a second user with review rights (or when the
  Setting `reviewer_not_author` says so; `False` there switches it off). In
  single-user mode an author approving their own notice is warned
  (`TransitionResult.warnings`);
- a notice cannot be concluded (公示中 → 期满) while an objection is open,
  before its 公示 period has ended (the day after `period_end`), nor —
  like archiving — while a posting lacks a clear start or end photo that no
  reviewer's 情况说明 covers (`core.postings.require_evidence`,
  `evidence_missing`);
- archived notices are read-only: any edit raises `NotAllowed`;
- a correction creates a new version (version + 1, `replaces_id` = the old
  one) with a copy of the line items (bulk insert with its outbox entry and
  audit event written explicitly), as a draft that goes through review and
  posting again; the old version becomes 已撤回 (its rows, postings,
  objections and history stay untouched and readable); nothing is
  overwritten or deleted. Corrections start from 已审核/公示中/期满 and need
  every objection on the old version resolved first. `correction_kind` says
  why: `objection` (an upheld objection changed the list), `content` (any
  other correction) or `typo` (text only); the period the corrected version
  gets follows from it (`core.postings.posting_period`);
- `correction_summary` says what changed between a version and the one it
  replaces (删除/新增/调整 N 户), computed from the line items: the 更正说明.

Screens and logs show people by 姓名 (`user_labels`: display name, else
username).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.audit import record as audit_record
from zwgk_desktop.core.calendar import WorkCalendar, calendar_from_session
from zwgk_desktop.core.catalogue import count_unit, get_entry
from zwgk_desktop.core.changes import queue_items_changed
from zwgk_desktop.core.disclosures import find_disclosure, format_fen, refresh_totals
from zwgk_desktop.core.models import (
    Disclosure,
    DisclosureItem,
    NoticeBoard,
    Objection,
    StatusChange,
    User,
    Village,
    new_id,
    utcnow,
)
from zwgk_desktop.core.status import CORRECTABLE, EDITABLE, LIVE, WITHDRAWABLE, Status, status_label
from zwgk_desktop.core.users import (
    CONCLUDE,
    EDIT,
    REVIEW,
    SYSTEM_ACTOR,
    VIEW,
    Actor,
    review_rule,
)
from zwgk_desktop.errors import InvalidInput, NotAllowed

CORRECTION_KINDS = {
    "objection": "异议复查后更正名单",
    "content": "更正内容",
    "typo": "仅更正文字错误",
}

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
    warnings: list[str] = field(default_factory=list)

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return (self.disclosure_id,)

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class CorrectionResult:
    """A new version made by `correct`: its id, version and what it replaces."""

    disclosure_id: str
    version: int
    replaces_id: str
    status: str
    correction_kind: str
    reason: str

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return (self.disclosure_id, self.replaces_id)

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
    by_name: str = ""  # 姓名 (display name; the username where none)


@dataclass(frozen=True)
class DutySeparation:
    """Whether the reviewer must differ from the author, and why."""

    required: bool
    reviewers: int  # active users with review rights
    source: str  # "setting" (the township chose) | "auto" (on once a second reviewer exists)

    @property
    def text(self) -> str:
        if self.required:
            why = "按本乡镇设置" if self.source == "setting" else f"本乡镇有 {self.reviewers} 位用户有审核权限"
            return f"审核人与经办人须为不同的人（{why}）。"
        if self.source == "setting":
            return "本乡镇设置为允许经办人审核自己的公示（单人模式）。"
        return "本乡镇只有一位用户有审核权限（单人模式），经办人审核自己的公示时会提示。"


@dataclass(frozen=True)
class CorrectionSummary:
    """What a corrected version changed against the version it replaces (the 更正说明)."""

    removed: int
    added: int
    changed: int
    renamed: int  # only the name's writing differs (a typo)
    unit: str  # 户 / 项 / 条
    text: str  # e.g. "经复查，删除1户、调整1户，现重新公示"
    previous_version: int = 0

    @property
    def list_changed(self) -> bool:
        return bool(self.removed or self.added or self.changed)

    @property
    def any(self) -> bool:  # the printing package's name for `list_changed`
        return self.list_changed

    @property
    def replaced_version(self) -> int:
        return self.previous_version

    @property
    def change_text(self) -> str:
        """'删除1户、调整1户' (what changed in the list; '' when nothing did)."""
        parts = [f"{word}{n}{self.unit}" for word, n in (("删除", self.removed), ("新增", self.added), ("调整", self.changed)) if n]
        return "、".join(parts)

    def as_json(self) -> dict:
        return {**asdict(self), "list_changed": self.list_changed, "change_text": self.change_text}


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
    period: dict  # NoticePeriod.as_json(): posted, else planned (recorded planned day, else next working day)
    boards: list[dict]  # boards the notice would go on: township board + villages in the items
    reviewer_must_differ: bool
    history: list[HistoryRow] = field(default_factory=list)
    village_count: int = 0
    author_name: str = ""  # 姓名
    separation: str = ""  # the separation-of-duties rule in force, in words
    self_review: bool = False  # the acting user wrote this notice
    warnings: list[str] = field(default_factory=list)  # e.g. single-user self review
    correction: dict | None = None  # CorrectionSummary.as_json() for a corrected version
    correction_kind: str = ""
    correction_reason: str = ""
    objections: int = 0  # objections linked to this version (its own and the ones that led to it)

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


def user_labels(session: Session) -> dict[str, str]:
    """username → 姓名 (display name, else the username) for every account, plus the command line's."""
    names = {SYSTEM_ACTOR.username: SYSTEM_ACTOR.label}
    for username, display in session.execute(select(User.username, User.display_name)).all():
        names[username] = display or username
    return names


def separation_of_duties(session: Session) -> DutySeparation:
    """The rule in force (`core.users.review_rule`: on by default once a second user with review rights
    exists; the township's own setting decides when it made one), with the wording screens show."""
    rule = review_rule(session)
    return DutySeparation(rule.enforced, rule.reviewers, "setting" if rule.explicit else "auto")


def _check_reviewer(session: Session, actor: Actor, d: Disclosure) -> list[str]:
    """Refuse a reviewer who is the author where duties are separated; in single-user mode warn instead."""
    actor.require(REVIEW)
    if not (d.author and d.author == actor.username):
        return []
    rule = separation_of_duties(session)
    if rule.required:
        raise NotAllowed(
            f"{rule.text}这条公示由{actor.label}经办，请由其他审核人审核。",
            code="reviewer_is_author",
            detail={"author": d.author, "reviewers": rule.reviewers},
        )
    return [f"单人模式提示：审核人{actor.label}也是这条公示的经办人。建议增加一位审核人，由另一人审核后再打印张贴。"]


def approve(session: Session, actor: Actor, disclosure_id: str, note: str = "") -> TransitionResult:
    """待审核 → 已审核 (可打印)."""
    d = find_disclosure(session, disclosure_id)
    _require_status(d, (Status.PENDING_REVIEW,), "审核通过")
    warnings = _check_reviewer(session, actor, d)
    d.approved_by, d.approved_at = actor.username, utcnow()
    result = set_status(session, actor, d, Status.APPROVED, note.strip() or "审核通过")
    result.warnings = warnings
    return result


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
    from zwgk_desktop.core.postings import require_evidence

    require_evidence(session, d, "办结")
    return set_status(session, actor, d, Status.EXPIRED, note.strip() or "公示期满，无未办结异议")


def archive(session: Session, actor: Actor, disclosure_id: str, note: str = "") -> TransitionResult:
    """期满 → 已归档 (read-only from then on); refused while photo evidence is missing without a 情况说明."""
    actor.require(CONCLUDE)
    d = find_disclosure(session, disclosure_id)
    ensure_not_archived(d)
    if d.status in LIVE:  # missing evidence is the first thing to fix, whether or not it was concluded yet
        from zwgk_desktop.core.postings import require_evidence

        require_evidence(session, d, "归档")
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


def correct(session: Session, actor: Actor, disclosure_id: str, reason: str, *, kind: str = "content") -> Disclosure:
    """Create the next version as a draft with copied items; the old version becomes 已撤回.

    `kind`: `objection` (an upheld objection changed the list: re-公示 in full), `content` (default:
    re-公示 in full) or `typo` (text only: may keep the remaining period where the category's rule allows)."""
    actor.require(EDIT)
    if kind not in CORRECTION_KINDS:
        raise InvalidInput(f"未知的更正类型“{kind}”。", code="bad_correction_kind")
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
        replaces_id=old.id, year=old.year, author=actor.username, correction_kind=kind, correction_reason=reason,
    )
    session.add(new)
    session.flush()
    copy_items(session, old.id, new.id)
    refresh_totals(session, new)
    session.add(
        StatusChange(disclosure_id=new.id, from_status="", to_status=Status.DRAFT, by_user=actor.username,
                     reason=f"更正（{CORRECTION_KINDS[kind]}）：第{old.version}版的更正版本。{reason}")
    )
    set_status(session, actor, old, Status.WITHDRAWN, f"已更正，由第{new.version}版替代：{reason}")
    session.flush()
    return new


ITEM_COPY_SKIP = frozenset({"id", "disclosure_id", "created_at", "updated_at", "row_version"})


def copy_items(session: Session, from_id: str, to_id: str) -> int:
    """Copy line items in bulk (a notice may have 50,000 lines; every column, whatever the model holds).

    The bulk insert bypasses the ORM's flush hook, so its sync entry (one `disclosure_items` outbox entry
    for the new version) and its audit event (`bulk_insert` naming the source version and the count) are
    written here, explicitly, in the same transaction."""
    columns = [c.key for c in DisclosureItem.__table__.columns if c.key not in ITEM_COPY_SKIP]
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
        audit_record(session, "bulk_insert", DisclosureItem.__tablename__, to_id,
                     {"rows": len(payload), "copied_from": from_id, "why": "correction"})
    return len(payload)


COMPARED_EXTRA_SKIP = frozenset({"remark"})


def _item_key(row) -> tuple:
    if row.household_id:
        return ("household", row.household_id)
    if row.id_number:
        return ("id_number", row.id_number)
    return ("name", row.village_name or "", row.name or "")


# What identifies a line or only describes where it sits: not a change of the household's entry.
NOT_COMPARED = frozenset({*ITEM_COPY_SKIP, "seq", "name", "household_id", "id_number", "village_id", "village_name",
                          "group_name", "extra"})


def _compared_columns() -> list[str]:
    """Every line-item column that says what the household gets (amount, people, typed fields added later…)."""
    return [c.key for c in DisclosureItem.__table__.columns if c.key not in NOT_COMPARED]


def _item_values(row) -> tuple:
    extra = {k: v for k, v in (row.extra or {}).items() if k not in COMPARED_EXTRA_SKIP}
    return (*(getattr(row, key) for key in _compared_columns()), sorted(extra.items(), key=lambda kv: str(kv[0])))


def correction_summary(session: Session, new_id: str, *, village_id: str | None = None) -> CorrectionSummary:
    """删除/新增/调整 N 户 between a corrected version and the one it replaces, from the line items, with
    the 更正说明 a poster prints ("经复查，删除1户、调整1户，现重新公示"). Lines match by household, else
    ID number, else village + name; a line whose only difference is the writing of the name is `renamed`.
    With `village_id`, only that village's lines count (a village board's part of the notice)."""
    d = find_disclosure(session, new_id)
    unit = count_unit(d.category)
    if not d.replaces_id:
        return CorrectionSummary(0, 0, 0, 0, unit, "")
    old = session.get(Disclosure, d.replaces_id)
    columns = (DisclosureItem.household_id, DisclosureItem.id_number, DisclosureItem.village_name, DisclosureItem.name,
               DisclosureItem.extra, *(getattr(DisclosureItem, key) for key in _compared_columns()))

    def lines(disclosure_id: str) -> dict:
        query = select(*columns).where(DisclosureItem.disclosure_id == disclosure_id)
        if village_id:
            query = query.where(DisclosureItem.village_id == village_id)
        rows = session.execute(query).all()
        counts: dict = {}
        for row in rows:
            counts[_item_key(row)] = counts.get(_item_key(row), 0) + 1
        found: dict = {}
        for row in rows:  # a key shared by several lines (a roster repeating an ID) is told apart by the name
            key = _item_key(row)
            found.setdefault(key if counts[key] == 1 else (*key, row.name or ""), row)
        return found

    before, after = lines(old.id), lines(d.id)
    removed = sum(1 for k in before if k not in after)
    added = sum(1 for k in after if k not in before)
    changed = renamed = 0
    for key in before.keys() & after.keys():
        if _item_values(before[key]) != _item_values(after[key]):
            changed += 1
        elif (before[key].name or "") != (after[key].name or ""):
            renamed += 1
    summary = CorrectionSummary(removed, added, changed, renamed, unit, "", old.version)
    return CorrectionSummary(removed, added, changed, renamed, unit, _correction_text(d, summary), old.version)


def _correction_text(d: Disclosure, summary: CorrectionSummary) -> str:
    """The 更正说明 line: what changed, and whether the notice is posted again for the full period."""
    keeps = _keeps_period(d, summary)
    tail = "公示期不变" if keeps else "现重新公示"
    if summary.list_changed:
        text = f"经复查，{summary.change_text}"
        if summary.renamed:
            text += f"，更正{summary.renamed}{summary.unit}姓名书写"
        return f"{text}，{tail}"
    if summary.renamed:
        return f"经核对，更正{summary.renamed}{summary.unit}姓名书写错误，{tail}"
    reason = (d.correction_reason or "").strip()
    if d.correction_kind == "typo":
        return f"经核对，更正文字错误{f'（{reason}）' if reason else ''}，{tail}"
    return f"经复查，名单未作调整{f'（{reason}）' if reason else ''}，{tail}"


def _keeps_period(d: Disclosure, summary: CorrectionSummary) -> bool:
    """Whether this corrected version keeps the remaining period: its stored period says so once posted;
    before posting, a typo-only correction of a category whose rule allows it."""
    from zwgk_desktop.core.periods import period_of

    stored = period_of(d.period)
    if stored is not None and not stored.planned:
        return stored.continued
    entry = get_entry(d.category)
    return (d.correction_kind == "typo" and entry.typo_correction_keeps_period and not entry.republish_on_objection
            and not summary.list_changed)


def version_chain(session: Session, disclosure_id: str) -> list[dict]:
    """All versions of a notice, oldest first (following `replaces_id` both ways)."""
    d = find_disclosure(session, disclosure_id)
    first = d
    while first.replaces_id:
        first = session.get(Disclosure, first.replaces_id)
    chain, current = [], first
    while current is not None:
        chain.append({"id": current.id, "version": current.version, "status": current.status,
                      "status_label": status_label(current.status),
                      "correction_kind": current.correction_kind or "",
                      "correction_reason": current.correction_reason or ""})
        current = session.execute(select(Disclosure).where(Disclosure.replaces_id == current.id)).scalar()
    return chain


def earlier_versions(session: Session, disclosure: Disclosure) -> list[Disclosure]:
    """The versions this one replaces, newest first."""
    found, current = [], disclosure
    while current.replaces_id:
        current = session.get(Disclosure, current.replaces_id)
        if current is None:
            break
        found.append(current)
    return found


# --- review --------------------------------------------------------------------------


def history(session: Session, disclosure_id: str) -> list[HistoryRow]:
    rows = session.execute(
        select(StatusChange).where(StatusChange.disclosure_id == disclosure_id).order_by(StatusChange.created_at)
    ).scalars()
    names = user_labels(session)
    return [
        HistoryRow(
            at=r.created_at.isoformat(timespec="seconds") if r.created_at else "",
            from_status=r.from_status, to_status=r.to_status,
            label=f"{status_label(r.from_status) if r.from_status else '新建'} → {status_label(r.to_status)}",
            by_user=r.by_user, reason=r.reason, by_name=names.get(r.by_user, r.by_user),
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
    actor: Actor | None = None,
) -> ReviewSummary:
    """The review screen's data: privacy scan, the 公示期 (the period the poster will print: the recorded
    planned posting day, else the next working day) with its explanation, boards, counts, totals, the
    separation-of-duties rule, and for a correction what changed."""
    from zwgk_desktop.core.postings import notice_period

    d = find_disclosure(session, disclosure_id)
    entry = get_entry(d.category)
    cal = calendar or calendar_from_session(session)
    period = notice_period(session, d, today=today, calendar=cal)
    boards = candidate_boards(session, d)
    names = user_labels(session)
    rule = separation_of_duties(session)
    self_review = actor is not None and bool(d.author) and d.author == actor.username
    warnings = []
    if self_review and not rule.required:
        warnings.append(f"单人模式：您（{actor.label}）也是这条公示的经办人，审核通过时会记录为本人审核。")
    elif self_review:
        warnings.append(f"{rule.text}您是这条公示的经办人，不能审核，请由其他审核人审核。")
    correction = correction_summary(session, d.id) if d.replaces_id else None
    return ReviewSummary(
        disclosure_id=d.id, title=d.title, category=d.category, category_name=entry.short_name,
        status=d.status, status_label=status_label(d.status), version=d.version, replaces_id=d.replaces_id,
        author=d.author, item_count=d.item_count, total_amount_fen=d.total_amount_fen,
        total_amount=format_fen(d.total_amount_fen), total_people=d.total_people,
        findings=privacy_findings(session, d), rule_text=entry.rule.describe(),
        period=period.as_json() if period else {},
        boards=boards, reviewer_must_differ=rule.required,
        history=history(session, d.id), village_count=sum(1 for b in boards if b["village_id"]),
        author_name=names.get(d.author, d.author), separation=rule.text, self_review=self_review,
        warnings=warnings, correction=correction.as_json() if correction else None,
        correction_kind=d.correction_kind or "", correction_reason=d.correction_reason or "",
        objections=linked_objection_count(session, d),
    )


def linked_objection_count(session: Session, d: Disclosure) -> int:
    """Objections on this version plus those on earlier versions (they stay linked to the corrected one)."""
    ids = [d.id, *(v.id for v in earlier_versions(session, d))]
    return session.execute(select(func.count(Objection.id)).where(Objection.disclosure_id.in_(ids))).scalar() or 0


def require_view(actor: Actor) -> None:
    actor.require(VIEW)
