"""依申请公开: the request register and its statutory clock (政府信息公开条例, 2019).

Owns:
- the vocabulary: channels and which date counts as 收到 (art. 31), requester
  types as the yearly report's columns, outcomes and their reasons exactly as
  the national yearly-report format counts them (国办公开办函〔2021〕30号),
  with the legal basis each answer cites;
- the clock (`compute_clock`, pure): reply within 20 working days of 收到
  (art. 33); one extension of at most 20 working days; a 补正 notice within
  7 working days, after which the count restarts from the day the 补正
  arrives (art. 30); the days a third party is consulted (up to its 15
  working days, art. 32) do not count. Every deadline is counted on the ONE
  calendar (`core.calendar.WorkCalendar`, with 调休), explained in Chinese,
  and flagged `calendar_complete=False` with a warning when a year lacks
  holiday data — the same convention as a 公示期;
- the register's use cases on a Session (`register_request`,
  `record_correction`, `record_extension`, `record_consultation`,
  `record_reply`, `mark_carried_over`, `record_appeal`, `issue_letter`) —
  each validates everything first and raises a Chinese `InvalidInput` /
  `NotAllowed` before changing anything — and the DTOs screens and commands
  show (`RequestRow`, `RequestDetail`);
- the 今日待办 rule for requests (`due_items`: due within 5 working days, or overdue).

Privacy: the requester's name, contact details and the full request text
live in `InfoRequestPrivate` (never synced); the synced `InfoRequest` keeps
only `core.privacy.mask_requester` / `mask_request_text` forms. Only
`RequestDetail` (the request's own page) carries them in clear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.calendar import (
    KIND_ADJUSTED_WORKDAY,
    WEEKDAY_NAMES,
    DayNote,
    WorkCalendar,
    calendar_from_session,
    group_notes,
    missing_years_warning,
)
from zwgk_desktop.core.models import (
    REQUEST_CHANNELS,
    REQUESTER_TYPES,
    InfoRequest,
    InfoRequestAppeal,
    InfoRequestConsultation,
    InfoRequestLetter,
    InfoRequestPrivate,
)
from zwgk_desktop.core.privacy import (
    mask_request_text,
    mask_requester,
)
from zwgk_desktop.core.township_settings import get_setting, set_setting
from zwgk_desktop.core.users import EDIT, SETTINGS, VIEW, Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed, NotFound

# --- the law's numbers ------------------------------------------------------------------------

REPLY_DAYS = 20  # art. 33
MAX_EXTENSION_DAYS = 20  # art. 33 (2)
CORRECTION_NOTICE_DAYS = 7  # art. 30
THIRD_PARTY_DAYS = 15  # art. 32
DUE_SOON_DAYS = 5  # 今日待办 lists requests due within this many working days
REGULATION_IN_FORCE = date(2019, 5, 15)  # the revised 条例 (国务院令第711号) took effect
MAX_CONTENT = 5000

LAW = "《中华人民共和国政府信息公开条例》"

# --- vocabulary -------------------------------------------------------------------------------

CHANNEL_LABELS = {
    "in_person": "当面提交",
    "mail": "邮寄（需签收）",
    "letter": "平常信函",
    "online": "网络",
    "fax": "传真",
}
# 条例 art. 31: which day is the day the request was received.
CHANNEL_RECEIPT_RULE = {
    "in_person": "依照条例第三十一条第（一）项，以申请人提交之日为收到申请之日",
    "mail": "依照条例第三十一条第（二）项，以本机关签收之日为收到申请之日",
    "letter": "依照条例第三十一条第（二）项，平常信函以本机关与申请人确认之日为收到申请之日",
    "online": "依照条例第三十一条第（三）项，以双方确认之日为收到申请之日",
    "fax": "依照条例第三十一条第（三）项，以双方确认之日为收到申请之日",
}
REQUESTER_LABELS = {
    "person": "自然人",
    "company": "商业企业",
    "research": "科研机构",
    "ngo": "社会公益组织",
    "legal": "法律服务机构",
    "other": "其他",
}
ORGANISATION_GROUP = "法人或其他组织"

OUTCOME_LABELS = {
    "public": "予以公开",
    "partial": "部分公开",
    "refused": "不予公开",
    "unable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
}
# Reasons in the national format's order (CLI codes are part of the command-line contract).
OUTCOME_REASONS: dict[str, tuple[tuple[str, str], ...]] = {
    "refused": (
        ("secret", "属于国家秘密"),
        ("law", "其他法律行政法规禁止公开"),
        ("stability", "危及“三安全一稳定”"),
        ("third_party", "保护第三方合法权益"),
        ("internal", "属于三类内部事务信息"),
        ("process", "属于四类过程性信息"),
        ("enforcement", "属于行政执法案卷"),
        ("inquiry", "属于行政查询事项"),
    ),
    "unable": (
        ("not_held", "本机关不掌握相关政府信息"),
        ("needs_creation", "没有现成信息需要另行制作"),
        ("unclear", "补正后申请内容仍不明确"),
    ),
    "not_processed": (
        ("petition", "信访举报投诉类申请"),
        ("repeat", "重复申请"),
        ("publication", "要求提供公开出版物"),
        ("excessive", "无正当理由大量反复申请"),
        ("confirm", "要求行政机关确认或重新出具已获取信息"),
    ),
    "other": (
        ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other", "其他"),
    ),
}
# The article(s) of the 条例 each answer rests on (printed on the 答复书).
OUTCOME_BASIS = {
    "public": "第三十六条第（二）项",
    "partial": "第三十七条",
    "refused:secret": "第十四条、第三十六条第（三）项",
    "refused:law": "第十四条、第三十六条第（三）项",
    "refused:stability": "第十四条、第三十六条第（三）项",
    "refused:third_party": "第十五条、第三十二条、第三十六条第（三）项",
    "refused:internal": "第十六条第一款、第三十六条第（三）项",
    "refused:process": "第十六条第二款、第三十六条第（三）项",
    "refused:enforcement": "第十六条第二款、第三十六条第（三）项",
    "refused:inquiry": "第三十六条第（七）项",
    "unable:not_held": "第三十六条第（四）项",
    "unable:needs_creation": "第三十八条",
    "unable:unclear": "第二十九条第二款、第三十条",
    "not_processed:petition": "第三十九条第一款",
    "not_processed:repeat": "第三十六条第（六）项",
    "not_processed:publication": "第三十九条第二款",
    "not_processed:excessive": "第三十五条",
    "not_processed:confirm": "第二条",
    "other:no_correction": "第三十条",
    "other:no_fee": "第四十二条",
    "other:other": "",
}
OPINIONS = {"": "尚未回复", "agree": "同意公开", "disagree": "不同意公开", "none": "逾期未提出意见"}
APPEAL_KINDS = {"review": "行政复议", "lawsuit": "行政诉讼"}
APPEAL_ROUTES = {"direct": "未经复议直接起诉", "after_review": "复议后起诉"}
APPEAL_RESULTS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}
LETTER_KINDS = {
    "receipt": "政府信息公开申请受理回执",
    "correction": "政府信息公开申请补正告知书",
    "extension": "政府信息公开申请延期答复告知书",
    "consultation": "政府信息公开第三方意见征询书",
    "reply": "政府信息公开申请答复书",
}

SETTING_KEY = "info_requests"
DEFAULT_SETTINGS = {
    "letter_prefix": "",  # empty: the township's name without 镇/乡 + 政信, e.g. 青山政信
    "letter_start": {},  # {"2026": 15}: the first 文号 number of that year (numbers used on paper before)
    "office": "",  # 政府信息公开工作机构, e.g. 青山镇党政办公室
    "office_phone": "",
    "office_address": "",
    "review_body": "",  # 行政复议机关; empty: <county>人民政府
    "court": "",  # empty: <county>人民法院
}


def outcome_rows() -> list[tuple[str, str, str]]:
    """(code, group label, row label) of every outcome row of table 三, in the format's order."""
    rows = [("public", "予以公开", "（一）予以公开"), ("partial", "部分公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]
    numbering = {"refused": "（三）", "unable": "（四）", "not_processed": "（五）", "other": "（六）"}
    for kind, reasons in OUTCOME_REASONS.items():
        for index, (reason, label) in enumerate(reasons, start=1):
            rows.append((f"{kind}:{reason}", f"{numbering[kind]}{OUTCOME_LABELS[kind]}", f"{index}.{label}"))
    return rows


OUTCOME_CODES = tuple(code for code, _, _ in outcome_rows())


def outcome_label(code: str | None) -> str:
    """'refused:third_party' → '不予公开（保护第三方合法权益）'."""
    if not code:
        return ""
    kind, _, reason = code.partition(":")
    label = OUTCOME_LABELS.get(kind, code)
    if reason:
        reasons = dict(OUTCOME_REASONS.get(kind, ())) or dict(OUTCOME_REASONS["refused"])
        label += f"（{reasons.get(reason, reason)}）"
    return label


def _reason_list(kind: str) -> str:
    return "；".join(f"{code}（{label}）" for code, label in OUTCOME_REASONS[kind])


@dataclass(frozen=True)
class Outcome:
    """A parsed `--outcome`: kind plus reason (`partial` may name the reason for the withheld part)."""

    kind: str
    reason: str = ""

    @property
    def code(self) -> str:
        """The table-三 row: 'public', 'partial', 'refused:secret', … (部分公开 counts once, whatever its reason)."""
        return self.kind if self.kind in ("public", "partial") else f"{self.kind}:{self.reason}"

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.reason}" if self.reason else self.kind

    @property
    def label(self) -> str:
        return outcome_label(self.text)

    @property
    def basis(self) -> str:
        """The articles the 答复书 cites (a partial answer also cites its withheld part's reason)."""
        own = OUTCOME_BASIS.get(self.code, "")
        if self.kind == "partial" and self.reason:
            extra = OUTCOME_BASIS.get(f"refused:{self.reason}", "")
            return "、".join(p for p in (own, extra) if p)
        return own


def parse_outcome(text: str) -> Outcome:
    """`public`, `partial[:REASON]`, `refused:REASON`, `unable:REASON`, `not_processed:REASON`, `other:REASON`."""
    raw = (text or "").strip()
    kind, _, reason = raw.partition(":")
    kind, reason = kind.strip(), reason.strip()
    if kind not in OUTCOME_LABELS:
        raise InvalidInput(
            f"答复结果“{raw}”无法识别。可选：public（予以公开）、partial（部分公开）、refused:理由（不予公开）、"
            "unable:理由（无法提供）、not_processed:理由（不予处理）、other:理由（其他处理）。",
            code="bad_outcome", detail={"outcome": raw},
        )
    if kind == "public":
        if reason:
            raise InvalidInput("“予以公开”不需要理由，请只写 public。", code="bad_outcome", detail={"outcome": raw})
        return Outcome(kind)
    if kind == "partial":
        if reason and reason not in dict(OUTCOME_REASONS["refused"]):
            raise InvalidInput(
                f"部分公开中不予公开部分的理由“{reason}”无法识别，可选：{_reason_list('refused')}。",
                code="bad_outcome", detail={"outcome": raw},
            )
        return Outcome(kind, reason)
    if not reason:
        raise InvalidInput(
            f"答复结果“{OUTCOME_LABELS[kind]}”必须写明理由（{kind}:理由），可选：{_reason_list(kind)}。",
            code="outcome_reason_missing", detail={"outcome": raw},
        )
    if reason not in dict(OUTCOME_REASONS[kind]):
        raise InvalidInput(
            f"“{OUTCOME_LABELS[kind]}”的理由“{reason}”无法识别，可选：{_reason_list(kind)}。",
            code="bad_outcome", detail={"outcome": raw},
        )
    return Outcome(kind, reason)


def register_number(year: int, seq: int) -> str:
    return f"{year}-{seq:03d}"


# --- the clock --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultationFacts:
    sent_on: date
    replied_on: date | None = None


@dataclass(frozen=True)
class ClockFacts:
    """What the statutory clock of one request depends on."""

    received_on: date
    correction_sent_on: date | None = None
    correction_received_on: date | None = None
    extension_days: int = 0
    consultations: tuple[ConsultationFacts, ...] = ()


@dataclass(frozen=True)
class Clock:
    """A request's reply deadline and how it was reached (the one computation every screen shows)."""

    received_on: date
    start: date  # the day the 20 working days run from (收到, or the day the 补正 arrived)
    restarted: bool  # True: counted from the 补正
    waiting_correction: bool  # 补正 notice sent, reply not yet back: no deadline runs
    due: date | None
    base_due: date | None  # before any extension
    days: int  # working days counted (20 + extension)
    extension_days: int
    paused: tuple[date, ...]  # working days spent on third-party consultation (not counted)
    correction_notice_due: date  # the 补正 notice must go out by this day
    explanation: str
    calendar_complete: bool
    warnings: tuple[str, ...]
    missing_years: tuple[int, ...]
    consultation_lapses: tuple[date, ...] = ()  # per consultation: the third party's 15th working day
    pending_lapses: tuple[date, ...] = ()  # the lapses of consultations not yet answered

    def as_json(self) -> dict:
        return {
            "received_on": self.received_on.isoformat(),
            "start": self.start.isoformat(),
            "restarted": self.restarted,
            "waiting_correction": self.waiting_correction,
            "due": self.due.isoformat() if self.due else None,
            "base_due": self.base_due.isoformat() if self.base_due else None,
            "days": self.days,
            "extension_days": self.extension_days,
            "paused_days": [d.isoformat() for d in self.paused],
            "correction_notice_due": self.correction_notice_due.isoformat(),
            "explanation": self.explanation,
            "calendar_complete": self.calendar_complete,
            "warnings": list(self.warnings),
            "missing_years": list(self.missing_years),
        }


def _count(calendar: WorkCalendar, start: date, days: int, paused: set[date] = frozenset()) -> tuple[date, list[DayNote], list[date]]:
    """The `days`-th working day after `start` not in `paused`; the days skipped/counted specially; the paused days met."""
    day, counted, notes, met = start, 0, [], []
    while counted < days:
        day += timedelta(days=1)
        info = calendar.day_info(day)
        if not info.is_workday:
            notes.append(DayNote(day, info.reason, False))
        elif day in paused:
            met.append(day)
        else:
            counted += 1
            if info.kind == KIND_ADJUSTED_WORKDAY:
                notes.append(DayNote(day, info.reason, True))
    return day, notes, met


def _short(day: date, base_year: int) -> str:
    return f"{day.month}月{day.day}日" if day.year == base_year else f"{day.year}年{day.month}月{day.day}日"


def _describe_skips(notes: list[DayNote], base_year: int) -> str:
    weekends = sum(1 for n in notes if not n.counted and n.reason == "周末")
    named = [n for n in notes if not n.counted and n.reason != "周末"]
    parts = []
    if weekends:
        parts.append(f"周末{weekends}天")
    parts += group_notes(named, base_year)
    return "、".join(parts)


def _describe_day(calendar: WorkCalendar, day: date) -> str:
    info = calendar.day_info(day)
    weekday = WEEKDAY_NAMES[day.weekday()]
    if info.kind == KIND_ADJUSTED_WORKDAY:
        return f"{day.isoformat()}（{weekday}，{info.reason}）"
    return f"{day.isoformat()}（{weekday}）"


def _ranges(calendar: WorkCalendar, days: list[date], base_year: int) -> str:
    """Working days as 'X月X日–X月X日' ranges; days with only rest days between them share a range."""
    groups: list[list[date]] = []
    for day in sorted(days):
        if groups:
            last = groups[-1][-1]
            between = ((last + timedelta(days=i)) for i in range(1, (day - last).days))
            if not any(calendar.is_workday(d) for d in between):
                groups[-1].append(day)
                continue
        groups.append([day])
    return "、".join(
        _short(g[0], base_year) if len(g) == 1 else f"{_short(g[0], base_year)}–{_short(g[-1], base_year)}" for g in groups
    )


def compute_clock(facts: ClockFacts, calendar: WorkCalendar) -> Clock:
    """The reply deadline of a request (pure: facts + calendar → deadline with its explanation)."""
    received = facts.received_on
    notice_due, _, _ = _count(calendar, received, CORRECTION_NOTICE_DAYS)
    base_year = received.year
    lapses = tuple(_count(calendar, c.sent_on, THIRD_PARTY_DAYS)[0] for c in facts.consultations)
    pending = tuple(lapse for c, lapse in zip(facts.consultations, lapses) if c.replied_on is None)
    if facts.correction_sent_on is not None and facts.correction_received_on is None:
        missing = calendar.missing_years(received, notice_due)
        explanation = (
            f"自{received.isoformat()}收到申请，已于{facts.correction_sent_on.isoformat()}发出补正告知，等待申请人补正；"
            f"答复期限自收到补正之日起重新计算{REPLY_DAYS}个工作日（条例第三十条）。"
        )
        return Clock(
            received_on=received, start=received, restarted=False, waiting_correction=True, due=None, base_due=None,
            days=REPLY_DAYS + facts.extension_days, extension_days=facts.extension_days, paused=(),
            correction_notice_due=notice_due, explanation=explanation, calendar_complete=not missing,
            warnings=(missing_years_warning(missing),) if missing else (), missing_years=tuple(missing),
            consultation_lapses=lapses, pending_lapses=pending,
        )
    restarted = facts.correction_received_on is not None
    start = facts.correction_received_on if restarted else received
    paused: set[date] = set()
    pending_consultation = False
    for consultation, lapse in zip(facts.consultations, lapses):
        end = min(consultation.replied_on, lapse) if consultation.replied_on else lapse
        pending_consultation |= consultation.replied_on is None
        day = consultation.sent_on
        while day < end:
            day += timedelta(days=1)
            if calendar.is_workday(day) and day > start:
                paused.add(day)
    base_due, _, _ = _count(calendar, start, REPLY_DAYS, paused)
    days = REPLY_DAYS + facts.extension_days
    due, notes, met = _count(calendar, start, days, paused)
    missing = calendar.missing_years(min(received, start), due)
    what = "收到补正" if restarted else "收到"
    opening = f"自{start.isoformat()}{what}起{REPLY_DAYS}个工作日"
    if facts.extension_days:
        opening += f"，延长{facts.extension_days}个工作日，共{days}个工作日"
    parts = [opening]
    skips = _describe_skips(notes, base_year)
    parts.append(f"跳过{skips}" if skips else "期间没有休息日")
    if met:
        note = f"征求第三方意见{_ranges(calendar, met, base_year)}共{len(met)}个工作日不计入（条例第三十二条、第三十三条）"
        if pending_consultation:
            note += "，第三方尚未回复，暂按其15个工作日答复期限计"
        parts.append(note)
    counted = [n for n in notes if n.counted]
    if counted:
        parts.append("计入" + "、".join(group_notes(counted, base_year)))
    explanation = "，".join(parts[:2]) + "".join(f"；{p}" for p in parts[2:]) + f"；答复期限 {_describe_day(calendar, due)}。"
    if restarted:
        explanation = f"{received.isoformat()}收到申请，经补正，" + explanation
    return Clock(
        received_on=received, start=start, restarted=restarted, waiting_correction=False, due=due, base_due=base_due,
        days=days, extension_days=facts.extension_days, paused=tuple(sorted(met)), correction_notice_due=notice_due,
        explanation=explanation, calendar_complete=not missing,
        warnings=(missing_years_warning(missing),) if missing else (), missing_years=tuple(missing),
        consultation_lapses=lapses, pending_lapses=pending,
    )


def clock_facts(request: InfoRequest, consultations: Iterable[InfoRequestConsultation] = ()) -> ClockFacts:
    return ClockFacts(
        received_on=request.received_on,
        correction_sent_on=request.correction_sent_on,
        correction_received_on=request.correction_received_on,
        extension_days=request.extension_days or 0,
        consultations=tuple(
            ConsultationFacts(c.sent_on, c.replied_on) for c in sorted(consultations, key=lambda c: c.sent_on)
        ),
    )


def working_days_left(calendar: WorkCalendar, today: date, due: date) -> int:
    """Working days after `today` up to `due` (0 on the due day; negative once overdue)."""
    if due >= today:
        return calendar.working_days_between(today, due, allow_guess=True)
    return -max(1, calendar.working_days_between(due, today, allow_guess=True))


# --- permissions, lookup ------------------------------------------------------------------------


def require_register(actor: Actor, *, write: bool = False) -> None:
    """The register is the township office's: village users never see it; writing needs 编辑 rights."""
    actor.require(EDIT if write else VIEW)
    if actor.is_village_scoped:
        raise NotAllowed(
            f"用户“{actor.label}”（{actor.role_label}）只能办理本村事务，依申请公开登记由乡镇经办人办理。",
            code="permission_denied", detail={"role": actor.role},
        )


def find_request(session: Session, key: str) -> InfoRequest:
    """A request by id or by its register number ('2026-003')."""
    text = (key or "").strip()
    row = session.get(InfoRequest, text) if text else None
    if row is None and "-" in text:
        year, _, seq = text.partition("-")
        if year.isdigit() and seq.isdigit():
            row = session.execute(
                select(InfoRequest).where(InfoRequest.year == int(year), InfoRequest.seq == int(seq))
            ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"没有编号为“{text}”的政府信息公开申请，请用 request list 查看登记号。", detail={"id": text})
    return row


def consultations_of(session: Session, request_ids: list[str]) -> dict[str, list[InfoRequestConsultation]]:
    found: dict[str, list[InfoRequestConsultation]] = {}
    for start in range(0, len(request_ids), 500):
        part = request_ids[start : start + 500]
        for row in session.execute(
            select(InfoRequestConsultation).where(InfoRequestConsultation.request_id.in_(part))
            .order_by(InfoRequestConsultation.sent_on)
        ).scalars():
            found.setdefault(row.request_id, []).append(row)
    return found


def clock_of(session: Session, request: InfoRequest, calendar: WorkCalendar | None = None) -> Clock:
    calendar = calendar or calendar_from_session(session)
    return compute_clock(clock_facts(request, consultations_of(session, [request.id]).get(request.id, [])), calendar)


# --- DTOs -----------------------------------------------------------------------------------------

STATE_LABELS = {
    "open": "办理中",
    "correcting": "待补正",
    "consulting": "征求意见中",
    "extended": "已延期",
    "overdue": "已逾期",
    "replied": "已答复",
    "replied_late": "逾期答复",
}


def state_of(request: InfoRequest, clock: Clock, today: date) -> str:
    if request.status == "closed":
        late = clock.due is not None and request.replied_on is not None and request.replied_on > clock.due
        return "replied_late" if late else "replied"
    if clock.waiting_correction:
        return "correcting"
    if clock.due is not None and today > clock.due:
        return "overdue"
    if any(today <= lapse for lapse in clock.pending_lapses):
        return "consulting"
    if request.extension_days:
        return "extended"
    return "open"


@dataclass(frozen=True)
class RequestRow:
    """One line of the register (masked requester): what lists, 今日待办 and the county see."""

    id: str
    number: str
    received: date
    channel: str
    channel_label: str
    requester_type: str
    requester_type_label: str
    requester: str  # masked
    content: str  # numbers masked
    status: str
    status_label: str
    due: date | None
    days_left: int | None
    outcome: str | None
    outcome_label: str
    replied: date | None
    carried_over_year: int | None
    calendar_complete: bool

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"

    def as_json(self) -> dict:
        return {
            "id": self.id, "number": self.number, "received": self.received.isoformat(), "channel": self.channel,
            "requester_type": self.requester_type, "requester": self.requester, "content": self.content,
            "status": self.status, "status_label": self.status_label,
            "due": self.due.isoformat() if self.due else None, "days_left": self.days_left,
            "outcome": self.outcome, "outcome_label": self.outcome_label,
            "replied": self.replied.isoformat() if self.replied else None,
            "carried_over_year": self.carried_over_year, "calendar_complete": self.calendar_complete,
        }


@dataclass(frozen=True)
class ConsultationRow:
    id: str
    sent_on: date
    replied_on: date | None
    opinion: str
    opinion_label: str
    third_party: str  # in clear on the request's own page
    lapse: date

    def as_json(self) -> dict:
        return {"id": self.id, "sent_on": self.sent_on.isoformat(),
                "replied_on": self.replied_on.isoformat() if self.replied_on else None,
                "opinion": self.opinion, "opinion_label": self.opinion_label, "third_party": self.third_party,
                "third_party_lapse": self.lapse.isoformat()}


@dataclass(frozen=True)
class AppealRow:
    id: str
    kind: str
    kind_label: str
    route: str
    filed_on: date
    result: str
    result_label: str
    decided_on: date | None
    note: str

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "kind_label": self.kind_label, "route": self.route,
                "filed_on": self.filed_on.isoformat(), "result": self.result, "result_label": self.result_label,
                "decided_on": self.decided_on.isoformat() if self.decided_on else None, "note": self.note}


