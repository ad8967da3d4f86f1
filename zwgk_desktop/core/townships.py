"""Township set-up: the township, its villages/communities with groups, and their notice boards.

`init_township` creates the township on first use or extends it: new
villages get a notice board each; existing ones are left as they are. The
catalogue is seeded from the shipped default on first use.

Managing them afterwards (设置 → 村（社区）与公开栏, `zwgk township village|group|board …`):
add, rename, merge (撤并村: households, boards and village users move to the
village it joins; the old one is kept, retired, with `merged_into_id`, so
old notices still name it and a roster naming it is read as the new one),
retire and restore villages; add and retire groups; add, update and retire
boards with their location and GPS (used by photo suggestions). Every change
goes through the ORM, so each row is audited and queued for the county like
any other (`core.changes`); a merger also records one summary event.
`township_layout` is the DTO the settings tab shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core import audit
from zwgk_desktop.core.catalogue import catalog_item_values, load_catalogue
from zwgk_desktop.core.models import CatalogItem, Household, NoticeBoard, Township, User, Village, VillageGroup
from zwgk_desktop.errors import InvalidInput, NotAllowed, NotFound

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
    order = session.execute(select(func.max(Village.sort_order)).where(Village.township_id == township.id)).scalar() or 0
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
    session.add(NoticeBoard(township_id=township.id, village_id=village.id, name=default_board_name(name),
                            location=f"{name}党群服务中心"))
    return village


def default_board_name(village: str) -> str:
    """石桥村 → 石桥村村务公开栏, 新华社区 → 新华社区居务公开栏."""
    return f"{village}{'居务' if village.endswith('社区') else '村务'}公开栏"


def summarize(session: Session, township: Township) -> TownshipSummary:
    villages = list(
        session.execute(select(Village.name).where(Village.township_id == township.id).order_by(Village.sort_order)).scalars()
    )
    boards = session.execute(select(func.count(NoticeBoard.id)).where(NoticeBoard.township_id == township.id)).scalar()
    return TownshipSummary(township.id, township.name, township.county_name, villages, boards or 0)


def village_names(session: Session) -> list[str]:
    """Names of the villages in use (retired and merged ones left out), in the township's order."""
    return list(session.execute(select(Village.name).where(Village.active.is_(True)).order_by(Village.sort_order)).scalars())


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for n in names:
        seen.setdefault(n, None)
    return list(seen)


# --- managing villages, groups and boards -----------------------------------------------------

VILLAGE_SUFFIXES = ("村", "社区", "居委会", "村委会")
MAX_LOCATION = 200


@dataclass
class GroupRow:
    id: str
    name: str
    active: bool


@dataclass
class BoardRow:
    """A 公开栏 as every screen and command lists it (settings, the posting dialog, `notice postings`)."""

    id: str
    name: str
    village_id: str | None
    village_name: str
    location: str
    lat: float | None
    lon: float | None
    active: bool

    def as_json(self) -> dict:
        return asdict(self)


def board_row(board: NoticeBoard, village_names: dict[str, str]) -> BoardRow:
    return BoardRow(board.id, board.name, board.village_id, village_names.get(board.village_id or "", ""),
                    board.location, board.lat, board.lon, board.active)


@dataclass
class VillageRow:
    id: str
    name: str
    kind: str
    active: bool
    merged_into: str | None  # the village's name it was merged into (撤并村)
    households: int
    groups: list[GroupRow] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        if self.active:
            return "在用"
        return f"已并入{self.merged_into}" if self.merged_into else "已撤销"


@dataclass
class TownshipLayout:
    """The 设置 → 村（社区）与公开栏 tab: villages (in order, retired ones last) with groups, and every board."""

    township: str
    villages: list[VillageRow]
    boards: list[BoardRow]

    def village(self, name: str) -> VillageRow | None:
        return next((v for v in self.villages if v.name == name), None)

    def board(self, name: str) -> BoardRow | None:
        return next((b for b in self.boards if b.name == name), None)

    def as_json(self) -> dict:
        villages = []
        for v in self.villages:
            data = asdict(v)
            data["status"] = v.status_label
            villages.append(data)
        return {"township": self.township, "villages": villages, "boards": [b.as_json() for b in self.boards]}


def township_layout(session: Session) -> TownshipLayout:
    township = require_township(session)
    villages = list(session.execute(
        select(Village).where(Village.township_id == township.id).order_by(Village.active.desc(), Village.sort_order)
    ).scalars())
    names = {v.id: v.name for v in villages}
    counts = dict(session.execute(select(Household.village_id, func.count(Household.id)).group_by(Household.village_id)).all())
    groups: dict[str, list[GroupRow]] = {}
    for g in session.execute(select(VillageGroup).order_by(VillageGroup.sort_order)).scalars():
        groups.setdefault(g.village_id, []).append(GroupRow(g.id, g.name, g.active))
    rows = [
        VillageRow(v.id, v.name, v.kind, v.active, names.get(v.merged_into_id), counts.get(v.id, 0), groups.get(v.id, []))
        for v in villages
    ]
    boards = [
        board_row(b, names)
        for b in session.execute(
            select(NoticeBoard).where(NoticeBoard.township_id == township.id)
            .order_by(NoticeBoard.active.desc(), NoticeBoard.village_id.is_not(None), NoticeBoard.name)
        ).scalars()
    ]
    return TownshipLayout(township.name, rows, boards)


