"""Editing a draft notice by hand: line items added, changed or deleted, title and body, in one transaction.

Why here and not in `core`: every cell is judged by the roster import's own
parsers and checks (`services.rosters.validate`: money → fen, counts, dates,
names kept byte for byte, village/group split, GB 11643 ID numbers, required
columns, enum options), and core may not import services. So the row checks
and the save use case live beside the import; the lifecycle rules they rely
on (`ensure_editable`, `edit_notice`) and the totals (`refresh_totals`) stay
in core.

Owns:
- `load_draft(session, actor, id)` → `DraftForEdit`: the category's columns,
  the rows the actor may edit as editor texts (money in yuan "1234.50", ID
  numbers as text), the township's villages and the ID numbers already in
  other active notices of the category (for the duplicate check);
- `RowChecker`: the same checks as the import, on one row of editor texts,
  plus the duplicate checks across the notice (pure: the screen runs it as
  the clerk types, the save runs it again);
- `save_draft_edits(session, actor, id, ItemEdits)` → `EditResult`: checks
  everything first and writes nothing when any changed row has an error
  (`ItemsInvalid` carries the per-cell problems); otherwise updates, adds and
  deletes the items, links or creates each row's `Household` by ID number
  (else a unique village + head name) as the import does, renumbers 序号
  1…n, refreshes the totals and records one audit event.

Who may edit: clerks and administrators (permission `edit`) everything of a
draft; a 村级用户 only the line items of their own villages (not the title or
body, not rows of other villages). Published versions are immutable: only a
draft (including a correction's new version) is edited; archived and
published notices raise `NotAllowed` with a Chinese message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from zwgk_desktop.core import audit
from zwgk_desktop.core.catalogue import CatalogEntry, Column, get_entry
from zwgk_desktop.core.line_items import FUNDING_LABELS, change_type_label, counted_people, funding_key, funding_part_of
from zwgk_desktop.core.disclosures import find_disclosure, refresh_totals
from zwgk_desktop.core.lifecycle import edit_notice, ensure_editable
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Household, Village
from zwgk_desktop.core.users import EDIT, Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed
from zwgk_desktop.services.rosters.importer import INACTIVE_STATUSES, TYPED_KEYS, _household_values, village_index
from zwgk_desktop.services.rosters.mapping import HeaderColumn
from zwgk_desktop.services.rosters.reader import RawSheet
from zwgk_desktop.services.rosters.table import Table
from zwgk_desktop.services.rosters.validate import (
    ERROR,
    Problem,
    RosterRow,
    RowContext,
    VillageIndex,
    _build_item,
    column_plan,
    finish_people,
    required_targets,
)

ITEM_FIELDS = {"name": "name", "village": "village_name", "group": "group_name", "id_number": "id_number",
               "amount": "amount_fen"}
ITEM_COLUMNS = (
    DisclosureItem.id, DisclosureItem.seq, DisclosureItem.name, DisclosureItem.village_id, DisclosureItem.village_name,
    DisclosureItem.group_name, DisclosureItem.id_number, DisclosureItem.people, DisclosureItem.amount_fen,
    DisclosureItem.extra, DisclosureItem.family_size, DisclosureItem.covered_people, DisclosureItem.change_type,
    DisclosureItem.funding,
)  # plain rows, not ORM objects: a 50,000-line draft loads in a fraction of the time
FACT_COLUMNS = (DisclosureItem.id, DisclosureItem.seq, DisclosureItem.id_number, DisclosureItem.village_id,
                DisclosureItem.village_name)
IN_CHUNK = 500
OUT_OF_SCOPE = "village_out_of_scope"
DUPLICATE_IN_NOTICE = "duplicate_in_file"
DUPLICATE_EXISTING = "duplicate_existing"


# --- DTOs ----------------------------------------------------------------------------------


@dataclass
class EditableItem:
    """One line item as the editor shows it: texts by catalogue key (money in yuan, dates ISO)."""

    item_id: str
    seq: int
    values: dict[str, str]


@dataclass
class DraftForEdit:
    """Everything the editor needs, as plain data (safe to hand from the DB thread to the screen)."""

    disclosure_id: str
    title: str
    body: str
    category: str
    category_name: str
    version: int
    columns: tuple[Column, ...]
    items: list[EditableItem]
    villages: dict[str, str]  # name → id, in the township's order
    existing_ids: dict[str, str]  # ID number → title of another active notice of the category
    other_ids: dict[str, int]  # ID number → 序号 of rows of this notice the actor cannot see (village users)
    village_scope: tuple[str, ...] | None  # None: every village; else the village ids the actor may edit
    can_edit_text: bool  # title and body (not for village users)
    hidden_items: int = 0  # rows of other villages, not shown to a village user
    merged_villages: dict[str, str] = field(default_factory=dict)  # 撤并村: old name → the village it joined
    retired_villages: tuple[str, ...] = ()


@dataclass
class ItemEdits:
    """What the clerk changed: full editor texts of changed and new rows, deleted item ids, title/body."""

    updated: dict[str, dict[str, str]] = field(default_factory=dict)  # item id → texts
    added: list[dict[str, str]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    title: str | None = None
    body: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.updated or self.added or self.deleted) and self.title is None and self.body is None


@dataclass(frozen=True)
class CellProblem:
    """A finding on one cell: `row_key` is the item id, or "new:N" for the N-th added row (0-based)."""

    row_key: str
    column: str | None  # catalogue key
    code: str
    message: str
    severity: str = ERROR

    def as_json(self) -> dict:
        return {"row": self.row_key, "column": self.column, "code": self.code, "message": self.message,
                "severity": self.severity}


class ItemsInvalid(InvalidInput):
    """Some changed rows fail the checks; nothing was saved. `problems` says where and why."""

    code = "items_invalid"

    def __init__(self, problems: list[CellProblem]):
        errors = [p for p in problems if p.severity == ERROR]
        first = errors[0].message if errors else ""
        super().__init__(
            f"有 {len(errors)} 处填写有误，未保存任何修改。请按标红的单元格提示改正后再保存。第一处：{first}",
            detail={"problems": [p.as_json() for p in errors]},
        )
        self.problems = problems


@dataclass
class EditResult:
    disclosure_id: str
    item_count: int
    total_amount_fen: int
    total_people: int
    updated: int = 0
    added: int = 0
    deleted: int = 0
    households_created: int = 0

    @property
    def changed_ids(self) -> tuple[str, ...]:
        return (self.disclosure_id,)

    def as_json(self) -> dict:
        return dict(self.__dict__)


def new_row_key(index: int) -> str:
    return f"new:{index}"


# --- permissions ------------------------------------------------------------------------------


def can_edit_items(actor: Actor) -> bool:
    """Whether this user may edit line items of drafts at all (village users: their villages only)."""
    return actor.can(EDIT) or actor.is_village_scoped


def village_scope(actor: Actor) -> tuple[str, ...] | None:
    """None when the actor may edit rows of every village; else the villages they may touch."""
    if actor.can(EDIT):
        return None
    if actor.is_village_scoped:
        return tuple(actor.village_ids)
    actor.require(EDIT)  # raises the Chinese "无权编辑或提交公示"
    return ()


def _require_draft(disclosure: Disclosure) -> None:
    ensure_editable(disclosure)  # archived → read-only; published → use a correction


# --- editor texts -------------------------------------------------------------------------------


def fen_text(fen: int) -> str:
    """12345 → '123.45' (what the clerk edits: yuan with 2 decimals, no thousands separators)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def value_text(column: Column, value) -> str:
    if value is None:
        return ""
    if column.type == "money" and isinstance(value, int) and not isinstance(value, bool):
        return fen_text(value)
    return str(value)