@dataclass(frozen=True)
class LetterRow:
    id: str
    kind: str
    title: str
    ref_id: str
    doc_number: str
    issued_on: date

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "title": self.title, "ref_id": self.ref_id,
                "doc_number": self.doc_number, "issued_on": self.issued_on.isoformat()}


@dataclass(frozen=True)
class RequestDetail:
    """The request's own page: the only DTO with the requester's name and contact details in clear."""

    row: RequestRow
    clock: Clock
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    content: str
    form_wanted: str
    arrived_on: date | None
    receipt_rule: str
    correction_sent_on: date | None
    correction_received_on: date | None
    correction_deadline: date | None
    correction_items: str
    extension_days: int
    extension_reason: str
    extension_approver: str
    extension_notified_on: date | None
    outcome_basis: str
    outcome_note: str
    registered_by: str
    consultations: tuple[ConsultationRow, ...] = ()
    appeals: tuple[AppealRow, ...] = ()
    letters: tuple[LetterRow, ...] = ()

    @property
    def id(self) -> str:
        return self.row.id

    def as_json(self) -> dict:
        iso = lambda d: d.isoformat() if d else None
        return {
            **self.row.as_json(),
            "name": self.name, "id_number": self.id_number, "phone": self.phone, "email": self.email,
            "address": self.address, "content": self.content, "form_wanted": self.form_wanted,
            "arrived_on": iso(self.arrived_on), "receipt_rule": self.receipt_rule,
            "explanation": self.clock.explanation, "calendar_complete": self.clock.calendar_complete,
            "warnings": list(self.clock.warnings), "clock": self.clock.as_json(),
            "correction": {"sent_on": iso(self.correction_sent_on), "received_on": iso(self.correction_received_on),
                           "deadline": iso(self.correction_deadline), "items": self.correction_items},
            "extension": {"days": self.extension_days, "reason": self.extension_reason,
                          "approver": self.extension_approver, "notified_on": iso(self.extension_notified_on)},
            "outcome_basis": self.outcome_basis, "outcome_note": self.outcome_note,
            "registered_by": self.registered_by,
            "consultations": [c.as_json() for c in self.consultations],
            "appeals": [a.as_json() for a in self.appeals],
            "letters": [letter.as_json() for letter in self.letters],
        }


