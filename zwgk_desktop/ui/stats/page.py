"""The statistics page (统计报表): year selector, key figures, QPainter charts, export to .xlsx.

`StatsPage(database, tasks=None, parent=None)` runs the `ops.statistics`
use cases and renders their DTOs (`YearStatistics`). With the app's
`TaskManager` they run through `tasks.run_op` (figures on the worker pool,
the workbook with a progress dialog) as the signed-in user; without one
(tests, simple embedding) they run inline as a read-only viewer.
`load_year(year)` fills the page; `export_to(path)` writes the workbook for
the selected year. After a write that changes what is counted (notices,
postings, photos, objections) the page recomputes, at once when shown,
else the next time it is shown.

Village scope (村级用户): `set_village_scope(ids)` (empty = the whole
township, the other pages' convention) makes every figure, chart and the
export count only those villages, says so in a line under the title, and
recomputes at once if the page has loaded. The op narrows to the acting
user's own villages in any case.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.users import GUEST_ACTOR
from zwgk_desktop.ops import statistics as stats_ops
from zwgk_desktop.services.reports.statistics import YearStatistics
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.stats.charts import BarChart, LineChart, Series


def fen_short(fen: float) -> str:
    """Axis/label money: 万元 with one decimal from 1万 up, else whole 元."""
    if abs(fen) >= 1_000_000:
        return f"{fen / 1_000_000:,.1f}".removesuffix(".0") + "万"
    return f"{fen / 100:,.0f}"


def count_text(value: float) -> str:
    return f"{value:,.0f}"


def percent_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# Kinds of data whose change alters the figures (see ops.base.KINDS).
COUNTED_KINDS = ("notices", "items", "postings", "photos", "objections", "villages", "boards")


class FigureCard(QFrame):
    """One key figure: a big number and a caption."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setStyleSheet(
            "QFrame#figureCard { background: #f7f9fc; border: 1px solid #e1e6ec; border-radius: 10px; }"
            "QLabel#figureValue { font-size: 20pt; font-weight: 700; color: #1f2733; }"
            "QLabel#figureCaption { color: #6a7380; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        self.value = QLabel("—")
        self.value.setObjectName("figureValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("figureCaption")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str) -> None:
        self.value.setText(text)


class StatsPage(QWidget):
    """Yearly statistics with charts; host it in the main window's page stack."""

    loaded = Signal(int)  # year
    exported = Signal(str)  # path of the written workbook

    def __init__(self, database, tasks=None, parent: QWidget | None = None, *, load_now: bool = True):
        super().__init__(parent)
        self.setObjectName("page")
        self.database = database
        self.tasks = tasks
        self.stats: YearStatistics | None = None
        self.village_scope: tuple[str, ...] = ()
        self._loaded_once = False
        self._stale = False  # data changed while the page was hidden: recompute when shown
        self._generation = 0  # results computed for an older year or scope are dropped
        self._build()
        if tasks is not None:
            tasks.changed.connect(self._on_changed)
        if load_now:
            self.refresh_years()

    def refresh(self) -> None:
        """Reload the years and the chosen year's figures (the main window calls this on first show and F5)."""
        self.refresh_years()

    def set_village_scope(self, village_ids: Iterable[str]) -> None:
        """Count only these villages (村级用户); empty = the whole township. Recomputes if the page has loaded."""
        scope = tuple(village_ids)
        if scope == self.village_scope:
            return
        self.village_scope = scope
        self.scope_label.hide()  # shown with the villages' names when the figures are reloaded
        if self._loaded_once:
            self.refresh_years()

    def _scope_ids(self) -> tuple[str, ...] | None:
        return self.village_scope or None

    def _run(self, op, *args, on_success, on_failure=None, progress: str | None = None) -> None:
        """Run an `ops.statistics` use case: through the task manager, or inline (as a viewer) without one."""
        if self.tasks is not None:
            self.tasks.run_op(op, *args, on_success=on_success, on_failure=on_failure, progress=progress, parent=self)
            return
        try:
            result = op(self.database, GUEST_ACTOR, *args)
        except Exception as exc:  # noqa: BLE001 - shown like the task manager would
            if on_failure is None:
                raise
            on_failure(exc)
            return
        on_success(result)

    def _on_changed(self, changes) -> None:
        """Recompute after a write that alters the figures (now if shown, else when next shown)."""
        if not self._loaded_once or not changes.touches(*COUNTED_KINDS):
            return
        if self.isVisible():
            self.refresh_years()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh_years()

    # --- layout -------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        head = QHBoxLayout()
        title = QLabel(tr("统计报表"))
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addSpacing(16)
        head.addWidget(QLabel(tr("年度：")))
        self.year_box = QComboBox()
        self.year_box.setMinimumWidth(110)
        self.year_box.currentIndexChanged.connect(self._year_chosen)
        head.addWidget(self.year_box)
        head.addStretch(1)
        self.export_button = QPushButton(tr("导出统计表（Excel）…"))
        self.export_button.clicked.connect(self._ask_export)
        head.addWidget(self.export_button)
        outer.addLayout(head)
        self.scope_label = QLabel()
        self.scope_label.setObjectName("scopeLine")
        self.scope_label.setStyleSheet("QLabel#scopeLine { color: #0b5cad; font-weight: 600; }")
        self.scope_label.setWordWrap(True)
        self.scope_label.hide()
        outer.addWidget(self.scope_label)
        self.message = QLabel()
        self.message.setObjectName("muted")
        outer.addWidget(self.message)

        body = QWidget()
        grid = QVBoxLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        cards = QHBoxLayout()
        self.cards = {
            key: FigureCard(caption)
            for key, caption in (
                ("notices", tr("已公示公示(公告)数")), ("items", tr("公开条目(户)数")), ("amount", tr("涉及金额(元)")),
                ("evidence", tr("张贴照片留证率")), ("objections", tr("异议办结 / 受理")),
            )
        }
        for card in self.cards.values():
            cards.addWidget(card)
        grid.addLayout(cards)
        charts = QGridLayout()
        charts.setSpacing(14)
        self.month_chart = BarChart(tr("各月公示数"))
        self.money_chart = LineChart(tr("各月涉及金额（元）"))
        self.category_chart = BarChart(tr("各类别公示数与有照片留证的张贴"))
        self.village_chart = BarChart(tr("各村公开条目(户)数"))
        for index, chart in enumerate((self.month_chart, self.money_chart, self.category_chart, self.village_chart)):
            chart.setMinimumHeight(280)
            charts.addWidget(chart, index // 2, index % 2)
        grid.addLayout(charts, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

    # --- data ---------------------------------------------------------------
    def refresh_years(self) -> None:
        """Offer the years with data in scope and load the chosen (else the newest) one."""
        self._loaded_once = True
        self._stale = False
        self._generation += 1
        generation = self._generation

        def shown(found: stats_ops.StatisticsYears) -> None:
            if generation == self._generation:
                self._show_years(found)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._failed(exc)

        self._run(stats_ops.statistics_years, self._scope_ids(), on_success=shown, on_failure=failed)

    def _show_years(self, found: stats_ops.StatisticsYears) -> None:
        chosen = self.selected_year()
        scope = self._scope_ids()
        years = list(found.years)
        self._show_scope(list(found.village_names))
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for year in years:
            self.year_box.addItem(tr("{y}年").format(y=year), year)
        self.year_box.blockSignals(False)
        self.export_button.setEnabled(bool(years))
        if years:
            kept = self.year_box.findData(chosen)
            self.load_year(chosen if kept >= 0 else years[0])
        else:
            self._generation += 1  # a computation still running for the previous scope is dropped
            self._clear()
            self.message.setText(
                tr("您负责的村（社区）还没有进入公示阶段的公示，暂无统计数据。") if scope
                else tr("还没有进入公示阶段的公示，暂无统计数据。"))

    def _show_scope(self, names: list[str]) -> None:
        """The line under the title telling a 村级用户 whose figures these are (hidden for township staff)."""
        if self.village_scope:
            self.scope_label.setText(
                tr("以下为您负责的村（社区）的统计：{names}").format(names="、".join(names) or tr("（无）")))
        self.scope_label.setVisible(bool(self.village_scope))

    def _clear(self) -> None:
        """Empty figures and charts (a scope with no data must not keep the previous scope's numbers)."""
        self.stats = None
        for card in self.cards.values():
            card.set_value("—")
        for chart in (self.month_chart, self.money_chart, self.category_chart, self.village_chart):
            chart.set_data([], [])

    def selected_year(self) -> int | None:
        return self.year_box.currentData()

    def _year_chosen(self, _index: int) -> None:
        year = self.selected_year()
        if year is not None:
            self.load_year(year)

    def load_year(self, year: int) -> None:
        """Compute the year's statistics (in the background if a task manager is present) and show them."""
        index = self.year_box.findData(year)
        if index >= 0 and index != self.year_box.currentIndex():
            self.year_box.blockSignals(True)
            self.year_box.setCurrentIndex(index)
            self.year_box.blockSignals(False)
        self._generation += 1
        generation = self._generation

        def shown(stats: YearStatistics) -> None:
            if generation == self._generation:
                self.show_statistics(stats)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._failed(exc)

        if self.tasks is not None:
            self.message.setText(tr("正在统计…"))
        self._run(stats_ops.year_statistics, year, self._scope_ids(), on_success=shown, on_failure=failed)

    def _failed(self, exc: BaseException) -> None:
        from zwgk_desktop.ui.tasks import error_message

        self.message.setText(error_message(exc))

    def show_statistics(self, stats: YearStatistics) -> None:
        self.stats = stats
        category = stats.table("by_category")
        total = category.total
        col = {c.label: i for i, c in enumerate(category.columns)}
        self.cards["notices"].set_value(count_text(total[col["公示(公告)数"]]))
        self.cards["items"].set_value(count_text(total[col["公开条目(户)数"]]))
        self.cards["amount"].set_value(fen_short(total[col["涉及金额(元)"]]))
        self.cards["evidence"].set_value(percent_text(total[col["留证率"]]))
        self.cards["objections"].set_value(f"{total[col['异议已办结']]} / {total[col['收到异议']]}")
        month = stats.table("by_month")
        months = [r[0] for r in month.rows]
        self.month_chart.set_data(months, [Series(tr("公示数"), tuple(month.column_values("公示(公告)数")))], count_text)
        self.money_chart.set_data(months, [Series(tr("涉及金额"), tuple(month.column_values("涉及金额(元)")), "#e8590c")], fen_short)
        self.category_chart.set_data(
            category.column_values("公开类别"),
            [Series(tr("公示数"), tuple(category.column_values("公示(公告)数"))),
             Series(tr("有照片留证的张贴"), tuple(category.column_values("有照片留证")), "#2f9e44")],
            count_text,
        )
        village = stats.table("by_village")
        rows = [r for r in village.rows if r[2] is not None]
        self.village_chart.set_data([r[0] for r in rows], [Series(tr("条目(户)数"), tuple(r[2] for r in rows), "#0c8599")], count_text)
        self.message.setText(tr("{t}{y}年：统计已公示（公示中、期满、已归档）的 {n} 条公示；更正只计最新版本。").format(
            t=stats.scope_name, y=stats.year, n=stats.notices))
        self.loaded.emit(stats.year)

    # --- export -------------------------------------------------------------
    def _ask_export(self) -> None:
        year = self.selected_year()
        if year is None:
            return
        whose = "、".join(self.stats.villages) if self.stats is not None else ""
        path, _ = QFileDialog.getSaveFileName(
            self, tr("导出统计表"), tr("{v}{y}年政务公开统计表.xlsx").format(v=whose, y=year), tr("Excel 工作簿 (*.xlsx)")
        )
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.export_to(path)

    def export_to(self, path: str) -> None:
        """Write the selected year's workbook (off the UI thread with a progress dialog when possible)."""
        year = self.selected_year()

        def done(written: stats_ops.StatisticsExport) -> None:
            self.message.setText(tr("已导出：{p}").format(p=written.path))
            self.exported.emit(written.path)

        self._run(stats_ops.export_statistics, year, path, self._scope_ids(), on_success=done,
                  progress=tr("正在生成统计表…"))