def editor_columns(entry: CatalogEntry) -> tuple[Column, ...]:
    """The columns the editor shows: the catalogue's, then the funding parts where the category publishes them."""
    parts = tuple(
        Column(key=funding_key(part), label=f"{FUNDING_LABELS[part]}(元)", type="money")
        for part in entry.funding_parts if part in FUNDING_LABELS
    )
    return entry.columns + parts


def item_texts(entry: CatalogEntry, item) -> dict[str, str]:
    """A stored line item (ORM row or any object with the item fields) as editor texts."""
    extra = item.extra or {}
    funding = getattr(item, "funding", None) or {}
    texts = {}
    for column in editor_columns(entry):
        field_name = ITEM_FIELDS.get(column.key)
        if field_name:
            value = getattr(item, field_name)
        elif column.field:  # 家庭人口 / 保障人数 (older lines only have the counted people)
            value = getattr(item, column.field, None)
            if value is None and column.key == "people":
                value = item.people
        elif column.key == "change_type":
            value = extra.get("change_type") or change_type_label(getattr(item, "change_type", None))
        elif funding_part_of(column.key):
            value = funding.get(funding_part_of(column.key)) if funding else None
        else:
            value = extra.get(column.key)
        texts[column.key] = value_text(column, value)
    return texts


# --- row checks (pure) --------------------------------------------------------------------------