def make_row(request: InfoRequest, clock: Clock, today: date, calendar: WorkCalendar) -> RequestRow:
    state = state_of(request, clock, today)
    left = working_days_left(calendar, today, clock.due) if clock.due and request.status != "closed" else None
    code = request.outcome and (request.outcome if request.outcome in ("public", "partial")
                                else f"{request.outcome}:{request.outcome_reason or ''}")
    return RequestRow(
        id=request.id, number=register_number(request.year, request.seq), received=request.received_on,
        channel=request.channel, channel_label=CHANNEL_LABELS.get(request.channel, request.channel),
        requester_type=request.requester_type,
        requester_type_label=REQUESTER_LABELS.get(request.requester_type, request.requester_type),
        requester=request.requester_masked, content=request.content_masked, status=state,
        status_label=STATE_LABELS[state], due=clock.due, days_left=left,
        outcome=_outcome_text(request), outcome_label=outcome_label(_outcome_text(request)) if code else "",
        replied=request.replied_on, carried_over_year=request.carried_over_year,
        calendar_complete=clock.calendar_complete,
    )


def _outcome_text(request: InfoRequest) -> str | None:
    if not request.outcome:
        return None
    return f"{request.outcome}:{request.outcome_reason}" if request.outcome_reason else request.outcome


