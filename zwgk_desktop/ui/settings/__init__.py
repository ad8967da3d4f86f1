"""The 设置 page and the automatic daily backup: `install(window)` adds the page and starts the scheduler.

At start-up the backup state is read off the UI thread; if the last good
backup is over 7 days old (or there is none) the status bar says so and the
设置 page shows a yellow banner. A few seconds later, and then every few
hours, `auto_backup` runs off the UI thread (it backs up once a day).
The page acts as `window.actor` when the window has one (the logged-in user).
"""

from __future__ import annotations

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.settings.backup_tab import BackupScheduler, nag_text
from zwgk_desktop.ui.settings.page import SettingsPage

NAG_STATUS_MS = 60_000


def install(window, *, start: bool = True) -> SettingsPage:
    """Add the 设置 page to `window`; with `start` the nag check and the automatic backups begin."""
    scheduler = BackupScheduler(window.config, window.database, window.tasks, window)
    window.backup_scheduler = scheduler
    page = SettingsPage(window.config, window.database, window.tasks, scheduler,
                        actor_source=lambda: getattr(window, "actor", None), parent=window)
    window.add_page("settings", tr("设置"), page)
    scheduler.auto_finished.connect(lambda result: _auto_done(window, result))
    scheduler.auto_failed.connect(lambda message: window.statusBar().showMessage(message, NAG_STATUS_MS))
    if start:
        _nag_once(window, scheduler)
        scheduler.start()
    return page


def _nag_once(window, scheduler: BackupScheduler) -> None:
    """At start-up: a status-bar warning when the last good backup is too old (the banner follows the same state)."""

    def show(state) -> None:
        scheduler.state_changed.disconnect(show)
        text = nag_text(state)
        if text:
            window.statusBar().showMessage(tr("⚠ {t}（设置 → 备份）").format(t=text), NAG_STATUS_MS)

    scheduler.state_changed.connect(show)
    scheduler.emit_state()


def _auto_done(window, result) -> None:
    if result is not None:
        window.statusBar().showMessage(tr("已自动备份：{p}").format(p=result.path), 10_000)


__all__ = ["BackupScheduler", "SettingsPage", "install"]
