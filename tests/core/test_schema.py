"""Schema lifecycle: migrations match the models, newer/corrupt/unknown databases are refused untouched, upgrades back
up first (once per content), write failures are Chinese errors, and the fast path never imports Alembic."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import run_cli
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


# --- unknown state, write failures, the cached head ------------------------------------------


def _drop_version_table(config) -> None:
    conn = sqlite3.connect(config.db_path)
    conn.execute("DROP TABLE alembic_version")
    conn.commit()
    conn.close()


def test_tables_without_a_version_row_are_refused_untouched_and_without_backups(config):
    """A dropped alembic_version: `database_unknown_state` every time, the file unchanged, no backup copies piling up."""
    from zwgk_desktop.core.schema import DatabaseUnknownState

    db = open_database(config)
    with db.session() as s:
        from zwgk_desktop.core.townships import init_township

        init_township(s, "测试镇", ["甲村"])
    db.dispose()
    _drop_version_table(config)
    before = config.db_path.read_bytes()
    backups_before = sorted(config.backups_dir.glob("*")) if config.backups_dir.exists() else []
    for _ in range(3):
        with pytest.raises(DatabaseUnknownState) as err:
            open_database(config)
        assert err.value.code == "database_unknown_state" and str(config.db_path) in err.value.message
    assert config.db_path.read_bytes() == before
    assert (sorted(config.backups_dir.glob("*")) if config.backups_dir.exists() else []) == backups_before


def test_cli_reports_the_unknown_state_as_json_and_db_check_exits_1(config):
    """The CLI answers exit 1 with error.code database_unknown_state (no traceback); `db check` finds it too."""
    open_database(config).dispose()
    _drop_version_table(config)
    for args in (("disclosure", "list", "--json"), ("db", "upgrade", "--json")):
        code, payload, stderr = run_cli(*args, data_dir=config.data_dir)
        assert code == 1 and payload["error"]["code"] == "database_unknown_state", stderr
        assert "Traceback" not in stderr and "alembic_version" in payload["error"]["message"]
    code, payload, _ = run_cli("db", "check", "--json", data_dir=config.data_dir)
    assert code == 1 and not payload["ok"] and payload["code"] == "database_unknown_state"


def test_pre_upgrade_copies_are_kept_once_per_content(database, config):
    """Backing up the same content twice keeps one copy (a retried upgrade adds none); new content gets a new copy."""
    first = backup_database_file(config, "0003")
    assert backup_database_file(config, "0003") == first
    with database.session() as s:
        from zwgk_desktop.core.townships import init_township

        init_township(s, "测试镇", ["甲村"])
    second = backup_database_file(config, "0003")
    assert second != first and len(list(config.backups_dir.glob("*.sqlite3"))) == 2
    assert oct(second.stat().st_mode & 0o777) == "0o600"


def make_unwritable(path) -> None:
    """An immutable file where chattr works (root ignores permission bits), else a read-only one."""
    import os
    import subprocess

    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("running as root without chattr +i: no way to make a file unwritable here")
    else:
        path.chmod(0o444)


def make_writable(path) -> None:
    import os
    import subprocess

    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    else:
        path.chmod(0o644)


def test_import_into_an_unwritable_database_is_a_chinese_error_naming_the_file(config, tmp_path):
    """An immutable database file: `import` exits 1 with database_readonly naming the file, and nothing changes."""
    from tests.services.rosters import fixtures as fx

    db = open_database(config)
    with db.session() as s:
        from zwgk_desktop.core.townships import init_township

        init_township(s, "青山镇", fx.VILLAGES)
    db.dispose()
    roster = tmp_path / "roster.csv"
    roster.write_bytes(fx.csv_bytes(fx.simple_rows(4)))
    before = config.db_path.read_bytes()
    make_unwritable(config.db_path)
    try:
        code, payload, stderr = run_cli("import", str(roster), "--category", "linshi", "--json", data_dir=config.data_dir)
    finally:
        make_writable(config.db_path)
    assert code == 1 and "Traceback" not in stderr
    assert payload["error"]["code"] == "database_readonly" and str(config.db_path) in payload["error"]["message"]
    assert config.db_path.read_bytes() == before


def test_a_full_disk_and_a_locked_database_are_chinese_errors(database, config, monkeypatch):
    """SQLITE_FULL (a page limit standing in for a full disk) and a lock held past the busy timeout become ZwgkErrors."""
    from sqlalchemy import text

    from zwgk_desktop.core import db as db_module
    from zwgk_desktop.core.db import DatabaseWriteError
    from zwgk_desktop.core.models import Setting

    with pytest.raises(DatabaseWriteError) as full:
        with database.session() as s:
            pages = s.execute(text("PRAGMA page_count")).scalar()
            s.execute(text(f"PRAGMA max_page_count = {pages + 2}"))
            for n in range(200):
                s.add(Setting(key=f"filler-{n}", value="x" * 4000))
                s.flush()
    assert full.value.code == "disk_full" and "磁盘空间不足" in full.value.message
    database.dispose()
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 200)
    fresh = open_database(config)
    holder = sqlite3.connect(config.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseWriteError) as locked:
            with fresh.session() as s:
                s.add(Setting(key="while-locked", value=1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        fresh.dispose()
    assert locked.value.code == "database_locked" and str(config.db_path) in locked.value.message


def test_the_fast_path_uses_the_cached_head_and_never_imports_alembic(config):
    """The cached head equals Alembic's; an up-to-date database opens without importing Alembic; a touched
    migration file invalidates the cache."""
    import os
    import subprocess
    import sys

    from zwgk_desktop.core.schema import cached_heads, head_revision

    open_database(config).dispose()
    assert cached_heads(config)[0] == head_revision(config)
    probe = ("import sys; from zwgk_desktop.config import Config; from zwgk_desktop.core.schema import open_database; "
             f"open_database(Config.load({str(config.data_dir)!r})).dispose(); print('alembic' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"
    cache = config.cache_dir / "schema-head.json"
    data = json.loads(cache.read_text())
    data["key"] = "stale"
    cache.write_text(json.dumps(data))
    assert cached_heads(config) is None
    open_database(config).dispose()
    assert cached_heads(config)[0] == head_revision(config)
