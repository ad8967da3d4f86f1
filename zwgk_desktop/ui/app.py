"""Desktop app bootstrap: `run_app(config, demo_if_empty=False) -> int` (exit code).

The window comes first, everything else after it (on an old township PC the
clerk must see the app at once, not seconds of nothing):
1. QApplication (organisation/app names for QSettings; Fusion chosen on its
   command line, `ui.style.new_application`), then the single-instance
   guard (`ui.single_instance`: if the app already runs on this data
   directory, that window comes to the front and we exit 0);
2. the look: Qt's own strings in Chinese, the primary bundled CJK font,
   Fusion + stylesheet;
3. the main window *shell* (frame, navigation, status bar, a placeholder for
   the first page) is shown. Up to here only Qt and a few small modules of
   ours are imported — no SQLAlchemy, ReportLab, Pillow, openpyxl, httpx…
   (`tests/ui/test_startup_imports.py` checks it at the first paint);
4. after the first paint, 今日待办 as it was when the app last closed is
   shown at once if nothing can have changed it since (same day, database
   and catalogue files untouched: `core.start_snapshot`; single-user
   townships only), its rows not yet actionable; then `Startup` opens the
   database on a background
   thread (SQLAlchemy and the models imported there, the header and schema
   check and upgrade, the modules of the first screen imported too: sign-in
   and 今日待办, nothing else; then sign-in's start state is read there, and
   its first query configures the ORM mappers) while the window stays
   responsive; the rare-character fonts are registered meanwhile. A
   `ZwgkError` such as DatabaseTooNew / DatabaseCorrupt / DataDirError is
   shown in a Chinese dialog and the exit code is 1. The full page check
   (`ops.database.check_pages`: every page read, seconds on a large
   database) runs in the background once the first screen is up, once a
   day, and warns in a dialog if it fails;
5. who is working (`ui.lifecycle.startup.sign_in` with that start state:
   first-run wizard on an empty data dir, single-user mode for the demo,
   else the login dialog over the window; cancelling exits with code 0 and
   writes nothing);
6. the task manager is bound (`MainWindow.bind`), `window.actor` is set and
   the first screen (`FIRST_SCREEN_MODULES`: the lifecycle's 今日待办 page
   alone) is installed and loads;
7. once 今日待办 is filled (`Startup.first_screen_ready`), the data pages'
   modules (`DATA_PAGE_IMPORTS`) and then the packages of `EXTENSION_MODULES`
   (the rest of the lifecycle first, which adopts 今日待办 and loads 公示管理;
   the other packages once that list is in) are imported on a background
   thread; on the UI thread the data pages are attached (`MainWindow.attach`,
   then `Startup.attached`) and the packages installed, one step per turn of
   the event loop (their big pages build on first use). Nothing else
   competes with 今日待办 for the interpreter before it is shown;
8. optional demo township created off the UI thread with a progress dialog;
   event loop until the window closes;
9. on closing, once every task has ended, the signed-in user's 今日待办 is
   read once more, the database closed and the list remembered for the next
   start (`Startup.close_database`).

Pages from other packages plug in through `install_extension_pages`: each
module in `EXTENSION_MODULES` that has `install(window)` is called with the
main window (which offers `add_page`, `add_lazy_page`, `database`, `tasks`,
`actor`).

Hidden switches for benchmarks and screenshots (environment variables):
`ZWGK_EXIT_AFTER_SHOWN=1` prints the seconds since `run_app` started and
quits right after the first paint of the main window; `=today` waits until
今日待办 is on screen (remembered from the last close or read live; the
line says which); `=today-live` until it has been read from the database;
`=ready` waits until the notice list has loaded.
`ZWGK_SCREENSHOT=path.png` saves a picture of the window once the list has
loaded and every package is installed, and then quits; with
`ZWGK_SCREENSHOT_PAGES=today,disclosures,…` it saves one picture per page
(`path-today.png`, …) instead.
`ZWGK_MODULES_FILE=path.txt` writes the names in `sys.modules` (one per
line) at the point `ZWGK_EXIT_AFTER_SHOWN` stops at, to check what start-up
imports before it.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import threading
import time
from datetime import date, timedelta

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from zwgk_desktop import APP_NAME, __version__
from zwgk_desktop.config import Config
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.single_instance import InstanceGuard, bring_to_front
from zwgk_desktop.ui.style import apply_style, new_application, register_bundled_fonts

log = logging.getLogger(__name__)

ORGANIZATION = "zwgk"
EXIT_AFTER_SHOWN_ENV = "ZWGK_EXIT_AFTER_SHOWN"
MODULES_FILE_ENV = "ZWGK_MODULES_FILE"
SCREENSHOT_ENV = "ZWGK_SCREENSHOT"
SCREENSHOT_PAGES_ENV = "ZWGK_SCREENSHOT_PAGES"
DEMO_HOUSEHOLDS = 2400
EXTENSION_MODULES = (
    "zwgk_desktop.ui.lifecycle",
    "zwgk_desktop.ui.printing",
    "zwgk_desktop.ui.sync",
    "zwgk_desktop.ui.settings",
    "zwgk_desktop.ui.photos",
    "zwgk_desktop.ui.stats",
    "zwgk_desktop.ui.requests",
)
# Installed as soon as the user is signed in: the first page (今日待办) alone. Everything else follows once
# it is filled (the lifecycle's `install` adopts the page).
FIRST_SCREEN_MODULES = ("zwgk_desktop.ui.lifecycle.dashboard",)
# Imported on the opening thread while the window is up (they are needed right after sign-in).
FIRST_SCREEN_IMPORTS = (
    "zwgk_desktop.ui.tasks", "zwgk_desktop.ui.lifecycle.startup", "zwgk_desktop.ui.lifecycle.dashboard",
)
# The modules of the data pages `MainWindow.attach` builds, imported once 今日待办 is filled.
DATA_PAGE_IMPORTS = ("zwgk_desktop.ui.pages.disclosures", "zwgk_desktop.ui.pages.households", "zwgk_desktop.ops.overview")
DATA_PAGES = "data pages"  # the first step after 今日待办: attach them
# The steps before 公示管理's list loads (the lifecycle's `install` loads it); the other packages wait for it.
LIST_FIRST_STEPS = (DATA_PAGES, "zwgk_desktop.ui.lifecycle")
FIRST_PAGE = "today"
FIRST_SCREEN_TIMEOUT_MS = 5000  # the other packages come anyway if 今日待办 never says it is filled (an error)


def ensure_application() -> QApplication:
    """The process's QApplication (created once, with Fusion on its command line; tests may have made it already)."""
    app = QApplication.instance()
    if app is None:
        app = new_application(sys.argv[0] if sys.argv else APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


def install_qt_translations(app: QApplication) -> None:
    """Qt's own strings (OK/Cancel, file dialogs, context menus) in Chinese, from the bundled qt_zh_CN."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    translator = QTranslator(app)
    if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)


def prepare_look(app: QApplication, config: Config, *, primary_only: bool = False) -> list[str]:
    """Qt's Chinese strings, the bundled fonts as the app font (with `primary_only` just the first one:
    `finish_fonts` adds the rare-character faces later), Fusion and the stylesheet."""
    install_qt_translations(app)
    families = register_bundled_fonts(config.fonts_dir, limit=1 if primary_only else None)
    if not families:
        log.warning("no bundled fonts found in %s; Chinese may not display", config.fonts_dir)
    apply_style(app, families)
    return families


def finish_fonts(app: QApplication, config: Config) -> list[str]:
    """Register the rest of the bundled fonts (花园明朝 A/B for 生僻字) and make them the app font's fallbacks."""
    from zwgk_desktop.ui.style import app_font

    families = register_bundled_fonts(config.fonts_dir)
    if families:
        app.setFont(app_font(families))
    return families


