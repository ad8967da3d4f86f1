"""Search by name at scale: every line's name is known to the name table however it was written (ORM, bulk
insert, rename), the search finds it, and it never scans the line table (migration 0010)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select, update

from tests.bench.runner import add_big_notice
from zwgk_desktop.core.disclosures import list_disclosures, notices_naming
from zwgk_desktop.core.models import DisclosureItem, ItemName


def test_names_written_in_bulk_or_renamed_are_found(demo_db):
    """A line inserted with a Core executemany (as imports do) and a line renamed afterwards are both found by
    the notice list's search, by part of the name."""
    notice_id = add_big_notice(demo_db, 300)
    now = datetime(2026, 12, 1)
    with demo_db.engine.begin() as conn:
        conn.execute(insert(DisclosureItem.__table__), [{
            "id": str(uuid.uuid4()), "created_at": now, "updated_at": now, "row_version": 1,
            "disclosure_id": notice_id, "seq": 301, "name": "欧阳霁川", "village_name": "青山村", "extra": {},
        }])
        conn.execute(update(DisclosureItem.__table__).where(DisclosureItem.disclosure_id == notice_id,
                                                            DisclosureItem.seq == 1).values(name="司马长青"))
    with demo_db.session() as session:
        assert session.execute(select(ItemName.name).where(ItemName.name == "欧阳霁川")).scalar() == "欧阳霁川"
        assert [r.id for r in list_disclosures(session, search="霁川")] == [notice_id]
        assert [r.id for r in list_disclosures(session, search="司马长")] == [notice_id]
        others = {r.id for r in list_disclosures(session, search="欧阳")}
        assert notice_id in others


def test_the_search_reads_names_and_an_index_never_the_line_table(demo_db):
    """SQLite's plan for the name search goes through the name table and the (name, notice) index; it does not
    scan the million-line table."""
    with demo_db.engine.connect() as conn:
        statement = notices_naming("%王%").compile(conn, compile_kwargs={"literal_binds": True})
        plan = " | ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}"))
    assert "ix_disclosure_item_name" in plan, plan
    assert "SCAN disclosure_item" not in plan, plan


def test_the_name_triggers_exist_at_head(database):
    """Both triggers that keep the name table are in the migrated schema (a table rebuild must not lose them)."""
    with database.engine.connect() as conn:
        triggers = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"tr_item_name_insert", "tr_item_name_update"} <= triggers
