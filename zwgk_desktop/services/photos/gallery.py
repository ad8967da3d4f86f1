"""Read-side queries for the photo gallery (照片存档 page), returning plain DTOs; no Qt.

What the page shows: photos per scope (all / unlinked / needing review /
one notice / one posting / one board's timeline) in pages, the notice tree
with each posting's start/end evidence (✔ a clear photo, ⚠ only flagged
ones — a flagged photo never shows ✔ — ✘ none), the board list, link
suggestions enriched with notice title, board and dates, posting choices
near a photo's day, confirming a link, and captioned copies for sharing
(the archived original is only read). A photo of several notices (further
links in `PhotoLink`) appears in each notice's and posting's scope and
counts for each posting. Each card carries the QR verification line
("照片中二维码核验：第2版 ✔").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, case, func, or_, select

from zwgk_desktop.core.models import Disclosure, NoticeBoard, Photo, PhotoLink, Posting
from zwgk_desktop.core.status import Status
from zwgk_desktop.errors import InvalidInput, NotFound
from zwgk_desktop.services.photos.archive import captioned_copy
from zwgk_desktop.services.photos.link import ROLE_LABELS, link_photo, suggest_posting
from zwgk_desktop.services.photos.qr import verification_text

SCOPE_KINDS = ("all", "unlinked", "flagged", "notice", "posting", "board")
CHOICE_WINDOW_DAYS = 60
CHOICE_LIMIT = 300


# --- DTOs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GalleryScope:
    """Which photos the gallery shows: `kind` in SCOPE_KINDS, `key` the notice/posting/board id."""

    kind: str = "all"
    key: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise InvalidInput(f"未知的照片范围：{self.kind}")
        if self.kind in ("notice", "posting", "board") and not self.key:
            raise InvalidInput("请先选择一条公示、张贴记录或公示栏。")


@dataclass(frozen=True)
class PhotoCard:
    """One archived photo with where it is used: everything the gallery, inspector and viewer show."""

    id: str
    sha256: str
    original_name: str
    taken_at: datetime | None
    taken_at_offset: str
    width: int
    height: int
    size_bytes: int
    mime: str
    flags: tuple[str, ...]
    device: str
    gps_lat: float | None
    gps_lon: float | None
    imported_at: datetime | None
    posting_id: str | None = None
    role: str | None = None
    disclosure_id: str | None = None
    disclosure_title: str = ""
    board_id: str | None = None
    board_name: str = ""
    posted_on: date | None = None
    planned_end: date | None = None
    qr_text: str = ""  # "照片中二维码核验：第2版 ✔" ("" when the photo shows no QR of ours)
    other_links: tuple[str, ...] = ()  # further postings this photo proves: "标题 · 公开栏 · 张贴照"
    disclosure_status: str = ""

    @property
    def linked(self) -> bool:
        return self.posting_id is not None

    @property
    def locked(self) -> bool:
        """Linked to an archived notice: its links can no longer change."""
        return self.disclosure_status == "archived"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role or "", "")

    @property
    def taken_text(self) -> str:
        """'2026-03-02 09:30:00 (+08:00)', or '' without EXIF time."""
        if self.taken_at is None:
            return ""
        offset = f" ({self.taken_at_offset})" if self.taken_at_offset else ""
        return f"{self.taken_at:%Y-%m-%d %H:%M:%S}{offset}"


@dataclass(frozen=True)
class PostingEvidence:
    """One posting (a notice on one board) and whether its start and end photos are present."""

    posting_id: str
    disclosure_id: str
    disclosure_title: str
    board_id: str
    board_name: str
    posted_on: date
    planned_end: date | None
    removed_on: date | None
    start_photos: int
    end_photos: int
    start_clear: int = -1  # photos without any flag (-1: same as all)
    end_clear: int = -1

    @property
    def has_start(self) -> bool:
        """A start photo that counts as evidence (no flag)."""
        return (self.start_photos if self.start_clear < 0 else self.start_clear) > 0

    @property
    def has_end(self) -> bool:
        return (self.end_photos if self.end_clear < 0 else self.end_clear) > 0

    @property
    def start_mark(self) -> str:
        """✔ a clear start photo, ⚠ only flagged ones, ✘ none."""
        return "✔" if self.has_start else ("⚠" if self.start_photos else "✘")

    @property
    def end_mark(self) -> str:
        return "✔" if self.has_end else ("⚠" if self.end_photos else "✘")

    @property
    def period_text(self) -> str:
        end = self.removed_on or self.planned_end
        return f"{self.posted_on:%Y-%m-%d} 至 {end:%Y-%m-%d}" if end else f"{self.posted_on:%Y-%m-%d} 起"


@dataclass(frozen=True)
class NoticeGroup:
    """A notice that was posted, with the evidence status of each of its postings."""

    disclosure_id: str
    title: str
    status: str
    version: int
    postings: tuple[PostingEvidence, ...]
    photos: int

    @property
    def with_start(self) -> int:
        """Postings with a clear start photo."""
        return sum(1 for p in self.postings if p.has_start)

    @property
    def with_end(self) -> int:
        return sum(1 for p in self.postings if p.has_end)

    @property
    def flagged_only(self) -> bool:
        """Some posting's photo for a role is there but flagged (shown ⚠, not ✔)."""
        return any(p.start_mark == "⚠" or p.end_mark == "⚠" for p in self.postings)

    @property
    def first_posted(self) -> date | None:
        return min((p.posted_on for p in self.postings), default=None)


