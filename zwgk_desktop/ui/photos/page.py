"""The 照片存档 page: import (files, folders, drag and drop, phone/camera), link, browse, view, export, verify.

Left: the photos grouped per notice (each posting's start/end photo: ✔ a
clear one, ⚠ only flagged ones, ✘ none) or per notice board (a timeline),
plus all / unlinked / needs-review. Centre: tabs — the gallery (lazy
`PhotoGalleryModel` in an icon view), the last import's results (photos the
poster's QR linked by itself are marked so), the archive check. Right: the
selected photo's facts (with "照片中二维码核验：第2版 ✔") and its link editor.
Every use case is an op of `zwgk_desktop.ops.photos` run through
`tasks.run_op` (import, export and verify with progress and cancel); the
page subscribes to `tasks.changed` and reloads when photos, postings or
notices change. The methods that take paths (`import_paths`,
`export_captioned_to`, `export_package_to`) are what the dialogs call, so
tests drive them without any modal dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QRect, QSettings, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ops import photos as photo_ops
from zwgk_desktop.services.photos.gallery import GalleryScope, LinkResult
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.photos.common import ERROR_STYLE, OK_STYLE, WARNING_STYLE, mark_color, show_message
from zwgk_desktop.ui.photos.gallery_model import CARD_SIZE, PAGE_SIZE, CardRole, GalleryDelegate, PhotoGalleryModel
from zwgk_desktop.ui.photos.inspector import LinkEditor, PhotoFacts
from zwgk_desktop.ui.photos.results import ImportOutcome, ImportResultPanel, VerifyPanel
from zwgk_desktop.ui.photos.thumbnails import ThumbnailLoader
from zwgk_desktop.ui.widgets import muted_label

MODES = (("notice", "按公示"), ("board", "按公示栏"))
GALLERY_TAB, IMPORT_TAB, VERIFY_TAB = range(3)
PHOTO_FILTER = "照片 (*.jpg *.jpeg *.jpe *.png *.heic *.heif *.hif);;所有文件 (*)"
PRIMARY_BUTTON = (
    "QPushButton, QToolButton { background: #1f6feb; color: white; border: none; border-radius: 5px;"
    " padding: 6px 14px; font-weight: 600; }"
    "QToolButton::menu-indicator { image: none; }"
)


class WrappedTitleDelegate(QStyledItemDelegate):
    """Group tree column 0: long notice titles wrap onto at most two lines instead of being cut."""

    MAX_LINES = 2

    def __init__(self, tree: QTreeWidget):
        super().__init__(tree)
        self.tree = tree

    def _text_width(self, index) -> int:
        depth = 0
        parent = index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        return max(40, self.tree.header().sectionSize(0) - self.tree.indentation() * (depth + 1) - 8)

    def _lines(self, metrics: QFontMetrics, text: str, width: int) -> list[str]:
        lines, rest = [], text
        while rest and len(lines) < self.MAX_LINES:
            if len(lines) == self.MAX_LINES - 1 or metrics.horizontalAdvance(rest) <= width:
                lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
                break
            cut = len(rest)
            while cut > 1 and metrics.horizontalAdvance(rest[:cut]) > width:
                cut -= 1
            lines.append(rest[:cut])
            rest = rest[cut:]
        return lines or [""]

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        metrics = QFontMetrics(index.data(Qt.ItemDataRole.FontRole) or option.font)
        lines = self._lines(metrics, index.data() or "", self._text_width(index))
        return QSize(self._text_width(index), metrics.height() * len(lines) + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        metrics = QFontMetrics(opt.font)
        lines = self._lines(metrics, text, opt.rect.width() - 8)
        painter.save()
        painter.setFont(opt.font)
        brush = index.data(Qt.ItemDataRole.ForegroundRole)
        painter.setPen(brush.color() if brush is not None else opt.palette.text().color())
        top = opt.rect.top() + (opt.rect.height() - metrics.height() * len(lines)) // 2
        for number, line in enumerate(lines):
            painter.drawText(QRect(opt.rect.left() + 4, top + number * metrics.height(), opt.rect.width() - 8, metrics.height()),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), line)
        painter.restore()


class PhotosPage(QWidget):
    """照片存档: host it in the main window as the `photos` page."""

    imported = Signal(object)  # ImportOutcome
    groups_loaded = Signal()
    gallery_loaded = Signal(int)  # photos in the scope
    verified = Signal(dict)
    exported = Signal(object)  # CaptionExport or evidence-package result dict
    link_changed = Signal(object)  # LinkResult

    def __init__(self, config, tasks, parent: QWidget | None = None, *, status: Callable[[str], None] | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.config, self.tasks = config, tasks
        self._status = status
        self.scope = GalleryScope()
        self.scope_disclosure: str | None = None
        self.village_scope: tuple[str, ...] = ()  # a 村级用户's villages: link suggestions only on their boards
        self._gallery_generation = 0
        self._importing = False
        self._viewer = None
        self.thumbnails = ThumbnailLoader.for_tasks(config, tasks, self)
        self.setAcceptDrops(True)
        self._build()
        self.destroyed.connect(self.thumbnails.close)
        tasks.changed.connect(self._on_changed)

    # --- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)
        outer.addLayout(self._build_header())
        self.hint = muted_label(tr("每次张贴拍一张“张贴照”、公示期满再拍一张“期满照”。可以把照片或文件夹直接拖到本页导入；"
                              "原图按指纹保存、从不改动。"), self)
        outer.addWidget(self.hint)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.message.setOpenExternalLinks(False)
        self.message.linkActivated.connect(lambda link: QDesktopServices.openUrl(QUrl(link)))
        outer.addWidget(self.message)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self._build_groups())
        self.tabs = QTabWidget(self.splitter)
        self.tabs.addTab(self._build_gallery(), tr("照片库"))
        self.results = ImportResultPanel(self.thumbnails, self)
        self.results.photo_selected.connect(self._show_in_inspector)
        self.results.link_all_requested.connect(self.link_all_suggested)
        self.tabs.addTab(self.results, tr("导入结果"))
        self.verify_panel = VerifyPanel(self)
        self.tabs.addTab(self.verify_panel, tr("档案校验"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self._build_inspector())
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([350, 620, 330])
        outer.addWidget(self.splitter, 1)

    def _build_header(self) -> QHBoxLayout:
        head = QHBoxLayout()
        title = QLabel(tr("照片存档"), self)
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.import_button = QToolButton(self)
        self.import_button.setText(tr("导入照片(&I)"))
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.import_button.setStyleSheet(PRIMARY_BUTTON)
        menu = QMenu(self.import_button)
        menu.addAction(tr("选择照片文件…"), self.ask_import_files, QKeySequence.StandardKey.Open)
        menu.addAction(tr("选择文件夹（含子文件夹）…"), self.ask_import_folder)
        self.import_button.setMenu(menu)
        head.addWidget(self.import_button)
        self.camera_button = QPushButton(tr("从手机/相机导入…(&M)"), self)
        self.camera_button.clicked.connect(self.ask_camera_import)
        head.addWidget(self.camera_button)
        self.verify_button = QPushButton(tr("校验照片档案(&V)"), self)
        self.verify_button.setToolTip(tr("重新计算每张原图的数字指纹，找出缺失或被改动的照片"))
        self.verify_button.clicked.connect(self.verify)
        head.addWidget(self.verify_button)
        QShortcut(QKeySequence.StandardKey.Open, self, activated=self.ask_import_files)
        return head

    def _build_groups(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 6, 0)
        row = QHBoxLayout()
        caption = QLabel(tr("分组：(&G)"), box)
        self.mode_box = QComboBox(box)
        for code, label in MODES:
            self.mode_box.addItem(tr(label), code)
        caption.setBuddy(self.mode_box)
        self.mode_box.currentIndexChanged.connect(lambda _i: self.refresh_groups())
        row.addWidget(caption)
        row.addWidget(self.mode_box, 1)
        layout.addLayout(row)
        self.groups = QTreeWidget(box)
        self.groups.setObjectName("photoGroups")
        self.groups.setRootIsDecorated(True)
        self.groups.setUniformRowHeights(False)
        self.groups.setItemDelegateForColumn(0, WrappedTitleDelegate(self.groups))
        self.groups.header().sectionResized.connect(lambda *_a: self.groups.doItemsLayout())
        header = self.groups.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        self.groups.setAlternatingRowColors(False)
        self.groups.setStyleSheet(
            "QTreeWidget#photoGroups { border: 1px solid #dde1e7; border-radius: 6px; }"
            "QTreeWidget#photoGroups::item { padding: 4px 2px; }"
        )
        self.groups.currentItemChanged.connect(self._group_chosen)
        layout.addWidget(self.groups, 1)
        self.legend = muted_label(tr("✔ 已有清晰照片　⚠ 照片有标记（不作为证据）　✘ 缺照片　"
                                "数字为“有合格照片的张贴处 / 张贴处”"), box)
        layout.addWidget(self.legend)
        return box

    def _build_gallery(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        row = QHBoxLayout()
        self.scope_label = QLabel(tr("全部照片"), box)
        self.scope_label.setObjectName("detailTitle")
        self.scope_label.setWordWrap(True)
        row.addWidget(self.scope_label, 1)
        self.view_button = QPushButton(tr("查看大图"), box)
        self.view_button.clicked.connect(self.open_viewer)
        self.caption_button = QPushButton(tr("导出带说明的副本…(&C)"), box)
        self.caption_button.setToolTip(tr("在照片下方加上拍摄日期、公示栏和公示标题，另存一份用于上报或转发；原图不变"))
        self.caption_button.clicked.connect(self.ask_export_captioned)
        self.package_button = QPushButton(tr("导出证据包…(&E)"), box)
        self.package_button.setToolTip(tr("把所选公示的张贴记录、照片原图、打印留存和证据清单打包成一个 zip 文件"))
        self.package_button.clicked.connect(self.ask_export_package)
        for button in (self.view_button, self.caption_button, self.package_button):
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        self.count_label = QLabel("", box)
        self.count_label.setObjectName("countLabel")
        layout.addWidget(self.count_label)

        self.model = PhotoGalleryModel(self.thumbnails, self)
        self.gallery = QListView(box)
        self.gallery.setObjectName("gallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setGridSize(QSize(CARD_SIZE.width() + 6, CARD_SIZE.height() + 6))
        self.gallery.setSpacing(0)
        self.gallery.setWordWrap(False)
        self.gallery.setMouseTracking(True)
        self.gallery.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.gallery.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.gallery.verticalScrollBar().setSingleStep(24)
        self.gallery.setItemDelegate(GalleryDelegate(self.gallery))
        self.gallery.setModel(self.model)
        self.gallery.setStyleSheet("QListView#gallery { border: 1px solid #dde1e7; border-radius: 6px; background: #fbfcfd; }")
        self.gallery.selectionModel().selectionChanged.connect(self._gallery_selection_changed)
        self.gallery.activated.connect(lambda _index: self.open_viewer())
        self.gallery_stack = QStackedWidget(box)
        self.gallery_stack.addWidget(self.gallery)
        self.empty_label = QLabel("", box)
        self.empty_label.setObjectName("emptyGallery")
        self.empty_label.setStyleSheet(
            "QLabel#emptyGallery { color: #6a7380; font-size: 11pt; border: 2px dashed #cfd5dd; border-radius: 10px;"
            " background: #fbfcfd; padding: 24px; }")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.gallery_stack.addWidget(self.empty_label)
        layout.addWidget(self.gallery_stack, 1)
        self._update_buttons()
        return box

    def _build_inspector(self) -> QWidget:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumWidth(300)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        box = QWidget(scroll)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(8, 8, 4, 4)
        layout.setSpacing(10)
        heading = QLabel(tr("照片信息"), box)
        heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        layout.addWidget(heading)
        self.facts = PhotoFacts(box, compact=True)
        layout.addWidget(self.facts)
        self.link_editor = LinkEditor(self.tasks, self.config.settings.photo_time_mismatch_days, box,
                                      villages=self.suggestion_villages)
        self.link_editor.link_confirmed.connect(self._link_confirmed)
        layout.addWidget(self.link_editor, 1)
        scroll.setWidget(box)
        return scroll

    # --- background helpers -------------------------------------------------------------------------
    def _on_changed(self, changes) -> None:
        """Another page (or this one) changed photos, postings or notices: reload the tree (and the gallery)."""
        if changes.touches("photos", "postings", "notices"):
            self.refresh_groups()

    def _failed(self, exc: BaseException) -> None:
        from zwgk_desktop.errors import Cancelled
        from zwgk_desktop.ui.tasks import error_message

        if isinstance(exc, Cancelled):
            self.say(tr("操作已取消。"), WARNING_STYLE)
            return
        self.say(error_message(exc), ERROR_STYLE)

    def say(self, text: str, style: str = OK_STYLE) -> None:
        """An inline message above the page (non-modal), echoed to the status bar."""
        show_message(self.message, text, style)
        if self._status is not None:
            plain = text.split("<", 1)[0] if "<a " in text else text
            self._status(plain)

    # --- loading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the groups and the gallery (F5)."""
        self.refresh_groups()

    @property
    def mode(self) -> str:
        return self.mode_box.currentData()

    def refresh_groups(self) -> None:
        self.tasks.run_op(photo_ops.gallery_groups, self.mode, on_success=self._show_loaded_groups,
                          on_failure=self._failed)

    def _show_loaded_groups(self, loaded) -> None:
        self._show_groups(loaded.mode, loaded.counts, loaded.notices if loaded.mode == "notice" else loaded.boards)

    def _show_groups(self, mode: str, counts, groups) -> None:
        if mode != self.mode:
            return
        keep = self.scope
        self.groups.blockSignals(True)
        self.groups.clear()
        if mode == "notice":
            self.groups.setHeaderLabels([tr("公示 / 张贴处"), tr("张贴照"), tr("期满照")])
        else:
            self.groups.setHeaderLabels([tr("公示栏"), tr("照片"), tr("张贴")])
        header = self.groups.header()
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        header.resizeSection(1, 58)
        header.resizeSection(2, 58)
        for kind, label, count in (("all", tr("全部照片"), counts.all), ("unlinked", tr("未关联公示的照片"), counts.unlinked),
                                   ("flagged", tr("需要复核的照片"), counts.flagged)):
            item = QTreeWidgetItem([label, str(count), ""])
            item.setData(0, Qt.ItemDataRole.UserRole, GalleryScope(kind))
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            if kind == "flagged" and count:
                item.setForeground(1, QBrush(QColor("#b54708")))
            self.groups.addTopLevelItem(item)
        if mode == "notice":
            for group in groups:
                self.groups.addTopLevelItem(self._notice_item(group))
        else:
            for board in groups:
                item = QTreeWidgetItem([board.name, str(board.photos), str(board.postings)])
                item.setData(0, Qt.ItemDataRole.UserRole, GalleryScope("board", board.board_id))
                item.setToolTip(0, board.name)
                self.groups.addTopLevelItem(item)
        self.groups.doItemsLayout()
        self.groups.blockSignals(False)
        if not self._select_scope(keep):
            self._select_scope(GalleryScope())
        self.groups_loaded.emit()

    def _notice_item(self, group) -> QTreeWidgetItem:
        total = len(group.postings)
        first = group.first_posted
        when = tr("{date} 张贴 {n} 处").format(date=f"{first:%Y-%m-%d}" if first else "—", n=total)
        item = QTreeWidgetItem([group.title, f"{group.with_start}/{total}", f"{group.with_end}/{total}"])
        item.setData(0, Qt.ItemDataRole.UserRole, GalleryScope("notice", group.disclosure_id))
        item.setData(1, Qt.ItemDataRole.UserRole, group)
        item.setToolTip(0, tr("{title}\n{when}；照片 {p} 张").format(title=group.title, when=when, p=group.photos))
        for column, clear, marks in ((1, group.with_start, [p.start_mark for p in group.postings]),
                                     (2, group.with_end, [p.end_mark for p in group.postings])):
            mark = "✔" if clear == total else ("⚠" if "⚠" in marks else "✘")
            item.setForeground(column, QBrush(QColor(mark_color(mark))))
            item.setText(column, f"{mark} " + item.text(column))
        for posting in group.postings:
            child = QTreeWidgetItem([f"{posting.board_name}  {posting.posted_on:%m-%d}", posting.start_mark,
                                     posting.end_mark])
            child.setData(0, Qt.ItemDataRole.UserRole, GalleryScope("posting", posting.posting_id))
            child.setData(1, Qt.ItemDataRole.UserRole, posting)
            child.setToolTip(0, f"{posting.board_name}\n{posting.period_text}")
            for column, mark in ((1, posting.start_mark), (2, posting.end_mark)):
                child.setForeground(column, QBrush(QColor(mark_color(mark))))
                if mark == "⚠":
                    child.setToolTip(column, tr("有照片，但照片有质量标记（模糊、无拍摄时间、旧版本等），不能作为留痕证据"))
            item.addChild(child)
        return item

    def _select_scope(self, scope: GalleryScope) -> bool:
        iterator = [self.groups.topLevelItem(i) for i in range(self.groups.topLevelItemCount())]
        while iterator:
            item = iterator.pop(0)
            if item.data(0, Qt.ItemDataRole.UserRole) == scope:
                parent = item.parent()
                if parent is not None:
                    parent.setExpanded(True)
                self.groups.setCurrentItem(item)
                self._group_chosen(item, None)
                return True
            iterator.extend(item.child(i) for i in range(item.childCount()))
        return False

    def scope_item(self, scope: GalleryScope) -> QTreeWidgetItem | None:
        """The tree item showing a scope (tests read its ✔/✘ columns)."""
        items = [self.groups.topLevelItem(i) for i in range(self.groups.topLevelItemCount())]
        while items:
            item = items.pop(0)
            if item.data(0, Qt.ItemDataRole.UserRole) == scope:
                return item
            items.extend(item.child(i) for i in range(item.childCount()))
        return None

    def _group_chosen(self, item: QTreeWidgetItem | None, _previous) -> None:
        if item is None:
            return
        scope = item.data(0, Qt.ItemDataRole.UserRole)
        if scope is None:
            return
        disclosure = None
        if scope.kind == "notice":
            disclosure = scope.key
        elif scope.kind == "posting":
            disclosure = item.data(1, Qt.ItemDataRole.UserRole).disclosure_id
        self.scope_disclosure = disclosure
        title = item.toolTip(0).split("\n", 1)[0] if scope.kind in ("notice", "board") else item.text(0)
        if scope.kind == "posting":
            parent = item.parent()
            title = f"{parent.toolTip(0).splitlines()[0]} · {item.toolTip(0).splitlines()[0]}"
        self.show_scope(scope, title)

    def show_scope(self, scope: GalleryScope, title: str = "") -> None:
        """Load the scope's photos into the gallery: count and first page on the DB thread, more as it scrolls."""
        self.scope = scope
        self.scope_label.setText(title or tr("全部照片"))
        self._gallery_generation += 1
        generation = self._gallery_generation

        self.tasks.run_op(photo_ops.gallery_page, scope, 0, PAGE_SIZE,
                          on_success=lambda page: self._show_gallery(generation, scope, page.total, page.cards),
                          on_failure=self._failed, owner=self)

    def _page_loader(self, scope: GalleryScope):
        """Later pages as the view scrolls: a read op called directly (a 500-card page is one quick query)."""
        tasks = self.tasks

        def load(offset: int, limit: int):
            return photo_ops.gallery_page(tasks.database, tasks.actor, scope, offset, limit, with_total=False).cards

        return load

    def _show_gallery(self, generation: int, scope: GalleryScope, total: int, first_page) -> None:
        if generation != self._gallery_generation:
            return
        keep = [card.id for card in self.selected_cards()]
        self.model.reset(total, self._page_loader(scope), first_page)
        restored = any([self.select_photo(photo_id) for photo_id in keep])
        self.count_label.setText(tr("共 {n} 张照片").format(n=f"{total:,}") + (
            tr("（按拍摄时间排列）") if scope.kind == "board" else ""))
        self.empty_label.setText(self._empty_text(scope))
        self.gallery_stack.setCurrentWidget(self.empty_label if total == 0 else self.gallery)
        self._update_buttons()
        if not restored and self.tabs.currentIndex() == GALLERY_TAB:
            self._show_in_inspector(None)
        self.gallery_loaded.emit(total)

    @staticmethod
    def _empty_text(scope: GalleryScope) -> str:
        if scope.kind == "all":
            return tr("档案中还没有照片。点击右上角“导入照片”，或把手机拷出的照片拖到这里。")
        if scope.kind in ("notice", "posting"):
            return tr("这条公示还没有留档照片。导入照片后在右侧“关联到张贴记录”中确认。")
        if scope.kind == "flagged":
            return tr("没有需要复核的照片。")
        return tr("这里没有照片。")

    # --- selection, inspector, viewer --------------------------------------------------------------------
    def selected_cards(self):
        rows = sorted(index.row() for index in self.gallery.selectionModel().selectedIndexes())
        return [self.model.card(row) for row in rows if self.model.card(row) is not None]

    def select_photo(self, photo_id: str) -> bool:
        row = self.model.row_of(photo_id)
        if row < 0:
            return False
        self.gallery.setCurrentIndex(self.model.index(row))
        return True

    def _gallery_selection_changed(self, *_args) -> None:
        current = self.gallery.currentIndex()
        card = current.data(CardRole) if current.isValid() and self.gallery.selectionModel().isSelected(current) else None
        if card is None:
            cards = self.selected_cards()
            card = cards[0] if cards else None
        self._show_in_inspector(card)
        self._update_buttons()

    def _show_in_inspector(self, card) -> None:
        self.facts.show_card(card)
        shown = self.link_editor.card
        if card is not None and shown is not None and card.id == shown.id:
            return  # same photo (reloaded after a link): keep the editor and its confirmation message
        self.link_editor.set_photo(card)

    def _tab_changed(self, index: int) -> None:
        if index == IMPORT_TAB:
            self._show_in_inspector(self.results.current_card())
        elif index == GALLERY_TAB:
            self._gallery_selection_changed()

    def _update_buttons(self) -> None:
        has_photos = bool(self.selected_cards())
        self.view_button.setEnabled(has_photos)
        self.caption_button.setEnabled(has_photos)
        self.package_button.setEnabled(self.package_disclosure_id() is not None)

    def package_disclosure_id(self) -> str | None:
        """The notice whose evidence package to export: the chosen notice, else the selected photo's."""
        if self.scope_disclosure:
            return self.scope_disclosure
        linked = [card.disclosure_id for card in self.selected_cards() if card.disclosure_id]
        return linked[0] if linked else None

    def open_viewer(self):
        """Open the full-size viewer on the selected photo (stepping through the loaded gallery)."""
        from zwgk_desktop.ui.photos.viewer import PhotoViewer

        current = self.gallery.currentIndex()
        if not current.isValid():
            return None
        cards = [self.model.card(row) for row in range(self.model.rowCount())]
        self._viewer = PhotoViewer(self.config, self.tasks, cards, current.row(), self)
        self._viewer.show()
        return self._viewer

    # --- linking -----------------------------------------------------------------------------------------
    def _link_confirmed(self, result: LinkResult) -> None:
        self.model.replace_card(result.card)
        self.results.update_card(result.card)
        self.facts.show_card(result.card)
        self.link_changed.emit(result)

    def link_all_suggested(self, photo_ids: list[str]) -> None:
        def done(batch) -> None:
            for result in batch.results:
                self.model.replace_card(result.card)
                self.results.update_card(result.card)
            self.say(tr("已按推荐关联 {n} 张照片。请抽查推荐是否正确，可在右侧改为其他张贴记录。").format(n=len(batch.results)))
            self._show_in_inspector(self.results.current_card())
            for result in batch.results:
                self.link_changed.emit(result)

        self.tasks.run_op(photo_ops.link_all_suggested, photo_ids,
                          mismatch_days=self.config.settings.photo_time_mismatch_days,
                          village_ids=self.suggestion_villages() or (), on_success=done, on_failure=self._failed)

    def select_posting(self, posting_id: str, role: str | None = None) -> None:
        """Show one posting's photos (a 今日待办 "缺张贴照" item opens here)."""
        scope = GalleryScope("posting", posting_id)
        if self.mode != "notice":
            self.mode_box.setCurrentIndex(self.mode_box.findData("notice"))
        if not self._select_scope(scope):
            self.show_scope(scope, tr("所选张贴记录"))

    # --- import --------------------------------------------------------------------------------------------
    def ask_import_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, tr("选择要导入的照片"), "", tr(PHOTO_FILTER))
        if files:
            self.import_paths(files)

    def ask_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("选择照片所在的文件夹（含子文件夹）"))
        if folder:
            self.import_paths([folder])

    def camera_dialog(self):
        from zwgk_desktop.ui.photos.drives import CameraImportDialog

        return CameraImportDialog(self)

    def ask_camera_import(self) -> None:
        dialog = self.camera_dialog()

        def accepted() -> None:
            folder = dialog.chosen_folder()
            if folder:
                self.import_paths([folder])

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def set_village_scope(self, village_ids) -> None:
        """Suggest and offer only postings on these villages' boards (村级用户); empty = every board."""
        self.village_scope = tuple(village_ids)

    def suggestion_villages(self) -> tuple[str, ...] | None:
        return self.village_scope or None

    def import_paths(self, paths) -> bool:
        """Import files/folders off the UI thread with progress and cancel; results appear in the 导入结果 tab."""
        paths = [str(p) for p in paths if str(p)]
        if not paths or self._importing:
            if self._importing:
                self.say(tr("上一批照片还在导入，请稍候。"), WARNING_STYLE)
            return False
        self._importing = True

        def failed(exc: BaseException) -> None:
            self._importing = False
            self._failed(exc)

        def imported(result) -> None:
            self.tasks.run_op(photo_ops.import_outcome, result, self.suggestion_villages() or (),
                              on_success=self._imported, on_failure=failed)

        self.tasks.run_op(photo_ops.import_photos, self.config, paths, progress=tr("正在导入照片…"),
                          parent=self.window(), on_success=imported, on_failure=failed)
        return True

    def _imported(self, outcome: ImportOutcome) -> None:
        self._importing = False
        self.results.show_outcome(outcome)
        self.tabs.setCurrentIndex(IMPORT_TAB)
        self._show_in_inspector(self.results.current_card())
        text = tr("导入完成：{n} 张照片已存档").format(n=len(outcome.imported))
        if outcome.auto_linked:
            text += tr("，其中 {n} 张已按照片中的公示二维码自动关联").format(n=outcome.auto_linked)
        if outcome.rejected:
            text += tr("，{n} 个文件未导入").format(n=len(outcome.rejected))
        self.say(text + tr("。请在“导入结果”中确认每张照片对应的张贴记录。"),
                 WARNING_STYLE if outcome.rejected else OK_STYLE)
        self.imported.emit(outcome)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
            self.say(tr("松开鼠标即可导入这些照片。"))
            return
        event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # --- exports ---------------------------------------------------------------------------------------------
    def ask_export_captioned(self) -> None:
        cards = self.selected_cards()
        if not cards:
            return
        folder = QFileDialog.getExistingDirectory(self, tr("选择保存带说明副本的文件夹"))
        if folder:
            self.export_captioned_to(folder, [card.id for card in cards])

    def export_captioned_to(self, folder, photo_ids: list[str]) -> None:
        def done(result) -> None:
            text = tr("已生成 {n} 张带说明的副本，保存在 <a href=\"{url}\">{folder}</a>。原图没有改动。").format(
                n=len(result.written), url=QUrl.fromLocalFile(str(folder)).toString(), folder=folder)
            if result.problems:
                text += " " + "；".join(problem["message"] for problem in result.problems)
            self.say(text, WARNING_STYLE if result.problems else OK_STYLE)
            self.exported.emit(result)

        self.tasks.run_op(photo_ops.export_captioned, self.config, photo_ids, folder,
                          progress=tr("正在生成带说明的副本…"), parent=self.window(), on_success=done,
                          on_failure=self._failed)

    def ask_export_package(self) -> None:
        disclosure_id = self.package_disclosure_id()
        if disclosure_id is None:
            return
        title = self.scope_label.text().split(" · ", 1)[0] or "公示"
        safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|')[:60]
        suggested = str(Path.home() / f"证据包-{safe}.zip")
        path, _ = QFileDialog.getSaveFileName(self, tr("导出证据包"), suggested, tr("证据包 (*.zip)"))
        if path:
            self.export_package_to(path if path.lower().endswith(".zip") else path + ".zip", disclosure_id)

    def export_package_to(self, path, disclosure_id: str) -> None:
        def done(package) -> None:
            result = package.as_json()
            folder = QUrl.fromLocalFile(str(Path(path).parent)).toString()
            text = tr("证据包已导出：<a href=\"{url}\">{path}</a>（{p} 张照片，{n} 处张贴，{r} 份打印留存）。").format(
                url=folder, path=path, p=result["photos"], n=result["postings"], r=result["prints"])
            if result["problems"]:
                text += tr(" 发现 {n} 个问题，已写入证据清单。").format(n=len(result["problems"]))
            self.say(text, WARNING_STYLE if result["problems"] else OK_STYLE)
            self.exported.emit(result)

        self.tasks.run_op(photo_ops.export_evidence_package, self.config, disclosure_id, path,
                          progress=tr("正在导出证据包…"), parent=self.window(), on_success=done, on_failure=self._failed)

    # --- verify ------------------------------------------------------------------------------------------------
    def verify(self) -> None:
        """Re-hash the archive with progress and cancel; the 档案校验 tab shows the result."""
        def done(check) -> None:
            result = check.as_json()
            self.verify_panel.show_result(result)
            self.tabs.setCurrentIndex(VERIFY_TAB)
            self.say(tr("照片档案校验完成：已校验 {c} 张，缺失 {m} 张，被改动 {d} 张。").format(
                c=result["checked"], m=result["missing"], d=result["modified"]), OK_STYLE if result["ok"] else ERROR_STYLE)
            self.verified.emit(result)

        self.tasks.run_op(photo_ops.verify_archive, self.config, progress=tr("正在校验照片档案…"), parent=self.window(),
                          on_success=done, on_failure=self._failed)

    # --- remembered state -----------------------------------------------------------------------------------------
    def save_state(self, settings: QSettings) -> None:
        settings.setValue("photos/splitter", self.splitter.saveState())
        settings.setValue("photos/mode", self.mode)

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("photos/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        mode = settings.value("photos/mode")
        index = self.mode_box.findData(mode) if mode else -1
        if index >= 0:
            self.mode_box.blockSignals(True)
            self.mode_box.setCurrentIndex(index)
            self.mode_box.blockSignals(False)
