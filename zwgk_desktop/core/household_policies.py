"""A household's policies and money for one year, gathered from the published records (惠民政策明白卡).

Owns:
- which households a batch of cards covers (`select_households`: a village or
  chosen ids, ordered by village, group, head's name; `select_household_rows`:
  the same as plain rows, for printing a whole township fast) and finding a village by
  the name a user typed (`resolve_village`, with a "did you mean" suggestion);
- `gather_policies`: for each household, one `PolicyLine` per policy drawn
  from notices that reached 公示中/期满/已归档 in that year (drafts, notices
  under review, approved-but-unposted and withdrawn notices never count; a
  notice replaced by a published correction counts only through the
  correction). 低保 and 特困 are monthly: the household receives from the
  month it was approved (新增/拟认定 in the year's notices; from January when
  it was already receiving — a 续保/调整 line, or a published line of an
  earlier year) until a 停保/拟终止 line (that month no longer paid) or the
  end of the year; each month is paid at the amount of the latest notice
  listing the household by then. So a household on 低保 all year gets 12
  months. The line shows the 月保障金 (not a 标准) and the months;
  a 停保 line never makes a card line of its own.
  临时救助, 危房改造 and 惠民资金 are one-off payments, one line each;
- who is responsible: the catalogue's office named with the township's own
  name ("乡镇民政办" → "青山镇民政办").
- the 明白卡 page's household list (`find_households` with a `CardFilter`:
  village, group, policy received this year, name; `village_choices`);
- the DTOs are already masked for a semi-public card through `core.privacy`
  (bank account: last 4 digits; no ID number, no household phone). The
  帮扶责任人's phone is a work phone and is printed as is.

No Qt; reads the database only.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import get_entry, load_catalogue
from zwgk_desktop.core.disclosures import format_fen
from zwgk_desktop.core.group_order import group_sort_key
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.line_items import ChangeType, change_type_of
from zwgk_desktop.core.models import (
    CatalogItem,
    Disclosure,
    DisclosureItem,
    Household,
    StatusChange,
    Township,
    Village,
    VillageGroup,
)
from zwgk_desktop.core.privacy import generalize_reason, mask_bank_account
from zwgk_desktop.core.status import PUBLISHED, Status
from zwgk_desktop.errors import InvalidInput, NotFound

COUNTED_STATUSES = PUBLISHED
MONTHLY_CATEGORIES = ("dibao", "tekun")
ONE_OFF_CATEGORIES = ("linshi", "weifang", "fupin_fund")
CARD_CATEGORIES = MONTHLY_CATEGORIES + ONE_OFF_CATEGORIES
IN_CHUNK = 800


# --- DTOs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyLine:
    """One policy on a card: what, at what standard, how much this year, which months, who is responsible."""

    category: str
    item: str
    standard: str
    amount_fen: int
    months: tuple[int, ...]
    responsible: str
    monthly: bool = False

    @property
    def standard_label(self) -> str:
        """What the standard column means: a monthly line shows the household's 月保障金."""
        return "月保障金" if self.monthly else "标准"

    @property
    def months_text(self) -> str:
        if not self.months:
            return "—"
        names = month_ranges(self.months)
        return f"{names}（共{len(self.months)}个月）" if self.monthly else names

    def as_json(self) -> dict:
        return {
            "category": self.category,
            "item": self.item,
            "standard": self.standard,
            "amount_fen": self.amount_fen,
            "months": list(self.months),
            "responsible": self.responsible,
            "monthly": self.monthly,
            "standard_label": self.standard_label,
        }


def month_ranges(months: Iterable[int]) -> str:
    """(1, 2, 3, 5) → "1—3月、5月"."""
    ordered = sorted(set(months))
    runs: list[list[int]] = []
    for m in ordered:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return "、".join(f"{r[0]}—{r[-1]}月" if len(r) > 1 else f"{r[0]}月" for r in runs)


@dataclass
class HouseholdPolicies:
    """Everything a 惠民政策资金明白卡 shows about one household, masked for a semi-public card."""

    household_id: str
    head_name: str
    village: str
    group: str
    member_count: int
    helper_name: str
    helper_phone: str  # the 帮扶责任人's work phone: printed on purpose
    bank_account_masked: str
    year: int
    lines: list[PolicyLine] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def monthly_categories(self) -> list[str]:
        return [line.category for line in self.lines if line.monthly]

    def as_json(self) -> dict:
        return {
            "household_id": self.household_id,
            "head_name": self.head_name,
            "village": self.village,
            "group": self.group,
            "member_count": self.member_count,
            "helper_name": self.helper_name,
            "helper_phone": self.helper_phone,
            "bank_account_masked": self.bank_account_masked,
            "year": self.year,
            "total_fen": self.total_fen,
            "lines": [line.as_json() for line in self.lines],
        }