def list_rows(
    session: Session, actor: Actor, *, today: date, year: int | None = None, open_only: bool = False,
    calendar: WorkCalendar | None = None,
) -> list[RequestRow]:
    """The register, newest first (masked)."""
    require_register(actor)
    calendar = calendar or calendar_from_session(session)
    query = select(InfoRequest).order_by(InfoRequest.year.desc(), InfoRequest.seq.desc())
    if year is not None:  # received or answered in the year, or still being handled at its end
        first, last = date(int(year), 1, 1), date(int(year), 12, 31)
        query = query.where(or_(
            InfoRequest.received_on.between(first, last), InfoRequest.replied_on.between(first, last),
            and_(InfoRequest.received_on <= last, or_(InfoRequest.replied_on.is_(None), InfoRequest.replied_on > last)),
        ))
    if open_only:
        query = query.where(InfoRequest.status == "open")
    requests = list(session.execute(query).scalars())
    consultations = consultations_of(session, [r.id for r in requests])
    return [
        make_row(r, compute_clock(clock_facts(r, consultations.get(r.id, [])), calendar), today, calendar)
        for r in requests
    ]


def load_detail(session: Session, actor: Actor, key: str, *, today: date) -> RequestDetail:
    """Everything about one request, requester in clear (the request's own page)."""
    require_register(actor)
    request = find_request(session, key)
    calendar = calendar_from_session(session)
    consultations = consultations_of(session, [request.id]).get(request.id, [])
    clock = compute_clock(clock_facts(request, consultations), calendar)
    private = session.get(InfoRequestPrivate, request.id)
    parties = (private.third_parties if private else {}) or {}
    appeals = session.execute(
        select(InfoRequestAppeal).where(InfoRequestAppeal.request_id == request.id).order_by(InfoRequestAppeal.filed_on)
    ).scalars()
    letters = session.execute(
        select(InfoRequestLetter).where(InfoRequestLetter.request_id == request.id)
        .order_by(InfoRequestLetter.issued_on, InfoRequestLetter.seq)
    ).scalars()
    outcome = parse_outcome(_outcome_text(request)) if request.outcome else None
    return RequestDetail(
        row=make_row(request, clock, today, calendar), clock=clock,
        name=private.name if private else "", id_number=private.id_number if private else "",
        phone=private.phone if private else "", email=private.email if private else "",
        address=private.address if private else "", content=private.content if private else request.content_masked,
        form_wanted=request.form_wanted, arrived_on=request.arrived_on,
        receipt_rule=CHANNEL_RECEIPT_RULE.get(request.channel, ""),
        correction_sent_on=request.correction_sent_on, correction_received_on=request.correction_received_on,
        correction_deadline=request.correction_deadline, correction_items=request.correction_items,
        extension_days=request.extension_days or 0, extension_reason=request.extension_reason,
        extension_approver=request.extension_approver, extension_notified_on=request.extension_notified_on,
        outcome_basis=(LAW + outcome.basis) if outcome and outcome.basis else "", outcome_note=request.outcome_note,
        registered_by=request.registered_by,
        consultations=tuple(
            ConsultationRow(c.id, c.sent_on, c.replied_on, c.opinion, OPINIONS.get(c.opinion, c.opinion),
                            (parties.get(c.id) or {}).get("name", "") or c.third_party_masked, lapse)
            for c, lapse in zip(consultations, clock.consultation_lapses)
        ),
        appeals=tuple(
            AppealRow(a.id, a.kind, APPEAL_KINDS.get(a.kind, a.kind), a.route, a.filed_on, a.result,
                      APPEAL_RESULTS.get(a.result, a.result), a.decided_on, a.note)
            for a in appeals
        ),
        letters=tuple(
            LetterRow(x.id, x.kind, LETTER_KINDS.get(x.kind, x.kind), x.ref_id, x.doc_number, x.issued_on) for x in letters
        ),
    )


