"""The selected photo's facts (EXIF panel) and the editor that links it to a posting.

`PhotoFacts` shows taken time with offset, device, GPS, size, SHA-256,
flags (⚠), the QR verification ("照片中二维码核验：第2版 ✔") and every
posting the photo proves; the full-size viewer reuses it. `LinkEditor`
loads the photo's suggested postings (notice title, board, period, whether
the posting already has its start/end photo: ✔ / ⚠ / ✘) and nearby postings
to choose from (`ops.photos.link_options`), and confirms a link
(`ops.photos.link_photo`, a write op: `link_confirmed`). A photo of an
archived notice is locked: the editor says so and offers no change.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ops import photos as photo_ops
from zwgk_desktop.services.photos.gallery import LinkResult, LinkSuggestion, PhotoCard, PostingEvidence
from zwgk_desktop.services.photos.link import ROLE_LABELS
from zwgk_desktop.ui.photos.common import (
    ERROR_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    flag_chips_html,
    human_size,
    message_label,
    posting_evidence_html,
    qr_html,
    show_message,
    tr,
)

FACT_KEYS = ("name", "taken", "device", "gps", "size", "sha256", "flags", "qr", "posting")


def gps_text(card: PhotoCard) -> str:
    if card.gps_lat is None or card.gps_lon is None:
        return tr("无（照片中没有位置信息）")
    ns = tr("北纬") if card.gps_lat >= 0 else tr("南纬")
    ew = tr("东经") if card.gps_lon >= 0 else tr("西经")
    return f"{ns} {abs(card.gps_lat):.5f}°，{ew} {abs(card.gps_lon):.5f}°"


def posting_text(card: PhotoCard) -> str:
    if not card.linked:
        return tr("尚未关联公示")
    period = f"{card.posted_on:%Y-%m-%d}" + (f" 至 {card.planned_end:%Y-%m-%d}" if card.planned_end else "")
    text = tr("{title}\n{board} · {period} · {role}").format(
        title=card.disclosure_title, board=card.board_name, period=period, role=tr(card.role_label) or tr("照片"),
    )
    for other in card.other_links:
        text += "\n" + tr("另：{link}").format(link=other)
    if card.locked:
        text += "\n" + tr("（公示已归档，关联已锁定）")
    return text


def suggestion_text(suggestion: LinkSuggestion) -> str:
    posting = suggestion.posting
    facts = tr("作为{role} · 相差 {n} 天").format(role=tr(suggestion.role_label), n=suggestion.days_off)
    if suggestion.distance_m is not None:
        facts += tr(" · 距公示栏约 {m} 米").format(m=f"{suggestion.distance_m:,.0f}")
    return tr("{title}\n{board} · {period}\n{facts}\n已有：张贴照 {s}　期满照 {e}").format(
        title=posting.disclosure_title, board=posting.board_name, period=posting.period_text,
        facts=facts, s=posting.start_mark, e=posting.end_mark,
    )


def choice_text(posting: PostingEvidence) -> str:
    return f"{posting.disclosure_title} · {posting.board_name} · {posting.period_text}"


class PhotoFacts(QWidget):
    """A form of the photo's facts; `facts()` returns the shown text by key (for tests and copying)."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6 if compact else 8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        captions = {
            "name": tr("原文件名"), "taken": tr("拍摄时间"), "device": tr("拍摄设备"), "gps": tr("拍摄位置"),
            "size": tr("尺寸"), "sha256": tr("SHA-256"), "flags": tr("质量标记"), "qr": tr("二维码核验"),
            "posting": tr("关联公示"),
        }
        self._values: dict[str, QLabel | QLineEdit] = {}
        for key in FACT_KEYS:
            if key == "sha256":  # 64 hex digits cannot wrap: a read-only line the user can scroll and copy
                value = QLineEdit("—", self)
                value.setReadOnly(True)
                value.setFrame(False)
                value.setMinimumWidth(120)
                value.setStyleSheet("QLineEdit { font-family: monospace; font-size: 8.5pt; color: #4a5361;"
                                    " background: transparent; border: none; padding: 0; }")
            else:
                value = QLabel("—", self)
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key in ("flags", "qr"):
                value.setTextFormat(Qt.TextFormat.RichText)
            caption = QLabel(captions[key], self)
            caption.setObjectName("muted")
            form.addRow(caption, value)
            self._values[key] = value

    def show_card(self, card: PhotoCard | None) -> None:
        if card is None:
            for label in self._values.values():
                label.setText("—")
            return
        taken = card.taken_text or tr("无（照片中没有拍摄时间，请核对）")
        size = tr("{w} × {h} 像素 · {size}").format(w=card.width, h=card.height, size=human_size(card.size_bytes))
        values = {
            "name": card.original_name, "taken": taken, "device": card.device or tr("未知"), "gps": gps_text(card),
            "size": size, "sha256": card.sha256, "flags": flag_chips_html(card.flags), "qr": qr_html(card.qr_text),
            "posting": posting_text(card),
        }
        for key, text in values.items():
            self._values[key].setText(text)
        self._values["sha256"].setCursorPosition(0)
        self._values["sha256"].setToolTip(tr("照片原图的数字指纹；原图被改动后指纹会变，校验时即可发现。"))

    def facts(self) -> dict[str, str]:
        return {key: label.text() for key, label in self._values.items()}


