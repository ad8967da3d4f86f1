"""Printing a notice's poster: load (read op) → render outside any session (pure) → record the print (write op).

Use cases:
- `poster_choices`: what the print dialog offers — the villages' parts the
  actor may print (a 村级用户 only theirs), whether the whole list too, the
  notice's boards, and the 公示期 it would print (posted: the stored period;
  not yet posted: the planned posting day, by default the next working day);
- `load_poster` → `render_loaded_poster` → `record_poster_print`: the three
  steps of a print; `print_poster` runs them in turn (the CLI), the desktop
  runs the first two on the worker pool (`render_poster`) and the last on the
  database thread. A preview (`preview_poster`) records nothing;
- `planned_period`: the 公示期 a poster prints, one `core.periods.NoticePeriod`
  computed by the calendar and the catalogue rule (through
  `core.postings.posting_period`, so corrections continue or restart their
  period exactly as posting will). Kept small and replaceable: when the
  notices area stores each posting's period, this reads that instead.

What is recorded with a print: a `PrintedVersion` (PDF hash, stored copy,
paper, `printed_by` = the acting user, the planned posting day and the
公示期 printed), one `VerificationCode` per 核验码 on the poster (the whole
notice version; a board; a village part → that village's board), and for a
village's part an audit event naming the villages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.periods import NoticePeriod, poster_period_line
from zwgk_desktop.core.status import INACTIVE, status_label
from zwgk_desktop.core.users import Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed, NotFound
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes
from zwgk_desktop.services.printing.poster import (
    APPROVED_STATUSES,
    CodeSpec,
    PosterData,
    PrintResult,
    load_template,
    render_posters,
    village_suffix,
    watermark_text,
)

MAX_NAMED_PEOPLE = 20


# --- requests and DTOs ---------------------------------------------------------------


@dataclass(frozen=True)
class PosterRequest:
    """What to print: a notice (full id or unique prefix) — the whole list, one village's part
    (`village_id`), every village's part (`each_village`), or the list for one board (`board_id`) —
    and, before posting, the planned posting day (None: the next working day)."""

    disclosure_id: str
    village_id: str | None = None
    each_village: bool = False
    board_id: str | None = None
    posting_day: date | None = None


@dataclass
class LoadedPoster:
    """A notice read for printing (masked, period and 核验码 decided); rendering needs nothing else."""

    request: PosterRequest
    disclosure_id: str
    version: int
    title: str
    status: str
    parts: list[PosterData]
    period: NoticePeriod
    planned_posted_on: date | None  # None: the notice is posted; its stored period prints

    @property
    def codes(self) -> list[CodeSpec]:
        found: dict[str, CodeSpec] = {}
        for part in self.parts:
            if part.verification_code:
                found.setdefault(part.verification_code,
                                 CodeSpec(part.verification_code, part.board_id, part.village))
        return list(found.values())


@dataclass(frozen=True)
class AffectedName:
    """A line item whose name holds a character no bundled font can draw."""

    seq: int
    name: str
    place: str
    chars: str


@dataclass
class PosterPreview:
    """What the print dialog shows about one rendered poster (nothing recorded)."""

    path: str
    pages: int
    paper: str
    landscape: bool
    title: str
    status: str
    status_label: str
    approved: bool
    watermark: str
    short_hash: str
    period_text: str = ""
    planned_posted_on: date | None = None
    codes: list[CodeSpec] = field(default_factory=list)
    correction_note: str = ""
    missing_glyphs: list[str] = field(default_factory=list)
    affected: list[AffectedName] = field(default_factory=list)
    affected_total: int = 0
    result: PrintResult | None = None


@dataclass(frozen=True)
class VillagePart:
    """One village's part of a notice, as the 范围 list offers it."""

    village_id: str
    name: str
    lines: int


@dataclass(frozen=True)
class BoardChoice:
    id: str
    name: str
    village_id: str | None


@dataclass(frozen=True)
class PosterChoices:
    """What the print dialog offers for one notice."""

    disclosure_id: str
    title: str
    status: str
    parts: list[VillagePart]
    whole: bool  # the whole list may be printed by this actor
    boards: list[BoardChoice]
    posted: bool  # posted: the stored period prints, no posting day to choose
    default_posting_day: date
    period: NoticePeriod


# --- the period --------------------------------------------------------------------------


