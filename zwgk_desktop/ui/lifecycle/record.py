"""NoticeRecordView (流转记录): one notice's versions, status history, postings and objections, read-only.

Shown as a tab beside the line items on the 公示管理 page. `load(id)` reads
everything in one background call and returns a plain `NoticeRecord`; an
open objection can be activated (Enter / double-click) to ask for handling
through `resolve_requested(objection_id)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from zwgk_desktop.core.lifecycle import HistoryRow, history, version_chain
from zwgk_desktop.core.objections import ObjectionRow, list_objections
from zwgk_desktop.core.postings import PostingRow, list_postings
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import Runner, message_label, message_of, show_message

ID_ROLE = Qt.ItemDataRole.UserRole
OPEN_COLOUR = QColor("#b42318")
MUTED_COLOUR = QColor("#6a7380")


@dataclass
class NoticeRecord:
    """Everything the record tab shows about one notice (DTOs only)."""

    disclosure_id: str
    versions: list[dict] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    postings: list[PostingRow] = field(default_factory=list)
    objections: list[ObjectionRow] = field(default_factory=list)

    @property
    def open_objections(self) -> list[ObjectionRow]:
        return [o for o in self.objections if o.status == "open"]


def load_record(session, actor, disclosure_id: str) -> NoticeRecord:
    return NoticeRecord(
        disclosure_id=disclosure_id,
        versions=version_chain(session, disclosure_id),
        history=history(session, disclosure_id),
        postings=list_postings(session, disclosure_id, actor),
        objections=list_objections(session, disclosure_id),
    )


def _local_time(iso: str) -> str:
    """'2026-03-02T08:15:00' (UTC) → local 'YYYY-MM-DD HH:MM'."""
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class NoticeRecordView(QWidget):
    """Versions, 流转记录, 张贴 and 异议 of the selected notice, each a short list."""

    loaded = Signal(object)  # NoticeRecord
    resolve_requested = Signal(str)  # objection id

    def __init__(self, database, actor, tasks=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = Runner(database, actor, tasks)
        self.actor = actor
        self.record: NoticeRecord | None = None
        self._generation = 0
        self.versions = QLabel(self)
        self.versions.setObjectName("muted")
        self.versions.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("recordTree")
        self.tree.setHeaderLabels([tr("日期"), tr("事项"), tr("经办"), tr("说明")])
        self.tree.setColumnWidth(0, 190)
        self.tree.setColumnWidth(1, 230)
        self.tree.setColumnWidth(2, 110)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
        self.message = message_label(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.versions)
        layout.addWidget(self.message)
        layout.addWidget(self.tree, 1)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)

    def set_actor(self, actor) -> None:
        """Load records as another user from now on (切换用户)."""
        self.actor = actor
        self.runner = Runner(self.runner.database, actor, self.runner.tasks)

    def clear(self) -> None:
        self._generation += 1
        self.record = None
        self.tree.clear()
        self.versions.clear()

    def load(self, disclosure_id: str) -> None:
        self._generation += 1
        generation, actor = self._generation, self.actor
        self.runner.call(
            lambda s: load_record(s, actor, disclosure_id),
            lambda record: self._show(generation, record),
            self._fail,
        )

    # --- showing ---------------------------------------------------------------
    def _show(self, generation: int, record: NoticeRecord) -> None:
        if generation != self._generation:
            return
        self.record = record
        show_message(self.message, "")
        self.versions.setText(self._versions_text(record))
        self.versions.setVisible(bool(self.versions.text()))
        self.tree.clear()
        self._section(tr("流转记录（{n}）").format(n=len(record.history)), [
            (_local_time(h.at), h.label, h.by_user, h.reason, None, None) for h in record.history
        ])
        self._section(tr("张贴（{n} 处）").format(n=len(record.postings)), [self._posting_row(p) for p in record.postings])
        self._section(
            tr("异议（{n} 件，未办结 {m} 件）").format(n=len(record.objections), m=len(record.open_objections)),
            [self._objection_row(o, self.actor.can("objection")) for o in record.objections],
        )
        self.loaded.emit(record)

    def _versions_text(self, record: NoticeRecord) -> str:
        if len(record.versions) <= 1:
            return ""
        parts = []
        for v in record.versions:
            text = tr("第{n}版（{status}）").format(n=v["version"], status=v["status_label"])
            parts.append(f"<b>{text}</b>" if v["id"] == record.disclosure_id else text)
        return tr("版本：") + " → ".join(parts)

    def _section(self, title: str, rows: list[tuple]) -> None:
        top = QTreeWidgetItem([title])
        font = top.font(0)
        font.setBold(True)
        top.setFont(0, font)
        top.setFirstColumnSpanned(True)
        self.tree.addTopLevelItem(top)
        top.setFirstColumnSpanned(True)
        for when, what, who, note, ident, colour in rows:
            child = QTreeWidgetItem([when, what, who, note])
            child.setToolTip(3, note)
            if ident:
                child.setData(0, ID_ROLE, ident)
            if colour is not None:
                for column in range(4):
                    child.setForeground(column, QBrush(colour))
            top.addChild(child)
        if not rows:
            empty = QTreeWidgetItem(["", tr("无")])
            empty.setForeground(1, QBrush(MUTED_COLOUR))
            top.addChild(empty)
        top.setExpanded(True)

    @staticmethod
    def _posting_row(p: PostingRow) -> tuple:
        photos = []
        photos.append(tr("有张贴照") if p.has_start_photo else tr("缺张贴照"))
        photos.append(tr("有期满照") if p.has_end_photo else tr("缺期满照"))
        note = tr("计划期满 {end}").format(end=p.planned_end or "—")
        if p.removed_on:
            note += tr("；{day} 撤下").format(day=p.removed_on)
        return p.posted_on, tr("张贴于 {board}").format(board=p.board_name), p.posted_by, note + "；" + "、".join(photos), None, None

    @staticmethod
    def _objection_row(o: ObjectionRow, can_resolve: bool) -> tuple:
        if o.status == "open":
            what = tr("异议（{channel}，{who}）· 未办结").format(channel=o.channel or "—", who=o.from_name)
            note = o.content + (tr("　（双击或按回车办理）") if can_resolve else "")
            return o.received_on, what, o.recorded_by, note, o.id, OPEN_COLOUR
        what = tr("异议（{channel}，{who}）· {closed} 办结").format(channel=o.channel or "—", who=o.from_name, closed=o.closed_on or "")
        return o.received_on, what, o.recorded_by, tr("{content}；结果：{result}").format(content=o.content, result=o.result), None, None

    # --- acting ----------------------------------------------------------------
    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        objection_id = item.data(0, ID_ROLE)
        if objection_id:
            self.resolve_requested.emit(objection_id)

    def _fail(self, exc: BaseException) -> None:
        show_message(self.message, message_of(exc))
