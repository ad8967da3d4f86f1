"""明白卡: 惠民政策资金明白卡 per household and 为民服务事项明白卡, as one deterministic PDF.

Owns:
- the card content (`CardContent`: title, subtitle and a list of `Block`s),
  built from DTOs with the editable wording in `resources/templates/cards/`:
  `household_card` (from `core.household_policies.HouseholdPolicies`, already
  masked for a semi-public card) and `service_card` (from `core.service_items`);
- measuring blocks into line groups for a layout (`CardMeasurer`), cutting a
  card into slots (a card too long for its slot continues on the next one
  under a "（续）" line; the 签字/电话 part sits at the bottom of the last slot),
  and drawing sheets with the font fallback chain (`textrun.PageText`), so
  rare characters in names print and undrawable ones become a boxed "?";
- `render_cards`: the PDF (atomic, byte-identical for the same data), with a
  privacy scan of every household card before anything is kept;
- `CardsResult(cards, pages, sha256, missing_glyphs, path)`. Reading the
  households and recording the print are the ops layer's (`ops.cards`):
  load in a read op, draw here outside any session, record in a write op.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from reportlab.lib.colors import HexColor, black

from zwgk_desktop.core.disclosures import format_fen
from zwgk_desktop.core.household_policies import HouseholdPolicies, TownshipContact
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.service_items import ServiceItem
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.services.fonts import get_chain
from zwgk_desktop.services.printing.cards_layout import (
    CardLayout,
    Slot,
    card_layout,
    draw_marks,
)
from zwgk_desktop.services.printing.pdfmeta import (
    atomic_output,
    deterministic_canvas,
    paused_gc,
    plain_streams,
    sha256_file,
)
from zwgk_desktop.services.printing.textrun import PageText, TextKit

TITLE_RED = HexColor("#B40000")
RULE_RED = HexColor("#C00000")
MUTED = HexColor("#444444")
LIGHT_RULE = 0.7  # gray level of the thin rule between policies
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
BOLD_STROKE = 0.32  # points: a bold face from a regular font (fill + thin stroke)
CANCEL_EVERY = 20  # cards between two looks at 取消 (cheap: a flag), so a cancel feels immediate
PROGRESS_EVERY = 200  # cards between two progress reports


class NothingToPrint(ZwgkError):
    code = "nothing_to_print"


# --- content ------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One piece of a card. kinds: fields, heading, policy, text, total, note, labelled, steps,
    sign, footer, gap. `tail` blocks (签字, 电话…) are pushed to the bottom of the card's last slot."""

    kind: str
    texts: tuple[str, ...] = ()
    amount: str = ""
    index: int = 0
    tail: bool = False


@dataclass
class CardContent:
    key: str
    title: str
    subtitle: str
    continued: str
    blocks: list[Block] = field(default_factory=list)
    allowed_numbers: tuple[str, ...] | None = None  # None: no personal data on the card, no scan
    scan_label: str = ""

    def text(self) -> str:
        parts = [self.title, self.subtitle, self.continued]
        for block in self.blocks:
            parts.extend(block.texts)
            parts.append(block.amount)
        return "\n".join(p for p in parts if p)


@dataclass
class CardsResult:
    cards: int
    pages: int
    sha256: str
    missing_glyphs: list[str]
    path: str
    layout: str = ""
    printed_version_id: str | None = None

    def as_json(self) -> dict:
        return {
            "cards": self.cards,
            "pages": self.pages,
            "sha256": self.sha256,
            "missing_glyphs": self.missing_glyphs,
            "path": self.path,
            "layout": self.layout,
        }


def templates_dir() -> Path:
    from zwgk_desktop.config import bundle_root

    return bundle_root() / "resources" / "templates" / "cards"


@lru_cache(maxsize=8)
def load_card_template(kind: str, directory: str | None = None) -> dict:
    path = Path(directory or templates_dir()) / f"{kind}.json"
    return json.loads(path.read_text(encoding="utf-8"))