@dataclass(frozen=True)
class TownshipContact:
    """Who issues the cards and the supervision hotlines printed on them (public numbers)."""

    township: str
    county: str
    township_phone: str
    county_phone: str


def township_contact(session: Session) -> TownshipContact:
    township = session.execute(select(Township).order_by(Township.created_at).limit(1)).scalar()
    if township is None:
        return TownshipContact("", "", "", "")
    return TownshipContact(
        township.name, township.county_name, township.supervise_phone, township.county_supervise_phone
    )


# --- which households --------------------------------------------------------------

def resolve_village(session: Session, name: str) -> Village:
    """The village called `name` (exact, or the only one whose name contains it); else a Chinese
    error suggesting the closest names."""
    wanted = unicodedata.normalize("NFKC", name or "").strip().replace("\u3000", "")
    villages = list(session.execute(select(Village).order_by(Village.sort_order, Village.name)).scalars())
    for village in villages:
        if village.name == wanted:
            return village
    partial = [v for v in villages if wanted and (wanted in v.name or v.name in wanted)]
    if len(partial) == 1:
        return partial[0]
    names = [v.name for v in villages]
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.3) or [v.name for v in partial][:3]
    hint = f"您是不是要找：{'、'.join(close)}？" if close else f"现有村（社区）：{'、'.join(names) or '（尚未设置）'}。"
    raise InvalidInput(
        f"找不到村（社区）“{name}”。{hint}",
        code="unknown_village",
        detail={"village": name, "suggestions": close},
    )


def select_households(
    session: Session, village: str | Village | None = None, household_ids: Iterable[str] | None = None
) -> list[Household]:
    """Households for a batch of cards, ordered by village, group, head's name.

    `village` (a name or a `Village`) limits to one village; `household_ids`
    to chosen households (unknown ids are a Chinese `NotFound`). Neither: all.
    """
    rows = _ordered_rows(session, select(Household, Village.sort_order, Village.name), village, household_ids)
    return [row[0] for row in rows]


class HouseholdRow(NamedTuple):
    """The columns of a household that a 明白卡 needs (read without building ORM objects)."""

    id: str
    head_name: str
    village_id: str
    group_name: str
    member_count: int
    helper_name: str
    helper_phone: str
    bank_account: str


def select_household_rows(
    session: Session, village: str | Village | None = None, household_ids: Iterable[str] | None = None
) -> list[HouseholdRow]:
    """`select_households` as plain rows with only what `gather_policies` reads: the same
    households in the same order, several times faster for a whole township."""
    columns = [getattr(Household, name) for name in HouseholdRow._fields]
    rows = _ordered_rows(session, select(*columns, Village.sort_order, Village.name), village, household_ids)
    return [HouseholdRow._make(row[:-2]) for row in rows]


def _ordered_rows(session: Session, statement, village, household_ids) -> list:
    """Rows of `statement` (ending in the village's sort order and name), filtered and ordered."""
    statement = statement.join(Village, Household.village_id == Village.id)
    if village is not None:
        village_row = village if isinstance(village, Village) else resolve_village(session, village)
        statement = statement.where(Household.village_id == village_row.id)
    rows: list = []
    if household_ids is not None:
        wanted = list(dict.fromkeys(household_ids))
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start:start + IN_CHUNK]
            rows.extend(session.execute(statement.where(Household.id.in_(chunk))))
        missing = set(wanted) - {_row_household(row)[0] for row in rows}
        if missing:
            raise NotFound(
                f"有{len(missing)}户在户籍台账中找不到（可能已被合并或删除），请重新选择要打印的户。",
                detail={"household_ids": sorted(missing)},
            )
    else:
        rows = list(session.execute(statement))
    group_orders = _group_orders(session)

    def key(row) -> tuple:
        household_id, village_id, group_name, head_name = _row_household(row)
        return (row[-2], row[-1], group_sort_key(group_name, group_orders.get(village_id)), head_name, household_id)

    rows.sort(key=key)
    return rows


def _row_household(row) -> tuple[str, str, str, str]:
    """(id, village id, group, head's name) of a row holding a `Household` or `HouseholdRow` columns."""
    first = row[0]
    if isinstance(first, Household):
        return first.id, first.village_id, first.group_name, first.head_name
    return row[0], row[2], row[3], row[1]


