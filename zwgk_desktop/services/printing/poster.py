"""The 公示 poster: a notice-board PDF from a `PosterData` DTO, and printing a stored notice.

Owns:
- `PosterData` (everything drawn, already masked for the public) and its
  content digest (the short hash in the footer and the QR code);
- `render_poster`: A4/A3, portrait/landscape; title, intro, a table of the
  catalogue's public columns with fitted widths, wrapped cells, the header
  repeated on every page and a totals row; 公示期, 监督举报电话, then one
  band with the QR code (left) and 发布单位, date and the seal circle (right),
  kept on one page with the closing text and at least the last three table
  rows and 合计 (never a page of only the band); "第 x 页 共 y 页"; a 草稿/样稿 watermark when
  the notice is not approved. Rows are drawn straight on the canvas after
  a measuring-only pagination pass, so 20,000 rows stay fast. Every text
  block goes through the privacy scan before anything is written;
- `build_poster_data` / `print_poster`: read a notice from the database,
  mask it through `core.privacy`, render, and record a `PrintedVersion`
  with a stored copy of the PDF in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, HexColor, black

from zwgk_desktop.core.catalogue import CatalogEntry, Column, get_entry
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.status import PRINTABLE, Status
from zwgk_desktop.errors import InvalidInput, NotFound, ZwgkError
from zwgk_desktop.services.fonts import get_chain
from zwgk_desktop.services.printing.layout import (
    PageGeometry,
    fit_column_widths,
    page_geometry,
)
from zwgk_desktop.services.printing.pdfmeta import (
    atomic_output,
    deterministic_canvas,
    paused_gc,
    plain_streams,
    sha256_file,
)
from zwgk_desktop.services.printing.textrun import PageText, TextKit, font_size_fitting

APPROVED_STATUSES = PRINTABLE
TITLE_RED = HexColor("#B40000")
RULE_RED = HexColor("#C00000")
HEADER_FILL = HexColor("#E6E6E6")
STRIPE_FILL = HexColor("#F6F6F6")
TOTALS_FILL = HexColor("#EDEDED")
GRID = HexColor("#333333")
MUTED = HexColor("#555555")
SEAL_GRAY = HexColor("#AAAAAA")
SEQ_KEY = "_seq"
MM = 72 / 25.4
SEAL_MM = 42  # a township government's round seal
QR_MM = 30
KEEP_ROWS = 3  # table rows that always stand on the page with the closing text and the 盖章 band
KEEP_LINES = 2  # likewise the last body lines of a notice without a table
TABULAR = frozenset(("row", "totals"))
_UNSET = object()


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
    period_start: date | None = None
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
    status: str = "approved"
    public_phones: tuple[str, ...] = ()  # numbers published on purpose (hotlines), for the privacy scan
    village: str = ""  # set: this poster is one village's part of the notice, for that village's board

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

    def as_json(self) -> dict:
        data = {
            "pages": self.pages,
            "sha256": self.sha256,
            "missing_glyphs": self.missing_glyphs,
            "path": self.path,
        }
        if self.village:
            data["village"] = self.village
        if self.villages:
            data["villages"] = [{"village": v, "pages": n} for v, n in zip(self.villages, self.part_pages)]
        return data


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- wording -----------------------------------------------------------------------


def default_template_path() -> Path:
    from zwgk_desktop.config import bundle_root

    return bundle_root() / "resources" / "templates" / "poster" / "poster.json"


@lru_cache(maxsize=4)
def load_template(path: str | None = None) -> dict:
    return json.loads(Path(path or default_template_path()).read_text(encoding="utf-8"))


class _Blank(dict):
    def __missing__(self, key):
        return ""


def fill(pattern: str, values: dict) -> str:
    return pattern.format_map(_Blank(values))


def format_fen(fen: int | None) -> str:
    """12345 fen → "123.45" with thousands separators; money is integer fen everywhere."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def long_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "____年__月__日"


def short_date(value: date | None) -> str:
    return value.strftime("%Y.%m.%d") if value else "____.__.__"


def poster_title(data: PosterData, template: dict) -> str:
    """The notice's own title with the township in front, or the template's title; "（村名）" after a village's part."""
    return _notice_title(data, template) + village_suffix(data)


def _notice_title(data: PosterData, template: dict) -> str:
    year = data.year or (data.period_start or data.issue_date or date.today()).year
    title = (data.title or "").strip()
    if not title:
        key = "title_generic" if data.entry.code == "generic" else "title"
        return fill(template[key], {"township": data.township, "year": year, "category_name": data.entry.name})
    if data.township and not title.startswith(data.township):
        title = data.township + title
    return title


def village_suffix(data: PosterData) -> str:
    """"（石桥村）" after the title of one village's part of a notice, else ""."""
    return f"（{data.village}）" if data.village else ""


def _title_subject(data: PosterData, title: str) -> str:
    subject = title[len(data.township):] if title.startswith(data.township) else title
    for suffix in ("的公示", "公示", "的公告", "公告"):
        if subject.endswith(suffix) and len(subject) > len(suffix):
            return subject[: -len(suffix)]
    return subject


