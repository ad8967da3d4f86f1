"""The speed shortcuts of roster import give the same answers as the slow, general code they bypass."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from zwgk_desktop.core.disclosures import list_disclosures
from zwgk_desktop.core.idnumber import is_clean_valid_id, make_id_number, validate_id_number
from zwgk_desktop.core.models import DisclosureItem, Household, ItemName
from zwgk_desktop.core.schema import head_revision, scanned_head
from zwgk_desktop.core.townships import init_township
from zwgk_desktop.services.rosters.importer import db_timestamp, import_roster, iter_new_ids
from zwgk_desktop.services.rosters.validate import parse_money

from . import fixtures as fx


def test_clean_id_shortcut_agrees_with_full_validation():
    """The fast check accepts exactly the clean IDs that full validation accepts, never a bad one."""
    rng = random.Random(7)
    today = date(2026, 11, 23)
    samples = []
    for i in range(400):
        good = make_id_number("341525", date(1900 + rng.randrange(127), 1 + rng.randrange(12), 1 + rng.randrange(28)), i)
        samples += [good, good[:-1] + rng.choice("0123456789X"), good[:6] + "20991231" + good[14:], good.lower(), good[:17]]
    for text in samples:
        full = validate_id_number(text, today=today)
        assert not is_clean_valid_id(text, today) or full.ok, text
        if full.ok and full.normalized == text:
            assert is_clean_valid_id(text, today), text


def test_whole_number_amount_shortcut_matches_decimal_route():
    """Whole-number cells give the same fen as the Decimal route, including floats too big to be exact."""
    for value in (0, 5, 300, 10**12, 300.0, 2.0**52, 1e23):
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        assert parse_money(value) == (int(exact * 100), False)


def test_scanned_head_matches_alembic(config):
    """Reading the head from the migration files as text gives Alembic's answer."""
    assert scanned_head(config) == head_revision(config)


def test_raw_rows_read_back_like_orm_rows(database, tmp_path):
    """Rows written with raw executemany load through the ORM with proper types, JSON and timestamps."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    with database.session() as session:
        init_township(session, "青山镇", fx.VILLAGES)
    with database.session() as session:
        result = import_roster(session, path, category="dibao")
    with database.session() as session:
        items = session.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == result.disclosure_id)
                                .order_by(DisclosureItem.seq)).scalars().all()
        households = session.execute(select(Household)).scalars().all()
        assert [i.seq for i in items] == list(range(1, result.preview.accepted + 1))
        assert all(isinstance(i.created_at, datetime) and isinstance(i.extra, dict) for i in items)
        assert items[0].extra.get("_member_rows") == 2
        assert all(h.address == "" and h.helper_name == "" and h.row_version == 1 for h in households)
        assert {h.id for h in households} >= {i.household_id for i in items}


def test_multi_row_statements_keep_every_line_and_name(database, tmp_path, monkeypatch):
    """Lines go in ROWS_PER_STATEMENT at a time: two full statements and a remainder lose no line, keep the
    roster's order, and put every name in the search table (the row trigger fires inside a multi-row insert)."""
    from zwgk_desktop.services.rosters import importer

    monkeypatch.setattr(importer, "ROWS_PER_STATEMENT", 64)  # the generated ID numbers allow 999 rows
    count = 2 * importer.ROWS_PER_STATEMENT + 5
    path = fx.xlsx_from_rows(tmp_path / "低保.xlsx", [fx.SIMPLE_HEADER, *fx.simple_rows(count)])
    with database.session() as session:
        result = import_roster(session, path, category="linshi")
    assert result.preview.accepted == count
    with database.session() as session:
        names = session.execute(select(DisclosureItem.name).where(DisclosureItem.disclosure_id == result.disclosure_id)
                                .order_by(DisclosureItem.seq)).scalars().all()
        assert names == [row[2] for row in fx.simple_rows(count)]
        assert set(names) <= set(session.execute(select(ItemName.name)).scalars())
        assert [d.id for d in list_disclosures(session, search=names[-1])] == [result.disclosure_id]
        assert session.query(Household).count() == count


def test_an_old_sqlite_allowing_999_parameters_still_takes_every_line(database, tmp_path):
    """SQLite before 3.32 allows 999 `?` a statement (a domestic Linux may ship one): the multi-row inserts
    shrink to fit and every line and household still goes in."""
    import sqlite3

    count = 300
    path = fx.xlsx_from_rows(tmp_path / "低保.xlsx", [fx.SIMPLE_HEADER, *fx.simple_rows(count)])
    with database.session() as session:
        raw = session.connection().connection.dbapi_connection
        before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        try:
            result = import_roster(session, path, category="linshi")
        finally:
            raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    with database.session() as session:
        assert session.query(DisclosureItem).filter_by(disclosure_id=result.disclosure_id).count() == count
        assert session.query(Household).count() == count


def test_the_bulk_writer_gives_back_the_interpreter_switch_interval(database):
    """The writer's shorter GIL switch interval lasts only while it runs: restored after it finishes and after a
    failed statement (the desktop's UI thread shares the interpreter)."""
    import sys

    from zwgk_desktop.services.rosters.importer import BackgroundWriter

    before = sys.getswitchinterval()
    with database.session() as session:
        cursor = session.connection().connection.cursor()
        writer = BackgroundWriter(cursor)
        assert sys.getswitchinterval() < before
        writer.submit(lambda c: c.execute("SELECT 1"))
        writer.finish()
        assert sys.getswitchinterval() == before
        failing = BackgroundWriter(cursor)
        failing.submit(lambda c: c.execute("SELECT * FROM no_such_table"))
        with pytest.raises(Exception, match="no_such_table"):
            failing.finish()
        assert sys.getswitchinterval() == before


def test_generated_ids_and_timestamps_have_the_stored_shapes():
    """Bulk ids are version-4 UUIDs; timestamps use SQLAlchemy's SQLite text form with microseconds."""
    ids = iter_new_ids(batch=4)
    for _ in range(10):
        parsed = uuid.UUID(next(ids))
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert db_timestamp(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04:05.000000"
    assert json.dumps({"a": "低保"}) == '{"a": "\\u4f4e\\u4fdd"}'  # what SQLAlchemy's JSON type stores
