"""Which photos prove which postings: the one reading of photo evidence every screen and check shares.

A photo's first link is `Photo.posting_id`/`role`; a photo that shows several
notices has a further `PhotoLink` row for each other posting (written by
`services.photos.link`). `posting_photos` reads both, so the evidence
columns, 今日待办, the statistics and the evidence gate count a photo of two
notices for each of them. `EVIDENCE_DISQUALIFYING_FLAGS` (kept in `core.photo_flags`) names the photo flags
that keep a photo from counting as evidence (it shows ⚠ and the flag, never ✔).

Stale posters: a photo whose QR names a superseded or withdrawn version,
taken after the correction was posted, carries the flag `wrong_version` and
its QR findings (`Photo.qr`); `stale_posters` lists those still to be
replaced (no later photo of the same board shows the current version) for
the 今日待办 item "第1版仍张贴在青山村村务公开栏，请撤换".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from zwgk_desktop.core.models import Disclosure, NoticeBoard, Photo, PhotoLink, Posting
from zwgk_desktop.core.photo_flags import EVIDENCE_DISQUALIFYING_FLAGS, PHOTO_FLAG_LABELS  # noqa: F401 - re-exported

CHUNK = 500


@dataclass(frozen=True)
class LinkedPhoto:
    """One photo linked to one posting, with the photo's flags."""

    photo_id: str
    posting_id: str
    role: str
    flags: tuple[str, ...] = ()

    @property
    def counts_as_evidence(self) -> bool:
        return not EVIDENCE_DISQUALIFYING_FLAGS.intersection(self.flags)


def _chunks(ids: list[str]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def posting_photos(session: Session, posting_ids) -> dict[str, list[LinkedPhoto]]:
    """Every photo linked to each of `posting_ids` (first links and further links), by posting."""
    ids = list(dict.fromkeys(posting_ids))
    result: dict[str, list[LinkedPhoto]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Photo.id, Photo.posting_id, Photo.role, Photo.flags).where(Photo.posting_id.in_(chunk))
        ).all()
        rows += session.execute(
            select(Photo.id, PhotoLink.posting_id, PhotoLink.role, Photo.flags)
            .join(Photo, Photo.id == PhotoLink.photo_id)
            .where(PhotoLink.posting_id.in_(chunk))
        ).all()
        for photo_id, posting_id, role, flags in rows:
            result.setdefault(posting_id, []).append(LinkedPhoto(photo_id, posting_id, role or "", tuple(flags or ())))
    return result


def posting_photo_roles(session: Session, posting_ids) -> dict[str, set[str]]:
    """The roles ('start', 'end') each posting has a linked photo for (flagged or not)."""
    return {pid: {p.role for p in photos} for pid, photos in posting_photos(session, posting_ids).items()}


def photo_postings(session: Session, photo_id: str) -> list[tuple[str, str]]:
    """(posting_id, role) of every link of one photo, first link first."""
    photo = session.get(Photo, photo_id)
    if photo is None:
        return []
    links = [(photo.posting_id, photo.role or "")] if photo.posting_id else []
    links += session.execute(
        select(PhotoLink.posting_id, PhotoLink.role).where(PhotoLink.photo_id == photo_id).order_by(PhotoLink.created_at)
    ).all()
    return [(pid, role) for pid, role in links]


# --- stale posters (wrong_version) ----------------------------------------------------------


@dataclass
class StalePoster:
    """An old version still seen on a board: which notice/version, where, in which photo."""

    photo_id: str
    photo_name: str
    taken_at: datetime | None
    disclosure_id: str
    version: int
    title: str
    board_id: str | None
    board_name: str
    village_id: str | None
    current_disclosure_id: str | None
    current_version: int | None
    state: str
    detail: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """'第1版仍张贴在青山村村务公开栏，请撤换'."""
        where = self.board_name or "公开栏上"
        return f"第{self.version}版仍张贴在{where}，请撤换"