def open_database_or_explain(config: Config):
    """The opened database, or None after telling the user why it could not be opened."""
    from zwgk_desktop.ops.database import open_app_database

    try:
        return open_app_database(config)
    except ZwgkError as exc:
        explain_open_failure(exc)
        return None


def explain_open_failure(exc: BaseException, parent=None) -> None:
    """The Chinese dialog for a database that cannot be opened (a bug gets a generic message and the log)."""
    if isinstance(exc, ZwgkError):
        log.error("cannot open database: %s (%s)", exc.code, exc.message)
        message = exc.message
    else:
        log.error("cannot open database", exc_info=(type(exc), exc, exc.__traceback__))
        message = tr("打开数据库时发生程序内部错误（{name}），数据未被修改。请重试；如果问题反复出现，请联系技术支持并提供日志。").format(
            name=type(exc).__name__)
    QMessageBox.critical(parent, tr("无法打开数据库"), message)


def install_extension_pages(window, modules: tuple[str, ...] | None = None) -> None:
    """Let other UI packages add or replace pages (e.g. the 今日待办 dashboard); all of
    `EXTENSION_MODULES` unless `modules` names some."""
    for name in EXTENSION_MODULES if modules is None else modules:
        install_extension(window, name)


def install_extension(window, name: str) -> None:
    """Import one UI package and call its `install(window)`; a missing or broken one is logged, not fatal."""
    try:
        if importlib.util.find_spec(name) is None:
            return
        module = importlib.import_module(name)
    except ImportError:
        return
    install = getattr(module, "install", None)
    if callable(install):
        try:
            install(window)
        except Exception:  # a broken extension page must not stop the clerk's work
            log.exception("extension %s failed to install its pages", name)