class _Blank(dict):
    def __missing__(self, key):
        return ""


def fill(pattern: str, values: dict) -> str:
    return pattern.format_map(_Blank(values))


def household_card(
    p: HouseholdPolicies, contact: TownshipContact, template: dict, compact: bool = False, panels: bool = False
) -> CardContent:
    """The 惠民政策资金明白卡 of one household (values already masked for a semi-public card).

    `compact`: a small card (no footer line); `panels`: a 三折页 whose first panel is the cover."""
    values = {
        "township": contact.township, "county": contact.county, "year": p.year,
        "township_phone": contact.township_phone or "（未登记）", "county_phone": contact.county_phone or "（未登记）",
        "head": p.head_name, "village": p.village, "group": p.group, "members": p.member_count,
        "account": p.bank_account_masked, "helper": p.helper_name, "phone": p.helper_phone,
    }
    account = fill(template["account"] if p.bank_account_masked else template["no_account"], values)
    blocks = [
        Block("fields", (fill(template["head"], values), fill(template["village"], values))),
        Block("fields", (fill(template["members"], values), account)),
        Block("heading", (fill(template["policies_heading"], values),)),
    ]
    for number, line in enumerate(p.lines, start=1):
        details = [
            fill(template["standard"], {"standard": line.standard, "label": line.standard_label}),
            fill(template["months"], {"months": line.months_text}),
            fill(template["responsible"], {"responsible": line.responsible}),
        ]
        blocks.append(Block("policy", (line.item, *details), amount=fill(template["amount"], {"amount": format_fen(line.amount_fen)}), index=number))
    if not p.lines:
        blocks.append(Block("text", (template["none"],)))
    else:
        blocks.append(Block("total", (fill(template["total"], {"amount": format_fen(p.total_fen)}),)))
    monthly = [line.item.split("（")[0] for line in p.lines if line.monthly and line.months]
    if monthly:
        names = "、".join(dict.fromkeys(monthly))
        blocks.append(Block("note", (fill(template["monthly_note"], {"names": names}),)))
    helper = fill(template["helper"] if p.helper_name else template["no_helper"], values)
    helper_phone = fill(template["helper_phone"], values) if p.helper_phone else ""
    tail = [
        Block("gap", tail=True),
        Block("fields", (helper, helper_phone), tail=True),
        Block("note", (fill(template["phones"], values),), tail=True),
        Block("sign", (template["sign"], template["sign_date"]), tail=True),
    ]
    if panels:  # 三折页: the first panel is the cover (who, whom to call, signature), policies follow
        blocks = blocks[:2] + [Block(b.kind, b.texts, b.amount, b.index, tail=False) for b in tail] + [Block("break")] + blocks[2:]
    else:
        blocks += tail
    if not compact and template.get("footer"):
        blocks.append(Block("footer", (template["footer"],), tail=True))
    allowed = tuple(n for n in (p.helper_phone, contact.township_phone, contact.county_phone) if n)
    return CardContent(
        key=p.household_id,
        title=template["title"],
        subtitle=fill(template["subtitle"], values),
        continued=fill(template["continued"], values),
        blocks=blocks,
        allowed_numbers=allowed,
        scan_label=f"{p.head_name}（{p.village}{p.group}）",
    )


def service_card(item: ServiceItem, contact: TownshipContact, template: dict, compact: bool = False) -> CardContent:
    """The 为民服务事项明白卡 of one service item."""
    values = {
        "township": contact.township, "county": contact.county, "name": item.name,
        "township_phone": contact.township_phone or "（未登记）", "county_phone": contact.county_phone or "（未登记）",
    }
    blocks: list[Block] = [Block("name", (item.name,))]
    for key, label in template["fields"]:
        if key == "procedure":
            if item.procedure:
                blocks.append(Block("labelled", (label,)))
                blocks.append(Block("steps", tuple(item.procedure)))
            continue
        text = getattr(item, key, "")
        if text:
            blocks.append(Block("labelled", (label, text)))
    blocks += [Block("gap", tail=True), Block("note", (fill(template["phones"], values),), tail=True)]
    if not compact and template.get("footer"):
        blocks.append(Block("footer", (template["footer"],), tail=True))
    return CardContent(
        key=item.code,
        title=template["title"],
        subtitle=fill(template["subtitle"], values),
        continued=fill(template["continued"], values),
        blocks=blocks,
    )


