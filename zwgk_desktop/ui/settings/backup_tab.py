"""设置 → 备份, plus the automatic daily backup and the "no recent backup" nag.

`BackupScheduler` (one per window) runs `services.backup.auto_backup` off the
UI thread a few seconds after start-up and then every few hours (it only
backs up when the last one is a day old), never two backups at once, and
emits `state_changed(BackupState)` after every backup so the tab and the
banner stay current. `BackupTab` chooses the folder, backs up now with
progress, verifies a backup and explains restoring (the CLI command, since a
restore needs an empty data directory). Folder choosers are attributes so
tests can replace them; nothing here opens a modal message box.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.settings.common import MessageLabel, card
from zwgk_desktop.ui.settings.data import BackupState, load_backup_state, restore_command
from zwgk_desktop.ui.sync.data import local_time_text

log = logging.getLogger(__name__)

AUTO_FIRST_DELAY_S = 8
AUTO_INTERVAL_S = 3 * 3600


class BackupScheduler(QObject):
    """Automatic daily backups for one window, and the shared "a backup is running" flag."""

    state_changed = Signal(object)  # BackupState
    auto_finished = Signal(object)  # BackupResult | None (not due)
    auto_failed = Signal(str)

    def __init__(self, config, database, tasks, parent: QObject | None = None):
        super().__init__(parent)
        self.config, self.database, self.tasks = config, database, tasks
        self.busy = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.run_auto)

    def start(self, first_delay_s: float = AUTO_FIRST_DELAY_S, interval_s: float = AUTO_INTERVAL_S) -> None:
        QTimer.singleShot(int(first_delay_s * 1000), self.run_auto)
        self._timer.start(int(interval_s * 1000))

    def stop(self) -> None:
        self._timer.stop()

    def run_auto(self) -> bool:
        """Back up if due (off the UI thread); False when a backup is already running."""
        from zwgk_desktop.services.backup import auto_backup

        if self.busy:
            return False
        self.busy = True
        config, database = self.config, self.database
        self.tasks.run(lambda: auto_backup(config, database, Job()), self._auto_done, self._auto_failed)
        return True

    def _auto_done(self, result) -> None:
        self.busy = False
        self.auto_finished.emit(result)
        self.emit_state()

    def _auto_failed(self, exc: BaseException) -> None:
        from zwgk_desktop.ui.tasks import error_message

        self.busy = False
        self.auto_failed.emit(tr("自动备份未完成：{m}").format(m=error_message(exc)))
        self.emit_state()

    def emit_state(self) -> None:
        config = self.config
        self.tasks.run(lambda: load_backup_state(config), self.state_changed.emit,
                       lambda exc: log.warning("backup state: %s", exc), db=False, owner=self)


def backup_summary(state: BackupState) -> str:
    if not state.last_at:
        return tr("尚未备份过。")
    return tr("上次备份：{t}（{n} 个文件）\n位置：{p}").format(t=local_time_text(state.last_at), n=state.files,
                                                           p=state.last_path)


def nag_text(state: BackupState) -> str:
    """The banner / status-bar warning when the last good backup is over 7 days old (or none)."""
    if not state.stale:
        return ""
    days = state.age_days()
    if days is None:
        return tr("本机数据还没有备份过。电脑损坏或误删时，公示记录和留档照片将无法找回，请立即备份（最好备份到移动硬盘）。")
    return tr("已有 {d} 天没有成功备份。请立即备份，并定期把备份复制到移动硬盘。").format(d=days)


class BackupTab(QWidget):
    backed_up = Signal(object)  # BackupResult
    verified = Signal(object)  # BackupResult

    def __init__(self, config, tasks, scheduler: BackupScheduler, parent: QWidget | None = None):
        super().__init__(parent)
        self.config, self.tasks, self.scheduler = config, tasks, scheduler
        self.state: BackupState | None = None
        self.choose_folder = lambda: QFileDialog.getExistingDirectory(self, tr("选择备份保存位置"), self.folder_edit.text())
        self.choose_backup = lambda: QFileDialog.getExistingDirectory(self, tr("选择要校验的备份文件夹"), self.folder_edit.text())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.setSpacing(14)
        outer.addWidget(self._build_backup_card())
        row = QHBoxLayout()
        row.setSpacing(14)
        row.addWidget(self._build_verify_card(), 1)
        row.addWidget(self._build_restore_card(), 1)
        outer.addLayout(row)
        outer.addStretch(1)
        scheduler.state_changed.connect(self.show_state)

    # --- layout -----------------------------------------------------------------
    def _build_backup_card(self) -> QWidget:
        frame, layout = card(tr("备份"))
        hint = QLabel(tr("备份包含数据库、留档照片和打印件。系统每天自动备份一次并保留最近几份；"
                         "建议把备份位置设在移动硬盘或另一块磁盘上。"))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit()
        self.folder_edit.setReadOnly(True)
        self.folder_button = QPushButton(tr("更改位置(&F)…"))
        self.folder_button.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        self.keep_spin = QSpinBox()
        self.keep_spin.setRange(1, 60)
        self.keep_spin.setMaximumWidth(120)
        self.keep_spin.setSuffix(tr(" 份"))
        self.keep_spin.setValue(int(self.config.settings.backup_keep or 7))
        self.keep_spin.valueChanged.connect(self._keep_changed)
        keep_label = QLabel(tr("保留最近(&K)："))
        keep_label.setBuddy(self.keep_spin)
        form.addRow(tr("备份位置："), folder_row)
        form.addRow(keep_label, self.keep_spin)
        layout.addLayout(form)
        self.last_label = QLabel()
        self.last_label.setWordWrap(True)
        self.last_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_label.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.last_label)
        row = QHBoxLayout()
        self.backup_button = QPushButton(tr("立即备份(&B)"))
        self.backup_button.clicked.connect(self.backup_now)
        row.addWidget(self.backup_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = MessageLabel()
        layout.addWidget(self.message)
        return frame

    def _build_verify_card(self) -> QWidget:
        frame, layout = card(tr("校验备份"))
        hint = QLabel(tr("逐个核对备份中文件的指纹，确认备份完整、未被改动，可以用来恢复。"))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.verify_button = QPushButton(tr("校验备份(&V)…"))
        self.verify_button.clicked.connect(self.verify)
        layout.addWidget(self.verify_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.verify_message = MessageLabel()
        layout.addWidget(self.verify_message)
        layout.addStretch(1)
        return frame

    def _build_restore_card(self) -> QWidget:
        frame, layout = card(tr("从备份恢复"))
        text = QLabel(tr("为防止覆盖现有数据，恢复只能放进一个新的空数据目录，不能在本程序运行时覆盖当前数据。"
                         "请关闭本程序，在命令行运行下面的命令（把备份文件夹换成实际路径），再用新目录启动："))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.restore_code = QLabel()
        self.restore_code.setObjectName("codeBox")
        self.restore_code.setWordWrap(True)
        self.restore_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.restore_code)
        self.copy_button = QPushButton(tr("复制命令(&O)"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.restore_code.text()))
        layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return frame

    # --- data -------------------------------------------------------------------
    def refresh(self) -> None:
        self.scheduler.emit_state()

    def show_state(self, state: BackupState) -> None:
        self.state = state
        self.folder_edit.setText(state.folder)
        self.last_label.setText(backup_summary(state))
        self.last_label.setStyleSheet("font-weight: 600; color: %s;" % ("#8c1d13" if state.stale else "#1a5d2b"))
        target = str(self.config.data_dir.parent / (self.config.data_dir.name + "-恢复"))
        example = state.last_path or os.path.join(state.folder, "zwgk-backup-…")
        self.restore_code.setText(restore_command(target, example))

    # --- actions ----------------------------------------------------------------
    def _choose_folder(self) -> None:
        path = self.choose_folder()
        if not path:
            return
        self.config.settings.backup_dir = path
        try:
            self.config.save_settings()
        except Exception as exc:  # a read-only data dir: say so, keep the old setting on disk
            self.message.show_error(exc)
            return
        self.message.show_message(tr("备份位置已改为 {p}。").format(p=path), "ok")
        self.refresh()

    def _keep_changed(self, value: int) -> None:
        self.config.settings.backup_keep = int(value)
        try:
            self.config.save_settings()
        except Exception as exc:
            self.message.show_error(exc)

    def backup_now(self) -> None:
        """Back up into the chosen folder with a progress dialog, then rotate old backups."""
        from zwgk_desktop.services.backup import create_backup, default_backup_dir, rotate_backups

        if self.scheduler.busy:
            self.message.show_message(tr("正在进行另一项备份，请稍候再试。"), "warning")
            return
        self.scheduler.busy = True
        self.backup_button.setEnabled(False)
        config, database = self.config, self.scheduler.database

        def work(job: Job):
            dest = default_backup_dir(config)
            result = create_backup(config, dest, job, database=database)
            rotate_backups(dest, config.settings.backup_keep)
            return result

        def done(result) -> None:
            self._finish()
            self.message.show_message(tr("备份完成：{n} 个文件，保存在 {p}").format(n=result.files, p=result.path), "ok")
            self.backed_up.emit(result)

        def failed(exc: BaseException) -> None:
            self._finish()
            from zwgk_desktop.errors import Cancelled

            if isinstance(exc, Cancelled):
                self.message.show_message(tr("备份已取消，未留下不完整的备份。"), "muted")
            else:
                self.message.show_error(exc)

        self.tasks.run_with_progress(work, done, tr("正在备份，请稍候…"), self, on_failure=failed)

    def _finish(self) -> None:
        self.scheduler.busy = False
        self.backup_button.setEnabled(True)
        self.scheduler.emit_state()

    def verify(self) -> None:
        from zwgk_desktop.services.backup import verify_backup

        path = self.choose_backup()
        if not path:
            return

        def done(result) -> None:
            if result.ok:
                self.verify_message.show_message(tr("备份完好：{n} 个文件全部核对一致。\n{p}").format(
                    n=result.files, p=result.path), "ok")
            else:
                problems = "\n".join(f"• {p.message}" for p in result.problems[:8])
                more = tr("\n…共 {n} 处问题").format(n=len(result.problems)) if len(result.problems) > 8 else ""
                self.verify_message.show_message(tr("备份有问题，不能用于恢复：\n") + problems + more, "error")
            self.verified.emit(result)

        self.tasks.run_with_progress(lambda job: verify_backup(path, job), done, tr("正在校验备份…"), self,
                                     on_failure=self.verify_message.show_error, db=False)
