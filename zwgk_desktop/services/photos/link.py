"""Tying photos to postings: suggestions (QR, GPS, file name, EXIF time), links with a role, the QR auto-link.

A posting needs two photos at most: `start` (taken when it was put up) and
`end` (taken at the end of the 公示期). A photo's first link is
`Photo.posting_id`/`role`; a photo showing several notices gets a
`PhotoLink` row for each further posting (`core.photo_links` reads both).
Linking recomputes the `time_mismatch` flag against the posting date each
role refers to. Once a notice is archived its photos' links are locked:
nothing can be linked to or unlinked from its postings.

QR (issue 19): `judge_findings` marks an old version photographed after its
correction went up (`wrong_version`) and foreign codes (`foreign_qr`);
`auto_link` links a photo whose QR names a posted notice to that posting as
its start photo (taken on or within the mismatch days after the posting day)
or end photo (on or after the last day), with no clerk action.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select

from zwgk_desktop.core.models import Disclosure, NoticeBoard, Photo, PhotoLink, Posting, StatusChange, Village
from zwgk_desktop.core.status import Status
from zwgk_desktop.errors import InvalidInput, NotAllowed, NotFound
from zwgk_desktop.services.photos.quality import is_time_mismatch, ordered_flags, with_time_mismatch

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
    """Postings this photo most likely shows, best first.

    A posting of the notice the photo's QR names comes first (on the QR's
    board before others). Then, with GPS, boards far from the photo come
    last and the nearest in time first; without GPS the board the QR names,
    then a board whose name or village the file name mentions (clerks often
    save "石桥村公开栏0301.jpg"), then time. `village_ids` restricts to those
    villages' boards (a village official's own). A photo without EXIF time
    gets suggestions only from its QR: otherwise the user must choose.
    """
    qr = [f for f in (photo.qr or []) if isinstance(f, dict) and f.get("disclosure_id") and f.get("state") != "foreign"
          and not f.get("wrong_version")]  # an old version seen after its correction is no evidence of it
    qr_notices = {f["disclosure_id"] for f in qr}
    qr_boards = {f.get("board_id") for f in qr if f.get("board_id")}
    if photo.taken_at is None and not qr_notices:
        return []
    taken_on = photo.taken_at.date() if photo.taken_at else None
    query = (
        select(Posting, NoticeBoard, Disclosure, Village.name)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .join(Disclosure, Posting.disclosure_id == Disclosure.id)
        .outerjoin(Village, NoticeBoard.village_id == Village.id)
        .where(Disclosure.status.not_in([Status.WITHDRAWN, Status.ARCHIVED]) | Disclosure.id.in_(list(qr_notices)))
    )
    if taken_on is not None:
        window_start = date.fromordinal(taken_on.toordinal() - SUGGEST_WINDOW_DAYS)
        window_end = date.fromordinal(taken_on.toordinal() + SUGGEST_WINDOW_DAYS)
        in_window = or_(
            Posting.posted_on.between(window_start, window_end),
            Posting.planned_end.between(window_start, window_end),
            Posting.removed_on.between(window_start, window_end),
        )
        query = query.where(in_window | Posting.disclosure_id.in_(list(qr_notices)))
    else:
        query = query.where(Posting.disclosure_id.in_(list(qr_notices)))
    if village_ids is not None:
        query = query.where(NoticeBoard.village_id.in_(list(village_ids)))
    suggestions, named, qr_rank = [], set(), {}
    for posting, board, disclosure, village_name in session.execute(query).all():
        if disclosure.status == Status.ARCHIVED:
            continue  # locked: nothing can be linked any more
        role = role_for_day(posting, taken_on)
        reference = reference_date(posting, role)
        days_off = abs((taken_on - reference).days) if taken_on is not None and reference is not None else 0
        distance = None
        if None not in (photo.gps_lat, photo.gps_lon, board.lat, board.lon):
            distance = round(distance_metres(photo.gps_lat, photo.gps_lon, board.lat, board.lon), 1)
        suggestions.append(
            PostingSuggestion(posting.id, disclosure.id, disclosure.title, board.id, board.name, role, days_off, distance)
        )
        if _file_names_board(photo.original_name or "", board.name, village_name):
            named.add(posting.id)
        notice_match = posting.disclosure_id in qr_notices
        board_match = board.id in qr_boards
        qr_rank[posting.id] = 0 if notice_match and (board_match or not qr_boards) else (
            1 if notice_match else (2 if board_match else 3))
    has_gps = photo.gps_lat is not None and photo.gps_lon is not None
    if has_gps:
        def key(s):
            return (qr_rank[s.posting_id], s.distance_m is not None and s.distance_m > NEAR_BOARD_METRES, s.days_off,
                    s.posting_id not in named, s.distance_m if s.distance_m is not None else NEAR_BOARD_METRES)
    else:
        def key(s):
            return (qr_rank[s.posting_id], s.posting_id not in named, s.days_off, s.board_name)
    suggestions.sort(key=key)
    return suggestions[:limit]


def _file_names_board(file_name: str, board_name: str, village_name: str | None) -> bool:
    """Whether a photo's file name mentions the board or its village."""
    return bool(board_name and board_name in file_name) or bool(village_name and village_name in file_name)