def latest_version(session: Session, disclosure_id: str) -> Disclosure | None:
    """The newest version in the correction chain that starts at (or passes through) `disclosure_id`."""
    current = session.get(Disclosure, disclosure_id)
    seen = set()
    while current is not None and current.id not in seen:
        seen.add(current.id)
        newer = session.execute(select(Disclosure).where(Disclosure.replaces_id == current.id)).scalars().first()
        if newer is None:
            return current
        current = newer
    return current


def chain_ids(session: Session, disclosure_id: str) -> set[str]:
    """Every version of the notice `disclosure_id` belongs to (older and newer)."""
    ids, frontier = set(), [disclosure_id]
    while frontier:
        current = frontier.pop()
        if current in ids or current is None:
            continue
        ids.add(current)
        notice = session.get(Disclosure, current)
        if notice is not None and notice.replaces_id:
            frontier.append(notice.replaces_id)
        frontier.extend(session.execute(select(Disclosure.id).where(Disclosure.replaces_id == current)).scalars())
    return ids


def _stale_findings(photo: Photo):
    for finding in photo.qr or []:
        if isinstance(finding, dict) and finding.get("wrong_version"):
            yield finding


def stale_posters(session: Session) -> list[StalePoster]:
    """Old versions photographed on a board after the correction went up and not yet replaced.

    A stale poster is resolved once a later photo of the same board (same
    notice chain) shows a version that was current when it was taken.
    """
    flagged = session.execute(
        select(Photo).where(type_coerce(Photo.flags, String).like('%"wrong_version"%')).order_by(Photo.taken_at)
    ).scalars().all()
    if not flagged:
        return []
    boards = {b.id: b for b in session.execute(select(NoticeBoard)).scalars()}
    current_photos = session.execute(
        select(Photo).where(type_coerce(Photo.qr, String).like('%"current"%'))
    ).scalars().all()
    result: list[StalePoster] = []
    seen: set[tuple[str, str | None]] = set()
    for photo in flagged:
        for finding in _stale_findings(photo):
            disclosure_id = finding.get("disclosure_id")
            board_id = finding.get("board_id") or finding.get("seen_board_id")
            if not disclosure_id or (disclosure_id, board_id) in seen:
                continue
            chain = chain_ids(session, disclosure_id)
            if _replaced_later(photo, chain, board_id, current_photos):
                continue
            latest = latest_version(session, disclosure_id)
            if latest is not None and latest.status in ("archived",):
                continue
            seen.add((disclosure_id, board_id))
            board = boards.get(board_id) if board_id else None
            notice = session.get(Disclosure, disclosure_id)
            result.append(StalePoster(
                photo_id=photo.id, photo_name=photo.original_name, taken_at=photo.taken_at,
                disclosure_id=disclosure_id, version=int(finding.get("version") or (notice.version if notice else 1)),
                title=notice.title if notice else "", board_id=board_id, board_name=board.name if board else "",
                village_id=board.village_id if board else None,
                current_disclosure_id=latest.id if latest else None,
                current_version=latest.version if latest else None, state=str(finding.get("state", "")),
            ))
    return result


def _replaced_later(photo: Photo, chain: set[str], board_id: str | None, current_photos) -> bool:
    for other in current_photos:
        if other.id == photo.id:
            continue
        if photo.taken_at is not None and (other.taken_at is None or other.taken_at <= photo.taken_at):
            continue
        for finding in other.qr or []:
            if not isinstance(finding, dict) or finding.get("state") != "current":
                continue
            if finding.get("disclosure_id") not in chain:
                continue
            other_board = finding.get("board_id") or finding.get("seen_board_id")
            if board_id is None or other_board is None or other_board == board_id:
                return True
    return False


def posting_board(session: Session, posting_id: str) -> NoticeBoard | None:
    posting = session.get(Posting, posting_id)
    return session.get(NoticeBoard, posting.board_id) if posting is not None else None