@dataclass(frozen=True)
class BoardGroup:
    """A notice board and how many photos its timeline holds."""

    board_id: str
    name: str
    photos: int
    postings: int
    last_taken: datetime | None


@dataclass(frozen=True)
class ScopeCounts:
    all: int
    unlinked: int
    flagged: int


@dataclass(frozen=True)
class LinkSuggestion:
    """A suggested posting for a photo: the posting's evidence plus the role and how far off it is."""

    posting: PostingEvidence
    role: str
    days_off: int
    distance_m: float | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class LinkResult:
    """After confirming a link: the photo as it is now and its posting's evidence status."""

    card: PhotoCard
    evidence: PostingEvidence | None


@dataclass
class CaptionExport:
    written: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)


# --- photos per scope ---------------------------------------------------------------------------


def _card_query():
    return (
        select(Photo, Posting, Disclosure.title, NoticeBoard.name, Disclosure.status)
        .outerjoin(Posting, Photo.posting_id == Posting.id)
        .outerjoin(Disclosure, Posting.disclosure_id == Disclosure.id)
        .outerjoin(NoticeBoard, Posting.board_id == NoticeBoard.id)
    )


def _has_flags():
    return func.coalesce(func.json_array_length(Photo.flags), 0) > 0


def _further(where):
    """Photo ids linked by a further link (PhotoLink) to postings matching `where`."""
    return select(PhotoLink.photo_id).join(Posting, PhotoLink.posting_id == Posting.id).where(where)


def _scoped(query, scope: GalleryScope):
    if scope.kind == "unlinked":
        return query.where(Photo.posting_id.is_(None))
    if scope.kind == "flagged":
        return query.where(_has_flags())
    if scope.kind == "notice":
        return query.where(or_(Posting.disclosure_id == scope.key, Photo.id.in_(_further(Posting.disclosure_id == scope.key))))
    if scope.kind == "posting":
        return query.where(or_(Photo.posting_id == scope.key, Photo.id.in_(_further(Posting.id == scope.key))))
    if scope.kind == "board":
        return query.where(or_(Posting.board_id == scope.key, Photo.id.in_(_further(Posting.board_id == scope.key))))
    return query