class RowChecker:
    """The import's checks on editor rows; built once per notice from `DraftForEdit`-like facts."""

    def __init__(self, entry: CatalogEntry, villages: Mapping[str, str], existing_ids: Mapping[str, str],
                 scope: Iterable[str] | None = None, *, today: date | None = None,
                 merged: Mapping[str, str] | None = None, retired: Iterable[str] = ()):
        self.entry = entry
        self.scope = None if scope is None else frozenset(scope)
        self.village_names = {vid: name for name, vid in villages.items()}
        self.columns = editor_columns(entry)
        columns = [HeaderColumn(index, c.label, c.label) for index, c in enumerate(self.columns)]
        self.ctx = RowContext(
            table=Table(sheet=RawSheet("编辑", []), header_row=0, header_depth=1, columns=columns),
            entry=entry, mapping={c.key: index for index, c in enumerate(self.columns)},
            villages=VillageIndex.build(dict(villages), merged=merged, retired=retired), existing_ids=dict(existing_ids),
            today=today or date.today(), amount_is_parts_total=True,  # the editor shows every part
        )
        self.plan = column_plan(self.ctx)
        self.required = required_targets(self.ctx)

    def parse(self, texts: Mapping[str, str], position: int = 1) -> RosterRow:
        """Parsed values and problems of one row (`position` = its 序号, used in messages)."""
        values = {c.key: (texts.get(c.key) or "").strip() for c in self.columns}
        row = _build_item(self.ctx, values, position - 1, [], self.plan, self.required)
        finish_people(row)
        self._check_scope(row)
        return row

    def _check_scope(self, row: RosterRow) -> None:
        if self.scope is None or not row.values.get("village"):
            return
        if any(p.key == "village" and p.severity == ERROR for p in row.problems):
            return
        if row.village_id not in self.scope:
            allowed = "、".join(self.village_names.get(v, v) for v in sorted(self.scope)) or "（无）"
            row.problems.append(_problem(self.entry, row.row, "village", OUT_OF_SCOPE,
                                         f"您只能编辑本村（{allowed}）的明细，不能填写“{row.values['village']}”。"))

    def problems(self, row_key: str, texts: Mapping[str, str], position: int = 1) -> list[CellProblem]:
        return cell_problems(row_key, self.parse(texts, position))

    def duplicate_problems(self, rows: list[tuple[str, int, str, bool]], hidden: Mapping[str, int] | None = None) -> list[CellProblem]:
        """Duplicate ID numbers among `rows` = (row key, 序号, ID number, ID changed?) and against other notices.

        Only rows whose ID number is new or changed get the problem (the others were checked
        when they were imported, and a person may rightly be on this month's and last month's list);
        `hidden` = ID numbers of rows of this notice the editor does not show (→ their 序号).
        """
        seen: dict[str, int] = dict(hidden or {})
        for _key, seq, id_number, changed in rows:
            if id_number and not changed:
                seen.setdefault(id_number, seq)
        found = []
        for key, seq, id_number, changed in rows:
            if not id_number or not changed:
                continue
            other = seen.get(id_number)
            if other is not None and other != seq:
                found.append(CellProblem(key, "id_number", DUPLICATE_IN_NOTICE,
                                         f"身份证号码与第{other}行重复，同一人不能在一份公示中出现两次。"))
                continue
            seen[id_number] = seq
            if id_number in self.ctx.existing_ids:
                where = self.ctx.existing_ids[id_number] or "另一份公示"
                found.append(CellProblem(key, "id_number", DUPLICATE_EXISTING,
                                         f"此人已在同类别的有效公示“{where}”中。如需更正，请对原公示发起更正，而不是重复录入。"))
        return found