def planned_period(session, disclosure, posting_day: date | None = None, *, board_id: str | None = None,
                   today: date | None = None) -> tuple[NoticePeriod, date | None]:
    """The 公示期 a poster of `disclosure` prints, and the planned posting day (None once posted).

    Posted: the stored period of its posting on `board_id` when it is posted there, else the notice's
    (`core.postings.notice_period`). Not yet posted: `core.postings.planned_period` for `posting_day`
    (default: the recorded planned day, else the next working day) — the one computation the posting
    dialog and the review screen use too."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import Posting
    from zwgk_desktop.core.postings import notice_period, posting_periods
    from zwgk_desktop.core.postings import planned_period as core_planned_period

    postings = session.execute(
        select(Posting).where(Posting.disclosure_id == disclosure.id).order_by(Posting.posted_on, Posting.created_at)
    ).scalars().all()
    if postings:
        on_board = [p for p in postings if board_id and p.board_id == board_id]
        if on_board:
            return posting_periods(session, on_board[:1])[on_board[0].id], None
        return notice_period(session, disclosure, today=today), None
    period = core_planned_period(session, disclosure, posting_day, today=today)
    return period, period.posted_on


def county_url(session) -> str | None:
    """The enrolled county server's address (its verification page goes into the QR), or None."""
    from zwgk_desktop.core.township_settings import get_setting
    from zwgk_desktop.services.sync.state import DEVICE_KEY

    device = get_setting(session, DEVICE_KEY, None)
    server = (device or {}).get("server") if isinstance(device, dict) else None
    return str(server).rstrip("/") if server else None


# --- choices -------------------------------------------------------------------------------


@reads
def poster_choices(db, actor: Actor, disclosure_id: str, *, today: date | None = None) -> PosterChoices:
    """范围, boards and the 公示期 for the print dialog (a 村级用户: only their villages' parts)."""
    from sqlalchemy import select

    from zwgk_desktop.core.disclosures import find_disclosure
    from zwgk_desktop.core.models import NoticeBoard
    from zwgk_desktop.services.printing.poster import village_parts

    with read_session(db, actor) as session:
        notice = find_disclosure(session, disclosure_id)
        parts = [VillagePart(*row) for row in village_parts(session, notice.id)]
        scope = actor.village_scope
        whole = scope is None or not parts
        if scope is not None:
            parts = [p for p in parts if p.village_id in scope]
        boards = [
            BoardChoice(b.id, b.name, b.village_id)
            for b in session.execute(select(NoticeBoard).where(NoticeBoard.township_id == notice.township_id,
                                                               NoticeBoard.active.is_(True))).scalars()
            if actor.covers_village(b.village_id)
        ]
        period, planned = planned_period(session, notice, today=today)
        return PosterChoices(
            disclosure_id=notice.id, title=notice.title, status=notice.status, parts=parts, whole=whole,
            boards=boards, posted=planned is None, default_posting_day=planned or period.posted_on, period=period,
        )


# --- the three steps -----------------------------------------------------------------------


@reads
def load_poster(db, actor: Actor, request: PosterRequest, *, today: date | None = None,
                job: Job | None = None) -> LoadedPoster:
    """Read and mask the notice for printing; decide its 公示期 and 核验码 (nothing is written)."""
    from zwgk_desktop.core.disclosures import find_disclosure
    from zwgk_desktop.services.printing.poster import build_poster_parts

    with read_session(db, actor) as session:
        notice = find_disclosure(session, request.disclosure_id)
        _check_scope(session, actor, notice, request)
        period, planned = planned_period(session, notice, request.posting_day, board_id=request.board_id, today=today)
        parts = build_poster_parts(
            session, notice.id, job, village_id=request.village_id, each_village=request.each_village,
            board_id=request.board_id, period=period, county_url=county_url(session),
        )
        return LoadedPoster(
            request=replace(request, disclosure_id=notice.id), disclosure_id=notice.id, version=notice.version,
            title=notice.title, status=notice.status, parts=parts, period=period, planned_posted_on=planned,
        )


def _check_scope(session, actor: Actor, notice, request: PosterRequest) -> None:
    """A 村级用户 prints only their villages' parts (or a text notice with no village lines)."""
    scope = actor.village_scope
    if scope is None:
        return
    from zwgk_desktop.services.printing.poster import village_parts

    lines = village_parts(session, notice.id)
    if request.village_id is not None and request.village_id in scope:
        return
    if request.village_id is None and not request.each_village and not lines:
        return
    raise NotAllowed(
        f"村级用户“{actor.label}”只能打印本村（社区）的名单，请在“范围”中选择本村。", code="other_village",
    )


