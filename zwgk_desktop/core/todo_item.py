"""One 今日待办 row (`TodoItem`) and the Chinese names of its kinds, with nothing heavy behind them.

`core.dashboard` produces the rows from the database; this module holds only
their shape, so that start-up can show the rows it remembered
(`core.start_snapshot`) before SQLAlchemy and the models are even imported.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

# The kinds, most urgent first (the list is sorted in this order).
KIND_LABELS = {
    "awaiting_conclusion": "待办结",
    "ending_soon": "即将期满",
    "objection_stale": "异议超期",
    "objection_open": "异议待办",
    "photo_start": "缺张贴照",
    "photo_end": "缺期满照",
    "review_pending": "待审核",
    "cadence_overdue": "村务公开到期",
    "request_overdue": "依申请公开逾期",
    "request_due": "依申请公开待答复",
    "stale_poster": "旧版未撤换",
}


@dataclass
class TodoItem:
    kind: str
    kind_label: str
    title: str
    detail: str
    due: str | None = None
    disclosure_id: str | None = None
    posting_id: str | None = None
    objection_id: str | None = None
    category: str | None = None
    village_id: str | None = None
    urgent: bool = False
    request_id: str | None = None

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "TodoItem":
        """The row `as_json` gave; a ValueError when `data` is not such a row (another version wrote it)."""
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) != names:
            raise ValueError("not a to-do row of this version")
        return cls(**data)
