"""Objections (异议) received during 公示: registering, handling and the result.

Owns:
- `add_objection`: date received, from whom (empty = anonymous), channel,
  content; only while a notice is 公示中, never dated before the posting or
  in the future; village users only for notices concerning their villages;
- `resolve_objection`: handling and result (both required), closing date ≥
  received date. When the result changes the list (`changes_list=True`, the
  objection upheld after 复查) the notice is corrected at once
  (`core.lifecycle.correct(kind="objection")`: a new draft version, the old
  one 已撤回), and the corrected version is posted again for a full fresh
  公示期 (`core.postings.posting_period`). The objection stays linked to both
  versions (`Objection.correction_id`; `list_objections` of the corrected
  version lists it, marked with the version it was received on). A
  correction needs every other objection on the notice resolved first;
- `list_objections`: DTOs for the screens, with 姓名 of who recorded them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.disclosures import find_disclosure
from zwgk_desktop.core.ids import resolve_id
from zwgk_desktop.core.lifecycle import (
    correct,
    earlier_versions,
    ensure_not_archived,
    open_objection_count,
    user_labels,
)
from zwgk_desktop.core.models import Disclosure, Objection
from zwgk_desktop.core.postings import require_notice_access
from zwgk_desktop.core.status import OPEN_FOR_OBJECTIONS, status_label
from zwgk_desktop.core.users import OBJECTION, Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed

CHANNELS = ("来访", "电话", "信件", "意见箱", "网络", "其他")
ANONYMOUS = "匿名"


@dataclass
class ObjectionRow:
    id: str
    disclosure_id: str
    received_on: str
    from_name: str
    channel: str
    content: str
    handling: str
    result: str
    status: str
    status_label: str
    changes_list: bool
    closed_on: str | None
    recorded_by: str
    version: int = 1  # the version of the notice it was received on
    correction_id: str | None = None  # the corrected version it led to
    recorded_by_name: str = ""

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return (self.id, self.disclosure_id)

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class ResolveResult:
    objection: ObjectionRow
    correction_id: str | None
    republish: bool
    message: str

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return tuple(filter(None, (self.objection.id, self.objection.disclosure_id, self.correction_id)))

    def as_json(self) -> dict:
        return {**asdict(self), "objection": self.objection.as_json()}


def _row(o: Objection, version: int = 1, names: dict[str, str] | None = None) -> ObjectionRow:
    names = names or {}
    return ObjectionRow(
        id=o.id, disclosure_id=o.disclosure_id, received_on=o.received_on.isoformat(),
        from_name=o.from_name or ANONYMOUS, channel=o.channel, content=o.content, handling=o.handling,
        result=o.result, status=o.status, status_label="已办结" if o.status == "resolved" else "办理中",
        changes_list=o.changes_list, closed_on=o.closed_on.isoformat() if o.closed_on else None,
        recorded_by=o.recorded_by, version=version, correction_id=o.correction_id,
        recorded_by_name=names.get(o.recorded_by, o.recorded_by),
    )


def find_objection(session: Session, objection_id: str) -> Objection:
    """An objection by full id or a unique prefix, like notice IDs (`core.ids.resolve_id`)."""
    return resolve_id(session, Objection, objection_id, what="异议记录", hint="可用 zwgk objection list 公示编号 查看。")


def add_objection(
    session: Session,
    actor: Actor,
    disclosure_id: str,
    *,
    received_on: date,
    content: str,
    from_name: str = "",
    channel: str = "",
    today: date | None = None,
) -> ObjectionRow:
    """Register an objection received while the notice is posted."""
    actor.require(OBJECTION)
    today = today or date.today()
    d = find_disclosure(session, disclosure_id)
    ensure_not_archived(d)
    require_notice_access(session, actor, d)
    if d.status not in OPEN_FOR_OBJECTIONS:
        raise NotAllowed(
            f"公示“{d.title}”当前为“{status_label(d.status)}”，只有公示中的公示可以登记异议。",
            code="bad_status",
        )
    text = (content or "").strip()
    if not text:
        raise InvalidInput("请填写异议内容。")
    if not isinstance(received_on, date):
        raise InvalidInput("受理日期无效，应为 YYYY-MM-DD 格式。")
    if received_on > today:
        raise InvalidInput(f"受理日期 {received_on.isoformat()} 晚于今天，请核对。", code="date_in_future")
    if d.period_start and received_on < d.period_start:
        raise InvalidInput(
            f"受理日期 {received_on.isoformat()} 早于公示张贴日期 {d.period_start.isoformat()}，日期先后颠倒，请核对。",
            code="date_order",
        )
    name = (from_name or "").strip()
    objection = Objection(
        disclosure_id=d.id, received_on=received_on, from_name="" if name == ANONYMOUS else name,
        channel=(channel or "").strip(), content=text, status="open", recorded_by=actor.username,
    )
    session.add(objection)
    session.flush()
    return _row(objection, d.version, user_labels(session))


def resolve_objection(
    session: Session,
    actor: Actor,
    objection_id: str,
    *,
    handling: str,
    result: str,
    closed_on: date,
    changes_list: bool = False,
    today: date | None = None,
) -> ResolveResult:
    """Record how an objection was handled and its result; a list change starts a correction."""
    actor.require(OBJECTION)
    today = today or date.today()
    o = find_objection(session, objection_id)
    d = session.get(Disclosure, o.disclosure_id)
    ensure_not_archived(d)
    require_notice_access(session, actor, d)
    if o.status != "open":
        raise InvalidInput("这条异议已办结，不能重复办结。", code="already_resolved")
    if not (handling or "").strip():
        raise InvalidInput("请填写异议的调查核实和办理情况。")
    if not (result or "").strip():
        raise InvalidInput("请填写异议的办理结果。")
    if not isinstance(closed_on, date):
        raise InvalidInput("办结日期无效，应为 YYYY-MM-DD 格式。")
    if closed_on < o.received_on:
        raise InvalidInput(
            f"办结日期 {closed_on.isoformat()} 早于受理日期 {o.received_on.isoformat()}，日期先后颠倒，请核对。",
            code="date_order",
        )
    if closed_on > today:
        raise InvalidInput(f"办结日期 {closed_on.isoformat()} 晚于今天，请核对。", code="date_in_future")
    if changes_list:
        others = open_objection_count(session, d.id) - 1
        if others > 0:
            raise NotAllowed(
                f"该公示还有其他 {others} 条异议未办结。请先办结其他异议，再办结此条并更正名单。",
                code="objection_open",
            )
    o.handling, o.result = handling.strip(), result.strip()
    o.status, o.closed_on, o.changes_list = "resolved", closed_on, bool(changes_list)
    session.flush()
    correction_id, republish = None, False
    message = "异议已办结。"
    if changes_list:
        entry = get_entry(d.category)
        new = correct(session, actor, d.id, f"根据异议办理结果更正名单：{o.result}", kind="objection")
        o.correction_id = new.id
        session.flush()
        correction_id, republish = new.id, True
        message = (
            f"异议已办结，已生成第{new.version}版更正草稿（原公示已撤回）。请修改名单后提交审核；"
            f"更正后的{entry.short_name}名单须重新公示，张贴后重新计算完整公示期（{entry.rule.describe()}）。"
        )
    return ResolveResult(_row(o, d.version, user_labels(session)), correction_id, republish, message)


def list_objections(session: Session, disclosure_id: str) -> list[ObjectionRow]:
    """The objections of this version and of the versions it replaces (they stay linked to the corrected
    one), oldest first; each says on which version it was received and which version it led to."""
    d = find_disclosure(session, disclosure_id)
    versions = {d.id: d.version, **{v.id: v.version for v in earlier_versions(session, d)}}
    rows = session.execute(
        select(Objection).where(Objection.disclosure_id.in_(list(versions)))
        .order_by(Objection.received_on, Objection.created_at)
    ).scalars()
    names = user_labels(session)
    return [_row(o, versions[o.disclosure_id], names) for o in rows]


def objection_heading(session: Session, objection_id: str) -> ObjectionRow:
    """One objection as a row (what the handling dialog shows above its form)."""
    o = find_objection(session, objection_id)
    d = session.get(Disclosure, o.disclosure_id)
    return _row(o, d.version if d else 1, user_labels(session))
