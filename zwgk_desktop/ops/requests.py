"""依申请公开 use cases: the register, its clock, its letters, 复议/诉讼 records and the yearly report.

Each op is `op(db, actor, *args, today=None, job=None) -> DTO`; the rules live in
`core.requests` (register + clock), `services.annual_report` (the national
format's tables and their cross-checks) and `services.printing.letters`
(the PDFs). Rendering happens outside any database session: `issue_letter`
(a write: the 文号) returns the letter's facts, `render_letter` draws them;
`print_letter` does both for the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from zwgk_desktop.core import requests as register
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import Changes, read_session, reads, unit_of_work, writes


def _today(today: date | None) -> date:
    return today or date.today()


@dataclass(frozen=True)
class RequestSaved:
    """What a change to a request answers: its number and the reply deadline now, with the explanation."""

    id: str
    number: str
    status: str
    status_label: str
    due: date | None
    explanation: str
    calendar_complete: bool
    warnings: tuple[str, ...]
    correction_notice_due: date
    extra: dict = field(default_factory=dict)

    @property
    def changes(self) -> Changes:
        return Changes(frozenset({"requests"}), (self.id,))

    def as_json(self) -> dict:
        return {
            "id": self.id, "number": self.number, "status": self.status, "status_label": self.status_label,
            "due": self.due.isoformat() if self.due else None, "explanation": self.explanation,
            "calendar_complete": self.calendar_complete, "warnings": list(self.warnings),
            "correction_notice_due": self.correction_notice_due.isoformat(), **self.extra,
        }


def _saved(session, request, today: date, **extra) -> RequestSaved:
    calendar = register.calendar_from_session(session)
    clock = register.clock_of(session, request, calendar)
    row = register.make_row(request, clock, today, calendar)
    return RequestSaved(
        id=request.id, number=row.number, status=row.status, status_label=row.status_label, due=clock.due,
        explanation=clock.explanation, calendar_complete=clock.calendar_complete, warnings=clock.warnings,
        correction_notice_due=clock.correction_notice_due, extra=extra,
    )


@writes("requests")
def add_request(db, actor: Actor, new: register.NewRequest, *, today: date | None = None, job=None) -> RequestSaved:
    """Register a request that arrived; answers its deadline (20 working days from 收到) explained."""
    with unit_of_work(db, actor) as session:
        request = register.register_request(session, actor, new)
        warnings = []
        if request.received_on > _today(today):
            warnings.append(f"收到日期 {request.received_on} 晚于今天，请核对。")
        saved = _saved(session, request, _today(today), receipt_rule=register.CHANNEL_RECEIPT_RULE[request.channel])
        return RequestSaved(**{**saved.__dict__, "warnings": saved.warnings + tuple(warnings)})


@dataclass(frozen=True)
class RequestList:
    rows: tuple[register.RequestRow, ...]
    today: date

    def as_json(self) -> dict:
        return {"requests": [r.as_json() for r in self.rows], "today": self.today.isoformat()}


@reads
def list_requests(
    db, actor: Actor, *, year: int | None = None, open_only: bool = False, today: date | None = None, job=None,
) -> RequestList:
    """The register (requesters masked), newest first."""
    with read_session(db, actor) as session:
        rows = register.list_rows(session, actor, today=_today(today), year=year, open_only=open_only)
        return RequestList(tuple(rows), _today(today))


@reads
def show_request(db, actor: Actor, key: str, *, today: date | None = None, job=None) -> register.RequestDetail:
    """One request's own page: requester in clear, clock explained, consultations, appeals, letters."""
    with read_session(db, actor) as session:
        return register.load_detail(session, actor, key, today=_today(today))


@writes("requests")
def update_requester(db, actor: Actor, key: str, fields: dict, *, today: date | None = None, job=None) -> RequestSaved:
    with unit_of_work(db, actor) as session:
        request = register.update_requester(session, actor, key, **fields)
        return _saved(session, request, _today(today))


@writes("requests")
def extend_request(
    db, actor: Actor, key: str, days: int, reason: str, *, approver: str = "", notified_on: date | None = None,
    today: date | None = None, job=None,
) -> RequestSaved:
    """The one extension (≤ 20 working days), told to the requester before the deadline."""
    with unit_of_work(db, actor) as session:
        request = register.record_extension(session, actor, key, days, reason, approver=approver,
                                            notified_on=notified_on, today=_today(today))
        return _saved(session, request, _today(today), extension_days=request.extension_days,
                      notified_on=request.extension_notified_on.isoformat())


