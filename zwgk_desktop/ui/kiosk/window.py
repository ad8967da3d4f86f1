"""The 信息查阅点 kiosk window: full screen, read-only, touch-sized, masked, locked.

Pages (one `QStackedWidget`): start (big category buttons, search, 核验),
search (village, category, name → result list), notice (the public version
of one notice: 公示中/公示期满, the 公示期, how to object and the 监督举报电话),
admin exit (password), verify (type the 核验码 under a poster's QR on the
on-screen keypad, or scan it → genuine / corrected / unknown). Everything
shown comes from the `ops.kiosk` use cases, run as the read-only
`KIOSK_ACTOR` on a database opened read-only (`open_kiosk_database`).
The kiosk is a process of its own that never writes and whose queries are
bounded (200 results, 5,000 rows), so it calls its read ops directly on the
UI thread. The window is frameless and stays on top; close events, Escape
and Alt+F4 are ignored unless the admin password was entered (`ExitGuard`
pauses exit after repeated wrong passwords); there are no context menus,
file dialogs or links to the rest of the app. Any touch, click or key press
restarts the idle timer; when it fires (default 120 s) the kiosk returns to
the start page and forgets the last search and code.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScroller,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.verification import ALPHABET
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ops import kiosk as kiosk_ops
from zwgk_desktop.ops.kiosk import KIOSK_ACTOR, KioskVerification
from zwgk_desktop.ui.i18n import tr

DEFAULT_IDLE_SECONDS = 120
BUTTON_HEIGHT = 72
BASE_POINT_SIZE = 20
TITLE_POINT_SIZE = 32
TABLE_POINT_SIZE = 18
ACTIVITY_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove, QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.Wheel, QEvent.Type.InputMethod,
})

PAGE_START, PAGE_SEARCH, PAGE_NOTICE, PAGE_EXIT, PAGE_VERIFY = range(5)
MAX_FAILED_EXITS = 5
EXIT_PAUSE_SECONDS = 60
KEYPAD_COLUMNS = 8
STATE_COLORS = {  # 核验 result: text colour, background
    "current": ("#0f6b2f", "#e3f5e8"),
    "superseded": ("#8a4b00", "#fff1d6"),
}
WARNING_COLORS = ("#a4161a", "#fde8e8")

STYLESHEET = f"""
QWidget#kiosk {{ background: #f4f7fb; }}
QWidget#kiosk QLabel {{ color: #1d2733; }}
QLabel#kioskTitle {{ font-size: {TITLE_POINT_SIZE}pt; font-weight: 700; color: #a4161a; }}
QLabel#kioskSubtitle {{ font-size: 22pt; color: #42505f; }}
QLabel#noticeTitle {{ font-size: 24pt; font-weight: 700; }}
QLabel#hint {{ font-size: 16pt; color: #5b6673; }}
QLabel#exitMessage {{ font-size: 18pt; color: #a4161a; }}
QLabel#noticeBody {{ font-size: {TABLE_POINT_SIZE}pt; color: #2b3642; }}
QFrame#supervision {{ background: #fff8e6; border: 2px solid #f0d58a; border-radius: 10px; }}
QLabel#objectionText {{ font-size: 15pt; color: #4a3b00; }}
QLabel#phonesText {{ font-size: 18pt; font-weight: 700; color: #a4161a; }}
QLabel#verifyState {{ font-size: 28pt; font-weight: 700; padding: 14px 18px; border-radius: 12px; }}
QLabel#verifyDetail {{ font-size: 18pt; color: #2b3642; }}
QPushButton#key {{ min-height: {BUTTON_HEIGHT}px; min-width: 64px; padding: 0; font-size: 24pt; font-weight: 600; }}
QFrame#topBar {{ background: #a4161a; }}
QFrame#topBar QLabel {{ color: #ffffff; font-size: 22pt; font-weight: 600; }}
QPushButton {{
    min-height: {BUTTON_HEIGHT}px; font-size: 22pt; padding: 6px 24px; border-radius: 12px;
    background: #ffffff; border: 2px solid #c9d2dd; color: #1d2733;
}}
QPushButton:pressed {{ background: #dde7f5; }}
QPushButton#primary {{ background: #1f6feb; color: #ffffff; border: none; font-weight: 600; }}
QPushButton#category {{ min-height: 120px; font-size: 26pt; font-weight: 600; background: #ffffff; border: 2px solid #e0c7c7; }}
QPushButton#admin {{ min-height: {BUTTON_HEIGHT}px; font-size: 14pt; color: #ffffff; background: transparent; border: 1px solid #d98c8e; }}
QComboBox, QLineEdit {{
    min-height: {BUTTON_HEIGHT}px; font-size: {BASE_POINT_SIZE}pt; padding: 0 14px; border: 2px solid #c9d2dd;
    border-radius: 10px; background: #ffffff;
}}
QComboBox QAbstractItemView {{ font-size: {BASE_POINT_SIZE}pt; }}
QComboBox QAbstractItemView::item {{ min-height: 60px; }}
QListWidget {{ font-size: {BASE_POINT_SIZE}pt; border: 2px solid #d5dde7; border-radius: 10px; background: #ffffff; }}
QListWidget::item {{ padding: 18px 12px; border-bottom: 1px solid #e6ebf1; }}
QListWidget::item:selected {{ background: #dde7f5; color: #1d2733; }}
QTableWidget {{ font-size: {TABLE_POINT_SIZE}pt; gridline-color: #e1e6ec; background: #ffffff; border: 2px solid #d5dde7; }}
QHeaderView::section {{ font-size: {TABLE_POINT_SIZE}pt; font-weight: 700; background: #eef2f7; padding: 10px; border: none;
    border-right: 1px solid #d5dde7; border-bottom: 2px solid #c9d2dd; }}
QScrollBar:vertical {{ width: 36px; }}
QScrollBar:horizontal {{ height: 36px; }}
"""


def _no_menu(widget: QWidget) -> QWidget:
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    return widget


def _button(text: str, name: str = "") -> QPushButton:
    button = QPushButton(text)
    if name:
        button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return _no_menu(button)


class ExitGuard:
    """Checks the exit password; after 5 wrong attempts it refuses everything for a minute."""

    def __init__(self, checker, clock=time.monotonic):
        self._checker = checker
        self._clock = clock
        self.failures = 0
        self.paused_until = 0.0

    def seconds_paused(self) -> int:
        return max(0, int(self.paused_until - self._clock() + 0.999))

    def try_password(self, password: str) -> bool:
        if self.seconds_paused():
            return False
        if self._checker(password):
            self.failures = 0
            return True
        self.failures += 1
        if self.failures >= MAX_FAILED_EXITS:
            self.failures = 0
            self.paused_until = self._clock() + EXIT_PAUSE_SECONDS
        return False


class ActivityFilter(QObject):
    """Application-wide event filter: any user input counts as activity."""

    activity = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() in ACTIVITY_EVENTS:
            self.activity.emit()
        return False


class KioskWindow(QWidget):
    """The public lookup screen. `KioskWindow(db_path_or_read_only_database, township="", idle_seconds=120)`."""

    returned_to_start = Signal()
    verified = Signal(object)  # KioskVerification, after each 核验

    def __init__(self, source, *, township: str = "", idle_seconds: float = DEFAULT_IDLE_SECONDS,
                 password_checker=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = kiosk_ops.open_kiosk_database(source) if isinstance(source, (str, Path)) else source
        self._unlocked = False
        self._last_name = ""
        self._current_notice_id = ""
        self.last_verification: KioskVerification | None = None
        self._notice_back_page = PAGE_SEARCH  # where the notice page's back button leads
        self.guard = ExitGuard(password_checker or self._check_password)
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle(tr("政务公开信息查阅点"))
        self.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.setStyleSheet(STYLESHEET)
        font = self.font()
        font.setPointSize(BASE_POINT_SIZE)
        self.setFont(font)
        _no_menu(self)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(int(idle_seconds * 1000))
        self.idle_timer.timeout.connect(self.go_home)
        self.activity = ActivityFilter(self)
        self.activity.activity.connect(self._on_activity)
        QApplication.instance().installEventFilter(self.activity)

        self.start_info = self._op(kiosk_ops.kiosk_start)
        self.township = township or self.start_info.township
        self._build()
        self.go_home()

    # --- data -------------------------------------------------------------
    def _op(self, op, *args):
        """Run one of the kiosk's read ops as the kiosk on the read-only database."""
        return op(self.db, KIOSK_ACTOR, *args)

    def _check_password(self, password: str) -> bool:
        return self._op(kiosk_ops.check_exit_password, password)

    # --- layout -----------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._top_bar())
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)
        self.pages.addWidget(self._start_page())
        self.pages.addWidget(self._search_page())
        self.pages.addWidget(self._notice_page())
        self.pages.addWidget(self._exit_page())
        self.pages.addWidget(self._verify_page())

    def _top_bar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("topBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(28, 10, 20, 10)
        label = QLabel(tr("{t}政务公开信息查阅点").format(t=self.township))
        row.addWidget(label, 1)
        self.home_button = _button(tr("返回首页"), "admin")
        self.home_button.clicked.connect(self.go_home)
        row.addWidget(self.home_button)
        self.admin_button = _button(tr("管理员"), "admin")
        self.admin_button.clicked.connect(self.show_exit_page)
        row.addWidget(self.admin_button)
        return bar

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(22)
        return page, layout

    def _start_page(self) -> QWidget:
        page, layout = self._page()
        title = QLabel(tr("{t}政务公开信息查阅").format(t=self.township))
        title.setObjectName("kioskTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle = QLabel(tr("请选择要查看的公开类别，或按姓名、村（社区）查询"))
        subtitle.setObjectName("kioskSubtitle")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle.setWordWrap(True)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(20)
        grid = QGridLayout()
        grid.setSpacing(22)
        self.category_buttons: dict[str, QPushButton] = {}
        for index, (code, name) in enumerate(self.start_info.categories):
            button = _button(name, "category")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, c=code: self.open_search(category=c))
            grid.addWidget(button, index // 4, index % 4)
            self.category_buttons[code] = button
        layout.addLayout(grid)
        layout.addSpacing(20)
        self.start_search_button = _button(tr("按姓名或村（社区）查询"), "primary")
        self.start_search_button.setMinimumHeight(96)
        self.start_search_button.clicked.connect(lambda: self.open_search())
        self.start_verify_button = _button(tr("核验公示真伪（输入海报上的核验码）"))
        self.start_verify_button.setMinimumHeight(96)
        self.start_verify_button.clicked.connect(self.show_verify_page)
        row = QHBoxLayout()
        row.setSpacing(22)
        row.addWidget(self.start_search_button, 1)
        row.addWidget(self.start_verify_button, 1)
        layout.addLayout(row)
        note = QLabel(tr("本查阅点只显示已公示的信息，个人身份证号、电话、银行账号等隐私信息不予显示。"))
        note.setObjectName("hint")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note.setWordWrap(True)
        layout.addStretch(1)
        layout.addWidget(note)
        return page

    def _search_page(self) -> QWidget:
        page, layout = self._page()
        row = QHBoxLayout()
        row.setSpacing(16)
        self.village_box = _no_menu(QComboBox())
        self.village_box.addItem(tr("全部村（社区）"), "")
        for name in self.start_info.villages:
            self.village_box.addItem(name, name)
        self.category_box = _no_menu(QComboBox())
        self.category_box.addItem(tr("全部类别"), "")
        for code, name in self.start_info.categories:
            self.category_box.addItem(name, code)
        self.name_edit = _no_menu(QLineEdit())
        self.name_edit.setPlaceholderText(tr("输入姓名或公示名称"))
        self.name_edit.setMaxLength(30)
        self.name_edit.returnPressed.connect(self.run_search)
        self.search_button = _button(tr("查询"), "primary")
        self.search_button.clicked.connect(self.run_search)
        row.addWidget(self.village_box, 2)
        row.addWidget(self.category_box, 2)
        row.addWidget(self.name_edit, 3)
        row.addWidget(self.search_button, 1)
        layout.addLayout(row)
        self.result_label = QLabel()
        self.result_label.setObjectName("hint")
        layout.addWidget(self.result_label)
        self.results = _no_menu(QListWidget())
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setWordWrap(True)
        QScroller.grabGesture(self.results.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.results.itemClicked.connect(lambda item: self.open_notice(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.results, 1)
        return page

    def _notice_page(self) -> QWidget:
        page, layout = self._page()
        layout.setContentsMargins(36, 18, 36, 18)
        layout.setSpacing(12)
        top = QHBoxLayout()
        top.setSpacing(20)
        self.back_button = _button(tr("‹ 返回查询结果"))
        self.back_button.clicked.connect(lambda: self.pages.setCurrentIndex(self._notice_back_page))
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        self.notice_title = QLabel()
        self.notice_title.setObjectName("noticeTitle")
        self.notice_title.setWordWrap(True)
        top.addWidget(self.notice_title, 1)
        layout.addLayout(top)
        self.notice_meta = QLabel()
        self.notice_meta.setObjectName("hint")
        self.notice_body = QLabel()
        self.notice_body.setObjectName("noticeBody")
        self.notice_body.setWordWrap(True)
        self.notice_body.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.notice_title.setTextFormat(Qt.TextFormat.PlainText)
        for label in (self.notice_meta, self.notice_body):
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
        self.table = _no_menu(QTableWidget())
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(56)
        self.table.setWordWrap(False)
        QScroller.grabGesture(self.table.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        layout.addWidget(self.table, 1)
        self.notice_note = QLabel()
        self.notice_note.setObjectName("hint")
        layout.addWidget(self.notice_note)
        self.supervision = QFrame()
        self.supervision.setObjectName("supervision")
        box = QHBoxLayout(self.supervision)
        box.setContentsMargins(18, 10, 18, 10)
        box.setSpacing(24)
        self.objection_label = QLabel()
        self.objection_label.setObjectName("objectionText")
        self.objection_label.setWordWrap(True)
        self.phones_label = QLabel()
        self.phones_label.setObjectName("phonesText")
        self.phones_label.setWordWrap(True)
        for label, stretch in ((self.objection_label, 3), (self.phones_label, 2)):
            label.setTextFormat(Qt.TextFormat.PlainText)
            box.addWidget(label, stretch)
        layout.addWidget(self.supervision)
        return page

    def _exit_page(self) -> QWidget:
        page, layout = self._page()
        layout.addStretch(1)
        title = QLabel(tr("管理员退出查阅模式"))
        title.setObjectName("noticeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        self.password_edit = _no_menu(QLineEdit())
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(tr("请输入管理员密码"))
        self.password_edit.setMinimumWidth(560)
        self.password_edit.returnPressed.connect(self.try_exit)
        layout.addWidget(self.password_edit, 0, Qt.AlignmentFlag.AlignHCenter)
        self.exit_message = QLabel()
        self.exit_message.setObjectName("exitMessage")
        self.exit_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.exit_message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_exit_button = _button(tr("取消"))
        self.cancel_exit_button.clicked.connect(self.go_home)
        self.confirm_exit_button = _button(tr("确认退出"), "primary")
        self.confirm_exit_button.clicked.connect(self.try_exit)
        for button in (self.cancel_exit_button, self.confirm_exit_button):
            button.setMinimumWidth(240)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        return page

    def _verify_page(self) -> QWidget:
        page, layout = self._page()
        top = QHBoxLayout()
        title = QLabel(tr("核验公示真伪"))
        title.setObjectName("noticeTitle")
        top.addWidget(title, 1)
        layout.addLayout(top)
        columns = QHBoxLayout()
        columns.setSpacing(36)
        left = QVBoxLayout()
        left.setSpacing(16)
        hint = QLabel(tr("请输入公示海报二维码下方的核验码（8位字母和数字，如 ABCD‑EFGH），也可用扫码枪扫描二维码。"))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        left.addWidget(hint)
        self.code_edit = _no_menu(QLineEdit())
        self.code_edit.setPlaceholderText(tr("核验码"))
        self.code_edit.setMaxLength(200)  # a scanned QR may hold the county's verification address
        self.code_edit.returnPressed.connect(self.run_verify)
        left.addWidget(self.code_edit)
        self.verify_state = QLabel()
        self.verify_state.setObjectName("verifyState")
        self.verify_state.setWordWrap(True)
        self.verify_hint = QLabel()
        self.verify_hint.setObjectName("hint")
        self.verify_hint.setWordWrap(True)
        self.verify_detail = QLabel()
        self.verify_detail.setObjectName("verifyDetail")
        self.verify_detail.setWordWrap(True)
        for label in (self.verify_state, self.verify_hint, self.verify_detail):
            label.setTextFormat(Qt.TextFormat.PlainText)
            left.addWidget(label)
        buttons = QHBoxLayout()
        self.verify_open_button = _button(tr("查看此公示"), "primary")
        self.verify_open_button.clicked.connect(
            lambda: self.last_verification and self.open_notice(self.last_verification.notice_id))
        self.verify_current_button = _button(tr("查看更正后的公示"), "primary")
        self.verify_current_button.clicked.connect(
            lambda: self.last_verification and self.open_notice(self.last_verification.current_notice_id))
        buttons.addWidget(self.verify_open_button)
        buttons.addWidget(self.verify_current_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        left.addStretch(1)
        columns.addLayout(left, 3)
        columns.addLayout(self._keypad(), 2)
        layout.addLayout(columns, 1)
        return page

    def _keypad(self) -> QGridLayout:
        """The on-screen keys of a 核验码 (digits and the 22 letters used; I, L, O, U never appear)."""
        grid = QGridLayout()
        grid.setSpacing(10)
        self.keypad_buttons: dict[str, QPushButton] = {}
        for index, char in enumerate(ALPHABET):
            key = _button(char, "key")
            key.clicked.connect(lambda _=False, c=char: self.type_code_char(c))
            grid.addWidget(key, index // KEYPAD_COLUMNS, index % KEYPAD_COLUMNS)
            self.keypad_buttons[char] = key
        row = len(ALPHABET) // KEYPAD_COLUMNS + 1
        self.backspace_button = _button(tr("退格"))
        self.backspace_button.clicked.connect(self.code_edit.backspace)
        self.clear_code_button = _button(tr("清空"))
        self.clear_code_button.clicked.connect(self.clear_verification)
        self.verify_button = _button(tr("核验"), "primary")
        self.verify_button.clicked.connect(self.run_verify)
        grid.addWidget(self.backspace_button, row, 0, 1, 2)
        grid.addWidget(self.clear_code_button, row, 2, 1, 2)
        grid.addWidget(self.verify_button, row, 4, 1, 4)
        return grid

    # --- navigation -------------------------------------------------------
    def _on_activity(self) -> None:
        if self.isVisible():
            self.idle_timer.start()

    def go_home(self) -> None:
        """Start page, search and password forgotten (what the idle timeout does)."""
        self.village_box.setCurrentIndex(0)
        self.category_box.setCurrentIndex(0)
        self.name_edit.clear()
        self.password_edit.clear()
        self.exit_message.clear()
        self.results.clear()
        self.result_label.clear()
        self.table.clear()
        self.table.setRowCount(0)
        self.clear_verification()
        self._last_name = ""
        self._current_notice_id = ""
        self.pages.setCurrentIndex(PAGE_START)
        self.returned_to_start.emit()

    def open_search(self, category: str = "") -> None:
        index = self.category_box.findData(category)
        self.category_box.setCurrentIndex(max(0, index))
        self.pages.setCurrentIndex(PAGE_SEARCH)
        self.run_search()

    def run_search(self) -> None:
        self._last_name = self.name_edit.text().strip()
        found = self._op(kiosk_ops.search_notices, self.village_box.currentData() or "",
                         self.category_box.currentData() or "", self._last_name)
        self.results.clear()
        for notice in found:
            facts = [notice.category_name, notice.status_label, notice.period_text or tr("公示期：—"),
                     tr("共 {n} 条").format(n=notice.items)]
            lines = [notice.title, " ｜ ".join(facts)]
            if notice.matches:
                lines.append(tr("含“{n}”的记录 {m} 条").format(n=self._last_name, m=notice.matches))
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, notice.id)
            self.results.addItem(item)
        if found:
            self.result_label.setText(tr("找到 {n} 条公示，点击查看详情").format(n=len(found)))
        else:
            self.result_label.setText(tr("没有找到符合条件的公示，请更换条件再试"))
        self.pages.setCurrentIndex(PAGE_SEARCH)

    def open_notice(self, notice_id: str | None) -> bool:
        """Show one published notice; False (and a note on the current page) when it can't be shown."""
        if not notice_id:
            return False
        came_from = self.current_page()
        searched = "" if came_from == PAGE_VERIFY else self._last_name  # highlight only what was searched for
        try:
            view = self._op(kiosk_ops.notice_view, notice_id, searched)
        except ZwgkError as exc:
            (self.verify_hint if came_from == PAGE_VERIFY else self.result_label).setText(exc.message)
            return False
        if came_from in (PAGE_SEARCH, PAGE_VERIFY):
            self._notice_back_page = came_from
            self.back_button.setText(tr("‹ 返回核验结果") if came_from == PAGE_VERIFY else tr("‹ 返回查询结果"))
        self._current_notice_id = notice_id
        self.notice_title.setText(view.title)
        meta = [view.category_name, view.status_label]
        if view.version > 1:
            meta.append(tr("第{v}版（更正）").format(v=view.version))
        self.notice_meta.setText(" ｜ ".join(meta + [view.period_text or tr("公示期：—")]))
        self.objection_label.setText(view.objection_text)
        self.phones_label.setText(view.phones_text)
        self.notice_body.setText(view.body)
        self.notice_body.setVisible(bool(view.body))
        self.table.clear()
        self.table.setColumnCount(len(view.headers))
        self.table.setHorizontalHeaderLabels(view.headers)
        self.table.setRowCount(len(view.rows))
        highlight = QBrush(QColor("#fff1b8"))
        for r, row in enumerate(view.rows):
            for c, text in enumerate(row):
                cell = QTableWidgetItem(text)
                if c in view.numeric:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r in view.highlight:
                    cell.setBackground(highlight)
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(r, c, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if view.highlight:
            self.table.scrollToItem(self.table.item(min(view.highlight), 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        notes = [tr("共 {n} 条").format(n=view.total_rows)]
        if view.highlight:
            notes.append(tr("黄色为含“{n}”的记录").format(n=searched))
        if view.truncated:
            notes.append(tr("仅显示前 {n} 条，完整名单请到公开栏查看").format(n=len(view.rows)))
        self.notice_note.setText("；".join(notes))
        self.pages.setCurrentIndex(PAGE_NOTICE)
        return True

    # --- 核验 -------------------------------------------------------------
    def show_verify_page(self) -> None:
        self.clear_verification()
        self.pages.setCurrentIndex(PAGE_VERIFY)
        self.code_edit.setFocus()

    def type_code_char(self, char: str) -> None:
        """A keypad press: append the character (a dash after the first four, as printed)."""
        text = self.code_edit.text()
        if len(text.replace("-", "")) >= 8:
            return
        if len(text) == 4 and "-" not in text:
            text += "-"
        self.code_edit.setText(text + char)

    def clear_verification(self) -> None:
        self.code_edit.clear()
        self.last_verification = None
        for label in (self.verify_state, self.verify_hint, self.verify_detail):
            label.clear()
        self.verify_state.setVisible(False)
        self.verify_open_button.setVisible(False)
        self.verify_current_button.setVisible(False)

    def run_verify(self) -> KioskVerification | None:
        """Look the typed code up and show what it says about the poster."""
        text = self.code_edit.text().strip()
        if not text:
            return None
        result = self._op(kiosk_ops.verify_code, text)
        self.show_verification(result)
        return result

    def show_verification(self, result: KioskVerification) -> None:
        self.last_verification = result
        colour, background = STATE_COLORS.get(result.state, WARNING_COLORS)
        self.verify_state.setStyleSheet(f"color: {colour}; background: {background};")
        mark = "✔ " if result.genuine else "⚠ "
        self.verify_state.setText(mark + result.state_label)
        self.verify_state.setVisible(True)
        self.verify_hint.setText(result.hint)
        details = []
        if result.title:
            details.append(result.title)
            facts = [result.township, tr("第{v}版").format(v=result.version) if result.version else "",
                     result.status_label if result.state != "unapproved" else ""]
            details.append("　".join(f for f in facts if f))
            if result.place:
                details.append(tr("张贴位置：{p}").format(p=result.place))
            if result.period_text:
                details.append(result.period_text)
        details.append(tr("核验码：{c}").format(c=result.text))
        self.verify_detail.setText("\n".join(details))
        self.verify_open_button.setVisible(bool(result.notice_id) and result.genuine)
        self.verify_current_button.setVisible(bool(result.current_notice_id))
        if result.current_notice_id:
            self.verify_current_button.setText(tr("查看第{v}版（更正后）").format(v=result.superseded_by_version))
        self.verified.emit(result)

    def show_exit_page(self) -> None:
        self.password_edit.clear()
        self.exit_message.clear()
        self.pages.setCurrentIndex(PAGE_EXIT)
        self.password_edit.setFocus()

    def try_exit(self) -> bool:
        """Close the kiosk if the password is right; say why not otherwise."""
        password = self.password_edit.text()
        self.password_edit.clear()
        paused = self.guard.seconds_paused()
        if paused:
            self.exit_message.setText(tr("密码错误次数过多，请 {s} 秒后再试").format(s=paused))
            return False
        if not self.guard.try_password(password):
            self.exit_message.setText(tr("密码不正确"))
            return False
        self._unlocked = True
        self.close()
        return True

    # --- locking ----------------------------------------------------------
    def current_page(self) -> int:
        return self.pages.currentIndex()

    def visible_text(self) -> str:
        """Every piece of text on the current page (for privacy checks in tests)."""
        parts = [w.text() for w in self.pages.currentWidget().findChildren(QLabel) if w.isVisibleTo(self)]
        if self.current_page() == PAGE_SEARCH:
            parts += [self.results.item(i).text() for i in range(self.results.count())]
        if self.current_page() == PAGE_NOTICE:
            for r in range(self.table.rowCount()):
                parts += [self.table.item(r, c).text() for c in range(self.table.columnCount()) if self.table.item(r, c)]
        return "\n".join(parts)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape:
            event.accept()  # swallowed: Escape never leaves the kiosk
            return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if not self._unlocked:
            event.ignore()
            return
        QApplication.instance().removeEventFilter(self.activity)
        self.idle_timer.stop()
        event.accept()
        self.db.dispose()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """A kiosk that gets minimised comes straight back full screen."""
        if event.type() == QEvent.Type.WindowStateChange and self.isMinimized() and not self._unlocked:
            QTimer.singleShot(0, self.showFullScreen)
        super().changeEvent(event)


def run_kiosk(config, *, idle_seconds: float = DEFAULT_IDLE_SECONDS) -> int:
    """Start a QApplication with the bundled fonts and show the kiosk full screen until unlocked."""
    import sys

    from zwgk_desktop.ui.style import app_font, register_bundled_fonts

    app = QApplication.instance() or QApplication(sys.argv[:1])
    families = register_bundled_fonts(config.fonts_dir)
    app.setFont(app_font(families))
    app.setQuitOnLastWindowClosed(True)
    window = KioskWindow(config.db_path, idle_seconds=idle_seconds)
    window.showFullScreen()
    return app.exec()