def import_quietly(names) -> None:
    """Import modules ahead of use (on a background thread); a failure shows up later, where it is used."""
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the real import reports it
            log.debug("pre-import of %s failed", name, exc_info=True)


def import_step(step: str) -> None:
    """Import what one start-up step after 今日待办 needs (on a background thread): the data pages' modules, or an
    extension package with the module its `install` comes from (a package may import that on first use)."""
    if step == DATA_PAGES:
        import_quietly(DATA_PAGE_IMPORTS)
        return
    try:
        getattr(importlib.import_module(step), "install", None)
    except Exception:  # noqa: BLE001 - install_extension reports it
        log.debug("pre-import of %s failed", step, exc_info=True)


def create_demo_in_background(window, households: int | None = None) -> None:
    """Fill an empty database with the demo township (`ops.demo.create_demo`, as the signed-in user) with a
    progress dialog; every page then reloads."""
    from zwgk_desktop.ops.demo import create_demo
    from zwgk_desktop.ui.tasks import show_error

    def done(summary) -> None:
        window.creating_demo = False
        window.statusBar().showMessage(
            tr("已创建演示乡镇“{t}”：{v} 个村（社区），{h} 户，{d} 条公示。").format(
                t=summary.township, v=summary.villages, h=summary.households, d=summary.disclosures
            ),
            10000,
        )
        window.refresh_all()

    def failed(exc: BaseException) -> None:
        window.creating_demo = False
        show_error(window, exc, tr("未能创建演示乡镇"))

    window.creating_demo = True
    window.tasks.run_op(create_demo, households or DEMO_HOUSEHOLDS, on_success=done, on_failure=failed,
                        progress=tr("正在创建演示乡镇，请稍候…"), parent=window)


def read_start_state_quietly(database):
    """The sign-in start state (`ui.lifecycle.startup.read_start_state`), read ahead on the opening thread: its
    first query also configures the ORM mappers there. None if it fails: `sign_in` reads it again and says why."""
    try:
        from zwgk_desktop.ui.lifecycle.startup import read_start_state

        return read_start_state(database)
    except Exception:  # noqa: BLE001 - the read on the UI thread reports it
        log.debug("reading the start state ahead failed", exc_info=True)
        return None