@writes("requests")
def correct_request(
    db, actor: Actor, key: str, sent_on: date, received_on: date | None = None, *, items: str = "",
    deadline: date | None = None, today: date | None = None, job=None,
) -> RequestSaved:
    """补正: the notice sent (within 7 working days) and, when it is back, the day the clock restarts."""
    with unit_of_work(db, actor) as session:
        request = register.record_correction(session, actor, key, sent_on, received_on, items=items, deadline=deadline)
        return _saved(session, request, _today(today))


@writes("requests")
def consult_third_party(
    db, actor: Actor, key: str, sent_on: date, *, replied_on: date | None = None, third_party: str = "",
    opinion: str = "", today: date | None = None, job=None,
) -> RequestSaved:
    """征求第三方意见: the days it takes (at most the third party's 15 working days) stop the clock."""
    with unit_of_work(db, actor) as session:
        row = register.record_consultation(session, actor, key, sent_on, replied_on=replied_on,
                                           third_party=third_party, opinion=opinion)
        request = register.find_request(session, key)
        return _saved(session, request, _today(today), consultation_id=row.id)


@writes("requests")
def reply_request(
    db, actor: Actor, key: str, replied_on: date, outcome: str, *, note: str = "", today: date | None = None, job=None,
) -> RequestSaved:
    """Record the answer and its outcome (with the reason the yearly format counts)."""
    with unit_of_work(db, actor) as session:
        request, parsed, clock = register.record_reply(session, actor, key, replied_on, outcome, note=note)
        on_time = clock.due is None or replied_on <= clock.due
        saved = _saved(
            session, request, _today(today), outcome=parsed.text, outcome_code=parsed.code,
            outcome_label=parsed.label, basis=(register.LAW + parsed.basis) if parsed.basis else "",
            replied=replied_on.isoformat(), on_time=on_time,
        )
        if not on_time:
            late = f"答复日期 {replied_on} 晚于答复期限 {clock.due}，已按逾期答复登记。"
            saved = RequestSaved(**{**saved.__dict__, "warnings": saved.warnings + (late,)})
        return saved


@dataclass(frozen=True)
class CarryResult:
    year: int
    numbers: tuple[str, ...]

    @property
    def changes(self) -> Changes:
        return Changes(frozenset({"requests"}))

    def as_json(self) -> dict:
        return {"year": self.year, "carried": list(self.numbers), "count": len(self.numbers)}


@writes("requests")
def carry_over(db, actor: Actor, year: int, keys: list[str] | None = None, *, job=None) -> CarryResult:
    """Confirm requests still open at the end of `year` as 结转下年度继续办理 (all open ones without `keys`)."""
    with unit_of_work(db, actor) as session:
        rows = register.mark_carried_over(session, actor, year, keys)
        return CarryResult(int(year), tuple(register.register_number(r.year, r.seq) for r in rows if r.status == "open"))


@dataclass(frozen=True)
class AppealSaved:
    id: str
    request_id: str
    kind: str
    result: str

    @property
    def changes(self) -> Changes:
        return Changes(frozenset({"requests"}), (self.request_id,))

    def as_json(self) -> dict:
        return {"id": self.id, "request_id": self.request_id, "kind": self.kind, "result": self.result,
                "kind_label": register.APPEAL_KINDS.get(self.kind, self.kind),
                "result_label": register.APPEAL_RESULTS.get(self.result, self.result)}


@writes("requests")
def record_appeal(
    db, actor: Actor, key: str | None, *, kind: str = "", filed_on: date | None = None, route: str = "",
    result: str = "pending", decided_on: date | None = None, note: str = "", appeal_id: str | None = None, job=None,
) -> AppealSaved:
    """A 行政复议/行政诉讼 linked to a request, or the result of one recorded before."""
    with unit_of_work(db, actor) as session:
        row = register.record_appeal(session, actor, key, kind=kind, filed_on=filed_on, route=route, result=result,
                                     decided_on=decided_on, note=note, appeal_id=appeal_id)
        return AppealSaved(row.id, row.request_id, row.kind, row.result)


# --- letters -------------------------------------------------------------------------------------


@writes("requests")
def issue_letter(db, actor: Actor, key: str, kind: str, *, ref_id: str = "", today: date | None = None, job=None):
    """Take (or reuse) the letter's 文号 and return everything it prints (`services.printing.letters.LetterDoc`)."""
    from zwgk_desktop.services.printing.letters import letter_doc

    with unit_of_work(db, actor) as session:
        letter = register.issue_letter(session, actor, key, kind, ref_id)
        detail = register.load_detail(session, actor, key, today=_today(today))
        calendar = register.calendar_from_session(session)
        original_due = register.compute_clock(register.ClockFacts(detail.row.received), calendar).due
        return letter_doc(detail, letter, register.organ_names(session), original_due)


