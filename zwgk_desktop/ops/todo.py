"""今日待办 as an op: the actor's to-do items for a day, and how much the township holds (an empty township
tells a new clerk where to start)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from zwgk_desktop.core.dashboard import TodoItem, todo_items
from zwgk_desktop.core.disclosures import concerning_villages
from zwgk_desktop.core.models import Disclosure
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import read_session, reads


@dataclass
class TodoList:
    items: list[TodoItem] = field(default_factory=list)
    notices: int = 0  # notices the actor can see (0: a new township — start with 导入花名册 / 新建公示)

    @property
    def urgent(self) -> int:
        return sum(1 for i in self.items if i.urgent)

    def as_json(self) -> dict:
        return {"items": [i.as_json() for i in self.items], "notices": self.notices}


@reads
def todo(db, actor: Actor, *, today: date | None = None, stale_days: int | None = None) -> TodoList:
    with read_session(db, actor) as session:
        items = todo_items(session, actor, today=today, stale_days=stale_days)
        count = select(func.count(Disclosure.id))
        if actor.village_scope is not None:
            count = count.where(concerning_villages(actor.village_scope))
        return TodoList(items, session.execute(count).scalar() or 0)