# --- the privacy scan ------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def _scan_piece(text: str, allowed: tuple[str, ...]) -> tuple:
    from zwgk_desktop.core.privacy import scan_text

    return tuple(scan_text(text, allowed_numbers=allowed))


def scan_card(card: CardContent) -> list:
    """Privacy findings on one card (full ID, phone or bank numbers, door plates, diagnoses).

    Scanned piece by piece with a cache: most lines (standards, offices, wording) repeat from
    card to card. The allowed numbers (helper's work phone, hotlines) only excuse the pieces
    that contain them."""
    from dataclasses import replace

    allowed = card.allowed_numbers or ()
    findings = []
    for piece in _card_pieces(card):
        excused = tuple(n for n in allowed if n in piece)
        for finding in _scan_piece(piece, excused):
            findings.append(replace(finding, location=card.scan_label))
    return findings


def _card_pieces(card: CardContent) -> list[str]:
    pieces = [card.title, card.subtitle, card.continued]
    for block in card.blocks:
        pieces.extend(block.texts)
        pieces.append(block.amount)
    return [piece for piece in pieces if piece]


class CardScanner:
    """The privacy scan of a whole batch of cards, fast: each distinct text is scanned once,
    and texts are scanned together, newline-joined, a few thousand at a time (the scanner's
    number groups and word patterns never cross a newline). Only when such a joint scan finds
    something are that batch's cards scanned one by one (`scan_card`), so the error names the
    first card with a problem exactly as a card-by-card scan would.

    A text holding one of its card's allowed numbers (helper's phone, hotlines) may only be
    excused those numbers. Such texts are scanned together too, excusing every allowed number
    of the batch at once; that can only hide a number another card allows, so a text whose
    digits contain such a number is scanned on its own with just its own excuse.

    Call `add` for each card and `finish` before the PDF is written; `finish` raises `PrivacyLeak`.
    """

    def __init__(self, batch_chars: int = 60_000):
        self.batch_chars = batch_chars
        self._clean: set[str] = set()
        self._clean_excused: set[tuple[str, tuple[str, ...]]] = set()
        self._pending: dict[str, None] = {}
        self._excused: dict[tuple[str, tuple[str, ...]], None] = {}
        self._pending_chars = 0
        self._cards: list[CardContent] = []

    def add(self, card: CardContent, pieces: list[str] | None = None) -> None:
        """Queue a card (`pieces`: its texts, `_card_pieces(card)`, when already at hand)."""
        allowed = card.allowed_numbers or ()
        self._cards.append(card)
        for piece in pieces if pieces is not None else _card_pieces(card):
            if piece in self._clean or piece in self._pending:
                continue
            excused = tuple(n for n in allowed if n in piece) if allowed else ()
            if excused:
                key = (piece, excused)
                if key in self._clean_excused or key in self._excused:
                    continue
                self._excused[key] = None
            else:
                self._pending[piece] = None
            self._pending_chars += len(piece) + 1
        if self._pending_chars >= self.batch_chars:
            self.finish()

    def finish(self) -> None:
        """Scan what is pending; raise `PrivacyLeak` for the first card of the batch with findings."""
        from zwgk_desktop.core.privacy import PrivacyLeak, scan_text

        pending, excused, cards = self._pending, self._excused, self._cards
        self._pending, self._excused, self._pending_chars, self._cards = {}, {}, 0, []
        if (pending and scan_text("\n".join(pending))) or (excused and not _excused_clean(list(excused))):
            for card in cards:
                findings = scan_card(card)
                if findings:
                    raise PrivacyLeak(findings)
        if len(self._clean) < 500_000:
            self._clean.update(pending)
        if len(self._clean_excused) < 500_000:
            self._clean_excused.update(excused)


