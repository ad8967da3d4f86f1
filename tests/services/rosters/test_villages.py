"""Villages, groups and boards managed in the app (设置 → 村（社区）与公开栏, `zwgk township …`): audited, synced, used by imports."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from zwgk_desktop.config import Config
from zwgk_desktop.core.models import AuditEvent, Household, NoticeBoard, OutboxEntry, User, Village
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.core.users import SYSTEM_ACTOR, Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed
from zwgk_desktop.ops import rosters, villages

from . import fixtures as fx

CLERK = Actor("jingban", "clerk", "王经办")


@pytest.fixture
def db(tmp_path):
    database = open_database(Config.load(tmp_path / "data"))
    villages.init_township(database, SYSTEM_ACTOR, "青山镇", fx.VILLAGES)
    yield database
    database.dispose()


def count(db, model, *where) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_a_village_added_in_settings_is_accepted_by_the_next_import(db, tmp_path):
    """"桥石村" is unknown to the first preview; after 添加该村 the same roster imports it."""
    path = fx.xlsx_from_rows(tmp_path / "r.xlsx", [fx.SIMPLE_HEADER, [1, "桥石村", "张三", fx.person_id(1), 1, 300]])
    first = rosters.preview_roster(db, CLERK, path, "linshi")
    assert [p.code for p in first.errors()] == ["unknown_village"]
    added = villages.add_village(db, CLERK, "桥石村")
    assert added.layout.village("桥石村").active and added.layout.board("桥石村村务公开栏") is not None
    result = rosters.import_roster(db, CLERK, path, "linshi")
    assert result.disclosure_id and result.preview.accepted == 1


def test_village_changes_are_audited_and_queued_for_the_county(db):
    """Adding, renaming and retiring go through the ORM: audit events by the actor and outbox entries."""
    before = count(db, OutboxEntry)
    admin = Actor("zhang", "admin", "张管理")
    added = villages.add_village(db, admin, "东风村", ("一组",))
    villages.rename_village(db, admin, "东风村", "东风社区")
    villages.add_board(db, admin, "东风社区二组公开栏", village="东风社区", location="二组晒场", lat=30.12, lon=104.5)
    villages.retire_village(db, admin, "东风社区")
    with db.session() as s:
        village = s.get(Village, added.id)
        assert (village.name, village.kind, village.active) == ("东风社区", "community", False)
        boards = s.execute(select(NoticeBoard).where(NoticeBoard.village_id == added.id)).scalars().all()
        assert {b.name for b in boards} == {"东风社区居务公开栏", "东风社区二组公开栏"}
        assert not any(b.active for b in boards)
        located = next(b for b in boards if b.name == "东风社区二组公开栏")
        assert (located.location, located.lat, located.lon) == ("二组晒场", 30.12, 104.5)
        events = s.execute(select(AuditEvent).where(AuditEvent.entity == "village", AuditEvent.entity_id == added.id)).scalars().all()
        assert [e.action for e in events] == ["insert", "update", "update"] and {e.user for e in events} == {"zhang"}
        queued = s.execute(select(OutboxEntry.entity).where(OutboxEntry.seq > before)).scalars().all()
        assert {"village", "village_group", "notice_board"} <= set(queued)


def test_merging_moves_households_boards_and_village_users(db, tmp_path):
    """撤并村: 河口村 joins 石桥村; its households, board and village user follow; the old name still imports."""
    path = fx.xlsx_from_rows(tmp_path / "r.xlsx", [fx.SIMPLE_HEADER, [1, "河口村二组", "李四", fx.person_id(2), 1, 300]])
    rosters.import_roster(db, SYSTEM_ACTOR, path, "linshi")
    with db.session() as s:
        hekou = s.execute(select(Village.id).where(Village.name == "河口村")).scalar()
        s.add(User(username="cungan", role="village", village_ids=[hekou]))
    done = villages.merge_village(db, SYSTEM_ACTOR, "河口村", "石桥村")
    assert (done.result.households, done.result.boards, done.result.users) == (1, 1, 1)
    with db.session() as s:
        shiqiao = s.execute(select(Village.id).where(Village.name == "石桥村")).scalar()
        old = s.execute(select(Village).where(Village.name == "河口村")).scalar_one()
        assert not old.active and old.merged_into_id == shiqiao
        household = s.execute(select(Household).where(Household.head_name == "李四")).scalar_one()
        assert household.village_id == shiqiao and household.group_name == "原河口村二组"
        assert s.execute(select(User.village_ids).where(User.username == "cungan")).scalar() == [shiqiao]
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "village_merge")).scalar_one().summary["into"] == "石桥村"
    later = fx.xlsx_from_rows(tmp_path / "later.xlsx", [fx.SIMPLE_HEADER, [1, "河口村", "王五", fx.person_id(3), 1, 200]])
    preview = rosters.preview_roster(db, SYSTEM_ACTOR, later, "linshi")
    row = preview.rows[0]
    assert row.accepted and row.values["village"] == "石桥村" and [p.code for p in row.problems] == ["village_merged"]


def test_merging_into_itself_or_into_a_retired_village_is_refused(db):
    """A village can't join itself, nor a village that is itself retired; nothing changes."""
    with pytest.raises(InvalidInput) as err:
        villages.merge_village(db, SYSTEM_ACTOR, "石桥村", "石桥村")
    assert err.value.code == "merge_into_itself"
    villages.retire_village(db, SYSTEM_ACTOR, "新华社区")
    with pytest.raises(NotAllowed) as err:
        villages.merge_village(db, SYSTEM_ACTOR, "石桥村", "新华社区")
    assert err.value.code == "merge_into_retired" and "新华社区" in err.value.message
    assert count(db, Village, Village.active.is_(True)) == 2