def _ordered(query, scope: GalleryScope):
    """Notice/posting: board, start before end, then time; board: a timeline, oldest first; else newest first."""
    no_time_last = case((Photo.taken_at.is_(None), 1), else_=0)
    if scope.kind in ("notice", "posting"):
        role_order = case((Photo.role == "start", 0), (Photo.role == "end", 1), else_=2)
        return query.order_by(NoticeBoard.name, Posting.posted_on, role_order, no_time_last, Photo.taken_at, Photo.id)
    if scope.kind == "board":
        return query.order_by(no_time_last, Photo.taken_at, Posting.posted_on, Photo.id)
    return query.order_by(no_time_last, Photo.taken_at.desc(), Photo.created_at.desc(), Photo.id)


def card_from_row(photo: Photo, posting: Posting | None, title: str | None, board_name: str | None,
                  status: str | None = None, other_links: tuple[str, ...] = ()) -> PhotoCard:
    return PhotoCard(
        id=photo.id,
        sha256=photo.sha256,
        original_name=photo.original_name,
        taken_at=photo.taken_at,
        taken_at_offset=photo.taken_at_offset or "",
        width=photo.width,
        height=photo.height,
        size_bytes=photo.size_bytes,
        mime=photo.mime or "",
        flags=tuple(photo.flags or ()),
        device=" ".join(part for part in (photo.device_make, photo.device_model) if part),
        gps_lat=photo.gps_lat,
        gps_lon=photo.gps_lon,
        imported_at=photo.created_at,
        posting_id=photo.posting_id,
        role=photo.role,
        disclosure_id=posting.disclosure_id if posting else None,
        disclosure_title=title or "",
        board_id=posting.board_id if posting else None,
        board_name=board_name or "",
        posted_on=posting.posted_on if posting else None,
        planned_end=(posting.removed_on or posting.planned_end) if posting else None,
        qr_text=verification_text(photo.qr, photo.flags),
        other_links=other_links,
        disclosure_status=status or "",
    )


def _further_links(session, photo_ids) -> dict[str, tuple[str, ...]]:
    """"标题 · 公开栏 · 张贴照" of each photo's further links."""
    ids = list(photo_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(PhotoLink.photo_id, PhotoLink.role, Disclosure.title, NoticeBoard.name)
        .join(Posting, PhotoLink.posting_id == Posting.id)
        .join(Disclosure, Posting.disclosure_id == Disclosure.id)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .where(PhotoLink.photo_id.in_(ids))
        .order_by(PhotoLink.created_at)
    ).all()
    links: dict[str, list[str]] = {}
    for photo_id, role, title, board in rows:
        links.setdefault(photo_id, []).append(f"{title} · {board} · {ROLE_LABELS.get(role, role)}")
    return {photo_id: tuple(texts) for photo_id, texts in links.items()}


def cards_from_rows(session, rows) -> list[PhotoCard]:
    further = _further_links(session, [row[0].id for row in rows])
    return [card_from_row(*row, other_links=further.get(row[0].id, ())) for row in rows]


def count_photos(session, scope: GalleryScope = GalleryScope()) -> int:
    query = select(func.count(Photo.id)).select_from(Photo).outerjoin(Posting, Photo.posting_id == Posting.id)
    return session.execute(_scoped(query, scope)).scalar() or 0


def photo_page(session, scope: GalleryScope, offset: int, limit: int) -> list[PhotoCard]:
    """One page of the scope's photos, in the gallery's order."""
    query = _ordered(_scoped(_card_query(), scope), scope).offset(max(0, offset)).limit(max(0, limit))
    return cards_from_rows(session, session.execute(query).all())


def photo_cards(session, photo_ids) -> list[PhotoCard]:
    """Cards for the given photos, in the order given (unknown ids are left out)."""
    ids = list(dict.fromkeys(photo_ids))
    if not ids:
        return []
    rows = session.execute(_card_query().where(Photo.id.in_(ids))).all()
    by_id = {card.id: card for card in cards_from_rows(session, rows)}
    return [by_id[i] for i in ids if i in by_id]