def sign_in_or_explain(database, config: Config, demo_if_empty: bool, state=None):
    """Who works this session (`SignIn`), None if the user cancelled; a `ZwgkError` is shown, then re-raised.
    `state`: the start state already read (`read_start_state_quietly`), if any."""
    from zwgk_desktop.ui.lifecycle.startup import sign_in
    from zwgk_desktop.ui.tasks import show_error

    try:
        return sign_in(database, config, demo_if_empty=demo_if_empty, state=state)
    except ZwgkError as exc:
        log.error("cannot start the session: %s (%s)", exc.code, exc.message)
        show_error(None, exc, tr("无法启动"))
        raise


def _emit_if_alive(signal) -> bool:
    """Emit a signal from a background thread; False when its object is gone (the window closed meanwhile)."""
    try:
        signal.emit()
    except RuntimeError:  # "Signal source has been deleted"
        return False
    return True


class Startup(QObject):
    """Everything after the first paint: open the database off the UI thread, sign in, attach the pages,
    install the first screen, then the other packages. `exit_code` is set when start-up ends the app."""

    attached = Signal()  # the data pages are in and the actor is set
    first_screen_shown = Signal()  # 今日待办 is on screen: the list remembered at the last close, or the live one
    first_screen_ready = Signal()  # 今日待办 has been filled from the database (or there is no such page)
    extensions_installed = Signal()  # every package of EXTENSION_MODULES is installed
    _opened = Signal()  # from the opening thread: the outcome waits in `_outcome`
    _imported = Signal()  # from the import thread: the other packages are in sys.modules

    def __init__(self, app: QApplication, window: MainWindow, config: Config, demo_if_empty: bool):
        super().__init__(window)
        self.app, self.window, self.config, self.demo_if_empty = app, window, config, demo_if_empty
        self.database = None
        self.tasks = None
        self.exit_code: int | None = None
        self.signed_in = None
        self._started = False
        self._shown = False
        self._ready = False
        self._outcome: tuple = (None, None, None)  # (database, start state, error) from the opening thread
        # Emitted on background threads: Qt queues the call to this object's (the UI) thread.
        self._opened.connect(self._on_opened)
        self._imported.connect(self._install_next)
        self._waiting: list[str] = []  # the steps after 今日待办 not yet done (`DATA_PAGES`, then packages)
        self._imported_steps: list[str] = []  # of those, the ones whose modules the import thread has loaded
        self._list_shown = threading.Event()  # 公示管理's list has loaded (or won't): the other packages may come

    # --- 1. open the database off the UI thread ------------------------------------
    def start(self) -> None:
        """Begin (once, while the window is open): the database opens on a background thread."""
        if self._started or not self.window.isVisible():
            return
        self._started = True
        self._show_remembered_list()
        threading.Thread(target=self._open, name="zwgk-open", daemon=True).start()
        finish_fonts(self.app, self.config)  # the rare-character faces, while the thread imports

    def _open(self) -> None:
        import gc

        from zwgk_desktop.services.gc_pause import paused_gc

        try:
            with paused_gc():  # SQLAlchemy and the models load without collections walking them (~10% of it)
                from zwgk_desktop.ops.database import open_app_database

                database = open_app_database(self.config, quick_check=False)  # the page check runs later
                import_quietly(FIRST_SCREEN_IMPORTS)
                state = read_start_state_quietly(database)
                # What start-up has loaded (Qt's wrappers, SQLAlchemy, the models and their mappers) lives as long
                # as the process: the collector need never walk it again. Without this, the first collections
                # after the pause walked all of it (~130,000 objects, 40 ms each) while 今日待办 loaded.
                gc.freeze()
            self._outcome = (database, state, None)
        except BaseException as exc:  # noqa: BLE001 - shown on the UI thread
            self._outcome = (None, None, exc)
        if not _emit_if_alive(self._opened):
            database = self._outcome[0]
            if database is not None:  # the window went away meanwhile
                database.dispose()

    # --- 2. sign in, attach, the first screen ----------------------------------------
    def _on_opened(self) -> None:
        database, state, error = self._outcome
        self._outcome = (None, None, None)
        if not self.window.isVisible():  # closed while opening
            if database is not None:
                database.dispose()
            return
        if error is not None:
            explain_open_failure(error, self.window)
            self._end(1)
            return
        self.database = database
        self.window.set_pending_text(tr("正在登录…"))
        try:
            signed_in = sign_in_or_explain(database, self.config, self.demo_if_empty, state)
        except ZwgkError:
            self._end(1)
            return
        if signed_in is None:
            self._end(0)
            return
        if not self.window.isVisible():
            return
        self.signed_in = signed_in
        from zwgk_desktop.ui.tasks import TaskManager

        self.tasks = TaskManager()
        self.window.bind(database, self.tasks)
        self.window.actor = signed_in.actor
        self.window.set_pending_text(tr("正在载入…"))
        install_extension_pages(self.window, FIRST_SCREEN_MODULES)
        if signed_in.note:
            self.window.statusBar().showMessage(signed_in.note, 15000)
        if signed_in.create_demo:
            self.window.creating_demo = True
            QTimer.singleShot(0, lambda: create_demo_in_background(self.window))
        self._wait_for_first_page()

    def _wait_for_first_page(self) -> None:
        """Go on once the first page is filled, or could not be (its `load_failed`: it says why itself)."""
        page = self.window.find_page(FIRST_PAGE)
        loaded = getattr(page, "loaded", None)
        if loaded is None or not hasattr(loaded, "connect"):
            self._first_screen_done()
            return
        signals = [signal for signal in (loaded, getattr(page, "load_failed", None)) if hasattr(signal, "connect")]

        def done(*_args) -> None:
            for signal in signals:
                signal.disconnect(done)
            self._first_screen_done()

        for signal in signals:
            signal.connect(done)
        QTimer.singleShot(FIRST_SCREEN_TIMEOUT_MS, self._first_screen_done)

    def _show_remembered_list(self) -> None:
        """今日待办 as it was at the last close, if nothing can have changed it since (`core.start_snapshot`)."""
        snapshot = snapshot_store(self.config).recall(date.today())
        if snapshot is None:
            return
        from zwgk_desktop.ui.lifecycle.dashboard import add_dashboard

        add_dashboard(self.window, None, None).show_remembered(snapshot)
        self.window.show_page(FIRST_PAGE)
        self._first_screen_on_screen()

    def _first_screen_on_screen(self) -> None:
        if not self._shown:
            self._shown = True
            self.first_screen_shown.emit()

    def _first_screen_done(self) -> None:
        if self._ready:
            return
        self._ready = True
        self._first_screen_on_screen()
        self.first_screen_ready.emit()
        QTimer.singleShot(0, self._import_rest)
        QTimer.singleShot(0, self._check_pages)

    def _check_pages(self) -> None:
        """The full page check of the database file, in the background (it reads every page)."""
        if not self.window.isVisible() or self.tasks is None:
            return
        from zwgk_desktop.ops.database import check_pages

        self.tasks.run_op(check_pages, on_success=self._pages_checked, on_failure=lambda _exc: None, owner=self)

    def _pages_checked(self, report) -> None:
        if report.ok:
            return
        log.error("database page check failed: %s", report.problem)
        self.window.show_alert(tr("⚠ 数据库完整性检查未通过，请从备份恢复。"))
        QMessageBox.warning(self.window, tr("数据库完整性检查未通过"), report.message)

    # --- 3. the data pages and the other packages ---------------------------------------
    def _import_rest(self) -> None:
        """Import the steps after 今日待办 on a background thread, telling the UI thread after each one; the packages
        after the lifecycle wait until 公示管理's list has loaded (`LIST_FIRST_STEPS`), so nothing competes with it."""
        if not self.window.isVisible():
            return
        self._waiting = [DATA_PAGES, *(name for name in EXTENSION_MODULES if name not in FIRST_SCREEN_MODULES)]
        steps = list(self._waiting)

        def work() -> None:
            for step in steps:
                if step not in LIST_FIRST_STEPS:
                    self._list_shown.wait(FIRST_SCREEN_TIMEOUT_MS / 1000)
                import_step(step)
                self._imported_steps.append(step)
                if not _emit_if_alive(self._imported):
                    return

        threading.Thread(target=work, name="zwgk-import", daemon=True).start()

    def _install_next(self) -> None:
        """Do the next step whose modules are in (one per signal, so the window keeps answering between them):
        attach the data pages, or install a package; after the last one fill the placeholders."""
        if not self.window.isVisible() or not self._imported_steps:
            return
        step = self._imported_steps.pop(0)
        self._waiting.remove(step)
        if step == DATA_PAGES:
            self.window.attach(self.database, self.tasks)
            self.window.disclosures_page.list_loaded.connect(lambda _count: self._list_shown.set())
            self.attached.emit()
        else:
            install_extension(self.window, step)
        if not self._waiting:
            self.window.fill_placeholders()
            self.extensions_installed.emit()

    # --- 4. closing -------------------------------------------------------------------
    def close_database(self) -> None:
        """Close the database (every task has ended), remembering 今日待办 for the next start first when the
        township needs no log-in (`core.start_snapshot`)."""
        database, self.database = self.database, None
        if database is None:
            return
        lists = self._lists_to_remember(database) if self.signed_in is not None else None
        database.dispose()
        if self.signed_in is None:
            return  # nobody signed in: whatever is remembered checks itself against the file next time
        store = snapshot_store(self.config)
        store.remember(lists) if lists is not None else store.forget()

    def _lists_to_remember(self, database) -> dict | None:
        """The signed-in user's 今日待办 for today and the next days (as JSON by date), or None when the township
        requires a log-in."""
        from zwgk_desktop.core.start_snapshot import DAYS_AHEAD
        from zwgk_desktop.ops.todo import todo
        from zwgk_desktop.ui.lifecycle.startup import read_start_state

        try:
            if read_start_state(database).login_required:
                return None
            days = [date.today() + timedelta(days=n) for n in range(DAYS_AHEAD + 1)]
            return {day: todo(database, self.signed_in.actor, today=day).as_json() for day in days}
        except Exception:  # noqa: BLE001 - closing must go on; the next start just reads the list itself
            log.warning("could not read today's list to remember it", exc_info=True)
            return None

    def _end(self, code: int) -> None:
        self.exit_code = code
        self.window.close()
        self.app.exit(code)