def render_loaded_poster(loaded: LoadedPoster, out_path: str | Path, *, paper: str = "A4", landscape: bool = False,
                         fonts=None, job: Job | None = None) -> PrintResult:
    """Render a loaded poster to `out_path` (atomically). Pure: no database, safe on any worker thread."""
    result = render_posters(loaded.parts, out_path, paper=paper, landscape=landscape, fonts=fonts, job=job)
    request = loaded.request
    if request.each_village:
        result.villages = [part.village for part in loaded.parts]
    else:
        result.village = loaded.parts[0].village
    result.disclosure_id, result.version, result.status = loaded.disclosure_id, loaded.version, loaded.status
    result.codes = loaded.codes
    result.qr_payloads = list(dict.fromkeys(p.qr_text for p in loaded.parts if p.qr_text))
    result.period, result.planned_posted_on = loaded.period, loaded.planned_posted_on
    result.board_id = request.board_id  # paper and orientation: as rendered (a wide table turns the page)
    return result


@writes("prints")
def record_poster_print(db, actor: Actor, config, result: PrintResult, *, job: Job | None = None) -> PrintResult:
    """Record a rendered poster: its `PrintedVersion` (with an archived copy), its 核验码 and who printed it."""
    from zwgk_desktop.core import audit
    from zwgk_desktop.core.models import Disclosure
    from zwgk_desktop.core.postings import record_planned_posting
    from zwgk_desktop.core.verification import record_code
    from zwgk_desktop.services.printing.archive import record_printed_version
    from zwgk_desktop.services.printing.layout import page_geometry
    from zwgk_desktop.services.printing.pdfmeta import sha256_file

    if not Path(result.path).is_file() or sha256_file(result.path) != result.sha256:
        raise InvalidInput("打印文件已被改动或删除，请重新生成后再打印。", code="print_file_changed")
    with unit_of_work(db, actor) as session:
        notice = session.get(Disclosure, result.disclosure_id)
        if notice is None:
            raise NotFound(f"找不到编号为 {result.disclosure_id} 的公示。")
        paper = page_geometry(result.paper, result.landscape).paper + ("-landscape" if result.landscape else "")
        record = record_printed_version(
            session, config, kind="poster", pdf=result.path, sha256=result.sha256, pages=result.pages, paper=paper,
            printed_by=actor.username, disclosure_id=notice.id, planned_posted_on=result.planned_posted_on,
            period=result.period.as_json() if result.period else None,
        )
        for spec in result.codes:
            record_code(session, notice.township_id, notice.id, notice.version, spec.board_id, spec.village_name)
        planning = result.planned_posted_on is not None and notice.status not in INACTIVE  # not for a withdrawn one
        if planning and (actor.can("edit") or actor.can("post")):
            # printed before posting: the posting dialog and every screen now show that day's period
            record_planned_posting(session, actor, notice.id, result.planned_posted_on,
                                   today=min(result.planned_posted_on, date.today()))
        if result.village or result.villages:
            audit.record(session, "print_village_poster", "printed_version", record.id, {
                "disclosure_id": notice.id, "villages": result.villages or [result.village], "pages": result.pages,
            })
        result.printed_version_id = record.id
    return result


@writes("prints")
def print_poster(db, actor: Actor, config, request: PosterRequest, out_path: str | Path, *, paper: str = "A4",
                 landscape: bool = False, today: date | None = None, job: Job | None = None) -> PrintResult:
    """Load, render outside any session, record: one print of a poster (what `zwgk print poster` runs)."""
    from zwgk_desktop.services.printing.pdfmeta import paused_gc

    with paused_gc():
        loaded = load_poster(db, actor, request, today=today, job=job)
        result = render_loaded_poster(loaded, out_path, paper=paper, landscape=landscape, fonts=config, job=job)
    return record_poster_print(db, actor, config, result)


@reads
def render_poster(db, actor: Actor, config, request: PosterRequest, out_path: str | Path, *, paper: str = "A4",
                  landscape: bool = False, today: date | None = None, job: Job | None = None) -> PrintResult:
    """Load and render (no record): the first two steps, run together on the worker pool by the desktop."""
    from zwgk_desktop.services.printing.pdfmeta import paused_gc

    with paused_gc():
        loaded = load_poster(db, actor, request, today=today, job=job)
        return render_loaded_poster(loaded, out_path, paper=paper, landscape=landscape, fonts=config, job=job)