def wording_values(data: PosterData, title: str, digest: str | None = None) -> dict:
    """Values for the template's wording; `digest` is `data.content_digest()` when already known."""
    people_label = data.entry.summary_labels.get("amount", "金额")
    return {
        "township": data.township,
        "county": data.county,
        "legal_basis": (data.entry.legal_basis or "有关政策").replace("；", "、"),
        "title_subject": _title_subject(data, title.removesuffix(village_suffix(data))),
        "category_name": data.entry.name,
        "households": f"{data.total_households:,}",
        "people": f"{data.total_people:,}",
        "amount": format_fen(data.total_amount_fen),
        "amount_label": people_label,
        "start": long_date(data.period_start),
        "end": long_date(data.period_end),
        "start_short": short_date(data.period_start),
        "end_short": short_date(data.period_end),
        "rule": data.rule_text or data.entry.rule.describe(),
        "issuer": data.issuer or (f"{data.township}人民政府" if data.township else ""),
        "issue_date": long_date(data.issue_date),
        "township_phone": data.township_phone or "（未登记）",
        "county_phone": data.county_phone or "（未登记）",
        "notice_short": (data.notice_id or "")[:8].upper(),
        "version": data.version,
        "short_hash": short_hash_of(digest or data.content_digest()),
    }


def intro_text(data: PosterData, template: dict, values: dict) -> str:
    if data.body.strip():
        return data.body.strip()
    intros = template["intro"]
    if data.entry.code == "generic" and not data.items:
        return ""
    return fill(intros.get(data.entry.code, intros["default"]), values)


def watermark_text(status: str, template: dict) -> str:
    if status in APPROVED_STATUSES:
        return ""
    marks = template["watermark"]
    return marks.get(status, marks["other"])


# --- the table -----------------------------------------------------------------------


@dataclass
class TableSpec:
    columns: list[Column]
    rows: list[list[str]]
    totals: list[str]