class LinkEditor(QFrame):
    """Choose the posting a photo is evidence of (suggested first) and its role; confirm on the DB thread."""

    loaded = Signal(str)  # photo id whose suggestions/choices are shown
    link_confirmed = Signal(object)  # LinkResult
    failed = Signal(str)

    def __init__(self, tasks, mismatch_days: int, parent: QWidget | None = None, *,
                 villages: Callable[[], tuple[str, ...] | None] = lambda: None):
        super().__init__(parent)
        self.villages = villages  # the user's village scope (None: every board), asked at each load
        self.setObjectName("linkEditor")
        self.setStyleSheet("QFrame#linkEditor { background: #f7f9fb; border: 1px solid #e3e7ec; border-radius: 8px; }")
        self.tasks, self.mismatch_days = tasks, mismatch_days
        self.card: PhotoCard | None = None
        self.suggestions: list[LinkSuggestion] = []
        self.choices: list[PostingEvidence] = []
        self._generation = 0
        self._build()
        self.set_photo(None)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(6)
        heading = QLabel(tr("关联到张贴记录"), self)
        heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        layout.addWidget(heading)
        self.current = QLabel("", self)
        self.current.setWordWrap(True)
        self.current.setObjectName("muted")
        layout.addWidget(self.current)
        self.suggestion_caption = QLabel(tr("推荐（按拍摄时间和位置）：(&S)"), self)
        layout.addWidget(self.suggestion_caption)
        self.suggestion_list = QListWidget(self)
        self.suggestion_list.setObjectName("suggestionList")
        self.suggestion_list.setWordWrap(True)
        self.suggestion_list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.suggestion_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.suggestion_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.suggestion_list.setMinimumHeight(200)
        self.suggestion_list.setStyleSheet(
            "QListWidget#suggestionList { background: #ffffff; border: 1px solid #dde1e7; border-radius: 6px; }"
            "QListWidget#suggestionList::item { padding: 6px 4px; border-bottom: 1px solid #eef0f3; }"
        )
        self.suggestion_caption.setBuddy(self.suggestion_list)
        self.suggestion_list.currentRowChanged.connect(self._suggestion_chosen)
        self.suggestion_list.itemActivated.connect(lambda _item: self.confirm())
        layout.addWidget(self.suggestion_list, 1)
        other = QLabel(tr("或选择其他张贴记录：(&O)"), self)
        layout.addWidget(other)
        self.choice_box = QComboBox(self)
        self.choice_box.setMinimumContentsLength(12)
        self.choice_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choice_box.activated.connect(self._choice_chosen)
        other.setBuddy(self.choice_box)
        layout.addWidget(self.choice_box)
        row = QHBoxLayout()
        role_caption = QLabel(tr("照片用途：(&U)"), self)
        self.role_box = QComboBox(self)
        for role in ("start", "end"):
            self.role_box.addItem(tr(ROLE_LABELS[role]), role)
        role_caption.setBuddy(self.role_box)
        row.addWidget(role_caption)
        row.addWidget(self.role_box)
        row.addStretch(1)
        layout.addLayout(row)
        self.evidence = QLabel("", self)
        self.evidence.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.evidence)
        buttons = QHBoxLayout()
        self.unlink_button = QPushButton(tr("取消关联"), self)
        self.unlink_button.clicked.connect(self.unlink)
        self.confirm_button = QPushButton(tr("确认关联(&L)"), self)
        self.confirm_button.setDefault(True)
        self.confirm_button.setStyleSheet(
            "QPushButton { background: #1f6feb; color: white; border: none; border-radius: 5px; padding: 6px 14px; font-weight: 600; }"
            "QPushButton:disabled { background: #c3cfe2; }"
        )
        self.confirm_button.clicked.connect(self.confirm)
        buttons.addWidget(self.unlink_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)
        self.message = message_label(self)
        layout.addWidget(self.message)
        QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return), self, activated=self.confirm)

    # --- loading ------------------------------------------------------------------------
    def set_photo(self, card: PhotoCard | None) -> None:
        """Show the photo's link state and load its suggestions and nearby postings."""
        self._generation += 1
        self.card = card
        self.suggestions, self.choices = [], []
        self.suggestion_list.clear()
        self.choice_box.clear()
        self.evidence.setText("")
        show_message(self.message, "", OK_STYLE)
        enabled = card is not None and not card.locked
        for widget in (self.suggestion_list, self.choice_box, self.role_box, self.confirm_button):
            widget.setEnabled(enabled)
        self.unlink_button.setVisible(bool(card and card.linked and not card.locked))
        if card is None:
            self.current.setText(tr("在照片库或导入结果中选择一张照片。"))
            return
        self.current.setText(tr("当前：{text}").format(text=posting_text(card).replace("\n", " · ")))
        if card.locked:
            show_message(self.message, tr("这张照片所证明的公示已归档，留痕照片已锁定，不能再关联或取消关联。"), WARNING_STYLE)
            return
        if "wrong_version" in card.flags:
            show_message(self.message, tr("照片中是已更正（或已撤回）的旧版本公示，不能作为留痕证据。"
                                          "请撤换公开栏上的旧版，张贴现行版本后重新拍照。"), WARNING_STYLE)
        generation, photo_id = self._generation, card.id
        around = card.taken_at.date() if card.taken_at else card.posted_on
        self.tasks.run_op(photo_ops.link_options, photo_id, around, self.villages() or (),
                          on_success=lambda options: self._show_options(generation, list(options.suggestions),
                                                                        list(options.choices)),
                          on_failure=self._failed, owner=self)

    def _show_options(self, generation: int, suggestions: list[LinkSuggestion], choices: list[PostingEvidence]) -> None:
        if generation != self._generation or self.card is None:
            return
        self.suggestions, self.choices = suggestions, choices
        for suggestion in suggestions:
            item = QListWidgetItem(suggestion_text(suggestion))
            item.setData(Qt.ItemDataRole.UserRole, suggestion.posting.posting_id)
            self.suggestion_list.addItem(item)
        if not suggestions:
            if "foreign_qr" in self.card.flags:
                reason = tr("照片中的二维码不是本乡镇的公示，没有推荐。如确属本乡镇张贴，请在下方手动选择。")
            elif self.card.taken_at is None:
                reason = tr("照片没有拍摄时间，无法推荐，请在下方手动选择。")
            else:
                reason = tr("拍摄日前后 30 天内没有张贴记录，请在下方手动选择。")
            item = QListWidgetItem(reason)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.suggestion_list.addItem(item)
        self.choice_box.addItem(tr("（请选择）"), None)
        for posting in choices:
            self.choice_box.addItem(choice_text(posting), posting.posting_id)
        if self.card.linked:
            self._select_posting(self.card.posting_id, self.card.role)
        elif suggestions:
            self.suggestion_list.setCurrentRow(0)
        self.loaded.emit(self.card.id)

    def _select_posting(self, posting_id: str, role: str | None) -> None:
        for row, suggestion in enumerate(self.suggestions):
            if suggestion.posting.posting_id == posting_id:
                self.suggestion_list.setCurrentRow(row)
                break
        else:
            index = self.choice_box.findData(posting_id)
            if index >= 0:
                self.choice_box.setCurrentIndex(index)
                self._choice_chosen(index)
        if role:
            self.role_box.setCurrentIndex(max(0, self.role_box.findData(role)))

    # --- choosing -------------------------------------------------------------------------
    def _suggestion_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.suggestions):
            return
        suggestion = self.suggestions[row]
        self.choice_box.setCurrentIndex(0)
        self.role_box.setCurrentIndex(max(0, self.role_box.findData(suggestion.role)))
        self._show_evidence(suggestion.posting)

    def _choice_chosen(self, index: int) -> None:
        posting_id = self.choice_box.itemData(index)
        if posting_id is None:
            return
        self.suggestion_list.setCurrentRow(-1)
        self.suggestion_list.clearSelection()
        posting = next(p for p in self.choices if p.posting_id == posting_id)
        self._show_evidence(posting)

    def _show_evidence(self, posting: PostingEvidence) -> None:
        self.evidence.setText(tr("这次张贴现有照片：") + posting_evidence_html(posting))

    def chosen_posting_id(self) -> str | None:
        row = self.suggestion_list.currentRow()
        if 0 <= row < len(self.suggestions) and self.suggestion_list.currentItem().isSelected():
            return self.suggestions[row].posting.posting_id
        return self.choice_box.currentData()

    def choose(self, posting_id: str, role: str | None = None) -> None:
        """Select a posting (suggested or not) and optionally the role, as the user would."""
        self._select_posting(posting_id, role)

    # --- confirming ------------------------------------------------------------------------
    def confirm(self) -> None:
        if self.card is None:
            return
        posting_id = self.chosen_posting_id()
        if posting_id is None:
            show_message(self.message, tr("请先在推荐中或下拉列表中选择一条张贴记录。"), ERROR_STYLE)
            return
        self._save(posting_id, self.role_box.currentData())

    def unlink(self) -> None:
        if self.card is not None:
            self._save(None, None)

    def _save(self, posting_id: str | None, role: str | None) -> None:
        self.confirm_button.setEnabled(False)
        self.tasks.run_op(photo_ops.link_photo, self.card.id, posting_id, role, mismatch_days=self.mismatch_days,
                          on_success=self._saved, on_failure=self._failed, owner=self)

    def _saved(self, result: LinkResult) -> None:
        self.confirm_button.setEnabled(True)
        card = result.card
        if result.evidence is None:
            text = tr("已取消关联。")
        else:
            text = tr("已关联为“{title}”在{board}的{role}。").format(
                title=card.disclosure_title, board=card.board_name, role=tr(card.role_label))
            if "time_mismatch" in card.flags:
                text += tr("注意：拍摄时间与张贴日期相差较多，已标记“拍摄时间不符”。")
            if card.flags:
                text += tr("照片有质量标记（⚠），不能作为这次张贴的合格留痕照片。")
        self.card = card
        self.current.setText(tr("当前：{text}").format(text=posting_text(card).replace("\n", " · ")))
        self.unlink_button.setVisible(card.linked)
        if result.evidence is not None:
            self._show_evidence(result.evidence)
            self._refresh_evidence(result.evidence)
        show_message(self.message, text, OK_STYLE)
        self.link_confirmed.emit(result)

    def _refresh_evidence(self, evidence: PostingEvidence) -> None:
        """Update the ✔/✘ shown for the posting in the suggestion list."""
        for row, suggestion in enumerate(self.suggestions):
            if suggestion.posting.posting_id == evidence.posting_id:
                updated = LinkSuggestion(evidence, suggestion.role, suggestion.days_off, suggestion.distance_m)
                self.suggestions[row] = updated
                self.suggestion_list.item(row).setText(suggestion_text(updated))
        self.choices = [evidence if p.posting_id == evidence.posting_id else p for p in self.choices]

    def _failed(self, exc: BaseException) -> None:
        from zwgk_desktop.ui.tasks import error_message

        self.confirm_button.setEnabled(self.card is not None)
        message = error_message(exc)
        show_message(self.message, message, ERROR_STYLE)
        self.failed.emit(message)

