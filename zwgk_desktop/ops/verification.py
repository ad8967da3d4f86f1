"""核验: what a 核验码 printed under a poster's QR names, and whether that version is still the valid one.

`verify_code(db, actor, code)` takes a typed or scanned code ("ABCD-EFGH",
case and dash free, I/L/O read as 1/1/0) or a whole QR text
(`ZWGK:CODE`, `<county>/v/CODE`, an old poster's `ZWGK|id|v1|…`) and answers
a `Verification`: the notice's title, township, version, 公示期 (the stored
posting period, or the period printed on a poster not yet posted), the
board or village part the code names, and the state — current
("此公示为真实有效版本"), superseded ("此版本已被第2版更正"), withdrawn, or
unknown here (another township's or a mistyped code). The kiosk's lookup and
the photos importer use this; the county page answers the same from its copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from zwgk_desktop.core.periods import NoticePeriod, period_range_text, poster_period_line
from zwgk_desktop.core.status import PRINTABLE
from zwgk_desktop.core.users import Actor
from zwgk_desktop.core.verification import (
    STATE_CURRENT,
    STATE_FOREIGN,
    display_code,
    normalise_code,
    parse_qr_payload,
    resolve,
)
from zwgk_desktop.errors import InvalidInput
from zwgk_desktop.ops.base import read_session, reads

STATE_UNAPPROVED = "unapproved"  # a code of a draft or a notice under review: a 样稿, not a 公示
UNAPPROVED_LABEL = "此为未经审核的样稿，不是正式公示"


@dataclass(frozen=True)
class Verification:
    """The answer to one 核验码."""

    code: str | None
    found: bool
    state: str  # current | superseded | withdrawn | unapproved | foreign
    state_label: str
    disclosure_id: str | None = None
    status: str = ""  # the notice version's status (core.status.Status)
    title: str = ""
    township: str = ""
    version: int | None = None
    superseded_by_version: int | None = None
    period_text: str = ""  # "公示期：2026年12月4日至12月10日（7天）" ("" when not known)
    period_range: str = ""
    period_planned: bool = False  # the period printed before posting (the notice is not posted yet)
    board_id: str | None = None
    board_name: str = ""
    village_name: str = ""

    @property
    def genuine(self) -> bool:
        return self.state == STATE_CURRENT

    @property
    def display_code(self) -> str:
        return display_code(self.code) if self.code else ""

    def as_json(self) -> dict:
        return {
            "code": self.code, "display_code": self.display_code, "found": self.found, "state": self.state,
            "state_label": self.state_label, "genuine": self.genuine, "disclosure_id": self.disclosure_id,
            "title": self.title, "township": self.township, "version": self.version,
            "superseded_by_version": self.superseded_by_version, "period_text": self.period_text, "status": self.status,
            "period_range": self.period_range, "period_planned": self.period_planned, "board_id": self.board_id,
            "board_name": self.board_name, "village_name": self.village_name,
        }


@reads
def verify_code(db, actor: Actor, code: str) -> Verification:
    """Resolve a 核验码 (or a decoded QR text) against this township's records."""
    text = (code or "").strip()
    reference = parse_qr_payload(text)
    if reference is None:
        normal = normalise_code(text)
        if normal is None:
            raise InvalidInput(
                f"“{text}”不是有效的核验码。核验码为 8 位字母和数字，印在海报二维码下方，例如 ABCD-EFGH。",
                code="bad_code", detail={"code": text},
            )
        reference = normal
    with read_session(db, actor) as session:
        resolution = resolve(session, reference)
        if resolution.state == STATE_FOREIGN or resolution.disclosure_id is None:
            return Verification(resolution.code, False, STATE_FOREIGN, resolution.state_label)
        return _describe(session, resolution)


def _describe(session, resolution) -> Verification:
    from zwgk_desktop.core.models import Disclosure, NoticeBoard, Township

    notice = session.get(Disclosure, resolution.disclosure_id)
    township = session.get(Township, notice.township_id)
    board = session.get(NoticeBoard, resolution.board_id) if resolution.board_id else None
    period = verified_period(session, notice, resolution.board_id)
    planned = bool(period and period.planned)
    state, label = resolution.state, resolution.state_label
    if state == STATE_CURRENT and notice.status not in PRINTABLE:
        state, label = STATE_UNAPPROVED, UNAPPROVED_LABEL
    return Verification(
        code=resolution.code, found=True, state=state, state_label=label, status=notice.status,
        disclosure_id=notice.id, title=notice.title, township=township.name if township else "",
        version=resolution.version, superseded_by_version=resolution.superseded_by_version,
        period_text=poster_period_line(period) if period else "", period_range=period_range_text(period) if period else "",
        period_planned=planned, board_id=resolution.board_id, board_name=board.name if board else "",
        village_name=resolution.village_name,
    )


def verified_period(session, notice, board_id: str | None = None) -> NoticePeriod | None:
    """The period the verified poster shows: that board's posting period when the code names a posted
    board, else the notice's (`core.postings.notice_period`: posted, or planned when printed before posting)."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import Posting
    from zwgk_desktop.core.postings import notice_period, posting_periods

    if board_id:
        posting = session.execute(
            select(Posting).where(Posting.disclosure_id == notice.id, Posting.board_id == board_id)
            .order_by(Posting.posted_on).limit(1)
        ).scalar()
        if posting is not None:
            return posting_periods(session, [posting])[posting.id]
    return notice_period(session, notice)