_NOT_ASCII_DIGIT = re.compile(r"[^0-9]+")


def _digits(text: str) -> str:
    """The ASCII digits of a text after NFKC: what the privacy scanner compares allowed numbers by."""
    return _NOT_ASCII_DIGIT.sub("", unicodedata.normalize("NFKC", text))


def _excused_clean(keys: list[tuple[str, tuple[str, ...]]]) -> bool:
    """True when none of the (text, its own allowed numbers) shows private data.

    One joint scan excuses the union of the allowed numbers; a text whose digits contain a
    number of that union it does not own itself is scanned on its own instead."""
    from zwgk_desktop.core.privacy import scan_text

    union = tuple(dict.fromkeys(n for _, excused in keys for n in excused))
    union_digits = {d for d in map(_digits, union) if d}
    lengths = sorted({len(d) for d in union_digits})
    joint: list[str] = []
    for piece, excused in keys:
        own = set(map(_digits, excused))
        digits = _digits(piece)
        windows = (digits[i:i + n] for n in lengths for i in range(len(digits) - n + 1))
        if any(w in union_digits and w not in own for w in windows):
            if _scan_piece(piece, excused):
                return False
        else:
            joint.append(piece)
    return not (joint and scan_text("\n".join(joint), allowed_numbers=union))


# --- measuring -----------------------------------------------------------------------

# a drawing op: ("t", dx, dy, text, size, style, align, width) or ("rule", dx, dy, width, gray, line_width)
Op = tuple


@dataclass
class Group:
    """Lines that stay together in a slot; ops are relative to the group's top-left corner."""

    height: float
    ops: list[Op]
    keep_with_next: bool = False
    droppable: bool = False
    tail: bool = False
    breaks: bool = False  # start a new slot here (三折页: after the cover panel)
    # per slot x: the text ops ready to draw and the rules; filled by SheetPainter on first use
    drawn: dict = field(default_factory=dict, repr=False, compare=False)