# --- registering and recording --------------------------------------------------------------------


@dataclass
class NewRequest:
    """What the clerk types in when a request arrives."""

    received_on: date
    channel: str
    requester_type: str
    content: str
    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    id_number: str = ""
    form_wanted: str = ""
    arrived_on: date | None = None


def _check_date(value: object, what: str) -> date:
    if not isinstance(value, date):
        raise InvalidInput(f"{what}无效，应为 YYYY-MM-DD 格式的日期。", code="bad_date", detail={"value": str(value)})
    if value.year > 2200:
        raise InvalidInput(f"{what} {value} 超出可计算范围。", code="bad_date", detail={"value": value.isoformat()})
    return value


def _text(value: object, what: str, limit: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split()) if limit <= 300 else str(value or "").strip()
    if required and not text:
        raise InvalidInput(f"请填写{what}。", code="missing_required", detail={"field": what})
    if len(text) > limit:
        raise InvalidInput(f"{what}过长（{len(text)} 字），最多 {limit} 字。", code="too_long", detail={"field": what})
    return text


def validate_new(new: NewRequest) -> NewRequest:
    received = _check_date(new.received_on, "收到申请日期")
    if received < REGULATION_IN_FORCE:
        raise InvalidInput(
            f"收到日期 {received} 早于修订后的《政府信息公开条例》施行日（2019-05-15）；本登记簿按修订后的条例计算期限。",
            code="bad_date", detail={"received": received.isoformat()},
        )
    if new.channel not in REQUEST_CHANNELS:
        choices = "、".join(f"{k}（{v}）" for k, v in CHANNEL_LABELS.items())
        raise InvalidInput(f"收到方式“{new.channel}”无法识别，可选：{choices}。", code="bad_channel",
                           detail={"channel": new.channel})
    if new.requester_type not in REQUESTER_TYPES:
        choices = "、".join(f"{k}（{v}）" for k, v in REQUESTER_LABELS.items())
        raise InvalidInput(f"申请人类型“{new.requester_type}”无法识别，可选：{choices}。", code="bad_requester_type",
                           detail={"requester_type": new.requester_type})
    if new.arrived_on is not None:
        arrived = _check_date(new.arrived_on, "申请送达日期")
        if arrived > received:
            raise InvalidInput(f"申请送达日期 {arrived} 晚于确认收到日期 {received}，请核对。", code="bad_date")
    return NewRequest(
        received_on=received, channel=new.channel, requester_type=new.requester_type,
        content=_text(new.content, "申请公开的政府信息内容", MAX_CONTENT, required=True),
        name=_text(new.name, "申请人姓名或名称", 200), phone=_text(new.phone, "联系电话", 30),
        email=_text(new.email, "电子邮箱", 100), address=_text(new.address, "通讯地址", 300),
        id_number=_text(new.id_number, "证件号码", 30), form_wanted=_text(new.form_wanted, "获取信息的方式", 100),
        arrived_on=new.arrived_on,
    )


def _township_id(session: Session) -> str | None:
    from zwgk_desktop.core.townships import current_township

    township = current_township(session)
    return township.id if township else None