def install_test_hooks(app: QApplication, window: MainWindow, started: float, startup: Startup | None = None) -> None:
    """Hidden switches for the start-up benchmark and for screenshots (see module doc)."""
    exit_after = os.environ.get(EXIT_AFTER_SHOWN_ENV, "")
    screenshot = os.environ.get(SCREENSHOT_ENV, "")
    modules_file = os.environ.get(MODULES_FILE_ENV, "")

    def report_and_quit(what: str) -> None:
        if exit_after != "1":  # (the first paint has just been drawn) the point counts once it is drawn
            window.repaint()
        print(f"{what}: {time.perf_counter() - started:.3f} s", file=sys.stderr, flush=True)
        if modules_file:
            with open(modules_file, "w", encoding="utf-8") as fh:
                fh.write("\n".join(sorted(sys.modules)) + "\n")
        window.close()

    if exit_after == "1":
        window.first_painted.connect(lambda: report_and_quit("main window shown"))
    elif exit_after == "today" and startup is not None:
        startup.first_screen_shown.connect(lambda: report_and_quit(
            "today filled" + (" (remembered)" if startup.database is None else " (live)")))
    elif exit_after == "today-live" and startup is not None:
        startup.first_screen_ready.connect(lambda: report_and_quit("today filled from the database"))
    elif (exit_after == "ready" or screenshot) and startup is not None:
        waiting = {"list": True, "extensions": bool(screenshot)}

        def maybe_done() -> None:
            if any(waiting.values()):
                return
            if screenshot:
                pages = [key for key in os.environ.get(SCREENSHOT_PAGES_ENV, "").split(",") if key]
                QTimer.singleShot(300, lambda: save_screenshots(window, screenshot, pages,
                                                                lambda: report_and_quit("screenshot saved")))
            else:
                report_and_quit("notice list loaded")

        def on_ready(_count: int) -> None:
            if getattr(window, "creating_demo", False):
                return  # first run: wait for the list reloaded after the demo township exists
            window.disclosures_page.list_loaded.disconnect(on_ready)
            waiting["list"] = False
            maybe_done()

        def on_extensions() -> None:
            waiting["extensions"] = False
            maybe_done()

        startup.attached.connect(lambda: window.disclosures_page.list_loaded.connect(on_ready))
        startup.extensions_installed.connect(on_extensions)