@dataclass(frozen=True)
class LetterPrinted:
    path: str
    kind: str
    title: str
    doc_number: str
    issued_on: date
    pages: int
    sha256: str
    missing_glyphs: tuple[str, ...]
    request_id: str

    @property
    def changes(self) -> Changes:
        return Changes(frozenset({"requests", "prints"}), (self.request_id,))

    def as_json(self) -> dict:
        return {"path": self.path, "kind": self.kind, "title": self.title, "doc_number": self.doc_number,
                "issued_on": self.issued_on.isoformat(), "pages": self.pages, "sha256": self.sha256,
                "missing_glyphs": list(self.missing_glyphs)}


@writes("requests", "prints")
def print_letter(
    db, actor: Actor, key: str, kind: str, out_path: str | Path, *, ref_id: str = "", today: date | None = None,
    job=None,
) -> LetterPrinted:
    """Issue a letter and draw its PDF (after the transaction: no session is open while rendering)."""
    from zwgk_desktop.services.printing.letters import render_letter

    doc = issue_letter(db, actor, key, kind, ref_id=ref_id, today=today)
    result = render_letter(doc, out_path)
    return LetterPrinted(
        path=str(result.path), kind=doc.kind, title=doc.title, doc_number=doc.doc_number, issued_on=doc.issued_on,
        pages=result.pages, sha256=result.sha256, missing_glyphs=result.missing_glyphs, request_id=doc.request_id,
    )


# --- settings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestSettings:
    values: dict
    prefix: str  # the 文号 prefix letters use now (the default when none is set)

    def as_json(self) -> dict:
        return {**self.values, "effective_prefix": self.prefix}


@reads
def load_request_settings(db, actor: Actor, *, job=None) -> RequestSettings:
    with read_session(db, actor) as session:
        return RequestSettings(register.request_settings(session), register.organ_names(session)["prefix"])


@writes("settings")
def save_request_settings(db, actor: Actor, values: dict, *, job=None) -> RequestSettings:
    """文号 prefix and yearly start numbers, the office's name and contacts, the 复议机关 and court (设置)."""
    with unit_of_work(db, actor) as session:
        stored = register.save_request_settings(session, actor, values)
        return RequestSettings(stored, register.organ_names(session)["prefix"])


# --- the yearly report --------------------------------------------------------------------------


@reads
def annual_report_preview(db, actor: Actor, year: int, *, job=None):
    """The year's tables and cross-checks, without writing anything (`services.annual_report.AnnualReport`)."""
    from zwgk_desktop.services.annual_report import build_annual_report

    with read_session(db, actor) as session:
        register.require_register(actor)
        return build_annual_report(session, int(year), strict=False)


@writes("requests")
def save_annual_manual(db, actor: Actor, year: int, values: dict, *, job=None):
    """Store the table-二 figures typed in by hand (规章, 规范性文件, 许可, 处罚, 强制, 收费)."""
    from zwgk_desktop.services.annual_report import save_manual_values

    with unit_of_work(db, actor) as session:
        register.require_register(actor, write=True)
        return save_manual_values(session, actor, int(year), values)


@writes("requests")
def export_annual_report(
    db, actor: Actor, year: int, xlsx_path: str | Path, *, pdf_path: str | Path | None = None,
    manual: dict | None = None, job=None,
):
    """Build the tables, run the cross-checks, and only when they all hold write the .xlsx (and PDF) and file
    the year's counts with the hand-typed table-二 figures (`manual`; synced to the county). A refusal or a
    failed check writes nothing and names the cells and requests."""
    from zwgk_desktop.services.annual_report import (
        build_annual_report,
        file_report,
        write_pdf,
        write_xlsx,
    )

    with read_session(db, actor) as session:
        register.require_register(actor, write=True)
        report = build_annual_report(session, int(year), strict=True, manual=manual)
    if job is not None:
        job.check()
    if not report.ok:
        return report
    report.paths["xlsx"] = str(write_xlsx(report, xlsx_path))
    if pdf_path:
        report.paths["pdf"] = str(write_pdf(report, pdf_path))
    with unit_of_work(db, actor) as session:
        file_report(session, actor, report)
    return report