def register_request(session: Session, actor: Actor, new: NewRequest) -> InfoRequest:
    """Enter a request in the register (next number of its year), its private part kept apart."""
    require_register(actor, write=True)
    new = validate_new(new)
    year = new.received_on.year
    seq = (session.execute(select(func.max(InfoRequest.seq)).where(InfoRequest.year == year)).scalar() or 0) + 1
    request = InfoRequest(
        township_id=_township_id(session), year=year, seq=seq, received_on=new.received_on, arrived_on=new.arrived_on,
        channel=new.channel, requester_type=new.requester_type,
        requester_masked=mask_requester(new.name, new.requester_type == "person"),
        content_masked=mask_request_text(new.content), form_wanted=new.form_wanted, status="open",
        registered_by=actor.username,
    )
    session.add(request)
    session.flush()
    session.add(InfoRequestPrivate(
        request_id=request.id, name=new.name, id_number=new.id_number, phone=new.phone, email=new.email,
        address=new.address, content=new.content,
    ))
    _refresh_due(session, request)
    return request


def update_requester(session: Session, actor: Actor, key: str, **fields: str) -> InfoRequest:
    """Correct the requester's details (name, phone, email, address, id_number) on the request's own page."""
    require_register(actor, write=True)
    request = find_request(session, key)
    private = session.get(InfoRequestPrivate, request.id) or InfoRequestPrivate(request_id=request.id)
    limits = {"name": 200, "phone": 30, "email": 100, "address": 300, "id_number": 30}
    for key_name, value in fields.items():
        if key_name not in limits:
            raise InvalidInput(f"未知字段 {key_name}。", code="bad_field")
        setattr(private, key_name, _text(value, key_name, limits[key_name]))
    session.add(private)
    request.requester_masked = mask_requester(private.name, request.requester_type == "person")
    from zwgk_desktop.core.audit import record

    record(session, "request_requester_changed", "info_request", request.id, {"fields": sorted(fields)})
    return request


def _require_open(request: InfoRequest, doing: str) -> None:
    if request.status != "open":
        raise NotAllowed(
            f"申请 {register_number(request.year, request.seq)} 已于 {request.replied_on} 答复，不能再{doing}。",
            code="request_closed",
        )


def _refresh_due(session: Session, request: InfoRequest, calendar: WorkCalendar | None = None) -> Clock:
    clock = clock_of(session, request, calendar)
    request.due_on = clock.due
    session.flush()
    return clock


def record_correction(
    session: Session, actor: Actor, key: str, sent_on: date, received_on: date | None = None, *,
    items: str = "", deadline: date | None = None,
) -> InfoRequest:
    """补正 (art. 30): the one notice (within 7 working days of 收到) and, later, the day the 补正 arrived."""
    require_register(actor, write=True)
    request = find_request(session, key)
    _require_open(request, "登记补正")
    sent_on = _check_date(sent_on, "补正告知发出日期")
    calendar = calendar_from_session(session)
    clock = compute_clock(clock_facts(request, consultations_of(session, [request.id]).get(request.id, [])), calendar)
    number = register_number(request.year, request.seq)
    if request.correction_sent_on is not None and request.correction_sent_on != sent_on:
        raise InvalidInput(
            f"申请 {number} 已于 {request.correction_sent_on} 发出补正告知。条例第三十条要求一次性告知需要补正的事项，"
            "不能再次告知补正；如只是登记补正收到日期，请使用原发出日期。",
            code="correction_twice", detail={"sent_on": request.correction_sent_on.isoformat()},
        )
    if sent_on < request.received_on:
        raise InvalidInput(f"补正告知发出日期 {sent_on} 早于收到申请日期 {request.received_on}，请核对。",
                           code="correction_before_received")
    if sent_on > clock.correction_notice_due:
        raise InvalidInput(
            f"补正告知应在收到申请之日起{CORRECTION_NOTICE_DAYS}个工作日内发出（条例第三十条），"
            f"即不晚于 {clock.correction_notice_due}；{sent_on} 已超过期限，不能再要求补正，请按原申请内容答复。",
            code="correction_late", detail={"latest": clock.correction_notice_due.isoformat()},
        )
    if deadline is not None:
        deadline = _check_date(deadline, "补正期限")
        if deadline < sent_on:
            raise InvalidInput(f"补正期限 {deadline} 早于补正告知发出日期 {sent_on}，请核对。", code="bad_date")
    if received_on is not None:
        received_on = _check_date(received_on, "收到补正日期")
        if received_on < sent_on:
            raise InvalidInput(f"收到补正日期 {received_on} 早于补正告知发出日期 {sent_on}，请核对。",
                               code="correction_before_notice")
        if request.correction_received_on is not None and request.correction_received_on != received_on:
            raise InvalidInput(f"申请 {number} 已登记于 {request.correction_received_on} 收到补正。",
                               code="correction_received_twice")
    request.correction_sent_on = sent_on
    if received_on is not None:
        request.correction_received_on = received_on
    if items:
        request.correction_items = _text(items, "需要补正的事项", 2000)
    if deadline is not None:
        request.correction_deadline = deadline
    _refresh_due(session, request, calendar)
    return request


def record_extension(
    session: Session, actor: Actor, key: str, days: int, reason: str, *, approver: str = "",
    notified_on: date | None = None, today: date | None = None,
) -> InfoRequest:
    """The one extension (art. 33): ≤ 20 working days, approved, told to the requester before the deadline."""
    require_register(actor, write=True)
    request = find_request(session, key)
    _require_open(request, "延期")
    number = register_number(request.year, request.seq)
    if request.extension_days:
        raise InvalidInput(
            f"申请 {number} 已于 {request.extension_notified_on} 延期 {request.extension_days} 个工作日。"
            "条例第三十三条只允许延长一次答复期限。",
            code="extension_twice",
        )
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(f"延长的期限应为 1–{MAX_EXTENSION_DAYS} 个工作日（条例第三十三条），不能是“{days}”。",
                           code="bad_extension", detail={"days": days})
    reason = _text(reason, "延期理由", 1000, required=True)
    approver = _text(approver or actor.label, "批准人", 100, required=True)
    calendar = calendar_from_session(session)
    clock = compute_clock(clock_facts(request, consultations_of(session, [request.id]).get(request.id, [])), calendar)
    if clock.waiting_correction:
        raise NotAllowed(f"申请 {number} 正在等待申请人补正，答复期限尚未起算，不需要延期。", code="waiting_correction")
    if notified_on is None:
        notified_on = max(today or date.today(), request.received_on)
    notified_on = _check_date(notified_on, "告知申请人日期")
    if notified_on < request.received_on:
        raise InvalidInput(f"告知延期日期 {notified_on} 早于收到申请日期 {request.received_on}，请核对。", code="bad_date")
    if notified_on > clock.due:
        raise InvalidInput(
            f"答复期限已于 {clock.due} 届满，{notified_on} 告知延期已超过期限（条例第三十三条：延期须在答复期限内经批准并告知申请人）。"
            "请尽快答复；如确已在期限内告知申请人，请用 --notified 写明告知日期。",
            code="extension_late", detail={"due": clock.due.isoformat(), "notified_on": notified_on.isoformat()},
        )
    request.extension_days = days
    request.extension_reason = reason
    request.extension_approver = approver
    request.extension_notified_on = notified_on
    _refresh_due(session, request, calendar)
    return request


