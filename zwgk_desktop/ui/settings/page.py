"""The 设置 page: a yellow "back up now" banner when the last good backup is over 7 days old, and four tabs.

Tabs: 乡镇信息 (`TownshipTab`), 节假日与调休 (`CalendarTab`), 用户 (`UsersTab`),
备份 (`BackupTab`). The tabs run `ops.settings` / `ops.users` use cases through
`tasks.run_op`, so they act as the user the task manager is bound to (the
signed-in user, following 切换用户). Tabs load when first shown; a write that
changes what a hidden tab shows (`tasks.changed`) makes it reload when shown
again. `actor_source` is kept for callers that pass it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from zwgk_desktop.ops.backup import BackupState
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.settings.backup_tab import BackupScheduler, BackupTab, nag_text
from zwgk_desktop.ui.settings.calendar_tab import CalendarTab
from zwgk_desktop.ui.settings.common import SETTINGS_STYLE
from zwgk_desktop.ui.settings.township_tab import TownshipTab
from zwgk_desktop.ui.settings.users_tab import UsersTab
from zwgk_desktop.ui.settings.villages_tab import VillagesTab

TAB_KEYS = ("township", "calendar", "users", "backup", "villages")


class SettingsPage(QWidget):
    def __init__(self, config, database, tasks, scheduler: BackupScheduler, actor_source=lambda: None,
                 parent: QWidget | None = None, *, today=None):
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(SETTINGS_STYLE)
        self.scheduler = scheduler
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        outer.setSpacing(12)
        title = QLabel(tr("设置"))
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        outer.addWidget(self._build_banner())
        self.database, self.tasks, self.actor_source = database, tasks, actor_source
        self.tabs = QTabWidget()
        self.township_tab = TownshipTab(tasks)
        self.calendar_tab = CalendarTab(tasks, today=today)
        self.users_tab = UsersTab(tasks)
        self.backup_tab = BackupTab(config, tasks, scheduler)
        for tab, caption in ((self.township_tab, tr("乡镇信息(&1)")), (self.calendar_tab, tr("节假日与调休(&2)")),
                             (self.users_tab, tr("用户(&3)")), (self.backup_tab, tr("备份(&4)"))):
            self.tabs.addTab(tab, caption)
        self.villages_tab = VillagesTab(tasks, actor_source)
        self.tabs.addTab(self.villages_tab, tr("村（社区）与公开栏(&5)"))
        self.tabs.currentChanged.connect(self._tab_changed)
        outer.addWidget(self.tabs, 1)
        self._loaded: set[int] = set()
        scheduler.state_changed.connect(self.show_backup_state)
        tasks.changed.connect(self._on_changed)

    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setObjectName("nagBanner")
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(14, 10, 14, 10)
        icon = QLabel("⚠")
        icon.setStyleSheet("font-size: 16pt; color: #b7791f;")
        self.banner_text = QLabel()
        self.banner_text.setObjectName("nagText")
        self.banner_text.setWordWrap(True)
        self.banner_button = QPushButton(tr("立即备份"))
        self.banner_button.clicked.connect(self._backup_from_banner)
        row.addWidget(icon)
        row.addWidget(self.banner_text, 1)
        row.addWidget(self.banner_button)
        self.banner.setVisible(False)
        return self.banner

    # --- data -------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the backup state (banner) and the visible tab; other tabs load when first shown."""
        self._loaded.clear()
        self.scheduler.emit_state()
        self._tab_changed(self.tabs.currentIndex())

    def _tab_changed(self, index: int) -> None:
        if index in self._loaded or index < 0:
            return
        self._loaded.add(index)
        self.tabs.widget(index).refresh()

    def _on_changed(self, changes) -> None:
        """A write changed settings, users, villages or the calendar: the tabs showing them reload when next shown
        (the current tab reloads itself after its own action)."""
        shows = {
            self.township_tab: ("settings",),
            self.calendar_tab: ("calendar",),
            self.users_tab: ("users", "settings", "villages"),
        }
        for tab, kinds in shows.items():
            index = self.tabs.indexOf(tab)
            if index != self.tabs.currentIndex() and changes.touches(*kinds):
                self._loaded.discard(index)

    def show_tab(self, key: str) -> QWidget:
        index = TAB_KEYS.index(key)
        self.tabs.setCurrentIndex(index)
        self._tab_changed(index)
        return self.tabs.widget(index)

    def show_backup_state(self, state: BackupState) -> None:
        text = nag_text(state)
        self.banner_text.setText(text)
        self.banner.setVisible(bool(text))

    def _backup_from_banner(self) -> None:
        self.show_tab("backup").backup_now()
