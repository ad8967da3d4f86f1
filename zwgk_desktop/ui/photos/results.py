"""Result panels of the 照片存档 page: what an import brought in (and refused), and what verification found.

`ImportResultPanel` lists the photos just imported with thumbnail, time
taken, quality flags and the suggested (or confirmed) posting, and the
rejected files with the reason; selecting a photo hands it to the page's
link editor. `VerifyPanel` shows checked / missing / modified and each problem.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ops.photos import ImportOutcome
from zwgk_desktop.services.photos.gallery import LinkSuggestion, PhotoCard
from zwgk_desktop.ui.photos.common import (
    ERROR_STYLE,
    INFO_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    flag_labels,
    flags_tooltip,
    show_message,
    tr,
)
from zwgk_desktop.ui.photos.gallery_model import CardRole, IdRole
from zwgk_desktop.ui.photos.thumbnails import ThumbnailLoader

Key = QModelIndex | QPersistentModelIndex

REJECTION_LABELS = {
    "not_an_image": "不是图片", "corrupt": "文件损坏", "too_large": "文件过大", "duplicate": "重复照片",
    "unsupported_format": "格式不支持", "unreadable": "无法读取", "not_found": "找不到文件",
    "special_file": "不是普通文件",
}
PROBLEM_LABELS = {"missing": "原图缺失", "modified": "原图被改动", "orphan": "未登记的文件"}


def table_look(view: QAbstractItemView) -> None:
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.horizontalHeader().setHighlightSections(False)


class ImportedModel(QAbstractTableModel):
    """Rows of imported photos: thumbnail, file, time taken, flags, link (confirmed or suggested)."""

    PHOTO, NAME, FLAGS, LINK = range(4)
    HEADERS = ("照片", "文件 / 拍摄时间", "质量标记", "关联的张贴记录")

    def __init__(self, thumbnails: ThumbnailLoader, parent=None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.cards: list[PhotoCard] = []
        self.suggestions: dict[str, list[LinkSuggestion]] = {}
        thumbnails.ready.connect(self._thumbnail_ready)

    def set_outcome(self, outcome: ImportOutcome) -> None:
        self.beginResetModel()
        self.cards, self.suggestions = list(outcome.imported), dict(outcome.suggestions)
        self.endResetModel()

    def replace_card(self, card: PhotoCard) -> None:
        for row, existing in enumerate(self.cards):
            if existing.id == card.id:
                self.cards[row] = card
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def rowCount(self, parent: Key = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.cards)

    def columnCount(self, parent: Key = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(self.HEADERS[section])
        return None

    def link_text(self, card: PhotoCard) -> str:
        if card.linked:
            more = tr("\n另关联 {n} 处").format(n=len(card.other_links)) if card.other_links else ""
            how = tr("（按照片中二维码）") if card.qr_text and "⚠" not in card.qr_text else ""
            return tr("✔ {role} · {board}{how}\n{title}{more}").format(
                role=tr(card.role_label), board=card.board_name, how=how, title=card.disclosure_title, more=more)
        if "wrong_version" in card.flags:
            return tr("⚠ 照片中是已更正的旧版本公示，未关联；请撤换公开栏上的旧版")
        if "foreign_qr" in card.flags:
            return tr("⚠ 照片中的二维码不是本乡镇的公示，未关联")
        suggestions = self.suggestions.get(card.id) or []
        if suggestions:
            top = suggestions[0]
            return tr("推荐作为{role}：{board}\n{title}").format(title=top.posting.disclosure_title,
                                                                board=top.posting.board_name, role=tr(top.role_label))
        return tr("未关联（无推荐，请手动选择）")

    def data(self, index: Key, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        card, column = self.cards[index.row()], index.column()
        if role == CardRole:
            return card
        if role == IdRole:
            return card.id
        if role == Qt.ItemDataRole.DecorationRole and column == self.PHOTO:
            pixmap = self.thumbnails.pixmap(card.sha256)
            if pixmap is None:
                self.thumbnails.request(card.sha256)
                pixmap = self.thumbnails.placeholder()
            return QIcon(pixmap)
        if role == Qt.ItemDataRole.DisplayRole:
            taken = f"{card.taken_at:%Y-%m-%d %H:%M}" if card.taken_at else tr("无拍摄时间")
            return {
                self.NAME: f"{card.original_name}\n{taken}",
                self.FLAGS: "、".join(flag_labels(card.flags)) or tr("无"),
                self.LINK: self.link_text(card),
            }.get(column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.FLAGS and card.flags:
                return QBrush(QColor("#b54708"))
            if column == self.LINK:
                return QBrush(QColor("#1b7a3a" if card.linked else "#5f6b7a"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (self.PHOTO, self.NAME):
                return f"{card.original_name}\n{card.taken_text or tr('无拍摄时间')}"
            if column == self.FLAGS and card.flags:
                return flags_tooltip(card.flags)
            if column == self.LINK:
                return self.link_text(card)
        return None

    def _thumbnail_ready(self, sha256: str) -> None:
        for row, card in enumerate(self.cards):
            if card.sha256 == sha256:
                index = self.index(row, self.PHOTO)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ImportResultPanel(QWidget):
    """Imported photos (select one to link it) and rejected files with reasons."""

    photo_selected = Signal(object)  # PhotoCard or None
    link_all_requested = Signal(list)  # photo ids

    def __init__(self, thumbnails: ThumbnailLoader, parent: QWidget | None = None):
        super().__init__(parent)
        self.outcome = ImportOutcome()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        head = QHBoxLayout()
        self.summary = QLabel(tr("还没有导入照片。点击“导入照片”，或把照片、文件夹拖到本页。"), self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        show_message(self.summary, self.summary.text(), INFO_STYLE)
        head.addWidget(self.summary, 1)
        self.link_all_button = QPushButton(tr("按推荐全部关联(&A)"), self)
        self.link_all_button.setToolTip(tr("把每张尚未关联、且有推荐的照片关联到排在第一位的推荐张贴记录"))
        self.link_all_button.setEnabled(False)
        self.link_all_button.clicked.connect(self._link_all)
        head.addWidget(self.link_all_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.model = ImportedModel(thumbnails, self)
        self.table = QTableView(splitter)
        table_look(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setModel(self.model)
        self.table.setIconSize(QSize(72, 54))
        self.table.verticalHeader().setDefaultSectionSize(62)
        header = self.table.horizontalHeader()
        self.table.setWordWrap(True)
        for column, width in ((0, 86), (1, 170), (2, 92)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        rejected_box = QWidget(splitter)
        rejected_layout = QVBoxLayout(rejected_box)
        rejected_layout.setContentsMargins(0, 6, 0, 0)
        self.rejected_caption = QLabel("", rejected_box)
        self.rejected_caption.setStyleSheet("font-weight: 600; color: #b42318;")
        rejected_layout.addWidget(self.rejected_caption)
        self.rejected = QTableWidget(0, 3, rejected_box)
        table_look(self.rejected)
        self.rejected.setHorizontalHeaderLabels([tr("文件"), tr("原因"), tr("说明")])
        self.rejected.horizontalHeader().resizeSection(0, 220)
        self.rejected.horizontalHeader().resizeSection(1, 90)
        self.rejected.horizontalHeader().setStretchLastSection(True)
        self.rejected.setWordWrap(True)
        rejected_layout.addWidget(self.rejected)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        rejected_box.setVisible(False)
        self.rejected_box = rejected_box

    def show_outcome(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self.model.set_outcome(outcome)
        self.rejected.setRowCount(len(outcome.rejected))
        for row, entry in enumerate(outcome.rejected):
            name = QTableWidgetItem(Path(entry["path"]).name)
            name.setToolTip(entry["path"])
            reason = QTableWidgetItem(tr(REJECTION_LABELS.get(entry["code"], entry["code"])))
            reason.setForeground(QBrush(QColor("#b42318")))
            message = QTableWidgetItem(entry["message"])
            message.setToolTip(entry["message"])
            for column, item in enumerate((name, reason, message)):
                self.rejected.setItem(row, column, item)
        self.rejected.resizeRowsToContents()
        self.rejected_caption.setText(tr("未导入的文件 {n} 个").format(n=len(outcome.rejected)))
        self.rejected_box.setVisible(bool(outcome.rejected))
        self._update_summary()
        if outcome.imported:
            self.table.selectRow(0)

    def _update_summary(self) -> None:
        outcome = self.outcome
        imported, rejected = len(outcome.imported), len(outcome.rejected)
        linked = sum(1 for card in outcome.imported if card.linked)
        parts = [tr("本次导入 <b>{n}</b> 张照片").format(n=imported)]
        if outcome.flagged:
            parts.append(tr("其中 <b>{n}</b> 张有质量标记，请复核").format(n=outcome.flagged))
        if imported:
            parts.append(tr("已关联 {linked} / {n} 张").format(linked=linked, n=imported))
        if outcome.auto_linked:
            parts.append(tr("{n} 张按照片中的公示二维码自动关联").format(n=outcome.auto_linked))
        if rejected:
            parts.append(tr("<b>{n}</b> 个文件未导入（见下方原因）").format(n=rejected))
        if outcome.skipped:
            parts.append(tr("跳过 {n} 个非照片文件").format(n=outcome.skipped))
        style = ERROR_STYLE if rejected and not imported else (WARNING_STYLE if rejected or outcome.flagged else OK_STYLE)
        show_message(self.summary, "；".join(parts) + "。", style)
        self.link_all_button.setEnabled(any(not c.linked and self.outcome.suggestions.get(c.id) for c in outcome.imported))

    def update_card(self, card: PhotoCard) -> None:
        self.outcome.imported = [card if c.id == card.id else c for c in self.outcome.imported]
        self.model.replace_card(card)
        self._update_summary()

    def current_card(self) -> PhotoCard | None:
        index = self.table.currentIndex()
        return self.model.cards[index.row()] if index.isValid() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.photo_selected.emit(self.model.cards[current.row()] if current.isValid() else None)

    def _link_all(self) -> None:
        self.link_all_requested.emit([card.id for card in self.outcome.imported if not card.linked])


class VerifyPanel(QWidget):
    """The archive check: counts and every missing, modified or stray file."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result: dict | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        show_message(self.summary, tr("“校验照片档案”会重新计算每张原图的数字指纹（SHA-256），"
                                      "找出缺失或被改动过的照片。照片很多时需要几分钟，可随时取消。"), INFO_STYLE)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 3, self)
        table_look(self.table)
        self.table.setHorizontalHeaderLabels([tr("问题"), tr("文件"), tr("说明")])
        self.table.horizontalHeader().resizeSection(0, 110)
        self.table.horizontalHeader().resizeSection(1, 260)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.table.setVisible(False)
        self.filler = QWidget(self)
        layout.addWidget(self.filler, 1)

    def show_result(self, result: dict) -> None:
        self.result = result
        text = tr("已校验 <b>{c}</b> 张照片：缺失 <b>{m}</b> 张，被改动 <b>{d}</b> 张。").format(
            c=result["checked"], m=result["missing"], d=result["modified"])
        if result["ok"]:
            text += tr("档案完好。")
            style = OK_STYLE
        else:
            text += tr("请从备份恢复缺失或被改动的原图；被改动的照片不能再作为留痕证据。")
            style = ERROR_STYLE
        show_message(self.summary, text, style)
        problems = result["problems"]
        self.table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            kind = QTableWidgetItem(tr(PROBLEM_LABELS.get(problem["code"], problem["code"])))
            kind.setForeground(QBrush(QColor("#b42318" if problem["code"] != "orphan" else "#93370d")))
            path = QTableWidgetItem(problem.get("original_name") or problem.get("path", ""))
            path.setToolTip(problem.get("path", ""))
            message = QTableWidgetItem(problem["message"])
            for column, item in enumerate((kind, path, message)):
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(problems))
        self.filler.setVisible(not problems)

    def problem_codes(self) -> list[str]:
        return [] if self.result is None else [p["code"] for p in self.result["problems"]]