def record_consultation(
    session: Session, actor: Actor, key: str, sent_on: date, *, replied_on: date | None = None,
    third_party: str = "", opinion: str = "",
) -> InfoRequestConsultation:
    """征求第三方意见 (art. 32): open one (sent), or record the answer of the one sent that day."""
    require_register(actor, write=True)
    request = find_request(session, key)
    _require_open(request, "征求第三方意见")
    sent_on = _check_date(sent_on, "征求意见书发出日期")
    if opinion not in OPINIONS:
        choices = "、".join(f"{k}（{v}）" for k, v in OPINIONS.items() if k)
        raise InvalidInput(f"第三方意见“{opinion}”无法识别，可选：{choices}。", code="bad_opinion")
    calendar = calendar_from_session(session)
    existing = consultations_of(session, [request.id]).get(request.id, [])
    clock = compute_clock(clock_facts(request, existing), calendar)
    if sent_on < (request.correction_received_on or request.received_on):
        raise InvalidInput(f"征求意见书发出日期 {sent_on} 早于答复期限的起算日，请核对。", code="bad_date")
    row = next((c for c in existing if c.sent_on == sent_on), None)
    if row is None:
        if clock.due is not None and sent_on > clock.due:
            raise InvalidInput(f"答复期限已于 {clock.due} 届满，不能再以征求第三方意见停止计时。", code="consultation_late")
        row = InfoRequestConsultation(request_id=request.id, sent_on=sent_on)
        session.add(row)
        session.flush()
    if replied_on is not None:
        replied_on = _check_date(replied_on, "第三方回复日期")
        if replied_on < sent_on:
            raise InvalidInput(f"第三方回复日期 {replied_on} 早于征求意见书发出日期 {sent_on}，请核对。", code="bad_date")
        if not (opinion or row.opinion):
            choices = "、".join(f"{k}（{v}）" for k, v in OPINIONS.items() if k)
            raise InvalidInput(f"登记第三方回复时请写明其意见：{choices}。", code="bad_opinion")
        row.replied_on = replied_on
        row.opinion = opinion or row.opinion
    elif opinion:
        row.opinion = opinion
    party = _text(third_party, "第三方名称", 200)
    if party:
        row.third_party_masked = mask_requester(party, is_person=len(party) <= 4)
        private = session.get(InfoRequestPrivate, request.id) or InfoRequestPrivate(request_id=request.id)
        private.third_parties = {**(private.third_parties or {}), row.id: {"name": party}}
        session.add(private)
    _refresh_due(session, request, calendar)
    return row


def record_reply(
    session: Session, actor: Actor, key: str, replied_on: date, outcome_text: str, *, note: str = "",
) -> tuple[InfoRequest, Outcome, Clock]:
    """The answer: its date (not before 收到) and its outcome with the reason the format counts."""
    require_register(actor, write=True)
    request = find_request(session, key)
    _require_open(request, "答复")
    replied_on = _check_date(replied_on, "答复日期")
    outcome = parse_outcome(outcome_text)
    note = _text(note, "答复说明", 2000)
    number = register_number(request.year, request.seq)
    if replied_on < request.received_on:
        raise InvalidInput(
            f"答复日期 {replied_on} 早于收到申请日期 {request.received_on}，请核对后重新登记。",
            code="reply_before_received", detail={"received": request.received_on.isoformat()},
        )
    if outcome.code == "other:other" and not note:
        raise InvalidInput("“其他处理—其他”必须在答复说明中写明具体处理情况（--note）。", code="outcome_reason_missing")
    waiting = request.correction_sent_on is not None and request.correction_received_on is None
    if waiting and outcome.code != "other:no_correction":
        raise InvalidInput(
            f"申请 {number} 已于 {request.correction_sent_on} 告知补正，尚未登记收到补正。请先登记收到补正日期；"
            "申请人逾期不补正的，答复结果为 other:no_correction。",
            code="waiting_correction",
        )
    if outcome.code == "other:no_correction":
        if request.correction_sent_on is None:
            raise InvalidInput(f"申请 {number} 没有登记补正告知，不能以“逾期不补正”办结。", code="no_correction_notice")
        if request.correction_deadline is not None and replied_on <= request.correction_deadline:
            raise InvalidInput(f"补正期限到 {request.correction_deadline} 为止，期满后才能以“逾期不补正”办结。",
                               code="correction_not_lapsed")
    if outcome.code == "unable:unclear" and request.correction_received_on is None:
        raise InvalidInput("“补正后申请内容仍不明确”须先登记补正告知和收到补正的日期。", code="no_correction_notice")
    if request.correction_received_on is not None and replied_on < request.correction_received_on:
        raise InvalidInput(f"答复日期 {replied_on} 早于收到补正日期 {request.correction_received_on}，请核对。",
                           code="reply_before_received")
    calendar = calendar_from_session(session)
    clock = _refresh_due(session, request, calendar)
    request.replied_on = replied_on
    request.outcome = outcome.kind
    request.outcome_reason = outcome.reason or None
    request.outcome_note = note
    request.status = "closed"
    session.flush()
    return request, outcome, clock


def mark_carried_over(session: Session, actor: Actor, year: int, keys: Iterable[str] | None = None) -> list[InfoRequest]:
    """Confirm requests still open at the end of `year` as 结转下年度继续办理 (all such when `keys` is None)."""
    require_register(actor, write=True)
    year_end = date(int(year), 12, 31)
    if keys is None:
        rows = list(session.execute(
            select(InfoRequest).where(InfoRequest.status == "open", InfoRequest.received_on <= year_end)
        ).scalars())
    else:
        rows = [find_request(session, k) for k in keys]
    for row in rows:
        number = register_number(row.year, row.seq)
        if row.received_on > year_end:
            raise InvalidInput(f"申请 {number} 于 {row.received_on} 收到，不属于 {year} 年，不能结转。", code="bad_year")
        if row.status != "open" and row.replied_on is not None and row.replied_on <= year_end:
            raise InvalidInput(f"申请 {number} 已于 {row.replied_on} 答复，不需要结转。", code="request_closed")
        if row.status == "open" and (row.carried_over_year or 0) < year:
            row.carried_over_year = int(year)
    session.flush()
    return rows


def unmarked_open_requests(session: Session, year: int) -> list[InfoRequest]:
    """Requests received by the end of `year`, still without any answer, not confirmed as 结转 for that year."""
    year_end = date(int(year), 12, 31)
    return list(session.execute(
        select(InfoRequest).where(
            InfoRequest.status == "open", InfoRequest.received_on <= year_end,
            or_(InfoRequest.carried_over_year.is_(None), InfoRequest.carried_over_year < int(year)),
        ).order_by(InfoRequest.year, InfoRequest.seq)
    ).scalars())


