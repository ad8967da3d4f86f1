"""Township set-up: the township, its villages/communities with groups, and their notice boards.

`init_township` creates the township on first use or extends it: new
villages get a notice board each; existing ones are left as they are. The
catalogue is seeded from the shipped default on first use.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import catalog_item_values, load_catalogue
from zwgk_desktop.core.models import CatalogItem, NoticeBoard, Township, Village, VillageGroup
from zwgk_desktop.errors import InvalidInput, NotFound

DEFAULT_GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组")


@dataclass
class TownshipSummary:
    id: str
    name: str
    county_name: str
    villages: list[str]
    boards: int


def clean_name(raw: str, what: str) -> str:
    name = raw.strip().replace("\u3000", "")
    if not name:
        raise InvalidInput(f"{what}名称不能为空。")
    if len(name) > 60:
        raise InvalidInput(f"{what}名称“{name[:20]}…”过长（最多60个字）。")
    return name


def current_township(session: Session) -> Township | None:
    return session.execute(select(Township).order_by(Township.created_at).limit(1)).scalar()


def require_township(session: Session) -> Township:
    township = current_township(session)
    if township is None:
        raise NotFound("尚未设置乡镇。请先运行 zwgk township init --name 乡镇名 --villages 村1,村2，或 zwgk demo 创建演示数据。")
    return township


def seed_catalogue(session: Session) -> int:
    """Copy the shipped catalogue into the database where a category is missing."""
    existing = set(session.execute(select(CatalogItem.code)).scalars())
    added = 0
    for code, entry in load_catalogue().items():
        if code in existing:
            continue
        session.add(CatalogItem(**catalog_item_values(entry)))
        added += 1
    return added


def init_township(
    session: Session,
    name: str,
    villages: list[str],
    *,
    county_name: str = "",
    supervise_phone: str = "",
    county_supervise_phone: str = "",
    groups: tuple[str, ...] = DEFAULT_GROUPS,
) -> TownshipSummary:
    name = clean_name(name, "乡镇")
    village_names = _dedupe([clean_name(v, "村（社区）") for v in villages if v.strip()])
    township = current_township(session)
    if township is None:
        township = Township(
            name=name, county_name=county_name, issuer=f"{name}人民政府",
            supervise_phone=supervise_phone, county_supervise_phone=county_supervise_phone,
        )
        session.add(township)
        session.flush()
        session.add(NoticeBoard(township_id=township.id, village_id=None, name=f"{name}政务公开栏", location=f"{name}人民政府便民服务中心"))
    elif township.name != name:
        raise InvalidInput(f"本数据目录已属于“{township.name}”，不能再设置为“{name}”。请使用其他数据目录。")
    else:
        for attr, value in (("county_name", county_name), ("supervise_phone", supervise_phone), ("county_supervise_phone", county_supervise_phone)):
            if value:
                setattr(township, attr, value)
    existing = {v.name for v in session.execute(select(Village).where(Village.township_id == township.id)).scalars()}
    order = session.execute(select(func.count(Village.id)).where(Village.township_id == township.id)).scalar() or 0
    for village_name in village_names:
        if village_name in existing:
            continue
        order += 1
        add_village(session, township, village_name, order, groups)
    seed_catalogue(session)
    session.flush()
    return summarize(session, township)


def add_village(session: Session, township: Township, name: str, order: int, groups: tuple[str, ...]) -> Village:
    kind = "community" if name.endswith("社区") else "village"
    village = Village(township_id=township.id, name=name, kind=kind, sort_order=order)
    session.add(village)
    session.flush()
    for index, group in enumerate(groups, start=1):
        session.add(VillageGroup(village_id=village.id, name=group, sort_order=index))
    board_name = f"{name}{'居务' if kind == 'community' else '村务'}公开栏"
    session.add(NoticeBoard(township_id=township.id, village_id=village.id, name=board_name, location=f"{name}党群服务中心"))
    return village


def summarize(session: Session, township: Township) -> TownshipSummary:
    villages = list(
        session.execute(select(Village.name).where(Village.township_id == township.id).order_by(Village.sort_order)).scalars()
    )
    boards = session.execute(select(func.count(NoticeBoard.id)).where(NoticeBoard.township_id == township.id)).scalar()
    return TownshipSummary(township.id, township.name, township.county_name, villages, boards or 0)


def village_names(session: Session) -> list[str]:
    return list(session.execute(select(Village.name).order_by(Village.sort_order)).scalars())


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for n in names:
        seen.setdefault(n, None)
    return list(seen)