def find_village(session: Session, key: str) -> Village:
    """A village by id or by name (as people type it: spaces ignored)."""
    village = session.get(Village, key) if len(key) == 36 else None
    if village is None:
        name = "".join(key.split())
        village = session.execute(select(Village).where(Village.name == name)).scalar()
    if village is None:
        known = "、".join(village_names(session)) or "（尚未设置任何村）"
        raise NotFound(f"找不到村（社区）“{key}”。现有：{known}。", code="village_not_found")
    return village


def _require_active(village: Village, doing: str) -> None:
    if not village.active:
        raise NotAllowed(f"“{village.name}”已撤销（或已并入其他村），不能{doing}。如需使用，请先恢复该村。",
                         code="village_retired")


def _unused_name(session: Session, township_id: str, name: str, *, except_id: str | None = None) -> None:
    found = session.execute(select(Village).where(Village.township_id == township_id, Village.name == name)).scalar()
    if found is not None and found.id != except_id:
        state = "" if found.active else "（已撤销，可在列表中恢复）"
        raise InvalidInput(f"已有名为“{name}”的村（社区）{state}，不能重名。", code="village_exists")


def create_village(session: Session, name: str, *, groups: tuple[str, ...] = DEFAULT_GROUPS) -> Village:
    """A new village (or 社区) with its groups and its own notice board."""
    township = require_township(session)
    name = clean_name(name, "村（社区）")
    _unused_name(session, township.id, name)
    order = session.execute(select(func.max(Village.sort_order)).where(Village.township_id == township.id)).scalar() or 0
    village = add_village(session, township, name, order + 1, tuple(clean_name(g, "组") for g in groups if g.strip()))
    session.flush()
    return village


def rename_village(session: Session, key: str, new_name: str) -> Village:
    """A new name; its boards named after it ("石桥村村务公开栏") follow. Old notices keep the name they printed."""
    village = find_village(session, key)
    new_name = clean_name(new_name, "村（社区）")
    if new_name == village.name:
        return village
    _unused_name(session, village.township_id, new_name, except_id=village.id)
    old = village.name
    village.name = new_name
    village.kind = "community" if new_name.endswith("社区") else "village"
    for board in session.execute(select(NoticeBoard).where(NoticeBoard.village_id == village.id)).scalars():
        if board.name == default_board_name(old):
            board.name = default_board_name(new_name)
        elif board.name.startswith(old):
            board.name = new_name + board.name[len(old):]
    session.flush()
    return village


@dataclass
class MergeResult:
    village: str
    into: str
    households: int
    boards: int
    users: int
    groups: int

    def as_json(self) -> dict:
        return asdict(self)


def merge_village(session: Session, key: str, into_key: str) -> MergeResult:
    """撤并村: `key` joins `into_key`. Its households, boards and village users move; its groups move
    (renamed "原X村一组" where the name is taken); it stays as a retired village pointing at the other."""
    village, target = find_village(session, key), find_village(session, into_key)
    if village.id == target.id:
        raise InvalidInput(f"不能把“{village.name}”并入它自己。请选择要并入的另一个村（社区）。", code="merge_into_itself")
    _require_active(village, "再合并")
    if not target.active:
        raise NotAllowed(f"“{target.name}”已撤销（或已并入其他村），不能作为合并的目标。请选择一个在用的村（社区）。",
                         code="merge_into_retired")
    households = list(session.execute(select(Household).where(Household.village_id == village.id)).scalars())
    boards = list(session.execute(select(NoticeBoard).where(NoticeBoard.village_id == village.id)).scalars())
    for board in boards:
        board.village_id = target.id
    users = 0
    for user in session.execute(select(User)).scalars():
        ids = list(user.village_ids or ())
        if village.id in ids:
            ids = list(dict.fromkeys(target.id if v == village.id else v for v in ids))
            user.village_ids = ids
            users += 1
    taken = {g.name for g in session.execute(select(VillageGroup).where(VillageGroup.village_id == target.id)).scalars()}
    order = len(taken)
    moved = 0
    renamed: dict[str, str] = {}
    for group in session.execute(
        select(VillageGroup).where(VillageGroup.village_id == village.id).order_by(VillageGroup.sort_order)
    ).scalars():
        if not group.active:
            continue
        order += 1
        name = group.name if group.name not in taken else f"原{village.name}{group.name}"[:50]
        if name in taken:
            group.active = False
            continue
        renamed[group.name] = name
        group.village_id, group.name, group.sort_order = target.id, name, order
        taken.add(name)
        moved += 1
    for household in households:
        household.village_id = target.id
        if household.group_name in renamed:
            household.group_name = renamed[household.group_name]
    village.active = False
    village.merged_into_id = target.id
    session.flush()
    result = MergeResult(village.name, target.name, len(households), len(boards), users, moved)
    audit.record(session, "village_merge", "village", village.id, result.as_json())
    return result


