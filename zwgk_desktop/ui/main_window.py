"""The main window: left navigation, a stack of pages, the status bar, remembered geometry.

Two phases, so the window is on screen before the database is even opened:
- `MainWindow(config)` is the *shell*: frame, navigation, status bar and a
  light `PendingPage` ("正在打开…") under every key; it imports nothing but Qt
  (no SQLAlchemy, no page modules) and emits `first_painted` once it has been
  drawn. `ui.app` opens the database after that.
- `bind(database, tasks)` lets pages run ops (start-up adds 今日待办 then);
  `attach(database, tasks)` binds too and puts the data pages in (公示管理,
  户籍台账, the overview counts); `fill_placeholders()` finally turns every
  key no package has claimed into the "coming later" `PlaceholderPage`.
  Passing `database` and `tasks` to the constructor does all of it at once
  (tests, tools).

Pages are registered by key with `add_page(key, title, widget)`; adding a
key that exists replaces that page in place (the lifecycle engineer's
今日待办 dashboard replaces the placeholder this way). `add_lazy_page(key,
title, factory)` registers a page that is only built (and its heavy modules
imported) when it is first shown or asked for with `page(key)`. A page may
implement any of `refresh()`, `focus_search()`, `save_state(QSettings)`,
`restore_state(QSettings)`; Ctrl+F and F5 call the current page's.
Window geometry and page state (splitters, column widths) live in
`ui-state.ini` inside the data dir, so two data dirs (or tests) never share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.config import Config
from zwgk_desktop.ui.i18n import tr

if TYPE_CHECKING:  # the shell must not import these (SQLAlchemy, page modules) before it is on screen
    from zwgk_desktop.ops.overview import Overview
    from zwgk_desktop.ui.tasks import TaskManager

UI_STATE_FILE = "ui-state.ini"
APP_TITLE = "政务公开公示栏管理系统"
NAV_WIDTH = 168


PLACEHOLDERS = {
    "today": ("今日待办", "每天打开系统先看这里：哪些公示今天到期、哪些需要拍照留档、哪些异议等待处理。", [
        "即将期满和已期满待办结的公示", "张贴后需补拍的开始照片、期满照片", "超过期限未办结的异议", "按季度、按月应公开而尚未公开的村务事项",
    ]),
    "photos": ("照片存档", "公示张贴时和期满时各拍一张清晰照片，系统保留原图、拍摄时间、位置和指纹，便于日后查询。", [
        "导入手机或相机照片，自动读取拍摄时间和位置", "标记模糊、无拍摄时间、时间不符的照片", "按公示、公示栏查看留档照片",
    ]),
    "cards": ("明白卡", "为每户打印惠民政策/资金明白卡和为民服务事项明白卡。", [
        "按村批量打印，A4、A5 两联、A6 四联（带裁切线）、三折页", "身份证号、银行卡号按统一规则隐去", "户主签字栏、帮扶责任人和监督电话",
    ]),
    "reports": ("统计报表", "年度政府信息公开工作报告和县级考评需要的数字，一键汇总。", [
        "按类别、按村统计公示条数、户数和金额", "张贴留档率、异议受理和办结情况", "导出 Excel 报表",
    ]),
    "sync": ("同步", "联网时与县级平台交换数据：上报公示记录和留档照片，下载目录、节假日和补助标准。", [
        "断网时照常工作，联网后自动补传", "查看待上传条目和同步记录", "冲突提示与处理",
    ]),
    "settings": ("设置", "乡镇和村（社区）信息、公示栏、用户与权限、备份。", [
        "乡镇、村（社区）和公示栏管理", "用户、角色与单用户模式", "数据备份与恢复、打印默认设置",
    ]),
}
NAV_ORDER = ("today", "disclosures", "households", "photos", "cards", "reports", "sync", "settings")
NAV_TITLES = {
    "today": "今日待办", "disclosures": "公示管理", "households": "户籍台账", "photos": "照片存档",
    "cards": "明白卡", "reports": "统计报表", "sync": "同步", "settings": "设置",
}
PENDING_TEXT = "正在打开数据库，请稍候…"
# NAV_KEY_ROLE as a plain int: the first read of PySide6's `Qt` namespace builds every one of
# its ~100 Python enums (tens of milliseconds), which the shell leaves until after its first paint.
NAV_KEY_ROLE = 0x0100


class PendingPage(QWidget):
    """The stand-in for a page whose data or module is not loaded yet: its title and one line of status."""

    def __init__(self, title: str, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        heading = QLabel(title, self)
        heading.setObjectName("pageTitle")
        self.status = QLabel(text or tr(PENDING_TEXT), self)
        self.status.setObjectName("muted")
        layout.addWidget(heading)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def set_text(self, text: str) -> None:
        self.status.setText(text)


class MainWindow(QMainWindow):
    """Navigation + pages; owns no data, pages load through `database` and `tasks` (set by `attach`)."""

    overview_loaded = Signal(object)
    first_painted = Signal()  # once, after the window has been drawn for the first time

    def __init__(self, config: Config, database=None, tasks: "TaskManager | None" = None,
                 parent: QWidget | None = None, *, first_page: str | None = None):
        super().__init__(parent)
        self.config = config
        self.database, self.tasks = None, None
        self._actor = None
        self.lifecycle = None  # LifecycleActions, set by zwgk_desktop.ui.lifecycle.install
        self.overview: Overview | None = None
        self.disclosures_page = None
        self.households_page = None
        self._pages: dict[str, QWidget] = {}
        self._lazy: dict[str, tuple[str, Callable[[], QWidget]]] = {}
        self._refreshed_once: set[str] = set()
        self._painted = False
        self.setObjectName("mainWindow")
        self.setWindowTitle(tr(APP_TITLE))
        self.setMinimumSize(QSize(980, 620))

        self.nav = QListWidget(self)
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(NAV_WIDTH)
        self.stack = QStackedWidget(self)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        for key in NAV_ORDER:
            self.add_page(key, tr(NAV_TITLES[key]), PendingPage(tr(NAV_TITLES[key])))
        self.nav.currentRowChanged.connect(self._on_nav_changed)

        self._build_status_bar()
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, activated=self.focus_search)
        QShortcut(QKeySequence("F5"), self, activated=self.refresh_current)

        self.settings = QSettings(str(config.data_dir / UI_STATE_FILE), QSettings.Format.IniFormat)
        self._restore_geometry()
        # After whoever waits for the first paint; with the window as context, so nothing fires once it is gone.
        self.first_painted.connect(lambda: QTimer.singleShot(0, self, self._finish_shell))
        if database is not None:
            self.attach(database, tasks)
            self.fill_placeholders()
            self.show_page(self._remembered_page())
        else:
            self.show_page(first_page if first_page in self._pages else self._remembered_page())

    # --- the phases ---------------------------------------------------------------
    def bind(self, database, tasks: "TaskManager") -> None:
        """The database is open: pages run their ops through `tasks` from now on (今日待办 first, before the
        data pages are attached). Binding the same manager again does nothing."""
        if self.tasks is tasks:
            return
        self.database, self.tasks = database, tasks
        tasks.error_parent = self
        tasks.bind(database=database)
        if self._actor is not None:
            tasks.bind(actor=self._actor)
        tasks.task_failed.connect(lambda message: self.statusBar().showMessage(message, 8000))
        tasks.changed.connect(self._on_data_changed)

    def attach(self, database, tasks: "TaskManager") -> None:
        """Bind the task manager (if `bind` has not) and put the data pages (公示管理, 户籍台账) in."""
        from zwgk_desktop.ui.pages.disclosures import DisclosuresPage
        from zwgk_desktop.ui.pages.households import HouseholdsPage

        self.bind(database, tasks)
        self.disclosures_page = DisclosuresPage(database, tasks, self)
        self.households_page = HouseholdsPage(database, tasks, self)
        for page in (self.disclosures_page, self.households_page):
            restore = getattr(page, "restore_state", None)
            if callable(restore):
                restore(self.settings)
        self.add_page("disclosures", tr(NAV_TITLES["disclosures"]), self.disclosures_page)
        self.add_page("households", tr(NAV_TITLES["households"]), self.households_page)
        for key, page in (("disclosures", self.disclosures_page), ("households", self.households_page)):
            # a list loaded by someone else (the lifecycle loads 公示管理 at start-up) counts as loaded,
            # so `refresh_all` reloads it too
            page.list_loaded.connect(lambda _count, key=key: self._refreshed_once.add(key))
        self.refresh_overview()

    def fill_placeholders(self) -> None:
        """Every key still pending (no package claimed it) becomes the page that says what will come there."""
        from zwgk_desktop.ui.widgets import PlaceholderPage

        for key, (title, summary, points) in PLACEHOLDERS.items():
            if isinstance(self._pages.get(key), PendingPage) and key not in self._lazy:
                self.add_page(key, tr(NAV_TITLES[key]), PlaceholderPage(tr(title), tr(summary), [tr(p) for p in points]))

    def set_pending_text(self, text: str) -> None:
        """What the pages still waiting for data say (e.g. the start-up step in progress)."""
        for page in self._pages.values():
            if isinstance(page, PendingPage):
                page.set_text(text)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)  # after this paint has been flushed to the screen

    def _finish_shell(self) -> None:
        """The touches that need Qt's enum namespace, once the window is on screen (and still open)."""
        if not self.isVisible():
            return
        from PySide6.QtCore import Qt

        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.data_dir_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    @property
    def painted(self) -> bool:
        """Whether the window has been drawn at least once."""
        return self._painted

    @property
    def actor(self):
        """The signed-in core Actor (set by run_app after sign-in and by 切换用户); ops act as them."""
        return self._actor

    @actor.setter
    def actor(self, actor) -> None:
        self._actor = actor
        if actor is not None and self.tasks is not None:
            self.tasks.bind(actor=actor)
            self.refresh_overview()

    # --- pages registry -----------------------------------------------------
    def add_page(self, key: str, title: str, widget: QWidget, *, position: int | None = None) -> QWidget:
        """Register a page under `key` (replacing an existing one in place) and return it."""
        if key in self._pages:
            old = self._pages[key]
            was_current = self.stack.currentWidget() is old
            index = self.stack.indexOf(old)
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(old)
            old.deleteLater()
            self._pages[key] = widget
            self.nav.item(index).setText(title)
            self._refreshed_once.discard(key)
            self._scope_page(widget)
            if was_current:
                self.stack.setCurrentWidget(widget)
                self._ensure_loaded(key)
            return widget
        index = self.stack.count() if position is None else max(0, min(position, self.stack.count()))
        self.stack.insertWidget(index, widget)
        item = QListWidgetItem(title)
        item.setData(NAV_KEY_ROLE, key)
        item.setSizeHint(QSize(NAV_WIDTH - 12, 40))
        self.nav.insertItem(index, item)
        self._pages[key] = widget
        self._scope_page(widget)
        return widget

    def add_lazy_page(self, key: str, title: str, factory: Callable[[], QWidget]) -> None:
        """Register a page built by `factory()` only when it is first shown or asked for (`page(key)`);
        until then a light stand-in holds its place, so its modules are not imported at start-up."""
        self.add_page(key, title, PendingPage(title, tr("正在载入…")))
        self._lazy[key] = (title, factory)

    def _materialize(self, key: str) -> QWidget:
        """Build a lazily registered page now (replacing its stand-in in place) and return it."""
        title, factory = self._lazy.pop(key)
        widget = factory()
        restore = getattr(widget, "restore_state", None)
        if callable(restore):
            restore(self.settings)
        return self.add_page(key, title, widget)

    def apply_village_scope(self, actor=None) -> None:
        """Give every page with `set_village_scope(ids)` the villages `actor` (default: the signed-in
        user) may see: a 村级用户's own, empty = everything. Pages added later get it in `add_page`."""
        for page in self._pages.values():
            self._scope_page(page, actor)

    def _scope_page(self, page: QWidget, actor=None) -> None:
        actor = actor or self.actor
        set_scope = getattr(page, "set_village_scope", None)
        if actor is not None and callable(set_scope):
            set_scope(actor.village_scope or ())

    def page(self, key: str) -> QWidget:
        if key in self._lazy:
            return self._materialize(key)
        return self._pages[key]

    def find_page(self, key: str) -> QWidget | None:
        """The page under `key`, or None when no page has that key."""
        return self.page(key) if key in self.page_keys() else None

    def page_keys(self) -> list[str]:
        return [self.nav.item(i).data(NAV_KEY_ROLE) for i in range(self.nav.count())]

    def current_page_key(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(NAV_KEY_ROLE) if item else None

    def show_page(self, key: str) -> QWidget:
        index = self.stack.indexOf(self._pages[key])
        self.nav.setCurrentRow(index)
        return self._pages[key]

    def _on_nav_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        key = self.nav.item(row).data(NAV_KEY_ROLE)
        self.settings.setValue("window/page", key)
        if key in self._lazy:
            self._materialize(key)  # replaces the stand-in in place and loads it
            return
        self._ensure_loaded(key)

    def _ensure_loaded(self, key: str) -> None:
        """Load a page's data the first time it is shown (later: F5)."""
        if key in self._refreshed_once:
            return
        refresh = getattr(self._pages[key], "refresh", None)
        if callable(refresh):
            self._refreshed_once.add(key)
            refresh()

    # --- actions --------------------------------------------------------------
    def focus_search(self) -> None:
        focus = getattr(self.stack.currentWidget(), "focus_search", None)
        if callable(focus):
            focus()

    def refresh_current(self) -> None:
        refresh = getattr(self.stack.currentWidget(), "refresh", None)
        if callable(refresh):
            refresh()
        self.refresh_overview()

    def refresh_all(self) -> None:
        """Reload the overview and every page already shown (after a demo import or a sync)."""
        self.refresh_overview()
        shown = set(self._refreshed_once)
        current = self.current_page_key()
        self._refreshed_once.clear()
        for key in shown | ({current} if current else set()):
            self._ensure_loaded(key)

    @property
    def attached(self) -> bool:
        """Whether the data pages (公示管理, 户籍台账) are in (`attach`)."""
        return self.disclosures_page is not None

    def refresh_overview(self) -> None:
        if self.actor is None or self.tasks is None or not self.attached:
            return  # nobody signed in yet, or only 今日待办 so far: the counts come with the data pages
        from zwgk_desktop.ops.overview import load_overview

        self.tasks.run_op(load_overview, on_success=self._show_overview)

    def _on_data_changed(self, changes) -> None:
        """The title and status-bar counts follow every write (`tasks.changed`)."""
        if changes.touches("notices", "households", "villages", "settings"):
            self.refresh_overview()

    def _show_overview(self, overview: "Overview") -> None:
        self.overview = overview
        if overview.township:
            self.setWindowTitle(tr("{township} · {app}").format(township=overview.township, app=tr(APP_TITLE)))
        else:
            self.setWindowTitle(tr(APP_TITLE))
        self.counts_label.setText(
            tr("公示 {d} 条（公示中 {p}） · 户籍 {h} 户").format(d=overview.disclosures, p=overview.publishing, h=overview.households)
        )
        self.overview_loaded.emit(overview)

    # --- status bar -----------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.data_dir_label = QLabel(tr("数据目录：{path}").format(path=self.config.data_dir), self)
        self.sync_label = QLabel(tr("● 未连接县级平台"), self)
        self.sync_label.setStyleSheet("color: #8a6d00;")
        self.sync_label.setToolTip(tr("尚未配置县级平台地址；所有功能可离线使用，联网后再同步。"))
        self.counts_label = QLabel("", self)
        self.alert_label = QLabel("", self)  # a lasting problem (damaged database): never covered by notices
        self.alert_label.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.alert_label.setVisible(False)
        bar.addWidget(self.data_dir_label, 1)
        bar.addPermanentWidget(self.alert_label)
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.sync_label)

    def show_alert(self, text: str) -> None:
        """Keep `text` in the status bar until the app closes: the passing notices (saved, backed up, the
        backup reminder) that `statusBar().showMessage` shows never hide it."""
        self.alert_label.setText(text)
        self.alert_label.setVisible(bool(text))
        self.statusBar().showMessage(text, 0)

    def alert_text(self) -> str:
        return self.alert_label.text()

    # --- remembered state -------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1360, 840)

    def _remembered_page(self) -> str:
        key = self.settings.value("window/page") or "disclosures"
        return key if key in self._pages else "disclosures"

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        for widget in self._pages.values():
            save = getattr(widget, "save_state", None)
            if callable(save):
                save(self.settings)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)
