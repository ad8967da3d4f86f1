"""The 同步 page: county server and enrollment, "立即同步" with progress, totals, warnings, quarantined records.

Everything runs through the window's `SyncController` (one sync at a time,
off the UI thread) and the `ops.sync` ops on the `TaskManager`; nothing
here blocks or opens a modal box, so the page can be driven by tests.
Enrollment and errors are shown in labels on the page. The last successful
sync and the last attempt are shown apart, in local time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.local_time import local_time_text
from zwgk_desktop.ops.sync import SyncOverview, enroll_device, retry_quarantined
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.sync.controller import SyncController, SyncOutcome
from zwgk_desktop.ui.tasks import error_message
from zwgk_desktop.ui.widgets import muted_label, titled_card

PROGRESS_POLL_MS = 150
QUARANTINE_COLUMNS = ("类型", "记录", "原因", "尝试次数", "产生时间")

PAGE_STYLE = """
QFrame#syncCard { background: #f7f9fb; border: 1px solid #e3e7ec; border-radius: 10px; }
QLabel#cardTitle { font-size: 12pt; font-weight: 600; color: #1f2733; }
QLabel#figureValue { font-size: 16pt; font-weight: 700; color: #1f2733; }
QLabel#figureCaption { color: #6a7380; }
QLabel#enrolledPill { border-radius: 9px; padding: 2px 10px; font-weight: 600; }
QLabel#warningBox { background: #fff8e1; border: 1px solid #f0d58a; border-radius: 6px; padding: 8px 10px; color: #6b5200; }
QLabel#errorBox { background: #fdecea; border: 1px solid #f1b5ae; border-radius: 6px; padding: 8px 10px; color: #8c1d13; }
QLabel#okBox { background: #e8f5ec; border: 1px solid #b5dcc0; border-radius: 6px; padding: 8px 10px; color: #1a5d2b; }
"""


def card(title: str) -> tuple[QFrame, QVBoxLayout]:
    return titled_card(title, "syncCard")


class Figure(QWidget):
    """A number over its caption."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.value = QLabel("—")
        self.value.setObjectName("figureValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("figureCaption")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str) -> None:
        self.value.setText(text)


class SyncPage(QWidget):
    """The page; `controller` does the syncing, `tasks` runs enrollment and retries."""

    enrolled = Signal(str)  # device id
    retried = Signal(int)

    def __init__(self, config, database, tasks, controller: SyncController, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.config, self.database, self.tasks, self.controller = config, database, tasks, controller
        self.overview: SyncOverview | None = None
        self.choose_file = lambda: QFileDialog.getOpenFileName(
            self, tr("选择县级平台证书文件"), "", tr("证书 (*.pem *.crt *.cer);;所有文件 (*)"))[0]
        self.setStyleSheet(PAGE_STYLE)
        self._build()
        self._poll = QTimer(self)
        self._poll.setInterval(PROGRESS_POLL_MS)
        self._poll.timeout.connect(self._show_progress)
        controller.started.connect(self._sync_started)
        controller.finished.connect(self._sync_finished)
        controller.overview_changed.connect(self.show_overview)
        if controller.overview is not None:
            self.show_overview(controller.overview)

    # --- layout ---------------------------------------------------------------
    def _build(self) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("page")
        column = QVBoxLayout(body)
        column.setContentsMargins(24, 18, 24, 24)
        column.setSpacing(14)
        title = QLabel(tr("同步"))
        title.setObjectName("pageTitle")
        lead = muted_label(tr("联网时与县级平台交换数据：上报公示、张贴记录和留档照片，下载目录、节假日安排和补助标准。"
                         "断网时照常工作，联网后自动补传。"))
        column.addWidget(title)
        column.addWidget(lead)
        column.addWidget(self._build_server_card())
        column.addWidget(self._build_status_card())
        column.addWidget(self._build_quarantine_card(), 1)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _build_server_card(self) -> QFrame:
        frame, layout = card(tr("县级平台"))
        head = QHBoxLayout()
        self.enrolled_pill = QLabel()
        self.enrolled_pill.setObjectName("enrolledPill")
        head.addWidget(self.enrolled_pill)
        self.device_label = QLabel()
        self.device_label.setObjectName("muted")
        self.device_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.addWidget(self.device_label, 1)
        layout.addLayout(head)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.server_edit = QLineEdit(self.config.settings.county_url)
        self.server_edit.setPlaceholderText(tr("例如 https://zwgk.xx县.gov.cn"))
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(tr("县政务公开办发放的一次性注册码"))
        self.code_edit.returnPressed.connect(self.enroll)
        ca_row = QHBoxLayout()
        self.ca_edit = QLineEdit(self.config.settings.county_ca_file)
        self.ca_edit.setPlaceholderText(tr("县里自建证书时选择其证书文件；使用正式证书时留空"))
        self.ca_button = QPushButton(tr("选择…"))
        self.ca_button.clicked.connect(self._choose_ca)
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.ca_button)
        server_label, code_label, ca_label = QLabel(tr("平台地址(&A)：")), QLabel(tr("注册码(&C)：")), QLabel(tr("证书文件："))
        server_label.setBuddy(self.server_edit)
        code_label.setBuddy(self.code_edit)
        form.addRow(server_label, self.server_edit)
        form.addRow(code_label, self.code_edit)
        form.addRow(ca_label, ca_row)
        self.insecure_check = QCheckBox(tr("允许不加密的 http 连接（个人信息将明文传输，仅限县里临时测试）"))
        form.addRow("", self.insecure_check)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.enroll_button = QPushButton(tr("注册本机(&R)"))
        self.enroll_button.clicked.connect(self.enroll)
        row.addWidget(self.enroll_button)
        self.enroll_message = QLabel()
        self.enroll_message.setWordWrap(True)
        row.addWidget(self.enroll_message, 1)
        layout.addLayout(row)
        return frame

    def _build_status_card(self) -> QFrame:
        frame, layout = card(tr("同步状态"))
        row = QHBoxLayout()
        self.sync_button = QPushButton(tr("立即同步(&S)"))
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = QPushButton(tr("取消"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress.setVisible(False)
        self.progress_message = QLabel()
        self.progress_message.setObjectName("muted")
        row.addWidget(self.sync_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.progress_message, 1)
        layout.addLayout(row)
        self.schedule_label = QLabel()
        self.schedule_label.setObjectName("muted")
        layout.addWidget(self.schedule_label)
        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(12)
        self.figures = {key: Figure(caption) for key, caption in (
            ("last_sync", tr("上次成功同步")), ("last_attempt", tr("上次尝试")), ("pending", tr("待上传（条）")),
            ("pushed", tr("累计上报（条）")),
            ("pulled", tr("累计获取参考数据（项）")), ("blobs", tr("累计上传照片和打印件")),
            ("conflicts", tr("版本冲突")), ("errors", tr("县级拒收")),
        )}
        for n, figure in enumerate(self.figures.values()):
            grid.addWidget(figure, n // 4, n % 4)
        layout.addLayout(grid)
        self.result_box = QLabel()
        self.result_box.setWordWrap(True)
        self.result_box.setVisible(False)
        layout.addWidget(self.result_box)
        self.warning_box = QLabel()
        self.warning_box.setObjectName("warningBox")
        self.warning_box.setWordWrap(True)
        self.warning_box.setVisible(False)
        layout.addWidget(self.warning_box)
        return frame

    def _build_quarantine_card(self) -> QFrame:
        frame, layout = card(tr("未能上报的记录"))
        hint = muted_label(tr("县级平台拒收或版本冲突的记录暂停上报，其他记录不受影响。请按原因核对后点“重试”，"
                         "记录会在下次同步时重新上报。"))
        layout.addWidget(hint)
        self.quarantine_table = QTableWidget(0, len(QUARANTINE_COLUMNS))
        self.quarantine_table.setHorizontalHeaderLabels([tr(c) for c in QUARANTINE_COLUMNS])
        self.quarantine_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.quarantine_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.quarantine_table.setAlternatingRowColors(True)
        self.quarantine_table.verticalHeader().setVisible(False)
        self.quarantine_table.setMinimumHeight(160)
        header = self.quarantine_table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column in (0, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 260)
        self.quarantine_table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.quarantine_table, 1)
        row = QHBoxLayout()
        self.empty_label = QLabel(tr("没有未能上报的记录。"))
        self.empty_label.setObjectName("muted")
        row.addWidget(self.empty_label, 1)
        self.retry_button = QPushButton(tr("重试所选(&T)"))
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_all_button = QPushButton(tr("全部重试"))
        self.retry_all_button.clicked.connect(self.retry_all)
        row.addWidget(self.retry_button)
        row.addWidget(self.retry_all_button)
        layout.addLayout(row)
        return frame

    # --- data -----------------------------------------------------------------
    def refresh(self) -> None:
        self.controller.refresh_overview()

    def show_overview(self, overview: SyncOverview) -> None:
        self.overview = overview
        self._show_enrollment(overview)
        figures = self.figures
        figures["last_sync"].set_value(local_time_text(overview.last_success_at) or tr("从未"))
        attempt = local_time_text(overview.last_attempt_at) or tr("从未")
        if overview.last_attempt_failed:
            attempt = tr("{t}（失败）").format(t=attempt)
            figures["last_attempt"].setToolTip((overview.last_error or {}).get("message", ""))
        else:
            figures["last_attempt"].setToolTip("")
        figures["last_attempt"].set_value(attempt)
        for key, value in (("pending", overview.pending), ("pushed", overview.pushed), ("pulled", overview.pulled),
                           ("blobs", overview.blobs_uploaded), ("conflicts", overview.conflicts),
                           ("errors", overview.errors)):
            figures[key].set_value(f"{value:,}")
        warnings = list(overview.warnings)
        if overview.last_attempt_failed and not self.controller.running and not self.result_box.text():
            self._message(self.result_box, tr("上次同步（{t}）未成功：{m}").format(
                t=local_time_text(overview.last_attempt_at), m=(overview.last_error or {}).get("message", "")), "error")
        self.warning_box.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warning_box.setVisible(bool(warnings))
        self._fill_quarantine(overview)
        self._show_schedule()
        self._update_buttons()

    def _show_enrollment(self, overview: SyncOverview) -> None:
        if overview.enrolled:
            self.enrolled_pill.setText(tr("已注册"))
            self.enrolled_pill.setStyleSheet("QLabel#enrolledPill { color: #1a5d2b; background: #d8f0df; }")
            township = tr("，乡镇：{t}").format(t=overview.township) if overview.township else ""
            self.device_label.setText(tr("设备编号 {d}{t}；平台 {s}").format(
                d=overview.device_id or "—", t=township, s=overview.server or "—"))
            if overview.server and not self.server_edit.hasFocus():
                self.server_edit.setText(overview.server)
            self.enroll_button.setText(tr("重新注册(&R)"))
        else:
            self.enrolled_pill.setText(tr("未注册"))
            self.enrolled_pill.setStyleSheet("QLabel#enrolledPill { color: #6b5200; background: #fff1c2; }")
            self.device_label.setText(tr("本机尚未在县级平台注册，所有功能可离线使用。填写平台地址和注册码后点“注册本机”。"))
            self.enroll_button.setText(tr("注册本机(&R)"))

    def _fill_quarantine(self, overview: SyncOverview) -> None:
        table = self.quarantine_table
        table.setRowCount(len(overview.quarantined))
        for row, entry in enumerate(overview.quarantined):
            values = (entry.entity_label, entry.record, entry.reason, str(entry.attempts), entry.created_at)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, entry.key)
                if column == 2:
                    item.setToolTip(value)
                    item.setForeground(Qt.GlobalColor.darkRed)
                table.setItem(row, column, item)
        self.empty_label.setVisible(not overview.quarantined)

    def _show_schedule(self) -> None:
        wait = self.controller.seconds_until_next()
        if self.controller.running:
            text = tr("正在同步…")
        elif self.overview is None or not self.overview.enrolled:
            text = tr("注册后每 {m} 分钟自动同步一次。").format(m=max(1, round(self.controller.interval_s / 60)))
        elif wait is not None:
            text = tr("下次自动同步：约 {m} 分钟后（每 {i} 分钟一次；县级平台不可达时逐步延长间隔，最长 30 分钟）。").format(
                m=max(1, round(wait / 60)), i=max(1, round(self.controller.interval_s / 60)))
        else:
            text = tr("自动同步已排队。")
        self.schedule_label.setText(text)

    def _update_buttons(self) -> None:
        enrolled = bool(self.overview and self.overview.enrolled)
        running = self.controller.running
        self.sync_button.setEnabled(enrolled and not running)
        self.sync_button.setToolTip("" if enrolled else tr("请先注册本机。"))
        self.cancel_button.setEnabled(running)
        has_rows = self.quarantine_table.rowCount() > 0
        self.retry_button.setEnabled(has_rows and bool(self.quarantine_table.selectionModel().selectedRows()))
        self.retry_all_button.setEnabled(has_rows)

    # --- enrollment -------------------------------------------------------------
    def _choose_ca(self) -> None:
        path = self.choose_file()
        if path:
            self.ca_edit.setText(path)

    def enroll(self) -> None:
        """Register this install with the county (off the UI thread); the result shows below the button."""
        server, code = self.server_edit.text().strip(), self.code_edit.text().strip()
        if not server or not code:
            self._message(self.enroll_message, tr("请填写县级平台地址和注册码。"), "error")
            return
        self.enroll_button.setEnabled(False)
        self._message(self.enroll_message, tr("正在注册…"), "muted")
        self.tasks.run_op(enroll_device, server, code, ca_file=self.ca_edit.text().strip(),
                          insecure=self.insecure_check.isChecked(), on_success=self._enrolled,
                          on_failure=self._enroll_failed)

    def _enrolled(self, answer) -> None:
        self.enroll_button.setEnabled(True)
        self.code_edit.clear()
        text = tr("注册成功，设备编号 {d}。稍后将自动进行第一次同步。").format(d=answer.device_id)
        if answer.warnings:
            text += "\n⚠ " + "\n⚠ ".join(answer.warnings)
        self._message(self.enroll_message, text, "error" if answer.warnings else "ok")
        self.controller.enrolled()
        self.enrolled.emit(answer.device_id)

    def _enroll_failed(self, exc: BaseException) -> None:
        self.enroll_button.setEnabled(True)
        self._message(self.enroll_message, error_message(exc), "error")

    # --- syncing ----------------------------------------------------------------
    def sync_now(self) -> None:
        if not self.controller.sync_now(manual=True):
            self.progress_message.setText(tr("已有一次同步正在进行，请稍候。"))

    def _sync_started(self, _manual: bool) -> None:
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.progress_message.setText(tr("正在连接县级服务器…"))
        self.result_box.setVisible(False)
        self._poll.start()
        self._show_schedule()
        self._update_buttons()

    def _show_progress(self) -> None:
        job = self.controller.job
        if job is None:
            return
        if job.total > 0:
            self.progress.setRange(0, job.total)
            self.progress.setValue(min(job.done, job.total))
        if job.message:
            self.progress_message.setText(job.message)

    def _sync_finished(self, outcome: SyncOutcome) -> None:
        self._poll.stop()
        self.progress.setVisible(False)
        self.progress_message.setText("")
        if outcome.ok:
            report = outcome.report
            self._message(self.result_box, tr("同步完成：上报 {p} 条，获取参考数据 {r} 项，上传文件 {b} 个。").format(
                p=report.pushed, r=report.pulled, b=report.blobs_uploaded), "ok")
        elif outcome.error_code == "cancelled":
            self._message(self.result_box, outcome.error_message or "", "muted")
        else:
            wait = self.controller.seconds_until_next()
            retry = tr("（约 {m} 分钟后自动重试）").format(m=max(1, round(wait / 60))) if wait is not None else ""
            self._message(self.result_box, (outcome.error_message or "") + retry, "error")
        self._show_schedule()
        self._update_buttons()

    def _message(self, label: QLabel, text: str, kind: str) -> None:
        names = {"ok": "okBox", "error": "errorBox", "muted": "muted"}
        label.setObjectName(names[kind])
        label.setText(text)
        label.setVisible(bool(text))
        label.style().unpolish(label)
        label.style().polish(label)

    # --- retry ------------------------------------------------------------------
    def selected_keys(self) -> list[str]:
        rows = self.quarantine_table.selectionModel().selectedRows()
        return [self.quarantine_table.item(index.row(), 0).data(Qt.ItemDataRole.UserRole) for index in rows]

    def retry_selected(self) -> None:
        self._retry(self.selected_keys())

    def retry_all(self) -> None:
        table = self.quarantine_table
        self._retry([table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(table.rowCount())])

    def _retry(self, keys: list[str]) -> None:
        if not keys:
            return

        def done(requeued) -> None:
            self._message(self.result_box, tr("已将 {n} 条记录重新排入上报队列，将在下次同步时上报。").format(
                n=requeued.count), "ok")
            self.controller.refresh_overview()
            self.retried.emit(requeued.count)

        self.tasks.run_op(retry_quarantined, keys, on_success=done,
                          on_failure=lambda exc: self._message(self.result_box, error_message(exc), "error"), owner=self)
