"""The county store: its own SQLAlchemy metadata (never the township's), engine and blob folder.

Tables: townships, enrolled devices (only a hash of each token), one-time
enrollment codes (hashed), the latest copy of every township record
(`county_record`, unique on entity + entity_id across all townships),
idempotency receipts by change key, complete blobs, and published reference
data whose autoincrement id is the pull cursor. SQLite in `--data DIR` by
default, any SQLAlchemy URL (PostgreSQL) with `--db`: JSON columns become
JSONB there, inserts that may race use `insert_ignore` (ON CONFLICT DO
NOTHING on both dialects). Blob bytes live on disk under `<data>/blobs/`,
named by SHA-256; partial uploads under `<data>/blobs/partial/<township id>/`,
one per township, so nobody can add bytes to another township's upload.
`county_blob_ref` records which township's rows name which hash (a township
may ask about and upload only those); `county_witness` keeps each township's
audit chain heads. Devices hold their current token's hash and, for a short
grace, the one before (tokens rotate at every sync). Columns added since a
store was created are added at open (`upgrade_schema`), as there are no
migrations on the county side. The staff page's revoke form needs the admin
key kept in `<data>/admin-key` (600; `zwgk county admin-key` shows it).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import (
    JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint,
    create_engine, event, select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DEFAULT_DB_FILE = "county.sqlite3"
COUNTY_DATA_ENV = "ZWGK_COUNTY_DATA"
ADMIN_KEY_FILE = "admin-key"
DEFAULT_TOKEN_IDLE_DAYS = 90


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_id() -> str:
    return str(uuid.uuid4())


def hash_secret(secret: str) -> str:
    """Tokens and enrollment codes are stored only as their SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_enroll_code() -> str:
    """A one-time code a person can read out over the phone: 4 groups of 4 (no 0/O/1/I)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


# JSON documents: binary JSONB on PostgreSQL (compact, indexable), plain JSON text elsewhere.
JSON_DOC = JSON().with_variant(JSONB(), "postgresql")


class CountyBase(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })
    type_annotation_map = {dict[str, Any]: JSON_DOC, list[Any]: JSON_DOC}


class CountyTownship(CountyBase):
    __tablename__ = "county_township"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    remote_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the township row's UUID once seen
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Device(CountyBase):
    __tablename__ = "county_device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    township_id: Mapped[str] = mapped_column(ForeignKey("county_township.id"))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    prev_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # still valid until prev_valid_until
    prev_valid_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class EnrollCode(CountyBase):
    __tablename__ = "county_enroll_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    township_id: Mapped[str] = mapped_column(ForeignKey("county_township.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Record(CountyBase):
    """The county's copy of one township row (or, for `disclosure_items`, of one notice's line items)."""

    __tablename__ = "county_record"
    __table_args__ = (
        UniqueConstraint("entity", "entity_id", name="uq_county_record_entity_entity_id"),
        Index("ix_county_record_township_entity", "township_id", "entity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    township_id: Mapped[str] = mapped_column(ForeignKey("county_township.id"))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(36))
    row_version: Mapped[int] = mapped_column(BigInteger, default=0)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    device_id: Mapped[str] = mapped_column(String(36), default="")


class Receipt(CountyBase):
    """One change key the county has already answered, and how (idempotency)."""

    __tablename__ = "county_receipt"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    township_id: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(36))
    row_version: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Blob(CountyBase):
    """A complete, hash-verified blob (photo or printed PDF) on disk."""

    __tablename__ = "county_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    device_id: Mapped[str] = mapped_column(String(36), default="")


class Reference(CountyBase):
    """A published piece of reference data; `id` is the pull cursor (latest per kind+key wins)."""

    __tablename__ = "county_reference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # calendar | catalogue | standard | announcement | template
    key: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BlobRef(CountyBase):
    """A township's synced row names this hash: that township may ask about it and upload it."""

    __tablename__ = "county_blob_ref"

    township_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)


