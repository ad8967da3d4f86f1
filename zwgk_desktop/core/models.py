"""SQLAlchemy 2 typed models: the township's tables, and nothing else.

Conventions: UUID string primary keys (created offline, unique everywhere),
UTC `created_at`/`updated_at`, a `row_version` on every synced row, money as
integer fen, 公示 dates as local `date`. Use cases live in the sibling
modules; this file only declares tables.
"""

# No `from __future__ import annotations` here: with real (not string) annotations SQLAlchemy reads
# each `Mapped[...]` as an object instead of evaluating its text (~30 ms of every start and import).
import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from zwgk_desktop.core.status import Status, check_constraint_sql

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class SyncedMixin:
    """UUID key, UTC timestamps and a row version: every row that travels to the county."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)


# --- organisation --------------------------------------------------------------------


class Township(SyncedMixin, Base):
    __tablename__ = "township"

    name: Mapped[str] = mapped_column(String(100))
    county_name: Mapped[str] = mapped_column(String(100), default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    supervise_phone: Mapped[str] = mapped_column(String(50), default="")
    county_supervise_phone: Mapped[str] = mapped_column(String(50), default="")

    villages: Mapped[list["Village"]] = relationship(back_populates="township", order_by="Village.sort_order")


class Village(SyncedMixin, Base):
    __tablename__ = "village"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    township_id: Mapped[str] = mapped_column(ForeignKey("township.id"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="village")  # village | community
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    township: Mapped[Township] = relationship(back_populates="villages")
    groups: Mapped[list["VillageGroup"]] = relationship(back_populates="village", order_by="VillageGroup.sort_order")
    # 撤并村: a retired village is kept (old notices name it); merged_into_id points at the village it joined.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("village.id"), nullable=True)


class VillageGroup(SyncedMixin, Base):
    """村民小组 (or 居民小组 in a community)."""

    __tablename__ = "village_group"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"))
    name: Mapped[str] = mapped_column(String(50))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    village: Mapped[Village] = relationship(back_populates="groups")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class NoticeBoard(SyncedMixin, Base):
    """A 公开栏: the township board has no village, every village has its own."""

    __tablename__ = "notice_board"

    township_id: Mapped[str] = mapped_column(ForeignKey("township.id"))
    village_id: Mapped[str | None] = mapped_column(ForeignKey("village.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    village: Mapped[Village | None] = relationship()


class Household(SyncedMixin, Base):
    """A household (户). ID number, phone, bank account and address are sensitive."""

    __tablename__ = "household"
    __table_args__ = (Index("ix_household_id_number", "id_number"), Index("ix_household_head_name", "head_name"))

    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"))
    group_name: Mapped[str] = mapped_column(String(50), default="")
    head_name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18), default="")
    member_count: Mapped[int] = mapped_column(Integer, default=1)
    phone: Mapped[str] = mapped_column(String(30), default="")
    bank_account: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    helper_name: Mapped[str] = mapped_column(String(50), default="")
    helper_phone: Mapped[str] = mapped_column(String(30), default="")

    village: Mapped[Village] = relationship()


# --- catalogue and reference data --------------------------------------------------


class CatalogItem(SyncedMixin, Base):
    """A 基层政务公开标准目录 entry as this township uses it (seeded from resources, county-updatable)."""

    __tablename__ = "catalog_item"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    responsible: Mapped[str] = mapped_column(String(100), default="")
    rule_duration: Mapped[int] = mapped_column(Integer)
    rule_unit: Mapped[str] = mapped_column(String(10))  # calendar | working
    rule_start_day_counts: Mapped[bool] = mapped_column(Boolean, default=False)
    rule_roll_forward: Mapped[bool] = mapped_column(Boolean, default=False)
    name_mask: Mapped[str] = mapped_column(String(20), default="full")
    public_fields: Mapped[list[Any]] = mapped_column(default=list)
    columns: Mapped[list[Any]] = mapped_column(default=list)
    cadence: Mapped[str | None] = mapped_column(String(20), nullable=True)


class CalendarDay(Base):
    """A rest day or 调休 working day from the county or typed in by hand (overrides the package data)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(50), default="")
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | county | file
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Setting(Base):
    """Township-wide settings and small state (sync cursor, last backup...) as JSON values."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class RosterMapping(Base):
    """A remembered column mapping for one spreadsheet layout (header signature)."""

    __tablename__ = "roster_mapping"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(40))
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


# --- notices ------------------------------------------------------------------------

STATUSES = tuple(Status)


class Disclosure(SyncedMixin, Base):
    """A 公示/公告 notice. A correction is a new row with `replaces_id`; nothing is overwritten."""

    __tablename__ = "disclosure"
    __table_args__ = (
        Index("ix_disclosure_status", "status"),
        Index("ix_disclosure_category", "category"),
        CheckConstraint(check_constraint_sql("status"), name="status_known"),
    )

    township_id: Mapped[str] = mapped_column(ForeignKey("township.id"))
    category: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    supervise_phone: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value)
    version: Mapped[int] = mapped_column(Integer, default=1)
    replaces_id: Mapped[str | None] = mapped_column(ForeignKey("disclosure.id"), nullable=True)
    year: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    author: Mapped[str] = mapped_column(String(50), default="")
    approved_by: Mapped[str] = mapped_column(String(50), default="", server_default="")
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    total_amount_fen: Mapped[int] = mapped_column(Integer, default=0)
    total_people: Mapped[int] = mapped_column(Integer, default=0)
    period: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # the version's NoticePeriod (planned or posted)
    planned_posting_day: Mapped[date | None] = mapped_column(Date, nullable=True)  # chosen when printed before posting
    correction_kind: Mapped[str] = mapped_column(String(20), default="", server_default="")  # objection | content | typo
    correction_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    items: Mapped[list["DisclosureItem"]] = relationship(
        back_populates="disclosure", order_by="DisclosureItem.seq", lazy="raise"
    )
    postings: Mapped[list["Posting"]] = relationship(back_populates="disclosure")


class DisclosureItem(SyncedMixin, Base):
    """One line of a notice: common typed fields plus category-specific columns in `extra`."""

    __tablename__ = "disclosure_item"
    __table_args__ = (
        Index("ix_disclosure_item_disclosure_seq", "disclosure_id", "seq"),
        Index("ix_disclosure_item_id_number", "id_number"),
        Index("ix_disclosure_item_household", "household_id"),
        Index("ix_disclosure_item_name", "name", "disclosure_id"),  # search by name: from a name to its notices
        # the statistics' sums per notice and village read this index only (a year of a large township)
        Index("ix_disclosure_item_village_totals", "disclosure_id", "village_name", "change_type", "people", "amount_fen"),
    )

    disclosure_id: Mapped[str] = mapped_column(ForeignKey("disclosure.id"))
    seq: Mapped[int] = mapped_column(Integer)
    household_id: Mapped[str | None] = mapped_column(ForeignKey("household.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    village_id: Mapped[str | None] = mapped_column(ForeignKey("village.id"), nullable=True)
    village_name: Mapped[str] = mapped_column(String(100), default="")
    group_name: Mapped[str] = mapped_column(String(50), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="")
    people: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amount_fen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    disclosure: Mapped[Disclosure] = relationship(back_populates="items")
    # See core/line_items.py: 家庭人口, 保障人数, the change type code (new/adjust/continue/stop/reduce)
    # and the funding parts in fen ({"central", "province", "city", "county", "self"}).
    family_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    covered_people: Mapped[int | None] = mapped_column(Integer, nullable=True)
    change_type: Mapped[str | None] = mapped_column(String(10), nullable=True)
    funding: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class StatusChange(SyncedMixin, Base):
    """One lifecycle transition of a notice: who, when, why."""

    __tablename__ = "status_change"

    disclosure_id: Mapped[str] = mapped_column(ForeignKey("disclosure.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    by_user: Mapped[str] = mapped_column(String(50), default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class Posting(SyncedMixin, Base):
    """A notice put up on one board: posted date, computed end, removal."""

    __tablename__ = "posting"

    disclosure_id: Mapped[str] = mapped_column(ForeignKey("disclosure.id"), index=True)
    board_id: Mapped[str] = mapped_column(ForeignKey("notice_board.id"))
    posted_on: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    removed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    posted_by: Mapped[str] = mapped_column(String(50), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # this posting's NoticePeriod

    disclosure: Mapped[Disclosure] = relationship(back_populates="postings")
    board: Mapped[NoticeBoard] = relationship()


class Photo(SyncedMixin, Base):
    """An archived photo: original bytes kept by SHA-256, EXIF facts and quality flags."""

    __tablename__ = "photo"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(300))
    stored_path: Mapped[str] = mapped_column(String(300))  # relative to the archive dir
    size_bytes: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(50), default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # local wall time from EXIF
    taken_at_offset: Mapped[str] = mapped_column(String(10), default="")
    gps_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    device_make: Mapped[str] = mapped_column(String(100), default="")
    device_model: Mapped[str] = mapped_column(String(100), default="")
    flags: Mapped[list[Any]] = mapped_column(default=list)
    posting_id: Mapped[str | None] = mapped_column(ForeignKey("posting.id"), nullable=True, index=True)
    role: Mapped[str | None] = mapped_column(String(10), nullable=True)  # start | end
    imported_by: Mapped[str] = mapped_column(String(50), default="")
    # QR codes read in the photo on import (services.photos.qr): [{code, disclosure_id, version, board_id, state}]
    qr: Mapped[list[Any]] = mapped_column(default=list)

    posting: Mapped[Posting | None] = relationship()


class Objection(SyncedMixin, Base):
    """An 异议 received during 公示: who (may be anonymous), how, what, and how it was handled."""

    __tablename__ = "objection"

    disclosure_id: Mapped[str] = mapped_column(ForeignKey("disclosure.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    from_name: Mapped[str] = mapped_column(String(100), default="")  # empty = anonymous
    channel: Mapped[str] = mapped_column(String(30), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    changes_list: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(50), default="")
    # the corrected version an upheld objection led to (the objection belongs to both versions)
    correction_id: Mapped[str | None] = mapped_column(ForeignKey("disclosure.id"), nullable=True)


class PrintedVersion(SyncedMixin, Base):
    """Proof of what was printed: the PDF's SHA-256, kept copy, who and when."""

    __tablename__ = "printed_version"

    disclosure_id: Mapped[str | None] = mapped_column(ForeignKey("disclosure.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(20), default="poster")  # poster | cards
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    paper: Mapped[str] = mapped_column(String(20), default="A4")
    stored_path: Mapped[str] = mapped_column(String(300), default="")
    printed_by: Mapped[str] = mapped_column(String(50), default="")
    planned_posted_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # printed before posting
    period: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # the 公示期 printed (NoticePeriod)


class VerificationCode(SyncedMixin, Base):
    """A 核验码 printed on a poster (see `core.verification`): resolves to the notice version and board."""

    __tablename__ = "verification_code"

    code: Mapped[str] = mapped_column(String(8), unique=True)
    township_id: Mapped[str] = mapped_column(String(36), default="")
    disclosure_id: Mapped[str] = mapped_column(ForeignKey("disclosure.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    board_id: Mapped[str | None] = mapped_column(ForeignKey("notice_board.id"), nullable=True)
    village_name: Mapped[str] = mapped_column(String(100), default="")


class EvidenceException(SyncedMixin, Base):
    """A reviewer's 情况说明 for postings without clear start/end photos (lets the notice be concluded/archived)."""

    __tablename__ = "evidence_exception"

    disclosure_id: Mapped[str] = mapped_column(ForeignKey("disclosure.id"), index=True)
    posting_id: Mapped[str | None] = mapped_column(ForeignKey("posting.id"), nullable=True)  # None: every posting
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(50), default="")


class PhotoLink(SyncedMixin, Base):
    """A further posting one photo is evidence of (a photo showing several notices).

    A photo's first link stays on `Photo.posting_id`/`role`; each further one is a
    row here (`services.photos.link` keeps both, `core.photo_links` reads both).
    """

    __tablename__ = "photo_link"
    __table_args__ = (UniqueConstraint("photo_id", "posting_id"),)

    photo_id: Mapped[str] = mapped_column(ForeignKey("photo.id"), index=True)
    posting_id: Mapped[str] = mapped_column(ForeignKey("posting.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # start | end
    source: Mapped[str] = mapped_column(String(10), default="qr")  # qr | manual


class ItemName(Base):
    """Every distinct name on a notice line, kept by triggers on `disclosure_item` (migration 0010):
    公示管理's search by name matches these thousands of names, then finds their lines by index, instead of
    scanning a million lines."""

    __tablename__ = "item_name"
    __table_args__ = {"sqlite_with_rowid": False}

    name: Mapped[str] = mapped_column(String(200), primary_key=True)


# --- people, audit, sync -----------------------------------------------------------

ROLES = ("admin", "clerk", "reviewer", "village", "viewer")


class User(SyncedMixin, Base):
    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="clerk")
    village_ids: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEvent(Base):
    """Append-only, hash-chained log of every change."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50), default="")
    entity_id: Mapped[str] = mapped_column(String(36), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    # Which install key made `hash` (HMAC); "" for the plain SHA-256 rows written before keys existed.
    key_id: Mapped[str] = mapped_column(String(16), default="", server_default="")


class OutboxEntry(Base):
    """A change waiting to be pushed to the county, written in the same transaction as the change."""

    __tablename__ = "outbox_entry"
    __table_args__ = (Index("ix_outbox_entry_state", "state", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(36), default=new_id, unique=True)  # idempotency key
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(10), default="upsert")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | quarantined
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# --- 依申请公开 (information requests under the 政府信息公开条例) -----------------------------

REQUEST_CHANNELS = ("in_person", "mail", "letter", "online", "fax")
REQUESTER_TYPES = ("person", "company", "research", "ngo", "legal", "other")


def _in_sql(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class InfoRequest(SyncedMixin, Base):
    """A 政府信息公开申请 in the register: when and how it arrived, the statutory clock's facts, the outcome.

    Nothing here identifies the requester: `requester_masked` and `content_masked` are what
    travels to the county; the name, contact details and full text stay in `InfoRequestPrivate`.
    """

    __tablename__ = "info_request"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_info_request_year_seq"),
        Index("ix_info_request_status", "status"),
        Index("ix_info_request_received_on", "received_on"),
        CheckConstraint(_in_sql("channel", REQUEST_CHANNELS), name="channel_known"),
        CheckConstraint(_in_sql("requester_type", REQUESTER_TYPES), name="requester_type_known"),
    )

    township_id: Mapped[str | None] = mapped_column(ForeignKey("township.id"), nullable=True)
    year: Mapped[int] = mapped_column(Integer)  # 登记年度 (year of 收到)
    seq: Mapped[int] = mapped_column(Integer)  # 登记序号 within the year
    received_on: Mapped[date] = mapped_column(Date)  # the 收到 date under 条例 art. 31
    arrived_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # physical arrival, when earlier
    channel: Mapped[str] = mapped_column(String(20))
    requester_type: Mapped[str] = mapped_column(String(20))
    requester_masked: Mapped[str] = mapped_column(String(100), default="")
    content_masked: Mapped[str] = mapped_column(Text, default="")
    form_wanted: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # None while waiting for a 补正
    correction_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    correction_received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    correction_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    correction_items: Mapped[str] = mapped_column(Text, default="")
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    extension_approver: Mapped[str] = mapped_column(String(100), default="")
    extension_notified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    replied_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    outcome_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    carried_over_year: Mapped[int | None] = mapped_column(Integer, nullable=True)  # confirmed open at that year's end
    registered_by: Mapped[str] = mapped_column(String(50), default="")


class InfoRequestPrivate(Base):
    """The requester's identity and the full request text: local only, never synced, shown on the request's own page."""

    __tablename__ = "info_request_private"

    request_id: Mapped[str] = mapped_column(ForeignKey("info_request.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    id_number: Mapped[str] = mapped_column(String(30), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    third_parties: Mapped[dict[str, Any]] = mapped_column(default=dict)  # consultation id → {name, address}
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class InfoRequestConsultation(SyncedMixin, Base):
    """One 征求第三方意见 (art. 32): the days it takes, up to the third party's 15 working days, stop the clock."""

    __tablename__ = "info_request_consultation"

    request_id: Mapped[str] = mapped_column(ForeignKey("info_request.id"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    opinion: Mapped[str] = mapped_column(String(20), default="")  # "" | agree | disagree | none
    third_party_masked: Mapped[str] = mapped_column(String(100), default="")


class InfoRequestAppeal(SyncedMixin, Base):
    """A 行政复议 or 行政诉讼 about a request's answer, counted in table 四 of the yearly report."""

    __tablename__ = "info_request_appeal"

    request_id: Mapped[str] = mapped_column(ForeignKey("info_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # review (行政复议) | lawsuit (行政诉讼)
    route: Mapped[str] = mapped_column(String(20), default="")  # lawsuit: direct | after_review
    filed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(20), default="pending")  # upheld | corrected | other | pending
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class InfoRequestLetter(SyncedMixin, Base):
    """A letter issued about a request (受理回执, 补正告知书, …) with its 文号 from the yearly sequence."""

    __tablename__ = "info_request_letter"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_info_request_letter_year_seq"),
        UniqueConstraint("request_id", "kind", "ref_id", name="uq_info_request_letter_request_id"),
    )

    request_id: Mapped[str] = mapped_column(ForeignKey("info_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # receipt | correction | extension | consultation | reply
    ref_id: Mapped[str] = mapped_column(String(36), default="")  # the consultation a 征求意见书 belongs to
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    doc_number: Mapped[str] = mapped_column(String(80))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(String(50), default="")


class AnnualReport(SyncedMixin, Base):
    """One year's 政府信息公开工作年度报告 tables as last exported (the yearly counts the county receives)."""

    __tablename__ = "annual_report"

    township_id: Mapped[str | None] = mapped_column(ForeignKey("township.id"), nullable=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    exported: Mapped[bool] = mapped_column(Boolean, default=False)
    manual: Mapped[dict[str, Any]] = mapped_column(default=dict)  # table 二 entries typed in by hand
    table2: Mapped[dict[str, Any]] = mapped_column(default=dict)
    table3: Mapped[dict[str, Any]] = mapped_column(default=dict)
    table4: Mapped[dict[str, Any]] = mapped_column(default=dict)
    checks: Mapped[list[Any]] = mapped_column(default=list)
    carried_out: Mapped[list[Any]] = mapped_column(default=list)  # register numbers carried into the next year
    generated_by: Mapped[str] = mapped_column(String(50), default="")
    generated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class SyncedBlob(Base):
    """A file (photo, printed PDF) the county has confirmed it holds in full, by SHA-256: later syncs ask the
    county only about the others (`services.sync.receipts`)."""

    __tablename__ = "synced_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