def _group_orders(session: Session) -> dict[str, dict[str, int]]:
    orders: dict[str, dict[str, int]] = defaultdict(dict)
    for village_id, name, order in session.execute(
        select(VillageGroup.village_id, VillageGroup.name, VillageGroup.sort_order)
    ):
        orders[village_id][name] = order
    return orders


# --- which notices count ---------------------------------------------------------


@dataclass(frozen=True)
class _Notice:
    id: str
    category: str
    when: date  # the month the notice speaks for
    version: int


def counted_notices(session: Session, year: int) -> dict[str, _Notice]:
    """Notices of `year` that reached 公示中/期满/已归档, minus those replaced by a counted correction."""
    rows = list(
        session.execute(
            select(
                Disclosure.id, Disclosure.category, Disclosure.period_start, Disclosure.created_at,
                Disclosure.version, Disclosure.replaces_id,
            ).where(
                Disclosure.year == year,
                Disclosure.status.in_(COUNTED_STATUSES),
                Disclosure.category.in_(CARD_CATEGORIES),
            )
        )
    )
    replaced = {row.replaces_id for row in rows if row.replaces_id}
    published_on = _first_published(session, [row.id for row in rows if row.period_start is None])
    notices = {}
    for row in rows:
        if row.id in replaced:
            continue
        when = row.period_start or published_on.get(row.id) or _as_date(row.created_at)
        notices[row.id] = _Notice(row.id, row.category, when, row.version)
    return notices


def _first_published(session: Session, ids: list[str]) -> dict[str, date]:
    found: dict[str, date] = {}
    for start in range(0, len(ids), IN_CHUNK):
        for disclosure_id, at in session.execute(
            select(StatusChange.disclosure_id, StatusChange.created_at)
            .where(StatusChange.disclosure_id.in_(ids[start:start + IN_CHUNK]), StatusChange.to_status == Status.PUBLISHING)
            .order_by(StatusChange.created_at)
        ):
            found.setdefault(disclosure_id, _as_date(at))
    return found


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def responsible_offices(session: Session) -> dict[str, str]:
    """Responsible office per category: the township's catalogue row, else the shipped catalogue;
    "乡镇民政办" named as the township's own office ("青山镇民政办")."""
    offices = {code: get_entry(code).responsible for code in CARD_CATEGORIES}
    for code, responsible in session.execute(
        select(CatalogItem.code, CatalogItem.responsible).where(CatalogItem.code.in_(CARD_CATEGORIES))
    ):
        if responsible:
            offices[code] = responsible
    township = township_contact(session).township
    return {code: own_office(office, township) for code, office in offices.items()}


def own_office(office: str, township: str) -> str:
    """The catalogue's generic "乡镇…办" as this township's office: "乡镇民政办（社会事务办）" → "青山镇民政办（社会事务办）"."""
    if township and office.startswith("乡镇"):
        return township + office[len("乡镇"):]
    return office


# --- money and dates in `extra` -------------------------------------------------------


