"""The gallery's list model (lazy rows, lazy thumbnails) and the delegate that paints each photo card.

`PhotoGalleryModel` holds `PhotoCard` DTOs fetched a page at a time by a
loader `loader(offset, limit)` (as the notice item model does), so 10,000
photos never load at once. `DecorationRole` returns the cached thumbnail, or
the placeholder tile while it is queued on the `ThumbnailLoader`; when it
arrives the row repaints. `GalleryDelegate` draws a card: the picture
letterboxed, the time it was taken, what it is evidence of, an orange ⚠
badge when the photo has flags, and a QR badge ("二维码 第2版 ✔", green; ⚠
orange) when the poster's QR was read in it.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from zwgk_desktop.services.photos.gallery import PhotoCard
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.photos.common import flag_labels, flags_tooltip
from zwgk_desktop.ui.photos.thumbnails import ThumbnailLoader
from zwgk_desktop.ui.table_models import PagedRows

CardRole = Qt.ItemDataRole.UserRole + 20
IdRole = Qt.ItemDataRole.UserRole + 21
PAGE_SIZE = 500
CARD_SIZE = QSize(196, 190)
PAD = 10

Key = QModelIndex | QPersistentModelIndex


def card_time_text(card: PhotoCard) -> str:
    return f"{card.taken_at:%Y-%m-%d %H:%M}" if card.taken_at else tr("无拍摄时间")


def card_use_text(card: PhotoCard) -> str:
    if not card.linked:
        return tr("未关联公示")
    return f"{tr(card.role_label) or tr('照片')} · {card.board_name}"


def card_tooltip(card: PhotoCard) -> str:
    lines = [card.original_name, card_time_text(card)]
    if card.linked:
        lines.append(f"{card.disclosure_title}\n{card.board_name}（{tr(card.role_label)}）")
        lines.extend(card.other_links)
    if card.qr_text:
        lines.append(card.qr_text)
    if card.flags:
        lines.append("⚠ " + flags_tooltip(card.flags))
    return "\n".join(lines)


def qr_badge_text(card: PhotoCard) -> str:
    """'二维码 第2版 ✔' / '二维码 ⚠' for the card's corner ('' without a QR of ours)."""
    if not card.qr_text:
        return ""
    body = card.qr_text.split("：", 1)[-1]
    if "⚠" in body:
        return tr("二维码 ⚠")
    parts = body.split("；")
    if len(parts) > 1:
        return tr("二维码 {n} 张公示 ✔").format(n=len(parts))
    return tr("二维码 {version}").format(version=parts[0])