def photo_card(session, photo_id: str) -> PhotoCard:
    cards = photo_cards(session, [photo_id])
    if not cards:
        raise NotFound(f"找不到照片（{photo_id}）。")
    return cards[0]


def scope_counts(session) -> ScopeCounts:
    total, unlinked, flagged = session.execute(
        select(
            func.count(Photo.id),
            func.coalesce(func.sum(case((Photo.posting_id.is_(None), 1), else_=0)), 0),
            func.coalesce(func.sum(case((_has_flags(), 1), else_=0)), 0),
        )
    ).one()
    return ScopeCounts(int(total or 0), int(unlinked), int(flagged))


# --- notices, postings and boards ----------------------------------------------------------------


def _role_count(role: str, clear: bool):
    """Photos of the posting in `role` (first links plus further links); `clear`: without any flag."""
    first = select(func.count(Photo.id)).where(Photo.posting_id == Posting.id, Photo.role == role)
    further = (select(func.count(PhotoLink.id)).join(Photo, Photo.id == PhotoLink.photo_id)
               .where(PhotoLink.posting_id == Posting.id, PhotoLink.role == role))
    if clear:
        first, further = first.where(~_has_flags()), further.where(~_has_flags())
    return first.scalar_subquery() + further.scalar_subquery()


def _evidence_query():
    return (
        select(Posting, Disclosure.title, NoticeBoard.name, _role_count("start", False), _role_count("end", False),
               _role_count("start", True), _role_count("end", True))
        .join(Disclosure, Posting.disclosure_id == Disclosure.id)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
    )


def _evidence_from_row(posting: Posting, title: str, board_name: str, start: int, end: int,
                       start_clear: int = -1, end_clear: int = -1) -> PostingEvidence:
    return PostingEvidence(
        posting_id=posting.id, disclosure_id=posting.disclosure_id, disclosure_title=title,
        board_id=posting.board_id, board_name=board_name, posted_on=posting.posted_on,
        planned_end=posting.planned_end, removed_on=posting.removed_on,
        start_photos=int(start or 0), end_photos=int(end or 0),
        start_clear=int(start_clear or 0), end_clear=int(end_clear or 0),
    )


def posting_evidence_rows(session, disclosure_id: str | None = None, posting_ids=None) -> list[PostingEvidence]:
    """Evidence status (start/end photo present) of a notice's postings, or of the given postings."""
    query = _evidence_query()
    if disclosure_id is not None:
        query = query.where(Posting.disclosure_id == disclosure_id)
    if posting_ids is not None:
        query = query.where(Posting.id.in_(list(posting_ids)))
    query = query.order_by(Posting.posted_on, NoticeBoard.name)
    return [_evidence_from_row(*row) for row in session.execute(query).all()]


def notice_groups(session) -> list[NoticeGroup]:
    """Every notice that has been posted, newest posting first, with each posting's evidence status."""
    by_notice: dict[str, list[PostingEvidence]] = {}
    for row in session.execute(_evidence_query().order_by(Posting.posted_on, NoticeBoard.name)).all():
        evidence = _evidence_from_row(*row)
        by_notice.setdefault(evidence.disclosure_id, []).append(evidence)
    if not by_notice:
        return []
    photo_counts: dict[str, int] = {}
    for statement in (
        select(Posting.disclosure_id, func.count(Photo.id)).join(Photo, Photo.posting_id == Posting.id)
        .group_by(Posting.disclosure_id),
        select(Posting.disclosure_id, func.count(PhotoLink.id)).join(PhotoLink, PhotoLink.posting_id == Posting.id)
        .group_by(Posting.disclosure_id),
    ):
        for notice_id, count in session.execute(statement).all():
            photo_counts[notice_id] = photo_counts.get(notice_id, 0) + int(count or 0)
    notices = session.execute(
        select(Disclosure.id, Disclosure.title, Disclosure.status, Disclosure.version).where(Disclosure.id.in_(list(by_notice)))
    ).all()
    groups = [
        NoticeGroup(notice_id, title, status, version or 1, tuple(by_notice[notice_id]), int(photo_counts.get(notice_id, 0)))
        for notice_id, title, status, version in notices
    ]
    groups.sort(key=lambda g: (max(p.posted_on for p in g.postings), g.title), reverse=True)
    return groups


