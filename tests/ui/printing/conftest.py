"""Fixtures for the printing UI tests: notices of the demo township by category and status."""

from __future__ import annotations

import pytest

from zwgk_desktop.core.users import Actor

TESTER = Actor(username="tester", role="admin", display_name="测试管理员")


def notice_id(database, category: str, status: str) -> str:
    """The id of the demo notice of `category` in `status` (the demo has one of each)."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import Disclosure

    with database.session() as session:
        return session.execute(
            select(Disclosure.id).where(Disclosure.category == category, Disclosure.status == status).limit(1)
        ).scalar_one()


@pytest.fixture
def published_dibao(demo_db) -> str:
    return notice_id(demo_db, "dibao", "publishing")


@pytest.fixture
def tasks(qapp, demo_db):
    """The window's TaskManager as the app binds it: the demo database and the signed-in tester."""
    from zwgk_desktop.ui.tasks import TaskManager

    manager = TaskManager(database=demo_db, actor=TESTER)
    yield manager
    manager.shutdown(wait=True)