def posting_notice(session, posting: Posting) -> Disclosure | None:
    return session.get(Disclosure, posting.disclosure_id)


def require_unlocked(session, posting: Posting, *, unlinking: bool = False) -> None:
    """Refuse to change the photos of a posting whose notice is archived (the evidence is final)."""
    notice = posting_notice(session, posting)
    if notice is not None and notice.status == Status.ARCHIVED:
        action = "取消照片关联" if unlinking else "关联照片"
        raise NotAllowed(
            f"公示“{notice.title}”已归档，留痕照片已锁定，不能再{action}。如确需更改，请联系管理员处理。",
            code="notice_archived",
            detail={"disclosure_id": notice.id, "posting_id": posting.id},
        )


def photo_link_rows(session, photo_id: str) -> list[PhotoLink]:
    return list(session.scalars(
        select(PhotoLink).where(PhotoLink.photo_id == photo_id).order_by(PhotoLink.created_at, PhotoLink.id)))


def photo_links(session, photo: Photo) -> list[tuple[str, str]]:
    """(posting_id, role) of every link of a photo, its first link first."""
    links = [(photo.posting_id, photo.role or "start")] if photo.posting_id else []
    links += [(row.posting_id, row.role) for row in photo_link_rows(session, photo.id)]
    return links


def refresh_time_mismatch(session, photo: Photo, mismatch_days: int) -> None:
    """Set `time_mismatch` when the photo's day is too far from the day any of its links refers to."""
    taken_on = photo.taken_at.date() if photo.taken_at else None
    mismatch = False
    for posting_id, role in photo_links(session, photo):
        posting = session.get(Posting, posting_id)
        if posting is not None and is_time_mismatch(taken_on, reference_date(posting, role), mismatch_days):
            mismatch = True
    photo.flags = with_time_mismatch(photo.flags, mismatch)


def apply_link(photo: Photo, posting: Posting | None, role: str | None, mismatch_days: int) -> None:
    """Set the first link (posting and role) on a photo row and recompute its `time_mismatch` flag.

    For a photo not yet in the session (a new import); `add_link` handles further links.
    """
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


def add_link(session, photo: Photo, posting: Posting, role: str, *, source: str = "manual") -> bool:
    """Link a photo to one more posting (its first link if it has none); False if already linked there."""
    if role not in ROLES:
        raise InvalidInput(f"照片用途只能是 start（张贴照）或 end（期满照），收到：{role}", code="invalid_role")
    if photo.posting_id is None:
        photo.posting_id, photo.role = posting.id, role
        return True
    if photo.posting_id == posting.id:
        return False
    if any(row.posting_id == posting.id for row in photo_link_rows(session, photo.id)):
        return False
    session.add(PhotoLink(photo_id=photo.id, posting_id=posting.id, role=role, source=source))
    return True


def link_photo(
    session, photo_id: str, posting_id: str | None, role: str | None = None, *, mismatch_days: int = DEFAULT_MISMATCH_DAYS
) -> Photo:
    """Link a photo to a posting as its start/end photo (`posting_id=None`: remove every link).

    A posting the photo is already linked to gets the new role; otherwise the
    chosen posting replaces the photo's first link (further links stay).
    Postings of an archived notice are locked (refused with `notice_archived`).
    """
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise NotFound(f"找不到照片（{photo_id}）。")
    if role is not None and role not in ROLES:
        raise InvalidInput(f"照片用途只能是 start（张贴照）或 end（期满照），收到：{role}", code="invalid_role")
    if posting_id is None:
        for linked_id, _role in photo_links(session, photo):
            linked = session.get(Posting, linked_id)
            if linked is not None:
                require_unlocked(session, linked, unlinking=True)
        for row in photo_link_rows(session, photo.id):
            session.delete(row)
        photo.posting_id, photo.role = None, None
    else:
        posting = session.get(Posting, posting_id)
        if posting is None:
            raise NotFound(f"找不到张贴记录（{posting_id}），请先登记张贴。")
        require_unlocked(session, posting)
        taken_on = photo.taken_at.date() if photo.taken_at else None
        role = role or role_for_day(posting, taken_on)
        extra = next((row for row in photo_link_rows(session, photo.id) if row.posting_id == posting_id), None)
        if extra is not None:
            extra.role = role
        else:
            if photo.posting_id and photo.posting_id != posting_id:
                current = session.get(Posting, photo.posting_id)
                if current is not None:
                    require_unlocked(session, current, unlinking=True)
            photo.posting_id, photo.role = posting.id, role
    refresh_time_mismatch(session, photo, mismatch_days)
    photo.row_version = (photo.row_version or 0) + 1
    session.flush()
    return photo