class CardMeasurer:
    """Turns a card's blocks into line groups for one layout."""

    def __init__(self, layout: CardLayout, kit: TextKit):
        self.layout, self.kit = layout, kit
        self.type = layout.type
        self.width = layout.content_width()
        self._measured: dict[Block, list[Group]] = {}
        self._titles: dict[tuple[str, str], Group] = {}

    def lead(self, size: float) -> float:
        return size * self.type.leading

    def hanging_lines(self, text: str, size: float, width: float) -> list[tuple[float, str]]:
        """Wrapped lines as (indent, text): lines after the first hang under the text after "：" (if short)."""
        lines = self.kit.wrap(text, size, width)
        if len(lines) == 1:
            return [(0.0, lines[0])]
        colon = text.find("：")
        hang = self.kit.width(text[: colon + 1], size) if 0 < colon <= 7 else 0.0
        if hang > width * 0.4:
            hang = 0.0
        first = lines[0]
        rest = text[len(first):].lstrip()
        return [(0.0, first)] + [(hang, line) for line in self.kit.wrap(rest, size, width - hang)]

    def text_groups(self, text: str, size: float, style: str = "normal", tail: bool = False,
                    align: str = "left", space_before: float = 0.0) -> list[Group]:
        groups = []
        lead = self.lead(size)
        for n, (indent, line) in enumerate(self.hanging_lines(text, size, self.width)):
            extra = space_before if n == 0 else 0.0
            op = ("t", indent, extra + lead * 0.78, line, size, style, align, self.width - indent)
            groups.append(Group(lead + extra, [op], tail=tail))
        return groups

    def title(self, card: CardContent) -> Group:
        t = self.type
        ops: list[Op] = []
        y = 0.0
        for line in self.kit.wrap(card.title, t.title, self.width):
            y += t.title * 1.25
            ops.append(("t", 0.0, y - t.title * 0.22, line, t.title, "title", "center", self.width))
        if card.subtitle:
            y += self.lead(t.subtitle)
            ops.append(("t", 0.0, y - t.subtitle * 0.3, card.subtitle, t.subtitle, "muted", "center", self.width))
        y += t.subtitle * 0.35
        ops.append(("rule", 0.0, y, self.width, RULE_RED, 1.4))
        ops.append(("rule", 0.0, y + 2.2, self.width, RULE_RED, 0.45))
        return Group(y + 2.2 + t.body * 0.55, ops)

    def continued(self, card: CardContent) -> Group:
        t = self.type
        lead = self.lead(t.small)
        line = self.kit.wrap(card.continued, t.small, self.width)[0]
        ops = [("t", 0.0, lead * 0.8, line, t.small, "muted", "left", self.width),
               ("rule", 0.0, lead + 2, self.width, 0.6, 0.5)]
        return Group(lead + 2 + t.body * 0.4, ops)

    def groups(self, card: CardContent) -> list[Group]:
        """The card's line groups; groups are never changed after measuring, so repeated blocks
        (the same policy line, wording, phones) are measured once per batch."""
        key = (card.title, card.subtitle)
        title = self._titles.get(key)
        if title is None:
            title = self._titles[key] = self.title(card)
        out = [title]
        for block in card.blocks:
            groups = self._measured.get(block)
            if groups is None:
                groups = self.block_groups(block)
                if len(self._measured) < 100_000:
                    self._measured[block] = groups
            out.extend(groups)
        return out

    def block_groups(self, block: Block) -> list[Group]:
        t, kind = self.type, block.kind
        if kind == "fields":
            return self.fields(block)
        if kind == "heading":
            groups = self.text_groups(block.texts[0], t.heading, "bold", space_before=t.body * 0.25)
            last = groups[-1]
            last.ops.append(("rule", 0.0, last.height + 1.5, self.width, 0.35, 0.6))
            last.height += 1.5 + t.body * 0.3
            for g in groups:
                g.keep_with_next = True
            return groups
        if kind == "policy":
            return [self.policy(block)]
        if kind == "total":
            groups = self.text_groups(block.texts[0], t.heading, "bold", align="right", space_before=t.body * 0.15)
            return groups
        if kind == "note":
            return self.text_groups(block.texts[0], t.small, "muted", tail=block.tail)
        if kind == "text":
            return self.text_groups(block.texts[0], t.body, tail=block.tail)
        if kind == "labelled":
            return self.labelled(block)
        if kind == "steps":
            return self.steps(block)
        if kind == "sign":
            groups = self.fields(block)
            groups[0].height += t.body * 0.9
            groups[0].ops = [(op[0], op[1], op[2] + t.body * 0.9, *op[3:]) for op in groups[0].ops]
            return groups
        if kind == "name":
            return self.text_groups(block.texts[0], t.heading * 1.2, "bold", align="center", space_before=t.body * 0.1)
        if kind == "break":
            return [Group(0.0, [], breaks=True)]
        if kind == "footer":
            return self.text_groups(block.texts[0], t.small, "muted", tail=True, align="center", space_before=t.small * 0.4)
        if kind == "gap":
            return [Group(t.body * 0.45, [], droppable=True, tail=block.tail)]
        raise ValueError(f"unknown card block {kind!r}")

    def fields(self, block: Block) -> list[Group]:
        """Two short fields share a line when both fit; otherwise one line each (wrapped)."""
        size = self.type.body
        a, b = block.texts
        if not b:
            return self.text_groups(a, size, tail=block.tail)
        gap = size * 1.5
        width_a, width_b = self.kit.width(a, size), self.kit.width(b, size)
        if width_a + gap + width_b <= self.width:
            lead = self.lead(size)
            ops = [("t", 0.0, lead * 0.78, a, size, "normal", "left", self.width),
                   ("t", 0.0, lead * 0.78, b, size, "normal", "right", self.width)]
            if width_a < self.width / 2 - gap and width_b < self.width / 2:
                ops[1] = ("t", self.width / 2, lead * 0.78, b, size, "normal", "left", self.width / 2)
            return [Group(lead, ops, tail=block.tail)]
        return self.text_groups(a, size, tail=block.tail) + self.text_groups(b, size, tail=block.tail)

    def policy(self, block: Block) -> Group:
        t, kit = self.type, self.kit
        mark = CIRCLED[block.index - 1] if 0 < block.index <= len(CIRCLED) else f"{block.index}."
        mark_w = kit.width(mark + " ", t.body)
        amount_w = kit.width(block.amount, t.body)
        item_width = self.width - mark_w - amount_w - t.body
        lead = self.lead(t.body)
        y = t.body * 0.2
        ops: list[Op] = [("t", 0.0, y + lead * 0.78, mark, t.body, "bold", "left", mark_w)]
        item_lines = kit.wrap(block.texts[0], t.body, max(item_width, t.body * 4))
        for n, line in enumerate(item_lines):
            ops.append(("t", mark_w, y + lead * 0.78, line, t.body, "bold", "left", item_width))
            if n == 0:
                ops.append(("t", 0.0, y + lead * 0.78, block.amount, t.body, "bold", "right", self.width))
            y += lead
        detail_lead = self.lead(t.detail)
        for detail in block.texts[1:]:
            for indent, line in self.hanging_lines(detail, t.detail, self.width - mark_w):
                ops.append(("t", mark_w + indent, y + detail_lead * 0.78, line, t.detail, "normal", "left", self.width))
                y += detail_lead
        y += t.body * 0.3
        ops.append(("rule", 0.0, y, self.width, LIGHT_RULE, 0.5))
        return Group(y + t.body * 0.1, ops)

    def labelled(self, block: Block) -> list[Group]:
        t = self.type
        head = self.text_groups("■ " + block.texts[0], t.heading, "bold", space_before=t.body * 0.3)
        for g in head:
            g.keep_with_next = True
        body: list[Group] = []
        for text in block.texts[1:]:
            body.extend(self.text_groups(text, t.body))
        return head + body

    def steps(self, block: Block) -> list[Group]:
        t = self.type
        groups = []
        lead = self.lead(t.body)
        for number, step in enumerate(block.texts, start=1):
            label = f"{number}. "
            hang = self.kit.width(label, t.body)
            lines = self.kit.wrap(step, t.body, self.width - hang)
            for n, line in enumerate(lines):
                ops = [("t", hang, lead * 0.78, line, t.body, "normal", "left", self.width - hang)]
                if n == 0:
                    ops.append(("t", 0.0, lead * 0.78, label.strip(), t.body, "bold", "left", hang))
                groups.append(Group(lead, ops))
        return groups