def money_fen(value: Any) -> int:
    """An amount kept in `extra`: an int is fen (as the importer stores it), a text is yuan ("120", "120.50元")."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").replace("元", "").strip()
    try:
        return int((Decimal(text) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        return 0


def extra_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


# --- gathering -------------------------------------------------------------------------


@dataclass
class _Row:
    notice: _Notice
    amount_fen: int
    people: int | None
    extra: dict


def gather_policies(
    session: Session, households: list[Household] | list[HouseholdRow], year: int, job: Job | None = None
) -> list[HouseholdPolicies]:
    """One `HouseholdPolicies` per household (same order), built from the year's counted notices
    (`households`: ORM rows or the lighter `HouseholdRow`s)."""
    notices = counted_notices(session, year)
    offices = responsible_offices(session)
    wanted = {h.id for h in households}
    rows_by_household: dict[str, dict[str, list[_Row]]] = defaultdict(lambda: defaultdict(list))
    ids = sorted(notices)
    for start in range(0, len(ids), IN_CHUNK):
        if job is not None:
            job.check()
        for household_id, notice, row in _item_rows(session, notices, ids[start:start + IN_CHUNK], wanted):
            rows_by_household[household_id][notice.category].append(row)
    earlier = _earlier_monthly(session, year, wanted)
    village_names = {vid: vname for vid, vname in session.execute(select(Village.id, Village.name))}
    result = []
    for household in households:
        by_category = rows_by_household.get(household.id, {})
        lines: list[PolicyLine] = []
        for category in CARD_CATEGORIES:
            rows = by_category.get(category)
            if rows:
                lines.extend(policy_lines(category, rows, year, offices[category],
                                          earlier=earlier.get((household.id, category))))
        result.append(
            HouseholdPolicies(
                household_id=household.id,
                head_name=household.head_name,
                village=village_names.get(household.village_id, ""),
                group=household.group_name or "",
                member_count=household.member_count or 0,
                helper_name=household.helper_name or "",
                helper_phone=household.helper_phone or "",
                bank_account_masked=mask_bank_account(household.bank_account) if household.bank_account else "",
                year=year,
                lines=lines,
            )
        )
    return result


def household_policies(session: Session, household_id: str, year: int) -> HouseholdPolicies:
    """The card content of one household (e.g. for a preview in the UI)."""
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound("户籍台账中找不到该户，请刷新后重试。", detail={"household_id": household_id})
    return gather_policies(session, [household], year)[0]


def _item_rows(session: Session, notices: dict[str, _Notice], ids: list[str], wanted: set[str]):
    """(household id, notice, row) of the line items of `ids` that belong to `wanted` households
    (the typed `change_type` code, when the roster gave one, stands in the row's `extra`)."""
    columns = [DisclosureItem.disclosure_id, DisclosureItem.household_id, DisclosureItem.amount_fen,
               DisclosureItem.people, DisclosureItem.extra, DisclosureItem.change_type]
    query = select(*columns).where(
        DisclosureItem.disclosure_id.in_(ids), DisclosureItem.household_id.is_not(None)
    ).order_by(DisclosureItem.disclosure_id, DisclosureItem.seq)
    for disclosure_id, household_id, amount, people, extra, code in session.execute(query):
        if household_id in wanted:
            values = dict(extra or {})
            if code:
                values["change_type"] = code
            yield household_id, notices[disclosure_id], _Row(notices[disclosure_id], amount or 0, people, values)


def _earlier_monthly(session: Session, year: int, wanted: set[str]) -> dict[tuple[str, str], _Row]:
    """(household, category) → the latest 低保/特困 line of an earlier year's published notices: a
    household still receiving at the end of last year receives from January."""
    rows = list(session.execute(
        select(Disclosure.id, Disclosure.category, Disclosure.period_start, Disclosure.created_at, Disclosure.version,
               Disclosure.replaces_id, Disclosure.year)
        .where(Disclosure.year < year, Disclosure.status.in_(COUNTED_STATUSES),
               Disclosure.category.in_(MONTHLY_CATEGORIES))
    ))
    if not rows:
        return {}
    replaced = {row.replaces_id for row in rows if row.replaces_id}
    notices = {
        row.id: _Notice(row.id, row.category, row.period_start or _as_date(row.created_at), row.version)
        for row in rows if row.id not in replaced
    }
    latest: dict[tuple[str, str], _Row] = {}
    ids = sorted(notices)
    for start in range(0, len(ids), IN_CHUNK):
        for household_id, notice, row in _item_rows(session, notices, ids[start:start + IN_CHUNK], wanted):
            key = (household_id, notice.category)
            held = latest.get(key)
            if held is None or (notice.when, notice.version) >= (held.notice.when, held.notice.version):
                latest[key] = row
    return latest


# What a line's change type (core.line_items, the one reading of it) means for the months paid.
PAYMENT_KINDS = {ChangeType.NEW: "start", ChangeType.STOP: "stop", ChangeType.CONTINUE: "continue",
                 ChangeType.ADJUST: "continue", ChangeType.REDUCE: "continue"}
TEKUN_NOTICE_KINDS = {"拟认定": "start", "拟终止": "stop"}  # 特困 notices say 公示类型 instead


def _kind(category: str, row: _Row) -> str:
    """'start', 'stop', 'continue' or '' (not said) for a monthly line."""
    code = change_type_of(row.extra.get("change_type"))
    if code is not None:
        return PAYMENT_KINDS[code]
    if category == "tekun":
        return TEKUN_NOTICE_KINDS.get(str(row.extra.get("notice_type") or "").strip(), "")
    return ""


def is_stopped_line(category: str, row: _Row) -> bool:
    return _kind(category, row) == "stop"


def policy_lines(category: str, rows: list[_Row], year: int, responsible: str, *,
                 earlier: _Row | None = None) -> list[PolicyLine]:
    if category in MONTHLY_CATEGORIES:
        line = _monthly_line(category, rows, year, responsible, earlier)
        return [line] if line is not None else []
    rows = sorted((r for r in rows if not is_stopped_line(category, r)), key=lambda r: (_paid_on(category, r, year), r.notice.id))
    return [_one_off_line(category, row, year, responsible) for row in rows]


def _month_amount(category: str, row: _Row) -> int:
    if category == "tekun":
        return row.amount_fen + money_fen(row.extra.get("care_standard"))
    return row.amount_fen


def _monthly_line(category: str, rows: list[_Row], year: int, responsible: str,
                  earlier: _Row | None = None) -> PolicyLine | None:
    """The months of `year` the household receives and what: from its approval month (or January when
    it was already receiving) to its 停保 (or December), each month at the latest listed amount."""
    latest: dict[int, _Row] = {}
    for row in sorted(rows, key=lambda r: (r.notice.when, r.notice.version, r.notice.id)):
        if row.notice.when.year == year:
            latest[row.notice.when.month] = row
    if not latest:
        return None
    first_month = min(latest)
    first = latest[first_month]
    kind = _kind(category, first)
    receiving_before = (earlier is not None and not is_stopped_line(category, earlier)) or kind in ("continue", "stop")
    current: _Row | None = None
    if receiving_before:
        current = earlier if earlier is not None and not is_stopped_line(category, earlier) else first
    paid: dict[int, _Row] = {}
    for month in range(1 if receiving_before else first_month, 13):
        event = latest.get(month)
        if event is not None:
            current = None if is_stopped_line(category, event) else event
        if current is not None:
            paid[month] = current
    if not paid:
        return None  # stopped: nothing paid this year, and a 停保 line never makes a card line
    amounts = [_month_amount(category, r) for r in paid.values()]
    entry = get_entry(category)
    last = list(paid.values())[-1]
    item = entry.name
    if category == "dibao" and last.extra.get("level"):
        item = f"{entry.name}（{last.extra['level']}）"
    elif category == "tekun" and last.extra.get("support_mode"):
        item = f"{entry.name}（{last.extra['support_mode']}）"
    return PolicyLine(
        category=category,
        item=item,
        standard=_monthly_standard(category, amounts, last),
        amount_fen=sum(amounts),
        months=tuple(paid),
        responsible=responsible,
        monthly=True,
    )


def _monthly_standard(category: str, amounts: list[int], last: _Row) -> str:
    """The household's monthly payment ("2,720.00元/月，保障4人"), not the 低保标准."""
    low, high = min(amounts), max(amounts)
    rate = f"{format_fen(low)}元/月" if low == high else f"{format_fen(low)}—{format_fen(high)}元/月"
    if category == "dibao":
        people = f"，保障{last.people}人" if last.people else ""
        return f"{rate}{people}"
    care = money_fen(last.extra.get("care_standard"))
    if care and low == high:
        return f"{rate}（基本生活{format_fen(last.amount_fen)}元＋照料护理{format_fen(care)}元）"
    return rate


def _paid_on(category: str, row: _Row, year: int) -> date:
    key = {"linshi": "approved_on", "fupin_fund": "paid_on"}.get(category)
    paid = extra_date(row.extra.get(key)) if key else None
    return paid if paid is not None and paid.year == year else row.notice.when


def _one_off_line(category: str, row: _Row, year: int, responsible: str) -> PolicyLine:
    entry = get_entry(category)
    extra = row.extra
    if category == "linshi":
        kind = str(extra.get("aid_type") or "").strip()
        item = f"{entry.name}（{kind}）" if kind else entry.name
        reason = generalize_reason(extra.get("reason"))
        standard = f"一次性救助{('，' + reason) if reason else ''}"
    elif category == "weifang":
        item = f"{entry.short_name}补助"
        parts = [str(extra.get(k) or "").strip() for k in ("danger_level", "method")]
        standard = "，".join(p for p in (f"{parts[0]}危房" if parts[0] else "", parts[1]) if p) or "按改造方式补助"
        acceptance = str(extra.get("acceptance") or "").strip()
        if acceptance:
            standard += "，" + (acceptance if acceptance.startswith(("待", "未")) else f"验收{acceptance}")
    else:
        item = str(extra.get("subsidy_name") or entry.name).strip()
        standard = str(extra.get("standard") or "").strip() or "按政策标准"
    paid = _paid_on(category, row, year)
    months = (paid.month,) if paid.year == year else ()
    return PolicyLine(category, item, standard, row.amount_fen, months, responsible)


# --- the 明白卡 page's household list (filters by village, group, policy received, name) ------------
# The policy filter uses the same notices the cards count (`counted_notices`), so "享受低保的户"
# are exactly the households whose card shows 低保. Rows are small DTOs with no sensitive field.

ANY_POLICY = "*"  # households with at least one policy this year


@dataclass(frozen=True)
class CardFilter:
    """What the clerk picked: village id, group name, category code (or ANY_POLICY), name text, year;
    within the user's villages (`village_ids`; None = every village)."""

    year: int
    village_id: str | None = None
    group: str | None = None
    category: str | None = None
    search: str = ""
    village_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CardHousehold:
    """One household row of the page (no sensitive field: the list is only for choosing)."""

    id: str
    head_name: str
    village_id: str
    village: str
    group: str
    members: int
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class VillageChoice:
    id: str
    name: str
    groups: tuple[str, ...] = field(default_factory=tuple)


def card_categories() -> list[tuple[str, str]]:
    """(code, short name) of the categories a 惠民政策资金明白卡 lists, in catalogue order."""
    catalogue = load_catalogue()
    return [(code, catalogue[code].short_name) for code in CARD_CATEGORIES if code in catalogue]


def village_choices(session: Session, village_ids: Iterable[str] | None = None) -> list[VillageChoice]:
    """Villages in display order (only `village_ids` when given), each with its groups
    (registered groups first, then any used by households)."""
    statement = select(Village.id, Village.name).order_by(Village.sort_order, Village.name)
    if village_ids is not None:
        statement = statement.where(Village.id.in_(list(village_ids)))
    villages = session.execute(statement).all()
    registered: dict[str, list[str]] = defaultdict(list)
    for village_id, name in session.execute(
        select(VillageGroup.village_id, VillageGroup.name).order_by(VillageGroup.sort_order)
    ):
        registered[village_id].append(name)
    used: dict[str, set[str]] = defaultdict(set)
    for village_id, group in session.execute(select(Household.village_id, Household.group_name).distinct()):
        if group:
            used[village_id].add(group)
    choices = []
    for village_id, name in villages:
        groups = list(dict.fromkeys(registered[village_id]))
        extra = sorted(used[village_id] - set(groups), key=lambda g: group_sort_key(g, None))
        choices.append(VillageChoice(village_id, name, tuple(groups + extra)))
    return choices


def policy_categories_by_household(session: Session, year: int) -> dict[str, set[str]]:
    """household id → the card categories it received in `year` (from the notices the cards count)."""
    notices = counted_notices(session, year)
    found: dict[str, set[str]] = defaultdict(set)
    ids = sorted(notices)
    for start in range(0, len(ids), IN_CHUNK):
        for disclosure_id, household_id in session.execute(
            select(DisclosureItem.disclosure_id, DisclosureItem.household_id).where(
                DisclosureItem.disclosure_id.in_(ids[start:start + IN_CHUNK]), DisclosureItem.household_id.is_not(None)
            )
        ):
            found[household_id].add(notices[disclosure_id].category)
    return found


def find_households(session: Session, wanted: CardFilter) -> list[CardHousehold]:
    """Households matching the filter, ordered by village, group, head's name (the order cards print in)."""
    statement = select(
        Household.id, Household.head_name, Household.village_id, Village.name, Household.group_name,
        Household.member_count, Village.sort_order,
    ).join(Village, Household.village_id == Village.id)
    if wanted.village_ids is not None:
        statement = statement.where(Household.village_id.in_(list(wanted.village_ids)))
    if wanted.village_id:
        statement = statement.where(Household.village_id == wanted.village_id)
    if wanted.group:
        statement = statement.where(Household.group_name == wanted.group)
    text = wanted.search.strip().replace("\u3000", "")
    if text:
        statement = statement.where(Household.head_name.contains(text))
    policies = policy_categories_by_household(session, wanted.year)
    order = {code: i for i, code in enumerate(CARD_CATEGORIES)}
    rows = []
    for hid, name, village_id, village, group, members, sort_order in session.execute(statement):
        received = policies.get(hid, set())
        if wanted.category == ANY_POLICY and not received:
            continue
        if wanted.category not in (None, ANY_POLICY) and wanted.category not in received:
            continue
        categories = tuple(sorted(received, key=lambda c: order.get(c, 99)))
        rows.append(((sort_order, village, group_sort_key(group, None), name, hid),
                     CardHousehold(hid, name, village_id, village, group, members or 0, categories)))
    rows.sort(key=lambda pair: pair[0])
    return [row for _key, row in rows]