def _problem(entry: CatalogEntry, row: int, key: str, code: str, message: str, severity: str = ERROR) -> Problem:
    column = entry.column(key)
    return Problem(row, column.label if column else key, code, message, severity, key)


def cell_problems(row_key: str, row: RosterRow) -> list[CellProblem]:
    return [CellProblem(row_key, p.key, p.code, p.message, p.severity) for p in row.problems]


# --- loading -------------------------------------------------------------------------------------


def _villages(session: Session, township_id: str) -> dict[str, str]:
    """The villages in use, name → id, in the township's order (retired and merged ones take no new lines)."""
    rows = session.execute(
        select(Village.name, Village.id).where(Village.township_id == township_id, Village.active.is_(True))
        .order_by(Village.sort_order, Village.name)
    )
    return dict(rows.all())


def _checker_for(session: Session, d: Disclosure, entry: CatalogEntry, scope, today=None) -> RowChecker:
    index = village_index(session, d.township_id)
    return RowChecker(entry, _villages(session, d.township_id), other_active_ids(session, d), scope, today=today,
                      merged=index.merged, retired=index.retired)


def other_active_ids(session: Session, disclosure: Disclosure) -> dict[str, str]:
    """ID number → title of an active notice of the same category other than this one (or the version it corrects)."""
    excluded = [disclosure.id] + ([disclosure.replaces_id] if disclosure.replaces_id else [])
    rows = session.execute(
        select(DisclosureItem.id_number, Disclosure.title)
        .join(Disclosure, DisclosureItem.disclosure_id == Disclosure.id)
        .where(
            Disclosure.category == disclosure.category,
            Disclosure.status.not_in(INACTIVE_STATUSES),
            Disclosure.id.not_in(excluded),
            DisclosureItem.id_number != "",
        )
    )
    return dict(rows.all())


def load_draft(session: Session, actor: Actor, disclosure_id: str) -> DraftForEdit:
    """The draft as editor data; refuses (Chinese `NotAllowed`) what the actor may not edit."""
    scope = village_scope(actor)
    d = find_disclosure(session, disclosure_id)
    _require_draft(d)
    entry = get_entry(d.category)
    items = session.execute(
        select(*ITEM_COLUMNS).where(DisclosureItem.disclosure_id == d.id).order_by(DisclosureItem.seq)
    ).all()
    shown = [i for i in items if scope is None or i.village_id in scope]
    if scope is not None and items and not shown:
        raise NotAllowed(f"公示“{d.title}”中没有您负责的村的明细，不能编辑。", code="village_out_of_scope")
    hidden = {i.id_number: i.seq for i in items if i.id_number and not (scope is None or i.village_id in scope)}
    return DraftForEdit(
        disclosure_id=d.id, title=d.title, body=d.body, category=d.category, category_name=entry.short_name,
        version=d.version, columns=editor_columns(entry),
        items=[EditableItem(i.id, i.seq, item_texts(entry, i)) for i in shown],
        villages=_villages(session, d.township_id), existing_ids=other_active_ids(session, d),
        merged_villages=dict((index := village_index(session, d.township_id)).merged),
        retired_villages=tuple(index.retired),
        other_ids=hidden, village_scope=scope, can_edit_text=scope is None, hidden_items=len(items) - len(shown),
    )


