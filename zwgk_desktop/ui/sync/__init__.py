"""The 同步 page and background sync: `install(window)` adds the page and starts the `SyncController`.

The controller (window.sync_controller) syncs off the UI thread every
`sync_interval_s` while enrolled, backs off when the county is unreachable and
keeps `window.sync_label` current; the page (window.page("sync")) shows the
state and offers enrollment, "立即同步" and "重试".
"""

from __future__ import annotations

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.sync.controller import SyncController, SyncOutcome, backoff_delay
from zwgk_desktop.ui.sync.page import SyncPage


def install(window, *, start: bool = True) -> SyncPage:
    """Add the 同步 page to `window` and start background sync (unless `start=False`, for tests)."""
    controller = SyncController(window.config, window.database, window.tasks, window.sync_label, window)
    window.sync_controller = controller
    page = SyncPage(window.config, window.database, window.tasks, controller, window)
    window.add_page("sync", tr("同步"), page)
    controller.finished.connect(lambda outcome: _after_sync(window, outcome))
    if start:
        controller.start()
    return page


def _after_sync(window, outcome: SyncOutcome) -> None:
    """Reference data (calendar, catalogue) may have changed: reload what the window shows."""
    report = outcome.report
    if outcome.ok and report is not None and report.pulled:
        window.refresh_all()


__all__ = ["SyncController", "SyncOutcome", "SyncPage", "backoff_delay", "install"]