def record_appeal(
    session: Session, actor: Actor, key: str | None, *, kind: str = "", filed_on: date | None = None,
    route: str = "", result: str = "pending", decided_on: date | None = None, note: str = "",
    appeal_id: str | None = None,
) -> InfoRequestAppeal:
    """A 行政复议/行政诉讼 about a request (new), or the result of one already recorded (`appeal_id`)."""
    require_register(actor, write=True)
    if result not in APPEAL_RESULTS:
        choices = "、".join(f"{k}（{v}）" for k, v in APPEAL_RESULTS.items())
        raise InvalidInput(f"结果“{result}”无法识别，可选：{choices}。", code="bad_appeal")
    if appeal_id:
        row = session.get(InfoRequestAppeal, appeal_id)
        if row is None:
            raise NotFound(f"没有编号为 {appeal_id} 的复议或诉讼记录。")
    else:
        request = find_request(session, key or "")
        if kind not in APPEAL_KINDS:
            raise InvalidInput("类型应为 review（行政复议）或 lawsuit（行政诉讼）。", code="bad_appeal")
        if kind == "lawsuit" and route not in APPEAL_ROUTES:
            raise InvalidInput("行政诉讼须注明 direct（未经复议直接起诉）或 after_review（复议后起诉）。", code="bad_appeal")
        filed_on = _check_date(filed_on, "申请复议或起诉日期")
        if filed_on < request.received_on:
            raise InvalidInput(f"申请复议或起诉日期 {filed_on} 早于收到申请日期 {request.received_on}。", code="bad_date")
        row = InfoRequestAppeal(request_id=request.id, kind=kind, route=route if kind == "lawsuit" else "",
                                filed_on=filed_on)
        session.add(row)
    if result != "pending" and decided_on is None:
        raise InvalidInput("已审结的复议或诉讼须填写结果日期。", code="bad_appeal")
    if decided_on is not None:
        decided_on = _check_date(decided_on, "审结日期")
        if decided_on < row.filed_on:
            raise InvalidInput(f"审结日期 {decided_on} 早于申请复议或起诉日期 {row.filed_on}。", code="bad_date")
    row.result = result
    row.decided_on = decided_on if result != "pending" else None
    if note:
        row.note = _text(note, "备注", 1000)
    session.flush()
    return row


# --- settings and 文号 ---------------------------------------------------------------------------


def request_settings(session: Session) -> dict:
    stored = get_setting(session, SETTING_KEY, {}) or {}
    return {**DEFAULT_SETTINGS, **{k: v for k, v in stored.items() if k in DEFAULT_SETTINGS}}


def save_request_settings(session: Session, actor: Actor, values: dict) -> dict:
    """Store the 文号 prefix / yearly start numbers and the office's details (设置)."""
    actor.require(SETTINGS)
    current = request_settings(session)
    for key, value in values.items():
        if key not in DEFAULT_SETTINGS:
            raise InvalidInput(f"未知设置项 {key}。", code="bad_setting")
        if key == "letter_start":
            starts = {}
            for year, first in dict(value or {}).items():
                if not str(year).isdigit() or isinstance(first, bool) or not isinstance(first, int) or first < 1:
                    raise InvalidInput(f"{year} 年的起始文号应为正整数。", code="bad_setting")
                starts[str(int(year))] = first
            current[key] = starts
        else:
            current[key] = _text(value, key, 200)
    set_setting(session, SETTING_KEY, dict(current))
    return current


def organ_names(session: Session) -> dict:
    """The township's name, the county's, and the texts letters print (defaults derived from them)."""
    from zwgk_desktop.core.townships import current_township

    township = current_township(session)
    name = township.name if township else ""
    county = (township.county_name if township else "") or ""
    settings = request_settings(session)
    short = name.removesuffix("人民政府").removesuffix("镇").removesuffix("乡").removesuffix("街道") or name
    return {
        "organ": f"{name}人民政府" if name and not name.endswith("人民政府") else name,
        "township": name,
        "prefix": settings["letter_prefix"] or (f"{short}政信" if short else "政信"),
        "office": settings["office"] or (f"{name}党政办公室" if name else ""),
        "office_phone": settings["office_phone"] or ((township.supervise_phone if township else "") or ""),
        "office_address": settings["office_address"],
        "review_body": settings["review_body"] or (f"{county}人民政府" if county else "县级人民政府"),
        "court": settings["court"] or (f"{county}人民法院" if county else "有管辖权的人民法院"),
        "starts": settings["letter_start"],
    }


def letter_event(session: Session, request: InfoRequest, kind: str, ref_id: str = "") -> tuple[date, str]:
    """The date a letter of `kind` bears (the event it records) and the consultation it belongs to."""
    number = register_number(request.year, request.seq)
    if kind not in LETTER_KINDS:
        choices = "、".join(f"{k}（{v}）" for k, v in LETTER_KINDS.items())
        raise InvalidInput(f"文书类型“{kind}”无法识别，可选：{choices}。", code="bad_letter")
    if kind == "receipt":
        return request.received_on, ""
    if kind == "correction":
        if request.correction_sent_on is None:
            raise NotAllowed(f"申请 {number} 没有登记补正告知，不能出具补正告知书。", code="no_event")
        return request.correction_sent_on, ""
    if kind == "extension":
        if not request.extension_days or request.extension_notified_on is None:
            raise NotAllowed(f"申请 {number} 没有延期，不能出具延期答复告知书。", code="no_event")
        return request.extension_notified_on, ""
    if kind == "consultation":
        rows = consultations_of(session, [request.id]).get(request.id, [])
        row = next((c for c in rows if c.id == ref_id), None) if ref_id else (rows[-1] if rows else None)
        if row is None:
            raise NotAllowed(f"申请 {number} 没有登记征求第三方意见，不能出具意见征询书。", code="no_event")
        return row.sent_on, row.id
    if request.replied_on is None:
        raise NotAllowed(f"申请 {number} 尚未登记答复，不能出具答复书。", code="no_event")
    return request.replied_on, ""


def issue_letter(session: Session, actor: Actor, key: str, kind: str, ref_id: str = "") -> InfoRequestLetter:
    """The letter's register entry: an existing one is reused, a new one takes the next 文号 of its year."""
    require_register(actor, write=True)
    request = find_request(session, key)
    issued_on, ref = letter_event(session, request, kind, ref_id)
    existing = session.execute(
        select(InfoRequestLetter).where(InfoRequestLetter.request_id == request.id, InfoRequestLetter.kind == kind,
                                        InfoRequestLetter.ref_id == ref)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    names = organ_names(session)
    year = issued_on.year
    used = session.execute(select(func.max(InfoRequestLetter.seq)).where(InfoRequestLetter.year == year)).scalar() or 0
    seq = max(used + 1, int(names["starts"].get(str(year), 1)))
    letter = InfoRequestLetter(
        request_id=request.id, kind=kind, ref_id=ref, year=year, seq=seq,
        doc_number=f"{names['prefix']}〔{year}〕{seq}号", issued_on=issued_on, issued_by=actor.username,
    )
    session.add(letter)
    session.flush()
    return letter


# --- 今日待办 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRequest:
    row: RequestRow
    overdue: bool

    def as_json(self) -> dict:
        return {**asdict(self.row), "overdue": self.overdue}


def due_items(session: Session, actor: Actor, today: date) -> list[DueRequest]:
    """Open requests overdue or due within `DUE_SOON_DAYS` working days, and 补正 notices about to lapse."""
    if actor.is_village_scoped or not actor.can(VIEW):
        return []
    calendar = calendar_from_session(session)
    found = []
    for row in list_rows(session, actor, today=today, open_only=True, calendar=calendar):
        if row.due is None:
            continue
        if row.due < today:
            found.append(DueRequest(row, True))
        elif row.days_left is not None and row.days_left <= DUE_SOON_DAYS:
            found.append(DueRequest(row, False))
    return found

