"""Notices (公示/公告): every use case of a notice's life as an op — list, show, items, review, the lifecycle
steps, corrections, the 公示期 (planned and posted), the record of a notice, the photo-evidence 情况说明.

Postings live in `ops.postings`, objections in `ops.objections`, 今日待办 in
`ops.todo`. Every op takes `(db, actor, ...)`, opens one unit of work and
returns DTOs; the rules are in `core.lifecycle`, `core.postings`,
`core.objections` and `core.disclosures`. A notice ID is resolved by
`core.disclosures.find_disclosure` (full id or a unique prefix of ≥ 6
characters) everywhere. A 村级用户 (`actor.village_scope`) lists and reads
only notices concerning their villages, and only their villages' lines.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Iterable

from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.disclosures import (
    DisclosureDetail,
    DisclosureRow,
    ItemRow,
    ItemTotals,
    count_items,
    create_disclosure,
    find_disclosure,
    list_disclosures,
    show_disclosure,
)
from zwgk_desktop.core.disclosures import item_page as core_item_page
from zwgk_desktop.core.disclosures import item_totals as core_item_totals
from zwgk_desktop.core.objections import ObjectionRow, list_objections
from zwgk_desktop.core.periods import NoticePeriod, list_period_text
from zwgk_desktop.core.postings import (
    EvidenceNote,
    PostingRow,
    evidence_exceptions,
    evidence_gaps,
    list_postings,
    record_evidence_exception,
    require_notice_access,
)
from zwgk_desktop.core.postings import notice_period as core_notice_period
from zwgk_desktop.core.postings import planned_period as core_planned_period
from zwgk_desktop.core.postings import record_planned_posting as core_record_planned_posting
from zwgk_desktop.core.status import status_label
from zwgk_desktop.core.townships import require_township
from zwgk_desktop.core.users import EDIT, VIEW, Actor
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes


def _scope(actor: Actor, village_ids: Iterable[str] | None) -> tuple[str, ...] | None:
    """The villages a read is limited to: a 村级用户's own always; township staff may narrow it themselves."""
    if actor.village_scope is not None:
        return tuple(actor.village_scope)
    return tuple(village_ids) if village_ids else None


# --- reading ---------------------------------------------------------------------------------


@reads
def list_notices(db, actor: Actor, *, status: str | None = None, category: str | None = None,
                 search: str | None = None, village_ids: Iterable[str] | None = None) -> list[DisclosureRow]:
    """Notices newest first, filtered; each row carries its 公示期 (posted, or planned) and its text."""
    actor.require(VIEW)
    if category:
        get_entry(category)  # an unknown category is a Chinese error, not an empty list
    with read_session(db, actor) as session:
        return list_disclosures(session, status=status or None, category=category or None,
                                search=(search or "").strip() or None, village_ids=_scope(actor, village_ids))


@dataclass
class NoticeShown:
    """One notice as `notice show` / `disclosure show` print it: the detail and its first lines."""

    detail: DisclosureDetail
    items: list[ItemRow]
    correction: dict | None = None  # CorrectionSummary.as_json() for a corrected version


@reads
def show_notice(db, actor: Actor, notice_id: str, *, items: int = 20) -> NoticeShown:
    actor.require(VIEW)
    with read_session(db, actor) as session:
        d = find_disclosure(session, notice_id)
        require_notice_access(session, actor, d)
        detail = _detail(session, d)
        lines = core_item_page(session, d.id, 0, max(0, items), village_ids=actor.village_scope)
        correction = lifecycle.correction_summary(session, d.id).as_json() if d.replaces_id else None
        return NoticeShown(detail, lines, correction)


def _detail(session, d) -> DisclosureDetail:
    """The detail with the version's period (posted, else planned) — the same one every surface shows."""
    detail = show_disclosure(session, d.id)
    period = core_notice_period(session, d)
    if period is not None:
        detail.period = period.as_json()
        detail.period_text = list_period_text(period, d.period_end)
    return detail


@dataclass
class NoticePage:
    """What the 公示管理 detail pane shows first: the notice, its first page of lines, the count, a village part."""

    detail: DisclosureDetail
    total: int
    first_page: list[ItemRow]
    village_part: ItemTotals | None