def board_groups(session) -> list[BoardGroup]:
    """Every notice board (township board first, then by name) with its photo count and latest photo time."""
    photos = (
        select(Posting.board_id.label("board_id"), func.count(Photo.id).label("photos"), func.max(Photo.taken_at).label("last"))
        .join(Photo, Photo.posting_id == Posting.id)
        .group_by(Posting.board_id)
        .subquery()
    )
    postings = (
        select(Posting.board_id.label("board_id"), func.count(Posting.id).label("postings"))
        .group_by(Posting.board_id)
        .subquery()
    )
    further = (
        select(Posting.board_id.label("board_id"), func.count(PhotoLink.id).label("photos"),
               func.max(Photo.taken_at).label("last"))
        .join(PhotoLink, PhotoLink.posting_id == Posting.id)
        .join(Photo, Photo.id == PhotoLink.photo_id)
        .group_by(Posting.board_id)
        .subquery()
    )
    rows = session.execute(
        select(NoticeBoard.id, NoticeBoard.name, photos.c.photos, further.c.photos, postings.c.postings,
               photos.c.last, further.c.last)
        .outerjoin(photos, photos.c.board_id == NoticeBoard.id)
        .outerjoin(further, further.c.board_id == NoticeBoard.id)
        .outerjoin(postings, postings.c.board_id == NoticeBoard.id)
        .order_by(NoticeBoard.village_id.is_not(None), NoticeBoard.name)
    ).all()
    return [
        BoardGroup(board_id, name, int(n or 0) + int(m or 0), int(p or 0), max((t for t in (last, last2) if t), default=None))
        for board_id, name, n, m, p, last, last2 in rows
    ]


# --- linking --------------------------------------------------------------------------------------


def suggestions_for(session, photo_ids, *, village_ids=None, limit: int = 5) -> dict[str, list[LinkSuggestion]]:
    """Suggested postings per photo (by EXIF time and GPS), with title, board, dates and evidence status;
    with `village_ids` (a 村级用户) only on those villages' boards."""
    result: dict[str, list[LinkSuggestion]] = {}
    for photo_id in dict.fromkeys(photo_ids):
        photo = session.get(Photo, photo_id)
        if photo is None:
            continue
        raw = suggest_posting(session, photo, village_ids=village_ids, limit=limit)
        evidence = {e.posting_id: e for e in posting_evidence_rows(session, posting_ids=[s.posting_id for s in raw])}
        result[photo_id] = [
            LinkSuggestion(evidence[s.posting_id], s.role, s.days_off, s.distance_m) for s in raw if s.posting_id in evidence
        ]
    return result


def posting_choices(session, around: date | None = None, *, window_days: int = CHOICE_WINDOW_DAYS,
                    limit: int = CHOICE_LIMIT, village_ids=None) -> list[PostingEvidence]:
    """Postings a user may pick by hand: those near `around` (closest first), else the most recent;
    with `village_ids` only on those villages' boards."""
    query = _evidence_query().where(Disclosure.status != Status.WITHDRAWN)
    if village_ids is not None:
        query = query.where(NoticeBoard.village_id.in_(list(village_ids)))
    if around is not None:
        start, end = around - timedelta(days=window_days), around + timedelta(days=window_days)
        query = query.where(
            or_(Posting.posted_on.between(start, end), and_(Posting.planned_end.is_not(None), Posting.planned_end.between(start, end)))
        )
    query = query.order_by(Posting.posted_on.desc(), Disclosure.title, NoticeBoard.name).limit(limit)
    rows = [_evidence_from_row(*row) for row in session.execute(query).all()]
    if around is not None:
        rows.sort(key=lambda e: (abs((e.posted_on - around).days), e.disclosure_title, e.board_name))
    return rows