# --- cutting a card into slots ------------------------------------------------------


@dataclass
class SlotPlan:
    placed: list[tuple[Group, float]] = field(default_factory=list)  # (group, offset from content top)


def paginate_card(groups: list[Group], continued: Group, available: float) -> list[SlotPlan]:
    """Fill slots top to bottom; a continuation slot starts with the "（续）" line; tail groups sink
    to the bottom of the last slot."""
    plans = [SlotPlan()]
    y = 0.0
    for i, group in enumerate(groups):
        if group.breaks:
            if plans[-1].placed:
                plans.append(SlotPlan())
                y = 0.0
            continue
        need = group.height
        if group.keep_with_next and i + 1 < len(groups):
            need += groups[i + 1].height
        if y + need > available and plans[-1].placed:
            if group.droppable:
                continue
            plans.append(SlotPlan([(continued, 0.0)]))
            y = continued.height
        plans[-1].placed.append((group, y))
        y += group.height
    spare = available - y
    last = plans[-1].placed
    if spare > 0:
        start = len(last)
        while start > 0 and last[start - 1][0].tail:
            start -= 1
        if start < len(last):
            last[start:] = [(g, offset + spare) for g, offset in last[start:]]
    return plans


# --- drawing ---------------------------------------------------------------------------


class _Pens:
    """One text object per style (normal, muted, bold, title), flushed once per sheet."""

    def __init__(self, canvas, kit: TextKit):
        self.canvas, self.kit = canvas, kit
        self.pens: dict[str, PageText] = {}
        self.missing: dict[str, None] = {}

    def pen(self, style: str) -> PageText:
        pen = self.pens.get(style)
        if pen is None:
            pen = self.pens[style] = PageText(self.canvas, self.kit)
            self._prepare(style, pen)
        return pen

    @staticmethod
    def _prepare(style: str, pen: PageText) -> None:
        # the render mode is graphics state and outlives a text object: set it on every pen
        pen.text.setTextRenderMode(2 if style in ("bold", "title") else 0)
        if style == "title":
            pen.set_color(TITLE_RED)
            pen.text.setStrokeColor(TITLE_RED)
        elif style == "muted":
            pen.set_color(MUTED)
        else:
            pen.set_color(black)

    def flush(self) -> None:
        self.canvas.saveState()
        self.canvas.setLineWidth(BOLD_STROKE)
        for style in sorted(self.pens):
            pen = self.pens[style]
            pen.flush()
            self.missing.update(pen.missing)
            pen.missing = {}
        self.canvas.restoreState()
        self.pens = {}




