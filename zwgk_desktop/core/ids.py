"""What people type as a record's ID: the full id, or a unique prefix of at least `MIN_ID_PREFIX` characters.

One rule for notices, postings and objections (CLI arguments, links in the UI): LIKE wildcards in the typed
text are taken literally, a prefix naming several records is refused with `ambiguous_id` naming them, and a
prefix too short or naming nothing is `NotFound` with a hint where to look the IDs up.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.errors import NotFound

MIN_ID_PREFIX = 6
Row = TypeVar("Row")


def resolve_id(session: Session, model: type[Row], typed: str | None, *, what: str, hint: str = "",
               describe: Callable[[Row], str] | None = None) -> Row:
    """The `model` row `typed` names (`what`: the record's name in messages, e.g. "公示")."""
    text = (typed or "").strip()
    found = session.get(model, text) if text else None
    if found is not None:
        return found
    if len(text) >= MIN_ID_PREFIX:
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches = session.execute(
            select(model).where(model.id.like(pattern, escape="\\")).order_by(model.id).limit(5)
        ).scalars().all()
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = "；".join(describe(m) if describe else f"{m.id[:12]}…" for m in matches[:3])
            raise NotFound(
                f"编号前缀 {text} 对应多条{what}（{names}），请多输入几位编号。",
                code="ambiguous_id", detail={"prefix": text, "matches": [m.id for m in matches]},
            )
    elif text:
        raise NotFound(f"{what}编号 {text} 太短：请输入完整编号或至少前 {MIN_ID_PREFIX} 位。{hint}")
    raise NotFound(f"找不到编号为 {text or '（空）'} 的{what}。{hint}")
