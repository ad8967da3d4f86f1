"""The public kiosk (信息查阅点): what a villager may look up, read-only and masked, and the kiosk's exit password.

Owns:
- `open_kiosk_database(db_path)`: the township database opened read-only at
  the SQLite level (`mode=ro`, `PRAGMA query_only`), wrapped as a
  `core.db.Database`, so nothing the kiosk does can change data;
- the kiosk's use cases as `KIOSK_ACTOR` (a read-only viewer):
  `kiosk_start` (township name, villages and categories with published
  notices), `search_notices` (published notices by village, category and a
  person's or notice's name), `notice_view` (one notice as the PUBLIC
  audience sees it: `privacy.public_row` with the catalogue's name policy,
  body text with numbers redacted, the 公示期 through `core.periods`, the
  status in public words — 公示中/公示期满 — the 监督举报电话 and how to
  object), and `verify_code` (a poster's 核验码 or QR text →
  "此公示为真实有效版本" / "此版本已被第N版更正" / unknown, on top of
  `core.verification.resolve`; the printing area's `ops.verification` may
  replace it);
- the exit password: `set_exit_password` (Setting `kiosk_password_hash`,
  argon2 through `core.users`), `exit_password_configured`,
  `check_exit_password` (the kiosk password, else any active
  administrator's password).
ID numbers, phones, bank accounts and addresses never leave this module.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, or_, select

from zwgk_desktop.core.audit import record
from zwgk_desktop.core.catalogue import CATEGORY_CODES, get_entry
from zwgk_desktop.core.db import Database
from zwgk_desktop.core.disclosures import format_fen
from zwgk_desktop.core.models import CatalogItem, Disclosure, DisclosureItem, ItemName, User, Village
from zwgk_desktop.core.periods import NoticePeriod, format_day_cn, poster_period_line
from zwgk_desktop.core.postings import notice_period
from zwgk_desktop.core.privacy import Audience, public_row, redact_numbers
from zwgk_desktop.core.status import OPEN_FOR_OBJECTIONS, PUBLISHED, public_status_label
from zwgk_desktop.core.townships import current_township
from zwgk_desktop.core.users import SETTINGS, Actor, get_setting, hash_password, set_setting, verify_password
from zwgk_desktop.core.verification import STATE_CURRENT, STATE_FOREIGN, STATE_SUPERSEDED
from zwgk_desktop.errors import InvalidInput, NotFound, ZwgkError
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes
from zwgk_desktop.ops.verification import STATE_UNAPPROVED, UNAPPROVED_LABEL
from zwgk_desktop.ops.verification import verify_code as verify

KIOSK_ACTOR = Actor(username="kiosk", role="viewer", display_name="信息查阅点")
SETTING_KIOSK_PASSWORD = "kiosk_password_hash"
MIN_EXIT_PASSWORD = 8
MAX_RESULTS = 200
MAX_ROWS_SHOWN = 5000
HIDDEN_KINDS = ("id_number", "phone", "bank_account")

# 核验 results beyond ops.verification's states.
STATE_INVALID = "invalid"  # not a 核验码 at all (typing error)
KIOSK_STATE_LABELS = {
    STATE_FOREIGN: "未找到此核验码",
    STATE_INVALID: "核验码格式不对",
    STATE_UNAPPROVED: UNAPPROVED_LABEL,
}
KIOSK_STATE_HINTS = {
    STATE_CURRENT: "海报上的内容与本乡镇登记的版本一致，可以放心查看。",
    STATE_SUPERSEDED: "这张海报已被更正版本替代，请以更正后的公示为准。",
    "withdrawn": "此公示已撤回，不再有效。如有疑问请拨打监督举报电话。",
    STATE_FOREIGN: "请核对后重新输入。若核验码无误，这张海报可能不是本乡镇发布的，请拨打监督举报电话反映。",
    STATE_INVALID: "核验码是海报二维码下方的8位字母和数字，如 ABCD-EFGH。",
    STATE_UNAPPROVED: "未经审核的样稿不得张贴。如在公开栏看到，请拨打监督举报电话反映。",
}


def open_kiosk_database(db_path: Path | str) -> Database:
    """The township database opened read-only (every connection `mode=ro` + `query_only`)."""
    path = Path(db_path)
    if not path.is_file():
        raise ZwgkError(f"数据目录中没有数据库（{path}），信息查阅点无法启动。", code="no_database")

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn

    return Database(create_engine("sqlite://", creator=connect, future=True), path)


# --------------------------------------------------------------------------
# DTOs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class KioskStart:
    """The start page: township name, villages, categories that have published notices (code, short name)."""

    township: str
    villages: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class KioskNotice:
    """One search result."""

    id: str
    title: str
    category: str
    category_name: str
    status_label: str  # public words: 公示中 / 公示期满
    period_text: str  # '公示期：2026年12月4日至12月10日（7天）' or ''
    items: int
    matches: int = 0  # lines matching the searched name


@dataclass
class KioskNoticeView:
    """One notice as the public sees it."""

    id: str
    title: str
    category_name: str
    status_label: str  # public words: 公示中 / 公示期满
    period_text: str
    body: str
    headers: list[str]
    rows: list[list[str]]
    objection_text: str = ""  # how to object (or that the period is over)
    phones_text: str = ""  # 监督举报电话
    open_for_objections: bool = False
    version: int = 1
    highlight: set[int] = field(default_factory=set)  # row indexes matching the searched name
    numeric: set[int] = field(default_factory=set)  # column indexes to right-align (money, counts)
    truncated: bool = False
    total_rows: int = 0

    def all_text(self) -> str:
        """Everything the screen shows, for privacy checks."""
        cells = [c for row in self.rows for c in row]
        return "\n".join([self.title, self.category_name, self.status_label, self.period_text, self.body,
                          self.objection_text, self.phones_text, *self.headers, *cells])


@dataclass(frozen=True)
class KioskVerification:
    """What a typed or scanned 核验码 says about the poster carrying it."""

    text: str  # what was typed, or the code in its printed form 'ABCD-EFGH'
    state: str  # current | superseded | withdrawn | foreign | invalid | unapproved
    state_label: str  # 此公示为真实有效版本 / 此版本已被第N版更正 / 未找到此核验码 …
    hint: str
    title: str = ""
    township: str = ""
    version: int | None = None
    superseded_by_version: int | None = None
    place: str = ""  # the board or village part the poster was printed for
    period_text: str = ""
    status_label: str = ""  # public words
    notice_id: str | None = None  # the version the kiosk can show (published), else None
    current_notice_id: str | None = None  # the correcting version when published

    @property
    def genuine(self) -> bool:
        return self.state == STATE_CURRENT


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


@reads
def kiosk_start(db, actor: Actor) -> KioskStart:
    """The township's name, its villages, and the categories that have published notices."""
    with read_session(db, actor) as session:
        township = current_township(session)
        villages = tuple(session.execute(select(Village.name).order_by(Village.sort_order, Village.name)).scalars())
        present = set(session.execute(
            select(Disclosure.category).where(Disclosure.status.in_(PUBLISHED)).distinct()
        ).scalars())
        categories = tuple((c, get_entry(c).short_name) for c in CATEGORY_CODES if c in present)
        return KioskStart(township.name if township else "", villages, categories)


