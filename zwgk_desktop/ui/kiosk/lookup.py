"""What the public kiosk (信息查阅点) may read, read-only and masked; no Qt here.

Owns:
- `open_readonly(db_path)`: a SQLAlchemy engine on the SQLite file opened
  with `mode=ro` and `PRAGMA query_only`, so nothing the kiosk does can
  change data;
- `kiosk_filters`, `search_notices`, `notice_view`: find published and
  archived notices (公示中/期满/已归档) by village, category and a person's
  or notice's name, and render one as the PUBLIC audience sees it
  (`privacy.public_row` with the catalogue's name policy; body text with
  numbers redacted). ID numbers, phones, bank accounts and addresses never
  leave this module;
- `ExitGuard`: the admin password that closes the kiosk (Setting
  `kiosk_password_hash`, argon2, else any active administrator's password),
  with an in-memory pause after repeated wrong attempts.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import create_engine, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import CATEGORY_CODES, get_entry
from zwgk_desktop.core.disclosures import format_fen
from zwgk_desktop.core.models import CatalogItem, Disclosure, DisclosureItem, Setting, User, Village
from zwgk_desktop.core.privacy import Audience, public_row, redact_numbers
from zwgk_desktop.core.status import PUBLISHED, STATUS_LABELS
from zwgk_desktop.errors import ZwgkError

PUBLISHED_STATUSES = PUBLISHED
SETTING_KIOSK_PASSWORD = "kiosk_password_hash"
MAX_RESULTS = 200
MAX_ROWS_SHOWN = 5000
MAX_FAILED_EXITS = 5
EXIT_PAUSE_SECONDS = 60

_hasher = PasswordHasher()


def open_readonly(db_path: Path) -> Engine:
    """An engine whose every connection is read-only at the SQLite level."""
    path = Path(db_path)
    if not path.is_file():
        raise ZwgkError(f"数据目录中没有数据库（{path}），信息查阅点无法启动。", code="no_database")

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn

    return create_engine("sqlite://", creator=connect, future=True)


# --------------------------------------------------------------------------
# DTOs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class KioskFilters:
    villages: list[str]
    categories: list[tuple[str, str]]  # (code, short name)


@dataclass(frozen=True)
class KioskNotice:
    id: str
    title: str
    category: str
    category_name: str
    status_label: str
    period: str
    items: int
    matches: int = 0  # lines matching the searched name


@dataclass
class KioskNoticeView:
    id: str
    title: str
    category_name: str
    status_label: str
    period: str
    body: str
    headers: list[str]
    rows: list[list[str]]
    highlight: set[int] = field(default_factory=set)  # row indexes matching the searched name
    numeric: set[int] = field(default_factory=set)  # column indexes to right-align (money, counts)
    truncated: bool = False
    total_rows: int = 0

    def all_text(self) -> str:
        """Everything the screen shows, for privacy checks."""
        cells = [c for row in self.rows for c in row]
        return "\n".join([self.title, self.category_name, self.status_label, self.period, self.body, *self.headers, *cells])


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def kiosk_filters(session: Session) -> KioskFilters:
    villages = [n for (n,) in session.execute(select(Village.name).order_by(Village.sort_order, Village.name))]
    present = set(session.execute(
        select(Disclosure.category).where(Disclosure.status.in_(PUBLISHED_STATUSES)).distinct()
    ).scalars())
    categories = [(c, get_entry(c).short_name) for c in CATEGORY_CODES if c in present]
    return KioskFilters(villages, categories)


def _period(d: Disclosure) -> str:
    if d.period_start and d.period_end:
        return f"{d.period_start:%Y年%m月%d日} 至 {d.period_end:%Y年%m月%d日}"
    if d.period_start:
        return f"{d.period_start:%Y年%m月%d日} 起"
    return ""


def _name_like(name: str) -> str:
    cleaned = "".join(name.split()).replace("%", "").replace("_", "")
    return f"%{cleaned}%"


def search_notices(session: Session, *, village: str = "", category: str = "", name: str = "") -> list[KioskNotice]:
    """Published/archived notices, newest first, narrowed by village, category and a name (person or title)."""
    query = select(Disclosure).where(Disclosure.status.in_(PUBLISHED_STATUSES))
    if category:
        query = query.where(Disclosure.category == category)
    if village:
        query = query.where(Disclosure.id.in_(select(DisclosureItem.disclosure_id).where(DisclosureItem.village_name == village)))
    matches: dict[str, int] = {}
    name = (name or "").strip()
    if name:
        like = _name_like(name)
        item_query = select(DisclosureItem.disclosure_id).where(DisclosureItem.name.like(like))
        if village:
            item_query = item_query.where(DisclosureItem.village_name == village)
        for (did,) in session.execute(item_query):
            matches[did] = matches.get(did, 0) + 1
        query = query.where(or_(Disclosure.title.like(like), Disclosure.id.in_(list(matches) or [""])))
    query = query.order_by(Disclosure.period_start.desc(), Disclosure.created_at.desc()).limit(MAX_RESULTS)
    return [
        KioskNotice(
            id=d.id, title=redact_numbers(d.title, Audience.PUBLIC), category=d.category,
            category_name=get_entry(d.category).short_name, status_label=STATUS_LABELS.get(d.status, d.status),
            period=_period(d), items=d.item_count, matches=matches.get(d.id, 0),
        )
        for d in session.execute(query).scalars()
    ]


def _name_policy(session: Session, category: str) -> str:
    policy = session.execute(select(CatalogItem.name_mask).where(CatalogItem.code == category)).scalar()
    return policy or get_entry(category).name_mask


def _item_values(item: DisclosureItem) -> dict:
    values = dict(item.extra or {})
    values.update({"name": item.name, "village": item.village_name, "group": item.group_name, "id_number": item.id_number})
    if item.people is not None:
        values["people"] = item.people
    if item.amount_fen is not None:
        values["amount"] = item.amount_fen
    return values


def _cell_text(column, value) -> str:
    if value is None:
        return ""
    if column.type == "money" and isinstance(value, int) and not isinstance(value, bool):
        return format_fen(value)
    return str(value)


def notice_view(session: Session, notice_id: str, *, name: str = "") -> KioskNoticeView:
    """One published notice as the public sees it; lines whose name matches `name` are highlighted."""
    d = session.get(Disclosure, notice_id)
    if d is None or d.status not in PUBLISHED_STATUSES:
        raise ZwgkError("该公示不存在或尚未公开。", code="not_found")
    entry = get_entry(d.category)
    policy = _name_policy(session, d.category)
    columns = [c for c in entry.columns if c.public and c.kind not in ("id_number", "phone", "bank_account")]
    village_col, group_col = entry.column("village"), entry.column("group")
    merge_group = bool(village_col and "组" in village_col.label and (group_col is None or not group_col.public))
    wanted = "".join((name or "").split())
    view = KioskNoticeView(
        id=d.id, title=redact_numbers(d.title, Audience.PUBLIC), category_name=entry.short_name,
        status_label=STATUS_LABELS.get(d.status, d.status), period=_period(d),
        body=redact_numbers(d.body or "", Audience.PUBLIC), headers=["序号", *(c.label for c in columns)], rows=[],
    )
    view.numeric = {i + 1 for i, c in enumerate(columns) if c.type in ("money", "int")}
    query = (
        select(DisclosureItem).where(DisclosureItem.disclosure_id == d.id).order_by(DisclosureItem.seq)
        .execution_options(yield_per=1000)
    )
    for item in session.execute(query).scalars():
        view.total_rows += 1
        if len(view.rows) >= MAX_ROWS_SHOWN:
            view.truncated = True
            continue
        values = _item_values(item)
        if merge_group and values.get("group") and not str(values.get("village", "")).endswith(values["group"]):
            values["village"] = f"{values.get('village', '')}{values['group']}"
        shown = public_row(entry, values, Audience.PUBLIC, policy)
        if wanted and wanted in "".join(item.name.split()):
            view.highlight.add(len(view.rows))
        view.rows.append([str(item.seq), *(_cell_text(c, shown.get(c.key)) for c in columns)])
    return view


# --------------------------------------------------------------------------
# Leaving the kiosk
# --------------------------------------------------------------------------


def kiosk_password_hash(password: str) -> str:
    return _hasher.hash(password)


def _verifies(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def exit_password_configured(session: Session) -> bool:
    """True when someone can unlock the kiosk: a kiosk password or an active administrator exists."""
    row = session.get(Setting, SETTING_KIOSK_PASSWORD)
    if row is not None and isinstance(row.value, str) and row.value:
        return True
    return session.execute(select(User.id).where(User.role == "admin", User.active.is_(True)).limit(1)).scalar() is not None


def check_exit_password(session: Session, password: str) -> bool:
    """The kiosk password (Setting `kiosk_password_hash`) or, failing that, an active administrator's password."""
    if not password:
        return False
    row = session.get(Setting, SETTING_KIOSK_PASSWORD)
    if row is not None and isinstance(row.value, str) and row.value:
        return _verifies(row.value, password)
    hashes = session.execute(select(User.password_hash).where(User.role == "admin", User.active.is_(True))).scalars()
    return any(h and _verifies(h, password) for h in hashes)


class ExitGuard:
    """Checks the exit password; after 5 wrong attempts it refuses everything for a minute."""

    def __init__(self, checker, clock=time.monotonic):
        self._checker = checker
        self._clock = clock
        self.failures = 0
        self.paused_until = 0.0

    def seconds_paused(self) -> int:
        return max(0, int(self.paused_until - self._clock() + 0.999))

    def try_password(self, password: str) -> bool:
        if self.seconds_paused():
            return False
        if self._checker(password):
            self.failures = 0
            return True
        self.failures += 1
        if self.failures >= MAX_FAILED_EXITS:
            self.failures = 0
            self.paused_until = self._clock() + EXIT_PAUSE_SECONDS
        return False
