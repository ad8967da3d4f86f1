"""The window's overview: the township's name and the counts in the title and status bar."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from zwgk_desktop.core.disclosures import concerning_villages
from zwgk_desktop.core.households import HouseholdQuery, count_households
from zwgk_desktop.core.models import Disclosure
from zwgk_desktop.core.status import Status
from zwgk_desktop.core.townships import current_township
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import read_session, reads


@dataclass(frozen=True)
class Overview:
    """Township name and counts of what `actor` may see (a 村级用户: their villages only)."""

    township: str | None
    disclosures: int
    households: int
    publishing: int


@reads
def load_overview(db, actor: Actor) -> Overview:
    scope = actor.village_scope
    notices = select(func.count(Disclosure.id))
    if scope is not None:
        notices = notices.where(concerning_villages(scope))
    with read_session(db, actor) as session:
        township = current_township(session)
        households = count_households(session, HouseholdQuery(village_ids=scope))
        disclosures = session.execute(notices).scalar() or 0
        publishing = session.execute(notices.where(Disclosure.status == Status.PUBLISHING)).scalar() or 0
        return Overview(township.name if township else None, disclosures, households, publishing)
