"""Desktop app bootstrap: `run_app(config, demo_if_empty=False) -> int` (exit code).

Order: QApplication (organisation/app names for QSettings) → the
single-instance guard (`ui.single_instance`: if the app already runs on this
data directory, that window comes to the front and we exit 0) → bundled CJK
fonts registered and made the app font → Fusion + stylesheet → database
opened (a `ZwgkError` such as DatabaseTooNew / DatabaseCorrupt / DataDirError
is shown in a Chinese dialog and the exit code is 1) → who is working
(`ui.lifecycle.startup.sign_in`: first-run wizard on an empty data dir,
single-user mode for the demo, else the login dialog; cancelling exits with
code 0 and writes nothing) → main window shown with `window.actor` set →
optional demo township created off the UI thread with a progress dialog →
event loop until the window closes.

Pages from other packages plug in through `install_extension_pages`: each
module in `EXTENSION_MODULES` that has `install(window)` is called with the
main window (which offers `add_page`, `database`, `tasks`, `actor`).

Hidden switches for benchmarks and screenshots (environment variables):
`ZWGK_EXIT_AFTER_SHOWN=1` prints the seconds since `run_app` started and
quits right after the first paint of the main window; `=ready` waits until
the notice list has loaded. `ZWGK_SCREENSHOT=path.png` saves a picture of
the window once the list has loaded and then quits.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from zwgk_desktop import APP_NAME, __version__
from zwgk_desktop.config import Config
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.single_instance import InstanceGuard, bring_to_front
from zwgk_desktop.ui.style import apply_style, register_bundled_fonts
from zwgk_desktop.ui.tasks import TaskManager, show_error

log = logging.getLogger(__name__)

ORGANIZATION = "zwgk"
EXIT_AFTER_SHOWN_ENV = "ZWGK_EXIT_AFTER_SHOWN"
SCREENSHOT_ENV = "ZWGK_SCREENSHOT"
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


def ensure_application() -> QApplication:
    """The process's QApplication (created once; tests may have made it already)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
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


def prepare_look(app: QApplication, config: Config) -> list[str]:
    install_qt_translations(app)
    families = register_bundled_fonts(config.fonts_dir)
    if not families:
        log.warning("no bundled fonts found in %s; Chinese may not display", config.fonts_dir)
    apply_style(app, families)
    return families


def open_database_or_explain(config: Config):
    """The opened database, or None after telling the user why it could not be opened."""
    from zwgk_desktop.ops.database import open_app_database

    try:
        return open_app_database(config)
    except ZwgkError as exc:
        log.error("cannot open database: %s (%s)", exc.code, exc.message)
        QMessageBox.critical(None, tr("无法打开数据库"), exc.message)
        return None


def install_extension_pages(window) -> None:
    """Let other UI packages add or replace pages (e.g. the 今日待办 dashboard)."""
    for name in EXTENSION_MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
        except ImportError:
            continue
        install = getattr(module, "install", None)
        if callable(install):
            try:
                install(window)
            except Exception:  # a broken extension page must not stop the clerk's work
                log.exception("extension %s failed to install its pages", name)


def create_demo_in_background(window, households: int | None = None) -> None:
    """Fill an empty database with the demo township (`ops.demo.create_demo`, as the signed-in user) with a
    progress dialog; every page then reloads."""
    from zwgk_desktop.ops.demo import create_demo

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


def sign_in_or_explain(database, config: Config, demo_if_empty: bool):
    """Who works this session (`SignIn`), None if the user cancelled; a `ZwgkError` is shown, then re-raised."""
    from zwgk_desktop.ui.lifecycle.startup import sign_in

    try:
        return sign_in(database, config, demo_if_empty=demo_if_empty)
    except ZwgkError as exc:
        log.error("cannot start the session: %s (%s)", exc.code, exc.message)
        show_error(None, exc, tr("无法启动"))
        raise


def install_test_hooks(app: QApplication, window, started: float) -> None:
    """Hidden switches for the start-up benchmark and for screenshots (see module doc)."""
    exit_after = os.environ.get(EXIT_AFTER_SHOWN_ENV, "")
    screenshot = os.environ.get(SCREENSHOT_ENV, "")

    def report_and_quit(what: str) -> None:
        print(f"{what}: {time.perf_counter() - started:.3f} s", file=sys.stderr, flush=True)
        window.close()

    if exit_after == "1":
        QTimer.singleShot(0, lambda: report_and_quit("main window shown"))
    elif exit_after == "ready" or screenshot:
        page = window.disclosures_page

        def on_ready(_count: int) -> None:
            if getattr(window, "creating_demo", False):
                return  # first run: wait for the list reloaded after the demo township exists
            page.list_loaded.disconnect(on_ready)
            if screenshot:
                QTimer.singleShot(300, lambda: (window.grab().save(screenshot), report_and_quit("screenshot saved")))
            else:
                QTimer.singleShot(0, lambda: report_and_quit("notice list loaded"))

        page.list_loaded.connect(on_ready)


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
    prepare_look(app, config)
    database = open_database_or_explain(config)
    if database is None:
        return 1
    app.setQuitOnLastWindowClosed(False)  # closing the wizard or login must not end a loop not yet started
    try:
        signed_in = sign_in_or_explain(database, config, demo_if_empty)
    except ZwgkError:
        database.dispose()
        return 1
    if signed_in is None:
        database.dispose()
        return 0
    tasks = TaskManager()
    from zwgk_desktop.ui.main_window import MainWindow

    window = MainWindow(config, database, tasks)
    window.actor = signed_in.actor
    guard.activate_requested.connect(lambda: bring_to_front(window))
    try:
        install_extension_pages(window)
        install_test_hooks(app, window, started)
        window.show()
        if signed_in.note:
            window.statusBar().showMessage(signed_in.note, 15000)
        if signed_in.create_demo:
            window.creating_demo = True
            QTimer.singleShot(0, lambda: create_demo_in_background(window))
        app.setQuitOnLastWindowClosed(True)
        code = app.exec()
    except ZwgkError as exc:
        show_error(None, exc)
        code = 1
    finally:
        tasks.shutdown(wait=True)
        window.deleteLater()
        database.dispose()
    return int(code)