class SheetPainter:
    def __init__(self, canvas, layout: CardLayout, kit: TextKit):
        self.canvas, self.layout, self.kit = canvas, layout, kit
        self.pens = _Pens(canvas, kit)
        self._styles: dict[tuple[str, object, float], tuple[str, ...]] = {}
        self._marks_code: list[str] | None = None

    def draw_sheet(self, slots: list[SlotPlan | None]) -> None:
        c = self.canvas
        for slot, plan in zip(self.layout.slots, slots):
            if plan is not None:
                self._draw_slot(slot, plan)
        self._marks()
        self.pens.flush()
        c.showPage()

    def _marks(self) -> None:
        """Cut or fold marks: the same operators on every sheet, so drawn once and then repeated."""
        code = self.canvas._code
        if self._marks_code is None:
            start = len(code)
            draw_marks(self.canvas, self.layout)
            self._marks_code = code[start:]
        else:
            code.extend(self._marks_code)

    def _draw_slot(self, slot: Slot, plan: SlotPlan) -> None:
        pad = self.layout.padding
        x0, top = slot.x + pad, slot.top - pad
        number, pens, pen_for = self.kit.number, self.pens.pens, self.pens.pen
        rules = []
        for group, offset in plan.placed:
            group_top = top - offset
            texts, group_rules = group.drawn.get(x0) or self._prepare_group(group, x0)
            for style, placement, dy, op in texts:
                pen = pens.get(style) or pen_for(style)
                if placement is None:  # an undrawable character: boxed "?" the slow way
                    _, dx, _, text, size, _, align, width = op
                    pen.show(x0 + dx, group_top - dy, text, size, align=align, width=width)
                else:
                    pen.show_placed(placement, number(group_top - dy))
            for rule in group_rules:
                rules.append((rule, group_top))
        self._rules(rules)

    def _prepare_group(self, group: Group, x0: float) -> tuple[list, list]:
        """A group's ops at slot x `x0`, positioned and encoded once (groups of repeated blocks are
        shared by every card that has them, so most cards are drawn from these)."""
        texts, rules = [], []
        number = self.kit.number
        for op in group.ops:
            if op[0] == "t":
                _, dx, dy, text, size, style, align, width = op
                if text:
                    placement = self.pens.pen(style).placement(x0 + dx, text, size, align, width)
                    texts.append((style, placement, dy, op))
            else:
                _, dx, dy, width, color, line_width = op
                x = x0 + dx
                rules.append((self._rule_style(color, line_width), number(x), number(x + width), dy))
        group.drawn[x0] = (texts, rules)
        return texts, rules

    def _rule_style(self, color, line_width: float) -> tuple[str, ...]:
        """The operators that set a rule's colour and width, exactly as the canvas writes them
        (captured once from the canvas itself, inside a save/restore that is then dropped)."""
        key = ("gray" if isinstance(color, float) else "color", color, line_width)
        style = self._styles.get(key)
        if style is None:
            c = self.canvas
            code = c._code
            start = len(code)
            c.saveState()
            if isinstance(color, float):
                c.setStrokeGray(color)
            else:
                c.setStrokeColor(color)
            c.setLineWidth(line_width)
            c.restoreState()
            style = self._styles[key] = tuple(code[start + 1:-1])
            del code[start:]
        return style

    def _rules(self, rules) -> None:
        """Thin lines, written as `canvas.line` would write them after setting colour and width."""
        if not rules:
            return
        c = self.canvas
        number = self.kit.number
        c.saveState()
        code = c._code
        for (style, x1, x2, dy), group_top in rules:
            y = number(group_top - dy)
            code.extend(style)
            code.append(f"n {x1} {y} m {x2} {y} l S")
        c.restoreState()


