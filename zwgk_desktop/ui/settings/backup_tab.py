"""设置 → 备份, plus the automatic daily backup and the "no recent backup" nag.

`BackupScheduler` (one per window) runs the `ops.backup.auto_backup` op a few
seconds after start-up and then every few hours (it only backs up when the
last one is a day old), never two backups at once, and emits
`state_changed(BackupState)` after every backup so the tab and the banner
stay current. Backups are `@writes(steps=True)` ops: they copy the archive on
the pool and only their final record goes through the database thread.
`BackupTab` chooses the folder, backs up now with progress, makes a
password-encrypted backup for a USB stick, verifies a backup (asking for the
password of an encrypted one) and explains restoring (the CLI command, since
a restore needs an empty data directory). Folder, file and password choosers
are attributes so tests can replace them; nothing here opens a modal message box.
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
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.local_time import local_time_text
from zwgk_desktop.errors import Cancelled
from zwgk_desktop.ops.backup import (
    BackupState,
    auto_backup,
    backup_state,
    create_backup,
    restore_command,
    verify_backup,
)
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.settings.common import MessageLabel, card
from zwgk_desktop.ui.tasks import error_message
from zwgk_desktop.ui.widgets import muted_label

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
        if self.busy:
            return False
        self.busy = True
        self.tasks.run_op(auto_backup, on_success=self._auto_done, on_failure=self._auto_failed, owner=self)
        return True

    def _auto_done(self, result) -> None:
        self.busy = False
        self.auto_finished.emit(result)
        self.emit_state()

    def _auto_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.auto_failed.emit(tr("自动备份未完成：{m}").format(m=error_message(exc)))
        self.emit_state()

    def emit_state(self) -> None:
        self.tasks.run_op(backup_state, on_success=self.state_changed.emit,
                          on_failure=lambda exc: log.warning("backup state: %s", exc), owner=self)


def backup_summary(state: BackupState) -> str:
    if not state.last_at:
        return tr("尚未备份过。")
    kind = tr("（加密）") if state.encrypted else ""
    return tr("上次备份{k}：{t}（{n} 个文件）\n位置：{p}").format(k=kind, t=local_time_text(state.last_at), n=state.files,
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
        self.choose_encrypted = lambda: QFileDialog.getOpenFileName(
            self, tr("选择要校验的加密备份"), self.folder_edit.text(), tr("加密备份 (*.zwgkenc)"))[0]
        self.choose_usb = lambda: QFileDialog.getExistingDirectory(self, tr("选择U盘或移动硬盘上的文件夹"), "")
        self.ask_password = self._ask_password
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
        hint = muted_label(tr("备份包含数据库、留档照片和打印件。系统每天自动备份一次并保留最近几份；"
                         "建议把备份位置设在移动硬盘或另一块磁盘上。"))
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
        self.encrypted_button = QPushButton(tr("加密备份到U盘(&E)…"))
        self.encrypted_button.setToolTip(tr("备份含身份证号、银行账号等个人信息。带出办公室的备份请加密："
                                            "生成一个 .zwgkenc 文件，凭密码才能查看和恢复。"))
        self.encrypted_button.clicked.connect(self.backup_encrypted)
        row.addWidget(self.encrypted_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = MessageLabel()
        layout.addWidget(self.message)
        return frame

    def _build_verify_card(self) -> QWidget:
        frame, layout = card(tr("校验备份"))
        hint = muted_label(tr("逐个核对备份中文件的指纹，确认备份完整、未被改动，可以用来恢复。"))
        layout.addWidget(hint)
        buttons = QHBoxLayout()
        self.verify_button = QPushButton(tr("校验备份(&V)…"))
        self.verify_button.clicked.connect(self.verify)
        self.verify_encrypted_button = QPushButton(tr("校验加密备份…"))
        self.verify_encrypted_button.clicked.connect(self.verify_encrypted)
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.verify_encrypted_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.verify_message = MessageLabel()
        layout.addWidget(self.verify_message)
        layout.addStretch(1)
        return frame

    def _build_restore_card(self) -> QWidget:
        frame, layout = card(tr("从备份恢复"))
        text = QLabel(tr("为防止覆盖现有数据，恢复只能放进一个新的空数据目录，不能在本程序运行时覆盖当前数据。"
                         "请关闭本程序，在命令行运行下面的命令（把备份文件夹换成实际路径），再用新目录启动。"
                         "命令中的 --verify-with 用本机的密钥核对备份没有被改动；原电脑已损坏时去掉这一段。"
                         "恢复加密备份（.zwgkenc 文件）时会提示输入密码。"))
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
        self.restore_code.setText(restore_command(target, example, str(self.config.data_dir)))

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
        self._backup(None, None, tr("正在备份，请稍候…"))

    def backup_encrypted(self) -> None:
        """Ask for a folder (a USB stick) and a password (twice), then write one encrypted backup file there."""
        folder = self.choose_usb()
        if not folder:
            return
        password = self.ask_password(True)
        if password is None:
            return
        self._backup(folder, password, tr("正在加密备份，请稍候…"))

    def _backup(self, folder: str | None, password: str | None, label: str) -> None:
        if self.scheduler.busy:
            self.message.show_message(tr("正在进行另一项备份，请稍候再试。"), "warning")
            return
        self.scheduler.busy = True
        self.backup_button.setEnabled(False)
        self.encrypted_button.setEnabled(False)

        def done(backup) -> None:
            self._finish()
            result = backup.result
            text = tr("加密备份完成：{n} 个文件，保存在 {p}。请牢记密码，丢失将无法恢复。") if result.encrypted else \
                tr("备份完成：{n} 个文件，保存在 {p}")
            self.message.show_message(text.format(n=result.files, p=result.path), "ok")
            self.backed_up.emit(result)

        def failed(exc: BaseException) -> None:
            self._finish()
            if isinstance(exc, Cancelled):
                self.message.show_message(tr("备份已取消，未留下不完整的备份。"), "muted")
            else:
                self.message.show_error(exc)

        keep = None if folder else self.config.settings.backup_keep
        self.tasks.run_op(create_backup, folder, keep=keep, password=password, progress=label, parent=self,
                          on_success=done, on_failure=failed)

    def _finish(self) -> None:
        self.scheduler.busy = False
        self.backup_button.setEnabled(True)
        self.encrypted_button.setEnabled(True)
        self.scheduler.emit_state()

    def _ask_password(self, new: bool) -> str | None:
        """The backup password typed by the user (twice for a new backup); None when cancelled or mismatched."""
        echo = QLineEdit.EchoMode.Password
        first, ok = QInputDialog.getText(self, tr("备份密码"), tr("请输入备份密码（至少 8 位）：") if new else
                                         tr("请输入这份加密备份的密码："), echo)
        if not ok or not first:
            return None
        if new:
            again, ok = QInputDialog.getText(self, tr("备份密码"), tr("请再输入一次："), echo)
            if not ok:
                return None
            if again != first:
                self.message.show_message(tr("两次输入的密码不一致，没有生成备份。"), "error")
                return None
        return first

    def verify(self) -> None:
        path = self.choose_backup()
        if path:
            self._verify(path, None)

    def verify_encrypted(self) -> None:
        path = self.choose_encrypted()
        if not path:
            return
        password = self.ask_password(False)
        if password is not None:
            self._verify(path, password)

    def _verify(self, path: str, password: str | None) -> None:
        def done(result) -> None:
            notes = "".join(f"\n注意：{w}" for w in result.warnings)
            if result.ok:
                self.verify_message.show_message(tr("备份完好：{n} 个文件全部核对一致。\n{p}").format(
                    n=result.files, p=result.path) + notes, "ok")
            else:
                problems = "\n".join(f"• {p.message}" for p in result.problems[:8])
                more = tr("\n…共 {n} 处问题").format(n=len(result.problems)) if len(result.problems) > 8 else ""
                self.verify_message.show_message(tr("备份有问题，不能用于恢复：\n") + problems + more, "error")
            self.verified.emit(result)

        self.tasks.run_op(verify_backup, path, password=password, progress=tr("正在校验备份…"), parent=self,
                          on_success=done, on_failure=self.verify_message.show_error)
