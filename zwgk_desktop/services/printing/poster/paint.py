"""Poster drawing: the planned pages on a ReportLab canvas, and the whole render of one or more posters to a PDF.

`render_poster` / `render_posters` take `PosterData` (already masked, loaded
by the caller outside this module) and write the PDF atomically: measure and
paginate (`poster.layout`), refuse an empty table notice, a table too wide
for the paper, or any text still holding private data, then draw page by
page with progress and cancel (`core.jobs.Job`). Deterministic: the same
data gives the same bytes. Pure: no database here.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.colors import Color, HexColor, black, white

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.services.fonts import get_chain
from zwgk_desktop.services.printing.layout import page_geometry
from zwgk_desktop.services.printing.pdfmeta import (
    atomic_output,
    deterministic_canvas,
    paused_gc,
    plain_streams,
    sha256_file,
)
from zwgk_desktop.services.printing.poster.data import EmptyNotice, PosterData, PrintResult, short_hash_of
from zwgk_desktop.services.printing.poster.layout import (
    MM,
    QR_QUIET,
    SEAL_MM,
    Element,
    PagePlan,
    Placed,
    PosterLayout,
    check_page_fits,
    qr_side,
)
from zwgk_desktop.services.printing.poster.wording import fill, load_template, watermark_text
from zwgk_desktop.services.printing.textrun import PageText, TextKit, font_size_fitting

TITLE_RED = HexColor("#B40000")
RULE_RED = HexColor("#C00000")
HEADER_FILL = HexColor("#E6E6E6")
STRIPE_FILL = HexColor("#F6F6F6")
TOTALS_FILL = HexColor("#EDEDED")
GRID = HexColor("#333333")
MUTED = HexColor("#555555")
SEAL_GRAY = HexColor("#AAAAAA")
_UNSET = object()

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
        """The band under the closing text: the QR code with the 核验码 under it on the left,
        发布单位 and date in the seal circle on the right."""
        s, geo, c = self.style, self.geo, self.canvas
        size = s.body
        seal_r = SEAL_MM * geo.scale * MM / 2
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
        data = self.layout.data
        if data.qr_text:
            side = qr_side(geo)
            self._qr(geo.left, top - size * 0.4 - side, side, data.qr_text)

    def _qr(self, x: float, y: float, side: float, payload: str) -> None:
        """The QR symbol (`side` without its quiet zone) with its bottom-left corner at (x, y), and the
        核验码 printed under it."""
        import segno

        matrix = segno.make_qr(payload, error="q").matrix
        n = len(matrix)
        module = side / n
        c = self.canvas
        c.saveState()
        c.setFillColor(white)  # the quiet zone the standard asks for, even over a tinted background
        quiet = QR_QUIET * module
        c.rect(x - min(quiet, x * 0.9), y - quiet, side + quiet + min(quiet, x * 0.9), side + 2 * quiet, stroke=0, fill=1)
        c.setFillColor(black)
        path = c.beginPath()
        for r, row in enumerate(matrix):
            col = 0
            while col < n:
                if row[col]:
                    start = col
                    while col < n and row[col]:
                        col += 1
                    path.rect(x + start * module, y + side - (r + 1) * module, (col - start) * module, module)
                else:
                    col += 1
        c.drawPath(path, stroke=0, fill=1)
        c.restoreState()
        s = self.style
        code_size = s.footer * 1.35
        code_line = fill(self.template["qr_code"], self.values)
        self.text.show(x, y - code_size * 1.25, code_line, code_size, align="center", width=side)
        self.text.set_color(MUTED)
        self.text.show(x, y - code_size * 1.25 - s.footer * 1.35, self.template["qr_caption"], s.footer, align="center",
                       width=side)
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
    if not landscape and any(layout.cramped for layout, _pages in planned):
        # Too many columns for the page's width (危房改造 with its funding parts…): turn the page rather
        # than break names and amounts across lines.
        geo = page_geometry(paper, True)
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
                       part_pages=[len(pages) for _layout, pages in planned], paper=geo.paper, landscape=geo.landscape)


def _planned_poster(data: PosterData, geo, kit: TextKit, template: dict, job: Job) -> tuple[PosterLayout, list[PagePlan]]:
    """Measure and paginate one poster; refuse an empty table notice or one still holding private data."""
    if data.entry.code != "generic" and not data.items:
        raise EmptyNotice(
            f"该公示（{data.entry.name}）没有任何名单明细，不能打印空表。请先导入名单或添加明细。",
            detail={"notice_id": data.notice_id},
        )
    layout = PosterLayout(data, geo, kit, template)
    layout.measure(job)
    check_page_fits(layout)
    pages = layout.paginate()
    job.check()
    layout.assert_publishable([data.township_phone, data.county_phone, *data.public_phones])
    return layout, pages