def save_screenshots(window: MainWindow, path: str, pages: list[str], done) -> None:
    """Save the window to `path`, or each of `pages` to `path-<page>.png` (each shown for a second to load)."""
    if not pages:
        window.grab().save(path)
        done()
        return
    key, rest = pages[0], pages[1:]
    window.show_page(key)

    def save_and_go_on() -> None:
        window.grab().save(f"{os.path.splitext(path)[0]}-{key}.png")
        save_screenshots(window, path, rest, done) if rest else done()

    QTimer.singleShot(1500, save_and_go_on)


def snapshot_store(config: Config):
    """Where this data dir remembers 今日待办 between starts (`core.start_snapshot`)."""
    from zwgk_desktop.core.catalogue import county_catalogue_path
    from zwgk_desktop.core.start_snapshot import SnapshotStore

    return SnapshotStore(config.cache_dir, config.db_path, county_catalogue_path(config.data_dir))


def claim_data_dir(config: Config) -> InstanceGuard | None:
    """The single-instance guard for this data directory, or None when the app already runs on it
    (that window has been asked to come to the front)."""
    guard = InstanceGuard(config.data_dir)
    if guard.ask_running_instance():
        print(tr("乡镇公示栏政务公开系统已在运行（数据目录 {d}），已切换到已打开的窗口。").format(d=config.data_dir),
              file=sys.stderr)
        return None
    if not guard.listen():
        log.warning("could not create the single-instance server %s", guard.name)
    return guard


