"""Schema lifecycle: migrations match the models, newer/corrupt databases are refused untouched, upgrades back up first."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from zwgk_desktop.config import Config
from zwgk_desktop.core.models import Base
from zwgk_desktop.core.schema import backup_database_file, check_database, head_revision, open_database, open_database_with_state
from zwgk_desktop.errors import DatabaseCorrupt, DatabaseTooNew, DataDirError


def test_empty_database_migrates_to_head_without_drift(config):
    """A fresh data dir gets the head schema, and the migrations create exactly what the models declare."""
    db, state = open_database_with_state(config)
    try:
        assert state.revision == head_revision(config)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        db.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(database):
    """Every connection uses WAL and enforces foreign keys."""
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_database_from_newer_app_is_refused_and_left_unchanged(config):
    """A revision this app doesn't know means a newer app wrote the file: refuse with a Chinese message."""
    open_database(config).dispose()
    conn = sqlite3.connect(config.db_path)
    conn.execute("UPDATE alembic_version SET version_num='9999_future'")
    conn.commit()
    conn.close()
    before = config.db_path.read_bytes()
    with pytest.raises(DatabaseTooNew) as err:
        open_database(config)
    assert "更新版本" in err.value.message
    assert config.db_path.read_bytes() == before


def test_corrupt_database_file_is_refused_and_left_unchanged(config):
    """Garbage where the database should be → a clear message, and the file is not touched."""
    config.ensure_data_dir()
    config.db_path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseCorrupt) as err:
        open_database(config)
    assert "损坏" in err.value.message
    assert config.db_path.read_bytes() == b"this is not a database" * 100


def test_unwritable_data_dir_is_reported(tmp_path):
    """A data dir that can't be created or written gives a Chinese DataDirError."""
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    with pytest.raises(DataDirError) as err:
        open_database(Config.load(blocker / "data"))
    assert "无法写入" in err.value.message


def test_backup_is_a_consistent_copy(database, config):
    """The pre-upgrade backup is a complete SQLite database with the same data."""
    with database.session() as s:
        from zwgk_desktop.core.townships import init_township

        init_township(s, "测试镇", ["甲村", "乙村"])
    path = backup_database_file(config, "0001")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM village").fetchone()[0] == 2
    conn.close()


def test_older_database_is_backed_up_before_upgrade(config):
    """Opening a database built with the oldest schema copies it to db-backups, then migrates, keeping its rows."""
    from alembic import command

    from zwgk_desktop.core.db import make_engine
    from zwgk_desktop.core.schema import alembic_config

    if head_revision(config) == "0001":
        pytest.skip("only one migration so far: nothing older to upgrade from")
    config.ensure_data_dir()
    engine = make_engine(config.db_url)
    cfg = alembic_config(config)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.exec_driver_sql("INSERT INTO township (id, name, county_name, issuer, supervise_phone, county_supervise_phone, created_at, updated_at, row_version) VALUES ('t1', '老镇', '', '', '', '', '2026-01-01', '2026-01-01', 1)")
        conn.exec_driver_sql("INSERT INTO disclosure (id, township_id, category, title, body, issuer, supervise_phone, status, version, year, author, item_count, total_amount_fen, total_people, created_at, updated_at, row_version) VALUES ('d1', 't1', 'dibao', '老公示', '', '', '', 'approved', 1, 2026, 'clerk', 0, 0, 0, '2026-01-01', '2026-01-01', 1)")
        conn.exec_driver_sql("INSERT INTO status_change (id, disclosure_id, from_status, to_status, by_user, reason, created_at, updated_at, row_version) VALUES ('s1', 'd1', 'pending_review', 'approved', 'reviewer1', '', '2026-01-02 09:00:00', '2026-01-02', 1)")
    engine.dispose()
    db, state = open_database_with_state(config)
    try:
        assert state.backup is not None
        backup = sqlite3.connect(state.backup)
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        backup.close()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name FROM township").scalar() == "老镇"
            approved = conn.exec_driver_sql("SELECT approved_by, approved_at FROM disclosure WHERE id='d1'").one()
            assert approved[0] == "reviewer1" and str(approved[1]).startswith("2026-01-02 09:00")
    finally:
        db.dispose()


def test_db_check_reports_ok_on_a_healthy_database(database, config):
    """`db check` on a migrated database says ok at the head revision."""
    report = check_database(config)
    assert report["ok"] is True
    assert report["revision"] == head_revision(config)
