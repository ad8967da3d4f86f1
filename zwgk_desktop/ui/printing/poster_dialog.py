"""打印公示: the poster print dialog — 范围, 计划张贴日, paper and orientation, a live preview, print and save as PDF.

Every step is an op of `ops.printing`, run through the window's TaskManager
with the inline strip (`tasks.run_op(..., progress=self.strip)`):
`poster_choices` fills 范围 and the 公示期 box; `preview_poster` loads the
notice in a read session and renders it outside any session on the worker
pool (nothing recorded; changing an option cancels a running render);
"另存为 PDF…" and "打印…" run `render_poster` (read + render) and then
`record_poster_print` on the database thread, which records a
`PrintedVersion` as the signed-in user with the 核验码 printed; the short
SHA-256 is shown afterwards.

范围: the whole list (乡镇公开栏), one village's part (its 村务公开栏, titled
"…（石桥村）", own totals) or every village's part in one file, each on its
own pages. A village user only ever gets their villages' parts.
公示期: a posted notice prints its posting's period; one not yet posted prints
the period of the planned posting day chosen here (default: the next
working day), recorded with the print.

Banners (non-modal): characters no bundled font can draw, naming the people
whose names hold them (from the notice's line items), and a note when the
notice is not approved yet (the poster carries a 草稿/样稿 watermark).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.periods import poster_period_line
from zwgk_desktop.ops import printing
from zwgk_desktop.ops.printing import PosterChoices, PosterPreview, PosterRequest
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.printing.pdfview import PdfPreview
from zwgk_desktop.ui.printing.progress import Banner, JobStrip, is_cancel, show_final_failure
from zwgk_desktop.ui.tasks import error_message
from zwgk_desktop.ui.widgets import muted_label, radio_choice

EACH_VILLAGE = "*each-village*"  # the 范围 choice "every village's part, each on its own pages"


def short_sha(sha256: str) -> str:
    """The first 16 hex digits in groups of four, as the clerk reads them out."""
    head = sha256[:16].upper()
    return " ".join(head[i:i + 4] for i in range(0, len(head), 4))


def missing_glyph_html(preview: PosterPreview) -> str:
    """The 生僻字 warning: which characters, and whose names hold them."""
    chars = "、".join(f"“{escape(ch)}”(U+{ord(ch):04X})" for ch in preview.missing_glyphs)
    lines = [tr("<b>有 {n} 个字没有内置字体可以打印</b>：{chars}。打印出来会是带框的问号，请核对后手写补正或更换写法。").format(
        n=len(preview.missing_glyphs), chars=chars)]
    if preview.affected:
        people = "；".join(
            tr("第{seq}行 <b>{name}</b>（{place}）").format(seq=a.seq, name=escape(a.name), place=escape(a.place or tr("未填村组")))
            for a in preview.affected
        )
        lines.append(tr("涉及的人：{people}").format(people=people))
        if preview.affected_total > len(preview.affected):
            lines.append(tr("……共 {n} 人。").format(n=preview.affected_total))
    else:
        lines.append(tr("这些字出现在标题、说明或表格的其他栏目中，不在人名里。"))
    return "<br>".join(lines)


# --- the dialog ----------------------------------------------------------------------


class PosterPrintDialog(QDialog):
    """Preview, print and save the poster of one notice."""

    preview_ready = Signal(object)  # PosterPreview
    saved = Signal(object)  # PrintResult of 另存为 PDF
    printed = Signal(object)  # PrintResult of 打印 (after the pages went to the printer)
    failed = Signal(str)  # the Chinese message of a failure (also shown in the dialog)

    def __init__(self, database, config, tasks, disclosure_id: str, parent: QWidget | None = None, *,
                 actor=None, status_bar=None):
        super().__init__(parent)
        self.database, self.config, self.tasks = database, config, tasks
        self.disclosure_id, self.status_bar = disclosure_id, status_bar
        self.actor = actor or tasks.actor  # who prints: recorded as printed_by
        self.village_scope = self.actor.village_scope if self.actor is not None else None
        self.choices: PosterChoices | None = None
        self.preview: PosterPreview | None = None
        self.last_result = None
        self._temp = Path(tempfile.mkdtemp(prefix="zwgk-poster-"))
        self._serial = 0
        self._printer = None
        self._closed = False
        self._whole_allowed = False  # set when 范围 arrives
        self.setWindowTitle(tr("打印公示"))
        self.resize(1180, 860)
        self._build()
        self.load_scope()

    # --- layout ---------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 14)
        outer.setSpacing(16)
        side = QFrame(self)
        side.setObjectName("posterSide")
        side.setFixedWidth(290)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(12)
        self.title_label = QLabel(tr("正在读取公示…"), side)
        self.title_label.setObjectName("detailTitle")
        self.title_label.setWordWrap(True)
        side_layout.addWidget(self.title_label)
        self.facts_label = muted_label("", side)
        side_layout.addWidget(self.facts_label)

        scope_box = QGroupBox(tr("范围"), side)
        scope_layout = QVBoxLayout(scope_box)
        self.scope_combo = QComboBox(scope_box)
        self.scope_combo.setEnabled(False)
        scope_label = QLabel(tr("名单(&L)："), scope_box)
        scope_label.setBuddy(self.scope_combo)
        scope_layout.addWidget(scope_label)
        scope_layout.addWidget(self.scope_combo)
        self.board_combo = QComboBox(scope_box)
        self.board_combo.setEnabled(False)
        self.board_combo.setToolTip(tr("为某一公开栏打印时，海报二维码下的核验码注明该公开栏，照片核验时可据此认出张贴位置"))
        board_label = QLabel(tr("张贴公开栏(&B)："), scope_box)
        board_label.setBuddy(self.board_combo)
        scope_layout.addWidget(board_label)
        scope_layout.addWidget(self.board_combo)
        side_layout.addWidget(scope_box)

        period_box = QGroupBox(tr("公示期"), side)
        period_layout = QVBoxLayout(period_box)
        day_row = QHBoxLayout()
        self.posting_day_label = QLabel(tr("计划张贴日(&D)："), period_box)
        self.posting_day_edit = QDateEdit(period_box)
        self.posting_day_edit.setCalendarPopup(True)
        self.posting_day_edit.setDisplayFormat("yyyy-MM-dd")
        self.posting_day_edit.setEnabled(False)
        self.posting_day_label.setBuddy(self.posting_day_edit)
        day_row.addWidget(self.posting_day_label)
        day_row.addWidget(self.posting_day_edit, 1)
        period_layout.addLayout(day_row)
        self.period_label = muted_label("", period_box)
        period_layout.addWidget(self.period_label)
        self.posting_day_edit.dateChanged.connect(lambda _day: self._on_posting_day_changed())
        side_layout.addWidget(period_box)

        paper_box = QGroupBox(tr("纸张"), side)
        _row, self.paper_group, (self.a4_radio, self.a3_radio) = radio_choice(self, paper_box, [tr("A&4"), tr("A&3")])
        side_layout.addWidget(paper_box)
        orientation_box = QGroupBox(tr("方向"), side)
        _row, self.orientation_group, (self.portrait_radio, self.landscape_radio) = radio_choice(
            self, orientation_box, [tr("纵向(&V)"), tr("横向(&H)")]
        )
        side_layout.addWidget(orientation_box)
        hint = muted_label(tr("名单列多或人多时可改用 A3 或横向；更改后预览自动更新。"), side)
        side_layout.addWidget(hint)
        self.paper_group.buttonToggled.connect(self._on_option_toggled)
        self.orientation_group.buttonToggled.connect(self._on_option_toggled)

        self.print_button = QPushButton(tr("打印(&P)…"), side)
        self.print_button.setDefault(True)
        self.print_button.setMinimumHeight(36)
        self.print_button.setStyleSheet(
            "QPushButton { background: #1f6feb; color: white; border: none; border-radius: 6px; font-weight: 600; }"
            "QPushButton:disabled { background: #a9c2ea; }"
        )
        self.save_button = QPushButton(tr("另存为 PDF(&S)…"), side)
        self.save_button.setMinimumHeight(32)
        self.print_button.clicked.connect(self.ask_and_print)
        self.save_button.clicked.connect(self.ask_and_save)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self._print_if_ready)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._save_if_ready)
        side_layout.addWidget(self.print_button)
        side_layout.addWidget(self.save_button)
        self.result_banner = Banner(side)
        side_layout.addWidget(self.result_banner)
        side_layout.addStretch(1)
        close_button = QPushButton(tr("关闭"), side)
        close_button.clicked.connect(self.reject)
        side_layout.addWidget(close_button)
        outer.addWidget(side)

        main = QVBoxLayout()
        main.setSpacing(8)
        self.draft_banner = Banner(self)
        self.glyph_banner = Banner(self)
        self.strip = JobStrip(self)
        self.viewer = PdfPreview(self.tasks, self)
        main.addWidget(self.draft_banner)
        main.addWidget(self.glyph_banner)
        main.addWidget(self.strip)
        main.addWidget(self.viewer, 1)
        outer.addLayout(main, 1)
        self._set_busy(True)

    # --- options ---------------------------------------------------------------
    @property
    def village_id(self) -> str | None:
        """The village whose part is shown (None: the whole list; EACH_VILLAGE: every part)."""
        return self.scope_combo.currentData()

    def load_scope(self) -> None:
        """Read 范围 and the 公示期 (a read op on the pool), fill them, then render the first preview."""
        self.viewer.clear(tr("正在读取公示…"))
        self.tasks.run_op(printing.poster_choices, self.disclosure_id, on_success=self._show_parts,
                          on_failure=self._preview_failed, owner=self, actor=self.actor)

    def _show_parts(self, choices: PosterChoices) -> None:
        if self._closed:
            return
        self.choices = choices
        self._show_period_box(choices)
        self.board_combo.blockSignals(True)
        self.board_combo.clear()
        self.board_combo.addItem(tr("不指定（村名单按本村公开栏）"), None)
        for board in choices.boards:
            self.board_combo.addItem(board.name, board.id)
        self.board_combo.blockSignals(False)
        self.board_combo.setEnabled(self.board_combo.count() > 1)
        self.board_combo.currentIndexChanged.connect(lambda _index: self.render_preview())
        parts, self._whole_allowed = choices.parts, choices.whole
        combo = self.scope_combo
        combo.blockSignals(True)
        combo.clear()
        if choices.whole:
            combo.addItem(tr("全部名单（乡镇公开栏）") if parts else tr("全文"), None)
        for part in parts:
            combo.addItem(tr("{v}（{n} 户，本村公开栏）").format(v=part.name, n=part.lines), part.village_id)
        if self.village_scope is None and len(parts) > 1:
            combo.addItem(tr("各村名单（{n} 个村，每村单独成页）").format(n=len(parts)), EACH_VILLAGE)
        combo.blockSignals(False)
        combo.setEnabled(combo.count() > 1)
        combo.currentIndexChanged.connect(lambda _index: self.render_preview())
        if combo.count() == 0:  # a village user whose villages have no line in this notice
            self.viewer.clear(tr("这份公示的名单中没有您负责的村（社区）的对象，无需在本村公开栏张贴。"))
            return
        self.render_preview()

    def _show_period_box(self, choices: PosterChoices) -> None:
        """Posted: its period, no day to choose. Not posted: the planned day (default next working day)."""
        self.posting_day_edit.blockSignals(True)
        day = choices.default_posting_day
        self.posting_day_edit.setDate(QDate(day.year, day.month, day.day))
        self.posting_day_edit.blockSignals(False)
        self.posting_day_edit.setEnabled(not choices.posted)
        self.posting_day_label.setText(tr("张贴日：") if choices.posted else tr("计划张贴日(&D)："))
        self._show_period_text(choices.period, choices.posted)

    def _show_period_text(self, period, posted: bool) -> None:
        line = poster_period_line(period)
        note = tr("（已张贴，按张贴登记）") if posted else tr("（按计划张贴日计算，打印时一并记录）")
        self.period_label.setText(line + note)

    @property
    def posting_day(self) -> date | None:
        """The planned posting day chosen (None for a posted notice: its own period prints)."""
        if self.choices is None or self.choices.posted:
            return None
        return self.posting_day_edit.date().toPython()

    def set_posting_day(self, day: date) -> None:
        """Choose the planned posting day (as the date field does); re-renders the preview."""
        self.posting_day_edit.setDate(QDate(day.year, day.month, day.day))

    def _on_posting_day_changed(self) -> None:
        if self.choices is not None and not self.choices.posted:
            self.render_preview()

    def request(self) -> PosterRequest:
        """What is to be printed, as the ops take it."""
        village_id = self.village_id
        each = village_id == EACH_VILLAGE
        board_id = None if each else self.board_combo.currentData()
        return PosterRequest(self.disclosure_id, village_id=None if each else village_id, each_village=each,
                             board_id=board_id, posting_day=self.posting_day)

    @property
    def paper(self) -> str:
        return "A3" if self.a3_radio.isChecked() else "A4"

    @property
    def landscape(self) -> bool:
        return self.landscape_radio.isChecked()

    def set_options(self, paper: str, landscape: bool) -> None:
        """Choose paper and orientation (as the radio buttons do); re-renders the preview once."""
        self.paper_group.blockSignals(True)
        self.orientation_group.blockSignals(True)
        (self.a3_radio if paper.upper() == "A3" else self.a4_radio).setChecked(True)
        (self.landscape_radio if landscape else self.portrait_radio).setChecked(True)
        self.paper_group.blockSignals(False)
        self.orientation_group.blockSignals(False)
        self.render_preview()

    def _on_option_toggled(self, _button, checked: bool) -> None:
        if checked:
            self.render_preview()

    def _set_busy(self, busy: bool) -> None:
        ready = not busy and self.preview is not None
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _temp_pdf(self, stem: str) -> str:
        self._serial += 1
        return str(self._temp / f"{stem}-{self._serial}.pdf")

    def _say(self, text: str) -> None:
        if self.status_bar is not None:
            self.status_bar.showMessage(text, 10000)

    # --- preview ---------------------------------------------------------------
    def render_preview(self) -> None:
        """Render the poster with the chosen paper to a temp PDF (off the UI thread) and show it."""
        self.preview = None
        self._set_busy(True)
        if self.village_id is None and not self._whole_allowed:
            return  # a village user sees only their villages' parts, never the whole list
        self.viewer.clear(tr("正在生成预览…"))
        self.tasks.run_op(
            printing.preview_poster, self.config, self.request(), self._temp_pdf("preview"), paper=self.paper,
            landscape=self.landscape, title_suffix=tr("（各村名单）"), progress=self.strip, label=tr("正在排版公示…"),
            on_success=self._show_preview, on_failure=self._preview_failed, actor=self.actor,
        )

    def _show_preview(self, preview: PosterPreview) -> None:
        self.preview = preview
        self.title_label.setText(preview.title)
        orientation = tr("横向") if preview.landscape else tr("纵向")
        codes = "、".join(c.as_json()["display"] for c in preview.codes) or tr("无（未审核的样稿）")
        self.facts_label.setText(tr("状态：{s}\n{paper} {o}，共 {n} 页\n核验码：{c}\n校验码：{h}").format(
            s=preview.status_label, paper=preview.paper, o=orientation, n=preview.pages, c=codes, h=preview.short_hash))
        if self.choices is not None and preview.result is not None and preview.result.period is not None:
            self._show_period_text(preview.result.period, self.choices.posted)
        if preview.approved:
            self.draft_banner.clear_text()
        else:
            self.draft_banner.show_text("warning", tr(
                "此公示尚未审核通过（{s}），预览和打印件带有“{w}”水印，只能用于内部校对，不能张贴。审核通过后再打印正式版。"
            ).format(s=escape(preview.status_label), w=escape(preview.watermark)))
        if preview.missing_glyphs:
            self.glyph_banner.show_text("danger", missing_glyph_html(preview))
        else:
            self.glyph_banner.clear_text()
        self.viewer.load(preview.path)
        self._set_busy(False)
        self.preview_ready.emit(preview)

    def _preview_failed(self, exc: BaseException) -> None:
        if is_cancel(exc):
            self.viewer.clear(tr("已取消预览。更改纸张或方向可重新生成。"))
            return
        message = error_message(exc)
        self.viewer.clear(message)
        self.failed.emit(message)

    # --- save and print -----------------------------------------------------------
    def ask_and_save(self) -> None:
        """Ask where to save (the system file dialog), then save."""
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("另存为 PDF"), str(Path.home() / self._suggested_name()), tr("PDF 文件 (*.pdf)"))
        if path:
            self.save_pdf_to(path if path.lower().endswith(".pdf") else path + ".pdf")

    def _suggested_name(self) -> str:
        title = (self.preview.title if self.preview else tr("公示")).replace("/", "-").replace("\\", "-")
        return f"{title}-{self.paper}{tr('横向') if self.landscape else ''}.pdf"

    def save_pdf_to(self, path: str) -> None:
        """Render the final poster to `path` and record the PrintedVersion; shows the short SHA-256."""
        self._run_final(path, self._saved, tr("正在生成 PDF…"))

    def _run_final(self, out: str, done, label: str) -> None:
        """Render on the pool (read + render, no session while drawing), then record on the database thread."""
        self._set_busy(True)

        def rendered(result) -> None:
            self.tasks.run_op(printing.record_poster_print, self.config, result, progress=self.strip,
                              label=tr("正在记入打印记录…"), on_success=done, on_failure=self._final_failed,
                              actor=self.actor)

        self.tasks.run_op(
            printing.render_poster, self.config, self.request(), out, paper=self.paper, landscape=self.landscape,
            progress=self.strip, label=label, on_success=rendered, on_failure=self._final_failed, actor=self.actor,
        )

    def _saved(self, result) -> None:
        self._set_busy(False)
        self.last_result = result
        self.result_banner.show_text("success", tr("已保存 {n} 页，并记入打印记录。<br>文件：{p}<br>SHA-256：<b>{h}</b>").format(
            n=result.pages, p=escape(result.path), h=short_sha(result.sha256)))
        self.result_banner.setToolTip(result.sha256)
        self._say(tr("公示已另存为 PDF：{p}（SHA-256 {h}）").format(p=result.path, h=short_sha(result.sha256)))
        self.saved.emit(result)

    def _final_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        message = show_final_failure(self.result_banner, exc, tr("已取消，没有保存或打印。"))
        if message is not None:
            self.failed.emit(message)

    def make_printer(self):
        """A high-resolution printer set to the chosen paper and orientation."""
        from zwgk_desktop.ui.printing.printer import new_printer

        # The preview's orientation: a table too wide for a portrait page was laid out landscape.
        landscape = self.preview.landscape if self.preview else self.landscape
        return new_printer(self.preview.title if self.preview else tr("公示"), self.paper, landscape)

    def ask_and_print(self) -> None:
        """The system print dialog, then print (nothing happens if the clerk cancels it)."""
        from zwgk_desktop.ui.printing.printer import ask_print_options

        printer = self.make_printer()
        if ask_print_options(printer, self, tr("打印公示")):
            self.print_to(printer)

    def print_to(self, printer) -> None:
        """Record the final poster, then send its pages to `printer` at the printer's resolution."""
        self._printer = printer
        out = self._temp_pdf("print")
        self._run_final(out, lambda result: self._send_to_printer(result, printer), tr("正在准备打印…"))

    def _send_to_printer(self, result, printer) -> None:
        from zwgk_desktop.ui.printing.printer import print_pdf

        self._set_busy(True)
        self.strip.start(
            self.tasks,
            lambda job: print_pdf(result.path, printer, job),
            lambda _pages: self._printed(result),
            self._final_failed,
            label=tr("正在发送到打印机…"),
            db=False,
        )

    def _printed(self, result) -> None:
        self._set_busy(False)
        self.last_result = result
        self.result_banner.show_text("success", tr("已发送 {n} 页到打印机，并记入打印记录。<br>SHA-256：<b>{h}</b>").format(
            n=result.pages, h=short_sha(result.sha256)))
        self.result_banner.setToolTip(result.sha256)
        self._say(tr("公示已发送到打印机（{n} 页，SHA-256 {h}）").format(n=result.pages, h=short_sha(result.sha256)))
        self.printed.emit(result)

    def _print_if_ready(self) -> None:
        if self.print_button.isEnabled():
            self.ask_and_print()

    def _save_if_ready(self) -> None:
        if self.save_button.isEnabled():
            self.ask_and_save()

    # --- closing ------------------------------------------------------------------
    def done(self, code: int) -> None:  # noqa: D401 (Qt name)
        self._closed = True  # the 范围 list may still arrive: it must not start a render any more
        super().done(code)
        self.viewer.clear()  # drop page pictures still being rendered
        if self.strip.busy:
            self.strip.finished.connect(self.remove_temp_files)  # the worker may still be writing there
            self.strip.cancel()
        else:
            self.remove_temp_files()

    def remove_temp_files(self) -> None:
        shutil.rmtree(self._temp, ignore_errors=True)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.key() == Qt.Key.Key_Escape and self.strip.busy:
            self.strip.cancel()  # Esc first stops the work; a second Esc closes
            return
        super().keyPressEvent(event)