@reads
def load_notice(db, actor: Actor, notice_id: str, *, page_size: int = 500,
                village_ids: Iterable[str] | None = None) -> NoticePage:
    actor.require(VIEW)
    scope = _scope(actor, village_ids)
    with read_session(db, actor) as session:
        d = find_disclosure(session, notice_id)
        detail = _detail(session, d)
        part = core_item_totals(session, d.id, village_ids=scope) if scope is not None else None
        total = part.items if part is not None else count_items(session, d.id)
        first = core_item_page(session, d.id, 0, page_size, village_ids=scope)
        return NoticePage(detail, total, first, part)


@reads
def item_page(db, actor: Actor, notice_id: str, offset: int, limit: int, *,
              village_ids: Iterable[str] | None = None) -> list[ItemRow]:
    """One page of a notice's lines in 序号 order (a 村级用户: their villages' lines only)."""
    with read_session(db, actor) as session:
        return core_item_page(session, notice_id, offset, limit, village_ids=_scope(actor, village_ids))


@reads
def notice_heading(db, actor: Actor, notice_id: str) -> DisclosureRow:
    """The list row of one notice (title, status, period) — what dialogs show above their forms."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        d = find_disclosure(session, notice_id)
        return _detail(session, d)


@reads
def review_summary(db, actor: Actor, notice_id: str, *, today: date | None = None) -> lifecycle.ReviewSummary:
    """The reviewer's screen: privacy scan, the 公示期 the poster will print, boards, totals, who wrote it."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return lifecycle.review_summary(session, notice_id, today=today, actor=actor)


# --- the lifecycle ---------------------------------------------------------------------------


@writes("notices")
def submit_notice(db, actor: Actor, notice_id: str, note: str = "") -> lifecycle.TransitionResult:
    with unit_of_work(db, actor) as session:
        return lifecycle.submit(session, actor, notice_id, note)


@writes("notices")
def approve_notice(db, actor: Actor, notice_id: str, note: str = "") -> lifecycle.TransitionResult:
    with unit_of_work(db, actor) as session:
        return lifecycle.approve(session, actor, notice_id, note)


@writes("notices")
def return_notice(db, actor: Actor, notice_id: str, reason: str) -> lifecycle.TransitionResult:
    with unit_of_work(db, actor) as session:
        return lifecycle.return_to_draft(session, actor, notice_id, reason)


@writes("notices")
def withdraw_notice(db, actor: Actor, notice_id: str, reason: str) -> lifecycle.TransitionResult:
    with unit_of_work(db, actor) as session:
        return lifecycle.withdraw(session, actor, notice_id, reason)


@writes("notices")
def conclude_notice(db, actor: Actor, notice_id: str, *, today: date | None = None,
                    note: str = "") -> lifecycle.TransitionResult:
    """公示中 → 期满: after the period, no objection open, and every posting's photos clear (or a 情况说明)."""
    with unit_of_work(db, actor) as session:
        return lifecycle.conclude(session, actor, notice_id, today=today, note=note)


@writes("notices")
def archive_notice(db, actor: Actor, notice_id: str, note: str = "") -> lifecycle.TransitionResult:
    """期满 → 已归档; refused (`evidence_missing`) while photo evidence is missing and no 情况说明 covers it."""
    with unit_of_work(db, actor) as session:
        return lifecycle.archive(session, actor, notice_id, note)


@writes("notices", "items")
def correct_notice(db, actor: Actor, notice_id: str, reason: str, *, kind: str = "content") -> lifecycle.CorrectionResult:
    """A new version (draft) with a copy of the lines; the old one 已撤回. `kind`: content | typo | objection."""
    with unit_of_work(db, actor) as session:
        new = lifecycle.correct(session, actor, notice_id, reason, kind=kind)
        return lifecycle.CorrectionResult(new.id, new.version, new.replaces_id, new.status, new.correction_kind,
                                          new.correction_reason)


@dataclass
class NewNotice:
    disclosure_id: str
    title: str
    category: str
    status: str

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return (self.disclosure_id,)

    def as_json(self) -> dict:
        return asdict(self)


