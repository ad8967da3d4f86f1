"""明白卡: choosing households, loading card content, rendering outside any session, recording the print; service items.

Use cases:
- `card_page_data`, `find_card_households`: what the 明白卡 page lists (a
  村级用户: only their villages);
- `load_cards` (read) → `render_loaded_cards` (pure) → `record_cards_print`
  (write): one batch of 惠民政策资金明白卡 or 为民服务事项明白卡; `print_cards`
  runs the three in turn (the CLI); `render_cards` runs the first two on the
  worker pool (the page's preview and the first half of 打印/另存为);
- by default a household card with nothing to say (no published policy this
  year) is not printed (`CardRequest.only_with_policies=True`);
- the 为民服务事项目录: `service_catalogue`, `save_service_item`,
  `hide_service_item`, `reset_service_item`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Iterator

from zwgk_desktop.core.household_policies import (
    CardFilter,
    CardHousehold,
    HouseholdPolicies,
    TownshipContact,
    VillageChoice,
)
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.service_items import CatalogueRow, ServiceItem
from zwgk_desktop.core.users import Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes
from zwgk_desktop.services.printing.cards import CardsResult, NothingToPrint

HOUSEHOLD, SERVICE = "household", "service"


@dataclass
class PageData:
    """What the 明白卡 page needs to open: villages with groups, service items, years with notices."""

    villages: list[VillageChoice]
    services: list[tuple[str, str]]  # (code, name)
    years: list[int]


@dataclass(frozen=True)
class CardRequest:
    """One batch of cards: kind, layout, year and what to include (ids None = everyone; `village`: a
    village's name), within the actor's villages. `only_with_policies`: leave out household cards
    with nothing to say (the default)."""

    kind: str
    layout: str
    year: int
    household_ids: tuple[str, ...] | None = None
    service_codes: tuple[str, ...] | None = None
    only_with_policies: bool = True
    scope: str = ""
    village: str | None = None
    village_ids: tuple[str, ...] | None = None  # the page's villages (None = every village the actor has)


@dataclass
class LoadedCards:
    """Card content read for printing (masked for a semi-public card); rendering needs nothing else."""

    request: CardRequest
    contact: TownshipContact
    households: list[HouseholdPolicies] = field(default_factory=list)
    services: list[ServiceItem] = field(default_factory=list)
    scope_text: str = ""

    @property
    def count(self) -> int:
        return len(self.households) if self.request.kind == HOUSEHOLD else len(self.services)


# --- the page -----------------------------------------------------------------------------


@reads
def card_page_data(db, actor: Actor, config, village_ids: tuple[str, ...] | None = None) -> PageData:
    """Villages (the actor's, or the page's `village_ids`), service items and the years that have notices."""
    from sqlalchemy import select

    from zwgk_desktop.core.household_policies import village_choices
    from zwgk_desktop.core.models import Disclosure
    from zwgk_desktop.core.service_items import load_service_items

    with read_session(db, actor) as session:
        villages = village_choices(session, actor.village_scope if actor.village_scope is not None else village_ids)
        services = [(item.code, item.name) for item in load_service_items(session, config)]
        years = sorted({y for (y,) in session.execute(select(Disclosure.year).distinct()) if y})
    return PageData(villages, services, years)


@reads
def find_card_households(db, actor: Actor, wanted: CardFilter) -> list[CardHousehold]:
    """The households the filter picks, within the actor's villages."""
    from zwgk_desktop.core.household_policies import find_households

    scope = actor.village_scope
    if scope is not None:
        allowed = tuple(v for v in (wanted.village_ids or scope) if v in scope) or scope
        wanted = replace(wanted, village_ids=allowed)
    with read_session(db, actor) as session:
        return find_households(session, wanted)


# --- the three steps ------------------------------------------------------------------------


@reads
def load_cards(db, actor: Actor, config, request: CardRequest, *, job: Job | None = None) -> LoadedCards:
    """Gather the cards' content (policies of the year, or service items); nothing is written."""
    from zwgk_desktop.core.household_policies import (
        gather_policies,
        resolve_village,
        select_household_rows,
        township_contact,
    )
    from zwgk_desktop.core.service_items import load_service_items
    from zwgk_desktop.services.printing.pdfmeta import paused_gc

    job = job or Job()
    with read_session(db, actor) as session:
        contact = township_contact(session)
        if request.kind == SERVICE:
            items = load_service_items(session, config)
            if request.service_codes is not None:
                by_code = {item.code: item for item in items}
                unknown = [c for c in request.service_codes if c not in by_code]
                if unknown:
                    raise InvalidInput(
                        f"找不到服务事项：{'、'.join(unknown)}。请在“明白卡—为民服务事项目录”中查看现有事项。",
                        code="unknown_service_item", detail={"codes": unknown},
                    )
                items = [by_code[c] for c in request.service_codes]
            return LoadedCards(request, contact, services=items, scope_text=f"{len(items)}项")
        if request.kind != HOUSEHOLD:
            raise InvalidInput(f"未知的明白卡种类“{request.kind}”。", code="bad_kind")
        village = resolve_village(session, request.village) if request.village else None
        if village is not None:
            households = select_household_rows(session, village=village)
        else:
            households = select_household_rows(session, household_ids=request.household_ids)
        households = _within_scope(actor, households, explicit=village is not None or request.household_ids is not None,
                                   villages=request.village_ids)
        job.progress(0, len(households), "正在汇总各户本年度政策资金…")
        with paused_gc():
            policies = gather_policies(session, households, request.year, job)
    if request.only_with_policies:
        policies = [p for p in policies if p.lines]
    scope = village.name if village is not None else ("全镇" if request.household_ids is None else f"选定{len(policies)}户")
    return LoadedCards(request, contact, households=policies, scope_text=scope)


def _within_scope(actor: Actor, households: list, *, explicit: bool, villages=None) -> list:
    """A 村级用户's households only (or the page's `villages`); an explicit choice of another village's
    household is refused."""
    scope = actor.village_scope if actor.village_scope is not None else villages
    if scope is None:
        return households
    inside = [h for h in households if h.village_id in scope]
    outside = len(households) - len(inside)
    if explicit and outside:
        raise NotAllowed(
            f"您只能打印本村（社区）的明白卡：所选的户中有 {outside} 户属于其他村（社区）。"
            "请只选择您负责的村（社区）的户后再打印。",
            code="other_village",
        )
    return inside


def render_loaded_cards(loaded: LoadedCards, out_path: str | Path, *, fonts=None, job: Job | None = None) -> CardsResult:
    """Draw the loaded cards to `out_path` (atomically). Pure: no database, safe on any worker thread."""
    from zwgk_desktop.services.printing.cards import (
        household_card,
        load_card_template,
        render_cards as draw_cards,
        service_card,
    )
    from zwgk_desktop.services.printing.cards_layout import card_layout

    layout = card_layout(loaded.request.layout)
    contact = loaded.contact
    if loaded.request.kind == SERVICE:
        template = load_card_template("service")
        cards: Iterator = (service_card(item, contact, template, compact=layout.compact) for item in loaded.services)
        title = f"{contact.township}{template['title']}"
        subject = f"{template['title']} {loaded.count}项 {layout.label}"
    else:
        if not loaded.households:
            raise NothingToPrint(
                "所选的户本年度都没有已公示的惠民政策资金，明白卡无内容可印。"
                "如仍要打印（例如发放空白卡），请勾选“也打印本年度无政策资金的户”。"
            )
        template = load_card_template("household")
        cards = (household_card(p, contact, template, compact=layout.compact, panels=layout.card_per_sheet)
                 for p in loaded.households)
        title = f"{contact.township}{loaded.request.year}年度{template['title']}"
        subject = f"{template['title']} {loaded.scope_text} {loaded.count}户 {layout.label}"
    return draw_cards(cards, out_path, layout, fonts=fonts, job=job, total=loaded.count, title=title,
                      subject=subject, author=contact.township)


@writes("prints")
def record_cards_print(db, actor: Actor, config, result: CardsResult, *, job: Job | None = None) -> CardsResult:
    """Record a rendered batch of cards: a `PrintedVersion` (kind "cards") with an archived copy and who printed it."""
    from zwgk_desktop.services.printing.archive import record_printed_version
    from zwgk_desktop.services.printing.pdfmeta import sha256_file

    if not Path(result.path).is_file() or sha256_file(result.path) != result.sha256:
        raise InvalidInput("明白卡文件已被改动或删除，请重新生成后再打印。", code="print_file_changed")
    with unit_of_work(db, actor) as session:
        record = record_printed_version(
            session, config, kind="cards", pdf=result.path, sha256=result.sha256, pages=result.pages,
            paper=result.layout, printed_by=actor.username,
        )
        result.printed_version_id = record.id
    return result


@reads
def render_cards(db, actor: Actor, config, request: CardRequest, out_path: str | Path, *,
                 job: Job | None = None) -> CardsResult:
    """Load and render (no record): the page's preview, and the first half of 打印/另存为."""
    loaded = load_cards(db, actor, config, request, job=job)
    return render_loaded_cards(loaded, out_path, fonts=config, job=job)


@writes("prints")
def print_cards(db, actor: Actor, config, request: CardRequest, out_path: str | Path, *,
                job: Job | None = None) -> CardsResult:
    """Load, render outside any session, record: one batch of cards (what `zwgk print cards` runs)."""
    result = render_cards(db, actor, config, request, out_path, job=job)
    return record_cards_print(db, actor, config, result)


# --- 为民服务事项目录 -----------------------------------------------------------------------------


@reads
def service_catalogue(db, actor: Actor, config) -> list[CatalogueRow]:
    """Every service item the township has seen (stopped ones with the wording they had)."""
    from zwgk_desktop.core.service_items import catalogue_rows

    with read_session(db, actor) as session:
        return catalogue_rows(session, config)


@writes("service_items")
def save_service_item(db, actor: Actor, values: dict) -> ServiceItem:
    """Save a township edit (or a new township item); Chinese error on bad input, nothing saved."""
    from zwgk_desktop.core.service_items import save_service_item as save

    with unit_of_work(db, actor) as session:
        return save(session, values)


@writes("service_items")
def hide_service_item(db, actor: Actor, code: str) -> None:
    """停用: the item is no longer printed."""
    from zwgk_desktop.core.service_items import hide_service_item as hide

    with unit_of_work(db, actor) as session:
        hide(session, code)


@writes("service_items")
def reset_service_item(db, actor: Actor, code: str) -> None:
    """恢复默认: back to the county's or shipped wording (a township's own item is removed)."""
    from zwgk_desktop.core.service_items import reset_service_item as reset

    with unit_of_work(db, actor) as session:
        reset(session, code)


def default_year() -> int:
    return date.today().year