# --- saving ----------------------------------------------------------------------------------------


def save_draft_edits(
    session: Session, actor: Actor, disclosure_id: str, edits: ItemEdits, *, today: date | None = None,
) -> EditResult:
    """Check every changed row, then write all changes (see the module doc). The caller owns the transaction."""
    scope = village_scope(actor)
    d = find_disclosure(session, disclosure_id)
    _require_draft(d)
    if scope is not None and (edits.title is not None or edits.body is not None):
        raise NotAllowed("村级用户只能修改本村的明细，公示标题和正文请由乡镇经办人修改。", code="permission_denied")
    entry = get_entry(d.category)
    facts = {r.id: r for r in session.execute(select(*FACT_COLUMNS).where(DisclosureItem.disclosure_id == d.id))}
    _check_targets(facts, edits, scope)
    checker = _checker_for(session, d, entry, scope, today)
    parsed, problems = _check_all(checker, facts, edits)
    if any(p.severity == ERROR for p in problems):
        raise ItemsInvalid(problems)
    if edits.title is not None or edits.body is not None:
        edit_notice(session, actor, d.id, title=edits.title, body=edits.body)
    next_seq = max((f.seq for f in facts.values()), default=0)
    created = _write(session, entry, d, _items_by_id(session, [*edits.updated, *edits.deleted]), next_seq, edits, parsed)
    _renumber(session, d.id)
    refresh_totals(session, d)
    audit.record(session, "items_edit", "disclosure", d.id, {
        "updated": len(edits.updated), "added": len(edits.added), "deleted": len(edits.deleted),
        "title_changed": edits.title is not None, "body_changed": edits.body is not None,
    })
    return EditResult(
        disclosure_id=d.id, item_count=d.item_count, total_amount_fen=d.total_amount_fen, total_people=d.total_people,
        updated=len(edits.updated), added=len(edits.added), deleted=len(edits.deleted), households_created=created,
    )


def _items_by_id(session: Session, ids: list[str]) -> dict[str, DisclosureItem]:
    """The ORM rows of the items being changed or deleted (only those: a draft may have 50,000 lines)."""
    wanted = sorted(set(ids))
    found: dict[str, DisclosureItem] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start:start + IN_CHUNK]
        found.update((i.id, i) for i in session.execute(select(DisclosureItem).where(DisclosureItem.id.in_(chunk))).scalars())
    return found


def _check_targets(items: dict, edits: ItemEdits, scope: tuple[str, ...] | None) -> None:
    """Changed and deleted rows must belong to this notice and (village users) to the actor's villages."""
    for item_id in [*edits.updated, *edits.deleted]:
        item = items.get(item_id)
        if item is None:
            raise InvalidInput("要修改的明细已不在这条公示中（可能已被他人删除），请关闭后重新打开编辑。", code="item_missing")
        if scope is not None and item.village_id not in scope:
            raise NotAllowed(f"第{item.seq}行（{item.village_name}）不属于您负责的村，不能修改或删除。", code="village_out_of_scope")


def _check_all(checker: RowChecker, items: dict, edits: ItemEdits):
    """Parse every changed/new row and run the duplicate checks over the notice as it will be."""
    parsed: dict[str, RosterRow] = {}
    problems: list[CellProblem] = []
    next_seq = max((i.seq for i in items.values()), default=0)
    for item_id, texts in edits.updated.items():
        parsed[item_id] = checker.parse(texts, items[item_id].seq)
    for index, texts in enumerate(edits.added):
        next_seq += 1
        parsed[new_row_key(index)] = checker.parse(texts, next_seq)
    for key, row in parsed.items():
        problems.extend(cell_problems(key, row))
    deleted = set(edits.deleted)
    rows = [(i.id, i.seq, i.id_number, False) for i in sorted(items.values(), key=lambda i: i.seq)
            if i.id not in deleted and i.id not in parsed]
    for key, row in parsed.items():
        if key in deleted:
            continue
        id_number = row.values.get("id_number") or ""
        rows.append((key, row.row, id_number, key not in items or id_number != items[key].id_number))
    problems.extend(checker.duplicate_problems(rows))
    return parsed, problems


