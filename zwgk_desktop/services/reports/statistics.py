"""The figures the township reports, as plain tables (no Qt, no spreadsheet).

Owns:
- `year_statistics(session, year, job, village_ids=...)` → `YearStatistics`: one `StatTable` per
  table the yearly 政府信息公开工作年度报告 (主动公开 part) and the county's
  考评 ask for — by category, by month, by village, posting evidence (photos),
  objections, the social-assistance figures (低保/特困/临时救助) and the list
  of notices counted. Values are ints, integer fen for money, fractions for
  rates; the UI's charts and the workbook (`services.reports.workbook`) read
  the same DTOs;
- `available_years(session, village_ids=...)` for a year selector, and
  `scope_names(session, village_ids)` naming a village scope.

Village scope (a 村级用户): every function takes `village_ids` (None = the
whole township). With it, the notices counted are those concerning the
villages (`core.disclosures.concerning_villages`, the notice list's rule);
items, people and money only their villages' lines; postings and photo
evidence only their villages' boards; objections those of the notices in
scope. `YearStatistics.villages` names the scope for captions.

Counting rules: only notices that reached 公示中/期满/已归档 count as
disclosed; when a correction (更正) replaced a notice, only the newest
disclosed version is counted, so nothing is counted twice. A notice belongs
to `Disclosure.year`; its month is the month its 公示期 began (else the month
it was created). The 低保标准 comes from `core.township_settings.subsidy_standard`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.catalogue import CATEGORY_CODES, get_entry
from zwgk_desktop.core.disclosures import concerning_villages, format_fen, items_in_villages
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.line_items import counted_amount, counted_people_sql
from zwgk_desktop.core.models import (
    Disclosure,
    DisclosureItem,
    NoticeBoard,
    Objection,
    Posting,
    Township,
    Village,
)
from zwgk_desktop.core.status import PUBLISHED, STATUS_LABELS
from zwgk_desktop.core.township_settings import subsidy_standard
from zwgk_desktop.errors import InvalidInput, ZwgkError

DISCLOSED_STATUSES = PUBLISHED
MONTHS = tuple(range(1, 13))

TEXT, INT, MONEY, PERCENT = "text", "int", "money", "percent"


class NoData(ZwgkError):
    """The chosen year has no disclosed notice: there is nothing to report."""

    code = "no_data"


# --------------------------------------------------------------------------
# DTOs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatColumn:
    label: str
    kind: str = INT  # text | int | money (integer fen) | percent (fraction 0..1)
    width: int = 12


@dataclass
class StatTable:
    """One statistics table: what one sheet of the workbook shows."""

    key: str
    sheet: str
    title: str
    columns: tuple[StatColumn, ...]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    notes: list[str] = field(default_factory=list)

    def column_index(self, label: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.label == label)

    def column_values(self, label: str) -> list[Any]:
        index = self.column_index(label)
        return [row[index] for row in self.rows]


@dataclass
class YearStatistics:
    year: int
    township: str
    notices: int
    tables: list[StatTable]
    villages: tuple[str, ...] = ()  # names of the villages in scope; empty = the whole township

    @property
    def scope_name(self) -> str:
        """Who the figures cover, for titles: '青山镇', or '青山镇柳河村、石桥村' for a village scope."""
        return self.township + "、".join(self.villages)

    def table(self, key: str) -> StatTable:
        return next(t for t in self.tables if t.key == key)

    @property
    def sheet_names(self) -> list[str]:
        return [t.sheet for t in self.tables]


@dataclass
class NoticeFacts:
    """What the statistics need to know of one disclosed notice."""

    id: str
    title: str
    category: str
    status: str
    month: int
    period_start: date | None
    period_end: date | None
    items: int = 0
    people: int = 0
    amount_fen: int = 0
    postings: int = 0
    postings_with_photo: int = 0
    objections: int = 0
    objections_resolved: int = 0


@dataclass
class PostingFacts:
    id: str
    disclosure_id: str
    board_id: str
    roles: set[str] = field(default_factory=set)

    @property
    def has_photo(self) -> bool:
        return bool(self.roles)


# --------------------------------------------------------------------------
# Reading the database
# --------------------------------------------------------------------------


def _concerning(statement, village_ids: tuple[str, ...] | None):
    """`statement` over notices, narrowed to those concerning `village_ids` (None: unchanged)."""
    return statement if village_ids is None else statement.where(concerning_villages(village_ids))


def _scope(village_ids: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if village_ids is None else tuple(village_ids)


def available_years(session: Session, village_ids: Iterable[str] | None = None) -> list[int]:
    """Years that have at least one disclosed notice (concerning `village_ids` when given), newest first."""
    statement = select(Disclosure.year).where(Disclosure.status.in_(DISCLOSED_STATUSES))
    statement = _concerning(statement, _scope(village_ids)).distinct().order_by(Disclosure.year.desc())
    return [int(y) for (y,) in session.execute(statement)]


def _superseded_ids(session: Session) -> set[str]:
    """Notices replaced by a newer disclosed version (counted once, as the newest)."""
    rows = session.execute(
        select(Disclosure.replaces_id).where(
            Disclosure.replaces_id.is_not(None), Disclosure.status.in_(DISCLOSED_STATUSES)
        )
    )
    return {r for (r,) in rows}


def _notice_month(d: Disclosure) -> int:
    if d.period_start is not None:
        return d.period_start.month
    return d.created_at.month if d.created_at else 1


def disclosed_notices(session: Session, year: int, village_ids: tuple[str, ...] | None = None) -> list[NoticeFacts]:
    """The year's counted notices (newest versions only); with `village_ids` those concerning the villages."""
    superseded = _superseded_ids(session)
    query = select(Disclosure).where(Disclosure.year == year, Disclosure.status.in_(DISCLOSED_STATUSES))
    query = _concerning(query, village_ids).order_by(Disclosure.period_start, Disclosure.created_at)
    return [
        NoticeFacts(
            id=d.id, title=d.title, category=d.category, status=d.status, month=_notice_month(d),
            period_start=d.period_start, period_end=d.period_end,
        )
        for d in session.execute(query).scalars()
        if d.id not in superseded
    ]