def retire_village(session: Session, key: str) -> Village:
    """A village no longer used: kept for old notices, offered nowhere, its boards taken down."""
    village = find_village(session, key)
    _require_active(village, "再撤销")
    others = session.execute(
        select(func.count(Village.id)).where(Village.township_id == village.township_id, Village.active.is_(True))
    ).scalar()
    if others <= 1:
        raise NotAllowed("这是最后一个在用的村（社区），不能撤销。", code="last_village")
    village.active = False
    for board in session.execute(select(NoticeBoard).where(NoticeBoard.village_id == village.id)).scalars():
        board.active = False
    session.flush()
    return village


def restore_village(session: Session, key: str) -> Village:
    """Undo a retirement (not a merger whose households have moved: restore and move them back by hand)."""
    village = find_village(session, key)
    if village.active:
        return village
    village.active = True
    village.merged_into_id = None
    for board in session.execute(select(NoticeBoard).where(NoticeBoard.village_id == village.id)).scalars():
        board.active = True
    session.flush()
    return village


def add_group(session: Session, village_key: str, name: str) -> VillageGroup:
    village = find_village(session, village_key)
    _require_active(village, "添加组")
    name = clean_name(name, "组")
    if len(name) > 50:
        raise InvalidInput(f"组名“{name[:20]}…”过长（最多50个字）。")
    existing = session.execute(
        select(VillageGroup).where(VillageGroup.village_id == village.id, VillageGroup.name == name)
    ).scalar()
    if existing is not None:
        if existing.active:
            raise InvalidInput(f"“{village.name}”已有“{name}”。", code="group_exists")
        existing.active = True
        session.flush()
        return existing
    order = session.execute(select(func.max(VillageGroup.sort_order)).where(VillageGroup.village_id == village.id)).scalar() or 0
    group = VillageGroup(village_id=village.id, name=name, sort_order=order + 1)
    session.add(group)
    session.flush()
    return group


def retire_group(session: Session, village_key: str, name: str) -> VillageGroup:
    village = find_village(session, village_key)
    group = session.execute(
        select(VillageGroup).where(VillageGroup.village_id == village.id, VillageGroup.name == "".join(name.split()))
    ).scalar()
    if group is None:
        raise NotFound(f"“{village.name}”没有“{name}”。", code="group_not_found")
    group.active = False
    session.flush()
    return group


def _coordinate(value: float | None, low: float, high: float, what: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what}“{value}”不是数字。") from None
    if not low <= number <= high:
        raise InvalidInput(f"{what}“{value}”超出范围（{low}～{high}）。")
    return number


def find_board(session: Session, key: str) -> NoticeBoard:
    board = session.get(NoticeBoard, key) if len(key) == 36 else None
    if board is None:
        board = session.execute(select(NoticeBoard).where(NoticeBoard.name == key.strip())).scalar()
    if board is None:
        raise NotFound(f"找不到公开栏“{key}”。", code="board_not_found")
    return board


def add_board(session: Session, name: str, *, village: str | None = None, location: str = "",
              lat: float | None = None, lon: float | None = None) -> NoticeBoard:
    """A 公开栏: the township's own (no village) or a village's, with where it stands and its GPS."""
    township = require_township(session)
    name = clean_name(name, "公开栏")
    village_id = None
    if village:
        target = find_village(session, village)
        _require_active(target, "添加公开栏")
        village_id = target.id
    if session.execute(select(NoticeBoard).where(NoticeBoard.township_id == township.id, NoticeBoard.name == name,
                                                 NoticeBoard.active.is_(True))).scalar() is not None:
        raise InvalidInput(f"已有名为“{name}”的公开栏。", code="board_exists")
    board = NoticeBoard(
        township_id=township.id, village_id=village_id, name=name, location=location.strip()[:MAX_LOCATION],
        lat=_coordinate(lat, -90, 90, "纬度"), lon=_coordinate(lon, -180, 180, "经度"),
    )
    session.add(board)
    session.flush()
    return board


def update_board(session: Session, key: str, *, location: str | None = None, lat: float | None = None,
                 lon: float | None = None) -> NoticeBoard:
    board = find_board(session, key)
    if location is not None:
        board.location = location.strip()[:MAX_LOCATION]
    if lat is not None:
        board.lat = _coordinate(lat, -90, 90, "纬度")
    if lon is not None:
        board.lon = _coordinate(lon, -180, 180, "经度")
    session.flush()
    return board


def retire_board(session: Session, key: str) -> NoticeBoard:
    """A board taken down: kept with its postings, offered for no new posting."""
    board = find_board(session, key)
    board.active = False
    session.flush()
    return board
