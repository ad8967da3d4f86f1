"""Opening the database: check it, back it up, migrate it, refuse one that is newer than us or in an unknown state.

`open_database(config)` is the only way the app gets a `Database`:
1. the data dir must be writable;
2. an existing file must be a sound SQLite database (header + quick_check);
3. a revision this app doesn't know means a newer app wrote it: refuse;
   tables without an `alembic_version` row is an unknown state (e.g. the
   version table was dropped): refuse with `database_unknown_state` before
   any backup or change, since migrating it would fail half-way;
4. before any upgrade of a non-empty database, copy it (SQLite online
   backup API) to `db-backups/zwgk-<UTC time>-<rev>-<content hash>.sqlite3`,
   at most one copy per distinct content (a retried upgrade adds none);
5. run Alembic to head in one transaction;
6. make sure the install key exists (`core.install_key`); on its first
   creation the signed audit head beside the database starts at the
   current chain head.

Fast path (every command on an up-to-date database): the head revision and
the known revisions come from Alembic's own `ScriptDirectory`, cached in
`<data dir>/cache/schema-head.json` keyed by the names, sizes and mtimes of
the files in `db/versions/`; while that key matches and the database's
`alembic_version` equals the head, Alembic is not even imported (importing
it costs about a quarter of a second). Any change to the migration files
invalidates the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

from zwgk_desktop.config import Config
from zwgk_desktop.core.catalogue import use_data_dir_catalogue
from zwgk_desktop.core.db import Database, make_engine, write_failure
from zwgk_desktop.errors import DatabaseCorrupt, DatabaseError, DatabaseTooNew

SQLITE_HEADER = b"SQLite format 3\x00"
HEAD_CACHE = "schema-head.json"


class DatabaseUnknownState(DatabaseError):
    code = "database_unknown_state"


@dataclass
class SchemaState:
    revision: str | None
    head: str
    backup: str | None = None


def alembic_config(config: Config) -> "AlembicConfig":
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(config.migrations_dir))
    cfg.set_main_option("sqlalchemy.url", config.db_url)
    return cfg


def script_directory(config: Config):
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(config))


def head_revision(config: Config) -> str:
    return script_directory(config).get_current_head()


def known_revisions(config: Config) -> set[str]:
    return {rev.revision for rev in script_directory(config).walk_revisions()}


# --- the cached head --------------------------------------------------------------------


def versions_key(config: Config) -> str | None:
    """A fingerprint of `db/versions/` (file names, sizes, mtimes); None when it can't be listed."""
    try:
        entries = sorted(
            (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
            for entry in os.scandir(config.migrations_dir / "versions")
            if entry.is_file() and entry.name.endswith((".py", ".pyc"))
        )
    except OSError:
        return None
    return hashlib.sha256(json.dumps([str(config.migrations_dir), entries]).encode("utf-8")).hexdigest()


def _head_cache_path(config: Config) -> Path:
    return config.cache_dir / HEAD_CACHE


def cached_heads(config: Config) -> tuple[str, frozenset[str]] | None:
    """(head, known revisions) from the cache if it still matches the migration files, else None."""
    key = versions_key(config)
    if key is None:
        return None
    try:
        raw = json.loads(_head_cache_path(config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or raw.get("key") != key or not isinstance(raw.get("head"), str):
        return None
    return raw["head"], frozenset(raw.get("revisions") or ())


def schema_heads(config: Config) -> tuple[str, frozenset[str]]:
    """(head, known revisions): from the cache, else from Alembic's ScriptDirectory (and cached for next time)."""
    cached = cached_heads(config)
    if cached is not None:
        return cached
    key = versions_key(config)
    script = script_directory(config)
    head = script.get_current_head()
    revisions = frozenset(rev.revision for rev in script.walk_revisions())
    if key is not None:
        try:
            from zwgk_desktop.fileio import write_text_atomically

            write_text_atomically(_head_cache_path(config), json.dumps(
                {"key": key, "head": head, "revisions": sorted(revisions)}), durable=False)
        except OSError:
            pass  # a read-only cache costs the Alembic import next time, nothing else
    return head, revisions


def cached_head(config: Config) -> str:
    """The head revision the fast path uses (Alembic's answer, cached)."""
    return schema_heads(config)[0]


scanned_head = cached_head  # the former name, kept for callers and tests


def stored_revision(engine) -> tuple[bool, str | None]:
    """(read cleanly?, revision) from `alembic_version` with plain SQL; no table means no revision."""
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).scalar()
        if not has_table:
            return True, None
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    if len(rows) > 1:
        return False, None
    return True, (rows[0][0] if rows else None)


def check_sqlite_file(path: Path, *, quick_check: bool = True) -> None:
    """Raise `DatabaseCorrupt` unless `path` is a readable, intact SQLite file.

    `quick_check=False` checks the header and reads the schema only (a few pages);
    the full `PRAGMA quick_check` reads every page — seconds on a large database —
    so the desktop runs it in the background after start-up (`core.integrity`)."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise DatabaseError(f"无法读取数据库文件 {path}（{exc.strerror or exc}）。") from exc
    if header and header != SQLITE_HEADER:
        raise DatabaseCorrupt(
            f"数据库文件 {path} 已损坏或不是本系统的数据库，未做任何修改。"
            "请从备份恢复（zwgk backup restore），或把该文件移走后重新初始化。"
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if quick_check:
                result = conn.execute("PRAGMA quick_check").fetchone()
            else:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                result = ("ok",)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(f"数据库文件 {path} 已损坏（{exc}），未做任何修改。请从备份恢复。") from exc
    if result and result[0] != "ok":
        raise DatabaseCorrupt(f"数据库完整性检查未通过（{result[0]}），未做任何修改。请从备份恢复。")


def current_revision(engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_database_file(config: Config, revision: str | None) -> Path:
    """Consistent copy of the live database via SQLite's online backup API (mode 600).

    The name carries the copy's content hash; if a copy with the same content
    is already there, the new one is dropped and that one returned, so
    retried upgrades never fill the disk with identical copies.
    """
    config.backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    tmp = config.backups_dir / f".zwgk-{stamp}.partial"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        src = sqlite3.connect(str(config.db_path))
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        digest = _file_sha256(tmp)[:16]
        existing = sorted(config.backups_dir.glob(f"zwgk-*-{digest}.sqlite3"))
        if existing:
            tmp.unlink()
            return existing[0]
        target = config.backups_dir / f"zwgk-{stamp}-{revision or 'empty'}-{digest}.sqlite3"
        tmp.replace(target)
        return target
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def open_database(config: Config, *, upgrade: bool = True, quick_check: bool = True) -> Database:
    """Open the data dir's database, migrating it to head (with a backup first); `quick_check=False`
    leaves the full page check to the caller (see `check_sqlite_file`)."""
    database, _state = open_database_with_state(config, upgrade=upgrade, quick_check=quick_check)
    return database


def open_database_with_state(config: Config, *, upgrade: bool = True,
                             quick_check: bool = True) -> tuple[Database, SchemaState]:
    config.ensure_data_dir()
    # The county's published catalogue (pulled by sync into this data dir) overrides the shipped one.
    use_data_dir_catalogue(config.data_dir)
    existed = config.db_path.exists() and config.db_path.stat().st_size > 0
    if existed:
        check_sqlite_file(config.db_path, quick_check=quick_check)
    engine = make_engine(config.db_url)
    try:
        if engine.dialect.name == "sqlite":
            cached = cached_heads(config)
            clean, revision = stored_revision(engine)
            if cached is not None and clean and revision == cached[0]:
                return _opened(config, engine), SchemaState(revision=revision, head=cached[0])
        head, known = schema_heads(config)
        state = SchemaState(revision=current_revision(engine), head=head)
        if state.revision is not None and state.revision not in known:
            raise DatabaseTooNew(
                f"该数据库由更新版本的本系统创建（结构版本 {state.revision}），当前程序无法安全打开。"
                "请安装最新版本后再使用，数据未被修改。",
                detail={"revision": state.revision, "head": state.head},
            )
        if state.revision is None and existed and _has_user_tables(engine):
            raise unknown_state_error(config)
        if upgrade and state.revision != state.head:
            if existed and _has_user_tables(engine):
                state.backup = str(backup_database_file(config, state.revision))
            _upgrade(config, engine)
            state.revision = state.head
        return _opened(config, engine), state
    except BaseException as exc:
        engine.dispose()
        failure = write_failure(exc, config.db_path)
        if failure is not None:
            raise failure from exc
        raise


def unknown_state_error(config: Config) -> DatabaseUnknownState:
    return DatabaseUnknownState(
        f"数据库文件 {config.db_path} 里有数据表，但没有结构版本记录（alembic_version 表丢失或被删除），"
        "无法判断它属于哪个版本，为避免损坏数据，程序没有打开也没有修改它。"
        "请从备份恢复（zwgk backup restore），或把该文件交给技术支持检查。",
        detail={"path": str(config.db_path)},
    )


def _opened(config: Config, engine) -> Database:
    """The `Database` with its config and install key (created on first run, with the audit head file)."""
    from zwgk_desktop.core.install_key import ensure_install_key

    key, created = ensure_install_key(config.data_dir)
    database = Database(engine, config.db_path, config=config, install_key=key)
    if created:
        _start_audit_head(database)
    return database


def _start_audit_head(database: Database) -> None:
    """A new key starts the signed head file at the chain's current head (nothing to witness on an empty chain)."""
    from zwgk_desktop.core.audit import chain_head, write_anchor

    with database.session() as session:
        head = chain_head(session)
    if head is not None:
        write_anchor(database.config.data_dir, database.install_key, head[0], head[1])


def _has_user_tables(engine) -> bool:
    return any(name != "alembic_version" for name in inspect(engine).get_table_names())


def _upgrade(config: Config, engine) -> None:
    """Run Alembic to head with foreign keys off, as SQLite's own procedure for rebuilding a table
    asks (a batch rebuild drops the old table), and check every reference before turning them on."""
    from alembic import command

    cfg = alembic_config(config)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DatabaseError(
                            f"数据库升级后发现 {len(broken)} 处外键引用错误（表 {broken[0][0]}），升级未完成。请从备份恢复。"
                        )
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def check_database(config: Config) -> dict:
    """Verify schema revision and integrity without changing anything (`zwgk db check`)."""
    from zwgk_desktop.errors import NotFound

    if not config.db_path.exists():
        raise NotFound(f"数据目录 {config.data_dir} 中没有数据库。请先运行 zwgk township init 或 zwgk demo。")
    check_sqlite_file(config.db_path)
    problems: list[str] = []
    conn = sqlite3.connect(f"file:{config.db_path}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"完整性检查：{integrity}")
        fk_problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk_problems:
            problems.append(f"外键引用错误 {len(fk_problems)} 处（表 {fk_problems[0][0]}）")
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            revision = None
    finally:
        conn.close()
    revision = revision[0] if revision else None
    head, known = schema_heads(config)
    code = None
    if revision is None:
        if _file_has_user_tables(config.db_path):
            code = "database_unknown_state"
            problems.append(unknown_state_error(config).message)
        else:
            problems.append("数据库尚未初始化结构版本。")
    elif revision not in known:
        problems.append(f"数据库结构版本 {revision} 比本程序新，请升级程序。")
    elif revision != head:
        problems.append(f"数据库结构版本 {revision} 需要升级到 {head}（运行 zwgk db upgrade）。")
    return {"revision": revision, "head": head, "ok": not problems, "problems": problems, "backup": None, "code": code}


def _file_has_user_tables(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        conn.close()
    return any(n != "alembic_version" and not n.startswith("sqlite_") for n in names)