def _chunks(ids: list[str], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _item_totals_by_village(
    session: Session, ids: list[str], village_ids: tuple[str, ...] | None = None,
) -> list[tuple[str, str, int, int, int]]:
    """(disclosure_id, village_name, items, people, amount_fen) per notice and village (only `village_ids`' lines)."""
    out = []
    for chunk in _chunks(ids):
        statement = select(
            # count(*), not count(id): the sums then come from ix_disclosure_item_village_totals alone
            DisclosureItem.disclosure_id, DisclosureItem.village_name, func.count(),
            func.coalesce(func.sum(counted_people_sql()), 0), func.coalesce(func.sum(counted_amount()), 0),  # 停保 not counted
        ).where(DisclosureItem.disclosure_id.in_(chunk))
        rows = session.execute(
            items_in_villages(statement, village_ids).group_by(DisclosureItem.disclosure_id, DisclosureItem.village_name)
        )
        out.extend((d, v or "", int(n), int(p), int(a)) for d, v, n, p, a in rows)
    return out


def _postings(session: Session, ids: list[str], village_ids: tuple[str, ...] | None = None) -> list[PostingFacts]:
    """The notices' postings with their photo roles (with `village_ids`: only on those villages' boards)."""
    postings: dict[str, PostingFacts] = {}
    for chunk in _chunks(ids):
        statement = select(Posting.id, Posting.disclosure_id, Posting.board_id).where(Posting.disclosure_id.in_(chunk))
        if village_ids is not None:
            statement = statement.join(NoticeBoard, Posting.board_id == NoticeBoard.id).where(
                NoticeBoard.village_id.in_(village_ids))
        for pid, did, bid in session.execute(statement):
            postings[pid] = PostingFacts(pid, did, bid)
    from zwgk_desktop.core.photo_links import posting_photo_roles  # a photo of two notices counts for both

    for pid, roles in posting_photo_roles(session, list(postings)).items():
        postings[pid].roles.update(role or "start" for role in roles)
    return list(postings.values())


def _objections(session: Session, ids: list[str]) -> list[tuple[str, str]]:
    """(disclosure_id, status) of every objection to the given notices."""
    out = []
    for chunk in _chunks(ids):
        out.extend(session.execute(select(Objection.disclosure_id, Objection.status).where(Objection.disclosure_id.in_(chunk))).all())
    return [(d, s) for d, s in out]


def _boards(session: Session) -> dict[str, tuple[str, str]]:
    """board id → (board name, village name or '乡镇')."""
    rows = session.execute(select(NoticeBoard.id, NoticeBoard.name, Village.name).outerjoin(Village, NoticeBoard.village_id == Village.id))
    return {bid: (name, village or "乡镇") for bid, name, village in rows}


def _village_order(session: Session) -> list[str]:
    return [n for (n,) in session.execute(select(Village.name).order_by(Village.sort_order, Village.name))]


def _township_name(session: Session) -> str:
    return session.execute(select(Township.name).limit(1)).scalar() or ""


def scope_names(session: Session, village_ids: Iterable[str] | None, village_order: list[str] | None = None) -> tuple[str, ...]:
    """Names of the villages in scope, in display order (empty for the whole township)."""
    if village_ids is None:
        return ()
    order = village_order if village_order is not None else _village_order(session)
    names = set(session.execute(select(Village.name).where(Village.id.in_(list(village_ids)))).scalars())
    return tuple(n for n in order if n in names)


# --------------------------------------------------------------------------
# Building the tables
# --------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return (part / whole) if whole else None


def _category_name(code: str) -> str:
    try:
        return get_entry(code).short_name
    except ZwgkError:
        return code


def _category_order(notices: list[NoticeFacts]) -> list[str]:
    present = {n.category for n in notices}
    return [c for c in CATEGORY_CODES if c in present] + sorted(present - set(CATEGORY_CODES))


def _sum_columns(rows: list[list[Any]], columns: tuple[StatColumn, ...], label: str = "合计") -> list[Any]:
    total: list[Any] = [label]
    for index, column in enumerate(columns[1:], start=1):
        if column.kind in (INT, MONEY):
            total.append(sum(row[index] or 0 for row in rows))
        else:
            total.append(None)
    return total


def _fill_rates(total: list[Any], columns: tuple[StatColumn, ...], rates: dict[str, tuple[str, str]]) -> None:
    """Recompute rate cells of a totals row from its summed parts (a sum of rates is meaningless)."""
    labels = [c.label for c in columns]
    for rate_label, (part, whole) in rates.items():
        total[labels.index(rate_label)] = _rate(total[labels.index(part)], total[labels.index(whole)])


def table_by_category(notices: list[NoticeFacts]) -> StatTable:
    columns = (
        StatColumn("公开类别", TEXT, 16), StatColumn("公示(公告)数"), StatColumn("公开条目(户)数", INT, 15),
        StatColumn("涉及人数"), StatColumn("涉及金额(元)", MONEY, 18), StatColumn("张贴次数"),
        StatColumn("有照片留证", INT, 12), StatColumn("无照片留证", INT, 12), StatColumn("留证率", PERCENT, 10),
        StatColumn("收到异议"), StatColumn("异议已办结", INT, 12),
    )
    rows = []
    for code in _category_order(notices):
        group = [n for n in notices if n.category == code]
        postings = sum(n.postings for n in group)
        with_photo = sum(n.postings_with_photo for n in group)
        rows.append([
            _category_name(code), len(group), sum(n.items for n in group), sum(n.people for n in group),
            sum(n.amount_fen for n in group), postings, with_photo, postings - with_photo, _rate(with_photo, postings),
            sum(n.objections for n in group), sum(n.objections_resolved for n in group),
        ])
    total = _sum_columns(rows, columns)
    _fill_rates(total, columns, {"留证率": ("有照片留证", "张贴次数")})
    return StatTable(
        "by_category", "按类别", "主动公开情况（按公开类别）", columns, rows, total,
        ["只统计已进入公示中、期满或已归档的公示；更正后的公示只计最新版本。",
         "“有照片留证”指该次张贴至少有一张张贴照或期满照。"],
    )


def table_by_month(notices: list[NoticeFacts]) -> StatTable:
    columns = (
        StatColumn("月份", TEXT, 10), StatColumn("公示(公告)数"), StatColumn("公开条目(户)数", INT, 15),
        StatColumn("涉及人数"), StatColumn("涉及金额(元)", MONEY, 18), StatColumn("张贴次数"), StatColumn("有照片留证", INT, 12),
    )
    rows = []
    for month in MONTHS:
        group = [n for n in notices if n.month == month]
        rows.append([
            f"{month}月", len(group), sum(n.items for n in group), sum(n.people for n in group),
            sum(n.amount_fen for n in group), sum(n.postings for n in group), sum(n.postings_with_photo for n in group),
        ])
    return StatTable("by_month", "按月份", "主动公开情况（按月份，以公示开始日期计）", columns, rows, _sum_columns(rows, columns))


def table_by_village(
    village_order: list[str], item_rows: list[tuple[str, str, int, int, int]], postings: list[PostingFacts],
    boards: dict[str, tuple[str, str]],
) -> StatTable:
    columns = (
        StatColumn("村(社区)", TEXT, 14), StatColumn("涉及公示数", INT, 12), StatColumn("公开条目(户)数", INT, 15),
        StatColumn("涉及人数"), StatColumn("涉及金额(元)", MONEY, 18), StatColumn("本村公开栏张贴次数", INT, 18),
        StatColumn("有照片留证", INT, 12), StatColumn("留证率", PERCENT, 10),
    )
    notices: dict[str, set[str]] = defaultdict(set)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for did, village, items, people, amount in item_rows:
        name = village or "未注明村"
        notices[name].add(did)
        sums[name][0] += items
        sums[name][1] += people
        sums[name][2] += amount
    posted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in postings:
        village = boards.get(p.board_id, ("", "乡镇"))[1]
        posted[village][0] += 1
        posted[village][1] += int(p.has_photo)
    names = [v for v in village_order if v in notices or v in posted]
    names += sorted(set(notices) - set(names))
    rows = []
    for name in names:
        items, people, amount = sums[name]
        count, photo = posted[name]
        rows.append([name, len(notices[name]), items, people, amount, count, photo, _rate(photo, count)])
    if "乡镇" in posted and "乡镇" not in names:
        count, photo = posted["乡镇"]
        rows.append(["乡镇公告栏", None, None, None, None, count, photo, _rate(photo, count)])
    total = _sum_columns(rows, columns)
    total[1] = len({did for did, *_ in item_rows})  # a notice covering several villages counts once
    _fill_rates(total, columns, {"留证率": ("有照片留证", "本村公开栏张贴次数")})
    return StatTable(
        "by_village", "按村", "主动公开情况（按村、社区）", columns, rows, total,
        ["“涉及公示数”合计为去重后的公示数（一条公示可涉及多个村）。"],
    )


def table_evidence(postings: list[PostingFacts], boards: dict[str, tuple[str, str]], village_order: list[str]) -> StatTable:
    columns = (
        StatColumn("公开栏", TEXT, 22), StatColumn("所属村", TEXT, 12), StatColumn("张贴次数"),
        StatColumn("有张贴照", INT, 11), StatColumn("有期满照", INT, 11), StatColumn("有照片留证", INT, 12),
        StatColumn("无照片留证", INT, 12), StatColumn("留证率", PERCENT, 10),
    )
    per_board: dict[str, list[PostingFacts]] = defaultdict(list)
    for p in postings:
        per_board[p.board_id].append(p)
    rank = {name: i for i, name in enumerate(["乡镇", *village_order])}
    order = sorted(per_board, key=lambda b: (rank.get(boards.get(b, ("", ""))[1], 999), boards.get(b, ("", ""))[0]))
    rows = []
    for board_id in order:
        group = per_board[board_id]
        name, village = boards.get(board_id, ("（已删除的公开栏）", ""))
        with_photo = sum(p.has_photo for p in group)
        rows.append([
            name, village, len(group), sum("start" in p.roles for p in group), sum("end" in p.roles for p in group),
            with_photo, len(group) - with_photo, _rate(with_photo, len(group)),
        ])
    total = _sum_columns(rows, columns)
    _fill_rates(total, columns, {"留证率": ("有照片留证", "张贴次数")})
    return StatTable(
        "evidence", "张贴留证", "公开栏张贴及拍照留证情况", columns, rows, total,
        ["每次张贴应有张贴时照片，期满时可补拍一张期满照。"],
    )


def table_objections(notices: list[NoticeFacts]) -> StatTable:
    columns = (
        StatColumn("公开类别", TEXT, 16), StatColumn("收到异议"), StatColumn("已办结"), StatColumn("未办结"),
        StatColumn("办结率", PERCENT, 10),
    )
    rows = []
    for code in _category_order(notices):
        group = [n for n in notices if n.category == code]
        received = sum(n.objections for n in group)
        resolved = sum(n.objections_resolved for n in group)
        rows.append([_category_name(code), received, resolved, received - resolved, _rate(resolved, received)])
    total = _sum_columns(rows, columns)
    _fill_rates(total, columns, {"办结率": ("已办结", "收到异议")})
    return StatTable("objections", "异议处理", "公示期间异议受理及办结情况", columns, rows, total)


def table_notice_list(notices: list[NoticeFacts]) -> StatTable:
    columns = (
        StatColumn("公示标题", TEXT, 48), StatColumn("类别", TEXT, 10), StatColumn("状态", TEXT, 8),
        StatColumn("公示开始", TEXT, 12), StatColumn("公示截止", TEXT, 12), StatColumn("条目(户)数", INT, 11),
        StatColumn("涉及人数"), StatColumn("涉及金额(元)", MONEY, 18), StatColumn("张贴次数"),
        StatColumn("有照片留证", INT, 12), StatColumn("异议数", INT, 9),
    )
    rows = [
        [
            n.title, _category_name(n.category), STATUS_LABELS.get(n.status, n.status),
            n.period_start.isoformat() if n.period_start else "", n.period_end.isoformat() if n.period_end else "",
            n.items, n.people, n.amount_fen, n.postings, n.postings_with_photo, n.objections,
        ]
        for n in notices
    ]
    total = _sum_columns(rows, columns)
    return StatTable("notices", "公示清单", "纳入统计的公示清单", columns, rows, total)


# --- social assistance -------------------------------------------------------------------


@dataclass
class AssistanceFigures:
    """The 社会救助 summary figures the policy names (money in fen)."""

    dibao_households: int = 0
    dibao_people: int = 0
    dibao_standard: str = ""  # from the county's subsidy standards, else derived
    dibao_standard_derived: bool = True
    dibao_level_fen: int | None = None  # average per person per month
    dibao_spending_fen: int = 0
    tekun_people: int = 0
    tekun_level_fen: int | None = None
    tekun_spending_fen: int = 0
    linshi_cases: int = 0
    linshi_level_fen: int | None = None  # average per case
    linshi_spending_fen: int = 0


def _divide_fen(total_fen: int, count: int) -> int | None:
    """Average in whole fen, rounded half up (integers only)."""
    if not count:
        return None
    return (2 * total_fen + count) // (2 * count)


def _latest_by_person(rows) -> dict:
    """Each person's latest line (notices in date order), keyed by household, else village + name:
    (people, amount in fen, the line's marker: see `_category_items`)."""
    latest = {}
    for household_id, name, village, people, amount, marker in rows:
        key = household_id or (village, name)
        latest[key] = (people or 0, amount or 0, "" if marker is None else str(marker))
    return latest


def _category_items(session: Session, ids: list[str], village_ids: tuple[str, ...] | None = None, *,
                    marker: str) -> list[tuple]:
    """The line items of these notices in notice order, each with the value of `marker` in its `extra`
    (e.g. change_type): SQLite reads that one field, so a year of 低保 lines (tens of thousands) is not
    decoded from JSON in Python."""
    rows = []
    for chunk in _chunks(ids):
        statement = select(
            DisclosureItem.disclosure_id, DisclosureItem.household_id, DisclosureItem.name,
            DisclosureItem.village_name, DisclosureItem.people, DisclosureItem.amount_fen,
            func.json_extract(DisclosureItem.extra, f"$.{marker}"),
        ).where(DisclosureItem.disclosure_id.in_(chunk))
        # plain rows through the session's connection: no ORM result machinery for tens of thousands of tuples
        # in index order (notice, then seq): no sort in SQLite; the stable sort below orders the notices
        rows.extend(session.connection().execute(
            items_in_villages(statement, village_ids).order_by(DisclosureItem.disclosure_id, DisclosureItem.seq)).all())
    order = {did: i for i, did in enumerate(ids)}
    rows.sort(key=lambda r: order[r[0]])
    return [r[1:] for r in rows]


def assistance_figures(
    session: Session, notices: list[NoticeFacts], village_ids: tuple[str, ...] | None = None,
) -> AssistanceFigures:
    """The 社会救助 figures of the counted notices (with `village_ids`: of those villages' lines)."""
    figures = AssistanceFigures()
    by_category = defaultdict(list)
    for n in notices:
        by_category[n.category].append(n.id)
    dibao = _latest_by_person(_category_items(session, by_category["dibao"], village_ids, marker="change_type"))
    current = [(p, a) for p, a, change in dibao.values() if change != "停保"]
    figures.dibao_households = len(current)
    figures.dibao_people = sum(p for p, _ in current)
    figures.dibao_level_fen = _divide_fen(sum(a for _, a in current), figures.dibao_people)
    figures.dibao_spending_fen = sum(n.amount_fen for n in notices if n.category == "dibao")
    standard = subsidy_standard(session, "dibao")
    if standard:
        figures.dibao_standard, figures.dibao_standard_derived = standard, False
    elif figures.dibao_level_fen is not None:
        figures.dibao_standard = f"{format_fen(figures.dibao_level_fen)}元/人·月（按公示数据推算）"
    tekun = _latest_by_person(_category_items(session, by_category["tekun"], village_ids, marker="notice_type"))
    supported = [a for _p, a, kind in tekun.values() if kind != "拟终止"]
    figures.tekun_people = len(supported)
    figures.tekun_level_fen = _divide_fen(sum(supported), len(supported))
    figures.tekun_spending_fen = sum(n.amount_fen for n in notices if n.category == "tekun")
    linshi = [n for n in notices if n.category == "linshi"]
    figures.linshi_cases = sum(n.items for n in linshi)
    figures.linshi_spending_fen = sum(n.amount_fen for n in linshi)
    figures.linshi_level_fen = _divide_fen(figures.linshi_spending_fen, figures.linshi_cases)
    return figures


def table_assistance(f: AssistanceFigures) -> StatTable:
    columns = (
        StatColumn("救助类别", TEXT, 12), StatColumn("对象户数(户次)", INT, 15), StatColumn("对象人数", INT, 11),
        StatColumn("保障(救助)标准", TEXT, 34), StatColumn("补助(救助)水平(元)", MONEY, 18),
        StatColumn("资金支出(元)", MONEY, 18), StatColumn("说明", TEXT, 44),
    )
    rows = [
        ["城乡低保", f.dibao_households, f.dibao_people, f.dibao_standard, f.dibao_level_fen, f.dibao_spending_fen,
         "户数、人数按年内公示的最新状态去重（不含停保）；补助水平为人均月保障金额"],
        ["特困人员", f.tekun_people, f.tekun_people, "", f.tekun_level_fen, f.tekun_spending_fen,
         "人数按年内公示去重（不含拟终止）；补助水平为人均月基本生活标准"],
        ["临时救助", f.linshi_cases, None, "", f.linshi_level_fen, f.linshi_spending_fen,
         "户次数为年内公示的救助户次；救助水平为平均每户次救助金额"],
    ]
    return StatTable(
        "assistance", "社会救助", "社会救助对象及资金情况", columns, rows, None,
        ["资金支出为年内已公示金额合计（低保、特困为月保障金额之和）。",
         "低保标准取县级下发的标准；未下发时按公示数据推算人均月保障金额。"],
    )


# --------------------------------------------------------------------------
# The whole year
# --------------------------------------------------------------------------


def _no_data(session: Session, year: int, village_ids: tuple[str, ...] | None) -> NoData:
    years = available_years(session, village_ids)
    hint = f"有数据的年份：{'、'.join(map(str, years))}。" if years else "目前还没有任何公示进入公示阶段。"
    whose = "" if village_ids is None else "涉及您负责的村（社区）的"
    return NoData(
        f"{year}年没有{whose}已公示（公示中、期满或已归档）的公示，无法生成统计表。{hint}",
        detail={"year": year, "years": years},
    )


def year_statistics(
    session: Session, year: int, job: Job | None = None, *, village_ids: Iterable[str] | None = None,
) -> YearStatistics:
    """Every statistics table for `year` (with `village_ids`: only what concerns those villages);
    `NoData` when the year has no disclosed notice in scope."""
    job = job or Job()
    scope = _scope(village_ids)
    if not 2000 <= int(year) <= 2100:
        raise InvalidInput(f"年份 {year} 不正确，请输入如 2026 这样的四位年份。", code="bad_year")
    notices = disclosed_notices(session, year, scope)
    if not notices:
        raise _no_data(session, year, scope)
    job.progress(1, 4, "正在统计公示条目…")
    ids = [n.id for n in notices]
    by_id = {n.id: n for n in notices}
    item_rows = _item_totals_by_village(session, ids, scope)
    for did, _village, items, people, amount in item_rows:
        n = by_id[did]
        n.items, n.people, n.amount_fen = n.items + items, n.people + people, n.amount_fen + amount
    job.check()
    job.progress(2, 4, "正在统计张贴和照片留证…")
    postings = _postings(session, ids, scope)
    for p in postings:
        by_id[p.disclosure_id].postings += 1
        by_id[p.disclosure_id].postings_with_photo += int(p.has_photo)
    for did, status in _objections(session, ids):
        by_id[did].objections += 1
        by_id[did].objections_resolved += int(status == "resolved")
    job.check()
    job.progress(3, 4, "正在统计社会救助数据…")
    boards, villages = _boards(session), _village_order(session)
    tables = [
        table_by_category(notices),
        table_by_month(notices),
        table_by_village(villages, item_rows, postings, boards),
        table_evidence(postings, boards, villages),
        table_objections(notices),
        table_assistance(assistance_figures(session, notices, scope)),
        table_notice_list(notices),
    ]
    job.progress(4, 4, "统计完成")
    return YearStatistics(
        year=int(year), township=_township_name(session), notices=len(notices), tables=tables,
        villages=scope_names(session, scope, villages),
    )