def render_cards(
    cards: Iterable[CardContent],
    out_path: str | Path,
    layout: CardLayout | str,
    *,
    fonts=None,
    job: Job | None = None,
    total: int = 0,
    title: str = "明白卡",
    subject: str = "",
    author: str = "",
) -> CardsResult:
    """Draw `cards` (an iterable, consumed once) to `out_path` atomically.

    Raises `PrivacyLeak` (nothing written) if a card holding personal data still shows a
    full ID, phone or bank number; `NothingToPrint` for an empty batch.
    """
    with paused_gc():
        return _render_cards(cards, out_path, layout, fonts=fonts, job=job, total=total, title=title,
                             subject=subject, author=author)


def _render_cards(cards, out_path, layout, *, fonts, job, total, title, subject, author) -> CardsResult:
    job = job or Job()
    layout = card_layout(layout) if isinstance(layout, str) else layout
    kit = TextKit(get_chain(fonts))
    measurer = CardMeasurer(layout, kit)
    available = layout.content_height()
    per_sheet = layout.slots_per_sheet
    seen: dict[str, None] = {}  # every distinct text printed, in order of first appearance
    scanner = CardScanner()
    count = pages = 0
    with atomic_output(out_path) as tmp, plain_streams():
        canvas = deterministic_canvas(
            str(tmp), layout.pagesize, initial_font=kit.primary, title=title, subject=subject, author=author
        )
        painter = SheetPainter(canvas, layout, kit)
        sheet: list[SlotPlan | None] = []

        def finish_sheet() -> None:
            nonlocal sheet, pages
            painter.draw_sheet(sheet + [None] * (per_sheet - len(sheet)))
            pages += 1
            sheet = []

        for card in cards:
            if count % CANCEL_EVERY == 0:
                job.check()
                if count % PROGRESS_EVERY == 0:
                    job.progress(count, total, f"正在生成明白卡 {count}/{total}" if total else "正在生成明白卡")
            pieces = _card_pieces(card)
            if card.allowed_numbers is not None:
                scanner.add(card, pieces)
            seen.update(dict.fromkeys(pieces))
            plans = paginate_card(measurer.groups(card), measurer.continued(card), available)
            if layout.card_per_sheet and sheet:
                finish_sheet()
            for plan in plans:
                sheet.append(plan)
                if len(sheet) == per_sheet:
                    finish_sheet()
            count += 1
        if sheet:
            finish_sheet()
        if count == 0:
            raise NothingToPrint("没有可打印的明白卡：所选范围内没有户（或没有服务事项）。请检查所选的村或户。")
        scanner.finish()
        canvas.save()
        kit.release(canvas._doc)
    job.progress(count, count, f"已生成 {count} 张明白卡，共 {pages} 页")
    missing = dict.fromkeys(kit.chain.missing_glyphs("\n".join(seen)))
    missing.update(painter.pens.missing)
    return CardsResult(
        cards=count, pages=pages, sha256=sha256_file(out_path), missing_glyphs=list(missing),
        path=str(out_path), layout=layout.key,
    )