def _period_text(session, notice: Disclosure) -> str:
    """The notice's 公示期 in the poster's words (the one stored period, `core.postings.notice_period`)."""
    period = notice_period(session, notice)
    return poster_period_line(period) if period is not None else ""


def _name_like(name: str) -> str:
    cleaned = "".join(name.split()).replace("%", "").replace("_", "")
    return f"%{cleaned}%"


@reads
def search_notices(db, actor: Actor, village: str = "", category: str = "", name: str = "") -> list[KioskNotice]:
    """Published notices, newest first, narrowed by village, category and a name (a person's or in the title)."""
    query = select(Disclosure).where(Disclosure.status.in_(PUBLISHED))
    if category:
        query = query.where(Disclosure.category == category)
    if village:
        query = query.where(Disclosure.id.in_(
            select(DisclosureItem.disclosure_id).where(DisclosureItem.village_name == village)))
    matches: dict[str, int] = {}
    name = (name or "").strip()
    with read_session(db, actor) as session:
        if name:
            like = _name_like(name)
            # through the distinct names and their index (`ItemName`): milliseconds with a million lines
            names = select(ItemName.name).where(ItemName.name.like(like))
            item_query = select(DisclosureItem.disclosure_id).where(DisclosureItem.name.in_(names))
            if village:
                item_query = item_query.where(DisclosureItem.village_name == village)
            for did in session.execute(item_query).scalars():
                matches[did] = matches.get(did, 0) + 1
            query = query.where(or_(Disclosure.title.like(like), Disclosure.id.in_(list(matches) or [""])))
        query = query.order_by(Disclosure.period_start.desc(), Disclosure.created_at.desc()).limit(MAX_RESULTS)
        return [
            KioskNotice(
                id=d.id, title=redact_numbers(d.title, Audience.PUBLIC), category=d.category,
                category_name=get_entry(d.category).short_name, status_label=public_status_label(d.status),
                period_text=_period_text(session, d), items=d.item_count,
                matches=matches.get(d.id, 0),
            )
            for d in session.execute(query).scalars()
        ]