def _write(session: Session, entry: CatalogEntry, d: Disclosure, items: dict[str, DisclosureItem], next_seq: int,
           edits: ItemEdits, parsed: dict[str, RosterRow]) -> int:
    households = _HouseholdLinker(session, entry)
    for item_id in edits.deleted:
        session.delete(items[item_id])
    for item_id in edits.updated:
        if item_id not in edits.deleted:
            _apply(entry, items[item_id], parsed[item_id], households)
    for index in range(len(edits.added)):
        next_seq += 1
        item = DisclosureItem(disclosure_id=d.id, seq=next_seq, name="", extra={})
        _apply(entry, item, parsed[new_row_key(index)], households)
        session.add(item)
    session.flush()
    return households.created


def _apply(entry: CatalogEntry, item: DisclosureItem, row: RosterRow, households: "_HouseholdLinker") -> None:
    """Write parsed values the way the import stores them; fields the category lacks are kept."""
    values = row.values
    item.name = values.get("name") or ""
    item.village_name = values.get("village") or ""
    item.village_id = row.village_id
    item.group_name = values.get("group") or ""
    if entry.column("id_number"):
        item.id_number = values.get("id_number") or ""
    counts = {c.field for c in entry.columns if c.field}
    if counts:
        if "family_size" in counts:
            item.family_size = values.get("family_size")
        if "covered_people" in counts:
            item.covered_people = values.get("covered_people")
        item.people = counted_people(item.family_size, item.covered_people)
    if entry.column("amount"):
        item.amount_fen = values.get("amount_fen")
    if entry.column("change_type"):
        item.change_type = values.get("change_type_code")
    if entry.funding_parts:
        item.funding = values.get("funding")
    catalogue_keys = {c.key for c in entry.columns}
    extra = {k: v for k, v in (item.extra or {}).items() if k not in catalogue_keys}
    extra.update({k: v for k, v in values.items() if k not in TYPED_KEYS and v is not None and v != ""})
    item.extra = extra
    item.household_id = households.household_for(row)


class _HouseholdLinker:
    """Find or create the Household of a row as the import does: by ID number, else a unique village + name."""

    def __init__(self, session: Session, entry: CatalogEntry):
        self.session, self.enabled, self.created = session, entry.column("id_number") is not None, 0

    def household_for(self, row: RosterRow) -> str | None:
        if not self.enabled or row.village_id is None:
            return None
        wanted = _household_values(row, row.village_id)
        household = self._find(wanted)
        if household is None:
            household = Household(**wanted)
            self.session.add(household)
            self.session.flush()
            self.created += 1
            return household.id
        for key, value in wanted.items():
            if value not in ("", None) and getattr(household, key) != value:
                setattr(household, key, value)
        return household.id

    def _find(self, wanted: dict) -> Household | None:
        if wanted["id_number"]:
            return self.session.execute(
                select(Household).where(Household.id_number == wanted["id_number"]).limit(1)
            ).scalar()
        matches = self.session.execute(
            select(Household).where(Household.village_id == wanted["village_id"], Household.head_name == wanted["head_name"]).limit(2)
        ).scalars().all()
        return matches[0] if len(matches) == 1 else None


def _renumber(session: Session, disclosure_id: str) -> None:
    """序号 1…n in the current order, so a poster never shows gaps after a deletion."""
    rows = session.execute(
        select(DisclosureItem.id, DisclosureItem.seq).where(DisclosureItem.disclosure_id == disclosure_id)
        .order_by(DisclosureItem.seq, DisclosureItem.created_at)
    ).all()
    changes = [{"id": item_id, "seq": wanted} for wanted, (item_id, seq) in enumerate(rows, start=1) if seq != wanted]
    if changes:  # one executemany; the items' sync entry is queued by the flush that deleted the rows
        session.execute(text("UPDATE disclosure_item SET seq = :seq WHERE id = :id"), changes)