def cell_text(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.type == "money" and isinstance(value, int):
        return format_fen(value)
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def build_table(data: PosterData, template: dict, values: dict) -> TableSpec | None:
    """The public columns (plus 序号) and every row as text; None for a text-only notice."""
    if not data.items:
        return None
    seq = Column(key=SEQ_KEY, label=template["seq_label"], type="int")
    columns = [seq, *data.entry.public_columns]
    cells = [(column, column.key, {}) for column in columns[1:]]  # each distinct value formatted once
    rows = []
    for index, item in enumerate(data.items, start=1):
        row = [str(index)]
        for column, key, memo in cells:
            value = item.get(key)
            try:
                text = memo[(type(value), value)]
            except KeyError:
                text = memo[(type(value), value)] = cell_text(column, value)
            except TypeError:  # unhashable (a list in `extra`)
                text = cell_text(column, value)
            row.append(text)
        rows.append(row)
    return TableSpec(columns=columns, rows=rows, totals=_totals_row(data, template, values, columns))


def _totals_row(data: PosterData, template: dict, values: dict, columns: list[Column]) -> list[str]:
    has_people = any(c.key == "people" for c in columns)
    by_category = template.get("totals_by_category", {})
    pattern = template["totals_text"] if has_people else by_category.get(data.entry.code, template["totals_text_no_people"])
    summary = fill(pattern, values)
    totals = [""] * len(columns)
    totals[0] = template["totals_label"]
    for i, column in enumerate(columns):
        if column.type == "money" and column.key == "amount":
            totals[i] = format_fen(data.total_amount_fen)
        elif column.key == "people":
            totals[i] = f"{data.total_people:,}"
    free = next((i for i in range(1, len(columns)) if not totals[i]), None)
    if free is not None:
        totals[free] = summary
    return totals


# --- layout ---------------------------------------------------------------------------


@dataclass
class Style:
    title: float
    running_head: float
    body: float
    cell: float
    header: float
    footer: float
    pad_x: float
    pad_y: float

    @classmethod
    def for_page(cls, geo: PageGeometry) -> Style:
        return cls(
            title=geo.size(22),
            running_head=geo.size(10.5),
            body=geo.size(12),
            cell=geo.size(10.5),
            header=geo.size(10.5),
            footer=geo.size(8.5),
            pad_x=geo.size(3.5),
            pad_y=geo.size(3.2),
        )

    def leading(self, size: float) -> float:
        return size * 1.32


@dataclass
class ColumnLayout:
    x: list[float]
    widths: list[float]
    align: list[str]
    header_lines: list[list[str]]
    header_height: float


@dataclass
class Element:
    """One unit of the page flow: its height and what to draw."""

    kind: str  # title | para | gap | row | totals | closing
    height: float
    payload: Any = None


@dataclass
class Placed:
    element: Element
    top: float


@dataclass
class PagePlan:
    placed: list[Placed] = field(default_factory=list)
    table_top: float | None = None
    table_bottom: float | None = None


class PosterLayout:
    """Measures everything once (no drawing) and cuts the flow into pages."""

    def __init__(self, data: PosterData, geo: PageGeometry, kit: TextKit, template: dict):
        self.data, self.geo, self.kit, self.template = data, geo, kit, template
        self.style = Style.for_page(geo)
        self.title = poster_title(data, template)
        self.digest = data.content_digest()
        self.values = wording_values(data, self.title, self.digest)
        self.table = build_table(data, template, self.values)
        self.footer_height = self.style.footer * 2 * 1.45
        self.columns: ColumnLayout | None = None
        self.row_lines: list[list[list[str]]] = []
        self.elements: list[Element] = []
        self.rows_start = 0  # index in `elements` of the first table row
        self.closing_start = 0  # index in `elements` where the closing text and band begin
        self.pages: list[PagePlan] = []

    # -- measuring --
    def measure(self, job: Job | None = None) -> None:
        self._title_elements()
        intro = intro_text(self.data, self.template, self.values)
        if intro:
            self._paragraph_elements(intro, self.style.body)
        if self.table is not None:
            self.elements.append(Element("gap", self.style.body * 0.5))
            self._measure_table(job)
        self.closing_start = len(self.elements)
        self.elements.append(Element("gap", self.style.body * 0.8))
        self._closing_elements()

    def _title_elements(self) -> None:
        s, width = self.style, self.geo.content_width
        size = font_size_fitting(self.kit, self.title, s.title, width, s.title * 0.8)
        lines = self.kit.wrap(self.title, size, width)
        suffix = village_suffix(self.data)
        if suffix and len(lines) > 1:  # "（石桥村）" on a line of its own rather than cut in two
            base = self.title.removesuffix(suffix)
            size = font_size_fitting(self.kit, base, s.title, width, s.title * 0.8)
            lines = [*self.kit.wrap(base, size, width), suffix]
        height = len(lines) * size * 1.35 + size * 0.9
        self.elements.append(Element("title", height, (lines, size)))

    def _paragraph_elements(self, text: str, size: float, indent: bool = True, kind: str = "para") -> None:
        width = self.geo.content_width
        leading = self.style.leading(size) * 1.08
        for paragraph in text.split("\n"):
            paragraph = paragraph.strip()
            if not paragraph:
                self.elements.append(Element("gap", leading * 0.5))
                continue
            first = ("\u3000\u3000" if indent else "") + paragraph
            lines = self.kit.wrap(first, size, width)
            for i, line in enumerate(lines):
                last = i == len(lines) - 1
                self.elements.append(Element(kind, leading, (line, size, not last)))

    def _measure_table(self, job: Job | None) -> None:
        table, s, kit = self.table, self.style, self.kit
        n = len(table.columns)
        widths = self._fit_table(s.cell)
        inner = [w - 2 * s.pad_x for w in widths]
        x, xs = self.geo.left, []
        for w in widths:
            xs.append(x)
            x += w
        wraps = [False] * n
        row_lines: list[list[list[str]]] = []
        leading = s.leading(s.cell)
        # Each distinct cell text is wrapped once per column; rows share the (read-only) line lists.
        wrapped: list[dict[str, list[str]]] = [{"": [""]} for _ in range(n)]
        columns = list(zip(range(n), wrapped, inner))
        for r, row in enumerate(table.rows):
            lines = []
            for (i, memo, width), text in zip(columns, row):
                cell = memo.get(text)
                if cell is None:
                    cell = memo[text] = kit.wrap(text, s.cell, width)
                    if len(cell) > 1:
                        wraps[i] = True
                lines.append(cell)
            row_lines.append(lines)
            if job is not None and r % 2000 == 0:
                job.check()
        totals_lines = [kit.wrap(t, s.cell, inner[i]) if t else [""] for i, t in enumerate(table.totals)]
        align = []
        for i, column in enumerate(table.columns):
            if column.type == "money":
                align.append("right")
            elif wraps[i]:
                align.append("left")
            else:
                align.append("center")
        header_lines = [kit.wrap(c.label, s.header, inner[i]) for i, c in enumerate(table.columns)]
        header_height = max(len(h) for h in header_lines) * s.leading(s.header) + 2 * s.pad_y
        self.columns = ColumnLayout(xs, widths, align, header_lines, header_height)
        max_row = self._body_height(first_page=False) - header_height
        max_lines = max(1, int((max_row - 2 * s.pad_y) // leading))
        self.rows_start = len(self.elements)
        for r, lines in enumerate(row_lines):
            count = max(len(c) for c in lines)
            if count > max_lines:  # a monstrous cell: cut to one page with an ellipsis
                lines = [c[: max_lines - 1] + [c[max_lines - 1] + "…"] if len(c) > max_lines else c for c in lines]
                row_lines[r] = lines
                count = max_lines
            self.elements.append(Element("row", count * leading + 2 * s.pad_y, r))
        self.row_lines = row_lines
        count = max(len(c) for c in totals_lines)
        self.elements.append(Element("totals", count * leading + 2 * s.pad_y, totals_lines))

    def _fit_table(self, base_size: float) -> list[float]:
        """Column widths, shrinking the table type (down to 75 %) before short values must wrap."""
        table, s, kit = self.table, self.style, self.kit
        content, soft_min, hard_min, label_full, label_two = [], [], [], [], []
        for i, column in enumerate(table.columns):
            texts = {row[i] for row in table.rows}
            texts.add(table.totals[i])
            texts.discard("")
            widest = max((kit.em_width(t) for t in texts), default=0.0)
            is_number = column.type in ("money", "int", "date") or column.key == SEQ_KEY
            if is_number:
                unit = widest
            else:
                unit = max((kit.longest_unit(t, 1.0) for t in texts), default=0.0) if widest > 2 else widest
            content.append(widest)
            soft_min.append(widest if is_number or widest <= 8 else min(max(unit, 4.0), widest))
            hard_min.append(widest if is_number else min(max(unit, 2.0), widest))
            label_full.append(kit.em_width(column.label))
            label_two.append(_two_line_width(kit, column.label, 1.0))
        available = self.geo.content_width
        extra = 2 * s.pad_x + 1

        def bounds(size: float, minimum_em: list[float]):
            desired = [max(c, l) * size + extra for c, l in zip(content, label_full)]
            minimum = [max(m, l) * size + extra for m, l in zip(minimum_em, label_two)]
            return desired, minimum

        candidates = [base_size * f for f in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75)]
        for size in candidates:
            desired, minimum = bounds(size, soft_min)
            if sum(minimum) <= available:
                break
        else:
            size = candidates[-1]
            desired, minimum = bounds(size, hard_min)
        s.cell = s.header = round(size, 2)
        return fit_column_widths(desired, minimum, available)

    def _closing_elements(self) -> None:
        s = self.style
        size = s.body
        objection = fill(self.template["objection"], self.values)
        self._paragraph_elements(objection, size)
        self._paragraph_elements(fill(self.template["period"], self.values), size)
        self._paragraph_elements(fill(self.template["phones"], self.values), size)
        seal = SEAL_MM * self.geo.scale * MM  # a 42 mm seal, scaled with the page
        self.elements.append(Element("closing", seal + size * 0.8, None))

    # -- pagination --
    def _body_height(self, first_page: bool) -> float:
        top = self.geo.top if first_page else self._continued_top()
        return top - (self.geo.margin_bottom + self.footer_height)

    def _continued_top(self) -> float:
        return self.geo.top - self.style.running_head * 2.2

    def paginate(self) -> list[PagePlan]:
        """Cut the flow into pages; the closing text and the 盖章 band travel with the last rows.

        Everything before the keep group flows freely. The keep group (the last
        `KEEP_ROWS` table rows, the 合计 row, the closing text and the band) goes
        on the current page when it fits, else whole onto the next page, so no
        page carries only the band. Only if even a fresh page cannot hold it are
        its rows let go one by one.
        """
        pager = _Pager(self)
        keep = self._keep_start()
        for element in self.elements[:keep]:
            pager.place(element)
        pager.place_together(self.elements[keep:], carried=self.closing_start - keep)
        self.pages = pager.pages
        return self.pages

    def _keep_start(self) -> int:
        """Where the keep group begins: the last rows of the table, or the body's last lines."""
        if self.table is not None:
            return self.rows_start + max(0, len(self.table.rows) - KEEP_ROWS)
        start = self.closing_start
        while start > 0 and self.closing_start - start < KEEP_LINES and self.elements[start - 1].kind == "para":
            start -= 1
        return start

    # -- text for the privacy scan and the glyph check --
    def text_blocks(self, per_page: bool = False) -> list[tuple[str, str]]:
        """(location, text) for everything printed, in page order.

        One block per table row (location names page and row), or with
        `per_page` one block per page: far fewer scanner calls for a quick first pass.
        """
        blocks: list[tuple[str, str]] = [("标题", self.title)]
        for number, page in enumerate(self.pages, start=1):
            page_blocks = list(self._page_blocks(number, page))
            if per_page and page_blocks:
                blocks.append((f"第{number}页", "\n".join(text for _, text in page_blocks)))
            else:
                blocks.extend(page_blocks)
        blocks.append(("落款", f"{self.values['issuer']}｜{self.values['issue_date']}"))
        for key in ("footer_period", "footer_phones", "footer_ident"):
            blocks.append(("页脚", fill(self.template[key], self.values)))
        if self.columns:
            blocks.append(("表头", "｜".join(c.label for c in self.table.columns)))
        return blocks

    def _page_blocks(self, number: int, page: PagePlan):
        for placed in page.placed:
            element = placed.element
            if element.kind == "para":
                yield f"第{number}页 正文", element.payload[0]
            elif element.kind == "row":
                r = element.payload
                yield f"第{number}页 表格第{r + 1}行", "｜".join(self.table.rows[r])
            elif element.kind == "totals":
                yield f"第{number}页 合计行", "｜".join(self.table.totals)

    def printed_values(self) -> list[str]:
        """Every distinct printed text (title, paragraph lines, table cells, 落款, footers,
        header labels) once, in order of first appearance."""
        values: dict[str, None] = {self.title: None}
        rows = self.table.rows if self.table is not None else []
        for page in self.pages:
            for placed in page.placed:
                element = placed.element
                if element.kind == "para":
                    values[element.payload[0]] = None
                elif element.kind == "row":
                    values.update(dict.fromkeys(rows[element.payload]))
                elif element.kind == "totals":
                    values.update(dict.fromkeys(self.table.totals))
        values.update(dict.fromkeys((self.values["issuer"], self.values["issue_date"])))
        for key in ("footer_period", "footer_phones", "footer_ident"):
            values[fill(self.template[key], self.values)] = None
        if self.columns:
            values.update(dict.fromkeys(c.label for c in self.table.columns))
        values.pop("", None)
        return list(values)

    def _distinct_text_chunks(self, chunk: int = 400) -> list[tuple[str, str]]:
        """Every distinct printed string once, in newline-joined chunks: the quick first scan.

        A roster repeats most values (villages, standards, dates), so this scans
        far less text; only when it finds something are rows scanned one by one
        to name the page and row. (A newline never joins two values into one
        finding: the scanner's number groups and word patterns do not cross it.)
        """
        distinct = self.printed_values()
        return [("", "\n".join(distinct[i : i + chunk])) for i in range(0, len(distinct), chunk)]

    def assert_publishable(self, allowed_numbers) -> None:
        """The privacy scan over every printed text; raises `PrivacyLeak` naming page and row."""
        from zwgk_desktop.core.privacy import PrivacyLeak, scan_blocks

        allowed = [n for n in allowed_numbers if n]
        if not scan_blocks(self._distinct_text_chunks(), allowed_numbers=allowed):
            return
        findings = scan_blocks(self.text_blocks(), allowed_numbers=allowed)
        if findings:
            raise PrivacyLeak(findings)


class _Pager:
    """Places flow elements top-down page by page (the header row opens the table on each page)."""

    def __init__(self, layout: PosterLayout):
        self.bottom = layout.geo.margin_bottom + layout.footer_height
        self.continued_top = layout._continued_top()
        self.header_h = layout.columns.header_height if layout.columns else 0.0
        self.page, self.y = PagePlan(), layout.geo.top
        self.pages = [self.page]
        self.in_table = False

    def new_page(self) -> None:
        self.page = PagePlan()
        self.pages.append(self.page)
        self.y = self.continued_top
        self.in_table = False

    def place(self, element: Element) -> None:
        tabular = element.kind in TABULAR
        need = element.height + (self.header_h if tabular and not self.in_table else 0.0)
        if self.y - need < self.bottom and self.page.placed:
            if element.kind == "gap":
                return
            self.new_page()
        if element.kind == "gap" and not self.page.placed and len(self.pages) > 1:
            return
        page = self.page
        if tabular and not self.in_table:
            page.table_top = self.y
            page.placed.append(Placed(Element("header", self.header_h), self.y))
            self.y -= self.header_h
            self.in_table = True
        page.placed.append(Placed(element, self.y))
        self.y -= element.height
        if tabular:
            page.table_bottom = self.y

    def height_of(self, elements: list[Element], fresh: bool) -> float:
        """The height `elements` take here (`fresh`: at the top of a new continued page)."""
        in_table = False if fresh else self.in_table
        height = 0.0
        for element in elements:
            if element.kind == "gap" and fresh and height == 0.0:
                continue
            if element.kind in TABULAR and not in_table:
                height += self.header_h
                in_table = True
            height += element.height
        return height

    def place_together(self, elements: list[Element], carried: int) -> None:
        """Place `elements` on one page if any page can hold them; the first `carried`
        (rows or body lines) are let go one by one only when even a fresh page is too small."""
        elements = list(elements)
        while elements:
            if not self.page.placed or self.y - self.height_of(elements, fresh=False) >= self.bottom:
                break
            if self.height_of(elements, fresh=True) <= self.continued_top - self.bottom:
                self.new_page()
                break
            if carried <= 0:
                break
            self.place(elements.pop(0))
            carried -= 1
        for element in elements:
            self.place(element)


def _two_line_width(kit: TextKit, label: str, size: float) -> float:
    chars = list(label)
    if len(chars) <= 2:
        return kit.em_width(label) * size
    half = (len(chars) + 1) // 2
    return max(kit.em_width("".join(chars[:half])), kit.em_width("".join(chars[half:]))) * size


# --- drawing ---------------------------------------------------------------------------


class PosterPainter:
    """Draws the planned pages on a canvas."""

    def __init__(self, layout: PosterLayout, canvas, watermark: str):
        self.layout = layout
        self.canvas = canvas
        self.geo, self.style, self.kit = layout.geo, layout.style, layout.kit
        self.template, self.values = layout.template, layout.values
        self.watermark = watermark
        self.text = PageText(canvas, self.kit)
        self.missing: dict[str, None] = {}
        columns = layout.columns.widths if layout.columns else []
        self._placements: list[dict] = [{} for _ in columns]  # per column: cell text → Placement

    def draw_page(self, number: int, total: int, page: PagePlan) -> None:
        self._table_fills(page)
        self._table_grid(page)
        if number > 1:
            self._running_head()
        for placed in page.placed:
            self._draw(placed)
        self._footer(number, total)
        self.text.flush()
        self.missing.update(self.text.missing)
        self.text.missing = {}
        if self.watermark:
            self._watermark()
        self.canvas.showPage()

    # -- pieces --
    def _draw(self, placed: Placed) -> None:
        element, top = placed.element, placed.top
        kind = element.kind
        if kind == "title":
            self._title(top, element)
        elif kind == "para":
            line, size, justify = element.payload
            self._paragraph_line(top, line, size, justify)
        elif kind == "header":
            self._header_row(top)
        elif kind == "row":
            self._row(top, element.height, self.layout.row_lines[element.payload])
        elif kind == "totals":
            self._row(top, element.height, element.payload)
        elif kind == "closing":
            self._closing(top, element.height)

    def _title(self, top: float, element: Element) -> None:
        lines, size = element.payload
        c, geo = self.canvas, self.geo
        y = top - size * 1.05
        c.saveState()
        c.setLineWidth(size * 0.03)
        c.setStrokeColor(TITLE_RED)
        title = PageText(c, self.kit)
        title.text.setTextRenderMode(2)  # fill + thin stroke: a bold face from a regular font
        title.set_color(TITLE_RED)
        for line in lines:
            title.show(geo.left, y, line, size, align="center", width=geo.content_width)
            y -= size * 1.35
        title.flush()
        self.missing.update(title.missing)
        rule_y = top - element.height + size * 0.45
        c.setStrokeColor(RULE_RED)
        c.setLineWidth(1.6 * geo.scale)
        c.line(geo.left, rule_y, geo.right, rule_y)
        c.setLineWidth(0.5 * geo.scale)
        c.line(geo.left, rule_y - 2.6 * geo.scale, geo.right, rule_y - 2.6 * geo.scale)
        c.restoreState()

    def _paragraph_line(self, top: float, line: str, size: float, justify: bool) -> None:
        baseline = top - size * 1.08
        if not justify:
            self.text.show(self.geo.left, baseline, line, size)
            return
        gaps = len(line) - 1
        spare = self.geo.content_width - self.kit.width(line, size)
        if gaps <= 0 or spare <= 0 or spare > size * 0.6 * gaps:
            self.text.show(self.geo.left, baseline, line, size)
            return
        self.text.text.setCharSpace(spare / gaps)
        self.text.show(self.geo.left, baseline, line, size)
        self.text.text.setCharSpace(0)

    def _running_head(self) -> None:
        s, geo = self.style, self.geo
        head = self.layout.title + self.template["continued"]
        size = font_size_fitting(self.kit, head, s.running_head, geo.content_width, s.running_head * 0.6)
        self.text.set_color(MUTED)
        self.text.show(geo.left, geo.top - size, head, size, align="center", width=geo.content_width)
        self.text.set_color(black)

    def _table_fills(self, page: PagePlan) -> None:
        if page.table_top is None:
            return
        c, cols = self.canvas, self.layout.columns
        left, width = self.geo.left, sum(cols.widths)
        c.saveState()
        for placed in page.placed:
            kind = placed.element.kind
            fill_color = None
            if kind == "header":
                fill_color = HEADER_FILL
            elif kind == "totals":
                fill_color = TOTALS_FILL
            elif kind == "row" and placed.element.payload % 2 == 1:
                fill_color = STRIPE_FILL
            if fill_color is not None:
                c.setFillColor(fill_color)
                c.rect(left, placed.top - placed.element.height, width, placed.element.height, stroke=0, fill=1)
        c.restoreState()

    def _table_grid(self, page: PagePlan) -> None:
        if page.table_top is None:
            return
        c, cols, geo = self.canvas, self.layout.columns, self.geo
        top, bottom = page.table_top, page.table_bottom
        left, right = geo.left, geo.left + sum(cols.widths)
        c.saveState()
        c.setStrokeColor(GRID)
        c.setLineWidth(0.45 * geo.scale)
        path = c.beginPath()
        for placed in page.placed:
            if placed.element.kind in ("header", "row", "totals"):
                y = placed.top - placed.element.height
                path.moveTo(left, y)
                path.lineTo(right, y)
        for x in cols.x[1:]:
            path.moveTo(x, top)
            path.lineTo(x, bottom)
        c.drawPath(path, stroke=1, fill=0)
        c.setLineWidth(1.1 * geo.scale)
        c.rect(left, bottom, right - left, top - bottom, stroke=1, fill=0)
        c.restoreState()

    def _cells(self, top: float, height: float, lines_per_cell: list[list[str]], size: float, align=None) -> None:
        s, cols = self.style, self.layout.columns
        align = align or cols.align
        leading = s.leading(size)
        ascent = size * 0.86
        for i, lines in enumerate(lines_per_cell):
            block = len(lines) * leading
            y = top - (height - block) / 2 - (leading - size) / 2 - ascent
            x, inner = cols.x[i] + s.pad_x, cols.widths[i] - 2 * s.pad_x
            for line in lines:
                if line:
                    self.text.show(x, y, line, size, align=align[i], width=inner)
                y -= leading

    def _header_row(self, top: float) -> None:
        cols = self.layout.columns
        self._cells(top, cols.header_height, cols.header_lines, self.style.header, ["center"] * len(cols.widths))

    def _row(self, top: float, height: float, lines_per_cell: list[list[str]]) -> None:
        """A body row: `_cells` with each column's placements and each line's y formatted once."""
        s, cols, text = self.style, self.layout.columns, self.text
        size = s.cell
        leading = s.leading(size)
        ascent = size * 0.86
        number = self.kit.number
        baselines: dict[int, list[tuple[float, str]]] = {}
        for i, lines in enumerate(lines_per_cell):
            count = len(lines)
            ys = baselines.get(count)
            if ys is None:
                ys = baselines[count] = []
                y = top - (height - count * leading) / 2 - (leading - size) / 2 - ascent
                for _ in range(count):
                    ys.append((y, number(y)))
                    y -= leading
            memo = self._placements[i]
            for line, (y, y_text) in zip(lines, ys):
                if not line:
                    continue
                placement = memo.get(line, _UNSET)
                if placement is _UNSET:
                    x, inner = cols.x[i] + s.pad_x, cols.widths[i] - 2 * s.pad_x
                    placement = memo[line] = text.placement(x, line, size, cols.align[i], inner)
                if placement is None:  # an undrawable character: boxed "?" the slow way
                    text.show(cols.x[i] + s.pad_x, y, line, size, align=cols.align[i], width=cols.widths[i] - 2 * s.pad_x)
                else:
                    text.show_placed(placement, y_text)

    def _closing(self, top: float, height: float) -> None:
        """The band under the closing text: QR code on the left, 发布单位 and date in the
        seal circle on the right, both centred on one line."""
        s, geo, c = self.style, self.geo, self.canvas
        size = s.body
        seal_r = (height - size * 0.8) / 2
        block_w = max(self.kit.width(self.values["issuer"], size), self.kit.width(self.values["issue_date"], size))
        block_right = geo.right - size * 2
        block_left = block_right - block_w
        centre_x = (block_left + block_right) / 2
        centre_y = top - height / 2
        issuer_y = centre_y + size * 0.35
        self.text.show(block_left, issuer_y, self.values["issuer"], size, align="center", width=block_w)
        self.text.show(block_left, issuer_y - size * 1.6, self.values["issue_date"], size, align="center", width=block_w)
        c.saveState()
        c.setStrokeColor(SEAL_GRAY)
        c.setDash(3 * geo.scale, 3 * geo.scale)
        c.setLineWidth(0.6 * geo.scale)
        c.circle(centre_x, centre_y, seal_r, stroke=1, fill=0)
        c.restoreState()
        label = self.template["seal"]
        self.text.set_color(SEAL_GRAY)
        self.text.show(centre_x - seal_r, centre_y + seal_r * 0.55, label, s.footer, align="center", width=2 * seal_r)
        self.text.set_color(black)
        side = min(2 * seal_r, QR_MM * MM * geo.scale)
        self._qr(geo.left, centre_y - side / 2, side)

    def _qr(self, x: float, y: float, side: float) -> None:
        import segno

        data = self.layout.data
        payload = f"ZWGK|{data.notice_id}|v{data.version}|{self.layout.digest[:32]}"
        matrix = segno.make_qr(payload, error="m").matrix
        n = len(matrix)
        quiet = 2
        module = side / (n + 2 * quiet)
        c = self.canvas
        c.saveState()
        c.setFillColor(black)
        path = c.beginPath()
        for r, row in enumerate(matrix):
            col = 0
            while col < n:
                if row[col]:
                    start = col
                    while col < n and row[col]:
                        col += 1
                    path.rect(x + (quiet + start) * module, y + side - (quiet + r + 1) * module, (col - start) * module, module)
                else:
                    col += 1
        c.drawPath(path, stroke=0, fill=1)
        c.restoreState()
        caption = self.template["qr_caption"]
        self.text.set_color(MUTED)
        self.text.show(x + side + self.style.footer * 0.5, y + module * quiet, caption, self.style.footer)
        self.text.set_color(black)

    def _footer(self, number: int, total: int) -> None:
        s, geo = self.style, self.geo
        size = s.footer
        base = geo.margin_bottom - size * 1.2
        values = self.values
        self.text.set_color(MUTED)
        left = fill(self.template["footer_period"], values) + "　" + fill(self.template["footer_phones"], values)
        self.text.show(geo.left, base, left, size)
        ident = fill(self.template["footer_ident"], values)
        self.text.show(geo.left, base, ident, size, align="right", width=geo.content_width)
        self.text.set_color(black)
        page_label = fill(self.template["page"], {"page": number, "pages": total})
        self.text.show(geo.left, base + size * 1.6, page_label, size * 1.1, align="center", width=geo.content_width)
        self.canvas.saveState()
        self.canvas.setStrokeColor(MUTED)
        self.canvas.setLineWidth(0.4 * geo.scale)
        rule_y = base + size * 3.0
        self.canvas.line(geo.left, rule_y, geo.right, rule_y)
        self.canvas.restoreState()

    def _watermark(self) -> None:
        c, geo = self.canvas, self.geo
        size = min(geo.width, geo.height) * 0.28
        mark = PageText(c, self.kit)
        c.saveState()
        c.setFillAlpha(0.13)
        c.translate(geo.width / 2, geo.height / 2)
        c.rotate(35)
        mark.set_color(Color(0.7, 0, 0, alpha=0.14))
        width = self.kit.width(self.watermark, size)
        mark.show(-width / 2, -size * 0.35, self.watermark, size)
        mark.flush()
        c.restoreState()
        # The same warning, upright in the top corner (readable, and found by text search).
        note = fill(self.template["watermark_note"], {"mark": self.watermark})
        note_size = self.style.footer * 1.1
        corner = PageText(c, self.kit)
        corner.set_color(TITLE_RED)
        corner.show(geo.left, geo.height - geo.margin_top * 0.55, note, note_size, align="right", width=geo.content_width)
        corner.flush()


# --- the whole render ------------------------------------------------------------------


def _check_page_fits(layout: PosterLayout) -> None:
    if layout.table is not None and layout.columns is not None:
        if sum(layout.columns.widths) > layout.geo.content_width + 0.5:
            raise InvalidInput("表格列数过多，纸张放不下，请改用 A3 或横向打印。", code="table_too_wide")


def render_poster(
    data: PosterData,
    out_path: str | Path,
    *,
    paper: str = "A4",
    landscape: bool = False,
    fonts=None,
    job: Job | None = None,
    template: dict | None = None,
) -> PrintResult:
    """Render `data` to `out_path` (atomically) and return pages, SHA-256 and undrawable characters.

    Raises `PrivacyLeak` (nothing written) when any text block still holds private data.
    """
    return render_posters([data], out_path, paper=paper, landscape=landscape, fonts=fonts, job=job, template=template)


def render_posters(
    parts: list[PosterData],
    out_path: str | Path,
    *,
    paper: str = "A4",
    landscape: bool = False,
    fonts=None,
    job: Job | None = None,
    template: dict | None = None,
) -> PrintResult:
    """Render several posters into one PDF, each starting on a new page with its own page numbers
    (every village's part of a notice, printed in one go). Same checks as `render_poster`."""
    with paused_gc():
        return _render_posters(parts, out_path, paper=paper, landscape=landscape, fonts=fonts, job=job, template=template)


def _render_posters(parts: list[PosterData], out_path, *, paper, landscape, fonts, job, template) -> PrintResult:
    job = job or Job()
    template = template or load_template()
    geo = page_geometry(paper, landscape)
    kit = TextKit(get_chain(fonts))
    job.progress(0, 1, "正在排版……")
    planned = [_planned_poster(data, geo, kit, template, job) for data in parts]
    missing = kit.chain.missing_glyphs("\n".join(v for layout, _pages in planned for v in layout.printed_values()))
    total = sum(len(pages) for _layout, pages in planned)
    first = planned[0][0]
    done = 0
    with atomic_output(out_path) as tmp, plain_streams():
        canvas = deterministic_canvas(
            str(tmp),
            (geo.width, geo.height),
            initial_font=kit.primary,
            title=first.title,
            subject=f"{first.data.entry.name} 编号{first.data.notice_id} 第{first.data.version}版 校验码{short_hash_of(first.digest)}",
            author=first.values["issuer"],
        )
        painters = []
        for layout, pages in planned:
            painter = PosterPainter(layout, canvas, watermark_text(layout.data.status, template))
            painters.append(painter)
            for number, page in enumerate(pages, start=1):
                job.check()
                painter.draw_page(number, len(pages), page)
                done += 1
                if done % 5 == 0 or done == total:
                    job.progress(done, total, f"正在生成第 {done}/{total} 页")
        canvas.save()
        kit.release(canvas._doc)  # break the kit↔document cycle so it is freed without a full GC walk
    for painter in painters:
        for ch in painter.missing:
            if ch not in missing:
                missing.append(ch)
    return PrintResult(pages=total, sha256=sha256_file(out_path), missing_glyphs=missing, path=str(out_path),
                       part_pages=[len(pages) for _layout, pages in planned])


def _planned_poster(data: PosterData, geo, kit: TextKit, template: dict, job: Job) -> tuple[PosterLayout, list[PagePlan]]:
    """Measure and paginate one poster; refuse an empty table notice or one still holding private data."""
    if data.entry.code != "generic" and not data.items:
        raise EmptyNotice(
            f"该公示（{data.entry.name}）没有任何名单明细，不能打印空表。请先导入名单或添加明细。",
            detail={"notice_id": data.notice_id},
        )
    layout = PosterLayout(data, geo, kit, template)
    layout.measure(job)
    _check_page_fits(layout)
    pages = layout.paginate()
    job.check()
    layout.assert_publishable([data.township_phone, data.county_phone, *data.public_phones])
    return layout, pages


# --- from the database ----------------------------------------------------------------


def _item_values(item) -> dict[str, Any]:
    """A line item's values by catalogue column key (from an ORM `DisclosureItem`)."""
    return _row_values(item.extra, item.name, item.village_name, item.group_name, item.id_number, item.people, item.amount_fen)


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


def _name_policy(session, entry: CatalogEntry) -> str:
    from sqlalchemy import select

    from zwgk_desktop.core.models import CatalogItem

    policy = session.execute(select(CatalogItem.name_mask).where(CatalogItem.code == entry.code)).scalar()
    return policy or entry.name_mask


def _issue_date(session, disclosure) -> date:
    from sqlalchemy import select

    from zwgk_desktop.core.models import StatusChange

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


def build_poster_data(session, disclosure_id: str, job: Job | None = None, village_id: str | None = None) -> PosterData:
    """Read a notice and its line items and mask them for the public (core.privacy).

    With `village_id`, only that village's lines (and totals): the part a
    village posts on its own 村务公开栏, titled "…（石桥村）".
    """
    from sqlalchemy import Text, select, type_coerce

    from zwgk_desktop.core.models import Disclosure, DisclosureItem, Township
    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound(f"找不到编号为 {disclosure_id} 的公示，请用“disclosure list”查看现有公示。",
                       detail={"disclosure_id": disclosure_id})
    township = session.get(Township, disclosure.township_id)
    village_name = _village_part(session, disclosure, village_id) if village_id else ""
    entry = get_entry(disclosure.category)
    policy = _name_policy(session, entry)
    items: list[dict[str, Any]] = []
    households, people, amount = 0, 0, 0
    public_phones: set[str] = set()
    # Plain columns, not ORM objects (a third of the time for 20,000 rows); `extra` as its stored
    # JSON text, decoded once per distinct text since a roster repeats most of it.
    query = (
        select(
            type_coerce(DisclosureItem.extra, Text), DisclosureItem.name, DisclosureItem.village_name,
            DisclosureItem.group_name, DisclosureItem.id_number, DisclosureItem.people, DisclosureItem.amount_fen,
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
    for n, (extra_json, *fields) in enumerate(session.execute(query)):
        values = _row_values(_decoded(extra_json, extras), *fields)
        _village_cell(entry, values, merges)
        row = _public_row_cached(entry, values, policy, shown_cache)
        items.append(row)
        households += 1
        people += fields[4] or 0
        amount += fields[5] or 0
        for key in phone_keys:
            if row.get(key):
                public_phones.add(str(row[key]))
        if job is not None and n % 2000 == 0:
            job.check()
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
        issue_date=_issue_date(session, disclosure),
        year=disclosure.year,
        items=items,
        total_households=households,
        total_people=people,
        total_amount_fen=amount,
        status=disclosure.status,
        public_phones=tuple(sorted(public_phones)),
        village=village_name,
    )


def build_poster_parts(session, disclosure_id: str, job: Job | None = None, *, village_id: str | None = None,
                       each_village: bool = False) -> list[PosterData]:
    """The posters one print holds: the whole list, one village's part, or every village's part."""
    if not each_village:
        return [build_poster_data(session, disclosure_id, job, village_id=village_id)]
    parts = [build_poster_data(session, disclosure_id, job, village_id=vid)
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


def print_poster(
    session,
    config,
    disclosure_id: str,
    out_path: str | Path,
    paper: str = "A4",
    landscape: bool = False,
    user: str | None = None,
    job: Job | None = None,
    village_id: str | None = None,
    each_village: bool = False,
) -> PrintResult:
    """Render a stored notice to `out_path` — the whole list, one village's part (`village_id`)
    or every village's part each on its own pages (`each_village`) — keep a copy under
    `config.prints_dir/<sha256>.pdf` and add a `PrintedVersion` row to the session's
    transaction (the caller commits)."""
    from zwgk_desktop.core import audit
    from zwgk_desktop.core.models import PrintedVersion

    with paused_gc():
        parts = build_poster_parts(session, disclosure_id, job, village_id=village_id, each_village=each_village)
        result = render_posters(parts, out_path, paper=paper, landscape=landscape, fonts=config, job=job)
    if each_village:
        result.villages = [data.village for data in parts]
    else:
        result.village = parts[0].village
    stored = store_print_copy(config, Path(out_path), result.sha256)
    paper_label = page_geometry(paper, landscape).paper + ("-landscape" if landscape else "")
    record = PrintedVersion(
        disclosure_id=disclosure_id,
        kind="poster",
        sha256=result.sha256,
        pages=result.pages,
        paper=paper_label,
        stored_path=stored,
        printed_by=user or session.info.get("user", ""),
    )
    session.add(record)
    session.flush()
    result.printed_version_id = record.id
    if result.village or result.villages:
        audit.record(session, "print_village_poster", "printed_version", record.id, {
            "disclosure_id": disclosure_id, "villages": result.villages or [result.village], "pages": result.pages,
        })
    return result


def store_print_copy(config, pdf: Path, sha256: str) -> str:
    """Copy the printed PDF into the archive by content hash; returns the path relative to the archive."""
    target = Path(config.prints_dir) / f"{sha256}.pdf"
    if not target.exists():
        with atomic_output(target) as tmp:
            shutil.copyfile(pdf, tmp)
    return str(target.relative_to(config.archive_dir))