@writes("notices")
def create_notice(db, actor: Actor, category: str, title: str, *, body: str = "") -> NewNotice:
    """新建公示: a draft text notice of `category` (line items come from 导入花名册 or the draft editor)."""
    actor.require(EDIT)
    from zwgk_desktop.errors import InvalidInput

    if not (title or "").strip():
        raise InvalidInput("请填写公示标题。")
    with unit_of_work(db, actor) as session:
        township = require_township(session)
        d = create_disclosure(session, township.id, category, title, body=body, issuer=township.issuer,
                              supervise_phone=township.supervise_phone, author=actor.username)
        return NewNotice(d.id, d.title, d.category, d.status)


@writes("notices", "postings")
def explain_missing_evidence(db, actor: Actor, notice_id: str, text: str, *,
                             posting_id: str | None = None) -> EvidenceNote:
    """A reviewer's 情况说明 (≥ 10 characters) for photos that cannot be provided; stored and audited."""
    with unit_of_work(db, actor) as session:
        return record_evidence_exception(session, actor, notice_id, text, posting_id=posting_id)


# --- the 公示期 ----------------------------------------------------------------------------------


@reads
def notice_period(db, actor: Actor, notice_id: str, *, today: date | None = None) -> NoticePeriod | None:
    """The 公示期 every surface shows for this version: posted, else planned (None: withdrawn before posting)."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return core_notice_period(session, find_disclosure(session, notice_id), today=today)


@reads
def planned_period(db, actor: Actor, notice_id: str, posting_day: date | None = None, *,
                   today: date | None = None) -> NoticePeriod:
    """The period the notice WILL have if posted on `posting_day` (default: the recorded planned posting day,
    else the next working day). For the print dialog: print real dates before posting."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return core_planned_period(session, find_disclosure(session, notice_id), posting_day, today=today)


@writes("notices")
def record_planned_posting(db, actor: Actor, notice_id: str, posting_day: date, *,
                           today: date | None = None) -> NoticePeriod:
    """Record the posting day chosen when printing before posting; returns the period the poster prints
    (a posted notice keeps and returns its posted period)."""
    with unit_of_work(db, actor) as session:
        return core_record_planned_posting(session, actor, notice_id, posting_day, today=today)


@reads
def correction_summary(db, actor: Actor, notice_id: str) -> lifecycle.CorrectionSummary:
    """删除/新增/调整 N 户 against the replaced version, with the 更正说明 text."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        return lifecycle.correction_summary(session, notice_id)


# --- the record of a notice --------------------------------------------------------------------


@dataclass
class NoticeRecord:
    """Everything the 流转记录 tab and `notice history` show about one notice (DTOs only)."""

    disclosure_id: str
    title: str = ""
    version: int = 1
    status: str = ""
    status_label: str = ""
    period: dict | None = None
    period_text: str = ""
    versions: list[dict] = field(default_factory=list)
    history: list[lifecycle.HistoryRow] = field(default_factory=list)
    postings: list[PostingRow] = field(default_factory=list)
    objections: list[ObjectionRow] = field(default_factory=list)
    exceptions: list[EvidenceNote] = field(default_factory=list)
    evidence_gaps: list[dict] = field(default_factory=list)  # EvidenceGap.as_json(), also those a 情况说明 covers
    correction: dict | None = None

    @property
    def open_objections(self) -> list[ObjectionRow]:
        return [o for o in self.objections if o.status == "open"]

    def as_json(self) -> dict:
        return asdict(self)


@reads
def notice_record(db, actor: Actor, notice_id: str) -> NoticeRecord:
    """Versions, status history (with 姓名), postings with period and evidence, objections (also those of
    earlier versions), 情况说明, what still lacks evidence, and the correction summary."""
    actor.require(VIEW)
    with read_session(db, actor) as session:
        d = find_disclosure(session, notice_id)
        detail = _detail(session, d)
        return NoticeRecord(
            disclosure_id=d.id, title=d.title, version=d.version, status=d.status, status_label=status_label(d.status),
            period=detail.period, period_text=detail.period_text,
            versions=lifecycle.version_chain(session, d.id), history=lifecycle.history(session, d.id),
            postings=list_postings(session, d.id, actor), objections=list_objections(session, d.id),
            exceptions=evidence_exceptions(session, d.id),
            evidence_gaps=[g.as_json() for g in evidence_gaps(session, d, excused=True)],
            correction=lifecycle.correction_summary(session, d.id).as_json() if d.replaces_id else None,
        )