def confirm_link(session, photo_id: str, posting_id: str | None, role: str | None, *, mismatch_days: int) -> LinkResult:
    """Link (or unlink) a photo and return it with its posting's fresh evidence status."""
    link_photo(session, photo_id, posting_id, role, mismatch_days=mismatch_days)
    card = photo_card(session, photo_id)
    evidence = posting_evidence_rows(session, posting_ids=[posting_id])[0] if posting_id else None
    return LinkResult(card, evidence)


# --- captioned copies ----------------------------------------------------------------------------


def caption_lines(card: PhotoCard) -> list[str]:
    """The caption burned into a shared copy: notice title, board and dates."""
    taken = f"拍摄时间：{card.taken_at:%Y-%m-%d %H:%M}" if card.taken_at else "拍摄时间：无（照片中没有拍摄时间）"
    if not card.linked:
        return [taken, "尚未关联公示"]
    posted = f"张贴日期：{card.posted_on:%Y-%m-%d}" if card.posted_on else ""
    role = f"（{card.role_label}）" if card.role_label else ""
    lines = [f"公示：{card.disclosure_title}", f"公示栏：{card.board_name}　{posted}{role}", taken]
    return lines + ([card.qr_text] if card.qr_text else [])


def unique_target(folder: Path, stem: str, suffix: str = ".jpg") -> Path:
    """`folder/stem-说明.jpg`, numbered when that name is taken: never overwrite a file."""
    candidate = folder / f"{stem}-说明{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-说明-{number}{suffix}"
        number += 1
    return candidate


def export_captioned_copies(database, config, photo_ids, folder, job=None) -> CaptionExport:
    """Write a captioned copy of each photo into `folder` (originals untouched); missing originals are reported."""
    ids = list(dict.fromkeys(photo_ids))
    with database.session() as session:
        cards = photo_cards(session, ids)
    return write_captioned_copies(config, cards, Path(folder), job=job)


def write_captioned_copies(config, cards, folder: Path, job=None) -> CaptionExport:
    """Burn each card's caption into a copy of its original in `folder` (no database; never overwrites)."""
    from types import SimpleNamespace

    from zwgk_desktop.errors import ZwgkError
    from zwgk_desktop.services.photos.archive import find_original

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    result = CaptionExport()
    for index, card in enumerate(cards):
        if job is not None:
            job.check()
            job.progress(index, len(cards), f"正在生成带说明的副本：{card.original_name}")
        target = unique_target(folder, Path(card.original_name).stem or card.sha256[:12])
        original = find_original(config, card.sha256)
        try:
            if original is None:
                raise NotFound(f"档案中找不到照片原图 {card.original_name}，请运行“照片校验”检查档案。")
            captioned_copy(config, SimpleNamespace(stored_path=str(original), original_name=card.original_name),
                           caption_lines(card), target)
        except ZwgkError as exc:
            result.problems.append({"photo_id": card.id, "message": exc.message})
            continue
        result.written.append(str(target))
    if job is not None:
        job.progress(len(cards), len(cards), "带说明的副本已生成")
    return result


def confirm_top_suggestions(session, photo_ids, *, mismatch_days: int, village_ids=None) -> list[LinkResult]:
    """Link each still-unlinked photo to its first suggestion (photos without one are left alone)."""
    results = []
    unlinked = session.scalars(select(Photo.id).where(Photo.id.in_(list(photo_ids)), Photo.posting_id.is_(None))).all()
    for photo_id, suggestions in suggestions_for(session, unlinked, village_ids=village_ids).items():
        if suggestions:
            top = suggestions[0]
            results.append(confirm_link(session, photo_id, top.posting.posting_id, top.role, mismatch_days=mismatch_days))
    return results