def unlink_posting(session, photo_id: str, posting_id: str, *, mismatch_days: int = DEFAULT_MISMATCH_DAYS) -> Photo:
    """Remove one link of a photo (its first link: the next one becomes the first)."""
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise NotFound(f"找不到照片（{photo_id}）。")
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise NotFound(f"找不到张贴记录（{posting_id}）。")
    require_unlocked(session, posting, unlinking=True)
    rows = photo_link_rows(session, photo.id)
    if photo.posting_id == posting_id:
        if rows:
            first = rows.pop(0)
            photo.posting_id, photo.role = first.posting_id, first.role
            session.delete(first)
        else:
            photo.posting_id, photo.role = None, None
    else:
        for row in rows:
            if row.posting_id == posting_id:
                session.delete(row)
    session.flush()
    refresh_time_mismatch(session, photo, mismatch_days)
    photo.row_version = (photo.row_version or 0) + 1
    session.flush()
    return photo


# --- QR: judging findings and linking automatically -----------------------------------------


def correction_posted_on(session, disclosure_id: str, board_id: str | None) -> date | None:
    """The day the correction of this version went up (on `board_id` when it was posted there),
    or, for a withdrawn notice without correction, the day it was withdrawn."""
    from zwgk_desktop.core.photo_links import chain_ids

    notice = session.get(Disclosure, disclosure_id)
    if notice is None:
        return None
    newer = [d for d in chain_ids(session, disclosure_id)
             if d != disclosure_id and (session.get(Disclosure, d).version or 0) > (notice.version or 0)]
    if newer:
        postings = session.execute(select(Posting.posted_on, Posting.board_id).where(Posting.disclosure_id.in_(newer))).all()
        on_board = [day for day, board in postings if board_id and board == board_id]
        days = on_board or [day for day, _board in postings]
        return min(days) if days else None
    if notice.status == Status.WITHDRAWN:
        when = session.execute(
            select(StatusChange.created_at).where(StatusChange.disclosure_id == disclosure_id,
                                                  StatusChange.to_status == Status.WITHDRAWN)
            .order_by(StatusChange.created_at.desc())
        ).scalar()
        return when.date() if when else None
    return None


def seen_board(session, photo: Photo, disclosure_id: str) -> str | None:
    """The board an old poster was seen on when its code names none: its only posting's board,
    else the board nearest the photo's GPS, else the one its file name names."""
    rows = session.execute(
        select(NoticeBoard, Village.name).join(Posting, Posting.board_id == NoticeBoard.id)
        .outerjoin(Village, NoticeBoard.village_id == Village.id).where(Posting.disclosure_id == disclosure_id)
    ).all()
    boards = {board.id: (board, village) for board, village in rows}
    if len(boards) == 1:
        return next(iter(boards))
    picked = pick_board(photo, [(board, village) for board, village in boards.values()])
    return picked.id if picked is not None else None


def pick_board(photo: Photo, boards) -> NoticeBoard | None:
    """Among candidate (board, village name) pairs: the one nearest the photo's GPS (within 1 km),
    else the one its file name names; None when that doesn't decide."""
    if photo.gps_lat is not None and photo.gps_lon is not None:
        near = sorted(
            ((distance_metres(photo.gps_lat, photo.gps_lon, b.lat, b.lon), b) for b, _v in boards
             if b.lat is not None and b.lon is not None),
            key=lambda pair: pair[0],
        )
        if near and near[0][0] <= NEAR_BOARD_METRES and (len(near) == 1 or near[1][0] > near[0][0]):
            return near[0][1]
    named = [b for b, village in boards if _file_names_board(photo.original_name or "", b.name, village)]
    return named[0] if len(named) == 1 else None


