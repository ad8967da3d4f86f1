"""Villages, groups and notice boards (设置 → 村（社区）与公开栏, `zwgk township …`): one op per action.

The rules live in `core.townships`; these ops give each action its unit of
work, its permission and its DTO. Adding a village is open to whoever may
import rosters (the import preview's "添加该村"); renaming, merging, retiring
and boards need the settings permission. Every write is audited and queued
for the county by the ORM's change capture (the villages, groups and boards
are synced rows).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from zwgk_desktop.core import townships
from zwgk_desktop.core.townships import DEFAULT_GROUPS, MergeResult, TownshipLayout, TownshipSummary
from zwgk_desktop.core.users import EDIT, SETTINGS, Actor
from zwgk_desktop.ops.base import Changes, read_session, reads, unit_of_work, writes


@dataclass(frozen=True)
class VillageChange:
    """What a village/group/board action did: the row's id and name, and the layout after it."""

    id: str
    name: str
    layout: TownshipLayout
    changes: Changes

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, **self.layout.as_json()}


def _changed(session, row, kinds: tuple[str, ...]) -> VillageChange:
    return VillageChange(row.id, row.name, townships.township_layout(session), Changes(frozenset(kinds), (row.id,)))


def _require(actor: Actor, *permissions: str) -> None:
    if not any(actor.can(p) for p in permissions):
        actor.require(permissions[-1])


@reads
def load_layout(db, actor: Actor) -> TownshipLayout:
    """The township's villages (with groups and household counts) and boards."""
    with read_session(db, actor) as session:
        return townships.township_layout(session)


@writes("villages", "boards", "catalogue")
def init_township(db, actor: Actor, name: str, villages: list[str], *, county_name: str = "",
                  supervise_phone: str = "", county_supervise_phone: str = "") -> TownshipSummary:
    """Set up the township (first use) or add villages to it, each with its board."""
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        return townships.init_township(session, name, villages, county_name=county_name,
                                       supervise_phone=supervise_phone, county_supervise_phone=county_supervise_phone)


@writes("villages", "boards")
def add_village(db, actor: Actor, name: str, groups: tuple[str, ...] = DEFAULT_GROUPS) -> VillageChange:
    _require(actor, EDIT, SETTINGS)
    with unit_of_work(db, actor) as session:
        return _changed(session, townships.create_village(session, name, groups=tuple(groups)), ("villages", "boards"))


@writes("villages", "boards")
def rename_village(db, actor: Actor, village: str, new_name: str) -> VillageChange:
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        return _changed(session, townships.rename_village(session, village, new_name), ("villages", "boards"))


@dataclass(frozen=True)
class MergeDone:
    result: MergeResult
    layout: TownshipLayout
    changes: Changes

    def as_json(self) -> dict:
        return {**self.result.as_json(), "layout": self.layout.as_json()}


@writes("villages", "boards", "households", "users")
def merge_village(db, actor: Actor, village: str, into: str) -> MergeDone:
    """撤并村: `village` joins `into` (refused into itself or into a retired village)."""
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        result = townships.merge_village(session, village, into)
        return MergeDone(result, townships.township_layout(session),
                         Changes(frozenset({"villages", "boards", "households", "users"})))


@writes("villages", "boards")
def retire_village(db, actor: Actor, village: str) -> VillageChange:
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        return _changed(session, townships.retire_village(session, village), ("villages", "boards"))


@writes("villages", "boards")
def restore_village(db, actor: Actor, village: str) -> VillageChange:
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        return _changed(session, townships.restore_village(session, village), ("villages", "boards"))


@writes("villages")
def add_group(db, actor: Actor, village: str, name: str) -> VillageChange:
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        return _changed(session, townships.add_group(session, village, name), ("villages",))


@writes("villages")
def retire_group(db, actor: Actor, village: str, name: str) -> VillageChange:
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        return _changed(session, townships.retire_group(session, village, name), ("villages",))


@writes("boards")
def add_board(db, actor: Actor, name: str, *, village: str | None = None, location: str = "",
              lat: float | None = None, lon: float | None = None) -> VillageChange:
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        board = townships.add_board(session, name, village=village, location=location, lat=lat, lon=lon)
        return _changed(session, board, ("boards",))


@writes("boards")
def update_board(db, actor: Actor, board: str, *, location: str | None = None, lat: float | None = None,
                 lon: float | None = None) -> VillageChange:
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        return _changed(session, townships.update_board(session, board, location=location, lat=lat, lon=lon), ("boards",))


@writes("boards")
def retire_board(db, actor: Actor, board: str) -> VillageChange:
    actor.require(SETTINGS)
    with unit_of_work(db, actor) as session:
        return _changed(session, townships.retire_board(session, board), ("boards",))


def summary_json(summary: TownshipSummary) -> dict:
    return asdict(summary)
