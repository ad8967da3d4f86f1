"""A read op's queries all see one state of the database, even when another program commits in between."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select

from zwgk_desktop.core.models import Disclosure
from zwgk_desktop.core.users import SYSTEM_ACTOR
from zwgk_desktop.ops.base import read_session


def _titles(session) -> list[str]:
    return list(session.execute(select(Disclosure.title).order_by(Disclosure.id)).scalars())


def test_a_read_session_keeps_one_snapshot_while_another_process_commits(demo_db):
    """A list and its totals read in one op agree: a rename committed by another connection between them is
    not seen until the next op."""
    with read_session(demo_db, SYSTEM_ACTOR) as session:
        before = _titles(session)
        other = sqlite3.connect(demo_db.path, isolation_level=None)
        other.execute("UPDATE disclosure SET title = title || '（改）'")
        other.close()
        assert _titles(session) == before
        assert session.execute(select(func.count()).where(Disclosure.title.like("%（改）"))).scalar() == 0
    with read_session(demo_db, SYSTEM_ACTOR) as session:
        assert _titles(session) == [title + "（改）" for title in before]