class PhotoGalleryModel(PagedRows, QAbstractListModel):
    """Photo cards of one scope, fetched page by page; thumbnails requested only when painted."""

    def __init__(self, thumbnails: ThumbnailLoader, parent=None, *, page_size: int = PAGE_SIZE):
        self._rows_by_sha: dict[str, list[int]] = {}
        super().__init__(parent, page_size=page_size)
        self.thumbnails = thumbnails
        thumbnails.ready.connect(self._thumbnail_ready)

    def _rows_added(self, start: int) -> None:
        if start == 0:
            self._rows_by_sha = {}
        for row in range(start, len(self._rows)):
            self._rows_by_sha.setdefault(self._rows[row].sha256, []).append(row)

    def card(self, row: int) -> PhotoCard | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, photo_id: str) -> int:
        return next((row for row, card in enumerate(self._rows) if card.id == photo_id), -1)

    def replace_card(self, card: PhotoCard) -> None:
        """Show a photo's new link/flags after it was (re)linked."""
        row = self.row_of(card.id)
        if row >= 0:
            self._rows[row] = card
            index = self.index(row)
            self.dataChanged.emit(index, index)

    # --- Qt model ---------------------------------------------------------------------------

    def data(self, index: Key, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        card = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card_time_text(card)
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self.thumbnails.pixmap(card.sha256)
            if pixmap is None:
                self.thumbnails.request(card.sha256)
                return self.thumbnails.placeholder()
            return pixmap
        if role == Qt.ItemDataRole.ToolTipRole:
            return card_tooltip(card)
        if role == CardRole:
            return card
        if role == IdRole:
            return card.id
        return None

    def _thumbnail_ready(self, sha256: str) -> None:
        for row in self._rows_by_sha.get(sha256, ()):
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class GalleryDelegate(QStyledItemDelegate):
    """Paints one photo card: picture, time taken, use (role · board), flag badge."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Key) -> QSize:
        return QSize(CARD_SIZE)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Key) -> None:
        card: PhotoCard | None = index.data(CardRole)
        if card is None:
            return
        rect = QRectF(option.rect).adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        path = QPainterPath()
        path.addRoundedRect(rect, 8, 8)
        painter.fillPath(path, QColor("#e8f0fe" if selected else ("#f7f9fc" if hovered else "#ffffff")))
        painter.setPen(QPen(QColor("#1f6feb" if selected else "#e1e6ec"), 2 if selected else 1))
        painter.drawPath(path)

        pixmap: QPixmap = index.data(Qt.ItemDataRole.DecorationRole)
        picture = QRect(int(rect.left()) + PAD, int(rect.top()) + PAD, int(rect.width()) - 2 * PAD, 126)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            scaled = pixmap.size().scaled(picture.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(picture.center())
            painter.drawPixmap(target, pixmap)
        self._paint_badge(painter, picture, card)
        self._paint_text(painter, option, rect, picture, card)
        painter.restore()

    @staticmethod
    def _paint_badge(painter: QPainter, picture: QRect, card: PhotoCard) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(8.5)
        font.setBold(True)
        metrics = QFontMetrics(font)
        painter.setFont(font)

        def pill(text: str, color: QColor, *, right: bool = False, top: float = picture.top() + 4) -> None:
            width = metrics.horizontalAdvance(text) + 12
            left = picture.right() - 4 - width if right else picture.left() + 4
            badge = QRectF(left, top, width, metrics.height() + 4)
            path = QPainterPath()
            path.addRoundedRect(badge, badge.height() / 2, badge.height() / 2)
            painter.fillPath(path, color)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, int(Qt.AlignmentFlag.AlignCenter), text)

        if card.flags:
            pill("⚠ " + flag_labels(card.flags)[0] + (f" +{len(card.flags) - 1}" if len(card.flags) > 1 else ""),
                 QColor(220, 104, 3, 235))
        qr = qr_badge_text(card)
        if qr:
            color = QColor(220, 104, 3, 235) if "⚠" in qr else QColor(27, 122, 58, 235)
            pill(qr, color, top=picture.bottom() - metrics.height() - 8)

    @staticmethod
    def _paint_text(painter: QPainter, option: QStyleOptionViewItem, rect: QRectF, picture: QRect, card: PhotoCard) -> None:
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        left, width = int(rect.left()) + PAD, int(rect.width()) - 2 * PAD
        top = picture.bottom() + 6
        painter.setFont(font)
        painter.setPen(QColor("#1f2733" if card.taken_at else "#b54708"))
        painter.drawText(QRect(left, top, width, metrics.height()), int(Qt.AlignmentFlag.AlignLeft),
                         metrics.elidedText(card_time_text(card), Qt.TextElideMode.ElideRight, width))
        small = QFont(font)
        small.setPointSizeF(max(7.5, font.pointSizeF() - 1.5))
        small_metrics = QFontMetrics(small)
        painter.setFont(small)
        color = "#1b7a3a" if card.role == "start" else ("#6b4bb0" if card.role == "end" else "#8a94a6")
        painter.setPen(QColor(color))
        painter.drawText(QRect(left, top + metrics.height() + 2, width, small_metrics.height()), int(Qt.AlignmentFlag.AlignLeft),
                         small_metrics.elidedText(card_use_text(card), Qt.TextElideMode.ElideRight, width))