def run_app(config: Config, demo_if_empty: bool = False) -> int:
    """Start the desktop app and run it until the main window closes; returns the exit code.

    A second start on the same data directory brings the open window to the front and returns 0."""
    started = time.perf_counter()
    app = ensure_application()
    guard = claim_data_dir(config)
    if guard is None:
        return 0
    try:
        return _run_guarded(app, config, demo_if_empty, started, guard)
    finally:
        guard.close()


def _run_guarded(app: QApplication, config: Config, demo_if_empty: bool, started: float, guard: InstanceGuard) -> int:
    prepare_look(app, config, primary_only=True)
    window = MainWindow(config, first_page=FIRST_PAGE)
    guard.activate_requested.connect(lambda: bring_to_front(window))
    startup = Startup(app, window, config, demo_if_empty)
    install_test_hooks(app, window, started, startup)
    window.first_painted.connect(startup.start)
    app.setQuitOnLastWindowClosed(True)
    try:
        window.show()
        code = app.exec()
    except ZwgkError as exc:
        from zwgk_desktop.ui.tasks import show_error

        show_error(None, exc)
        code = 1
    finally:
        # The window is gone: a new start must open its own window, not be sent to this one while it
        # finishes its tasks, remembers 今日待办 and closes the database.
        guard.close()
        if startup.tasks is not None:
            startup.tasks.shutdown(wait=True)
        window.deleteLater()
        startup.close_database()
        # A quit Qt posted while the window closed (last window) must not reach a later event loop of this
        # process (tests run the app in-process): it would make every later QEventLoop.exec() return at once.
        app.removePostedEvents(app, QEvent.Type.Quit)
    return startup.exit_code if startup.exit_code is not None else int(code)