def test_a_retired_village_is_refused_by_imports_and_can_be_restored(db, tmp_path):
    """A roster naming a retired village is refused saying so; restored, it imports again."""
    villages.retire_village(db, SYSTEM_ACTOR, "新华社区")
    path = fx.xlsx_from_rows(tmp_path / "r.xlsx", [fx.SIMPLE_HEADER, [1, "新华社区", "赵六", fx.person_id(4), 1, 300]])
    row = rosters.preview_roster(db, SYSTEM_ACTOR, path, "linshi").rows[0]
    assert not row.accepted and "已撤销" in row.errors[0].message
    villages.restore_village(db, SYSTEM_ACTOR, "新华社区")
    assert rosters.preview_roster(db, SYSTEM_ACTOR, path, "linshi").rows[0].accepted


def test_groups_are_added_and_retired(db):
    """A new 七组 appears in the layout; a retired group is kept, marked inactive."""
    villages.add_group(db, SYSTEM_ACTOR, "石桥村", "七组")
    layout = villages.retire_group(db, SYSTEM_ACTOR, "石桥村", "一组").layout
    groups = {g.name: g.active for g in layout.village("石桥村").groups}
    assert groups["七组"] is True and groups["一组"] is False


def test_only_settings_users_rename_merge_and_retire(db):
    """A clerk may add a village (from the import preview) but not rename, merge or retire one."""
    villages.add_village(db, CLERK, "红旗村")
    for op, args in ((villages.rename_village, ("红旗村", "红星村")), (villages.merge_village, ("红旗村", "石桥村")),
                     (villages.retire_village, ("红旗村",))):
        with pytest.raises(NotAllowed):
            op(db, CLERK, *args)


def test_township_commands_manage_villages_and_boards(tmp_path):
    """`zwgk township village add|merge|retire` and `board add` answer in JSON; a bad merge exits 1."""
    data = tmp_path / "data"
    assert run_cli("township", "init", "--name", "青山镇", "--villages", "石桥村,河口村", "--json", data_dir=data)[0] == 0
    code, added, _ = run_cli("township", "village", "add", "东风村", "--groups", "一组,二组", "--json", data_dir=data)
    assert code == 0 and added["name"] == "东风村"
    assert [g["name"] for g in next(v for v in added["villages"] if v["name"] == "东风村")["groups"]] == ["一组", "二组"]
    code, merged, _ = run_cli("township", "village", "merge", "东风村", "--into", "河口村", "--json", data_dir=data)
    assert code == 0 and merged["into"] == "河口村" and merged["boards"] == 1
    code, refused, _ = run_cli("township", "village", "merge", "石桥村", "--into", "东风村", "--json", data_dir=data)
    assert code == 1 and refused["error"]["code"] == "merge_into_retired"
    code, board, _ = run_cli("township", "board", "add", "石桥村二组公开栏", "--village", "石桥村", "--location", "二组晒场",
                             "--lat", "30.5", "--lon", "104.1", "--json", data_dir=data)
    assert code == 0 and next(b for b in board["boards"] if b["name"] == "石桥村二组公开栏")["lat"] == 30.5
    code, listed, _ = run_cli("township", "village", "list", "--json", data_dir=data)
    assert next(v for v in listed["villages"] if v["name"] == "东风村")["status"] == "已并入河口村"