class Witness(CountyBase):
    """An audit chain head (seq, hash) a township's device reported; `problem` when it went backwards."""

    __tablename__ = "county_witness"
    __table_args__ = (Index("ix_county_witness_township_seq", "township_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    township_id: Mapped[str] = mapped_column(ForeignKey("county_township.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16), default="")
    device_id: Mapped[str] = mapped_column(String(36), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    problem: Mapped[str] = mapped_column(Text, default="")


# Columns added after the first release: (table, column, DDL type). Added at open when missing.
ADDED_COLUMNS = (
    ("county_device", "prev_token_hash", "VARCHAR(64)"),
    ("county_device", "prev_valid_until", "TIMESTAMP"),
    ("county_device", "token_issued_at", "TIMESTAMP"),
)


def upgrade_schema(engine) -> None:
    """Create missing tables, add missing columns, and register the hashes of blob rows stored before refs existed."""
    from sqlalchemy import inspect as sa_inspect

    CountyBase.metadata.create_all(engine)
    inspector = sa_inspect(engine)
    present = {table: {c["name"] for c in inspector.get_columns(table)} for table in {t for t, _c, _d in ADDED_COLUMNS}}
    with engine.begin() as conn:
        for table, column, ddl in ADDED_COLUMNS:
            if column not in present[table]:
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
    with Session(engine) as session, session.begin():
        if session.execute(select(BlobRef.sha256).limit(1)).first() is None:
            rows = session.execute(
                select(Record.township_id, Record.data).where(Record.entity.in_(("photo", "printed_version")))
            ).all()
            refs = {(township_id, data.get("sha256")) for township_id, data in rows
                    if isinstance(data, dict) and isinstance(data.get("sha256"), str)}
            for township_id, sha256 in refs:
                session.add(BlobRef(township_id=township_id, sha256=sha256))


def insert_ignore(session: Session, model, **values) -> bool:
    """INSERT unless a row with the same key exists (another request won the race); True if inserted."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # other databases: the plain check-then-insert (the in-process locks still serialise it)
        if session.get(model, tuple(values[c.name] for c in model.__table__.primary_key)) is not None:
            return False
        session.add(model(**values))
        session.flush()
        return True
    result = session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def default_county_dir() -> Path:
    chosen = os.environ.get(COUNTY_DATA_ENV)
    if chosen:
        return Path(chosen)
    from platformdirs import user_data_dir

    return Path(user_data_dir("zwgk-county", appauthor=False))


class CountyStore:
    """The county's database plus its blob folder; `session()` is a unit of work."""

    def __init__(self, data_dir: Path, db_url: str | None = None, *, token_idle_days: int = DEFAULT_TOKEN_IDLE_DAYS):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.blobs_dir.mkdir(parents=True, exist_ok=True)
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        self.db_url = db_url or f"sqlite:///{self.data_dir / DEFAULT_DB_FILE}"
        self.token_idle_days = token_idle_days  # a device silent this long must enroll again
        self.engine = create_engine(self.db_url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        upgrade_schema(self.engine)
        self._factory = sessionmaker(bind=self.engine, expire_on_commit=False, future=True)

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def partial_dir(self) -> Path:
        return self.blobs_dir / "partial"

    def blob_path(self, sha256: str) -> Path:
        return self.blobs_dir / sha256[:2] / sha256

    def partial_path(self, sha256: str, township_id: str) -> Path:
        """Where `township_id`'s unfinished upload of `sha256` grows (its own folder: nobody else can touch it)."""
        return self.partial_dir / township_id / f"{sha256}.part"

    def admin_key(self) -> str:
        """The key the staff page's revoke form asks for; created (600) on first use."""
        path = self.data_dir / ADMIN_KEY_FILE
        try:
            key = path.read_text(encoding="utf-8").strip()
            if key:
                return key
        except OSError:
            pass
        key = secrets.token_urlsafe(24)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, key.encode("utf-8"))
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            key = path.read_text(encoding="utf-8").strip()
        finally:
            tmp.unlink(missing_ok=True)
        return key

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(data_dir: str | os.PathLike | None = None, db_url: str | None = None, *,
               token_idle_days: int = DEFAULT_TOKEN_IDLE_DAYS) -> CountyStore:
    """The county store in `data_dir` (default: `ZWGK_COUNTY_DATA` or the platform dir), DB at `db_url`."""
    return CountyStore(Path(data_dir) if data_dir else default_county_dir(), db_url, token_idle_days=token_idle_days)
