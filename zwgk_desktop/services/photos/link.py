"""Tying photos to postings: suggestions from EXIF time/GPS, linking with a role, evidence status.

A posting needs two photos at most: `start` (taken when it was put up) and
`end` (taken at the end of the 公示期). Linking recomputes the
`time_mismatch` flag against the posting date the role refers to.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import or_, select

from zwgk_desktop.core.models import Disclosure, NoticeBoard, Photo, Posting, Village
from zwgk_desktop.core.status import Status
from zwgk_desktop.errors import InvalidInput, NotFound
from zwgk_desktop.services.photos.quality import is_time_mismatch, with_time_mismatch

ROLES = ("start", "end")
ROLE_LABELS = {"start": "张贴照", "end": "期满照"}
SUGGEST_WINDOW_DAYS = 30
NEAR_BOARD_METRES = 1000.0
DEFAULT_MISMATCH_DAYS = 3


@dataclass
class PostingSuggestion:
    """A candidate posting for a photo, nearest first."""

    posting_id: str
    disclosure_id: str
    disclosure_title: str
    board_id: str
    board_name: str
    role: str
    days_off: int
    distance_m: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def posting_end_date(posting: Posting) -> date | None:
    """The day the end photo refers to: actual removal, else the planned end of the period."""
    return posting.removed_on or posting.planned_end


def reference_date(posting: Posting, role: str | None) -> date | None:
    return posting_end_date(posting) if role == "end" else posting.posted_on


def role_for_day(posting: Posting, taken_on: date | None) -> str:
    """'end' when the photo day is nearer the end of the period than the posting day, else 'start'."""
    end = posting_end_date(posting)
    if taken_on is None or end is None:
        return "start"
    return "end" if abs((taken_on - end).days) < abs((taken_on - posting.posted_on).days) else "start"


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    radius = 6_371_000.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def suggest_posting(session, photo: Photo, *, village_ids=None, limit: int = 5) -> list[PostingSuggestion]:
    """Postings this photo most likely shows, nearest in time first (boards far from the photo's GPS last).

    Between equally near postings, a board whose name or village the file
    name mentions (clerks often save "石桥村公开栏0301.jpg") comes first.
    `village_ids` restricts to those villages' boards (a village official's own).
    A photo without EXIF time gets no suggestion: the user must choose.
    """
    if photo.taken_at is None:
        return []
    taken_on = photo.taken_at.date()
    window_start = date.fromordinal(taken_on.toordinal() - SUGGEST_WINDOW_DAYS)
    window_end = date.fromordinal(taken_on.toordinal() + SUGGEST_WINDOW_DAYS)
    query = (
        select(Posting, NoticeBoard, Disclosure, Village.name)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .join(Disclosure, Posting.disclosure_id == Disclosure.id)
        .outerjoin(Village, NoticeBoard.village_id == Village.id)
        .where(Disclosure.status != Status.WITHDRAWN)
        .where(
            or_(
                Posting.posted_on.between(window_start, window_end),
                Posting.planned_end.between(window_start, window_end),
                Posting.removed_on.between(window_start, window_end),
            )
        )
    )
    if village_ids is not None:
        query = query.where(NoticeBoard.village_id.in_(list(village_ids)))
    suggestions, named = [], set()
    for posting, board, disclosure, village_name in session.execute(query).all():
        role = role_for_day(posting, taken_on)
        days_off = abs((taken_on - reference_date(posting, role)).days)
        distance = None
        if None not in (photo.gps_lat, photo.gps_lon, board.lat, board.lon):
            distance = round(distance_metres(photo.gps_lat, photo.gps_lon, board.lat, board.lon), 1)
        suggestions.append(
            PostingSuggestion(posting.id, disclosure.id, disclosure.title, board.id, board.name, role, days_off, distance)
        )
        if _file_names_board(photo.original_name or "", board.name, village_name):
            named.add(posting.id)
    suggestions.sort(
        key=lambda s: (
            s.distance_m is not None and s.distance_m > NEAR_BOARD_METRES,
            s.days_off,
            s.posting_id not in named,
            s.distance_m if s.distance_m is not None else NEAR_BOARD_METRES,
        )
    )
    return suggestions[:limit]


def _file_names_board(file_name: str, board_name: str, village_name: str | None) -> bool:
    """Whether a photo's file name mentions the board or its village."""
    return bool(board_name and board_name in file_name) or bool(village_name and village_name in file_name)


def apply_link(photo: Photo, posting: Posting | None, role: str | None, mismatch_days: int) -> None:
    """Set posting and role on a photo row and recompute its `time_mismatch` flag."""
    if role is not None and role not in ROLES:
        raise InvalidInput(f"照片用途只能是 start（张贴照）或 end（期满照），收到：{role}", code="invalid_role")
    if posting is None:
        photo.posting_id, photo.role = None, None
        photo.flags = with_time_mismatch(photo.flags, False)
        return
    taken_on = photo.taken_at.date() if photo.taken_at else None
    role = role or role_for_day(posting, taken_on)
    photo.posting_id, photo.role = posting.id, role
    photo.flags = with_time_mismatch(
        photo.flags, is_time_mismatch(taken_on, reference_date(posting, role), mismatch_days)
    )


def link_photo(
    session, photo_id: str, posting_id: str | None, role: str | None = None, *, mismatch_days: int = DEFAULT_MISMATCH_DAYS
) -> Photo:
    """Link (or with posting_id=None unlink) an archived photo to a posting as its start/end photo."""
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise NotFound(f"找不到照片（{photo_id}）。")
    posting = None
    if posting_id is not None:
        posting = session.get(Posting, posting_id)
        if posting is None:
            raise NotFound(f"找不到张贴记录（{posting_id}），请先登记张贴。")
    apply_link(photo, posting, role, mismatch_days)
    photo.row_version = (photo.row_version or 0) + 1
    session.flush()
    return photo


def posting_evidence(session, posting_id: str) -> dict:
    """Whether a posting has its start and end photos, and which photos those are."""
    if session.get(Posting, posting_id) is None:
        raise NotFound(f"找不到张贴记录（{posting_id}）。")
    photos = session.scalars(select(Photo).where(Photo.posting_id == posting_id).order_by(Photo.taken_at)).all()
    start = [p.id for p in photos if p.role == "start"]
    end = [p.id for p in photos if p.role == "end"]
    return {
        "has_start_photo": bool(start),
        "has_end_photo": bool(end),
        "start_photo_ids": start,
        "end_photo_ids": end,
        "flagged_photo_ids": [p.id for p in photos if p.flags],
    }


def describe_photo_use(session, photo: Photo) -> str:
    """Chinese sentence saying where an archived photo is used (for the `duplicate` message)."""
    imported = photo.created_at.strftime("%Y-%m-%d") if photo.created_at else ""
    head = f"该照片已于 {imported} 导入档案（原文件名 {photo.original_name}）"
    if photo.posting_id is None:
        return head + "，尚未关联任何公示。"
    row = session.execute(
        select(Disclosure.title, NoticeBoard.name, Posting.posted_on)
        .join(Posting, Posting.disclosure_id == Disclosure.id)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .where(Posting.id == photo.posting_id)
    ).first()
    if row is None:
        return head + "。"
    title, board_name, posted_on = row
    role = ROLE_LABELS.get(photo.role or "", "照片")
    return head + f"，已作为“{title}”在{board_name}（{posted_on:%Y-%m-%d} 张贴）的{role}。"