@reads
def preview_poster(db, actor: Actor, config, request: PosterRequest, out_path: str | Path, *, paper: str = "A4",
                   landscape: bool = False, title_suffix: str = "（各村名单）", today: date | None = None,
                   job: Job | None = None) -> PosterPreview:
    """Render for the preview (nothing recorded) and gather what the banners need: the watermark,
    the 公示期, the 核验码 and whose names hold characters no font can draw."""
    from zwgk_desktop.services.printing.pdfmeta import paused_gc

    with paused_gc():
        loaded = load_poster(db, actor, request, today=today, job=job)
        result = render_loaded_poster(loaded, out_path, paper=paper, landscape=landscape, fonts=config, job=job)
    scope = None if request.each_village else request.village_id
    with read_session(db, actor) as session:
        affected, total = affected_names(session, loaded.disclosure_id, result.missing_glyphs, scope)
    data = loaded.parts[0]
    title = data.title + (title_suffix if request.each_village else village_suffix(data))
    return PosterPreview(
        path=str(out_path), pages=result.pages, paper=result.paper, landscape=result.landscape, title=title,
        status=data.status, status_label=status_label(data.status), approved=data.status in APPROVED_STATUSES,
        watermark=watermark_text(data.status, load_template()), short_hash=data.short_hash,
        period_text=poster_period_line(loaded.period), planned_posted_on=loaded.planned_posted_on,
        codes=loaded.codes, correction_note=data.correction_note, missing_glyphs=list(result.missing_glyphs),
        affected=affected, affected_total=total, result=result,
    )


def affected_names(session, disclosure_id: str, chars: list[str], village_id: str | None = None,
                   limit: int = MAX_NAMED_PEOPLE) -> tuple[list[AffectedName], int]:
    """Line items of the notice (or of one village's part) whose name contains any of `chars`
    (first `limit`, and how many in all)."""
    from sqlalchemy import or_, select

    from zwgk_desktop.core.models import DisclosureItem

    if not chars:
        return [], 0
    query = (
        select(DisclosureItem.seq, DisclosureItem.name, DisclosureItem.village_name, DisclosureItem.group_name)
        .where(DisclosureItem.disclosure_id == disclosure_id, or_(*[DisclosureItem.name.contains(ch) for ch in chars]))
        .order_by(DisclosureItem.seq)
    )
    if village_id:
        query = query.where(DisclosureItem.village_id == village_id)
    found = []
    for seq, name, village, group in session.execute(query):
        held = "".join(ch for ch in chars if ch in (name or ""))
        if held:  # LIKE may match more loosely than `in`
            found.append(AffectedName(seq, name, f"{village or ''}{group or ''}", held))
    return found[:limit], len(found)


# --- names the CLI resolves ------------------------------------------------------------------


@reads
def resolve_poster_request(db, actor: Actor, disclosure_id: str, *, village: str | None = None,
                           each_village: bool = False, board: str | None = None,
                           posting_day: date | None = None) -> PosterRequest:
    """A `PosterRequest` from what a person types: an id prefix, a village name, a board name or id."""
    from sqlalchemy import or_, select

    from zwgk_desktop.core.disclosures import find_disclosure
    from zwgk_desktop.core.models import NoticeBoard
    from zwgk_desktop.services.printing.poster import village_part_by_name

    with read_session(db, actor) as session:
        notice = find_disclosure(session, disclosure_id)
        village_id = village_part_by_name(session, notice.id, village) if village else None
        board_id = None
        if board:
            wanted = board.strip()
            rows = session.execute(
                select(NoticeBoard.id, NoticeBoard.name).where(
                    NoticeBoard.township_id == notice.township_id,
                    or_(NoticeBoard.id == wanted, NoticeBoard.name == wanted))
            ).all()
            if len(rows) != 1:
                names = "、".join(n for (n,) in session.execute(
                    select(NoticeBoard.name).where(NoticeBoard.township_id == notice.township_id)))
                raise NotFound(f"找不到公开栏“{wanted}”。现有公开栏：{names or '（无）'}。", code="unknown_board",
                               detail={"board": wanted})
            board_id = rows[0][0]
        return PosterRequest(notice.id, village_id=village_id, each_village=each_village, board_id=board_id,
                             posting_day=posting_day)

