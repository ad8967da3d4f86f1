"""The 依申请公开 page: the register (requesters masked), one request's own page, its actions and letters.

Left: the register as a table (`RequestTableModel`; overdue in red, due within
5 working days in amber), filtered by year, "open only" and a search box.
Right: the selected request's own page — the only place the requester's name
and contact details show in clear — with its clock explained, 补正/延期/
征求意见/答复/复议诉讼 and the letters issued; buttons open the dialogs
(`ui.requests.dialogs`) and print letters (issue the 文号 with one op, draw the
PDF on the worker pool). Everything goes through `ops.requests`; the page
refreshes when `tasks.changed` touches "requests".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.requests import APPEAL_ROUTES, LETTER_KINDS
from zwgk_desktop.ops import requests as ops
from zwgk_desktop.services.printing.letters import render_letter
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.requests.dialogs import (
    AppealDialog,
    ConsultationDialog,
    CorrectionDialog,
    ExtensionDialog,
    NewRequestDialog,
    ReplyDialog,
)
from zwgk_desktop.ui.requests.model import (
    COLUMNS,
    RequestFilter,
    RequestTableModel,
    RowRole,
)
from zwgk_desktop.ui.tasks import error_message
from zwgk_desktop.ui.widgets import SearchBox

DETAIL_CSS = """
<style>
h3 { margin: 0 0 4px 0; }
table.f td { padding: 2px 8px 2px 0; vertical-align: top; }
td.k { color: #6a7380; white-space: nowrap; }
.due { font-size: 13pt; font-weight: 600; }
.red { color: #b42318; } .amber { color: #9a6700; } .green { color: #1a7f37; } .muted { color: #6a7380; }
.sec { margin-top: 10px; font-weight: 600; color: #1f2733; border-bottom: 1px solid #e3e7ec; }
</style>
"""


def _d(day) -> str:
    return day.isoformat() if day else "—"


class RequestsPage(QWidget):
    """The register and one request's page; host it in the main window (`ui.requests.install`)."""

    loaded = Signal(int)  # rows shown
    detail_shown = Signal(str)  # request id
    letter_printed = Signal(str)  # path of the PDF
    failed = Signal(str)  # Chinese message of a failure shown on the page

    def __init__(self, tasks, parent: QWidget | None = None, *, today: Callable[[], date] | None = None,
                 actor_label: Callable[[], str] = lambda: ""):
        super().__init__(parent)
        self.setObjectName("page")
        self.tasks = tasks
        self.today = today or date.today
        self.actor_label = actor_label
        self.detail = None
        self._select_after_load: str | None = None
        self._build()
        tasks.changed.connect(self._on_changed)

    # --- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        title = QLabel(tr("依申请公开"))
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addSpacing(12)
        self.year_box = QComboBox()
        self.year_box.addItem(tr("全部年度"), None)
        this_year = self.today().year
        for year in range(this_year, max(2019, this_year - 6) - 1, -1):
            self.year_box.addItem(tr("{y}年").format(y=year), year)
        self.year_box.currentIndexChanged.connect(self.refresh)
        head.addWidget(self.year_box)
        self.open_only = QCheckBox(tr("只看未办结"))
        self.open_only.toggled.connect(self.refresh)
        head.addWidget(self.open_only)
        self.search = SearchBox(tr("搜索登记号、申请人、内容…"))
        self.search.search_changed.connect(lambda text: self.proxy.setFilterFixedString(text))
        head.addWidget(self.search, 1)
        self.add_button = QPushButton(tr("登记申请(&N)…"))
        self.add_button.clicked.connect(lambda: self.run_dialog("add"))
        self.annual_button = QPushButton(tr("年度报告(&Y)…"))
        self.annual_button.clicked.connect(self.open_annual_report)
        head.addWidget(self.add_button)
        head.addWidget(self.annual_button)
        outer.addLayout(head)
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        outer.addWidget(self.summary)

        self.model = RequestTableModel(self)
        self.proxy = RequestFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._row_chosen(current))

        self.detail_view = QTextBrowser()
        self.detail_view.setObjectName("requestDetail")
        self.detail_view.setOpenLinks(False)
        self.detail_view.setStyleSheet("QTextBrowser#requestDetail { background: #ffffff; border: 1px solid #dde1e7;"
                                       " border-radius: 6px; padding: 6px; }")
        self.detail_view.setHtml(tr("在左侧选择一件申请。"))
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.detail_view, 1)
        self.actions = {}
        rows = (("correct", "补正…"), ("extend", "延期…"), ("consult", "征求第三方意见…")), (
            ("reply", "答复…"), ("carry", "确认结转"), ("appeal", "复议/诉讼…"))
        for group in rows:
            line = QHBoxLayout()
            for key, label in group:
                button = QPushButton(tr(label))
                button.clicked.connect(lambda _checked=False, k=key: self.run_dialog(k))
                self.actions[key] = button
                line.addWidget(button)
            right_layout.addLayout(line)
        self.letters_button = QPushButton(tr("打印文书 ▾"))
        self.letters_menu = QMenu(self.letters_button)
        self.letter_actions = {}
        for kind, label in LETTER_KINDS.items():
            action = self.letters_menu.addAction(tr(label))
            action.triggered.connect(lambda _checked=False, k=kind: self.print_letter(k))
            self.letter_actions[kind] = action
        self.letters_button.setMenu(self.letters_menu)
        right_layout.addWidget(self.letters_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("muted")
        right_layout.addWidget(self.message)

        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 520])
        outer.addWidget(splitter, 1)
        self._enable_actions()

    # --- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the register (the main window calls this on first show and F5)."""
        self.tasks.run_op(ops.list_requests, year=self.year_box.currentData(), open_only=self.open_only.isChecked(),
                          today=self.today(), on_success=self._show_list, on_failure=self._fail)

    def focus_search(self) -> None:
        self.search.setFocus()

    def select_request(self, request_id: str) -> None:
        """Show one request (from 今日待办): reload with all years and select it."""
        self._select_after_load = request_id
        if self.year_box.currentIndex() != 0 or self.open_only.isChecked():
            self.year_box.blockSignals(True)
            self.year_box.setCurrentIndex(0)
            self.year_box.blockSignals(False)
            self.open_only.blockSignals(True)
            self.open_only.setChecked(False)
            self.open_only.blockSignals(False)
        self.refresh()

    def _on_changed(self, changes) -> None:
        if changes.touches("requests"):
            if self.detail is not None and not self._select_after_load:
                self._select_after_load = self.detail.id
            self.refresh()

    def _show_list(self, result) -> None:
        keep = self._select_after_load or (self.detail.id if self.detail else None)
        self._select_after_load = None
        self.model.set_rows(result.rows)
        rows = result.rows
        overdue = sum(1 for r in rows if r.status == "overdue")
        open_count = sum(1 for r in rows if r.status not in ("replied", "replied_late"))
        text = tr("共 {n} 件，办理中 {o} 件").format(n=len(rows), o=open_count)
        if overdue:
            text += tr("，逾期未答复 {m} 件").format(m=overdue)
        self.summary.setText(text)
        self.summary.setStyleSheet("color: #b42318;" if overdue else "")
        if keep and self.model.index_of(keep) >= 0:
            self._select_row(self.model.index_of(keep))
        elif not rows:
            self.detail = None
            self.detail_view.setHtml(tr("登记簿中还没有申请。收到政府信息公开申请后，点“登记申请”。"))
            self._enable_actions()
        self.loaded.emit(len(rows))

    def _select_row(self, source_row: int) -> None:
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if index.isValid():
            before = self.table.currentIndex()
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)
            if before.isValid() and before.row() == index.row():  # no currentRowChanged: load it ourselves
                self._row_chosen(index)

    def _row_chosen(self, index) -> None:
        row = index.data(RowRole) if index.isValid() else None
        if row is None:
            return
        self.tasks.run_op(ops.show_request, row.id, today=self.today(), on_success=self._show_detail,
                          on_failure=self._fail)

    def _show_detail(self, detail) -> None:
        self.detail = detail
        self.detail_view.setHtml(DETAIL_CSS + detail_html(detail))
        self._enable_actions()
        self.detail_shown.emit(detail.id)

    def _enable_actions(self) -> None:
        d = self.detail
        open_ = d is not None and d.row.status not in ("replied", "replied_late")
        waiting = d is not None and d.clock.waiting_correction
        self.actions["correct"].setEnabled(open_ and (d.correction_sent_on is None or d.correction_received_on is None))
        self.actions["extend"].setEnabled(open_ and not waiting and not d.extension_days)
        self.actions["consult"].setEnabled(open_ and not waiting)
        self.actions["reply"].setEnabled(open_)
        self.actions["carry"].setEnabled(open_)
        self.actions["appeal"].setEnabled(d is not None)
        self.letters_button.setEnabled(d is not None)
        if d is not None:
            self.letter_actions["correction"].setEnabled(d.correction_sent_on is not None)
            self.letter_actions["extension"].setEnabled(bool(d.extension_days))
            self.letter_actions["consultation"].setEnabled(bool(d.consultations))
            self.letter_actions["reply"].setEnabled(not open_)

    def _fail(self, exc: BaseException) -> None:
        message = error_message(exc)
        self.message.setText(f'<span style="color:#b42318">{escape(message)}</span>')
        self.failed.emit(message)

    # --- actions ------------------------------------------------------------------------------
    def make_dialog(self, key: str):
        """The dialog for an action on the current request (tests fill and submit it directly)."""
        today = self.today()
        if key == "add":
            return NewRequestDialog(self.tasks, self, today=today)
        d = self.detail
        if d is None:
            return None
        if key == "correct":
            return CorrectionDialog(self.tasks, d, self, today=today)
        if key == "extend":
            return ExtensionDialog(self.tasks, d, self, today=today, approver=self.actor_label())
        if key == "consult":
            return ConsultationDialog(self.tasks, d, self, today=today)
        if key == "reply":
            return ReplyDialog(self.tasks, d, self, today=today)
        if key == "appeal":
            pending = next((a for a in d.appeals if a.result == "pending"), None)
            return AppealDialog(self.tasks, d, self, today=today, appeal=pending)
        return None

    def run_dialog(self, key: str) -> None:
        if key == "carry":
            self.carry_current()
            return
        dialog = self.make_dialog(key)
        if dialog is None:
            return
        if dialog.exec() and key == "add" and dialog.result_value is not None:
            self._select_after_load = dialog.result_value.id
            self.message.setText(tr("已登记 {n}，答复期限 {d}。").format(
                n=dialog.result_value.number, d=_d(dialog.result_value.due)))

    def carry_current(self, year: int | None = None) -> None:
        """Confirm the current request as 结转下年度 at the end of its year (or `year`)."""
        if self.detail is None:
            return
        year = year or max(self.detail.row.received.year, self.today().year - (1 if self.today().month <= 3 else 0))
        self.tasks.run_op(ops.carry_over, year, [self.detail.id], on_success=lambda r: self.message.setText(
            tr("已确认结转：{n}（{y}年底仍在办理）").format(n="、".join(r.numbers), y=r.year)), on_failure=self._fail)

    def print_letter(self, kind: str, path: str | None = None) -> None:
        """Issue the letter's 文号 (one op), then draw the PDF on the worker pool and report where it went."""
        d = self.detail
        if d is None:
            return
        if path is None:
            suggested = str(Path.home() / f"{d.row.number}-{LETTER_KINDS[kind]}.pdf")
            path, _ = QFileDialog.getSaveFileName(self, tr("保存文书"), suggested, tr("PDF 文件 (*.pdf)"))
            if not path:
                return

        def issued(doc) -> None:
            self.tasks.run(lambda: render_letter(doc, path), lambda result: self._letter_done(doc, result),
                           self._fail, db=False, owner=self)

        self.tasks.run_op(ops.issue_letter, d.id, kind, today=self.today(), on_success=issued, on_failure=self._fail)

    def _letter_done(self, doc, result) -> None:
        text = tr("已生成{t}（{n}）：{p}").format(t=doc.title, n=doc.doc_number, p=result.path)
        if result.missing_glyphs:
            text += tr("；以下字符字库中没有，已印成方框问号，请手写补正：{c}").format(c="".join(result.missing_glyphs))
        self.message.setText(escape(text))
        self.letter_printed.emit(str(result.path))

    def open_annual_report(self) -> None:
        from zwgk_desktop.ui.requests.annual import AnnualReportDialog

        today = self.today()
        year = today.year - 1 if today.month <= 3 else today.year
        AnnualReportDialog(self.tasks, self, year=year).exec()


