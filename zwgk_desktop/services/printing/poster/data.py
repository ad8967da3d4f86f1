"""What a 公示 poster shows (`PosterData`, already masked for the public) and where it comes from (the database).

Owns:
- `PosterData`: title, wording inputs, the 公示期 (`core.periods.NoticePeriod`),
  the 更正说明 of a correction, the 标准 in force, the 核验码 and what the QR
  holds, and the masked line items; its content digest (the footer's check code);
- `PrintResult`: what a render (and, through the ops layer, a recorded print) gives back;
- reading a notice into one or more `PosterData` (`build_poster_parts`: the whole
  list, one village's part, every village's part, or the list for one board),
  masking every value through `core.privacy`, 停保 lines listed but left out of
  the totals, and 家庭人口 where the roster gave it;
- `correction_note`: the 更正说明 line, worded from `core.lifecycle.correction_summary`
  (what a correction changed against the version it replaces: "删除1户、调整1户").

Reading happens in the caller's (read-only) session; rendering never does.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from zwgk_desktop.core.catalogue import CatalogEntry, Column, get_entry
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.line_items import (
    FUNDING_PARTS,
    add_item_facts,
    change_type_of,
    counts_in_totals,
    funding_columns,
    funding_key,
    values_by_key,
)
from zwgk_desktop.core.periods import NoticePeriod
from zwgk_desktop.core.status import PRINTABLE, Status
from zwgk_desktop.core.verification import display_code, qr_payload, verification_code
from zwgk_desktop.errors import NotFound, ZwgkError

APPROVED_STATUSES = PRINTABLE
FAMILY_SIZE = Column(key="family_size", label="家庭人口", type="int")
FAMILY_SIZE_BESIDE = {"dibao": "people"}  # categories whose poster shows 家庭人口 (before this column)
STANDARD_WORDS = {"dibao": ("低保",), "tekun": ("特困",)}


class EmptyNotice(ZwgkError):
    code = "empty_notice"


# --- the DTO -----------------------------------------------------------------------


@dataclass
class PosterData:
    """Everything a poster shows; `items` hold already-masked public values by column key."""

    notice_id: str
    version: int
    township: str
    county: str
    entry: CatalogEntry
    title: str
    body: str = ""
    period_start: date | None = None  # legacy inputs: used only when `period` is not given
    period_end: date | None = None
    rule_text: str = ""
    issuer: str = ""
    township_phone: str = ""
    county_phone: str = ""
    issue_date: date | None = None
    year: int | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    total_households: int = 0
    total_people: int = 0
    total_amount_fen: int = 0
    funding_totals: dict[str, int] = field(default_factory=dict)  # part → fen over the counted lines
    status: str = "approved"
    public_phones: tuple[str, ...] = ()  # numbers published on purpose (hotlines), for the privacy scan
    village: str = ""  # set: this poster is one village's part of the notice, for that village's board
    period: NoticePeriod | None = None  # the 公示期 printed (planned before posting, stored after)
    correction_note: str = ""  # 更正说明 of a correction
    is_correction: bool = False
    standard_text: str = ""  # 低保标准 / 特困供养标准 in force, and 供养方式 counts
    verification_code: str = ""  # 核验码 (8 characters, no dash); "" for an unapproved proof
    qr_text: str = ""  # what the QR holds: `core.verification.qr_payload(code, county_url)`
    board_id: str | None = None  # printed for this board (the code names it)
    board_name: str = ""
    stopped_households: int = 0  # 停保 lines: listed, not counted in the totals

    def period_dates(self) -> tuple[date | None, date | None]:
        """(first day, last day) printed: from `period`, else the legacy start/end."""
        if self.period is not None:
            return self.period.first_day, self.period.end
        return self.period_start, self.period_end

    def content_digest(self) -> str:
        """SHA-256 of the input (notice id, version, every printed value): stable across reprints.

        (Equal to hashing each item's `json.dumps(item, ensure_ascii=False, sort_keys=True,
        default=str)` in turn; one encoder and one update are just faster.)"""
        digest = hashlib.sha256()
        head = [
            self.notice_id, self.version, self.township, self.county, self.entry.code, self.title,
            self.body, _iso(self.period_start), _iso(self.period_end), self.rule_text, self.issuer,
            self.township_phone, self.county_phone, _iso(self.issue_date), self.year,
            self.total_households, self.total_people, self.total_amount_fen, self.status,
        ]
        if self.village:  # a village's part; whole-notice digests stay what they were
            head.append(self.village)
        extra = [
            self.period.as_json() if self.period else None, self.correction_note, self.standard_text,
            self.verification_code, self.stopped_households,
        ]
        if any(extra):
            head.append(extra)
        digest.update(json.dumps(head, ensure_ascii=False, default=str).encode("utf-8"))
        digest.update("".join(map(_ITEM_JSON.encode, self.items)).encode("utf-8"))
        return digest.hexdigest()

    @property
    def short_hash(self) -> str:
        return short_hash_of(self.content_digest())


_ITEM_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def short_hash_of(digest: str) -> str:
    """The footer's check code: the first 12 hex digits of the content digest, grouped by four."""
    raw = digest[:12].upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class CodeSpec:
    """One 核验码 a print carries: the code and the board / village part it names."""

    code: str
    board_id: str | None = None
    village_name: str = ""

    def as_json(self) -> dict:
        return {"code": self.code, "display": display_code(self.code), "board_id": self.board_id,
                "village": self.village_name}


@dataclass
class PrintResult:
    pages: int
    sha256: str
    missing_glyphs: list[str]
    path: str
    printed_version_id: str | None = None
    village: str = ""  # the village whose part this is ("" = the whole notice)
    part_pages: list[int] = field(default_factory=list)  # pages of each poster in the file, in order
    villages: list[str] = field(default_factory=list)  # with every village's part: the villages, in order
    disclosure_id: str = ""
    version: int = 0
    codes: list[CodeSpec] = field(default_factory=list)  # 核验码 printed (recorded with the print)
    qr_payloads: list[str] = field(default_factory=list)
    period: NoticePeriod | None = None
    planned_posted_on: date | None = None  # printed before posting: the planned posting day
    board_id: str | None = None
    paper: str = "A4"
    landscape: bool = False
    status: str = ""

    def as_json(self) -> dict:
        data = {
            "pages": self.pages,
            "sha256": self.sha256,
            "missing_glyphs": self.missing_glyphs,
            "path": self.path,
            "paper": self.paper,
            "landscape": self.landscape,  # also when a table too wide for portrait turned the page
        }
        if self.village:
            data["village"] = self.village
        if self.villages:
            data["villages"] = [{"village": v, "pages": n} for v, n in zip(self.villages, self.part_pages)]
        if self.disclosure_id:
            data["disclosure_id"] = self.disclosure_id
            data["version"] = self.version
            data["verification_codes"] = [c.as_json() for c in self.codes]
            data["qr"] = list(self.qr_payloads)
            data["period"] = self.period.as_json() if self.period else None
            data["planned_posted_on"] = _iso(self.planned_posted_on)
            data["printed_version_id"] = self.printed_version_id
        return data


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- from the database ----------------------------------------------------------------


def _item_values(item) -> dict[str, Any]:
    """A line item's values by catalogue column key (from an ORM `DisclosureItem`): `core.line_items.values_by_key`."""
    values = values_by_key(item)
    if values.get("people") is None and values.get("covered_people") is not None:
        values["people"] = values["covered_people"]
    return values


def _row_values(extra, name, village, group, id_number, people, amount_fen) -> dict[str, Any]:
    values: dict[str, Any] = dict(extra or {})
    values["name"] = name
    values["village"] = village
    values["group"] = group
    values["id_number"] = id_number
    if people is not None:
        values["people"] = people
    if amount_fen is not None:
        values["amount"] = amount_fen
    return values


def _merges_group(entry: CatalogEntry) -> bool:
    """Whether the catalogue hides the 组 column but labels 村(组): then one cell shows 村 + 组."""
    village_col, group_col = entry.column("village"), entry.column("group")
    return bool(village_col and "组" in village_col.label and (group_col is None or not group_col.public))


def _village_cell(entry: CatalogEntry, values: dict[str, Any], merges: bool | None = None) -> None:
    """Where the catalogue hides the 组 column but labels 村(组), show 村 + 组 in one cell."""
    if merges if merges is not None else _merges_group(entry):
        group = str(values.get("group") or "").strip()
        if group and not str(values.get("village", "")).endswith(group):
            values["village"] = f"{values.get('village', '')}{group}"


def poster_entry(entry: CatalogEntry) -> CatalogEntry:
    """The catalogue entry as the poster prints it: 低保 shows 家庭人口 beside 保障人数, and a category that
    publishes its funding sources (危房改造, 衔接资金, 惠民惠农) shows the parts after the amount (中央(元) …).
    Columns no line fills are left out anyway."""
    columns = list(entry.columns)
    beside = FAMILY_SIZE_BESIDE.get(entry.code)
    if beside is not None and entry.column(FAMILY_SIZE.key) is None:
        at = next((i for i, c in enumerate(columns) if c.key == beside), len(columns))
        columns.insert(at, FAMILY_SIZE)
    parts = funding_columns(entry)
    if parts:
        at = next((i + 1 for i, c in enumerate(columns) if c.key == "amount"), len(columns))
        columns[at:at] = parts
    return replace(entry, columns=tuple(columns)) if len(columns) != len(entry.columns) else entry


def _funding_shown(values: dict[str, Any], totals: dict[str, int], counted: bool) -> None:
    """Add a line's funding parts to the notice's part totals (counted lines only) and leave a part of 0
    out of its cell, so a level no line has (市级 …) drops out of the poster."""
    for part in FUNDING_PARTS:
        key = funding_key(part)
        fen = values.get(key)
        if not fen:
            values.pop(key, None)
        elif counted:
            totals[part] = totals.get(part, 0) + fen


def is_stopped(values: dict[str, Any]) -> bool:
    """A 停保 line (whatever the roster called it, `core.line_items.change_type_of`): listed, never counted."""
    return not counts_in_totals(change_type_of(values.get("change_type")))


def _name_policy(session, entry: CatalogEntry) -> str:
    from sqlalchemy import select

    from zwgk_desktop.core.models import CatalogItem

    policy = session.execute(select(CatalogItem.name_mask).where(CatalogItem.code == entry.code)).scalar()
    return policy or entry.name_mask


def _issue_date(session, disclosure, period: NoticePeriod | None = None) -> date:
    from sqlalchemy import select

    from zwgk_desktop.core.models import StatusChange

    if period is not None:
        return period.posted_on
    if disclosure.period_start:
        return disclosure.period_start
    approved = session.execute(
        select(StatusChange.created_at)
        .where(StatusChange.disclosure_id == disclosure.id, StatusChange.to_status == Status.APPROVED)
        .order_by(StatusChange.created_at.desc())
        .limit(1)
    ).scalar()
    return (approved or disclosure.created_at).date()


def _public_row_cached(entry: CatalogEntry, values: dict[str, Any], policy: str, cache: dict) -> dict[str, Any]:
    """`privacy.public_row` for the public, with each (column, value) masked once per notice:
    a roster repeats most values, and the masking module's checks are not free."""
    from zwgk_desktop.core.privacy import Audience, present_value

    row: dict[str, Any] = {}
    for column in entry.columns:
        if column.key not in values:
            continue
        value = values[column.key]
        try:
            key = (column.key, value)
            shown = cache[key]
        except KeyError:
            shown = cache[key] = present_value(column, value, Audience.PUBLIC, policy)
        except TypeError:  # unhashable value (a list in `extra`)
            shown = present_value(column, value, Audience.PUBLIC, policy)
        if shown is not None:
            row[column.key] = shown
    return row


def _decoded(extra_json: str | None, memo: dict[str, dict]) -> dict:
    """A stored `extra` JSON text as a dict (the caller copies it before changing anything)."""
    if not extra_json:
        return {}
    value = memo.get(extra_json)
    if value is None:
        value = json.loads(extra_json) or {}
        if len(memo) < 50_000:
            memo[extra_json] = value
    return value




def build_poster_data(session, disclosure_id: str, job: Job | None = None, village_id: str | None = None, *,
                      period: NoticePeriod | None = None, county_url: str | None = None,
                      board_id: str | None = None) -> PosterData:
    """Read a notice and its line items and mask them for the public (core.privacy).

    With `village_id`, only that village's lines (and totals): the part a
    village posts on its own 村务公开栏, titled "…（石桥村）". `period` is the
    公示期 to print; `county_url` (an enrolled county) makes the QR a link to
    its verification page. The 核验码 names the board (`board_id`, or the
    village's own board for a village's part); an unapproved notice gets none.
    """
    from sqlalchemy import Text, select, type_coerce

    from zwgk_desktop.core.models import Disclosure, DisclosureItem, NoticeBoard, Township

    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound(f"找不到编号为 {disclosure_id} 的公示，请用“disclosure list”查看现有公示。",
                       detail={"disclosure_id": disclosure_id})
    township = session.get(Township, disclosure.township_id)
    village_name = _village_part(session, disclosure, village_id) if village_id else ""
    entry = poster_entry(get_entry(disclosure.category))
    policy = _name_policy(session, entry)
    items: list[dict[str, Any]] = []
    households, people, amount, stopped = 0, 0, 0, 0
    public_phones: set[str] = set()
    # Plain columns, not ORM objects (a third of the time for 20,000 rows); `extra` as its stored
    # JSON text, decoded once per distinct text since a roster repeats most of it.
    query = (
        select(
            type_coerce(DisclosureItem.extra, Text), DisclosureItem.name, DisclosureItem.village_name,
            DisclosureItem.group_name, DisclosureItem.id_number, DisclosureItem.people, DisclosureItem.amount_fen,
            DisclosureItem.family_size, DisclosureItem.covered_people, DisclosureItem.change_type,
            type_coerce(DisclosureItem.funding, Text),
        )
        .where(DisclosureItem.disclosure_id == disclosure.id)
        .order_by(DisclosureItem.seq)
    )
    if village_id:
        query = query.where(DisclosureItem.village_id == village_id)
    extras: dict[str, dict] = {}
    shown_cache: dict[tuple[str, Any], Any] = {}
    merges = _merges_group(entry)
    phone_keys = [column.key for column in entry.columns if column.kind == "public_phone"]
    support_modes: Counter[str] = Counter()
    funding_totals: dict[str, int] = {}
    for n, (extra_json, *fields) in enumerate(session.execute(query)):
        fields, (family_size, covered_people, change_type, funding_json) = fields[:6], fields[6:]
        values = _row_values(_decoded(extra_json, extras), *fields)
        if family_size is not None:
            values["family_size"] = family_size
        if covered_people is not None:
            values["covered_people"] = covered_people
        add_item_facts(values, change_type, json.loads(funding_json) if funding_json else None)
        if values.get("people") is None and values.get("covered_people") is not None:
            values["people"] = values["covered_people"]
        _village_cell(entry, values, merges)
        stopped_line = is_stopped(values)
        if funding_json:
            _funding_shown(values, funding_totals, not stopped_line)
        row = _public_row_cached(entry, values, policy, shown_cache)
        items.append(row)
        if stopped_line:
            stopped += 1
        else:
            households += 1
            counted = values.get("people")
            people += counted if isinstance(counted, int) else 0
            amount += fields[5] or 0
        if entry.code == "tekun" and values.get("support_mode"):
            support_modes[str(values["support_mode"])] += 1
        for key in phone_keys:
            if row.get(key):
                public_phones.add(str(row[key]))
        if job is not None and n % 2000 == 0:
            job.check()
    board = session.get(NoticeBoard, board_id) if board_id else None
    if board_id and (board is None or board.township_id != disclosure.township_id):
        raise NotFound(f"找不到编号为 {board_id} 的公开栏。", code="unknown_board", detail={"board_id": board_id})
    if board is None and village_id:
        board = _village_board(session, village_id)
    code, qr_text = "", ""
    if disclosure.status in APPROVED_STATUSES:
        code = verification_code(disclosure.township_id, disclosure.id, disclosure.version,
                                 board.id if board else None, village_name or None)
        qr_text = qr_payload(code, county_url)
    correction = ""
    if disclosure.replaces_id:
        correction = correction_note(session, disclosure, village_id=village_id, period=period)
    return PosterData(
        notice_id=disclosure.id,
        version=disclosure.version,
        township=township.name if township else "",
        county=township.county_name if township else "",
        entry=entry,
        title=disclosure.title,
        body=disclosure.body or "",
        period_start=disclosure.period_start,
        period_end=disclosure.period_end,
        rule_text=entry.rule.describe(),
        issuer=disclosure.issuer or (township.issuer if township else ""),
        township_phone=disclosure.supervise_phone or (township.supervise_phone if township else ""),
        county_phone=township.county_supervise_phone if township else "",
        issue_date=_issue_date(session, disclosure, period),
        year=disclosure.year,
        items=items,
        total_households=households,
        total_people=people,
        total_amount_fen=amount,
        funding_totals=funding_totals,
        status=disclosure.status,
        public_phones=tuple(sorted(public_phones)),
        village=village_name,
        period=period,
        correction_note=correction,
        is_correction=bool(disclosure.replaces_id),
        standard_text=standard_text(session, entry.code, disclosure.year, support_modes),
        verification_code=code,
        qr_text=qr_text,
        board_id=board.id if board else None,
        board_name=board.name if board else "",
        stopped_households=stopped,
    )


def _village_board(session, village_id: str):
    """The (first active) 村务公开栏 of a village, or None."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import NoticeBoard

    return session.execute(
        select(NoticeBoard).where(NoticeBoard.village_id == village_id, NoticeBoard.active.is_(True))
        .order_by(NoticeBoard.created_at).limit(1)
    ).scalar()


def build_poster_parts(session, disclosure_id: str, job: Job | None = None, *, village_id: str | None = None,
                       each_village: bool = False, board_id: str | None = None, period: NoticePeriod | None = None,
                       county_url: str | None = None) -> list[PosterData]:
    """The posters one print holds: the whole list, one village's part, or every village's part."""
    options = dict(period=period, county_url=county_url)
    if not each_village:
        return [build_poster_data(session, disclosure_id, job, village_id=village_id, board_id=board_id, **options)]
    parts = [build_poster_data(session, disclosure_id, job, village_id=vid, **options)
             for vid, _name, _lines in village_parts(session, disclosure_id)]
    if not parts:
        raise EmptyNotice("这份公示的名单没有按村登记，无法分村打印。请打印全部名单。", code="no_village_lines")
    return parts


def _village_part(session, disclosure, village_id: str) -> str:
    """The name of a village of the notice's township that has lines in it; Chinese errors otherwise."""
    from sqlalchemy import func, select

    from zwgk_desktop.core.models import DisclosureItem, Village

    village = session.get(Village, village_id)
    if village is None or village.township_id != disclosure.township_id:
        raise NotFound(f"找不到该村（{village_id}）。", code="unknown_village", detail={"village_id": village_id})
    lines = session.execute(
        select(func.count()).select_from(DisclosureItem)
        .where(DisclosureItem.disclosure_id == disclosure.id, DisclosureItem.village_id == village_id)
    ).scalar_one()
    if not lines:
        raise EmptyNotice(f"这份公示的名单中没有{village.name}的对象，无需在{village.name}公开栏张贴本村名单。",
                          code="no_village_lines", detail={"village": village.name})
    return village.name


def village_part_by_name(session, disclosure_id: str, name: str) -> str:
    """The id of the village called `name` among those with lines in the notice (Chinese error naming them)."""
    parts = village_parts(session, disclosure_id)
    wanted = name.strip()
    for village_id, village_name, _lines in parts:
        if village_name == wanted:
            return village_id
    listed = "、".join(v for _id, v, _n in parts) or "（无）"
    raise NotFound(f"这份公示的名单中没有“{wanted}”。名单涉及的村（社区）：{listed}。",
                   code="unknown_village", detail={"village": wanted, "villages": [v for _id, v, _n in parts]})


def village_parts(session, disclosure_id: str) -> list[tuple[str, str, int]]:
    """(village id, name, lines) of every village with lines in the notice, in the order the list names them."""
    from sqlalchemy import func, select

    from zwgk_desktop.core.models import DisclosureItem, Village

    rows = session.execute(
        select(Village.id, Village.name, func.count(DisclosureItem.id))
        .join(DisclosureItem, DisclosureItem.village_id == Village.id)
        .where(DisclosureItem.disclosure_id == disclosure_id)
        .group_by(Village.id, Village.name)
        .order_by(func.min(DisclosureItem.seq))
    )
    return [(vid, name, count) for vid, name, count in rows]


# --- a correction: what changed ----------------------------------------------------------


def correction_note(session, disclosure, *, village_id: str | None = None, period: NoticePeriod | None = None) -> str:
    """The 更正说明 printed on a correction's poster: which version it corrects, what changed, and
    whether the 公示 starts afresh ("现重新公示") or keeps the remaining period."""
    from zwgk_desktop.core.lifecycle import correction_summary

    if not disclosure.replaces_id:
        return ""
    summary = correction_summary(session, disclosure.id, village_id=village_id)
    what = f"经复查，{summary.change_text}" if summary.any else "经复查，名单未变，更正了公示的其他内容"
    tail = "公示期沿用原公示期" if period is not None and period.continued else "现重新公示"
    return f"更正说明：本公示为第{summary.replaced_version}版的更正版本。{what}，{tail}。"


# --- the 标准 in force ----------------------------------------------------------------------


def standard_text(session, category: str, year: int | None, support_modes: Counter | None = None) -> str:
    """低保/特困 posters: the 标准 in force (the township's setting, else the county's published
    standards up to the notice's year) and, for 特困, how many are 分散/集中供养. "" when unknown."""
    words = STANDARD_WORDS.get(category)
    if words is None:
        return ""
    parts = []
    standard = _setting_standard(session, category) or _county_standard(session, words, year)
    if standard:
        label = "低保标准" if category == "dibao" else "特困人员基本生活标准"
        parts.append(f"{label}：{standard}")
    if category == "tekun" and support_modes:
        modes = "、".join(f"{mode}{n}人" for mode, n in sorted(support_modes.items()))
        parts.append(f"其中{modes}")
    return "；".join(parts) + ("。" if parts else "")


def _setting_standard(session, category: str) -> str:
    from zwgk_desktop.core.models import Setting
    from zwgk_desktop.core.township_settings import SETTING_SUBSIDY_STANDARDS, format_standard

    row = session.get(Setting, SETTING_SUBSIDY_STANDARDS)
    if row is None or not isinstance(row.value, dict):
        return ""
    return format_standard(row.value.get(category))


def _county_standard(session, words: tuple[str, ...], year: int | None) -> str:
    """The county's published standards (Setting `county_standards`: "名称:年" → {name, year, amount_fen, unit})
    whose name mentions the category, the latest year not after the notice's, one per name."""
    from zwgk_desktop.core.disclosures import format_fen
    from zwgk_desktop.core.models import Setting

    row = session.get(Setting, "county_standards")
    if row is None or not isinstance(row.value, dict):
        return ""
    latest: dict[str, dict] = {}
    for entry in row.value.values():
        if not isinstance(entry, dict) or not isinstance(entry.get("amount_fen"), int):
            continue
        name, entry_year = str(entry.get("name", "")), entry.get("year")
        if not any(word in name for word in words):
            continue
        if year is not None and isinstance(entry_year, int) and entry_year > year:
            continue
        held = latest.get(name)
        if held is None or (entry_year or 0) > (held.get("year") or 0):
            latest[name] = entry
    return "；".join(
        f"{name} {format_fen(e['amount_fen'])}{e.get('unit') or '元/人·月'}" for name, e in sorted(latest.items())
    )
