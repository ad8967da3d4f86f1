"""Poster layout: measure every element once (no drawing) and cut the flow into pages.

The flow: title (never broken inside a bracket: "（更正）" stays whole), the
更正说明 of a correction, the intro, the 标准 in force, the table (header
repeated on every page), then the closing text (异议, the 公示期 line from
`core.periods`, 监督电话) and the band with the QR code (at least 3.5 cm on
A4, 5 cm on A3, the 核验码 printed under it) and the seal. The band travels
with the last table rows so no page carries only the band. The texts of
every page feed the privacy scan and the glyph check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.errors import InvalidInput
from zwgk_desktop.services.printing.layout import PageGeometry, fit_column_widths
from zwgk_desktop.services.printing.poster.data import PosterData
from zwgk_desktop.services.printing.poster.wording import (
    SEQ_KEY,
    build_table,
    fill,
    intro_text,
    poster_title,
    village_suffix,
    wording_values,
)
from zwgk_desktop.services.printing.textrun import TextKit, font_size_fitting

MM = 72 / 25.4
SEAL_MM = 42  # a township government's round seal
QR_MM = {"A4": 36, "A3": 51}  # the QR symbol's side (quiet zone extra): ≥ 3.5 cm on A4, ≥ 5 cm on A3
QR_QUIET = 4  # modules of white border the QR standard asks for
KEEP_ROWS = 3  # table rows that always stand on the page with the closing text and the 盖章 band
KEEP_LINES = 2  # likewise the last body lines of a notice without a table
TABULAR = frozenset(("row", "totals"))
_BRACKETED = re.compile(r"（[^（）]{1,16}）|\([^()]{1,16}\)")


def qr_side(geo: PageGeometry) -> float:
    """The QR symbol's side in points on this paper."""
    return QR_MM.get(geo.paper, round(36 * geo.scale)) * MM


def wrap_title(kit: TextKit, text: str, size: float, width: float) -> list[str]:
    """Title lines no wider than `width` that never break inside a bracketed part ("（更正）", "（石桥村）")."""
    if kit.width(text, size) <= width:
        return [text]
    lines, line = [], ""
    for piece in _title_pieces(text):
        if line and kit.width(line + piece, size) > width:
            lines.append(line)
            line = ""
        if kit.width(piece, size) > width:  # a piece wider than the line: let the plain wrap cut it
            *done, line = kit.wrap(line + piece, size, width)
            lines.extend(done)
            continue
        line += piece
    if line:
        lines.append(line)
    return lines


def _title_pieces(text: str) -> list[str]:
    """Single characters, with each short bracketed part as one piece."""
    pieces, at = [], 0
    for match in _BRACKETED.finditer(text):
        pieces.extend(text[at:match.start()])
        pieces.append(match.group(0))
        at = match.end()
    pieces.extend(text[at:])
    return pieces


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
        self.cramped = False  # set by measuring: the table does not fit this page's width at 75 % type

    # -- measuring --
    def measure(self, job: Job | None = None) -> None:
        self._title_elements()
        if self.data.correction_note:
            self._paragraph_elements(self.data.correction_note, self.style.body)
        intro = intro_text(self.data, self.template, self.values)
        if intro:
            self._paragraph_elements(intro, self.style.body)
        if self.data.standard_text:
            self._paragraph_elements(self.data.standard_text, self.style.body)
        if self.table is not None:
            self.elements.append(Element("gap", self.style.body * 0.5))
            self._measure_table(job)
        self.closing_start = len(self.elements)
        self.elements.append(Element("gap", self.style.body * 0.8))
        self._closing_elements()

    def _title_elements(self) -> None:
        s, width = self.style, self.geo.content_width
        size = font_size_fitting(self.kit, self.title, s.title, width, s.title * 0.8)
        lines = wrap_title(self.kit, self.title, size, width)
        suffix = village_suffix(self.data)
        if suffix and len(lines) > 1:  # "（石桥村）" on a line of its own rather than after a cut
            base = self.title.removesuffix(suffix)
            size = font_size_fitting(self.kit, base, s.title, width, s.title * 0.8)
            lines = [*wrap_title(self.kit, base, size, width), suffix]
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
            self.cramped = True  # names would break mid-word (or numbers wrap): the page is too narrow
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
        qr = qr_side(self.geo) + self.style.footer * 3.2 if self.data.qr_text else 0.0  # symbol + 核验码 under it
        self.elements.append(Element("closing", max(seal, qr) + size * 0.8, None))

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


def check_page_fits(layout: PosterLayout) -> None:
    if layout.table is not None and layout.columns is not None:
        if sum(layout.columns.widths) > layout.geo.content_width + 0.5:
            raise InvalidInput("表格列数过多，纸张放不下，请改用 A3 或横向打印。", code="table_too_wide")
