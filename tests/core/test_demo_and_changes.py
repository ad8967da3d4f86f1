"""The demo township is realistic, and every change lands in the audit chain and the sync outbox in the same transaction."""

from __future__ import annotations

from sqlalchemy import func, select

from zwgk_desktop.core.audit import verify_chain
from zwgk_desktop.core.idnumber import validate_id_number
from zwgk_desktop.core.models import AuditEvent, Household, NoticeBoard, OutboxEntry, Village, VillageGroup
from zwgk_desktop.core.townships import init_township


def test_demo_households_have_valid_ids_and_rare_names(demo_db):
    """Demo ID numbers pass the GB 11643 check digit, are unique, and some names use Ext A/B characters."""
    with demo_db.session() as s:
        rows = s.execute(select(Household.head_name, Household.id_number)).all()
    ids = [i for _, i in rows]
    assert len(set(ids)) == len(ids)
    assert all(validate_id_number(i).ok for i in ids)
    names = "".join(n for n, _ in rows)
    assert "㛃" in names and "𠮷" in names


def test_demo_villages_have_groups_and_boards(demo_db):
    """Every demo village has 村民小组 and its own notice board, plus one township board."""
    with demo_db.session() as s:
        villages = s.execute(select(func.count(Village.id))).scalar()
        groups = s.execute(select(func.count(func.distinct(VillageGroup.village_id)))).scalar()
        boards = s.execute(select(func.count(NoticeBoard.id))).scalar()
        township_boards = s.execute(select(func.count(NoticeBoard.id)).where(NoticeBoard.village_id.is_(None))).scalar()
    assert villages >= 8 and groups == villages
    assert boards == villages + 1 and township_boards == 1


def test_changes_write_audit_and_outbox_in_the_same_transaction(database):
    """Creating a township writes hash-chained audit events and outbox entries; a rolled-back change writes neither."""
    with database.session(user="clerk1") as s:
        init_township(s, "测试镇", ["甲村"])
    with database.session() as s:
        events = s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
        outbox = s.execute(select(func.count(OutboxEntry.seq))).scalar()
        assert events and all(e.user == "clerk1" for e in events)
        assert outbox >= 3  # township, village, boards...
        assert verify_chain(s).ok
    before = outbox
    try:
        with database.session() as s:
            init_township(s, "测试镇", ["乙村"])
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with database.session() as s:
        assert s.execute(select(func.count(OutboxEntry.seq))).scalar() == before
        assert s.execute(select(func.count(Village.id))).scalar() == 1


def test_updates_bump_row_version_and_redact_personal_numbers(database):
    """Editing a household bumps its row version, and the audit log records that the phone changed but not the number."""
    with database.session() as s:
        summary = init_township(s, "测试镇", ["甲村"])
        village = s.execute(select(Village)).scalar_one()
        h = Household(village_id=village.id, head_name="张三", phone="13812345678")
        s.add(h)
    with database.session(user="clerk2") as s:
        h = s.get(Household, h.id)
        h.phone = "13987654321"
    with database.session() as s:
        assert s.get(Household, h.id).row_version == 2
        last = s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
        assert last.action == "update" and last.user == "clerk2"
        assert "13987654321" not in str(last.summary) and "phone" in last.summary
    assert summary.name == "测试镇"