def detail_html(d) -> str:
    """The request's own page as rich text (requester in clear: this is the only place)."""
    row, clock = d.row, d.clock
    tone = "red" if row.status == "overdue" else "amber" if (row.days_left is not None and row.days_left <= 5) else (
        "green" if row.status == "replied" else "")
    parts = [f'<h3>{escape(row.number)} · <span class="{tone}">{escape(tr(row.status_label))}</span></h3>']
    fields = [
        (tr("申请人"), f"{escape(d.name or '—')}（{escape(tr(row.requester_type_label))}）"),
        (tr("联系方式"), escape("　".join(x for x in (d.phone, d.email, d.address) if x) or "—")),
        (tr("收到"), (f"{_d(row.received)}（{escape(tr(row.channel_label))}）"
                     f"<br><span class='muted'>{escape(d.receipt_rule)}</span>")),
        (tr("申请内容"), escape(d.content).replace("\n", "<br>")),
        (tr("获取方式"), escape(d.form_wanted or "—")),
    ]
    parts.append('<table class="f">' + "".join(f'<tr><td class="k">{k}</td><td>{v}</td></tr>' for k, v in fields)
                 + "</table>")
    due = _d(clock.due) if clock.due else tr("等待补正，尚未起算")
    parts.append(f'<div class="sec">{tr("答复期限")}</div><div class="due {tone}">{due}</div>'
                 f'<div class="muted">{escape(clock.explanation)}</div>')
    for warning in clock.warnings:
        parts.append(f'<div class="amber">⚠ {escape(warning)}</div>')
    if row.status not in ("replied", "replied_late") and d.correction_sent_on is None:
        parts.append(f'<div class="muted">{tr("补正告知须在 {d} 前发出").format(d=_d(clock.correction_notice_due))}</div>')
    if d.correction_sent_on:
        parts.append(f'<div class="sec">{tr("补正")}</div><div>'
                     + tr("{s} 告知补正；收到补正：{r}").format(s=_d(d.correction_sent_on),
                                                          r=_d(d.correction_received_on) if d.correction_received_on
                                                          else tr("尚未收到"))
                     + (f"<br><span class='muted'>{escape(d.correction_items)}</span>" if d.correction_items else "")
                     + "</div>")
    if d.extension_days:
        parts.append(f'<div class="sec">{tr("延期")}</div><div>'
                     + tr("延长 {n} 个工作日（{a} 同意，{t} 告知申请人）：{r}").format(
                         n=d.extension_days, a=escape(d.extension_approver), t=_d(d.extension_notified_on),
                         r=escape(d.extension_reason)) + "</div>")
    if d.consultations:
        items = "".join(
            f"<li>{_d(c.sent_on)} {tr('征求')} {escape(c.third_party or '第三方')} {tr('意见')}："
            f"{escape(tr(c.opinion_label))}{'（' + _d(c.replied_on) + '）' if c.replied_on else ''}"
            f"<span class='muted'>　{tr('第三方期限')} {_d(c.lapse)}</span></li>" for c in d.consultations)
        parts.append(f'<div class="sec">{tr("征求第三方意见")}</div><ul>{items}</ul>')
    if row.outcome:
        parts.append(f'<div class="sec">{tr("答复")}</div><div>{_d(row.replied)}　<b>{escape(tr(row.outcome_label))}</b>'
                     + (f"<br><span class='muted'>{tr('依据')}：{escape(d.outcome_basis)}</span>" if d.outcome_basis else "")
                     + (f"<br>{escape(d.outcome_note)}" if d.outcome_note else "") + "</div>")
    if row.carried_over_year and row.status not in ("replied", "replied_late"):
        parts.append(f'<div class="muted">{tr("已确认结转：{y}年底仍在办理").format(y=row.carried_over_year)}</div>')
    if d.appeals:
        items = "".join(
            f"<li>{_d(a.filed_on)} {escape(tr(a.kind_label))}"
            f"{'（' + escape(tr(APPEAL_ROUTES.get(a.route, ''))) + '）' if a.route else ''}："
            f"{escape(tr(a.result_label))}{'（' + _d(a.decided_on) + '）' if a.decided_on else ''}</li>"
            for a in d.appeals)
        parts.append(f'<div class="sec">{tr("行政复议、行政诉讼")}</div><ul>{items}</ul>')
    if d.letters:
        items = "".join(f"<li>{_d(x.issued_on)} {escape(tr(x.title))} <b>{escape(x.doc_number)}</b></li>" for x in d.letters)
        parts.append(f'<div class="sec">{tr("已出具文书")}</div><ul>{items}</ul>')
    return "".join(parts)


__all__ = ["COLUMNS", "RequestsPage", "detail_html"]