def judge_findings(session, photo: Photo, findings) -> list[str]:
    """Mark old versions seen after their correction (`wrong_version`) and foreign codes; return the new flags."""
    flags = set()
    taken_on = photo.taken_at.date() if photo.taken_at else None
    for finding in findings:
        if finding.foreign:
            flags.add("foreign_qr")
            continue
        if finding.state not in ("superseded", "withdrawn") or taken_on is None:
            continue
        corrected = correction_posted_on(session, finding.disclosure_id, finding.board_id)
        if corrected is not None and taken_on >= corrected:
            finding.wrong_version = True
            finding.seen_board_id = finding.board_id or seen_board(session, photo, finding.disclosure_id)
            flags.add("wrong_version")
    return ordered_flags(flags)


def role_in_window(posting: Posting, taken_on: date, slack_days: int) -> str | None:
    """'start' on or within `slack_days` after the posting day, 'end' on or within `slack_days` after the
    last day; None in between or outside the posting's window."""
    start_ok = posting.posted_on <= taken_on <= posting.posted_on + timedelta(days=slack_days)
    end = posting_end_date(posting)
    end_ok = end is not None and end <= taken_on <= end + timedelta(days=slack_days)
    if start_ok and end_ok:
        return "end" if abs((taken_on - end).days) < abs((taken_on - posting.posted_on).days) else "start"
    return "start" if start_ok else ("end" if end_ok else None)


def role_without_time(session, posting: Posting, today: date | None = None) -> str:
    """A photo without EXIF time: start until the posting has one, then end once the period ended."""
    from zwgk_desktop.core.photo_links import posting_photo_roles

    have = posting_photo_roles(session, [posting.id]).get(posting.id, set())
    end = posting_end_date(posting)
    if "start" in have and end is not None and end <= (today or date.today()):
        return "end"
    return "start"


def auto_link(session, photo: Photo, findings, *, mismatch_days: int = DEFAULT_MISMATCH_DAYS) -> list[tuple[str, str]]:
    """Link a photo to the postings its QR codes name (see the module doc); returns the new (posting_id, role).

    Never for a photo with a foreign code, nor to a version seen after its
    correction, nor to an archived notice; when a notice is on several boards
    and the code names none, the photo's GPS or file name must pick the board.
    """
    if any(f.foreign for f in findings):
        return []
    taken_on = photo.taken_at.date() if photo.taken_at else None
    linked: list[tuple[str, str]] = []
    taken = {pid for pid, _role in photo_links(session, photo)}
    for finding in findings:
        if finding.wrong_version or not finding.disclosure_id:
            continue
        notice = session.get(Disclosure, finding.disclosure_id)
        if notice is None or notice.status == Status.ARCHIVED:
            continue
        query = select(Posting, NoticeBoard, Village.name).join(NoticeBoard, Posting.board_id == NoticeBoard.id) \
            .outerjoin(Village, NoticeBoard.village_id == Village.id).where(Posting.disclosure_id == notice.id)
        if finding.board_id:
            query = query.where(Posting.board_id == finding.board_id)
        candidates = []
        for posting, board, village in session.execute(query).all():
            role = role_in_window(posting, taken_on, mismatch_days) if taken_on else role_without_time(session, posting)
            if role is not None:
                candidates.append((posting, board, village, role))
        if len(candidates) > 1:
            picked = pick_board(photo, [(board, village) for _p, board, village, _r in candidates])
            candidates = [c for c in candidates if picked is not None and c[1].id == picked.id]
        if len(candidates) != 1:
            continue
        posting, _board, _village, role = candidates[0]
        if posting.id in taken:
            continue
        if add_link(session, photo, posting, role, source="qr"):
            taken.add(posting.id)
            linked.append((posting.id, role))
    return linked


def posting_evidence(session, posting_id: str) -> dict:
    """Whether a posting has its start and end photos (first or further links), and which photos those are."""
    from zwgk_desktop.core.photo_links import posting_photos

    if session.get(Posting, posting_id) is None:
        raise NotFound(f"找不到张贴记录（{posting_id}）。")
    photos = posting_photos(session, [posting_id]).get(posting_id, [])
    start = [p.photo_id for p in photos if p.role == "start"]
    end = [p.photo_id for p in photos if p.role == "end"]
    return {
        "has_start_photo": bool(start),
        "has_end_photo": bool(end),
        "start_photo_ids": start,
        "end_photo_ids": end,
        "flagged_photo_ids": [p.photo_id for p in photos if p.flags],
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
