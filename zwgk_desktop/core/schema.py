"""Opening the database: check it, back it up, migrate it, refuse one that is newer than us.

`open_database(config)` is the only way the app gets a `Database`:
1. the data dir must be writable;
2. an existing file must be a sound SQLite database (header + quick_check);
3. a revision this app doesn't know means a newer app wrote it: refuse;
4. before any upgrade of a non-empty database, copy it (SQLite online
   backup API) to `db-backups/zwgk-<UTC time>-<rev>.sqlite3`;
5. run Alembic to head in one transaction.

Fast path (every command on an up-to-date database): the head revision is
read from the `db/versions/*.py` files by a plain text scan of their
`revision = ...` / `down_revision = ...` lines, and the database's revision
straight from `alembic_version`; when they are equal Alembic is not even
imported. Anything unusual (a merge, branch labels, dependencies, a file the
scan can't read, more than one head or version row) falls back to Alembic.
"""

from __future__ import annotations

import re
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
from zwgk_desktop.core.db import Database, make_engine
from zwgk_desktop.errors import DatabaseCorrupt, DatabaseError, DatabaseTooNew

SQLITE_HEADER = b"SQLite format 3\x00"


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


def head_revision(config: Config) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(config)).get_current_head()


def known_revisions(config: Config) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(config))
    return {rev.revision for rev in script.walk_revisions()}


_STRING = r"""(?:'([^'\\]+)'|"([^"\\]+)")"""
_ASSIGNMENT = r"^{name}\s*(?::[^=\n]+)?=\s*(.*?)\s*(?:#.*)?$"
_REVISION_LINE = re.compile(_ASSIGNMENT.format(name="revision"), re.M)
_DOWN_REVISION_LINE = re.compile(_ASSIGNMENT.format(name="down_revision"), re.M)
_PLAIN_LINES = tuple(re.compile(_ASSIGNMENT.format(name=n), re.M) for n in ("branch_labels", "depends_on"))
_STRING_VALUE = re.compile(_STRING)


def _literal(text: str) -> str | None:
    match = _STRING_VALUE.fullmatch(text)
    return (match.group(1) or match.group(2)) if match else None


def scanned_revisions(config: Config) -> dict[str, str | None] | None:
    """revision → down_revision read from the migration files as text; None if any file is not the simple kind."""
    graph: dict[str, str | None] = {}
    try:
        paths = sorted((config.migrations_dir / "versions").glob("*.py"))
        for path in paths:
            if path.name == "__init__.py" or path.name.startswith(".#"):
                continue
            text = path.read_text(encoding="utf-8")
            revisions = _REVISION_LINE.findall(text)
            downs = _DOWN_REVISION_LINE.findall(text)
            if len(revisions) != 1 or len(downs) != 1:
                return None
            if any(value not in ("None",) for pattern in _PLAIN_LINES for value in pattern.findall(text)):
                return None  # branch labels / dependencies: let Alembic work it out
            revision = _literal(revisions[0])
            down = None if downs[0] == "None" else _literal(downs[0])
            if revision is None or (down is None and downs[0] != "None") or revision in graph:
                return None
            graph[revision] = down
    except (OSError, UnicodeDecodeError):
        return None
    return graph or None


def scanned_head(config: Config) -> str | None:
    """The single head of the scanned migration graph, or None when the scan can't say for sure."""
    graph = scanned_revisions(config)
    if graph is None:
        return None
    parents = set(graph.values())
    if any(parent is not None and parent not in graph for parent in parents):
        return None
    heads = [revision for revision in graph if revision not in parents]
    return heads[0] if len(heads) == 1 else None


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
    """Consistent copy of the live database via SQLite's online backup API."""
    config.backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = config.backups_dir / f"zwgk-{stamp}-{revision or 'empty'}.sqlite3"
    tmp = target.with_suffix(".partial")
    src = sqlite3.connect(str(config.db_path))
    dst = sqlite3.connect(str(tmp))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    tmp.replace(target)
    return target


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
    if engine.dialect.name == "sqlite":
        head = scanned_head(config)
        clean, revision = stored_revision(engine)
        if head is not None and clean and revision == head:
            return Database(engine, config.db_path), SchemaState(revision=revision, head=head)
    state = SchemaState(revision=current_revision(engine), head=head_revision(config))
    if state.revision is not None and state.revision not in known_revisions(config):
        engine.dispose()
        raise DatabaseTooNew(
            f"该数据库由更新版本的本系统创建（结构版本 {state.revision}），当前程序无法安全打开。"
            "请安装最新版本后再使用，数据未被修改。",
            detail={"revision": state.revision, "head": state.head},
        )
    if upgrade and state.revision != state.head:
        if existed and _has_user_tables(engine):
            state.backup = str(backup_database_file(config, state.revision))
        _upgrade(config, engine)
        state.revision = state.head
    return Database(engine, config.db_path), state


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
    head = head_revision(config)
    if revision is None:
        problems.append("数据库尚未初始化结构版本。")
    elif revision not in known_revisions(config):
        problems.append(f"数据库结构版本 {revision} 比本程序新，请升级程序。")
    elif revision != head:
        problems.append(f"数据库结构版本 {revision} 需要升级到 {head}（运行 zwgk db upgrade）。")
    return {"revision": revision, "head": head, "ok": not problems, "problems": problems, "backup": None}