def _name_policy(session, category: str) -> str:
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


def phones_text(township_phone: str, county_phone: str) -> str:
    """'监督举报电话：乡镇 0557-5021234　县级 0557-3021888' (whichever is known)."""
    parts = [f"乡镇 {township_phone}" if township_phone else "", f"县级 {county_phone}" if county_phone else ""]
    parts = [p for p in parts if p]
    if not parts:
        return "监督举报电话：请到乡镇便民服务中心咨询"
    return "监督举报电话\n" + "\n".join(parts)


def objection_text(township: str, period: NoticePeriod | None, open_for_objections: bool) -> str:
    """How a villager objects to a running 公示, or that the period is over."""
    office = f"{township}人民政府" if township else "乡镇人民政府"
    if open_for_objections:
        until = f"（{format_day_cn(period.end)}前）" if period is not None else ""
        return (f"对公示内容有异议的，请在公示期内{until}通过来电、来信、来访等方式向{office}反映，"
                "也可拨打监督举报电话。我们将依法依规调查核实并予以答复。")
    return "本公示的公示期已满。如发现问题，仍可拨打监督举报电话反映。"


@reads
def notice_view(db, actor: Actor, notice_id: str, name: str = "") -> KioskNoticeView:
    """One published notice as the public sees it; lines whose name matches `name` are highlighted."""
    with read_session(db, actor) as session:
        d = session.get(Disclosure, notice_id)
        if d is None or d.status not in PUBLISHED:
            raise NotFound("该公示不存在或尚未公开。")
        entry = get_entry(d.category)
        township = current_township(session)
        period = notice_period(session, d)
        running = d.status in OPEN_FOR_OBJECTIONS
        policy = _name_policy(session, d.category)
        columns = [c for c in entry.columns if c.public and c.kind not in HIDDEN_KINDS]
        village_col, group_col = entry.column("village"), entry.column("group")
        merge_group = bool(village_col and "组" in village_col.label and (group_col is None or not group_col.public))
        wanted = "".join((name or "").split())
        view = KioskNoticeView(
            id=d.id, title=redact_numbers(d.title, Audience.PUBLIC), category_name=entry.short_name,
            status_label=public_status_label(d.status), period_text=poster_period_line(period) if period else "",
            body=redact_numbers(d.body or "", Audience.PUBLIC), headers=["序号", *(c.label for c in columns)], rows=[],
            objection_text=objection_text(township.name if township else "", period, running),
            phones_text=phones_text(d.supervise_phone or (township.supervise_phone if township else ""),
                                    township.county_supervise_phone if township else ""),
            open_for_objections=running, version=d.version,
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
# 核验码
# --------------------------------------------------------------------------


@reads
def verify_code(db, actor: Actor, text: str) -> KioskVerification:
    """What the 核验码 (typed, or a scanned QR text) printed under a poster's QR says about that poster:
    `ops.verification.verify_code`'s answer in the kiosk's public words, with where to go next."""
    typed = (text or "").strip()
    try:
        found = verify(db, actor, typed)
    except InvalidInput:
        return _verification(typed, STATE_INVALID)
    shown_code = found.display_code or typed
    if not found.found:
        return _verification(shown_code, STATE_FOREIGN)
    with read_session(db, actor) as session:
        newer = None
        if found.superseded_by_version is not None:
            newer = session.execute(select(Disclosure).where(Disclosure.replaces_id == found.disclosure_id)).scalar()
        return KioskVerification(
            text=shown_code, state=found.state, state_label=found.state_label, hint=KIOSK_STATE_HINTS.get(found.state, ""),
            title=redact_numbers(found.title, Audience.PUBLIC), township=found.township, version=found.version,
            superseded_by_version=found.superseded_by_version, place=found.board_name or found.village_name,
            period_text=found.period_text, status_label=public_status_label(found.status),
            notice_id=found.disclosure_id if found.status in PUBLISHED else None,
            current_notice_id=newer.id if newer is not None and newer.status in PUBLISHED else None,
        )


def _verification(text: str, state: str) -> KioskVerification:
    return KioskVerification(text=text, state=state, state_label=KIOSK_STATE_LABELS[state],
                             hint=KIOSK_STATE_HINTS[state])


# --------------------------------------------------------------------------
# Leaving the kiosk
# --------------------------------------------------------------------------


def _kiosk_password_hash(session) -> str:
    value = get_setting(session, SETTING_KIOSK_PASSWORD)
    return value if isinstance(value, str) else ""


def _admin_hashes(session) -> list[str]:
    return [h for h in session.execute(
        select(User.password_hash).where(User.role == "admin", User.active.is_(True))
    ).scalars() if h]


@reads
def exit_password_configured(db, actor: Actor) -> bool:
    """True when someone can unlock the kiosk: a kiosk password or an active administrator exists."""
    with read_session(db, actor) as session:
        return bool(_kiosk_password_hash(session)) or bool(_admin_hashes(session))


@reads
def check_exit_password(db, actor: Actor, password: str) -> bool:
    """The kiosk password when one is set, else any active administrator's password."""
    if not password:
        return False
    with read_session(db, actor) as session:
        stored = _kiosk_password_hash(session)
        if stored:
            return verify_password(stored, password)
        return any(verify_password(h, password) for h in _admin_hashes(session))


@writes("settings")
def set_exit_password(db, actor: Actor, password: str) -> None:
    """Set the password that closes the kiosk (at least 8 characters; stored as an argon2 hash)."""
    actor.require(SETTINGS)
    if len(password or "") < MIN_EXIT_PASSWORD:
        raise InvalidInput(f"查阅点退出密码至少需要 {MIN_EXIT_PASSWORD} 位（两次输入须一致）。", code="weak_password")
    with unit_of_work(db, actor) as session:
        # The audit log says that the password changed, never the hash.
        set_setting(session, SETTING_KIOSK_PASSWORD, hash_password(password), audit=False)
        record(session, "setting", "setting", SETTING_KIOSK_PASSWORD[:36], {"key": SETTING_KIOSK_PASSWORD, "changed": True})
